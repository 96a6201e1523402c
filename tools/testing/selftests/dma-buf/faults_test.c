// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every allocation and user copy on the uAPI paths, failed one at a time:
 * sw_sync, sync file merge and info, the dma-buf ioctls and mmap, heap
 * (system and CMA) and udmabuf allocation, CPU access to a udmabuf, PRIME
 * import and export through vgem, and vivid's import of a heap buffer
 * (which vmaps it).
 *
 * With CONFIG_FAULT_INJECTION, writing N to /proc/thread-self/fail-nth
 * makes the Nth fault point the thread meets fail: a slab or page
 * allocation (failslab, fail_page_alloc) or a copy to or from userspace
 * (fail_usercopy).  Each test repeats one call with N = 1, 2, 3... until
 * the call gets through without meeting the Nth point (a few times in a
 * row, for a call whose number of points varies), so that every point the
 * call passes has failed once.  After each failed call:
 *
 * - the error is one a caller can act on (ENOMEM, EFAULT);
 * - no descriptor was left behind, and a call that reported success
 *   returned a working one;
 * - the objects the call worked on still work.
 *
 * A full descriptor table is the other failure every call that makes a
 * descriptor meets: each such call then fails with EMFILE, as in 6.1,
 * leaving nothing behind.
 *
 * Leaks on the error paths show up in the kmemleak scan at the end of the
 * test boot, crashes and warnings as splats.  The fault attributes are set
 * through debugfs to count sleeping allocations too and to stay quiet.
 *
 * Needs root, debugfs, CONFIG_FAULT_INJECTION, CONFIG_FAILSLAB,
 * CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAULT_INJECTION_USERCOPY,
 * CONFIG_FAULT_INJECTION_DEBUG_FS, sw_sync, the system and CMA heaps,
 * udmabuf, vgem and vivid.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/sync_file.h>
#include <linux/udmabuf.h>

#include "../kselftest_harness.h"
#include "common.h"

#define MAX_POINTS 2000

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* Count sleeping and order-0 allocations too, and do not log each hit. */
static int setup_fault_attrs(void)
{
	static const char * const settings[][2] = {
		{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/failslab/verbose", "0" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/min-order", "0" },
		{ "/sys/kernel/debug/fail_page_alloc/verbose", "0" },
		{ "/sys/kernel/debug/fail_usercopy/verbose", "0" },
	};
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(settings); i++) {
		err = write_str(settings[i][0], settings[i][1]);
		if (err)
			return err;
	}
	return 0;
}

static int fail_nth_fd = -1;

static void arm(int n)
{
	char s[16];
	int len = snprintf(s, sizeof(s), "%d", n);

	/*
	 * Disarming with the point still ahead may fail this write's own
	 * copy from userspace, which uses the point up: then write again.
	 */
	while (pwrite(fail_nth_fd, s, len, 0) != len)
		if (errno != EFAULT)
			abort();
}

/* Disarm; true if the armed fault point was reached. */
static int disarm(void)
{
	char s[16] = "";
	ssize_t n = pread(fail_nth_fd, s, sizeof(s) - 1, 0);

	arm(0);
	/*
	 * A point left unreached may be met by this read's own copy to
	 * userspace, which then fails: the operation did not reach it.
	 */
	return n > 0 && atoi(s) == 0;
}

/*
 * One operation under test: returns 0 or -errno, and in *@made a
 * descriptor it created (or -1).  @works, if set, returns 0 when the
 * objects involved still work after a failure.  @slack: how many calls
 * in a row must get through before the points count as used up, for an
 * operation that meets a varying number of points (the CMA allocator
 * migrates whatever pages others have in its area at the time, a vmap
 * allocates what its address range lacks).
 */
struct op {
	const char *what;
	int (*call)(void *ctx, int *made);
	int (*works)(void *ctx);
	void *ctx;
	int drm;
	int slack;
};

/*
 * Two things DRM does in 6.1 that an op marked @drm is allowed.  Its
 * ioctl wrapper copies the result out after the handler has installed
 * the new fd (PRIME export): when that copy fails, the caller gets EFAULT
 * and the fd stays open, unknown to it.  Such a dma-buf fd is closed here
 * and counted; our own ioctls install an fd only after their copy out
 * succeeded, and are held to that.  And a GEM object's shmem file reports
 * a failed inode allocation as ENOSPC.
 */
static int close_orphan_dma_buf(int fds)
{
	char path[64], target[64];
	ssize_t n;
	int fd;

	for (fd = 1023; fd > 2; fd--) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = 0;
		if (strncmp(target, "/dmabuf:", 8))
			return 0;
		close(fd);
		return count_fds() == fds;
	}
	return 0;
}

static void run_faults(struct __test_metadata *_metadata, struct op *op)
{
	int n, err, made, fds, reached, hits = 0, orphans = 0, missed = 0;

	for (n = 1; n < MAX_POINTS && missed <= op->slack; n++) {
		fds = count_fds();
		made = -1;
		arm(n);
		err = op->call(op->ctx, &made);
		reached = disarm();
		if (!err) {
			/* Got through: what it made must be a real file. */
			EXPECT_EQ(0, made >= 0 ? fcntl(made, F_GETFD) < 0 : 0)
				TH_LOG("%s: fault %d: bad fd %d", op->what, n,
				       made);
			if (made >= 0)
				close(made);
		} else {
			EXPECT_TRUE(err == -ENOMEM || err == -EFAULT ||
				    (op->drm && err == -ENOSPC))
				TH_LOG("%s: fault %d: errno %d", op->what, n,
				       -err);
		}
		if (op->drm && err == -EFAULT &&
		    count_fds() == fds + 1 && close_orphan_dma_buf(fds))
			orphans++;
		EXPECT_EQ(fds, count_fds())
			TH_LOG("%s: fault %d: descriptor count", op->what, n);
		if (op->works)
			EXPECT_EQ(0, op->works(op->ctx))
				TH_LOG("%s: fault %d: broken afterwards",
				       op->what, n);
		hits += reached;
		missed = reached ? 0 : missed + 1;
		if (err && !reached)
			EXPECT_EQ(0, err) TH_LOG("%s: failed with no fault",
						 op->what);
	}
	ASSERT_LT(n, MAX_POINTS) TH_LOG("%s never got through", op->what);
	EXPECT_LT(0, hits);
	TH_LOG("%s: %d fault points, each failed once", op->what, hits);
	if (orphans)
		TH_LOG("%s: DRM left %d fd(s) behind on EFAULT", op->what,
		       orphans);
}

struct ctx {
	int tl, a, b, many, heap, ub, memfd, vgem, buf, heap_buf;
	int cma, ub_buf, ub_fresh, video, video_buf;
	size_t image;
	int timelines[64];
	__u32 value;
};

static int do_create_fence(void *p, int *made)
{
	struct ctx *c = p;
	struct sw_sync_create_fence_data d = { .value = ++c->value,
					       .name = "fault" };
	int err = xioctl(c->tl, SW_SYNC_IOC_CREATE_FENCE, &d);

	*made = err ? -1 : d.fence;
	return err;
}

/* The fences in the test still report and signal. */
static int fences_work(void *p)
{
	struct ctx *c = p;
	struct sync_file_info a = {}, many = {};

	return xioctl(c->a, SYNC_IOC_FILE_INFO, &a) ||
	       xioctl(c->many, SYNC_IOC_FILE_INFO, &many) ||
	       a.num_fences != 1 || many.num_fences != 64;
}

static int do_merge_two(void *p, int *made)
{
	struct ctx *c = p;
	struct sync_merge_data m = { .fd2 = c->b, .name = "two" };
	int err = xioctl(c->a, SYNC_IOC_MERGE, &m);

	*made = err ? -1 : m.fence;
	return err;
}

static int do_merge_many(void *p, int *made)
{
	struct ctx *c = p;
	struct sync_merge_data m = { .fd2 = c->a, .name = "many" };
	int err = xioctl(c->many, SYNC_IOC_MERGE, &m);

	*made = err ? -1 : m.fence;
	return err;
}

/* Touched before arming, so that no page fault in the test uses a point. */
static struct sync_fence_info fence_infos[64];

static int do_file_info(void *p, int *made)
{
	struct ctx *c = p;
	struct sync_file_info info = {
		.num_fences = 64, .sync_fence_info = (uintptr_t)fence_infos,
	};
	int err = xioctl(c->many, SYNC_IOC_FILE_INFO, &info);

	*made = -1;
	if (!err && info.num_fences != 64)
		return -EIO;
	return err;
}

static int heap_alloc(int heap, __u64 len, int *made)
{
	struct dma_heap_allocation_data d = {
		.len = len, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	int err = xioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d);

	*made = err ? -1 : (int)d.fd;
	return err;
}

static int do_heap_alloc(void *p, int *made)
{
	struct ctx *c = p;

	return heap_alloc(c->heap, 64 << 10, made);
}

/* One page: the system heap has no smaller chunk to fall back on. */
static int do_heap_alloc_page(void *p, int *made)
{
	struct ctx *c = p;

	return heap_alloc(c->heap, 4096, made);
}

static int do_cma_alloc(void *p, int *made)
{
	struct ctx *c = p;

	return heap_alloc(c->cma, 64 << 10, made);
}

/*
 * The allocation ioctl with a longer argument than ours, which the heap
 * copies through an allocated buffer: what follows our struct is zeros on
 * the way in and comes back as it was.
 */
struct long_alloc_arg {
	struct dma_heap_allocation_data d;
	__u8 tail[104];
};

#define DMA_HEAP_IOCTL_ALLOC_LONG \
	_IOWR(DMA_HEAP_IOC_MAGIC, 0x0, struct long_alloc_arg)

static int do_heap_alloc_long(void *p, int *made)
{
	struct ctx *c = p;
	struct long_alloc_arg arg = {
		.d = { .len = 4096, .fd_flags = O_RDWR | O_CLOEXEC },
	};
	int err = xioctl(c->heap, DMA_HEAP_IOCTL_ALLOC_LONG, &arg);

	*made = err ? -1 : (int)arg.d.fd;
	return err;
}

static int do_udmabuf(void *p, int *made)
{
	struct ctx *c = p;
	struct udmabuf_create uc = {
		.memfd = c->memfd, .flags = UDMABUF_FLAGS_CLOEXEC,
		.size = 64 << 10,
	};
	int fd = ioctl(c->ub, UDMABUF_CREATE, &uc);

	*made = fd;
	return fd < 0 ? -errno : 0;
}

static int do_export_sync_file(void *p, int *made)
{
	struct ctx *c = p;
	struct dma_buf_export_sync_file e = { .flags = DMA_BUF_SYNC_RW };
	int err = xioctl(c->buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &e);

	*made = err ? -1 : e.fd;
	return err;
}

static int do_import_sync_file(void *p, int *made)
{
	struct ctx *c = p;
	struct dma_buf_import_sync_file i = {
		.flags = DMA_BUF_SYNC_WRITE, .fd = c->a,
	};

	*made = -1;
	return xioctl(c->buf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &i);
}

static int do_mmap(void *p, int *made)
{
	struct ctx *c = p;
	void *map = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED,
			 c->heap_buf, 0);

	*made = -1;
	if (map == MAP_FAILED)
		return -errno;
	munmap(map, 8192);
	return 0;
}

/* vgem imports a buffer and lets it go: our attach and map, DRM's import. */
static int prime_import(int vgem, int buf)
{
	struct drm_prime_handle h = { .fd = buf };
	struct drm_gem_close gc = {};
	int err = xioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &h);

	if (err)
		return err;
	gc.handle = h.handle;
	return xioctl(vgem, DRM_IOCTL_GEM_CLOSE, &gc);
}

static int do_prime_import(void *p, int *made)
{
	struct ctx *c = p;

	*made = -1;
	return prime_import(c->vgem, c->heap_buf);
}

static int do_prime_import_udmabuf(void *p, int *made)
{
	struct ctx *c = p;

	*made = -1;
	return prime_import(c->vgem, c->ub_buf);
}

/* The udmabuf still maps for vgem and for the CPU. */
static int udmabuf_works(void *p)
{
	struct ctx *c = p;
	unsigned char *map;

	if (prime_import(c->vgem, c->ub_buf))
		return -1;
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, c->ub_buf, 0);
	if (map == MAP_FAILED)
		return -1;
	munmap(map, 4096);
	return 0;
}

static int udmabuf_sync(int buf, __u64 flags)
{
	struct dma_buf_sync s = { .flags = flags | DMA_BUF_SYNC_RW };

	return xioctl(buf, DMA_BUF_IOCTL_SYNC, &s);
}

/*
 * The first DMA_BUF_IOCTL_SYNC start of a udmabuf maps its pages for the
 * misc device, which later syncs reuse: each round gets a udmabuf whose
 * CPU access never began.
 */
static int do_udmabuf_first_sync(void *p, int *made)
{
	struct ctx *c = p;
	int err = udmabuf_sync(c->ub_fresh, DMA_BUF_SYNC_START);

	*made = -1;
	return err ?: udmabuf_sync(c->ub_fresh, DMA_BUF_SYNC_END);
}

/*
 * After a failed start nothing began, and an end is EINVAL as in 6.1; a
 * new start then maps the pages.  The next round gets a new buffer.
 */
static int udmabuf_syncs_and_renew(void *p)
{
	struct ctx *c = p;
	struct udmabuf_create uc = {
		.memfd = c->memfd, .flags = UDMABUF_FLAGS_CLOEXEC,
		.size = 64 << 10,
	};
	int err = udmabuf_sync(c->ub_fresh, DMA_BUF_SYNC_END);

	if (err && err != -EINVAL)
		return err;
	if (udmabuf_sync(c->ub_fresh, DMA_BUF_SYNC_START) ||
	    udmabuf_sync(c->ub_fresh, DMA_BUF_SYNC_END))
		return -1;
	close(c->ub_fresh);
	c->ub_fresh = ioctl(c->ub, UDMABUF_CREATE, &uc);
	return c->ub_fresh < 0 ? -1 : 0;
}

/*
 * vivid takes a heap buffer for capture: vb2's vmalloc allocator vmaps it
 * when it is queued (and vunmaps it when the queue lets it go).
 */
static int do_video_queue(void *p, int *made)
{
	struct ctx *c = p;

	*made = -1;
	return video_queue_dmabuf(c->video, c->video_buf, c->image);
}

/*
 * The queue is emptied and made again, and the buffer, queued anew,
 * fills with vivid's picture.
 */
static int video_buf_works(void *p)
{
	struct ctx *c = p;

	return video_request_dmabufs(c->video, 0) ||
	       video_request_dmabufs(c->video, 1) ||
	       video_queue_dmabuf(c->video, c->video_buf, c->image) ||
	       video_capture_queued(c->video) ||
	       video_request_dmabufs(c->video, 0) ||
	       video_request_dmabufs(c->video, 1);
}

/* vgem exports a new object: our dma_buf_export behind DRM's PRIME. */
static int do_prime_export(void *p, int *made)
{
	struct ctx *c = p;
	struct drm_gem_close gc = {};
	__u32 handle = 0;
	int fd = vgem_dma_buf(c->vgem, 4096, &handle);

	*made = fd;
	if (handle) {
		gc.handle = handle;
		ioctl(c->vgem, DRM_IOCTL_GEM_CLOSE, &gc);
	}
	return fd < 0 ? fd : 0;
}

/* The heap buffer still maps and imports. */
static int heap_buf_works(void *p)
{
	int made;

	return do_mmap(p, &made) || do_prime_import(p, &made);
}

static int do_set_name(void *p, int *made)
{
	struct ctx *c = p;

	*made = -1;
	return xioctl(c->buf, DMA_BUF_SET_NAME_B, "under-faults");
}

/* The buffer still answers: its fences export and its name reads. */
static int buffer_works(void *p)
{
	struct ctx *c = p;
	struct dma_buf_export_sync_file e = { .flags = DMA_BUF_SYNC_RW };

	if (xioctl(c->buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &e))
		return -1;
	close(e.fd);
	return 0;
}

FIXTURE(faults) {
	struct ctx c;
};

FIXTURE_SETUP(faults)
{
	struct ctx *c = &self->c;
	__u32 handle;
	int i;

	NEEDS(!setup_fault_attrs(),
	      "no failslab, fail_page_alloc or fail_usercopy in debugfs");
	fail_nth_fd = OPEN_OR_SKIP("/proc/thread-self/fail-nth",
				   O_RDWR | O_CLOEXEC, "CONFIG_FAULT_INJECTION");

	c->tl = TIMELINE_OR_SKIP(O_RDWR | O_CLOEXEC);
	c->value = 1000;
	c->a = fence_create(c->tl, 1, "a");
	c->b = fence_create(c->tl, 2, "b");
	ASSERT_GE(c->a, 0);
	ASSERT_GE(c->b, 0);
	/* 64 fences on 64 timelines, merged into one sync file. */
	c->many = -1;
	for (i = 0; i < 64; i++) {
		int tl = open(SW_SYNC_PATH, O_RDWR | O_CLOEXEC);
		int f = fence_create(tl, 1, "many");
		struct sync_merge_data m = { .fd2 = f, .name = "many" };

		/* Open timelines keep their fences pending. */
		c->timelines[i] = tl;
		ASSERT_GE(f, 0);
		if (c->many < 0) {
			c->many = f;
			continue;
		}
		ASSERT_EQ(0, xioctl(c->many, SYNC_IOC_MERGE, &m));
		close(c->many);
		close(f);
		c->many = m.fence;
	}

	c->heap = OPEN_OR_SKIP("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC,
			       "CONFIG_DMABUF_HEAPS_SYSTEM");
	c->ub = OPEN_OR_SKIP("/dev/udmabuf", O_RDWR | O_CLOEXEC,
			     "CONFIG_UDMABUF");
	c->memfd = memfd_create("faults", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	ASSERT_GE(c->memfd, 0);
	ASSERT_EQ(0, ftruncate(c->memfd, 64 << 10));
	ASSERT_EQ(0, fcntl(c->memfd, F_ADD_SEALS, F_SEAL_SHRINK));
	c->vgem = VGEM_OR_SKIP();
	c->buf = vgem_dma_buf(c->vgem, 8192, &handle);
	ASSERT_GE(c->buf, 0);
	c->heap_buf = -1;
	ASSERT_EQ(0, do_heap_alloc(c, &c->heap_buf));
	c->cma = OPEN_OR_SKIP("/dev/dma_heap/reserved", O_RDONLY | O_CLOEXEC,
			      "CONFIG_DMABUF_HEAPS_CMA, cma= on the command line");
	c->ub_buf = -1;
	ASSERT_EQ(0, do_udmabuf(c, &c->ub_buf));
	c->ub_fresh = -1;
	ASSERT_EQ(0, do_udmabuf(c, &c->ub_fresh));
	c->video = CAPTURE_OR_SKIP();
	c->image = video_image_size(c->video);
	ASSERT_LT(0, c->image);
	c->image = (c->image + 4095) & ~4095UL;
	ASSERT_EQ(0, heap_alloc(c->heap, c->image, &c->video_buf));
	ASSERT_EQ(0, video_request_dmabufs(c->video, 1));
	memset(fence_infos, 0, sizeof(fence_infos));
}

FIXTURE_TEARDOWN(faults)
{
	struct ctx *c = &self->c;
	int i;

	arm(0);
	video_request_dmabufs(c->video, 0);
	close(c->video_buf);
	close(c->video);
	close(c->ub_fresh);
	close(c->ub_buf);
	close(c->cma);
	for (i = 0; i < 64; i++)
		close(c->timelines[i]);
	close(c->heap_buf);
	close(c->buf);
	close(c->vgem);
	close(c->memfd);
	close(c->ub);
	close(c->heap);
	close(c->many);
	close(c->b);
	close(c->a);
	close(c->tl);
	close(fail_nth_fd);
}

TEST_F(faults, sw_sync_create_fence)
{
	struct op op = { "SW_SYNC_IOC_CREATE_FENCE", do_create_fence,
			 fences_work, &self->c };

	run_faults(_metadata, &op);
}

TEST_F(faults, sync_file_merge)
{
	struct op two = { "SYNC_IOC_MERGE of 2", do_merge_two, fences_work,
			  &self->c };
	struct op many = { "SYNC_IOC_MERGE of 65", do_merge_many, fences_work,
			   &self->c };

	run_faults(_metadata, &two);
	run_faults(_metadata, &many);
}

TEST_F(faults, sync_file_info)
{
	struct op op = { "SYNC_IOC_FILE_INFO of 64", do_file_info,
			 fences_work, &self->c };

	run_faults(_metadata, &op);
}

/*
 * Seven passes of some 30 points each, and CMA migrating pages: beyond
 * the harness's default 30 s under TCG with KASAN on a loaded host.
 */
TEST_F_TIMEOUT(faults, heap_alloc, 180)
{
	struct op op = { "DMA_HEAP_IOCTL_ALLOC", do_heap_alloc, NULL,
			 &self->c };
	struct op page = { "DMA_HEAP_IOCTL_ALLOC of a page",
			   do_heap_alloc_page, NULL, &self->c };
	struct op cma = { "DMA_HEAP_IOCTL_ALLOC from CMA", do_cma_alloc, NULL,
			  &self->c, .slack = 16 };
	struct op longer = { "DMA_HEAP_IOCTL_ALLOC, longer argument",
			     do_heap_alloc_long, NULL, &self->c };
	int pass;

	run_faults(_metadata, &op);
	/*
	 * Where a point falls differs from call to call (the CMA allocator
	 * migrates what others have in its area, a slab may need a new page
	 * first), so one pass may step over the point of interest (the one
	 * page, the CMA heap's scatter table): three passes each.
	 */
	for (pass = 0; pass < 3; pass++) {
		run_faults(_metadata, &page);
		run_faults(_metadata, &cma);
	}
	run_faults(_metadata, &longer);
}

TEST_F(faults, udmabuf_create)
{
	struct op op = { "UDMABUF_CREATE", do_udmabuf, NULL, &self->c };

	run_faults(_metadata, &op);
}

TEST_F(faults, udmabuf_import_and_cpu_access)
{
	struct op imp = { "PRIME import of a udmabuf into vgem",
			  do_prime_import_udmabuf, udmabuf_works, &self->c };
	struct op sync = { "first DMA_BUF_IOCTL_SYNC of a udmabuf",
			   do_udmabuf_first_sync, udmabuf_syncs_and_renew,
			   &self->c };

	run_faults(_metadata, &imp);
	run_faults(_metadata, &sync);
}

TEST_F(faults, vivid_vmaps_a_heap_buffer)
{
	/* KASAN shadow for the new vmap area is made only where missing. */
	struct op op = { "VIDIOC_QBUF of a heap buffer", do_video_queue,
			 video_buf_works, &self->c, .slack = 8 };

	run_faults(_metadata, &op);
}

TEST_F(faults, dma_buf_ioctls)
{
	/* Its copy out was seen failed in some boots only: give it slack. */
	struct op exp = { "DMA_BUF_IOCTL_EXPORT_SYNC_FILE",
			  do_export_sync_file, buffer_works, &self->c,
			  .slack = 4 };
	struct op imp = { "DMA_BUF_IOCTL_IMPORT_SYNC_FILE",
			  do_import_sync_file, buffer_works, &self->c };
	struct op name = { "DMA_BUF_SET_NAME", do_set_name, buffer_works,
			   &self->c };

	run_faults(_metadata, &imp);
	run_faults(_metadata, &exp);
	run_faults(_metadata, &name);
}

TEST_F(faults, mmap_and_prime)
{
	struct op map = { "mmap of a heap buffer", do_mmap, heap_buf_works,
			  &self->c };
	struct op imp = { "PRIME import into vgem", do_prime_import,
			  heap_buf_works, &self->c };
	struct op exp = { "PRIME export from vgem", do_prime_export, NULL,
			  &self->c, .drm = 1 };

	run_faults(_metadata, &map);
	run_faults(_metadata, &imp);
	run_faults(_metadata, &exp);
}

/* Bad arguments that only a free descriptor lets the call look at. */
static int do_create_fence_null(void *p, int *made)
{
	struct ctx *c = p;

	*made = -1;
	return xioctl(c->tl, SW_SYNC_IOC_CREATE_FENCE, NULL);
}

static int do_merge_bad_fd(void *p, int *made)
{
	struct ctx *c = p;
	struct sync_merge_data m = { .fd2 = -1, .name = "bad" };

	*made = -1;
	return xioctl(c->a, SYNC_IOC_MERGE, &m);
}

/*
 * RLIMIT_NOFILE at the lowest free descriptor: no new one can be had.
 * Every call that makes a descriptor fails with EMFILE, after making
 * whatever it makes first (the heap and udmabuf build their buffer, the
 * export its sync file), and frees that again.  sw_sync and the merge
 * reserve the descriptor before they read their arguments, so bad ones
 * get EMFILE too (6.1's order).
 */
TEST_F(faults, full_descriptor_table)
{
	struct op ops[] = {
		{ "SW_SYNC_IOC_CREATE_FENCE", do_create_fence, fences_work },
		{ "SW_SYNC_IOC_CREATE_FENCE(NULL)", do_create_fence_null,
		  fences_work },
		{ "SYNC_IOC_MERGE", do_merge_two, fences_work },
		{ "SYNC_IOC_MERGE of fd -1", do_merge_bad_fd, fences_work },
		{ "DMA_BUF_IOCTL_EXPORT_SYNC_FILE", do_export_sync_file,
		  buffer_works },
		{ "DMA_HEAP_IOCTL_ALLOC", do_heap_alloc, heap_buf_works },
		{ "UDMABUF_CREATE", do_udmabuf, NULL },
		{ "PRIME export from vgem", do_prime_export, NULL },
	};
	struct rlimit old, full;
	int i, next, before, made, err;

	/* A pending fence in the buffer gives the export something to wrap. */
	ASSERT_EQ(0, do_import_sync_file(&self->c, &made));
	next = dup(0);
	ASSERT_GE(next, 0);
	close(next);
	before = count_fds();
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	full = old;
	full.rlim_cur = next;
	for (i = 0; i < (int)ARRAY_SIZE(ops); i++) {
		ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &full));
		made = -1;
		err = ops[i].call(&self->c, &made);
		ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
		EXPECT_EQ(-EMFILE, err) TH_LOG("%s", ops[i].what);
		if (made >= 0)
			close(made);
		EXPECT_EQ(before, count_fds()) TH_LOG("%s", ops[i].what);
		if (ops[i].works)
			EXPECT_EQ(0, ops[i].works(&self->c))
				TH_LOG("%s", ops[i].what);
	}
}

TEST_HARNESS_MAIN
