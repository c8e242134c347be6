/*
 * main.c: the command line.  Options become a struct config, the paths
 * become watches, and the loop's result becomes the exit status.
 */
#include <sys/inotify.h>
#include <sys/resource.h>

#include <err.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "array.h"
#include "byname.h"
#include "clock.h"
#include "config.h"
#include "events.h"
#include "filter.h"
#include "iwait.h"
#include "loop.h"
#include "output.h"
#include "ready.h"
#include "source.h"
#include "walk.h"
#include "watch.h"

#define NS		1000000000LL

enum {
	OPT_BY_NAME = 256,
	OPT_COLOR,
	OPT_DEADLINE,
	OPT_EXCLUDE,
	OPT_FROMFILE,
	OPT_GITIGNORE,
	OPT_INCLUDE,
	OPT_NO_TICK,
	OPT_ON_OVERFLOW,
	OPT_PAIR_MOVES,
	OPT_READY_FD,
	OPT_STATS,
	OPT_TICK,
	OPT_TIMEFMT,
	OPT_WAIT_EXISTS,
	OPT_WAIT_GONE,
	OPT_WAIT_WRITTEN,
};

#define USAGE \
	"usage: watchx [-0HjmPqr] [-b seconds] [-e events] [-x events] " \
	"[-n count]\n" \
	"              [-t seconds] [--deadline seconds] [-f format]\n" \
	"              [--timefmt fmt] [-o file]\n" \
	"              [--fromfile file] [--include pattern] " \
	"[--exclude pattern]\n" \
	"              [--gitignore] " \
	"[--pair-moves] [--tick | --no-tick] [--color when]\n" \
	"              [--stats] " \
	"[--on-overflow exit|rescan] [--ready-fd n]\n" \
	"              [--by-name | --wait-exists | --wait-gone | " \
	"--wait-written]\n" \
	"              path ...\n" \
	"       watchx -h | -V\n"

static void __attribute__((noreturn))
usage(void)
{
	fputs(USAGE, stderr);
	exit(1);
}

static void __attribute__((noreturn))
help(void)
{
	printf(USAGE
	    "\n"
	    "Print one line per inotify event on each path:\n"
	    "wd, mask, cookie, names, watch path and filename, TAB-separated,\n"
	    "and an empty line after every idle cycle.\n"
	    "\n"
	    "  -r, --recursive          watch every directory below each path\n"
	    "  -e, --event LIST         events to watch and print (default all)\n"
	    "  -x, --exit-on LIST       exit 0 after the first of these events "
	    "(without -e,\n"
	    "                           only they are watched and printed)\n"
	    "  -n, --count N            exit 0 after N events\n"
	    "  -t, --timeout SECONDS    exit 2 after SECONDS without an event "
	    "(90, 1.5m, 2h)\n"
	    "      --deadline SECONDS   exit 2 SECONDS after start, events or "
	    "not\n"
	    "  -b, --block SECONDS      length of one idle cycle (default 1)\n"
	    "      --tick, --no-tick    print an empty record when idle, or "
	    "not\n"
	    "                           (default: only the default line, into "
	    "a pipe or\n"
	    "                           socket, not waiting once with -x or "
	    "-n)\n"
	    "  -f, --format FMT         print with FMT: %%d %%m %%x %%c %%l "
	    "%%e %%w %%f %%p %%P %%T %%%%\n"
	    "      --timefmt FMT        strftime(3) format of %%T\n"
	    "  -j, --json               one JSON object per event\n"
	    "  -H, --human              for a person: time, names, path, "
	    "a -> b for a move\n"
	    "  -0, --null               end records with NUL, paths raw\n"
	    "  -o, --outfile FILE       append to FILE instead of stdout\n"
	    "      --fromfile FILE      read more paths from FILE (- for "
	    "stdin)\n"
	    "      --include PATTERN    print only events matching a PATTERN\n"
	    "      --exclude PATTERN    print no event matching PATTERN\n"
	    "                           (gitignore syntax, relative to the "
	    "root)\n"
	    "      --gitignore          under -r, leave out what git ignores, "
	    "and .git\n"
	    "      --pair-moves         print a move as one record with the "
	    "old path\n"
	    "      --stats              print no events: count them by path "
	    "and name, and\n"
	    "                           print one table at the end\n"
	    "      --color WHEN         colour event names: auto, always, "
	    "never\n"
	    "      --on-overflow WHAT   after a queue overflow: exit (3), or "
	    "rescan (-r)\n"
	    "  -P, --no-dereference     watch a symbolic link, not its target\n"
	    "  -m, --monitor            accepted, as inotifywait's: watchx "
	    "always monitors\n"
	    "      --by-name            follow each path by its name: "
	    "replaced,\n"
	    "                           re-created, or not there yet\n"
	    "      --wait-exists        exit 0 once every path exists\n"
	    "      --wait-gone          exit 0 once no path exists\n"
	    "      --wait-written       exit 0 once every path exists and "
	    "no process\n"
	    "                           has it open for writing\n"
	    "  -q, --quiet              no status messages on stderr\n"
	    "      --ready-fd N         write a line to descriptor N once "
	    "watching\n"
	    "  -h, --help               this help\n"
	    "  -V, --version            the version\n"
	    "\n"
	    "Events: %s,\nor a number such as 0x100.\n"
	    "Exit status: 0 -x or -n reached, 1 error, 2 timeout, "
	    "3 overflow, unmount or no watch left.\n", events_valid());
	exit(0);
}

static void
event_list(int opt, const char *list, uint32_t *mask)
{
	char	 why[256];

	if (events_parse(list, mask, why, sizeof(why)) == -1)
		errx(1, "-%c: %s; valid events: %s, or a number in decimal or "
		    "0x hexadecimal", opt, why, events_valid());
}

/* -n: a positive decimal count (strtonum(3) would take '+' and blanks). */
static long long
count(const char *arg)
{
	const char	*errstr = NULL, *p = arg + (*arg == '-');
	long long	 n = 0;

	if (*p == '\0' || p[strspn(p, "0123456789")] != '\0')
		errstr = "invalid";
	else
		n = strtonum(arg, 1, LLONG_MAX, &errstr);
	if (errstr != NULL)
		errx(1, "-n: count '%s' is %s", arg, errstr);
	return n;
}

/* arg, one of words (NULL-terminated): its index; else an error for opt. */
static int
word(const char *opt, const char *arg, const char *const *words,
    const char *list)
{
	int	 i;

	for (i = 0; words[i] != NULL; i++)
		if (strcmp(arg, words[i]) == 0)
			return i;
	errx(1, "%s: '%s' is not %s", opt, arg, list);
}

/* One of the short options (and their long names). */
static void
short_option(struct config *cfg, int ch, char *arg)
{
	switch (ch) {
	case '0':
		cfg->null = 1;
		break;
	case 'b':
		cfg->block_ns = args_seconds("-b", arg, 0);
		break;
	case 'e':
		event_list(ch, arg, &cfg->events);
		break;
	case 'f':
		cfg->format = arg;
		break;
	case 'h':
		help();
	case 'H':
		cfg->human = 1;
		break;
	case 'j':
		cfg->json = 1;
		break;
	case 'm':
		/* inotifywait's "keep watching": what watchx always does. */
		break;
	case 'n':
		cfg->count = count(arg);
		break;
	case 'o':
		cfg->outfile = arg;
		break;
	case 'P':
		cfg->nofollow = 1;
		break;
	case 'q':
		cfg->quiet = 1;
		break;
	case 'r':
		cfg->recursive = 1;
		break;
	case 't':
		cfg->timeout_ns = args_seconds("-t", arg, 1);
		break;
	case 'V':
		printf("watchx %s\n", WATCHX_VERSION);
		exit(0);
	case 'x':
		event_list(ch, arg, &cfg->exit_on);
		break;
	default:
		usage();
	}
}

/* One of the options that are only long; --fromfile's file in *fromfile. */
static void
long_option(struct config *cfg, int ch, char *arg, const char **fromfile)
{
	/* In the order of COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER. */
	static const char *const colors[] = { "auto", "always", "never", NULL };
	static const char *const overflows[] = { "exit", "rescan", NULL };

	switch (ch) {
	case OPT_BY_NAME:
		cfg->byname = 1;
		break;
	case OPT_COLOR:
		cfg->color = word("--color", arg, colors,
		    "auto, always or never");
		break;
	case OPT_DEADLINE:
		cfg->deadline_ns = args_seconds("--deadline", arg, 0);
		break;
	case OPT_EXCLUDE:
		*ARRAY_PUSH(cfg->exclude, cfg->nexclude) = arg;
		break;
	case OPT_FROMFILE:
		*fromfile = arg;
		break;
	case OPT_GITIGNORE:
		cfg->gitignore = 1;
		break;
	case OPT_INCLUDE:
		*ARRAY_PUSH(cfg->include, cfg->ninclude) = arg;
		break;
	case OPT_NO_TICK:
		cfg->tick = 0;
		break;
	case OPT_READY_FD:
		cfg->ready_fd = ready_fd(arg);
		break;
	case OPT_STATS:
		cfg->stats = STATS_PATH;
		break;
	case OPT_TICK:
		cfg->tick = 1;
		break;
	case OPT_ON_OVERFLOW:
		cfg->rescan = word("--on-overflow", arg, overflows,
		    "exit or rescan");
		break;
	case OPT_PAIR_MOVES:
		cfg->pair_moves = 1;
		break;
	case OPT_TIMEFMT:
		cfg->timefmt = arg;
		break;
	case OPT_WAIT_EXISTS:
	case OPT_WAIT_GONE:
	case OPT_WAIT_WRITTEN:
		if (cfg->wait != WAIT_NONE)
			errx(1, "--wait-exists, --wait-gone and --wait-written "
			    "cannot be used together");
		cfg->wait = ch == OPT_WAIT_EXISTS ? WAIT_EXISTS :
		    ch == OPT_WAIT_GONE ? WAIT_GONE : WAIT_WRITTEN;
		cfg->byname = 1;
		break;
	default:
		usage();
	}
}

/*
 * What goes with following paths by name, and with the waits, which print
 * only the event that ends them.
 */
static void
waits(const struct config *cfg)
{
	const char	*w = cfg->wait == WAIT_EXISTS ? "--wait-exists" :
			    cfg->wait == WAIT_GONE ? "--wait-gone" :
			    "--wait-written";

	if (cfg->byname && cfg->nofollow)
		errx(1, "-P cannot be used with --by-name");
	if (cfg->wait == WAIT_NONE)
		return;
	if (cfg->events != 0 || cfg->exit_on != 0 || cfg->count != 0 ||
	    cfg->ninclude > 0 || cfg->nexclude > 0 || cfg->pair_moves)
		errx(1, "%s prints only the event that ends it: -e, -x, -n, "
		    "--include, --exclude and --pair-moves do not apply", w);
	if (cfg->recursive)
		errx(1, "%s cannot be used with -r", w);
}

/*
 * A pattern that looks like a regular expression, as inotifywait's
 * --exclude takes ('\.swp$', '^build/', '.*~'), matches nothing a person
 * meant here: warn, naming the gitignore(5) pattern it most likely means
 * (a start anchor dropped or a leading '*', '\.' a dot, '.*' a '*', an
 * end anchor dropped or a trailing '*').
 */
static void
regex_warn(const char *opt, const char *pat)
{
	char	 glob[PATH_MAX];
	size_t	 len = strlen(pat), n = 0, i = 0;
	int	 start = pat[0] == '^', end = len > 0 && pat[len - 1] == '$' &&
		    (len < 2 || pat[len - 2] != '\\');

	/* ".*" alone is a glob too: dot files, as in '.*' or '.*.swp'. */
	if (!start && !end && strstr(pat, "\\.") == NULL)
		return;
	if (len + 3 > sizeof(glob))
		return;
	if (start)
		i = 1;
	else if (pat[0] != '.' || pat[1] != '*')
		glob[n++] = '*';
	for (; i < len - end; i++) {
		if (pat[i] == '\\' && pat[i + 1] == '.')
			glob[n++] = pat[++i];
		else if (pat[i] == '.' && pat[i + 1] == '*') {
			glob[n++] = '*';
			i++;
		} else
			glob[n++] = pat[i];
	}
	if (!end && (n == 0 || glob[n - 1] != '*'))
		glob[n++] = '*';
	glob[n] = '\0';
	/* Nothing, or everything: no advice to give. */
	if (strspn(glob, "*") == n)
		return;
	warnx("%s '%s' looks like a regular expression; patterns are "
	    "gitignore(5) globs here: did you mean '%s'?", opt, pat, glob);
}

/*
 * --stats prints one table, as text or --json: not events, nor ticks,
 * and not a wait's one event.
 */
static void
stats_options(struct config *cfg)
{
	if (!cfg->stats)
		return;
	if (cfg->format != NULL || cfg->human || cfg->null ||
	    cfg->pair_moves || cfg->tick == 1)
		errx(1, "--stats prints a table, not events: -f, -H, -0, "
		    "--pair-moves and --tick do not apply");
	if (cfg->wait != WAIT_NONE)
		errx(1, "--stats cannot be used with a wait");
	cfg->tick = 0;
}

/* The options that exclude each other, and the paths to watch. */
static void
finish_config(struct config *cfg, int argc, char **argv, const char *fromfile)
{
	size_t	 i;

	if (cfg->json + (cfg->format != NULL) + cfg->human > 1)
		errx(1, "-j, -f and -H cannot be used together");
	if (cfg->human && cfg->null)
		errx(1, "-H and -0 cannot be used together: -H is for a "
		    "terminal");
	if (cfg->rescan && !cfg->recursive)
		errx(1, "--on-overflow rescan needs -r");
	if (cfg->gitignore && !cfg->recursive)
		errx(1, "--gitignore needs -r");
	if (cfg->gitignore && cfg->byname)
		errx(1, "--gitignore cannot be used with --by-name or a wait");
	waits(cfg);
	stats_options(cfg);
	/* A person reads a rename best as one line: old -> new. */
	if (cfg->human && cfg->wait == WAIT_NONE)
		cfg->pair_moves = 1;
	for (i = 0; i < cfg->ninclude; i++)
		regex_warn("--include", cfg->include[i]);
	for (i = 0; i < cfg->nexclude; i++)
		regex_warn("--exclude", cfg->exclude[i]);
	while (argc-- > 0)
		args_path(cfg, *argv++, 0);
	if (fromfile != NULL)
		args_read_paths(cfg, fromfile, 0);
	if (cfg->npaths == 0) {
		warnx("no path to watch");
		usage();
	}
	/*
	 * --wait-written asks the kernel for changes only: whether a file is
	 * open for writing is learnt by opening it (byname.c, unwritten()),
	 * which must not come back as an event.
	 */
	if (cfg->wait == WAIT_WRITTEN)
		cfg->events = EVENTS_CHANGE;
	/* -x alone: what it waits for is what is watched and printed. */
	if (cfg->events == 0)
		cfg->events = cfg->exit_on != 0 ? cfg->exit_on :
		    IN_ALL_EVENTS | EVENTS_NOTICES;
}

/* What a run has when no option says otherwise. */
static void
defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->started = clock_ns();
	cfg->block_ns = NS;
	cfg->tick = -1;
	cfg->ready_fd = -1;
	cfg->stats_sort = -1;
}

static void
parse(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		{ "block",		required_argument,	NULL, 'b' },
		{ "by-name",		no_argument,		NULL, OPT_BY_NAME },
		{ "color",		required_argument,	NULL, OPT_COLOR },
		{ "count",		required_argument,	NULL, 'n' },
		{ "deadline",		required_argument,	NULL, OPT_DEADLINE },
		{ "event",		required_argument,	NULL, 'e' },
		{ "exclude",		required_argument,	NULL, OPT_EXCLUDE },
		{ "exit-on",		required_argument,	NULL, 'x' },
		{ "format",		required_argument,	NULL, 'f' },
		{ "fromfile",		required_argument,	NULL, OPT_FROMFILE },
		{ "gitignore",		no_argument,		NULL, OPT_GITIGNORE },
		{ "help",		no_argument,		NULL, 'h' },
		{ "human",		no_argument,		NULL, 'H' },
		{ "include",		required_argument,	NULL, OPT_INCLUDE },
		{ "json",		no_argument,		NULL, 'j' },
		{ "monitor",		no_argument,		NULL, 'm' },
		{ "no-dereference",	no_argument,		NULL, 'P' },
		{ "no-tick",		no_argument,		NULL, OPT_NO_TICK },
		{ "null",		no_argument,		NULL, '0' },
		{ "on-overflow",	required_argument,	NULL, OPT_ON_OVERFLOW },
		{ "outfile",		required_argument,	NULL, 'o' },
		{ "pair-moves",		no_argument,		NULL, OPT_PAIR_MOVES },
		{ "quiet",		no_argument,		NULL, 'q' },
		{ "ready-fd",		required_argument,	NULL, OPT_READY_FD },
		{ "recursive",		no_argument,		NULL, 'r' },
		{ "stats",		no_argument,		NULL, OPT_STATS },
		{ "tick",		no_argument,		NULL, OPT_TICK },
		{ "timefmt",		required_argument,	NULL, OPT_TIMEFMT },
		{ "timeout",		required_argument,	NULL, 't' },
		{ "version",		no_argument,		NULL, 'V' },
		{ "wait-exists",	no_argument,		NULL, OPT_WAIT_EXISTS },
		{ "wait-gone",		no_argument,		NULL, OPT_WAIT_GONE },
		{ "wait-written",	no_argument,		NULL, OPT_WAIT_WRITTEN },
		{ NULL,			0,			NULL, 0 }
	};
	const char	*fromfile = NULL;
	int		 ch;

	/* Our own messages for a bad option (bad_option()). */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":0b:e:f:Hhjmn:o:Pqrt:Vx:",
	    longopts, NULL)) != -1) {
		if (ch == '?' || ch == ':')
			args_bad_option(ch, argv, longopts);
		if (ch >= OPT_BY_NAME)
			long_option(cfg, ch, optarg, &fromfile);
		else
			short_option(cfg, ch, optarg);
	}
	finish_config(cfg, argc - optind, argv + optind, fromfile);
}

/*
 * Watch the paths given: each as the file it names now (walked under -r),
 * or by its name (byname.c).  Exits 1 if one cannot be watched.
 */
static void
watch_paths(const struct config *cfg, struct watchset *ws,
    struct byname *names)
{
	struct watch	*root;
	size_t		 i;

	for (i = 0; i < cfg->npaths; i++) {
		if (cfg->byname) {
			byname_add(names, cfg->paths[i]);
			continue;
		}
		if (walk_add_root(ws, cfg->paths[i], 0, &root) == -1) {
			/* Its work tree could not be found (--gitignore). */
			if (root != NULL)
				err(1, "%s", cfg->paths[i]);
			exit(1);
		}
	}
	if (cfg->byname && byname_start(names) == -1)
		exit(1);
}

/*
 * Unless --tick or --no-tick says otherwise, ticks are printed where they
 * help: with the default line, into a pipe or a socket, whose reader (a
 * while read loop) may want to wake up when nothing happens, and not in a
 * one-shot wait (-x, -n), which ends at an event.  On a terminal, into a
 * file, and in a wait, they would only be blank lines; -f, --json and -0
 * are read by programs (jq, xargs -0, a JSON parser) that take an empty
 * record for an event.
 */
static void
ticks(struct config *cfg, const struct output *out)
{
	/* -H is for a person, who has no use for a blank line. */
	if (cfg->human)
		cfg->tick = 0;
	if (cfg->tick == -1)
		cfg->tick = (out->pipe || out->sock) &&
		    out->mode == OUTPUT_LINE && !cfg->null &&
		    cfg->exit_on == 0 && cfg->count == 0 &&
		    cfg->wait == WAIT_NONE;
}

/*
 * Open /dev/null on whichever of descriptors 0, 1 and 2 the caller closed,
 * so that no file watchx opens (the -o file above all) takes one of their
 * numbers and receives what is meant for them.  Returns whether stdout
 * was closed.
 */
static int
standard_fds(void)
{
	int	 fd, closed = 0;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1)
			continue;
		if (fd == STDOUT_FILENO)
			closed = 1;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd) {
			if (fcntl(STDERR_FILENO, F_GETFD) != -1)
				warn("/dev/null");
			_exit(1);
		}
	}
	return closed;
}

int
main(int argc, char *argv[])
{
	struct config	 cfg;
	struct watchset	 ws;
	struct source	 src;
	struct output	 out;
	struct filter	 filter;
	struct rlimit	 rl;
	struct byname	 names;
	uint32_t	 mask;
	int		 globs, closed, detach = 0, status;

	closed = standard_fds();
	defaults(&cfg);
	if (iwait_is(argv[0]))
		detach = iwait_parse(argc, argv, &cfg);
	else if (iwatch_is(argv[0]))
		iwatch_parse(argc, argv, &cfg);
	else
		parse(argc, argv, &cfg);
	loop_hold_signals();
	if (cfg.syslog)
		iwait_syslog();
	if (closed && cfg.outfile == NULL)
		errx(1, "standard output is closed; give -o FILE");
	output_open(&out, &cfg);
	ticks(&cfg, &out);
	globs = filter_open(&filter, &cfg);
	if (detach)
		iwait_fork();

	/* The kernel needs some event to watch for; IN_IGNORED comes anyway. */
	mask = (cfg.events | cfg.exit_on) & IN_ALL_EVENTS;
	if (mask == 0)
		mask = IN_DELETE_SELF;

	/* The walk holds two descriptors per level of the tree. */
	if (cfg.recursive && getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	source_open(&src);
	watchset_open(&ws, &src, mask, (cfg.recursive ? WS_RECURSIVE : 0) |
	    (cfg.nofollow ? WS_NOFOLLOW : 0) | (cfg.rescan ? WS_MIRROR : 0) |
	    (cfg.gitignore ? WS_RULES : 0), cfg.nexclude > 0 ||
	    cfg.gitignore || cfg.nskip > 0 ? &filter : NULL);
	byname_open(&names, &src, &ws, mask, cfg.wait);
	if (!cfg.quiet)
		fputs(cfg.stats == STATS_WATCH ? "Establishing watches...\n" :
		    "Setting up watches.\n", stderr);
	watch_paths(&cfg, &ws, &names);
	/* inotifywatch's -t counts from here, however long the walk took. */
	if (cfg.stats == STATS_WATCH)
		cfg.started = clock_ns();
	if (!cfg.quiet)
		fputs(cfg.stats == STATS_WATCH ? "Finished establishing "
		    "watches, now collecting statistics.\n" :
		    "Watches established.\n", stderr);
	ready_announce(cfg.ready_fd);
	iwait_detached();
	/* A wait whose condition holds already is over, with nothing to say. */
	if (byname_done(&names))
		exit(0);

	/* exit(), not return: what main holds stays reachable for LSan. */
	status = loop_run(&cfg, &ws, &src, &out, globs ? &filter : NULL,
	    cfg.byname ? &names : NULL);
	if (cfg.stats == STATS_WATCH)
		status = iwatch_status(status);
	else if (cfg.compat)
		status = iwait_status(status);
	exit(status);
}
