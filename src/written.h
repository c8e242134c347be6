/*
 * written.h: whether a file found is complete (written.c).
 */
#ifndef WATCHX_WRITTEN_H
#define WATCHX_WRITTEN_H

#include <stdint.h>

struct watchset;

uint32_t written_found(const struct watchset *, int, const char *, int *);
int	 written_busy(int, const char *, int);

#endif
