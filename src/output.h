/*
 * output.h: turning events into records and writing them in batches.
 */
#ifndef WATCHX_OUTPUT_H
#define WATCHX_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

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
};

struct output {
	int		 fd;
	char		*buf;
	size_t		 len;
	size_t		 size;
};

void	 output_init(struct output *, int);
int	 output_event(struct output *, const struct event *);
int	 output_tick(struct output *);
int	 output_flush(struct output *);

#endif
