/*
 * fuzz.h: what the libFuzzer harnesses share: CHECK, and taking typed
 * values off the front of the fuzzer's input.
 */
#ifndef WATCHX_FUZZ_H
#define WATCHX_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Unlike assert(3), never compiled out: a failed check is a finding. */
#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,	\
		    __LINE__, #c);					\
		abort();						\
	}								\
} while (0)

struct input {
	const uint8_t	*p;
	size_t		 len;
};

/* The next n bytes (fewer at the end), as an unsigned number. */
static inline uint64_t
take(struct input *in, size_t n)
{
	uint64_t	 v = 0;

	while (n-- > 0 && in->len > 0) {
		v = v << 8 | *in->p++;
		in->len--;
	}
	return v;
}

/* The next up to max bytes, as a string of *len bytes (not terminated). */
static inline const char *
take_str(struct input *in, size_t max, size_t *len)
{
	const char	*s = (const char *)in->p;

	*len = take(in, 1) % (max + 1);
	if (*len > in->len)
		*len = in->len;
	s = (const char *)in->p;
	in->p += *len;
	in->len -= *len;
	return s;
}

#endif
