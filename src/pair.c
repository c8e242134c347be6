/*
 * pair.c: --pair-moves.  An IN_MOVED_FROM waits, as a copy, for the
 * IN_MOVED_TO with its cookie; the two then become one record that
 * carries the old path.  One whose partner has not come by its deadline
 * (moved out of what is watched) is printed on its own.  While a move
 * waits, the events after it wait too, so that everything is printed in
 * the kernel's order.
 */
#include <sys/inotify.h>

#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "pair.h"

/*
 * Copy the strings of ev into a new store for p (ev's may point into the
 * old one); a move's own full path becomes its "from".
 */
static void
store(struct pending *p, const struct event *ev, int move)
{
	char	*s, *old = p->store;
	size_t	 full = move ? ev->pathlen + 1 + ev->namelen : ev->fromlen;

	if ((s = p->store = malloc(ev->pathlen + ev->namelen + full + 3)) ==
	    NULL)
		err(1, NULL);
	memcpy(s, ev->path, ev->pathlen);
	s[ev->pathlen] = '\0';
	p->ev.path = s;
	s += ev->pathlen + 1;
	memcpy(s, ev->name, ev->namelen);
	s[ev->namelen] = '\0';
	p->ev.name = s;
	s += ev->namelen + 1;
	p->ev.from = s;
	if (!move) {
		if (ev->fromlen > 0)
			memcpy(s, ev->from, ev->fromlen);
		s[ev->fromlen] = '\0';
		free(old);
		return;
	}
	/* The full path of a move's source: its "from" when paired. */
	memcpy(s, ev->path, ev->pathlen);
	full = ev->pathlen;
	if (ev->namelen > 0 && ev->pathlen > 0 &&
	    ev->path[ev->pathlen - 1] != '/')
		s[full++] = '/';
	memcpy(s + full, ev->name, ev->namelen);
	full += ev->namelen;
	s[full] = '\0';
	p->ev.fromlen = full;
	free(old);
}

/*
 * Queue ev, read in the batch of when.  An IN_MOVED_FROM waits for its
 * partner until deadline; anything else waits only for what is before it.
 */
void
pair_init(struct pairs *pr)
{
	TAILQ_INIT(&pr->q);
	pr->n = 0;
}

void
pair_push(struct pairs *pr, const struct event *ev,
    const struct timespec *when, int64_t deadline)
{
	struct pending	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		err(1, NULL);
	TAILQ_INSERT_TAIL(&pr->q, p, entry);
	pr->n++;
	p->ev = *ev;
	p->when = *when;
	p->deadline = deadline;
	p->waiting = (ev->mask & IN_MOVED_FROM) && ev->cookie != 0;
	store(p, ev, p->waiting);
	if (!p->waiting)
		p->ev.fromlen = 0;
}

/*
 * The IN_MOVED_TO ev, read in the batch of when, meets the waiting
 * IN_MOVED_FROM with its cookie, if there is one: that becomes the record
 * of both, where the move began.
 */
int
pair_join(struct pairs *pr, const struct event *ev,
    const struct timespec *when)
{
	struct pending	*p;
	struct event	 both;

	TAILQ_FOREACH(p, &pr->q, entry) {
		if (!p->waiting || p->ev.cookie != ev->cookie)
			continue;
		both = *ev;
		both.mask |= p->ev.mask;
		both.from = p->ev.from;
		both.fromlen = p->ev.fromlen;
		both.when = NULL;
		p->ev = both;
		p->when = *when;
		p->waiting = 0;
		store(p, &both, 0);
		return 1;
	}
	return 0;
}

/*
 * The first queued record, into out, if it is ready by now: not waiting,
 * or waiting past its deadline (then it goes alone).
 */
int
pair_pop(struct pairs *pr, int64_t now, struct pending *out)
{
	struct pending	*p = TAILQ_FIRST(&pr->q);

	if (p == NULL || (p->waiting && p->deadline > now))
		return 0;
	TAILQ_REMOVE(&pr->q, p, entry);
	pr->n--;
	*out = *p;
	free(p);
	if (out->waiting)
		out->ev.fromlen = 0;
	out->ev.from = out->ev.fromlen > 0 ? out->ev.from : NULL;
	out->ev.when = &out->when;
	return 1;
}

/* When the first queued record stops waiting, whatever comes. */
int64_t
pair_deadline(const struct pairs *pr)
{
	const struct pending	*p = TAILQ_FIRST(&pr->q);

	if (p == NULL)
		return NEVER;
	return p->waiting ? p->deadline : 0;
}

void
pair_free(struct pending *p)
{
	free(p->store);
}

/* Drop whatever is still queued. */
void
pair_clear(struct pairs *pr)
{
	struct pending	*p;

	while ((p = TAILQ_FIRST(&pr->q)) != NULL) {
		TAILQ_REMOVE(&pr->q, p, entry);
		free(p->store);
		free(p);
	}
	pr->n = 0;
}
