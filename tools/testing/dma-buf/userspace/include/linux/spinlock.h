/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spinlock_t on a pthread mutex.  As in the kernel, holding a spinlock is
 * an RCU read-side critical section (preemption is off there), and
 * "interrupts off" is the same: there are no interrupts to mask.
 */
#ifndef SHIM_LINUX_SPINLOCK_H
#define SHIM_LINUX_SPINLOCK_H

#include <pthread.h>
#include <linux/lockdep.h>

/*
 * As CONFIG_DEBUG_SPINLOCK's: set by initialisation, checked by every lock
 * operation, so that a lock nobody initialised is a BUG even where its
 * memory happens to be zeroed.
 */
#define SHIM_SPINLOCK_MAGIC 0xdead4eadU

typedef struct {
	pthread_mutex_t mutex;
	struct lockdep_map dep_map;
	unsigned int magic;
} spinlock_t;

#define __SPIN_LOCK_UNLOCKED(name) {					\
	.mutex = PTHREAD_MUTEX_INITIALIZER, .magic = SHIM_SPINLOCK_MAGIC \
}

#define DEFINE_SPINLOCK(name) spinlock_t name = __SPIN_LOCK_UNLOCKED(name)

void spin_lock_init(spinlock_t *lock);
void spin_lock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);
bool spin_trylock(spinlock_t *lock);

#define spin_lock_irq(lock) spin_lock(lock)
#define spin_unlock_irq(lock) spin_unlock(lock)
#define spin_lock_bh(lock) spin_lock(lock)
#define spin_unlock_bh(lock) spin_unlock(lock)
#define spin_lock_irqsave(lock, flags) do { (flags) = 0; spin_lock(lock); } while (0)
#define spin_unlock_irqrestore(lock, flags) do { (void)(flags); spin_unlock(lock); } while (0)
#define assert_spin_locked(lock) lockdep_assert_held(lock)

/* Atomic sections: preemption or interrupts off. */
void preempt_disable(void);
void preempt_enable(void);
bool preemptible(void);
#define local_irq_save(flags) do { (flags) = 0; preempt_disable(); } while (0)
#define local_irq_restore(flags) do { (void)(flags); preempt_enable(); } while (0)
#define local_irq_disable() preempt_disable()
#define local_irq_enable() preempt_enable()

#endif /* SHIM_LINUX_SPINLOCK_H */
