/*
 * tree.c: the -r stage.  Keeps the watch set in step with the tree, and
 * decides for each event whether it is printed or dropped.
 *
 * One kernel event's way under -r, in order:
 * 1. loop.c reads a batch (source.c) and hands it to handle.c.
 * 2. handle.c, ready(): a watched directory's IN_MOVED_FROM waits in the
 *    loop's buffer until its IN_MOVED_TO is read too, or MOVE_WAIT passes.
 * 3. Its watch is looked up (watch.c); an unknown one drops it.
 * 4. tree_filter(), window.c: dropped if watchx's own listing caused it,
 *    or a listing reported it already; what a listing owes goes first.
 * 5. The globs (filter.c), --pair-moves (pair.c), the output (output.c).
 * 6. tree_update(): a new directory is walked (walk.c, which makes up
 *    follow records of what it finds), a deleted one forgotten, a moved
 *    one renamed; handle.c then prints those records through step 5.
 *
 * New directories are walked (walk.c).  A directory moved from a watched
 * directory is judged at its IN_MOVED_FROM: its IN_MOVED_TO, paired by
 * cookie, is among the events read with it (the kernel queues the two
 * together; the handler reads on until it is, or MOVE_WAIT has passed:
 * tree_partner()), and its watch is renamed at that IN_MOVED_TO, which
 * renames everything below it; without one, it has left the tree and its
 * watches are removed at once.
 * So no event is ever printed under a stale path, and none waits here.
 * The events of watchx's own listings are window.c's.
 *
 * A sub-directory's watch is forgotten when its IN_DELETE is handled,
 * and the watches below a directory listed again that the listing did not
 * find are removed (walk.c), so no event is printed under a path that a
 * consumer of the output no longer holds.
 *
 * With --exclude or --gitignore, a directory moved within the tree, or
 * below a .gitignore that changed (read again, quietly: walk.c), is
 * judged again with what it holds (rejudge()): the directories the
 * patterns now leave out are unwatched (prune()), those they no longer
 * leave out are walked and reported created.
 */
#include <sys/inotify.h>

#include <assert.h>
#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "clock.h"
#include "entry.h"
#include "filter.h"
#include "root.h"
#include "source.h"
#include "tree.h"
#include "walk.h"
#include "watch.h"

/* Attempts at a new directory whose parent's path is out of date. */
#define RETRIES		64

void
tree_open(struct tree *t, struct watchset *ws, struct source *src)
{
	memset(t, 0, sizeof(*t));
	t->ws = ws;
	t->src = src;
	follow_open(&t->q, ws);
	window_open(&t->win, ws, src, &t->q);
}

/* Free what the -r bookkeeping holds (before watchset_close()). */
void
tree_close(struct tree *t)
{
	size_t	 i;

	window_close(&t->win);
	follow_close(&t->q);
	for (i = 0; i < t->nretries; i++)
		free(t->retries[i].name);
	free(t->retries);
	memset(t, 0, sizeof(*t));
}

/*
 * Whether ie is the IN_MOVED_TO of the directory whose IN_MOVED_FROM was
 * handled with it in view (moved_from()): no listing has found it where
 * it arrives (one would have taken it over first: walk.c, adopt()),
 * whatever a listing found there before it came.
 */
static int
arriving(const struct tree *t, const struct inotify_event *ie)
{
	return (ie->mask & (IN_MOVED_TO | IN_ISDIR)) ==
	    (IN_MOVED_TO | IN_ISDIR) && t->arrived != 0 &&
	    ie->cookie == t->arrived;
}

/*
 * Decide about an event before it is printed: PASS, or DROP it as
 * watchx's own or as what a listing reported already.
 */
enum verdict
tree_filter(struct tree *t, const struct watch *w,
    const struct inotify_event *ie)
{
	/* A root that left its path: only its IN_IGNORED, which ends it. */
	if (w->gone)
		return ie->mask & IN_IGNORED ? PASS : DROP;
	return window_filter(&t->win, w, ie, arriving(t, ie));
}

/*
 * Where the directory of ie, an IN_MOVED_FROM on w, goes: 1 with its
 * IN_MOVED_TO in *to, found among the events after it (next to end); 0
 * if it left the tree (its IN_MOVED_TO is not among PAIR_SCAN events
 * after it); -1 if the events end first, so that the next read may hold
 * it.  The kernel queues the two halves of a rename one after the other,
 * with at most the events of other processes in between.  Not about a
 * watched directory: 0.
 */
int
tree_partner(struct tree *t, const struct watch *w,
    const struct inotify_event *ie, const char *next, const char *end,
    const struct inotify_event **to)
{
	const struct inotify_event	*e;
	int				 n;

	*to = NULL;
	if ((ie->mask & (IN_MOVED_FROM | IN_ISDIR)) !=
	    (IN_MOVED_FROM | IN_ISDIR) || ie->cookie == 0 ||
	    watch_child(t->ws, w, ie->name, strnlen(ie->name, ie->len)) == NULL)
		return 0;
	for (n = 0; n < PAIR_SCAN; n++, next += sizeof(*e) + e->len) {
		if (next >= end)
			return -1;
		e = (const struct inotify_event *)next;
		if ((e->mask & IN_MOVED_TO) && e->cookie == ie->cookie) {
			*to = e;
			return 1;
		}
	}
	return 0;
}

/*
 * Parent's new entry name (RETRY_READ: parent's own .gitignore) could not
 * be opened because parent's path is out of date: an ancestor was renamed
 * or deleted, and that event is queued, or about to be (the kernel queues
 * a rename's events just after the names have changed).  Try it again
 * once every event queued now, and at least one more, has been handled,
 * and again while ancestors keep being renamed: at most RETRIES times.
 * Once parent's watch is gone (deleted, or moved out of the tree), so is
 * the entry.
 */
static void
later(struct tree *t, const struct watch *parent, const char *name,
    size_t len, int tries, int kind)
{
	struct retry	*r;

	if (tries >= RETRIES)
		return;
	r = ARRAY_PUSH(t->retries, t->nretries);
	r->wd = parent->wd;
	r->namelen = len;
	r->after = source_mark(t->src);
	if (r->after <= t->src->taken)
		r->after = t->src->taken + 1;
	assert(r->after > t->src->taken);
	r->tries = tries + 1;
	r->kind = kind;
	if ((r->name = strndup(name, len)) == NULL)
		err(1, NULL);
}

/*
 * A directory appeared in parent (RETRY_ANNOUNCE: the patterns no longer
 * leave it out): walk it, or try again later.
 */
static void
appeared(struct tree *t, struct watch *parent, const char *name, size_t len,
    int tries, int kind)
{
	if (walk_new(&t->win, parent, name, len, kind == RETRY_ANNOUNCE) == -1)
		later(t, parent, name, len, tries, kind);
}

static void	rejudge(struct tree *, struct watch *);

/*
 * The .gitignore of w changed: read it again and judge anew, or, if w's
 * path is out of date (renamed, not read yet), try again later.
 */
static void
reread(struct tree *t, struct watch *w, int tries)
{
	if (walk_reread(t->ws, w) == 0)
		rejudge(t, w);
	else
		later(t, w, GITIGNORE_FILE, sizeof(GITIGNORE_FILE) - 1, tries,
		    RETRY_READ);
}

/*
 * The retries that are due now.  One whose parent is out of date again is
 * put back; one whose parent's watch is gone is over.
 */
void
tree_retry(struct tree *t)
{
	struct retry	 r;
	struct watch	*parent;
	size_t		 i;

	for (i = 0; i < t->nretries;) {
		if (t->retries[i].after > t->src->taken) {
			i++;
			continue;
		}
		r = t->retries[i];
		t->retries[i] = t->retries[--t->nretries];
		if ((parent = watchset_find(t->ws, r.wd)) == NULL)
			;
		else if (r.kind == RETRY_READ)
			reread(t, parent, r.tries);
		else
			appeared(t, parent, r.name, r.namelen, r.tries,
			    r.kind);
		free(r.name);
	}
}

/*
 * w has its new path: the .gitignore files in its subtree that could not
 * be read by the old one are read now, before the events after the move.
 */
static void
reread_below(struct tree *t, struct watch *w)
{
	struct retry	 r;
	struct watch	*x;
	size_t		 i, n = t->nretries;

	/* Not those that fail again here: they are added past n. */
	for (i = 0; i < n;) {
		r = t->retries[i];
		if (r.kind != RETRY_READ ||
		    (x = watchset_find(t->ws, r.wd)) == NULL ||
		    !watch_below(x, w)) {
			i++;
			continue;
		}
		t->retries[i] = t->retries[--n];
		t->retries[n] = t->retries[--t->nretries];
		reread(t, x, r.tries);
		free(r.name);
	}
}

/*
 * A sub-directory of w was deleted.  The kernel may still report it
 * (IN_DELETE_SELF and IN_IGNORED can come after its parent's IN_DELETE,
 * and a process that holds it open can still read it), but its path is
 * gone: its watch is forgotten, so nothing more of it is printed.
 */
static void
deleted(struct tree *t, struct watch *w, const char *name, size_t len)
{
	struct watch	*c;

	if ((c = watch_child(t->ws, w, name, len)) != NULL)
		watch_forget(t->ws, c, 1);
}

/*
 * Directory name of parent was renamed.  With its IN_MOVED_TO (to, found
 * by tree_partner()) on a watched directory, it is renamed when that is
 * handled (moved_to()): what comes in between, the listings' owed records
 * too, is printed under its old path, which a consumer that pairs the two
 * halves still holds.  Without, it has left the tree, and its watches are
 * removed.  Cookie 0 (once in 2^32 renames) pairs with nothing: the same.
 */
static void
moved_from(struct tree *t, struct watch *parent, const char *name,
    size_t len, const struct inotify_event *to)
{
	struct watch	*w;

	if ((w = watch_child(t->ws, parent, name, len)) == NULL)
		return;
	if (to == NULL || watchset_find(t->ws, to->wd) == NULL) {
		watch_forget(t->ws, w, 1);
		return;
	}
	t->arrived = to->cookie;
	t->arriving = w->wd;
}

/*
 * A directory arrived in parent as name: the one whose IN_MOVED_FROM
 * said it would (moved_from()) is renamed into place, which renames
 * everything below it; any other (moved in from outside) is new.
 */
static void
moved_to(struct tree *t, struct watch *parent, const char *name, size_t len,
    uint32_t cookie)
{
	struct watch	*w, *old;

	if (t->arrived == 0 || cookie != t->arrived) {
		appeared(t, parent, name, len, 0, RETRY_WALK);
		return;
	}
	t->arrived = 0;
	/* Gone in between: nothing is left to follow. */
	if ((w = watchset_find(t->ws, t->arriving)) == NULL)
		return;
	old = watch_child(t->ws, parent, name, len);
	/* Into itself, or over what holds it: no rename the kernel makes. */
	if (watch_below(parent, w) || (old != NULL && watch_below(w, old))) {
		watch_forget(t->ws, w, 1);
		return;
	}
	/* Renamed over a directory (an empty one): that one is gone. */
	if (old != NULL)
		watch_forget(t->ws, old, 1);
	watch_rename(t->ws, w, parent, name, len);
	reread_below(t, w);
	/* Renamed to a name the patterns leave out, or into other patterns. */
	if (walk_pruned(t->ws, parent, name, len))
		watch_forget(t->ws, w, 1);
	else
		rejudge(t, w);
}

/* Keep w's entries (--on-overflow rescan) as the event says. */
static void
mirror(struct watch *w, const struct inotify_event *ie)
{
	struct entry_tree *t = watch_entries(w, 1);
	struct entry	*e;
	size_t		 len = strnlen(ie->name, ie->len);

	if (ie->mask & (IN_CREATE | IN_MOVED_TO))
		entry_add(t, ie->name, len, ie->mask & IN_ISDIR);
	else if ((ie->mask & (IN_DELETE | IN_MOVED_FROM)) &&
	    (e = entry_find(t, ie->name, len)) != NULL)
		entry_del(t, e);
}

/*
 * Root w was renamed: followed if it is still in the directory that held
 * it, ended if it is not (root_end()).
 */
static void
moved_self(struct tree *t, struct watch *w)
{
	int	 fd;

	if ((fd = root_open(t->ws, w)) != -1)
		close(fd);
	else if (errno == ESTALE)
		root_end(t->ws, w);
}

/*
 * The directories in w's subtree that the patterns now leave out are no
 * longer watched.
 */
static void
prune(struct tree *t, struct watch *w)
{
	struct watchset	*ws = t->ws;
	struct watch	**stack = NULL, *x, *c, *next;
	size_t		 n = 0;

	*ARRAY_PUSH(stack, n) = w;
	while (n > 0) {
		x = stack[--n];
		for (c = watch_next_child(ws, x, NULL); c != NULL; c = next) {
			next = watch_next_child(ws, x, c);
			if (walk_pruned(ws, x, watch_name(c), c->namelen))
				watch_forget(ws, c, 1);
			else
				*ARRAY_PUSH(stack, n) = c;
		}
	}
	free(stack);
}

/*
 * The patterns that judge w's subtree may have changed (a .gitignore
 * changed, w moved): stop watching the directories they now leave out,
 * and watch those they no longer do, reporting them and what they hold as
 * created.
 */
static void
rejudge(struct tree *t, struct watch *w)
{
	struct watchset	*ws = t->ws;
	struct pruned	**p;
	struct watch	*parent;
	size_t		 i, n;

	if (ws->filter == NULL)
		return;
	prune(t, w);
	n = filter_unprune(ws->filter, ws, w, &p);
	for (i = 0; i < n; i++) {
		if ((parent = watchset_find(ws, p[i]->wd)) != NULL &&
		    !walk_pruned(ws, parent, p[i]->name, p[i]->len))
			appeared(t, parent, p[i]->name, p[i]->len, 0,
			    RETRY_ANNOUNCE);
		free(p[i]);
	}
	free(p);
}

/*
 * Keep the watch set in step after an event on w has been printed (to:
 * an IN_MOVED_FROM's other half, from tree_partner()).
 */
void
tree_update(struct tree *t, struct watch *w, const struct inotify_event *ie,
    const struct inotify_event *to)
{
	struct watchset	*ws = t->ws;
	size_t		 len;

	if (ie->mask & IN_IGNORED) {
		watch_forget(ws, w, 0);
		return;
	}
	/* For the reason given if its IN_IGNORED ends the run. */
	if ((ie->mask & IN_DELETE_SELF) && w->root)
		w->deleted = 1;
	if ((ie->mask & IN_MOVE_SELF) && w->root && ws->recursive &&
	    !w->gone) {
		moved_self(t, w);
		return;
	}
	if (ws->mirror && ie->len > 0)
		mirror(w, ie);
	/* A .gitignore changed: read it again (quietly), and judge anew. */
	if ((ie->mask & RULES_CHANGED) && ie->len > 0 && ws->filter != NULL &&
	    filter_rules(ws->filter, ie->name, strnlen(ie->name, ie->len)))
		reread(t, w, 0);
	if (!ws->recursive || !(ie->mask & IN_ISDIR) || ie->len == 0)
		return;
	len = strnlen(ie->name, ie->len);
	if (ie->mask & IN_CREATE)
		appeared(t, w, ie->name, len, 0, RETRY_WALK);
	else if (ie->mask & IN_DELETE)
		deleted(t, w, ie->name, len);
	else if (ie->mask & IN_MOVED_FROM)
		moved_from(t, w, ie->name, len, to);
	else if (ie->mask & IN_MOVED_TO)
		moved_to(t, w, ie->name, len, ie->cookie);
}

/*
 * The events of a batch are handled: the listings' window may close.  A
 * move paired at its IN_MOVED_FROM has met its IN_MOVED_TO in the batch
 * (unless that one's directory went in between: it is over anyway).
 */
void
tree_settle(struct tree *t)
{
	t->arrived = 0;
	window_settle(&t->win);
}

/*
 * The queue overflowed (--on-overflow rescan): every root directory is
 * listed again, and what changed meanwhile reported (walk.c).
 */
void
tree_rescan(struct tree *t)
{
	struct watch	*w;
	size_t		 i;

	for (i = 0; i < t->ws->nrootids; i++)
		if ((w = watchset_find(t->ws, t->ws->rootids[i].wd)) != NULL) {
			walk_rescan(&t->win, w);
			/* The listings read every .gitignore again. */
			rejudge(t, w);
		}
}

/* When the first empty file has settled; NEVER if nothing waits. */
int64_t
tree_deadline(const struct tree *t)
{
	return window_deadline(&t->win);
}

/*
 * Empty files that stayed untouched are complete (window.c; all of them
 * with all, for a run ended by a signal).
 */
void
tree_expire(struct tree *t, int64_t now, int all)
{
	window_expire(&t->win, now, all);
}

/*
 * Whether a record is still due without any new event (an empty file's
 * IN_CLOSE_WRITE, window.c).
 */
int
tree_due(const struct tree *t)
{
	return t->win.nsettling > 0;
}
