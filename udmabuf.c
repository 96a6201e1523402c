// SPDX-License-Identifier: GPL-2.0-only
/*
 * udmabuf: dma-bufs made of memfd pages.
 *
 * /dev/udmabuf takes one or more page-aligned ranges of memfds (shmem, or
 * hugetlbfs with MFD_HUGETLB) and returns a dma-buf whose pages are
 * exactly those of the file, in the order the ranges were given.  The
 * buffer pins every page with its own reference for as long as it exists,
 * so writes through the memfd and through the dma-buf (its mmap, a device)
 * meet in the same memory.  There is no kernel mapping (vmap).
 * The memfd must be sealed against shrinking, so that the pages stay part
 * of the file, and must not be sealed against writing, since a dma-buf is
 * a way to write to it.  A hugetlbfs range may start at any base page of a
 * huge page, and the huge pages it covers must be in the file already.
 *
 * Locking: the page array is fixed at creation and read without a lock.
 * The only mutable state is the scatter table used to sync CPU access
 * against the misc device, made on the first begin_cpu_access; it lives
 * under the buffer's cpu_lock.
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/hugetlb.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/memfd.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/scatterlist.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/udmabuf.h>

static int list_limit = 1024;
module_param(list_limit, int, 0644);
MODULE_PARM_DESC(list_limit, "most ranges in one UDMABUF_CREATE_LIST (default 1024)");

static int size_limit_mb = 64;
module_param(size_limit_mb, int, 0644);
MODULE_PARM_DESC(size_limit_mb, "largest buffer in MiB (default 64)");

/**
 * struct udmabuf - the exporter's side of one buffer
 * @pagecount: number of pages; fixed at creation.
 * @pages: the pinned memfd pages, one reference each; fixed at creation,
 *	read without a lock, released with the buffer.
 * @huge: some of @pages are base pages of hugetlbfs pages; fixed at
 *	creation.
 * @cpu_lock: serialises begin/end_cpu_access on @cpu_sgt.
 * @cpu_sgt: the pages mapped for the misc device, made on the first
 *	begin_cpu_access and used to sync CPU access; protected by @cpu_lock.
 */
struct udmabuf {
	pgoff_t pagecount;
	struct page **pages;
	bool huge;
	struct mutex cpu_lock;		/* serialises CPU syncs */
	struct sg_table *cpu_sgt;
};

static struct miscdevice udmabuf_misc;

static vm_fault_t udmabuf_fault(struct vm_fault *vmf)
{
	struct udmabuf *ubuf = vmf->vma->vm_private_data;
	struct page *page;

	/* vmf->pgoff already includes the mapping's offset into the buffer. */
	if (vmf->pgoff >= ubuf->pagecount)
		return VM_FAULT_SIGBUS;
	page = ubuf->pages[vmf->pgoff];
	if (ubuf->huge)
		return vmf_insert_pfn(vmf->vma, vmf->address,
				      page_to_pfn(page));
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct udmabuf_vm_ops = {
	.fault = udmabuf_fault,
};

/*
 * Base pages of a hugetlbfs page are mapped by their page frame numbers,
 * without touching their struct pages: the rmap code takes any
 * page of a hugetlbfs page for one mapped whole by a PMD, and unmapping a
 * base page mapped with a PTE would decrement the mapcount kept in the
 * struct page after it (corrupting the next huge page's list links when
 * it is the last base page).  Such mappings cannot grow (mremap() fails
 * with EFAULT) and are no target for get_user_pages(); other buffers hand
 * the fault the struct page, with a reference of its own.
 */
static int udmabuf_mmap(struct dma_buf *buf, struct vm_area_struct *vma)
{
	struct udmabuf *ubuf = buf->priv;

	/* A private copy of shared pages would silently stop sharing. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (ubuf->huge)
		vma->vm_flags |= VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_ops = &udmabuf_vm_ops;
	vma->vm_private_data = ubuf;
	return 0;
}

/* The pages as a scatter table mapped for @dev, or an ERR_PTR. */
static struct sg_table *map_pages(struct udmabuf *ubuf, struct device *dev,
				  enum dma_data_direction dir)
{
	struct sg_table *sgt;
	int err;

	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	/* Merge neighbouring pages only as far as the device can take. */
	err = sg_alloc_table_from_pages_segment(sgt, ubuf->pages,
						ubuf->pagecount, 0,
						ubuf->pagecount << PAGE_SHIFT,
						dma_get_max_seg_size(dev),
						GFP_KERNEL);
	if (err)
		goto err_free;
	err = dma_map_sgtable(dev, sgt, dir, 0);
	if (err)
		goto err_table;
	return sgt;

err_table:
	sg_free_table(sgt);
err_free:
	kfree(sgt);
	return ERR_PTR(err);
}

static void unmap_pages(struct device *dev, struct sg_table *sgt,
			enum dma_data_direction dir)
{
	dma_unmap_sgtable(dev, sgt, dir, 0);
	sg_free_table(sgt);
	kfree(sgt);
}

static struct sg_table *udmabuf_map_dma_buf(struct dma_buf_attachment *attach,
					    enum dma_data_direction dir)
{
	return map_pages(attach->dmabuf->priv, attach->dev, dir);
}

static void udmabuf_unmap_dma_buf(struct dma_buf_attachment *attach,
				  struct sg_table *sgt,
				  enum dma_data_direction dir)
{
	unmap_pages(attach->dev, sgt, dir);
}

static int udmabuf_begin_cpu_access(struct dma_buf *buf,
				    enum dma_data_direction dir)
{
	struct udmabuf *ubuf = buf->priv;
	struct device *dev = udmabuf_misc.this_device;
	struct sg_table *sgt;
	int err = 0;

	mutex_lock(&ubuf->cpu_lock);
	if (!ubuf->cpu_sgt) {
		/* Both ways, so that any later direction may be synced. */
		sgt = map_pages(ubuf, dev, DMA_BIDIRECTIONAL);
		if (IS_ERR(sgt)) {
			err = PTR_ERR(sgt);
			goto out;
		}
		ubuf->cpu_sgt = sgt;
	}
	dma_sync_sgtable_for_cpu(dev, ubuf->cpu_sgt, dir);
out:
	mutex_unlock(&ubuf->cpu_lock);
	return err;
}

static int udmabuf_end_cpu_access(struct dma_buf *buf,
				  enum dma_data_direction dir)
{
	struct udmabuf *ubuf = buf->priv;
	int err = 0;

	mutex_lock(&ubuf->cpu_lock);
	if (ubuf->cpu_sgt)
		dma_sync_sgtable_for_device(udmabuf_misc.this_device,
					    ubuf->cpu_sgt, dir);
	else
		err = -EINVAL;	/* ended an access that never began */
	mutex_unlock(&ubuf->cpu_lock);
	return err;
}

static void put_pages(struct page **pages, pgoff_t count)
{
	while (count--)
		put_page(pages[count]);
}

static void udmabuf_free(struct udmabuf *ubuf)
{
	if (ubuf->cpu_sgt)
		unmap_pages(udmabuf_misc.this_device, ubuf->cpu_sgt,
			    DMA_BIDIRECTIONAL);
	put_pages(ubuf->pages, ubuf->pagecount);
	mutex_destroy(&ubuf->cpu_lock);
	kvfree(ubuf->pages);
	kfree(ubuf);
}

static void udmabuf_release(struct dma_buf *buf)
{
	udmabuf_free(buf->priv);
}

static const struct dma_buf_ops udmabuf_ops = {
	.cache_sgt_mapping = true,
	.map_dma_buf = udmabuf_map_dma_buf,
	.unmap_dma_buf = udmabuf_unmap_dma_buf,
	.release = udmabuf_release,
	.mmap = udmabuf_mmap,
	.begin_cpu_access = udmabuf_begin_cpu_access,
	.end_cpu_access = udmabuf_end_cpu_access,
};

/*
 * The pages of a hugetlbfs range, @count of them from byte @offset, into
 * @pages.  The huge pages must already be in the file: the buffer takes
 * the file's pages and never allocates any.  Each base page gets its own
 * reference, which the huge page counts.
 */
static int pin_huge_range(struct file *memfd, u64 offset, pgoff_t count,
			  struct page **pages)
{
	struct hstate *h = hstate_file(memfd);
	pgoff_t per_huge = pages_per_huge_page(h);
	/* The page cache of hugetlbfs is indexed in huge pages. */
	pgoff_t index = offset >> huge_page_shift(h);
	pgoff_t sub = (offset & ~huge_page_mask(h)) >> PAGE_SHIFT;
	struct page *head = NULL;
	pgoff_t i;

	for (i = 0; i < count; i++) {
		if (!head) {
			head = find_get_page_flags(memfd->f_mapping, index,
						   FGP_ACCESSED);
			if (!head)
				goto err;
		}
		pages[i] = head + sub;
		get_page(pages[i]);
		if (++sub == per_huge) {
			put_page(head);
			head = NULL;
			sub = 0;
			index++;
		}
	}
	if (head)
		put_page(head);
	return 0;

err:
	put_pages(pages, i);
	return -EINVAL;
}

/* The pages of a shmem range, read in where the file has a hole. */
static int pin_shmem_range(struct file *memfd, u64 offset, pgoff_t count,
			   struct page **pages)
{
	pgoff_t first = offset >> PAGE_SHIFT;
	struct page *page;
	pgoff_t i;

	for (i = 0; i < count; i++) {
		/* Past the end of the file this fails with -EINVAL. */
		page = shmem_read_mapping_page(memfd->f_mapping, first + i);
		if (IS_ERR(page)) {
			put_pages(pages, i);
			return PTR_ERR(page);
		}
		pages[i] = page;
	}
	return 0;
}

/*
 * Takes a reference on each page of one range into @pages, and tells in
 * @huge whether they are hugetlbfs pages.  The fd must be a shmem or
 * hugetlbfs file (-EBADFD otherwise, as for a bad fd) that is sealed
 * against shrinking, so that its pages stay in the file, and not against
 * writing, since the buffer is a way to write to it.
 */
static int pin_item(const struct udmabuf_create_item *item,
		    struct page **pages, bool *huge)
{
	pgoff_t count = item->size >> PAGE_SHIFT;
	unsigned int seals;
	struct file *memfd;
	int err = -EBADFD;

	memfd = fget(item->memfd);
	if (!memfd)
		return -EBADFD;
	if (!shmem_mapping(memfd->f_mapping) && !is_file_hugepages(memfd))
		goto out;
	seals = memfd_file_seals(memfd);
	err = -EINVAL;
	if (!(seals & F_SEAL_SHRINK) || (seals & F_SEAL_WRITE))
		goto out;
	*huge = is_file_hugepages(memfd);
	if (*huge)
		err = pin_huge_range(memfd, item->offset, count, pages);
	else
		err = pin_shmem_range(memfd, item->offset, count, pages);
out:
	fput(memfd);
	return err;
}

/*
 * The pages of every range, in order, into @ubuf.  The geometry of all
 * ranges is checked before any fd is looked at: offsets and sizes must be
 * page-aligned and the total must be at least one page and within
 * size_limit_mb.  A zero-size range adds no page but its fd is still
 * checked.  The first check that fails gives the errno.
 */
static int pin_items(struct udmabuf *ubuf,
		     const struct udmabuf_create_item *items, u32 count)
{
	/* A negative limit (the parameter is signed) reads as a huge one. */
	u64 limit = ((u64)size_limit_mb << 20) >> PAGE_SHIFT;
	u64 total = 0;
	int err;
	u32 i;

	for (i = 0; i < count; i++) {
		if (!PAGE_ALIGNED(items[i].offset) ||
		    !PAGE_ALIGNED(items[i].size))
			return -EINVAL;
		total += items[i].size >> PAGE_SHIFT;
		if (total > limit)
			return -EINVAL;
	}
	if (!total)
		return -EINVAL;

	ubuf->pages = kvmalloc_array(total, sizeof(*ubuf->pages), GFP_KERNEL);
	if (!ubuf->pages)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		pgoff_t n = items[i].size >> PAGE_SHIFT;
		bool huge = false;

		err = pin_item(&items[i], ubuf->pages + ubuf->pagecount, &huge);
		if (err)
			return err;
		ubuf->pagecount += n;
		ubuf->huge |= huge && n;
	}
	return 0;
}

/* Only UDMABUF_FLAGS_CLOEXEC means anything; other bits are ignored. */
static long udmabuf_create(const struct udmabuf_create_item *items, u32 count,
			   u32 flags)
{
	DEFINE_DMA_BUF_EXPORT_INFO(info);
	struct udmabuf *ubuf;
	struct dma_buf *buf;
	int err, fd;

	ubuf = kzalloc(sizeof(*ubuf), GFP_KERNEL);
	if (!ubuf)
		return -ENOMEM;
	mutex_init(&ubuf->cpu_lock);
	err = pin_items(ubuf, items, count);
	if (err)
		goto err_free;

	info.ops = &udmabuf_ops;
	info.size = ubuf->pagecount << PAGE_SHIFT;
	info.flags = O_RDWR;
	info.priv = ubuf;
	buf = dma_buf_export(&info);
	if (IS_ERR(buf)) {
		err = PTR_ERR(buf);
		goto err_free;
	}

	/* The last step: after this the buffer is userspace's. */
	fd = dma_buf_fd(buf, flags & UDMABUF_FLAGS_CLOEXEC ? O_CLOEXEC : 0);
	if (fd < 0)
		dma_buf_put(buf);	/* releases ubuf */
	return fd;

err_free:
	udmabuf_free(ubuf);
	return err;
}

static long ioctl_create(void __user *arg)
{
	struct udmabuf_create create;
	struct udmabuf_create_item item;

	if (copy_from_user(&create, arg, sizeof(create)))
		return -EFAULT;
	item = (struct udmabuf_create_item) {
		.memfd = create.memfd,
		.offset = create.offset,
		.size = create.size,
	};
	return udmabuf_create(&item, 1, create.flags);
}

static long ioctl_create_list(void __user *arg)
{
	struct udmabuf_create_list head;
	struct udmabuf_create_item *items;
	long ret;

	if (copy_from_user(&head, arg, sizeof(head)))
		return -EFAULT;
	/* A count of 0 is refused below, as a list of no pages. */
	if (head.count > (u32)list_limit)
		return -EINVAL;
	items = memdup_user(arg + offsetof(struct udmabuf_create_list, list),
			    array_size(head.count, sizeof(*items)));
	if (IS_ERR(items))
		return PTR_ERR(items);
	ret = udmabuf_create(items, head.count, head.flags);
	kfree(items);
	return ret;
}

static long udmabuf_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	switch (cmd) {
	case UDMABUF_CREATE:
		return ioctl_create((void __user *)arg);
	case UDMABUF_CREATE_LIST:
		return ioctl_create_list((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations udmabuf_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = udmabuf_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice udmabuf_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "udmabuf",
	.fops = &udmabuf_fops,
};

static int __init udmabuf_init(void)
{
	int err;

	err = misc_register(&udmabuf_misc);
	if (err)
		return err;
	/* CPU access is synced against the misc device, which reaches all. */
	err = dma_coerce_mask_and_coherent(udmabuf_misc.this_device,
					   DMA_BIT_MASK(64));
	if (err) {
		misc_deregister(&udmabuf_misc);
		return err;
	}
	return 0;
}

static void __exit udmabuf_exit(void)
{
	misc_deregister(&udmabuf_misc);
}

module_init(udmabuf_init);
module_exit(udmabuf_exit);

MODULE_DESCRIPTION("dma-bufs made of memfd pages");
MODULE_IMPORT_NS(DMA_BUF);
MODULE_LICENSE("GPL");
