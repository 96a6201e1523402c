// SPDX-License-Identifier: GPL-2.0-only
/*
 * Races for the userspace build only: threads that walk, look up and
 * merge containers while other threads signal their fences, for
 * ThreadSanitizer and valgrind to watch.  Each checks an outcome too: what
 * a lookup or a merge returned is consistent with the fences signaled at
 * the time, and everything completes.  Written against the KUnit API, so
 * they would run in the kernel as they are.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/dma-fence-array.h>
#include <linux/dma-fence-chain.h>
#include <linux/dma-fence-unwrap.h>
#include <linux/kthread.h>
#include <linux/random.h>

#include "../../../../tests/mock-fence.h"

#define RACE_POINTS 256
#define RACE_THREADS 3

/* A timeline of RACE_POINTS links, point i wrapping fences[i - 1]. */
struct chain_race {
	struct dma_fence *fences[RACE_POINTS];
	struct dma_fence *head;
	atomic_t bad;		/* inconsistent lookups */
	atomic_t lookups;
};

/* Looks points up until they have all signaled; checks each answer. */
static int chain_looker(void *data)
{
	struct chain_race *r = data;

	while (!kthread_should_stop()) {
		u64 want = get_random_u32_below(RACE_POINTS) + 1;
		struct dma_fence *it = dma_fence_get(r->head), *link;
		unsigned int walked = 0;

		if (dma_fence_chain_find_seqno(&it, want)) {
			atomic_inc(&r->bad);
		} else if (it ? it->seqno < want :
			   !dma_fence_is_signaled(r->fences[want - 1])) {
			/* The link must cover the point, or it signaled. */
			atomic_inc(&r->bad);
		}
		dma_fence_put(it);
		atomic_inc(&r->lookups);

		/* And a whole walk, which unlinks what has signaled. */
		dma_fence_chain_for_each(link, r->head)
			walked++;
		if (!walked || walked > RACE_POINTS)
			atomic_inc(&r->bad);
		cond_resched();
	}
	return 0;
}

static void userspace_chain_lookups_while_signaling(struct kunit *test)
{
	struct chain_race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct task_struct *t[RACE_THREADS];
	struct dma_fence *link;
	unsigned int i, left = 0;

	KUNIT_ASSERT_NOT_NULL(test, r);
	for (i = 0; i < RACE_POINTS; i++) {
		struct dma_fence_chain *chain = dma_fence_chain_alloc();

		KUNIT_ASSERT_NOT_NULL(test, chain);
		r->fences[i] = mock_fence(test);
		dma_fence_chain_init(chain, r->head, dma_fence_get(r->fences[i]),
				     i + 1);
		r->head = &chain->base;
	}
	for (i = 0; i < RACE_THREADS; i++) {
		t[i] = kthread_run(chain_looker, r, "chain-looker%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t[i]));
	}
	/* Signal in order, slowly enough for the lookers to interleave. */
	for (i = 0; i < RACE_POINTS; i++) {
		dma_fence_signal(r->fences[i]);
		if (!(i % 4))
			usleep_range(500, 1000);
	}
	KUNIT_EXPECT_GT(test, dma_fence_wait_timeout(r->head, false, 10 * HZ), 0L);
	for (i = 0; i < RACE_THREADS; i++)
		kthread_stop(t[i]);

	KUNIT_EXPECT_EQ(test, atomic_read(&r->bad), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&r->lookups), 0);
	/* Everything signaled: a walk finds the head alone. */
	dma_fence_chain_for_each(link, r->head)
		left++;
	KUNIT_EXPECT_EQ(test, left, 1U);
	kunit_info(test, "%d lookups\n", atomic_read(&r->lookups));
	dma_fence_put(r->head);
	for (i = 0; i < RACE_POINTS; i++)
		dma_fence_put(r->fences[i]);
}

/* Members of one array signaled by several threads at once. */
struct array_race {
	struct dma_fence **members;
	unsigned int first, count;
	atomic_t *go;
};

static int array_signaler(void *data)
{
	struct array_race *s = data;
	unsigned int i;

	while (!atomic_read(s->go))
		cpu_relax();
	for (i = s->first; i < s->first + s->count; i++)
		dma_fence_signal(s->members[i]);
	while (!kthread_should_stop())
		usleep_range(100, 200);
	return 0;
}

struct count_cb {
	struct dma_fence_cb cb;
	atomic_t calls;
};

static void count_call(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	atomic_inc(&container_of(cb, struct count_cb, cb)->calls);
}

static void userspace_array_members_signaled_concurrently(struct kunit *test)
{
	const unsigned int per = 32, n = per * RACE_THREADS;
	struct dma_fence **m = kcalloc(n, sizeof(*m), GFP_KERNEL);
	struct array_race s[RACE_THREADS];
	struct task_struct *t[RACE_THREADS];
	struct dma_fence_array *all, *any;
	struct count_cb on_all = { }, on_any = { };
	atomic_t go = ATOMIC_INIT(0);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, m);
	for (i = 0; i < n; i++)
		m[i] = mock_fence(test);
	/* The any-array gets copies of the references: all owns m. */
	any = dma_fence_array_create(n, kmemdup(m, n * sizeof(*m), GFP_KERNEL),
				     dma_fence_context_alloc(1), 1, true);
	KUNIT_ASSERT_NOT_NULL(test, any);
	for (i = 0; i < n; i++)
		dma_fence_get(m[i]);
	all = dma_fence_array_create(n, m, dma_fence_context_alloc(1), 1,
				     false);
	KUNIT_ASSERT_NOT_NULL(test, all);
	KUNIT_ASSERT_EQ(test, dma_fence_add_callback(&all->base, &on_all.cb,
						     count_call), 0);
	KUNIT_ASSERT_EQ(test, dma_fence_add_callback(&any->base, &on_any.cb,
						     count_call), 0);

	for (i = 0; i < RACE_THREADS; i++) {
		s[i] = (struct array_race){ m, i * per, per, &go };
		t[i] = kthread_run(array_signaler, &s[i], "array-sig%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t[i]));
	}
	atomic_set(&go, 1);
	KUNIT_EXPECT_GT(test, dma_fence_wait_timeout(&all->base, false, 10 * HZ), 0L);
	KUNIT_EXPECT_GT(test, dma_fence_wait_timeout(&any->base, false, 10 * HZ), 0L);
	for (i = 0; i < RACE_THREADS; i++)
		kthread_stop(t[i]);
	irq_work_sync(&all->work);
	irq_work_sync(&any->work);

	/* Each array signaled once, and its callback ran once. */
	KUNIT_EXPECT_EQ(test, atomic_read(&on_all.calls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&on_any.calls), 1);
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(&all->base), 1);
	dma_fence_put(&all->base);
	dma_fence_put(&any->base);
}

/* Merges of the same chains, racing with the signaling of their fences. */
struct merge_race {
	struct dma_fence *a, *b;
	atomic_t bad;
	atomic_t merges;
};

static int merger(void *data)
{
	struct merge_race *r = data;
	struct dma_fence_unwrap cursor;
	struct dma_fence *merged, *f;

	while (!kthread_should_stop()) {
		merged = dma_fence_unwrap_merge(r->a, r->b);
		if (!merged) {
			atomic_inc(&r->bad);
			continue;
		}
		/* Flat: no container inside the result. */
		dma_fence_unwrap_for_each(f, &cursor, merged)
			if (dma_fence_is_container(f))
				atomic_inc(&r->bad);
		dma_fence_put(merged);
		atomic_inc(&r->merges);
		cond_resched();
	}
	return 0;
}

static void userspace_merges_while_signaling(struct kunit *test)
{
	struct merge_race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct dma_fence *f[2][RACE_POINTS / 4];
	struct task_struct *t[RACE_THREADS];
	struct dma_fence *merged;
	unsigned int i, k;

	KUNIT_ASSERT_NOT_NULL(test, r);
	/* Two chains over two timelines each: points of the same contexts. */
	for (k = 0; k < 2; k++) {
		u64 ctx = dma_fence_context_alloc(2);
		struct dma_fence *head = NULL;

		for (i = 0; i < ARRAY_SIZE(f[k]); i++) {
			struct dma_fence_chain *chain = dma_fence_chain_alloc();

			KUNIT_ASSERT_NOT_NULL(test, chain);
			f[k][i] = mock_fence_at(test, ctx + i % 2, i + 1);
			dma_fence_chain_init(chain, head, dma_fence_get(f[k][i]),
					     i + 1);
			head = &chain->base;
		}
		if (k)
			r->b = head;
		else
			r->a = head;
	}
	for (i = 0; i < RACE_THREADS; i++) {
		t[i] = kthread_run(merger, r, "merger%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t[i]));
	}
	for (i = 0; i < ARRAY_SIZE(f[0]); i++) {
		for (k = 0; k < 2; k++)
			dma_fence_signal(f[k][i]);
		if (!(i % 2))
			usleep_range(500, 1000);
	}
	for (i = 0; i < RACE_THREADS; i++)
		kthread_stop(t[i]);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->bad), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&r->merges), 0);

	/* All signaled: the merge is the signaled stub. */
	merged = dma_fence_unwrap_merge(r->a, r->b);
	KUNIT_ASSERT_NOT_NULL(test, merged);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(merged));
	dma_fence_put(merged);
	kunit_info(test, "%d merges\n", atomic_read(&r->merges));
	dma_fence_put(r->a);
	dma_fence_put(r->b);
	for (k = 0; k < 2; k++)
		for (i = 0; i < ARRAY_SIZE(f[k]); i++)
			dma_fence_put(f[k][i]);
}

static struct kunit_case userspace_race_cases[] = {
	KUNIT_CASE(userspace_chain_lookups_while_signaling),
	KUNIT_CASE(userspace_array_members_signaled_concurrently),
	KUNIT_CASE(userspace_merges_while_signaling),
	{}
};

static struct kunit_suite userspace_race_suite = {
	.name = "userspace-races",
	.test_cases = userspace_race_cases,
};

kunit_test_suite(userspace_race_suite);
