/* SPDX-License-Identifier: GPL-2.0-only */
/* Size arithmetic that saturates at SIZE_MAX instead of wrapping. */
#ifndef SHIM_LINUX_OVERFLOW_H
#define SHIM_LINUX_OVERFLOW_H

#include <linux/kernel.h>

#define check_add_overflow(a, b, d) __builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d) __builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d) __builtin_mul_overflow(a, b, d)

static inline size_t size_add(size_t a, size_t b)
{
	size_t sum;

	return check_add_overflow(a, b, &sum) ? SIZE_MAX : sum;
}

static inline size_t size_mul(size_t a, size_t b)
{
	size_t prod;

	return check_mul_overflow(a, b, &prod) ? SIZE_MAX : prod;
}

static inline size_t size_sub(size_t a, size_t b)
{
	size_t diff;

	return a == SIZE_MAX || b == SIZE_MAX ||
	       check_sub_overflow(a, b, &diff) ? SIZE_MAX : diff;
}

#define array_size(n, size) size_mul(n, size)
#define array3_size(a, b, c) size_mul(size_mul(a, b), c)
#define flex_array_size(p, member, n) size_mul(n, sizeof(*(p)->member))
#define struct_size(p, member, n) \
	size_add(sizeof(*(p)), flex_array_size(p, member, n))

#endif /* SHIM_LINUX_OVERFLOW_H */
