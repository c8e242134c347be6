/*
 * meter.c: the measuring helpers of the benchmark suite, so that the run
 * script takes its figures from the kernel rather than from sleeps.
 *
 *   meter cpu PID      the process's CPU time (user + system, all of its
 *                      threads, including those that have exited) in
 *                      nanoseconds, from its CPU-time clock.
 *   meter now          CLOCK_MONOTONIC in nanoseconds.
 *   meter stamp        copy stdin to stdout, each line prefixed with the
 *                      CLOCK_MONOTONIC time (ns) of the read that completed
 *                      it and a TAB.
 *   meter exec FILE CMD [ARG ...]
 *                      write CLOCK_MONOTONIC (ns) to FILE, then exec CMD:
 *                      the start time of a watcher, with the same pid.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long
ns(clockid_t clk)
{
	struct timespec	 ts;

	if (clock_gettime(clk, &ts) == -1)
		err(1, "clock_gettime");
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int
cpu(const char *arg)
{
	clockid_t	 clk;
	char		*end;
	long		 pid;
	int		 e;

	pid = strtol(arg, &end, 10);
	if (*end != '\0' || end == arg || pid <= 0)
		errx(1, "%s: not a pid", arg);
	if ((e = clock_getcpuclockid((pid_t)pid, &clk)) != 0) {
		errno = e;
		err(1, "pid %ld", pid);
	}
	printf("%lld\n", ns(clk));
	return 0;
}

static int
stamp(void)
{
	static char	 buf[256 * 1024];
	long long	 t;
	ssize_t		 n, i;
	int		 bol = 1;

	while ((n = read(0, buf, sizeof(buf))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			err(1, "read");
		}
		t = ns(CLOCK_MONOTONIC);
		for (i = 0; i < n; i++) {
			if (bol)
				printf("%lld\t", t);
			putchar(buf[i]);
			bol = buf[i] == '\n';
		}
		if (fflush(stdout) == EOF)
			err(1, "stdout");
	}
	return 0;
}

static int
exec_stamped(const char *file, char *argv[])
{
	FILE	*fp;

	if ((fp = fopen(file, "w")) == NULL)
		err(1, "%s", file);
	fprintf(fp, "%lld\n", ns(CLOCK_MONOTONIC));
	if (fclose(fp) == EOF)
		err(1, "%s", file);
	execvp(argv[0], argv);
	err(127, "%s", argv[0]);
}

int
main(int argc, char *argv[])
{
	if (argc == 3 && strcmp(argv[1], "cpu") == 0)
		return cpu(argv[2]);
	if (argc == 2 && strcmp(argv[1], "now") == 0) {
		printf("%lld\n", ns(CLOCK_MONOTONIC));
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "stamp") == 0)
		return stamp();
	if (argc >= 4 && strcmp(argv[1], "exec") == 0)
		return exec_stamped(argv[2], argv + 3);
	fprintf(stderr, "usage: meter cpu PID | now | stamp | "
	    "exec FILE CMD [ARG ...]\n");
	return 1;
}
