/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The shim's basics declare all of it.  tools/include's headers include
 * this too, and must get the shim's READ_ONCE(), which ThreadSanitizer
 * sees, not tools/include's volatile one.
 */
#include <linux/kernel.h>
