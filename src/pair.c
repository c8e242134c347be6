/*
 * pair.c: --pair-moves.  An IN_MOVED_FROM waits, as a copy, for the
 * IN_MOVED_TO with its cookie; the two are then printed as one record
 * that carries the old path.  One whose partner does not come by its
 * deadline (moved out of what is watched) is printed on its own.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "pair.h"

/* Keep a copy of ev, with its full path as the future "from". */
void
pair_hold(struct pairs *pr, const struct event *ev,
    const struct timespec *when, int64_t deadline)
{
	struct pending	*p;
	char		*s;
	size_t		 full;

	p = reallocarray(pr->v, pr->n + 1, sizeof(*p));
	if (p == NULL)
		err(1, NULL);
	pr->v = p;
	p += pr->n++;
	p->ev = *ev;
	p->when = *when;
	p->deadline = deadline;

	/* path NUL name NUL path/name NUL */
	full = ev->pathlen + 1 + ev->namelen;
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
	memcpy(s, ev->path, ev->pathlen);
	full = ev->pathlen;
	if (ev->namelen > 0 && ev->pathlen > 0 && ev->path[ev->pathlen - 1] !=
	    '/')
		s[full++] = '/';
	memcpy(s + full, ev->name, ev->namelen);
	full += ev->namelen;
	s[full] = '\0';
	p->ev.from = s;
	p->ev.fromlen = full;
}

static void
take(struct pairs *pr, size_t i, struct pending *out)
{
	*out = pr->v[i];
	memmove(pr->v + i, pr->v + i + 1, (pr->n - i - 1) * sizeof(*pr->v));
	pr->n--;
}

/* The waiting IN_MOVED_FROM with cookie, if any, into out. */
int
pair_take(struct pairs *pr, uint32_t cookie, struct pending *out)
{
	size_t	 i;

	for (i = 0; i < pr->n; i++)
		if (pr->v[i].ev.cookie == cookie) {
			take(pr, i, out);
			return 1;
		}
	return 0;
}

/* The oldest IN_MOVED_FROM past its deadline, if any, into out. */
int
pair_expired(struct pairs *pr, int64_t now, struct pending *out)
{
	if (pr->n == 0 || pr->v[0].deadline > now)
		return 0;
	take(pr, 0, out);
	return 1;
}

int64_t
pair_deadline(const struct pairs *pr)
{
	return pr->n > 0 ? pr->v[0].deadline : INT64_MAX;
}

void
pair_free(struct pending *p)
{
	free(p->store);
}
