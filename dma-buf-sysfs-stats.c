// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-buffer statistics in sysfs (CONFIG_DMABUF_SYSFS_STATS).
 *
 * Every exported buffer gets a directory /sys/kernel/dmabuf/buffers/<ino>,
 * named after the inode number of its file (what fstat() on the fd and
 * /proc/<pid>/fdinfo report), with two read-only files:
 *
 *  - exporter_name: &dma_buf.exp_name and a newline;
 *  - size: &dma_buf.size in bytes, in decimal, and a newline.
 *
 * The directory is made in dma_buf_export() before the buffer becomes
 * visible and removed when the buffer is released.  Both values are fixed
 * for the buffer's life, so the files read them without a lock.  Removing
 * the directory waits for readers still inside a show callback and makes
 * later reads of files still open fail, so no reader sees a freed
 * buffer; the entry is freed by its kobject's release.
 *
 * Neither directory level sends uevents: a buffer is not a device, and
 * with many short-lived buffers the events would only cost.
 */

#include <linux/dma-buf.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "dma-buf-sysfs-stats.h"

static struct kset *dmabuf_kset;	/* /sys/kernel/dmabuf */
static struct kset *buffers_kset;	/* /sys/kernel/dmabuf/buffers */

static struct dma_buf *entry_buffer(struct kobject *kobj)
{
	return container_of(kobj, struct dma_buf_sysfs_entry, kobj)->dmabuf;
}

static ssize_t exporter_name_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", entry_buffer(kobj)->exp_name);
}

static ssize_t size_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%zu\n", entry_buffer(kobj)->size);
}

static struct kobj_attribute exporter_name_attr = __ATTR_RO(exporter_name);
static struct kobj_attribute size_attr = __ATTR_RO(size);

static struct attribute *buffer_attrs[] = {
	&exporter_name_attr.attr,
	&size_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(buffer);

static void buffer_entry_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct dma_buf_sysfs_entry, kobj));
}

static const struct kobj_type buffer_entry_ktype = {
	.sysfs_ops = &kobj_sysfs_ops,
	.release = buffer_entry_release,
	.default_groups = buffer_groups,
};

static int no_uevent(struct kobject *kobj)
{
	return 0;
}

static const struct kset_uevent_ops no_uevent_ops = {
	.filter = no_uevent,
};

/**
 * dma_buf_stats_setup - give a new buffer its sysfs directory
 * @dmabuf: the buffer, with its size and exporter name set
 * @file: the buffer's file, whose inode number names the directory
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL when the exporter gave no name (the directory would
 * lack one of its files); -ENOMEM or another error of kobject_add().  On
 * error nothing is left and &dma_buf.sysfs_entry is NULL.
 */
int dma_buf_stats_setup(struct dma_buf *dmabuf, struct file *file)
{
	struct dma_buf_sysfs_entry *entry;
	int err;

	if (!dmabuf->exp_name) {
		pr_err("dma-buf: sysfs statistics need the exporter's name\n");
		return -EINVAL;
	}
	entry = kzalloc(sizeof(*entry), GFP_KERNEL);
	if (!entry)
		return -ENOMEM;
	entry->dmabuf = dmabuf;
	entry->kobj.kset = buffers_kset;
	err = kobject_init_and_add(&entry->kobj, &buffer_entry_ktype, NULL,
				   "%lu", file_inode(file)->i_ino);
	if (err) {
		/* Frees the entry through buffer_entry_release(). */
		kobject_put(&entry->kobj);
		return err;
	}
	dmabuf->sysfs_entry = entry;
	return 0;
}

/**
 * dma_buf_stats_teardown - remove a released buffer's sysfs directory
 * @dmabuf: the buffer, which has its directory: an export that cannot
 *	make one fails, and its file is released without the buffer
 *
 * Returns once no show callback of the buffer's files is running.
 *
 * Context: process context, may sleep.
 */
void dma_buf_stats_teardown(struct dma_buf *dmabuf)
{
	struct dma_buf_sysfs_entry *entry = dmabuf->sysfs_entry;

	dmabuf->sysfs_entry = NULL;
	kobject_del(&entry->kobj);
	kobject_put(&entry->kobj);
}

/**
 * dma_buf_init_sysfs_statistics - make /sys/kernel/dmabuf/buffers
 *
 * Context: process context, once, before the first export.
 * Return: 0 or -ENOMEM.
 */
int dma_buf_init_sysfs_statistics(void)
{
	dmabuf_kset = kset_create_and_add("dmabuf", &no_uevent_ops,
					  kernel_kobj);
	if (!dmabuf_kset)
		return -ENOMEM;
	buffers_kset = kset_create_and_add("buffers", &no_uevent_ops,
					   &dmabuf_kset->kobj);
	if (!buffers_kset) {
		kset_unregister(dmabuf_kset);
		return -ENOMEM;
	}
	return 0;
}
