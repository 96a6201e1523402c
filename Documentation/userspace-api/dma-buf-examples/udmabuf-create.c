// SPDX-License-Identifier: GPL-2.0-only
/*
 * Turn two pages of a sealed memfd into a dma-buf with UDMABUF_CREATE.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/udmabuf.h>

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	struct udmabuf_create create = { .flags = UDMABUF_FLAGS_CLOEXEC };
	int memfd, dev, buf;

	memfd = memfd_create("udmabuf-example", MFD_ALLOW_SEALING);
	if (memfd < 0 || ftruncate(memfd, 2 * page) < 0) {
		perror("memfd");
		return 1;
	}
	/*
	 * The memfd must not shrink under the buffer: F_SEAL_SHRINK is
	 * required, and F_SEAL_WRITE is refused (the buffer is writable).
	 */
	if (fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
		perror("F_ADD_SEALS");
		return 1;
	}

	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		perror("open /dev/udmabuf");
		return 1;
	}
	create.memfd = memfd;
	create.offset = 0;		/* page aligned */
	create.size = 2 * page;		/* page aligned, not zero */
	buf = ioctl(dev, UDMABUF_CREATE, &create);
	if (buf < 0) {
		perror("UDMABUF_CREATE");
		return 1;
	}
	printf("dma-buf fd %d covers %ld bytes of the memfd\n", buf, 2 * page);
	close(buf);
	close(dev);
	close(memfd);
	return 0;
}
