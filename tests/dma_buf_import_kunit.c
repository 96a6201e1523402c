// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite for the importer side of dma-buf: static and dynamic
 * attachments to static, caching and dynamic exporters, the mapping
 * cache, pinning, move_notify, and every error path of attach and map.
 */

#include <kunit/test.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/kthread.h>
#include <linux/sched/signal.h>

#include "expect-warn.h"
#include "mock-exporter.h"
#include "mock-fence.h"

static struct device *dev;

static int import_suite_init(struct kunit_suite *suite)
{
	dev = root_device_register("dma-buf-kunit");
	return PTR_ERR_OR_ZERO(dev);
}

static void import_suite_exit(struct kunit_suite *suite)
{
	root_device_unregister(dev);
}

static int moves_seen;

static void count_move(struct dma_buf_attachment *attach)
{
	dma_resv_assert_held(attach->dmabuf->resv);
	moves_seen++;
}

static const struct dma_buf_attach_ops dynamic_importer = {
	.allow_peer2peer = true,
	.move_notify = count_move,
};

static bool attached(struct dma_buf *buf, struct dma_buf_attachment *a)
{
	struct dma_buf_attachment *pos;
	bool found = false;

	dma_resv_lock(buf->resv, NULL);
	list_for_each_entry(pos, &buf->attachments, node)
		found |= pos == a;
	dma_resv_unlock(buf->resv);
	return found;
}

/* A one-page buffer of the mock's dynamic exporter. */
static struct dma_buf *dynamic_buf(struct kunit *test)
{
	return mock_export(test, PAGE_SIZE, &mock_dynamic_ops, NULL);
}

static void put_buf(struct kunit *test, struct dma_buf *buf)
{
	int want = atomic_read(&mock_releases) + 1;

	dma_buf_put(buf);
	KUNIT_EXPECT_TRUE(test, mock_releases_reach(want));
}

static void static_import_maps_on_every_call(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, 2 * PAGE_SIZE);
	struct mock_buffer *mb = mock_of(buf);
	struct dma_buf_attachment *a = dma_buf_attach(buf, dev);
	struct sg_table *s1, *s2;

	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	KUNIT_EXPECT_EQ(test, mb->attaches, 1);
	KUNIT_EXPECT_PTR_EQ(test, a->dmabuf, buf);
	KUNIT_EXPECT_PTR_EQ(test, a->dev, dev);
	KUNIT_EXPECT_FALSE(test, dma_buf_attachment_is_dynamic(a));
	KUNIT_EXPECT_FALSE(test, a->peer2peer);
	KUNIT_EXPECT_TRUE(test, attached(buf, a));
	KUNIT_EXPECT_EQ(test, mb->maps, 0);

	/* No lock needed for a static importer of a static exporter. */
	s1 = dma_buf_map_attachment(a, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s1));
	KUNIT_EXPECT_EQ(test, mb->map_dir, DMA_TO_DEVICE);
	s2 = dma_buf_map_attachment_unlocked(a, DMA_FROM_DEVICE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s2));
	KUNIT_EXPECT_PTR_NE(test, s1, s2);
	KUNIT_EXPECT_EQ(test, mb->maps, 2);
	KUNIT_EXPECT_EQ(test, s1->sgl->length,
			(unsigned int)(2 * PAGE_SIZE));
	dma_buf_unmap_attachment(a, s1, DMA_TO_DEVICE);
	dma_buf_unmap_attachment_unlocked(a, s2, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, mb->unmaps, 2);

	dma_buf_detach(buf, a);
	KUNIT_EXPECT_EQ(test, mb->detaches, 1);
	KUNIT_EXPECT_TRUE(test, list_empty(&buf->attachments));
	put_buf(test, buf);
}

static void cached_mapping_is_handed_out_again(struct kunit *test)
{
	struct dma_buf *buf = mock_export(test, PAGE_SIZE, &mock_cached_ops,
					  NULL);
	struct mock_buffer *mb = mock_of(buf);
	struct dma_buf_attachment *a = dma_buf_attach(buf, dev);
	struct sg_table *s1, *s2;

	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	s1 = dma_buf_map_attachment(a, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s1));
	s2 = dma_buf_map_attachment(a, DMA_TO_DEVICE);
	KUNIT_EXPECT_PTR_EQ(test, s1, s2);
	KUNIT_EXPECT_EQ(test, mb->maps, 1);
	KUNIT_EXPECT_PTR_EQ(test, a->sgt, s1);

	/* The cache serves its own direction only. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(dma_buf_map_attachment(a, DMA_FROM_DEVICE)),
			-EBUSY);

	/* Unmapping a cached table keeps it; detach drops it. */
	dma_buf_unmap_attachment(a, s1, DMA_TO_DEVICE);
	dma_buf_unmap_attachment(a, s2, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, mb->unmaps, 0);
	dma_buf_detach(buf, a);
	KUNIT_EXPECT_EQ(test, mb->unmaps, 1);
	put_buf(test, buf);
}

static void static_import_of_dynamic_export_pins_for_life(struct kunit *test)
{
	struct dma_buf *buf = dynamic_buf(test);
	struct mock_buffer *mb = mock_of(buf);
	struct dma_buf_attachment *a;
	struct sg_table *sgt;

	KUNIT_EXPECT_TRUE(test, dma_buf_is_dynamic(buf));
	a = dma_buf_attach(buf, dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	KUNIT_EXPECT_EQ(test, mb->pins, 1);
	KUNIT_EXPECT_EQ(test, mb->maps, 1);
	KUNIT_EXPECT_EQ(test, mb->map_dir, DMA_BIDIRECTIONAL);

	/* Any direction is served from the mapping made at attach. */
	sgt = dma_buf_map_attachment_unlocked(a, DMA_FROM_DEVICE);
	KUNIT_EXPECT_PTR_EQ(test, sgt, a->sgt);
	dma_buf_unmap_attachment_unlocked(a, sgt, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, mb->maps, 1);
	KUNIT_EXPECT_EQ(test, mb->unmaps, 0);

	/* Static importers are pinned, so they are not told of moves. */
	moves_seen = 0;
	dma_resv_lock(buf->resv, NULL);
	dma_buf_move_notify(buf);
	dma_resv_unlock(buf->resv);
	KUNIT_EXPECT_EQ(test, moves_seen, 0);

	dma_buf_detach(buf, a);
	KUNIT_EXPECT_EQ(test, mb->unmaps, 1);
	KUNIT_EXPECT_EQ(test, mb->unpins, 1);
	put_buf(test, buf);
}

static void dynamic_import_maps_under_the_lock(struct kunit *test)
{
	struct dma_buf *buf = dynamic_buf(test);
	struct mock_buffer *mb = mock_of(buf);
	struct dma_buf_attachment *a;
	struct sg_table *sgt;
	int pins_per_map = IS_ENABLED(CONFIG_DMABUF_MOVE_NOTIFY) ? 0 : 1;

	a = dma_buf_dynamic_attach(buf, dev, &dynamic_importer, test);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	KUNIT_EXPECT_TRUE(test, dma_buf_attachment_is_dynamic(a));
	KUNIT_EXPECT_TRUE(test, a->peer2peer);
	KUNIT_EXPECT_PTR_EQ(test, a->importer_priv, (void *)test);
	KUNIT_EXPECT_EQ(test, mb->maps, 0);
	KUNIT_EXPECT_EQ(test, mb->pins, 0);

	dma_resv_lock(buf->resv, NULL);
	sgt = dma_buf_map_attachment(a, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_FALSE(test, IS_ERR(sgt));
	KUNIT_EXPECT_EQ(test, mb->maps, 1);
	KUNIT_EXPECT_EQ(test, mb->pins, pins_per_map);

	moves_seen = 0;
	dma_buf_move_notify(buf);
	KUNIT_EXPECT_EQ(test, moves_seen, 1);

	dma_buf_unmap_attachment(a, sgt, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_EQ(test, mb->unmaps, 1);
	KUNIT_EXPECT_EQ(test, mb->unpins, pins_per_map);

	/* An explicit pin goes to the exporter. */
	KUNIT_EXPECT_EQ(test, dma_buf_pin(a), 0);
	KUNIT_EXPECT_EQ(test, mb->pins, pins_per_map + 1);
	dma_buf_unpin(a);
	KUNIT_EXPECT_EQ(test, mb->unpins, pins_per_map + 1);
	dma_resv_unlock(buf->resv);

	/* The _unlocked forms take the lock for a dynamic importer. */
	sgt = dma_buf_map_attachment_unlocked(a, DMA_TO_DEVICE);
	KUNIT_EXPECT_FALSE(test, IS_ERR(sgt));
	dma_buf_unmap_attachment_unlocked(a, sgt, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, mb->unmaps, 2);

	dma_buf_detach(buf, a);
	KUNIT_EXPECT_EQ(test, mb->detaches, 1);
	put_buf(test, buf);
}

static void dynamic_import_of_static_export_maps_for_life(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	struct mock_buffer *mb = mock_of(buf);
	struct dma_buf_attachment *a;
	struct sg_table *sgt;

	a = dma_buf_dynamic_attach(buf, dev, &dynamic_importer, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	KUNIT_EXPECT_EQ(test, mb->maps, 1);
	KUNIT_EXPECT_EQ(test, mb->map_dir, DMA_BIDIRECTIONAL);

	dma_resv_lock(buf->resv, NULL);
	sgt = dma_buf_map_attachment(a, DMA_TO_DEVICE);
	KUNIT_EXPECT_PTR_EQ(test, sgt, a->sgt);
	dma_buf_unmap_attachment(a, sgt, DMA_TO_DEVICE);
	dma_resv_unlock(buf->resv);
	KUNIT_EXPECT_EQ(test, mb->unmaps, 0);

	dma_buf_detach(buf, a);
	KUNIT_EXPECT_EQ(test, mb->unmaps, 1);
	put_buf(test, buf);
}

static void dynamic_import_needs_move_notify(struct kunit *test)
{
	static const struct dma_buf_attach_ops deaf = { .allow_peer2peer = true };
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	struct dma_buf_attachment *a;

	EXPECT_WARN_BEGIN("dynamic_import_needs_move_notify");
	a = dma_buf_dynamic_attach(buf, dev, &deaf, NULL);
	EXPECT_WARN_END("dynamic_import_needs_move_notify");
	KUNIT_EXPECT_EQ(test, PTR_ERR(a), -EINVAL);
	KUNIT_EXPECT_EQ(test, mock_of(buf)->attaches, 0);
	put_buf(test, buf);
}

DEFINE_EXPECT_WARN_CASE(dynamic_import_needs_move_notify)

static void attach_failures_leave_nothing(struct kunit *test)
{
	struct dma_buf *buf = dynamic_buf(test);
	struct mock_buffer *mb = mock_of(buf);
	struct dma_buf_attachment *a;

	/* The exporter refuses the device. */
	mb->fail_attach = -EBUSY;
	a = dma_buf_attach(buf, dev);
	KUNIT_EXPECT_EQ(test, PTR_ERR(a), -EBUSY);
	KUNIT_EXPECT_EQ(test, mb->detaches, 0);

	/* The pin for a static importer fails. */
	mb->fail_pin = -ENOSPC;
	a = dma_buf_attach(buf, dev);
	KUNIT_EXPECT_EQ(test, PTR_ERR(a), -ENOSPC);
	KUNIT_EXPECT_EQ(test, mb->detaches, 1);
	KUNIT_EXPECT_EQ(test, mb->maps, 0);

	/* The mapping fails after the pin: the pin is undone. */
	mb->fail_map = -EIO;
	a = dma_buf_attach(buf, dev);
	KUNIT_EXPECT_EQ(test, PTR_ERR(a), -EIO);
	KUNIT_EXPECT_EQ(test, mb->pins, 1);
	KUNIT_EXPECT_EQ(test, mb->unpins, 1);
	KUNIT_EXPECT_EQ(test, mb->detaches, 2);

	KUNIT_EXPECT_TRUE(test, list_empty(&buf->attachments));
	put_buf(test, buf);
}

static void map_failures_are_reported(struct kunit *test)
{
	struct dma_buf *buf = dynamic_buf(test);
	struct mock_buffer *mb = mock_of(buf);
	struct dma_buf_attachment *a;

	a = dma_buf_dynamic_attach(buf, dev, &dynamic_importer, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	dma_resv_lock(buf->resv, NULL);

	mb->fail_map = -EIO;
	KUNIT_EXPECT_EQ(test, PTR_ERR(dma_buf_map_attachment(a, DMA_TO_DEVICE)),
			-EIO);
	mb->map_null = true;
	KUNIT_EXPECT_EQ(test, PTR_ERR(dma_buf_map_attachment(a, DMA_TO_DEVICE)),
			-ENOMEM);
	/* Whatever a failed map pinned was unpinned. */
	KUNIT_EXPECT_EQ(test, mb->pins, mb->unpins);

	if (!IS_ENABLED(CONFIG_DMABUF_MOVE_NOTIFY)) {
		mb->fail_pin = -ENOSPC;
		KUNIT_EXPECT_EQ(test,
				PTR_ERR(dma_buf_map_attachment(a, DMA_TO_DEVICE)),
				-ENOSPC);
		KUNIT_EXPECT_EQ(test, mb->maps, 0);
	}
	dma_resv_unlock(buf->resv);
	dma_buf_detach(buf, a);
	put_buf(test, buf);
}

/*
 * The exporter's own work on the buffer (a move, a clear) is a KERNEL
 * fence.  A static importer has no way to wait for it, so the core does,
 * after the exporter's map_dma_buf and before the importer sees the table.
 * An unsignaled fence of @usage on @buf; the caller signals and puts it.
 */
static struct dma_fence *add_pending_fence(struct kunit *test,
					   struct dma_buf *buf,
					   enum dma_resv_usage usage)
{
	struct dma_fence *f = mock_fence(test);

	dma_resv_lock(buf->resv, NULL);
	KUNIT_EXPECT_EQ(test, dma_resv_reserve_fences(buf->resv, 1), 0);
	dma_resv_add_fence(buf->resv, f, usage);
	dma_resv_unlock(buf->resv);
	return f;
}

/*
 * Leave a signal pending on the test's thread, as a user's ^C during an
 * ioctl would: an interruptible wait then returns -ERESTARTSYS at once,
 * and a path that must not wait at all still succeeds.
 */
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

static void static_map_waits_for_kernel_fences(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	struct mock_buffer *mb = mock_of(buf);
	struct dma_buf_attachment *a = dma_buf_attach(buf, dev);
	struct mock_fence_signaler ds;
	struct task_struct *t;
	struct dma_fence *f;
	struct sg_table *sgt;

	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	f = add_pending_fence(test, buf, DMA_RESV_USAGE_KERNEL);
	t = mock_fence_signal_later(test, &ds, f, 200);
	sgt = dma_buf_map_attachment_unlocked(a, DMA_TO_DEVICE);
	/* The table is handed out only once the exporter's work is done. */
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(f));
	KUNIT_EXPECT_FALSE(test, IS_ERR(sgt));
	KUNIT_EXPECT_EQ(test, mb->maps, 1);
	if (!IS_ERR(sgt))
		dma_buf_unmap_attachment_unlocked(a, sgt, DMA_TO_DEVICE);
	kthread_stop(t);
	dma_fence_put(f);

	/* Readers and writers are the importer's business, not the core's. */
	f = add_pending_fence(test, buf, DMA_RESV_USAGE_WRITE);
	pend_signal();
	sgt = dma_buf_map_attachment_unlocked(a, DMA_TO_DEVICE);
	clear_signal();
	KUNIT_EXPECT_FALSE(test, IS_ERR(sgt));
	if (!IS_ERR(sgt))
		dma_buf_unmap_attachment_unlocked(a, sgt, DMA_TO_DEVICE);
	dma_fence_signal(f);
	dma_fence_put(f);

	dma_buf_detach(buf, a);
	put_buf(test, buf);
}

static void static_attach_to_dynamic_export_waits(struct kunit *test)
{
	struct dma_buf *buf = dynamic_buf(test);
	struct mock_buffer *mb = mock_of(buf);
	struct dma_fence *f = add_pending_fence(test, buf,
					       DMA_RESV_USAGE_KERNEL);
	struct dma_buf_attachment *a;
	struct mock_fence_signaler ds;
	struct task_struct *t;

	/* The mapping made at attach for the pinned buffer waits too. */
	t = mock_fence_signal_later(test, &ds, f, 200);
	a = dma_buf_attach(buf, dev);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(f));
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	KUNIT_EXPECT_EQ(test, mb->pins, 1);
	KUNIT_EXPECT_PTR_NE(test, a->sgt, (struct sg_table *)NULL);
	kthread_stop(t);
	dma_fence_put(f);

	dma_buf_detach(buf, a);
	KUNIT_EXPECT_EQ(test, mb->unpins, 1);
	put_buf(test, buf);
}

static void interrupted_static_map_is_undone(struct kunit *test)
{
	struct dma_buf *buf = mock_export(test, PAGE_SIZE, &mock_cached_ops,
					  NULL);
	struct dma_buf *movable = dynamic_buf(test);
	struct mock_buffer *mb = mock_of(buf), *mm = mock_of(movable);
	struct dma_fence *f = add_pending_fence(test, buf,
					       DMA_RESV_USAGE_KERNEL);
	struct dma_fence *g = add_pending_fence(test, movable,
					       DMA_RESV_USAGE_KERNEL);
	struct dma_buf_attachment *a = dma_buf_attach(buf, dev), *b;
	struct sg_table *sgt;

	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	pend_signal();
	sgt = dma_buf_map_attachment_unlocked(a, DMA_TO_DEVICE);
	b = dma_buf_attach(movable, dev);
	clear_signal();

	/* The exporter mapped, the wait was cut short, the map was undone. */
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(sgt), -ERESTARTSYS);
	KUNIT_EXPECT_EQ(test, mb->maps, 1);
	KUNIT_EXPECT_EQ(test, mb->unmaps, 1);
	KUNIT_EXPECT_NULL(test, a->sgt);
	if (!IS_ERR(sgt))
		dma_buf_unmap_attachment_unlocked(a, sgt, DMA_TO_DEVICE);

	/* At attach: mapping and pin undone, the attachment gone. */
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(b), -ERESTARTSYS);
	KUNIT_EXPECT_EQ(test, mm->maps, 1);
	KUNIT_EXPECT_EQ(test, mm->unmaps, 1);
	KUNIT_EXPECT_EQ(test, mm->pins, 1);
	KUNIT_EXPECT_EQ(test, mm->unpins, 1);
	KUNIT_EXPECT_EQ(test, mm->detaches, 1);
	KUNIT_EXPECT_TRUE(test, list_empty(&movable->attachments));
	if (!IS_ERR(b))
		dma_buf_detach(movable, b);

	/* Once the exporter is done, mapping works. */
	dma_fence_signal(f);
	sgt = dma_buf_map_attachment_unlocked(a, DMA_TO_DEVICE);
	KUNIT_EXPECT_FALSE(test, IS_ERR(sgt));
	KUNIT_EXPECT_PTR_EQ(test, a->sgt, sgt);

	dma_buf_detach(buf, a);
	dma_fence_signal(g);
	dma_fence_put(f);
	dma_fence_put(g);
	put_buf(test, buf);
	put_buf(test, movable);
}

static void dynamic_import_does_not_wait(struct kunit *test)
{
	struct dma_buf *movable = dynamic_buf(test);
	struct dma_buf *fixed = mock_dma_buf(test, PAGE_SIZE);
	struct dma_fence *f = add_pending_fence(test, movable,
					       DMA_RESV_USAGE_KERNEL);
	struct dma_fence *g = add_pending_fence(test, fixed,
					       DMA_RESV_USAGE_KERNEL);
	struct dma_buf_attachment *a, *b;
	struct sg_table *sgt;

	/*
	 * A dynamic importer waits for the fences itself, in its own way
	 * (often on the GPU): with a signal pending, a wait in the core
	 * would fail these calls.
	 */
	pend_signal();
	a = dma_buf_dynamic_attach(movable, dev, &dynamic_importer, NULL);
	b = dma_buf_dynamic_attach(fixed, dev, &dynamic_importer, NULL);
	sgt = ERR_PTR(-EINVAL);
	if (!IS_ERR(a)) {
		dma_resv_lock(movable->resv, NULL);
		sgt = dma_buf_map_attachment(a, DMA_BIDIRECTIONAL);
		if (!IS_ERR(sgt))
			dma_buf_unmap_attachment(a, sgt, DMA_BIDIRECTIONAL);
		dma_resv_unlock(movable->resv);
	}
	clear_signal();

	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));
	KUNIT_EXPECT_FALSE(test, IS_ERR(sgt));
	KUNIT_EXPECT_NOT_NULL(test, b->sgt);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(f));
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(g));

	dma_buf_detach(movable, a);
	dma_buf_detach(fixed, b);
	dma_fence_signal(f);
	dma_fence_signal(g);
	dma_fence_put(f);
	dma_fence_put(g);
	put_buf(test, movable);
	put_buf(test, fixed);
}

static void several_importers_share_a_buffer(struct kunit *test)
{
	struct dma_buf *buf = dynamic_buf(test);
	struct mock_buffer *mb = mock_of(buf);
	struct dma_buf_attachment *a[4];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(a); i++) {
		a[i] = i % 2 ? dma_buf_attach(buf, dev) :
			       dma_buf_dynamic_attach(buf, dev,
						      &dynamic_importer, NULL);
		KUNIT_ASSERT_FALSE(test, IS_ERR(a[i]));
	}
	KUNIT_EXPECT_EQ(test, mb->pins, 2);

	moves_seen = 0;
	dma_resv_lock(buf->resv, NULL);
	dma_buf_move_notify(buf);
	dma_resv_unlock(buf->resv);
	KUNIT_EXPECT_EQ(test, moves_seen, 2);

	for (i = 0; i < ARRAY_SIZE(a); i++) {
		KUNIT_EXPECT_TRUE(test, attached(buf, a[i]));
		dma_buf_detach(buf, a[i]);
	}
	KUNIT_EXPECT_EQ(test, mb->unpins, 2);
	KUNIT_EXPECT_EQ(test, mb->attaches, 4);
	KUNIT_EXPECT_EQ(test, mb->detaches, 4);
	put_buf(test, buf);
}

/* A dynamic importer that cannot reach other devices' memory. */
static const struct dma_buf_attach_ops local_importer = {
	.move_notify = count_move,
};

/* Only importers that say so may get peer-to-peer addresses. */
static void peer2peer_only_when_the_importer_allows_it(struct kunit *test)
{
	struct dma_buf *buf = dynamic_buf(test);
	struct dma_buf_attachment *a, *b, *c;

	a = dma_buf_dynamic_attach(buf, dev, &dynamic_importer, NULL);
	b = dma_buf_dynamic_attach(buf, dev, &local_importer, NULL);
	c = dma_buf_attach(buf, dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));
	KUNIT_ASSERT_FALSE(test, IS_ERR(c));
	KUNIT_EXPECT_TRUE(test, a->peer2peer);
	KUNIT_EXPECT_FALSE(test, b->peer2peer);
	KUNIT_EXPECT_FALSE(test, c->peer2peer);
	dma_buf_detach(buf, c);
	dma_buf_detach(buf, b);
	dma_buf_detach(buf, a);
	put_buf(test, buf);
}

/*
 * dma_buf_pin() and dma_buf_unpin() call the exporter's hooks when it has
 * them; a buffer that never moves has none, and pinning it is a no-op
 * that succeeds.
 */
static void pin_calls_the_exporter_only_if_it_moves(struct kunit *test)
{
	struct dma_buf *moving = dynamic_buf(test);
	struct dma_buf *fixed = mock_dma_buf(test, PAGE_SIZE);
	struct mock_buffer *mm = mock_of(moving), *mf = mock_of(fixed);
	struct dma_buf_attachment *a, *b;

	a = dma_buf_dynamic_attach(moving, dev, &dynamic_importer, NULL);
	b = dma_buf_dynamic_attach(fixed, dev, &dynamic_importer, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));

	dma_resv_lock(moving->resv, NULL);
	KUNIT_EXPECT_EQ(test, dma_buf_pin(a), 0);
	KUNIT_EXPECT_EQ(test, mm->pins, 1);
	mm->fail_pin = -ENOSPC;
	KUNIT_EXPECT_EQ(test, dma_buf_pin(a), -ENOSPC);
	dma_buf_unpin(a);
	KUNIT_EXPECT_EQ(test, mm->unpins, 1);
	dma_resv_unlock(moving->resv);

	dma_resv_lock(fixed->resv, NULL);
	KUNIT_EXPECT_EQ(test, dma_buf_pin(b), 0);
	dma_buf_unpin(b);
	dma_resv_unlock(fixed->resv);
	KUNIT_EXPECT_EQ(test, mf->pins + mf->unpins, 0);

	dma_buf_detach(fixed, b);
	dma_buf_detach(moving, a);
	put_buf(test, fixed);
	put_buf(test, moving);
}

/* A moving exporter with neither attach nor detach hooks. */
static const struct dma_buf_ops mock_hookless_dynamic_ops = {
	.map_dma_buf = mock_map,
	.unmap_dma_buf = mock_unmap,
	.pin = mock_pin,
	.unpin = mock_unpin,
	.release = mock_release,
};

/*
 * A static importer of a moving buffer whose exporter has no attach and
 * detach hooks: a failed pin or map for life still takes the attachment
 * off the buffer, with nothing to tell the exporter.
 */
static void attach_failures_without_exporter_hooks(struct kunit *test)
{
	struct dma_buf *buf = mock_export(test, PAGE_SIZE,
					  &mock_hookless_dynamic_ops, NULL);
	struct mock_buffer *mb = mock_of(buf);
	struct dma_buf_attachment *a;

	mb->fail_pin = -ENOSPC;
	a = dma_buf_attach(buf, dev);
	KUNIT_EXPECT_EQ(test, PTR_ERR(a), -ENOSPC);
	mb->fail_map = -EIO;
	a = dma_buf_attach(buf, dev);
	KUNIT_EXPECT_EQ(test, PTR_ERR(a), -EIO);
	KUNIT_EXPECT_EQ(test, mb->pins, mb->unpins);
	KUNIT_EXPECT_TRUE(test, list_empty(&buf->attachments));

	a = dma_buf_attach(buf, dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	KUNIT_EXPECT_EQ(test, mb->maps, 1);
	dma_buf_detach(buf, a);
	KUNIT_EXPECT_EQ(test, mb->unmaps, 1);
	KUNIT_EXPECT_EQ(test, mb->attaches + mb->detaches, 0);
	put_buf(test, buf);
}

/*
 * A dynamic importer of a buffer that never moves gets its mapping at
 * attach time; when that fails, so does the attach, and nothing was
 * pinned.
 */
static void dynamic_attach_fails_with_its_mapping(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	struct mock_buffer *mb = mock_of(buf);
	struct dma_buf_attachment *a;

	mb->fail_map = -EIO;
	a = dma_buf_dynamic_attach(buf, dev, &dynamic_importer, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(a), -EIO);
	KUNIT_EXPECT_EQ(test, mb->attaches, 1);
	KUNIT_EXPECT_EQ(test, mb->detaches, 1);
	KUNIT_EXPECT_TRUE(test, list_empty(&buf->attachments));
	put_buf(test, buf);
}

/* The unlocked wrappers warn about a missing attachment, as 6.1 does. */
static void unlocked_map_of_nothing_warns(struct kunit *test)
{
	struct sg_table *sgt;

	EXPECT_WARN_BEGIN("unlocked_map_of_nothing");
	sgt = dma_buf_map_attachment_unlocked(NULL, DMA_TO_DEVICE);
	EXPECT_WARN_END("unlocked_map_of_nothing");
	KUNIT_EXPECT_EQ(test, PTR_ERR(sgt), -EINVAL);
	EXPECT_WARN_BEGIN("unlocked_unmap_of_nothing");
	dma_buf_unmap_attachment_unlocked(NULL, NULL, DMA_TO_DEVICE);
	EXPECT_WARN_END("unlocked_unmap_of_nothing");
}

DEFINE_EXPECT_WARN_CASE(unlocked_map_of_nothing_warns)

static struct kunit_case import_cases[] = {
	KUNIT_CASE(static_import_maps_on_every_call),
	KUNIT_CASE(cached_mapping_is_handed_out_again),
	KUNIT_CASE(static_import_of_dynamic_export_pins_for_life),
	KUNIT_CASE(dynamic_import_maps_under_the_lock),
	KUNIT_CASE(dynamic_import_of_static_export_maps_for_life),
	EXPECT_WARN_CASE(dynamic_import_needs_move_notify),
	KUNIT_CASE(attach_failures_leave_nothing),
	KUNIT_CASE(map_failures_are_reported),
	KUNIT_CASE(static_map_waits_for_kernel_fences),
	KUNIT_CASE(static_attach_to_dynamic_export_waits),
	KUNIT_CASE(interrupted_static_map_is_undone),
	KUNIT_CASE(dynamic_import_does_not_wait),
	KUNIT_CASE(several_importers_share_a_buffer),
	KUNIT_CASE(peer2peer_only_when_the_importer_allows_it),
	KUNIT_CASE(pin_calls_the_exporter_only_if_it_moves),
	KUNIT_CASE(attach_failures_without_exporter_hooks),
	KUNIT_CASE(dynamic_attach_fails_with_its_mapping),
	EXPECT_WARN_CASE(unlocked_map_of_nothing_warns),
	{}
};

static struct kunit_suite import_suite = {
	.name = "dma-buf-import",
	.suite_init = import_suite_init,
	.suite_exit = import_suite_exit,
	.test_cases = import_cases,
};

kunit_test_suite(import_suite);

MODULE_LICENSE("GPL");
