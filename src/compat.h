/*
 * compat.h: what libbsd's headers need and leave undefined.
 */
#ifndef WATCHX_COMPAT_H
#define WATCHX_COMPAT_H

/*
 * RB_PROTOTYPE_STATIC and RB_GENERATE_STATIC in libbsd's <sys/tree.h>
 * mark their functions __unused, which glibc does not define (as in tmux's
 * compat.h).
 */
#ifndef __unused
#define __unused	__attribute__((__unused__))
#endif

#endif
