/*
 * format.h: what a record looks like (format.c).
 */
#ifndef WATCHX_FORMAT_H
#define WATCHX_FORMAT_H

#include <stddef.h>

struct event;
struct output;

int	 format_compile(struct output *, const char *, char *, size_t);
void	 format_compile_iw(struct output *, const char *);
void	 format_event(struct output *, const struct event *);
void	 format_free(struct output *);

#endif
