/*
 * args.h: option values both command lines take (args.c).
 */
#ifndef WATCHX_ARGS_H
#define WATCHX_ARGS_H

#include <stdint.h>

struct config;
struct option;

int64_t	 args_seconds(const char *, const char *, int);
void	 args_path(struct config *, char *, int);
void	 args_read_paths(struct config *, const char *, int);
void	 args_bad_option(int, char *const *, const struct option *)
	    __attribute__((noreturn));

#endif
