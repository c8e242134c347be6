/*
 * handle.c: one event's way from the source to the output.  Its watch is
 * looked up, the -r bookkeeping may drop it (tree.c), the globs may
 * filter it, --pair-moves may join it to its partner (pair.c), and what
 * is left is printed (output.c); the -r stage then updates the watch set,
 * and what it made up meanwhile (follow records) is printed in turn.  A
 * directory's IN_MOVED_FROM under -r is handled with its IN_MOVED_TO in
 * view: until the events read hold it, or MOVE_WAIT has passed, it and
 * what follows it wait in the loop's buffer (ready()).
 * Terminal events and the -x/-n conditions set the exit status.  Nothing
 * here waits: the loop (loop.c) reads, and calls in here with what it
 * read and when timers are due.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "clock.h"
#include "byname.h"
#include "config.h"
#include "escape.h"
#include "filter.h"
#include "handle.h"
#include "output.h"
#include "pair.h"
#include "source.h"
#include "stats.h"
#include "tree.h"
#include "watch.h"


/* Print ev, and see whether that ends the run. */
static void
print(struct handler *h, const struct event *ev)
{
	if (output_event(h->out, ev) == -1) {
		/* The loop decides what a failed write means. */
		h->error = errno;
		h->status = 1;
		return;
	}
	h->printed++;
	if ((h->cfg->count > 0 && h->printed >= h->cfg->count) ||
	    (ev->mask & h->cfg->exit_on) != 0)
		h->status = 0;
}

/*
 * Print the queued records that are ready by now (NEVER: all of them,
 * moves still waiting going alone).
 */
static void
release_pairs(struct handler *h, int64_t now)
{
	struct pending	 p;

	while (pair_pop(&h->pairs, now, &p)) {
		if (h->status == -1)
			print(h, &p.ev);
		pair_free(&p);
	}
}

/*
 * An event to print, unless --include/--exclude say otherwise.  Under
 * --pair-moves a move waits for its other half, and what follows it
 * waits with it.  Terminal events are printed whatever the filters say.
 */
static void
emit(struct handler *h, const struct watch *w, const char *path,
    size_t pathlen, size_t rootlen, const struct inotify_event *ie,
    const char *name, size_t namelen, int terminal)
{
	struct event	 ev;

	if (h->status != -1)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.wd = ie->wd;
	ev.mask = ie->mask;
	ev.cookie = ie->cookie;
	ev.len = ie->len;
	ev.name = name;
	ev.namelen = namelen;
	ev.path = path;
	ev.pathlen = pathlen;
	/* Under -r, a watch with no name is a directory's own. */
	if (!terminal && h->filter != NULL && !filter_pass(h->filter, w,
	    path, pathlen, rootlen, name, namelen, (ie->mask & IN_ISDIR) ||
	    (namelen == 0 && h->ws->recursive)))
		return;
	/* What watchx's own writes cause would be printed, and written... */
	if (!terminal && self_is(&h->self, h->src->cwd, path, pathlen, name,
	    namelen, ie->mask))
		return;

	if (!h->cfg->pair_moves) {
		print(h, &ev);
		return;
	}
	if (!((ie->mask & IN_MOVED_TO) && ie->cookie != 0 &&
	    pair_join(&h->pairs, &ev, &h->when))) {
		if (h->pairs.n == 0 &&
		    !((ie->mask & IN_MOVED_FROM) && ie->cookie != 0)) {
			print(h, &ev);
			return;
		}
		pair_push(&h->pairs, &ev, &h->when, clock_ns() + PAIR_WAIT);
	}
	release_pairs(h, 0);
}

/*
 * The run ends with 3 because of ie, on w (NULL for an overflow): say why
 * on stderr, unless -q.  The watch is still there (forgotten after).
 */
static void
say_why(struct handler *h, const struct watch *w,
    const struct inotify_event *ie)
{
	struct stat	 st;
	const char	*p;
	char		*path, *shown;
	size_t		 len;
	int		 deleted = w != NULL && w->deleted, there;
	/* What people who meet this most often want instead. */
	const char	*hint = h->cfg->recursive || h->cfg->compat ? "" :
			    "; to follow the path whatever file it names, use "
			    "--by-name";
	/* inotifywait's one-shot ends with any root: others may be left. */
	const char	*left = h->ws->nroots > 1 ? "" : "no watch is left: ";

	if (h->cfg->quiet)
		return;
	if (w == NULL) {
		if (h->src->queue_max > 0)
			warnx("the kernel's event queue overflowed: it holds "
			    "%lld events (%s), and later ones were lost",
			    h->src->queue_max, SOURCE_QUEUE_MAX);
		else
			warnx("the kernel's event queue overflowed: events "
			    "were lost");
		return;
	}
	p = watch_path(h->ws, w, &len);
	if ((path = strndup(p, len)) == NULL)
		err(1, NULL);
	/*
	 * The path as it is now tells what happened: there again, another
	 * file took its place (an editor's save by rename, or deleted and
	 * made again); gone, it was deleted, whether or not -e asked for
	 * IN_DELETE_SELF.
	 */
	/* A symbolic link given is followed, as the watch was (but -P). */
	there = !w->gone && fstatat(h->src->cwd, path, &st,
	    h->cfg->nofollow ? AT_SYMLINK_NOFOLLOW : 0) == 0;
	if (!there && !w->gone && errno == ENOENT)
		deleted = 1;
	shown = escape_dup(path);
	if (ie->mask & IN_UNMOUNT)
		warnx("the file system of '%s' was unmounted", shown);
	else if (w->gone)
		warnx("%s'%s' has left its path%s", left, shown, hint);
	else if (there)
		warnx("%s'%s' was replaced by another file%s", left, shown,
		    hint);
	else if (deleted)
		warnx("%s'%s' was deleted%s", left, shown, hint);
	else
		warnx("%s'%s' is no longer watched", left, shown);
	free(shown);
	free(path);
}

/* What a stage made up (follow.h, follow records), printed in order. */
static void
take(struct handler *h, struct follow_queue *q)
{
	const struct inotify_event	*ie;
	struct follow			 head;
	char				*buf, *p;
	size_t				 len;

	if (q->outlen == 0)
		return;
	buf = follow_take(q, &len);
	for (p = buf; p < buf + len; p += FOLLOW_SIZE(head.pathlen, ie)) {
		memcpy(&head, p, sizeof(head));
		ie = (const struct inotify_event *)(p + sizeof(head) +
		    FOLLOW_PAD(head.pathlen));
		if ((ie->mask & h->print) != 0)
			emit(h, h->filter != NULL ?
			    watchset_find(h->ws, ie->wd) : NULL,
			    p + sizeof(head), head.pathlen, head.rootlen, ie,
			    ie->name, strnlen(ie->name, ie->len), 0);
	}
	free(buf);
}

/* What the -r stage and the by-name stage have handed on. */
static void
follow(struct handler *h)
{
	take(h, &h->tree.q);
	if (h->names != NULL)
		take(h, &h->names->q);
}

/*
 * An event on a watch of the by-name stage: printed there under the path
 * given.  A wait (--wait-exists, --wait-gone, --wait-written) that it
 * ends prints the event and ends the run with 0.  Returns whether the
 * event is the stage's alone (not also on a watch of the watch set).
 */
static int
by_name(struct handler *h, const struct inotify_event *ie)
{
	if (!byname_event(h->names, ie))
		return 0;
	follow(h);
	if (byname_done(h->names) && h->status == -1) {
		byname_report(h->names);
		follow(h);
		if (h->status == -1)
			h->status = 0;
		return 1;
	}
	return watchset_find(h->ws, ie->wd) == NULL;
}

/*
 * One event from the kernel (to: an IN_MOVED_FROM's other half, if read:
 * ready()).  Terminal events (overflow, unmount, the last root gone) are
 * printed whatever -e says, then end the run with 3 unless the same event
 * also satisfied -x or -n; under --on-overflow rescan, an overflow is
 * followed by a rescan of the tree instead.
 */
static void
handle(struct handler *h, const struct inotify_event *ie,
    const struct inotify_event *to)
{
	struct watch	*w;
	const char	*path;
	size_t		 pathlen;
	enum verdict	 v;
	int		 terminal;

	if (ie->mask & IN_Q_OVERFLOW) {
		if (!h->cfg->compat || (ie->mask & h->print))
			emit(h, NULL, "", 0, 0, ie, "", 0, 1);
		release_pairs(h, NEVER);
		if (h->status != -1)
			return;
		if (h->cfg->rescan) {
			tree_rescan(&h->tree);
			if (h->names != NULL)
				byname_rescan(h->names);
			follow(h);
		} else {
			say_why(h, NULL, ie);
			h->status = 3;
		}
		return;
	}
	self_note(&h->self, ie);
	if (h->names != NULL && by_name(h, ie))
		return;
	/* Events queued before their watch was forgotten. */
	if ((w = watchset_find(h->ws, ie->wd)) == NULL)
		return;
	/* Dropped: not printed, still followed. */
	v = tree_filter(&h->tree, w, ie);
	/* What it owed before this event (the listings' IN_CLOSE_WRITE). */
	follow(h);
	/*
	 * By name, a root that goes is waited for again: not the end.  As
	 * inotifywait, waiting for one event, any root that goes is.
	 */
	terminal = (ie->mask & IN_UNMOUNT) || ((ie->mask & IN_IGNORED) &&
	    w->root && (h->ws->nroots == 1 || h->cfg->once) &&
	    h->names == NULL);
	/* inotifywait prints only the events asked for. */
	if (v == PASS && ((terminal && !h->cfg->compat) ||
	    (ie->mask & h->print) != 0)) {
		path = watch_path(h->ws, w, &pathlen);
		emit(h, w, path, pathlen, h->filter != NULL ?
		    watch_root(w)->namelen : 0, ie, ie->len > 0 ? ie->name : "",
		    ie->len > 0 ? strnlen(ie->name, ie->len) : 0, terminal);
	}
	if (terminal) {
		release_pairs(h, NEVER);
		if (h->status == -1) {
			say_why(h, w, ie);
			h->status = 3;
		}
	}
	tree_update(&h->tree, w, ie, to);
	follow(h);
}

/*
 * Start handling for the run that cfg describes.
 */
void
handler_open(struct handler *h, const struct config *cfg,
    struct watchset *ws, struct source *src, struct output *out,
    struct filter *filter, struct byname *names)
{
	memset(h, 0, sizeof(*h));
	pair_init(&h->pairs);
	tree_open(&h->tree, ws, src);
	self_open(&h->self, out->fd);
	h->cfg = cfg;
	h->ws = ws;
	h->src = src;
	h->names = names;
	h->out = out;
	h->filter = filter;
	h->print = cfg->events | cfg->exit_on;
	h->status = -1;
	h->move_due = NEVER;
}

/* A read was made just now: the events it brought happened now. */
void
handler_begin(struct handler *h)
{
	output_time(h->out, &h->when);
	self_batch(&h->self);
}

/*
 * Whether ie, followed by the events next to end, can be handled now.  A
 * watched directory's IN_MOVED_FROM under -r is handled with its
 * IN_MOVED_TO, which the kernel queues just after it (tree_partner(): in
 * *to): if the events read end before it could come, ie waits for the
 * next read, for at most MOVE_WAIT; then, or without it among the events
 * after, the directory has left the tree.
 */
static int
ready(struct handler *h, const struct inotify_event *ie, const char *next,
    const char *end, const struct inotify_event **to)
{
	const struct watch	*w;

	*to = NULL;
	if (!h->ws->recursive || (ie->mask & (IN_MOVED_FROM | IN_ISDIR)) !=
	    (IN_MOVED_FROM | IN_ISDIR) ||
	    (w = watchset_find(h->ws, ie->wd)) == NULL)
		return 1;
	if (tree_partner(&h->tree, w, ie, next, end, to) == -1 &&
	    !h->move_late) {
		if (h->move_due == NEVER)
			h->move_due = clock_ns() + MOVE_WAIT;
		return 0;
	}
	h->move_due = NEVER;
	h->move_late = 0;
	return 1;
}

/*
 * Handle the events of the read, len bytes of buf, in order.  Returns the
 * bytes handled: all of them, unless an event ends the run or fills the
 * output's backlog (output_full()), so that what a slow reader has not
 * taken never grows past the backlog by more than one event's records,
 * or a directory's IN_MOVED_FROM waits for the next read (ready(),
 * handler_waiting()); the loop hands the rest back later.
 */
size_t
handler_events(struct handler *h, const char *buf, size_t len)
{
	const struct inotify_event	*ie, *to;
	const char			*p, *end = buf + len;

	for (p = buf; p < end;) {
		ie = (const struct inotify_event *)p;
		if (!ready(h, ie, p + sizeof(*ie) + ie->len, end, &to))
			return p - buf;
		p += sizeof(*ie) + ie->len;
		source_take(h->src, ie);
		handle(h, ie, to);
		if (h->tree.nretries > 0) {
			tree_retry(&h->tree);
			follow(h);
		}
		if (h->status != -1 || (p < buf + len && output_full(h->out)))
			return p - buf;
	}
	tree_settle(&h->tree);
	follow(h);
	return len;
}

/*
 * Whether a directory's IN_MOVED_FROM waits for the next read (ready()):
 * the loop reads on, after the events it kept.
 */
int
handler_waiting(const struct handler *h)
{
	return h->move_due != NEVER && !h->move_late;
}

/*
 * Time is now: an IN_MOVED_FROM that waited too long is handled without
 * its other half, and records that are ready are printed (with all, every
 * record still queued).
 */
void
handler_timers(struct handler *h, int64_t now, int all)
{
	if (h->move_due != NEVER && (all || now >= h->move_due))
		h->move_late = 1;
	if (tree_due(&h->tree) && h->status == -1) {
		tree_expire(&h->tree, now, all);
		follow(h);
	}
	if (h->pairs.n > 0)
		release_pairs(h, all ? NEVER : now);
}

/*
 * Whether a record is still due without any new event (an empty file's
 * IN_CLOSE_WRITE, window.c): -t does not end the run before it.
 */
int
handler_due(const struct handler *h)
{
	return tree_due(&h->tree);
}

/* When handler_timers() is next needed, or NEVER. */
int64_t
handler_deadline(const struct handler *h)
{
	int64_t	 at = pair_deadline(&h->pairs);

	if (tree_deadline(&h->tree) < at)
		at = tree_deadline(&h->tree);
	if (handler_waiting(h) && h->move_due < at)
		at = h->move_due;
	return at;
}

/*
 * inotifywatch -z: a row in the table for every watch, events or not:
 * each path given and, under -r, every directory below it.
 */
void
handler_rows(struct handler *h)
{
	struct watch	**stack = NULL, *w, *c;
	struct stat	 st;
	const char	*path;
	size_t		 i, n = 0, len;

	for (i = 0; i < h->ws->nrootids; i++)
		if ((w = watchset_find(h->ws, h->ws->rootids[i].wd)) != NULL)
			*ARRAY_PUSH(stack, n) = w;
	while (n > 0) {
		w = stack[--n];
		path = watch_path(h->ws, w, &len);
		stats_touch(h->out->stats, path, len, w->parent != NULL ||
		    (fstatat(h->src->cwd, path, &st, 0) == 0 &&
		    S_ISDIR(st.st_mode)));
		for (c = watch_next_child(h->ws, w, NULL); c != NULL;
		    c = watch_next_child(h->ws, w, c))
			*ARRAY_PUSH(stack, n) = c;
	}
	free(stack);
}

/* The run is over: drop what waits. */
void
handler_close(struct handler *h)
{
	pair_clear(&h->pairs);
	tree_close(&h->tree);
	self_close(&h->self);
}
