/*
 * array.h: arrays that grow, all the same way.
 */
#ifndef WATCHX_ARRAY_H
#define WATCHX_ARRAY_H

#include <stddef.h>

void	*array_room(void *, size_t *, size_t, size_t);
void	*array_push(void *, size_t, size_t);

/*
 * ARRAY_ROOM(p, size, need): array p, with room for size elements, gets
 * room for at least need (size doubles, from 16).
 */
#define ARRAY_ROOM(p, size, need) \
	((p) = array_room((p), &(size), (need), sizeof(*(p))))

/*
 * ARRAY_PUSH(p, n): one more element at the end of array p of n, which
 * has no size of its own (it doubles whenever n reaches a power of 2 from
 * 16); evaluates to the new element, n counts it.
 */
#define ARRAY_PUSH(p, n) \
	((p) = array_push((p), (n), sizeof(*(p))), &(p)[(n)++])

#endif
