// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unmodified 6.1 drivers sharing buffers through our dma-buf:
 *
 * - vivid (V4L2, videobuf2) captures into dma-bufs exported by vgem and by
 *   virtio-gpu (V4L2_MEMORY_DMABUF: vb2 attaches and vmaps them), and the
 *   picture is read back through the exporter's own mapping;
 * - vivid's VIDIOC_EXPBUF and virtio-gpu's PRIME exports are imported by
 *   vgem: the import is the same buffer (re-exported, it is the same
 *   inode) and shares its reservation object, so a fence vgem attaches
 *   shows in poll() on the exporter's fd;
 * - virtio-gpu refuses foreign buffers in 6.1 (ENODEV), and that error
 *   reaches userspace as such.
 *
 * vgem's own mmap refuses imported objects in 6.1, so bytes are compared
 * through the exporters' mappings and the dma-buf fd.  Needs
 * CONFIG_DRM_VGEM, CONFIG_VIDEO_VIVID and, for the virtio-gpu tests,
 * QEMU's -device virtio-gpu-pci.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <linux/dma-buf.h>
#include <linux/videodev2.h>

#include "../kselftest_harness.h"
#include "common.h"

/* Map @handle of DRM device @drm through the device's own fd. */
static void *drm_map(int drm, __u32 handle, size_t size)
{
	struct drm_mode_map_dumb map = { .handle = handle };

	if (ioctl(drm, DRM_IOCTL_MODE_MAP_DUMB, &map))
		return MAP_FAILED;
	return mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, drm,
		    map.offset);
}

static int nonzero_bytes(const unsigned char *p, size_t n)
{
	size_t i;
	int count = 0;

	for (i = 0; i < n; i++)
		count += p[i] != 0;
	return count;
}

static int same_file(int a, int b)
{
	struct stat sa, sb;

	return !fstat(a, &sa) && !fstat(b, &sb) && sa.st_ino == sb.st_ino &&
	       sa.st_dev == sb.st_dev;
}

static short poll_now(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

/*
 * vgem imports @buf: it must be the very same buffer, and a write fence
 * vgem attaches must hold back readers polling @buf.  0 or -errno.
 */
static void check_vgem_import(struct __test_metadata *_metadata, int vgem,
			      int buf)
{
	struct drm_prime_handle in = { .fd = buf };
	struct drm_prime_handle out = { .flags = DRM_CLOEXEC };
	struct drm_gem_close gem_close = {};
	__u32 fence;

	ASSERT_EQ(0, xioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &in));
	out.handle = in.handle;
	EXPECT_EQ(0, xioctl(vgem, DRM_IOCTL_PRIME_HANDLE_TO_FD, &out));
	EXPECT_TRUE(same_file(buf, out.fd));
	close(out.fd);

	EXPECT_EQ(POLLIN, poll_now(buf, POLLIN));
	ASSERT_EQ(0, vgem_fence(vgem, in.handle, 1, &fence));
	EXPECT_EQ(0, poll_now(buf, POLLIN));
	EXPECT_EQ(0, vgem_signal(vgem, fence));
	EXPECT_EQ(POLLIN, poll_now(buf, POLLIN));

	gem_close.handle = in.handle;
	EXPECT_EQ(0, xioctl(vgem, DRM_IOCTL_GEM_CLOSE, &gem_close));
}

static int sync_cpu(int buf, __u64 flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return xioctl(buf, DMA_BUF_IOCTL_SYNC, &s);
}

FIXTURE(vivid) {
	int video;
	int vgem;
	size_t image;
	int fds_before;
};

FIXTURE_SETUP(vivid)
{
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };

	self->fds_before = count_fds();
	self->video = CAPTURE_OR_SKIP();
	self->vgem = VGEM_OR_SKIP();
	ASSERT_EQ(0, xioctl(self->video, VIDIOC_G_FMT, &fmt));
	self->image = fmt.fmt.pix.sizeimage;
	ASSERT_GT(self->image, 0);
}

FIXTURE_TEARDOWN(vivid)
{
	close(self->video);
	close(self->vgem);
	EXPECT_EQ(self->fds_before, count_fds());
}

/* Queue, stream, and take back one filled buffer; its index or -errno. */
static int capture_one(int video, __u32 memory, int fd, size_t length,
		       __u32 *bytesused)
{
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct v4l2_buffer b = { .type = type, .memory = memory };
	struct pollfd p = { .fd = video, .events = POLLIN };
	int err;

	if (memory == V4L2_MEMORY_DMABUF) {
		b.m.fd = fd;
		b.length = length;
	}
	err = xioctl(video, VIDIOC_QBUF, &b);
	if (!err)
		err = xioctl(video, VIDIOC_STREAMON, &type);
	if (err)
		return err;
	if (poll(&p, 1, 5000) != 1)
		return -ETIMEDOUT;
	memset(&b, 0, sizeof(b));
	b.type = type;
	b.memory = memory;
	err = xioctl(video, VIDIOC_DQBUF, &b);
	xioctl(video, VIDIOC_STREAMOFF, &type);
	if (err)
		return err;
	*bytesused = b.bytesused;
	return b.index;
}

static int request_buffers(int video, __u32 memory, __u32 count)
{
	struct v4l2_requestbuffers req = {
		.count = count, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = memory,
	};

	return xioctl(video, VIDIOC_REQBUFS, &req);
}

TEST_F(vivid, captures_into_a_vgem_dma_buf)
{
	size_t size = (self->image + 4095) & ~4095UL;
	struct v4l2_buffer too_small = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF, .length = 4096,
	};
	__u32 handle, used = 0;
	unsigned char *p;
	int buf, small;

	buf = vgem_dma_buf(self->vgem, size, &handle);
	ASSERT_GE(buf, 0);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0, size);

	ASSERT_EQ(0, request_buffers(self->video, V4L2_MEMORY_DMABUF, 1));
	ASSERT_EQ(0, capture_one(self->video, V4L2_MEMORY_DMABUF, buf, size,
				 &used));
	EXPECT_EQ(self->image, used);
	/* vivid drew its test pattern into vgem's pages. */
	ASSERT_EQ(0, sync_cpu(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_GT(nonzero_bytes(p, used), (int)(used / 4));
	ASSERT_EQ(0, sync_cpu(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	EXPECT_EQ(0, request_buffers(self->video, V4L2_MEMORY_DMABUF, 0));

	/* A buffer too small for the image is refused at queue time. */
	ASSERT_EQ(0, request_buffers(self->video, V4L2_MEMORY_DMABUF, 1));
	small = vgem_dma_buf(self->vgem, 4096, &handle);
	ASSERT_GE(small, 0);
	too_small.m.fd = small;
	EXPECT_EQ(-EINVAL, xioctl(self->video, VIDIOC_QBUF, &too_small));
	close(small);
	EXPECT_EQ(0, request_buffers(self->video, V4L2_MEMORY_DMABUF, 0));
	munmap(p, size);
	close(buf);
}

TEST_F(vivid, exported_buffer_is_shared_with_vgem)
{
	struct v4l2_exportbuffer exp = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .index = 0,
		.flags = O_RDWR | O_CLOEXEC,
	};
	struct v4l2_buffer q = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP,
	};
	unsigned char *v4l2_view, *direct;
	__u32 used = 0;
	size_t size;

	ASSERT_EQ(0, request_buffers(self->video, V4L2_MEMORY_MMAP, 1));
	ASSERT_EQ(0, xioctl(self->video, VIDIOC_QUERYBUF, &q));
	size = q.length;
	ASSERT_EQ(0, xioctl(self->video, VIDIOC_EXPBUF, &exp));
	ASSERT_EQ(0, capture_one(self->video, V4L2_MEMORY_MMAP, -1, 0, &used));

	/* The exported fd maps the picture vivid wrote. */
	v4l2_view = mmap(NULL, size, PROT_READ, MAP_SHARED, self->video,
			 q.m.offset);
	ASSERT_NE(MAP_FAILED, v4l2_view);
	direct = mmap(NULL, size, PROT_READ, MAP_SHARED, exp.fd, 0);
	ASSERT_NE(MAP_FAILED, direct);
	EXPECT_GT(nonzero_bytes(v4l2_view, used), (int)(used / 4));
	EXPECT_EQ(0, memcmp(v4l2_view, direct, used));
	munmap(direct, size);
	munmap(v4l2_view, size);

	check_vgem_import(_metadata, self->vgem, exp.fd);
	close(exp.fd);
	EXPECT_EQ(0, request_buffers(self->video, V4L2_MEMORY_MMAP, 0));
}

FIXTURE(virtio_gpu) {
	int gpu;
	int vgem;
	int fds_before;
};

FIXTURE_SETUP(virtio_gpu)
{
	self->fds_before = count_fds();
	self->gpu = DRM_OR_SKIP("virtio_gpu", "QEMU -device virtio-gpu-pci");
	self->vgem = VGEM_OR_SKIP();
}

FIXTURE_TEARDOWN(virtio_gpu)
{
	close(self->gpu);
	close(self->vgem);
	EXPECT_EQ(self->fds_before, count_fds());
}

/* A virtio-gpu dumb buffer of at least @bytes: its handle and size. */
static int gpu_dumb(int gpu, size_t bytes, __u32 *handle, size_t *size)
{
	struct drm_mode_create_dumb dumb = {
		.width = 1024, .height = (bytes + 4095) / 4096, .bpp = 32,
	};
	int err = xioctl(gpu, DRM_IOCTL_MODE_CREATE_DUMB, &dumb);

	*handle = dumb.handle;
	*size = dumb.size;
	return err;
}

static int gpu_export(int gpu, __u32 handle)
{
	struct drm_prime_handle out = {
		.handle = handle, .flags = DRM_CLOEXEC | DRM_RDWR,
	};

	return ioctl(gpu, DRM_IOCTL_PRIME_HANDLE_TO_FD, &out) ? -errno : out.fd;
}

TEST_F(virtio_gpu, export_is_shared_with_vgem)
{
	unsigned char *gpu_view, *direct;
	size_t i, size;
	__u32 handle;
	int buf;

	ASSERT_EQ(0, gpu_dumb(self->gpu, 64 * 1024, &handle, &size));
	gpu_view = drm_map(self->gpu, handle, size);
	ASSERT_NE(MAP_FAILED, gpu_view);
	for (i = 0; i < size; i++)
		gpu_view[i] = (unsigned char)(i * 7 + 3);

	buf = gpu_export(self->gpu, handle);
	ASSERT_GE(buf, 0);
	direct = mmap(NULL, size, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, direct);
	EXPECT_EQ(0, memcmp(gpu_view, direct, size));
	munmap(direct, size);
	munmap(gpu_view, size);

	check_vgem_import(_metadata, self->vgem, buf);
	close(buf);
}

TEST_F(virtio_gpu, vivid_captures_into_a_gpu_buffer)
{
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_requestbuffers req = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
	};
	unsigned char *gpu_view;
	__u32 handle, used = 0;
	int video, buf;
	size_t size;

	video = CAPTURE_OR_SKIP();
	ASSERT_EQ(0, xioctl(video, VIDIOC_G_FMT, &fmt));
	ASSERT_EQ(0, gpu_dumb(self->gpu, fmt.fmt.pix.sizeimage, &handle,
			      &size));
	gpu_view = drm_map(self->gpu, handle, size);
	ASSERT_NE(MAP_FAILED, gpu_view);
	memset(gpu_view, 0, size);
	buf = gpu_export(self->gpu, handle);
	ASSERT_GE(buf, 0);

	req.count = 1;
	ASSERT_EQ(0, xioctl(video, VIDIOC_REQBUFS, &req));
	ASSERT_EQ(0, capture_one(video, V4L2_MEMORY_DMABUF, buf, size, &used));
	EXPECT_EQ(fmt.fmt.pix.sizeimage, used);
	/* What vivid wrote through the dma-buf, the GPU's mapping sees. */
	ASSERT_EQ(0, sync_cpu(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_GT(nonzero_bytes(gpu_view, used), (int)(used / 4));
	ASSERT_EQ(0, sync_cpu(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	req.count = 0;
	EXPECT_EQ(0, xioctl(video, VIDIOC_REQBUFS, &req));

	munmap(gpu_view, size);
	close(buf);
	close(video);
}

TEST_F(virtio_gpu, foreign_import_is_refused_cleanly)
{
	struct drm_prime_handle in = { .flags = 0 };
	__u32 handle;
	int buf = vgem_dma_buf(self->vgem, 4096, &handle);

	ASSERT_GE(buf, 0);
	in.fd = buf;
	/* 6.1's virtio-gpu cannot import another driver's buffer. */
	EXPECT_EQ(-ENODEV, xioctl(self->gpu, DRM_IOCTL_PRIME_FD_TO_HANDLE, &in));
	close(buf);
}

TEST_HARNESS_MAIN
