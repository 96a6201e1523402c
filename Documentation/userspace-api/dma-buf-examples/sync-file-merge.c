// SPDX-License-Identifier: GPL-2.0-only
/*
 * Make two fences on a sw_sync timeline, merge them into one sync file,
 * list what it holds, then signal the timeline and wait with poll().
 * Needs CONFIG_SW_SYNC and debugfs; sw_sync is a testing interface.
 */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/sync_file.h>
#include <linux/types.h>

/* sw_sync has no uAPI header: its ioctls are declared by its users. */
struct sw_sync_create_fence_data {
	__u32 value;
	char name[32];
	__s32 fence;
};

#define SW_SYNC_IOC_CREATE_FENCE \
	_IOWR('W', 0, struct sw_sync_create_fence_data)
#define SW_SYNC_IOC_INC _IOW('W', 1, __u32)

static int make_fence(int timeline, __u32 value)
{
	struct sw_sync_create_fence_data data = { .value = value };

	snprintf(data.name, sizeof(data.name), "point %u", value);
	if (ioctl(timeline, SW_SYNC_IOC_CREATE_FENCE, &data) < 0)
		return -1;
	return data.fence;
}

int main(void)
{
	struct sync_fence_info fences[2];
	struct sync_file_info info;
	struct sync_merge_data merge;
	struct pollfd pfd;
	int timeline, a, b;
	__u32 step = 2;
	__u32 i;

	timeline = open("/sys/kernel/debug/sync/sw_sync", O_RDWR | O_CLOEXEC);
	if (timeline < 0) {
		perror("open sw_sync");
		return 1;
	}
	a = make_fence(timeline, 1);
	b = make_fence(timeline, 2);
	if (a < 0 || b < 0) {
		perror("SW_SYNC_IOC_CREATE_FENCE");
		return 1;
	}

	/* flags and pad must be zero; the result keeps the later point. */
	memset(&merge, 0, sizeof(merge));
	strcpy(merge.name, "merged");
	merge.fd2 = b;
	if (ioctl(a, SYNC_IOC_MERGE, &merge) < 0) {
		perror("SYNC_IOC_MERGE");
		return 1;
	}

	/* Ask with num_fences = 0 for the count, then with room for them. */
	memset(&info, 0, sizeof(info));
	if (ioctl(merge.fence, SYNC_IOC_FILE_INFO, &info) < 0 ||
	    info.num_fences > 2) {
		perror("SYNC_IOC_FILE_INFO");
		return 1;
	}
	info.sync_fence_info = (uintptr_t)fences;
	if (ioctl(merge.fence, SYNC_IOC_FILE_INFO, &info) < 0) {
		perror("SYNC_IOC_FILE_INFO");
		return 1;
	}
	for (i = 0; i < info.num_fences; i++)
		printf("%s on %s: status %d\n", fences[i].driver_name,
		       fences[i].obj_name, fences[i].status);

	/* Advance the timeline past both points: the merged file signals. */
	if (ioctl(timeline, SW_SYNC_IOC_INC, &step) < 0) {
		perror("SW_SYNC_IOC_INC");
		return 1;
	}
	pfd = (struct pollfd){ .fd = merge.fence, .events = POLLIN };
	if (poll(&pfd, 1, 1000) != 1) {
		fprintf(stderr, "the merged fence did not signal\n");
		return 1;
	}
	close(merge.fence);
	close(b);
	close(a);
	close(timeline);
	return 0;
}
