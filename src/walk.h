/*
 * walk.h: watching directory trees under -r (walk.c).  The start-up walk
 * reports nothing; a live walk (a new directory, a rescan) reports what
 * it finds through the window's follow queue.
 */
#ifndef WATCHX_WALK_H
#define WATCHX_WALK_H

#include <stddef.h>
#include <stdint.h>

struct watch;
struct watchset;
struct window;

int	 walk_add_root(struct watchset *, const char *, int, struct watch **);
void	 walk_rescan(struct window *, struct watch *);
int	 walk_new(struct window *, struct watch *, const char *, size_t,
	    int);
int	 walk_pruned(struct watchset *, const struct watch *, const char *,
	    size_t);
int	 walk_reread(struct watchset *, struct watch *);

#endif
