/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * irq_work: run a function soon, outside the caller's context.  One
 * worker thread plays the interrupt; it runs each function inside an RCU
 * read-side section, as the kernel's hard interrupt context is one.
 */
#ifndef SHIM_LINUX_IRQ_WORK_H
#define SHIM_LINUX_IRQ_WORK_H

#include <linux/kernel.h>

#define IRQ_WORK_PENDING 0x1u
#define IRQ_WORK_BUSY 0x2u

/**
 * struct irq_work - a function to run from the worker
 * @next: link in the worker's queue, under its lock
 * @flags: %IRQ_WORK_PENDING while queued, %IRQ_WORK_BUSY while running;
 *	atomic
 * @func: the function
 */
struct irq_work {
	struct irq_work *next;
	unsigned int flags;
	void (*func)(struct irq_work *work);
};

#define IRQ_WORK_INIT(f) ((struct irq_work){ .func = (f) })
#define DEFINE_IRQ_WORK(name, f) struct irq_work name = IRQ_WORK_INIT(f)

static inline void init_irq_work(struct irq_work *work,
				 void (*func)(struct irq_work *work))
{
	*work = IRQ_WORK_INIT(func);
}

bool irq_work_queue(struct irq_work *work);
void irq_work_sync(struct irq_work *work);
bool irq_work_is_busy(struct irq_work *work);
/* Waits until the worker has nothing queued or running. */
void shim_irq_work_flush_all(void);

#endif /* SHIM_LINUX_IRQ_WORK_H */
