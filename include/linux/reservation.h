/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The classic reservation object interface: one exclusive fence and a list
 * of shared fences per buffer, as drivers written against it expect.
 *
 * It is a view over &struct dma_resv, not a second implementation: the
 * exclusive fence is what dma_resv stores with %DMA_RESV_USAGE_WRITE (or
 * %DMA_RESV_USAGE_KERNEL), the shared fences are its %DMA_RESV_USAGE_READ
 * fences, and the object is the same.  Bookkeeping fences are invisible
 * here.  One difference with the original: a shared fence of the context
 * of the exclusive one merges with it (the later fence stays, as
 * exclusive), since dma_resv keeps one fence per context.  This only ever
 * makes waiters wait for more, never for less.
 */
#ifndef __LINUX_RESERVATION_H
#define __LINUX_RESERVATION_H

#include <linux/build_bug.h>
#include <linux/dma-resv.h>
#include <linux/stddef.h>

/**
 * struct reservation_object - the classic name of a reservation object
 * @resv: the reservation object itself
 * @lock: its lock, under the name classic code uses (@resv.lock)
 */
struct reservation_object {
	union {
		struct dma_resv resv;
		struct ww_mutex lock;
	};
};

static_assert(offsetof(struct dma_resv, lock) == 0);

/**
 * to_reservation_object - the classic view of a &struct dma_resv
 * @resv: the object, e.g. the one of a dma-buf
 *
 * Return: the same object as a &struct reservation_object.
 */
static inline struct reservation_object *
to_reservation_object(struct dma_resv *resv)
{
	return container_of(resv, struct reservation_object, resv);
}

#define reservation_object_held(obj) dma_resv_held(&(obj)->resv)
#define reservation_object_assert_held(obj) dma_resv_assert_held(&(obj)->resv)

/**
 * reservation_object_init - initialise a reservation object
 * @obj: the object
 */
static inline void reservation_object_init(struct reservation_object *obj)
{
	dma_resv_init(&obj->resv);
}

/**
 * reservation_object_fini - tear a reservation object down
 * @obj: the object, unlocked and unreachable by anyone else
 */
static inline void reservation_object_fini(struct reservation_object *obj)
{
	dma_resv_fini(&obj->resv);
}

/**
 * reservation_object_lock - lock the object
 * @obj: the object
 * @ctx: the acquire context when locking several objects, or NULL
 *
 * Return: 0, -EALREADY, or -EDEADLK (back off, see dma_resv_lock()).
 */
static inline int reservation_object_lock(struct reservation_object *obj,
					  struct ww_acquire_ctx *ctx)
{
	return dma_resv_lock(&obj->resv, ctx);
}

/**
 * reservation_object_lock_interruptible - lock the object, or give up on a
 *	signal
 * @obj: the object
 * @ctx: the acquire context, or NULL
 *
 * Return: as reservation_object_lock(), or -EINTR.
 */
static inline int
reservation_object_lock_interruptible(struct reservation_object *obj,
				      struct ww_acquire_ctx *ctx)
{
	return dma_resv_lock_interruptible(&obj->resv, ctx);
}

/**
 * reservation_object_trylock - lock the object if it is free
 * @obj: the object
 *
 * Return: true when the lock was taken.
 */
static inline bool __must_check
reservation_object_trylock(struct reservation_object *obj)
{
	return dma_resv_trylock(&obj->resv);
}

/**
 * reservation_object_unlock - unlock the object
 * @obj: the object
 */
static inline void reservation_object_unlock(struct reservation_object *obj)
{
	dma_resv_unlock(&obj->resv);
}

/**
 * reservation_object_reserve_shared - make room for one more shared fence
 * @obj: the object, locked
 *
 * Call once before each reservation_object_add_shared_fence().
 *
 * Return: 0, or -ENOMEM.
 */
static inline int
reservation_object_reserve_shared(struct reservation_object *obj)
{
	return dma_resv_reserve_fences(&obj->resv, 1);
}

/**
 * reservation_object_add_shared_fence - add a shared (read) fence
 * @obj: the object, locked, with a slot reserved
 * @fence: the fence; the object takes its own reference
 *
 * A shared fence of the same context is replaced.  Without a reserved slot
 * this warns, see dma_resv_add_fence().
 */
static inline void
reservation_object_add_shared_fence(struct reservation_object *obj,
				    struct dma_fence *fence)
{
	dma_resv_add_fence(&obj->resv, fence, DMA_RESV_USAGE_READ);
}

void reservation_object_add_excl_fence(struct reservation_object *obj,
				       struct dma_fence *fence);

/**
 * reservation_object_get_excl - the exclusive fence, lock held
 * @obj: the object, locked
 *
 * No reference is taken.  Objects used only through this interface have at
 * most one; should the dma_resv interface have stored several write or
 * kernel fences, the last one in storage order is returned (use
 * reservation_object_get_excl_rcu() to get all of them in one fence).
 *
 * Return: the exclusive fence, or NULL.
 */
static inline struct dma_fence *
reservation_object_get_excl(struct reservation_object *obj)
{
	struct dma_fence *fence, *excl = NULL;
	struct dma_resv_iter cursor;

	dma_resv_for_each_fence(&cursor, &obj->resv, DMA_RESV_USAGE_WRITE,
				fence)
		excl = fence;
	return excl;
}

/**
 * reservation_object_get_excl_rcu - the exclusive fence, without the lock
 * @obj: the object
 *
 * Several write or kernel fences come back as one fence array.  May
 * allocate in that case only (GFP_KERNEL).
 *
 * Return: the unsignaled exclusive fence with a new reference, or NULL
 * when there is none (or, with several, memory ran out).
 */
static inline struct dma_fence *
reservation_object_get_excl_rcu(struct reservation_object *obj)
{
	struct dma_fence *fence;

	if (dma_resv_get_singleton(&obj->resv, DMA_RESV_USAGE_WRITE, &fence))
		return NULL;
	return fence;
}

int reservation_object_get_fences_rcu(struct reservation_object *obj,
				      struct dma_fence **excl,
				      unsigned int *shared_count,
				      struct dma_fence ***shared);

/**
 * reservation_object_copy_fences - copy all fences to another object
 * @dst: the destination, locked; its fences are replaced
 * @src: the source; the lock is not needed
 *
 * Return: 0, or -ENOMEM.
 */
static inline int reservation_object_copy_fences(struct reservation_object *dst,
						 struct reservation_object *src)
{
	return dma_resv_copy_fences(&dst->resv, &src->resv);
}

/**
 * reservation_object_wait_timeout_rcu - wait for the fences
 * @obj: the object; the lock is not needed
 * @wait_all: wait for the shared fences too, not only the exclusive one
 * @intr: whether a signal may interrupt the wait
 * @timeout: the longest wait in jiffies, or %MAX_SCHEDULE_TIMEOUT
 *
 * Return: the jiffies left (greater than 0) on success, 0 on timeout,
 * -ERESTARTSYS when interrupted.
 */
static inline long
reservation_object_wait_timeout_rcu(struct reservation_object *obj,
				    bool wait_all, bool intr,
				    unsigned long timeout)
{
	return dma_resv_wait_timeout(&obj->resv, dma_resv_usage_rw(wait_all),
				     intr, timeout);
}

/**
 * reservation_object_test_signaled_rcu - have the fences signaled?
 * @obj: the object; the lock is not needed
 * @test_all: test the shared fences too, not only the exclusive one
 *
 * Return: true when nothing tested is pending.
 */
static inline bool
reservation_object_test_signaled_rcu(struct reservation_object *obj,
				     bool test_all)
{
	return dma_resv_test_signaled(&obj->resv, dma_resv_usage_rw(test_all));
}

#endif /* __LINUX_RESERVATION_H */
