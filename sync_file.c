// SPDX-License-Identifier: GPL-2.0-only
/*
 * sync_file: a fence as a file descriptor.
 *
 * The file holds one reference to one fence for its whole life; the fence
 * may be a container, whose leaves are what SYNC_IOC_FILE_INFO lists and
 * what SYNC_IOC_SET_DEADLINE reaches.  Nothing in a sync file changes after
 * it is published, except the poll machinery: the first poll() queues one
 * callback on the fence (POLL_ENABLED), which wakes the poll queue when the
 * fence signals, and release takes that callback off again if it is still
 * queued.  That is the whole locking story: the callback runs under the
 * fence's lock, and dma_fence_remove_callback() takes the same lock, so
 * once it returns the callback is neither queued nor running.
 *
 * Every ioctl that answers with a new sync file (merge here, sw_sync's
 * create, dma-buf's export) ends in sync_file_publish(), which installs
 * the descriptor only after the answer is copied to userspace, so a
 * failure at any step leaves no descriptor behind.
 */

#include <linux/anon_inodes.h>
#include <linux/dma-fence-unwrap.h>
#include <linux/export.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/sync_file.h>
#include <linux/uaccess.h>
#include <uapi/linux/sync_file.h>

#include "dma-buf-internal.h"

static const struct file_operations sync_file_fops;

#ifdef CONFIG_DMA_FENCE_DEBUG
/* Every sync file, through &sync_file.sync_file_list. */
static LIST_HEAD(sync_files);
static DEFINE_MUTEX(sync_files_lock);

static void sync_file_list_add(struct sync_file *sf)
{
	mutex_lock(&sync_files_lock);
	list_add_tail(&sf->sync_file_list, &sync_files);
	mutex_unlock(&sync_files_lock);
}

static void sync_file_list_del(struct sync_file *sf)
{
	mutex_lock(&sync_files_lock);
	list_del(&sf->sync_file_list);
	mutex_unlock(&sync_files_lock);
}

/**
 * sync_file_describe_holders - name the sync files holding a fence
 * @text: the fence's description
 * @fence: the fence, referenced by the caller
 *
 * One item per sync file whose fence is @fence or contains it.  Without
 * @text.may_block, a contended list is reported as such.
 */
void sync_file_describe_holders(struct dma_fence_text *text,
				struct dma_fence *fence)
{
	char name[sizeof_field(struct sync_file, user_name) + 32];
	struct sync_file *sf;

	if (!dma_fence_text_lock(text, &sync_files_lock, "sync_file"))
		return;
	list_for_each_entry(sf, &sync_files, sync_file_list) {
		if (!dma_fence_holds(sf->fence, fence))
			continue;
		/*
		 * A file being published may get its name meanwhile: the
		 * copy is then of either name, or of a mix of both, never
		 * unterminated (the last byte stays 0).
		 */
		data_race(sync_file_get_name(sf, name, sizeof(name)));
		dma_fence_text_add(text, "sync_file %s", name);
	}
	mutex_unlock(&sync_files_lock);
}
#else
static inline void sync_file_list_add(struct sync_file *sf) {}
static inline void sync_file_list_del(struct sync_file *sf) {}
#endif

/**
 * sync_file_create - wrap a fence in a new sync file
 * @fence: the fence; the sync file takes a reference of its own
 *
 * The new file is not installed in any descriptor table: the caller
 * reserves a descriptor with get_unused_fd_flags() and, once nothing else
 * can fail, calls fd_install() with &sync_file.file.  To discard the file
 * instead, fput() it; that also drops the fence reference.
 *
 * Context: process context, may sleep.
 * Return: the sync file, or NULL when out of memory.
 */
struct sync_file *sync_file_create(struct dma_fence *fence)
{
	struct sync_file *sf = kzalloc(sizeof(*sf), GFP_KERNEL);
	struct file *file;

	if (!sf)
		return NULL;
	init_waitqueue_head(&sf->wq);
	INIT_LIST_HEAD(&sf->cb.node);
#ifdef CONFIG_DEBUG_FS
	INIT_LIST_HEAD(&sf->sync_file_list);
#endif
	sf->fence = dma_fence_get(fence);

	file = anon_inode_getfile("sync_file", &sync_file_fops, sf, 0);
	if (IS_ERR(file)) {
		dma_fence_put(sf->fence);
		kfree(sf);
		return NULL;
	}
	sf->file = file;
	sync_file_list_add(sf);
	return sf;
}
EXPORT_SYMBOL(sync_file_create);

/* The sync file behind @fd, holding a reference to its file; or NULL. */
static struct sync_file *sync_file_lookup(int fd)
{
	struct file *file = fget(fd);

	if (file && file->f_op == &sync_file_fops)
		return file->private_data;
	if (file)
		fput(file);
	return NULL;
}

/**
 * sync_file_get_fence - the fence of the sync file behind a descriptor
 * @fd: a descriptor of the current task
 *
 * Context: process context.
 * Return: a new reference to the sync file's fence, or NULL when @fd is not
 * an open sync file.
 */
struct dma_fence *sync_file_get_fence(int fd)
{
	struct sync_file *sf = sync_file_lookup(fd);
	struct dma_fence *fence = NULL;

	if (sf) {
		fence = dma_fence_get(sf->fence);
		fput(sf->file);
	}
	return fence;
}
EXPORT_SYMBOL(sync_file_get_fence);

/**
 * sync_file_get_name - the name of a sync file
 * @sf: the sync file
 * @buf: where to write the name
 * @len: size of @buf, at least 1
 *
 * The name is the one userspace gave (when merging), or else one made of
 * the fence's driver and timeline names (asked of the driver, whether the
 * fence has signaled or not), its context and its seqno, the seqno
 * printed signed.  It is cut to fit @buf and always NUL-terminated.
 *
 * Not exported: for the dma-buf core and its debugfs.
 *
 * Context: any.
 * Return: @buf.
 */
char *sync_file_get_name(struct sync_file *sf, char *buf, int len)
{
	struct dma_fence *f = sf->fence;

	if (sf->user_name[0])
		strscpy(buf, sf->user_name, len);
	else
		snprintf(buf, len, "%s-%s%llu-%lld",
			 f->ops->get_driver_name(f),
			 f->ops->get_timeline_name(f), f->context,
			 (s64)f->seqno);
	return buf;
}

static void sync_file_set_name(struct sync_file *sf,
			       const char name[32])
{
	size_t n = strnlen(name, sizeof(sf->user_name) - 1);

	memcpy(sf->user_name, name, n);
	sf->user_name[n] = '\0';
}

/**
 * sync_file_publish - hand userspace a new sync file for a fence
 * @fence: the fence, whose reference this consumes; or an ERR_PTR, the
 *	error of the ioctl's own steps, which is returned as it is
 * @name: the name userspace gave the file (up to 32 bytes, not
 *	necessarily terminated), or NULL to name it after @fence
 * @fd: a descriptor from get_unused_fd_flags(); or -1 to have one
 *	reserved here (close-on-exec) once the file is made
 * @fd_out: the field of @data that receives the descriptor's number
 * @uarg: where @data is copied to
 * @data: the ioctl's argument, @size bytes
 * @size: size of @data
 *
 * The tail of every ioctl that answers with a new sync file.  The file is
 * made, the descriptor (for @fd == -1) reserved, @data with the number in
 * @fd_out copied to @uarg, and only then is the file installed: until
 * userspace has been told the number no descriptor exists, and on any
 * failure the descriptor is put back and the file dropped.  Each caller's
 * errno order follows from when it reserves the descriptor: one reserved
 * before the argument is read makes a full table EMFILE whatever the
 * argument holds; one reserved here puts ENOMEM first.
 *
 * Context: process context, may sleep.
 * Return: 0; the error of an ERR_PTR @fence; -ENOMEM when the file cannot
 * be made; an error of get_unused_fd_flags() (for @fd == -1); -EFAULT
 * when the copy fails.
 */
int sync_file_publish(struct dma_fence *fence, const char *name, int fd,
		      __s32 *fd_out, void __user *uarg, const void *data,
		      size_t size)
{
	struct sync_file *sf;
	int err;

	if (IS_ERR(fence)) {
		err = PTR_ERR(fence);
		goto put_fd;
	}
	sf = sync_file_create(fence);
	dma_fence_put(fence);
	if (!sf) {
		err = -ENOMEM;
		goto put_fd;
	}
	if (name)
		sync_file_set_name(sf, name);
	if (fd < 0) {
		fd = get_unused_fd_flags(O_CLOEXEC);
		if (fd < 0) {
			fput(sf->file);
			return fd;
		}
	}
	*fd_out = fd;
	if (copy_to_user(uarg, data, size)) {
		fput(sf->file);
		err = -EFAULT;
		goto put_fd;
	}
	fd_install(fd, sf->file);
	return 0;

put_fd:
	if (fd >= 0)
		put_unused_fd(fd);
	return err;
}

/* The merged fence SYNC_IOC_MERGE asks for, its argument read into @data. */
static struct dma_fence *merge_fence(struct sync_file *sf,
				     struct sync_merge_data *data,
				     const void __user *uarg)
{
	struct sync_file *other;
	struct dma_fence *fence;

	if (copy_from_user(data, uarg, sizeof(*data)))
		return ERR_PTR(-EFAULT);
	if (data->flags || data->pad)
		return ERR_PTR(-EINVAL);
	other = sync_file_lookup(data->fd2);
	if (!other)
		return ERR_PTR(-ENOENT);
	fence = dma_fence_unwrap_merge(sf->fence, other->fence);
	fput(other->file);
	return fence ?: ERR_PTR(-ENOMEM);
}

static long sync_file_ioctl_merge(struct sync_file *sf,
				  struct sync_merge_data __user *uarg)
{
	struct sync_merge_data data;
	/* Reserved before anything else: see sync_file_publish(). */
	int fd = get_unused_fd_flags(O_CLOEXEC);

	if (fd < 0)
		return fd;
	return sync_file_publish(merge_fence(sf, &data, uarg), data.name, fd,
				 &data.fence, uarg, &data, sizeof(data));
}

/* The leaves the file lists: its fence unwrapped one level. */
static unsigned int count_fences(struct sync_file *sf)
{
	struct dma_fence_unwrap cursor;
	struct dma_fence *f;
	unsigned int n = 0;

	dma_fence_unwrap_for_each(f, &cursor, sf->fence)
		n++;
	return n;
}

/* One leaf's entry, names from its driver; returns the leaf's status. */
static int fill_fence_info(struct dma_fence *fence,
			   struct sync_fence_info *info)
{
	const struct dma_fence_ops *ops = fence->ops;
	const char *driver = ops->get_driver_name(fence);
	const char *timeline = ops->get_timeline_name(fence);
	int status = dma_fence_get_status(fence);

	strscpy(info->driver_name, driver, sizeof(info->driver_name));
	strscpy(info->obj_name, timeline, sizeof(info->obj_name));
	info->status = status;
	info->flags = 0;
	/* Unsignaled (status 0): no time to report. */
	info->timestamp_ns = status ? ktime_to_ns(dma_fence_timestamp(fence)) : 0;
	return status;
}

/*
 * Fill up to @room entries of @out; returns how many were filled.  The
 * file's status is folded from the leaves in the order they are listed:
 * it stays 1 while every leaf so far has signaled without error, and
 * takes the status of the first leaf that is pending or failed (which can
 * differ from the status of the file's own fence).
 */
static unsigned int fill_fences(struct sync_file *sf,
				struct sync_fence_info *out, unsigned int room,
				int *status)
{
	struct dma_fence_unwrap cursor;
	struct dma_fence *f;
	unsigned int n = 0;
	int leaf;

	*status = 1;
	dma_fence_unwrap_for_each(f, &cursor, sf->fence) {
		if (n == room)
			continue;
		leaf = fill_fence_info(f, &out[n++]);
		if (*status > 0)
			*status = leaf;
	}
	return n;
}

/*
 * With room for the leaves (num_fences > 0) the status comes from them
 * (see fill_fences()); without, it is the file's fence's own.
 */
static long sync_file_ioctl_info(struct sync_file *sf,
				 struct sync_file_info __user *uarg)
{
	struct sync_fence_info *fences = NULL;
	struct sync_file_info info;
	unsigned int count;
	int status, ret = 0;

	if (copy_from_user(&info, uarg, sizeof(info)))
		return -EFAULT;
	if (info.flags || info.pad)
		return -EINVAL;

	count = count_fences(sf);
	if (info.num_fences) {
		if (info.num_fences < count)
			return -EINVAL;
		fences = kvcalloc(count, sizeof(*fences), GFP_KERNEL);
		if (!fences)
			return -ENOMEM;
		/* Chains drop links as they signal: never more, maybe fewer. */
		count = fill_fences(sf, fences, count, &status);
		if (copy_to_user(u64_to_user_ptr(info.sync_fence_info), fences,
				 size_mul(count, sizeof(*fences)))) {
			ret = -EFAULT;
			goto out;
		}
	} else {
		status = dma_fence_get_status(sf->fence);
	}

	sync_file_get_name(sf, info.name, sizeof(info.name));
	info.status = status;
	info.num_fences = count;
	if (copy_to_user(uarg, &info, sizeof(info)))
		ret = -EFAULT;
out:
	kvfree(fences);
	return ret;
}

/*
 * fdinfo, after the generic lines: the file's name and its leaves, as
 * SYNC_IOC_FILE_INFO names and lists them, each with its status.  The
 * leaves are gathered, with a reference each, in one walk: a chain drops
 * links as they signal, so a second walk could list fewer than counted.
 * Nothing here waits: the status reads take only the fences' own locks.
 */
static void sync_file_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct sync_file *sf = file->private_data;
	char name[sizeof_field(struct sync_file_info, name)];
	struct dma_fence_unwrap cursor;
	unsigned int room, n = 0, i;
	struct dma_fence **leaves;
	struct dma_fence *f;

	seq_printf(m, "sync_file:\t%s\n",
		   sync_file_get_name(sf, name, sizeof(name)));
	room = count_fences(sf);
	leaves = kvcalloc(room, sizeof(*leaves), GFP_KERNEL);
	if (!leaves)
		return;
	dma_fence_unwrap_for_each(f, &cursor, sf->fence) {
		if (n < room)
			leaves[n++] = dma_fence_get(f);
	}

	seq_printf(m, "fences:\t%u\n", n);
	for (i = 0; i < n; i++) {
		f = leaves[i];
		seq_printf(m, "fence:\t%s %s context %llu seqno %llu status %d\n",
			   f->ops->get_driver_name(f),
			   f->ops->get_timeline_name(f), f->context, f->seqno,
			   dma_fence_get_status(f));
		dma_fence_put(f);
	}
	kvfree(leaves);
}

static long sync_file_ioctl_set_deadline(struct sync_file *sf,
					 struct sync_set_deadline __user *uarg)
{
	struct sync_set_deadline ts;
	struct dma_fence_unwrap cursor;
	struct dma_fence *f;
	ktime_t deadline;

	if (copy_from_user(&ts, uarg, sizeof(ts)))
		return -EFAULT;
	if (ts.pad)
		return -EINVAL;

	deadline = ns_to_ktime(min_t(u64, ts.deadline_ns, KTIME_MAX));
	/* Containers have no deadline hook of their own: tell the leaves. */
	dma_fence_unwrap_for_each(f, &cursor, sf->fence)
		dma_fence_set_deadline(f, deadline);
	return 0;
}

static long sync_file_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct sync_file *sf = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case SYNC_IOC_MERGE:
		return sync_file_ioctl_merge(sf, uarg);
	case SYNC_IOC_FILE_INFO:
		return sync_file_ioctl_info(sf, uarg);
	case SYNC_IOC_SET_DEADLINE:
		return sync_file_ioctl_set_deadline(sf, uarg);
	default:
		return -ENOTTY;
	}
}

static void sync_file_wake(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	struct sync_file *sf = container_of(cb, struct sync_file, cb);

	wake_up_all(&sf->wq);
}

static __poll_t sync_file_poll(struct file *file, poll_table *wait)
{
	struct sync_file *sf = file->private_data;

	poll_wait(file, &sf->wq, wait);
	/*
	 * The first poller queues the wake-up.  A concurrent poller may have
	 * found the bit set and gone to sleep before the callback was queued;
	 * if the fence signaled in that window there is no callback to wake
	 * it, so wake the queue here instead.
	 */
	if (!test_and_set_bit(POLL_ENABLED, &sf->flags) &&
	    dma_fence_add_callback(sf->fence, &sf->cb,
				   sync_file_wake))
		wake_up_all(&sf->wq);
	return dma_fence_is_signaled(sf->fence) ? EPOLLIN : 0;
}

static int sync_file_release(struct inode *inode, struct file *file)
{
	struct sync_file *sf = file->private_data;
	struct dma_fence *fence = sf->fence;

	/* No poller is left; a callback still queued must go first. */
	if (test_bit(POLL_ENABLED, &sf->flags))
		dma_fence_remove_callback(fence, &sf->cb);
	sync_file_list_del(sf);
	kfree(sf);
	dma_fence_put(fence);
	return 0;
}

static const struct file_operations sync_file_fops = {
	.owner = THIS_MODULE,
	.release = sync_file_release,
	.show_fdinfo = sync_file_show_fdinfo,
	.poll = sync_file_poll,
	.unlocked_ioctl = sync_file_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	/* No llseek: the file has no position, and lseek is ESPIPE. */
};
