/*
 * suggest.c: the word a person most likely meant.  An unknown option or
 * event name is answered with the nearest known one, by edit distance
 * (insertions, deletions, substitutions and swaps of two neighbours, each
 * one step, case ignored), when it is near enough to be a slip of the
 * fingers rather than another word.
 */
#include <ctype.h>
#include <string.h>

#include "suggest.h"

#define WORD_MAX	64

/* The edit distance of a (alen bytes) and b, both at most WORD_MAX long. */
static size_t
distance(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t	 d[WORD_MAX + 1][WORD_MAX + 1], i, j, best, cost;

	for (i = 0; i <= alen; i++)
		d[i][0] = i;
	for (j = 0; j <= blen; j++)
		d[0][j] = j;
	for (i = 1; i <= alen; i++)
		for (j = 1; j <= blen; j++) {
			cost = tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]);
			best = d[i - 1][j - 1] + cost;
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[alen][blen];
}

/*
 * Of the n words, the one nearest to the len bytes of s, if at most a
 * third of s's length away (one step for a short word); else NULL.
 */
const char *
suggest(const char *s, size_t len, const char *const *words, size_t n)
{
	const char	*best = NULL;
	size_t		 i, d, bestd, wlen;

	if (len == 0 || len > WORD_MAX)
		return NULL;
	bestd = len / 3 > 1 ? len / 3 : 1;
	for (i = 0; i < n; i++) {
		if ((wlen = strlen(words[i])) > WORD_MAX)
			continue;
		if ((d = distance(s, len, words[i], wlen)) <= bestd &&
		    (best == NULL || d < bestd)) {
			best = words[i];
			bestd = d;
		}
	}
	return best;
}
