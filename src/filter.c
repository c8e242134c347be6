/*
 * filter.c: --include and --exclude.  Each glob is matched with fnmatch(3)
 * against an event's full path and against its last component; an event
 * is printed when it matches an include (if any is given) and no exclude.
 * Under -r, excluded directories are not watched at all (see walk.c).
 */
#include <err.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "config.h"
#include "filter.h"

/*
 * The globs of --include and --exclude in cfg; returns whether there are
 * any.
 */
int
filter_open(struct filter *f, const struct config *cfg)
{
	memset(f, 0, sizeof(*f));
	f->include = cfg->include;
	f->ninclude = cfg->ninclude;
	f->exclude = cfg->exclude;
	f->nexclude = cfg->nexclude;
	return f->ninclude > 0 || f->nexclude > 0;
}

void
filter_add(char ***list, size_t *n, char *glob)
{
	*ARRAY_PUSH(*list, *n) = glob;
}

/*
 * Whether any glob of list matches dir joined with name by one '/' (dir
 * alone when name is empty), or that path's last component.
 */
static int
any(struct filter *f, char **list, size_t n, const char *dir, size_t dirlen,
    const char *name, size_t namelen)
{
	const char	*last;
	size_t		 len, i, need = dirlen + namelen + 2;
	char		*p;

	if (n == 0)
		return 0;
	if (need > f->size) {
		if ((p = realloc(f->buf, need * 2)) == NULL)
			err(1, NULL);
		f->buf = p;
		f->size = need * 2;
	}
	memcpy(f->buf, dir, dirlen);
	len = dirlen;
	if (namelen > 0) {
		if (len > 0 && f->buf[len - 1] != '/')
			f->buf[len++] = '/';
		memcpy(f->buf + len, name, namelen);
		len += namelen;
	}
	f->buf[len] = '\0';

	for (i = 0; i < n; i++)
		if (fnmatch(list[i], f->buf, 0) == 0)
			return 1;

	/* The last component; a trailing '/' of a path given is not one. */
	while (len > 1 && f->buf[len - 1] == '/')
		f->buf[--len] = '\0';
	for (last = f->buf + len; last > f->buf && last[-1] != '/'; last--)
		;
	if (last == f->buf)
		return 0;
	for (i = 0; i < n; i++)
		if (fnmatch(list[i], last, 0) == 0)
			return 1;
	return 0;
}

/* Whether an event on dir and name is printed. */
int
filter_pass(struct filter *f, const char *dir, size_t dirlen,
    const char *name, size_t namelen)
{
	if (f->ninclude > 0 && !any(f, f->include, f->ninclude, dir, dirlen,
	    name, namelen))
		return 0;
	return !any(f, f->exclude, f->nexclude, dir, dirlen, name, namelen);
}

/* Whether directory name in dir is excluded, so not watched under -r. */
int
filter_excluded(struct filter *f, const char *dir, size_t dirlen,
    const char *name, size_t namelen)
{
	return any(f, f->exclude, f->nexclude, dir, dirlen, name, namelen);
}
