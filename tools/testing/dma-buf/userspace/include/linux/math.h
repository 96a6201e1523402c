/* SPDX-License-Identifier: GPL-2.0-only */
/* Rounding helpers live in the shim's kernel.h. */
#include <linux/kernel.h>
