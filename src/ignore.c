/*
 * ignore.c: patterns in gitignore(5) syntax, read and matched as git
 * does.  A line is a pattern unless it is empty or starts with '#'.
 * Trailing spaces are dropped unless a backslash quotes them.  A leading
 * '!' negates; a trailing '/' means directories only; a pattern with no
 * other '/' matches the last component of a path at any depth, and one
 * with a '/' matches the whole path relative to the list's directory (a
 * leading '/' says no more than that).  In a match '*', '?' and [...]
 * never match a '/'; a '**' between slashes, or at either end, matches any
 * number of whole directories; a backslash quotes the next character.
 * The last pattern of a list that matches decides.
 *
 * The tests hold this to git's verdicts: tests/oracle/gitignore.py
 * compares with git check-ignore over generated trees and ignore files.
 */
#include <err.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "ignore.h"

/* What wild() found; the last two also rule out every later start. */
enum { WM_NO, WM_YES, WM_ABORT_ALL, WM_ABORT_SLASH };

/*
 * A match in progress.  A pattern with several '**' could retry each from
 * every place in the text, for each place of the one before: exponential
 * in their number (a fuzzed .gitignore took seconds).  With two or more,
 * what each '**' found from each place is kept (memo), so each is worked
 * out once.
 */
struct wm {
	const unsigned char	*p0;	/* where the pattern starts */
	const unsigned char	*pe;
	const unsigned char	*s0;	/* where the text starts */
	const unsigned char	*se;	/* where the text ends */
	uint32_t		*star;	/* by pattern offset: 1 + its '**', or 0 */
	unsigned char		*memo;	/* by '**' and text offset: 1 + result */
	size_t			 cols;	/* text offsets: its length + 1 */
};

static int	wild(const struct wm *, const unsigned char *,
		    const unsigned char *);

static int
special(unsigned char c)
{
	return c == '*' || c == '?' || c == '[' || c == '\\';
}

/* The length of a line without its trailing spaces, unless quoted. */
static size_t
trim(const char *s, size_t len)
{
	size_t	 i, keep = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == ' ')
			continue;
		/* A backslash at the very end: the line is kept as it is. */
		if (s[i] == '\\' && ++i == len)
			return len;
		keep = i + 1;
	}
	return keep;
}

/* Add the pattern of one line; returns whether it was one. */
int
ignore_add(struct ignore *l, const char *s, size_t len)
{
	struct pattern	*p;
	size_t		 i;
	unsigned	 flags = 0;

	len = strnlen(s, len);
	if (len == 0 || s[0] == '#')
		return 0;
	len = trim(s, len);
	if (len > 0 && s[0] == '!') {
		flags |= PAT_NEGATE;
		s++;
		len--;
	}
	if (len > 0 && s[len - 1] == '/') {
		flags |= PAT_DIRONLY;
		len--;
	}
	if (memchr(s, '/', len) == NULL)
		flags |= PAT_BASENAME;
	else if (s[0] == '/') {
		s++;
		len--;
	}
	if (len == 0)
		return 0;
	if ((flags & PAT_BASENAME) && s[0] == '*') {
		for (i = 1; i < len && !special(s[i]); i++)
			;
		if (i == len)
			flags |= PAT_SUFFIX;
	}
	for (i = 0; i < len && !special(s[i]); i++)
		;
	p = ARRAY_PUSH(l->v, l->n);
	if ((p->text = strndup(s, len)) == NULL)
		err(1, NULL);
	p->len = len;
	p->literal = i;
	p->flags = flags;
	/*
	 * A match ends where the pattern does: on its last byte, if that is
	 * plainly literal (not a wildcard, not quoted, not a bracket's end).
	 */
	p->last = !special(s[len - 1]) && s[len - 1] != ']' &&
	    (len == 1 || s[len - 2] != '\\') ? (unsigned char)s[len - 1] : 0;
	return 1;
}

/* Add the patterns of a file's contents, len bytes at buf. */
void
ignore_parse(struct ignore *l, const char *buf, size_t len)
{
	const char	*end = buf + len, *nl;
	size_t		 n;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		buf += 3;
	for (; buf < end; buf = nl + 1) {
		if ((nl = memchr(buf, '\n', end - buf)) == NULL)
			nl = end;
		n = nl - buf;
		if (n > 0 && buf[n - 1] == '\r')
			n--;
		ignore_add(l, buf, n);
	}
}

void
ignore_free(struct ignore *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].text);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Whether c is in the character class name, len bytes ("alpha"). */
static int
in_class(const unsigned char *name, size_t len, unsigned char c, int *ok)
{
	static const char *const names[] = { "alnum", "alpha", "blank",
	    "cntrl", "digit", "graph", "lower", "print", "punct", "space",
	    "upper", "xdigit" };
	int	 lower = c >= 'a' && c <= 'z', upper = c >= 'A' && c <= 'Z';
	int	 digit = c >= '0' && c <= '9', print = c >= 0x20 && c < 0x7f;
	int	 space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
	size_t	 i;

	*ok = 1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
			break;
	switch (i) {
	case 0:	return lower || upper || digit;
	case 1:	return lower || upper;
	case 2:	return c == ' ' || c == '\t';
	case 3:	return c < 0x20 || c == 0x7f;
	case 4:	return digit;
	case 5:	return print && c != ' ';
	case 6:	return lower;
	case 7:	return print;
	case 8:	return print && c != ' ' && !lower && !upper && !digit;
	case 9:	return space;
	case 10: return upper;
	case 11: return digit || (c >= 'a' && c <= 'f') ||
		    (c >= 'A' && c <= 'F');
	}
	*ok = 0;
	return 0;
}

/*
 * The bracket expression at *pp ('['): whether c is in it, -1 if it is
 * not closed or names no known class.  *pp is left on its ']'.  The first
 * member may be ']'; '!' or '^' first negates; a '-' between two members
 * is a range; [:name:] is a class; a backslash quotes.
 */
static int
bracket(const unsigned char **pp, const unsigned char *pe, unsigned char c)
{
	const unsigned char	*p = *pp + 1, *name, *e;
	unsigned char		 ch;
	unsigned		 prev = 0;	/* a range may start from it */
	int			 negated = 0, in = 0, ok, first;

	if (p < pe && (*p == '!' || *p == '^')) {
		negated = 1;
		p++;
	}
	for (first = 1;; first = 0, p++) {
		if (p >= pe)
			return -1;
		if (*p == ']' && !first)
			break;
		ch = *p;
		if (ch == '\\') {
			if (++p >= pe)
				return -1;
			in |= c == *p;
			prev = *p;
		} else if (ch == '-' && prev != 0 && p + 1 < pe &&
		    p[1] != ']') {
			if (*++p == '\\' && ++p >= pe)
				return -1;
			in |= c >= prev && c <= *p;
			prev = 0;
		} else if (ch == '[' && p + 1 < pe && p[1] == ':') {
			name = p + 2;
			for (e = name; e < pe && *e != ']'; e++)
				;
			if (e >= pe)
				return -1;
			if (e == name || e[-1] != ':') {
				/* No ":]": the '[' is a member like another. */
				in |= c == '[';
				prev = '[';
				continue;
			}
			in |= in_class(name, e - 1 - name, c, &ok);
			if (!ok)
				return -1;
			p = e;
			prev = 0;
		} else {
			in |= c == ch;
			prev = ch;
		}
	}
	*pp = p;
	return in != negated;
}

/*
 * Why pattern pat cannot mean what it seems to, or NULL: for a pattern
 * given on the command line (in a file, git takes such a one to match
 * nothing).
 */
const char *
ignore_check(const char *pat)
{
	const unsigned char	*p = (const unsigned char *)pat, *pe, *q;

	for (pe = p + strlen(pat); p < pe; p++) {
		if (*p == '\\' && ++p == pe)
			return "a backslash at the end quotes nothing";
		if (*p == '[') {
			q = p;
			if (bracket(&q, pe, 'a') == -1)
				return "a '[' is not closed, or names no "
				    "[:class:]";
			p = q;
		}
	}
	return NULL;
}

/*
 * A '*' (slash == 0) or a '**' of whole directories (slash == 1) matched
 * from s, and the pattern going on at q.
 */
static int
star(const struct wm *m, const unsigned char *q, const unsigned char *s,
    int slash)
{
	const unsigned char	*t;
	int			 r;

	if (q == m->pe)
		return slash || memchr(s, '/', m->se - s) == NULL ?
		    WM_YES : WM_NO;
	if (!slash && *q == '/') {
		/* The rest of this component, up to its '/'. */
		if ((t = memchr(s, '/', m->se - s)) == NULL)
			return WM_NO;
		return wild(m, q, t);
	}
	for (t = s; t < m->se; t++) {
		if (!special(*q)) {
			/* Only where the literal after the star is. */
			while (t < m->se && *t != *q && (slash || *t != '/'))
				t++;
			/* Nor is it there for any later start. */
			if (t == m->se)
				return WM_ABORT_ALL;
			if (*t != *q)
				return WM_ABORT_SLASH;
		}
		r = wild(m, q, t);
		if (r != WM_NO) {
			if (!slash || r != WM_ABORT_SLASH)
				return r;
		} else if (!slash && *t == '/')
			return WM_ABORT_SLASH;
	}
	return WM_ABORT_ALL;
}

/* A '**' of whole directories, none at all included, ending at q, from s. */
static int
globstar(const struct wm *m, const unsigned char *q, const unsigned char *s)
{
	unsigned char	*c = NULL;
	int		 r;

	if (q == m->pe)
		return WM_YES;
	if (m->memo != NULL) {
		c = &m->memo[(m->star[q - m->p0] - 1) * m->cols + (s - m->s0)];
		if (*c != 0)
			return *c - 1;
	}
	if (*q == '/' && wild(m, q + 1, s) == WM_YES)
		r = WM_YES;
	else
		r = star(m, q, s, 1);
	if (c != NULL)
		*c = 1 + r;
	return r;
}

/* Whether the pattern from p matches the text from s. */
static int
wild(const struct wm *m, const unsigned char *p, const unsigned char *s)
{
	const unsigned char	*q;
	int			 r;

	for (; p < m->pe; p++, s++) {
		if (*p != '*' && s == m->se)
			return WM_ABORT_ALL;
		switch (*p) {
		case '*':
			for (q = p; q < m->pe && *q == '*'; q++)
				;
			if (q - p < 2 || !(p == m->p0 || p[-1] == '/') ||
			    !(q == m->pe || *q == '/' || (*q == '\\' &&
			    q + 1 < m->pe && q[1] == '/')))
				return star(m, q, s, 0);
			return globstar(m, q, s);
		case '?':
			if (*s == '/')
				return WM_NO;
			break;
		case '[':
			if ((r = bracket(&p, m->pe, *s)) == -1)
				return WM_ABORT_ALL;
			if (r == 0 || *s == '/')
				return WM_NO;
			break;
		case '\\':
			if (++p == m->pe)
				return WM_NO;
			/* FALLTHROUGH */
		default:
			if (*p != *s)
				return WM_NO;
		}
	}
	return s == m->se ? WM_YES : WM_NO;
}

/* Whether pattern pat, plen bytes, matches text s, slen bytes. */
int
ignore_wildmatch(const char *pat, size_t plen, const char *s, size_t slen)
{
	struct wm	 m;
	size_t		 i, n = 0;
	int		 r;

	m.p0 = (const unsigned char *)pat;
	m.pe = m.p0 + plen;
	m.s0 = (const unsigned char *)s;
	m.se = m.s0 + slen;
	m.star = NULL;
	m.memo = NULL;
	m.cols = slen + 1;
	/* Where a run of two '*' or more ends: a '**', or a superset. */
	for (i = 1; i < plen; i++)
		if (pat[i - 1] == '*' && pat[i] == '*' &&
		    (i + 1 == plen || pat[i + 1] != '*'))
			n++;
	if (n >= 2) {
		if ((m.star = calloc(plen + 1, sizeof(*m.star))) == NULL ||
		    (m.memo = calloc(n, m.cols)) == NULL)
			err(1, NULL);
		for (i = 1, n = 0; i < plen; i++)
			if (pat[i - 1] == '*' && pat[i] == '*' &&
			    (i + 1 == plen || pat[i + 1] != '*'))
				m.star[i + 1] = ++n;
	}
	r = wild(&m, m.p0, m.s0) == WM_YES;
	free(m.star);
	free(m.memo);
	return r;
}

/* Whether p, with no '/', matches the last component, name. */
static int
match_name(const struct pattern *p, const char *name, size_t len)
{
	if (p->literal == p->len)
		return p->len == len && memcmp(p->text, name, len) == 0;
	if (p->flags & PAT_SUFFIX)
		return p->len - 1 <= len && memcmp(p->text + 1,
		    name + len - (p->len - 1), p->len - 1) == 0;
	return ignore_wildmatch(p->text, p->len, name, len);
}

/* Whether p matches path, relative to its list's directory. */
static int
match_path(const struct pattern *p, const char *path, size_t len)
{
	size_t	 n = p->literal;

	if (n > len || memcmp(p->text, path, n) != 0)
		return 0;
	if (n == p->len)
		return n == len;
	/* As git does: what follows the literal part starts a pattern. */
	return ignore_wildmatch(p->text + n, p->len - n, path + n, len - n);
}

/*
 * The verdict of the last pattern of l that matches path, len bytes,
 * relative to l's directory (no leading '/'); isdir: it is a directory.
 */
enum ignore_verdict
ignore_match(const struct ignore *l, const char *path, size_t len, int isdir)
{
	const struct pattern	*p;
	const char		*name = path + len;
	size_t			 i;
	int			 m;
	unsigned char		 last = len > 0 ? path[len - 1] : 0;

	while (name > path && name[-1] != '/')
		name--;
	for (i = l->n; i-- > 0;) {
		p = &l->v[i];
		if ((p->last != 0 && p->last != last) ||
		    ((p->flags & PAT_DIRONLY) && !isdir))
			continue;
		if (p->flags & PAT_BASENAME)
			m = match_name(p, name, path + len - name);
		else
			m = match_path(p, path, len);
		if (m)
			return p->flags & PAT_NEGATE ? IGNORE_NEGATED :
			    IGNORE_MATCH;
	}
	return IGNORE_NONE;
}

/*
 * Whether l leaves out path, len bytes: a pattern matches it or, as git
 * takes it, a directory above it (nothing below one can come back).
 */
int
ignore_below(const struct ignore *l, const char *path, size_t len, int isdir)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (path[i] == '/' &&
		    ignore_match(l, path, i, 1) == IGNORE_MATCH)
			return 1;
	return ignore_match(l, path, len, isdir) == IGNORE_MATCH;
}
