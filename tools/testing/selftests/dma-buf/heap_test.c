// SPDX-License-Identifier: GPL-2.0-only
/*
 * dma-buf heaps from userspace: the heaps listed in /dev/dma_heap,
 * buffers of several sizes from each, written and read back through
 * mmap under DMA_BUF_IOCTL_SYNC, the fd flags, every bad argument of
 * DMA_HEAP_IOCTL_ALLOC with its errno and no descriptor leaked, and a
 * heap buffer imported into vgem, sharing its bytes and vgem's fences,
 * vivid capturing into a heap buffer, a CMA area used up and given back,
 * and allocations cut short by SIGKILL giving back what they had.
 *
 * Needs root, devtmpfs on /dev, CONFIG_DMABUF_HEAPS_SYSTEM, and
 * CONFIG_DMABUF_HEAPS_CMA with a default CMA area (cma= on the command
 * line) for the "reserved" heap; vgem (CONFIG_DRM_VGEM) for the import,
 * vivid (CONFIG_VIDEO_VIVID) for the capture.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <drm/vgem_drm.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "../kselftest_harness.h"
#include "common.h"

#define HEAP_DIR "/dev/dma_heap"
#define KiB 1024UL
#define MiB (1024 * KiB)

static int open_heap(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), HEAP_DIR "/%s", name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* A buffer of @len bytes from @heap: its fd, or -errno. */
static int heap_alloc(int heap, __u64 len, __u32 fd_flags, __u64 heap_flags)
{
	struct dma_heap_allocation_data d = {
		.len = len, .fd_flags = fd_flags, .heap_flags = heap_flags,
	};

	if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d))
		return -errno;
	return d.fd;
}

static long usec_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000000L +
	       (t.tv_nsec - t0->tv_nsec) / 1000;
}

static int buf_sync(int buf, __u64 flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return ioctl(buf, DMA_BUF_IOCTL_SYNC, &s) ? -errno : 0;
}

/*
 * Patterns and checks go a 64-bit word at a time: under TCG a byte loop
 * over 64 MiB takes long enough to matter.  Lengths are whole pages.
 */
static uint64_t pattern(size_t word, unsigned int seed)
{
	return (word + seed) * 0x9e3779b97f4a7c15ULL;
}

/* 0 when the @len bytes at @p hold pattern(seed), else the first bad word + 1. */
static size_t check_pattern(const void *p, size_t len, unsigned int seed)
{
	const uint64_t *w = p;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (w[i] != pattern(i, seed))
			return i + 1;
	return 0;
}

static void fill_pattern(void *p, size_t len, unsigned int seed)
{
	uint64_t *w = p;
	size_t i;

	for (i = 0; i < len / 8; i++)
		w[i] = pattern(i, seed);
}

static int all_zero(const void *p, size_t len)
{
	const uint64_t *w = p;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (w[i])
			return 0;
	return 1;
}

TEST(lists_the_system_and_cma_heaps)
{
	DIR *dir = opendir(HEAP_DIR);
	int system = 0, cma = 0;
	struct dirent *e;

	NEEDS(dir, "no %s: %s (CONFIG_DMABUF_HEAPS)", HEAP_DIR,
	      strerror(errno));
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		TH_LOG("heap %s", e->d_name);
		system |= !strcmp(e->d_name, "system");
		cma |= !strcmp(e->d_name, "reserved");
	}
	closedir(dir);
	NEEDS(system, "no system heap (CONFIG_DMABUF_HEAPS_SYSTEM)");
	NEEDS(cma, "no CMA heap (CONFIG_DMABUF_HEAPS_CMA, cma=)");
}

FIXTURE(heap) {
	int heap;
	int fds_before;
};

FIXTURE_VARIANT(heap) {
	const char *name;
	const char *config;	/* the option that builds it */
	unsigned long sizes[6];
	unsigned long kill_size;
};

FIXTURE_VARIANT_ADD(heap, system) {
	.name = "system",
	.config = "CONFIG_DMABUF_HEAPS_SYSTEM",
	.sizes = { 4 * KiB, 64 * KiB, 1 * MiB + 4 * KiB, 16 * MiB, 64 * MiB },
	.kill_size = 64 * MiB,
};

/* kill_size: more than half the area, so that a leak shows. */
FIXTURE_VARIANT_ADD(heap, cma) {
	.name = "reserved",
	.config = "CONFIG_DMABUF_HEAPS_CMA, cma=",
	.sizes = { 4 * KiB, 12 * KiB, 1 * MiB, 4 * MiB },
	.kill_size = 24 * MiB,
};

FIXTURE_SETUP(heap)
{
	self->fds_before = count_fds();
	self->heap = open_heap(variant->name);
	NEEDS(self->heap >= 0, "heap %s: %s (%s)",
	      variant->name, strerror(errno), variant->config);
}

FIXTURE_TEARDOWN(heap)
{
	close(self->heap);
	EXPECT_EQ(self->fds_before, count_fds());
}

TEST_F(heap, allocates_zeroed_buffers_that_keep_what_is_written)
{
	const unsigned long *size;

	for (size = variant->sizes; *size; size++) {
		struct timespec t0;
		unsigned char *p;
		int buf;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		buf = heap_alloc(self->heap, *size, O_RDWR | O_CLOEXEC, 0);
		ASSERT_GE(buf, 0) TH_LOG("%lu bytes: %s", *size, strerror(-buf));
		ksft_print_msg("%s: %lu KiB allocated in %ld us\n", variant->name,
			       *size / KiB, usec_since(&t0));
		EXPECT_EQ((off_t)*size, lseek(buf, 0, SEEK_END));

		p = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
		ASSERT_NE(MAP_FAILED, p);
		ASSERT_EQ(0, buf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
		EXPECT_TRUE(all_zero(p, *size)) TH_LOG("%lu bytes", *size);
		fill_pattern(p, *size, 5);
		ASSERT_EQ(0, buf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
		munmap(p, *size);

		/* A fresh mapping sees the same bytes. */
		p = mmap(NULL, *size, PROT_READ, MAP_SHARED, buf, 0);
		ASSERT_NE(MAP_FAILED, p);
		ASSERT_EQ(0, buf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
		EXPECT_EQ(0, check_pattern(p, *size, 5)) TH_LOG("%lu bytes", *size);
		ASSERT_EQ(0, buf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
		munmap(p, *size);
		close(buf);
	}
}

TEST_F(heap, mmap_at_an_offset_sees_those_pages)
{
	/* Past 1 MiB, so that the window crosses a chunk of the system heap. */
	unsigned long size = 2 * MiB;
	unsigned char *all, *part;
	int buf;

	buf = heap_alloc(self->heap, size, O_RDWR, 0);
	ASSERT_GE(buf, 0);
	all = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, all);
	fill_pattern(all, size, 9);
	part = mmap(NULL, 3 * 4096, PROT_READ, MAP_SHARED, buf, 257 * 4096);
	ASSERT_NE(MAP_FAILED, part);
	EXPECT_EQ(0, memcmp(part, all + 257 * 4096, 3 * 4096));
	munmap(part, 3 * 4096);
	/* Past the end of the buffer. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * 4096, PROT_READ, MAP_SHARED, buf,
				   size - 4096));
	munmap(all, size);
	close(buf);
}

/*
 * As in 6.1 (the differential test saw both), neither heap maps a buffer
 * privately for writing: the CMA heap refuses every private mapping, the
 * system heap's page remapping a copy-on-write one.
 */
TEST_F(heap, private_mappings_as_6_1)
{
	unsigned char *p;
	int buf;

	buf = heap_alloc(self->heap, 2 * 4096, O_RDWR, 0);
	ASSERT_GE(buf, 0);
	p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, buf, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	if (p != MAP_FAILED)
		munmap(p, 2 * 4096);
	p = mmap(NULL, 2 * 4096, PROT_READ, MAP_SHARED, buf, 0);
	EXPECT_NE(MAP_FAILED, p);
	if (p != MAP_FAILED)
		munmap(p, 2 * 4096);
	close(buf);
}

TEST_F(heap, rounds_the_length_up_to_pages)
{
	int buf = heap_alloc(self->heap, 1, O_RDWR, 0);

	ASSERT_GE(buf, 0);
	EXPECT_EQ(getpagesize(), lseek(buf, 0, SEEK_END));
	close(buf);
	buf = heap_alloc(self->heap, 4097, O_RDWR, 0);
	ASSERT_GE(buf, 0);
	EXPECT_EQ(2 * getpagesize(), lseek(buf, 0, SEEK_END));
	close(buf);
}

/* The whole of a small sysfs file, or "" when it cannot be read. */
static const char *read_attr(const char *dir, const char *name)
{
	static char text[256];
	char path[160];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, text, sizeof(text) - 1);
		close(fd);
	}
	text[n > 0 ? n : 0] = '\0';
	return text;
}

#define SYSFS_STATS "/sys/kernel/dmabuf/buffers"

/*
 * CONFIG_DMABUF_SYSFS_STATS: /sys/kernel/dmabuf/buffers/<inode> holds
 * the buffer's exporter_name and size, read-only, for as long as the
 * buffer lives (its last fd, not its first, takes the entry away).
 */
TEST_F(heap, sysfs_stats_entry_lives_with_the_buffer)
{
	char dir[96], want[160];
	struct stat st;
	int buf, dup_fd;

	NEEDS(!access(SYSFS_STATS, F_OK), "no %s (CONFIG_DMABUF_SYSFS_STATS)",
	      SYSFS_STATS);
	buf = heap_alloc(self->heap, 3 * 4096 + 1, O_RDWR, 0);
	ASSERT_GE(buf, 0);
	ASSERT_EQ(0, fstat(buf, &st));
	snprintf(dir, sizeof(dir), SYSFS_STATS "/%lu", (unsigned long)st.st_ino);
	ASSERT_EQ(0, stat(dir, &st)) TH_LOG("no %s", dir);
	snprintf(want, sizeof(want), "%s\n", variant->name);
	EXPECT_STREQ(want, read_attr(dir, "exporter_name"));
	EXPECT_STREQ("16384\n", read_attr(dir, "size"));
	snprintf(want, sizeof(want), "%s/size", dir);
	ASSERT_EQ(0, stat(want, &st));
	EXPECT_EQ(0444, st.st_mode & 0777);
	EXPECT_EQ(-1, open(want, O_WRONLY));

	dup_fd = dup(buf);
	ASSERT_GE(dup_fd, 0);
	close(buf);
	EXPECT_EQ(0, stat(dir, &st));
	close(dup_fd);
	EXPECT_EQ(-1, stat(dir, &st));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(heap, fd_flags_reach_the_fd)
{
	unsigned char *p;
	int buf;

	buf = heap_alloc(self->heap, 4096, O_RDWR | O_CLOEXEC, 0);
	ASSERT_GE(buf, 0);
	EXPECT_EQ(FD_CLOEXEC, fcntl(buf, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(O_RDWR, fcntl(buf, F_GETFL) & O_ACCMODE);
	/*
	 * Close-on-exec belongs to the descriptor: as in 6.1, the file keeps
	 * only the access mode and O_NONBLOCK of the flags it was made with.
	 */
	EXPECT_EQ(0, fcntl(buf, F_GETFL) & O_CLOEXEC);
	close(buf);

	buf = heap_alloc(self->heap, 4096, O_RDONLY, 0);
	ASSERT_GE(buf, 0);
	EXPECT_EQ(0, fcntl(buf, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(O_RDONLY, fcntl(buf, F_GETFL) & O_ACCMODE);
	/* A read-only buffer fd cannot be mapped shared for writing. */
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EACCES, errno);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, 4096);
	close(buf);
}

TEST_F(heap, rejects_bad_flags_and_lengths)
{
	EXPECT_EQ(-EINVAL, heap_alloc(self->heap, 4096, O_NONBLOCK, 0));
	EXPECT_EQ(-EINVAL, heap_alloc(self->heap, 4096, O_RDWR | O_TRUNC, 0));
	EXPECT_EQ(-EINVAL, heap_alloc(self->heap, 4096, 0x80000000u, 0));
	EXPECT_EQ(-EINVAL, heap_alloc(self->heap, 4096, O_RDWR, 1));
	EXPECT_EQ(-EINVAL, heap_alloc(self->heap, 4096, O_RDWR, 1ULL << 63));
	EXPECT_EQ(-EINVAL, heap_alloc(self->heap, 0, O_RDWR, 0));
	/* More than the guest's memory, and more than any address space. */
	EXPECT_EQ(-ENOMEM, heap_alloc(self->heap, 1ULL << 40, O_RDWR, 0));
	EXPECT_EQ(-ENOMEM, heap_alloc(self->heap, 1ULL << 50, O_RDWR, 0));
	EXPECT_EQ(-ENOMEM, heap_alloc(self->heap, ~0ULL - 4095, O_RDWR, 0));
	/* Rounded up to pages these wrap to 0: EINVAL, as 6.1. */
	EXPECT_EQ(-EINVAL, heap_alloc(self->heap, ~0ULL, O_RDWR, 0));
	EXPECT_EQ(-EINVAL, heap_alloc(self->heap, ~0ULL - 4094, O_RDWR, 0));
	/* The heap still works afterwards. */
	EXPECT_EQ(0, close(heap_alloc(self->heap, 4096, O_RDWR, 0)));
}

TEST_F(heap, rejects_a_nonzero_fd_on_input)
{
	struct dma_heap_allocation_data d = {
		.len = 4096, .fd = 3, .fd_flags = O_RDWR,
	};

	EXPECT_EQ(-1, ioctl(self->heap, DMA_HEAP_IOCTL_ALLOC, &d));
	EXPECT_EQ(EINVAL, errno);
}

/* The descriptor the next allocation gets: the lowest free one. */
static int next_fd(int any)
{
	int fd = fcntl(any, F_DUPFD, 0);

	if (fd >= 0)
		close(fd);
	return fd;
}

/*
 * A buffer of @len the last ioctl installed at @fd without telling the
 * caller: true if it is there; closes it.
 */
static int unseen_buffer_at(int fd, off_t len)
{
	int there = lseek(fd, 0, SEEK_END) == len;

	close(fd);
	return there;
}

/*
 * 6.1 dispatches on the ioctl number alone and honours the direction
 * and size encoded in the command: a wrong number is EINVAL, any type
 * with number 0 allocates, without _IOC_WRITE nothing is read (length 0:
 * EINVAL), and without _IOC_READ the new fd is installed but not
 * written back.
 */
TEST_F(heap, rejects_bad_pointers_and_ioctls)
{
	struct dma_heap_allocation_data d = { .len = 4096, .fd_flags = O_RDWR };
	int fd;

	EXPECT_EQ(-1, ioctl(self->heap, DMA_HEAP_IOCTL_ALLOC, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->heap, DMA_HEAP_IOCTL_ALLOC, KERNEL_PTR));
	EXPECT_EQ(EFAULT, errno);
	/* Another number: EINVAL, whatever the type. */
	EXPECT_EQ(-1, ioctl(self->heap, _IOWR('H', 1, d), &d));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->heap, _IOWR('h', 7, d), &d));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->heap, _IOR('H', 0, d), &d));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->heap, _IO('H', 0)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, d.fd);

	/* Another type, same number: an allocation. */
	ASSERT_EQ(0, ioctl(self->heap, _IOWR('h', 0, d), &d));
	EXPECT_EQ(4096, lseek(d.fd, 0, SEEK_END));
	close(d.fd);
	d.fd = 0;
	/* Write-only commands: the fd exists but is not reported. */
	fd = next_fd(self->heap);
	ASSERT_EQ(0, ioctl(self->heap, _IOW('H', 0, d), &d));
	EXPECT_EQ(0, d.fd);
	EXPECT_TRUE(unseen_buffer_at(fd, 4096));
	fd = next_fd(self->heap);
	ASSERT_EQ(0, ioctl(self->heap, DMA_BUF_IOCTL_SYNC, &d));
	EXPECT_TRUE(unseen_buffer_at(fd, 4096));
}

/* Output lands in a struct whose end is unmapped: no fd may survive. */
TEST_F(heap, a_failed_copy_out_leaves_no_fd)
{
	long page = getpagesize();
	struct dma_heap_allocation_data *d;
	char *p;

	p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	/* Read-only: the kernel reads the request but cannot write back. */
	d = (void *)(p + page - sizeof(*d));
	memset(d, 0, sizeof(*d));
	d->len = 4096;
	d->fd_flags = O_RDWR;
	ASSERT_EQ(0, mprotect(p, 2 * page, PROT_READ));
	EXPECT_EQ(-1, ioctl(self->heap, DMA_HEAP_IOCTL_ALLOC, d));
	EXPECT_EQ(EFAULT, errno);
	munmap(p, 2 * page);
}

struct alloc_small {
	__u64 len;
	__u32 fd;
	__u32 fd_flags;
};

struct alloc_large {
	struct dma_heap_allocation_data d;
	__u64 future[3];
};

TEST_F(heap, takes_older_and_newer_argument_sizes)
{
	struct alloc_small small = { .len = 8192, .fd_flags = O_RDWR };
	struct alloc_large large = {
		.d = { .len = 4096, .fd_flags = O_RDWR },
		.future = { 1, 2, 3 },
	};
	__u64 tiny = 4096;
	__u32 short_len = 0;
	int fd;

	/* Without heap_flags: they read as zero. */
	ASSERT_EQ(0, ioctl(self->heap, _IOWR('H', 0, small), &small));
	EXPECT_EQ(8192, lseek(small.fd, 0, SEEK_END));
	close(small.fd);

	/* With fields this kernel does not know: ignored, left alone. */
	ASSERT_EQ(0, ioctl(self->heap, _IOWR('H', 0, large), &large));
	EXPECT_EQ(4096, lseek(large.d.fd, 0, SEEK_END));
	EXPECT_EQ(1, large.future[0]);
	EXPECT_EQ(3, large.future[2]);
	close(large.d.fd);

	/*
	 * Too short to carry fd_flags or return the fd: 6.1 allocates with
	 * fd_flags 0 (read-only) and copies back only the length.
	 */
	fd = next_fd(self->heap);
	ASSERT_EQ(0, ioctl(self->heap, _IOWR('H', 0, tiny), &tiny));
	EXPECT_EQ(4096, tiny);
	EXPECT_EQ(O_RDONLY, fcntl(fd, F_GETFL) & O_ACCMODE);
	EXPECT_TRUE(unseen_buffer_at(fd, 4096));
	/* Too short to carry a length: it reads as 0. */
	EXPECT_EQ(-1, ioctl(self->heap, _IOWR('H', 0, short_len), &short_len));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->heap, _IOC(_IOC_READ | _IOC_WRITE, 'H', 0, 0),
			    &tiny));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * vgem imports the buffer (attaching and DMA-mapping it for its device).
 * DRM refuses MAP_DUMB on imported objects (-EINVAL, as 6.1 does), so the
 * bytes are checked through the fd vgem exports for its handle, which
 * must be the same buffer; and a vgem fence on the handle lands on the
 * heap buffer's own reservation object, where poll() sees it.
 */
TEST_F(heap, imports_into_vgem_and_shares_bytes_and_fences)
{
	unsigned long size = 2 * MiB;
	struct drm_prime_handle in = { 0 }, again = { 0 };
	struct drm_prime_handle out = { .flags = DRM_CLOEXEC | DRM_RDWR };
	struct drm_mode_map_dumb map = { 0 };
	struct drm_gem_close gem_close = { 0 };
	struct drm_vgem_fence_attach attach = { .flags = VGEM_FENCE_WRITE };
	struct drm_vgem_fence_signal signal = { 0 };
	struct pollfd pfd = { .events = POLLIN };
	unsigned char *mine, *theirs;
	struct stat a, b;
	int vgem, buf;

	vgem = VGEM_OR_SKIP();
	buf = heap_alloc(self->heap, size, O_RDWR | O_CLOEXEC, 0);
	ASSERT_GE(buf, 0);

	mine = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, mine);
	ASSERT_EQ(0, buf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
	fill_pattern(mine, size, 77);
	ASSERT_EQ(0, buf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));

	in.fd = buf;
	ASSERT_EQ(0, ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &in));
	again.fd = buf;
	ASSERT_EQ(0, ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &again));
	EXPECT_EQ(in.handle, again.handle);
	map.handle = in.handle;
	EXPECT_EQ(-1, ioctl(vgem, DRM_IOCTL_MODE_MAP_DUMB, &map));
	EXPECT_EQ(EINVAL, errno);

	out.handle = in.handle;
	ASSERT_EQ(0, ioctl(vgem, DRM_IOCTL_PRIME_HANDLE_TO_FD, &out));
	ASSERT_EQ(0, fstat(buf, &a));
	ASSERT_EQ(0, fstat(out.fd, &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	theirs = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, out.fd, 0);
	ASSERT_NE(MAP_FAILED, theirs);
	EXPECT_EQ(0, check_pattern(theirs, size, 77));
	fill_pattern(theirs, size, 3);
	ASSERT_EQ(0, buf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_EQ(0, check_pattern(mine, size, 3));
	ASSERT_EQ(0, buf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));

	/* vgem "writes" to the buffer: readers wait until it is done. */
	pfd.fd = buf;
	attach.handle = in.handle;
	ASSERT_EQ(0, ioctl(vgem, DRM_IOCTL_VGEM_FENCE_ATTACH, &attach));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	signal.fence = attach.out_fence;
	ASSERT_EQ(0, ioctl(vgem, DRM_IOCTL_VGEM_FENCE_SIGNAL, &signal));
	EXPECT_EQ(1, poll(&pfd, 1, 1000));
	EXPECT_TRUE(pfd.revents & POLLIN);

	munmap(theirs, size);
	munmap(mine, size);
	close(out.fd);
	gem_close.handle = in.handle;
	EXPECT_EQ(0, ioctl(vgem, DRM_IOCTL_GEM_CLOSE, &gem_close));
	close(buf);
	close(vgem);
}

/*
 * vivid captures into a heap buffer: vb2's vmalloc allocator vmaps it when
 * it is queued, and the picture shows through the buffer's own mapping.
 */
TEST_F(heap, vivid_captures_into_it)
{
	int video = CAPTURE_OR_SKIP();
	size_t image, len, nonzero = 0, i;
	unsigned char *p;
	int buf;

	image = video_image_size(video);
	ASSERT_GT(image, 0);
	len = (image + 4095) & ~4095UL;
	buf = heap_alloc(self->heap, len, O_RDWR | O_CLOEXEC, 0);
	ASSERT_GE(buf, 0);

	ASSERT_EQ(0, video_request_dmabufs(video, 1));
	ASSERT_EQ(0, video_queue_dmabuf(video, buf, len));
	ASSERT_EQ(0, video_capture_queued(video));
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, buf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	for (i = 0; i < image; i++)
		nonzero += p[i] != 0;
	ASSERT_EQ(0, buf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	/* Its test pattern has no black: nearly every byte is set. */
	EXPECT_LT(image / 2, nonzero);
	munmap(p, len);
	EXPECT_EQ(0, video_request_dmabufs(video, 0));
	close(buf);
	close(video);
}

/*
 * A process killed inside DMA_HEAP_IOCTL_ALLOC: the heap sees the fatal
 * signal (between chunks, or after clearing the CMA pages) and gives back
 * what it had, or the kill lands before or after the call.  Either way,
 * once the process is gone the whole size can be had again.  The kill
 * comes at several points of the call, whose length is measured first.
 */
TEST_F(heap, killed_while_allocating_gives_everything_back)
{
	unsigned long size = variant->kill_size;
	struct timespec t0;
	long full_us;
	int i, buf, status, pipefd[2];
	char c = 0;
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	buf = heap_alloc(self->heap, size, O_RDWR | O_CLOEXEC, 0);
	full_us = usec_since(&t0);
	ASSERT_GE(buf, 0) TH_LOG("%s", strerror(-buf));
	close(buf);
	ksft_print_msg("%s: %lu MiB in %ld us\n", variant->name, size / MiB,
		       full_us);

	for (i = 0; i < 10; i++) {
		ASSERT_EQ(0, pipe(pipefd));
		pid = fork();
		ASSERT_GE(pid, 0);
		if (!pid) {
			close(pipefd[0]);
			if (write(pipefd[1], &c, 1) != 1)
				_exit(1);
			heap_alloc(self->heap, size, O_RDWR, 0);
			/* Only the kill ends the child. */
			for (;;)
				pause();
		}
		close(pipefd[1]);
		ASSERT_EQ(1, read(pipefd[0], &c, 1));
		close(pipefd[0]);
		usleep(full_us * i / 10);
		ASSERT_EQ(0, kill(pid, SIGKILL));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

		buf = heap_alloc(self->heap, size, O_RDWR | O_CLOEXEC, 0);
		EXPECT_GE(buf, 0) TH_LOG("after a kill at %ld us: %s",
					 full_us * i / 10, strerror(-buf));
		if (buf >= 0)
			close(buf);
	}
}

struct import_loop {
	int vgem, buf, rounds, err;
	int done;
};

/* vgem imports the buffer (attach, then map) and drops it (unmap, detach). */
static void *import_and_drop(void *arg)
{
	struct import_loop *l = arg;
	int i;

	for (i = 0; i < l->rounds && !l->err; i++) {
		struct drm_prime_handle h = { .fd = l->buf };
		struct drm_gem_close gc = {};

		l->err = xioctl(l->vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &h);
		if (l->err)
			break;
		gc.handle = h.handle;
		l->err = xioctl(l->vgem, DRM_IOCTL_GEM_CLOSE, &gc);
	}
	__atomic_store_n(&l->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * CPU access brackets while vgem imports the buffer and lets it go, over
 * and over: each bracket syncs the attachments there are at the time,
 * mapped or not yet (or no longer) mapped, and what is written under it
 * stays.
 */
TEST_F(heap, cpu_access_while_vgem_imports_and_drops)
{
	struct import_loop l = { .rounds = 400 };
	unsigned long size = 64 * KiB;
	unsigned int round = 0;
	pthread_t t;
	uint64_t *p;

	l.vgem = VGEM_OR_SKIP();
	l.buf = heap_alloc(self->heap, size, O_RDWR | O_CLOEXEC, 0);
	ASSERT_GE(l.buf, 0);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, l.buf, 0);
	ASSERT_NE(MAP_FAILED, p);

	ASSERT_EQ(0, pthread_create(&t, NULL, import_and_drop, &l));
	while (!__atomic_load_n(&l.done, __ATOMIC_ACQUIRE)) {
		round++;
		ASSERT_EQ(0, buf_sync(l.buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
		p[round % (size / 8)] = round;
		ASSERT_EQ(0, buf_sync(l.buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
		ASSERT_EQ(0, buf_sync(l.buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
		EXPECT_EQ(round, p[round % (size / 8)]);
		ASSERT_EQ(0, buf_sync(l.buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	}
	pthread_join(t, NULL);
	EXPECT_EQ(0, l.err);
	TH_LOG("%u brackets during %d imports", round, l.rounds);

	munmap(p, size);
	close(l.buf);
	close(l.vgem);
}

/*
 * The CMA area runs out: allocations then fail with ENOMEM, as in 6.1,
 * and once the buffers are gone the area gives as many again.
 */
TEST(cma_heap_runs_out_and_recovers)
{
	int heap = open_heap("reserved");
	int bufs[64], n, i, fd = 0;

	NEEDS(heap >= 0, "no CMA heap (CONFIG_DMABUF_HEAPS_CMA, cma=)");
	for (n = 0; n < 64; n++) {
		fd = heap_alloc(heap, 1 * MiB, O_RDWR | O_CLOEXEC, 0);
		if (fd < 0)
			break;
		bufs[n] = fd;
	}
	EXPECT_EQ(-ENOMEM, fd);
	EXPECT_LT(0, n);
	EXPECT_GE(32, n);
	TH_LOG("%d buffers of 1 MiB before the area ran out", n);
	for (i = 0; i < n; i++)
		close(bufs[i]);

	for (i = 0; i < n; i++) {
		bufs[i] = heap_alloc(heap, 1 * MiB, O_RDWR | O_CLOEXEC, 0);
		EXPECT_LE(0, bufs[i]) TH_LOG("buffer %d again", i);
	}
	for (i = 0; i < n; i++)
		if (bufs[i] >= 0)
			close(bufs[i]);
	close(heap);
}

TEST_HARNESS_MAIN
