// SPDX-License-Identifier: GPL-2.0-only
/*
 * Descriptors closed while another thread still polls them: the poll's
 * wait-queue entries keep the file (and its fence or buffer) alive, the
 * close wakes nobody, and the poll ends when the fence signals, reporting
 * POLLNVAL because the descriptor is gone by then.  A timeline closed
 * under a waiter ends the wait with the fences' error, also when the
 * waiter's callback holds the last reference to the point it waits on.
 *
 * Needs root, debugfs, CONFIG_SW_SYNC and CONFIG_DRM_VGEM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>

#include "../kselftest_harness.h"
#include "common.h"

struct poller {
	int fd;
	short events;
	int ret;
	short revents;
	long ms;
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *poll_thread(void *arg)
{
	struct poller *p = arg;
	struct pollfd pfd = { .fd = p->fd, .events = p->events };
	long start = now_ms();

	p->ret = poll(&pfd, 1, 10000);
	p->revents = pfd.revents;
	p->ms = now_ms() - start;
	return NULL;
}

/* Start a poller on @fd and give it time to block. */
static int start_poller(pthread_t *t, struct poller *p, int fd, short events)
{
	p->fd = fd;
	p->events = events;
	if (pthread_create(t, NULL, poll_thread, p))
		return -1;
	usleep(100 * 1000);
	return 0;
}

TEST(sync_file_closed_under_a_poller)
{
	struct poller p = {};
	pthread_t t;
	int tl, fence;

	tl = TIMELINE_OR_SKIP(O_RDWR | O_CLOEXEC);
	fence = fence_create(tl, 1, "closed");
	ASSERT_GE(fence, 0);
	ASSERT_EQ(0, start_poller(&t, &p, fence, POLLIN));

	/* The poll holds the file: closing our descriptor ends nothing. */
	ASSERT_EQ(0, close(fence));
	usleep(100 * 1000);
	ASSERT_EQ(0, timeline_inc(tl, 1));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(1, p.ret);
	EXPECT_EQ(POLLNVAL, p.revents);
	EXPECT_GE(p.ms, 150);
	EXPECT_LT(p.ms, 5000);
	close(tl);
}

TEST(dma_buf_closed_under_a_poller)
{
	struct poller p = {};
	__u32 handle, vfence;
	pthread_t t;
	int vgem, buf;

	vgem = VGEM_OR_SKIP();
	buf = vgem_dma_buf(vgem, 4096, &handle);
	ASSERT_GE(buf, 0);
	ASSERT_EQ(0, vgem_fence(vgem, handle, 1, &vfence));
	ASSERT_EQ(0, start_poller(&t, &p, buf, POLLIN));

	ASSERT_EQ(0, close(buf));
	usleep(100 * 1000);
	ASSERT_EQ(0, vgem_signal(vgem, vfence));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(1, p.ret);
	EXPECT_EQ(POLLNVAL, p.revents);
	EXPECT_GE(p.ms, 150);
	EXPECT_LT(p.ms, 5000);
	close(vgem);
}

TEST(timeline_closed_under_a_poller)
{
	struct sync_file_info info = {};
	struct poller p = {};
	pthread_t t;
	int tl, fence;

	tl = TIMELINE_OR_SKIP(O_RDWR | O_CLOEXEC);
	fence = fence_create(tl, 1, "orphan");
	ASSERT_GE(fence, 0);
	ASSERT_EQ(0, start_poller(&t, &p, fence, POLLIN));

	/* Nobody can signal it any more: the fence ends with an error. */
	ASSERT_EQ(0, close(tl));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(1, p.ret);
	EXPECT_LT(p.ms, 5000);
	ASSERT_EQ(0, xioctl(fence, SYNC_IOC_FILE_INFO, &info));
	EXPECT_GT(0, info.status);
	close(fence);
}

static int import_write(int buf, int fence)
{
	struct dma_buf_import_sync_file imp = {
		.flags = DMA_BUF_SYNC_WRITE,
		.fd = fence,
	};

	return xioctl(buf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &imp);
}

/*
 * A zero-timeout poll of a busy buffer leaves its callback on the point;
 * the sync file's close and a later point of the same timeline taking the
 * buffer's slot leave that callback the point's only owner.  Closing the
 * timeline then signals the point and the callback frees it.  (6.1
 * deadlocks here; the differential test keeps both kernels out of it.)
 */
TEST(timeline_closed_under_a_buffer_polls_last_reference)
{
	struct pollfd pfd = { .events = POLLOUT };
	__u32 handle;
	int vgem, tl, first, second;

	vgem = VGEM_OR_SKIP();
	pfd.fd = vgem_dma_buf(vgem, 4096, &handle);
	ASSERT_GE(pfd.fd, 0);
	tl = TIMELINE_OR_SKIP(O_RDWR | O_CLOEXEC);
	first = fence_create(tl, 1, "first");
	ASSERT_GE(first, 0);
	ASSERT_EQ(0, import_write(pfd.fd, first));
	ASSERT_EQ(0, poll(&pfd, 1, 0));
	close(first);
	second = fence_create(tl, 2, "second");
	ASSERT_GE(second, 0);
	ASSERT_EQ(0, import_write(pfd.fd, second));
	close(second);

	ASSERT_EQ(0, close(tl));
	pfd.events = POLLIN | POLLOUT;
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN | POLLOUT, pfd.revents);
	close(pfd.fd);
	close(vgem);
}

TEST(merged_parts_closed_before_the_merge_signals)
{
	struct sync_merge_data m = { .name = "merged" };
	struct poller p = {};
	pthread_t t;
	int tl, a, b;

	tl = TIMELINE_OR_SKIP(O_RDWR | O_CLOEXEC);
	a = fence_create(tl, 1, "a");
	b = fence_create(tl, 2, "b");
	ASSERT_GE(a, 0);
	ASSERT_GE(b, 0);
	m.fd2 = b;
	ASSERT_EQ(0, xioctl(a, SYNC_IOC_MERGE, &m));
	/* The merge holds its own references to the parts' fences. */
	close(a);
	close(b);
	ASSERT_EQ(0, start_poller(&t, &p, m.fence, POLLIN));
	ASSERT_EQ(0, timeline_inc(tl, 1));
	usleep(50 * 1000);
	ASSERT_EQ(0, timeline_inc(tl, 1));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(1, p.ret);
	close(m.fence);
	close(tl);
}

TEST_HARNESS_MAIN
