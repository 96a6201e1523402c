/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * refcount_t and kref.  Like the kernel's refcount_t these warn on the
 * uses that mean a bug: taking a reference on a dead object, or dropping
 * more references than were taken.
 */
#ifndef SHIM_LINUX_KREF_H
#define SHIM_LINUX_KREF_H

#include <linux/atomic.h>

typedef struct {
	atomic_t refs;
} refcount_t;

struct kref {
	refcount_t refcount;
};

#define REFCOUNT_INIT(n) { .refs = ATOMIC_INIT(n) }
#define KREF_INIT(n) { .refcount = REFCOUNT_INIT(n) }

static inline void refcount_set(refcount_t *r, int n)
{
	atomic_set(&r->refs, n);
}

static inline unsigned int refcount_read(const refcount_t *r)
{
	return __atomic_load_n(&r->refs.counter, SHIM_LOAD_ORDER);
}

static inline void refcount_inc(refcount_t *r)
{
	int old = __atomic_fetch_add(&r->refs.counter, 1, __ATOMIC_RELAXED);

	WARN(old <= 0, "refcount_t: addition on 0; use-after-free\n");
}

static inline bool refcount_inc_not_zero(refcount_t *r)
{
	int old = atomic_read(&r->refs);

	do {
		if (!old)
			return false;
	} while (!__atomic_compare_exchange_n(&r->refs.counter, &old, old + 1,
					      true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return true;
}

/* Acquire-release: whoever frees sees every earlier user's writes. */
static inline bool refcount_dec_and_test(refcount_t *r)
{
	int old = __atomic_fetch_sub(&r->refs.counter, 1, __ATOMIC_ACQ_REL);

	WARN(old <= 0, "refcount_t: underflow; use-after-free\n");
	return old == 1;
}

static inline void kref_init(struct kref *kref)
{
	refcount_set(&kref->refcount, 1);
}

static inline unsigned int kref_read(const struct kref *kref)
{
	return refcount_read(&kref->refcount);
}

static inline void kref_get(struct kref *kref)
{
	refcount_inc(&kref->refcount);
}

static inline int kref_put(struct kref *kref,
			   void (*release)(struct kref *kref))
{
	if (!refcount_dec_and_test(&kref->refcount))
		return 0;
	release(kref);
	return 1;
}

static inline int __must_check kref_get_unless_zero(struct kref *kref)
{
	return refcount_inc_not_zero(&kref->refcount);
}

#endif /* SHIM_LINUX_KREF_H */
