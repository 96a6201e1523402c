// SPDX-License-Identifier: GPL-2.0-only
/*
 * The runtime behind the userspace shim headers (include/): tasks and
 * sleeping, locks, RCU, irq_work, work items, kthreads, kmalloc, printk
 * and WARN, seq_file, tracepoints.  Small and obviously correct is the
 * goal, not speed: what runs fast here is the shared code itself.
 */
#define _GNU_SOURCE
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/irq_work.h>
#include <linux/kthread.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/ww_mutex.h>
#include <trace/events/dma_fence.h>

#include <malloc.h>
#include <sched.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>

#include "shim.h"

/* ---- time ---- */

u64 shim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
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

void udelay(unsigned long usecs)
{
	u64 end = shim_now_ns() + (u64)usecs * NSEC_PER_USEC;

	while (shim_now_ns() < end)
		cpu_relax();
}

static void sleep_ns(u64 ns)
{
	struct timespec ts = { ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };

	might_sleep();
	while (nanosleep(&ts, &ts))
		;
}

void usleep_range(unsigned long min_us, unsigned long max_us)
{
	sleep_ns((u64)min_us * NSEC_PER_USEC);
}

void msleep(unsigned int msecs)
{
	sleep_ns((u64)msecs * NSEC_PER_MSEC);
}

void cond_resched(void)
{
	might_sleep();
	sched_yield();
}

unsigned int num_online_cpus(void)
{
	return (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
}

u32 get_random_u32(void)
{
	static __thread u64 state;

	if (!state)
		state = shim_now_ns() ^ (u64)(uintptr_t)&state;
	/* xorshift64* */
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return (u32)((state * 0x2545f4914f6cdd1dULL) >> 32);
}

/* ---- tasks ---- */

/* Per thread: its task, and how deep it is in atomic and RCU sections. */
static __thread struct task_struct *this_task;
static __thread int atomic_depth;
static __thread int rcu_depth;
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

static struct task_struct *task_new(const char *name)
{
	struct task_struct *t = calloc(1, sizeof(*t));

	if (!t)
		shim_bug(__FILE__, __LINE__, "out of memory for a task");
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->wake, NULL);
	snprintf(t->comm, sizeof(t->comm), "%s", name);
	return t;
}

static void task_adopt(struct task_struct *t)
{
	pthread_once(&task_key_once, task_key_init);
	this_task = t;
	pthread_setspecific(task_key, t);
}

struct task_struct *shim_current(void)
{
	if (unlikely(!this_task))
		task_adopt(task_new("thread"));
	return this_task;
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

/* ---- kthreads ---- */

static void *kthread_main(void *arg)
{
	struct task_struct *t = arg;

	task_adopt(t);
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
	t = task_new(name);
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

	task_adopt(s->task);
	s->fn(s->arg);
	return NULL;
}

void shim_run_on_thread(const char *name, void (*fn)(void *arg), void *arg)
{
	struct shim_thread_start s = { fn, arg, task_new(name) };
	pthread_t thread;

	s.task->is_kthread = true;	/* freed here, not by the key */
	if (pthread_create(&thread, NULL, shim_thread_main, &s))
		shim_bug(__FILE__, __LINE__, "pthread_create");
	pthread_join(thread, NULL);
	task_free(s.task);
}

/* ---- wait queues and completions ---- */

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

/* ---- lock ownership ---- */

bool shim_lock_held(const struct lockdep_map *map)
{
	return __atomic_load_n(&map->owner, __ATOMIC_RELAXED) == current;
}

void shim_lock_acquired(struct lockdep_map *map)
{
	__atomic_store_n(&map->owner, current, __ATOMIC_RELAXED);
}

void shim_lock_released(struct lockdep_map *map)
{
	WARN(!shim_lock_held(map), "releasing a lock %s does not hold\n",
	     current->comm);
	__atomic_store_n(&map->owner, NULL, __ATOMIC_RELAXED);
}

/* ---- atomic sections and spinlocks ---- */

bool shim_in_atomic(void)
{
	return atomic_depth > 0 || rcu_depth > 0;
}

bool preemptible(void)
{
	return !shim_in_atomic();
}

void preempt_disable(void)
{
	atomic_depth++;
	rcu_read_lock();
}

void preempt_enable(void)
{
	rcu_read_unlock();
	if (WARN_ON(atomic_depth <= 0))
		return;
	atomic_depth--;
}

void spin_lock_init(spinlock_t *lock)
{
	pthread_mutex_init(&lock->mutex, NULL);
	lock->dep_map.owner = NULL;
	lock->magic = SHIM_SPINLOCK_MAGIC;
}

static void spin_check_magic(spinlock_t *lock)
{
	if (unlikely(lock->magic != SHIM_SPINLOCK_MAGIC))
		shim_bug(__FILE__, __LINE__, "spinlock bad magic (never initialised)");
}

void spin_lock(spinlock_t *lock)
{
	spin_check_magic(lock);
	if (shim_lock_held(&lock->dep_map))
		shim_bug(__FILE__, __LINE__, "spinlock recursion");
	preempt_disable();
	pthread_mutex_lock(&lock->mutex);
	shim_lock_acquired(&lock->dep_map);
}

bool spin_trylock(spinlock_t *lock)
{
	spin_check_magic(lock);
	preempt_disable();
	if (pthread_mutex_trylock(&lock->mutex)) {
		preempt_enable();
		return false;
	}
	shim_lock_acquired(&lock->dep_map);
	return true;
}

void spin_unlock(spinlock_t *lock)
{
	spin_check_magic(lock);
	shim_lock_released(&lock->dep_map);
	pthread_mutex_unlock(&lock->mutex);
	preempt_enable();
}

/* ---- mutexes ---- */

void mutex_init(struct mutex *lock)
{
	pthread_mutex_init(&lock->wait_lock, NULL);
	pthread_cond_init(&lock->cond, NULL);
	lock->dep_map.owner = NULL;
}

static struct task_struct *mutex_owner(struct mutex *lock)
{
	return __atomic_load_n(&lock->dep_map.owner, __ATOMIC_RELAXED);
}

/* Waits for @lock with its wait_lock held; -EINTR on a signal if @intr. */
static int mutex_wait(struct mutex *lock, bool intr)
{
	while (mutex_owner(lock)) {
		if (intr && signal_pending(current))
			return -EINTR;
		pthread_cond_wait(&lock->cond, &lock->wait_lock);
	}
	shim_lock_acquired(&lock->dep_map);
	return 0;
}

int mutex_lock_interruptible(struct mutex *lock)
{
	int ret;

	might_sleep();
	if (shim_lock_held(&lock->dep_map))
		shim_bug(__FILE__, __LINE__, "mutex recursion");
	pthread_mutex_lock(&lock->wait_lock);
	ret = mutex_wait(lock, true);
	pthread_mutex_unlock(&lock->wait_lock);
	return ret;
}

void mutex_lock(struct mutex *lock)
{
	might_sleep();
	if (shim_lock_held(&lock->dep_map))
		shim_bug(__FILE__, __LINE__, "mutex recursion");
	pthread_mutex_lock(&lock->wait_lock);
	mutex_wait(lock, false);
	pthread_mutex_unlock(&lock->wait_lock);
}

bool mutex_trylock(struct mutex *lock)
{
	bool got;

	pthread_mutex_lock(&lock->wait_lock);
	got = !mutex_owner(lock);
	if (got)
		shim_lock_acquired(&lock->dep_map);
	pthread_mutex_unlock(&lock->wait_lock);
	return got;
}

void mutex_unlock(struct mutex *lock)
{
	pthread_mutex_lock(&lock->wait_lock);
	shim_lock_released(&lock->dep_map);
	pthread_cond_broadcast(&lock->cond);
	pthread_mutex_unlock(&lock->wait_lock);
}

bool mutex_is_locked(struct mutex *lock)
{
	return !!mutex_owner(lock);
}

/* ---- wound/wait mutexes (wait-die) ---- */

void ww_mutex_init(struct ww_mutex *lock, struct ww_class *ww_class)
{
	mutex_init(&lock->base);
	lock->ctx = NULL;
	lock->ww_class = ww_class;
}

void ww_acquire_init(struct ww_acquire_ctx *ctx, struct ww_class *ww_class)
{
	*ctx = (struct ww_acquire_ctx) {
		.task = current,
		.stamp = (u64)atomic64_inc_return(&ww_class->stamp),
		.ww_class = ww_class,
	};
}

void ww_acquire_done(struct ww_acquire_ctx *ctx)
{
	WARN_ON(ctx->done);
	ctx->done = true;
}

void ww_acquire_fini(struct ww_acquire_ctx *ctx)
{
	WARN(ctx->acquired, "%s with %u locks held\n", __func__, ctx->acquired);
}

/*
 * Take @lock for @ctx.  Dies with -EDEADLK when @ctx holds other locks
 * and @lock is held by an older context (never when @slow: the caller
 * holds nothing then).
 */
static int ww_lock(struct ww_mutex *lock, struct ww_acquire_ctx *ctx,
		   bool intr, bool slow)
{
	struct mutex *m = &lock->base;
	int ret = 0;

	might_sleep();
	if (ctx) {
		WARN_ON(ctx->task != current);
		WARN_ON(ctx->done);
		WARN_ON(ctx->ww_class != lock->ww_class);
		WARN_ON(slow && ctx->acquired);
	}
	pthread_mutex_lock(&m->wait_lock);
	if (ctx && lock->ctx == ctx) {
		ret = -EALREADY;
		goto out;
	}
	if (shim_lock_held(&m->dep_map))
		shim_bug(__FILE__, __LINE__, "ww_mutex recursion");
	while (mutex_owner(m)) {
		if (ctx && !slow && ctx->acquired && lock->ctx &&
		    lock->ctx->stamp < ctx->stamp) {
			ret = -EDEADLK;
			goto out;
		}
		if (intr && signal_pending(current)) {
			ret = -EINTR;
			goto out;
		}
		pthread_cond_wait(&m->cond, &m->wait_lock);
	}
	shim_lock_acquired(&m->dep_map);
	WRITE_ONCE(lock->ctx, ctx);
	if (ctx)
		ctx->acquired++;
out:
	pthread_mutex_unlock(&m->wait_lock);
	return ret;
}

int ww_mutex_lock(struct ww_mutex *lock, struct ww_acquire_ctx *ctx)
{
	return ww_lock(lock, ctx, false, false);
}

int ww_mutex_lock_interruptible(struct ww_mutex *lock,
				struct ww_acquire_ctx *ctx)
{
	return ww_lock(lock, ctx, true, false);
}

void ww_mutex_lock_slow(struct ww_mutex *lock, struct ww_acquire_ctx *ctx)
{
	ww_lock(lock, ctx, false, true);
}

int ww_mutex_lock_slow_interruptible(struct ww_mutex *lock,
				     struct ww_acquire_ctx *ctx)
{
	return ww_lock(lock, ctx, true, true);
}

int ww_mutex_trylock(struct ww_mutex *lock, struct ww_acquire_ctx *ctx)
{
	struct mutex *m = &lock->base;
	int got;

	pthread_mutex_lock(&m->wait_lock);
	got = !mutex_owner(m);
	if (got) {
		shim_lock_acquired(&m->dep_map);
		WRITE_ONCE(lock->ctx, ctx);
		if (ctx)
			ctx->acquired++;
	}
	pthread_mutex_unlock(&m->wait_lock);
	return got;
}

void ww_mutex_unlock(struct ww_mutex *lock)
{
	struct mutex *m = &lock->base;

	pthread_mutex_lock(&m->wait_lock);
	if (lock->ctx)
		lock->ctx->acquired--;
	WRITE_ONCE(lock->ctx, NULL);
	shim_lock_released(&m->dep_map);
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->wait_lock);
}

bool ww_mutex_is_locked(struct ww_mutex *lock)
{
	return mutex_is_locked(&lock->base);
}

/* ---- RCU ---- */

/*
 * Readers hold rcu_lock for reading; a grace period takes it for writing.
 * glibc's default rwlock prefers readers, so readers never wait for a
 * grace period (no deadlock however sections nest across threads); a
 * grace period may wait long under a stream of readers, which only delays
 * frees.
 */
static pthread_rwlock_t rcu_lock = PTHREAD_RWLOCK_INITIALIZER;

/* Callbacks waiting for a grace period, and the thread running them. */
static pthread_mutex_t rcu_cb_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rcu_cb_cond = PTHREAD_COND_INITIALIZER;
static struct rcu_head *rcu_cb_head, **rcu_cb_tail = &rcu_cb_head;
static unsigned long rcu_cb_queued, rcu_cb_done;
static pthread_once_t rcu_thread_once = PTHREAD_ONCE_INIT;

void rcu_read_lock(void)
{
	if (!rcu_depth++)
		pthread_rwlock_rdlock(&rcu_lock);
}

void rcu_read_unlock(void)
{
	if (WARN_ON(rcu_depth <= 0))
		return;
	if (!--rcu_depth)
		pthread_rwlock_unlock(&rcu_lock);
}

bool rcu_read_lock_held(void)
{
	return rcu_depth > 0;
}

void synchronize_rcu(void)
{
	if (rcu_depth)
		shim_bug(__FILE__, __LINE__, "grace period inside a read-side section");
	pthread_rwlock_wrlock(&rcu_lock);
	pthread_rwlock_unlock(&rcu_lock);
}

static void rcu_invoke(struct rcu_head *head)
{
	if (head->kfree_offset)
		kfree((char *)head - (head->kfree_offset - 1));
	else
		head->func(head);
}

static void *rcu_thread(void *unused)
{
	struct rcu_head *batch, *next;
	unsigned long n;

	pthread_mutex_lock(&rcu_cb_lock);
	for (;;) {
		while (!rcu_cb_head)
			pthread_cond_wait(&rcu_cb_cond, &rcu_cb_lock);
		/*
		 * Let a batch gather, as the kernel's grace periods do: one
		 * grace period per callback would have every reader that
		 * frees as it goes (a chain walk) wait for the last one.
		 */
		pthread_mutex_unlock(&rcu_cb_lock);
		usleep(200);
		pthread_mutex_lock(&rcu_cb_lock);
		batch = rcu_cb_head;
		rcu_cb_head = NULL;
		rcu_cb_tail = &rcu_cb_head;
		n = rcu_cb_queued;
		pthread_mutex_unlock(&rcu_cb_lock);

		synchronize_rcu();
		for (; batch; batch = next) {
			next = batch->next;
			rcu_invoke(batch);
		}

		pthread_mutex_lock(&rcu_cb_lock);
		rcu_cb_done = n;
		pthread_cond_broadcast(&rcu_cb_cond);
	}
	return NULL;
}

static void rcu_thread_start(void)
{
	pthread_t thread;

	if (pthread_create(&thread, NULL, rcu_thread, NULL))
		shim_bug(__FILE__, __LINE__, "pthread_create");
	pthread_detach(thread);
}

static void rcu_enqueue(struct rcu_head *head)
{
	pthread_once(&rcu_thread_once, rcu_thread_start);
	head->next = NULL;
	pthread_mutex_lock(&rcu_cb_lock);
	*rcu_cb_tail = head;
	rcu_cb_tail = &head->next;
	rcu_cb_queued++;
	pthread_cond_broadcast(&rcu_cb_cond);
	pthread_mutex_unlock(&rcu_cb_lock);
}

void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head))
{
	head->func = func;
	head->kfree_offset = 0;
	rcu_enqueue(head);
}

void shim_kfree_rcu(struct rcu_head *head, size_t offset)
{
	head->func = NULL;
	head->kfree_offset = offset + 1;
	rcu_enqueue(head);
}

void rcu_barrier(void)
{
	unsigned long target;

	pthread_mutex_lock(&rcu_cb_lock);
	target = rcu_cb_queued;
	while (rcu_cb_done < target)
		pthread_cond_wait(&rcu_cb_cond, &rcu_cb_lock);
	pthread_mutex_unlock(&rcu_cb_lock);
}

/* ---- irq_work ---- */

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

	task_adopt(task_new("irq_work"));
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
	pthread_t thread;

	if (pthread_create(&thread, NULL, irq_thread, NULL))
		shim_bug(__FILE__, __LINE__, "pthread_create");
	pthread_detach(thread);
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

/* ---- work items ---- */

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
	task_adopt(task_new("kworker"));
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

/* ---- memory ---- */

static long live_allocations;

long shim_live_allocations(void)
{
	return __atomic_load_n(&live_allocations, __ATOMIC_RELAXED);
}

/*
 * The kernel's fail-nth, for every allocation: a task whose fail_nth is
 * n > 0 counts it down at each allocation, and the one that brings it to
 * zero fails.  Threads without a task (none of the tests') never fail.
 */
static bool fail_this_allocation(void)
{
	struct task_struct *t = this_task;

	if (likely(!t || !t->fail_nth))
		return false;
	return --t->fail_nth == 0;
}

void *kmalloc(size_t size, gfp_t gfp)
{
	void *p;

	might_sleep_if(gfp & GFP_KERNEL);
	if (!size)
		return ZERO_SIZE_PTR;
	if (size > KMALLOC_MAX_SIZE || fail_this_allocation())
		return NULL;
	p = gfp & __GFP_ZERO ? calloc(1, size) : malloc(size);
	if (p)
		__atomic_fetch_add(&live_allocations, 1, __ATOMIC_RELAXED);
	return p;
}

size_t ksize(const void *p)
{
	if ((uintptr_t)p <= (uintptr_t)ZERO_SIZE_PTR)
		return 0;
	return malloc_usable_size((void *)p);
}

void kfree(const void *p)
{
	if ((uintptr_t)p <= (uintptr_t)ZERO_SIZE_PTR)
		return;
	__atomic_fetch_sub(&live_allocations, 1, __ATOMIC_RELAXED);
	free((void *)p);
}

void *krealloc(const void *p, size_t size, gfp_t gfp)
{
	void *n;

	if ((uintptr_t)p <= (uintptr_t)ZERO_SIZE_PTR)
		return kmalloc(size, gfp);
	if (!size) {
		kfree(p);
		return ZERO_SIZE_PTR;
	}
	/*
	 * Always an allocation, unlike the kernel's (which keeps a block the
	 * new size still fits in): what fits depends on the allocator, ASan's
	 * or glibc's, and the n-th allocation must be the same in every build.
	 */
	if (size > KMALLOC_MAX_SIZE || fail_this_allocation())
		return NULL;
	n = realloc((void *)p, size);
	return n;
}

/* ---- printk, WARN, BUG ---- */

static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;
static void (*warn_hook)(void);
static void (*printk_hook)(const char *line);

void shim_set_hooks(void (*on_warn)(void), void (*on_printk)(const char *line))
{
	warn_hook = on_warn;
	printk_hook = on_printk;
}

static void vprint(const char *prefix, const char *fmt, va_list ap)
{
	char line[1024];

	/* Strip a KERN_<level> prefix. */
	if (fmt[0] == '<' && fmt[1] && fmt[2] == '>')
		fmt += 3;
	vsnprintf(line, sizeof(line), fmt, ap);
	pthread_mutex_lock(&print_lock);
	fputs(prefix, stdout);
	fputs(line, stdout);
	if (!*line || line[strlen(line) - 1] != '\n')
		putchar('\n');
	fflush(stdout);
	pthread_mutex_unlock(&print_lock);
	if (printk_hook)
		printk_hook(line);
}

void shim_printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint("", fmt, ap);
	va_end(ap);
}

static void warn_report(void)
{
	if (warn_hook)
		warn_hook();
}

void shim_warn(const char *file, int line, const char *what)
{
	pr_warn("WARNING: %s:%d: %s (task %s)\n", file, line, what,
		current->comm);
	warn_report();
}

void shim_check(bool ok, const char *file, int line, const char *what)
{
	if (unlikely(!ok))
		shim_warn(file, line, what);
}

void shim_warn_fmt(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	pr_warn("WARNING: %s:%d: (task %s)\n", file, line, current->comm);
	va_start(ap, fmt);
	vprint("    ", fmt, ap);
	va_end(ap);
	warn_report();
}

void shim_bug(const char *file, int line, const char *what)
{
	pr_err("BUG: %s:%d: %s\n", file, line, what);
	abort();
}

/* ---- seq_file ---- */

void seq_printf(struct seq_file *m, const char *fmt, ...)
{
	size_t room = m->size - m->count;
	va_list ap;
	int len;

	if (m->count >= m->size)
		return;
	va_start(ap, fmt);
	len = vsnprintf(m->buf + m->count, room, fmt, ap);
	va_end(ap);
	/* Like the kernel: an overflow marks the buffer full. */
	m->count = len < 0 || (size_t)len >= room ? m->size : m->count + len;
}

void seq_puts(struct seq_file *m, const char *s)
{
	seq_printf(m, "%s", s);
}

void seq_putc(struct seq_file *m, char c)
{
	seq_printf(m, "%c", c);
}

/* ---- tracepoints ---- */

static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;

struct shim_tracepoint shim_tp_dma_fence_emit;
struct shim_tracepoint shim_tp_dma_fence_init;
struct shim_tracepoint shim_tp_dma_fence_destroy;
struct shim_tracepoint shim_tp_dma_fence_enable_signal;
struct shim_tracepoint shim_tp_dma_fence_signaled;
struct shim_tracepoint shim_tp_dma_fence_wait_start;
struct shim_tracepoint shim_tp_dma_fence_wait_end;

void shim_trace_fire(struct shim_tracepoint *tp, struct dma_fence *fence)
{
	shim_fence_probe_t probes[SHIM_TRACE_MAX_PROBES];
	void *data[SHIM_TRACE_MAX_PROBES];
	int i, n;

	pthread_mutex_lock(&trace_lock);
	n = tp->count;
	memcpy(probes, tp->probes, sizeof(probes));
	memcpy(data, tp->data, sizeof(data));
	pthread_mutex_unlock(&trace_lock);
	for (i = 0; i < n; i++)
		probes[i](data[i], fence);
}

int shim_trace_register(struct shim_tracepoint *tp, shim_fence_probe_t probe,
			void *data)
{
	int ret = -ENOMEM;

	pthread_mutex_lock(&trace_lock);
	if (tp->count < SHIM_TRACE_MAX_PROBES) {
		tp->probes[tp->count] = probe;
		tp->data[tp->count] = data;
		__atomic_store_n(&tp->count, tp->count + 1, __ATOMIC_RELEASE);
		ret = 0;
	}
	pthread_mutex_unlock(&trace_lock);
	return ret;
}

int shim_trace_unregister(struct shim_tracepoint *tp,
			  shim_fence_probe_t probe, void *data)
{
	int i, ret = -ENOENT;

	pthread_mutex_lock(&trace_lock);
	for (i = 0; i < tp->count; i++) {
		if (tp->probes[i] != probe || tp->data[i] != data)
			continue;
		tp->probes[i] = tp->probes[tp->count - 1];
		tp->data[i] = tp->data[tp->count - 1];
		__atomic_store_n(&tp->count, tp->count - 1, __ATOMIC_RELEASE);
		ret = 0;
		break;
	}
	pthread_mutex_unlock(&trace_lock);
	return ret;
}
