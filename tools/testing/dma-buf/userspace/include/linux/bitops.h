/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bit operations on unsigned long words; the non-__ ones are atomic.
 * Reads acquire and writes release, more than the kernel promises and
 * free on x86, so that ThreadSanitizer sees the orderings the kernel gets
 * from its explicit barriers.
 */
#ifndef SHIM_LINUX_BITOPS_H
#define SHIM_LINUX_BITOPS_H

#include <linux/kernel.h>

#define BIT(nr) (1UL << (nr))

static inline bool test_bit(unsigned int nr, const unsigned long *addr)
{
	return (__atomic_load_n(addr, __ATOMIC_ACQUIRE) >> nr) & 1;
}

static inline void set_bit(unsigned int nr, unsigned long *addr)
{
	__atomic_fetch_or(addr, BIT(nr), __ATOMIC_RELEASE);
}

static inline void clear_bit(unsigned int nr, unsigned long *addr)
{
	__atomic_fetch_and(addr, ~BIT(nr), __ATOMIC_RELEASE);
}

/* The test_and_ operations are full barriers, as in the kernel. */
static inline bool test_and_set_bit(unsigned int nr, unsigned long *addr)
{
	return (__atomic_fetch_or(addr, BIT(nr), __ATOMIC_SEQ_CST) >> nr) & 1;
}

static inline bool test_and_clear_bit(unsigned int nr, unsigned long *addr)
{
	return (__atomic_fetch_and(addr, ~BIT(nr), __ATOMIC_SEQ_CST) >> nr) & 1;
}

static inline void __set_bit(unsigned int nr, unsigned long *addr)
{
	*addr |= BIT(nr);
}

static inline void __clear_bit(unsigned int nr, unsigned long *addr)
{
	*addr &= ~BIT(nr);
}

#endif /* SHIM_LINUX_BITOPS_H */
