/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmalloc() and friends on malloc().  The runner counts live allocations
 * to report what a test case leaked, the way kmemleak does in the boot.
 */
#ifndef SHIM_LINUX_SLAB_H
#define SHIM_LINUX_SLAB_H

#include <linux/overflow.h>
#include <linux/rcupdate.h>

#define __GFP_ZERO 0x1u
#define __GFP_NOWARN 0x2u
#define __GFP_NORETRY 0x4u
#define __GFP_RETRY_MAYFAIL 0x8u
#define GFP_KERNEL 0x10u
#define GFP_NOWAIT 0x20u
#define GFP_ATOMIC 0x40u
#define GFP_NOFS GFP_KERNEL

/* kmalloc() refuses sizes beyond this, as on x86-64 (4 MiB). */
#define KMALLOC_MAX_SIZE (4UL << 20)
#define ZERO_SIZE_PTR ((void *)16)

void *kmalloc(size_t size, gfp_t gfp);
void *krealloc(const void *p, size_t size, gfp_t gfp);
void kfree(const void *p);
long shim_live_allocations(void);
size_t ksize(const void *p);

/* What a kmalloc() of @size really provides: the next power of two. */
static inline size_t kmalloc_size_roundup(size_t size)
{
	size_t bucket = 8;

	if (size > KMALLOC_MAX_SIZE)
		return SIZE_MAX;
	while (bucket < size)
		bucket <<= 1;
	return bucket;
}

static inline void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}

static inline void *kmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	return kmalloc(size_mul(n, size), gfp);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	return kmalloc_array(n, size, gfp | __GFP_ZERO);
}

static inline void *krealloc_array(void *p, size_t n, size_t size, gfp_t gfp)
{
	return krealloc(p, size_mul(n, size), gfp);
}

static inline void *kmemdup(const void *src, size_t len, gfp_t gfp)
{
	void *p = kmalloc(len, gfp);

	if (p)
		memcpy(p, src, len);
	return p;
}

#define kvmalloc(size, gfp) kmalloc(size, gfp)
#define kvzalloc(size, gfp) kzalloc(size, gfp)
#define kvmalloc_array(n, size, gfp) kmalloc_array(n, size, gfp)
#define kvcalloc(n, size, gfp) kcalloc(n, size, gfp)
#define kvfree(p) kfree(p)

#endif /* SHIM_LINUX_SLAB_H */
