/*
 * escape.h: make untrusted names safe for a line of text.
 */
#ifndef WATCHX_ESCAPE_H
#define WATCHX_ESCAPE_H

#include <stddef.h>

/* Worst-case growth: every byte becomes "\ooo". */
#define ESCAPE_MAX(len)	((len) * 4)

size_t	 escape(char *, const char *, size_t);
char	*escape_dup(const char *);

#endif
