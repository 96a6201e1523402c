/* SPDX-License-Identifier: GPL-2.0-only */
/* Circular doubly linked lists with a sentinel head, as in the kernel. */
#ifndef SHIM_LINUX_LIST_H
#define SHIM_LINUX_LIST_H

#include <linux/kernel.h>

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

static inline void INIT_LIST_HEAD(struct list_head *head)
{
	WRITE_ONCE(head->next, head);
	head->prev = head;
}

static inline void list_link(struct list_head *node, struct list_head *before,
			     struct list_head *after)
{
	after->prev = node;
	node->next = after;
	node->prev = before;
	WRITE_ONCE(before->next, node);
}

static inline void list_add(struct list_head *node, struct list_head *head)
{
	list_link(node, head, head->next);
}

static inline void list_add_tail(struct list_head *node,
				 struct list_head *head)
{
	list_link(node, head->prev, head);
}

static inline void list_unlink(struct list_head *node)
{
	node->next->prev = node->prev;
	WRITE_ONCE(node->prev->next, node->next);
}

/* Poisoned, so that a second removal or a walk through it crashes. */
static inline void list_del(struct list_head *node)
{
	list_unlink(node);
	node->next = (struct list_head *)0x100;
	node->prev = (struct list_head *)0x122;
}

static inline void list_del_init(struct list_head *node)
{
	list_unlink(node);
	INIT_LIST_HEAD(node);
}

static inline bool list_empty(const struct list_head *head)
{
	return READ_ONCE(head->next) == head;
}

static inline bool list_is_singular(const struct list_head *head)
{
	return !list_empty(head) && head->next == head->prev;
}

static inline void list_move_tail(struct list_head *node,
				  struct list_head *head)
{
	list_unlink(node);
	list_add_tail(node, head);
}

/*
 * @new takes @old's place in its list (an empty @old leaves @new empty);
 * @old is left stale.
 */
static inline void list_replace(struct list_head *old, struct list_head *new)
{
	new->next = old->next;
	new->next->prev = new;
	new->prev = old->prev;
	new->prev->next = new;
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(head, type, member) \
	list_entry((head)->next, type, member)
#define list_last_entry(head, type, member) \
	list_entry((head)->prev, type, member)
#define list_first_entry_or_null(head, type, member) \
	(list_empty(head) ? NULL : list_first_entry(head, type, member))
#define list_next_entry(pos, member) \
	list_entry((pos)->member.next, typeof(*(pos)), member)

#define list_for_each(pos, head) \
	for (pos = (head)->next; pos != (head); pos = pos->next)
#define list_for_each_entry(pos, head, member)				\
	for (pos = list_first_entry(head, typeof(*pos), member);	\
	     &pos->member != (head); pos = list_next_entry(pos, member))
#define list_for_each_entry_safe(pos, n, head, member)			\
	for (pos = list_first_entry(head, typeof(*pos), member),	\
	     n = list_next_entry(pos, member); &pos->member != (head);	\
	     pos = n, n = list_next_entry(n, member))

#endif /* SHIM_LINUX_LIST_H */
