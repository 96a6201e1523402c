// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fence chains: timelines built from fences.
 *
 * A link signals when its own fence and all links before it have.  Links
 * hold a reference to their predecessor through an __rcu pointer, so a
 * timeline is a singly linked list from the newest point back.  Walking it
 * (dma_fence_chain_walk()) also collects garbage: a predecessor whose fence
 * has signaled is cut out by pointing past it with cmpxchg, so walks stay
 * short on a timeline that keeps signaling.
 *
 * Nothing in here recurses along the chain: signaling waits on one fence at
 * a time from an irq_work, and release frees a long tail of links that
 * nobody else holds in a loop.
 */

#include <linux/dma-fence-chain.h>
#include <linux/export.h>

/**
 * dma_fence_chain_walk - step to the previous unsignaled link
 * @fence: the current position, a reference the walk consumes
 *
 * Unlinks every predecessor of @fence whose own fence has signaled, then
 * returns the first one that has not.
 *
 * Context: any; takes no locks of its own.
 * Return: a reference to the previous unsignaled link (or the plain fence
 * the chain started from), or NULL when nothing earlier is pending or
 * @fence is not a chain link.
 */
struct dma_fence *dma_fence_chain_walk(struct dma_fence *fence)
{
	struct dma_fence_chain *chain = to_dma_fence_chain(fence);
	struct dma_fence *prev = NULL;

	/* One read-side section per predecessor looked at. */
	while (chain) {
		struct dma_fence_chain *gone;
		struct dma_fence *skip, *was;

		rcu_read_lock();
		prev = dma_fence_get_rcu_safe(&chain->prev);
		if (!prev ||
		    !dma_fence_is_signaled(dma_fence_chain_contained(prev))) {
			rcu_read_unlock();
			break;
		}
		gone = to_dma_fence_chain(prev);
		skip = gone ? dma_fence_get_rcu_safe(&gone->prev) : NULL;
		rcu_read_unlock();

		/* Our reference to skip moves into chain->prev if we win. */
		was = unrcu_pointer(cmpxchg(&chain->prev, RCU_INITIALIZER(prev),
					    RCU_INITIALIZER(skip)));
		dma_fence_put(was == prev ? prev : skip);
		dma_fence_put(prev);
	}
	dma_fence_put(fence);
	return prev;
}
EXPORT_SYMBOL(dma_fence_chain_walk);

/*
 * The lookup of dma_fence_chain_find_seqno() without a reference taken and
 * dropped per link: the walk runs under RCU, which keeps every link it
 * reaches in memory, and unlinks nothing.  It visits the links the
 * reference-counted walk would (the head, then each earlier link whose
 * fence is pending).  A link freed under it may have lost its prev
 * pointer, so an answer of "nothing pending" is not trusted; nor is a link
 * found that is being freed.  NULL then, and the caller walks the slow way.
 * The link found holds a reference of its own, except when it is @head.
 */
static struct dma_fence *find_seqno_rcu(struct dma_fence *head, u64 seqno)
{
	struct dma_fence *link = head, *found = NULL;
	struct dma_fence_chain *here;

	rcu_read_lock();
	while (link) {
		here = to_dma_fence_chain(link);
		if (!here || link->context != head->context ||
		    here->prev_seqno < seqno) {
			/* The head is the caller's, and so is its reference. */
			found = link == head ? head : dma_fence_get_rcu(link);
			break;
		}
		link = rcu_dereference(here->prev);
		while (link &&
		       dma_fence_is_signaled(dma_fence_chain_contained(link))) {
			here = to_dma_fence_chain(link);
			link = here ? rcu_dereference(here->prev) : NULL;
		}
	}
	rcu_read_unlock();
	return found;
}

/**
 * dma_fence_chain_find_seqno - find the link that covers a point
 * @pfence: in: a reference to a chain link; out: a reference to the link
 *	whose range (prev_seqno, seqno] contains @seqno, or NULL when that
 *	point has signaled already
 * @seqno: the point to look for; 0 leaves @pfence alone
 *
 * Context: any; takes no locks of its own.
 * Return: 0, or -EINVAL (and @pfence untouched) when @pfence is not a chain
 * link or @seqno lies beyond it.
 */
int dma_fence_chain_find_seqno(struct dma_fence **pfence, uint64_t seqno)
{
	struct dma_fence *head = *pfence, *link;
	struct dma_fence_chain *chain = to_dma_fence_chain(head);

	if (!seqno)
		return 0;
	if (!chain || chain->base.seqno < seqno)
		return -EINVAL;

	link = find_seqno_rcu(head, seqno);
	if (link == head)
		return 0;
	if (!link) {
		dma_fence_chain_for_each(link, head) {
			struct dma_fence_chain *here = to_dma_fence_chain(link);

			/* Stop at the link whose predecessor is below @seqno. */
			if (!here || link->context != head->context ||
			    here->prev_seqno < seqno)
				break;
		}
	}
	dma_fence_put(head);
	*pfence = link;
	return 0;
}
EXPORT_SYMBOL(dma_fence_chain_find_seqno);

static const char *chain_driver_name(struct dma_fence *fence)
{
	return "dma_fence_chain";
}

static const char *chain_timeline_name(struct dma_fence *fence)
{
	return "unbound";
}

static void chain_fence_signaled(struct dma_fence *f, struct dma_fence_cb *cb);

/*
 * Queue the link's callback on the first fence still pending along the
 * chain from @head back.  Holds a reference to @head while armed.  Returns
 * false when nothing is pending any more.
 */
static bool chain_arm(struct dma_fence_chain *head)
{
	struct dma_fence *link;

	dma_fence_get(&head->base);
	dma_fence_chain_for_each(link, &head->base) {
		struct dma_fence *f = dma_fence_get(dma_fence_chain_contained(link));

		if (!dma_fence_add_callback(f, &head->cb, chain_fence_signaled)) {
			dma_fence_put(link);
			return true;	/* f's reference goes with the callback */
		}
		dma_fence_put(f);
	}
	dma_fence_put(&head->base);
	return false;
}

static void chain_rearm(struct irq_work *work)
{
	struct dma_fence_chain *chain =
		container_of(work, struct dma_fence_chain, work);

	if (!chain_arm(chain))
		dma_fence_signal(&chain->base);
	dma_fence_put(&chain->base);	/* the armed callback's */
}

static void chain_fence_signaled(struct dma_fence *f, struct dma_fence_cb *cb)
{
	struct dma_fence_chain *chain =
		container_of(cb, struct dma_fence_chain, cb);

	/* The callback is done with its storage: reuse it for the work. */
	init_irq_work(&chain->work, chain_rearm);
	irq_work_queue(&chain->work);
	dma_fence_put(f);
}

static bool chain_enable_signaling(struct dma_fence *fence)
{
	return chain_arm(to_dma_fence_chain(fence));
}

static bool chain_signaled(struct dma_fence *fence)
{
	struct dma_fence *link;

	dma_fence_chain_for_each(link, fence) {
		if (!dma_fence_is_signaled(dma_fence_chain_contained(link))) {
			dma_fence_put(link);
			return false;
		}
	}
	return true;
}

static void chain_release(struct dma_fence *fence)
{
	struct dma_fence_chain *chain = to_dma_fence_chain(fence);
	struct dma_fence *prev = rcu_dereference_protected(chain->prev, true);
	struct dma_fence_chain *p;

	/*
	 * Putting prev could free it, and its prev, and so on: one nested
	 * release per link.  While ours is the only reference to prev, nobody
	 * else can walk it, so take its own prev over first; the put then
	 * frees a single link.
	 */
	while ((p = to_dma_fence_chain(prev)) &&
	       kref_read(&prev->refcount) == 1) {
		struct dma_fence *older = rcu_dereference_protected(p->prev,
								     true);

		RCU_INIT_POINTER(p->prev, NULL);
		dma_fence_put(prev);
		prev = older;
	}
	dma_fence_put(prev);
	dma_fence_put(chain->fence);
	dma_fence_free(fence);
}

const struct dma_fence_ops dma_fence_chain_ops = {
	.use_64bit_seqno = true,
	.get_driver_name = chain_driver_name,
	.get_timeline_name = chain_timeline_name,
	.enable_signaling = chain_enable_signaling,
	.signaled = chain_signaled,
	.release = chain_release,
};
EXPORT_SYMBOL(dma_fence_chain_ops);

/**
 * dma_fence_chain_init - make a new point on a timeline
 * @chain: memory from dma_fence_chain_alloc()
 * @prev: the previous point (a link or any fence), or NULL; the link takes
 *	over the caller's reference
 * @fence: the fence this point waits for, not a chain link; the link takes
 *	over the caller's reference
 * @seqno: the point's value
 *
 * When @prev is a link and @seqno comes after it, the new link continues
 * @prev's context.  Otherwise it starts a new context, and its seqno is
 * raised to @prev's if that is larger, so seqnos never go backwards.
 *
 * Context: any.
 */
void dma_fence_chain_init(struct dma_fence_chain *chain, struct dma_fence *prev,
			  struct dma_fence *fence, uint64_t seqno)
{
	bool after_link = prev && dma_fence_is_chain(prev);
	bool extends = after_link &&
		       __dma_fence_is_later(seqno, prev->seqno, prev->ops);
	u64 context = extends ? prev->context : dma_fence_context_alloc(1);

	/* Nest links through prev only; nested timelines need an array. */
	WARN_ON(dma_fence_is_chain(fence));

	if (after_link && !extends)
		seqno = max(seqno, prev->seqno);

	spin_lock_init(&chain->lock);
	RCU_INIT_POINTER(chain->prev, prev);
	chain->prev_seqno = extends ? prev->seqno : 0;
	chain->fence = fence;
	dma_fence_init(&chain->base, &dma_fence_chain_ops, &chain->lock,
		       context, seqno);
}
EXPORT_SYMBOL(dma_fence_chain_init);
