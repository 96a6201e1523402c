/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sequence counts.  Writers (serialised by their own lock) make the count
 * odd for the length of a change; readers retry when they saw it odd or
 * changed.  The lock-associated variants are the plain count with the
 * lock recorded: they share its layout, so one set of helpers serves all.
 */
#ifndef SHIM_LINUX_SEQLOCK_H
#define SHIM_LINUX_SEQLOCK_H

#include <linux/atomic.h>
#include <linux/spinlock.h>

typedef struct {
	unsigned int sequence;
} seqcount_t;

#define SHIM_SEQCOUNT_LOCKED(name, locktype)				\
	typedef struct {						\
		seqcount_t seqcount;					\
		locktype *lock;						\
	} name

struct ww_mutex;
struct mutex;
SHIM_SEQCOUNT_LOCKED(seqcount_spinlock_t, spinlock_t);
SHIM_SEQCOUNT_LOCKED(seqcount_mutex_t, struct mutex);
SHIM_SEQCOUNT_LOCKED(seqcount_ww_mutex_t, struct ww_mutex);

#define SEQCNT_ZERO(name) { 0 }
#define seqcount_init(s) (((seqcount_t *)(s))->sequence = 0)
#define seqcount_spinlock_init(s, l) \
	do { seqcount_init(s); (s)->lock = (l); } while (0)
#define seqcount_mutex_init(s, l) seqcount_spinlock_init(s, l)
#define seqcount_ww_mutex_init(s, l) seqcount_spinlock_init(s, l)

static inline unsigned int shim_seq_load(const void *s, int order)
{
	return __atomic_load_n(&((const seqcount_t *)s)->sequence, order);
}

static inline unsigned int shim_read_seqcount_begin(const void *s)
{
	unsigned int seq;

	while ((seq = shim_seq_load(s, __ATOMIC_ACQUIRE)) & 1)
		cpu_relax();
	return seq;
}

static inline bool shim_read_seqcount_retry(const void *s, unsigned int start)
{
	smp_rmb();
	return shim_seq_load(s, __ATOMIC_ACQUIRE) != start;
}

static inline void shim_write_seqcount_begin(void *s)
{
	seqcount_t *sc = s;

	__atomic_store_n(&sc->sequence, sc->sequence + 1, __ATOMIC_RELAXED);
	smp_wmb();
}

static inline void shim_write_seqcount_end(void *s)
{
	seqcount_t *sc = s;

	__atomic_store_n(&sc->sequence, sc->sequence + 1, __ATOMIC_RELEASE);
}

/* Moves the count on by a whole change: readers in flight retry. */
static inline void shim_write_seqcount_invalidate(void *s)
{
	seqcount_t *sc = s;

	smp_wmb();
	__atomic_store_n(&sc->sequence, sc->sequence + 2, __ATOMIC_RELEASE);
}

#define read_seqcount_begin(s) shim_read_seqcount_begin(s)
#define __read_seqcount_begin(s) shim_read_seqcount_begin(s)
#define raw_seqcount_begin(s) (shim_seq_load(s, __ATOMIC_ACQUIRE) & ~1u)
#define __read_seqcount_retry(s, start) shim_read_seqcount_retry(s, start)
#define write_seqcount_invalidate(s) shim_write_seqcount_invalidate(s)
#define raw_write_seqcount_barrier(s) shim_write_seqcount_invalidate(s)
#define raw_read_seqcount_begin(s) shim_read_seqcount_begin(s)
#define raw_read_seqcount(s) shim_seq_load(s, __ATOMIC_ACQUIRE)
#define read_seqcount_retry(s, start) shim_read_seqcount_retry(s, start)
#define raw_read_seqcount_retry(s, start) shim_read_seqcount_retry(s, start)
#define write_seqcount_begin(s) shim_write_seqcount_begin(s)
#define write_seqcount_end(s) shim_write_seqcount_end(s)
#define raw_write_seqcount_begin(s) shim_write_seqcount_begin(s)
#define raw_write_seqcount_end(s) shim_write_seqcount_end(s)

/* seqlock_t: a count with its own writer lock. */
typedef struct {
	seqcount_t seqcount;
	spinlock_t lock;	/* serialises the writers */
} seqlock_t;

static inline void seqlock_init(seqlock_t *sl)
{
	seqcount_init(&sl->seqcount);
	spin_lock_init(&sl->lock);
}

#define read_seqbegin(sl) read_seqcount_begin(&(sl)->seqcount)
#define read_seqretry(sl, start) read_seqcount_retry(&(sl)->seqcount, start)

static inline void write_seqlock(seqlock_t *sl)
{
	spin_lock(&sl->lock);
	write_seqcount_begin(&sl->seqcount);
}

static inline void write_sequnlock(seqlock_t *sl)
{
	write_seqcount_end(&sl->seqcount);
	spin_unlock(&sl->lock);
}

#endif /* SHIM_LINUX_SEQLOCK_H */
