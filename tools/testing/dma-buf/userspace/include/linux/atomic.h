/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * atomic_t, atomic64_t, cmpxchg() and the memory barriers, on the
 * compiler's __atomic builtins.  Value-returning operations are fully
 * ordered and the others relaxed, matching the kernel's rules.
 */
#ifndef SHIM_LINUX_ATOMIC_H
#define SHIM_LINUX_ATOMIC_H

#include <linux/kernel.h>

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	s64 counter;
} atomic64_t;

#define ATOMIC_INIT(i) { (i) }
#define ATOMIC64_INIT(i) { (i) }

/*
 * ThreadSanitizer does not model fences; under it the barriers are empty
 * and the orderings they give come from the atomics around them instead
 * (test_bit() acquires, the other bit operations release or are fully
 * ordered, refcounts are acquire-release).
 */
#ifdef __SANITIZE_THREAD__
#define shim_fence(order) barrier()
#else
#define shim_fence(order) __atomic_thread_fence(order)
#endif
#define smp_mb() shim_fence(__ATOMIC_SEQ_CST)
#define smp_rmb() shim_fence(__ATOMIC_ACQUIRE)
#define smp_wmb() shim_fence(__ATOMIC_RELEASE)
#define smp_mb__before_atomic() smp_mb()
#define smp_mb__after_atomic() smp_mb()
#define smp_load_acquire(p) __atomic_load_n(p, __ATOMIC_ACQUIRE)
#define smp_store_release(p, v) __atomic_store_n(p, v, __ATOMIC_RELEASE)

/* Both return the old value; cmpxchg() is fully ordered either way. */
#define cmpxchg(ptr, old, new) ({					\
	typeof(*(ptr)) _old = (old);					\
	__atomic_compare_exchange_n(ptr, &_old, new, false,		\
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);	\
	_old;								\
})
#define xchg(ptr, v) __atomic_exchange_n(ptr, v, __ATOMIC_SEQ_CST)

#define SHIM_ATOMIC_OPS(pfx, type, vt)					\
static inline vt pfx##_read(type v)					\
{									\
	return __atomic_load_n(&v->counter, SHIM_LOAD_ORDER);		\
}									\
static inline vt pfx##_read_acquire(type v)				\
{									\
	return __atomic_load_n(&v->counter, __ATOMIC_ACQUIRE);		\
}									\
static inline vt pfx##_inc_return_release(type v)			\
{									\
	return __atomic_add_fetch(&v->counter, 1, __ATOMIC_RELEASE);	\
}									\
static inline void pfx##_set(type v, vt i)				\
{									\
	__atomic_store_n(&v->counter, i, SHIM_STORE_ORDER);		\
}									\
static inline void pfx##_add(vt i, type v)				\
{									\
	__atomic_fetch_add(&v->counter, i, SHIM_RMW_ORDER);		\
}									\
static inline void pfx##_sub(vt i, type v)				\
{									\
	__atomic_fetch_sub(&v->counter, i, SHIM_RMW_ORDER);		\
}									\
static inline void pfx##_inc(type v)					\
{									\
	pfx##_add(1, v);						\
}									\
static inline void pfx##_dec(type v)					\
{									\
	pfx##_sub(1, v);						\
}									\
static inline vt pfx##_fetch_add(vt i, type v)				\
{									\
	return __atomic_fetch_add(&v->counter, i, __ATOMIC_SEQ_CST);	\
}									\
static inline vt pfx##_add_return(vt i, type v)			\
{									\
	return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST);	\
}									\
static inline vt pfx##_sub_return(vt i, type v)			\
{									\
	return __atomic_sub_fetch(&v->counter, i, __ATOMIC_SEQ_CST);	\
}									\
static inline vt pfx##_inc_return(type v)				\
{									\
	return pfx##_add_return(1, v);					\
}									\
static inline vt pfx##_dec_return(type v)				\
{									\
	return pfx##_sub_return(1, v);					\
}									\
static inline bool pfx##_dec_and_test(type v)				\
{									\
	return pfx##_sub_return(1, v) == 0;				\
}									\
static inline vt pfx##_cmpxchg(type v, vt old, vt new)		\
{									\
	return cmpxchg(&v->counter, old, new);				\
}									\
static inline vt pfx##_xchg(type v, vt new)				\
{									\
	return xchg(&v->counter, new);					\
}

/* The type argument is the pointer type the operations take. */
SHIM_ATOMIC_OPS(atomic, atomic_t *, int)
SHIM_ATOMIC_OPS(atomic64, atomic64_t *, s64)

#endif /* SHIM_LINUX_ATOMIC_H */
