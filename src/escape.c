/*
 * escape.c: escaping of file names so that one event is always one line of
 * valid UTF-8.  Backslash, control bytes and bytes that are not part of a
 * valid UTF-8 character are written as C-style escapes by vis(3); valid
 * UTF-8 characters are copied as they are, so names stay readable, except
 * the few that some readers take for a line break or that reorder what a
 * terminal shows (see hidden()).
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>
#include <vis.h>

#include "escape.h"

#define VIS_FLAGS	(VIS_OCTAL | VIS_CSTYLE | VIS_TAB | VIS_NL)

/*
 * Length of the valid multibyte UTF-8 character at s (at most len bytes),
 * or 0; its code point goes to *cpp.  Rejects overlong forms, surrogates
 * and code points above U+10FFFF.
 */
static size_t
utf8_char(const unsigned char *s, size_t len, unsigned int *cpp)
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
	*cpp = cp;
	return n;
}

/*
 * Whether the valid character cp is escaped all the same: the C1 controls
 * U+0080..U+009F; the line and paragraph separators U+2028 and U+2029,
 * which Python's str.splitlines() and other readers take for the end of a
 * line, splitting one record in two; and the bidirectional controls
 * (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069), which reorder
 * what a terminal shows so that one name can pass for another.  All are
 * below U+10000, so the JSON escape \uXXXX needs no surrogate pair.
 */
static int
hidden(unsigned int cp)
{
	if (cp < 0x800)
		return (cp >= 0x80 && cp <= 0x9f) || cp == 0x61c;
	return cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
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
	unsigned int		 cp;
	size_t			 i, n;
	int			 next;

	for (i = 0; i < len; i += n) {
		if ((n = plain(s + i, len - i, '\\', '\\')) > 0) {
			memcpy(d, s + i, n);
			d += n;
			continue;
		}
		if (s[i] >= 0x80 &&
		    (n = utf8_char(s + i, len - i, &cp)) != 0 && !hidden(cp)) {
			memcpy(d, s + i, n);
			d += n;
			continue;
		}
		/*
		 * One byte as a vis(3) escape, C-style or octal.  The rest of
		 * a hidden() character follows byte by byte in octal, as its
		 * continuation bytes are not valid on their own; unvis(3)
		 * gives back the exact bytes.
		 */
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
 * with room for ESCAPE_JSON_MAX(len).  Control characters, DEL and the
 * hidden() characters are written as \uXXXX escapes (RFC 8259 requires it
 * only of controls, but a raw U+2028 ends a line for many JSON-lines
 * readers); a byte that is not valid UTF-8 becomes U+FFFD and sets *lossy.
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
			if ((n = utf8_char(s + i, len - i, &c)) == 0) {
				n = 1;
				*lossy = 1;
				memcpy(d, "\xef\xbf\xbd", 3);
				d += 3;
				continue;
			}
			if (!hidden(c)) {
				memcpy(d, s + i, n);
				d += n;
				continue;
			}
		} else if ((e = json_short(c)) != 0) {
			*d++ = '\\';
			*d++ = e;
			continue;
		}
		/* At most 6 bytes for at least one: within ESCAPE_JSON_MAX. */
		d[0] = '\\';
		d[1] = 'u';
		d[2] = hex[c >> 12];
		d[3] = hex[(c >> 8) & 0xf];
		d[4] = hex[(c >> 4) & 0xf];
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
