/*
 * window.c: the events that overlap watchx's own listings under -r.
 *
 * Listing a new directory makes its parent's watch see IN_OPEN, IN_ACCESS
 * and IN_CLOSE_NOWRITE for it.  Those are expected here and dropped, but
 * only within the events that were queued when the listing ended: events
 * are queued in order, so watchx's own are all inside that window.
 *
 * A listing reports a directory as it was when read, while the events
 * queued before it ended are still to be handled: each of those is judged
 * against what the listing reported (judge()), so that a consumer of the
 * output sees every name once.  A file a listing found complete is owed
 * an IN_CLOSE_WRITE (its writer's own may come later: a ghost), and one
 * found empty settles for SETTLE_WAIT before it is owed one.
 */
#include <sys/inotify.h>
#include <sys/tree.h>

#include <assert.h>
#include <err.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "clock.h"
#include "follow.h"
#include "source.h"
#include "watch.h"
#include "window.h"

static int	seen_cmp(const struct seen *, const struct seen *);
RB_PROTOTYPE_STATIC(seen_tree, seen, entry, seen_cmp)
RB_GENERATE_STATIC(seen_tree, seen, entry, seen_cmp)

/* Names of one directory are adjacent, the directory's own ("") first. */
static int
seen_cmp(const struct seen *a, const struct seen *b)
{
	size_t	 n;
	int	 r;

	if (a->wd != b->wd)
		return a->wd < b->wd ? -1 : 1;
	n = a->len < b->len ? a->len : b->len;
	if ((r = memcmp(a->name, b->name, n)) != 0)
		return r;
	return a->len < b->len ? -1 : a->len > b->len;
}

void
window_open(struct window *win, struct watchset *ws, struct source *src,
    struct follow_queue *q)
{
	memset(win, 0, sizeof(*win));
	win->ws = ws;
	win->src = src;
	win->q = q;
	RB_INIT(&win->seen);
	RB_INIT(&win->ghosts);
	RB_INIT(&win->settling);
	win->ghosts_purge = NEVER;
	win->settle_first = NEVER;
}

static struct seen *
seen_add(struct seen_tree *t, int wd, const char *name, size_t len)
{
	struct seen	*s;

	if ((s = malloc(sizeof(*s) + len)) == NULL)
		err(1, NULL);
	s->wd = wd;
	s->len = len;
	s->held = s->listed = s->told = s->unsure = 0;
	s->written = 0;
	memcpy(s->name, name, len);
	RB_INSERT(seen_tree, t, s);
	return s;
}

static void
seen_clear(struct seen_tree *t)
{
	struct seen	*s, *next;

	RB_FOREACH_SAFE(s, seen_tree, t, next) {
		RB_REMOVE(seen_tree, t, s);
		free(s);
	}
}

/* The entry of name in directory wd, if any. */
static struct seen *
seen_find(struct seen_tree *t, int wd, const char *name, size_t len)
{
	union {
		struct seen	 s;
		char		 buf[sizeof(struct seen) + NAME_MAX + 1];
	}		 key;

	if (len > NAME_MAX)
		return NULL;
	key.s.wd = wd;
	key.s.len = len;
	memcpy(key.s.name, name, len);
	return RB_FIND(seen_tree, t, &key.s);
}

/* Free what the window holds. */
void
window_close(struct window *win)
{
	free(win->noise);
	seen_clear(&win->seen);
	seen_clear(&win->ghosts);
	seen_clear(&win->settling);
	memset(win, 0, sizeof(*win));
}

/*
 * Expect the events of listing new directory w in calls reads, among the
 * events queued after mark from (when the listing began).
 */
void
window_expect(struct window *win, const struct watch *w, int calls,
    uint64_t from)
{
	struct noise	*n;
	uint32_t	 bits = win->ws->dirmask & (IN_OPEN | IN_CLOSE_NOWRITE);
	int		 accesses = win->ws->dirmask & IN_ACCESS ? calls : 0;

	if (bits == 0 && accesses == 0)
		return;
	n = ARRAY_PUSH(win->noise, win->nnoise);
	n->wd = w->wd;
	n->from = from;
	n->mask = bits;
	n->accesses = accesses;
}

/*
 * Whether ie, an event on w, is one of the events watchx's own listing
 * caused.  The listed directory is found by its watch, so that the events
 * are known under its new name if it was renamed while being listed.
 * The kernel queues a rename's events after the name has changed, and a
 * listing's open can complete after the directory's IN_DELETE, so an event
 * of the listing can come under a name that is no watched directory of w:
 * while the listing's events are expected, any such event is taken to be
 * the listing's (from anyone, it would be about a name that a consumer of
 * the output does not hold).
 */
static int
noise(struct window *win, const struct watch *w,
    const struct inotify_event *ie)
{
	struct noise	*n;
	struct watch	*c;
	uint32_t	 bit = ie->mask & WATCH_QUIET;
	uint64_t	 at = win->src->taken - sizeof(*ie) - ie->len;
	size_t		 i;

	if (win->src->taken > win->quiet_until) {
		win->nnoise = 0;
		return 0;
	}
	if (bit == 0 || !(ie->mask & IN_ISDIR) || ie->len == 0)
		return 0;
	c = watch_child(win->ws, w, ie->name, strnlen(ie->name, ie->len));
	for (i = 0; i < win->nnoise; i++) {
		n = &win->noise[i];
		/* Someone else's, before the listing began: not noise. */
		if ((c != NULL && n->wd != c->wd) || at < n->from)
			continue;
		if (c == NULL)
			return 1;
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

/*
 * The listing's IN_CLOSE_WRITE for the file name in directory wd has been
 * printed: its writer's own IN_CLOSE_WRITE, if it comes, is a ghost of it
 * (ghost()).  Ghosts that have expired are purged now and then.
 */
static void
ghost_add(struct window *win, int wd, const char *name, size_t len)
{
	struct seen	*s, *next;
	int64_t		 now = clock_ns();

	if (now >= win->ghosts_purge) {
		win->ghosts_purge = NEVER;
		RB_FOREACH_SAFE(s, seen_tree, &win->ghosts, next) {
			if (s->deadline <= now) {
				RB_REMOVE(seen_tree, &win->ghosts, s);
				free(s);
				win->nghosts--;
			} else if (s->deadline < win->ghosts_purge)
				win->ghosts_purge = s->deadline;
		}
	}
	if ((s = seen_find(&win->ghosts, wd, name, len)) == NULL) {
		s = seen_add(&win->ghosts, wd, name, len);
		win->nghosts++;
	}
	s->after = win->seen_until;
	s->deadline = now + GHOST_WAIT;
	if (s->deadline < win->ghosts_purge)
		win->ghosts_purge = s->deadline;
}

static void
ghost_del(struct window *win, struct seen *s)
{
	RB_REMOVE(seen_tree, &win->ghosts, s);
	free(s);
	win->nghosts--;
}

/*
 * Whether ie is the ghost of an IN_CLOSE_WRITE that a listing reported:
 * the first IN_CLOSE_WRITE of the file within GHOST_WAIT, unless an
 * IN_MODIFY queued after the listing came first (a new write; the writes
 * of the ghost's own writer were all queued before the listing found the
 * file complete).
 */
static int
ghost(struct window *win, const struct inotify_event *ie)
{
	struct seen	*s;

	s = seen_find(&win->ghosts, ie->wd, ie->name, strnlen(ie->name,
	    ie->len));
	if (s == NULL)
		return 0;
	if (s->deadline < clock_ns()) {
		ghost_del(win, s);
		return 0;
	}
	if (ie->mask & IN_MODIFY) {
		if (win->src->taken - sizeof(*ie) - ie->len >= s->after)
			ghost_del(win, s);
		return 0;
	}
	ghost_del(win, s);
	return 1;
}

/*
 * Report the IN_CLOSE_WRITE a listing owes for s, in directory w.  The
 * writer's own, should it still come, is a ghost (not after SETTLE_WAIT:
 * no writer was at work).  Nothing of a root that has left its path is
 * printed.
 */
static void
owed(struct window *win, const struct watch *w, const struct seen *s,
    int ghosts)
{
	if (watch_root(w)->gone)
		return;
	follow_print(win->q, w, IN_CLOSE_WRITE, s->name, s->len);
	if (ghosts)
		ghost_add(win, s->wd, s->name, s->len);
}

/*
 * A listing found the file of s empty, and owes its IN_CLOSE_WRITE if no
 * writer is at work (SETTLE_WAIT): it waits in win->settling.
 */
static void
settle_add(struct window *win, const struct seen *s)
{
	struct seen	*p;

	if ((p = seen_find(&win->settling, s->wd, s->name, s->len)) == NULL) {
		p = seen_add(&win->settling, s->wd, s->name, s->len);
		win->nsettling++;
	}
	p->deadline = clock_ns() + SETTLE_WAIT;
	if (p->deadline < win->settle_first)
		win->settle_first = p->deadline;
}

/* The file of p has waited out SETTLE_WAIT, or its name is being changed. */
static void
settle_end(struct window *win, struct seen *p, int report)
{
	struct watch	*w;

	if (report && (w = watchset_find(win->ws, p->wd)) != NULL)
		owed(win, w, p, 0);
	RB_REMOVE(seen_tree, &win->settling, p);
	free(p);
	win->nsettling--;
}

/* Forget what waits in win->settling for directory wd. */
static void
settle_drop(struct window *win, int wd)
{
	union {
		struct seen	 s;
		char		 buf[sizeof(struct seen) + 1];
	}		 key;
	struct seen	*p, *next;

	key.s.wd = wd;
	key.s.len = 0;
	for (p = RB_NFIND(seen_tree, &win->settling, &key.s);
	    p != NULL && p->wd == wd; p = next) {
		next = RB_NEXT(seen_tree, &win->settling, p);
		settle_end(win, p, 0);
	}
}

/*
 * An event on a file that waits in win->settling: a write or a close is
 * its writer at work, who reports its own IN_CLOSE_WRITE; anything that
 * changes what the name stands for reports the close now, first.
 */
static void
settle_event(struct window *win, const struct inotify_event *ie)
{
	struct seen	*p;

	p = seen_find(&win->settling, ie->wd, ie->name, strnlen(ie->name,
	    ie->len));
	if (p == NULL)
		return;
	if (ie->mask & (IN_MODIFY | IN_CLOSE_WRITE))
		settle_end(win, p, 0);
	else if (ie->mask & (IN_CREATE | IN_DELETE | IN_MOVE))
		settle_end(win, p, 1);
}

/*
 * A live walk lists directory w (walk.c).  Until the events queued when
 * the walk ended are handled, events on w are measured against what the
 * listing reported (judge()).  The directory itself is entered under the
 * empty name, which no entry has.  A directory listed twice in that time
 * counts from its last listing.  Listed anew (taken over after a move),
 * what the first listing owes is dropped: its names are reported again
 * under the new path.  Listed by a rescan, in place, what it owes is
 * reported first.
 */
void
window_listing(struct window *win, const struct watch *w, int anew)
{
	struct seen	*s, *next;

	/* Listed anew: names it owed a close for are reported again, or not. */
	if (anew && win->nsettling > 0)
		settle_drop(win, w->wd);

	if ((s = seen_find(&win->seen, w->wd, "", 0)) == NULL) {
		seen_add(&win->seen, w->wd, "", 0);
		win->nlisted++;
		return;
	}
	for (s = RB_NEXT(seen_tree, &win->seen, s); s != NULL &&
	    s->wd == w->wd; s = next) {
		next = RB_NEXT(seen_tree, &win->seen, s);
		if (!anew && s->held && (s->written & IN_CLOSE_WRITE)) {
			if (s->unsure)
				settle_add(win, s);
			else
				owed(win, w, s, 1);
		}
		RB_REMOVE(seen_tree, &win->seen, s);
		free(s);
	}
}

/*
 * The listing of w found name.  Reported says whether it reported name (a
 * rescan does not report what the consumer holds already); written, which
 * of IN_MODIFY and IN_CLOSE_WRITE it reported, or owes; unsure, that the
 * file was empty, and whether a writer is at work is left to time.
 */
void
window_listed(struct window *win, const struct watch *w, const char *name,
    size_t len, int reported, uint32_t written, int unsure)
{
	struct seen	*s;

	if ((s = seen_find(&win->seen, w->wd, name, len)) == NULL)
		s = seen_add(&win->seen, w->wd, name, len);
	s->held = 1;
	s->listed = reported != 0;
	s->written = written;
	s->unsure = unsure != 0;
}

/*
 * A live walk has reported directory name in w deleted, having found it
 * elsewhere: a consumer no longer holds it, whatever w's listing found,
 * and the kernel's events that moved it away, queued before the walk
 * ended, are told already (judge()).
 */
void
window_told(struct window *win, const struct watch *w, const char *name,
    size_t len)
{
	struct seen	*s;

	if ((s = seen_find(&win->seen, w->wd, name, len)) == NULL) {
		s = seen_add(&win->seen, w->wd, name, len);
		/* It keeps the window open, as a listing does. */
		win->nlisted++;
	}
	s->held = s->listed = 0;
	s->written = 0;
	s->told = 1;
}

/*
 * A live walk has reported name in w deleted: the IN_CLOSE_WRITE it may
 * have owed since a listing found it empty is owed no more.
 */
void
window_deleted(struct window *win, const struct watch *w, const char *name,
    size_t len)
{
	struct seen	*p;

	if (win->nsettling > 0 &&
	    (p = seen_find(&win->settling, w->wd, name, len)) != NULL)
		settle_end(win, p, 0);
}

/*
 * The walk has ended with the events up to mark until queued; with quiet,
 * all the noise it expects (window_expect()) is queued by then too.
 */
void
window_until(struct window *win, uint64_t until, int quiet)
{
	if (quiet)
		win->quiet_until = until;
	if (win->nlisted > 0)
		win->seen_until = until;
}

/*
 * The events queued before the listings ended have all been handled.  A
 * file a listing found complete (written.c, written_found()) is reported with
 * IN_CLOSE_WRITE now, unless what came since says otherwise: its own
 * IN_CLOSE_WRITE, or its real IN_CREATE (created after its directory was
 * watched, it reports its own), or its deletion.  Then the window closes.
 */
static void
window_end(struct window *win)
{
	struct seen	*s;
	struct watch	*w;

	RB_FOREACH(s, seen_tree, &win->seen) {
		if (!s->held || !(s->written & IN_CLOSE_WRITE) ||
		    (w = watchset_find(win->ws, s->wd)) == NULL)
			continue;
		if (s->unsure)
			settle_add(win, s);
		else
			owed(win, w, s, 1);
	}
	seen_clear(&win->seen);
	win->nlisted = 0;
}

/* Close the listings' window if every event queued in it is handled. */
void
window_settle(struct window *win)
{
	if (win->nlisted > 0 && win->src->taken >= win->seen_until)
		window_end(win);
}

/*
 * An event on an entry of a directory listed live, queued before its
 * listing ended.  The listing reported the directory as it was then, so
 * what the queued events say may be reported already, or be about an
 * entry nobody was told of.  A consumer that applies the output holds
 * exactly the entries marked held here; an event is dropped when
 * applying it would add what it holds (a real IN_CREATE or IN_MOVED_TO
 * for a name the listing reported), remove what it never had (an
 * IN_DELETE or IN_MOVED_FROM of a name created and gone before the
 * listing), or is about an entry it does not hold (an IN_OPEN of a
 * directory that was gone when the listing looked).  Whatever the order
 * of creates, deletes and renames, each name's state follows the kernel's
 * events, so nothing is missed or reported twice.
 *
 * A file the listing reported is also reported as written as it found it:
 * IN_MODIFY queued before is left out, and the IN_CLOSE_WRITE it owes for
 * a complete file (window_end()) is cancelled by the file's own, or by its
 * real IN_CREATE (created after the watch, it reports its own close), or
 * for a file found empty by a write.  A file moved in keeps it: its close
 * was elsewhere, and its IN_MOVED_TO is printed for scripts that wait for
 * one (only a directory's would make a consumer drop what the listing
 * reported below it).  A directory whose move was paired at its
 * IN_MOVED_FROM (arriving: tree.c) was not what the listing found under
 * its name: it came after, over that one, and its IN_MOVED_TO is printed.
 * A directory a walk reported moved away (told) has the events of that
 * move dropped, in any directory.
 */
static enum verdict
judge(struct window *win, const struct inotify_event *ie, int arriving)
{
	struct seen	*s;
	size_t		 len;

	len = strnlen(ie->name, ie->len);
	s = seen_find(&win->seen, ie->wd, ie->name, len);
	if (s != NULL && s->told && !(ie->mask & (IN_CREATE | IN_MOVED_TO))) {
		/* The move away that window_told() reported. */
		if (ie->mask & (IN_DELETE | IN_MOVED_FROM))
			s->told = 0;
		return DROP;
	}
	if (s != NULL)
		s->told = 0;
	if (seen_find(&win->seen, ie->wd, "", 0) == NULL)
		return PASS;
	if (ie->mask & (IN_CREATE | IN_MOVED_TO)) {
		if (s != NULL && s->listed && !arriving) {
			s->listed = 0;
			if (ie->mask & IN_CREATE)
				s->written &= ~IN_CLOSE_WRITE;
			if ((ie->mask & IN_CREATE) || (ie->mask & IN_ISDIR))
				return DROP;
			return PASS;
		}
		if (s == NULL)
			s = seen_add(&win->seen, ie->wd, ie->name, len);
		s->held = 1;
		s->listed = 0;
		s->written = 0;
		return PASS;
	}
	if (s != NULL && (ie->mask & s->written & IN_MODIFY))
		return DROP;
	/* A file found empty being written: its writer reports its close. */
	if (s != NULL && ((ie->mask & IN_CLOSE_WRITE) || ((ie->mask &
	    IN_MODIFY) && s->unsure)))
		s->written &= ~IN_CLOSE_WRITE;
	if (!(ie->mask & (IN_DELETE | IN_MOVED_FROM)))
		return s != NULL && s->held ? PASS : DROP;
	if (s == NULL || !s->held)
		return DROP;
	s->held = s->listed = 0;
	s->written = 0;
	return PASS;
}

/*
 * Decide about ie, an event on w: PASS, or
 * DROP it as watchx's own or as something the listings reported already.
 * What the listings owe before it goes to the follow queue first.
 */
enum verdict
window_filter(struct window *win, const struct watch *w,
    const struct inotify_event *ie, int arriving)
{
	/* Past the listings' window: what they owe first, then this event. */
	if (win->nlisted > 0 && win->src->taken > win->seen_until)
		window_end(win);
	assert(win->nlisted > 0 || RB_EMPTY(&win->seen));
	if (win->nnoise > 0 && noise(win, w, ie))
		return DROP;
	if (win->nsettling > 0 && ie->len > 0)
		settle_event(win, ie);
	if (win->nghosts > 0 && ie->len > 0 &&
	    (ie->mask & (IN_MODIFY | IN_CLOSE_WRITE)) && ghost(win, ie))
		return DROP;
	if (win->nlisted > 0 && ie->len > 0)
		return judge(win, ie, arriving);
	return PASS;
}

/* When the first empty file has settled, or NEVER. */
int64_t
window_deadline(const struct window *win)
{
	return win->nsettling > 0 ? win->settle_first : NEVER;
}

/*
 * Empty files that stayed untouched are complete; all of them when the
 * run ends by a signal (all).
 */
void
window_expire(struct window *win, int64_t now, int all)
{
	struct seen	*p, *next;

	if (win->nsettling == 0 || (!all && now < win->settle_first))
		return;
	win->settle_first = NEVER;
	RB_FOREACH_SAFE(p, seen_tree, &win->settling, next) {
		if (all || p->deadline <= now)
			settle_end(win, p, 1);
		else if (p->deadline < win->settle_first)
			win->settle_first = p->deadline;
	}
}
