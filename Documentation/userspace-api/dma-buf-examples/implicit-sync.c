// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bridge implicit and explicit sync on a dma-buf: take the fences a
 * writer must wait for as a sync file, and put a fence of our own into
 * the buffer so that implicit-sync readers wait for it.
 * Usage: implicit-sync DMABUF_FD SYNC_FILE_FD (both inherited).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/dma-buf.h>

int main(int argc, char **argv)
{
	struct dma_buf_export_sync_file out = { .flags = DMA_BUF_SYNC_WRITE };
	struct dma_buf_import_sync_file in = { .flags = DMA_BUF_SYNC_WRITE };
	struct pollfd pfd;
	int buf;

	if (argc != 3) {
		fprintf(stderr, "usage: %s DMABUF_FD SYNC_FILE_FD\n", argv[0]);
		return 2;
	}
	buf = atoi(argv[1]);
	in.fd = atoi(argv[2]);

	/* A writer waits for every reader and writer: ask for that. */
	if (ioctl(buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &out) < 0) {
		perror("DMA_BUF_IOCTL_EXPORT_SYNC_FILE");
		return 1;
	}
	pfd = (struct pollfd){ .fd = out.fd, .events = POLLIN };
	if (poll(&pfd, 1, -1) < 0) {
		perror("poll");
		return 1;
	}
	close(out.fd);

	/* Our write, finished when the sync file signals, is now implicit. */
	if (ioctl(buf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &in) < 0) {
		perror("DMA_BUF_IOCTL_IMPORT_SYNC_FILE");
		return 1;
	}
	return 0;
}
