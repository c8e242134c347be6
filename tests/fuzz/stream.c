/*
 * stream.c: libFuzzer harness for the record stream: batches of events
 * shaped as the kernel shapes them (any order, any watch, any cookie),
 * through handle.c and the -r stage (tree.c, window.c, follow.c, watch.c),
 * over a watch set made up here (a root and some sub-directories), with a
 * move's first half waiting for the next batch and giving up at any point,
 * and --pair-moves on or off.  New directories are
 * looked up relative to the current directory, where the runner keeps
 * nothing, so they are found gone.
 *
 * Or, with a flag of the input, over a real tree made afresh in the
 * current directory and watched as -r watches it (walk.c), which the
 * input changes between batches (directories made, moved and removed):
 * then new directories, rescans (--on-overflow rescan on or off) and
 * retries list real directories, so the listing code runs under fuzzing
 * too.  The kernel's own events of those changes are never read: the
 * input says what happened.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "events.h"
#include "fuzz.h"
#include "handle.h"
#include "output.h"
#include "source.h"
#include "tree.h"
#include "walk.h"
#include "watch.h"

#define WATCHES		8
#define BATCH		16

static const char *const names[] = { "a", "b", "c", "dir" };

/* What one kernel event can be: one event bit, or a notice alone. */
static const uint32_t kinds[] = {
	IN_ACCESS, IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE, IN_CLOSE_NOWRITE,
	IN_OPEN, IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE,
	IN_DELETE_SELF, IN_MOVE_SELF, IN_UNMOUNT, IN_IGNORED, IN_Q_OVERFLOW,
};

static int	 devnull = -1;

/* Append one event to buf at *off; returns 0 when it does not fit. */
static int
add_event(struct input *in, char *buf, size_t size, size_t *off, int maxwd)
{
	struct inotify_event	 ie;
	char			 name[32];
	size_t			 n = 0, i, pad;
	unsigned int		 pick;

	memset(&ie, 0, sizeof(ie));
	pick = take(in, 1);
	ie.mask = kinds[pick % (sizeof(kinds) / sizeof(kinds[0]))];
	ie.wd = take(in, 1) % (maxwd + 2);
	if (ie.mask & IN_Q_OVERFLOW)
		ie.wd = -1;
	if ((pick & 0x80) && !(ie.mask & (IN_IGNORED | IN_Q_OVERFLOW |
	    IN_UNMOUNT)))
		ie.mask |= IN_ISDIR;
	if (ie.mask & IN_MOVE)
		ie.cookie = 1 + take(in, 1) % 4;
	/* An entry's event has a name; the watch's own has none. */
	if (ie.mask & (IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE) ||
	    ((ie.mask & (IN_ACCESS | IN_MODIFY | IN_ATTRIB | IN_CLOSE |
	    IN_OPEN)) && (pick & 0x40))) {
		pick = take(in, 1);
		if (pick < 200) {
			n = strlen(names[pick % 4]);
			memcpy(name, names[pick % 4], n);
		} else {
			for (n = 0; n < 1 + pick % 12 && in->len > 0; n++) {
				name[n] = take(in, 1);
				if (name[n] == '\0' || name[n] == '/')
					name[n] = '_';
			}
		}
	}
	pad = n == 0 ? 0 : (n + 1 + sizeof(ie) - 1) / sizeof(ie) * sizeof(ie);
	if (*off + sizeof(ie) + pad > size)
		return 0;
	ie.len = pad;
	memcpy(buf + *off, &ie, sizeof(ie));
	for (i = 0; i < pad; i++)
		buf[*off + sizeof(ie) + i] = i < n ? name[i] : '\0';
	*off += sizeof(ie) + pad;
	return 1;
}

/*
 * A root r (wd 1) and up to WATCHES - 1 directories below it.  A name
 * used twice in one directory displaces (and forgets) the first and what
 * is below it, so parents are looked up by wd each time.
 */
static int
make_tree(struct input *in, struct watchset *ws)
{
	struct watch	*parent;
	const char	*name;
	int		 n, i;
	unsigned int	 pick;

	watch_new(ws, NULL, 1, "r", 1);
	n = 1 + take(in, 1) % WATCHES;
	for (i = 1; i < n; i++) {
		pick = take(in, 1);
		if ((parent = watchset_find(ws, 1 + pick % i)) == NULL)
			parent = watchset_find(ws, 1);
		name = names[(pick >> 4) % 4];
		watch_new(ws, parent, i + 1, name, strlen(name));
	}
	return n;
}

/* The places of the real tree that the input makes, moves and removes. */
static const char *const places[] = {
	"r/dir", "r/a/dir", "r/b/dir", "r/a/c/dir", "r/a/c", "r/b",
};
#define NPLACES	(sizeof(places) / sizeof(places[0]))

static int
unlink_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Remove path and everything below it, if it is there. */
static void
remove_tree(const char *path)
{
	nftw(path, unlink_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Make directory path with a file, an empty file and a sub-directory. */
static void
make_dir(const char *path)
{
	char	 sub[64];
	int	 fd;

	if (mkdir(path, 0755) == -1)
		return;
	snprintf(sub, sizeof(sub), "%s/f", path);
	if ((fd = open(sub, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) != -1) {
		CHECK(write(fd, "x", 1) == 1);
		close(fd);
	}
	snprintf(sub, sizeof(sub), "%s/e", path);
	if ((fd = open(sub, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) != -1)
		close(fd);
	snprintf(sub, sizeof(sub), "%s/s", path);
	mkdir(sub, 0755);
}

/*
 * The real tree: r with a (holding c) and b, each made by make_dir(),
 * watched as -r watches at start-up; then dir in r, made after, so that
 * an IN_CREATE for it finds a directory to list.  Returns the highest wd.
 */
static int
real_tree(struct watchset *ws)
{
	struct watch	*root;

	remove_tree("r");
	make_dir("r");
	make_dir("r/a");
	make_dir("r/b");
	make_dir("r/a/c");
	CHECK(walk_add_root(ws, "r", 0, &root) == 0 && root != NULL);
	make_dir("r/dir");
	return (int)ws->count + 4;
}

/* Change the real tree as the input says, between batches. */
static void
change_tree(struct input *in)
{
	unsigned int	 op = take(in, 1), from = take(in, 1) % NPLACES;
	unsigned int	 to = take(in, 1) % NPLACES;

	switch (op % 4) {
	case 0:
		make_dir(places[from]);
		break;
	case 1:
		rename(places[from], places[to]);
		break;
	case 2:
		remove_tree(places[from]);
		break;
	default:
		break;
	}
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* What waits for the next batch (PAIR_SCAN events at most), then it. */
	static char		 buf[(PAIR_SCAN + 1 + BATCH) *
				     (sizeof(struct inotify_event) + 32)]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	struct input		 in = { data, size };
	struct config		 cfg;
	struct output		 out;
	struct watchset		 ws;
	struct source		 src;
	struct handler		 h;
	size_t			 off, keep = 0, done;
	unsigned int		 flags;
	int			 maxwd, i, real;

	if (devnull == -1 && (devnull = open("/dev/null", O_WRONLY)) == -1)
		abort();
	memset(&cfg, 0, sizeof(cfg));
	flags = take(&in, 1);
	cfg.events = IN_ALL_EVENTS | EVENTS_NOTICES;
	if (flags & 1)
		cfg.events = IN_CREATE | IN_DELETE | IN_MOVE;
	cfg.pair_moves = (flags & 2) != 0;
	cfg.recursive = 1;
	output_init(&out, devnull);
	out.pairs = cfg.pair_moves;
	if (flags & 4)
		out.mode = OUTPUT_JSON;
	real = (flags & 8) != 0;
	cfg.rescan = (flags & 16) != 0;
	source_open(&src);
	watchset_open(&ws, &src, cfg.events & IN_ALL_EVENTS, WS_RECURSIVE |
	    (cfg.rescan ? WS_MIRROR : 0), NULL);
	maxwd = real ? real_tree(&ws) : make_tree(&in, &ws);
	handler_open(&h, &cfg, &ws, &src, &out, NULL, NULL);

	while (in.len > 0 && h.status == -1) {
		off = keep;
		for (i = take(&in, 1) % BATCH; i >= 0; i--)
			if (!add_event(&in, buf, sizeof(buf), &off, maxwd))
				break;
		/* As if read from the source, after what waited. */
		src.read += off - keep;
		handler_begin(&h);
		done = handler_events(&h, buf, off);
		/* Long after (a move waiting for its partner gives up), or not. */
		handler_timers(&h, take(&in, 1) & 1 ? INT64_MAX - 1 : 0, 0);
		if (done < off && h.status == -1 && !handler_waiting(&h))
			done += handler_events(&h, buf + done, off - done);
		keep = off - done;
		memmove(buf, buf + done, keep);
		if (real)
			change_tree(&in);
	}
	handler_timers(&h, INT64_MAX - 1, 1);
	if (keep > 0 && h.status == -1)
		handler_events(&h, buf, keep);
	output_flush(&out);
	handler_close(&h);
	watchset_close(&ws);
	source_close(&src);
	output_free(&out);
	return 0;
}
