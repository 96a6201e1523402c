/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Sync files: a fence handed to userspace as a file descriptor.
 *
 * A sync file wraps one fence (possibly a container of many).  Userspace
 * can poll() it (POLLIN once the fence has signaled), merge two of them
 * into a new one, list the fences inside, and tell the drivers by when the
 * result is needed.
 */
#ifndef _UAPI_LINUX_SYNC_H
#define _UAPI_LINUX_SYNC_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct sync_merge_data - argument of %SYNC_IOC_MERGE
 * @name: in: name for the new sync file, NUL-terminated within 32 bytes
 *	(a longer one is cut short)
 * @fd2: in: the sync file to merge with the one the ioctl is called on
 * @fence: out: the new sync file's descriptor (close-on-exec)
 * @flags: in: no flags exist; must be zero
 * @pad: reserved, must be zero
 */
struct sync_merge_data {
	char	name[32];
	__s32	fd2;
	__s32	fence;
	__u32	flags;
	__u32	pad;
};

/**
 * struct sync_fence_info - one fence, as listed by %SYNC_IOC_FILE_INFO
 * @obj_name: the fence's timeline name
 * @driver_name: the name of the driver that made the fence
 * @status: 1 once signaled without error, 0 while pending, a negative
 *	errno once signaled with that error
 * @flags: no flags are reported yet; always zero
 * @timestamp_ns: CLOCK_MONOTONIC time the fence signaled at, in
 *	nanoseconds; 0 while it is pending
 */
struct sync_fence_info {
	char	obj_name[32];
	char	driver_name[32];
	__s32	status;
	__u32	flags;
	__u64	timestamp_ns;
};

/**
 * struct sync_file_info - argument of %SYNC_IOC_FILE_INFO
 * @name: out: the sync file's name
 * @status: out: the file's status, with the meaning of
 *	&sync_fence_info.status
 * @flags: in: no flags exist; must be zero
 * @num_fences: in: how many &struct sync_fence_info fit at
 *	@sync_fence_info, or 0 to ask only for the count; out: how many
 *	fences the file holds
 * @pad: reserved, must be zero
 * @sync_fence_info: in: user pointer to an array of @num_fences
 *	&struct sync_fence_info, filled when @num_fences is not 0
 *
 * Call it once with @num_fences at 0 to learn the count, then again with
 * room for that many.  Too little room gives -EINVAL.
 */
struct sync_file_info {
	char	name[32];
	__s32	status;
	__u32	flags;
	__u32	num_fences;
	__u32	pad;

	__u64	sync_fence_info;
};

/**
 * struct sync_set_deadline - argument of %SYNC_IOC_SET_DEADLINE
 * @deadline_ns: CLOCK_MONOTONIC time, in nanoseconds, by which the caller
 *	would like the fences of the file to signal
 * @pad: reserved, must be zero
 *
 * The deadline is a hint passed to the fences' drivers (for example the
 * next vblank a compositor wants to hit); it changes no fence state.
 */
struct sync_set_deadline {
	__u64	deadline_ns;
	__u64	pad;
};

#define SYNC_IOC_MAGIC		'>'

/*
 * Numbers 0 to 2 belonged to ioctls of the old staging driver and are
 * not reused.
 */

/* Merge the fences of two sync files into a new sync file. */
#define SYNC_IOC_MERGE		_IOWR(SYNC_IOC_MAGIC, 3, struct sync_merge_data)

/* Report the sync file's status and, on request, its fences one by one. */
#define SYNC_IOC_FILE_INFO	_IOWR(SYNC_IOC_MAGIC, 4, struct sync_file_info)

/* Tell the drivers by when the sync file's fences are needed. */
#define SYNC_IOC_SET_DEADLINE	_IOW(SYNC_IOC_MAGIC, 5, struct sync_set_deadline)

#endif /* _UAPI_LINUX_SYNC_H */
