// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stands in for the kernel's locks: lockdep's held checks, atomic
 * sections, spinlocks, mutexes and wound/wait mutexes, all on POSIX
 * mutexes.  Lock owners are recorded, so that recursion is a BUG and a
 * release by another task a WARNING.  Limits: no lock ordering checks,
 * and ww_mutexes use wait-die only.
 */
#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/ww_mutex.h>

#include "internal.h"

/* Per thread: how deep it is in atomic sections. */
static __thread int atomic_depth;

bool shim_lock_held(const struct lockdep_map *map)
{
	return __atomic_load_n(&map->owner, __ATOMIC_RELAXED) == current;
}

void shim_lock_acquired(struct lockdep_map *map)
{
	__atomic_store_n(&map->owner, current, __ATOMIC_RELAXED);
}

void shim_lock_released(struct lockdep_map *map)
{
	WARN(!shim_lock_held(map), "releasing a lock %s does not hold\n",
	     current->comm);
	__atomic_store_n(&map->owner, NULL, __ATOMIC_RELAXED);
}

bool shim_in_atomic(void)
{
	return atomic_depth > 0 || rcu_read_lock_held();
}

bool preemptible(void)
{
	return !shim_in_atomic();
}

void preempt_disable(void)
{
	atomic_depth++;
	rcu_read_lock();
}

void preempt_enable(void)
{
	rcu_read_unlock();
	if (WARN_ON(atomic_depth <= 0))
		return;
	atomic_depth--;
}

void spin_lock_init(spinlock_t *lock)
{
	pthread_mutex_init(&lock->mutex, NULL);
	lock->dep_map.owner = NULL;
	lock->magic = SHIM_SPINLOCK_MAGIC;
}

static void spin_check_magic(spinlock_t *lock)
{
	if (unlikely(lock->magic != SHIM_SPINLOCK_MAGIC))
		shim_bug(__FILE__, __LINE__, "spinlock bad magic (never initialised)");
}

void spin_lock(spinlock_t *lock)
{
	spin_check_magic(lock);
	if (shim_lock_held(&lock->dep_map))
		shim_bug(__FILE__, __LINE__, "spinlock recursion");
	preempt_disable();
	pthread_mutex_lock(&lock->mutex);
	shim_lock_acquired(&lock->dep_map);
}

bool spin_trylock(spinlock_t *lock)
{
	spin_check_magic(lock);
	preempt_disable();
	if (pthread_mutex_trylock(&lock->mutex)) {
		preempt_enable();
		return false;
	}
	shim_lock_acquired(&lock->dep_map);
	return true;
}

void spin_unlock(spinlock_t *lock)
{
	spin_check_magic(lock);
	shim_lock_released(&lock->dep_map);
	pthread_mutex_unlock(&lock->mutex);
	preempt_enable();
}

void mutex_init(struct mutex *lock)
{
	pthread_mutex_init(&lock->wait_lock, NULL);
	pthread_cond_init(&lock->cond, NULL);
	lock->dep_map.owner = NULL;
}

static struct task_struct *mutex_owner(struct mutex *lock)
{
	return __atomic_load_n(&lock->dep_map.owner, __ATOMIC_RELAXED);
}

/* Waits for @lock with its wait_lock held; -EINTR on a signal if @intr. */
static int mutex_wait(struct mutex *lock, bool intr)
{
	while (mutex_owner(lock)) {
		if (intr && signal_pending(current))
			return -EINTR;
		pthread_cond_wait(&lock->cond, &lock->wait_lock);
	}
	shim_lock_acquired(&lock->dep_map);
	return 0;
}

int mutex_lock_interruptible(struct mutex *lock)
{
	int ret;

	might_sleep();
	if (shim_lock_held(&lock->dep_map))
		shim_bug(__FILE__, __LINE__, "mutex recursion");
	pthread_mutex_lock(&lock->wait_lock);
	ret = mutex_wait(lock, true);
	pthread_mutex_unlock(&lock->wait_lock);
	return ret;
}

void mutex_lock(struct mutex *lock)
{
	might_sleep();
	if (shim_lock_held(&lock->dep_map))
		shim_bug(__FILE__, __LINE__, "mutex recursion");
	pthread_mutex_lock(&lock->wait_lock);
	mutex_wait(lock, false);
	pthread_mutex_unlock(&lock->wait_lock);
}

bool mutex_trylock(struct mutex *lock)
{
	bool got;

	pthread_mutex_lock(&lock->wait_lock);
	got = !mutex_owner(lock);
	if (got)
		shim_lock_acquired(&lock->dep_map);
	pthread_mutex_unlock(&lock->wait_lock);
	return got;
}

void mutex_unlock(struct mutex *lock)
{
	pthread_mutex_lock(&lock->wait_lock);
	shim_lock_released(&lock->dep_map);
	pthread_cond_broadcast(&lock->cond);
	pthread_mutex_unlock(&lock->wait_lock);
}

bool mutex_is_locked(struct mutex *lock)
{
	return !!mutex_owner(lock);
}

void ww_mutex_init(struct ww_mutex *lock, struct ww_class *ww_class)
{
	mutex_init(&lock->base);
	lock->ctx = NULL;
	lock->ww_class = ww_class;
}

void ww_acquire_init(struct ww_acquire_ctx *ctx, struct ww_class *ww_class)
{
	*ctx = (struct ww_acquire_ctx) {
		.task = current,
		.stamp = (u64)atomic64_inc_return(&ww_class->stamp),
		.ww_class = ww_class,
	};
}

void ww_acquire_done(struct ww_acquire_ctx *ctx)
{
	WARN_ON(ctx->done);
	ctx->done = true;
}

void ww_acquire_fini(struct ww_acquire_ctx *ctx)
{
	WARN(ctx->acquired, "%s with %u locks held\n", __func__, ctx->acquired);
}

/*
 * Take @lock for @ctx.  Dies with -EDEADLK when @ctx holds other locks
 * and @lock is held by an older context (never when @slow: the caller
 * holds nothing then).
 */
static int ww_lock(struct ww_mutex *lock, struct ww_acquire_ctx *ctx,
		   bool intr, bool slow)
{
	struct mutex *m = &lock->base;
	int ret = 0;

	might_sleep();
	if (ctx) {
		WARN_ON(ctx->task != current);
		WARN_ON(ctx->done);
		WARN_ON(ctx->ww_class != lock->ww_class);
		WARN_ON(slow && ctx->acquired);
	}
	pthread_mutex_lock(&m->wait_lock);
	if (ctx && lock->ctx == ctx) {
		ret = -EALREADY;
		goto out;
	}
	if (shim_lock_held(&m->dep_map))
		shim_bug(__FILE__, __LINE__, "ww_mutex recursion");
	while (mutex_owner(m)) {
		if (ctx && !slow && ctx->acquired && lock->ctx &&
		    lock->ctx->stamp < ctx->stamp) {
			ret = -EDEADLK;
			goto out;
		}
		if (intr && signal_pending(current)) {
			ret = -EINTR;
			goto out;
		}
		pthread_cond_wait(&m->cond, &m->wait_lock);
	}
	shim_lock_acquired(&m->dep_map);
	WRITE_ONCE(lock->ctx, ctx);
	if (ctx)
		ctx->acquired++;
out:
	pthread_mutex_unlock(&m->wait_lock);
	return ret;
}

int ww_mutex_lock(struct ww_mutex *lock, struct ww_acquire_ctx *ctx)
{
	return ww_lock(lock, ctx, false, false);
}

int ww_mutex_lock_interruptible(struct ww_mutex *lock,
				struct ww_acquire_ctx *ctx)
{
	return ww_lock(lock, ctx, true, false);
}

void ww_mutex_lock_slow(struct ww_mutex *lock, struct ww_acquire_ctx *ctx)
{
	ww_lock(lock, ctx, false, true);
}

int ww_mutex_lock_slow_interruptible(struct ww_mutex *lock,
				     struct ww_acquire_ctx *ctx)
{
	return ww_lock(lock, ctx, true, true);
}

int ww_mutex_trylock(struct ww_mutex *lock, struct ww_acquire_ctx *ctx)
{
	struct mutex *m = &lock->base;
	int got;

	pthread_mutex_lock(&m->wait_lock);
	got = !mutex_owner(m);
	if (got) {
		shim_lock_acquired(&m->dep_map);
		WRITE_ONCE(lock->ctx, ctx);
		if (ctx)
			ctx->acquired++;
	}
	pthread_mutex_unlock(&m->wait_lock);
	return got;
}

void ww_mutex_unlock(struct ww_mutex *lock)
{
	struct mutex *m = &lock->base;

	pthread_mutex_lock(&m->wait_lock);
	if (lock->ctx)
		lock->ctx->acquired--;
	WRITE_ONCE(lock->ctx, NULL);
	shim_lock_released(&m->dep_map);
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->wait_lock);
}

bool ww_mutex_is_locked(struct ww_mutex *lock)
{
	return mutex_is_locked(&lock->base);
}
