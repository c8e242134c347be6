/*
 * output.c: every output format (the default line, --format, --json, -H,
 * and inotifywait's line, --format and --csv under its name),
 * escaping, colour, and batched writes.  Records are collected in one
 * buffer and written with one write(2) per batch.  Output never blocks: a
 * pipe, a terminal or a socket is written without waiting, and what it
 * does not take waits in the buffer (up to OUTPUT_BACKLOG, then the loop
 * stops handling events) until the loop sees it writable again.
 *
 * Nothing ever ends in half a record.  The end of every record in the
 * buffer is kept (o->ends), so that a pipe is only given writes the
 * kernel takes whole or not at all (pipe_chunk()), and a regular file
 * that fails (ENOSPC, EIO) is cut back to its last whole record
 * (file_failed()).
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "clock.h"
#include "config.h"
#include "escape.h"
#include "events.h"
#include "output.h"

#define BUF_INITIAL	(256 * 1024)
#define BUF_FLUSH	(1024 * 1024)	/* write early past this */
#define BUF_MAX		UINT32_MAX	/* record ends are 32-bit offsets */
#define NUM_MAX		24		/* digits of any number, with sign */
#define HUMAN_NAMES	19		/* -H: the names' column, CLOSE_NOWRITE,ISDIR */

/* A piece of a compiled --format: literal text, or a directive. */
struct fmt_op {
	char		 dir;		/* 'd', 'm', ...; 0 for text */
	char		*text;
	size_t		 len;
};

void
output_init(struct output *o, int fd)
{
	memset(o, 0, sizeof(*o));
	output_target(o, fd);
	o->end = '\n';
	o->name = "standard output";
	o->size = BUF_INITIAL;
	o->timelen = (size_t)-1;
	if ((o->buf = malloc(o->size)) == NULL)
		err(1, NULL);
}

/* Whether the locale's characters are UTF-8, as far as the environment says. */
static int
utf8_locale(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	const char	*v;
	size_t		 i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if ((v = getenv(vars[i])) != NULL && *v != '\0')
			return strcasestr(v, "utf-8") != NULL ||
			    strcasestr(v, "utf8") != NULL;
	return 0;
}

/*
 * The output as the options in cfg describe it: standard output or the
 * -o file, the record format, colour.  Exits on a bad --format or -o.
 */
void
output_open(struct output *o, const struct config *cfg)
{
	const char	*no_color;
	char		 msg[512];
	int		 fd = STDOUT_FILENO;

	output_init(o, fd);
	if (cfg->format != NULL && !cfg->compat &&
	    output_format(o, cfg->format, msg, sizeof(msg)) == -1)
		errx(1, "-f: %s", msg);
	if (cfg->outfile != NULL) {
		if ((fd = open(cfg->outfile, O_WRONLY | O_CREAT | O_APPEND |
		    O_CLOEXEC, 0666)) == -1)
			err(1, "-o: %s", cfg->outfile);
		output_target(o, fd);
		o->name = cfg->outfile;
	}
	if (cfg->compat) {
		/* inotifywait prints names as they are, without colour. */
		o->raw = 1;
		o->noend = cfg->noend;
		if (cfg->csv)
			o->mode = OUTPUT_CSV;
		else
			output_iw_format(o, cfg->format != NULL ? cfg->format :
			    "%w %e %f");
		o->timefmt = cfg->timefmt;
		return;
	}
	if (cfg->json)
		o->mode = OUTPUT_JSON;
	if (cfg->human) {
		o->mode = OUTPUT_HUMAN;
		o->arrow = utf8_locale() ? " \342\206\222 " : " -> ";
	}
	if (cfg->null) {
		o->end = '\0';
		o->raw = 1;
	}
	o->pairs = cfg->pair_moves;
	o->timefmt = cfg->timefmt;
	no_color = getenv("NO_COLOR");
	o->color = cfg->color == COLOR_ALWAYS ||
	    (cfg->color == COLOR_AUTO && isatty(fd) &&
	    (no_color == NULL || *no_color == '\0'));
}

/* Free what output_init() and output_format() took. */
void
output_free(struct output *o)
{
	size_t	 i;

	for (i = 0; i < o->nops; i++)
		free(o->ops[i].text);
	free(o->ops);
	free(o->buf);
	free(o->ends);
	if (o->wfd != o->fd)
		close(o->wfd);
	memset(o, 0, sizeof(*o));
}

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
output_format(struct output *o, const char *fmt, char *errbuf, size_t errlen)
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
output_iw_format(struct output *o, const char *fmt)
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

/*
 * The events of one read batch happened now; %T and "time" say so.  The
 * time is also stored in *when for events printed later than their batch.
 */
void
output_time(struct output *o, struct timespec *when)
{
	clock_gettime(CLOCK_REALTIME, &o->when);
	*when = o->when;
	o->timelen = (size_t)-1;
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

/*
 * Write to fd.  A pipe or a terminal is written without blocking, through
 * a descriptor of our own opened on it with O_NONBLOCK (fd's flags are
 * shared with whoever else holds it, so they are left alone); a socket
 * with MSG_DONTWAIT.  Behind a slow reader, watchx keeps reading the
 * kernel's queue into its own buffer, up to OUTPUT_BACKLOG, instead of
 * letting that queue overflow, and a signal is never kept waiting.  A
 * regular file is written as it comes (write(2) to one does not wait for
 * a reader).
 */
void
output_target(struct output *o, int fd)
{
	struct stat	 st;
	char		 proc[64];

	/* Standard output's own descriptor, when -o takes its place. */
	if (o->wfd != o->fd)
		close(o->wfd);
	o->fd = o->wfd = fd;
	o->nowait = o->pipe = o->sock = o->file = 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		o->file = 1;
	else if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode))
		o->nowait = o->sock = 1;
	else if (fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) ||
	    (S_ISCHR(st.st_mode) && isatty(fd)))) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		if ((o->wfd = open(proc, O_WRONLY | O_NONBLOCK | O_NOCTTY |
		    O_CLOEXEC)) == -1)
			o->wfd = fd;
		else {
			o->nowait = 1;
			o->pipe = S_ISFIFO(st.st_mode);
		}
	}
	o->backlog = o->nowait ? OUTPUT_BACKLOG : BUF_FLUSH;
}

/*
 * Whether the loop is to wait for the reader before it handles more
 * events: the backlog is full (the records, and what is kept of where
 * each ends).
 */
int
output_full(const struct output *o)
{
	return o->nowait && o->len - o->off + o->nends * sizeof(*o->ends) >=
	    o->backlog;
}

/*
 * What the reader has not taken yet: what waits here, and for a pipe what
 * waits in it.  It goes down while the reader reads, even while a record
 * waits for the pipe to be empty.
 */
size_t
output_unread(const struct output *o)
{
	int	 queued;

	if (o->pipe && ioctl(o->wfd, FIONREAD, &queued) == 0 && queued > 0)
		return o->len - o->off + (size_t)queued;
	return o->len - o->off;
}

/* Bytes formatted but not written yet. */
size_t
output_pending(const struct output *o)
{
	return o->len - o->off;
}

/* A record ends at o->len. */
static inline void
record_end(struct output *o)
{
	if (__builtin_expect(o->nends == o->endsize, 0))
		ARRAY_ROOM(o->ends, o->endsize, o->nends + 1);
	o->ends[o->nends++] = (uint32_t)o->len;
}

/* Everything is written: the buffer starts afresh. */
static void
empty(struct output *o)
{
	o->off = o->len = 0;
	o->nends = 0;
}

/*
 * At a record boundary: write out what is there if it is much and the
 * output takes it as it comes, and move what a slow reader has not taken
 * yet to the front.  Only here: within a record, positions in the buffer
 * must stay valid.
 */
static int
record_start(struct output *o)
{
	size_t	 i, j;

	if (o->off > 0 && o->off == o->len)
		empty(o);
	if (!o->nowait && o->len - o->off >= o->backlog &&
	    output_push(o) == -1)
		return -1;
	if (o->off > 0 && o->off >= o->size / 2) {
		memmove(o->buf, o->buf + o->off, o->len - o->off);
		for (i = j = 0; i < o->nends; i++)
			if (o->ends[i] > o->off)
				o->ends[j++] = o->ends[i] - o->off;
		o->nends = j;
		o->len -= o->off;
		o->off = 0;
	}
	return 0;
}

/*
 * Grow the buffer to hold n more bytes.  It is only ever reallocated, so
 * offsets into it stay valid (put_json() reuses what it wrote).
 */
static void __attribute__((noinline))
grow(struct output *o, size_t n)
{
	char	*p;
	size_t	 size;

	/* Doubling, so that a long batch costs a few copies, not one each. */
	for (size = o->size; n > size - o->len;) {
		if (n > BUF_MAX - o->len)
			errx(1, "%s: more than 4 GiB of output waiting for "
			    "its reader", o->name);
		size = size > BUF_MAX / 2 ? BUF_MAX : size * 2;
	}
	if ((p = realloc(o->buf, size)) == NULL)
		err(1, NULL);
	o->buf = p;
	o->size = size;
}

/*
 * Room for n more bytes at the end of the buffer, which grows as needed:
 * every write into it is preceded by this with the most that write can
 * produce, so no estimate of a whole record is ever trusted.
 */
static inline char *
room(struct output *o, size_t n)
{
	if (__builtin_expect(n > o->size - o->len, 0))
		grow(o, n);
	return o->buf + o->len;
}

static inline void
put(struct output *o, const char *s, size_t len)
{
	if (len > 0)
		memcpy(room(o, len), s, len);
	o->len += len;
}

/* A literal, without its NUL. */
#define PUT(o, lit)	put((o), (lit), sizeof(lit) - 1)

static inline void
put_char(struct output *o, char c)
{
	*room(o, 1) = c;
	o->len++;
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

int
output_event(struct output *o, const struct event *ev)
{
	if (record_start(o) == -1)
		return -1;
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
	if (!o->noend)
		put_char(o, o->end);
	record_end(o);
	return 0;
}

/* An empty record: an empty line, or a lone NUL under -0. */
int
output_tick(struct output *o)
{
	if (record_start(o) == -1)
		return -1;
	put_char(o, o->end);
	record_end(o);
	return 0;
}

/*
 * The largest prefix of what waits that ends on a record boundary and is
 * at most room bytes long; 0 if the first record is longer.
 */
static size_t
whole(const struct output *o, size_t room)
{
	size_t	 lo = 0, hi = o->nends, mid, best = 0;

	if (o->len - o->off <= room)
		return o->len - o->off;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (o->ends[mid] <= o->off + room) {
			if (o->ends[mid] > o->off)
				best = o->ends[mid] - o->off;
			lo = mid + 1;
		} else
			hi = mid;
	}
	return best;
}

/* The length of the first record that waits (or of what is left of it). */
static size_t
first_record(const struct output *o)
{
	size_t	 lo = 0, hi = o->nends, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (o->ends[mid] <= o->off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < o->nends ? o->ends[lo] - o->off : o->len - o->off;
}

/*
 * How much of what waits to write to the pipe now: only what the kernel
 * takes whole or not at all, so that whatever ends the run, its reader
 * never gets half a record.  A pipe fills by pages, not bytes, so its room
 * cannot be known while it holds anything; two writes are sure:
 *
 * - at most PIPE_BUF bytes: taken whole, or refused (EAGAIN) until the
 *   loop sees the pipe writable again (a free page, which takes them);
 * - into an empty pipe, at most its size: every page of it is free.
 *
 * A record longer than PIPE_BUF waits for the pipe to be empty (0:
 * cramped, tried again after OUTPUT_RETRY), and one longer than the pipe
 * has it grown to fit (F_SETPIPE_SZ, up to /proc/sys/fs/pipe-max-size).
 * Only one longer than that is written in pieces.
 */
static size_t
pipe_chunk(const struct output *o)
{
	size_t	 n = o->len - o->off, k, first;
	int	 queued, size;

	if (n <= PIPE_BUF)
		return n;
	if (ioctl(o->wfd, FIONREAD, &queued) == -1 || queued > 0 ||
	    (size = fcntl(o->wfd, F_GETPIPE_SZ)) == -1)
		return whole(o, PIPE_BUF);
	if ((k = whole(o, size)) > 0)
		return k;
	first = first_record(o);
	if (first <= INT_MAX && fcntl(o->wfd, F_SETPIPE_SZ, (int)first) != -1)
		return first;
	return n < (size_t)size ? n : (size_t)size;
}

/*
 * A write to a regular file failed (ENOSPC, EIO, ...): the file is cut
 * back to the end of the last whole record in it, so that it never ends
 * in half a record.  Only when what watchx wrote is what the file ends
 * with: a file written at an offset (1<>file) or by others too keeps
 * what is after it.  errno is kept for the caller's message.
 */
static void
file_failed(struct output *o)
{
	struct stat	 st;
	off_t		 end, cut;
	size_t		 i, whole_end = 0;
	int		 saved = errno;

	for (i = o->nends; i > 0; i--)
		if (o->ends[i - 1] <= o->off) {
			whole_end = o->ends[i - 1];
			break;
		}
	/* Records before the first end kept were written whole earlier. */
	cut = (off_t)(o->off - whole_end);
	if (cut > 0 && (end = lseek(o->wfd, 0, SEEK_CUR)) != -1 &&
	    fstat(o->wfd, &st) == 0 && st.st_size == end && end >= cut &&
	    ftruncate(o->wfd, end - cut) == 0)
		lseek(o->wfd, end - cut, SEEK_SET);
	errno = saved;
}

/*
 * Write what the output takes now without waiting (a regular file: all of
 * it), and leave the rest in the buffer for the loop to push again once
 * the output is writable (a pipe: pipe_chunk()).  Returns -1 with errno
 * set when the output is gone (EPIPE) or broken; the caller decides what
 * that means, and o->name says what the output is.
 */
int
output_push(struct output *o)
{
	size_t		 n;
	ssize_t		 w;

	while (o->off < o->len) {
		n = o->len - o->off;
		o->cramped = 0;
		if (o->pipe && (n = pipe_chunk(o)) == 0) {
			o->cramped = 1;
			return 0;
		}
		if (o->sock)
			w = send(o->wfd, o->buf + o->off, n,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
		else
			w = write(o->wfd, o->buf + o->off, n);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			if (o->file)
				file_failed(o);
			empty(o);
			return -1;
		}
		o->off += w;
	}
	empty(o);
	return 0;
}

/*
 * Write out the whole buffer, waiting for the reader if need be: for the
 * fuzz harnesses, which write to /dev/null.  Returns -1 like
 * output_push().
 */
int
output_flush(struct output *o)
{
	struct pollfd	 pfd;

	int		 pushed;

	while ((pushed = output_push(o)) == 0 && o->off < o->len) {
		pfd.fd = o->wfd;
		pfd.events = POLLOUT;
		poll(&pfd, 1, -1);
	}
	return pushed;
}
