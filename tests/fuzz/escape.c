/*
 * escape.c: libFuzzer harness for src/escape.c.  For any bytes, every
 * escaping must stay within its size bound (each output buffer is
 * malloc'ed at exactly that size, so AddressSanitizer sees an overrun),
 * give valid UTF-8 with nothing a reader could take for the end of a line
 * or a terminal could use to reorder the text, and undo exactly: unvis(3)
 * gives back the bytes of escape(), a JSON string decoder those of
 * escape_json() (with U+FFFD for each invalid byte, then and only then
 * flagged lossy), a base64 decoder those of escape_base64().
 *
 * The UTF-8 rules here are written again from RFC 3629, on purpose not
 * shared with src/escape.c, so that a mistake there shows.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vis.h>

#include "escape.h"
#include "fuzz.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * Length of the well-formed UTF-8 character at s (at most len bytes) and
 * its code point in *cpp, or 0: RFC 3629, section 4, byte by byte.
 */
static size_t
utf8_len(const uint8_t *s, size_t len, uint32_t *cpp)
{
	uint8_t		 lo = 0x80, hi = 0xbf;
	uint32_t	 cp;
	size_t		 n, i;

	if (s[0] < 0x80) {
		*cpp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
		if (s[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else
		return 0;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 1; i < n; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	*cpp = cp;
	return n;
}

/*
 * Whether cp must never appear raw in an escaped name: the C0 controls,
 * DEL, the C1 controls, the line and paragraph separators and the
 * bidirectional controls.
 */
static int
forbidden(uint32_t cp)
{
	static const uint32_t	 one[] = {
		0x7f, 0x061c, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202b,
		0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069
	};
	size_t			 i;

	if (cp < 0x20 || (cp >= 0x80 && cp <= 0x9f))
		return 1;
	for (i = 0; i < sizeof(one) / sizeof(one[0]); i++)
		if (cp == one[i])
			return 1;
	return 0;
}

/* s is valid UTF-8 holding no forbidden() character. */
static void
check_text(const char *s, size_t len)
{
	const uint8_t	*u = (const uint8_t *)s;
	uint32_t	 cp;
	size_t		 i, n;

	for (i = 0; i < len; i += n) {
		n = utf8_len(u + i, len - i, &cp);
		CHECK(n != 0);
		CHECK(!forbidden(cp));
	}
}

/* UTF-8 of cp (not a surrogate, at most U+10FFFF) at d; its length. */
static size_t
utf8_put(uint8_t *d, uint32_t cp)
{
	if (cp < 0x80) {
		d[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = 0xc0 | cp >> 6;
		d[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = 0xe0 | cp >> 12;
		d[1] = 0x80 | ((cp >> 6) & 0x3f);
		d[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	d[0] = 0xf0 | cp >> 18;
	d[1] = 0x80 | ((cp >> 12) & 0x3f);
	d[2] = 0x80 | ((cp >> 6) & 0x3f);
	d[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/*
 * unvis(3) of len bytes of src into dst, one character at a time, as the
 * text may stand for NUL bytes; every escape must be well-formed.
 */
static size_t
unvis_all(uint8_t *dst, const char *src, size_t len)
{
	size_t	 i = 0, n = 0;
	int	 state = 0, r;
	char	 c;

	while (i < len) {
		r = unvis(&c, (unsigned char)src[i], &state, 0);
		switch (r) {
		case UNVIS_VALID:
			dst[n++] = c;
			i++;
			break;
		case UNVIS_VALIDPUSH:	/* src[i] starts the next one */
			dst[n++] = c;
			break;
		case UNVIS_NOCHAR:
			i++;
			break;
		default:
			CHECK(!"unvis: bad escape");
		}
	}
	r = unvis(&c, '\0', &state, UNVIS_END);
	if (r == UNVIS_VALID)
		dst[n++] = c;
	else
		CHECK(r == UNVIS_NOCHAR);
	return n;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	CHECK(!"not a hex digit");
	return 0;
}

/*
 * The bytes of the JSON string contents src (RFC 8259, section 7) into
 * dst; a raw quote or a malformed escape is a finding.  escape_json()
 * escapes only characters below U+10000, so a surrogate escape, even in a
 * pair, is one too.
 */
static size_t
json_decode(uint8_t *dst, const char *src, size_t len)
{
	uint32_t	 cp;
	size_t		 i, n = 0;
	int		 k;

	for (i = 0; i < len; i++) {
		CHECK(src[i] != '"');
		if (src[i] != '\\') {
			dst[n++] = src[i];
			continue;
		}
		CHECK(++i < len);
		switch (src[i]) {
		case '"':
		case '\\':
		case '/':
			dst[n++] = src[i];
			break;
		case 'b':
			dst[n++] = '\b';
			break;
		case 'f':
			dst[n++] = '\f';
			break;
		case 'n':
			dst[n++] = '\n';
			break;
		case 'r':
			dst[n++] = '\r';
			break;
		case 't':
			dst[n++] = '\t';
			break;
		case 'u':
			CHECK(len - i > 4);
			for (cp = 0, k = 1; k <= 4; k++)
				cp = cp << 4 | hexval(src[i + k]);
			i += 4;
			CHECK(cp < 0xd800 || cp > 0xdfff);
			n += utf8_put(dst + n, cp);
			break;
		default:
			CHECK(!"unknown JSON escape");
		}
	}
	return n;
}

static int
b64val(char c)
{
	static const char	 abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char		*p;

	CHECK(c != '\0' && (p = strchr(abc, c)) != NULL);
	return p - abc;
}

/* RFC 4648 base64 src, padded, into dst. */
static size_t
base64_decode(uint8_t *dst, const char *src, size_t len)
{
	uint32_t	 v;
	size_t		 i, n = 0;
	int		 pad;

	CHECK(len % 4 == 0);
	for (i = 0; i < len; i += 4) {
		pad = (src[i + 3] == '=') + (src[i + 2] == '=');
		CHECK(pad == 0 || i + 4 == len);
		CHECK(pad < 2 || src[i + 2] == '=');
		v = b64val(src[i]) << 18 | b64val(src[i + 1]) << 12;
		if (pad < 2)
			v |= b64val(src[i + 2]) << 6;
		if (pad < 1)
			v |= b64val(src[i + 3]);
		dst[n++] = v >> 16;
		if (pad < 2)
			dst[n++] = v >> 8;
		if (pad < 1)
			dst[n++] = v;
	}
	return n;
}

static void
fuzz_escape(const uint8_t *data, size_t len)
{
	char	*out, *nul, *dup;
	uint8_t	*back;
	size_t	 n, m, z;

	CHECK((out = malloc(ESCAPE_MAX(len))) != NULL || len == 0);
	n = escape(out, (const char *)data, len);
	CHECK(n <= ESCAPE_MAX(len));
	check_text(out, n);
	CHECK((back = malloc(n + 1)) != NULL);
	m = unvis_all(back, out, n);
	CHECK(m == len && memcmp(back, data, len) == 0);
	free(back);

	/* escape_dup(), on the name up to the first NUL. */
	z = strnlen((const char *)data, len);
	CHECK((nul = malloc(z + 1)) != NULL);
	memcpy(nul, data, z);
	nul[z] = '\0';
	dup = escape_dup(nul);
	n = escape(out, nul, z);
	CHECK(strlen(dup) == n && memcmp(dup, out, n) == 0);
	free(dup);
	free(nul);
	free(out);
}

static void
fuzz_json(const uint8_t *data, size_t len)
{
	char	*out;
	uint8_t	*back, *want;
	uint32_t cp;
	size_t	 n, m, w, i, k;
	int	 lossy = 0, bad = 0;

	/* What decoding must give: U+FFFD for each byte not in UTF-8. */
	CHECK((want = malloc(3 * len + 1)) != NULL);
	for (i = w = 0; i < len; i += k) {
		if ((k = utf8_len(data + i, len - i, &cp)) != 0) {
			memcpy(want + w, data + i, k);
			w += k;
		} else {
			k = 1;
			bad = 1;
			w += utf8_put(want + w, 0xfffd);
		}
	}

	CHECK((out = malloc(ESCAPE_JSON_MAX(len))) != NULL || len == 0);
	n = escape_json(out, (const char *)data, len, &lossy);
	CHECK(n <= ESCAPE_JSON_MAX(len));
	check_text(out, n);
	CHECK(lossy == bad);
	CHECK((back = malloc(n + 1)) != NULL);
	m = json_decode(back, out, n);
	CHECK(m == w && memcmp(back, want, w) == 0);
	free(back);
	free(out);
	free(want);
}

static void
fuzz_base64(const uint8_t *data, size_t len)
{
	char	*out;
	uint8_t	*back;
	size_t	 n, m;

	CHECK((out = malloc(ESCAPE_BASE64_MAX(len))) != NULL || len == 0);
	n = escape_base64(out, (const char *)data, len);
	CHECK(n == ESCAPE_BASE64_MAX(len));
	CHECK((back = malloc(n / 4 * 3 + 1)) != NULL);
	m = base64_decode(back, out, n);
	CHECK(m == len && memcmp(back, data, len) == 0);
	free(back);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	fuzz_escape(data, len);
	fuzz_json(data, len);
	fuzz_base64(data, len);
	return 0;
}
