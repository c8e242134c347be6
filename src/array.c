/*
 * array.c: arrays that grow (array.h).  Running out of memory ends
 * watchx, as everywhere else.
 */
#include <err.h>
#include <stdint.h>
#include <stdlib.h>

#include "array.h"

#define ARRAY_FIRST	16

/* Room in p (for *size elements of elem bytes) for at least need. */
void *
array_room(void *p, size_t *size, size_t need, size_t elem)
{
	size_t	 n = *size == 0 ? ARRAY_FIRST : *size;

	if (need <= *size)
		return p;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			errx(1, "array too large");
		n *= 2;
	}
	if ((p = reallocarray(p, n, elem)) == NULL)
		err(1, NULL);
	*size = n;
	return p;
}

/*
 * Room in p, of n elements of elem bytes, for one more.  Its size is
 * n rounded up to a power of 2 (at least ARRAY_FIRST), so it grows only
 * when n is one.
 */
void *
array_push(void *p, size_t n, size_t elem)
{
	size_t	 size = n;

	if (n != 0 && (n < ARRAY_FIRST || (n & (n - 1)) != 0))
		return p;
	return array_room(p, &size, n + 1, elem);
}
