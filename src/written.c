/*
 * written.c: whether a file that watchx finds, rather than sees being
 * written, is complete: a listing under -r, or a path by name that came
 * with a directory above it.  Its writes happened before its directory
 * was watched, so no event will say; the kernel says whether anyone has
 * it open for writing, by granting a read lease or not.  The probe holds
 * the lease for two system calls, the window it costs a writer that opens
 * the file just then; without it, a listing would report a half-written
 * file as written, or wait on every file of a tar x.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "watch.h"
#include "written.h"

/*
 * What of IN_MODIFY and IN_CLOSE_WRITE a listing reports for the regular
 * file name in the directory open as dirfd, when the user asked for them:
 * its writes happened before its directory was watched.  IN_MODIFY if it
 * is not empty; IN_CLOSE_WRITE if it is complete, that is no process has
 * it open for writing, which is when the kernel grants a read lease.  One
 * still open for writing will report its own IN_CLOSE_WRITE through the
 * watch.  A file whose state cannot be learnt (no lease for files of
 * other users without CAP_LEASE, a file system without leases) is taken
 * to be complete.  The directory's watch is quiet while it is listed, so
 * opening the file here causes no event.
 *
 * An empty file is not opened: it may be one that is being created, whose
 * creator has not yet taken write access, and a lease taken in that
 * instant would make an O_NONBLOCK open of it fail (GNU tar opens so).
 * Its IN_CLOSE_WRITE is owed unsure (*unsure set): window.c waits to see
 * whether a writer is at work.
 */
uint32_t
written_found(const struct watchset *ws, int dirfd, const char *name,
    int *unsure)
{
	struct stat	 st;

	*unsure = 0;
	if (!(ws->mask & (IN_MODIFY | IN_CLOSE_WRITE)) ||
	    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISREG(st.st_mode))
		return 0;
	if (st.st_size == 0) {
		*unsure = 1;
		return ws->mask & IN_CLOSE_WRITE;
	}
	return (written_busy(dirfd, name, 0) == 1 ? IN_MODIFY :
	    IN_MODIFY | IN_CLOSE_WRITE) & ws->mask;
}

/*
 * Whether a process has the file name in dirfd (a symbolic link followed
 * with follow) open for writing: 1 if so, 0 if not, -1 with errno when it
 * cannot be opened.  The kernel grants a read lease only when nobody
 * has; the lease is held for two system calls, and a writer that opens
 * the file in between waits that long (or fails, with O_NONBLOCK).  A file
 * whose state cannot be learnt (another user's, without CAP_LEASE; a file
 * system without leases) is said not to be.
 */
int
written_busy(int dirfd, const char *name, int follow)
{
	int	 fd, busy;

	if ((fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC | (follow ? 0 : O_NOFOLLOW))) == -1)
		return -1;
	busy = fcntl(fd, F_SETLEASE, F_RDLCK) == -1 && errno == EAGAIN;
	fcntl(fd, F_SETLEASE, F_UNLCK);
	close(fd);
	return busy;
}
