/* SPDX-License-Identifier: GPL-2.0-only */
/* What the shim's runtime (shim/) offers the runner and the benchmarks. */
#ifndef SHIM_RUNTIME_H
#define SHIM_RUNTIME_H

#include <linux/kernel.h>

/* Runs @fn(@arg) on a new thread with a fresh task, and waits for it. */
void shim_run_on_thread(const char *name, void (*fn)(void *arg), void *arg);
/* Called on every WARN, and with every printed line. */
void shim_set_hooks(void (*on_warn)(void), void (*on_printk)(const char *line));
long shim_live_allocations(void);
void shim_irq_work_flush_all(void);
void rcu_barrier(void);

#endif /* SHIM_RUNTIME_H */
