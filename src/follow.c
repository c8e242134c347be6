/*
 * follow.c: the queue of follow records (follow.h) that the -r
 * bookkeeping and the by-name stage hand to the handler to print.
 */
#include <sys/inotify.h>

#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "follow.h"
#include "watch.h"

void
follow_open(struct follow_queue *q, struct watchset *ws)
{
	memset(q, 0, sizeof(*q));
	q->ws = ws;
}

void
follow_close(struct follow_queue *q)
{
	free(q->out);
	memset(q, 0, sizeof(*q));
}

/*
 * Append a follow record for ie, named name (len bytes), with the path of
 * its directory (pathlen bytes), the first rootlen bytes of which are its
 * root's.
 */
static void
append(struct follow_queue *q, const char *path,
    size_t pathlen, size_t rootlen, const struct inotify_event *ie,
    const char *name, size_t len)
{
	struct follow		 head;
	struct inotify_event	*out;
	char			*p;

	ARRAY_ROOM(q->out, q->outsize, q->outlen + FOLLOW_SIZE(pathlen, ie));
	p = q->out + q->outlen;
	head.pathlen = pathlen;
	head.rootlen = rootlen;
	memcpy(p, &head, sizeof(head));
	p += sizeof(head);
	memset(p, 0, FOLLOW_PAD(pathlen));
	if (pathlen > 0)
		memcpy(p, path, pathlen);
	out = (struct inotify_event *)(p + FOLLOW_PAD(pathlen));
	*out = *ie;
	memset(out->name, 0, ie->len);
	if (len > 0)
		memcpy(out->name, name, len);
	q->outlen += FOLLOW_SIZE(pathlen, ie);
}

/*
 * An event watchx makes up, on w, for the handler to print: what a
 * listing found, an IN_CLOSE_WRITE a listing owes, what a rescan found
 * changed.
 */
void
follow_print(struct follow_queue *q, const struct watch *w, uint32_t mask,
    const char *name, size_t len)
{
	struct inotify_event	 ie;
	const char		*path;
	size_t			 pathlen;

	memset(&ie, 0, sizeof(ie));
	ie.wd = w->wd;
	ie.mask = mask;
	/* The length the kernel would give: padded, with the NUL. */
	ie.len = (len + sizeof(ie)) & ~(sizeof(ie) - 1);
	path = watch_path(q->ws, w, &pathlen);
	append(q, path, pathlen, watch_root(w)->namelen, &ie,
	    name, len);
}

/*
 * An event for the handler to print under path (pathlen bytes), with
 * name (len bytes): the by-name stage's (byname.c), whose paths are the
 * user's, not built from watches.
 */
void
follow_print_path(struct follow_queue *q, const char *path, size_t pathlen,
    int wd, uint32_t mask, uint32_t cookie, const char *name, size_t len)
{
	struct inotify_event	 ie;

	memset(&ie, 0, sizeof(ie));
	ie.wd = wd;
	ie.mask = mask;
	ie.cookie = cookie;
	ie.len = len == 0 ? 0 : (len + sizeof(ie)) & ~(sizeof(ie) - 1);
	append(q, path, pathlen, pathlen, &ie, name, len);
}

/*
 * The records so far, *len bytes, for the caller to free; the queue
 * starts again empty (handling them may append more).
 */
char *
follow_take(struct follow_queue *q, size_t *len)
{
	char	*buf = q->out;

	*len = q->outlen;
	q->out = NULL;
	q->outlen = q->outsize = 0;
	return buf;
}
