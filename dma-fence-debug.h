/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pending-fence list of CONFIG_DMA_FENCE_DEBUG (dma-fence-debug.c):
 * the hooks the fence core calls and what the rest of drivers/dma-buf
 * adds to a fence's description.  Not exported.
 */
#ifndef DMA_FENCE_DEBUG_H
#define DMA_FENCE_DEBUG_H

#include <linux/dma-fence.h>

/*
 * dma-fence.c calls the hooks with the fence's lock held, except
 * dma_fence_pending_freed(), called once the last reference is gone, and
 * dma_fence_pending_deadline(), which takes the lock itself.
 */
#ifdef CONFIG_DMA_FENCE_DEBUG
struct dentry;
struct mutex;
struct seq_buf;
struct seq_file;

/* Text describing one fence: items joined by @sep, into @buf. */
struct dma_fence_text {
	struct seq_buf *buf;
	const char *sep;
	bool may_block;	/* the describer may sleep on a contended lock */
};

__printf(2, 3)
void dma_fence_text_add(struct dma_fence_text *text, const char *fmt, ...);

void dma_fence_pending_add(struct dma_fence *fence);
void dma_fence_pending_del(struct dma_fence *fence, bool signaled);
void dma_fence_pending_deadline(struct dma_fence *fence, ktime_t deadline);
bool dma_fence_cb_is_waiter(const struct dma_fence_cb *cb);
bool dma_fence_text_lock(struct dma_fence_text *text, struct mutex *lock,
			 const char *list);
bool dma_fence_holds(struct dma_fence *holder, struct dma_fence *fence);
void dma_fence_debugfs_init(struct dentry *dir);
int dma_fence_pending_show(struct seq_file *m, void *unused);
void dma_fence_report_stuck(unsigned int timeout_ms);
void dma_buf_describe_holders(struct dma_fence_text *text,
			      struct dma_fence *fence);
#if IS_ENABLED(CONFIG_SYNC_FILE)
void sync_file_describe_holders(struct dma_fence_text *text,
				struct dma_fence *fence);
#else
static inline void sync_file_describe_holders(struct dma_fence_text *text,
					      struct dma_fence *fence) {}
#endif

static inline void dma_fence_pending_init(struct dma_fence *fence)
{
	INIT_LIST_HEAD(&fence->pending.link);
	fence->pending.since = 0;
	fence->pending.deadline = 0;
	fence->pending.reported = false;
}

/* Something depends on @fence from now on; lock held, not signaled. */
static inline void dma_fence_pending_track(struct dma_fence *fence)
{
	if (!fence->pending.since)
		dma_fence_pending_add(fence);
}

/* @fence has just signaled; lock held. */
static inline void dma_fence_pending_signaled(struct dma_fence *fence)
{
	if (fence->pending.since)
		dma_fence_pending_del(fence, true);
}

/* The last reference to @fence is gone. */
static inline void dma_fence_pending_freed(struct dma_fence *fence)
{
	if (fence->pending.since)
		dma_fence_pending_del(fence, false);
}
#else
struct dentry;

static inline void dma_fence_pending_init(struct dma_fence *fence) {}
static inline void dma_fence_pending_track(struct dma_fence *fence) {}
static inline void dma_fence_pending_signaled(struct dma_fence *fence) {}
static inline void dma_fence_pending_freed(struct dma_fence *fence) {}
static inline void dma_fence_pending_deadline(struct dma_fence *fence,
					      ktime_t deadline) {}
static inline void dma_fence_debugfs_init(struct dentry *dir) {}
#endif

#endif /* DMA_FENCE_DEBUG_H */
