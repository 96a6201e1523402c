// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "system" heap: buffers of pages from the page allocator, not
 * physically contiguous.  Large chunks are tried first (1 MiB, then
 * 64 KiB, then single pages) since they make shorter scatter lists and
 * fewer TLB entries; an order that failed once is not tried again for
 * the same buffer.
 */
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "heap-buffer.h"

static const unsigned int chunk_orders[] = { 8, 4, 0 };

/*
 * High orders must not push the system into reclaim or warn: failing
 * there only means trying a smaller order.  Single pages may retry hard
 * but fail rather than call the OOM killer: a buffer userspace asks for
 * is never worth killing a process.
 */
#define HIGH_ORDER_GFP (GFP_HIGHUSER | __GFP_ZERO | __GFP_COMP | \
			__GFP_NOWARN | __GFP_NORETRY)
#define ORDER0_GFP (GFP_HIGHUSER | __GFP_ZERO | __GFP_NOWARN | \
		    __GFP_RETRY_MAYFAIL)

static void free_chunk_list(struct list_head *chunks)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, chunks, lru) {
		list_del(&page->lru);
		__free_pages(page, compound_order(page));
	}
}

/*
 * A chunk of the largest order, from chunk_orders[*first] down, that fits
 * in @left, or NULL; moves *first past each order that failed, so that
 * later chunks of the buffer do not try it again.
 */
static struct page *alloc_chunk(unsigned long left, unsigned int *first)
{
	struct page *page;
	unsigned int i;

	for (i = *first; i < ARRAY_SIZE(chunk_orders); i++) {
		unsigned int order = chunk_orders[i];

		if (left < (PAGE_SIZE << order))
			continue;
		page = alloc_pages(order ? HIGH_ORDER_GFP : ORDER0_GFP, order);
		if (page)
			return page;
		*first = i + 1;
	}
	return NULL;
}

static void system_heap_release_pages(struct heap_buffer *buf)
{
	struct scatterlist *sg;
	int i;

	for_each_sgtable_sg(&buf->sgt, sg, i)
		__free_pages(sg_page(sg), get_order(sg->length));
	sg_free_table(&buf->sgt);
	kfree(buf);
}

static int fill_sgt(struct sg_table *sgt, struct list_head *chunks,
		    unsigned int nchunks)
{
	struct scatterlist *sg;
	struct page *page, *next;
	int err;

	err = sg_alloc_table(sgt, nchunks, GFP_KERNEL);
	if (err)
		return err;
	sg = sgt->sgl;
	list_for_each_entry_safe(page, next, chunks, lru) {
		list_del(&page->lru);
		sg_set_page(sg, page, page_size(page), 0);
		sg = sg_next(sg);
	}
	return 0;
}

static struct dma_buf *system_heap_allocate(struct dma_heap *heap,
					    unsigned long len,
					    unsigned long fd_flags,
					    unsigned long heap_flags)
{
	unsigned long left = len;
	unsigned int first = 0, nchunks = 0;
	struct heap_buffer *buf;
	struct dma_buf *dmabuf;
	LIST_HEAD(chunks);
	int err = -ENOMEM;

	/* More than there is: fail at once instead of draining memory. */
	if (len >> PAGE_SHIFT > totalram_pages())
		return ERR_PTR(-ENOMEM);

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	buf->heap = heap;
	buf->len = len;
	buf->release_pages = system_heap_release_pages;

	while (left) {
		struct page *page;

		if (fatal_signal_pending(current)) {
			err = -EINTR;
			goto err_chunks;
		}
		page = alloc_chunk(left, &first);
		if (!page)
			goto err_chunks;
		list_add_tail(&page->lru, &chunks);
		left -= page_size(page);
		nchunks++;
	}

	err = fill_sgt(&buf->sgt, &chunks, nchunks);
	if (err)
		goto err_chunks;

	dmabuf = heap_buffer_export(buf, fd_flags);
	if (IS_ERR(dmabuf))
		system_heap_release_pages(buf);
	return dmabuf;

err_chunks:
	free_chunk_list(&chunks);
	kfree(buf);
	return ERR_PTR(err);
}

static const struct dma_heap_ops system_heap_ops = {
	.allocate = system_heap_allocate,
};

static int __init system_heap_init(void)
{
	struct dma_heap_export_info info = {
		.name = "system",
		.ops = &system_heap_ops,
	};
	struct dma_heap *heap = dma_heap_add(&info);

	return PTR_ERR_OR_ZERO(heap);
}
module_init(system_heap_init);
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
