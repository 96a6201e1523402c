/* SPDX-License-Identifier: GPL-2.0-only */
/* sort() on qsort(); a custom swap function is not supported. */
#ifndef SHIM_LINUX_SORT_H
#define SHIM_LINUX_SORT_H

#include <linux/kernel.h>

static inline void sort(void *base, size_t num, size_t size,
			int (*cmp)(const void *a, const void *b),
			void (*swap_func)(void *a, void *b, int size))
{
	BUG_ON(swap_func);
	qsort(base, num, size, cmp);
}

#endif /* SHIM_LINUX_SORT_H */
