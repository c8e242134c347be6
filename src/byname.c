/*
 * byname.c: the paths given by name (--by-name, --wait-exists,
 * --wait-gone, --wait-written).  A path is followed whatever file its
 * name stands for: replaced by a rename (an editor's save, sed -i),
 * deleted and created again, or not there yet.
 *
 * Every directory on the way to the path that exists is watched, from "."
 * (or "/") down to its parent: each for the entry of the next component,
 * and for its own deletion or rename.  Whenever a component other than the
 * last appears or goes, the target is resolved again: each directory is
 * watched before the next component is looked up in it, so a component
 * created in between is seen by its IN_CREATE (race-free).
 *
 * The parent's watch also reports what happens to a file by that name
 * (opened, written, closed), with no gap when the file is replaced: the
 * kernel reports an entry's events to its directory's watch from the
 * moment the entry exists.  So a file is never watched itself; all of its
 * events, and its creation, deletion and renames, come from the parent,
 * and are printed under the path as given with an empty file name.  A
 * directory is watched itself too (the entry), for what happens inside
 * it; its own IN_DELETE_SELF, IN_MOVE_SELF and IN_IGNORED are left out:
 * the parent reports what happened to the name.
 *
 * Targets are few (the paths on the command line), so interests are kept
 * in a plain array and found by a scan.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "byname.h"
#include "escape.h"
#include "follow.h"
#include "root.h"
#include "source.h"
#include "walk.h"
#include "watch.h"
#include "written.h"

/* What a directory of a chain is watched for. */
#define CHAIN_MASK	(IN_CREATE | IN_DELETE | IN_MOVE | IN_DELETE_SELF | \
	IN_MOVE_SELF | IN_ONLYDIR | IN_MASK_ADD)
/* The events a directory reports of its files (and its sub-directories). */
#define FILE_BITS	(IN_ACCESS | IN_MODIFY | IN_ATTRIB | IN_CLOSE | IN_OPEN)
/* What of an event on a chain directory is about the name. */
#define NAME_BITS	(IN_CREATE | IN_DELETE | IN_MOVE | IN_ISDIR)
/* A chain directory itself has gone, or its watch. */
#define SELF_BITS	(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT)

void
byname_open(struct byname *b, struct source *src, struct watchset *ws,
    uint32_t mask, enum wait wait)
{
	memset(b, 0, sizeof(*b));
	b->src = src;
	b->ws = ws;
	b->mask = mask;
	b->wait = wait;
	b->serial = 1;
	follow_open(&b->q, ws);
}

/* Follow path, as given, by its name. */
void
byname_add(struct byname *b, const char *path)
{
	struct target	*t;
	char		*copy, *c, *last;

	if (*path == '\0')
		errx(1, "cannot watch '': No such file or directory");
	t = ARRAY_PUSH(b->targets, b->ntargets);
	memset(t, 0, sizeof(*t));
	if ((t->path = strdup(path)) == NULL ||
	    (copy = strdup(path)) == NULL)
		err(1, NULL);
	t->pathlen = strlen(path);
	t->base = path[0] == '/' ? "/" : ".";
	/* "d/" names a directory, as open(2) has it. */
	t->mustdir = path[t->pathlen - 1] == '/';
	/* "a//b/./c/" is a, b and c. */
	for (c = strtok_r(copy, "/", &last); c != NULL;
	    c = strtok_r(NULL, "/", &last)) {
		if (strcmp(c, ".") == 0)
			continue;
		*ARRAY_PUSH(t->comp, t->ncomp) = c;
	}
	t->buf = copy;
}

/* Mark the interests of target ti stale (1) or fresh (0). */
static void
mark(struct byname *b, size_t ti, int stale)
{
	size_t	 i;

	for (i = 0; i < b->nin; i++)
		if (b->in[i].target == ti)
			b->in[i].stale = stale;
}

/* Target ti holds watch wd at level (again). */
static void
interest(struct byname *b, int wd, size_t ti, int level)
{
	struct interest	*in;
	size_t		 i;

	for (i = 0; i < b->nin; i++)
		if (b->in[i].wd == wd && b->in[i].target == ti &&
		    b->in[i].level == level) {
			b->in[i].stale = 0;
			return;
		}
	source_claim(b->src, wd);
	in = ARRAY_PUSH(b->in, b->nin);
	in->wd = wd;
	in->target = ti;
	in->level = level;
	in->stale = 0;
	/* Not to be handled again for the event that made it. */
	in->seen = b->serial;
}

static int
held(const struct byname *b, int wd)
{
	size_t	 i;

	for (i = 0; i < b->nin; i++)
		if (b->in[i].wd == wd)
			return 1;
	return 0;
}

/*
 * Drop the stale interests of ti, and the watches nobody holds any more:
 * the claim, and with rm the watch too, unless the watch set holds it
 * (not for a watch the kernel has removed itself).
 */
static void
sweep(struct byname *b, size_t ti, int rm)
{
	size_t	 i;
	int	 wd;

	for (i = 0; i < b->nin;) {
		if (b->in[i].target != ti || !b->in[i].stale) {
			i++;
			continue;
		}
		wd = b->in[i].wd;
		b->in[i] = b->in[--b->nin];
		if (held(b, wd))
			continue;
		source_unclaim(b->src, wd);
		if (rm && watchset_find(b->ws, wd) == NULL)
			source_unwatch(b->src, wd);
	}
}

/* Print an event of target t, on watch wd, under its path. */
static void
print(struct byname *b, const struct target *t, int wd, uint32_t mask,
    uint32_t cookie, const char *name, size_t len)
{
	if (b->wait == WAIT_NONE)
		follow_print_path(&b->q, t->path, t->pathlen, wd, mask, cookie,
		    name, len);
}

static void	keep(struct byname *, size_t, int, uint32_t, uint32_t);

/*
 * Target ti has come to exist, or ceased to, by an event with mask on
 * watch wd: printed (outside the waits), and kept for the waits.
 */
static void
change(struct byname *b, size_t ti, int wd, uint32_t mask, uint32_t cookie)
{
	print(b, &b->targets[ti], wd, mask, cookie, "", 0);
	keep(b, ti, wd, mask, cookie);
}

/* The event that may end a wait, printed by byname_report() if it does. */
static void
keep(struct byname *b, size_t ti, int wd, uint32_t mask, uint32_t cookie)
{
	b->due = 1;
	b->last = ti;
	b->lastwd = wd;
	b->lastmask = mask;
	b->lastcookie = cookie;
}

/* Whether the components of t name a ".." anywhere. */
static int
dotdot(const struct target *t)
{
	size_t	 j;

	for (j = 0; j < t->ncomp; j++)
		if (strcmp(t->comp[j], "..") == 0)
			return 1;
	return 0;
}

/*
 * Under -r, whether target ti lies in the tree of another path given: its
 * components start with all of the other one's (given twice: the later
 * of the two).  That tree holds it whenever it exists, so it is never a
 * root of its own: the outer tree's walk leaves a root alone, so what a
 * directory moved in under its name holds would not be reported, and the
 * root would be dropped, with all below it, when its name went.  A path
 * with ".." is compared with none.
 */
static int
nested(const struct byname *b, size_t ti)
{
	const struct target	*t = &b->targets[ti], *u;
	size_t			 ui, j;

	if (dotdot(t))
		return 0;
	for (ui = 0; ui < b->ntargets; ui++) {
		u = &b->targets[ui];
		if (ui == ti || u->ncomp > t->ncomp ||
		    (u->ncomp == t->ncomp && ui > ti) ||
		    strcmp(u->base, t->base) != 0 || dotdot(u))
			continue;
		for (j = 0; j < u->ncomp; j++)
			if (strcmp(u->comp[j], t->comp[j]) != 0)
				break;
		if (j == u->ncomp)
			return 1;
	}
	return 0;
}

/*
 * The path of t exists, open as fd: a directory is watched for the user's
 * events, or under -r handed to the watch set, walked as at start-up
 * (unless it lies in the tree of another path given: nested()).  A
 * file's events come from its parent's watch.
 */
static void
entry(struct byname *b, size_t ti, int fd)
{
	struct target	*t = &b->targets[ti];
	struct watch	*root;
	int		 wd;

	if (b->wait != WAIT_NONE || !t->dir)
		return;
	if (b->ws->recursive) {
		if (t->root == 0 && !nested(b, ti) &&
		    walk_add_root(b->ws, t->path, 1,
		    &root) == 0 && root != NULL)
			t->root = root->wd;
		return;
	}
	wd = source_watch_fd(b->src, fd, b->mask | IN_MASK_ADD | IN_ONLYDIR);
	if (wd != -1)
		interest(b, wd, ti, BYNAME_ENTRY);
	else if (errno != ENOENT)
		root_warn(b->ws, NULL, t->path, t->pathlen, errno);
}

/*
 * Watch the directories on the way to target ti's path, each before the
 * next component is looked up in it, and the path itself if it is there.
 * With look, a file found there is asked how it was written (*bits,
 * complete()).  Returns whether the path exists; -1 if a directory on the
 * way cannot be watched (said why).
 */
static int
chain(struct byname *b, size_t ti, int look, uint32_t *bits)
{
	struct target	*t = &b->targets[ti];
	struct stat	 st;
	uint32_t	 mask;
	size_t		 j;
	int		 fd, next, wd, exists = 0, unsure;
	/* A file's own events: printed, or its close for --wait-written. */
	int		 files = b->wait == WAIT_NONE || b->wait == WAIT_WRITTEN;

	*bits = 0;
	fd = openat(b->src->cwd, t->base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (j = 0; fd != -1 && j < t->ncomp; j++) {
		mask = CHAIN_MASK;
		/* Quiet first: the look at a file found must not be seen. */
		if (j + 1 == t->ncomp && files)
			mask |= b->mask & FILE_BITS & ~WATCH_QUIET;
		if ((wd = source_watch_fd(b->src, fd, mask)) == -1) {
			root_warn(b->ws, NULL, t->path, t->pathlen, errno);
			close(fd);
			return -1;
		}
		interest(b, wd, ti, j);
		next = openat(fd, t->comp[j], O_PATH | O_CLOEXEC |
		    (j + 1 < t->ncomp || t->mustdir ? O_DIRECTORY : 0));
		if (j + 1 == t->ncomp && files) {
			if (next != -1 && look &&
			    (*bits = written_found(b->ws, fd, t->comp[j],
			    &unsure), unsure))
				/* Empty: left to its writer, if any. */
				*bits &= ~IN_CLOSE_WRITE;
			source_watch_fd(b->src, fd, (b->mask & FILE_BITS) |
			    IN_MASK_ADD);
		}
		close(fd);
		fd = next;
	}
	if (fd != -1) {
		exists = 1;
		t->dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
		entry(b, ti, fd);
		close(fd);
	}
	return exists;
}

/*
 * Under -r, the tree the watch set holds for target t is no longer at its
 * name: forgotten, quietly (what takes the name is walked anew).
 */
static void
unroot(struct byname *b, struct target *t)
{
	struct watch	*w;

	if (t->root != 0 && (w = watchset_find(b->ws, t->root)) != NULL)
		root_drop(b->ws, w);
	t->root = 0;
}

/*
 * A file that came with a directory above it was written before its
 * parent was watched: like a listing under -r, it is reported written as
 * chain() found it (IN_MODIFY if not empty, IN_CLOSE_WRITE if nobody had
 * it open for writing; written.c, written_found()), while the parent's watch
 * left out IN_OPEN and IN_CLOSE_NOWRITE.  An empty file is left to its
 * writer, who reports its close, if it is still at work.
 */
static void
complete(struct byname *b, const struct target *t, int wd, uint32_t bits)
{
	if (bits & IN_MODIFY)
		print(b, t, wd, IN_MODIFY, 0, "", 0);
	if (bits & IN_CLOSE_WRITE)
		print(b, t, wd, IN_CLOSE_WRITE, 0, "", 0);
}

/*
 * Resolve target ti again: the watches it needs now are kept or added,
 * and the others dropped, so that a directory watched before and after
 * keeps its watch (nothing happening in it is lost).  A path that came or
 * went with it, by an event with mask why on watch wd (why 0: at start),
 * is reported as created or moved in, deleted or moved away.
 */
static int
resolve(struct byname *b, size_t ti, int wd, uint32_t why)
{
	struct target	*t = &b->targets[ti];
	int		 was = t->exists, dir = t->dir, r;
	uint32_t	 mask, bits;

	mark(b, ti, 1);
	/* Only a file that comes with a directory above it is looked at. */
	r = chain(b, ti, why != 0 && !was, &bits);
	sweep(b, ti, 1);
	t->exists = r == 1;
	if (!t->exists)
		unroot(b, t);
	/* Found by a lookup (at start, or with a directory above it). */
	if (t->exists != was)
		t->settled = t->exists;
	if (why == 0 || t->exists == was)
		return r;
	if (t->exists)
		mask = why & (IN_MOVED_TO | IN_MOVE_SELF) ? IN_MOVED_TO :
		    IN_CREATE;
	else
		mask = why & (IN_MOVED_FROM | IN_MOVE_SELF) ? IN_MOVED_FROM :
		    IN_DELETE;
	if (t->exists ? t->dir : dir)
		mask |= IN_ISDIR;
	change(b, ti, wd, mask, 0);
	if (t->exists && !t->dir)
		complete(b, t, wd, bits);
	return r;
}

/*
 * Whether the path of t, just created, is complete once nobody writes it:
 * a regular file with something in it (a hard link), or no regular file
 * at all (a directory, a FIFO: nothing closes them after writing).
 */
static int
settles(const struct byname *b, const struct target *t)
{
	struct stat	 st;

	return fstatat(b->src->cwd, t->path, &st, 0) == 0 &&
	    (!S_ISREG(st.st_mode) || st.st_size > 0);
}

/*
 * An event on the parent's watch about the last component of target ti:
 * printed under the path as it comes, and a directory's entry watched
 * anew (or not).  Whether the path exists follows the event, not what the
 * entry's watch finds later: a path created and deleted at once was
 * there.  An IN_CREATE of a path known to be there, or a removal of one
 * known to be gone, was reported already: the parent was watched just
 * before the lookup that found the path (resolve()), and the kernel
 * reports the creation it saw too.  (IN_MOVED_TO may replace a file that
 * is there.)
 */
static void
named(struct byname *b, size_t ti, const struct inotify_event *ie)
{
	struct target	*t = &b->targets[ti];
	uint32_t	 mask = ie->mask & NAME_BITS;
	int		 there = (mask & (IN_CREATE | IN_MOVED_TO)) != 0;
	int		 was = t->exists;

	/* "d/" is not a file named d. */
	if (t->mustdir && !(ie->mask & IN_ISDIR))
		return;
	/* What happens to a file; a directory's own watch says it. */
	if (!(ie->mask & (IN_CREATE | IN_DELETE | IN_MOVE))) {
		if (!(ie->mask & IN_ISDIR))
			print(b, t, ie->wd, ie->mask, ie->cookie, "", 0);
		/* The close that may end --wait-written. */
		if ((ie->mask & IN_CLOSE_WRITE) && t->exists) {
			t->settled = 1;
			keep(b, ti, ie->wd, ie->mask, ie->cookie);
		}
		return;
	}
	/* Whatever takes the name now is not the tree watched under it. */
	unroot(b, t);
	resolve(b, ti, ie->wd, 0);
	if (((mask & IN_CREATE) && was) || (!there && !was)) {
		t->exists = was;
		return;
	}
	t->exists = there;
	/*
	 * A file just created is being written, or is about to be: only its
	 * IN_CLOSE_WRITE settles it (a lease taken now could also make its
	 * creator's O_NONBLOCK open fail).  One created with contents (a
	 * hard link) or moved in is settled.
	 */
	t->settled = there && (!(mask & IN_CREATE) || settles(b, t));
	change(b, ti, ie->wd, mask, ie->cookie);
}

/* An event on the watch of target ti's path itself. */
static void
entry_event(struct byname *b, size_t ti, const struct inotify_event *ie)
{
	struct target	*t = &b->targets[ti];
	size_t		 i;

	if (ie->mask & IN_IGNORED) {
		/* Gone from the kernel: the interest goes, no rm. */
		for (i = 0; i < b->nin; i++)
			b->in[i].stale = b->in[i].wd == ie->wd &&
			    b->in[i].target == ti;
		sweep(b, ti, 0);
		return;
	}
	/* What became of the name, its parent says. */
	if (ie->mask & (IN_DELETE_SELF | IN_MOVE_SELF))
		return;
	print(b, t, ie->wd, ie->mask, ie->cookie, ie->name,
	    ie->len > 0 ? strnlen(ie->name, ie->len) : 0);
}

/*
 * An event from the kernel.  Returns whether it is on a watch of this
 * stage (it may be one of the watch set's too, under -r).
 */
int
byname_event(struct byname *b, const struct inotify_event *ie)
{
	struct target	*t;
	size_t		 i, n = 0, ti;
	int		 level, mine = 0;

	b->serial++;
	b->due = 0;
	for (i = 0; i < b->nin; i++)
		if (b->in[i].wd == ie->wd)
			n++;
	while (n-- > 0) {
		/* What is handled may change the interests: look again. */
		for (i = 0; i < b->nin && (b->in[i].wd != ie->wd ||
		    b->in[i].seen == b->serial); i++)
			;
		if (i == b->nin)
			break;
		mine = 1;
		b->in[i].seen = b->serial;
		ti = b->in[i].target;
		level = b->in[i].level;
		t = &b->targets[ti];
		if (level == BYNAME_ENTRY)
			entry_event(b, ti, ie);
		else if (ie->mask & SELF_BITS)
			resolve(b, ti, ie->wd, ie->mask);
		else if (ie->len > 0 && strcmp(ie->name, t->comp[level]) == 0) {
			if ((size_t)level + 1 == t->ncomp)
				named(b, ti, ie);
			else
				resolve(b, ti, ie->wd, ie->mask);
		}
	}
	return mine;
}

/*
 * Watch every target as it is now.  Returns -1 if a directory on the way
 * to one cannot be watched (said why).
 */
int
byname_start(struct byname *b)
{
	size_t	 ti;
	int	 r = 0;

	for (ti = 0; ti < b->ntargets; ti++)
		if (resolve(b, ti, -1, 0) == -1)
			r = -1;
	b->due = 1;
	return r;
}

/*
 * Events were lost (the queue overflowed, --on-overflow rescan): every
 * target is looked up again, and a path that came or went meanwhile is
 * reported as created or deleted.
 */
void
byname_rescan(struct byname *b)
{
	size_t	 ti;

	for (ti = 0; ti < b->ntargets; ti++)
		resolve(b, ti, -1, IN_CREATE | IN_DELETE);
	/* A close may have been lost with the rest. */
	b->due = 1;
}

/*
 * --wait-written: whether no process has the path of t open for writing
 * (written.c, written_busy(): a read lease).  Asked of the file itself; the
 * parent's watch asks for no IN_OPEN or IN_CLOSE_NOWRITE, so the asking
 * is not seen.  One that cannot be opened but is there (another user's)
 * is taken to be written.
 */
static int
unwritten(const struct byname *b, const struct target *t)
{
	struct stat	 st;
	int		 r;

	/* Only a regular file is written and closed (a FIFO is not opened). */
	if (fstatat(b->src->cwd, t->path, &st, 0) == -1)
		return 0;
	if (!S_ISREG(st.st_mode))
		return 1;
	if ((r = written_busy(b->src->cwd, t->path, 1)) == -1)
		return errno != ENOENT && errno != ENOTDIR;
	return r == 0;
}

/*
 * Whether the path of t is as the wait waits for: it exists
 * (--wait-exists), it does not (--wait-gone), or it exists, was not just
 * created empty, and no process has it open for writing
 * (--wait-written).
 */
static int
met(const struct byname *b, const struct target *t)
{
	if (t->exists != (b->wait != WAIT_GONE))
		return 0;
	return b->wait != WAIT_WRITTEN || (t->settled && unwritten(b, t));
}

/*
 * Whether the wait is over: every path is as it waits for.  For
 * --wait-written, asked only at start and after an event that may end it
 * (keep(): a target created, moved in or closed after writing), so that
 * the event printed is that one, and no lease is taken for others.
 */
int
byname_done(const struct byname *b)
{
	size_t	 ti;

	if (b->wait == WAIT_NONE || (b->wait == WAIT_WRITTEN && !b->due))
		return 0;
	for (ti = 0; ti < b->ntargets; ti++)
		if (!met(b, &b->targets[ti]))
			return 0;
	return 1;
}

/*
 * The paths of a wait that are not as it waits for (missing for
 * --wait-exists, there for --wait-gone, not written for --wait-written),
 * escaped and joined by ", " into
 * buf of size bytes (cut short with "..." if they do not fit); the number
 * of them.
 */
size_t
byname_unmet(const struct byname *b, char *buf, size_t size)
{
	size_t	 ti, n = 0, len = 0;
	char	*shown;

	if (size > 0)
		buf[0] = '\0';
	if (b->wait == WAIT_NONE)
		return 0;
	for (ti = 0; ti < b->ntargets; ti++) {
		if (met(b, &b->targets[ti]))
			continue;
		shown = escape_dup(b->targets[ti].path);
		if (len < size)
			len += snprintf(buf + len, size - len, "%s%s",
			    n > 0 ? ", " : "", shown);
		free(shown);
		n++;
	}
	if (len >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
	return n;
}

/* The wait is over: print the event that ended it. */
void
byname_report(struct byname *b)
{
	const struct target	*t = &b->targets[b->last];

	follow_print_path(&b->q, t->path, t->pathlen, b->lastwd, b->lastmask,
	    b->lastcookie, "", 0);
}

void
byname_close(struct byname *b)
{
	size_t	 ti;

	for (ti = 0; ti < b->ntargets; ti++) {
		free(b->targets[ti].path);
		free(b->targets[ti].buf);
		free(b->targets[ti].comp);
	}
	free(b->targets);
	free(b->in);
	follow_close(&b->q);
	memset(b, 0, sizeof(*b));
}
