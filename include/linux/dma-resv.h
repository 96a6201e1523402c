/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dma-resv: the set of fences that guard one shared buffer.
 *
 * Every fence is stored with a usage class saying which kind of access it
 * orders.  Writers (who add, replace or prune fences) hold the object's
 * ww_mutex; readers either hold it too or read lock-free under RCU, never
 * waiting for a writer.  See reservation.c for the full story.
 */
#ifndef __LINUX_DMA_RESV_H
#define __LINUX_DMA_RESV_H

#include <linux/dma-fence.h>
#include <linux/rcupdate.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/ww_mutex.h>

struct seq_file;

extern struct ww_class reservation_ww_class;

/* Private to reservation.c: the RCU-published array of fences. */
struct dma_resv_list;

/**
 * enum dma_resv_usage - what a stored fence orders, from strongest to weakest
 * @DMA_RESV_USAGE_KERNEL: kernel-internal work on the buffer (moves, clears)
 *	that every user has to wait for, implicit-sync or not
 * @DMA_RESV_USAGE_WRITE: an implicitly synchronised write; readers and
 *	writers both wait for it
 * @DMA_RESV_USAGE_READ: an implicitly synchronised read; only new writers
 *	wait for it
 * @DMA_RESV_USAGE_BOOKKEEP: work synchronised by other means (explicit sync,
 *	page table updates); kept so the memory stays alive, waited for only by
 *	those who ask for every fence, e.g. before freeing the buffer
 *
 * The order matters: asking for fences of one usage returns those of that
 * usage and of every stronger (lower-valued) one.
 */
enum dma_resv_usage {
	DMA_RESV_USAGE_KERNEL,
	DMA_RESV_USAGE_WRITE,
	DMA_RESV_USAGE_READ,
	DMA_RESV_USAGE_BOOKKEEP
};

/*
 * Private to reservation.c and the locked walk below: the encoding of a
 * slot of the array.  A slot is a fence pointer (fences are aligned to at
 * least 4 bytes) with the usage it is stored with in the two low bits, or
 * 0 when empty.
 */
#define DMA_RESV_SLOT_USAGE_MASK 3UL

static inline unsigned long dma_resv_slot_pack(struct dma_fence *fence,
					       enum dma_resv_usage usage)
{
	BUILD_BUG_ON(__alignof__(struct dma_fence) <= DMA_RESV_SLOT_USAGE_MASK);
	BUILD_BUG_ON(DMA_RESV_USAGE_BOOKKEEP > DMA_RESV_SLOT_USAGE_MASK);
	return (unsigned long)fence | usage;
}

static inline enum dma_resv_usage dma_resv_slot_usage(unsigned long slot)
{
	return slot & DMA_RESV_SLOT_USAGE_MASK;
}

static inline struct dma_fence *dma_resv_slot_fence(unsigned long slot)
{
	return (struct dma_fence *)(slot & ~DMA_RESV_SLOT_USAGE_MASK);
}

/**
 * dma_resv_usage_rw - the usage to wait for before an access
 * @write: true for a write access, false for a read
 *
 * A reader only has to wait for the writers (%DMA_RESV_USAGE_WRITE and
 * stronger); a writer has to wait for readers as well
 * (%DMA_RESV_USAGE_READ and stronger).  The result is thus the "opposite"
 * of the access: it names the weakest class the access depends on.
 *
 * Return: %DMA_RESV_USAGE_READ for a write, %DMA_RESV_USAGE_WRITE for a read.
 */
static inline enum dma_resv_usage dma_resv_usage_rw(bool write)
{
	return write ? DMA_RESV_USAGE_READ : DMA_RESV_USAGE_WRITE;
}

/**
 * struct dma_resv - the fences guarding a buffer
 * @lock: serialises every change to the fence set and every locked reader;
 *	drivers lock several objects at once through its wound/wait context
 * @fences: the current array, or NULL while nothing was ever reserved.
 *	Replaced (RCU-published) only with @lock held; read under RCU or
 *	@lock.
 */
struct dma_resv {
	struct ww_mutex lock;
	struct dma_resv_list __rcu *fences;
};

/**
 * struct dma_resv_iter - cursor for walking the fences of a &struct dma_resv
 * @obj: the object walked
 * @usage: return fences of this usage and of stronger ones
 * @fence: the fence last returned (holding a reference in the unlocked walk)
 * @fence_usage: the usage @fence is stored with
 * @index: private: next slot to look at
 * @fences: private: the array being walked
 * @generation: private: the generation of @fences, which tells it from a
 *	later array at the same address
 * @slots: private: the slots of @fences
 * @num_fences: private: number of used slots of @fences when it was read
 * @is_restarted: true when @fence is the first fence of a (new) pass; the
 *	caller must then forget what it learnt from earlier fences
 */
struct dma_resv_iter {
	struct dma_resv *obj;
	enum dma_resv_usage usage;
	struct dma_fence *fence;
	enum dma_resv_usage fence_usage;
	unsigned int index;
	struct dma_resv_list *fences;
	unsigned int generation;
	const unsigned long *slots;
	unsigned int num_fences;
	bool is_restarted;
};

struct dma_fence *dma_resv_iter_first_unlocked(struct dma_resv_iter *cursor);
struct dma_fence *dma_resv_iter_next_unlocked(struct dma_resv_iter *cursor);
struct dma_fence *dma_resv_iter_first(struct dma_resv_iter *cursor);
struct dma_fence *dma_resv_iter_next(struct dma_resv_iter *cursor);

/**
 * dma_resv_iter_begin - prepare a cursor
 * @cursor: the cursor
 * @obj: the object to walk
 * @usage: the weakest usage to return
 */
static inline void dma_resv_iter_begin(struct dma_resv_iter *cursor,
				       struct dma_resv *obj,
				       enum dma_resv_usage usage)
{
	cursor->obj = obj;
	cursor->usage = usage;
	cursor->fence = NULL;
}

/**
 * dma_resv_iter_end - finish an unlocked walk
 * @cursor: the cursor
 *
 * Drops the reference on the fence the walk stopped at, if it stopped early.
 */
static inline void dma_resv_iter_end(struct dma_resv_iter *cursor)
{
	dma_fence_put(cursor->fence);
}

/**
 * dma_resv_iter_usage - usage of the current fence
 * @cursor: the cursor
 *
 * Return: the usage class the fence last returned is stored with.
 */
static inline enum dma_resv_usage
dma_resv_iter_usage(struct dma_resv_iter *cursor)
{
	return cursor->fence_usage;
}

/**
 * dma_resv_iter_is_restarted - did the walk start (again) at this fence?
 * @cursor: the cursor
 *
 * Lock-free walks start over when the object changes; whatever the caller
 * gathered from earlier fences then describes a state that no longer exists
 * and must be thrown away.
 *
 * Return: true when the fence last returned is the first of a pass.
 */
static inline bool dma_resv_iter_is_restarted(struct dma_resv_iter *cursor)
{
	return cursor->is_restarted;
}

/**
 * dma_resv_for_each_fence_unlocked - walk the fences without the lock
 * @cursor: a cursor prepared with dma_resv_iter_begin()
 * @fence: each fence in turn, referenced until the next step
 *
 * Call dma_resv_iter_end() afterwards.  Fences already signaled are
 * skipped.  The walk returns, of the slots the object had when it began,
 * the fence each held when it was read.  Check dma_resv_iter_is_restarted()
 * on every fence: when the object moves to a new array during the walk, it
 * starts over on that one.
 */
#define dma_resv_for_each_fence_unlocked(cursor, fence)			\
	for (fence = dma_resv_iter_first_unlocked(cursor);		\
	     fence; fence = dma_resv_iter_next_unlocked(cursor))

/**
 * dma_resv_for_each_fence - walk the fences with the lock held
 * @cursor: a &struct dma_resv_iter
 * @obj: the object, locked by the caller
 * @usage: the weakest usage to return
 * @fence: each fence in turn; no reference is taken
 *
 * Signaled fences are returned too.  No dma_resv_iter_end() is needed.
 */
#define dma_resv_for_each_fence(cursor, obj, usage, fence)		\
	for (dma_resv_iter_begin(cursor, obj, usage),			\
	     fence = dma_resv_iter_first(cursor); fence;		\
	     fence = dma_resv_iter_next_inline(cursor))

#define dma_resv_held(obj) lockdep_is_held(&(obj)->lock.base)
#define dma_resv_assert_held(obj) lockdep_assert_held(&(obj)->lock.base)

/*
 * Private: a step of the locked walk, the next slot of the cursor's usage.
 * Inline, so that a locked walk, which drivers make on every submission,
 * costs no call per fence; dma_resv_iter_first() sets the cursor up.  The
 * index is counted in a local and stored once.
 */
static inline struct dma_fence *
dma_resv_iter_step_locked(struct dma_resv_iter *cursor)
{
	unsigned int i;

	for (i = cursor->index; i < cursor->num_fences; i++) {
		unsigned long slot = cursor->slots[i];

		if (slot && dma_resv_slot_usage(slot) <= cursor->usage) {
			cursor->index = i + 1;
			cursor->fence_usage = dma_resv_slot_usage(slot);
			return dma_resv_slot_fence(slot);
		}
	}
	cursor->index = i;
	return NULL;
}

/*
 * Private: dma_resv_iter_next() for dma_resv_for_each_fence(), inline for
 * the same reason.
 */
static inline struct dma_fence *
dma_resv_iter_next_inline(struct dma_resv_iter *cursor)
{
	dma_resv_assert_held(cursor->obj);
	cursor->is_restarted = false;
	return dma_resv_iter_step_locked(cursor);
}

#ifdef CONFIG_DEBUG_MUTEXES
void dma_resv_reset_max_fences(struct dma_resv *obj);
#else
static inline void dma_resv_reset_max_fences(struct dma_resv *obj) {}
#endif

/**
 * dma_resv_lock - lock an object
 * @obj: the object
 * @ctx: the acquire context when locking several objects, or NULL
 *
 * With a context, locking may fail with -EDEADLK: the caller must then
 * unlock every object of @ctx and take the contended one with
 * dma_resv_lock_slow() before the others.
 *
 * Return: 0, -EALREADY when @ctx already holds @obj, or -EDEADLK.
 */
static inline int dma_resv_lock(struct dma_resv *obj,
				struct ww_acquire_ctx *ctx)
{
	return ww_mutex_lock(&obj->lock, ctx);
}

/**
 * dma_resv_lock_interruptible - lock an object, giving up on a signal
 * @obj: the object
 * @ctx: the acquire context, or NULL
 *
 * Return: as dma_resv_lock(), or -EINTR when a signal arrived.
 */
static inline int dma_resv_lock_interruptible(struct dma_resv *obj,
					      struct ww_acquire_ctx *ctx)
{
	return ww_mutex_lock_interruptible(&obj->lock, ctx);
}

/**
 * dma_resv_lock_slow - take the contended lock after backing off
 * @obj: the object whose locking returned -EDEADLK
 * @ctx: the acquire context, which must hold no other lock now
 *
 * Sleeps until @obj is free; cannot fail.
 */
static inline void dma_resv_lock_slow(struct dma_resv *obj,
				      struct ww_acquire_ctx *ctx)
{
	ww_mutex_lock_slow(&obj->lock, ctx);
}

/**
 * dma_resv_lock_slow_interruptible - dma_resv_lock_slow(), signals allowed
 * @obj: the object whose locking returned -EDEADLK
 * @ctx: the acquire context, which must hold no other lock now
 *
 * Return: 0, or -EINTR when a signal arrived.
 */
static inline int dma_resv_lock_slow_interruptible(struct dma_resv *obj,
						   struct ww_acquire_ctx *ctx)
{
	return ww_mutex_lock_slow_interruptible(&obj->lock, ctx);
}

/**
 * dma_resv_trylock - lock an object if it is free
 * @obj: the object
 *
 * Return: true when the lock was taken.
 */
static inline bool __must_check dma_resv_trylock(struct dma_resv *obj)
{
	return ww_mutex_trylock(&obj->lock, NULL);
}

/**
 * dma_resv_is_locked - is somebody holding the object's lock?
 * @obj: the object
 *
 * Return: true when locked, by anyone.
 */
static inline bool dma_resv_is_locked(struct dma_resv *obj)
{
	return ww_mutex_is_locked(&obj->lock);
}

/**
 * dma_resv_locking_ctx - the acquire context holding the object
 * @obj: the object
 *
 * Only meaningful to the lock holder, e.g. to tell whether it locked @obj
 * itself as part of a ww transaction.
 *
 * Return: the context, or NULL when unlocked or locked without one.
 */
static inline struct ww_acquire_ctx *dma_resv_locking_ctx(struct dma_resv *obj)
{
	return READ_ONCE(obj->lock.ctx);
}

/**
 * dma_resv_unlock - unlock an object
 * @obj: the object
 *
 * With %CONFIG_DEBUG_MUTEXES, slots reserved but unused are forgotten here,
 * so that a later add without its own reservation is reported.
 */
static inline void dma_resv_unlock(struct dma_resv *obj)
{
	dma_resv_reset_max_fences(obj);
	ww_mutex_unlock(&obj->lock);
}

void dma_resv_init(struct dma_resv *obj);
void dma_resv_fini(struct dma_resv *obj);
int dma_resv_reserve_fences(struct dma_resv *obj, unsigned int num_fences);
void dma_resv_add_fence(struct dma_resv *obj, struct dma_fence *fence,
			enum dma_resv_usage usage);
void dma_resv_replace_fences(struct dma_resv *obj, u64 context,
			     struct dma_fence *replacement,
			     enum dma_resv_usage usage);
int dma_resv_get_fences(struct dma_resv *obj, enum dma_resv_usage usage,
			unsigned int *num_fences, struct dma_fence ***fences);
int dma_resv_get_singleton(struct dma_resv *obj, enum dma_resv_usage usage,
			   struct dma_fence **fence);
int dma_resv_copy_fences(struct dma_resv *dst, struct dma_resv *src);
long dma_resv_wait_timeout(struct dma_resv *obj, enum dma_resv_usage usage,
			   bool intr, unsigned long timeout);
bool dma_resv_test_signaled(struct dma_resv *obj, enum dma_resv_usage usage);
void dma_resv_describe(struct dma_resv *obj, struct seq_file *seq);

#endif /* __LINUX_DMA_RESV_H */
