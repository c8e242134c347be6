/*
 * watch.c: the watch set, a data structure.  Finds the watch of an event
 * by its descriptor in O(1), and keeps each watched sub-directory as a
 * parent pointer and a name, so that a path is built when an event is
 * printed and a rename rewrites one watch only.  It never walks, reads
 * events or prints: it adds and removes the kernel's watches (source.c)
 * as its entries come and go.
 *
 * A watch costs about 60 bytes at 100,000 of them: 48 in its slab, names
 * of up to 7 bytes included, and two hash tables of 4-byte indices at
 * most 4/5 full (watches by wd; sub-directories by parent and name).
 */
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/tree.h>

#include <dirent.h>
#include <assert.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "escape.h"
#include "ignore.h"
#include "source.h"
#include "watch.h"

/*
 * Under AddressSanitizer a free slot is poisoned, so that a watch used
 * after it was forgotten is caught until its slot is handed out again.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WATCH_ASAN
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(WATCH_ASAN)
#define WATCH_ASAN
#endif
#ifdef WATCH_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n)	ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n)	((void)(p), (void)(n))
#define UNPOISON(p, n)	((void)(p), (void)(n))
#endif

static int	entry_cmp(const struct entry *, const struct entry *);
RB_PROTOTYPE_STATIC(entry_tree, entry, link, entry_cmp)
RB_GENERATE_STATIC(entry_tree, entry, link, entry_cmp)

/*
 * Watches are carved from slabs of SLAB_SIZE bytes, allocated at an
 * address that is a multiple of their size: a watch's slab, and so its
 * index, its entries and its .gitignore patterns, are found from its
 * address alone (watch_entry() and the like are given no watch set), and
 * no watch needs a field for them: what few directories have costs the
 * others nothing.  What a watch holds goes with it when it is forgotten.
 * A slab is never moved nor freed before the watch set is, since callers
 * hold watch pointers across calls that create watches.  Index i > 0 is
 * slot (i - 1) % SLAB_SLOTS of slab (i - 1) / SLAB_SLOTS.
 */
#define SLAB_SIZE	(256 * 1024)
struct slab {
	uint32_t		 base;		/* the index of slot[0] */
	struct entry_tree	*entries;	/* per slot, once one has any */
	struct ignore		**rules;	/* per slot, once one has any */
	struct watch		 slot[];
};
#define SLAB_SLOTS	((SLAB_SIZE - sizeof(struct slab)) / sizeof(struct watch))

/* A long name's pointer is kept in the room of a short one. */
_Static_assert(WATCH_INLINE >= sizeof(char *), "WATCH_INLINE too small");

/* The slab w was carved from. */
static struct slab *
slab_of(const struct watch *w)
{
	return (struct slab *)((uintptr_t)w & ~(uintptr_t)(SLAB_SIZE - 1));
}

/* w's index, for the tables and the links between watches. */
static uint32_t
watch_index(const struct watch *w)
{
	const struct slab	*s = slab_of(w);

	return s->base + (uint32_t)(w - s->slot);
}

/* The watch of index i, not 0. */
static struct watch *
watch_at(const struct watchset *ws, uint32_t i)
{
	i--;
	return &ws->slabs[i / SLAB_SLOTS]->slot[i % SLAB_SLOTS];
}

/*
 * A new slab, aligned to its size.  From the allocator, not mmap(2): the
 * leak checker scans the heap for the pointers a watch holds (a long
 * name).  The C library maps a block this large itself, so its pages are
 * touched only as slots are handed out (slot_get() zeroes each).
 */
static void
slab_new(struct watchset *ws)
{
	struct slab	*s;

	if ((s = aligned_alloc(SLAB_SIZE, SLAB_SIZE)) == NULL)
		err(1, NULL);
	s->base = 1 + ws->nslabs * SLAB_SLOTS;
	s->entries = NULL;
	s->rules = NULL;
	*ARRAY_PUSH(ws->slabs, ws->nslabs) = s;
	ws->slabused = 0;
}

/* A zeroed slot: one freed last, else the next of the last slab. */
static struct watch *
slot_get(struct watchset *ws)
{
	struct watch	*w;

	if (ws->freeslots != 0) {
		w = watch_at(ws, ws->freeslots);
		UNPOISON(w, sizeof(*w));
		ws->freeslots = w->next;
	} else {
		if (ws->nslabs == 0 || ws->slabused == SLAB_SLOTS)
			slab_new(ws);
		w = &ws->slabs[ws->nslabs - 1]->slot[ws->slabused++];
	}
	memset(w, 0, sizeof(*w));
	return w;
}

/* Give the name len bytes of name, in place if they fit. */
static void
name_set(struct watch *w, const char *name, size_t len)
{
	char	*p = w->inl;

	if (len > UINT32_MAX - 1)
		errx(1, "name too long");
	if (len >= WATCH_INLINE) {
		if ((p = malloc(len + 1)) == NULL)
			err(1, NULL);
		memcpy(w->inl, &p, sizeof(p));
	}
	memcpy(p, name, len);
	p[len] = '\0';
	w->namelen = len;
}

/* Free w's name if it is not in place. */
static void
name_free(struct watch *w)
{
	if (w->namelen >= WATCH_INLINE)
		free((char *)watch_name(w));
	w->namelen = 0;
}

/* w's name, NUL-terminated. */
const char *
watch_name(const struct watch *w)
{
	char	*p;

	if (w->namelen < WATCH_INLINE)
		return w->inl;
	memcpy(&p, w->inl, sizeof(p));
	return p;
}

/* Free w's slot; what it holds is freed already but its name. */
static void
slot_put(struct watchset *ws, struct watch *w)
{
	name_free(w);
	if (ws->pathof == w)
		ws->pathof = NULL;
	w->next = ws->freeslots;
	ws->freeslots = watch_index(w);
	POISON(w, sizeof(*w));
}

/*
 * The two hash tables hold watch indices, with open addressing and
 * linear probing, at most 4/5 full, so a lookup is O(1) and a table is
 * sized by the watches that live, not by the largest wd (the kernel hands
 * wds out in increasing order and does not reuse them until they wrap).
 * A table is told where an index hashes to by its home function.
 */
typedef uint32_t (*home_fn)(const struct watchset *, uint32_t);

/* Enter index x, known not to be in t. */
static void
tab_put(struct windex *t, uint32_t h, uint32_t x)
{
	size_t	 i, mask = t->size - 1;

	for (i = h & mask; t->slot[i] != 0; i = (i + 1) & mask)
		;
	t->slot[i] = x;
}

/* Make room in t for one more, as ws->count + 1 watches could need. */
static void
tab_room(const struct watchset *ws, struct windex *t, home_fn home)
{
	struct windex	 old = *t;
	size_t		 i;

	if (5 * (ws->count + 1) <= 4 * t->size)
		return;
	t->size = old.size == 0 ? 64 : old.size * 2;
	if ((t->slot = calloc(t->size, sizeof(*t->slot))) == NULL)
		err(1, NULL);
	for (i = 0; i < old.size; i++)
		if (old.slot[i] != 0)
			tab_put(t, home(ws, old.slot[i]), old.slot[i]);
	free(old.slot);
}

/* Take index x out of t, moving up its probe run (no tombstones). */
static void
tab_remove(const struct watchset *ws, struct windex *t, uint32_t h,
    uint32_t x, home_fn home)
{
	size_t	 i, j, k, mask = t->size - 1;

	if (t->size == 0)
		return;
	for (i = h & mask; t->slot[i] != x; i = (i + 1) & mask)
		if (t->slot[i] == 0)
			return;
	t->slot[i] = 0;
	for (j = (i + 1) & mask; t->slot[j] != 0; j = (j + 1) & mask) {
		k = home(ws, t->slot[j]) & mask;
		/* Stays if its home is cyclically in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->slot[i] = t->slot[j];
		t->slot[j] = 0;
		i = j;
	}
}

/* Fibonacci hashing: consecutive wds spread over the table. */
static uint32_t
wd_hash(int wd)
{
	return (uint32_t)wd * 2654435769u;
}

/* Where the watch of index x hashes to in the table by wd. */
static uint32_t
wd_home(const struct watchset *ws, uint32_t x)
{
	return wd_hash(watch_at(ws, x)->wd);
}

/* The watch of wd in the table, if any. */
static struct watch *
wd_find(const struct watchset *ws, int wd)
{
	const struct windex	*t = &ws->bywd;
	struct watch		*w;
	size_t			 i, mask = t->size - 1;

	if (t->size == 0)
		return NULL;
	for (i = wd_hash(wd) & mask; t->slot[i] != 0; i = (i + 1) & mask)
		if ((w = watch_at(ws, t->slot[i]))->wd == wd)
			return w;
	return NULL;
}

/* Enter w, unless its wd has a watch already (the first one stays). */
static void
wd_insert(struct watchset *ws, struct watch *w)
{
	if (wd_find(ws, w->wd) != NULL)
		return;
	tab_room(ws, &ws->bywd, wd_home);
	tab_put(&ws->bywd, wd_hash(w->wd), watch_index(w));
}

/* Take w out of the table by wd, if it is there. */
static void
wd_remove(struct watchset *ws, const struct watch *w)
{
	tab_remove(ws, &ws->bywd, wd_hash(w->wd), watch_index(w), wd_home);
}

/* FNV-1a of the name from the parent's index, mixed for the low bits. */
static uint32_t
name_hash(uint32_t parent, const char *name, size_t len)
{
	uint32_t	 h = 2166136261u ^ parent * 2654435769u;
	size_t		 i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	return h ^ h >> 13;
}

/* Where the watch of index x hashes to in the table by name. */
static uint32_t
name_home(const struct watchset *ws, uint32_t x)
{
	const struct watch	*w = watch_at(ws, x);

	return name_hash(watch_index(w->parent), watch_name(w), w->namelen);
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
 * (WS_RECURSIVE) every directory also gets the bits watchx needs to
 * follow the tree.  filter (or NULL) prunes directories; WS_MIRROR keeps
 * each directory's entries (--on-overflow rescan); WS_RULES reads a
 * .gitignore again when it is written (--gitignore); WS_NOFOLLOW is -P.
 */
void
watchset_open(struct watchset *ws, struct source *src, uint32_t mask,
    int flags, struct filter *filter)
{
	memset(ws, 0, sizeof(*ws));
	ws->src = src;
	ws->mask = mask;
	ws->dirmask = mask | WATCH_BOOKKEEPING | WATCH_DIRFLAGS;
	/* To tell a new write from a listed file's late IN_CLOSE_WRITE. */
	if (mask & IN_CLOSE_WRITE)
		ws->dirmask |= IN_MODIFY;
	if (flags & WS_RULES)
		ws->dirmask |= IN_CLOSE_WRITE;
	ws->recursive = (flags & WS_RECURSIVE) != 0;
	ws->nofollow = (flags & WS_NOFOLLOW) != 0;
	ws->mirror = (flags & WS_MIRROR) != 0;
	ws->filter = filter;
}

/*
 * Free every watch and the watch set's own arrays, and close it: for the
 * fuzz harness (tests/fuzz/stream.c), which makes many watch sets.  The
 * source is its owner's to close.
 */
void
watchset_close(struct watchset *ws)
{
	struct slab	*s;
	size_t		 i, k, n;

	for (i = 0; i < ws->nslabs; i++) {
		s = ws->slabs[i];
		UNPOISON(s, SLAB_SIZE);
		n = i == ws->nslabs - 1 ? ws->slabused : SLAB_SLOTS;
		/* A free slot has neither a name nor entries. */
		for (k = 0; k < n; k++) {
			watch_entries_clear(&s->slot[k]);
			watch_rules_set(&s->slot[k], NULL);
			name_free(&s->slot[k]);
		}
		free(s->entries);
		free(s->rules);
		free(s);
	}
	free(ws->slabs);
	free(ws->bywd.slot);
	free(ws->byname.slot);
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
	fd = openat(ws->src->cwd, r != NULL ? r->path : watch_name(w),
	    O_PATH | O_DIRECTORY | O_CLOEXEC | (ws->nofollow ? O_NOFOLLOW : 0));
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
		wd = watchset_watch_fd(ws, fd, mask & ~IN_DONT_FOLLOW);
	else
		wd = source_watch_path(ws->src, path, mask | IN_MASK_CREATE);
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

/*
 * Watch the directory open as fd with mask, for the watch set: its new
 * wd, or -1 with errno (EEXIST: the watch set has it already).  One that
 * only the by-name stage holds (source.h, claims) is the watch set's too
 * from now on, with mask: the kernel has one watch per directory, and the
 * watch set must not skip a directory because the other stage got to it
 * first.
 */
int
watchset_watch_fd(struct watchset *ws, int fd, uint32_t mask)
{
	int	 wd;

	wd = source_watch_fd(ws->src, fd, mask | IN_MASK_CREATE);
	if (wd != -1 || errno != EEXIST || ws->src->nclaims == 0)
		return wd;
	/* Adding nothing the watch set's own would lack. */
	wd = source_watch_fd(ws->src, fd, mask | IN_MASK_ADD);
	if (wd != -1 && source_claimed(ws->src, wd) &&
	    watchset_find(ws, wd) == NULL &&
	    source_watch_fd(ws->src, fd, mask) == wd)
		return wd;
	errno = EEXIST;
	return -1;
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
	const struct windex	*t = &ws->byname;
	struct watch		*c;
	size_t			 i, mask = t->size - 1;

	if (t->size == 0 || parent == NULL)
		return NULL;
	for (i = name_hash(watch_index(parent), name, namelen) & mask;
	    t->slot[i] != 0; i = (i + 1) & mask) {
		c = watch_at(ws, t->slot[i]);
		if (c->parent == parent && c->namelen == namelen &&
		    memcmp(watch_name(c), name, namelen) == 0)
			return c;
	}
	return NULL;
}

/* Enter w under parent as name, displacing a stale child of that name. */
static void
link_child(struct watchset *ws, struct watch *w, struct watch *parent,
    const char *name, size_t namelen)
{
	struct watch	*old;
	uint32_t	 x = watch_index(w);

	name_set(w, name, namelen);
	w->parent = parent;
	ws->pathof = NULL;
	if (parent == NULL)
		return;
	if ((old = watch_child(ws, parent, name, namelen)) != NULL)
		/*
		 * Replaced on disk (renamed over, or gone and its events not
		 * read yet).  Whoever still holds it open keeps it alive, but
		 * it is no longer in the tree: nothing of it is printed, and
		 * no pointer to it is kept that could outlive its parent.
		 */
		watch_forget(ws, old, 1);
	tab_room(ws, &ws->byname, name_home);
	tab_put(&ws->byname, name_hash(watch_index(parent), name, namelen), x);
	w->prev = 0;
	w->next = parent->child;
	if (parent->child != 0)
		watch_at(ws, parent->child)->prev = x;
	parent->child = x;
}

/* Take w out of its parent's children, and leave it without a parent. */
static void
unlink_child(struct watchset *ws, struct watch *w)
{
	struct watch	*parent = w->parent;

	if (parent == NULL)
		return;
	ws->pathof = NULL;
	tab_remove(ws, &ws->byname, name_hash(watch_index(parent),
	    watch_name(w), w->namelen), watch_index(w), name_home);
	if (w->prev != 0)
		watch_at(ws, w->prev)->next = w->next;
	else
		parent->child = w->next;
	if (w->next != 0)
		watch_at(ws, w->next)->prev = w->prev;
	w->next = w->prev = 0;
	w->parent = NULL;
}

struct watch *
watch_new(struct watchset *ws, struct watch *parent, int wd, const char *name,
    size_t namelen)
{
	struct watch	*w;

	w = slot_get(ws);
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

/* A directory renamed inside the tree: its descendants follow for free. */
void
watch_rename(struct watchset *ws, struct watch *w, struct watch *parent,
    const char *name, size_t namelen)
{
	assert(!watch_below(parent, w));
	unlink_child(ws, w);
	name_free(w);
	link_child(ws, w, parent, name, namelen);
}

/*
 * Forget w and everything below it, without recursion: always the first
 * child, which leaves its parent's list in O(1).  The watches below, and
 * w itself when rm is set, are removed from the kernel too; their
 * IN_IGNORED then finds nothing and is passed over.
 */
void
watch_forget(struct watchset *ws, struct watch *w, int rm)
{
	struct watch	*cur = w, *up;

	for (;;) {
		if (cur->child != 0) {
			cur = watch_at(ws, cur->child);
			continue;
		}
		up = cur->parent;
		if (cur != w || rm)
			source_unwatch(ws->src, cur->wd);
		if (cur->root)
			ws->nroots--;
		wd_remove(ws, cur);
		if (ws->last == cur)
			ws->last = NULL;
		unlink_child(ws, cur);
		watch_entries_clear(cur);
		watch_rules_set(cur, NULL);
		slot_put(ws, cur);
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
	if (w->gone)
		return;
	warnx("'%s' has left its path (moved to another directory, or a "
	    "directory above it renamed): it is no longer watched",
	    watch_name(w));
	while (w->child != 0)
		watch_forget(ws, watch_at(ws, w->child), 1);
	w->gone = 1;
	source_unwatch(ws->src, w->wd);
}

/*
 * Root w no longer stands for the path it was given (--by-name: that name
 * now names another directory, or nothing): it and everything below it
 * are forgotten, quietly (their IN_IGNORED finds no watch).
 */
void
watch_drop_root(struct watchset *ws, struct watch *w)
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
 * A walk (ws->gen) lists w again: its watched sub-directories count as
 * not found until the listing finds them, even those an earlier visit of
 * the same walk found (w moved on ahead of the walk, and is met again).
 */
void
watch_sweep_begin(struct watchset *ws, struct watch *w)
{
	uint32_t	 x;

	for (x = w->child; x != 0; x = watch_at(ws, x)->next)
		watch_at(ws, x)->gen = ws->gen - 1;
}

/*
 * A walk has listed w again (ws->gen): the watched sub-directories it did
 * not find there have gone (moved away or deleted, their events not read
 * yet), so their watches are removed.
 */
void
watch_sweep(struct watchset *ws, struct watch *w)
{
	struct watch	*c;
	uint32_t	 x, next;

	for (x = w->child; x != 0; x = next) {
		c = watch_at(ws, x);
		next = c->next;
		if (c->gen != ws->gen)
			watch_forget(ws, c, 1);
	}
}

/*
 * The entries of w's directory, kept by its slab; NULL if it has none
 * and make is not set.  A zeroed tree is an empty one.
 */
static struct entry_tree *
entries_of(struct watch *w, int make)
{
	struct slab	*s = slab_of(w);

	if (s->entries == NULL) {
		if (!make)
			return NULL;
		if ((s->entries = calloc(SLAB_SLOTS, sizeof(*s->entries))) ==
		    NULL)
			err(1, NULL);
	}
	return &s->entries[w - s->slot];
}

/* Entry name of directory w, if watchx knows of it. */
struct entry *
watch_entry(struct watch *w, const char *name, size_t len)
{
	union {
		struct entry	 e;
		char		 buf[sizeof(struct entry) + NAME_MAX + 1];
	}			 key;
	struct entry_tree	*t;

	if (len > NAME_MAX || (t = entries_of(w, 0)) == NULL)
		return NULL;
	key.e.len = len;
	memcpy(key.e.name, name, len);
	return RB_FIND(entry_tree, t, &key.e);
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
		RB_INSERT(entry_tree, entries_of(w, 1), e);
	}
	e->dir = dir != 0;
	return e;
}

/* The entry of w after e, or its first (e NULL). */
struct entry *
watch_entry_next(struct watch *w, struct entry *e)
{
	struct entry_tree	*t;

	if ((t = entries_of(w, 0)) == NULL)
		return NULL;
	if (e == NULL)
		return RB_MIN(entry_tree, t);
	return RB_NEXT(entry_tree, t, e);
}

void
watch_entry_del(struct watch *w, struct entry *e)
{
	RB_REMOVE(entry_tree, entries_of(w, 1), e);
	free(e);
}

void
watch_entries_clear(struct watch *w)
{
	struct entry_tree	*t;
	struct entry		*e, *next;

	if ((t = entries_of(w, 0)) == NULL)
		return;
	RB_FOREACH_SAFE(e, entry_tree, t, next) {
		RB_REMOVE(entry_tree, t, e);
		free(e);
	}
}

/* The patterns of w's .gitignore (gitignore.c), or NULL. */
struct ignore *
watch_rules(const struct watch *w)
{
	const struct slab	*s = slab_of(w);

	return s->rules != NULL ? s->rules[w - s->slot] : NULL;
}

/* Give w the patterns l (allocated, or NULL), freeing those it had. */
void
watch_rules_set(struct watch *w, struct ignore *l)
{
	struct slab	*s = slab_of(w);
	struct ignore	**p;

	if (s->rules == NULL) {
		if (l == NULL)
			return;
		if ((s->rules = calloc(SLAB_SLOTS, sizeof(*s->rules))) == NULL)
			err(1, NULL);
	}
	p = &s->rules[w - s->slot];
	if (*p != NULL) {
		ignore_free(*p);
		free(*p);
	}
	*p = l;
}

/*
 * The path of w: a root's path as given, or its parent's path and its
 * name joined by one '/'.  Valid until the next call.  Events come in
 * runs on one watch: the last path built is kept until a watch is
 * linked, unlinked or freed.
 */
const char *
watch_path(struct watchset *ws, const struct watch *w, size_t *len)
{
	const struct watch	*a;
	const char		*up;
	size_t			 total = 0;
	char			*p;

	if (w->parent == NULL) {
		*len = w->namelen;
		return watch_name(w);
	}
	if (w == ws->pathof) {
		*len = ws->pathlen;
		return ws->path;
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
		memcpy(p, watch_name(a), a->namelen);
		up = watch_name(a->parent);
		if (a->parent->parent != NULL || a->parent->namelen == 0 ||
		    up[a->parent->namelen - 1] != '/')
			*--p = '/';
	}
	p -= a->namelen;
	memcpy(p, watch_name(a), a->namelen);
	*len = ws->pathlen = ws->pathbuf + total - p;
	ws->pathof = w;
	return ws->path = p;
}

/* The sub-directory of w after c, the first if c is NULL; or NULL. */
struct watch *
watch_next_child(const struct watchset *ws, const struct watch *w,
    const struct watch *c)
{
	uint32_t	 i = c == NULL ? w->child : c->next;

	return i == 0 ? NULL : watch_at(ws, i);
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

/* The root w hangs from. */
const struct watch *
watch_root(const struct watch *w)
{
	while (w->parent != NULL)
		w = w->parent;
	return w;
}
