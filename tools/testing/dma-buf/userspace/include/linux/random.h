/* SPDX-License-Identifier: GPL-2.0-only */
/* Per-thread pseudo-random numbers; not for anything but tests. */
#ifndef SHIM_LINUX_RANDOM_H
#define SHIM_LINUX_RANDOM_H

#include <linux/kernel.h>

u32 get_random_u32(void);

static inline u32 get_random_u32_below(u32 ceil)
{
	return ceil ? (u32)(((u64)get_random_u32() * ceil) >> 32) : 0;
}

#define prandom_u32_max(ceil) get_random_u32_below(ceil)

#endif /* SHIM_LINUX_RANDOM_H */
