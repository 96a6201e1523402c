/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The userspace interface of dma-buf file descriptors: CPU access
 * brackets, buffer names, and moving fences between a buffer and a
 * sync_file.
 */
#ifndef _DMA_BUF_UAPI_H_
#define _DMA_BUF_UAPI_H_

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct dma_buf_sync - argument of DMA_BUF_IOCTL_SYNC
 * @flags: DMA_BUF_SYNC_START or DMA_BUF_SYNC_END, ORed with
 *	DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE or both (DMA_BUF_SYNC_RW).
 *	Any other bit, or neither direction, makes the ioctl fail with
 *	EINVAL.
 *
 * A program that reads or writes a buffer through its mmap() brackets each
 * access with a START and an END call in the same direction.  START waits
 * for the devices that are still writing (and, for a CPU write, reading)
 * the buffer and makes the memory coherent for the CPU; END hands it back
 * to the devices.
 */
struct dma_buf_sync {
	__u64 flags;
};

#define DMA_BUF_SYNC_READ      (1 << 0)
#define DMA_BUF_SYNC_WRITE     (2 << 0)
#define DMA_BUF_SYNC_RW        (DMA_BUF_SYNC_READ | DMA_BUF_SYNC_WRITE)
#define DMA_BUF_SYNC_START     (0 << 2)
#define DMA_BUF_SYNC_END       (1 << 2)
#define DMA_BUF_SYNC_VALID_FLAGS_MASK \
	(DMA_BUF_SYNC_RW | DMA_BUF_SYNC_END)

/* The longest name DMA_BUF_SET_NAME keeps, with its terminating NUL. */
#define DMA_BUF_NAME_LEN	32

/**
 * struct dma_buf_export_sync_file - argument of DMA_BUF_IOCTL_EXPORT_SYNC_FILE
 * @flags: DMA_BUF_SYNC_READ to get the fences a reader must wait for (the
 *	writers), DMA_BUF_SYNC_WRITE (or RW) for those a writer must wait for
 *	(readers and writers).
 * @fd: returned: a new sync_file fd holding those fences.
 */
struct dma_buf_export_sync_file {
	__u32 flags;
	__s32 fd;
};

/**
 * struct dma_buf_import_sync_file - argument of DMA_BUF_IOCTL_IMPORT_SYNC_FILE
 * @flags: DMA_BUF_SYNC_READ to add the fences as readers of the buffer,
 *	DMA_BUF_SYNC_WRITE (or RW) to add them as writers.
 * @fd: a sync_file fd whose fences are added to the buffer.
 */
struct dma_buf_import_sync_file {
	__u32 flags;
	__s32 fd;
};

#define DMA_BUF_BASE		'b'
#define DMA_BUF_IOCTL_SYNC	_IOW(DMA_BUF_BASE, 0, struct dma_buf_sync)

/*
 * The name ioctl was first defined with a pointer-sized argument, so its
 * number depends on the ABI; the _A (32-bit) and _B (64-bit) spellings
 * name both numbers explicitly and all of them are accepted.
 */
#define DMA_BUF_SET_NAME	_IOW(DMA_BUF_BASE, 1, const char *)
#define DMA_BUF_SET_NAME_A	_IOW(DMA_BUF_BASE, 1, __u32)
#define DMA_BUF_SET_NAME_B	_IOW(DMA_BUF_BASE, 1, __u64)
#define DMA_BUF_IOCTL_EXPORT_SYNC_FILE \
	_IOWR(DMA_BUF_BASE, 2, struct dma_buf_export_sync_file)
#define DMA_BUF_IOCTL_IMPORT_SYNC_FILE \
	_IOW(DMA_BUF_BASE, 3, struct dma_buf_import_sync_file)

#endif /* _DMA_BUF_UAPI_H_ */
