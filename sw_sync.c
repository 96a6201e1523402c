// SPDX-License-Identifier: GPL-2.0-only
/*
 * sw_sync: software timelines for testing fence users from userspace.
 *
 * Each open of debugfs sync/sw_sync makes a timeline whose value starts at
 * 0.  SW_SYNC_IOC_CREATE_FENCE makes a point at a value and hands it out as
 * a sync file; SW_SYNC_IOC_INC advances the value and signals every point
 * it reaches, firing the sync_trace:sync_timeline tracepoint per step.
 * Closing the file signals the points still pending with -ENOENT, so no
 * waiter is left behind, and leaves them listed for sync/info until they
 * go.  Points keep their timeline alive (for its lock and name) and may
 * outlive the file.  The file has no position: lseek is -ESPIPE.
 *
 * Values are 32 bits and compared modulo 2^32, like the seqnos of a fence
 * context without use_64bit_seqno; an increment is applied in steps of at
 * most INT_MAX so that the comparison stays meaningful.
 *
 * Only this file signals points, always while holding the timeline's lock
 * and after unlinking them from the pending list.  Points being signaled
 * are referenced first and dropped after the lock is released, so that a
 * callback dropping the last reference never re-enters the lock.
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sync_file.h>
#include <linux/uaccess.h>

#include "dma-buf-internal.h"
#include "sync_debug.h"

#define CREATE_TRACE_POINTS
#include "sync_trace.h"

/**
 * struct sw_sync_create_fence_data - argument of %SW_SYNC_IOC_CREATE_FENCE
 * @value: in: the point on the timeline the fence signals at
 * @name: in: ignored (the sync file is named after its fence)
 * @fence: out: descriptor of the new sync file (close-on-exec)
 */
struct sw_sync_create_fence_data {
	__u32	value;
	char	name[32];
	__s32	fence;
};

/**
 * struct sw_sync_get_deadline - argument of %SW_SYNC_GET_DEADLINE
 * @deadline_ns: out: the earliest deadline set on the fence, in
 *	CLOCK_MONOTONIC nanoseconds
 * @fence_fd: in: a sync file holding one sw_sync point
 * @pad: reserved, must be zero
 */
struct sw_sync_get_deadline {
	__u64	deadline_ns;
	__u32	fence_fd;
	__u32	pad;
};

#define SW_SYNC_IOC_MAGIC	'W'
#define SW_SYNC_IOC_CREATE_FENCE \
	_IOWR(SW_SYNC_IOC_MAGIC, 0, struct sw_sync_create_fence_data)
#define SW_SYNC_IOC_INC		_IOW(SW_SYNC_IOC_MAGIC, 1, __u32)
#define SW_SYNC_GET_DEADLINE \
	_IOWR(SW_SYNC_IOC_MAGIC, 2, struct sw_sync_get_deadline)

static const struct dma_fence_ops sw_sync_fence_ops;

static struct sync_pt *to_sync_pt(struct dma_fence *fence)
{
	return container_of(fence, struct sync_pt, base);
}

static void sync_timeline_free(struct kref *kref)
{
	struct sync_timeline *tl = container_of(kref, struct sync_timeline,
						kref);

	sync_timeline_debug_remove(tl);
	kfree_rcu(tl, rcu);
}

static void sync_timeline_put(struct sync_timeline *tl)
{
	kref_put(&tl->kref, sync_timeline_free);
}

static struct sync_timeline *sync_timeline_create(const char *name)
{
	struct sync_timeline *tl = kzalloc(sizeof(*tl), GFP_KERNEL);

	if (!tl)
		return NULL;
	kref_init(&tl->kref);
	strscpy(tl->name, name, sizeof(tl->name));
	tl->context = dma_fence_context_alloc(1);
	spin_lock_init(&tl->lock);
	INIT_LIST_HEAD(&tl->pt_list);
	sync_timeline_debug_add(tl);
	return tl;
}

/* Has the timeline reached @value? */
static bool timeline_reached(struct sync_timeline *tl, u32 value)
{
	return !__dma_fence_is_later(value, tl->value, &sw_sync_fence_ops);
}

/*
 * Signal the pending points the timeline has reached after moving on by
 * @step.
 */
static void sync_timeline_signal(struct sync_timeline *tl, u32 step)
{
	struct sync_pt *pt, *next;
	unsigned long flags;
	LIST_HEAD(reached);

	spin_lock_irqsave(&tl->lock, flags);
	tl->value += step;
	list_for_each_entry_safe(pt, next, &tl->pt_list, link) {
		if (!timeline_reached(tl, pt->base.seqno))
			break;
		list_del_init(&pt->link);
		/* A dying point is on its way out; its release is waiting. */
		if (!dma_fence_get_rcu(&pt->base))
			continue;
		dma_fence_signal_locked(&pt->base);
		list_add_tail(&pt->link, &reached);
	}
	spin_unlock_irqrestore(&tl->lock, flags);

	list_for_each_entry_safe(pt, next, &reached, link) {
		list_del_init(&pt->link);
		dma_fence_put(&pt->base);
	}
}

/*
 * The point at @value: an existing pending one when there is one, else a
 * new one (signaled already when the timeline is past @value).
 */
static struct dma_fence *sync_pt_get(struct sync_timeline *tl, u32 value)
{
	struct sync_pt *pt, *pos;
	unsigned long flags;

	pt = kzalloc(sizeof(*pt), GFP_KERNEL);
	if (!pt)
		return NULL;
	INIT_LIST_HEAD(&pt->link);
	pt->timeline = tl;

	spin_lock_irqsave(&tl->lock, flags);
	if (timeline_reached(tl, value)) {
		dma_fence_init(&pt->base, &sw_sync_fence_ops, &tl->lock,
			       tl->context, value);
		dma_fence_signal_locked(&pt->base);
		goto out;
	}
	/* Points are mostly made in increasing order: look from the end. */
	list_for_each_entry_reverse(pos, &tl->pt_list, link) {
		if (pos->base.seqno == value && dma_fence_get_rcu(&pos->base)) {
			spin_unlock_irqrestore(&tl->lock, flags);
			kfree(pt);
			return &pos->base;
		}
		if (__dma_fence_is_later(value, pos->base.seqno,
					 &sw_sync_fence_ops))
			break;
	}
	dma_fence_init(&pt->base, &sw_sync_fence_ops, &tl->lock, tl->context,
		       value);
	list_add(&pt->link, &pos->link);
out:
	kref_get(&tl->kref);
	spin_unlock_irqrestore(&tl->lock, flags);
	return &pt->base;
}

static const char *sw_sync_driver_name(struct dma_fence *fence)
{
	return "sw_sync";
}

static const char *sw_sync_timeline_name(struct dma_fence *fence)
{
	return to_sync_pt(fence)->timeline->name;
}

static void sw_sync_pt_release(struct dma_fence *fence)
{
	struct sync_pt *pt = to_sync_pt(fence);
	struct sync_timeline *tl = pt->timeline;
	unsigned long flags;

	/* Unlinked points are nobody else's business any more. */
	if (!list_empty(&pt->link)) {
		spin_lock_irqsave(&tl->lock, flags);
		list_del_init(&pt->link);
		spin_unlock_irqrestore(&tl->lock, flags);
	}
	dma_fence_free(fence);
	sync_timeline_put(tl);
}

static void sw_sync_pt_set_deadline(struct dma_fence *fence,
				    ktime_t deadline)
{
	struct sync_pt *pt = to_sync_pt(fence);
	unsigned long flags;

	spin_lock_irqsave(fence->lock, flags);
	if (!test_bit(SYNC_PT_HAS_DEADLINE, &fence->flags) ||
	    ktime_before(deadline, pt->deadline)) {
		pt->deadline = deadline;
		set_bit(SYNC_PT_HAS_DEADLINE, &fence->flags);
	}
	spin_unlock_irqrestore(fence->lock, flags);
}

static const struct dma_fence_ops sw_sync_fence_ops = {
	.get_driver_name = sw_sync_driver_name,
	.get_timeline_name = sw_sync_timeline_name,
	.release = sw_sync_pt_release,
	.set_deadline = sw_sync_pt_set_deadline,
};

static int sw_sync_open(struct inode *inode, struct file *file)
{
	char comm[TASK_COMM_LEN];
	struct sync_timeline *tl;

	get_task_comm(comm, current);
	tl = sync_timeline_create(comm);
	if (!tl)
		return -ENOMEM;
	file->private_data = tl;
	return 0;
}

/*
 * Signal every point still pending with -ENOENT, as the timeline's file
 * goes, and leave them on the list, where sync/info shows them until
 * their release unlinks them.  No ioctl can reach the timeline any more,
 * so nothing else looks for pending points on it.
 *
 * Points are signaled in batches, each holding a reference on its
 * points, which are dropped after the lock is released.  The last point
 * of a batch stays referenced, and so linked, until the next batch has
 * started after it.
 */
static void sync_timeline_close(struct sync_timeline *tl)
{
	struct sync_pt *batch[16], *pt, *resume = NULL, *prev;
	unsigned long flags;
	unsigned int i, n;

	do {
		n = 0;
		spin_lock_irqsave(&tl->lock, flags);
		pt = list_prepare_entry(resume, &tl->pt_list, link);
		list_for_each_entry_continue(pt, &tl->pt_list, link) {
			/* A dying point is on its way out; its release waits. */
			if (!dma_fence_get_rcu(&pt->base))
				continue;
			if (!dma_fence_is_signaled_locked(&pt->base)) {
				dma_fence_set_error(&pt->base, -ENOENT);
				dma_fence_signal_locked(&pt->base);
			}
			batch[n++] = pt;
			if (n == ARRAY_SIZE(batch))
				break;
		}
		spin_unlock_irqrestore(&tl->lock, flags);

		prev = resume;
		resume = n == ARRAY_SIZE(batch) ? batch[n - 1] : NULL;
		if (prev)
			dma_fence_put(&prev->base);
		for (i = 0; i < n; i++)
			if (batch[i] != resume)
				dma_fence_put(&batch[i]->base);
	} while (resume);
}

static int sw_sync_release(struct inode *inode, struct file *file)
{
	struct sync_timeline *tl = file->private_data;

	sync_timeline_close(tl);
	sync_timeline_put(tl);
	return 0;
}

/*
 * The fence SW_SYNC_IOC_CREATE_FENCE asks for, its argument read into
 * @data.  data->name is not kept: the file's name is the one made from
 * its fence (sw_sync-<timeline><context>-<seqno>).
 */
static struct dma_fence *create_fence(struct sync_timeline *tl,
				      struct sw_sync_create_fence_data *data,
				      const void __user *uarg)
{
	struct dma_fence *fence;

	if (copy_from_user(data, uarg, sizeof(*data)))
		return ERR_PTR(-EFAULT);
	fence = sync_pt_get(tl, data->value);
	return fence ?: ERR_PTR(-ENOMEM);
}

static long sw_sync_ioctl_create_fence(struct sync_timeline *tl,
				       struct sw_sync_create_fence_data __user *uarg)
{
	struct sw_sync_create_fence_data data;
	/* Reserved before anything else: see sync_file_publish(). */
	int fd = get_unused_fd_flags(O_CLOEXEC);

	if (fd < 0)
		return fd;
	return sync_file_publish(create_fence(tl, &data, uarg), NULL, fd,
				 &data.fence, uarg, &data, sizeof(data));
}

static long sw_sync_ioctl_inc(struct sync_timeline *tl, u32 __user *uarg)
{
	u32 value;

	if (get_user(value, uarg))
		return -EFAULT;
	/* Each step is traced with the value it starts from. */
	for (; value > INT_MAX; value -= INT_MAX) {
		trace_sync_timeline(tl);
		sync_timeline_signal(tl, INT_MAX);
	}
	trace_sync_timeline(tl);
	sync_timeline_signal(tl, value);
	return 0;
}

static long sw_sync_ioctl_get_deadline(struct sw_sync_get_deadline __user *uarg)
{
	struct sw_sync_get_deadline data;
	struct dma_fence *fence;
	unsigned long flags;
	int ret = 0;

	if (copy_from_user(&data, uarg, sizeof(data)))
		return -EFAULT;
	if (data.pad)
		return -EINVAL;

	fence = sync_file_get_fence(data.fence_fd);
	if (!fence)
		return -EINVAL;
	if (fence->ops != &sw_sync_fence_ops) {
		dma_fence_put(fence);
		return -EINVAL;
	}
	spin_lock_irqsave(fence->lock, flags);
	if (test_bit(SYNC_PT_HAS_DEADLINE, &fence->flags))
		data.deadline_ns = ktime_to_ns(to_sync_pt(fence)->deadline);
	else
		ret = -ENOENT;
	spin_unlock_irqrestore(fence->lock, flags);
	dma_fence_put(fence);

	if (!ret && copy_to_user(uarg, &data, sizeof(data)))
		ret = -EFAULT;
	return ret;
}

static long sw_sync_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct sync_timeline *tl = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case SW_SYNC_IOC_CREATE_FENCE:
		return sw_sync_ioctl_create_fence(tl, uarg);
	case SW_SYNC_IOC_INC:
		return sw_sync_ioctl_inc(tl, uarg);
	case SW_SYNC_GET_DEADLINE:
		return sw_sync_ioctl_get_deadline(uarg);
	default:
		return -ENOTTY;
	}
}

const struct file_operations sw_sync_debugfs_fops = {
	.owner = THIS_MODULE,
	.open = sw_sync_open,
	.release = sw_sync_release,
	.unlocked_ioctl = sw_sync_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	/* The timeline file has no position. */
	.llseek = no_llseek,
};
