// SPDX-License-Identifier: GPL-2.0-only
/*
 * Prints the layout of the sync_file, dma-buf, udmabuf and dma-heap uAPI:
 * every struct's size, every
 * field's offset (which with the sizes pins each field's extent), and the
 * ioctl numbers.  uapi-layout.sh builds
 * it once against our header and once against 6.1's and compares the two
 * outputs.  Built with -DOURS it also checks the later kernels' deadline
 * ioctl, which 6.1 does not have.
 */
#include <assert.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/sync_file.h>
#include <linux/udmabuf.h>

#define FIELD(type, field) \
	printf("%s.%s offset %zu\n", #type, #field, offsetof(struct type, field))
#define SIZE(type) printf("%s size %zu\n", #type, sizeof(struct type))
#define NUMBER(name) printf("%s 0x%08lx\n", #name, (unsigned long)(name))

#ifdef OURS
static_assert(sizeof(struct sync_set_deadline) == 16, "deadline size");
static_assert(offsetof(struct sync_set_deadline, deadline_ns) == 0,
	      "deadline_ns offset");
static_assert(offsetof(struct sync_set_deadline, pad) == 8, "pad offset");
static_assert(SYNC_IOC_SET_DEADLINE == 0x40103e05, "SET_DEADLINE number");
#endif

int main(void)
{
	SIZE(sync_merge_data);
	FIELD(sync_merge_data, name);
	FIELD(sync_merge_data, fd2);
	FIELD(sync_merge_data, fence);
	FIELD(sync_merge_data, flags);
	FIELD(sync_merge_data, pad);
	SIZE(sync_fence_info);
	FIELD(sync_fence_info, obj_name);
	FIELD(sync_fence_info, driver_name);
	FIELD(sync_fence_info, status);
	FIELD(sync_fence_info, flags);
	FIELD(sync_fence_info, timestamp_ns);
	SIZE(sync_file_info);
	FIELD(sync_file_info, name);
	FIELD(sync_file_info, status);
	FIELD(sync_file_info, flags);
	FIELD(sync_file_info, num_fences);
	FIELD(sync_file_info, pad);
	FIELD(sync_file_info, sync_fence_info);
	NUMBER(SYNC_IOC_MAGIC);
	NUMBER(SYNC_IOC_MERGE);
	NUMBER(SYNC_IOC_FILE_INFO);

	SIZE(dma_buf_sync);
	FIELD(dma_buf_sync, flags);
	SIZE(dma_buf_export_sync_file);
	FIELD(dma_buf_export_sync_file, flags);
	FIELD(dma_buf_export_sync_file, fd);
	SIZE(dma_buf_import_sync_file);
	FIELD(dma_buf_import_sync_file, flags);
	FIELD(dma_buf_import_sync_file, fd);
	NUMBER(DMA_BUF_SYNC_READ);
	NUMBER(DMA_BUF_SYNC_WRITE);
	NUMBER(DMA_BUF_SYNC_RW);
	NUMBER(DMA_BUF_SYNC_START);
	NUMBER(DMA_BUF_SYNC_END);
	NUMBER(DMA_BUF_SYNC_VALID_FLAGS_MASK);
	NUMBER(DMA_BUF_NAME_LEN);
	NUMBER(DMA_BUF_BASE);
	NUMBER(DMA_BUF_IOCTL_SYNC);
	NUMBER(DMA_BUF_SET_NAME);
	NUMBER(DMA_BUF_SET_NAME_A);
	NUMBER(DMA_BUF_SET_NAME_B);
	NUMBER(DMA_BUF_IOCTL_EXPORT_SYNC_FILE);
	NUMBER(DMA_BUF_IOCTL_IMPORT_SYNC_FILE);

	SIZE(udmabuf_create);
	FIELD(udmabuf_create, memfd);
	FIELD(udmabuf_create, flags);
	FIELD(udmabuf_create, offset);
	FIELD(udmabuf_create, size);
	SIZE(udmabuf_create_item);
	FIELD(udmabuf_create_item, memfd);
	FIELD(udmabuf_create_item, __pad);
	FIELD(udmabuf_create_item, offset);
	FIELD(udmabuf_create_item, size);
	SIZE(udmabuf_create_list);
	FIELD(udmabuf_create_list, flags);
	FIELD(udmabuf_create_list, count);
	FIELD(udmabuf_create_list, list);
	NUMBER(UDMABUF_FLAGS_CLOEXEC);
	NUMBER(UDMABUF_CREATE);
	NUMBER(UDMABUF_CREATE_LIST);
	SIZE(dma_heap_allocation_data);
	FIELD(dma_heap_allocation_data, len);
	FIELD(dma_heap_allocation_data, fd);
	FIELD(dma_heap_allocation_data, fd_flags);
	FIELD(dma_heap_allocation_data, heap_flags);
	NUMBER(DMA_HEAP_VALID_FD_FLAGS);
	NUMBER(DMA_HEAP_VALID_HEAP_FLAGS);
	NUMBER(DMA_HEAP_IOC_MAGIC);
	NUMBER(DMA_HEAP_IOCTL_ALLOC);
	return 0;
}
