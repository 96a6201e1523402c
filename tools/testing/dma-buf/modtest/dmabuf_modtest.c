// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmabuf_modtest: a module whose fences and buffers outlive their welcome,
 * loaded and unloaded by module_test (tools/testing/selftests/dma-buf).
 * Built out of tree against the debug kernel (module.sh).
 *
 * The ioctls on /sys/kernel/debug/dmabuf_modtest (dmabuf_modtest.h, a
 * link to the kselftest's header) hand
 * out sync files of the module's fences and dma-bufs the module exports.
 * The two follow the two lifetime rules of Linux 6.1:
 *
 * Buffers: dma_buf_export() takes a reference on exp_info->owner, which
 * DEFINE_DMA_BUF_EXPORT_INFO sets to THIS_MODULE, and drops it after the
 * buffer's release.  While any dma-buf of ours is alive (an fd, a mapping,
 * an importer's attachment) rmmod fails with EAGAIN, and our dma_buf_ops
 * can stay in the module.
 *
 * Fences: &struct dma_fence_ops has no owner, and nothing pins the module
 * while a fence lives; userspace may hold a sync file for as long as it
 * likes, so rmmod succeeds under it.  The core keeps reading fence->ops
 * (release, wait, use_64bit_seqno) and taking fence->lock until the last
 * reference is gone.  It calls the driver's hooks other than the names
 * only while the fence is unsignaled; the names it asks for whenever it
 * reports on a fence (SYNC_IOC_FILE_INFO, also for the name of a file
 * made from the fence alone, debugfs, trace events), signaled or not, as
 * 6.1 does.  Nothing makes that safe once the module is gone: module_test
 * reads the names only while the module is loaded, and afterwards looks
 * at its fences only in ways that do not ask for them.  Besides that, a
 * module whose fences may outlive it
 *
 *  - signals every fence it made, with an error, when it goes away
 *    (modtest_exit()), then waits an RCU grace period for whoever read a
 *    name through dma_fence_driver_name() and friends, which ask only
 *    while the fence is unsignaled;
 *  - keeps what the core reads after that in the fence's own allocation:
 *    a copy of the ops without release or wait hooks (the core frees the
 *    fence with dma_fence_free()), and the spinlock;
 *  - gives that lock a lockdep class whose key and name are not in the
 *    module either: at unload lockdep throws away every class keyed or
 *    named in the module's memory, locks still in use or not.  6.1 has
 *    no lock the core initializes for a fence, so the module registers a
 *    key of its own (lock_class) that it never frees: lockdep keeps it,
 *    one per load.
 */
#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/sync_file.h>
#include <linux/uaccess.h>

#include "dmabuf_modtest.h"
#include "mock-exporter.h"
#include "mock-fence.h"

/**
 * struct modtest_fence - a fence that may outlive the module
 * @mock: the fence and its lock; first, so dma_fence_free() frees the
 *	whole object
 * @ops: this fence's copy of modtest_fence_ops, which the core reads up
 *	to the fence's release, after the module may be gone
 * @node: in &pending while unsignaled, under &pending_lock; the list holds
 *	a reference on the fence
 */
struct modtest_fence {
	struct mock_fence mock;
	struct dma_fence_ops ops;
	struct list_head node;
};

/**
 * struct modtest_lock_class - the lockdep class of the fences' locks
 * @key: registered with lockdep at load, never unregistered
 * @name: the class's name, which lockdep keeps pointing at
 */
struct modtest_lock_class {
	struct lock_class_key key;
	char name[32];
};

/* Allocated at load; left to lockdep at unload once a fence was made. */
static struct modtest_lock_class *lock_class;

/* Serializes signaling: protects the pending list and its fences' nodes. */
static DEFINE_MUTEX(pending_lock);
static LIST_HEAD(pending);
static u64 fence_context;
static atomic64_t fence_seqno;
static struct dentry *ctl_file;

/* Asked for whenever the core reports on the fence, signaled or not. */
static const char *modtest_driver_name(struct dma_fence *fence)
{
	return MODTEST_DRIVER_NAME;
}

static const char *modtest_timeline_name(struct dma_fence *fence)
{
	return MODTEST_TIMELINE_NAME;
}

/* No release, wait or signaled hooks: nothing the core calls late. */
static const struct dma_fence_ops modtest_fence_ops = {
	.get_driver_name = modtest_driver_name,
	.get_timeline_name = modtest_timeline_name,
};

/* Signal every pending fence with @error (0 for success). */
static void signal_all(int error)
{
	struct modtest_fence *f, *tmp;

	mutex_lock(&pending_lock);
	list_for_each_entry_safe(f, tmp, &pending, node) {
		list_del(&f->node);
		if (error)
			dma_fence_set_error(&f->mock.base, error);
		dma_fence_signal(&f->mock.base);
		dma_fence_put(&f->mock.base);
	}
	mutex_unlock(&pending_lock);
}

static struct modtest_fence *modtest_fence_create(void)
{
	struct modtest_fence *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	f->ops = modtest_fence_ops;
	mock_fence_init(&f->mock, &f->ops, fence_context,
			atomic64_inc_return(&fence_seqno));
	lockdep_set_class_and_name(&f->mock.lock, &lock_class->key,
				   lock_class->name);
	return f;
}

/*
 * Hand @file to userspace: reserve a descriptor, copy @arg with it out to
 * @uarg, and install the file there once nothing can fail.  On error the
 * caller keeps its reference to @file.
 */
static long modtest_install(struct modtest_fd __user *uarg,
			    struct modtest_fd *arg, struct file *file)
{
	int fd = get_unused_fd_flags(O_CLOEXEC);

	if (fd < 0)
		return fd;
	arg->fd = fd;
	if (copy_to_user(uarg, arg, sizeof(*arg))) {
		put_unused_fd(fd);
		return -EFAULT;
	}
	fd_install(fd, file);
	return 0;
}

static long ioctl_fence(struct modtest_fd __user *uarg)
{
	struct modtest_fd arg;
	struct modtest_fence *f;
	struct sync_file *sf;
	long err;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.pad || arg.size)
		return -EINVAL;
	f = modtest_fence_create();
	if (!f)
		return -ENOMEM;
	sf = sync_file_create(&f->mock.base);
	err = sf ? modtest_install(uarg, &arg, sf->file) : -ENOMEM;
	if (err) {
		if (sf)
			fput(sf->file);
		dma_fence_put(&f->mock.base);
		return err;
	}
	/* Our reference moves to the pending list; the file has its own. */
	mutex_lock(&pending_lock);
	list_add_tail(&f->node, &pending);
	mutex_unlock(&pending_lock);
	return 0;
}

/* The buffers are the KUnit suites' mock buffers, on zeroed pages. */
static long ioctl_buffer(struct modtest_fd __user *uarg)
{
	struct modtest_fd arg;
	struct dma_buf *buf;
	long err;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.pad || !arg.size || !PAGE_ALIGNED(arg.size) ||
	    arg.size > MODTEST_MAX_PAGES * PAGE_SIZE)
		return -EINVAL;
	buf = mock_export_gfp(arg.size, &mock_dma_buf_ops, NULL,
			      GFP_KERNEL | __GFP_ZERO);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	err = modtest_install(uarg, &arg, buf->file);
	if (err)
		dma_buf_put(buf);
	return err;
}

static long modtest_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MODTEST_IOC_FENCE:
		return ioctl_fence(uarg);
	case MODTEST_IOC_SIGNAL_ALL:
		signal_all(0);
		return 0;
	case MODTEST_IOC_BUFFER:
		return ioctl_buffer(uarg);
	default:
		return -ENOTTY;
	}
}

/* An open control file pins the module (debugfs takes .owner). */
static const struct file_operations modtest_ctl_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = modtest_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static int __init modtest_init(void)
{
	lock_class = kzalloc(sizeof(*lock_class), GFP_KERNEL);
	if (!lock_class)
		return -ENOMEM;
	lockdep_register_key(&lock_class->key);
	strscpy(lock_class->name, "modtest_fence.lock",
		sizeof(lock_class->name));
	fence_context = dma_fence_context_alloc(1);
	ctl_file = debugfs_create_file(MODTEST_NAME, 0600, NULL, NULL,
				       &modtest_ctl_fops);
	if (IS_ERR(ctl_file)) {
		/* No fence was made: the key can go. */
		lockdep_unregister_key(&lock_class->key);
		kfree(lock_class);
		return PTR_ERR(ctl_file);
	}
	return 0;
}

static void __exit modtest_exit(void)
{
	debugfs_remove(ctl_file);
	/* Sync files may still hold our fences: they end here, failed. */
	signal_all(-ENODEV);
	/* Readers of the names through the RCU-safe accessors are done. */
	synchronize_rcu();
	/*
	 * Locks of the class may outlive us unless no fence was ever made
	 * (or lockdep is off, and then the key is nothing).
	 */
	if (!atomic64_read(&fence_seqno) || !IS_ENABLED(CONFIG_LOCKDEP)) {
		lockdep_unregister_key(&lock_class->key);
		kfree(lock_class);
	}
}

module_init(modtest_init);
module_exit(modtest_exit);
MODULE_DESCRIPTION("Fences and dma-bufs that outlive their module, for module_test");
MODULE_LICENSE("GPL");
