/*
 * watch.c: the watch set, a data structure.  Finds the watch of an event
 * by its descriptor in O(1), and keeps each watched sub-directory as a
 * parent pointer and a name, so that a path is built when an event is
 * printed and a rename rewrites one watch only.  It never walks, reads
 * events or prints: it adds and removes the kernel's watches (source.c)
 * as its entries come and go.
 */
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/tree.h>

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
#include "source.h"
#include "watch.h"

static int	name_cmp(const struct watch *, const struct watch *);
static int	entry_cmp(const struct entry *, const struct entry *);
RB_PROTOTYPE_STATIC(name_tree, watch, by_name, name_cmp)
RB_PROTOTYPE_STATIC(entry_tree, entry, link, entry_cmp)
RB_GENERATE_STATIC(name_tree, watch, by_name, name_cmp)
RB_GENERATE_STATIC(entry_tree, entry, link, entry_cmp)

/*
 * The watches by wd: a table of pointers with open addressing and linear
 * probing, at most half full, so a lookup is O(1) and the table is sized
 * by the watches that live, not by the largest wd (the kernel hands wds
 * out in increasing order and does not reuse them until they wrap).
 */
static size_t
wd_slot(const struct watchset *ws, int wd)
{
	/* Fibonacci hashing: consecutive wds spread over the table. */
	return ((uint32_t)wd * 2654435769u) & (ws->bywdsize - 1);
}

static struct watch *
wd_find(const struct watchset *ws, int wd)
{
	struct watch	*w;
	size_t		 i;

	if (ws->bywdsize == 0)
		return NULL;
	for (i = wd_slot(ws, wd); (w = ws->bywd[i]) != NULL;
	    i = (i + 1) & (ws->bywdsize - 1))
		if (w->wd == wd)
			return w;
	return NULL;
}

static void
wd_put(struct watchset *ws, struct watch *w)
{
	size_t	 i;

	for (i = wd_slot(ws, w->wd); ws->bywd[i] != NULL;
	    i = (i + 1) & (ws->bywdsize - 1))
		;
	ws->bywd[i] = w;
}

/* Enter w, unless its wd has a watch already (the first one stays). */
static void
wd_insert(struct watchset *ws, struct watch *w)
{
	struct watch	**old = ws->bywd;
	size_t		 i, n = ws->bywdsize;

	if (wd_find(ws, w->wd) != NULL)
		return;
	if (2 * (ws->count + 1) > ws->bywdsize) {
		ws->bywdsize = n == 0 ? 64 : n * 2;
		if ((ws->bywd = calloc(ws->bywdsize, sizeof(*ws->bywd))) ==
		    NULL)
			err(1, NULL);
		for (i = 0; i < n; i++)
			if (old[i] != NULL)
				wd_put(ws, old[i]);
		free(old);
	}
	wd_put(ws, w);
}

/* Take w out, moving up the entries of its probe run (no tombstones). */
static void
wd_remove(struct watchset *ws, const struct watch *w)
{
	size_t	 i, j, k, mask = ws->bywdsize - 1;

	if (ws->bywdsize == 0)
		return;
	for (i = wd_slot(ws, w->wd); ws->bywd[i] != w; i = (i + 1) & mask)
		if (ws->bywd[i] == NULL)
			return;
	ws->bywd[i] = NULL;
	for (j = (i + 1) & mask; ws->bywd[j] != NULL; j = (j + 1) & mask) {
		k = wd_slot(ws, ws->bywd[j]->wd);
		/* Stays if its home is cyclically in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		ws->bywd[i] = ws->bywd[j];
		ws->bywd[j] = NULL;
		i = j;
	}
}

/* Children sort by parent first, so one parent's children are adjacent. */
static int
name_cmp(const struct watch *a, const struct watch *b)
{
	size_t	 n;
	int	 r;

	if (a->parent != b->parent)
		return a->parent < b->parent ? -1 : 1;
	n = a->namelen < b->namelen ? a->namelen : b->namelen;
	if ((r = memcmp(a->name, b->name, n)) != 0)
		return r;
	return a->namelen < b->namelen ? -1 : a->namelen > b->namelen;
}

static int
entry_cmp(const struct entry *a, const struct entry *b)
{
	size_t	 n = a->len < b->len ? a->len : b->len;
	int	 r;

	if ((r = memcmp(a->name, b->name, n)) != 0)
		return r;
	return a->len < b->len ? -1 : a->len > b->len;
}

/*
 * A watch set on src.  mask is what the user's events need; under -r
 * every directory also gets the bits watchx needs to follow the tree.
 */
void
watchset_open(struct watchset *ws, struct source *src, uint32_t mask,
    int recursive, int nofollow)
{
	memset(ws, 0, sizeof(*ws));
	RB_INIT(&ws->names);
	ws->src = src;
	ws->mask = mask;
	ws->dirmask = mask | WATCH_BOOKKEEPING | WATCH_DIRFLAGS;
	/* To tell a new write from a listed file's late IN_CLOSE_WRITE. */
	if (mask & IN_CLOSE_WRITE)
		ws->dirmask |= IN_MODIFY;
	ws->recursive = recursive;
	ws->nofollow = nofollow;
}

/*
 * Free every watch and the watch set's own arrays, and close it: for the
 * fuzz harness (tests/fuzz/stream.c), which makes many watch sets.  The
 * source is its owner's to close.
 */
void
watchset_close(struct watchset *ws)
{
	struct watch	*w;
	size_t		 i;

	for (i = 0; i < ws->bywdsize; i++) {
		if ((w = ws->bywd[i]) == NULL)
			continue;
		watch_entries_clear(w);
		free(w->name);
		free(w);
	}
	free(ws->bywd);
	for (i = 0; i < ws->nrootids; i++)
		free(ws->rootids[i].path);
	free(ws->rootids);
	free(ws->pathbuf);
	memset(ws, 0, sizeof(*ws));
}

/*
 * Say why parent's entry name (or a root, parent NULL) cannot be watched;
 * errno is left as error.
 */
void
watch_warn(struct watchset *ws, const struct watch *parent, const char *name,
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

static void
add_rootid(struct watchset *ws, int wd, const char *path,
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
find_root(const struct watchset *ws, struct rootid *r)
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
 * directory that held it (find_root()).  Otherwise -1 with errno ESTALE,
 * and the first time a warning: the root was moved away or replaced, so
 * what is created below it from now on cannot be reached.
 */
int
watch_open_root(struct watchset *ws, const struct watch *w)
{
	struct stat	 st;
	struct rootid	*r = NULL;
	size_t		 i;
	int		 fd;

	for (i = 0; i < ws->nrootids; i++)
		if (ws->rootids[i].wd == w->wd)
			r = &ws->rootids[i];
	fd = openat(ws->src->cwd, r != NULL ? r->path : w->name, O_PATH |
	    O_DIRECTORY | O_CLOEXEC | (ws->nofollow ? O_NOFOLLOW : 0));
	if (r == NULL)
		return fd;
	if (fd != -1 && fstat(fd, &st) == 0 && st.st_dev == r->dev &&
	    st.st_ino == r->ino)
		return fd;
	if (fd != -1)
		close(fd);
	if (!w->gone && (fd = find_root(ws, r)) != -1)
		return fd;
	errno = ESTALE;
	return -1;
}

/*
 * Watch a path given by the user.  A directory under -r is left to be
 * walked (walk_root()): its watch in *root, and in *pin an O_PATH
 * descriptor of it, else -1.  The same object given twice keeps its first
 * path.  Returns 0, or -1 after saying why the path cannot be watched.
 */
int
watchset_add_root(struct watchset *ws, const char *path, struct watch **root,
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
			watch_warn(ws, NULL, path, strlen(path), errno);
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
		wd = source_watch_fd(ws->src, fd, (mask & ~IN_DONT_FOLLOW) |
		    IN_MASK_CREATE);
	else
		wd = source_watch_path(ws->src, path, mask | IN_MASK_CREATE);
	if (dir)
		source_watch_done(ws->src);
	if (wd == -1) {
		if (dir)
			close(fd);
		if (errno == EEXIST)
			return 0;
		watch_warn(ws, NULL, path, strlen(path), errno);
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
	add_rootid(ws, wd, path, &st);
	*pin = fd;
	return 0;
}

/* Events come in runs on one watch: the last one found is tried first. */
struct watch *
watchset_find(struct watchset *ws, int wd)
{
	if (ws->last != NULL && ws->last->wd == wd)
		return ws->last;
	return ws->last = wd_find(ws, wd);
}

/* The watched sub-directory name of parent, if there is one. */
struct watch *
watch_child(struct watchset *ws, const struct watch *parent, const char *name,
    size_t namelen)
{
	struct watch	 find;

	find.parent = (struct watch *)parent;
	find.name = (char *)name;
	find.namelen = namelen;
	return RB_FIND(name_tree, &ws->names, &find);
}

/* Enter w under parent as name, displacing a stale child of that name. */
static void
link_child(struct watchset *ws, struct watch *w, struct watch *parent,
    const char *name, size_t namelen)
{
	struct watch	*old;

	if ((w->name = malloc(namelen + 1)) == NULL)
		err(1, NULL);
	memcpy(w->name, name, namelen);
	w->name[namelen] = '\0';
	w->namelen = namelen;
	w->parent = parent;
	if (parent == NULL)
		return;
	if ((old = RB_INSERT(name_tree, &ws->names, w)) != NULL) {
		/*
		 * Replaced on disk (renamed over, or gone and its events not
		 * read yet).  Whoever still holds it open keeps it alive, but
		 * it is no longer in the tree: nothing of it is printed, and
		 * no pointer to it is kept that could outlive its parent.
		 */
		watch_forget(ws, old, 1);
		RB_INSERT(name_tree, &ws->names, w);
	}
	w->linked = 1;
}

static void
unlink_child(struct watchset *ws, struct watch *w)
{
	if (w->linked)
		RB_REMOVE(name_tree, &ws->names, w);
	w->linked = 0;
}

struct watch *
watch_new(struct watchset *ws, struct watch *parent, int wd, const char *name,
    size_t namelen)
{
	struct watch	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		err(1, NULL);
	RB_INIT(&w->entries);
	w->wd = wd;
	link_child(ws, w, parent, name, namelen);
	wd_insert(ws, w);
	ws->count++;
	if (parent == NULL) {
		w->root = 1;
		ws->nroots++;
	}
	return w;
}

/*
 * Take a directory that moved away (the IN_MOVED_FROM of cookie) out of
 * its parent's reach: until it arrives somewhere, nothing above it may
 * lead to it or be needed by it, and it is moving (watch_moving()).
 */
void
watch_detach(struct watchset *ws, struct watch *w, uint32_t cookie)
{
	unlink_child(ws, w);
	w->parent = NULL;
	if (w->cookie == 0)
		ws->nmoving++;
	w->cookie = cookie;
}

/* A directory that moved away has arrived (or is found): not moving. */
void
watch_arrived(struct watchset *ws, struct watch *w)
{
	if (w->cookie != 0)
		ws->nmoving--;
	w->cookie = 0;
}

/* A directory renamed inside the tree: its descendants follow for free. */
void
watch_rename(struct watchset *ws, struct watch *w, struct watch *parent,
    const char *name, size_t namelen)
{
	unlink_child(ws, w);
	free(w->name);
	link_child(ws, w, parent, name, namelen);
}

/* The first child of w in the name tree, if any. */
static struct watch *
first_child(struct watchset *ws, struct watch *w)
{
	struct watch	 find, *c;

	find.parent = w;
	find.name = (char *)"";
	find.namelen = 0;
	c = RB_NFIND(name_tree, &ws->names, &find);
	return c != NULL && c->parent == w ? c : NULL;
}

/*
 * Forget w and everything below it, without recursion.  The watches
 * below, and w itself when rm is set, are removed from the kernel too;
 * their IN_IGNORED then finds nothing and is passed over.
 */
void
watch_forget(struct watchset *ws, struct watch *w, int rm)
{
	struct watch	*cur = w, *up, *c;

	for (;;) {
		if ((c = first_child(ws, cur)) != NULL) {
			cur = c;
			continue;
		}
		up = cur->parent;
		if (cur != w || rm)
			source_unwatch(ws->src, cur->wd);
		if (cur->root)
			ws->nroots--;
		if (cur->cookie != 0)
			ws->nmoving--;
		wd_remove(ws, cur);
		if (ws->last == cur)
			ws->last = NULL;
		unlink_child(ws, cur);
		watch_entries_clear(cur);
		free(cur->name);
		free(cur);
		ws->count--;
		if (cur == w)
			return;
		cur = up;
	}
}

/*
 * Root w is not where it was given nor in the directory that held it
 * (watch_open_root()): it has left the path it was given, and new
 * directories below it could no longer be reached.  Its tree is
 * forgotten and its own watch removed, so that its IN_IGNORED (printed)
 * ends it, as when it is deleted; nothing else of it is printed.
 */
void
watch_end_root(struct watchset *ws, struct watch *w)
{
	struct watch	*c;

	if (w->gone)
		return;
	warnx("'%s' has left its path (moved to another directory, or a "
	    "directory above it renamed): it is no longer watched", w->name);
	while ((c = first_child(ws, w)) != NULL)
		watch_forget(ws, c, 1);
	w->gone = 1;
	source_unwatch(ws->src, w->wd);
}

/*
 * A walk has listed w again (ws->gen): the watched sub-directories it did
 * not find there have gone (moved away or deleted while their events were
 * held, or not read yet), so their watches are removed.
 */
void
watch_sweep(struct watchset *ws, struct watch *w)
{
	struct watch	*c, *next;

	for (c = first_child(ws, w); c != NULL; c = next) {
		next = RB_NEXT(name_tree, &ws->names, c);
		if (next != NULL && next->parent != w)
			next = NULL;
		if (c->gen != ws->gen)
			watch_forget(ws, c, 1);
	}
}

/* Entry name of directory w, if watchx knows of it. */
struct entry *
watch_entry(struct watch *w, const char *name, size_t len)
{
	union {
		struct entry	 e;
		char		 buf[sizeof(struct entry) + NAME_MAX + 1];
	}		 key;

	if (len > NAME_MAX)
		return NULL;
	key.e.len = len;
	memcpy(key.e.name, name, len);
	return RB_FIND(entry_tree, &w->entries, &key.e);
}

/* Directory w has entry name (a directory if dir). */
struct entry *
watch_entry_add(struct watch *w, const char *name, size_t len, int dir)
{
	struct entry	*e;

	if ((e = watch_entry(w, name, len)) == NULL) {
		if ((e = malloc(sizeof(*e) + len)) == NULL)
			err(1, NULL);
		e->len = len;
		e->gen = 0;
		e->fresh = 0;
		memcpy(e->name, name, len);
		RB_INSERT(entry_tree, &w->entries, e);
	}
	e->dir = dir != 0;
	return e;
}

/* The entry of w after e, or its first (e NULL). */
struct entry *
watch_entry_next(struct watch *w, struct entry *e)
{
	if (e == NULL)
		return RB_MIN(entry_tree, &w->entries);
	return RB_NEXT(entry_tree, &w->entries, e);
}

void
watch_entry_del(struct watch *w, struct entry *e)
{
	RB_REMOVE(entry_tree, &w->entries, e);
	free(e);
}

void
watch_entries_clear(struct watch *w)
{
	struct entry	*e, *next;

	RB_FOREACH_SAFE(e, entry_tree, &w->entries, next)
		watch_entry_del(w, e);
}

/*
 * The path of w: a root's path as given, or its parent's path and its
 * name joined by one '/'.  Valid until the next call.
 */
const char *
watch_path(struct watchset *ws, const struct watch *w, size_t *len)
{
	const struct watch	*a;
	size_t			 total = 0;
	char			*p;

	if (w->parent == NULL) {
		*len = w->namelen;
		return w->name;
	}
	for (a = w; a != NULL; a = a->parent)
		total += a->namelen + 1;
	if (total > ws->pathsize) {
		free(ws->pathbuf);
		ws->pathsize = total * 2;
		if ((ws->pathbuf = malloc(ws->pathsize)) == NULL)
			err(1, NULL);
	}
	p = ws->pathbuf + total;
	for (a = w; a->parent != NULL; a = a->parent) {
		p -= a->namelen;
		memcpy(p, a->name, a->namelen);
		if (a->parent->parent != NULL || a->parent->namelen == 0 ||
		    a->parent->name[a->parent->namelen - 1] != '/')
			*--p = '/';
	}
	p -= a->namelen;
	memcpy(p, a->name, a->namelen);
	*len = ws->pathbuf + total - p;
	return p;
}

/* Whether w or a directory above it has moved away, not yet arrived. */
int
watch_moving(const struct watchset *ws, const struct watch *w)
{
	if (ws->nmoving == 0)
		return 0;
	for (; w != NULL; w = w->parent)
		if (w->cookie != 0)
			return 1;
	return 0;
}

/* Whether w is a or below it. */
int
watch_below(const struct watch *w, const struct watch *a)
{
	for (; w != NULL; w = w->parent)
		if (w == a)
			return 1;
	return 0;
}

/* The root w hangs from (or the top of a detached subtree). */
const struct watch *
watch_root(const struct watch *w)
{
	while (w->parent != NULL)
		w = w->parent;
	return w;
}
