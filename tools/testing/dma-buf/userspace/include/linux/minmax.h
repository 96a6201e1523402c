/* SPDX-License-Identifier: GPL-2.0-only */
/* min(), max() and friends live in the shim's kernel.h. */
#include <linux/kernel.h>
