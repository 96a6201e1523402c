/* SPDX-License-Identifier: GPL-2.0-only */
/* Memory management, as far as the shim has it. */
#include <linux/mm.h>
