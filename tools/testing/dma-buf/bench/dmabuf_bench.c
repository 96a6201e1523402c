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
 * took; the last attempt is the one printed.  An "op" is one call of the
 * entry point the row is named after (one dma_resv_add_fence, one chain
 * link appended, one walk over N fences, one merge of N fences...).
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

static unsigned int target_us = 30000;
module_param(target_us, uint, 0444);
MODULE_PARM_DESC(target_us, "time each row runs for, in microseconds");

static char *only;
module_param(only, charp, 0444);
MODULE_PARM_DESC(only, "run only the rows whose name starts with this");

/* A fence of our own: no driver hooks, its own lock, freed by the core. */
struct bench_fence {
	struct dma_fence base; /* first: the default release kfree()s it */
	spinlock_t lock; /* the fence's lock, taken only by the core */
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
		f[i] = fence_at(ctx + i / per_context, i % per_context + 1);
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

/*
 * A row: @run repeats its scenario @reps times with @n elements and
 * returns the nanoseconds that took (or a negative errno); each
 * repetition is one op, or n with @ops_per_elem.
 */
struct row {
	const char *name;
	s64 (*run)(unsigned int n, u64 reps);
	bool ops_per_elem; /* a repetition is n ops, not one */
	unsigned int ns[6]; /* the N values, 0-terminated */
};

static bool stop_all; /* a row failed: report and stop */

/*
 * A fixed piece of work, the same machine code in both kernels' module:
 * how long it takes tells how much of the host the guest had just then.
 * Each row reports it (measured before and after the row) so that the
 * table can take the host's load out of the ratios.
 */
static u32 calib_buf[1024];

static u64 calibrate(void)
{
	u64 t0 = ktime_get_ns();
	u32 x = 2463534242U;
	unsigned int i;

	for (i = 0; i < (1U << 16); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		WRITE_ONCE(calib_buf[x % ARRAY_SIZE(calib_buf)], x);
	}
	return ktime_get_ns() - t0;
}

static void row_report(const struct row *r, unsigned int n)
{
	u64 target = (u64)target_us * NSEC_PER_USEC, reps = 1, ops, grow;
	u64 calib = calibrate();
	s64 t;

	for (;;) {
		t = r->run(n, reps);
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

/* ---- fences ---- */

static s64 fence_init_signal_put(unsigned int n, u64 reps)
{
	u64 ctx = dma_fence_context_alloc(1), i, t0 = ktime_get_ns();
	struct dma_fence *f;

	for (i = 0; i < reps; i++) {
		f = fence_at(ctx, i + 1);
		if (!f)
			return -ENOMEM;
		dma_fence_signal(f);
		dma_fence_put(f);
	}
	return ktime_get_ns() - t0;
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
	t0 = ktime_get_ns();
	for (i = 0; i < reps; i++) {
		f = fence_at(ctx, i + 1);
		if (!f) {
			ret = -ENOMEM;
			goto out;
		}
		for (j = 0; j < n; j++)
			dma_fence_add_callback(f, &cb[j], count_cb);
		dma_fence_signal(f);
		dma_fence_put(f);
	}
	ret = ktime_get_ns() - t0;
out:
	kfree(cb);
	return ret;
}

static s64 fence_is_signaled(unsigned int n, u64 reps)
{
	struct dma_fence *f = fence_at(dma_fence_context_alloc(1), 1);
	u64 i, hits = 0, t0;

	if (!f)
		return -ENOMEM;
	dma_fence_signal(f);
	t0 = ktime_get_ns();
	for (i = 0; i < reps; i++)
		hits += dma_fence_is_signaled(f);
	t0 = ktime_get_ns() - t0;
	dma_fence_put(f);
	return hits == reps ? t0 : -EINVAL;
}

static s64 fence_wait_signaled(unsigned int n, u64 reps)
{
	struct dma_fence *f = fence_at(dma_fence_context_alloc(1), 1);
	u64 i, t0;
	long ret = 0;

	if (!f)
		return -ENOMEM;
	dma_fence_signal(f);
	t0 = ktime_get_ns();
	for (i = 0; i < reps && !ret; i++)
		ret = dma_fence_wait(f, false);
	t0 = ktime_get_ns() - t0;
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
	t0 = ktime_get_ns();
	for (i = 0; i < reps && ret > 0; i++)
		ret = dma_fence_wait_any_timeout(f, n, false, HZ, &idx);
	t0 = ktime_get_ns() - t0;
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
	t0 = ktime_get_ns();
	for (i = 0; i < reps && !ret; i++) {
		dma_resv_init(&obj);
		ret = resv_fill(&obj, f, n);
		dma_resv_fini(&obj);
	}
	t0 = ktime_get_ns() - t0;
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

static s64 resv_iter_locked(unsigned int n, u64 reps)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	struct resv_set s;
	u64 i, seen = 0, t0;
	int ret;

	ret = resv_set_init(&s, n, false);
	t0 = ktime_get_ns();
	for (i = 0; i < reps && !ret; i++) {
		dma_resv_lock(&s.obj, NULL);
		dma_resv_for_each_fence(&cursor, &s.obj, DMA_RESV_USAGE_BOOKKEEP,
					fence)
			seen++;
		dma_resv_unlock(&s.obj);
	}
	t0 = ktime_get_ns() - t0;
	resv_set_fini(&s);
	if (ret)
		return ret;
	return seen == reps * n ? t0 : -EINVAL;
}

static s64 resv_iter_unlocked(unsigned int n, u64 reps)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	struct resv_set s;
	u64 i, seen = 0, t0;
	int ret;

	ret = resv_set_init(&s, n, false);
	t0 = ktime_get_ns();
	for (i = 0; i < reps && !ret; i++) {
		dma_resv_iter_begin(&cursor, &s.obj, DMA_RESV_USAGE_BOOKKEEP);
		dma_resv_for_each_fence_unlocked(&cursor, fence)
			seen++;
		dma_resv_iter_end(&cursor);
	}
	t0 = ktime_get_ns() - t0;
	resv_set_fini(&s);
	if (ret)
		return ret;
	return seen == reps * n ? t0 : -EINVAL;
}

static s64 resv_get_fences(unsigned int n, u64 reps)
{
	struct dma_fence **got;
	struct resv_set s;
	unsigned int num, j;
	u64 i, t0;
	int ret;

	ret = resv_set_init(&s, n, false);
	t0 = ktime_get_ns();
	for (i = 0; i < reps && !ret; i++) {
		ret = dma_resv_get_fences(&s.obj, DMA_RESV_USAGE_READ, &num,
					  &got);
		if (ret)
			break;
		if (num != n)
			ret = -EINVAL;
		for (j = 0; j < num; j++)
			dma_fence_put(got[j]);
		kfree(got);
	}
	t0 = ktime_get_ns() - t0;
	resv_set_fini(&s);
	return ret ? ret : t0;
}

static s64 resv_get_singleton(unsigned int n, u64 reps)
{
	struct dma_fence *got;
	struct resv_set s;
	u64 i, t0;
	int ret;

	ret = resv_set_init(&s, n, false);
	t0 = ktime_get_ns();
	for (i = 0; i < reps && !ret; i++) {
		ret = dma_resv_get_singleton(&s.obj, DMA_RESV_USAGE_READ, &got);
		if (!ret && !got)
			ret = -EINVAL;
		dma_fence_put(got);
	}
	t0 = ktime_get_ns() - t0;
	resv_set_fini(&s);
	return ret ? ret : t0;
}

/* Every fence signaled: the answer needs a look at all of them. */
static s64 resv_test_signaled(unsigned int n, u64 reps)
{
	struct resv_set s;
	u64 i, yes = 0, t0;
	int ret;

	ret = resv_set_init(&s, n, true);
	t0 = ktime_get_ns();
	for (i = 0; i < reps && !ret; i++)
		yes += dma_resv_test_signaled(&s.obj, DMA_RESV_USAGE_READ);
	t0 = ktime_get_ns() - t0;
	resv_set_fini(&s);
	if (ret)
		return ret;
	return yes == reps ? t0 : -EINVAL;
}

static s64 resv_copy_fences(unsigned int n, u64 reps)
{
	struct dma_resv dst;
	struct resv_set s;
	u64 i, t0;
	int ret;

	ret = resv_set_init(&s, n, false);
	t0 = ktime_get_ns();
	for (i = 0; i < reps && !ret; i++) {
		dma_resv_init(&dst);
		dma_resv_lock(&dst, NULL);
		ret = dma_resv_copy_fences(&dst, &s.obj);
		dma_resv_unlock(&dst);
		dma_resv_fini(&dst);
	}
	t0 = ktime_get_ns() - t0;
	resv_set_fini(&s);
	return ret ? ret : t0;
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
		f = c->err ? NULL : fence_at(s->f[k]->context, ++seqno);
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

/* ---- containers ---- */

/* Create an array over n fresh fences, signal them, wait for the array. */
static s64 array_create_signal(unsigned int n, u64 reps)
{
	struct dma_fence_array *array;
	struct dma_fence **f;
	u64 i, t0 = ktime_get_ns();
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
	return ret ? ret : ktime_get_ns() - t0;
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

/* An op is one link: alloc and init, and its share of the release. */
static s64 chain_append(unsigned int n, u64 reps)
{
	struct dma_fence *f = fence_at(dma_fence_context_alloc(1), 1);
	struct dma_fence *head;
	u64 i, t0;
	int ret = 0;

	if (!f)
		return -ENOMEM;
	t0 = ktime_get_ns();
	for (i = 0; i < reps && !ret; i++) {
		head = chain_build(f, n);
		if (!head)
			ret = -ENOMEM;
		dma_fence_put(head);
	}
	t0 = ktime_get_ns() - t0;
	dma_fence_signal(f);
	dma_fence_put(f);
	return ret ? ret : t0;
}

/* Looks up the middle seqno of an unsignaled chain of n links. */
static s64 chain_find_seqno(unsigned int n, u64 reps)
{
	struct dma_fence *f = fence_at(dma_fence_context_alloc(1), 1);
	struct dma_fence *head, *it;
	u64 i, t0 = 0;
	int ret = 0;

	if (!f)
		return -ENOMEM;
	head = chain_build(f, n);
	if (!head)
		ret = -ENOMEM;
	t0 = ktime_get_ns();
	for (i = 0; i < reps && !ret; i++) {
		it = dma_fence_get(head);
		ret = dma_fence_chain_find_seqno(&it, n / 2 + 1);
		if (!ret && (!it || it->seqno != n / 2 + 1))
			ret = -EINVAL;
		dma_fence_put(it);
	}
	t0 = ktime_get_ns() - t0;
	dma_fence_put(head);
	dma_fence_signal(f);
	dma_fence_put(f);
	return ret ? ret : t0;
}

/*
 * Walks a chain of n links whose fences have all signaled, which unlinks
 * them as it goes; only the walk is timed, the chain is rebuilt for each.
 */
static s64 chain_walk_gc(unsigned int n, u64 reps)
{
	struct dma_fence *f = fence_at(dma_fence_context_alloc(1), 1);
	struct dma_fence *head, *it;
	u64 i, t0, total = 0, visited = 0;
	int ret = 0;

	if (!f)
		return -ENOMEM;
	dma_fence_signal(f);
	for (i = 0; i < reps && !ret; i++) {
		head = chain_build(f, n);
		if (!head) {
			ret = -ENOMEM;
			break;
		}
		t0 = ktime_get_ns();
		dma_fence_chain_for_each(it, head)
			visited++;
		total += ktime_get_ns() - t0;
		dma_fence_put(head);
	}
	dma_fence_put(f);
	/* Only the head is visited: every earlier link has signaled. */
	if (!ret && visited != reps)
		ret = -EINVAL;
	return ret ? ret : total;
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
	t0 = ktime_get_ns();
	for (i = 0; i < reps && !ret; i++) {
		merged = __dma_fence_unwrap_merge(n, f, cursors);
		if (!merged)
			ret = -ENOMEM;
		dma_fence_put(merged);
	}
	t0 = ktime_get_ns() - t0;
out:
	kfree(cursors);
	fences_put(f, n);
	return ret ? ret : t0;
}

/* ---- dma-bufs, from an exporter of our own ---- */

static struct device *bench_dev;

/* The exporter's buffer: one page, also its kernel mapping. */
struct bench_buf {
	struct page *page;
	atomic_t *released; /* counts releases, so a row can wait for them */
};

static struct sg_table *bench_map(struct dma_buf_attachment *a,
				  enum dma_data_direction dir)
{
	struct bench_buf *b = a->dmabuf->priv;
	struct sg_table *sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);

	if (!sgt)
		return ERR_PTR(-ENOMEM);
	if (sg_alloc_table(sgt, 1, GFP_KERNEL)) {
		kfree(sgt);
		return ERR_PTR(-ENOMEM);
	}
	sg_set_page(sgt->sgl, b->page, PAGE_SIZE, 0);
	return sgt;
}

static void bench_unmap(struct dma_buf_attachment *a, struct sg_table *sgt,
			enum dma_data_direction dir)
{
	sg_free_table(sgt);
	kfree(sgt);
}

static void bench_release(struct dma_buf *dmabuf)
{
	struct bench_buf *b = dmabuf->priv;

	atomic_inc(b->released);
	__free_page(b->page);
	kfree(b);
}

static int bench_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct bench_buf *b = dmabuf->priv;

	iosys_map_set_vaddr(map, page_address(b->page));
	return 0;
}

static int bench_cpu_access(struct dma_buf *dmabuf,
			    enum dma_data_direction dir)
{
	return 0;
}

static const struct dma_buf_ops bench_buf_ops = {
	.cache_sgt_mapping = true,
	.map_dma_buf = bench_map,
	.unmap_dma_buf = bench_unmap,
	.release = bench_release,
	.vmap = bench_vmap,
	.begin_cpu_access = bench_cpu_access,
	.end_cpu_access = bench_cpu_access,
};

static struct dma_buf *bench_export(atomic_t *released)
{
	DEFINE_DMA_BUF_EXPORT_INFO(info);
	struct bench_buf *b = kzalloc(sizeof(*b), GFP_KERNEL);
	struct dma_buf *dmabuf;

	if (!b)
		return ERR_PTR(-ENOMEM);
	b->page = alloc_page(GFP_KERNEL);
	if (!b->page) {
		kfree(b);
		return ERR_PTR(-ENOMEM);
	}
	b->released = released;
	info.ops = &bench_buf_ops;
	info.size = PAGE_SIZE;
	info.flags = O_RDWR;
	info.priv = b;
	dmabuf = dma_buf_export(&info);
	if (IS_ERR(dmabuf)) {
		__free_page(b->page);
		kfree(b);
	}
	return dmabuf;
}

/* Waits until @released reaches @want (the files go through fput's worker). */
static int wait_released(atomic_t *released, u64 want)
{
	unsigned int ms = 0;

	while (atomic_read(released) < want) {
		if (++ms > 10000)
			return -ETIMEDOUT;
		usleep_range(200, 400);
	}
	return 0;
}

/* Export and put; the time includes the release by the fput worker. */
static s64 dmabuf_export_put(unsigned int n, u64 reps)
{
	atomic_t released = ATOMIC_INIT(0);
	struct dma_buf *dmabuf;
	u64 i, t0 = ktime_get_ns();
	int ret = 0;

	for (i = 0; i < reps && !ret; i++) {
		dmabuf = bench_export(&released);
		if (IS_ERR(dmabuf)) {
			ret = PTR_ERR(dmabuf);
			break;
		}
		dma_buf_put(dmabuf);
		if (!(i % 256))
			cond_resched();
	}
	ret = wait_released(&released, i) ?: ret;
	return ret ? ret : ktime_get_ns() - t0;
}

/* Runs @body on a fresh buffer, then drops it and waits for its release. */
static s64 with_buf(u64 reps, s64 (*body)(struct dma_buf *dmabuf, u64 reps))
{
	atomic_t released = ATOMIC_INIT(0);
	struct dma_buf *dmabuf = bench_export(&released);
	s64 t;
	int ret;

	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	t = body(dmabuf, reps);
	dma_buf_put(dmabuf);
	ret = wait_released(&released, 1);
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
	atomic_t released = ATOMIC_INIT(0);
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
	dmabuf = bench_export(&released);
	if (!IS_ERR(dmabuf)) {
		mem_report("ksize_dma_buf", 1, ksize(dmabuf));
		a = dma_buf_attach(dmabuf, bench_dev);
		if (!IS_ERR(a)) {
			mem_report("ksize_dma_buf_attachment", 1, ksize(a));
			dma_buf_detach(dmabuf, a);
		}
		dma_buf_put(dmabuf);
		wait_released(&released, 1);
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

static const struct row rows[] = {
	{ "fence_init_signal_put", fence_init_signal_put, false, { 1 } },
	{ "fence_callbacks_signal", fence_callbacks_signal, false,
	  { 1, 8, 64 } },
	{ "fence_is_signaled", fence_is_signaled, false, { 1 } },
	{ "fence_wait_signaled", fence_wait_signaled, false, { 1 } },
	{ "fence_wait_any", fence_wait_any, false, { 2, 16, 256 } },
	{ "resv_add_distinct", resv_add_distinct, true,
	  { 1, 16, 256, 4096 } },
	{ "resv_add_same_context", resv_add_same_context, true,
	  { 1, 16, 256, 4096 } },
	{ "resv_iter_locked", resv_iter_locked, false, { 1, 16, 256, 4096 } },
	{ "resv_iter_unlocked", resv_iter_unlocked, false,
	  { 1, 16, 256, 4096 } },
	{ "resv_get_fences", resv_get_fences, false, { 1, 16, 256, 4096 } },
	{ "resv_get_singleton", resv_get_singleton, false,
	  { 1, 16, 256, 4096 } },
	{ "resv_test_signaled", resv_test_signaled, false,
	  { 1, 16, 256, 4096 } },
	{ "resv_copy_fences", resv_copy_fences, false, { 1, 16, 256, 4096 } },
	{ "array_create_signal", array_create_signal, false, { 2, 32, 1024 } },
	{ "chain_append", chain_append, true, { 1, 100, 10000, 100000 } },
	{ "chain_find_seqno", chain_find_seqno, false,
	  { 1, 100, 10000, 100000 } },
	{ "chain_walk_gc", chain_walk_gc, false, { 1, 100, 10000, 100000 } },
	{ "unwrap_merge", unwrap_merge, false, { 2, 32, 1024 } },
	{ "dmabuf_export_put", dmabuf_export_put, false, { 1 } },
	{ "dmabuf_attach_map_detach", dmabuf_attach_map_detach, false, { 1 } },
	{ "dmabuf_map_unmap_cached", dmabuf_map_unmap_cached, false, { 1 } },
	{ "dmabuf_vmap_vunmap", dmabuf_vmap_vunmap, false, { 1 } },
	{ "dmabuf_cpu_access", dmabuf_cpu_access, false, { 1 } },
};

static const unsigned int contended_ns[] = { 16 };
static const unsigned int mem_resv_ns[] = { 1, 16, 256, 4096 };

static DECLARE_COMPLETION(bench_done);

static bool selected(const char *name)
{
	return !only || !*only || !strncmp(name, only, strlen(only));
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

static int bench_all(void *unused)
{
	const struct row *r;
	unsigned int i, j;
	int ret;

	for (i = 0; i < ARRAY_SIZE(rows) && !stop_all; i++) {
		r = &rows[i];
		if (!selected(r->name))
			continue;
		for (j = 0; j < ARRAY_SIZE(r->ns) && r->ns[j] && !stop_all; j++)
			row_report(r, r->ns[j]);
	}
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
MODULE_IMPORT_NS(DMA_BUF);
