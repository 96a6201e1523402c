/* SPDX-License-Identifier: GPL-2.0-only */
/* Powers of two and integer logarithms. */
#ifndef SHIM_LINUX_LOG2_H
#define SHIM_LINUX_LOG2_H

#include <linux/kernel.h>

static inline bool is_power_of_2(unsigned long n)
{
	return n && !(n & (n - 1));
}

/* Undefined for 0, as in the kernel. */
#define ilog2(n) ((int)(BITS_PER_LONG - 1 - __builtin_clzl((unsigned long)(n))))

static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	return n <= 1 ? 1 : 1UL << (ilog2(n - 1) + 1);
}

static inline unsigned long rounddown_pow_of_two(unsigned long n)
{
	return 1UL << ilog2(n);
}

/* The smallest order whose power of two is at least @n; 0 for 0 and 1. */
static inline int order_base_2(unsigned long n)
{
	return n <= 1 ? 0 : ilog2(n - 1) + 1;
}

#endif /* SHIM_LINUX_LOG2_H */
