/*
 * self.h: recognising watchx's own output file among the events (self.c).
 */
#ifndef WATCHX_SELF_H
#define WATCHX_SELF_H

#include <sys/inotify.h>
#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * The output file, when it is a regular file: known by device and inode.
 * base is the last component of a name it has (a cheap first test of an
 * event's name); with more than one link, every name is checked.
 */
struct self {
	int		 fd;		/* the output; -1: not a regular file */
	dev_t		 dev;
	ino_t		 ino;
	nlink_t		 links;
	struct timespec	 ctime;		/* when self_batch() last looked */
	char		*base;
	size_t		 baselen;
};

void	 self_open(struct self *, int);
int	 self_is(struct self *, int, const char *, size_t, const char *,
	    size_t, uint32_t);
void	 self_note(struct self *, const struct inotify_event *);
void	 self_batch(struct self *);
void	 self_close(struct self *);

#endif
