/*
 * window.h: the events that watchx's own listings cause or overlap under
 * -r, measured against what the listings reported (window.c).
 */
#ifndef WATCHX_WINDOW_H
#define WATCHX_WINDOW_H

#include <sys/inotify.h>
#include <sys/tree.h>

#include <stddef.h>
#include <stdint.h>

#include "compat.h"

struct follow_queue;
struct source;
struct watch;
struct watchset;

/* What becomes of an event: printed, or dropped as watchx's own. */
enum verdict { PASS, DROP };

/*
 * Events that watchx's own listing of a new directory causes in its
 * parent's watch, under whatever name it has by then.
 */
struct noise {
	int		 wd;		/* the listed directory's watch */
	uint32_t	 mask;		/* IN_OPEN etc. still expected */
	int		 accesses;	/* IN_ACCESS still expected, at most */
	uint64_t	 from;		/* queued after this mark, if ours */
};

/*
 * A name in a directory a live walk listed: what a consumer of watchx's
 * output holds, while the events queued before the listing ended are
 * handled (window.c, judge()).  Also, by the same key, a ghost (ghost())
 * and a file that settles (settle_add()).
 */
struct seen {
	RB_ENTRY(seen)	 entry;
	int		 wd;
	unsigned char	 held;		/* the consumer has it */
	unsigned char	 listed;	/* reported by the listing itself */
	unsigned char	 told;		/* reported gone: window_told() */
	unsigned char	 unsure;	/* found empty: a writer may be at work */
	uint32_t	 written;	/* IN_MODIFY done, IN_CLOSE_WRITE due */
	/* As a ghost, or settling: */
	uint64_t	 after;		/* the listings' window's end */
	int64_t		 deadline;	/* CLOCK_MONOTONIC ns */
	size_t		 len;
	char		 name[];
};
RB_HEAD(seen_tree, seen);

/*
 * Invariants, kept in window.c:
 * - noise is expected only up to quiet_until; past it, nnoise is 0 by the
 *   next event filtered (noise()).
 * - seen holds entries only while nlisted > 0 (directories listed, and
 *   names told gone: window_told()), that is while events queued before
 *   seen_until remain to be handled; the first event past it ends the
 *   window (window_end()), and what a listing owes is reported then.
 *   Checked with assert() (window_filter()).
 * - ghosts and settling hold one entry per (wd, name), each with a
 *   deadline; ghosts_purge and settle_first are no later than the
 *   earliest of them (and may be earlier: they are only a hint of when
 *   to look, and nsettling says whether anything waits).
 */
struct window {
	struct watchset		*ws;
	struct source		*src;
	struct follow_queue	*q;
	uint64_t		 quiet_until;	/* noise is queued to here */
	struct noise		*noise;
	size_t			 nnoise;
	struct seen_tree	 seen;
	size_t			 nlisted;	/* directories in seen, and told */
	uint64_t		 seen_until;	/* their window's end */
	struct seen_tree	 ghosts;	/* files listed complete */
	size_t			 nghosts;
	int64_t			 ghosts_purge;	/* the first deadline */
	struct seen_tree	 settling;	/* empty files listed */
	size_t			 nsettling;
	int64_t			 settle_first;	/* the first deadline */
};

void		 window_open(struct window *, struct watchset *,
		    struct source *, struct follow_queue *);
void		 window_close(struct window *);
void		 window_expect(struct window *, const struct watch *, int,
		    uint64_t);
void		 window_listing(struct window *, const struct watch *, int);
void		 window_listed(struct window *, const struct watch *,
		    const char *, size_t, int, uint32_t, int);
void		 window_deleted(struct window *, const struct watch *,
		    const char *, size_t);
void		 window_told(struct window *, const struct watch *,
		    const char *, size_t);
void		 window_until(struct window *, uint64_t, int);
enum verdict	 window_filter(struct window *, const struct watch *,
		    const struct inotify_event *, int);
void		 window_settle(struct window *);
int64_t		 window_deadline(const struct window *);
void		 window_expire(struct window *, int64_t, int);

#endif
