// SPDX-License-Identifier: GPL-2.0-only
/*
 * dma-buf file descriptors from userspace: llseek, fdinfo and the
 * /proc name, DMA_BUF_SET_NAME, DMA_BUF_IOCTL_SYNC, mmap, poll() for
 * implicit sync, and moving fences out of and into a buffer as sync
 * files, with bad input for every ioctl, each with its errno and without
 * leaking a descriptor.
 *
 * Buffers come from vgem (CONFIG_DRM_VGEM): a dumb buffer exported with
 * PRIME.  vgem also attaches fences to a buffer and signals them, which
 * stands in for a device working on it; sw_sync supplies fences to import.
 * Needs root, debugfs at /sys/kernel/debug and CONFIG_SW_SYNC.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/sync_file.h>

#include "../kselftest_harness.h"
#include "common.h"

static short poll_now(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

static short poll_wait_ms(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };

	return poll(&p, 1, ms) == 1 ? p.revents : 0;
}

/* Wait for the child; 0 when it exited with 0. */
static int reap(void)
{
	int status;

	if (wait(&status) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* The value of "key:\t..." in the fd's fdinfo, or "" if absent. */
static const char *fdinfo_value(int fd, const char *key, char *buf, size_t len)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return buf;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			snprintf(buf, len, "%s", line + klen + 2);
			buf[strcspn(buf, "\n")] = '\0';
			break;
		}
	}
	fclose(f);
	return buf;
}

FIXTURE(dmabuf) {
	int vgem;
	int buf;
	__u32 handle;
	int fds_before;
};

FIXTURE_SETUP(dmabuf)
{
	self->fds_before = count_fds();
	self->vgem = VGEM_OR_SKIP();
	self->buf = vgem_dma_buf(self->vgem, 4 * 4096, &self->handle);
	ASSERT_GE(self->buf, 0);
}

FIXTURE_TEARDOWN(dmabuf)
{
	close(self->buf);
	close(self->vgem);
	EXPECT_EQ(self->fds_before, count_fds());
}

TEST_F(dmabuf, llseek_tells_the_size)
{
	EXPECT_EQ(4 * 4096, lseek(self->buf, 0, SEEK_END));
	EXPECT_EQ(0, lseek(self->buf, 0, SEEK_SET));
	EXPECT_EQ(-1, lseek(self->buf, 0, SEEK_CUR));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(self->buf, 4096, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dmabuf, fdinfo_and_proc_name)
{
	char val[64], path[64], link[64];
	int count, extra;
	ssize_t n;

	EXPECT_STREQ("16384", fdinfo_value(self->buf, "size", val, sizeof(val)));
	EXPECT_STRNE("", fdinfo_value(self->buf, "exp_name", val, sizeof(val)));
	EXPECT_STREQ("", fdinfo_value(self->buf, "name", val, sizeof(val)));
	/* Another reference on the file shows in the count. */
	count = atoi(fdinfo_value(self->buf, "count", val, sizeof(val)));
	EXPECT_GE(count, 1);
	extra = dup(self->buf);
	EXPECT_EQ(count + 1, atoi(fdinfo_value(self->buf, "count", val, sizeof(val))));
	close(extra);

	snprintf(path, sizeof(path), "/proc/self/fd/%d", self->buf);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_GT(n, 0);
	link[n] = '\0';
	EXPECT_STREQ("/dmabuf:", link);

	ASSERT_EQ(0, xioctl(self->buf, DMA_BUF_SET_NAME_B, "scanout"));
	EXPECT_STREQ("scanout", fdinfo_value(self->buf, "name", val, sizeof(val)));
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_GT(n, 0);
	link[n] = '\0';
	EXPECT_STREQ("/dmabuf:scanout", link);
}

TEST_F(dmabuf, set_name_checks_its_input)
{
	char longest[DMA_BUF_NAME_LEN], too_long[DMA_BUF_NAME_LEN + 1], val[64];

	memset(longest, 'a', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	memset(too_long, 'b', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = '\0';

	EXPECT_EQ(0, xioctl(self->buf, DMA_BUF_SET_NAME_A, longest));
	EXPECT_STREQ(longest, fdinfo_value(self->buf, "name", val, sizeof(val)));
	EXPECT_EQ(-EINVAL, xioctl(self->buf, DMA_BUF_SET_NAME_B, too_long));
	EXPECT_EQ(-EFAULT, xioctl(self->buf, DMA_BUF_SET_NAME_B, NULL));
	EXPECT_EQ(-EFAULT, xioctl(self->buf, DMA_BUF_SET_NAME_B, KERNEL_PTR));
	/* A failed call leaves the old name. */
	EXPECT_STREQ(longest, fdinfo_value(self->buf, "name", val, sizeof(val)));
	EXPECT_EQ(0, xioctl(self->buf, DMA_BUF_SET_NAME_B, ""));
	EXPECT_STREQ("", fdinfo_value(self->buf, "name", val, sizeof(val)));
}

TEST_F(dmabuf, sync_ioctl_checks_flags)
{
	static const __u64 bad[] = {
		0, DMA_BUF_SYNC_END, 1 << 3, 1ULL << 40,
		DMA_BUF_SYNC_RW | DMA_BUF_SYNC_END | 16,
	};
	struct dma_buf_sync s;
	unsigned int i;

	s.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW;
	EXPECT_EQ(0, xioctl(self->buf, DMA_BUF_IOCTL_SYNC, &s));
	s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	EXPECT_EQ(0, xioctl(self->buf, DMA_BUF_IOCTL_SYNC, &s));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		s.flags = bad[i];
		EXPECT_EQ(-EINVAL, xioctl(self->buf, DMA_BUF_IOCTL_SYNC, &s))
			TH_LOG("flags %#llx", (unsigned long long)bad[i]);
	}
	EXPECT_EQ(-EFAULT, xioctl(self->buf, DMA_BUF_IOCTL_SYNC, NULL));
	EXPECT_EQ(-EFAULT, xioctl(self->buf, DMA_BUF_IOCTL_SYNC, KERNEL_PTR));
	EXPECT_EQ(-ENOTTY, xioctl(self->buf, _IOW('b', 9, __u64), &s));
	EXPECT_EQ(-ENOTTY, xioctl(self->buf, _IOW('x', 0, __u64), &s));
}

TEST_F(dmabuf, sync_waits_for_the_writer)
{
	struct dma_buf_sync s = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
	__u32 fence;

	ASSERT_EQ(0, vgem_fence(self->vgem, self->handle, 1, &fence));
	if (fork() == 0) {
		usleep(50 * 1000);
		_exit(vgem_signal(self->vgem, fence) ? 1 : 0);
	}
	/* Returns once the child has signaled, well before vgem's timeout. */
	EXPECT_EQ(0, xioctl(self->buf, DMA_BUF_IOCTL_SYNC, &s));
	EXPECT_EQ(0, reap());
	EXPECT_EQ(POLLIN, poll_now(self->buf, POLLIN));
	s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	EXPECT_EQ(0, xioctl(self->buf, DMA_BUF_IOCTL_SYNC, &s));
}

static void on_alarm(int sig)
{
}

/*
 * A signal ends the wait of SYNC START: without SA_RESTART the call
 * fails with EINTR and the buffer's CPU access has not begun; once the
 * writer is done the same call succeeds.
 */
TEST_F(dmabuf, sync_wait_ends_with_a_signal)
{
	struct dma_buf_sync s = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
	struct itimerval it = { .it_value = { .tv_usec = 50 * 1000 } };
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	__u32 fence;

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, &old));
	ASSERT_EQ(0, vgem_fence(self->vgem, self->handle, 1, &fence));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	EXPECT_EQ(-EINTR, xioctl(self->buf, DMA_BUF_IOCTL_SYNC, &s));
	EXPECT_EQ(0, poll_now(self->buf, POLLIN));

	ASSERT_EQ(0, vgem_signal(self->vgem, fence));
	EXPECT_EQ(0, xioctl(self->buf, DMA_BUF_IOCTL_SYNC, &s));
	s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	EXPECT_EQ(0, xioctl(self->buf, DMA_BUF_IOCTL_SYNC, &s));
	sigaction(SIGALRM, &old, NULL);
}

TEST_F(dmabuf, mmap_inside_the_buffer_only)
{
	size_t size = 4 * 4096;
	unsigned char *p, *q;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, self->buf, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x5a, size);
	q = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->buf, 3 * 4096);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(0x5a, q[4095]);
	munmap(q, 4096);
	munmap(p, size);

	EXPECT_EQ(MAP_FAILED, mmap(NULL, size + 4096, PROT_READ, MAP_SHARED,
				   self->buf, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED,
				   self->buf, 4 * 4096));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dmabuf, poll_follows_readers_and_writers)
{
	__u32 reader, writer;

	EXPECT_EQ(POLLIN | POLLOUT, poll_now(self->buf, POLLIN | POLLOUT));

	ASSERT_EQ(0, vgem_fence(self->vgem, self->handle, 0, &reader));
	/* Readers hold back writers only. */
	EXPECT_EQ(POLLIN, poll_now(self->buf, POLLIN | POLLOUT));
	ASSERT_EQ(0, vgem_signal(self->vgem, reader));
	EXPECT_EQ(POLLOUT, poll_wait_ms(self->buf, POLLOUT, 1000));

	ASSERT_EQ(0, vgem_fence(self->vgem, self->handle, 1, &writer));
	EXPECT_EQ(0, poll_now(self->buf, POLLIN | POLLOUT));
	if (fork() == 0) {
		usleep(50 * 1000);
		_exit(vgem_signal(self->vgem, writer) ? 1 : 0);
	}
	/* A sleeping poll is woken by the signal. */
	EXPECT_EQ(POLLIN, poll_wait_ms(self->buf, POLLIN, 5000));
	EXPECT_EQ(0, reap());
	EXPECT_EQ(POLLIN | POLLOUT, poll_now(self->buf, POLLIN | POLLOUT));
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

#define POLLERS 2
#define POLLS_EACH 50000

struct poller {
	int fd;
	int calls, stalls;
	double worst_ms;
};

/*
 * Poll an idle buffer over and over: every call must be ready at once.
 * A call that sleeps until its timeout lost a wake-up; a few of those
 * are enough to tell, so the thread stops after the third.
 */
static void *poll_idle(void *arg)
{
	struct poller *p = arg;
	int i;

	for (i = 0; i < POLLS_EACH && p->stalls < 3; i++) {
		struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
		double start = now_ms(), took;
		int n = poll(&pfd, 1, 1000);

		took = now_ms() - start;
		if (took > p->worst_ms)
			p->worst_ms = took;
		if (n != 1 || pfd.revents != POLLIN || took > 500)
			p->stalls++;
		p->calls++;
	}
	return NULL;
}

TEST_F(dmabuf, concurrent_polls_of_an_idle_buffer_never_stall)
{
	struct poller p[POLLERS];
	pthread_t t[POLLERS];
	int i, stalls = 0;
	double start = now_ms();

	for (i = 0; i < POLLERS; i++) {
		p[i] = (struct poller){ .fd = self->buf };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, poll_idle, &p[i]));
	}
	for (i = 0; i < POLLERS; i++) {
		pthread_join(t[i], NULL);
		stalls += p[i].stalls;
		TH_LOG("poller %d: %d calls, %d stalled, worst %.1f ms", i,
		       p[i].calls, p[i].stalls, p[i].worst_ms);
	}
	TH_LOG("%.0f ms in all", now_ms() - start);
	EXPECT_EQ(0, stalls);
}

/* Kernel log records written since @fd was opened and sought to its end. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* The first new record that reports a warning or worse, or "". */
static const char *kmsg_splat(int fd, char *rec, size_t len)
{
	ssize_t n;

	while ((n = read(fd, rec, len - 1)) != 0) {
		if (n < 0) {
			if (errno == EPIPE)	/* overwritten: go on */
				continue;
			break;
		}
		rec[n] = '\0';
		if (strstr(rec, "WARNING:") || strstr(rec, "BUG:") ||
		    strstr(rec, "callbacks pending"))
			return rec;
	}
	rec[0] = '\0';
	return rec;
}

/*
 * The callback poll() arms holds its own reference on the fence: the
 * buffer may drop the fence (here a later point of the same timeline
 * replaces it) before it signals.
 */
TEST_F(dmabuf, poll_holds_the_fence_it_waits_on)
{
	struct dma_buf_import_sync_file arg = { .flags = DMA_BUF_SYNC_WRITE };
	int kmsg = kmsg_open(), timeline;
	char rec[1024];

	ASSERT_GE(kmsg, 0);
	timeline = TIMELINE_OR_SKIP(O_RDWR);

	/* Point 1: only the buffer holds it once its sync_file is closed. */
	arg.fd = fence_create(timeline, 1, "first");
	ASSERT_GE(arg.fd, 0);
	ASSERT_EQ(0, xioctl(self->buf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &arg));
	close(arg.fd);
	EXPECT_EQ(0, poll_now(self->buf, POLLIN));

	/* Point 2 takes point 1's place, which drops the buffer's reference. */
	arg.fd = fence_create(timeline, 2, "second");
	ASSERT_GE(arg.fd, 0);
	ASSERT_EQ(0, xioctl(self->buf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &arg));
	close(arg.fd);
	EXPECT_EQ(0, poll_now(self->buf, POLLIN));

	if (fork() == 0) {
		usleep(50 * 1000);
		_exit(timeline_inc(timeline, 2) ? 1 : 0);
	}
	EXPECT_EQ(POLLIN, poll_wait_ms(self->buf, POLLIN, 5000));
	EXPECT_EQ(0, reap());
	EXPECT_STREQ("", kmsg_splat(kmsg, rec, sizeof(rec)));

	close(timeline);
	close(kmsg);
}

static int sync_file_status(int fd)
{
	struct sync_fence_info info;
	struct sync_file_info file = {
		.num_fences = 1, .sync_fence_info = (uintptr_t)&info,
	};

	if (ioctl(fd, SYNC_IOC_FILE_INFO, &file))
		return -errno;
	return file.status;
}

TEST_F(dmabuf, export_sync_file)
{
	struct dma_buf_export_sync_file arg = { .flags = DMA_BUF_SYNC_READ };
	static const __u32 bad[] = { 0, DMA_BUF_SYNC_END, 8, 1U << 31,
				     DMA_BUF_SYNC_RW | 4 };
	__u32 writer, reader;
	int for_read, for_write;
	unsigned int i;

	/* Nothing pending: a sync_file that is already signaled. */
	ASSERT_EQ(0, xioctl(self->buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &arg));
	EXPECT_EQ(1, sync_file_status(arg.fd));
	EXPECT_NE(-1, fcntl(arg.fd, F_GETFD));
	EXPECT_TRUE(fcntl(arg.fd, F_GETFD) & FD_CLOEXEC);
	close(arg.fd);

	ASSERT_EQ(0, vgem_fence(self->vgem, self->handle, 0, &reader));
	arg.flags = DMA_BUF_SYNC_READ;
	ASSERT_EQ(0, xioctl(self->buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &arg));
	for_read = arg.fd;
	arg.flags = DMA_BUF_SYNC_WRITE;
	ASSERT_EQ(0, xioctl(self->buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &arg));
	for_write = arg.fd;
	/* A reader need not wait for a reader; a writer must. */
	EXPECT_EQ(1, sync_file_status(for_read));
	EXPECT_EQ(0, sync_file_status(for_write));
	ASSERT_EQ(0, vgem_signal(self->vgem, reader));
	EXPECT_EQ(POLLIN, poll_wait_ms(for_write, POLLIN, 1000));
	close(for_read);
	close(for_write);

	ASSERT_EQ(0, vgem_fence(self->vgem, self->handle, 1, &writer));
	arg.flags = DMA_BUF_SYNC_READ;
	ASSERT_EQ(0, xioctl(self->buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &arg));
	EXPECT_EQ(0, sync_file_status(arg.fd));
	ASSERT_EQ(0, vgem_signal(self->vgem, writer));
	EXPECT_EQ(POLLIN, poll_wait_ms(arg.fd, POLLIN, 1000));
	close(arg.fd);

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		arg.flags = bad[i];
		arg.fd = -1;
		EXPECT_EQ(-EINVAL, xioctl(self->buf,
					  DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &arg));
		EXPECT_EQ(-1, arg.fd);
	}
	/* A bad pointer for the answer: no fd is left behind. */
	EXPECT_EQ(-EFAULT, xioctl(self->buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE,
				  NULL));
	EXPECT_EQ(-EFAULT, xioctl(self->buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE,
				  KERNEL_PTR));
}

TEST_F(dmabuf, import_sync_file)
{
	struct sw_sync_create_fence_data create = { .value = 1 };
	struct dma_buf_import_sync_file arg = { .flags = DMA_BUF_SYNC_WRITE };
	__u32 one = 1;
	int timeline, nonsync;

	timeline = TIMELINE_OR_SKIP(O_RDWR);
	strcpy(create.name, "import");
	ASSERT_EQ(0, xioctl(timeline, SW_SYNC_IOC_CREATE_FENCE, &create));

	arg.fd = create.fence;
	ASSERT_EQ(0, xioctl(self->buf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &arg));
	/* The buffer now has a pending writer. */
	EXPECT_EQ(0, poll_now(self->buf, POLLIN | POLLOUT));
	ASSERT_EQ(0, xioctl(timeline, SW_SYNC_IOC_INC, &one));
	EXPECT_EQ(POLLIN | POLLOUT, poll_wait_ms(self->buf, POLLIN | POLLOUT,
						 1000));

	/* Bad flags come before a bad fd. */
	arg.flags = 0;
	EXPECT_EQ(-EINVAL, xioctl(self->buf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE,
				  &arg));
	arg.flags = DMA_BUF_SYNC_READ | 4;
	EXPECT_EQ(-EINVAL, xioctl(self->buf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE,
				  &arg));
	arg.flags = DMA_BUF_SYNC_READ;
	arg.fd = -1;
	EXPECT_EQ(-EINVAL, xioctl(self->buf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE,
				  &arg));
	nonsync = open("/proc/self/stat", O_RDONLY);
	arg.fd = nonsync;
	EXPECT_EQ(-EINVAL, xioctl(self->buf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE,
				  &arg));
	arg.fd = self->buf;	/* a dma-buf is no sync_file */
	EXPECT_EQ(-EINVAL, xioctl(self->buf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE,
				  &arg));
	EXPECT_EQ(-EFAULT, xioctl(self->buf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE,
				  NULL));
	/* Nothing was added by the failed calls. */
	EXPECT_EQ(POLLIN | POLLOUT, poll_now(self->buf, POLLIN | POLLOUT));

	close(nonsync);
	close(create.fence);
	close(timeline);
}

/* Does @line match the extended regular expression @re as a whole? */
static int matches(const char *re, const char *line)
{
	regex_t r;
	int ok;

	if (regcomp(&r, re, REG_EXTENDED | REG_NOSUB))
		return 0;
	ok = !regexec(&r, line, 0, NULL, 0);
	regfree(&r);
	return ok;
}

#define BUFINFO_PATH "/sys/kernel/debug/dma_buf/bufinfo"
#define BUFINFO_LINES 4096

/* bufinfo split into lines (newlines removed); the count, or -1. */
static int read_lines(const char *path, char **lines, int max)
{
	static char text[1 << 20];
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY), count = 0;
	char *pos, *nl;

	if (fd < 0)
		return -1;
	while ((n = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
		len += n;
	close(fd);
	if (n < 0 || !len || text[len - 1] != '\n')
		return -1;
	text[len] = '\0';
	for (pos = text; *pos && count < max; pos = nl + 1) {
		nl = strchr(pos, '\n');
		*nl = '\0';
		lines[count++] = pos;
	}
	return count;
}

/*
 * bufinfo in 6.1's layout, line by line: a leading empty line, the title
 * and column heads; per buffer its numbers, a line per kernel, write and
 * read fence ("\t%s fence:" then dma_fence_describe()'s "%s %s seq %llu
 * %ssignalled"), the attached devices and their count, an empty line;
 * then another empty line and the totals.  vgem refuses a second fence
 * while one is pending, so the reader is a sw_sync point.
 */
TEST_F(dmabuf, bufinfo_layout_is_6_1s)
{
	static const char *buf_re =
		"^[0-9]{8,}\t[0-9a-f]{8}\t[0-9a-f]{8}\t[0-9]{8,}\t[^\t]*\t[0-9]{8,}\t.*$";
	static const char *fence_re =
		"^\t(kernel|write|read) fence:[^ ].* seq [0-9]+ (un)?signalled$";
	static char *lines[BUFINFO_LINES];
	unsigned long long bytes = 0;
	int n, i, objects = 0, ours = 0;
	struct dma_buf_import_sync_file arg = { .flags = DMA_BUF_SYNC_READ };
	char ino[32], want[64];
	int timeline;
	__u32 writer;
	struct stat st;

	NEEDS(!access(BUFINFO_PATH, R_OK), "no %s (debugfs)", BUFINFO_PATH);
	ASSERT_EQ(0, fstat(self->buf, &st));
	snprintf(ino, sizeof(ino), "\t%08lu\t<none>", (unsigned long)st.st_ino);
	ASSERT_EQ(0, vgem_fence(self->vgem, self->handle, 1, &writer));
	timeline = TIMELINE_OR_SKIP(O_RDWR);
	arg.fd = fence_create(timeline, 1, "reader");
	ASSERT_GE(arg.fd, 0);
	ASSERT_EQ(0, xioctl(self->buf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &arg));
	close(arg.fd);

	n = read_lines(BUFINFO_PATH, lines, BUFINFO_LINES);
	ASSERT_GT(n, 4) TH_LOG("cannot read " BUFINFO_PATH);
	EXPECT_STREQ("", lines[0]);
	EXPECT_STREQ("Dma-buf Objects:", lines[1]);
	EXPECT_STREQ("size    \tflags   \tmode    \tcount   \texp_name\tino     \tname",
		     lines[2]);

	for (i = 3; i < n && lines[i][0]; ) {
		int devices = 0, mine, fences_w = 0, fences_r = 0;
		unsigned long long size;

		ASSERT_TRUE(matches(buf_re, lines[i])) TH_LOG("line %d: '%s'", i, lines[i]);
		size = strtoull(lines[i], NULL, 10);
		mine = !!strstr(lines[i], ino);
		if (mine) {
			EXPECT_EQ(16384, size);
			ours++;
		}
		for (i++; i < n && lines[i][0] == '\t'; i++) {
			if (!strcmp(lines[i], "\tAttached Devices:"))
				break;
			EXPECT_TRUE(matches(fence_re, lines[i]))
				TH_LOG("line %d: '%s'", i, lines[i]);
			if (mine) {
				fences_w += !strcmp(lines[i],
					"\twrite fence:vgem unbound seq 1 unsignalled");
				fences_r += !strncmp(lines[i],
					"\tread fence:sw_sync ", 20) &&
					strstr(lines[i], " seq 1 unsignalled");
			}
		}
		ASSERT_LT(i, n);
		EXPECT_STREQ("\tAttached Devices:", lines[i]);
		for (i++; i < n && lines[i][0] == '\t'; i++)
			devices++;
		ASSERT_LT(i + 1, n);
		snprintf(want, sizeof(want), "Total %d devices attached",
			 devices);
		EXPECT_STREQ(want, lines[i]);
		EXPECT_STREQ("", lines[i + 1]);
		i += 2;
		if (mine) {
			EXPECT_EQ(1, fences_w);
			EXPECT_EQ(1, fences_r);
		}
		objects++;
		bytes += size;
	}
	EXPECT_EQ(1, ours);

	/* An empty line, the totals, and nothing after them. */
	ASSERT_EQ(n - 2, i);
	EXPECT_STREQ("", lines[i]);
	snprintf(want, sizeof(want), "Total %d objects, %llu bytes", objects,
		 bytes);
	EXPECT_STREQ(want, lines[i + 1]);

	ASSERT_EQ(0, vgem_signal(self->vgem, writer));
	ASSERT_EQ(0, timeline_inc(timeline, 1));
	close(timeline);
}

/*
 * A buffer another driver imported lists that driver's device, by its
 * name, under "Attached Devices:" and counts it: vgem importing a system
 * heap buffer attaches its platform device, "vgem".
 */
TEST_F(dmabuf, bufinfo_lists_attached_devices)
{
	struct dma_heap_allocation_data alloc = {
		.len = 4096, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	static char *lines[BUFINFO_LINES];
	struct drm_prime_handle prime = {};
	struct drm_gem_close gc = {};
	int heap, n, i, blocks = 0;
	char ino[32];
	struct stat st;

	NEEDS(!access(BUFINFO_PATH, R_OK), "no %s (debugfs)", BUFINFO_PATH);
	heap = OPEN_OR_SKIP("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC,
			    "CONFIG_DMABUF_HEAPS_SYSTEM");
	ASSERT_EQ(0, xioctl(heap, DMA_HEAP_IOCTL_ALLOC, &alloc));
	close(heap);
	prime.fd = alloc.fd;
	ASSERT_EQ(0, xioctl(self->vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &prime));
	ASSERT_EQ(0, fstat(alloc.fd, &st));
	snprintf(ino, sizeof(ino), "\t%08lu\t<none>", (unsigned long)st.st_ino);

	n = read_lines(BUFINFO_PATH, lines, BUFINFO_LINES);
	ASSERT_GT(n, 4) TH_LOG("cannot read " BUFINFO_PATH);
	for (i = 3; i < n; i++) {
		if (!strstr(lines[i], ino))
			continue;
		blocks++;
		for (i++; i < n && strcmp(lines[i], "\tAttached Devices:"); i++)
			;
		ASSERT_LT(i + 2, n);
		EXPECT_STREQ("\tvgem", lines[i + 1]);
		EXPECT_STREQ("Total 1 devices attached", lines[i + 2]);
	}
	EXPECT_EQ(1, blocks);

	gc.handle = prime.handle;
	EXPECT_EQ(0, xioctl(self->vgem, DRM_IOCTL_GEM_CLOSE, &gc));
	close(alloc.fd);
}

/*
 * After 6.1's lines, a buffer's fdinfo lists its unsignaled fences, one
 * "pending_fence:" line each after their count ("pending:"), with the
 * usage they were added with: a sw_sync point imported for writing shows
 * as a write fence until it signals, and then no such line is left.
 */
TEST_F(dmabuf, fdinfo_lists_pending_fences)
{
	static const char *pending_re =
		"^pending_fence:\twrite sw_sync [^ ]+ context [0-9]+ seqno 1$";
	struct dma_heap_allocation_data alloc = {
		.len = 4096, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	struct dma_buf_import_sync_file arg = { .flags = DMA_BUF_SYNC_WRITE };
	static char *lines[64];
	char path[64];
	int heap, timeline, n, i, pending = 0, counted = 0;
	int last_older = -1, first_added = -1;

	heap = OPEN_OR_SKIP("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC,
			    "CONFIG_DMABUF_HEAPS_SYSTEM");
	ASSERT_EQ(0, xioctl(heap, DMA_HEAP_IOCTL_ALLOC, &alloc));
	close(heap);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", alloc.fd);
	timeline = TIMELINE_OR_SKIP(O_RDWR);
	arg.fd = fence_create(timeline, 1, "fdinfo");
	ASSERT_GE(arg.fd, 0);
	ASSERT_EQ(0, xioctl(alloc.fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &arg));
	close(arg.fd);

	n = read_lines(path, lines, 64);
	ASSERT_GT(n, 0);
	for (i = 0; i < n; i++) {
		if (strncmp(lines[i], "pending", 7)) {
			last_older = i;
			continue;
		}
		first_added = first_added < 0 ? i : first_added;
		pending += matches(pending_re, lines[i]);
		counted += !strcmp(lines[i], "pending:\t1");
	}
	EXPECT_EQ(1, pending);
	EXPECT_EQ(1, counted);
	EXPECT_LT(last_older, first_added);

	ASSERT_EQ(0, timeline_inc(timeline, 1));
	n = read_lines(path, lines, 64);
	ASSERT_GT(n, 0);
	for (i = 0; i < n; i++)
		EXPECT_NE(0, strncmp(lines[i], "pending", 7)) TH_LOG("%s", lines[i]);

	close(timeline);
	close(alloc.fd);
}

TEST(dmabuf_ioctls_reject_other_files)
{
	struct dma_buf_sync s = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
	int fd = open("/proc/self/stat", O_RDONLY);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-ENOTTY, xioctl(fd, DMA_BUF_IOCTL_SYNC, &s));
	close(fd);
}

TEST_HARNESS_MAIN
