// SPDX-License-Identifier: GPL-2.0-only
/*
 * Finding the fence that never signals (CONFIG_DMA_FENCE_DEBUG).
 *
 * Every fence something depends on is on one list, pending_list, from the
 * moment it is first depended on (signaling enabled, a callback queued, a
 * wait begun) until it signals or its last reference goes.  The hooks in
 * dma-fence.c add and remove it, with the fence's own lock held, so a
 * fence on the list is never signaled; the list is ordered by the time
 * each fence joined it, oldest first.
 *
 * Two readers walk the list: debugfs dma_buf/pending_fences and the
 * stuck-fence watchdog.  Neither holds pending_lock (which every signal
 * of a listed fence takes) for more than a batch of entries: they take a
 * reference on each fence of the batch, drop the lock and describe the
 * fences with only the fence's lock, briefly, to read its callbacks.
 * The debugfs reader keeps its place between batches with a bookmark, an
 * entry of the list that is not in a fence and has a zero @since; every
 * walker skips such entries.
 *
 * Locking: pending_lock is innermost.  It is taken inside fence locks
 * (add and remove) and nothing is taken inside it.  A listed fence cannot
 * be freed without taking it, so a walker holding it may try to reference
 * any listed fence with kref_get_unless_zero().
 */

#define pr_fmt(fmt) "dma_fence: " fmt

#include <kunit/visibility.h>
#include <linux/debugfs.h>
#include <linux/dma-fence-array.h>
#include <linux/dma-fence-chain.h>
#include <linux/dma-fence.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/seq_buf.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <trace/events/dma_fence.h>

#include "dma-fence-debug.h"

#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "dma_fence."

static LIST_HEAD(pending_list);
static DEFINE_SPINLOCK(pending_lock);
static unsigned long pending_count;	/* fences on pending_list */

/* Fences a walker references, and entries it looks at, per lock hold. */
#define PENDING_BATCH 16
#define PENDING_SCAN 64

/* One fence's text, in the log and in the trace event. */
#define PENDING_TEXT_SIZE 1024

/* Distinct callback functions named per fence; the rest are counted. */
#define PENDING_CB_NAMES 8

static struct dma_fence *pending_fence(struct dma_fence_pending *entry)
{
	return container_of(entry, struct dma_fence, pending);
}

void dma_fence_pending_add(struct dma_fence *fence)
{
	unsigned long flags;
	ktime_t now;

	spin_lock_irqsave(&pending_lock, flags);
	/* Read under the lock: the list stays in time order. */
	now = ktime_get();
	fence->pending.since = now ? now : 1;
	fence->pending.reported = false;
	list_add_tail(&fence->pending.link, &pending_list);
	pending_count++;
	spin_unlock_irqrestore(&pending_lock, flags);
}

/*
 * The end of a fence the watchdog reported.  Deferred: it runs where the
 * fence signals, with its lock held and interrupts off, where a console
 * must not be written to.
 */
static void report_end(struct dma_fence *fence, ktime_t since, bool signaled)
{
	s64 ms = ktime_ms_delta(ktime_get(), since);
	unsigned long flags;

	local_irq_save(flags);
	printk_deferred_enter();
	if (signaled)
		pr_warn("stuck fence recovered: %s %s context %llu seqno %llu after %lld ms\n",
			fence->ops->get_driver_name(fence),
			fence->ops->get_timeline_name(fence),
			fence->context, fence->seqno, ms);
	else
		pr_warn("stuck fence freed unsignaled: context %llu seqno %llu after %lld ms\n",
			fence->context, fence->seqno, ms);
	printk_deferred_exit();
	local_irq_restore(flags);
}

void dma_fence_pending_del(struct dma_fence *fence, bool signaled)
{
	unsigned long flags;
	bool reported;
	ktime_t since;

	spin_lock_irqsave(&pending_lock, flags);
	since = fence->pending.since;
	reported = fence->pending.reported;
	if (since) {
		list_del_init(&fence->pending.link);
		pending_count--;
		fence->pending.since = 0;
		fence->pending.reported = false;
	}
	spin_unlock_irqrestore(&pending_lock, flags);

	if (since && reported)
		report_end(fence, since, signaled);
}

void dma_fence_pending_deadline(struct dma_fence *fence, ktime_t deadline)
{
	unsigned long flags;

	spin_lock_irqsave(fence->lock, flags);
	if (!fence->pending.deadline ||
	    ktime_before(deadline, fence->pending.deadline))
		WRITE_ONCE(fence->pending.deadline, deadline);
	spin_unlock_irqrestore(fence->lock, flags);
}

/**
 * dma_fence_text_add - add one item to a fence's description
 * @text: the description
 * @fmt: printf format of the item
 *
 * Items after the first are preceded by the description's separator.
 */
void dma_fence_text_add(struct dma_fence_text *text, const char *fmt, ...)
{
	va_list args;

	if (seq_buf_used(text->buf))
		seq_buf_puts(text->buf, text->sep);
	va_start(args, fmt);
	seq_buf_vprintf(text->buf, fmt, args);
	va_end(args);
}

/**
 * dma_fence_text_lock - take the lock of a list of holders to look at it
 * @text: the description the lookup adds to
 * @lock: the lock of the list
 * @list: the list's name, for the description
 *
 * A lookup that may block waits for @lock (killably); one that may not
 * (the watchdog, which must not queue behind whoever holds @lock while
 * creating a file) only tries it.  When @lock is not taken, the
 * description says the list was busy.
 *
 * Return: true with @lock held, false without.
 */
bool dma_fence_text_lock(struct dma_fence_text *text, struct mutex *lock,
			 const char *list)
{
	if (text->may_block ? !mutex_lock_killable(lock) : mutex_trylock(lock))
		return true;
	dma_fence_text_add(text, "%s list busy", list);
	return false;
}

/**
 * dma_fence_holds - is a fence, or a fence inside it, the one looked for?
 * @holder: a fence, referenced by the caller: a plain one, an array, or a
 *	chain whose links may hold arrays
 * @fence: the fence looked for
 *
 * Return: true when @holder is @fence or contains it.
 */
bool dma_fence_holds(struct dma_fence *holder, struct dma_fence *fence)
{
	struct dma_fence *iter;

	if (holder == fence)
		return true;
	if (dma_fence_is_array(holder)) {
		struct dma_fence_array *array = to_dma_fence_array(holder);
		unsigned int i;

		for (i = 0; i < array->num_fences; i++)
			if (array->fences[i] == fence)
				return true;
	} else if (dma_fence_is_chain(holder)) {
		dma_fence_chain_for_each(iter, holder) {
			if (iter == fence ||
			    dma_fence_holds(dma_fence_chain_contained(iter),
					    fence)) {
				dma_fence_put(iter);
				return true;
			}
		}
	}
	return false;
}

/* The part of a fence's description that names it. */
static void describe_name(struct dma_fence_text *text, const char *prefix,
			  struct dma_fence *fence)
{
	dma_fence_text_add(text, "%s%s %s context %llu seqno %llu", prefix,
			   dma_fence_driver_name(fence),
			   dma_fence_timeline_name(fence),
			   fence->context, fence->seqno);
}

struct cb_tally {
	dma_fence_func_t func;
	unsigned int count;
};

/* The fence's callbacks, by function, and its sleeping waiters. */
static void describe_callbacks(struct dma_fence_text *text,
			       struct dma_fence *fence)
{
	struct cb_tally names[PENDING_CB_NAMES];
	unsigned int used = 0, others = 0, waiters = 0, i;
	struct dma_fence_cb *cb;
	unsigned long flags;

	spin_lock_irqsave(fence->lock, flags);
	if (!test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags)) {
		list_for_each_entry(cb, &fence->cb_list, node) {
			if (dma_fence_cb_is_waiter(cb)) {
				waiters++;
				continue;
			}
			for (i = 0; i < used; i++)
				if (names[i].func == cb->func)
					break;
			if (i < used) {
				names[i].count++;
			} else if (used < ARRAY_SIZE(names)) {
				names[used].func = cb->func;
				names[used++].count = 1;
			} else {
				others++;
			}
		}
	}
	spin_unlock_irqrestore(fence->lock, flags);

	for (i = 0; i < used; i++) {
		if (names[i].count > 1)
			dma_fence_text_add(text, "callback %ps x%u",
					   names[i].func, names[i].count);
		else
			dma_fence_text_add(text, "callback %ps",
					   names[i].func);
	}
	if (others)
		dma_fence_text_add(text, "callback (%u more)", others);
	dma_fence_text_add(text, "waiters %u", waiters);
}

/* For an array or a chain, the first member still pending. */
static void describe_blocker(struct dma_fence_text *text,
			     struct dma_fence *fence)
{
	struct dma_fence *iter, *member;

	if (dma_fence_is_array(fence)) {
		struct dma_fence_array *array = to_dma_fence_array(fence);
		unsigned int i;

		for (i = 0; i < array->num_fences; i++) {
			member = array->fences[i];
			if (!test_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
				      &member->flags)) {
				describe_name(text, "blocked by ", member);
				return;
			}
		}
	} else if (dma_fence_is_chain(fence)) {
		dma_fence_chain_for_each(iter, fence) {
			member = dma_fence_chain_contained(iter);
			if (!test_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
				      &member->flags)) {
				describe_name(text, "blocked by ", member);
				dma_fence_put(iter);
				return;
			}
		}
	}
}

/*
 * Describe @fence, referenced by the caller, pending since @since: its
 * name and age, error, deadline, callbacks and waiters, who holds it and,
 * for a container, what it waits for.
 */
static void describe(struct dma_fence_text *text, struct dma_fence *fence,
		     ktime_t since, ktime_t now)
{
	ktime_t deadline = READ_ONCE(fence->pending.deadline);
	int error = READ_ONCE(fence->error);

	describe_name(text, "", fence);
	seq_buf_printf(text->buf, " pending %lld ms",
		       ktime_ms_delta(now, since));
	/* Only errors: a pending array keeps a positive mark there. */
	if (error < 0)
		dma_fence_text_add(text, "error %d", error);
	if (deadline) {
		if (ktime_after(deadline, now))
			dma_fence_text_add(text, "deadline in %lld ms",
					   ktime_ms_delta(deadline, now));
		else
			dma_fence_text_add(text, "deadline %lld ms ago",
					   ktime_ms_delta(now, deadline));
	}
	describe_callbacks(text, fence);
	dma_buf_describe_holders(text, fence);
	sync_file_describe_holders(text, fence);
	describe_blocker(text, fence);
}

struct pending_ref {
	struct dma_fence *fence;
	ktime_t since;
};

/*
 * One step of a walk that keeps its place on the list with @mark, an
 * entry of its own (with a zero @since): reference up to PENDING_BATCH
 * fences after @mark that joined the list no later than @until, looking
 * at no more than PENDING_SCAN entries, and move @mark past those looked
 * at.  With @unreported, fences already reported are passed over.
 * pending_lock held.  Returns how many fences it referenced, and in
 * @done whether the walk is over: the end of the list, or a fence that
 * joined it after @until, and so all those after it too.
 */
static unsigned int walk_step(struct dma_fence_pending *mark, ktime_t until,
			      bool unreported, struct pending_ref *refs,
			      bool *done)
{
	struct list_head *pos = mark->link.next;
	struct dma_fence_pending *entry;
	unsigned int n = 0, seen = 0;
	struct dma_fence *fence;

	*done = false;
	while (n < PENDING_BATCH && seen++ < PENDING_SCAN) {
		if (pos == &pending_list) {
			*done = true;
			break;
		}
		entry = list_entry(pos, struct dma_fence_pending, link);
		if (entry->since && ktime_after(entry->since, until)) {
			*done = true;
			break;
		}
		pos = pos->next;
		if (!entry->since)	/* another walker's mark */
			continue;
		if (unreported && entry->reported)
			continue;
		fence = pending_fence(entry);
		if (!kref_get_unless_zero(&fence->refcount))
			continue;	/* on its way out */
		refs[n].fence = fence;
		refs[n++].since = entry->since;
	}
	list_move_tail(&mark->link, pos);
	return n;
}

static void put_batch(struct pending_ref *refs, unsigned int n)
{
	while (n--)
		dma_fence_put(refs[n].fence);
}

/**
 * dma_fence_pending_show - what debugfs dma_buf/pending_fences prints
 * @m: the seq_file
 * @unused: unused
 *
 * A count, then one entry per fence listed when the read began, oldest
 * first (see describe()), the details indented by a tab.
 *
 * Return: 0, or -ENOMEM.
 */
int dma_fence_pending_show(struct seq_file *m, void *unused)
{
	struct dma_fence_pending bookmark = { .since = 0 };
	struct pending_ref refs[PENDING_BATCH];
	struct dma_fence_text text = { .sep = "\n\t", .may_block = true };
	struct seq_buf buf;
	unsigned int n, i;
	ktime_t start;
	bool done;
	char *page;

	page = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	text.buf = &buf;

	spin_lock_irq(&pending_lock);
	/* Fences listed later are left out: the walk has an end. */
	start = ktime_get();
	seq_printf(m, "pending fences: %lu\n", pending_count);
	list_add(&bookmark.link, &pending_list);
	do {
		n = walk_step(&bookmark, start, false, refs, &done);
		spin_unlock_irq(&pending_lock);

		for (i = 0; i < n; i++) {
			seq_buf_init(&buf, page, PAGE_SIZE);
			describe(&text, refs[i].fence, refs[i].since,
				 ktime_get());
			seq_printf(m, "%.*s\n", (int)seq_buf_used(&buf), page);
		}
		put_batch(refs, n);
		cond_resched();

		spin_lock_irq(&pending_lock);
		/* A full buffer is read again, larger: stop early. */
	} while (!done && !seq_has_overflowed(m));
	list_del(&bookmark.link);
	spin_unlock_irq(&pending_lock);

	kfree(page);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(dma_fence_pending_show);

static int pending_fences_open(struct inode *inode, struct file *file)
{
	/* Room for a typical entry per fence, so one pass usually fits. */
	size_t size = PAGE_SIZE + min(READ_ONCE(pending_count), 16384UL) * 256;

	return single_open_size(file, dma_fence_pending_show, NULL, size);
}

static const struct file_operations pending_fences_fops = {
	.owner = THIS_MODULE,
	.open = pending_fences_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

void dma_fence_debugfs_init(struct dentry *dir)
{
	debugfs_create_file("pending_fences", 0444, dir, NULL,
			    &pending_fences_fops);
}

/*
 * The watchdog.  While stuck_timeout_ms is not 0, a deferrable work item
 * looks at the list a few times per timeout and reports, once each, the
 * fences listed for longer than that, then marks them reported.  Its
 * text buffer is static, so that reporting does not allocate: reclaim
 * may be waiting for the very fence about to be reported.
 */
static unsigned int stuck_timeout_ms;
static bool watchdog_ready;
static DEFINE_MUTEX(watchdog_lock);	/* guards the two below */
static char watchdog_text[PENDING_TEXT_SIZE];
/*
 * Where the watchdog's walk stands: every fence before it has been
 * reported or was on its way out, so each tick looks only at the fences
 * that have grown old since the last.
 */
static struct dma_fence_pending watchdog_mark = {
	.link = LIST_HEAD_INIT(watchdog_mark.link),
};

static void watchdog_fn(struct work_struct *work);
static DECLARE_DEFERRABLE_WORK(watchdog_work, watchdog_fn);

static void watchdog_arm(void)
{
	unsigned int ms = READ_ONCE(stuck_timeout_ms);

	if (ms && READ_ONCE(watchdog_ready))
		mod_delayed_work(system_wq, &watchdog_work,
				 msecs_to_jiffies(clamp(ms / 4, 10U, 1000U)));
}

/**
 * dma_fence_report_stuck - report the fences pending for too long
 * @timeout_ms: how long is too long
 *
 * What the watchdog does each time it runs: every listed fence that has
 * been pending for @timeout_ms or longer and was not reported yet is
 * reported, in the log and with the dma_fence_stuck trace event.
 */
void dma_fence_report_stuck(unsigned int timeout_ms)
{
	ktime_t timeout = ms_to_ktime(timeout_ms);
	struct dma_fence_text text = { .sep = "; " };
	struct pending_ref refs[PENDING_BATCH];
	struct dma_fence *fence;
	struct seq_buf buf;
	unsigned int n, i;
	bool done = true;
	ktime_t now;

	text.buf = &buf;
	mutex_lock(&watchdog_lock);
	do {
		spin_lock_irq(&pending_lock);
		if (list_empty(&watchdog_mark.link))
			list_add(&watchdog_mark.link, &pending_list);
		now = ktime_get();
		n = 0;
		if (ktime_after(now, timeout))
			n = walk_step(&watchdog_mark, ktime_sub(now, timeout),
				      true, refs, &done);
		spin_unlock_irq(&pending_lock);

		for (i = 0; i < n; i++) {
			fence = refs[i].fence;
			seq_buf_init(&buf, watchdog_text, sizeof(watchdog_text));
			describe(&text, fence, refs[i].since, now);
			pr_warn("stuck fence: %s\n", seq_buf_str(&buf));
			trace_dma_fence_stuck(fence,
					      ktime_ms_delta(now, refs[i].since),
					      seq_buf_str(&buf));
			/* Its recovery is worth a line only once it was said. */
			spin_lock_irq(&pending_lock);
			if (fence->pending.since)
				fence->pending.reported = true;
			spin_unlock_irq(&pending_lock);
		}
		put_batch(refs, n);
	} while (!done);
	mutex_unlock(&watchdog_lock);
}
EXPORT_SYMBOL_IF_KUNIT(dma_fence_report_stuck);

static void watchdog_fn(struct work_struct *work)
{
	unsigned int ms = READ_ONCE(stuck_timeout_ms);

	if (!ms)
		return;
	dma_fence_report_stuck(ms);
	watchdog_arm();
}

static int stuck_timeout_set(const char *val, const struct kernel_param *kp)
{
	int err = param_set_uint(val, kp);

	if (!err)
		watchdog_arm();
	return err;
}

static const struct kernel_param_ops stuck_timeout_ops = {
	.set = stuck_timeout_set,
	.get = param_get_uint,
};

module_param_cb(stuck_timeout_ms, &stuck_timeout_ops, &stuck_timeout_ms,
		0644);
MODULE_PARM_DESC(stuck_timeout_ms,
		 "Report fences pending for longer than this (ms, 0: never)");

/* A value given on the command line arrives before workqueues exist. */
static int __init dma_fence_watchdog_init(void)
{
	WRITE_ONCE(watchdog_ready, true);
	watchdog_arm();
	return 0;
}
late_initcall(dma_fence_watchdog_init);
