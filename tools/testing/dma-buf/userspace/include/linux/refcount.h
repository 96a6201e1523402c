/* SPDX-License-Identifier: GPL-2.0-only */
/* refcount_t lives with kref in the shim. */
#include <linux/kref.h>
