/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Brackets for a test that provokes a documented WARN on purpose.
 *
 * The harness (tools/testing/dma-buf/results.py) fails a boot that prints
 * any WARNING, except inside a region opened and closed with these lines:
 * there the WARNING is required instead, and the region counts as its own
 * outcome, "warn:NAME".  NAME is one word, unique in the boot.
 */
#ifndef DMA_BUF_TESTS_EXPECT_WARN_H
#define DMA_BUF_TESTS_EXPECT_WARN_H

#include <linux/printk.h>

static inline void expect_warn_mark(const char *edge, const char *name)
{
	pr_info("dmabuf-test: expect WARNING %s %s\n", edge, name);
}

#define EXPECT_WARN_BEGIN(name) expect_warn_mark("begin", name)
#define EXPECT_WARN_END(name) expect_warn_mark("end", name)

#endif /* DMA_BUF_TESTS_EXPECT_WARN_H */
