// SPDX-License-Identifier: GPL-2.0-only
/*
 * The userspace KUnit runner: runs the suites that registered themselves
 * (the tests/ files built against the shim) and prints KTAP like the
 * kernel.  A case fails on a failed expectation, on a WARNING outside an
 * expect-warn region (tests/expect-warn.h) or a region without one, on a
 * sanitizer or valgrind report while it ran, and on memory it leaked (the
 * kmalloc()s it left live once irq_work and RCU callbacks have settled).
 *
 * Usage: runner [NAME=VALUE...] [GLOB...]
 *   NAME=VALUE sets a module parameter (long_chain_links=50000);
 *   GLOB selects suites or cases by "suite" or "suite.case" (fnmatch).
 */
#define _GNU_SOURCE
#include <kunit/test.h>
#include <linux/irq_work.h>
#include <linux/sched.h>

#include <fnmatch.h>
#include <pthread.h>
#include <stdarg.h>
#ifdef SHIM_HAVE_VALGRIND
#include <valgrind/valgrind.h>
#define errors_so_far() VALGRIND_COUNT_ERRORS
#else
#define errors_so_far() 0
#endif

#include "shim.h"
#include "../../../../tests/expect-warn.h"

#define MAX_SUITES 32
#define MAX_PARAMS 16

static struct kunit_suite *suites[MAX_SUITES];
static unsigned int num_suites;

static struct {
	const char *name;
	unsigned int *value;
} params[MAX_PARAMS];
static unsigned int num_params;

/* What happened while the current case ran; updated from any thread. */
static int warnings_outside, warnings_inside, sanitizer_reports;
static char region[64];		/* open expect-warn region, under lock */
static char region_error[160];
static pthread_mutex_t region_lock = PTHREAD_MUTEX_INITIALIZER;

void shim_kunit_register(struct kunit_suite *suite)
{
	if (num_suites == MAX_SUITES)
		shim_bug(__FILE__, __LINE__, "too many suites");
	suites[num_suites++] = suite;
}

void shim_param_register(const char *name, unsigned int *value)
{
	if (num_params == MAX_PARAMS)
		shim_bug(__FILE__, __LINE__, "too many parameters");
	params[num_params].name = name;
	params[num_params++].value = value;
}

/* Sanitizers call this for every report they print. */
void __sanitizer_report_error_summary(const char *summary);
void __sanitizer_report_error_summary(const char *summary)
{
	__atomic_fetch_add(&sanitizer_reports, 1, __ATOMIC_RELAXED);
}

static void on_warn(void)
{
	pthread_mutex_lock(&region_lock);
	if (region[0])
		warnings_inside++;
	else
		warnings_outside++;
	pthread_mutex_unlock(&region_lock);
}

/* Follows the expect-warn markers (tests/expect-warn.h). */
static void on_printk(const char *line)
{
	static const char mark[] = EXPECT_WARN_MARK;
	char edge[8], name[64];

	line = strstr(line, mark);
	if (!line || sscanf(line + strlen(mark), "%7s %63s", edge, name) != 2)
		return;
	pthread_mutex_lock(&region_lock);
	if (!strcmp(edge, "begin")) {
		if (region[0])
			snprintf(region_error, sizeof(region_error),
				 "region %s opened inside %s", name, region);
		snprintf(region, sizeof(region), "%s", name);
		warnings_inside = 0;
	} else {
		if (strcmp(region, name))
			snprintf(region_error, sizeof(region_error),
				 "region %s closed, %s was open", name, region);
		else if (!warnings_inside)
			snprintf(region_error, sizeof(region_error),
				 "no WARNING inside region %s", name);
		region[0] = '\0';
	}
	pthread_mutex_unlock(&region_lock);
}

void *kunit_kmalloc(struct kunit *test, size_t size, gfp_t gfp)
{
	void **allocs, *p;

	allocs = realloc(test->allocs, (test->num_allocs + 1) * sizeof(*allocs));
	if (!allocs)
		return NULL;
	test->allocs = allocs;
	p = kmalloc(size, gfp);
	if (p)
		test->allocs[test->num_allocs++] = p;
	return p;
}

/* A KTAP diagnostic line of @test's: "# name: " @what, then the message. */
static void vnote(struct kunit *test, const char *what, const char *fmt,
		  va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	pr_info("    # %s: %s%s", test->name, what, line);
}

void kunit_info(struct kunit *test, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(test, "", fmt, ap);
	va_end(ap);
}

void kunit_abort(struct kunit *test)
{
	pthread_exit(NULL);
}

void kunit_skip(struct kunit *test, const char *fmt, ...)
{
	va_list ap;

	test->skipped = true;
	va_start(ap, fmt);
	vnote(test, "skipped: ", fmt, ap);
	va_end(ap);
	kunit_abort(test);
}

void kunit_fail(struct kunit *test, const char *file, int line,
		const char *what, const char *left, const char *right)
{
	test->failed = true;
	pr_info("    # %s: EXPECTATION FAILED at %s:%d\n", test->name, file, line);
	if (left && right)
		pr_info("    Expected %s, but\n        left == %s\n        right == %s\n",
			what, left, right);
	else
		pr_info("    Expected %s\n", what);
}

struct case_run {
	struct kunit_case *kcase;
	struct kunit test;
};

static void case_thread(void *arg)
{
	struct case_run *run = arg;

	run->kcase->run_case(&run->test);
}

/* Does a GLOB argument pick "suite" or "suite.case"?  None picks all. */
static bool case_selected(int argc, char **argv, const char *suite,
			  const char *kcase)
{
	char full[256];
	bool any = false;
	int i;

	snprintf(full, sizeof(full), "%s.%s", suite, kcase);
	for (i = 1; i < argc; i++) {
		if (strchr(argv[i], '='))
			continue;
		any = true;
		if (!fnmatch(argv[i], suite, 0) || !fnmatch(argv[i], full, 0))
			return true;
	}
	return !any;
}

static unsigned int suite_plan(int argc, char **argv,
			       struct kunit_suite *suite)
{
	struct kunit_case *kcase;
	unsigned int n = 0;

	for (kcase = suite->test_cases; kcase->run_case; kcase++)
		n += case_selected(argc, argv, suite->name, kcase->name);
	return n;
}

/* Runs one case; returns 0 passed, 1 failed, 2 skipped. */
static int run_case(struct kunit_case *kcase)
{
	struct case_run run = { .kcase = kcase, .test = { .name = kcase->name } };
	long live = shim_live_allocations();
	unsigned int errors = errors_so_far();
	u64 start = shim_now_ns();
	bool failed;
	unsigned int i;

	warnings_outside = 0;
	region_error[0] = '\0';
	__atomic_store_n(&sanitizer_reports, 0, __ATOMIC_RELAXED);

	shim_run_on_thread(kcase->name, case_thread, &run);
	for (i = 0; i < run.test.num_allocs; i++)
		kfree(run.test.allocs[i]);
	free(run.test.allocs);
	shim_irq_work_flush_all();
	rcu_barrier();
	shim_irq_work_flush_all();
	rcu_barrier();

	failed = run.test.failed;
	pthread_mutex_lock(&region_lock);
	if (warnings_outside) {
		pr_info("    # %s: %d unexpected WARNING(s)\n", kcase->name,
			warnings_outside);
		failed = true;
	}
	if (region[0]) {
		pr_info("    # %s: region %s never closed\n", kcase->name, region);
		region[0] = '\0';
		failed = true;
	}
	if (region_error[0]) {
		pr_info("    # %s: %s\n", kcase->name, region_error);
		failed = true;
	}
	pthread_mutex_unlock(&region_lock);
	if (__atomic_load_n(&sanitizer_reports, __ATOMIC_RELAXED) ||
	    errors_so_far() != errors) {
		pr_info("    # %s: sanitizer or valgrind reports\n", kcase->name);
		failed = true;
	}
	if (!run.test.skipped && shim_live_allocations() != live) {
		pr_info("    # %s: leaked %ld allocation(s)\n", kcase->name,
			shim_live_allocations() - live);
		failed = true;
	}
	pr_info("    # %s: %llu ms\n", kcase->name,
		(unsigned long long)((shim_now_ns() - start) / NSEC_PER_MSEC));
	if (failed)
		return 1;
	return run.test.skipped ? 2 : 0;
}

int main(int argc, char **argv)
{
	unsigned int s, n, planned = 0, total[3] = { 0 }, nr = 0;
	struct kunit_case *kcase;
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	shim_set_hooks(on_warn, on_printk);
	for (i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq)
			continue;
		for (n = 0; n < num_params; n++)
			if (!strncmp(params[n].name, argv[i], eq - argv[i]) &&
			    !params[n].name[eq - argv[i]])
				break;
		if (n == num_params) {
			fprintf(stderr, "unknown parameter %s\n", argv[i]);
			return 2;
		}
		*params[n].value = strtoul(eq + 1, NULL, 0);
	}

	for (s = 0; s < num_suites; s++)
		planned += suite_plan(argc, argv, suites[s]) > 0;
	pr_info("KTAP version 1\n1..%u\n", planned);
	for (s = 0; s < num_suites; s++) {
		struct kunit_suite *suite = suites[s];
		unsigned int plan = suite_plan(argc, argv, suite), k = 0, bad = 0;

		if (!plan)
			continue;
		pr_info("    KTAP version 1\n    # Subtest: %s\n    1..%u\n",
			suite->name, plan);
		for (kcase = suite->test_cases; kcase->run_case; kcase++) {
			int r;

			if (!case_selected(argc, argv, suite->name, kcase->name))
				continue;
			r = run_case(kcase);
			total[r]++;
			bad += r == 1;
			pr_info("    %s %u %s%s\n", r == 1 ? "not ok" : "ok", ++k,
				kcase->name, r == 2 ? " # SKIP" : "");
		}
		pr_info("%s %u %s\n", bad ? "not ok" : "ok", ++nr, suite->name);
	}
	pr_info("# userspace: %u passed, %u failed, %u skipped\n", total[0],
		total[1], total[2]);
	return total[1] ? 1 : 0;
}
