/* SPDX-License-Identifier: GPL-2.0-only */
/* vmalloc is kmalloc in the shim. */
#include <linux/slab.h>
