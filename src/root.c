/*
 * root.c: the paths given (roots).  A directory given under -r is watched
 * through the descriptor that was checked to be one (root_add()), and
 * remembered by its identity, so that the directory put in its place, if
 * it is renamed or replaced, is not taken for it, and so that it is found
 * again in the directory that held it if it was renamed there (mv w
 * w.old: root_open()).  Directories below a root are reached from it by
 * their paths (root_reach()).  A root that has left its path is ended
 * (root_end()); one the by-name stage no longer follows is dropped
 * (root_drop()).  Why a path cannot be watched is said here too
 * (root_warn()).
 */
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "escape.h"
#include "root.h"
#include "source.h"
#include "watch.h"

static void
id_add(struct watchset *ws, int wd, const char *path,
    const struct stat *st)
{
	struct rootid	*r;

	r = ARRAY_PUSH(ws->rootids, ws->nrootids);
	r->wd = wd;
	if ((r->path = strdup(path)) == NULL)
		err(1, NULL);
	r->dev = st->st_dev;
	r->ino = st->st_ino;
}

/*
 * Root r is no longer at r->path: look for it in the directory that held
 * it, where a rename most often leaves it (mv w w.old), by its inode.
 * Returns an O_PATH descriptor for it, with r->path updated, or -1.
 */
static int
find_again(const struct watchset *ws, struct rootid *r)
{
	struct dirent	*e;
	struct stat	 st;
	DIR		*d;
	char		*dir, *p, *path;
	size_t		 len = strlen(r->path);
	int		 dfd, fd = -1;

	while (len > 1 && r->path[len - 1] == '/')
		len--;
	if ((dir = strndup(r->path, len)) == NULL)
		err(1, NULL);
	if ((p = strrchr(dir, '/')) == NULL)
		strlcpy(dir, ".", len + 1);
	else
		p[p == dir] = '\0';
	if ((dfd = openat(ws->src->cwd, dir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1 ||
	    (d = fdopendir(dfd)) == NULL) {
		if (dfd != -1)
			close(dfd);
		free(dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_ino != r->ino || fstatat(dfd, e->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1 || !S_ISDIR(st.st_mode) ||
		    st.st_dev != r->dev || st.st_ino != r->ino)
			continue;
		if (asprintf(&path, "%s/%s", dir, e->d_name) == -1)
			err(1, NULL);
		free(r->path);
		r->path = path;
		fd = openat(dfd, e->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		break;
	}
	closedir(d);
	free(dir);
	return fd;
}

/*
 * An O_PATH descriptor for root directory w: by the path it was given,
 * or where it was found last, if that still leads to it; else in the
 * directory that held it (find_again()).  Otherwise -1 with errno ESTALE,
 * and the first time a warning: the root was moved away or replaced, so
 * what is created below it from now on cannot be reached.
 */
int
root_open(struct watchset *ws, const struct watch *w)
{
	struct stat	 st;
	struct rootid	*r = NULL;
	size_t		 i;
	int		 fd;

	for (i = 0; i < ws->nrootids; i++)
		if (ws->rootids[i].wd == w->wd)
			r = &ws->rootids[i];
	fd = openat(ws->src->cwd, r != NULL ? r->path : watch_name(w),
	    O_PATH | O_DIRECTORY | O_CLOEXEC | (ws->nofollow ? O_NOFOLLOW : 0));
	if (r == NULL)
		return fd;
	if (fd != -1 && fstat(fd, &st) == 0 && st.st_dev == r->dev &&
	    st.st_ino == r->ino)
		return fd;
	if (fd != -1)
		close(fd);
	if (!w->gone && (fd = find_again(ws, r)) != -1)
		return fd;
	errno = ESTALE;
	return -1;
}

/*
 * Watch a path given by the user.  A directory under -r is left to be
 * walked (walk.c, walk_add_root()): its watch in *root, and in *pin an
 * O_PATH descriptor of it, else -1.  The same object given twice keeps
 * its first path.  Returns 0, or -1 after saying why the path cannot be
 * watched.
 */
int
root_add(struct watchset *ws, const char *path, struct watch **root,
    int *pin)
{
	struct stat	 st;
	struct watch	*w;
	uint32_t	 mask = ws->mask;
	int		 fd, wd, dir = 0;

	*root = NULL;
	*pin = -1;

	if (ws->nofollow)
		mask |= IN_DONT_FOLLOW;
	if (ws->recursive) {
		fd = openat(ws->src->cwd, path, O_PATH | O_CLOEXEC |
		    (ws->nofollow ? O_NOFOLLOW : 0));
		if (fd == -1 || fstat(fd, &st) == -1) {
			root_warn(ws, NULL, path, strlen(path), errno);
			if (fd != -1)
				close(fd);
			return -1;
		}
		if ((dir = S_ISDIR(st.st_mode)))
			mask = ws->dirmask & ~WATCH_QUIET;
		else
			close(fd);
	}

	/* A directory through its descriptor: the one that was checked. */
	if (dir)
		wd = watchset_watch_fd(ws, fd, mask & ~IN_DONT_FOLLOW);
	else
		wd = source_watch_path(ws->src, path, mask | IN_MASK_CREATE);
	if (wd == -1) {
		if (dir)
			close(fd);
		if (errno == EEXIST)
			return 0;
		root_warn(ws, NULL, path, strlen(path), errno);
		return -1;
	}
	*root = w = watch_new(ws, NULL, wd, path, strlen(path));
	if (!dir)
		return 0;
	/*
	 * New directories below are reached through this path again; a
	 * directory put in its place (the root renamed or replaced) must not
	 * be taken for it.
	 */
	id_add(ws, wd, path, &st);
	*pin = fd;
	return 0;
}

/*
 * An O_PATH descriptor for watched directory w: its root by the path it
 * was given (checked to be the same directory still), then w relative to
 * it, component by component when the path is too long for one open.
 * Fails with ENOENT when w's path is out of date: the rename that made it
 * so is queued, not read yet.
 */
int
root_reach(struct watchset *ws, const struct watch *w)
{
	const struct watch	*root = watch_root(w), **chain, *a;
	const char		*path;
	char			 rel[PATH_MAX];
	size_t			 len, skip, n = 0, i;
	int			 fd, next, rootfd;

	if (!root->root) {
		errno = ENOENT;
		return -1;
	}
	if ((rootfd = root_open(ws, root)) == -1 || w == root)
		return rootfd;
	path = watch_path(ws, w, &len);
	for (skip = root->namelen; skip < len && path[skip] == '/'; skip++)
		;
	if (len - skip < sizeof(rel)) {
		/* watch_path()'s result is not NUL-terminated. */
		memcpy(rel, path + skip, len - skip);
		rel[len - skip] = '\0';
		fd = openat(rootfd, rel, O_PATH | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		close(rootfd);
		return fd;
	}
	for (a = w; a != root; a = a->parent)
		n++;
	if ((chain = reallocarray(NULL, n, sizeof(*chain))) == NULL)
		err(1, NULL);
	for (i = n, a = w; a != root; a = a->parent)
		chain[--i] = a;
	fd = rootfd;
	for (i = 0; i < n && fd != -1; i++) {
		next = openat(fd, watch_name(chain[i]), O_PATH | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
	}
	free(chain);
	return fd;
}

/*
 * Root w is not where it was given nor in the directory that held it
 * (root_open()): it has left the path it was given, and new
 * directories below it could no longer be reached.  Its tree is
 * forgotten and its own watch removed, so that its IN_IGNORED (printed)
 * ends it, as when it is deleted; nothing else of it is printed.
 */
void
root_end(struct watchset *ws, struct watch *w)
{
	struct watch	*c;

	if (w->gone)
		return;
	warnx("'%s' has left its path (moved to another directory, or a "
	    "directory above it renamed): it is no longer watched",
	    watch_name(w));
	while ((c = watch_next_child(ws, w, NULL)) != NULL)
		watch_forget(ws, c, 1);
	w->gone = 1;
	source_unwatch(ws->src, w->wd);
}

/*
 * Root w no longer stands for the path it was given (--by-name: that name
 * now names another directory, or nothing): it and everything below it
 * are forgotten, quietly (their IN_IGNORED finds no watch).
 */
void
root_drop(struct watchset *ws, struct watch *w)
{
	size_t	 i;

	for (i = 0; i < ws->nrootids; i++)
		if (ws->rootids[i].wd == w->wd) {
			free(ws->rootids[i].path);
			ws->rootids[i] = ws->rootids[--ws->nrootids];
			break;
		}
	watch_forget(ws, w, 1);
}

/*
 * Say why parent's entry name (or a root, parent NULL) cannot be watched;
 * errno is left as error.
 */
void
root_warn(struct watchset *ws, const struct watch *parent, const char *name,
    size_t namelen, int error)
{
	struct rlimit	 rl;
	const char	*dir = "";
	char		*path, *shown;
	size_t		 dirlen = 0;

	if (parent != NULL)
		dir = watch_path(ws, parent, &dirlen);
	if (asprintf(&path, "%.*s%s%.*s", (int)dirlen, dir,
	    dirlen > 0 && namelen > 0 && dir[dirlen - 1] != '/' ? "/" : "",
	    (int)namelen, name) == -1)
		err(1, NULL);
	shown = escape_dup(path);
	if (error == ENOSPC)
		warnx("cannot watch '%s': inotify watch limit reached "
		    "(%s; watchx holds %zu watches)", shown,
		    source_limit("watches"), ws->count);
	else if (error == EMFILE && getrlimit(RLIMIT_NOFILE, &rl) == 0)
		warnx("cannot watch '%s': %s (the open file limit, ulimit -n, "
		    "is %llu)", shown, strerror(error),
		    (unsigned long long)rl.rlim_cur);
	else
		warnx("cannot watch '%s': %s", shown, strerror(error));
	free(shown);
	free(path);
	/* The caller may still decide by errno (walk.c: limit_reached()). */
	errno = error;
}
