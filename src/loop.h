/*
 * loop.h: the event loop.
 */
#ifndef WATCHX_LOOP_H
#define WATCHX_LOOP_H

struct byname;
struct config;
struct filter;
struct output;
struct source;
struct watchset;

void	 loop_hold_signals(void);
int	 loop_run(const struct config *, struct watchset *, struct source *,
	    struct output *, struct filter *, struct byname *);

#endif
