/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared inside drivers/dma-buf, not exported: the dma-buf core's ioctl
 * work apart from copying to and from userspace (for the KUnit suites),
 * and the tail of the ioctls that answer with a new sync file.  Drivers
 * use the dma-buf.h and sync_file.h API instead.
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

#include "dma-fence-debug.h"

int sync_file_publish(struct dma_fence *fence, const char *name, int fd,
		      __s32 *fd_out, void __user *uarg, const void *data,
		      size_t size);

#endif /* DMA_BUF_INTERNAL_H */
