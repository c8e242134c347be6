/*
 * iwait.c: watchx under the names inotifywait and inotifywatch (the
 * links that make install-compat makes).  Their command lines, as
 * inotify-tools 4.x documents them, become a struct config for the same
 * engine.  inotifywait: without -m the first event printed ends the run;
 * its line, --format directives and --csv are printed by output.c;
 * --exclude and --include are POSIX regular expressions (filter.c);
 * "@path" leaves a directory out of -r's walk.  -d detaches once the
 * watches are in place, and -s sends watchx's messages to syslog.  Exit
 * statuses are inotifywait's: 0 after an event asked for, 2 after -t, 1
 * for anything else.  inotifywatch: the events are counted by watch and
 * printed as one table at the end (stats.c), after -t seconds in all, or
 * on SIGINT; 0 then, 1 for an error.
 */
#include <sys/inotify.h>
#include <sys/wait.h>

#include <err.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "args.h"
#include "config.h"
#include "events.h"
#include "iwait.h"
#include "stats.h"

#define IWAIT_NAME	"inotifywait"
#define IWATCH_NAME	"inotifywatch"

enum {
	OPT_EXCLUDE = 256,
	OPT_EXCLUDEI,
	OPT_FORMAT,
	OPT_FROMFILE,
	OPT_INCLUDE,
	OPT_INCLUDEI,
	OPT_NO_NEWLINE,
	OPT_TIMEFMT,
};

/* The write end of the pipe the parent of -d waits on, or -1. */
static int	 detach_fd = -1;

#define USAGE \
	"usage: inotifywait [-cdhmPqrs] [-e event] [-t seconds] " \
	"[-o file] [--format fmt]\n" \
	"                   [--no-newline] [--timefmt fmt] " \
	"[--fromfile file]\n" \
	"                   [--exclude[i] regex | --include[i] regex] " \
	"[@path ...] path ...\n"

static void __attribute__((noreturn))
help(void)
{
	printf(USAGE
	    "\n"
	    "watchx " WATCHX_VERSION " run as inotifywait: its options, "
	    "output and exit statuses\n"
	    "(see \"Under the name inotifywait\" in watchx(1)).\n"
	    "\n"
	    "  -m, --monitor         print every event (default: exit after "
	    "the first)\n"
	    "  -d, --daemon          -m, in the background, once watching; "
	    "needs -o\n"
	    "  -r, --recursive       watch every directory below each path\n"
	    "  -e, --event LIST      events to watch (default all)\n"
	    "  -t, --timeout SECONDS exit 2 after SECONDS without an event "
	    "(0: never)\n"
	    "  -o, --outfile FILE    append events to FILE\n"
	    "  -s, --syslog          messages to syslog, not stderr\n"
	    "  -q, --quiet           no status messages; -qq: no events "
	    "either\n"
	    "  -c, --csv             comma-separated values\n"
	    "      --format FMT      %%w %%f %%e %%Xe %%c %%T %%0 %%n "
	    "%%%%\n"
	    "      --no-newline      no newline after --format\n"
	    "      --timefmt FMT     strftime(3) format of %%T\n"
	    "      --exclude[i] RE   print no event whose path matches RE\n"
	    "      --include[i] RE   print only events on files whose path "
	    "matches RE\n"
	    "      --fromfile FILE   paths from FILE (- for stdin), @path "
	    "to leave out\n"
	    "  -P, --no-dereference  watch a symbolic link, not its target\n"
	    "  -I, --inotify         accepted: watching is by inotify\n"
	    "  -h, --help            this help\n"
	    "\n"
	    "Events: %s.\n"
	    "Exit status: 0 an event asked for, 1 error or other end, "
	    "2 timeout.\n", events_valid());
	exit(0);
}

/* Whether watchx was invoked under name (argv0's last component). */
static int
invoked_as(const char *argv0, const char *name)
{
	const char	*base = strrchr(argv0, '/');

	return strcmp(base != NULL ? base + 1 : argv0, name) == 0;
}

int
iwait_is(const char *argv0)
{
	return invoked_as(argv0, IWAIT_NAME);
}

/* -e: names in any case, comma-separated; "all_events" is all. */
static void
event_list(const char *list, uint32_t *mask)
{
	char	 why[256];

	if (strcasecmp(list, "all_events") == 0) {
		*mask |= IN_ALL_EVENTS;
		return;
	}
	if (events_parse(list, mask, why, sizeof(why)) == -1)
		errx(1, "-e: %s; valid events: %s", why, events_valid());
}

/* --exclude, --excludei, --include, --includei: the last one counts. */
static void
regex_option(struct config *cfg, int ch, const char *re)
{
	static int	 given;
	int		 flags;

	flags = (ch == OPT_EXCLUDEI || ch == OPT_INCLUDEI ? REGEX_ICASE : 0) |
	    (ch == OPT_INCLUDE || ch == OPT_INCLUDEI ? REGEX_INCLUDE : 0);
	if (cfg->regex != NULL &&
	    (cfg->regex_flags & REGEX_INCLUDE) != (flags & REGEX_INCLUDE))
		errx(1, "--include and --exclude cannot be used together");
	if (cfg->regex != NULL && cfg->regex_flags != flags)
		errx(1, "--%s and --%si cannot be used together",
		    (flags & REGEX_INCLUDE) ? "include" : "exclude",
		    (flags & REGEX_INCLUDE) ? "include" : "exclude");
	if (given++ == 1)
		warnx("only the last --exclude or --include counts");
	cfg->regex = re;
	cfg->regex_flags = flags;
}

/* The options that need others, or exclude them. */
static void
check(const struct config *cfg, int detach)
{
	if (cfg->csv && cfg->format != NULL)
		errx(1, "-c and --format cannot be used together");
	if (cfg->noend && cfg->format == NULL)
		errx(1, "--no-newline needs --format");
	if (cfg->timefmt != NULL && cfg->format == NULL)
		errx(1, "--timefmt needs --format");
	if (cfg->format != NULL && strstr(cfg->format, "%T") != NULL &&
	    cfg->timefmt == NULL)
		errx(1, "--format '%s' has %%T: give --timefmt", cfg->format);
	if (cfg->format != NULL && *cfg->format == '\0')
		errx(1, "--format: the format is empty");
	if (detach && cfg->outfile == NULL)
		errx(1, "-d needs -o FILE");
}

/*
 * One of the options inotifywait and inotifywatch share (-e, -P, -r, -I,
 * -F, -S, --fromfile, the regular expressions); *fromfile takes
 * --fromfile.  Returns whether ch was one.
 */
static int
shared_option(struct config *cfg, int ch, char *arg, const char **fromfile)
{
	switch (ch) {
	case 'e':
		event_list(arg, &cfg->events);
		break;
	case 'F':
	case 'S':
		errx(1, "fanotify (-F, -S) is not supported yet");
	case 'I':
		break;
	case 'P':
		cfg->nofollow = 1;
		break;
	case 'r':
		cfg->recursive = 1;
		break;
	case OPT_EXCLUDE:
	case OPT_EXCLUDEI:
	case OPT_INCLUDE:
	case OPT_INCLUDEI:
		regex_option(cfg, ch, arg);
		break;
	case OPT_FROMFILE:
		if (*fromfile != NULL)
			errx(1, "--fromfile given twice");
		*fromfile = arg;
		break;
	default:
		return 0;
	}
	return 1;
}

/*
 * The paths: --fromfile's, then those on the command line (@path leaves
 * one out); the events, all unless -e said.
 */
static void
paths(struct config *cfg, int argc, char **argv, const char *fromfile)
{
	if (fromfile != NULL)
		args_read_paths(cfg, fromfile, 1);
	for (; optind < argc; optind++)
		args_path(cfg, argv[optind], 1);
	if (cfg->npaths == 0)
		errx(1, "no path to watch");
	if (cfg->events == 0)
		cfg->events = IN_ALL_EVENTS;
}

/* One option; *fromfile and *detach take --fromfile and -d. */
static void
option(struct config *cfg, int ch, char *arg, int *quiet,
    const char **fromfile, int *detach)
{
	if (shared_option(cfg, ch, arg, fromfile))
		return;
	switch (ch) {
	case 'c':
		cfg->csv = 1;
		break;
	case 'd':
		*detach = 1;
		break;
	case 'f':
		errx(1, "-f (--filename) is no longer an option: the file "
		    "name is always printed");
	case 'h':
		help();
	case 'm':
		cfg->once = 0;
		break;
	case 'o':
		if (cfg->outfile != NULL)
			errx(1, "-o given twice");
		cfg->outfile = arg;
		break;
	case 'q':
		(*quiet)++;
		break;
	case 's':
		cfg->syslog = 1;
		break;
	case 't':
		cfg->timeout_ns = args_seconds("-t", arg, 1);
		break;
	case OPT_FORMAT:
		cfg->format = arg;
		break;
	case OPT_NO_NEWLINE:
		cfg->noend = 1;
		break;
	case OPT_TIMEFMT:
		cfg->timefmt = arg;
		break;
	}
}

/*
 * inotifywait's command line into cfg, which main.c has zeroed and given
 * its defaults.  Returns whether to detach once watching (-d).
 */
int
iwait_parse(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		{ "csv",		no_argument,		NULL, 'c' },
		{ "daemon",		no_argument,		NULL, 'd' },
		{ "event",		required_argument,	NULL, 'e' },
		{ "exclude",		required_argument,	NULL, OPT_EXCLUDE },
		{ "excludei",		required_argument,	NULL, OPT_EXCLUDEI },
		{ "fanotify",		no_argument,		NULL, 'F' },
		{ "filename",		no_argument,		NULL, 'f' },
		{ "filesystem",		no_argument,		NULL, 'S' },
		{ "format",		required_argument,	NULL, OPT_FORMAT },
		{ "fromfile",		required_argument,	NULL, OPT_FROMFILE },
		{ "help",		no_argument,		NULL, 'h' },
		{ "include",		required_argument,	NULL, OPT_INCLUDE },
		{ "includei",		required_argument,	NULL, OPT_INCLUDEI },
		{ "inotify",		no_argument,		NULL, 'I' },
		{ "monitor",		no_argument,		NULL, 'm' },
		{ "no-dereference",	no_argument,		NULL, 'P' },
		{ "no-newline",		no_argument,		NULL, OPT_NO_NEWLINE },
		{ "outfile",		required_argument,	NULL, 'o' },
		{ "quiet",		no_argument,		NULL, 'q' },
		{ "recursive",		no_argument,		NULL, 'r' },
		{ "syslog",		no_argument,		NULL, 's' },
		{ "timefmt",		required_argument,	NULL, OPT_TIMEFMT },
		{ "timeout",		required_argument,	NULL, 't' },
		{ NULL,			0,			NULL, 0 }
	};
	const char	*fromfile = NULL;
	int		 ch, quiet = 0, detach = 0;

	cfg->compat = 1;
	cfg->once = 1;
	cfg->tick = 0;
	cfg->color = COLOR_NEVER;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":cde:fFhImo:PqrsSt:",
	    longopts, NULL)) != -1) {
		if (ch == '?' || ch == ':')
			args_bad_option(ch, argv, longopts);
		option(cfg, ch, optarg, &quiet, &fromfile, &detach);
	}
	check(cfg, detach);
	/* -d is -m in the background: no status messages on the terminal. */
	if (detach)
		cfg->once = 0;
	cfg->quiet = quiet > 0 || detach;
	/* -qq: not even the events. */
	if (quiet > 1)
		cfg->outfile = "/dev/null";
	paths(cfg, argc, argv, fromfile);
	if (cfg->once)
		cfg->exit_on = cfg->events;
	return detach;
}

/*
 * A stream in place of stderr that hands each line to syslog(3), so that
 * err(3) and warnx(3) need no change for -s.
 */
static ssize_t
syslog_write(void *cookie, const char *buf, size_t len)
{
	static char	 line[1024];
	static size_t	 n;
	size_t		 i;

	(void)cookie;
	for (i = 0; i < len; i++) {
		if (buf[i] != '\n' && n < sizeof(line) - 1) {
			line[n++] = buf[i];
			continue;
		}
		line[n] = '\0';
		syslog(LOG_INFO, "%s", line);
		n = 0;
		if (buf[i] != '\n')
			line[n++] = buf[i];
	}
	return len;
}

/* -s: from now on, messages go to syslog. */
void
iwait_syslog(void)
{
	static const cookie_io_functions_t	 io = { .write = syslog_write };
	FILE					*f;

	openlog(IWAIT_NAME, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	if ((f = fopencookie(NULL, "w", io)) == NULL)
		err(1, "syslog");
	setvbuf(f, NULL, _IOLBF, 0);
	stderr = f;
}

/*
 * -d, before the watches are made: the process forks; the parent waits
 * until the child is watching (iwait_detached()) and exits 0, or exits
 * with the child's status if it ends first (a path that cannot be
 * watched).  The child goes on in a session of its own.
 */
void
iwait_fork(void)
{
	char	 c;
	int	 p[2], status;
	pid_t	 pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		err(1, "-d: pipe");
	if ((pid = fork()) == -1)
		err(1, "-d: fork");
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &c, 1) == 1)
			_exit(0);
		if (waitpid(pid, &status, 0) == -1)
			_exit(1);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
	}
	close(p[0]);
	detach_fd = p[1];
	setsid();
}

/*
 * -d, the watches in place: standard input, output and error become
 * /dev/null, messages go to syslog from now on, and the parent is told
 * to exit.
 */
void
iwait_detached(void)
{
	int	 fd;

	if (detach_fd == -1)
		return;
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	iwait_syslog();
	(void)!write(detach_fd, "", 1);
	close(detach_fd);
	detach_fd = -1;
}

/* The exit status inotifywait would give for watchx's. */
int
iwait_status(int status)
{
	return status == 3 ? 1 : status;
}

#define IWATCH_USAGE \
	"usage: inotifywatch [-hvzrPq] [-e event] [-t seconds] " \
	"[-a event | -d event]\n" \
	"                    [--fromfile file] " \
	"[--exclude[i] regex | --include[i] regex]\n" \
	"                    [@path ...] path ...\n"

static void __attribute__((noreturn))
iwatch_help(void)
{
	printf(IWATCH_USAGE
	    "\n"
	    "watchx " WATCHX_VERSION " run as inotifywatch: its options, "
	    "table and exit statuses\n"
	    "(see \"Under the name inotifywatch\" in watchx(1)).\n"
	    "\n"
	    "  -t, --timeout SECONDS   count for SECONDS in all (default, or "
	    "0: until Ctrl-C)\n"
	    "  -r, --recursive         watch every directory below each path\n"
	    "  -e, --event LIST        events to count (default all)\n"
	    "  -a, --ascending EVENT   sort by EVENT's count (or total), "
	    "fewest first\n"
	    "  -d, --descending EVENT  sort by EVENT's count (or total), "
	    "most first\n"
	    "  -z, --zero              rows and columns of zeros too\n"
	    "      --exclude[i] RE     count no event whose path matches RE\n"
	    "      --include[i] RE     count only events on files whose path "
	    "matches RE\n"
	    "      --fromfile FILE     paths from FILE (- for stdin), @path "
	    "to leave out\n"
	    "  -P, --no-dereference    watch a symbolic link, not its target\n"
	    "  -q, --quiet             no status messages\n"
	    "  -v, --verbose           accepted\n"
	    "  -I, --inotify           accepted: watching is by inotify\n"
	    "  -h, --help              this help\n"
	    "\n"
	    "Events: %s.\n"
	    "Exit status: 0 the table was printed, 1 error.\n",
	    events_valid());
	exit(0);
}

/* Whether watchx was invoked as inotifywatch. */
int
iwatch_is(const char *argv0)
{
	return invoked_as(argv0, IWATCH_NAME);
}

/* -a, -d: "total" or the name of one event. */
static void
sort_key(struct config *cfg, const char *name, int ascending)
{
	uint32_t	 bit = 0;
	char		 why[256];

	cfg->stats_ascending = ascending;
	if (strcasecmp(name, "total") == 0) {
		cfg->stats_sort = -1;
		return;
	}
	if (events_parse(name, &bit, why, sizeof(why)) == -1 ||
	    __builtin_popcount(bit) != 1 || bit >= 1U << STATS_BITS)
		errx(1, "-%c: '%s' is not an event to sort by: total, or one "
		    "of access, modify, attrib, close_write, close_nowrite, "
		    "open, moved_from, moved_to, move_self, create, delete, "
		    "delete_self, unmount", ascending ? 'a' : 'd', name);
	cfg->stats_sort = __builtin_ctz(bit);
}

/*
 * inotifywatch's command line into cfg, which main.c has zeroed and given
 * its defaults.
 */
void
iwatch_parse(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		{ "ascending",		required_argument,	NULL, 'a' },
		{ "descending",		required_argument,	NULL, 'd' },
		{ "event",		required_argument,	NULL, 'e' },
		{ "exclude",		required_argument,	NULL, OPT_EXCLUDE },
		{ "excludei",		required_argument,	NULL, OPT_EXCLUDEI },
		{ "fanotify",		no_argument,		NULL, 'F' },
		{ "filesystem",		no_argument,		NULL, 'S' },
		{ "fromfile",		required_argument,	NULL, OPT_FROMFILE },
		{ "help",		no_argument,		NULL, 'h' },
		{ "include",		required_argument,	NULL, OPT_INCLUDE },
		{ "includei",		required_argument,	NULL, OPT_INCLUDEI },
		{ "inotify",		no_argument,		NULL, 'I' },
		{ "no-dereference",	no_argument,		NULL, 'P' },
		{ "quiet",		no_argument,		NULL, 'q' },
		{ "recursive",		no_argument,		NULL, 'r' },
		{ "timeout",		required_argument,	NULL, 't' },
		{ "verbose",		no_argument,		NULL, 'v' },
		{ "zero",		no_argument,		NULL, 'z' },
		{ NULL,			0,			NULL, 0 }
	};
	const char	*fromfile = NULL;
	int		 ch;

	cfg->compat = 1;
	cfg->stats = STATS_WATCH;
	cfg->tick = 0;
	cfg->color = COLOR_NEVER;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":a:d:e:FhIPqrSt:vz",
	    longopts, NULL)) != -1) {
		if (ch == '?' || ch == ':')
			args_bad_option(ch, argv, longopts);
		if (shared_option(cfg, ch, optarg, &fromfile))
			continue;
		switch (ch) {
		case 'a':
		case 'd':
			sort_key(cfg, optarg, ch == 'a');
			break;
		case 'h':
			iwatch_help();
		case 'q':
			cfg->quiet = 1;
			break;
		case 't':
			/* The time to count for in all, not an idle time. */
			cfg->deadline_ns = args_seconds("-t", optarg, 1);
			break;
		case 'z':
			cfg->stats_zero = 1;
			break;
		}
	}
	paths(cfg, argc, argv, fromfile);
}

/* The exit status inotifywatch would give for watchx's. */
int
iwatch_status(int status)
{
	/* -t has passed: the table is what was asked for. */
	return status == 0 || status == 2 ? 0 : 1;
}
