/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dma-buf heaps: named memory allocators that userspace reaches through
 * /dev/dma_heap/<name> and that hand out their memory as dma-bufs.
 */
#ifndef _DMA_HEAPS_H
#define _DMA_HEAPS_H

#include <linux/types.h>

struct dma_buf;
struct dma_heap;

/**
 * struct dma_heap_ops - what a heap implements
 * @allocate: make a dma-buf of @len bytes (already a whole number of
 *	pages, never 0); @fd_flags are the flags the caller wants on its
 *	fd (the buffer's file must be opened with them), @heap_flags the
 *	heap-specific flags (already checked to be valid).  Returns the
 *	buffer with one reference, or an ERR_PTR (-ENOMEM when the memory
 *	is not there).  Called in process context, may sleep.
 */
struct dma_heap_ops {
	struct dma_buf *(*allocate)(struct dma_heap *heap,
				    unsigned long len,
				    unsigned long fd_flags,
				    unsigned long heap_flags);
};

/**
 * struct dma_heap_export_info - how a heap registers itself
 * @name: the heap's name, unique among heaps; the device node is
 *	/dev/dma_heap/@name.  The string must outlive the heap.
 * @ops: the heap's operations
 * @priv: the heap's own data, returned by dma_heap_get_drvdata()
 */
struct dma_heap_export_info {
	const char *name;
	const struct dma_heap_ops *ops;
	void *priv;
};

void *dma_heap_get_drvdata(struct dma_heap *heap);
const char *dma_heap_get_name(struct dma_heap *heap);
struct dma_heap *dma_heap_add(const struct dma_heap_export_info *exp_info);

#endif /* _DMA_HEAPS_H */
