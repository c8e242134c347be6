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

/* Longest text events_format() can write, without the NUL. */
#define EVENTS_NAMES_MAX	512

int		 events_parse(const char *, uint32_t *, char *, size_t);
size_t		 events_format(uint32_t, char *, int);
const char	*events_valid(void);

#endif
