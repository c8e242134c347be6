/*
 * byname.h: following the paths given by their names (--by-name, and the
 * existence waits), whatever file each name stands for over time
 * (byname.c).
 */
#ifndef WATCHX_BYNAME_H
#define WATCHX_BYNAME_H

#include <sys/inotify.h>

#include <stddef.h>
#include <stdint.h>

#include "follow.h"

struct source;
struct watchset;

/* What a run by name waits for. */
enum wait { WAIT_NONE, WAIT_EXISTS, WAIT_GONE, WAIT_WRITTEN };

/*
 * A path given by name, split into its components (below "." for a
 * relative path, "/" for an absolute one).  The directories from there
 * down to the path's parent that exist are watched (the chain), each for
 * its entry of the next component, and the path itself (the entry) when
 * it exists and events of the file are wanted.
 */
struct target {
	char		*path;		/* as given */
	size_t		 pathlen;
	const char	*base;		/* "." or "/" */
	char		**comp;		/* components; the last is the name */
	char		*buf;		/* where they are */
	size_t		 ncomp;
	int		 exists;
	int		 dir;		/* it exists and is a directory */
	int		 mustdir;	/* given with a trailing '/' */
	int		 root;		/* -r: its watch in the watch set */
	int		 settled;	/* --wait-written: not just created */
};

/* A watch the stage holds for a target: at a level of its chain, or -1. */
struct interest {
	int		 wd;
	size_t		 target;
	int		 level;		/* comp[level] is the entry it waits on */
	int		 stale;		/* not found again by resolve() yet */
	unsigned int	 seen;		/* the event it was last handled for */
};
#define BYNAME_ENTRY	(-1)

/*
 * The stage.  Every watch it holds has an interest, and a watch is removed
 * from the kernel when its last interest goes (watches are shared between
 * targets: two paths in one directory).
 */
struct byname {
	struct source		*src;
	struct watchset		*ws;		/* -r: where targets go */
	struct follow_queue	 q;		/* what it prints */
	uint32_t		 mask;		/* the user's, for entries */
	enum wait		 wait;
	struct target		*targets;
	size_t			 ntargets;
	struct interest		*in;
	size_t			 nin;
	unsigned int		 serial;	/* of the event being handled */
	/* The last change of whether a path exists, for the waits. */
	size_t			 last;
	int			 lastwd;
	uint32_t		 lastmask;
	uint32_t		 lastcookie;
	int			 due;		/* --wait-written: check now */
};

void	 byname_open(struct byname *, struct source *, struct watchset *,
	    uint32_t, enum wait);
void	 byname_add(struct byname *, const char *);
int	 byname_start(struct byname *);
int	 byname_event(struct byname *, const struct inotify_event *);
void	 byname_rescan(struct byname *);
int	 byname_done(const struct byname *);
void	 byname_report(struct byname *);
size_t	 byname_unmet(const struct byname *, char *, size_t);
void	 byname_close(struct byname *);

#endif
