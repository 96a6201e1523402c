// SPDX-License-Identifier: GPL-2.0-only
/*
 * Allocate a buffer from the system dma-heap, name it, and write to it
 * from the CPU between the two halves of DMA_BUF_IOCTL_SYNC.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

static int cpu_sync(int buf, __u64 flags)
{
	struct dma_buf_sync sync = { .flags = flags };
	int ret;

	/* The start may wait for device work: retry when a signal cut it. */
	do {
		ret = ioctl(buf, DMA_BUF_IOCTL_SYNC, &sync);
	} while (ret < 0 && (errno == EINTR || errno == EAGAIN));
	return ret;
}

int main(void)
{
	struct dma_heap_allocation_data alloc = {
		.len = 4096,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	char *map;
	int heap;

	heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (heap < 0) {
		perror("open /dev/dma_heap/system");
		return 1;
	}
	/* alloc.fd must be zero on entry; it is the new buffer on return. */
	if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &alloc) < 0) {
		perror("DMA_HEAP_IOCTL_ALLOC");
		return 1;
	}
	close(heap);

	/* Shows up in /sys/kernel/debug/dma_buf/bufinfo and fdinfo. */
	if (ioctl(alloc.fd, DMA_BUF_SET_NAME_B, "example") < 0)
		perror("DMA_BUF_SET_NAME");

	map = mmap(NULL, alloc.len, PROT_READ | PROT_WRITE, MAP_SHARED,
		   alloc.fd, 0);
	if (map == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	if (cpu_sync(alloc.fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE) < 0) {
		perror("DMA_BUF_IOCTL_SYNC start");
		return 1;
	}
	strcpy(map, "hello from the CPU");
	if (cpu_sync(alloc.fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE) < 0) {
		perror("DMA_BUF_IOCTL_SYNC end");
		return 1;
	}
	munmap(map, alloc.len);
	close(alloc.fd);
	return 0;
}
