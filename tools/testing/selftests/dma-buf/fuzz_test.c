// SPDX-License-Identifier: GPL-2.0-only
/*
 * A uAPI fuzzer for the dma-buf subsystem.  For a fixed time, several
 * threads throw ioctls, mmaps, polls, reads, seeks, dups and descriptor
 * passing over a unix socket at every kind of file the subsystem hands
 * out (dma-bufs from the system heap, udmabuf and vgem, sync files
 * pending, signaled and merged, a sw_sync timeline, the heap and udmabuf
 * devices) and at files it does not own (a pipe, a memfd, /dev/null).
 * Commands are our real ioctl numbers, their neighbours and random ones;
 * arguments are structs filled field by field from values that sit on
 * the edges (0, -1, sizes, page bounds, our fds, other fds), pure random
 * bytes, or bad pointers (NULL, kernel addresses, a page that is not
 * mapped, a struct straddling the end of a readable page).
 *
 * Between rounds each thread checks what it can know on objects of its
 * own: a merge lists one fence per timeline and its status is the
 * combination of its parts' as they signal; buffers have the size asked
 * for.  At the end: every descriptor the test did not create is still
 * the same file, everything the kernel created for it could be closed,
 * and the subsystem still works.  The kernel must survive all of it: the
 * test boot fails on any splat, and its kmemleak scan runs afterwards.
 *
 * FUZZ_SECONDS, FUZZ_THREADS and FUZZ_SEED (environment) set the run
 * time, the threads and the seed; the seed is printed so that a failure
 * replays (exactly so with one thread).  The number of operations and of
 * distinct (file, command, argument) classes tried is printed too.
 */
#define _GNU_SOURCE
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
#include <sys/socket.h>
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
#define MAX_THREADS 8
#define NCMDS 14
#define NARGS 6
#define NCLASSES (MAX_POOL * (NCMDS + 1) * NARGS)

/* What every thread shares; set up before they start, read-only after. */
struct fuzz {
	int pool[MAX_POOL];
	struct stat st[MAX_POOL];
	int npool;
	int memfd;		/* sealed, for udmabuf */
	int ub, heap;		/* the udmabuf and system heap devices */
	int sock[2];		/* a socketpair to pass descriptors over */
	int highest;		/* highest descriptor of the pool */
	unsigned char *page;	/* readable page, followed by a hole */
	unsigned char *hole;	/* an address with nothing mapped */
	/*
	 * Rounds of fuzzing hold it shared; an invariant check holds it
	 * alone, so that no other thread closes its descriptors under it.
	 */
	pthread_rwlock_t rounds;
	/* (pool file, command, argument kind) classes tried, as bits */
	__u64 classes[(NCLASSES + 63) / 64];
};

/* One thread's state: its random stream, counts and private timelines. */
struct worker {
	struct fuzz *f;
	pthread_t thread;
	__u64 rng;
	time_t end;
	unsigned long ops, created, checks, violations;
	int tl, tl2;
	__u32 point, point2;
};

static __u64 rnd(struct worker *w)
{
	/* xorshift64*: fast, repeatable from the seed. */
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 0x2545f4914f6cdd1dull;
}

static unsigned int pick(struct worker *w, unsigned int n)
{
	return rnd(w) % n;
}

/* A value a careless or hostile caller might put in a field. */
static __u64 edge_value(struct worker *w)
{
	static const __u64 edges[] = {
		0, 1, 2, 3, 7, 8, 0xff, 0x100, 4095, 4096, 4097, 8192,
		1 << 20, 0x7fffffff, 0x80000000, 0xffffffff, 1ull << 32,
		0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, ~0ull - 1,
		0xfffffffffffff000ull,
	};

	switch (pick(w, 4)) {
	case 0:
		return edges[pick(w, ARRAY_SIZE(edges))];
	case 1:
		return w->f->pool[pick(w, w->f->npool)];
	case 2:
		return pick(w, 64);
	default:
		return rnd(w);
	}
}

/* The argument pointer for one call, and its kind (0..NARGS-1). */
static void *fuzz_arg(struct worker *w, unsigned char *buf, size_t size,
		      unsigned int *kind)
{
	__u32 *word = (__u32 *)buf;
	size_t i;

	*kind = pick(w, 16);
	switch (*kind) {
	case 0:
		return NULL;
	case 1:
		return KERNEL_PTR;
	case 2:
		return w->f->hole;
	case 3:
		/* The struct runs off the end of a readable page. */
		return w->f->page + 4096 - (size ? 1 + pick(w, size) : 1);
	case 4:
		for (i = 0; i < ARG_BYTES; i++)
			buf[i] = rnd(w);
		return buf;
	default:
		*kind = 5;
		for (i = 0; i < ARG_BYTES / 4; i++)
			word[i] = edge_value(w);
		return buf;
	}
}

/* Our commands, plus their neighbours and random ones (class NCMDS). */
static unsigned long fuzz_cmd(struct worker *w, size_t *size,
			      unsigned int *class)
{
	static const unsigned long cmds[NCMDS] = {
		DMA_BUF_IOCTL_SYNC, DMA_BUF_SET_NAME_A, DMA_BUF_SET_NAME_B,
		DMA_BUF_IOCTL_EXPORT_SYNC_FILE, DMA_BUF_IOCTL_IMPORT_SYNC_FILE,
		SYNC_IOC_MERGE, SYNC_IOC_FILE_INFO, SYNC_IOC_SET_DEADLINE,
		SW_SYNC_IOC_CREATE_FENCE, SW_SYNC_IOC_INC, SW_SYNC_GET_DEADLINE,
		UDMABUF_CREATE, UDMABUF_CREATE_LIST, DMA_HEAP_IOCTL_ALLOC,
	};
	static const char types[] = { 'b', '>', 'W', 'u', 'H' };
	unsigned long cmd;

	*class = pick(w, NCMDS);
	cmd = cmds[*class];
	switch (pick(w, 8)) {
	case 0:	/* the right number with another size or direction */
		cmd = (cmd & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
		      ((unsigned long)pick(w, ARG_BYTES) << _IOC_SIZESHIFT);
		break;
	case 1:
		cmd ^= (unsigned long)(1 + pick(w, 3)) << _IOC_DIRSHIFT;
		break;
	case 2:	/* a neighbour of ours */
		cmd = _IOC(pick(w, 4), types[pick(w, sizeof(types))],
			   pick(w, 16), pick(w, ARG_BYTES));
		break;
	case 3:
		cmd = rnd(w) & 0xffffffff;
		break;
	default:
		*size = _IOC_SIZE(cmd);
		return cmd;
	}
	*class = NCMDS;
	*size = _IOC_SIZE(cmd);
	return cmd;
}

/*
 * Heaps allocate what they are asked for: keep lengths either small or
 * beyond any memory, so that the fuzzer cannot push the guest into OOM.
 * A heap, as 6.1's, takes any command of number 0 for an allocation,
 * whatever its type, so every such command is tamed.
 */
static void tame_heap_alloc(unsigned long cmd, void *arg,
			    unsigned char *buf)
{
	struct dma_heap_allocation_data *d = arg;

	if (_IOC_NR(cmd) != 0 || arg != buf)
		return;
	if (d->len < (1ull << 40))
		d->len &= (4 << 20) - 1;
}

/*
 * Everything above the pool is something a call created: close it.  New
 * descriptors take the lowest free numbers, so the search ends after 64
 * free numbers in a row, however many were created.  Only with no other
 * thread fuzzing or checking: that is, under the rounds lock or after every
 * worker has been joined.
 */
static void close_created(struct worker *w)
{
	int fd, top = w->f->highest + 65;

	for (fd = w->f->highest + 1; fd < top; fd++) {
		if (!close(fd)) {
			w->created++;
			top = fd + 65;
		}
	}
}

/* Pass @fd over the socketpair and take the copy back (SCM_RIGHTS). */
static void pass_fd(struct fuzz *f, int fd)
{
	char c = 0, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(f->sock[0], &msg, MSG_DONTWAIT) != 1)
		return;
	msg.msg_controllen = sizeof(ctl);
	/* What arrives is closed with the other created descriptors. */
	if (recvmsg(f->sock[1], &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) < 0)
		errno = 0;
}

static void note_class(struct fuzz *f, unsigned int file, unsigned int cmd,
		       unsigned int arg)
{
	unsigned int bit = (file * (NCMDS + 1) + cmd) * NARGS + arg;

	__atomic_fetch_or(&f->classes[bit / 64], 1ull << (bit % 64),
			  __ATOMIC_RELAXED);
}

static void fuzz_one(struct worker *w)
{
	__u64 words[ARG_BYTES / 8];
	unsigned char *buf = (unsigned char *)words;
	struct fuzz *f = w->f;
	unsigned int file = pick(w, f->npool), class, kind;
	int fd = f->pool[file];
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
	unsigned long cmd;
	size_t size;
	void *arg, *map;

	switch (pick(w, 12)) {
	case 0: {
		size_t len = pick(w, 3) ? 4096 * (1 + pick(w, 4)) :
					  edge_value(w);
		off_t off = pick(w, 2) ? 4096 * pick(w, 4) :
					 (off_t)edge_value(w);
		int flags = MAP_SHARED;

		/* Huge private maps only exercise the mm's accounting. */
		if (!pick(w, 4) && len <= 16 * 4096)
			flags = MAP_PRIVATE;
		map = mmap(NULL, len, pick(w, 2) ? PROT_READ :
			   PROT_READ | PROT_WRITE, flags, fd, off);
		if (map != MAP_FAILED)
			munmap(map, len);
		break;
	}
	case 1:
		poll(&p, 1, 0);
		break;
	case 2:
		lseek(fd, edge_value(w), pick(w, 5));
		break;
	case 3:
		if (read(fd, buf, pick(w, 2) ? 8 : ARG_BYTES) < 0)
			errno = 0;
		break;
	case 4:
		/* A second descriptor of the file, closed later. */
		if (dup(fd) < 0)
			errno = 0;
		break;
	case 5:
		pass_fd(f, fd);
		break;
	default:
		cmd = fuzz_cmd(w, &size, &class);
		arg = fuzz_arg(w, buf, size, &kind);
		tame_heap_alloc(cmd, arg, buf);
		ioctl(fd, cmd, arg);
		note_class(f, file, class, kind);
		break;
	}
	w->ops++;
}

/* A sync file's status (1, 0 or -error) and its fence count. */
static int status_of(int fd, unsigned int *count)
{
	struct sync_file_info info = {};

	if (ioctl(fd, SYNC_IOC_FILE_INFO, &info)) {
		/* Say why, for a broken invariant to be read from the log. */
		fprintf(stderr, "# SYNC_IOC_FILE_INFO on fd %d: %s\n", fd,
			strerror(errno));
		return -1000 - errno;
	}
	*count = info.num_fences;
	return info.status;
}

static int merge_of(int a, int b)
{
	struct sync_merge_data m = { .fd2 = b, .name = "check" };

	return ioctl(a, SYNC_IOC_MERGE, &m) ? -1 : m.fence;
}

/* Count a broken invariant and say where, for the seed to replay. */
static void check(struct worker *w, int ok, int line, const char *what)
{
	w->checks++;
	if (ok)
		return;
	w->violations++;
	fprintf(stderr, "# invariant broken at line %d: %s\n", line, what);
}

#define CHECK(w, cond) check(w, cond, __LINE__, #cond)

/*
 * Merges on the thread's private timelines list one fence per timeline,
 * and their status follows the parts as these signal.  New buffers have
 * the size asked for.
 */
static void check_invariants(struct worker *w)
{
	struct fuzz *f = w->f;
	unsigned int n = 0, pages = 1 + pick(w, 8);
	struct dma_heap_allocation_data d = {
		.len = pages * 4096, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	struct udmabuf_create uc = {
		.memfd = f->memfd, .flags = UDMABUF_FLAGS_CLOEXEC,
		.offset = 4096 * pick(w, 8), .size = pages * 4096,
	};
	int a1, a2, b1, ab, aa, buf;

	a1 = fence_create(w->tl, w->point + 1, "a1");
	a2 = fence_create(w->tl, w->point + 2, "a2");
	b1 = fence_create(w->tl2, w->point2 + 1, "b1");
	ab = merge_of(a1, b1);
	aa = merge_of(a1, a2);
	CHECK(w, a1 >= 0 && a2 >= 0 && b1 >= 0 && ab >= 0 && aa >= 0);
	CHECK(w, status_of(ab, &n) == 0 && n == 2);
	CHECK(w, status_of(aa, &n) == 0 && n == 1);
	timeline_inc(w->tl, 1);
	CHECK(w, status_of(a1, &n) == 1 && status_of(a2, &n) == 0);
	CHECK(w, status_of(ab, &n) == 0 && status_of(aa, &n) == 0);
	timeline_inc(w->tl2, 1);
	CHECK(w, status_of(ab, &n) == 1 && status_of(aa, &n) == 0);
	timeline_inc(w->tl, 1);
	CHECK(w, status_of(aa, &n) == 1);
	w->point += 2;
	w->point2 += 1;
	close(a1);
	close(a2);
	close(b1);
	close(ab);
	close(aa);

	buf = ioctl(f->heap, DMA_HEAP_IOCTL_ALLOC, &d) ? -1 : (int)d.fd;
	CHECK(w, buf >= 0 && lseek(buf, 0, SEEK_END) == pages * 4096);
	close(buf);
	buf = ioctl(f->ub, UDMABUF_CREATE, &uc);
	CHECK(w, buf >= 0 && lseek(buf, 0, SEEK_END) == pages * 4096);
	close(buf);
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	int i;

	while (time(NULL) < w->end) {
		pthread_rwlock_rdlock(&w->f->rounds);
		for (i = 0; i < 64; i++)
			fuzz_one(w);
		close_created(w);
		pthread_rwlock_unlock(&w->f->rounds);
		if (!pick(w, 8)) {
			pthread_rwlock_wrlock(&w->f->rounds);
			check_invariants(w);
			close_created(w);
			pthread_rwlock_unlock(&w->f->rounds);
		}
	}
	return NULL;
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

static int env_int(const char *name, int def)
{
	const char *v = getenv(name);

	return v ? atoi(v) : def;
}

FIXTURE(fuzz) {
	struct fuzz f;
	struct worker w[MAX_THREADS];
	int nthreads;
	int fds;
};

FIXTURE_SETUP(fuzz)
{
	struct fuzz *f = &self->f;
	struct udmabuf_create uc = { .size = 1 << 20 };
	int tl, vgem, pipefd[2], a, b, i;
	__u32 handle;

	self->fds = count_fds();
	memset(f, 0, sizeof(*f));
	pthread_rwlock_init(&f->rounds, NULL);
	self->nthreads = env_int("FUZZ_THREADS", 2);
	ASSERT_TRUE(self->nthreads >= 1 && self->nthreads <= MAX_THREADS);

	/*
	 * Outside the pool but below it, so that nothing closes them: the
	 * threads' private timelines and the socketpair.
	 */
	for (i = 0; i < self->nthreads; i++) {
		self->w[i].tl = TIMELINE_OR_SKIP(O_RDWR | O_CLOEXEC);
		self->w[i].tl2 = open(SW_SYNC_PATH, O_RDWR | O_CLOEXEC);
		ASSERT_GE(self->w[i].tl2, 0);
	}
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0,
				f->sock));

	f->page = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, f->page);
	ASSERT_EQ(0, munmap(f->page + 4096, 4096));
	f->hole = f->page + 4096;
	memset(f->page, 0x5a, 4096);
	ASSERT_EQ(0, mprotect(f->page, 4096, PROT_READ));

	tl = add(f, open(SW_SYNC_PATH, O_RDWR | O_CLOEXEC));
	ASSERT_GE(tl, 0);
	a = add(f, fence_create(tl, 5, "pending"));
	b = add(f, fence_create(tl, 0, "signaled"));
	ASSERT_GE(a, 0);
	ASSERT_GE(b, 0);
	for (i = 0; i < 2; i++) {
		struct sync_merge_data m = { .fd2 = b, .name = "merged" };

		ASSERT_EQ(0, xioctl(a, SYNC_IOC_MERGE, &m));
		add(f, m.fence);
	}

	f->heap = add(f, OPEN_OR_SKIP("/dev/dma_heap/system",
				      O_RDONLY | O_CLOEXEC,
				      "CONFIG_DMABUF_HEAPS_SYSTEM"));
	ASSERT_GE(f->heap, 0);
	ASSERT_GE(add(f, heap_buf(f->heap, 4096)), 0);
	ASSERT_GE(add(f, heap_buf(f->heap, 64 << 10)), 0);

	f->memfd = add(f, memfd_create("fuzz", MFD_ALLOW_SEALING |
					     MFD_CLOEXEC));
	ASSERT_GE(f->memfd, 0);
	ASSERT_EQ(0, ftruncate(f->memfd, 1 << 20));
	ASSERT_EQ(0, fcntl(f->memfd, F_ADD_SEALS, F_SEAL_SHRINK));
	f->ub = add(f, OPEN_OR_SKIP("/dev/udmabuf", O_RDWR | O_CLOEXEC,
				    "CONFIG_UDMABUF"));
	ASSERT_GE(f->ub, 0);
	uc.memfd = f->memfd;
	uc.flags = UDMABUF_FLAGS_CLOEXEC;
	ASSERT_GE(add(f, ioctl(f->ub, UDMABUF_CREATE, &uc)), 0);

	/* vgem's dma-buf outlives the DRM file, which is not ours to fuzz. */
	vgem = VGEM_OR_SKIP();
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
	for (i = 0; i < self->nthreads; i++) {
		close(self->w[i].tl);
		close(self->w[i].tl2);
	}
	close(self->f.sock[0]);
	close(self->f.sock[1]);
	munmap(self->f.page, 4096);
	EXPECT_EQ(self->fds, count_fds());
}

TEST_F_TIMEOUT(fuzz, the_uapi_survives_garbage, 86400)
{
	unsigned long ops = 0, created = 0, checks = 0, violations = 0;
	struct fuzz *f = &self->f;
	int seconds = env_int("FUZZ_SECONDS", 20);
	const char *env = getenv("FUZZ_SEED");
	__u64 seed = env ? strtoull(env, NULL, 0) : (__u64)time(NULL);
	struct pollfd p = { .events = POLLIN };
	int i, tl, classes = 0;
	time_t end;

	TH_LOG("seed %#llx, %d threads, %d s", (unsigned long long)seed,
	       self->nthreads, seconds);
	end = time(NULL) + seconds;
	for (i = 0; i < self->nthreads; i++) {
		struct worker *w = &self->w[i];

		w->f = f;
		w->end = end;
		w->rng = (seed + i * 0x9e3779b97f4a7c15ull) | 1;
		ASSERT_EQ(0, pthread_create(&w->thread, NULL, worker_run, w));
	}
	/*
	 * All of them first: a worker still running may be inside its
	 * invariant check, whose descriptors a close here would take away.
	 */
	for (i = 0; i < self->nthreads; i++)
		ASSERT_EQ(0, pthread_join(self->w[i].thread, NULL));
	close_created(&self->w[0]);
	for (i = 0; i < self->nthreads; i++) {
		struct worker *w = &self->w[i];

		ops += w->ops;
		created += w->created;
		checks += w->checks;
		violations += w->violations;
	}
	for (i = 0; i < NCLASSES; i++)
		classes += !!(f->classes[i / 64] & (1ull << (i % 64)));
	TH_LOG("%lu operations, %d of %d (file, ioctl, argument) classes",
	       ops, classes, f->npool * (NCMDS + 1) * NARGS);
	TH_LOG("%lu descriptors created and closed, %lu invariant checks",
	       created, checks);
	EXPECT_EQ(0, violations) TH_LOG("seed %#llx broke invariants",
					(unsigned long long)seed);
	EXPECT_LT(0, checks);

	/* Every descriptor we opened is still the same file. */
	for (i = 0; i < f->npool; i++) {
		struct stat st;

		ASSERT_EQ(0, fstat(f->pool[i], &st));
		EXPECT_EQ(f->st[i].st_ino, st.st_ino);
		EXPECT_EQ(f->st[i].st_dev, st.st_dev);
	}
	/* Nothing the kernel made for us is left beyond what we closed. */
	EXPECT_EQ(self->fds + f->npool + 2 * self->nthreads + 2, count_fds());

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
