/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tasks, sleeping and time.  Every thread gets a task_struct on first use
 * of current; a sleeping task waits on its own condition variable, and
 * wake_up_process() sets it back to TASK_RUNNING under the task's mutex,
 * so the kernel's "set the state, test the condition, schedule" pattern
 * loses no wakeups.  A jiffy is a millisecond of CLOCK_MONOTONIC.
 */
#ifndef SHIM_LINUX_SCHED_H
#define SHIM_LINUX_SCHED_H

#include <pthread.h>
#include <linux/spinlock.h>

#define TASK_RUNNING 0
#define TASK_INTERRUPTIBLE 1
#define TASK_UNINTERRUPTIBLE 2
#define TASK_NORMAL (TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE)

#define TIF_SIGPENDING 2

#define HZ 1000
#define MAX_SCHEDULE_TIMEOUT LONG_MAX
#define TASK_COMM_LEN 16

/**
 * struct task_struct - a thread, as far as the shared code is concerned
 * @lock: protects @state against the lost-wakeup race
 * @wake: signalled when @state goes back to %TASK_RUNNING
 * @state: %TASK_RUNNING or the sleep the task is about to enter
 * @flags: thread flags (%TIF_SIGPENDING), atomic bit operations
 * @comm: name, for messages
 * @thread: the pthread (kthreads only)
 * @fn: kthread function
 * @data: its argument
 * @result: its return value
 * @should_stop: set by kthread_stop()
 * @is_kthread: made by kthread_run(), joined by kthread_stop()
 * @fail_nth: as the kernel's, a countdown to a failed allocation; 0 for
 *	none
 */
struct task_struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int state;
	unsigned long flags;
	char comm[TASK_COMM_LEN];
	pthread_t thread;
	int (*fn)(void *data);
	void *data;
	int result;
	bool should_stop;
	bool is_kthread;
	unsigned int fail_nth;
};

struct task_struct *shim_current(void);
#define current shim_current()

void shim_set_state(struct task_struct *task, int state);
#define set_current_state(s) shim_set_state(current, s)
#define task_is_running(t) (READ_ONCE((t)->state) == TASK_RUNNING)
#define __set_current_state(s) shim_set_state(current, s)
int wake_up_process(struct task_struct *task);
long schedule_timeout(long timeout);
void schedule(void);
long schedule_timeout_uninterruptible(long timeout);
long schedule_timeout_interruptible(long timeout);

static inline void set_tsk_thread_flag(struct task_struct *t, int flag)
{
	set_bit(flag, &t->flags);
}

static inline void clear_tsk_thread_flag(struct task_struct *t, int flag)
{
	clear_bit(flag, &t->flags);
}

static inline bool test_tsk_thread_flag(struct task_struct *t, int flag)
{
	return test_bit(flag, &t->flags);
}

static inline bool signal_pending(struct task_struct *t)
{
	return test_tsk_thread_flag(t, TIF_SIGPENDING);
}

#define fatal_signal_pending(t) signal_pending(t)

/* Sleeping inside an atomic section is a bug the kernel reports too. */
bool shim_in_atomic(void);
#define might_sleep() SHIM_CHECK(!shim_in_atomic())
#define might_sleep_if(cond) do { if (cond) might_sleep(); } while (0)
void cond_resched(void);
unsigned int num_online_cpus(void);

/* Time. */
u64 shim_now_ns(void);
#define jiffies ((unsigned long)(shim_now_ns() / 1000000))
#define time_after(a, b) ((long)((b) - (a)) < 0)
#define time_before(a, b) time_after(b, a)
#define time_after_eq(a, b) ((long)((a) - (b)) >= 0)
#define time_before_eq(a, b) time_after_eq(b, a)
#define msecs_to_jiffies(ms) ((unsigned long)(ms))
#define jiffies_to_msecs(j) ((unsigned int)(j))
#define usecs_to_jiffies(us) DIV_ROUND_UP((unsigned long)(us), 1000)
#define NSEC_PER_USEC 1000L
#define NSEC_PER_MSEC 1000000L
#define NSEC_PER_SEC 1000000000L
#define USEC_PER_SEC 1000000L

static inline ktime_t ktime_get(void)
{
	return (ktime_t)shim_now_ns();
}

#define ktime_get_raw() ktime_get()
#define local_clock() shim_now_ns()
#define ktime_set(s, ns) ((ktime_t)(s) * NSEC_PER_SEC + (ns))
#define ktime_add(a, b) ((a) + (b))
#define ktime_sub(a, b) ((a) - (b))
#define ktime_add_ns(t, ns) ((t) + (ktime_t)(ns))
#define ktime_add_us(t, us) ((t) + (ktime_t)(us) * NSEC_PER_USEC)
#define ktime_add_ms(t, ms) ((t) + (ktime_t)(ms) * NSEC_PER_MSEC)
#define ktime_to_ns(t) ((s64)(t))
#define ktime_to_us(t) ((s64)(t) / NSEC_PER_USEC)
#define ktime_to_ms(t) ((s64)(t) / NSEC_PER_MSEC)
#define ns_to_ktime(ns) ((ktime_t)(ns))
#define ms_to_ktime(ms) ((ktime_t)(ms) * NSEC_PER_MSEC)
#define ktime_compare(a, b) ((a) < (b) ? -1 : (a) > (b) ? 1 : 0)
#define ktime_before(a, b) ((a) < (b))
#define ktime_after(a, b) ((a) > (b))
#define ktime_us_delta(a, b) ktime_to_us(ktime_sub(a, b))
#define ktime_ms_delta(a, b) ktime_to_ms(ktime_sub(a, b))

#include <linux/rcupdate.h>

#endif /* SHIM_LINUX_SCHED_H */
