/*
 * watch.h: the watch set.  Maps inotify watch descriptors to watches, and
 * under -r keeps the tree of watched directories so that a path is built
 * from parent pointers and names, and a rename touches one watch only.
 */
#ifndef WATCHX_WATCH_H
#define WATCHX_WATCH_H

#include <sys/inotify.h>
#include <sys/tree.h>
#include <sys/types.h>

#include "compat.h"

#include <stddef.h>
#include <stdint.h>

struct filter;

/*
 * A name in a watched directory, as watchx last knew it, kept under
 * --on-overflow rescan so that a rescan can report what changed.
 */
struct entry {
	RB_ENTRY(entry)	 link;
	uint32_t	 gen;		/* the last rescan that found it */
	unsigned char	 dir;
	unsigned char	 fresh;		/* new to that rescan */
	size_t		 len;
	char		 name[];
};
RB_HEAD(entry_tree, entry);

/*
 * A watched directory, or a path given.  Watches live in slabs (watch.c)
 * and never move: a pointer to one stays valid until it is forgotten.
 * Inside the watch set they refer to each other by slab index, 0 for
 * none.  A directory's watched sub-directories are a list (child, next,
 * prev), found by name through the watch set's name table.  48 bytes on
 * LP64, with the name when it is short (watch_name()).
 */
#define WATCH_INLINE	10
struct watch {
	struct watch	*parent;	/* NULL for a root, or moved away */
	int		 wd;
	uint32_t	 cookie;	/* of a move out not yet paired */
	uint32_t	 gen;		/* the last walk that found it */
	uint32_t	 namelen;
	uint32_t	 child;		/* the first sub-directory */
	uint32_t	 next;		/* the next sibling (a free slot's too) */
	uint32_t	 prev;		/* the previous sibling */
	unsigned char	 root;		/* given by the user */
	unsigned char	 gone;		/* a root moved away: ends at IN_IGNORED */
	/*
	 * The name and a NUL if namelen < WATCH_INLINE, else a pointer to
	 * them; a root's is its path exactly as given.
	 */
	char		 inl[WATCH_INLINE];
};

/* Watch indices, hashed by open addressing (watch.c). */
struct windex {
	uint32_t	*slot;		/* 0: empty */
	size_t		 size;		/* a power of 2, or 0 */
};

struct slab;

/*
 * Events that watchx's own listing of a new directory causes in its
 * parent's watch, under whatever name it has by then.
 */
struct noise {
	int		 wd;		/* the listed directory's watch */
	uint32_t	 mask;		/* IN_OPEN etc. still expected */
	int		 accesses;	/* IN_ACCESS still expected, at most */
	uint64_t	 from;		/* queued after this byte, if ours */
};

/* A root directory as it was found, to tell it from one put in its place. */
struct rootid {
	int		 wd;
	char		*path;		/* where it is now, as far as known */
	dev_t		 dev;
	ino_t		 ino;
};

/* A new directory that could not be opened: tried again later. */
struct retry {
	int		 wd;		/* its parent's watch */
	char		*name;
	size_t		 namelen;
	uint64_t	 after;		/* once the events up to here are handled */
	int		 tries;		/* failed so far */
};

/*
 * A name in a directory a live walk listed: what a consumer of watchx's
 * output holds, while the events queued before the listing ended are
 * handled (see tree.c, window()).
 */
struct seen {
	RB_ENTRY(seen)	 entry;
	int		 wd;
	unsigned char	 held;		/* the consumer has it */
	unsigned char	 listed;	/* reported by the listing itself */
	uint32_t	 written;	/* IN_MODIFY reported, IN_CLOSE_WRITE due */
	/* As a ghost (see tree.c, ghost()): */
	uint64_t	 after;		/* the listings' window's end */
	int64_t		 deadline;	/* CLOCK_MONOTONIC ns */
	size_t		 len;
	char		 name[];
};
RB_HEAD(seen_tree, seen);

/* A directory moved from a watched directory, its IN_MOVED_TO not seen. */
struct move {
	struct watch	*w;
	uint32_t	 cookie;
	int64_t		 deadline;	/* CLOCK_MONOTONIC ns */
};

struct watchset {
	int		 fd;		/* the inotify instance */
	int		 cwd;		/* O_PATH: where watchx started */
	int		 away;		/* the working directory is not cwd */
	int		 recursive;
	int		 mirror;	/* keep each directory's entries */
	int		 nofollow;	/* -P, for the paths given */
	uint32_t	 mask;		/* what the user's events need */
	uint32_t	 dirmask;	/* under -r: mask plus bookkeeping */
	struct windex	 bywd;		/* watches by wd */
	struct windex	 byname;	/* sub-directories by parent and name */
	struct slab	**slabs;	/* where the watches live */
	size_t		 nslabs;
	size_t		 slabused;	/* slots handed out of the last slab */
	uint32_t	 freeslots;	/* slots free again, linked by next */
	struct watch	*last;		/* watchset_find()'s last answer */
	size_t		 count;
	size_t		 nroots;
	uint32_t	 gen;		/* walks so far */

	struct filter	*filter;	/* --exclude prunes directories */

	char		*pathbuf;	/* watch_path()'s result */
	size_t		 pathsize;
	const struct watch *pathof;	/* whose path is there, if still valid */
	const char	*path;
	size_t		 pathlen;

	/* tree.c: self-caused events, pending moves, held events. */
	uint64_t	 pos;		/* bytes of events handled so far */
	uint64_t	 readpos;	/* bytes read from the instance */
	uint64_t	 quiet_until;	/* noise is expected up to here */
	struct noise	*noise;
	size_t		 nnoise;
	struct move	*moves;
	size_t		 nmoves;
	struct seen_tree seen;
	size_t		 nlisted;	/* directories listed live, in seen */
	uint64_t	 seen_until;	/* their window: events up to here */
	struct seen_tree ghosts;	/* files listed complete */
	size_t		 nghosts;
	int64_t		 ghosts_purge;	/* when the first one expires */
	struct seen_tree settling;	/* empty files listed, maybe complete */
	size_t		 nsettling;
	int64_t		 settle_first;	/* the first one's deadline */
	struct rootid	*rootids;
	size_t		 nrootids;
	struct retry	*retries;
	size_t		 nretries;
	int		 tries;		/* of the retry going on */
	char		*held;
	size_t		 heldlen;
	size_t		 heldsize;
	/* For the handler, in order: follow records (tree.c, follow_*()). */
	char		*out;
	size_t		 outlen;
	size_t		 outsize;
};

/*
 * What the -r bookkeeping hands on (ws->out): a follow record is a struct
 * follow, the path (padded to FOLLOW_ALIGN), then an inotify_event with
 * its name.  FOLLOW_PRINT is an event watchx makes up (what a listing
 * found, an IN_CLOSE_WRITE it owes, what a rescan found changed), to be
 * printed under the path its directory had then: a walk can move that
 * directory again before the record is printed.  FOLLOW_HANDLE is a
 * kernel event that was held while its directory's move was unresolved,
 * to be handled again (no path).
 */
enum { FOLLOW_PRINT, FOLLOW_HANDLE };
struct follow {
	uint32_t	 kind;
	uint32_t	 pathlen;
};
#define FOLLOW_ALIGN	4
#define FOLLOW_PAD(n)	(((n) + FOLLOW_ALIGN - 1) & ~(size_t)(FOLLOW_ALIGN - 1))
#define FOLLOW_SIZE(pathlen, ie) (sizeof(struct follow) + \
	FOLLOW_PAD(pathlen) + sizeof(struct inotify_event) + (ie)->len)

/*
 * With IN_CLOSE_WRITE in what a listing owes for a file: it was empty, and
 * whether a writer holds it is left to time (tree.c, SETTLE_WAIT).  The
 * bit is IN_ONESHOT's, which no event carries.
 */
#define WATCH_UNSURE	IN_ONESHOT
#define WATCH_QUIET	(IN_OPEN | IN_ACCESS | IN_CLOSE_NOWRITE)
/* IN_MOVE_SELF: for a root that leaves its path (tree.c, root_moved()). */
#define WATCH_BOOKKEEPING (IN_CREATE | IN_DELETE | IN_MOVE | IN_MOVE_SELF)
/* Not IN_DONT_FOLLOW: directories are watched through a descriptor. */
#define WATCH_DIRFLAGS	(IN_ONLYDIR | IN_EXCL_UNLINK)

/* watch.c */
void		 watchset_open(struct watchset *, uint32_t, int, int);
int		 watchset_add_root(struct watchset *, const char *,
		    struct watch **, int *);
void		 watchset_close(struct watchset *);
int		 watch_open_root(struct watchset *, const struct watch *);
void		 watch_end_root(struct watchset *, struct watch *);
int		 watch_fd(struct watchset *, int, uint32_t);
void		 watch_fd_done(struct watchset *);
struct watch	*watchset_find(struct watchset *, int);
struct watch	*watch_new(struct watchset *, struct watch *, int,
		    const char *, size_t);
struct watch	*watch_child(struct watchset *, const struct watch *,
		    const char *, size_t);
const char	*watch_name(const struct watch *);
void		 watch_detach(struct watchset *, struct watch *);
void		 watch_rename(struct watchset *, struct watch *,
		    struct watch *, const char *, size_t);
void		 watch_forget(struct watchset *, struct watch *, int);
void		 watch_sweep(struct watchset *, struct watch *);
struct entry	*watch_entry(struct watch *, const char *, size_t);
struct entry	*watch_entry_add(struct watch *, const char *, size_t, int);
struct entry	*watch_entry_next(struct watch *, struct entry *);
void		 watch_entry_del(struct watch *, struct entry *);
void		 watch_entries_clear(struct watch *);
const char	*watch_path(struct watchset *, const struct watch *, size_t *);
int		 watch_in_moving(const struct watch *);
int		 watch_below(const struct watch *, const struct watch *);
const struct watch *watch_root(const struct watch *);
const char	*watch_limit(const char *);
void		 watch_warn(struct watchset *, const struct watch *,
		    const char *, size_t, int);

/* walk.c */
void		 walk_root(struct watchset *, struct watch *, int);
void		 walk_rescan(struct watchset *, struct watch *);
void		 walk_new(struct watchset *, struct watch *, const char *,
		    size_t);

/* tree.c */
enum verdict { PASS, DROP, HOLD };
void		 tree_listing(struct watchset *, const struct watch *, int);
void		 tree_listed(struct watchset *, const struct watch *,
		    const char *, size_t, int, uint32_t);
void		 tree_listed_until(struct watchset *, uint64_t);
void		 tree_close(struct watchset *);
void		 tree_expect(struct watchset *, const struct watch *, int,
		    uint64_t);
enum verdict	 tree_filter(struct watchset *, const struct watch *,
		    const struct inotify_event *);
void		 tree_update(struct watchset *, struct watch *,
		    const struct inotify_event *);
int64_t		 tree_deadline(const struct watchset *);
void		 tree_expire(struct watchset *, int64_t, int);
void		 tree_later(struct watchset *, const struct watch *,
		    const char *, size_t);
void		 tree_retry(struct watchset *);
void		 tree_adopt(struct watchset *, struct watch *);
void		 tree_rescan(struct watchset *);
void		 tree_settle(struct watchset *);
void		 follow_print(struct watchset *, const struct watch *, uint32_t,
		    const char *, size_t);

#endif
