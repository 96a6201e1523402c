// SPDX-License-Identifier: GPL-2.0-only
/*
 * DRM syncobjs on our fences: the unmodified 6.1 DRM core's syncobj
 * ioctls, reached through the "dmabuf-syncobj" device that
 * CONFIG_DMABUF_SYNCOBJ_TEST registers.  Binary syncobjs hold one fence;
 * timeline syncobjs hold a dma_fence_chain, one link per point, and the
 * DRM core walks, searches and garbage-collects it with our chain code.
 * Fences come in from sw_sync and from a vgem buffer's reservation object
 * (as sync files) and go back out as sync files.
 *
 * Needs root, debugfs, CONFIG_SW_SYNC, CONFIG_DRM_VGEM and
 * CONFIG_DMABUF_SYNCOBJ_TEST.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <drm/drm.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>

#include "../kselftest_harness.h"
#include "common.h"

#define NSEC_PER_MSEC 1000000LL

/* CLOCK_MONOTONIC @ms from now: syncobj waits take absolute deadlines. */
static __s64 deadline_ms(long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec + ms * NSEC_PER_MSEC;
}

static __s64 now_ns(void)
{
	return deadline_ms(0);
}

static int syncobj_new(int drm, __u32 flags, __u32 *handle)
{
	struct drm_syncobj_create c = { .flags = flags };
	int err = xioctl(drm, DRM_IOCTL_SYNCOBJ_CREATE, &c);

	*handle = c.handle;
	return err;
}

/* Replace the fence of binary syncobj @handle by the sync file's. */
static int syncobj_import(int drm, __u32 handle, int sync_fd)
{
	struct drm_syncobj_handle h = {
		.handle = handle,
		.flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE,
		.fd = sync_fd,
	};

	return xioctl(drm, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &h);
}

/* Put point @point of sw_sync timeline @tl into binary syncobj @handle. */
static int syncobj_import_point(int drm, __u32 handle, int tl, __u32 point)
{
	int fence = fence_create(tl, point, "job");
	int err;

	if (fence < 0)
		return fence;
	err = syncobj_import(drm, handle, fence);
	close(fence);
	return err;
}

/* The fence of binary syncobj @handle as a new sync file, or -errno. */
static int syncobj_export(int drm, __u32 handle)
{
	struct drm_syncobj_handle h = {
		.handle = handle,
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
		.fd = -1,
	};
	int err = xioctl(drm, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h);

	return err ? err : h.fd;
}

static int syncobj_wait(int drm, __u32 *handles, __u32 count, __u32 flags,
			__s64 deadline, __u32 *first)
{
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)handles,
		.count_handles = count,
		.flags = flags,
		.timeout_nsec = deadline,
		.first_signaled = ~0u,
	};
	int err = xioctl(drm, DRM_IOCTL_SYNCOBJ_WAIT, &w);

	if (first)
		*first = w.first_signaled;
	return err;
}

static int timeline_wait(int drm, __u32 handle, __u64 point, __u32 flags,
			 __s64 deadline)
{
	struct drm_syncobj_timeline_wait w = {
		.handles = (uintptr_t)&handle,
		.points = (uintptr_t)&point,
		.count_handles = 1,
		.flags = flags,
		.timeout_nsec = deadline,
	};

	return xioctl(drm, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w);
}

/* The timeline's last signaled point (or last submitted, with the flag). */
static __u64 timeline_query(int drm, __u32 handle, __u32 flags)
{
	struct drm_syncobj_timeline_array q = {
		.handles = (uintptr_t)&handle,
		.count_handles = 1,
		.flags = flags,
	};
	__u64 point = ~0ull;

	q.points = (uintptr_t)&point;
	if (xioctl(drm, DRM_IOCTL_SYNCOBJ_QUERY, &q))
		return ~0ull;
	return point;
}

static int transfer(int drm, __u32 src, __u64 src_point, __u32 dst,
		    __u64 dst_point)
{
	struct drm_syncobj_transfer t = {
		.src_handle = src, .src_point = src_point,
		.dst_handle = dst, .dst_point = dst_point,
	};

	return xioctl(drm, DRM_IOCTL_SYNCOBJ_TRANSFER, &t);
}

/* Status of a sync file: 1 signaled, 0 pending, <0 error. */
static int sync_status(int fd)
{
	struct sync_file_info info = {};

	if (ioctl(fd, SYNC_IOC_FILE_INFO, &info))
		return -errno;
	return info.status;
}

FIXTURE(syncobj) {
	int drm;
	int tl;
	int fds;
};

FIXTURE_SETUP(syncobj)
{
	self->fds = count_fds();
	self->drm = DRM_OR_SKIP("dmabuf-syncobj", "CONFIG_DMABUF_SYNCOBJ_TEST");
	self->tl = TIMELINE_OR_SKIP(O_RDWR | O_CLOEXEC);
}

FIXTURE_TEARDOWN(syncobj)
{
	close(self->tl);
	close(self->drm);
	/* Every syncobj, sync file and fence fd of the test is gone. */
	EXPECT_EQ(self->fds, count_fds());
}

TEST_F(syncobj, device_offers_binary_and_timeline_syncobjs)
{
	struct drm_get_cap cap = { .capability = DRM_CAP_SYNCOBJ };

	ASSERT_EQ(0, xioctl(self->drm, DRM_IOCTL_GET_CAP, &cap));
	EXPECT_EQ(1, cap.value);
	cap.capability = DRM_CAP_SYNCOBJ_TIMELINE;
	cap.value = 0;
	ASSERT_EQ(0, xioctl(self->drm, DRM_IOCTL_GET_CAP, &cap));
	EXPECT_EQ(1, cap.value);
}

TEST_F(syncobj, imported_sw_sync_fence_gates_the_wait)
{
	__u32 h;

	ASSERT_EQ(0, syncobj_new(self->drm, 0, &h));
	/* No fence yet: a plain wait is refused, a submit-wait times out. */
	EXPECT_EQ(-EINVAL, syncobj_wait(self->drm, &h, 1, 0, 0, NULL));
	EXPECT_EQ(-ETIME, syncobj_wait(self->drm, &h, 1,
				       DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
				       deadline_ms(20), NULL));

	ASSERT_EQ(0, syncobj_import_point(self->drm, h, self->tl, 1));
	EXPECT_EQ(-ETIME, syncobj_wait(self->drm, &h, 1, 0, deadline_ms(20),
				       NULL));
	ASSERT_EQ(0, timeline_inc(self->tl, 1));
	EXPECT_EQ(0, syncobj_wait(self->drm, &h, 1, 0, deadline_ms(1000),
				  NULL));
	/* Created signaled: a stub fence that is already done. */
	ASSERT_EQ(0, syncobj_new(self->drm, DRM_SYNCOBJ_CREATE_SIGNALED, &h));
	EXPECT_EQ(0, syncobj_wait(self->drm, &h, 1, 0, 0, NULL));
}

TEST_F(syncobj, exported_sync_file_follows_the_fence)
{
	struct pollfd p = { .events = POLLIN };
	__u32 h;

	ASSERT_EQ(0, syncobj_new(self->drm, 0, &h));
	/* Nothing to export from an empty syncobj. */
	EXPECT_EQ(-EINVAL, syncobj_export(self->drm, h));

	ASSERT_EQ(0, syncobj_import_point(self->drm, h, self->tl, 1));

	p.fd = syncobj_export(self->drm, h);
	ASSERT_GE(p.fd, 0);
	EXPECT_EQ(0, sync_status(p.fd));
	EXPECT_EQ(0, poll(&p, 1, 0));
	ASSERT_EQ(0, timeline_inc(self->tl, 1));
	EXPECT_EQ(1, poll(&p, 1, 1000));
	EXPECT_EQ(POLLIN, p.revents);
	EXPECT_EQ(1, sync_status(p.fd));
	close(p.fd);
}

TEST_F(syncobj, wait_any_reports_the_first_signaled)
{
	__u32 h[3], first;
	int i;

	/* Points 3, 1 and 2 of one timeline; only point 1 will signal. */
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, syncobj_new(self->drm, 0, &h[i]));
		ASSERT_EQ(0, syncobj_import_point(self->drm, h[i],
						  self->tl, i ? i : 3));
	}
	EXPECT_EQ(-ETIME, syncobj_wait(self->drm, h, 3, 0, deadline_ms(10),
				       &first));
	ASSERT_EQ(0, timeline_inc(self->tl, 1));
	EXPECT_EQ(0, syncobj_wait(self->drm, h, 3, 0, deadline_ms(1000),
				  &first));
	EXPECT_EQ(1, first);
	EXPECT_EQ(-ETIME, syncobj_wait(self->drm, h, 3,
				       DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
				       deadline_ms(10), NULL));
	ASSERT_EQ(0, timeline_inc(self->tl, 2));
	EXPECT_EQ(0, syncobj_wait(self->drm, h, 3,
				  DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
				  deadline_ms(1000), NULL));
}

struct waiter {
	int drm;
	__u32 handle;
	__u32 flags;
	int result;
	__s64 took_ns;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;
	__s64 start = now_ns();

	w->result = syncobj_wait(w->drm, &w->handle, 1, w->flags,
				 deadline_ms(10000), NULL);
	w->took_ns = now_ns() - start;
	return NULL;
}

/* Start @w's wait on a thread of its own, and give it 50 ms to sleep. */
static void waiter_start(struct __test_metadata *_metadata, struct waiter *w,
			 pthread_t *thread)
{
	ASSERT_EQ(0, pthread_create(thread, NULL, wait_thread, w));
	usleep(50 * 1000);
}

/*
 * Signal the next point of @tl: @w's thread returns 0, woken by the fence
 * callback, not by its 10 s deadline.
 */
static void waiter_woken(struct __test_metadata *_metadata, struct waiter *w,
			 pthread_t thread, int tl)
{
	ASSERT_EQ(0, timeline_inc(tl, 1));
	ASSERT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(0, w->result);
	EXPECT_LT(w->took_ns, 5000 * NSEC_PER_MSEC);
}

TEST_F(syncobj, sleeping_waiter_wakes_on_signal)
{
	struct waiter w = { .drm = self->drm };
	pthread_t thread;

	ASSERT_EQ(0, syncobj_new(self->drm, 0, &w.handle));
	ASSERT_EQ(0, syncobj_import_point(self->drm, w.handle, self->tl, 1));
	waiter_start(_metadata, &w, &thread);
	waiter_woken(_metadata, &w, thread, self->tl);
}

TEST_F(syncobj, submit_waiter_wakes_when_a_fence_arrives)
{
	struct waiter w = {
		.drm = self->drm,
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
	};
	pthread_t thread;

	ASSERT_EQ(0, syncobj_new(self->drm, 0, &w.handle));
	waiter_start(_metadata, &w, &thread);
	ASSERT_EQ(0, syncobj_import_point(self->drm, w.handle, self->tl, 1));
	usleep(50 * 1000);
	waiter_woken(_metadata, &w, thread, self->tl);
}

TEST_F(syncobj, timeline_points_are_chain_links)
{
	const __u32 submitted = DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED;
	__u32 tl_obj, bin;
	__u64 point;
	int fence;

	ASSERT_EQ(0, syncobj_new(self->drm, 0, &tl_obj));
	ASSERT_EQ(0, syncobj_new(self->drm, 0, &bin));
	/* Points 1..4 backed by sw_sync points 1..4 of one timeline. */
	for (point = 1; point <= 4; point++) {
		ASSERT_EQ(0, syncobj_import_point(self->drm, bin,
						  self->tl, point));
		ASSERT_EQ(0, transfer(self->drm, bin, 0, tl_obj, point));
	}
	EXPECT_EQ(4, timeline_query(self->drm, tl_obj, submitted));
	EXPECT_EQ(0, timeline_query(self->drm, tl_obj, 0));

	ASSERT_EQ(0, timeline_inc(self->tl, 1));
	EXPECT_EQ(1, timeline_query(self->drm, tl_obj, 0));
	EXPECT_EQ(0, timeline_wait(self->drm, tl_obj, 1, 0, deadline_ms(100)));
	EXPECT_EQ(-ETIME, timeline_wait(self->drm, tl_obj, 3, 0,
					deadline_ms(10)));
	/* Point 3 taken out as a binary fence and exported. */
	ASSERT_EQ(0, transfer(self->drm, tl_obj, 3, bin, 0));
	fence = syncobj_export(self->drm, bin);
	ASSERT_GE(fence, 0);
	EXPECT_EQ(0, sync_status(fence));

	ASSERT_EQ(0, timeline_inc(self->tl, 2));
	EXPECT_EQ(0, timeline_wait(self->drm, tl_obj, 3, 0,
				   deadline_ms(1000)));
	EXPECT_EQ(3, timeline_query(self->drm, tl_obj, 0));
	EXPECT_EQ(1, sync_status(fence));
	close(fence);
	EXPECT_EQ(-ETIME, timeline_wait(self->drm, tl_obj, 4, 0,
					deadline_ms(10)));
	/* A point beyond the last is not there yet; with AVAILABLE one can
	 * wait for it to be submitted.
	 */
	EXPECT_EQ(-EINVAL, timeline_wait(self->drm, tl_obj, 9, 0, 0));
	EXPECT_EQ(-ETIME, timeline_wait(self->drm, tl_obj, 9,
					DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE,
					deadline_ms(10)));
	ASSERT_EQ(0, timeline_inc(self->tl, 1));
	EXPECT_EQ(4, timeline_query(self->drm, tl_obj, 0));
}

TEST_F(syncobj, cpu_signal_and_reset)
{
	struct drm_syncobj_timeline_array ta = { .count_handles = 1 };
	struct drm_syncobj_array a = { .count_handles = 1 };
	__u32 tl_obj, bin;
	__u64 point = 5;

	ASSERT_EQ(0, syncobj_new(self->drm, 0, &tl_obj));
	ta.handles = (uintptr_t)&tl_obj;
	ta.points = (uintptr_t)&point;
	ASSERT_EQ(0, xioctl(self->drm, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &ta));
	EXPECT_EQ(5, timeline_query(self->drm, tl_obj, 0));
	EXPECT_EQ(0, timeline_wait(self->drm, tl_obj, 5, 0, 0));

	ASSERT_EQ(0, syncobj_new(self->drm, 0, &bin));
	a.handles = (uintptr_t)&bin;
	ASSERT_EQ(0, xioctl(self->drm, DRM_IOCTL_SYNCOBJ_SIGNAL, &a));
	EXPECT_EQ(0, syncobj_wait(self->drm, &bin, 1, 0, 0, NULL));
	ASSERT_EQ(0, xioctl(self->drm, DRM_IOCTL_SYNCOBJ_RESET, &a));
	EXPECT_EQ(-EINVAL, syncobj_wait(self->drm, &bin, 1, 0, 0, NULL));
}

TEST_F(syncobj, shared_between_files_as_an_fd)
{
	struct drm_syncobj_handle h = { .fd = -1 };
	__u32 mine, theirs;
	int other;

	other = open_drm("dmabuf-syncobj");
	ASSERT_GE(other, 0);
	ASSERT_EQ(0, syncobj_new(self->drm, 0, &mine));
	h.handle = mine;
	ASSERT_EQ(0, xioctl(self->drm, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h));
	ASSERT_GE(h.fd, 0);
	h.handle = 0;
	ASSERT_EQ(0, xioctl(other, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &h));
	theirs = h.handle;
	close(h.fd);

	/* One object: a fence put in through one file gates the other. */
	ASSERT_EQ(0, syncobj_import_point(self->drm, mine, self->tl, 1));
	EXPECT_EQ(-ETIME, syncobj_wait(other, &theirs, 1, 0, deadline_ms(10),
				       NULL));
	ASSERT_EQ(0, timeline_inc(self->tl, 1));
	EXPECT_EQ(0, syncobj_wait(other, &theirs, 1, 0, deadline_ms(1000),
				  NULL));
	close(other);
}

TEST_F(syncobj, implicit_fence_of_a_dma_buf)
{
	struct dma_buf_export_sync_file exp = { .flags = DMA_BUF_SYNC_READ };
	__u32 bo, vfence, h;
	int vgem, buf;

	vgem = VGEM_OR_SKIP();
	buf = vgem_dma_buf(vgem, 4096, &bo);
	ASSERT_GE(buf, 0);
	ASSERT_EQ(0, vgem_fence(vgem, bo, 1, &vfence));

	/* The writer's fence, out of the buffer's reservation object. */
	ASSERT_EQ(0, xioctl(buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &exp));
	ASSERT_EQ(0, syncobj_new(self->drm, 0, &h));
	ASSERT_EQ(0, syncobj_import(self->drm, h, exp.fd));
	close(exp.fd);
	EXPECT_EQ(-ETIME, syncobj_wait(self->drm, &h, 1, 0, deadline_ms(10),
				       NULL));
	ASSERT_EQ(0, vgem_signal(vgem, vfence));
	EXPECT_EQ(0, syncobj_wait(self->drm, &h, 1, 0, deadline_ms(1000),
				  NULL));
	close(buf);
	close(vgem);
}

TEST_F(syncobj, bad_input_gets_its_errno)
{
	struct drm_syncobj_destroy d = { .handle = 12345 };
	struct drm_syncobj_create c = { .flags = 2 };
	struct drm_syncobj_handle h = { .fd = -1 };
	struct drm_syncobj_wait w = { .count_handles = 1 };
	struct drm_syncobj_timeline_array ta = {
		.count_handles = 1, .flags = 1u << 5,
	};
	__u32 bin, unknown = 12345;
	__u64 point;
	int null, fence;

	EXPECT_EQ(-EINVAL, xioctl(self->drm, DRM_IOCTL_SYNCOBJ_DESTROY, &d));
	EXPECT_EQ(-EINVAL, xioctl(self->drm, DRM_IOCTL_SYNCOBJ_CREATE, &c));
	ASSERT_EQ(0, syncobj_new(self->drm, 0, &bin));

	/* Only sync files import as fences, only syncobj files as objects. */
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(null, 0);
	EXPECT_EQ(-EINVAL, syncobj_import(self->drm, bin, null));
	EXPECT_EQ(-EINVAL, syncobj_import(self->drm, bin, -1));
	fence = fence_create(self->tl, 1, "job");
	ASSERT_GE(fence, 0);
	EXPECT_EQ(-ENOENT, syncobj_import(self->drm, unknown, fence));
	h.fd = fence;
	EXPECT_EQ(-EINVAL, xioctl(self->drm, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE,
				  &h));
	h.fd = null;
	EXPECT_EQ(-EINVAL, xioctl(self->drm, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE,
				  &h));
	h.fd = -1;
	h.flags = 4;
	h.handle = bin;
	EXPECT_EQ(-EINVAL, xioctl(self->drm, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD,
				  &h));
	EXPECT_EQ(-ENOENT, syncobj_export(self->drm, unknown));

	/* Waits: unknown handles, bad arrays, bad flags, nothing to wait. */
	EXPECT_EQ(-ENOENT, syncobj_wait(self->drm, &unknown, 1, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, syncobj_wait(self->drm, &bin, 0, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, syncobj_wait(self->drm, &bin, 1, 1u << 7, 0, NULL));
	w.handles = (uintptr_t)KERNEL_PTR;
	EXPECT_EQ(-EFAULT, xioctl(self->drm, DRM_IOCTL_SYNCOBJ_WAIT, &w));
	EXPECT_EQ(-ENOENT, transfer(self->drm, unknown, 0, bin, 0));
	ta.handles = (uintptr_t)&bin;
	ta.points = (uintptr_t)&point;
	EXPECT_EQ(-EINVAL, xioctl(self->drm, DRM_IOCTL_SYNCOBJ_QUERY, &ta));
	ta.flags = 0;
	ta.points = (uintptr_t)KERNEL_PTR;
	EXPECT_EQ(-EFAULT, xioctl(self->drm, DRM_IOCTL_SYNCOBJ_QUERY, &ta));

	/* A refused import left the syncobj as it was: still empty. */
	EXPECT_EQ(-EINVAL, syncobj_wait(self->drm, &bin, 1, 0, 0, NULL));
	close(fence);
	close(null);
}

TEST_HARNESS_MAIN
