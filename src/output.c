/*
 * output.c: the default event line and ticks.  Records are collected in one
 * buffer and written with one write(2) per batch; output_flush() is called
 * by the loop before it blocks again, so no record waits in the buffer.
 */
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "events.h"
#include "output.h"

#define BUF_INITIAL	(256 * 1024)
#define BUF_FLUSH	(1024 * 1024)	/* write early past this */

void
output_init(struct output *o, int fd)
{
	o->fd = fd;
	o->len = 0;
	o->size = BUF_INITIAL;
	if ((o->buf = malloc(o->size)) == NULL)
		err(1, NULL);
}

/* Make room for need more bytes, writing out what is there if it is much. */
static int
reserve(struct output *o, size_t need)
{
	char	*p;
	size_t	 size;

	if (o->len + need <= o->size)
		return 0;
	if (o->len >= BUF_FLUSH && output_flush(o) == -1)
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

/* Decimal digits of v, written backwards from end; returns the start. */
static char *
put_u64(char *end, uint64_t v)
{
	do {
		*--end = '0' + v % 10;
		v /= 10;
	} while (v != 0);
	return end;
}

static char *
put_num(char *p, long long v)
{
	char	 tmp[24], *s, *end = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	s = put_u64(end, u);
	if (v < 0)
		*--s = '-';
	memcpy(p, s, end - s);
	return p + (end - s);
}

/* wd TAB mask TAB cookie TAB names TAB watch-path TAB filename NL */
int
output_event(struct output *o, const struct event *ev)
{
	char	*p;

	if (reserve(o, 3 * 24 + EVENTS_NAMES_MAX + ESCAPE_MAX(ev->pathlen) +
	    ESCAPE_MAX(ev->namelen) + 8) == -1)
		return -1;
	p = o->buf + o->len;
	p = put_num(p, ev->wd);
	*p++ = '\t';
	p = put_num(p, ev->mask);
	*p++ = '\t';
	p = put_num(p, ev->cookie);
	*p++ = '\t';
	p += events_format(ev->mask, p);
	*p++ = '\t';
	p += escape(p, ev->path, ev->pathlen);
	*p++ = '\t';
	p += escape(p, ev->name, ev->namelen);
	*p++ = '\n';
	o->len = p - o->buf;
	return 0;
}

int
output_tick(struct output *o)
{
	if (reserve(o, 1) == -1)
		return -1;
	o->buf[o->len++] = '\n';
	return 0;
}

/*
 * Write out the buffer.  Returns -1 with errno set when the output is gone
 * (EPIPE) or broken; the caller decides what that means.
 */
int
output_flush(struct output *o)
{
	struct pollfd	 pfd;
	size_t		 off = 0;
	ssize_t		 n;

	while (off < o->len) {
		n = write(o->fd, o->buf + off, o->len - off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				/* Someone gave us a non-blocking stdout. */
				pfd.fd = o->fd;
				pfd.events = POLLOUT;
				poll(&pfd, 1, -1);
				continue;
			}
			o->len = 0;
			return -1;
		}
		off += n;
	}
	o->len = 0;
	return 0;
}
