/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Seqno fences: a fence that is also a location in memory.
 *
 * Some engines synchronise with each other without the CPU: one writes an
 * increasing 32-bit value into a shared buffer when it finishes work, the
 * other polls that word before it starts.  A seqno fence names such a
 * point (a buffer, an offset into it, a value and how to compare) so that
 * a driver receiving it can program its engine to wait in hardware, while
 * every other user still sees an ordinary &struct dma_fence.
 *
 * The fence's CPU-side behaviour comes from the driver's own
 * &dma_fence_ops, which the seqno fence wraps.
 */
#ifndef __LINUX_SEQNO_FENCE_H
#define __LINUX_SEQNO_FENCE_H

#include <linux/dma-fence.h>
#include <linux/types.h>

struct dma_buf;

/**
 * enum seqno_fence_condition - when the memory says the fence has passed
 * @SEQNO_FENCE_WAIT_GEQUAL: the 32-bit word at the offset is at least the
 *	fence's seqno, compared with wraparound: (s32)(word - seqno) >= 0.
 * @SEQNO_FENCE_WAIT_NONZERO: the word is not zero.
 */
enum seqno_fence_condition {
	SEQNO_FENCE_WAIT_GEQUAL,
	SEQNO_FENCE_WAIT_NONZERO
};

/**
 * struct seqno_fence - a fence backed by a word in a dma-buf
 * @base: the fence; its ops are always &seqno_fence_ops.
 * @ops: the driver's fence operations, called through the wrapper.
 * @sync_buf: the buffer holding the word; referenced for the fence's life.
 * @seqno_ofs: byte offset of the 32-bit word in @sync_buf.
 * @condition: how the word is compared with &dma_fence.seqno.
 *
 * All members are set by seqno_fence_init() and never change.
 */
struct seqno_fence {
	struct dma_fence base;
	const struct dma_fence_ops *ops;
	struct dma_buf *sync_buf;
	u32 seqno_ofs;
	enum seqno_fence_condition condition;
};

extern const struct dma_fence_ops seqno_fence_ops;

/**
 * to_seqno_fence - the seqno fence behind a fence, if it is one
 * @fence: any fence
 *
 * Return: the containing &struct seqno_fence, or NULL when @fence is of
 * another kind.
 */
static inline struct seqno_fence *to_seqno_fence(struct dma_fence *fence)
{
	if (fence->ops != &seqno_fence_ops)
		return NULL;
	return container_of(fence, struct seqno_fence, base);
}

/**
 * seqno_fence_passed - does a value read from the sync buffer pass the fence?
 * @fence: the seqno fence
 * @value: the 32-bit word the driver read at @fence->seqno_ofs
 *
 * For drivers' &dma_fence_ops.signaled hooks, so that CPU and hardware
 * agree on the comparison.  Only the low 32 bits of the seqno count.
 *
 * Return: true when @value satisfies @fence->condition.
 */
static inline bool seqno_fence_passed(const struct seqno_fence *fence,
				      u32 value)
{
	if (fence->condition == SEQNO_FENCE_WAIT_NONZERO)
		return value;
	return (s32)(value - (u32)fence->base.seqno) >= 0;
}

void seqno_fence_init(struct seqno_fence *fence, spinlock_t *lock,
		      struct dma_buf *sync_buf, u64 context, u32 seqno_ofs,
		      u64 seqno, enum seqno_fence_condition cond,
		      const struct dma_fence_ops *ops);

#endif /* __LINUX_SEQNO_FENCE_H */
