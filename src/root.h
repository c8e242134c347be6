/*
 * root.h: the paths given, found again when renamed (root.c).
 */
#ifndef WATCHX_ROOT_H
#define WATCHX_ROOT_H

#include <stddef.h>

struct watch;
struct watchset;

int	 root_add(struct watchset *, const char *, struct watch **, int *);
int	 root_open(struct watchset *, const struct watch *);
int	 root_reach(struct watchset *, const struct watch *);
void	 root_end(struct watchset *, struct watch *);
void	 root_drop(struct watchset *, struct watch *);
void	 root_warn(struct watchset *, const struct watch *, const char *,
	    size_t, int);

#endif
