// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/udmabuf from userspace: dma-bufs over memfd pages.  Bytes written
 * through the memfd show through the dma-buf's mmap and back,
 * UDMABUF_CREATE_LIST lays its ranges end to end in order,
 * DMA_BUF_IOCTL_SYNC brackets CPU access, vgem imports the buffer (it
 * attaches and maps our scatter table), hugetlbfs memfds work as shmem
 * ones do, and every bad input gets 6.1's errno without leaking a
 * descriptor.
 *
 * Needs CONFIG_UDMABUF, for the import CONFIG_DRM_VGEM, and for the
 * hugetlbfs case CONFIG_HUGETLBFS with a few free 2 MiB pages.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <linux/dma-buf.h>
#include <linux/udmabuf.h>

#include "../kselftest_harness.h"
#include "common.h"

#ifndef F_ADD_SEALS
#define F_ADD_SEALS	1033
#define F_GET_SEALS	1034
#define F_SEAL_SEAL	0x0001
#define F_SEAL_SHRINK	0x0002
#define F_SEAL_GROW	0x0004
#define F_SEAL_WRITE	0x0008
#endif

#define PAGE 4096UL
#define HUGE (2UL << 20)
/* The driver's default limits (list_limit, size_limit_mb). */
#define LIST_LIMIT 1024
#define SIZE_LIMIT (64UL << 20)

/* A memfd of @pages pages with @seals added, or -1. */
static int new_memfd(unsigned long pages, unsigned int seals)
{
	int fd = memfd_create("udmabuf-test", MFD_ALLOW_SEALING | MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, pages * PAGE) ||
	    (seals && fcntl(fd, F_ADD_SEALS, seals))) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * A hugetlbfs memfd of @huge_pages 2 MiB pages, the first @populated of
 * them faulted in and each filled with its index + 1, with @seals added;
 * or -1.
 */
static int new_huge_memfd(unsigned long huge_pages, unsigned long populated,
			  unsigned int seals)
{
	int fd = memfd_create("udmabuf-huge",
			      MFD_HUGETLB | MFD_ALLOW_SEALING | MFD_CLOEXEC);
	unsigned long i;
	char *p;

	if (fd < 0)
		return -1;
	if (ftruncate(fd, huge_pages * HUGE))
		goto err;
	if (populated) {
		p = mmap(NULL, populated * HUGE, PROT_READ | PROT_WRITE,
			 MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			goto err;
		for (i = 0; i < populated; i++)
			memset(p + i * HUGE, (int)i + 1, HUGE);
		munmap(p, populated * HUGE);
	}
	if (seals && fcntl(fd, F_ADD_SEALS, seals))
		goto err;
	return fd;
err:
	close(fd);
	return -1;
}

/* The free 2 MiB huge pages, or -1. */
static long free_huge_pages(void)
{
	FILE *f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages",
			"r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/* UDMABUF_CREATE: the new fd, or -errno. */
static int create(int dev, int memfd, __u64 offset, __u64 size, __u32 flags)
{
	struct udmabuf_create c = {
		.memfd = memfd, .flags = flags, .offset = offset, .size = size,
	};
	int fd = ioctl(dev, UDMABUF_CREATE, &c);

	return fd < 0 ? -errno : fd;
}

/* UDMABUF_CREATE_LIST with @count ranges: the new fd, or -errno. */
static int create_list(int dev, const struct udmabuf_create_item *items,
		       __u32 count, __u32 flags)
{
	struct udmabuf_create_list *l;
	int fd;

	l = calloc(1, sizeof(*l) + count * sizeof(*items));
	if (!l)
		return -ENOMEM;
	l->flags = flags;
	l->count = count;
	if (count)
		memcpy(l->list, items, count * sizeof(*items));
	fd = ioctl(dev, UDMABUF_CREATE_LIST, l);
	fd = fd < 0 ? -errno : fd;
	free(l);
	return fd;
}

/* Fills each page of the memfd's range with its page number + @base. */
static int fill_pages(int memfd, unsigned long first, unsigned long n, int base)
{
	char page[PAGE];
	unsigned long i;

	for (i = 0; i < n; i++) {
		memset(page, (int)(first + i + base) & 0xff, PAGE);
		if (pwrite(memfd, page, PAGE, (first + i) * PAGE) != PAGE)
			return -1;
	}
	return 0;
}

static int sync_buf(int buf, __u64 flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return ioctl(buf, DMA_BUF_IOCTL_SYNC, &s) ? -errno : 0;
}

FIXTURE(udmabuf) {
	int dev;
	int memfd;
	int fds_before;
};

FIXTURE_SETUP(udmabuf)
{
	self->fds_before = count_fds();
	self->dev = OPEN_OR_SKIP("/dev/udmabuf", O_RDWR | O_CLOEXEC,
				 "CONFIG_UDMABUF");
	self->memfd = new_memfd(8, F_SEAL_SHRINK);
	ASSERT_GE(self->memfd, 0);
	ASSERT_EQ(0, fill_pages(self->memfd, 0, 8, 0));
}

FIXTURE_TEARDOWN(udmabuf)
{
	close(self->memfd);
	close(self->dev);
	EXPECT_EQ(self->fds_before, count_fds());
}

TEST_F(udmabuf, create_has_the_size_and_memfd_bytes)
{
	int buf = create(self->dev, self->memfd, 2 * PAGE, 3 * PAGE, 0);
	unsigned char *p;
	unsigned long i;

	ASSERT_GE(buf, 0);
	EXPECT_EQ(3 * PAGE, lseek(buf, 0, SEEK_END));
	p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(2 + i, p[i * PAGE]);
		EXPECT_EQ(2 + i, p[i * PAGE + PAGE - 1]);
	}
	munmap(p, 3 * PAGE);
	close(buf);
}

TEST_F(udmabuf, writes_meet_both_ways)
{
	int buf = create(self->dev, self->memfd, PAGE, 4 * PAGE, 0);
	unsigned char *p, c = 0;

	ASSERT_GE(buf, 0);
	p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, p);

	/* memfd -> dma-buf, after the mapping exists */
	ASSERT_EQ(1, pwrite(self->memfd, "\xa5", 1, 3 * PAGE + 7));
	EXPECT_EQ(0xa5, p[2 * PAGE + 7]);

	/* dma-buf -> memfd */
	p[3 * PAGE + 100] = 0x5a;
	ASSERT_EQ(1, pread(self->memfd, &c, 1, 4 * PAGE + 100));
	EXPECT_EQ(0x5a, c);

	munmap(p, 4 * PAGE);
	close(buf);
}

TEST_F(udmabuf, mmap_at_an_offset_and_outside)
{
	int buf = create(self->dev, self->memfd, 0, 4 * PAGE, 0);
	unsigned char *p;

	ASSERT_GE(buf, 0);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, buf, 3 * PAGE);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(3, p[0]);
	munmap(p, PAGE);
	/* Past the end, and a private mapping, are refused. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED,
				   buf, 3 * PAGE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, buf, 0));
	EXPECT_EQ(EINVAL, errno);
	close(buf);
}

TEST_F(udmabuf, buffer_outlives_the_memfd)
{
	int buf = create(self->dev, self->memfd, 0, 2 * PAGE, 0);
	unsigned char *p;

	ASSERT_GE(buf, 0);
	/* The pages are pinned by the buffer, not by the memfd. */
	close(self->memfd);
	self->memfd = new_memfd(1, 0);	/* keeps the fd count balanced */
	ASSERT_GE(self->memfd, 0);
	p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(1, p[PAGE + 5]);
	munmap(p, 2 * PAGE);
	close(buf);
}

/* The FD_CLOEXEC bit of a one-page buffer made with @flags. */
static int cloexec_of(struct __test_metadata *_metadata,
		      struct _test_data_udmabuf *self, __u32 flags)
{
	int buf = create(self->dev, self->memfd, 0, PAGE, flags);
	int cloexec;

	ASSERT_GE(buf, 0);
	cloexec = fcntl(buf, F_GETFD) & FD_CLOEXEC;
	close(buf);
	return cloexec;
}

TEST_F(udmabuf, cloexec_flag)
{
	EXPECT_EQ(0, cloexec_of(_metadata, self, 0));
	EXPECT_EQ(FD_CLOEXEC, cloexec_of(_metadata, self,
					 UDMABUF_FLAGS_CLOEXEC));
}

TEST_F(udmabuf, list_concatenates_in_order)
{
	int other = new_memfd(4, F_SEAL_SHRINK | F_SEAL_GROW);
	struct udmabuf_create_item items[3];
	unsigned char *p;
	int buf;

	ASSERT_GE(other, 0);
	ASSERT_EQ(0, fill_pages(other, 0, 4, 100));
	/* memfd pages 5-6, other's page 2, memfd page 0 */
	items[0] = (struct udmabuf_create_item){ self->memfd, 0, 5 * PAGE, 2 * PAGE };
	items[1] = (struct udmabuf_create_item){ other, 0, 2 * PAGE, PAGE };
	items[2] = (struct udmabuf_create_item){ self->memfd, 0, 0, PAGE };
	buf = create_list(self->dev, items, 3, UDMABUF_FLAGS_CLOEXEC);
	close(other);
	ASSERT_GE(buf, 0);
	EXPECT_EQ(4 * PAGE, lseek(buf, 0, SEEK_END));
	p = mmap(NULL, 4 * PAGE, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(5, p[0]);
	EXPECT_EQ(6, p[PAGE]);
	EXPECT_EQ(102, p[2 * PAGE + 33]);
	EXPECT_EQ(0, p[3 * PAGE + PAGE - 1]);
	munmap(p, 4 * PAGE);
	close(buf);
}

TEST_F(udmabuf, list_at_the_limit)
{
	struct udmabuf_create_item *items = calloc(LIST_LIMIT, sizeof(*items));
	int big = new_memfd(LIST_LIMIT, F_SEAL_SHRINK);
	unsigned char *p;
	int i, buf;

	ASSERT_NE(NULL, items);
	ASSERT_GE(big, 0);
	ASSERT_EQ(1, pwrite(big, "\x77", 1, (LIST_LIMIT - 1) * PAGE));
	/* Every page of the file, last first. */
	for (i = 0; i < LIST_LIMIT; i++)
		items[i] = (struct udmabuf_create_item){
			big, 0, (LIST_LIMIT - 1 - i) * PAGE, PAGE };
	buf = create_list(self->dev, items, LIST_LIMIT, 0);
	ASSERT_GE(buf, 0);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0x77, p[0]);
	munmap(p, PAGE);
	close(buf);
	EXPECT_EQ(-EINVAL, create_list(self->dev, items, LIST_LIMIT + 1, 0));
	close(big);
	free(items);
}

TEST_F(udmabuf, sync_ioctl)
{
	int buf = create(self->dev, self->memfd, 0, 2 * PAGE, 0);
	unsigned char *p;

	ASSERT_GE(buf, 0);
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, p);
	/* end before any begin: nothing to sync against */
	EXPECT_EQ(-EINVAL, sync_buf(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	EXPECT_EQ(0, sync_buf(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
	p[PAGE] = 0xee;
	EXPECT_EQ(0, sync_buf(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
	EXPECT_EQ(0, sync_buf(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_EQ(0xee, p[PAGE]);
	EXPECT_EQ(0, sync_buf(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	EXPECT_EQ(0, sync_buf(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	EXPECT_EQ(0, sync_buf(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	EXPECT_EQ(-EINVAL, sync_buf(buf, 0x100));
	munmap(p, 2 * PAGE);
	close(buf);
}

TEST_F(udmabuf, bad_memfds)
{
	int plain = new_memfd(2, 0);
	int wsealed = new_memfd(2, F_SEAL_SHRINK | F_SEAL_WRITE);
	int file = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	ASSERT_GE(plain, 0);
	ASSERT_GE(wsealed, 0);
	ASSERT_GE(file, 0);
	EXPECT_EQ(-EINVAL, create(self->dev, plain, 0, PAGE, 0));
	EXPECT_EQ(-EINVAL, create(self->dev, wsealed, 0, PAGE, 0));
	/* Not shmem or hugetlbfs, or no file at all: EBADFD, as 6.1. */
	EXPECT_EQ(-EBADFD, create(self->dev, file, 0, PAGE, 0));
	EXPECT_EQ(-EBADFD, create(self->dev, self->dev, 0, PAGE, 0));
	EXPECT_EQ(-EBADFD, create(self->dev, 999, 0, PAGE, 0));
	EXPECT_EQ(-EBADFD, create(self->dev, (__u32)-1, 0, PAGE, 0));
	/* The ranges are checked first: a bad one wins over a bad fd. */
	EXPECT_EQ(-EINVAL, create(self->dev, 999, 0, 0, 0));
	EXPECT_EQ(-EINVAL, create(self->dev, 999, 1, PAGE, 0));
	close(file);
	close(wsealed);
	close(plain);
}

TEST_F(udmabuf, bad_ranges_and_flags)
{
	int m = self->memfd;

	EXPECT_EQ(-EINVAL, create(self->dev, m, 1, PAGE, 0));
	EXPECT_EQ(-EINVAL, create(self->dev, m, PAGE / 2, PAGE, 0));
	EXPECT_EQ(-EINVAL, create(self->dev, m, 0, PAGE + 1, 0));
	EXPECT_EQ(-EINVAL, create(self->dev, m, 0, PAGE - 1, 0));
	EXPECT_EQ(-EINVAL, create(self->dev, m, 0, 0, 0));
	EXPECT_EQ(-EINVAL, create(self->dev, m, 0, 9 * PAGE, 0));
	EXPECT_EQ(-EINVAL, create(self->dev, m, 8 * PAGE, PAGE, 0));
	EXPECT_EQ(-EINVAL, create(self->dev, m, 7 * PAGE, 2 * PAGE, 0));
	/* Past what shmem can index: its EFBIG, as 6.1 passes it on. */
	EXPECT_EQ(-EFBIG, create(self->dev, m, -PAGE, 2 * PAGE, 0));
	EXPECT_EQ(-EINVAL, create(self->dev, m, PAGE, -PAGE, 0));
}

/* 6.1 looks at UDMABUF_FLAGS_CLOEXEC only and ignores the other bits. */
TEST_F(udmabuf, unknown_flags_are_ignored)
{
	EXPECT_EQ(0, cloexec_of(_metadata, self, 2));
	EXPECT_EQ(FD_CLOEXEC, cloexec_of(_metadata, self, 0x80000001));
}

/*
 * A zero-size item adds no page but its memfd is still checked; only a
 * list of no pages at all is refused.
 */
TEST_F(udmabuf, zero_size_items)
{
	int plain = new_memfd(1, 0);
	struct udmabuf_create_item items[3] = {
		{ self->memfd, 0, PAGE, 0 },
		{ self->memfd, 0, 3 * PAGE, PAGE },
		{ self->memfd, 0, 0, 0 },
	};
	unsigned char *p;
	int buf;

	ASSERT_GE(plain, 0);
	buf = create_list(self->dev, items, 3, 0);
	ASSERT_GE(buf, 0);
	EXPECT_EQ(PAGE, lseek(buf, 0, SEEK_END));
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(3, p[100]);
	munmap(p, PAGE);
	close(buf);

	items[1].size = 0;
	EXPECT_EQ(-EINVAL, create_list(self->dev, items, 3, 0));
	items[1].size = PAGE;
	items[2].memfd = 999;
	EXPECT_EQ(-EBADFD, create_list(self->dev, items, 3, 0));
	items[2].memfd = plain;
	EXPECT_EQ(-EINVAL, create_list(self->dev, items, 3, 0));
	close(plain);
}

/*
 * hugetlbfs memfds (MFD_HUGETLB): ranges at any page offset within the
 * huge pages, across their boundaries and mixed with shmem ranges; the
 * huge pages must be in the file already.  The buffer holds the huge
 * pages after the memfd is gone, and gives them back when it goes.
 */
TEST_F(udmabuf, hugetlbfs_memfds)
{
	long before = free_huge_pages();
	struct udmabuf_create_item items[2];
	int huge, unsealed, buf, list;

	NEEDS(before >= 2, "needs 2 free huge pages (CONFIG_HUGETLBFS, hugepages=)");
	huge = new_huge_memfd(3, 2, F_SEAL_SHRINK);
	ASSERT_GE(huge, 0) TH_LOG("MFD_HUGETLB memfd: %s", strerror(errno));
	unsealed = new_huge_memfd(1, 0, 0);
	ASSERT_GE(unsealed, 0);
	EXPECT_EQ(before - 2, free_huge_pages());

	/* Four pages across the boundary of the first two huge pages. */
	buf = create(self->dev, huge, HUGE - 2 * PAGE, 4 * PAGE, 0);
	ASSERT_GE(buf, 0);
	EXPECT_EQ(4 * PAGE, lseek(buf, 0, SEEK_END));
	items[0] = (struct udmabuf_create_item){ huge, 0, HUGE + PAGE, PAGE };
	items[1] = (struct udmabuf_create_item){ self->memfd, 0, 0, PAGE };
	list = create_list(self->dev, items, 2, 0);
	ASSERT_GE(list, 0);
	EXPECT_EQ(2 * PAGE, lseek(list, 0, SEEK_END));

	/* The third huge page was never faulted in; the fourth is past EOF. */
	EXPECT_EQ(-EINVAL, create(self->dev, huge, 2 * HUGE, PAGE, 0));
	EXPECT_EQ(-EINVAL, create(self->dev, huge, 2 * HUGE - PAGE,
				  2 * PAGE, 0));
	EXPECT_EQ(-EINVAL, create(self->dev, huge, 3 * HUGE, PAGE, 0));
	EXPECT_EQ(-EINVAL, create(self->dev, unsealed, 0, PAGE, 0));
	EXPECT_EQ(-EINVAL, create(self->dev, huge, PAGE / 2, PAGE, 0));

	/* The buffers keep their huge pages; the last one out frees them. */
	close(unsealed);
	close(huge);
	EXPECT_EQ(before - 2, free_huge_pages());
	close(buf);
	EXPECT_EQ(before - 1, free_huge_pages());
	close(list);
	EXPECT_EQ(before, free_huge_pages());
}

/*
 * Ranges that end exactly at the end of a huge page: the last base page of
 * one, and a whole one.  The buffer then holds no reference on a huge page
 * beyond the range, and each buffer gives its huge page back when it goes.
 * Both are mapped and read: unmapping the last base page of a huge page
 * must leave the next huge page whole (6.1's rmap code, which takes any
 * page of a hugetlbfs page for a PMD-mapped one, corrupts its list links,
 * and freeing it oopses).  Such a mapping cannot grow: its pages are
 * mapped by frame number.  A list whose hugetlbfs range is empty holds
 * shmem pages only, and its mapping grows as any other.
 */
TEST_F(udmabuf, hugetlbfs_ranges_ending_on_a_huge_page)
{
	long before = free_huge_pages();
	struct udmabuf_create_item items[2];
	unsigned char *p, *q;
	int huge, last, whole, shmem;

	NEEDS(before >= 2, "needs 2 free huge pages (CONFIG_HUGETLBFS, hugepages=)");
	huge = new_huge_memfd(2, 2, F_SEAL_SHRINK);
	ASSERT_GE(huge, 0) TH_LOG("MFD_HUGETLB memfd: %s", strerror(errno));
	last = create(self->dev, huge, HUGE - PAGE, PAGE, 0);
	ASSERT_GE(last, 0);
	whole = create(self->dev, huge, HUGE, HUGE, 0);
	ASSERT_GE(whole, 0);
	items[0] = (struct udmabuf_create_item){ huge, 0, HUGE, 0 };
	items[1] = (struct udmabuf_create_item){ self->memfd, 0, 0, PAGE };
	shmem = create_list(self->dev, items, 2, 0);
	ASSERT_GE(shmem, 0);
	close(huge);
	EXPECT_EQ(before - 2, free_huge_pages());

	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, last, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(1, p[0]);
	EXPECT_EQ(1, p[PAGE - 1]);
	EXPECT_EQ(MAP_FAILED, mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE));
	EXPECT_EQ(EFAULT, errno);
	munmap(p, PAGE);
	p = mmap(NULL, HUGE, PROT_READ, MAP_SHARED, whole, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(2, p[0]);
	EXPECT_EQ(2, p[HUGE - 1]);
	munmap(p, HUGE);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, shmem, 0);
	ASSERT_NE(MAP_FAILED, p);
	q = mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE);
	EXPECT_NE(MAP_FAILED, q);
	munmap(q == MAP_FAILED ? p : q, q == MAP_FAILED ? PAGE : 2 * PAGE);
	close(shmem);

	close(last);
	EXPECT_EQ(before - 1, free_huge_pages());
	close(whole);
	EXPECT_EQ(before, free_huge_pages());
}

/*
 * mmap() keeps a mapping inside the buffer, but mremap() may grow it past
 * the end: touching a page there is SIGBUS, as in 6.1, while the pages
 * inside still read the memfd's bytes.
 */
TEST_F(udmabuf, grown_mapping_faults_past_the_end)
{
	int buf = create(self->dev, self->memfd, 0, 2 * PAGE, 0);
	unsigned char *p, *q;
	int status;
	pid_t pid;

	ASSERT_GE(buf, 0);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, buf, PAGE);
	ASSERT_NE(MAP_FAILED, p);
	q = mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, q) TH_LOG("mremap: %s", strerror(errno));
	EXPECT_EQ(1, q[0]);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		_exit(q[PAGE] == 0xee ? 2 : 3);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS)
		TH_LOG("status %#x", status);

	munmap(q, 2 * PAGE);
	close(buf);
}

TEST_F(udmabuf, over_the_size_limit)
{
	unsigned long pages = SIZE_LIMIT / PAGE + 1;
	int big = new_memfd(pages, F_SEAL_SHRINK);
	struct udmabuf_create_item items[2];

	ASSERT_GE(big, 0);
	/* Sparse file: no page is allocated before the limit is checked. */
	EXPECT_EQ(-EINVAL, create(self->dev, big, 0, pages * PAGE, 0));
	items[0] = (struct udmabuf_create_item){ big, 0, 0, SIZE_LIMIT };
	items[1] = (struct udmabuf_create_item){ self->memfd, 0, 0, PAGE };
	EXPECT_EQ(-EINVAL, create_list(self->dev, items, 2, 0));
	close(big);
}

/*
 * UDMABUF_CREATE_LIST with its head at the very end of a mapped page and
 * nothing mapped after it: the items cannot be read.
 */
static int list_at_edge(int dev, __u32 count)
{
	struct udmabuf_create_list *head;
	char *area;
	int ret;

	area = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return -ENOMEM;
	munmap(area + PAGE, PAGE);
	head = (void *)(area + PAGE - sizeof(*head));
	head->flags = 0;
	head->count = count;
	ret = ioctl(dev, UDMABUF_CREATE_LIST, head) < 0 ? -errno : 0;
	munmap(area, PAGE);
	return ret;
}

TEST_F(udmabuf, bad_lists)
{
	struct udmabuf_create_item items[2] = {
		{ self->memfd, 0, 0, PAGE },
		{ self->memfd, 0, 1, PAGE },
	};
	struct udmabuf_create_list head = { .count = 1 };

	EXPECT_EQ(-EINVAL, create_list(self->dev, items, 0, 0));
	/* one bad item spoils the list, after a good one was checked */
	EXPECT_EQ(-EINVAL, create_list(self->dev, items, 2, 0));
	/* every range is checked before any fd: still EINVAL */
	items[1].memfd = 12345;
	EXPECT_EQ(-EINVAL, create_list(self->dev, items, 2, 0));
	items[1].offset = PAGE;
	EXPECT_EQ(-EBADFD, create_list(self->dev, items, 2, 0));
	/* a list that runs into an unmapped page */
	EXPECT_EQ(-EFAULT, list_at_edge(self->dev, 1));
	EXPECT_EQ(-EFAULT, list_at_edge(self->dev, LIST_LIMIT));
	head.count = 0xffffffff;
	EXPECT_EQ(-1, ioctl(self->dev, UDMABUF_CREATE_LIST, &head));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(udmabuf, bad_pointers_and_commands)
{
	EXPECT_EQ(-1, ioctl(self->dev, UDMABUF_CREATE, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->dev, UDMABUF_CREATE, KERNEL_PTR));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->dev, UDMABUF_CREATE_LIST, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->dev, UDMABUF_CREATE_LIST, KERNEL_PTR));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->dev, _IOW('u', 0x44, struct udmabuf_create),
			    NULL));
	EXPECT_EQ(ENOTTY, errno);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Creation cost: pinning 16 MiB, from a sparse memfd and a filled one. */
TEST_F(udmabuf, create_16mib_timed)
{
	unsigned long pages = (16UL << 20) / PAGE;
	int big = new_memfd(pages, F_SEAL_SHRINK);
	double t0, t1, t2, t3;
	unsigned char *p;
	int buf;

	ASSERT_GE(big, 0);
	t0 = now_ms();
	buf = create(self->dev, big, 0, pages * PAGE, 0);
	t1 = now_ms();
	ASSERT_GE(buf, 0);
	close(buf);
	/* The pages now exist in the file: pinning only takes references. */
	t2 = now_ms();
	buf = create(self->dev, big, 0, pages * PAGE, 0);
	t3 = now_ms();
	ASSERT_GE(buf, 0);
	p = mmap(NULL, pages * PAGE, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, p[pages * PAGE - 1]);
	munmap(p, pages * PAGE);
	close(buf);
	close(big);
	ksft_print_msg("16 MiB udmabuf, new pages: %.1f ms\n", t1 - t0);
	ksft_print_msg("16 MiB udmabuf, existing pages: %.1f ms\n", t3 - t2);
}

TEST_F(udmabuf, imported_into_vgem)
{
	int vgem = VGEM_OR_SKIP();
	struct drm_prime_handle in = { .flags = 0 };
	struct drm_prime_handle out = { .flags = DRM_CLOEXEC | DRM_RDWR };
	struct drm_mode_map_dumb map = { 0 };
	struct drm_gem_close gclose = { 0 };
	struct stat a, b;
	unsigned char *p;
	int buf;

	buf = create(self->dev, self->memfd, 4 * PAGE, 4 * PAGE,
		     UDMABUF_FLAGS_CLOEXEC);
	ASSERT_GE(buf, 0);

	/* vgem attaches to our buffer and maps the scatter table. */
	in.fd = buf;
	ASSERT_EQ(0, ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &in));
	ASSERT_NE(0, in.handle);
	/* DRM refuses to map an imported object through its own offsets. */
	map.handle = in.handle;
	EXPECT_EQ(-1, ioctl(vgem, DRM_IOCTL_MODE_MAP_DUMB, &map));
	EXPECT_EQ(EINVAL, errno);
	/* Exported again, the object is our very buffer. */
	out.handle = in.handle;
	ASSERT_EQ(0, ioctl(vgem, DRM_IOCTL_PRIME_HANDLE_TO_FD, &out));
	ASSERT_EQ(0, fstat(buf, &a));
	ASSERT_EQ(0, fstat(out.fd, &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	/* Its bytes, written through the memfd after the import. */
	ASSERT_EQ(1, pwrite(self->memfd, "\x3c", 1, 6 * PAGE + 9));
	p = mmap(NULL, 4 * PAGE, PROT_READ, MAP_SHARED, out.fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(4, p[0]);
	EXPECT_EQ(0x3c, p[2 * PAGE + 9]);
	EXPECT_EQ(7, p[3 * PAGE + 1]);
	munmap(p, 4 * PAGE);
	close(out.fd);

	gclose.handle = in.handle;
	EXPECT_EQ(0, ioctl(vgem, DRM_IOCTL_GEM_CLOSE, &gclose));
	close(buf);
	close(vgem);
}

/*
 * In 6.1 a udmabuf has no kernel mapping: dma_buf_vmap() of it fails with
 * EINVAL, so vivid, whose vb2 vmalloc allocator vmaps every dma-buf it is
 * given, refuses it at VIDIOC_QBUF with the EFAULT vb2 reports for a
 * failed vmap.  A vgem buffer of the same size is taken by the same queue
 * and captured into, so the refusal is the udmabuf's.
 */
TEST_F(udmabuf, vivid_cannot_vmap_it)
{
	int video = CAPTURE_OR_SKIP(), vgem = VGEM_OR_SKIP();
	size_t image, len;
	__u32 handle = 0;
	int memfd, buf, other;

	image = video_image_size(video);
	ASSERT_GT(image, 0);
	len = (image + PAGE - 1) / PAGE * PAGE;
	memfd = new_memfd(len / PAGE, F_SEAL_SHRINK);
	ASSERT_GE(memfd, 0);
	buf = create(self->dev, memfd, 0, len, 0);
	ASSERT_GE(buf, 0);
	other = vgem_dma_buf(vgem, len, &handle);
	ASSERT_GE(other, 0);

	ASSERT_EQ(0, video_request_dmabufs(video, 1));
	EXPECT_EQ(-EFAULT, video_queue_dmabuf(video, buf, len));
	EXPECT_EQ(0, video_queue_dmabuf(video, other, len));
	EXPECT_EQ(0, video_capture_queued(video));
	EXPECT_EQ(0, video_request_dmabufs(video, 0));

	close(other);
	close(vgem);
	close(buf);
	close(memfd);
	close(video);
}

TEST_HARNESS_MAIN
