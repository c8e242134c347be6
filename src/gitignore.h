/*
 * gitignore.h: --gitignore, what git ignores below each root (gitignore.c).
 */
#ifndef WATCHX_GITIGNORE_H
#define WATCHX_GITIGNORE_H

#include <stddef.h>
#include <stdint.h>

#include "ignore.h"

struct watch;

/* The name of the file each directory may hold its patterns in. */
#define GITIGNORE_FILE	".gitignore"

/* A work tree: its top, .git/info/exclude, and core.excludesFile. */
struct repo {
	char		*top;		/* absolute */
	struct ignore	 info;
	struct ignore	 user;
};

/* A .gitignore above a root, up to the top of its work tree. */
struct above {
	struct ignore	 l;
	size_t		 base;	/* its directory's length in the prefix */
};

/* A root of -r, and where it lies in its work tree. */
struct groot {
	const struct watch *w;
	struct repo	*repo;
	char		*prefix;	/* relative to the top: "" or "a/b/" */
	size_t		 prefixlen;
	struct above	*above;		/* innermost first */
	size_t		 nabove;
};

struct gitignore {
	struct repo	**repos;
	size_t		  nrepos;
	struct groot	 *roots;
	size_t		  nroots;
	char		 *buf;		/* the path being judged */
	size_t		  size;

	/* The last question, and its verdict while gen is lastgen. */
	uint64_t	  gen;
	uint64_t	  lastgen;
	const struct watch *lastdir;
	int		  lastisdir;
	int		  lastverdict;
	char		 *last;		/* rel, then name */
	size_t		  lastrellen;
	size_t		  lastlen;
	size_t		  lastsize;
};

void	 gitignore_open(struct gitignore *);
int	 gitignore_root(struct gitignore *, const struct watch *, int);
void	 gitignore_read(struct gitignore *, struct watch *, int);
void	 gitignore_changed(struct gitignore *);
int	 gitignore_ignored(struct gitignore *, const struct watch *,
	    const char *, size_t, const char *, size_t, int);

#endif
