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

#include <kunit/test.h>
#include <linux/printk.h>

/*
 * The lines read "<EXPECT_WARN_MARK>begin NAME" and "...end NAME".  The
 * readers that follow them match this text: results.py's EXPECT and the
 * userspace runner's on_printk().
 */
#define EXPECT_WARN_MARK "dmabuf-test: expect WARNING "

static inline void expect_warn_mark(const char *edge, const char *name)
{
	pr_info(EXPECT_WARN_MARK "%s %s\n", edge, name);
}

#define EXPECT_WARN_BEGIN(name) expect_warn_mark("begin", name)
#define EXPECT_WARN_END(name) expect_warn_mark("end", name)

/*
 * A case that opens such a region warns on purpose, which a kernel booted
 * with panic_on_warn does not survive.  It runs only with
 * CONFIG_DMABUF_KUNIT_WARN_TESTS and is skipped otherwise, so that such a
 * kernel still runs every other case.  The userspace build counts its
 * warnings per case and always runs it.
 */
static inline void expect_warn_require(struct kunit *test)
{
#ifndef DMA_BUF_USERSPACE_SHIM
	if (!IS_ENABLED(CONFIG_DMABUF_KUNIT_WARN_TESTS))
		kunit_skip(test,
			   "warns on purpose: needs CONFIG_DMABUF_KUNIT_WARN_TESTS");
#endif
}

/*
 * DEFINE_EXPECT_WARN_CASE(fn) after the case's function, and
 * EXPECT_WARN_CASE(fn) in the suite's table instead of KUNIT_CASE(fn):
 * the case keeps its name and is skipped, before it sets anything up,
 * unless the cases that warn are asked for.  A case that warns only in
 * some configurations says which with DEFINE_EXPECT_WARN_CASE_IF(fn, cond).
 */
#define DEFINE_EXPECT_WARN_CASE_IF(fn, cond)				\
	static void fn##_if_warnings_allowed(struct kunit *test)	\
	{								\
		if (cond)						\
			expect_warn_require(test);			\
		fn(test);						\
	}
#define DEFINE_EXPECT_WARN_CASE(fn) DEFINE_EXPECT_WARN_CASE_IF(fn, true)
#define EXPECT_WARN_CASE(fn)						\
	{ .run_case = fn##_if_warnings_allowed, .name = #fn }

#endif /* DMA_BUF_TESTS_EXPECT_WARN_H */
