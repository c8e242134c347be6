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
	int64_t		  deadline_ns;	/* --deadline: 0 = none */
	int64_t		  started;	/* clock_ns() at start: --deadline */
	int64_t		  block_ns;	/* -b: one idle cycle */
	int		  tick;		/* print ticks; -1: by stdout */
	int		  quiet;	/* -q */
	int		  ready_fd;	/* --ready-fd, or -1 */
	int		  nofollow;	/* -P */
	int		  recursive;	/* -r */
	int		  byname;	/* --by-name, or a wait */
	int		  wait;		/* enum wait (byname.h) */
	int		  rescan;	/* --on-overflow rescan */
	int		  gitignore;	/* --gitignore */
	const char	 *format;	/* -f */
	const char	 *timefmt;	/* --timefmt */
	int		  json;		/* -j */
	int		  human;	/* -H */
	int		  null;		/* -0 */
	const char	 *outfile;	/* -o */
	int		  pair_moves;	/* --pair-moves */
	int		  stats;	/* STATS_* below: count, print a table */
	int		  stats_zero;	/* inotifywatch -z */
	int		  stats_sort;	/* its -a, -d: a bit number; -1 total */
	int		  stats_ascending; /* -a */
	enum { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER } color;
	char		**include;	/* --include */
	size_t		  ninclude;
	char		**exclude;	/* --exclude */
	size_t		  nexclude;
	char		**paths;
	size_t		  npaths;

	/* Invoked as inotifywait (iwait.c). */
	int		  compat;
	int		  once;		/* no -m: the first event ends it */
	int		  csv;		/* -c */
	int		  noend;	/* --no-newline */
	int		  syslog;	/* -s: messages to syslog */
	const char	 *regex;	/* --exclude and the like: POSIX ERE */
	int		  regex_flags;	/* REGEX_* below */
	char		**skip;		/* @path: not walked under -r */
	size_t		  nskip;
};

/* cfg->stats. */
#define STATS_PATH	1	/* --stats: a row per path */
#define STATS_WATCH	2	/* inotifywatch: a row per watch */

#define REGEX_ICASE	1	/* --excludei, --includei */
#define REGEX_INCLUDE	2	/* --include, --includei */

#endif
