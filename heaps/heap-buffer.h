/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The dma-buf side shared by the system and CMA heaps: both describe a
 * buffer as a scatter list of pages and differ only in where the pages
 * come from and go back to.
 */
#ifndef _DMA_HEAP_BUFFER_H
#define _DMA_HEAP_BUFFER_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

struct dma_buf;
struct dma_heap;

/**
 * struct heap_buffer - a heap's buffer
 * @heap: the heap it came from; set by the heap, read-only.
 * @len: size in bytes, a whole number of pages; read-only.
 * @sgt: the pages, in chunks; filled by the heap before export, then
 *	read-only (each attachment maps a copy of it).
 * @release_pages: gives the pages in @sgt back and frees the buffer;
 *	called once, when the dma-buf is released.
 * @lock: protects @attachments, @vmap_count and @vaddr.
 * @attachments: the &struct heap_attachment of each attached device.
 * @vmap_count: number of vmap() calls not yet undone.
 * @vaddr: the kernel mapping while @vmap_count is above zero.
 * @shared_mmap_only: mmap() refuses private mappings with -EINVAL (the
 *	CMA heap's buffers); set before heap_buffer_export().
 */
struct heap_buffer {
	struct dma_heap *heap;
	size_t len;
	struct sg_table sgt;
	void (*release_pages)(struct heap_buffer *buf);

	struct mutex lock; /* see above: attachments, vmap_count, vaddr */
	struct list_head attachments;
	unsigned int vmap_count;
	void *vaddr;
	bool shared_mmap_only;
};

struct dma_buf *heap_buffer_export(struct heap_buffer *buf,
				   unsigned long fd_flags);

#endif /* _DMA_HEAP_BUFFER_H */
