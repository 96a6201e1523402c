// SPDX-License-Identifier: GPL-2.0-only
/*
 * The userspace side of make bench: times the sync_file, sw_sync, dma-buf
 * and dma-heap uAPI, one line per measurement,
 *
 *	bench: <row> n=<N> ns_per_op=<ns> iters=<ops> calib_ns=<ns>
 *
 * the same format as the benchmark module's.  One static binary runs on
 * both kernels.  Each row repeats its scenario until it has run for the
 * target time (-t microseconds); the last attempt is the one printed.
 * Without -t it is the test boot's smoke run: a tiny target, the smallest
 * N of each row only, and a TAP verdict.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/sync_file.h>
#include <linux/types.h>

/* sw_sync's ioctls are private to the driver; these match its layout. */
struct sw_sync_create_fence_data {
	__u32 value;
	char name[32];
	__s32 fence;
};

#define SW_SYNC_IOC_MAGIC 'W'
#define SW_SYNC_IOC_CREATE_FENCE \
	_IOWR(SW_SYNC_IOC_MAGIC, 0, struct sw_sync_create_fence_data)
#define SW_SYNC_IOC_INC _IOW(SW_SYNC_IOC_MAGIC, 1, __u32)

#define SW_SYNC_PATH "/sys/kernel/debug/sync/sw_sync"
#define HEAP_PATH "/dev/dma_heap/system"
#define MAX_FENCES 1024
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define WRITE_ONCE(x, val) __atomic_store_n(&(x), (val), __ATOMIC_RELAXED)

static uint64_t target_ns = 100 * 1000ULL;
static int failures;

static uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int fail(const char *what, unsigned int n)
{
	printf("bench: %s n=%u failed: %s\n", what, n, strerror(errno));
	failures++;
	return -1;
}

/* A row runs its scenario @reps times with @n and returns the ns taken. */
typedef int64_t (*row_fn)(unsigned int n, uint64_t reps);

#include "bench-calibrate.h"

static void row(const char *name, row_fn fn, unsigned int n)
{
	__u64 calib = calibrate();
	uint64_t reps = 1, grow;
	int64_t t;

	for (;;) {
		t = fn(n, reps);
		if (t < 0) {
			fail(name, n);
			return;
		}
		if ((uint64_t)t >= target_ns || reps >= (1ULL << 40))
			break;
		grow = t > 0 ? target_ns * 5 / 4 / t : 16;
		reps *= grow < 2 ? 2 : grow > 16 ? 16 : grow;
	}
	calib = (calib + calibrate()) / 2;
	printf("bench: %s n=%u ns_per_op=%.3f iters=%llu calib_ns=%llu\n",
	       name, n, (double)t / reps, (unsigned long long)reps,
	       (unsigned long long)calib);
}

/* ---- sw_sync and sync files ---- */

static int timeline(void)
{
	return open(SW_SYNC_PATH, O_RDWR);
}

static int sw_fence(int tl, unsigned int value)
{
	struct sw_sync_create_fence_data d = { .value = value };

	strcpy(d.name, "bench");
	return ioctl(tl, SW_SYNC_IOC_CREATE_FENCE, &d) ? -1 : d.fence;
}

static int merge(int a, int b)
{
	struct sync_merge_data m = { .fd2 = b };

	strcpy(m.name, "bench");
	return ioctl(a, SYNC_IOC_MERGE, &m) ? -1 : m.fence;
}

/* Create a fence at the next point, signal it, close it. */
static int64_t sw_sync_create_inc(unsigned int n, uint64_t reps)
{
	int tl = timeline(), fd, ret = 0;
	uint64_t i, t0 = bench_now_ns();
	__u32 one = 1;

	if (tl < 0)
		return -1;
	for (i = 0; i < reps && !ret; i++) {
		fd = sw_fence(tl, i + 1);
		if (fd < 0 || ioctl(tl, SW_SYNC_IOC_INC, &one))
			ret = -1;
		if (fd >= 0)
			close(fd);
	}
	t0 = bench_now_ns() - t0;
	close(tl);
	return ret ? ret : (int64_t)t0;
}

/* Create and close fences that stay pending (signaled after the timing). */
static int64_t sw_sync_create_close(unsigned int n, uint64_t reps)
{
	int tl = timeline(), fd, ret = 0;
	uint64_t i, t0 = bench_now_ns();
	__u32 all = reps;

	if (tl < 0)
		return -1;
	for (i = 0; i < reps && !ret; i++) {
		fd = sw_fence(tl, i + 1);
		if (fd < 0)
			ret = -1;
		else
			close(fd);
	}
	t0 = bench_now_ns() - t0;
	ioctl(tl, SW_SYNC_IOC_INC, &all);
	close(tl);
	return ret ? ret : (int64_t)t0;
}

/* Advance a timeline with nothing pending on it. */
static int64_t sw_sync_inc(unsigned int n, uint64_t reps)
{
	int tl = timeline(), ret = 0;
	uint64_t i, t0 = bench_now_ns();
	__u32 one = 1;

	if (tl < 0)
		return -1;
	for (i = 0; i < reps && !ret; i++)
		ret = ioctl(tl, SW_SYNC_IOC_INC, &one);
	t0 = bench_now_ns() - t0;
	close(tl);
	return ret ? ret : (int64_t)t0;
}

/* Pending fences on MAX_FENCES timelines, one context each. */
static int timelines[MAX_FENCES];

/* A sync file of fences from timelines [from, from + n), or -1. */
static int sync_file_of(unsigned int from, unsigned int n)
{
	int acc = -1, fd, m;
	unsigned int i;

	for (i = from; i < from + n; i++) {
		fd = sw_fence(timelines[i], 1);
		if (fd < 0)
			goto err;
		if (acc < 0) {
			acc = fd;
			continue;
		}
		m = merge(acc, fd);
		close(fd);
		close(acc);
		acc = m;
		if (acc < 0)
			return -1;
	}
	return acc;
err:
	if (acc >= 0)
		close(acc);
	return -1;
}

/* Merge two files of n / 2 fences each (distinct timelines) into one. */
static int64_t sync_merge(unsigned int n, uint64_t reps)
{
	int a = sync_file_of(0, n / 2), b = sync_file_of(n / 2, n - n / 2);
	uint64_t i, t0 = bench_now_ns();
	int m, ret = 0;

	if (a < 0 || b < 0)
		ret = -1;
	for (i = 0; i < reps && !ret; i++) {
		m = merge(a, b);
		if (m < 0)
			ret = -1;
		else
			close(m);
	}
	t0 = bench_now_ns() - t0;
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	return ret ? ret : (int64_t)t0;
}

static struct sync_fence_info infos[MAX_FENCES];

/* List the n fences of a file. */
static int64_t sync_file_info(unsigned int n, uint64_t reps)
{
	int fd = sync_file_of(0, n), ret = 0;
	uint64_t i, t0 = bench_now_ns();
	struct sync_file_info info;

	if (fd < 0)
		return -1;
	for (i = 0; i < reps && !ret; i++) {
		memset(&info, 0, sizeof(info));
		info.num_fences = n;
		info.sync_fence_info = (uintptr_t)infos;
		ret = ioctl(fd, SYNC_IOC_FILE_INFO, &info);
		if (!ret && info.num_fences != n) {
			errno = EPROTO;
			ret = -1;
		}
	}
	t0 = bench_now_ns() - t0;
	close(fd);
	return ret ? ret : (int64_t)t0;
}

/* ---- dma-bufs from the system heap ---- */

static int heap = -1;

static int heap_alloc(size_t len)
{
	struct dma_heap_allocation_data d = {
		.len = len,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};

	return ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d) ? -1 : (int)d.fd;
}

static int64_t heap_alloc_close(unsigned int n, uint64_t reps)
{
	uint64_t i, t0 = bench_now_ns();
	int fd;

	for (i = 0; i < reps; i++) {
		fd = heap_alloc(n);
		if (fd < 0)
			return -1;
		close(fd);
	}
	return bench_now_ns() - t0;
}

/* A buffer of @len for the body, then closed. */
static int64_t with_buf(size_t len, uint64_t reps,
			int64_t (*body)(int fd, size_t len, uint64_t reps))
{
	int fd = heap_alloc(len);
	int64_t t;

	if (fd < 0)
		return -1;
	t = body(fd, len, reps);
	close(fd);
	return t;
}

static int64_t poll_body(int fd, size_t len, uint64_t reps)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
	uint64_t i, t0 = bench_now_ns();

	for (i = 0; i < reps; i++) {
		if (poll(&p, 1, 0) != 1)
			return -1;
	}
	return bench_now_ns() - t0;
}

static int64_t dmabuf_poll(unsigned int n, uint64_t reps)
{
	return with_buf(4096, reps, poll_body);
}

static int64_t sync_body(int fd, size_t len, uint64_t reps)
{
	struct dma_buf_sync start = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
	struct dma_buf_sync end = { DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW };
	uint64_t i, t0 = bench_now_ns();

	for (i = 0; i < reps; i++) {
		if (ioctl(fd, DMA_BUF_IOCTL_SYNC, &start) ||
		    ioctl(fd, DMA_BUF_IOCTL_SYNC, &end))
			return -1;
	}
	return bench_now_ns() - t0;
}

static int64_t dmabuf_sync_ioctl(unsigned int n, uint64_t reps)
{
	return with_buf(4096, reps, sync_body);
}

/* mmap the buffer, write to each of its pages, unmap. */
static int64_t mmap_body(int fd, size_t len, uint64_t reps)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t i, t0 = bench_now_ns();
	size_t off;
	char *p;

	for (i = 0; i < reps; i++) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			return -1;
		/* A store per page: each one faults the page in. */
		for (off = 0; off < len; off += page)
			__atomic_store_n(&p[off], 1, __ATOMIC_RELAXED);
		munmap(p, len);
	}
	return bench_now_ns() - t0;
}

static int64_t heap_mmap_fault(unsigned int n, uint64_t reps)
{
	return with_buf((size_t)n * sysconf(_SC_PAGESIZE), reps, mmap_body);
}

static void setup(void)
{
	struct rlimit r;
	unsigned int i;

	if (!getrlimit(RLIMIT_NOFILE, &r) && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
	for (i = 0; i < MAX_FENCES; i++) {
		timelines[i] = timeline();
		if (timelines[i] < 0) {
			fail("open " SW_SYNC_PATH, i);
			break;
		}
	}
	heap = open(HEAP_PATH, O_RDWR);
	if (heap < 0)
		fail("open " HEAP_PATH, 0);
}

int main(int argc, char **argv)
{
	static const unsigned int merge_ns[] = { 2, 32, 1024 };
	static const unsigned int info_ns[] = { 1, 32, 1024 };
	static const unsigned int heap_ns[] = { 4096, 65536, 1 << 20,
						16 << 20, 64 << 20 };
	unsigned int i, sizes = 5;
	int opt, tap = 1;

	while ((opt = getopt(argc, argv, "t:")) != -1) {
		switch (opt) {
		case 't':
			target_ns = strtoull(optarg, NULL, 0) * 1000;
			tap = 0;
			break;
		default:
			fprintf(stderr, "usage: %s [-t target_us]\n", argv[0]);
			return 2;
		}
	}
	if (tap)
		sizes = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (tap)
		printf("TAP version 13\n1..1\n");
	setup();
	if (!failures) {
		row("sw_sync_create_inc", sw_sync_create_inc, 1);
		row("sw_sync_create_close", sw_sync_create_close, 1);
		row("sw_sync_inc", sw_sync_inc, 1);
		for (i = 0; i < ARRAY_SIZE(merge_ns) && i < sizes; i++)
			row("sync_merge", sync_merge, merge_ns[i]);
		for (i = 0; i < ARRAY_SIZE(info_ns) && i < sizes; i++)
			row("sync_file_info", sync_file_info, info_ns[i]);
		row("dmabuf_poll", dmabuf_poll, 1);
		row("dmabuf_sync_ioctl", dmabuf_sync_ioctl, 1);
		row("heap_mmap_fault", heap_mmap_fault, 256);
		for (i = 0; i < ARRAY_SIZE(heap_ns) && i < sizes; i++)
			row("heap_alloc_close", heap_alloc_close, heap_ns[i]);
	}
	for (i = 0; i < MAX_FENCES; i++)
		if (timelines[i] > 0)
			close(timelines[i]);
	if (tap)
		printf("%sok 1 bench_user # %d failures\n",
		       failures ? "not " : "", failures);
	return failures ? 1 : 0;
}
