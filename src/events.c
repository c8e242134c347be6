/*
 * events.c: the names of inotify events, for parsing -e/-x lists and for
 * printing a mask as "IN_CREATE,IN_ISDIR".
 */
#include <sys/inotify.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "events.h"
#include "suggest.h"

struct name {
	const char	*name;		/* lower case, without "in_" */
	uint32_t	 mask;
};

/*
 * What -e and -x accept.  The composites come last so that the list of
 * valid names in an error message reads naturally.
 */
static const struct name accepted[] = {
	{ "access",		IN_ACCESS },
	{ "modify",		IN_MODIFY },
	{ "attrib",		IN_ATTRIB },
	{ "close_write",	IN_CLOSE_WRITE },
	{ "close_nowrite",	IN_CLOSE_NOWRITE },
	{ "open",		IN_OPEN },
	{ "moved_from",		IN_MOVED_FROM },
	{ "moved_to",		IN_MOVED_TO },
	{ "create",		IN_CREATE },
	{ "delete",		IN_DELETE },
	{ "delete_self",	IN_DELETE_SELF },
	{ "move_self",		IN_MOVE_SELF },
	{ "unmount",		IN_UNMOUNT },
	{ "ignored",		IN_IGNORED },
	{ "close",		IN_CLOSE },
	{ "move",		IN_MOVE },
	{ "change",		EVENTS_CHANGE },
	{ "all",		IN_ALL_EVENTS },
};

/* The printed name of each bit, indexed by bit number. */
#define NAME(s)	{ s, sizeof(s) - 1 }
static const struct {
	const char	*name;
	size_t		 len;
} bitname[32] = {
	[0] = NAME("IN_ACCESS"),
	[1] = NAME("IN_MODIFY"),
	[2] = NAME("IN_ATTRIB"),
	[3] = NAME("IN_CLOSE_WRITE"),
	[4] = NAME("IN_CLOSE_NOWRITE"),
	[5] = NAME("IN_OPEN"),
	[6] = NAME("IN_MOVED_FROM"),
	[7] = NAME("IN_MOVED_TO"),
	[8] = NAME("IN_CREATE"),
	[9] = NAME("IN_DELETE"),
	[10] = NAME("IN_DELETE_SELF"),
	[11] = NAME("IN_MOVE_SELF"),
	[13] = NAME("IN_UNMOUNT"),
	[14] = NAME("IN_Q_OVERFLOW"),
	[15] = NAME("IN_IGNORED"),
	[24] = NAME("IN_ONLYDIR"),
	[25] = NAME("IN_DONT_FOLLOW"),
	[26] = NAME("IN_EXCL_UNLINK"),
	[28] = NAME("IN_MASK_CREATE"),
	[29] = NAME("IN_MASK_ADD"),
	[30] = NAME("IN_ISDIR"),
	[31] = NAME("IN_ONESHOT"),
};

/*
 * A raw mask: decimal digits, or "0x" and hexadecimal digits.  A leading
 * zero does not mean octal: "0100" is one hundred, as a person reads it.
 * Returns -1 unless the whole of s is such a number below 2^32.
 */
static int
parse_number(const char *s, size_t len, uint32_t *v)
{
	uint64_t	 n = 0;
	size_t		 i = 0;
	int		 base = 10, d;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == len)
		return -1;
	for (; i < len; i++) {
		if (isdigit((unsigned char)s[i]))
			d = s[i] - '0';
		else if (base == 16 && isxdigit((unsigned char)s[i]))
			d = tolower((unsigned char)s[i]) - 'a' + 10;
		else
			return -1;
		if ((n = n * base + d) > UINT32_MAX)
			return -1;
	}
	*v = n;
	return 0;
}

/* "unknown event 's'", with the nearest name if there is one near. */
static void
unknown(const char *s, size_t len, const char *name, size_t namelen,
    char *why, size_t whylen)
{
	const char	*words[sizeof(accepted) / sizeof(accepted[0])];
	const char	*near;
	size_t		 i;

	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
		words[i] = accepted[i].name;
	if ((near = suggest(name, namelen, words, i)) != NULL)
		snprintf(why, whylen, "unknown event '%.*s' (did you mean "
		    "'%s'?)", (int)len, s, near);
	else
		snprintf(why, whylen, "unknown event '%.*s'", (int)len, s);
}

/*
 * Parse one item of an event list: a name (any case, "in_" optional) or a
 * raw mask.  Returns -1 with a message in why when it is neither, or when
 * a number holds bits that are not events.
 */
static int
parse_item(const char *s, size_t len, uint32_t *mask, char *why,
    size_t whylen)
{
	const char	*name = s;
	size_t		 namelen = len, i;
	uint32_t	 v;

	if (namelen >= 3 && strncasecmp(name, "in_", 3) == 0) {
		name += 3;
		namelen -= 3;
	}
	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		if (strlen(accepted[i].name) == namelen &&
		    strncasecmp(name, accepted[i].name, namelen) == 0) {
			*mask |= accepted[i].mask;
			return 0;
		}
	}
	if (parse_number(s, len, &v) == -1) {
		unknown(s, len, name, namelen, why, whylen);
		return -1;
	}
	if (v == 0) {
		snprintf(why, whylen, "'%.*s' is no event: a number must "
		    "have at least one event bit", (int)len, s);
		return -1;
	}
	if ((v & ~EVENTS_VALID) != 0) {
		snprintf(why, whylen, "'%.*s' has bits that are not events: "
		    "0x%x (events are 0x%x)", (int)len, s,
		    v & ~EVENTS_VALID, EVENTS_VALID);
		return -1;
	}
	*mask |= v;
	return 0;
}

/*
 * Add the events of a comma-separated list to *mask.  On a bad item,
 * return -1 with a message naming it in why.
 */
int
events_parse(const char *list, uint32_t *mask, char *why, size_t whylen)
{
	const char	*p, *comma;
	size_t		 len;

	for (p = list;; p = comma + 1) {
		if ((comma = strchr(p, ',')) == NULL)
			len = strlen(p);
		else
			len = comma - p;
		if (len == 0) {
			snprintf(why, whylen, "an empty event name in '%s'",
			    list);
			return -1;
		}
		if (parse_item(p, len, mask, why, whylen) == -1)
			return -1;
		if (comma == NULL)
			return 0;
	}
}

/*
 * Write the names of every bit of mask, in ascending bit order, joined by
 * commas, into buf of size bytes (EVENTS_NAMES_MAX is always enough);
 * with quote, each name in double quotes, for JSON.  A bit without a name
 * is written as hexadecimal.  Returns the length; buf is not
 * NUL-terminated.  What does not fit is left out, never written past.
 */
size_t
events_format(uint32_t mask, char *buf, size_t size, int quote)
{
	char		 hex[16];
	const char	*name;
	size_t		 len, n = 0;
	int		 bit;

	while (mask != 0) {
		bit = __builtin_ctz(mask);
		mask &= mask - 1;
		if ((name = bitname[bit].name) != NULL)
			len = bitname[bit].len;
		else {
			len = snprintf(hex, sizeof(hex), "0x%x", 1U << bit);
			name = hex;
		}
		if (n + len + (n > 0) + 2 * quote > size)
			break;
		if (n > 0)
			buf[n++] = ',';
		if (quote)
			buf[n++] = '"';
		memcpy(buf + n, name, len);
		n += len;
		if (quote)
			buf[n++] = '"';
	}
	return n;
}

/*
 * The names of mask as inotifywait prints them (%e, its default line and
 * --csv): without "IN_", joined by sep, with IN_MOVE_SELF after the
 * notices and a "CLOSE" after them for either close, so that what
 * scripts written for it match ("CLOSE_WRITE,CLOSE") is there.  A mask
 * with no named bit is its hexadecimal value.  Returns the length, as
 * events_format() does.
 */
size_t
events_plain(uint32_t mask, char sep, char *buf, size_t size)
{
	/* Bit numbers in their printed order; 32 is "CLOSE". */
	static const int order[] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 32, 11, 30, 31
	};
	const char	*name;
	size_t		 i, len, n = 0;
	int		 bit;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		bit = order[i];
		if (bit == 32 ? (mask & IN_CLOSE) == 0 :
		    (mask & (1U << bit)) == 0 || bitname[bit].name == NULL)
			continue;
		name = bit == 32 ? "IN_CLOSE" : bitname[bit].name;
		len = strlen(name) - 3;
		if (n + len + (n > 0) > size)
			break;
		if (n > 0)
			buf[n++] = sep;
		memcpy(buf + n, name + 3, len);
		n += len;
	}
	if (n == 0 && size >= 11)
		n = snprintf(buf, size, "0x%08x", mask);
	return n;
}

/* The name -e gives one event bit ("close_write"), or "". */
const char *
events_name(uint32_t bit)
{
	size_t	 i;

	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
		if (accepted[i].mask == bit)
			return accepted[i].name;
	return "";
}

/* The accepted names, for error messages and --help. */
const char *
events_valid(void)
{
	static char	 buf[256];
	size_t		 i;

	if (buf[0] != '\0')
		return buf;
	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		if (i > 0)
			strlcat(buf, ", ", sizeof(buf));
		strlcat(buf, accepted[i].name, sizeof(buf));
	}
	return buf;
}
