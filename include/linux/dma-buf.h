/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Buffers shared between devices, and with userspace as file descriptors.
 *
 * An exporter owns the memory and describes what can be done with it in a
 * struct dma_buf_ops.  dma_buf_export() wraps it in a struct dma_buf backed
 * by an anonymous file on a small pseudo filesystem, so the buffer travels
 * between processes and drivers as an ordinary fd.  Importers attach a
 * device, map the buffer for that device, and synchronise with the other
 * users through the buffer's reservation object.
 */
#ifndef __DMA_BUF_H__
#define __DMA_BUF_H__

#include <linux/iosys-map.h>
#include <linux/file.h>
#include <linux/err.h>
#include <linux/scatterlist.h>
#include <linux/list.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/dma-fence.h>
#include <linux/wait.h>

struct device;
struct dma_buf;
struct dma_buf_attachment;
struct dma_resv;

/**
 * struct dma_buf_ops - what an exporter implements for its buffers
 * @cache_sgt_mapping: keep the first mapping of each attachment and hand
 *	it out again instead of asking @map_dma_buf each time.
 * @attach: optional; check that @attach's device can reach the memory and
 *	set up per-attachment state.  Returns 0, -EBUSY when the buffer can
 *	no longer be moved where the device needs it, or another negative
 *	error.
 * @detach: optional; undo @attach.
 * @pin: makes the exporter dynamic: keep the buffer where it is until
 *	@unpin, so that a static importer's mapping stays valid.  Called
 *	with the reservation lock held.  Exporters provide both @pin and
 *	@unpin or neither.
 * @unpin: release one @pin; reservation lock held.
 * @map_dma_buf: required; return the scatter list of the buffer mapped
 *	for the attachment's device in direction @dir, or an ERR_PTR.  For
 *	dynamic importers the reservation lock is held.  May sleep.
 * @unmap_dma_buf: required; undo @map_dma_buf.
 * @release: required; the last reference is gone, free the backing store.
 * @begin_cpu_access: optional; make the buffer coherent for CPU access
 *	in direction @dir (for instance invalidate caches).  May fail with
 *	-ERESTARTSYS or -EINTR when interrupted.
 * @end_cpu_access: optional; the CPU access started by
 *	@begin_cpu_access is over (for instance flush caches).
 * @mmap: optional; map the buffer into a userspace VMA.  The VMA's
 *	offset has already been checked against the buffer's size.
 * @vmap: optional; map the whole buffer into kernel address space and
 *	describe it in @map.  Called with &dma_buf.lock held; the exporter
 *	may take the reservation lock inside.
 * @vunmap: optional; undo @vmap.
 */
struct dma_buf_ops {
	bool cache_sgt_mapping;
	int (*attach)(struct dma_buf *dmabuf,
		      struct dma_buf_attachment *attach);
	void (*detach)(struct dma_buf *dmabuf,
		       struct dma_buf_attachment *attach);
	int (*pin)(struct dma_buf_attachment *attach);
	void (*unpin)(struct dma_buf_attachment *attach);
	struct sg_table *(*map_dma_buf)(struct dma_buf_attachment *attach,
					enum dma_data_direction dir);
	void (*unmap_dma_buf)(struct dma_buf_attachment *attach,
			      struct sg_table *sgt,
			      enum dma_data_direction dir);
	void (*release)(struct dma_buf *dmabuf);
	int (*begin_cpu_access)(struct dma_buf *dmabuf,
				enum dma_data_direction dir);
	int (*end_cpu_access)(struct dma_buf *dmabuf,
			      enum dma_data_direction dir);
	int (*mmap)(struct dma_buf *dmabuf, struct vm_area_struct *vma);
	int (*vmap)(struct dma_buf *dmabuf, struct iosys_map *map);
	void (*vunmap)(struct dma_buf *dmabuf, struct iosys_map *map);
};

/**
 * struct dma_buf - one shared buffer
 * @size: size in bytes, fixed for the buffer's life.
 * @file: the file that carries the buffer; its reference count is the
 *	buffer's (get_dma_buf(), dma_buf_put()).
 * @attachments: the attached devices, a list of
 *	&dma_buf_attachment.node; protected by the reservation lock.
 * @ops: the exporter's operations.
 * @lock: serialises dma_buf_vmap() and dma_buf_vunmap(); taken outside
 *	the reservation lock, never inside it.  Under lockdep its class is
 *	per exporter (per &dma_buf_ops).
 * @vmapping_counter: how many dma_buf_vmap() calls are outstanding;
 *	protected by @lock.
 * @vmap_ptr: the kernel mapping shared by those calls; protected by @lock.
 * @exp_name: the exporter's name, for debugging and fdinfo.
 * @name: a name userspace gave the buffer with DMA_BUF_SET_NAME, or NULL;
 *	written under @name_lock and read under it.
 * @name_lock: protects @name against readers that cannot sleep.
 * @owner: the exporting module, held while the buffer exists.
 * @list_node: on the list of every buffer, for debugfs.
 * @priv: the exporter's private data.
 * @resv: the reservation object holding the buffer's fences; either the
 *	exporter's or one embedded after this structure.
 * @poll: wait queue of the tasks polling the buffer's fd.
 * @cb_in: fence callback of a poll for reading (EPOLLIN): armed on one
 *	pending writer at a time, holding a reference on it until it runs;
 *	its @active is protected by @poll's lock.
 * @cb_out: fence callback of a poll for writing (EPOLLOUT): the same for
 *	readers and writers.
 * @sysfs_entry: with CONFIG_DMABUF_SYSFS_STATS, the buffer's directory
 *	/sys/kernel/dmabuf/buffers/<inode number>; made at export, before
 *	the buffer is visible, and removed at release.
 *
 * The buffer lives as long as its file.  Importers never free it; they
 * drop their reference with dma_buf_put().
 */
struct dma_buf {
	size_t size;
	struct file *file;
	struct list_head attachments;
	const struct dma_buf_ops *ops;
	struct mutex lock; /* vmap and vunmap */
	unsigned int vmapping_counter;
	struct iosys_map vmap_ptr;
	const char *exp_name;
	const char *name;
	spinlock_t name_lock; /* @name, for readers */
	struct module *owner;
	struct list_head list_node;
	void *priv;
	struct dma_resv *resv;
	wait_queue_head_t poll;

	/* One armed fence callback per direction; see dma_buf_poll(). */
	struct dma_buf_poll_cb_t {
		struct dma_fence_cb cb;	/* on the fence waited for */
		wait_queue_head_t *poll;	/* woken when it fires */
		__poll_t active;	/* events pending, 0 when idle */
	} cb_in, cb_out;
#ifdef CONFIG_DMABUF_SYSFS_STATS
	/* The buffer's sysfs directory; see dma-buf-sysfs-stats.c. */
	struct dma_buf_sysfs_entry {
		struct kobject kobj;	/* buffers/<inode number> */
		struct dma_buf *dmabuf;	/* the buffer it describes */
	} *sysfs_entry;
#endif
};

/**
 * struct dma_buf_attach_ops - what a dynamic importer provides
 * @allow_peer2peer: the importer can handle a mapping whose addresses are
 *	PCI peer-to-peer bus addresses, which have no struct page.
 * @move_notify: the exporter is about to move the buffer: drop mappings
 *	made for this attachment and map again before the next use.  Called
 *	with the reservation lock held.  Required for dynamic importers.
 */
struct dma_buf_attach_ops {
	bool allow_peer2peer;
	void (*move_notify)(struct dma_buf_attachment *attach);
};

/**
 * struct dma_buf_attachment - one device's use of a buffer
 * @dmabuf: the buffer.
 * @dev: the device that imports it.
 * @node: on &dma_buf.attachments.
 * @sgt: the cached mapping when the exporter allows caching, else NULL.
 * @dir: the direction of the cached mapping.
 * @peer2peer: the exporter may hand out peer-to-peer addresses.
 * @importer_ops: the dynamic importer's operations, NULL when static.
 * @importer_priv: the importer's private data.
 * @priv: the exporter's private data.
 */
struct dma_buf_attachment {
	struct dma_buf *dmabuf;
	struct device *dev;
	struct list_head node;
	struct sg_table *sgt;
	enum dma_data_direction dir;
	bool peer2peer;
	const struct dma_buf_attach_ops *importer_ops;
	void *importer_priv;
	void *priv;
};

/**
 * struct dma_buf_export_info - what dma_buf_export() needs to know
 * @exp_name: the exporter's name.
 * @owner: the exporting module.
 * @ops: the buffer's operations.
 * @size: the buffer's size in bytes.
 * @flags: the file flags of the buffer's file (O_RDWR, O_CLOEXEC, ...).
 * @resv: a reservation object to share, or NULL for one of the buffer's own.
 * @priv: the exporter's private data, stored in &dma_buf.priv.
 *
 * Declare it with DEFINE_DMA_BUF_EXPORT_INFO() so that @exp_name and
 * @owner name the calling module.
 */
struct dma_buf_export_info {
	const char *exp_name;
	struct module *owner;
	const struct dma_buf_ops *ops;
	size_t size;
	int flags;
	struct dma_resv *resv;
	void *priv;
};

/**
 * DEFINE_DMA_BUF_EXPORT_INFO - declare a &dma_buf_export_info for this module
 * @name: the variable's name.
 */
#define DEFINE_DMA_BUF_EXPORT_INFO(name) \
	struct dma_buf_export_info name = { \
		.exp_name = KBUILD_MODNAME, .owner = THIS_MODULE }

/**
 * get_dma_buf - take another reference on a buffer
 * @dmabuf: the buffer; the caller already holds a reference.
 *
 * Drop it with dma_buf_put().
 */
static inline void get_dma_buf(struct dma_buf *dmabuf)
{
	get_file(dmabuf->file);
}

/**
 * dma_buf_is_dynamic - does the exporter move buffers?
 * @dmabuf: the buffer.
 *
 * Return: true when the exporter implements pinning, so that mappings of
 * dynamic importers are made under the reservation lock and may be
 * invalidated through move_notify.
 */
static inline bool dma_buf_is_dynamic(struct dma_buf *dmabuf)
{
	return dmabuf->ops->pin;
}

/**
 * dma_buf_attachment_is_dynamic - was the attachment made by a dynamic importer?
 * @attach: the attachment.
 *
 * Return: true when the importer gave &dma_buf_attach_ops.
 */
static inline bool
dma_buf_attachment_is_dynamic(struct dma_buf_attachment *attach)
{
	return attach->importer_ops;
}

struct dma_buf_attachment *dma_buf_attach(struct dma_buf *dmabuf,
					  struct device *dev);
struct dma_buf_attachment *
dma_buf_dynamic_attach(struct dma_buf *dmabuf, struct device *dev,
		       const struct dma_buf_attach_ops *importer_ops,
		       void *importer_priv);
void dma_buf_detach(struct dma_buf *dmabuf,
		    struct dma_buf_attachment *attach);
int dma_buf_pin(struct dma_buf_attachment *attach);
void dma_buf_unpin(struct dma_buf_attachment *attach);

struct dma_buf *dma_buf_export(const struct dma_buf_export_info *exp_info);

int dma_buf_fd(struct dma_buf *dmabuf, int flags);
void dma_buf_fd_install(struct dma_buf *dmabuf, int fd);
struct dma_buf *dma_buf_get(int fd);
void dma_buf_put(struct dma_buf *dmabuf);

struct sg_table *dma_buf_map_attachment(struct dma_buf_attachment *attach,
					enum dma_data_direction dir);
void dma_buf_unmap_attachment(struct dma_buf_attachment *attach,
			      struct sg_table *sgt,
			      enum dma_data_direction dir);
struct sg_table *
dma_buf_map_attachment_unlocked(struct dma_buf_attachment *attach,
				enum dma_data_direction dir);
void dma_buf_unmap_attachment_unlocked(struct dma_buf_attachment *attach,
				       struct sg_table *sgt,
				       enum dma_data_direction dir);
void dma_buf_move_notify(struct dma_buf *dmabuf);
int dma_buf_begin_cpu_access(struct dma_buf *dmabuf,
			     enum dma_data_direction dir);
int dma_buf_end_cpu_access(struct dma_buf *dmabuf,
			   enum dma_data_direction dir);
int dma_buf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma,
		 unsigned long pgoff);
int dma_buf_vmap(struct dma_buf *dmabuf, struct iosys_map *map);
void dma_buf_vunmap(struct dma_buf *dmabuf, struct iosys_map *map);

#endif /* __DMA_BUF_H__ */
