/*
 * output.c: where records go, and batched writes.  Each record is made
 * by format.c at the end of one buffer, and the buffer is written with
 * one write(2) per batch.  Output never blocks: a pipe, a terminal or a
 * socket is written without waiting, and what it does not take waits in
 * the buffer (up to OUTPUT_BACKLOG, then the loop stops handling events)
 * until the loop sees it writable again.
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
#include "format.h"
#include "output.h"
#include "putbuf.h"
#include "stats.h"

#define BUF_INITIAL	(256 * 1024)
#define BUF_FLUSH	(1024 * 1024)	/* write early past this */
#define BUF_MAX		UINT32_MAX	/* record ends are 32-bit offsets */
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
	struct stats_layout lay;
	const char	*no_color;
	char		 msg[512];
	int		 fd = STDOUT_FILENO;

	output_init(o, fd);
	if (cfg->stats) {
		lay.bywatch = cfg->stats == STATS_WATCH;
		lay.json = cfg->json;
		lay.raw = lay.bywatch;
		lay.zero = cfg->stats_zero;
		lay.mask = cfg->events;
		lay.sort = cfg->stats_sort;
		lay.ascending = cfg->stats_ascending;
		o->stats = stats_new(&lay);
	}
	if (cfg->format != NULL && !cfg->compat &&
	    format_compile(o, cfg->format, msg, sizeof(msg)) == -1)
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
			format_compile_iw(o, cfg->format != NULL ? cfg->format :
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

/* Free what output_init() and format_compile() took. */
void
output_free(struct output *o)
{
	stats_free(o->stats);
	format_free(o);
	free(o->buf);
	free(o->ends);
	if (o->wfd != o->fd)
		close(o->wfd);
	memset(o, 0, sizeof(*o));
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
 * Grow the buffer to hold n more bytes (putbuf.h, room()).  It is only
 * ever reallocated, so offsets into it stay valid (format.c reuses what a
 * record wrote).
 */
void __attribute__((noinline))
output_grow(struct output *o, size_t n)
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

int
output_event(struct output *o, const struct event *ev)
{
	if (o->stats != NULL) {
		stats_add(o->stats, ev);
		return 0;
	}
	if (record_start(o) == -1)
		return -1;
	format_event(o, ev);
	if (!o->noend)
		put_char(o, o->end);
	record_end(o);
	return 0;
}

/* An empty record: an empty line, or a lone NUL under -0. */
int
output_tick(struct output *o)
{
	if (o->stats != NULL)
		return 0;
	if (record_start(o) == -1)
		return -1;
	put_char(o, o->end);
	record_end(o);
	return 0;
}

/*
 * --stats: the run is over, and the table of what was counted goes out,
 * a record per line (stats.c), for the loop to write.  Returns the number
 * of rows.
 */
size_t
output_stats(struct output *o)
{
	size_t	 i, n, before;

	if (o->stats == NULL)
		return 0;
	n = stats_rows(o->stats);
	for (i = 0; i <= n; i++) {
		/* A write that fails here fails again in the loop's last push. */
		(void)record_start(o);
		before = o->len;
		stats_put(o->stats, i, o);
		if (o->len > before)
			record_end(o);
	}
	return n;
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
