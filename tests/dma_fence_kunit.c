// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite for the dma-fence core: every statement the API makes about
 * signaling, callbacks, errors, timestamps, waits and seqno ordering, plus a
 * race of signal against add_callback, remove_callback and wait on all CPUs.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/dma-fence.h>
#include <linux/kthread.h>
#include <linux/random.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <trace/events/dma_fence.h>

#include "expect-warn.h"
#include "fail-nth.h"
#include "mock-fence.h"

/* A mock fence whose driver hooks record what the core asked of them. */
struct probe_fence {
	struct mock_fence mock;	/* first: dma_fence_free() frees this */
	int enable_calls;
	bool done_at_enable;	/* enable_signaling reports completion */
	bool hw_done;		/* what the ->signaled hook answers */
	int deadline_calls;
	ktime_t deadline;
	atomic_t *released;	/* counts ->release calls if set */
	struct dma_fence *peer;	/* signaled by peer_enable_signaling() */
};

static struct probe_fence *to_probe(struct dma_fence *fence)
{
	return container_of(fence, struct probe_fence, mock.base);
}

static const char *mock_driver_name(struct dma_fence *fence)
{
	return "mock";
}

static const char *mock_timeline_name(struct dma_fence *fence)
{
	return "mock-timeline";
}

static bool mock_enable_signaling(struct dma_fence *fence)
{
	struct probe_fence *m = to_probe(fence);

	m->enable_calls++;
	return !m->done_at_enable;
}

static bool mock_signaled(struct dma_fence *fence)
{
	return READ_ONCE(to_probe(fence)->hw_done);
}

static void mock_set_deadline(struct dma_fence *fence, ktime_t deadline)
{
	struct probe_fence *m = to_probe(fence);

	m->deadline_calls++;
	m->deadline = deadline;
}

static void mock_release(struct dma_fence *fence)
{
	struct probe_fence *m = to_probe(fence);

	if (m->released)
		atomic_inc(m->released);
	dma_fence_free(fence);
}

static const struct dma_fence_ops mock_ops = {
	.get_driver_name = mock_driver_name,
	.get_timeline_name = mock_timeline_name,
	.enable_signaling = mock_enable_signaling,
	.signaled = mock_signaled,
	.set_deadline = mock_set_deadline,
	.release = mock_release,
};

/* No optional hooks at all, and 64-bit seqnos. */
static const struct dma_fence_ops bare64_ops = {
	.use_64bit_seqno = true,
	.get_driver_name = mock_driver_name,
	.get_timeline_name = mock_timeline_name,
};

static struct dma_fence *mock_create(struct kunit *test,
				     const struct dma_fence_ops *ops,
				     u64 context, u64 seqno)
{
	return &mock_fence_new_of(test, struct probe_fence, ops, context,
				  seqno)->mock.base;
}

/*
 * A driver wait that counts its calls, notes whether the core had enabled
 * signaling before asking, and answers whatever the test chose.
 */
static atomic_t custom_waits;
static long custom_wait_answer;
static bool custom_wait_saw_enable;

static signed long custom_wait(struct dma_fence *fence, bool intr,
			       signed long timeout)
{
	atomic_inc(&custom_waits);
	custom_wait_saw_enable = test_bit(DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT,
					  &fence->flags);
	return READ_ONCE(custom_wait_answer);
}

static const struct dma_fence_ops custom_wait_ops = {
	.get_driver_name = mock_driver_name,
	.get_timeline_name = mock_timeline_name,
	.wait = custom_wait,
};

#ifdef DMA_BUF_USERSPACE_SHIM
/* Each misses one of the two names dma_fence_init() requires. */
static const struct dma_fence_ops no_driver_name_ops = {
	.get_timeline_name = mock_timeline_name,
};

static const struct dma_fence_ops no_timeline_name_ops = {
	.get_driver_name = mock_driver_name,
};
#endif

/* Enabling signaling on such a fence signals its peer first. */
static bool peer_enable_signaling(struct dma_fence *fence)
{
	dma_fence_signal(to_probe(fence)->peer);
	return true;
}

static const struct dma_fence_ops peer_ops = {
	.get_driver_name = mock_driver_name,
	.get_timeline_name = mock_timeline_name,
	.enable_signaling = peer_enable_signaling,
};

static struct dma_fence *probe_fence(struct kunit *test)
{
	return mock_create(test, &mock_ops, dma_fence_context_alloc(1), 1);
}

/* A callback that logs which one ran, and checks it runs under the lock. */
struct log_cb {
	struct dma_fence_cb cb;
	int id;
	int *log;
	int *len;
	bool locked;
};

static void log_cb_func(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	struct log_cb *l = container_of(cb, struct log_cb, cb);

	/* Without lockdep this reads as true: the check needs the debug config. */
	l->locked = lockdep_is_held_type(fence->lock, -1);
	l->log[(*l->len)++] = l->id;
}

static void dma_fence_init_state(struct kunit *test)
{
	u64 ctx = dma_fence_context_alloc(1);
	struct dma_fence *f = mock_create(test, &mock_ops, ctx, 42);

	KUNIT_EXPECT_EQ(test, kref_read(&f->refcount), 1U);
	KUNIT_EXPECT_EQ(test, f->context, ctx);
	KUNIT_EXPECT_EQ(test, f->seqno, 42ULL);
	KUNIT_EXPECT_EQ(test, f->flags, 0UL);
	KUNIT_EXPECT_EQ(test, f->error, 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&f->cb_list));
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(f), 0);
	KUNIT_EXPECT_PTR_EQ(test, dma_fence_get(f), f);
	KUNIT_EXPECT_EQ(test, kref_read(&f->refcount), 2U);
	dma_fence_put(f);
	dma_fence_put(f);
}

static void dma_fence_context_alloc_consecutive(struct kunit *test)
{
	u64 a = dma_fence_context_alloc(1);
	u64 b = dma_fence_context_alloc(4);
	u64 c = dma_fence_context_alloc(1);

	KUNIT_EXPECT_NE(test, a, 0ULL);
	KUNIT_EXPECT_GT(test, b, a);
	KUNIT_EXPECT_GE(test, c, b + 4);
}

static void dma_fence_signal_twice(struct kunit *test)
{
	struct dma_fence *f = probe_fence(test);
	unsigned long irqflags;

	KUNIT_EXPECT_EQ(test, dma_fence_signal_timestamp(f, ns_to_ktime(1000)), 0);
	KUNIT_EXPECT_EQ(test, dma_fence_signal_timestamp(f, ns_to_ktime(2000)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, dma_fence_signal(f), -EINVAL);
	spin_lock_irqsave(f->lock, irqflags);
	KUNIT_EXPECT_EQ(test, dma_fence_signal_locked(f), -EINVAL);
	spin_unlock_irqrestore(f->lock, irqflags);

	KUNIT_EXPECT_EQ(test, ktime_to_ns(dma_fence_timestamp(f)), 1000LL);
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(f), 1);
	dma_fence_put(f);
}

static void dma_fence_callbacks_run_once_in_order(struct kunit *test)
{
	struct dma_fence *f = probe_fence(test);
	struct log_cb cbs[3];
	int log[4] = {}, len = 0, i;

	for (i = 0; i < ARRAY_SIZE(cbs); i++) {
		cbs[i] = (struct log_cb){ .id = i, .log = log, .len = &len };
		KUNIT_ASSERT_EQ(test, dma_fence_add_callback(f, &cbs[i].cb,
							     log_cb_func), 0);
	}
	KUNIT_EXPECT_EQ(test, len, 0);
	KUNIT_EXPECT_EQ(test, dma_fence_signal(f), 0);
	KUNIT_EXPECT_EQ(test, dma_fence_signal(f), -EINVAL);

	KUNIT_ASSERT_EQ(test, len, 3);
	for (i = 0; i < ARRAY_SIZE(cbs); i++) {
		KUNIT_EXPECT_EQ(test, log[i], i);
		KUNIT_EXPECT_TRUE(test, cbs[i].locked);
		KUNIT_EXPECT_TRUE(test, list_empty(&cbs[i].cb.node));
	}
	dma_fence_put(f);
}

static void dma_fence_add_callback_after_signal(struct kunit *test)
{
	struct dma_fence *f = probe_fence(test);
	int log[1], len = 0;
	struct log_cb cb = { .log = log, .len = &len };

	dma_fence_signal(f);
	KUNIT_EXPECT_EQ(test, dma_fence_add_callback(f, &cb.cb, log_cb_func),
			-ENOENT);
	KUNIT_EXPECT_TRUE(test, list_empty(&cb.cb.node));
	KUNIT_EXPECT_FALSE(test, dma_fence_remove_callback(f, &cb.cb));
	KUNIT_EXPECT_EQ(test, dma_fence_signal(f), -EINVAL);
	KUNIT_EXPECT_EQ(test, len, 0);
	dma_fence_put(f);
}

static void dma_fence_remove_callback_before_signal(struct kunit *test)
{
	struct dma_fence *f = probe_fence(test);
	int log[2], len = 0;
	struct log_cb gone = { .id = 1, .log = log, .len = &len };
	struct log_cb kept = { .id = 2, .log = log, .len = &len };

	KUNIT_ASSERT_EQ(test, dma_fence_add_callback(f, &gone.cb, log_cb_func), 0);
	KUNIT_ASSERT_EQ(test, dma_fence_add_callback(f, &kept.cb, log_cb_func), 0);
	KUNIT_EXPECT_TRUE(test, dma_fence_remove_callback(f, &gone.cb));
	KUNIT_EXPECT_FALSE(test, dma_fence_remove_callback(f, &gone.cb));
	dma_fence_signal(f);
	KUNIT_ASSERT_EQ(test, len, 1);
	KUNIT_EXPECT_EQ(test, log[0], 2);
	dma_fence_put(f);
}

static void dma_fence_remove_callback_after_signal(struct kunit *test)
{
	struct dma_fence *f = probe_fence(test);
	int log[1], len = 0;
	struct log_cb cb = { .log = log, .len = &len };

	KUNIT_ASSERT_EQ(test, dma_fence_add_callback(f, &cb.cb, log_cb_func), 0);
	dma_fence_signal(f);
	KUNIT_EXPECT_EQ(test, len, 1);
	KUNIT_EXPECT_FALSE(test, dma_fence_remove_callback(f, &cb.cb));
	dma_fence_put(f);
}

static void dma_fence_error_before_signal(struct kunit *test)
{
	struct dma_fence *bad = probe_fence(test);
	struct dma_fence *good = probe_fence(test);

	dma_fence_set_error(bad, -EIO);
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(bad), 0);
	dma_fence_signal(bad);
	dma_fence_signal(good);
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(bad), -EIO);
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(good), 1);
	dma_fence_put(bad);
	dma_fence_put(good);
}

static void dma_fence_timestamp_set_at_signal(struct kunit *test)
{
	struct dma_fence *f = probe_fence(test);
	ktime_t before, after, ts;

	KUNIT_EXPECT_FALSE(test, test_bit(DMA_FENCE_FLAG_TIMESTAMP_BIT,
					  &f->flags));
	before = ktime_get();
	dma_fence_signal(f);
	after = ktime_get();

	KUNIT_EXPECT_TRUE(test, test_bit(DMA_FENCE_FLAG_TIMESTAMP_BIT,
					 &f->flags));
	ts = dma_fence_timestamp(f);
	KUNIT_EXPECT_TRUE(test, ktime_compare(before, ts) <= 0);
	KUNIT_EXPECT_TRUE(test, ktime_compare(ts, after) <= 0);
	KUNIT_EXPECT_EQ(test, ktime_to_ns(f->timestamp), ktime_to_ns(ts));
	dma_fence_put(f);
}

static void dma_fence_timestamps_monotonic(struct kunit *test)
{
	struct dma_fence *f[16];
	int i;

	for (i = 0; i < ARRAY_SIZE(f); i++) {
		f[i] = probe_fence(test);
		dma_fence_signal(f[i]);
	}
	for (i = 1; i < ARRAY_SIZE(f); i++)
		KUNIT_EXPECT_TRUE(test, ktime_compare(f[i - 1]->timestamp,
						      f[i]->timestamp) <= 0);
	for (i = 0; i < ARRAY_SIZE(f); i++)
		dma_fence_put(f[i]);
}

static void dma_fence_enable_signaling_called_once(struct kunit *test)
{
	struct dma_fence *f = probe_fence(test);
	int log[2], len = 0;
	struct log_cb a = { .log = log, .len = &len };
	struct log_cb b = { .log = log, .len = &len };

	KUNIT_EXPECT_EQ(test, to_probe(f)->enable_calls, 0);
	dma_fence_enable_sw_signaling(f);
	KUNIT_EXPECT_EQ(test, to_probe(f)->enable_calls, 1);
	KUNIT_EXPECT_TRUE(test, test_bit(DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT,
					 &f->flags));
	dma_fence_add_callback(f, &a.cb, log_cb_func);
	dma_fence_add_callback(f, &b.cb, log_cb_func);
	dma_fence_enable_sw_signaling(f);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, false, 0), 0);
	KUNIT_EXPECT_EQ(test, to_probe(f)->enable_calls, 1);
	dma_fence_signal(f);
	KUNIT_EXPECT_EQ(test, len, 2);
	dma_fence_put(f);
}

static void dma_fence_enable_signaling_reports_done(struct kunit *test)
{
	struct dma_fence *f = probe_fence(test);
	int log[1], len = 0;
	struct log_cb cb = { .log = log, .len = &len };

	to_probe(f)->done_at_enable = true;
	KUNIT_EXPECT_EQ(test, dma_fence_add_callback(f, &cb.cb, log_cb_func),
			-ENOENT);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(f));
	KUNIT_EXPECT_EQ(test, len, 0);
	dma_fence_put(f);
}

static void dma_fence_without_optional_hooks(struct kunit *test)
{
	struct dma_fence *f = mock_create(test, &bare64_ops, 5, 1);
	int log[1], len = 0;
	struct log_cb cb = { .log = log, .len = &len };

	dma_fence_enable_sw_signaling(f);
	KUNIT_EXPECT_TRUE(test, test_bit(DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT,
					 &f->flags));
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(f));
	dma_fence_set_deadline(f, ktime_get());
	KUNIT_EXPECT_EQ(test, dma_fence_add_callback(f, &cb.cb, log_cb_func), 0);
	dma_fence_signal(f);
	KUNIT_EXPECT_EQ(test, len, 1);
	dma_fence_put(f);
}

static void dma_fence_is_signaled_asks_driver(struct kunit *test)
{
	struct dma_fence *f = probe_fence(test);
	int log[1], len = 0;
	struct log_cb cb = { .log = log, .len = &len };

	dma_fence_add_callback(f, &cb.cb, log_cb_func);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(f));
	WRITE_ONCE(to_probe(f)->hw_done, true);
	KUNIT_EXPECT_FALSE(test, test_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
					  &f->flags));
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(f));
	KUNIT_EXPECT_TRUE(test, test_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
					 &f->flags));
	KUNIT_EXPECT_EQ(test, len, 1);
	dma_fence_put(f);
}

/*
 * As in 6.1, enabling signaling on a fence that has signaled sets the
 * enable bit all the same, without asking the driver.
 */
static void dma_fence_enable_after_signal_sets_bit(struct kunit *test)
{
	struct dma_fence *f = probe_fence(test);

	dma_fence_signal(f);
	dma_fence_enable_sw_signaling(f);
	KUNIT_EXPECT_TRUE(test, test_bit(DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT,
					 &f->flags));
	KUNIT_EXPECT_EQ(test, to_probe(f)->enable_calls, 0);
	dma_fence_put(f);
}

/*
 * 6.1's waits that sleep go by the signaled flag alone: a fence whose
 * ->signaled hook says done but which nobody signaled times out, as a
 * wait on it does in 6.1.  Only dma_fence_is_signaled(), and the poll of
 * dma_fence_wait_any_timeout() with no time, ask the hook.
 */
static void dma_fence_wait_goes_by_the_flag(struct kunit *test)
{
	struct dma_fence *f = probe_fence(test);
	struct dma_fence *g = probe_fence(test);
	struct dma_fence *both[] = { g, f };
	u32 idx = U32_MAX;

	WRITE_ONCE(to_probe(f)->hw_done, true);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, false, 0), 0L);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, true, 2), 0L);
	KUNIT_EXPECT_EQ(test, dma_fence_default_wait(f, false, 2), 0L);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_any_timeout(both, 2, false, 2,
							 &idx), 0L);
	KUNIT_EXPECT_EQ(test, idx, U32_MAX);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_any_timeout(both, 2, false, 0,
							 &idx), 1L);
	KUNIT_EXPECT_EQ(test, idx, 1U);
	KUNIT_EXPECT_TRUE(test, test_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
					 &f->flags));
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, false, 7), 7L);
	dma_fence_signal(g);
	dma_fence_put(f);
	dma_fence_put(g);
}

/*
 * dma_fence_default_wait() called on its own, as a driver's wait() hook
 * may, only waits: it does not enable signaling, which its callers
 * (dma_fence_wait_timeout() first of all) do when they want it.  A driver
 * that would report the fence done when asked is not asked, and the wait
 * runs out.
 */
static void dma_fence_default_wait_does_not_enable(struct kunit *test)
{
	struct dma_fence *f = probe_fence(test);

	to_probe(f)->done_at_enable = true;
	KUNIT_EXPECT_EQ(test, dma_fence_default_wait(f, false, 1), 0L);
	KUNIT_EXPECT_EQ(test, to_probe(f)->enable_calls, 0);
	KUNIT_EXPECT_FALSE(test, test_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
					  &f->flags));
	KUNIT_EXPECT_FALSE(test, test_bit(DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT,
					  &f->flags));
	/* Through dma_fence_wait_timeout() it is asked first, and done. */
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, false, 5), 5L);
	KUNIT_EXPECT_EQ(test, to_probe(f)->enable_calls, 1);
	dma_fence_put(f);
}

static void dma_fence_wait_on_signaled(struct kunit *test)
{
	struct dma_fence *f = probe_fence(test);

	dma_fence_signal(f);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, false, 10), 10L);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, true, 0), 1L);
	KUNIT_EXPECT_EQ(test, dma_fence_wait(f, true), 0L);
	KUNIT_EXPECT_EQ(test, dma_fence_default_wait(f, false, 0), 1L);
	dma_fence_put(f);
}

static void dma_fence_wait_timeout_expires(struct kunit *test)
{
	struct dma_fence *f = probe_fence(test);
	unsigned long start = jiffies;

	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, false, 0), 0L);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, true, 3), 0L);
	KUNIT_EXPECT_TRUE(test, time_after_eq(jiffies, start + 3));
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(f));
	/* The waiter's callback is gone again: signaling must not touch it. */
	KUNIT_EXPECT_TRUE(test, list_empty(&f->cb_list));
	dma_fence_signal(f);
	dma_fence_put(f);
}

static void dma_fence_wait_interruptible(struct kunit *test)
{
	struct dma_fence *f = probe_fence(test);
	struct dma_fence *g = probe_fence(test);
	struct dma_fence *both[] = { f, g };
	u32 idx = 77;

	/* Fake a pending signal: the test runs in a kthread. */
	set_tsk_thread_flag(current, TIF_SIGPENDING);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, true, HZ),
			(long)-ERESTARTSYS);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_any_timeout(both, 2, true, HZ,
							 &idx),
			(long)-ERESTARTSYS);
	KUNIT_EXPECT_EQ(test, idx, 77U);
	/* An uninterruptible wait ignores it and runs to its timeout. */
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, false, 2), 0L);
	clear_tsk_thread_flag(current, TIF_SIGPENDING);

	KUNIT_EXPECT_TRUE(test, list_empty(&f->cb_list));
	KUNIT_EXPECT_TRUE(test, list_empty(&g->cb_list));
	dma_fence_signal(f);
	dma_fence_signal(g);
	dma_fence_put(f);
	dma_fence_put(g);
}

/* Signals a fence from a workqueue after a delay. */
struct delayed_signal {
	struct delayed_work work;
	struct dma_fence *fence;
};

static void delayed_signal_func(struct work_struct *work)
{
	struct delayed_signal *ds = container_of(work, struct delayed_signal,
						 work.work);

	dma_fence_signal(ds->fence);
}

static void signal_later(struct delayed_signal *ds, struct dma_fence *fence,
			 unsigned int ms)
{
	ds->fence = fence;
	INIT_DELAYED_WORK_ONSTACK(&ds->work, delayed_signal_func);
	schedule_delayed_work(&ds->work, msecs_to_jiffies(ms));
}

static void signal_done(struct delayed_signal *ds)
{
	flush_delayed_work(&ds->work);
	destroy_delayed_work_on_stack(&ds->work);
}

static void dma_fence_wait_woken_by_signal(struct kunit *test)
{
	struct dma_fence *f = probe_fence(test);
	struct delayed_signal ds;
	long ret;

	signal_later(&ds, f, 20);
	ret = dma_fence_wait_timeout(f, true, 30 * HZ);
	KUNIT_EXPECT_GT(test, ret, 0L);
	KUNIT_EXPECT_LE(test, ret, 30L * HZ);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(f));
	signal_done(&ds);
	dma_fence_put(f);
}

static void dma_fence_wait_any_reports_first(struct kunit *test)
{
	static const u32 counts[] = { 1, 2, 8, 9, 33 };
	struct dma_fence *f[33];
	int c, i;

	for (c = 0; c < ARRAY_SIZE(counts); c++) {
		u32 n = counts[c], idx = U32_MAX;

		for (i = 0; i < n; i++)
			f[i] = probe_fence(test);

		KUNIT_EXPECT_EQ(test, dma_fence_wait_any_timeout(f, n, false, 0,
								 &idx), 0L);
		KUNIT_EXPECT_EQ(test, dma_fence_wait_any_timeout(f, n, true, 2,
								 &idx), 0L);
		KUNIT_EXPECT_EQ(test, idx, U32_MAX);

		/* Two signaled: the lower index is reported. */
		dma_fence_signal(f[n - 1]);
		if (n > 2)
			dma_fence_signal(f[n / 2]);
		KUNIT_EXPECT_EQ(test, dma_fence_wait_any_timeout(f, n, true, 5,
								 &idx), 5L);
		KUNIT_EXPECT_EQ(test, idx, n > 2 ? n / 2 : n - 1);
		KUNIT_EXPECT_EQ(test, dma_fence_wait_any_timeout(f, n, true, 0,
								 NULL), 1L);

		for (i = 0; i < n; i++) {
			bool clean = dma_fence_is_signaled(f[i]) ||
				     list_empty(&f[i]->cb_list);

			KUNIT_EXPECT_TRUE(test, clean);
			dma_fence_signal(f[i]);
			dma_fence_put(f[i]);
		}
	}
}

static void dma_fence_wait_any_woken(struct kunit *test)
{
	struct dma_fence *f[16];
	struct delayed_signal ds;
	u32 n, idx = U32_MAX;
	int i;

	/* Once with callbacks on the stack, once allocated. */
	for (n = 4; n <= ARRAY_SIZE(f); n += ARRAY_SIZE(f) - 4) {
		for (i = 0; i < n; i++)
			f[i] = probe_fence(test);
		signal_later(&ds, f[n - 2], 10);
		KUNIT_EXPECT_GT(test, dma_fence_wait_any_timeout(f, n, false,
								 30 * HZ,
								 &idx), 0L);
		KUNIT_EXPECT_EQ(test, idx, n - 2);
		signal_done(&ds);
		for (i = 0; i < n; i++) {
			dma_fence_signal(f[i]);
			dma_fence_put(f[i]);
		}
	}
}

static void put_fence_cb(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	dma_fence_put(fence);
}

static void dma_fence_callback_drops_last_reference(struct kunit *test)
{
	struct dma_fence *f = probe_fence(test);
	atomic_t released = ATOMIC_INIT(0);
	struct dma_fence_cb cb;

	to_probe(f)->released = &released;
	/* Our only reference now belongs to the callback. */
	KUNIT_ASSERT_EQ(test, dma_fence_add_callback(f, &cb, put_fence_cb), 0);
	KUNIT_EXPECT_EQ(test, dma_fence_signal(f), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&released), 1);
}

struct chained_cb {
	struct dma_fence_cb cb;
	struct dma_fence *next;
};

static void signal_next_cb(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	dma_fence_signal(container_of(cb, struct chained_cb, cb)->next);
}

static void dma_fence_callback_signals_another(struct kunit *test)
{
	static struct lock_class_key second_class;
	struct dma_fence *a = probe_fence(test);
	struct dma_fence *b = probe_fence(test);
	struct chained_cb link = { .next = b };
	int log[1], len = 0;
	struct log_cb tail = { .id = 9, .log = log, .len = &len };

	/* b's lock nests inside a's: tell lockdep it is another class. */
	lockdep_set_class(b->lock, &second_class);
	KUNIT_ASSERT_EQ(test, dma_fence_add_callback(a, &link.cb,
						     signal_next_cb), 0);
	KUNIT_ASSERT_EQ(test, dma_fence_add_callback(b, &tail.cb,
						     log_cb_func), 0);
	dma_fence_signal(a);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(b));
	KUNIT_EXPECT_EQ(test, len, 1);
	KUNIT_EXPECT_TRUE(test, tail.locked);
	KUNIT_EXPECT_TRUE(test, ktime_compare(a->timestamp, b->timestamp) <= 0);
	dma_fence_put(a);
	dma_fence_put(b);
}

static void dma_fence_seqno_order_32bit_wrap(struct kunit *test)
{
	const struct dma_fence_ops *ops = &mock_ops;

	KUNIT_EXPECT_TRUE(test, __dma_fence_is_later(1, 0xffffffff, ops));
	KUNIT_EXPECT_FALSE(test, __dma_fence_is_later(0xffffffff, 1, ops));
	KUNIT_EXPECT_FALSE(test, __dma_fence_is_later(7, 7, ops));
	KUNIT_EXPECT_TRUE(test, __dma_fence_is_later(0x7fffffff, 0, ops));
	KUNIT_EXPECT_FALSE(test, __dma_fence_is_later(0x80000000, 0, ops));
	/* Only the low 32 bits count. */
	KUNIT_EXPECT_FALSE(test, __dma_fence_is_later(0x100000001ULL, 2, ops));
	KUNIT_EXPECT_TRUE(test, __dma_fence_is_later(3, 0x500000002ULL, ops));
}

static void dma_fence_seqno_order_64bit(struct kunit *test)
{
	const struct dma_fence_ops *ops = &bare64_ops;

	KUNIT_EXPECT_FALSE(test, __dma_fence_is_later(1, 0xffffffff, ops));
	KUNIT_EXPECT_TRUE(test, __dma_fence_is_later(0x100000000ULL,
						     0xffffffff, ops));
	KUNIT_EXPECT_TRUE(test, __dma_fence_is_later(U64_MAX, 0, ops));
	KUNIT_EXPECT_FALSE(test, __dma_fence_is_later(0, U64_MAX, ops));
	KUNIT_EXPECT_FALSE(test, __dma_fence_is_later(9, 9, ops));
}

static void dma_fence_later_helpers(struct kunit *test)
{
	u64 ctx = dma_fence_context_alloc(1);
	struct dma_fence *old = mock_create(test, &mock_ops, ctx, 0xfffffffe);
	struct dma_fence *new = mock_create(test, &mock_ops, ctx, 3);

	KUNIT_EXPECT_TRUE(test, dma_fence_is_later(new, old));
	KUNIT_EXPECT_FALSE(test, dma_fence_is_later(old, new));
	KUNIT_EXPECT_TRUE(test, dma_fence_is_later_or_same(old, old));
	KUNIT_EXPECT_PTR_EQ(test, dma_fence_later(old, new), new);
	KUNIT_EXPECT_PTR_EQ(test, dma_fence_later(new, old), new);
	dma_fence_signal(new);
	KUNIT_EXPECT_NULL(test, dma_fence_later(old, new));
	dma_fence_signal(old);
	dma_fence_put(old);
	dma_fence_put(new);
}

static void dma_fence_stubs(struct kunit *test)
{
	struct dma_fence *s = dma_fence_get_stub();
	struct dma_fence *p, *q;

	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(s));
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(s), 1);
	KUNIT_EXPECT_EQ(test, s->context, 0ULL);
	/* As in 6.1, the stub is stamped when it is first asked for. */
	KUNIT_EXPECT_GT(test, ktime_to_ns(dma_fence_timestamp(s)), 0LL);
	KUNIT_EXPECT_LE(test, ktime_compare(dma_fence_timestamp(s), ktime_get()), 0);
	KUNIT_EXPECT_PTR_EQ(test, dma_fence_get_stub(), s);
	dma_fence_put(s);
	dma_fence_put(s);
	KUNIT_EXPECT_GE(test, kref_read(&s->refcount), 1U);

	p = dma_fence_allocate_private_stub(ns_to_ktime(1234));
	q = dma_fence_allocate_private_stub(ns_to_ktime(5678));
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_NE(test, p, q);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(p));
	KUNIT_EXPECT_EQ(test, ktime_to_ns(dma_fence_timestamp(p)), 1234LL);
	KUNIT_EXPECT_EQ(test, ktime_to_ns(dma_fence_timestamp(q)), 5678LL);
	dma_fence_put(p);
	dma_fence_put(q);
}

static void dma_fence_get_rcu_safe_follows_pointer(struct kunit *test)
{
	struct dma_fence *f = probe_fence(test);
	struct dma_fence __rcu *slot = NULL;
	struct dma_fence *got;

	rcu_read_lock();
	KUNIT_EXPECT_NULL(test, dma_fence_get_rcu_safe(&slot));
	rcu_read_unlock();

	rcu_assign_pointer(slot, f);
	rcu_read_lock();
	got = dma_fence_get_rcu_safe(&slot);
	rcu_read_unlock();
	KUNIT_EXPECT_PTR_EQ(test, got, f);
	KUNIT_EXPECT_EQ(test, kref_read(&f->refcount), 2U);
	dma_fence_put(got);
	dma_fence_put(f);
}

static void describe_into(struct dma_fence *f, char *buf, size_t size)
{
	struct seq_file seq = { .buf = buf, .size = size };

	dma_fence_describe(f, &seq);
	buf[min(seq.count, size - 1)] = '\0';
}

static void dma_fence_describe_and_names(struct kunit *test)
{
	struct dma_fence *f = mock_create(test, &mock_ops, 3, 5);
	char buf[128];

	KUNIT_EXPECT_STREQ(test, dma_fence_driver_name(f), "mock");
	KUNIT_EXPECT_STREQ(test, dma_fence_timeline_name(f), "mock-timeline");
	describe_into(f, buf, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, "mock mock-timeline seq 5 unsignalled\n");

	dma_fence_set_error(f, -EIO);
	dma_fence_signal(f);
	/*
	 * The safe accessors leave a signaled fence's driver alone, but the
	 * description asks the driver whatever the state, and shows no
	 * error: the line is 6.1's.
	 */
	KUNIT_EXPECT_STREQ(test, dma_fence_driver_name(f), "detached-driver");
	KUNIT_EXPECT_STREQ(test, dma_fence_timeline_name(f),
			   "signaled-timeline");
	describe_into(f, buf, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, "mock mock-timeline seq 5 signalled\n");
	dma_fence_put(f);
}

/*
 * Asking for no context at all is a caller bug that warns; nothing is
 * reserved, so the next context handed out is the same number.
 */
static void dma_fence_context_alloc_zero_warns(struct kunit *test)
{
	u64 none, next;

	EXPECT_WARN_BEGIN("dma_fence_context_alloc_zero");
	none = dma_fence_context_alloc(0);
	EXPECT_WARN_END("dma_fence_context_alloc_zero");
	next = dma_fence_context_alloc(1);

	KUNIT_EXPECT_NE(test, none, 0ULL);
	KUNIT_EXPECT_GE(test, next, none);
}

DEFINE_EXPECT_WARN_CASE(dma_fence_context_alloc_zero_warns)

#ifdef DMA_BUF_USERSPACE_SHIM
/*
 * Both names are required: a fence missing either one warns at init.  The
 * safe accessors then fall back to a fixed string for the missing name.
 * Userspace only: the kernel's dma_fence tracepoints call the name hooks
 * directly, as 6.1's do, so with tracing on (the test boot's) such a
 * fence cannot be made there at all.
 */
static void dma_fence_init_without_names_warns(struct kunit *test)
{
	struct dma_fence *no_driver, *no_timeline;

	EXPECT_WARN_BEGIN("dma_fence_init_no_driver_name");
	no_driver = mock_create(test, &no_driver_name_ops, 9, 1);
	EXPECT_WARN_END("dma_fence_init_no_driver_name");
	EXPECT_WARN_BEGIN("dma_fence_init_no_timeline_name");
	no_timeline = mock_create(test, &no_timeline_name_ops, 9, 2);
	EXPECT_WARN_END("dma_fence_init_no_timeline_name");

	KUNIT_EXPECT_STREQ(test, dma_fence_driver_name(no_driver),
			   "unknown-driver");
	KUNIT_EXPECT_STREQ(test, dma_fence_timeline_name(no_driver),
			   "mock-timeline");
	KUNIT_EXPECT_STREQ(test, dma_fence_driver_name(no_timeline), "mock");
	KUNIT_EXPECT_STREQ(test, dma_fence_timeline_name(no_timeline),
			   "unknown-timeline");
	dma_fence_signal(no_driver);
	dma_fence_signal(no_timeline);
	dma_fence_put(no_driver);
	dma_fence_put(no_timeline);
}

DEFINE_EXPECT_WARN_CASE(dma_fence_init_without_names_warns)
#endif

/* A NULL fence is refused quietly, as 6.1 refuses it: no warning. */
static void dma_fence_signal_null_is_einval(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, dma_fence_signal(NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, dma_fence_signal_timestamp(NULL, ktime_get()),
			-EINVAL);
}

/*
 * A private stub is a fence of context 0 and seqno 0, named "stub", that
 * has signaled and has signaling enabled, so nobody asks it to enable.
 */
static void dma_fence_private_stub_identity(struct kunit *test)
{
	struct dma_fence *p = dma_fence_allocate_private_stub(ns_to_ktime(77));
	struct dma_fence *s = dma_fence_get_stub();
	char buf[64];

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, p->context, 0ULL);
	KUNIT_EXPECT_EQ(test, p->seqno, 0ULL);
	KUNIT_EXPECT_EQ(test, p->error, 0);
	KUNIT_EXPECT_TRUE(test, test_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
					 &p->flags));
	KUNIT_EXPECT_TRUE(test, test_bit(DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT,
					 &p->flags));
	describe_into(p, buf, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, "stub stub seq 0 signalled\n");
	describe_into(s, buf, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, "stub stub seq 0 signalled\n");
	dma_fence_put(s);
	dma_fence_put(p);
}

/*
 * Out of memory a private stub is NULL, as in 6.1; each allocation is
 * failed in turn until the stub is made, after the first one.
 */
static void dma_fence_private_stub_no_memory(struct kunit *test)
{
	struct dma_fence *p;
	unsigned int n;

	fail_nth_require(test, FAIL_NTH_SLEEPING);
	for (n = 1;; n++) {
		fail_nth_arm(n);
		p = dma_fence_allocate_private_stub(ns_to_ktime(33));
		if (!fail_nth_disarm())
			break;
		KUNIT_EXPECT_NULL(test, p);
		if (p)
			dma_fence_put(p);
	}
	KUNIT_EXPECT_EQ(test, n, 2U);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(p));
	KUNIT_EXPECT_EQ(test, ktime_to_ns(p->timestamp), 33LL);
	dma_fence_put(p);
}

/*
 * More fences than the wait keeps callbacks for on the stack: without
 * memory for theirs, dma_fence_wait_any_timeout() is -ENOMEM at once, as
 * in 6.1, with no callback queued, no driver asked and @idx untouched.
 * Once the memory is there, the wait finds the signaled fence.
 */
static void dma_fence_wait_any_no_memory(struct kunit *test)
{
	struct dma_fence *f[9];
	unsigned int n, i;
	signed long ret;
	u32 idx;

	fail_nth_require(test, FAIL_NTH_SLEEPING);
	for (i = 0; i < ARRAY_SIZE(f); i++)
		f[i] = probe_fence(test);
	dma_fence_signal(f[6]);
	for (n = 1;; n++) {
		idx = U32_MAX;
		fail_nth_arm(n);
		ret = dma_fence_wait_any_timeout(f, ARRAY_SIZE(f), true, 3,
						 &idx);
		if (!fail_nth_disarm())
			break;
		KUNIT_EXPECT_EQ(test, ret, (long)-ENOMEM);
		KUNIT_EXPECT_EQ(test, idx, U32_MAX);
		for (i = 0; i < ARRAY_SIZE(f); i++) {
			KUNIT_EXPECT_TRUE(test, i == 6 ||
					  list_empty(&f[i]->cb_list));
			KUNIT_EXPECT_EQ(test, to_probe(f[i])->enable_calls, 0);
		}
	}
	KUNIT_EXPECT_EQ(test, n, 2U);
	KUNIT_EXPECT_EQ(test, ret, 3L);
	KUNIT_EXPECT_EQ(test, idx, 6U);

	/* Eight fences, the most that fit on the stack, allocate nothing. */
	fail_nth_arm(1);
	ret = dma_fence_wait_any_timeout(f, 8, true, 3, &idx);
	KUNIT_EXPECT_FALSE(test, fail_nth_disarm());
	KUNIT_EXPECT_EQ(test, ret, 3L);

	for (i = 0; i < ARRAY_SIZE(f); i++) {
		if (i != 6)
			KUNIT_EXPECT_TRUE(test, list_empty(&f[i]->cb_list));
		dma_fence_signal(f[i]);
		dma_fence_put(f[i]);
	}
}

#ifdef DMA_BUF_USERSPACE_SHIM
#include <time.h>

/* CPU time this thread has used, in nanoseconds. */
static u64 thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}
#endif

/*
 * A wait leaves its task running however it ends, timed out or woken by
 * the signal, as 6.1's does.  In the userspace build it also checks that
 * a wait sleeps: waiting out 100 ms costs the waiter next to no CPU time.
 */
static void dma_fence_wait_leaves_task_running(struct kunit *test)
{
	struct dma_fence *f[2] = { probe_fence(test), probe_fence(test) };
	struct delayed_signal ds;
#ifdef DMA_BUF_USERSPACE_SHIM
	u64 cpu = thread_cpu_ns();
#endif

	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f[0], true, HZ / 10), 0L);
	KUNIT_EXPECT_TRUE(test, task_is_running(current));
#ifdef DMA_BUF_USERSPACE_SHIM
	KUNIT_EXPECT_LT(test, thread_cpu_ns() - cpu, 30 * NSEC_PER_MSEC);
#endif
	KUNIT_EXPECT_EQ(test, dma_fence_wait_any_timeout(f, 2, false, 2, NULL),
			0L);
	KUNIT_EXPECT_TRUE(test, task_is_running(current));

	signal_later(&ds, f[1], 5);
	KUNIT_EXPECT_GT(test, dma_fence_wait_any_timeout(f, 2, true, 30 * HZ,
							 NULL), 0L);
	KUNIT_EXPECT_TRUE(test, task_is_running(current));
	signal_done(&ds);
	signal_later(&ds, f[0], 5);
	KUNIT_EXPECT_GT(test, dma_fence_wait_timeout(f[0], false, 30 * HZ), 0L);
	KUNIT_EXPECT_TRUE(test, task_is_running(current));
	signal_done(&ds);
	dma_fence_put(f[0]);
	dma_fence_put(f[1]);
}

#ifdef DMA_BUF_USERSPACE_SHIM
/*
 * The checks the core makes of its callers: signaling a fence "locked"
 * without its lock held, and waiting where sleeping is not allowed, warn.
 * Userspace only: in the kernel the first needs lockdep still enabled,
 * and the second is reported as a BUG, not a WARNING.
 */
static void dma_fence_caller_checks_warn(struct kunit *test)
{
	struct dma_fence *f = probe_fence(test);

	EXPECT_WARN_BEGIN("dma_fence_signal_locked_unlocked");
	KUNIT_EXPECT_EQ(test, dma_fence_signal_locked(f), 0);
	EXPECT_WARN_END("dma_fence_signal_locked_unlocked");
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(f));

	rcu_read_lock();
	EXPECT_WARN_BEGIN("dma_fence_wait_atomic");
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, false, 1), 1L);
	EXPECT_WARN_END("dma_fence_wait_atomic");
	EXPECT_WARN_BEGIN("dma_fence_wait_any_atomic");
	KUNIT_EXPECT_EQ(test, dma_fence_wait_any_timeout(&f, 1, false, 1,
							 NULL), 1L);
	EXPECT_WARN_END("dma_fence_wait_any_atomic");
	rcu_read_unlock();
	dma_fence_put(f);
}

DEFINE_EXPECT_WARN_CASE(dma_fence_caller_checks_warn)
#endif

/*
 * Counts its runs and records the fence's error as the callback saw it,
 * and whether the fence's lock was held (always true without lockdep).
 */
struct error_cb {
	struct dma_fence_cb cb;
	int calls;
	int error;
	bool locked;
};

static void error_cb_func(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	struct error_cb *e = container_of(cb, struct error_cb, cb);

	e->calls++;
	e->error = fence->error;
	e->locked = lockdep_is_held_type(fence->lock, -1);
}

/*
 * Dropping the last reference with callbacks still queued is a driver bug:
 * it warns, and the callbacks run with -EDEADLK so that their owners are
 * not left waiting.  The fence's lock is the test's own here, so the test
 * can see that the release gave it back.
 */
static void dma_fence_released_with_callbacks_pending(struct kunit *test)
{
	struct mock_fence *m = kzalloc(sizeof(*m), GFP_KERNEL);
	struct error_cb e = {};
	spinlock_t lock; /* the fence's lock, outliving the fence */
	bool free_again;

	KUNIT_ASSERT_NOT_NULL(test, m);
	spin_lock_init(&lock);
	dma_fence_init(&m->base, &bare64_ops, &lock,
		       dma_fence_context_alloc(1), 1);
	KUNIT_ASSERT_EQ(test, dma_fence_add_callback(&m->base, &e.cb,
						     error_cb_func), 0);

	EXPECT_WARN_BEGIN("dma_fence_released_with_callbacks_pending");
	dma_fence_put(&m->base);
	EXPECT_WARN_END("dma_fence_released_with_callbacks_pending");

	KUNIT_EXPECT_EQ(test, e.calls, 1);
	KUNIT_EXPECT_EQ(test, e.error, -EDEADLK);
	KUNIT_EXPECT_TRUE(test, e.locked);
	free_again = spin_trylock(&lock);
	KUNIT_EXPECT_TRUE(test, free_again);
	if (free_again)
		spin_unlock(&lock);
}

DEFINE_EXPECT_WARN_CASE(dma_fence_released_with_callbacks_pending)

static void noop_cb(struct dma_fence *fence, struct dma_fence_cb *cb)
{
}

/* Bad arguments warn and are refused with -EINVAL, one call at a time. */
static void dma_fence_bad_arguments_warn(struct kunit *test)
{
	struct dma_fence *f = probe_fence(test);
	struct dma_fence *one[] = { f };
	struct dma_fence_cb cb;
	long ret;
	int err;

	EXPECT_WARN_BEGIN("dma_fence_add_callback_to_nothing");
	err = dma_fence_add_callback(NULL, &cb, noop_cb);
	EXPECT_WARN_END("dma_fence_add_callback_to_nothing");
	KUNIT_EXPECT_EQ(test, err, -EINVAL);

	EXPECT_WARN_BEGIN("dma_fence_add_callback_without_func");
	err = dma_fence_add_callback(f, &cb, NULL);
	EXPECT_WARN_END("dma_fence_add_callback_without_func");
	KUNIT_EXPECT_EQ(test, err, -EINVAL);

	EXPECT_WARN_BEGIN("dma_fence_wait_negative_timeout");
	ret = dma_fence_wait_timeout(f, false, -1);
	EXPECT_WARN_END("dma_fence_wait_negative_timeout");
	KUNIT_EXPECT_EQ(test, ret, (long)-EINVAL);

	EXPECT_WARN_BEGIN("dma_fence_wait_any_no_array");
	ret = dma_fence_wait_any_timeout(NULL, 1, false, 1, NULL);
	EXPECT_WARN_END("dma_fence_wait_any_no_array");
	KUNIT_EXPECT_EQ(test, ret, (long)-EINVAL);

	EXPECT_WARN_BEGIN("dma_fence_wait_any_no_fences");
	ret = dma_fence_wait_any_timeout(one, 0, false, 1, NULL);
	EXPECT_WARN_END("dma_fence_wait_any_no_fences");
	KUNIT_EXPECT_EQ(test, ret, (long)-EINVAL);

	EXPECT_WARN_BEGIN("dma_fence_wait_any_negative_timeout");
	ret = dma_fence_wait_any_timeout(one, 1, false, -1, NULL);
	EXPECT_WARN_END("dma_fence_wait_any_negative_timeout");
	KUNIT_EXPECT_EQ(test, ret, (long)-EINVAL);

	/* Nothing was queued on the fence: the -EINVAL calls left it alone. */
	KUNIT_EXPECT_TRUE(test, list_empty(&f->cb_list));
	dma_fence_signal(f);
	dma_fence_put(f);
}

DEFINE_EXPECT_WARN_CASE(dma_fence_bad_arguments_warn)

/*
 * A fence found signaled while a wait on several is being set up ends the
 * wait with all of the timeout left, even a single jiffy, and is the one
 * reported: already signaled before the call, or signaled as a side effect
 * of arming a later fence.
 */
static void dma_fence_wait_any_one_jiffy_left(struct kunit *test)
{
	static struct lock_class_key peer_class;
	struct dma_fence *a = probe_fence(test), *done = probe_fence(test);
	struct dma_fence *waker = mock_create(test, &peer_ops,
					      dma_fence_context_alloc(1), 1);
	struct dma_fence *first[] = { a, done };
	struct dma_fence *second[] = { a, waker };
	u32 idx = U32_MAX;

	/* a is signaled under waker's lock: another lock class for lockdep. */
	lockdep_set_class(a->lock, &peer_class);
	to_probe(waker)->peer = a;
	dma_fence_signal(done);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_any_timeout(first, 2, false, 1,
							 &idx), 1L);
	KUNIT_EXPECT_EQ(test, idx, 1U);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_any_timeout(first, 2, false, 3,
							 NULL), 3L);

	idx = U32_MAX;
	KUNIT_EXPECT_EQ(test, dma_fence_wait_any_timeout(second, 2, true, 1,
							 &idx), 1L);
	KUNIT_EXPECT_EQ(test, idx, 0U);
	KUNIT_EXPECT_TRUE(test, list_empty(&waker->cb_list));

	dma_fence_signal(waker);
	dma_fence_put(a);
	dma_fence_put(done);
	dma_fence_put(waker);
}

static void dma_fence_deadline_hint(struct kunit *test)
{
	struct dma_fence *f = probe_fence(test);
	ktime_t when = ktime_add_ms(ktime_get(), 16);

	dma_fence_set_deadline(f, when);
	KUNIT_EXPECT_EQ(test, to_probe(f)->deadline_calls, 1);
	KUNIT_EXPECT_EQ(test, ktime_to_ns(to_probe(f)->deadline),
			ktime_to_ns(when));
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(f));
	dma_fence_signal(f);
	dma_fence_set_deadline(f, ktime_add_ms(when, 16));
	KUNIT_EXPECT_EQ(test, to_probe(f)->deadline_calls, 1);
	dma_fence_put(f);
}

static void dma_fence_signalling_sections_nest(struct kunit *test)
{
	bool outer, inner, atomic_cookie;

	outer = dma_fence_begin_signalling();
	inner = dma_fence_begin_signalling();
	dma_fence_end_signalling(inner);
	dma_fence_end_signalling(outer);

	preempt_disable();
	atomic_cookie = dma_fence_begin_signalling();
	dma_fence_end_signalling(atomic_cookie);
	preempt_enable();

	/* Only the outermost section outside atomic context is recorded. */
	KUNIT_EXPECT_EQ(test, outer, !IS_ENABLED(CONFIG_LOCKDEP));
	KUNIT_EXPECT_TRUE(test, inner);
	KUNIT_EXPECT_EQ(test, atomic_cookie,
			!IS_ENABLED(CONFIG_LOCKDEP) ||
			IS_ENABLED(CONFIG_PREEMPT_COUNT));
}

#ifdef CONFIG_LOCKDEP
/* The innermost lock lockdep records for the current task, or NULL. */
static struct held_lock *innermost_held(void)
{
	int depth = current->lockdep_depth;

	return depth ? &current->held_locks[depth - 1] : NULL;
}

/* What lockdep holds for the current task: depth and innermost lock. */
struct held_snapshot {
	int depth;
	const char *name;
	unsigned int read;
	unsigned int check;
};

static void snapshot_held(struct held_snapshot *snap)
{
	struct held_lock *hl = innermost_held();

	snap->depth = current->lockdep_depth;
	snap->name = hl ? hl->instance->name : NULL;
	snap->read = hl ? hl->read : 0;
	snap->check = hl ? hl->check : 0;
}

/*
 * Lockdep sees a section as a non-recursive read of "dma_fence_map", also
 * after a wait inside it; interrupts being off alone (preempt count zero)
 * is not atomic context for the annotation.  Nothing is checked inside a
 * section: a failing check allocates, which a section forbids.
 */
static void dma_fence_signalling_annotation(struct kunit *test)
{
	struct held_snapshot outer, nested, waited, irqs_off;
	int depth = current->lockdep_depth;
	bool cookie, inner, irq_cookie, bh_cookie;
	unsigned long flags;

	cookie = dma_fence_begin_signalling();
	snapshot_held(&outer);
	inner = dma_fence_begin_signalling();
	snapshot_held(&nested);
	dma_fence_end_signalling(inner);
	__dma_fence_might_wait();
	snapshot_held(&waited);
	dma_fence_end_signalling(cookie);

	KUNIT_EXPECT_FALSE(test, cookie);
	KUNIT_EXPECT_EQ(test, outer.depth, depth + 1);
	KUNIT_EXPECT_STREQ(test, outer.name ? outer.name : "", "dma_fence_map");
	KUNIT_EXPECT_EQ(test, outer.read, 1U);
	KUNIT_EXPECT_EQ(test, outer.check, 1U);
	KUNIT_EXPECT_TRUE(test, inner);
	KUNIT_EXPECT_EQ(test, nested.depth, depth + 1);
	KUNIT_EXPECT_EQ(test, waited.depth, depth + 1);
	KUNIT_EXPECT_EQ(test, waited.read, 1U);
	KUNIT_EXPECT_EQ(test, current->lockdep_depth, depth);

	local_irq_save(flags);
	irq_cookie = dma_fence_begin_signalling();
	snapshot_held(&irqs_off);
	dma_fence_end_signalling(irq_cookie);
	local_irq_restore(flags);
	KUNIT_EXPECT_FALSE(test, irq_cookie);
	KUNIT_EXPECT_EQ(test, irqs_off.depth, depth + 1);
	KUNIT_EXPECT_EQ(test, irqs_off.read, 1U);
	KUNIT_EXPECT_EQ(test, current->lockdep_depth, depth);

	local_bh_disable();
	bh_cookie = dma_fence_begin_signalling();
	dma_fence_end_signalling(bh_cookie);
	local_bh_enable();
	KUNIT_EXPECT_TRUE(test, bh_cookie);
	KUNIT_EXPECT_EQ(test, current->lockdep_depth, depth);
}
#else
static void dma_fence_signalling_annotation(struct kunit *test)
{
	kunit_skip(test, "CONFIG_LOCKDEP is off");
}
#endif

#if IS_ENABLED(CONFIG_TRACEPOINTS)
struct trace_count {
	struct dma_fence *fence;
	int hits;
};

static void count_probe(void *data, struct dma_fence *fence)
{
	struct trace_count *tc = data;

	if (fence == tc->fence)
		tc->hits++;
}

static void dma_fence_tracepoints_fire(struct kunit *test)
{
	struct dma_fence *f = probe_fence(test);
	struct trace_count emit = { f }, enable = { f }, signaled = { f };
	int log[2], len = 0;
	struct log_cb cb1 = { .log = log, .len = &len };
	struct log_cb cb2 = { .log = log, .len = &len };

	KUNIT_ASSERT_EQ(test, register_trace_dma_fence_emit(count_probe, &emit), 0);
	KUNIT_ASSERT_EQ(test, register_trace_dma_fence_enable_signal(count_probe,
								     &enable), 0);
	KUNIT_ASSERT_EQ(test, register_trace_dma_fence_signaled(count_probe,
								&signaled), 0);
	trace_dma_fence_emit(f);
	dma_fence_add_callback(f, &cb1.cb, log_cb_func);
	dma_fence_add_callback(f, &cb2.cb, log_cb_func);
	dma_fence_signal(f);
	dma_fence_signal(f);
	unregister_trace_dma_fence_emit(count_probe, &emit);
	unregister_trace_dma_fence_enable_signal(count_probe, &enable);
	unregister_trace_dma_fence_signaled(count_probe, &signaled);
	tracepoint_synchronize_unregister();

	KUNIT_EXPECT_EQ(test, emit.hits, 1);
	KUNIT_EXPECT_EQ(test, enable.hits, 1);
	KUNIT_EXPECT_EQ(test, signaled.hits, 1);
	KUNIT_EXPECT_EQ(test, len, 2);
	dma_fence_put(f);
}

#ifndef MODULE
/*
 * The events of a wait, in order, as letters: E enable_signal, S wait_start,
 * X wait_end.  The wait tracepoints are not exported: not from a module.
 */
struct trace_order {
	struct dma_fence *fence;
	char seq[16];
	int len;
};

static void order_note(void *data, struct dma_fence *fence, char c)
{
	struct trace_order *to = data;

	if (fence == to->fence && to->len < sizeof(to->seq) - 1)
		to->seq[to->len++] = c;
}

static void order_enable(void *data, struct dma_fence *fence)
{
	order_note(data, fence, 'E');
}

static void order_start(void *data, struct dma_fence *fence)
{
	order_note(data, fence, 'S');
}

static void order_end(void *data, struct dma_fence *fence)
{
	order_note(data, fence, 'X');
}

static const struct dma_fence_ops mock_wait_ops = {
	.get_driver_name = mock_driver_name,
	.get_timeline_name = mock_timeline_name,
	.enable_signaling = mock_enable_signaling,
	.wait = custom_wait,
};

/* Signaling is enabled before wait_start; both events come every time. */
static void dma_fence_wait_trace_events(struct kunit *test)
{
	struct dma_fence *plain = probe_fence(test);
	struct dma_fence *own = mock_create(test, &mock_wait_ops,
					    dma_fence_context_alloc(1), 1);
	struct trace_order p = { .fence = plain }, o = { .fence = own };
	struct trace_order *both[] = { &p, &o };
	int i, ret;

	WRITE_ONCE(custom_wait_answer, 0);
	for (i = 0; i < ARRAY_SIZE(both); i++) {
		ret = register_trace_dma_fence_enable_signal(order_enable,
							     both[i]);
		KUNIT_EXPECT_EQ(test, ret, 0);
		ret = register_trace_dma_fence_wait_start(order_start, both[i]);
		KUNIT_EXPECT_EQ(test, ret, 0);
		ret = register_trace_dma_fence_wait_end(order_end, both[i]);
		KUNIT_EXPECT_EQ(test, ret, 0);
	}
	dma_fence_wait_timeout(plain, false, 0);
	dma_fence_wait_timeout(own, false, 0);
	dma_fence_signal(plain);
	dma_fence_signal(own);
	dma_fence_wait_timeout(plain, true, 2);
	dma_fence_wait_timeout(own, true, 2);
	for (i = 0; i < ARRAY_SIZE(both); i++) {
		unregister_trace_dma_fence_enable_signal(order_enable, both[i]);
		unregister_trace_dma_fence_wait_start(order_start, both[i]);
		unregister_trace_dma_fence_wait_end(order_end, both[i]);
	}
	tracepoint_synchronize_unregister();

	KUNIT_EXPECT_STREQ(test, p.seq, "ESXSX");
	KUNIT_EXPECT_STREQ(test, o.seq, "ESXSX");
	dma_fence_put(plain);
	dma_fence_put(own);
}

/* Counts the events of fences on one context. */
struct context_count {
	u64 context;
	int hits;
};

static void context_probe(void *data, struct dma_fence *fence)
{
	struct context_count *cc = data;

	if (fence->context == cc->context)
		cc->hits++;
}

/* Every dma_fence_init() is traced once, and so is every release. */
static void dma_fence_lifetime_traced(struct kunit *test)
{
	u64 ctx = dma_fence_context_alloc(1);
	struct context_count init = { .context = ctx };
	struct context_count destroy = { .context = ctx };
	struct dma_fence *f;
	int ret;

	ret = register_trace_dma_fence_init(context_probe, &init);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = register_trace_dma_fence_destroy(context_probe, &destroy);
	KUNIT_EXPECT_EQ(test, ret, 0);
	f = mock_create(test, &mock_ops, ctx, 1);
	dma_fence_signal(f);
	KUNIT_EXPECT_EQ(test, destroy.hits, 0);
	dma_fence_put(f);
	unregister_trace_dma_fence_init(context_probe, &init);
	unregister_trace_dma_fence_destroy(context_probe, &destroy);
	tracepoint_synchronize_unregister();

	KUNIT_EXPECT_EQ(test, init.hits, 1);
	KUNIT_EXPECT_EQ(test, destroy.hits, 1);
}
#else
static void dma_fence_wait_trace_events(struct kunit *test)
{
	kunit_skip(test, "the wait tracepoints are not exported");
}

static void dma_fence_lifetime_traced(struct kunit *test)
{
	kunit_skip(test, "the init and destroy tracepoints are not exported");
}
#endif
#else
static void dma_fence_tracepoints_fire(struct kunit *test)
{
	kunit_skip(test, "CONFIG_TRACEPOINTS is off");
}

static void dma_fence_wait_trace_events(struct kunit *test)
{
	kunit_skip(test, "CONFIG_TRACEPOINTS is off");
}

static void dma_fence_lifetime_traced(struct kunit *test)
{
	kunit_skip(test, "CONFIG_TRACEPOINTS is off");
}
#endif

/*
 * The race: one worker signals, the others add and sometimes remove
 * callbacks or wait, all on the same fence, round after round until the
 * time budget is spent.  Per round every callback that was queued and not
 * removed must have run exactly once, and no waiter may time out.
 */
#define RACE_BUDGET_MS	1500
#define RACE_MAX_WORKERS 8

struct race;

struct race_worker {
	struct race *race;
	struct task_struct *task;
	struct dma_fence_cb cb;
	int role;
};

struct race {
	wait_queue_head_t wq;
	struct dma_fence *fence;
	unsigned int round;
	atomic_t done;
	atomic_t queued;	/* callbacks queued and not removed */
	atomic_t ran;		/* callback invocations */
	atomic_t lost;		/* waits that timed out */
	struct race_worker workers[RACE_MAX_WORKERS];
};

static void race_cb(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	struct race_worker *w = container_of(cb, struct race_worker, cb);

	atomic_inc(&w->race->ran);
}

static void race_step(struct race_worker *w, struct dma_fence *f)
{
	struct race *r = w->race;

	switch (w->role) {
	case 0:
		udelay(get_random_u32_below(20));
		dma_fence_signal(f);
		break;
	case 1:
		if (dma_fence_wait_timeout(f, false, 10 * HZ) <= 0)
			atomic_inc(&r->lost);
		break;
	default:
		if (dma_fence_add_callback(f, &w->cb, race_cb))
			break;
		atomic_inc(&r->queued);
		if (get_random_u32_below(2) &&
		    dma_fence_remove_callback(f, &w->cb))
			atomic_dec(&r->queued);
		break;
	}
}

static int race_thread(void *data)
{
	struct race_worker *w = data;
	struct race *r = w->race;
	unsigned int seen = 0;

	for (;;) {
		wait_event(r->wq,
			   READ_ONCE(r->round) != seen || kthread_should_stop());
		if (kthread_should_stop())
			return 0;
		/* Pairs with the release of the round: r->fence is the new one. */
		seen = smp_load_acquire(&r->round);
		race_step(w, r->fence);
		/* The step is done with the fence before the main thread drops it. */
		atomic_inc_return_release(&r->done);
		wake_up_all(&r->wq);
	}
}

static void dma_fence_race_signal_callback_wait(struct kunit *test)
{
	struct race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	unsigned int n = clamp(num_online_cpus() + 1, 3U,
			       (unsigned int)RACE_MAX_WORKERS);
	unsigned long end = jiffies + msecs_to_jiffies(RACE_BUDGET_MS);
	unsigned int i, rounds = 0, bad_rounds = 0;

	KUNIT_ASSERT_NOT_NULL(test, r);
	init_waitqueue_head(&r->wq);
	for (i = 0; i < n; i++) {
		struct race_worker *w = &r->workers[i];

		w->race = r;
		w->role = i;
		w->task = kthread_run(race_thread, w, "fence-race/%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(w->task));
	}

	while (time_before(jiffies, end) || rounds < 20) {
		r->fence = probe_fence(test);
		atomic_set(&r->done, 0);
		atomic_set(&r->queued, 0);
		atomic_set(&r->ran, 0);
		/* The workers see the new fence once they see the round. */
		smp_store_release(&r->round, r->round + 1);
		wake_up_all(&r->wq);
		wait_event(r->wq, atomic_read_acquire(&r->done) == n);

		if (!dma_fence_is_signaled(r->fence) ||
		    atomic_read(&r->ran) != atomic_read(&r->queued))
			bad_rounds++;
		dma_fence_put(r->fence);
		rounds++;
	}

	for (i = 0; i < n; i++)
		kthread_stop(r->workers[i].task);

	kunit_info(test, "%u rounds with %u workers\n", rounds, n);
	KUNIT_EXPECT_EQ(test, bad_rounds, 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->lost), 0);
}

/*
 * A driver with its own wait is asked every time, signaled or not, after
 * signaling was enabled, and its answer is passed through unchanged: 0 may
 * mean "signaled, but no time left" to such a driver.
 */
static void dma_fence_wait_asks_driver_wait(struct kunit *test)
{
	struct dma_fence *f = mock_create(test, &custom_wait_ops,
					  dma_fence_context_alloc(1), 1);

	atomic_set(&custom_waits, 0);
	custom_wait_saw_enable = false;
	WRITE_ONCE(custom_wait_answer, 0);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, false, 0), 0L);
	KUNIT_EXPECT_EQ(test, atomic_read(&custom_waits), 1);
	KUNIT_EXPECT_TRUE(test, custom_wait_saw_enable);
	WRITE_ONCE(custom_wait_answer, 3);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, true, 9), 3L);
	KUNIT_EXPECT_EQ(test, atomic_read(&custom_waits), 2);

	dma_fence_signal(f);
	WRITE_ONCE(custom_wait_answer, 0);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, false, 5), 0L);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, true, 0), 0L);
	WRITE_ONCE(custom_wait_answer, 42);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, false, 5), 42L);
	WRITE_ONCE(custom_wait_answer, -EIO);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, true, 0), (long)-EIO);
	KUNIT_EXPECT_EQ(test, dma_fence_wait(f, true), (long)-EIO);
	KUNIT_EXPECT_EQ(test, atomic_read(&custom_waits), 7);
	dma_fence_put(f);
}

/*
 * Without a driver wait the core answers, but only after enabling
 * signaling, even for a zero timeout: a driver that finds its work done
 * when asked turns the answer into "signaled".
 */
static void dma_fence_wait_enables_signaling_first(struct kunit *test)
{
	struct dma_fence *f = probe_fence(test);

	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, false, 0), 0L);
	KUNIT_EXPECT_EQ(test, to_probe(f)->enable_calls, 1);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(f));
	dma_fence_signal(f);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, false, 0), 1L);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, true, 4), 4L);
	KUNIT_EXPECT_EQ(test, to_probe(f)->enable_calls, 1);
	dma_fence_put(f);

	f = probe_fence(test);
	to_probe(f)->done_at_enable = true;
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, false, 0), 1L);
	KUNIT_EXPECT_EQ(test, to_probe(f)->enable_calls, 1);
	KUNIT_EXPECT_TRUE(test, test_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
					 &f->flags));
	dma_fence_put(f);

	f = probe_fence(test);
	to_probe(f)->done_at_enable = true;
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, true, 6), 6L);
	KUNIT_EXPECT_EQ(test, to_probe(f)->enable_calls, 1);
	dma_fence_put(f);
}

static struct kunit_case dma_fence_cases[] = {
	KUNIT_CASE(dma_fence_init_state),
	KUNIT_CASE(dma_fence_context_alloc_consecutive),
	KUNIT_CASE(dma_fence_signal_twice),
	KUNIT_CASE(dma_fence_callbacks_run_once_in_order),
	KUNIT_CASE(dma_fence_add_callback_after_signal),
	KUNIT_CASE(dma_fence_remove_callback_before_signal),
	KUNIT_CASE(dma_fence_remove_callback_after_signal),
	KUNIT_CASE(dma_fence_error_before_signal),
	KUNIT_CASE(dma_fence_timestamp_set_at_signal),
	KUNIT_CASE(dma_fence_timestamps_monotonic),
	KUNIT_CASE(dma_fence_enable_signaling_called_once),
	KUNIT_CASE(dma_fence_enable_signaling_reports_done),
	KUNIT_CASE(dma_fence_default_wait_does_not_enable),
	KUNIT_CASE(dma_fence_enable_after_signal_sets_bit),
	KUNIT_CASE(dma_fence_wait_goes_by_the_flag),
	KUNIT_CASE(dma_fence_without_optional_hooks),
	KUNIT_CASE(dma_fence_is_signaled_asks_driver),
	KUNIT_CASE(dma_fence_wait_on_signaled),
	KUNIT_CASE(dma_fence_wait_asks_driver_wait),
	KUNIT_CASE(dma_fence_wait_enables_signaling_first),
	KUNIT_CASE(dma_fence_wait_timeout_expires),
	KUNIT_CASE(dma_fence_wait_interruptible),
	KUNIT_CASE(dma_fence_wait_woken_by_signal),
	KUNIT_CASE(dma_fence_wait_any_reports_first),
	KUNIT_CASE(dma_fence_wait_any_woken),
	KUNIT_CASE(dma_fence_callback_drops_last_reference),
	KUNIT_CASE(dma_fence_callback_signals_another),
	KUNIT_CASE(dma_fence_seqno_order_32bit_wrap),
	KUNIT_CASE(dma_fence_seqno_order_64bit),
	KUNIT_CASE(dma_fence_later_helpers),
	KUNIT_CASE(dma_fence_stubs),
	KUNIT_CASE(dma_fence_get_rcu_safe_follows_pointer),
	KUNIT_CASE(dma_fence_describe_and_names),
	KUNIT_CASE(dma_fence_deadline_hint),
	KUNIT_CASE(dma_fence_signalling_sections_nest),
	KUNIT_CASE(dma_fence_signalling_annotation),
	KUNIT_CASE(dma_fence_tracepoints_fire),
	KUNIT_CASE(dma_fence_wait_trace_events),
	EXPECT_WARN_CASE(dma_fence_context_alloc_zero_warns),
#ifdef DMA_BUF_USERSPACE_SHIM
	EXPECT_WARN_CASE(dma_fence_init_without_names_warns),
#endif
	KUNIT_CASE(dma_fence_signal_null_is_einval),
	KUNIT_CASE(dma_fence_private_stub_identity),
	KUNIT_CASE(dma_fence_private_stub_no_memory),
	KUNIT_CASE(dma_fence_wait_any_no_memory),
	KUNIT_CASE(dma_fence_wait_leaves_task_running),
#ifdef DMA_BUF_USERSPACE_SHIM
	EXPECT_WARN_CASE(dma_fence_caller_checks_warn),
#endif
	EXPECT_WARN_CASE(dma_fence_released_with_callbacks_pending),
	EXPECT_WARN_CASE(dma_fence_bad_arguments_warn),
	KUNIT_CASE(dma_fence_wait_any_one_jiffy_left),
	KUNIT_CASE(dma_fence_lifetime_traced),
	KUNIT_CASE(dma_fence_race_signal_callback_wait),
	{}
};

static struct kunit_suite dma_fence_suite = {
	.name = "dma-fence",
	.test_cases = dma_fence_cases,
};

kunit_test_suite(dma_fence_suite);

MODULE_DESCRIPTION("KUnit tests for the dma-fence core");
MODULE_LICENSE("GPL");
