/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dma-fence-array: one fence standing for a set of fences, signaled when
 * all of them (or, optionally, the first of them) have signaled.
 */
#ifndef __LINUX_DMA_FENCE_ARRAY_H
#define __LINUX_DMA_FENCE_ARRAY_H

#include <linux/dma-fence.h>
#include <linux/irq_work.h>

/**
 * struct dma_fence_array_cb - the callback an array places on one member
 * @cb: queued on the member
 * @array: the array it reports to
 */
struct dma_fence_array_cb {
	struct dma_fence_cb cb;
	struct dma_fence_array *array;
};

/**
 * struct dma_fence_array - a fence made of other fences
 * @base: the array's own fence
 * @lock: serialises signaling of @base
 * @num_fences: number of members in @fences
 * @num_pending: members still to signal before @base does (starts at one
 *	for arrays that signal on any member)
 * @fences: the members; the array owns this kmalloc()ed array and one
 *	reference to each member
 * @work: completes @base outside the member's callback
 */
struct dma_fence_array {
	struct dma_fence base;

	spinlock_t lock; /* serialises signaling of base */
	unsigned int num_fences;
	atomic_t num_pending;
	struct dma_fence **fences;

	struct irq_work work;
};

/**
 * to_dma_fence_array - the array behind a fence
 * @fence: a fence, or NULL
 *
 * Return: the &struct dma_fence_array, or NULL if @fence is not one.
 */
static inline struct dma_fence_array *
to_dma_fence_array(struct dma_fence *fence)
{
	if (!fence || !dma_fence_is_array(fence))
		return NULL;
	return container_of(fence, struct dma_fence_array, base);
}

/**
 * dma_fence_array_for_each - visit the members of an array
 * @fence: cursor, each member in turn
 * @index: cursor, the member's index
 * @head: the array; any other fence is visited as a one-member set
 *
 * No references are taken: @head must stay alive during the loop.
 */
#define dma_fence_array_for_each(fence, index, head)			\
	for (index = 0, fence = dma_fence_array_first(head); fence;	\
	     ++(index), fence = dma_fence_array_next(head, index))

struct dma_fence_array *dma_fence_array_create(int num_fences,
					       struct dma_fence **fences,
					       u64 context, unsigned int seqno,
					       bool signal_on_any);

bool dma_fence_match_context(struct dma_fence *fence, u64 context);

struct dma_fence *dma_fence_array_first(struct dma_fence *head);
struct dma_fence *dma_fence_array_next(struct dma_fence *head,
				       unsigned int index);

#endif /* __LINUX_DMA_FENCE_ARRAY_H */
