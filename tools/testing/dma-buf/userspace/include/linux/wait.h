/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Wait queues and completions, built like the kernel's: a queue is a
 * list of sleeping tasks, and waking it wakes each of them.
 */
#ifndef SHIM_LINUX_WAIT_H
#define SHIM_LINUX_WAIT_H

#include <linux/list.h>
#include <linux/sched.h>

/**
 * struct wait_queue_head - tasks sleeping until a condition holds
 * @lock: protects @head
 * @head: the sleeping tasks' &struct wait_queue_entry
 */
struct wait_queue_head {
	pthread_mutex_t lock;
	struct list_head head;
};

typedef struct wait_queue_head wait_queue_head_t;

struct wait_queue_entry {
	struct list_head node;
	struct task_struct *task;
};

#define __WAIT_QUEUE_HEAD_INITIALIZER(name) \
	{ PTHREAD_MUTEX_INITIALIZER, LIST_HEAD_INIT((name).head) }
#define DECLARE_WAIT_QUEUE_HEAD(name) \
	wait_queue_head_t name = __WAIT_QUEUE_HEAD_INITIALIZER(name)

void init_waitqueue_head(wait_queue_head_t *wq);
void add_wait_queue(wait_queue_head_t *wq, struct wait_queue_entry *entry);
void remove_wait_queue(wait_queue_head_t *wq, struct wait_queue_entry *entry);
/* Wakes every task on @wq; they test their conditions again. */
void wake_up_all(wait_queue_head_t *wq);
#define wake_up(wq) wake_up_all(wq)
#define wake_up_interruptible(wq) wake_up_all(wq)
#define wake_up_interruptible_all(wq) wake_up_all(wq)

/*
 * The kernel's pattern: queue the task, set its state, test @cond,
 * schedule.  wake_up_process() on the task ends the sleep too, as in the
 * kernel (kthread_stop() relies on it).  Returns the jiffies left (at
 * least 1) once @cond holds, 0 on timeout, -ERESTARTSYS when @intr and a
 * signal is pending.
 */
#define shim_wait_event(wq, cond, intr, timeout) ({			\
	struct wait_queue_entry _e = { .task = current };		\
	long _left = (timeout);						\
	add_wait_queue(wq, &_e);					\
	for (;;) {							\
		set_current_state((intr) ? TASK_INTERRUPTIBLE :		\
					   TASK_UNINTERRUPTIBLE);	\
		if (cond) {						\
			_left = max(_left, 1L);				\
			break;						\
		}							\
		if ((intr) && signal_pending(current)) {		\
			_left = -ERESTARTSYS;				\
			break;						\
		}							\
		if (!_left)						\
			break;						\
		_left = schedule_timeout(_left);			\
	}								\
	__set_current_state(TASK_RUNNING);				\
	remove_wait_queue(wq, &_e);					\
	_left;								\
})

#define wait_event(wq, cond) \
	((void)shim_wait_event(&(wq), cond, false, MAX_SCHEDULE_TIMEOUT))
#define wait_event_timeout(wq, cond, timeout) \
	shim_wait_event(&(wq), cond, false, timeout)
#define wait_event_interruptible(wq, cond) ({				\
	long _r = shim_wait_event(&(wq), cond, true, MAX_SCHEDULE_TIMEOUT); \
	_r < 0 ? (int)_r : 0;						\
})
#define wait_event_interruptible_timeout(wq, cond, timeout) \
	shim_wait_event(&(wq), cond, true, timeout)

struct completion {
	unsigned int done;	/* atomic */
	wait_queue_head_t wait;
};

static inline void init_completion(struct completion *x)
{
	x->done = 0;
	init_waitqueue_head(&x->wait);
}

#define reinit_completion(x) WRITE_ONCE((x)->done, 0)
bool try_wait_for_completion(struct completion *x);
void complete(struct completion *x);
void complete_all(struct completion *x);
void wait_for_completion(struct completion *x);
unsigned long wait_for_completion_timeout(struct completion *x,
					  unsigned long timeout);
bool completion_done(struct completion *x);

#endif /* SHIM_LINUX_WAIT_H */
