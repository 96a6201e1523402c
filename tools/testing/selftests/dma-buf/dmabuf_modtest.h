/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The private interface of dmabuf_modtest, shared by the module and by
 * module_test (tools/testing/selftests/dma-buf): ioctls on the debugfs
 * file /sys/kernel/debug/dmabuf_modtest.
 */
#ifndef DMABUF_MODTEST_H
#define DMABUF_MODTEST_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define MODTEST_NAME "dmabuf_modtest"
#define MODTEST_CTL_PATH "/sys/kernel/debug/dmabuf_modtest"
#define MODTEST_DRIVER_NAME "dmabuf_modtest"
#define MODTEST_TIMELINE_NAME "modtest"
/* The most pages MODTEST_IOC_BUFFER hands out in one buffer. */
#define MODTEST_MAX_PAGES 16

/**
 * struct modtest_fd - a descriptor the module made
 * @fd: out: the new descriptor (close-on-exec)
 * @size: for MODTEST_IOC_BUFFER, in: the buffer's size in bytes, a
 *	multiple of the page size of at most MODTEST_MAX_PAGES pages;
 *	otherwise must be 0
 * @pad: must be 0
 */
struct modtest_fd {
	__s32 fd;
	__u32 pad;
	__u64 size;
};

#define MODTEST_IOC_MAGIC 'M'
/* A sync file holding a new, unsignaled fence of the module's. */
#define MODTEST_IOC_FENCE _IOWR(MODTEST_IOC_MAGIC, 0x40, struct modtest_fd)
/* Signal every unsignaled fence of the module's, without error. */
#define MODTEST_IOC_SIGNAL_ALL _IO(MODTEST_IOC_MAGIC, 0x41)
/* A dma-buf exported by the module (and owned by it). */
#define MODTEST_IOC_BUFFER _IOWR(MODTEST_IOC_MAGIC, 0x42, struct modtest_fd)

#endif /* DMABUF_MODTEST_H */
