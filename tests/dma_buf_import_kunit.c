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

#include "expect-warn.h"
#include "mock-exporter.h"

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
	struct dma_buf *buf = mock_export(test, PAGE_SIZE, &mock_dynamic_ops,
					  NULL);
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
	struct dma_buf *buf = mock_export(test, PAGE_SIZE, &mock_dynamic_ops,
					  NULL);
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

static void attach_failures_leave_nothing(struct kunit *test)
{
	struct dma_buf *buf = mock_export(test, PAGE_SIZE, &mock_dynamic_ops,
					  NULL);
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
	struct dma_buf *buf = mock_export(test, PAGE_SIZE, &mock_dynamic_ops,
					  NULL);
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

static void several_importers_share_a_buffer(struct kunit *test)
{
	struct dma_buf *buf = mock_export(test, PAGE_SIZE, &mock_dynamic_ops,
					  NULL);
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

static struct kunit_case import_cases[] = {
	KUNIT_CASE(static_import_maps_on_every_call),
	KUNIT_CASE(cached_mapping_is_handed_out_again),
	KUNIT_CASE(static_import_of_dynamic_export_pins_for_life),
	KUNIT_CASE(dynamic_import_maps_under_the_lock),
	KUNIT_CASE(dynamic_import_of_static_export_maps_for_life),
	KUNIT_CASE(dynamic_import_needs_move_notify),
	KUNIT_CASE(attach_failures_leave_nothing),
	KUNIT_CASE(map_failures_are_reported),
	KUNIT_CASE(several_importers_share_a_buffer),
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
