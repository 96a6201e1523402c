// SPDX-License-Identifier: GPL-2.0-only
/*
 * dma-buf heaps: a character device per heap under /dev/dma_heap/, whose
 * one ioctl allocates a dma-buf from that heap and returns its fd.
 *
 * Heaps register with dma_heap_add() and stay for the life of the kernel
 * (there is no way to remove one).  Each gets a minor number; open()
 * finds the heap by its minor.
 */
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <uapi/linux/dma-heap.h>

#define HEAP_MINORS 128

/**
 * struct dma_heap - a registered heap
 * @name: from &dma_heap_export_info.name; set once, read-only after.
 * @ops: from &dma_heap_export_info.ops; read-only.
 * @priv: from &dma_heap_export_info.priv; read-only.
 * @devt: the heap's device number; read-only.
 * @cdev: the heap's character device.
 * @node: in heap_list, under heap_list_lock.
 */
struct dma_heap {
	const char *name;
	const struct dma_heap_ops *ops;
	void *priv;
	dev_t devt;
	struct cdev cdev;
	struct list_head node;
};

/*
 * heap_list_lock serialises dma_heap_add(): it protects heap_list, which
 * is there only for the duplicate-name check.  heap_minors maps a minor to
 * its heap for open(); the XArray has its own lock.
 */
static DEFINE_MUTEX(heap_list_lock);
static LIST_HEAD(heap_list);
static DEFINE_XARRAY_ALLOC(heap_minors);
static dev_t heap_devt_base;
static struct class *heap_class;

static int dma_heap_open(struct inode *inode, struct file *file)
{
	struct dma_heap *heap = xa_load(&heap_minors, iminor(inode));

	if (!heap)
		return -ENODEV;
	file->private_data = heap;
	return nonseekable_open(inode, file);
}

/*
 * Allocate from @heap and put the new buffer's fd in @data->fd.  The fd
 * is reserved after the allocation (a failed allocation reports its own
 * error even with a full table), and installed by the caller only once
 * it is copied out, so userspace never sees a descriptor that then goes
 * away.  Returns the buffer with the reserved fd, or an ERR_PTR.
 */
static struct dma_buf *heap_allocate(struct dma_heap *heap,
				     struct dma_heap_allocation_data *data)
{
	struct dma_buf *dmabuf;
	/* A length within a page of 2^64 rounds up to 0: -EINVAL. */
	u64 len = PAGE_ALIGN(data->len);
	int fd;

	if (data->fd)
		return ERR_PTR(-EINVAL);
	if (data->fd_flags & ~DMA_HEAP_VALID_FD_FLAGS)
		return ERR_PTR(-EINVAL);
	if (data->heap_flags & ~DMA_HEAP_VALID_HEAP_FLAGS)
		return ERR_PTR(-EINVAL);
	if (!len)
		return ERR_PTR(-EINVAL);

	dmabuf = heap->ops->allocate(heap, len, data->fd_flags,
				     data->heap_flags);
	if (IS_ERR(dmabuf))
		return dmabuf;
	fd = get_unused_fd_flags(data->fd_flags);
	if (fd < 0) {
		dma_buf_put(dmabuf);
		return ERR_PTR(fd);
	}
	data->fd = fd;
	return dmabuf;
}

/*
 * The command is told apart by its number alone: any other
 * number is -EINVAL, whatever its type.  Direction and size are the
 * caller's: the argument is read only when the command has _IOC_WRITE
 * and written back only when it has _IOC_READ, each time with the size
 * the command encodes.  What the caller's struct lacks reads as zero (an
 * older caller without heap_flags; a command without _IOC_WRITE has a
 * length of 0), what it has beyond ours is left as it was.
 */
static long dma_heap_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	static const unsigned int cmds[] = { DMA_HEAP_IOCTL_ALLOC };
	struct dma_heap_allocation_data *data;
	void __user *uarg = (void __user *)arg;
	unsigned int nr = _IOC_NR(cmd);
	unsigned int in = 0, out = 0, size;
	struct dma_buf *dmabuf;
	u64 small[8];	/* the argument, when it fits */
	void *kbuf = small;
	long ret;

	if (nr >= ARRAY_SIZE(cmds))
		return -EINVAL;
	nr = array_index_nospec(nr, ARRAY_SIZE(cmds));
	if (_IOC_DIR(cmd) & _IOC_DIR(cmds[nr]) & _IOC_WRITE)
		in = _IOC_SIZE(cmd);
	if (_IOC_DIR(cmd) & _IOC_DIR(cmds[nr]) & _IOC_READ)
		out = _IOC_SIZE(cmd);
	size = max3(in, out, _IOC_SIZE(cmds[nr]));
	if (size > sizeof(small)) {
		kbuf = kmalloc(size, GFP_KERNEL);
		if (!kbuf)
			return -ENOMEM;
	}
	if (copy_from_user(kbuf, uarg, in)) {
		ret = -EFAULT;
		goto out;
	}
	memset(kbuf + in, 0, size - in);

	data = kbuf;
	dmabuf = heap_allocate(file->private_data, data);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto out;
	}
	if (copy_to_user(uarg, kbuf, out)) {
		put_unused_fd(data->fd);
		dma_buf_put(dmabuf);
		ret = -EFAULT;
		goto out;
	}
	dma_buf_fd_install(dmabuf, data->fd);
	ret = 0;
out:
	if (kbuf != small)
		kfree(kbuf);
	return ret;
}

static const struct file_operations dma_heap_fops = {
	.owner = THIS_MODULE,
	.open = dma_heap_open,
	.unlocked_ioctl = dma_heap_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

/**
 * dma_heap_get_drvdata - the heap's private data
 * @heap: a heap from dma_heap_add()
 *
 * Context: any.
 * Return: &dma_heap_export_info.priv as the heap registered it.
 */
void *dma_heap_get_drvdata(struct dma_heap *heap)
{
	return heap->priv;
}

/**
 * dma_heap_get_name - the heap's name
 * @heap: a heap from dma_heap_add()
 *
 * Context: any.
 * Return: the name the heap registered with, also its device node's name.
 */
const char *dma_heap_get_name(struct dma_heap *heap)
{
	return heap->name;
}

static bool heap_name_taken(const char *name)
{
	struct dma_heap *h;

	lockdep_assert_held(&heap_list_lock);
	list_for_each_entry(h, &heap_list, node)
		if (!strcmp(h->name, name))
			return true;
	return false;
}

/* Give @heap a minor, a cdev and a device node; under heap_list_lock. */
static int heap_create_device(struct dma_heap *heap)
{
	struct device *dev;
	u32 minor;
	int err;

	err = xa_alloc(&heap_minors, &minor, heap,
		       XA_LIMIT(0, HEAP_MINORS - 1), GFP_KERNEL);
	if (err)
		return err == -EBUSY ? -ENOSPC : err;
	heap->devt = MKDEV(MAJOR(heap_devt_base), minor);

	cdev_init(&heap->cdev, &dma_heap_fops);
	err = cdev_add(&heap->cdev, heap->devt, 1);
	if (err)
		goto err_minor;

	dev = device_create(heap_class, NULL, heap->devt, NULL, "%s",
			    heap->name);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		goto err_cdev;
	}
	return 0;

err_cdev:
	cdev_del(&heap->cdev);
err_minor:
	xa_erase(&heap_minors, minor);
	return err;
}

/**
 * dma_heap_add - register a heap and create /dev/dma_heap/<name>
 * @exp_info: the heap's name, operations and private data; copied, except
 *	that the name string itself must stay valid for good.
 *
 * Context: process context, may sleep.  Heaps cannot be removed.
 * Return: the new heap, ERR_PTR(-EINVAL) without a name or an allocate
 * operation or when a heap of that name exists, ERR_PTR(-ENOSPC) when
 * all minors are used, ERR_PTR(-ENODEV) before the heap class exists,
 * or another ERR_PTR from creating the device.
 */
struct dma_heap *dma_heap_add(const struct dma_heap_export_info *exp_info)
{
	struct dma_heap *heap;
	int err;

	if (!exp_info->name || !exp_info->name[0] || !exp_info->ops ||
	    !exp_info->ops->allocate) {
		pr_err("dma_heap: a heap needs a name and an allocate op\n");
		return ERR_PTR(-EINVAL);
	}
	if (!heap_class)
		return ERR_PTR(-ENODEV);

	heap = kmalloc(sizeof(*heap), GFP_KERNEL);
	if (!heap)
		return ERR_PTR(-ENOMEM);
	*heap = (struct dma_heap){
		.name = exp_info->name,
		.ops = exp_info->ops,
		.priv = exp_info->priv,
	};

	mutex_lock(&heap_list_lock);
	if (heap_name_taken(heap->name)) {
		pr_err("dma_heap: a heap named %s exists already\n",
		       heap->name);
		err = -EINVAL;
		goto err_unlock;
	}
	err = heap_create_device(heap);
	if (err)
		goto err_unlock;
	list_add_tail(&heap->node, &heap_list);
	mutex_unlock(&heap_list_lock);
	return heap;

err_unlock:
	mutex_unlock(&heap_list_lock);
	kfree(heap);
	return ERR_PTR(err);
}

static char *dma_heap_devnode(struct device *dev, umode_t *mode)
{
	return kasprintf(GFP_KERNEL, "dma_heap/%s", dev_name(dev));
}

static int __init dma_heap_init(void)
{
	struct class *class;
	int err;

	err = alloc_chrdev_region(&heap_devt_base, 0, HEAP_MINORS,
				  "dma_heap");
	if (err)
		return err;
	class = class_create(THIS_MODULE, "dma_heap");
	if (IS_ERR(class)) {
		unregister_chrdev_region(heap_devt_base, HEAP_MINORS);
		return PTR_ERR(class);
	}
	class->devnode = dma_heap_devnode;
	heap_class = class;
	return 0;
}
subsys_initcall(dma_heap_init);
