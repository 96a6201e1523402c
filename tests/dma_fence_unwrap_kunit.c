// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite for unwrapping and merging: the iterator over plain fences,
 * arrays, chains and chains of arrays; and merge, which looks one level
 * into its inputs as 6.1 does (a container inside a container is kept
 * whole), drops signaled fences, keeps the latest fence per context
 * (across the 32-bit seqno wrap) and falls back to a private stub.
 */

#include <kunit/test.h>
#include <linux/dma-fence-array.h>
#include <linux/dma-fence-chain.h>
#include <linux/dma-fence-unwrap.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "expect-warn.h"
#include "fail-nth.h"
#include "mock-fence.h"

/* An array taking over the caller's references to @n fences. */
static struct dma_fence *array_of(struct kunit *test, unsigned int n,
				  struct dma_fence **members)
{
	struct dma_fence **fences = kmemdup(members, n * sizeof(*members),
					    GFP_KERNEL);
	struct dma_fence_array *array;

	KUNIT_ASSERT_NOT_NULL(test, fences);
	array = dma_fence_array_create(n, fences, dma_fence_context_alloc(1),
				       1, false);
	KUNIT_ASSERT_NOT_NULL(test, array);
	return &array->base;
}

/* An array holding new references to @x and @y. */
static struct dma_fence *pair_of(struct kunit *test, struct dma_fence *x,
				 struct dma_fence *y)
{
	struct dma_fence *members[2] = { dma_fence_get(x), dma_fence_get(y) };

	return array_of(test, 2, members);
}

/* A chain link on @prev taking over the references to @prev and @fence. */
static struct dma_fence *link_of(struct kunit *test, struct dma_fence *prev,
				 struct dma_fence *fence, u64 seqno)
{
	struct dma_fence_chain *chain = dma_fence_chain_alloc();

	KUNIT_ASSERT_NOT_NULL(test, chain);
	dma_fence_chain_init(chain, prev, fence, seqno);
	return &chain->base;
}

/* Collect what dma_fence_unwrap_for_each() visits under @head. */
static unsigned int unwrap_into(struct dma_fence *head, struct dma_fence **out,
				unsigned int room)
{
	struct dma_fence_unwrap cursor;
	struct dma_fence *f;
	unsigned int n = 0;

	dma_fence_unwrap_for_each(f, &cursor, head)
		if (n < room)
			out[n++] = f;
	return n;
}

static bool contains(struct dma_fence *head, struct dma_fence *wanted)
{
	struct dma_fence *seen[16];
	unsigned int i, n = unwrap_into(head, seen, ARRAY_SIZE(seen));

	for (i = 0; i < n; i++)
		if (seen[i] == wanted)
			return true;
	return false;
}

/* @merged is an array of exactly the @n fences @want, in order; drop it. */
static void expect_array_put_n(struct kunit *test, struct dma_fence *merged,
			       struct dma_fence *const *want, unsigned int n)
{
	struct dma_fence_array *array = to_dma_fence_array(merged);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, array);
	KUNIT_ASSERT_EQ(test, array->num_fences, n);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_PTR_EQ(test, array->fences[i], want[i]);
	dma_fence_put(merged);
}

/* expect_array_put(test, merged, a, b, ...): the members listed. */
#define expect_array_put(test, merged, ...)				\
	expect_array_put_n(test, merged,				\
			   (struct dma_fence *[]){ __VA_ARGS__ },	\
			   ARRAY_SIZE(((struct dma_fence *[]){ __VA_ARGS__ })))

static void dma_fence_unwrap_plain_and_array(struct kunit *test)
{
	struct dma_fence *m[3] = { mock_fence(test), mock_fence(test),
				   mock_fence(test) };
	struct dma_fence *plain = mock_fence(test), *seen[4];
	struct dma_fence *array;
	int i;

	KUNIT_EXPECT_EQ(test, unwrap_into(plain, seen, 4), 1U);
	KUNIT_EXPECT_PTR_EQ(test, seen[0], plain);

	for (i = 0; i < 3; i++)
		dma_fence_get(m[i]);
	array = array_of(test, 3, m);
	KUNIT_EXPECT_EQ(test, unwrap_into(array, seen, 4), 3U);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_PTR_EQ(test, seen[i], m[i]);

	dma_fence_put(array);
	for (i = 0; i < 3; i++)
		signal_put(m[i]);
	signal_put(plain);
}

static void dma_fence_unwrap_chain_of_arrays(struct kunit *test)
{
	struct dma_fence *a = mock_fence(test), *b = mock_fence(test);
	struct dma_fence *c = mock_fence(test), *pair[2] = { a, b };
	struct dma_fence *head, *seen[4];

	dma_fence_get(a);
	dma_fence_get(b);
	head = link_of(test, NULL, array_of(test, 2, pair), 1);
	head = link_of(test, head, dma_fence_get(c), 2);

	/* Newest link first, then the array inside the older link. */
	KUNIT_EXPECT_EQ(test, unwrap_into(head, seen, 4), 3U);
	KUNIT_EXPECT_PTR_EQ(test, seen[0], c);
	KUNIT_EXPECT_PTR_EQ(test, seen[1], a);
	KUNIT_EXPECT_PTR_EQ(test, seen[2], b);

	/* Signaled links are skipped by the walk. */
	dma_fence_signal(a);
	dma_fence_signal(b);
	KUNIT_EXPECT_EQ(test, unwrap_into(head, seen, 4), 1U);

	dma_fence_put(head);
	signal_put(a, b, c);
}

/* Signaled at @ns (CLOCK_MONOTONIC), with @error unless 0. */
static void signal_at_ns(struct dma_fence *fence, s64 ns, int error)
{
	if (error)
		dma_fence_set_error(fence, error);
	dma_fence_signal_timestamp(fence, ns_to_ktime(ns));
}

/*
 * A private stub, not the shared one: signaled without error, on context 0
 * and owned by the caller alone, stamped @ns.
 */
static void expect_private_stub(struct kunit *test, struct dma_fence *merged,
				s64 ns)
{
	struct dma_fence *shared = dma_fence_get_stub();

	KUNIT_ASSERT_NOT_NULL(test, merged);
	KUNIT_EXPECT_PTR_NE(test, merged, shared);
	KUNIT_EXPECT_EQ(test, merged->context, 0ULL);
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(merged), 1);
	KUNIT_EXPECT_EQ(test, kref_read(&merged->refcount), 1U);
	KUNIT_EXPECT_EQ(test, ktime_to_ns(dma_fence_timestamp(merged)), ns);
	dma_fence_put(shared);
}

/*
 * Nothing pending: a new signaled fence carrying the latest signal time of
 * the fences merged (errors are not carried over), 0 when there are none.
 */
static void dma_fence_unwrap_merge_nothing_left(struct kunit *test)
{
	struct dma_fence *a = mock_fence(test), *b = mock_fence(test);
	struct dma_fence *c = mock_fence(test), *x = mock_fence(test);
	struct dma_fence *y = mock_fence(test);
	struct dma_fence *stub = dma_fence_get_stub(), *merged, *array;

	signal_at_ns(a, 1000, 0);
	signal_at_ns(b, 3000, 0);
	signal_at_ns(c, 2000, -EIO);
	merged = dma_fence_unwrap_merge(a, b, c);
	expect_private_stub(test, merged, 3000);
	dma_fence_put(merged);
	merged = dma_fence_unwrap_merge(c, b, a);
	expect_private_stub(test, merged, 3000);
	dma_fence_put(merged);
	merged = dma_fence_unwrap_merge(c);
	expect_private_stub(test, merged, 2000);
	dma_fence_put(merged);

	/* The members of an array count, whether it has signaled yet or not. */
	dma_fence_get(x);
	dma_fence_get(y);
	array = array_of(test, 2, (struct dma_fence *[]){ x, y });
	signal_at_ns(x, 5000, 0);
	signal_at_ns(y, 4000, 0);
	merged = dma_fence_unwrap_merge(a, array);
	expect_private_stub(test, merged, 5000);
	dma_fence_put(merged);
	KUNIT_EXPECT_TRUE(test, mock_fence_settles(array));
	dma_fence_put(array);

	/* The shared stub carries the time it was first asked for. */
	merged = dma_fence_unwrap_merge(stub);
	expect_private_stub(test, merged,
			    ktime_to_ns(dma_fence_timestamp(stub)));
	dma_fence_put(merged);
	merged = __dma_fence_unwrap_merge(0, NULL, NULL);
	expect_private_stub(test, merged, 0);
	dma_fence_put(merged);

	dma_fence_put(stub);
	dma_fence_put(a);
	dma_fence_put(b);
	dma_fence_put(c);
	dma_fence_put(x);
	dma_fence_put(y);
}

static void dma_fence_unwrap_merge_single(struct kunit *test)
{
	struct dma_fence *a = mock_fence(test), *done = mock_fence(test);
	struct dma_fence *merged;

	dma_fence_signal(done);
	merged = dma_fence_unwrap_merge(a, done);
	KUNIT_EXPECT_PTR_EQ(test, merged, a);
	KUNIT_EXPECT_EQ(test, kref_read(&a->refcount), 2U);
	dma_fence_put(merged);
	signal_put(a);
	dma_fence_put(done);
}

static void dma_fence_unwrap_merge_latest_per_context(struct kunit *test)
{
	u64 ctx = dma_fence_context_alloc(2);
	struct dma_fence *old = mock_fence_at(test, ctx, 0xfffffffe);
	struct dma_fence *mid = mock_fence_at(test, ctx, 0xffffffff);
	struct dma_fence *new = mock_fence_at(test, ctx, 3); /* wrapped */
	struct dma_fence *other = mock_fence_at(test, ctx + 1, 1);
	struct dma_fence *merged, *seen[8];
	struct dma_fence_array *array;

	/* Inputs in no particular order: the result must not care. */
	merged = dma_fence_unwrap_merge(mid, other, new, old, mid);
	array = to_dma_fence_array(merged);
	KUNIT_ASSERT_NOT_NULL(test, array);
	KUNIT_EXPECT_EQ(test, array->num_fences, 2U);
	KUNIT_EXPECT_EQ(test, unwrap_into(merged, seen, 8), 2U);
	KUNIT_EXPECT_TRUE(test, contains(merged, new));
	KUNIT_EXPECT_TRUE(test, contains(merged, other));
	KUNIT_EXPECT_FALSE(test, contains(merged, old));

	dma_fence_enable_sw_signaling(merged);
	dma_fence_signal(new);
	dma_fence_signal(other);
	KUNIT_EXPECT_TRUE(test, mock_fence_settles(merged));
	dma_fence_put(merged);
	signal_put(old, mid, new, other);
}

/*
 * The iterator and the merge look one level into @head: an array or a
 * chain met inside another container is a fence like any other, kept
 * whole.  Merging array(array(a, b), c) gives array(c, inner), ordered by
 * context; with a later fence of a's context beside it, both it and the
 * inner array stay, since the inner array is a context of its own.
 */
static void dma_fence_unwrap_merge_keeps_nested_array(struct kunit *test)
{
	struct dma_fence *a = mock_fence(test), *b = mock_fence(test);
	struct dma_fence *c = mock_fence(test), *seen[4], *merged;
	struct dma_fence *inner, *outer, *later;
	struct dma_fence_array *array;

	inner = pair_of(test, a, b);
	later = mock_fence_at(test, a->context, a->seqno + 1);
	/* Arrays holding an array warn, as in 6.1, and are made all the same. */
	EXPECT_WARN_BEGIN("dma_fence_unwrap_nested_array");
	outer = pair_of(test, inner, c);

	KUNIT_EXPECT_EQ(test, unwrap_into(outer, seen, 4), 2U);
	KUNIT_EXPECT_PTR_EQ(test, seen[0], inner);
	KUNIT_EXPECT_PTR_EQ(test, seen[1], c);

	merged = dma_fence_unwrap_merge(outer);
	expect_array_put(test, merged, c, inner);

	merged = dma_fence_unwrap_merge(outer, later);
	expect_array_put(test, merged, later, c, inner);

	/* A pending inner array stays whole even with a member signaled. */
	dma_fence_signal(a);
	merged = dma_fence_unwrap_merge(outer);
	array = to_dma_fence_array(merged);
	KUNIT_ASSERT_NOT_NULL(test, array);
	KUNIT_ASSERT_EQ(test, array->num_fences, 2U);
	KUNIT_EXPECT_PTR_EQ(test, array->fences[1], inner);
	dma_fence_put(merged);
	EXPECT_WARN_END("dma_fence_unwrap_nested_array");

	dma_fence_put(outer);
	dma_fence_put(inner);
	signal_put(a, b, c, later);
}

DEFINE_EXPECT_WARN_CASE(dma_fence_unwrap_merge_keeps_nested_array)

/*
 * A container holding a single pending array is merged into that very
 * array, with a reference more: the single-fence shortcut applies to
 * whatever the first level holds.
 */
static void dma_fence_unwrap_merge_single_nested(struct kunit *test)
{
	struct dma_fence *a = mock_fence(test), *b = mock_fence(test);
	struct dma_fence *inner, *wrap, *merged;

	inner = pair_of(test, a, b);
	EXPECT_WARN_BEGIN("dma_fence_unwrap_single_nested");
	wrap = array_of(test, 1, (struct dma_fence *[]){ dma_fence_get(inner) });
	EXPECT_WARN_END("dma_fence_unwrap_single_nested");
	KUNIT_EXPECT_EQ(test, kref_read(&inner->refcount), 2U);

	merged = dma_fence_unwrap_merge(wrap);
	KUNIT_EXPECT_PTR_EQ(test, merged, inner);
	KUNIT_EXPECT_EQ(test, kref_read(&inner->refcount), 3U);
	dma_fence_put(merged);

	dma_fence_put(wrap);
	dma_fence_put(inner);
	signal_put(a, b);
}

DEFINE_EXPECT_WARN_CASE(dma_fence_unwrap_merge_single_nested)

/*
 * A chain whose link holds another chain: the inner chain is one fence to
 * the iterator and to the merge, both through a chain and an array.
 */
static void dma_fence_unwrap_merge_chain_of_chains(struct kunit *test)
{
	struct dma_fence *a = mock_fence(test), *b = mock_fence(test);
	struct dma_fence *c = mock_fence(test), *d = mock_fence(test);
	struct dma_fence *inner, *outer, *holder, *merged, *seen[4];

	inner = link_of(test, NULL, dma_fence_get(a), 1);
	inner = link_of(test, inner, dma_fence_get(b), 2);
	/* 6.1 warns about a chain inside a link, and builds it all the same. */
	EXPECT_WARN_BEGIN("dma_fence_unwrap_chain_in_link");
	outer = link_of(test, NULL, dma_fence_get(inner), 1);
	EXPECT_WARN_END("dma_fence_unwrap_chain_in_link");
	outer = link_of(test, outer, dma_fence_get(c), 2);
	/* So does an array holding a chain, the merges' results included. */
	EXPECT_WARN_BEGIN("dma_fence_unwrap_chain_in_array");
	holder = pair_of(test, inner, d);

	KUNIT_EXPECT_EQ(test, unwrap_into(outer, seen, 4), 2U);
	KUNIT_EXPECT_PTR_EQ(test, seen[0], c);
	KUNIT_EXPECT_PTR_EQ(test, seen[1], inner);

	merged = dma_fence_unwrap_merge(outer);
	expect_array_put(test, merged, c, inner);

	merged = dma_fence_unwrap_merge(holder);
	expect_array_put(test, merged, d, inner);
	EXPECT_WARN_END("dma_fence_unwrap_chain_in_array");

	/* Once the inner chain has signaled, only the outer link is left. */
	dma_fence_signal(a);
	dma_fence_signal(b);
	merged = dma_fence_unwrap_merge(outer);
	KUNIT_EXPECT_PTR_EQ(test, merged, c);
	dma_fence_put(merged);

	dma_fence_put(holder);
	dma_fence_put(outer);
	dma_fence_put(inner);
	signal_put(a, b, c, d);
}

DEFINE_EXPECT_WARN_CASE(dma_fence_unwrap_merge_chain_of_chains)

/*
 * A container met inside another is deduplicated by its own context and
 * seqno, against plain fences of that context too: the later one stays.
 */
static void dma_fence_unwrap_merge_nested_same_context(struct kunit *test)
{
	u64 ctx = dma_fence_context_alloc(1);
	struct dma_fence *a = mock_fence(test), *b = mock_fence(test);
	struct dma_fence *older = mock_fence_at(test, ctx, 2);
	struct dma_fence *newer = mock_fence_at(test, ctx, 10);
	struct dma_fence *inner, *outer, *merged, **members;
	struct dma_fence_array *array;

	members = kmalloc_array(1, sizeof(*members), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, members);
	members[0] = dma_fence_get(a);
	array = dma_fence_array_create(1, members, ctx, 9, false);
	KUNIT_ASSERT_NOT_NULL(test, array);
	inner = &array->base;
	EXPECT_WARN_BEGIN("dma_fence_unwrap_nested_same_context");
	outer = pair_of(test, inner, b);

	merged = dma_fence_unwrap_merge(older, outer);
	expect_array_put(test, merged, inner, b);
	EXPECT_WARN_END("dma_fence_unwrap_nested_same_context");

	merged = dma_fence_unwrap_merge(outer, newer);
	expect_array_put(test, merged, newer, b);

	dma_fence_put(outer);
	dma_fence_put(inner);
	signal_put(a, b, older, newer);
}

DEFINE_EXPECT_WARN_CASE(dma_fence_unwrap_merge_nested_same_context)

/*
 * Distinct fences at one point of one context, none later than another:
 * exactly one of them is kept, with the reference the merge took.
 */
static void dma_fence_unwrap_merge_equal_points(struct kunit *test)
{
	u64 ctx = dma_fence_context_alloc(1);
	struct dma_fence *f[3], *merged;
	unsigned int i, hits = 0;

	for (i = 0; i < 3; i++)
		f[i] = mock_fence_at(test, ctx, 5);
	merged = dma_fence_unwrap_merge(f[0], f[1], f[2]);
	for (i = 0; i < 3; i++) {
		if (merged == f[i]) {
			hits++;
			KUNIT_EXPECT_EQ(test, kref_read(&f[i]->refcount), 2U);
		} else {
			KUNIT_EXPECT_EQ(test, kref_read(&f[i]->refcount), 1U);
		}
	}
	KUNIT_EXPECT_EQ(test, hits, 1U);
	dma_fence_put(merged);
	for (i = 0; i < 3; i++)
		signal_put(f[i]);
}

/* 6.1's order for a merge: ascending context, the later point first. */
static int order_of_6_1(const void *pa, const void *pb)
{
	struct dma_fence *a = *(struct dma_fence * const *)pa;
	struct dma_fence *b = *(struct dma_fence * const *)pb;

	if (a->context != b->context)
		return a->context < b->context ? -1 : 1;
	if (dma_fence_is_later(b, a))
		return 1;
	if (dma_fence_is_later(a, b))
		return -1;
	return 0;
}

/* @merged keeps the first fence of each context's run in @sorted[@n]. */
static void expect_first_of_runs(struct kunit *test, struct dma_fence *merged,
				 struct dma_fence **sorted, unsigned int n)
{
	struct dma_fence_array *array = to_dma_fence_array(merged);
	struct dma_fence *want[4];
	unsigned int i, kept = 0;

	for (i = 0; i < n; i++)
		if (!kept || sorted[i]->context != want[kept - 1]->context)
			want[kept++] = sorted[i];
	if (kept == 1) {
		KUNIT_EXPECT_PTR_EQ(test, merged, want[0]);
		return;
	}
	KUNIT_ASSERT_NOT_NULL(test, array);
	KUNIT_ASSERT_EQ(test, array->num_fences, kept);
	for (i = 0; i < kept; i++)
		KUNIT_EXPECT_PTR_EQ(test, array->fences[i], want[i]);
}

/*
 * Points of one context none of which is later than the others (equal
 * seqnos, 32-bit seqnos half the range apart, a 32-bit cycle): which one a
 * merge keeps is the one sort() puts first under 6.1's order, for every
 * order of the inputs, with all but the last input too.  In the kernel
 * that sort() is lib/sort.c, as in 6.1.
 */
static void dma_fence_unwrap_merge_ties_as_sorted(struct kunit *test)
{
	static const u64 seqnos[3][3] = {
		{ 5, 5, 5 },
		{ 0, 0x80000000, 0x100000000ull },
		{ 0, 0x60000000, 0xc0000000 },
	};
	u64 ctx = dma_fence_context_alloc(1);
	struct dma_fence *f[4], *in[4], *sorted[4], *merged;
	struct dma_fence_unwrap cur[4];
	unsigned int s, p, i, n;

	f[3] = mock_fence(test);
	for (s = 0; s < ARRAY_SIZE(seqnos); s++) {
		for (i = 0; i < 3; i++)
			f[i] = mock_fence_at(test, ctx, seqnos[s][i]);
		/* Every order of the four, by its permutation number. */
		for (p = 0; p < 24; p++) {
			unsigned int left = p, used = 0, k, j;

			for (i = 0; i < 4; i++) {
				k = left % (4 - i);
				left /= 4 - i;
				for (j = 0; j < 4; j++)
					if (!(used & BIT(j)) && !k--)
						break;
				used |= BIT(j);
				in[i] = f[j];
			}
			for (n = 4; n >= 3; n--) {
				memcpy(sorted, in, sizeof(in));
				sort(sorted, n, sizeof(*sorted), order_of_6_1,
				     NULL);
				merged = __dma_fence_unwrap_merge(n, in, cur);
				expect_first_of_runs(test, merged, sorted, n);
				dma_fence_put(merged);
			}
		}
		for (i = 0; i < 3; i++) {
			KUNIT_EXPECT_EQ(test, kref_read(&f[i]->refcount), 1U);
			signal_put(f[i]);
		}
	}
	signal_put(f[3]);
}

/*
 * Each allocation a merge makes, failed in turn: the pending list, then
 * the array (or the stub when nothing is pending).  A failed merge
 * answers NULL and keeps no reference to what it was given.
 */
static void dma_fence_unwrap_merge_out_of_memory(struct kunit *test)
{
	struct dma_fence *a, *b, *done, *merged;
	unsigned int n;

	fail_nth_require(test, FAIL_NTH_SLEEPING);
	a = mock_fence(test);
	b = mock_fence(test);
	done = mock_fence(test);
	dma_fence_signal(done);

	for (n = 1;; n++) {
		fail_nth_arm(n);
		merged = dma_fence_unwrap_merge(a, done, b);
		if (!fail_nth_disarm())
			break;
		KUNIT_EXPECT_NULL(test, merged);
		KUNIT_EXPECT_EQ(test, kref_read(&a->refcount), 1U);
		KUNIT_EXPECT_EQ(test, kref_read(&b->refcount), 1U);
	}
	KUNIT_EXPECT_EQ(test, n, 3U);
	KUNIT_ASSERT_NOT_NULL(test, to_dma_fence_array(merged));
	dma_fence_put(merged);

	/* A single fence left needs the pending list only. */
	for (n = 1;; n++) {
		fail_nth_arm(n);
		merged = dma_fence_unwrap_merge(done, a);
		if (!fail_nth_disarm())
			break;
		KUNIT_EXPECT_NULL(test, merged);
		KUNIT_EXPECT_EQ(test, kref_read(&a->refcount), 1U);
	}
	KUNIT_EXPECT_EQ(test, n, 2U);
	KUNIT_EXPECT_PTR_EQ(test, merged, a);
	dma_fence_put(merged);

	/* Nothing pending: the stub is the only allocation. */
	for (n = 1;; n++) {
		fail_nth_arm(n);
		merged = dma_fence_unwrap_merge(done);
		if (!fail_nth_disarm())
			break;
		KUNIT_EXPECT_NULL(test, merged);
	}
	KUNIT_EXPECT_EQ(test, n, 2U);
	expect_private_stub(test, merged,
			    ktime_to_ns(dma_fence_timestamp(done)));
	dma_fence_put(merged);

	signal_put(a, b);
	dma_fence_put(done);
}

static const struct dma_fence_ops mock_fence64_ops = {
	.use_64bit_seqno = true,
	.get_driver_name = mock_fence_name,
	.get_timeline_name = mock_fence_name,
};

/* A pending fence at @seqno of @context whose seqnos compare in 64 bits. */
static struct dma_fence *mock_fence64(struct kunit *test, u64 context,
				      u64 seqno)
{
	return &mock_fence_make(test, sizeof(struct mock_fence),
				&mock_fence64_ops, context, seqno)->base;
}

/*
 * Which point of a context is the latest follows the fences' own ops:
 * seqno 2^32 comes after 1 in 64 bits, while in 32 bits it is 0, before
 * 1.  Both orders of the inputs.
 */
static void dma_fence_unwrap_merge_64bit_seqnos(struct kunit *test)
{
	u64 ctx = dma_fence_context_alloc(2);
	struct dma_fence *one = mock_fence64(test, ctx, 1);
	struct dma_fence *big = mock_fence64(test, ctx, 1ULL << 32);
	struct dma_fence *one32 = mock_fence_at(test, ctx + 1, 1);
	struct dma_fence *big32 = mock_fence_at(test, ctx + 1, 1ULL << 32);
	struct dma_fence *merged;

	merged = dma_fence_unwrap_merge(one, big);
	KUNIT_EXPECT_PTR_EQ(test, merged, big);
	dma_fence_put(merged);
	merged = dma_fence_unwrap_merge(big, one);
	KUNIT_EXPECT_PTR_EQ(test, merged, big);
	dma_fence_put(merged);

	merged = dma_fence_unwrap_merge(one32, big32);
	KUNIT_EXPECT_PTR_EQ(test, merged, one32);
	dma_fence_put(merged);
	merged = dma_fence_unwrap_merge(big32, one32);
	KUNIT_EXPECT_PTR_EQ(test, merged, one32);
	dma_fence_put(merged);

	signal_put(one, big, one32, big32);
}

static void dma_fence_unwrap_merge_many(struct kunit *test)
{
	const unsigned int n = 1024, contexts = 100;
	u64 base = dma_fence_context_alloc(contexts);
	struct dma_fence **f = kcalloc(n, sizeof(*f), GFP_KERNEL);
	struct dma_fence *merged, *each;
	struct dma_fence_unwrap cursor;
	unsigned int i, count = 0;

	KUNIT_ASSERT_NOT_NULL(test, f);
	for (i = 0; i < n; i++)
		f[i] = mock_fence_at(test, base + (i * 7) % contexts, i);
	merged = __dma_fence_unwrap_merge(n, f, NULL);
	KUNIT_ASSERT_NOT_NULL(test, merged);
	dma_fence_unwrap_for_each(each, &cursor, merged) {
		/* Only the last (highest seqno) fence of its context. */
		KUNIT_EXPECT_GE(test, each->seqno, (u64)n - contexts);
		count++;
	}
	KUNIT_EXPECT_EQ(test, count, contexts);
	dma_fence_put(merged);
	for (i = 0; i < n; i++)
		signal_put(f[i]);
	kfree(f);
}

/* NULL entries in the fences to merge are skipped, as 6.1 does. */
static void dma_fence_unwrap_merge_skips_null(struct kunit *test)
{
	struct dma_fence *a = mock_fence(test), *b = mock_fence(test);
	struct dma_fence *only_a[] = { NULL, a, NULL };
	struct dma_fence *a_and_b[] = { a, NULL, b };
	struct dma_fence *merged;

	merged = __dma_fence_unwrap_merge(3, only_a, NULL);
	KUNIT_EXPECT_PTR_EQ(test, merged, a);
	dma_fence_put(merged);

	merged = __dma_fence_unwrap_merge(3, a_and_b, NULL);
	KUNIT_ASSERT_NOT_NULL(test, to_dma_fence_array(merged));
	KUNIT_EXPECT_EQ(test, to_dma_fence_array(merged)->num_fences, 2U);
	dma_fence_put(merged);
	signal_put(a, b);
}

/*
 * As in 6.1, the array a merge makes lists its fences by ascending
 * context, whatever order they came in, and is itself seqno 1 of a new
 * context of its own.
 */
static void dma_fence_unwrap_merge_array_identity(struct kunit *test)
{
	struct dma_fence *low = mock_fence(test), *high = mock_fence(test);
	struct dma_fence *merged = dma_fence_unwrap_merge(high, low);
	struct dma_fence_array *array = to_dma_fence_array(merged);

	KUNIT_ASSERT_NOT_NULL(test, array);
	KUNIT_ASSERT_LT(test, low->context, high->context);
	KUNIT_ASSERT_EQ(test, array->num_fences, 2U);
	KUNIT_EXPECT_PTR_EQ(test, array->fences[0], low);
	KUNIT_EXPECT_PTR_EQ(test, array->fences[1], high);
	KUNIT_EXPECT_EQ(test, merged->seqno, 1ULL);
	KUNIT_EXPECT_NE(test, merged->context, 0ULL);
	KUNIT_EXPECT_NE(test, merged->context, low->context);
	KUNIT_EXPECT_NE(test, merged->context, high->context);
#ifdef DMA_BUF_USERSPACE_SHIM
	/* One context used: nothing else allocates them meanwhile here. */
	KUNIT_EXPECT_EQ(test, dma_fence_context_alloc(1), merged->context + 1);
#endif
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(merged));
	dma_fence_put(merged);
	signal_put(low, high);
}

/* Its ->signaled hook says "not yet" once, then "done". */
struct late_fence {
	struct mock_fence mock;	/* first: freed through it */
	int polls;
};

static bool done_on_second_poll(struct dma_fence *fence)
{
	struct late_fence *l = container_of(fence, struct late_fence,
					    mock.base);

	return ++l->polls > 1;
}

static const struct dma_fence_ops late_ops = {
	.get_driver_name = mock_fence_name,
	.get_timeline_name = mock_fence_name,
	.signaled = done_on_second_poll,
};

/*
 * A fence counted pending that has signaled by the time it would be
 * collected leaves nothing to merge: the result is a private stub carrying
 * that fence's signal time.
 */
static void dma_fence_unwrap_merge_signaled_meanwhile(struct kunit *test)
{
	struct late_fence *l = mock_fence_new_of(test, struct late_fence,
						 &late_ops,
						 dma_fence_context_alloc(1), 1);
	struct dma_fence *merged;

	merged = dma_fence_unwrap_merge(&l->mock.base);
	KUNIT_EXPECT_EQ(test, l->polls, 2);
	KUNIT_EXPECT_TRUE(test, test_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
					 &l->mock.base.flags));
	expect_private_stub(test, merged,
			    ktime_to_ns(dma_fence_timestamp(&l->mock.base)));
	dma_fence_put(merged);
	dma_fence_put(&l->mock.base);
}

static struct kunit_case dma_fence_unwrap_cases[] = {
	KUNIT_CASE(dma_fence_unwrap_plain_and_array),
	KUNIT_CASE(dma_fence_unwrap_chain_of_arrays),
	KUNIT_CASE(dma_fence_unwrap_merge_nothing_left),
	KUNIT_CASE(dma_fence_unwrap_merge_single),
	KUNIT_CASE(dma_fence_unwrap_merge_latest_per_context),
	EXPECT_WARN_CASE(dma_fence_unwrap_merge_keeps_nested_array),
	EXPECT_WARN_CASE(dma_fence_unwrap_merge_single_nested),
	EXPECT_WARN_CASE(dma_fence_unwrap_merge_chain_of_chains),
	EXPECT_WARN_CASE(dma_fence_unwrap_merge_nested_same_context),
	KUNIT_CASE(dma_fence_unwrap_merge_equal_points),
	KUNIT_CASE(dma_fence_unwrap_merge_ties_as_sorted),
	KUNIT_CASE(dma_fence_unwrap_merge_out_of_memory),
	KUNIT_CASE(dma_fence_unwrap_merge_64bit_seqnos),
	KUNIT_CASE(dma_fence_unwrap_merge_many),
	KUNIT_CASE(dma_fence_unwrap_merge_skips_null),
	KUNIT_CASE(dma_fence_unwrap_merge_array_identity),
	KUNIT_CASE(dma_fence_unwrap_merge_signaled_meanwhile),
	{}
};

static struct kunit_suite dma_fence_unwrap_suite = {
	.name = "dma-fence-unwrap",
	.test_cases = dma_fence_unwrap_cases,
};

kunit_test_suite(dma_fence_unwrap_suite);

MODULE_DESCRIPTION("KUnit tests for fence unwrapping and merging");
MODULE_LICENSE("GPL");
