/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Wound/wait mutexes with the wait-die rule: a context that already holds
 * locks and finds one held by an older context backs off with -EDEADLK,
 * otherwise it waits.  Waits only ever go from older to younger contexts,
 * so they cannot form a cycle.  Callers see the kernel's contract either
 * way: -EDEADLK means "unlock everything, take this one slowly, retry".
 */
#ifndef SHIM_LINUX_WW_MUTEX_H
#define SHIM_LINUX_WW_MUTEX_H

#include <linux/atomic.h>
#include <linux/mutex.h>

struct ww_class {
	atomic64_t stamp;
	const char *name;
};

/**
 * struct ww_acquire_ctx - one transaction taking several ww_mutexes
 * @task: the task running it
 * @stamp: age; smaller is older and wins
 * @acquired: locks held by the transaction
 * @done: ww_acquire_done() was called: no more locks may be taken
 * @ww_class: the class all its locks belong to
 */
struct ww_acquire_ctx {
	struct task_struct *task;
	u64 stamp;
	unsigned int acquired;
	bool done;
	struct ww_class *ww_class;
};

/**
 * struct ww_mutex - a mutex taken as part of transactions
 * @base: the mutex; its wait_lock also protects @ctx
 * @ctx: the transaction holding it, or NULL
 * @ww_class: the class, for checking
 */
struct ww_mutex {
	struct mutex base;	/* its wait_lock also protects ctx */
	struct ww_acquire_ctx *ctx;
	struct ww_class *ww_class;
};

#define DEFINE_WW_CLASS(name) struct ww_class name = { ATOMIC64_INIT(0), #name }
#define DEFINE_WD_CLASS(name) DEFINE_WW_CLASS(name)

void ww_mutex_init(struct ww_mutex *lock, struct ww_class *ww_class);
void ww_acquire_init(struct ww_acquire_ctx *ctx, struct ww_class *ww_class);
void ww_acquire_done(struct ww_acquire_ctx *ctx);
void ww_acquire_fini(struct ww_acquire_ctx *ctx);
int ww_mutex_lock(struct ww_mutex *lock, struct ww_acquire_ctx *ctx);
int ww_mutex_lock_interruptible(struct ww_mutex *lock,
				struct ww_acquire_ctx *ctx);
void ww_mutex_lock_slow(struct ww_mutex *lock, struct ww_acquire_ctx *ctx);
int ww_mutex_lock_slow_interruptible(struct ww_mutex *lock,
				     struct ww_acquire_ctx *ctx);
int ww_mutex_trylock(struct ww_mutex *lock, struct ww_acquire_ctx *ctx);
void ww_mutex_unlock(struct ww_mutex *lock);
bool ww_mutex_is_locked(struct ww_mutex *lock);
#define ww_mutex_destroy(lock) mutex_destroy(&(lock)->base)

#endif /* SHIM_LINUX_WW_MUTEX_H */
