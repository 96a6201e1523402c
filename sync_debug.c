// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs for sw_sync: sync/sw_sync (open it to get a timeline, see
 * sw_sync.c) and sync/info, which lists every live timeline with its value
 * and its pending points, in a fixed format that tools parse.
 *
 * A timeline is on the list from its creation until its last reference
 * goes; the list's lock is taken before any timeline's lock.
 */

#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/ktime.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/time64.h>

#include "sync_debug.h"

static LIST_HEAD(timelines);	/* of &sync_timeline.debug_node */
static DEFINE_SPINLOCK(timelines_lock); /* protects timelines */

/**
 * sync_timeline_debug_add - list a new timeline in sync/info
 * @timeline: the timeline
 *
 * Context: any.
 */
void sync_timeline_debug_add(struct sync_timeline *timeline)
{
	unsigned long flags;

	spin_lock_irqsave(&timelines_lock, flags);
	list_add_tail(&timeline->debug_node, &timelines);
	spin_unlock_irqrestore(&timelines_lock, flags);
}

/**
 * sync_timeline_debug_remove - take a dying timeline off sync/info
 * @timeline: the timeline
 *
 * Context: any.
 */
void sync_timeline_debug_remove(struct sync_timeline *timeline)
{
	unsigned long flags;

	spin_lock_irqsave(&timelines_lock, flags);
	list_del(&timeline->debug_node);
	spin_unlock_irqrestore(&timelines_lock, flags);
}

static const char *status_name(int status)
{
	if (status < 0)
		return "error";
	return status ? "signaled" : "active";
}

/*
 * One point, as the line
 * "  fence <status>[@<signal time>]: <seqno> / <timeline value>".
 * Called with the timeline's lock, which is the point's fence lock.
 */
static void show_point(struct seq_file *s, struct sync_timeline *tl,
		       struct sync_pt *pt)
{
	struct dma_fence *fence = &pt->base;
	struct timespec64 ts;

	seq_printf(s, "  fence %s",
		   status_name(dma_fence_get_status_locked(fence)));
	if (test_bit(DMA_FENCE_FLAG_TIMESTAMP_BIT, &fence->flags)) {
		ts = ktime_to_timespec64(fence->timestamp);
		seq_printf(s, "@%lld.%09ld", (s64)ts.tv_sec, ts.tv_nsec);
	}
	seq_printf(s, ": %lld / %d\n", (s64)fence->seqno, (int)tl->value);
}

/*
 * One timeline: "<name>: <value>"; its listed points;
 * an empty line.
 */
static void show_timeline(struct seq_file *s, struct sync_timeline *tl)
{
	struct sync_pt *pt;

	spin_lock(&tl->lock);
	seq_printf(s, "%s: %d\n", tl->name, (int)tl->value);
	list_for_each_entry(pt, &tl->pt_list, link)
		show_point(s, tl, pt);
	spin_unlock(&tl->lock);
	seq_putc(s, '\n');
}

/*
 * Two sections: the timelines, and the sync files.  No sync file is ever
 * listed: the second section is its heading alone.
 */
static int sync_info_show(struct seq_file *s, void *unused)
{
	struct sync_timeline *tl;

	seq_puts(s, "objs:\n--------------\n");
	spin_lock_irq(&timelines_lock);
	list_for_each_entry(tl, &timelines, debug_node)
		show_timeline(s, tl);
	spin_unlock_irq(&timelines_lock);
	seq_puts(s, "fences:\n--------------\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sync_info);

static int __init sync_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("sync", NULL);

	/*
	 * The files are never removed and their operations live in the
	 * kernel proper, so an open file needs no proxy to guard against
	 * removal: without one, each ioctl on a timeline is a direct call.
	 */
	debugfs_create_file_unsafe("info", 0444, dir, NULL, &sync_info_fops);
	debugfs_create_file_unsafe("sw_sync", 0644, dir, NULL,
				   &sw_sync_debugfs_fops);
	return 0;
}
late_initcall(sync_debugfs_init);
