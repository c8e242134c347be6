/*
 * pair.h: --pair-moves, joining an IN_MOVED_FROM to its IN_MOVED_TO.
 */
#ifndef WATCHX_PAIR_H
#define WATCHX_PAIR_H

#include <sys/queue.h>

#include <stdint.h>
#include <time.h>

#include "output.h"

/* An event waiting to be printed, with copies of its strings. */
struct pending {
	struct event	 ev;		/* strings point into store */
	char		*store;
	struct timespec	 when;		/* of its read batch */
	int64_t		 deadline;	/* of a move waiting for its partner */
	int		 waiting;
	TAILQ_ENTRY(pending) entry;
};

struct pairs {
	TAILQ_HEAD(, pending) q;	/* in the kernel's order */
	size_t		 n;
};

void	 pair_init(struct pairs *);
void	 pair_push(struct pairs *, const struct event *,
	    const struct timespec *, int64_t);
int	 pair_join(struct pairs *, const struct event *,
	    const struct timespec *);
int	 pair_pop(struct pairs *, int64_t, struct pending *);
int64_t	 pair_deadline(const struct pairs *);
void	 pair_free(struct pending *);
void	 pair_clear(struct pairs *);

#endif
