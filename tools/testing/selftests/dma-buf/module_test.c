// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fences and buffers that outlive the module that made them.  Each test
 * loads dmabuf_modtest, a test module speaking dmabuf_modtest.h that is
 * not part of the kernel tree (MODTEST_KO names its file; by default
 * MODTEST_KO_PATH, and without it every test skips), with
 * finit_module() and unloads it with
 * delete_module(), as rmmod does, so that every refusal has its errno:
 *
 *  - a dma-buf pins its exporter (dma_buf_export() takes a reference on
 *    the owner): unloading fails with EAGAIN while an fd, a mapping or an
 *    importer holds the buffer, and succeeds once they are gone;
 *  - a fence pins nothing (dma_fence_ops has no owner in 6.1): unloading
 *    succeeds under open sync files, the module fails its fences with
 *    ENODEV on the way out, and they stay safe to poll, merge, give a
 *    deadline and close afterwards.  As in 6.1, SYNC_IOC_FILE_INFO and
 *    the dma_fence trace events ask the driver for its names even for
 *    signaled fences, so the test reads back what the gone driver's
 *    fences became only through files that do not ask for them, and
 *    turns the dma_fence events off while such fences live.
 *
 * Needs root, debugfs, CONFIG_MODULE_UNLOAD, CONFIG_SW_SYNC and
 * CONFIG_DRM_VGEM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>

#include "../kselftest_harness.h"
#include "common.h"
#include "dmabuf_modtest.h"

#define MODTEST_SYSFS "/sys/module/" MODTEST_NAME

/* Where the module is: MODTEST_KO, or where the test boot packs it. */
static const char *module_path(void)
{
	const char *path = getenv("MODTEST_KO");

	return path ? path : MODTEST_KO_PATH;
}

static int load_module(void)
{
	int fd, ret;

	fd = open(module_path(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* delete_module() as busybox's rmmod calls it: 0 or -errno. */
static int unload_module(void)
{
	return syscall(SYS_delete_module, MODTEST_NAME, O_NONBLOCK) ? -errno : 0;
}

static int module_loaded(void)
{
	return access(MODTEST_SYSFS, F_OK) == 0;
}

/* The module's reference count, or -1 when it is not loaded. */
static int module_refcnt(void)
{
	char text[16] = "";
	int fd, n;

	fd = open(MODTEST_SYSFS "/refcnt", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	return n > 0 ? atoi(text) : -1;
}

#define FENCE_EVENTS "/sys/kernel/tracing/events/dma_fence/enable"

/*
 * Turns every dma_fence trace event on or off.  Each event records the
 * fence's driver and timeline names, which calls into the driver: with
 * events on, a fence outliving its module oopses in 6.1 at its next
 * wait, signal or release.  A kernel without tracefs has nothing to do.
 */
static void fence_events(int on)
{
	int fd = open(FENCE_EVENTS, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, on ? "1" : "0", 1) != 1)
		perror(FENCE_EVENTS);
	close(fd);
}

/* Whether any dma_fence event is on ("1" or "X" for some). */
static int fence_events_on(void)
{
	char c = '0';
	int fd = open(FENCE_EVENTS, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (read(fd, &c, 1) != 1)
		c = '0';
	close(fd);
	return c != '0';
}

/* A sync file of a new fence of the module's, or -errno. */
static int modtest_fence(int ctl)
{
	struct modtest_fd arg = {};
	int ret = xioctl(ctl, MODTEST_IOC_FENCE, &arg);

	return ret ? ret : arg.fd;
}

/* A dma-buf of @size bytes the module exports, or -errno. */
static int modtest_buffer(int ctl, __u64 size)
{
	struct modtest_fd arg = { .size = size };
	int ret = xioctl(ctl, MODTEST_IOC_BUFFER, &arg);

	return ret ? ret : arg.fd;
}

/* SYNC_IOC_FILE_INFO with room for @n fences in @fences. */
static int file_info(int fd, struct sync_file_info *info,
		     struct sync_fence_info *fences, __u32 n)
{
	memset(info, 0, sizeof(*info));
	memset(fences, 0, n * sizeof(*fences));
	info->num_fences = n;
	info->sync_fence_info = (uintptr_t)fences;
	return xioctl(fd, SYNC_IOC_FILE_INFO, info);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct poller {
	int fd;
	int ret;
	short revents;
	long ms;
};

static void *poll_thread(void *arg)
{
	struct poller *p = arg;
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
	long start = now_ms();

	p->ret = poll(&pfd, 1, 10000);
	p->revents = pfd.revents;
	p->ms = now_ms() - start;
	return NULL;
}

FIXTURE(modtest) {
	int ctl;
};

FIXTURE_SETUP(modtest)
{
	int err;

	self->ctl = -1;
	/* A test that failed half-way may have left it loaded. */
	if (module_loaded())
		unload_module();
	ASSERT_FALSE(module_loaded());
	NEEDS(!access("/proc/modules", F_OK), "no CONFIG_MODULES");
	err = load_module();
	/* No module file, or not root. */
	NEEDS(err != -ENOENT && err != -EPERM, "cannot load %s: %s",
	      module_path(), strerror(-err));
	ASSERT_EQ(0, err);
	ASSERT_TRUE(module_loaded());
	self->ctl = open(MODTEST_CTL_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_GE(self->ctl, 0);
}

FIXTURE_TEARDOWN(modtest)
{
	if (self->ctl >= 0)
		close(self->ctl);
	if (module_loaded())
		unload_module();
}

TEST_F(modtest, control_file_pins_the_module)
{
	EXPECT_EQ(1, module_refcnt());
	EXPECT_EQ(-EAGAIN, unload_module());
	EXPECT_TRUE(module_loaded());

	ASSERT_EQ(0, close(self->ctl));
	self->ctl = -1;
	EXPECT_EQ(0, module_refcnt());
	ASSERT_EQ(0, unload_module());
	EXPECT_FALSE(module_loaded());
	EXPECT_EQ(-1, open(MODTEST_CTL_PATH, O_RDWR | O_CLOEXEC));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-ENOENT, unload_module());
}

TEST_F(modtest, bad_requests)
{
	struct modtest_fd arg = { .pad = 1 };
	int fds = count_fds();

	EXPECT_EQ(-EINVAL, xioctl(self->ctl, MODTEST_IOC_FENCE, &arg));
	arg.pad = 0;
	arg.size = 4096;
	EXPECT_EQ(-EINVAL, xioctl(self->ctl, MODTEST_IOC_FENCE, &arg));
	EXPECT_EQ(-EFAULT, xioctl(self->ctl, MODTEST_IOC_FENCE, NULL));
	EXPECT_EQ(-EFAULT, xioctl(self->ctl, MODTEST_IOC_FENCE, KERNEL_PTR));
	EXPECT_EQ(-EINVAL, modtest_buffer(self->ctl, 0));
	EXPECT_EQ(-EINVAL, modtest_buffer(self->ctl, 4095));
	EXPECT_EQ(-EINVAL, modtest_buffer(self->ctl, 4096 + 1));
	EXPECT_EQ(-EINVAL, modtest_buffer(self->ctl,
					  (MODTEST_MAX_PAGES + 1) * 4096ULL));
	EXPECT_EQ(-EFAULT, xioctl(self->ctl, MODTEST_IOC_BUFFER, KERNEL_PTR));
	EXPECT_EQ(-ENOTTY, xioctl(self->ctl, _IO(MODTEST_IOC_MAGIC, 0x7f),
				  NULL));
	EXPECT_EQ(fds, count_fds());
	/* Nothing was left behind to pin the module. */
	EXPECT_EQ(1, module_refcnt());
}

/*
 * As in 6.1, SYNC_IOC_FILE_INFO asks a fence's driver for its names
 * whether the fence has signaled or not, also for the name of a file
 * made from the fence alone: after the unload the test inspects the
 * module's fences only through files that do not ask for them (a named
 * merge whose leaves are another driver's, or no leaves at all).
 */
TEST_F(modtest, fences_outlive_the_module)
{
	struct sync_merge_data m = { .name = "merged" };
	struct sync_merge_data w = { .name = "watch" };
	struct sync_set_deadline dl = { .deadline_ns = 1 };
	struct pollfd pfd = { .events = POLLIN };
	struct sync_fence_info fi[2];
	struct sync_file_info info;
	struct poller p = {};
	int done, pending, tl, sw, watch, merged;
	int traced = fence_events_on();
	pthread_t t;

	fence_events(0);
	done = modtest_fence(self->ctl);
	ASSERT_GE(done, 0);
	ASSERT_EQ(0, xioctl(self->ctl, MODTEST_IOC_SIGNAL_ALL, NULL));
	pending = modtest_fence(self->ctl);
	ASSERT_GE(pending, 0);

	/* The driver names its fences, signaled or not. */
	ASSERT_EQ(0, file_info(pending, &info, fi, 1));
	EXPECT_EQ(0, info.status);
	EXPECT_STREQ(MODTEST_DRIVER_NAME, fi[0].driver_name);
	EXPECT_STREQ(MODTEST_TIMELINE_NAME, fi[0].obj_name);
	ASSERT_EQ(0, file_info(done, &info, fi, 1));
	EXPECT_EQ(1, info.status);
	EXPECT_STREQ(MODTEST_DRIVER_NAME, fi[0].driver_name);
	EXPECT_STREQ(MODTEST_TIMELINE_NAME, fi[0].obj_name);

	/* A named merge with a pending sw_sync fence, to read back later. */
	tl = TIMELINE_OR_SKIP(O_RDWR | O_CLOEXEC);
	sw = fence_create(tl, 1, "watch");
	ASSERT_GE(sw, 0);
	w.fd2 = sw;
	ASSERT_EQ(0, xioctl(pending, SYNC_IOC_MERGE, &w));
	watch = w.fence;
	EXPECT_EQ(0, close(sw));

	p.fd = pending;
	ASSERT_EQ(0, pthread_create(&t, NULL, poll_thread, &p));
	usleep(100 * 1000);

	/* Sync files do not pin the module: rmmod goes through under them. */
	ASSERT_EQ(0, close(self->ctl));
	self->ctl = -1;
	EXPECT_EQ(0, module_refcnt());
	ASSERT_EQ(0, unload_module());
	EXPECT_FALSE(module_loaded());

	/* Going away, the module failed its pending fence: the poll ends. */
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(1, p.ret);
	EXPECT_EQ(POLLIN, p.revents);
	EXPECT_LT(p.ms, 5000);

	/* Its error reaches the merge once the other part signals. */
	ASSERT_EQ(0, file_info(watch, &info, NULL, 0));
	EXPECT_EQ(0, info.status);
	ASSERT_EQ(0, timeline_inc(tl, 1));
	pfd.fd = watch;
	EXPECT_EQ(1, poll(&pfd, 1, 5000));
	ASSERT_EQ(0, file_info(watch, &info, NULL, 0));
	EXPECT_EQ(-ENODEV, info.status);
	EXPECT_STREQ("watch", info.name);
	EXPECT_EQ(2, info.num_fences);

	/* Polled, given a deadline and merged after the driver is gone. */
	pfd.fd = pending;
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents);
	EXPECT_EQ(0, xioctl(pending, SYNC_IOC_SET_DEADLINE, &dl));

	sw = fence_create(tl, 2, "after");
	ASSERT_GE(sw, 0);
	m.fd2 = sw;
	ASSERT_EQ(0, xioctl(pending, SYNC_IOC_MERGE, &m));
	merged = m.fence;
	/* As in 6.1, a merge leaves the signaled parts (and errors) out. */
	ASSERT_EQ(0, file_info(merged, &info, fi, 2));
	ASSERT_EQ(1, info.num_fences);
	EXPECT_EQ(0, info.status);
	EXPECT_STREQ("sw_sync", fi[0].driver_name);
	ASSERT_EQ(0, timeline_inc(tl, 1));
	ASSERT_EQ(0, file_info(merged, &info, fi, 2));
	EXPECT_EQ(1, info.status);
	/* Two signaled parts of the gone driver merge into a new stub. */
	m.fd2 = done;
	ASSERT_EQ(0, xioctl(pending, SYNC_IOC_MERGE, &m));
	ASSERT_EQ(0, file_info(m.fence, &info, fi, 2));
	ASSERT_EQ(1, info.num_fences);
	EXPECT_EQ(1, info.status);
	EXPECT_STREQ("stub", fi[0].driver_name);
	EXPECT_NE(0, fi[0].timestamp_ns);
	EXPECT_EQ(0, close(m.fence));

	/* The merges hold their own references: the last close frees all. */
	EXPECT_EQ(0, close(pending));
	EXPECT_EQ(0, close(done));
	EXPECT_EQ(0, close(sw));
	EXPECT_EQ(0, close(watch));
	EXPECT_EQ(0, close(merged));
	close(tl);
	/* The gone driver's last fence went with the last file. */
	fence_events(traced);
}

TEST_F(modtest, fence_in_a_buffer_outlives_the_module)
{
	struct dma_buf_import_sync_file imp = { .flags = DMA_BUF_SYNC_WRITE };
	struct dma_buf_export_sync_file exp = { .flags = DMA_BUF_SYNC_READ };
	struct pollfd pfd = { .events = POLLIN };
	int traced = fence_events_on();
	int vgem, buf, fence;
	__u32 handle;

	vgem = VGEM_OR_SKIP();
	fence_events(0);
	buf = vgem_dma_buf(vgem, 4096, &handle);
	ASSERT_GE(buf, 0);
	fence = modtest_fence(self->ctl);
	ASSERT_GE(fence, 0);
	imp.fd = fence;
	ASSERT_EQ(0, xioctl(buf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &imp));
	/* Only the buffer's reservation object holds the fence now. */
	ASSERT_EQ(0, close(fence));
	pfd.fd = buf;
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	ASSERT_EQ(0, close(self->ctl));
	self->ctl = -1;
	ASSERT_EQ(0, unload_module());

	EXPECT_EQ(1, poll(&pfd, 1, 5000));
	EXPECT_EQ(POLLIN, pfd.revents);
	/*
	 * The exported file may hold the gone driver's fence itself, whose
	 * names FILE_INFO would ask for (as 6.1 does): poll it only.
	 */
	ASSERT_EQ(0, xioctl(buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &exp));
	pfd.fd = exp.fd;
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents);
	EXPECT_EQ(0, close(exp.fd));
	EXPECT_EQ(0, close(buf));
	close(vgem);
	fence_events(traced);
}

TEST_F(modtest, dma_buf_fd_and_mapping_pin_the_exporter)
{
	size_t size = 2 * 4096;
	unsigned char *map;
	int buf;
	size_t i;

	buf = modtest_buffer(self->ctl, size);
	ASSERT_GE(buf, 0);
	ASSERT_EQ(0, close(self->ctl));
	self->ctl = -1;

	/* The buffer holds the module: dma_buf_export() took a reference. */
	EXPECT_EQ(1, module_refcnt());
	EXPECT_EQ(-EAGAIN, unload_module());
	EXPECT_TRUE(module_loaded());

	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, map);
	for (i = 0; i < size; i++)
		map[i] = i * 7;
	/* The mapping keeps the buffer, and so the module, alive. */
	ASSERT_EQ(0, close(buf));
	EXPECT_EQ(1, module_refcnt());
	EXPECT_EQ(-EAGAIN, unload_module());
	for (i = 0; i < size; i++)
		if (map[i] != (unsigned char)(i * 7))
			break;
	EXPECT_EQ(size, i);
	ASSERT_EQ(0, munmap(map, size));

	/* The last reference is gone: the module can go. */
	EXPECT_EQ(0, module_refcnt());
	ASSERT_EQ(0, unload_module());
	EXPECT_FALSE(module_loaded());
}

TEST_F(modtest, dma_buf_imported_by_vgem_pins_the_exporter)
{
	struct drm_prime_handle prime = {};
	struct drm_gem_close gc = {};
	int vgem, buf, ret, tries;

	vgem = VGEM_OR_SKIP();
	buf = modtest_buffer(self->ctl, 4096);
	ASSERT_GE(buf, 0);
	/* vgem attaches to the buffer and maps it. */
	prime.fd = buf;
	ASSERT_EQ(0, xioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &prime));
	ASSERT_EQ(0, close(buf));
	ASSERT_EQ(0, close(self->ctl));
	self->ctl = -1;

	EXPECT_EQ(1, module_refcnt());
	EXPECT_EQ(-EAGAIN, unload_module());

	gc.handle = prime.handle;
	ASSERT_EQ(0, xioctl(vgem, DRM_IOCTL_GEM_CLOSE, &gc));
	ASSERT_EQ(0, close(vgem));
	/* Should DRM drop the buffer from a worker, give it a moment. */
	for (tries = 0; tries < 20; tries++) {
		ret = unload_module();
		if (ret != -EAGAIN)
			break;
		usleep(50 * 1000);
	}
	ASSERT_EQ(0, ret);
	EXPECT_FALSE(module_loaded());
}

TEST_HARNESS_MAIN
