/*
 * unit.c: tests of the pure functions, run by make check: escaping,
 * base64, event names and masks, --format compilation and the records
 * the formats make, time formatting, the --stats and inotifywatch tables,
 * reading ignore files.  Prints each failure, then one line
 * "N passed, N failed"; exits 1 if any failed.
 */
#include <sys/inotify.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "config.h"
#include "events.h"
#include "ignore.h"
#include "format.h"
#include "output.h"
#include "source.h"
#include "stats.h"
#include "tree.h"
#include "watch.h"

static int	 passed, failed;

/* The test of one value: got (len bytes) against want. */
static void
same(const char *what, const char *got, size_t len, const char *want)
{
	if (len == strlen(want) && memcmp(got, want, len) == 0) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL %s: got '%.*s', want '%s'\n", what, (int)len, got, want);
}

static void
truth(const char *what, int ok)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL %s\n", what);
}

static void
test_escape(void)
{
	static const struct {
		const char	*in, *want;
	} cases[] = {
		{ "plain", "plain" },
		{ "a\tb\nc\\d", "a\\tb\\nc\\\\d" },
		{ "\001\177", "\\001\\177" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },		/* valid UTF-8 kept */
		{ "bad\xff", "bad\\377" },			/* invalid: octal */
		{ "\xc3", "\\303" },				/* truncated */
		{ "\xe2\x80\xa8", "\\342\\200\\250" },		/* U+2028 */
	};
	char	 buf[64];
	size_t	 i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = escape(buf, cases[i].in, strlen(cases[i].in));
		same("escape", buf, n, cases[i].want);
	}
}

static void
test_json(void)
{
	char	 buf[64];
	size_t	 n;
	int	 lossy = 0;

	n = escape_json(buf, "a\"b\\c\n", 6, &lossy);
	same("escape_json quotes", buf, n, "a\\\"b\\\\c\\n");
	truth("escape_json: valid text is not lossy", !lossy);
	n = escape_json(buf, "\001", 1, &lossy);
	same("escape_json control", buf, n, "\\u0001");
	n = escape_json(buf, "x\xff", 2, &lossy);
	same("escape_json invalid", buf, n, "x\xef\xbf\xbd");
	truth("escape_json: an invalid byte is lossy", lossy);
}

static void
test_base64(void)
{
	/* RFC 4648, section 10. */
	static const char *const want[] = {
		"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"
	};
	char	 buf[16];
	size_t	 i, n;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		n = escape_base64(buf, "foobar", i);
		same("base64", buf, n, want[i]);
	}
}

static void
parses(const char *text, uint32_t want)
{
	char		 err[256];
	uint32_t	 mask = 0;
	char		 what[128];

	snprintf(what, sizeof(what), "events_parse '%s'", text);
	truth(what, events_parse(text, &mask, err, sizeof(err)) == 0 &&
	    mask == want);
}

static void
refuses(const char *text, const char *words)
{
	char		 err[256] = "";
	uint32_t	 mask = 0;
	char		 what[300];

	snprintf(what, sizeof(what), "events_parse '%s' fails naming '%s' "
	    "(said: %s)", text, words, err);
	if (events_parse(text, &mask, err, sizeof(err)) == 0) {
		truth(what, 0);
		return;
	}
	snprintf(what, sizeof(what), "events_parse '%s' fails naming '%s' "
	    "(said: %s)", text, words, err);
	truth(what, strstr(err, words) != NULL);
}

static void
test_events(void)
{
	char	 buf[EVENTS_NAMES_MAX + 1];
	size_t	 n;

	parses("create", IN_CREATE);
	parses("create,modify", IN_CREATE | IN_MODIFY);
	parses("close", IN_CLOSE);
	parses("move", IN_MOVE);
	parses("0x100", IN_CREATE);
	parses("256", IN_CREATE);
	parses("0100", 100);		/* decimal, not octal */
	refuses("bogus", "bogus");
	refuses("create,", "");
	refuses("0", "'0'");
	refuses("0x40000000", "0x40000000");

	n = events_format(IN_CREATE | IN_ISDIR, buf, sizeof(buf), 0);
	same("events_format", buf, n, "IN_CREATE,IN_ISDIR");
	n = events_format(IN_CLOSE_WRITE, buf, sizeof(buf), 1);
	same("events_format quoted", buf, n, "\"IN_CLOSE_WRITE\"");
	n = events_format(0, buf, sizeof(buf), 0);
	truth("events_format of nothing fits", n < sizeof(buf));

	/* inotifywait's names: a close says CLOSE too; MOVE_SELF late. */
	n = events_plain(IN_CLOSE_WRITE, ',', buf, sizeof(buf));
	same("events_plain", buf, n, "CLOSE_WRITE,CLOSE");
	n = events_plain(IN_MOVE_SELF | IN_IGNORED | IN_ISDIR, ':', buf,
	    sizeof(buf));
	same("events_plain order", buf, n, "IGNORED:MOVE_SELF:ISDIR");
	n = events_plain(0, ',', buf, sizeof(buf));
	same("events_plain of nothing", buf, n, "0x00000000");
}

/* The record out makes of one IN_CREATE of "f" in "d", at 0 s UTC. */
static void
record(struct output *out, const char *want, const char *what)
{
	struct timespec	 when = { 0, 5000 };
	struct event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.wd = 1;
	ev.mask = IN_CREATE;
	ev.len = 16;
	ev.name = "f";
	ev.namelen = 1;
	ev.path = "d";
	ev.pathlen = 1;
	ev.when = &when;
	out->len = out->off = 0;
	truth(what, output_event(out, &ev) == 0);
	/* Under -0 the record ends with a NUL, which want cannot hold. */
	same(what, out->buf, out->len - (out->end == '\0'), want);
}

static void
test_output(void)
{
	struct config	 cfg;
	struct output	 out;
	char		 err[256];
	int		 fd;

	if ((fd = open("/dev/null", O_WRONLY)) == -1) {
		truth("open /dev/null", 0);
		return;
	}
	setenv("TZ", "UTC", 1);
	tzset();

	output_init(&out, fd);
	record(&out, "1\t256\t0\tIN_CREATE\td\tf\n", "the event line");
	out.end = '\0';
	out.raw = 1;
	record(&out, "1\t256\t0\tIN_CREATE\td\tf", "-0");
	truth("-0 ends the record with NUL", out.len > 0 &&
	    out.buf[out.len - 1] == '\0');
	output_free(&out);

	output_init(&out, fd);
	truth("--format compiles",
	    format_compile(&out, "%w%f %e %x %T\\t%%", err, sizeof(err)) == 0);
	record(&out, "d/f IN_CREATE 0x100 1970-01-01T00:00:00.000005+00:00\t%\n",
	    "--format");
	output_free(&out);

	output_init(&out, fd);
	truth("--format and --timefmt",
	    format_compile(&out, "[%T]", err, sizeof(err)) == 0);
	out.timefmt = "%Y %H";
	record(&out, "[1970 00]\n", "--timefmt");
	output_free(&out);

	output_init(&out, fd);
	truth("%q is refused", format_compile(&out, "%q", err,
	    sizeof(err)) == -1 && strstr(err, "'%q'") != NULL);
	truth("a dangling % is refused", format_compile(&out, "x%", err,
	    sizeof(err)) == -1 && strstr(err, "dangling") != NULL);
	truth("an unknown escape is refused", format_compile(&out, "\\q", err,
	    sizeof(err)) == -1 && strstr(err, "'\\q'") != NULL);
	output_free(&out);

	/* Under the name inotifywait (output_open() on standard output). */
	memset(&cfg, 0, sizeof(cfg));
	cfg.compat = 1;
	output_open(&out, &cfg);
	record(&out, "d/ CREATE f\n", "inotifywait's line");
	output_free(&out);
	cfg.format = "%w%f|%,e|%:e|%c|%n|%x|\\t|%%|%";
	output_open(&out, &cfg);
	record(&out, "d/f|CREATE|CREATE|0|\n|%x|\\t|%|%\n",
	    "inotifywait's --format");
	output_free(&out);
	cfg.noend = 1;
	output_open(&out, &cfg);
	record(&out, "d/f|CREATE|CREATE|0|\n|%x|\\t|%|%",
	    "inotifywait's --no-newline");
	output_free(&out);
	cfg.format = NULL;
	cfg.noend = 0;
	cfg.csv = 1;
	output_open(&out, &cfg);
	record(&out, "d/,CREATE,f\n", "inotifywait's --csv");
	output_free(&out);

	output_init(&out, fd);
	out.mode = OUTPUT_JSON;
	record(&out, "{\"wd\":1,\"mask\":256,\"cookie\":0,"
	    "\"len\":16,\"names\":[\"IN_CREATE\"],\"watch_path\":\"d\","
	    "\"filename\":\"f\","
	    "\"path\":\"d/f\",\"time\":\"1970-01-01T00:00:00.000005+00:00\"}\n",
	    "--json");
	output_free(&out);
	close(fd);
}

/*
 * The watch set's lookup by wd: thousands of watches with sparse wds
 * added and forgotten in a seeded order, then every wd looked up.
 */
static void
test_bywd(void)
{
	enum { N = 5000 };
	static struct watch	*w[N];
	static char		 gone[N];
	static int		 wd[N];
	struct watchset		 ws;
	struct source		 src;
	char			 name[16];
	unsigned int		 seed = 1;
	int			 i, k, bad = 0;

	/* Scattered wds, so that some share a slot and probe runs form. */
	for (i = 0; i < N; i++) {
		seed = seed * 1103515245 + 12345;
		wd[i] = (int)((seed >> 1) % 400000 * N + (unsigned int)i);
	}
	source_open(&src);
	watchset_open(&ws, &src, IN_CREATE, 0, NULL);
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "r%d", i);
		w[i] = watch_new(&ws, NULL, wd[i], name, strlen(name));
	}
	for (k = 0; k < N * 2; k++) {
		seed = seed * 1103515245 + 12345;
		i = (seed >> 8) % N;
		if (!gone[i]) {
			watch_forget(&ws, w[i], 0);
			gone[i] = 1;
		}
		if (k % 7 == 0)
			for (i = 0; i < N; i++)
				if ((watchset_find(&ws, wd[i]) == NULL) !=
				    gone[i])
					bad++;
	}
	truth("watchset_find after adds and forgets", bad == 0);
	for (i = k = 0; i < N; i++)
		k += !gone[i];
	truth("watches counted", ws.count == (size_t)k);
	watchset_close(&ws);
	source_close(&src);
}

/*
 * A watch the by-name stage has claimed outlives the watch set's removal
 * of it, and goes once the claim is given up.  Whether the kernel still
 * has it is asked with IN_MASK_CREATE, which fails with EEXIST if so.
 */
static void
test_claim(void)
{
	struct source	 src;
	char		 dir[] = "/tmp/watchx-unit-XXXXXX";
	int		 wd;

	if (mkdtemp(dir) == NULL)
		err(1, "mkdtemp");
	source_open(&src);
	wd = source_watch_path(&src, dir, IN_CREATE);
	source_claim(&src, wd);
	source_claim(&src, wd);
	truth("claimed", source_claimed(&src, wd));
	source_unwatch(&src, wd);
	truth("a claimed watch stays",
	    source_watch_path(&src, dir, IN_CREATE | IN_MASK_CREATE) == -1 &&
	    errno == EEXIST);
	source_unclaim(&src, wd);
	truth("unclaimed", !source_claimed(&src, wd));
	source_unwatch(&src, wd);
	truth("an unclaimed watch goes",
	    source_watch_path(&src, dir, IN_CREATE | IN_MASK_CREATE) != -1);
	source_close(&src);
	rmdir(dir);
}

/* One event in buf at *off: mask, cookie, on wd, named name. */
static void
put_event(char *buf, size_t *off, int wd, uint32_t mask, uint32_t cookie,
    const char *name)
{
	struct inotify_event	 ie;

	memset(&ie, 0, sizeof(ie));
	ie.wd = wd;
	ie.mask = mask;
	ie.cookie = cookie;
	ie.len = 16;
	memcpy(buf + *off, &ie, sizeof(ie));
	memset(buf + *off + sizeof(ie), 0, 16);
	strlcpy(buf + *off + sizeof(ie), name, 16);
	*off += sizeof(ie) + 16;
}

/*
 * A directory's IN_MOVED_FROM finds its IN_MOVED_TO among the events read
 * after it (tree_partner()), waits when they end first, and is moved out
 * without one among PAIR_SCAN of them, or with cookie 0 (the kernel's
 * cookies wrap after 2^32 renames, and 0 pairs with nothing).  Paired, the
 * watch is renamed at the IN_MOVED_TO; moved out, it is forgotten at once.
 */
static void
test_partner(void)
{
	static char		 buf[(PAIR_SCAN + 4) *
				     (sizeof(struct inotify_event) + 16)]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *from, *to;
	struct watchset		 ws;
	struct source		 src;
	struct tree		 t;
	struct watch		*root, *b;
	size_t			 off = 0, after;
	int			 i;

	source_open(&src);
	watchset_open(&ws, &src, IN_CREATE | IN_MOVE, WS_RECURSIVE, NULL);
	tree_open(&t, &ws, &src);
	root = watch_new(&ws, NULL, 1, "r", 1);
	watch_new(&ws, root, 2, "a", 1);
	b = watch_new(&ws, root, 3, "b", 1);
	put_event(buf, &off, 1, IN_MOVED_FROM | IN_ISDIR, 7, "a");
	from = (const struct inotify_event *)buf;
	after = off;
	truth("partner: none read yet, it waits", tree_partner(&t, root,
	    from, buf + after, buf + off, &to) == -1);
	put_event(buf, &off, 3, IN_CREATE, 0, "x");
	put_event(buf, &off, 3, IN_MOVED_TO | IN_ISDIR, 7, "c");
	truth("partner: found after another event", tree_partner(&t, root,
	    from, buf + after, buf + off, &to) == 1 &&
	    to == (const struct inotify_event *)(buf + after +
	    sizeof(*to) + 16));
	tree_update(&t, root, from, to);
	truth("partner: still where it was until the IN_MOVED_TO",
	    watch_child(&ws, root, "a", 1) == watchset_find(&ws, 2));
	tree_update(&t, b, to, NULL);
	truth("partner: renamed at the IN_MOVED_TO", t.arrived == 0 &&
	    watch_child(&ws, b, "c", 1) == watchset_find(&ws, 2) &&
	    watch_child(&ws, root, "a", 1) == NULL);

	/* Moved again, with no IN_MOVED_TO among PAIR_SCAN events. */
	off = 0;
	put_event(buf, &off, 3, IN_MOVED_FROM | IN_ISDIR, 8, "c");
	from = (const struct inotify_event *)buf;
	after = off;
	for (i = 0; i < PAIR_SCAN; i++)
		put_event(buf, &off, 1, IN_CREATE, 0, "y");
	put_event(buf, &off, 1, IN_MOVED_TO | IN_ISDIR, 8, "d");
	truth("partner: too far, moved out", tree_partner(&t, b, from,
	    buf + after, buf + off, &to) == 0 && to == NULL);
	/* Cookie 0 pairs with nothing. */
	off = 0;
	put_event(buf, &off, 3, IN_MOVED_FROM | IN_ISDIR, 0, "c");
	put_event(buf, &off, 1, IN_MOVED_TO | IN_ISDIR, 0, "d");
	from = (const struct inotify_event *)buf;
	truth("partner: cookie 0, moved out", tree_partner(&t, b, from,
	    buf + sizeof(*from) + 16, buf + off, &to) == 0);
	tree_update(&t, b, from, NULL);
	truth("partner: moved out, forgotten", watchset_find(&ws, 2) == NULL);
	tree_close(&t);
	watchset_close(&ws);
	source_close(&src);
}

/*
 * A model of the watch tree for test_tree(): each node's parent (-1 for
 * a root), name and watch.
 */
enum { M_MAX = 3000 };
static struct mnode {
	struct watch	*w;
	int		 parent;
	int		 alive;
	int		 wd;
	char		 name[24];
} m[M_MAX];
static int		 m_n;
static unsigned int	 m_seed = 7;

static unsigned int
m_rand(unsigned int n)
{
	m_seed = m_seed * 1103515245 + 12345;
	return (m_seed >> 8) % n;
}

/* A random live node, or -1 (tries a few times). */
static int
m_pick(void)
{
	int	 i, k;

	for (k = 0; k < 50 && m_n > 0; k++)
		if (m[i = m_rand(m_n)].alive)
			return i;
	return -1;
}

/* Names that collide often, short and long (both sides of WATCH_INLINE). */
static void
m_name(char *buf, size_t size)
{
	static const char *const names[] = {
		"a", "b", "ab", "abcdefghi", "abcdefghij", "abcdefghijklmnopq"
	};

	if (m_rand(4) == 0)
		snprintf(buf, size, "n%u", m_rand(1000));
	else
		snprintf(buf, size, "%s", names[m_rand(6)]);
}

/* Node i and everything below it are forgotten. */
static void
m_forget(int i)
{
	int	 j, changed;

	m[i].alive = 0;
	do {
		changed = 0;
		for (j = 0; j < m_n; j++)
			if (m[j].alive && m[j].parent >= 0 &&
			    !m[m[j].parent].alive) {
				m[j].alive = 0;
				changed = 1;
			}
	} while (changed);
}

/* The live child of p named name, or -1. */
static int
m_child(int p, const char *name)
{
	int	 j;

	for (j = 0; j < m_n; j++)
		if (m[j].alive && m[j].parent == p &&
		    strcmp(m[j].name, name) == 0)
			return j;
	return -1;
}

/* Whether node t is node a or below it. */
static int
m_below(int t, int a)
{
	for (; t >= 0; t = m[t].parent)
		if (t == a)
			return 1;
	return 0;
}

/* Node i's path, as watch_path() builds it (the top's name first). */
static void
m_path(int i, char *buf, size_t size)
{
	static int	 chain[M_MAX];
	size_t		 len = 0;
	int		 n = 0;

	for (; i >= 0; i = m[i].parent)
		chain[n++] = i;
	buf[0] = '\0';
	while (n-- > 0 && len < size)
		len += snprintf(buf + len, size - len, "%s%s", m[chain[n]].name,
		    n > 0 ? "/" : "");
}

/* Every live node is found by wd, by parent and name, and by path. */
static int
m_check(struct watchset *ws)
{
	const char	*path;
	static char	 want[65536];
	size_t		 len;
	int		 i, alive = 0, bad = 0;

	for (i = 0; i < m_n; i++) {
		if (!m[i].alive) {
			bad += watchset_find(ws, m[i].wd) != NULL;
			continue;
		}
		alive++;
		bad += watchset_find(ws, m[i].wd) != m[i].w;
		bad += strcmp(watch_name(m[i].w), m[i].name) != 0 ||
		    m[i].w->namelen != strlen(m[i].name);
		bad += m[i].w->parent != (m[i].parent < 0 ? NULL :
		    m[m[i].parent].w);
		if (m[i].parent >= 0)
			bad += watch_child(ws, m[m[i].parent].w, m[i].name,
			    strlen(m[i].name)) != m[i].w;
		path = watch_path(ws, m[i].w, &len);
		m_path(i, want, sizeof(want));
		bad += len != strlen(want) || memcmp(path, want, len) != 0;
	}
	return bad + (ws->count != (size_t)alive);
}

/* A new watch, named name below p (-1: a root). */
static void
m_new(struct watchset *ws, int p, const char *name)
{
	int	 old, i = m_n++;

	if (p >= 0 && (old = m_child(p, name)) != -1)
		m_forget(old);
	m[i].parent = p;
	m[i].alive = 1;
	m[i].wd = i + 1;
	snprintf(m[i].name, sizeof(m[i].name), "%s", name);
	m[i].w = watch_new(ws, p < 0 ? NULL : m[p].w, m[i].wd, name,
	    strlen(name));
}

/* Node i moves to below t as name, displacing what had that name. */
static void
m_rename(struct watchset *ws, int i, int t, const char *name)
{
	int	 old;

	m[i].parent = -1;
	if ((old = m_child(t, name)) != -1)
		m_forget(old);
	m[i].parent = t;
	snprintf(m[i].name, sizeof(m[i].name), "%s", name);
	watch_rename(ws, m[i].w, m[t].w, name, strlen(name));
}

/* Some of node p's children are found again by a walk; the rest go. */
static void
m_sweep(struct watchset *ws, int p)
{
	int	 j;

	ws->gen++;
	for (j = 0; j < m_n; j++) {
		if (!m[j].alive || m[j].parent != p)
			continue;
		if (m_rand(3) != 0)
			m[j].w->gen = ws->gen;
		else
			m_forget(j);
	}
	watch_sweep(ws, m[p].w);
}

/* One random operation on the watch tree and the model alike. */
static void
m_step(struct watchset *ws)
{
	char	 name[24];
	int	 i, t;

	m_name(name, sizeof(name));
	switch (m_rand(10)) {
	case 0:
		snprintf(name, sizeof(name), "r%d", m_n);
		m_new(ws, -1, name);
		break;
	case 1:
	case 2:
	case 3:
		if ((t = m_pick()) != -1)
			m_new(ws, t, name);
		break;
	case 4:
	case 5:
		if ((i = m_pick()) != -1 && !m[i].w->root &&
		    (t = m_pick()) != -1 && !m_below(t, i))
			m_rename(ws, i, t, name);
		break;
	case 6:
		if ((i = m_pick()) != -1) {
			watch_forget(ws, m[i].w, m_rand(2));
			m_forget(i);
		}
		break;
	default:
		if ((i = m_pick()) != -1)
			m_sweep(ws, i);
		break;
	}
}

/*
 * The watch tree (children by parent and name, in slabs): random adds,
 * renames (displacing a child of the same name), forgets and sweeps, checked against a simple model as they go.
 */
static void
test_tree(void)
{
	static char	 want[65536];
	struct watchset	 ws;
	struct source	 src;
	const char	*path;
	size_t		 len;
	int		 i, k, bad = 0;

	source_open(&src);
	watchset_open(&ws, &src, IN_CREATE, WS_RECURSIVE, NULL);
	for (k = 0; m_n < M_MAX; k++) {
		/* A path kept by watch_path() from before the step. */
		if ((i = m_pick()) != -1)
			watch_path(&ws, m[i].w, &len);
		m_step(&ws);
		if (i != -1 && m[i].alive) {
			path = watch_path(&ws, m[i].w, &len);
			m_path(i, want, sizeof(want));
			bad += len != strlen(want) ||
			    memcmp(path, want, len) != 0;
		}
		if (k % 25 == 0)
			bad += m_check(&ws);
	}
	bad += m_check(&ws);
	truth("the watch tree against its model", bad == 0);
	watchset_close(&ws);
	source_close(&src);
}

/*
 * A directory of 100,000 sub-directories: each found by name, then all
 * forgotten one by one in a random order, then again by a sweep.  A list
 * that took O(children) to leave would make this take minutes.
 */
static void
test_wide(void)
{
	enum { N = 100000 };
	static struct watch	*w[N];
	static int		 order[N];
	struct watchset		 ws;
	struct source		 src;
	struct watch		*top;
	char			 name[16];
	unsigned int		 seed = 3;
	int			 i, j, t, round, bad = 0;

	source_open(&src);
	watchset_open(&ws, &src, IN_CREATE, WS_RECURSIVE, NULL);
	top = watch_new(&ws, NULL, 1, "top", 3);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < N; i++) {
			snprintf(name, sizeof(name), "dir%d", i);
			w[i] = watch_new(&ws, top, 2 + i, name, strlen(name));
			order[i] = i;
		}
		for (i = 0; i < N; i++) {
			snprintf(name, sizeof(name), "dir%d", i);
			bad += watch_child(&ws, top, name, strlen(name)) != w[i];
		}
		if (round == 1) {
			ws.gen++;
			watch_sweep(&ws, top);
			bad += ws.count != 1;
			continue;
		}
		for (i = N - 1; i > 0; i--) {
			seed = seed * 1103515245 + 12345;
			j = (seed >> 8) % (i + 1);
			t = order[i], order[i] = order[j], order[j] = t;
		}
		for (i = 0; i < N; i++)
			watch_forget(&ws, w[order[i]], 1);
		bad += ws.count != 1 || watch_child(&ws, top, "dir0", 4) != NULL;
	}
	truth("100,000 sub-directories added and forgotten", bad == 0);
	watchset_close(&ws);
	source_close(&src);
}

/*
 * Reading an ignore file: what git's reading of one does with the bytes
 * around the patterns (the matching itself is held to git's verdicts by
 * tests/oracle/patterns.py).
 */
/*
 * Patterns with several '**' (whose partial results ignore.c keeps, so
 * that their number does not make a match exponential) match as one
 * '**' does, and as git's.
 */
static void
test_globstars(void)
{
	static const char *const yes[][2] = {
		{ "a/**/**/b", "a/b" }, { "a/**/**/b", "a/x/y/b" },
		{ "**/**/x", "x" }, { "**/**/x", "p/q/x" },
		{ "a/**/b/**/c", "a/b/c" }, { "a/**/b/**/c", "a/1/b/2/3/c" },
		{ "**/a/**", "z/a/q" }, { "**/**/**/**/**/**/**/**/n", "n" },
	};
	static const char *const no[][2] = {
		{ "a/**/**/b", "a/x/c" }, { "a/**/b/**/c", "a/c/b" },
		{ "**/**/x", "p/xx" }, { "**/a/**", "z/b/q" },
	};
	const char	*pat;
	char		 path[8192];
	size_t		 i;
	int		 bad = 0;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		bad += !ignore_wildmatch(yes[i][0], strlen(yes[i][0]),
		    yes[i][1], strlen(yes[i][1]));
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		bad += ignore_wildmatch(no[i][0], strlen(no[i][0]),
		    no[i][1], strlen(no[i][1]));
	truth("several '**' match as git matches them", bad == 0);
	/* Forty '**' against a deep path that none of it matches. */
	for (i = 0; i + 2 < sizeof(path); i += 2)
		memcpy(path + i, "d/", 2);
	path[i - 1] = 'z';
	pat = "**/**/**/**/**/**/**/**/**/**/**/**/**/**/**/**/**/**/**/**/"
	    "**/**/**/**/**/**/**/**/**/**/**/**/**/**/**/**/**/**/**/**/x";
	truth("forty '**' against a path of 8,190 bytes: no match",
	    !ignore_wildmatch(pat, strlen(pat), path, i));
}

static void
test_ignore_read(void)
{
	static const struct {
		const char	*text, *path;
		int		 isdir;
		enum ignore_verdict want;
	} cases[] = {
		/* Trailing blanks go, unless quoted; CRLF and a BOM too. */
		{ "a  \n", "a", 0, IGNORE_MATCH },
		{ "a\\ \n", "a ", 0, IGNORE_MATCH },
		{ "a\\ \n", "a", 0, IGNORE_NONE },
		{ "a\r\nb\r\n", "a", 0, IGNORE_MATCH },
		{ "\xef\xbb\xbf" "a\n", "a", 0, IGNORE_MATCH },
		/* Comments, and a '#' or '!' quoted. */
		{ "#a\n", "#a", 0, IGNORE_NONE },
		{ "\\#a\n", "#a", 0, IGNORE_MATCH },
		{ "\\!a\n", "!a", 0, IGNORE_MATCH },
		/* The last line needs no newline; the last match decides. */
		{ "*.o\n!k.o", "k.o", 0, IGNORE_NEGATED },
		{ "!k.o\n*.o", "k.o", 0, IGNORE_MATCH },
		/* A trailing slash: directories only. */
		{ "d/\n", "x/d", 0, IGNORE_NONE },
		{ "d/\n", "x/d", 1, IGNORE_MATCH },
		/* A leading or middle slash anchors. */
		{ "/d\n", "x/d", 0, IGNORE_NONE },
		{ "x/d\n", "y/x/d", 0, IGNORE_NONE },
		/* Lines that are no pattern: empty, "!" or "/" alone. */
		{ "\n!\n/\n   \n", "a", 0, IGNORE_NONE },
	};
	struct ignore	 l;
	char		 what[128];
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&l, 0, sizeof(l));
		ignore_parse(&l, cases[i].text, strlen(cases[i].text));
		snprintf(what, sizeof(what), "ignore case %zu (%s)", i,
		    cases[i].path);
		truth(what, ignore_match(&l, cases[i].path,
		    strlen(cases[i].path), cases[i].isdir) == cases[i].want);
		ignore_free(&l);
	}
	truth("ignore_check: an unclosed bracket",
	    ignore_check("a[b") != NULL);
	truth("ignore_check: an unknown class",
	    ignore_check("[[:nope:]]") != NULL);
	truth("ignore_check: a lone backslash at the end",
	    ignore_check("a\\") != NULL);
	truth("ignore_check: a quoted backslash at the end",
	    ignore_check("a\\\\") == NULL);
	truth("ignore_check: ']' first in a bracket",
	    ignore_check("[]a]") == NULL);
}

/* Count n events of mask on path/name into out's table. */
static void
count(struct output *out, const char *path, const char *name, uint32_t mask,
    int n)
{
	struct event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.wd = 1;
	ev.mask = mask;
	ev.path = path;
	ev.pathlen = strlen(path);
	ev.name = name;
	ev.namelen = strlen(name);
	while (n-- > 0)
		output_event(out, &ev);
}

/*
 * The tables: columns as wide as their largest count (more events than a
 * kernel queue holds by default, hence here), rows by total then path;
 * inotifywatch's by watch, sorted by one event, fewest first, zero
 * columns with -z.
 */
static void
test_stats(void)
{
	struct stats_layout lay;
	struct output	 out;
	int		 fd;

	if ((fd = open("/dev/null", O_WRONLY)) == -1) {
		truth("open /dev/null", 0);
		return;
	}
	memset(&lay, 0, sizeof(lay));
	lay.sort = -1;
	output_init(&out, fd);
	out.stats = stats_new(&lay);
	count(&out, "d", "f", IN_OPEN, 123456);
	count(&out, "d", "b", IN_CREATE, 3);
	count(&out, "d/", "a", IN_CREATE, 3);
	truth("--stats prints nothing before the end", out.len == 0);
	truth("--stats: three rows", output_stats(&out) == 3);
	same("--stats table", out.buf, out.len,
	    "total   open    create  path\n"
	    "123456  123456  0       d/f\n"
	    "3       0       3       d/a\n"
	    "3       0       3       d/b\n");
	output_free(&out);

	lay.bywatch = 1;
	lay.raw = 1;
	lay.zero = 1;
	lay.mask = IN_OPEN | IN_CREATE | IN_DELETE;
	lay.sort = 8;		/* IN_CREATE */
	lay.ascending = 1;
	output_init(&out, fd);
	out.stats = stats_new(&lay);
	count(&out, "d", "x", IN_CREATE, 2);
	count(&out, "d", "", IN_OPEN | IN_ISDIR, 5);
	count(&out, "f", "", IN_OPEN, 1);
	count(&out, "f", "", IN_IGNORED, 1);
	truth("inotifywatch: two rows", output_stats(&out) == 2);
	same("inotifywatch table", out.buf, out.len,
	    "total  open  create  delete  filename\n"
	    "1      1     0       0       f\n"
	    "7      5     2       0       d/\n");
	output_free(&out);
	close(fd);
}

int
main(void)
{
	test_escape();
	test_json();
	test_base64();
	test_events();
	test_output();
	test_stats();
	test_bywd();
	test_claim();
	test_partner();
	test_tree();
	test_wide();
	test_globstars();
	test_ignore_read();
	printf("%d passed, %d failed\n", passed, failed);
	return failed > 0;
}
