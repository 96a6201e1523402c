// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite for CPU access to dma-bufs and the work behind the fd's
 * ioctls: begin/end CPU access waiting on the right fences, the counted
 * kernel mapping, dma_buf_mmap()'s checks, poll() with fences added,
 * replaced and signaled while polling, DMA_BUF_IOCTL_SYNC's flags, names,
 * exporting and importing fences, and the bufinfo listing.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dma-buf.h>
#include <linux/dma-fence-array.h>
#include <linux/dma-resv.h>
#include <linux/kthread.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <uapi/linux/dma-buf.h>

#include "../dma-buf-internal.h"
#include "expect-warn.h"
#include "mock-exporter.h"
#include "mock-fence.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static void put_buf(struct kunit *test, struct dma_buf *buf)
{
	int want = atomic_read(&mock_releases) + 1;

	dma_buf_put(buf);
	KUNIT_EXPECT_TRUE(test, mock_releases_reach(want));
}

static void add_fence(struct dma_buf *buf, struct dma_fence *f,
		      enum dma_resv_usage usage)
{
	dma_resv_lock(buf->resv, NULL);
	if (!dma_resv_reserve_fences(buf->resv, 1))
		dma_resv_add_fence(buf->resv, f, usage);
	dma_resv_unlock(buf->resv);
}

static void cpu_read_waits_for_writers_only(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	struct dma_fence *writer = mock_fence(test);
	struct dma_fence *reader = mock_fence(test);
	struct mock_fence_signaler ls;
	struct task_struct *t;

	add_fence(buf, writer, DMA_RESV_USAGE_WRITE);
	add_fence(buf, reader, DMA_RESV_USAGE_READ);

	t = mock_fence_signal_later(test, &ls, writer, 30);
	KUNIT_EXPECT_EQ(test, dma_buf_begin_cpu_access(buf, DMA_FROM_DEVICE), 0);
	/* The writer is done, the reader need not be. */
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(writer));
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(reader));
	KUNIT_EXPECT_EQ(test, mock_of(buf)->begins, 1);
	KUNIT_EXPECT_EQ(test, mock_of(buf)->cpu_dir, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, dma_buf_end_cpu_access(buf, DMA_FROM_DEVICE), 0);
	KUNIT_EXPECT_EQ(test, mock_of(buf)->ends, 1);
	kthread_stop(t);

	/* A CPU write waits for the reader too. */
	t = mock_fence_signal_later(test, &ls, reader, 30);
	KUNIT_EXPECT_EQ(test, dma_buf_begin_cpu_access(buf, DMA_TO_DEVICE), 0);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(reader));
	KUNIT_EXPECT_EQ(test, mock_of(buf)->cpu_dir, DMA_TO_DEVICE);
	kthread_stop(t);

	dma_fence_put(writer);
	dma_fence_put(reader);
	put_buf(test, buf);
}

static void sync_flags_are_checked(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	static const u64 bad[] = {
		0, DMA_BUF_SYNC_END, 1 << 3, DMA_BUF_SYNC_READ | (1ULL << 63),
		DMA_BUF_SYNC_RW | 8,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ(test, dma_buf_sync(buf, bad[i]), -EINVAL);
	KUNIT_EXPECT_EQ(test, mock_of(buf)->begins + mock_of(buf)->ends, 0);

	KUNIT_EXPECT_EQ(test, dma_buf_sync(buf, DMA_BUF_SYNC_START |
					   DMA_BUF_SYNC_RW), 0);
	KUNIT_EXPECT_EQ(test, mock_of(buf)->cpu_dir, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_EQ(test, dma_buf_sync(buf, DMA_BUF_SYNC_END |
					   DMA_BUF_SYNC_WRITE), 0);
	KUNIT_EXPECT_EQ(test, mock_of(buf)->cpu_dir, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, dma_buf_sync(buf, DMA_BUF_SYNC_READ), 0);
	KUNIT_EXPECT_EQ(test, mock_of(buf)->cpu_dir, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, mock_of(buf)->begins, 2);
	KUNIT_EXPECT_EQ(test, mock_of(buf)->ends, 1);
	put_buf(test, buf);
}

static void vmap_is_shared_and_counted(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	struct mock_buffer *mb = mock_of(buf);
	struct iosys_map m1, m2;

	KUNIT_ASSERT_EQ(test, dma_buf_vmap(buf, &m1), 0);
	KUNIT_ASSERT_EQ(test, dma_buf_vmap(buf, &m2), 0);
	KUNIT_EXPECT_EQ(test, mb->vmaps, 1);
	KUNIT_EXPECT_TRUE(test, iosys_map_is_equal(&m1, &m2));
	KUNIT_EXPECT_PTR_EQ(test, m1.vaddr, mock_dma_buf_vaddr(buf));
	KUNIT_EXPECT_EQ(test, buf->vmapping_counter, 2U);

	dma_buf_vunmap(buf, &m2);
	KUNIT_EXPECT_EQ(test, mb->vunmaps, 0);
	dma_buf_vunmap(buf, &m1);
	KUNIT_EXPECT_EQ(test, mb->vunmaps, 1);
	KUNIT_EXPECT_TRUE(test, iosys_map_is_null(&buf->vmap_ptr));

	/* A new first user maps again. */
	KUNIT_ASSERT_EQ(test, dma_buf_vmap(buf, &m1), 0);
	KUNIT_EXPECT_EQ(test, mb->vmaps, 2);
	dma_buf_vunmap(buf, &m1);
	put_buf(test, buf);
}

static void vmap_failures_leave_no_mapping(struct kunit *test)
{
	static const struct dma_buf_ops no_vmap = {
		.map_dma_buf = mock_map, .unmap_dma_buf = mock_unmap,
		.release = mock_release,
	};
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	struct dma_buf *plain = mock_export(test, PAGE_SIZE, &no_vmap, NULL);
	struct iosys_map map;

	mock_of(buf)->fail_vmap = -ENOMEM;
	KUNIT_EXPECT_EQ(test, dma_buf_vmap(buf, &map), -ENOMEM);
	KUNIT_EXPECT_TRUE(test, iosys_map_is_null(&map));
	KUNIT_EXPECT_EQ(test, buf->vmapping_counter, 0U);
	KUNIT_EXPECT_EQ(test, dma_buf_vmap(plain, &map), -EINVAL);
	KUNIT_EXPECT_TRUE(test, iosys_map_is_null(&map));

	/* An unbalanced vunmap is reported and does nothing. */
	iosys_map_set_vaddr(&map, mock_dma_buf_vaddr(buf));
	EXPECT_WARN_BEGIN("vmap_failures_leave_no_mapping");
	dma_buf_vunmap(buf, &map);
	EXPECT_WARN_END("vmap_failures_leave_no_mapping");
	KUNIT_EXPECT_EQ(test, mock_of(buf)->vunmaps, 0);
	put_buf(test, buf);
	put_buf(test, plain);
}

DEFINE_EXPECT_WARN_CASE(vmap_failures_leave_no_mapping)

static void mmap_checks_the_range(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, 4 * PAGE_SIZE);
	struct vm_area_struct vma = {
		.vm_start = 0x100000, .vm_end = 0x100000 + 2 * PAGE_SIZE,
	};

	/* vma_set_file() swaps files: start with a reference of our own. */
	get_file(buf->file);
	vma.vm_file = buf->file;
	KUNIT_EXPECT_EQ(test, dma_buf_mmap(buf, &vma, 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, dma_buf_mmap(buf, &vma, ULONG_MAX), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, mock_of(buf)->mmaps, 0);

	KUNIT_EXPECT_EQ(test, dma_buf_mmap(buf, &vma, 2), 0);
	KUNIT_EXPECT_EQ(test, mock_of(buf)->mmaps, 1);
	KUNIT_EXPECT_PTR_EQ(test, vma.vm_file, buf->file);
	KUNIT_EXPECT_EQ(test, vma.vm_pgoff, 2UL);
	fput(vma.vm_file);	/* the VMA's reference */
	put_buf(test, buf);
}

/* Without the exporter's mmap hook, neither the kernel nor the fd maps. */
static void mmap_needs_the_exporter_hook(struct kunit *test)
{
	static const struct dma_buf_ops no_mmap = {
		.map_dma_buf = mock_map, .unmap_dma_buf = mock_unmap,
		.release = mock_release,
	};
	struct dma_buf *buf = mock_export(test, PAGE_SIZE, &no_mmap, NULL);
	struct vm_area_struct vma = {
		.vm_start = 0x100000, .vm_end = 0x100000 + PAGE_SIZE,
	};

	KUNIT_EXPECT_EQ(test, dma_buf_mmap(buf, &vma, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, buf->file->f_op->mmap(buf->file, &vma), -EINVAL);
	KUNIT_EXPECT_NULL(test, vma.vm_file);
	put_buf(test, buf);
}

/* A poll table that records wake-ups instead of sleeping. */
struct poll_probe {
	poll_table pt;
	wait_queue_entry_t wait;
	wait_queue_head_t *head;
	atomic_t wakeups;
};

static int probe_wake(wait_queue_entry_t *wait, unsigned int mode,
		      int sync, void *key)
{
	struct poll_probe *p = container_of(wait, struct poll_probe, wait);

	atomic_inc(&p->wakeups);
	return 0;
}

static void probe_queue(struct file *file, wait_queue_head_t *head,
			poll_table *pt)
{
	struct poll_probe *p = container_of(pt, struct poll_probe, pt);

	if (p->head)
		return;
	p->head = head;
	init_waitqueue_func_entry(&p->wait, probe_wake);
	add_wait_queue(head, &p->wait);
}

/* Poll @buf for @events, as poll(2) spells them; returns what is ready. */
static unsigned int probe_poll(struct poll_probe *p, struct dma_buf *buf,
			       unsigned int events)
{
	init_poll_funcptr(&p->pt, probe_queue);
	p->pt._key = demangle_poll(events);
	return mangle_poll(vfs_poll(buf->file, &p->pt));
}

static void probe_done(struct poll_probe *p)
{
	if (p->head)
		remove_wait_queue(p->head, &p->wait);
}

static void poll_reports_readers_and_writers(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	struct dma_fence *writer = mock_fence(test);
	struct dma_fence *reader = mock_fence(test);
	struct poll_probe p = {};

	KUNIT_EXPECT_EQ(test, probe_poll(&p, buf, POLLIN | POLLOUT),
			POLLIN | POLLOUT);
	KUNIT_EXPECT_EQ(test, probe_poll(&p, buf, 0), 0U);

	add_fence(buf, reader, DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_EQ(test, probe_poll(&p, buf, POLLIN | POLLOUT),
			POLLIN);
	add_fence(buf, writer, DMA_RESV_USAGE_WRITE);
	KUNIT_EXPECT_EQ(test, probe_poll(&p, buf, POLLIN | POLLOUT), 0U);
	KUNIT_EXPECT_NE(test, mangle_poll(buf->cb_in.active), 0U);

	dma_fence_signal(writer);
	KUNIT_EXPECT_GT(test, atomic_read(&p.wakeups), 0);
	KUNIT_EXPECT_EQ(test, probe_poll(&p, buf, POLLIN | POLLOUT), POLLIN);
	dma_fence_signal(reader);
	KUNIT_EXPECT_EQ(test, probe_poll(&p, buf, POLLIN | POLLOUT),
			POLLIN | POLLOUT);
	KUNIT_EXPECT_EQ(test, mangle_poll(buf->cb_in.active | buf->cb_out.active), 0U);

	probe_done(&p);
	dma_fence_put(writer);
	dma_fence_put(reader);
	put_buf(test, buf);
}

/*
 * A buffer whose pending writer, @first, is to be replaced by @second, a
 * later fence of its context; and a probe for polling the buffer.
 */
struct replaced_writer {
	struct dma_buf *buf;
	struct dma_fence *first, *second;
	struct poll_probe p;
};

static void replaced_writer_init(struct kunit *test, struct replaced_writer *r)
{
	u64 ctx = dma_fence_context_alloc(1);

	memset(&r->p, 0, sizeof(r->p));
	r->buf = mock_dma_buf(test, PAGE_SIZE);
	r->first = mock_fence_at(test, ctx, 1);
	r->second = mock_fence_at(test, ctx, 2);
	add_fence(r->buf, r->first, DMA_RESV_USAGE_WRITE);
}

static void replaced_writer_fini(struct kunit *test, struct replaced_writer *r)
{
	probe_done(&r->p);
	dma_fence_put(r->first);
	dma_fence_put(r->second);
	put_buf(test, r->buf);
}

static void poll_follows_replaced_fences(struct kunit *test)
{
	struct replaced_writer r;
	int woken;

	replaced_writer_init(test, &r);
	KUNIT_EXPECT_EQ(test, probe_poll(&r.p, r.buf, POLLIN), 0U);

	/* The writer is replaced while the poll waits on the old one. */
	add_fence(r.buf, r.second, DMA_RESV_USAGE_WRITE);
	woken = atomic_read(&r.p.wakeups);
	dma_fence_signal(r.first);
	KUNIT_EXPECT_GT(test, atomic_read(&r.p.wakeups), woken);
	/* Polling again finds the new writer still busy... */
	KUNIT_EXPECT_EQ(test, probe_poll(&r.p, r.buf, POLLIN), 0U);
	woken = atomic_read(&r.p.wakeups);
	/* ...and its completion wakes the poller too. */
	dma_fence_signal(r.second);
	KUNIT_EXPECT_GT(test, atomic_read(&r.p.wakeups), woken);
	KUNIT_EXPECT_EQ(test, probe_poll(&r.p, r.buf, POLLIN), POLLIN);

	replaced_writer_fini(test, &r);
}

/*
 * The armed callback holds a reference on its fence, so that the buffer
 * may drop the fence before it signals; the callback drops it again.
 */
static void poll_holds_the_fence_it_waits_on(struct kunit *test)
{
	struct replaced_writer r;
	unsigned int refs;

	replaced_writer_init(test, &r);
	refs = kref_read(&r.first->refcount);
	KUNIT_EXPECT_EQ(test, probe_poll(&r.p, r.buf, POLLIN), 0U);
	KUNIT_EXPECT_EQ(test, kref_read(&r.first->refcount), refs + 1);

	/* The buffer lets go of the first writer; the callback does not. */
	add_fence(r.buf, r.second, DMA_RESV_USAGE_WRITE);
	KUNIT_EXPECT_EQ(test, kref_read(&r.first->refcount), refs);
	dma_fence_signal(r.first);
	KUNIT_EXPECT_EQ(test, kref_read(&r.first->refcount), refs - 1);
	KUNIT_EXPECT_EQ(test, mangle_poll(r.buf->cb_in.active), 0U);

	KUNIT_EXPECT_EQ(test, probe_poll(&r.p, r.buf, POLLIN), 0U);
	dma_fence_signal(r.second);
	KUNIT_EXPECT_EQ(test, probe_poll(&r.p, r.buf, POLLIN), POLLIN);

	replaced_writer_fini(test, &r);
}

/*
 * A second poller that finds the callback claimed reports "not ready" and
 * takes no reference on the fence; the claim's end wakes it.
 */
static void poll_defers_to_a_claimed_callback(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	struct dma_fence *writer = mock_fence(test);
	struct poll_probe first = {}, second = {};
	unsigned int refs;

	add_fence(buf, writer, DMA_RESV_USAGE_WRITE);
	refs = kref_read(&writer->refcount);
	KUNIT_EXPECT_EQ(test, probe_poll(&first, buf, POLLIN), 0U);
	KUNIT_EXPECT_EQ(test, probe_poll(&second, buf, POLLIN), 0U);
	KUNIT_EXPECT_EQ(test, kref_read(&writer->refcount), refs + 1);

	dma_fence_signal(writer);
	KUNIT_EXPECT_GT(test, atomic_read(&second.wakeups), 0);
	KUNIT_EXPECT_EQ(test, probe_poll(&second, buf, POLLIN), POLLIN);
	KUNIT_EXPECT_EQ(test, probe_poll(&first, buf, POLLIN), POLLIN);
	KUNIT_EXPECT_EQ(test, mangle_poll(buf->cb_in.active), 0U);

	probe_done(&first);
	probe_done(&second);
	dma_fence_put(writer);
	put_buf(test, buf);
}

/*
 * The fence the walk found pending is done by the time the callback is to
 * be armed on it: the poller, which claimed the callback, walks on, finds
 * nothing, and ends the claim itself, waking the queue and dropping the
 * file and fence references the claim took.
 */
static void poll_ends_a_claim_it_could_not_arm(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	struct dma_fence *done = mock_fence_done_at_enable(test);
	struct poll_probe p = {};
	unsigned int refs;
	long files;

	add_fence(buf, done, DMA_RESV_USAGE_WRITE);
	refs = kref_read(&done->refcount);
	files = file_count(buf->file);

	KUNIT_EXPECT_EQ(test, probe_poll(&p, buf, POLLIN | POLLOUT),
			POLLIN | POLLOUT);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(done));
	KUNIT_EXPECT_GT(test, atomic_read(&p.wakeups), 0);
	KUNIT_EXPECT_EQ(test, mangle_poll(buf->cb_in.active | buf->cb_out.active), 0U);
	KUNIT_EXPECT_EQ(test, kref_read(&done->refcount), refs);
	KUNIT_EXPECT_EQ(test, file_count(buf->file), files);

	probe_done(&p);
	dma_fence_put(done);
	put_buf(test, buf);
}

/*
 * The first fence is done once armed on, the second is pending: the
 * poller keeps its claim from the first and arms the callback on the
 * second, and that one's signal ends the wait.
 */
static void poll_walks_past_a_fence_done_when_armed(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	struct dma_fence *done = mock_fence_done_at_enable(test);
	struct dma_fence *writer = mock_fence(test);
	struct poll_probe p = {};

	add_fence(buf, done, DMA_RESV_USAGE_WRITE);
	add_fence(buf, writer, DMA_RESV_USAGE_WRITE);

	KUNIT_EXPECT_EQ(test, probe_poll(&p, buf, POLLIN), 0U);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(done));
	KUNIT_EXPECT_EQ(test, mangle_poll(buf->cb_in.active), POLLIN);
	KUNIT_EXPECT_EQ(test, atomic_read(&p.wakeups), 0);

	dma_fence_signal(writer);
	KUNIT_EXPECT_GT(test, atomic_read(&p.wakeups), 0);
	KUNIT_EXPECT_EQ(test, mangle_poll(buf->cb_in.active), 0U);
	KUNIT_EXPECT_EQ(test, probe_poll(&p, buf, POLLIN), POLLIN);

	probe_done(&p);
	dma_fence_put(writer);
	dma_fence_put(done);
	put_buf(test, buf);
}

/*
 * While another poller holds the claim of EPOLLIN, EPOLLIN is not ready,
 * even on a buffer without fences, where EPOLLOUT is (6.1).  The claim is
 * made up here, as a poller that armed its callback leaves it.
 */
static void poll_leaves_out_a_claimed_event(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	struct poll_probe p = {};

	spin_lock_irq(&buf->poll.lock);
	buf->cb_in.active = EPOLLIN;
	spin_unlock_irq(&buf->poll.lock);
	KUNIT_EXPECT_EQ(test, probe_poll(&p, buf, POLLIN | POLLOUT),
			POLLOUT);
	KUNIT_EXPECT_EQ(test, probe_poll(&p, buf, POLLIN), 0U);

	spin_lock_irq(&buf->poll.lock);
	buf->cb_in.active = 0;
	spin_unlock_irq(&buf->poll.lock);
	KUNIT_EXPECT_EQ(test, probe_poll(&p, buf, POLLIN | POLLOUT),
			POLLIN | POLLOUT);
	probe_done(&p);
	put_buf(test, buf);
}

static void poll_keeps_the_buffer_alive(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	struct dma_fence *writer = mock_fence(test);
	int want = atomic_read(&mock_releases) + 1;
	struct poll_probe p = {};

	add_fence(buf, writer, DMA_RESV_USAGE_WRITE);
	KUNIT_EXPECT_EQ(test, probe_poll(&p, buf, POLLOUT), 0U);
	probe_done(&p);

	/* The armed callback holds the file: dropping ours frees nothing. */
	dma_buf_put(buf);
	flush_delayed_fput();
	KUNIT_EXPECT_EQ(test, atomic_read(&mock_releases), want - 1);
	dma_fence_signal(writer);
	KUNIT_EXPECT_TRUE(test, mock_releases_reach(want));
	dma_fence_put(writer);
}

/*
 * A probe that also notes, at each wake-up, whether the reader's claim is
 * still held.  A poller woken by the end of a claim polls again and reads
 * the claim without the lock: were it still held then, the poller would
 * go back to sleep with nobody left to wake it.
 */
struct claim_probe {
	struct poll_probe p;
	struct dma_buf *buf;
	__poll_t held_at_wake;
};

static int claim_probe_wake(wait_queue_entry_t *wait, unsigned int mode,
			    int sync, void *key)
{
	struct claim_probe *c = container_of(wait, struct claim_probe, p.wait);

	c->held_at_wake |= READ_ONCE(c->buf->cb_in.active);
	return probe_wake(wait, mode, sync, key);
}

static void poll_wakes_once_the_claim_ended(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	struct dma_fence *writer = mock_fence(test);
	struct claim_probe c = { .buf = buf };

	add_fence(buf, writer, DMA_RESV_USAGE_WRITE);
	KUNIT_EXPECT_EQ(test, probe_poll(&c.p, buf, POLLIN), 0U);
	KUNIT_ASSERT_NOT_NULL(test, c.p.head);
	KUNIT_EXPECT_NE(test, mangle_poll(buf->cb_in.active), 0U);
	c.p.wait.func = claim_probe_wake;

	dma_fence_signal(writer);
	KUNIT_EXPECT_GT(test, atomic_read(&c.p.wakeups), 0);
	KUNIT_EXPECT_EQ(test, mangle_poll(c.held_at_wake), 0U);
	KUNIT_EXPECT_EQ(test, probe_poll(&c.p, buf, POLLIN), POLLIN);

	probe_done(&c.p);
	dma_fence_put(writer);
	put_buf(test, buf);
}

/*
 * Another thread holds the reservation lock of a buffer until the test
 * completes @release, or @ms milliseconds have passed; @released turns
 * true just before it unlocks.
 */
struct lock_holder {
	struct dma_resv *resv;
	struct completion locked, release;
	unsigned int ms;
	bool released;
	struct task_struct *task;
};

static int lock_holder_fn(void *data)
{
	struct lock_holder *h = data;

	dma_resv_lock(h->resv, NULL);
	complete(&h->locked);
	wait_for_completion_timeout(&h->release, msecs_to_jiffies(h->ms));
	WRITE_ONCE(h->released, true);
	dma_resv_unlock(h->resv);
	while (!kthread_should_stop())
		msleep(20);
	return 0;
}

static void hold_lock(struct kunit *test, struct lock_holder *h,
		      struct dma_buf *buf, unsigned int ms)
{
	h->resv = buf->resv;
	h->ms = ms;
	h->released = false;
	init_completion(&h->locked);
	init_completion(&h->release);
	h->task = kthread_run(lock_holder_fn, h, "dma-buf-lock-holder");
	KUNIT_ASSERT_FALSE(test, IS_ERR(h->task));
	wait_for_completion(&h->locked);
}

static void let_go(struct lock_holder *h)
{
	complete(&h->release);
	kthread_stop(h->task);
}

/* A signal pending on the test's thread, as after a user's ^C. */
static void pend_signal(void)
{
	allow_signal(SIGUSR1);
	send_sig(SIGUSR1, current, 1);
}

static void clear_signal(void)
{
	flush_signals(current);
	disallow_signal(SIGUSR1);
}

static void names_replace_each_other(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);

	dma_buf_set_name(buf, kstrdup("first", GFP_KERNEL));
	KUNIT_EXPECT_STREQ(test, buf->name, "first");
	dma_buf_set_name(buf, kstrdup("second", GFP_KERNEL));
	KUNIT_EXPECT_STREQ(test, buf->name, "second");
	/* The old name was freed; kmemleak would report it otherwise. */
	put_buf(test, buf);
}

/* DMA_BUF_SET_NAME takes only the name's spinlock, as in 6.1. */
static void set_name_does_not_wait_for_the_lock(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	struct lock_holder h;

	hold_lock(test, &h, buf, 2000);
	dma_buf_set_name(buf, kstrdup("while-locked", GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(h.released));
	let_go(&h);
	KUNIT_EXPECT_STREQ(test, buf->name, "while-locked");
	put_buf(test, buf);
}

static void export_fence_covers_the_right_usage(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	struct dma_fence *w1 = mock_fence(test), *w2 = mock_fence(test);
	struct dma_fence *r = mock_fence(test);
	struct dma_fence *for_reader, *for_writer, *none;
	static const u32 bad[] = { 0, DMA_BUF_SYNC_END, DMA_BUF_SYNC_READ | 4,
				   1U << 31 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ(test, dma_buf_export_fence(buf, bad[i], &none),
				-EINVAL);

	KUNIT_ASSERT_EQ(test, dma_buf_export_fence(buf, DMA_BUF_SYNC_RW, &none),
			0);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(none));
	dma_fence_put(none);

	add_fence(buf, w1, DMA_RESV_USAGE_WRITE);
	add_fence(buf, w2, DMA_RESV_USAGE_WRITE);
	add_fence(buf, r, DMA_RESV_USAGE_READ);
	KUNIT_ASSERT_EQ(test, dma_buf_export_fence(buf, DMA_BUF_SYNC_READ,
						   &for_reader), 0);
	KUNIT_ASSERT_EQ(test, dma_buf_export_fence(buf, DMA_BUF_SYNC_WRITE,
						   &for_writer), 0);

	dma_fence_signal(w1);
	dma_fence_signal(w2);
	KUNIT_EXPECT_TRUE(test, mock_fence_settles(for_reader));
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(for_writer));
	dma_fence_signal(r);
	KUNIT_EXPECT_TRUE(test, mock_fence_settles(for_writer));

	dma_fence_put(for_reader);
	dma_fence_put(for_writer);
	dma_fence_put(w1);
	dma_fence_put(w2);
	dma_fence_put(r);
	put_buf(test, buf);
}

static unsigned int count_usage(struct dma_buf *buf, enum dma_resv_usage u)
{
	struct dma_resv_iter cursor;
	struct dma_fence *f;
	unsigned int n = 0;

	dma_resv_lock(buf->resv, NULL);
	dma_resv_for_each_fence(&cursor, buf->resv, DMA_RESV_USAGE_BOOKKEEP, f)
		n += dma_resv_iter_usage(&cursor) == u;
	dma_resv_unlock(buf->resv);
	return n;
}

static void import_fence_unwraps_and_adds(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	struct dma_fence **members = kcalloc(2, sizeof(*members), GFP_KERNEL);
	struct dma_fence_array *array;
	struct dma_fence *single = mock_fence(test);

	KUNIT_ASSERT_NOT_NULL(test, members);
	members[0] = mock_fence(test);
	members[1] = mock_fence(test);
	array = dma_fence_array_create(2, members, dma_fence_context_alloc(1),
				       1, false);
	KUNIT_ASSERT_NOT_NULL(test, array);

	KUNIT_EXPECT_EQ(test, dma_buf_import_fence(buf, 0, single), -EINVAL);
	KUNIT_EXPECT_EQ(test, dma_buf_import_fence(buf, DMA_BUF_SYNC_WRITE | 4,
						   single), -EINVAL);
	KUNIT_EXPECT_EQ(test, count_usage(buf, DMA_RESV_USAGE_READ) +
			count_usage(buf, DMA_RESV_USAGE_WRITE), 0U);

	KUNIT_EXPECT_EQ(test, dma_buf_import_fence(buf, DMA_BUF_SYNC_WRITE,
						   &array->base), 0);
	KUNIT_EXPECT_EQ(test, count_usage(buf, DMA_RESV_USAGE_WRITE), 2U);
	KUNIT_EXPECT_EQ(test, dma_buf_import_fence(buf, DMA_BUF_SYNC_READ,
						   single), 0);
	KUNIT_EXPECT_EQ(test, count_usage(buf, DMA_RESV_USAGE_READ), 1U);

	/* The buffer now waits for exactly those fences. */
	KUNIT_EXPECT_FALSE(test, dma_resv_test_signaled(buf->resv,
							DMA_RESV_USAGE_WRITE));
	dma_fence_signal(members[0]);
	dma_fence_signal(members[1]);
	KUNIT_EXPECT_TRUE(test, dma_resv_test_signaled(buf->resv,
						       DMA_RESV_USAGE_WRITE));
	KUNIT_EXPECT_FALSE(test, dma_resv_test_signaled(buf->resv,
							DMA_RESV_USAGE_READ));
	dma_fence_signal(single);

	dma_fence_put(&array->base);
	dma_fence_put(single);
	put_buf(test, buf);
}

/*
 * DMA_BUF_IOCTL_IMPORT_SYNC_FILE waits for the reservation lock without
 * giving up on a signal, as in 6.1: it never fails with -EINTR.
 */
static void import_fence_is_not_interrupted(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	struct dma_fence *f = mock_fence(test);
	struct lock_holder h;
	int err;

	hold_lock(test, &h, buf, 200);
	pend_signal();
	err = dma_buf_import_fence(buf, DMA_BUF_SYNC_WRITE, f);
	clear_signal();
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(h.released));
	let_go(&h);
	KUNIT_EXPECT_EQ(test, count_usage(buf, DMA_RESV_USAGE_WRITE), 1U);

	dma_fence_signal(f);
	dma_fence_put(f);
	put_buf(test, buf);
}

static void bufinfo_lists_each_buffer(struct kunit *test)
{
	static const char head[] = "\nDma-buf Objects:\n"
		"size    \tflags   \tmode    \tcount   \texp_name\tino     \tname\n";
	/*
	 * 6.1's lines: no space after "fence:", bookkeeping fences left
	 * out, and an empty line of its own before the totals.
	 */
	static const char * const lines[] = {
		"\tkernel fence:mock mock seq 1 unsignalled\n",
		"\twrite fence:mock mock seq 2 unsignalled\n",
		"\tread fence:mock mock seq 3 unsignalled\n",
		"unsignalled\n\tAttached Devices:\n\tbufinfo-importer\n"
		"Total 1 devices attached\n\n",
		" devices attached\n\n\nTotal ",
		" objects, ",
	};
	struct dma_buf *buf = mock_dma_buf(test, 3 * PAGE_SIZE);
	u64 ctx = dma_fence_context_alloc(4);
	struct dma_fence *k = mock_fence_at(test, ctx, 1);
	struct dma_fence *w = mock_fence_at(test, ctx + 1, 2);
	struct dma_fence *r = mock_fence_at(test, ctx + 2, 3);
	struct dma_fence *b = mock_fence_at(test, ctx + 3, 4);
	/* Never registered: the device goes by its initial name. */
	static struct device importer = { .init_name = "bufinfo-importer" };
	struct dma_buf_attachment *attach;
	struct seq_file m = { .size = 64 * 1024 };
	char line[96];
	unsigned int i;

	m.buf = kvzalloc(m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	attach = dma_buf_attach(buf, &importer);
	KUNIT_ASSERT_FALSE(test, IS_ERR(attach));
	dma_buf_set_name(buf, kstrdup("bufinfo-probe", GFP_KERNEL));
	add_fence(buf, k, DMA_RESV_USAGE_KERNEL);
	add_fence(buf, w, DMA_RESV_USAGE_WRITE);
	add_fence(buf, r, DMA_RESV_USAGE_READ);
	add_fence(buf, b, DMA_RESV_USAGE_BOOKKEEP);

	KUNIT_EXPECT_EQ(test, dma_buf_bufinfo_show(&m, NULL), 0);
	KUNIT_EXPECT_LT(test, m.count, m.size);
	KUNIT_EXPECT_EQ(test, strncmp(m.buf, head, strlen(head)), 0);
	snprintf(line, sizeof(line), "%08lu\t", 3 * PAGE_SIZE);
	KUNIT_EXPECT_NOT_NULL(test, strstr(m.buf, line));
	snprintf(line, sizeof(line), "\t%s\t%08lu\tbufinfo-probe\n",
		 KBUILD_MODNAME, file_inode(buf->file)->i_ino);
	KUNIT_EXPECT_NOT_NULL(test, strstr(m.buf, line));

	for (i = 0; i < ARRAY_SIZE(lines); i++)
		KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(m.buf, lines[i]),
					  "no '%s'", lines[i]);
	KUNIT_EXPECT_NULL(test, strstr(m.buf, "bookkeep"));
	KUNIT_EXPECT_NULL(test, strstr(m.buf, "seq 4 "));

	kvfree(m.buf);
	dma_buf_detach(buf, attach);
	dma_fence_signal(k);
	dma_fence_signal(w);
	dma_fence_signal(r);
	dma_fence_signal(b);
	dma_fence_put(k);
	dma_fence_put(w);
	dma_fence_put(r);
	dma_fence_put(b);
	put_buf(test, buf);
}

struct bufinfo_reader {
	struct seq_file m;
	struct completion started;
	int err;
};

static int bufinfo_reader_fn(void *data)
{
	struct bufinfo_reader *r = data;

	complete(&r->started);
	r->err = dma_buf_bufinfo_show(&r->m, NULL);
	while (!kthread_should_stop())
		msleep(20);
	return 0;
}

/*
 * Reading bufinfo gives up on a signal, as in 6.1: while it waits for a
 * buffer's reservation lock, and while it waits for the list of buffers,
 * which another reader holds as it waits for that lock in turn.  Both
 * return -EINTR; the other reader finishes once the lock is free.
 */
static void bufinfo_gives_up_on_a_signal(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	struct bufinfo_reader other = { .m = { .size = 64 * 1024 } };
	struct seq_file m = { .size = 64 * 1024 };
	struct task_struct *t;
	struct lock_holder h;
	int err;

	m.buf = kvzalloc(m.size, GFP_KERNEL);
	other.m.buf = kvzalloc(other.m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	KUNIT_ASSERT_NOT_NULL(test, other.m.buf);
	init_completion(&other.started);
	other.err = 1;

	hold_lock(test, &h, buf, 5000);
	pend_signal();
	err = dma_buf_bufinfo_show(&m, NULL);
	clear_signal();
	KUNIT_EXPECT_EQ(test, err, -EINTR);
	KUNIT_EXPECT_NULL(test, strstr(m.buf, "\nTotal "));

	t = kthread_run(bufinfo_reader_fn, &other, "dma-buf-bufinfo");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	wait_for_completion(&other.started);
	msleep(100);	/* until it waits for the buffer's lock */
	m.count = 0;
	pend_signal();
	err = dma_buf_bufinfo_show(&m, NULL);
	clear_signal();
	KUNIT_EXPECT_EQ(test, err, -EINTR);
	KUNIT_EXPECT_EQ(test, m.count, 0UL);
	KUNIT_EXPECT_EQ(test, READ_ONCE(other.err), 1);

	let_go(&h);
	kthread_stop(t);
	KUNIT_EXPECT_EQ(test, other.err, 0);
	KUNIT_EXPECT_NOT_NULL(test, strstr(other.m.buf, "\nTotal "));
	kvfree(other.m.buf);
	kvfree(m.buf);
	put_buf(test, buf);
}

static struct kunit_case access_cases[] = {
	KUNIT_CASE(cpu_read_waits_for_writers_only),
	KUNIT_CASE(sync_flags_are_checked),
	KUNIT_CASE(vmap_is_shared_and_counted),
	EXPECT_WARN_CASE(vmap_failures_leave_no_mapping),
	KUNIT_CASE(mmap_checks_the_range),
	KUNIT_CASE(mmap_needs_the_exporter_hook),
	KUNIT_CASE(poll_reports_readers_and_writers),
	KUNIT_CASE(poll_follows_replaced_fences),
	KUNIT_CASE(poll_holds_the_fence_it_waits_on),
	KUNIT_CASE(poll_defers_to_a_claimed_callback),
	KUNIT_CASE(poll_ends_a_claim_it_could_not_arm),
	KUNIT_CASE(poll_walks_past_a_fence_done_when_armed),
	KUNIT_CASE(poll_leaves_out_a_claimed_event),
	KUNIT_CASE(poll_keeps_the_buffer_alive),
	KUNIT_CASE(poll_wakes_once_the_claim_ended),
	KUNIT_CASE(names_replace_each_other),
	KUNIT_CASE(set_name_does_not_wait_for_the_lock),
	KUNIT_CASE(export_fence_covers_the_right_usage),
	KUNIT_CASE(import_fence_unwraps_and_adds),
	KUNIT_CASE(import_fence_is_not_interrupted),
	KUNIT_CASE(bufinfo_lists_each_buffer),
	KUNIT_CASE(bufinfo_gives_up_on_a_signal),
	{}
};

static struct kunit_suite access_suite = {
	.name = "dma-buf-access",
	.test_cases = access_cases,
};

kunit_test_suite(access_suite);

MODULE_LICENSE("GPL");
