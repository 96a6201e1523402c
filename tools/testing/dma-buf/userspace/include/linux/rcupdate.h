/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * RCU, simply: read-side sections hold a process-wide reader lock (only
 * the outermost of nested sections takes it) and a grace period is taking
 * that lock for writing once.  Callbacks queued with call_rcu() or
 * kfree_rcu() run on a reclaim thread after a grace period.  Slow next to
 * the real thing, but ThreadSanitizer and valgrind understand every edge.
 */
#ifndef SHIM_LINUX_RCUPDATE_H
#define SHIM_LINUX_RCUPDATE_H

#include <linux/kernel.h>

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
	size_t kfree_offset;	/* kfree_rcu(): the head's offset, plus one */
};

void rcu_read_lock(void);
void rcu_read_unlock(void);
bool rcu_read_lock_held(void);
void synchronize_rcu(void);
void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head));
void shim_kfree_rcu(struct rcu_head *head, size_t offset);
void rcu_barrier(void);

#define kfree_rcu(ptr, field) \
	shim_kfree_rcu(&(ptr)->field, offsetof(typeof(*(ptr)), field))

#define RCU_INITIALIZER(v) ((typeof(v))(v))
#define rcu_dereference(p) __atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#define rcu_dereference_raw(p) rcu_dereference(p)
#define rcu_dereference_check(p, c) rcu_dereference(p)
#define rcu_dereference_protected(p, c) ({				\
	SHIM_CHECK(c);							\
	READ_ONCE(p);							\
})
#define rcu_access_pointer(p) READ_ONCE(p)
#define rcu_assign_pointer(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)
#define RCU_INIT_POINTER(p, v) WRITE_ONCE(p, v)
#define rcu_replace_pointer(p, v, c) ({					\
	typeof(p) _old = rcu_dereference_protected(p, c);		\
	rcu_assign_pointer(p, v);					\
	_old;								\
})
#define unrcu_pointer(p) ((typeof(p))(p))
#define rcu_pointer_handoff(p) (p)

#endif /* SHIM_LINUX_RCUPDATE_H */
