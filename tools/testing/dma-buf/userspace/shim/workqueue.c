// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stands in for deferred work: irq_work and work items.  irq_work runs on
 * one thread of its own, in an atomic section as in hard interrupt
 * context; each queued work item gets a thread of its own, which a flush
 * joins.  Limits: the workqueue a caller names makes no difference, and
 * a work item is queued again only after a flush.
 */
#include <linux/delay.h>
#include <linux/irq_work.h>
#include <linux/workqueue.h>

#include "internal.h"

static pthread_mutex_t irq_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t irq_cond = PTHREAD_COND_INITIALIZER;	/* queued */
static pthread_cond_t irq_idle = PTHREAD_COND_INITIALIZER;	/* finished */
static struct irq_work *irq_head, **irq_tail = &irq_head;
static unsigned int irq_running;
static pthread_once_t irq_thread_once = PTHREAD_ONCE_INIT;

static unsigned int irq_flags(struct irq_work *work)
{
	return __atomic_load_n(&work->flags, __ATOMIC_ACQUIRE);
}

/*
 * After the function ran: back to idle unless it was queued again.  Like
 * the kernel's, this touches the work after its function, which may have
 * reused the storage: a dma_fence_chain keeps its irq_work in a union
 * with its fence callback and re-arms the callback from the work (as
 * upstream does), so this compare-and-exchange races with whoever signals
 * that fence.  It never matches a list pointer, but it is a data race;
 * tsan.supp names this function so that the report stays a known one.
 */
static noinline void irq_work_clear_busy(struct irq_work *work)
{
	unsigned int busy = IRQ_WORK_BUSY;

	__atomic_compare_exchange_n(&work->flags, &busy, 0, false,
				    __ATOMIC_RELEASE, __ATOMIC_RELAXED);
}

static void *irq_thread(void *unused)
{
	struct irq_work *work;

	shim_task_adopt(shim_task_new("irq_work"));
	pthread_mutex_lock(&irq_lock);
	for (;;) {
		while (!irq_head)
			pthread_cond_wait(&irq_cond, &irq_lock);
		work = irq_head;
		irq_head = work->next;
		if (!irq_head)
			irq_tail = &irq_head;
		__atomic_store_n(&work->flags, IRQ_WORK_BUSY, __ATOMIC_RELEASE);
		irq_running++;
		pthread_mutex_unlock(&irq_lock);

		/* Hard interrupt context: an RCU read-side section. */
		preempt_disable();
		work->func(work);
		irq_work_clear_busy(work);
		preempt_enable();

		pthread_mutex_lock(&irq_lock);
		irq_running--;
		pthread_cond_broadcast(&irq_idle);
	}
	return NULL;
}

static void irq_thread_start(void)
{
	shim_start_detached(irq_thread);
}

bool irq_work_queue(struct irq_work *work)
{
	bool queued = false;

	pthread_once(&irq_thread_once, irq_thread_start);
	pthread_mutex_lock(&irq_lock);
	if (!(irq_flags(work) & IRQ_WORK_PENDING)) {
		__atomic_fetch_or(&work->flags, IRQ_WORK_PENDING,
				  __ATOMIC_RELEASE);
		work->next = NULL;
		*irq_tail = work;
		irq_tail = &work->next;
		pthread_cond_signal(&irq_cond);
		queued = true;
	}
	pthread_mutex_unlock(&irq_lock);
	return queued;
}

bool irq_work_is_busy(struct irq_work *work)
{
	return irq_flags(work) & IRQ_WORK_BUSY;
}

void irq_work_sync(struct irq_work *work)
{
	might_sleep();
	pthread_mutex_lock(&irq_lock);
	while (irq_flags(work) & (IRQ_WORK_PENDING | IRQ_WORK_BUSY))
		pthread_cond_wait(&irq_idle, &irq_lock);
	pthread_mutex_unlock(&irq_lock);
}

void shim_irq_work_flush_all(void)
{
	pthread_mutex_lock(&irq_lock);
	while (irq_head || irq_running)
		pthread_cond_wait(&irq_idle, &irq_lock);
	pthread_mutex_unlock(&irq_lock);
}

struct workqueue_struct *system_wq;
static pthread_mutex_t work_lock = PTHREAD_MUTEX_INITIALIZER;

static void work_run(void *arg)
{
	struct work_struct *work = arg;

	if (work->delay_ms)
		msleep(work->delay_ms);
	work->func(work);
}

static void *work_thread(void *arg)
{
	shim_task_adopt(shim_task_new("kworker"));
	work_run(arg);
	return NULL;
}

bool shim_queue_work(struct work_struct *work, unsigned long delay)
{
	bool queued = false;

	pthread_mutex_lock(&work_lock);
	if (!work->started) {
		work->delay_ms = delay;
		if (pthread_create(&work->thread, NULL, work_thread, work))
			shim_bug(__FILE__, __LINE__, "pthread_create");
		work->started = true;
		queued = true;
	}
	pthread_mutex_unlock(&work_lock);
	return queued;
}

bool flush_work(struct work_struct *work)
{
	bool started;
	pthread_t thread;

	pthread_mutex_lock(&work_lock);
	started = work->started;
	thread = work->thread;
	work->started = false;
	pthread_mutex_unlock(&work_lock);
	if (started)
		pthread_join(thread, NULL);
	return started;
}
