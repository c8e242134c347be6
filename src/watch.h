/*
 * watch.h: the watch set, mapping inotify watch descriptors to paths.
 */
#ifndef WATCHX_WATCH_H
#define WATCHX_WATCH_H

#include <sys/tree.h>

#include <stddef.h>
#include <stdint.h>

struct watch {
	RB_ENTRY(watch)	 entry;		/* in the set, by wd */
	int		 wd;
	char		*path;		/* as given on the command line */
	size_t		 pathlen;
};

RB_HEAD(watch_tree, watch);

struct watchset {
	int		 fd;		/* the inotify instance */
	uint32_t	 mask;		/* kernel mask of every watch */
	struct watch_tree tree;
	size_t		 count;
};

void		 watchset_open(struct watchset *, uint32_t);
int		 watchset_add(struct watchset *, const char *);
struct watch	*watchset_find(struct watchset *, int);
void		 watchset_forget(struct watchset *, struct watch *);

#endif
