/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dma-fence: a one-shot completion signal shared between drivers.
 *
 * A fence is created unsignaled, may collect callbacks and waiters, and is
 * signaled exactly once, at which point every callback runs and every waiter
 * wakes.  Fences are reference counted and freed after an RCU grace period,
 * so lock-free readers may look at a fence they found through an __rcu
 * pointer as long as they take a reference with dma_fence_get_rcu() before
 * leaving the read-side section.
 */
#ifndef __LINUX_DMA_FENCE_H
#define __LINUX_DMA_FENCE_H

#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/printk.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/wait.h>

struct dma_fence;
struct dma_fence_cb;
struct dma_fence_ops;
struct seq_file;

#ifdef CONFIG_DMA_FENCE_DEBUG
/**
 * struct dma_fence_pending - how long a fence has been depended on
 * @link: entry in the list of pending fences, which is ordered by @since
 * @since: when something first depended on the fence (signaling enabled, a
 *	callback queued or a wait begun); 0 while the fence is not listed
 * @deadline: the earliest time given to dma_fence_set_deadline(), or 0
 * @reported: the stuck-fence watchdog has reported the fence
 *
 * Private to the dma-fence core.  @link, @since and @reported change under
 * the core's list lock, and only with &dma_fence.lock held or once the last
 * reference is gone; @deadline changes under &dma_fence.lock.
 */
struct dma_fence_pending {
	struct list_head link;
	ktime_t since;
	ktime_t deadline;
	bool reported;
};
#endif

/**
 * struct dma_fence - a software or hardware completion signal
 * @lock: spinlock serialising signaling against callback list changes.
 *	It is supplied by the driver (often one per timeline) and must stay
 *	valid for as long as the fence can be signaled or inspected.
 * @ops: driver operations; must outlive every unsignaled fence using them
 * @cb_list: pending callbacks, protected by @lock; valid until signaled
 * @timestamp: completion time, valid once %DMA_FENCE_FLAG_TIMESTAMP_BIT is
 *	set; it reuses the storage of @cb_list
 * @rcu: used to defer freeing past lock-free readers; reuses the same storage
 *	once the last reference is gone
 * @context: timeline identifier from dma_fence_context_alloc(); fences of
 *	one context signal in @seqno order
 * @seqno: position of the fence on its timeline
 * @flags: %DMA_FENCE_FLAG_* bits; bits from %DMA_FENCE_FLAG_USER_BITS on
 *	belong to the driver
 * @refcount: reference count, see dma_fence_get() and dma_fence_put()
 * @error: 0, or a negative errno recorded by dma_fence_set_error() before
 *	the fence signaled
 * @pending: with %CONFIG_DMA_FENCE_DEBUG only, the bookkeeping of the
 *	pending-fence list (see &struct dma_fence_pending)
 *
 * The union is deliberate: a fence needs its callback list only until it
 * signals, its timestamp only afterwards, and its RCU head only once the
 * last reference is dropped.  Code reading @timestamp without holding @lock
 * must check %DMA_FENCE_FLAG_TIMESTAMP_BIT first (see dma_fence_timestamp()).
 */
struct dma_fence {
	spinlock_t *lock; /* the driver's; serialises signaling */
	const struct dma_fence_ops *ops;
	union {
		struct list_head cb_list;
		ktime_t timestamp;
		struct rcu_head rcu;
	};
	u64 context;
	u64 seqno;
	unsigned long flags;
	struct kref refcount;
	int error;
#ifdef CONFIG_DMA_FENCE_DEBUG
	struct dma_fence_pending pending;
#endif
};

/**
 * enum dma_fence_flag_bits - state bits kept in &dma_fence.flags
 * @DMA_FENCE_FLAG_SIGNALED_BIT: the fence has signaled; never cleared
 * @DMA_FENCE_FLAG_TIMESTAMP_BIT: &dma_fence.timestamp holds the signal time
 * @DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT: &dma_fence_ops.enable_signaling was
 *	requested (it is called at most once per fence)
 * @DMA_FENCE_FLAG_USER_BITS: first bit free for the driver's own use
 */
enum dma_fence_flag_bits {
	DMA_FENCE_FLAG_SIGNALED_BIT,
	DMA_FENCE_FLAG_TIMESTAMP_BIT,
	DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT,
	DMA_FENCE_FLAG_USER_BITS, /* keep last */
};

typedef void (*dma_fence_func_t)(struct dma_fence *fence,
				 struct dma_fence_cb *cb);

/**
 * struct dma_fence_cb - a callback registered on a fence
 * @node: entry in &dma_fence.cb_list; empty when the callback is not queued
 * @func: function called once, with &dma_fence.lock held, when the fence
 *	signals
 *
 * Embed this in your own structure and use container_of() in @func.
 */
struct dma_fence_cb {
	struct list_head node;
	dma_fence_func_t func;
};

/**
 * struct dma_fence_ops - what a fence's driver provides
 * @use_64bit_seqno: seqnos of this driver never wrap; compare all 64 bits.
 *	Otherwise only the low 32 bits are compared, modulo 2^32.
 * @get_driver_name: name of the driver owning the fence (required).  The
 *	core calls it whether the fence has signaled or not (sync file info,
 *	dma_fence_describe(), trace events), for as long as the fence lives.
 * @get_timeline_name: name of the timeline (required), same rules.
 * @enable_signaling: called once, with &dma_fence.lock held, the first time
 *	somebody needs to be told about completion (a callback, a waiter or
 *	dma_fence_enable_sw_signaling()).  Return false if the fence has
 *	already completed; the core then signals it.  Optional: without it the
 *	driver must signal every fence on its own.
 * @signaled: optional fast completion check, may be called from any
 *	context; returning true makes the core signal the fence.
 * @wait: optional replacement for dma_fence_default_wait(), called by
 *	dma_fence_wait_timeout() for every wait, signaled fence or not, after
 *	signaling was enabled; its answer is passed on unchanged.  New drivers
 *	should not need it.
 * @release: optional destructor, called when the last reference is
 *	dropped.  It must free the fence with an RCU delay, e.g. by calling
 *	dma_fence_free().  Without it dma_fence_free() is used.
 * @fence_value_str: optional, prints the fence's seqno for debugging.
 * @timeline_value_str: optional, prints the timeline's current value.
 * @set_deadline: optional, told the time by which somebody would like the
 *	fence to signal (see dma_fence_set_deadline()).  It is a hint and may
 *	be called several times, from any context, without @lock held.
 */
struct dma_fence_ops {
	bool use_64bit_seqno;
	const char *(*get_driver_name)(struct dma_fence *fence);
	const char *(*get_timeline_name)(struct dma_fence *fence);
	bool (*enable_signaling)(struct dma_fence *fence);
	bool (*signaled)(struct dma_fence *fence);
	signed long (*wait)(struct dma_fence *fence,
			    bool intr, signed long timeout);
	void (*release)(struct dma_fence *fence);
	void (*fence_value_str)(struct dma_fence *fence, char *str, int size);
	void (*timeline_value_str)(struct dma_fence *fence,
				   char *str, int size);
	void (*set_deadline)(struct dma_fence *fence, ktime_t deadline);
};

void dma_fence_init(struct dma_fence *fence, const struct dma_fence_ops *ops,
		    spinlock_t *lock, u64 context, u64 seqno);

void dma_fence_release(struct kref *kref);
void dma_fence_free(struct dma_fence *fence);
void dma_fence_describe(struct dma_fence *fence, struct seq_file *seq);

const char *dma_fence_driver_name(struct dma_fence *fence);
const char *dma_fence_timeline_name(struct dma_fence *fence);

/**
 * dma_fence_put - drop a reference
 * @fence: the fence, or NULL
 *
 * Frees the fence through dma_fence_release() when this was the last one.
 */
static inline void dma_fence_put(struct dma_fence *fence)
{
	if (fence)
		kref_put(&fence->refcount, dma_fence_release);
}

/**
 * dma_fence_get - take a reference
 * @fence: the fence, or NULL
 *
 * The caller must already own a reference (directly or through a lock that
 * keeps the fence alive).  Returns @fence.
 */
static inline struct dma_fence *dma_fence_get(struct dma_fence *fence)
{
	if (fence)
		kref_get(&fence->refcount);
	return fence;
}

/**
 * dma_fence_get_rcu - take a reference to a fence found under RCU
 * @fence: a fence read from an __rcu pointer inside rcu_read_lock()
 *
 * Fails when the fence's count already reached zero, i.e. it is waiting for
 * its grace period to be freed.
 *
 * Return: @fence with a new reference, or NULL.
 */
static inline struct dma_fence *dma_fence_get_rcu(struct dma_fence *fence)
{
	return kref_get_unless_zero(&fence->refcount) ? fence : NULL;
}

/**
 * dma_fence_get_rcu_safe - reference the fence an __rcu pointer points to
 * @fencep: the pointer, read inside rcu_read_lock()
 *
 * The object behind a dying fence may be recycled (SLAB_TYPESAFE_BY_RCU) and
 * show up again as a different fence, so after taking the reference this
 * checks that @fencep still points at the same object, and retries if not.
 *
 * Return: a referenced fence that @fencep pointed to, or NULL if @fencep is
 * NULL.
 */
static inline struct dma_fence *
dma_fence_get_rcu_safe(struct dma_fence __rcu **fencep)
{
	struct dma_fence *fence;

	for (;;) {
		fence = rcu_dereference(*fencep);
		if (!fence)
			return NULL;
		if (!dma_fence_get_rcu(fence))
			continue;
		if (fence == rcu_access_pointer(*fencep))
			break;
		dma_fence_put(fence);
	}
	return rcu_pointer_handoff(fence);
}

#ifdef CONFIG_LOCKDEP
bool dma_fence_begin_signalling(void);
void dma_fence_end_signalling(bool cookie);
void __dma_fence_might_wait(void);
#else
static inline bool dma_fence_begin_signalling(void)
{
	return true;
}

static inline void dma_fence_end_signalling(bool cookie) {}
static inline void __dma_fence_might_wait(void) {}
#endif

int dma_fence_signal(struct dma_fence *fence);
int dma_fence_signal_locked(struct dma_fence *fence);
int dma_fence_signal_timestamp(struct dma_fence *fence, ktime_t timestamp);
int dma_fence_signal_timestamp_locked(struct dma_fence *fence,
				      ktime_t timestamp);
signed long dma_fence_default_wait(struct dma_fence *fence,
				   bool intr, signed long timeout);
int dma_fence_add_callback(struct dma_fence *fence,
			   struct dma_fence_cb *cb,
			   dma_fence_func_t func);
bool dma_fence_remove_callback(struct dma_fence *fence,
			       struct dma_fence_cb *cb);
void dma_fence_enable_sw_signaling(struct dma_fence *fence);
void dma_fence_set_deadline(struct dma_fence *fence, ktime_t deadline);

/**
 * dma_fence_is_signaled_locked - has the fence signaled? (lock held)
 * @fence: the fence, with &dma_fence.lock held by the caller
 *
 * Like dma_fence_is_signaled(), for callers already holding the lock.
 *
 * Return: true when the fence has signaled.
 */
static inline bool dma_fence_is_signaled_locked(struct dma_fence *fence)
{
	if (test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags))
		return true;
	if (!fence->ops->signaled || !fence->ops->signaled(fence))
		return false;
	dma_fence_signal_locked(fence);
	return true;
}

/**
 * dma_fence_is_signaled - has the fence signaled?
 * @fence: the fence
 *
 * Besides the signaled bit this asks the driver's &dma_fence_ops.signaled
 * hook, and signals the fence (running its callbacks) when the driver says
 * it is done.  Must not be called with &dma_fence.lock held.
 *
 * Return: true when the fence has signaled.
 */
static inline bool dma_fence_is_signaled(struct dma_fence *fence)
{
	if (test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags))
		return true;
	if (!fence->ops->signaled || !fence->ops->signaled(fence))
		return false;
	dma_fence_signal(fence);
	return true;
}

/**
 * __dma_fence_is_later - compare two seqnos of one timeline
 * @f1: the first seqno
 * @f2: the second seqno
 * @ops: the timeline's ops, which say whether seqnos are 64-bit
 *
 * 32-bit timelines wrap: @f1 is later when it is less than 2^31 ahead of
 * @f2 modulo 2^32.
 *
 * Return: true when @f1 comes after @f2.
 */
static inline bool __dma_fence_is_later(u64 f1, u64 f2,
					const struct dma_fence_ops *ops)
{
	s32 delta;

	if (ops->use_64bit_seqno)
		return f1 > f2;
	delta = (s32)(lower_32_bits(f1) - lower_32_bits(f2));
	return delta > 0;
}

/**
 * dma_fence_is_later - is one fence later than another on their timeline?
 * @f1: the first fence
 * @f2: the second fence, of the same context
 *
 * Return: true when @f1 comes after @f2; false, with a warning, when the
 * two belong to different contexts.
 */
static inline bool dma_fence_is_later(struct dma_fence *f1,
				      struct dma_fence *f2)
{
	if (WARN_ON(f1->context != f2->context))
		return false;
	return __dma_fence_is_later(f1->seqno, f2->seqno, f1->ops);
}

/**
 * dma_fence_is_later_or_same - is @f1 later than or the same as @f2?
 * @f1: the first fence
 * @f2: the second fence, of the same context
 *
 * Return: true when @f1 is @f2 or comes after it.
 */
static inline bool dma_fence_is_later_or_same(struct dma_fence *f1,
					      struct dma_fence *f2)
{
	return f1 == f2 || dma_fence_is_later(f1, f2);
}

/**
 * dma_fence_later - the later of two fences of one timeline
 * @f1: the first fence
 * @f2: the second fence, of the same context
 *
 * No reference is taken.
 *
 * Return: the later fence, or NULL when it has signaled already (and so
 * has the earlier one) or the contexts differ.
 */
static inline struct dma_fence *dma_fence_later(struct dma_fence *f1,
						struct dma_fence *f2)
{
	struct dma_fence *last;

	if (WARN_ON(f1->context != f2->context))
		return NULL;
	last = dma_fence_is_later(f1, f2) ? f1 : f2;
	return dma_fence_is_signaled(last) ? NULL : last;
}

/**
 * dma_fence_get_status_locked - completion status (lock held)
 * @fence: the fence, with &dma_fence.lock held by the caller
 *
 * Return: 0 while unsignaled, 1 when signaled successfully, or the negative
 * error recorded with dma_fence_set_error().
 */
static inline int dma_fence_get_status_locked(struct dma_fence *fence)
{
	if (!dma_fence_is_signaled_locked(fence))
		return 0;
	return fence->error ? fence->error : 1;
}

int dma_fence_get_status(struct dma_fence *fence);

/**
 * dma_fence_set_error - record why a fence failed
 * @fence: the fence, not yet signaled
 * @error: a negative errno
 *
 * Must be called before the fence is signaled; the error is then reported by
 * dma_fence_get_status() and friends.  Misuse warns.
 */
static inline void dma_fence_set_error(struct dma_fence *fence, int error)
{
	WARN_ON(test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags));
	WARN_ON(error >= 0 || error < -MAX_ERRNO);
	fence->error = error;
}

/**
 * dma_fence_timestamp - when did a signaled fence signal?
 * @fence: a signaled fence
 *
 * Between setting the signaled bit and storing the timestamp there is a
 * short window; this spins through it.  Calling it on an unsignaled fence is
 * a bug: it warns and returns the current time.
 *
 * Return: the signal time.
 */
static inline ktime_t dma_fence_timestamp(struct dma_fence *fence)
{
	if (WARN_ON(!test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags)))
		return ktime_get();
	while (!test_bit(DMA_FENCE_FLAG_TIMESTAMP_BIT, &fence->flags))
		cpu_relax();
	smp_rmb(); /* pairs with the barrier before setting the bit */
	return fence->timestamp;
}

signed long dma_fence_wait_timeout(struct dma_fence *fence,
				   bool intr, signed long timeout);
signed long dma_fence_wait_any_timeout(struct dma_fence **fences,
				       u32 count, bool intr,
				       signed long timeout, u32 *idx);

/**
 * dma_fence_wait - wait without a time limit
 * @fence: the fence
 * @intr: whether a signal may interrupt the wait
 *
 * Return: 0 once signaled, or -ERESTARTSYS when interrupted.
 */
static inline signed long dma_fence_wait(struct dma_fence *fence, bool intr)
{
	signed long ret = dma_fence_wait_timeout(fence, intr,
						 MAX_SCHEDULE_TIMEOUT);

	return ret < 0 ? ret : 0;
}

struct dma_fence *dma_fence_get_stub(void);
struct dma_fence *dma_fence_allocate_private_stub(ktime_t timestamp);
u64 dma_fence_context_alloc(unsigned int num);

extern const struct dma_fence_ops dma_fence_array_ops;
extern const struct dma_fence_ops dma_fence_chain_ops;

/**
 * dma_fence_is_array - is this a &struct dma_fence_array?
 * @fence: the fence
 *
 * Return: true for fence arrays.
 */
static inline bool dma_fence_is_array(struct dma_fence *fence)
{
	return fence->ops == &dma_fence_array_ops;
}

/**
 * dma_fence_is_chain - is this a &struct dma_fence_chain link?
 * @fence: the fence
 *
 * Return: true for chain links.
 */
static inline bool dma_fence_is_chain(struct dma_fence *fence)
{
	return fence->ops == &dma_fence_chain_ops;
}

/**
 * dma_fence_is_container - does this fence wrap other fences?
 * @fence: the fence
 *
 * Return: true for arrays and chain links.
 */
static inline bool dma_fence_is_container(struct dma_fence *fence)
{
	return dma_fence_is_array(fence) || dma_fence_is_chain(fence);
}

#endif /* __LINUX_DMA_FENCE_H */
