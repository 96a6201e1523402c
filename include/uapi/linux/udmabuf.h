/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * udmabuf: turn ranges of a memfd into a dma-buf through /dev/udmabuf.
 */
#ifndef _UAPI_LINUX_UDMABUF_H
#define _UAPI_LINUX_UDMABUF_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Give the new dma-buf fd the close-on-exec flag. */
#define UDMABUF_FLAGS_CLOEXEC	0x01

/**
 * struct udmabuf_create - argument of UDMABUF_CREATE
 * @memfd: a shmem or hugetlbfs memfd sealed with F_SEAL_SHRINK and not
 *	F_SEAL_WRITE.
 * @flags: UDMABUF_FLAGS_CLOEXEC or not; other bits are ignored.
 * @offset: where the range starts in the file; a multiple of the page size.
 * @size: the range's length; a multiple of the page size, ending inside
 *	the file.  A zero size adds no page (the buffer needs at least one).
 */
struct udmabuf_create {
	__u32 memfd;
	__u32 flags;
	__u64 offset;
	__u64 size;
};

/**
 * struct udmabuf_create_item - one range of UDMABUF_CREATE_LIST
 * @memfd: as in &struct udmabuf_create.
 * @__pad: unused; set it to zero.
 * @offset: as in &struct udmabuf_create.
 * @size: as in &struct udmabuf_create.
 */
struct udmabuf_create_item {
	__u32 memfd;
	__u32 __pad;
	__u64 offset;
	__u64 size;
};

/**
 * struct udmabuf_create_list - argument of UDMABUF_CREATE_LIST
 * @flags: as in &struct udmabuf_create.
 * @count: how many ranges follow; at most the driver's list_limit
 *	parameter, with at least one page among them.
 * @list: the ranges, laid end to end in the buffer in this order.
 */
struct udmabuf_create_list {
	__u32 flags;
	__u32 count;
	struct udmabuf_create_item list[];
};

/* Both return a new dma-buf file descriptor. */
#define UDMABUF_CREATE       _IOW('u', 0x42, struct udmabuf_create)
#define UDMABUF_CREATE_LIST  _IOW('u', 0x43, struct udmabuf_create_list)

#endif /* _UAPI_LINUX_UDMABUF_H */
