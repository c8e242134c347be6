/*
 * loop.c: the epoll loop, the only place that waits.  Blocks on the
 * inotify instance, the signals and the reader of stdout; reads events in
 * batches and hands them to handle.c, which prints them and says when the
 * run ends; keeps the time for ticks, --timeout and handle.c's timers.
 */
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "handle.h"
#include "loop.h"
#include "output.h"
#include "watch.h"

#define READ_BUF	(256 * 1024)
#define READS_MAX	64		/* reads per wake-up, so signals get in */
#define NEVER		INT64_MAX
#define GATHER_DENSE	(1000 * 1000LL)	/* ns between batches: a burst */
#define GATHER_WAIT	(200 * 1000L)	/* ns to wait for more of it */
#define GATHER_ENOUGH	(16 * 1024)	/* bytes queued: read at once */

enum source { SRC_INOTIFY, SRC_SIGNAL, SRC_STDOUT };

struct loop {
	const struct config	*cfg;
	struct watchset		*ws;
	struct output		*out;
	struct handler		 h;
	int64_t			 lastread;	/* when the last batch was read */
};

/* Die by sig, so that the shell sees what killed us. */
static void __attribute__((noreturn))
die_by(int sig)
{
	sigset_t	 set;

	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}

/* A write failed: the reader has gone (quietly), or the output is broken. */
static void __attribute__((noreturn))
output_failed(void)
{
	if (errno == EPIPE)
		die_by(SIGPIPE);
	err(1, "write");
}

/* Read and handle what the kernel has queued, in at most maxreads reads. */
static void
drain(struct loop *l, int maxreads)
{
	static char	 buf[READ_BUF]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t		 n;

	while (maxreads-- > 0) {
		if ((n = read(l->ws->fd, buf, sizeof(buf))) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			err(1, "read inotify");
		}
		l->ws->readpos += n;
		handler_batch(&l->h, buf, n);
		if (l->h.status != -1)
			return;
		/*
		 * Room was left for more: the queue was empty when read.
		 * What came since wakes epoll (level-triggered) at once, so
		 * a read only to hear EAGAIN would be a syscall for nothing.
		 */
		if ((size_t)n < sizeof(buf) - sizeof(struct inotify_event) -
		    NAME_MAX - 1)
			return;
	}
}

/*
 * Adaptive batching: when events arrive densely (the last batch was read
 * moments ago) and few are queued, wait a little for more, so that one
 * read and one write carry many events instead of a few.  Bounded by
 * GATHER_WAIT, so latency stays far below a millisecond.
 */
static void
gather(struct loop *l)
{
	struct timespec	 ts = { 0, GATHER_WAIT };
	int64_t		 now = clock_ns();
	int		 queued;

	if (now - l->lastread < GATHER_DENSE &&
	    ioctl(l->ws->fd, FIONREAD, &queued) == 0 && queued < GATHER_ENOUGH)
		nanosleep(&ts, NULL);
	l->lastread = clock_ns();
}

static void
watch_source(int epfd, int fd, uint32_t events, enum source src, int op)
{
	struct epoll_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.u32 = src;
	if (epoll_ctl(epfd, op, fd, &ev) == -1)
		err(1, "epoll_ctl");
}

static void
add_source(int epfd, int fd, uint32_t events, enum source src)
{
	watch_source(epfd, fd, events, src, EPOLL_CTL_ADD);
}

/*
 * SIGINT and SIGTERM always stop watchx, even when a non-interactive shell
 * started it in the background with them ignored; SIGHUP is left ignored
 * when it was, so that nohup(1) works.  They arrive through a signalfd.
 */
static int
signals_open(void)
{
	sigset_t		 set;
	struct sigaction	 sa;
	int			 fd;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);	/* EPIPE instead, see output_failed() */
	/*
	 * A writer that opens a file while watchx holds a read lease on it
	 * (walk.c, written()) breaks the lease with SIGIO: not a reason to
	 * die, and the lease is given up at once anyway.
	 */
	signal(SIGIO, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigaction(SIGHUP, NULL, &sa) == 0 && sa.sa_handler != SIG_IGN)
		sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		err(1, "sigprocmask");
	if ((fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) == -1)
		err(1, "signalfd");
	return fd;
}

/* Milliseconds from now until at, rounded up, for epoll_wait. */
static int
wait_ms(int64_t now, int64_t at)
{
	int64_t	 ms;

	if (at == NEVER)
		return -1;
	if (at <= now)
		return 0;
	ms = (at - now + 999999) / 1000000;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/*
 * Run until an exit condition; returns the exit status, or does not
 * return when a signal ends the run.
 */
int
loop_run(const struct config *cfg, struct watchset *ws, struct output *out,
    struct filter *filter)
{
	struct loop		 l;
	struct epoll_event	 evs[4];
	struct signalfd_siginfo	 si;
	struct stat		 st;
	int64_t			 now, next_tick, expire, at;
	long long		 before;
	int			 epfd, sigfd, n, i, ready, sig, hup;
	int			 piped = 0, waiting = 0;

	memset(&l, 0, sizeof(l));
	l.cfg = cfg;
	l.ws = ws;
	l.out = out;
	handler_open(&l.h, cfg, ws, out, filter);

	sigfd = signals_open();
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	add_source(epfd, ws->fd, EPOLLIN, SRC_INOTIFY);
	add_source(epfd, sigfd, EPOLLIN, SRC_SIGNAL);
	/* A pipe's writer gets EPOLLERR once the reader has gone. */
	if (fstat(out->fd, &st) == 0 && (S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode))) {
		add_source(epfd, out->fd, 0, SRC_STDOUT);
		piped = 1;
	}

	now = clock_ns();
	next_tick = cfg->tick ? now + cfg->block_ns : NEVER;
	expire = cfg->timeout_ns > 0 ? now + cfg->timeout_ns : NEVER;
	for (;;) {
		at = next_tick < expire ? next_tick : expire;
		if (handler_deadline(&l.h) < at)
			at = handler_deadline(&l.h);
		n = epoll_wait(epfd, evs, 4, wait_ms(now, at));
		if (n == -1 && errno != EINTR)
			err(1, "epoll_wait");
		ready = sig = hup = 0;
		for (i = 0; i < n; i++) {
			switch (evs[i].data.u32) {
			case SRC_INOTIFY:
				ready = 1;
				break;
			case SRC_SIGNAL:
				if (read(sigfd, &si, sizeof(si)) == sizeof(si))
					sig = si.ssi_signo;
				break;
			case SRC_STDOUT:
				/* Else writable again: pushed below. */
				if (evs[i].events & (EPOLLERR | EPOLLHUP))
					hup = 1;
				break;
			}
		}
		if (hup)
			die_by(SIGPIPE);

		before = l.h.printed;
		if (ready && !sig)
			gather(&l);
		if (ready || sig)
			drain(&l, READS_MAX);
		handler_timers(&l.h, clock_ns(), sig != 0);
		if (l.h.error != 0) {
			errno = l.h.error;
			output_failed();
		}
		if (sig) {
			/* What the reader takes now; a signal never waits. */
			output_push(out);
			die_by(sig);
		}
		if (output_push(out) == -1)
			output_failed();
		if (l.h.status != -1)
			break;
		if (piped && (output_pending(out) > 0) != waiting) {
			waiting = !waiting;
			watch_source(epfd, out->fd, waiting ? EPOLLOUT : 0,
			    SRC_STDOUT, EPOLL_CTL_MOD);
		}

		now = clock_ns();
		if (l.h.printed != before) {
			next_tick = cfg->tick ? now + cfg->block_ns : NEVER;
			expire = cfg->timeout_ns > 0 ?
			    now + cfg->timeout_ns : NEVER;
			continue;
		}
		if (now >= next_tick) {
			if (output_tick(out) == -1 || output_push(out) == -1)
				output_failed();
			next_tick += cfg->block_ns;
			if (next_tick <= now)
				next_tick = now + cfg->block_ns;
		}
		if (now >= expire) {
			l.h.status = 2;
			break;
		}
	}
	/* The run is over: everything goes out, however long that takes. */
	if (output_flush(out) == -1)
		output_failed();
	handler_close(&l.h);
	return l.h.status;
}
