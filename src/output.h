/*
 * output.h: turning events into records and writing them in batches.
 */
#ifndef WATCHX_OUTPUT_H
#define WATCHX_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* One event, as the loop hands it over for printing. */
struct event {
	int		 wd;		/* -1 for a queue overflow */
	uint32_t	 mask;
	uint32_t	 cookie;
	uint32_t	 len;		/* the kernel's name length */
	const char	*name;		/* "" for the watched object itself */
	size_t		 namelen;
	const char	*path;		/* the watch path */
	size_t		 pathlen;
	const char	*from;		/* --pair-moves: the old full path */
	size_t		 fromlen;
	const struct timespec *when;	/* NULL: the current read batch */
};

enum output_mode { OUTPUT_LINE, OUTPUT_FORMAT, OUTPUT_JSON, OUTPUT_HUMAN,
	OUTPUT_CSV };

struct fmt_op;
struct stats;

struct output {
	int		 fd;
	int		 wfd;		/* written: fd, or our own non-blocking */
	int		 nowait;	/* a pipe, terminal or socket */
	int		 pipe;		/* given whole records only */
	int		 cramped;	/* the next one does not fit in it yet */
	int		 sock;		/* written with send(MSG_DONTWAIT) */
	int		 file;		/* a regular file: cut back on failure */
	const char	*name;		/* for messages: "standard output" */
	size_t		 backlog;	/* what may wait for the reader */
	char		*buf;
	size_t		 off;		/* written so far */
	size_t		 len;
	size_t		 size;
	uint32_t	*ends;		/* where each record in buf ends */
	size_t		 nends;
	size_t		 endsize;

	enum output_mode mode;
	char		 end;		/* '\n', or '\0' under -0 */
	int		 noend;		/* inotifywait's --no-newline */
	int		 raw;		/* -0: no escaping */
	int		 color;
	int		 pairs;		/* --pair-moves: a seventh field */
	const char	*arrow;		/* -H: between a move's two paths */
	struct fmt_op	*ops;		/* --format, compiled */
	size_t		 nops;
	const char	*timefmt;	/* NULL: ISO 8601 with microseconds */
	struct stats	*stats;		/* --stats: events counted, not printed */

	struct timespec	 when;		/* of the current read batch */
	char		 time[128];
	size_t		 timelen;	/* (size_t)-1: not formatted yet */
};

struct config;

void	 output_init(struct output *, int);
void	 output_open(struct output *, const struct config *);
void	 output_free(struct output *);
void	 output_target(struct output *, int);
size_t	 output_pending(const struct output *);
int	 output_full(const struct output *);
size_t	 output_unread(const struct output *);
int	 output_push(struct output *);
void	 output_time(struct output *, struct timespec *);
int	 output_event(struct output *, const struct event *);
int	 output_tick(struct output *);
int	 output_flush(struct output *);
size_t	 output_stats(struct output *);

#endif
