/* SPDX-License-Identifier: GPL-2.0-only */
/* Everything it declares comes with the shim's basics. */
#include <linux/kernel.h>
