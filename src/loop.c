/*
 * loop.c: the epoll loop, the only place that waits.  Blocks on the
 * event source, the signals and the reader of stdout; reads events in
 * batches and hands them to handle.c, which prints them and says when the
 * run ends; keeps the time for ticks, --timeout and handle.c's timers.
 */
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "byname.h"
#include "clock.h"
#include "config.h"
#include "handle.h"
#include "loop.h"
#include "output.h"
#include "source.h"

#define READ_BUF	(256 * 1024)
#define READS_MAX	64		/* reads per wake-up, so signals get in */

enum waker { SRC_EVENTS, SRC_SIGNAL, SRC_STDOUT };

struct loop {
	const struct config	*cfg;
	struct source		*src;
	struct output		*out;
	struct handler		 h;
	int			 epfd;
	int			 sigfd;
	int64_t			 lastread;	/* when the last batch was read */
	int64_t			 next_tick;	/* NEVER under --no-tick */
	int64_t			 expire;	/* -t; NEVER without */
	int64_t			 deadline;	/* --deadline; NEVER without */
	int			 paused;	/* not reading: output_full() */
	int			 writing;	/* waiting for EPOLLOUT */
	const char		*ahead;		/* read, not handled yet */
	size_t			 nahead;
};

/*
 * Take the default action of sig now, held or not: die, or stop until
 * SIGCONT (then it is held again).
 */
static void
raise_default(int sig)
{
	sigset_t	 set;

	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

/* Die by sig, so that the shell sees what killed us. */
static void __attribute__((noreturn))
die_by(int sig)
{
	raise_default(sig);
	_exit(128 + sig);
}

/*
 * A write failed: the reader has gone (quietly), or the output is broken
 * (named: the -o file, or standard output).
 */
static void __attribute__((noreturn))
output_failed(const struct output *out)
{
	if (errno == EPIPE)
		die_by(SIGPIPE);
	err(1, "%s", out->name);
}

/*
 * Handle what was read and not handled yet; whether all of it was (the
 * handler stops when the output's backlog is full, and the rest waits
 * here, at most one read's worth, until the reader has taken some).
 */
static int
handle_ahead(struct loop *l)
{
	size_t	 n;

	n = handler_events(&l->h, l->ahead, l->nahead);
	l->ahead += n;
	l->nahead -= n;
	return l->nahead == 0 && l->h.status == -1;
}

/*
 * Handle what was read before, then read and handle what the kernel has
 * queued, in at most maxreads reads.  Events that wait for the next read
 * (handler_waiting(): a directory's IN_MOVED_FROM, and the few after it)
 * are kept at the start of the buffer, and the read goes after them.
 */
static void
drain(struct loop *l, int maxreads)
{
	static char	 buf[READ_BUF]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t		 n;
	size_t		 keep;

	if (l->nahead > 0 && !handle_ahead(l) && !handler_waiting(&l->h))
		return;
	while (maxreads-- > 0) {
		if ((keep = l->nahead) > 0)
			memmove(buf, l->ahead, keep);
		l->ahead = buf;
		if ((n = source_read(l->src, buf + keep, sizeof(buf) - keep)) ==
		    -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			err(1, "read events");
		}
		handler_begin(&l->h);
		l->nahead = keep + n;
		if (!handle_ahead(l)) {
			if (handler_waiting(&l->h))
				continue;
			return;
		}
		/*
		 * Room was left for more: the queue was empty when read.
		 * What came since wakes epoll (level-triggered) at once, so
		 * a read only to hear EAGAIN would be a syscall for nothing.
		 */
		if ((size_t)n < sizeof(buf) - keep -
		    sizeof(struct inotify_event) - NAME_MAX - 1)
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

	if (now - l->lastread < GATHER_DENSE &&
	    source_queued(l->src) < GATHER_ENOUGH)
		nanosleep(&ts, NULL);
	l->lastread = clock_ns();
}

static void
watch_source(int epfd, int fd, uint32_t events, enum waker src, int op)
{
	struct epoll_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.u32 = src;
	if (epoll_ctl(epfd, op, fd, &ev) == -1)
		err(1, "epoll_ctl");
}

static void
add_source(int epfd, int fd, uint32_t events, enum waker src)
{
	watch_source(epfd, fd, events, src, EPOLL_CTL_ADD);
}

/*
 * The job-control stops: Ctrl-Z, and a background job's terminal access;
 * not those that watchx was started with ignored (they stay ignored, as
 * the parent meant: a blocked signal is queued even when ignored).
 */
static void
stop_signals(sigset_t *set)
{
	static const int	 stops[] = { SIGTSTP, SIGTTIN, SIGTTOU };
	struct sigaction	 sa;
	size_t			 i;

	sigemptyset(set);
	for (i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		if (sigaction(stops[i], NULL, &sa) == 0 &&
		    sa.sa_handler != SIG_IGN)
			sigaddset(set, stops[i]);
}

/*
 * What must hold before the first listing.  A listing takes a read lease
 * on each file it finds, for two system calls (written.c, written_found()):
 *
 * - a writer that opens the file meanwhile breaks the lease with SIGIO,
 *   not a reason to die (the lease is given up at once anyway);
 * - a job-control stop in between would leave the lease held, and that
 *   writer waiting up to lease-break-time (45 s by default): the stops
 *   are held from here on, and taken by the loop between events
 *   (take_signal()).
 *
 * Children (git config) are started with an empty mask (gitignore.c).
 */
void
loop_hold_signals(void)
{
	sigset_t	 set;

	signal(SIGIO, SIG_IGN);
	stop_signals(&set);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		err(1, "sigprocmask");
}

/*
 * SIGINT and SIGTERM always stop watchx, even when a non-interactive shell
 * started it in the background with them ignored; SIGHUP is left ignored
 * when it was, so that nohup(1) works.  They arrive through a signalfd,
 * and so do the job-control stops that loop_hold_signals() holds.
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
	stop_signals(&set);
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

/*
 * Read one signal from the signalfd: the one that ends the run, or 0 (none
 * pending, or a job-control stop, taken and over by now).
 */
static int
take_signal(int sigfd)
{
	struct signalfd_siginfo	 si;

	if (read(sigfd, &si, sizeof(si)) != sizeof(si))
		return 0;
	switch (si.ssi_signo) {
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		/*
		 * Between events, so never with a read lease held
		 * (loop_hold_signals()); the shell sees the job stopped by
		 * the signal it sent, and SIGCONT goes on from here.
		 */
		raise_default(si.ssi_signo);
		return 0;
	}
	return si.ssi_signo;
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
 * A signal ends the run: what has been read goes out, as far as the
 * reader takes it within SIGNAL_WAIT (and while it takes some at least
 * every SIGNAL_IDLE), whole records only (output.c), and watchx dies by
 * the signal.
 */
static void __attribute__((noreturn))
finish_by(struct output *out, int sig)
{
	struct timespec	 ts = { 0, OUTPUT_RETRY };
	struct pollfd	 pfd;
	int64_t		 now = clock_ns(), end = now + SIGNAL_WAIT, idle;
	size_t		 left = output_unread(out);

	idle = now + SIGNAL_IDLE;
	while (output_push(out) == 0 && output_pending(out) > 0 &&
	    (now = clock_ns()) < end) {
		if (output_unread(out) < left) {
			left = output_unread(out);
			idle = now + SIGNAL_IDLE;
		} else if (now >= idle)
			break;
		if (out->cramped) {
			nanosleep(&ts, NULL);
			continue;
		}
		pfd.fd = out->wfd;
		pfd.events = POLLOUT;
		poll(&pfd, 1, wait_ms(now, idle < end ? idle : end));
	}
	die_by(sig);
}

/*
 * The run is over: everything goes out, however long the reader takes,
 * unless a signal comes first (finish_by()).
 */
static void
finish(struct output *out, int sigfd)
{
	struct pollfd		 pfd[2];
	int			 sig, pushed;

	while ((pushed = output_push(out)) == 0 && output_pending(out) > 0) {
		pfd[0].fd = out->wfd;
		pfd[0].events = POLLOUT;
		pfd[1].fd = sigfd;
		pfd[1].events = POLLIN;
		poll(pfd, 2, out->cramped ? OUTPUT_RETRY / 1000000 : -1);
		if ((pfd[1].revents & POLLIN) && (sig = take_signal(sigfd)) != 0)
			finish_by(out, sig);
		if (pfd[0].revents & (POLLERR | POLLHUP))
			die_by(SIGPIPE);
	}
	if (pushed == -1)
		output_failed(out);
}

/*
 * Read events only while the output keeps up: past its backlog, the loop
 * waits for the reader (and the signals), and events wait in the kernel.
 * Wait for the output to be writable while it has records waiting: level-
 * triggered, which for a pipe is when a page of it is free again (an edge
 * would come with every read(2) of its reader, a byte at a time for a
 * shell's read).  Not while the next record does not fit in the room there
 * is (output.c, cramped): the loop tries again after OUTPUT_RETRY.
 */
static void
pace(struct loop *l)
{
	int	 full = output_full(l->out), want;

	if (full != l->paused) {
		l->paused = full;
		watch_source(l->epfd, l->src->fd, full ? 0 : EPOLLIN,
		    SRC_EVENTS, EPOLL_CTL_MOD);
	}
	want = l->out->nowait && output_pending(l->out) > 0 &&
	    !l->out->cramped;
	if (want != l->writing) {
		l->writing = want;
		watch_source(l->epfd, l->out->wfd, want ? EPOLLOUT : 0,
		    SRC_STDOUT, EPOLL_CTL_MOD);
	}
}

/* The sources the loop waits on, and the first tick and timeout. */
static void
loop_open(struct loop *l)
{
	int64_t	 now;

	l->sigfd = signals_open();
	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	add_source(l->epfd, l->src->fd, EPOLLIN, SRC_EVENTS);
	add_source(l->epfd, l->sigfd, EPOLLIN, SRC_SIGNAL);
	/* EPOLLERR or EPOLLHUP: the reader has gone, or the terminal hung up. */
	if (l->out->nowait)
		add_source(l->epfd, l->out->wfd, 0, SRC_STDOUT);
	now = clock_ns();
	l->next_tick = l->cfg->tick ? now + l->cfg->block_ns : NEVER;
	l->expire = l->cfg->timeout_ns > 0 ? now + l->cfg->timeout_ns : NEVER;
	l->deadline = l->cfg->deadline_ns > 0 ?
	    l->cfg->started + l->cfg->deadline_ns : NEVER;
}

/*
 * Wait for the first of: events, a signal (returned in *sig), the output
 * taking more, a tick, the timeout, a timer of handle.c.  Returns whether
 * events are ready.  The output gone ends watchx here.
 */
static int
loop_wait(struct loop *l, int *sig)
{
	struct epoll_event	 evs[4];
	int64_t			 now = clock_ns(), at;
	int			 n, i, ready = 0;

	/* No directory of the tree is held while watchx waits. */
	source_watch_done(l->src);
	at = l->next_tick < l->expire ? l->next_tick : l->expire;
	if (l->deadline < at)
		at = l->deadline;
	/* Its timers wait with the events read (loop_run()). */
	if ((l->nahead == 0 || handler_waiting(&l->h)) &&
	    handler_deadline(&l->h) < at)
		at = handler_deadline(&l->h);
	if (l->out->cramped && now + OUTPUT_RETRY < at)
		at = now + OUTPUT_RETRY;
	/*
	 * Events read and not handled yet, and the backlog has room again
	 * (not those that wait for more events).
	 */
	if (l->nahead > 0 && !output_full(l->out) && !handler_waiting(&l->h))
		at = now;
	if ((n = epoll_wait(l->epfd, evs, 4, wait_ms(now, at))) == -1 &&
	    errno != EINTR)
		err(1, "epoll_wait");
	*sig = 0;
	for (i = 0; i < n; i++) {
		switch (evs[i].data.u32) {
		case SRC_EVENTS:
			ready = 1;
			break;
		case SRC_SIGNAL:
			*sig = take_signal(l->sigfd);
			break;
		case SRC_STDOUT:
			/*
			 * Else writable again: pushed by the caller.  A pipe
			 * or a socket whose reader has gone, or a terminal
			 * hung up, takes nothing more (and would wake the
			 * loop again at once).
			 */
			if (evs[i].events & (EPOLLERR | EPOLLHUP))
				die_by(SIGPIPE);
			break;
		}
	}
	return ready;
}

/*
 * The run ends with 2 because a limit passed: say which on stderr (unless
 * -q), and for a wait, the paths that are not as it waits for.
 */
static void
say_limit(struct loop *l, int deadline)
{
	/* By enum wait. */
	static const char *const waiting[] = { "", "; still missing: ",
	    "; still there: ", "; not written yet: " };
	char	 paths[1024];
	size_t	 n = 0;

	l->h.status = 2;
	/* inotifywatch's -t is how long to count: no failure to say. */
	if (l->cfg->quiet || l->cfg->stats == STATS_WATCH)
		return;
	if (l->h.names != NULL)
		n = byname_unmet(l->h.names, paths, sizeof(paths));
	if (deadline)
		warnx("--deadline %.9g s passed%s%s",
		    l->cfg->deadline_ns / 1e9, n == 0 ? "" : waiting[l->cfg->wait],
		    n == 0 ? "" : paths);
	else
		warnx("no event for %.9g s (-t)%s%s",
		    l->cfg->timeout_ns / 1e9, n == 0 ? "" : waiting[l->cfg->wait],
		    n == 0 ? "" : paths);
}

/*
 * After a turn of the loop: past --deadline the run is over (status 2),
 * whatever came; a printed event restarts the tick and the timeout; else
 * a tick is due, or the timeout has passed (status 2).
 */
static void
loop_time(struct loop *l, int printed)
{
	int64_t	 now = clock_ns();

	if (now >= l->deadline) {
		say_limit(l, 1);
		return;
	}
	if (printed) {
		l->next_tick = l->cfg->tick ? now + l->cfg->block_ns : NEVER;
		l->expire = l->cfg->timeout_ns > 0 ?
		    now + l->cfg->timeout_ns : NEVER;
		return;
	}
	if (now >= l->next_tick) {
		if (output_tick(l->out) == -1 || output_push(l->out) == -1)
			output_failed(l->out);
		l->next_tick += l->cfg->block_ns;
		if (l->next_tick <= now)
			l->next_tick = now + l->cfg->block_ns;
	}
	if (now >= l->expire && !handler_due(&l->h))
		say_limit(l, 0);
}

/*
 * The run is over: under --stats, the table of what was counted goes out
 * (inotifywatch -z: a row for every watch too), or inotifywatch's line on
 * stderr for no event at all.
 */
static void
table(struct loop *l)
{
	if (l->cfg->stats == 0)
		return;
	if (l->cfg->stats_zero)
		handler_rows(&l->h);
	if (output_stats(l->out) == 0 && l->cfg->stats == STATS_WATCH &&
	    !l->cfg->quiet)
		fputs("No events occurred.\n", stderr);
}

/*
 * Run until an exit condition; returns the exit status, or does not
 * return when a signal ends the run.
 */
int
loop_run(const struct config *cfg, struct watchset *ws, struct source *src,
    struct output *out, struct filter *filter, struct byname *names)
{
	struct loop	 l;
	long long	 before;
	int		 ready, sig;

	memset(&l, 0, sizeof(l));
	l.cfg = cfg;
	l.src = src;
	l.out = out;
	handler_open(&l.h, cfg, ws, src, out, filter, names);
	loop_open(&l);
	while (l.h.status == -1) {
		ready = loop_wait(&l, &sig);
		before = l.h.printed;
		if (ready && !sig)
			gather(&l);
		if ((ready || sig || l.nahead > 0) && !output_full(out))
			drain(&l, READS_MAX);
		/*
		 * Time stands still for events read and not handled yet
		 * (the other half of a move may be among them), unless they
		 * wait for more.  On a signal, what waited for more is
		 * handled without it.
		 */
		if (l.nahead == 0 || sig || handler_waiting(&l.h))
			handler_timers(&l.h, clock_ns(), sig != 0);
		if (sig && l.nahead > 0 && !output_full(out))
			handle_ahead(&l);
		if (l.h.error != 0) {
			errno = l.h.error;
			output_failed(out);
		}
		/* inotifywatch counts until Ctrl-C: that is its end. */
		if (sig && cfg->stats == STATS_WATCH && l.h.status == -1)
			l.h.status = 0;
		else if (sig) {
			table(&l);
			finish_by(out, sig);
		}
		if (output_push(out) == -1)
			output_failed(out);
		if (l.h.status != -1)
			break;
		/* Events read and waiting are no idle cycle. */
		loop_time(&l, l.h.printed != before || l.nahead > 0);
		pace(&l);
	}
	table(&l);
	finish(out, l.sigfd);
	handler_close(&l.h);
	return l.h.status;
}
