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
 *
 * A sub-directory's watch is forgotten when its IN_DELETE is handled,
 * and the watches below a directory listed again that the listing did not
 * find are removed (walk.c), so no event is printed under a path that a
 * consumer of the output no longer holds.
 */
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/tree.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "clock.h"
#include "watch.h"

/* Attempts at a new directory whose parent's path is out of date. */
#define RETRIES		64

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

/*
 * Expect the events of listing new directory w in calls reads, among the
 * events queued after byte from (when the listing began).
 */
void
tree_expect(struct watchset *ws, const struct watch *w, int calls,
    uint64_t from)
{
	struct noise	*n;
	uint32_t	 bits = ws->dirmask & (IN_OPEN | IN_CLOSE_NOWRITE);
	int		 accesses = ws->dirmask & IN_ACCESS ? calls : 0;

	if (bits == 0 && accesses == 0)
		return;
	n = ARRAY_PUSH(ws->noise, ws->nnoise);
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
noise(struct watchset *ws, const struct watch *w,
    const struct inotify_event *ie)
{
	struct noise	*n;
	struct watch	*c;
	uint32_t	 bit = ie->mask & WATCH_QUIET;
	size_t		 i;

	if (ws->pos > ws->quiet_until) {
		ws->nnoise = 0;
		return 0;
	}
	if (bit == 0 || !(ie->mask & IN_ISDIR) || ie->len == 0)
		return 0;
	c = watch_child(ws, w, ie->name, strnlen(ie->name, ie->len));
	for (i = 0; i < ws->nnoise; i++) {
		n = &ws->noise[i];
		/* Someone else's, before the listing began: not noise. */
		if ((c != NULL && n->wd != c->wd) ||
		    ws->pos - sizeof(*ie) - ie->len < n->from)
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

static void
hold(struct watchset *ws, const struct inotify_event *ie)
{
	size_t	 len = sizeof(*ie) + ie->len;

	ARRAY_ROOM(ws->held, ws->heldsize, ws->heldlen + len);
	memcpy(ws->held + ws->heldlen, ie, len);
	ws->heldlen += len;
}

/*
 * Append a follow record (watch.h) of kind for ie, named name (len
 * bytes), with the path of its directory (pathlen bytes).
 */
static void
follow(struct watchset *ws, uint32_t kind, const char *path, size_t pathlen,
    const struct inotify_event *ie, const char *name, size_t len)
{
	struct follow		 head;
	struct inotify_event	*out;
	char			*p;

	ARRAY_ROOM(ws->out, ws->outsize, ws->outlen + FOLLOW_SIZE(pathlen, ie));
	p = ws->out + ws->outlen;
	head.kind = kind;
	head.pathlen = pathlen;
	memcpy(p, &head, sizeof(head));
	p += sizeof(head);
	memset(p, 0, FOLLOW_PAD(pathlen));
	if (pathlen > 0)
		memcpy(p, path, pathlen);
	out = (struct inotify_event *)(p + FOLLOW_PAD(pathlen));
	*out = *ie;
	memset(out->name, 0, ie->len);
	if (len > 0)
		memcpy(out->name, name, len);
	ws->outlen += FOLLOW_SIZE(pathlen, ie);
}

/*
 * An event watchx makes up, on w, for the handler to print (FOLLOW_PRINT):
 * what a listing found, an IN_CLOSE_WRITE a listing owes, what a rescan
 * found changed.
 */
void
follow_print(struct watchset *ws, const struct watch *w, uint32_t mask,
    const char *name, size_t len)
{
	struct inotify_event	 ie;
	const char		*path;
	size_t			 pathlen;

	memset(&ie, 0, sizeof(ie));
	ie.wd = w->wd;
	ie.mask = mask;
	/* The length the kernel would give: padded, with the NUL. */
	ie.len = (len + sizeof(ie)) & ~(sizeof(ie) - 1);
	path = watch_path(ws, w, &pathlen);
	follow(ws, FOLLOW_PRINT, path, pathlen, &ie, name, len);
}

/*
 * A move was resolved: the held events whose directory is no longer
 * moving are handed on, to be handled again; the others stay held, in
 * order, so that taking over a directory (unhold()) still finds all of its
 * own.
 */
static void
release(struct watchset *ws)
{
	const struct inotify_event	*ie;
	const struct watch		*w;
	size_t				 off, len, keep = 0;

	for (off = 0; off < ws->heldlen; off += len) {
		ie = (const struct inotify_event *)(ws->held + off);
		len = sizeof(*ie) + ie->len;
		if (ws->nmoves > 0 && (w = watchset_find(ws, ie->wd)) != NULL &&
		    watch_in_moving(w)) {
			memmove(ws->held + keep, ws->held + off, len);
			keep += len;
		} else
			follow(ws, FOLLOW_HANDLE, NULL, 0, ie, ie->name,
			    ie->len);
	}
	ws->heldlen = keep;
}

static struct seen *
seen_add(struct seen_tree *t, int wd, const char *name, size_t len)
{
	struct seen	*s;

	if ((s = malloc(sizeof(*s) + len)) == NULL)
		err(1, NULL);
	s->wd = wd;
	s->len = len;
	s->held = s->listed = 0;
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

/*
 * The listing's IN_CLOSE_WRITE for the file name in directory wd has been
 * printed: its writer's own IN_CLOSE_WRITE, if it comes, is a ghost of it
 * (ghost()).  Ghosts that have expired are purged now and then.
 */
static void
ghost_add(struct watchset *ws, int wd, const char *name, size_t len)
{
	struct seen	*s, *next;
	int64_t		 now = clock_ns();

	if (now >= ws->ghosts_purge) {
		ws->ghosts_purge = NEVER;
		RB_FOREACH_SAFE(s, seen_tree, &ws->ghosts, next) {
			if (s->deadline <= now) {
				RB_REMOVE(seen_tree, &ws->ghosts, s);
				free(s);
				ws->nghosts--;
			} else if (s->deadline < ws->ghosts_purge)
				ws->ghosts_purge = s->deadline;
		}
	}
	if ((s = seen_find(&ws->ghosts, wd, name, len)) == NULL) {
		s = seen_add(&ws->ghosts, wd, name, len);
		ws->nghosts++;
	}
	s->after = ws->seen_until;
	s->deadline = now + GHOST_WAIT;
	if (s->deadline < ws->ghosts_purge)
		ws->ghosts_purge = s->deadline;
}

static void
ghost_del(struct watchset *ws, struct seen *s)
{
	RB_REMOVE(seen_tree, &ws->ghosts, s);
	free(s);
	ws->nghosts--;
}

/*
 * Whether ie is the ghost of an IN_CLOSE_WRITE that a listing reported:
 * the first IN_CLOSE_WRITE of the file within GHOST_WAIT, unless an
 * IN_MODIFY queued after the listing came first (a new write; the writes
 * of the ghost's own writer were all queued before the listing found the
 * file complete).
 */
static int
ghost(struct watchset *ws, const struct inotify_event *ie)
{
	struct seen	*s;

	s = seen_find(&ws->ghosts, ie->wd, ie->name, strnlen(ie->name,
	    ie->len));
	if (s == NULL)
		return 0;
	if (s->deadline < clock_ns()) {
		ghost_del(ws, s);
		return 0;
	}
	if (ie->mask & IN_MODIFY) {
		if (ws->pos - sizeof(*ie) - ie->len >= s->after)
			ghost_del(ws, s);
		return 0;
	}
	ghost_del(ws, s);
	return 1;
}

/*
 * The IN_CLOSE_WRITE a listing owes for s, in a directory whose move is
 * unresolved: held like the kernel's events there, to be printed under
 * its new path or dropped with it.
 */
static void
hold_close(struct watchset *ws, const struct seen *s)
{
	union {
		struct inotify_event	 ie;
		char			 buf[sizeof(struct inotify_event) +
					     NAME_MAX + 1];
	}		 e;
	size_t		 len;

	/* The length the kernel would give: padded, with the NUL. */
	len = (s->len + sizeof(e.ie)) & ~(sizeof(e.ie) - 1);
	memset(&e, 0, sizeof(e.ie) + len);
	e.ie.wd = s->wd;
	e.ie.mask = IN_CLOSE_WRITE;
	e.ie.len = len;
	memcpy(e.ie.name, s->name, s->len);
	hold(ws, &e.ie);
}

/*
 * Report the IN_CLOSE_WRITE a listing owes for s, in directory w.  In a
 * directory whose move is unresolved it is held with the kernel's events
 * there; otherwise the writer's own, should it still come, is a ghost
 * (not after SETTLE_WAIT: no writer was at work).  Nothing of a root that
 * has left its path is printed.
 */
static void
owed(struct watchset *ws, const struct watch *w, const struct seen *s,
    int ghosts)
{
	if (watch_root(w)->gone)
		return;
	if (ws->nmoves > 0 && watch_in_moving(w)) {
		hold_close(ws, s);
		return;
	}
	follow_print(ws, w, IN_CLOSE_WRITE, s->name, s->len);
	if (ghosts)
		ghost_add(ws, s->wd, s->name, s->len);
}

/*
 * A listing found the file of s empty, and owes its IN_CLOSE_WRITE if no
 * writer is at work (SETTLE_WAIT): it waits in ws->settling.
 */
static void
settle_add(struct watchset *ws, const struct seen *s)
{
	struct seen	*p;

	if ((p = seen_find(&ws->settling, s->wd, s->name, s->len)) == NULL) {
		p = seen_add(&ws->settling, s->wd, s->name, s->len);
		ws->nsettling++;
	}
	p->deadline = clock_ns() + SETTLE_WAIT;
	if (p->deadline < ws->settle_first)
		ws->settle_first = p->deadline;
}

/* The file of p has waited out SETTLE_WAIT, or its name is being changed. */
static void
settle_end(struct watchset *ws, struct seen *p, int report)
{
	struct watch	*w;

	if (report && (w = watchset_find(ws, p->wd)) != NULL)
		owed(ws, w, p, 0);
	RB_REMOVE(seen_tree, &ws->settling, p);
	free(p);
	ws->nsettling--;
}

/* Forget what waits in ws->settling for directory wd. */
static void
settle_drop(struct watchset *ws, int wd)
{
	union {
		struct seen	 s;
		char		 buf[sizeof(struct seen) + 1];
	}		 key;
	struct seen	*p, *next;

	key.s.wd = wd;
	key.s.len = 0;
	for (p = RB_NFIND(seen_tree, &ws->settling, &key.s);
	    p != NULL && p->wd == wd; p = next) {
		next = RB_NEXT(seen_tree, &ws->settling, p);
		settle_end(ws, p, 0);
	}
}

/*
 * An event on a file that waits in ws->settling: a write or a close is
 * its writer at work, who reports its own IN_CLOSE_WRITE; anything that
 * changes what the name stands for reports the close now, first.
 */
static void
settle_event(struct watchset *ws, const struct inotify_event *ie)
{
	struct seen	*p;

	p = seen_find(&ws->settling, ie->wd, ie->name, strnlen(ie->name,
	    ie->len));
	if (p == NULL)
		return;
	if (ie->mask & (IN_MODIFY | IN_CLOSE_WRITE))
		settle_end(ws, p, 0);
	else if (ie->mask & (IN_CREATE | IN_DELETE | IN_MOVE))
		settle_end(ws, p, 1);
}

/*
 * A live walk lists directory w (walk.c).  Until the events queued when
 * the walk ended are handled, events on w are measured against what the
 * listing reported (window()).  The directory itself is entered under the
 * empty name, which no entry has.  A directory listed twice in that time
 * counts from its last listing.  Listed anew (taken over after a move),
 * what the first listing owes is dropped: its names are reported again
 * under the new path.  Listed by a rescan, in place, what it owes is
 * reported first.
 */
void
tree_listing(struct watchset *ws, const struct watch *w, int anew)
{
	struct seen	*s, *next;

	/* Listed anew: names it owed a close for are reported again, or not. */
	if (anew && ws->nsettling > 0)
		settle_drop(ws, w->wd);

	if ((s = seen_find(&ws->seen, w->wd, "", 0)) == NULL) {
		seen_add(&ws->seen, w->wd, "", 0);
		ws->nlisted++;
		return;
	}
	for (s = RB_NEXT(seen_tree, &ws->seen, s); s != NULL &&
	    s->wd == w->wd; s = next) {
		next = RB_NEXT(seen_tree, &ws->seen, s);
		if (!anew && s->held && (s->written & WATCH_UNSURE))
			settle_add(ws, s);
		else if (!anew && s->held && (s->written & IN_CLOSE_WRITE))
			owed(ws, w, s, 1);
		RB_REMOVE(seen_tree, &ws->seen, s);
		free(s);
	}
}

/*
 * The listing of w found name.  Reported says whether it reported name (a
 * rescan does not report what the consumer holds already); written, which
 * of IN_MODIFY and IN_CLOSE_WRITE it reported, or owes.
 */
void
tree_listed(struct watchset *ws, const struct watch *w, const char *name,
    size_t len, int reported, uint32_t written)
{
	struct seen	*s;

	if ((s = seen_find(&ws->seen, w->wd, name, len)) == NULL)
		s = seen_add(&ws->seen, w->wd, name, len);
	s->held = 1;
	s->listed = reported != 0;
	s->written = written;
}

/* The walk has ended with the events up to byte until queued. */
void
tree_listed_until(struct watchset *ws, uint64_t until)
{
	if (ws->nlisted > 0)
		ws->seen_until = until;
}

/*
 * The events queued before the listings ended have all been handled.  A
 * file a listing found complete (walk.c, written()) is reported with
 * IN_CLOSE_WRITE now, unless what came since says otherwise: its own
 * IN_CLOSE_WRITE, or its real IN_CREATE (created after its directory was
 * watched, it reports its own), or its deletion.  Then the window closes.
 */
static void
window_end(struct watchset *ws)
{
	struct seen	*s;
	struct watch	*w;

	RB_FOREACH(s, seen_tree, &ws->seen) {
		if (!s->held || !(s->written & IN_CLOSE_WRITE) ||
		    (w = watchset_find(ws, s->wd)) == NULL)
			continue;
		if (s->written & WATCH_UNSURE)
			settle_add(ws, s);
		else
			owed(ws, w, s, 1);
	}
	seen_clear(&ws->seen);
	ws->nlisted = 0;
}

/* Close the listings' window if every event queued in it is handled. */
void
tree_settle(struct watchset *ws)
{
	if (ws->nlisted > 0 && ws->pos >= ws->seen_until)
		window_end(ws);
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
 * reported below it).
 */
static enum verdict
window(struct watchset *ws, const struct inotify_event *ie)
{
	struct seen	*s;
	size_t		 len;

	if (seen_find(&ws->seen, ie->wd, "", 0) == NULL)
		return PASS;
	len = strnlen(ie->name, ie->len);
	s = seen_find(&ws->seen, ie->wd, ie->name, len);
	if (ie->mask & (IN_CREATE | IN_MOVED_TO)) {
		if (s != NULL && s->listed) {
			s->listed = 0;
			if (ie->mask & IN_CREATE)
				s->written &= ~IN_CLOSE_WRITE;
			if ((ie->mask & IN_CREATE) || (ie->mask & IN_ISDIR))
				return DROP;
			return PASS;
		}
		if (s == NULL)
			s = seen_add(&ws->seen, ie->wd, ie->name, len);
		s->held = 1;
		s->written = 0;
		return PASS;
	}
	if (s != NULL && (ie->mask & s->written & IN_MODIFY))
		return DROP;
	/* A file found empty being written: its writer reports its close. */
	if (s != NULL && ((ie->mask & IN_CLOSE_WRITE) || ((ie->mask &
	    IN_MODIFY) && (s->written & WATCH_UNSURE))))
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
	/* A root that left its path: only its IN_IGNORED, which ends it. */
	if (w->gone)
		return ie->mask & IN_IGNORED ? PASS : DROP;
	/* Past the listings' window: what they owe first, then this event. */
	if (ws->nlisted > 0 && ws->pos > ws->seen_until)
		window_end(ws);
	if (ws->nnoise > 0 && noise(ws, w, ie))
		return DROP;
	if (ws->nsettling > 0 && ie->len > 0)
		settle_event(ws, ie);
	if (ws->nghosts > 0 && ie->len > 0 &&
	    (ie->mask & (IN_MODIFY | IN_CLOSE_WRITE)) && ghost(ws, ie))
		return DROP;
	if (ws->nlisted > 0 && ie->len > 0)
		return window(ws, ie);
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
	m = ARRAY_PUSH(ws->moves, ws->nmoves);
	m->w = w;
	m->cookie = cookie;
	m->deadline = clock_ns() + MOVE_WAIT;
	/* Out of its parent's reach, which may go before it arrives. */
	watch_detach(ws, w);
	w->cookie = cookie;
}

/*
 * A sub-directory of w was deleted.  The kernel may still report it
 * (IN_DELETE_SELF and IN_IGNORED can come after its parent's IN_DELETE,
 * and a process that holds it open can still read it), but its path is
 * gone: its watch is forgotten, so nothing more of it is printed.
 */
static void
deleted(struct watchset *ws, struct watch *w, const char *name, size_t len)
{
	struct watch	*c;

	if ((c = watch_child(ws, w, name, len)) != NULL)
		watch_forget(ws, c, 1);
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
root_moved(struct watchset *ws, struct watch *w)
{
	int	 fd;

	if ((fd = watch_open_root(ws, w)) != -1)
		close(fd);
	else if (errno == ESTALE)
		watch_end_root(ws, w);
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
	if ((ie->mask & IN_MOVE_SELF) && w->root && ws->recursive &&
	    !w->gone) {
		root_moved(ws, w);
		return;
	}
	if (ws->mirror && ie->len > 0)
		mirror(w, ie);
	if (!ws->recursive || !(ie->mask & IN_ISDIR) || ie->len == 0)
		return;
	len = strnlen(name, ie->len);
	if (ie->mask & IN_CREATE)
		walk_new(ws, w, name, len);
	else if (ie->mask & IN_DELETE)
		deleted(ws, w, name, len);
	else if (ie->mask & IN_MOVED_FROM)
		moved_from(ws, w, name, len, ie->cookie);
	else if (ie->mask & IN_MOVED_TO) {
		for (i = 0; i < ws->nmoves; i++)
			if (ws->moves[i].cookie == ie->cookie) {
				arrive(ws, i, w, name, len);
				return;
			}
		walk_new(ws, w, name, len);
	}
}

/*
 * When the oldest unresolved move gives up waiting, or the first empty
 * file has settled.
 */
int64_t
tree_deadline(const struct watchset *ws)
{
	int64_t	 at = NEVER;
	size_t	 i;

	for (i = 0; i < ws->nmoves; i++)
		if (ws->moves[i].deadline < at)
			at = ws->moves[i].deadline;
	if (ws->nsettling > 0 && ws->settle_first < at)
		at = ws->settle_first;
	return at;
}

/*
 * Empty files that stayed untouched are complete; one in a directory
 * whose move is unresolved waits for that first (its writer's events are
 * held there).  All of them when the run ends by a signal.
 */
static void
settled(struct watchset *ws, int64_t now, int all)
{
	struct watch	*w;
	struct seen	*p, *next;

	ws->settle_first = NEVER;
	RB_FOREACH_SAFE(p, seen_tree, &ws->settling, next) {
		if (p->deadline <= now && ws->nmoves > 0 &&
		    (w = watchset_find(ws, p->wd)) != NULL &&
		    watch_in_moving(w))
			p->deadline = now + MOVE_WAIT;
		if (all || p->deadline <= now)
			settle_end(ws, p, 1);
		else if (p->deadline < ws->settle_first)
			ws->settle_first = p->deadline;
	}
}

/*
 * Directories whose IN_MOVED_TO did not come have left the tree; empty
 * files that stayed untouched are complete (settled(); all of them with
 * all, for a run ended by a signal).
 */
void
tree_expire(struct watchset *ws, int64_t now, int all)
{
	struct watch	*w;
	size_t		 i;
	int		 gone = 0;

	if (ws->nsettling > 0 && (all || now >= ws->settle_first))
		settled(ws, now, all);

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

/*
 * Parent's new entry name could not be opened because parent's path is
 * out of date: an ancestor was renamed or deleted, and that event is
 * queued, or about to be (the kernel queues a rename's events just after
 * the names have changed).  Try it again once every event queued now, and
 * at least one more, has been handled, and again while ancestors keep
 * being renamed: at most RETRIES times.  Once parent's watch is gone
 * (deleted, or moved out of the tree), so is the entry.
 */
void
tree_later(struct watchset *ws, const struct watch *parent, const char *name,
    size_t len)
{
	struct retry	*r;
	int		 queued = 0;

	if (ws->tries >= RETRIES)
		return;
	ioctl(ws->fd, FIONREAD, &queued);
	r = ARRAY_PUSH(ws->retries, ws->nretries);
	r->wd = parent->wd;
	r->namelen = len;
	r->after = ws->readpos + queued;
	if (r->after <= ws->pos)
		r->after = ws->pos + 1;
	r->tries = ws->tries + 1;
	if ((r->name = strndup(name, len)) == NULL)
		err(1, NULL);
}

/*
 * The retries that are due now.  One whose parent is still moving, or is
 * out of date again, is put back by walk_new(); one whose parent's watch
 * is gone is over.
 */
void
tree_retry(struct watchset *ws)
{
	struct retry	 r;
	struct watch	*parent;
	size_t		 i;

	for (i = 0; i < ws->nretries;) {
		if (ws->retries[i].after > ws->pos) {
			i++;
			continue;
		}
		r = ws->retries[i];
		ws->retries[i] = ws->retries[--ws->nretries];
		if ((parent = watchset_find(ws, r.wd)) != NULL) {
			ws->tries = r.tries;
			walk_new(ws, parent, r.name, r.namelen);
			ws->tries = 0;
		}
		free(r.name);
	}
}

/* Held events of w or below it are dropped: it is listed again instead. */
static void
unhold(struct watchset *ws, const struct watch *w)
{
	const struct inotify_event	*ie;
	const struct watch		*x;
	size_t				 off, len, keep = 0;

	for (off = 0; off < ws->heldlen; off += len) {
		ie = (const struct inotify_event *)(ws->held + off);
		len = sizeof(*ie) + ie->len;
		if ((x = watchset_find(ws, ie->wd)) != NULL &&
		    watch_below(x, w))
			continue;
		memmove(ws->held + keep, ws->held + off, len);
		keep += len;
	}
	ws->heldlen = keep;
}

/*
 * Directory w is taken over where a listing found it (walk.c): whatever
 * move of it was waiting is over, and what was held for it is replaced
 * by the listing.
 */
void
tree_adopt(struct watchset *ws, struct watch *w)
{
	size_t	 i;

	for (i = 0; i < ws->nmoves; i++)
		if (ws->moves[i].w == w) {
			move_remove(ws, i);
			break;
		}
	w->cookie = 0;
	if (ws->heldlen > 0)
		unhold(ws, w);
}

/*
 * The queue overflowed (--on-overflow rescan): every root directory is
 * listed again, and what changed meanwhile reported (walk.c).
 */
void
tree_rescan(struct watchset *ws)
{
	struct watch	*w;
	size_t		 i;

	for (i = 0; i < ws->nrootids; i++)
		if ((w = watchset_find(ws, ws->rootids[i].wd)) != NULL)
			walk_rescan(ws, w);
}

/*
 * Free what the -r bookkeeping holds (before watchset_close(); for the
 * fuzz harness, which makes many watch sets).
 */
void
tree_close(struct watchset *ws)
{
	size_t	 i;

	free(ws->noise);
	free(ws->moves);
	for (i = 0; i < ws->nretries; i++)
		free(ws->retries[i].name);
	free(ws->retries);
	seen_clear(&ws->seen);
	ws->nlisted = 0;
	seen_clear(&ws->ghosts);
	ws->nghosts = 0;
	seen_clear(&ws->settling);
	ws->nsettling = 0;
	free(ws->held);
	ws->noise = NULL;
	ws->moves = NULL;
	ws->retries = NULL;
	ws->held = NULL;
	ws->nmoves = ws->nretries = ws->heldlen = 0;
}
