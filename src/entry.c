/*
 * entry.c: the names in a watched directory as watchx last knew them,
 * kept under --on-overflow rescan so that a rescan can report what
 * changed (walk.c): a red-black tree by name for each directory, which
 * the watch set keeps with its watch (watch.c, watch_entries()) and frees
 * with it (entry_clear()).
 */
#include <sys/tree.h>

#include <err.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "watch.h"

static int	entry_cmp(const struct entry *, const struct entry *);
RB_PROTOTYPE_STATIC(entry_tree, entry, link, entry_cmp)
RB_GENERATE_STATIC(entry_tree, entry, link, entry_cmp)

static int
entry_cmp(const struct entry *a, const struct entry *b)
{
	size_t	 n = a->len < b->len ? a->len : b->len;
	int	 r;

	if ((r = memcmp(a->name, b->name, n)) != 0)
		return r;
	return a->len < b->len ? -1 : a->len > b->len;
}

/* Entry name in t (NULL: none yet), if watchx knows of it. */
struct entry *
entry_find(struct entry_tree *t, const char *name, size_t len)
{
	union {
		struct entry	 e;
		char		 buf[sizeof(struct entry) + NAME_MAX + 1];
	}			 key;

	if (len > NAME_MAX || t == NULL)
		return NULL;
	key.e.len = len;
	memcpy(key.e.name, name, len);
	return RB_FIND(entry_tree, t, &key.e);
}

/* t has entry name (a directory if dir). */
struct entry *
entry_add(struct entry_tree *t, const char *name, size_t len, int dir)
{
	struct entry	*e;

	if ((e = entry_find(t, name, len)) == NULL) {
		if ((e = malloc(sizeof(*e) + len)) == NULL)
			err(1, NULL);
		e->len = len;
		e->gen = 0;
		e->fresh = 0;
		memcpy(e->name, name, len);
		RB_INSERT(entry_tree, t, e);
	}
	e->dir = dir != 0;
	return e;
}

/* The entry of t after e, or its first (e NULL). */
struct entry *
entry_next(struct entry_tree *t, struct entry *e)
{
	if (t == NULL)
		return NULL;
	if (e == NULL)
		return RB_MIN(entry_tree, t);
	return RB_NEXT(entry_tree, t, e);
}

void
entry_del(struct entry_tree *t, struct entry *e)
{
	RB_REMOVE(entry_tree, t, e);
	free(e);
}

void
entry_clear(struct entry_tree *t)
{
	struct entry	*e, *next;

	if (t == NULL)
		return;
	RB_FOREACH_SAFE(e, entry_tree, t, next) {
		RB_REMOVE(entry_tree, t, e);
		free(e);
	}
}
