/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sleeping mutexes.  The owner is tracked by hand (in dep_map) so that
 * lockdep_is_held() works and so that ww_mutex can build on the same
 * structure: @wait_lock guards the ownership, @cond wakes waiters.
 */
#ifndef SHIM_LINUX_MUTEX_H
#define SHIM_LINUX_MUTEX_H

#include <linux/sched.h>

struct mutex {
	pthread_mutex_t wait_lock;
	pthread_cond_t cond;
	struct lockdep_map dep_map;	/* the owner */
};

#define __MUTEX_INITIALIZER(name) \
	{ PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, { NULL } }
#define DEFINE_MUTEX(name) struct mutex name = __MUTEX_INITIALIZER(name)

void mutex_init(struct mutex *lock);
void mutex_lock(struct mutex *lock);
int mutex_lock_interruptible(struct mutex *lock);
bool mutex_trylock(struct mutex *lock);
void mutex_unlock(struct mutex *lock);
bool mutex_is_locked(struct mutex *lock);
#define mutex_destroy(lock) SHIM_CHECK(!mutex_is_locked(lock))

#endif /* SHIM_LINUX_MUTEX_H */
