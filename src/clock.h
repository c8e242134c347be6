/*
 * clock.h: the clock, and every time (and the one size) that watchx waits
 * for, in one place: why each is what it is, and what missing it costs.
 * Times are CLOCK_MONOTONIC nanoseconds.
 */
#ifndef WATCHX_CLOCK_H
#define WATCHX_CLOCK_H

#include <stdint.h>
#include <time.h>

/* A deadline that never comes. */
#define NEVER		INT64_MAX

/*
 * Adaptive batching (loop.c, gather()): a batch read within GATHER_DENSE
 * of the last one is a burst, and if less than GATHER_ENOUGH bytes are
 * queued the loop waits GATHER_WAIT for more, so that one read and one
 * write carry many events.  A miss costs only syscalls; the wait adds at
 * most 0.2 ms of latency, and only in a burst.
 */
#define GATHER_DENSE	(1000 * 1000LL)
#define GATHER_WAIT	(200 * 1000L)
#define GATHER_ENOUGH	(16 * 1024)		/* bytes */

/*
 * The two halves of a rename are queued together, by one system call:
 * when an IN_MOVED_FROM is handled, its IN_MOVED_TO is already queued,
 * or it will never come (moved out of the watched directories).  So a
 * wait only has to outlast the read that splits a pair, and the loop
 * reads on at once.  The waits differ by what a miss costs:
 *
 * PAIR_WAIT (handle.c, --pair-moves): after it, IN_MOVED_FROM is printed
 * unpaired, and so is its IN_MOVED_TO if it comes: a rename is seen as a
 * move out and a move in.  It delays every unpaired IN_MOVED_FROM, so it
 * is short.
 *
 * MOVE_WAIT (handle.c, ready(), -r): a directory's IN_MOVED_FROM that
 * ends what was read waits for the next read, and the events after it
 * with it; after MOVE_WAIT the directory is taken to have left the tree
 * and its watches are removed; if its IN_MOVED_TO comes after all, the
 * directory is listed again and its whole subtree reported anew.  That
 * is costlier, and only a move out of the tree, with nothing queued after
 * it, waits this long, so it is longer.
 */
#define PAIR_WAIT	(10 * 1000000LL)
#define MOVE_WAIT	(20 * 1000000LL)

/*
 * How long after a listing found a file complete its writer's own
 * IN_CLOSE_WRITE may still come (window.c, ghosts): a writer gives up write
 * access before the kernel queues that event, and can be descheduled in
 * between.  A miss prints that IN_CLOSE_WRITE twice.
 */
#define GHOST_WAIT	(1000 * 1000000LL)

/*
 * How long a file a listing found empty must stay untouched to be taken
 * as complete (window.c, settle_add()).  Whether a writer holds it is not asked
 * of the kernel (a read lease on a file being created can make its
 * creator's O_NONBLOCK open fail): a writer still at work writes or
 * closes within this time, and reports its own IN_CLOSE_WRITE.  A writer
 * idle for longer has its file reported closed twice.
 */
#define SETTLE_WAIT	(1000 * 1000000LL)

/*
 * Output (output.c, loop.c).  OUTPUT_BACKLOG is what may wait for a slow
 * reader of a pipe, a terminal or a socket; past it watchx stops reading
 * events, and the kernel's queue may overflow (reported).  When the next
 * record does not fit in a pipe's room yet, the loop tries again after
 * OUTPUT_RETRY (the reader's progress is not always signalled).  On
 * SIGINT, SIGTERM or SIGHUP, what has been read is written for at most
 * SIGNAL_WAIT, whole records only, before watchx dies by the signal: long
 * enough for a reader that is keeping up, short enough not to be felt.
 * A reader that reads nothing for SIGNAL_IDLE (neither from watchx nor
 * from what waits in its pipe: output_unread()) is taken to be stopped (a
 * suspended job, a debugger), and watchx dies then: a reader at work
 * reads at least that often.
 */
#define OUTPUT_BACKLOG	(64 * 1024 * 1024)	/* bytes */
#define OUTPUT_RETRY	(10 * 1000000L)
#define SIGNAL_WAIT	(250 * 1000000LL)
#define SIGNAL_IDLE	(100 * 1000000LL)

static inline int64_t
clock_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#endif
