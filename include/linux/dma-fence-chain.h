/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dma-fence-chain: a timeline of points made of fences.  Each link wraps one
 * fence, points back at the previous link and signals once its own fence
 * and every earlier link have signaled.  Used for timeline syncobjs.
 */
#ifndef __LINUX_DMA_FENCE_CHAIN_H
#define __LINUX_DMA_FENCE_CHAIN_H

#include <linux/dma-fence.h>
#include <linux/irq_work.h>
#include <linux/slab.h>

/**
 * struct dma_fence_chain - one point of a fence timeline
 * @base: the link's own fence; its seqno is the point's value
 * @prev: the previous link (or any fence), or NULL; walks replace it with
 *	an earlier one once it has signaled, under RCU
 * @prev_seqno: the seqno @prev had when this link was made (0 if this link
 *	starts a new timeline); points in (@prev_seqno, @base.seqno] belong
 *	to this link
 * @fence: the fence this link wraps; never a chain itself
 * @cb: queued on the fence the link is currently waiting for
 * @work: re-examines the chain after @cb ran, outside that fence's lock
 * @lock: serialises signaling of @base
 */
struct dma_fence_chain {
	struct dma_fence base;
	struct dma_fence __rcu *prev;
	u64 prev_seqno;
	struct dma_fence *fence;
	union {
		struct dma_fence_cb cb;
		struct irq_work work;
	};
	spinlock_t lock; /* serialises signaling of base */
};

/**
 * to_dma_fence_chain - the chain link behind a fence
 * @fence: a fence, or NULL
 *
 * Return: the &struct dma_fence_chain, or NULL if @fence is not one.
 */
static inline struct dma_fence_chain *
to_dma_fence_chain(struct dma_fence *fence)
{
	if (!fence || !dma_fence_is_chain(fence))
		return NULL;
	return container_of(fence, struct dma_fence_chain, base);
}

/**
 * dma_fence_chain_contained - the fence a link wraps
 * @fence: a fence
 *
 * Return: the wrapped fence if @fence is a chain link, else @fence.
 */
static inline struct dma_fence *
dma_fence_chain_contained(struct dma_fence *fence)
{
	struct dma_fence_chain *chain = to_dma_fence_chain(fence);

	return chain ? chain->fence : fence;
}

/**
 * dma_fence_chain_alloc - allocate memory for a chain link
 *
 * Return: uninitialised memory for dma_fence_chain_init(), or NULL.
 */
static inline struct dma_fence_chain *dma_fence_chain_alloc(void)
{
	return kmalloc(sizeof(struct dma_fence_chain), GFP_KERNEL);
}

/**
 * dma_fence_chain_free - free a link that was never initialised
 * @chain: memory from dma_fence_chain_alloc()
 *
 * Once dma_fence_chain_init() ran, drop references with dma_fence_put()
 * instead.
 */
static inline void dma_fence_chain_free(struct dma_fence_chain *chain)
{
	kfree(chain);
}

/**
 * dma_fence_chain_for_each - walk a chain from a link backwards
 * @iter: cursor, holding a reference to the current link
 * @head: where to start
 *
 * Visits @head, then every earlier link whose fence has not signaled yet
 * (signaled ones are unlinked on the way, see dma_fence_chain_walk()).
 * Leaving the loop early leaves a reference in @iter to drop.
 */
#define dma_fence_chain_for_each(iter, head)	\
	for (iter = dma_fence_get(head); iter;	\
	     iter = dma_fence_chain_walk(iter))

struct dma_fence *dma_fence_chain_walk(struct dma_fence *fence);
int dma_fence_chain_find_seqno(struct dma_fence **pfence, uint64_t seqno);
void dma_fence_chain_init(struct dma_fence_chain *chain,
			  struct dma_fence *prev,
			  struct dma_fence *fence,
			  uint64_t seqno);

#endif /* __LINUX_DMA_FENCE_CHAIN_H */
