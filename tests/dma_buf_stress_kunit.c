// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stress: threads that sign up for work on shared reservation objects and
 * buffers all at once, for a set time, under whatever detectors the
 * kernel has on (lockdep, KASAN, the hung-task and RCU-stall watchdogs).
 *
 * - Writers lock two objects at a time with a ww acquire context (backing
 *   off on -EDEADLK), reserve and add fences of random usage; a signaller
 *   completes them out of order; lock-free readers iterate, copy and
 *   test the objects meanwhile, and waiters sleep on them.  Every fence
 *   added must be seen signaled at the end, every wait must end, and no
 *   reader may ever hold a fence it did not get a reference to.
 * - Importers attach (static and dynamic) to shared buffers, map and
 *   unmap, vmap, bracket CPU access and detach, while fences come and go
 *   in the buffers' reservation objects.  The exporter's counts must
 *   balance at the end.
 *
 * The time per case is the module parameter "seconds" (on the command
 * line dma_buf_stress_kunit.seconds=N when built in): short in make test,
 * as long as one likes in make stress.  A case runs in rounds of at most
 * ROUND_SECONDS, one KUnit parameter each, because the KUnit runner waits
 * for a case uninterruptibly and the hung-task watchdog would take a long
 * wait for a hang.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/completion.h>
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "mock-fence.h"

MODULE_IMPORT_NS(DMA_BUF);

static unsigned int seconds = 3;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "how long each stress case runs");

#define ROUND_SECONDS 45

/* Rounds 1..R covering the seconds asked for (two hours at most). */
static const void *round_params(const void *prev, char *desc)
{
	static unsigned long rounds[160];
	unsigned int i, n = min_t(unsigned int, ARRAY_SIZE(rounds),
				  DIV_ROUND_UP(max(seconds, 1U),
					       ROUND_SECONDS));
	const unsigned long *next;

	if (!prev)
		for (i = 0; i < ARRAY_SIZE(rounds); i++)
			rounds[i] = i + 1;
	next = prev ? (const unsigned long *)prev + 1 : rounds;
	if (next >= rounds + n)
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "round %lu", *next);
	return next;
}

/* How long this round runs: what is left of the time, ROUND_SECONDS at most. */
static unsigned int round_seconds(struct kunit *test)
{
	unsigned long round = *(const unsigned long *)test->param_value;
	unsigned int done = (round - 1) * ROUND_SECONDS;

	return min_t(unsigned int, ROUND_SECONDS,
		     max(seconds, 1U) > done ? max(seconds, 1U) - done : 0);
}

#define OBJECTS 4
#define WRITERS 2
#define READERS 2
#define WAITERS 2
#define PENDING 256

struct resv_stress {
	struct kunit *test;
	struct dma_resv obj[OBJECTS];
	unsigned long end;		/* jiffies */
	/* fences added and not yet signaled, for the signaller */
	spinlock_t lock;		/* guards pending[] and npending */
	struct dma_fence *pending[PENDING];
	unsigned int npending;
	atomic_long_t added, signaled, reads, waits, backoffs;
	atomic_t bad;			/* readers' broken expectations */
};

static bool running(struct resv_stress *s)
{
	return time_before(jiffies, s->end) && !kthread_should_stop();
}

/* Lock @a and @b with one acquire context, backing off as ww asks. */
static void lock_two(struct resv_stress *s, struct dma_resv *a,
		     struct dma_resv *b, struct ww_acquire_ctx *ctx)
{
	struct dma_resv *held = a, *want = b;

	ww_acquire_init(ctx, &reservation_ww_class);
	/* Holding nothing yet, the first lock cannot be told to back off. */
	dma_resv_lock(held, ctx);
	while (dma_resv_lock(want, ctx) == -EDEADLK) {
		atomic_long_inc(&s->backoffs);
		dma_resv_unlock(held);
		dma_resv_lock_slow(want, ctx);
		swap(held, want);
	}
	ww_acquire_done(ctx);
}

static int resv_writer(void *data)
{
	struct resv_stress *s = data;

	while (running(s)) {
		unsigned int i = get_random_u32_below(OBJECTS);
		unsigned int j = (i + 1 + get_random_u32_below(OBJECTS - 1)) %
				 OBJECTS;
		enum dma_resv_usage usage = get_random_u32_below(4);
		struct ww_acquire_ctx ctx;
		struct dma_fence *f;

		f = mock_fence_new(dma_fence_context_alloc(1), 1);
		if (!f) {
			msleep(20);
			continue;
		}

		lock_two(s, &s->obj[i], &s->obj[j], &ctx);
		if (!dma_resv_reserve_fences(&s->obj[i], 1) &&
		    !dma_resv_reserve_fences(&s->obj[j], 1)) {
			dma_resv_add_fence(&s->obj[i], f, usage);
			dma_resv_add_fence(&s->obj[j], f, usage);
		}
		dma_resv_unlock(&s->obj[j]);
		dma_resv_unlock(&s->obj[i]);
		ww_acquire_fini(&ctx);
		atomic_long_inc(&s->added);

		/* Hand our reference to the signaller, or signal it now. */
		spin_lock(&s->lock);
		if (s->npending < PENDING) {
			s->pending[s->npending++] = f;
			f = NULL;
		}
		spin_unlock(&s->lock);
		if (f) {
			dma_fence_signal(f);
			atomic_long_inc(&s->signaled);
			dma_fence_put(f);
		}
		cond_resched();
	}
	return 0;
}

/* Completes pending fences in random order until told to stop. */
static int resv_signaller(void *data)
{
	struct resv_stress *s = data;

	for (;;) {
		struct dma_fence *f = NULL;

		spin_lock(&s->lock);
		if (s->npending) {
			unsigned int k = get_random_u32_below(s->npending);

			f = s->pending[k];
			s->pending[k] = s->pending[--s->npending];
		}
		spin_unlock(&s->lock);
		if (!f) {
			if (kthread_should_stop())
				break;
			usleep_range(100, 200);
			continue;
		}
		if (!get_random_u32_below(8))
			dma_fence_set_error(f, -EIO);
		dma_fence_signal(f);
		atomic_long_inc(&s->signaled);
		dma_fence_put(f);
		cond_resched();
	}
	return 0;
}

static int resv_reader(void *data)
{
	struct resv_stress *s = data;

	while (running(s)) {
		struct dma_resv *obj = &s->obj[get_random_u32_below(OBJECTS)];
		enum dma_resv_usage usage = get_random_u32_below(4);
		struct dma_resv_iter cursor;
		struct dma_fence **fences, *single, *f;
		unsigned int n, i;

		dma_resv_iter_begin(&cursor, obj, usage);
		dma_resv_for_each_fence_unlocked(&cursor, f) {
			/* The iterator holds a reference: the fence is live. */
			if (kref_read(&f->refcount) < 1 ||
			    dma_resv_iter_usage(&cursor) > usage)
				atomic_inc(&s->bad);
		}
		dma_resv_iter_end(&cursor);

		if (!dma_resv_get_fences(obj, usage, &n, &fences)) {
			for (i = 0; i < n; i++)
				dma_fence_put(fences[i]);
			kfree(fences);
		}
		if (!dma_resv_get_singleton(obj, usage, &single))
			dma_fence_put(single);
		dma_resv_test_signaled(obj, usage);
		atomic_long_inc(&s->reads);
		cond_resched();
	}
	return 0;
}

static int resv_waiter(void *data)
{
	struct resv_stress *s = data;

	while (running(s)) {
		struct dma_resv *obj = &s->obj[get_random_u32_below(OBJECTS)];

		dma_resv_wait_timeout(obj, get_random_u32_below(4), false,
				      msecs_to_jiffies(50));
		atomic_long_inc(&s->waits);
	}
	return 0;
}

static struct task_struct *start(struct kunit *test, int (*fn)(void *),
				 void *data, const char *name)
{
	struct task_struct *t = kthread_run(fn, data, "%s", name);

	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	get_task_struct(t);
	return t;
}

static void stop(struct task_struct *t)
{
	kthread_stop(t);
	put_task_struct(t);
}

static void stress_reservation_objects(struct kunit *test)
{
	struct task_struct *threads[WRITERS + READERS + WAITERS], *signaller;
	struct resv_stress *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	const enum dma_resv_usage all = DMA_RESV_USAGE_BOOKKEEP;
	unsigned int secs;
	unsigned int i, n = 0;

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->test = test;
	spin_lock_init(&s->lock);
	for (i = 0; i < OBJECTS; i++)
		dma_resv_init(&s->obj[i]);
	secs = round_seconds(test);
	s->end = jiffies + secs * HZ;

	signaller = start(test, resv_signaller, s, "resv-signaller");
	for (i = 0; i < WRITERS; i++)
		threads[n++] = start(test, resv_writer, s, "resv-writer");
	for (i = 0; i < READERS; i++)
		threads[n++] = start(test, resv_reader, s, "resv-reader");
	for (i = 0; i < WAITERS; i++)
		threads[n++] = start(test, resv_waiter, s, "resv-waiter");
	while (time_before(jiffies, s->end))
		msleep(100);
	for (i = 0; i < n; i++)
		stop(threads[i]);
	/* The signaller drains what the writers left, then stops. */
	stop(signaller);

	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->added),
			atomic_long_read(&s->signaled));
	KUNIT_EXPECT_EQ(test, s->npending, 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->bad), 0);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->reads), 0L);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->waits), 0L);
	for (i = 0; i < OBJECTS; i++) {
		struct dma_resv *obj = &s->obj[i];

		/* Nothing lost: every fence in every object has signaled. */
		KUNIT_EXPECT_TRUE(test, dma_resv_test_signaled(obj, all));
		KUNIT_EXPECT_GT(test, dma_resv_wait_timeout(obj, all, false, 1),
				0L);
		dma_resv_fini(obj);
	}
	kunit_info(test, "%lu fences added, %lu reads, %lu waits, %lu ww backoffs in %u s\n",
		   atomic_long_read(&s->added), atomic_long_read(&s->reads),
		   atomic_long_read(&s->waits), atomic_long_read(&s->backoffs),
		   secs);
}

/* A buffer exporter whose counts are atomic, for many importers at once. */
struct stress_buffer {
	struct page *page;
	struct completion released;
	atomic_t attaches, detaches, maps, unmaps, vmaps, vunmaps;
	atomic_t begins, ends;
};

static struct stress_buffer *stress_of(struct dma_buf *buf)
{
	return buf->priv;
}

static int stress_attach(struct dma_buf *buf, struct dma_buf_attachment *a)
{
	atomic_inc(&stress_of(buf)->attaches);
	return 0;
}

static void stress_detach(struct dma_buf *buf, struct dma_buf_attachment *a)
{
	atomic_inc(&stress_of(buf)->detaches);
}

static int stress_pin(struct dma_buf_attachment *a)
{
	return 0;
}

static void stress_unpin(struct dma_buf_attachment *a)
{
}

static struct sg_table *stress_map(struct dma_buf_attachment *a,
				   enum dma_data_direction dir)
{
	struct sg_table *sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);

	if (!sgt || sg_alloc_table(sgt, 1, GFP_KERNEL)) {
		kfree(sgt);
		return ERR_PTR(-ENOMEM);
	}
	sg_set_page(sgt->sgl, stress_of(a->dmabuf)->page, PAGE_SIZE, 0);
	atomic_inc(&stress_of(a->dmabuf)->maps);
	return sgt;
}

static void stress_unmap(struct dma_buf_attachment *a, struct sg_table *sgt,
			 enum dma_data_direction dir)
{
	atomic_inc(&stress_of(a->dmabuf)->unmaps);
	sg_free_table(sgt);
	kfree(sgt);
}

static int stress_vmap(struct dma_buf *buf, struct iosys_map *map)
{
	atomic_inc(&stress_of(buf)->vmaps);
	iosys_map_set_vaddr(map, page_address(stress_of(buf)->page));
	return 0;
}

static void stress_vunmap(struct dma_buf *buf, struct iosys_map *map)
{
	atomic_inc(&stress_of(buf)->vunmaps);
}

static int stress_begin(struct dma_buf *buf, enum dma_data_direction dir)
{
	atomic_inc(&stress_of(buf)->begins);
	return 0;
}

static int stress_end(struct dma_buf *buf, enum dma_data_direction dir)
{
	atomic_inc(&stress_of(buf)->ends);
	return 0;
}

static void stress_release(struct dma_buf *buf)
{
	complete(&stress_of(buf)->released);
}

static const struct dma_buf_ops stress_ops = {
	.attach = stress_attach,
	.detach = stress_detach,
	.pin = stress_pin,
	.unpin = stress_unpin,
	.map_dma_buf = stress_map,
	.unmap_dma_buf = stress_unmap,
	.vmap = stress_vmap,
	.vunmap = stress_vunmap,
	.begin_cpu_access = stress_begin,
	.end_cpu_access = stress_end,
	.release = stress_release,
};

static void stress_move_notify(struct dma_buf_attachment *a)
{
}

static const struct dma_buf_attach_ops stress_importer = {
	.allow_peer2peer = true,
	.move_notify = stress_move_notify,
};

#define BUFFERS 2
#define IMPORTERS 3

struct buf_stress {
	struct kunit *test;
	struct device *dev;
	struct dma_buf *buf[BUFFERS];
	struct stress_buffer sb[BUFFERS];
	unsigned long end;
	atomic_long_t rounds;
	atomic_t errors;
	atomic_t begin_error;	/* the last failed CPU access's errno */
};

/* One importer's round: attach, map, touch, unmap, detach; and CPU use. */
static void import_round(struct buf_stress *s, struct dma_buf *buf)
{
	bool dynamic = get_random_u32_below(2);
	struct dma_buf_attachment *a;
	struct iosys_map map;
	struct sg_table *sgt;

	a = dynamic ? dma_buf_dynamic_attach(buf, s->dev, &stress_importer,
					     NULL) :
		      dma_buf_attach(buf, s->dev);
	if (IS_ERR(a)) {
		atomic_inc(&s->errors);
		return;
	}
	if (dynamic) {
		dma_resv_lock(buf->resv, NULL);
		sgt = dma_buf_map_attachment(a, DMA_BIDIRECTIONAL);
		if (!IS_ERR(sgt))
			dma_buf_unmap_attachment(a, sgt, DMA_BIDIRECTIONAL);
		dma_resv_unlock(buf->resv);
	} else {
		sgt = dma_buf_map_attachment_unlocked(a, DMA_TO_DEVICE);
		if (!IS_ERR(sgt))
			dma_buf_unmap_attachment_unlocked(a, sgt,
							  DMA_TO_DEVICE);
	}
	if (IS_ERR(sgt))
		atomic_inc(&s->errors);
	dma_buf_detach(buf, a);

	if (!dma_buf_vmap(buf, &map)) {
		int err = dma_buf_begin_cpu_access(buf, DMA_FROM_DEVICE);

		/* Access that could not begin has nothing to end. */
		if (!err) {
			(void)READ_ONCE(*(u8 *)map.vaddr);
			dma_buf_end_cpu_access(buf, DMA_FROM_DEVICE);
		} else {
			atomic_set(&s->begin_error, err);
			atomic_inc(&s->errors);
		}
		dma_buf_vunmap(buf, &map);
	} else {
		atomic_inc(&s->errors);
	}
}

static int importer(void *data)
{
	struct buf_stress *s = data;

	while (time_before(jiffies, s->end) && !kthread_should_stop()) {
		import_round(s, s->buf[get_random_u32_below(BUFFERS)]);
		atomic_long_inc(&s->rounds);
		cond_resched();
	}
	return 0;
}

/* Puts fences into the buffers' objects and signals them right away. */
static int fencer(void *data)
{
	struct buf_stress *s = data;

	while (time_before(jiffies, s->end) && !kthread_should_stop()) {
		struct dma_buf *buf = s->buf[get_random_u32_below(BUFFERS)];
		struct dma_fence *f;

		f = mock_fence_new(dma_fence_context_alloc(1), 1);
		if (!f) {
			msleep(20);
			continue;
		}
		dma_resv_lock(buf->resv, NULL);
		if (!dma_resv_reserve_fences(buf->resv, 1))
			dma_resv_add_fence(buf->resv, f,
					   get_random_u32_below(4));
		dma_resv_unlock(buf->resv);
		usleep_range(50, 100);
		dma_fence_signal(f);
		dma_fence_put(f);
	}
	return 0;
}

static void stress_buffers(struct kunit *test)
{
	struct task_struct *threads[IMPORTERS + 1];
	struct buf_stress *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	unsigned int i, secs = round_seconds(test);

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->test = test;
	s->dev = root_device_register("dma-buf-stress");
	KUNIT_ASSERT_FALSE(test, IS_ERR(s->dev));
	for (i = 0; i < BUFFERS; i++) {
		DEFINE_DMA_BUF_EXPORT_INFO(info);

		init_completion(&s->sb[i].released);
		s->sb[i].page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		KUNIT_ASSERT_NOT_NULL(test, s->sb[i].page);
		info.ops = &stress_ops;
		info.size = PAGE_SIZE;
		info.flags = O_RDWR;
		info.priv = &s->sb[i];
		s->buf[i] = dma_buf_export(&info);
		KUNIT_ASSERT_FALSE(test, IS_ERR(s->buf[i]));
	}
	s->end = jiffies + secs * HZ;
	for (i = 0; i < IMPORTERS; i++)
		threads[i] = start(test, importer, s, "dma-buf-importer");
	threads[i] = start(test, fencer, s, "dma-buf-fencer");
	while (time_before(jiffies, s->end))
		msleep(100);
	for (i = 0; i <= IMPORTERS; i++)
		stop(threads[i]);

	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&s->errors), 0,
			    "last begin_cpu_access error %d",
			    atomic_read(&s->begin_error));
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->rounds), 0L);
	for (i = 0; i < BUFFERS; i++) {
		struct stress_buffer *sb = &s->sb[i];

		KUNIT_EXPECT_EQ(test, atomic_read(&sb->attaches),
				atomic_read(&sb->detaches));
		KUNIT_EXPECT_EQ(test, atomic_read(&sb->maps),
				atomic_read(&sb->unmaps));
		KUNIT_EXPECT_EQ(test, atomic_read(&sb->vmaps),
				atomic_read(&sb->vunmaps));
		KUNIT_EXPECT_EQ(test, atomic_read(&sb->begins),
				atomic_read(&sb->ends));
		KUNIT_EXPECT_TRUE(test, list_empty(&s->buf[i]->attachments));
		KUNIT_EXPECT_EQ(test, s->buf[i]->vmapping_counter, 0U);
		dma_buf_put(s->buf[i]);
	}
	/* Buffer release runs from the file's final fput, later. */
	for (i = 0; i < BUFFERS; i++) {
		struct completion *done = &s->sb[i].released;

		KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(done, 10 * HZ));
		__free_page(s->sb[i].page);
	}
	root_device_unregister(s->dev);
	kunit_info(test, "%lu import rounds in %u s\n",
		   atomic_long_read(&s->rounds), secs);
}

static struct kunit_case dma_buf_stress_cases[] = {
	KUNIT_CASE_PARAM(stress_reservation_objects, round_params),
	KUNIT_CASE_PARAM(stress_buffers, round_params),
	{}
};

static struct kunit_suite dma_buf_stress_suite = {
	.name = "dma-buf-stress",
	.test_cases = dma_buf_stress_cases,
};

kunit_test_suite(dma_buf_stress_suite);

MODULE_DESCRIPTION("Stress of reservation objects and dma-buf attachments");
MODULE_LICENSE("GPL");
