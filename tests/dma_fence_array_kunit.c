// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite for fence arrays: all-members and any-member completion,
 * errors, lazy signaling, polling, empty and nested arrays, the iterators,
 * and members signaled from another thread while a waiter waits.
 */

#include <kunit/test.h>
#include <linux/dma-fence-array.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/slab.h>

#include "expect-warn.h"
#include "fail-nth.h"
#include "mock-fence.h"

/* An array over @n new mock fences, returned in @members too. */
static struct dma_fence_array *make_array(struct kunit *test, unsigned int n,
					  struct dma_fence **members,
					  bool any)
{
	struct dma_fence **fences = kcalloc(n, sizeof(*fences), GFP_KERNEL);
	struct dma_fence_array *array;
	unsigned int i;

	KUNIT_ASSERT_TRUE(test, fences || !n);
	for (i = 0; i < n; i++) {
		fences[i] = mock_fence(test);
		members[i] = fences[i];
	}
	array = dma_fence_array_create(n, fences, dma_fence_context_alloc(1),
				       7, any);
	KUNIT_ASSERT_NOT_NULL(test, array);
	return array;
}

static void signal_all(struct dma_fence **f, unsigned int n)
{
	while (n--)
		dma_fence_signal(f[n]);
}

static void dma_fence_array_signals_when_all_have(struct kunit *test)
{
	struct dma_fence *m[3];
	struct dma_fence_array *array = make_array(test, 3, m, false);
	struct dma_fence *a = &array->base;

	KUNIT_EXPECT_TRUE(test, dma_fence_is_array(a));
	KUNIT_EXPECT_PTR_EQ(test, to_dma_fence_array(a), array);
	KUNIT_EXPECT_EQ(test, a->seqno, 7ULL);
	dma_fence_enable_sw_signaling(a);
	dma_fence_signal(m[0]);
	dma_fence_signal(m[2]);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(a));
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(a, false, 2), 0L);
	dma_fence_signal(m[1]);
	KUNIT_EXPECT_TRUE(test, mock_fence_settles(a));
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(a), 1);
	dma_fence_put(a);
}

static void dma_fence_array_signals_on_any(struct kunit *test)
{
	struct dma_fence *m[4];
	struct dma_fence_array *array = make_array(test, 4, m, true);
	struct dma_fence *a = &array->base;

	dma_fence_enable_sw_signaling(a);
	dma_fence_signal(m[2]);
	KUNIT_EXPECT_TRUE(test, mock_fence_settles(a));
	irq_work_sync(&array->work);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(m[0]));
	/* The callbacks on the other members were taken back. */
	KUNIT_EXPECT_TRUE(test, list_empty(&m[0]->cb_list));
	KUNIT_EXPECT_EQ(test, kref_read(&a->refcount), 1U);
	signal_all(m, 4);
	dma_fence_put(a);
}

static void dma_fence_array_reports_member_errors(struct kunit *test)
{
	struct dma_fence *m[3], *n[2];
	struct dma_fence_array *all = make_array(test, 3, m, false);
	struct dma_fence_array *any = make_array(test, 2, n, true);

	dma_fence_enable_sw_signaling(&all->base);
	dma_fence_enable_sw_signaling(&any->base);
	mock_fence_complete(m[0], 0);
	mock_fence_complete(m[1], -EIO);
	mock_fence_complete(m[2], -ENODEV);
	mock_fence_complete(n[1], -ETIMEDOUT);
	KUNIT_EXPECT_TRUE(test, mock_fence_settles(&all->base));
	KUNIT_EXPECT_TRUE(test, mock_fence_settles(&any->base));
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(&all->base), -EIO);
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(&any->base), -ETIMEDOUT);
	dma_fence_signal(n[0]);
	dma_fence_put(&all->base);
	dma_fence_put(&any->base);
}

/*
 * As in 6.1, a member's error lands in an any-member array until the
 * array's completion work signals it, also when another member completed
 * it first.  With interrupts off the work cannot run in between in the
 * kernel; the userspace build runs it on a thread of its own, which may.
 */
static void dma_fence_array_any_takes_errors_until_signaled(struct kunit *test)
{
	struct dma_fence *m[2];
	struct dma_fence_array *array = make_array(test, 2, m, true);
	unsigned long irqflags;
	bool signaled_between;

	dma_fence_enable_sw_signaling(&array->base);
	local_irq_save(irqflags);
	mock_fence_complete(m[0], 0);
	signaled_between = test_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
				    &array->base.flags);
	mock_fence_complete(m[1], -EIO);
	local_irq_restore(irqflags);
	KUNIT_EXPECT_TRUE(test, mock_fence_settles(&array->base));
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(&array->base),
			signaled_between ? 1 : -EIO);
	dma_fence_put(&array->base);
}

static void dma_fence_array_enables_signaling_lazily(struct kunit *test)
{
	struct dma_fence *m[2];
	struct dma_fence_array *array = make_array(test, 2, m, false);

	KUNIT_EXPECT_FALSE(test, test_bit(DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT,
					  &m[0]->flags));
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(&array->base));
	dma_fence_enable_sw_signaling(&array->base);
	KUNIT_EXPECT_TRUE(test, test_bit(DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT,
					 &m[0]->flags));
	KUNIT_EXPECT_FALSE(test, list_empty(&m[1]->cb_list));
	signal_all(m, 2);
	KUNIT_EXPECT_TRUE(test, mock_fence_settles(&array->base));
	dma_fence_put(&array->base);
}

/*
 * Found complete by polling alone, without callbacks, an array signals
 * with no error whatever its members' (6.1 does so; the differential test
 * saw it).  Until then its error field holds 6.1's pending marker, 1.
 */
static void dma_fence_array_polled_without_callbacks(struct kunit *test)
{
	struct dma_fence *m[3];
	struct dma_fence_array *array = make_array(test, 3, m, false);
	struct dma_fence *a = &array->base;

	KUNIT_EXPECT_EQ(test, a->error, 1);
	mock_fence_complete(m[0], 0);
	mock_fence_complete(m[1], -EPIPE);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(a));
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(a), 0);
	mock_fence_complete(m[2], 0);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(a));
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(a), 1);
	KUNIT_EXPECT_EQ(test, a->error, 0);
	KUNIT_EXPECT_FALSE(test, test_bit(DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT,
					  &m[0]->flags));
	dma_fence_put(a);
}

struct counted_cb {
	struct dma_fence_cb cb;
	int calls;
};

static void count_call(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	container_of(cb, struct counted_cb, cb)->calls++;
}

static void dma_fence_array_members_signaled_before(struct kunit *test)
{
	struct dma_fence *m[3];
	struct dma_fence_array *array = make_array(test, 3, m, false);
	struct counted_cb cb = {};

	signal_all(m, 3);
	/* Enabling finds every member done: the array completes at once. */
	KUNIT_EXPECT_EQ(test, dma_fence_add_callback(&array->base, &cb.cb,
						     count_call), -ENOENT);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(&array->base));
	irq_work_sync(&array->work);
	KUNIT_EXPECT_EQ(test, cb.calls, 0);
	/* No member failed: the pending marker is cleared. */
	KUNIT_EXPECT_EQ(test, array->base.error, 0);
	dma_fence_put(&array->base);
}

/* An array of nothing is a caller's bug: it warns, and is made anyway. */
static void dma_fence_array_empty(struct kunit *test)
{
	struct dma_fence_array *all, *any;
	struct dma_fence *each;
	unsigned int i, seen = 0;

	EXPECT_WARN_BEGIN("dma_fence_array_empty");
	all = make_array(test, 0, NULL, false);
	any = make_array(test, 0, NULL, true);
	EXPECT_WARN_END("dma_fence_array_empty");

	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(&all->base));
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(&any->base));
	dma_fence_array_for_each(each, i, &all->base)
		seen++;
	KUNIT_EXPECT_EQ(test, seen, 0U);
	dma_fence_put(&all->base);
	dma_fence_put(&any->base);
}

DEFINE_EXPECT_WARN_CASE(dma_fence_array_empty)

static void dma_fence_array_iterators(struct kunit *test)
{
	struct dma_fence *m[5], *plain = mock_fence(test), *each;
	struct dma_fence_array *array = make_array(test, 5, m, false);
	unsigned int i, seen = 0;

	dma_fence_array_for_each(each, i, &array->base) {
		KUNIT_EXPECT_PTR_EQ(test, each, m[i]);
		seen++;
	}
	KUNIT_EXPECT_EQ(test, seen, 5U);
	KUNIT_EXPECT_NULL(test, dma_fence_array_next(&array->base, 5));

	seen = 0;
	dma_fence_array_for_each(each, i, plain) {
		KUNIT_EXPECT_PTR_EQ(test, each, plain);
		seen++;
	}
	KUNIT_EXPECT_EQ(test, seen, 1U);
	KUNIT_EXPECT_NULL(test, dma_fence_array_first(NULL));
	KUNIT_EXPECT_NULL(test, dma_fence_array_next(plain, 0));
	KUNIT_EXPECT_NULL(test, to_dma_fence_array(plain));

	signal_all(m, 5);
	dma_fence_signal(plain);
	dma_fence_put(plain);
	dma_fence_put(&array->base);
}

static void dma_fence_array_match_context(struct kunit *test)
{
	u64 ctx = dma_fence_context_alloc(1);
	struct dma_fence **same = kcalloc(2, sizeof(*same), GFP_KERNEL);
	struct dma_fence *odd[2];
	struct dma_fence_array *mixed = make_array(test, 2, odd, false);
	struct dma_fence_array *array;

	KUNIT_ASSERT_NOT_NULL(test, same);
	same[0] = mock_fence_at(test, ctx, 1);
	same[1] = mock_fence_at(test, ctx, 2);
	array = dma_fence_array_create(2, same, dma_fence_context_alloc(1), 1,
				       false);
	KUNIT_ASSERT_NOT_NULL(test, array);

	KUNIT_EXPECT_TRUE(test, dma_fence_match_context(&array->base, ctx));
	KUNIT_EXPECT_FALSE(test, dma_fence_match_context(&mixed->base, ctx));
	KUNIT_EXPECT_TRUE(test, dma_fence_match_context(same[0], ctx));
	KUNIT_EXPECT_FALSE(test, dma_fence_match_context(odd[0], ctx));

	signal_all(same, 2);
	signal_all(odd, 2);
	dma_fence_put(&array->base);
	dma_fence_put(&mixed->base);
}

static void dma_fence_array_of_arrays(struct kunit *test)
{
	struct dma_fence *a[2], *b[2];
	struct dma_fence_array *inner1 = make_array(test, 2, a, false);
	struct dma_fence_array *inner2 = make_array(test, 2, b, true);
	struct dma_fence **outer_members = kcalloc(2, sizeof(struct dma_fence *),
						   GFP_KERNEL);
	struct dma_fence_array *outer;

	KUNIT_ASSERT_NOT_NULL(test, outer_members);
	outer_members[0] = &inner1->base;
	outer_members[1] = &inner2->base;
	/* Containers as members warn; the array is made all the same. */
	EXPECT_WARN_BEGIN("dma_fence_array_of_arrays");
	outer = dma_fence_array_create(2, outer_members,
				       dma_fence_context_alloc(1), 1, false);
	EXPECT_WARN_END("dma_fence_array_of_arrays");
	KUNIT_ASSERT_NOT_NULL(test, outer);

	/* Enabling the outer array takes the inner locks inside its own. */
	dma_fence_enable_sw_signaling(&outer->base);
	signal_all(a, 2);
	dma_fence_signal(b[0]);
	KUNIT_EXPECT_TRUE(test, mock_fence_settles(&outer->base));
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(&inner1->base));
	dma_fence_signal(b[1]);
	dma_fence_put(&outer->base);
}

DEFINE_EXPECT_WARN_CASE(dma_fence_array_of_arrays)

/* The names 6.1 gives every array; a new array has no flag set. */
static void dma_fence_array_identity(struct kunit *test)
{
	struct dma_fence *m[2];
	struct dma_fence_array *array = make_array(test, 2, m, false);
	struct dma_fence *a = &array->base;

	KUNIT_EXPECT_STREQ(test, a->ops->get_driver_name(a), "dma_fence_array");
	KUNIT_EXPECT_STREQ(test, a->ops->get_timeline_name(a), "unbound");
	KUNIT_EXPECT_STREQ(test, dma_fence_driver_name(a), "dma_fence_array");
	KUNIT_EXPECT_STREQ(test, dma_fence_timeline_name(a), "unbound");
	KUNIT_EXPECT_EQ(test, a->flags, 0UL);
	KUNIT_EXPECT_EQ(test, a->seqno, 7ULL);
	signal_all(m, 2);
	dma_fence_put(a);
}

/*
 * Completed through its callbacks by members without errors, an array
 * signals with its error field cleared of the pending marker, in either
 * mode; the driver hook then answers "signaled".
 */
static void dma_fence_array_completes_without_error(struct kunit *test)
{
	struct dma_fence *m[2], *n[2];
	struct dma_fence_array *all = make_array(test, 2, m, false);
	struct dma_fence_array *any = make_array(test, 2, n, true);

	dma_fence_enable_sw_signaling(&all->base);
	dma_fence_enable_sw_signaling(&any->base);
	KUNIT_EXPECT_FALSE(test, all->base.ops->signaled(&all->base));
	signal_all(m, 2);
	dma_fence_signal(n[0]);
	KUNIT_EXPECT_TRUE(test, mock_fence_settles(&all->base));
	KUNIT_EXPECT_TRUE(test, mock_fence_settles(&any->base));
	KUNIT_EXPECT_EQ(test, all->base.error, 0);
	KUNIT_EXPECT_EQ(test, any->base.error, 0);
	KUNIT_EXPECT_TRUE(test, all->base.ops->signaled(&all->base));
	KUNIT_EXPECT_TRUE(test, any->base.ops->signaled(&any->base));
	dma_fence_signal(n[1]);
	dma_fence_put(&all->base);
	dma_fence_put(&any->base);
}

/* An empty array has nothing to wait for: enabling signals it at once. */
static void dma_fence_array_empty_signals_at_enable(struct kunit *test)
{
	struct dma_fence_array *array;
	struct counted_cb cb = {};

	EXPECT_WARN_BEGIN("dma_fence_array_empty_enabled");
	array = make_array(test, 0, NULL, false);
	EXPECT_WARN_END("dma_fence_array_empty_enabled");

	KUNIT_EXPECT_EQ(test, array->base.error, 0);
	KUNIT_EXPECT_EQ(test, dma_fence_add_callback(&array->base, &cb.cb,
						     count_call), -ENOENT);
	KUNIT_EXPECT_TRUE(test, test_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
					 &array->base.flags));
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(&array->base), 1);
	KUNIT_EXPECT_EQ(test, cb.calls, 0);
	dma_fence_put(&array->base);
}

DEFINE_EXPECT_WARN_CASE(dma_fence_array_empty_signals_at_enable)

static bool always_done(struct dma_fence *fence)
{
	return true;
}

/* A fence whose hardware is done, though nobody has signaled it yet. */
static const struct dma_fence_ops done_ops = {
	.get_driver_name = mock_fence_name,
	.get_timeline_name = mock_fence_name,
	.signaled = always_done,
};

/*
 * Polled without callbacks, an array asks its members in order only until
 * it has found enough of them signaled: as in 6.1, a later member is not
 * asked (and so not signaled by its own ->signaled hook).
 */
static void dma_fence_array_poll_stops_when_complete(struct kunit *test)
{
	struct dma_fence **fences = kcalloc(2, sizeof(*fences), GFP_KERNEL);
	struct dma_fence_array *array;
	struct dma_fence *first;
	struct mock_fence *late;

	KUNIT_ASSERT_NOT_NULL(test, fences);
	late = mock_fence_make(test, sizeof(*late), &done_ops,
			       dma_fence_context_alloc(1), 1);
	first = mock_fence(test);
	fences[0] = dma_fence_get(first);
	fences[1] = dma_fence_get(&late->base);
	array = dma_fence_array_create(2, fences, dma_fence_context_alloc(1), 1,
				       true);
	KUNIT_ASSERT_NOT_NULL(test, array);

	dma_fence_signal(first);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(&array->base));
	KUNIT_EXPECT_FALSE(test, test_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
					  &late->base.flags));

	dma_fence_signal(&late->base);
	dma_fence_put(&array->base);
	dma_fence_put(first);
	dma_fence_put(&late->base);
}

/*
 * A negative count, or members announced but not passed, warn and make no
 * array; the caller keeps what it passed.
 */
static void dma_fence_array_create_rejects_bad_counts(struct kunit *test)
{
	struct dma_fence **fences = kcalloc(1, sizeof(*fences), GFP_KERNEL);
	struct dma_fence_array *array;

	KUNIT_ASSERT_NOT_NULL(test, fences);
	fences[0] = mock_fence(test);

	EXPECT_WARN_BEGIN("dma_fence_array_create_without_fences");
	array = dma_fence_array_create(2, NULL, dma_fence_context_alloc(1), 1,
				       false);
	EXPECT_WARN_END("dma_fence_array_create_without_fences");
	KUNIT_EXPECT_NULL(test, array);

	EXPECT_WARN_BEGIN("dma_fence_array_create_negative_count");
	array = dma_fence_array_create(-1, fences, dma_fence_context_alloc(1),
				       1, false);
	EXPECT_WARN_END("dma_fence_array_create_negative_count");
	KUNIT_EXPECT_NULL(test, array);

	KUNIT_EXPECT_EQ(test, kref_read(&fences[0]->refcount), 1U);
	dma_fence_signal(fences[0]);
	dma_fence_put(fences[0]);
	kfree(fences);
}

DEFINE_EXPECT_WARN_CASE(dma_fence_array_create_rejects_bad_counts)

struct signaler {
	struct dma_fence **fences;
	unsigned int count;
};

static int signal_slowly(void *data)
{
	struct signaler *s = data;
	unsigned int i;

	for (i = 0; i < s->count; i++) {
		usleep_range(100, 500);
		dma_fence_signal(s->fences[s->count - 1 - i]);
	}
	return 0;
}

static void dma_fence_array_waiter_while_members_signal(struct kunit *test)
{
	struct dma_fence *m[32];
	struct dma_fence_array *array = make_array(test, 32, m, false);
	struct signaler s = { m, 32 };
	struct task_struct *t;

	t = kthread_run(signal_slowly, &s, "array-signaler");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	KUNIT_EXPECT_GT(test, dma_fence_wait_timeout(&array->base, true,
						     30 * HZ), 0L);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(m[0]));
	kthread_stop(t);
	dma_fence_put(&array->base);
}

/*
 * Out of memory, dma_fence_array_create() is NULL and the fences stay the
 * caller's, references and all, as in 6.1: the caller can try again with
 * the same ones, or drop them.
 */
static void dma_fence_array_create_no_memory(struct kunit *test)
{
	struct dma_fence_array *array;
	struct dma_fence **fences;
	unsigned int n, i;

	fail_nth_require(test, FAIL_NTH_SLEEPING);
	fences = kcalloc(3, sizeof(*fences), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fences);
	for (i = 0; i < 3; i++)
		fences[i] = mock_fence(test);
	for (n = 1;; n++) {
		fail_nth_arm(n);
		array = dma_fence_array_create(3, fences,
					       dma_fence_context_alloc(1), 5,
					       true);
		if (!fail_nth_disarm())
			break;
		KUNIT_ASSERT_NULL(test, array);
		for (i = 0; i < 3; i++) {
			KUNIT_EXPECT_EQ(test, kref_read(&fences[i]->refcount),
					1U);
			KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(fences[i]));
		}
	}
	KUNIT_EXPECT_EQ(test, n, 2U);
	KUNIT_ASSERT_NOT_NULL(test, array);
	KUNIT_EXPECT_PTR_EQ(test, array->fences, fences);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(&array->base));
	dma_fence_signal(fences[1]);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(&array->base));
	signal_all(fences, 3);
	dma_fence_put(&array->base);
}

static struct kunit_case dma_fence_array_cases[] = {
	KUNIT_CASE(dma_fence_array_signals_when_all_have),
	KUNIT_CASE(dma_fence_array_signals_on_any),
	KUNIT_CASE(dma_fence_array_reports_member_errors),
	KUNIT_CASE(dma_fence_array_any_takes_errors_until_signaled),
	KUNIT_CASE(dma_fence_array_enables_signaling_lazily),
	KUNIT_CASE(dma_fence_array_polled_without_callbacks),
	KUNIT_CASE(dma_fence_array_members_signaled_before),
	EXPECT_WARN_CASE(dma_fence_array_empty),
	KUNIT_CASE(dma_fence_array_iterators),
	KUNIT_CASE(dma_fence_array_match_context),
	EXPECT_WARN_CASE(dma_fence_array_of_arrays),
	KUNIT_CASE(dma_fence_array_waiter_while_members_signal),
	KUNIT_CASE(dma_fence_array_identity),
	KUNIT_CASE(dma_fence_array_completes_without_error),
	EXPECT_WARN_CASE(dma_fence_array_empty_signals_at_enable),
	KUNIT_CASE(dma_fence_array_poll_stops_when_complete),
	EXPECT_WARN_CASE(dma_fence_array_create_rejects_bad_counts),
	KUNIT_CASE(dma_fence_array_create_no_memory),
	{}
};

static struct kunit_suite dma_fence_array_suite = {
	.name = "dma-fence-array",
	.test_cases = dma_fence_array_cases,
};

kunit_test_suite(dma_fence_array_suite);

MODULE_DESCRIPTION("KUnit tests for fence arrays");
MODULE_LICENSE("GPL");
