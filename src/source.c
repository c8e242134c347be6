/*
 * source.c: the inotify instance (source.h): watches added and removed,
 * events read, and the marks that place them in the stream.
 */
#include <sys/inotify.h>
#include <sys/ioctl.h>

#include <assert.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "source.h"



/* A number from a /proc file, or -1. */
static long long
read_limit(const char *path)
{
	char		 buf[32];
	const char	*errstr;
	long long	 v;
	FILE		*f;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	v = strtonum(buf, 0, LLONG_MAX, &errstr);
	return errstr == NULL ? v : -1;
}

/*
 * The inotify limit that applies to what ("watches" or "instances"), as
 * "FILE is VALUE", for messages.  Two limits count: the system's
 * (fs.inotify.max_user_*) and, inside a user namespace, the namespace's
 * own (user.max_inotify_*), which may be lower; the lower one was hit.
 */
const char *
source_limit(const char *what)
{
	static char	 buf[128], sys[64], user[64];
	long long	 s, u;

	snprintf(sys, sizeof(sys), "/proc/sys/fs/inotify/max_user_%s", what);
	snprintf(user, sizeof(user), "/proc/sys/user/max_inotify_%s", what);
	s = read_limit(sys);
	u = read_limit(user);
	if (u != -1 && (s == -1 || u < s))
		snprintf(buf, sizeof(buf), "%s is %lld", user, u);
	else if (s != -1)
		snprintf(buf, sizeof(buf), "%s is %lld", sys, s);
	else
		snprintf(buf, sizeof(buf), "%s", sys);
	return buf;
}

/*
 * Create the inotify instance, and remember where watchx started:
 * source_watch_fd() moves the working directory until the loop waits
 * next, and paths given are from there.
 */
void
source_open(struct source *src)
{
	memset(src, 0, sizeof(*src));
	if ((src->cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		src->cwd = AT_FDCWD;
	/* The instance takes the limit in force when it is made. */
	src->queue_max = read_limit(SOURCE_QUEUE_MAX);
	if ((src->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) != -1)
		return;
	if (errno == EMFILE)
		errx(1, "inotify_init1: %s (limit of inotify instances: "
		    "%s; or the open file limit)", strerror(EMFILE),
		    source_limit("instances"));
	err(1, "inotify_init1");
}

/* For the fuzz harness and the unit tests, which open many. */
void
source_close(struct source *src)
{
	source_watch_done(src);
	free(src->claims);
	if (src->fd >= 0)
		close(src->fd);
	if (src->cwd >= 0)
		close(src->cwd);
	memset(src, 0, sizeof(*src));
	src->fd = -1;
	src->cwd = AT_FDCWD;
}

/* Watch path (relative to where watchx started) with mask. */
int
source_watch_path(struct source *src, const char *path, uint32_t mask)
{
	source_watch_done(src);
	return inotify_add_watch(src->fd, path, mask);
}

/*
 * Watch the directory open as fd (O_PATH will do) with mask, and return
 * what inotify_add_watch() does.  That call has no form relative to a
 * descriptor, and /proc/self/fd/N costs twice the lookup of "." in the
 * working directory (one of the larger costs of -r's start-up): so the
 * directory is made the working directory, and stays so until the loop
 * is about to wait (source_watch_done()): that is the one place that
 * brings it back, so no stage has to.  Paths watchx opens are relative
 * to src->cwd, never to the working directory.  A directory that cannot
 * be made so (no search permission) is watched through /proc/self/fd.
 */
int
source_watch_fd(struct source *src, int fd, uint32_t mask)
{
	char	 proc[64];

	if (src->cwd != AT_FDCWD && fchdir(fd) == 0) {
		src->away = 1;
		return inotify_add_watch(src->fd, ".", mask);
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return inotify_add_watch(src->fd, proc, mask);
}

/*
 * Back to the directory watchx started in, so that no directory of the
 * tree is held as the working directory while watchx waits (it would keep
 * it from being unmounted, and delay its IN_DELETE_SELF); "/" if that is
 * impossible.  Called by the loop before it waits (loop.c, loop_wait()),
 * and by source_close().
 */
void
source_watch_done(struct source *src)
{
	if (!src->away)
		return;
	if (fchdir(src->cwd) == -1 && chdir("/") == -1)
		warn("chdir /");
	src->away = 0;
}

/*
 * Remove watch wd, unless the by-name stage has claimed it (source.h).
 * Its IN_IGNORED still comes, and finds no watch.
 */
void
source_unwatch(struct source *src, int wd)
{
	if (!source_claimed(src, wd))
		inotify_rm_watch(src->fd, wd);
}

/* Whether the by-name stage holds watch wd.  Its watches are few. */
int
source_claimed(const struct source *src, int wd)
{
	size_t	 i;

	for (i = 0; i < src->nclaims; i++)
		if (src->claims[i] == wd)
			return 1;
	return 0;
}

/* The by-name stage holds watch wd. */
void
source_claim(struct source *src, int wd)
{
	if (!source_claimed(src, wd))
		*ARRAY_PUSH(src->claims, src->nclaims) = wd;
}

/* The by-name stage no longer holds watch wd. */
void
source_unclaim(struct source *src, int wd)
{
	size_t	 i;

	for (i = 0; i < src->nclaims; i++)
		if (src->claims[i] == wd) {
			src->claims[i] = src->claims[--src->nclaims];
			return;
		}
}

/* Read events; -1 with errno EAGAIN when none are queued. */
ssize_t
source_read(struct source *src, void *buf, size_t size)
{
	ssize_t	 n;

	if ((n = read(src->fd, buf, size)) > 0)
		src->read += n;
	return n;
}

/* Bytes of events queued and not read yet. */
size_t
source_queued(const struct source *src)
{
	int	 queued;

	if (ioctl(src->fd, FIONREAD, &queued) == -1 || queued < 0)
		return 0;
	return queued;
}

/* The end of everything queued by now. */
uint64_t
source_mark(const struct source *src)
{
	return src->read + source_queued(src);
}

/* Event ie, read, is being handled: src->taken is its end. */
void
source_take(struct source *src, const struct inotify_event *ie)
{
	src->taken += sizeof(*ie) + ie->len;
	assert(src->taken <= src->read);
}
