/*
 * main.c: the command line.  Options become a struct config, the paths
 * become watches, and the loop's result becomes the exit status.
 */
#include <sys/inotify.h>
#include <sys/resource.h>

#include <ctype.h>
#include <err.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "events.h"
#include "loop.h"
#include "output.h"
#include "watch.h"

#define NS		1000000000LL
#define SECONDS_MAX	1000000000LL	/* about 31 years */

enum { OPT_NO_TICK = 256 };

#define USAGE \
	"usage: watchx [-Pqr] [-b seconds] [-e events] [-n count] [-t seconds]\n" \
	"              [-x events] [--no-tick] path ...\n" \
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
	    "  -b, --block SECONDS      length of one idle cycle (default 1)\n"
	    "  -e, --event LIST         events to watch and print (default all)\n"
	    "  -x, --exit-on LIST       exit 0 after the first of these events\n"
	    "  -n, --count N            exit 0 after N events\n"
	    "  -t, --timeout SECONDS    exit 2 after SECONDS without an event\n"
	    "      --no-tick            print no empty line when idle\n"
	    "  -P, --no-dereference     watch a symbolic link, not its target\n"
	    "  -q, --quiet              no status messages on stderr\n"
	    "  -r, --recursive          watch every directory below each path\n"
	    "  -h, --help               this help\n"
	    "  -V, --version            the version\n"
	    "\n"
	    "Events: %s,\nor a number such as 0x100.\n"
	    "Exit status: 0 -x or -n reached, 1 error, 2 timeout, "
	    "3 overflow, unmount or no watch left.\n", events_valid());
	exit(0);
}

/*
 * Seconds as plain decimal with an optional fraction ("2", "0.25", ".5"),
 * into nanoseconds.  No sign, exponent or hexadecimal: a value a person
 * did not mean to write is an error, not a surprise.
 */
static int64_t
seconds(int opt, const char *s, int zero_ok)
{
	const char	*p = s;
	int64_t		 whole = 0, frac = 0, scale = NS;
	int		 digits = 0;

	for (; isdigit((unsigned char)*p); p++, digits++) {
		whole = whole * 10 + (*p - '0');
		if (whole > SECONDS_MAX)
			errx(1, "-%c: '%s' seconds is too large (at most %lld)",
			    opt, s, SECONDS_MAX);
	}
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++, digits++)
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
	if (digits == 0 || *p != '\0')
		errx(1, "-%c: invalid number of seconds '%s'", opt, s);
	if (!zero_ok && whole == 0 && frac == 0)
		errx(1, "-%c: seconds must be greater than 0: '%s'", opt, s);
	return whole * NS + frac;
}

static void
event_list(int opt, const char *list, uint32_t *mask)
{
	char	 bad[64];

	if (events_parse(list, mask, bad, sizeof(bad)) == -1)
		errx(1, "-%c: unknown event '%s'; valid events: %s, "
		    "or a number", opt, bad, events_valid());
}

static void
parse(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		{ "block",		required_argument,	NULL, 'b' },
		{ "count",		required_argument,	NULL, 'n' },
		{ "event",		required_argument,	NULL, 'e' },
		{ "exit-on",		required_argument,	NULL, 'x' },
		{ "help",		no_argument,		NULL, 'h' },
		{ "no-dereference",	no_argument,		NULL, 'P' },
		{ "no-tick",		no_argument,		NULL, OPT_NO_TICK },
		{ "quiet",		no_argument,		NULL, 'q' },
		{ "recursive",		no_argument,		NULL, 'r' },
		{ "timeout",		required_argument,	NULL, 't' },
		{ "version",		no_argument,		NULL, 'V' },
		{ NULL,			0,			NULL, 0 }
	};
	const char	*errstr;
	int		 ch;

	memset(cfg, 0, sizeof(*cfg));
	cfg->block_ns = NS;
	cfg->tick = 1;

	while ((ch = getopt_long(argc, argv, "b:e:hn:Pqrt:Vx:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'b':
			cfg->block_ns = seconds(ch, optarg, 0);
			break;
		case 'e':
			event_list(ch, optarg, &cfg->events);
			break;
		case 'h':
			help();
		case 'n':
			cfg->count = strtonum(optarg, 1, LLONG_MAX, &errstr);
			if (errstr != NULL)
				errx(1, "-n: count '%s' is %s", optarg, errstr);
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
			cfg->timeout_ns = seconds(ch, optarg, 1);
			break;
		case 'V':
			printf("watchx %s\n", WATCHX_VERSION);
			exit(0);
		case 'x':
			event_list(ch, optarg, &cfg->exit_on);
			break;
		case OPT_NO_TICK:
			cfg->tick = 0;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;

	if (argc == 0) {
		warnx("no path to watch");
		usage();
	}
	if (cfg->events == 0)
		cfg->events = IN_ALL_EVENTS | EVENTS_NOTICES;
	cfg->paths = argv;
	cfg->npaths = argc;
}

int
main(int argc, char *argv[])
{
	struct config	 cfg;
	struct watchset	 ws;
	struct output	 out;
	struct rlimit	 rl;
	uint32_t	 mask;
	size_t		 i;

	parse(argc, argv, &cfg);

	/* The kernel needs some event to watch for; IN_IGNORED comes anyway. */
	mask = (cfg.events | cfg.exit_on) & IN_ALL_EVENTS;
	if (mask == 0)
		mask = IN_DELETE_SELF;

	/* The walk holds one descriptor per level of the tree. */
	if (cfg.recursive && getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	watchset_open(&ws, mask, cfg.events | cfg.exit_on, cfg.recursive,
	    cfg.nofollow);
	if (!cfg.quiet)
		fprintf(stderr, "Setting up watches.\n");
	for (i = 0; i < cfg.npaths; i++)
		if (watchset_add_root(&ws, cfg.paths[i]) == -1)
			exit(1);
	if (!cfg.quiet)
		fprintf(stderr, "Watches established.\n");

	output_init(&out, STDOUT_FILENO);
	return loop_run(&cfg, &ws, &out);
}
