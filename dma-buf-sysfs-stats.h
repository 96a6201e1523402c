/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-buffer statistics in sysfs (CONFIG_DMABUF_SYSFS_STATS): the hooks
 * the dma-buf core calls.  Without the option they compile to nothing.
 */
#ifndef _DMA_BUF_SYSFS_STATS_H
#define _DMA_BUF_SYSFS_STATS_H

struct dma_buf;
struct file;

#ifdef CONFIG_DMABUF_SYSFS_STATS

int dma_buf_init_sysfs_statistics(void);
int dma_buf_stats_setup(struct dma_buf *dmabuf, struct file *file);
void dma_buf_stats_teardown(struct dma_buf *dmabuf);

#else

static inline int dma_buf_init_sysfs_statistics(void)
{
	return 0;
}

static inline int dma_buf_stats_setup(struct dma_buf *dmabuf,
				      struct file *file)
{
	return 0;
}

static inline void dma_buf_stats_teardown(struct dma_buf *dmabuf)
{
}

#endif /* CONFIG_DMABUF_SYSFS_STATS */
#endif /* _DMA_BUF_SYSFS_STATS_H */
