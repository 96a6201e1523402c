// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stands in for RCU: read-side sections, synchronize_rcu(), call_rcu(),
 * kfree_rcu() and rcu_barrier(), on one reader/writer lock.  Callbacks run
 * on one thread of their own, in batches after a grace period.  Limits: a
 * grace period waits for every reader of the process, not just the ones
 * that were there when it started.
 */
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include <unistd.h>

#include "internal.h"

/* Per thread: how deep it is in RCU read-side sections. */
static __thread int rcu_depth;

/*
 * Readers hold rcu_lock for reading; a grace period takes it for writing.
 * glibc's default rwlock prefers readers, so readers never wait for a
 * grace period (no deadlock however sections nest across threads); a
 * grace period may wait long under a stream of readers, which only delays
 * frees.
 */
static pthread_rwlock_t rcu_lock = PTHREAD_RWLOCK_INITIALIZER;

/* Callbacks waiting for a grace period, and the thread running them. */
static pthread_mutex_t rcu_cb_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rcu_cb_cond = PTHREAD_COND_INITIALIZER;
static struct rcu_head *rcu_cb_head, **rcu_cb_tail = &rcu_cb_head;
static unsigned long rcu_cb_queued, rcu_cb_done;
static pthread_once_t rcu_thread_once = PTHREAD_ONCE_INIT;

void rcu_read_lock(void)
{
	if (!rcu_depth++)
		pthread_rwlock_rdlock(&rcu_lock);
}

void rcu_read_unlock(void)
{
	if (WARN_ON(rcu_depth <= 0))
		return;
	if (!--rcu_depth)
		pthread_rwlock_unlock(&rcu_lock);
}

bool rcu_read_lock_held(void)
{
	return rcu_depth > 0;
}

void synchronize_rcu(void)
{
	if (rcu_depth)
		shim_bug(__FILE__, __LINE__, "grace period inside a read-side section");
	pthread_rwlock_wrlock(&rcu_lock);
	pthread_rwlock_unlock(&rcu_lock);
}

static void rcu_invoke(struct rcu_head *head)
{
	if (head->kfree_offset)
		kfree((char *)head - (head->kfree_offset - 1));
	else
		head->func(head);
}

static void *rcu_thread(void *unused)
{
	struct rcu_head *batch, *next;
	unsigned long n;

	pthread_mutex_lock(&rcu_cb_lock);
	for (;;) {
		while (!rcu_cb_head)
			pthread_cond_wait(&rcu_cb_cond, &rcu_cb_lock);
		/*
		 * Let a batch gather, as the kernel's grace periods do: one
		 * grace period per callback would have every reader that
		 * frees as it goes (a chain walk) wait for the last one.
		 */
		pthread_mutex_unlock(&rcu_cb_lock);
		usleep(200);
		pthread_mutex_lock(&rcu_cb_lock);
		batch = rcu_cb_head;
		rcu_cb_head = NULL;
		rcu_cb_tail = &rcu_cb_head;
		n = rcu_cb_queued;
		pthread_mutex_unlock(&rcu_cb_lock);

		synchronize_rcu();
		for (; batch; batch = next) {
			next = batch->next;
			rcu_invoke(batch);
		}

		pthread_mutex_lock(&rcu_cb_lock);
		rcu_cb_done = n;
		pthread_cond_broadcast(&rcu_cb_cond);
	}
	return NULL;
}

static void rcu_thread_start(void)
{
	shim_start_detached(rcu_thread);
}

static void rcu_enqueue(struct rcu_head *head)
{
	pthread_once(&rcu_thread_once, rcu_thread_start);
	head->next = NULL;
	pthread_mutex_lock(&rcu_cb_lock);
	*rcu_cb_tail = head;
	rcu_cb_tail = &head->next;
	rcu_cb_queued++;
	pthread_cond_broadcast(&rcu_cb_cond);
	pthread_mutex_unlock(&rcu_cb_lock);
}

void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head))
{
	head->func = func;
	head->kfree_offset = 0;
	rcu_enqueue(head);
}

void shim_kfree_rcu(struct rcu_head *head, size_t offset)
{
	head->func = NULL;
	head->kfree_offset = offset + 1;
	rcu_enqueue(head);
}

void rcu_barrier(void)
{
	unsigned long target;

	pthread_mutex_lock(&rcu_cb_lock);
	target = rcu_cb_queued;
	while (rcu_cb_done < target)
		pthread_cond_wait(&rcu_cb_cond, &rcu_cb_lock);
	pthread_mutex_unlock(&rcu_cb_lock);
}
