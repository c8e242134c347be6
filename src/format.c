/*
 * format.c: what a record looks like: the default line, --format (and
 * inotifywait's --format and --csv under its name), --json, -H; escaping
 * of names and paths, colour, and the time of an event.  Each record is
 * written at the end of the output's buffer (putbuf.h), which output.c
 * hands out and writes.
 */
#include <sys/inotify.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "array.h"
#include "clock.h"
#include "config.h"
#include "escape.h"
#include "events.h"
#include "format.h"
#include "output.h"
#include "putbuf.h"

#define NUM_MAX		24		/* digits of any number, with sign */
#define HUMAN_NAMES	19		/* -H: the names' column, CLOSE_NOWRITE,ISDIR */

/* A piece of a compiled --format: literal text, or a directive. */
struct fmt_op {
	char		 dir;		/* 'd', 'm', ...; 0 for text */
	char		*text;
	size_t		 len;
};

static void
add_op(struct output *o, char dir, const char *text, size_t len)
{
	struct fmt_op	*op;

	op = ARRAY_PUSH(o->ops, o->nops);
	op->dir = dir;
	op->len = len;
	op->text = NULL;
	if (len == 0)
		return;
	if ((op->text = malloc(len)) == NULL)
		err(1, NULL);
	memcpy(op->text, text, len);
}

/*
 * The escape at p, just after a backslash in --format fmt, as one byte
 * in *c; -1 with a message naming it if it is not one.
 */
static int
unescape(const char *fmt, const char *p, char *c, char *errbuf,
    size_t errlen)
{
	switch (*p) {
	case 't':
		*c = '\t';
		return 0;
	case 'n':
		*c = '\n';
		return 0;
	case '\\':
		*c = '\\';
		return 0;
	case '\0':
		snprintf(errbuf, errlen, "dangling '\\' at the end of '%s'",
		    fmt);
		return -1;
	default:
		snprintf(errbuf, errlen, "unknown escape '\\%c' in '%s' "
		    "(known: \\t \\n \\\\)", *p, fmt);
		return -1;
	}
}

/*
 * Compile a --format string.  Returns -1 with a message naming the fault
 * in errbuf for an unknown directive or escape, or a dangling one.
 */
int
format_compile(struct output *o, const char *fmt, char *errbuf, size_t errlen)
{
	char		*text;
	const char	*p;
	size_t		 len = 0;

	if ((text = malloc(strlen(fmt) + 1)) == NULL)
		err(1, NULL);
	for (p = fmt; *p != '\0'; p++) {
		if (*p == '\\') {
			if (unescape(fmt, ++p, &text[len++], errbuf,
			    errlen) == -1) {
				free(text);
				return -1;
			}
			continue;
		}
		if (*p != '%') {
			text[len++] = *p;
			continue;
		}
		if (p[1] == '%') {
			text[len++] = '%';
			p++;
			continue;
		}
		if (p[1] == '\0' || strchr("dmxclewfpPT", p[1]) == NULL) {
			if (p[1] == '\0')
				snprintf(errbuf, errlen, "dangling '%%' at the "
				    "end of '%s'", fmt);
			else
				snprintf(errbuf, errlen, "unknown directive "
				    "'%%%c' in '%s' (known: %%d %%m %%x %%c %%l "
				    "%%e %%w %%f %%p %%P %%T %%%%)", p[1], fmt);
			free(text);
			return -1;
		}
		if (len > 0)
			add_op(o, 0, text, len);
		len = 0;
		add_op(o, *++p, NULL, 0);
	}
	if (len > 0)
		add_op(o, 0, text, len);
	free(text);
	o->mode = OUTPUT_FORMAT;
	return 0;
}

/*
 * Compile inotifywait's --format: %w (the watch path, a directory's
 * ending in '/'), %f, %e and %Xe (names joined by ',' or X), %c (the
 * cookie in hexadecimal), %T, %0 (a NUL), %n (a newline), %%.  As there,
 * anything else is printed as it is, backslashes included.
 */
void
format_compile_iw(struct output *o, const char *fmt)
{
	char		*text;
	const char	*p;
	size_t		 len = 0;
	char		 dir;

	if ((text = malloc(strlen(fmt) + 1)) == NULL)
		err(1, NULL);
	for (p = fmt; *p != '\0'; p++) {
		if (*p != '%' || p[1] == '\0') {
			text[len++] = *p;
			continue;
		}
		dir = *++p;
		if (dir == '%' || dir == '0' || dir == 'n') {
			text[len++] = dir == '%' ? '%' : dir == 'n' ? '\n' :
			    '\0';
			continue;
		}
		if (strchr("wfecT", dir) == NULL && p[1] != 'e') {
			text[len++] = '%';
			text[len++] = dir;
			continue;
		}
		if (len > 0)
			add_op(o, 0, text, len);
		len = 0;
		if (strchr("wfecT", dir) != NULL)
			add_op(o, dir == 'e' ? 'E' : dir == 'c' ? 'C' : dir,
			    ",", dir == 'e');
		else
			add_op(o, 'E', p++, 1);
	}
	if (len > 0)
		add_op(o, 0, text, len);
	free(text);
	o->mode = OUTPUT_FORMAT;
}

/* Format ts into buf (of size sizeof(o->time)); returns the length. */
static size_t
format_time(const struct output *o, const struct timespec *ts, char *buf)
{
	struct tm	 tm;
	long		 off;
	size_t		 n;

	localtime_r(&ts->tv_sec, &tm);
	if (o->timefmt != NULL) {
		/* The user's own format, by design. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		return strftime(buf, sizeof(o->time), o->timefmt, &tm);
#pragma GCC diagnostic pop
	}
	n = strftime(buf, sizeof(o->time), "%Y-%m-%dT%H:%M:%S", &tm);
	off = tm.tm_gmtoff / 60;
	n += snprintf(buf + n, sizeof(o->time) - n, ".%06ld%c%02ld:%02ld",
	    ts->tv_nsec / 1000, off < 0 ? '-' : '+',
	    labs(off) / 60, labs(off) % 60);
	return n;
}

static inline void
put_num(struct output *o, long long v)
{
	char		 tmp[NUM_MAX], *s, *end = tmp + sizeof(tmp);
	uint64_t	 u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	/* Most numbers printed are one digit: a cookie of 0, a small wd. */
	if (u < 10 && v >= 0) {
		put_char(o, '0' + u);
		return;
	}
	s = end;
	do {
		*--s = '0' + u % 10;
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--s = '-';
	put(o, s, end - s);
}

static void
put_hex(struct output *o, uint32_t v, int prefix)
{
	char	 tmp[NUM_MAX];

	put(o, tmp, snprintf(tmp, sizeof(tmp), prefix ? "0x%x" : "%x", v));
}

/* The colour of an event: by its first bit, as a person reads it. */
static const char *
color_of(uint32_t mask)
{
	if (mask & (IN_Q_OVERFLOW | IN_UNMOUNT | IN_IGNORED))
		return "\033[1;31m";
	/* A move paired by --pair-moves: neither gone nor new. */
	if ((mask & IN_MOVE) == IN_MOVE)
		return "\033[34m";
	if (mask & (IN_DELETE | IN_DELETE_SELF | IN_MOVED_FROM))
		return "\033[31m";
	if (mask & (IN_CREATE | IN_MOVED_TO))
		return "\033[32m";
	if (mask & (IN_MODIFY | IN_CLOSE_WRITE))
		return "\033[33m";
	if (mask & (IN_ATTRIB | IN_MOVE_SELF))
		return "\033[35m";
	return "\033[36m";
}

/* The names of the bits of mask; with quote, each as a JSON string. */
static void
put_names(struct output *o, uint32_t mask, int quote)
{
	const char	*c = NULL;
	char		*p;

	if (o->color && !quote) {
		c = color_of(mask);
		put(o, c, strlen(c));
	}
	p = room(o, EVENTS_NAMES_MAX);
	o->len += events_format(mask, p, EVENTS_NAMES_MAX, quote);
	if (c != NULL)
		PUT(o, "\033[0m");
}

/* The names of mask as inotifywait prints them, joined by sep. */
static void
put_plain(struct output *o, uint32_t mask, char sep)
{
	char	*p = room(o, EVENTS_NAMES_MAX);

	o->len += events_plain(mask, sep, p, EVENTS_NAMES_MAX);
}

/* A name or path: escaped, or as it is under -0. */
static void
put_str(struct output *o, const char *s, size_t len)
{
	char	*p;

	if (o->raw)
		put(o, s, len);
	else {
		p = room(o, ESCAPE_MAX(len));
		o->len += escape(p, s, len);
	}
}

/* The full path: watch path and filename joined by one '/'. */
static void
put_path(struct output *o, const struct event *ev)
{
	put_str(o, ev->path, ev->pathlen);
	if (ev->namelen == 0)
		return;
	if (ev->pathlen > 0 && ev->path[ev->pathlen - 1] != '/')
		put_char(o, '/');
	put_str(o, ev->name, ev->namelen);
}

/* JSON string contents for len bytes of s; sets *lossy as escape_json. */
static void
put_json_text(struct output *o, const char *s, size_t len, int *lossy)
{
	char	*p = room(o, ESCAPE_JSON_MAX(len));

	o->len += escape_json(p, s, len, lossy);
}

/* The time of ev: its batch's, formatted once per batch. */
static void
put_time(struct output *o, const struct event *ev, int json)
{
	char		 buf[sizeof(o->time)];
	const char	*t = buf;
	size_t		 len;
	int		 lossy = 0;

	if (ev->when != NULL)
		len = format_time(o, ev->when, buf);
	else {
		if (o->timelen == (size_t)-1)
			o->timelen = format_time(o, &o->when, o->time);
		t = o->time;
		len = o->timelen;
	}
	/* --timefmt may hold anything: keep the JSON valid. */
	if (json && o->timefmt != NULL)
		put_json_text(o, t, len, &lossy);
	else
		put(o, t, len);
}

/* wd TAB mask TAB cookie TAB names TAB watch-path TAB filename [TAB from] */
static void
put_line(struct output *o, const struct event *ev)
{
	put_num(o, ev->wd);
	put_char(o, '\t');
	put_num(o, ev->mask);
	put_char(o, '\t');
	put_num(o, ev->cookie);
	put_char(o, '\t');
	put_names(o, ev->mask, 0);
	put_char(o, '\t');
	put_str(o, ev->path, ev->pathlen);
	put_char(o, '\t');
	put_str(o, ev->name, ev->namelen);
	if (o->pairs) {
		put_char(o, '\t');
		put_str(o, ev->from, ev->fromlen);
	}
}

/*
 * Whether %w (and inotifywait's line and --csv) end the watch path with a
 * '/': when it is a directory (the event names an entry in it, or says
 * IN_ISDIR) not written with one already, so that %w%f is the full path,
 * as inotifywait users write it.
 */
static int
dir_slash(const struct event *ev)
{
	return (ev->namelen > 0 || (ev->mask & IN_ISDIR)) && ev->pathlen > 0 &&
	    ev->path[ev->pathlen - 1] != '/';
}

/* %w: the watch path, a directory's ending in '/'. */
static void
put_dir(struct output *o, const struct event *ev)
{
	put_str(o, ev->path, ev->pathlen);
	if (dir_slash(ev))
		put_char(o, '/');
}

static void
put_format(struct output *o, const struct event *ev)
{
	const struct fmt_op	*op;
	size_t			 i;

	for (i = 0; i < o->nops; i++) {
		op = &o->ops[i];
		switch (op->dir) {
		case 0:
			put(o, op->text, op->len);
			break;
		case 'd':
			put_num(o, ev->wd);
			break;
		case 'm':
			put_num(o, ev->mask);
			break;
		case 'x':
			put_hex(o, ev->mask, 1);
			break;
		case 'c':
			put_num(o, ev->cookie);
			break;
		case 'l':
			put_num(o, ev->len);
			break;
		case 'e':
			put_names(o, ev->mask, 0);
			break;
		case 'w':
			put_dir(o, ev);
			break;
		case 'f':
			put_str(o, ev->name, ev->namelen);
			break;
		case 'p':
			put_path(o, ev);
			break;
		case 'P':
			put_str(o, ev->from, ev->fromlen);
			break;
		case 'T':
			put_time(o, ev, 0);
			break;
		case 'E':
			put_plain(o, ev->mask, op->text[0]);
			break;
		case 'C':
			put_hex(o, ev->cookie, 0);
			break;
		}
	}
}

/*
 * One field of inotifywait's --csv, s and then a '/' with slash, quoted
 * when it holds a quote, a comma or a newline, or starts or ends with a
 * space.
 */
static void
put_csv(struct output *o, const char *s, size_t len, int slash)
{
	size_t	 i;

	if (len == 0 || (memchr(s, '"', len) == NULL &&
	    memchr(s, ',', len) == NULL && memchr(s, '\n', len) == NULL &&
	    s[0] != ' ' && (slash || s[len - 1] != ' '))) {
		put(o, s, len);
		if (slash)
			put_char(o, '/');
		return;
	}
	put_char(o, '"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			put_char(o, '"');
		put_char(o, s[i]);
	}
	if (slash)
		put_char(o, '/');
	put_char(o, '"');
}

/* inotifywait's --csv: watch path (as %w), names, filename. */
static void
put_csv_line(struct output *o, const struct event *ev)
{
	char	 names[EVENTS_NAMES_MAX];

	put_csv(o, ev->path, ev->pathlen, dir_slash(ev));
	put_char(o, ',');
	put_csv(o, names, events_plain(ev->mask, ',', names, sizeof(names)),
	    0);
	put_char(o, ',');
	put_csv(o, ev->name, ev->namelen, 0);
}

/*
 * -H, for a person: the time to the millisecond (or by --timefmt), the
 * names without IN_ in a column of their own, coloured by kind, and the
 * full path, the old one first for a move paired by --pair-moves.
 */
static void
put_human(struct output *o, const struct event *ev)
{
	char		 names[EVENTS_NAMES_MAX], *p;
	const char	*c = NULL;
	size_t		 n, i, len = 0;
	uint32_t	 mask;
	struct tm	 tm;
	const struct timespec *ts = ev->when != NULL ? ev->when : &o->when;

	if (o->timefmt != NULL)
		put_time(o, ev, 0);
	else {
		localtime_r(&ts->tv_sec, &tm);
		p = room(o, 16);
		n = strftime(p, 16, "%H:%M:%S", &tm);
		o->len += n + snprintf(p + n, 16 - n, ".%03ld",
		    ts->tv_nsec / 1000000);
	}
	PUT(o, "  ");
	if (o->color) {
		c = color_of(ev->mask);
		put(o, c, strlen(c));
	}
	/* The names, each without its IN_; a paired move is one MOVE. */
	mask = ev->mask;
	if ((mask & IN_MOVE) == IN_MOVE) {
		PUT(o, "MOVE");
		len = 4;
		if ((mask &= ~IN_MOVE) != 0) {
			put_char(o, ',');
			len++;
		}
	}
	n = events_format(mask, names, sizeof(names), 0);
	for (i = 0; i < n; i++) {
		if (strncmp(names + i, "IN_", 3) == 0 && (i == 0 ||
		    names[i - 1] == ','))
			i += 2;
		else {
			put_char(o, names[i]);
			len++;
		}
	}
	if (c != NULL)
		PUT(o, "\033[0m");
	for (; len < HUMAN_NAMES; len++)
		put_char(o, ' ');
	PUT(o, "  ");
	if (ev->from != NULL && ev->fromlen > 0) {
		put_str(o, ev->from, ev->fromlen);
		put(o, o->arrow, strlen(o->arrow));
	}
	put_path(o, ev);
}

/* ,"key_base64":"..." for the exact bytes of a and b joined by '/'. */
static void
put_base64(struct output *o, const char *key, size_t keylen, const char *a,
    size_t alen, const char *b, size_t blen, int slash)
{
	char	*raw, *p;
	size_t	 len = alen + blen + (slash != 0);

	if ((raw = malloc(len + 1)) == NULL)
		err(1, NULL);
	memcpy(raw, a, alen);
	if (slash)
		raw[alen] = '/';
	if (blen > 0)
		memcpy(raw + len - blen, b, blen);
	PUT(o, ",\"");
	put(o, key, keylen);
	PUT(o, "_base64\":\"");
	p = room(o, ESCAPE_BASE64_MAX(len));
	o->len += escape_base64(p, raw, len);
	put_char(o, '"');
	free(raw);
}

/*
 * ,"key":"..." for s, escaped; a string that is not valid UTF-8 is
 * followed by its exact bytes in "key_base64".  The escaped text is left
 * at offset *text of the buffer, *textlen bytes long, for "path" to reuse
 * (an offset: the buffer may move as it grows).
 */
static void
put_json_str(struct output *o, const char *key, size_t keylen, const char *s,
    size_t len, size_t *text, size_t *textlen, int *lossy)
{
	PUT(o, ",\"");
	put(o, key, keylen);
	PUT(o, "\":\"");
	*text = o->len;
	put_json_text(o, s, len, lossy);
	*textlen = o->len - *text;
	put_char(o, '"');
	if (*lossy)
		put_base64(o, key, keylen, s, len, "", 0, 0);
}

/* Bytes of the buffer already written for this record, appended again. */
static void
put_again(struct output *o, size_t off, size_t len)
{
	char	*p = room(o, len);

	memcpy(p, o->buf + off, len);
	o->len += len;
}

static void
put_json(struct output *o, const struct event *ev)
{
	size_t	 dir, name, from, dirlen, namelen, fromlen;
	int	 dirbad = 0, namebad = 0, frombad = 0, slash;

	PUT(o, "{\"wd\":");
	put_num(o, ev->wd);
	PUT(o, ",\"mask\":");
	put_num(o, ev->mask);
	PUT(o, ",\"cookie\":");
	put_num(o, ev->cookie);
	PUT(o, ",\"len\":");
	put_num(o, ev->len);
	PUT(o, ",\"names\":[");
	put_names(o, ev->mask, 1);
	put_char(o, ']');
	put_json_str(o, "watch_path", 10, ev->path, ev->pathlen, &dir,
	    &dirlen, &dirbad);
	put_json_str(o, "filename", 8, ev->name, ev->namelen, &name,
	    &namelen, &namebad);

	/* "path": the two escaped texts again, joined by one '/'. */
	slash = ev->namelen > 0 && ev->pathlen > 0 &&
	    ev->path[ev->pathlen - 1] != '/';
	PUT(o, ",\"path\":\"");
	put_again(o, dir, dirlen);
	if (slash)
		put_char(o, '/');
	put_again(o, name, namelen);
	put_char(o, '"');
	if (dirbad || namebad)
		put_base64(o, "path", 4, ev->path, ev->pathlen, ev->name,
		    ev->namelen, slash);

	if (ev->from != NULL && ev->fromlen > 0)
		put_json_str(o, "from", 4, ev->from, ev->fromlen, &from,
		    &fromlen, &frombad);
	PUT(o, ",\"time\":\"");
	put_time(o, ev, 1);
	PUT(o, "\"}");
}

/* Write ev's record, in the output's format, at the end of its buffer. */
void
format_event(struct output *o, const struct event *ev)
{
	switch (o->mode) {
	case OUTPUT_LINE:
		put_line(o, ev);
		break;
	case OUTPUT_FORMAT:
		put_format(o, ev);
		break;
	case OUTPUT_JSON:
		put_json(o, ev);
		break;
	case OUTPUT_HUMAN:
		put_human(o, ev);
		break;
	case OUTPUT_CSV:
		put_csv_line(o, ev);
		break;
	}
}

/* Free what format_compile() took. */
void
format_free(struct output *o)
{
	size_t	 i;

	for (i = 0; i < o->nops; i++)
		free(o->ops[i].text);
	free(o->ops);
	o->ops = NULL;
	o->nops = 0;
}
