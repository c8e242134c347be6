/*
 * events.c: the names of inotify events, for parsing -e/-x lists and for
 * printing a mask as "IN_CREATE,IN_ISDIR".
 */
#include <sys/inotify.h>

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "events.h"

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
 * Parse one item of an event list: a name (any case, "in_" optional) or a
 * raw mask in decimal or hexadecimal.
 */
static int
parse_item(const char *s, size_t len, uint32_t *mask)
{
	char		 num[16], *end;
	unsigned long	 v;
	size_t		 i;

	if (len >= 3 && strncasecmp(s, "in_", 3) == 0) {
		s += 3;
		len -= 3;
	}
	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		if (strlen(accepted[i].name) == len &&
		    strncasecmp(s, accepted[i].name, len) == 0) {
			*mask |= accepted[i].mask;
			return 0;
		}
	}

	/* A number: digits only, so that "-1" or " 2" are not taken. */
	if (len == 0 || len >= sizeof(num) || !isdigit((unsigned char)s[0]))
		return -1;
	memcpy(num, s, len);
	num[len] = '\0';
	errno = 0;
	v = strtoul(num, &end, 0);
	if (errno != 0 || *end != '\0' || v == 0 || v > UINT32_MAX)
		return -1;
	*mask |= (uint32_t)v;
	return 0;
}

/*
 * Add the events of a comma-separated list to *mask.  On a bad item,
 * return -1 and copy the item into bad.
 */
int
events_parse(const char *list, uint32_t *mask, char *bad, size_t badlen)
{
	const char	*p, *comma;
	size_t		 len;

	for (p = list;; p = comma + 1) {
		if ((comma = strchr(p, ',')) == NULL)
			len = strlen(p);
		else
			len = comma - p;
		if (parse_item(p, len, mask) == -1) {
			snprintf(bad, badlen, "%.*s", (int)len, p);
			return -1;
		}
		if (comma == NULL)
			return 0;
	}
}

/*
 * Write the names of every bit of mask, in ascending bit order, joined by
 * commas, into buf (at least EVENTS_NAMES_MAX bytes); with quote, each
 * name in double quotes, for JSON.  A bit without a name is written as
 * hexadecimal.  Returns the length; buf is not NUL-terminated.
 */
size_t
events_format(uint32_t mask, char *buf, int quote)
{
	char	*p = buf;
	int	 bit;

	while (mask != 0) {
		bit = __builtin_ctz(mask);
		mask &= mask - 1;
		if (p != buf)
			*p++ = ',';
		if (quote)
			*p++ = '"';
		if (bitname[bit].name != NULL) {
			memcpy(p, bitname[bit].name, bitname[bit].len);
			p += bitname[bit].len;
		} else
			p += sprintf(p, "0x%x", 1U << bit);
		if (quote)
			*p++ = '"';
	}
	return p - buf;
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
