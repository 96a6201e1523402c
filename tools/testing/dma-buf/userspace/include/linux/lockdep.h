/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A sliver of lockdep: every lock records the task holding it, so that
 * lockdep_assert_held(), lockdep_is_held() and rcu_dereference_protected()
 * check something real.  Lock classes and ordering are not tracked.
 */
#ifndef SHIM_LINUX_LOCKDEP_H
#define SHIM_LINUX_LOCKDEP_H

#include <linux/kernel.h>

struct task_struct;

struct lockdep_map {
	struct task_struct *owner;	/* atomic; NULL when free */
};

struct lock_class_key {
	int unused;
};

bool shim_lock_held(const struct lockdep_map *map);
void shim_lock_acquired(struct lockdep_map *map);
void shim_lock_released(struct lockdep_map *map);

#define lockdep_is_held(lock) shim_lock_held(&(lock)->dep_map)
#define lockdep_is_held_type(lock, r) lockdep_is_held(lock)
#define lockdep_assert_held(lock) SHIM_CHECK(lockdep_is_held(lock))
#define lockdep_assert_not_held(lock) SHIM_CHECK(!lockdep_is_held(lock))
#define lockdep_set_class(lock, key) ((void)(lock), (void)(key))
#define lockdep_set_class_and_name(lock, key, name) lockdep_set_class(lock, key)
#define lockdep_assert_irqs_disabled() do { } while (0)
#define might_lock(lock) ((void)(lock))
#define lock_map_acquire(map) ((void)(map))
#define lock_map_acquire_read(map) ((void)(map))
#define lock_map_release(map) ((void)(map))

#endif /* SHIM_LINUX_LOCKDEP_H */
