/*
 * source.h: the event source, the one place that talks to the kernel's
 * notification interface (inotify today).
 *
 * What the stages after it see is this boundary, so that another kernel
 * interface can take its place without touching them:
 *
 * - A directory (or file) is watched from a descriptor (or a path) and is
 *   known by the number the source returns, its identity: the wd of
 *   every event on it.
 * - An event is laid out as a struct inotify_event: the identity of what
 *   it is on (wd), what happened (mask, in IN_* bits), a cookie that pairs
 *   the two halves of a rename, and the name of the entry concerned (len
 *   bytes, NUL-padded; none for the watched object itself).  A source on
 *   another interface translates into that form.
 * - Events are a stream in the order the kernel queued them.  A mark is a
 *   position in it: source_mark() is the end of everything queued by now,
 *   src->taken the end of the events handled so far (source_take()).
 *   The -r bookkeeping measures "queued before this" with marks.  Always
 *   taken <= read <= source_mark().
 * - The kernel keeps one watch per directory: when the watch set (-r) and
 *   the by-name stage both want one, they share it.  The by-name stage
 *   claims the watches it holds (source_claim()); the watch set's
 *   source_unwatch() leaves a claimed one in place, and the by-name stage
 *   removes one only once neither holds it.
 */
#ifndef WATCHX_SOURCE_H
#define WATCHX_SOURCE_H

#include <sys/inotify.h>
#include <sys/types.h>

#include <stdint.h>

/* Where the kernel's limit on queued events is set. */
#define SOURCE_QUEUE_MAX	"/proc/sys/fs/inotify/max_queued_events"

struct source {
	int		 fd;		/* the inotify instance */
	int		 cwd;		/* O_PATH: where watchx started */
	int		 away;		/* the working directory is not cwd */
	uint64_t	 read;		/* bytes read from the instance */
	uint64_t	 taken;		/* bytes of events handled */
	long long	 queue_max;	/* events the queue holds, or -1 */
	int		*claims;	/* the by-name stage's watches */
	size_t		 nclaims;
};

void		 source_open(struct source *);
const char	*source_limit(const char *);
void		 source_close(struct source *);
int		 source_watch_path(struct source *, const char *, uint32_t);
int		 source_watch_fd(struct source *, int, uint32_t);
void		 source_watch_done(struct source *);
void		 source_unwatch(struct source *, int);
void		 source_claim(struct source *, int);
void		 source_unclaim(struct source *, int);
int		 source_claimed(const struct source *, int);
ssize_t		 source_read(struct source *, void *, size_t);
size_t		 source_queued(const struct source *);
uint64_t	 source_mark(const struct source *);
void		 source_take(struct source *, const struct inotify_event *);

#endif
