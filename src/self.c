/*
 * self.c: watchx's own output.  When the events go to a regular file that
 * lies in a watched tree (watchx -r . >events.txt, or -o), every record
 * written to it is an IN_MODIFY there, which would be printed, which is
 * written, for ever.  The events of that file are dropped.  It is known by
 * device and inode, so a rename or a hard link does not hide it; to keep
 * that cheap, only an event whose name is the file's own (or any name,
 * while the file has more than one) costs a stat(2).
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <err.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "self.h"

/* The last component of a name the file has now, from /proc. */
static void
rename_self(struct self *s)
{
	char	 proc[64], path[PATH_MAX], *p;
	ssize_t	 n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", s->fd);
	free(s->base);
	s->base = NULL;
	s->baselen = 0;
	if ((n = readlink(proc, path, sizeof(path) - 1)) <= 0)
		return;
	path[n] = '\0';
	p = strrchr(path, '/');
	if ((s->base = strdup(p != NULL ? p + 1 : path)) == NULL)
		err(1, NULL);
	s->baselen = strlen(s->base);
}

/* The output is fd: its events are recognised if it is a regular file. */
void
self_open(struct self *s, int fd)
{
	struct stat	 st;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		return;
	s->fd = fd;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->links = st.st_nlink;
	s->ctime = st.st_ctim;
	rename_self(s);
}

/* Whether name (len bytes) may be a name of the file. */
static int
maybe(const struct self *s, const char *name, size_t len)
{
	return s->links != 1 || s->base == NULL ||
	    (len == s->baselen && memcmp(name, s->base, len) == 0);
}

/*
 * Whether an event with mask on name (len bytes; none: the watch path
 * itself) in the watched path dir (dirlen bytes, relative to the
 * directory cwd) is about the output file.  Only events on what the file
 * holds are: a rename or deletion of its name is printed.
 */
int
self_is(struct self *s, int cwd, const char *dir, size_t dirlen,
    const char *name, size_t len, uint32_t mask)
{
	struct stat	 st;
	const char	*last;
	char		 path[PATH_MAX];

	if (s->fd == -1 || (mask & (IN_CREATE | IN_DELETE | IN_MOVE)))
		return 0;
	if (len == 0) {
		last = memrchr(dir, '/', dirlen);
		last = last != NULL ? last + 1 : dir;
		if (!maybe(s, last, dir + dirlen - last))
			return 0;
		if (snprintf(path, sizeof(path), "%.*s", (int)dirlen, dir) >=
		    (int)sizeof(path))
			return 0;
	} else {
		if (!maybe(s, name, len))
			return 0;
		if (snprintf(path, sizeof(path), "%.*s/%.*s", (int)dirlen, dir,
		    (int)len, name) >= (int)sizeof(path))
			return 0;
	}
	return fstatat(cwd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    st.st_dev == s->dev && st.st_ino == s->ino;
}

/*
 * An event from the kernel, printed or not (-e may leave renames out):
 * the file's name may have changed, or gone.
 */
void
self_note(struct self *s, const struct inotify_event *ie)
{
	if (s->fd == -1 || !(ie->mask & (IN_DELETE | IN_MOVED_FROM)) ||
	    ie->len == 0)
		return;
	if (maybe(s, ie->name, strnlen(ie->name, ie->len)))
		rename_self(s);
}

/*
 * A batch of events begins.  A hard link made to the file since the last
 * one means that any name may be the file's; a rename that no watch saw
 * gives it a name not known yet.  Asked once a batch, not once an event:
 * it costs a system call, two when the file has changed.
 */
void
self_batch(struct self *s)
{
	struct stat	 st;

	if (s->fd == -1 || fstat(s->fd, &st) == -1)
		return;
	s->links = st.st_nlink;
	if (st.st_ctim.tv_sec != s->ctime.tv_sec ||
	    st.st_ctim.tv_nsec != s->ctime.tv_nsec) {
		s->ctime = st.st_ctim;
		rename_self(s);
	}
}

void
self_close(struct self *s)
{
	free(s->base);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}
