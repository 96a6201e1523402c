/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dma-fence-unwrap: iterate over the fences inside chains and arrays, and
 * merge several (possibly wrapped) fences into one.
 */
#ifndef __LINUX_DMA_FENCE_UNWRAP_H
#define __LINUX_DMA_FENCE_UNWRAP_H

#include <linux/types.h>

struct dma_fence;

/**
 * struct dma_fence_unwrap - cursor of dma_fence_unwrap_for_each()
 * @chain: the chain link being visited, holding a reference (or the plain
 *	fence the iteration started from)
 * @array: the fence inside @chain being visited, maybe an array
 * @index: position inside @array
 */
struct dma_fence_unwrap {
	struct dma_fence *chain;
	struct dma_fence *array;
	unsigned int index;
};

struct dma_fence *dma_fence_unwrap_first(struct dma_fence *head,
					 struct dma_fence_unwrap *cursor);
struct dma_fence *dma_fence_unwrap_next(struct dma_fence_unwrap *cursor);

/**
 * dma_fence_unwrap_for_each - visit the fences wrapped in a fence
 * @fence: cursor, each fence in turn (no reference is held on it)
 * @cursor: a &struct dma_fence_unwrap for the iteration's state
 * @head: the fence to unwrap: a chain, an array, or a plain fence
 *
 * Visits the fence of each unsignaled link of a chain (and of the first
 * link), and the members of each array met on the way, one level deep.
 * A plain @head is visited alone.
 */
#define dma_fence_unwrap_for_each(fence, cursor, head)			\
	for (fence = dma_fence_unwrap_first(head, cursor); fence;	\
	     fence = dma_fence_unwrap_next(cursor))

struct dma_fence *__dma_fence_unwrap_merge(unsigned int num_fences,
					   struct dma_fence **fences,
					   struct dma_fence_unwrap *cursors);

/**
 * dma_fence_unwrap_merge - merge fences into one
 * @...: the fences, each referenced by the caller
 *
 * See __dma_fence_unwrap_merge().
 *
 * Return: a new reference to the merged fence, or NULL when out of memory.
 */
#define dma_fence_unwrap_merge(...)					\
	({								\
		struct dma_fence *__f[] = { __VA_ARGS__ };		\
		struct dma_fence_unwrap __c[ARRAY_SIZE(__f)];		\
									\
		__dma_fence_unwrap_merge(ARRAY_SIZE(__f), __f, __c);	\
	})

#endif /* __LINUX_DMA_FENCE_UNWRAP_H */
