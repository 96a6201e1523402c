// SPDX-License-Identifier: GPL-2.0-only
/*
 * dma-buf operations for heap buffers held in a scatter list of pages.
 *
 * Every attachment gets its own copy of the buffer's scatter list, so
 * that each device's DMA addresses live in its own table.  CPU access
 * brackets sync every attachment that is mapped at the time and keep the
 * kernel mapping coherent.
 */
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "heap-buffer.h"

/**
 * struct heap_attachment - one device's view of a heap buffer
 * @dev: the attached device.
 * @sgt: a copy of the buffer's scatter list, DMA-mapped for @dev while
 *	@mapped.
 * @node: in &heap_buffer.attachments, under &heap_buffer.lock.
 * @mapped: @sgt is mapped; written under &heap_buffer.lock.
 */
struct heap_attachment {
	struct device *dev;
	struct sg_table sgt;
	struct list_head node;
	bool mapped;
};

static int copy_sgt(struct sg_table *to, const struct sg_table *from)
{
	struct scatterlist *dst, *src;
	int err, i;

	err = sg_alloc_table(to, from->orig_nents, GFP_KERNEL);
	if (err)
		return err;
	dst = to->sgl;
	for_each_sgtable_sg(from, src, i) {
		sg_set_page(dst, sg_page(src), src->length, src->offset);
		dst = sg_next(dst);
	}
	return 0;
}

static int heap_buffer_attach(struct dma_buf *dmabuf,
			      struct dma_buf_attachment *attachment)
{
	struct heap_buffer *buf = dmabuf->priv;
	struct heap_attachment *a;
	int err;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	err = copy_sgt(&a->sgt, &buf->sgt);
	if (err) {
		kfree(a);
		return err;
	}
	a->dev = attachment->dev;
	attachment->priv = a;

	mutex_lock(&buf->lock);
	list_add(&a->node, &buf->attachments);
	mutex_unlock(&buf->lock);
	return 0;
}

static void heap_buffer_detach(struct dma_buf *dmabuf,
			       struct dma_buf_attachment *attachment)
{
	struct heap_buffer *buf = dmabuf->priv;
	struct heap_attachment *a = attachment->priv;

	mutex_lock(&buf->lock);
	list_del(&a->node);
	mutex_unlock(&buf->lock);
	sg_free_table(&a->sgt);
	kfree(a);
}

static struct sg_table *heap_buffer_map(struct dma_buf_attachment *attachment,
					enum dma_data_direction dir)
{
	struct heap_buffer *buf = attachment->dmabuf->priv;
	struct heap_attachment *a = attachment->priv;
	int err;

	err = dma_map_sgtable(a->dev, &a->sgt, dir, 0);
	if (err)
		return ERR_PTR(err);
	mutex_lock(&buf->lock);
	a->mapped = true;
	mutex_unlock(&buf->lock);
	return &a->sgt;
}

static void heap_buffer_unmap(struct dma_buf_attachment *attachment,
			      struct sg_table *sgt,
			      enum dma_data_direction dir)
{
	struct heap_buffer *buf = attachment->dmabuf->priv;
	struct heap_attachment *a = attachment->priv;

	mutex_lock(&buf->lock);
	a->mapped = false;
	mutex_unlock(&buf->lock);
	dma_unmap_sgtable(a->dev, sgt, dir, 0);
}

static int heap_buffer_begin_cpu(struct dma_buf *dmabuf,
				 enum dma_data_direction dir)
{
	struct heap_buffer *buf = dmabuf->priv;
	struct heap_attachment *a;

	mutex_lock(&buf->lock);
	if (buf->vmap_count)
		invalidate_kernel_vmap_range(buf->vaddr, buf->len);
	list_for_each_entry(a, &buf->attachments, node)
		if (a->mapped)
			dma_sync_sgtable_for_cpu(a->dev, &a->sgt, dir);
	mutex_unlock(&buf->lock);
	return 0;
}

static int heap_buffer_end_cpu(struct dma_buf *dmabuf,
			       enum dma_data_direction dir)
{
	struct heap_buffer *buf = dmabuf->priv;
	struct heap_attachment *a;

	mutex_lock(&buf->lock);
	if (buf->vmap_count)
		flush_kernel_vmap_range(buf->vaddr, buf->len);
	list_for_each_entry(a, &buf->attachments, node)
		if (a->mapped)
			dma_sync_sgtable_for_device(a->dev, &a->sgt, dir);
	mutex_unlock(&buf->lock);
	return 0;
}

/* Map the pages from vm_pgoff on, one chunk of the scatter list a call. */
static int heap_buffer_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct heap_buffer *buf = dmabuf->priv;
	unsigned long addr = vma->vm_start;
	unsigned long skip = vma->vm_pgoff;
	struct scatterlist *sg;
	int err, i;

	if (buf->shared_mmap_only && !(vma->vm_flags & (VM_SHARED | VM_MAYSHARE)))
		return -EINVAL;

	for_each_sgtable_sg(&buf->sgt, sg, i) {
		unsigned long npages = sg->length >> PAGE_SHIFT;
		unsigned long size;

		if (skip >= npages) {
			skip -= npages;
			continue;
		}
		size = min((npages - skip) << PAGE_SHIFT, vma->vm_end - addr);
		err = remap_pfn_range(vma, addr, page_to_pfn(sg_page(sg)) + skip,
				      size, vma->vm_page_prot);
		if (err)
			return err;
		addr += size;
		skip = 0;
		if (addr >= vma->vm_end)
			break;
	}
	return 0;
}

static void *heap_buffer_vmap_pages(struct heap_buffer *buf)
{
	unsigned long npages = buf->len >> PAGE_SHIFT, n = 0;
	struct sg_page_iter iter;
	struct page **pages;
	void *vaddr;

	pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return ERR_PTR(-ENOMEM);
	for_each_sgtable_page(&buf->sgt, &iter, 0)
		pages[n++] = sg_page_iter_page(&iter);
	vaddr = vmap(pages, n, VM_MAP, PAGE_KERNEL);
	kvfree(pages);
	return vaddr ?: ERR_PTR(-ENOMEM);
}

static int heap_buffer_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct heap_buffer *buf = dmabuf->priv;
	void *vaddr;

	mutex_lock(&buf->lock);
	if (!buf->vmap_count) {
		vaddr = heap_buffer_vmap_pages(buf);
		if (IS_ERR(vaddr)) {
			mutex_unlock(&buf->lock);
			return PTR_ERR(vaddr);
		}
		buf->vaddr = vaddr;
	}
	buf->vmap_count++;
	iosys_map_set_vaddr(map, buf->vaddr);
	mutex_unlock(&buf->lock);
	return 0;
}

static void heap_buffer_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct heap_buffer *buf = dmabuf->priv;

	mutex_lock(&buf->lock);
	if (!WARN_ON(!buf->vmap_count) && !--buf->vmap_count) {
		vunmap(buf->vaddr);
		buf->vaddr = NULL;
	}
	mutex_unlock(&buf->lock);
	iosys_map_clear(map);
}

static void heap_buffer_release(struct dma_buf *dmabuf)
{
	struct heap_buffer *buf = dmabuf->priv;

	WARN_ON(buf->vmap_count);
	mutex_destroy(&buf->lock);
	buf->release_pages(buf);
}

static const struct dma_buf_ops heap_buffer_ops = {
	.attach = heap_buffer_attach,
	.detach = heap_buffer_detach,
	.map_dma_buf = heap_buffer_map,
	.unmap_dma_buf = heap_buffer_unmap,
	.begin_cpu_access = heap_buffer_begin_cpu,
	.end_cpu_access = heap_buffer_end_cpu,
	.mmap = heap_buffer_mmap,
	.vmap = heap_buffer_vmap,
	.vunmap = heap_buffer_vunmap,
	.release = heap_buffer_release,
};

/**
 * heap_buffer_export - make a dma-buf of a heap buffer
 * @buf: the buffer, with @heap, @len, @sgt and @release_pages set
 * @fd_flags: the flags its file is opened with
 *
 * Context: process context.
 * Return: the dma-buf, which then owns @buf (its release calls
 * @buf->release_pages), or an ERR_PTR, in which case @buf is still the
 * caller's to free.
 */
struct dma_buf *heap_buffer_export(struct heap_buffer *buf,
				   unsigned long fd_flags)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dma_buf *dmabuf;

	mutex_init(&buf->lock);
	INIT_LIST_HEAD(&buf->attachments);
	exp_info.exp_name = dma_heap_get_name(buf->heap);
	exp_info.ops = &heap_buffer_ops;
	exp_info.size = buf->len;
	exp_info.flags = fd_flags;
	exp_info.priv = buf;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf))
		mutex_destroy(&buf->lock);
	return dmabuf;
}
