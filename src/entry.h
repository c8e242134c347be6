/*
 * entry.h: a directory's names as watchx last knew them (entry.c).
 */
#ifndef WATCHX_ENTRY_H
#define WATCHX_ENTRY_H

#include <stddef.h>

struct entry;
struct entry_tree;

struct entry	*entry_find(struct entry_tree *, const char *, size_t);
struct entry	*entry_add(struct entry_tree *, const char *, size_t, int);
struct entry	*entry_next(struct entry_tree *, struct entry *);
void		 entry_del(struct entry_tree *, struct entry *);
void		 entry_clear(struct entry_tree *);

#endif
