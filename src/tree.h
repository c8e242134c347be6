/*
 * tree.h: the -r stage, between the source and the filters: keeps the
 * watch set in step with the tree, and decides which events are printed
 * or dropped (tree.c).
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
 * How many events after a directory's IN_MOVED_FROM its IN_MOVED_TO is
 * looked for (tree_partner()): the kernel queues the two one after the
 * other, and only other processes' events can come in between, a few at
 * most.  Past it the directory is taken to have left the tree, which is
 * still a true account (the IN_MOVED_TO then reports it anew).
 */
#define PAIR_SCAN	64

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
 * assert(): every retry is due at a mark after the event that failed
 * (later()).  A move paired at its IN_MOVED_FROM meets its IN_MOVED_TO in
 * the same batch, so arrived lasts one batch at most (tree_settle()).
 */
struct tree {
	struct watchset		*ws;
	struct source		*src;
	struct follow_queue	 q;	/* what is handed on */
	struct window		 win;	/* the listings' own events */
	uint32_t		 arrived;	/* a move paired: its cookie, */
	int			 arriving;	/* and its directory's wd */
	struct retry		*retries;
	size_t			 nretries;
};

void		 tree_open(struct tree *, struct watchset *, struct source *);
void		 tree_close(struct tree *);
enum verdict	 tree_filter(struct tree *, const struct watch *,
		    const struct inotify_event *);
int		 tree_partner(struct tree *, const struct watch *,
		    const struct inotify_event *, const char *, const char *,
		    const struct inotify_event **);
void		 tree_update(struct tree *, struct watch *,
		    const struct inotify_event *, const struct inotify_event *);
void		 tree_settle(struct tree *);
void		 tree_retry(struct tree *);
void		 tree_rescan(struct tree *);
int64_t		 tree_deadline(const struct tree *);
void		 tree_expire(struct tree *, int64_t, int);
int		 tree_due(const struct tree *);

#endif
