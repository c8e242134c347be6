/*
 * filter.h: --include, --exclude and --gitignore (filter.c).
 */
#ifndef WATCHX_FILTER_H
#define WATCHX_FILTER_H

#include <sys/tree.h>

#include <regex.h>
#include <stddef.h>

#include "gitignore.h"
#include "ignore.h"

/*
 * A directory left unwatched by the patterns, by its parent's wd
 * and its name: watched once a change of patterns lets it be.
 */
struct pruned {
	RB_ENTRY(pruned) link;
	int		 wd;
	size_t		 len;
	char		 name[];
};
RB_HEAD(pruned_tree, pruned);

struct filter {
	struct ignore	 include;
	struct ignore	 exclude;
	int		 gitignore;	/* --gitignore */
	struct gitignore git;
	struct pruned_tree pruned;
	int		 regex;		/* inotifywait's --exclude or --include */
	regex_t		 re;
	int		 reflags;	/* REGEX_* (config.h) */
	char		**skip;		/* inotifywait's @path */
	size_t		 nskip;
	char		*buf;		/* the path being matched */
	size_t		 size;
};

struct config;
struct watch;
struct watchset;

int	 filter_open(struct filter *, const struct config *);
int	 filter_root(struct filter *, const struct watch *, int);
void	 filter_listing(struct filter *, struct watch *, int);
int	 filter_rules(const struct filter *, const char *, size_t);
int	 filter_pass(struct filter *, const struct watch *, const char *,
	    size_t, size_t, const char *, size_t, int);
int	 filter_excluded(struct filter *, struct watchset *,
	    const struct watch *, const char *, size_t);
size_t	 filter_unprune(struct filter *, struct watchset *,
	    const struct watch *, struct pruned ***);

#endif
