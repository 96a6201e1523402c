// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fence arrays: one fence for a set of fences.
 *
 * An array starts with a count of members still to signal (all of them, or
 * one for signal-on-any arrays).  Nothing happens until somebody needs to
 * know about completion: then enable_signaling queues a callback on every
 * member.  Each callback holds a reference to the array; it records the
 * member's error (the first one wins), counts the member off, and the one
 * that brings the count to zero hands its reference to the irq_work, which
 * signals the array outside the member's lock.  After that, callbacks
 * still queued on other members (signal-on-any) are taken back so the
 * array can go away early.
 *
 * Lock order: the core calls enable_signaling with the array's lock held,
 * and queuing a callback takes the member's lock.  An array holding arrays
 * warns when it is made but works: each array's lock gets the lockdep
 * class of its nesting depth, so an outer lock is never of the same class
 * as an inner one.
 */

#include <linux/dma-fence-array.h>
#include <linux/dma-fence-chain.h>
#include <linux/export.h>
#include <linux/overflow.h>
#include <linux/slab.h>

/* Our own bits in base.flags: the mode and the nesting depth. */
#define ARRAY_ANY_BIT		DMA_FENCE_FLAG_USER_BITS
#define ARRAY_DEPTH_SHIFT	(DMA_FENCE_FLAG_USER_BITS + 1)
#define ARRAY_MAX_DEPTH		3

static struct lock_class_key array_lock_class[ARRAY_MAX_DEPTH + 1];

static struct dma_fence_array_cb *array_callbacks(struct dma_fence_array *a)
{
	return (struct dma_fence_array_cb *)(a + 1);
}

static bool signals_on_any(struct dma_fence_array *array)
{
	return test_bit(ARRAY_ANY_BIT, &array->base.flags);
}

static unsigned int array_depth(struct dma_fence *fence)
{
	struct dma_fence_array *array;

	/* An array inside a chain link nests inside it too. */
	array = to_dma_fence_array(dma_fence_chain_contained(fence));
	if (!array)
		return 0;
	return (array->base.flags >> ARRAY_DEPTH_SHIFT) & ARRAY_MAX_DEPTH;
}

static const char *array_driver_name(struct dma_fence *fence)
{
	return "dma_fence_array";
}

static const char *array_timeline_name(struct dma_fence *fence)
{
	return "unbound";
}

/*
 * While the array is pending its error holds ARRAY_NO_ERROR_YET, a value no
 * member can have, and one readers of &dma_fence.error see meanwhile.
 * The first member that fails replaces it; the array clears what is left
 * of it when it completes, so that it signals with 0 or that first error.
 */
#define ARRAY_NO_ERROR_YET	1

static void note_member_error(struct dma_fence_array *array, int error)
{
	if (unlikely(error))
		cmpxchg(&array->base.error, ARRAY_NO_ERROR_YET, error);
}

static void settle_error(struct dma_fence_array *array)
{
	cmpxchg(&array->base.error, ARRAY_NO_ERROR_YET, 0);
}

/*
 * Count @member off, after recording its error.  Returns true when that
 * completes the array.
 */
static bool member_done(struct dma_fence_array *array,
			struct dma_fence *member)
{
	note_member_error(array, READ_ONCE(member->error));
	return atomic_dec_and_test(&array->num_pending);
}

static void member_signaled(struct dma_fence *member, struct dma_fence_cb *cb)
{
	struct dma_fence_array *array =
		container_of(cb, struct dma_fence_array_cb, cb)->array;

	if (member_done(array, member))
		irq_work_queue(&array->work);	/* takes over our reference */
	else
		dma_fence_put(&array->base);
}

static void array_complete(struct irq_work *work)
{
	struct dma_fence_array *array =
		container_of(work, struct dma_fence_array, work);
	struct dma_fence_array_cb *cb = array_callbacks(array);
	unsigned int i;

	settle_error(array);
	dma_fence_signal(&array->base);

	/* Signal-on-any: the other members no longer matter. */
	for (i = 0; signals_on_any(array) && i < array->num_fences; i++)
		if (dma_fence_remove_callback(array->fences[i], &cb[i].cb))
			dma_fence_put(&array->base);

	dma_fence_put(&array->base);
}

static bool array_enable_signaling(struct dma_fence *fence)
{
	struct dma_fence_array *array = to_dma_fence_array(fence);
	struct dma_fence_array_cb *cb = array_callbacks(array);
	unsigned int i;

	for (i = 0; i < array->num_fences; i++) {
		cb[i].array = array;
		dma_fence_get(&array->base);
		if (!dma_fence_add_callback(array->fences[i], &cb[i].cb,
					    member_signaled))
			continue;
		/* Already signaled; the caller still holds a reference. */
		dma_fence_put(&array->base);
		if (member_done(array, array->fences[i])) {
			settle_error(array);
			return false;
		}
	}
	return atomic_read(&array->num_pending) > 0;
}

/*
 * For callers that poll.  Once signaling is enabled the callbacks keep
 * the count.  Before that, the members are asked, but their errors are not
 * collected: an array found complete this way signals with no error.
 */
static bool array_signaled(struct dma_fence *fence)
{
	struct dma_fence_array *array = to_dma_fence_array(fence);
	int pending = atomic_read_acquire(&array->num_pending);
	unsigned int i;

	if (test_bit(DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, &fence->flags)) {
		if (pending > 0)
			return false;
	} else {
		for (i = 0; pending > 0 && i < array->num_fences; i++)
			if (dma_fence_is_signaled(array->fences[i]))
				pending--;
		if (pending > 0)
			return false;
	}
	settle_error(array);
	return true;
}

static void array_release(struct dma_fence *fence)
{
	struct dma_fence_array *array = to_dma_fence_array(fence);
	unsigned int i;

	for (i = 0; i < array->num_fences; i++)
		dma_fence_put(array->fences[i]);
	kfree(array->fences);
	dma_fence_free(fence);
}

const struct dma_fence_ops dma_fence_array_ops = {
	.get_driver_name = array_driver_name,
	.get_timeline_name = array_timeline_name,
	.enable_signaling = array_enable_signaling,
	.signaled = array_signaled,
	.release = array_release,
};
EXPORT_SYMBOL(dma_fence_array_ops);

/**
 * dma_fence_array_create - make one fence out of several
 * @num_fences: number of fences in @fences (may be 0: the array is then
 *	signaled from the start)
 * @fences: kmalloc()ed array of fences; on success the new array owns it
 *	and the references it holds, and frees them on release
 * @context: context of the array fence itself
 * @seqno: seqno of the array fence itself
 * @signal_on_any: signal when the first member signals instead of when all
 *	have
 *
 * Once signaling is enabled, the array signals with the first error its
 * callbacks see among its members (in any-member mode, the error of the
 * member that completed it); found complete by polling alone, it signals
 * with no error.  Until it signals its &dma_fence.error reads 1.  No
 * members, or a container (array or chain) as a member, is a caller's bug
 * that warns: nested containers make signaling and unwrapping recurse.
 * The array is made all the same.
 *
 * Context: process context, may sleep.
 * Return: the new array, or NULL when out of memory; @fences then still
 * belongs to the caller.
 */
struct dma_fence_array *dma_fence_array_create(int num_fences,
					       struct dma_fence **fences,
					       u64 context, unsigned int seqno,
					       bool signal_on_any)
{
	struct dma_fence_array_cb *cb;
	struct dma_fence_array *array;
	unsigned int depth = 0;
	size_t size;
	int i;

	/*
	 * An array of nothing, or one holding containers, is a caller's bug
	 * (nesting makes signaling recurse): warn, but make the array.  An
	 * array whose members cannot be read is refused.
	 */
	WARN_ON(!num_fences || !fences);
	for (i = 0; fences && i < num_fences; i++)
		if (WARN_ON(dma_fence_is_container(fences[i])))
			depth = max(depth, array_depth(fences[i]) + 1);
	if (WARN_ON(num_fences < 0) || (num_fences && !fences))
		return NULL;
	depth = min_t(unsigned int, depth, ARRAY_MAX_DEPTH);

	size = size_add(sizeof(*array), array_size(num_fences, sizeof(*cb)));
	array = kzalloc(size, GFP_KERNEL);
	if (!array)
		return NULL;

	/*
	 * Signal-on-any arrays take back the callbacks of every member when
	 * done, also of those enable_signaling never reached.  (Each callback
	 * learns its array when it is queued.)
	 */
	cb = array_callbacks(array);
	for (i = 0; signal_on_any && i < num_fences; i++)
		INIT_LIST_HEAD(&cb[i].cb.node);

	spin_lock_init(&array->lock);
	lockdep_set_class(&array->lock, &array_lock_class[depth]);
	dma_fence_init(&array->base, &dma_fence_array_ops, &array->lock,
		       context, seqno);
	init_irq_work(&array->work, array_complete);

	array->num_fences = num_fences;
	array->fences = fences;
	atomic_set(&array->num_pending,
		   signal_on_any ? min(num_fences, 1) : num_fences);
	array->base.error = num_fences ? ARRAY_NO_ERROR_YET : 0;
	array->base.flags |= (unsigned long)depth << ARRAY_DEPTH_SHIFT;
	if (signal_on_any)
		set_bit(ARRAY_ANY_BIT, &array->base.flags);
	return array;
}
EXPORT_SYMBOL(dma_fence_array_create);

/**
 * dma_fence_match_context - is every fence behind @fence of one context?
 * @fence: a fence, or an array of fences
 * @context: the context to compare with
 *
 * Return: true when @fence, or every member of the array @fence, belongs
 * to @context.
 */
bool dma_fence_match_context(struct dma_fence *fence, u64 context)
{
	struct dma_fence *each;
	unsigned int i;

	dma_fence_array_for_each(each, i, fence)
		if (each->context != context)
			return false;
	return true;
}
EXPORT_SYMBOL(dma_fence_match_context);

/**
 * dma_fence_array_first - start visiting the members of an array
 * @head: an array, or any other fence
 *
 * Return: the first member of the array @head, @head itself when it is not
 * an array, or NULL for an empty array or a NULL @head.
 */
struct dma_fence *dma_fence_array_first(struct dma_fence *head)
{
	if (head && !dma_fence_is_array(head))
		return head;
	return dma_fence_array_next(head, 0);
}
EXPORT_SYMBOL(dma_fence_array_first);

/**
 * dma_fence_array_next - the member of an array at an index
 * @head: an array, or any other fence
 * @index: which member
 *
 * Return: member @index of the array @head, or NULL past the end or when
 * @head is not an array.
 */
struct dma_fence *dma_fence_array_next(struct dma_fence *head,
				       unsigned int index)
{
	struct dma_fence_array *array = to_dma_fence_array(head);

	return array && index < array->num_fences ? array->fences[index] :
						    NULL;
}
EXPORT_SYMBOL(dma_fence_array_next);
