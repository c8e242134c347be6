/*
 * events.h: inotify event names <-> mask bits.
 */
#ifndef WATCHX_EVENTS_H
#define WATCHX_EVENTS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/inotify.h>

/* Notices the kernel sends without being asked; printable by default. */
#define EVENTS_NOTICES	(IN_UNMOUNT | IN_IGNORED)

/*
 * The events that change the file system (-e change): not the ones that
 * only read it (IN_OPEN, IN_ACCESS, IN_CLOSE_NOWRITE).
 */
#define EVENTS_CHANGE	(IN_CREATE | IN_DELETE | IN_MODIFY | IN_ATTRIB | \
	IN_CLOSE_WRITE | IN_MOVE | IN_DELETE_SELF | IN_MOVE_SELF)

/* Bits -e and -x accept: the events and the notices. */
#define EVENTS_VALID	(IN_ALL_EVENTS | EVENTS_NOTICES)

/*
 * Longest text events_format() can write, without the NUL: 32 bits, each
 * at most the longest name ("IN_CLOSE_NOWRITE", 16; "0x80000000" is 10)
 * in quotes, and 31 commas.
 */
#define EVENTS_NAME_LEN		16
#define EVENTS_NAMES_MAX	(32 * (EVENTS_NAME_LEN + 2) + 31)

int		 events_parse(const char *, uint32_t *, char *, size_t);
size_t		 events_format(uint32_t, char *, size_t, int);
size_t		 events_plain(uint32_t, char, char *, size_t);
const char	*events_valid(void);
const char	*events_name(uint32_t);

#endif
