/*
 * stats.c: --stats, and watchx under the name inotifywatch.  Each event
 * that would have been printed is counted instead, by path and by event
 * name, and one table is printed when the run ends: a row per path (per
 * watch for inotifywatch), rows by total, most first, and a column per
 * event name that occurred.  Or, under --json, one object per row.
 *
 * Rows are kept in a hash table of pointers by path, open addressing;
 * the table is sorted once, at the end.
 */
#include <sys/inotify.h>

#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "escape.h"
#include "events.h"
#include "output.h"
#include "putbuf.h"
#include "stats.h"

struct row {
	uint64_t	 total;
	uint64_t	 n[STATS_BITS];	/* by bit number */
	int		 dir;		/* a directory: "d/" (inotifywatch) */
	size_t		 len;
	char		 path[];
};

struct stats {
	struct stats_layout lay;
	struct row	**slot;		/* the hash table; NULL: empty */
	size_t		 size;		/* a power of 2, or 0 */
	size_t		 count;
	struct row	**sorted;	/* stats_rows() */
	size_t		 nsorted;
	uint32_t	 cols;		/* the columns printed */
	int		 width[STATS_BITS];
	int		 totalwidth;
	char		*key;		/* the path being looked up */
	size_t		 keysize;
};

/* The counted bits: events and notices, not IN_Q_OVERFLOW. */
#define COUNTED	(((1U << STATS_BITS) - 1) & ~IN_Q_OVERFLOW)

struct stats *
stats_new(const struct stats_layout *lay)
{
	struct stats	*st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		err(1, NULL);
	st->lay = *lay;
	return st;
}

void
stats_free(struct stats *st)
{
	size_t	 i;

	if (st == NULL)
		return;
	for (i = 0; i < st->size; i++)
		free(st->slot[i]);
	free(st->slot);
	free(st->sorted);
	free(st->key);
	free(st);
}

/* FNV-1a. */
static size_t
hash(const char *s, size_t len)
{
	uint32_t	 h = 2166136261u;
	size_t		 i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* The table's slot for path: its row, or the empty slot it would take. */
static struct row **
lookup(struct row **slot, size_t size, const char *path, size_t len)
{
	size_t	 i, mask = size - 1;

	for (i = hash(path, len) & mask; slot[i] != NULL; i = (i + 1) & mask)
		if (slot[i]->len == len && memcmp(slot[i]->path, path,
		    len) == 0)
			break;
	return &slot[i];
}

/* Room for one more row, the table at most 3/4 full. */
static void
grow(struct stats *st)
{
	struct row	**old = st->slot;
	size_t		 i, oldsize = st->size;

	if ((st->count + 1) * 4 <= st->size * 3)
		return;
	st->size = st->size == 0 ? 64 : st->size * 2;
	if ((st->slot = calloc(st->size, sizeof(*st->slot))) == NULL)
		err(1, NULL);
	for (i = 0; i < oldsize; i++)
		if (old[i] != NULL)
			*lookup(st->slot, st->size, old[i]->path,
			    old[i]->len) = old[i];
	free(old);
}

/* The row of path, made if need be. */
static struct row *
row_get(struct stats *st, const char *path, size_t len)
{
	struct row	**p, *r;

	grow(st);
	p = lookup(st->slot, st->size, path, len);
	if (*p != NULL)
		return *p;
	if ((r = calloc(1, sizeof(*r) + len + 1)) == NULL)
		err(1, NULL);
	memcpy(r->path, path, len);
	r->len = len;
	st->count++;
	return *p = r;
}

/*
 * Count ev, an event that would have been printed, under its path: the
 * watch path and the name joined by one '/' (the watch path alone for
 * inotifywatch).  An overflow names no path and is not counted: the run
 * says so by its exit status, or a rescan reports what changed.
 */
void
stats_add(struct stats *st, const struct event *ev)
{
	struct row	*r;
	uint32_t	 bits = ev->mask & COUNTED;
	size_t		 len = ev->pathlen;
	int		 bit;

	if (st->lay.bywatch)
		bits &= IN_ALL_EVENTS | IN_UNMOUNT;
	if (ev->wd == -1 || bits == 0)
		return;
	ARRAY_ROOM(st->key, st->keysize, ev->pathlen + ev->namelen + 2);
	memcpy(st->key, ev->path, ev->pathlen);
	if (!st->lay.bywatch && ev->namelen > 0) {
		if (len > 0 && st->key[len - 1] != '/')
			st->key[len++] = '/';
		memcpy(st->key + len, ev->name, ev->namelen);
		len += ev->namelen;
	}
	r = row_get(st, st->key, len);
	if (ev->namelen > 0 || (ev->mask & IN_ISDIR))
		r->dir = 1;
	for (; bits != 0; bits &= bits - 1) {
		bit = __builtin_ctz(bits);
		r->n[bit]++;
		r->total++;
	}
}

/* A row for path, even if no event comes (inotifywatch -z). */
void
stats_touch(struct stats *st, const char *path, size_t len, int dir)
{
	row_get(st, path, len)->dir |= dir;
}

/* Rows by the sort key (most first, unless ascending), then by path. */
static int
row_cmp(const void *a, const void *b, void *arg)
{
	const struct row	*x = *(struct row *const *)a;
	const struct row	*y = *(struct row *const *)b;
	const struct stats_layout *lay = arg;
	uint64_t		 u, v;
	size_t			 n;
	int			 r;

	u = lay->sort < 0 ? x->total : x->n[lay->sort];
	v = lay->sort < 0 ? y->total : y->n[lay->sort];
	if (u != v)
		return (u < v) == (lay->ascending != 0) ? -1 : 1;
	n = x->len < y->len ? x->len : y->len;
	if ((r = memcmp(x->path, y->path, n)) != 0)
		return r;
	return x->len < y->len ? -1 : x->len > y->len;
}

static int
digits(uint64_t v)
{
	int	 n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static const char *
column_name(int bit)
{
	return events_name(1U << bit);
}

/*
 * Sort the rows and work out the columns: every event name that
 * occurred, and with -z every one asked for; each as wide as its name or
 * its largest count.  Returns the number of rows.
 */
size_t
stats_rows(struct stats *st)
{
	size_t	 i, n = 0;
	int	 bit, w;

	free(st->sorted);
	if ((st->sorted = calloc(st->count + 1, sizeof(*st->sorted))) == NULL)
		err(1, NULL);
	for (i = 0; i < st->size; i++)
		if (st->slot[i] != NULL)
			st->sorted[n++] = st->slot[i];
	qsort_r(st->sorted, n, sizeof(*st->sorted), row_cmp, &st->lay);
	st->nsorted = n;
	st->cols = st->lay.zero ? st->lay.mask & COUNTED : 0;
	if (st->lay.bywatch)
		st->cols &= IN_ALL_EVENTS | IN_UNMOUNT;
	st->totalwidth = 5;
	for (bit = 0; bit < STATS_BITS; bit++)
		st->width[bit] = strlen(column_name(bit));
	for (i = 0; i < n; i++) {
		if ((w = digits(st->sorted[i]->total)) > st->totalwidth)
			st->totalwidth = w;
		for (bit = 0; bit < STATS_BITS; bit++) {
			if (st->sorted[i]->n[bit] == 0)
				continue;
			st->cols |= 1U << bit;
			if ((w = digits(st->sorted[i]->n[bit])) > st->width[bit])
				st->width[bit] = w;
		}
	}
	return n;
}

/* s, then spaces to width and two more. */
static void
put_cell(struct output *o, const char *s, int width)
{
	int	 len = strlen(s);

	put(o, s, len);
	memset(room(o, width - len + 2), ' ', width - len + 2);
	o->len += width - len + 2;
}

static void
put_number(struct output *o, uint64_t v, int width)
{
	char	 buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	put_cell(o, buf, width);
}

static void
put_path(const struct stats *st, struct output *o, const struct row *r)
{
	if (st->lay.raw)
		put(o, r->path, r->len);
	else
		o->len += escape(room(o, ESCAPE_MAX(r->len)), r->path, r->len);
	if (st->lay.bywatch && r->dir && r->len > 0 &&
	    r->path[r->len - 1] != '/')
		put_char(o, '/');
}

/* One row as a JSON object: path, total, and the counts by event name. */
static void
put_json(struct output *o, const struct row *r)
{
	char	 name[EVENTS_NAMES_MAX];
	size_t	 len;
	int	 bit, lossy = 0, first = 1;

	PUT(o, "{\"path\":\"");
	o->len += escape_json(room(o, ESCAPE_JSON_MAX(r->len)), r->path,
	    r->len, &lossy);
	put_char(o, '"');
	if (lossy) {
		PUT(o, ",\"path_base64\":\"");
		o->len += escape_base64(room(o, ESCAPE_BASE64_MAX(r->len)),
		    r->path, r->len);
		put_char(o, '"');
	}
	o->len += snprintf(room(o, 48), 48, ",\"total\":%llu,\"events\":{",
	    (unsigned long long)r->total);
	for (bit = 0; bit < STATS_BITS; bit++) {
		if (r->n[bit] == 0)
			continue;
		if (!first)
			put_char(o, ',');
		first = 0;
		len = events_format(1U << bit, name, sizeof(name), 1);
		put(o, name, len);
		o->len += snprintf(room(o, 24), 24, ":%llu",
		    (unsigned long long)r->n[bit]);
	}
	PUT(o, "}}\n");
}

/*
 * Record i of the table into o: 0 the header line (none under --json,
 * nor for inotifywatch without a row), then the rows that stats_rows()
 * sorted.
 */
void
stats_put(const struct stats *st, size_t i, struct output *o)
{
	const struct row	*r = i > 0 ? st->sorted[i - 1] : NULL;
	int			 bit;

	if (st->lay.json || (st->lay.bywatch && st->nsorted == 0)) {
		if (r != NULL)
			put_json(o, r);
		return;
	}
	if (r == NULL)
		put_cell(o, "total", st->totalwidth);
	else
		put_number(o, r->total, st->totalwidth);
	for (bit = 0; bit < STATS_BITS; bit++) {
		if (!(st->cols & (1U << bit)))
			continue;
		if (r == NULL)
			put_cell(o, column_name(bit), st->width[bit]);
		else
			put_number(o, r->n[bit], st->width[bit]);
	}
	if (r == NULL && st->lay.bywatch)
		PUT(o, "filename");
	else if (r == NULL)
		PUT(o, "path");
	else
		put_path(st, o, r);
	put_char(o, '\n');
}
