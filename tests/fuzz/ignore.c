/*
 * ignore.c: libFuzzer harness for src/ignore.c.  The input is the text of
 * an ignore file, a NUL, and a path.  Every line is parsed and checked,
 * the path is matched as a file and as a directory, and every line is
 * matched against the path as a bare wildcard pattern: nothing may read
 * out of bounds (AddressSanitizer), and no pattern may take long (the
 * fuzzer's timeout: a matcher that backtracks without bound is a
 * finding).  Two properties are checked: a list ending in a pattern that
 * is the path itself, quoted, matches it; and one ending in the negation
 * of that pattern does not.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ignore.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* path with a backslash before every byte: a pattern that is it alone. */
static char *
quote(const char *path, size_t len, int negate)
{
	char	*q = malloc(2 * len + 3), *p = q;
	size_t	 i;

	if (q == NULL)
		abort();
	if (negate)
		*p++ = '!';
	*p++ = '/';
	for (i = 0; i < len; i++) {
		*p++ = '\\';
		*p++ = path[i];
	}
	*p = '\0';
	return q;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ignore	 l = { NULL, 0 };
	const char	*text = (const char *)data, *path, *nl, *end;
	char		*line, *q;
	size_t		 tlen, plen;

	if ((path = memchr(text, '\0', size)) == NULL)
		return 0;
	tlen = path - text;
	path++;
	plen = size - tlen - 1;
	ignore_parse(&l, text, tlen);
	ignore_match(&l, path, plen, 0);
	ignore_match(&l, path, plen, 1);
	for (end = text + tlen; text < end; text = nl + 1) {
		if ((nl = memchr(text, '\n', end - text)) == NULL)
			nl = end;
		if ((line = strndup(text, nl - text)) == NULL)
			abort();
		ignore_check(line);
		ignore_wildmatch(line, strlen(line), path, plen);
		free(line);
	}
	ignore_free(&l);

	/* A path the quoted pattern can stand for: no NUL, '/' or blank end. */
	if (plen == 0 || memchr(path, '\0', plen) != NULL ||
	    memchr(path, '/', plen) != NULL || path[plen - 1] == ' ')
		return 0;
	q = quote(path, plen, 0);
	ignore_add(&l, q, strlen(q));
	CHECK(ignore_match(&l, path, plen, 0) == IGNORE_MATCH);
	free(q);
	q = quote(path, plen, 1);
	ignore_add(&l, q, strlen(q));
	CHECK(ignore_match(&l, path, plen, 0) == IGNORE_NEGATED);
	free(q);
	ignore_free(&l);
	return 0;
}
