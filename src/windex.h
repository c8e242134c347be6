/*
 * windex.h: hash tables of watch indices (windex.c).
 */
#ifndef WATCHX_WINDEX_H
#define WATCHX_WINDEX_H

#include <stddef.h>
#include <stdint.h>

/* Where index x hashes to, asked of the table's owner (ctx). */
typedef uint32_t (*windex_home)(const void *, uint32_t);

struct windex;

void	 windex_put(struct windex *, uint32_t, uint32_t);
void	 windex_room(struct windex *, size_t, windex_home, const void *);
void	 windex_remove(struct windex *, uint32_t, uint32_t, windex_home,
	    const void *);

#endif
