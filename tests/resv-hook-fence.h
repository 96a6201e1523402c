/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A fence whose driver, the next time anyone asks it whether it signaled,
 * runs an action the test armed, then answers no.  Reservation code asks
 * fences in the middle of its work (an add looking for a slot, a lock-free
 * walk, a copy), so the action changes the object at that exact point,
 * from the calling thread: what would otherwise take a lucky race becomes
 * deterministic.  The action runs where the question is asked, possibly
 * under rcu_read_lock(), so it must not sleep.
 */
#ifndef DMA_BUF_TESTS_RESV_HOOK_FENCE_H
#define DMA_BUF_TESTS_RESV_HOOK_FENCE_H

#include <kunit/test.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/reservation.h>
#include <linux/slab.h>

#include "mock-fence.h"

struct hook_fence {
	struct mock_fence mock;	/* first: freed through it */
	void (*action)(struct hook_fence *hook);
	struct dma_fence *fence; /* what the action uses, not referenced */
	struct dma_resv *obj; /* the object the action changes */
	unsigned int asked;
};

static inline bool hook_fence_signaled(struct dma_fence *fence)
{
	struct hook_fence *hook = container_of(fence, struct hook_fence,
					       mock.base);
	void (*action)(struct hook_fence *hook) = hook->action;

	/* Once only: whoever asks again gets a plain answer. */
	hook->action = NULL;
	hook->asked++;
	if (action)
		action(hook);
	return false;
}

static const struct dma_fence_ops hook_fence_ops = {
	.get_driver_name = mock_fence_name,
	.get_timeline_name = mock_fence_name,
	.signaled = hook_fence_signaled,
};

/* An unsignaled hook fence on a context of its own, with no action yet. */
static inline struct hook_fence *hook_fence_new(struct kunit *test)
{
	return mock_fence_new_of(test, struct hook_fence, &hook_fence_ops,
				 dma_fence_context_alloc(1), 1);
}

/*
 * Give @hook its action, for the next question only.  Armed once the
 * object is set up: every add asks the fences stored before it.
 */
static inline void hook_fence_arm(struct hook_fence *hook,
				  void (*action)(struct hook_fence *hook),
				  struct dma_fence *fence, struct dma_resv *obj)
{
	hook->fence = fence;
	hook->obj = obj;
	hook->action = action;
}

/* An action: signal the hook's fence, as if it completed meanwhile. */
static inline void hook_signal_fence(struct hook_fence *hook)
{
	dma_fence_signal(hook->fence);
}

/*
 * An action: make the hook's fence the exclusive one of the hook's object,
 * which the caller holds locked.  The object moves to a new array, without
 * sleeping.
 */
static inline void hook_set_excl(struct hook_fence *hook)
{
	reservation_object_add_excl_fence(to_reservation_object(hook->obj),
					  hook->fence);
}

#endif /* DMA_BUF_TESTS_RESV_HOOK_FENCE_H */
