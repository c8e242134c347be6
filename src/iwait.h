/*
 * iwait.h: watchx under the names inotifywait and inotifywatch (iwait.c).
 */
#ifndef WATCHX_IWAIT_H
#define WATCHX_IWAIT_H

struct config;

int	 iwait_is(const char *);
int	 iwait_parse(int, char **, struct config *);
void	 iwait_syslog(void);
void	 iwait_fork(void);
void	 iwait_detached(void);
int	 iwait_status(int);
int	 iwatch_is(const char *);
void	 iwatch_parse(int, char **, struct config *);
int	 iwatch_status(int);

#endif
