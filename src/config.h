/*
 * config.h: the run-time configuration, filled once from the command line
 * by main.c and read by everything else.
 */
#ifndef WATCHX_CONFIG_H
#define WATCHX_CONFIG_H

#include <stddef.h>
#include <stdint.h>

struct config {
	uint32_t	  events;	/* -e: bits to print */
	uint32_t	  exit_on;	/* -x: bits that end the run */
	long long	  count;	/* -n: events to print, 0 = no limit */
	int64_t		  timeout_ns;	/* -t: 0 = none */
	int64_t		  block_ns;	/* -b: one idle cycle */
	int		  tick;		/* print ticks (no --no-tick) */
	int		  quiet;	/* -q */
	int		  nofollow;	/* -P */
	int		  recursive;	/* -r */
	char		**paths;
	size_t		  npaths;
};

#endif
