/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The subset of the KUnit API our suites use, so that the same test files
 * build into the userspace runner (runner.c).  Each case runs on a thread
 * of its own; a failed assertion ends that thread.  Results are printed
 * in KTAP like the kernel's, one "ok"/"not ok" line per case.
 */
#ifndef SHIM_KUNIT_TEST_H
#define SHIM_KUNIT_TEST_H

#include <linux/kernel.h>
#include <linux/slab.h>

struct kunit;

/**
 * struct kunit_case - one test case
 * @run_case: the test
 * @name: its name
 */
struct kunit_case {
	void (*run_case)(struct kunit *test);
	const char *name;
};

/**
 * struct kunit_suite - a named set of cases
 * @name: the suite's name
 * @test_cases: the cases, ended by an empty entry
 */
struct kunit_suite {
	const char *name;
	struct kunit_case *test_cases;
};

/**
 * struct kunit - the state of the running case
 * @name: the case's name
 * @failed: an expectation or assertion failed
 * @skipped: the case skipped itself
 * @allocs: memory from kunit_kmalloc() and friends, freed after the case
 * @num_allocs: entries in @allocs
 */
struct kunit {
	const char *name;
	bool failed;
	bool skipped;
	void **allocs;
	unsigned int num_allocs;
};

#define KUNIT_CASE(fn) { .run_case = fn, .name = #fn }

void shim_kunit_register(struct kunit_suite *suite);
#define kunit_test_suite(suite)						\
	static void __attribute__((constructor)) shim_register_##suite(void) \
	{								\
		shim_kunit_register(&(suite));				\
	}								\
	SHIM_FILE_SCOPE_NOP
#define kunit_test_suites(...) SHIM_FILE_SCOPE_NOP

void *kunit_kmalloc(struct kunit *test, size_t size, gfp_t gfp);
#define kunit_kzalloc(test, size, gfp) kunit_kmalloc(test, size, (gfp) | __GFP_ZERO)
#define kunit_kcalloc(test, n, size, gfp) \
	kunit_kzalloc(test, size_mul(n, size), gfp)
#define kunit_kmalloc_array(test, n, size, gfp) \
	kunit_kmalloc(test, size_mul(n, size), gfp)

__printf(2, 3) void kunit_info(struct kunit *test, const char *fmt, ...);
#define kunit_err kunit_info
#define kunit_warn kunit_info
__printf(2, 3) void kunit_skip(struct kunit *test, const char *fmt, ...)
	__attribute__((noreturn));
void kunit_fail(struct kunit *test, const char *file, int line,
		const char *what, const char *left, const char *right);
void kunit_abort(struct kunit *test) __attribute__((noreturn));

/* The values of a failed comparison: integers, enums or pointers. */
#define shim_kunit_str(buf, v) \
	snprintf(buf, sizeof(buf), "%lld", (long long)(uintptr_t)(v))

#define shim_kunit_binary(test, fatal, l, op, r) do {			\
	typeof(l) _l = (l);						\
	typeof(r) _r = (r);						\
	if (!(_l op _r)) {						\
		char _ls[32], _rs[32];					\
		shim_kunit_str(_ls, _l);				\
		shim_kunit_str(_rs, _r);				\
		kunit_fail(test, __FILE__, __LINE__, #l " " #op " " #r,	\
			   _ls, _rs);					\
		if (fatal)						\
			kunit_abort(test);				\
	}								\
} while (0)

#define shim_kunit_true(test, fatal, cond, text) do {			\
	if (!(cond)) {							\
		kunit_fail(test, __FILE__, __LINE__, text, NULL, NULL);	\
		if (fatal)						\
			kunit_abort(test);				\
	}								\
} while (0)

#define shim_kunit_str_eq(test, fatal, l, r) do {			\
	const char *_ls = (l), *_rs = (r);				\
	if (strcmp(_ls, _rs)) {						\
		kunit_fail(test, __FILE__, __LINE__, #l " == " #r, _ls, _rs); \
		if (fatal)						\
			kunit_abort(test);				\
	}								\
} while (0)

/* The _MSG forms print their message on failure, then the comparison. */
#define shim_kunit_binary_msg(test, l, op, r, fmt, ...) do {		\
	typeof(l) _lm = (l);						\
	typeof(r) _rm = (r);						\
	if (!(_lm op _rm))						\
		printf("    # " fmt "\n", ##__VA_ARGS__);		\
	shim_kunit_binary(test, false, _lm, op, _rm);			\
} while (0)

#define KUNIT_EXPECT_EQ(t, l, r) shim_kunit_binary(t, false, l, ==, r)
#define KUNIT_EXPECT_EQ_MSG(t, l, r, fmt, ...) \
	shim_kunit_binary_msg(t, l, ==, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_LT_MSG(t, l, r, fmt, ...) \
	shim_kunit_binary_msg(t, l, <, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NE(t, l, r) shim_kunit_binary(t, false, l, !=, r)
#define KUNIT_EXPECT_LT(t, l, r) shim_kunit_binary(t, false, l, <, r)
#define KUNIT_EXPECT_LE(t, l, r) shim_kunit_binary(t, false, l, <=, r)
#define KUNIT_EXPECT_GT(t, l, r) shim_kunit_binary(t, false, l, >, r)
#define KUNIT_EXPECT_GE(t, l, r) shim_kunit_binary(t, false, l, >=, r)
#define KUNIT_EXPECT_PTR_EQ(t, l, r) shim_kunit_binary(t, false, l, ==, r)
#define KUNIT_EXPECT_PTR_NE(t, l, r) shim_kunit_binary(t, false, l, !=, r)
#define KUNIT_EXPECT_TRUE(t, c) shim_kunit_true(t, false, c, #c)
#define KUNIT_EXPECT_FALSE(t, c) shim_kunit_true(t, false, !(c), "!(" #c ")")
#define KUNIT_EXPECT_NULL(t, p) shim_kunit_true(t, false, !(p), #p " == NULL")
#define KUNIT_EXPECT_NOT_NULL(t, p) shim_kunit_true(t, false, (p), #p " != NULL")
#define KUNIT_EXPECT_NOT_ERR_OR_NULL(t, p) \
	shim_kunit_true(t, false, !IS_ERR_OR_NULL(p), #p " is a pointer")
#define KUNIT_EXPECT_STREQ(t, l, r) shim_kunit_str_eq(t, false, l, r)

#define KUNIT_ASSERT_EQ(t, l, r) shim_kunit_binary(t, true, l, ==, r)
#define KUNIT_ASSERT_NE(t, l, r) shim_kunit_binary(t, true, l, !=, r)
#define KUNIT_ASSERT_LT(t, l, r) shim_kunit_binary(t, true, l, <, r)
#define KUNIT_ASSERT_LE(t, l, r) shim_kunit_binary(t, true, l, <=, r)
#define KUNIT_ASSERT_GT(t, l, r) shim_kunit_binary(t, true, l, >, r)
#define KUNIT_ASSERT_GE(t, l, r) shim_kunit_binary(t, true, l, >=, r)
#define KUNIT_ASSERT_PTR_EQ(t, l, r) shim_kunit_binary(t, true, l, ==, r)
#define KUNIT_ASSERT_TRUE(t, c) shim_kunit_true(t, true, c, #c)
#define KUNIT_ASSERT_FALSE(t, c) shim_kunit_true(t, true, !(c), "!(" #c ")")
#define KUNIT_ASSERT_NULL(t, p) shim_kunit_true(t, true, !(p), #p " == NULL")
#define KUNIT_ASSERT_NOT_NULL(t, p) shim_kunit_true(t, true, (p), #p " != NULL")
#define KUNIT_ASSERT_NOT_ERR_OR_NULL(t, p) \
	shim_kunit_true(t, true, !IS_ERR_OR_NULL(p), #p " is a pointer")
#define KUNIT_ASSERT_STREQ(t, l, r) shim_kunit_str_eq(t, true, l, r)

#endif /* SHIM_KUNIT_TEST_H */
