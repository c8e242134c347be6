/*
 * filter.c: which events are printed, and which directories -r leaves
 * unwatched.  --include and --exclude take patterns in gitignore(5)
 * syntax (ignore.c), matched against an event's path relative to the
 * root it is under; --gitignore asks what git ignores (gitignore.c).  An
 * event is printed when git does not ignore it, it matches an include
 * (if any is given) and no exclude.  A directory below a root that git
 * ignores or an exclude matches is not watched (walk.c); as in git, a
 * pattern that matches a directory matches everything below it.
 *
 * Under the name inotifywait (iwait.c), --exclude and --include are POSIX
 * extended regular expressions matched against the whole path as its %w%f
 * prints it, and only choose what is printed; "@path" leaves the
 * directory at that path unwatched.
 */
#include <err.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "config.h"
#include "filter.h"
#include "watch.h"

static int
pruned_cmp(const struct pruned *a, const struct pruned *b)
{
	if (a->wd != b->wd)
		return a->wd < b->wd ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return memcmp(a->name, b->name, a->len);
}
RB_GENERATE_STATIC(pruned_tree, pruned, link, pruned_cmp)

/* Parse the patterns of option opt, exiting on one that is not one. */
static void
patterns(struct ignore *l, const char *opt, char **list, size_t n)
{
	const char	*why;
	char		*s;
	size_t		 i, len;

	for (i = 0; i < n; i++) {
		len = strlen(list[i]);
		/* Not a comment: a '#' is a character like another here. */
		if ((s = malloc(len + 2)) == NULL)
			err(1, NULL);
		s[0] = '\\';
		memcpy(s + 1, list[i], len + 1);
		why = ignore_check(list[i]);
		if (why == NULL && !ignore_add(l, list[i][0] == '#' ? s :
		    list[i], len + (list[i][0] == '#')))
			why = "matches nothing";
		free(s);
		if (why != NULL)
			errx(1, "%s '%s': %s", opt, list[i], why);
	}
}

/* inotifywait's regular expression, exiting on one that is not one. */
static void
compile_regex(struct filter *f, const char *re, int flags)
{
	char	 why[256];
	int	 e;

	if ((e = regcomp(&f->re, re, REG_EXTENDED | REG_NOSUB |
	    ((flags & REGEX_ICASE) ? REG_ICASE : 0))) != 0) {
		regerror(e, &f->re, why, sizeof(why));
		errx(1, "--%s%s '%s': %s",
		    (flags & REGEX_INCLUDE) ? "include" : "exclude",
		    (flags & REGEX_ICASE) ? "i" : "", re, why);
	}
	f->regex = 1;
	f->reflags = flags;
}

/*
 * The patterns of --include and --exclude, and --gitignore, in cfg;
 * returns whether any of them is given.
 */
int
filter_open(struct filter *f, const struct config *cfg)
{
	memset(f, 0, sizeof(*f));
	patterns(&f->include, "--include", cfg->include, cfg->ninclude);
	patterns(&f->exclude, "--exclude", cfg->exclude, cfg->nexclude);
	if (cfg->regex != NULL)
		compile_regex(f, cfg->regex, cfg->regex_flags);
	f->skip = cfg->skip;
	f->nskip = cfg->nskip;
	f->gitignore = cfg->gitignore;
	gitignore_open(&f->git);
	RB_INIT(&f->pruned);
	return f->include.n > 0 || f->exclude.n > 0 || f->gitignore ||
	    f->regex;
}

/*
 * Whether inotifywait's expression lets an event through: matched against
 * the path as %w%f prints it; an include lets no directory's event through,
 * as there.
 */
static int
regex_pass(struct filter *f, const char *path, size_t pathlen,
    const char *name, size_t namelen, int isdir)
{
	size_t	 len = pathlen;
	int	 match;

	if ((f->reflags & REGEX_INCLUDE) && isdir)
		return 0;
	ARRAY_ROOM(f->buf, f->size, pathlen + namelen + 2);
	memcpy(f->buf, path, pathlen);
	if ((namelen > 0 || isdir) && len > 0 && path[len - 1] != '/')
		f->buf[len++] = '/';
	memcpy(f->buf + len, name, namelen);
	f->buf[len + namelen] = '\0';
	match = regexec(&f->re, f->buf, 0, NULL, 0) == 0;
	return (f->reflags & REGEX_INCLUDE) ? match : !match;
}

/*
 * Root w of -r is the directory open as fd: under --gitignore, find its
 * work tree.  Returns -1 if it cannot be (errno set).
 */
int
filter_root(struct filter *f, const struct watch *w, int fd)
{
	if (!f->gitignore)
		return 0;
	return gitignore_root(&f->git, w, fd);
}

/* Directory w, open as dirfd, is being listed: read its .gitignore. */
void
filter_listing(struct filter *f, struct watch *w, int dirfd)
{
	if (f->gitignore)
		gitignore_read(&f->git, w, dirfd);
}

/* Whether name in a directory holds patterns (--gitignore). */
int
filter_rules(const struct filter *f, const char *name, size_t len)
{
	return f->gitignore && len == sizeof(GITIGNORE_FILE) - 1 &&
	    memcmp(name, GITIGNORE_FILE, len) == 0;
}

/*
 * rel (the directory below the root) and name joined in f->buf; an empty
 * name and rel (a root itself) is the last component of root's path, as
 * if it were at the top.  Returns the length.
 */
static size_t
join(struct filter *f, const char *root, size_t rootlen, const char *rel,
    size_t rellen, const char *name, size_t namelen)
{
	size_t	 len;

	if (rellen == 0 && namelen == 0) {
		while (rootlen > 1 && root[rootlen - 1] == '/')
			rootlen--;
		for (name = root + rootlen; name > root && name[-1] != '/';
		    name--)
			;
		namelen = root + rootlen - name;
	}
	ARRAY_ROOM(f->buf, f->size, rellen + namelen + 2);
	memcpy(f->buf, rel, rellen);
	len = rellen;
	if (rellen > 0 && namelen > 0)
		f->buf[len++] = '/';
	memcpy(f->buf + len, name, namelen);
	len += namelen;
	f->buf[len] = '\0';
	return len;
}

/*
 * Whether an event is printed: on name (namelen bytes, empty for the
 * watched object itself) in the directory whose printed path is path,
 * the first rootlen bytes of which are its root's path.  dir is the
 * watch of that directory, if there is one (for --gitignore).
 */
int
filter_pass(struct filter *f, const struct watch *dir, const char *path,
    size_t pathlen, size_t rootlen, const char *name, size_t namelen,
    int isdir)
{
	const char	*rel;
	size_t		 i, len;

	if (f->regex)
		return regex_pass(f, path, pathlen, name, namelen, isdir);
	for (i = rootlen; i < pathlen && path[i] == '/'; i++)
		;
	rel = path + i;
	if (f->gitignore && gitignore_ignored(&f->git, dir, rel, pathlen - i,
	    name, namelen, isdir))
		return 0;
	if (f->include.n == 0 && f->exclude.n == 0)
		return 1;
	len = join(f, path, rootlen, rel, pathlen - i, name, namelen);
	if (f->include.n > 0 &&
	    !ignore_below(&f->include, f->buf, len, isdir))
		return 0;
	return !ignore_below(&f->exclude, f->buf, len, isdir);
}

/* Directory name of parent is left unwatched: note it (filter_unprune()). */
static void
note(struct filter *f, const struct watch *parent, const char *name,
    size_t len)
{
	struct pruned	*p;

	if ((p = malloc(sizeof(*p) + len + 1)) == NULL)
		err(1, NULL);
	p->wd = parent->wd;
	p->len = len;
	memcpy(p->name, name, len);
	p->name[len] = '\0';
	if (RB_INSERT(pruned_tree, &f->pruned, p) != NULL)
		free(p);
}

/*
 * Whether inotifywait's "@path" names directory name of the directory
 * whose path is path: the same path, written the same way, but for a
 * trailing '/'.
 */
static int
skipped(const struct filter *f, const char *path, size_t pathlen,
    const char *name, size_t len)
{
	const char	*s;
	size_t		 i, n, dir = pathlen;

	if (dir > 0 && path[dir - 1] == '/')
		dir--;
	for (i = 0; i < f->nskip; i++) {
		s = f->skip[i];
		for (n = strlen(s); n > 1 && s[n - 1] == '/'; n--)
			;
		if (n == dir + 1 + len && memcmp(s, path, dir) == 0 &&
		    s[dir] == '/' && memcmp(s + dir + 1, name, len) == 0)
			return 1;
	}
	return 0;
}

/*
 * Whether sub-directory name of watched directory parent is left
 * unwatched (by git's patterns, an exclude, or an "@path").  It is noted,
 * to be judged again when the patterns above it may have changed
 * (tree.c).
 */
int
filter_excluded(struct filter *f, struct watchset *ws,
    const struct watch *parent, const char *name, size_t len)
{
	const char	*path, *rel;
	size_t		 pathlen, i, n = 0;

	path = watch_path(ws, parent, &pathlen);
	if (f->nskip > 0 && skipped(f, path, pathlen, name, len))
		return 1;
	for (i = watch_root(parent)->namelen; i < pathlen && path[i] == '/';
	    i++)
		;
	rel = path + i;
	if (f->exclude.n > 0)
		n = join(f, path, 0, rel, pathlen - i, name, len);
	if ((f->gitignore && gitignore_ignored(&f->git, parent, rel,
	    pathlen - i, name, len, 1)) ||
	    (f->exclude.n > 0 && ignore_below(&f->exclude, f->buf, n, 1))) {
		if (!(len == 4 && memcmp(name, ".git", 4) == 0))
			note(f, parent, name, len);
		return 1;
	}
	return 0;
}

/*
 * The patterns that judge w's subtree may have changed (and so may the
 * verdicts gitignore.c keeps): hand over, in *out, the directories noted
 * in it (w's own included), to be judged again by the caller, which frees
 * them.  Those whose parent is no longer watched are dropped.  Returns
 * how many there are.
 */
size_t
filter_unprune(struct filter *f, struct watchset *ws, const struct watch *w,
    struct pruned ***out)
{
	struct pruned	*p, *next;
	struct watch	*parent;
	size_t		 n = 0;

	gitignore_changed(&f->git);
	*out = NULL;
	for (p = RB_MIN(pruned_tree, &f->pruned); p != NULL; p = next) {
		next = RB_NEXT(pruned_tree, &f->pruned, p);
		parent = watchset_find(ws, p->wd);
		if (parent != NULL && !watch_below(parent, w))
			continue;
		RB_REMOVE(pruned_tree, &f->pruned, p);
		if (parent == NULL)
			free(p);
		else
			*ARRAY_PUSH(*out, n) = p;
	}
	return n;
}
