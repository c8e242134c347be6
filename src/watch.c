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
#include <sys/tree.h>

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
#include "entry.h"
#include "ignore.h"
#include "source.h"
#include "watch.h"
#include "windex.h"

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

/*
 * Watches are carved from slabs of SLAB_SIZE bytes, allocated at an
 * address that is a multiple of their size: a watch's slab, and so its
 * index, its entries and its .gitignore patterns, are found from its
 * address alone (watch_entries() and the like are given no watch set), and
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

/* Fibonacci hashing: consecutive wds spread over the table. */
static uint32_t
wd_hash(int wd)
{
	return (uint32_t)wd * 2654435769u;
}

/* Where the watch of index x hashes to in the table by wd. */
static uint32_t
wd_home(const void *ws, uint32_t x)
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
	windex_room(&ws->bywd, ws->count + 1, wd_home, ws);
	windex_put(&ws->bywd, wd_hash(w->wd), watch_index(w));
}

/* Take w out of the table by wd, if it is there. */
static void
wd_remove(struct watchset *ws, const struct watch *w)
{
	windex_remove(&ws->bywd, wd_hash(w->wd), watch_index(w), wd_home, ws);
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
name_home(const void *ws, uint32_t x)
{
	const struct watch	*w = watch_at(ws, x);

	return name_hash(watch_index(w->parent), watch_name(w), w->namelen);
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
			entry_clear(watch_entries(&s->slot[k], 0));
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
	    (!(ws->dirmask & WATCH_QUIET & ~mask) || watch_quiet(ws, fd) == wd))
		return wd;
	errno = EEXIST;
	return -1;
}

/*
 * Leave WATCH_QUIET out of the watch of the directory open as fd, while
 * watchx lists it: the one place a mask is replaced (watch.h), and only
 * if the user asked for those bits.  Returns its wd, or -1.
 */
int
watch_quiet(struct watchset *ws, int fd)
{
	if (ws->dirmask & WATCH_QUIET)
		return source_watch_fd(ws->src, fd, ws->dirmask & ~WATCH_QUIET);
	return source_watch_fd(ws->src, fd, ws->dirmask | IN_MASK_ADD);
}

/* Give the watch of the directory open as fd its full mask (back). */
int
watch_full(struct watchset *ws, int fd)
{
	return source_watch_fd(ws->src, fd, ws->dirmask | IN_MASK_ADD);
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
	windex_room(&ws->byname, ws->count + 1, name_home, ws);
	windex_put(&ws->byname, name_hash(watch_index(parent), name, namelen), x);
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
	windex_remove(&ws->byname, name_hash(watch_index(parent),
	    watch_name(w), w->namelen), watch_index(w), name_home, ws);
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
		entry_clear(watch_entries(cur, 0));
		watch_rules_set(cur, NULL);
		slot_put(ws, cur);
		ws->count--;
		if (cur == w)
			return;
		cur = up;
	}
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
struct entry_tree *
watch_entries(struct watch *w, int make)
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
