/*
 * follow.h: what the -r bookkeeping hands on to the handler, in order, and
 * the kernel's events it holds back meanwhile.
 */
#ifndef WATCHX_FOLLOW_H
#define WATCHX_FOLLOW_H

#include <sys/inotify.h>

#include <stddef.h>
#include <stdint.h>

struct watch;
struct watchset;

/*
 * A follow record is a struct follow, the path (padded to FOLLOW_ALIGN),
 * then an inotify_event with its name.  FOLLOW_PRINT is an event watchx
 * makes up (what a listing found, an IN_CLOSE_WRITE it owes, what a
 * rescan found changed), to be printed under the path its directory had
 * then: a walk can move that directory again before the record is
 * printed.  FOLLOW_HANDLE is a kernel event that was held while its
 * directory's move was unresolved, to be handled again (no path).
 */
enum { FOLLOW_PRINT, FOLLOW_HANDLE };
struct follow {
	uint32_t	 kind;
	uint32_t	 pathlen;
	uint32_t	 rootlen;	/* how much of the path is its root's */
};
#define FOLLOW_ALIGN	4
#define FOLLOW_PAD(n)	(((n) + FOLLOW_ALIGN - 1) & ~(size_t)(FOLLOW_ALIGN - 1))
#define FOLLOW_SIZE(pathlen, ie) (sizeof(struct follow) + \
	FOLLOW_PAD(pathlen) + sizeof(struct inotify_event) + (ie)->len)

/*
 * The records not yet taken (follow_take()), and the held events: those
 * of a directory whose move is unresolved (watch_moving()), in the order
 * the kernel queued them.  An event is held only while its directory is
 * moving; once it is not, follow_release() hands it on.
 */
struct follow_queue {
	struct watchset	*ws;
	char		*out;
	size_t		 outlen;
	size_t		 outsize;
	char		*held;
	size_t		 heldlen;
	size_t		 heldsize;
};

void	 follow_open(struct follow_queue *, struct watchset *);
void	 follow_close(struct follow_queue *);
void	 follow_print(struct follow_queue *, const struct watch *, uint32_t,
	    const char *, size_t);
void	 follow_print_path(struct follow_queue *, const char *, size_t, int,
	    uint32_t, uint32_t, const char *, size_t);
void	 follow_hold(struct follow_queue *, const struct inotify_event *);
void	 follow_release(struct follow_queue *);
void	 follow_unhold(struct follow_queue *, const struct watch *);
char	*follow_take(struct follow_queue *, size_t *);

#endif
