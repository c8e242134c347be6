/*
 * windex.c: the watch set's hash tables (watch.c: watches by wd, and
 * sub-directories by parent and name).  They hold watch indices (never
 * 0), with open addressing and linear probing, at most 4/5 full, so a
 * lookup is O(1) and a table is sized by the watches that live, not by
 * the largest wd (the kernel hands wds out in increasing order and does
 * not reuse them until they wrap).  A table asks its owner where an index
 * hashes to (its home function); the owner looks up by its own key.
 */
#include <err.h>
#include <stdlib.h>

#include "watch.h"
#include "windex.h"

/* Enter index x, known not to be in t, at hash h. */
void
windex_put(struct windex *t, uint32_t h, uint32_t x)
{
	size_t	 i, mask = t->size - 1;

	for (i = h & mask; t->slot[i] != 0; i = (i + 1) & mask)
		;
	t->slot[i] = x;
}

/* Make room in t for n indices. */
void
windex_room(struct windex *t, size_t n, windex_home home, const void *ctx)
{
	struct windex	 old = *t;
	size_t		 i;

	if (5 * n <= 4 * t->size)
		return;
	t->size = old.size == 0 ? 64 : old.size * 2;
	if ((t->slot = calloc(t->size, sizeof(*t->slot))) == NULL)
		err(1, NULL);
	for (i = 0; i < old.size; i++)
		if (old.slot[i] != 0)
			windex_put(t, home(ctx, old.slot[i]), old.slot[i]);
	free(old.slot);
}

/* Take index x (hash h) out of t, moving up its probe run: no tombstones. */
void
windex_remove(struct windex *t, uint32_t h, uint32_t x, windex_home home,
    const void *ctx)
{
	size_t	 i, j, k, mask = t->size - 1;

	if (t->size == 0)
		return;
	for (i = h & mask; t->slot[i] != x; i = (i + 1) & mask)
		if (t->slot[i] == 0)
			return;
	t->slot[i] = 0;
	for (j = (i + 1) & mask; t->slot[j] != 0; j = (j + 1) & mask) {
		k = home(ctx, t->slot[j]) & mask;
		/* Stays if its home is cyclically in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->slot[i] = t->slot[j];
		t->slot[j] = 0;
		i = j;
	}
}
