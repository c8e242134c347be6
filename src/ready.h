/*
 * ready.h: telling whoever waits on watchx that its watches are in place
 * (--ready-fd, and the sd_notify protocol when NOTIFY_SOCKET is set).
 */
#ifndef WATCHX_READY_H
#define WATCHX_READY_H

int	 ready_fd(const char *);
void	 ready_announce(int);

#endif
