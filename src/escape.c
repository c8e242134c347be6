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
 * Length of the valid multibyte UTF-8 character at s (at most len bytes),
 * or 0.  Rejects overlong forms, surrogates and code points above
 * U+10FFFF.
 */
static size_t
utf8_char(const unsigned char *s, size_t len)
{
	unsigned int	 cp, min;
	size_t		 n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
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
 * The length of the run at s of printable ASCII other than also1 and
 * also2, which the escapings copy as they are.
 */
static size_t
plain(const unsigned char *s, size_t len, int also1, int also2)
{
	size_t	 n;

	for (n = 0; n < len; n++)
		if (s[n] < 0x20 || s[n] >= 0x7f || s[n] == also1 ||
		    s[n] == also2)
			break;
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
		if ((n = plain(s + i, len - i, '\\', '\\')) > 0) {
			memcpy(d, s + i, n);
			d += n;
			continue;
		}
		/* Valid UTF-8, but not the C1 controls U+0080..U+009F. */
		if (s[i] >= 0x80 && (n = utf8_char(s + i, len - i)) != 0 &&
		    !(s[i] == 0xc2 && s[i + 1] < 0xa0)) {
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

/* The letter of a JSON short escape for c (\n for newline...), or 0. */
static int
json_short(unsigned int c)
{
	switch (c) {
	case '"':
	case '\\':
		return c;
	case '\b':
		return 'b';
	case '\f':
		return 'f';
	case '\n':
		return 'n';
	case '\r':
		return 'r';
	case '\t':
		return 't';
	}
	return 0;
}

/*
 * The contents of a JSON string (RFC 8259) for len bytes of src, into dst
 * with room for ESCAPE_JSON_MAX(len).  Control characters, DEL and the C1
 * controls are written as escapes; a byte that is not valid UTF-8 becomes
 * U+FFFD and sets *lossy.
 */
size_t
escape_json(char *dst, const char *src, size_t len, int *lossy)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*s = (const unsigned char *)src;
	char			*d = dst;
	unsigned int		 c;
	size_t			 i, n;
	int			 e;

	for (i = 0; i < len; i += n) {
		if ((n = plain(s + i, len - i, '"', '\\')) > 0) {
			memcpy(d, s + i, n);
			d += n;
			continue;
		}
		n = 1;
		c = s[i];
		if (c >= 0x80) {
			if ((n = utf8_char(s + i, len - i)) == 0) {
				n = 1;
				*lossy = 1;
				memcpy(d, "\xef\xbf\xbd", 3);
				d += 3;
				continue;
			}
			if (c != 0xc2 || s[i + 1] >= 0xa0) {
				memcpy(d, s + i, n);
				d += n;
				continue;
			}
			c = s[i + 1];	/* a C1 control */
		} else if ((e = json_short(c)) != 0) {
			*d++ = '\\';
			*d++ = e;
			continue;
		}
		memcpy(d, "\\u00", 4);
		d[4] = hex[c >> 4];
		d[5] = hex[c & 0xf];
		d += 6;
	}
	return d - dst;
}

/* RFC 4648 base64 of len bytes of src, into ESCAPE_BASE64_MAX(len). */
size_t
escape_base64(char *dst, const char *src, size_t len)
{
	static const char	 abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char	*s = (const unsigned char *)src;
	char			*d = dst;
	unsigned int		 v;
	size_t			 i;

	for (i = 0; i + 2 < len; i += 3) {
		v = s[i] << 16 | s[i + 1] << 8 | s[i + 2];
		*d++ = abc[v >> 18];
		*d++ = abc[(v >> 12) & 63];
		*d++ = abc[(v >> 6) & 63];
		*d++ = abc[v & 63];
	}
	if (i < len) {
		v = s[i] << 16 | (i + 1 < len ? s[i + 1] << 8 : 0);
		*d++ = abc[v >> 18];
		*d++ = abc[(v >> 12) & 63];
		*d++ = i + 1 < len ? abc[(v >> 6) & 63] : '=';
		*d++ = '=';
	}
	return d - dst;
}
