/*
 * bare.c: the floor of the benchmark suite, the least a watcher can do.
 *
 *   bare [-r] path ...
 *
 * inotify_init1, one watch per path (with -r, per directory found by a
 * d_type walk, fstatat only for DT_UNKNOWN), "Watches established." on
 * stderr, then read with a 256 KiB buffer and printf each event as
 * "wd TAB mask TAB cookie TAB name".  stdout is flushed after each read,
 * so nothing waits in the buffer while it blocks.  It keeps no path table
 * and does not watch directories created later: a floor, not a watcher.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define READ_BUF	(256 * 1024)

static int	 ifd;
static long	 nwatches;

static void
watch(const char *path)
{
	if (inotify_add_watch(ifd, path, IN_ALL_EVENTS) == -1)
		warn("inotify_add_watch %s", path);
	else
		nwatches++;
}

/* Watch path and every directory below it; path is a PATH_MAX buffer. */
static void
walk(char *path, size_t len)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	int		 isdir;
	size_t		 n;

	watch(path);
	if ((d = opendir(path)) == NULL) {
		warn("%s", path);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		if (de->d_type == DT_UNKNOWN)
			isdir = fstatat(dirfd(d), de->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
		else
			isdir = de->d_type == DT_DIR;
		if (!isdir)
			continue;
		n = strlen(de->d_name);
		if (len + 1 + n >= PATH_MAX) {
			warnx("%s/%s: path too long", path, de->d_name);
			continue;
		}
		path[len] = '/';
		memcpy(path + len + 1, de->d_name, n + 1);
		walk(path, len + 1 + n);
		path[len] = '\0';
	}
	closedir(d);
}

int
main(int argc, char *argv[])
{
	static char	 buf[READ_BUF]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ie;
	char		 path[PATH_MAX];
	ssize_t		 n;
	char		*p;
	int		 recursive = 0, i;

	if (argc > 1 && strcmp(argv[1], "-r") == 0) {
		recursive = 1;
		argc--;
		argv++;
	}
	if (argc < 2)
		errx(1, "usage: bare [-r] path ...");
	if ((ifd = inotify_init1(IN_CLOEXEC)) == -1)
		err(1, "inotify_init1");
	for (i = 1; i < argc; i++) {
		if (!recursive) {
			watch(argv[i]);
			continue;
		}
		if (strlen(argv[i]) >= sizeof(path))
			errx(1, "%s: path too long", argv[i]);
		strcpy(path, argv[i]);
		walk(path, strlen(path));
	}
	if (nwatches == 0)
		errx(1, "no watch");
	fprintf(stderr, "Watches established.\n");

	for (;;) {
		if ((n = read(ifd, buf, sizeof(buf))) == -1)
			err(1, "read");
		for (p = buf; p < buf + n; p += sizeof(*ie) + ie->len) {
			ie = (const struct inotify_event *)p;
			printf("%d\t%u\t%u\t%s\n", ie->wd, ie->mask,
			    ie->cookie, ie->len > 0 ? ie->name : "");
		}
		if (fflush(stdout) == EOF)
			err(1, "stdout");
	}
}
