/*
 * tree.c: keeping the watch set in step with the tree under -r.
 *
 * New directories are walked (walk.c).  A directory moved from a watched
 * directory is held until its IN_MOVED_TO, paired by cookie, says where it
 * went: its watch is then renamed, which renames everything below it.  If
 * no IN_MOVED_TO comes within MOVE_WAIT, it has left the tree and its
 * watches are removed.  Events inside a directory whose move is unresolved
 * are held, then replayed under the new path or dropped, so none is ever
 * printed under a stale path.
 *
 * Listing a new directory makes its parent's watch see IN_OPEN, IN_ACCESS
 * and IN_CLOSE_NOWRITE for it.  Those are expected here and dropped, but
 * only within the bytes that were queued when the listing ended: events
 * are queued in order, so watchx's own are all inside that window.
 */
#include <sys/inotify.h>

#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "watch.h"

#define MOVE_WAIT	(20 * 1000000LL)	/* ns */
#define NEVER		INT64_MAX

/* Expect the events of listing parent's new entry name in calls reads. */
void
tree_expect(struct watchset *ws, const struct watch *parent, const char *name,
    size_t len, int calls)
{
	struct noise	*n;
	uint32_t	 bits = ws->dirmask & (IN_OPEN | IN_CLOSE_NOWRITE);
	int		 accesses = ws->dirmask & IN_ACCESS ? calls : 0;

	if (bits == 0 && accesses == 0)
		return;
	n = reallocarray(ws->noise, ws->nnoise + 1, sizeof(*n));
	if (n == NULL)
		err(1, NULL);
	ws->noise = n;
	n += ws->nnoise++;
	n->wd = parent->wd;
	n->mask = bits;
	n->accesses = accesses;
	n->namelen = len;
	if ((n->name = strndup(name, len)) == NULL)
		err(1, NULL);
}

static void
noise_clear(struct watchset *ws)
{
	size_t	 i;

	for (i = 0; i < ws->nnoise; i++)
		free(ws->noise[i].name);
	ws->nnoise = 0;
}

/* Whether ie is one of the events watchx's own listing caused. */
static int
noise(struct watchset *ws, const struct inotify_event *ie)
{
	struct noise	*n;
	uint32_t	 bit = ie->mask & WATCH_QUIET;
	size_t		 i, len;

	if (ws->pos > ws->quiet_until) {
		noise_clear(ws);
		return 0;
	}
	if (bit == 0 || !(ie->mask & IN_ISDIR) || ie->len == 0)
		return 0;
	len = strnlen(ie->name, ie->len);
	for (i = 0; i < ws->nnoise; i++) {
		n = &ws->noise[i];
		if (n->wd != ie->wd || n->namelen != len ||
		    memcmp(n->name, ie->name, len) != 0)
			continue;
		if (bit == IN_ACCESS && n->accesses > 0) {
			n->accesses--;
			return 1;
		}
		if (n->mask & bit) {
			n->mask &= ~bit;
			return 1;
		}
	}
	return 0;
}

static void
hold(struct watchset *ws, const struct inotify_event *ie)
{
	size_t	 len = sizeof(*ie) + ie->len, size;
	char	*p;

	if (ws->heldlen + len > ws->heldsize) {
		size = ws->heldsize == 0 ? 4096 : ws->heldsize;
		while (size < ws->heldlen + len)
			size *= 2;
		if ((p = realloc(ws->held, size)) == NULL)
			err(1, NULL);
		ws->held = p;
		ws->heldsize = size;
	}
	memcpy(ws->held + ws->heldlen, ie, len);
	ws->heldlen += len;
}

/* Hand the held events back to the loop; some may be held again. */
static void
release(struct watchset *ws)
{
	const struct inotify_event	*ie;
	char				*buf = ws->held, *p;
	size_t				 len = ws->heldlen;

	if (len == 0)
		return;
	ws->held = NULL;
	ws->heldlen = ws->heldsize = 0;
	for (p = buf; p < buf + len; p += sizeof(*ie) + ie->len) {
		ie = (const struct inotify_event *)p;
		ws->replay(ws->arg, ie);
	}
	free(buf);
}

/*
 * Decide about an event before it is printed: PASS, DROP it as watchx's
 * own, or HOLD it while its directory's move is unresolved.
 */
enum verdict
tree_filter(struct watchset *ws, const struct watch *w,
    const struct inotify_event *ie)
{
	if (ws->nmoves > 0 && watch_in_moving(w)) {
		hold(ws, ie);
		return HOLD;
	}
	if (ws->nnoise > 0 && noise(ws, ie))
		return DROP;
	return PASS;
}

static void
move_remove(struct watchset *ws, size_t i)
{
	ws->moves[i] = ws->moves[--ws->nmoves];
}

/* A moving directory has arrived in parent as name. */
static void
arrive(struct watchset *ws, size_t i, struct watch *parent, const char *name,
    size_t len)
{
	struct watch	*w = ws->moves[i].w;

	move_remove(ws, i);
	w->cookie = 0;
	watch_rename(ws, w, parent, name, len);
	release(ws);
}

static void
moved_from(struct watchset *ws, struct watch *parent, const char *name,
    size_t len, uint32_t cookie)
{
	struct watch	*w;
	struct move	*m;

	if ((w = watch_child(ws, parent, name, len)) == NULL)
		return;
	m = reallocarray(ws->moves, ws->nmoves + 1, sizeof(*m));
	if (m == NULL)
		err(1, NULL);
	ws->moves = m;
	m += ws->nmoves++;
	m->w = w;
	m->cookie = cookie;
	m->deadline = clock_ns() + MOVE_WAIT;
	/* Out of its parent's reach, which may go before it arrives. */
	watch_detach(ws, w);
	w->cookie = cookie;
}

/* A directory appeared in parent: watch it, unless it is one coming back. */
static void
appeared(struct watchset *ws, struct watch *parent, const char *name,
    size_t len)
{
	struct watch	*w;
	size_t		 i;

	if ((w = walk_new(ws, parent, name, len)) == NULL || w->cookie == 0)
		return;
	for (i = 0; i < ws->nmoves; i++)
		if (ws->moves[i].w == w) {
			arrive(ws, i, parent, name, len);
			return;
		}
}

/* Keep the watch set in step after an event on w has been printed. */
void
tree_update(struct watchset *ws, struct watch *w,
    const struct inotify_event *ie)
{
	const char	*name = ie->name;
	size_t		 len, i;

	if (ie->mask & IN_IGNORED) {
		watch_forget(ws, w, 0);
		return;
	}
	if (!ws->recursive || !(ie->mask & IN_ISDIR) || ie->len == 0)
		return;
	len = strnlen(name, ie->len);
	if (ie->mask & IN_CREATE)
		appeared(ws, w, name, len);
	else if (ie->mask & IN_MOVED_FROM)
		moved_from(ws, w, name, len, ie->cookie);
	else if (ie->mask & IN_MOVED_TO) {
		for (i = 0; i < ws->nmoves; i++)
			if (ws->moves[i].cookie == ie->cookie) {
				arrive(ws, i, w, name, len);
				return;
			}
		appeared(ws, w, name, len);
	}
}

/* When the oldest unresolved move gives up waiting. */
int64_t
tree_deadline(const struct watchset *ws)
{
	int64_t	 at = NEVER;
	size_t	 i;

	for (i = 0; i < ws->nmoves; i++)
		if (ws->moves[i].deadline < at)
			at = ws->moves[i].deadline;
	return at;
}

/* Directories whose IN_MOVED_TO did not come have left the tree. */
void
tree_expire(struct watchset *ws, int64_t now)
{
	struct watch	*w;
	size_t		 i;
	int		 gone = 0;

	for (i = 0; i < ws->nmoves;) {
		if (ws->moves[i].deadline > now) {
			i++;
			continue;
		}
		w = ws->moves[i].w;
		move_remove(ws, i);
		watch_forget(ws, w, 1);
		gone = 1;
	}
	if (gone)
		release(ws);
}
