// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unwrapping and merging fences.
 *
 * The iterator visits a chain link by link (dma_fence_chain_walk(), which
 * skips and unlinks signaled links) and, inside each link, an array member
 * by member; nothing deeper, so an array or a chain found there is visited
 * as one fence.  The merge takes what the iterator yields for each input,
 * keeps the unsignaled fences, sorts them by context with the latest point
 * of each context first, and keeps that one per context.  With nothing
 * pending it makes a signaled fence of its own that keeps the latest
 * signal time seen.
 */

#include <linux/dma-fence-array.h>
#include <linux/dma-fence-chain.h>
#include <linux/dma-fence-unwrap.h>
#include <linux/export.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/sort.h>

/* Start on the array (or plain fence) inside the current chain link. */
static struct dma_fence *enter_link(struct dma_fence_unwrap *cursor)
{
	cursor->index = 0;
	cursor->array = dma_fence_chain_contained(cursor->chain);
	return dma_fence_array_first(cursor->array);
}

/**
 * dma_fence_unwrap_first - start unwrapping a fence
 * @head: the fence to unwrap
 * @cursor: iteration state; holds a reference until the iteration ends
 *
 * Return: the first wrapped fence, or NULL.
 */
struct dma_fence *
dma_fence_unwrap_first(struct dma_fence *head, struct dma_fence_unwrap *cursor)
{
	cursor->chain = dma_fence_get(head);
	return enter_link(cursor);
}
EXPORT_SYMBOL_GPL(dma_fence_unwrap_first);

/**
 * dma_fence_unwrap_next - the next wrapped fence
 * @cursor: iteration state from dma_fence_unwrap_first()
 *
 * Return: the next wrapped fence, or NULL at the end (the cursor's
 * reference is dropped then).
 */
struct dma_fence *dma_fence_unwrap_next(struct dma_fence_unwrap *cursor)
{
	struct dma_fence *next;

	next = dma_fence_array_next(cursor->array, ++cursor->index);
	if (next)
		return next;
	cursor->chain = dma_fence_chain_walk(cursor->chain);
	return enter_link(cursor);
}
EXPORT_SYMBOL_GPL(dma_fence_unwrap_next);

/*
 * Walk what @count fences wrap, one level deep as the iterator goes, and
 * raise *@latest to the signal time of every signaled fence met.  Without
 * @out, return how many are pending; with it, also store a reference to
 * each of them there.  Fences only ever signal and containers only lose
 * links, so a second walk finds no more pending fences than the first.
 */
static unsigned int gather(unsigned int count, struct dma_fence **fences,
			   struct dma_fence **out, ktime_t *latest)
{
	struct dma_fence_unwrap cursor;
	unsigned int i, n = 0;
	struct dma_fence *f;
	ktime_t t;

	for (i = 0; i < count; i++) {
		dma_fence_unwrap_for_each(f, &cursor, fences[i]) {
			if (!dma_fence_is_signaled(f)) {
				if (out)
					out[n] = dma_fence_get(f);
				n++;
				continue;
			}
			t = dma_fence_timestamp(f);
			if (ktime_after(t, *latest))
				*latest = t;
		}
	}
	return n;
}

/*
 * Ascending context, and inside a context the latest point first.  Two
 * points neither of which is later than the other (equal, or half the
 * 32-bit range apart) compare equal, so which of them leads is sort()'s
 * choice, the same one for the same input every time.
 */
static int merge_order(const void *pa, const void *pb)
{
	struct dma_fence *a = *(struct dma_fence * const *)pa;
	struct dma_fence *b = *(struct dma_fence * const *)pb;

	if (a->context != b->context)
		return a->context < b->context ? -1 : 1;
	if (__dma_fence_is_later(b->seqno, a->seqno, b->ops))
		return 1;
	return __dma_fence_is_later(a->seqno, b->seqno, a->ops) ? -1 : 0;
}

/**
 * __dma_fence_unwrap_merge - merge fences into one
 * @num_fences: number of entries in @fences
 * @fences: the fences to merge (NULL entries are skipped); the caller
 *	keeps its references
 * @cursors: scratch space of @num_fences cursors (unused by this
 *	implementation, which walks with its own)
 *
 * Unwraps each of @fences one level, as dma_fence_unwrap_for_each() does:
 * a chain's links and an array's members are looked at, while an array or
 * a chain found inside them is one fence, kept whole.  Of what is found,
 * signaled fences are dropped and only the latest fence of each context is
 * kept.  When nothing is left pending (also when there was nothing to
 * merge) the result is a new fence from dma_fence_allocate_private_stub(),
 * signaled without error at the latest signal time of the fences met (0
 * if there was none), so that a merged sync file still reports when its
 * work completed.
 *
 * Context: process context, may sleep.
 * Return: a new reference to that signaled fence, to the single fence
 * left, or to a new array of what is left ordered by context; NULL when
 * out of memory.
 */
struct dma_fence *__dma_fence_unwrap_merge(unsigned int num_fences,
					   struct dma_fence **fences,
					   struct dma_fence_unwrap *cursors)
{
	struct dma_fence_array *array;
	struct dma_fence **pending, *result;
	unsigned int count, kept, i;
	ktime_t latest = 0;

	count = gather(num_fences, fences, NULL, &latest);
	if (!count)
		return dma_fence_allocate_private_stub(latest);

	pending = kmalloc_array(count, sizeof(*pending), GFP_KERNEL);
	if (!pending)
		return NULL;
	count = gather(num_fences, fences, pending, &latest);

	sort(pending, count, sizeof(*pending), merge_order, NULL);
	/* The first of each context's run is its latest point. */
	for (i = 0, kept = 0; i < count; i++) {
		if (kept && pending[i]->context == pending[kept - 1]->context)
			dma_fence_put(pending[i]);
		else
			pending[kept++] = pending[i];
	}
	count = kept;

	if (count > 1) {
		array = dma_fence_array_create(count, pending,
					       dma_fence_context_alloc(1),
					       1, false);
		if (array)
			return &array->base;
		while (count)
			dma_fence_put(pending[--count]);
		result = NULL;
	} else {
		result = count ? pending[0] :
			 dma_fence_allocate_private_stub(latest);
	}
	kfree(pending);
	return result;
}
EXPORT_SYMBOL_GPL(__dma_fence_unwrap_merge);
