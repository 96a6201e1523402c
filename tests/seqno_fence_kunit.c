// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite for seqno fences on a real dma-buf: the reference on the
 * sync buffer, recognition, the comparison rules, the driver's operations
 * called through the wrapper and the defaults without them, and a
 * "hardware" thread that writes the word and signals while a waiter waits.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/dma-buf.h>
#include <linux/kthread.h>
#include <linux/seqno-fence.h>
#include <linux/slab.h>

#include "expect-warn.h"
#include "mock-exporter.h"
#include "mock-fence.h"

/* A driver's fence: counts what the core asked of it. */
struct hw_fence {
	struct seqno_fence sf;	/* first: freed through it */
	spinlock_t lock;
	int enables;
	int waits;
	ktime_t deadline;
	bool *released;		/* set by the release hook */
};

static struct hw_fence *to_hw(struct dma_fence *fence)
{
	return container_of(to_seqno_fence(fence), struct hw_fence, sf);
}

/* The word the engine watches. */
static u32 *hw_word(struct seqno_fence *sf)
{
	return mock_dma_buf_vaddr(sf->sync_buf) + sf->seqno_ofs;
}

static const char *hw_driver_name(struct dma_fence *fence)
{
	return "hw-driver";
}

static const char *hw_timeline_name(struct dma_fence *fence)
{
	return "ring0";
}

static bool hw_enable_signaling(struct dma_fence *fence)
{
	to_hw(fence)->enables++;
	return true;
}

static bool hw_signaled(struct dma_fence *fence)
{
	struct seqno_fence *sf = to_seqno_fence(fence);

	return seqno_fence_passed(sf, READ_ONCE(*hw_word(sf)));
}

static void hw_set_deadline(struct dma_fence *fence, ktime_t deadline)
{
	to_hw(fence)->deadline = deadline;
}

static void hw_release(struct dma_fence *fence)
{
	struct hw_fence *hw = to_hw(fence);

	*hw->released = true;
	dma_fence_free(fence);
}

static const struct dma_fence_ops hw_fence_ops = {
	.get_driver_name = hw_driver_name,
	.get_timeline_name = hw_timeline_name,
	.enable_signaling = hw_enable_signaling,
	.signaled = hw_signaled,
	.set_deadline = hw_set_deadline,
	.release = hw_release,
};

/* A driver with its own wait and value strings. */
static signed long hw_wait(struct dma_fence *fence, bool intr,
			   signed long timeout)
{
	to_hw(fence)->waits++;
	return timeout;
}

static void hw_value_str(struct dma_fence *fence, char *str, int size)
{
	snprintf(str, size, "hw%llu", fence->seqno);
}

static void hw_timeline_value_str(struct dma_fence *fence, char *str,
				  int size)
{
	snprintf(str, size, "word=%u", READ_ONCE(*hw_word(to_seqno_fence(fence))));
}

static const struct dma_fence_ops hw_full_fence_ops = {
	.get_driver_name = hw_driver_name,
	.get_timeline_name = hw_timeline_name,
	.enable_signaling = hw_enable_signaling,
	.signaled = hw_signaled,
	.wait = hw_wait,
	.fence_value_str = hw_value_str,
	.timeline_value_str = hw_timeline_value_str,
	.release = hw_release,
};

static struct hw_fence *hw_fence(struct kunit *test, struct dma_buf *buf,
				 u32 ofs, u64 seqno,
				 enum seqno_fence_condition cond,
				 const struct dma_fence_ops *ops, bool *released)
{
	struct hw_fence *hw = kzalloc(sizeof(*hw), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, hw);
	spin_lock_init(&hw->lock);
	hw->released = released;
	seqno_fence_init(&hw->sf, &hw->lock, buf, dma_fence_context_alloc(1),
			 ofs, seqno, cond, ops);
	return hw;
}

static void seqno_fence_init_holds_the_sync_buf(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	int want = atomic_read(&mock_releases) + 1;
	bool released = false;
	struct hw_fence *hw = hw_fence(test, buf, 64, 9, SEQNO_FENCE_WAIT_GEQUAL,
				       &hw_fence_ops, &released);
	struct dma_fence *f = &hw->sf.base;

	KUNIT_EXPECT_EQ(test, file_count(buf->file), 2L);
	KUNIT_EXPECT_PTR_EQ(test, hw->sf.sync_buf, buf);
	KUNIT_EXPECT_EQ(test, hw->sf.seqno_ofs, 64U);
	KUNIT_EXPECT_EQ(test, hw->sf.condition, SEQNO_FENCE_WAIT_GEQUAL);
	KUNIT_EXPECT_PTR_EQ(test, hw->sf.ops, &hw_fence_ops);
	KUNIT_EXPECT_PTR_EQ(test, f->ops, &seqno_fence_ops);
	KUNIT_EXPECT_EQ(test, f->seqno, 9ULL);
	KUNIT_EXPECT_PTR_EQ(test, to_seqno_fence(f), &hw->sf);

	/* The test's reference goes; the fence keeps the buffer alive. */
	dma_buf_put(buf);
	flush_delayed_fput();
	KUNIT_EXPECT_EQ(test, atomic_read(&mock_releases), want - 1);
	KUNIT_EXPECT_EQ(test, file_count(buf->file), 1L);

	dma_fence_signal(f);
	dma_fence_put(f);
	KUNIT_EXPECT_TRUE(test, released);
	KUNIT_EXPECT_TRUE(test, mock_releases_reach(want));
}

static void to_seqno_fence_rejects_other_fences(struct kunit *test)
{
	struct dma_fence *f = mock_fence(test);

	KUNIT_EXPECT_NULL(test, to_seqno_fence(f));
	dma_fence_signal(f);
	dma_fence_put(f);
}

static void seqno_fence_passed_compares_with_wraparound(struct kunit *test)
{
	struct seqno_fence sf = { .condition = SEQNO_FENCE_WAIT_GEQUAL };

	sf.base.seqno = 100;
	KUNIT_EXPECT_FALSE(test, seqno_fence_passed(&sf, 99));
	KUNIT_EXPECT_TRUE(test, seqno_fence_passed(&sf, 100));
	KUNIT_EXPECT_TRUE(test, seqno_fence_passed(&sf, 101));
	KUNIT_EXPECT_FALSE(test, seqno_fence_passed(&sf, 0));

	/* Near the top, small values are later: the counter wrapped. */
	sf.base.seqno = 0xfffffff0;
	KUNIT_EXPECT_TRUE(test, seqno_fence_passed(&sf, 0x10));
	KUNIT_EXPECT_TRUE(test, seqno_fence_passed(&sf, 0xfffffff0));
	KUNIT_EXPECT_FALSE(test, seqno_fence_passed(&sf, 0xffffffe0));
	KUNIT_EXPECT_FALSE(test, seqno_fence_passed(&sf, 0x7ffffff0));

	/* Only the low 32 bits of a 64-bit seqno count. */
	sf.base.seqno = 0x500000007ULL;
	KUNIT_EXPECT_TRUE(test, seqno_fence_passed(&sf, 7));
	KUNIT_EXPECT_FALSE(test, seqno_fence_passed(&sf, 6));

	sf.condition = SEQNO_FENCE_WAIT_NONZERO;
	KUNIT_EXPECT_FALSE(test, seqno_fence_passed(&sf, 0));
	KUNIT_EXPECT_TRUE(test, seqno_fence_passed(&sf, 1));
	KUNIT_EXPECT_TRUE(test, seqno_fence_passed(&sf, 0x80000000));
}

static void seqno_fence_calls_the_driver(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	bool released = false;
	struct hw_fence *hw = hw_fence(test, buf, 8, 5, SEQNO_FENCE_WAIT_GEQUAL,
				       &hw_fence_ops, &released);
	struct dma_fence *f = &hw->sf.base;
	ktime_t when = ktime_add_ms(ktime_get(), 20);

	KUNIT_EXPECT_STREQ(test, dma_fence_driver_name(f), "hw-driver");
	KUNIT_EXPECT_STREQ(test, dma_fence_timeline_name(f), "ring0");

	dma_fence_enable_sw_signaling(f);
	dma_fence_enable_sw_signaling(f);
	KUNIT_EXPECT_EQ(test, hw->enables, 1);

	dma_fence_set_deadline(f, when);
	KUNIT_EXPECT_TRUE(test, ktime_compare(hw->deadline, when) == 0);

	/* The word decides: below the seqno unsignaled, at it signaled. */
	*hw_word(&hw->sf) = 4;
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(f));
	*hw_word(&hw->sf) = 5;
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(f));
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(f), 1);

	dma_buf_put(buf);
	KUNIT_EXPECT_FALSE(test, released);
	dma_fence_put(f);
	KUNIT_EXPECT_TRUE(test, released);
}

static void seqno_fence_hands_wait_and_strings_to_the_driver(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	bool released = false;
	struct hw_fence *hw = hw_fence(test, buf, 8, 5, SEQNO_FENCE_WAIT_GEQUAL,
				       &hw_full_fence_ops, &released);
	struct dma_fence *f = &hw->sf.base;
	char str[32];

	/* The driver's wait answers; the core does not sleep on its own. */
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, false, 7), 7L);
	KUNIT_EXPECT_EQ(test, hw->waits, 1);

	f->ops->fence_value_str(f, str, sizeof(str));
	KUNIT_EXPECT_STREQ(test, str, "hw5");
	*hw_word(&hw->sf) = 3;
	f->ops->timeline_value_str(f, str, sizeof(str));
	KUNIT_EXPECT_STREQ(test, str, "word=3");

	dma_fence_signal(f);
	dma_buf_put(buf);
	dma_fence_put(f);
	KUNIT_EXPECT_TRUE(test, released);
}

static void seqno_fence_works_without_driver_ops(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	int want = atomic_read(&mock_releases) + 1;
	struct hw_fence *hw = hw_fence(test, buf, 0, 42, SEQNO_FENCE_WAIT_NONZERO,
				       NULL, NULL);
	struct dma_fence *f = &hw->sf.base;
	char str[32];

	KUNIT_EXPECT_STREQ(test, dma_fence_driver_name(f), "seqno-fence");
	KUNIT_EXPECT_STREQ(test, dma_fence_timeline_name(f), "seqno-fence");
	f->ops->fence_value_str(f, str, sizeof(str));
	KUNIT_EXPECT_STREQ(test, str, "42");
	f->ops->timeline_value_str(f, str, sizeof(str));
	KUNIT_EXPECT_STREQ(test, str, "");
	/* With no room at all nothing is written, not even the NUL. */
	strscpy(str, "kept", sizeof(str));
	f->ops->timeline_value_str(f, str, 0);
	KUNIT_EXPECT_STREQ(test, str, "kept");

	/* Nothing reads the word: only the driver's signal completes it. */
	*hw_word(&hw->sf) = 1;
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(f));
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, false, 1), 0L);
	dma_fence_set_deadline(f, ktime_get());
	dma_fence_signal(f);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(f, false, 1), 1L);

	dma_buf_put(buf);
	dma_fence_put(f);	/* dma_fence_free(); kmemleak checks it */
	KUNIT_EXPECT_TRUE(test, mock_releases_reach(want));
}

/* A driver that finds the word already written when asked to signal. */
static bool hw_enable_signaling_passed(struct dma_fence *fence)
{
	to_hw(fence)->enables++;
	return false;
}

static void hw_never_called(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	WARN(1, "callback on a fence that refused signaling");
}

static const struct dma_fence_ops hw_passed_fence_ops = {
	.get_driver_name = hw_driver_name,
	.get_timeline_name = hw_timeline_name,
	.enable_signaling = hw_enable_signaling_passed,
	.release = hw_release,
};

/*
 * The driver's "no" to enable_signaling reaches the core unchanged: the
 * fence counts as signaled at once and takes no callback.
 */
static void seqno_fence_driver_refuses_signaling(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	bool released = false;
	struct hw_fence *hw = hw_fence(test, buf, 0, 3, SEQNO_FENCE_WAIT_GEQUAL,
				       &hw_passed_fence_ops, &released);
	struct dma_fence *f = &hw->sf.base;
	struct dma_fence_cb cb;

	KUNIT_EXPECT_EQ(test, dma_fence_add_callback(f, &cb, hw_never_called),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, hw->enables, 1);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(f));
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(f), 1);

	dma_buf_put(buf);
	dma_fence_put(f);
	KUNIT_EXPECT_TRUE(test, released);
}

static void seqno_fence_without_a_buffer_warns(struct kunit *test)
{
	bool released = false;
	struct hw_fence *hw;

	EXPECT_WARN_BEGIN("seqno_fence_without_a_buffer_warns");
	hw = hw_fence(test, NULL, 0, 1, SEQNO_FENCE_WAIT_GEQUAL, NULL,
		      &released);
	EXPECT_WARN_END("seqno_fence_without_a_buffer_warns");
	KUNIT_EXPECT_NULL(test, hw->sf.sync_buf);
	dma_fence_signal(&hw->sf.base);
	dma_fence_put(&hw->sf.base);
}

DEFINE_EXPECT_WARN_CASE(seqno_fence_without_a_buffer_warns)

struct engine {
	struct hw_fence *hw;
	u32 value;
};

/* The other engine: finishes its work, writes the word, raises the irq. */
static int engine_thread(void *data)
{
	struct engine *e = data;

	msleep(20);
	WRITE_ONCE(*hw_word(&e->hw->sf), e->value);
	dma_fence_signal(&e->hw->sf.base);
	/* kthread_stop() needs the task to still be here. */
	while (!kthread_should_stop())
		msleep(20);
	return 0;
}

static void seqno_fence_wait_sees_the_engine(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	bool released = false;
	struct engine e = { .value = 0x10 };
	struct task_struct *t;
	struct dma_fence *f;

	/* Just before the wrap, the engine's counter wraps past it. */
	e.hw = hw_fence(test, buf, 128, 0xfffffffe, SEQNO_FENCE_WAIT_GEQUAL,
			&hw_fence_ops, &released);
	f = &e.hw->sf.base;
	t = kthread_run(engine_thread, &e, "seqno-engine");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));

	KUNIT_EXPECT_GT(test, dma_fence_wait_timeout(f, true, 10 * HZ), 0L);
	KUNIT_EXPECT_TRUE(test, hw_signaled(f));
	KUNIT_EXPECT_EQ(test, e.hw->enables, 1);
	kthread_stop(t);

	dma_buf_put(buf);
	dma_fence_put(f);
	KUNIT_EXPECT_TRUE(test, released);
}

static struct kunit_case seqno_fence_cases[] = {
	KUNIT_CASE(seqno_fence_init_holds_the_sync_buf),
	KUNIT_CASE(to_seqno_fence_rejects_other_fences),
	KUNIT_CASE(seqno_fence_passed_compares_with_wraparound),
	KUNIT_CASE(seqno_fence_calls_the_driver),
	KUNIT_CASE(seqno_fence_hands_wait_and_strings_to_the_driver),
	KUNIT_CASE(seqno_fence_works_without_driver_ops),
	KUNIT_CASE(seqno_fence_driver_refuses_signaling),
	EXPECT_WARN_CASE(seqno_fence_without_a_buffer_warns),
	KUNIT_CASE(seqno_fence_wait_sees_the_engine),
	{}
};

static struct kunit_suite seqno_fence_suite = {
	.name = "seqno-fence",
	.test_cases = seqno_fence_cases,
};

kunit_test_suite(seqno_fence_suite);

MODULE_LICENSE("GPL");
