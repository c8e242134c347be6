/*
 * walk.c: watching a directory tree under -r.
 *
 * Depth first with an explicit stack, so a deep tree cannot overflow the C
 * stack; one O_PATH descriptor per level, each directory opened relative
 * to its parent's, so depth has no PATH_MAX limit and symbolic links are
 * never followed.  Directories are listed with getdents64 and told apart
 * by d_type, with fstatat only for DT_UNKNOWN.
 *
 * Each directory is watched before it is listed, so nothing created in it
 * afterwards is missed; the watch leaves out IN_OPEN, IN_ACCESS and
 * IN_CLOSE_NOWRITE until the directory's whole subtree is done, and
 * O_PATH opens cause no events, so the walk is silent inside the subtree.
 * Only the parent of a new directory sees it listed: tree.c filters that.
 */
#include <sys/inotify.h>
#include <sys/ioctl.h>
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

#include "filter.h"
#include "watch.h"

struct frame {
	struct watch	*w;
	int		 fd;		/* open for listing and below */
	int		 pin;		/* O_PATH, first frame only; else -1 */
	char		*subdirs;	/* names to descend into, NUL-separated */
	size_t		 len;
	size_t		 size;
	size_t		 off;
};

struct walk {
	struct watchset	*ws;
	struct frame	*stack;
	size_t		 depth;
	size_t		 size;
	int		 live;		/* a new directory, not the start-up walk */
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
	if (!wk->live && (errno == ENOSPC || errno == EMFILE ||
	    errno == ENFILE || errno == ENOMEM))
		exit(1);
}

/* A path to name below the directory open as fd, or to fd itself. */
static void
proc_path(char *buf, size_t size, int fd, const char *name)
{
	snprintf(buf, size, "/proc/self/fd/%d%s%s", fd, *name ? "/" : "",
	    name);
}

static void
add_subdir(struct frame *f, const char *name, size_t len)
{
	char	*p;
	size_t	 size;

	if (f->len + len + 1 > f->size) {
		size = f->size == 0 ? 256 : f->size;
		while (size < f->len + len + 1)
			size *= 2;
		if ((p = realloc(f->subdirs, size)) == NULL)
			err(1, NULL);
		f->subdirs = p;
		f->size = size;
	}
	memcpy(f->subdirs + f->len, name, len + 1);
	f->len += len + 1;
}

/*
 * List the directory of f: note its sub-directories, and report every
 * entry as created when the directory is new.  Returns the number of
 * getdents64 calls, each of which the parent's watch sees as IN_ACCESS.
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

	for (;;) {
		calls++;
		if ((n = getdents64(f->fd, buf, sizeof(buf))) <= 0) {
			/* A new directory may be gone again already. */
			if (n == -1 && !(wk->live && errno == ENOENT)) {
				watch_warn(ws, f->w, "", 0, errno);
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
				ws->emit(ws->arg, f->w, IN_CREATE |
				    (type == DT_DIR ? IN_ISDIR : 0),
				    d->d_name, len);
			if (type == DT_DIR)
				add_subdir(f, d->d_name, len);
		}
	}
	return calls;
}

/*
 * Start on directory w, open for listing as fd (and pinned by an O_PATH
 * pin if it is the first of the walk): list it and stack it.
 */
static int
push(struct walk *wk, struct watch *w, int pin, int fd)
{
	struct frame	*f;
	size_t		 size;

	if (wk->depth == wk->size) {
		size = wk->size == 0 ? 16 : wk->size * 2;
		f = reallocarray(wk->stack, size, sizeof(*f));
		if (f == NULL)
			err(1, NULL);
		wk->stack = f;
		wk->size = size;
	}
	f = &wk->stack[wk->depth++];
	memset(f, 0, sizeof(*f));
	f->w = w;
	f->pin = pin;
	f->fd = fd;
	return list(wk, f);
}

/*
 * The subtree of the top frame is done.  Close it while its watch is still
 * quiet, so the close is not seen, then give the watch its full mask,
 * reaching the directory through its parent's descriptor (or its pin).
 */
static void
pop(struct walk *wk)
{
	struct watchset	*ws = wk->ws;
	struct frame	*f = &wk->stack[--wk->depth];
	char		 proc[64 + NAME_MAX];
	int		 wd;

	close(f->fd);
	if (ws->dirmask & WATCH_QUIET) {
		if (f->pin != -1)
			proc_path(proc, sizeof(proc), f->pin, "");
		else
			proc_path(proc, sizeof(proc),
			    wk->stack[wk->depth - 1].fd, f->w->name);
		wd = inotify_add_watch(ws->fd, proc,
		    ws->dirmask | (f->pin == -1 ? IN_DONT_FOLLOW : 0));
		/* Renamed meanwhile: something else took the name. */
		if (wd != -1 && wd != f->w->wd && watchset_find(ws, wd) == NULL)
			inotify_rm_watch(ws->fd, wd);
	}
	if (f->pin != -1)
		close(f->pin);
	free(f->subdirs);
}

/*
 * Parent's sub-directory name, below the open directory dirfd: watch it
 * with the quiet mask, then open it for listing.  Returns its descriptor,
 * or -1 when it cannot be watched or is already (a directory reached twice
 * keeps its first path).  Adding the watch by name first means a
 * directory that is watched already is not even opened.
 */
static int
descend(struct walk *wk, int dirfd, struct watch *parent, const char *name,
    size_t len, struct watch **w)
{
	struct watchset	*ws = wk->ws;
	char		 proc[64 + NAME_MAX];
	int		 wd, fd;

	proc_path(proc, sizeof(proc), dirfd, name);
	wd = inotify_add_watch(ws->fd, proc,
	    (ws->dirmask & ~WATCH_QUIET) | IN_DONT_FOLLOW | IN_MASK_CREATE);
	if (wd == -1) {
		if (errno != EEXIST && !(wk->live && (errno == ENOENT ||
		    errno == ENOTDIR || errno == ELOOP)))
			watch_warn(ws, parent, name, len, errno);
		limit_reached(wk);
		return -1;
	}
	*w = watch_new(ws, parent, wd, name, len);
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1 && !(wk->live && errno == ENOENT)) {
		watch_warn(ws, parent, name, len, errno);
		limit_reached(wk);
	}
	return fd;
}

/* Whether --exclude keeps parent's sub-directory name from being watched. */
static int
pruned(struct watchset *ws, const struct watch *parent, const char *name,
    size_t len)
{
	const char	*dir;
	size_t		 dirlen;

	if (ws->filter == NULL)
		return 0;
	dir = watch_path(ws, parent, &dirlen);
	return filter_excluded(ws->filter, dir, dirlen, name, len);
}

static void
run(struct walk *wk)
{
	struct frame	*f;
	struct watch	*w;
	const char	*name;
	size_t		 len;
	int		 fd;

	while (wk->depth > 0) {
		f = &wk->stack[wk->depth - 1];
		if (f->off == f->len) {
			pop(wk);
			continue;
		}
		name = f->subdirs + f->off;
		len = strlen(name);
		f->off += len + 1;
		if (pruned(wk->ws, f->w, name, len))
			continue;
		if ((fd = descend(wk, f->fd, f->w, name, len, &w)) != -1)
			push(wk, w, -1, fd);
	}
	free(wk->stack);
}

/*
 * Open the directory pinned by pin for listing.  If it cannot be, its
 * watch gets its full mask at once and pin is closed.
 */
static int
open_list(struct walk *wk, struct watch *w, int pin)
{
	char	 proc[64];
	int	 fd;

	if ((fd = openat(pin, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1)
		return fd;
	if (!(wk->live && errno == ENOENT)) {
		watch_warn(wk->ws, w, "", 0, errno);
		limit_reached(wk);
	}
	proc_path(proc, sizeof(proc), pin, "");
	inotify_add_watch(wk->ws->fd, proc, wk->ws->dirmask);
	close(pin);
	return -1;
}

/* Walk the tree below root w, pinned by pin, at start-up. */
int
walk_root(struct watchset *ws, struct watch *w, int pin)
{
	struct walk	 wk;
	int		 fd;

	memset(&wk, 0, sizeof(wk));
	wk.ws = ws;
	if ((fd = open_list(&wk, w, pin)) == -1)
		return 0;
	push(&wk, w, pin, fd);
	run(&wk);
	return 0;
}

/*
 * An O_PATH descriptor for watched directory w, opened component by
 * component from its root, for paths too long for one open.
 */
static int
open_chain(struct watchset *ws, const struct watch *w)
{
	const struct watch	**chain = NULL, *a;
	size_t			  n = 0, i;
	int			  fd, next;

	for (a = w; a != NULL; a = a->parent)
		n++;
	if ((chain = reallocarray(NULL, n, sizeof(*chain))) == NULL)
		err(1, NULL);
	for (i = n, a = w; a != NULL; a = a->parent)
		chain[--i] = a;
	fd = open(chain[0]->name, O_PATH | O_DIRECTORY | O_CLOEXEC |
	    (ws->nofollow ? O_NOFOLLOW : 0));
	for (i = 1; i < n && fd != -1; i++) {
		next = openat(fd, chain[i]->name, O_PATH | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
	}
	free(chain);
	return fd;
}

/*
 * A directory appeared in parent (created, or moved in from outside):
 * watch it and everything below it, and report what it already holds as
 * IN_CREATE.  If it is watched already, return its watch (it may be one
 * that moved out and came back); otherwise NULL.
 */
struct watch *
walk_new(struct watchset *ws, struct watch *parent, const char *name,
    size_t len)
{
	struct walk	 wk;
	struct watch	*w;
	const char	*dir;
	char		 path[PATH_MAX], proc[64];
	size_t		 dirlen;
	int		 pin, dirfd, fd, calls, queued, wd;

	if (pruned(ws, parent, name, len))
		return NULL;
	memset(&wk, 0, sizeof(wk));
	wk.ws = ws;
	wk.live = 1;

	/* O_PATH: opening it is not an event, for it or for parent. */
	dir = watch_path(ws, parent, &dirlen);
	if (dirlen + len + 2 <= sizeof(path)) {
		snprintf(path, sizeof(path), "%.*s%s%s", (int)dirlen, dir,
		    dir[dirlen - 1] == '/' ? "" : "/", name);
		dirfd = AT_FDCWD;
	} else if ((dirfd = open_chain(ws, parent)) == -1)
		return NULL;
	pin = openat(dirfd, dirfd == AT_FDCWD ? path : name, O_PATH |
	    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (pin == -1 && errno != ENOENT && errno != ENOTDIR && errno != ELOOP)
		watch_warn(ws, parent, name, len, errno);
	if (dirfd != AT_FDCWD)
		close(dirfd);
	if (pin == -1)
		return NULL;

	proc_path(proc, sizeof(proc), pin, "");
	wd = inotify_add_watch(ws->fd, proc,
	    (ws->dirmask & ~WATCH_QUIET) | IN_MASK_CREATE);
	if (wd == -1 && errno == EEXIST) {
		wd = inotify_add_watch(ws->fd, proc, ws->dirmask);
		close(pin);
		return wd == -1 ? NULL : watchset_find(ws, wd);
	}
	if (wd == -1) {
		watch_warn(ws, parent, name, len, errno);
		close(pin);
		return NULL;
	}
	w = watch_new(ws, parent, wd, name, len);
	if ((fd = open_list(&wk, w, pin)) == -1)
		return NULL;
	calls = push(&wk, w, pin, fd);
	run(&wk);
	tree_expect(ws, parent, name, len, calls);

	/* The listing's events are all queued by now. */
	if (ioctl(ws->fd, FIONREAD, &queued) == 0)
		ws->quiet_until = ws->readpos + queued;
	return NULL;
}
