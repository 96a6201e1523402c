// SPDX-License-Identifier: GPL-2.0-only
/*
 * The `make run` demo: two processes share a dma-buf through a unix
 * socket and synchronise on it implicitly.
 *
 * The writer fills the buffer under DMA_BUF_IOCTL_SYNC, then hangs a
 * pending sw_sync fence on it as a writer (a "GPU job" still rendering)
 * and passes both fds to the reader.  The reader finds the buffer busy,
 * merges the buffer's fences with the job's fence and prints the merged
 * sync_file, waits in poll() until the writer signals the job, and reads
 * what was written.  bufinfo, sync/info and, on a kernel with
 * CONFIG_DMA_FENCE_DEBUG, pending_fences are printed while the job is
 * pending: the last shows the job's fence with the poll callback the
 * reader's first poll() queued, the buffer and the sync files holding it.
 * The last line is a TAP result, so the test boot counts it.
 *
 * Buffers come from the system dma-heap when it exists, else from vgem.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>

#include "../selftests/dma-buf/common.h"

#define SIZE 4096
#define MESSAGE "written by the writer, read after its fence signaled"

/* DMA_HEAP_IOCTL_ALLOC, spelled out so the demo builds without heaps. */
struct heap_alloc {
	__u64 len;
	__u32 fd;
	__u32 fd_flags;
	__u64 heap_flags;
};

#define HEAP_ALLOC _IOWR('H', 0x0, struct heap_alloc)

static const char *who = "demo";

static void say(const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("[%5ld.%03ld] %-6s ", (long)ts.tv_sec, ts.tv_nsec / 1000000, who);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void fail(const char *what)
{
	say("FAILED: %s: %s", what, strerror(errno));
	printf("not ok 1 dmabuf_demo\n");
	exit(1);
}

static void cat(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	say("---- %s", path);
	while (fgets(line, sizeof(line), f))
		printf("         | %s", line);
	fclose(f);
}

static int buffer_from_heap(void)
{
	struct heap_alloc a = { .len = SIZE, .fd_flags = O_RDWR | O_CLOEXEC };
	int heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);

	if (heap < 0)
		return -1;
	if (ioctl(heap, HEAP_ALLOC, &a))
		fail("DMA_HEAP_IOCTL_ALLOC");
	close(heap);
	say("allocated %d bytes from the system dma-heap: dma-buf fd %d",
	    SIZE, a.fd);
	return a.fd;
}

static int buffer_from_vgem(void)
{
	int vgem = open_vgem(), buf;
	__u32 handle;

	if (vgem < 0)
		fail("no dma-heap and no vgem device");
	buf = vgem_dma_buf(vgem, SIZE, &handle);
	if (buf < 0) {
		errno = -buf;
		fail("a vgem buffer");
	}
	say("exported a %d-byte vgem buffer with PRIME: dma-buf fd %d",
	    SIZE, buf);
	/* The GEM object keeps the buffer; the device fd may go. */
	close(vgem);
	return buf;
}

static void cpu_access(int buf, __u64 dir, __u64 edge)
{
	struct dma_buf_sync s = { .flags = dir | edge };

	if (ioctl(buf, DMA_BUF_IOCTL_SYNC, &s))
		fail("DMA_BUF_IOCTL_SYNC");
}

static void send_fds(int sock, int a, int b)
{
	char data = 'x';
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(2 * sizeof(int))];
	} u = {};
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.space, .msg_controllen = sizeof(u.space),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	int fds[2] = { a, b };

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	if (sendmsg(sock, &msg, 0) != 1)
		fail("sendmsg");
}

static void recv_fds(int sock, int *a, int *b)
{
	char data;
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(2 * sizeof(int))];
	} u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.space, .msg_controllen = sizeof(u.space),
	};
	struct cmsghdr *c;
	int fds[2];

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		fail("recvmsg");
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		fail("no fds in the message");
	memcpy(fds, CMSG_DATA(c), sizeof(fds));
	*a = fds[0];
	*b = fds[1];
}

static void print_sync_file(int fd)
{
	struct sync_fence_info info[8];
	struct sync_file_info file = { .num_fences = 0 };
	unsigned int i;

	if (ioctl(fd, SYNC_IOC_FILE_INFO, &file))
		fail("SYNC_IOC_FILE_INFO (count)");
	if (file.num_fences > 8)
		file.num_fences = 8;
	file.sync_fence_info = (uintptr_t)info;
	if (ioctl(fd, SYNC_IOC_FILE_INFO, &file))
		fail("SYNC_IOC_FILE_INFO");
	say("sync_file \"%s\": status %d, %u fence(s):", file.name,
	    file.status, file.num_fences);
	for (i = 0; i < file.num_fences; i++)
		printf("         |   %s on %s: status %d\n", info[i].driver_name,
		       info[i].obj_name, info[i].status);
}

static int writer(int sock)
{
	struct sw_sync_create_fence_data job = { .value = 1 };
	struct dma_buf_import_sync_file imp = { .flags = DMA_BUF_SYNC_WRITE };
	__u32 one = 1;
	int buf, timeline;
	char *p;

	who = "writer";
	buf = buffer_from_heap();
	if (buf < 0)
		buf = buffer_from_vgem();
	p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	if (p == MAP_FAILED)
		fail("mmap");
	cpu_access(buf, DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_START);
	strcpy(p, MESSAGE);
	cpu_access(buf, DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_END);
	say("wrote \"%s\" under DMA_BUF_IOCTL_SYNC", MESSAGE);

	timeline = open(SW_SYNC_PATH, O_RDWR | O_CLOEXEC);
	if (timeline < 0)
		fail("open sw_sync");
	strcpy(job.name, "render-job");
	if (ioctl(timeline, SW_SYNC_IOC_CREATE_FENCE, &job))
		fail("SW_SYNC_IOC_CREATE_FENCE");
	imp.fd = job.fence;
	if (ioctl(buf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &imp))
		fail("DMA_BUF_IOCTL_IMPORT_SYNC_FILE");
	say("a render job (sw_sync point 1) now writes the buffer too");

	send_fds(sock, buf, job.fence);
	say("sent the buffer and the job's sync_file over a unix socket");

	/* Let the reader find the buffer busy, then finish the job. */
	if (read(sock, &one, 1) != 1)
		fail("read");
	usleep(300 * 1000);
	one = 1;
	say("the render job completes: SW_SYNC_IOC_INC");
	if (ioctl(timeline, SW_SYNC_IOC_INC, &one))
		fail("SW_SYNC_IOC_INC");
	munmap(p, SIZE);
	close(buf);
	close(job.fence);
	close(timeline);
	return 0;
}

static int reader(int sock)
{
	struct dma_buf_export_sync_file exp = { .flags = DMA_BUF_SYNC_READ };
	struct sync_merge_data merge = { .name = "buffer+job" };
	struct pollfd pfd = { .events = POLLIN };
	char text[sizeof(MESSAGE)];
	int buf, job;
	char *p;

	who = "reader";
	recv_fds(sock, &buf, &job);
	say("received dma-buf fd %d and sync_file fd %d", buf, job);
	pfd.fd = buf;
	say("poll(POLLIN) right away: %s",
	    poll(&pfd, 1, 0) == 0 ? "busy, a writer is pending" : "ready");

	if (ioctl(buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &exp))
		fail("DMA_BUF_IOCTL_EXPORT_SYNC_FILE");
	merge.fd2 = job;
	if (ioctl(exp.fd, SYNC_IOC_MERGE, &merge))
		fail("SYNC_IOC_MERGE");
	print_sync_file(merge.fence);
	cat("/sys/kernel/debug/dma_buf/bufinfo");
	cat("/sys/kernel/debug/sync/info");
	cat("/sys/kernel/debug/dma_buf/pending_fences");

	if (write(sock, "go", 1) != 1)
		fail("write");
	say("waiting in poll(POLLIN) for the writers to finish");
	if (poll(&pfd, 1, 10000) != 1)
		fail("poll timed out");
	say("poll returned POLLIN: the buffer is ready to read");
	print_sync_file(merge.fence);

	p = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, buf, 0);
	if (p == MAP_FAILED)
		fail("mmap");
	cpu_access(buf, DMA_BUF_SYNC_READ, DMA_BUF_SYNC_START);
	memcpy(text, p, sizeof(text));
	cpu_access(buf, DMA_BUF_SYNC_READ, DMA_BUF_SYNC_END);
	text[sizeof(text) - 1] = '\0';
	say("read \"%s\"", text);
	munmap(p, SIZE);
	close(merge.fence);
	close(exp.fd);
	close(job);
	close(buf);
	return strcmp(text, MESSAGE) != 0;
}

int main(void)
{
	int sv[2], status, bad;
	pid_t pid;

	say("two processes share one dma-buf and synchronise on it");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		fail("socketpair");
	pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0) {
		close(sv[0]);
		_exit(reader(sv[1]));
	}
	close(sv[1]);
	bad = writer(sv[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		bad = 1;
	printf("1..1\n%s 1 dmabuf_demo\n", bad ? "not ok" : "ok");
	return bad;
}
