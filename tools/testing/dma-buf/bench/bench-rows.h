/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The rows of make bench that time the fence, reservation and container
 * code, included by both builds of them: the benchmark module
 * (dmabuf_bench.c, against our kernel and the pristine 6.1 one) and the
 * native benchmark (userspace/bench.c, the same code against the shim).
 * The includer defines bench_now_ns(), its clock in nanoseconds, and
 * runs the table: each build supplies its own timing loop, output and
 * rows beyond these.
 *
 * A row's @run repeats its scenario @reps times with @n elements and
 * returns the nanoseconds that took, or a negative errno.  An "op" is one
 * call of the entry point the row is named after (one dma_resv_add_fence,
 * one chain link appended, one walk over N fences, one merge of N
 * fences...).
 */
#ifndef DMA_BUF_BENCH_ROWS_H
#define DMA_BUF_BENCH_ROWS_H

#include <linux/dma-fence.h>
#include <linux/dma-fence-array.h>
#include <linux/dma-fence-chain.h>
#include <linux/dma-fence-unwrap.h>
#include <linux/dma-resv.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "mock-fence.h"

/**
 * struct row - one benchmark row, run with row_run()
 * @name: the name the tables compare by
 * @run: repeats the scenario, as above
 * @run_on_resv: instead of @run, for the rows that read an object: the
 *	same on @obj, which holds n fences of distinct contexts
 * @signaled: @run_on_resv's fences are signaled
 * @ops_per_elem: a repetition is n ops, not one
 * @native: the native benchmark runs the row too
 * @ns: the N values, 0-terminated
 */
struct row {
	const char *name;
	s64 (*run)(unsigned int n, u64 reps);
	s64 (*run_on_resv)(struct dma_resv *obj, unsigned int n, u64 reps);
	bool signaled;
	bool ops_per_elem;
	bool native;
	unsigned int ns[6];
};

/*
 * A set of @n fences; context i / @per_context, so @per_context fences
 * (seqnos 1, 2, ...) share each context.  Freed with fences_put(), or
 * handed to dma_fence_array_create(), which kfree()s the array.
 */
static struct dma_fence **fences_new(unsigned int n, unsigned int per_context)
{
	u64 ctx = dma_fence_context_alloc(n);
	struct dma_fence **f;
	unsigned int i;

	f = kcalloc(n, sizeof(*f), GFP_KERNEL);
	if (!f)
		return NULL;
	for (i = 0; i < n; i++) {
		f[i] = mock_fence_new(ctx + i / per_context, i % per_context + 1);
		if (!f[i])
			goto err;
	}
	return f;
err:
	while (i--)
		dma_fence_put(f[i]);
	kfree(f);
	return NULL;
}

/* Signals (so that nothing waits on them) and drops a fences_new() set. */
static void fences_put(struct dma_fence **f, unsigned int n)
{
	unsigned int i;

	if (!f)
		return;
	for (i = 0; i < n; i++) {
		dma_fence_signal(f[i]);
		dma_fence_put(f[i]);
	}
	kfree(f);
}

static void fences_signal(struct dma_fence **f, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		dma_fence_signal(f[i]);
}

/* ---- fences ---- */

static s64 fence_init_signal_put(unsigned int n, u64 reps)
{
	u64 ctx = dma_fence_context_alloc(1), i, t0 = bench_now_ns();
	struct dma_fence *f;

	for (i = 0; i < reps; i++) {
		f = mock_fence_new(ctx, i + 1);
		if (!f)
			return -ENOMEM;
		dma_fence_signal(f);
		dma_fence_put(f);
	}
	return bench_now_ns() - t0;
}

static void count_cb(struct dma_fence *f, struct dma_fence_cb *cb)
{
}

static s64 fence_callbacks_signal(unsigned int n, u64 reps)
{
	u64 ctx = dma_fence_context_alloc(1), i, t0;
	struct dma_fence_cb *cb;
	struct dma_fence *f;
	unsigned int j;
	s64 ret;

	cb = kcalloc(n, sizeof(*cb), GFP_KERNEL);
	if (!cb)
		return -ENOMEM;
	t0 = bench_now_ns();
	for (i = 0; i < reps; i++) {
		f = mock_fence_new(ctx, i + 1);
		if (!f) {
			ret = -ENOMEM;
			goto out;
		}
		for (j = 0; j < n; j++)
			dma_fence_add_callback(f, &cb[j], count_cb);
		dma_fence_signal(f);
		dma_fence_put(f);
	}
	ret = bench_now_ns() - t0;
out:
	kfree(cb);
	return ret;
}

static s64 fence_is_signaled(unsigned int n, u64 reps)
{
	struct dma_fence *f = mock_fence_new(dma_fence_context_alloc(1), 1);
	u64 i, hits = 0, t0;

	if (!f)
		return -ENOMEM;
	dma_fence_signal(f);
	t0 = bench_now_ns();
	for (i = 0; i < reps; i++)
		hits += dma_fence_is_signaled(f);
	t0 = bench_now_ns() - t0;
	dma_fence_put(f);
	return hits == reps ? t0 : -EINVAL;
}

static s64 fence_wait_signaled(unsigned int n, u64 reps)
{
	struct dma_fence *f = mock_fence_new(dma_fence_context_alloc(1), 1);
	u64 i, t0;
	long ret = 0;

	if (!f)
		return -ENOMEM;
	dma_fence_signal(f);
	t0 = bench_now_ns();
	for (i = 0; i < reps && !ret; i++)
		ret = dma_fence_wait(f, false);
	t0 = bench_now_ns() - t0;
	dma_fence_put(f);
	return ret ? ret : t0;
}

/* Only the last of the n fences is signaled: every one is looked at. */
static s64 fence_wait_any(unsigned int n, u64 reps)
{
	struct dma_fence **f = fences_new(n, 1);
	u64 i, t0;
	u32 idx = 0;
	long ret = 1;

	if (!f)
		return -ENOMEM;
	dma_fence_signal(f[n - 1]);
	t0 = bench_now_ns();
	for (i = 0; i < reps && ret > 0; i++)
		ret = dma_fence_wait_any_timeout(f, n, false, HZ, &idx);
	t0 = bench_now_ns() - t0;
	fences_put(f, n);
	if (ret <= 0 || idx != n - 1)
		return ret < 0 ? ret : -EINVAL;
	return t0;
}

/* ---- reservation objects ---- */

/* Fills @obj with @f[0..n) the way a driver does, one slot per fence. */
static int resv_fill(struct dma_resv *obj, struct dma_fence **f, unsigned int n)
{
	unsigned int i;
	int ret = 0;

	dma_resv_lock(obj, NULL);
	for (i = 0; i < n && !ret; i++) {
		ret = dma_resv_reserve_fences(obj, 1);
		if (!ret)
			dma_resv_add_fence(obj, f[i], DMA_RESV_USAGE_READ);
	}
	dma_resv_unlock(obj);
	return ret;
}

/* n fences added to an empty object, with per_context of one context. */
static s64 resv_add(unsigned int n, u64 reps, unsigned int per_context)
{
	struct dma_fence **f = fences_new(n, per_context);
	struct dma_resv obj;
	u64 i, t0;
	int ret = 0;

	if (!f)
		return -ENOMEM;
	t0 = bench_now_ns();
	for (i = 0; i < reps && !ret; i++) {
		dma_resv_init(&obj);
		ret = resv_fill(&obj, f, n);
		dma_resv_fini(&obj);
	}
	t0 = bench_now_ns() - t0;
	fences_put(f, n);
	return ret ? ret : t0;
}

static s64 resv_add_distinct(unsigned int n, u64 reps)
{
	return resv_add(n, reps, 1);
}

static s64 resv_add_same_context(unsigned int n, u64 reps)
{
	return resv_add(n, reps, n);
}

/*
 * The object the read-only rows use: n fences of distinct contexts,
 * signaled afterwards when @signal (adding a signaled fence would let the
 * object drop it, so they are signaled once in place).
 */
struct resv_set {
	struct dma_resv obj;
	struct dma_fence **f;
	unsigned int n;
};

static int resv_set_init(struct resv_set *s, unsigned int n, bool signal)
{
	int ret;

	s->n = n;
	dma_resv_init(&s->obj);
	s->f = fences_new(n, 1);
	if (!s->f)
		return -ENOMEM;
	ret = resv_fill(&s->obj, s->f, n);
	if (!ret && signal)
		fences_signal(s->f, n);
	return ret;
}

static void resv_set_fini(struct resv_set *s)
{
	dma_resv_fini(&s->obj);
	fences_put(s->f, s->n);
}

/* Repeats @r's scenario @reps times with @n elements, as struct row says. */
static s64 row_run(const struct row *r, unsigned int n, u64 reps)
{
	struct resv_set s;
	int ret;
	s64 t;

	if (r->run)
		return r->run(n, reps);
	ret = resv_set_init(&s, n, r->signaled);
	t = ret ? ret : r->run_on_resv(&s.obj, n, reps);
	resv_set_fini(&s);
	return t;
}

/* Walks over every fence of the object, under its lock or lock-free. */
static s64 resv_iter(unsigned int n, u64 reps, bool locked)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	struct resv_set s;
	u64 i, seen = 0, t0;
	int ret;

	ret = resv_set_init(&s, n, false);
	t0 = bench_now_ns();
	for (i = 0; i < reps && !ret; i++) {
		if (locked) {
			dma_resv_lock(&s.obj, NULL);
			dma_resv_for_each_fence(&cursor, &s.obj,
						DMA_RESV_USAGE_BOOKKEEP, fence)
				seen++;
			dma_resv_unlock(&s.obj);
			continue;
		}
		dma_resv_iter_begin(&cursor, &s.obj, DMA_RESV_USAGE_BOOKKEEP);
		dma_resv_for_each_fence_unlocked(&cursor, fence)
			seen++;
		dma_resv_iter_end(&cursor);
	}
	t0 = bench_now_ns() - t0;
	resv_set_fini(&s);
	if (ret)
		return ret;
	return seen == reps * n ? t0 : -EINVAL;
}

static s64 resv_iter_locked(unsigned int n, u64 reps)
{
	return resv_iter(n, reps, true);
}

static s64 resv_iter_unlocked(unsigned int n, u64 reps)
{
	return resv_iter(n, reps, false);
}

static s64 resv_get_fences(struct dma_resv *obj, unsigned int n, u64 reps)
{
	struct dma_fence **got;
	unsigned int num, j;
	u64 i, t0 = bench_now_ns();
	int ret = 0;

	for (i = 0; i < reps && !ret; i++) {
		ret = dma_resv_get_fences(obj, DMA_RESV_USAGE_READ, &num, &got);
		if (ret)
			break;
		if (num != n)
			ret = -EINVAL;
		for (j = 0; j < num; j++)
			dma_fence_put(got[j]);
		kfree(got);
	}
	t0 = bench_now_ns() - t0;
	return ret ? ret : t0;
}

static s64 resv_get_singleton(struct dma_resv *obj, unsigned int n, u64 reps)
{
	struct dma_fence *got;
	u64 i, t0 = bench_now_ns();
	int ret = 0;

	for (i = 0; i < reps && !ret; i++) {
		ret = dma_resv_get_singleton(obj, DMA_RESV_USAGE_READ, &got);
		if (!ret && !got)
			ret = -EINVAL;
		dma_fence_put(got);
	}
	t0 = bench_now_ns() - t0;
	return ret ? ret : t0;
}

/* Every fence signaled: the answer needs a look at all of them. */
static s64 resv_test_signaled(struct dma_resv *obj, unsigned int n, u64 reps)
{
	u64 i, yes = 0, t0 = bench_now_ns();

	for (i = 0; i < reps; i++)
		yes += dma_resv_test_signaled(obj, DMA_RESV_USAGE_READ);
	t0 = bench_now_ns() - t0;
	return yes == reps ? t0 : -EINVAL;
}

static s64 resv_copy_fences(struct dma_resv *obj, unsigned int n, u64 reps)
{
	struct dma_resv dst;
	u64 i, t0 = bench_now_ns();
	int ret = 0;

	for (i = 0; i < reps && !ret; i++) {
		dma_resv_init(&dst);
		dma_resv_lock(&dst, NULL);
		ret = dma_resv_copy_fences(&dst, obj);
		dma_resv_unlock(&dst);
		dma_resv_fini(&dst);
	}
	t0 = bench_now_ns() - t0;
	return ret ? ret : t0;
}

/* ---- containers ---- */

/* Create an array over n fresh fences, signal them, wait for the array. */
static s64 array_create_signal(unsigned int n, u64 reps)
{
	struct dma_fence_array *array;
	struct dma_fence **f;
	u64 i, t0 = bench_now_ns();
	long ret = 0;

	for (i = 0; i < reps && !ret; i++) {
		f = fences_new(n, 1);
		if (!f)
			return -ENOMEM;
		/* The array owns f and the references in it from here on. */
		array = dma_fence_array_create(n, f, dma_fence_context_alloc(1),
					       1, false);
		if (!array) {
			fences_put(f, n);
			return -ENOMEM;
		}
		dma_fence_enable_sw_signaling(&array->base);
		fences_signal(f, n);
		ret = dma_fence_wait_timeout(&array->base, false, 10 * HZ);
		ret = ret > 0 ? 0 : -ETIMEDOUT;
		dma_fence_put(&array->base);
	}
	return ret ? ret : bench_now_ns() - t0;
}

/* A chain of n links over @fence (one reference taken per link). */
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
		if (!(i % 1024))
			cond_resched();
	}
	return head;
}

/*
 * Runs @body on a fence of a context of its own, which @body may signal;
 * signals it (if @body did not) and drops it after.
 */
static s64 with_fence(unsigned int n, u64 reps,
		      s64 (*body)(struct dma_fence *f, unsigned int n, u64 reps))
{
	struct dma_fence *f = mock_fence_new(dma_fence_context_alloc(1), 1);
	s64 t;

	if (!f)
		return -ENOMEM;
	t = body(f, n, reps);
	dma_fence_signal(f);
	dma_fence_put(f);
	return t;
}

/* An op is one link: alloc and init, and its share of the release. */
static s64 chain_append_body(struct dma_fence *f, unsigned int n, u64 reps)
{
	struct dma_fence *head;
	u64 i, t0 = bench_now_ns();
	int ret = 0;

	for (i = 0; i < reps && !ret; i++) {
		head = chain_build(f, n);
		if (!head)
			ret = -ENOMEM;
		dma_fence_put(head);
	}
	t0 = bench_now_ns() - t0;
	return ret ? ret : t0;
}

static s64 chain_append(unsigned int n, u64 reps)
{
	return with_fence(n, reps, chain_append_body);
}

/* Looks up the middle seqno of an unsignaled chain of n links. */
static s64 chain_find_seqno_body(struct dma_fence *f, unsigned int n,
				 u64 reps)
{
	struct dma_fence *head = chain_build(f, n), *it;
	int ret = head ? 0 : -ENOMEM;
	u64 i, t0;

	t0 = bench_now_ns();
	for (i = 0; i < reps && !ret; i++) {
		it = dma_fence_get(head);
		ret = dma_fence_chain_find_seqno(&it, n / 2 + 1);
		if (!ret && (!it || it->seqno != n / 2 + 1))
			ret = -EINVAL;
		dma_fence_put(it);
	}
	t0 = bench_now_ns() - t0;
	dma_fence_put(head);
	return ret ? ret : t0;
}

static s64 chain_find_seqno(unsigned int n, u64 reps)
{
	return with_fence(n, reps, chain_find_seqno_body);
}

/*
 * Walks a chain of n links whose fences have all signaled, which unlinks
 * them as it goes; only the walk is timed, the chain is rebuilt for each.
 */
static s64 chain_walk_gc_body(struct dma_fence *f, unsigned int n, u64 reps)
{
	struct dma_fence *head, *it;
	u64 i, t0, total = 0, visited = 0;
	int ret = 0;

	dma_fence_signal(f);
	for (i = 0; i < reps && !ret; i++) {
		head = chain_build(f, n);
		if (!head) {
			ret = -ENOMEM;
			break;
		}
		t0 = bench_now_ns();
		dma_fence_chain_for_each(it, head)
			visited++;
		total += bench_now_ns() - t0;
		dma_fence_put(head);
	}
	/* Only the head is visited: every earlier link has signaled. */
	if (!ret && visited != reps)
		ret = -EINVAL;
	return ret ? ret : total;
}

static s64 chain_walk_gc(unsigned int n, u64 reps)
{
	return with_fence(n, reps, chain_walk_gc_body);
}

/* n fences, two per context: the merge keeps the later of each pair. */
static s64 unwrap_merge(unsigned int n, u64 reps)
{
	struct dma_fence **f = fences_new(n, 2);
	struct dma_fence_unwrap *cursors;
	struct dma_fence *merged;
	u64 i, t0;
	int ret = 0;

	cursors = kcalloc(n, sizeof(*cursors), GFP_KERNEL);
	if (!f || !cursors) {
		ret = -ENOMEM;
		goto out;
	}
	t0 = bench_now_ns();
	for (i = 0; i < reps && !ret; i++) {
		merged = __dma_fence_unwrap_merge(n, f, cursors);
		if (!merged)
			ret = -ENOMEM;
		dma_fence_put(merged);
	}
	t0 = bench_now_ns() - t0;
out:
	kfree(cursors);
	fences_put(f, n);
	return ret ? ret : t0;
}

#define RESV_NS { 1, 16, 256, 4096 }
#define CHAIN_NS { 1, 100, 10000, 100000 }

/* The rows every build has, in the order of the module's output. */
static const struct row rows[] = {
	{ "fence_init_signal_put", fence_init_signal_put, .native = true,
	  .ns = { 1 } },
	{ "fence_callbacks_signal", fence_callbacks_signal, .ns = { 1, 8, 64 } },
	{ "fence_is_signaled", fence_is_signaled, .ns = { 1 } },
	{ "fence_wait_signaled", fence_wait_signaled, .ns = { 1 } },
	{ "fence_wait_any", fence_wait_any, .ns = { 2, 16, 256 } },
	{ "resv_add_distinct", resv_add_distinct, .ops_per_elem = true,
	  .native = true, .ns = RESV_NS },
	{ "resv_add_same_context", resv_add_same_context, .ops_per_elem = true,
	  .native = true, .ns = RESV_NS },
	{ "resv_iter_locked", resv_iter_locked, .ns = RESV_NS },
	{ "resv_iter_unlocked", resv_iter_unlocked, .ns = RESV_NS },
	{ "resv_get_fences", .run_on_resv = resv_get_fences, .ns = RESV_NS },
	{ "resv_get_singleton", .run_on_resv = resv_get_singleton,
	  .ns = RESV_NS },
	{ "resv_test_signaled", .run_on_resv = resv_test_signaled,
	  .signaled = true, .ns = RESV_NS },
	{ "resv_copy_fences", .run_on_resv = resv_copy_fences, .ns = RESV_NS },
	{ "array_create_signal", array_create_signal, .ns = { 2, 32, 1024 } },
	{ "chain_append", chain_append, .ops_per_elem = true, .native = true,
	  .ns = CHAIN_NS },
	{ "chain_find_seqno", chain_find_seqno, .native = true, .ns = CHAIN_NS },
	{ "chain_walk_gc", chain_walk_gc, .ns = CHAIN_NS },
	{ "unwrap_merge", unwrap_merge, .native = true, .ns = { 2, 32, 1024 } },
};

#endif /* DMA_BUF_BENCH_ROWS_H */
