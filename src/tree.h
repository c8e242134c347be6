/*
 * tree.h: the -r stage, between the source and the filters: keeps the
 * watch set in step with the tree, and decides which events are printed,
 * dropped or held (tree.c).
 */
#ifndef WATCHX_TREE_H
#define WATCHX_TREE_H

#include <sys/inotify.h>

#include <stddef.h>
#include <stdint.h>

#include "follow.h"
#include "window.h"

struct source;
struct watch;
struct watchset;

/*
 * A directory moved from a watched directory, its IN_MOVED_TO not seen:
 * by the wd of its watch, which is moving with this cookie as long as the
 * move is (a watch taken over by a walk meanwhile is not: walk.c, adopt()).
 */
struct move {
	int		 wd;
	uint32_t	 cookie;
	int64_t		 deadline;	/* CLOCK_MONOTONIC ns */
};

/* The events on a .gitignore after which it is read again (IN_CREATE:
 * a hard link). */
#define RULES_CHANGED	(IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO | \
			    IN_MOVED_FROM | IN_DELETE)

/*
 * A new directory that could not be opened, or a changed .gitignore that
 * could not be read: tried again later.
 */
enum { RETRY_WALK, RETRY_ANNOUNCE, RETRY_READ };
struct retry {
	int		 wd;		/* its parent's watch (RETRY_READ: its own) */
	char		*name;
	size_t		 namelen;
	uint64_t	 after;		/* due once events to here are taken */
	int		 tries;		/* failed so far */
	int		 kind;		/* walk it, also print it created, read */
};

/*
 * The -r bookkeeping.  Invariants, kept in tree.c and checked there with
 * assert() (tidy(), later()): a watch has a cookie (is moving) only while
 * a move of that cookie waits in moves, and events are held (q) only
 * while a watch is moving; every retry is due at a mark after the event
 * that failed.
 */
struct tree {
	struct watchset		*ws;
	struct source		*src;
	struct follow_queue	 q;	/* what is handed on, and held */
	struct window		 win;	/* the listings' own events */
	struct move		*moves;
	size_t			 nmoves;
	struct retry		*retries;
	size_t			 nretries;
};

void		 tree_open(struct tree *, struct watchset *, struct source *);
void		 tree_close(struct tree *);
enum verdict	 tree_filter(struct tree *, const struct watch *,
		    const struct inotify_event *);
void		 tree_update(struct tree *, struct watch *,
		    const struct inotify_event *);
void		 tree_settle(struct tree *);
void		 tree_retry(struct tree *);
void		 tree_rescan(struct tree *);
int64_t		 tree_deadline(const struct tree *);
void		 tree_expire(struct tree *, int64_t, int);
int		 tree_due(const struct tree *);

#endif
