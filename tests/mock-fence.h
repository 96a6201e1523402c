/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The test fence: its own lock, freed by the default release.  A plain one
 * (mock_fence_ops) has no driver hooks; a user that needs hooks, or more
 * state, puts struct mock_fence first, as "mock", in a fence of its own
 * and makes it with mock_fence_new_of() and its ops.  Built into the
 * KUnit suites, the userspace runner and benchmark, and the out-of-tree
 * benchmark and lifetime modules, so it uses only what every one of those
 * kernels has.
 */
#ifndef DMA_BUF_TESTS_MOCK_FENCE_H
#define DMA_BUF_TESTS_MOCK_FENCE_H

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/dma-fence.h>
#include <linux/kthread.h>
#include <linux/slab.h>

struct mock_fence {
	struct dma_fence base;	/* first: freed through it */
	spinlock_t lock; /* the fence's lock */
};

static inline const char *mock_fence_name(struct dma_fence *fence)
{
	return "mock";
}

static const struct dma_fence_ops mock_fence_ops = {
	.get_driver_name = mock_fence_name,
	.get_timeline_name = mock_fence_name,
};

/* Make @m an unsignaled fence of @ops at @seqno of @context. */
static inline void mock_fence_init(struct mock_fence *m,
				   const struct dma_fence_ops *ops,
				   u64 context, u64 seqno)
{
	spin_lock_init(&m->lock);
	dma_fence_init(&m->base, ops, &m->lock, context, seqno);
}

/*
 * A zeroed fence of @size bytes that begins with a struct mock_fence, made
 * unsignaled with @ops at @seqno of @context, or NULL without memory; for
 * threads other than the test's, where a KUnit assertion cannot stop.
 */
static inline struct mock_fence *
mock_fence_alloc(size_t size, const struct dma_fence_ops *ops, u64 context,
		 u64 seqno)
{
	struct mock_fence *m = kzalloc(size, GFP_KERNEL);

	if (m)
		mock_fence_init(m, ops, context, seqno);
	return m;
}

/* mock_fence_alloc() on the test's thread: the test fails without memory. */
static inline struct mock_fence *
mock_fence_make(struct kunit *test, size_t size,
		const struct dma_fence_ops *ops, u64 context, u64 seqno)
{
	struct mock_fence *m = mock_fence_alloc(size, ops, context, seqno);

	KUNIT_ASSERT_NOT_NULL(test, m);
	return m;
}

/*
 * mock_fence_new_of(test, type, ops, context, seqno): a zeroed, unsignaled
 * @type with @ops at @seqno of @context, made by mock_fence_make().  @type
 * has its struct mock_fence first, named "mock", so that the default
 * release frees the whole @type.
 */
#define mock_fence_new_of(test, type, ops, context, seqno)		\
({									\
	BUILD_BUG_ON(offsetof(type, mock) != 0);			\
	container_of(mock_fence_make(test, sizeof(type), ops, context,	\
				     seqno), type, mock);		\
})

/*
 * A plain unsignaled fence at @seqno of @context, or NULL without memory;
 * for threads other than the test's.
 */
static inline struct dma_fence *mock_fence_new(u64 context, u64 seqno)
{
	struct mock_fence *m = mock_fence_alloc(sizeof(*m), &mock_fence_ops,
						context, seqno);

	return m ? &m->base : NULL;
}

/* A plain unsignaled fence at @seqno of @context; the test fails without. */
static inline struct dma_fence *mock_fence_at(struct kunit *test, u64 context,
					      u64 seqno)
{
	return &mock_fence_make(test, sizeof(struct mock_fence),
				&mock_fence_ops, context, seqno)->base;
}

/* An unsignaled fence on a context of its own. */
static inline struct dma_fence *mock_fence(struct kunit *test)
{
	return mock_fence_at(test, dma_fence_context_alloc(1), 1);
}

/* ->enable_signaling of a driver that is done before it is asked. */
static inline bool mock_fence_report_done(struct dma_fence *fence)
{
	return false;
}

static const struct dma_fence_ops mock_fence_done_ops = {
	.get_driver_name = mock_fence_name,
	.get_timeline_name = mock_fence_name,
	.enable_signaling = mock_fence_report_done,
};

/*
 * An unsignaled fence, on a context of its own, whose driver is already
 * done: the first enable of signaling signals it, so nothing can wait on
 * it or queue a callback on it once it is armed.
 */
static inline struct dma_fence *mock_fence_done_at_enable(struct kunit *test)
{
	return &mock_fence_make(test, sizeof(struct mock_fence),
				&mock_fence_done_ops,
				dma_fence_context_alloc(1), 1)->base;
}

/* Signal @fence with @error (0 for success). */
static inline void mock_fence_complete(struct dma_fence *fence, int error)
{
	if (error)
		dma_fence_set_error(fence, error);
	dma_fence_signal(fence);
}

/* Wait for a container whose completion runs from an irq_work. */
static inline bool mock_fence_settles(struct dma_fence *fence)
{
	return dma_fence_wait_timeout(fence, false, 10 * HZ) > 0;
}

/* Signal each of @n fences, then drop the test's reference to each. */
static inline void signal_put_n(struct dma_fence *const *f, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		dma_fence_signal(f[i]);
	for (i = 0; i < n; i++)
		dma_fence_put(f[i]);
}

/* signal_put(a, b, ...): signal_put_n() on the fences listed. */
#define signal_put(...)							\
	signal_put_n((struct dma_fence *[]){ __VA_ARGS__ },		\
		     ARRAY_SIZE(((struct dma_fence *[]){ __VA_ARGS__ })))

/*
 * @n fences that only the test holds now (checked): signal each and drop
 * that last reference.
 */
static inline void release_all(struct kunit *test, struct dma_fence **f,
			       unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, kref_read(&f[i]->refcount), 1U);
		dma_fence_signal(f[i]);
		dma_fence_put(f[i]);
	}
}

/* What mock_fence_signal_later()'s thread signals, and when. */
struct mock_fence_signaler {
	struct dma_fence *fence;
	unsigned int ms;
};

static inline int mock_fence_signaler_fn(void *data)
{
	struct mock_fence_signaler *s = data;

	msleep(s->ms);
	dma_fence_signal(s->fence);
	while (!kthread_should_stop())
		msleep(20);
	return 0;
}

/*
 * Signal @f from a thread of its own @ms milliseconds from now.  @s holds
 * the thread's state, so it outlives the caller's kthread_stop() of the
 * thread; the caller sees the signal before it stops the thread.
 */
static inline struct task_struct *
mock_fence_signal_later(struct kunit *test, struct mock_fence_signaler *s,
			struct dma_fence *f, unsigned int ms)
{
	struct task_struct *t;

	s->fence = f;
	s->ms = ms;
	t = kthread_run(mock_fence_signaler_fn, s, "mock-fence-signal");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	return t;
}

#endif /* DMA_BUF_TESTS_MOCK_FENCE_H */
