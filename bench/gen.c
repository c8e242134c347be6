/*
 * gen.c: the deterministic workload generator of the benchmark suite.
 *
 *   gen burst DIR N [SPREAD]      create, write, close and unlink N files as
 *                                 fast as one process can; with SPREAD > 1,
 *                                 file k goes to directory k % SPREAD of the
 *                                 tree layout below DIR.  Prints the wall
 *                                 time in nanoseconds.
 *   gen race DIR ROUNDS           mkdir rNNNNNN/a/b/c, then at once create
 *                                 rNNNNNN/a/b/c/fNNNNNN, ROUNDS times.
 *   gen tree DIR DIRS FILES       build the tree layout: DIRS directories
 *                                 (DIR itself included), FILES empty files
 *                                 in each.
 *   gen latency DIR COUNT HZ OUT  create lNNNNNN at a fixed rate, writing
 *                                 "index send-time" lines (CLOCK_MONOTONIC
 *                                 nanoseconds, taken just before the
 *                                 operation) to OUT.
 *   gen probe DIR MS              create-and-close DIR/zz_probe every MS
 *                                 milliseconds until killed: a ready probe
 *                                 for watchers that announce nothing.
 *   gen mark PATH                 create and close PATH: the end marker.
 *
 * The tree layout is a complete 10-ary tree numbered breadth first:
 * directory 0 is DIR, directory i > 0 is "d<(i-1)%10>" inside directory
 * (i-1)/10.  Every mode is deterministic: same arguments, same operations
 * in the same order.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FAN	10

static long long
now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long
number(const char *s, long min, long max)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < min || v > max)
		errx(1, "%s: not a number in [%ld, %ld]", s, min, max);
	return v;
}

/* The path of layout directory i below root, written into buf. */
static void
tree_path(char *buf, size_t size, const char *root, long i)
{
	int	 digit[64], depth = 0, n;
	size_t	 len;

	for (; i > 0; i = (i - 1) / FAN)
		digit[depth++] = (i - 1) % FAN;
	len = strlen(root);
	if (len + 3 * depth + 1 > size)
		errx(1, "%s: tree path too long", root);
	memcpy(buf, root, len);
	for (n = depth - 1; n >= 0; n--) {
		buf[len++] = '/';
		buf[len++] = 'd';
		buf[len++] = '0' + digit[n];
	}
	buf[len] = '\0';
}

static void
create_close(const char *path)
{
	int	 fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		err(1, "%s", path);
	if (close(fd) == -1)
		err(1, "close %s", path);
}

/*
 * Per file: IN_CREATE, IN_OPEN, IN_MODIFY (one write), IN_CLOSE_WRITE,
 * IN_DELETE: five kernel events, none identical to the one before it, so
 * the kernel merges none of them.
 */
static void
burst(const char *root, long n, long spread)
{
	static const char data[64] = "watchx bench: one write per file\n";
	char		 dir[PATH_MAX], path[PATH_MAX];
	long long	 t0;
	long		 k;
	int		 fd;

	t0 = now_ns();
	for (k = 0; k < n; k++) {
		if (spread > 1)
			tree_path(dir, sizeof(dir), root, k % spread);
		else
			snprintf(dir, sizeof(dir), "%s", root);
		if (snprintf(path, sizeof(path), "%s/b%07ld", dir, k) >=
		    (int)sizeof(path))
			errx(1, "%s: path too long", dir);
		if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0644)) == -1)
			err(1, "%s", path);
		if (write(fd, data, sizeof(data)) != (ssize_t)sizeof(data))
			err(1, "write %s", path);
		if (close(fd) == -1)
			err(1, "close %s", path);
		if (unlink(path) == -1)
			err(1, "unlink %s", path);
	}
	printf("%lld\n", now_ns() - t0);
}

/* The nested-create race of issue 3. */
static void
race(const char *root, long rounds)
{
	char	 path[PATH_MAX];
	long	 i;
	int	 len;

	for (i = 0; i < rounds; i++) {
		len = snprintf(path, sizeof(path), "%s/r%06ld", root, i);
		if (len < 0 || (size_t)len + 32 >= sizeof(path))
			errx(1, "%s: path too long", root);
		if (mkdir(path, 0755) == -1)
			err(1, "%s", path);
		strcpy(path + len, "/a");
		if (mkdir(path, 0755) == -1)
			err(1, "%s", path);
		strcpy(path + len, "/a/b");
		if (mkdir(path, 0755) == -1)
			err(1, "%s", path);
		strcpy(path + len, "/a/b/c");
		if (mkdir(path, 0755) == -1)
			err(1, "%s", path);
		snprintf(path + len, sizeof(path) - len, "/a/b/c/f%06ld", i);
		create_close(path);
	}
}

static void
tree(const char *root, long dirs, long files)
{
	char	 dir[PATH_MAX], path[PATH_MAX];
	long	 i, j;

	for (i = 0; i < dirs; i++) {
		tree_path(dir, sizeof(dir), root, i);
		if (mkdir(dir, 0755) == -1 && !(errno == EEXIST && i == 0))
			err(1, "%s", dir);
		for (j = 0; j < files; j++) {
			if (snprintf(path, sizeof(path), "%s/x%ld", dir, j) >=
			    (int)sizeof(path))
				errx(1, "%s: path too long", dir);
			create_close(path);
		}
	}
}

static void
latency(const char *root, long count, long hz, const char *out)
{
	struct timespec	 at;
	char		 path[PATH_MAX];
	long long	*sent, t0, t;
	long		 k;
	FILE		*fp;

	if ((sent = calloc(count, sizeof(*sent))) == NULL)
		err(1, NULL);
	t0 = now_ns() + 10000000LL;
	for (k = 0; k < count; k++) {
		t = t0 + k * (1000000000LL / hz);
		at.tv_sec = t / 1000000000LL;
		at.tv_nsec = t % 1000000000LL;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at,
		    NULL) == EINTR)
			;
		snprintf(path, sizeof(path), "%s/l%06ld", root, k);
		sent[k] = now_ns();
		create_close(path);
	}
	if ((fp = fopen(out, "w")) == NULL)
		err(1, "%s", out);
	for (k = 0; k < count; k++)
		fprintf(fp, "%ld %lld\n", k, sent[k]);
	if (fclose(fp) == EOF)
		err(1, "%s", out);
	free(sent);
}

static void
probe(const char *root, long ms)
{
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000000L };
	char		 path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/zz_probe", root);
	for (;;) {
		create_close(path);
		nanosleep(&ts, NULL);
	}
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: gen burst DIR N [SPREAD]\n"
	    "       gen race DIR ROUNDS\n"
	    "       gen tree DIR DIRS FILES\n"
	    "       gen latency DIR COUNT HZ OUTFILE\n"
	    "       gen probe DIR MS\n"
	    "       gen mark PATH\n");
	exit(1);
}

int
main(int argc, char *argv[])
{
	if (argc < 3)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(argv[1], "burst") == 0 && (argc == 4 || argc == 5))
		burst(argv[2], number(argv[3], 0, LONG_MAX),
		    argc == 5 ? number(argv[4], 0, LONG_MAX) : 0);
	else if (strcmp(argv[1], "race") == 0 && argc == 4)
		race(argv[2], number(argv[3], 0, 999999));
	else if (strcmp(argv[1], "tree") == 0 && argc == 5)
		tree(argv[2], number(argv[3], 1, LONG_MAX),
		    number(argv[4], 0, LONG_MAX));
	else if (strcmp(argv[1], "latency") == 0 && argc == 6)
		latency(argv[2], number(argv[3], 1, 999999),
		    number(argv[4], 1, 1000000), argv[5]);
	else if (strcmp(argv[1], "probe") == 0 && argc == 4)
		probe(argv[2], number(argv[3], 1, 10000));
	else if (strcmp(argv[1], "mark") == 0 && argc == 3)
		create_close(argv[2]);
	else
		usage();
	return 0;
}
