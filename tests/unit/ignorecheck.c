/*
 * ignorecheck.c: the verdicts of ignore.c for tests/oracle/patterns.py.
 * Usage: ignorecheck PATTERNFILE < paths; each path one a line, a
 * directory with a trailing '/'.  Prints the paths the patterns ignore,
 * as given, with the ancestors' verdicts taken first as git takes them
 * (a path below an ignored directory is ignored).
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ignore.h"

int
main(int argc, char *argv[])
{
	struct ignore	 l = { NULL, 0 };
	FILE		*fp;
	char		*buf = NULL, *line = NULL;
	size_t		 size = 0, len = 0, n;
	ssize_t		 got;
	int		 isdir;

	if (argc != 2)
		errx(2, "usage: ignorecheck patternfile < paths");
	if ((fp = fopen(argv[1], "r")) == NULL)
		err(2, "%s", argv[1]);
	while ((got = getline(&line, &size, fp)) != -1) {
		if ((buf = realloc(buf, len + got)) == NULL)
			err(2, NULL);
		memcpy(buf + len, line, got);
		len += got;
	}
	fclose(fp);
	ignore_parse(&l, buf, len);
	while ((got = getline(&line, &size, stdin)) != -1) {
		n = got;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		isdir = n > 0 && line[n - 1] == '/';
		if (ignore_below(&l, line, n - isdir, isdir))
			printf("%s\n", line);
	}
	ignore_free(&l);
	free(buf);
	free(line);
	return 0;
}
