// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unwrapping and merging fences.
 *
 * The iterator visits a chain link by link (dma_fence_chain_walk(), which
 * skips and unlinks signaled links) and, inside each link, an array member
 * by member.  The merge goes further: it flattens any nesting, keeps only
 * unsignaled fences, sorts them by context with the latest point of each
 * context first, and keeps that one per context.  Sorting makes the result
 * exact whatever order the inputs come in, in O(n log n).  With nothing
 * pending it makes a signaled fence of its own that keeps the latest
 * signal time seen.
 */

#include <linux/dma-fence-array.h>
#include <linux/dma-fence-chain.h>
#include <linux/dma-fence-unwrap.h>
#include <linux/export.h>
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

/* Containers nested deeper than this are kept whole. */
#define MERGE_MAX_DEPTH 8

/* Raise *@latest to @fence's signal time; @fence has signaled. */
static void note_signal_time(struct dma_fence *fence, ktime_t *latest)
{
	ktime_t t = dma_fence_timestamp(fence);

	if (ktime_after(t, *latest))
		*latest = t;
}

/*
 * Visit the unsignaled leaves under the container @head.  Without @out,
 * count them; with it, store a reference to each while there is room and
 * return how many were stored.  Either way *@latest is raised to the signal
 * time of every signaled fence met.  What the iterator yields is a leaf
 * (as in 6.1); a container met there is descended into only while it is
 * pending, so a signaled one counts with its own signal time.
 */
static unsigned int collect(struct dma_fence *head, struct dma_fence **out,
			    unsigned int room, unsigned int depth,
			    ktime_t *latest)
{
	struct dma_fence_unwrap cursor;
	struct dma_fence *f;
	unsigned int n = 0;

	dma_fence_unwrap_for_each(f, &cursor, head) {
		if (dma_fence_is_signaled(f)) {
			note_signal_time(f, latest);
			continue;
		}
		if (dma_fence_is_container(f) && depth < MERGE_MAX_DEPTH) {
			n += collect(f, out ? out + n : NULL,
				     out ? room - n : 0, depth + 1, latest);
			continue;
		}
		if (!out)
			n++;
		else if (n < room)
			out[n++] = dma_fence_get(f);
	}
	return n;
}

static int by_context(const void *a, const void *b)
{
	u64 x = (*(struct dma_fence * const *)a)->context;
	u64 y = (*(struct dma_fence * const *)b)->context;

	return x < y ? -1 : x > y;
}

/*
 * Sort @n fences by context, unless they are already: inputs usually are
 * (plain fences of growing contexts, or arrays an earlier merge made).
 */
static void sort_by_context(struct dma_fence **f, unsigned int n)
{
	unsigned int i;

	for (i = 1; i < n; i++)
		if (f[i - 1]->context > f[i]->context)
			break;
	if (i < n)
		sort(f, n, sizeof(*f), by_context, NULL);
}

/*
 * Keep the latest fence of each context of the sorted @f, dropping the
 * references to the others.  Returns how many are left, at the front.
 */
static unsigned int latest_per_context(struct dma_fence **f, unsigned int n)
{
	unsigned int i, kept = 0;

	for (i = 0; i < n; i++) {
		struct dma_fence *last = kept ? f[kept - 1] : NULL;

		if (!last || last->context != f[i]->context) {
			f[kept++] = f[i];
		} else if (__dma_fence_is_later(f[i]->seqno, last->seqno,
						f[i]->ops)) {
			f[kept - 1] = f[i];
			dma_fence_put(last);
		} else {
			dma_fence_put(f[i]);
		}
	}
	return kept;
}

/**
 * __dma_fence_unwrap_merge - merge fences into one
 * @num_fences: number of entries in @fences
 * @fences: the fences to merge (NULL entries are skipped); the caller
 *	keeps its references
 * @cursors: scratch space of @num_fences cursors (unused by this
 *	implementation, which walks with its own)
 *
 * Flattens every array and chain in @fences, drops what has signaled and
 * keeps only the latest fence of each context.  When nothing is left
 * pending (also when there was nothing to merge) the result is a new
 * fence from dma_fence_allocate_private_stub(), signaled without error
 * at the latest signal time of the fences merged (0 if there was none),
 * so that a merged sync file still reports when its work completed.
 *
 * Context: process context, may sleep.
 * Return: a new reference to that signaled fence, to the single fence
 * left, or to a new array of what is left (signaled when all of it is);
 * NULL when out of memory.
 */
struct dma_fence *__dma_fence_unwrap_merge(unsigned int num_fences,
					   struct dma_fence **fences,
					   struct dma_fence_unwrap *cursors)
{
	struct dma_fence_array *array;
	struct dma_fence **leaves;
	unsigned int count = 0, kept = 0, i;
	ktime_t latest = 0;

	/* Plain fences are their own leaf. */
	for (i = 0; i < num_fences; i++) {
		struct dma_fence *f = fences[i];

		if (!f)
			continue;
		if (dma_fence_is_container(f))
			count += collect(f, NULL, 0, 0, &latest);
		else if (dma_fence_is_signaled(f))
			note_signal_time(f, &latest);
		else
			count++;
	}
	if (!count)
		return dma_fence_allocate_private_stub(latest);

	leaves = kmalloc_array(count, sizeof(*leaves), GFP_KERNEL);
	if (!leaves)
		return NULL;
	/* Fences only ever signal, so the second pass finds no more. */
	for (i = 0; i < num_fences; i++) {
		struct dma_fence *f = fences[i];

		if (!f)
			continue;
		if (dma_fence_is_container(f))
			kept += collect(f, leaves + kept, count - kept, 0,
					&latest);
		else if (dma_fence_is_signaled(f))
			note_signal_time(f, &latest);
		else
			leaves[kept++] = dma_fence_get(f);
	}

	sort_by_context(leaves, kept);
	count = latest_per_context(leaves, kept);

	if (count <= 1) {
		struct dma_fence *only = count ? leaves[0] :
				dma_fence_allocate_private_stub(latest);

		kfree(leaves);
		return only;
	}
	array = dma_fence_array_create(count, leaves, dma_fence_context_alloc(1),
				       1, false);
	if (!array) {
		while (count--)
			dma_fence_put(leaves[count]);
		kfree(leaves);
		return NULL;
	}
	return &array->base;
}
EXPORT_SYMBOL_GPL(__dma_fence_unwrap_merge);
