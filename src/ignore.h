/*
 * ignore.h: lists of patterns in gitignore(5) syntax (ignore.c).
 */
#ifndef WATCHX_IGNORE_H
#define WATCHX_IGNORE_H

#include <stddef.h>
#include <stdint.h>

#define PAT_NEGATE	0x01	/* '!': the path is not ignored after all */
#define PAT_DIRONLY	0x02	/* a trailing '/': directories only */
#define PAT_BASENAME	0x04	/* no '/': the last component, at any depth */
#define PAT_SUFFIX	0x08	/* '*' and a literal: the end of the name */

struct pattern {
	char		*text;		/* without '!', the outer '/'s */
	uint32_t	 len;
	uint32_t	 literal;	/* how much of text has no wildcard */
	unsigned	 flags;
	unsigned char	 last;		/* text's last byte if literal, or 0 */
};

/* One file's patterns (or --include's, or --exclude's), in order. */
struct ignore {
	struct pattern	*v;
	size_t		 n;
};

enum ignore_verdict { IGNORE_NONE, IGNORE_MATCH, IGNORE_NEGATED };

int	 ignore_add(struct ignore *, const char *, size_t);
void	 ignore_parse(struct ignore *, const char *, size_t);
void	 ignore_free(struct ignore *);
const char *ignore_check(const char *);
enum ignore_verdict ignore_match(const struct ignore *, const char *, size_t,
	    int);
int	 ignore_below(const struct ignore *, const char *, size_t, int);
int	 ignore_wildmatch(const char *, size_t, const char *, size_t);

#endif
