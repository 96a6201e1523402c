/* SPDX-License-Identifier: GPL-2.0-only */
/* Time lives in the shim's sched.h. */
#include <linux/sched.h>
