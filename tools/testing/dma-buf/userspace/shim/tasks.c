// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stands in for the scheduler's side of tasks: current, task states,
 * schedule_timeout() and wake_up_process(), kthreads, wait queues and
 * completions.  Every task is a POSIX thread; a thread that never had a
 * task gets one on its first use of current.  Limits: no priorities or
 * CPUs, and a pending signal is only the flag a test sets on a task.
 */
#include <linux/kthread.h>
#include <linux/wait.h>

#include <stdarg.h>
#include <time.h>

#include "internal.h"

/* Per thread: its task, NULL until it first needs one. */
__thread struct task_struct *shim_this_task;
static pthread_key_t task_key;
static pthread_once_t task_key_once = PTHREAD_ONCE_INIT;

static void task_free(struct task_struct *t)
{
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->wake);
	free(t);
}

static void task_key_destroy(void *p)
{
	struct task_struct *t = p;

	if (!t->is_kthread)
		task_free(t);
}

static void task_key_init(void)
{
	pthread_key_create(&task_key, task_key_destroy);
}

struct task_struct *shim_task_new(const char *name)
{
	struct task_struct *t = calloc(1, sizeof(*t));

	if (!t)
		shim_bug(__FILE__, __LINE__, "out of memory for a task");
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->wake, NULL);
	snprintf(t->comm, sizeof(t->comm), "%s", name);
	return t;
}

void shim_task_adopt(struct task_struct *t)
{
	pthread_once(&task_key_once, task_key_init);
	shim_this_task = t;
	pthread_setspecific(task_key, t);
}

struct task_struct *shim_current(void)
{
	if (unlikely(!shim_this_task))
		shim_task_adopt(shim_task_new("thread"));
	return shim_this_task;
}

void shim_set_state(struct task_struct *t, int state)
{
	pthread_mutex_lock(&t->lock);
	t->state = state;
	pthread_mutex_unlock(&t->lock);
}

int wake_up_process(struct task_struct *t)
{
	int woke;

	pthread_mutex_lock(&t->lock);
	woke = t->state != TASK_RUNNING;
	t->state = TASK_RUNNING;
	pthread_cond_broadcast(&t->wake);
	pthread_mutex_unlock(&t->lock);
	return woke;
}

/* An absolute CLOCK_REALTIME deadline @ns from now, for pthread waits. */
static struct timespec deadline_in(u64 ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ns += ts.tv_nsec;
	ts.tv_sec += ns / NSEC_PER_SEC;
	ts.tv_nsec = ns % NSEC_PER_SEC;
	return ts;
}

long schedule_timeout(long timeout)
{
	struct task_struct *t = current;
	bool forever = timeout == MAX_SCHEDULE_TIMEOUT;
	u64 end = forever ? 0 : shim_now_ns() + (u64)timeout * NSEC_PER_MSEC;
	struct timespec abs = deadline_in(forever ? 0 : end - shim_now_ns());
	long left = 0;

	might_sleep();
	pthread_mutex_lock(&t->lock);
	while (t->state != TASK_RUNNING) {
		if (t->state == TASK_INTERRUPTIBLE && signal_pending(t))
			break;
		if (!forever && shim_now_ns() >= end)
			break;
		if (forever)
			pthread_cond_wait(&t->wake, &t->lock);
		else
			pthread_cond_timedwait(&t->wake, &t->lock, &abs);
	}
	t->state = TASK_RUNNING;
	pthread_mutex_unlock(&t->lock);
	if (forever)
		return timeout;
	if (shim_now_ns() < end)
		left = DIV_ROUND_UP(end - shim_now_ns(), NSEC_PER_MSEC);
	return left;
}

void schedule(void)
{
	schedule_timeout(MAX_SCHEDULE_TIMEOUT);
}

long schedule_timeout_uninterruptible(long timeout)
{
	__set_current_state(TASK_UNINTERRUPTIBLE);
	return schedule_timeout(timeout);
}

long schedule_timeout_interruptible(long timeout)
{
	__set_current_state(TASK_INTERRUPTIBLE);
	return schedule_timeout(timeout);
}

static void *kthread_main(void *arg)
{
	struct task_struct *t = arg;

	shim_task_adopt(t);
	t->result = t->fn(t->data);
	return NULL;
}

struct task_struct *kthread_run(int (*fn)(void *data), void *data,
				const char *namefmt, ...)
{
	struct task_struct *t;
	char name[TASK_COMM_LEN];
	va_list ap;

	va_start(ap, namefmt);
	vsnprintf(name, sizeof(name), namefmt, ap);
	va_end(ap);
	t = shim_task_new(name);
	t->fn = fn;
	t->data = data;
	t->is_kthread = true;
	if (pthread_create(&t->thread, NULL, kthread_main, t)) {
		task_free(t);
		return ERR_PTR(-ENOMEM);
	}
	return t;
}

bool kthread_should_stop(void)
{
	return __atomic_load_n(&current->should_stop, __ATOMIC_ACQUIRE);
}

int kthread_stop(struct task_struct *t)
{
	int result;

	__atomic_store_n(&t->should_stop, true, __ATOMIC_RELEASE);
	wake_up_process(t);
	pthread_join(t->thread, NULL);
	result = t->result;
	task_free(t);
	return result;
}

/* Runs @fn(@arg) on a new thread with a task of its own, named @name. */
struct shim_thread_start {
	void (*fn)(void *arg);
	void *arg;
	struct task_struct *task;
};

static void *shim_thread_main(void *p)
{
	struct shim_thread_start *s = p;

	shim_task_adopt(s->task);
	s->fn(s->arg);
	return NULL;
}

void shim_run_on_thread(const char *name, void (*fn)(void *arg), void *arg)
{
	struct shim_thread_start s = { fn, arg, shim_task_new(name) };
	pthread_t thread;

	s.task->is_kthread = true;	/* freed here, not by the key */
	if (pthread_create(&thread, NULL, shim_thread_main, &s))
		shim_bug(__FILE__, __LINE__, "pthread_create");
	pthread_join(thread, NULL);
	task_free(s.task);
}

void shim_start_detached(void *(*fn)(void *unused))
{
	pthread_t thread;

	if (pthread_create(&thread, NULL, fn, NULL))
		shim_bug(__FILE__, __LINE__, "pthread_create");
	pthread_detach(thread);
}

void init_waitqueue_head(wait_queue_head_t *wq)
{
	pthread_mutex_init(&wq->lock, NULL);
	INIT_LIST_HEAD(&wq->head);
}

void add_wait_queue(wait_queue_head_t *wq, struct wait_queue_entry *entry)
{
	pthread_mutex_lock(&wq->lock);
	list_add_tail(&entry->node, &wq->head);
	pthread_mutex_unlock(&wq->lock);
}

void remove_wait_queue(wait_queue_head_t *wq, struct wait_queue_entry *entry)
{
	pthread_mutex_lock(&wq->lock);
	list_del(&entry->node);
	pthread_mutex_unlock(&wq->lock);
}

void wake_up_all(wait_queue_head_t *wq)
{
	struct wait_queue_entry *e;

	pthread_mutex_lock(&wq->lock);
	list_for_each_entry(e, &wq->head, node)
		wake_up_process(e->task);
	pthread_mutex_unlock(&wq->lock);
}

bool try_wait_for_completion(struct completion *x)
{
	unsigned int done = __atomic_load_n(&x->done, __ATOMIC_ACQUIRE);

	do {
		if (!done)
			return false;
	} while (!__atomic_compare_exchange_n(&x->done, &done, done - 1, true,
					      __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	return true;
}

void complete(struct completion *x)
{
	__atomic_fetch_add(&x->done, 1, __ATOMIC_RELEASE);
	wake_up_all(&x->wait);
}

void complete_all(struct completion *x)
{
	__atomic_store_n(&x->done, UINT_MAX / 2, __ATOMIC_RELEASE);
	wake_up_all(&x->wait);
}

void wait_for_completion(struct completion *x)
{
	wait_event(x->wait, try_wait_for_completion(x));
}

unsigned long wait_for_completion_timeout(struct completion *x,
					  unsigned long timeout)
{
	return wait_event_timeout(x->wait, try_wait_for_completion(x),
				  (long)timeout);
}

bool completion_done(struct completion *x)
{
	return __atomic_load_n(&x->done, __ATOMIC_ACQUIRE) != 0;
}
