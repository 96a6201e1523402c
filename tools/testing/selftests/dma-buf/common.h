/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the dma-buf kselftests (and the make run demo) share: sw_sync's
 * private ioctls, bad pointers, descriptor counting, and vgem buffers.
 */
#ifndef DMA_BUF_SELFTEST_COMMON_H
#define DMA_BUF_SELFTEST_COMMON_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <drm/vgem_drm.h>
#include <linux/types.h>

/* sw_sync's ioctls are private to the driver; these match its layout. */
struct sw_sync_create_fence_data {
	__u32 value;
	char name[32];
	__s32 fence;
};

struct sw_sync_get_deadline {
	__u64 deadline_ns;
	__u32 fence_fd;
	__u32 pad;
};

#define SW_SYNC_IOC_MAGIC 'W'
#define SW_SYNC_IOC_CREATE_FENCE \
	_IOWR(SW_SYNC_IOC_MAGIC, 0, struct sw_sync_create_fence_data)
#define SW_SYNC_IOC_INC _IOW(SW_SYNC_IOC_MAGIC, 1, __u32)
#define SW_SYNC_GET_DEADLINE \
	_IOWR(SW_SYNC_IOC_MAGIC, 2, struct sw_sync_get_deadline)

#define SW_SYNC_PATH "/sys/kernel/debug/sync/sw_sync"
#define SYNC_INFO_PATH "/sys/kernel/debug/sync/info"

/* An address in the kernel half: never valid for user copies. */
#define KERNEL_PTR ((void *)0xffffffff81000000UL)

/* ioctl() returning 0 or -errno, for EXPECT_EQ(-EINVAL, ...). */
static inline int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

/* How many descriptors the process has open. */
static inline int count_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!dir)
		return -1;
	while ((e = readdir(dir)))
		if (e->d_name[0] != '.')
			n++;
	closedir(dir);
	return n - 1; /* the directory's own descriptor */
}

/* A sync file for point @value of @tl, or -errno. */
static inline int fence_create(int tl, __u32 value, const char *name)
{
	struct sw_sync_create_fence_data data = { .value = value };
	int ret;

	snprintf(data.name, sizeof(data.name), "%s", name);
	ret = xioctl(tl, SW_SYNC_IOC_CREATE_FENCE, &data);
	return ret ? ret : data.fence;
}

static inline int timeline_inc(int tl, __u32 step)
{
	return xioctl(tl, SW_SYNC_IOC_INC, &step);
}

/* The first DRM card whose driver is @driver, or -1. */
static inline int open_drm(const char *driver)
{
	char path[32], name[32];
	int i, fd;

	for (i = 0; i < 16; i++) {
		struct drm_version v = { .name = name,
					 .name_len = sizeof(name) - 1 };

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(name, 0, sizeof(name));
		if (!ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, driver))
			return fd;
		close(fd);
	}
	return -1;
}

/* The vgem device (CONFIG_DRM_VGEM), or -1. */
static inline int open_vgem(void)
{
	return open_drm("vgem");
}

/*
 * A vgem dumb buffer of @bytes (a multiple of 4096) exported with PRIME:
 * its GEM handle in @handle, and the dma-buf fd or -errno.
 */
static inline int vgem_dma_buf(int vgem, unsigned int bytes, __u32 *handle)
{
	struct drm_mode_create_dumb dumb = {
		.width = 1024, .height = bytes / 4096, .bpp = 32,
	};
	struct drm_prime_handle prime = { .flags = DRM_CLOEXEC | DRM_RDWR };

	if (ioctl(vgem, DRM_IOCTL_MODE_CREATE_DUMB, &dumb))
		return -errno;
	*handle = dumb.handle;
	prime.handle = dumb.handle;
	if (ioctl(vgem, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime))
		return -errno;
	return prime.fd;
}

/* A vgem fence on the buffer, as a device would add for its work. */
static inline int vgem_fence(int vgem, __u32 handle, int write, __u32 *fence)
{
	struct drm_vgem_fence_attach a = {
		.handle = handle, .flags = write ? VGEM_FENCE_WRITE : 0,
	};
	int err = xioctl(vgem, DRM_IOCTL_VGEM_FENCE_ATTACH, &a);

	*fence = a.out_fence;
	return err;
}

static inline int vgem_signal(int vgem, __u32 fence)
{
	struct drm_vgem_fence_signal s = { .fence = fence };

	return xioctl(vgem, DRM_IOCTL_VGEM_FENCE_SIGNAL, &s);
}

#endif /* DMA_BUF_SELFTEST_COMMON_H */
