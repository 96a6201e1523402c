// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite for heap registration: a heap's name and private data come
 * back from the accessors, a second heap of the same name is refused, and
 * so is a heap without a name or an allocate operation.
 *
 * Heaps cannot be removed, so the suite registers one heap, named so that
 * it cannot clash, once per boot.
 */

#include <kunit/test.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/err.h>

static struct dma_buf *kunit_heap_allocate(struct dma_heap *heap,
					   unsigned long len,
					   unsigned long fd_flags,
					   unsigned long heap_flags)
{
	return ERR_PTR(-ENODEV);
}

static const struct dma_heap_ops kunit_heap_ops = {
	.allocate = kunit_heap_allocate,
};

static int kunit_heap_priv;
static struct dma_heap *kunit_heap;

static struct dma_heap *add_heap(const char *name,
				 const struct dma_heap_ops *ops)
{
	struct dma_heap_export_info info = {
		.name = name, .ops = ops, .priv = &kunit_heap_priv,
	};

	return dma_heap_add(&info);
}

static int dma_heap_suite_init(struct kunit_suite *suite)
{
	kunit_heap = add_heap("kunit-test-heap", &kunit_heap_ops);
	return PTR_ERR_OR_ZERO(kunit_heap);
}

static void dma_heap_accessors(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, "kunit-test-heap",
			   dma_heap_get_name(kunit_heap));
	KUNIT_EXPECT_PTR_EQ(test, &kunit_heap_priv,
			    dma_heap_get_drvdata(kunit_heap));
}

static void dma_heap_add_refuses_a_taken_name(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, -EINVAL,
			PTR_ERR(add_heap("kunit-test-heap", &kunit_heap_ops)));
	/* Names registered by the heaps proper are taken too. */
	if (IS_ENABLED(CONFIG_DMABUF_HEAPS_SYSTEM))
		KUNIT_EXPECT_EQ(test, -EINVAL,
				PTR_ERR(add_heap("system", &kunit_heap_ops)));
}

static void dma_heap_add_refuses_incomplete_heaps(struct kunit *test)
{
	static const struct dma_heap_ops no_allocate;

	KUNIT_EXPECT_EQ(test, -EINVAL,
			PTR_ERR(add_heap(NULL, &kunit_heap_ops)));
	KUNIT_EXPECT_EQ(test, -EINVAL, PTR_ERR(add_heap("", &kunit_heap_ops)));
	KUNIT_EXPECT_EQ(test, -EINVAL, PTR_ERR(add_heap("kunit-no-ops", NULL)));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			PTR_ERR(add_heap("kunit-no-alloc", &no_allocate)));
}

static struct kunit_case dma_heap_cases[] = {
	KUNIT_CASE(dma_heap_accessors),
	KUNIT_CASE(dma_heap_add_refuses_a_taken_name),
	KUNIT_CASE(dma_heap_add_refuses_incomplete_heaps),
	{}
};

static struct kunit_suite dma_heap_suite = {
	.name = "dma-heap",
	.suite_init = dma_heap_suite_init,
	.test_cases = dma_heap_cases,
};

kunit_test_suite(dma_heap_suite);

MODULE_DESCRIPTION("KUnit tests for dma-buf heap registration");
MODULE_LICENSE("GPL");
