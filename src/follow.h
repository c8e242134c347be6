/*
 * follow.h: the events that the -r bookkeeping and the by-name stage make
 * up, handed on to the handler to print, in order.
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
 * then an inotify_event with its name: an event watchx makes up (what a
 * listing found, an IN_CLOSE_WRITE it owes, what a rescan found changed,
 * what the by-name stage saw), to be printed under the path its directory
 * had then: a walk can move that directory again before the record is
 * printed.
 */
struct follow {
	uint32_t	 pathlen;
	uint32_t	 rootlen;	/* how much of the path is its root's */
};
#define FOLLOW_ALIGN	4
#define FOLLOW_PAD(n)	(((n) + FOLLOW_ALIGN - 1) & ~(size_t)(FOLLOW_ALIGN - 1))
#define FOLLOW_SIZE(pathlen, ie) (sizeof(struct follow) + \
	FOLLOW_PAD(pathlen) + sizeof(struct inotify_event) + (ie)->len)

/* The records not yet taken (follow_take()). */
struct follow_queue {
	struct watchset	*ws;
	char		*out;
	size_t		 outlen;
	size_t		 outsize;
};

void	 follow_open(struct follow_queue *, struct watchset *);
void	 follow_close(struct follow_queue *);
void	 follow_print(struct follow_queue *, const struct watch *, uint32_t,
	    const char *, size_t);
void	 follow_print_path(struct follow_queue *, const char *, size_t, int,
	    uint32_t, uint32_t, const char *, size_t);
char	*follow_take(struct follow_queue *, size_t *);

#endif
