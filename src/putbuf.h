/*
 * putbuf.h: writing at the end of the output's buffer, for output.c,
 * format.c and stats.c alone.  Every write is preceded by room() with the
 * most it can produce, so no estimate of a whole record is ever trusted.
 */
#ifndef WATCHX_PUTBUF_H
#define WATCHX_PUTBUF_H

#include <string.h>

#include "output.h"

void	 output_grow(struct output *, size_t);

/* Room for n more bytes at the end of the buffer, which grows as needed. */
static inline char *
room(struct output *o, size_t n)
{
	if (__builtin_expect(n > o->size - o->len, 0))
		output_grow(o, n);
	return o->buf + o->len;
}

static inline void
put(struct output *o, const char *s, size_t len)
{
	if (len > 0)
		memcpy(room(o, len), s, len);
	o->len += len;
}

/* A literal, without its NUL. */
#define PUT(o, lit)	put((o), (lit), sizeof(lit) - 1)

static inline void
put_char(struct output *o, char c)
{
	*room(o, 1) = c;
	o->len++;
}

#endif
