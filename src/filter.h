/*
 * filter.h: --include and --exclude globs.
 */
#ifndef WATCHX_FILTER_H
#define WATCHX_FILTER_H

#include <stddef.h>

struct filter {
	char	**include;
	size_t	  ninclude;
	char	**exclude;
	size_t	  nexclude;
	char	 *buf;		/* the full path being matched */
	size_t	  size;
};

struct config;

int	 filter_open(struct filter *, const struct config *);
void	 filter_add(char ***, size_t *, char *);
int	 filter_pass(struct filter *, const char *, size_t, const char *,
	    size_t);
int	 filter_excluded(struct filter *, const char *, size_t, const char *,
	    size_t);

#endif
