// SPDX-License-Identifier: GPL-2.0-only
/*
 * A uAPI fuzzer for the dma-buf subsystem: for a fixed time it throws
 * ioctls, mmaps, polls, reads, writes and seeks at every kind of file the
 * subsystem hands out (dma-bufs from the system heap, udmabuf and vgem,
 * sync files pending, signaled and merged, a sw_sync timeline, the heap
 * and udmabuf devices) and at files it does not own (a pipe, a memfd,
 * /dev/null).  Commands are our real ioctl numbers, their neighbours and
 * random ones; arguments are structs filled field by field from values
 * that sit on the edges (0, -1, sizes, page bounds, our fds, other fds),
 * pure random bytes, or bad pointers (NULL, kernel addresses, a page that
 * is not mapped, a struct straddling the end of a readable page).
 *
 * The kernel must survive it: the test boot fails on any splat, and its
 * kmemleak scan runs after the fuzzer.  The test itself checks that every
 * descriptor it did not create is still what it was, that every
 * descriptor the kernel created for it can be closed, and that the
 * subsystem still works afterwards.  FUZZ_SECONDS and FUZZ_SEED (both
 * from the environment) change the run time and make a run repeatable;
 * the seed is printed.
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
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/sync_file.h>
#include <linux/udmabuf.h>

#include "../kselftest_harness.h"
#include "common.h"

#define MAX_POOL 32
#define ARG_BYTES 512

struct fuzz {
	int pool[MAX_POOL];
	struct stat st[MAX_POOL];
	int npool;
	int tl;			/* the sw_sync timeline */
	int memfd;		/* sealed, for udmabuf */
	int highest;		/* highest descriptor of the pool */
	unsigned char *page;	/* readable page, followed by a hole */
	unsigned char *hole;	/* an address with nothing mapped */
	unsigned long ops, created;
};

static __u64 rng_state;

static __u64 rnd(void)
{
	/* xorshift64*: fast, repeatable from the seed. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static unsigned int pick(unsigned int n)
{
	return rnd() % n;
}

/* A value a careless or hostile caller might put in a field. */
static __u64 edge_value(struct fuzz *f)
{
	static const __u64 edges[] = {
		0, 1, 2, 3, 7, 8, 0xff, 0x100, 4095, 4096, 4097, 8192,
		1 << 20, 0x7fffffff, 0x80000000, 0xffffffff, 1ull << 32,
		0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, ~0ull - 1,
		0xfffffffffffff000ull,
	};

	switch (pick(4)) {
	case 0:
		return edges[pick(ARRAY_SIZE(edges))];
	case 1:
		return f->pool[pick(f->npool)];
	case 2:
		return pick(64);
	default:
		return rnd();
	}
}

static void fill_edges(struct fuzz *f, void *arg, size_t bytes)
{
	__u32 *w = arg;
	size_t i;

	for (i = 0; i < bytes / 4; i++)
		w[i] = edge_value(f);
}

/* The argument pointer for one call: mostly a filled buffer. */
static void *fuzz_arg(struct fuzz *f, unsigned char *buf, size_t size)
{
	size_t i;

	switch (pick(16)) {
	case 0:
		return NULL;
	case 1:
		return KERNEL_PTR;
	case 2:
		return f->hole;
	case 3:
		/* The struct runs off the end of a readable page. */
		return f->page + 4096 - (size ? 1 + pick(size) : 1);
	case 4:
		for (i = 0; i < ARG_BYTES; i++)
			buf[i] = rnd();
		return buf;
	default:
		fill_edges(f, buf, ARG_BYTES);
		return buf;
	}
}

/* Our commands, plus their neighbours and random ones. */
static unsigned long fuzz_cmd(size_t *size)
{
	static const unsigned long cmds[] = {
		DMA_BUF_IOCTL_SYNC, DMA_BUF_SET_NAME_A, DMA_BUF_SET_NAME_B,
		DMA_BUF_IOCTL_EXPORT_SYNC_FILE, DMA_BUF_IOCTL_IMPORT_SYNC_FILE,
		SYNC_IOC_MERGE, SYNC_IOC_FILE_INFO, SYNC_IOC_SET_DEADLINE,
		SW_SYNC_IOC_CREATE_FENCE, SW_SYNC_IOC_INC, SW_SYNC_GET_DEADLINE,
		UDMABUF_CREATE, UDMABUF_CREATE_LIST, DMA_HEAP_IOCTL_ALLOC,
	};
	static const char types[] = { 'b', '>', 'W', 'u', 'H' };
	unsigned long cmd = cmds[pick(ARRAY_SIZE(cmds))];

	switch (pick(8)) {
	case 0:	/* the right number with another size or direction */
		cmd = (cmd & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
		      ((unsigned long)pick(ARG_BYTES) << _IOC_SIZESHIFT);
		break;
	case 1:
		cmd ^= (unsigned long)(1 + pick(3)) << _IOC_DIRSHIFT;
		break;
	case 2:	/* a neighbour of ours */
		cmd = _IOC(pick(4), types[pick(sizeof(types))], pick(16),
			   pick(ARG_BYTES));
		break;
	case 3:
		cmd = rnd() & 0xffffffff;
		break;
	default:
		break;
	}
	*size = _IOC_SIZE(cmd);
	return cmd;
}

/*
 * Heaps allocate what they are asked for: keep lengths either small or
 * beyond any memory, so that the fuzzer cannot push the guest into OOM.
 */
static void tame_heap_alloc(unsigned long cmd, void *arg,
			    unsigned char *buf)
{
	struct dma_heap_allocation_data *d = arg;

	if (_IOC_TYPE(cmd) != DMA_HEAP_IOC_MAGIC || _IOC_NR(cmd) != 0 ||
	    arg != buf)
		return;
	if (d->len < (1ull << 40))
		d->len &= (4 << 20) - 1;
}

/* Everything above the pool is something a call created: close it. */
static void close_created(struct fuzz *f)
{
	int fd, top = f->highest + 64;

	for (fd = f->highest + 1; fd < top; fd++)
		if (!close(fd))
			f->created++;
}

static void fuzz_one(struct fuzz *f)
{
	__u64 words[ARG_BYTES / 8];
	unsigned char *buf = (unsigned char *)words;
	int fd = f->pool[pick(f->npool)];
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
	unsigned long cmd;
	size_t size;
	void *arg, *map;

	switch (pick(10)) {
	case 0: {
		size_t len = pick(3) ? 4096 * (1 + pick(4)) : edge_value(f);
		off_t off = pick(2) ? 4096 * pick(4) : (off_t)edge_value(f);
		int flags = MAP_SHARED;

		/* Huge private maps only exercise the mm's accounting. */
		if (!pick(4) && len <= 16 * 4096)
			flags = MAP_PRIVATE;
		map = mmap(NULL, len, pick(2) ? PROT_READ :
			   PROT_READ | PROT_WRITE, flags, fd, off);
		if (map != MAP_FAILED)
			munmap(map, len);
		break;
	}
	case 1:
		poll(&p, 1, 0);
		break;
	case 2:
		lseek(fd, edge_value(f), pick(5));
		break;
	case 3:
		if (read(fd, buf, pick(2) ? 8 : sizeof(buf)) < 0)
			errno = 0;
		break;
	default:
		cmd = fuzz_cmd(&size);
		arg = fuzz_arg(f, buf, size);
		tame_heap_alloc(cmd, arg, buf);
		ioctl(fd, cmd, arg);
		break;
	}
	f->ops++;
}

static int add(struct fuzz *f, int fd)
{
	if (fd < 0 || f->npool == MAX_POOL)
		return -1;
	f->pool[f->npool++] = fd;
	if (fd > f->highest)
		f->highest = fd;
	return fd;
}

static int heap_buf(int heap, size_t len)
{
	struct dma_heap_allocation_data d = {
		.len = len, .fd_flags = O_RDWR | O_CLOEXEC,
	};

	return ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d) ? -1 : (int)d.fd;
}

FIXTURE(fuzz) {
	struct fuzz f;
	int fds;
};

FIXTURE_SETUP(fuzz)
{
	struct fuzz *f = &self->f;
	struct udmabuf_create uc = { .size = 1 << 20 };
	int heap, ub, vgem, pipefd[2], a, b, i;
	__u32 handle;

	self->fds = count_fds();
	memset(f, 0, sizeof(*f));
	f->page = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, f->page);
	ASSERT_EQ(0, munmap(f->page + 4096, 4096));
	f->hole = f->page + 4096;
	memset(f->page, 0x5a, 4096);
	ASSERT_EQ(0, mprotect(f->page, 4096, PROT_READ));

	f->tl = add(f, open(SW_SYNC_PATH, O_RDWR | O_CLOEXEC));
	ASSERT_GE(f->tl, 0);
	a = add(f, fence_create(f->tl, 5, "pending"));
	b = add(f, fence_create(f->tl, 0, "signaled"));
	ASSERT_GE(a, 0);
	ASSERT_GE(b, 0);
	for (i = 0; i < 2; i++) {
		struct sync_merge_data m = { .fd2 = b, .name = "merged" };

		ASSERT_EQ(0, xioctl(a, SYNC_IOC_MERGE, &m));
		add(f, m.fence);
	}

	heap = add(f, open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC));
	ASSERT_GE(heap, 0);
	ASSERT_GE(add(f, heap_buf(heap, 4096)), 0);
	ASSERT_GE(add(f, heap_buf(heap, 64 << 10)), 0);

	f->memfd = add(f, memfd_create("fuzz", MFD_ALLOW_SEALING |
					     MFD_CLOEXEC));
	ASSERT_GE(f->memfd, 0);
	ASSERT_EQ(0, ftruncate(f->memfd, 1 << 20));
	ASSERT_EQ(0, fcntl(f->memfd, F_ADD_SEALS, F_SEAL_SHRINK));
	ub = add(f, open("/dev/udmabuf", O_RDWR | O_CLOEXEC));
	ASSERT_GE(ub, 0);
	uc.memfd = f->memfd;
	uc.flags = UDMABUF_FLAGS_CLOEXEC;
	ASSERT_GE(add(f, ioctl(ub, UDMABUF_CREATE, &uc)), 0);

	/* vgem's dma-buf outlives the DRM file, which is not ours to fuzz. */
	vgem = open_vgem();
	ASSERT_GE(vgem, 0);
	ASSERT_GE(add(f, vgem_dma_buf(vgem, 8192, &handle)), 0);
	close(vgem);

	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC | O_NONBLOCK));
	add(f, pipefd[0]);
	add(f, pipefd[1]);
	ASSERT_GE(add(f, open("/dev/null", O_RDWR | O_CLOEXEC)), 0);

	for (i = 0; i < f->npool; i++)
		ASSERT_EQ(0, fstat(f->pool[i], &f->st[i]));
}

FIXTURE_TEARDOWN(fuzz)
{
	int i;

	for (i = 0; i < self->f.npool; i++)
		close(self->f.pool[i]);
	munmap(self->f.page, 4096);
	EXPECT_EQ(self->fds, count_fds());
}

TEST_F_TIMEOUT(fuzz, the_uapi_survives_garbage, 600)
{
	struct fuzz *f = &self->f;
	const char *env = getenv("FUZZ_SECONDS");
	int seconds = env ? atoi(env) : 20;
	struct pollfd p = { .events = POLLIN };
	time_t end;
	int i, tl;

	env = getenv("FUZZ_SEED");
	rng_state = env ? strtoull(env, NULL, 0) : (__u64)time(NULL);
	rng_state |= 1;
	TH_LOG("seed %#llx, %d s", (unsigned long long)rng_state, seconds);

	end = time(NULL) + seconds;
	while (time(NULL) < end) {
		for (i = 0; i < 64; i++)
			fuzz_one(f);
		close_created(f);
	}
	TH_LOG("%lu operations, %lu descriptors created and closed", f->ops,
	       f->created);

	/* Every descriptor we opened is still the same file. */
	for (i = 0; i < f->npool; i++) {
		struct stat st;

		ASSERT_EQ(0, fstat(f->pool[i], &st));
		EXPECT_EQ(f->st[i].st_ino, st.st_ino);
		EXPECT_EQ(f->st[i].st_dev, st.st_dev);
	}
	/* Nothing the kernel made for us is left beyond what we closed. */
	EXPECT_EQ(self->fds + f->npool, count_fds());

	/* The subsystem still works: a fresh timeline's fence waits, then
	 * signals.
	 */
	tl = open(SW_SYNC_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_GE(tl, 0);
	p.fd = fence_create(tl, 1, "after");
	ASSERT_GE(p.fd, 0);
	EXPECT_EQ(0, poll(&p, 1, 0));
	ASSERT_EQ(0, timeline_inc(tl, 1));
	EXPECT_EQ(1, poll(&p, 1, 1000));
	close(p.fd);
	close(tl);
}

TEST_HARNESS_MAIN
