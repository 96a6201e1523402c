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

#define EXPECT_WARN_BEGIN(name) \
	pr_info("dmabuf-test: expect WARNING begin %s\n", name)
#define EXPECT_WARN_END(name) \
	pr_info("dmabuf-test: expect WARNING end %s\n", name)

#endif /* DMA_BUF_TESTS_EXPECT_WARN_H */
