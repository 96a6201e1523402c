// SPDX-License-Identifier: GPL-2.0-only
/*
 * Implicit synchronisation through a dma-buf's reservation object, seen
 * from userspace: sync files imported as readers or writers of one sw_sync
 * timeline, and the waits, polls and exports that depend on them.
 *
 * - A CPU-access wait (DMA_BUF_IOCTL_SYNC) is bounded by the fences present
 *   when it starts, even while a producer keeps adding new ones.
 * - A write and a later read of one timeline stay two fences: the buffer is
 *   readable once the write signaled, whatever the read does.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "../kselftest_harness.h"
#include "common.h"

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static bool ready_now(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	return poll(&p, 1, 0) == 1 && (p.revents & events);
}

/* Import point @value of @tl into @buf as @flags' access. */
static int import_point(int buf, int tl, __u32 value, __u32 flags)
{
	struct dma_buf_import_sync_file arg = { .flags = flags };
	int ret;

	arg.fd = fence_create(tl, value, "implicit");
	if (arg.fd < 0)
		return arg.fd;
	ret = xioctl(buf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &arg);
	close(arg.fd);
	return ret;
}

/* Has the sync file @buf exports for @flags signaled?  -errno on error. */
static int export_signaled(int buf, __u32 flags)
{
	struct dma_buf_export_sync_file arg = { .flags = flags, .fd = -1 };
	int ret = xioctl(buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &arg);

	if (ret)
		return ret;
	ret = ready_now(arg.fd, POLLIN);
	close(arg.fd);
	return ret;
}

FIXTURE(implicit) {
	int vgem;
	int buf;
	int tl;
	__u32 handle;
};

FIXTURE_SETUP(implicit)
{
	self->vgem = VGEM_OR_SKIP();
	self->buf = vgem_dma_buf(self->vgem, 4096, &self->handle);
	ASSERT_GE(self->buf, 0);
	self->tl = TIMELINE_OR_SKIP(O_RDWR | O_CLOEXEC);
}

FIXTURE_TEARDOWN(implicit)
{
	close(self->tl);
	close(self->buf);
	close(self->vgem);
}

/*
 * The producer of the bounded-wait test: point k + 1 imported as a write,
 * then the timeline moved to k, so one write is always pending and the
 * one before it signals, every 2 ms.
 */
struct producer {
	int buf;
	int tl;
	int rounds;
	int err;
	int done;	/* __atomic, read by the waiting thread */
};

static void *produce(void *data)
{
	struct producer *p = data;
	int k;

	for (k = 1; k <= p->rounds && !p->err; k++) {
		p->err = import_point(p->buf, p->tl, k + 1, DMA_BUF_SYNC_WRITE);
		if (!p->err)
			p->err = timeline_inc(p->tl, 1);
		usleep(2000);
	}
	/* Let everything signal, so that no wait outlives the test. */
	timeline_inc(p->tl, 2);
	__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

TEST_F(implicit, cpu_access_wait_bounded_under_producer)
{
	struct producer p = { .buf = self->buf, .tl = self->tl, .rounds = 1500 };
	long long worst = 0, t;
	pthread_t thread;
	int waits = 0;

	ASSERT_EQ(0, pthread_create(&thread, NULL, produce, &p));
	usleep(10000);
	while (!__atomic_load_n(&p.done, __ATOMIC_ACQUIRE)) {
		struct dma_buf_sync sync = {
			.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ,
		};

		t = now_us();
		EXPECT_EQ(0, xioctl(self->buf, DMA_BUF_IOCTL_SYNC, &sync));
		t = now_us() - t;
		if (!__atomic_load_n(&p.done, __ATOMIC_ACQUIRE)) {
			waits++;
			if (t > worst)
				worst = t;
		}
		sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
		EXPECT_EQ(0, xioctl(self->buf, DMA_BUF_IOCTL_SYNC, &sync));
		usleep(waits % 3 * 1000);
	}
	ASSERT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(0, p.err);
	TH_LOG("%d waits, the longest %lld us", waits, worst);
	EXPECT_GE(waits, 100);
	/*
	 * A few ms, with slack for an emulated, debug-heavy kernel on a
	 * loaded host.  A wait that starved behind the producer's writes
	 * would last its whole run, 3 s or more.
	 */
	EXPECT_LT(worst, 500000);
}

TEST_F(implicit, write_then_read_of_one_timeline)
{
	ASSERT_EQ(0, import_point(self->buf, self->tl, 1, DMA_BUF_SYNC_WRITE));
	ASSERT_EQ(0, import_point(self->buf, self->tl, 2, DMA_BUF_SYNC_READ));
	EXPECT_FALSE(ready_now(self->buf, POLLIN));
	EXPECT_FALSE(ready_now(self->buf, POLLOUT));
	EXPECT_EQ(0, export_signaled(self->buf, DMA_BUF_SYNC_READ));
	EXPECT_EQ(0, export_signaled(self->buf, DMA_BUF_SYNC_WRITE));

	/* T = 1: the write is done, the read is not. */
	ASSERT_EQ(0, timeline_inc(self->tl, 1));
	EXPECT_TRUE(ready_now(self->buf, POLLIN));
	EXPECT_FALSE(ready_now(self->buf, POLLOUT));
	EXPECT_EQ(1, export_signaled(self->buf, DMA_BUF_SYNC_READ));
	EXPECT_EQ(0, export_signaled(self->buf, DMA_BUF_SYNC_WRITE));

	ASSERT_EQ(0, timeline_inc(self->tl, 1));
	EXPECT_TRUE(ready_now(self->buf, POLLIN));
	EXPECT_TRUE(ready_now(self->buf, POLLOUT));
	EXPECT_EQ(1, export_signaled(self->buf, DMA_BUF_SYNC_WRITE));
}

TEST_F(implicit, read_then_later_write_of_one_timeline)
{
	/* A later write covers the read: both directions wait for it. */
	ASSERT_EQ(0, import_point(self->buf, self->tl, 1, DMA_BUF_SYNC_READ));
	ASSERT_EQ(0, import_point(self->buf, self->tl, 2, DMA_BUF_SYNC_WRITE));
	ASSERT_EQ(0, timeline_inc(self->tl, 1));
	EXPECT_FALSE(ready_now(self->buf, POLLIN));
	EXPECT_FALSE(ready_now(self->buf, POLLOUT));
	ASSERT_EQ(0, timeline_inc(self->tl, 1));
	EXPECT_TRUE(ready_now(self->buf, POLLIN));
	EXPECT_TRUE(ready_now(self->buf, POLLOUT));
}

TEST_HARNESS_MAIN
