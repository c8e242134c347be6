/*
 * handle.h: what happens to each event the kernel hands over, from the
 * watch it is on to the record that is printed.
 */
#ifndef WATCHX_HANDLE_H
#define WATCHX_HANDLE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "pair.h"
#include "self.h"
#include "tree.h"

struct byname;
struct config;
struct filter;
struct output;
struct source;
struct watchset;

struct handler {
	const struct config	*cfg;
	struct watchset		*ws;
	struct source		*src;
	struct tree		 tree;		/* the -r stage */
	struct byname		*names;		/* --by-name, or NULL */
	struct output		*out;
	struct filter		*filter;	/* NULL: no globs */
	struct self		 self;		/* the output, if a file */
	struct pairs		 pairs;
	struct timespec		 when;		/* of the current batch */
	uint32_t		 print;		/* bits printed */
	long long		 printed;
	int64_t			 move_due;	/* ready(): NEVER if none waits */
	int			 move_late;	/* MOVE_WAIT has passed */
	int			 status;	/* exit status; -1: running */
	int			 error;		/* a failed write's errno */
};

void	 handler_open(struct handler *, const struct config *,
	    struct watchset *, struct source *, struct output *,
	    struct filter *, struct byname *);
void	 handler_begin(struct handler *);
size_t	 handler_events(struct handler *, const char *, size_t);
int	 handler_waiting(const struct handler *);
void	 handler_timers(struct handler *, int64_t, int);
int	 handler_due(const struct handler *);
int64_t	 handler_deadline(const struct handler *);
void	 handler_rows(struct handler *);
void	 handler_close(struct handler *);

#endif
