/* SPDX-License-Identifier: GPL-2.0-only */
/* The kernel's stddef.h additions. */
#include_next <linux/stddef.h>
#include <linux/kernel.h>
