/*
 * output.c: every output format (the default line, --format, --json),
 * escaping, colour, and batched writes.  Records are collected in one
 * buffer and written with one write(2) per batch; output_push() is called
 * by the loop before it blocks again, so no record waits in the buffer
 * unless the reader of a pipe is behind (then it waits for the reader, and
 * watchx goes on draining the kernel's queue meanwhile).
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "events.h"
#include "output.h"

#define BUF_INITIAL	(256 * 1024)
#define BUF_FLUSH	(1024 * 1024)	/* write early past this */
#define PIPE_BACKLOG	(64 * 1024 * 1024) /* held for a slow pipe reader */
#define NUM_MAX		24		/* digits of any number, with sign */
#define COLOR_MAX	16

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
	o->size = BUF_INITIAL;
	o->timelen = (size_t)-1;
	if ((o->buf = malloc(o->size)) == NULL)
		err(1, NULL);
}

static void
add_op(struct output *o, char dir, const char *text, size_t len)
{
	struct fmt_op	*op;

	op = reallocarray(o->ops, o->nops + 1, sizeof(*op));
	if (op == NULL)
		err(1, NULL);
	o->ops = op;
	op += o->nops++;
	op->dir = dir;
	op->len = len;
	o->litlen += len;
	op->text = NULL;
	if (len > 0 && (op->text = strndup(text, len)) == NULL)
		err(1, NULL);
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
			switch (p[1]) {
			case 't':
				text[len++] = '\t';
				break;
			case 'n':
				text[len++] = '\n';
				break;
			case '\\':
				text[len++] = '\\';
				break;
			case '\0':
				snprintf(errbuf, errlen, "dangling '\\' at the "
				    "end of '%s'", fmt);
				free(text);
				return -1;
			default:
				snprintf(errbuf, errlen, "unknown escape "
				    "'\\%c' in '%s' (known: \\t \\n \\\\)",
				    p[1], fmt);
				free(text);
				return -1;
			}
			p++;
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
 * Write to fd.  A pipe is written without blocking, through a descriptor
 * of our own opened on it with O_NONBLOCK (fd's flags are shared with
 * whoever else holds it, so they are left alone): behind a slow reader,
 * watchx keeps reading the kernel's queue into its own buffer, up to
 * PIPE_BACKLOG, instead of letting that queue overflow.
 */
void
output_target(struct output *o, int fd)
{
	struct stat	 st;
	char		 proc[64];

	o->fd = o->wfd = fd;
	o->nowait = 0;
	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		if ((o->wfd = open(proc, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) ==
		    -1)
			o->wfd = fd;
		else
			o->nowait = 1;
	}
	o->backlog = o->nowait ? PIPE_BACKLOG : BUF_FLUSH;
}

/* Bytes formatted but not written yet. */
size_t
output_pending(const struct output *o)
{
	return o->len - o->off;
}

/* Make room for need more bytes, writing out what is there if it is much. */
static int
reserve(struct output *o, size_t need)
{
	char	*p;
	size_t	 size;

	if (o->len + need <= o->size)
		return 0;
	if (o->off > 0) {
		memmove(o->buf, o->buf + o->off, o->len - o->off);
		o->len -= o->off;
		o->off = 0;
	}
	if (o->len >= o->backlog && output_flush(o) == -1)
		return -1;
	if (o->len + need <= o->size)
		return 0;
	for (size = o->size; size < o->len + need; size *= 2)
		;
	if ((p = realloc(o->buf, size)) == NULL)
		err(1, NULL);
	o->buf = p;
	o->size = size;
	return 0;
}

static char *
put_num(char *p, long long v)
{
	char		 tmp[NUM_MAX], *s, *end = tmp + sizeof(tmp);
	uint64_t	 u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	s = end;
	do {
		*--s = '0' + u % 10;
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--s = '-';
	memcpy(p, s, end - s);
	return p + (end - s);
}

/* The colour of an event: by its first bit, as a person reads it. */
static const char *
color_of(uint32_t mask)
{
	if (mask & (IN_Q_OVERFLOW | IN_UNMOUNT | IN_IGNORED))
		return "\033[1;31m";
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

static char *
put_names(const struct output *o, char *p, uint32_t mask)
{
	const char	*c;

	if (!o->color)
		return p + events_format(mask, p, 0);
	c = color_of(mask);
	memcpy(p, c, strlen(c));
	p += strlen(c);
	p += events_format(mask, p, 0);
	memcpy(p, "\033[0m", 4);
	return p + 4;
}

static char *
put_str(const struct output *o, char *p, const char *s, size_t len)
{
	if (!o->raw)
		return p + escape(p, s, len);
	memcpy(p, s, len);
	return p + len;
}

/* The full path: watch path and filename joined by one '/'. */
static char *
put_path(const struct output *o, char *p, const struct event *ev)
{
	p = put_str(o, p, ev->path, ev->pathlen);
	if (ev->namelen == 0)
		return p;
	if (ev->pathlen > 0 && ev->path[ev->pathlen - 1] != '/')
		*p++ = '/';
	return put_str(o, p, ev->name, ev->namelen);
}

/* The time of ev: its batch's, formatted once per batch. */
static char *
put_time(struct output *o, char *p, const struct event *ev, int json)
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
		return p + escape_json(p, t, len, &lossy);
	memcpy(p, t, len);
	return p + len;
}

/* wd TAB mask TAB cookie TAB names TAB watch-path TAB filename [TAB from] */
static char *
put_line(struct output *o, char *p, const struct event *ev)
{
	p = put_num(p, ev->wd);
	*p++ = '\t';
	p = put_num(p, ev->mask);
	*p++ = '\t';
	p = put_num(p, ev->cookie);
	*p++ = '\t';
	p = put_names(o, p, ev->mask);
	*p++ = '\t';
	p = put_str(o, p, ev->path, ev->pathlen);
	*p++ = '\t';
	p = put_str(o, p, ev->name, ev->namelen);
	if (o->pairs) {
		*p++ = '\t';
		p = put_str(o, p, ev->from, ev->fromlen);
	}
	return p;
}

static char *
put_format(struct output *o, char *p, const struct event *ev)
{
	const struct fmt_op	*op;
	size_t			 i;

	for (i = 0; i < o->nops; i++) {
		op = &o->ops[i];
		switch (op->dir) {
		case 0:
			memcpy(p, op->text, op->len);
			p += op->len;
			break;
		case 'd':
			p = put_num(p, ev->wd);
			break;
		case 'm':
			p = put_num(p, ev->mask);
			break;
		case 'x':
			p += sprintf(p, "0x%x", ev->mask);
			break;
		case 'c':
			p = put_num(p, ev->cookie);
			break;
		case 'l':
			p = put_num(p, ev->len);
			break;
		case 'e':
			p = put_names(o, p, ev->mask);
			break;
		case 'w':
			p = put_str(o, p, ev->path, ev->pathlen);
			break;
		case 'f':
			p = put_str(o, p, ev->name, ev->namelen);
			break;
		case 'p':
			p = put_path(o, p, ev);
			break;
		case 'P':
			p = put_str(o, p, ev->from, ev->fromlen);
			break;
		case 'T':
			p = put_time(o, p, ev, 0);
			break;
		}
	}
	return p;
}

/* A literal, without its NUL. */
#define PUT(p, lit)	(memcpy((p), (lit), sizeof(lit) - 1), (p) + sizeof(lit) - 1)

/* ,"key_base64":"..." for the exact bytes of a and b joined by '/'. */
static char *
put_base64(char *p, const char *key, size_t keylen, const char *a,
    size_t alen, const char *b, size_t blen, int slash)
{
	char	*raw;

	if ((raw = malloc(alen + blen + 1)) == NULL)
		err(1, NULL);
	memcpy(raw, a, alen);
	if (slash)
		raw[alen++] = '/';
	memcpy(raw + alen, b, blen);
	*p++ = ',';
	*p++ = '"';
	memcpy(p, key, keylen);
	p = PUT(p + keylen, "_base64\":\"");
	p += escape_base64(p, raw, alen + blen);
	*p++ = '"';
	free(raw);
	return p;
}

/*
 * ,"key":"..." for s, escaped; a string that is not valid UTF-8 is
 * followed by its exact bytes in "key_base64".  The escaped text is left
 * at *text, *textlen bytes long, for "path" to reuse.
 */
static char *
put_json_str(char *p, const char *key, size_t keylen, const char *s,
    size_t len, char **text, size_t *textlen, int *lossy)
{
	*p++ = ',';
	*p++ = '"';
	memcpy(p, key, keylen);
	p = PUT(p + keylen, "\":\"");
	*text = p;
	p += escape_json(p, s, len, lossy);
	*textlen = p - *text;
	*p++ = '"';
	if (*lossy)
		p = put_base64(p, key, keylen, s, len, "", 0, 0);
	return p;
}

static char *
put_json(struct output *o, char *p, const struct event *ev)
{
	char	*dir, *name, *from;
	size_t	 dirlen, namelen, fromlen;
	int	 dirbad = 0, namebad = 0, frombad = 0, slash;

	p = PUT(p, "{\"wd\":");
	p = put_num(p, ev->wd);
	p = PUT(p, ",\"mask\":");
	p = put_num(p, ev->mask);
	p = PUT(p, ",\"cookie\":");
	p = put_num(p, ev->cookie);
	p = PUT(p, ",\"len\":");
	p = put_num(p, ev->len);
	p = PUT(p, ",\"names\":[");
	p += events_format(ev->mask, p, 1);
	*p++ = ']';
	p = put_json_str(p, "watch_path", 10, ev->path, ev->pathlen, &dir,
	    &dirlen, &dirbad);
	p = put_json_str(p, "filename", 8, ev->name, ev->namelen, &name,
	    &namelen, &namebad);

	/* "path": the two escaped texts again, joined by one '/'. */
	slash = ev->namelen > 0 && ev->pathlen > 0 &&
	    ev->path[ev->pathlen - 1] != '/';
	p = PUT(p, ",\"path\":\"");
	memcpy(p, dir, dirlen);
	p += dirlen;
	if (slash)
		*p++ = '/';
	memcpy(p, name, namelen);
	p += namelen;
	*p++ = '"';
	if (dirbad || namebad)
		p = put_base64(p, "path", 4, ev->path, ev->pathlen, ev->name,
		    ev->namelen, slash);

	if (ev->from != NULL && ev->fromlen > 0)
		p = put_json_str(p, "from", 4, ev->from, ev->fromlen, &from,
		    &fromlen, &frombad);
	p = PUT(p, ",\"time\":\"");
	p = put_time(o, p, ev, 1);
	*p++ = '"';
	*p++ = '}';
	return p;
}

int
output_event(struct output *o, const struct event *ev)
{
	size_t	 text = ev->pathlen + ev->namelen + ev->fromlen + 2;
	char	*p;

	/* Each op at most one value; JSON and base64 are the widest. */
	if (reserve(o, 512 + o->litlen + EVENTS_NAMES_MAX * 2 +
	    ESCAPE_JSON_MAX(sizeof(o->time)) +
	    (o->nops + 4) * (ESCAPE_JSON_MAX(text) + ESCAPE_BASE64_MAX(text) +
	    NUM_MAX + COLOR_MAX + 32)) == -1)
		return -1;
	p = o->buf + o->len;
	switch (o->mode) {
	case OUTPUT_LINE:
		p = put_line(o, p, ev);
		break;
	case OUTPUT_FORMAT:
		p = put_format(o, p, ev);
		break;
	case OUTPUT_JSON:
		p = put_json(o, p, ev);
		break;
	}
	*p++ = o->end;
	o->len = p - o->buf;
	return 0;
}

/* An empty record: an empty line, or a lone NUL under -0. */
int
output_tick(struct output *o)
{
	if (reserve(o, 1) == -1)
		return -1;
	o->buf[o->len++] = o->end;
	return 0;
}

/*
 * Write out the whole buffer, waiting for the reader if need be.  Returns
 * -1 with errno set when the output is gone (EPIPE) or broken; the caller
 * decides what that means.
 */
int
output_flush(struct output *o)
{
	struct pollfd	 pfd;
	ssize_t		 n;

	while (o->off < o->len) {
		n = write(o->wfd, o->buf + o->off, o->len - o->off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				/* Our own pipe descriptor, or a non-blocking fd. */
				pfd.fd = o->wfd;
				pfd.events = POLLOUT;
				poll(&pfd, 1, -1);
				continue;
			}
			o->off = o->len = 0;
			return -1;
		}
		o->off += n;
	}
	o->off = o->len = 0;
	return 0;
}

/*
 * Write what the output takes now: all of it, except into a pipe that is
 * full, where the rest waits for output_push() to be called again (when
 * the pipe is writable).  Returns -1 like output_flush().
 */
int
output_push(struct output *o)
{
	ssize_t		 n;

	if (!o->nowait)
		return output_flush(o);
	while (o->off < o->len) {
		n = write(o->wfd, o->buf + o->off, o->len - o->off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			o->off = o->len = 0;
			return -1;
		}
		o->off += n;
	}
	o->off = o->len = 0;
	return 0;
}
