/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the dma-buf kselftests (and the make run demo) share: sw_sync's
 * private ioctls, bad pointers, descriptor counting, vgem buffers, and
 * skipping a test whose device or driver the machine lacks.
 */
#ifndef DMA_BUF_SELFTEST_COMMON_H
#define DMA_BUF_SELFTEST_COMMON_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <drm/vgem_drm.h>
#include <linux/types.h>
#include <linux/videodev2.h>

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

/*
 * Where module_test finds the lifetime test module unless MODTEST_KO
 * names another file: where the harness' test boot packs it
 * (MODTEST_KO_PATH of tools/testing/dma-buf/lib.sh, which the boot also
 * hands on as MODTEST_KO).
 */
#define MODTEST_KO_PATH "/modules/dmabuf_modtest.ko"

/* An address in the kernel half: never valid for user copies. */
#define KERNEL_PTR ((void *)0xffffffff81000000UL)

/*
 * What a test needs that a machine may lack: a driver, a device node, a
 * debugfs or tracefs file.  Unless @cond holds, the test is skipped (ok,
 * "# SKIP" and the reason @fmt), not failed.  The skip leaves the test
 * by the jump a failed ASSERT takes, without marking it failed: from a
 * fixture's setup too, where 6.1's harness runs the test's body after a
 * plain SKIP().  For the tests' own code only (it needs _metadata).
 */
#define NEEDS(cond, fmt, ...)						\
	do {								\
		if (!(cond))						\
			SKIP(longjmp(_metadata->env, 1), fmt, ##__VA_ARGS__); \
	} while (0)

/* @path opened with @flags, or the test skipped; @what provides it. */
#define OPEN_OR_SKIP(path, flags, what) ({				\
	const char *__path = (path);					\
	int __fd = open(__path, flags);					\
									\
	NEEDS(__fd >= 0, "%s: %s (%s)", __path, strerror(errno), what);	\
	__fd;								\
})

/* A new sw_sync timeline, or the test skipped. */
#define TIMELINE_OR_SKIP(flags)						\
	OPEN_OR_SKIP(SW_SYNC_PATH, flags, "CONFIG_SW_SYNC, debugfs")

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

/* The first DRM card of @driver (@option builds it), or the test skipped. */
#define DRM_OR_SKIP(driver, option) ({					\
	const char *__driver = (driver);				\
	int __fd = open_drm(__driver);					\
									\
	NEEDS(__fd >= 0, "no %s device (%s)", __driver, option);	\
	__fd;								\
})

#define VGEM_OR_SKIP() DRM_OR_SKIP("vgem", "CONFIG_DRM_VGEM")

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

/*
 * vivid's capture node (CONFIG_VIDEO_VIVID): the first V4L2 node that
 * captures single-planar video by streaming, or -1.  Its videobuf2 queue
 * uses the vmalloc allocator, which takes a dma-buf by attaching to it and
 * vmapping it when the buffer is queued.
 */
static inline int video_open_capture(void)
{
	char path[32];
	int i, fd;

	for (i = 0; i < 64; i++) {
		struct v4l2_capability cap = {};

		snprintf(path, sizeof(path), "/dev/video%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!ioctl(fd, VIDIOC_QUERYCAP, &cap) &&
		    (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE) &&
		    (cap.device_caps & V4L2_CAP_STREAMING))
			return fd;
		close(fd);
	}
	return -1;
}

/* vivid's capture node, or the test skipped. */
#define CAPTURE_OR_SKIP() ({						\
	int __fd = video_open_capture();				\
									\
	NEEDS(__fd >= 0, "no capture device (CONFIG_VIDEO_VIVID)");	\
	__fd;								\
})

/* The bytes one picture of the current format takes, or 0. */
static inline size_t video_image_size(int video)
{
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };

	return ioctl(video, VIDIOC_G_FMT, &fmt) ? 0 : fmt.fmt.pix.sizeimage;
}

/* VIDIOC_REQBUFS for @count dma-buf capture buffers: 0 or -errno. */
static inline int video_request_dmabufs(int video, __u32 count)
{
	struct v4l2_requestbuffers req = {
		.count = count, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
	};

	return xioctl(video, VIDIOC_REQBUFS, &req);
}

/* VIDIOC_QBUF of dma-buf @fd (@length bytes) as buffer 0: 0 or -errno. */
static inline int video_queue_dmabuf(int video, int fd, size_t length)
{
	struct v4l2_buffer b = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF, .length = length,
	};

	b.m.fd = fd;
	return xioctl(video, VIDIOC_QBUF, &b);
}

/*
 * Streams with the buffer queued until it comes back filled, then stops
 * streaming (which leaves the buffer attached but no longer mapped):
 * 0 or -errno.
 */
static inline int video_capture_queued(int video)
{
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct v4l2_buffer b = { .type = type, .memory = V4L2_MEMORY_DMABUF };
	struct pollfd p = { .fd = video, .events = POLLIN };
	int err = xioctl(video, VIDIOC_STREAMON, &type);

	if (err)
		return err;
	if (poll(&p, 1, 5000) != 1)
		err = -ETIMEDOUT;
	else
		err = xioctl(video, VIDIOC_DQBUF, &b);
	xioctl(video, VIDIOC_STREAMOFF, &type);
	return err;
}

#endif /* DMA_BUF_SELFTEST_COMMON_H */
