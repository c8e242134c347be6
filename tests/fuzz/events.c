/*
 * events.c: libFuzzer harness for event-name parsing and mask printing.
 * Any text given to -e/-x is accepted or rejected without harm, and what
 * is accepted holds event bits only; any 32-bit mask prints within
 * EVENTS_NAMES_MAX, every bit named, and the names of event bits parse
 * back to the same mask.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "fuzz.h"

static void
check_format(uint32_t mask, int quote)
{
	char	*buf, *text;
	size_t	 n, i, commas = 0;
	uint32_t back = 0;
	char	 why[256];

	/* Exactly the promised size, so ASan sees any write past it. */
	if ((buf = malloc(EVENTS_NAMES_MAX)) == NULL)
		abort();
	n = events_format(mask, buf, EVENTS_NAMES_MAX, quote);
	assert(n <= EVENTS_NAMES_MAX);
	assert(mask == 0 || n > 0);
	for (i = 0; i < n; i++)
		commas += buf[i] == ',';
	assert(mask == 0 ? n == 0 :
	    commas == (size_t)__builtin_popcount(mask) - 1);
	if (!quote && (mask & EVENTS_VALID) == mask && mask != 0) {
		if ((text = strndup(buf, n)) == NULL)
			abort();
		assert(events_parse(text, &back, why, sizeof(why)) == 0);
		assert(back == mask);
		free(text);
	}
	free(buf);
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input	 in = { data, size };
	uint32_t	 mask = 0, m;
	char		*list, why[256];
	int		 r;

	m = take(&in, 4);
	check_format(m, 0);
	check_format(m, 1);
	check_format(m & EVENTS_VALID, 0);

	if ((list = strndup((const char *)in.p, in.len)) == NULL)
		abort();
	r = events_parse(list, &mask, why, sizeof(why));
	if (r == 0)
		assert(mask != 0 && (mask & ~EVENTS_VALID) == 0);
	else
		assert(strlen(why) > 0);
	free(list);
	return 0;
}
