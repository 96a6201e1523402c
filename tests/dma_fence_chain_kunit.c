// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite for fence chains: contexts and seqnos at init (64-bit, no
 * wrap), completion order, the garbage-collecting walk, find_seqno, and
 * long chains walked, signaled and freed without recursion or quadratic
 * time.
 */

#include <kunit/test.h>
#include <linux/dma-fence-chain.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched/clock.h>

#include "expect-warn.h"
#include "mock-fence.h"

/* A new link on @prev (reference taken over) wrapping @fence. */
static struct dma_fence *link_on(struct kunit *test, struct dma_fence *prev,
				 struct dma_fence *fence, u64 seqno)
{
	struct dma_fence_chain *chain = dma_fence_chain_alloc();

	KUNIT_ASSERT_NOT_NULL(test, chain);
	dma_fence_chain_init(chain, prev, dma_fence_get(fence), seqno);
	return &chain->base;
}

/* A timeline of @n links with seqnos step, 2 * step, ...; fences in @f. */
static struct dma_fence *timeline(struct kunit *test, struct dma_fence **f,
				  unsigned int n, u64 step)
{
	struct dma_fence *head = NULL;
	unsigned int i;

	for (i = 0; i < n; i++) {
		f[i] = mock_fence(test);
		head = link_on(test, head, f[i], (i + 1) * step);
	}
	return head;
}

static void put_all(struct dma_fence **f, unsigned int n)
{
	while (n--) {
		dma_fence_signal(f[n]);
		dma_fence_put(f[n]);
	}
}

static struct dma_fence *prev_of(struct dma_fence *link)
{
	return rcu_access_pointer(to_dma_fence_chain(link)->prev);
}

static void dma_fence_chain_init_contexts(struct kunit *test)
{
	struct dma_fence *f = mock_fence(test);
	struct dma_fence *first = link_on(test, NULL, f, 1);
	struct dma_fence *second = link_on(test, dma_fence_get(first), f, 2);
	struct dma_fence *stale = link_on(test, dma_fence_get(second), f, 2);
	struct dma_fence *back = link_on(test, dma_fence_get(second), f, 1);

	KUNIT_EXPECT_TRUE(test, dma_fence_is_chain(first));
	KUNIT_EXPECT_PTR_EQ(test, dma_fence_chain_contained(first), f);
	KUNIT_EXPECT_PTR_EQ(test, dma_fence_chain_contained(f), f);
	KUNIT_EXPECT_EQ(test, to_dma_fence_chain(first)->prev_seqno, 0ULL);

	/* Later seqno: the same timeline. */
	KUNIT_EXPECT_EQ(test, second->context, first->context);
	KUNIT_EXPECT_EQ(test, to_dma_fence_chain(second)->prev_seqno, 1ULL);
	/* Not later: a new context, the seqno never goes backwards. */
	KUNIT_EXPECT_NE(test, stale->context, second->context);
	KUNIT_EXPECT_EQ(test, stale->seqno, 2ULL);
	KUNIT_EXPECT_NE(test, back->context, second->context);
	KUNIT_EXPECT_EQ(test, back->seqno, 2ULL);

	dma_fence_put(back);
	dma_fence_put(stale);
	dma_fence_put(second);
	dma_fence_put(first);
	put_all(&f, 1);
}

static void dma_fence_chain_seqno_64bit(struct kunit *test)
{
	struct dma_fence *f = mock_fence(test);
	struct dma_fence *a = link_on(test, NULL, f, 0xffffffffULL);
	struct dma_fence *b = link_on(test, dma_fence_get(a), f,
				      0x100000000ULL);
	struct dma_fence *c = link_on(test, dma_fence_get(b), f, U64_MAX);
	struct dma_fence *d = link_on(test, dma_fence_get(c), f, 1);

	/* Seqnos are 64-bit: crossing 2^32 continues the timeline... */
	KUNIT_EXPECT_EQ(test, b->context, a->context);
	KUNIT_EXPECT_EQ(test, c->context, a->context);
	/* ...and nothing after U64_MAX is later. */
	KUNIT_EXPECT_NE(test, d->context, c->context);
	KUNIT_EXPECT_EQ(test, d->seqno, U64_MAX);

	dma_fence_put(d);
	dma_fence_put(c);
	dma_fence_put(b);
	dma_fence_put(a);
	put_all(&f, 1);
}

static void dma_fence_chain_signals_in_order(struct kunit *test)
{
	struct dma_fence *f[3];
	struct dma_fence *head = timeline(test, f, 3, 1);

	dma_fence_enable_sw_signaling(head);
	dma_fence_signal(f[2]);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(head, false, 2), 0L);
	dma_fence_signal(f[0]);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(head));
	dma_fence_signal(f[1]);
	KUNIT_EXPECT_TRUE(test, mock_fence_settles(head));
	dma_fence_put(head);
	put_all(f, 3);
}

static void dma_fence_chain_walk_collects_signaled(struct kunit *test)
{
	struct dma_fence *f[4], *iter;
	struct dma_fence *head = timeline(test, f, 4, 1);
	struct dma_fence *third = prev_of(head), *second = prev_of(third);
	struct dma_fence *first = prev_of(second);
	unsigned int visited = 0;

	dma_fence_signal(f[1]);
	dma_fence_signal(f[2]);
	dma_fence_chain_for_each(iter, head)
		visited++;
	/* head and first: the signaled links in between were cut out. */
	KUNIT_EXPECT_EQ(test, visited, 2U);
	KUNIT_EXPECT_PTR_EQ(test, prev_of(head), first);

	dma_fence_signal(f[0]);
	iter = dma_fence_chain_walk(dma_fence_get(head));
	KUNIT_EXPECT_NULL(test, iter);
	KUNIT_EXPECT_NULL(test, prev_of(head));
	/* Not a chain: the walk just drops the reference. */
	KUNIT_EXPECT_NULL(test, dma_fence_chain_walk(dma_fence_get(f[3])));

	dma_fence_put(head);
	put_all(f, 4);
}

static void dma_fence_chain_find_seqno_cases(struct kunit *test)
{
	struct dma_fence *f[5], *found;
	struct dma_fence *head = timeline(test, f, 5, 2); /* 2, 4, .. 10 */

	found = dma_fence_get(head);
	KUNIT_EXPECT_EQ(test, dma_fence_chain_find_seqno(&found, 0), 0);
	KUNIT_EXPECT_PTR_EQ(test, found, head);
	KUNIT_EXPECT_EQ(test, dma_fence_chain_find_seqno(&found, 11), -EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, found, head);

	KUNIT_EXPECT_EQ(test, dma_fence_chain_find_seqno(&found, 5), 0);
	KUNIT_ASSERT_NOT_NULL(test, found);
	KUNIT_EXPECT_EQ(test, found->seqno, 6ULL);
	dma_fence_put(found);

	found = dma_fence_get(head);
	KUNIT_EXPECT_EQ(test, dma_fence_chain_find_seqno(&found, 10), 0);
	KUNIT_EXPECT_PTR_EQ(test, found, head);
	dma_fence_put(found);

	found = dma_fence_get(head);
	KUNIT_EXPECT_EQ(test, dma_fence_chain_find_seqno(&found, 1), 0);
	KUNIT_EXPECT_EQ(test, found ? found->seqno : 0, 2ULL);
	dma_fence_put(found);

	/*
	 * The fence of point 6 signaled before the earlier ones: its link is
	 * passed over, and the earlier pending link (4) is what 5 waits on.
	 */
	dma_fence_signal(f[2]);
	found = dma_fence_get(head);
	KUNIT_EXPECT_EQ(test, dma_fence_chain_find_seqno(&found, 5), 0);
	KUNIT_EXPECT_EQ(test, found ? found->seqno : 0, 4ULL);
	dma_fence_put(found);

	/* Everything before 7 signaled: nothing is left to wait for there. */
	dma_fence_signal(f[0]);
	dma_fence_signal(f[1]);
	dma_fence_signal(f[2]);
	found = dma_fence_get(head);
	KUNIT_EXPECT_EQ(test, dma_fence_chain_find_seqno(&found, 3), 0);
	KUNIT_EXPECT_NULL(test, found);

	KUNIT_EXPECT_EQ(test, dma_fence_chain_find_seqno(&f[0], 1), -EINVAL);
	dma_fence_put(head);
	put_all(f, 5);
}

static void dma_fence_chain_starts_on_plain_fence(struct kunit *test)
{
	struct dma_fence *base = mock_fence(test), *f = mock_fence(test);
	struct dma_fence *head = link_on(test, dma_fence_get(base), f, 1);

	KUNIT_EXPECT_NE(test, head->context, base->context);
	dma_fence_enable_sw_signaling(head);
	dma_fence_signal(f);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(head, false, 2), 0L);
	dma_fence_signal(base);
	KUNIT_EXPECT_TRUE(test, mock_fence_settles(head));
	dma_fence_put(head);
	put_all(&base, 1);
	put_all(&f, 1);
}

/* The names 6.1 gives every chain link. */
static void dma_fence_chain_names(struct kunit *test)
{
	struct dma_fence *f = mock_fence(test);
	struct dma_fence *link = link_on(test, NULL, f, 1);

	KUNIT_EXPECT_STREQ(test, link->ops->get_driver_name(link),
			   "dma_fence_chain");
	KUNIT_EXPECT_STREQ(test, link->ops->get_timeline_name(link), "unbound");
	KUNIT_EXPECT_STREQ(test, dma_fence_driver_name(link), "dma_fence_chain");
	KUNIT_EXPECT_STREQ(test, dma_fence_timeline_name(link), "unbound");
	dma_fence_put(link);
	put_all(&f, 1);
}

/*
 * A point that is exactly a link's seqno is covered by that link, not by
 * the next one: its range (prev_seqno, seqno] includes its upper end.
 */
static void dma_fence_chain_find_seqno_exact_point(struct kunit *test)
{
	struct dma_fence *f[5], *found;
	struct dma_fence *head = timeline(test, f, 5, 2); /* 2, 4, .. 10 */
	static const u64 points[] = { 2, 4, 8 };
	int i;

	for (i = 0; i < ARRAY_SIZE(points); i++) {
		found = dma_fence_get(head);
		KUNIT_EXPECT_EQ(test, dma_fence_chain_find_seqno(&found,
								 points[i]), 0);
		KUNIT_EXPECT_EQ(test, found ? found->seqno : 0, points[i]);
		dma_fence_put(found);
	}
	dma_fence_put(head);
	put_all(f, 5);
}

/*
 * When the link a point needs has signaled, find_seqno steps past it to
 * the first pending fence before it, as 6.1 does: the plain fence the
 * chain started from, or a link of the timeline it continued.  With
 * nothing pending there, the answer is NULL.
 */
static void dma_fence_chain_find_seqno_past_signaled_link(struct kunit *test)
{
	struct dma_fence *base = mock_fence(test), *g = mock_fence(test);
	struct dma_fence *f1 = mock_fence(test), *f2 = mock_fence(test);
	struct dma_fence *m1 = mock_fence(test), *m2 = mock_fence(test);
	struct dma_fence *g2 = mock_fence(test);
	struct dma_fence *head, *older, *newer, *found;

	/* base <- 1 <- 2, with the fence of point 1 signaled */
	head = link_on(test, dma_fence_get(base), f1, 1);
	head = link_on(test, head, f2, 2);
	dma_fence_signal(f1);
	found = dma_fence_get(head);
	KUNIT_EXPECT_EQ(test, dma_fence_chain_find_seqno(&found, 1), 0);
	KUNIT_EXPECT_PTR_EQ(test, found, base);
	dma_fence_put(found);

	/* Nothing pending before point 2 any more. */
	dma_fence_signal(base);
	found = dma_fence_get(head);
	KUNIT_EXPECT_EQ(test, dma_fence_chain_find_seqno(&found, 1), 0);
	KUNIT_EXPECT_NULL(test, found);

	/*
	 * 5 <- 6 on one timeline, then 1 (a new timeline, raised to 6) <- 7:
	 * point 3 of the new timeline waits for 6 of the old one, the first
	 * pending link of another timeline, though 6 does not cover 3.
	 */
	older = link_on(test, NULL, g, 5);
	older = link_on(test, older, g2, 6);
	newer = link_on(test, dma_fence_get(older), m1, 1);
	newer = link_on(test, newer, m2, 7);
	KUNIT_EXPECT_NE(test, newer->context, older->context);
	dma_fence_signal(m1);
	found = dma_fence_get(newer);
	KUNIT_EXPECT_EQ(test, dma_fence_chain_find_seqno(&found, 3), 0);
	KUNIT_EXPECT_PTR_EQ(test, found, older);
	dma_fence_put(found);

	dma_fence_put(head);
	dma_fence_put(newer);
	dma_fence_put(older);
	put_all(&base, 1);
	put_all(&g, 1);
	put_all(&f1, 1);
	put_all(&f2, 1);
	put_all(&m1, 1);
	put_all(&m2, 1);
	put_all(&g2, 1);
}

/*
 * Links nest only through prev: a link whose fence is itself a link warns,
 * as in 6.1, though it is still built and released normally.
 */
static void dma_fence_chain_init_rejects_chain_fence(struct kunit *test)
{
	struct dma_fence *f = mock_fence(test);
	struct dma_fence *inner = link_on(test, NULL, f, 1);
	struct dma_fence *outer;

	EXPECT_WARN_BEGIN("dma_fence_chain_init_with_chain_fence");
	outer = link_on(test, NULL, inner, 1);
	EXPECT_WARN_END("dma_fence_chain_init_with_chain_fence");

	KUNIT_EXPECT_PTR_EQ(test, dma_fence_chain_contained(outer), inner);
	dma_fence_put(outer);
	dma_fence_put(inner);
	put_all(&f, 1);
}

DEFINE_EXPECT_WARN_CASE(dma_fence_chain_init_rejects_chain_fence)

/* A fence that logs its id when released. */
struct logged_fence {
	struct mock_fence mock;	/* first: freed through it */
	int id;
	int *log;
	int *len;
};

static void logged_release(struct dma_fence *fence)
{
	struct logged_fence *l = container_of(fence, struct logged_fence,
					      mock.base);

	l->log[(*l->len)++] = l->id;
	dma_fence_free(fence);
}

static const struct dma_fence_ops logged_ops = {
	.get_driver_name = mock_fence_name,
	.get_timeline_name = mock_fence_name,
	.release = logged_release,
};

/*
 * Releasing the head frees the predecessors only it holds one at a time,
 * newest first, before its own fence: as in 6.1, the release unlinks each
 * predecessor before dropping it instead of recursing down the chain.
 */
static void dma_fence_chain_release_unlinks_predecessors(struct kunit *test)
{
	struct dma_fence *head = NULL;
	int log[3], len = 0, i;

	for (i = 0; i < 3; i++) {
		struct logged_fence *l =
			mock_fence_new_of(test, struct logged_fence,
					  &logged_ops,
					  dma_fence_context_alloc(1), 1);

		l->id = i;
		l->log = log;
		l->len = &len;
		dma_fence_signal(&l->mock.base);
		/* The link takes over our only reference. */
		head = link_on(test, head, &l->mock.base, i + 1);
		dma_fence_put(&l->mock.base);
	}
	KUNIT_EXPECT_EQ(test, len, 0);
	dma_fence_put(head);

	KUNIT_ASSERT_EQ(test, len, 3);
	KUNIT_EXPECT_EQ(test, log[0], 1);
	KUNIT_EXPECT_EQ(test, log[1], 0);
	KUNIT_EXPECT_EQ(test, log[2], 2);
}

struct slow_timeline {
	struct dma_fence **fences;
	unsigned int count;
};

static int signal_in_order(void *data)
{
	struct slow_timeline *t = data;
	unsigned int i;

	for (i = 0; i < t->count; i++) {
		usleep_range(100, 400);
		dma_fence_signal(t->fences[i]);
	}
	return 0;
}

static void dma_fence_chain_waiter_while_points_signal(struct kunit *test)
{
	struct dma_fence *f[64];
	struct dma_fence *head = timeline(test, f, 64, 1);
	struct slow_timeline t = { f, 64 };
	struct task_struct *task;

	task = kthread_run(signal_in_order, &t, "chain-signaler");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	KUNIT_EXPECT_GT(test, dma_fence_wait_timeout(head, true, 30 * HZ), 0L);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(f[63]));
	kthread_stop(task);
	dma_fence_put(head);
	put_all(f, 64);
}

/*
 * Long chains: building, walking, signaling (the walk in ->signaled unlinks
 * and frees every link) and the final put must neither recurse along the
 * chain nor take quadratic time; the walk is timed on a tenth of the
 * chain too, to check the growth.  20,000 links by default, far more than a
 * recursion could survive on a kernel stack, and each case stays well
 * inside the hung-task watchdog's minute under TCG with KASAN and lockdep;
 * dma_fence_chain_kunit.long_chain_links=1000000 makes a thorough run.
 */
static unsigned int long_chain_links = 20000;
module_param(long_chain_links, uint, 0444);
MODULE_PARM_DESC(long_chain_links, "links in the long-chain cases");

static struct dma_fence *long_chain(struct kunit *test, struct dma_fence *f,
				    unsigned int n)
{
	struct dma_fence *head = NULL;
	unsigned int i;

	for (i = 1; i <= n; i++) {
		head = link_on(test, head, f, i);
		if (!(i % 4096))
			cond_resched();
	}
	return head;
}

/* Nanoseconds to walk @n unsignaled links, then signal and collect them. */
static u64 walk_signal_collect(struct kunit *test, unsigned int n)
{
	struct dma_fence *f = mock_fence(test), *head = long_chain(test, f, n);
	unsigned int visited = 0;
	struct dma_fence *iter;
	u64 start = local_clock(), spent;

	dma_fence_chain_for_each(iter, head) {
		if (!(++visited % 4096))
			cond_resched();
	}
	KUNIT_EXPECT_EQ(test, visited, n);
	dma_fence_signal(f);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(head));
	KUNIT_EXPECT_NULL(test, prev_of(head));
	spent = local_clock() - start;

	dma_fence_put(head);
	KUNIT_EXPECT_EQ(test, kref_read(&f->refcount), 1U);
	put_all(&f, 1);
	return spent;
}

static void dma_fence_chain_long_walk_signal_collect(struct kunit *test)
{
	unsigned int n = max(long_chain_links, 1000U);
	u64 small = U64_MAX, large, bound;
	int i;

	/*
	 * Other work on the machine only ever adds time: the small walk is
	 * the best of three, and the large one, which costs ten small ones,
	 * is walked again only if the first walk looks too slow.
	 */
	for (i = 0; i < 3; i++)
		small = min(small, walk_signal_collect(test, n / 10));
	/*
	 * Ten times the links: about ten times the time, never a hundred.
	 * Below a few milliseconds (the userspace build walks 5,000 links in
	 * less than one) noise, not the links, sets the time: count the
	 * small walk as at least 2 ms.  A quadratic walk of the large chain
	 * would still take seconds.
	 */
	bound = 40 * max_t(u64, small, 2 * NSEC_PER_MSEC);
	large = walk_signal_collect(test, n);
	if (large >= bound)
		large = min(large, walk_signal_collect(test, n));
	kunit_info(test, "%u links: %llu ms; %u links: %llu ms\n", n / 10,
		   div_u64(small, NSEC_PER_MSEC), n,
		   div_u64(large, NSEC_PER_MSEC));
	KUNIT_EXPECT_LT(test, large, bound);
}

/* Release alone, nothing signaled: must not recurse either. */
static void dma_fence_chain_long_freed_unsignaled(struct kunit *test)
{
	unsigned int n = max(long_chain_links, 1000U);
	struct dma_fence *f = mock_fence(test), *head = long_chain(test, f, n);

	KUNIT_EXPECT_EQ(test, kref_read(&f->refcount), n + 1);
	dma_fence_put(head);
	KUNIT_EXPECT_EQ(test, kref_read(&f->refcount), 1U);
	put_all(&f, 1);
}

#ifdef DMA_BUF_USERSPACE_SHIM
/*
 * A link that starts a timeline takes exactly one new context, as 6.1's
 * does; one that continues its predecessor's takes none.  Userspace only:
 * in the kernel anyone may take contexts between two of ours.
 */
static void dma_fence_chain_takes_one_context(struct kunit *test)
{
	struct dma_fence *f = mock_fence(test), *first, *second;
	u64 before = dma_fence_context_alloc(1);

	first = link_on(test, NULL, f, 1);
	KUNIT_EXPECT_EQ(test, first->context, before + 1);
	second = link_on(test, dma_fence_get(first), f, 2);
	KUNIT_EXPECT_EQ(test, second->context, first->context);
	KUNIT_EXPECT_EQ(test, dma_fence_context_alloc(1), before + 2);
	dma_fence_put(second);
	dma_fence_put(first);
	put_all(&f, 1);
}
#endif

static struct kunit_case dma_fence_chain_cases[] = {
	KUNIT_CASE(dma_fence_chain_init_contexts),
	KUNIT_CASE(dma_fence_chain_seqno_64bit),
	KUNIT_CASE(dma_fence_chain_signals_in_order),
	KUNIT_CASE(dma_fence_chain_walk_collects_signaled),
	KUNIT_CASE(dma_fence_chain_find_seqno_cases),
	KUNIT_CASE(dma_fence_chain_starts_on_plain_fence),
	KUNIT_CASE(dma_fence_chain_names),
	KUNIT_CASE(dma_fence_chain_find_seqno_exact_point),
	KUNIT_CASE(dma_fence_chain_find_seqno_past_signaled_link),
	EXPECT_WARN_CASE(dma_fence_chain_init_rejects_chain_fence),
#ifdef DMA_BUF_USERSPACE_SHIM
	KUNIT_CASE(dma_fence_chain_takes_one_context),
#endif
	KUNIT_CASE(dma_fence_chain_release_unlinks_predecessors),
	KUNIT_CASE(dma_fence_chain_waiter_while_points_signal),
	KUNIT_CASE(dma_fence_chain_long_walk_signal_collect),
	KUNIT_CASE(dma_fence_chain_long_freed_unsignaled),
	{}
};

static struct kunit_suite dma_fence_chain_suite = {
	.name = "dma-fence-chain",
	.test_cases = dma_fence_chain_cases,
};

kunit_test_suite(dma_fence_chain_suite);

MODULE_DESCRIPTION("KUnit tests for fence chains");
MODULE_LICENSE("GPL");
