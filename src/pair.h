/*
 * pair.h: --pair-moves, joining an IN_MOVED_FROM to its IN_MOVED_TO.
 */
#ifndef WATCHX_PAIR_H
#define WATCHX_PAIR_H

#include <stdint.h>

#include "output.h"

struct pending {
	struct event	 ev;		/* strings point into store */
	char		*store;
	struct timespec	 when;		/* of its read batch */
	int64_t		 deadline;
};

struct pairs {
	struct pending	*v;
	size_t		 n;
};

void	 pair_hold(struct pairs *, const struct event *,
	    const struct timespec *, int64_t);
int	 pair_take(struct pairs *, uint32_t, struct pending *);
int	 pair_expired(struct pairs *, int64_t, struct pending *);
int64_t	 pair_deadline(const struct pairs *);
void	 pair_free(struct pending *);

#endif
