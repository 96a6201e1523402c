/* SPDX-License-Identifier: GPL-2.0-only */
/* Sleeping, signals and the clock live in the shim's sched.h. */
#include <linux/sched.h>
