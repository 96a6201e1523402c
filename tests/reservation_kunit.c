// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite for the classic reservation object interface: exclusive and
 * shared fences over dma_resv, its locking helpers, snapshots, waits and
 * tests, the missing-slot WARN, readers racing a writer through it, and
 * ww backoff through the classic names.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/dma-fence-array.h>
#include <linux/kthread.h>
#include <linux/reservation.h>
#include <linux/slab.h>

#include "expect-warn.h"
#include "mock-fence.h"
#include "resv-hook-fence.h"

/* A classic snapshot, with the number of shared fences. */
struct classic_view {
	struct dma_fence *excl;
	struct dma_fence **shared;
	unsigned int count;
};

static int view_get(struct reservation_object *obj, struct classic_view *v)
{
	return reservation_object_get_fences_rcu(obj, &v->excl, &v->count,
						 &v->shared);
}

static void view_put(struct classic_view *v)
{
	dma_fence_put(v->excl);
	while (v->count)
		dma_fence_put(v->shared[--v->count]);
	kfree(v->shared);
}

/* @obj's classic view is the exclusive fence @excl and one shared, @shared. */
static void view_is_one(struct kunit *test, struct reservation_object *obj,
			struct dma_fence *excl, struct dma_fence *shared)
{
	struct classic_view v;

	KUNIT_ASSERT_EQ(test, view_get(obj, &v), 0);
	KUNIT_EXPECT_PTR_EQ(test, v.excl, excl);
	KUNIT_ASSERT_EQ(test, v.count, 1U);
	KUNIT_EXPECT_PTR_EQ(test, v.shared[0], shared);
	view_put(&v);
}

static void reservation_object_is_a_dma_resv(struct kunit *test)
{
	struct reservation_object obj;

	reservation_object_init(&obj);
	KUNIT_EXPECT_PTR_EQ(test, to_reservation_object(&obj.resv), &obj);
	KUNIT_EXPECT_PTR_EQ(test, &obj.lock, &obj.resv.lock);

	KUNIT_ASSERT_TRUE(test, reservation_object_trylock(&obj));
	/* Only lockdep (and the userspace build) knows who holds a lock. */
#if defined(DMA_BUF_USERSPACE_SHIM) || IS_ENABLED(CONFIG_LOCKDEP)
	KUNIT_EXPECT_TRUE(test, reservation_object_held(&obj));
#endif
	reservation_object_assert_held(&obj);
	KUNIT_EXPECT_TRUE(test, dma_resv_is_locked(&obj.resv));
	KUNIT_EXPECT_TRUE(test, ww_mutex_is_locked(&obj.lock));
	reservation_object_unlock(&obj);

	KUNIT_EXPECT_EQ(test, reservation_object_lock(&obj, NULL), 0);
	KUNIT_EXPECT_NULL(test, reservation_object_get_excl(&obj));
	reservation_object_unlock(&obj);
	KUNIT_EXPECT_EQ(test,
			reservation_object_lock_interruptible(&obj, NULL), 0);
	reservation_object_unlock(&obj);
	KUNIT_EXPECT_FALSE(test, dma_resv_is_locked(&obj.resv));

	KUNIT_EXPECT_NULL(test, reservation_object_get_excl_rcu(&obj));
	KUNIT_EXPECT_TRUE(test, reservation_object_test_signaled_rcu(&obj,
								     true));
	KUNIT_EXPECT_EQ(test, reservation_object_wait_timeout_rcu(&obj, true,
								  false, 9),
			9L);
	reservation_object_fini(&obj);
}

static void reservation_object_shared_fences(struct kunit *test)
{
	u64 ctx = dma_fence_context_alloc(1);
	struct dma_fence *s1 = mock_fence_at(test, ctx, 1);
	struct dma_fence *s2 = mock_fence_at(test, ctx, 2);
	struct dma_fence *t = mock_fence(test);
	struct reservation_object obj;
	struct classic_view v;

	reservation_object_init(&obj);
	reservation_object_lock(&obj, NULL);
	KUNIT_ASSERT_EQ(test, reservation_object_reserve_shared(&obj), 0);
	reservation_object_add_shared_fence(&obj, s1);
	KUNIT_ASSERT_EQ(test, reservation_object_reserve_shared(&obj), 0);
	reservation_object_add_shared_fence(&obj, t);
	/* Same context: replaces, needs no new slot. */
	reservation_object_add_shared_fence(&obj, s2);
	KUNIT_EXPECT_NULL(test, reservation_object_get_excl(&obj));
	reservation_object_unlock(&obj);

	KUNIT_ASSERT_EQ(test, view_get(&obj, &v), 0);
	KUNIT_EXPECT_NULL(test, v.excl);
	KUNIT_ASSERT_EQ(test, v.count, 2U);
	KUNIT_EXPECT_TRUE(test, v.shared[0] == s2 || v.shared[1] == s2);
	KUNIT_EXPECT_TRUE(test, v.shared[0] == t || v.shared[1] == t);
	view_put(&v);
	KUNIT_EXPECT_EQ(test, kref_read(&s1->refcount), 1U);

	/* Shared fences are waited for by writers only. */
	KUNIT_EXPECT_TRUE(test, reservation_object_test_signaled_rcu(&obj,
								     false));
	KUNIT_EXPECT_FALSE(test, reservation_object_test_signaled_rcu(&obj,
								      true));
	KUNIT_EXPECT_EQ(test, reservation_object_wait_timeout_rcu(&obj, true,
								  false, 1),
			0L);
	mock_fence_complete(s2, 0);
	mock_fence_complete(t, -EIO);
	KUNIT_EXPECT_TRUE(test, reservation_object_test_signaled_rcu(&obj,
								     true));
	KUNIT_EXPECT_EQ(test, reservation_object_wait_timeout_rcu(&obj, true,
								  true, 3),
			3L);

	reservation_object_fini(&obj);
	dma_fence_signal(s1);
	dma_fence_put(s1);
	dma_fence_put(s2);
	dma_fence_put(t);
}

static void reservation_object_exclusive_fence(struct kunit *test)
{
	struct dma_fence *s = mock_fence(test), *e1 = mock_fence(test);
	struct dma_fence *e2 = mock_fence(test), *bk = mock_fence(test);
	struct reservation_object obj;
	struct classic_view v;
	struct dma_fence *f;

	reservation_object_init(&obj);
	/* No reservation needed for the exclusive fence, even the first. */
	reservation_object_lock(&obj, NULL);
	reservation_object_add_excl_fence(&obj, e1);
	KUNIT_EXPECT_PTR_EQ(test, reservation_object_get_excl(&obj), e1);
	KUNIT_ASSERT_EQ(test, reservation_object_reserve_shared(&obj), 0);
	reservation_object_add_shared_fence(&obj, s);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj.resv, 1), 0);
	dma_resv_add_fence(&obj.resv, bk, DMA_RESV_USAGE_BOOKKEEP);
	reservation_object_unlock(&obj);

	view_is_one(test, &obj, e1, s);

	f = reservation_object_get_excl_rcu(&obj);
	KUNIT_EXPECT_PTR_EQ(test, f, e1);
	KUNIT_EXPECT_EQ(test, kref_read(&e1->refcount), 3U);
	dma_fence_put(f);

	/* A new exclusive fence supersedes the exclusive and shared ones. */
	reservation_object_lock(&obj, NULL);
	reservation_object_add_excl_fence(&obj, e2);
	KUNIT_EXPECT_PTR_EQ(test, reservation_object_get_excl(&obj), e2);
	reservation_object_unlock(&obj);
	KUNIT_EXPECT_EQ(test, kref_read(&e1->refcount), 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&s->refcount), 1U);
	KUNIT_ASSERT_EQ(test, view_get(&obj, &v), 0);
	KUNIT_EXPECT_PTR_EQ(test, v.excl, e2);
	KUNIT_EXPECT_EQ(test, v.count, 0U);
	KUNIT_EXPECT_NULL(test, v.shared);
	view_put(&v);
	/* The bookkeeping fence, invisible here, is still kept. */
	KUNIT_EXPECT_FALSE(test, dma_resv_test_signaled(&obj.resv,
							DMA_RESV_USAGE_BOOKKEEP));

	KUNIT_EXPECT_FALSE(test, reservation_object_test_signaled_rcu(&obj,
								      false));
	KUNIT_EXPECT_EQ(test, reservation_object_wait_timeout_rcu(&obj, false,
								  false, 1),
			0L);
	mock_fence_complete(e2, -ENODEV);
	KUNIT_EXPECT_TRUE(test, reservation_object_test_signaled_rcu(&obj,
								     true));
	KUNIT_EXPECT_GT(test, reservation_object_wait_timeout_rcu(&obj, true,
								  true, HZ),
			0L);
	KUNIT_EXPECT_NULL(test, reservation_object_get_excl_rcu(&obj));

	/* NULL clears. */
	reservation_object_lock(&obj, NULL);
	reservation_object_add_excl_fence(&obj, NULL);
	KUNIT_EXPECT_NULL(test, reservation_object_get_excl(&obj));
	reservation_object_unlock(&obj);
	KUNIT_EXPECT_EQ(test, kref_read(&e2->refcount), 1U);

	reservation_object_fini(&obj);
	dma_fence_signal(s);
	dma_fence_signal(e1);
	dma_fence_signal(bk);
	dma_fence_put(s);
	dma_fence_put(e1);
	dma_fence_put(e2);
	dma_fence_put(bk);
}

/*
 * The classic view of a write and a later read of one context: they stay
 * two fences, the exclusive and a shared one.  A later exclusive fence of
 * the context supersedes both.
 */
static void reservation_object_shared_after_excl_same_context(struct kunit *test)
{
	u64 ctx = dma_fence_context_alloc(1);
	struct dma_fence *e = mock_fence_at(test, ctx, 1);
	struct dma_fence *s = mock_fence_at(test, ctx, 2);
	struct dma_fence *e2 = mock_fence_at(test, ctx, 3);
	struct reservation_object obj;
	struct classic_view v;

	reservation_object_init(&obj);
	reservation_object_lock(&obj, NULL);
	reservation_object_add_excl_fence(&obj, e);
	KUNIT_ASSERT_EQ(test, reservation_object_reserve_shared(&obj), 0);
	reservation_object_add_shared_fence(&obj, s);
	KUNIT_EXPECT_PTR_EQ(test, reservation_object_get_excl(&obj), e);
	reservation_object_unlock(&obj);

	view_is_one(test, &obj, e, s);

	/* Readers of the buffer wait for the write only. */
	mock_fence_complete(e, 0);
	KUNIT_EXPECT_TRUE(test, reservation_object_test_signaled_rcu(&obj,
								     false));
	KUNIT_EXPECT_FALSE(test, reservation_object_test_signaled_rcu(&obj,
								      true));

	reservation_object_lock(&obj, NULL);
	reservation_object_add_excl_fence(&obj, e2);
	reservation_object_unlock(&obj);
	KUNIT_EXPECT_EQ(test, kref_read(&s->refcount), 1U);
	KUNIT_ASSERT_EQ(test, view_get(&obj, &v), 0);
	KUNIT_EXPECT_PTR_EQ(test, v.excl, e2);
	KUNIT_EXPECT_EQ(test, v.count, 0U);
	view_put(&v);

	reservation_object_fini(&obj);
	mock_fence_complete(s, 0);
	mock_fence_complete(e2, 0);
	dma_fence_put(e);
	dma_fence_put(s);
	dma_fence_put(e2);
}

/*
 * A bookkeeping fence of the new exclusive fence's context: they merge into
 * one slot holding the later fence as the exclusive one.
 */
static void reservation_object_excl_merges_bookkeeping(struct kunit *test)
{
	u64 ctx = dma_fence_context_alloc(1);
	struct dma_fence *bk = mock_fence_at(test, ctx, 1);
	struct dma_fence *e = mock_fence_at(test, ctx, 2);
	struct dma_fence *s = mock_fence(test), *other = mock_fence(test);
	struct reservation_object obj;

	reservation_object_init(&obj);
	reservation_object_lock(&obj, NULL);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj.resv, 3), 0);
	dma_resv_add_fence(&obj.resv, bk, DMA_RESV_USAGE_BOOKKEEP);
	dma_resv_add_fence(&obj.resv, other, DMA_RESV_USAGE_BOOKKEEP);
	dma_resv_add_fence(&obj.resv, s, DMA_RESV_USAGE_READ);
	reservation_object_add_excl_fence(&obj, e);
	KUNIT_EXPECT_PTR_EQ(test, reservation_object_get_excl(&obj), e);
	reservation_object_unlock(&obj);

	KUNIT_EXPECT_EQ(test, kref_read(&bk->refcount), 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&s->refcount), 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&e->refcount), 2U);
	KUNIT_EXPECT_EQ(test, kref_read(&other->refcount), 2U);
	mock_fence_complete(e, 0);
	KUNIT_EXPECT_FALSE(test, dma_resv_test_signaled(&obj.resv,
							DMA_RESV_USAGE_BOOKKEEP));
	mock_fence_complete(other, 0);
	KUNIT_EXPECT_TRUE(test, dma_resv_test_signaled(&obj.resv,
						       DMA_RESV_USAGE_BOOKKEEP));

	reservation_object_fini(&obj);
	dma_fence_signal(bk);
	dma_fence_signal(s);
	dma_fence_put(bk);
	dma_fence_put(e);
	dma_fence_put(s);
	dma_fence_put(other);
}

static void reservation_object_several_writers_one_fence(struct kunit *test)
{
	struct dma_fence *w1 = mock_fence(test), *w2 = mock_fence(test);
	struct reservation_object obj;
	struct dma_fence_array *array;
	struct classic_view v;
	struct dma_fence *f;
	u64 before, after;

	/* Written through dma_resv: two write fences for one exclusive. */
	reservation_object_init(&obj);
	reservation_object_lock(&obj, NULL);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj.resv, 2), 0);
	dma_resv_add_fence(&obj.resv, w1, DMA_RESV_USAGE_WRITE);
	dma_resv_add_fence(&obj.resv, w2, DMA_RESV_USAGE_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, reservation_object_get_excl(&obj));
	reservation_object_unlock(&obj);

	before = dma_fence_context_alloc(1);
	KUNIT_ASSERT_EQ(test, view_get(&obj, &v), 0);
	after = dma_fence_context_alloc(1);
	array = to_dma_fence_array(v.excl);
	KUNIT_ASSERT_NOT_NULL(test, array);
	KUNIT_EXPECT_EQ(test, array->num_fences, 2U);
	/* A context of its own, allocated for it, and seqno 1. */
	KUNIT_EXPECT_EQ(test, v.excl->context, before + 1);
	KUNIT_EXPECT_EQ(test, after, before + 2);
	KUNIT_EXPECT_EQ(test, v.excl->seqno, 1ULL);
	KUNIT_EXPECT_EQ(test, v.count, 0U);
	view_put(&v);

	f = reservation_object_get_excl_rcu(&obj);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_array(f));
	dma_fence_put(f);

	reservation_object_fini(&obj);
	dma_fence_signal(w1);
	dma_fence_signal(w2);
	KUNIT_EXPECT_EQ(test, kref_read(&w1->refcount), 1U);
	dma_fence_put(w1);
	dma_fence_put(w2);
}

static void reservation_object_copy(struct kunit *test)
{
	struct dma_fence *e = mock_fence(test), *s = mock_fence(test);
	struct dma_fence *gone = mock_fence(test);
	struct reservation_object src, dst;

	reservation_object_init(&src);
	reservation_object_init(&dst);
	reservation_object_lock(&src, NULL);
	reservation_object_add_excl_fence(&src, e);
	KUNIT_ASSERT_EQ(test, reservation_object_reserve_shared(&src), 0);
	reservation_object_add_shared_fence(&src, s);
	reservation_object_unlock(&src);
	reservation_object_lock(&dst, NULL);
	reservation_object_add_excl_fence(&dst, gone);
	KUNIT_EXPECT_EQ(test, reservation_object_copy_fences(&dst, &src), 0);
	KUNIT_EXPECT_PTR_EQ(test, reservation_object_get_excl(&dst), e);
	reservation_object_unlock(&dst);
	KUNIT_EXPECT_EQ(test, kref_read(&gone->refcount), 1U);

	view_is_one(test, &dst, e, s);

	reservation_object_fini(&src);
	reservation_object_fini(&dst);
	KUNIT_EXPECT_EQ(test, kref_read(&e->refcount), 1U);
	signal_put(e, s, gone);
}

static void reservation_object_shared_without_slot(struct kunit *test)
{
	struct dma_fence *a = mock_fence(test), *b = mock_fence(test);
	struct reservation_object obj;
	struct classic_view v;

	reservation_object_init(&obj);
	reservation_object_lock(&obj, NULL);
	EXPECT_WARN_BEGIN("reservation_shared_no_slot");
	reservation_object_add_shared_fence(&obj, a);
	EXPECT_WARN_END("reservation_shared_no_slot");
	KUNIT_ASSERT_EQ(test, reservation_object_reserve_shared(&obj), 0);
	reservation_object_add_shared_fence(&obj, b);
	reservation_object_unlock(&obj);

	/* Both are there: the fence was kept despite the bug. */
	KUNIT_ASSERT_EQ(test, view_get(&obj, &v), 0);
	KUNIT_EXPECT_EQ(test, v.count, 2U);
	view_put(&v);
	KUNIT_EXPECT_FALSE(test, reservation_object_test_signaled_rcu(&obj,
								      true));

	reservation_object_fini(&obj);
	signal_put(a, b);
}

DEFINE_EXPECT_WARN_CASE(reservation_object_shared_without_slot)

/*
 * @n mock fences in @f; @obj, left locked, holds the first @added as
 * bookkeeping fences, each added after a reservation of its own.
 */
static void bookkeeping_locked(struct kunit *test,
			       struct reservation_object *obj,
			       struct dma_fence **f, unsigned int n,
			       unsigned int added)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		f[i] = mock_fence(test);
	reservation_object_init(obj);
	reservation_object_lock(obj, NULL);
	for (i = 0; i < added; i++) {
		KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj->resv, 1), 0);
		dma_resv_add_fence(&obj->resv, f[i], DMA_RESV_USAGE_BOOKKEEP);
	}
}

/* Does a locked walk of @obj, locked by the caller, list exactly @want? */
static bool classic_walk_is(struct reservation_object *obj,
			    struct dma_fence **want, unsigned int n)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	unsigned int k = 0;

	dma_resv_for_each_fence(&cursor, &obj->resv, DMA_RESV_USAGE_BOOKKEEP,
				fence)
		if (k >= n || want[k++] != fence)
			return false;
	return k == n;
}

/*
 * The classic calls reserve and add as dma_resv does in 6.1: five shared
 * fences, one per locked section, fill the first array (five slots), so
 * the reservation for a sixth moves the fences to a bigger array without
 * the two that signaled.
 */
static void reservation_object_full_array_compacts(struct kunit *test)
{
	struct reservation_object obj;
	struct dma_fence *f[6], *want[5];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(f); i++)
		f[i] = mock_fence(test);
	reservation_object_init(&obj);
	for (i = 0; i < 5; i++) {
		reservation_object_lock(&obj, NULL);
		KUNIT_ASSERT_EQ(test, reservation_object_reserve_shared(&obj),
				0);
		reservation_object_add_shared_fence(&obj, f[i]);
		reservation_object_unlock(&obj);
	}
	dma_fence_signal(f[0]);
	dma_fence_signal(f[2]);

	reservation_object_lock(&obj, NULL);
	KUNIT_EXPECT_TRUE(test, classic_walk_is(&obj, f, 5));
	KUNIT_ASSERT_EQ(test, reservation_object_reserve_shared(&obj), 0);
	want[0] = f[1];
	want[1] = f[3];
	want[2] = f[4];
	KUNIT_EXPECT_TRUE(test, classic_walk_is(&obj, want, 3));
	reservation_object_add_shared_fence(&obj, f[5]);
	want[3] = f[5];
	KUNIT_EXPECT_TRUE(test, classic_walk_is(&obj, want, 4));
	reservation_object_unlock(&obj);
	KUNIT_EXPECT_EQ(test, kref_read(&f[0]->refcount), 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&f[2]->refcount), 1U);

	reservation_object_fini(&obj);
	for (i = 0; i < ARRAY_SIZE(f); i++) {
		dma_fence_signal(f[i]);
		dma_fence_put(f[i]);
	}
}

/*
 * Setting the exclusive fence moves the object to an array of the old
 * one's size, and what was reserved before stays reserved: three slots
 * reserved in a five-slot array are there after it, and a fourth fits
 * too, so nothing is dropped until a reservation of two.
 */
static void reservation_object_excl_keeps_array_size(struct kunit *test)
{
	struct dma_fence *e = mock_fence(test), *s[3], *want[4];
	struct reservation_object obj;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(s); i++)
		s[i] = mock_fence(test);
	reservation_object_init(&obj);
	reservation_object_lock(&obj, NULL);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj.resv, 3), 0);
	reservation_object_add_excl_fence(&obj, e);
	for (i = 0; i < ARRAY_SIZE(s); i++)
		reservation_object_add_shared_fence(&obj, s[i]);
	want[0] = e;
	for (i = 0; i < ARRAY_SIZE(s); i++)
		want[i + 1] = s[i];
	KUNIT_EXPECT_TRUE(test, classic_walk_is(&obj, want, 4));

	dma_fence_signal(s[0]);
	KUNIT_ASSERT_EQ(test, reservation_object_reserve_shared(&obj), 0);
	KUNIT_EXPECT_TRUE(test, classic_walk_is(&obj, want, 4));
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj.resv, 2), 0);
	want[1] = s[1];
	want[2] = s[2];
	KUNIT_EXPECT_TRUE(test, classic_walk_is(&obj, want, 3));
	reservation_object_unlock(&obj);

	reservation_object_fini(&obj);
	dma_fence_signal(e);
	dma_fence_put(e);
	release_all(test, s, ARRAY_SIZE(s));
}

/* Clearing the exclusive fence of an object that never had one: no-op. */
static void reservation_object_clear_never_used(struct kunit *test)
{
	struct reservation_object obj;

	reservation_object_init(&obj);
	reservation_object_lock(&obj, NULL);
	reservation_object_add_excl_fence(&obj, NULL);
	KUNIT_EXPECT_NULL(test, reservation_object_get_excl(&obj));
	/* Nothing to hold, so nothing was allocated either. */
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(obj.resv.fences));
	reservation_object_unlock(&obj);
	reservation_object_fini(&obj);
}

/*
 * A container as the exclusive fence is a driver bug, warned about: its
 * unsignaled members are added as write fences one by one, and the fences
 * already there stay, since nothing says the container signals after them.
 */
static void reservation_object_excl_container_adds_members(struct kunit *test)
{
	struct dma_fence *m[3] = {
		mock_fence(test), mock_fence(test), mock_fence(test)
	};
	struct dma_fence **members = kcalloc(3, sizeof(*members), GFP_KERNEL);
	struct dma_fence *s = mock_fence(test), *want[3];
	struct dma_fence_array *array, *excl;
	struct reservation_object obj;
	struct classic_view v;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, members);
	for (i = 0; i < 3; i++)
		members[i] = dma_fence_get(m[i]);
	array = dma_fence_array_create(3, members, dma_fence_context_alloc(1),
				       1, false);
	KUNIT_ASSERT_NOT_NULL(test, array);
	dma_fence_signal(m[1]);

	reservation_object_init(&obj);
	reservation_object_lock(&obj, NULL);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj.resv, 3), 0);
	reservation_object_add_shared_fence(&obj, s);
	EXPECT_WARN_BEGIN("reservation_excl_container");
	reservation_object_add_excl_fence(&obj, &array->base);
	EXPECT_WARN_END("reservation_excl_container");
	want[0] = s;
	want[1] = m[0];
	want[2] = m[2];
	KUNIT_EXPECT_TRUE(test, classic_walk_is(&obj, want, 3));
	reservation_object_unlock(&obj);

	KUNIT_ASSERT_EQ(test, view_get(&obj, &v), 0);
	excl = to_dma_fence_array(v.excl);
	KUNIT_ASSERT_NOT_NULL(test, excl);
	KUNIT_ASSERT_EQ(test, excl->num_fences, 2U);
	KUNIT_EXPECT_TRUE(test, (excl->fences[0] == m[0] &&
				 excl->fences[1] == m[2]) ||
				(excl->fences[0] == m[2] &&
				 excl->fences[1] == m[0]));
	KUNIT_ASSERT_EQ(test, v.count, 1U);
	KUNIT_EXPECT_PTR_EQ(test, v.shared[0], s);
	view_put(&v);
	KUNIT_EXPECT_EQ(test, kref_read(&array->base.refcount), 1U);

	reservation_object_fini(&obj);
	dma_fence_signal(s);
	dma_fence_put(s);
	dma_fence_put(&array->base);
	release_all(test, m, 3);
}

DEFINE_EXPECT_WARN_CASE(reservation_object_excl_container_adds_members)

/*
 * An exclusive fence for an object with a slot emptied by
 * dma_resv_replace_fences(): the empty slot is not carried over, the
 * bookkeeping fence is.
 */
static void reservation_object_excl_after_removed_fence(struct kunit *test)
{
	struct dma_fence *bk = mock_fence(test), *s = mock_fence(test);
	struct dma_fence *e = mock_fence(test), *want[2];
	struct reservation_object obj;

	reservation_object_init(&obj);
	reservation_object_lock(&obj, NULL);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj.resv, 2), 0);
	reservation_object_add_shared_fence(&obj, s);
	dma_resv_add_fence(&obj.resv, bk, DMA_RESV_USAGE_BOOKKEEP);
	dma_resv_replace_fences(&obj.resv, s->context, NULL,
				DMA_RESV_USAGE_READ);
	reservation_object_add_excl_fence(&obj, e);
	want[0] = bk;
	want[1] = e;
	KUNIT_EXPECT_TRUE(test, classic_walk_is(&obj, want, 2));
	reservation_object_unlock(&obj);

	reservation_object_fini(&obj);
	KUNIT_EXPECT_EQ(test, kref_read(&s->refcount), 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&bk->refcount), 1U);
	signal_put(bk, s, e);
}

/*
 * An exclusive fence for an array filled with bookkeeping fences, which
 * it does not supersede: the object moves to an array big enough for
 * them and it, with no reservation and no warning.  The old array's
 * limit was its size, so the new one's is its own size: as in any array
 * made in this locked section, its spare slots take adds without a
 * warning.
 */
static void reservation_object_excl_after_full_bookkeeping(struct kunit *test)
{
	struct reservation_object obj;
	struct dma_fence *f[7];

	bookkeeping_locked(test, &obj, f, ARRAY_SIZE(f), 5);
	reservation_object_add_excl_fence(&obj, f[5]);
	KUNIT_EXPECT_TRUE(test, classic_walk_is(&obj, f, 6));
	KUNIT_EXPECT_PTR_EQ(test, reservation_object_get_excl(&obj), f[5]);
	dma_resv_add_fence(&obj.resv, f[6], DMA_RESV_USAGE_BOOKKEEP);
	KUNIT_EXPECT_TRUE(test, classic_walk_is(&obj, f, 7));
	reservation_object_unlock(&obj);

	reservation_object_fini(&obj);
	release_all(test, f, ARRAY_SIZE(f));
}

/*
 * Four bookkeeping fences and a shared one fill a five-slot array; the
 * exclusive fence drops the shared one and takes an array of that size,
 * which it fills exactly with the bookkeeping fences.  So a reservation of
 * one more moves the object to a bigger array, dropping a bookkeeping
 * fence that signaled meanwhile.
 */
static void reservation_object_excl_fills_old_size(struct kunit *test)
{
	struct dma_fence *f[5], *s = mock_fence(test);
	struct reservation_object obj;

	bookkeeping_locked(test, &obj, f, ARRAY_SIZE(f), 4);
	KUNIT_ASSERT_EQ(test, reservation_object_reserve_shared(&obj), 0);
	reservation_object_add_shared_fence(&obj, s);
	reservation_object_add_excl_fence(&obj, f[4]);
	KUNIT_EXPECT_TRUE(test, classic_walk_is(&obj, f, 5));
	KUNIT_EXPECT_EQ(test, kref_read(&s->refcount), 1U);

	dma_fence_signal(f[0]);
	KUNIT_ASSERT_EQ(test, reservation_object_reserve_shared(&obj), 0);
	KUNIT_EXPECT_TRUE(test, classic_walk_is(&obj, &f[1], 4));
	reservation_object_unlock(&obj);

	reservation_object_fini(&obj);
	dma_fence_signal(s);
	dma_fence_put(s);
	release_all(test, f, ARRAY_SIZE(f));
}

/*
 * An exclusive fence takes the slot of a bookkeeping fence that signaled,
 * ahead of a new one, as any add does: the new array holds it where the
 * signaled fence was, and the object lets that fence go.
 */
static void reservation_object_excl_takes_signaled_slot(struct kunit *test)
{
	struct dma_fence *bk = mock_fence(test), *done = mock_fence(test);
	struct dma_fence *e = mock_fence(test), *want[2];
	struct reservation_object obj;

	reservation_object_init(&obj);
	reservation_object_lock(&obj, NULL);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj.resv, 2), 0);
	dma_resv_add_fence(&obj.resv, bk, DMA_RESV_USAGE_BOOKKEEP);
	dma_resv_add_fence(&obj.resv, done, DMA_RESV_USAGE_BOOKKEEP);
	dma_fence_signal(done);
	reservation_object_add_excl_fence(&obj, e);
	want[0] = bk;
	want[1] = e;
	KUNIT_EXPECT_TRUE(test, classic_walk_is(&obj, want, 2));
	KUNIT_EXPECT_EQ(test, kref_read(&done->refcount), 1U);
	reservation_object_unlock(&obj);

	reservation_object_fini(&obj);
	KUNIT_EXPECT_EQ(test, kref_read(&bk->refcount), 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&e->refcount), 1U);
	dma_fence_signal(bk);
	dma_fence_signal(e);
	dma_fence_put(bk);
	dma_fence_put(done);
	dma_fence_put(e);
}

/*
 * In debug builds unlocking lowers an array's limit to the fences it
 * holds.  An exclusive fence added in the next locked section, over more
 * bookkeeping fences than that limit, needs no reservation; the limit of
 * the array it makes is raised to the fences stored, not to its size:
 * an add without a reservation is still warned about (and kept), one
 * after a reservation is not.
 */
static void reservation_object_excl_after_unlock(struct kunit *test)
{
	struct reservation_object obj;
	struct dma_fence *f[5];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(f); i++)
		f[i] = mock_fence(test);
	reservation_object_init(&obj);
	reservation_object_lock(&obj, NULL);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj.resv, 2), 0);
	dma_resv_add_fence(&obj.resv, f[0], DMA_RESV_USAGE_BOOKKEEP);
	dma_resv_add_fence(&obj.resv, f[1], DMA_RESV_USAGE_BOOKKEEP);
	reservation_object_unlock(&obj);

	reservation_object_lock(&obj, NULL);
	reservation_object_add_excl_fence(&obj, f[2]);
	KUNIT_EXPECT_TRUE(test, classic_walk_is(&obj, f, 3));
	KUNIT_EXPECT_PTR_EQ(test, reservation_object_get_excl(&obj), f[2]);
	if (IS_ENABLED(CONFIG_DEBUG_MUTEXES))
		EXPECT_WARN_BEGIN("reservation_excl_limit_kept");
	dma_resv_add_fence(&obj.resv, f[3], DMA_RESV_USAGE_BOOKKEEP);
	if (IS_ENABLED(CONFIG_DEBUG_MUTEXES))
		EXPECT_WARN_END("reservation_excl_limit_kept");
	KUNIT_EXPECT_TRUE(test, classic_walk_is(&obj, f, 4));
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&obj.resv, 1), 0);
	dma_resv_add_fence(&obj.resv, f[4], DMA_RESV_USAGE_BOOKKEEP);
	KUNIT_EXPECT_TRUE(test, classic_walk_is(&obj, f, 5));
	reservation_object_unlock(&obj);

	reservation_object_fini(&obj);
	release_all(test, f, ARRAY_SIZE(f));
}

DEFINE_EXPECT_WARN_CASE_IF(reservation_object_excl_after_unlock,
			   IS_ENABLED(CONFIG_DEBUG_MUTEXES))

/*
 * A classic snapshot taken while the object moves to a new array (the
 * shared fence's driver, asked whether it signaled, sets a new exclusive
 * fence) is of the new array only: the exclusive and shared fences taken
 * from the old one are let go.
 */
static void reservation_object_snapshot_while_moving(struct kunit *test)
{
	struct hook_fence *hook = hook_fence_new(test);
	struct dma_fence *e = mock_fence(test), *x = mock_fence(test);
	struct reservation_object obj;
	struct classic_view v;

	reservation_object_init(&obj);
	reservation_object_lock(&obj, NULL);
	reservation_object_add_excl_fence(&obj, e);
	KUNIT_ASSERT_EQ(test, reservation_object_reserve_shared(&obj), 0);
	reservation_object_add_shared_fence(&obj, &hook->mock.base);
	/* The hook's action needs the object locked, the snapshot does not. */
	hook_fence_arm(hook, hook_set_excl, x, &obj.resv);
	KUNIT_EXPECT_EQ(test, view_get(&obj, &v), 0);
	reservation_object_unlock(&obj);
	KUNIT_EXPECT_NULL(test, hook->action);
	KUNIT_EXPECT_PTR_EQ(test, v.excl, x);
	KUNIT_EXPECT_EQ(test, v.count, 0U);
	KUNIT_EXPECT_NULL(test, v.shared);
	view_put(&v);
	KUNIT_EXPECT_EQ(test, kref_read(&e->refcount), 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&hook->mock.base.refcount), 1U);
	KUNIT_EXPECT_EQ(test, kref_read(&x->refcount), 2U);

	reservation_object_fini(&obj);
	signal_put(&hook->mock.base, e, x);
}

/*
 * A lock-free walk keeps its place between steps by the array it walks.
 * Between two steps the object can move on, the array be freed and its
 * memory come back as the object's newest array: the walk must see that
 * its array was replaced and start over, not go on from its old position
 * in the new one (which would skip the new exclusive fence).  The cursor
 * is made to point at the new array as it would after such a reuse; the
 * allocator's reuse itself cannot be forced.
 */
static void reservation_object_walk_notices_array_reused(struct kunit *test)
{
	struct dma_fence *e = mock_fence(test), *s = mock_fence(test);
	struct dma_fence *e2 = mock_fence(test), *s2 = mock_fence(test);
	struct dma_fence *all[] = { e, s, e2, s2 };
	struct reservation_object obj;
	struct dma_resv_list *now;
	struct dma_resv_iter cursor;
	struct dma_fence *f;
	unsigned int i;

	reservation_object_init(&obj);
	reservation_object_lock(&obj, NULL);
	reservation_object_add_excl_fence(&obj, e);
	KUNIT_ASSERT_EQ(test, reservation_object_reserve_shared(&obj), 0);
	reservation_object_add_shared_fence(&obj, s);
	reservation_object_unlock(&obj);

	dma_resv_iter_begin(&cursor, &obj.resv, DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_PTR_EQ(test, dma_resv_iter_first_unlocked(&cursor), e);

	/* A new exclusive fence moves the object to a new array. */
	reservation_object_lock(&obj, NULL);
	reservation_object_add_excl_fence(&obj, e2);
	KUNIT_ASSERT_EQ(test, reservation_object_reserve_shared(&obj), 0);
	reservation_object_add_shared_fence(&obj, s2);
	now = rcu_dereference_protected(obj.resv.fences, true);
	reservation_object_unlock(&obj);
	/* The slots sit where they would in a reused block. */
	cursor.slots = (const void *)now + ((const void *)cursor.slots -
					    (const void *)cursor.fences);
	cursor.fences = now;

	f = dma_resv_iter_next_unlocked(&cursor);
	KUNIT_EXPECT_PTR_EQ(test, f, e2);
	KUNIT_EXPECT_TRUE(test, dma_resv_iter_is_restarted(&cursor));
	if (f == e2) {
		KUNIT_EXPECT_PTR_EQ(test, dma_resv_iter_next_unlocked(&cursor),
				    s2);
		KUNIT_EXPECT_NULL(test, dma_resv_iter_next_unlocked(&cursor));
	}
	dma_resv_iter_end(&cursor);

	reservation_object_fini(&obj);
	for (i = 0; i < ARRAY_SIZE(all); i++) {
		dma_fence_signal(all[i]);
		KUNIT_EXPECT_EQ(test, kref_read(&all[i]->refcount), 1U);
		dma_fence_put(all[i]);
	}
}

struct excl_signal {
	struct dma_fence *fence;
};

static int signal_soon(void *data)
{
	struct excl_signal *d = data;

	msleep(20);
	dma_fence_signal(d->fence);
	while (!kthread_should_stop())
		usleep_range(1000, 2000);
	return 0;
}

static void reservation_object_wait_woken(struct kunit *test)
{
	struct dma_fence *e = mock_fence(test);
	struct excl_signal d = { .fence = e };
	struct reservation_object obj;
	struct task_struct *t;

	reservation_object_init(&obj);
	reservation_object_lock(&obj, NULL);
	reservation_object_add_excl_fence(&obj, e);
	reservation_object_unlock(&obj);
	t = kthread_run(signal_soon, &d, "resv-classic");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	KUNIT_EXPECT_GT(test, reservation_object_wait_timeout_rcu(&obj, false,
								  true,
								  10 * HZ),
			0L);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(e));
	kthread_stop(t);
	reservation_object_fini(&obj);
	dma_fence_put(e);
}

/*
 * A writer alternates: an exclusive fence, then SHARED shared fences, each
 * in its own locked section.  In every state the shared fences are newer
 * than the exclusive one (higher seqno on the common timeline count), and
 * there are at most SHARED of them.
 */
#define SHARED 3
#define CLASSIC_READERS 2

struct classic_race {
	struct reservation_object obj;
	u64 excl_ctx, shared_ctx;
	atomic_t bad, snapshots;
};

static bool classic_view_ok(struct classic_race *r, struct classic_view *v)
{
	unsigned int i;

	if (!v->excl || v->excl->context != r->excl_ctx || v->count > SHARED)
		return false;
	for (i = 0; i < v->count; i++) {
		struct dma_fence *s = v->shared[i];

		if (s->context < r->shared_ctx ||
		    s->context >= r->shared_ctx + SHARED ||
		    s->seqno <= v->excl->seqno)
			return false;
	}
	return true;
}

static int classic_read(void *data)
{
	struct classic_race *r = data;
	struct classic_view v;

	while (!kthread_should_stop()) {
		if (view_get(&r->obj, &v) || !classic_view_ok(r, &v))
			atomic_inc(&r->bad);
		view_put(&v);
		if (reservation_object_test_signaled_rcu(&r->obj, false))
			atomic_inc(&r->bad);
		atomic_inc(&r->snapshots);
		cond_resched();
	}
	return 0;
}

static void reservation_object_race_readers_writer(struct kunit *test)
{
	struct classic_race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct task_struct *t[CLASSIC_READERS];
	struct dma_fence *held[SHARED + 1] = { };
	unsigned long rounds = 0;
	u64 seqno = 1;
	ktime_t end;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, r);
	reservation_object_init(&r->obj);
	r->excl_ctx = dma_fence_context_alloc(1);
	r->shared_ctx = dma_fence_context_alloc(SHARED);
	held[0] = mock_fence_at(test, r->excl_ctx, seqno++);
	reservation_object_lock(&r->obj, NULL);
	reservation_object_add_excl_fence(&r->obj, held[0]);
	reservation_object_unlock(&r->obj);

	for (i = 0; i < CLASSIC_READERS; i++) {
		t[i] = kthread_run(classic_read, r, "resv-classic%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t[i]));
	}
	end = ktime_add_ms(ktime_get(), 1000);
	while (ktime_before(ktime_get(), end)) {
		struct dma_fence *next[SHARED + 1];

		for (i = 1; i <= SHARED; i++) {
			next[i] = mock_fence_at(test, r->shared_ctx + i - 1,
						seqno++);
			reservation_object_lock(&r->obj, NULL);
			if (reservation_object_reserve_shared(&r->obj))
				atomic_inc(&r->bad);
			reservation_object_add_shared_fence(&r->obj, next[i]);
			reservation_object_unlock(&r->obj);
		}
		next[0] = mock_fence_at(test, r->excl_ctx, seqno++);
		reservation_object_lock(&r->obj, NULL);
		reservation_object_add_excl_fence(&r->obj, next[0]);
		reservation_object_unlock(&r->obj);
		/* What was superseded may complete now. */
		for (i = 0; i <= SHARED; i++) {
			if (held[i]) {
				dma_fence_signal(held[i]);
				dma_fence_put(held[i]);
			}
			held[i] = next[i];
		}
		rounds++;
		cond_resched();
	}
	for (i = 0; i < CLASSIC_READERS; i++)
		kthread_stop(t[i]);
	kunit_info(test, "%lu writer rounds, %d reader snapshots\n", rounds,
		   atomic_read(&r->snapshots));
	KUNIT_EXPECT_EQ(test, atomic_read(&r->bad), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&r->snapshots), CLASSIC_READERS);

	reservation_object_fini(&r->obj);
	for (i = 0; i <= SHARED; i++) {
		dma_fence_signal(held[i]);
		dma_fence_put(held[i]);
	}
}

/*
 * Classic ww locking: two threads lock two objects in opposite orders, as
 * old drivers do, backing off on -EDEADLK with ww_mutex_lock_slow() on the
 * object's lock, and set an exclusive fence on both.
 */
struct classic_pair {
	struct reservation_object obj[2];
	u64 context[2];
	atomic_t bad;
	unsigned long txns[2], backoffs[2];
};

struct classic_locker {
	struct classic_pair *pair;
	unsigned int id;
};

static void classic_pair_round(struct classic_pair *p, unsigned int id)
{
	struct reservation_object *first = &p->obj[id], *second = &p->obj[!id];
	struct ww_acquire_ctx ctx;
	struct dma_fence *f;
	int ret;

	ww_acquire_init(&ctx, &reservation_ww_class);
	ret = reservation_object_lock(first, &ctx);
	while (!ret && (ret = reservation_object_lock(second, &ctx)) ==
	       -EDEADLK) {
		p->backoffs[id]++;
		reservation_object_unlock(first);
		ww_mutex_lock_slow(&second->lock, &ctx);
		swap(first, second);
		ret = 0;
	}
	ww_acquire_done(&ctx);
	if (ret) {
		atomic_inc(&p->bad);
		ww_acquire_fini(&ctx);
		return;
	}

	f = mock_fence_new(p->context[id], p->txns[id] + 1);
	if (f) {
		reservation_object_add_excl_fence(first, f);
		reservation_object_add_excl_fence(second, f);
		if (reservation_object_get_excl(first) != f ||
		    reservation_object_get_excl(second) != f)
			atomic_inc(&p->bad);
		dma_fence_signal(f);
		dma_fence_put(f);
	} else {
		atomic_inc(&p->bad);
	}
	reservation_object_unlock(second);
	reservation_object_unlock(first);
	ww_acquire_fini(&ctx);
	p->txns[id]++;
}

static int classic_lock_loop(void *data)
{
	struct classic_locker *l = data;

	while (!kthread_should_stop()) {
		classic_pair_round(l->pair, l->id);
		cond_resched();
	}
	return 0;
}

static void reservation_object_ww_backoff(struct kunit *test)
{
	struct classic_pair *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	struct classic_locker l[2];
	struct task_struct *t[2];
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < 2; i++) {
		reservation_object_init(&p->obj[i]);
		p->context[i] = dma_fence_context_alloc(1);
	}
	for (i = 0; i < 2; i++) {
		l[i].pair = p;
		l[i].id = i;
		t[i] = kthread_run(classic_lock_loop, &l[i], "resv-pair%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t[i]));
	}
	msleep(700);
	for (i = 0; i < 2; i++)
		kthread_stop(t[i]);
	kunit_info(test, "%lu + %lu transactions, %lu + %lu backoffs\n",
		   p->txns[0], p->txns[1], p->backoffs[0], p->backoffs[1]);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->bad), 0);
	KUNIT_EXPECT_GT(test, p->txns[0], 0UL);
	KUNIT_EXPECT_GT(test, p->txns[1], 0UL);
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_FALSE(test, dma_resv_is_locked(&p->obj[i].resv));
		reservation_object_lock(&p->obj[i], NULL);
		KUNIT_EXPECT_NOT_NULL(test,
				      reservation_object_get_excl(&p->obj[i]));
		reservation_object_unlock(&p->obj[i]);
		reservation_object_fini(&p->obj[i]);
	}
}

static struct kunit_case reservation_cases[] = {
	KUNIT_CASE(reservation_object_is_a_dma_resv),
	KUNIT_CASE(reservation_object_shared_fences),
	KUNIT_CASE(reservation_object_exclusive_fence),
	KUNIT_CASE(reservation_object_shared_after_excl_same_context),
	KUNIT_CASE(reservation_object_excl_merges_bookkeeping),
	KUNIT_CASE(reservation_object_several_writers_one_fence),
	KUNIT_CASE(reservation_object_copy),
	EXPECT_WARN_CASE(reservation_object_shared_without_slot),
	KUNIT_CASE(reservation_object_full_array_compacts),
	KUNIT_CASE(reservation_object_excl_keeps_array_size),
	KUNIT_CASE(reservation_object_clear_never_used),
	EXPECT_WARN_CASE(reservation_object_excl_container_adds_members),
	KUNIT_CASE(reservation_object_excl_after_removed_fence),
	KUNIT_CASE(reservation_object_excl_after_full_bookkeeping),
	KUNIT_CASE(reservation_object_excl_fills_old_size),
	KUNIT_CASE(reservation_object_excl_takes_signaled_slot),
	EXPECT_WARN_CASE(reservation_object_excl_after_unlock),
	KUNIT_CASE(reservation_object_snapshot_while_moving),
	KUNIT_CASE(reservation_object_walk_notices_array_reused),
	KUNIT_CASE(reservation_object_wait_woken),
	KUNIT_CASE(reservation_object_race_readers_writer),
	KUNIT_CASE(reservation_object_ww_backoff),
	{}
};

static struct kunit_suite reservation_suite = {
	.name = "reservation",
	.test_cases = reservation_cases,
};

kunit_test_suite(reservation_suite);

MODULE_DESCRIPTION("KUnit tests for the classic reservation object API");
MODULE_LICENSE("GPL");
