/*
 * tree.c: the -r stage.  Keeps the watch set in step with the tree, and
 * decides for each event whether it is printed, dropped or held.
 *
 * New directories are walked (walk.c).  A directory moved from a watched
 * directory is held until its IN_MOVED_TO, paired by cookie, says where it
 * went: its watch is then renamed, which renames everything below it.  If
 * no IN_MOVED_TO comes within MOVE_WAIT, it has left the tree and its
 * watches are removed.  Events inside a directory whose move is unresolved
 * are held (follow.c), then handed on to be handled again under the new
 * path, or dropped, so none is ever printed under a stale path.  The
 * events of watchx's own listings are window.c's.
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
#include "filter.h"
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
	free(t->moves);
	for (i = 0; i < t->nretries; i++)
		free(t->retries[i].name);
	free(t->retries);
	memset(t, 0, sizeof(*t));
}

static struct watch	*moving(struct tree *, size_t);

/*
 * After each step of the -r stage: events held for a directory that is no
 * longer moving (its watch gone meanwhile) are handed on, to be dropped,
 * which keeps tree.h's invariants, checked here: a watch moves only while
 * its move waits (moves may outlive theirs: a watch gone, or taken over),
 * and events are held only while a watch moves.
 */
static void
tidy(struct tree *t)
{
	if (t->q.heldlen > 0 && t->ws->nmoving == 0)
		follow_release(&t->q);
	assert(t->ws->nmoving <= t->nmoves);
	assert(t->q.heldlen == 0 || t->ws->nmoving > 0);
}

/*
 * Whether ie is the IN_MOVED_TO of a directory whose move is unresolved:
 * no listing has found it where it arrives (one would have taken it
 * over, ending its move: walk.c, adopt()), whatever a listing found there
 * before it came.
 */
static int
arriving(struct tree *t, const struct inotify_event *ie)
{
	size_t	 i;

	if ((ie->mask & (IN_MOVED_TO | IN_ISDIR)) != (IN_MOVED_TO | IN_ISDIR))
		return 0;
	for (i = 0; i < t->nmoves; i++)
		if (t->moves[i].cookie == ie->cookie)
			return moving(t, i) != NULL;
	return 0;
}

/*
 * Decide about an event before it is printed: PASS, DROP it as watchx's
 * own, or HOLD it while its directory's move is unresolved.
 */
enum verdict
tree_filter(struct tree *t, const struct watch *w,
    const struct inotify_event *ie)
{
	if (watch_moving(t->ws, w)) {
		follow_hold(&t->q, ie);
		return HOLD;
	}
	/* A root that left its path: only its IN_IGNORED, which ends it. */
	if (w->gone)
		return ie->mask & IN_IGNORED ? PASS : DROP;
	return window_filter(&t->win, w, ie, arriving(t, ie));
}

/*
 * Parent's new entry name (RETRY_READ: parent's own .gitignore) could not
 * be opened because parent's path is out of date: an ancestor was renamed
 * or deleted, and that event is queued, or about to be (the kernel queues
 * a rename's events just after the names have changed).  Try it again once every event queued now, and
 * at least one more, has been handled, and again while ancestors keep
 * being renamed: at most RETRIES times.  Once parent's watch is gone
 * (deleted, or moved out of the tree), so is the entry.
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
 * The retries that are due now.  One whose parent is still moving, or is
 * out of date again, is put back; one whose parent's watch is gone is
 * over.
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
	tidy(t);
}

/* The watch that move i is about, if it is still moving by that move. */
static struct watch *
moving(struct tree *t, size_t i)
{
	struct watch	*w;

	if ((w = watchset_find(t->ws, t->moves[i].wd)) == NULL ||
	    w->cookie != t->moves[i].cookie)
		return NULL;
	return w;
}

static void
move_remove(struct tree *t, size_t i)
{
	t->moves[i] = t->moves[--t->nmoves];
}

static void
moved_from(struct tree *t, struct watch *parent, const char *name,
    size_t len, uint32_t cookie)
{
	struct watch	*w;
	struct move	*m;

	if ((w = watch_child(t->ws, parent, name, len)) == NULL)
		return;
	/*
	 * Cookie 0 (once in 2^32 renames) pairs with nothing, and means "not
	 * moving": taken as moved out, and walked anew if it arrives.
	 */
	if (cookie == 0) {
		watch_forget(t->ws, w, 1);
		return;
	}
	m = ARRAY_PUSH(t->moves, t->nmoves);
	m->wd = w->wd;
	m->cookie = cookie;
	m->deadline = clock_ns() + MOVE_WAIT;
	/* Out of its parent's reach, which may go before it arrives. */
	watch_detach(t->ws, w, cookie);
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
 * A directory arrived in parent as name, with cookie: the moving directory
 * of that cookie is renamed into place, and what was held for it handed
 * on; without one (moved in from outside, or taken over meanwhile), it is
 * new.
 */
static void
moved_to(struct tree *t, struct watch *parent, const char *name, size_t len,
    uint32_t cookie)
{
	struct watch	*w;
	size_t		 i;

	for (i = 0; i < t->nmoves; i++)
		if (t->moves[i].cookie == cookie)
			break;
	if (i == t->nmoves || (w = moving(t, i)) == NULL) {
		if (i < t->nmoves)
			move_remove(t, i);
		appeared(t, parent, name, len, 0, RETRY_WALK);
		return;
	}
	move_remove(t, i);
	watch_arrived(t->ws, w);
	/* Renamed over a directory (an empty one): that one is gone. */
	deleted(t, parent, name, len);
	watch_rename(t->ws, w, parent, name, len);
	reread_below(t, w);
	/* Renamed to a name the patterns leave out, or into other patterns. */
	if (walk_pruned(t->ws, parent, name, len))
		watch_forget(t->ws, w, 1);
	else
		rejudge(t, w);
	follow_release(&t->q);
}

/* Keep w's entries (--on-overflow rescan) as the event says. */
static void
mirror(struct watch *w, const struct inotify_event *ie)
{
	struct entry	*e;
	size_t		 len = strnlen(ie->name, ie->len);

	if (ie->mask & (IN_CREATE | IN_MOVED_TO))
		watch_entry_add(w, ie->name, len, ie->mask & IN_ISDIR);
	else if ((ie->mask & (IN_DELETE | IN_MOVED_FROM)) &&
	    (e = watch_entry(w, ie->name, len)) != NULL)
		watch_entry_del(w, e);
}

/*
 * Root w was renamed: followed if it is still in the directory that held
 * it, ended if it is not (watch_end_root()).
 */
static void
root_moved(struct tree *t, struct watch *w)
{
	int	 fd;

	if ((fd = watch_open_root(t->ws, w)) != -1)
		close(fd);
	else if (errno == ESTALE)
		watch_end_root(t->ws, w);
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

/* Keep the watch set in step after an event on w has been printed. */
static void
update(struct tree *t, struct watch *w, const struct inotify_event *ie)
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
		root_moved(t, w);
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
		moved_from(t, w, ie->name, len, ie->cookie);
	else if (ie->mask & IN_MOVED_TO)
		moved_to(t, w, ie->name, len, ie->cookie);
}

void
tree_update(struct tree *t, struct watch *w, const struct inotify_event *ie)
{
	update(t, w, ie);
	tidy(t);
}

/* The events of a batch are handled: the listings' window may close. */
void
tree_settle(struct tree *t)
{
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
	tidy(t);
}

/*
 * When the oldest unresolved move gives up waiting, or the first empty
 * file has settled; NEVER if nothing waits.
 */
int64_t
tree_deadline(const struct tree *t)
{
	int64_t	 at = window_deadline(&t->win);
	size_t	 i;

	for (i = 0; i < t->nmoves; i++)
		if (t->moves[i].deadline < at)
			at = t->moves[i].deadline;
	return at;
}

/*
 * Directories whose IN_MOVED_TO did not come have left the tree; empty
 * files that stayed untouched are complete (window.c; all of them with
 * all, for a run ended by a signal).
 */
void
tree_expire(struct tree *t, int64_t now, int all)
{
	struct watch	*w;
	size_t		 i;
	int		 gone = 0;

	window_expire(&t->win, now, all);
	for (i = 0; i < t->nmoves;) {
		if (t->moves[i].deadline > now) {
			i++;
			continue;
		}
		if ((w = moving(t, i)) != NULL) {
			watch_forget(t->ws, w, 1);
			gone = 1;
		}
		move_remove(t, i);
	}
	if (gone)
		follow_release(&t->q);
	tidy(t);
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
