// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel side of make bench: times the fence, reservation, container
 * and dma-buf entry points and prints one line per measurement,
 *
 *	bench: <row> n=<N> ns_per_op=<ns> iters=<ops>
 *	bench: <row> n=<N> bytes=<bytes>
 *
 * The module is built out of tree, the same source against our kernel
 * and against the pristine 6.1 one, so it may only use what both export.
 * Everything runs from module init in a kthread of its own (so that the
 * files of exported dma-bufs are released by the delayed fput worker and
 * not held until insmod returns); then init returns 0 and the module waits
 * for rmmod.  (Failing init instead would run it all twice: busybox's
 * insmod retries a failed finit_module() with init_module().)
 *
 * Each row is a scenario repeated until it has run for target_us: the
 * repetition count starts at one and grows with what the last attempt
 * took; the last attempt is the one printed.  The fence, reservation and
 * container rows are bench-rows.h's, shared with the native benchmark;
 * the buffers come from the KUnit suites' exporter (mock-exporter.h).
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/dma-fence-array.h>
#include <linux/dma-fence-chain.h>
#include <linux/dma-fence-unwrap.h>
#include <linux/dma-resv.h>
#include <linux/err.h>
#include <linux/iosys-map.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/sync_file.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>

#include "mock-exporter.h"

static u64 bench_now_ns(void)
{
	return ktime_get_ns();
}

#include "bench-calibrate.h"
#include "bench-rows.h"

static unsigned int target_us = 30000;
module_param(target_us, uint, 0444);
MODULE_PARM_DESC(target_us, "time each row runs for, in microseconds");

static char *only;
module_param(only, charp, 0444);
MODULE_PARM_DESC(only, "run only the rows whose name starts with one of these prefixes (a,b,...)");

static bool stop_all; /* a row failed: report and stop */

static void row_report(const struct row *r, unsigned int n)
{
	u64 target = (u64)target_us * NSEC_PER_USEC, reps = 1, ops, grow;
	u64 calib = calibrate();
	s64 t;

	for (;;) {
		t = row_run(r, n, reps);
		if (t < 0) {
			pr_err("bench: %s n=%u failed: %lld\n", r->name, n, t);
			stop_all = true;
			return;
		}
		if (t >= target || reps >= (1ULL << 40))
			break;
		/* Aim a little past the target, at most 16x at a time. */
		grow = t > 0 ? div64_u64(target * 5 / 4, t) : 16;
		reps *= clamp_t(u64, grow, 2, 16);
		cond_resched();
	}
	ops = reps * (r->ops_per_elem ? n : 1);
	t = div64_u64((u64)t * 1000, ops); /* in thousandths of a ns */
	calib = (calib + calibrate()) / 2;
	pr_info("bench: %s n=%u ns_per_op=%lld.%03lld iters=%llu calib_ns=%llu\n",
		r->name, n, t / 1000, t % 1000, ops, calib);
}

/*
 * Contended readers: a lock-free reader kthread on every CPU walks an
 * object of n fences while one writer replaces them, fence after fence
 * (each new one on the context of the one it replaces).
 */
struct contender {
	struct task_struct *task;
	struct resv_set *s;
	u64 ops;
	u64 short_walks; /* readers: walks that returned fewer than n */
	int err;
};

static int contended_reader(void *data)
{
	struct contender *c = data;
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	unsigned int seen;

	while (!kthread_should_stop()) {
		seen = 0;
		dma_resv_iter_begin(&cursor, &c->s->obj, DMA_RESV_USAGE_READ);
		dma_resv_for_each_fence_unlocked(&cursor, fence) {
			/* A writer got in: the walk starts over. */
			if (dma_resv_iter_is_restarted(&cursor))
				seen = 0;
			seen++;
		}
		dma_resv_iter_end(&cursor);
		/*
		 * A fence replaced and signaled while the walk ran may be
		 * skipped without the walk starting over; counted, not failed.
		 */
		if (seen != c->s->n)
			c->short_walks++;
		c->ops++;
		cond_resched();
	}
	return 0;
}

/*
 * The replaced fence is signaled only once out of the object: readers
 * skip signaled fences, and each must see all n.
 */
static int contended_writer(void *data)
{
	struct contender *c = data;
	struct resv_set *s = c->s;
	struct dma_fence **cur, *f;
	unsigned int k;
	u64 seqno = 1;

	cur = kcalloc(s->n, sizeof(*cur), GFP_KERNEL);
	if (!cur)
		c->err = -ENOMEM;
	while (!kthread_should_stop()) {
		k = c->ops % s->n;
		f = c->err ? NULL : mock_fence_new(s->f[k]->context, ++seqno);
		if (!f) {
			c->err = c->err ?: -ENOMEM;
			usleep_range(1000, 2000);
			continue;
		}
		dma_resv_lock(&s->obj, NULL);
		c->err = dma_resv_reserve_fences(&s->obj, 1);
		if (!c->err)
			dma_resv_add_fence(&s->obj, f, DMA_RESV_USAGE_READ);
		dma_resv_unlock(&s->obj);
		if (cur[k]) {
			dma_fence_signal(cur[k]);
			dma_fence_put(cur[k]);
		}
		cur[k] = f;
		c->ops++;
		cond_resched();
	}
	for (k = 0; cur && k < s->n; k++) {
		if (cur[k]) {
			dma_fence_signal(cur[k]);
			dma_fence_put(cur[k]);
		}
	}
	kfree(cur);
	return 0;
}

static int contended_run(unsigned int n, u64 *read_ns, u64 *write_ns,
			 u64 *reads, u64 *writes)
{
	unsigned int cpus = num_online_cpus(), cpu, i = 0;
	struct contender *c;
	struct resv_set s;
	u64 t0, reader_ops = 0, short_walks = 0;
	int ret;

	c = kcalloc(cpus + 1, sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	ret = resv_set_init(&s, n, false);
	for_each_online_cpu(cpu) {
		if (ret || i >= cpus)
			break;
		c[i].s = &s;
		c[i].task = kthread_create_on_cpu(contended_reader, &c[i], cpu,
						  "bench_reader/%u");
		if (IS_ERR(c[i].task)) {
			ret = PTR_ERR(c[i].task);
			c[i].task = NULL;
		}
		i++;
	}
	c[cpus].s = &s;
	if (!ret) {
		c[cpus].task = kthread_create(contended_writer, &c[cpus],
					      "bench_writer");
		if (IS_ERR(c[cpus].task)) {
			ret = PTR_ERR(c[cpus].task);
			c[cpus].task = NULL;
		}
	}
	t0 = ktime_get_ns();
	for (i = 0; i <= cpus; i++)
		if (c[i].task)
			wake_up_process(c[i].task);
	if (!ret)
		msleep(max(target_us / 1000, 1U));
	for (i = 0; i <= cpus; i++)
		if (c[i].task)
			kthread_stop(c[i].task);
	t0 = ktime_get_ns() - t0;
	for (i = 0; i <= cpus; i++)
		ret = ret ?: c[i].err;
	for (i = 0; i < cpus; i++) {
		reader_ops += c[i].ops;
		short_walks += c[i].short_walks;
	}
	if (short_walks)
		pr_info("bench: resv_contended: %llu of %llu walks saw fewer than %u fences\n",
			short_walks, reader_ops, n);
	/* Per CPU: the time each reader had, over what it did. */
	*reads = reader_ops;
	*read_ns = reader_ops ? div64_u64(t0 * cpus * 1000, reader_ops) : 0;
	*writes = c[cpus].ops;
	*write_ns = c[cpus].ops ? div64_u64(t0 * 1000, c[cpus].ops) : 0;
	if (!reader_ops || !c[cpus].ops)
		ret = ret ?: -EINVAL;
	resv_set_fini(&s);
	kfree(c);
	return ret;
}

static void resv_contended(unsigned int n)
{
	u64 read_ns, write_ns, reads, writes;
	int ret;

	ret = contended_run(n, &read_ns, &write_ns, &reads, &writes);
	if (ret) {
		pr_err("bench: %s n=%u failed: %d\n", "resv_contended", n, ret);
		stop_all = true;
		return;
	}
	pr_info("bench: resv_contended_read n=%u ns_per_op=%llu.%03llu iters=%llu\n",
		n, read_ns / 1000, read_ns % 1000, reads);
	pr_info("bench: resv_contended_write n=%u ns_per_op=%llu.%03llu iters=%llu\n",
		n, write_ns / 1000, write_ns % 1000, writes);
}

/* ---- dma-bufs, from the tests' exporter ---- */

static struct device *bench_dev;

/* A page-sized buffer whose mapping the core caches. */
static struct dma_buf *bench_export(void)
{
	return mock_export_gfp(PAGE_SIZE, &mock_cached_ops, NULL, GFP_KERNEL);
}

/*
 * Waits until the exporter's count of releases reaches @want (the files go
 * through fput's worker).
 */
static int wait_released(int want)
{
	unsigned int ms = 0;

	while (atomic_read(&mock_releases) < want) {
		if (++ms > 10000)
			return -ETIMEDOUT;
		usleep_range(200, 400);
	}
	return 0;
}

/* Export and put; the time includes the release by the fput worker. */
static s64 dmabuf_export_put(unsigned int n, u64 reps)
{
	int released = atomic_read(&mock_releases), ret = 0;
	struct dma_buf *dmabuf;
	u64 i, t0 = ktime_get_ns();

	for (i = 0; i < reps && !ret; i++) {
		dmabuf = bench_export();
		if (IS_ERR(dmabuf)) {
			ret = PTR_ERR(dmabuf);
			break;
		}
		dma_buf_put(dmabuf);
		if (!(i % 256))
			cond_resched();
	}
	ret = wait_released(released + i) ?: ret;
	return ret ? ret : ktime_get_ns() - t0;
}

/* Runs @body on a fresh buffer, then drops it and waits for its release. */
static s64 with_buf(u64 reps, s64 (*body)(struct dma_buf *dmabuf, u64 reps))
{
	int released = atomic_read(&mock_releases), ret;
	struct dma_buf *dmabuf = bench_export();
	s64 t;

	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	t = body(dmabuf, reps);
	dma_buf_put(dmabuf);
	ret = wait_released(released + 1);
	return t < 0 ? t : ret ? ret : t;
}

static s64 attach_map_detach_body(struct dma_buf *dmabuf, u64 reps)
{
	struct dma_buf_attachment *a;
	struct sg_table *sgt;
	u64 i, t0 = ktime_get_ns();

	for (i = 0; i < reps; i++) {
		a = dma_buf_attach(dmabuf, bench_dev);
		if (IS_ERR(a))
			return PTR_ERR(a);
		sgt = dma_buf_map_attachment_unlocked(a, DMA_BIDIRECTIONAL);
		if (IS_ERR(sgt)) {
			dma_buf_detach(dmabuf, a);
			return PTR_ERR(sgt);
		}
		dma_buf_unmap_attachment_unlocked(a, sgt, DMA_BIDIRECTIONAL);
		dma_buf_detach(dmabuf, a);
	}
	return ktime_get_ns() - t0;
}

static s64 dmabuf_attach_map_detach(unsigned int n, u64 reps)
{
	return with_buf(reps, attach_map_detach_body);
}

/* The exporter caches the mapping: map/unmap after the first are hits. */
static s64 map_cached_body(struct dma_buf *dmabuf, u64 reps)
{
	struct dma_buf_attachment *a = dma_buf_attach(dmabuf, bench_dev);
	struct sg_table *sgt;
	u64 i, t0;
	s64 ret = 0;

	if (IS_ERR(a))
		return PTR_ERR(a);
	t0 = ktime_get_ns();
	for (i = 0; i < reps; i++) {
		sgt = dma_buf_map_attachment_unlocked(a, DMA_BIDIRECTIONAL);
		if (IS_ERR(sgt)) {
			ret = PTR_ERR(sgt);
			break;
		}
		dma_buf_unmap_attachment_unlocked(a, sgt, DMA_BIDIRECTIONAL);
	}
	t0 = ktime_get_ns() - t0;
	dma_buf_detach(dmabuf, a);
	return ret ? ret : t0;
}

static s64 dmabuf_map_unmap_cached(unsigned int n, u64 reps)
{
	return with_buf(reps, map_cached_body);
}

static s64 vmap_body(struct dma_buf *dmabuf, u64 reps)
{
	struct iosys_map map;
	u64 i, t0 = ktime_get_ns();
	int ret;

	for (i = 0; i < reps; i++) {
		ret = dma_buf_vmap(dmabuf, &map);
		if (ret)
			return ret;
		dma_buf_vunmap(dmabuf, &map);
	}
	return ktime_get_ns() - t0;
}

static s64 dmabuf_vmap_vunmap(unsigned int n, u64 reps)
{
	return with_buf(reps, vmap_body);
}

static s64 cpu_access_body(struct dma_buf *dmabuf, u64 reps)
{
	u64 i, t0 = ktime_get_ns();
	int ret;

	for (i = 0; i < reps; i++) {
		ret = dma_buf_begin_cpu_access(dmabuf, DMA_BIDIRECTIONAL) ?:
		      dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
		if (ret)
			return ret;
	}
	return ktime_get_ns() - t0;
}

static s64 dmabuf_cpu_access(unsigned int n, u64 reps)
{
	return with_buf(reps, cpu_access_body);
}

/* ---- memory ---- */

static void mem_report(const char *what, unsigned int n, size_t bytes)
{
	pr_info("bench: mem_%s n=%u bytes=%zu\n", what, n, bytes);
}

/* The sizes of the shared structs, and what their allocations really take. */
static int mem_objects(void)
{
	struct dma_fence **f = fences_new(2, 1), **members, *stub;
	struct dma_fence_array *array;
	struct dma_fence_chain *chain;
	struct dma_buf_attachment *a;
	int released = atomic_read(&mock_releases);
	struct sync_file *sf;
	struct dma_buf *dmabuf;

	if (!f)
		return -ENOMEM;
	mem_report("sizeof_dma_fence", 1, sizeof(struct dma_fence));
	mem_report("sizeof_dma_fence_array", 1, sizeof(struct dma_fence_array));
	mem_report("sizeof_dma_fence_chain", 1, sizeof(struct dma_fence_chain));
	mem_report("sizeof_dma_resv", 1, sizeof(struct dma_resv));
	mem_report("sizeof_dma_buf", 1, sizeof(struct dma_buf));
	mem_report("sizeof_dma_buf_attachment", 1,
		   sizeof(struct dma_buf_attachment));
	mem_report("sizeof_sync_file", 1, sizeof(struct sync_file));

	chain = dma_fence_chain_alloc();
	if (chain) {
		mem_report("ksize_dma_fence_chain", 1, ksize(chain));
		dma_fence_chain_init(chain, NULL, dma_fence_get(f[0]), 1);
		dma_fence_put(&chain->base);
	}
	/*
	 * The file goes through the delayed fput after we are gone: give
	 * it the core's stub fence, not one whose ops live in this module.
	 */
	stub = dma_fence_get_stub();
	sf = sync_file_create(stub);
	dma_fence_put(stub);
	if (sf) {
		mem_report("ksize_sync_file", 1, ksize(sf));
		fput(sf->file);
	}
	/* The array takes members and the references in it. */
	members = kcalloc(2, sizeof(*members), GFP_KERNEL);
	if (members) {
		members[0] = dma_fence_get(f[0]);
		members[1] = dma_fence_get(f[1]);
		array = dma_fence_array_create(2, members,
					       dma_fence_context_alloc(1), 1,
					       false);
		if (array) {
			mem_report("ksize_dma_fence_array", 2, ksize(array));
			dma_fence_put(&array->base);
		} else {
			dma_fence_put(members[0]);
			dma_fence_put(members[1]);
			kfree(members);
		}
	}
	dmabuf = bench_export();
	if (!IS_ERR(dmabuf)) {
		mem_report("ksize_dma_buf", 1, ksize(dmabuf));
		a = dma_buf_attach(dmabuf, bench_dev);
		if (!IS_ERR(a)) {
			mem_report("ksize_dma_buf_attachment", 1, ksize(a));
			dma_buf_detach(dmabuf, a);
		}
		dma_buf_put(dmabuf);
		wait_released(released + 1);
	}
	fences_put(f, 2);
	return 0;
}

/*
 * What a reservation object with n fences holds beyond its struct: the
 * growth of the slab counter (kmalloc, large kmallocs included) while
 * filling m objects, each with the same n fences, over m.  The first m
 * objects soak up what partly used slabs had free; only the second m are
 * counted.  The counter is folded from per-CPU deltas, so it is good to a
 * few percent.  The arrays an object outgrew are freed after a grace
 * period, in batches; both readings wait for those, or a faster fill
 * would look bigger only because less time had passed.
 */
static void rcu_frees_done(void)
{
	/*
	 * kfree_rcu() holds a batch for up to five seconds in 6.1 before it
	 * waits for a grace period and frees it from a work item.  Under
	 * BENCH_CLOCK=icount the sleeps cost no host time.
	 */
	msleep(5500);
	rcu_barrier();
	msleep(100);
	rcu_barrier();
	msleep(100);
}

static int mem_resv(unsigned int n)
{
	unsigned int m = clamp((4U << 20) / (8 * n), 16U, 32768U);
	struct dma_fence **f = fences_new(n, 1);
	unsigned long before = 0, after;
	struct dma_resv *objs;
	unsigned int i;
	int ret = 0;

	objs = vmalloc(array_size(2 * m, sizeof(*objs)));
	if (!f || !objs) {
		ret = -ENOMEM;
		goto out;
	}
	rcu_barrier(); /* what earlier rows freed is gone */
	for (i = 0; i < 2 * m; i++)
		dma_resv_init(&objs[i]);
	for (i = 0; i < 2 * m && !ret; i++) {
		if (i == m) {
			rcu_frees_done();
			before = global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B);
		}
		ret = resv_fill(&objs[i], f, n);
		cond_resched();
	}
	rcu_frees_done();
	after = global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B);
	if (!ret)
		mem_report("resv_fences", n,
			   after > before ?
			   (after - before) * PAGE_SIZE / m : 0);
	for (i = 0; i < 2 * m; i++)
		dma_resv_fini(&objs[i]);
out:
	vfree(objs);
	fences_put(f, n);
	return ret;
}

/* ---- the table ---- */

/* After bench-rows.h's rows, the module's own. */
static const struct row dmabuf_rows[] = {
	{ "dmabuf_export_put", dmabuf_export_put, .ns = { 1 } },
	{ "dmabuf_attach_map_detach", dmabuf_attach_map_detach, .ns = { 1 } },
	{ "dmabuf_map_unmap_cached", dmabuf_map_unmap_cached, .ns = { 1 } },
	{ "dmabuf_vmap_vunmap", dmabuf_vmap_vunmap, .ns = { 1 } },
	{ "dmabuf_cpu_access", dmabuf_cpu_access, .ns = { 1 } },
};

static const unsigned int contended_ns[] = { 16 };
static const unsigned int mem_resv_ns[] = { 1, 16, 256, 4096 };

static DECLARE_COMPLETION(bench_done);

/* No @only, or @name starts with one of its prefixes (empty ones skipped). */
static bool selected(const char *name)
{
	const char *p = only;
	size_t len;

	if (!p || !*p)
		return true;
	for (;;) {
		len = strcspn(p, ",");
		if (len && !strncmp(name, p, len))
			return true;
		if (!p[len])
			return false;
		p += len + 1;
	}
}

/*
 * Nothing of ours may outlive the module: wait for the buffers' module
 * references to go and for the arrays' irq_work and RCU frees to run.
 */
static int base_refs; /* the loader's own, held while init runs */

/* Only make test's compile-only build lacks the counts (no modules). */
static int refs(void)
{
#ifdef CONFIG_MODULE_UNLOAD
	return module_refcount(THIS_MODULE);
#else
	return 0;
#endif
}

static void settle(void)
{
	unsigned int ms;

	for (ms = 0; refs() > base_refs && ms < 10000; ms++)
		usleep_range(1000, 2000);
	msleep(50);
	rcu_barrier();
}

static void run_table(const struct row *table, unsigned int count)
{
	const struct row *r;
	unsigned int j;

	for (r = table; r < table + count && !stop_all; r++) {
		if (!selected(r->name))
			continue;
		for (j = 0; j < ARRAY_SIZE(r->ns) && r->ns[j] && !stop_all; j++)
			row_report(r, r->ns[j]);
	}
}

static int bench_all(void *unused)
{
	unsigned int i;
	int ret;

	run_table(rows, ARRAY_SIZE(rows));
	run_table(dmabuf_rows, ARRAY_SIZE(dmabuf_rows));
	for (i = 0; i < ARRAY_SIZE(contended_ns) && !stop_all; i++)
		if (selected("resv_contended"))
			resv_contended(contended_ns[i]);
	if (!stop_all && selected("mem_")) {
		ret = mem_objects();
		for (i = 0; i < ARRAY_SIZE(mem_resv_ns) && !ret; i++)
			ret = mem_resv(mem_resv_ns[i]);
		if (ret) {
			pr_err("bench: memory rows failed: %d\n", ret);
			stop_all = true;
		}
	}
	settle();
	complete(&bench_done);
	/* Stay until init stops us: the module must not go while we run. */
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

static int __init dmabuf_bench_init(void)
{
	struct task_struct *t;
	int ret;

	base_refs = refs();
	bench_dev = root_device_register("dmabuf_bench");
	if (IS_ERR(bench_dev))
		return PTR_ERR(bench_dev);
	t = kthread_run(bench_all, NULL, "dmabuf_bench");
	if (IS_ERR(t)) {
		ret = PTR_ERR(t);
	} else {
		wait_for_completion(&bench_done);
		kthread_stop(t);
		ret = 0;
		pr_info("bench: done%s\n", stop_all ? " (with failures)" : "");
	}
	root_device_unregister(bench_dev);
	return ret;
}
module_init(dmabuf_bench_init);

/* Everything was undone before init returned. */
static void __exit dmabuf_bench_exit(void)
{
}
module_exit(dmabuf_bench_exit);

MODULE_DESCRIPTION("dma-buf, fence and reservation benchmarks (make bench)");
MODULE_LICENSE("GPL");
