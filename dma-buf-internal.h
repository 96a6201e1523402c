/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The dma-buf core's ioctl work, apart from copying to and from userspace,
 * for the KUnit suites.  Drivers use the dma-buf.h API instead.
 */
#ifndef DMA_BUF_INTERNAL_H
#define DMA_BUF_INTERNAL_H

#include <linux/dma-buf.h>

struct seq_file;

int dma_buf_sync(struct dma_buf *dmabuf, u64 flags);
void dma_buf_set_name(struct dma_buf *dmabuf, char *name);
int dma_buf_export_fence(struct dma_buf *dmabuf, u32 flags,
			 struct dma_fence **fence);
int dma_buf_import_fence(struct dma_buf *dmabuf, u32 flags,
			 struct dma_fence *fence);

int dma_buf_bufinfo_show(struct seq_file *s, void *unused);

#endif /* DMA_BUF_INTERNAL_H */
