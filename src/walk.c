/*
 * walk.c: watching a directory tree under -r.
 *
 * Depth first with an explicit stack, so a deep tree cannot overflow the C
 * stack; two descriptors per level (a pin and the listing), each directory
 * opened relative to its parent's, so depth has no PATH_MAX limit and
 * symbolic links are never followed.  Directories are listed with
 * getdents64 and told apart by d_type, with fstatat only for DT_UNKNOWN.
 *
 * Each directory is pinned first by an O_PATH descriptor, which causes no
 * events, and everything else goes through the pin: the watch, the
 * listing and the full mask are all of the directory that was found,
 * even if it is renamed meanwhile.  It is watched before it is listed, so
 * nothing created in it afterwards is missed; the watch leaves out
 * IN_OPEN, IN_ACCESS and IN_CLOSE_NOWRITE until the directory's whole
 * subtree is done, so the walk is silent inside the subtree.  Only the
 * parent of a new directory sees it listed: window.c filters that.
 *
 * A live walk reports what it finds as follow records (follow.c), and
 * tells window.c what it listed; it never calls back into tree.c: a
 * directory that cannot be reached yet is returned to it, to try again.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "entry.h"
#include "filter.h"
#include "follow.h"
#include "root.h"
#include "source.h"
#include "walk.h"
#include "watch.h"
#include "written.h"
#include "window.h"

/*
 * How a live walk reports a directory's entries: all of them (a new
 * directory, or one taken over after a move: listed again), or only what
 * changed from what watchx knew (a rescan after the queue overflowed).
 */
enum mode { NEW, AGAIN, RESCAN };

struct frame {
	struct watch	*w;
	int		 fd;		/* open for listing and below */
	int		 pin;		/* O_PATH; -1 for walk_new()'s parent */
	int		 top;		/* walk_new()'s parent: not listed */
	enum mode	 mode;
	char		*subdirs;	/* names to descend into, NUL-separated */
	size_t		 len;
	size_t		 size;
	size_t		 off;
};

struct walk {
	struct watchset	*ws;
	struct window	*win;		/* a live walk's; NULL at start-up */
	struct frame	*stack;
	size_t		 depth;
	size_t		 size;
	int		 live;		/* a new directory, not the start-up walk */
	int		 late;		/* a start-up walk after start-up */
	int		 calls;		/* getdents64 calls on walk_new()'s entry */
	int		 announce;	/* walk_new()'s entry is printed created */
	struct watch	*entry;		/* and its watch */
};

/*
 * The start-up walk has just failed with errno.  Running out of a
 * resource there (watches, descriptors, memory) would leave part of the
 * tree unwatched from the start, silently but for one warning: that is
 * not a run, so watchx stops (the warning named the limit).  A directory
 * that cannot be read, or is gone, is only skipped.
 */
static void
limit_reached(const struct walk *wk)
{
	if (!wk->live && !wk->late && (errno == ENOSPC || errno == EMFILE ||
	    errno == ENFILE || errno == ENOMEM))
		exit(1);
}

static void
add_subdir(struct frame *f, const char *name, size_t len)
{
	ARRAY_ROOM(f->subdirs, f->size, f->len + len + 1);
	memcpy(f->subdirs + f->len, name, len + 1);
	f->len += len + 1;
}

/*
 * Entry e of directory w is gone (a rescan did not find it): what watchx
 * reported below it is deleted first, deepest first, then e, each by its
 * own IN_DELETE, so that a consumer that applies an IN_DELETE to one entry
 * is left holding nothing of it.  Each is dropped as it is told, never to
 * be told twice.  Returns e's watch, if it had one.
 */
static struct watch *
gone(struct walk *wk, struct watch *w, struct entry *e)
{
	struct entry_tree *below = NULL;
	struct entry	*ce, *next;
	struct watch	*c = NULL;
	uint32_t	 mask = IN_DELETE;

	if (e->dir) {
		mask |= IN_ISDIR;
		c = watch_child(wk->ws, w, e->name, e->len);
	}
	if (c != NULL)
		below = watch_entries(c, 0);
	for (ce = entry_next(below, NULL); ce != NULL; ce = next) {
		next = entry_next(below, ce);
		gone(wk, c, ce);
	}
	follow_print(wk->win->q, w, mask, e->name, e->len);
	window_deleted(wk->win, w, e->name, e->len);
	entry_del(watch_entries(w, 0), e);
	return c;
}

/*
 * A live walk found name in directory f (of type, a d_type): report it as
 * created, and a regular file as written (written_found()), unless a rescan
 * finds it known already.  Under --on-overflow rescan, it is entered among
 * f's entries, marked found by this walk; one a rescan finds new is marked
 * fresh.
 */
static void
found(struct walk *wk, struct frame *f, const char *name, size_t len,
    int type)
{
	struct watchset	*ws = wk->ws;
	struct entry	*e = NULL;
	uint32_t	 bits = 0;
	int		 fresh, dir = type == DT_DIR, unsure = 0;

	if (f->mode == RESCAN &&
	    (e = entry_find(watch_entries(f->w, 0), name, len)) != NULL &&
	    e->dir != dir) {
		/* Replaced by something of another type. */
		gone(wk, f->w, e);
		e = NULL;
	}
	if ((fresh = e == NULL) && type == DT_REG)
		bits = written_found(ws, f->fd, name, &unsure);
	window_listed(wk->win, f->w, name, len, fresh, bits, unsure);
	if (fresh)
		follow_print(wk->win->q, f->w,
		    IN_CREATE | (dir ? IN_ISDIR : 0), name, len);
	if (bits & IN_MODIFY)
		follow_print(wk->win->q, f->w, IN_MODIFY, name, len);
	if (ws->mirror) {
		if (e == NULL)
			e = entry_add(watch_entries(f->w, 1), name, len, dir);
		e->fresh = f->mode == RESCAN && fresh;
		e->gen = ws->gen;
	}
}

/*
 * A rescan is done with directory w: what watchx knew of in it and did
 * not find has vanished, with all it held.
 */
static void
vanished(struct walk *wk, struct watch *w)
{
	struct watchset	*ws = wk->ws;
	struct entry_tree *t = watch_entries(w, 0);
	struct entry	*e, *next;
	struct watch	*c;

	for (e = entry_next(t, NULL); e != NULL; e = next) {
		next = entry_next(t, e);
		if (e->gen != ws->gen && (c = gone(wk, w, e)) != NULL)
			watch_forget(ws, c, 1);
	}
}

/*
 * A live walk found w at another place than the one watchx reported: the
 * move that took it there is queued, or lost in an overflow.  Under
 * --on-overflow rescan the old place is deleted now with what was
 * reported below it, deepest first (the entries say what that was), and
 * the queued events of the move, if any, are dropped (window_told());
 * then w is reported anew where it is.  Otherwise the move's queued
 * IN_MOVED_FROM tells it.
 */
static void
moved_unseen(struct walk *wk, struct watch *w)
{
	struct watch	*parent = w->parent;
	struct entry	*e;

	if (!wk->ws->mirror || parent == NULL || (e = entry_find(
	    watch_entries(parent, 0), watch_name(w), w->namelen)) == NULL)
		return;
	window_told(wk->win, parent, watch_name(w), w->namelen);
	gone(wk, parent, e);
}

/*
 * A rescan met directory name in w, which watchx knew of, and found a
 * different directory there (new to watchx, or taken over from elsewhere):
 * the one known is gone, and this one is reported as new.
 */
static void
replaced(struct walk *wk, const struct frame *f, const char *name,
    size_t len)
{
	struct entry	*e;

	if (f->mode != RESCAN || (e = entry_find(watch_entries(f->w, 0),
	    name, len)) == NULL || e->fresh)
		return;
	follow_print(wk->win->q, f->w, IN_DELETE | IN_ISDIR, name, len);
	follow_print(wk->win->q, f->w, IN_CREATE | IN_ISDIR, name, len);
}

/*
 * List the directory of f: note its sub-directories, and under a live
 * walk report its entries (found()).  Returns the number of getdents64
 * calls, each of which the parent's watch sees as IN_ACCESS.
 */
static int
list(struct walk *wk, struct frame *f)
{
	static char	 buf[64 * 1024]
	    __attribute__((aligned(__alignof__(struct dirent64))));
	struct watchset	*ws = wk->ws;
	struct dirent64	*d;
	struct stat	 st;
	ssize_t		 n, off;
	size_t		 len;
	int		 calls = 0, type;

	if (wk->live)
		window_listing(wk->win, f->w, f->mode != RESCAN);
	/* Its patterns judge what it holds (quiet: its watch is). */
	if (ws->filter != NULL)
		filter_listing(ws->filter, f->w, f->fd);
	/* Taken over: what it held is reported anew. */
	if (f->mode == AGAIN && ws->mirror)
		entry_clear(watch_entries(f->w, 0));
	/* Listed again: only what this listing finds stays (pop()). */
	if (f->mode != NEW)
		watch_sweep_begin(ws, f->w);
	for (;;) {
		calls++;
		if ((n = getdents64(f->fd, buf, sizeof(buf))) <= 0) {
			/* A new directory may be gone again already. */
			if (n == -1 && !(wk->live && errno == ENOENT)) {
				root_warn(ws, f->w, "", 0, errno);
				limit_reached(wk);
			}
			break;
		}
		for (off = 0; off < n; off += d->d_reclen) {
			d = (struct dirent64 *)(buf + off);
			if (d->d_name[0] == '.' && (d->d_name[1] == '\0' ||
			    (d->d_name[1] == '.' && d->d_name[2] == '\0')))
				continue;
			type = d->d_type;
			if (type == DT_UNKNOWN) {
				if (fstatat(f->fd, d->d_name, &st,
				    AT_SYMLINK_NOFOLLOW) == -1)
					continue;
				type = IFTODT(st.st_mode);
			}
			len = strlen(d->d_name);
			if (wk->live)
				found(wk, f, d->d_name, len, type);
			else if (ws->mirror)
				entry_add(watch_entries(f->w, 1), d->d_name, len,
				    type == DT_DIR);
			if (type == DT_DIR)
				add_subdir(f, d->d_name, len);
		}
	}
	return calls;
}

/* Stack directory w, open as fd and pinned by pin (-1: walk_new()'s top). */
static struct frame *
stack(struct walk *wk, struct watch *w, int pin, int fd)
{
	struct frame	*f;

	ARRAY_ROOM(wk->stack, wk->size, wk->depth + 1);
	f = &wk->stack[wk->depth++];
	memset(f, 0, sizeof(*f));
	f->w = w;
	f->pin = pin;
	f->fd = fd;
	return f;
}

/*
 * Start on directory w, pinned by pin and open for listing as fd: list it
 * and stack it.
 */
static int
push(struct walk *wk, struct watch *w, int pin, int fd)
{
	return list(wk, stack(wk, w, pin, fd));
}

/*
 * The subtree of the top frame is done.  Close it while its watch is still
 * quiet, so the close is not seen, then give the watch its full mask
 * through its pin.  A directory listed again drops the watches below it
 * that the listing did not find.
 */
static void
pop(struct walk *wk)
{
	struct watchset	*ws = wk->ws;
	struct frame	*f = &wk->stack[--wk->depth];
	int		 wd;

	close(f->fd);
	if (f->mode == RESCAN)
		vanished(wk, f->w);
	if (f->mode != NEW && !f->top)
		watch_sweep(ws, f->w);
	if ((ws->dirmask & WATCH_QUIET) && !f->top) {
		wd = watch_full(ws, f->pin);
		/* Deleted meanwhile, and its watch gone: not a new one. */
		if (wd != -1 && wd != f->w->wd && watchset_find(ws, wd) == NULL)
			source_unwatch(ws->src, wd);
	}
	if (f->pin != -1)
		close(f->pin);
	free(f->subdirs);
}

/* Whether w's place in the tree still holds the directory pinned by pin. */
static int
still_there(struct watchset *ws, const struct watch *w, int pin)
{
	struct stat	 a, b;
	int		 fd, same;

	if (w->parent == NULL || fstat(pin, &a) == -1)
		return 0;
	if ((fd = root_reach(ws, w)) == -1)
		return 0;
	same = fstat(fd, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino;
	close(fd);
	return same;
}

/*
 * A live walk met f's sub-directory name, pinned by pin, and it is
 * watched already.  A watch that moved here while watchx was behind
 * (moved out and back, or into a directory created meanwhile) is taken
 * over: renamed into place and listed again, so that what it holds is
 * reported under its new path.  One reachable from two places (a bind
 * mount) keeps its first; so does a root, and an ancestor (a loop).  One
 * in place is listed in f's mode, unless f is new (a real IN_CREATE after
 * the listing found it).  Returns whether w is to be listed, in *mode.
 */
static int
adopt(struct walk *wk, int pin, const struct frame *f, const char *name,
    size_t len, struct watch **out, enum mode *mode)
{
	struct watchset	*ws = wk->ws;
	struct watch	*w;
	int		 wd, in_place;

	/* Its wd, its mask as it is (IN_MASK_ADD of what it has). */
	wd = source_watch_fd(ws->src, pin, (ws->dirmask & ~WATCH_QUIET) |
	    IN_MASK_ADD);
	if (wd == -1 || (w = watchset_find(ws, wd)) == NULL)
		return 0;
	in_place = w->parent == f->w && w->namelen == len &&
	    memcmp(watch_name(w), name, len) == 0;
	if (w->root || watch_below(f->w, w) || (in_place && f->mode == NEW) ||
	    (!in_place && still_there(ws, w, pin)))
		return 0;
	/* Listed: quiet until pop(). */
	watch_quiet(ws, pin);
	w->gen = ws->gen;
	*out = w;
	*mode = f->mode;
	if (in_place)
		return 1;
	replaced(wk, f, name, len);
	moved_unseen(wk, w);
	*mode = AGAIN;
	watch_rename(ws, w, f->w, name, len);
	return 1;
}

/*
 * Sub-directory name of f's directory: pin it and watch it with the quiet
 * mask.  Returns the pin, or -1 when it cannot be watched or is already (a
 * directory reached twice keeps its first path), and in *mode how it is
 * to be listed.
 */
static int
descend(struct walk *wk, const struct frame *f, const char *name,
    size_t len, struct watch **w, enum mode *mode)
{
	struct watchset	*ws = wk->ws;
	int		 wd, pin;

	pin = openat(f->fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (pin != -1) {
		wd = watchset_watch_fd(ws, pin, ws->dirmask & ~WATCH_QUIET);
		if (wd != -1) {
			replaced(wk, f, name, len);
			*w = watch_new(ws, f->w, wd, name, len);
			(*w)->gen = ws->gen;
			*mode = NEW;
			return pin;
		}
		if (errno == EEXIST && wk->live) {
			if (adopt(wk, pin, f, name, len, w, mode))
				return pin;
			close(pin);
			return -1;
		}
		close(pin);
	}
	if (errno != EEXIST && !(wk->live && (errno == ENOENT ||
	    errno == ENOTDIR || errno == ELOOP)))
		root_warn(ws, f->w, name, len, errno);
	limit_reached(wk);
	return -1;
}

/*
 * Whether --exclude or --gitignore keeps parent's sub-directory name from
 * being watched.
 */
int
walk_pruned(struct watchset *ws, const struct watch *parent,
    const char *name, size_t len)
{
	return ws->filter != NULL &&
	    filter_excluded(ws->filter, ws, parent, name, len);
}

/*
 * Open the directory pinned by pin for listing.  If it cannot be, its
 * watch gets its full mask at once and pin is closed.
 */
static int
open_list(struct walk *wk, struct watch *w, int pin)
{
	int	 fd;

	if ((fd = openat(pin, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1)
		return fd;
	if (!(wk->live && errno == ENOENT)) {
		root_warn(wk->ws, w, "", 0, errno);
		limit_reached(wk);
	}
	watch_full(wk->ws, pin);
	close(pin);
	return -1;
}

static void
run(struct walk *wk)
{
	struct frame	*f;
	struct watch	*w;
	const char	*name;
	size_t		 len;
	enum mode	 mode;
	int		 pin, fd, top, calls;

	while (wk->depth > 0) {
		f = &wk->stack[wk->depth - 1];
		if (f->off == f->len) {
			pop(wk);
			continue;
		}
		name = f->subdirs + f->off;
		len = strlen(name);
		f->off += len + 1;
		if (walk_pruned(wk->ws, f->w, name, len))
			continue;
		if ((pin = descend(wk, f, name, len, &w, &mode)) == -1)
			continue;
		/* One that patterns no longer leave out: as if created. */
		if (f->top && wk->announce && mode == NEW)
			follow_print(wk->win->q, f->w, IN_CREATE | IN_ISDIR,
			    name, len);
		if ((fd = open_list(wk, w, pin)) == -1)
			continue;
		top = f->top;
		/* f may move: the stack grows. */
		stack(wk, w, pin, fd)->mode = mode;
		calls = list(wk, &wk->stack[wk->depth - 1]);
		if (top) {
			wk->calls = calls;
			wk->entry = w;
		}
	}
	free(wk->stack);
}

/*
 * Walk the tree below root w, pinned by pin, reporting nothing: at
 * start-up, or late (a root given by name that appears later), when
 * running out of a resource is a warning, not the end.
 */
static void
walk_root(struct watchset *ws, struct watch *w, int pin, int late)
{
	struct walk	 wk;
	int		 fd;

	memset(&wk, 0, sizeof(wk));
	wk.ws = ws;
	wk.late = late;
	if ((fd = open_list(&wk, w, pin)) != -1) {
		push(&wk, w, pin, fd);
		run(&wk);
	}
}

/*
 * Watch path, given by the user, and under -r the tree below a directory,
 * reporting nothing: at start-up, or late (a root given by name that
 * appears later, when running out of a resource is a warning, not the
 * end).  Under --gitignore, its work tree is found first, so that its
 * listing reads its patterns.  Returns -1 if it cannot be watched (said
 * why, or errno set: its work tree), 0 otherwise, with its watch in *root
 * (NULL: it is watched already).
 */
int
walk_add_root(struct watchset *ws, const char *path, int late,
    struct watch **root)
{
	int	 pin;

	if (root_add(ws, path, root, &pin) == -1)
		return -1;
	if (pin == -1)
		return 0;
	if (ws->filter != NULL && filter_root(ws->filter, *root, pin) == -1) {
		close(pin);
		return -1;
	}
	walk_root(ws, *root, pin, late);
	return 0;
}

/*
 * The queue overflowed, and events of root's tree are lost: list it all
 * again, watch what is not watched, and report what changed from what
 * watchx knew (found(), vanished(), replaced()).  The root is quiet while
 * it is listed, like every directory below it.
 */
void
walk_rescan(struct window *win, struct watch *root)
{
	struct watchset	*ws = win->ws;
	struct walk	 wk;
	int		 pin, fd;

	if (root->gone)
		return;
	if ((pin = root_open(ws, root)) == -1) {
		/* Its IN_MOVE_SELF was lost: it left its path meanwhile. */
		if (errno == ESTALE)
			root_end(ws, root);
		return;
	}
	memset(&wk, 0, sizeof(wk));
	wk.ws = ws;
	wk.win = win;
	wk.live = 1;
	ws->gen++;
	watch_quiet(ws, pin);
	if ((fd = open_list(&wk, root, pin)) == -1)
		return;
	stack(&wk, root, pin, fd)->mode = RESCAN;
	list(&wk, &wk.stack[0]);
	run(&wk);
	window_until(win, source_mark(ws->src), 0);
}

/*
 * An O_PATH descriptor for watched directory parent by its path (root.c,
 * root_reach()), checked to be the directory parent watches: a path out
 * of date (an ancestor renamed, not read yet) can fail (ENOENT, ENOTDIR,
 * ELOOP) or lead to whatever has taken the name since, which fails with
 * ENOENT here.  The check asks the kernel for the watch of what was
 * opened, adding nothing to a watch's mask (IN_MASK_ADD of a bit that
 * every directory watch has).
 */
static int
open_parent(struct watchset *ws, const struct watch *parent)
{
	int	 fd, wd;

	if ((fd = root_reach(ws, parent)) == -1)
		return -1;
	wd = source_watch_fd(ws->src, fd, IN_MASK_ADD | IN_CREATE |
	    IN_ONLYDIR);
	if (wd == parent->wd)
		return fd;
	/* A directory watchx did not watch now has a watch of its own. */
	if (wd != -1 && watchset_find(ws, wd) == NULL)
		source_unwatch(ws->src, wd);
	close(fd);
	errno = ENOENT;
	return -1;
}

/*
 * A directory appeared in parent (created, or moved in from outside, or
 * no longer left out by the patterns, when announce prints it created):
 * watch it and everything below it, and report what it already holds as
 * IN_CREATE.  Parent is opened relative to its root.  Returns -1 if its
 * path is out of date (an ancestor renamed, not read yet): the caller
 * tries again once the events queued now have been handled.  If the root
 * has left its path (a directory above it renamed), it is ended.
 */
int
walk_new(struct window *win, struct watch *parent, const char *name,
    size_t len, int announce)
{
	struct watchset	*ws = win->ws;
	struct walk	 wk;
	struct frame	*f;
	struct watch	*root;
	uint64_t	 from;
	int		 dirfd, error;

	for (root = parent; root->parent != NULL; root = root->parent)
		;
	if (root->gone || walk_pruned(ws, parent, name, len))
		return 0;
	/* What is queued before the listing begins is not its noise. */
	from = source_mark(ws->src);
	if ((dirfd = open_parent(ws, parent)) == -1) {
		error = errno;
		if (error == ENOENT || error == ENOTDIR || error == ELOOP)
			return -1;
		if (error == ESTALE && root->root)
			root_end(ws, root);
		else if (error != ESTALE)
			root_warn(ws, parent, "", 0, error);
		return 0;
	}
	memset(&wk, 0, sizeof(wk));
	wk.ws = ws;
	wk.win = win;
	wk.live = 1;
	wk.announce = announce;
	ws->gen++;
	f = stack(&wk, parent, -1, dirfd);
	f->top = 1;
	add_subdir(f, name, len);
	run(&wk);
	if (wk.calls == 0)
		return 0;
	window_expect(win, wk.entry, wk.calls, from);
	/* The listing's events are all queued by now. */
	window_until(win, source_mark(ws->src), 1);
	return 0;
}

/*
 * The patterns of directory w's .gitignore changed: read them again,
 * with w's watch quiet meanwhile, so that the reading is not seen.
 * Returns -1 if w's path is out of date.
 */
int
walk_reread(struct watchset *ws, struct watch *w)
{
	int	 fd;

	if ((fd = open_parent(ws, w)) == -1)
		return -1;
	watch_quiet(ws, fd);
	filter_listing(ws->filter, w, fd);
	watch_full(ws, fd);
	close(fd);
	return 0;
}
