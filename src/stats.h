/*
 * stats.h: --stats, and watchx under the name inotifywatch: events
 * counted per path and per event name, printed as one table at the end
 * (stats.c).
 */
#ifndef WATCHX_STATS_H
#define WATCHX_STATS_H

#include <stddef.h>
#include <stdint.h>

struct event;
struct output;

/* The event bits counted: IN_ACCESS to IN_IGNORED. */
#define STATS_BITS	16

/* How the table looks. */
struct stats_layout {
	int		 bywatch;	/* a row per watch (inotifywatch) */
	int		 json;		/* a JSON object per row */
	int		 raw;		/* paths as they are, not escaped */
	int		 zero;		/* -z: columns of mask even if zero */
	uint32_t	 mask;		/* the events asked for */
	int		 sort;		/* the bit rows are sorted by; -1 total */
	int		 ascending;
};

struct stats;

struct stats	*stats_new(const struct stats_layout *);
void		 stats_free(struct stats *);
void		 stats_add(struct stats *, const struct event *);
void		 stats_touch(struct stats *, const char *, size_t, int);
size_t		 stats_rows(struct stats *);
void		 stats_put(const struct stats *, size_t, struct output *);

#endif
