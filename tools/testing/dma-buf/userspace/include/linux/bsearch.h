/* SPDX-License-Identifier: GPL-2.0-only */
/* The kernel's bsearch() has the C library's signature. */
#ifndef SHIM_LINUX_BSEARCH_H
#define SHIM_LINUX_BSEARCH_H

#include <linux/kernel.h>

#endif /* SHIM_LINUX_BSEARCH_H */
