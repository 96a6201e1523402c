// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dma-fence core.
 *
 * Locking
 * -------
 * Each fence points at a driver-owned spinlock (&dma_fence.lock).  It
 * serialises three things and nothing else:
 *
 *  - the transition to signaled (setting %DMA_FENCE_FLAG_SIGNALED_BIT,
 *    replacing the callback list with the timestamp, running callbacks);
 *  - changes to &dma_fence.cb_list (add, remove);
 *  - the single call of &dma_fence_ops.enable_signaling.
 *
 * The signaled bit is only ever set with the lock held, so a lockless
 * test_bit() that sees it clear can be trusted again once the lock is taken.
 * Callbacks therefore run with the lock held and interrupts disabled; they
 * may signal other fences (whose locks must be of a different lockdep class)
 * and may drop the last reference of the fence they run on, because fences
 * are freed only after an RCU grace period and the signaler stays in an
 * RCU read-side section (interrupts off) until it releases the lock.
 *
 * Waiting is built on callbacks: a waiter queues a callback that wakes its
 * task, so drivers never need a wait queue of their own.
 *
 * With CONFIG_DMA_FENCE_DEBUG the list of pending fences has a lock of
 * its own, taken inside &dma_fence.lock (see dma-fence-debug.c).
 */

#include <linux/atomic.h>
#include <linux/dma-fence.h>
#include <linux/export.h>
#include <linux/init.h>
#include <linux/mmap_lock.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#define CREATE_TRACE_POINTS
#include <trace/events/dma_fence.h>

#include "dma-fence-debug.h"

EXPORT_TRACEPOINT_SYMBOL(dma_fence_emit);
EXPORT_TRACEPOINT_SYMBOL(dma_fence_enable_signal);
EXPORT_TRACEPOINT_SYMBOL(dma_fence_signaled);
#ifdef CONFIG_DMA_FENCE_DEBUG
EXPORT_TRACEPOINT_SYMBOL_GPL(dma_fence_stuck);
#endif

/*
 * Context 0 is never handed out: it belongs to the stub fences, which
 * callers may freely mix with real ones.
 */
static atomic64_t next_fence_context = ATOMIC64_INIT(1);

/**
 * dma_fence_context_alloc - reserve timeline identifiers
 * @num: how many consecutive contexts to reserve
 *
 * Each timeline of a driver (a ring, a queue, an engine) needs its own
 * context so that fences can be ordered by seqno within it.  The 64-bit
 * counter does not wrap in practice.
 *
 * Context: any.
 * Return: the first of @num consecutive, never reused context numbers.
 */
u64 dma_fence_context_alloc(unsigned int num)
{
	WARN_ON(!num);
	return atomic64_fetch_add(num, &next_fence_context);
}
EXPORT_SYMBOL(dma_fence_context_alloc);

static const char *stub_fence_name(struct dma_fence *fence)
{
	return "stub";
}

static const struct dma_fence_ops stub_fence_ops = {
	.get_driver_name = stub_fence_name,
	.get_timeline_name = stub_fence_name,
};

static DEFINE_SPINLOCK(stub_fence_lock);

/*
 * The shared stub is signaled from the start and is never freed: its count
 * starts at one and nothing owns that reference.  Being built at compile
 * time it needs no initcall ordering.  Its timestamp is written once, by
 * the first dma_fence_get_stub(), under stub_fence_lock; no one can read
 * it before that call returns.
 */
static struct dma_fence shared_stub_fence = {
	.lock = &stub_fence_lock,
	.ops = &stub_fence_ops,
	.flags = BIT(DMA_FENCE_FLAG_SIGNALED_BIT) |
		 BIT(DMA_FENCE_FLAG_TIMESTAMP_BIT) |
		 BIT(DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT),
	.refcount = KREF_INIT(1),
};

/**
 * dma_fence_get_stub - a fence that has always been signaled
 *
 * Useful where an API wants a fence but the work is already done.  All
 * callers share one object, of context 0; its timestamp is the time of
 * the first call.
 *
 * Context: any.
 * Return: a new reference to the shared stub fence.
 */
struct dma_fence *dma_fence_get_stub(void)
{
	struct dma_fence *stub = &shared_stub_fence;
	unsigned long flags;

	if (unlikely(!ktime_to_ns(READ_ONCE(stub->timestamp)))) {
		spin_lock_irqsave(&stub_fence_lock, flags);
		if (!ktime_to_ns(stub->timestamp))
			WRITE_ONCE(stub->timestamp, ktime_get());
		spin_unlock_irqrestore(&stub_fence_lock, flags);
	}
	return dma_fence_get(stub);
}
EXPORT_SYMBOL(dma_fence_get_stub);

/**
 * dma_fence_allocate_private_stub - a new fence, already signaled
 * @timestamp: the signal time to record
 *
 * Unlike dma_fence_get_stub() the fence is a separate object, for callers
 * that need distinct fences or a meaningful timestamp.
 *
 * Context: process context, may sleep.
 * Return: the fence, owned by the caller, or NULL when out of memory.
 */
struct dma_fence *dma_fence_allocate_private_stub(ktime_t timestamp)
{
	struct dma_fence *fence = kzalloc(sizeof(*fence), GFP_KERNEL);

	if (!fence)
		return NULL;
	dma_fence_init(fence, &stub_fence_ops, &stub_fence_lock, 0, 0);
	/* Nobody will ever need enable_signaling on it. */
	set_bit(DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, &fence->flags);
	dma_fence_signal_timestamp(fence, timestamp);
	return fence;
}
EXPORT_SYMBOL(dma_fence_allocate_private_stub);

#ifdef CONFIG_LOCKDEP
/*
 * A pseudo lock standing for "a fence is being signaled".  Signaling code
 * holds it for reading, dma_fence_wait() and friends take it for writing for
 * an instant.  Lockdep then sees every lock held while waiting on a fence as
 * ordered before fence completion, and reports any signaling path that takes
 * such a lock or that allocates memory with reclaim (see the priming below).
 */
static struct lockdep_map fence_signalling_map =
	STATIC_LOCKDEP_MAP_INIT("dma_fence_map", &fence_signalling_map);

/**
 * dma_fence_begin_signalling - enter a section that leads to fence completion
 *
 * Everything between this and dma_fence_end_signalling() is treated by
 * lockdep as work some fence's completion depends on: it must not wait for
 * a fence, take a lock under which fences are waited for, or allocate
 * memory in a way that can enter reclaim.  Sections may nest; only the
 * outermost one is recorded.
 *
 * The section is recorded as a plain (non-recursive) read of the pseudo
 * lock, the kind of read lockdep checks a write against, so every fence
 * wait (a write) is checked against every section and the locks taken
 * inside it.
 *
 * Context: any.  In atomic context as in_atomic() sees it (a raised
 * preempt count: spinlocks, bottom halves, interrupt handlers; with
 * CONFIG_PREEMPT_COUNT off, spinlocks do not raise it) nothing is
 * recorded, since sleeping there is already caught by might_sleep();
 * interrupts that are merely disabled do not count as atomic here.
 * Return: a cookie for dma_fence_end_signalling().
 */
bool dma_fence_begin_signalling(void)
{
	if (lock_is_held_type(&fence_signalling_map, 1))
		return true;
	/* What in_atomic() tests: any preempt count, irqs-off not included. */
	if (preempt_count())
		return true;
	lock_acquire_shared(&fence_signalling_map, 0, 0, NULL, _RET_IP_);
	return false;
}
EXPORT_SYMBOL(dma_fence_begin_signalling);

/**
 * dma_fence_end_signalling - leave a fence signalling section
 * @cookie: what dma_fence_begin_signalling() returned
 */
void dma_fence_end_signalling(bool cookie)
{
	if (cookie)
		return;
	lock_release(&fence_signalling_map, _RET_IP_);
}
EXPORT_SYMBOL(dma_fence_end_signalling);

/**
 * __dma_fence_might_wait - tell lockdep the caller may wait for a fence
 *
 * Called by every fence wait; callers that wait by other means (polling a
 * seqno, say) can call it themselves.  A wait inside a signalling section is
 * not reported as recursion: the section is stepped out of for the instant
 * and re-entered the way dma_fence_begin_signalling() enters it.
 */
void __dma_fence_might_wait(void)
{
	bool inside = lock_is_held_type(&fence_signalling_map, 1);

	if (inside)
		lock_release(&fence_signalling_map, _THIS_IP_);
	lock_map_acquire(&fence_signalling_map);
	lock_map_release(&fence_signalling_map);
	if (inside)
		lock_acquire_shared(&fence_signalling_map, 0, 0, NULL,
				    _THIS_IP_);
}

/*
 * Teach lockdep at boot what the rest of the kernel does only under load:
 * memory reclaim (shrinkers evicting buffers) and page faults (mapping a
 * buffer still being written by a device) wait for fences.  With these two
 * orders known from the start, a signalling path that allocates with
 * GFP_KERNEL or takes mmap_lock is reported the first time it runs, not the
 * first time it deadlocks.
 */
static int __init dma_fence_prime_lockdep(void)
{
	struct mm_struct *mm = mm_alloc();

	if (!mm)
		return -ENOMEM;

	mmap_read_lock(mm);
	__dma_fence_might_wait();
	mmap_read_unlock(mm);

	fs_reclaim_acquire(GFP_KERNEL);
	__dma_fence_might_wait();
	fs_reclaim_release(GFP_KERNEL);

	mmput(mm);
	return 0;
}
subsys_initcall(dma_fence_prime_lockdep);
#endif

/*
 * Take the callback list off a fence that is being signaled, moving it to
 * @pending (which need not be initialised), and store the timestamp in its
 * place.
 */
static void fence_mark_signaled(struct dma_fence *fence, ktime_t timestamp,
				struct list_head *pending)
{
	/* No re-init: the timestamp takes the list head's place. */
	list_replace(&fence->cb_list, pending);
	fence->timestamp = timestamp;
	/* dma_fence_timestamp() readers see the value before the bit. */
	smp_mb__before_atomic();
	set_bit(DMA_FENCE_FLAG_TIMESTAMP_BIT, &fence->flags);
}

/**
 * dma_fence_signal_timestamp_locked - complete a fence at a given time
 * @fence: the fence, with &dma_fence.lock held by the caller
 * @timestamp: the completion time to record, in the CLOCK_MONOTONIC base
 *
 * Marks the fence signaled, records @timestamp and runs every queued
 * callback in the order they were added, with the lock still held.
 *
 * Context: &dma_fence.lock held, interrupts disabled.
 * Return: 0, or -EINVAL when the fence had already signaled (nothing is
 * changed then).
 */
int dma_fence_signal_timestamp_locked(struct dma_fence *fence,
				      ktime_t timestamp)
{
	struct dma_fence_cb *cb, *tmp;
	struct list_head pending;

	lockdep_assert_held(fence->lock);

	/* Traced first, while the driver's names may still be asked for. */
	if (trace_dma_fence_signaled_enabled()) {
		if (test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags))
			return -EINVAL;
		trace_dma_fence_signaled(fence);
	}
	if (unlikely(test_and_set_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
				      &fence->flags)))
		return -EINVAL;

	dma_fence_pending_signaled(fence);
	fence_mark_signaled(fence, timestamp, &pending);
	list_for_each_entry_safe(cb, tmp, &pending, node) {
		/* An emptied node tells dma_fence_remove_callback() it ran. */
		INIT_LIST_HEAD(&cb->node);
		cb->func(fence, cb);
	}
	return 0;
}
EXPORT_SYMBOL(dma_fence_signal_timestamp_locked);

/**
 * dma_fence_signal_locked - complete a fence now
 * @fence: the fence, with &dma_fence.lock held by the caller
 *
 * As dma_fence_signal_timestamp_locked() with the current time.
 *
 * Context: &dma_fence.lock held, interrupts disabled.
 * Return: 0, or -EINVAL when the fence had already signaled.
 */
int dma_fence_signal_locked(struct dma_fence *fence)
{
	return dma_fence_signal_timestamp_locked(fence, ktime_get());
}
EXPORT_SYMBOL(dma_fence_signal_locked);

/*
 * The body of both unlocked signal calls, inlined into each so that a
 * signal costs the caller one call.
 */
static __always_inline int signal_at(struct dma_fence *fence,
				     ktime_t timestamp)
{
	unsigned long irqflags;
	bool cookie;
	int ret;

	/* A NULL fence is refused with -EINVAL, without a warning. */
	if (!fence)
		return -EINVAL;
	cookie = dma_fence_begin_signalling();
	spin_lock_irqsave(fence->lock, irqflags);
	ret = dma_fence_signal_timestamp_locked(fence, timestamp);
	spin_unlock_irqrestore(fence->lock, irqflags);
	dma_fence_end_signalling(cookie);
	return ret;
}

/**
 * dma_fence_signal_timestamp - complete a fence at a given time
 * @fence: the fence
 * @timestamp: the completion time to record, in the CLOCK_MONOTONIC base
 *
 * Takes &dma_fence.lock and calls dma_fence_signal_timestamp_locked(),
 * inside a fence signalling section.
 *
 * Context: any; takes &dma_fence.lock with interrupts disabled.
 * Return: 0, or -EINVAL when @fence is NULL or had already signaled.
 */
int dma_fence_signal_timestamp(struct dma_fence *fence, ktime_t timestamp)
{
	return signal_at(fence, timestamp);
}
EXPORT_SYMBOL(dma_fence_signal_timestamp);

/**
 * dma_fence_signal - complete a fence now
 * @fence: the fence
 *
 * Marks @fence signaled with the current time, runs its callbacks and
 * wakes its waiters.  A fence signals only once.
 *
 * Context: any; takes &dma_fence.lock with interrupts disabled.
 * Return: 0, or -EINVAL when @fence is NULL or had already signaled.
 */
int dma_fence_signal(struct dma_fence *fence)
{
	return signal_at(fence, ktime_get());
}
EXPORT_SYMBOL(dma_fence_signal);

/*
 * The first enable: set the bit and tell the driver; as below.  The bit
 * is set on a fence that has already signaled too (drivers and tests read
 * it), though the driver is not asked then.  Out of line: it runs once per
 * fence, and the callers that find the bit set need no frame for it.
 */
static noinline bool enable_signaling_first(struct dma_fence *fence)
{
	bool was_set = test_and_set_bit(DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT,
					&fence->flags);

	if (test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags))
		return true;
	dma_fence_pending_track(fence);
	if (was_set || !fence->ops->enable_signaling)
		return false;

	trace_dma_fence_enable_signal(fence);
	if (fence->ops->enable_signaling(fence))
		return false;
	/* The driver says the work is already done. */
	dma_fence_signal_locked(fence);
	return true;
}

/*
 * Make sure the driver will tell us about completion.  Returns true when the
 * fence is signaled by the time this returns.
 */
static __always_inline bool enable_signaling_locked(struct dma_fence *fence)
{
	lockdep_assert_held(fence->lock);

	/*
	 * Whoever set the bit has dealt with the driver (or, setting it by
	 * hand, asked us not to), and the lock keeps anyone from being
	 * about to: only the first caller needs the atomic and the driver.
	 */
	if (test_bit(DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, &fence->flags))
		return test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags);
	return enable_signaling_first(fence);
}

/**
 * dma_fence_enable_sw_signaling - ask the driver to signal this fence
 * @fence: the fence
 *
 * Calls &dma_fence_ops.enable_signaling once, so that the fence will be
 * signaled by its driver even though nobody has added a callback.  Adding a
 * callback or waiting does this implicitly.  Sets
 * %DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT also on a fence already signaled.
 *
 * Context: any; takes &dma_fence.lock with interrupts disabled.
 */
void dma_fence_enable_sw_signaling(struct dma_fence *fence)
{
	unsigned long irqflags;

	if (test_bit(DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, &fence->flags))
		return;

	spin_lock_irqsave(fence->lock, irqflags);
	enable_signaling_locked(fence);
	spin_unlock_irqrestore(fence->lock, irqflags);
}
EXPORT_SYMBOL(dma_fence_enable_sw_signaling);

/**
 * dma_fence_add_callback - run a function when the fence signals
 * @fence: the fence
 * @cb: storage for the callback, owned by the caller until it has run or
 *	been removed
 * @func: the function to call
 *
 * @func will be called exactly once, with &dma_fence.lock held and
 * interrupts disabled, when @fence signals; callbacks run in the order they
 * were added.  If @fence has already signaled, @func is never called and
 * -ENOENT is returned; @cb is then initialised so that
 * dma_fence_remove_callback() on it is harmless.
 *
 * Enables signaling on @fence (see dma_fence_enable_sw_signaling()).
 *
 * Context: any; takes &dma_fence.lock with interrupts disabled.
 * Return: 0 when queued, -ENOENT when already signaled, -EINVAL on bad
 * arguments.
 */
int dma_fence_add_callback(struct dma_fence *fence, struct dma_fence_cb *cb,
			   dma_fence_func_t func)
{
	unsigned long irqflags;
	int ret = -ENOENT;

	if (WARN_ON(!fence || !func))
		return -EINVAL;

	if (test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags))
		goto signaled;

	spin_lock_irqsave(fence->lock, irqflags);
	if (!enable_signaling_locked(fence)) {
		cb->func = func;
		list_add_tail(&cb->node, &fence->cb_list);
		/* The enable bit may have been set by hand, untracked. */
		dma_fence_pending_track(fence);
		ret = 0;
	}
	spin_unlock_irqrestore(fence->lock, irqflags);
	if (!ret)
		return 0;
signaled:
	INIT_LIST_HEAD(&cb->node);
	return ret;
}
EXPORT_SYMBOL(dma_fence_add_callback);

/**
 * dma_fence_remove_callback - cancel a callback
 * @fence: the fence @cb was added to
 * @cb: the callback
 *
 * Once this returns, @func of @cb is neither running nor going to run, and
 * @cb may be freed.
 *
 * Context: any; takes &dma_fence.lock with interrupts disabled, so it must
 * not be called from a callback of the same fence.
 * Return: true when the callback was still queued and has been removed,
 * false when it had already run (or was never queued).
 */
bool dma_fence_remove_callback(struct dma_fence *fence,
			       struct dma_fence_cb *cb)
{
	unsigned long irqflags;
	bool queued;

	spin_lock_irqsave(fence->lock, irqflags);
	queued = !list_empty(&cb->node);
	if (queued)
		list_del_init(&cb->node);
	spin_unlock_irqrestore(fence->lock, irqflags);
	return queued;
}
EXPORT_SYMBOL(dma_fence_remove_callback);

/**
 * dma_fence_get_status - completion status of a fence
 * @fence: the fence
 *
 * Context: any; takes &dma_fence.lock with interrupts disabled.
 * Return: 0 while unsignaled, 1 when signaled without error, or the
 * negative error set with dma_fence_set_error().
 */
int dma_fence_get_status(struct dma_fence *fence)
{
	unsigned long irqflags;
	int status;

	spin_lock_irqsave(fence->lock, irqflags);
	status = dma_fence_get_status_locked(fence);
	spin_unlock_irqrestore(fence->lock, irqflags);
	return status;
}
EXPORT_SYMBOL(dma_fence_get_status);

/**
 * dma_fence_set_deadline - say when the fence's result will be needed
 * @fence: the fence
 * @deadline: the time, in the CLOCK_MONOTONIC base, by which the caller
 *	would like @fence to signal (for example the next vblank)
 *
 * Passes the hint to &dma_fence_ops.set_deadline, so a driver can raise its
 * clocks or reorder work.  It changes nothing about the fence itself, and is
 * ignored for signaled fences and for drivers without the hook.
 *
 * Context: any.
 */
void dma_fence_set_deadline(struct dma_fence *fence, ktime_t deadline)
{
	dma_fence_pending_deadline(fence, deadline);
	if (fence->ops->set_deadline && !dma_fence_is_signaled(fence))
		fence->ops->set_deadline(fence, deadline);
}
EXPORT_SYMBOL(dma_fence_set_deadline);

/**
 * dma_fence_driver_name - name of the driver that made a fence, if it may
 *	still be asked
 * @fence: the fence
 *
 * For callers that may outlive the driver: for a signaled fence it
 * returns a fixed string instead of calling
 * &dma_fence_ops.get_driver_name.  The core's own reports
 * (dma_fence_describe(), sync file info) ask the driver directly, signaled
 * or not.  Call under rcu_read_lock() or holding a reference; the string
 * is valid until then.
 *
 * Return: the driver's name, or "detached-driver" for a signaled fence.
 */
const char *dma_fence_driver_name(struct dma_fence *fence)
{
	if (test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags))
		return "detached-driver";
	if (!fence->ops->get_driver_name)
		return "unknown-driver";
	return fence->ops->get_driver_name(fence);
}
EXPORT_SYMBOL(dma_fence_driver_name);

/**
 * dma_fence_timeline_name - name of a fence's timeline, if it may still be
 *	asked
 * @fence: the fence
 *
 * Same rules as dma_fence_driver_name().
 *
 * Return: the timeline's name, or "signaled-timeline" for a signaled fence.
 */
const char *dma_fence_timeline_name(struct dma_fence *fence)
{
	if (test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags))
		return "signaled-timeline";
	if (!fence->ops->get_timeline_name)
		return "unknown-timeline";
	return fence->ops->get_timeline_name(fence);
}
EXPORT_SYMBOL(dma_fence_timeline_name);

/* One per fence being waited on: wakes the waiting task. */
struct fence_waiter {
	struct dma_fence_cb cb;
	struct task_struct *task;
};

static void fence_waiter_wake(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	wake_up_process(container_of(cb, struct fence_waiter, cb)->task);
}

#ifdef CONFIG_DMA_FENCE_DEBUG
/* The pending-fence list counts waiters apart from other callbacks. */
bool dma_fence_cb_is_waiter(const struct dma_fence_cb *cb)
{
	return cb->func == fence_waiter_wake;
}
#endif

/*
 * The index of the first fence in @fences flagged signaled, or @count if
 * none is.  Only the flag counts, as in every sleeping wait: a driver's
 * &dma_fence_ops.signaled is not asked.
 */
static u32 first_flagged(struct dma_fence **fences, u32 count)
{
	u32 i;

	for (i = 0; i < count; i++)
		if (test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fences[i]->flags))
			break;
	return i;
}

/*
 * Sleep until one of @fences signals, with a callback already armed on each
 * of them.  Returns what is left of @timeout (at least 1 once a fence has
 * signaled), 0 on timeout or -ERESTARTSYS; the index found goes to @found.
 */
static long sleep_until_signaled(struct dma_fence **fences, u32 count,
				 bool intr, long timeout, u32 *found)
{
	unsigned int state = intr ? TASK_INTERRUPTIBLE : TASK_UNINTERRUPTIBLE;
	u32 i;

	for (;;) {
		/* The state is set before the check: no wakeup is lost. */
		set_current_state(state);
		i = first_flagged(fences, count);
		if (i < count) {
			timeout = max(timeout, 1L);
			break;
		}
		if (intr && signal_pending(current)) {
			timeout = -ERESTARTSYS;
			break;
		}
		if (!timeout)
			break;
		timeout = schedule_timeout(timeout);
	}
	__set_current_state(TASK_RUNNING);
	*found = i;
	return timeout;
}

/**
 * dma_fence_default_wait - wait for a fence with a callback
 * @fence: the fence
 * @intr: whether a signal may interrupt the wait
 * @timeout: the longest wait in jiffies, or %MAX_SCHEDULE_TIMEOUT
 *
 * The wait used for every fence whose driver does not supply
 * &dma_fence_ops.wait.  It does not enable signaling: its callers do that
 * first when they want the driver to report completion (a wait through
 * dma_fence_wait_timeout() does).  The caller must hold a reference to
 * @fence.
 *
 * Context: process context, may sleep (unless @timeout is 0).
 * Return: the jiffies left of @timeout once signaled (1 when @timeout is 0
 * and the fence has signaled), 0 on timeout, -ERESTARTSYS when interrupted.
 */
signed long dma_fence_default_wait(struct dma_fence *fence, bool intr,
				   signed long timeout)
{
	struct fence_waiter waiter = { .task = current };
	unsigned long flags;
	u32 found;

	/* Only the flag: &dma_fence_ops.signaled is not asked. */
	if (test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags))
		return timeout ? timeout : 1;
	if (intr && signal_pending(current))
		return -ERESTARTSYS;
	if (!timeout)
		return 0;

	/* Woken first, ahead of the callbacks queued before. */
	spin_lock_irqsave(fence->lock, flags);
	if (test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags)) {
		spin_unlock_irqrestore(fence->lock, flags);
		return timeout;	/* signaled meanwhile */
	}
	waiter.cb.func = fence_waiter_wake;
	list_add(&waiter.cb.node, &fence->cb_list);
	dma_fence_pending_track(fence);
	spin_unlock_irqrestore(fence->lock, flags);

	timeout = sleep_until_signaled(&fence, 1, intr, timeout, &found);
	/* Also waits out a signaler still running our callback. */
	dma_fence_remove_callback(fence, &waiter.cb);
	return timeout;
}
EXPORT_SYMBOL(dma_fence_default_wait);

/**
 * dma_fence_wait_timeout - wait for a fence to signal
 * @fence: the fence, referenced by the caller
 * @intr: whether a signal may interrupt the wait
 * @timeout: the longest wait in jiffies, or %MAX_SCHEDULE_TIMEOUT
 *
 * Enables signaling first (see dma_fence_enable_sw_signaling()), whatever
 * @timeout is.  A driver with its own &dma_fence_ops.wait is then asked
 * every time, signaled fence or not, and its answer is returned as it is:
 * such a driver may, for instance, answer 0 for "signaled, no time left".
 * Every other fence gets dma_fence_default_wait()'s answer, which for a
 * fence already flagged signaled is given without taking its lock.
 *
 * Context: process context, may sleep.
 * Return: the jiffies left of @timeout once signaled (1 when @timeout is 0
 * and the fence has signaled), 0 on timeout, -ERESTARTSYS when interrupted,
 * -EINVAL for a negative @timeout; drivers' own waits may return other
 * values.
 */
signed long dma_fence_wait_timeout(struct dma_fence *fence, bool intr,
				   signed long timeout)
{
	signed long (*own_wait)(struct dma_fence *fence, bool intr,
				signed long timeout) = fence->ops->wait;
	signed long left;

	might_sleep();
	if (WARN_ON(timeout < 0))
		return -EINVAL;
	__dma_fence_might_wait();

	/* Ahead of wait_start, and of any driver wait that relies on it. */
	dma_fence_enable_sw_signaling(fence);

	trace_dma_fence_wait_start(fence);
	if (own_wait)
		left = own_wait(fence, intr, timeout);
	else if (!test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags))
		left = dma_fence_default_wait(fence, intr, timeout);
	else
		left = timeout ? timeout : 1;
	trace_dma_fence_wait_end(fence);
	return left;
}
EXPORT_SYMBOL(dma_fence_wait_timeout);

/*
 * Waiting on a few fences needs no allocation: their callbacks live on the
 * stack.  Larger sets fall back to one allocation per call.
 */
#define WAIT_ANY_ON_STACK 8

/**
 * dma_fence_wait_any_timeout - wait until one of several fences signals
 * @fences: the fences, each referenced by the caller
 * @count: how many there are (at least one)
 * @intr: whether a signal may interrupt the wait
 * @timeout: the longest wait in jiffies, or %MAX_SCHEDULE_TIMEOUT
 * @idx: if not NULL, receives on success the index of the first fence in
 *	@fences (lowest index) found signaled
 *
 * Works with every kind of fence, including ones with their own
 * &dma_fence_ops.wait.  Waiting on up to eight fences allocates nothing.
 *
 * Context: process context, may sleep (unless @timeout is 0).
 * Return: the jiffies left of @timeout once a fence signaled (1 when
 * @timeout is 0 and one has signaled), 0 on timeout, -ERESTARTSYS when
 * interrupted, -EINVAL on bad arguments, -ENOMEM when the callbacks of a
 * large set could not be allocated.
 */
signed long dma_fence_wait_any_timeout(struct dma_fence **fences,
				       u32 count, bool intr,
				       signed long timeout, u32 *idx)
{
	struct fence_waiter on_stack[WAIT_ANY_ON_STACK];
	struct fence_waiter *waiters = on_stack;
	u32 armed, found;

	if (WARN_ON(!fences || !count || timeout < 0))
		return -EINVAL;

	/* A poll asks the drivers; a wait goes by the flags. */
	if (!timeout) {
		for (found = 0; found < count; found++) {
			if (dma_fence_is_signaled(fences[found])) {
				if (idx)
					*idx = found;
				return 1;
			}
		}
		return 0;
	}

	might_sleep();
	__dma_fence_might_wait();
	if (count > ARRAY_SIZE(on_stack)) {
		waiters = kmalloc_array(count, sizeof(*waiters), GFP_KERNEL);
		if (!waiters)
			return -ENOMEM;
	}

	/*
	 * Stop arming at a fence that has signaled: it ends the wait, with
	 * all of @timeout left, and is the one reported.
	 */
	for (armed = 0; armed < count; armed++) {
		waiters[armed].task = current;
		if (dma_fence_add_callback(fences[armed], &waiters[armed].cb,
					   fence_waiter_wake))
			break;
	}

	if (armed < count)
		found = armed;
	else
		timeout = sleep_until_signaled(fences, count, intr, timeout,
					       &found);

	while (armed--)
		dma_fence_remove_callback(fences[armed], &waiters[armed].cb);
	if (waiters != on_stack)
		kfree(waiters);

	if (timeout > 0 && idx)
		*idx = found;
	return timeout;
}
EXPORT_SYMBOL(dma_fence_wait_any_timeout);

/*
 * The last reference went away while callbacks were still queued: whoever
 * queued them will wait forever.  Say so, and complete the fence with an
 * error so they get to run.
 */
static void fail_stranded_callbacks(struct dma_fence *fence)
{
	unsigned long irqflags;

	WARN(1, "dma-fence %llu:%llu freed with callbacks pending\n",
	     fence->context, fence->seqno);
	spin_lock_irqsave(fence->lock, irqflags);
	fence->error = -EDEADLK;
	dma_fence_signal_locked(fence);
	spin_unlock_irqrestore(fence->lock, irqflags);
}

/**
 * dma_fence_release - free a fence whose last reference is gone
 * @kref: &dma_fence.refcount
 *
 * Called by dma_fence_put(), not directly.  A fence freed while callbacks
 * are still queued on it is a driver bug: it warns, then signals the fence
 * with -EDEADLK so those waiters are not left hanging.
 */
void dma_fence_release(struct kref *kref)
{
	struct dma_fence *fence = container_of(kref, struct dma_fence,
					       refcount);
	void (*release)(struct dma_fence *fence) = fence->ops->release;

	trace_dma_fence_destroy(fence);
	if (unlikely(!test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags) &&
		     !list_empty(&fence->cb_list)))
		fail_stranded_callbacks(fence);
	dma_fence_pending_freed(fence);

	(release ? release : dma_fence_free)(fence);
}
EXPORT_SYMBOL(dma_fence_release);

/**
 * dma_fence_free - free a fence after an RCU grace period
 * @fence: the fence, allocated with kmalloc() and friends
 *
 * The default release; drivers with their own &dma_fence_ops.release
 * call it once they have torn down their part.
 */
void dma_fence_free(struct dma_fence *fence)
{
	kfree_rcu(fence, rcu);
}
EXPORT_SYMBOL(dma_fence_free);

/**
 * dma_fence_describe - print one line about a fence into a seq_file
 * @fence: the fence
 * @seq: where to print
 *
 * Prints the driver's and the timeline's names (asked of the driver, also
 * for a signaled fence), the seqno and whether the fence has signaled.
 */
void dma_fence_describe(struct dma_fence *fence, struct seq_file *seq)
{
	const char *driver = fence->ops->get_driver_name(fence);
	const char *timeline = fence->ops->get_timeline_name(fence);

	seq_printf(seq, "%s %s seq %llu %ssignalled\n", driver, timeline,
		   fence->seqno, dma_fence_is_signaled(fence) ? "" : "un");
}
EXPORT_SYMBOL(dma_fence_describe);

/**
 * dma_fence_init - initialise a fence
 * @fence: the fence, usually embedded in a driver structure
 * @ops: the driver's operations; get_driver_name and get_timeline_name are
 *	required
 * @lock: the spinlock that will serialise signaling of @fence
 * @context: the timeline, from dma_fence_context_alloc()
 * @seqno: position on the timeline; must grow along the timeline
 *
 * The fence starts unsignaled with one reference, owned by the caller.
 *
 * Context: any.
 */
void dma_fence_init(struct dma_fence *fence, const struct dma_fence_ops *ops,
		    spinlock_t *lock, u64 context, u64 seqno)
{
	WARN_ON(!ops->get_driver_name || !ops->get_timeline_name);

	/* Field by field, which covers them all: no memset() first. */
	fence->lock = lock;
	fence->ops = ops;
	INIT_LIST_HEAD(&fence->cb_list);
	fence->context = context;
	fence->seqno = seqno;
	fence->flags = 0;
	kref_init(&fence->refcount);
	fence->error = 0;
	dma_fence_pending_init(fence);
	trace_dma_fence_init(fence);
}
EXPORT_SYMBOL(dma_fence_init);
