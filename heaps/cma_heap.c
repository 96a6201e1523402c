// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CMA heap: physically contiguous buffers from the default CMA area
 * (set up by cma= on the command line or the DMA_CMA config), named after
 * that area ("reserved" unless the platform named it).  Without a default
 * area there is no heap.
 */
#include <linux/cma.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/dma-map-ops.h>
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/init.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "heap-buffer.h"

/**
 * struct cma_heap_buffer - a CMA heap buffer
 * @buf: the common part; its scatter list has the one contiguous chunk.
 * @cma: the area the pages came from; read-only.
 * @pages: the first page; read-only.
 */
struct cma_heap_buffer {
	struct heap_buffer buf;
	struct cma *cma;
	struct page *pages;
};

static void cma_heap_release_pages(struct heap_buffer *buf)
{
	struct cma_heap_buffer *cbuf =
		container_of(buf, struct cma_heap_buffer, buf);

	cma_release(cbuf->cma, cbuf->pages, buf->len >> PAGE_SHIFT);
	sg_free_table(&buf->sgt);
	kfree(cbuf);
}

static void clear_pages_of(struct page *pages, unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < npages; i++) {
		clear_highpage(nth_page(pages, i));
		if (!(i % 256))
			cond_resched();
	}
}

static struct dma_buf *cma_heap_allocate(struct dma_heap *heap,
					 unsigned long len,
					 unsigned long fd_flags,
					 unsigned long heap_flags)
{
	struct cma *cma = dma_heap_get_drvdata(heap);
	unsigned long npages = len >> PAGE_SHIFT;
	unsigned int align = min_t(unsigned int, get_order(len),
				   CONFIG_CMA_ALIGNMENT);
	struct cma_heap_buffer *cbuf;
	struct dma_buf *dmabuf;
	int err = -ENOMEM;

	if (len > cma_get_size(cma))
		return ERR_PTR(-ENOMEM);

	cbuf = kzalloc(sizeof(*cbuf), GFP_KERNEL);
	if (!cbuf)
		return ERR_PTR(-ENOMEM);
	cbuf->cma = cma;
	cbuf->buf.heap = heap;
	cbuf->buf.len = len;
	cbuf->buf.release_pages = cma_heap_release_pages;

	cbuf->pages = cma_alloc(cma, npages, align, true);
	if (!cbuf->pages)
		goto err_free;
	clear_pages_of(cbuf->pages, npages);
	if (fatal_signal_pending(current)) {
		err = -EINTR;
		goto err_release;
	}

	err = sg_alloc_table(&cbuf->buf.sgt, 1, GFP_KERNEL);
	if (err)
		goto err_release;
	sg_set_page(cbuf->buf.sgt.sgl, cbuf->pages, len, 0);

	cbuf->buf.shared_mmap_only = true;
	dmabuf = heap_buffer_export(&cbuf->buf, fd_flags);
	if (IS_ERR(dmabuf))
		cma_heap_release_pages(&cbuf->buf);
	return dmabuf;

err_release:
	cma_release(cma, cbuf->pages, npages);
err_free:
	kfree(cbuf);
	return ERR_PTR(err);
}

static const struct dma_heap_ops cma_heap_ops = {
	.allocate = cma_heap_allocate,
};

static int __init cma_heap_init(void)
{
	struct cma *cma = dev_get_cma_area(NULL);
	struct dma_heap_export_info info = {
		.ops = &cma_heap_ops,
	};

	if (!cma)
		return 0;
	info.name = cma_get_name(cma);
	info.priv = cma;
	return PTR_ERR_OR_ZERO(dma_heap_add(&info));
}
module_init(cma_heap_init);
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
