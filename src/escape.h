/*
 * escape.h: make untrusted names safe for a line of text.
 */
#ifndef WATCHX_ESCAPE_H
#define WATCHX_ESCAPE_H

#include <stddef.h>

/*
 * Worst-case growth: every byte becomes "\ooo", those of an escaped valid
 * character (U+2028: 3 bytes, 12 out) included.
 */
#define ESCAPE_MAX(len)	((len) * 4)

/*
 * \u00XX for a control byte, U+FFFD (3 bytes) for an invalid one, and
 * \uXXXX for an escaped character of 2 or 3 bytes (U+061C, U+2028...).
 */
#define ESCAPE_JSON_MAX(len)	((len) * 6)
#define ESCAPE_BASE64_MAX(len)	(((len) + 2) / 3 * 4)

size_t	 escape(char *, const char *, size_t);
char	*escape_dup(const char *);
size_t	 escape_json(char *, const char *, size_t, int *);
size_t	 escape_base64(char *, const char *, size_t);

#endif
