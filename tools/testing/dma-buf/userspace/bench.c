// SPDX-License-Identifier: GPL-2.0-only
/*
 * Native-speed microbenchmarks of the shared code: the same scenarios as
 * the kernel benchmark module's rows of the same names
 * (tools/testing/dma-buf/bench/dmabuf_bench.c), built against the shim,
 * for profiling with perf or callgrind.  Prints the module's line format:
 *
 *   bench: NAME n=N ns_per_op=X iters=Y
 *
 * Usage: bench [target_us=30000] [ROW-PREFIX...]
 */
#include <linux/dma-fence-array.h>
#include <linux/dma-fence-chain.h>
#include <linux/dma-fence-unwrap.h>
#include <linux/dma-resv.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "shim.h"

static unsigned int target_us = 30000;

/* A fence of our own: no driver hooks, its own lock, freed by the core. */
struct bench_fence {
	struct dma_fence base;	/* first: the default release kfree()s it */
	spinlock_t lock;	/* the fence's lock, taken only by the core */
};

static const char *bench_fence_name(struct dma_fence *fence)
{
	return "bench";
}

static const struct dma_fence_ops bench_fence_ops = {
	.get_driver_name = bench_fence_name,
	.get_timeline_name = bench_fence_name,
};

static struct dma_fence *fence_at(u64 context, u64 seqno)
{
	struct bench_fence *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	spin_lock_init(&f->lock);
	dma_fence_init(&f->base, &bench_fence_ops, &f->lock, context, seqno);
	return &f->base;
}

/* @n fences, @per_context of them (seqnos 1, 2, ...) on each context. */
static struct dma_fence **fences_new(unsigned int n, unsigned int per_context)
{
	u64 ctx = dma_fence_context_alloc(n);
	struct dma_fence **f = kcalloc(n, sizeof(*f), GFP_KERNEL);
	unsigned int i;

	for (i = 0; f && i < n; i++) {
		f[i] = fence_at(ctx + i / per_context, i % per_context + 1);
		if (!f[i])
			shim_bug(__FILE__, __LINE__, "out of memory");
	}
	return f;
}

static void fences_put(struct dma_fence **f, unsigned int n)
{
	unsigned int i;

	for (i = 0; f && i < n; i++) {
		dma_fence_signal(f[i]);
		dma_fence_put(f[i]);
	}
	kfree(f);
}

/*
 * A row: @run repeats its scenario @reps times with @n elements and
 * returns the nanoseconds that took, or a negative errno.  A repetition is
 * one op, or @n ops with @ops_per_elem.
 */
struct row {
	const char *name;
	s64 (*run)(unsigned int n, u64 reps);
	bool ops_per_elem;
	unsigned int ns[6];
};

static int row_report(const struct row *r, unsigned int n)
{
	u64 target = (u64)target_us * NSEC_PER_USEC, reps = 1, ops;
	s64 t;

	for (;;) {
		t = r->run(n, reps);
		if (t < 0) {
			printf("bench: %s n=%u failed: %lld\n", r->name, n,
			       (long long)t);
			return 1;
		}
		if ((u64)t >= target || reps >= (1ULL << 40))
			break;
		/* Aim a little past the target, at most 16x at a time. */
		reps *= clamp(t > 0 ? target * 5 / 4 / t : 16, 2ULL, 16ULL);
	}
	ops = reps * (r->ops_per_elem ? n : 1);
	printf("bench: %s n=%u ns_per_op=%.3f iters=%llu\n", r->name, n,
	       (double)t / ops, (unsigned long long)ops);
	return 0;
}

static s64 fence_init_signal_put(unsigned int n, u64 reps)
{
	u64 ctx = dma_fence_context_alloc(1), i, t0 = shim_now_ns();
	struct dma_fence *f;

	for (i = 0; i < reps; i++) {
		f = fence_at(ctx, i + 1);
		if (!f)
			return -ENOMEM;
		dma_fence_signal(f);
		dma_fence_put(f);
	}
	return shim_now_ns() - t0;
}

/* n fences added to an empty object, one reservation each. */
static s64 resv_add(unsigned int n, u64 reps, unsigned int per_context)
{
	struct dma_fence **f = fences_new(n, per_context);
	struct dma_resv obj;
	unsigned int k;
	int ret = 0;
	u64 i, t0;

	if (!f)
		return -ENOMEM;
	t0 = shim_now_ns();
	for (i = 0; i < reps && !ret; i++) {
		dma_resv_init(&obj);
		dma_resv_lock(&obj, NULL);
		for (k = 0; k < n && !ret; k++) {
			ret = dma_resv_reserve_fences(&obj, 1);
			if (!ret)
				dma_resv_add_fence(&obj, f[k], DMA_RESV_USAGE_READ);
		}
		dma_resv_unlock(&obj);
		dma_resv_fini(&obj);
	}
	t0 = shim_now_ns() - t0;
	fences_put(f, n);
	return ret ? ret : (s64)t0;
}

static s64 resv_add_distinct(unsigned int n, u64 reps)
{
	return resv_add(n, reps, 1);
}

static s64 resv_add_same_context(unsigned int n, u64 reps)
{
	return resv_add(n, reps, n);
}

/* A chain of @n links over one fence, seqnos 1..n. */
static struct dma_fence *chain_build(struct dma_fence *fence, unsigned int n)
{
	struct dma_fence_chain *link;
	struct dma_fence *head = NULL;
	unsigned int i;

	for (i = 1; i <= n; i++) {
		link = dma_fence_chain_alloc();
		if (!link) {
			dma_fence_put(head);
			return NULL;
		}
		dma_fence_chain_init(link, head, dma_fence_get(fence), i);
		head = &link->base;
	}
	return head;
}

/* An op is one link: alloc and init, and its share of the release. */
static s64 chain_append(unsigned int n, u64 reps)
{
	struct dma_fence *f = fence_at(dma_fence_context_alloc(1), 1);
	struct dma_fence *head;
	int ret = 0;
	u64 i, t0;

	if (!f)
		return -ENOMEM;
	t0 = shim_now_ns();
	for (i = 0; i < reps && !ret; i++) {
		head = chain_build(f, n);
		if (!head)
			ret = -ENOMEM;
		dma_fence_put(head);
	}
	t0 = shim_now_ns() - t0;
	dma_fence_signal(f);
	dma_fence_put(f);
	return ret ? ret : (s64)t0;
}

/* Looks up the middle seqno of an unsignaled chain of n links. */
static s64 chain_find_seqno(unsigned int n, u64 reps)
{
	struct dma_fence *f = fence_at(dma_fence_context_alloc(1), 1);
	struct dma_fence *head, *it;
	int ret = 0;
	u64 i, t0;

	if (!f)
		return -ENOMEM;
	head = chain_build(f, n);
	if (!head)
		ret = -ENOMEM;
	t0 = shim_now_ns();
	for (i = 0; i < reps && !ret; i++) {
		it = dma_fence_get(head);
		ret = dma_fence_chain_find_seqno(&it, n / 2 + 1);
		if (!ret && (!it || it->seqno != n / 2 + 1))
			ret = -EINVAL;
		dma_fence_put(it);
	}
	t0 = shim_now_ns() - t0;
	dma_fence_put(head);
	dma_fence_signal(f);
	dma_fence_put(f);
	return ret ? ret : (s64)t0;
}

/* n fences, two per context: the merge keeps the later of each pair. */
static s64 unwrap_merge(unsigned int n, u64 reps)
{
	struct dma_fence **f = fences_new(n, 2);
	struct dma_fence_unwrap *cursors = kcalloc(n, sizeof(*cursors),
						   GFP_KERNEL);
	struct dma_fence *merged;
	int ret = 0;
	u64 i, t0 = 0;

	if (!f || !cursors) {
		ret = -ENOMEM;
		goto out;
	}
	t0 = shim_now_ns();
	for (i = 0; i < reps && !ret; i++) {
		merged = __dma_fence_unwrap_merge(n, f, cursors);
		if (!merged)
			ret = -ENOMEM;
		dma_fence_put(merged);
	}
	t0 = shim_now_ns() - t0;
out:
	kfree(cursors);
	fences_put(f, n);
	return ret ? ret : (s64)t0;
}

static const struct row rows[] = {
	{ "fence_init_signal_put", fence_init_signal_put, false, { 1 } },
	{ "resv_add_distinct", resv_add_distinct, true, { 1, 16, 256, 4096 } },
	{ "resv_add_same_context", resv_add_same_context, true,
	  { 1, 16, 256, 4096 } },
	{ "chain_append", chain_append, true, { 1, 100, 10000, 100000 } },
	{ "chain_find_seqno", chain_find_seqno, false,
	  { 1, 100, 10000, 100000 } },
	{ "unwrap_merge", unwrap_merge, false, { 2, 32, 1024 } },
};

static bool selected(int argc, char **argv, const char *name)
{
	bool any = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (strchr(argv[i], '='))
			continue;
		any = true;
		if (!strncmp(name, argv[i], strlen(argv[i])))
			return true;
	}
	return !any;
}

int main(int argc, char **argv)
{
	unsigned int i, j;
	int failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < (unsigned int)argc; i++)
		if (!strncmp(argv[i], "target_us=", 10))
			target_us = strtoul(argv[i] + 10, NULL, 0);
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		if (!selected(argc, argv, rows[i].name))
			continue;
		for (j = 0; j < ARRAY_SIZE(rows[i].ns) && rows[i].ns[j]; j++)
			failed |= row_report(&rows[i], rows[i].ns[j]);
		/* Let the RCU frees of the row run before the next. */
		rcu_barrier();
	}
	printf("bench: done%s\n", failed ? " (with failures)" : "");
	return failed;
}
