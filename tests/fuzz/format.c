/*
 * format.c: libFuzzer harness for the output: a --format compiled from
 * arbitrary text (or the default line, or --json; or inotifywait's
 * --format, --no-newline and --csv), any --timefmt, -0,
 * colour and --pair-moves, rendering events with arbitrary masks and
 * arbitrary bytes for names and paths.  The output buffer starts at a
 * size the input picks (down to one byte) with unwritten bytes ahead of
 * the records, as behind a slow pipe reader, so that every write must
 * reserve its room and the buffer grows and moves; ASan watches it.
 * Under --json, "path" must be the escaped watch path and filename
 * joined by one '/'.  Or, counted by --stats or inotifywatch's table
 * (stats.c) with any layout, sort key and zero columns: nothing is
 * printed until the table, which has no more rows than events.  Records
 * go to /dev/null.
 */
#include <assert.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "fuzz.h"
#include "format.h"
#include "output.h"
#include "stats.h"

static int	 devnull = -1;

/* A copy of n bytes as a NUL-terminated string (cut at a NUL inside). */
static char *
cstr(const char *s, size_t n)
{
	char	*p;

	if ((p = strndup(s, n)) == NULL)
		abort();
	return p;
}

/*
 * The record at start..o->len (a record_start() flush may have moved it:
 * then it is not checked) has "path":"<watch path>/<filename>", escaped.
 */
static void
check_path(const struct output *o, size_t start, const struct event *ev)
{
	char	*want, *p;
	size_t	 n;
	int	 lossy = 0;

	if ((want = malloc(16 + ESCAPE_JSON_MAX(ev->pathlen + ev->namelen +
	    1))) == NULL)
		abort();
	p = want + sprintf(want, ",\"path\":\"");
	p += escape_json(p, ev->path, ev->pathlen, &lossy);
	if (ev->namelen > 0 && ev->pathlen > 0 &&
	    ev->path[ev->pathlen - 1] != '/')
		*p++ = '/';
	p += escape_json(p, ev->name, ev->namelen, &lossy);
	*p++ = '"';
	n = p - want;
	if (memcmp(o->buf + start, "{\"wd\":", 6) == 0)
		assert(memmem(o->buf + start, o->len - start, want, n) != NULL);
	free(want);
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input	 in = { data, size };
	struct output	 o;
	struct event	 ev;
	struct timespec	 when;
	const char	*s;
	char		*fmt = NULL, *timefmt = NULL, msg[512];
	size_t		 n;
	struct stats_layout lay;
	unsigned int	 flags;
	size_t		 start, rows;
	int		 i, events = 0;

	if (devnull == -1 && (devnull = open("/dev/null", O_WRONLY)) == -1)
		abort();
	output_init(&o, devnull);
	/* A small buffer, partly taken by what a reader has not read yet. */
	free(o.buf);
	o.size = 1 + take(&in, 1);
	if ((o.buf = malloc(o.size)) == NULL)
		abort();
	o.len = take(&in, 1) % (o.size + 1);
	o.off = o.len / 2;
	memset(o.buf, 'p', o.len);
	flags = take(&in, 1);
	o.mode = flags % 3 == 2 ? OUTPUT_JSON : OUTPUT_LINE;
	if (flags & 4) {
		o.end = '\0';
		o.raw = 1;
	}
	o.color = (flags & 8) != 0;
	o.pairs = (flags & 16) != 0;
	if (flags & 32) {
		s = take_str(&in, 160, &n);
		o.timefmt = timefmt = cstr(s, n);
	}
	if (flags & 64)
		o.noend = 1;
	if (flags % 3 == 1 && (flags & 128)) {
		s = take_str(&in, 255, &n);
		fmt = cstr(s, n);
		format_compile_iw(&o, fmt);
	} else if (flags % 3 == 2 && (flags & 128))
		o.mode = OUTPUT_CSV;
	else if (flags % 3 == 0 && (flags & 128)) {
		memset(&lay, 0, sizeof(lay));
		lay.bywatch = (flags & 4) != 0;
		lay.raw = lay.bywatch;
		lay.json = (flags & 8) != 0;
		lay.zero = (flags & 16) != 0;
		lay.ascending = (flags & 64) != 0;
		lay.mask = take(&in, 4);
		lay.sort = (int)(take(&in, 1) % (STATS_BITS + 1)) - 1;
		o.stats = stats_new(&lay);
	} else if (flags % 3 == 1) {
		s = take_str(&in, 255, &n);
		fmt = cstr(s, n);
		if (format_compile(&o, fmt, msg, sizeof(msg)) == -1) {
			assert(strlen(msg) > 0);
			goto done;
		}
	}
	output_time(&o, &when);

	for (i = 0; i < 8 && in.len > 0; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.wd = (int)take(&in, 4);
		ev.mask = take(&in, 4);
		ev.cookie = take(&in, 4);
		ev.len = take(&in, 4);
		ev.path = take_str(&in, 255, &ev.pathlen);
		ev.name = take_str(&in, 255, &ev.namelen);
		if (take(&in, 1) & 1)
			ev.from = take_str(&in, 255, &ev.fromlen);
		if (take(&in, 1) & 1)
			ev.when = &when;
		start = o.len;
		assert(output_event(&o, &ev) == 0);
		events++;
		/* Counted, not printed. */
		if (o.stats != NULL)
			assert(o.len == start);
		if (o.mode == OUTPUT_JSON && o.len >= start)
			check_path(&o, start, &ev);
		if (i % 3 == 2)
			assert(output_tick(&o) == 0);
	}
	if (o.stats != NULL) {
		rows = output_stats(&o);
		assert(rows <= (size_t)events);
	}
	assert(output_flush(&o) == 0);
done:
	output_free(&o);
	free(fmt);
	free(timefmt);
	return 0;
}
