/*
 * follow.c: the queue of follow records (follow.h) that the -r
 * bookkeeping hands to the handler, and the events it holds back while a
 * directory's move is unresolved.
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
	free(q->held);
	memset(q, 0, sizeof(*q));
}

/*
 * Append a follow record of kind for ie, named name (len bytes), with the
 * path of its directory (pathlen bytes), the first rootlen bytes of which
 * are its root's.
 */
static void
append(struct follow_queue *q, uint32_t kind, const char *path,
    size_t pathlen, size_t rootlen, const struct inotify_event *ie,
    const char *name, size_t len)
{
	struct follow		 head;
	struct inotify_event	*out;
	char			*p;

	ARRAY_ROOM(q->out, q->outsize, q->outlen + FOLLOW_SIZE(pathlen, ie));
	p = q->out + q->outlen;
	head.kind = kind;
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
	append(q, FOLLOW_PRINT, path, pathlen, watch_root(w)->namelen, &ie,
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
	append(q, FOLLOW_PRINT, path, pathlen, pathlen, &ie, name, len);
}

/* Hold ie, an event in a directory whose move is unresolved. */
void
follow_hold(struct follow_queue *q, const struct inotify_event *ie)
{
	size_t	 len = sizeof(*ie) + ie->len;

	ARRAY_ROOM(q->held, q->heldsize, q->heldlen + len);
	memcpy(q->held + q->heldlen, ie, len);
	q->heldlen += len;
}

/*
 * A move was resolved: the held events whose directory is no longer
 * moving are handed on, to be handled again; the others stay held, in
 * order, so that taking over a directory (follow_unhold()) still finds
 * all of its own.
 */
void
follow_release(struct follow_queue *q)
{
	const struct inotify_event	*ie;
	const struct watch		*w;
	size_t				 off, len, keep = 0;

	for (off = 0; off < q->heldlen; off += len) {
		ie = (const struct inotify_event *)(q->held + off);
		len = sizeof(*ie) + ie->len;
		if ((w = watchset_find(q->ws, ie->wd)) != NULL &&
		    watch_moving(q->ws, w)) {
			memmove(q->held + keep, q->held + off, len);
			keep += len;
		} else
			append(q, FOLLOW_HANDLE, NULL, 0, 0, ie, ie->name,
			    ie->len);
	}
	q->heldlen = keep;
}

/* Held events of w or below it are dropped: it is listed again instead. */
void
follow_unhold(struct follow_queue *q, const struct watch *w)
{
	const struct inotify_event	*ie;
	const struct watch		*x;
	size_t				 off, len, keep = 0;

	for (off = 0; off < q->heldlen; off += len) {
		ie = (const struct inotify_event *)(q->held + off);
		len = sizeof(*ie) + ie->len;
		if ((x = watchset_find(q->ws, ie->wd)) != NULL &&
		    watch_below(x, w))
			continue;
		memmove(q->held + keep, q->held + off, len);
		keep += len;
	}
	q->heldlen = keep;
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
