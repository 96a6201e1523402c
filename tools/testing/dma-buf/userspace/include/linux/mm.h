/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Just enough memory-management vocabulary for the lock-order priming
 * code and its test: an mm with its mmap lock, and reclaim markers.
 */
#ifndef SHIM_LINUX_MM_H
#define SHIM_LINUX_MM_H

#include <pthread.h>
#include <linux/slab.h>

struct mm_struct {
	pthread_rwlock_t mmap_lock;
};

struct address_space {
	pthread_rwlock_t i_mmap_rwsem;
};

static inline struct mm_struct *mm_alloc(void)
{
	struct mm_struct *mm = kzalloc(sizeof(*mm), GFP_KERNEL);

	if (mm)
		pthread_rwlock_init(&mm->mmap_lock, NULL);
	return mm;
}

static inline void mmput(struct mm_struct *mm)
{
	pthread_rwlock_destroy(&mm->mmap_lock);
	kfree(mm);
}

#define mmap_read_lock(mm) pthread_rwlock_rdlock(&(mm)->mmap_lock)
#define mmap_read_unlock(mm) pthread_rwlock_unlock(&(mm)->mmap_lock)
#define mmap_write_lock(mm) pthread_rwlock_wrlock(&(mm)->mmap_lock)
#define mmap_write_unlock(mm) pthread_rwlock_unlock(&(mm)->mmap_lock)
#define address_space_init_once(m) pthread_rwlock_init(&(m)->i_mmap_rwsem, NULL)
#define i_mmap_lock_write(m) pthread_rwlock_wrlock(&(m)->i_mmap_rwsem)
#define i_mmap_unlock_write(m) pthread_rwlock_unlock(&(m)->i_mmap_rwsem)
#define fs_reclaim_acquire(gfp) ((void)(gfp))
#define fs_reclaim_release(gfp) ((void)(gfp))

#endif /* SHIM_LINUX_MM_H */
