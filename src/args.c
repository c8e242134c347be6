/*
 * args.c: the values of command-line options that both command lines
 * take (watchx's own, main.c, and inotifywait's, iwait.c): seconds with
 * units, paths from a file, and the message for an option that is not one.
 */
#include <ctype.h>
#include <err.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "array.h"
#include "config.h"
#include "suggest.h"

#define NS		1000000000LL
#define SECONDS_MAX	1000000000LL	/* about 31 years */

/*
 * One path to watch; with at, "@path" is one to leave out of -r's walk
 * instead (inotifywait's exclusions).
 */
void
args_path(struct config *cfg, char *path, int at)
{
	if (at && path[0] == '@') {
		if (path[1] != '\0')
			*ARRAY_PUSH(cfg->skip, cfg->nskip) = path + 1;
		return;
	}
	*ARRAY_PUSH(cfg->paths, cfg->npaths) = path;
}

/*
 * The unit after a number of seconds, as timeout(1) takes it: s, m, h or
 * d, or none; 0 for anything else.
 */
static int64_t
unit(const char *p)
{
	if (*p == '\0')
		return 1;
	if (p[1] != '\0')
		return 0;
	switch (*p) {
	case 's':
		return 1;
	case 'm':
		return 60;
	case 'h':
		return 3600;
	case 'd':
		return 86400;
	}
	return 0;
}

/*
 * Seconds as plain decimal with an optional fraction ("2", "0.25", ".5")
 * and unit ("90s", "1.5m", "2h", "1d"), into nanoseconds.  No sign,
 * exponent or hexadecimal: a value a person did not mean to write is an
 * error, not a surprise.
 */
int64_t
args_seconds(const char *opt, const char *s, int zero_ok)
{
	const char	*p = s;
	int64_t		 whole = 0, frac = 0, scale = NS, mult;
	int		 digits = 0, dropped = 0;

	for (; isdigit((unsigned char)*p); p++, digits++) {
		whole = whole * 10 + (*p - '0');
		if (whole > SECONDS_MAX)
			errx(1, "%s: '%s' seconds is too large (at most %lld)",
			    opt, s, SECONDS_MAX);
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++, digits++) {
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			} else if (*p != '0')
				dropped = 1;
		}
	}
	if (digits == 0 || (mult = unit(p)) == 0)
		errx(1, "%s: invalid number of seconds '%s'", opt, s);
	/* In the unit's own nanoseconds, then as a whole. */
	frac *= mult;
	whole = whole * mult + frac / NS;
	frac %= NS;
	if (whole > SECONDS_MAX)
		errx(1, "%s: '%s' is too long (at most %lld seconds)", opt, s,
		    SECONDS_MAX);
	if (whole == SECONDS_MAX && frac > 0)
		errx(1, "%s: '%s' seconds is too large (at most %lld)",
		    opt, s, SECONDS_MAX);
	/* Past the nanosecond, 0 would mean "never" to -t: not so. */
	if (whole == 0 && frac == 0 && dropped)
		errx(1, "%s: '%s' seconds is too small (the smallest is "
		    "0.000000001)", opt, s);
	if (!zero_ok && whole == 0 && frac == 0)
		errx(1, "%s: seconds must be greater than 0: '%s'", opt, s);
	return whole * NS + frac;
}

/*
 * --fromfile: one path per line; empty lines are passed over.  With at
 * (inotifywait's --fromfile), a line "@path" leaves path out of -r's walk.
 */
void
args_read_paths(struct config *cfg, const char *file, int at)
{
	FILE	*f;
	char	*line = NULL, *copy;
	size_t	 size = 0;
	ssize_t	 len;

	if (strcmp(file, "-") == 0)
		f = stdin;
	else if ((f = fopen(file, "r")) == NULL)
		err(1, "--fromfile: %s", file);
	while ((len = getline(&line, &size, f)) != -1) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == 0)
			continue;
		if ((copy = strdup(line)) == NULL)
			err(1, NULL);
		args_path(cfg, copy, at);
	}
	free(line);
	if (ferror(f))
		err(1, "--fromfile: %s", file);
	if (f != stdin)
		fclose(f);
}

/*
 * getopt_long() found no such option (ch '?') or no value for one (':'):
 * one line that names it, with the nearest long option when it looks like
 * a slip of the fingers, rather than the whole usage.
 */
void
args_bad_option(int ch, char *const *argv, const struct option *longopts)
{
	const char	*arg = argv[optind - 1], *names[64], *near = NULL;
	size_t		 n, m = 0, len;
	int		 dashes = strncmp(arg, "--", 2) == 0;

	len = strcspn(arg, "=");
	if (ch == ':') {
		if (dashes)
			errx(1, "option '%.*s' needs a value", (int)len, arg);
		errx(1, "option '-%c' needs a value", optopt);
	}
	/*
	 * optopt is the short option getopt found unknown, or the value of
	 * a long option given a value it does not take; argv[optind - 1] is
	 * not the argument at fault inside a group of short options (-qZ).
	 */
	for (n = 0; dashes && optopt != 0 && longopts[n].name != NULL; n++)
		if (longopts[n].val == optopt &&
		    strlen(longopts[n].name) >= len - 2 &&
		    strncmp(longopts[n].name, arg + 2, len - 2) == 0)
			errx(1, "option '--%s' takes no value",
			    longopts[n].name);
	if (optopt != 0)
		errx(1, "unknown option '-%c' (%s -h lists the options)",
		    optopt, getprogname());
	for (n = 0; longopts[n].name != NULL && n < 64; n++)
		if (strncmp(longopts[n].name, arg + 2, len - 2) == 0)
			names[m++] = longopts[n].name;
	if (m > 1)
		errx(1, "option '%.*s' is ambiguous: --%s, --%s%s", (int)len,
		    arg, names[0], names[1], m > 2 ? ", ..." : "");
	for (n = 0; longopts[n].name != NULL && n < 64; n++)
		names[n] = longopts[n].name;
	if ((near = suggest(arg + 2, len - 2, names, n)) != NULL)
		errx(1, "unknown option '%.*s' (did you mean '--%s'?)",
		    (int)len, arg, near);
	errx(1, "unknown option '%.*s' (%s -h lists the options)",
	    (int)len, arg, getprogname());
}
