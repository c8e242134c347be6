/*
 * escape.c: escaping of file names so that one event is always one line of
 * valid UTF-8.  Backslash, control bytes and bytes that are not part of a
 * valid UTF-8 character are written as C-style escapes by vis(3); valid
 * UTF-8 characters are copied as they are, so names stay readable.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>
#include <vis.h>

#include "escape.h"

#define VIS_FLAGS	(VIS_OCTAL | VIS_CSTYLE | VIS_TAB | VIS_NL)

/*
 * Length of the valid, printable UTF-8 character at s (at most len bytes),
 * or 0.  Rejects overlong forms, surrogates, code points above U+10FFFF
 * and the C1 controls U+0080..U+009F.
 */
static size_t
utf8_char(const unsigned char *s, size_t len)
{
	unsigned int	 cp, min;
	size_t		 n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
		min = 0xa0;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * Escape len bytes of src into dst, which has room for ESCAPE_MAX(len)
 * bytes.  Returns the length written; dst is not NUL-terminated.
 */
size_t
escape(char *dst, const char *src, size_t len)
{
	const unsigned char	*s = (const unsigned char *)src;
	char			*d = dst, tmp[8], *end;
	size_t			 i, n;
	int			 next;

	for (i = 0; i < len; i += n) {
		n = 1;
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\') {
			*d++ = s[i];
			continue;
		}
		if (s[i] >= 0x80 && (n = utf8_char(s + i, len - i)) != 0) {
			memcpy(d, s + i, n);
			d += n;
			continue;
		}
		n = 1;
		next = i + 1 < len ? s[i + 1] : '\0';
		end = vis(tmp, s[i], VIS_FLAGS, next);
		memcpy(d, tmp, end - tmp);
		d += end - tmp;
	}
	return d - dst;
}

/* An escaped, NUL-terminated copy of s, for messages. */
char *
escape_dup(const char *s)
{
	size_t	 len = strlen(s);
	char	*d;

	if ((d = malloc(ESCAPE_MAX(len) + 1)) == NULL)
		err(1, NULL);
	d[escape(d, s, len)] = '\0';
	return d;
}
