/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync_file: export a fence to userspace as a file descriptor, and get the
 * fence back from such a descriptor.  The uAPI (poll, merge, info,
 * deadline) is in include/uapi/linux/sync_file.h.
 */
#ifndef _LINUX_SYNC_FILE_H
#define _LINUX_SYNC_FILE_H

#include <linux/dma-fence.h>
#include <linux/dma-fence-array.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

/**
 * struct sync_file - a fence behind a file descriptor
 * @file: the anonymous file; its private_data points back here.  Set at
 *	creation, owned by the VFS (the sync file is freed when it is
 *	released).
 * @user_name: name given by userspace (merge, sw_sync), or empty for a
 *	name made up from the fence; written before the file is published,
 *	read-only after (the pending-fence view of %CONFIG_DMA_FENCE_DEBUG
 *	may read it meanwhile, and tolerates a torn copy)
 * @sync_file_list: with %CONFIG_DMA_FENCE_DEBUG, the node on the list of
 *	every sync file, which the pending-fence view searches for the files
 *	holding a fence; otherwise unused, and initialised empty
 * @wq: poll() waiters, woken once the fence signals
 * @flags: %POLL_ENABLED once poll() has queued @cb (atomic bit ops)
 * @fence: the fence (maybe a container); one reference held by the sync
 *	file, set at creation and never changed
 * @cb: callback on @fence that wakes @wq; queued at most once, by the
 *	first poll(), and removed on release if still pending
 */
struct sync_file {
	struct file		*file;
	char			user_name[32];
#ifdef CONFIG_DEBUG_FS
	struct list_head	sync_file_list;
#endif
	wait_queue_head_t	wq;
	unsigned long		flags;
	struct dma_fence	*fence;
	struct dma_fence_cb	cb;
};

/* Bit of &sync_file.flags: poll() has queued &sync_file.cb. */
#define POLL_ENABLED 0

struct sync_file *sync_file_create(struct dma_fence *fence);
struct dma_fence *sync_file_get_fence(int fd);
char *sync_file_get_name(struct sync_file *sync_file, char *buf, int len);

#endif /* _LINUX_SYNC_FILE_H */
