/*
 * watch.c: the watch set.  Owns the inotify instance, adds watches, and
 * finds the watch of an event by its descriptor in O(log n).
 */
#include <sys/inotify.h>
#include <sys/tree.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "watch.h"

#define LIMITS	"/proc/sys/fs/inotify/"

/*
 * Not RB_GENERATE_STATIC: libbsd leaves the __unused it needs undefined
 * (Debian bug #522774).
 */
static int	watch_cmp(const struct watch *, const struct watch *);
RB_PROTOTYPE(watch_tree, watch, entry, watch_cmp)
RB_GENERATE(watch_tree, watch, entry, watch_cmp)

static int
watch_cmp(const struct watch *a, const struct watch *b)
{
	return a->wd < b->wd ? -1 : a->wd > b->wd;
}

/* The value of one of the inotify limits, as text, for messages. */
static const char *
limit(const char *name)
{
	static char	 buf[32];
	char		 path[64];
	FILE		*f;

	snprintf(path, sizeof(path), LIMITS "%s", name);
	if ((f = fopen(path, "r")) == NULL)
		return "unknown";
	if (fgets(buf, sizeof(buf), f) == NULL)
		strlcpy(buf, "unknown", sizeof(buf));
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return buf;
}

/* Create the inotify instance; every watch will use mask. */
void
watchset_open(struct watchset *ws, uint32_t mask)
{
	RB_INIT(&ws->tree);
	ws->count = 0;
	ws->mask = mask;
	if ((ws->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) != -1)
		return;
	if (errno == EMFILE)
		err(1, "inotify_init1 (limit of inotify instances: "
		    LIMITS "max_user_instances is %s; or the open file limit)",
		    limit("max_user_instances"));
	err(1, "inotify_init1");
}

/*
 * Watch path.  The same object given twice keeps its first path.  Returns
 * 0, or -1 after saying why the path cannot be watched.
 */
int
watchset_add(struct watchset *ws, const char *path)
{
	struct watch	 find, *w;
	char		*shown;
	int		 wd, saved;

	if ((wd = inotify_add_watch(ws->fd, path, ws->mask)) == -1) {
		saved = errno;
		shown = escape_dup(path);
		if (saved == ENOSPC)
			warnx("cannot watch '%s': inotify watch limit reached "
			    "(" LIMITS "max_user_watches is %s)", shown,
			    limit("max_user_watches"));
		else
			warnx("cannot watch '%s': %s", shown, strerror(saved));
		free(shown);
		return -1;
	}
	find.wd = wd;
	if (RB_FIND(watch_tree, &ws->tree, &find) != NULL)
		return 0;

	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->path = strdup(path)) == NULL)
		err(1, NULL);
	w->wd = wd;
	w->pathlen = strlen(path);
	RB_INSERT(watch_tree, &ws->tree, w);
	ws->count++;
	return 0;
}

struct watch *
watchset_find(struct watchset *ws, int wd)
{
	struct watch	 find;

	find.wd = wd;
	return RB_FIND(watch_tree, &ws->tree, &find);
}

/* Drop a watch the kernel has already removed (IN_IGNORED). */
void
watchset_forget(struct watchset *ws, struct watch *w)
{
	RB_REMOVE(watch_tree, &ws->tree, w);
	ws->count--;
	free(w->path);
	free(w);
}
