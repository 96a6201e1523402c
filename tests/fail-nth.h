/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Allocation failures on demand, after the kernel's fail-nth
 * (/proc/thread-self/fail-nth): fail_nth_arm(n) makes the n-th allocation
 * the calling task makes from then on fail, 1 being the next one, and
 * fail_nth_disarm() tells whether that allocation was reached.  A case
 * drives every allocation of an operation in turn with a loop over
 * n = 1, 2, ... that ends with the first run the failure did not reach.
 *
 * The userspace build's kmalloc() and friends count every allocation.  In
 * the kernel failslab counts them, and only with CONFIG_FAILSLAB; with
 * its default ignore-gfp-wait it neither counts nor fails an allocation
 * that may sleep.  A case says first, with fail_nth_require(), how the
 * operation it tests allocates: one that may sleep (GFP_KERNEL) then runs
 * in the userspace build only, one that cannot (GFP_ATOMIC, GFP_NOWAIT)
 * in both.
 */
#ifndef DMA_BUF_TESTS_FAIL_NTH_H
#define DMA_BUF_TESTS_FAIL_NTH_H

#include <kunit/test.h>
#include <linux/sched.h>

/* How the operation under test allocates. */
enum fail_nth_gfp {
	FAIL_NTH_SLEEPING,	/* may sleep: failed in the userspace build */
	FAIL_NTH_ATOMIC,	/* cannot sleep: failed in both builds */
};

/*
 * Skip the case where its allocations cannot be failed.  Called before the
 * case sets anything up, so that a skip leaves nothing behind.
 */
static inline void fail_nth_require(struct kunit *test, enum fail_nth_gfp gfp)
{
#ifndef DMA_BUF_USERSPACE_SHIM
	if (!IS_ENABLED(CONFIG_FAILSLAB))
		kunit_skip(test, "allocation failures need CONFIG_FAILSLAB");
	if (gfp == FAIL_NTH_SLEEPING)
		kunit_skip(test,
			   "failslab's ignore-gfp-wait leaves GFP_KERNEL allocations alone");
#endif
}

#if defined(DMA_BUF_USERSPACE_SHIM) || IS_ENABLED(CONFIG_FAILSLAB)
/* Make the @n-th allocation of this task from now on fail (@n > 0). */
static inline void fail_nth_arm(unsigned int n)
{
	current->fail_nth = n;
}

/* Stop failing; true when the armed allocation was reached, and failed. */
static inline bool fail_nth_disarm(void)
{
	bool reached = !current->fail_nth;

	current->fail_nth = 0;
	return reached;
}
#else
/* Not reached: fail_nth_require() skipped the case. */
static inline void fail_nth_arm(unsigned int n)
{
}

static inline bool fail_nth_disarm(void)
{
	return false;
}
#endif

#endif /* DMA_BUF_TESTS_FAIL_NTH_H */
