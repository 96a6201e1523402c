/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A test exporter: whole pages of kernel memory, no device behind them,
 * and a count of every call the core makes into it.
 *
 * Three flavours share the callbacks: static (mock_dma_buf_ops), static
 * with the mapping cached by the core (mock_cached_ops) and dynamic, with
 * pin and unpin (mock_dynamic_ops).  A test can make the next attach, map
 * or pin fail by setting the matching fail_* member to an error.
 *
 * Releases are counted in globals rather than in the buffer, since the
 * last fput() of a buffer runs later, from a work item, and may come after
 * the test that dropped it has finished.
 *
 * The KUnit suites, the benchmark module and the lifetime test module all
 * export through it; the benchmark builds it against the pristine 6.1
 * kernel too, so it uses only what 6.1 has.
 */
#ifndef DMA_BUF_TESTS_MOCK_EXPORTER_H
#define DMA_BUF_TESTS_MOCK_EXPORTER_H

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/wait.h>

MODULE_IMPORT_NS(DMA_BUF);

struct mock_buffer {
	struct page *pages;	/* 2^order pages */
	unsigned int order;
	/* calls made by the core */
	int attaches, detaches, maps, unmaps, pins, unpins;
	int begins, ends, vmaps, vunmaps, mmaps;
	enum dma_data_direction map_dir, cpu_dir;
	/* errors to return from the next call, then cleared */
	int fail_attach, fail_map, fail_pin, fail_vmap;
	bool map_null;		/* map_dma_buf returns NULL once */
};

static atomic_t mock_releases = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(mock_release_wq);

static inline struct mock_buffer *mock_of(struct dma_buf *dmabuf)
{
	return dmabuf->priv;
}

static inline int mock_take_error(int *err)
{
	int e = *err;

	*err = 0;
	return e;
}

static int mock_attach(struct dma_buf *dmabuf, struct dma_buf_attachment *a)
{
	struct mock_buffer *mb = mock_of(dmabuf);

	mb->attaches++;
	return mock_take_error(&mb->fail_attach);
}

static void mock_detach(struct dma_buf *dmabuf, struct dma_buf_attachment *a)
{
	mock_of(dmabuf)->detaches++;
}

static int mock_pin(struct dma_buf_attachment *attach)
{
	struct mock_buffer *mb = mock_of(attach->dmabuf);
	int err = mock_take_error(&mb->fail_pin);

	if (!err)
		mb->pins++;
	return err;
}

static void mock_unpin(struct dma_buf_attachment *attach)
{
	mock_of(attach->dmabuf)->unpins++;
}

/* A one-entry table over the pages; nothing is DMA-mapped. */
static struct sg_table *mock_map(struct dma_buf_attachment *attach,
				 enum dma_data_direction dir)
{
	struct mock_buffer *mb = mock_of(attach->dmabuf);
	struct sg_table *sgt;
	int err = mock_take_error(&mb->fail_map);

	if (err)
		return ERR_PTR(err);
	if (mb->map_null) {
		mb->map_null = false;
		return NULL;
	}
	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt || sg_alloc_table(sgt, 1, GFP_KERNEL)) {
		kfree(sgt);
		return ERR_PTR(-ENOMEM);
	}
	sg_set_page(sgt->sgl, mb->pages, attach->dmabuf->size, 0);
	mb->maps++;
	mb->map_dir = dir;
	return sgt;
}

static void mock_unmap(struct dma_buf_attachment *attach,
		       struct sg_table *sgt, enum dma_data_direction dir)
{
	mock_of(attach->dmabuf)->unmaps++;
	sg_free_table(sgt);
	kfree(sgt);
}

static int mock_begin_cpu_access(struct dma_buf *dmabuf,
				 enum dma_data_direction dir)
{
	mock_of(dmabuf)->begins++;
	mock_of(dmabuf)->cpu_dir = dir;
	return 0;
}

static int mock_end_cpu_access(struct dma_buf *dmabuf,
			       enum dma_data_direction dir)
{
	mock_of(dmabuf)->ends++;
	mock_of(dmabuf)->cpu_dir = dir;
	return 0;
}

static int mock_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct mock_buffer *mb = mock_of(dmabuf);

	mb->mmaps++;
	if (!vma->vm_mm)	/* a VMA made up by a test: count only */
		return 0;
	return remap_pfn_range(vma, vma->vm_start,
			       page_to_pfn(mb->pages) + vma->vm_pgoff,
			       vma->vm_end - vma->vm_start, vma->vm_page_prot);
}

static int mock_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct mock_buffer *mb = mock_of(dmabuf);
	int err = mock_take_error(&mb->fail_vmap);

	if (err)
		return err;
	mb->vmaps++;
	iosys_map_set_vaddr(map, page_address(mb->pages));
	return 0;
}

static void mock_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	mock_of(dmabuf)->vunmaps++;
}

static void mock_release(struct dma_buf *dmabuf)
{
	struct mock_buffer *mb = mock_of(dmabuf);

	__free_pages(mb->pages, mb->order);
	kfree(mb);
	atomic_inc(&mock_releases);
	wake_up_all(&mock_release_wq);
}

#define MOCK_EXPORTER_OPS \
	.attach = mock_attach, \
	.detach = mock_detach, \
	.map_dma_buf = mock_map, \
	.unmap_dma_buf = mock_unmap, \
	.begin_cpu_access = mock_begin_cpu_access, \
	.end_cpu_access = mock_end_cpu_access, \
	.mmap = mock_mmap, \
	.vmap = mock_vmap, \
	.vunmap = mock_vunmap, \
	.release = mock_release

static const struct dma_buf_ops mock_dma_buf_ops = { MOCK_EXPORTER_OPS };

static const struct dma_buf_ops mock_cached_ops __maybe_unused = {
	MOCK_EXPORTER_OPS,
	.cache_sgt_mapping = true,
};

static const struct dma_buf_ops mock_dynamic_ops __maybe_unused = {
	MOCK_EXPORTER_OPS,
	.pin = mock_pin,
	.unpin = mock_unpin,
};

/*
 * A new buffer of @size bytes with @ops, sharing @resv (NULL: its own), on
 * pages allocated with @gfp; an ERR_PTR() on failure.  For the modules
 * that export outside a KUnit test.
 */
static inline struct dma_buf *mock_export_gfp(size_t size,
					      const struct dma_buf_ops *ops,
					      struct dma_resv *resv, gfp_t gfp)
{
	DEFINE_DMA_BUF_EXPORT_INFO(info);
	struct mock_buffer *mb = kzalloc(sizeof(*mb), GFP_KERNEL);
	struct dma_buf *dmabuf;

	if (!mb)
		return ERR_PTR(-ENOMEM);
	mb->order = get_order(size);
	mb->pages = alloc_pages(gfp, mb->order);
	if (!mb->pages) {
		kfree(mb);
		return ERR_PTR(-ENOMEM);
	}
	info.ops = ops;
	info.size = size;
	info.flags = O_RDWR;
	info.resv = resv;
	info.priv = mb;
	dmabuf = dma_buf_export(&info);
	if (IS_ERR(dmabuf)) {
		__free_pages(mb->pages, mb->order);
		kfree(mb);
	}
	return dmabuf;
}

/* mock_export_gfp() of zeroed pages; the test fails without a buffer. */
static inline struct dma_buf *mock_export(struct kunit *test, size_t size,
					  const struct dma_buf_ops *ops,
					  struct dma_resv *resv)
{
	struct dma_buf *dmabuf = mock_export_gfp(size, ops, resv,
						 GFP_KERNEL | __GFP_ZERO);

	KUNIT_ASSERT_FALSE(test, IS_ERR(dmabuf));
	return dmabuf;
}

static inline struct dma_buf *mock_dma_buf_resv(struct kunit *test,
						size_t size,
						struct dma_resv *resv)
{
	return mock_export(test, size, &mock_dma_buf_ops, resv);
}

static inline struct dma_buf *mock_dma_buf(struct kunit *test, size_t size)
{
	return mock_export(test, size, &mock_dma_buf_ops, NULL);
}

/* The memory behind a mock buffer. */
static inline void *mock_dma_buf_vaddr(struct dma_buf *dmabuf)
{
	return page_address(mock_of(dmabuf)->pages);
}

/*
 * Wait until at least @count mock buffers were released since boot.  The
 * last dma_buf_put() from a kernel thread only queues the file's release;
 * flush_delayed_fput() runs the queue, and the wait covers a worker that
 * got there first.
 */
static inline bool mock_releases_reach(int count)
{
	flush_delayed_fput();
	return wait_event_timeout(mock_release_wq,
				  atomic_read(&mock_releases) >= count,
				  5 * HZ);
}

#endif /* DMA_BUF_TESTS_MOCK_EXPORTER_H */
