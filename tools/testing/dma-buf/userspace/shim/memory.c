// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stands in for the slab allocator: kmalloc() and friends on the C
 * library's allocator (or a sanitizer's), with a count of live
 * allocations for the runner's leak check and fail-nth fault injection.
 * Limits: no caches, and krealloc() always moves the block.
 */
#include <linux/slab.h>

#include <malloc.h>

#include "internal.h"

static long live_allocations;

long shim_live_allocations(void)
{
	return __atomic_load_n(&live_allocations, __ATOMIC_RELAXED);
}

/*
 * The kernel's fail-nth, for every allocation: a task whose fail_nth is
 * n > 0 counts it down at each allocation, and the one that brings it to
 * zero fails.  Threads without a task (none of the tests') never fail.
 */
static bool fail_this_allocation(void)
{
	struct task_struct *t = shim_this_task;

	if (likely(!t || !t->fail_nth))
		return false;
	return --t->fail_nth == 0;
}

void *kmalloc(size_t size, gfp_t gfp)
{
	void *p;

	might_sleep_if(gfp & GFP_KERNEL);
	if (!size)
		return ZERO_SIZE_PTR;
	if (size > KMALLOC_MAX_SIZE || fail_this_allocation())
		return NULL;
	p = gfp & __GFP_ZERO ? calloc(1, size) : malloc(size);
	if (p)
		__atomic_fetch_add(&live_allocations, 1, __ATOMIC_RELAXED);
	return p;
}

size_t ksize(const void *p)
{
	if ((uintptr_t)p <= (uintptr_t)ZERO_SIZE_PTR)
		return 0;
	return malloc_usable_size((void *)p);
}

void kfree(const void *p)
{
	if ((uintptr_t)p <= (uintptr_t)ZERO_SIZE_PTR)
		return;
	__atomic_fetch_sub(&live_allocations, 1, __ATOMIC_RELAXED);
	free((void *)p);
}

void *krealloc(const void *p, size_t size, gfp_t gfp)
{
	void *n;

	if ((uintptr_t)p <= (uintptr_t)ZERO_SIZE_PTR)
		return kmalloc(size, gfp);
	if (!size) {
		kfree(p);
		return ZERO_SIZE_PTR;
	}
	/*
	 * Always an allocation, unlike the kernel's (which keeps a block the
	 * new size still fits in): what fits depends on the allocator, ASan's
	 * or glibc's, and the n-th allocation must be the same in every build.
	 */
	if (size > KMALLOC_MAX_SIZE || fail_this_allocation())
		return NULL;
	n = realloc((void *)p, size);
	return n;
}
