/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel threads as pthreads; kthread_stop() joins them. */
#ifndef SHIM_LINUX_KTHREAD_H
#define SHIM_LINUX_KTHREAD_H

#include <linux/sched.h>

__printf(3, 4)
struct task_struct *kthread_run(int (*fn)(void *data), void *data,
				const char *namefmt, ...);
int kthread_stop(struct task_struct *task);
bool kthread_should_stop(void);

#endif /* SHIM_LINUX_KTHREAD_H */
