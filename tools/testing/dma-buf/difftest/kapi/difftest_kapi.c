// SPDX-License-Identifier: GPL-2.0-only
/*
 * difftest_kapi: the kernel-API half of the differential test.
 *
 * The same source is built out of tree against our drivers/dma-buf and
 * against the pristine 6.1 one, loaded on each, and the text it leaves in
 * /sys/kernel/debug/difftest_kapi is compared line by line.  Every line is
 *
 *	<suite>.<case> <observation>
 *
 * (lines starting with '#' are comments).  Nothing printed may depend on
 * the boot: a fence is named t<timeline>:<seqno> after the module's own
 * timelines, containers by what they hold, time only by presence or
 * order, and orders only where 6.1 defines one (callback order, the order
 * of a container's members, the slot order a reservation object's
 * iterators walk).
 *
 * Scripted cases come first, then "sequences" short random programs
 * (random_kapi.<n>) driven by a splitmix64 generator seeded from "seed",
 * single-threaded and free of timing.  Everything except the cases that
 * need the loading process's file table runs in a kthread of its own, so
 * that the last dma_buf_put() of a buffer releases it through the delayed
 * fput worker while the case still watches.
 */
#include <linux/anon_inodes.h>
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/dma-fence-array.h>
#include <linux/dma-fence-chain.h>
#include <linux/dma-fence-unwrap.h>
#include <linux/dma-resv.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iosys-map.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

static unsigned long seed = 1;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "seed of the random sequences");

static unsigned int sequences = 2000;
module_param(sequences, uint, 0444);
MODULE_PARM_DESC(sequences, "number of random sequences");

/* ---- output ---------------------------------------------------------- */

#define OUT_SIZE	(8u << 20)
#define LINE_LEN	200

static char *out_buf;
static size_t out_len;
static bool out_full;
static char cur_case[48];
static unsigned int n_scripted_cases;
static unsigned int n_lines;

static void out_put(const char *s, size_t n)
{
	static const char marker[] = "# output overflow, the rest is lost\n";

	if (out_full)
		return;
	if (out_len + n + sizeof(marker) > OUT_SIZE) {
		memcpy(out_buf + out_len, marker, sizeof(marker) - 1);
		out_len += sizeof(marker) - 1;
		out_full = true;
		return;
	}
	memcpy(out_buf + out_len, s, n);
	out_len += n;
}

/* One observation of the current case, cut to LINE_LEN characters. */
static __printf(1, 2) void emit(const char *fmt, ...)
{
	char line[LINE_LEN + 2];
	va_list ap;
	int n;

	n = scnprintf(line, LINE_LEN + 1, "%s ", cur_case);
	va_start(ap, fmt);
	n += vscnprintf(line + n, LINE_LEN + 1 - n, fmt, ap);
	va_end(ap);
	line[n++] = '\n';
	out_put(line, n);
	n_lines++;
}

static void begin_case(const char *name)
{
	strscpy(cur_case, name, sizeof(cur_case));
	n_scripted_cases++;
}

/* A line being put together. */
struct sb {
	char s[LINE_LEN + 1];
	int n;
};

static __printf(2, 3) void sb_add(struct sb *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	b->n += vscnprintf(b->s + b->n, sizeof(b->s) - b->n, fmt, ap);
	va_end(ap);
}

static void sb_reset(struct sb *b)
{
	b->n = 0;
	b->s[0] = 0;
}

/* ---- the module's fences and timelines --------------------------------- */

#define MAX_TL 8

static u64 tl_ctx[MAX_TL];
static u64 tl_next[MAX_TL];
static unsigned int tl_count;
static struct dma_fence *global_stub;

/* A fence of ours; base first, so that the core's kfree() frees it all. */
struct kf {
	struct dma_fence base;
	spinlock_t lock; /* the fence's lock, taken only by the core */
	bool report_signaled; /* what ops->signaled answers */
	unsigned int enable_calls; /* ops->enable_signaling calls */
};

static const char *kf_name(struct dma_fence *f)
{
	return "difftest";
}

static bool kf_signaled(struct dma_fence *f)
{
	return container_of(f, struct kf, base)->report_signaled;
}

static bool kf_enable(struct dma_fence *f)
{
	container_of(f, struct kf, base)->enable_calls++;
	return true;
}

/* The two fence kinds differ only in the width of their seqnos. */
#define KF_OPS(wide) {					\
	.use_64bit_seqno = (wide),			\
	.get_driver_name = kf_name,			\
	.get_timeline_name = kf_name,			\
	.signaled = kf_signaled,			\
	.enable_signaling = kf_enable,			\
}

static const struct dma_fence_ops kf_ops = KF_OPS(false);
static const struct dma_fence_ops kf64_ops = KF_OPS(true);

static struct kf *to_kf(struct dma_fence *f)
{
	if (f->ops != &kf_ops && f->ops != &kf64_ops)
		return NULL;
	return container_of(f, struct kf, base);
}

/* Starts a new set of @n timelines, t0 .. t<n-1>. */
static void tl_reset(unsigned int n)
{
	u64 base = dma_fence_context_alloc(n);
	unsigned int i;

	for (i = 0; i < n; i++) {
		tl_ctx[i] = base + i;
		tl_next[i] = 1;
	}
	tl_count = n;
}

static int tl_index(u64 ctx)
{
	unsigned int i;

	for (i = 0; i < tl_count; i++)
		if (tl_ctx[i] == ctx)
			return i;
	return -1;
}

static struct dma_fence *kf_make(const struct dma_fence_ops *ops,
				 unsigned int t, u64 seqno)
{
	struct kf *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	spin_lock_init(&f->lock);
	dma_fence_init(&f->base, ops, &f->lock, tl_ctx[t], seqno);
	if (seqno >= tl_next[t])
		tl_next[t] = seqno + 1;
	return &f->base;
}

/* The next fence of timeline @t. */
static struct dma_fence *kf_new(unsigned int t)
{
	return kf_make(&kf_ops, t, tl_next[t]);
}

static void put_signaled(struct dma_fence *f)
{
	if (!f)
		return;
	dma_fence_signal(f);
	dma_fence_put(f);
}

static void fdesc_depth(struct sb *b, struct dma_fence *f, int depth);

/* A fence, canonically: t<i>:<seqno>, or the kind of core-made fence. */
static void fdesc(struct sb *b, struct dma_fence *f)
{
	fdesc_depth(b, f, 0);
}

static void fdesc_depth(struct sb *b, struct dma_fence *f, int depth)
{
	struct dma_fence_array *array;
	struct dma_fence_chain *chain;
	unsigned int i;
	int t;

	if (!f) {
		sb_add(b, "null");
		return;
	}
	if (IS_ERR(f)) {
		sb_add(b, "err%ld", PTR_ERR(f));
		return;
	}
	if (to_kf(f)) {
		t = tl_index(f->context);
		if (t < 0)
			sb_add(b, "ctx?:%llu", f->seqno);
		else
			sb_add(b, "t%d:%llu", t, f->seqno);
		return;
	}
	if (depth > 3) {
		sb_add(b, "...");
		return;
	}
	array = to_dma_fence_array(f);
	if (array) {
		sb_add(b, "array(");
		for (i = 0; i < array->num_fences; i++) {
			if (i)
				sb_add(b, ",");
			fdesc_depth(b, array->fences[i], depth + 1);
		}
		sb_add(b, ")");
		return;
	}
	chain = to_dma_fence_chain(f);
	if (chain) {
		sb_add(b, "chain%llu(", f->seqno);
		fdesc_depth(b, chain->fence, depth + 1);
		sb_add(b, ")");
		return;
	}
	if (f == global_stub) {
		sb_add(b, "stub");
		return;
	}
	sb_add(b, "other(%s)", f->ops->get_driver_name(f));
}

/* Status as dma_fence_get_status() has it, plus the timestamp's presence. */
static void fstate(struct sb *b, struct dma_fence *f)
{
	int status = dma_fence_get_status(f);

	sb_add(b, "status=%d err=%d ts=%s en=%d", status, f->error,
	       test_bit(DMA_FENCE_FLAG_TIMESTAMP_BIT, &f->flags) ?
	       "set" : "unset",
	       test_bit(DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, &f->flags));
}

static void emit_fence(const char *what, struct dma_fence *f)
{
	struct sb b;

	sb_reset(&b);
	fdesc(&b, f);
	if (f && !IS_ERR(f)) {
		sb_add(&b, " ");
		fstate(&b, f);
	}
	emit("%s %s", what, b.s);
}

/* ---- callbacks ------------------------------------------------------- */

static char cb_log[128];
static int cb_len;

struct cbrec {
	struct dma_fence_cb cb;
	int id;
	int error_seen;
};

static void cb_func(struct dma_fence *f, struct dma_fence_cb *cb)
{
	struct cbrec *r = container_of(cb, struct cbrec, cb);

	r->error_seen = f->error;
	cb_len += scnprintf(cb_log + cb_len, sizeof(cb_log) - cb_len, "%s%d",
			    cb_len ? "," : "", r->id);
}

static void cb_reset(void)
{
	cb_len = 0;
	cb_log[0] = 0;
}

static const char *cb_seen(void)
{
	return cb_len ? cb_log : "none";
}

/* ---- a fence signaled later from a workqueue --------------------------- */

static struct dma_fence *late_fence;

static void late_signal(struct work_struct *work)
{
	dma_fence_signal(late_fence);
}

static DECLARE_DELAYED_WORK(late_work, late_signal);

#define LATE_MS 100

static void late_start(struct dma_fence *f)
{
	late_fence = f;
	schedule_delayed_work(&late_work, msecs_to_jiffies(LATE_MS));
}

/* Waits for the signal, so that the next case starts from quiet. */
static void late_finish(void)
{
	flush_delayed_work(&late_work);
	late_fence = NULL;
}

/* ---- fence cases ----------------------------------------------------- */

/* Begins case @name on one new timeline; returns its first fence. */
static struct dma_fence *fence_case(const char *name)
{
	begin_case(name);
	tl_reset(1);
	return kf_new(0);
}

static void case_fence_init(void)
{
	struct dma_fence *f;

	f = fence_case("fence.init");
	if (!f)
		return;
	emit_fence("new", f);
	emit("is_signaled=%d enable_bit=%d", dma_fence_is_signaled(f),
	     test_bit(DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, &f->flags));
	emit("ret=%d", dma_fence_signal(f));
	emit_fence("signaled", f);
	emit("again ret=%d", dma_fence_signal(f));
	emit("is_signaled=%d", dma_fence_is_signaled(f));
	dma_fence_put(f);
}

static void case_fence_error(void)
{
	struct dma_fence *f;

	f = fence_case("fence.error");
	if (!f)
		return;
	dma_fence_set_error(f, -EIO);
	emit_fence("set_error pending", f);
	emit("signal ret=%d", dma_fence_signal(f));
	emit_fence("signaled", f);
	emit("wait ret=%ld", dma_fence_wait(f, false));
	emit("wait_timeout0 ret=%ld", dma_fence_wait_timeout(f, false, 0));
	dma_fence_put(f);

	f = kf_new(0);
	if (!f)
		return;
	dma_fence_set_error(f, -ECANCELED);
	dma_fence_set_error(f, -ETIMEDOUT);
	dma_fence_signal(f);
	emit_fence("two errors", f);
	dma_fence_put(f);
}

static void case_fence_timestamp(void)
{
	struct dma_fence *f, *g;
	ktime_t ts = ns_to_ktime(123456789);
	unsigned long flags;
	int ret;

	f = fence_case("fence.timestamp");
	g = kf_new(0);
	if (!f || !g)
		goto out;
	emit("signal_timestamp ret=%d", dma_fence_signal_timestamp(f, ts));
	emit("given=%d", ktime_compare(f->timestamp, ts) == 0);
	ret = dma_fence_signal_timestamp(f, 0);
	emit("again ret=%d given=%d", ret, ktime_compare(f->timestamp, ts) == 0);
	spin_lock_irqsave(g->lock, flags);
	emit("signal_locked ret=%d", dma_fence_signal_locked(g));
	emit("signal_locked again ret=%d", dma_fence_signal_locked(g));
	spin_unlock_irqrestore(g->lock, flags);
	emit_fence("locked", g);
	emit("ts_f<=ts_g=%d", ktime_compare(f->timestamp, g->timestamp) <= 0);
out:
	put_signaled(f);
	put_signaled(g);
}

static void case_fence_callbacks(void)
{
	struct cbrec r[4] = { { .id = 1 }, { .id = 2 }, { .id = 3 },
			      { .id = 4 } };
	struct dma_fence *f;
	int i;

	f = fence_case("fence.callback_order");
	if (!f)
		return;
	cb_reset();
	for (i = 0; i < 3; i++)
		emit("add cb=%d ret=%d", r[i].id,
		     dma_fence_add_callback(f, &r[i].cb, cb_func));
	emit("enable_calls=%u", to_kf(f)->enable_calls);
	dma_fence_signal(f);
	emit("signaled cb=%s", cb_seen());
	cb_reset();
	i = dma_fence_add_callback(f, &r[3].cb, cb_func);
	emit("add on signaled ret=%d cb=%s", i, cb_seen());
	emit("remove after signal ret=%d",
	     dma_fence_remove_callback(f, &r[0].cb));
	dma_fence_put(f);

	begin_case("fence.callback_remove");
	f = kf_new(0);
	if (!f)
		return;
	cb_reset();
	for (i = 0; i < 3; i++)
		dma_fence_add_callback(f, &r[i].cb, cb_func);
	emit("remove cb=2 ret=%d", dma_fence_remove_callback(f, &r[1].cb));
	emit("remove cb=2 again ret=%d",
	     dma_fence_remove_callback(f, &r[1].cb));
	emit("re-add cb=2 ret=%d", dma_fence_add_callback(f, &r[1].cb,
							  cb_func));
	dma_fence_set_error(f, -EIO);
	dma_fence_signal(f);
	emit("signaled cb=%s error_seen=%d,%d,%d", cb_seen(),
	     r[0].error_seen, r[1].error_seen, r[2].error_seen);
	i = dma_fence_remove_callback(f, &r[2].cb);
	emit("remove cb=3 after ret=%d", i);
	dma_fence_put(f);
}

static void case_fence_wait(void)
{
	struct dma_fence *f;
	int intr;

	f = fence_case("fence.wait_timeout");
	if (!f)
		return;
	for (intr = 0; intr < 2; intr++) {
		emit("pending intr=%d t=0 ret=%ld", intr,
		     dma_fence_wait_timeout(f, intr, 0));
		emit("pending intr=%d t=1 ret=%ld", intr,
		     dma_fence_wait_timeout(f, intr, 1));
	}
	emit("enable_bit=%d enable_calls=%u",
	     test_bit(DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, &f->flags),
	     to_kf(f)->enable_calls);
	dma_fence_signal(f);
	for (intr = 0; intr < 2; intr++) {
		emit("signaled intr=%d t=0 ret=%ld", intr,
		     dma_fence_wait_timeout(f, intr, 0));
		emit("signaled intr=%d t=1 ret=%ld", intr,
		     dma_fence_wait_timeout(f, intr, 1));
		emit("signaled intr=%d t=100 ret=%ld", intr,
		     dma_fence_wait_timeout(f, intr, 100));
		emit("signaled intr=%d t=max ret_is_max=%d", intr,
		     dma_fence_wait_timeout(f, intr, MAX_SCHEDULE_TIMEOUT) ==
		     MAX_SCHEDULE_TIMEOUT);
	}
	emit("wait ret=%ld", dma_fence_wait(f, true));
	emit("default_wait t=5 ret=%ld", dma_fence_default_wait(f, false, 5));
	dma_fence_put(f);

	/* The fence's own ops->signaled answers yes: a wait returns at once. */
	f = kf_new(0);
	if (!f)
		return;
	to_kf(f)->report_signaled = true;
	emit("ops_signaled t=0 ret=%ld", dma_fence_wait_timeout(f, false, 0));
	emit("ops_signaled t=7 ret=%ld", dma_fence_wait_timeout(f, false, 7));
	emit_fence("after", f);
	dma_fence_put(f);

	begin_case("fence.wait_late");
	f = kf_new(0);
	if (!f)
		return;
	late_start(f);
	emit("wait ret=%ld", dma_fence_wait(f, false));
	emit("signaled=%d", dma_fence_is_signaled(f));
	late_finish();
	dma_fence_put(f);
}

/* dma_fence_wait_any_timeout() over @f[0..@n-1], and what it answers. */
static void wait_any_show(const char *what, struct dma_fence **f, u32 n,
			  bool intr, long timeout)
{
	u32 idx = 99;
	long ret = dma_fence_wait_any_timeout(f, n, intr, timeout, &idx);

	emit("%s ret=%ld idx=%u", what, ret, idx);
}

static void case_fence_wait_any(void)
{
	struct dma_fence *f[3] = {};
	u32 idx;
	long ret;
	int i;

	begin_case("fence.wait_any");
	tl_reset(3);
	for (i = 0; i < 3; i++) {
		f[i] = kf_new(i);
		if (!f[i])
			goto out;
	}
	wait_any_show("all pending t=0", f, 3, false, 0);
	wait_any_show("all pending t=1", f, 3, true, 1);
	dma_fence_signal(f[1]);
	wait_any_show("t1 signaled t=0", f, 3, false, 0);
	wait_any_show("t1 signaled t=10", f, 3, false, 10);
	ret = dma_fence_wait_any_timeout(f, 3, false, 10, NULL);
	emit("t1 signaled t=10 no idx ret=%ld", ret);
	dma_fence_signal(f[2]);
	wait_any_show("t1,t2 signaled t=10", f, 3, false, 10);
	wait_any_show("one signaled count=1 t=0", f + 2, 1, false, 0);

	/* ret is the time left: only its sign is stable. */
	late_start(f[0]);
	idx = 99;
	ret = dma_fence_wait_any_timeout(f, 1, false, 10 * HZ, &idx);
	emit("late count=1 ret>0=%d idx=%u", ret > 0, idx);
	late_finish();
out:
	for (i = 0; i < 3; i++)
		put_signaled(f[i]);
}

static void case_fence_is_later(void)
{
	static const u64 pairs[][2] = {
		{ 2, 1 }, { 1, 2 }, { 1, 1 }, { 0, 0 },
		{ 1, 0xffffffffull }, { 0xffffffffull, 1 },
		{ 0x80000000ull, 0 }, { 0x7fffffffull, 0 },
		{ 0x100000001ull, 1 }, { 1, 0x100000001ull },
		{ 0x100000000ull, 0xffffffffull },
		{ 0xffffffffffffffffull, 0 }, { 0, 0xffffffffffffffffull },
	};
	struct dma_fence *a, *b;
	unsigned int i;
	int w;

	begin_case("fence.is_later");
	tl_reset(1);
	for (w = 0; w < 2; w++) {
		const struct dma_fence_ops *ops = w ? &kf64_ops : &kf_ops;

		for (i = 0; i < ARRAY_SIZE(pairs); i++) {
			a = kf_make(ops, 0, pairs[i][0]);
			b = kf_make(ops, 0, pairs[i][1]);
			if (!a || !b) {
				put_signaled(a);
				put_signaled(b);
				return;
			}
			emit("%s %llx vs %llx is_later=%d raw=%d later_or_same=%d later=%s",
			     w ? "64bit" : "32bit", pairs[i][0], pairs[i][1],
			     dma_fence_is_later(a, b),
			     __dma_fence_is_later(pairs[i][0], pairs[i][1],
						  ops),
			     dma_fence_is_later_or_same(a, b),
			     dma_fence_later(a, b) == a ? "a" :
			     dma_fence_later(a, b) == b ? "b" : "null");
			put_signaled(a);
			put_signaled(b);
		}
	}
}

static void case_fence_stub(void)
{
	struct dma_fence *s1, *s2, *p1, *p2;
	ktime_t ts = ns_to_ktime(5000);

	begin_case("fence.stub");
	s1 = dma_fence_get_stub();
	s2 = dma_fence_get_stub();
	emit("same=%d signaled=%d status=%d err=%d ts=%s", s1 == s2,
	     dma_fence_is_signaled(s1), dma_fence_get_status(s1), s1->error,
	     test_bit(DMA_FENCE_FLAG_TIMESTAMP_BIT, &s1->flags) ?
	     "set" : "unset");
	emit("ctx0=%d seqno=%llu driver=%s timeline=%s", s1->context == 0,
	     s1->seqno, s1->ops->get_driver_name(s1),
	     s1->ops->get_timeline_name(s1));
	emit("enable_bit=%d ts_zero=%d", test_bit(DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT,
						  &s1->flags),
	     ktime_to_ns(s1->timestamp) == 0);
	emit("signal ret=%d", dma_fence_signal(s1));
	dma_fence_put(s1);
	dma_fence_put(s2);

	begin_case("fence.private_stub");
	p1 = dma_fence_allocate_private_stub(ts);
	p2 = dma_fence_allocate_private_stub(ktime_set(0, 0));
	if (!p1 || !p2) {
		emit("alloc failed");
		goto out;
	}
	emit("distinct=%d not_global=%d", p1 != p2, p1 != global_stub);
	emit("signaled=%d status=%d err=%d ts=%s given=%d",
	     dma_fence_is_signaled(p1), dma_fence_get_status(p1), p1->error,
	     test_bit(DMA_FENCE_FLAG_TIMESTAMP_BIT, &p1->flags) ?
	     "set" : "unset", ktime_compare(p1->timestamp, ts) == 0);
	emit("zero ts given=%d", ktime_to_ns(p2->timestamp) == 0);
	emit("ctx0=%d seqno=%llu driver=%s same_ops=%d", p1->context == 0,
	     p1->seqno, p1->ops->get_driver_name(p1),
	     p1->ops == global_stub->ops);
	emit("enable_bit=%d", test_bit(DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT,
				       &p1->flags));
	emit("signal ret=%d", dma_fence_signal(p1));
out:
	if (p1)
		dma_fence_put(p1);
	if (p2)
		dma_fence_put(p2);
}

static void case_fence_enable(void)
{
	struct dma_fence *f;
	int ret;
	struct cbrec r = { .id = 1 };

	f = fence_case("fence.enable_sw_signaling");
	if (!f)
		return;
	dma_fence_enable_sw_signaling(f);
	dma_fence_enable_sw_signaling(f);
	emit("pending twice calls=%u bit=%d", to_kf(f)->enable_calls,
	     test_bit(DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, &f->flags));
	ret = dma_fence_add_callback(f, &r.cb, cb_func);
	emit("add_callback ret=%d calls=%u", ret, to_kf(f)->enable_calls);
	cb_reset();
	dma_fence_signal(f);
	emit("signaled cb=%s", cb_seen());
	dma_fence_put(f);

	f = kf_new(0);
	if (!f)
		return;
	dma_fence_signal(f);
	dma_fence_enable_sw_signaling(f);
	emit("signaled first calls=%u bit=%d", to_kf(f)->enable_calls,
	     test_bit(DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, &f->flags));
	dma_fence_put(f);
}

static void case_fence_ops_signaled(void)
{
	struct cbrec r = { .id = 7 };
	struct dma_fence *f;
	int ret;

	f = fence_case("fence.ops_signaled");
	if (!f)
		return;
	cb_reset();
	emit("add_callback ret=%d", dma_fence_add_callback(f, &r.cb, cb_func));
	emit("flag_before=%d status=%d",
	     test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &f->flags),
	     dma_fence_get_status(f));
	to_kf(f)->report_signaled = true;
	emit("flag_unchanged=%d", !test_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
					    &f->flags));
	ret = dma_fence_is_signaled(f);
	emit("is_signaled=%d", ret);
	emit("flag_after=%d cb=%s", test_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
					     &f->flags), cb_seen());
	emit_fence("after", f);
	emit("signal ret=%d", dma_fence_signal(f));
	dma_fence_put(f);

	f = kf_new(0);
	if (!f)
		return;
	to_kf(f)->report_signaled = true;
	emit("get_status fresh=%d", dma_fence_get_status(f));
	ret = dma_fence_add_callback(f, &r.cb, cb_func);
	emit("add_callback fresh ret=%d cb_unchanged=%s", ret, cb_seen());
	dma_fence_put(f);
}

static void case_fence_get_status(void)
{
	struct dma_fence *f;
	unsigned long flags;

	f = fence_case("fence.get_status");
	if (!f)
		return;
	emit("pending=%d", dma_fence_get_status(f));
	dma_fence_set_error(f, -EINVAL);
	emit("pending with error=%d", dma_fence_get_status(f));
	spin_lock_irqsave(f->lock, flags);
	emit("locked=%d", dma_fence_get_status_locked(f));
	spin_unlock_irqrestore(f->lock, flags);
	dma_fence_signal(f);
	emit("signaled=%d", dma_fence_get_status(f));
	dma_fence_put(f);
}

/* ---- array cases ----------------------------------------------------- */

/*
 * An array over @members (references taken) on context @ctx at @seqno,
 * or NULL without memory.
 */
static struct dma_fence_array *array_new(struct dma_fence **members,
					 unsigned int n, u64 ctx, u64 seqno,
					 bool any)
{
	struct dma_fence **fences;
	struct dma_fence_array *a;
	unsigned int i;

	fences = kcalloc(n, sizeof(*fences), GFP_KERNEL);
	if (!fences)
		return NULL;
	for (i = 0; i < n; i++)
		fences[i] = dma_fence_get(members[i]);
	a = dma_fence_array_create(n, fences, ctx, seqno, any);
	if (!a) {
		for (i = 0; i < n; i++)
			dma_fence_put(fences[i]);
		kfree(fences);
	}
	return a;
}

/* An array over @members at seqno 9 of timeline index @own. */
static struct dma_fence_array *array_of(struct dma_fence **members,
					unsigned int n, unsigned int own,
					bool any)
{
	return array_new(members, n, tl_ctx[own], 9, any);
}

static void array_run(bool any, const int *errors, bool enable)
{
	struct dma_fence *m[3] = {};
	struct dma_fence_array *a;
	struct cbrec r = { .id = 1 };
	unsigned int i;
	struct sb b;

	tl_reset(4);
	for (i = 0; i < 3; i++) {
		m[i] = kf_new(i);
		if (!m[i])
			goto out;
	}
	a = array_of(m, 3, 3, any);
	if (!a)
		goto out;
	sb_reset(&b);
	fdesc(&b, &a->base);
	emit("any=%d enable=%d %s own=t%d:%llu num=%u", any, enable, b.s,
	     tl_index(a->base.context), a->base.seqno, a->num_fences);
	cb_reset();
	if (enable)
		emit("add_callback ret=%d",
		     dma_fence_add_callback(&a->base, &r.cb, cb_func));
	for (i = 0; i < 3; i++) {
		if (errors[i])
			dma_fence_set_error(m[i], errors[i]);
		dma_fence_signal(m[i]);
		emit("member %u signaled err=%d -> array signaled=%d", i,
		     errors[i], dma_fence_is_signaled(&a->base));
	}
	emit("wait ret=%ld", dma_fence_wait(&a->base, false));
	sb_reset(&b);
	fstate(&b, &a->base);
	emit("final %s cb=%s", b.s, cb_seen());
	dma_fence_put(&a->base);
out:
	for (i = 0; i < 3; i++)
		put_signaled(m[i]);
}

static void case_array_signal(void)
{
	static const int none[3], one[3] = { 0, -EIO, 0 },
		two[3] = { -EINVAL, 0, -EIO }, last[3] = { 0, 0, -EIO };
	int any, en;

	begin_case("array.signal");
	for (any = 0; any < 2; any++)
		for (en = 0; en < 2; en++)
			array_run(any, none, en);
	begin_case("array.errors");
	for (any = 0; any < 2; any++) {
		for (en = 0; en < 2; en++) {
			array_run(any, one, en);
			array_run(any, two, en);
			array_run(any, last, en);
		}
	}
}

static void case_array_created_signaled(void)
{
	struct dma_fence *m[2] = {};
	struct dma_fence_array *a;
	unsigned int i;
	struct sb b;
	int any;

	begin_case("array.members_signaled_before");
	for (any = 0; any < 2; any++) {
		tl_reset(3);
		for (i = 0; i < 2; i++) {
			m[i] = kf_new(i);
			if (!m[i])
				goto out;
		}
		dma_fence_set_error(m[0], -ENOSPC);
		dma_fence_signal(m[0]);
		a = array_of(m, 2, 2, any);
		if (!a)
			goto out;
		dma_fence_enable_sw_signaling(&a->base);
		emit("any=%d signaled=%d", any, dma_fence_is_signaled(&a->base));
		dma_fence_signal(m[1]);
		dma_fence_wait(&a->base, false);
		sb_reset(&b);
		fstate(&b, &a->base);
		emit("any=%d final %s", any, b.s);
		dma_fence_put(&a->base);
out:
		for (i = 0; i < 2; i++) {
			put_signaled(m[i]);
			m[i] = NULL;
		}
	}
}

static void case_array_iterate(void)
{
	struct dma_fence *m[3] = {}, *f;
	struct dma_fence_array *a;
	unsigned int i, idx;
	struct sb b;

	begin_case("array.first_next");
	tl_reset(4);
	for (i = 0; i < 3; i++) {
		m[i] = kf_new(i == 2 ? 0 : i);
		if (!m[i])
			goto out;
	}
	a = array_of(m, 3, 3, false);
	if (!a)
		goto out;
	sb_reset(&b);
	dma_fence_array_for_each(f, idx, &a->base) {
		fdesc(&b, f);
		sb_add(&b, "@%u ", idx);
	}
	emit("array %s", b.s);
	sb_reset(&b);
	dma_fence_array_for_each(f, idx, m[1]) {
		fdesc(&b, f);
		sb_add(&b, "@%u ", idx);
	}
	emit("plain %s", b.s);
	emit("first(null)=%d next(plain,1)=%d",
	     !dma_fence_array_first(NULL), !dma_fence_array_next(m[1], 1));
	emit("next(array,3)=%d", !dma_fence_array_next(&a->base, 3));

	begin_case("array.match_context");
	emit("mixed t0=%d t1=%d", dma_fence_match_context(&a->base, tl_ctx[0]),
	     dma_fence_match_context(&a->base, tl_ctx[1]));
	dma_fence_put(&a->base);
	put_signaled(m[1]);
	m[1] = kf_new(0);
	a = m[1] ? array_of(m, 3, 3, false) : NULL;
	if (a) {
		emit("all t0 t0=%d t1=%d own=%d",
		     dma_fence_match_context(&a->base, tl_ctx[0]),
		     dma_fence_match_context(&a->base, tl_ctx[1]),
		     dma_fence_match_context(&a->base, tl_ctx[3]));
		dma_fence_put(&a->base);
	}

	begin_case("array.to_array");
	emit("plain is_array=%d to_array_null=%d is_container=%d",
	     dma_fence_is_array(m[0]), !to_dma_fence_array(m[0]),
	     dma_fence_is_container(m[0]));
	a = array_of(m, 1, 3, false);
	if (a) {
		emit("array is_array=%d to_array_same=%d is_chain=%d is_container=%d",
		     dma_fence_is_array(&a->base),
		     to_dma_fence_array(&a->base) == a,
		     dma_fence_is_chain(&a->base),
		     dma_fence_is_container(&a->base));
		dma_fence_put(&a->base);
	}
out:
	for (i = 0; i < 3; i++)
		put_signaled(m[i]);
}

/* ---- chain cases ----------------------------------------------------- */

/*
 * Appends a link for @fence (reference taken) with @seqno to the chain
 * whose head is *@head (reference moved into the link); *@head becomes
 * the new link.  Returns false when out of memory (then *@head is kept).
 */
static bool chain_add(struct dma_fence **head, struct dma_fence *fence,
		      u64 seqno)
{
	struct dma_fence_chain *c = dma_fence_chain_alloc();

	if (!c)
		return false;
	dma_fence_chain_init(c, *head, dma_fence_get(fence), seqno);
	*head = &c->base;
	return true;
}

/* Signals @f[0..@n-1], then drops the chain @head and them. */
static void chain_drop(struct dma_fence *head, struct dma_fence **f,
		       unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		dma_fence_signal(f[i]);
	dma_fence_put(head);
	for (i = 0; i < n; i++)
		dma_fence_put(f[i]);
}

static void chain_walk_desc(struct sb *b, struct dma_fence *head)
{
	struct dma_fence *it;

	dma_fence_chain_for_each(it, head) {
		struct dma_fence *in = dma_fence_chain_contained(it);

		sb_add(b, "%llu:", it->seqno);
		fdesc(b, in);
		sb_add(b, " ");
	}
}

static void case_chain_init(void)
{
	struct dma_fence *f[4] = {}, *head = NULL;
	struct dma_fence_chain *c;
	u64 prev_ctx = 0;
	unsigned int i;

	begin_case("chain.init");
	tl_reset(2);
	for (i = 0; i < 4; i++) {
		f[i] = kf_new(i & 1);
		if (!f[i])
			goto out;
	}
	for (i = 0; i < 4; i++) {
		static const u64 seqnos[4] = { 2, 4, 3, 10 };

		if (!chain_add(&head, f[i], seqnos[i]))
			goto out;
		c = to_dma_fence_chain(head);
		emit("link %u asked=%llu seqno=%llu prev_seqno=%llu ctx=%s mine=%d",
		     i, seqnos[i], head->seqno, c->prev_seqno,
		     i == 0 ? "new" : head->context == prev_ctx ?
		     "prev" : "new", tl_index(head->context) >= 0);
		prev_ctx = head->context;
	}
	emit("contained=%s", dma_fence_chain_contained(head) == f[3] ?
	     "fence" : "other");
	emit("contained(plain)=%s", dma_fence_chain_contained(f[0]) == f[0] ?
	     "itself" : "other");
	emit("is_chain=%d is_container=%d to_chain(plain)=%d",
	     dma_fence_is_chain(head), dma_fence_is_container(head),
	     !to_dma_fence_chain(f[0]));
out:
	chain_drop(head, f, 4);
}

static void find_one(const char *pfx, struct dma_fence *head, u64 seqno)
{
	struct dma_fence *f = dma_fence_get(head);
	struct sb b;
	int ret;

	ret = dma_fence_chain_find_seqno(&f, seqno);
	sb_reset(&b);
	if (f && to_dma_fence_chain(f)) {
		sb_add(&b, "link%llu(", f->seqno);
		fdesc(&b, dma_fence_chain_contained(f));
		sb_add(&b, ")");
	} else {
		fdesc(&b, f);
	}
	emit("%sfind %llu ret=%d -> %s", pfx, seqno, ret, b.s);
	dma_fence_put(f);
}

static void case_chain_find(void)
{
	struct dma_fence *f[4] = {}, *head = NULL;
	unsigned int i;
	u64 s;
	struct sb b;

	begin_case("chain.find_seqno");
	tl_reset(1);
	for (i = 0; i < 4; i++) {
		f[i] = kf_new(0);
		if (!f[i] || !chain_add(&head, f[i], 2 * (i + 1)))
			goto out;
	}
	for (s = 0; s <= 10; s++)
		find_one("", head, s);
	find_one("", f[0], 0);
	find_one("", f[0], 1);
	dma_fence_signal(f[1]);
	emit("signaled link 4");
	for (s = 0; s <= 9; s++)
		find_one("", head, s);
	dma_fence_signal(f[0]);
	emit("signaled link 2");
	for (s = 0; s <= 9; s++)
		find_one("", head, s);
	sb_reset(&b);
	chain_walk_desc(&b, head);
	emit("walk %s", b.s);
	emit("head signaled=%d", dma_fence_is_signaled(head));
	dma_fence_signal(f[3]);
	emit("signaled head's fence -> head signaled=%d",
	     dma_fence_is_signaled(head));
	for (s = 0; s <= 9; s += 3)
		find_one("", head, s);
	dma_fence_signal(f[2]);
	emit("all signaled head signaled=%d", dma_fence_is_signaled(head));
	for (s = 0; s <= 9; s += 3)
		find_one("", head, s);
out:
	chain_drop(head, f, 4);
}

static void case_chain_walk(void)
{
	static const char * const patterns[] = {
		"0000", "1000", "0100", "0010", "0001", "1100", "0110",
		"1010", "0101", "1110", "0111", "1111",
	};
	struct dma_fence *f[4] = {}, *head = NULL;
	struct cbrec r = { .id = 1 };
	unsigned int p, i;
	struct sb b;
	long ret;

	begin_case("chain.walk");
	for (p = 0; p < ARRAY_SIZE(patterns); p++) {
		tl_reset(2);
		head = NULL;
		for (i = 0; i < 4; i++) {
			f[i] = kf_new(i & 1);
			if (!f[i] || !chain_add(&head, f[i], i + 1))
				goto out;
		}
		for (i = 0; i < 4; i++)
			if (patterns[p][i] == '1')
				dma_fence_signal(f[i]);
		sb_reset(&b);
		chain_walk_desc(&b, head);
		emit("signaled=%s first %s", patterns[p], b.s);
		sb_reset(&b);
		chain_walk_desc(&b, head);
		emit("signaled=%s again %s", patterns[p], b.s);
		emit("signaled=%s head signaled=%d", patterns[p],
		     dma_fence_is_signaled(head));
		cb_reset();
		emit("signaled=%s add_callback ret=%d", patterns[p],
		     dma_fence_add_callback(head, &r.cb, cb_func));
		for (i = 0; i < 4; i++)
			dma_fence_signal(f[i]);
		ret = dma_fence_wait(head, false);
		emit("signaled=%s wait ret=%ld cb=%s", patterns[p], ret,
		     cb_seen());
out:
		for (i = 0; i < 4; i++)
			put_signaled(f[i]);
		memset(f, 0, sizeof(f));
		if (head)
			dma_fence_put(head);
	}
}

static void case_chain_error(void)
{
	struct dma_fence *f[2] = {}, *head = NULL;
	unsigned int i;
	struct sb b;

	begin_case("chain.error");
	tl_reset(1);
	for (i = 0; i < 2; i++) {
		f[i] = kf_new(0);
		if (!f[i] || !chain_add(&head, f[i], i + 1))
			goto out;
	}
	dma_fence_set_error(f[0], -EIO);
	dma_fence_enable_sw_signaling(head);
	dma_fence_signal(f[0]);
	dma_fence_signal(f[1]);
	emit("wait ret=%ld", dma_fence_wait(head, false));
	sb_reset(&b);
	fstate(&b, head);
	emit("head %s", b.s);
out:
	for (i = 0; i < 2; i++)
		put_signaled(f[i]);
	if (head)
		dma_fence_put(head);
}

/* ---- unwrap cases ---------------------------------------------------- */

static void emit_merge(const char *what, struct dma_fence *m,
		       struct dma_fence *alias)
{
	struct sb b;

	sb_reset(&b);
	fdesc(&b, m);
	if (m && alias)
		sb_add(&b, m == alias ? " same" : " new");
	if (m) {
		sb_add(&b, " ");
		fstate(&b, m);
	}
	emit("%s -> %s", what, b.s);
}

/* emit_merge() for a merge nothing else looks at: drops it after. */
static void merge_show(const char *what, struct dma_fence *m,
		       struct dma_fence *alias)
{
	emit_merge(what, m, alias);
	dma_fence_put(m);
}

/* What dma_fence_unwrap_for_each() visits under @head, until the next call. */
static const char *unwrap_list(struct dma_fence *head)
{
	static struct sb b;
	struct dma_fence_unwrap cur;
	struct dma_fence *f;

	sb_reset(&b);
	dma_fence_unwrap_for_each(f, &cur, head) {
		fdesc(&b, f);
		sb_add(&b, " ");
	}
	return b.s;
}

static void case_unwrap(void)
{
	struct dma_fence *f[6] = {}, *m, *chain = NULL;
	struct dma_fence_array *a = NULL;
	unsigned int i;

	begin_case("unwrap.merge_basic");
	tl_reset(4);
	m = __dma_fence_unwrap_merge(0, NULL, NULL);
	emit_merge("none", m, NULL);
	if (m)
		emit("none zero_ts=%d", ktime_to_ns(m->timestamp) == 0);
	if (m)
		dma_fence_put(m);
	for (i = 0; i < 6; i++) {
		f[i] = kf_new(i % 3);
		if (!f[i])
			goto out;
	}
	/* f: t0:1 t1:1 t2:1 t0:2 t1:2 t2:2 */
	merge_show("one", dma_fence_unwrap_merge(f[0]), f[0]);
	merge_show("two", dma_fence_unwrap_merge(f[0], f[1]), NULL);
	merge_show("dup same", dma_fence_unwrap_merge(f[1], f[0], f[0]), NULL);

	begin_case("unwrap.merge_duplicates");
	merge_show("t0:2,t1:1,t0:1,t1:2",
		   dma_fence_unwrap_merge(f[3], f[1], f[0], f[4]), NULL);
	merge_show("t0:1,t0:2", dma_fence_unwrap_merge(f[0], f[3]), NULL);
	merge_show("t2:2,t2:1,t0:1", dma_fence_unwrap_merge(f[5], f[2], f[0]),
		   NULL);

	begin_case("unwrap.merge_signaled");
	dma_fence_signal_timestamp(f[3], ns_to_ktime(2000));
	dma_fence_signal_timestamp(f[4], ns_to_ktime(3000));
	merge_show("t0:1,t0:2(signaled)", dma_fence_unwrap_merge(f[0], f[3]),
		   f[0]);
	m = dma_fence_unwrap_merge(f[3], f[4]);
	emit_merge("all signaled", m, NULL);
	if (m) {
		emit("all signaled ts=latest:%d", ktime_to_ns(m->timestamp) ==
		     3000);
		dma_fence_put(m);
	}
	merge_show("one signaled", dma_fence_unwrap_merge(f[4]), f[4]);

	begin_case("unwrap.merge_errors");
	dma_fence_set_error(f[5], -EIO);
	merge_show("t2:2(err pending),t1:1", dma_fence_unwrap_merge(f[5], f[1]),
		   NULL);
	dma_fence_signal(f[5]);
	merge_show("t2:2(err signaled),t1:1",
		   dma_fence_unwrap_merge(f[5], f[1]), f[1]);
	merge_show("t2:2(err signaled),t0:2(signaled)",
		   dma_fence_unwrap_merge(f[5], f[3]), NULL);

	begin_case("unwrap.merge_nested");
	{
		struct dma_fence *mem[2] = { f[0], f[1] };

		a = array_of(mem, 2, 3, false);
	}
	if (!a || !chain_add(&chain, f[2], 1) || !chain_add(&chain, f[0], 2))
		goto out;
	emit("for_each array %s", unwrap_list(&a->base));
	emit("for_each chain %s", unwrap_list(chain));
	emit("for_each plain %s", unwrap_list(f[1]));
	merge_show("array,chain", dma_fence_unwrap_merge(&a->base, chain),
		   NULL);
	merge_show("chain,t2:2s,array,t0:2s",
		   dma_fence_unwrap_merge(chain, f[5], &a->base, f[3]), NULL);
	merge_show("array alone", dma_fence_unwrap_merge(&a->base), &a->base);
	/* A chain whose link holds an array. */
	if (chain_add(&chain, &a->base, 3)) {
		emit("for_each chain of array %s", unwrap_list(chain));
		merge_show("chain of array,t1:1",
			   dma_fence_unwrap_merge(chain, f[1]), NULL);
	}
	dma_fence_signal(f[0]);
	merge_show("t0:1 signaled: chain,array",
		   dma_fence_unwrap_merge(chain, &a->base), NULL);
out:
	for (i = 0; i < 6; i++)
		put_signaled(f[i]);
	if (a) {
		dma_fence_wait(&a->base, false);
		dma_fence_put(&a->base);
	}
	if (chain)
		dma_fence_put(chain);
}

static void case_unwrap_wrap32(void)
{
	struct dma_fence *a, *b;

	begin_case("unwrap.merge_wrap32");
	tl_reset(1);
	a = kf_make(&kf_ops, 0, 0xfffffffeull);
	b = kf_make(&kf_ops, 0, 0x100000001ull);
	if (a && b) {
		merge_show("fffffffe,100000001", dma_fence_unwrap_merge(a, b),
			   NULL);
		merge_show("100000001,fffffffe", dma_fence_unwrap_merge(b, a),
			   NULL);
	}
	put_signaled(a);
	put_signaled(b);
}

/* array_new()'s all-signaled array, as a fence. */
static struct dma_fence *nest(struct dma_fence **members, unsigned int n,
			      u64 ctx, u64 seqno)
{
	struct dma_fence_array *a = array_new(members, n, ctx, seqno, false);

	return a ? &a->base : NULL;
}

/* What for_each visits under @head, then what merging it with @g gives. */
static void unwrap_show(const char *what, struct dma_fence *head,
			struct dma_fence *g)
{
	char tag[64];

	emit("%s for_each %s", what, unwrap_list(head));
	merge_show(what, dma_fence_unwrap_merge(head), head);
	if (!g)
		return;
	snprintf(tag, sizeof(tag), "%s+other", what);
	merge_show(tag, dma_fence_unwrap_merge(head, g), NULL);
	snprintf(tag, sizeof(tag), "other+%s", what);
	merge_show(tag, dma_fence_unwrap_merge(g, head), NULL);
}

/*
 * Containers where 6.1 allows them without a warning: an array on the
 * context of a fence it does not hold, and a chain whose links hold
 * arrays.  (An array holding a container, or a chain link holding a
 * chain, makes 6.1 warn: those are KUnit's, under an expected warning.)
 */
static void case_unwrap_nested(void)
{
	struct dma_fence *f[5] = {}, *own = NULL, *in = NULL, *chain = NULL;
	struct dma_fence *pair[2];
	unsigned int i;

	begin_case("unwrap.array_on_a_fence_context");
	tl_reset(5);
	for (i = 0; i < 5; i++) {
		f[i] = kf_new(i < 4 ? i : 0);
		if (!f[i])
			goto out;
	}
	/* f: t0:1 t1:1 t2:1 t3:1 t0:2; an array on t0's context, at 9 */
	own = nest(&f[1], 1, tl_ctx[0], 9);
	if (!own)
		goto out;
	merge_show("t0:1+array@t0:9(t1:1)", dma_fence_unwrap_merge(f[0], own),
		   own);
	merge_show("array@t0:9(t1:1)+t0:2+t2:1",
		   dma_fence_unwrap_merge(own, f[4], f[2]), NULL);
	emit("refs own=%u", kref_read(&own->refcount));

	begin_case("unwrap.chain_over_arrays");
	pair[0] = f[0];
	pair[1] = f[1];
	in = nest(pair, 2, dma_fence_context_alloc(1), 1);
	if (!in || !chain_add(&chain, in, 1) || !chain_add(&chain, f[2], 2))
		goto out;
	unwrap_show("chain(array(t0:1,t1:1),t2:1)", chain, f[3]);
	merge_show("t0:2+chain(array,t2:1)",
		   dma_fence_unwrap_merge(f[4], chain), NULL);
	dma_fence_signal(f[0]);
	unwrap_show("t0:1 done: chain(array,t2:1)", chain, NULL);
	emit("refs in=%u chain=%u", kref_read(&in->refcount),
	     kref_read(&chain->refcount));
out:
	for (i = 0; i < 5; i++)
		if (f[i])
			dma_fence_signal(f[i]);
	if (chain) {
		dma_fence_wait(chain, false);
		dma_fence_put(chain);
	}
	if (in) {
		dma_fence_wait(in, false);
		dma_fence_put(in);
	}
	if (own) {
		dma_fence_wait(own, false);
		dma_fence_put(own);
	}
	for (i = 0; i < 5; i++)
		if (f[i])
			dma_fence_put(f[i]);
}

/* Which of the candidates @c[@n] @m is ("#<index>"), else its fdesc. */
static void which(struct sb *b, struct dma_fence *m, struct dma_fence **c,
		  unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (m == c[i]) {
			sb_add(b, "#%u", i);
			return;
		}
	fdesc(b, m);
}

/* A merge's result in the terms of which(): an array member by member. */
static void which_merged(struct sb *b, struct dma_fence *m,
			 struct dma_fence **c, unsigned int n)
{
	struct dma_fence_array *a = m ? to_dma_fence_array(m) : NULL;
	unsigned int i;

	if (!a) {
		which(b, m, c, n);
		return;
	}
	sb_add(b, "array(");
	for (i = 0; i < a->num_fences; i++) {
		if (i)
			sb_add(b, ",");
		which(b, a->fences[i], c, n);
	}
	sb_add(b, ")");
}

/*
 * Fences of one context that neither is later than the other: equal
 * seqnos on distinct fences, 32-bit seqnos half the range apart, and a
 * 32-bit cycle (each later than the one before, the first later than the
 * last).  Which one the merge keeps depends on how it sorts and picks.
 */
static void case_unwrap_ties(void)
{
	static const char * const names[] = {
		"unwrap.ties_equal", "unwrap.ties_cycle32", "unwrap.ties_half",
	};
	static const u64 seqnos[3][3] = {
		{ 5, 5, 5 },
		{ 0, 0x60000000, 0xc0000000 },
		{ 0, 0x80000000, 0x100000000ull },
	};
	static const u8 orders[][4] = {
		{ 0, 1, 2, 3 }, { 3, 2, 1, 0 }, { 1, 0, 3, 2 }, { 2, 3, 0, 1 },
		{ 0, 2, 1, 3 }, { 3, 1, 0, 2 }, { 1, 2, 0, 3 }, { 2, 0, 1, 3 },
	};
	struct dma_fence *f[4] = {}, *in[4], *m;
	struct dma_fence_unwrap cur[4];
	unsigned int o, i, s, n;
	struct sb b;

	for (s = 0; s < ARRAY_SIZE(names); s++) {
		begin_case(names[s]);
		tl_reset(2);
		for (i = 0; i < 3; i++) {
			f[i] = kf_make(&kf_ops, 0, seqnos[s][i]);
			if (!f[i])
				goto out;
		}
		f[3] = kf_new(1);
		if (!f[3])
			goto out;
		for (o = 0; o < ARRAY_SIZE(orders); o++) {
			for (i = 0; i < 4; i++)
				in[i] = f[orders[o][i]];
			for (n = 4; n >= 3; n--) {
				m = __dma_fence_unwrap_merge(n, in, cur);
				sb_reset(&b);
				for (i = 0; i < n; i++)
					sb_add(&b, "%u", orders[o][i]);
				sb_add(&b, " -> ");
				which_merged(&b, m, f, 4);
				emit("order %s", b.s);
				if (m)
					dma_fence_put(m);
			}
		}
		emit("refs %u,%u,%u,%u", kref_read(&f[0]->refcount),
		     kref_read(&f[1]->refcount), kref_read(&f[2]->refcount),
		     kref_read(&f[3]->refcount));
out:
		for (i = 0; i < 4; i++) {
			put_signaled(f[i]);
			f[i] = NULL;
		}
	}
}

/* ---- reservation object cases ----------------------------------------- */

static const char * const usage_name[] = {
	[DMA_RESV_USAGE_KERNEL] = "kernel",
	[DMA_RESV_USAGE_WRITE] = "write",
	[DMA_RESV_USAGE_READ] = "read",
	[DMA_RESV_USAGE_BOOKKEEP] = "bookkeep",
};

static const char *uname(enum dma_resv_usage u)
{
	if ((unsigned int)u < ARRAY_SIZE(usage_name))
		return usage_name[u];
	return "?";
}

/* Adds @f with @u, reserving a slot first; returns the reserve result. */
static int resv_add(struct dma_resv *obj, struct dma_fence *f,
		    enum dma_resv_usage u)
{
	int ret;

	dma_resv_lock(obj, NULL);
	ret = dma_resv_reserve_fences(obj, 1);
	if (!ret)
		dma_resv_add_fence(obj, f, u);
	dma_resv_unlock(obj);
	return ret;
}

/* What the locked iterator sees with filter @u, in its order. */
static void resv_locked(struct sb *b, struct dma_resv *obj,
			enum dma_resv_usage u)
{
	struct dma_resv_iter cur;
	struct dma_fence *f;

	dma_resv_lock(obj, NULL);
	sb_add(b, "[");
	dma_resv_for_each_fence(&cur, obj, u, f) {
		fdesc(b, f);
		sb_add(b, "/%c%s ", uname(dma_resv_iter_usage(&cur))[0],
		       dma_fence_is_signaled(f) ? "/s" : "");
	}
	sb_add(b, "]");
	dma_resv_unlock(obj);
}

static void resv_unlocked(struct sb *b, struct dma_resv *obj,
			  enum dma_resv_usage u)
{
	struct dma_resv_iter cur;
	struct dma_fence *f;
	int start = b->n;

	sb_add(b, "[");
	dma_resv_iter_begin(&cur, obj, u);
	dma_resv_for_each_fence_unlocked(&cur, f) {
		if (dma_resv_iter_is_restarted(&cur)) {
			b->n = start;
			b->s[b->n] = 0;
			sb_add(b, "[");
		}
		fdesc(b, f);
		sb_add(b, "/%c ", uname(dma_resv_iter_usage(&cur))[0]);
	}
	dma_resv_iter_end(&cur);
	sb_add(b, "]");
}

static void resv_get_fences(struct sb *b, struct dma_resv *obj,
			    enum dma_resv_usage u)
{
	struct dma_fence **fences = NULL;
	unsigned int n = 0, i;
	int ret;

	ret = dma_resv_get_fences(obj, u, &n, &fences);
	sb_add(b, "ret=%d n=%u [", ret, n);
	for (i = 0; !ret && i < n; i++) {
		fdesc(b, fences[i]);
		sb_add(b, " ");
		dma_fence_put(fences[i]);
	}
	sb_add(b, "]");
	kfree(fences);
}

static void resv_singleton(struct sb *b, struct dma_resv *obj,
			   enum dma_resv_usage u)
{
	struct dma_fence *f = NULL;
	int ret;

	ret = dma_resv_get_singleton(obj, u, &f);
	sb_add(b, "ret=%d ", ret);
	fdesc(b, f);
	if (f)
		dma_fence_put(f);
}

/* Every view of @obj, one line each. */
static void resv_dump(const char *tag, struct dma_resv *obj)
{
	enum dma_resv_usage u;
	struct sb b;

	sb_reset(&b);
	for (u = DMA_RESV_USAGE_KERNEL; u <= DMA_RESV_USAGE_BOOKKEEP; u++) {
		sb_add(&b, "%c=", uname(u)[0]);
		resv_locked(&b, obj, u);
	}
	emit("%s locked %s", tag, b.s);
	sb_reset(&b);
	for (u = DMA_RESV_USAGE_KERNEL; u <= DMA_RESV_USAGE_BOOKKEEP; u++) {
		sb_add(&b, "%c=", uname(u)[0]);
		resv_unlocked(&b, obj, u);
	}
	emit("%s unlocked %s", tag, b.s);
	sb_reset(&b);
	for (u = DMA_RESV_USAGE_KERNEL; u <= DMA_RESV_USAGE_BOOKKEEP; u++)
		sb_add(&b, "%c=%d ", uname(u)[0],
		       dma_resv_test_signaled(obj, u));
	emit("%s test_signaled %s", tag, b.s);
}

static void case_resv_pairs(void)
{
	static const char * const scen[] = {
		"same_later", "same_earlier", "same_fence", "diff",
		"diff_first_signaled", "same_later_first_signaled",
	};
	enum dma_resv_usage u1, u2;
	struct dma_fence *f1, *f2;
	struct dma_resv obj;
	unsigned int s;
	char tag[64];

	begin_case("resv.pairs");
	for (s = 0; s < ARRAY_SIZE(scen); s++) {
		for (u1 = 0; u1 <= DMA_RESV_USAGE_BOOKKEEP; u1++) {
			for (u2 = 0; u2 <= DMA_RESV_USAGE_BOOKKEEP; u2++) {
				tl_reset(2);
				f1 = kf_make(&kf_ops, 0, 5);
				switch (s) {
				case 1:
					f2 = kf_make(&kf_ops, 0, 3);
					break;
				case 2:
					f2 = f1 ? dma_fence_get(f1) : NULL;
					break;
				case 3:
				case 4:
					f2 = kf_make(&kf_ops, 1, 5);
					break;
				default:
					f2 = kf_make(&kf_ops, 0, 7);
					break;
				}
				if (!f1 || !f2) {
					put_signaled(f1);
					put_signaled(f2);
					return;
				}
				dma_resv_init(&obj);
				resv_add(&obj, f1, u1);
				if (s == 4 || s == 5)
					dma_fence_signal(f1);
				resv_add(&obj, f2, u2);
				snprintf(tag, sizeof(tag), "%s %s+%s",
					 scen[s], uname(u1), uname(u2));
				resv_dump(tag, &obj);
				dma_fence_signal(f1);
				dma_fence_signal(f2);
				dma_resv_fini(&obj);
				dma_fence_put(f1);
				dma_fence_put(f2);
			}
		}
	}
}

/* What dma_resv_get_fences(), get_singleton() and a zero wait give for @u. */
static void resv_get_show(struct dma_resv *obj, enum dma_resv_usage u)
{
	struct sb b;

	sb_reset(&b);
	resv_get_fences(&b, obj, u);
	emit("get_fences %s %s", uname(u), b.s);
	sb_reset(&b);
	resv_singleton(&b, obj, u);
	emit("singleton %s %s", uname(u), b.s);
	emit("wait %s t=0 ret=%ld", uname(u),
	     dma_resv_wait_timeout(obj, u, false, 0));
}

/* Copies @src's fences into @dst, locked, and shows the result. */
static void resv_copy_show(struct dma_resv *dst, struct dma_resv *src,
			   const char *what, const char *tag)
{
	int ret;

	dma_resv_lock(dst, NULL);
	ret = dma_resv_copy_fences(dst, src);
	dma_resv_unlock(dst);
	emit("%s ret=%d", what, ret);
	resv_dump(tag, dst);
}

/* Replaces timeline @t's fences in @obj with @f, locked, and shows @obj. */
static void resv_replace_show(struct dma_resv *obj, unsigned int t,
			      struct dma_fence *f, enum dma_resv_usage u,
			      const char *tag)
{
	dma_resv_lock(obj, NULL);
	dma_resv_replace_fences(obj, tl_ctx[t], f, u);
	dma_resv_unlock(obj);
	resv_dump(tag, obj);
}

static void case_resv_ops(void)
{
	struct dma_fence *f[5] = {}, *stub;
	struct dma_resv a, b2;
	enum dma_resv_usage u;
	unsigned int i;
	struct sb b;
	int ret;

	tl_reset(3);
	for (i = 0; i < 5; i++) {
		f[i] = kf_new(i % 3);
		if (!f[i])
			goto out;
	}
	/* f: t0:1 t1:1 t2:1 t0:2 t1:2 */
	dma_resv_init(&a);
	dma_resv_init(&b2);

	begin_case("resv.reserve");
	dma_resv_lock(&a, NULL);
	emit("reserve 0 ret=%d", dma_resv_reserve_fences(&a, 0));
	emit("reserve 1 ret=%d", dma_resv_reserve_fences(&a, 1));
	emit("reserve 3 ret=%d", dma_resv_reserve_fences(&a, 3));
	emit("reserve 1 again ret=%d", dma_resv_reserve_fences(&a, 1));
	dma_resv_unlock(&a);

	begin_case("resv.empty");
	resv_dump("empty", &a);
	sb_reset(&b);
	resv_get_fences(&b, &a, DMA_RESV_USAGE_BOOKKEEP);
	emit("get_fences %s", b.s);
	sb_reset(&b);
	resv_singleton(&b, &a, DMA_RESV_USAGE_BOOKKEEP);
	emit("singleton %s", b.s);
	emit("wait t=0 ret=%ld",
	     dma_resv_wait_timeout(&a, DMA_RESV_USAGE_BOOKKEEP, false, 0));
	emit("wait t=5 ret=%ld",
	     dma_resv_wait_timeout(&a, DMA_RESV_USAGE_BOOKKEEP, true, 5));

	begin_case("resv.usage_change");
	resv_add(&a, f[0], DMA_RESV_USAGE_READ);
	resv_dump("t0:1 read", &a);
	resv_add(&a, f[0], DMA_RESV_USAGE_WRITE);
	resv_dump("+t0:1 write", &a);
	resv_add(&a, f[0], DMA_RESV_USAGE_READ);
	resv_dump("+t0:1 read", &a);
	resv_add(&a, f[0], DMA_RESV_USAGE_KERNEL);
	resv_dump("+t0:1 kernel", &a);
	resv_add(&a, f[3], DMA_RESV_USAGE_BOOKKEEP);
	resv_dump("+t0:2 bookkeep", &a);

	begin_case("resv.get");
	resv_add(&a, f[1], DMA_RESV_USAGE_READ);
	resv_add(&a, f[2], DMA_RESV_USAGE_WRITE);
	resv_dump("+t1:1 read +t2:1 write", &a);
	for (u = DMA_RESV_USAGE_KERNEL; u <= DMA_RESV_USAGE_BOOKKEEP; u++)
		resv_get_show(&a, u);

	begin_case("resv.copy");
	resv_add(&b2, f[4], DMA_RESV_USAGE_KERNEL);
	resv_copy_show(&b2, &a, "copy", "copy");
	dma_fence_signal(f[1]);
	resv_copy_show(&b2, &a, "copy after t1:1 signaled", "copy2");

	begin_case("resv.replace");
	stub = dma_fence_get_stub();
	resv_replace_show(&a, 0, stub, DMA_RESV_USAGE_BOOKKEEP,
			  "t0 -> stub bookkeep");
	resv_replace_show(&a, 2, f[4], DMA_RESV_USAGE_READ, "t2 -> t1:2 read");
	resv_replace_show(&a, 1, stub, DMA_RESV_USAGE_KERNEL,
			  "t1 -> stub kernel");
	dma_fence_put(stub);
	sb_reset(&b);
	resv_singleton(&b, &a, DMA_RESV_USAGE_BOOKKEEP);
	emit("singleton %s", b.s);

	begin_case("resv.signaled");
	for (i = 0; i < 5; i++)
		dma_fence_signal(f[i]);
	resv_dump("all signaled", &a);
	for (u = DMA_RESV_USAGE_KERNEL; u <= DMA_RESV_USAGE_BOOKKEEP; u++) {
		resv_get_show(&a, u);
		emit("wait %s t=9 ret=%ld", uname(u),
		     dma_resv_wait_timeout(&a, u, true, 9));
	}
	{
		struct dma_fence *n = kf_new(0);

		if (n) {
			resv_add(&a, n, DMA_RESV_USAGE_READ);
			resv_dump("+t0:3 read onto signaled", &a);
			dma_fence_set_error(n, -EIO);
			dma_fence_signal(n);
			sb_reset(&b);
			resv_locked(&b, &a, DMA_RESV_USAGE_BOOKKEEP);
			emit("error fence signaled locked %s", b.s);
			ret = dma_resv_wait_timeout(&a,
						    DMA_RESV_USAGE_BOOKKEEP,
						    false, 0);
			emit("wait t=0 ret=%d", ret);
			dma_fence_put(n);
		}
	}

	begin_case("resv.wait_late");
	{
		struct dma_fence *n = kf_new(1);

		if (n) {
			resv_add(&b2, n, DMA_RESV_USAGE_WRITE);
			ret = dma_resv_wait_timeout(&b2, DMA_RESV_USAGE_READ,
						    false, 0);
			emit("read t=0 ret=%d", ret);
			ret = dma_resv_wait_timeout(&b2, DMA_RESV_USAGE_KERNEL,
						    false, 0);
			emit("kernel t=0 ret=%d", ret);
			ret = dma_resv_wait_timeout(&b2, DMA_RESV_USAGE_READ,
						    true, 1);
			emit("read t=1 ret=%d", ret);
			late_start(n);
			ret = dma_resv_wait_timeout(&b2, DMA_RESV_USAGE_READ,
						    false, 10 * HZ) > 0;
			emit("late read ret>0=%d signaled=%d", ret,
			     dma_fence_is_signaled(n));
			late_finish();
			dma_fence_put(n);
		}
	}
	dma_resv_fini(&a);
	dma_resv_fini(&b2);
out:
	for (i = 0; i < 5; i++)
		put_signaled(f[i]);
}

static void case_resv_many(void)
{
	struct dma_fence *f[12] = {};
	struct dma_resv obj;
	unsigned int i;
	int ret;

	begin_case("resv.many");
	tl_reset(4);
	dma_resv_init(&obj);
	for (i = 0; i < 12; i++) {
		f[i] = kf_new(i % 4);
		if (!f[i])
			goto out;
	}
	dma_resv_lock(&obj, NULL);
	ret = dma_resv_reserve_fences(&obj, 12);
	for (i = 0; !ret && i < 12; i++)
		dma_resv_add_fence(&obj, f[i], i % 3 ? DMA_RESV_USAGE_READ :
				   DMA_RESV_USAGE_WRITE);
	dma_resv_unlock(&obj);
	emit("reserve 12 ret=%d", ret);
	resv_dump("12 added", &obj);
	dma_fence_signal(f[1]);
	dma_fence_signal(f[6]);
	resv_dump("t1:1 t2:2 signaled", &obj);
	/* Growing the array drops the signaled fences. */
	dma_resv_lock(&obj, NULL);
	ret = dma_resv_reserve_fences(&obj, 20);
	dma_resv_unlock(&obj);
	emit("reserve 20 ret=%d", ret);
	resv_dump("after grow", &obj);
	for (i = 0; i < 12; i += 5) {
		put_signaled(f[i]);
		f[i] = kf_new(i % 4);
	}
	for (i = 0; i < 12; i += 5)
		if (f[i])
			resv_add(&obj, f[i], DMA_RESV_USAGE_BOOKKEEP);
	resv_dump("3 more bookkeep", &obj);
out:
	for (i = 0; i < 12; i++)
		put_signaled(f[i]);
	dma_resv_fini(&obj);
}

/* ---- dma-buf cases --------------------------------------------------- */

/* The test exporter: one page, every call logged. */
struct kx {
	struct dma_buf *buf;
	struct page *page;
	char log[160];
	int len;
	int begin_ret;
	bool self_free; /* release frees it (buffers the fd cases leave) */
	struct completion released;
};

struct imp {
	struct kx *x;
	int id;
};

static struct device *kx_dev;

static __printf(2, 3) void kx_log(struct kx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->len && x->len < (int)sizeof(x->log) - 1)
		x->log[x->len++] = ',';
	va_start(ap, fmt);
	x->len += vscnprintf(x->log + x->len, sizeof(x->log) - x->len, fmt,
			     ap);
	va_end(ap);
}

/* The calls since the last look, and a fresh log. */
static const char *kx_calls(struct kx *x)
{
	static char seen[160];

	strscpy(seen, x->len ? x->log : "none", sizeof(seen));
	x->len = 0;
	x->log[0] = 0;
	return seen;
}

static int kx_attach(struct dma_buf *buf, struct dma_buf_attachment *a)
{
	kx_log(buf->priv, "attach");
	return 0;
}

static void kx_detach(struct dma_buf *buf, struct dma_buf_attachment *a)
{
	kx_log(buf->priv, "detach");
}

static struct sg_table *kx_map(struct dma_buf_attachment *a,
			       enum dma_data_direction dir)
{
	struct kx *x = a->dmabuf->priv;
	struct sg_table *sgt;

	kx_log(x, "map%d", dir);
	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	if (sg_alloc_table(sgt, 1, GFP_KERNEL)) {
		kfree(sgt);
		return ERR_PTR(-ENOMEM);
	}
	/* Not mapped for any device: nothing here touches the DMA API. */
	sg_set_page(sgt->sgl, x->page, PAGE_SIZE, 0);
	return sgt;
}

static void kx_unmap(struct dma_buf_attachment *a, struct sg_table *sgt,
		     enum dma_data_direction dir)
{
	kx_log(a->dmabuf->priv, "unmap%d", dir);
	sg_free_table(sgt);
	kfree(sgt);
}

static void kx_release(struct dma_buf *buf)
{
	struct kx *x = buf->priv;

	kx_log(x, "release");
	__free_page(x->page);
	if (x->self_free)
		kfree(x);
	else
		complete(&x->released);
}

static int kx_vmap(struct dma_buf *buf, struct iosys_map *map)
{
	struct kx *x = buf->priv;

	kx_log(x, "vmap");
	iosys_map_set_vaddr(map, page_address(x->page));
	return 0;
}

static void kx_vunmap(struct dma_buf *buf, struct iosys_map *map)
{
	kx_log(buf->priv, "vunmap");
}

static int kx_begin(struct dma_buf *buf, enum dma_data_direction dir)
{
	struct kx *x = buf->priv;

	kx_log(x, "begin%d", dir);
	return x->begin_ret;
}

static int kx_end(struct dma_buf *buf, enum dma_data_direction dir)
{
	struct kx *x = buf->priv;

	kx_log(x, "end%d", dir);
	return x->begin_ret;
}

static int kx_pin(struct dma_buf_attachment *a)
{
	kx_log(a->dmabuf->priv, "pin");
	return 0;
}

static void kx_unpin(struct dma_buf_attachment *a)
{
	kx_log(a->dmabuf->priv, "unpin");
}

/* The hooks every exporter kind has. */
#define KX_MAP_OPS					\
	.attach = kx_attach,				\
	.detach = kx_detach,				\
	.map_dma_buf = kx_map,				\
	.unmap_dma_buf = kx_unmap,			\
	.release = kx_release

/* The static kinds add vmap and CPU access. */
#define KX_STATIC_OPS(cache) {				\
	.cache_sgt_mapping = (cache),			\
	KX_MAP_OPS,					\
	.vmap = kx_vmap,				\
	.vunmap = kx_vunmap,				\
	.begin_cpu_access = kx_begin,			\
	.end_cpu_access = kx_end,			\
}

static const struct dma_buf_ops kx_ops_cache = KX_STATIC_OPS(true);
static const struct dma_buf_ops kx_ops_nocache = KX_STATIC_OPS(false);

/* Dynamic, and without vmap or CPU access hooks. */
static const struct dma_buf_ops kx_ops_dynamic = {
	KX_MAP_OPS,
	.pin = kx_pin,
	.unpin = kx_unpin,
};

static void imp_move_notify(struct dma_buf_attachment *a)
{
	struct imp *i = a->importer_priv;

	kx_log(i->x, "move_notify%d", i->id);
}

static const struct dma_buf_attach_ops imp_ops = {
	.move_notify = imp_move_notify,
};

static struct kx *kx_new(const struct dma_buf_ops *ops)
{
	DEFINE_DMA_BUF_EXPORT_INFO(info);
	struct kx *x = kzalloc(sizeof(*x), GFP_KERNEL);

	if (!x)
		return NULL;
	init_completion(&x->released);
	x->page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!x->page) {
		kfree(x);
		return NULL;
	}
	info.ops = ops;
	info.size = PAGE_SIZE;
	info.flags = O_RDWR;
	info.priv = x;
	x->buf = dma_buf_export(&info);
	if (IS_ERR(x->buf)) {
		emit("export ret=%ld", PTR_ERR(x->buf));
		__free_page(x->page);
		kfree(x);
		return NULL;
	}
	return x;
}

/* Drops the last reference and watches the release happen. */
static void kx_put(struct kx *x)
{
	unsigned long left;

	dma_buf_put(x->buf);
	left = wait_for_completion_timeout(&x->released, 10 * HZ);
	emit("put -> %s calls=%s", left ? "released" : "not released",
	     kx_calls(x));
	/* Not released: leave it, rather than free what the core holds. */
	if (left)
		kfree(x);
}

/* Unmaps @sgt from @a unless the map failed; the reservation is unlocked. */
static void unmap_unlocked(struct dma_buf_attachment *a, struct sg_table *sgt,
			   enum dma_data_direction dir)
{
	if (!IS_ERR_OR_NULL(sgt))
		dma_buf_unmap_attachment_unlocked(a, sgt, dir);
}

/* unmap_unlocked(), with the reservation held. */
static void unmap_locked(struct dma_buf_attachment *a, struct sg_table *sgt,
			 enum dma_data_direction dir)
{
	if (!IS_ERR_OR_NULL(sgt))
		dma_buf_unmap_attachment(a, sgt, dir);
}

/* Begins case @name with a new buffer of exporter kind @ops. */
static struct kx *kx_case(const char *name, const struct dma_buf_ops *ops)
{
	begin_case(name);
	return kx_new(ops);
}

static const char *sgt_is(struct sg_table *sgt, struct sg_table *prev)
{
	if (IS_ERR(sgt))
		return "error";
	if (!sgt)
		return "null";
	if (prev && sgt == prev)
		return "same";
	return "table";
}

static void case_dmabuf_export(void)
{
	struct kx *x;

	x = kx_case("dmabuf.export", &kx_ops_cache);
	if (!x)
		return;
	emit("size=%zu dynamic=%d calls=%s", x->buf->size,
	     dma_buf_is_dynamic(x->buf), kx_calls(x));
	get_dma_buf(x->buf);
	dma_buf_put(x->buf);
	emit("get+put calls=%s", kx_calls(x));
	kx_put(x);

	x = kx_new(&kx_ops_dynamic);
	if (!x)
		return;
	emit("dynamic exporter dynamic=%d", dma_buf_is_dynamic(x->buf));
	kx_put(x);
}

static void static_maps(struct kx *x, const char *kind)
{
	struct dma_buf_attachment *a;
	struct sg_table *s1, *s2, *s3;

	a = dma_buf_attach(x->buf, kx_dev);
	if (IS_ERR(a)) {
		emit("%s attach ret=%ld", kind, PTR_ERR(a));
		return;
	}
	emit("%s attach dynamic=%d calls=%s", kind,
	     dma_buf_attachment_is_dynamic(a), kx_calls(x));
	s1 = dma_buf_map_attachment_unlocked(a, DMA_BIDIRECTIONAL);
	emit("%s map1 %s calls=%s", kind, sgt_is(s1, NULL), kx_calls(x));
	s2 = dma_buf_map_attachment_unlocked(a, DMA_BIDIRECTIONAL);
	emit("%s map2 %s calls=%s", kind, sgt_is(s2, s1), kx_calls(x));
	s3 = dma_buf_map_attachment_unlocked(a, DMA_TO_DEVICE);
	emit("%s map3 to_device %s calls=%s", kind, sgt_is(s3, s1),
	     kx_calls(x));
	unmap_unlocked(a, s3, DMA_TO_DEVICE);
	emit("%s unmap3 calls=%s", kind, kx_calls(x));
	unmap_unlocked(a, s2, DMA_BIDIRECTIONAL);
	emit("%s unmap2 calls=%s", kind, kx_calls(x));
	unmap_unlocked(a, s1, DMA_BIDIRECTIONAL);
	emit("%s unmap1 calls=%s", kind, kx_calls(x));
	s1 = dma_buf_map_attachment_unlocked(a, DMA_BIDIRECTIONAL);
	emit("%s remap %s calls=%s", kind, sgt_is(s1, NULL), kx_calls(x));
	unmap_unlocked(a, s1, DMA_BIDIRECTIONAL);
	emit("%s unmap calls=%s", kind, kx_calls(x));
	dma_buf_detach(x->buf, a);
	emit("%s detach calls=%s", kind, kx_calls(x));
}

static void case_dmabuf_static(void)
{
	struct dma_buf_attachment *a;
	struct sg_table *s1, *s2;
	struct kx *x;

	x = kx_case("dmabuf.static_cache", &kx_ops_cache);
	if (!x)
		return;
	static_maps(x, "cache");
	/* A first map in one direction, then another direction. */
	a = dma_buf_attach(x->buf, kx_dev);
	if (!IS_ERR(a)) {
		s1 = dma_buf_map_attachment_unlocked(a, DMA_TO_DEVICE);
		emit("to_device %s calls=%s", sgt_is(s1, NULL), kx_calls(x));
		s2 = dma_buf_map_attachment_unlocked(a, DMA_FROM_DEVICE);
		emit("then from_device %s ret=%ld calls=%s", sgt_is(s2, s1),
		     IS_ERR(s2) ? PTR_ERR(s2) : 0L, kx_calls(x));
		if (!IS_ERR_OR_NULL(s2) && s2 != s1)
			dma_buf_unmap_attachment_unlocked(a, s2,
							  DMA_FROM_DEVICE);
		unmap_unlocked(a, s1, DMA_TO_DEVICE);
		emit("unmaps calls=%s", kx_calls(x));
		dma_buf_detach(x->buf, a);
		emit("detach calls=%s", kx_calls(x));
	}
	kx_put(x);

	x = kx_case("dmabuf.static_nocache", &kx_ops_nocache);
	if (!x)
		return;
	static_maps(x, "nocache");
	kx_put(x);
}

static void case_dmabuf_dynamic(void)
{
	struct imp i1 = { .id = 1 }, i2 = { .id = 2 };
	struct dma_buf_attachment *a, *b, *s;
	struct sg_table *t1, *t2;
	struct kx *x;
	int ret;

	x = kx_case("dmabuf.dynamic_exporter_static_importer", &kx_ops_dynamic);
	if (!x)
		return;
	static_maps(x, "dyn");
	kx_put(x);

	x = kx_case("dmabuf.static_exporter_dynamic_importer", &kx_ops_nocache);
	if (!x)
		return;
	i1.x = x;
	a = dma_buf_dynamic_attach(x->buf, kx_dev, &imp_ops, &i1);
	if (IS_ERR(a)) {
		emit("attach ret=%ld", PTR_ERR(a));
	} else {
		emit("attach dynamic=%d calls=%s",
		     dma_buf_attachment_is_dynamic(a), kx_calls(x));
		dma_resv_lock(x->buf->resv, NULL);
		t1 = dma_buf_map_attachment(a, DMA_BIDIRECTIONAL);
		t2 = dma_buf_map_attachment(a, DMA_BIDIRECTIONAL);
		emit("map twice %s %s calls=%s", sgt_is(t1, NULL),
		     sgt_is(t2, t1), kx_calls(x));
		unmap_locked(a, t2, DMA_BIDIRECTIONAL);
		unmap_locked(a, t1, DMA_BIDIRECTIONAL);
		emit("unmap twice calls=%s", kx_calls(x));
		dma_buf_move_notify(x->buf);
		emit("move_notify calls=%s", kx_calls(x));
		dma_resv_unlock(x->buf->resv);
		dma_buf_detach(x->buf, a);
		emit("detach calls=%s", kx_calls(x));
	}
	kx_put(x);

	x = kx_case("dmabuf.dynamic_both", &kx_ops_dynamic);
	if (!x)
		return;
	i1.x = x;
	i2.x = x;
	a = dma_buf_dynamic_attach(x->buf, kx_dev, &imp_ops, &i1);
	if (IS_ERR(a)) {
		emit("attach ret=%ld", PTR_ERR(a));
		kx_put(x);
		return;
	}
	emit("attach1 dynamic=%d calls=%s", dma_buf_attachment_is_dynamic(a),
	     kx_calls(x));
	b = dma_buf_dynamic_attach(x->buf, kx_dev, &imp_ops, &i2);
	emit("attach2 %s calls=%s", IS_ERR(b) ? "error" : "ok", kx_calls(x));
	s = dma_buf_attach(x->buf, kx_dev);
	emit("attach static %s calls=%s", IS_ERR(s) ? "error" : "ok",
	     kx_calls(x));
	dma_resv_lock(x->buf->resv, NULL);
	t1 = dma_buf_map_attachment(a, DMA_BIDIRECTIONAL);
	emit("map %s calls=%s", sgt_is(t1, NULL), kx_calls(x));
	t2 = dma_buf_map_attachment(a, DMA_BIDIRECTIONAL);
	emit("map again %s calls=%s", sgt_is(t2, t1), kx_calls(x));
	unmap_locked(a, t2, DMA_BIDIRECTIONAL);
	emit("unmap calls=%s", kx_calls(x));
	unmap_locked(a, t1, DMA_BIDIRECTIONAL);
	emit("unmap calls=%s", kx_calls(x));
	ret = dma_buf_pin(a);
	emit("pin ret=%d calls=%s", ret, kx_calls(x));
	if (!ret)
		dma_buf_unpin(a);
	emit("unpin calls=%s", kx_calls(x));
	dma_buf_move_notify(x->buf);
	emit("move_notify calls=%s", kx_calls(x));
	dma_resv_unlock(x->buf->resv);
	if (!IS_ERR(s))
		dma_buf_detach(x->buf, s);
	emit("detach static calls=%s", kx_calls(x));
	if (!IS_ERR(b))
		dma_buf_detach(x->buf, b);
	dma_buf_detach(x->buf, a);
	emit("detach calls=%s", kx_calls(x));
	kx_put(x);
}

/* Maps @x with a pending fence of @usage that a worker signals later. */
static void map_with_fence(struct kx *x, enum dma_resv_usage usage,
			   bool dynamic)
{
	struct imp i1 = { .x = x, .id = 1 };
	struct dma_buf_attachment *a;
	struct dma_fence *f;
	struct sg_table *t;
	bool done;

	f = kf_new(0);
	if (!f)
		return;
	resv_add(x->buf->resv, f, usage);
	if (dynamic)
		a = dma_buf_dynamic_attach(x->buf, kx_dev, &imp_ops, &i1);
	else
		a = dma_buf_attach(x->buf, kx_dev);
	if (IS_ERR(a)) {
		emit("attach ret=%ld", PTR_ERR(a));
		put_signaled(f);
		return;
	}
	kx_calls(x);
	late_start(f);
	t = dma_buf_map_attachment_unlocked(a, DMA_BIDIRECTIONAL);
	done = dma_fence_is_signaled(f);
	emit("%s importer %s fence: map %s, %s calls=%s",
	     dynamic ? "dynamic" : "static", uname(usage), sgt_is(t, NULL),
	     done ? "waited" : "not waited", kx_calls(x));
	late_finish();
	unmap_unlocked(a, t, DMA_BIDIRECTIONAL);
	dma_buf_detach(x->buf, a);
	kx_calls(x);
	dma_fence_put(f);
}

static void case_dmabuf_kernel_wait(void)
{
	struct kx *x;

	begin_case("dmabuf.map_waits_kernel");
	tl_reset(1);
	x = kx_new(&kx_ops_nocache);
	if (!x)
		return;
	map_with_fence(x, DMA_RESV_USAGE_KERNEL, false);
	map_with_fence(x, DMA_RESV_USAGE_WRITE, false);
	map_with_fence(x, DMA_RESV_USAGE_KERNEL, true);
	kx_put(x);
}

/* Drops the vmap @m unless it failed (@ret), and shows the calls. */
static void vunmap_show(struct kx *x, int ret, struct iosys_map *m,
			const char *what)
{
	if (!ret)
		dma_buf_vunmap(x->buf, m);
	emit("%s calls=%s", what, kx_calls(x));
}

static void case_dmabuf_vmap(void)
{
	struct iosys_map m1, m2, m3;
	struct kx *x;
	int r1, r2, r3;

	x = kx_case("dmabuf.vmap", &kx_ops_cache);
	if (!x)
		return;
	r1 = dma_buf_vmap(x->buf, &m1);
	emit("vmap1 ret=%d calls=%s", r1, kx_calls(x));
	r2 = dma_buf_vmap(x->buf, &m2);
	r3 = dma_buf_vmap(x->buf, &m3);
	emit("vmap2,3 ret=%d,%d calls=%s", r2, r3, kx_calls(x));
	emit("vaddr page=%d same=%d iomem=%d",
	     m1.vaddr == page_address(x->page), iosys_map_is_equal(&m1, &m3),
	     m1.is_iomem);
	vunmap_show(x, r3, &m3, "vunmap3");
	vunmap_show(x, r2, &m2, "vunmap2");
	vunmap_show(x, r1, &m1, "vunmap1");
	r1 = dma_buf_vmap(x->buf, &m1);
	emit("again ret=%d calls=%s", r1, kx_calls(x));
	vunmap_show(x, r1, &m1, "vunmap");
	kx_put(x);

	x = kx_new(&kx_ops_dynamic);
	if (!x)
		return;
	r1 = dma_buf_vmap(x->buf, &m1);
	emit("no vmap op ret=%d null=%d calls=%s", r1, iosys_map_is_null(&m1),
	     kx_calls(x));
	if (!r1)
		dma_buf_vunmap(x->buf, &m1);
	kx_put(x);
}

static void case_dmabuf_cpu_access(void)
{
	static const enum dma_data_direction dirs[] = {
		DMA_BIDIRECTIONAL, DMA_TO_DEVICE, DMA_FROM_DEVICE, DMA_NONE,
	};
	enum dma_resv_usage u;
	struct dma_fence *f;
	unsigned int i;
	struct kx *x;
	int ret;

	begin_case("dmabuf.cpu_access");
	tl_reset(1);
	x = kx_new(&kx_ops_cache);
	if (!x)
		return;
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		ret = dma_buf_begin_cpu_access(x->buf, dirs[i]);
		emit("begin dir=%d ret=%d calls=%s", dirs[i], ret,
		     kx_calls(x));
		ret = dma_buf_end_cpu_access(x->buf, dirs[i]);
		emit("end dir=%d ret=%d calls=%s", dirs[i], ret, kx_calls(x));
	}
	x->begin_ret = -EIO;
	ret = dma_buf_begin_cpu_access(x->buf, DMA_FROM_DEVICE);
	emit("failing begin ret=%d calls=%s", ret, kx_calls(x));
	ret = dma_buf_end_cpu_access(x->buf, DMA_FROM_DEVICE);
	emit("failing end ret=%d calls=%s", ret, kx_calls(x));
	x->begin_ret = 0;

	begin_case("dmabuf.cpu_access_waits");
	for (u = DMA_RESV_USAGE_KERNEL; u <= DMA_RESV_USAGE_BOOKKEEP; u++) {
		for (i = 1; i < 3; i++) {
			f = kf_new(0);
			if (!f)
				goto out;
			resv_add(x->buf->resv, f, u);
			late_start(f);
			ret = dma_buf_begin_cpu_access(x->buf, dirs[i]);
			emit("%s fence dir=%d ret=%d %s calls=%s", uname(u),
			     dirs[i], ret, dma_fence_is_signaled(f) ?
			     "waited" : "not waited", kx_calls(x));
			late_finish();
			dma_buf_end_cpu_access(x->buf, dirs[i]);
			kx_calls(x);
			dma_fence_put(f);
		}
	}
	x->begin_ret = 0;
out:
	kx_put(x);

	x = kx_new(&kx_ops_dynamic);
	if (!x)
		return;
	ret = dma_buf_begin_cpu_access(x->buf, DMA_TO_DEVICE);
	emit("no hooks begin ret=%d", ret);
	ret = dma_buf_end_cpu_access(x->buf, DMA_TO_DEVICE);
	emit("no hooks end ret=%d calls=%s", ret, kx_calls(x));
	kx_put(x);
}

static int null_release(struct inode *inode, struct file *file)
{
	return 0;
}

static const struct file_operations null_fops = {
	.owner = THIS_MODULE,
	.release = null_release,
};

/*
 * The cases that need a file table: run from module init, in the
 * loading process.  The buffers' last references go with its task work,
 * after init returns, so release frees them and is not watched.
 */
static void case_dmabuf_fd(void)
{
	static const int flags[] = { 0, O_CLOEXEC, O_NONBLOCK, O_RDWR, -1 };
	struct dma_buf *got;
	struct kx *x;
	unsigned int i;
	int fd;

	begin_case("dmabuf.get");
	got = dma_buf_get(-1);
	emit("fd=-1 ret=%d", PTR_ERR_OR_ZERO(got));
	got = dma_buf_get(INT_MAX);
	emit("fd=INT_MAX ret=%d", PTR_ERR_OR_ZERO(got));
	fd = anon_inode_getfd("difftest_kapi", &null_fops, NULL, O_CLOEXEC);
	if (fd >= 0) {
		got = dma_buf_get(fd);
		emit("anon inode fd ret=%d", PTR_ERR_OR_ZERO(got));
		if (!IS_ERR(got))
			dma_buf_put(got);
		close_fd(fd);
		got = dma_buf_get(fd);
		emit("closed fd ret=%d", PTR_ERR_OR_ZERO(got));
		if (!IS_ERR(got))
			dma_buf_put(got);
	}

	begin_case("dmabuf.fd");
	emit("null buf ret=%d", dma_buf_fd(NULL, O_CLOEXEC));
	x = kx_new(&kx_ops_cache);
	if (!x)
		return;
	x->self_free = true;
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		/* The fd table takes a reference of ours; keep one more. */
		get_dma_buf(x->buf);
		fd = dma_buf_fd(x->buf, flags[i]);
		if (fd < 0) {
			emit("flags=%#x ret=%d", flags[i], fd);
			dma_buf_put(x->buf);
			continue;
		}
		got = dma_buf_get(fd);
		emit("flags=%#x fd>=0 get=%s", flags[i],
		     IS_ERR(got) ? "error" : got == x->buf ? "same" : "other");
		if (!IS_ERR(got))
			dma_buf_put(got);
		close_fd(fd);
	}
	emit("calls=%s", kx_calls(x));
	dma_buf_put(x->buf);
}

/* ---- random sequences ------------------------------------------------ */

static u64 sm_next(u64 *s)
{
	u64 z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#define R_LIVE 12
#define R_CONT 4
#define R_CB 4

struct rs {
	u64 prng;
	unsigned int ntl, nres, nlive, ncont;
	struct dma_fence *live[R_LIVE];
	struct dma_fence *cont[R_CONT]; /* arrays, chains, merges */
	struct dma_fence *chain; /* a chain head, or NULL */
	u64 chain_seq;
	struct cbrec cb[R_CB];
	bool cb_used[R_CB];
	struct dma_resv resv[2];
};

static unsigned int rnd(struct rs *r, unsigned int n)
{
	return n ? (unsigned int)(sm_next(&r->prng) % n) : 0;
}

/* The views of a reservation object that steps 12 to 15 look through. */
static const struct {
	const char *name;
	void (*show)(struct sb *b, struct dma_resv *obj, enum dma_resv_usage u);
} rs_views[] = {
	{ "iter_locked", resv_locked },
	{ "iter_unlocked", resv_unlocked },
	{ "get_singleton", resv_singleton },
	{ "get_fences", resv_get_fences },
};

static void rs_step(struct rs *r, unsigned int step)
{
	struct dma_fence *f, *g, *m;
	enum dma_resv_usage u;
	char pfx[16];
	unsigned int op, k, i, n;
	struct sb b;
	long ret;
	int err;

	sb_reset(&b);
	op = rnd(r, 24);
	u = rnd(r, 4);
	k = rnd(r, r->nres);
	switch (op) {
	case 0 ... 3: /* a new fence */
		if (r->nlive == R_LIVE)
			goto fallback;
		i = rnd(r, r->ntl);
		f = kf_new(i);
		if (!f)
			return;
		r->live[r->nlive++] = f;
		fdesc(&b, f);
		emit("%u new %s", step, b.s);
		return;
	case 4 ... 6: /* signal, maybe with an error */
		if (!r->nlive)
			goto fallback;
		f = r->live[rnd(r, r->nlive)];
		err = rnd(r, 4) == 0 ? -EIO : 0;
		fdesc(&b, f);
		if (err && !test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &f->flags))
			dma_fence_set_error(f, err);
		else
			err = 0;
		cb_reset();
		ret = dma_fence_signal(f);
		emit("%u signal %s err=%d -> %ld cb=%s", step, b.s, err, ret,
		     cb_seen());
		return;
	case 7 ... 10: /* add to an object */
		if (!r->nlive)
			goto fallback;
		f = r->live[rnd(r, r->nlive)];
		fdesc(&b, f);
		err = resv_add(&r->resv[k], f, u);
		emit("%u add %s r%u usage=%s -> %d", step, b.s, k, uname(u),
		     err);
		return;
	case 11:
		emit("%u test_signaled r%u %s -> %d", step, k, uname(u),
		     dma_resv_test_signaled(&r->resv[k], u));
		return;
	case 12 ... 15:
		rs_views[op - 12].show(&b, &r->resv[k], u);
		emit("%u %s r%u %s -> %s", step, rs_views[op - 12].name, k,
		     uname(u), b.s);
		return;
	case 16:
		emit("%u resv_wait r%u %s t=0 -> %ld", step, k, uname(u),
		     dma_resv_wait_timeout(&r->resv[k], u, false, 0));
		return;
	case 17: /* a container over live fences */
		if (!r->nlive || r->ncont == R_CONT)
			goto fallback;
		n = 1 + rnd(r, 3);
		switch (rnd(r, 3)) {
		case 0: {
			struct dma_fence **fs;
			struct dma_fence_array *a;
			bool any = rnd(r, 2);

			fs = kcalloc(n, sizeof(*fs), GFP_KERNEL);
			if (!fs)
				return;
			for (i = 0; i < n; i++)
				fs[i] = dma_fence_get(r->live[rnd(r,
								  r->nlive)]);
			a = dma_fence_array_create(n, fs,
						   dma_fence_context_alloc(1),
						   1, any);
			if (!a) {
				for (i = 0; i < n; i++)
					dma_fence_put(fs[i]);
				kfree(fs);
				return;
			}
			m = &a->base;
			sb_add(&b, "any=%d ", any);
			break;
		}
		case 1:
			f = r->live[rnd(r, r->nlive)];
			g = r->live[rnd(r, r->nlive)];
			m = dma_fence_unwrap_merge(f, g);
			break;
		default:
			f = r->live[rnd(r, r->nlive)];
			g = r->ncont ? r->cont[rnd(r, r->ncont)] : f;
			m = dma_fence_unwrap_merge(g, f);
			break;
		}
		if (!m)
			return;
		r->cont[r->ncont++] = m;
		fdesc(&b, m);
		sb_add(&b, " signaled=%d", dma_fence_is_signaled(m));
		emit("%u container c%u %s", step, r->ncont - 1, b.s);
		return;
	case 18: /* append a chain link */
		if (!r->nlive)
			goto fallback;
		f = r->live[rnd(r, r->nlive)];
		r->chain_seq += rnd(r, 3); /* 0: not later than the head */
		if (!chain_add(&r->chain, f, r->chain_seq))
			return;
		fdesc(&b, r->chain);
		emit("%u chain_add asked=%llu -> %s prev_seqno=%llu", step,
		     r->chain_seq, b.s,
		     to_dma_fence_chain(r->chain)->prev_seqno);
		return;
	case 19: /* look into the chain */
		if (!r->chain)
			goto fallback;
		snprintf(pfx, sizeof(pfx), "%u ", step);
		find_one(pfx, r->chain, rnd(r, r->chain->seqno + 2));
		sb_reset(&b);
		chain_walk_desc(&b, r->chain);
		emit("%u chain walk %s signaled=%d", step, b.s,
		     dma_fence_is_signaled(r->chain));
		return;
	case 20:
		if (!r->ncont)
			goto fallback;
		i = rnd(r, r->ncont);
		m = r->cont[i];
		emit("%u c%u signaled=%d status=%d", step, i,
		     dma_fence_is_signaled(m), dma_fence_get_status(m));
		return;
	case 21: /* a callback on a live fence */
		if (!r->nlive)
			goto fallback;
		i = rnd(r, R_CB);
		if (r->cb_used[i])
			goto fallback;
		f = r->live[rnd(r, r->nlive)];
		fdesc(&b, f);
		r->cb[i].id = i;
		err = dma_fence_add_callback(f, &r->cb[i].cb, cb_func);
		r->cb_used[i] = !err;
		emit("%u add_callback %u on %s -> %d", step, i, b.s, err);
		return;
	case 22: /* replace a timeline's fences by the stub */
		i = rnd(r, r->ntl);
		g = dma_fence_get_stub();
		dma_resv_lock(&r->resv[k], NULL);
		dma_resv_replace_fences(&r->resv[k], tl_ctx[i], g, u);
		dma_resv_unlock(&r->resv[k]);
		dma_fence_put(g);
		resv_locked(&b, &r->resv[k], DMA_RESV_USAGE_BOOKKEEP);
		emit("%u replace r%u t%u by stub %s -> %s", step, k, i,
		     uname(u), b.s);
		return;
	default:
		if (r->nres < 2)
			goto fallback;
		dma_resv_lock(&r->resv[!k], NULL);
		err = dma_resv_copy_fences(&r->resv[!k], &r->resv[k]);
		dma_resv_unlock(&r->resv[!k]);
		resv_locked(&b, &r->resv[!k], DMA_RESV_USAGE_BOOKKEEP);
		emit("%u copy r%u to r%u -> %d %s", step, k, !k, err, b.s);
		return;
	}
fallback:
	if (r->nlive >= 2) {
		f = r->live[rnd(r, r->nlive)];
		g = r->live[rnd(r, r->nlive)];
		fdesc(&b, f);
		sb_add(&b, " ");
		fdesc(&b, g);
		if (f->context == g->context)
			emit("%u is_later %s -> %d", step, b.s,
			     dma_fence_is_later(f, g));
		else
			emit("%u wait %s t=0 -> %ld", step, b.s,
			     dma_fence_wait_timeout(f, false, 0));
	} else if (r->nlive < R_LIVE) {
		f = kf_new(rnd(r, r->ntl));
		if (!f)
			return;
		r->live[r->nlive++] = f;
		fdesc(&b, f);
		emit("%u new %s", step, b.s);
	} else {
		emit("%u nop", step);
	}
}

static void rs_run(unsigned int idx)
{
	struct rs *r = kzalloc(sizeof(*r), GFP_KERNEL);
	unsigned int i, n, steps;
	struct sb b;

	if (!r)
		return;
	snprintf(cur_case, sizeof(cur_case), "random_kapi.%u", idx);
	r->prng = seed ^ ((u64)idx * 0xd1342543de82ef95ull);
	sm_next(&r->prng);
	r->ntl = 2 + rnd(r, 3);
	r->nres = 1 + rnd(r, 2);
	tl_reset(r->ntl);
	r->chain_seq = 1;
	for (i = 0; i < r->nres; i++)
		dma_resv_init(&r->resv[i]);
	steps = 4 + rnd(r, 9);
	n = 1 + rnd(r, 3);
	for (i = 0; i < n; i++) {
		r->live[r->nlive] = kf_new(rnd(r, r->ntl));
		if (r->live[r->nlive])
			r->nlive++;
	}
	sb_reset(&b);
	for (i = 0; i < r->nlive; i++) {
		sb_add(&b, " ");
		fdesc(&b, r->live[i]);
	}
	emit("0 setup timelines=%u objects=%u steps=%u fences%s", r->ntl,
	     r->nres, steps, b.s);
	for (i = 1; i <= steps; i++)
		rs_step(r, i);

	/* Signal and free everything. */
	cb_reset();
	for (i = 0; i < r->nlive; i++)
		dma_fence_signal(r->live[i]);
	emit("%u end cb=%s", steps + 1, cb_seen());
	for (i = 0; i < r->ncont; i++) {
		dma_fence_wait(r->cont[i], false);
		dma_fence_put(r->cont[i]);
	}
	if (r->chain) {
		dma_fence_wait(r->chain, false);
		dma_fence_put(r->chain);
	}
	for (i = 0; i < r->nres; i++)
		dma_resv_fini(&r->resv[i]);
	for (i = 0; i < r->nlive; i++)
		dma_fence_put(r->live[i]);
	kfree(r);
}

/* ---- module ---------------------------------------------------------- */

static DECLARE_COMPLETION(worker_done);
static struct dentry *dbg_file;

static int worker(void *unused)
{
	unsigned int i;

	case_fence_init();
	case_fence_error();
	case_fence_timestamp();
	case_fence_get_status();
	case_fence_callbacks();
	case_fence_wait();
	case_fence_wait_any();
	case_fence_is_later();
	case_fence_stub();
	case_fence_enable();
	case_fence_ops_signaled();
	case_array_signal();
	case_array_created_signaled();
	case_array_iterate();
	case_chain_init();
	case_chain_find();
	case_chain_walk();
	case_chain_error();
	case_unwrap();
	case_unwrap_wrap32();
	case_unwrap_nested();
	case_unwrap_ties();
	case_resv_pairs();
	case_resv_ops();
	case_resv_many();
	if (kx_dev) {
		case_dmabuf_export();
		case_dmabuf_static();
		case_dmabuf_dynamic();
		case_dmabuf_kernel_wait();
		case_dmabuf_vmap();
		case_dmabuf_cpu_access();
	}
	for (i = 0; i < sequences; i++)
		rs_run(i);
	complete(&worker_done);
	return 0;
}

static ssize_t out_read(struct file *file, char __user *ubuf, size_t count,
			loff_t *ppos)
{
	return simple_read_from_buffer(ubuf, count, ppos, out_buf, out_len);
}

static const struct file_operations out_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = out_read,
	.llseek = default_llseek,
};

static int __init difftest_kapi_init(void)
{
	struct task_struct *t;
	char head[80];
	ktime_t start;
	int n;

	out_buf = vmalloc(OUT_SIZE);
	if (!out_buf)
		return -ENOMEM;
	n = scnprintf(head, sizeof(head),
		      "# difftest_kapi seed=%lu sequences=%u\n", seed,
		      sequences);
	out_put(head, n);

	kx_dev = root_device_register("difftest_kapi");
	if (IS_ERR(kx_dev)) {
		kx_dev = NULL;
		out_put("# no device: dmabuf cases skipped\n", 34);
	}
	global_stub = dma_fence_get_stub();

	start = ktime_get();
	t = kthread_run(worker, NULL, "difftest_kapi");
	if (IS_ERR(t)) {
		dma_fence_put(global_stub);
		if (kx_dev)
			root_device_unregister(kx_dev);
		vfree(out_buf);
		return PTR_ERR(t);
	}
	wait_for_completion(&worker_done);
	if (kx_dev)
		case_dmabuf_fd();

	n = scnprintf(head, sizeof(head), "# end: %u scripted cases\n",
		      n_scripted_cases);
	out_put(head, n);
	dbg_file = debugfs_create_file("difftest_kapi", 0400, NULL, NULL,
				       &out_fops);
	pr_info("difftest_kapi: %u scripted cases, %u sequences, %u lines in %lld ms%s\n",
		n_scripted_cases, sequences, n_lines,
		ktime_ms_delta(ktime_get(), start),
		out_full ? ", output overflowed" : "");
	return 0;
}

static void __exit difftest_kapi_exit(void)
{
	debugfs_remove(dbg_file);
	dma_fence_put(global_stub);
	if (kx_dev)
		root_device_unregister(kx_dev);
	vfree(out_buf);
}

module_init(difftest_kapi_init);
module_exit(difftest_kapi_exit);
MODULE_DESCRIPTION("Differential test of the dma-buf kernel API");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
