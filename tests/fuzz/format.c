/*
 * format.c: libFuzzer harness for the output: a --format compiled from
 * arbitrary text (or the default line, or --json), any --timefmt, -0,
 * colour and --pair-moves, rendering events with arbitrary masks and
 * arbitrary bytes for names and paths.  Every write goes into the output
 * buffer, which ASan watches; records go to /dev/null.
 */
#include <assert.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "output.h"

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
	unsigned int	 flags;
	int		 i;

	if (devnull == -1 && (devnull = open("/dev/null", O_WRONLY)) == -1)
		abort();
	output_init(&o, devnull);
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
	if (flags % 3 == 1) {
		s = take_str(&in, 255, &n);
		fmt = cstr(s, n);
		if (output_format(&o, fmt, msg, sizeof(msg)) == -1) {
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
		assert(output_event(&o, &ev) == 0);
		if (i % 3 == 2)
			assert(output_tick(&o) == 0);
	}
	assert(output_flush(&o) == 0);
done:
	output_free(&o);
	free(fmt);
	free(timefmt);
	return 0;
}
