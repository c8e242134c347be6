/*
 * gitignore.c: --gitignore, what git would ignore below each root of -r.
 *
 * The patterns are those of every .gitignore in the tree, each relative
 * to its own directory, kept with its watch (watch.c, watch_rules()) so
 * that they go where it goes, and read again when it changes (tree.c);
 * of the .gitignore files between the top of the work tree and the root,
 * read once; of the repository's .git/info/exclude and of the user's
 * core.excludesFile (as git config gives it, else git's default
 * $XDG_CONFIG_HOME/git/ignore), read once.  As in git, the innermost
 * .gitignore with a matching pattern decides, then info/exclude, then
 * core.excludesFile; a .gitignore that is a symbolic link is not read.
 *
 * A path is judged relative to the top of its work tree: the root's
 * prefix, then its path below the root.  A directory is judged by the
 * patterns above it, before its own .gitignore is read, and one that is
 * ignored is not watched (walk.c), so nothing below it is judged: in git,
 * nothing below an ignored directory can be re-included.  A directory
 * named .git is never watched, and nothing named .git is printed.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "gitignore.h"
#include "watch.h"

extern char	**environ;

static char	*joinf(const char *, ...)
		    __attribute__((__format__(__printf__, 1, 2)));

/* A string made by printf(3), or the end. */
static char *
joinf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		err(1, NULL);
	va_end(ap);
	return s;
}

void
gitignore_open(struct gitignore *g)
{
	memset(g, 0, sizeof(*g));
	g->gen = 1;
}

/*
 * The contents of regular file name in dirfd (a symbolic link not
 * followed unless follow), NUL-terminated, in *len bytes; NULL if there
 * is none.
 */
static char *
slurp(int dirfd, const char *name, int follow, size_t *len)
{
	struct stat	 st;
	char		*buf = NULL;
	size_t		 size = 0, n = 0;
	ssize_t		 got;
	int		 fd;

	fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
	if (fd == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	for (;;) {
		ARRAY_ROOM(buf, size, n + 4096);
		if ((got = read(fd, buf + n, size - n - 1)) <= 0)
			break;
		n += got;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Add the patterns of file name in dirfd to l. */
static void
read_list(struct ignore *l, int dirfd, const char *name, int follow)
{
	char	*buf;
	size_t	 len;

	if ((buf = slurp(dirfd, name, follow, &len)) != NULL)
		ignore_parse(l, buf, len);
	free(buf);
}

/* What git config says core.excludesFile is, or NULL. */
static char *
git_config_excludes(const char *top)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 attr;
	sigset_t			 none, dfl;
	/* posix_spawnp() takes char *const[]; it writes nothing there. */
	char	*argv[] = { (char *)"git", (char *)"-C", (char *)top,
		    (char *)"config", (char *)"--path", (char *)"--get",
		    (char *)"core.excludesFile", NULL };
	char	 buf[PATH_MAX + 1];
	size_t	 n = 0;
	ssize_t	 got;
	pid_t	 pid;
	int	 p[2], status, ok;

	if (pipe2(p, O_CLOEXEC) == -1)
		return NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	/*
	 * Not the signals watchx holds or ignores (loop.c,
	 * loop_hold_signals()): git's own defaults.
	 */
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGIO);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	ok = posix_spawnp(&pid, "git", &fa, &attr, argv, environ) == 0;
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	while (ok && n < sizeof(buf) - 1 &&
	    ((got = read(p[0], buf + n, sizeof(buf) - 1 - n)) > 0 ||
	    (got == -1 && errno == EINTR)))
		if (got > 0)
			n += got;
	close(p[0]);
	if (!ok || waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return NULL;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	return n > 0 ? strndup(buf, n) : NULL;
}

/* Read the user's core.excludesFile, for the work tree at top. */
static void
read_user(struct ignore *l, const char *top)
{
	const char	*home;
	char		*path, *rel;

	if ((path = git_config_excludes(top)) == NULL) {
		/* git's default, when it is not set. */
		if ((home = getenv("XDG_CONFIG_HOME")) != NULL && *home != '\0')
			path = joinf("%s/git/ignore", home);
		else if ((home = getenv("HOME")) != NULL)
			path = joinf("%s/.config/git/ignore", home);
	}
	if (path != NULL && path[0] != '/') {
		/* As git, which runs at the top of the work tree. */
		rel = path;
		path = joinf("%s/%s", top, rel);
		free(rel);
	}
	if (path != NULL)
		read_list(l, AT_FDCWD, path, 1);
	free(path);
}

/*
 * Read .git/info/exclude of the work tree at top.  .git is a directory,
 * or a file naming one ("gitdir: path", a linked work tree or a
 * submodule), whose commondir file may name the shared one.
 */
static void
read_info(struct ignore *l, const char *top)
{
	char	*gitdir, *common, *file, *s;
	size_t	 len;

	gitdir = joinf("%s/.git", top);
	if ((s = slurp(AT_FDCWD, gitdir, 0, &len)) != NULL) {
		free(gitdir);
		len = strcspn(s, "\r\n");
		s[len] = '\0';
		if (strncmp(s, "gitdir: ", 8) != 0) {
			free(s);
			return;
		}
		if (s[8] == '/')
			gitdir = joinf("%s", s + 8);
		else
			gitdir = joinf("%s/%s", top, s + 8);
		free(s);
	}
	file = joinf("%s/commondir", gitdir);
	if ((common = slurp(AT_FDCWD, file, 1, &len)) != NULL) {
		common[strcspn(common, "\r\n")] = '\0';
		free(file);
		if (common[0] == '/')
			file = joinf("%s/info/exclude", common);
		else
			file = joinf("%s/%s/info/exclude", gitdir, common);
		free(common);
	} else {
		free(file);
		file = joinf("%s/info/exclude", gitdir);
	}
	read_list(l, AT_FDCWD, file, 1);
	free(file);
	free(gitdir);
}

/*
 * The top of the work tree abs (an absolute path) is in: the nearest
 * directory at or above it that holds .git, or abs itself if none does
 * (its .gitignore files are honoured all the same).
 */
static struct repo *
find_repo(struct gitignore *g, const char *abs)
{
	struct repo	*r;
	struct stat	 st;
	char		*top, *git;
	size_t		 i, len = strlen(abs);
	int		 found = 0;

	if ((top = strdup(abs)) == NULL)
		err(1, NULL);
	for (;;) {
		git = joinf("%s/.git", len > 1 ? top : "");
		found = lstat(git, &st) == 0;
		free(git);
		if (found || len <= 1)
			break;
		while (len > 1 && top[len - 1] != '/')
			len--;
		if (len > 1)
			len--;
		top[len] = '\0';
	}
	if (!found) {
		free(top);
		top = joinf("%s", abs);
	}
	for (i = 0; i < g->nrepos; i++)
		if (strcmp(g->repos[i]->top, top) == 0) {
			free(top);
			return g->repos[i];
		}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		err(1, NULL);
	r->top = top;
	if (found)
		read_info(&r->info, top);
	read_user(&r->user, top);
	*ARRAY_PUSH(g->repos, g->nrepos) = r;
	return r;
}

/*
 * Root w, the directory open as fd: find its work tree, and read the
 * .gitignore files between the top of it and w.  Its absolute path is
 * the one the kernel gives for fd, not one built from the working
 * directory (source.c moves that).  Returns -1 if it has none (errno
 * set).
 */
int
gitignore_root(struct gitignore *g, const struct watch *w, int fd)
{
	struct groot	*gr;
	struct above	*a;
	char		*abs, *file, proc[64];
	size_t		 toplen, i;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if ((abs = realpath(proc, NULL)) == NULL)
		return -1;
	gr = ARRAY_PUSH(g->roots, g->nroots);
	memset(gr, 0, sizeof(*gr));
	gr->w = w;
	gr->repo = find_repo(g, abs);
	toplen = strlen(gr->repo->top);
	if (strcmp(abs, gr->repo->top) == 0)
		gr->prefix = joinf("%s", "");
	else
		gr->prefix = joinf("%s/", abs + toplen + (toplen > 1));
	if (gr->prefix == NULL)
		err(1, NULL);
	gr->prefixlen = strlen(gr->prefix);
	/* From the root's parent up to the top: innermost first. */
	for (i = gr->prefixlen; i-- > 0;) {
		if (i > 0 && gr->prefix[i - 1] != '/')
			continue;
		a = ARRAY_PUSH(gr->above, gr->nabove);
		memset(a, 0, sizeof(*a));
		a->base = i;
		file = joinf("%s/%.*s%s", gr->repo->top, (int)i, gr->prefix,
		    GITIGNORE_FILE);
		read_list(&a->l, AT_FDCWD, file, 0);
		free(file);
	}
	free(abs);
	return 0;
}

/*
 * Read the .gitignore of directory w, open as dirfd, again: at a listing,
 * and when it changed.
 */
void
gitignore_read(struct gitignore *g, struct watch *w, int dirfd)
{
	struct ignore	*l = NULL;
	char		*buf;
	size_t		 len;

	gitignore_changed(g);
	if ((buf = slurp(dirfd, GITIGNORE_FILE, 0, &len)) != NULL) {
		if ((l = calloc(1, sizeof(*l))) == NULL)
			err(1, NULL);
		ignore_parse(l, buf, len);
		free(buf);
		if (l->n == 0) {
			free(l);
			l = NULL;
		}
	}
	/* The ones it had go; they go with it too, when it is forgotten. */
	watch_rules_set(w, l);
}

static struct groot *
find_root(struct gitignore *g, const struct watch *root)
{
	size_t	 i;

	for (i = 0; i < g->nroots; i++)
		if (g->roots[i].w == root)
			return &g->roots[i];
	return NULL;
}

static int	judge(struct gitignore *, const struct watch *, const char *,
		    size_t, const char *, size_t, int);

/*
 * The patterns may have changed, or which directory holds which: the last
 * verdict is not to be trusted.
 */
void
gitignore_changed(struct gitignore *g)
{
	g->gen++;
}

/* Whether the last verdict was on this same question. */
static int
same_question(const struct gitignore *g, const struct watch *dir,
    const char *rel, size_t rellen, const char *name, size_t namelen,
    int isdir)
{
	return g->lastgen == g->gen && g->lastdir == dir &&
	    g->lastisdir == isdir && g->lastrellen == rellen &&
	    g->lastlen == rellen + namelen &&
	    memcmp(g->last, rel, rellen) == 0 &&
	    memcmp(g->last + rellen, name, namelen) == 0;
}

/*
 * Whether git ignores name, in the directory of watch dir, whose path
 * below its root is rel (rellen bytes, "" for the root); isdir: name is a
 * directory.  An empty name stands for the directory dir itself.  A root
 * is never ignored.  Events come in runs on one name: the last verdict is
 * kept, until gitignore_changed().
 */
int
gitignore_ignored(struct gitignore *g, const struct watch *dir,
    const char *rel, size_t rellen, const char *name, size_t namelen,
    int isdir)
{
	if (same_question(g, dir, rel, rellen, name, namelen, isdir))
		return g->lastverdict;
	ARRAY_ROOM(g->last, g->lastsize, rellen + namelen + 1);
	memcpy(g->last, rel, rellen);
	memcpy(g->last + rellen, name, namelen);
	g->lastgen = g->gen;
	g->lastdir = dir;
	g->lastisdir = isdir;
	g->lastrellen = rellen;
	g->lastlen = rellen + namelen;
	return g->lastverdict = judge(g, dir, rel, rellen, name, namelen,
	    isdir);
}

/* gitignore_ignored(), asked anew. */
static int
judge(struct gitignore *g, const struct watch *dir, const char *rel,
    size_t rellen, const char *name, size_t namelen, int isdir)
{
	const struct watch	*x;
	const struct ignore	*l;
	struct groot		*gr;
	enum ignore_verdict	 v = IGNORE_NONE;
	size_t			 len, start, i;

	if (namelen == 0) {
		/* The directory itself, in its parent. */
		if (dir == NULL || dir->parent == NULL)
			return 0;
		for (i = rellen; i > 0 && rel[i - 1] != '/'; i--)
			;
		name = rel + i;
		namelen = rellen - i;
		rellen = i > 0 ? i - 1 : 0;
		dir = dir->parent;
		isdir = 1;
	}
	if (namelen == 4 && memcmp(name, ".git", 4) == 0)
		return 1;
	if (dir == NULL || (gr = find_root(g, watch_root(dir))) == NULL)
		return 0;

	/* The path relative to the top: the prefix, rel, name. */
	len = gr->prefixlen + rellen + 1 + namelen;
	ARRAY_ROOM(g->buf, g->size, len + 1);
	memcpy(g->buf, gr->prefix, gr->prefixlen);
	memcpy(g->buf + gr->prefixlen, rel, rellen);
	start = gr->prefixlen + rellen;
	if (rellen > 0)
		g->buf[start++] = '/';
	memcpy(g->buf + start, name, namelen);
	len = start + namelen;
	g->buf[len] = '\0';

	/* The .gitignore of each directory, from dir up to the root. */
	for (x = dir;; x = x->parent) {
		if ((l = watch_rules(x)) != NULL &&
		    (v = ignore_match(l, g->buf + start, len - start, isdir)) !=
		    IGNORE_NONE)
			break;
		if (x->parent == NULL)
			break;
		/* x's name ends just before start; out of step, stop. */
		if (start < gr->prefixlen + x->namelen + 1 ||
		    memcmp(g->buf + start - 1 - x->namelen, watch_name(x),
		    x->namelen) != 0)
			break;
		start -= x->namelen + 1;
	}
	for (i = 0; i < gr->nabove && v == IGNORE_NONE; i++)
		v = ignore_match(&gr->above[i].l, g->buf + gr->above[i].base,
		    len - gr->above[i].base, isdir);
	if (v == IGNORE_NONE)
		v = ignore_match(&gr->repo->info, g->buf, len, isdir);
	if (v == IGNORE_NONE)
		v = ignore_match(&gr->repo->user, g->buf, len, isdir);
	return v == IGNORE_MATCH;
}
