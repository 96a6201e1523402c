/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Work items.  Each scheduled item runs on a thread of its own (after its
 * delay, for delayed work); flushing joins that thread.
 */
#ifndef SHIM_LINUX_WORKQUEUE_H
#define SHIM_LINUX_WORKQUEUE_H

#include <linux/sched.h>

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

/**
 * struct work_struct - a function to run on another thread
 * @func: the function
 * @thread: the thread running it, valid while @started and not joined
 * @started: a thread was made and not yet joined (under the shim's lock)
 * @delay_ms: wait this long before running (delayed work)
 */
struct work_struct {
	work_func_t func;
	pthread_t thread;
	bool started;
	unsigned long delay_ms;
};

struct delayed_work {
	struct work_struct work;
};

struct workqueue_struct;
extern struct workqueue_struct *system_wq;

#define INIT_WORK(w, f) (*(w) = (struct work_struct){ .func = (f) })
#define INIT_WORK_ONSTACK(w, f) INIT_WORK(w, f)
#define INIT_DELAYED_WORK(w, f) INIT_WORK(&(w)->work, f)
#define INIT_DELAYED_WORK_ONSTACK(w, f) INIT_DELAYED_WORK(w, f)
#define destroy_work_on_stack(w) ((void)(w))
#define destroy_delayed_work_on_stack(w) ((void)(w))

bool shim_queue_work(struct work_struct *work, unsigned long delay);
bool flush_work(struct work_struct *work);
#define schedule_work(w) shim_queue_work(w, 0)
#define queue_work(wq, w) shim_queue_work(w, 0)
#define schedule_delayed_work(dw, delay) shim_queue_work(&(dw)->work, delay)
#define queue_delayed_work(wq, dw, delay) schedule_delayed_work(dw, delay)
#define flush_delayed_work(dw) flush_work(&(dw)->work)
#define cancel_work_sync(w) flush_work(w)
#define cancel_delayed_work_sync(dw) flush_work(&(dw)->work)

#endif /* SHIM_LINUX_WORKQUEUE_H */
