/*
 * unit.c: tests of the pure functions, run by make check: escaping,
 * base64, event names and masks, --format compilation and the records
 * the formats make, time formatting.  Prints each failure, then one line
 * "N passed, N failed"; exits 1 if any failed.
 */
#include <sys/inotify.h>

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "events.h"
#include "output.h"
#include "source.h"
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
	    output_format(&out, "%w/%f %e %x %T\\t%%", err, sizeof(err)) == 0);
	record(&out, "d/f IN_CREATE 0x100 1970-01-01T00:00:00.000005+00:00\t%\n",
	    "--format");
	output_free(&out);

	output_init(&out, fd);
	truth("--format and --timefmt",
	    output_format(&out, "[%T]", err, sizeof(err)) == 0);
	out.timefmt = "%Y %H";
	record(&out, "[1970 00]\n", "--timefmt");
	output_free(&out);

	output_init(&out, fd);
	truth("%q is refused", output_format(&out, "%q", err,
	    sizeof(err)) == -1 && strstr(err, "'%q'") != NULL);
	truth("a dangling % is refused", output_format(&out, "x%", err,
	    sizeof(err)) == -1 && strstr(err, "dangling") != NULL);
	truth("an unknown escape is refused", output_format(&out, "\\q", err,
	    sizeof(err)) == -1 && strstr(err, "'\\q'") != NULL);
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
	watchset_open(&ws, &src, IN_CREATE, 0, 0);
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
 * A directory moved out with cookie 0 (the kernel's cookies wrap after
 * 2^32 renames): cookie 0 means "not moving", so it cannot wait for a
 * partner; it is taken as moved out of the tree, and nothing is left
 * counted as moving.
 */
static void
test_cookie_zero(void)
{
	union {
		struct inotify_event	 ie;
		char			 buf[sizeof(struct inotify_event) + 16];
	}			 e;
	struct watchset		 ws;
	struct source		 src;
	struct tree		 t;
	struct watch		*root;

	source_open(&src);
	watchset_open(&ws, &src, IN_CREATE | IN_MOVE, 1, 0);
	tree_open(&t, &ws, &src);
	root = watch_new(&ws, NULL, 1, "r", 1);
	watch_new(&ws, root, 2, "a", 1);
	memset(&e, 0, sizeof(e));
	e.ie.wd = 1;
	e.ie.mask = IN_MOVED_FROM | IN_ISDIR;
	e.ie.cookie = 0;
	e.ie.len = 16;
	strlcpy(e.ie.name, "a", 16);
	tree_update(&t, root, &e.ie);
	truth("cookie 0: the directory moved out is forgotten",
	    watchset_find(&ws, 2) == NULL);
	truth("cookie 0: nothing counted as moving", ws.nmoving == 0);
	truth("cookie 0: no move waits", t.nmoves == 0);
	tree_close(&t);
	watchset_close(&ws);
	source_close(&src);
}

int
main(void)
{
	test_escape();
	test_json();
	test_base64();
	test_events();
	test_output();
	test_bywd();
	test_cookie_zero();
	printf("%d passed, %d failed\n", passed, failed);
	return failed > 0;
}
