/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sw_sync timelines and points, shared between sw_sync.c (which drives
 * them) and sync_debug.c (which lists them in debugfs).
 */
#ifndef _DMA_BUF_SYNC_DEBUG_H
#define _DMA_BUF_SYNC_DEBUG_H

#include <linux/dma-fence.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>

/**
 * struct sync_timeline - a software timeline, one per open of sync/sw_sync
 * @kref: one reference for the open file, one per point; the timeline is
 *	freed (after an RCU grace period) when the last one goes
 * @rcu: defers the free past lock-free readers of a point's names
 * @name: the timeline's name (the opening task's comm), constant
 * @context: the fence context of its points, constant
 * @lock: the &dma_fence.lock of every point; protects @value, @pt_list and
 *	the &sync_pt.link of points on it, and &sync_pt.deadline.  Taken with
 *	interrupts off: points may be released from any context.
 * @value: the last value signaled; points at or below it have signaled
 * @pt_list: the pending points, in increasing value order; once the file
 *	is closed, the points it errored, until their release
 * @debug_node: entry in sync_debug.c's list of timelines, protected by
 *	that list's lock (taken before @lock)
 */
struct sync_timeline {
	struct kref kref;
	struct rcu_head rcu;
	char name[32];
	u64 context;
	spinlock_t lock; /* see above */
	u32 value;
	struct list_head pt_list;
	struct list_head debug_node;
};

/**
 * struct sync_pt - a point on a &struct sync_timeline, seen as a fence
 * @base: the fence; first, so that dma_fence_free() frees the point
 * @timeline: the timeline; the point holds a reference on it
 * @link: entry in &sync_timeline.pt_list while pending (or errored by the
 *	file's close), under &sync_timeline.lock; empty once unlinked
 * @deadline: earliest deadline asked with dma_fence_set_deadline(), under
 *	&sync_timeline.lock; valid when %SYNC_PT_HAS_DEADLINE is set in
 *	&dma_fence.flags
 */
struct sync_pt {
	struct dma_fence base;
	struct sync_timeline *timeline;
	struct list_head link;
	ktime_t deadline;
};

/* Bit of &dma_fence.flags of a point: &sync_pt.deadline is set. */
#define SYNC_PT_HAS_DEADLINE DMA_FENCE_FLAG_USER_BITS

extern const struct file_operations sw_sync_debugfs_fops;

void sync_timeline_debug_add(struct sync_timeline *timeline);
void sync_timeline_debug_remove(struct sync_timeline *timeline);

#endif /* _DMA_BUF_SYNC_DEBUG_H */
