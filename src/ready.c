/*
 * ready.c: readiness.  Once every initial watch is in place, a script that
 * started watchx in the background may act: it learns so from one line on
 * the descriptor of --ready-fd (which is then closed, so a reader also
 * sees the end of file), and a systemd unit of Type=notify from READY=1
 * on the socket named by NOTIFY_SOCKET (sd_notify(3)'s protocol).  Neither
 * ever waits: a reader that does not take the news is warned about, as
 * one that has gone is, and watchx goes on.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ready.h"

#define READY_LINE	"ready\n"
#define READY_NOTIFY	"READY=1"

/*
 * The descriptor of --ready-fd: a decimal number of a descriptor that is
 * open for writing, other than standard input, output and error (the
 * events and the messages go there).
 */
int
ready_fd(const char *arg)
{
	const char	*errstr = NULL;
	int		 fd = -1, fl;

	if (arg[strspn(arg, "0123456789")] != '\0')
		errstr = "invalid";
	else
		fd = strtonum(arg, 0, INT_MAX, &errstr);
	if (errstr != NULL)
		errx(1, "--ready-fd: descriptor '%s' is %s", arg, errstr);
	if (fd <= STDERR_FILENO)
		errx(1, "--ready-fd: '%s' is standard %s; give a descriptor "
		    "of 3 or more", arg, fd == 0 ? "input" :
		    fd == 1 ? "output" : "error");
	if ((fl = fcntl(fd, F_GETFL)) == -1)
		errx(1, "--ready-fd: descriptor %d is not open", fd);
	if ((fl & O_ACCMODE) == O_RDONLY)
		errx(1, "--ready-fd: descriptor %d is not open for writing",
		    fd);
	/* Nothing watchx starts should hold it open after it is closed. */
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

/* Send READY=1 to the socket NOTIFY_SOCKET names ("@" for abstract). */
static void
notify(const char *path)
{
	struct sockaddr_un	 sun;
	socklen_t		 len;
	size_t			 n = strlen(path);
	int			 s;

	if (n == 0 || (path[0] != '/' && path[0] != '@') ||
	    n >= sizeof(sun.sun_path)) {
		warnx("NOTIFY_SOCKET: '%s' is not a socket path", path);
		return;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, n);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	len = offsetof(struct sockaddr_un, sun_path) + n;
	if ((s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    sendto(s, READY_NOTIFY, strlen(READY_NOTIFY),
	    MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&sun, len) == -1) {
		if (errno == EAGAIN)
			warnx("NOTIFY_SOCKET: %s: its queue is full (the service "
			    "manager is not reading); READY=1 not sent", path);
		else
			warn("NOTIFY_SOCKET: %s", path);
	}
	if (s != -1)
		close(s);
}

/*
 * Write the line to fd without waiting: a pipe or a terminal through a
 * non-blocking descriptor of its own (fd's flags are shared with whoever
 * else holds it), a socket with MSG_DONTWAIT.  The line is shorter than
 * PIPE_BUF: taken whole or not at all.
 */
static ssize_t
write_nowait(int fd)
{
	struct stat	 st;
	struct pollfd	 pfd;
	char		 proc[64];
	ssize_t		 n;
	int		 wfd;

	if (fstat(fd, &st) == -1)
		return -1;
	if (S_ISSOCK(st.st_mode))
		return send(fd, READY_LINE, strlen(READY_LINE),
		    MSG_DONTWAIT | MSG_NOSIGNAL);
	if (!S_ISFIFO(st.st_mode) && !(S_ISCHR(st.st_mode) && isatty(fd)))
		return write(fd, READY_LINE, strlen(READY_LINE));
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if ((wfd = open(proc, O_WRONLY | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC)) == -1) {
		/* ENXIO: a FIFO with no reader left. */
		if (errno == ENXIO)
			return -1;
		/*
		 * Not to be opened again (another user's pipe, no /proc): a
		 * pipe that has room takes the line at once.
		 */
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLOUT)) {
			errno = EAGAIN;
			return -1;
		}
		return write(fd, READY_LINE, strlen(READY_LINE));
	}
	n = write(wfd, READY_LINE, strlen(READY_LINE));
	close(wfd);
	return n;
}

/*
 * Every initial watch is in place: say so on fd (-1: no --ready-fd), and
 * to NOTIFY_SOCKET if it is set.  A reader that has gone is no reason to
 * stop watching: a failure is only a warning.
 */
void
ready_announce(int fd)
{
	const char	*path;
	ssize_t		 n;

	if (fd != -1) {
		/* EPIPE, not death, if its reader has gone (loop.c does so too). */
		signal(SIGPIPE, SIG_IGN);
		do
			n = write_nowait(fd);
		while (n == -1 && errno == EINTR);
		if (n == -1 && errno == EAGAIN)
			warnx("--ready-fd: descriptor %d is full (its reader is "
			    "not reading); the line was not written", fd);
		else if (n == -1 && errno == ENXIO)
			warnx("--ready-fd: descriptor %d: its reader has gone",
			    fd);
		else if (n == -1)
			warn("--ready-fd: descriptor %d", fd);
		close(fd);
	}
	if ((path = getenv("NOTIFY_SOCKET")) != NULL)
		notify(path);
}
