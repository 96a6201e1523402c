// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of CONFIG_DMA_FENCE_DEBUG: when a fence joins and leaves
 * the pending list, the text of debugfs dma_buf/pending_fences, and the
 * stuck-fence watchdog's reports.
 *
 * Other code may have fences of its own on the list while these run, so
 * the checks look only at the entries of the test's own fences, found by
 * their context.
 */

#include <kunit/test.h>
#include <linux/ctype.h>
#include <linux/delay.h>
#include <linux/dma-fence-array.h>
#include <linux/dma-fence-chain.h>
#include <linux/dma-fence.h>
#include <linux/kthread.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <trace/events/dma_fence.h>

#include "../dma-fence-debug.h"
#include "mock-fence.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define TEXT_MAX 1024

/* A string formatted into memory the test frees. */
static __printf(2, 3) char *tprintf(struct kunit *test, const char *fmt, ...)
{
	char *s = kunit_kzalloc(test, TEXT_MAX, GFP_KERNEL);
	va_list args;

	KUNIT_ASSERT_NOT_NULL(test, s);
	va_start(args, fmt);
	vsnprintf(s, TEXT_MAX, fmt, args);
	va_end(args);
	return s;
}

static bool listed(struct dma_fence *fence)
{
	return fence->pending.since != 0;
}

/* The whole of pending_fences, as text owned by the test. */
static char *pending_text(struct kunit *test)
{
	struct seq_file m = { .size = 64 * 1024 };

	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	KUNIT_ASSERT_EQ(test, dma_fence_pending_show(&m, NULL), 0);
	KUNIT_ASSERT_LT(test, m.count, m.size);
	return m.buf;
}

/*
 * The entry of the fence of @context and @seqno in @text, its head line
 * and detail lines, with the age replaced by "N"; or "" when absent.
 */
static char *entry_of(struct kunit *test, const char *text, u64 context,
		      u64 seqno)
{
	char *key = tprintf(test, " context %llu seqno %llu pending ",
				    context, seqno);
	const char *at = strstr(text, key), *start, *end, *age;
	char *entry;

	if (!at)
		return "";
	for (start = at; start > text && start[-1] != '\n'; start--)
		;
	for (end = strchr(at, '\n'); end && end[1] == '\t';
	     end = strchr(end + 1, '\n'))
		;
	KUNIT_ASSERT_NOT_NULL(test, end);
	age = at + strlen(key);
	entry = tprintf(test, "%.*sN%.*s", (int)(age - start), start,
			(int)(end - age), age);
	/* Drop the digits of the age, which follow the "N". */
	age = entry + (age - start) + 1;
	memmove((char *)age, age + strspn(age, "0123456789"),
		strlen(age + strspn(age, "0123456789")) + 1);
	return entry;
}

static char *entry_of_fence(struct kunit *test, struct dma_fence *fence)
{
	return entry_of(test, pending_text(test), fence->context,
			fence->seqno);
}

/* @prefix, then how an entry names @fence. */
static char *name_of(struct kunit *test, const char *prefix,
		     struct dma_fence *fence)
{
	return tprintf(test, "%s%s %s context %llu seqno %llu", prefix,
		       fence->ops->get_driver_name(fence),
		       fence->ops->get_timeline_name(fence), fence->context,
		       fence->seqno);
}

static void note_cb(struct dma_fence *fence, struct dma_fence_cb *cb)
{
}

static void other_cb(struct dma_fence *fence, struct dma_fence_cb *cb)
{
}

static void listed_from_the_first_callback_to_the_signal(struct kunit *test)
{
	struct dma_fence *f = mock_fence(test);
	struct dma_fence_cb cb;

	KUNIT_EXPECT_FALSE(test, listed(f));
	KUNIT_EXPECT_STREQ(test, entry_of_fence(test, f), "");

	KUNIT_ASSERT_EQ(test, dma_fence_add_callback(f, &cb, note_cb), 0);
	KUNIT_EXPECT_TRUE(test, listed(f));
	/* Still depended on once: it stays listed until it signals. */
	KUNIT_EXPECT_TRUE(test, dma_fence_remove_callback(f, &cb));
	KUNIT_EXPECT_TRUE(test, listed(f));

	dma_fence_signal(f);
	KUNIT_EXPECT_FALSE(test, listed(f));
	KUNIT_EXPECT_STREQ(test, entry_of_fence(test, f), "");
	dma_fence_put(f);
}

static void listed_once_signaling_is_enabled(struct kunit *test)
{
	struct dma_fence *f = mock_fence(test);
	ktime_t since;

	dma_fence_enable_sw_signaling(f);
	KUNIT_EXPECT_TRUE(test, listed(f));
	since = f->pending.since;
	/* Later dependants leave the time it joined alone. */
	dma_fence_enable_sw_signaling(f);
	KUNIT_EXPECT_EQ(test, f->pending.since, since);
	signal_put(f);
}

static void listed_by_a_wait_that_times_out(struct kunit *test)
{
	struct dma_fence *f = mock_fence(test);

	/* The enable bit set by hand: only the wait itself lists it. */
	set_bit(DMA_FENCE_FLAG_ENABLE_SIGNAL_BIT, &f->flags);
	KUNIT_EXPECT_EQ(test, dma_fence_default_wait(f, false, 1), 0);
	KUNIT_EXPECT_TRUE(test, listed(f));
	signal_put(f);
}

static void never_listed_without_dependants(struct kunit *test)
{
	struct dma_fence *f = mock_fence(test);
	struct dma_fence_cb cb;

	dma_fence_signal(f);
	KUNIT_EXPECT_FALSE(test, listed(f));
	/* Signaled: callbacks and enables change nothing. */
	KUNIT_EXPECT_EQ(test, dma_fence_add_callback(f, &cb, note_cb), -ENOENT);
	dma_fence_enable_sw_signaling(f);
	KUNIT_EXPECT_FALSE(test, listed(f));
	dma_fence_put(f);
}

static void not_listed_when_the_driver_is_already_done(struct kunit *test)
{
	struct dma_fence *f = mock_fence_done_at_enable(test);

	dma_fence_enable_sw_signaling(f);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(f));
	KUNIT_EXPECT_FALSE(test, listed(f));
	dma_fence_put(f);
}

static void unlisted_when_freed_unsignaled(struct kunit *test)
{
	struct dma_fence *f = mock_fence(test);
	u64 context = f->context;

	dma_fence_enable_sw_signaling(f);
	KUNIT_EXPECT_STRNEQ(test, entry_of_fence(test, f), "");
	dma_fence_put(f);
	KUNIT_EXPECT_STREQ(test, entry_of(test, pending_text(test), context, 1),
			   "");
}

static void entry_names_error_callbacks_and_deadline(struct kunit *test)
{
	struct dma_fence *f = mock_fence(test);
	struct dma_fence_cb a, b, c;
	char *expect;

	KUNIT_ASSERT_EQ(test, dma_fence_add_callback(f, &a, note_cb), 0);
	KUNIT_ASSERT_EQ(test, dma_fence_add_callback(f, &b, other_cb), 0);
	KUNIT_ASSERT_EQ(test, dma_fence_add_callback(f, &c, note_cb), 0);
	dma_fence_set_error(f, -EIO);

	expect = tprintf(test,
			 "%s pending N ms\n\terror -5\n\tcallback note_cb x2\n"
			 "\tcallback other_cb\n\twaiters 0",
			 name_of(test, "", f));
	KUNIT_EXPECT_STREQ(test, entry_of_fence(test, f), expect);

	dma_fence_set_deadline(f, ktime_add_ms(ktime_get(), 60 * 1000));
	KUNIT_EXPECT_NOT_NULL(test, strstr(entry_of_fence(test, f),
					   "\n\tdeadline in "));
	signal_put(f);
}

struct waiter {
	struct dma_fence *fence;
	long ret;
};

static int waiter_fn(void *data)
{
	struct waiter *w = data;

	w->ret = dma_fence_wait_timeout(w->fence, false, 10 * HZ);
	return 0;
}

static void entry_counts_sleeping_waiters(struct kunit *test)
{
	struct dma_fence *f = mock_fence(test);
	struct waiter w = { .fence = f };
	struct task_struct *t;
	int i;

	t = kthread_run(waiter_fn, &w, "fence-debug-wait");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	get_task_struct(t);
	for (i = 0; i < 250; i++) {
		if (strstr(entry_of_fence(test, f), "\n\twaiters 1"))
			break;
		msleep(20);
	}
	KUNIT_EXPECT_LT(test, i, 250);
	dma_fence_signal(f);
	kthread_stop(t);
	put_task_struct(t);
	KUNIT_EXPECT_GT(test, w.ret, 0L);
	dma_fence_put(f);
}

static void array_names_its_blocking_member(struct kunit *test)
{
	struct dma_fence **members = kcalloc(2, sizeof(*members), GFP_KERNEL);
	struct dma_fence_array *array;
	struct dma_fence *pending;
	char *entry, *expect;

	KUNIT_ASSERT_NOT_NULL(test, members);
	pending = mock_fence(test);
	members[0] = mock_fence(test);
	members[1] = pending;
	dma_fence_signal(members[0]);
	array = dma_fence_array_create(2, members, dma_fence_context_alloc(1),
				       1, false);
	KUNIT_ASSERT_NOT_NULL(test, array);
	dma_fence_enable_sw_signaling(&array->base);

	entry = entry_of_fence(test, &array->base);
	expect = name_of(test, "\n\tblocked by ", pending);
	KUNIT_EXPECT_NOT_NULL(test, strstr(entry, expect));
	KUNIT_EXPECT_NOT_NULL(test, strstr(entry, "dma_fence_array"));
	/* Not an error: the array's own mark of "no member failed yet". */
	KUNIT_EXPECT_NULL(test, strstr(entry, "\n\terror"));

	dma_fence_signal(pending);
	KUNIT_EXPECT_TRUE(test, mock_fence_settles(&array->base));
	KUNIT_EXPECT_FALSE(test, listed(&array->base));
	dma_fence_put(&array->base);
}

static void chain_names_its_blocking_member(struct kunit *test)
{
	struct dma_fence_chain *first = dma_fence_chain_alloc();
	struct dma_fence_chain *second = dma_fence_chain_alloc();
	struct dma_fence *a = mock_fence(test), *b = mock_fence(test);
	char *expect;

	KUNIT_ASSERT_NOT_NULL(test, first);
	KUNIT_ASSERT_NOT_NULL(test, second);
	dma_fence_chain_init(first, NULL, dma_fence_get(a), 1);
	dma_fence_chain_init(second, dma_fence_get(&first->base),
			     dma_fence_get(b), 2);
	dma_fence_signal(b);
	dma_fence_enable_sw_signaling(&second->base);

	/* The later link's own fence is done; it waits for the earlier. */
	expect = name_of(test, "\n\tblocked by ", a);
	KUNIT_EXPECT_NOT_NULL(test, strstr(entry_of_fence(test,
							  &second->base),
					   expect));

	dma_fence_signal(a);
	KUNIT_EXPECT_TRUE(test, mock_fence_settles(&second->base));
	KUNIT_EXPECT_FALSE(test, listed(&second->base));
	dma_fence_put(&first->base);
	dma_fence_put(&second->base);
	dma_fence_put(a);
	dma_fence_put(b);
}

/*
 * What the dma_fence_stuck trace event reported of one fence.  Without
 * CONFIG_TRACEPOINTS there is no event to count: @traced stays false and
 * only the fence's own mark says it was reported.
 */
struct stuck_count {
	struct dma_fence *fence;
	bool traced;
	int hits;
	char desc[256];
};

static void stuck_probe(void *data, struct dma_fence *fence, u64 age_ms,
			const char *desc)
{
	struct stuck_count *sc = data;

	if (fence != sc->fence)
		return;
	sc->hits++;
	strscpy(sc->desc, desc, sizeof(sc->desc));
}

static void stuck_watch(struct kunit *test, struct stuck_count *sc)
{
	if (!IS_ENABLED(CONFIG_TRACEPOINTS))
		return;
	KUNIT_ASSERT_EQ(test, register_trace_dma_fence_stuck(stuck_probe, sc),
			0);
	sc->traced = true;
}

static void stuck_unwatch(struct stuck_count *sc)
{
	if (!sc->traced)
		return;
	unregister_trace_dma_fence_stuck(stuck_probe, sc);
	tracepoint_synchronize_unregister();
}

/* The event fired @hits times for the fence, if it can be counted. */
static void expect_hits(struct kunit *test, struct stuck_count *sc, int hits)
{
	if (sc->traced)
		KUNIT_EXPECT_EQ(test, sc->hits, hits);
}

static void watchdog_reports_a_stuck_fence_once(struct kunit *test)
{
	struct dma_fence *f = mock_fence(test);
	struct stuck_count sc = { .fence = f };
	char *expect;

	stuck_watch(test, &sc);
	dma_fence_enable_sw_signaling(f);
	dma_fence_report_stuck(60 * 1000);
	KUNIT_EXPECT_FALSE(test, f->pending.reported);	/* not yet */
	expect_hits(test, &sc, 0);
	msleep(120);
	dma_fence_report_stuck(100);
	KUNIT_EXPECT_TRUE(test, f->pending.reported);
	expect_hits(test, &sc, 1);
	dma_fence_report_stuck(100);
	expect_hits(test, &sc, 1);	/* once */
	stuck_unwatch(&sc);

	/* The same text as debugfs, the lines joined by "; ". */
	if (sc.traced) {
		expect = name_of(test, "", f);
		KUNIT_EXPECT_EQ(test, strncmp(sc.desc, expect, strlen(expect)),
				0);
		KUNIT_EXPECT_NOT_NULL(test, strstr(sc.desc, " ms; waiters 0"));
	}
	signal_put(f);
}

static void watchdog_spares_a_fence_signaled_in_time(struct kunit *test)
{
	struct dma_fence *f = mock_fence(test);
	struct stuck_count sc = { .fence = f };

	stuck_watch(test, &sc);
	dma_fence_enable_sw_signaling(f);
	msleep(20);
	dma_fence_signal(f);
	msleep(100);
	dma_fence_report_stuck(50);
	stuck_unwatch(&sc);
	KUNIT_EXPECT_FALSE(test, f->pending.reported);
	expect_hits(test, &sc, 0);
	dma_fence_put(f);
}

#define MANY 2000

struct many {
	struct dma_fence *f[MANY];
	DECLARE_BITMAP(seen, MANY);
	struct completion done;
};

static int signal_all_fn(void *data)
{
	struct many *many = data;
	int i;

	/* Slowly enough for several reads to overlap the signals. */
	for (i = 0; i < MANY; i++) {
		dma_fence_signal(many->f[i]);
		if (!(i % 4))
			usleep_range(500, 1000);
	}
	complete(&many->done);
	while (!kthread_should_stop())
		msleep(20);
	return 0;
}

/*
 * Count the entries of @text that belong to @many's fences, the contexts
 * @first onwards; -1 if one of them is listed twice.
 */
static int count_entries(const char *text, u64 first, unsigned long *seen)
{
	const char *at = text;
	u64 context;
	int n = 0;

	bitmap_zero(seen, MANY);
	while ((at = strstr(at, " context "))) {
		for (at += strlen(" context "), context = 0; isdigit(*at); at++)
			context = context * 10 + (*at - '0');
		if (context < first || context >= first + MANY)
			continue;
		if (test_and_set_bit(context - first, seen))
			return -1;
		n++;
	}
	return n;
}

/*
 * Thousands of fences read while another thread signals them: the reader
 * keeps its place as entries leave the list under it and lists each fence
 * at most once.
 */
static void readers_keep_their_place_while_fences_signal(struct kunit *test)
{
	struct many *many = kunit_kzalloc(test, sizeof(*many), GFP_KERNEL);
	struct seq_file m = { .size = MANY * 256 };
	struct task_struct *t;
	u64 first;
	int i, n, reads = 0;

	KUNIT_ASSERT_NOT_NULL(test, many);
	m.buf = vzalloc(m.size);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	first = dma_fence_context_alloc(MANY);
	for (i = 0; i < MANY; i++) {
		many->f[i] = mock_fence_at(test, first + i, 1);
		dma_fence_enable_sw_signaling(many->f[i]);
	}

	m.count = 0;
	KUNIT_EXPECT_EQ(test, dma_fence_pending_show(&m, NULL), 0);
	KUNIT_EXPECT_EQ(test, count_entries(m.buf, first, many->seen),
			MANY);

	init_completion(&many->done);
	t = kthread_run(signal_all_fn, many, "fence-debug-signal");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	get_task_struct(t);
	do {
		memset(m.buf, 0, m.size);
		m.count = 0;
		KUNIT_EXPECT_EQ(test, dma_fence_pending_show(&m, NULL), 0);
		n = count_entries(m.buf, first, many->seen);
		KUNIT_EXPECT_GE(test, n, 0);	/* none twice */
		KUNIT_EXPECT_LE(test, n, MANY);
		reads++;
	} while (!completion_done(&many->done));
	kthread_stop(t);
	put_task_struct(t);
	kunit_info(test, "%d reads while %d fences signaled\n", reads, MANY);

	m.count = 0;
	memset(m.buf, 0, m.size);
	KUNIT_EXPECT_EQ(test, dma_fence_pending_show(&m, NULL), 0);
	KUNIT_EXPECT_EQ(test, count_entries(m.buf, first, many->seen), 0);
	for (i = 0; i < MANY; i++)
		dma_fence_put(many->f[i]);
	vfree(m.buf);
}

static struct kunit_case dma_fence_debug_cases[] = {
	KUNIT_CASE(listed_from_the_first_callback_to_the_signal),
	KUNIT_CASE(listed_once_signaling_is_enabled),
	KUNIT_CASE(listed_by_a_wait_that_times_out),
	KUNIT_CASE(never_listed_without_dependants),
	KUNIT_CASE(not_listed_when_the_driver_is_already_done),
	KUNIT_CASE(unlisted_when_freed_unsignaled),
	KUNIT_CASE(entry_names_error_callbacks_and_deadline),
	KUNIT_CASE(entry_counts_sleeping_waiters),
	KUNIT_CASE(array_names_its_blocking_member),
	KUNIT_CASE(chain_names_its_blocking_member),
	KUNIT_CASE(watchdog_reports_a_stuck_fence_once),
	KUNIT_CASE(watchdog_spares_a_fence_signaled_in_time),
	KUNIT_CASE(readers_keep_their_place_while_fences_signal),
	{}
};

static struct kunit_suite dma_fence_debug_suite = {
	.name = "dma-fence-debug",
	.test_cases = dma_fence_debug_cases,
};

kunit_test_suite(dma_fence_debug_suite);

MODULE_DESCRIPTION("KUnit tests of the pending-fence list");
MODULE_LICENSE("GPL");
