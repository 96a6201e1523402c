// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sync files and sw_sync from userspace: create, merge, wait (poll), info
 * on single fences and merged sets of thousands, signaled and errored
 * states, closing a timeline with fences pending, deadlines, several
 * threads signalling and waiting at once, and bad input for every ioctl,
 * each with its errno and without leaking a descriptor.
 *
 * Needs root, debugfs at /sys/kernel/debug and CONFIG_SW_SYNC.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/sync_file.h>

#include "../kselftest_harness.h"
#include "common.h"

static int timeline_open(void)
{
	return open(SW_SYNC_PATH, O_RDWR);
}

/* A new sync file merging @a and @b, or -errno. */
static int merge(int a, int b, const char *name)
{
	struct sync_merge_data data = { .fd2 = b };
	int ret;

	snprintf(data.name, sizeof(data.name), "%s", name);
	ret = xioctl(a, SYNC_IOC_MERGE, &data);
	return ret ? ret : data.fence;
}

/* FILE_INFO with room for @n entries at @fences; -errno on failure. */
static int file_info(int fd, struct sync_file_info *info,
		     struct sync_fence_info *fences, __u32 n)
{
	memset(info, 0, sizeof(*info));
	info->num_fences = n;
	info->sync_fence_info = (uintptr_t)fences;
	return xioctl(fd, SYNC_IOC_FILE_INFO, info);
}

static int fence_count(int fd)
{
	struct sync_file_info info;
	int ret = file_info(fd, &info, NULL, 0);

	return ret ? ret : (int)info.num_fences;
}

/* The file's status: 1 signaled, 0 pending, <0 error. */
static int file_status(int fd)
{
	struct sync_file_info info;
	int ret = file_info(fd, &info, NULL, 0);

	return ret ? ret : info.status;
}

/* poll() for POLLIN: 1 when ready, 0 on timeout, -errno. */
static int wait_fd(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int ret = poll(&p, 1, timeout_ms);

	if (ret < 0)
		return -errno;
	return ret && (p.revents & POLLIN);
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A page whose contents are @src, then made read-only. */
static void *read_only_copy(const void *src, size_t len)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memcpy(p, src, len);
	if (mprotect(p, 4096, PROT_READ)) {
		munmap(p, 4096);
		return NULL;
	}
	return p;
}

/*
 * A new descriptor from @call, a function returning one or -errno; the
 * test fails and stops without it.  For the tests' own code (_metadata).
 */
#define NEW_FD(call) ({							\
	int __fd = (call);						\
									\
	ASSERT_GE(__fd, 0);						\
	__fd;								\
})
#define NEW_FENCE(tl, value, name) NEW_FD(fence_create(tl, value, name))
#define NEW_MERGE(a, b, name) NEW_FD(merge(a, b, name))
#define NEW_TIMELINE() NEW_FD(timeline_open())

/* Close the @n descriptors at @fds, in order. */
static void close_n(const int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		close(fds[i]);
}

/* close_all(a, b, ...): close_n() on the descriptors listed. */
#define close_all(...)							\
	close_n((int[]){ __VA_ARGS__ },					\
		sizeof((int[]){ __VA_ARGS__ }) / sizeof(int))

FIXTURE(sw) {
	int fds;	/* descriptors open before the test's own */
	int tl;		/* a fresh timeline */
	char comm[16];	/* this task's name: the timeline's name */
};

FIXTURE_SETUP(sw)
{
	FILE *f;

	self->fds = count_fds();
	ASSERT_GE(self->fds, 0);
	self->tl = TIMELINE_OR_SKIP(O_RDWR);
	f = fopen("/proc/self/comm", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(self->comm, sizeof(self->comm), f));
	fclose(f);
	self->comm[strcspn(self->comm, "\n")] = '\0';
}

FIXTURE_TEARDOWN(sw)
{
	close(self->tl);
}

/* Every descriptor the test made is closed again. */
#define EXPECT_NO_FD_LEAK() EXPECT_EQ(self->fds + 1, count_fds())

TEST_F(sw, single_fence_create_wait_info)
{
	struct sync_fence_info fi;
	struct sync_file_info info;
	__u64 before;
	int fd;

	fd = NEW_FENCE(self->tl, 1, "single");
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, wait_fd(fd, 0));

	ASSERT_EQ(0, file_info(fd, &info, NULL, 0));
	EXPECT_EQ(1, info.num_fences);
	EXPECT_EQ(0, info.status);
	/* 6.1 ignores the creation name: driver-timeline context-seqno. */
	EXPECT_EQ(0, strncmp(info.name, "sw_sync-", 8)) TH_LOG("%s", info.name);
	EXPECT_STREQ("-1", info.name + strlen(info.name) - 2);

	ASSERT_EQ(0, file_info(fd, &info, &fi, 1));
	EXPECT_EQ(1, info.num_fences);
	EXPECT_EQ(0, fi.status);
	EXPECT_EQ(0, fi.flags);
	EXPECT_EQ(0, fi.timestamp_ns);
	EXPECT_STREQ("sw_sync", fi.driver_name);
	EXPECT_STREQ(self->comm, fi.obj_name);

	before = now_ns();
	ASSERT_EQ(0, timeline_inc(self->tl, 1));
	EXPECT_EQ(1, wait_fd(fd, 0));
	ASSERT_EQ(0, file_info(fd, &info, &fi, 1));
	EXPECT_EQ(1, info.status);
	EXPECT_EQ(1, fi.status);
	EXPECT_GE(fi.timestamp_ns, before);
	EXPECT_LE(fi.timestamp_ns, now_ns());
	close(fd);
	EXPECT_NO_FD_LEAK();
}

TEST_F(sw, poll_times_out_while_pending)
{
	__u64 start;
	int fd;

	fd = NEW_FENCE(self->tl, 2, "pending");
	start = now_ns();
	EXPECT_EQ(0, wait_fd(fd, 50));
	EXPECT_GE(now_ns() - start, 40 * 1000000ULL);
	ASSERT_EQ(0, timeline_inc(self->tl, 1));
	EXPECT_EQ(0, wait_fd(fd, 0)); /* 1 < 2 */
	ASSERT_EQ(0, timeline_inc(self->tl, 1));
	EXPECT_EQ(1, wait_fd(fd, 1000));
	close(fd);
	EXPECT_NO_FD_LEAK();
}

TEST_F(sw, point_already_reached_is_signaled)
{
	int fd;

	fd = NEW_FENCE(self->tl, 0, "past");
	EXPECT_EQ(1, file_status(fd));
	EXPECT_EQ(1, wait_fd(fd, 0));
	close(fd);
	ASSERT_EQ(0, timeline_inc(self->tl, 5));
	fd = NEW_FENCE(self->tl, 3, "past");
	EXPECT_EQ(1, file_status(fd));
	close(fd);
	EXPECT_NO_FD_LEAK();
}

TEST_F(sw, points_signal_in_order)
{
	int fd[5], i, k;

	for (i = 0; i < 5; i++)
		fd[i] = NEW_FENCE(self->tl, i + 1, "order");
	for (k = 0; k < 5; k++) {
		for (i = 0; i < 5; i++)
			EXPECT_EQ(i < k, file_status(fd[i]) == 1);
		ASSERT_EQ(0, timeline_inc(self->tl, 1));
	}
	for (i = 0; i < 5; i++) {
		EXPECT_EQ(1, file_status(fd[i]));
		close(fd[i]);
	}
	EXPECT_NO_FD_LEAK();
}

TEST_F(sw, same_point_is_one_fence)
{
	struct sync_set_deadline set = { .deadline_ns = 123456789 };
	struct sw_sync_get_deadline get = { 0 };
	int a, b;

	a = NEW_FENCE(self->tl, 4, "a");
	b = NEW_FENCE(self->tl, 4, "b");
	/* A deadline set through one file shows through the other. */
	ASSERT_EQ(0, xioctl(a, SYNC_IOC_SET_DEADLINE, &set));
	get.fence_fd = b;
	ASSERT_EQ(0, xioctl(self->tl, SW_SYNC_GET_DEADLINE, &get));
	EXPECT_EQ(set.deadline_ns, get.deadline_ns);
	close_all(a, b);
	EXPECT_NO_FD_LEAK();
}

TEST_F(sw, huge_increment_signals_everything)
{
	int fd = fence_create(self->tl, 10, "huge");

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, timeline_inc(self->tl, 0xffffffffu));
	EXPECT_EQ(1, file_status(fd));
	close(fd);
	EXPECT_NO_FD_LEAK();
}

TEST_F(sw, merge_two_timelines)
{
	struct sync_fence_info fi[2];
	struct sync_file_info info;
	int tl2, a, b, m;

	tl2 = NEW_TIMELINE();
	a = NEW_FENCE(self->tl, 1, "a");
	b = NEW_FENCE(tl2, 1, "b");
	m = NEW_MERGE(a, b, "merged");
	EXPECT_EQ(FD_CLOEXEC, fcntl(m, F_GETFD) & FD_CLOEXEC);

	ASSERT_EQ(0, file_info(m, &info, fi, 2));
	EXPECT_EQ(2, info.num_fences);
	EXPECT_STREQ("merged", info.name);
	EXPECT_EQ(0, info.status);
	EXPECT_EQ(0, fi[0].status);
	EXPECT_EQ(0, fi[1].status);

	ASSERT_EQ(0, timeline_inc(self->tl, 1));
	EXPECT_EQ(1, file_status(a));
	EXPECT_EQ(0, wait_fd(m, 20));
	ASSERT_EQ(0, timeline_inc(tl2, 1));
	EXPECT_EQ(1, wait_fd(m, 5000));
	EXPECT_EQ(1, file_status(m));
	ASSERT_EQ(0, file_info(m, &info, fi, 2));
	EXPECT_EQ(1, fi[0].status);
	EXPECT_EQ(1, fi[1].status);
	close_all(a, b, m, tl2);
	EXPECT_NO_FD_LEAK();
}

TEST_F(sw, merge_keeps_later_point_of_a_timeline)
{
	int early, late, m;

	early = NEW_FENCE(self->tl, 1, "early");
	late = NEW_FENCE(self->tl, 5, "late");
	m = NEW_MERGE(early, late, "m");
	EXPECT_EQ(1, fence_count(m));
	ASSERT_EQ(0, timeline_inc(self->tl, 1));
	EXPECT_EQ(0, wait_fd(m, 0));
	ASSERT_EQ(0, timeline_inc(self->tl, 4));
	EXPECT_EQ(1, wait_fd(m, 1000));
	close_all(early, late, m);
	EXPECT_NO_FD_LEAK();
}

TEST_F(sw, merge_with_itself)
{
	int fd, m, mm;

	fd = NEW_FENCE(self->tl, 1, "self");
	m = NEW_MERGE(fd, fd, "twice");
	EXPECT_EQ(1, fence_count(m));
	mm = NEW_MERGE(m, fd, "thrice");
	EXPECT_EQ(1, fence_count(mm));
	EXPECT_EQ(0, file_status(mm));
	ASSERT_EQ(0, timeline_inc(self->tl, 1));
	EXPECT_EQ(1, wait_fd(m, 1000));
	EXPECT_EQ(1, wait_fd(mm, 1000));
	close_all(fd, m, mm);
	EXPECT_NO_FD_LEAK();
}

TEST_F(sw, merge_of_signaled_files_is_signaled)
{
	int a, b, m;

	a = NEW_FENCE(self->tl, 1, "a");
	b = NEW_FENCE(self->tl, 2, "b");
	ASSERT_EQ(0, timeline_inc(self->tl, 2));
	m = NEW_MERGE(a, b, "done");
	EXPECT_EQ(1, file_status(m));
	EXPECT_EQ(1, wait_fd(m, 0));
	close_all(a, b, m);
	EXPECT_NO_FD_LEAK();
}

/*
 * Nothing left pending: as in 6.1.192 the merge is a new signaled fence
 * ("stub") carrying the latest signal time of the merged fences, in either
 * order; the file reports that time and its own name.
 */
TEST_F(sw, merge_of_signaled_files_keeps_latest_timestamp)
{
	struct sync_fence_info fa, fb, fi[2];
	struct sync_file_info info;
	int tl2, a, b, m, i;
	int pairs[3][2];

	tl2 = NEW_TIMELINE();
	a = NEW_FENCE(self->tl, 1, "a");
	b = NEW_FENCE(tl2, 1, "b");
	ASSERT_EQ(0, timeline_inc(tl2, 1));
	usleep(2000);
	ASSERT_EQ(0, timeline_inc(self->tl, 1));
	ASSERT_EQ(0, file_info(a, &info, &fa, 1));
	ASSERT_EQ(0, file_info(b, &info, &fb, 1));
	ASSERT_NE(0, fb.timestamp_ns);
	ASSERT_GT(fa.timestamp_ns, fb.timestamp_ns);

	pairs[0][0] = a;
	pairs[0][1] = b;
	pairs[1][0] = b;
	pairs[1][1] = a;
	pairs[2][0] = a;
	pairs[2][1] = a;
	for (i = 0; i < 3; i++) {
		m = NEW_MERGE(pairs[i][0], pairs[i][1], "signaled");
		ASSERT_EQ(0, file_info(m, &info, fi, 2));
		ASSERT_EQ(1, info.num_fences);
		EXPECT_EQ(1, info.status);
		EXPECT_STREQ("signaled", info.name);
		EXPECT_EQ(1, fi[0].status);
		EXPECT_EQ(fa.timestamp_ns, fi[0].timestamp_ns) TH_LOG("pair %d", i);
		EXPECT_STREQ("stub", fi[0].driver_name);
		EXPECT_STREQ("stub", fi[0].obj_name);
		EXPECT_EQ(1, file_status(m));
		EXPECT_EQ(1, wait_fd(m, 0));
		close(m);
	}
	/* The signal time of b alone. */
	m = NEW_MERGE(b, b, "b");
	ASSERT_EQ(0, file_info(m, &info, fi, 1));
	EXPECT_EQ(fb.timestamp_ns, fi[0].timestamp_ns);
	close_all(m, a, b, tl2);
	EXPECT_NO_FD_LEAK();
}

TEST_F(sw, close_timeline_errors_pending_fences)
{
	struct sync_fence_info fi;
	struct sync_file_info info;
	int done, pending;

	done = NEW_FENCE(self->tl, 1, "done");
	pending = NEW_FENCE(self->tl, 2, "pending");
	ASSERT_EQ(0, timeline_inc(self->tl, 1));
	close(self->tl);
	self->tl = timeline_open(); /* for the teardown and the fd count */
	ASSERT_GE(self->tl, 0);

	/* The fences outlive their timeline. */
	EXPECT_EQ(1, wait_fd(pending, 1000));
	ASSERT_EQ(0, file_info(pending, &info, &fi, 1));
	EXPECT_EQ(-ENOENT, info.status);
	EXPECT_EQ(-ENOENT, fi.status);
	EXPECT_NE(0, fi.timestamp_ns);
	EXPECT_NE(0, fi.driver_name[0]);
	EXPECT_EQ(1, file_status(done));
	close_all(done, pending);
	EXPECT_NO_FD_LEAK();
}

TEST_F(sw, merged_file_reports_member_error)
{
	struct sync_fence_info fi[2];
	struct sync_file_info info;
	int tl2, a, b, m, i, seen_error = 0;

	tl2 = NEW_TIMELINE();
	a = NEW_FENCE(tl2, 1, "a");
	b = NEW_FENCE(self->tl, 1, "b");
	m = NEW_MERGE(a, b, "m");
	close(tl2); /* a fails with -ENOENT */

	ASSERT_EQ(0, file_info(m, &info, fi, 2));
	ASSERT_EQ(2, info.num_fences);
	for (i = 0; i < 2; i++) {
		if (fi[i].status == -ENOENT)
			seen_error++;
		else
			EXPECT_EQ(0, fi[i].status);
	}
	EXPECT_EQ(1, seen_error);
	EXPECT_EQ(0, wait_fd(m, 0));

	ASSERT_EQ(0, timeline_inc(self->tl, 1));
	EXPECT_EQ(1, wait_fd(m, 5000));
	EXPECT_EQ(-ENOENT, file_status(m));
	close_all(a, b, m);
	EXPECT_NO_FD_LEAK();
}

/*
 * With room for the leaves, the file's status is folded from them in the
 * order they are listed, as in 6.1: the first leaf that is pending or
 * failed decides.  Without room it is the merged fence's own status.
 */
TEST_F(sw, file_status_folds_the_leaves_in_order)
{
	struct sync_fence_info fi[2];
	struct sync_file_info info;
	int tl2, a, b, c, d, failed_first, pending_first;

	tl2 = NEW_TIMELINE();	/* a later context than self->tl's */
	a = NEW_FENCE(self->tl, 1, "a");
	b = NEW_FENCE(tl2, 1, "b");
	failed_first = NEW_MERGE(b, a, "failed-first");
	close(self->tl); /* a fails with -ENOENT */
	self->tl = timeline_open(); /* a later context than tl2's */
	ASSERT_GE(self->tl, 0);
	ASSERT_EQ(1, wait_fd(a, 1000));

	c = NEW_FENCE(tl2, 2, "c");
	d = NEW_FENCE(self->tl, 1, "d");
	pending_first = NEW_MERGE(d, c, "pending-first");

	/* [a failed, b pending] */
	ASSERT_EQ(0, file_info(failed_first, &info, fi, 2));
	ASSERT_EQ(2, info.num_fences);
	EXPECT_EQ(-ENOENT, fi[0].status);
	EXPECT_EQ(0, fi[1].status);
	EXPECT_EQ(-ENOENT, info.status);
	EXPECT_STREQ("failed-first", info.name);
	EXPECT_EQ(0, file_status(failed_first));
	EXPECT_EQ(0, wait_fd(failed_first, 0));

	/* [c pending, d signaled] */
	ASSERT_EQ(0, timeline_inc(self->tl, 1));
	ASSERT_EQ(0, file_info(pending_first, &info, fi, 2));
	ASSERT_EQ(2, info.num_fences);
	EXPECT_EQ(0, fi[0].status);
	EXPECT_EQ(1, fi[1].status);
	EXPECT_EQ(0, info.status);
	EXPECT_EQ(0, file_status(pending_first));

	/* [a failed, b signaled] and [c signaled, d signaled] */
	ASSERT_EQ(0, timeline_inc(tl2, 2));
	ASSERT_EQ(1, wait_fd(failed_first, 1000));
	ASSERT_EQ(0, file_info(failed_first, &info, fi, 2));
	EXPECT_EQ(-ENOENT, info.status);
	EXPECT_EQ(-ENOENT, file_status(failed_first));
	ASSERT_EQ(1, wait_fd(pending_first, 1000));
	ASSERT_EQ(0, file_info(pending_first, &info, fi, 2));
	EXPECT_EQ(1, info.status);
	EXPECT_EQ(1, file_status(pending_first));

	close_all(failed_first, pending_first, a, b, c, d, tl2);
	EXPECT_NO_FD_LEAK();
}

/* For the slow tests: TCG with KASAN is far slower than hardware. */
FIXTURE(slow) {
};

FIXTURE_SETUP(slow)
{
	close(TIMELINE_OR_SKIP(O_RDWR));
}

FIXTURE_TEARDOWN(slow)
{
}

/* Merge thousands of fences, each on its own timeline, pairwise. */
TEST_F_TIMEOUT(slow, merge_thousands, 180)
{
	enum { N = 2048 };
	struct rlimit lim = { 2 * N + 64, 2 * N + 64 };
	struct sync_fence_info *fi;
	struct sync_file_info info;
	int *tl, *fd, i, n, base, ret;
	__u64 start, merged, level;
	char levels[128];
	int len = 0;

	base = count_fds();
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &lim));
	tl = calloc(N, sizeof(*tl));
	fd = calloc(N, sizeof(*fd));
	fi = calloc(N + 1, sizeof(*fi));
	ASSERT_TRUE(tl && fd && fi);
	for (i = 0; i < N; i++) {
		tl[i] = NEW_TIMELINE();
		fd[i] = NEW_FENCE(tl[i], 1, "many");
	}
	start = now_ns();
	for (n = N; n > 1; n = (n + 1) / 2) {
		level = now_ns();
		for (i = 0; i < n / 2; i++) {
			ret = NEW_MERGE(fd[2 * i], fd[2 * i + 1], "many");
			close_all(fd[2 * i], fd[2 * i + 1]);
			fd[i] = ret;
		}
		if (n & 1)
			fd[n / 2] = fd[n - 1];
		/*
		 * Each level handles N fences in all but half the calls of
		 * the one before: its time tells per-call from per-fence cost.
		 */
		len += snprintf(levels + len, sizeof(levels) - len, " %llu",
				(now_ns() - level) / 1000000);
	}
	merged = now_ns();
	ASSERT_EQ(N, fence_count(fd[0]));
	EXPECT_EQ(-EINVAL, file_info(fd[0], &info, fi, N - 1));
	ASSERT_EQ(0, file_info(fd[0], &info, fi, N + 1));
	ASSERT_EQ(N, info.num_fences);
	TH_LOG("%d pairwise merges of %d fences: %llu ms; count and info: %llu ms",
	       N - 1, N, (merged - start) / 1000000,
	       (now_ns() - merged) / 1000000);
	TH_LOG("ms per level, from %d merges of 2 fences to 1 of %d:%s",
	       N / 2, N, levels);
	for (i = 0; i < N; i++)
		ASSERT_EQ(0, fi[i].status);

	for (i = 0; i < N; i++) {
		if (i == N / 2 || i == N - 1)
			EXPECT_EQ(0, wait_fd(fd[0], 0));
		ASSERT_EQ(0, timeline_inc(tl[i], 1));
	}
	EXPECT_EQ(1, wait_fd(fd[0], 5000));
	ASSERT_EQ(0, file_info(fd[0], &info, fi, N));
	EXPECT_EQ(1, info.status);
	for (i = 0; i < N; i++)
		ASSERT_EQ(1, fi[i].status);

	close(fd[0]);
	for (i = 0; i < N; i++)
		close(tl[i]);
	free(tl);
	free(fd);
	free(fi);
	EXPECT_EQ(base, count_fds());
}

TEST_F(sw, deadline_reaches_the_driver)
{
	struct sync_set_deadline set = { 0 };
	struct sw_sync_get_deadline get = { 0 };
	int tl2, a, b, m;
	__u64 soon;

	tl2 = NEW_TIMELINE();
	a = NEW_FENCE(self->tl, 1, "a");
	b = NEW_FENCE(tl2, 1, "b");

	get.fence_fd = a;
	EXPECT_EQ(-ENOENT, xioctl(self->tl, SW_SYNC_GET_DEADLINE, &get));

	soon = now_ns() + 16 * 1000000ULL;
	set.deadline_ns = soon;
	ASSERT_EQ(0, xioctl(a, SYNC_IOC_SET_DEADLINE, &set));
	ASSERT_EQ(0, xioctl(self->tl, SW_SYNC_GET_DEADLINE, &get));
	EXPECT_EQ(soon, get.deadline_ns);

	/* A later deadline does not replace an earlier one. */
	set.deadline_ns = soon + 1000000000ULL;
	ASSERT_EQ(0, xioctl(a, SYNC_IOC_SET_DEADLINE, &set));
	ASSERT_EQ(0, xioctl(self->tl, SW_SYNC_GET_DEADLINE, &get));
	EXPECT_EQ(soon, get.deadline_ns);

	/* Through a merged file, every member hears about it. */
	m = NEW_MERGE(a, b, "m");
	set.deadline_ns = soon - 1000;
	ASSERT_EQ(0, xioctl(m, SYNC_IOC_SET_DEADLINE, &set));
	ASSERT_EQ(0, xioctl(self->tl, SW_SYNC_GET_DEADLINE, &get));
	EXPECT_EQ(soon - 1000, get.deadline_ns);
	get.fence_fd = b;
	ASSERT_EQ(0, xioctl(tl2, SW_SYNC_GET_DEADLINE, &get));
	EXPECT_EQ(soon - 1000, get.deadline_ns);

	/* Not a single sw_sync point: refused. */
	get.fence_fd = m;
	EXPECT_EQ(-EINVAL, xioctl(self->tl, SW_SYNC_GET_DEADLINE, &get));

	/* Deadlines are only hints: nothing signaled. */
	EXPECT_EQ(0, file_status(m));
	close_all(a, b, m, tl2);
	EXPECT_NO_FD_LEAK();
}

/* The whole text of the file at @path, in a static buffer ("" on error). */
static const char *file_text(const char *path)
{
	static char text[1 << 16];
	ssize_t n, len = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return "";
	while ((n = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
		len += n;
	close(fd);
	text[len] = '\0';
	return text;
}

/* The whole text of sync/info (see file_text()). */
static const char *sync_info(void)
{
	return file_text(SYNC_INFO_PATH);
}

/*
 * Does @line (up to its newline) read @want, possibly followed by more
 * fields after a space?  Ours may add fields at the end of 6.1's lines.
 */
static int line_is(const char *line, const char *want)
{
	size_t n = strlen(want);

	return !strncmp(line, want, n) && (line[n] == '\n' || line[n] == '\0');
}

/* The line after @line, or NULL. */
static const char *next_line(const char *line)
{
	const char *nl = strchr(line, '\n');

	return nl ? nl + 1 : NULL;
}

/* The first line of @text that is @want (see line_is()), or NULL. */
static const char *find_line(const char *text, const char *want)
{
	for (; text && *text; text = next_line(text))
		if (line_is(text, want))
			return text;
	return NULL;
}

/* A 6.1 line of an errored point: "  fence error@S.NNNNNNNNN: V / T". */
static int errored_point_is(const char *line, const char *values)
{
	const char *p = line + strlen("  fence error@");

	if (strncmp(line, "  fence error@", strlen("  fence error@")))
		return 0;
	p += strspn(p, "0123456789");
	if (*p++ != '.' || strspn(p, "0123456789") != 9)
		return 0;
	return line_is(p + 9, values);
}

/*
 * sync/info prints 6.1's lines and nothing more: the "objs:" section
 * with one line per timeline ("<name>: <value>") followed by one line per
 * point still on it ("  fence <status>[@<time>]: <seqno> / <value>") and
 * an empty line, then the "fences:" section, which 6.1 leaves empty.
 * Points a closed timeline errored stay listed while their files hold
 * them.
 */
TEST_F(sw, debugfs_info_prints_6_1s_lines)
{
	const char *text, *line;
	char want[64];
	int a, b, c;

	ASSERT_EQ(0, timeline_inc(self->tl, 12345));
	a = NEW_FENCE(self->tl, 12400, "a");
	b = NEW_FENCE(self->tl, 12350, "b");
	c = NEW_FENCE(self->tl, 12000, "signaled, so not listed");

	text = sync_info();
	EXPECT_EQ(0, strncmp(text, "objs:\n--------------\n", 21))
		TH_LOG("%s", text);
	line = strstr(text, "\nfences:\n--------------\n");
	ASSERT_NE(NULL, line) TH_LOG("%s", text);
	EXPECT_STREQ("", line + strlen("\nfences:\n--------------\n"));
	snprintf(want, sizeof(want), "%s: 12345", self->comm);
	line = find_line(text, want);
	ASSERT_NE(NULL, line) TH_LOG("no \"%s\" in:\n%s", want, text);
	line = next_line(line);
	EXPECT_TRUE(line_is(line, "  fence active: 12350 / 12345"))
		TH_LOG("%s", text);
	line = next_line(line);
	EXPECT_TRUE(line_is(line, "  fence active: 12400 / 12345"))
		TH_LOG("%s", text);
	EXPECT_EQ('\n', *next_line(line)) TH_LOG("%s", text);

	/* Closed: the points are signaled with an error, and still shown. */
	close(self->tl);
	self->tl = timeline_open(); /* for the teardown and the fd count */
	ASSERT_GE(self->tl, 0);
	text = sync_info();
	line = find_line(text, want);
	ASSERT_NE(NULL, line) TH_LOG("no \"%s\" in:\n%s", want, text);
	line = next_line(line);
	EXPECT_TRUE(errored_point_is(line, ": 12350 / 12345")) TH_LOG("%s", text);
	line = next_line(line);
	EXPECT_TRUE(errored_point_is(line, ": 12400 / 12345")) TH_LOG("%s", text);
	EXPECT_EQ('\n', *next_line(line)) TH_LOG("%s", text);

	/* The last point's file gone, the timeline goes too. */
	close_all(a, b, c);
	EXPECT_EQ(NULL, find_line(sync_info(), want));
	EXPECT_NO_FD_LEAK();
}

/* The text of @fd's /proc/self/fdinfo file (see file_text()). */
static const char *fdinfo_text(int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	return file_text(path);
}

/*
 * The @i-th "fence:" line of an fdinfo text, from its tab on, up to and
 * without its newline, in @buf; "" when there are fewer.
 */
static const char *fence_line(const char *text, int i, char *buf, size_t len)
{
	const char *line;

	buf[0] = '\0';
	for (line = text; line && *line; line = next_line(line)) {
		if (strncmp(line, "fence:\t", 7) || i--)
			continue;
		snprintf(buf, len, "%.*s", (int)strcspn(line + 6, "\n"),
			 line + 6);
		break;
	}
	return buf;
}

/* Does @s end with @tail? */
static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && !strcmp(s + n - t, tail);
}

/*
 * A sync file's fdinfo names it ("sync_file:") as SYNC_IOC_FILE_INFO does,
 * counts its fences ("fences:") and has one "fence:" line per fence, in
 * the ioctl's order: "<driver> <timeline> context <c> seqno <s> status
 * <status>", status 0 while pending and 1 once signaled.  A merge drops
 * the fences already signaled, so the one signaled member of the merged
 * file signals after the merge.
 */
TEST_F(sw, fdinfo_lists_the_fences)
{
	struct sync_fence_info fi[2];
	struct sync_file_info info;
	char want[128], line[256];
	const char *text;
	int tl2, a, b, m, i;

	a = NEW_FENCE(self->tl, 1, "a");
	ASSERT_EQ(0, file_info(a, &info, fi, 1));
	text = fdinfo_text(a);
	snprintf(want, sizeof(want), "sync_file:\t%s", info.name);
	EXPECT_NE(NULL, find_line(text, want)) TH_LOG("%s", text);
	EXPECT_NE(NULL, find_line(text, "fences:\t1")) TH_LOG("%s", text);
	snprintf(want, sizeof(want), "\tsw_sync %s context ", self->comm);
	fence_line(text, 0, line, sizeof(line));
	EXPECT_EQ(0, strncmp(line, want, strlen(want))) TH_LOG("%s", text);
	EXPECT_TRUE(ends_with(line, " seqno 1 status 0")) TH_LOG("%s", text);
	EXPECT_STREQ("", fence_line(text, 1, line, sizeof(line)));

	tl2 = NEW_TIMELINE();
	b = NEW_FENCE(tl2, 5, "b");
	m = NEW_MERGE(a, b, "merged");
	ASSERT_EQ(0, timeline_inc(self->tl, 1));
	fence_line(fdinfo_text(a), 0, line, sizeof(line));
	EXPECT_TRUE(ends_with(line, " seqno 1 status 1")) TH_LOG("%s", line);

	ASSERT_EQ(0, file_info(m, &info, fi, 2));
	ASSERT_EQ(2, info.num_fences);
	text = fdinfo_text(m);
	EXPECT_NE(NULL, find_line(text, "sync_file:\tmerged")) TH_LOG("%s", text);
	EXPECT_NE(NULL, find_line(text, "fences:\t2")) TH_LOG("%s", text);
	for (i = 0; i < 2; i++) {
		snprintf(want, sizeof(want), " seqno %d status %d",
			 fi[i].status ? 1 : 5, fi[i].status);
		fence_line(text, i, line, sizeof(line));
		EXPECT_TRUE(ends_with(line, want)) TH_LOG("%s", text);
	}
	EXPECT_NE(fi[0].status, fi[1].status);
	EXPECT_STREQ("", fence_line(text, 2, line, sizeof(line)));
	close_all(a, b, m, tl2);
	EXPECT_NO_FD_LEAK();
}

#define TRACE_INSTANCES "/sys/kernel/tracing/instances"
#define TRACE_INSTANCE TRACE_INSTANCES "/sync_test"

static int write_str(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

/*
 * The sync_trace:sync_timeline tracepoint fires, as in 6.1, once per
 * step of SW_SYNC_IOC_INC (an increment above INT_MAX takes two) with
 * the timeline's name and its value before the step, printed "%d".
 */
TEST_F(sw, sync_timeline_tracepoint_records_each_step)
{
	static char trace[1 << 16];
	static const char * const vals[] = { "0", "3", "5", "-2147483644" };
	char want[64];
	const char *p;
	ssize_t n, len = 0;
	unsigned int i;
	int fd;

	NEEDS(!access(TRACE_INSTANCES, W_OK),
	      "no tracefs instances (CONFIG_TRACING, tracefs)");
	rmdir(TRACE_INSTANCE);
	ASSERT_EQ(0, mkdir(TRACE_INSTANCE, 0755)) TH_LOG("tracefs instance: %s",
							 strerror(errno));
	ASSERT_EQ(0, write_str(TRACE_INSTANCE
			       "/events/sync_trace/sync_timeline/enable", "1"));
	EXPECT_EQ(0, timeline_inc(self->tl, 3));
	EXPECT_EQ(0, timeline_inc(self->tl, 2));
	EXPECT_EQ(0, timeline_inc(self->tl, 0x80000000u));
	EXPECT_EQ(0, write_str(TRACE_INSTANCE
			       "/events/sync_trace/sync_timeline/enable", "0"));
	fd = open(TRACE_INSTANCE "/trace", O_RDONLY);
	ASSERT_GE(fd, 0);
	while ((n = read(fd, trace + len, sizeof(trace) - 1 - len)) > 0)
		len += n;
	close(fd);
	trace[len] = '\0';
	rmdir(TRACE_INSTANCE);

	p = trace;
	for (i = 0; i < ARRAY_SIZE(vals); i++) {
		snprintf(want, sizeof(want), "sync_timeline: name=%s value=%s\n",
			 self->comm, vals[i]);
		p = strstr(p, want);
		ASSERT_NE(NULL, p) TH_LOG("no \"%s\" in order in:\n%s", want,
					  trace);
		p += strlen(want);
	}
	EXPECT_EQ(NULL, strstr(p, "sync_timeline:")) TH_LOG("%s", trace);
}

/*
 * Lanes of one waiter and one signaler each, for about two seconds.  The
 * waiter makes the next point and polls it with a generous timeout while
 * its signaler, running concurrently, reaches it after a random short
 * delay.  A lost wakeup shows up as a timed-out poll.
 */
enum { LANES = 3, RUN_MS = 2000, WAIT_MS = 2000 };

struct lane {
	int tl;
	atomic_uint wanted;	/* the point the waiter waits for */
	atomic_bool stop;
	unsigned int rounds;
	unsigned int timeouts;
	unsigned int errors;
};

static void *lane_waiter(void *arg)
{
	struct lane *l = arg;
	__u64 end = now_ns() + RUN_MS * 1000000ULL;
	unsigned int seq;
	int fd;

	for (seq = 1; now_ns() < end; seq++) {
		fd = fence_create(l->tl, seq, "lane");
		if (fd < 0) {
			l->errors++;
			break;
		}
		atomic_store(&l->wanted, seq);
		if (wait_fd(fd, WAIT_MS) != 1)
			l->timeouts++;
		else if (file_status(fd) != 1)
			l->errors++;
		close(fd);
		l->rounds++;
	}
	atomic_store(&l->stop, true);
	return NULL;
}

static void *lane_signaler(void *arg)
{
	struct lane *l = arg;
	unsigned int done = 0, want;
	unsigned int seed = (unsigned int)(uintptr_t)arg;

	while (!atomic_load(&l->stop)) {
		want = atomic_load(&l->wanted);
		if (want == done) {
			usleep(20);
			continue;
		}
		if (rand_r(&seed) & 1)
			usleep(rand_r(&seed) % 200);
		if (timeline_inc(l->tl, want - done))
			l->errors++;
		done = want;
	}
	return NULL;
}

TEST(threads_signal_and_wait_without_lost_wakeups)
{
	pthread_t waiter[LANES], signaler[LANES];
	struct lane lanes[LANES] = { 0 };
	int i, base = count_fds();

	close(TIMELINE_OR_SKIP(O_RDWR));
	for (i = 0; i < LANES; i++) {
		lanes[i].tl = timeline_open();
		ASSERT_GE(lanes[i].tl, 0);
	}
	for (i = 0; i < LANES; i++) {
		ASSERT_EQ(0, pthread_create(&waiter[i], NULL, lane_waiter,
					    &lanes[i]));
		ASSERT_EQ(0, pthread_create(&signaler[i], NULL, lane_signaler,
					    &lanes[i]));
	}
	for (i = 0; i < LANES; i++) {
		pthread_join(waiter[i], NULL);
		pthread_join(signaler[i], NULL);
		TH_LOG("lane %d: %u rounds", i, lanes[i].rounds);
		EXPECT_EQ(0, lanes[i].timeouts);
		EXPECT_EQ(0, lanes[i].errors);
		EXPECT_GE(lanes[i].rounds, 10);
		close(lanes[i].tl);
	}
	EXPECT_EQ(base, count_fds());
}

/*
 * Several threads poll one sync file (and a merge holding it) while it is
 * signaled; every one of them must wake.  Repeated for about a second.
 */
enum { POLLERS = 4 };

struct pollers {
	int fd[2];
	atomic_int started;
	atomic_int woken;
};

static void *poller(void *arg)
{
	struct pollers *p = arg;
	int i = atomic_fetch_add(&p->started, 1);

	if (wait_fd(p->fd[i & 1], WAIT_MS) == 1)
		atomic_fetch_add(&p->woken, 1);
	return NULL;
}

TEST_F(sw, many_pollers_on_one_fence)
{
	__u64 end = now_ns() + 1000000000ULL;
	pthread_t t[POLLERS];
	unsigned int round;
	struct pollers p;
	int tl2, other, i;

	tl2 = NEW_TIMELINE();
	for (round = 1; now_ns() < end; round++) {
		memset(&p, 0, sizeof(p));
		p.fd[0] = fence_create(self->tl, round, "shared");
		ASSERT_GE(p.fd[0], 0);
		other = NEW_FENCE(tl2, round, "other");
		p.fd[1] = merge(p.fd[0], other, "both");
		ASSERT_GE(p.fd[1], 0);
		for (i = 0; i < POLLERS; i++)
			ASSERT_EQ(0, pthread_create(&t[i], NULL, poller, &p));
		/* Signal while the pollers arrive, not only after. */
		if (round & 1)
			usleep(round % 500);
		ASSERT_EQ(0, timeline_inc(tl2, 1));
		ASSERT_EQ(0, timeline_inc(self->tl, 1));
		for (i = 0; i < POLLERS; i++)
			pthread_join(t[i], NULL);
		ASSERT_EQ(POLLERS, atomic_load(&p.woken)) TH_LOG("round %u", round);
		close_all(p.fd[0], p.fd[1], other);
	}
	TH_LOG("%u rounds", round - 1);
	EXPECT_GE(round - 1, 5);
	close(tl2);
	EXPECT_NO_FD_LEAK();
}

/* Bad input, ioctl by ioctl. */

TEST_F(sw, bad_fds)
{
	struct sync_file_info info = { 0 };
	int null, fd, m;

	null = open("/dev/null", O_RDWR);
	ASSERT_GE(null, 0);
	fd = NEW_FENCE(self->tl, 1, "x");

	EXPECT_EQ(-EBADF, xioctl(-1, SYNC_IOC_FILE_INFO, &info));
	EXPECT_EQ(-EBADF, xioctl(9999, SYNC_IOC_FILE_INFO, &info));
	EXPECT_EQ(-ENOTTY, xioctl(null, SYNC_IOC_FILE_INFO, &info));
	/* sync ioctls on a timeline, timeline ioctls on a sync file */
	EXPECT_EQ(-ENOTTY, xioctl(self->tl, SYNC_IOC_FILE_INFO, &info));
	EXPECT_EQ(-ENOTTY, timeline_inc(fd, 1));

	EXPECT_EQ(-ENOENT, merge(fd, -1, "m"));
	EXPECT_EQ(-ENOENT, merge(fd, 9999, "m"));
	EXPECT_EQ(-ENOENT, merge(fd, null, "m"));
	EXPECT_EQ(-ENOENT, merge(fd, self->tl, "m"));
	EXPECT_EQ(-ENOTTY, merge(null, fd, "m"));

	/* A closed sync file's number is no longer one. */
	m = NEW_MERGE(fd, fd, "m");
	close(m);
	EXPECT_EQ(-ENOENT, merge(fd, m, "m"));
	close_all(fd, null);
	EXPECT_NO_FD_LEAK();
}

TEST_F(sw, unknown_ioctls_and_wrong_sizes)
{
	char buf[256] = { 0 };
	int fd;

	fd = NEW_FENCE(self->tl, 1, "x");
	EXPECT_EQ(-ENOTTY, xioctl(fd, _IO(SYNC_IOC_MAGIC, 0), buf));
	EXPECT_EQ(-ENOTTY, xioctl(fd, _IOWR(SYNC_IOC_MAGIC, 2, __u32), buf));
	EXPECT_EQ(-ENOTTY, xioctl(fd, _IOWR(SYNC_IOC_MAGIC, 6, __u64), buf));
	EXPECT_EQ(-ENOTTY, xioctl(fd, _IOWR('W', 0, __u32), buf));
	EXPECT_EQ(-ENOTTY, xioctl(fd, _IOWR(SYNC_IOC_MAGIC, 3, char[40]), buf));
	EXPECT_EQ(-ENOTTY, xioctl(fd, _IOWR(SYNC_IOC_MAGIC, 4, char[48]), buf));
	EXPECT_EQ(-ENOTTY, xioctl(fd, _IOW(SYNC_IOC_MAGIC, 5, __u64), buf));
	EXPECT_EQ(-ENOTTY, xioctl(fd, _IOR(SYNC_IOC_MAGIC, 4,
					   struct sync_file_info), buf));

	EXPECT_EQ(-ENOTTY, xioctl(self->tl, _IO('W', 3), buf));
	EXPECT_EQ(-ENOTTY, xioctl(self->tl, _IOW('W', 1, __u64), buf));
	EXPECT_EQ(-ENOTTY, xioctl(self->tl, _IOWR('W', 0, char[36]), buf));
	EXPECT_EQ(-ENOTTY, xioctl(self->tl, _IOWR('W', 2, __u64), buf));
	EXPECT_EQ(-ENOTTY, xioctl(self->tl, SYNC_IOC_MERGE, buf));
	EXPECT_EQ(0, file_status(fd));
	close(fd);
	EXPECT_NO_FD_LEAK();
}

TEST_F(sw, file_info_bad_input)
{
	struct sync_fence_info fi[4];
	struct sync_file_info info, *ro;
	char *unaligned;
	int tl2, a, b, m;

	tl2 = NEW_TIMELINE();
	a = NEW_FENCE(self->tl, 1, "a");
	b = NEW_FENCE(tl2, 1, "b");
	m = NEW_MERGE(a, b, "m");
	ASSERT_EQ(2, fence_count(m));

	/* Reserved fields. */
	memset(&info, 0, sizeof(info));
	info.flags = 1;
	EXPECT_EQ(-EINVAL, xioctl(m, SYNC_IOC_FILE_INFO, &info));
	memset(&info, 0, sizeof(info));
	info.pad = 1;
	EXPECT_EQ(-EINVAL, xioctl(m, SYNC_IOC_FILE_INFO, &info));

	/* Room for fewer fences than there are. */
	EXPECT_EQ(-EINVAL, file_info(m, &info, fi, 1));
	/* More room claimed than there is: only what exists is written. */
	memset(fi, 0x5a, sizeof(fi));
	ASSERT_EQ(0, file_info(m, &info, fi, 0xffffffffu));
	EXPECT_EQ(2, info.num_fences);
	EXPECT_EQ(0x5a5a5a5a, (__u32)fi[2].status);

	/* Bad buffers. */
	EXPECT_EQ(-EFAULT, file_info(m, &info, NULL, 2));
	EXPECT_EQ(-EFAULT, file_info(m, &info, KERNEL_PTR, 2));
	EXPECT_EQ(-EFAULT, xioctl(m, SYNC_IOC_FILE_INFO, NULL));
	EXPECT_EQ(-EFAULT, xioctl(m, SYNC_IOC_FILE_INFO, KERNEL_PTR));
	ro = read_only_copy(fi, sizeof(fi));
	ASSERT_NE(NULL, ro);
	EXPECT_EQ(-EFAULT, file_info(m, &info, (void *)ro, 2));
	munmap(ro, 4096);
	/* Even the count query writes back: a read-only argument fails. */
	memset(&info, 0, sizeof(info));
	ro = read_only_copy(&info, sizeof(info));
	ASSERT_NE(NULL, ro);
	EXPECT_EQ(-EFAULT, xioctl(m, SYNC_IOC_FILE_INFO, ro));
	munmap(ro, 4096);

	/* Unaligned buffers are fine. */
	unaligned = malloc(sizeof(info) + 2 * sizeof(fi[0]) + 2);
	ASSERT_NE(NULL, unaligned);
	ASSERT_EQ(0, file_info(m, &info,
			       (void *)(unaligned + 1), 2));
	memcpy(fi, unaligned + 1, 2 * sizeof(fi[0]));
	EXPECT_STREQ("sw_sync", fi[0].driver_name);
	EXPECT_STREQ("sw_sync", fi[1].driver_name);
	memset(unaligned, 0, sizeof(info) + 1);
	ASSERT_EQ(0, xioctl(m, SYNC_IOC_FILE_INFO, unaligned + 1));
	memcpy(&info, unaligned + 1, sizeof(info));
	EXPECT_EQ(2, info.num_fences);
	free(unaligned);

	close_all(a, b, m, tl2);
	EXPECT_NO_FD_LEAK();
}

TEST_F(sw, merge_bad_input)
{
	struct sync_merge_data data, *ro;
	int fd, m, before;

	fd = NEW_FENCE(self->tl, 1, "x");

	memset(&data, 0, sizeof(data));
	data.fd2 = fd;
	data.flags = 1;
	EXPECT_EQ(-EINVAL, xioctl(fd, SYNC_IOC_MERGE, &data));
	data.flags = 0;
	data.pad = 1;
	EXPECT_EQ(-EINVAL, xioctl(fd, SYNC_IOC_MERGE, &data));
	EXPECT_EQ(-EFAULT, xioctl(fd, SYNC_IOC_MERGE, NULL));
	EXPECT_EQ(-EFAULT, xioctl(fd, SYNC_IOC_MERGE, KERNEL_PTR));

	/* The answer cannot be written back: no descriptor may appear. */
	before = count_fds();
	data.pad = 0;
	ro = read_only_copy(&data, sizeof(data));
	ASSERT_NE(NULL, ro);
	EXPECT_EQ(-EFAULT, xioctl(fd, SYNC_IOC_MERGE, ro));
	munmap(ro, 4096);
	EXPECT_EQ(before, count_fds());

	/* A name without its NUL is cut to 31 characters. */
	memset(&data, 0, sizeof(data));
	memset(data.name, 'n', sizeof(data.name));
	data.fd2 = fd;
	ASSERT_EQ(0, xioctl(fd, SYNC_IOC_MERGE, &data));
	m = data.fence;
	{
		struct sync_file_info info;

		ASSERT_EQ(0, file_info(m, &info, NULL, 0));
		EXPECT_EQ(31, strnlen(info.name, sizeof(info.name)));
	}
	close_all(m, fd);
	EXPECT_NO_FD_LEAK();
}

TEST_F(sw, set_deadline_bad_input)
{
	struct sync_set_deadline set = { .deadline_ns = 1, .pad = 1 };
	int fd;

	fd = NEW_FENCE(self->tl, 1, "x");
	EXPECT_EQ(-EINVAL, xioctl(fd, SYNC_IOC_SET_DEADLINE, &set));
	EXPECT_EQ(-EFAULT, xioctl(fd, SYNC_IOC_SET_DEADLINE, NULL));
	EXPECT_EQ(-EFAULT, xioctl(fd, SYNC_IOC_SET_DEADLINE, KERNEL_PTR));
	/* Any time at all is a valid hint, even one long past or far away. */
	set.pad = 0;
	set.deadline_ns = ~0ULL;
	EXPECT_EQ(0, xioctl(fd, SYNC_IOC_SET_DEADLINE, &set));
	set.deadline_ns = 0;
	EXPECT_EQ(0, xioctl(fd, SYNC_IOC_SET_DEADLINE, &set));
	EXPECT_EQ(0, file_status(fd));
	close(fd);
	EXPECT_NO_FD_LEAK();
}

TEST_F(sw, sw_sync_bad_input)
{
	struct sw_sync_create_fence_data data = { .value = 1 }, *ro;
	struct sw_sync_get_deadline get = { 0 };
	int null, fd, before;

	null = open("/dev/null", O_RDWR);
	ASSERT_GE(null, 0);
	fd = NEW_FENCE(self->tl, 1, "x");

	EXPECT_EQ(-EFAULT, xioctl(self->tl, SW_SYNC_IOC_CREATE_FENCE, NULL));
	EXPECT_EQ(-EFAULT, xioctl(self->tl, SW_SYNC_IOC_CREATE_FENCE,
				  KERNEL_PTR));
	EXPECT_EQ(-EFAULT, xioctl(self->tl, SW_SYNC_IOC_INC, NULL));
	EXPECT_EQ(-EFAULT, xioctl(self->tl, SW_SYNC_IOC_INC, KERNEL_PTR));
	EXPECT_EQ(-EFAULT, xioctl(self->tl, SW_SYNC_GET_DEADLINE, NULL));

	/* The new descriptor cannot be reported: none may appear. */
	before = count_fds();
	ro = read_only_copy(&data, sizeof(data));
	ASSERT_NE(NULL, ro);
	EXPECT_EQ(-EFAULT, xioctl(self->tl, SW_SYNC_IOC_CREATE_FENCE, ro));
	munmap(ro, 4096);
	EXPECT_EQ(before, count_fds());

	get.fence_fd = fd;
	get.pad = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->tl, SW_SYNC_GET_DEADLINE, &get));
	get.pad = 0;
	get.fence_fd = null;
	EXPECT_EQ(-EINVAL, xioctl(self->tl, SW_SYNC_GET_DEADLINE, &get));
	get.fence_fd = (__u32)-1;
	EXPECT_EQ(-EINVAL, xioctl(self->tl, SW_SYNC_GET_DEADLINE, &get));

	/* Nothing above touched the timeline. */
	EXPECT_EQ(0, file_status(fd));
	close_all(fd, null);
	EXPECT_NO_FD_LEAK();
}

/*
 * More points than the close signals in one batch (16): every one of
 * them gets -ENOENT, the ones of the first batch and the later ones
 * alike, including the point the next batch resumes after.
 */
TEST_F(sw, close_timeline_with_many_points_errors_all)
{
	enum { N = 40 };
	int fd[N], i;

	for (i = 0; i < N; i++)
		fd[i] = NEW_FENCE(self->tl, i + 1, "many");
	close(self->tl);
	self->tl = timeline_open(); /* for the teardown and the fd count */
	ASSERT_GE(self->tl, 0);
	for (i = 0; i < N; i++) {
		EXPECT_EQ(1, wait_fd(fd[i], 1000)) TH_LOG("point %d", i + 1);
		EXPECT_EQ(-ENOENT, file_status(fd[i])) TH_LOG("point %d",
							      i + 1);
		close(fd[i]);
	}
	EXPECT_NO_FD_LEAK();
}

/* GET_DEADLINE's answer cannot be written back: EFAULT, nothing else. */
TEST_F(sw, get_deadline_into_read_only_memory)
{
	struct sync_set_deadline set = { .deadline_ns = now_ns() + 1000000 };
	struct sw_sync_get_deadline get = { 0 }, *ro;
	int fd = fence_create(self->tl, 1, "ro");

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, xioctl(fd, SYNC_IOC_SET_DEADLINE, &set));
	get.fence_fd = fd;
	ro = read_only_copy(&get, sizeof(get));
	ASSERT_NE(NULL, ro);
	EXPECT_EQ(-EFAULT, xioctl(self->tl, SW_SYNC_GET_DEADLINE, ro));
	EXPECT_EQ(0, ro->deadline_ns);
	munmap(ro, 4096);
	/* The same request to writable memory gets its answer. */
	ASSERT_EQ(0, xioctl(self->tl, SW_SYNC_GET_DEADLINE, &get));
	EXPECT_EQ(set.deadline_ns, get.deadline_ns);
	close(fd);
	EXPECT_NO_FD_LEAK();
}

/*
 * Fault injection (CONFIG_FAULT_INJECTION with failslab): writing N to
 * /proc/thread-self/fail-nth fails the Nth allocation the thread makes.
 * The attributes are set to count sleeping allocations and to stay quiet.
 */
static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = write(fd, text, strlen(text)) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

static int fail_nth_open(void)
{
	if (write_file("/sys/kernel/debug/failslab/ignore-gfp-wait", "N") ||
	    write_file("/sys/kernel/debug/failslab/verbose", "0"))
		return -1;
	return open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
}

static void fail_nth_arm(int ctl, int n)
{
	char s[16];
	int len = snprintf(s, sizeof(s), "%d", n);

	/* A disarm may meet the armed point in its own copy: write again. */
	while (pwrite(ctl, s, len, 0) != len && errno == EFAULT)
		;
}

/* Disarm; true when the armed allocation was reached and failed. */
static int fail_nth_disarm(int ctl)
{
	char s[16] = "";
	ssize_t n = pread(ctl, s, sizeof(s) - 1, 0);

	fail_nth_arm(ctl, 0);
	return n > 0 && atoi(s) == 0;
}

/*
 * Opening a timeline fails with ENOMEM at each allocation on the way,
 * the timeline's own included, and leaves no descriptor behind.
 */
TEST_F(sw, timeline_open_out_of_memory)
{
	int ctl = fail_nth_open(), n, fd, pt, err, failed = 0, reached;
	int fds = count_fds(), len = 0, misses = 0;
	char seen[512] = "";

	if (ctl < 0)
		SKIP(return, "no fault injection (fail-nth, failslab)");
	/*
	 * The path to the timeline's own allocation is not the same each
	 * time (lookups, lazily made objects): go on a little after an
	 * open got through without meeting the armed point.
	 */
	for (n = 1; n < 100 && misses < 4; n++) {
		fail_nth_arm(ctl, n);
		fd = timeline_open();
		err = fd < 0 ? errno : 0;
		reached = fail_nth_disarm(ctl);
		misses = reached ? 0 : misses + 1;
		if (len < (int)sizeof(seen) - 16)
			len += snprintf(seen + len, sizeof(seen) - len, " %d%s",
					err, reached ? "" : "(unreached)");
		if (fd >= 0) {
			/* A timeline that opened works. */
			pt = fence_create(fd, 1, "oom");
			EXPECT_LE(0, pt) TH_LOG("fault %d", n);
			if (pt >= 0)
				close(pt);
			close(fd);
		} else {
			/* Out of memory, or a failed copy of the path. */
			EXPECT_TRUE(reached && (err == ENOMEM || err == EFAULT))
				TH_LOG("fault %d: errno %d", n, err);
			failed += err == ENOMEM;
		}
		EXPECT_EQ(fds, count_fds()) TH_LOG("fault %d", n);
	}
	close(ctl);
	TH_LOG("errno at each fault point:%s", seen);
	EXPECT_LT(0, failed);
	EXPECT_GT(100, n);
	EXPECT_NO_FD_LEAK();
}

/* FILE_INFO with room for the leaves fails with ENOMEM, not halfway. */
TEST_F(sw, file_info_out_of_memory)
{
	struct sync_fence_info fi[2];
	struct sync_file_info info;
	int ctl = fail_nth_open(), tl2, a, b, m, n, err, failed = 0;
	int reached = 1;

	if (ctl < 0)
		SKIP(return, "no fault injection (fail-nth, failslab)");
	tl2 = NEW_TIMELINE();
	a = NEW_FENCE(self->tl, 1, "a");
	b = NEW_FENCE(tl2, 1, "b");
	m = NEW_MERGE(a, b, "m");
	for (n = 1; n < 100 && reached; n++) {
		memset(fi, 0, sizeof(fi));
		fail_nth_arm(ctl, n);
		err = file_info(m, &info, fi, 2);
		reached = fail_nth_disarm(ctl);
		if (err) {
			/* Out of memory, or a failed copy in or out. */
			EXPECT_TRUE(err == -ENOMEM || err == -EFAULT)
				TH_LOG("fault %d: errno %d", n, -err);
			failed += err == -ENOMEM;
		} else {
			EXPECT_EQ(2, info.num_fences);
			EXPECT_STREQ("sw_sync", fi[1].driver_name);
		}
	}
	close(ctl);
	EXPECT_LT(0, failed);
	close_all(m, a, b, tl2);
	EXPECT_NO_FD_LEAK();
}

/*
 * A point whose last reference goes while the timeline works on it: the
 * increment that signals it, the close that fails it and the create that
 * looks for an existing point at its value may each meet the point while
 * its release waits for the timeline's lock, and must pass over it.  Each
 * attempt starts the timeline operation and, a little later each time, a
 * helper thread's close() of the point's only file; the other points make
 * the operation hold the lock long enough for the release to start on a
 * second CPU.  (On one CPU only a preemption between the last reference
 * and the lock lets them meet.)  The checks are that nothing breaks:
 * every point kept ends signaled, and a create at the dying point's value
 * gets a working point.
 */
struct race {
	atomic_int round;	/* the helper closes r->fd once per new round */
	atomic_int done;	/* the last round the helper finished */
	int fd;			/* the file whose close drops the point */
	__u64 delay_ns;		/* how long after the start it closes */
};

/* Spins, so that it starts the moment a round does. */
static void *drop_point(void *arg)
{
	struct race *r = arg;
	int seen = 0, now;
	__u64 start;

	for (;;) {
		while ((now = atomic_load(&r->round)) == seen)
			;
		if (now < 0)
			return NULL;
		start = now_ns();
		while (now_ns() - start < r->delay_ns)
			;
		close(r->fd);
		seen = now;
		atomic_store(&r->done, now);
	}
}

/* Between the two calls, the helper closes r->fd. */
static void race_start(struct race *r, int n)
{
	/* Each round a little later, from at once to 0.7 ms in. */
	r->delay_ns = (n % 8) * 100000ULL;
	atomic_store(&r->round, n + 1);
}

static void race_end(struct race *r, int n)
{
	while (atomic_load(&r->done) != n + 1)
		;
}

/* @n more files of point @value, each polled once: a callback each. */
static int add_pollers(int tl, __u32 value, int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		fds[i] = fence_create(tl, value, "poller");
		if (fds[i] < 0 || wait_fd(fds[i], 0))
			return -1;
	}
	return 0;
}

TEST_F_TIMEOUT(slow, points_die_while_the_timeline_works, 170)
{
	enum { ROUNDS = 8, N = 1024, BATCH = 16, POLLERS = 24, ABOVE = 512 };
	struct rlimit lim = { 4096, 4096 };
	struct race r = { .fd = -1 };
	int *fd, tl, kept, i, n, round = 0;
	pthread_t thread;

	fd = calloc(2048, sizeof(*fd));
	ASSERT_NE(NULL, fd);
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &lim));
	ASSERT_EQ(0, pthread_create(&thread, NULL, drop_point, &r));

	/*
	 * The increment: it holds the lock while it signals the N points
	 * below the dying one, which is the last it reaches.
	 */
	for (n = 0; n < ROUNDS / 2; n++) {
		tl = NEW_TIMELINE();
		for (i = 0; i < N; i++)
			fd[i] = NEW_FENCE(tl, i + 1, "kept");
		r.fd = fence_create(tl, N + 1, "dying");
		ASSERT_GE(r.fd, 0);
		race_start(&r, round);
		EXPECT_EQ(0, timeline_inc(tl, N + 1));
		race_end(&r, round++);
		for (i = 0; i < N; i++) {
			EXPECT_EQ(1, file_status(fd[i]));
			close(fd[i]);
		}
		close(tl);
	}

	/*
	 * The close: it holds the lock for a batch of 16 points at a time;
	 * the dying point ends the first, whose other points each wake a
	 * few pollers as they fail, which makes the batch take a while.
	 */
	for (n = 0; n < ROUNDS; n++) {
		int *polled = fd + 2 * BATCH;

		tl = NEW_TIMELINE();
		for (i = 0; i < 2 * BATCH; i++) {
			if (i == BATCH - 1) {
				r.fd = fence_create(tl, i + 1, "dying");
				ASSERT_GE(r.fd, 0);
				fd[i] = -1;
				continue;
			}
			fd[i] = NEW_FENCE(tl, i + 1, "kept");
			if (i >= BATCH)
				continue;
			ASSERT_EQ(0, add_pollers(tl, i + 1, polled + i * POLLERS,
						 POLLERS));
		}
		race_start(&r, round);
		close(tl);
		race_end(&r, round++);
		for (i = 0; i < 2 * BATCH; i++) {
			if (fd[i] < 0)
				continue;
			EXPECT_EQ(-ENOENT, file_status(fd[i]));
			close(fd[i]);
		}
		for (i = 0; i < (BATCH - 1) * POLLERS; i++)
			close(polled[i]);
	}

	/*
	 * The create: a new point looks for one at its value from the end of
	 * the list, past every point above the dying one.
	 */
	tl = NEW_TIMELINE();
	for (i = 0; i < ABOVE; i++)
		fd[i] = NEW_FENCE(tl, i + 2, "above");
	for (n = 0; n < 4 * ROUNDS; n++) {
		r.fd = fence_create(tl, 1, "dying");
		ASSERT_GE(r.fd, 0);
		race_start(&r, round);
		kept = fence_create(tl, 1, "again");
		race_end(&r, round++);
		ASSERT_GE(kept, 0);
		EXPECT_EQ(0, file_status(kept));
		close(kept);
	}
	ASSERT_EQ(0, timeline_inc(tl, ABOVE + 1));
	for (i = 0; i < ABOVE; i++) {
		EXPECT_EQ(1, file_status(fd[i]));
		close(fd[i]);
	}
	close(tl);

	atomic_store(&r.round, -1);
	ASSERT_EQ(0, pthread_join(thread, NULL));
	free(fd);
}

/* The timeline file has no position: lseek is ESPIPE, as in 6.1. */
TEST_F(sw, sw_sync_file_cannot_seek)
{
	EXPECT_EQ(-1, lseek(self->tl, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
	EXPECT_EQ(-1, lseek(self->tl, 0, SEEK_CUR));
	EXPECT_EQ(ESPIPE, errno);
	EXPECT_EQ(-1, lseek(self->tl, 10, SEEK_END));
	EXPECT_EQ(ESPIPE, errno);
}

/* Nor has a sync file: its file has no llseek in 6.1, so ESPIPE. */
TEST_F(sw, sync_file_cannot_seek)
{
	int fd = fence_create(self->tl, 1, "seek");

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
	EXPECT_EQ(-1, lseek(fd, 0, SEEK_END));
	EXPECT_EQ(ESPIPE, errno);
	close(fd);
}

TEST_HARNESS_MAIN
