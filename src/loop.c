/*
 * loop.c: the epoll loop.  Blocks on the inotify instance, the signals and
 * the reader of stdout; reads events in batches, decides which are printed
 * and when the run ends, and keeps the time for ticks and --timeout.
 * Formatting is output.c's business; paths are watch.c's.
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
#include "filter.h"
#include "loop.h"
#include "output.h"
#include "pair.h"
#include "watch.h"

#define READ_BUF	(256 * 1024)
#define READS_MAX	64		/* reads per wake-up, so signals get in */
#define NEVER		INT64_MAX
#define GATHER_DENSE	(1000 * 1000LL)	/* ns between batches: a burst */
#define GATHER_WAIT	(200 * 1000L)	/* ns to wait for more of it */
#define GATHER_ENOUGH	(16 * 1024)	/* bytes queued: read at once */
#define PAIR_WAIT	(10 * 1000000LL)	/* ns an unpaired move waits */

enum source { SRC_INOTIFY, SRC_SIGNAL, SRC_STDOUT };

struct loop {
	const struct config	*cfg;
	struct watchset		*ws;
	struct output		*out;
	struct filter		*filter;	/* NULL: no globs */
	struct pairs		 pairs;
	struct timespec		 when;		/* of the current batch */
	int64_t			 lastread;	/* when the last batch was read */
	uint32_t		 print;		/* bits that are printed */
	long long		 printed;
	int			 status;	/* exit status, -1 while running */
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

/* Print ev, and see whether that ends the run. */
static void
print(struct loop *l, const struct event *ev)
{
	if (output_event(l->out, ev) == -1)
		output_failed();
	l->printed++;
	if ((l->cfg->count > 0 && l->printed >= l->cfg->count) ||
	    (ev->mask & l->cfg->exit_on) != 0)
		l->status = 0;
}

/*
 * Print the queued records that are ready by now (NEVER: all of them,
 * moves still waiting going alone).
 */
static void
release_pairs(struct loop *l, int64_t now)
{
	struct pending	 p;

	while (pair_pop(&l->pairs, now, &p)) {
		if (l->status == -1)
			print(l, &p.ev);
		pair_free(&p);
	}
}

/*
 * An event to print, unless --include/--exclude say otherwise.  Under
 * --pair-moves a move waits for its other half, and what follows it
 * waits with it.  Terminal events are printed whatever the filters say.
 */
static void
emit(struct loop *l, const struct watch *w, const struct inotify_event *ie,
    const char *name, size_t namelen, int terminal)
{
	struct event	 ev;

	if (l->status != -1)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.wd = ie->wd;
	ev.mask = ie->mask;
	ev.cookie = ie->cookie;
	ev.len = ie->len;
	ev.name = name;
	ev.namelen = namelen;
	ev.path = "";
	if (w != NULL)
		ev.path = watch_path(l->ws, w, &ev.pathlen);
	if (!terminal && l->filter != NULL &&
	    !filter_pass(l->filter, ev.path, ev.pathlen, name, namelen))
		return;

	if (!l->cfg->pair_moves) {
		print(l, &ev);
		return;
	}
	if (!((ie->mask & IN_MOVED_TO) && ie->cookie != 0 &&
	    pair_join(&l->pairs, &ev, &l->when))) {
		if (l->pairs.n == 0 &&
		    !((ie->mask & IN_MOVED_FROM) && ie->cookie != 0)) {
			print(l, &ev);
			return;
		}
		pair_push(&l->pairs, &ev, &l->when, clock_ns() + PAIR_WAIT);
	}
	release_pairs(l, 0);
}

/* An IN_CREATE for what a new directory held when it was listed. */
static void
synth(void *arg, const struct watch *w, uint32_t mask, const char *name,
    size_t namelen)
{
	struct loop		*l = arg;
	struct inotify_event	 ie;

	if ((mask & l->print) == 0)
		return;
	memset(&ie, 0, sizeof(ie));
	ie.wd = w->wd;
	ie.mask = mask;
	/* The length the kernel would give: padded, with the NUL. */
	ie.len = (namelen + sizeof(ie)) & ~(sizeof(ie) - 1);
	emit(l, w, &ie, name, namelen, 0);
}

/*
 * One event from the kernel.  Terminal events (overflow, unmount, the last
 * root gone) are printed whatever -e says, then end the run with 3 unless
 * the same event also satisfied -x or -n.
 */
static void
handle(void *arg, const struct inotify_event *ie)
{
	struct loop	*l = arg;
	struct watch	*w;
	int		 terminal;

	if (ie->mask & IN_Q_OVERFLOW) {
		emit(l, NULL, ie, "", 0, 1);
		release_pairs(l, NEVER);
		if (l->status == -1)
			l->status = 3;
		return;
	}
	/* Events queued before their watch was forgotten. */
	if ((w = watchset_find(l->ws, ie->wd)) == NULL)
		return;
	if (tree_filter(l->ws, w, ie) != PASS)
		return;
	terminal = (ie->mask & IN_UNMOUNT) || ((ie->mask & IN_IGNORED) &&
	    w->root && l->ws->nroots == 1);
	if (terminal || (ie->mask & l->print) != 0)
		emit(l, w, ie, ie->len > 0 ? ie->name : "",
		    ie->len > 0 ? strnlen(ie->name, ie->len) : 0, terminal);
	if (terminal) {
		release_pairs(l, NEVER);
		if (l->status == -1)
			l->status = 3;
	}
	tree_update(l->ws, w, ie);
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
		l->ws->readpos += n;
		output_time(l->out, &l->when);
		for (p = buf; p < buf + n; p += sizeof(*ie) + ie->len) {
			ie = (const struct inotify_event *)p;
			l->ws->pos += sizeof(*ie) + ie->len;
			handle(l, ie);
			if (l->status != -1)
				return;
		}
		/*
		 * Room was left for more: the queue was empty when read.
		 * What came since wakes epoll (level-triggered) at once, so
		 * a read only to hear EAGAIN would be a syscall for nothing.
		 */
		if ((size_t)n < sizeof(buf) - sizeof(*ie) - NAME_MAX - 1)
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
	l.filter = filter;
	l.print = cfg->events | cfg->exit_on;
	l.status = -1;
	ws->emit = synth;
	ws->replay = handle;
	ws->arg = &l;

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
		if (ws->nmoves > 0 && tree_deadline(ws) < at)
			at = tree_deadline(ws);
		if (pair_deadline(&l.pairs) < at)
			at = pair_deadline(&l.pairs);
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

		before = l.printed;
		if (ready && !sig)
			gather(&l);
		if (ready || sig)
			drain(&l, READS_MAX);
		if (ws->nmoves > 0 && l.status == -1)
			tree_expire(ws, clock_ns());
		if (l.pairs.n > 0)
			release_pairs(&l, sig ? NEVER : clock_ns());
		if (sig) {
			/* What the reader takes now; a signal never waits. */
			output_push(out);
			die_by(sig);
		}
		if (output_push(out) == -1)
			output_failed();
		if (l.status != -1)
			break;
		if (piped && (output_pending(out) > 0) != waiting) {
			waiting = !waiting;
			watch_source(epfd, out->fd, waiting ? EPOLLOUT : 0,
			    SRC_STDOUT, EPOLL_CTL_MOD);
		}

		now = clock_ns();
		if (l.printed != before) {
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
			l.status = 2;
			break;
		}
	}
	/* The run is over: everything goes out, however long that takes. */
	if (output_flush(out) == -1)
		output_failed();
	pair_clear(&l.pairs);
	/* The watch set outlives this loop; leave it nothing of ours. */
	ws->emit = NULL;
	ws->replay = NULL;
	ws->arg = NULL;
	return l.status;
}
