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
struct ignore;
struct source;

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
 * LP64, with the name when it is short (watch_name(): up to 7 bytes).
 */
#define WATCH_INLINE	8
struct watch {
	struct watch	*parent;	/* NULL for a root */
	int		 wd;
	uint32_t	 gen;		/* the last walk that found it */
	uint32_t	 namelen;
	uint32_t	 child;		/* the first sub-directory */
	uint32_t	 next;		/* the next sibling (a free slot's too) */
	uint32_t	 prev;		/* the previous sibling */
	unsigned char	 root:1;	/* given by the user */
	unsigned char	 gone:1;	/* a root moved away: ends at IN_IGNORED */
	unsigned char	 deleted:1;	/* a root whose IN_DELETE_SELF came */
	/*
	 * The name and a NUL if namelen < WATCH_INLINE, else a pointer to
	 * them; a root's is its path exactly as given.  Aligned, so that a
	 * leak checker sees the pointer.
	 */
	char		 inl[WATCH_INLINE] __attribute__((aligned(8)));
};

/* Watch indices, hashed by open addressing (watch.c). */
struct windex {
	uint32_t	*slot;		/* 0: empty */
	size_t		 size;		/* a power of 2, or 0 */
};

struct slab;

/* A root directory as it was found, to tell it from one put in its place. */
struct rootid {
	int		 wd;
	char		*path;		/* where it is now, as far as known */
	dev_t		 dev;
	ino_t		 ino;
};

struct watchset {
	struct source	*src;		/* where the watches are */
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

	struct rootid	*rootids;
	size_t		 nrootids;
};

/*
 * What a directory's watch leaves out while watchx itself lists it.  A
 * mask given without IN_MASK_ADD replaces the watch's, and the kernel
 * clears the old one before it sets the new: an event that comes in that
 * instant is lost (measured: a rename loop against a loop re-adding the
 * same mask lost 1 % of 20,000 IN_MOVED_FROM, none with IN_MASK_ADD).  So
 * a mask is replaced only to take these bits away, when the user asked
 * for them (watch_quiet()), and they are given back with IN_MASK_ADD.
 */
#define WATCH_QUIET	(IN_OPEN | IN_ACCESS | IN_CLOSE_NOWRITE)
/* IN_MOVE_SELF: for a root that leaves its path (tree.c, root_moved()). */
#define WATCH_BOOKKEEPING (IN_CREATE | IN_DELETE | IN_MOVE | IN_MOVE_SELF)
/* Not IN_DONT_FOLLOW: directories are watched through a descriptor. */
#define WATCH_DIRFLAGS	(IN_ONLYDIR | IN_EXCL_UNLINK)

/* watchset_open()'s flags. */
#define WS_RECURSIVE	0x01	/* -r */
#define WS_NOFOLLOW	0x02	/* -P */
#define WS_MIRROR	0x04	/* keep entries: --on-overflow rescan */
#define WS_RULES	0x08	/* read a .gitignore written: --gitignore */

/* watch.c */
void		 watchset_open(struct watchset *, struct source *, uint32_t,
		    int, struct filter *);
void		 watchset_close(struct watchset *);
int		 watchset_watch_fd(struct watchset *, int, uint32_t);
int		 watch_quiet(struct watchset *, int);
int		 watch_full(struct watchset *, int);
struct watch	*watchset_find(struct watchset *, int);
struct watch	*watch_new(struct watchset *, struct watch *, int,
		    const char *, size_t);
struct watch	*watch_child(struct watchset *, const struct watch *,
		    const char *, size_t);
const char	*watch_name(const struct watch *);
struct watch	*watch_next_child(const struct watchset *,
		    const struct watch *, const struct watch *);
void		 watch_rename(struct watchset *, struct watch *,
		    struct watch *, const char *, size_t);
void		 watch_forget(struct watchset *, struct watch *, int);
void		 watch_sweep_begin(struct watchset *, struct watch *);
void		 watch_sweep(struct watchset *, struct watch *);
struct entry_tree *watch_entries(struct watch *, int);
struct ignore	*watch_rules(const struct watch *);
void		 watch_rules_set(struct watch *, struct ignore *);
const char	*watch_path(struct watchset *, const struct watch *, size_t *);
int		 watch_below(const struct watch *, const struct watch *);
const struct watch *watch_root(const struct watch *);

#endif
