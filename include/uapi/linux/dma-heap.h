/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Allocating dma-bufs from userspace: every heap is a character device
 * /dev/dma_heap/<heap name>, and DMA_HEAP_IOCTL_ALLOC on it returns a new
 * dma-buf fd of the requested size.
 */
#ifndef _UAPI_LINUX_DMABUF_POOL_H
#define _UAPI_LINUX_DMABUF_POOL_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* fd_flags a caller may ask for: close-on-exec and the access mode. */
#define DMA_HEAP_VALID_FD_FLAGS (O_CLOEXEC | O_ACCMODE)

/* heap_flags a caller may ask for: none are defined yet. */
#define DMA_HEAP_VALID_HEAP_FLAGS (0)

/**
 * struct dma_heap_allocation_data - argument of DMA_HEAP_IOCTL_ALLOC
 * @len: in: size of the buffer in bytes, rounded up to whole pages
 * @fd: out: the new dma-buf fd
 * @fd_flags: in: flags for @fd, within DMA_HEAP_VALID_FD_FLAGS
 * @heap_flags: in: flags for the heap, within DMA_HEAP_VALID_HEAP_FLAGS
 */
struct dma_heap_allocation_data {
	__u64 len;
	__u32 fd;
	__u32 fd_flags;
	__u64 heap_flags;
};

#define DMA_HEAP_IOC_MAGIC		'H'

/* Allocate a buffer from the heap behind the fd; see the struct above. */
#define DMA_HEAP_IOCTL_ALLOC	_IOWR(DMA_HEAP_IOC_MAGIC, 0x0, \
				      struct dma_heap_allocation_data)

#endif /* _UAPI_LINUX_DMABUF_POOL_H */
