// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite for reservation objects: every entry point and usage class,
 * slot reservation and growth, same-context replacement, snapshots, waits,
 * the two driver bugs that warn (no reserved slot, container fences),
 * lock-free readers racing a writer, and ww_mutex backoff with many objects
 * and threads.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/dma-fence-array.h>
#include <linux/dma-fence-chain.h>
#include <linux/dma-resv.h>
#include <linux/kthread.h>
#include <linux/log2.h>
#include <linux/mmap_lock.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#ifndef DMA_BUF_USERSPACE_SHIM
#include <linux/hrtimer.h>
#endif

#include "expect-warn.h"
#include "fail-nth.h"
#include "mock-fence.h"
#include "resv-hook-fence.h"

/* Fences of @usage or stronger, counted with the lock held (signaled too). */
static unsigned int count_locked(struct dma_resv *obj,
				 enum dma_resv_usage usage)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	unsigned int n = 0;

	dma_resv_lock(obj, NULL);
	dma_resv_for_each_fence(&cursor, obj, usage, fence)
		n++;
	dma_resv_unlock(obj);
	return n;
}

/* Unsignaled fences of @usage or stronger, counted lock-free. */
static unsigned int count_unlocked(struct dma_resv *obj,
				   enum dma_resv_usage usage)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	unsigned int n = 0;

	dma_resv_iter_begin(&cursor, obj, usage);
	dma_resv_for_each_fence_unlocked(&cursor, fence) {
		if (dma_resv_iter_is_restarted(&cursor))
			n = 0;
		n++;
	}
	dma_resv_iter_end(&cursor);
	return n;
}

/* Is @fence stored in @obj, and with which usage?  -1 when absent. */
static int stored_usage(struct dma_resv *obj, struct dma_fence *fence)
{
	struct dma_resv_iter cursor;
	struct dma_fence *f;
	int usage = -1;

	dma_resv_lock(obj, NULL);
	dma_resv_for_each_fence(&cursor, obj, DMA_RESV_USAGE_BOOKKEEP, f)
		if (f == fence)
			usage = dma_resv_iter_usage(&cursor);
	dma_resv_unlock(obj);
	return usage;
}

/* Reserve one slot and add @fence with @usage, all under the lock. */
static void add_one(struct kunit *test, struct dma_resv *obj,
		    struct dma_fence *fence, enum dma_resv_usage usage)
{
	dma_resv_lock(obj, NULL);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(obj, 1), 0);
	dma_resv_add_fence(obj, fence, usage);
	dma_resv_unlock(obj);
}

static void dma_resv_usage_order(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, DMA_RESV_USAGE_KERNEL, 0);
	KUNIT_EXPECT_LT(test, DMA_RESV_USAGE_KERNEL, DMA_RESV_USAGE_WRITE);
	KUNIT_EXPECT_LT(test, DMA_RESV_USAGE_WRITE, DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_LT(test, DMA_RESV_USAGE_READ, DMA_RESV_USAGE_BOOKKEEP);
	/* A writer waits for readers, a reader for writers. */
	KUNIT_EXPECT_EQ(test, dma_resv_usage_rw(true), DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ(test, dma_resv_usage_rw(false), DMA_RESV_USAGE_WRITE);
}

static void dma_resv_empty_object(struct kunit *test)
{
	struct dma_fence **fences = (void *)test, *single = (void *)test;
	struct dma_resv obj;
	unsigned int n = 99;

	dma_resv_init(&obj);
	KUNIT_EXPECT_TRUE(test, dma_resv_test_signaled(&obj,
						       DMA_RESV_USAGE_BOOKKEEP));
	KUNIT_EXPECT_EQ(test, dma_resv_wait_timeout(&obj,
						    DMA_RESV_USAGE_BOOKKEEP,
						    false, 0), 1L);
	KUNIT_EXPECT_EQ(test, dma_resv_wait_timeout(&obj,
						    DMA_RESV_USAGE_BOOKKEEP,
						    true, 17), 17L);
	KUNIT_EXPECT_EQ(test, dma_resv_get_fences(&obj, DMA_RESV_USAGE_BOOKKEEP,
						  &n, &fences), 0);
	KUNIT_EXPECT_EQ(test, n, 0U);
	KUNIT_EXPECT_NULL(test, fences);
	KUNIT_EXPECT_EQ(test, dma_resv_get_singleton(&obj,
						     DMA_RESV_USAGE_BOOKKEEP,
						     &single), 0);
	KUNIT_EXPECT_NULL(test, single);
	KUNIT_EXPECT_EQ(test, count_locked(&obj, DMA_RESV_USAGE_BOOKKEEP), 0U);
	KUNIT_EXPECT_EQ(test, count_unlocked(&obj, DMA_RESV_USAGE_BOOKKEEP),
			0U);
	/* Reserving nothing makes an array all the same, as in 6.1. */
	dma_resv_lock(&obj, NULL);
	KUNIT_EXPECT_EQ(test, dma_resv_reserve_fences(&obj, 0), 0);
	KUNIT_EXPECT_NOT_NULL(test, rcu_access_pointer(obj.fences));
	KUNIT_EXPECT_EQ(test, count_unlocked(&obj, DMA_RESV_USAGE_BOOKKEEP),
			0U);
	dma_resv_unlock(&obj);
	dma_resv_fini(&obj);
}

static void dma_resv_lock_helpers(struct kunit *test)
{
	struct dma_resv a, b, *held, *want;
	struct ww_acquire_ctx ctx;
	int ret;

	dma_resv_init(&a);
	dma_resv_init(&b);
	KUNIT_EXPECT_FALSE(test, dma_resv_is_locked(&a));
	KUNIT_ASSERT_TRUE(test, dma_resv_trylock(&a));
	KUNIT_EXPECT_TRUE(test, dma_resv_is_locked(&a));
	/* Only lockdep (and the userspace build) knows who holds a lock. */
#if defined(DMA_BUF_USERSPACE_SHIM) || IS_ENABLED(CONFIG_LOCKDEP)
	KUNIT_EXPECT_TRUE(test, dma_resv_held(&a));
#endif
	dma_resv_assert_held(&a);
	KUNIT_EXPECT_NULL(test, dma_resv_locking_ctx(&a));
	dma_resv_unlock(&a);
	KUNIT_EXPECT_FALSE(test, dma_resv_is_locked(&a));

	KUNIT_EXPECT_EQ(test, dma_resv_lock_interruptible(&a, NULL), 0);
	dma_resv_unlock(&a);

	ww_acquire_init(&ctx, &reservation_ww_class);
	KUNIT_ASSERT_EQ(test, dma_resv_lock(&a, &ctx), 0);
	KUNIT_EXPECT_PTR_EQ(test, dma_resv_locking_ctx(&a), &ctx);
	KUNIT_EXPECT_EQ(test, dma_resv_lock(&a, &ctx), -EALREADY);
	/* The debug build injects backoffs: take turns on the slow path. */
	held = &a;
	want = &b;
	while ((ret = dma_resv_lock_interruptible(want, &ctx)) == -EDEADLK) {
		dma_resv_unlock(held);
		KUNIT_EXPECT_EQ(test,
				dma_resv_lock_slow_interruptible(want, &ctx), 0);
		swap(held, want);
	}
	KUNIT_EXPECT_EQ(test, ret, 0);
	ww_acquire_done(&ctx);
	KUNIT_EXPECT_PTR_EQ(test, dma_resv_locking_ctx(&b), &ctx);
	KUNIT_EXPECT_TRUE(test, dma_resv_is_locked(&a));
	KUNIT_EXPECT_TRUE(test, dma_resv_is_locked(&b));
	dma_resv_unlock(&b);
	dma_resv_unlock(&a);
	ww_acquire_fini(&ctx);
	KUNIT_EXPECT_NULL(test, dma_resv_locking_ctx(&a));

	dma_resv_fini(&a);
	dma_resv_fini(&b);
}

static void dma_resv_usage_filters(struct kunit *test)
{
	struct dma_fence *f[4];
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	struct dma_resv obj;
	unsigned int n;
	int u;

	dma_resv_init(&obj);
	dma_resv_lock(&obj, NULL);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj, 4), 0);
	for (u = DMA_RESV_USAGE_BOOKKEEP; u >= DMA_RESV_USAGE_KERNEL; u--) {
		f[u] = mock_fence(test);
		dma_resv_add_fence(&obj, f[u], u);
	}
	for (u = DMA_RESV_USAGE_KERNEL; u <= DMA_RESV_USAGE_BOOKKEEP; u++) {
		n = 0;
		dma_resv_for_each_fence(&cursor, &obj, u, fence) {
			KUNIT_EXPECT_LE(test, (int)dma_resv_iter_usage(&cursor),
					u);
			KUNIT_EXPECT_PTR_EQ(test, fence,
					    f[dma_resv_iter_usage(&cursor)]);
			KUNIT_EXPECT_EQ(test, dma_resv_iter_is_restarted(&cursor),
					n == 0);
			n++;
		}
		KUNIT_EXPECT_EQ(test, n, (unsigned int)u + 1);
	}
	dma_resv_unlock(&obj);

	for (u = DMA_RESV_USAGE_KERNEL; u <= DMA_RESV_USAGE_BOOKKEEP; u++) {
		struct dma_fence **fences;

		KUNIT_EXPECT_EQ(test, count_unlocked(&obj, u), (unsigned int)u + 1);
		KUNIT_ASSERT_EQ(test, dma_resv_get_fences(&obj, u, &n, &fences),
				0);
		KUNIT_EXPECT_EQ(test, n, (unsigned int)u + 1);
		while (n)
			dma_fence_put(fences[--n]);
		kfree(fences);
	}
	/* The object holds a reference of its own to each. */
	for (u = 0; u < 4; u++)
		KUNIT_EXPECT_EQ(test, kref_read(&f[u]->refcount), 2U);
	dma_resv_fini(&obj);
	release_all(test, f, 4);
}

static void dma_resv_same_context_replaced(struct kunit *test)
{
	u64 ctx = dma_fence_context_alloc(1);
	struct dma_fence *f1 = mock_fence_at(test, ctx, 1);
	struct dma_fence *f2 = mock_fence_at(test, ctx, 2);
	struct dma_fence *f0 = mock_fence_at(test, ctx, 0);
	struct dma_resv obj;

	dma_resv_init(&obj);
	add_one(test, &obj, f1, DMA_RESV_USAGE_READ);
	add_one(test, &obj, f2, DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ(test, count_locked(&obj, DMA_RESV_USAGE_BOOKKEEP), 1U);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, f2), DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ(test, kref_read(&f1->refcount), 1U);

	/* An older fence of the context does not replace; it is kept too... */
	add_one(test, &obj, f0, DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, f2), DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, f0), DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ(test, kref_read(&f0->refcount), 2U);
	/* ... and adding the same fence again changes nothing. */
	add_one(test, &obj, f2, DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ(test, count_locked(&obj, DMA_RESV_USAGE_BOOKKEEP), 2U);
	KUNIT_EXPECT_EQ(test, kref_read(&f2->refcount), 2U);

	dma_resv_fini(&obj);
	signal_put(f0, f1, f2);
}

/*
 * Fences of one context with changing usages: each replaces the first
 * fence stored with its usage or a weaker one, and a weaker one than a
 * fence kept takes a slot of its own.
 */
static void dma_resv_same_context_usage_steps(struct kunit *test)
{
	u64 ctx = dma_fence_context_alloc(1);
	struct dma_fence *f[4];
	struct dma_resv obj;
	int i;

	for (i = 0; i < 4; i++)
		f[i] = mock_fence_at(test, ctx, i + 1);
	dma_resv_init(&obj);
	add_one(test, &obj, f[0], DMA_RESV_USAGE_READ);
	/* Later but weaker: a slot of its own. */
	add_one(test, &obj, f[1], DMA_RESV_USAGE_BOOKKEEP);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, f[0]), DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, f[1]), DMA_RESV_USAGE_BOOKKEEP);
	/* Later and stronger than the first: takes its slot. */
	add_one(test, &obj, f[2], DMA_RESV_USAGE_KERNEL);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, f[0]), -1);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, f[2]), DMA_RESV_USAGE_KERNEL);
	/* Weaker than the kernel fence, stronger than the bookkeeping one. */
	add_one(test, &obj, f[3], DMA_RESV_USAGE_WRITE);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, f[1]), -1);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, f[2]), DMA_RESV_USAGE_KERNEL);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, f[3]), DMA_RESV_USAGE_WRITE);
	KUNIT_EXPECT_EQ(test, count_locked(&obj, DMA_RESV_USAGE_BOOKKEEP), 2U);
	KUNIT_EXPECT_EQ(test, count_locked(&obj, DMA_RESV_USAGE_KERNEL), 1U);
	dma_resv_fini(&obj);
	release_all(test, f, 4);
}

static void dma_resv_signaled_slot_reused(struct kunit *test)
{
	struct dma_fence *a = mock_fence(test), *b = mock_fence(test);
	struct dma_resv obj;

	dma_resv_init(&obj);
	dma_resv_lock(&obj, NULL);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj, 1), 0);
	dma_resv_add_fence(&obj, a, DMA_RESV_USAGE_WRITE);
	dma_fence_signal(a);
	/* No new reservation: b takes the slot of a, which is let go. */
	dma_resv_add_fence(&obj, b, DMA_RESV_USAGE_READ);
	dma_resv_unlock(&obj);
	KUNIT_EXPECT_EQ(test, count_locked(&obj, DMA_RESV_USAGE_BOOKKEEP), 1U);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, b), DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ(test, kref_read(&a->refcount), 1U);
	dma_resv_fini(&obj);
	dma_fence_signal(b);
	dma_fence_put(a);
	dma_fence_put(b);
}

/*
 * A second fence of one context against the first, for every pair of
 * usages, and as a later fence, the same fence again, another fence of the
 * same seqno and an earlier fence: it takes the first one's slot only when
 * its usage is the same or stronger and it is later or the very same
 * fence; otherwise both are kept, each with the usage it was added with.
 */
enum { LATER, SAME_FENCE, SAME_SEQNO, EARLIER, NUM_ORDERS };

static void dma_resv_add_same_context_rule(struct kunit *test)
{
	static const u64 seqnos[NUM_ORDERS] = {
		[LATER] = 3, [SAME_SEQNO] = 2, [EARLIER] = 1,
	};
	u64 ctx = dma_fence_context_alloc(1);
	unsigned int k;

	/* Every (old usage, new usage, order) in turn. */
	for (k = 0; k < 4 * 4 * NUM_ORDERS; k++) {
		enum dma_resv_usage u_old = k / (4 * NUM_ORDERS);
		enum dma_resv_usage u_new = k / NUM_ORDERS % 4;
		unsigned int s = k % NUM_ORDERS;
		struct dma_fence *old = mock_fence_at(test, ctx, 2);
		struct dma_fence *new = s == SAME_FENCE ? dma_fence_get(old) :
					mock_fence_at(test, ctx, seqnos[s]);
		bool takes = u_old >= u_new && (s == LATER || s == SAME_FENCE);
		struct dma_resv obj;

		dma_resv_init(&obj);
		add_one(test, &obj, old, u_old);
		add_one(test, &obj, new, u_new);
		KUNIT_EXPECT_EQ_MSG(test,
				    count_locked(&obj, DMA_RESV_USAGE_BOOKKEEP),
				    takes ? 1U : 2U, "old %d new %d order %u",
				    u_old, u_new, s);
		if (s != SAME_FENCE)
			KUNIT_EXPECT_EQ_MSG(test, stored_usage(&obj, old),
					    takes ? -1 : (int)u_old,
					    "old %d new %d order %u", u_old,
					    u_new, s);
		/* The last slot holding it, for the same fence twice. */
		KUNIT_EXPECT_EQ_MSG(test, stored_usage(&obj, new), (int)u_new,
				    "old %d new %d order %u", u_old, u_new, s);
		if (s == SAME_FENCE)
			KUNIT_EXPECT_EQ(test, kref_read(&old->refcount),
					takes ? 3U : 4U);
		else
			KUNIT_EXPECT_EQ(test, kref_read(&old->refcount),
					takes ? 1U : 2U);
		dma_resv_fini(&obj);
		mock_fence_complete(old, 0);
		if (new != old)
			mock_fence_complete(new, 0);
		dma_fence_put(old);
		dma_fence_put(new);
	}
}

/*
 * A write then a later read of one context: waiters for writes are done
 * when the write signals, whatever the read does; each walk reports each
 * fence with its own usage.  Then the same with a kernel fence and a later
 * write.
 */
static void dma_resv_write_then_read_same_context(struct kunit *test)
{
	static const enum dma_resv_usage first[] = {
		DMA_RESV_USAGE_WRITE, DMA_RESV_USAGE_KERNEL,
	};
	u64 ctx = dma_fence_context_alloc(1);
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(first); k++) {
		enum dma_resv_usage strong = first[k], weak = strong + 1;
		struct dma_fence *w = mock_fence_at(test, ctx, 2 * k + 1);
		struct dma_fence *r = mock_fence_at(test, ctx, 2 * k + 2);
		struct dma_fence **got, *fence;
		struct dma_resv_iter cursor;
		unsigned int n, seen = 0;
		struct dma_resv obj;

		dma_resv_init(&obj);
		add_one(test, &obj, w, strong);
		add_one(test, &obj, r, weak);
		KUNIT_EXPECT_EQ(test, stored_usage(&obj, w), (int)strong);
		KUNIT_EXPECT_EQ(test, stored_usage(&obj, r), (int)weak);
		KUNIT_EXPECT_EQ(test, count_unlocked(&obj, strong), 1U);
		KUNIT_EXPECT_EQ(test, count_unlocked(&obj, weak), 2U);

		dma_resv_iter_begin(&cursor, &obj, DMA_RESV_USAGE_BOOKKEEP);
		dma_resv_for_each_fence_unlocked(&cursor, fence) {
			KUNIT_EXPECT_EQ(test, dma_resv_iter_usage(&cursor),
					fence == w ? strong : weak);
			seen++;
		}
		dma_resv_iter_end(&cursor);
		KUNIT_EXPECT_EQ(test, seen, 2U);

		mock_fence_complete(w, 0);
		KUNIT_EXPECT_TRUE(test, dma_resv_test_signaled(&obj, strong));
		KUNIT_EXPECT_FALSE(test, dma_resv_test_signaled(&obj, weak));
		KUNIT_EXPECT_GT(test, dma_resv_wait_timeout(&obj, strong, false,
							    0), 0L);
		KUNIT_EXPECT_EQ(test, dma_resv_wait_timeout(&obj, weak, false,
							    1), 0L);
		KUNIT_EXPECT_GT(test, dma_resv_wait_timeout(&obj, strong, true,
							    HZ), 0L);
		KUNIT_ASSERT_EQ(test, dma_resv_get_fences(&obj, strong, &n,
							  &got), 0);
		KUNIT_EXPECT_EQ(test, n, 0U);
		KUNIT_ASSERT_EQ(test, dma_resv_get_fences(&obj, weak, &n,
							  &got), 0);
		KUNIT_EXPECT_EQ(test, n, 1U);
		if (n)
			KUNIT_EXPECT_PTR_EQ(test, got[0], r);
		while (n)
			dma_fence_put(got[--n]);
		kfree(got);

		dma_resv_fini(&obj);
		mock_fence_complete(r, 0);
		dma_fence_put(w);
		dma_fence_put(r);
	}
}

/*
 * A fence of another context takes the slot of one that signaled (and the
 * object lets go of that one) before it would take a new slot; the first
 * such slot, at every array size (dma_resv_big_array_slot_as_6_1 has more
 * than 32 slots).
 */
static void dma_resv_signaled_slot_reused_first(struct kunit *test)
{
	struct dma_fence *a = mock_fence(test), *b = mock_fence(test);
	struct dma_fence *c = mock_fence(test);
	struct dma_resv obj;

	dma_resv_init(&obj);
	add_one(test, &obj, a, DMA_RESV_USAGE_WRITE);
	add_one(test, &obj, b, DMA_RESV_USAGE_READ);
	dma_fence_signal(a);
	add_one(test, &obj, c, DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ(test, count_locked(&obj, DMA_RESV_USAGE_BOOKKEEP), 2U);
	KUNIT_EXPECT_EQ(test, kref_read(&a->refcount), 1U);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, c), DMA_RESV_USAGE_READ);
	dma_resv_fini(&obj);
	dma_fence_signal(b);
	dma_fence_signal(c);
	dma_fence_put(a);
	dma_fence_put(b);
	dma_fence_put(c);
}

/*
 * Many adds of random contexts and usages, each fence later than the last
 * of its context and none signaled, until the array has far more than 32
 * slots: after each, the slots must be what 6.1's rule gives, applied slot
 * by slot (the first fence the new one supersedes is replaced, else a new
 * slot is taken).
 */
static void dma_resv_big_array_add_matches_rule(struct kunit *test)
{
	const unsigned int contexts = 96, adds = 1500;
	u64 base = dma_fence_context_alloc(contexts);
	struct dma_fence **model, **all, *fence;
	enum dma_resv_usage *usages;
	unsigned int i, n = 0, k, bad = 0;
	struct dma_resv_iter cursor;
	u32 rnd = 12345;
	struct dma_resv obj;

	model = kunit_kcalloc(test, adds, sizeof(*model), GFP_KERNEL);
	all = kunit_kcalloc(test, adds, sizeof(*all), GFP_KERNEL);
	usages = kunit_kcalloc(test, adds, sizeof(*usages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, model);
	KUNIT_ASSERT_NOT_NULL(test, all);
	KUNIT_ASSERT_NOT_NULL(test, usages);
	dma_resv_init(&obj);
	for (i = 0; i < adds; i++) {
		enum dma_resv_usage usage;

		rnd = rnd * 1103515245 + 12345;
		usage = (rnd >> 8) & 3;
		all[i] = mock_fence_at(test, base + (rnd >> 12) % contexts,
				       i + 1);
		add_one(test, &obj, all[i], usage);

		for (k = 0; k < n; k++)
			if (model[k]->context == all[i]->context &&
			    usages[k] >= usage)
				break;
		model[k] = all[i];
		usages[k] = usage;
		if (k == n)
			n++;

		k = 0;
		dma_resv_lock(&obj, NULL);
		dma_resv_for_each_fence(&cursor, &obj,
					DMA_RESV_USAGE_BOOKKEEP, fence) {
			if (k >= n || fence != model[k] ||
			    dma_resv_iter_usage(&cursor) != usages[k])
				bad++;
			k++;
		}
		dma_resv_unlock(&obj);
		if (k != n)
			bad++;
		KUNIT_EXPECT_EQ_MSG(test, bad, 0U,
				    "add %u differs from the rule", i);
		if (bad)
			break;
	}
	kunit_info(test, "%u adds, %u fences kept\n", i, n);
	KUNIT_EXPECT_GT(test, n, 32U);
	dma_resv_fini(&obj);
	for (i = 0; i < adds && all[i]; i++) {
		dma_fence_signal(all[i]);
		dma_fence_put(all[i]);
	}
}

/* Fill @obj with @n fences of new contexts, one reservation each. */
static s64 fill(struct kunit *test, struct dma_resv *obj,
		struct dma_fence **f, unsigned int n)
{
	ktime_t start;
	unsigned int i;

	for (i = 0; i < n; i++)
		f[i] = mock_fence(test);
	start = ktime_get();
	dma_resv_lock(obj, NULL);
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(obj, 1), 0);
		dma_resv_add_fence(obj, f[i], DMA_RESV_USAGE_READ);
	}
	dma_resv_unlock(obj);
	return ktime_to_ns(ktime_sub(ktime_get(), start));
}

static void dma_resv_grows_to_thousands(struct kunit *test)
{
	const unsigned int n = 4096, few = 4, objects = 64;
	struct dma_fence **f = kunit_kcalloc(test, n, sizeof(*f), GFP_KERNEL);
	struct dma_resv obj, small;
	s64 ns_many, ns_few = 0;
	unsigned int i, k;

	KUNIT_ASSERT_NOT_NULL(test, f);
	for (k = 0; k < objects; k++) {
		dma_resv_init(&small);
		ns_few += fill(test, &small, f, few);
		KUNIT_EXPECT_EQ(test, count_locked(&small, DMA_RESV_USAGE_READ),
				few);
		dma_resv_fini(&small);
		signal_put_n(f, few);
	}

	dma_resv_init(&obj);
	ns_many = fill(test, &obj, f, n);
	kunit_info(test, "add: %lld ns/fence filling to %u, %lld ns/fence to %u\n",
		   ns_few / (few * objects), few, ns_many / n, n);
	KUNIT_EXPECT_EQ(test, count_locked(&obj, DMA_RESV_USAGE_READ), n);
	KUNIT_EXPECT_EQ(test, count_unlocked(&obj, DMA_RESV_USAGE_READ), n);
	KUNIT_EXPECT_EQ(test, count_locked(&obj, DMA_RESV_USAGE_WRITE), 0U);

	/* Half signal; growing the array again drops them. */
	for (i = 0; i < n; i += 2)
		dma_fence_signal(f[i]);
	KUNIT_EXPECT_EQ(test, count_unlocked(&obj, DMA_RESV_USAGE_READ), n / 2);
	KUNIT_EXPECT_EQ(test, count_locked(&obj, DMA_RESV_USAGE_READ), n);
	dma_resv_lock(&obj, NULL);
	KUNIT_EXPECT_EQ(test, dma_resv_reserve_fences(&obj, 2 * n), 0);
	dma_resv_unlock(&obj);
	KUNIT_EXPECT_EQ(test, count_locked(&obj, DMA_RESV_USAGE_READ), n / 2);
	KUNIT_EXPECT_EQ(test, kref_read(&f[0]->refcount), 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&f[1]->refcount), 2U);

	dma_resv_fini(&obj);
	release_all(test, f, n);
}

static void dma_resv_reserve_limits(struct kunit *test)
{
	struct dma_fence *a = mock_fence(test);
	struct dma_resv obj;

	dma_resv_init(&obj);
	add_one(test, &obj, a, DMA_RESV_USAGE_WRITE);
	dma_resv_lock(&obj, NULL);
	/* Beyond what can be allocated: refused, nothing lost. */
	KUNIT_EXPECT_EQ(test, dma_resv_reserve_fences(&obj, UINT_MAX),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, dma_resv_reserve_fences(&obj, 1U << 30),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, dma_resv_reserve_fences(&obj, 1000), 0);
	dma_resv_unlock(&obj);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, a), DMA_RESV_USAGE_WRITE);
	dma_resv_fini(&obj);
	dma_fence_signal(a);
	dma_fence_put(a);
}

/* ---- when the array grows and drops its signaled fences, as in 6.1 ---- */

/*
 * The slots 6.1 gives an array allocated for @request fences: its
 * allocation is a 24-byte header plus one pointer per fence, the slab
 * rounds it up, and whatever pointers fit in the rounded size count.
 */
static unsigned int slots_61(unsigned long request)
{
	return (kmalloc_size_roundup(24 + 8 * request) - 24) / 8;
}

/* Does a locked walk of @obj, locked by the caller, list exactly @want? */
static bool walk_is(struct dma_resv *obj, struct dma_fence **want,
		    unsigned int n)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	unsigned int k = 0;

	dma_resv_for_each_fence(&cursor, obj, DMA_RESV_USAGE_BOOKKEEP, fence)
		if (k >= n || want[k++] != fence)
			return false;
	return k == n;
}

/* The same for an unlocked @obj. */
static bool listed_is(struct dma_resv *obj, struct dma_fence **want,
		      unsigned int n)
{
	bool same;

	dma_resv_lock(obj, NULL);
	same = walk_is(obj, want, n);
	dma_resv_unlock(obj);
	return same;
}

/* @n mock fences in @f, of which @obj holds the first @added as readers. */
static void readers_setup(struct kunit *test, struct dma_resv *obj,
			  struct dma_fence **f, unsigned int n,
			  unsigned int added)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		f[i] = mock_fence(test);
	dma_resv_init(obj);
	for (i = 0; i < added; i++)
		add_one(test, obj, f[i], DMA_RESV_USAGE_READ);
}

/*
 * The difference a test against 6.1 found: five fences added one per
 * locked section fill 6.1's first array (five slots), so the sixth
 * reservation moves the fences to a bigger array and drops the two that
 * signaled; a locked walk no longer lists them.
 */
static void dma_resv_full_array_compacts(struct kunit *test)
{
	struct dma_fence *f[6], *left[4];
	struct dma_resv obj;

	readers_setup(test, &obj, f, ARRAY_SIZE(f), 5);
	dma_fence_signal(f[0]);
	dma_fence_signal(f[2]);
	KUNIT_EXPECT_TRUE(test, listed_is(&obj, f, 5));

	add_one(test, &obj, f[5], DMA_RESV_USAGE_READ);
	left[0] = f[1];
	left[1] = f[3];
	left[2] = f[4];
	left[3] = f[5];
	KUNIT_EXPECT_TRUE(test, listed_is(&obj, left, 4));
	KUNIT_EXPECT_EQ(test, kref_read(&f[0]->refcount), 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&f[2]->refcount), 1U);

	dma_resv_fini(&obj);
	signal_put_n(f, ARRAY_SIZE(f));
}

/*
 * Three fences in a five-slot array, two of them signaled, then one more
 * added in a new locked section.  The array has room: the new fence takes
 * the first signaled fence's slot and the other signaled one stays listed,
 * as in 6.1 built without %CONFIG_DEBUG_MUTEXES.  With it, ours keeps the
 * array too, so that lock-free waits are bounded in debug builds as well.
 */
static void dma_resv_relock_keeps_the_array(struct kunit *test)
{
	struct dma_fence *f[4], *want[3];
	struct dma_resv obj;

	readers_setup(test, &obj, f, ARRAY_SIZE(f), 3);
	dma_fence_signal(f[0]);
	dma_fence_signal(f[1]);
	add_one(test, &obj, f[3], DMA_RESV_USAGE_READ);
	want[0] = f[3];
	want[1] = f[1];
	want[2] = f[2];
	KUNIT_EXPECT_TRUE(test, listed_is(&obj, want, 3));

	dma_resv_fini(&obj);
	signal_put_n(f, ARRAY_SIZE(f));
}

/* An object and the fences it holds, in slot order, all read fences. */
struct probe {
	struct kunit *test;
	struct dma_resv obj;
	struct dma_fence *f[1024];
	unsigned int first, num, made;
};

static struct probe *probe_new(struct kunit *test)
{
	struct probe *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	p->test = test;
	dma_resv_init(&p->obj);
	return p;
}

static void probe_free(struct probe *p)
{
	unsigned int i;

	dma_resv_fini(&p->obj);
	for (i = 0; i < p->made; i++) {
		dma_fence_signal(p->f[i]);
		dma_fence_put(p->f[i]);
	}
}

/* With the object locked: reserve one slot and add a new fence. */
static void probe_add(struct probe *p)
{
	struct dma_fence *fence;

	KUNIT_ASSERT_LT(p->test, p->made, (unsigned int)ARRAY_SIZE(p->f));
	KUNIT_ASSERT_EQ(p->test, p->first + p->num, p->made);
	fence = mock_fence(p->test);
	p->f[p->made++] = fence;
	KUNIT_ASSERT_EQ(p->test, dma_resv_reserve_fences(&p->obj, 1), 0);
	dma_resv_add_fence(&p->obj, fence, DMA_RESV_USAGE_READ);
	p->num++;
}

/*
 * With the object locked, reserved in this locked section and holding only
 * unsignaled fences: check that its array has exactly @slots slots.  Fill
 * it to one slot short, signal the first fence, then see a reservation of
 * one keep that fence (it fits) and a reservation of two drop it (it does
 * not: the fences move to an array for twice @slots).
 */
static void probe_slots(struct probe *p, unsigned int slots)
{
	struct kunit *test = p->test;

	KUNIT_ASSERT_LE(test, p->num, slots - 1);
	while (p->num < slots - 1)
		probe_add(p);
	KUNIT_EXPECT_TRUE(test, walk_is(&p->obj, &p->f[p->first], p->num));
	dma_fence_signal(p->f[p->first]);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&p->obj, 1), 0);
	KUNIT_EXPECT_EQ_MSG(test, walk_is(&p->obj, &p->f[p->first], p->num),
			    true, "fewer than %u slots", slots);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&p->obj, 2), 0);
	p->first++;
	p->num--;
	KUNIT_EXPECT_EQ_MSG(test, walk_is(&p->obj, &p->f[p->first], p->num),
			    true, "more than %u slots", slots);
}

/*
 * Grown one reservation at a time from the first array, every array has
 * 6.1's size: 4 fences asked for first, then twice the last size each
 * time.  Past 32 slots, a later fence of a context still replaces that
 * context's fence in place.
 */
static void dma_resv_grows_as_6_1(struct kunit *test)
{
	struct probe *p = probe_new(test);
	unsigned int slots = slots_61(4), round, mid;
	struct dma_fence *later;

	dma_resv_lock(&p->obj, NULL);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&p->obj, 1), 0);
	for (round = 0; round < 7; round++) {
		probe_slots(p, slots);
		slots = slots_61(2 * slots);
	}
	KUNIT_EXPECT_GT(test, slots, 64U);

	mid = p->first + p->num / 2;
	later = mock_fence_at(test, p->f[mid]->context, 2);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&p->obj, 1), 0);
	dma_resv_add_fence(&p->obj, later, DMA_RESV_USAGE_READ);
	swap(p->f[mid], later);
	KUNIT_EXPECT_TRUE(test, walk_is(&p->obj, &p->f[p->first], p->num));
	KUNIT_EXPECT_EQ(test, kref_read(&later->refcount), 1U);
	dma_resv_unlock(&p->obj);
	dma_fence_signal(later);
	dma_fence_put(later);
	probe_free(p);
}

/*
 * The first array is for the reservation rounded up to a power of two, at
 * least 4; one of 0 allocates it too (4 fences), so that a bigger one
 * right after grows from there.
 */
static void dma_resv_first_array_as_6_1(struct kunit *test)
{
	static const unsigned int sizes[] = {
		1, 3, 4, 5, 8, 9, 12, 16, 17, 31, 32, 33, 64, 65,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct probe *p = probe_new(test);

		dma_resv_lock(&p->obj, NULL);
		KUNIT_ASSERT_EQ(test,
				dma_resv_reserve_fences(&p->obj, sizes[i]), 0);
		probe_slots(p, slots_61(max(4UL,
					    roundup_pow_of_two(sizes[i]))));
		dma_resv_unlock(&p->obj);
		probe_free(p);
	}

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct probe *p = probe_new(test);
		unsigned int first = slots_61(4);

		dma_resv_lock(&p->obj, NULL);
		KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&p->obj, 0), 0);
		KUNIT_ASSERT_EQ(test,
				dma_resv_reserve_fences(&p->obj, sizes[i]), 0);
		probe_slots(p, sizes[i] <= first ? first :
			    slots_61(max(sizes[i], 2 * first)));
		dma_resv_unlock(&p->obj);
		probe_free(p);
	}
}

#ifndef DMA_BUF_USERSPACE_SHIM
/*
 * An array takes the memory 6.1's takes: for a request of n fences, the
 * slab bucket of a 24-byte header and n pointers, which its slots fill.
 * (The shim's allocator has buckets of its own, hence kernel only.)
 */
static void dma_resv_allocation_as_6_1(struct kunit *test)
{
	static const unsigned int sizes[] = { 1, 5, 9, 17, 33, 65, 200, 1000 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		unsigned long request = max(4UL, roundup_pow_of_two(sizes[i]));
		struct dma_resv obj;

		dma_resv_init(&obj);
		dma_resv_lock(&obj, NULL);
		KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj, sizes[i]),
				0);
		KUNIT_EXPECT_EQ_MSG(test, ksize(rcu_access_pointer(obj.fences)),
				    kmalloc_size_roundup(24 + 8 * request),
				    "reserved %u", sizes[i]);
		dma_resv_unlock(&obj);
		dma_resv_fini(&obj);
	}
}
#endif

/*
 * After relocking, a reservation moves to a new array only when the
 * fences and the reservation exceed the array's size, in debug builds
 * too.
 */
static void dma_resv_relock_sizes_as_6_1(struct kunit *test)
{
	static const struct {
		unsigned int fences, reserve;
	} steps[] = {
		{ 3, 3 }, { 3, 4 }, { 6, 6 }, { 6, 1 }, { 12, 1 },
		{ 12, 13 }, { 16, 1 }, { 30, 2 }, { 33, 1 }, { 33, 40 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		struct probe *p = probe_new(test);
		unsigned int slots, n = steps[i].fences, r = steps[i].reserve;

		dma_resv_lock(&p->obj, NULL);
		while (p->num < n)
			probe_add(p);
		slots = slots_61(4);
		while (slots < n)
			slots = slots_61(2 * slots);
		dma_resv_unlock(&p->obj);

		dma_resv_lock(&p->obj, NULL);
		KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&p->obj, r), 0);
		if (n + r > slots)
			slots = slots_61(max(n + r, 2 * slots));
		probe_slots(p, slots);
		dma_resv_unlock(&p->obj);
		probe_free(p);
	}
}

/* A fence that knows it signaled before its flag says so. */
struct polled_fence {
	struct mock_fence mock;	/* first: freed through it */
	bool done;
};

static bool polled_signaled(struct dma_fence *fence)
{
	return READ_ONCE(container_of(fence, struct polled_fence,
				      mock.base)->done);
}

static const struct dma_fence_ops polled_fence_ops = {
	.get_driver_name = mock_fence_name,
	.get_timeline_name = mock_fence_name,
	.signaled = polled_signaled,
};

static struct dma_fence *polled_fence_at(struct kunit *test, u64 context,
					 u64 seqno)
{
	return &mock_fence_new_of(test, struct polled_fence, &polled_fence_ops,
				  context, seqno)->mock.base;
}

static struct dma_fence *polled_fence(struct kunit *test)
{
	return polled_fence_at(test, dma_fence_context_alloc(1), 1);
}

static void polled_complete(struct dma_fence *fence)
{
	WRITE_ONCE(container_of(fence, struct polled_fence, mock.base)->done,
		   true);
}

/* Slots a model holds: its tests keep fewer fences than that. */
#define MODEL_SLOTS 256

/* 6.1's counters and slots, as its reservation and add rules change them. */
struct resv_model {
	struct dma_fence *fence[MODEL_SLOTS];
	enum dma_resv_usage usage[MODEL_SLOTS];
	unsigned int num, limit, slots;
	bool array;
};

static void model_reserve(struct resv_model *m, unsigned int n)
{
	unsigned long request;
	unsigned int i, kept = 0;

	if (m->array && m->limit) {
		if (m->num + n <= m->limit)
			return;
		request = max(m->num + n, 2 * m->limit);
	} else {
		request = max(4UL, n ? roundup_pow_of_two(n) : 1);
	}
	for (i = 0; i < m->num; i++) {
		if (dma_fence_is_signaled(m->fence[i]))
			continue;
		m->fence[kept] = m->fence[i];
		m->usage[kept++] = m->usage[i];
	}
	m->num = kept;
	m->slots = slots_61(request);
	m->limit = m->slots;
	m->array = true;
}

static void model_add(struct resv_model *m, struct dma_fence *fence,
		      enum dma_resv_usage usage)
{
	unsigned int i;

	for (i = 0; i < m->num; i++) {
		struct dma_fence *old = m->fence[i];

		if ((old->context == fence->context && m->usage[i] >= usage &&
		     dma_fence_is_later_or_same(fence, old)) ||
		    dma_fence_is_signaled(old))
			break;
	}
	/* A full model is left as it is: the next walk check fails. */
	if (i == MODEL_SLOTS)
		return;
	m->fence[i] = fence;
	m->usage[i] = usage;
	if (i == m->num)
		m->num++;
}

/*
 * 6.1 as distributions build it: unlocking changes nothing.  (With
 * CONFIG_DEBUG_MUTEXES, 6.1 lowers its limit to trigger a move on the
 * next reservation; ours lowers only the limit adds are checked against.)
 */
static void model_unlock(struct resv_model *m)
{
}

/* Does a locked walk of @obj list the model's fences with their usages? */
static bool walk_is_model(struct dma_resv *obj, struct resv_model *m)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	unsigned int k = 0;

	dma_resv_for_each_fence(&cursor, obj, DMA_RESV_USAGE_BOOKKEEP, fence) {
		if (k >= m->num || m->fence[k] != fence ||
		    m->usage[k] != dma_resv_iter_usage(&cursor))
			return false;
		k++;
	}
	return k == m->num;
}

/* In a section of @obj: reserve a slot and add @fence, to the model too. */
static bool add_as_model(struct kunit *test, struct dma_resv *obj,
			 struct resv_model *m, struct dma_fence *fence,
			 enum dma_resv_usage usage)
{
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(obj, 1), 0);
	model_reserve(m, 1);
	KUNIT_ASSERT_LT(test, m->num, (unsigned int)MODEL_SLOTS);
	dma_resv_add_fence(obj, fence, usage);
	model_add(m, fence, usage);
	return walk_is_model(obj, m);
}

/*
 * In an array of more than 32 slots, an add takes the slot 6.1 takes: the
 * first one whose fence it supersedes or whose fence signaled, by its flag
 * or by its driver's word only; else a new one.  Covered: a context holding
 * two slots of one usage (its earlier seqno added after the later one),
 * where only the second is superseded; fences of new contexts, each taking
 * the first signaled slot, however far from the last add; and a later
 * fence of a stored context, which takes a signaled slot ahead of its own
 * context's.
 */
static void dma_resv_big_array_slot_as_6_1(struct kunit *test)
{
	const unsigned int n = 40;
	u64 base = dma_fence_context_alloc(n);
	struct dma_fence *f[40], *more[12];
	unsigned int i, made = 0;
	struct resv_model *m;
	struct dma_resv obj;
	bool same;

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	dma_resv_init(&obj);
	dma_resv_lock(&obj, NULL);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj, n), 0);
	model_reserve(m, n);
	KUNIT_ASSERT_GT(test, m->slots, 32U);
	for (i = 0; i < n; i++) {
		f[i] = i % 4 == 1 ? polled_fence_at(test, base + i, 10) :
				    mock_fence_at(test, base + i, 10);
		same = add_as_model(test, &obj, m, f[i], DMA_RESV_USAGE_READ);
		KUNIT_EXPECT_EQ_MSG(test, same, true, "filling, fence %u", i);
	}

	/* Context 30 again, earlier: not superseding, a slot of its own. */
	more[made] = mock_fence_at(test, base + 30, 5);
	same = add_as_model(test, &obj, m, more[made++], DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ_MSG(test, same, true, "earlier fence of a context");
	KUNIT_EXPECT_EQ(test, m->num, n + 1);
	/* Between the two: supersedes the second slot only. */
	more[made] = mock_fence_at(test, base + 30, 7);
	same = add_as_model(test, &obj, m, more[made++], DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ_MSG(test, same, true, "second slot of a context");
	KUNIT_EXPECT_EQ(test, m->num, n + 1);

	/* Signaled: 5 and 25 by their driver's word only, 9 and 20 flagged. */
	polled_complete(f[5]);
	polled_complete(f[25]);
	dma_fence_signal(f[9]);
	dma_fence_signal(f[20]);
	for (i = 0; i < 5; i++) {
		more[made] = mock_fence(test);
		same = add_as_model(test, &obj, m, more[made++],
				    DMA_RESV_USAGE_READ);
		KUNIT_EXPECT_EQ_MSG(test, same, true, "new context %u", i);
	}
	KUNIT_EXPECT_EQ(test, m->num, n + 2);

	/* A signaled slot ahead of the context's own is taken first. */
	dma_fence_signal(f[12]);
	more[made] = mock_fence_at(test, base + 30, 11);
	same = add_as_model(test, &obj, m, more[made++], DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ_MSG(test, same, true, "later fence, signaled slot first");
	more[made] = mock_fence_at(test, base + 30, 12);
	same = add_as_model(test, &obj, m, more[made++], DMA_RESV_USAGE_WRITE);
	KUNIT_EXPECT_EQ_MSG(test, same, true, "later fence, stronger usage");
	/* The same for a usage no slot of the context has. */
	more[made] = mock_fence_at(test, base + 3, 11);
	same = add_as_model(test, &obj, m, more[made++], DMA_RESV_USAGE_KERNEL);
	KUNIT_EXPECT_EQ_MSG(test, same, true, "later fence, new usage");
	dma_resv_unlock(&obj);
	model_unlock(m);

	/* And in the next locked section, after the move a debug build makes. */
	polled_complete(f[33]);
	dma_fence_signal(f[38]);
	dma_resv_lock(&obj, NULL);
	more[made] = mock_fence(test);
	same = add_as_model(test, &obj, m, more[made++], DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ_MSG(test, same, true, "relocked");
	dma_resv_unlock(&obj);
	KUNIT_ASSERT_LE(test, made, (unsigned int)ARRAY_SIZE(more));

	dma_resv_fini(&obj);
	release_all(test, f, n);
	release_all(test, more, made);
}

/* Signal @fence, a mock fence, or a polled one by its driver's word only. */
static void signal_any(struct dma_fence *fence)
{
	if (fence->ops == &polled_fence_ops)
		polled_complete(fence);
	else
		dma_fence_signal(fence);
}

/*
 * Random locked sections (several reservations of 0 to 3 slots, each
 * followed by at most that many adds of random contexts, seqnos and
 * usages) and random signals, against a model of 6.1's array: after every
 * step the locked walk lists the model's fences, in its order, with its
 * usages.  Fences signal between the sections and within them, some of
 * them only when their driver is asked.
 * An object is replaced once its array passes 128 slots, and halfway,
 * where the adds go from 6 contexts to 40.
 */
static void dma_resv_sections_match_6_1(struct kunit *test)
{
	const unsigned int contexts = 40, steps = 1500, max_fences = 6000;
	u64 base = dma_fence_context_alloc(contexts), seqno[40] = {};
	unsigned int i, made = 0, objects = 1, biggest = 0, used = 6;
	struct dma_fence **all;
	struct resv_model *m;
	struct dma_resv obj;
	u32 rnd = 2024;

	all = kunit_kcalloc(test, max_fences, sizeof(*all), GFP_KERNEL);
	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, all);
	KUNIT_ASSERT_NOT_NULL(test, m);
	dma_resv_init(&obj);

	for (i = 0; i < steps; i++) {
		unsigned int reserves, r, a;
		bool same = true;

		rnd = rnd * 1103515245 + 12345;
		if ((rnd >> 16) % 3 == 0 && made) {
			/* Signal a fence, mostly a recent one. */
			signal_any(all[made - 1 - (rnd >> 20) % min(made, 8U)]);
			continue;
		}

		dma_resv_lock(&obj, NULL);
		reserves = 1 + (rnd >> 20) % 3;
		while (reserves--) {
			rnd = rnd * 1103515245 + 12345;
			r = (rnd >> 16) % 4;
			KUNIT_ASSERT_EQ(test,
					dma_resv_reserve_fences(&obj, r), 0);
			model_reserve(m, r);
			same = walk_is_model(&obj, m);
			KUNIT_EXPECT_EQ_MSG(test, same, true,
					    "step %u: reserved %u", i, r);
			for (a = (rnd >> 20) % (r + 1); same && a--;) {
				unsigned int c;
				enum dma_resv_usage usage;

				KUNIT_ASSERT_LT(test, made, max_fences);
				rnd = rnd * 1103515245 + 12345;
				/* Within the section too, anywhere. */
				if ((rnd >> 4) % 3 == 0 && made)
					signal_any(all[made - 1 - (rnd >> 20) %
						       min(made, 128U)]);
				c = (rnd >> 16) % used;
				usage = (rnd >> 24) & 3;
				/* Now and then the same seqno again. */
				if ((rnd >> 28) || !seqno[c])
					seqno[c]++;
				all[made] = (rnd >> 8) % 4 ?
					mock_fence_at(test, base + c,
						      seqno[c]) :
					polled_fence_at(test, base + c,
							seqno[c]);
				dma_resv_add_fence(&obj, all[made], usage);
				model_add(m, all[made++], usage);
				same = walk_is_model(&obj, m);
				KUNIT_EXPECT_EQ_MSG(test, same, true,
						    "step %u: added", i);
			}
			if (!same)
				break;
		}
		dma_resv_unlock(&obj);
		model_unlock(m);
		if (!same)
			break;
		KUNIT_EXPECT_EQ_MSG(test, listed_is(&obj, m->fence, m->num),
				    true, "step %u: relocked", i);

		/* The model's fences stay fewer than MODEL_SLOTS. */
		biggest = max(biggest, m->slots);
		if (m->slots > 128 || i == steps / 2) {
			dma_resv_fini(&obj);
			dma_resv_init(&obj);
			memset(m, 0, sizeof(*m));
			objects++;
			used = i < steps / 2 ? used : contexts;
		}
	}
	kunit_info(test, "%u steps, %u fences, %u objects, %u slots at most\n",
		   i, made, objects, biggest);
	KUNIT_EXPECT_GT(test, biggest, 32U);
	dma_resv_fini(&obj);
	release_all(test, all, made);
}

/*
 * Six fences, f[1] signaled only by its driver's word; @obj holds f[0] to
 * f[4] as readers.  @want lists the unsignaled ones in order: f[5] last.
 */
static void polled_setup(struct kunit *test, struct dma_resv *obj,
			 struct dma_fence **f, struct dma_fence **want)
{
	unsigned int i;

	for (i = 0; i < 6; i++)
		f[i] = i == 1 ? polled_fence(test) : mock_fence(test);
	dma_resv_init(obj);
	for (i = 0; i < 5; i++)
		add_one(test, obj, f[i], DMA_RESV_USAGE_READ);
	polled_complete(f[1]);
	want[0] = f[0];
	want[1] = f[2];
	want[2] = f[3];
	want[3] = f[4];
	want[4] = f[5];
}

/*
 * Growing polled_setup()'s @obj by a slot drops f[1], and f[5] joins the
 * others; then the object and the fences go.
 */
static void polled_regrow(struct kunit *test, struct dma_resv *obj,
			  struct dma_fence **f, struct dma_fence **want)
{
	dma_resv_lock(obj, NULL);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(obj, 1), 0);
	KUNIT_EXPECT_TRUE(test, walk_is(obj, want, 4));
	dma_resv_add_fence(obj, f[5], DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_TRUE(test, walk_is(obj, want, 5));
	dma_resv_unlock(obj);

	dma_resv_fini(obj);
	release_all(test, f, 6);
}

/*
 * A fence is signaled for compaction when its driver says so, flag or not:
 * moving to a bigger array and copying both drop it.
 */
static void dma_resv_compaction_asks_driver(struct kunit *test)
{
	struct dma_fence *f[6], *want[5];
	struct dma_resv obj, dst;

	polled_setup(test, &obj, f, want);
	dma_resv_init(&dst);
	dma_resv_lock(&dst, NULL);
	KUNIT_EXPECT_EQ(test, dma_resv_copy_fences(&dst, &obj), 0);
	KUNIT_EXPECT_TRUE(test, walk_is(&dst, want, 4));
	dma_resv_unlock(&dst);
	dma_resv_fini(&dst);

	/* The copy may have found it signaled already: from the flag now. */
	polled_regrow(test, &obj, f, want);
}

/*
 * Moving to a bigger array asks the driver too, with no copy before: a
 * fence signaled only by its driver's word goes.
 */
static void dma_resv_regrow_asks_driver(struct kunit *test)
{
	struct dma_fence *f[6], *want[5];
	struct dma_resv obj;

	polled_setup(test, &obj, f, want);
	polled_regrow(test, &obj, f, want);
}

/*
 * A copy is an array for as many fences as the source's array holds,
 * signaled ones included, of which only the unsignaled ones are copied;
 * its limit is its size until the destination is unlocked.
 */
static void dma_resv_copy_sized_as_6_1(struct kunit *test)
{
	static const unsigned int sizes[] = { 1, 4, 5, 6, 9, 12, 13, 30, 40 };
	unsigned int i, k;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct probe *src = probe_new(test), *p = probe_new(test);

		dma_resv_lock(&src->obj, NULL);
		while (src->num < sizes[i])
			probe_add(src);
		dma_resv_unlock(&src->obj);
		/* The last one signals: counted in the size, not copied. */
		dma_fence_signal(src->f[src->num - 1]);

		dma_resv_lock(&p->obj, NULL);
		KUNIT_ASSERT_EQ(test, dma_resv_copy_fences(&p->obj, &src->obj),
				0);
		for (k = 0; k < src->num - 1; k++)
			p->f[k] = dma_fence_get(src->f[k]);
		p->made = src->num - 1;
		p->num = p->made;
		if (p->num)
			probe_slots(p, slots_61(sizes[i]));
		else
			KUNIT_EXPECT_TRUE(test, walk_is(&p->obj, NULL, 0));
		dma_resv_unlock(&p->obj);
		probe_free(p);
		probe_free(src);
	}
}

static void dma_resv_replace_fences_by_context(struct kunit *test)
{
	u64 ctx = dma_fence_context_alloc(1);
	struct dma_fence *a = mock_fence_at(test, ctx, 1);
	struct dma_fence *b = mock_fence(test);
	struct dma_fence *stub = dma_fence_get_stub();
	struct dma_resv obj;

	dma_resv_init(&obj);
	add_one(test, &obj, a, DMA_RESV_USAGE_BOOKKEEP);
	add_one(test, &obj, b, DMA_RESV_USAGE_READ);
	dma_resv_lock(&obj, NULL);
	dma_resv_replace_fences(&obj, ctx, stub, DMA_RESV_USAGE_KERNEL);
	dma_resv_unlock(&obj);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, a), -1);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, stub), DMA_RESV_USAGE_KERNEL);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, b), DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ(test, kref_read(&a->refcount), 1U);

	/* No replacement: the fences of the context just go. */
	dma_resv_lock(&obj, NULL);
	dma_resv_replace_fences(&obj, b->context, NULL, DMA_RESV_USAGE_READ);
	dma_resv_replace_fences(&obj, ctx + 1000000, NULL, DMA_RESV_USAGE_READ);
	dma_resv_unlock(&obj);
	KUNIT_EXPECT_EQ(test, count_locked(&obj, DMA_RESV_USAGE_BOOKKEEP), 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&b->refcount), 1U);
	KUNIT_EXPECT_TRUE(test, dma_resv_test_signaled(&obj,
						       DMA_RESV_USAGE_BOOKKEEP));
	dma_resv_fini(&obj);
	signal_put(a, b);
	dma_fence_put(stub);
}

/*
 * Contexts added in no particular order, then later fences of each in
 * another order: every later fence finds the slot of its context, and a
 * locked walk sees each context once.
 */
static void dma_resv_contexts_in_any_order(struct kunit *test)
{
	const unsigned int n = 64;
	u64 base = dma_fence_context_alloc(n);
	struct dma_fence **f1, **f2;
	struct dma_resv_iter cursor;
	struct dma_fence *f;
	struct dma_resv obj;
	unsigned int i, seen = 0;

	f1 = kunit_kcalloc(test, n, sizeof(*f1), GFP_KERNEL);
	f2 = kunit_kcalloc(test, n, sizeof(*f2), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f1);
	KUNIT_ASSERT_NOT_NULL(test, f2);
	for (i = 0; i < n; i++) {
		f1[i] = mock_fence_at(test, base + i, 1);
		f2[i] = mock_fence_at(test, base + i, 2);
	}

	dma_resv_init(&obj);
	/* 37 and 11 are prime to 64: both visit every context once. */
	for (i = 0; i < n; i++)
		add_one(test, &obj, f1[(i * 37) % n], DMA_RESV_USAGE_READ);
	for (i = 0; i < n; i++)
		add_one(test, &obj, f2[(i * 11 + 5) % n], DMA_RESV_USAGE_WRITE);

	dma_resv_lock(&obj, NULL);
	dma_resv_for_each_fence(&cursor, &obj, DMA_RESV_USAGE_BOOKKEEP, f) {
		KUNIT_EXPECT_LT(test, f->context - base, (u64)n);
		seen++;
	}
	dma_resv_unlock(&obj);
	KUNIT_EXPECT_EQ(test, seen, n);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, stored_usage(&obj, f2[i]),
				DMA_RESV_USAGE_WRITE);
		KUNIT_EXPECT_EQ(test, kref_read(&f1[i]->refcount), 1U);
	}

	/* Removing contexts from the middle keeps the others in place. */
	dma_resv_lock(&obj, NULL);
	for (i = 0; i < n; i += 3)
		dma_resv_replace_fences(&obj, base + i, NULL,
					DMA_RESV_USAGE_READ);
	dma_resv_unlock(&obj);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, stored_usage(&obj, f2[i]),
				i % 3 ? DMA_RESV_USAGE_WRITE : -1);

	dma_resv_fini(&obj);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, kref_read(&f2[i]->refcount), 1U);
		signal_put(f1[i], f2[i]);
	}
}

/*
 * The replacement belongs to a context the object holds already: it takes
 * the replaced fence's slot, in place, and the fence of its context stays
 * in its own.
 */
static void dma_resv_replacement_in_place(struct kunit *test)
{
	u64 ctx = dma_fence_context_alloc(1);
	struct dma_fence *a = mock_fence(test), *a2 = mock_fence(test);
	struct dma_fence *b1 = mock_fence_at(test, ctx, 1);
	struct dma_fence *b2 = mock_fence_at(test, ctx, 2);
	struct dma_resv obj;

	dma_resv_init(&obj);
	add_one(test, &obj, a, DMA_RESV_USAGE_BOOKKEEP);
	add_one(test, &obj, b1, DMA_RESV_USAGE_READ);
	add_one(test, &obj, a2, DMA_RESV_USAGE_READ);
	dma_resv_lock(&obj, NULL);
	dma_resv_replace_fences(&obj, a->context, b2, DMA_RESV_USAGE_KERNEL);
	dma_resv_unlock(&obj);
	KUNIT_EXPECT_EQ(test, count_locked(&obj, DMA_RESV_USAGE_BOOKKEEP), 3U);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, b2), DMA_RESV_USAGE_KERNEL);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, b1), DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ(test, kref_read(&a->refcount), 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&b1->refcount), 2U);

	/* Every fence of the context goes, here b1 and b2 for a2. */
	dma_resv_lock(&obj, NULL);
	dma_resv_replace_fences(&obj, ctx, a2, DMA_RESV_USAGE_WRITE);
	dma_resv_unlock(&obj);
	KUNIT_EXPECT_EQ(test, count_locked(&obj, DMA_RESV_USAGE_BOOKKEEP), 3U);
	KUNIT_EXPECT_EQ(test, count_locked(&obj, DMA_RESV_USAGE_WRITE), 2U);
	KUNIT_EXPECT_EQ(test, kref_read(&b1->refcount), 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&b2->refcount), 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&a2->refcount), 4U);

	dma_resv_fini(&obj);
	KUNIT_EXPECT_EQ(test, kref_read(&a2->refcount), 1U);
	signal_put(a, a2, b1, b2);
}

/*
 * Copying an object with nothing pending empties the destination, which
 * keeps working afterwards; fences that signaled are not copied.
 */
static void dma_resv_copy_nothing_pending(struct kunit *test)
{
	struct dma_fence *a = mock_fence(test), *b = mock_fence(test);
	struct dma_fence *c = mock_fence(test);
	struct dma_resv dst, never, idle;

	dma_resv_init(&dst);
	dma_resv_init(&never);
	dma_resv_init(&idle);
	add_one(test, &dst, a, DMA_RESV_USAGE_WRITE);
	add_one(test, &dst, b, DMA_RESV_USAGE_READ);
	add_one(test, &idle, c, DMA_RESV_USAGE_READ);
	dma_fence_signal(c);

	dma_resv_lock(&dst, NULL);
	KUNIT_EXPECT_EQ(test, dma_resv_copy_fences(&dst, &never), 0);
	dma_resv_unlock(&dst);
	KUNIT_EXPECT_EQ(test, count_locked(&dst, DMA_RESV_USAGE_BOOKKEEP), 0U);
	KUNIT_EXPECT_EQ(test, kref_read(&a->refcount), 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&b->refcount), 1U);

	add_one(test, &dst, a, DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ(test, stored_usage(&dst, a), DMA_RESV_USAGE_READ);
	dma_resv_lock(&dst, NULL);
	KUNIT_EXPECT_EQ(test, dma_resv_copy_fences(&dst, &idle), 0);
	dma_resv_unlock(&dst);
	KUNIT_EXPECT_EQ(test, count_locked(&dst, DMA_RESV_USAGE_BOOKKEEP), 0U);
	KUNIT_EXPECT_EQ(test, kref_read(&a->refcount), 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&c->refcount), 2U);
	KUNIT_EXPECT_TRUE(test, dma_resv_test_signaled(&dst,
						       DMA_RESV_USAGE_BOOKKEEP));

	dma_resv_fini(&dst);
	dma_resv_fini(&never);
	dma_resv_fini(&idle);
	signal_put(a, b);
	dma_fence_put(c);
}

static void dma_resv_get_fences_and_singleton(struct kunit *test)
{
	struct dma_fence *w = mock_fence(test), *r = mock_fence(test);
	struct dma_fence **fences, *single;
	struct dma_fence_array *array;
	struct dma_resv obj;
	unsigned int n;

	dma_resv_init(&obj);
	add_one(test, &obj, w, DMA_RESV_USAGE_WRITE);
	add_one(test, &obj, r, DMA_RESV_USAGE_READ);

	KUNIT_ASSERT_EQ(test, dma_resv_get_fences(&obj, DMA_RESV_USAGE_WRITE,
						  &n, &fences), 0);
	KUNIT_ASSERT_EQ(test, n, 1U);
	KUNIT_EXPECT_PTR_EQ(test, fences[0], w);
	dma_fence_put(fences[0]);
	kfree(fences);

	/* One fence: itself, referenced. */
	KUNIT_ASSERT_EQ(test, dma_resv_get_singleton(&obj, DMA_RESV_USAGE_WRITE,
						     &single), 0);
	KUNIT_EXPECT_PTR_EQ(test, single, w);
	KUNIT_EXPECT_EQ(test, kref_read(&w->refcount), 3U);
	dma_fence_put(single);

	/* Two: an array that signals once both did. */
	KUNIT_ASSERT_EQ(test, dma_resv_get_singleton(&obj, DMA_RESV_USAGE_READ,
						     &single), 0);
	array = to_dma_fence_array(single);
	KUNIT_ASSERT_NOT_NULL(test, array);
	KUNIT_EXPECT_EQ(test, array->num_fences, 2U);
	dma_fence_enable_sw_signaling(single);
	dma_fence_signal(w);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(single));
	dma_fence_signal(r);
	KUNIT_EXPECT_TRUE(test, mock_fence_settles(single));
	irq_work_sync(&array->work);
	dma_fence_put(single);

	/* Signaled fences are left out of snapshots. */
	KUNIT_ASSERT_EQ(test, dma_resv_get_fences(&obj, DMA_RESV_USAGE_READ,
						  &n, &fences), 0);
	KUNIT_EXPECT_EQ(test, n, 0U);
	KUNIT_EXPECT_NULL(test, fences);
	dma_resv_fini(&obj);
	KUNIT_EXPECT_EQ(test, kref_read(&w->refcount), 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&r->refcount), 1U);
	dma_fence_put(w);
	dma_fence_put(r);
}

static void dma_resv_copy_fences_keeps_usage(struct kunit *test)
{
	struct dma_fence *k = mock_fence(test), *r = mock_fence(test);
	struct dma_fence *b = mock_fence(test), *old = mock_fence(test);
	struct dma_fence *done = mock_fence(test);
	struct dma_resv src, dst;

	dma_resv_init(&src);
	dma_resv_init(&dst);
	add_one(test, &src, k, DMA_RESV_USAGE_KERNEL);
	add_one(test, &src, r, DMA_RESV_USAGE_READ);
	add_one(test, &src, b, DMA_RESV_USAGE_BOOKKEEP);
	add_one(test, &src, done, DMA_RESV_USAGE_WRITE);
	dma_fence_signal(done);
	add_one(test, &dst, old, DMA_RESV_USAGE_WRITE);

	dma_resv_lock(&dst, NULL);
	KUNIT_EXPECT_EQ(test, dma_resv_copy_fences(&dst, &src), 0);
	dma_resv_unlock(&dst);
	KUNIT_EXPECT_EQ(test, stored_usage(&dst, k), DMA_RESV_USAGE_KERNEL);
	KUNIT_EXPECT_EQ(test, stored_usage(&dst, r), DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ(test, stored_usage(&dst, b), DMA_RESV_USAGE_BOOKKEEP);
	KUNIT_EXPECT_EQ(test, stored_usage(&dst, old), -1);
	KUNIT_EXPECT_EQ(test, stored_usage(&dst, done), -1);
	KUNIT_EXPECT_EQ(test, kref_read(&old->refcount), 1U);
	/* The copy is the destination's own: adding to it needs slots too. */
	add_one(test, &dst, old, DMA_RESV_USAGE_WRITE);
	KUNIT_EXPECT_EQ(test, count_locked(&dst, DMA_RESV_USAGE_BOOKKEEP), 4U);
	KUNIT_EXPECT_EQ(test, count_locked(&src, DMA_RESV_USAGE_BOOKKEEP), 4U);

	/* Copying an empty object empties the destination. */
	dma_resv_fini(&src);
	dma_resv_init(&src);
	dma_resv_lock(&dst, NULL);
	KUNIT_EXPECT_EQ(test, dma_resv_copy_fences(&dst, &src), 0);
	dma_resv_unlock(&dst);
	KUNIT_EXPECT_EQ(test, count_locked(&dst, DMA_RESV_USAGE_BOOKKEEP), 0U);
	dma_resv_fini(&src);
	dma_resv_fini(&dst);

	KUNIT_EXPECT_EQ(test, kref_read(&k->refcount), 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&old->refcount), 1U);
	signal_put(k, r, b, old);
	dma_fence_put(done);
}

static void dma_resv_wait_and_test(struct kunit *test)
{
	struct dma_fence *w = mock_fence(test), *bk = mock_fence(test);
	struct dma_fence *e = mock_fence(test);
	struct mock_fence_signaler d;
	struct task_struct *t;
	struct dma_resv obj;

	dma_resv_init(&obj);
	add_one(test, &obj, w, DMA_RESV_USAGE_WRITE);
	add_one(test, &obj, bk, DMA_RESV_USAGE_BOOKKEEP);
	add_one(test, &obj, e, DMA_RESV_USAGE_READ);

	KUNIT_EXPECT_TRUE(test, dma_resv_test_signaled(&obj,
						       DMA_RESV_USAGE_KERNEL));
	KUNIT_EXPECT_FALSE(test, dma_resv_test_signaled(&obj,
							DMA_RESV_USAGE_WRITE));
	KUNIT_EXPECT_EQ(test, dma_resv_wait_timeout(&obj, DMA_RESV_USAGE_KERNEL,
						    false, 5), 5L);
	KUNIT_EXPECT_EQ(test, dma_resv_wait_timeout(&obj, DMA_RESV_USAGE_WRITE,
						    false, 0), 0L);
	KUNIT_EXPECT_EQ(test, dma_resv_wait_timeout(&obj, DMA_RESV_USAGE_WRITE,
						    false, 2), 0L);

	/* A pending signal interrupts an interruptible wait only. */
	set_tsk_thread_flag(current, TIF_SIGPENDING);
	KUNIT_EXPECT_EQ(test, dma_resv_wait_timeout(&obj, DMA_RESV_USAGE_WRITE,
						    true, HZ),
			(long)-ERESTARTSYS);
	KUNIT_EXPECT_EQ(test, dma_resv_wait_timeout(&obj, DMA_RESV_USAGE_WRITE,
						    false, 2), 0L);
	clear_tsk_thread_flag(current, TIF_SIGPENDING);

	/* An errored fence has signaled all the same. */
	mock_fence_complete(e, -EIO);
	t = mock_fence_signal_later(test, &d, w, 30);
	KUNIT_EXPECT_GT(test, dma_resv_wait_timeout(&obj, DMA_RESV_USAGE_READ,
						    true, 10 * HZ), 0L);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(w));
	KUNIT_EXPECT_TRUE(test, dma_resv_test_signaled(&obj,
						       DMA_RESV_USAGE_READ));
	KUNIT_EXPECT_EQ(test, dma_resv_wait_timeout(&obj, DMA_RESV_USAGE_READ,
						    false, 0), 1L);
	KUNIT_EXPECT_EQ(test, dma_resv_wait_timeout(&obj, DMA_RESV_USAGE_READ,
						    false,
						    MAX_SCHEDULE_TIMEOUT),
			(long)MAX_SCHEDULE_TIMEOUT);
	/* The bookkeeping fence is still pending. */
	KUNIT_EXPECT_FALSE(test, dma_resv_test_signaled(&obj,
							DMA_RESV_USAGE_BOOKKEEP));
	KUNIT_EXPECT_EQ(test, dma_resv_wait_timeout(&obj,
						    DMA_RESV_USAGE_BOOKKEEP,
						    false, 1), 0L);
	kthread_stop(t);

	dma_resv_fini(&obj);
	dma_fence_signal(bk);
	dma_fence_put(w);
	dma_fence_put(bk);
	dma_fence_put(e);
}

static void dma_resv_describe_lists_usages(struct kunit *test)
{
	struct dma_fence *w = mock_fence(test), *b = mock_fence(test);
	struct seq_file seq = { };
	struct dma_resv obj;
	char *buf;

	buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	seq.buf = buf;
	seq.size = PAGE_SIZE;

	dma_resv_init(&obj);
	add_one(test, &obj, w, DMA_RESV_USAGE_WRITE);
	add_one(test, &obj, b, DMA_RESV_USAGE_BOOKKEEP);
	dma_fence_signal(b);
	dma_resv_lock(&obj, NULL);
	dma_resv_describe(&obj, &seq);
	dma_resv_unlock(&obj);
	buf[min(seq.count, seq.size - 1)] = 0;
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "\twrite fence:mock "));
	KUNIT_EXPECT_NULL(test, strstr(buf, "bookkeep fence"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, " unsignalled"));
	KUNIT_EXPECT_NULL(test, strstr(buf, "read fence"));

	dma_resv_fini(&obj);
	dma_fence_signal(w);
	dma_fence_put(w);
	dma_fence_put(b);
}

static void dma_resv_unlocked_walk_restarts(struct kunit *test)
{
	struct dma_fence *a = mock_fence(test), *b = mock_fence(test);
	struct dma_fence *c = mock_fence(test), *fence;
	struct dma_resv_iter cursor;
	struct dma_resv obj;
	unsigned int seen = 0;

	dma_resv_init(&obj);
	add_one(test, &obj, a, DMA_RESV_USAGE_READ);
	add_one(test, &obj, b, DMA_RESV_USAGE_READ);

	dma_resv_lock(&obj, NULL);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj, 1), 0);
	dma_resv_iter_begin(&cursor, &obj, DMA_RESV_USAGE_READ);
	fence = dma_resv_iter_first_unlocked(&cursor);
	KUNIT_ASSERT_NOT_NULL(test, fence);
	KUNIT_EXPECT_TRUE(test, dma_resv_iter_is_restarted(&cursor));
	/* The cursor holds a reference on what it returned. */
	KUNIT_EXPECT_EQ(test, kref_read(&fence->refcount), 3U);
	fence = dma_resv_iter_next_unlocked(&cursor);
	KUNIT_ASSERT_NOT_NULL(test, fence);
	KUNIT_EXPECT_FALSE(test, dma_resv_iter_is_restarted(&cursor));

	/* A fence added during the walk is not part of it... */
	dma_resv_add_fence(&obj, c, DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_NULL(test, dma_resv_iter_next_unlocked(&cursor));
	dma_resv_iter_end(&cursor);
	dma_resv_unlock(&obj);

	/* ... but a move to a new array starts it over, on that one. */
	dma_resv_iter_begin(&cursor, &obj, DMA_RESV_USAGE_READ);
	fence = dma_resv_iter_first_unlocked(&cursor);
	KUNIT_ASSERT_NOT_NULL(test, fence);
	dma_resv_lock(&obj, NULL);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj, 100), 0);
	dma_resv_unlock(&obj);
	fence = dma_resv_iter_next_unlocked(&cursor);
	KUNIT_ASSERT_NOT_NULL(test, fence);
	KUNIT_EXPECT_TRUE(test, dma_resv_iter_is_restarted(&cursor));
	while (fence) {
		seen++;
		fence = dma_resv_iter_next_unlocked(&cursor);
	}
	KUNIT_EXPECT_EQ(test, seen, 3U);
	dma_resv_iter_end(&cursor);

	/* Stopping early: iter_end drops the last reference taken. */
	dma_resv_iter_begin(&cursor, &obj, DMA_RESV_USAGE_READ);
	dma_resv_for_each_fence_unlocked(&cursor, fence)
		break;
	dma_resv_iter_end(&cursor);
	KUNIT_EXPECT_EQ(test, kref_read(&a->refcount), 2U);
	KUNIT_EXPECT_EQ(test, kref_read(&b->refcount), 2U);
	KUNIT_EXPECT_EQ(test, kref_read(&c->refcount), 2U);

	dma_resv_fini(&obj);
	signal_put(a, b, c);
}

/*
 * A producer keeps one pending fence on its context: it adds fence k + 1
 * as a write, then signals fence k, every millisecond or so.  A wait that
 * starts at any moment is bounded by the fences present when it started,
 * so it returns once the fence it found signals, a few milliseconds later,
 * however long the producer goes on.
 * The producer unlocks between fences, as drivers do: in debug builds
 * too, a reservation then keeps the array, and the walk is not started
 * over.
 */
struct producer {
	struct dma_resv *obj;
	u64 context;
	atomic_t err;
	bool stop;
};

static int producer_thread(void *data)
{
	struct producer *p = data;
	struct dma_fence *prev = NULL, *next;
	u64 seqno = 1;

	dma_resv_lock(p->obj, NULL);
	while (!READ_ONCE(p->stop)) {
		next = mock_fence_new(p->context, seqno++);
		if (!next) {
			atomic_inc(&p->err);
			break;
		}
		dma_resv_unlock(p->obj);
		dma_resv_lock(p->obj, NULL);
		if (dma_resv_reserve_fences(p->obj, 1))
			atomic_inc(&p->err);
		else
			dma_resv_add_fence(p->obj, next, DMA_RESV_USAGE_WRITE);
		if (prev) {
			dma_fence_signal(prev);
			dma_fence_put(prev);
		}
		prev = next;
		usleep_range(1000, 2000);
	}
	dma_resv_unlock(p->obj);
	if (prev) {
		dma_fence_signal(prev);
		dma_fence_put(prev);
	}
	while (!kthread_should_stop())
		usleep_range(1000, 2000);
	return 0;
}

static void dma_resv_wait_bounded_by_start(struct kunit *test)
{
	struct producer p = { .context = dma_fence_context_alloc(1) };
	struct task_struct *thread;
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	s64 worst = 0, waited;
	struct dma_resv obj;
	unsigned int i, walked, worst_walk = 0;
	ktime_t start;

	dma_resv_init(&obj);
	p.obj = &obj;
	atomic_set(&p.err, 0);
	thread = kthread_run(producer_thread, &p, "resv-producer");
	KUNIT_ASSERT_FALSE(test, IS_ERR(thread));
	msleep(20);

	for (i = 0; i < 40; i++) {
		start = ktime_get();
		KUNIT_EXPECT_GT(test,
				dma_resv_wait_timeout(&obj, DMA_RESV_USAGE_READ,
						      true, 2 * HZ), 0L);
		waited = ktime_ms_delta(ktime_get(), start);
		worst = max(worst, waited);
		if (waited > 200)
			break;

		/* The same bound for a walk waiting on each fence it gets. */
		walked = 0;
		dma_resv_iter_begin(&cursor, &obj, DMA_RESV_USAGE_WRITE);
		dma_resv_for_each_fence_unlocked(&cursor, fence) {
			walked++;
			if (walked > 8)
				break;
			dma_fence_wait_timeout(fence, false, HZ);
		}
		dma_resv_iter_end(&cursor);
		worst_walk = max(worst_walk, walked);
	}
	WRITE_ONCE(p.stop, true);
	kthread_stop(thread);

	/* A few milliseconds are enough; the producer ran for all of it. */
	KUNIT_EXPECT_LT_MSG(test, worst, 200LL, "a wait took %lld ms", worst);
	KUNIT_EXPECT_LE(test, worst_walk, 2U);
	KUNIT_EXPECT_EQ(test, atomic_read(&p.err), 0);
	dma_resv_fini(&obj);
}

static void dma_resv_no_slot_warns_keeps_fence(struct kunit *test)
{
	struct dma_fence *f[7];
	struct dma_resv obj;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(f); i++)
		f[i] = mock_fence(test);
	dma_resv_init(&obj);

	EXPECT_WARN_BEGIN("dma_resv_no_slot");
	/* Nothing ever reserved: an array is made for the fence. */
	dma_resv_lock(&obj, NULL);
	dma_resv_add_fence(&obj, f[0], DMA_RESV_USAGE_WRITE);
	dma_resv_unlock(&obj);
	/* Reserved once, then more added than reserved: the array grows. */
	dma_resv_lock(&obj, NULL);
	KUNIT_EXPECT_EQ(test, dma_resv_reserve_fences(&obj, 1), 0);
	for (i = 1; i < ARRAY_SIZE(f); i++)
		dma_resv_add_fence(&obj, f[i], DMA_RESV_USAGE_READ);
	dma_resv_unlock(&obj);
	EXPECT_WARN_END("dma_resv_no_slot");

	/* Every fence is there, the object is sound. */
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, f[0]), DMA_RESV_USAGE_WRITE);
	for (i = 1; i < ARRAY_SIZE(f); i++)
		KUNIT_EXPECT_EQ(test, stored_usage(&obj, f[i]),
				DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ(test, count_unlocked(&obj, DMA_RESV_USAGE_READ),
			(unsigned int)ARRAY_SIZE(f));
	add_one(test, &obj, f[0], DMA_RESV_USAGE_KERNEL);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, f[0]), DMA_RESV_USAGE_KERNEL);

	dma_resv_fini(&obj);
	release_all(test, f, ARRAY_SIZE(f));
}

DEFINE_EXPECT_WARN_CASE(dma_resv_no_slot_warns_keeps_fence)

static void dma_resv_unused_reservation_forgotten(struct kunit *test)
{
	struct dma_fence *a = mock_fence(test), *b = mock_fence(test);
	struct dma_resv obj;

	dma_resv_init(&obj);
	dma_resv_lock(&obj, NULL);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj, 2), 0);
	dma_resv_add_fence(&obj, a, DMA_RESV_USAGE_READ);
	dma_resv_unlock(&obj);

	/* There is room, but the reservation ended with the lock. */
	dma_resv_lock(&obj, NULL);
	if (IS_ENABLED(CONFIG_DEBUG_MUTEXES))
		EXPECT_WARN_BEGIN("dma_resv_reservation_reset");
	dma_resv_add_fence(&obj, b, DMA_RESV_USAGE_READ);
	if (IS_ENABLED(CONFIG_DEBUG_MUTEXES))
		EXPECT_WARN_END("dma_resv_reservation_reset");
	dma_resv_unlock(&obj);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, a), DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, b), DMA_RESV_USAGE_READ);

	dma_resv_fini(&obj);
	signal_put(a, b);
}

DEFINE_EXPECT_WARN_CASE_IF(dma_resv_unused_reservation_forgotten,
			   IS_ENABLED(CONFIG_DEBUG_MUTEXES))

static void dma_resv_container_stores_members(struct kunit *test)
{
	struct dma_fence *m[2] = { mock_fence(test), mock_fence(test) };
	struct dma_fence *inner = mock_fence(test), *r = mock_fence(test);
	struct dma_fence **members = kcalloc(2, sizeof(*members), GFP_KERNEL);
	struct dma_fence_chain *link = dma_fence_chain_alloc();
	struct dma_fence_array *array;
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	struct dma_resv obj;
	unsigned int n = 0;

	KUNIT_ASSERT_NOT_NULL(test, members);
	KUNIT_ASSERT_NOT_NULL(test, link);
	members[0] = dma_fence_get(m[0]);
	members[1] = dma_fence_get(m[1]);
	array = dma_fence_array_create(2, members, dma_fence_context_alloc(1),
				       1, false);
	KUNIT_ASSERT_NOT_NULL(test, array);
	dma_fence_chain_init(link, NULL, dma_fence_get(inner), 1);

	dma_resv_init(&obj);
	add_one(test, &obj, r, DMA_RESV_USAGE_READ);
	dma_resv_lock(&obj, NULL);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj, 3), 0);
	EXPECT_WARN_BEGIN("dma_resv_container");
	dma_resv_add_fence(&obj, &array->base, DMA_RESV_USAGE_WRITE);
	dma_resv_replace_fences(&obj, r->context, &link->base,
				DMA_RESV_USAGE_READ);
	EXPECT_WARN_END("dma_resv_container");
	dma_resv_for_each_fence(&cursor, &obj, DMA_RESV_USAGE_BOOKKEEP, fence) {
		KUNIT_EXPECT_FALSE(test, dma_fence_is_container(fence));
		n++;
	}
	dma_resv_unlock(&obj);

	/* The members stand for the containers; r was replaced. */
	KUNIT_EXPECT_EQ(test, n, 3U);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, m[0]), DMA_RESV_USAGE_WRITE);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, m[1]), DMA_RESV_USAGE_WRITE);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, inner), DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, r), -1);

	dma_resv_fini(&obj);
	dma_fence_signal(m[0]);
	dma_fence_signal(m[1]);
	dma_fence_signal(inner);
	dma_fence_signal(r);
	dma_fence_put(&array->base);
	dma_fence_put(&link->base);
	dma_fence_put(m[0]);
	dma_fence_put(m[1]);
	dma_fence_put(inner);
	dma_fence_put(r);
}

DEFINE_EXPECT_WARN_CASE(dma_resv_container_stores_members)

/*
 * A locked walk takes no references, so the cursor has none to drop: an
 * end after leaving it early (needless, but seen in drivers) must not
 * drop the object's own.
 */
static void dma_resv_locked_walk_holds_nothing(struct kunit *test)
{
	struct dma_fence *f = mock_fence(test);
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	struct dma_resv obj;
	unsigned int n = 0;

	dma_resv_init(&obj);
	add_one(test, &obj, f, DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ(test, kref_read(&f->refcount), 2U);
	dma_resv_lock(&obj, NULL);
	dma_resv_for_each_fence(&cursor, &obj, DMA_RESV_USAGE_BOOKKEEP, fence) {
		KUNIT_EXPECT_PTR_EQ(test, fence, f);
		n++;
		break;
	}
	dma_resv_iter_end(&cursor);
	dma_resv_unlock(&obj);
	KUNIT_EXPECT_EQ(test, n, 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&f->refcount), 2U);

	dma_resv_fini(&obj);
	release_all(test, &f, 1);
}

/*
 * The exported steps of a locked walk, called directly as modules built
 * against 6.1 do: the same fences as the macro, with the usage filter,
 * skipping a slot emptied by dma_resv_replace_fences().
 */
static void dma_resv_iter_next_exported(struct kunit *test)
{
	struct dma_fence *a = mock_fence(test), *b = mock_fence(test);
	struct dma_fence *c = mock_fence(test), *fence;
	struct dma_resv_iter cursor;
	struct dma_resv obj;
	unsigned int n = 0;

	dma_resv_init(&obj);
	add_one(test, &obj, a, DMA_RESV_USAGE_WRITE);
	add_one(test, &obj, b, DMA_RESV_USAGE_BOOKKEEP);
	add_one(test, &obj, c, DMA_RESV_USAGE_READ);
	dma_resv_lock(&obj, NULL);
	dma_resv_replace_fences(&obj, a->context, NULL, DMA_RESV_USAGE_READ);
	dma_resv_iter_begin(&cursor, &obj, DMA_RESV_USAGE_READ);
	for (fence = dma_resv_iter_first(&cursor); fence;
	     fence = dma_resv_iter_next(&cursor)) {
		KUNIT_EXPECT_PTR_EQ(test, fence, c);
		KUNIT_EXPECT_EQ(test, dma_resv_iter_usage(&cursor),
				DMA_RESV_USAGE_READ);
		KUNIT_EXPECT_EQ(test, dma_resv_iter_is_restarted(&cursor),
				n == 0);
		n++;
	}
	dma_resv_iter_end(&cursor);
	/* Two fences: the second one comes from the exported call. */
	dma_resv_iter_begin(&cursor, &obj, DMA_RESV_USAGE_BOOKKEEP);
	KUNIT_EXPECT_PTR_EQ(test, dma_resv_iter_first(&cursor), b);
	KUNIT_EXPECT_PTR_EQ(test, dma_resv_iter_next(&cursor), c);
	KUNIT_EXPECT_EQ(test, dma_resv_iter_usage(&cursor),
			DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_NULL(test, dma_resv_iter_next(&cursor));
	dma_resv_iter_end(&cursor);
	dma_resv_unlock(&obj);
	KUNIT_EXPECT_EQ(test, n, 1U);

	dma_resv_fini(&obj);
	signal_put(a, b, c);
}

/*
 * A container whose own context is one the object holds, and later: it
 * must not take that fence's place as if it were a plain fence.
 */
static void dma_resv_container_of_last_context(struct kunit *test)
{
	u64 ctx = dma_fence_context_alloc(1);
	struct dma_fence **members = kcalloc(1, sizeof(*members), GFP_KERNEL);
	struct dma_fence *plain = mock_fence_at(test, ctx, 1);
	struct dma_fence *m = mock_fence(test);
	struct dma_fence_array *array;
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	struct dma_resv obj;
	unsigned int n = 0;

	KUNIT_ASSERT_NOT_NULL(test, members);
	members[0] = dma_fence_get(m);
	array = dma_fence_array_create(1, members, ctx, 2, false);
	KUNIT_ASSERT_NOT_NULL(test, array);

	dma_resv_init(&obj);
	add_one(test, &obj, plain, DMA_RESV_USAGE_READ);
	dma_resv_lock(&obj, NULL);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj, 1), 0);
	EXPECT_WARN_BEGIN("dma_resv_container_last");
	dma_resv_add_fence(&obj, &array->base, DMA_RESV_USAGE_WRITE);
	EXPECT_WARN_END("dma_resv_container_last");
	dma_resv_for_each_fence(&cursor, &obj, DMA_RESV_USAGE_BOOKKEEP, fence) {
		KUNIT_EXPECT_PTR_NE(test, fence, &array->base);
		n++;
	}
	dma_resv_unlock(&obj);

	/* The plain fence stays, the member joins it. */
	KUNIT_EXPECT_EQ(test, n, 2U);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, plain), DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, m), DMA_RESV_USAGE_WRITE);
	KUNIT_EXPECT_EQ(test, kref_read(&array->base.refcount), 1U);

	dma_resv_fini(&obj);
	dma_fence_signal(m);
	dma_fence_signal(plain);
	dma_fence_put(&array->base);
	dma_fence_put(m);
	dma_fence_put(plain);
}

DEFINE_EXPECT_WARN_CASE(dma_resv_container_of_last_context)

#ifndef DMA_BUF_USERSPACE_SHIM
/*
 * A lock-free reader interrupting a writer on the writer's own CPU: an
 * hrtimer fires every few microseconds, in hard interrupt context, while
 * the test thread removes and adds back fences in the middle of a large
 * object.  The readers must never wait for the writer, which cannot run
 * until they return, so the test must simply finish.
 */
struct irq_reader {
	struct hrtimer timer;
	struct dma_resv *obj;
	atomic_t calls;
	atomic_t busy;
	bool stop;
};

static enum hrtimer_restart irq_reader_fire(struct hrtimer *timer)
{
	struct irq_reader *r = container_of(timer, struct irq_reader, timer);
	ktime_t start = ktime_get();
	struct dma_resv_iter cursor;
	struct dma_fence *fence;

	if (READ_ONCE(r->stop))
		return HRTIMER_NORESTART;
	if (!dma_resv_test_signaled(r->obj, DMA_RESV_USAGE_BOOKKEEP))
		atomic_inc(&r->busy);
	dma_resv_iter_begin(&cursor, r->obj, DMA_RESV_USAGE_READ);
	dma_resv_for_each_fence_unlocked(&cursor, fence)
		;
	dma_resv_iter_end(&cursor);
	atomic_inc(&r->calls);
	/* Leave the writer at least twice the time the readers took. */
	hrtimer_forward_now(timer, ktime_add(ns_to_ktime(20 * NSEC_PER_USEC),
					     2 * ktime_sub(ktime_get(), start)));
	return HRTIMER_RESTART;
}

static void dma_resv_reader_in_irq_of_writer(struct kunit *test)
{
	const unsigned int n = 512;
	u64 base = dma_fence_context_alloc(n);
	struct irq_reader r = { };
	struct dma_fence **f;
	struct dma_resv obj;
	unsigned long end, limit;
	unsigned int i, round = 0;

	f = kunit_kcalloc(test, n, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	dma_resv_init(&obj);
	dma_resv_lock(&obj, NULL);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj, n), 0);
	for (i = 0; i < n; i++) {
		f[i] = mock_fence_at(test, base + i, 1);
		dma_resv_add_fence(&obj, f[i], DMA_RESV_USAGE_READ);
	}
	dma_resv_unlock(&obj);

	r.obj = &obj;
	hrtimer_init_on_stack(&r.timer, CLOCK_MONOTONIC,
			      HRTIMER_MODE_REL_PINNED_HARD);
	r.timer.function = irq_reader_fire;
	migrate_disable();
	hrtimer_start(&r.timer, ns_to_ktime(20 * NSEC_PER_USEC),
		      HRTIMER_MODE_REL_PINNED_HARD);
	end = jiffies + msecs_to_jiffies(300);
	limit = jiffies + 10 * HZ;
	while ((time_before(jiffies, end) || atomic_read(&r.calls) < 10) &&
	       time_before(jiffies, limit)) {
		/* Low contexts first: every change moves the rest of the slots. */
		i = round++ % 8;
		dma_resv_lock(&obj, NULL);
		dma_resv_replace_fences(&obj, base + i, NULL,
					DMA_RESV_USAGE_READ);
		KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj, 1), 0);
		dma_resv_add_fence(&obj, f[i], DMA_RESV_USAGE_READ);
		dma_resv_unlock(&obj);
		cond_resched();
	}
	WRITE_ONCE(r.stop, true);
	hrtimer_cancel(&r.timer);
	destroy_hrtimer_on_stack(&r.timer);
	migrate_enable();

	kunit_info(test, "%u writer rounds, %d reader calls in irq\n", round,
		   atomic_read(&r.calls));
	KUNIT_EXPECT_GT(test, atomic_read(&r.calls), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&r.busy), 0);
	dma_resv_fini(&obj);
	signal_put_n(f, n);
}
#endif

/*
 * Readers racing a writer.  The writer keeps one fence for each of
 * RACE_CONTEXTS contexts and replaces them in rounds, context 0 first, each
 * replacement in its own locked section, signaling the fence it replaced
 * afterwards.  Lock-free readers get, of each slot, the fence it held when
 * read (as in 6.1, not a snapshot of one state): so each context at most
 * once, and only fences of the writer's contexts, whatever the interleaving.
 */
#define RACE_CONTEXTS 8
#define RACE_READERS 2
/* The most fences a walk may meet: the growing writer re-adds contexts. */
#define RACE_SEEN_MAX (4 * RACE_CONTEXTS)

struct race_reader {
	struct race *race;
	unsigned int id;
	struct dma_resv copy;
};

struct race {
	struct dma_resv obj;
	u64 base;
	bool grow;
	atomic_t bad;
	atomic_t snapshots;
	atomic_t restarts;
	struct race_reader readers[RACE_READERS];
	struct task_struct *threads[RACE_READERS];
};

/*
 * Could a lock-free reader have seen these (context, seqno) pairs?  Each
 * slot is read once, so no fence twice.  The replacing writer keeps each
 * context in its slot, so each context comes at most once; the growing
 * one re-adds a context in whichever slot is free, which a walk may meet
 * again with the next round's fence (as in 6.1, where it takes the slot
 * of a signaled fence).
 */
static bool race_state_ok(struct race *race, u64 *ctx, u64 *seqno,
			  unsigned int n)
{
	u64 seen[RACE_CONTEXTS] = { };
	unsigned int i;

	if (n > (race->grow ? RACE_SEEN_MAX : RACE_CONTEXTS))
		return false;
	for (i = 0; i < n; i++) {
		u64 k = ctx[i] - race->base;

		if (k >= RACE_CONTEXTS || !seqno[i] || seen[k] == seqno[i] ||
		    (seen[k] && !race->grow))
			return false;
		seen[k] = seqno[i];
	}
	return true;
}

static bool race_fences_ok(struct race *race, struct dma_fence **f,
			   unsigned int n)
{
	u64 ctx[RACE_SEEN_MAX], seqno[RACE_SEEN_MAX];
	unsigned int i;

	if (n > RACE_SEEN_MAX)
		return false;
	for (i = 0; i < n; i++) {
		ctx[i] = f[i]->context;
		seqno[i] = f[i]->seqno;
	}
	return race_state_ok(race, ctx, seqno, n);
}

static bool race_walk(struct race *race)
{
	u64 ctx[RACE_SEEN_MAX + 1], seqno[RACE_SEEN_MAX + 1];
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	unsigned int n = 0;
	bool first = true;

	dma_resv_iter_begin(&cursor, &race->obj, DMA_RESV_USAGE_READ);
	dma_resv_for_each_fence_unlocked(&cursor, fence) {
		if (dma_resv_iter_is_restarted(&cursor)) {
			if (!first)
				atomic_inc(&race->restarts);
			first = false;
			n = 0;
		}
		if (n <= RACE_SEEN_MAX) {
			ctx[n] = fence->context;
			seqno[n] = fence->seqno;
		}
		n++;
	}
	/*
	 * A last step that started over and found nothing to return leaves
	 * the flag set: what came before belongs to an older state.
	 */
	if (dma_resv_iter_is_restarted(&cursor))
		n = 0;
	dma_resv_iter_end(&cursor);
	return race_state_ok(race, ctx, seqno, n);
}

static bool race_get_fences(struct race *race)
{
	struct dma_fence **f;
	unsigned int n;
	bool ok;

	if (dma_resv_get_fences(&race->obj, DMA_RESV_USAGE_READ, &n, &f))
		return false;
	ok = race_fences_ok(race, f, n);
	while (n)
		dma_fence_put(f[--n]);
	kfree(f);
	return ok;
}

static bool race_singleton(struct race *race)
{
	struct dma_fence_array *array;
	struct dma_fence *single;
	bool ok;

	if (dma_resv_get_singleton(&race->obj, DMA_RESV_USAGE_READ, &single))
		return false;
	array = to_dma_fence_array(single);
	if (!single)
		ok = race_fences_ok(race, NULL, 0);
	else if (!array)
		ok = race_fences_ok(race, &single, 1);
	else
		ok = race_fences_ok(race, array->fences, array->num_fences);
	dma_fence_put(single);
	return ok;
}

static bool race_copy(struct race_reader *reader)
{
	struct dma_fence *f[RACE_SEEN_MAX + 1];
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	unsigned int n = 0;
	bool ok;

	dma_resv_lock(&reader->copy, NULL);
	ok = !dma_resv_copy_fences(&reader->copy, &reader->race->obj);
	dma_resv_for_each_fence(&cursor, &reader->copy, DMA_RESV_USAGE_READ,
				fence)
		if (n <= RACE_SEEN_MAX)
			f[n++] = fence;
	ok = ok && race_fences_ok(reader->race, f, n);
	dma_resv_unlock(&reader->copy);
	return ok;
}

static int race_read(void *data)
{
	struct race_reader *reader = data;
	struct race *race = reader->race;
	unsigned int step = reader->id;
	bool ok;

	while (!kthread_should_stop()) {
		switch (step++ % 5) {
		case 0:
			ok = race_walk(race);
			break;
		case 1:
			ok = race_get_fences(race);
			break;
		case 2:
			ok = race_singleton(race);
			break;
		case 3:
			ok = race_copy(reader);
			break;
		default:
			/* Either answer is possible; it must just return. */
			dma_resv_test_signaled(&race->obj, DMA_RESV_USAGE_READ);
			ok = true;
			break;
		}
		if (!ok)
			atomic_inc(&race->bad);
		atomic_inc(&race->snapshots);
		cond_resched();
	}
	return 0;
}

/* An empty object of RACE_CONTEXTS contexts, readers not started yet. */
static struct race *race_new(struct kunit *test)
{
	struct race *race = kunit_kzalloc(test, sizeof(*race), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, race);
	dma_resv_init(&race->obj);
	race->base = dma_fence_context_alloc(RACE_CONTEXTS);
	return race;
}

/* Start the readers on @race, each with a copy target of its own. */
static void race_readers_start(struct kunit *test, struct race *race)
{
	unsigned int i;

	for (i = 0; i < RACE_READERS; i++) {
		struct race_reader *reader = &race->readers[i];

		reader->race = race;
		reader->id = i;
		dma_resv_init(&reader->copy);
		race->threads[i] = kthread_run(race_read, reader,
					       "resv-reader%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(race->threads[i]));
	}
}

/* Stop them and check that every view they took was a possible one. */
static void race_readers_stop(struct kunit *test, struct race *race,
			      unsigned long rounds)
{
	unsigned int i;

	for (i = 0; i < RACE_READERS; i++) {
		kthread_stop(race->threads[i]);
		dma_resv_fini(&race->readers[i].copy);
	}
	kunit_info(test, "%lu writer rounds, %d reader snapshots, %d restarts\n",
		   rounds, atomic_read(&race->snapshots),
		   atomic_read(&race->restarts));
	KUNIT_EXPECT_EQ(test, atomic_read(&race->bad), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&race->snapshots), 2 * RACE_READERS);
	KUNIT_EXPECT_GT(test, rounds, 2UL);
}

static void dma_resv_race_readers_writer(struct kunit *test)
{
	struct race *race = race_new(test);
	struct dma_fence *cur[RACE_CONTEXTS];
	unsigned long rounds = 0;
	ktime_t end;
	unsigned int i;

	dma_resv_lock(&race->obj, NULL);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&race->obj,
						      RACE_CONTEXTS), 0);
	for (i = 0; i < RACE_CONTEXTS; i++) {
		cur[i] = mock_fence_at(test, race->base + i, 1);
		dma_resv_add_fence(&race->obj, cur[i], DMA_RESV_USAGE_READ);
	}
	dma_resv_unlock(&race->obj);

	race_readers_start(test, race);
	end = ktime_add_ms(ktime_get(), 1500);
	while (ktime_before(ktime_get(), end)) {
		for (i = 0; i < RACE_CONTEXTS; i++) {
			struct dma_fence *next =
				mock_fence_at(test, race->base + i, rounds + 2);

			dma_resv_lock(&race->obj, NULL);
			dma_resv_add_fence(&race->obj, next,
					   DMA_RESV_USAGE_READ);
			/* Now and then, move everything to a new array. */
			if (i == 0 && rounds % 16 == 15)
				dma_resv_copy_fences(&race->obj, &race->obj);
			dma_resv_unlock(&race->obj);
			dma_fence_signal(cur[i]);
			dma_fence_put(cur[i]);
			cur[i] = next;
		}
		rounds++;
		cond_resched();
	}

	race_readers_stop(test, race, rounds);
	KUNIT_EXPECT_EQ(test, count_locked(&race->obj, DMA_RESV_USAGE_READ),
			(unsigned int)RACE_CONTEXTS);

	dma_resv_fini(&race->obj);
	signal_put_n(cur, RACE_CONTEXTS);
}

/*
 * Readers racing a writer that grows and shrinks the object.  In each
 * round the writer adds one fence per context, each in its own locked
 * section, in context order in even rounds and in reverse in odd ones
 * (each add takes a slot emptied in the round before), then removes them
 * from the first context on, signaling each once removed.  Readers see
 * each context at most once.
 */
static void dma_resv_race_grow_shrink(struct kunit *test)
{
	struct race *race = race_new(test);
	struct dma_fence *f[RACE_CONTEXTS];
	unsigned long rounds = 0;
	ktime_t end;
	unsigned int i, k;

	race->grow = true;

	race_readers_start(test, race);
	end = ktime_add_ms(ktime_get(), 1500);
	while (ktime_before(ktime_get(), end)) {
		for (i = 0; i < RACE_CONTEXTS; i++) {
			k = rounds & 1 ? RACE_CONTEXTS - 1 - i : i;
			f[k] = mock_fence_at(test, race->base + k, rounds + 1);
			add_one(test, &race->obj, f[k], DMA_RESV_USAGE_READ);
		}
		for (i = 0; i < RACE_CONTEXTS; i++) {
			dma_resv_lock(&race->obj, NULL);
			dma_resv_replace_fences(&race->obj, race->base + i,
						NULL, DMA_RESV_USAGE_READ);
			dma_resv_unlock(&race->obj);
			dma_fence_signal(f[i]);
			dma_fence_put(f[i]);
		}
		rounds++;
		cond_resched();
	}
	race_readers_stop(test, race, rounds);
	KUNIT_EXPECT_EQ(test, count_locked(&race->obj, DMA_RESV_USAGE_BOOKKEEP),
			0U);
	dma_resv_fini(&race->obj);
}

/*
 * ww_mutex backoff: several threads lock random subsets of objects in
 * random order, each as one transaction, and add a fence to each.
 */
#define WW_OBJECTS 16
#define WW_THREADS 4

struct ww_stress {
	struct dma_resv objs[WW_OBJECTS];
	atomic_t errors;
};

struct ww_worker {
	struct ww_stress *s;
	u64 context;
	unsigned long txns, backoffs;
};

static void ww_unlock_all(struct ww_stress *s, bool *locked)
{
	unsigned int i;

	for (i = 0; i < WW_OBJECTS; i++) {
		if (locked[i])
			dma_resv_unlock(&s->objs[i]);
		locked[i] = false;
	}
}

static void ww_transaction(struct ww_worker *w)
{
	struct ww_stress *s = w->s;
	unsigned int order[WW_OBJECTS], n, i, j;
	bool locked[WW_OBJECTS] = { };
	struct ww_acquire_ctx ctx;
	struct dma_fence *fence;
	int ret;

	for (i = 0; i < WW_OBJECTS; i++)
		order[i] = i;
	for (i = WW_OBJECTS - 1; i > 0; i--)
		swap(order[i], order[get_random_u32() % (i + 1)]);
	n = 2 + get_random_u32() % (WW_OBJECTS - 1);

	ww_acquire_init(&ctx, &reservation_ww_class);
retry:
	for (i = 0; i < n; i++) {
		j = order[i];
		if (locked[j])
			continue;
		ret = (w->txns & 1) ? dma_resv_lock_interruptible(&s->objs[j], &ctx)
				    : dma_resv_lock(&s->objs[j], &ctx);
		if (ret == -EDEADLK) {
			w->backoffs++;
			ww_unlock_all(s, locked);
			ret = 0;
			if (w->txns & 2)
				dma_resv_lock_slow(&s->objs[j], &ctx);
			else
				ret = dma_resv_lock_slow_interruptible(&s->objs[j],
								       &ctx);
			if (!ret) {
				locked[j] = true;
				goto retry;
			}
		}
		/* kthread_stop() interrupts interruptible sleeps. */
		if (ret == -EINTR && kthread_should_stop())
			goto out;
		if (ret)
			goto fail;
		locked[j] = true;
	}
	ww_acquire_done(&ctx);

	fence = mock_fence_new(w->context, w->txns + 1);
	if (!fence)
		goto fail;
	for (i = 0; i < n; i++) {
		struct dma_resv *obj = &s->objs[order[i]];

		if (dma_resv_locking_ctx(obj) != &ctx ||
		    dma_resv_reserve_fences(obj, 1)) {
			atomic_inc(&s->errors);
			continue;
		}
		dma_resv_add_fence(obj, fence, DMA_RESV_USAGE_WRITE);
	}
	dma_fence_signal(fence);
	dma_fence_put(fence);
	goto out;
fail:
	atomic_inc(&s->errors);
out:
	ww_unlock_all(s, locked);
	ww_acquire_fini(&ctx);
	w->txns++;
}

static int ww_work(void *data)
{
	struct ww_worker *w = data;

	while (!kthread_should_stop()) {
		ww_transaction(w);
		cond_resched();
	}
	return 0;
}

static void dma_resv_ww_backoff_many_objects(struct kunit *test)
{
	struct ww_stress *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct ww_worker *w = kunit_kcalloc(test, WW_THREADS, sizeof(*w),
					    GFP_KERNEL);
	struct task_struct *t[WW_THREADS];
	unsigned long txns = 0, backoffs = 0;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, w);
	for (i = 0; i < WW_OBJECTS; i++)
		dma_resv_init(&s->objs[i]);
	for (i = 0; i < WW_THREADS; i++) {
		w[i].s = s;
		w[i].context = dma_fence_context_alloc(1);
		t[i] = kthread_run(ww_work, &w[i], "resv-ww%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t[i]));
	}
	msleep(1500);
	for (i = 0; i < WW_THREADS; i++) {
		kthread_stop(t[i]);
		KUNIT_EXPECT_GT(test, w[i].txns, 0UL);
		txns += w[i].txns;
		backoffs += w[i].backoffs;
	}
	kunit_info(test, "%lu transactions, %lu backoffs\n", txns, backoffs);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->errors), 0);
	for (i = 0; i < WW_OBJECTS; i++) {
		KUNIT_EXPECT_FALSE(test, dma_resv_is_locked(&s->objs[i]));
		/* One fence per thread at most: same contexts replace. */
		KUNIT_EXPECT_LE(test, count_locked(&s->objs[i],
						   DMA_RESV_USAGE_BOOKKEEP),
				(unsigned int)WW_THREADS);
		dma_resv_fini(&s->objs[i]);
	}
}

/* The orders primed at boot, taken for real: no lockdep report. */
static void dma_resv_primed_lock_order(struct kunit *test)
{
	struct mm_struct *mm = mm_alloc();
	struct dma_fence *f = mock_fence(test);
	struct dma_resv obj;
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, mm);
	dma_resv_init(&obj);
	mock_fence_complete(f, 0);
	mmap_read_lock(mm);
	dma_resv_lock(&obj, NULL);
	p = kmalloc(64, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	kfree(p);
	KUNIT_EXPECT_GT(test, dma_fence_wait_timeout(f, false, HZ), 0L);
	dma_resv_unlock(&obj);
	mmap_read_unlock(mm);
	mmput(mm);
	dma_resv_fini(&obj);
	dma_fence_put(f);
}

/* ---- bounds, drivers' hooks and waits ---- */

/*
 * One kmalloc() holds an array: 6.1's 24-byte header and one pointer per
 * fence.  A first array is for the request rounded up to a power of two,
 * so the most fences one allocation holds cannot be had at once; later
 * requests are not rounded, and exactly that many are granted.  One more
 * is refused.  A refusal changes nothing.
 */
static void dma_resv_reserve_kmalloc_bounds(struct kunit *test)
{
	const unsigned int most = (KMALLOC_MAX_SIZE - 24) / 8;
	struct dma_fence *a = mock_fence(test);
	struct dma_resv obj;

	dma_resv_init(&obj);
	dma_resv_lock(&obj, NULL);
	KUNIT_EXPECT_EQ(test, dma_resv_reserve_fences(&obj,
						      KMALLOC_MAX_SIZE / 8 + 1),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, dma_resv_reserve_fences(&obj,
						      KMALLOC_MAX_SIZE / 8),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, dma_resv_reserve_fences(&obj, most), -ENOMEM);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(obj.fences));

	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj, 1), 0);
	KUNIT_EXPECT_EQ(test, dma_resv_reserve_fences(&obj, most + 1), -ENOMEM);
#ifndef DMA_BUF_USERSPACE_SHIM
	/*
	 * The shim's rcu_head, and so the array's header, is longer than
	 * the kernel's: there the biggest arrays exceed one kmalloc().
	 */
	KUNIT_EXPECT_EQ(test, dma_resv_reserve_fences(&obj, most), 0);
#endif
	dma_resv_add_fence(&obj, a, DMA_RESV_USAGE_WRITE);
	KUNIT_EXPECT_TRUE(test, walk_is(&obj, &a, 1));
	dma_resv_unlock(&obj);

	dma_resv_fini(&obj);
	release_all(test, &a, 1);
}

/* An action: remove the hook's fence from the hook's object, locked. */
static void hook_remove_fence(struct hook_fence *hook)
{
	dma_resv_replace_fences(hook->obj, hook->fence->context, NULL,
				DMA_RESV_USAGE_READ);
}

/*
 * A fence added to a full array with no slot reserved takes the slot of a
 * fence that signaled while the add asked the others (here a driver's
 * signaled() hook completes a fence asked before it), or of one removed
 * meanwhile: the first such slot, wherever it is, and the object lets
 * that fence go.
 */
static void dma_resv_no_slot_takes_signaled_slot(struct kunit *test)
{
	static const struct {
		const char *region;
		unsigned int pos;
		void (*action)(struct hook_fence *hook);
	} cases[] = {
		{ "dma_resv_no_slot_signaled_first", 0, hook_signal_fence },
		{ "dma_resv_no_slot_signaled_second", 1, hook_signal_fence },
		{ "dma_resv_no_slot_removed_second", 1, hook_remove_fence },
	};
	unsigned int k, i;

	for (k = 0; k < ARRAY_SIZE(cases); k++) {
		struct hook_fence *hook = hook_fence_new(test);
		struct dma_fence *f[5], *late = mock_fence(test);
		unsigned int pos = cases[k].pos;
		struct dma_resv obj;

		/* The hook right behind the fence its action is about. */
		for (i = 0; i < ARRAY_SIZE(f); i++)
			f[i] = i == pos + 1 ? &hook->mock.base :
					      mock_fence(test);
		dma_resv_init(&obj);
		dma_resv_lock(&obj, NULL);
		for (i = 0; i < ARRAY_SIZE(f); i++) {
			KUNIT_ASSERT_EQ(test,
					dma_resv_reserve_fences(&obj, 1), 0);
			dma_resv_add_fence(&obj, f[i], DMA_RESV_USAGE_READ);
		}
		KUNIT_EXPECT_TRUE(test, walk_is(&obj, f, ARRAY_SIZE(f)));

		hook_fence_arm(hook, cases[k].action, f[pos], &obj);
		EXPECT_WARN_BEGIN(cases[k].region);
		dma_resv_add_fence(&obj, late, DMA_RESV_USAGE_READ);
		EXPECT_WARN_END(cases[k].region);
		KUNIT_EXPECT_NULL(test, hook->action);
		swap(f[pos], late);
		KUNIT_EXPECT_EQ_MSG(test, walk_is(&obj, f, ARRAY_SIZE(f)), true,
				    "case %s", cases[k].region);
		dma_resv_unlock(&obj);
		KUNIT_EXPECT_EQ(test, kref_read(&late->refcount), 1U);

		dma_resv_fini(&obj);
		signal_put_n(f, ARRAY_SIZE(f));
		dma_fence_signal(late);
		dma_fence_put(late);
	}
}

DEFINE_EXPECT_WARN_CASE(dma_resv_no_slot_takes_signaled_slot)

/*
 * A slot emptied by dma_resv_replace_fences() without a replacement is
 * taken by the next fence added, ahead of a new slot, and left behind by
 * a move to a bigger array.  Replacing in an object without an array
 * does nothing.
 */
static void dma_resv_emptied_slot_reused(struct kunit *test)
{
	struct dma_fence *a = mock_fence(test), *b = mock_fence(test);
	struct dma_fence *c = mock_fence(test), *d = mock_fence(test);
	struct dma_fence *want[2];
	struct dma_resv obj;

	dma_resv_init(&obj);
	dma_resv_lock(&obj, NULL);
	dma_resv_replace_fences(&obj, a->context, NULL, DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(obj.fences));
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj, 2), 0);
	dma_resv_add_fence(&obj, a, DMA_RESV_USAGE_READ);
	dma_resv_add_fence(&obj, b, DMA_RESV_USAGE_READ);
	dma_resv_replace_fences(&obj, a->context, NULL, DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ(test, kref_read(&a->refcount), 1U);
	KUNIT_EXPECT_TRUE(test, walk_is(&obj, &b, 1));

	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj, 1), 0);
	dma_resv_add_fence(&obj, c, DMA_RESV_USAGE_READ);
	want[0] = c;
	want[1] = b;
	KUNIT_EXPECT_TRUE(test, walk_is(&obj, want, 2));

	dma_resv_replace_fences(&obj, c->context, NULL, DMA_RESV_USAGE_READ);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj, 100), 0);
	dma_resv_add_fence(&obj, d, DMA_RESV_USAGE_READ);
	want[0] = b;
	want[1] = d;
	KUNIT_EXPECT_TRUE(test, walk_is(&obj, want, 2));
	dma_resv_unlock(&obj);

	dma_resv_fini(&obj);
	KUNIT_EXPECT_EQ(test, kref_read(&c->refcount), 1U);
	signal_put(a, b, c, d);
}

/*
 * A lock-free walk asks the driver of a fence not flagged signaled: one
 * it calls signaled is skipped (and flagged from then on), one whose
 * signaled() hook answers no is returned like any other.
 */
static void dma_resv_unlocked_walk_asks_driver(struct kunit *test)
{
	struct dma_fence *p = polled_fence(test), *m = mock_fence(test);
	struct dma_resv obj;

	dma_resv_init(&obj);
	add_one(test, &obj, p, DMA_RESV_USAGE_READ);
	add_one(test, &obj, m, DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ(test, count_unlocked(&obj, DMA_RESV_USAGE_READ), 2U);

	polled_complete(p);
	KUNIT_EXPECT_FALSE(test, test_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
					  &p->flags));
	KUNIT_EXPECT_EQ(test, count_unlocked(&obj, DMA_RESV_USAGE_READ), 1U);
	KUNIT_EXPECT_TRUE(test, test_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
					 &p->flags));
	KUNIT_EXPECT_FALSE(test, dma_resv_test_signaled(&obj,
							DMA_RESV_USAGE_READ));
	dma_fence_signal(m);
	KUNIT_EXPECT_TRUE(test, dma_resv_test_signaled(&obj,
						       DMA_RESV_USAGE_READ));

	dma_resv_fini(&obj);
	dma_fence_put(p);
	dma_fence_put(m);
}

/*
 * Snapshots ask the driver too: a fence only its signaled() hook calls
 * done is left out of dma_resv_get_fences() and of the singleton, and is
 * signaled by the asking, as 6.1's snapshot walk (which uses
 * dma_fence_is_signaled()) does.
 */
static void dma_resv_snapshot_asks_driver(struct kunit *test)
{
	struct dma_fence *p = polled_fence(test), *q = polled_fence(test);
	struct dma_fence *m = mock_fence(test), **fences, *single;
	struct dma_resv obj;
	unsigned int n;

	dma_resv_init(&obj);
	add_one(test, &obj, p, DMA_RESV_USAGE_READ);
	add_one(test, &obj, q, DMA_RESV_USAGE_READ);
	add_one(test, &obj, m, DMA_RESV_USAGE_READ);

	polled_complete(p);
	KUNIT_ASSERT_EQ(test, dma_resv_get_fences(&obj, DMA_RESV_USAGE_READ,
						  &n, &fences), 0);
	KUNIT_EXPECT_EQ(test, n, 2U);
	KUNIT_EXPECT_TRUE(test, test_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
					 &p->flags));
	while (n)
		dma_fence_put(fences[--n]);
	kfree(fences);

	polled_complete(q);
	KUNIT_ASSERT_EQ(test, dma_resv_get_singleton(&obj, DMA_RESV_USAGE_READ,
						     &single), 0);
	KUNIT_EXPECT_PTR_EQ(test, single, m);
	dma_fence_put(single);

	dma_fence_signal(m);
	dma_resv_fini(&obj);
	dma_fence_put(p);
	dma_fence_put(q);
	dma_fence_put(m);
}

/*
 * A lock-free walk that returned every fence and then finds the object
 * moved to a new array starts over on that array, as 6.1's walk does.
 */
static void dma_resv_unlocked_walk_restarts_at_end(struct kunit *test)
{
	struct dma_fence *a = mock_fence(test), *b = mock_fence(test);
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	struct dma_resv obj;
	unsigned int n = 0;

	dma_resv_init(&obj);
	add_one(test, &obj, a, DMA_RESV_USAGE_READ);
	add_one(test, &obj, b, DMA_RESV_USAGE_READ);
	dma_resv_iter_begin(&cursor, &obj, DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_PTR_EQ(test, dma_resv_iter_first_unlocked(&cursor), a);
	KUNIT_EXPECT_PTR_EQ(test, dma_resv_iter_next_unlocked(&cursor), b);

	dma_resv_lock(&obj, NULL);
	KUNIT_EXPECT_EQ(test, dma_resv_reserve_fences(&obj, 100), 0);
	dma_resv_unlock(&obj);
	fence = dma_resv_iter_next_unlocked(&cursor);
	KUNIT_EXPECT_PTR_EQ(test, fence, a);
	KUNIT_EXPECT_TRUE(test, dma_resv_iter_is_restarted(&cursor));
	while (fence) {
		n++;
		fence = dma_resv_iter_next_unlocked(&cursor);
	}
	dma_resv_iter_end(&cursor);
	KUNIT_EXPECT_EQ(test, n, 2U);

	dma_resv_fini(&obj);
	signal_put(a, b);
}

/* An object holding a single fence: snapshots of exactly that fence. */
static void dma_resv_get_fences_of_one(struct kunit *test)
{
	struct dma_fence *f = mock_fence(test), **fences, *single;
	struct dma_resv obj;
	unsigned int n;

	dma_resv_init(&obj);
	add_one(test, &obj, f, DMA_RESV_USAGE_READ);
	KUNIT_ASSERT_EQ(test, dma_resv_get_fences(&obj, DMA_RESV_USAGE_READ,
						  &n, &fences), 0);
	KUNIT_ASSERT_EQ(test, n, 1U);
	KUNIT_EXPECT_PTR_EQ(test, fences[0], f);
	dma_fence_put(fences[0]);
	kfree(fences);
	KUNIT_ASSERT_EQ(test, dma_resv_get_singleton(&obj, DMA_RESV_USAGE_READ,
						     &single), 0);
	KUNIT_EXPECT_PTR_EQ(test, single, f);
	dma_fence_put(single);

	dma_resv_fini(&obj);
	release_all(test, &f, 1);
}

/*
 * The array dma_resv_get_singleton() makes of several fences has a new
 * context, allocated for it alone, and seqno 1, as in 6.1.  (Contexts are
 * handed out consecutively; the dma-fence suite relies on that too.)
 */
static void dma_resv_singleton_array_context(struct kunit *test)
{
	struct dma_fence *a = mock_fence(test), *b = mock_fence(test);
	struct dma_fence *single;
	struct dma_resv obj;
	u64 before, after;

	dma_resv_init(&obj);
	add_one(test, &obj, a, DMA_RESV_USAGE_WRITE);
	add_one(test, &obj, b, DMA_RESV_USAGE_READ);
	before = dma_fence_context_alloc(1);
	KUNIT_ASSERT_EQ(test, dma_resv_get_singleton(&obj, DMA_RESV_USAGE_READ,
						     &single), 0);
	after = dma_fence_context_alloc(1);
	KUNIT_ASSERT_TRUE(test, dma_fence_is_array(single));
	KUNIT_EXPECT_EQ(test, single->context, before + 1);
	KUNIT_EXPECT_EQ(test, after, before + 2);
	KUNIT_EXPECT_EQ(test, single->seqno, 1ULL);
	dma_fence_put(single);

	dma_resv_fini(&obj);
	signal_put(a, b);
}

/* A fence whose driver answers waits itself and notes what it was asked. */
struct answering_fence {
	struct mock_fence mock;	/* first: freed through it */
	signed long answer, timeout;
	unsigned int waits;
};

static signed long answering_wait(struct dma_fence *fence, bool intr,
				  signed long timeout)
{
	struct answering_fence *a = container_of(fence, struct answering_fence,
						 mock.base);

	a->waits++;
	a->timeout = timeout;
	return a->answer;
}

static const struct dma_fence_ops answering_fence_ops = {
	.get_driver_name = mock_fence_name,
	.get_timeline_name = mock_fence_name,
	.wait = answering_wait,
};

static struct answering_fence *answering_fence(struct kunit *test)
{
	return mock_fence_new_of(test, struct answering_fence,
				 &answering_fence_ops,
				 dma_fence_context_alloc(1), 1);
}

/*
 * A wait asks each fence in turn for what the ones before left of the
 * timeout and returns what the last one left, one jiffy being time left
 * still; a zero timeout is passed on as zero (a test, not a wait) and the
 * last answer returned as it is; a fence answering 0 (out of time) or an
 * error ends the wait with that answer, the fences after it not asked.
 * As 6.1 asks drivers' own waits.
 */
static void dma_resv_wait_passes_time_left(struct kunit *test)
{
	struct answering_fence *a = answering_fence(test);
	struct answering_fence *b = answering_fence(test);
	struct dma_resv obj;

	dma_resv_init(&obj);
	add_one(test, &obj, &a->mock.base, DMA_RESV_USAGE_WRITE);
	add_one(test, &obj, &b->mock.base, DMA_RESV_USAGE_READ);

	a->answer = 5;
	b->answer = 2;
	KUNIT_EXPECT_EQ(test, dma_resv_wait_timeout(&obj, DMA_RESV_USAGE_READ,
						    false, 10), 2L);
	KUNIT_EXPECT_EQ(test, a->timeout, 10L);
	KUNIT_EXPECT_EQ(test, b->timeout, 5L);

	a->answer = 1;
	b->answer = 1;
	KUNIT_EXPECT_EQ(test, dma_resv_wait_timeout(&obj, DMA_RESV_USAGE_READ,
						    true, 10), 1L);
	KUNIT_EXPECT_EQ(test, b->waits, 2U);
	KUNIT_EXPECT_EQ(test, b->timeout, 1L);

	KUNIT_EXPECT_EQ(test, dma_resv_wait_timeout(&obj, DMA_RESV_USAGE_READ,
						    false, 0), 1L);
	KUNIT_EXPECT_EQ(test, a->timeout, 0L);
	KUNIT_EXPECT_EQ(test, b->timeout, 0L);
	KUNIT_EXPECT_EQ(test, b->waits, 3U);
	/* A zero timeout returns the last fence's answer as it is. */
	b->answer = 7;
	KUNIT_EXPECT_EQ(test, dma_resv_wait_timeout(&obj, DMA_RESV_USAGE_READ,
						    false, 0), 7L);
	b->answer = 1;

	a->answer = 0;
	KUNIT_EXPECT_EQ(test, dma_resv_wait_timeout(&obj, DMA_RESV_USAGE_READ,
						    false, 10), 0L);
	a->answer = -ERESTARTSYS;
	KUNIT_EXPECT_EQ(test, dma_resv_wait_timeout(&obj, DMA_RESV_USAGE_READ,
						    true, 10),
			(long)-ERESTARTSYS);
	KUNIT_EXPECT_EQ(test, b->waits, 4U);
	/* Writes only: the read fence is not asked. */
	a->answer = 4;
	KUNIT_EXPECT_EQ(test, dma_resv_wait_timeout(&obj, DMA_RESV_USAGE_WRITE,
						    false, 10), 4L);
	KUNIT_EXPECT_EQ(test, a->waits, 7U);
	KUNIT_EXPECT_EQ(test, b->waits, 4U);

	dma_resv_fini(&obj);
	signal_put(&a->mock.base, &b->mock.base);
}

/* Lock @a and @b in one acquire context, backing off as ww_mutex asks. */
static void lock_pair(struct kunit *test, struct dma_resv *a,
		      struct dma_resv *b, struct ww_acquire_ctx *ctx)
{
	struct dma_resv *held = a, *want = b;
	int ret;

	ww_acquire_init(ctx, &reservation_ww_class);
	KUNIT_ASSERT_EQ(test, dma_resv_lock(a, ctx), 0);
	while ((ret = dma_resv_lock(want, ctx)) == -EDEADLK) {
		dma_resv_unlock(held);
		dma_resv_lock_slow(want, ctx);
		swap(held, want);
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
	ww_acquire_done(ctx);
}

/*
 * A copy during which the source moves to a new array (its first fence's
 * driver, asked whether it signaled, sets an exclusive fence on it) is a
 * copy of the new array only: neither the old fences nor a mix, as 6.1's
 * copy starts over too.
 */
static void dma_resv_copy_while_source_moves(struct kunit *test)
{
	struct hook_fence *hook = hook_fence_new(test);
	struct dma_fence *r = mock_fence(test), *x = mock_fence(test);
	struct dma_fence *old = mock_fence(test);
	struct ww_acquire_ctx ctx;
	struct dma_resv src, dst;

	dma_resv_init(&src);
	dma_resv_init(&dst);
	add_one(test, &src, &hook->mock.base, DMA_RESV_USAGE_READ);
	add_one(test, &src, r, DMA_RESV_USAGE_READ);
	add_one(test, &dst, old, DMA_RESV_USAGE_WRITE);

	/* The hook's action needs the source locked. */
	lock_pair(test, &dst, &src, &ctx);
	hook_fence_arm(hook, hook_set_excl, x, &src);
	KUNIT_EXPECT_EQ(test, dma_resv_copy_fences(&dst, &src), 0);
	KUNIT_EXPECT_NULL(test, hook->action);
	KUNIT_EXPECT_TRUE(test, walk_is(&dst, &x, 1));
	dma_resv_unlock(&src);
	dma_resv_unlock(&dst);
	ww_acquire_fini(&ctx);
	KUNIT_EXPECT_EQ(test, stored_usage(&dst, x), DMA_RESV_USAGE_WRITE);
	KUNIT_EXPECT_EQ(test, kref_read(&hook->mock.base.refcount), 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&r->refcount), 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&old->refcount), 1U);

	dma_resv_fini(&src);
	dma_resv_fini(&dst);
	KUNIT_EXPECT_EQ(test, kref_read(&x->refcount), 1U);
	signal_put(&hook->mock.base, r, x, old);
}

/* ---- what lock-free readers pass over ---- */

/*
 * An object whose slots hold, in order: optionally a pending write fence
 * (the lead), a slot emptied by dma_resv_replace_fences(), a bookkeeping
 * fence, a read fence flagged signaled but still stored, a read fence
 * only its driver knows is done, and optionally a pending read fence (the
 * tail).  Lock-free readers of reads and stronger pass over the four in
 * the middle, each for its own reason.
 */
struct gaps {
	struct dma_resv obj;
	struct dma_fence *f[6];
	bool lead, tail;
};

enum {
	GAP_LEAD, GAP_EMPTIED, GAP_BOOKKEEP, GAP_FLAGGED, GAP_POLLED, GAP_TAIL
};

static void gaps_init(struct kunit *test, struct gaps *g, bool lead,
		      bool tail)
{
	static const enum dma_resv_usage usage[] = {
		DMA_RESV_USAGE_WRITE, DMA_RESV_USAGE_READ,
		DMA_RESV_USAGE_BOOKKEEP, DMA_RESV_USAGE_READ,
		DMA_RESV_USAGE_READ, DMA_RESV_USAGE_READ,
	};
	unsigned int i;

	g->lead = lead;
	g->tail = tail;
	for (i = 0; i < ARRAY_SIZE(g->f); i++)
		g->f[i] = i == GAP_POLLED ? polled_fence(test) :
			  mock_fence(test);
	dma_resv_init(&g->obj);
	dma_resv_lock(&g->obj, NULL);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&g->obj, 6), 0);
	for (i = 0; i < ARRAY_SIZE(g->f); i++)
		if ((i != GAP_LEAD || lead) && (i != GAP_TAIL || tail))
			dma_resv_add_fence(&g->obj, g->f[i], usage[i]);
	/* All added: no add took the place of these three. */
	dma_resv_replace_fences(&g->obj, g->f[GAP_EMPTIED]->context, NULL,
				DMA_RESV_USAGE_READ);
	dma_fence_signal(g->f[GAP_FLAGGED]);
	polled_complete(g->f[GAP_POLLED]);
	dma_resv_unlock(&g->obj);
	KUNIT_EXPECT_EQ(test, kref_read(&g->f[GAP_EMPTIED]->refcount), 1U);
}

/* The pending fences of reads and stronger, in slot order. */
static unsigned int gaps_pending(struct gaps *g, struct dma_fence **want)
{
	unsigned int n = 0;

	if (g->lead)
		want[n++] = g->f[GAP_LEAD];
	if (g->tail)
		want[n++] = g->f[GAP_TAIL];
	return n;
}

static void gaps_fini(struct kunit *test, struct gaps *g)
{
	unsigned int i;

	/* The reader asked the polled fence's driver, which flagged it. */
	KUNIT_EXPECT_TRUE(test, test_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
					 &g->f[GAP_POLLED]->flags));
	dma_resv_fini(&g->obj);
	for (i = 0; i < ARRAY_SIZE(g->f); i++) {
		KUNIT_EXPECT_EQ(test, kref_read(&g->f[i]->refcount), 1U);
		dma_fence_signal(g->f[i]);
		dma_fence_put(g->f[i]);
	}
}

/*
 * Lock-free walks of reads pass over an emptied slot, a bookkeeping fence,
 * a fence flagged signaled and one whose driver says it is done (which the
 * asking flags), whether those come first or after a fence returned: the
 * walk returns the pending fences only, as 6.1's walk does.
 */
static void dma_resv_unlocked_walk_passes_over(struct kunit *test)
{
	unsigned int lead, n, k;

	for (lead = 0; lead < 2; lead++) {
		struct dma_fence *want[2], *fence;
		struct dma_resv_iter cursor;
		struct gaps g;

		gaps_init(test, &g, lead, true);
		n = gaps_pending(&g, want);
		k = 0;
		dma_resv_iter_begin(&cursor, &g.obj, DMA_RESV_USAGE_READ);
		for (fence = dma_resv_iter_first_unlocked(&cursor); fence;
		     fence = dma_resv_iter_next_unlocked(&cursor)) {
			KUNIT_EXPECT_EQ(test, !k,
					dma_resv_iter_is_restarted(&cursor));
			if (k < n)
				KUNIT_EXPECT_PTR_EQ(test, fence, want[k]);
			k++;
		}
		dma_resv_iter_end(&cursor);
		KUNIT_EXPECT_EQ(test, k, n);
		gaps_fini(test, &g);
	}
}

/*
 * Snapshots, singletons and copies pass over the same slots: the emptied
 * slot, the fence flagged signaled and the one its driver calls done are
 * not taken; the bookkeeping fence is left out of snapshots of reads but
 * copied, with its usage, since a copy takes every usage.
 */
static void dma_resv_snapshots_pass_over(struct kunit *test)
{
	unsigned int lead, n, i;

	for (lead = 0; lead < 2; lead++) {
		struct dma_fence *want[3], **fences, *single;
		struct dma_resv dst;
		struct gaps g;

		gaps_init(test, &g, lead, true);
		n = gaps_pending(&g, want);
		KUNIT_ASSERT_EQ(test, dma_resv_get_fences(&g.obj,
							  DMA_RESV_USAGE_READ,
							  &i, &fences), 0);
		KUNIT_EXPECT_EQ(test, i, n);
		while (i) {
			i--;
			if (i < n)
				KUNIT_EXPECT_PTR_EQ(test, fences[i], want[i]);
			dma_fence_put(fences[i]);
		}
		kfree(fences);
		gaps_fini(test, &g);

		gaps_init(test, &g, lead, true);
		n = gaps_pending(&g, want);
		KUNIT_ASSERT_EQ(test, dma_resv_get_singleton(&g.obj,
							     DMA_RESV_USAGE_READ,
							     &single), 0);
		KUNIT_ASSERT_NOT_NULL(test, single);
		if (lead) {
			struct dma_fence_array *array = to_dma_fence_array(single);

			KUNIT_ASSERT_NOT_NULL(test, array);
			KUNIT_EXPECT_EQ(test, array->num_fences, 2U);
			KUNIT_EXPECT_PTR_EQ(test, array->fences[0], want[0]);
			KUNIT_EXPECT_PTR_EQ(test, array->fences[1], want[1]);
		} else {
			KUNIT_EXPECT_PTR_EQ(test, single, want[0]);
		}
		dma_fence_put(single);
		gaps_fini(test, &g);

		gaps_init(test, &g, lead, true);
		dma_resv_init(&dst);
		dma_resv_lock(&dst, NULL);
		KUNIT_EXPECT_EQ(test, dma_resv_copy_fences(&dst, &g.obj), 0);
		i = 0;
		if (lead)
			want[i++] = g.f[GAP_LEAD];
		want[i++] = g.f[GAP_BOOKKEEP];
		want[i++] = g.f[GAP_TAIL];
		KUNIT_EXPECT_TRUE(test, walk_is(&dst, want, i));
		dma_resv_unlock(&dst);
		KUNIT_EXPECT_EQ(test, stored_usage(&dst, g.f[GAP_BOOKKEEP]),
				DMA_RESV_USAGE_BOOKKEEP);
		KUNIT_EXPECT_EQ(test, stored_usage(&dst, g.f[GAP_TAIL]),
				DMA_RESV_USAGE_READ);
		dma_resv_fini(&dst);
		gaps_fini(test, &g);
	}
}

/*
 * Tests and waits of reads find nothing pending when the slots hold only
 * an emptied slot, a bookkeeping fence and a fence flagged signaled (the
 * polled fence, once asked, is flagged too), and find the pending one
 * behind them otherwise: a zero-timeout wait reports it not done.
 */
static void dma_resv_idle_checks_pass_over(struct kunit *test)
{
	struct gaps g;

	gaps_init(test, &g, false, false);
	/* Asks the polled fence's driver, which flags it. */
	KUNIT_EXPECT_TRUE(test, dma_resv_test_signaled(&g.obj,
						       DMA_RESV_USAGE_READ));
	/* Now every fence passed over is flagged: no walk needed. */
	KUNIT_EXPECT_TRUE(test, dma_resv_test_signaled(&g.obj,
						       DMA_RESV_USAGE_READ));
	KUNIT_EXPECT_EQ(test, dma_resv_wait_timeout(&g.obj,
						    DMA_RESV_USAGE_READ,
						    true, 17), 17L);
	KUNIT_EXPECT_FALSE(test, dma_resv_test_signaled(&g.obj,
							DMA_RESV_USAGE_BOOKKEEP));
	gaps_fini(test, &g);

	gaps_init(test, &g, false, false);
	KUNIT_EXPECT_EQ(test, dma_resv_wait_timeout(&g.obj,
						    DMA_RESV_USAGE_READ,
						    false, 17), 17L);
	gaps_fini(test, &g);

	gaps_init(test, &g, false, true);
	KUNIT_EXPECT_FALSE(test, dma_resv_test_signaled(&g.obj,
							DMA_RESV_USAGE_READ));
	KUNIT_EXPECT_EQ(test, dma_resv_wait_timeout(&g.obj,
						    DMA_RESV_USAGE_READ,
						    false, 0), 0L);
	gaps_fini(test, &g);
}

/* ---- fences released and arrays moved under a lock-free reader ---- */

/*
 * A hook fence whose driver, asked once armed, runs the action and then
 * calls itself done, so that the reader passes over it to the next slot.
 * Unarmed, it answers no (adds behind it ask it too).
 */
static bool done_hook_signaled(struct dma_fence *fence)
{
	bool armed = container_of(fence, struct hook_fence,
				  mock.base)->action;

	hook_fence_signaled(fence);
	return armed;
}

static const struct dma_fence_ops done_hook_ops = {
	.get_driver_name = mock_fence_name,
	.get_timeline_name = mock_fence_name,
	.signaled = done_hook_signaled,
};

static struct hook_fence *done_hook_new(struct kunit *test)
{
	return mock_fence_new_of(test, struct hook_fence, &done_hook_ops,
				 dma_fence_context_alloc(1), 1);
}

/* A fence that notes its release in a flag its test owns. */
struct noted_fence {
	struct mock_fence mock;	/* first: freed through it */
	bool *released;
};

static void noted_release(struct dma_fence *fence)
{
	struct noted_fence *n = container_of(fence, struct noted_fence,
					     mock.base);

	WRITE_ONCE(*n->released, true);
	dma_fence_free(fence);
}

static const struct dma_fence_ops noted_fence_ops = {
	.get_driver_name = mock_fence_name,
	.get_timeline_name = mock_fence_name,
	.release = noted_release,
};

static struct dma_fence *noted_fence(struct kunit *test, bool *released)
{
	struct noted_fence *n = mock_fence_new_of(test, struct noted_fence,
						  &noted_fence_ops,
						  dma_fence_context_alloc(1),
						  1);

	n->released = released;
	*released = false;
	return &n->mock.base;
}

/*
 * An object with optionally a pending read fence (the lead), then a done
 * hook and a pending read fence behind it (the victim), all three reads.
 * Asked by a reader, the hook makes a new fence exclusive: the object moves
 * to a new array holding that fence alone, and drops the victim.  With
 * @released, the object held the victim's only reference: it is released
 * while the reader walks the old array, which still names it.
 */
struct moving {
	struct dma_resv obj, dst;
	struct ww_acquire_ctx ctx;
	struct hook_fence *hook;
	struct dma_fence *lead, *victim, *x;
	bool released, lead_on;
	bool held_victim;
};

static void moving_init(struct kunit *test, struct moving *m, bool lead,
			bool released)
{
	m->hook = done_hook_new(test);
	m->lead = mock_fence(test);
	m->x = mock_fence(test);
	m->victim = noted_fence(test, &m->released);
	m->lead_on = lead;
	m->held_victim = !released;
	dma_resv_init(&m->obj);
	dma_resv_init(&m->dst);
	/* The hook's action needs the object locked; a copy needs @dst. */
	lock_pair(test, &m->dst, &m->obj, &m->ctx);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&m->obj, 3), 0);
	if (lead)
		dma_resv_add_fence(&m->obj, m->lead, DMA_RESV_USAGE_READ);
	dma_resv_add_fence(&m->obj, &m->hook->mock.base,
			   DMA_RESV_USAGE_READ);
	dma_resv_add_fence(&m->obj, m->victim, DMA_RESV_USAGE_READ);
	if (released)
		dma_fence_put(m->victim);
	hook_fence_arm(m->hook, hook_set_excl, m->x, &m->obj);
}

static void moving_fini(struct kunit *test, struct moving *m)
{
	KUNIT_EXPECT_NULL(test, m->hook->action);
	KUNIT_EXPECT_EQ(test, READ_ONCE(m->released), !m->held_victim);
	dma_resv_unlock(&m->obj);
	dma_resv_unlock(&m->dst);
	ww_acquire_fini(&m->ctx);
	/* The object holds the new exclusive fence and nothing else. */
	KUNIT_EXPECT_TRUE(test, listed_is(&m->obj, &m->x, 1));
	KUNIT_EXPECT_EQ(test, kref_read(&m->lead->refcount), 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&m->hook->mock.base.refcount), 1U);
	if (m->held_victim) {
		KUNIT_EXPECT_EQ(test, kref_read(&m->victim->refcount), 1U);
		dma_fence_signal(m->victim);
		dma_fence_put(m->victim);
	}
	dma_resv_fini(&m->obj);
	dma_resv_fini(&m->dst);
	KUNIT_EXPECT_EQ(test, kref_read(&m->x->refcount), 1U);
	signal_put(m->lead, &m->hook->mock.base, m->x);
}

/*
 * A lock-free walk that finds a fence released under it (its reference
 * cannot be had: it was dropped from the object after the walk read the
 * array) starts over on the object's array, whether that happens in the
 * first step or in a later one; so does a walk whose array moved while it
 * went on, at its end.  Either way it ends with a pass over the new array,
 * flagged restarted, as 6.1's walk.
 */
static void dma_resv_unlocked_walk_fence_released(struct kunit *test)
{
	unsigned int lead, released;

	for (lead = 0; lead < 2; lead++) {
		for (released = 0; released < 2; released++) {
			struct dma_resv_iter cursor;
			struct dma_fence *fence;
			struct moving m;

			moving_init(test, &m, lead, released);
			dma_resv_iter_begin(&cursor, &m.obj,
					    DMA_RESV_USAGE_READ);
			fence = dma_resv_iter_first_unlocked(&cursor);
			if (lead) {
				KUNIT_EXPECT_PTR_EQ(test, fence, m.lead);
				fence = dma_resv_iter_next_unlocked(&cursor);
			}
			if (!released) {
				/* Still alive, from the old array. */
				KUNIT_EXPECT_PTR_EQ(test, fence, m.victim);
				fence = dma_resv_iter_next_unlocked(&cursor);
			}
			KUNIT_EXPECT_PTR_EQ(test, fence, m.x);
			KUNIT_EXPECT_TRUE(test,
					  dma_resv_iter_is_restarted(&cursor));
			KUNIT_EXPECT_NULL(test,
					  dma_resv_iter_next_unlocked(&cursor));
			dma_resv_iter_end(&cursor);
			moving_fini(test, &m);
		}
	}
}

/* The usage of @fence in @obj, locked by the caller; -1 when absent. */
static int usage_locked(struct dma_resv *obj, struct dma_fence *fence)
{
	struct dma_resv_iter cursor;
	struct dma_fence *f;
	int usage = -1;

	dma_resv_for_each_fence(&cursor, obj, DMA_RESV_USAGE_BOOKKEEP, f)
		if (f == fence)
			usage = dma_resv_iter_usage(&cursor);
	return usage;
}

/* One snapshot of @m's object, of reads; @op picks which.  Checks it. */
static void moving_snapshot(struct kunit *test, struct moving *m,
			    unsigned int op)
{
	struct dma_fence **fences, *single;
	unsigned int n;

	switch (op) {
	case 0:
		KUNIT_ASSERT_EQ(test, dma_resv_get_fences(&m->obj,
							  DMA_RESV_USAGE_READ,
							  &n, &fences), 0);
		KUNIT_EXPECT_EQ(test, n, 1U);
		if (n == 1)
			KUNIT_EXPECT_PTR_EQ(test, fences[0], m->x);
		while (n)
			dma_fence_put(fences[--n]);
		kfree(fences);
		break;
	case 1:
		KUNIT_ASSERT_EQ(test, dma_resv_get_singleton(&m->obj,
							     DMA_RESV_USAGE_READ,
							     &single), 0);
		KUNIT_EXPECT_PTR_EQ(test, single, m->x);
		dma_fence_put(single);
		break;
	default:
		KUNIT_ASSERT_EQ(test, dma_resv_copy_fences(&m->dst, &m->obj),
				0);
		KUNIT_EXPECT_TRUE(test, walk_is(&m->dst, &m->x, 1));
		KUNIT_EXPECT_EQ(test, usage_locked(&m->dst, m->x),
				DMA_RESV_USAGE_WRITE);
		/* Its own, the object's and the copy's. */
		KUNIT_EXPECT_EQ(test, kref_read(&m->x->refcount), 3U);
		dma_resv_replace_fences(&m->dst, m->x->context, NULL,
					DMA_RESV_USAGE_READ);
		break;
	}
}

/*
 * A snapshot, a singleton or a copy during which a fence it reads is
 * released, or the array it reads is replaced, lets go of what its pass
 * took and starts over: the result is the new array's fence alone, with
 * no reference left behind.  (6.1's snapshots start over too.)
 */
static void dma_resv_snapshots_fence_released(struct kunit *test)
{
	unsigned int k;

	/* Each snapshot, with and without a lead, released or moved. */
	for (k = 0; k < 12; k++) {
		struct moving m;

		moving_init(test, &m, k & 1, k & 2);
		moving_snapshot(test, &m, k / 4);
		moving_fini(test, &m);
	}
}

/* ---- out of memory: every allocation failed in turn ---- */

/* The object's array, for telling whether an operation replaced it. */
static const void *array_of(struct dma_resv *obj)
{
	return rcu_access_pointer(obj->fences);
}

/*
 * A reservation that cannot get its array is -ENOMEM, as in 6.1, and the
 * object is as it was: no array for a first one, the same array and
 * fences for a bigger one.  Retried, both succeed.
 */
static void dma_resv_reserve_no_memory(struct kunit *test)
{
	struct dma_fence *f[2];
	struct dma_resv obj;
	const void *before;
	unsigned int n;
	int ret;

	fail_nth_require(test, FAIL_NTH_SLEEPING);
	f[0] = mock_fence(test);
	f[1] = mock_fence(test);
	dma_resv_init(&obj);
	dma_resv_lock(&obj, NULL);
	for (n = 1;; n++) {
		fail_nth_arm(n);
		ret = dma_resv_reserve_fences(&obj, 1);
		if (!fail_nth_disarm())
			break;
		KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
		KUNIT_EXPECT_NULL(test, array_of(&obj));
	}
	KUNIT_EXPECT_EQ(test, n, 2U);
	KUNIT_ASSERT_EQ(test, ret, 0);
	dma_resv_add_fence(&obj, f[0], DMA_RESV_USAGE_READ);
	dma_resv_add_fence(&obj, f[1], DMA_RESV_USAGE_WRITE);

	/* Ten more do not fit in the first array. */
	before = array_of(&obj);
	for (n = 1;; n++) {
		fail_nth_arm(n);
		ret = dma_resv_reserve_fences(&obj, 10);
		if (!fail_nth_disarm())
			break;
		KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
		KUNIT_EXPECT_PTR_EQ(test, array_of(&obj), before);
		KUNIT_EXPECT_TRUE(test, walk_is(&obj, f, 2));
	}
	KUNIT_EXPECT_EQ(test, n, 2U);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_PTR_NE(test, array_of(&obj), before);
	KUNIT_EXPECT_TRUE(test, walk_is(&obj, f, 2));
	dma_resv_unlock(&obj);

	dma_resv_fini(&obj);
	release_all(test, f, 2);
}

/*
 * dma_resv_get_fences() and dma_resv_get_singleton() without memory for
 * their snapshot, or for the array of a singleton: -ENOMEM with nothing
 * returned (NULL, 0) and every reference taken on the way dropped again.
 */
static void dma_resv_snapshots_no_memory(struct kunit *test)
{
	struct dma_fence *f[2], **fences, *single;
	struct dma_resv obj;
	unsigned int n, i, count;
	int ret;

	fail_nth_require(test, FAIL_NTH_SLEEPING);
	f[0] = mock_fence(test);
	f[1] = mock_fence(test);
	dma_resv_init(&obj);
	add_one(test, &obj, f[0], DMA_RESV_USAGE_WRITE);
	add_one(test, &obj, f[1], DMA_RESV_USAGE_READ);

	for (n = 1;; n++) {
		count = 99;
		fences = (void *)test;
		fail_nth_arm(n);
		ret = dma_resv_get_fences(&obj, DMA_RESV_USAGE_READ, &count,
					  &fences);
		if (!fail_nth_disarm())
			break;
		KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
		KUNIT_EXPECT_EQ(test, count, 0U);
		KUNIT_EXPECT_NULL(test, fences);
		for (i = 0; i < 2; i++)
			KUNIT_EXPECT_EQ(test, kref_read(&f[i]->refcount), 2U);
	}
	KUNIT_EXPECT_EQ(test, n, 2U);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_EQ(test, count, 2U);
	for (i = 0; i < 2; i++)
		dma_fence_put(fences[i]);
	kfree(fences);

	/* Two fences: the snapshot, then the array's own allocation. */
	for (n = 1;; n++) {
		single = (void *)test;
		fail_nth_arm(n);
		ret = dma_resv_get_singleton(&obj, DMA_RESV_USAGE_READ,
					     &single);
		if (!fail_nth_disarm())
			break;
		KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
		KUNIT_EXPECT_NULL(test, single);
		for (i = 0; i < 2; i++)
			KUNIT_EXPECT_EQ(test, kref_read(&f[i]->refcount), 2U);
	}
	KUNIT_EXPECT_EQ(test, n, 3U);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_TRUE(test, dma_fence_is_array(single));
	dma_fence_put(single);

	/* One fence: only the snapshot allocates. */
	for (n = 1;; n++) {
		single = (void *)test;
		fail_nth_arm(n);
		ret = dma_resv_get_singleton(&obj, DMA_RESV_USAGE_WRITE,
					     &single);
		if (!fail_nth_disarm())
			break;
		KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
		KUNIT_EXPECT_NULL(test, single);
		KUNIT_EXPECT_EQ(test, kref_read(&f[0]->refcount), 2U);
	}
	KUNIT_EXPECT_EQ(test, n, 2U);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_PTR_EQ(test, single, f[0]);
	dma_fence_put(single);

	dma_resv_fini(&obj);
	release_all(test, f, 2);
}

/*
 * A snapshot whose object grows while it is taken needs a bigger buffer
 * for its second pass; without memory for that one, it is -ENOMEM as well
 * and the first buffer is not kept.  The object grows from the driver of
 * one of its fences, asked in the first pass: it makes a third fence
 * exclusive, which keeps the two bookkeeping fences and adds one.
 */
static void dma_resv_snapshot_regrow_no_memory(struct kunit *test)
{
	struct dma_fence *b, *w, **fences;
	struct hook_fence *hook;
	struct dma_resv obj;
	unsigned int count;
	int ret;

	fail_nth_require(test, FAIL_NTH_SLEEPING);
	hook = hook_fence_new(test);
	b = mock_fence(test);
	w = mock_fence(test);
	dma_resv_init(&obj);
	add_one(test, &obj, &hook->mock.base, DMA_RESV_USAGE_BOOKKEEP);
	add_one(test, &obj, b, DMA_RESV_USAGE_BOOKKEEP);

	/* The action needs the lock; the snapshot does without. */
	dma_resv_lock(&obj, NULL);
	hook_fence_arm(hook, hook_set_excl, w, &obj);
	/* 1: the first buffer, 2: the action's array, 3: the bigger buffer. */
	fail_nth_arm(3);
	count = 99;
	ret = dma_resv_get_fences(&obj, DMA_RESV_USAGE_BOOKKEEP, &count,
				  &fences);
	KUNIT_EXPECT_TRUE(test, fail_nth_disarm());
	dma_resv_unlock(&obj);
	KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
	KUNIT_EXPECT_EQ(test, count, 0U);
	KUNIT_EXPECT_NULL(test, fences);
	/* The action ran: @w is the object's write fence. */
	KUNIT_EXPECT_NULL(test, hook->action);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, w), DMA_RESV_USAGE_WRITE);

	/* With the memory, the snapshot holds all three. */
	KUNIT_ASSERT_EQ(test, dma_resv_get_fences(&obj, DMA_RESV_USAGE_BOOKKEEP,
						  &count, &fences), 0);
	KUNIT_EXPECT_EQ(test, count, 3U);
	while (count)
		dma_fence_put(fences[--count]);
	kfree(fences);

	dma_resv_fini(&obj);
	signal_put(&hook->mock.base, b, w);
}

/*
 * A copy without memory for its array is -ENOMEM and leaves the
 * destination as it was, array and fences, as in 6.1.
 */
static void dma_resv_copy_no_memory(struct kunit *test)
{
	struct dma_fence *f[3];
	struct dma_resv src, dst;
	const void *before;
	unsigned int n;
	int ret;

	fail_nth_require(test, FAIL_NTH_SLEEPING);
	for (n = 0; n < 3; n++)
		f[n] = mock_fence(test);
	dma_resv_init(&src);
	dma_resv_init(&dst);
	add_one(test, &src, f[0], DMA_RESV_USAGE_WRITE);
	add_one(test, &src, f[1], DMA_RESV_USAGE_READ);
	add_one(test, &dst, f[2], DMA_RESV_USAGE_KERNEL);

	dma_resv_lock(&dst, NULL);
	before = array_of(&dst);
	for (n = 1;; n++) {
		fail_nth_arm(n);
		ret = dma_resv_copy_fences(&dst, &src);
		if (!fail_nth_disarm())
			break;
		KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
		KUNIT_EXPECT_PTR_EQ(test, array_of(&dst), before);
		KUNIT_EXPECT_TRUE(test, walk_is(&dst, &f[2], 1));
	}
	KUNIT_EXPECT_EQ(test, n, 2U);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_TRUE(test, walk_is(&dst, f, 2));
	dma_resv_unlock(&dst);

	dma_resv_fini(&dst);
	dma_resv_fini(&src);
	release_all(test, f, 3);
}

/*
 * A fence added without a reserved slot when the array is full and no
 * bigger one can be had without sleeping: the add warns, the fence is
 * lost (an error says so) and the object keeps its array and fences.  The
 * same without any array.  The only allocation here cannot sleep: this
 * case runs in the kernel too.
 */
static void dma_resv_no_slot_no_memory(struct kunit *test)
{
	struct dma_fence *f[5], *lost;
	struct dma_resv obj;
	const void *before;
	unsigned int i;

	fail_nth_require(test, FAIL_NTH_ATOMIC);
	for (i = 0; i < ARRAY_SIZE(f); i++)
		f[i] = mock_fence(test);
	lost = mock_fence(test);
	dma_resv_init(&obj);

	EXPECT_WARN_BEGIN("dma_resv_no_slot_no_memory");
	dma_resv_lock(&obj, NULL);
	fail_nth_arm(1);
	dma_resv_add_fence(&obj, lost, DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_TRUE(test, fail_nth_disarm());
	KUNIT_EXPECT_NULL(test, array_of(&obj));
	dma_resv_unlock(&obj);
	EXPECT_WARN_END("dma_resv_no_slot_no_memory");
	KUNIT_EXPECT_EQ(test, kref_read(&lost->refcount), 1U);

	/* Five fences fill the first array (see above). */
	for (i = 0; i < ARRAY_SIZE(f); i++)
		add_one(test, &obj, f[i], DMA_RESV_USAGE_READ);
	dma_resv_lock(&obj, NULL);
	before = array_of(&obj);
	EXPECT_WARN_BEGIN("dma_resv_full_no_memory");
	fail_nth_arm(1);
	dma_resv_add_fence(&obj, lost, DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_TRUE(test, fail_nth_disarm());
	EXPECT_WARN_END("dma_resv_full_no_memory");
	KUNIT_EXPECT_PTR_EQ(test, array_of(&obj), before);
	KUNIT_EXPECT_TRUE(test, walk_is(&obj, f, ARRAY_SIZE(f)));
	dma_resv_unlock(&obj);
	KUNIT_EXPECT_EQ(test, kref_read(&lost->refcount), 1U);

	dma_resv_fini(&obj);
	release_all(test, f, ARRAY_SIZE(f));
	dma_fence_signal(lost);
	dma_fence_put(lost);
}

DEFINE_EXPECT_WARN_CASE(dma_resv_no_slot_no_memory)

/*
 * reservation_object_add_excl_fence() without memory for its new array
 * (allocated without sleeping: this case runs in the kernel too) keeps
 * the old fences; the new exclusive fence is added to them as a write,
 * into the slot reserved for it, and a clear clears nothing.
 */
static void reservation_excl_no_memory(struct kunit *test)
{
	struct dma_fence *r, *w;
	struct reservation_object *robj;
	struct dma_fence *want[2];
	struct dma_resv obj;
	const void *before;

	fail_nth_require(test, FAIL_NTH_ATOMIC);
	r = mock_fence(test);
	w = mock_fence(test);
	dma_resv_init(&obj);
	robj = to_reservation_object(&obj);
	add_one(test, &obj, r, DMA_RESV_USAGE_READ);

	dma_resv_lock(&obj, NULL);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj, 1), 0);
	before = array_of(&obj);
	fail_nth_arm(1);
	reservation_object_add_excl_fence(robj, w);
	KUNIT_EXPECT_TRUE(test, fail_nth_disarm());
	KUNIT_EXPECT_PTR_EQ(test, array_of(&obj), before);
	want[0] = r;
	want[1] = w;
	KUNIT_EXPECT_TRUE(test, walk_is(&obj, want, 2));
	dma_resv_unlock(&obj);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, r), DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, w), DMA_RESV_USAGE_WRITE);

	dma_resv_lock(&obj, NULL);
	fail_nth_arm(1);
	reservation_object_add_excl_fence(robj, NULL);
	KUNIT_EXPECT_TRUE(test, fail_nth_disarm());
	KUNIT_EXPECT_PTR_EQ(test, array_of(&obj), before);
	KUNIT_EXPECT_TRUE(test, walk_is(&obj, want, 2));
	/* With the memory, the clear drops both. */
	reservation_object_add_excl_fence(robj, NULL);
	KUNIT_EXPECT_TRUE(test, walk_is(&obj, want, 0));
	dma_resv_unlock(&obj);

	dma_resv_fini(&obj);
	KUNIT_EXPECT_EQ(test, kref_read(&r->refcount), 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&w->refcount), 1U);
	signal_put(r, w);
}

/*
 * reservation_object_get_fences_rcu() without memory for its snapshot, or
 * for joining two exclusive fences into one array (a copy of them, then
 * the array): -ENOMEM with nothing returned and no reference kept.
 */
static void reservation_get_fences_rcu_no_memory(struct kunit *test)
{
	struct dma_fence *f[3], *excl, **shared;
	struct dma_resv obj;
	unsigned int n, i, count;
	int ret;

	fail_nth_require(test, FAIL_NTH_SLEEPING);
	for (i = 0; i < 3; i++)
		f[i] = mock_fence(test);
	dma_resv_init(&obj);
	add_one(test, &obj, f[0], DMA_RESV_USAGE_KERNEL);
	add_one(test, &obj, f[1], DMA_RESV_USAGE_WRITE);
	add_one(test, &obj, f[2], DMA_RESV_USAGE_READ);

	for (n = 1;; n++) {
		excl = (void *)test;
		shared = (void *)test;
		count = 99;
		fail_nth_arm(n);
		ret = reservation_object_get_fences_rcu(to_reservation_object(&obj),
							&excl, &count,
							&shared);
		if (!fail_nth_disarm())
			break;
		KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
		KUNIT_EXPECT_NULL(test, excl);
		KUNIT_EXPECT_EQ(test, count, 0U);
		KUNIT_EXPECT_NULL(test, shared);
		for (i = 0; i < 3; i++)
			KUNIT_EXPECT_EQ(test, kref_read(&f[i]->refcount), 2U);
	}
	KUNIT_EXPECT_EQ(test, n, 4U);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_TRUE(test, dma_fence_is_array(excl));
	KUNIT_ASSERT_EQ(test, count, 1U);
	KUNIT_EXPECT_PTR_EQ(test, shared[0], f[2]);
	dma_fence_put(shared[0]);
	kfree(shared);
	dma_fence_put(excl);

	dma_resv_fini(&obj);
	release_all(test, f, 3);
}

#ifdef DMA_BUF_USERSPACE_SHIM
/*
 * Every call that needs the object locked checks it: made without the
 * lock, each warns (and, single-threaded here, still does its work).
 * Each region holds one call that warns for no other reason.  And tearing
 * down an object that is still locked warns, as 6.1's mutex debugging
 * does.  Userspace only: the kernel checks with lockdep, which a splat
 * earlier in the boot may have turned off, and the mutex check turns it
 * off for the rest of the boot.
 */
static void dma_resv_unlocked_callers_warn(struct kunit *test)
{
	struct dma_fence *a = mock_fence(test), *later, *fence;
	struct dma_resv obj, copy;
	struct dma_resv_iter cursor;
	unsigned int n = 0;

	later = mock_fence_at(test, a->context, a->seqno + 1);
	dma_resv_init(&obj);
	dma_resv_init(&copy);
	add_one(test, &obj, a, DMA_RESV_USAGE_READ);

	EXPECT_WARN_BEGIN("dma_resv_reserve_unlocked");
	KUNIT_EXPECT_EQ(test, dma_resv_reserve_fences(&obj, 1), 0);
	EXPECT_WARN_END("dma_resv_reserve_unlocked");
	/* A later fence of the same context replaces @a: no slot needed. */
	EXPECT_WARN_BEGIN("dma_resv_add_unlocked");
	dma_resv_add_fence(&obj, later, DMA_RESV_USAGE_READ);
	EXPECT_WARN_END("dma_resv_add_unlocked");
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, later), DMA_RESV_USAGE_READ);
	EXPECT_WARN_BEGIN("dma_resv_reset_max_unlocked");
	dma_resv_reset_max_fences(&obj);
	EXPECT_WARN_END("dma_resv_reset_max_unlocked");
	EXPECT_WARN_BEGIN("dma_resv_locked_walk_unlocked");
	dma_resv_for_each_fence(&cursor, &obj, DMA_RESV_USAGE_READ, fence)
		n++;
	EXPECT_WARN_END("dma_resv_locked_walk_unlocked");
	KUNIT_EXPECT_EQ(test, n, 1U);
	EXPECT_WARN_BEGIN("dma_resv_copy_unlocked");
	KUNIT_EXPECT_EQ(test, dma_resv_copy_fences(&copy, &obj), 0);
	EXPECT_WARN_END("dma_resv_copy_unlocked");
	KUNIT_EXPECT_EQ(test, stored_usage(&copy, later), DMA_RESV_USAGE_READ);
	EXPECT_WARN_BEGIN("dma_resv_replace_unlocked");
	dma_resv_replace_fences(&obj, a->context, NULL, DMA_RESV_USAGE_READ);
	EXPECT_WARN_END("dma_resv_replace_unlocked");
	KUNIT_EXPECT_EQ(test, stored_usage(&obj, later), -1);
	EXPECT_WARN_BEGIN("reservation_excl_unlocked");
	reservation_object_add_excl_fence(to_reservation_object(&copy), NULL);
	EXPECT_WARN_END("reservation_excl_unlocked");
	KUNIT_EXPECT_EQ(test, stored_usage(&copy, later), -1);

	dma_resv_lock(&copy, NULL);
	EXPECT_WARN_BEGIN("dma_resv_fini_locked");
	dma_resv_fini(&copy);
	EXPECT_WARN_END("dma_resv_fini_locked");
	dma_resv_fini(&obj);
	KUNIT_EXPECT_EQ(test, kref_read(&a->refcount), 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&later->refcount), 1U);
	signal_put(a, later);
}

DEFINE_EXPECT_WARN_CASE(dma_resv_unlocked_callers_warn)
#endif

static struct kunit_case dma_resv_cases[] = {
	KUNIT_CASE(dma_resv_usage_order),
	KUNIT_CASE(dma_resv_empty_object),
	KUNIT_CASE(dma_resv_lock_helpers),
	KUNIT_CASE(dma_resv_usage_filters),
	KUNIT_CASE(dma_resv_same_context_replaced),
	KUNIT_CASE(dma_resv_same_context_usage_steps),
	KUNIT_CASE(dma_resv_signaled_slot_reused),
	KUNIT_CASE(dma_resv_add_same_context_rule),
	KUNIT_CASE(dma_resv_write_then_read_same_context),
	KUNIT_CASE(dma_resv_signaled_slot_reused_first),
	KUNIT_CASE(dma_resv_big_array_add_matches_rule),
	KUNIT_CASE(dma_resv_grows_to_thousands),
	KUNIT_CASE(dma_resv_reserve_limits),
	KUNIT_CASE(dma_resv_full_array_compacts),
	KUNIT_CASE(dma_resv_relock_keeps_the_array),
	KUNIT_CASE(dma_resv_grows_as_6_1),
	KUNIT_CASE(dma_resv_first_array_as_6_1),
#ifndef DMA_BUF_USERSPACE_SHIM
	KUNIT_CASE(dma_resv_allocation_as_6_1),
#endif
	KUNIT_CASE(dma_resv_relock_sizes_as_6_1),
	KUNIT_CASE(dma_resv_sections_match_6_1),
	KUNIT_CASE(dma_resv_big_array_slot_as_6_1),
	KUNIT_CASE(dma_resv_compaction_asks_driver),
	KUNIT_CASE(dma_resv_regrow_asks_driver),
	KUNIT_CASE(dma_resv_copy_sized_as_6_1),
	KUNIT_CASE(dma_resv_replace_fences_by_context),
	KUNIT_CASE(dma_resv_contexts_in_any_order),
	KUNIT_CASE(dma_resv_replacement_in_place),
	KUNIT_CASE(dma_resv_copy_nothing_pending),
	KUNIT_CASE(dma_resv_get_fences_and_singleton),
	KUNIT_CASE(dma_resv_copy_fences_keeps_usage),
	KUNIT_CASE(dma_resv_wait_and_test),
	KUNIT_CASE(dma_resv_describe_lists_usages),
	KUNIT_CASE(dma_resv_unlocked_walk_restarts),
	KUNIT_CASE(dma_resv_wait_bounded_by_start),
	EXPECT_WARN_CASE(dma_resv_no_slot_warns_keeps_fence),
	EXPECT_WARN_CASE(dma_resv_unused_reservation_forgotten),
	EXPECT_WARN_CASE(dma_resv_container_stores_members),
	EXPECT_WARN_CASE(dma_resv_container_of_last_context),
	KUNIT_CASE(dma_resv_locked_walk_holds_nothing),
	KUNIT_CASE(dma_resv_iter_next_exported),
	KUNIT_CASE(dma_resv_reserve_kmalloc_bounds),
	EXPECT_WARN_CASE(dma_resv_no_slot_takes_signaled_slot),
	KUNIT_CASE(dma_resv_emptied_slot_reused),
	KUNIT_CASE(dma_resv_unlocked_walk_asks_driver),
	KUNIT_CASE(dma_resv_snapshot_asks_driver),
	KUNIT_CASE(dma_resv_unlocked_walk_restarts_at_end),
	KUNIT_CASE(dma_resv_get_fences_of_one),
	KUNIT_CASE(dma_resv_singleton_array_context),
	KUNIT_CASE(dma_resv_wait_passes_time_left),
	KUNIT_CASE(dma_resv_copy_while_source_moves),
	KUNIT_CASE(dma_resv_unlocked_walk_passes_over),
	KUNIT_CASE(dma_resv_snapshots_pass_over),
	KUNIT_CASE(dma_resv_idle_checks_pass_over),
	KUNIT_CASE(dma_resv_unlocked_walk_fence_released),
	KUNIT_CASE(dma_resv_snapshots_fence_released),
#ifndef DMA_BUF_USERSPACE_SHIM
	KUNIT_CASE(dma_resv_reader_in_irq_of_writer),
#endif
	KUNIT_CASE(dma_resv_reserve_no_memory),
	KUNIT_CASE(dma_resv_snapshots_no_memory),
	KUNIT_CASE(dma_resv_snapshot_regrow_no_memory),
	KUNIT_CASE(dma_resv_copy_no_memory),
	EXPECT_WARN_CASE(dma_resv_no_slot_no_memory),
	KUNIT_CASE(reservation_excl_no_memory),
	KUNIT_CASE(reservation_get_fences_rcu_no_memory),
#ifdef DMA_BUF_USERSPACE_SHIM
	EXPECT_WARN_CASE(dma_resv_unlocked_callers_warn),
#endif
	KUNIT_CASE(dma_resv_race_readers_writer),
	KUNIT_CASE(dma_resv_race_grow_shrink),
	KUNIT_CASE(dma_resv_ww_backoff_many_objects),
	KUNIT_CASE(dma_resv_primed_lock_order),
	{}
};

static struct kunit_suite dma_resv_suite = {
	.name = "dma-resv",
	.test_cases = dma_resv_cases,
};

kunit_test_suite(dma_resv_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for reservation objects");
