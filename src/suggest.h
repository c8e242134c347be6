/*
 * suggest.h: the word a person most likely meant, for "did you mean".
 */
#ifndef WATCHX_SUGGEST_H
#define WATCHX_SUGGEST_H

#include <stddef.h>

const char	*suggest(const char *, size_t, const char *const *, size_t);

#endif
