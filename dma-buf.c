// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dma-buf core: buffers as files.
 *
 * Every exported buffer is an inode and a file on a private pseudo
 * filesystem ("dmabuf", never mounted in any namespace).  The file's
 * reference count is the buffer's: get_dma_buf() and dma_buf_put() are
 * get_file() and fput(), an fd is just one more reference, and mmap'ed
 * VMAs hold the file too.
 *
 * Teardown is split in two.  The file's ->release takes the buffer off the
 * global list; the dentry's ->d_release, which runs last because the
 * dentry can be pinned by /proc lookups after the file is gone and its
 * name callback reads the buffer, calls the exporter and frees the memory.
 *
 * Locks, outermost first:
 *  - buffers_lock (mutex) protects the global list of buffers
 *    (&dma_buf.list_node); bufinfo takes each buffer's reservation lock
 *    inside it.
 *  - &dma_buf.lock (mutex) serialises vmap and vunmap and protects the
 *    vmap count and address; exporters may take the reservation lock
 *    inside their vmap.
 *  - the reservation lock (&dma_buf.resv) protects the attachment list,
 *    pinning and the mappings of dynamic importers.
 *  - &dma_buf.name_lock (spinlock) protects the name, so that it can be
 *    read where sleeping is not allowed, such as the dentry name callback.
 *  - the poll wait queue's lock protects &dma_buf_poll_cb_t.active; it
 *    is taken inside a fence's lock when a callback fires.
 */

#include <kunit/visibility.h>
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/dma-fence-unwrap.h>
#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/poll.h>
#include <linux/pseudo_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#if IS_ENABLED(CONFIG_SYNC_FILE)
#include <linux/sync_file.h>
#endif
#include <uapi/linux/dma-buf.h>
#include <uapi/linux/magic.h>

#include "dma-buf-internal.h"
#include "dma-buf-sysfs-stats.h"

static LIST_HEAD(buffers);
static DEFINE_MUTEX(buffers_lock);

static struct vfsmount *dma_buf_mnt;
static const struct file_operations dma_buf_fops;

/* Inode numbers: 64 bits, so they never repeat within a boot. */
static atomic64_t dma_buf_ino = ATOMIC64_INIT(0);

/*
 * A buffer whose exporter brought no reservation object gets one right
 * after the struct dma_buf, in the same allocation.
 */
struct dma_buf_with_resv {
	struct dma_buf buf;
	struct dma_resv resv;
};

static struct dma_resv *own_resv(struct dma_buf *buf)
{
	return &container_of(buf, struct dma_buf_with_resv, buf)->resv;
}

static void dma_buf_destroy(struct dma_buf *buf)
{
	/* Importers that forgot to vunmap or detach are bugs; say so. */
	WARN_ON(buf->vmapping_counter);
	WARN_ON(!list_empty(&buf->attachments));
	WARN_ON(buf->cb_in.active || buf->cb_out.active);

	dma_buf_stats_teardown(buf);
	buf->ops->release(buf);
	if (buf->resv == own_resv(buf))
		dma_resv_fini(buf->resv);
	module_put(buf->owner);
	mutex_destroy(&buf->lock);
	kfree(buf->name);
	kfree(buf);
}

static void dma_buf_d_release(struct dentry *dentry)
{
	struct dma_buf *buf = dentry->d_fsdata;

	/* NULL when the file was never finished, see dma_buf_export(). */
	if (buf)
		dma_buf_destroy(buf);
}

/* "/buf:NAME", as /proc/<pid>/fd and map_files show the buffer. */
static char *dma_buf_d_dname(struct dentry *dentry, char *out, int len)
{
	struct dma_buf *buf = dentry->d_fsdata;
	char name[DMA_BUF_NAME_LEN] = "";

	if (buf) {
		spin_lock(&buf->name_lock);
		if (buf->name)
			strscpy(name, buf->name, sizeof(name));
		spin_unlock(&buf->name_lock);
	}
	return dynamic_dname(out, len, "/%s:%s", dentry->d_name.name, name);
}

static const struct dentry_operations dma_buf_dentry_ops = {
	.d_dname = dma_buf_d_dname,
	.d_release = dma_buf_d_release,
};

/* The superblock of the private filesystem: our dentry operations. */
static int buffers_fs_context(struct fs_context *fc)
{
	struct pseudo_fs_context *pseudo = init_pseudo(fc, DMA_BUF_MAGIC);

	if (pseudo)
		pseudo->dops = &dma_buf_dentry_ops;
	return pseudo ? 0 : -ENOMEM;
}

static struct file_system_type buffers_fs = {
	.kill_sb = kill_anon_super,
	.init_fs_context = buffers_fs_context,
	.name = "dmabuf",
};

static int dma_buf_file_release(struct inode *inode, struct file *file)
{
	struct dma_buf *buf = file->private_data;

	/* NULL when the export failed after making the file. */
	if (!buf)
		return 0;
	mutex_lock(&buffers_lock);
	list_del(&buf->list_node);
	mutex_unlock(&buffers_lock);
	return 0;
}

/*
 * The fd can be asked for its size and nothing else: SEEK_END with offset
 * 0 returns it, SEEK_SET with offset 0 goes back to the start.
 */
static loff_t dma_buf_llseek(struct file *file, loff_t offset, int whence)
{
	struct dma_buf *buf = file->private_data;

	if (offset)
		return -EINVAL;
	switch (whence) {
	case SEEK_SET:
		return 0;
	case SEEK_END:
		return buf->size;
	default:
		return -EINVAL;
	}
}

/* An unsignaled fence of a buffer, referenced, with its usage. */
struct fdinfo_fence {
	struct dma_fence *fence;
	enum dma_resv_usage usage;
};

static const char * const fdinfo_usage_names[] = {
	[DMA_RESV_USAGE_KERNEL] = "kernel",
	[DMA_RESV_USAGE_WRITE] = "write",
	[DMA_RESV_USAGE_READ] = "read",
	[DMA_RESV_USAGE_BOOKKEEP] = "bookkeep",
};

static void fdinfo_fences_put(struct fdinfo_fence *fences, unsigned int n)
{
	while (n--)
		dma_fence_put(fences[n].fence);
}

/*
 * The unsignaled fences of @buf, each referenced, in *@out (kfree it):
 * one lock-free pass over the reservation object, so that neither the
 * reader nor a signaller ever waits for the other.  When the object
 * changes under the walk, what the walk gathered from the old fence array
 * is dropped and the new pass counts alone.  Returns how many; 0, with
 * nothing to free, when there is none or no memory.
 */
static unsigned int fdinfo_pending_fences(struct dma_buf *buf,
					  struct fdinfo_fence **out)
{
	struct fdinfo_fence *fences = NULL, *bigger;
	unsigned int n = 0, room = 0;
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	bool failed = false;

	dma_resv_iter_begin(&cursor, buf->resv, DMA_RESV_USAGE_BOOKKEEP);
	dma_resv_for_each_fence_unlocked(&cursor, fence) {
		if (dma_resv_iter_is_restarted(&cursor)) {
			fdinfo_fences_put(fences, n);
			n = 0;
		}
		if (n == room) {
			room = room ? 2 * room : 4;
			bigger = krealloc_array(fences, room, sizeof(*fences),
						GFP_KERNEL);
			if (!bigger) {
				failed = true;
				break;
			}
			fences = bigger;
		}
		fences[n].fence = dma_fence_get(fence);
		fences[n++].usage = dma_resv_iter_usage(&cursor);
	}
	/* A last pass that found nothing leaves the restart flag set. */
	if (failed || dma_resv_iter_is_restarted(&cursor)) {
		fdinfo_fences_put(fences, n);
		n = 0;
	}
	dma_resv_iter_end(&cursor);
	if (!n)
		kfree(fences);
	*out = n ? fences : NULL;
	return n;
}

/*
 * fdinfo, after the generic lines: the buffer's size, the references to
 * its file other than the reader's, its exporter and its name if set;
 * then, when it has unsignaled fences, their count and one line for each,
 * grouped by usage, strongest first.
 */
static void dma_buf_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct dma_buf *buf = file->private_data;
	struct fdinfo_fence *fences;
	enum dma_resv_usage usage;
	struct dma_fence *f;
	unsigned int n, i;

	seq_printf(m, "size:\t%zu\n", buf->size);
	/* The reader of fdinfo holds one reference of its own. */
	seq_printf(m, "count:\t%ld\n", file_count(file) - 1);
	seq_printf(m, "exp_name:\t%s\n", buf->exp_name);
	spin_lock(&buf->name_lock);
	if (buf->name)
		seq_printf(m, "name:\t%s\n", buf->name);
	spin_unlock(&buf->name_lock);

	n = fdinfo_pending_fences(buf, &fences);
	if (!n)
		return;
	seq_printf(m, "pending:\t%u\n", n);
	for (usage = DMA_RESV_USAGE_KERNEL; usage <= DMA_RESV_USAGE_BOOKKEEP;
	     usage++) {
		for (i = 0; i < n; i++) {
			if (fences[i].usage != usage)
				continue;
			f = fences[i].fence;
			seq_printf(m, "pending_fence:\t%s %s %s context %llu seqno %llu\n",
				   fdinfo_usage_names[usage],
				   f->ops->get_driver_name(f),
				   f->ops->get_timeline_name(f), f->context,
				   f->seqno);
		}
	}
	fdinfo_fences_put(fences, n);
	kfree(fences);
}

/* Map through the fd: the whole of the VMA must lie inside the buffer. */
static int dma_buf_mmap_file(struct file *file, struct vm_area_struct *vma)
{
	struct dma_buf *buf = file->private_data;
	unsigned long pages = buf->size >> PAGE_SHIFT;

	if (!buf->ops->mmap)
		return -EINVAL;
	if (vma->vm_pgoff > pages || vma_pages(vma) > pages - vma->vm_pgoff)
		return -EINVAL;
	return buf->ops->mmap(buf, vma);
}

static bool is_dma_buf_file(struct file *file)
{
	return file->f_op == &dma_buf_fops;
}

static bool export_info_valid(const struct dma_buf_export_info *info)
{
	const struct dma_buf_ops *ops = info->ops;

	/* Every exporter keeps its own state in @priv. */
	if (!info->priv)
		return false;
	if (!ops || !ops->map_dma_buf || !ops->unmap_dma_buf || !ops->release)
		return false;
	/* Pinning comes in pairs, and a movable buffer cannot be cached. */
	if (!ops->pin != !ops->unpin)
		return false;
	return !(ops->pin && ops->cache_sgt_mapping);
}

/*
 * The file that carries @buf, or an ERR_PTR; nothing is left on error.
 * Of @flags the file keeps the access mode and O_NONBLOCK (F_GETFL and
 * bufinfo show them); O_CLOEXEC is the descriptor's, for dma_buf_fd().
 */
static struct file *dma_buf_new_file(struct dma_buf *buf, int flags)
{
	struct inode *inode = alloc_anon_inode(dma_buf_mnt->mnt_sb);
	struct file *file;

	if (IS_ERR(inode))
		return ERR_CAST(inode);
	inode->i_size = buf->size;
	inode->i_ino = atomic64_inc_return(&dma_buf_ino);
	inode_set_bytes(inode, buf->size);

	file = alloc_file_pseudo(inode, dma_buf_mnt, "dmabuf",
				 flags & (O_ACCMODE | O_NONBLOCK), &dma_buf_fops);
	if (IS_ERR(file)) {
		iput(inode);
		return file;
	}
	file->f_mode |= FMODE_LSEEK;
	file->private_data = buf;
	file->f_path.dentry->d_fsdata = buf;
	return file;
}

#ifdef CONFIG_LOCKDEP
/*
 * Lockdep sees one class per lock key, and every buffer's @lock would
 * otherwise share one.  That joins chains that no real buffer can close:
 * a DRM importer calls dma_buf_vmap() under its own GEM object lock,
 * while a DRM exporter takes the same kind of GEM object lock inside its
 * vmap, under @lock.  Importer and exporter are always different buffers,
 * yet with a single class lockdep reports a cycle as soon as one driver
 * imports from a heap and another from DRM.  So @lock gets one class per
 * exporter, keyed by its dma_buf_ops: the chains stay apart unless both
 * sides have the same exporter.
 *
 * A key is registered the first time its ops table exports and is kept
 * for good.  Should a module unload and a later one's ops land at the
 * same address, the two share a class, which only makes lockdep stricter.
 */
struct buf_lock_class {
	struct list_head node;
	const struct dma_buf_ops *ops;
	struct lock_class_key key;
};

static LIST_HEAD(buf_lock_classes);
static DEFINE_MUTEX(buf_lock_classes_lock); /* guards buf_lock_classes */

static void buf_lock_set_class(struct dma_buf *buf)
{
	struct buf_lock_class *c;

	mutex_lock(&buf_lock_classes_lock);
	list_for_each_entry(c, &buf_lock_classes, node)
		if (c->ops == buf->ops)
			goto found;
	/* Out of memory: the buffer keeps the common class. */
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		goto out;
	c->ops = buf->ops;
	lockdep_register_key(&c->key);
	list_add(&c->node, &buf_lock_classes);
found:
	lockdep_set_class_and_name(&buf->lock, &c->key, "&dma_buf->lock");
out:
	mutex_unlock(&buf_lock_classes_lock);
}
#else
static inline void buf_lock_set_class(struct dma_buf *buf)
{
}
#endif

/**
 * dma_buf_export - wrap an exporter's buffer in a new dma_buf
 * @exp_info: the buffer's size, operations, private data and, optionally,
 *	a reservation object to use; declare it with DEFINE_DMA_BUF_EXPORT_INFO()
 *
 * The new buffer holds a reference on @exp_info->owner for its whole life
 * and starts with one reference, which the caller owns: hand it to
 * userspace with dma_buf_fd() or drop it with dma_buf_put().  When the
 * last reference goes, &dma_buf_ops.release is called.
 *
 * Every step that can fail runs before the buffer becomes visible, so on
 * failure nothing is left behind and the exporter keeps ownership of its
 * memory.
 *
 * Context: process context, may sleep.
 * Return: the new buffer; ERR_PTR(-EINVAL), with a warning, when @exp_info
 * has no @priv, lacks a required operation (map_dma_buf, unmap_dma_buf,
 * release), gives pin without unpin or asks to cache the mapping of a
 * movable buffer; ERR_PTR(-ENOENT) when
 * the owning module is going away; ERR_PTR(-ENOMEM).
 */
struct dma_buf *dma_buf_export(const struct dma_buf_export_info *exp_info)
{
	size_t alloc = exp_info->resv ? sizeof(struct dma_buf) :
					sizeof(struct dma_buf_with_resv);
	struct dma_buf *buf;
	struct file *file;
	int err;

	if (WARN_ON(!export_info_valid(exp_info)))
		return ERR_PTR(-EINVAL);
	if (!try_module_get(exp_info->owner))
		return ERR_PTR(-ENOENT);

	buf = kzalloc(alloc, GFP_KERNEL);
	if (!buf) {
		err = -ENOMEM;
		goto err_module;
	}
	buf->size = exp_info->size;
	buf->ops = exp_info->ops;
	buf->priv = exp_info->priv;
	buf->exp_name = exp_info->exp_name;
	buf->owner = exp_info->owner;
	buf->resv = exp_info->resv;
	mutex_init(&buf->lock);
	buf_lock_set_class(buf);
	spin_lock_init(&buf->name_lock);
	INIT_LIST_HEAD(&buf->attachments);
	init_waitqueue_head(&buf->poll);
	buf->cb_in.poll = &buf->poll;
	buf->cb_out.poll = &buf->poll;

	file = dma_buf_new_file(buf, exp_info->flags);
	if (IS_ERR(file)) {
		err = PTR_ERR(file);
		goto err_free;
	}
	buf->file = file;
	if (!buf->resv) {
		buf->resv = own_resv(buf);
		dma_resv_init(buf->resv);
	}
	err = dma_buf_stats_setup(buf, file);
	if (err)
		goto err_file;

	mutex_lock(&buffers_lock);
	list_add(&buf->list_node, &buffers);
	mutex_unlock(&buffers_lock);
	return buf;

err_file:
	/* The file goes without the buffer: its releases find none. */
	file->private_data = NULL;
	file->f_path.dentry->d_fsdata = NULL;
	fput(file);
	if (buf->resv == own_resv(buf))
		dma_resv_fini(buf->resv);
err_free:
	mutex_destroy(&buf->lock);
	kfree(buf);
err_module:
	module_put(exp_info->owner);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_export, DMA_BUF);

/**
 * dma_buf_fd - give a buffer an fd in the current process
 * @buf: the buffer; the caller's reference moves to the fd
 * @flags: flags for the fd, such as O_CLOEXEC
 *
 * Callers that still have to copy the fd number to userspace after this
 * should use get_unused_fd_flags() and dma_buf_fd_install() instead, so
 * that no fd exists before the copy succeeded.
 *
 * Context: process context.
 * Return: the fd, -EINVAL for a NULL buffer, or the error of
 * get_unused_fd_flags() (e.g. -EMFILE); on error the caller keeps its
 * reference.
 */
int dma_buf_fd(struct dma_buf *buf, int flags)
{
	int fd;

	if (!buf || !buf->file)
		return -EINVAL;
	fd = get_unused_fd_flags(flags);
	if (fd >= 0)
		fd_install(fd, buf->file);
	return fd;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_fd, DMA_BUF);

/**
 * dma_buf_fd_install - install a buffer in an fd reserved earlier
 * @buf: the buffer; the caller's reference moves to the fd
 * @fd: an fd from get_unused_fd_flags() of the current process
 *
 * The second half of dma_buf_fd() for callers that reserve the fd first,
 * report it to userspace, and install only when nothing can fail any more.
 *
 * Context: process context.
 */
void dma_buf_fd_install(struct dma_buf *buf, int fd)
{
	fd_install(fd, buf->file);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_fd_install, DMA_BUF);

/**
 * dma_buf_get - the buffer behind an fd, with a reference
 * @fd: an fd of the current process
 *
 * Context: process context.
 * Return: the buffer, with a new reference for the caller to drop with
 * dma_buf_put(); ERR_PTR(-EBADF) when @fd is not open, ERR_PTR(-EINVAL)
 * when it is not a dma-buf.
 */
struct dma_buf *dma_buf_get(int fd)
{
	struct file *f = fget(fd);

	if (f && is_dma_buf_file(f))
		return f->private_data;
	if (!f)
		return ERR_PTR(-EBADF);
	fput(f);
	return ERR_PTR(-EINVAL);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_get, DMA_BUF);

/**
 * dma_buf_put - drop a reference on a buffer
 * @buf: the buffer
 *
 * The last reference frees the buffer through its exporter; that may
 * happen later, when the file layer gets to it.
 *
 * Context: any context where fput() may be called.
 */
void dma_buf_put(struct dma_buf *buf)
{
	if (WARN_ON(!buf || !buf->file))
		return;
	fput(buf->file);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_put, DMA_BUF);

/*
 * Who holds the reservation lock around the exporter's mapping callbacks:
 * a dynamic importer always does, since it must be able to take the
 * mapping back from move_notify; the core takes it itself only around
 * calls into a dynamic exporter.  A static importer of a static exporter
 * maps without it: that buffer never moves, so there is no move_notify for
 * the lock to order the mapping against.
 */
/*
 * With CONFIG_DMABUF_DEBUG the page pointers of every mapping are
 * scrambled while the importer has it: importers may use the DMA
 * addresses only, and one that touches the pages faults at once.  The
 * low bits, which mark chain links and the end, are kept.  Scrambling
 * twice restores the table.
 */
static void scramble_pages(struct sg_table *sgt)
{
	struct scatterlist *sg;
	int i;

	if (!IS_ENABLED(CONFIG_DMABUF_DEBUG))
		return;
	for_each_sgtable_sg(sgt, sg, i)
		sg->page_link ^= ~0xffUL;
}

/*
 * The exporter's map_dma_buf, for every path that maps.  A static importer
 * cannot wait for fences itself, yet the exporter may still be working on
 * the buffer (a move it started when pinning, a clear): the table is handed
 * out only once the KERNEL fences have signaled.  A dynamic importer waits
 * for them in its own way, often on the device, so it gets the table at
 * once.  When a signal cuts the wait short, the mapping goes back to the
 * exporter and the caller sees -ERESTARTSYS.
 */
static struct sg_table *exporter_map(struct dma_buf_attachment *attach,
				     enum dma_data_direction dir)
{
	struct dma_buf *buf = attach->dmabuf;
	struct sg_table *sgt = buf->ops->map_dma_buf(attach, dir);
	long idle;

	if (!sgt)
		return ERR_PTR(-ENOMEM);
	if (IS_ERR(sgt))
		return sgt;
	if (!dma_buf_attachment_is_dynamic(attach)) {
		idle = dma_resv_wait_timeout(buf->resv, DMA_RESV_USAGE_KERNEL,
					     true, MAX_SCHEDULE_TIMEOUT);
		if (idle < 0) {
			buf->ops->unmap_dma_buf(attach, sgt, dir);
			return ERR_PTR(idle);
		}
	}
	scramble_pages(sgt);
	return sgt;
}

static void exporter_unmap(struct dma_buf_attachment *attach,
			   struct sg_table *sgt, enum dma_data_direction dir)
{
	scramble_pages(sgt);
	attach->dmabuf->ops->unmap_dma_buf(attach, sgt, dir);
}

/*
 * When importer and exporter disagree about moving the buffer (one is
 * dynamic, the other is not), the attachment gets one mapping for its
 * whole life, made here: a movable buffer is pinned first, so the mapping
 * stays valid without move_notify.
 */
static int map_for_life(struct dma_buf_attachment *attach)
{
	struct dma_buf *buf = attach->dmabuf;
	bool movable = dma_buf_is_dynamic(buf);
	struct sg_table *sgt;
	int err = 0;

	if (movable) {
		dma_resv_lock(buf->resv, NULL);
		err = buf->ops->pin(attach);
		if (err)
			goto out;
	}
	sgt = exporter_map(attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt)) {
		err = PTR_ERR(sgt);
		if (movable)
			buf->ops->unpin(attach);
		goto out;
	}
	attach->sgt = sgt;
	attach->dir = DMA_BIDIRECTIONAL;
out:
	if (movable)
		dma_resv_unlock(buf->resv);
	return err;
}

/* Undo map_for_life(), or drop an ordinary cached mapping. */
static void unmap_cached(struct dma_buf_attachment *attach)
{
	struct dma_buf *buf = attach->dmabuf;
	bool movable = dma_buf_is_dynamic(buf);

	if (movable)
		dma_resv_lock(buf->resv, NULL);
	exporter_unmap(attach, attach->sgt, attach->dir);
	attach->sgt = NULL;
	if (movable && !dma_buf_attachment_is_dynamic(attach))
		buf->ops->unpin(attach);
	if (movable)
		dma_resv_unlock(buf->resv);
}

/**
 * dma_buf_dynamic_attach - attach a device to a buffer
 * @buf: the buffer
 * @dev: the importing device
 * @importer_ops: for a dynamic importer, its operations (move_notify is
 *	required); NULL for a static importer
 * @importer_priv: the importer's data, stored in the attachment
 *
 * The exporter's &dma_buf_ops.attach may refuse the device.  When exactly
 * one of importer and exporter is dynamic, the buffer is mapped (and, if
 * the exporter moves buffers, pinned) here for the attachment's whole
 * life, and dma_buf_map_attachment() returns that mapping.
 *
 * Context: process context, may sleep; takes the reservation lock, which
 * the caller must not hold.
 * Return: the attachment, or an ERR_PTR: -EINVAL for missing arguments or
 * a dynamic importer without move_notify, -ENOMEM, or the exporter's
 * error.
 */
struct dma_buf_attachment *
dma_buf_dynamic_attach(struct dma_buf *buf, struct device *dev,
		       const struct dma_buf_attach_ops *importer_ops,
		       void *importer_priv)
{
	struct dma_buf_attachment *attach;
	int err;

	/* A dynamic importer must be able to hear of moves. */
	if (WARN_ON(!buf || !dev ||
		    (importer_ops && !importer_ops->move_notify)))
		return ERR_PTR(-EINVAL);

	attach = kzalloc(sizeof(*attach), GFP_KERNEL);
	if (!attach)
		return ERR_PTR(-ENOMEM);
	attach->dmabuf = buf;
	attach->dev = dev;
	attach->importer_ops = importer_ops;
	attach->importer_priv = importer_priv;
	attach->peer2peer = importer_ops && importer_ops->allow_peer2peer;

	if (buf->ops->attach) {
		err = buf->ops->attach(buf, attach);
		if (err)
			goto err_free;
	}

	/* On the list first: an exporter may look at every attached device. */
	dma_resv_lock(buf->resv, NULL);
	list_add(&attach->node, &buf->attachments);
	dma_resv_unlock(buf->resv);

	if (dma_buf_attachment_is_dynamic(attach) != dma_buf_is_dynamic(buf)) {
		err = map_for_life(attach);
		if (err)
			goto err_unlist;
	}
	return attach;

err_unlist:
	dma_resv_lock(buf->resv, NULL);
	list_del(&attach->node);
	dma_resv_unlock(buf->resv);
	if (buf->ops->detach)
		buf->ops->detach(buf, attach);
err_free:
	kfree(attach);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_dynamic_attach, DMA_BUF);

/**
 * dma_buf_attach - attach a device to a buffer as a static importer
 * @buf: the buffer
 * @dev: the importing device
 *
 * dma_buf_dynamic_attach() without importer operations: if the exporter
 * moves buffers, this one is pinned until dma_buf_detach().
 *
 * Context: process context, may sleep.
 * Return: the attachment or an ERR_PTR, as dma_buf_dynamic_attach().
 */
struct dma_buf_attachment *dma_buf_attach(struct dma_buf *buf,
					  struct device *dev)
{
	return dma_buf_dynamic_attach(buf, dev, NULL, NULL);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_attach, DMA_BUF);

/**
 * dma_buf_detach - detach a device from a buffer
 * @buf: the buffer
 * @attach: the attachment, from dma_buf_attach() or dma_buf_dynamic_attach()
 *
 * Drops the attachment's cached mapping, and the pin a static importer of
 * a dynamic exporter held, then frees @attach.  Mappings the importer made
 * itself must have been unmapped already.
 *
 * Context: process context, may sleep; takes the reservation lock, which
 * the caller must not hold.
 */
void dma_buf_detach(struct dma_buf *buf, struct dma_buf_attachment *attach)
{
	if (WARN_ON(!buf || !attach || attach->dmabuf != buf))
		return;

	if (attach->sgt)
		unmap_cached(attach);
	dma_resv_lock(buf->resv, NULL);
	list_del(&attach->node);
	dma_resv_unlock(buf->resv);
	if (buf->ops->detach)
		buf->ops->detach(buf, attach);
	kfree(attach);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_detach, DMA_BUF);

/**
 * dma_buf_pin - keep a buffer where it is
 * @attach: a dynamic importer's attachment
 *
 * For dynamic importers that need the buffer to stay put for a while,
 * for instance while scanning it out.  Each successful call is balanced
 * by dma_buf_unpin().
 *
 * Context: the reservation lock of the buffer held.
 * Return: 0, or the exporter's error.
 */
int dma_buf_pin(struct dma_buf_attachment *attach)
{
	struct dma_buf *buf = attach->dmabuf;

	WARN_ON(!dma_buf_attachment_is_dynamic(attach));
	dma_resv_assert_held(buf->resv);
	return buf->ops->pin ? buf->ops->pin(attach) : 0;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_pin, DMA_BUF);

/**
 * dma_buf_unpin - let a pinned buffer move again
 * @attach: the attachment passed to dma_buf_pin()
 *
 * Context: the reservation lock of the buffer held.
 */
void dma_buf_unpin(struct dma_buf_attachment *attach)
{
	struct dma_buf *buf = attach->dmabuf;

	WARN_ON(!dma_buf_attachment_is_dynamic(attach));
	dma_resv_assert_held(buf->resv);
	if (buf->ops->unpin)
		buf->ops->unpin(attach);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_unpin, DMA_BUF);

/* Without CONFIG_DMABUF_MOVE_NOTIFY, every mapping of a movable buffer pins it. */
static bool map_pins(struct dma_buf *buf)
{
	return dma_buf_is_dynamic(buf) &&
	       !IS_ENABLED(CONFIG_DMABUF_MOVE_NOTIFY);
}

/**
 * dma_buf_map_attachment - map a buffer for the attached device
 * @attach: the attachment
 * @dir: the direction of the device's access
 *
 * Returns the attachment's cached mapping when it has one (an exporter
 * that sets &dma_buf_ops.cache_sgt_mapping, or a static/dynamic mix, see
 * dma_buf_dynamic_attach()); it serves @dir if it was made for @dir or
 * for both directions.  Otherwise the exporter makes a new mapping, which
 * the caller owns until dma_buf_unmap_attachment().
 *
 * Context: process context, may sleep.  A dynamic importer holds the
 * buffer's reservation lock; a static importer need not.
 * Return: the scatter list, ERR_PTR(-EBUSY) when the cached mapping is for
 * another direction, ERR_PTR(-EINVAL) for a missing attachment, or the
 * exporter's error (a NULL from the exporter becomes -ENOMEM).
 */
struct sg_table *dma_buf_map_attachment(struct dma_buf_attachment *attach,
					enum dma_data_direction dir)
{
	struct dma_buf *buf;
	struct sg_table *sgt;
	int err;

	might_sleep();
	if (WARN_ON(!attach || !attach->dmabuf))
		return ERR_PTR(-EINVAL);
	buf = attach->dmabuf;
	if (dma_buf_attachment_is_dynamic(attach))
		dma_resv_assert_held(buf->resv);

	if (attach->sgt) {
		if (attach->dir != dir && attach->dir != DMA_BIDIRECTIONAL)
			return ERR_PTR(-EBUSY);
		return attach->sgt;
	}

	/* Only dynamic importers get here for a movable buffer. */
	if (map_pins(buf)) {
		err = buf->ops->pin(attach);
		if (err)
			return ERR_PTR(err);
	}
	sgt = exporter_map(attach, dir);
	if (IS_ERR(sgt)) {
		if (map_pins(buf))
			buf->ops->unpin(attach);
		return sgt;
	}
	if (buf->ops->cache_sgt_mapping) {
		attach->sgt = sgt;
		attach->dir = dir;
	}
	return sgt;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_map_attachment, DMA_BUF);

/**
 * dma_buf_unmap_attachment - give back a mapping
 * @attach: the attachment
 * @sgt: the mapping from dma_buf_map_attachment()
 * @dir: the direction it was mapped for
 *
 * A cached mapping stays until dma_buf_detach(); any other is handed back
 * to the exporter.
 *
 * Context: as dma_buf_map_attachment().
 */
void dma_buf_unmap_attachment(struct dma_buf_attachment *attach,
			      struct sg_table *sgt,
			      enum dma_data_direction dir)
{
	struct dma_buf *buf;

	might_sleep();
	if (WARN_ON(!attach || !attach->dmabuf || !sgt))
		return;
	buf = attach->dmabuf;
	if (dma_buf_attachment_is_dynamic(attach))
		dma_resv_assert_held(buf->resv);
	if (attach->sgt == sgt)
		return;

	exporter_unmap(attach, sgt, dir);
	if (map_pins(buf))
		buf->ops->unpin(attach);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_unmap_attachment, DMA_BUF);

/**
 * dma_buf_map_attachment_unlocked - map, for callers not holding the lock
 * @attach: the attachment
 * @dir: the direction of the device's access
 *
 * dma_buf_map_attachment() with the reservation lock taken around it when
 * the importer is dynamic.
 *
 * Context: process context, may sleep; the reservation lock not held.
 * Return: as dma_buf_map_attachment().
 */
struct sg_table *
dma_buf_map_attachment_unlocked(struct dma_buf_attachment *attach,
				enum dma_data_direction dir)
{
	bool lock = attach && dma_buf_attachment_is_dynamic(attach);
	struct sg_table *sgt;

	might_sleep();
	if (lock)
		dma_resv_lock(attach->dmabuf->resv, NULL);
	sgt = dma_buf_map_attachment(attach, dir);
	if (lock)
		dma_resv_unlock(attach->dmabuf->resv);
	return sgt;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_map_attachment_unlocked, DMA_BUF);

/**
 * dma_buf_unmap_attachment_unlocked - unmap, for callers not holding the lock
 * @attach: the attachment
 * @sgt: the mapping
 * @dir: the direction it was mapped for
 *
 * Context: process context, may sleep; the reservation lock not held.
 */
void dma_buf_unmap_attachment_unlocked(struct dma_buf_attachment *attach,
				       struct sg_table *sgt,
				       enum dma_data_direction dir)
{
	bool lock = attach && dma_buf_attachment_is_dynamic(attach);

	might_sleep();
	if (lock)
		dma_resv_lock(attach->dmabuf->resv, NULL);
	dma_buf_unmap_attachment(attach, sgt, dir);
	if (lock)
		dma_resv_unlock(attach->dmabuf->resv);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_unmap_attachment_unlocked, DMA_BUF);

/**
 * dma_buf_move_notify - tell the dynamic importers the buffer moves
 * @buf: the buffer
 *
 * Called by a dynamic exporter before it moves the buffer; every dynamic
 * importer's &dma_buf_attach_ops.move_notify is called so it drops its
 * mappings.  Static importers hold a pin and are not told.
 *
 * Context: the reservation lock of the buffer held.
 */
void dma_buf_move_notify(struct dma_buf *buf)
{
	struct dma_buf_attachment *attach;

	dma_resv_assert_held(buf->resv);
	list_for_each_entry(attach, &buf->attachments, node)
		if (attach->importer_ops)
			attach->importer_ops->move_notify(attach);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_move_notify, DMA_BUF);

static bool writes(enum dma_data_direction dir)
{
	return dir == DMA_TO_DEVICE || dir == DMA_BIDIRECTIONAL;
}

/**
 * dma_buf_begin_cpu_access - start a CPU access to a buffer
 * @buf: the buffer
 * @dir: DMA_FROM_DEVICE for a CPU read, DMA_TO_DEVICE for a write,
 *	DMA_BIDIRECTIONAL for both
 *
 * Waits, interruptibly, for the devices that must finish first: the
 * writers before a CPU read, every reader and writer before a CPU write.
 * Then the exporter's &dma_buf_ops.begin_cpu_access makes the memory
 * coherent for the CPU, after the devices are done with it.
 *
 * Context: process context, may sleep; no reservation lock held.
 * Return: 0, -ERESTARTSYS when a signal interrupted the wait, -EINVAL for
 * a NULL buffer, or the exporter's error.
 */
int dma_buf_begin_cpu_access(struct dma_buf *buf,
			     enum dma_data_direction dir)
{
	long ret;

	if (WARN_ON(!buf))
		return -EINVAL;
	ret = dma_resv_wait_timeout(buf->resv, dma_resv_usage_rw(writes(dir)),
				    true, MAX_SCHEDULE_TIMEOUT);
	if (ret < 0)
		return ret;
	if (buf->ops->begin_cpu_access)
		return buf->ops->begin_cpu_access(buf, dir);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_begin_cpu_access, DMA_BUF);

/**
 * dma_buf_end_cpu_access - end a CPU access to a buffer
 * @buf: the buffer
 * @dir: the direction given to dma_buf_begin_cpu_access()
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL for a NULL buffer, or the exporter's error.
 */
int dma_buf_end_cpu_access(struct dma_buf *buf,
			   enum dma_data_direction dir)
{
	if (WARN_ON(!buf))
		return -EINVAL;
	if (buf->ops->end_cpu_access)
		return buf->ops->end_cpu_access(buf, dir);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_end_cpu_access, DMA_BUF);

/**
 * dma_buf_mmap - map a buffer into a VMA set up by someone else
 * @buf: the buffer
 * @vma: the VMA, for instance of a driver's own device file
 * @pgoff: the page of the buffer the VMA starts at
 *
 * For drivers that let userspace map an imported buffer through their own
 * fd: the VMA is switched over to the buffer's file and the exporter maps
 * it.
 *
 * Context: mmap_lock held for writing, as in any ->mmap().
 * Return: 0; -EINVAL when the exporter cannot mmap or the range does not
 * fit in the buffer; -EOVERFLOW when @pgoff plus the VMA's length wraps;
 * or the exporter's error.
 */
int dma_buf_mmap(struct dma_buf *buf, struct vm_area_struct *vma,
		 unsigned long pgoff)
{
	unsigned long pages;

	if (WARN_ON(!buf || !vma))
		return -EINVAL;
	if (!buf->ops->mmap)
		return -EINVAL;
	pages = vma_pages(vma);
	if (pgoff + pages < pgoff)
		return -EOVERFLOW;
	if (pgoff + pages > buf->size >> PAGE_SHIFT)
		return -EINVAL;

	vma_set_file(vma, buf->file);
	vma->vm_pgoff = pgoff;
	return buf->ops->mmap(buf, vma);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_mmap, DMA_BUF);

/**
 * dma_buf_vmap - map a buffer into kernel address space
 * @buf: the buffer
 * @map: filled with the mapping's address
 *
 * The mapping is shared and counted: the first call asks the exporter,
 * later ones return the same address, and the exporter's vunmap runs
 * when the last dma_buf_vunmap() balances them.
 *
 * Context: process context, may sleep; takes &dma_buf.lock.
 * Return: 0; -EINVAL for a NULL buffer or an exporter without vmap; or the
 * exporter's error.  On error @map is cleared.
 */
int dma_buf_vmap(struct dma_buf *buf, struct iosys_map *map)
{
	int err = 0;

	iosys_map_clear(map);
	if (WARN_ON(!buf))
		return -EINVAL;
	if (!buf->ops->vmap)
		return -EINVAL;

	mutex_lock(&buf->lock);
	if (!buf->vmapping_counter) {
		/* Clear while unmapped: the exporter fills it in place. */
		err = buf->ops->vmap(buf, &buf->vmap_ptr);
		if (!err && WARN_ON(iosys_map_is_null(&buf->vmap_ptr)))
			err = -EINVAL;
		if (err) {
			iosys_map_clear(&buf->vmap_ptr);
			goto out;
		}
	}
	buf->vmapping_counter++;
	*map = buf->vmap_ptr;
out:
	mutex_unlock(&buf->lock);
	return err;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_vmap, DMA_BUF);

/**
 * dma_buf_vunmap - drop a kernel mapping
 * @buf: the buffer
 * @map: the mapping dma_buf_vmap() gave
 *
 * An unbalanced call, or one with another address, is a bug; it is
 * reported and ignored.
 *
 * Context: process context, may sleep; takes &dma_buf.lock.
 */
void dma_buf_vunmap(struct dma_buf *buf, struct iosys_map *map)
{
	if (WARN_ON(!buf))
		return;

	mutex_lock(&buf->lock);
	if (WARN_ON(!buf->vmapping_counter ||
		    !iosys_map_is_equal(&buf->vmap_ptr, map)))
		goto out;
	if (--buf->vmapping_counter)
		goto out;
	if (buf->ops->vunmap)
		buf->ops->vunmap(buf, map);
	iosys_map_clear(&buf->vmap_ptr);
out:
	mutex_unlock(&buf->lock);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_vunmap, DMA_BUF);

/*
 * poll(): EPOLLIN once the writers are done, EPOLLOUT once every reader
 * and writer is done.  A poller walks the fences of the event without any
 * lock first; when none is pending the event is ready and the poller
 * leaves the callback alone, so that polling an idle buffer touches no
 * shared state.  Otherwise one poller at a time claims the callback
 * (&dma_buf.cb_in, &dma_buf.cb_out) by setting its ->active, read and
 * written under the poll wait queue's lock, and arms it on the first fence
 * still pending, walking on past those that signal meanwhile.  A poller
 * that finds the callback claimed reports the event as not ready and
 * sleeps on the queue, where it already is.  So whoever ends a claim wakes
 * the queue: the callback when its fence signals, or the claiming poller
 * itself when the rest of its walk found nothing to wait for.  Woken
 * pollers poll again and see fences added or replaced meanwhile.  A claim
 * holds a reference on the file, so the buffer outlives it, and an armed
 * callback one on its fence, which the buffer may drop before it signals.
 */

/*
 * Ends a claim: from the fence's signaling, or with no fence at all.  The
 * claim is cleared before the pollers are woken: a woken poller reads it
 * without the lock (poll_ready()), and must find it ended.
 */
static void dma_buf_poll_cb(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	struct dma_buf_poll_cb_t *pcb = container_of(cb, typeof(*pcb), cb);
	wait_queue_head_t *wq = pcb->poll;
	struct file *file = container_of(wq, struct dma_buf, poll)->file;
	unsigned long irqflags;
	__poll_t event;

	spin_lock_irqsave(&wq->lock, irqflags);
	event = pcb->active;
	WRITE_ONCE(pcb->active, 0);
	wake_up_locked_poll(wq, event);
	spin_unlock_irqrestore(&wq->lock, irqflags);
	dma_fence_put(fence);
	fput(file);
}

/* Claim @dcb for @event; false if another poller holds it. */
static bool poll_claim(struct dma_buf *buf, struct dma_buf_poll_cb_t *dcb,
		       __poll_t event)
{
	spin_lock_irq(&buf->poll.lock);
	if (dcb->active) {
		spin_unlock_irq(&buf->poll.lock);
		return false;
	}
	WRITE_ONCE(dcb->active, event);
	spin_unlock_irq(&buf->poll.lock);
	get_file(buf->file);
	return true;
}

/* Is @event ready?  If not, make sure a callback will tell the pollers. */
static bool poll_ready(struct dma_buf *buf, struct dma_buf_poll_cb_t *dcb,
		       __poll_t event, enum dma_resv_usage usage)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	bool claimed = false;
	bool ready = true;

	/*
	 * An event another poller holds the claim of is not ready until
	 * that claim ends, whatever the fences say now: the end of the claim
	 * wakes this poller, and is visible before the wake-up.  Read without
	 * the lock: a claim taken or ended just after the read gives the
	 * answer this poller would have got coming a moment earlier or
	 * later, and either is correct.
	 */
	if (READ_ONCE(dcb->active))
		return false;

	dma_resv_iter_begin(&cursor, buf->resv, usage);
	dma_resv_for_each_fence_unlocked(&cursor, fence) {
		if (!claimed) {
			if (!poll_claim(buf, dcb, event)) {
				ready = false;
				break;
			}
			claimed = true;
		}
		/* The callback owns this reference and drops it. */
		dma_fence_get(fence);
		if (!dma_fence_add_callback(fence, &dcb->cb, dma_buf_poll_cb)) {
			ready = false;
			break;
		}
		dma_fence_put(fence);
	}
	dma_resv_iter_end(&cursor);

	/* Claimed, yet nothing to wait for: wake those who deferred to us. */
	if (claimed && ready)
		dma_buf_poll_cb(NULL, &dcb->cb);
	return ready;
}

static __poll_t dma_buf_poll(struct file *file, poll_table *wait)
{
	struct dma_buf *buf = file->private_data;
	__poll_t events = poll_requested_events(wait) & (EPOLLIN | EPOLLOUT);

	poll_wait(file, &buf->poll, wait);
	if (!events)
		return 0;

	/*
	 * The fences EPOLLIN waits for are among those EPOLLOUT waits for:
	 * when EPOLLOUT is ready, so is EPOLLIN, with no second walk.
	 */
	if ((events & EPOLLOUT) &&
	    poll_ready(buf, &buf->cb_out, EPOLLOUT, dma_resv_usage_rw(true)))
		return READ_ONCE(buf->cb_in.active) ? EPOLLOUT : events;
	if ((events & EPOLLIN) &&
	    poll_ready(buf, &buf->cb_in, EPOLLIN, dma_resv_usage_rw(false)))
		return EPOLLIN;
	return 0;
}

/**
 * dma_buf_sync - the work of DMA_BUF_IOCTL_SYNC
 * @buf: the buffer
 * @flags: &dma_buf_sync.flags
 *
 * Return: 0; -EINVAL for unknown flag bits or no direction; otherwise as
 * dma_buf_begin_cpu_access() or dma_buf_end_cpu_access().
 */
int dma_buf_sync(struct dma_buf *buf, u64 flags)
{
	enum dma_data_direction dir;

	if (flags & ~DMA_BUF_SYNC_VALID_FLAGS_MASK)
		return -EINVAL;
	switch (flags & DMA_BUF_SYNC_RW) {
	case DMA_BUF_SYNC_READ:
		dir = DMA_FROM_DEVICE;
		break;
	case DMA_BUF_SYNC_WRITE:
		dir = DMA_TO_DEVICE;
		break;
	case DMA_BUF_SYNC_RW:
		dir = DMA_BIDIRECTIONAL;
		break;
	default:
		return -EINVAL;
	}
	if (flags & DMA_BUF_SYNC_END)
		return dma_buf_end_cpu_access(buf, dir);
	return dma_buf_begin_cpu_access(buf, dir);
}
EXPORT_SYMBOL_IF_KUNIT(dma_buf_sync);

/**
 * dma_buf_set_name - the work of DMA_BUF_SET_NAME
 * @buf: the buffer
 * @name: the new name, allocated with kmalloc(); the buffer owns it now
 *
 * Only &dma_buf.name_lock is taken, so renaming never waits for the
 * reservation lock and cannot be interrupted.
 */
void dma_buf_set_name(struct dma_buf *buf, char *name)
{
	const char *old;

	spin_lock(&buf->name_lock);
	old = buf->name;
	buf->name = name;
	spin_unlock(&buf->name_lock);
	kfree(old);
}
EXPORT_SYMBOL_IF_KUNIT(dma_buf_set_name);

/* Sync-file ioctl flags: DMA_BUF_SYNC_READ, _WRITE or both; nothing else. */
static bool sync_flags_valid(u32 flags)
{
	return (flags & DMA_BUF_SYNC_RW) && !(flags & ~DMA_BUF_SYNC_RW);
}

/**
 * dma_buf_export_fence - the fence DMA_BUF_IOCTL_EXPORT_SYNC_FILE hands out
 * @buf: the buffer
 * @flags: &dma_buf_export_sync_file.flags
 * @fence: set to one fence for what a reader (DMA_BUF_SYNC_READ) or a
 *	writer (DMA_BUF_SYNC_WRITE) must wait for: the buffer's fences of
 *	that usage combined, or a signaled stub when there are none
 *
 * Return: 0; -EINVAL for bad flags; -ENOMEM.
 */
int dma_buf_export_fence(struct dma_buf *buf, u32 flags,
			 struct dma_fence **fence)
{
	int err;

	if (!sync_flags_valid(flags))
		return -EINVAL;
	err = dma_resv_get_singleton(buf->resv,
				     dma_resv_usage_rw(flags & DMA_BUF_SYNC_WRITE),
				     fence);
	if (err)
		return err;
	if (!*fence)
		*fence = dma_fence_get_stub();
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(dma_buf_export_fence);

/**
 * dma_buf_import_fence - the work of DMA_BUF_IOCTL_IMPORT_SYNC_FILE
 * @buf: the buffer
 * @flags: &dma_buf_import_sync_file.flags
 * @fence: the fence to add, possibly a container; the caller keeps its
 *	reference
 *
 * Each fence inside @fence is added to the buffer's reservation object,
 * as a writer when @flags has DMA_BUF_SYNC_WRITE, else as a reader.  The
 * reservation lock is waited for without regard to signals, and not
 * taken at all when @fence holds no fence.
 *
 * Return: 0; -EINVAL for bad flags; -ENOMEM.
 */
int dma_buf_import_fence(struct dma_buf *buf, u32 flags,
			 struct dma_fence *fence)
{
	struct dma_fence_unwrap iter;
	enum dma_resv_usage usage;
	struct dma_fence *f;
	unsigned int count = 0;
	int err;

	if (!sync_flags_valid(flags))
		return -EINVAL;
	usage = (flags & DMA_BUF_SYNC_WRITE) ? DMA_RESV_USAGE_WRITE :
					       DMA_RESV_USAGE_READ;
	dma_fence_unwrap_for_each(f, &iter, fence)
		count++;
	if (!count)
		return 0;

	dma_resv_lock(buf->resv, NULL);
	err = dma_resv_reserve_fences(buf->resv, count);
	if (!err)
		dma_fence_unwrap_for_each(f, &iter, fence)
			dma_resv_add_fence(buf->resv, f, usage);
	dma_resv_unlock(buf->resv);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(dma_buf_import_fence);

#if IS_ENABLED(CONFIG_SYNC_FILE)
static long export_sync_file_ioctl(struct dma_buf *buf, void __user *uarg)
{
	struct dma_buf_export_sync_file arg;
	struct dma_fence *fence;
	int err;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	err = dma_buf_export_fence(buf, arg.flags, &fence);
	if (err)
		return err;
	/* The descriptor is reserved once the file is made. */
	return sync_file_publish(fence, NULL, -1, &arg.fd, uarg, &arg,
				 sizeof(arg));
}

static long import_sync_file_ioctl(struct dma_buf *buf, void __user *uarg)
{
	struct dma_buf_import_sync_file arg;
	struct dma_fence *fence;
	int err;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	/* Bad flags are reported before a bad fd. */
	if (!sync_flags_valid(arg.flags))
		return -EINVAL;
	fence = sync_file_get_fence(arg.fd);
	if (!fence)
		return -EINVAL;
	err = dma_buf_import_fence(buf, arg.flags, fence);
	dma_fence_put(fence);
	return err;
}
#endif

static long set_name_ioctl(struct dma_buf *buf, const char __user *uname)
{
	char *name = strndup_user(uname, DMA_BUF_NAME_LEN);

	if (IS_ERR(name))
		return PTR_ERR(name);
	dma_buf_set_name(buf, name);
	return 0;
}

static long dma_buf_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct dma_buf *buf = file->private_data;
	void __user *uarg = (void __user *)arg;
	struct dma_buf_sync sync;

	switch (cmd) {
	case DMA_BUF_IOCTL_SYNC:
		if (copy_from_user(&sync, uarg, sizeof(sync)))
			return -EFAULT;
		return dma_buf_sync(buf, sync.flags);
	case DMA_BUF_SET_NAME_A:
	case DMA_BUF_SET_NAME_B:
		return set_name_ioctl(buf, uarg);
#if IS_ENABLED(CONFIG_SYNC_FILE)
	case DMA_BUF_IOCTL_EXPORT_SYNC_FILE:
		return export_sync_file_ioctl(buf, uarg);
	case DMA_BUF_IOCTL_IMPORT_SYNC_FILE:
		return import_sync_file_ioctl(buf, uarg);
#endif
	default:
		return -ENOTTY;
	}
}

static int bufinfo_show_one(struct seq_file *s, struct dma_buf *buf)
{
	struct dma_buf_attachment *attach;
	unsigned int devices = 0;
	int err;

	err = dma_resv_lock_interruptible(buf->resv, NULL);
	if (err)
		return err;
	spin_lock(&buf->name_lock);
	seq_printf(s, "%08zu\t%08x\t%08x\t%08ld\t%s\t%08lu\t%s\n",
		   buf->size, buf->file->f_flags, buf->file->f_mode,
		   file_count(buf->file), buf->exp_name,
		   file_inode(buf->file)->i_ino,
		   buf->name ?: "<none>");
	spin_unlock(&buf->name_lock);
	dma_resv_describe(buf->resv, s);

	seq_puts(s, "\tAttached Devices:\n");
	list_for_each_entry(attach, &buf->attachments, node) {
		seq_printf(s, "\t%s\n", dev_name(attach->dev));
		devices++;
	}
	seq_printf(s, "Total %u devices attached\n\n", devices);
	dma_resv_unlock(buf->resv);
	return 0;
}

/**
 * dma_buf_bufinfo_show - what debugfs dma_buf/bufinfo prints
 * @s: the seq_file
 * @unused: unused
 *
 * One block per buffer (its numbers, its fences, its attached devices),
 * then the totals.
 *
 * Return: 0, or -EINTR when interrupted while waiting for a lock.
 */
int dma_buf_bufinfo_show(struct seq_file *s, void *unused)
{
	struct dma_buf *buf;
	unsigned int count = 0;
	size_t bytes = 0;
	int err;

	err = mutex_lock_interruptible(&buffers_lock);
	if (err)
		return err;
	seq_printf(s, "\nDma-buf Objects:\n%-8s\t%-8s\t%-8s\t%-8s\texp_name\t%-8s\tname\n",
		   "size", "flags", "mode", "count", "ino");
	list_for_each_entry(buf, &buffers, list_node) {
		err = bufinfo_show_one(s, buf);
		if (err)
			break;
		count++;
		bytes += buf->size;
	}
	if (!err)
		seq_printf(s, "\nTotal %u objects, %zu bytes\n", count, bytes);
	mutex_unlock(&buffers_lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(dma_buf_bufinfo_show);

static int bufinfo_open(struct inode *inode, struct file *file)
{
	return single_open(file, dma_buf_bufinfo_show, NULL);
}

static const struct file_operations bufinfo_fops = {
	.owner = THIS_MODULE,
	.open = bufinfo_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

static void dma_buf_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("dma_buf", NULL);

	debugfs_create_file("bufinfo", 0444, dir, NULL, &bufinfo_fops);
	dma_fence_debugfs_init(dir);
}

#ifdef CONFIG_DMA_FENCE_DEBUG
/* Does @buf hold @fence, directly or inside a container?  Lock-free. */
static bool buf_holds(struct dma_buf *buf, struct dma_fence *fence)
{
	struct dma_resv_iter cursor;
	struct dma_fence *held;
	bool holds = false;

	dma_resv_iter_begin(&cursor, buf->resv, DMA_RESV_USAGE_BOOKKEEP);
	dma_resv_for_each_fence_unlocked(&cursor, held) {
		holds = dma_fence_holds(held, fence);
		if (holds)
			break;
	}
	dma_resv_iter_end(&cursor);
	return holds;
}

/**
 * dma_buf_describe_holders - name the buffers holding a fence
 * @text: the fence's description
 * @fence: the fence, referenced by the caller
 *
 * One item per buffer whose reservation object holds @fence.  The
 * reservation objects are read lock-free: their locks may be held by
 * whoever waits for @fence.  Without @text.may_block, a contended list
 * of buffers is reported as such instead of waited for.
 */
void dma_buf_describe_holders(struct dma_fence_text *text,
			      struct dma_fence *fence)
{
	struct dma_buf *buf;

	if (!dma_fence_text_lock(text, &buffers_lock, "dma-buf"))
		return;
	list_for_each_entry(buf, &buffers, list_node) {
		if (!buf_holds(buf, fence))
			continue;
		spin_lock(&buf->name_lock);
		dma_fence_text_add(text, "dma-buf %lu exporter %s name %s",
				   file_inode(buf->file)->i_ino,
				   buf->exp_name, buf->name ?: "<none>");
		spin_unlock(&buf->name_lock);
	}
	mutex_unlock(&buffers_lock);
}
#endif

static const struct file_operations dma_buf_fops = {
	.release = dma_buf_file_release,
	.llseek = dma_buf_llseek,
	.show_fdinfo = dma_buf_show_fdinfo,
	.mmap = dma_buf_mmap_file,
	.poll = dma_buf_poll,
	.unlocked_ioctl = dma_buf_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static int __init dma_buf_init(void)
{
	int err = dma_buf_init_sysfs_statistics();

	if (err)
		return err;
	dma_buf_mnt = kern_mount(&buffers_fs);
	if (IS_ERR(dma_buf_mnt))
		return PTR_ERR(dma_buf_mnt);
	dma_buf_debugfs_init();
	return 0;
}
subsys_initcall(dma_buf_init);
