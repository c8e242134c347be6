/*
 * loop.c: the epoll loop.  Blocks on the inotify instance, the signals and
 * the reader of stdout; reads events in batches, decides which are printed
 * and when the run ends, and keeps the time for ticks and --timeout.
 * Formatting is output.c's business; paths are watch.c's.
 */
#include <sys/epoll.h>
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

#include "config.h"
#include "loop.h"
#include "output.h"
#include "watch.h"

#define READ_BUF	(256 * 1024)
#define READS_MAX	64		/* reads per wake-up, so signals get in */
#define NEVER		INT64_MAX

enum source { SRC_INOTIFY, SRC_SIGNAL, SRC_STDOUT };

struct loop {
	const struct config	*cfg;
	struct watchset		*ws;
	struct output		*out;
	uint32_t		 print;		/* bits that are printed */
	long long		 printed;
	int			 status;	/* exit status, -1 while running */
};

static int64_t
now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

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

static void
emit(struct loop *l, const struct inotify_event *ie, const struct watch *w)
{
	struct event	 ev;

	ev.wd = ie->wd;
	ev.mask = ie->mask;
	ev.cookie = ie->cookie;
	ev.len = ie->len;
	ev.name = ie->len > 0 ? ie->name : "";
	ev.namelen = ie->len > 0 ? strnlen(ie->name, ie->len) : 0;
	ev.path = w != NULL ? w->path : "";
	ev.pathlen = w != NULL ? w->pathlen : 0;
	if (output_event(l->out, &ev) == -1)
		output_failed();

	l->printed++;
	if ((l->cfg->count > 0 && l->printed >= l->cfg->count) ||
	    (ie->mask & l->cfg->exit_on) != 0)
		l->status = 0;
}

/*
 * One event from the kernel.  Terminal events (overflow, unmount, the last
 * watch gone) are printed whatever -e says, then end the run with 3 unless
 * the same event also satisfied -x or -n.
 */
static void
handle(struct loop *l, const struct inotify_event *ie)
{
	struct watch	*w = NULL;
	int		 terminal;

	if (ie->mask & IN_Q_OVERFLOW)
		terminal = 1;
	else {
		/* Events queued before their watch was forgotten. */
		if ((w = watchset_find(l->ws, ie->wd)) == NULL)
			return;
		terminal = (ie->mask & IN_UNMOUNT) ||
		    ((ie->mask & IN_IGNORED) && l->ws->count == 1);
	}
	if (terminal)
		l->status = 3;
	if (terminal || (ie->mask & l->print) != 0)
		emit(l, ie, w);
	if (ie->mask & IN_IGNORED)
		watchset_forget(l->ws, w);
}

/* Read and handle what the kernel has queued, in at most maxreads reads. */
static void
drain(struct loop *l, int maxreads)
{
	static char	 buf[READ_BUF]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ie;
	ssize_t		 n;
	char		*p;

	while (maxreads-- > 0) {
		if ((n = read(l->ws->fd, buf, sizeof(buf))) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			err(1, "read inotify");
		}
		for (p = buf; p < buf + n; p += sizeof(*ie) + ie->len) {
			ie = (const struct inotify_event *)p;
			handle(l, ie);
			if (l->status != -1)
				return;
		}
	}
}

static void
add_source(int epfd, int fd, uint32_t events, enum source src)
{
	struct epoll_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.u32 = src;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
		err(1, "epoll_ctl");
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
loop_run(const struct config *cfg, struct watchset *ws, struct output *out)
{
	struct loop		 l;
	struct epoll_event	 evs[4];
	struct signalfd_siginfo	 si;
	struct stat		 st;
	int64_t			 now, next_tick, expire;
	long long		 before;
	int			 epfd, sigfd, n, i, ready, sig, hup;

	memset(&l, 0, sizeof(l));
	l.cfg = cfg;
	l.ws = ws;
	l.out = out;
	l.print = cfg->events | cfg->exit_on;
	l.status = -1;

	sigfd = signals_open();
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	add_source(epfd, ws->fd, EPOLLIN, SRC_INOTIFY);
	add_source(epfd, sigfd, EPOLLIN, SRC_SIGNAL);
	/* A pipe's writer gets EPOLLERR once the reader has gone. */
	if (fstat(out->fd, &st) == 0 && (S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode)))
		add_source(epfd, out->fd, 0, SRC_STDOUT);

	now = now_ns();
	next_tick = cfg->tick ? now + cfg->block_ns : NEVER;
	expire = cfg->timeout_ns > 0 ? now + cfg->timeout_ns : NEVER;
	for (;;) {
		n = epoll_wait(epfd, evs, 4, wait_ms(now,
		    next_tick < expire ? next_tick : expire));
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
				hup = 1;
				break;
			}
		}
		if (hup)
			die_by(SIGPIPE);

		before = l.printed;
		if (ready || sig)
			drain(&l, READS_MAX);
		if (output_flush(out) == -1) {
			if (sig)
				die_by(sig);
			output_failed();
		}
		if (sig)
			die_by(sig);
		if (l.status != -1)
			return l.status;

		now = now_ns();
		if (l.printed != before) {
			next_tick = cfg->tick ? now + cfg->block_ns : NEVER;
			expire = cfg->timeout_ns > 0 ?
			    now + cfg->timeout_ns : NEVER;
			continue;
		}
		if (now >= next_tick) {
			if (output_tick(out) == -1 || output_flush(out) == -1)
				output_failed();
			next_tick += cfg->block_ns;
			if (next_tick <= now)
				next_tick = now + cfg->block_ns;
		}
		if (now >= expire)
			return 2;
	}
}
