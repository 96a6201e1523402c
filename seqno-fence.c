// SPDX-License-Identifier: GPL-2.0-only
/*
 * Seqno fences: a fence plus the place in a dma-buf where hardware can
 * watch for it.  See include/linux/seqno-fence.h.
 *
 * The fence core only ever sees seqno_fence_ops, so that to_seqno_fence()
 * can recognise these fences; each operation here hands over to the
 * driver's own ops given at init, or does the core's default when the
 * driver left it out.  The only state of our own is the reference on the
 * sync buffer, dropped when the fence is released.
 */

#include <linux/dma-buf.h>
#include <linux/export.h>
#include <linux/seqno-fence.h>

static const struct dma_fence_ops *driver_ops(struct dma_fence *fence)
{
	return container_of(fence, struct seqno_fence, base)->ops;
}

static const char *seqno_fence_driver_name(struct dma_fence *fence)
{
	const struct dma_fence_ops *ops = driver_ops(fence);

	return ops->get_driver_name ? ops->get_driver_name(fence) :
				      "seqno-fence";
}

static const char *seqno_fence_timeline_name(struct dma_fence *fence)
{
	const struct dma_fence_ops *ops = driver_ops(fence);

	return ops->get_timeline_name ? ops->get_timeline_name(fence) :
					"seqno-fence";
}

/* Without a hook of its own the driver signals the fence when it passes. */
static bool seqno_fence_enable_signaling(struct dma_fence *fence)
{
	const struct dma_fence_ops *ops = driver_ops(fence);

	return ops->enable_signaling ? ops->enable_signaling(fence) : true;
}

static bool seqno_fence_signaled(struct dma_fence *fence)
{
	const struct dma_fence_ops *ops = driver_ops(fence);

	return ops->signaled && ops->signaled(fence);
}

static signed long seqno_fence_wait(struct dma_fence *fence, bool intr,
				    signed long timeout)
{
	const struct dma_fence_ops *ops = driver_ops(fence);

	if (ops->wait)
		return ops->wait(fence, intr, timeout);
	return dma_fence_default_wait(fence, intr, timeout);
}

static void seqno_fence_release(struct dma_fence *fence)
{
	struct seqno_fence *sf = container_of(fence, struct seqno_fence, base);
	const struct dma_fence_ops *ops = sf->ops;

	/* fput() defers when it must, so this is fine in any context. */
	if (sf->sync_buf)
		dma_buf_put(sf->sync_buf);
	if (ops->release)
		ops->release(fence);
	else
		dma_fence_free(fence);
}

static void seqno_fence_value_str(struct dma_fence *fence, char *str,
				  int size)
{
	const struct dma_fence_ops *ops = driver_ops(fence);

	if (ops->fence_value_str)
		ops->fence_value_str(fence, str, size);
	else
		snprintf(str, size, "%llu", fence->seqno);
}

static void seqno_fence_timeline_value_str(struct dma_fence *fence,
					   char *str, int size)
{
	const struct dma_fence_ops *ops = driver_ops(fence);

	if (ops->timeline_value_str)
		ops->timeline_value_str(fence, str, size);
	else if (size)
		*str = '\0';
}

static void seqno_fence_set_deadline(struct dma_fence *fence,
				     ktime_t deadline)
{
	const struct dma_fence_ops *ops = driver_ops(fence);

	if (ops->set_deadline)
		ops->set_deadline(fence, deadline);
}

/* The ops of every seqno fence; to_seqno_fence() recognises them by address. */
const struct dma_fence_ops seqno_fence_ops = {
	.get_driver_name = seqno_fence_driver_name,
	.get_timeline_name = seqno_fence_timeline_name,
	.enable_signaling = seqno_fence_enable_signaling,
	.signaled = seqno_fence_signaled,
	.wait = seqno_fence_wait,
	.release = seqno_fence_release,
	.fence_value_str = seqno_fence_value_str,
	.timeline_value_str = seqno_fence_timeline_value_str,
	.set_deadline = seqno_fence_set_deadline,
};
EXPORT_SYMBOL(seqno_fence_ops);

static const struct dma_fence_ops no_driver_ops;

/**
 * seqno_fence_init - set up a seqno fence
 * @fence: the fence to initialise, usually embedded in the driver's job
 * @lock: the spinlock protecting the fence, as for dma_fence_init()
 * @sync_buf: the buffer holding the 32-bit word the hardware watches;
 *	the fence takes a reference of its own, dropped at release
 * @context: the fence context, from dma_fence_context_alloc()
 * @seqno_ofs: byte offset of the word in @sync_buf
 * @seqno: the fence's sequence number, the value compared with the word
 * @cond: how the word is compared, see &enum seqno_fence_condition
 * @ops: the driver's fence operations; each one left NULL behaves as the
 *	fence core's default (enable_signaling accepts, so the driver must
 *	signal the fence itself; release frees with dma_fence_free())
 *
 * The driver's @ops->release, if any, must free the containing object the
 * way dma_fence_free() does; the sync buffer is already dropped by then.
 * A NULL @sync_buf is a driver bug: it is reported, and the fence works
 * without a buffer.  A NULL @ops means no driver operations.
 *
 * Context: any context.
 */
void seqno_fence_init(struct seqno_fence *fence, spinlock_t *lock,
		      struct dma_buf *sync_buf, u64 context, u32 seqno_ofs,
		      u64 seqno, enum seqno_fence_condition cond,
		      const struct dma_fence_ops *ops)
{
	WARN_ON(!sync_buf);
	/* Set before dma_fence_init(), whose tracepoint asks for names. */
	fence->ops = ops ?: &no_driver_ops;
	fence->sync_buf = sync_buf;
	fence->seqno_ofs = seqno_ofs;
	fence->condition = cond;
	if (sync_buf)
		get_dma_buf(sync_buf);
	dma_fence_init(&fence->base, &seqno_fence_ops, lock, context, seqno);
}
EXPORT_SYMBOL(seqno_fence_init);
