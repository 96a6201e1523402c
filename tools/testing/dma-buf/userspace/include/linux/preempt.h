/* SPDX-License-Identifier: GPL-2.0-only */
/* The atomic sections live in the shim's spinlock.h. */
#include <linux/spinlock.h>
