// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite for the kernel side of sync files: sync_file_create() and the
 * fence reference it holds, sync_file_get_fence() on good and bad
 * descriptors, sync_file_get_name(), poll() before and after the fence
 * signals, release with a poll callback still queued, and the fence of a
 * file made from a merge.  The ioctls are covered by the kselftests in
 * tools/testing/selftests/dma-buf.
 */

#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/dma-fence-array.h>
#include <linux/dma-fence-unwrap.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/irq_work.h>
#include <linux/poll.h>
#include <linux/string.h>
#include <linux/sync_file.h>

#include "mock-fence.h"

/*
 * A kernel thread's last fput() queues the release to a worker, which may
 * still be running it when flush_delayed_fput() returns.  The tests count
 * references right after a release, so they drop the last one themselves,
 * synchronously.
 */
static void release_file(struct file *file)
{
	__fput_sync(file);
}

/* close_fd(), with the release of the file done before it returns. */
static int close_fd_now(int fd)
{
	struct file *file = fget(fd);
	int ret = close_fd(fd);

	if (file)
		release_file(file);
	return ret;
}

static unsigned int refs(struct dma_fence *fence)
{
	return kref_read(&fence->refcount);
}

/* poll() the file without waiting; the mask as a plain number. */
static unsigned int poll_now(struct file *file)
{
	return (__force unsigned int)file->f_op->poll(file, NULL);
}

static const unsigned int pollin = (__force unsigned int)EPOLLIN;

static struct sync_file *create_or_fail(struct kunit *test,
					struct dma_fence *fence)
{
	struct sync_file *sync_file = sync_file_create(fence);

	KUNIT_ASSERT_NOT_NULL(test, sync_file);
	return sync_file;
}

static void sync_file_create_takes_a_reference(struct kunit *test)
{
	struct dma_fence *fence = mock_fence(test);
	struct sync_file *sync_file;

	sync_file = create_or_fail(test, fence);
	KUNIT_EXPECT_PTR_EQ(test, sync_file->fence, fence);
	KUNIT_EXPECT_EQ(test, refs(fence), 2u);
	KUNIT_EXPECT_PTR_EQ(test, sync_file->file->private_data,
			    (void *)sync_file);
	release_file(sync_file->file);
	KUNIT_EXPECT_EQ(test, refs(fence), 1u);
	mock_fence_complete(fence, 0);
	dma_fence_put(fence);
}

static void sync_file_get_fence_from_fd(struct kunit *test)
{
	struct dma_fence *fence = mock_fence(test), *got;
	struct sync_file *sync_file = create_or_fail(test, fence);
	int fd = get_unused_fd_flags(O_CLOEXEC);

	KUNIT_ASSERT_GE(test, fd, 0);
	fd_install(fd, sync_file->file);

	got = sync_file_get_fence(fd);
	KUNIT_EXPECT_PTR_EQ(test, got, fence);
	KUNIT_EXPECT_EQ(test, refs(fence), 3u);
	dma_fence_put(got);

	KUNIT_EXPECT_EQ(test, close_fd_now(fd), 0);
	KUNIT_EXPECT_EQ(test, refs(fence), 1u);
	KUNIT_EXPECT_NULL(test, sync_file_get_fence(fd));
	mock_fence_complete(fence, 0);
	dma_fence_put(fence);
}

static const struct file_operations not_a_sync_file_fops = {
	.owner = THIS_MODULE,
};

static void sync_file_get_fence_rejects_other_fds(struct kunit *test)
{
	struct file *other;
	int fd;

	KUNIT_EXPECT_NULL(test, sync_file_get_fence(-1));
	KUNIT_EXPECT_NULL(test, sync_file_get_fence(INT_MAX));

	other = anon_inode_getfile("not-sync", &not_a_sync_file_fops, NULL, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(other));
	fd = get_unused_fd_flags(O_CLOEXEC);
	KUNIT_ASSERT_GE(test, fd, 0);
	fd_install(fd, other);
	KUNIT_EXPECT_NULL(test, sync_file_get_fence(fd));
	KUNIT_EXPECT_EQ(test, close_fd_now(fd), 0);
}

/*
 * The name of a sync_file without one of its own is
 * "<driver>-<timeline><context>-<seqno>", the form userspace parses.
 * sync_file_get_name() is not exported to modules: built-in only.
 */
static void sync_file_name_from_fence_or_user(struct kunit *test)
{
#if IS_BUILTIN(CONFIG_SYNC_FILE_KUNIT_TEST)
	struct dma_fence *fence = mock_fence_at(test,
						dma_fence_context_alloc(1), 7);
	struct sync_file *sync_file = create_or_fail(test, fence);
	u64 context = fence->context;
	char want[64], buf[64], tiny[5];
	int len;

	snprintf(want, sizeof(want), "mock-mock%llu-7", fence->context);
	KUNIT_EXPECT_STREQ(test, sync_file_get_name(sync_file, buf,
						    sizeof(buf)), want);
	/* Cut short, still terminated. */
	KUNIT_EXPECT_PTR_EQ(test, sync_file_get_name(sync_file, tiny,
						     sizeof(tiny)), (char *)tiny);
	KUNIT_EXPECT_STREQ(test, tiny, "mock");
	/*
	 * Cut at every length, with the widest numbers: as snprintf() of
	 * that form with the context unsigned and the seqno signed.
	 */
	fence->context = U64_MAX;
	fence->seqno = U64_MAX;
	for (len = 1; len <= sizeof(buf); len++) {
		snprintf(want, len, "mock-mock%llu-%d", U64_MAX, -1);
		memset(buf, 'x', sizeof(buf));
		sync_file_get_name(sync_file, buf, len);
		KUNIT_EXPECT_STREQ_MSG(test, buf, want, "cut at %d", len);
	}
	fence->seqno = (u64)S64_MIN;
	for (len = 1; len <= sizeof(buf); len++) {
		snprintf(want, len, "mock-mock%llu-%lld", U64_MAX, S64_MIN);
		memset(buf, 'x', sizeof(buf));
		sync_file_get_name(sync_file, buf, len);
		KUNIT_EXPECT_STREQ_MSG(test, buf, want, "cut at %d", len);
	}
	fence->seqno = 7;
	fence->context = context;

	/* A signaled fence's driver still gives the names. */
	mock_fence_complete(fence, -EIO);
	snprintf(want, sizeof(want), "mock-mock%llu-7", fence->context);
	KUNIT_EXPECT_STREQ(test, sync_file_get_name(sync_file, buf,
						    sizeof(buf)), want);

	strscpy(sync_file->user_name, "compositor-frame",
		sizeof(sync_file->user_name));
	KUNIT_EXPECT_STREQ(test, sync_file_get_name(sync_file, buf,
						    sizeof(buf)),
			   "compositor-frame");

	release_file(sync_file->file);
	dma_fence_put(fence);
#else
	kunit_skip(test, "sync_file_get_name() is not exported");
#endif
}

static void sync_file_poll_reports_signaled(struct kunit *test)
{
	struct dma_fence *fence = mock_fence(test);
	struct sync_file *sync_file = create_or_fail(test, fence);
	struct file *file = sync_file->file;

	KUNIT_EXPECT_EQ(test, poll_now(file), 0u);
	KUNIT_EXPECT_TRUE(test, test_bit(POLL_ENABLED, &sync_file->flags));
	KUNIT_EXPECT_FALSE(test, list_empty(&fence->cb_list));

	mock_fence_complete(fence, 0);
	KUNIT_EXPECT_EQ(test, poll_now(file), pollin);
	release_file(file);
	KUNIT_EXPECT_EQ(test, refs(fence), 1u);
	dma_fence_put(fence);
}

static void sync_file_release_removes_poll_callback(struct kunit *test)
{
	struct dma_fence *fence = mock_fence(test);
	struct sync_file *sync_file = create_or_fail(test, fence);

	KUNIT_EXPECT_EQ(test, poll_now(sync_file->file), 0u);
	KUNIT_EXPECT_FALSE(test, list_empty(&fence->cb_list));
	release_file(sync_file->file);
	/* The file is gone and so is its callback: signaling calls nothing. */
	KUNIT_EXPECT_TRUE(test, list_empty(&fence->cb_list));
	KUNIT_EXPECT_EQ(test, refs(fence), 1u);
	mock_fence_complete(fence, 0);
	dma_fence_put(fence);
}

static void sync_file_of_signaled_fence_polls_in(struct kunit *test)
{
	struct dma_fence *fence = mock_fence(test);
	struct sync_file *sync_file;

	mock_fence_complete(fence, -EIO);
	sync_file = create_or_fail(test, fence);
	KUNIT_EXPECT_EQ(test, poll_now(sync_file->file), pollin);
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(sync_file->fence), -EIO);
	release_file(sync_file->file);
	KUNIT_EXPECT_EQ(test, refs(fence), 1u);
	dma_fence_put(fence);
}

static void sync_file_fence_of_merged_file(struct kunit *test)
{
	u64 ctx = dma_fence_context_alloc(2);
	struct dma_fence *a = mock_fence_at(test, ctx, 1);
	struct dma_fence *b = mock_fence_at(test, ctx + 1, 1);
	struct dma_fence *a_later = mock_fence_at(test, ctx, 2);
	struct dma_fence *merged, *got, *f;
	struct dma_fence_unwrap cursor;
	struct sync_file *sync_file;
	int fd, seen = 0;

	merged = dma_fence_unwrap_merge(a, b, a_later);
	KUNIT_ASSERT_NOT_NULL(test, merged);
	sync_file = create_or_fail(test, merged);
	dma_fence_put(merged);
	fd = get_unused_fd_flags(O_CLOEXEC);
	KUNIT_ASSERT_GE(test, fd, 0);
	fd_install(fd, sync_file->file);

	got = sync_file_get_fence(fd);
	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_array(got));
	dma_fence_unwrap_for_each(f, &cursor, got) {
		KUNIT_EXPECT_TRUE(test, f == b || f == a_later);
		seen++;
	}
	KUNIT_EXPECT_EQ(test, seen, 2);

	mock_fence_complete(a, 0);
	mock_fence_complete(b, 0);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(got));
	mock_fence_complete(a_later, 0);
	KUNIT_EXPECT_TRUE(test, mock_fence_settles(got));
	/* The array's completion work holds a reference until it is done. */
	irq_work_sync(&to_dma_fence_array(got)->work);
	dma_fence_put(got);

	KUNIT_EXPECT_EQ(test, close_fd_now(fd), 0);
	KUNIT_EXPECT_EQ(test, refs(b), 1u);
	KUNIT_EXPECT_EQ(test, refs(a_later), 1u);
	dma_fence_put(a);
	dma_fence_put(b);
	dma_fence_put(a_later);
}

static struct kunit_case sync_file_cases[] = {
	KUNIT_CASE(sync_file_create_takes_a_reference),
	KUNIT_CASE(sync_file_get_fence_from_fd),
	KUNIT_CASE(sync_file_get_fence_rejects_other_fds),
	KUNIT_CASE(sync_file_name_from_fence_or_user),
	KUNIT_CASE(sync_file_poll_reports_signaled),
	KUNIT_CASE(sync_file_release_removes_poll_callback),
	KUNIT_CASE(sync_file_of_signaled_fence_polls_in),
	KUNIT_CASE(sync_file_fence_of_merged_file),
	{}
};

static struct kunit_suite sync_file_suite = {
	.name = "sync-file",
	.test_cases = sync_file_cases,
};

kunit_test_suite(sync_file_suite);

MODULE_DESCRIPTION("KUnit tests for sync files");
MODULE_LICENSE("GPL");
