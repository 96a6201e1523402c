// SPDX-License-Identifier: GPL-2.0-only
/*
 * difftest_user: the userspace half of the differential test.
 *
 * The same static binary runs on our kernel and on the pristine 6.1 one;
 * a harness compares the two outputs line by line.  Every line is one
 * observation, "<suite>.<case> <text>", of what an ioctl or a file
 * operation answered: return values, errno names, statuses, counts, poll
 * masks and the text of fdinfo, /proc/self/fd links and debugfs files.
 * Nothing that legitimately changes from one boot of a kernel to the next
 * is printed as it is:
 *
 *  - descriptor numbers, pointers and timestamps are never printed (a
 *    timestamp only as present or absent);
 *  - fdinfo's mount id ("mnt_id:", which depends on the order in which
 *    boot-time mounts happen to be made) becomes "<mnt>";
 *  - inode numbers in fdinfo ("ino:"), in debugfs bufinfo and in
 *    "type:[N]" link names become "<ino>";
 *  - fence context numbers inside the default sync_file names
 *    ("driver-timeline<context>-<seqno>") become c0, c1, ... in the order
 *    they are first printed, the map reset at the start of most scripted
 *    cases and of every random sequence, so that two names on one
 *    context still show;
 *  - the pointers and timestamps of debugfs sync/info become "<ptr>" and
 *    "@<ts>", and the object and byte totals of bufinfo (other buffers
 *    may exist) "<n>".
 *
 * What is printed as it is includes F_GETFL in octal,
 * bufinfo's flags, mode and count columns and GEM/syncobj handle numbers:
 * they are stable from one boot of a kernel to the next.
 *
 * After the scripted cases come <sequences> short random sequences drawn
 * from a splitmix64 generator seeded with <seed>, over two or three
 * sw_sync timelines, their sync files and merges and one or two dma-bufs.
 * Nothing blocks: polls take a zero timeout, and DMA_BUF_IOCTL_SYNC's
 * START (which waits for the buffer's fences) is issued in a random
 * sequence only after a poll said it would not wait, and in the scripted
 * cases only under an interval timer, whose EINTR is the observation.
 *
 * Usage: difftest_user <seed> [sequences]
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <drm/vgem_drm.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/sync_file.h>
#include <linux/udmabuf.h>

#include "../../selftests/dma-buf/common.h"

#define PAGE 4096UL
#define LINE_MAX_OUT 200
#define MAX_FENCES 16
#define HEAP_DIR "/dev/dma_heap"
#define BUFINFO_PATH "/sys/kernel/debug/dma_buf/bufinfo"
#define SELF_NAME "difftest_user"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define __printf(f, a) __attribute__((format(printf, f, a)))

/* SYNC_IOC_SET_DEADLINE came after 6.1: built here by hand. */
struct dt_sync_set_deadline {
	__u64 deadline_ns;
	__u64 pad;
};

#define DT_SYNC_IOC_SET_DEADLINE \
	_IOW(SYNC_IOC_MAGIC, 5, struct dt_sync_set_deadline)

/* ------------------------------------------------------------------ */
/* Output */

static void emit(const char *name, const char *fmt, ...) __printf(2, 3);

/* One line: "<name> <text>", non-printables escaped, at most 200 chars. */
static void emit(const char *name, const char *fmt, ...)
{
	char raw[1024], out[LINE_MAX_OUT + 1];
	size_t n = 0, i;
	va_list ap;
	int len;

	len = snprintf(out, sizeof(out), "%s ", name);
	if (len < 0 || len >= LINE_MAX_OUT)
		len = 0;
	n = len;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	for (i = 0; raw[i] && n < LINE_MAX_OUT; i++) {
		unsigned char c = raw[i];

		if (c >= 0x20 && c < 0x7f) {
			out[n++] = c;
		} else if (n + 4 <= LINE_MAX_OUT) {
			snprintf(out + n, 5, "\\x%02x", c);
			n += 4;
		} else {
			break;
		}
	}
	out[n] = '\0';
	puts(out);
}

static const struct {
	int err;
	const char *name;
} errnames[] = {
	{ EPERM, "EPERM" },
	{ ENOENT, "ENOENT" },
	{ ESRCH, "ESRCH" },
	{ EINTR, "EINTR" },
	{ EIO, "EIO" },
	{ ENXIO, "ENXIO" },
	{ E2BIG, "E2BIG" },
	{ ENOEXEC, "ENOEXEC" },
	{ EBADF, "EBADF" },
	{ ECHILD, "ECHILD" },
	{ EAGAIN, "EAGAIN" },
	{ ENOMEM, "ENOMEM" },
	{ EACCES, "EACCES" },
	{ EFAULT, "EFAULT" },
	{ EBUSY, "EBUSY" },
	{ EEXIST, "EEXIST" },
	{ EXDEV, "EXDEV" },
	{ ENODEV, "ENODEV" },
	{ ENOTDIR, "ENOTDIR" },
	{ EISDIR, "EISDIR" },
	{ EINVAL, "EINVAL" },
	{ ENFILE, "ENFILE" },
	{ EMFILE, "EMFILE" },
	{ ENOTTY, "ENOTTY" },
	{ EFBIG, "EFBIG" },
	{ ENOSPC, "ENOSPC" },
	{ ESPIPE, "ESPIPE" },
	{ EROFS, "EROFS" },
	{ EPIPE, "EPIPE" },
	{ ERANGE, "ERANGE" },
	{ EDEADLK, "EDEADLK" },
	{ ENAMETOOLONG, "ENAMETOOLONG" },
	{ ENODATA, "ENODATA" },
	{ ETIME, "ETIME" },
	{ EOVERFLOW, "EOVERFLOW" },
	{ EBADFD, "EBADFD" },
	{ EOPNOTSUPP, "EOPNOTSUPP" },
	{ ETIMEDOUT, "ETIMEDOUT" },
	{ ECANCELED, "ECANCELED" },
};

/* An errno by name; those not listed as "E<number>". */
static const char *errname(int e)
{
	static char buf[4][16];
	static int slot;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(errnames); i++)
		if (errnames[i].err == e)
			return errnames[i].name;
	slot = (slot + 1) % 4;
	snprintf(buf[slot], sizeof(buf[slot]), "E%d", e);
	return buf[slot];
}

/* A result: "0", a small number, or an errno name (r is -errno). */
static const char *rs(long r)
{
	static char buf[8][24];
	static int slot;

	if (r < 0)
		return errname((int)-r);
	slot = (slot + 1) % 8;
	snprintf(buf[slot], sizeof(buf[slot]), "%ld", r);
	return buf[slot];
}

/* A result that is a new descriptor on success: "fd", or the errno. */
static const char *fdr(long r)
{
	return r >= 0 ? "fd" : errname((int)-r);
}

static const char *fence_status(int s)
{
	static char buf[4][24];
	static int slot;

	if (s > 0)
		return s == 1 ? "signaled" : "status>1";
	if (s == 0)
		return "active";
	slot = (slot + 1) % 4;
	snprintf(buf[slot], sizeof(buf[slot]), "error:%s", errname(-s));
	return buf[slot];
}

static long xio(int fd, unsigned long req, void *arg)
{
	long r = ioctl(fd, req, arg);

	return r < 0 ? -errno : r;
}

static void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* ------------------------------------------------------------------ */
/* Masking */

static unsigned long long ctx_seen[64];
static int ctx_count;

static void ctx_reset(void)
{
	ctx_count = 0;
}

static int ctx_label(unsigned long long c)
{
	int i;

	for (i = 0; i < ctx_count; i++)
		if (ctx_seen[i] == c)
			return i;
	if (ctx_count == (int)ARRAY_SIZE(ctx_seen))
		return 99;
	ctx_seen[ctx_count] = c;
	return ctx_count++;
}

/*
 * A default sync_file name is "<driver>-<timeline><context>-<seqno>";
 * the timeline names seen here end in a letter, so the digits before the
 * last '-' are the context.  Other names (merges name their file) stay.
 */
static void mask_fence_name(const char *in, char *out, size_t len)
{
	const char *dash = strrchr(in, '-'), *q, *p;
	unsigned long long ctx;

	if (dash && dash > in && dash[-1] == '-')
		dash--; /* a negative seqno */
	if (!dash || !dash[1])
		goto keep;
	p = dash + 1;
	if (*p == '-')
		p++;
	if (!*p)
		goto keep;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			goto keep;
	q = dash;
	while (q > in && isdigit((unsigned char)q[-1]))
		q--;
	if (q == dash || q == in || !memchr(in, '-', q - in))
		goto keep;
	ctx = strtoull(q, NULL, 10);
	snprintf(out, len, "%.*sc%d%s", (int)(q - in), in, ctx_label(ctx),
		 dash);
	return;
keep:
	snprintf(out, len, "%s", in);
}

/*
 * "ino:\t123" -> "ino:\t<ino>", "mnt_id:\t13" -> "mnt_id:\t<mnt>" and
 * "type:[123]" -> "type:[<ino>]".
 */
static void mask_text(const char *in, char *out, size_t len)
{
	const char *lb = strstr(in, ":[");

	if (!strncmp(in, "ino:", 4)) {
		snprintf(out, len, "ino:\t<ino>");
		return;
	}
	if (!strncmp(in, "mnt_id:", 7)) {
		snprintf(out, len, "mnt_id:\t<mnt>");
		return;
	}
	if (lb && isdigit((unsigned char)lb[2])) {
		const char *e = lb + 2;

		while (isdigit((unsigned char)*e))
			e++;
		snprintf(out, len, "%.*s:[<ino>%s", (int)(lb - in), in, e);
		return;
	}
	snprintf(out, len, "%s", in);
}

/* ------------------------------------------------------------------ */
/* Descriptors the kernel may have installed without telling us */

static unsigned char fd_open_before[1024];

static void fds_snapshot(void)
{
	int i;

	for (i = 0; i < 1024; i++)
		fd_open_before[i] = fcntl(i, F_GETFD) >= 0;
}

/* Closes what appeared since fds_snapshot(), returns how many. */
static int fds_close_new(void)
{
	int i, n = 0;

	for (i = 0; i < 1024; i++)
		if (!fd_open_before[i] && fcntl(i, F_GETFD) >= 0) {
			close(i);
			n++;
		}
	return n;
}

/*
 * A read-only page holding a copy of @len bytes of @data: for the ioctls
 * that read their argument, act, and then fail to write the answer back.
 * One at a time; ro_release() unmaps it.
 */
static void *ro_copy_page;

static void *ro_copy(const void *data, size_t len)
{
	ro_copy_page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro_copy_page == MAP_FAILED) {
		ro_copy_page = NULL;
		return NULL;
	}
	memcpy(ro_copy_page, data, len);
	mprotect(ro_copy_page, PAGE, PROT_READ);
	return ro_copy_page;
}

static void ro_release(void)
{
	if (ro_copy_page)
		munmap(ro_copy_page, PAGE);
	ro_copy_page = NULL;
}

/* ------------------------------------------------------------------ */
/* Files and text */

static void print_file_lines(const char *name, const char *path,
			     const char *prefix)
{
	char l[512], m[512];
	FILE *f = fopen(path, "r");

	if (!f) {
		emit(name, "%s%s", prefix, errname(errno));
		return;
	}
	while (fgets(l, sizeof(l), f)) {
		l[strcspn(l, "\n")] = '\0';
		mask_text(l, m, sizeof(m));
		emit(name, "%s%s", prefix, m);
	}
	fclose(f);
}

static void print_fdinfo(const char *name, int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	print_file_lines(name, path, "fdinfo ");
}

static void print_link(const char *name, int fd)
{
	char path[64], l[256], m[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, l, sizeof(l) - 1);
	if (n < 0) {
		emit(name, "link %s", errname(errno));
		return;
	}
	l[n] = '\0';
	mask_text(l, m, sizeof(m));
	emit(name, "link %s", m);
}

static void print_fd_flags(const char *name, int fd)
{
	int fl = fcntl(fd, F_GETFL), fdf = fcntl(fd, F_GETFD);

	/* F_GETFL is the file's f_flags as they are, in octal. */
	emit(name, "getfl=%o accmode=%d nonblock=%d cloexec=%d", fl,
	     fl & O_ACCMODE, !!(fl & O_NONBLOCK), !!(fdf & FD_CLOEXEC));
}

/* ------------------------------------------------------------------ */
/* sw_sync and sync files */

static int tl_open(const char *comm)
{
	int fd;

	/* A timeline is named after the task that opened it. */
	prctl(PR_SET_NAME, comm, 0, 0, 0);
	fd = open(SW_SYNC_PATH, O_RDWR | O_CLOEXEC);
	prctl(PR_SET_NAME, SELF_NAME, 0, 0, 0);
	return fd;
}

static int merge(int a, int b, const char *nm)
{
	struct sync_merge_data d = { .fd2 = b };
	long r;

	snprintf(d.name, sizeof(d.name), "%s", nm);
	r = xio(a, SYNC_IOC_MERGE, &d);
	return r < 0 ? (int)r : d.fence;
}

/* Status with num_fences 0 (the fence's own status), or -errno. */
static long sf_status(int fd, __u32 *num)
{
	struct sync_file_info info = { 0 };
	long r = xio(fd, SYNC_IOC_FILE_INFO, &info);

	if (num)
		*num = info.num_fences;
	return r < 0 ? r : info.status;
}

/*
 * Everything FILE_INFO tells about a sync file, on one line: the status
 * asked with num_fences 0 and with the fences, the count, the masked name
 * and per fence timeline:driver:status:timestamp-presence.
 */
static void sf_describe(const char *name, const char *tag, int fd)
{
	struct sync_fence_info fi[MAX_FENCES];
	struct sync_file_info info = { 0 };
	char text[400], nm[64];
	int status0;
	size_t n;
	__u32 i;
	long r;

	r = xio(fd, SYNC_IOC_FILE_INFO, &info);
	if (r < 0) {
		emit(name, "%s%s", tag, errname(-r));
		return;
	}
	status0 = info.status;
	if (info.num_fences > MAX_FENCES) {
		emit(name, "%s%s n=%u (too many)", tag, fence_status(status0),
		     info.num_fences);
		return;
	}
	memset(fi, 0, sizeof(fi));
	info.sync_fence_info = (uintptr_t)fi;
	r = info.num_fences ? xio(fd, SYNC_IOC_FILE_INFO, &info) : 0;
	if (r < 0) {
		emit(name, "%s%s second %s", tag, fence_status(status0),
		     errname(-r));
		return;
	}
	mask_fence_name(info.name, nm, sizeof(nm));
	n = snprintf(text, sizeof(text), "%s/%s n=%u name=%s",
		     fence_status(status0),
		     info.num_fences ? fence_status(info.status) : "-",
		     info.num_fences, nm);
	for (i = 0; i < info.num_fences && n < sizeof(text); i++)
		n += snprintf(text + n, sizeof(text) - n, " %.32s:%.32s:%s:%s%s",
			      fi[i].obj_name, fi[i].driver_name,
			      fence_status(fi[i].status),
			      fi[i].timestamp_ns ? "ts" : "nots",
			      fi[i].flags ? ":flags" : "");
	emit(name, "%s%s", tag, text);
}

static const struct {
	short bit;
	const char *name;
} poll_bits[] = {
	{ POLLIN, "POLLIN" }, { POLLPRI, "POLLPRI" }, { POLLOUT, "POLLOUT" },
	{ POLLERR, "POLLERR" }, { POLLHUP, "POLLHUP" },
	{ POLLNVAL, "POLLNVAL" }, { POLLRDNORM, "POLLRDNORM" },
	{ POLLWRNORM, "POLLWRNORM" },
};

static const char *revents(short ev)
{
	static char buf[4][96];
	static int slot;
	size_t n = 0, i;

	slot = (slot + 1) % 4;
	buf[slot][0] = '\0';
	for (i = 0; i < ARRAY_SIZE(poll_bits); i++)
		if (ev & poll_bits[i].bit)
			n += snprintf(buf[slot] + n, sizeof(buf[slot]) - n, "%s%s",
				      n ? "|" : "", poll_bits[i].name);
	if (!n)
		snprintf(buf[slot], sizeof(buf[slot]), "0");
	return buf[slot];
}

static const char *poll0(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r = poll(&p, 1, 0);

	if (r < 0)
		return errname(errno);
	return revents(p.revents);
}

/* ------------------------------------------------------------------ */
/* Interval timer for the calls that may wait */

/* Only there to interrupt the call in progress. */
static void on_alarm(int sig)
{
	(void)sig;
}

static void guard_arm(long ms)
{
	struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static void guard_disarm(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

/* ------------------------------------------------------------------ */
/* dma-bufs */

static int udmabuf_dev = -1;
static char heap_names[8][64];
static int heap_count;
static char cma_heap[64]; /* the first heap not named "system" */
static void *ro_page; /* readable, not writable */

static int heap_alloc(const char *heap, __u64 len, __u32 fd_flags,
		      __u64 heap_flags)
{
	struct dma_heap_allocation_data d = {
		.len = len, .fd_flags = fd_flags, .heap_flags = heap_flags,
	};
	char path[128];
	int h = -1;
	long r;

	snprintf(path, sizeof(path), HEAP_DIR "/%.40s", heap);
	h = open(path, O_RDONLY | O_CLOEXEC);
	if (h < 0)
		return -errno;
	r = xio(h, DMA_HEAP_IOCTL_ALLOC, &d);
	close(h);
	return r < 0 ? (int)r : (int)d.fd;
}

static int has_heap(const char *heap)
{
	int i;

	for (i = 0; i < heap_count; i++)
		if (!strcmp(heap_names[i], heap))
			return 1;
	return 0;
}

/* A sealed memfd of @size bytes, or -errno. */
static int memfd_sealed(size_t size, unsigned int mfd_flags, int seals)
{
	int fd = memfd_create("dt", MFD_CLOEXEC | mfd_flags);

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, size) || (seals && fcntl(fd, F_ADD_SEALS, seals))) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

static long udmabuf_create1(int memfd, __u32 flags, __u64 off, __u64 size)
{
	struct udmabuf_create c = {
		.memfd = memfd, .flags = flags, .offset = off, .size = size,
	};

	return xio(udmabuf_dev, UDMABUF_CREATE, &c);
}

static int udmabuf_new(size_t size)
{
	int memfd = memfd_sealed(size, MFD_ALLOW_SEALING, F_SEAL_SHRINK);
	long r;

	if (memfd < 0)
		return memfd;
	r = udmabuf_create1(memfd, UDMABUF_FLAGS_CLOEXEC, 0, size);
	close(memfd);
	return (int)r;
}

enum buf_kind { BUF_UDMABUF, BUF_SYSTEM, BUF_CMA, BUF_KINDS };

static const char *const kind_name[BUF_KINDS] = {
	"udmabuf", "system", "cma",
};

static int buf_new(enum buf_kind kind, size_t size)
{
	switch (kind) {
	case BUF_UDMABUF:
		return udmabuf_dev < 0 ? -ENODEV : udmabuf_new(size);
	case BUF_SYSTEM:
		return heap_alloc("system", size, O_RDWR | O_CLOEXEC, 0);
	case BUF_CMA:
		return heap_alloc(cma_heap, size, O_RDWR | O_CLOEXEC, 0);
	default:
		return -EINVAL;
	}
}

static int buf_available(enum buf_kind kind)
{
	switch (kind) {
	case BUF_UDMABUF:
		return udmabuf_dev >= 0;
	case BUF_SYSTEM:
		return has_heap("system");
	case BUF_CMA:
		return cma_heap[0] != '\0';
	default:
		return 0;
	}
}

static long buf_sync(int buf, __u64 flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return xio(buf, DMA_BUF_IOCTL_SYNC, &s);
}

/* DMA_BUF_IOCTL_SYNC under a 1.5 s timer: EINTR means it waited. */
static long buf_sync_guarded(int buf, __u64 flags)
{
	long r;

	guard_arm(1500);
	r = buf_sync(buf, flags);
	guard_disarm();
	return r;
}

static long buf_export(int buf, __u32 flags)
{
	struct dma_buf_export_sync_file e = { .flags = flags, .fd = -1 };
	long r = xio(buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &e);

	return r < 0 ? r : e.fd;
}

static long buf_import(int buf, __u32 flags, int fd)
{
	struct dma_buf_import_sync_file i = { .flags = flags, .fd = fd };

	return xio(buf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &i);
}

static const char *sync_flags_name(__u64 f)
{
	static char buf[4][40];
	static int slot;

	slot = (slot + 1) % 4;
	snprintf(buf[slot], sizeof(buf[slot]), "%s%s%s",
		 f & DMA_BUF_SYNC_END ? "END" : "START",
		 (f & DMA_BUF_SYNC_RW) == DMA_BUF_SYNC_RW ? "|RW" :
		 f & DMA_BUF_SYNC_READ ? "|READ" :
		 f & DMA_BUF_SYNC_WRITE ? "|WRITE" : "",
		 f & ~(__u64)DMA_BUF_SYNC_VALID_FLAGS_MASK ? "|junk" : "");
	return buf[slot];
}

static const char *rw_name(__u32 f)
{
	switch (f) {
	case 0: return "0";
	case DMA_BUF_SYNC_READ: return "READ";
	case DMA_BUF_SYNC_WRITE: return "WRITE";
	case DMA_BUF_SYNC_RW: return "RW";
	default: return "junk";
	}
}

/* The poll masks @buf reports to readers, to writers and to both. */
static void poll_show(const char *c, int buf)
{
	emit(c, "poll IN=%s OUT=%s both=%s", poll0(buf, POLLIN),
	     poll0(buf, POLLOUT), poll0(buf, POLLIN | POLLOUT));
}

/*
 * Exports the fences of @buf that @flags asks for and describes the sync
 * file as "export <flags><more> "; a failed export is named when @loud.
 */
static void export_show(const char *c, int buf, __u32 flags,
			const char *more, bool loud)
{
	long r = buf_export(buf, flags);
	char tag[64];

	snprintf(tag, sizeof(tag), "export %s%s ", rw_name(flags), more);
	if (r < 0) {
		if (loud)
			emit(c, "%s-> %s", tag, errname(-r));
		return;
	}
	sf_describe(c, tag, (int)r);
	close((int)r);
}

/*
 * The lines of debugfs bufinfo about the dma-buf @fd (matched by inode,
 * which is masked), the header, and the totals with their counts masked
 * (other buffers may exist).
 */
static void print_bufinfo(const char *name, int fd)
{
	char l[512], m[600], *field[8], *save, *end = NULL;
	int mine = 0, lineno = 0, n;
	unsigned long ino;
	struct stat st;
	FILE *f;

	if (fstat(fd, &st)) {
		emit(name, "bufinfo fstat %s", errname(errno));
		return;
	}
	f = fopen(BUFINFO_PATH, "r");
	if (!f) {
		emit(name, "bufinfo %s", errname(errno));
		return;
	}
	while (fgets(l, sizeof(l), f)) {
		l[strcspn(l, "\n")] = '\0';
		lineno++;
		if (lineno <= 3) {
			emit(name, "bufinfo head %s", l);
			continue;
		}
		if (!strncmp(l, "Total ", 6) && strstr(l, " objects, ")) {
			emit(name, "bufinfo sum Total <n> objects, <n> bytes");
			continue;
		}
		/* size flags mode count exp_name ino name: ino is field 5. */
		if (l[0] != '\t' && l[0] != 'T' && l[0]) {
			snprintf(m, sizeof(m), "%s", l);
			n = 0;
			for (field[n] = strtok_r(m, "\t", &save); field[n] &&
			     n < 7; field[++n] = strtok_r(NULL, "\t", &save))
				;
			ino = n >= 6 ? strtoul(field[5], &end, 10) : 0;
			if (n >= 6 && !*end && ino == (unsigned long)st.st_ino) {
				mine = 1;
				emit(name, "bufinfo %s\t%s\t%s\t%s\t%s\t<ino>\t%s",
				     field[0], field[1], field[2], field[3],
				     field[4], n > 6 ? field[6] : "");
				continue;
			}
			mine = 0;
			continue;
		}
		if (!mine)
			continue;
		emit(name, "bufinfo %s", l);
		if (!strncmp(l, "Total ", 6))
			mine = 0;
	}
	fclose(f);
}

static void print_sysfs_stats(const char *name, int fd)
{
	char path[128], l[128];
	static const char *const attr[] = { "exporter_name", "size" };
	struct stat st;
	unsigned int i;

	if (fstat(fd, &st))
		return;
	for (i = 0; i < 2; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "/sys/kernel/dmabuf/buffers/%lu/%s",
			 (unsigned long)st.st_ino, attr[i]);
		f = fopen(path, "r");
		if (!f) {
			emit(name, "sysfs %s %s", attr[i], errname(errno));
			continue;
		}
		if (!fgets(l, sizeof(l), f))
			l[0] = '\0';
		l[strcspn(l, "\n")] = '\0';
		emit(name, "sysfs %s %s", attr[i], l);
		fclose(f);
	}
}

/* ------------------------------------------------------------------ */
/* sw_sync */

static void case_sw_sync_create(void)
{
	const char *c = "sw_sync.create_fence";
	struct sw_sync_create_fence_data d = { .value = 5 };
	int tl = tl_open("tla"), f;
	long r;

	if (tl < 0) {
		emit(c, "open %s", errname(errno));
		return;
	}
	ctx_reset();
	snprintf(d.name, sizeof(d.name), "given-name");
	r = xio(tl, SW_SYNC_IOC_CREATE_FENCE, &d);
	emit(c, "value=5 -> %s", rs(r));
	f = r < 0 ? -1 : d.fence;
	if (f >= 0) {
		sf_describe(c, "info ", f);
		print_fd_flags(c, f);
	}
	closep(&f);

	/* The name field is only copied in; a full 32 bytes is fine. */
	memset(d.name, 'x', sizeof(d.name));
	d.value = 0;
	r = xio(tl, SW_SYNC_IOC_CREATE_FENCE, &d);
	emit("sw_sync.create_fence_unterminated_name", "-> %s", rs(r < 0 ? r : 0));
	if (r >= 0) {
		sf_describe("sw_sync.create_fence_unterminated_name", "info ",
			    d.fence);
		close(d.fence);
	}

	emit("sw_sync.create_fence_null", "-> %s",
	     rs(xio(tl, SW_SYNC_IOC_CREATE_FENCE, NULL)));
	emit("sw_sync.create_fence_kernel_ptr", "-> %s",
	     rs(xio(tl, SW_SYNC_IOC_CREATE_FENCE, KERNEL_PTR)));
	fds_snapshot();
	r = xio(tl, SW_SYNC_IOC_CREATE_FENCE, ro_page);
	emit("sw_sync.create_fence_readonly_arg", "-> %s new_fds=%d", rs(r),
	     fds_close_new());
	emit("sw_sync.create_fence_short_ioctl", "-> %s",
	     rs(xio(tl, _IOWR(SW_SYNC_IOC_MAGIC, 0, __u32), &d)));
	emit("sw_sync.unknown_ioctl", "nr9 -> %s nr0_noarg -> %s",
	     rs(xio(tl, _IO(SW_SYNC_IOC_MAGIC, 9), NULL)),
	     rs(xio(tl, _IO(SW_SYNC_IOC_MAGIC, 0), NULL)));
	{
		struct sw_sync_get_deadline g = { 0 };

		f = fence_create(tl, 7, "dl");
		g.fence_fd = f;
		r = xio(tl, SW_SYNC_GET_DEADLINE, &g);
		emit("sw_sync.get_deadline_ioctl", "-> %s", rs(r));
		closep(&f);
	}
	close(tl);
}

static void case_sw_sync_inc(void)
{
	const char *c = "sw_sync.inc";
	int tl = tl_open("tla"), f[4], i;
	__u32 step;

	ctx_reset();
	for (i = 0; i < 4; i++)
		f[i] = fence_create(tl, i + 1, "p");
	emit(c, "inc0 -> %s", rs(timeline_inc(tl, 0)));
	emit(c, "inc2 -> %s", rs(timeline_inc(tl, 2)));
	for (i = 0; i < 4; i++) {
		char tag[16];

		snprintf(tag, sizeof(tag), "p%d ", i + 1);
		sf_describe(c, tag, f[i]);
	}
	emit(c, "inc_null -> %s", rs(xio(tl, SW_SYNC_IOC_INC, NULL)));
	emit(c, "inc_kernel_ptr -> %s", rs(xio(tl, SW_SYNC_IOC_INC, KERNEL_PTR)));
	emit(c, "inc_short_ioctl -> %s",
	     rs(xio(tl, _IOW(SW_SYNC_IOC_MAGIC, 1, __u16), &step)));
	for (i = 0; i < 4; i++)
		close(f[i]);
	close(tl);

	/* Huge increments wrap the 32-bit timeline value. */
	c = "sw_sync.inc_huge";
	tl = tl_open("tlb");
	ctx_reset();
	f[0] = fence_create(tl, 0x7fffffff, "a");
	f[1] = fence_create(tl, 0x80000000u, "b");
	f[2] = fence_create(tl, 0xfffffffeu, "c");
	emit(c, "inc 0x7fffffff -> %s", rs(timeline_inc(tl, 0x7fffffff)));
	sf_describe(c, "v7fffffff ", f[0]);
	sf_describe(c, "v80000000 ", f[1]);
	sf_describe(c, "vfffffffe ", f[2]);
	emit(c, "inc 0xffffffff -> %s", rs(timeline_inc(tl, 0xffffffffu)));
	sf_describe(c, "v80000000 ", f[1]);
	sf_describe(c, "vfffffffe ", f[2]);
	f[3] = fence_create(tl, 1, "d");
	sf_describe(c, "after_wrap v1 ", f[3]);
	for (i = 0; i < 4; i++)
		closep(&f[i]);
	close(tl);
}

static void case_sw_sync_passed(void)
{
	const char *c = "sw_sync.fence_on_passed_value";
	int tl = tl_open("tla"), a, b, d, m;

	ctx_reset();
	timeline_inc(tl, 5);
	a = fence_create(tl, 3, "a");
	b = fence_create(tl, 5, "b");
	d = fence_create(tl, 6, "d");
	sf_describe(c, "v3 ", a);
	sf_describe(c, "v5 ", b);
	sf_describe(c, "v6 ", d);
	emit(c, "poll v3 %s v6 %s", poll0(a, POLLIN), poll0(d, POLLIN));
	closep(&a);
	closep(&b);

	c = "sw_sync.same_value_twice";
	a = fence_create(tl, 8, "a");
	b = fence_create(tl, 8, "b");
	sf_describe(c, "first ", a);
	sf_describe(c, "second ", b);
	m = merge(a, b, "m");
	emit(c, "merge -> %s", fdr(m));
	if (m >= 0)
		sf_describe(c, "merged ", m);
	timeline_inc(tl, 3);
	sf_describe(c, "after_inc ", a);
	closep(&m);
	closep(&a);
	closep(&b);
	closep(&d);
	close(tl);
}

static void case_sw_sync_fileops(void)
{
	const char *c = "sw_sync.file_ops";
	int tl = tl_open("tla");
	char b[16] = "abc";
	void *p;

	emit(c, "lseek_set0 -> %s", rs(lseek(tl, 0, SEEK_SET) < 0 ? -errno : 0));
	emit(c, "lseek_end -> %s", rs(lseek(tl, 0, SEEK_END) < 0 ? -errno : 0));
	emit(c, "read -> %s", rs(read(tl, b, sizeof(b)) < 0 ? -errno : 0));
	emit(c, "write -> %s", rs(write(tl, b, 3) < 0 ? -errno : 0));
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, tl, 0);
	emit(c, "mmap -> %s", p == MAP_FAILED ? errname(errno) : "mapped");
	if (p != MAP_FAILED)
		munmap(p, PAGE);
	emit(c, "poll %s", poll0(tl, POLLIN | POLLOUT));
	print_fd_flags(c, tl);
	print_link(c, tl);
	print_fdinfo(c, tl);
	close(tl);
}

/* debugfs sync/info with pointers and timestamps masked. */
static void print_sync_info(const char *name)
{
	char l[512], m[600], nm[256];
	FILE *f = fopen(SYNC_INFO_PATH, "r");

	if (!f) {
		emit(name, "%s", errname(errno));
		return;
	}
	while (fgets(l, sizeof(l), f)) {
		char *at, *colon, *s = l;

		l[strcspn(l, "\n")] = '\0';
		/* "[ptr] name: status" */
		s = l[0] == '[' ? strchr(l, ']') : NULL;
		if (s) {
			colon = strstr(s, ": ");
			if (colon) {
				*colon = '\0';
				mask_fence_name(s + 2, nm, sizeof(nm));
				snprintf(m, sizeof(m), "[<ptr>] %s: %s", nm,
					 colon + 2);
			} else {
				snprintf(m, sizeof(m), "[<ptr>]%s", s + 1);
			}
			emit(name, "%s", m);
			continue;
		}
		/* "  tl_fence status@sec.nsec: value / value" */
		at = strchr(l, '@');
		if (at) {
			char *e = at + 1;

			while (isdigit((unsigned char)*e) || *e == '.')
				e++;
			snprintf(m, sizeof(m), "%.*s@<ts>%s", (int)(at - l), l, e);
			emit(name, "%s", m);
			continue;
		}
		emit(name, "%s", l);
	}
	fclose(f);
}

static void case_sw_sync_debug_info(void)
{
	const char *c = "sw_sync.debug_info";
	int a = tl_open("tla"), b = tl_open("tlb"), f[5], i;

	ctx_reset();
	f[0] = fence_create(a, 1, "x");
	f[1] = fence_create(a, 3, "x");
	f[2] = fence_create(b, 2, "x");
	f[3] = merge(f[1], f[2], "merged");
	timeline_inc(a, 1);
	f[4] = merge(f[0], f[3], "m2");
	print_sync_info(c);
	for (i = 0; i < 5; i++)
		closep(&f[i]);
	close(a);
	close(b);
	print_sync_info("sw_sync.debug_info_after_close");
}

/* ------------------------------------------------------------------ */
/* sync_file */

static void case_sync_file_merge_args(void)
{
	struct sync_merge_data d;
	int tl = tl_open("tla"), a, b, m, pfd[2];
	long r;

	ctx_reset();
	a = fence_create(tl, 1, "a");
	b = fence_create(tl, 2, "b");

	m = merge(a, a, "same");
	emit("sync_file.merge_same_twice", "-> %s", fdr(m));
	if (m >= 0)
		sf_describe("sync_file.merge_same_twice", "", m);
	closep(&m);

	emit("sync_file.merge_fd2_minus1", "-> %s", fdr(merge(a, -1, "x")));
	emit("sync_file.merge_fd2_unused", "-> %s", fdr(merge(a, 1000, "x")));
	if (pipe(pfd) == 0) {
		emit("sync_file.merge_fd2_pipe", "-> %s",
		     fdr(merge(a, pfd[0], "x")));
		emit("sync_file.merge_on_pipe", "-> %s",
		     fdr(merge(pfd[0], a, "x")));
		close(pfd[0]);
		close(pfd[1]);
	}
	emit("sync_file.merge_fd2_timeline", "-> %s", fdr(merge(a, tl, "x")));

	memset(&d, 0, sizeof(d));
	d.fd2 = b;
	d.flags = 1;
	r = xio(a, SYNC_IOC_MERGE, &d);
	emit("sync_file.merge_flags", "flags=1 -> %s", fdr(r));
	if (r >= 0)
		close(d.fence);
	d.flags = 0;
	d.pad = 1;
	r = xio(a, SYNC_IOC_MERGE, &d);
	emit("sync_file.merge_pad", "pad=1 -> %s", fdr(r));
	if (r >= 0)
		close(d.fence);
	emit("sync_file.merge_null", "-> %s", rs(xio(a, SYNC_IOC_MERGE, NULL)));
	fds_snapshot();
	r = xio(a, SYNC_IOC_MERGE, ro_page);
	emit("sync_file.merge_readonly_zero_arg", "-> %s new_fds=%d", rs(r),
	     fds_close_new());
	memset(&d, 0, sizeof(d));
	d.fd2 = b;
	fds_snapshot();
	r = xio(a, SYNC_IOC_MERGE, ro_copy(&d, sizeof(d)));
	ro_release();
	emit("sync_file.merge_readonly_arg", "-> %s new_fds=%d", rs(r),
	     fds_close_new());

	/* A name of 32 bytes with no terminator, and an empty name. */
	memset(&d, 0, sizeof(d));
	d.fd2 = b;
	memset(d.name, 'n', sizeof(d.name));
	r = xio(a, SYNC_IOC_MERGE, &d);
	emit("sync_file.merge_long_name", "-> %s", fdr(r));
	if (r >= 0) {
		sf_describe("sync_file.merge_long_name", "", d.fence);
		close(d.fence);
	}
	memset(&d, 0, sizeof(d));
	d.fd2 = b;
	r = xio(a, SYNC_IOC_MERGE, &d);
	emit("sync_file.merge_empty_name", "-> %s", fdr(r));
	if (r >= 0) {
		sf_describe("sync_file.merge_empty_name", "", d.fence);
		close(d.fence);
	}
	emit("sync_file.unknown_ioctl", "-> %s nr3_short -> %s",
	     rs(xio(a, _IO(SYNC_IOC_MAGIC, 9), NULL)),
	     rs(xio(a, _IOWR(SYNC_IOC_MAGIC, 3, __u32), &d)));
	{
		struct dt_sync_set_deadline dl = { .deadline_ns = 1 };

		emit("sync_file.set_deadline_ioctl", "-> %s",
		     rs(xio(a, DT_SYNC_IOC_SET_DEADLINE, &dl)));
	}
	close(a);
	close(b);
	close(tl);
}

/* An errored fence: a point of a timeline that is then closed. */
static int errored_fence(const char *comm)
{
	int tl = tl_open(comm), f = fence_create(tl, 1, "e");

	close(tl);
	return f;
}

static void case_sync_file_merge_status(void)
{
	static const char *const kind[] = { "pending", "signaled", "errored" };
	int tl = tl_open("tla"), tl2 = tl_open("tlb"), f[3], g[3], i, j;

	timeline_inc(tl, 1);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++) {
			char name[64];
			int m;

			ctx_reset();
			f[0] = fence_create(tl, 5, "p");
			f[1] = fence_create(tl, 1, "s");
			f[2] = errored_fence("tle");
			g[0] = fence_create(tl2, 5, "p");
			g[1] = fence_create(tl2, 0, "s");
			g[2] = errored_fence("tlf");
			snprintf(name, sizeof(name), "sync_file.merge_%s_%s",
				 kind[i], kind[j]);
			m = merge(f[i], g[j], "m");
			if (m < 0) {
				emit(name, "-> %s", errname(-m));
			} else {
				sf_describe(name, "", m);
				emit(name, "poll %s", poll0(m, POLLIN));
				close(m);
			}
			/* Merged twice over: a merge of a merge. */
			m = merge(f[i], g[j], "m");
			if (m >= 0) {
				int m2 = merge(m, f[j], "mm");

				if (m2 >= 0) {
					sf_describe(name, "remerge ", m2);
					close(m2);
				}
				close(m);
			}
			for (m = 0; m < 3; m++) {
				close(f[m]);
				close(g[m]);
			}
		}

	/* Same timeline: the later point is kept, whichever comes first. */
	ctx_reset();
	f[0] = fence_create(tl, 10, "a");
	f[1] = fence_create(tl, 12, "b");
	g[0] = merge(f[0], f[1], "ab");
	g[1] = merge(f[1], f[0], "ba");
	sf_describe("sync_file.merge_same_timeline", "ab ", g[0]);
	sf_describe("sync_file.merge_same_timeline", "ba ", g[1]);
	timeline_inc(tl, 10);
	sf_describe("sync_file.merge_same_timeline", "at11 ab ", g[0]);
	g[2] = merge(g[0], f[0], "ab+a");
	sf_describe("sync_file.merge_same_timeline", "at11 remerge ", g[2]);
	for (i = 0; i < 3; i++)
		close(g[i]);
	close(f[0]);
	close(f[1]);
	close(tl);
	close(tl2);
}

/* A FILE_INFO request for @n fences into @fi (four, filled with 0xa5). */
static void info_reset(struct sync_file_info *info,
		       struct sync_fence_info *fi, __u32 n)
{
	memset(info, 0, sizeof(*info));
	memset(fi, 0xa5, 4 * sizeof(*fi));
	info->num_fences = n;
	info->sync_fence_info = (uintptr_t)fi;
}

static void case_sync_file_info_args(void)
{
	const char *c;
	struct sync_fence_info fi[4];
	struct sync_file_info info;
	const struct {
		const char *name;
		__u32 num_fences, flags, pad;
		__u64 array;
	} bad[] = {
		{ "sync_file.info_flags", .flags = 1, .array = (uintptr_t)fi },
		{ "sync_file.info_pad", .pad = 1, .array = (uintptr_t)fi },
		{ "sync_file.info_null_array", .num_fences = 2 },
		{ "sync_file.info_kernel_array", .num_fences = 2,
		  .array = (uintptr_t)KERNEL_PTR },
		{ "sync_file.info_readonly_array", .num_fences = 2,
		  .array = (uintptr_t)ro_page },
	};
	int a = tl_open("tla"), b = tl_open("tlb"), tlc = tl_open("tlc");
	int f1, f2, f3, m, m3;
	unsigned int i;
	long r;

	ctx_reset();
	f1 = fence_create(a, 1, "x");
	f2 = fence_create(b, 1, "x");
	f3 = fence_create(tlc, 1, "x");
	m = merge(f1, f2, "m2");
	m3 = merge(m, f3, "m3");
	timeline_inc(b, 1);

	c = "sync_file.info_count";
	info_reset(&info, fi, 0);
	info.sync_fence_info = 0;
	r = xio(m, SYNC_IOC_FILE_INFO, &info);
	emit(c, "-> %s status=%d num=%u name=%s", rs(r), info.status,
	     info.num_fences, info.name);

	c = "sync_file.info_too_small";
	info_reset(&info, fi, 1);
	r = xio(m, SYNC_IOC_FILE_INFO, &info);
	emit(c, "-> %s num=%u touched=%d", rs(r), info.num_fences,
	     ((unsigned char *)fi)[0] != 0xa5);

	for (i = 2; i <= 4; i += 2) {
		unsigned char *tail;
		size_t k, changed = 0;

		c = i == 2 ? "sync_file.info_exact" : "sync_file.info_bigger";
		info_reset(&info, fi, i);
		r = xio(m, SYNC_IOC_FILE_INFO, &info);
		tail = (unsigned char *)&fi[2];
		for (k = 0; k < 2 * sizeof(fi[0]); k++)
			changed += tail[k] != 0xa5;
		emit(c, "-> %s status=%s num=%u name=%s", rs(r),
		     fence_status(info.status), info.num_fences, info.name);
		for (k = 0; k < 2; k++)
			emit(c, "f%zu %.32s:%.32s:%s:%s flags=%u", k,
			     fi[k].obj_name, fi[k].driver_name,
			     fence_status(fi[k].status),
			     fi[k].timestamp_ns ? "ts" : "nots", fi[k].flags);
		if (i == 4)
			emit(c, "bytes_past_count_changed=%zu", changed);
	}

	/* One bad field each, the rest as info_reset() leaves them. */
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		info_reset(&info, fi, bad[i].num_fences);
		info.flags = bad[i].flags;
		info.pad = bad[i].pad;
		info.sync_fence_info = bad[i].array;
		emit(bad[i].name, "-> %s",
		     rs(xio(m, SYNC_IOC_FILE_INFO, &info)));
	}
	c = "sync_file.info_null_arg";
	emit(c, "-> %s", rs(xio(m, SYNC_IOC_FILE_INFO, NULL)));
	c = "sync_file.info_readonly_arg";
	emit(c, "-> %s", rs(xio(m, SYNC_IOC_FILE_INFO, ro_page)));
	c = "sync_file.info_huge_count";
	info_reset(&info, fi, 0x40000000);
	emit(c, "-> %s num=%u", rs(xio(m, SYNC_IOC_FILE_INFO, &info)),
	     info.num_fences);
	c = "sync_file.info_three";
	sf_describe(c, "", m3);
	info_reset(&info, fi, 2);
	emit(c, "num2 -> %s", rs(xio(m3, SYNC_IOC_FILE_INFO, &info)));

	/* The status with fences: pending first, then signaled, errored. */
	c = "sync_file.info_status_order";
	close(a);
	sf_describe(c, "a_closed ", m3);
	timeline_inc(tlc, 1);
	sf_describe(c, "c_signaled ", m3);
	close(f1);
	close(f2);
	close(f3);
	close(m);
	close(m3);
	close(b);
	close(tlc);
}

static void case_sync_file_poll_ops(void)
{
	const char *c = "sync_file.poll";
	int tl = tl_open("tla"), f, m, g;
	char buf[8] = "x";
	void *p;

	ctx_reset();
	f = fence_create(tl, 1, "x");
	g = fence_create(tl, 2, "y");
	m = merge(f, g, "m");
	emit(c, "before IN=%s OUT=%s PRI=%s all=%s", poll0(f, POLLIN),
	     poll0(f, POLLOUT), poll0(f, POLLPRI),
	     poll0(f, POLLIN | POLLOUT | POLLPRI));
	emit(c, "merged_before %s", poll0(m, POLLIN));
	timeline_inc(tl, 1);
	emit(c, "after1 IN=%s OUT=%s all=%s merged=%s", poll0(f, POLLIN),
	     poll0(f, POLLOUT), poll0(f, POLLIN | POLLOUT | POLLPRI),
	     poll0(m, POLLIN));
	timeline_inc(tl, 1);
	emit(c, "after2 merged=%s y=%s", poll0(m, POLLIN), poll0(g, POLLIN));

	c = "sync_file.file_ops";
	emit(c, "read -> %s", rs(read(f, buf, 1) < 0 ? -errno : 0));
	emit(c, "write -> %s", rs(write(f, buf, 1) < 0 ? -errno : 0));
	emit(c, "lseek -> %s", rs(lseek(f, 0, SEEK_SET) < 0 ? -errno : 0));
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, f, 0);
	emit(c, "mmap -> %s", p == MAP_FAILED ? errname(errno) : "mapped");
	if (p != MAP_FAILED)
		munmap(p, PAGE);
	print_fd_flags(c, f);
	c = "sync_file.names";
	print_link(c, f);
	print_link(c, m);
	print_fdinfo(c, f);
	print_fdinfo(c, m);
	close(f);
	close(g);
	close(m);
	close(tl);
}

/*
 * The fdinfo of sync files whose fences are pending, signaled, errored,
 * and one of each in one file (merged while both were pending), and of a
 * heap buffer with a pending fence imported for reading and another for
 * writing, before and after they signal.
 */
static void case_sync_file_fdinfo(void)
{
	const char *c = "sync_file.fdinfo";
	int tl = tl_open("tla"), tl2 = tl_open("tlb"), tl3 = tl_open("tlc");
	int a, b, m, e, r, buf;

	ctx_reset();
	a = fence_create(tl, 1, "a");
	b = fence_create(tl2, 3, "b");
	m = merge(a, b, "ab");
	e = fence_create(tl3, 1, "e");
	emit(c, "inc -> %s", rs(timeline_inc(tl, 1)));
	closep(&tl3);
	print_fdinfo(c, a);
	print_fdinfo(c, b);
	print_fdinfo(c, m);
	print_fdinfo(c, e);

	c = "dmabuf_ioctl.fdinfo_pending";
	r = fence_create(tl, 5, "r");
	buf = heap_alloc("system", PAGE, O_RDWR | O_CLOEXEC, 0);
	emit(c, "alloc -> %s", fdr(buf));
	emit(c, "import READ -> %s", rs(buf_import(buf, DMA_BUF_SYNC_READ, r)));
	emit(c, "import WRITE -> %s", rs(buf_import(buf, DMA_BUF_SYNC_WRITE, b)));
	print_fdinfo(c, buf);
	emit(c, "inc -> %s", rs(timeline_inc(tl2, 3)));
	print_fdinfo(c, buf);
	emit(c, "inc -> %s", rs(timeline_inc(tl, 4)));
	print_fdinfo(c, buf);
	closep(&buf);
	close(r);
	close(e);
	close(m);
	close(b);
	close(a);
	close(tl2);
	close(tl);
}

/* ------------------------------------------------------------------ */
/* dma-buf ioctls */

static void nm(char *out, size_t len, const char *what, enum buf_kind k)
{
	snprintf(out, len, "%s_%s", what, kind_name[k]);
}

static void case_dmabuf_sync(enum buf_kind k)
{
	static const __u64 rw[] = { 0, DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE,
				    DMA_BUF_SYNC_RW };
	char c[64];
	int buf = buf_new(k, 4 * PAGE);
	unsigned int i;

	nm(c, sizeof(c), "dmabuf_ioctl.sync_flags", k);
	if (buf < 0) {
		emit(c, "alloc %s", errname(-buf));
		return;
	}
	emit(c, "END_without_START|RW -> %s",
	     rs(buf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW)));
	for (i = 0; i < 8; i++) {
		__u64 f = rw[i % 4] | (i >= 4 ? DMA_BUF_SYNC_END : 0);

		emit(c, "%s -> %s", sync_flags_name(f), rs(buf_sync(buf, f)));
	}
	emit(c, "bit3 -> %s", rs(buf_sync(buf, DMA_BUF_SYNC_RW | 8)));
	emit(c, "bit63 -> %s", rs(buf_sync(buf, DMA_BUF_SYNC_RW | 1ULL << 63)));
	emit(c, "all_ones -> %s", rs(buf_sync(buf, ~0ULL)));
	emit(c, "START_twice -> %s %s",
	     rs(buf_sync(buf, DMA_BUF_SYNC_READ)),
	     rs(buf_sync(buf, DMA_BUF_SYNC_READ)));
	emit(c, "END_twice -> %s %s",
	     rs(buf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ)),
	     rs(buf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ)));
	emit(c, "null_arg -> %s", rs(xio(buf, DMA_BUF_IOCTL_SYNC, NULL)));
	emit(c, "short_ioctl -> %s",
	     rs(xio(buf, _IOW(DMA_BUF_BASE, 0, __u32), &i)));
	nm(c, sizeof(c), "dmabuf_ioctl.unknown_ioctl", k);
	emit(c, "nr9 -> %s nr4 -> %s", rs(xio(buf, _IO(DMA_BUF_BASE, 9), NULL)),
	     rs(xio(buf, _IOWR(DMA_BUF_BASE, 4, __u64), &i)));
	close(buf);
}

static void case_dmabuf_set_name(enum buf_kind k)
{
	char c[64], name[128];
	int buf = buf_new(k, 2 * PAGE);
	void *map;

	nm(c, sizeof(c), "dmabuf_ioctl.set_name", k);
	if (buf < 0) {
		emit(c, "alloc %s", errname(-buf));
		return;
	}
	print_link(c, buf);
	emit(c, "A abc -> %s", rs(xio(buf, DMA_BUF_SET_NAME_A, "abc")));
	print_link(c, buf);
	emit(c, "B bcd -> %s", rs(xio(buf, DMA_BUF_SET_NAME_B, "bcd")));
	print_link(c, buf);
	emit(c, "empty -> %s", rs(xio(buf, DMA_BUF_SET_NAME_B, "")));
	print_link(c, buf);
	memset(name, 'q', sizeof(name));
	name[31] = '\0';
	emit(c, "len31 -> %s", rs(xio(buf, DMA_BUF_SET_NAME_B, name)));
	print_link(c, buf);
	name[31] = 'q';
	name[32] = '\0';
	emit(c, "len32 -> %s", rs(xio(buf, DMA_BUF_SET_NAME_B, name)));
	name[32] = 'q';
	name[100] = '\0';
	emit(c, "len100 -> %s", rs(xio(buf, DMA_BUF_SET_NAME_B, name)));
	print_link(c, buf);
	emit(c, "null -> %s", rs(xio(buf, DMA_BUF_SET_NAME_B, NULL)));
	emit(c, "kernel_ptr -> %s", rs(xio(buf, DMA_BUF_SET_NAME_B, KERNEL_PTR)));
	emit(c, "nr1_size16 -> %s",
	     rs(xio(buf, _IOW(DMA_BUF_BASE, 1, __u16), "xyz")));
	emit(c, "with/slash -> %s", rs(xio(buf, DMA_BUF_SET_NAME_B, "a/b c")));
	print_link(c, buf);
	map = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	emit(c, "while_mapped -> %s%s", rs(xio(buf, DMA_BUF_SET_NAME_B, "mapped")),
	     map == MAP_FAILED ? " (map failed)" : "");
	if (map != MAP_FAILED)
		munmap(map, 2 * PAGE);
	print_link(c, buf);
	print_fdinfo(c, buf);
	close(buf);
}

/*
 * Export, import and poll on a buffer: what each usage flag exports with
 * no fence, with a pending read fence, and with a pending write fence,
 * and the poll masks after every import and signal.
 */
static void case_dmabuf_fences(enum buf_kind k)
{
	static const __u32 flagset[] = { 0, DMA_BUF_SYNC_READ,
		DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_RW, 4, 0xffffffffu };
	int buf = buf_new(k, PAGE), tl = tl_open("tla"), tl2 = tl_open("tlb");
	int f1, f2, pfd[2];
	char c[64], tag[64];
	unsigned int i;
	long r;

	nm(c, sizeof(c), "dmabuf_ioctl.export_empty", k);
	if (buf < 0) {
		emit(c, "alloc %s", errname(-buf));
		goto out;
	}
	ctx_reset();
	for (i = 0; i < 6; i++) {
		r = buf_export(buf, flagset[i]);
		emit(c, "flags=%#x -> %s", flagset[i], fdr(r));
		if (r >= 0) {
			snprintf(tag, sizeof(tag), "flags=%#x ", flagset[i]);
			sf_describe(c, tag, (int)r);
			print_fd_flags(c, (int)r);
			close((int)r);
		}
	}
	emit(c, "null_arg -> %s",
	     rs(xio(buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, NULL)));
	{
		struct dma_buf_export_sync_file e = {
			.flags = DMA_BUF_SYNC_RW, .fd = -1,
		};

		fds_snapshot();
		r = xio(buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE,
			ro_copy(&e, sizeof(e)));
		ro_release();
		emit(c, "readonly_arg -> %s new_fds=%d", rs(r),
		     fds_close_new());
	}
	poll_show(c, buf);

	nm(c, sizeof(c), "dmabuf_ioctl.import_args", k);
	f1 = fence_create(tl, 1, "r");
	for (i = 0; i < 6; i++) {
		if (flagset[i] && !(flagset[i] & ~DMA_BUF_SYNC_RW))
			continue; /* the valid ones come below */
		emit(c, "flags=%#x -> %s", flagset[i],
		     rs(buf_import(buf, flagset[i], f1)));
	}
	emit(c, "fd_minus1 -> %s", rs(buf_import(buf, DMA_BUF_SYNC_READ, -1)));
	emit(c, "fd_unused -> %s", rs(buf_import(buf, DMA_BUF_SYNC_READ, 1000)));
	emit(c, "fd_self -> %s", rs(buf_import(buf, DMA_BUF_SYNC_READ, buf)));
	emit(c, "fd_timeline -> %s", rs(buf_import(buf, DMA_BUF_SYNC_READ, tl)));
	if (pipe(pfd) == 0) {
		emit(c, "fd_pipe -> %s",
		     rs(buf_import(buf, DMA_BUF_SYNC_READ, pfd[0])));
		close(pfd[0]);
		close(pfd[1]);
	}
	emit(c, "null_arg -> %s",
	     rs(xio(buf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, NULL)));
	poll_show(c, buf);

	/* A pending read fence. */
	nm(c, sizeof(c), "dmabuf_ioctl.pending_read", k);
	emit(c, "import READ -> %s", rs(buf_import(buf, DMA_BUF_SYNC_READ, f1)));
	poll_show(c, buf);
	for (i = DMA_BUF_SYNC_READ; i <= DMA_BUF_SYNC_RW; i++)
		export_show(c, buf, i, "", true);
	emit(c, "sync START|READ -> %s",
	     rs(buf_sync_guarded(buf, DMA_BUF_SYNC_READ)));
	emit(c, "sync START|WRITE -> %s",
	     rs(buf_sync_guarded(buf, DMA_BUF_SYNC_WRITE)));
	emit(c, "sync END|RW -> %s",
	     rs(buf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW)));

	/* Then a pending write fence on another timeline. */
	nm(c, sizeof(c), "dmabuf_ioctl.pending_write", k);
	f2 = fence_create(tl2, 1, "w");
	emit(c, "import WRITE -> %s",
	     rs(buf_import(buf, DMA_BUF_SYNC_WRITE, f2)));
	poll_show(c, buf);
	for (i = DMA_BUF_SYNC_READ; i <= DMA_BUF_SYNC_RW; i++)
		export_show(c, buf, i, "", true);
	emit(c, "sync START|READ -> %s",
	     rs(buf_sync_guarded(buf, DMA_BUF_SYNC_READ)));
	print_bufinfo(c, buf);

	nm(c, sizeof(c), "dmabuf_ioctl.signal_write", k);
	timeline_inc(tl2, 1);
	poll_show(c, buf);
	for (i = DMA_BUF_SYNC_READ; i <= DMA_BUF_SYNC_RW; i++)
		export_show(c, buf, i, "", true);
	print_bufinfo(c, buf);

	nm(c, sizeof(c), "dmabuf_ioctl.signal_read", k);
	timeline_inc(tl, 1);
	poll_show(c, buf);
	export_show(c, buf, DMA_BUF_SYNC_RW, "", false);
	emit(c, "sync START|RW -> %s",
	     rs(buf_sync_guarded(buf, DMA_BUF_SYNC_RW)));
	emit(c, "sync END|RW -> %s",
	     rs(buf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW)));
	print_bufinfo(c, buf);
	close(f1);
	close(f2);

	/*
	 * A poll on a pending buffer keeps a callback (and, in 6.1, a file
	 * reference) until the fence signals: the fdinfo count shows it.
	 */
	nm(c, sizeof(c), "dmabuf_ioctl.poll_callback", k);
	f1 = fence_create(tl, 5, "p");
	emit(c, "import RW -> %s", rs(buf_import(buf, DMA_BUF_SYNC_RW, f1)));
	emit(c, "poll OUT=%s OUT=%s IN=%s IN=%s", poll0(buf, POLLOUT),
	     poll0(buf, POLLOUT), poll0(buf, POLLIN), poll0(buf, POLLIN));
	print_fdinfo(c, buf);
	timeline_inc(tl, 10);
	emit(c, "signaled poll OUT=%s IN=%s", poll0(buf, POLLOUT),
	     poll0(buf, POLLIN));
	print_fdinfo(c, buf);
	close(f1);

	/* Importing a merge: each of its fences lands in the reservation. */
	nm(c, sizeof(c), "dmabuf_ioctl.import_merge", k);
	ctx_reset();
	f1 = fence_create(tl, 20, "a");
	f2 = fence_create(tl2, 20, "b");
	{
		int m = merge(f1, f2, "ab"), s = fence_create(tl, 1, "s");

		emit(c, "import merge WRITE -> %s",
		     rs(buf_import(buf, DMA_BUF_SYNC_WRITE, m)));
		emit(c, "import signaled READ -> %s",
		     rs(buf_import(buf, DMA_BUF_SYNC_READ, s)));
		export_show(c, buf, DMA_BUF_SYNC_READ, "", false);
		export_show(c, buf, DMA_BUF_SYNC_WRITE, "", false);
		print_bufinfo(c, buf);
		close(m);
		close(s);
	}
	close(f1);
	close(f2);
out:
	close(tl);
	close(tl2);
	nm(c, sizeof(c), "dmabuf_ioctl.after_timelines_closed", k);
	if (buf >= 0) {
		emit(c, "poll IN=%s OUT=%s", poll0(buf, POLLIN),
		     poll0(buf, POLLOUT));
		export_show(c, buf, DMA_BUF_SYNC_RW, "", false);
		close(buf);
	}
}

/* ------------------------------------------------------------------ */
/* dma-buf files */

static const char *mmap_try(int fd, size_t len, int prot, int flags,
			    off_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return errname(errno);
	munmap(p, len);
	return "mapped";
}

static void case_dmabuf_file(enum buf_kind k)
{
	char c[64], b[16] = "x";
	size_t size = 4 * PAGE;
	int buf = buf_new(k, size);
	unsigned char *p;

	nm(c, sizeof(c), "dmabuf_file.lseek", k);
	if (buf < 0) {
		emit(c, "alloc %s", errname(-buf));
		return;
	}
#define LS(o, w) ({ off_t _r = lseek(buf, (o), (w)); \
	_r < 0 ? errname(errno) : rs(_r); })
	emit(c, "END0=%s SET0=%s CUR0=%s END1=%s SET4096=%s ENDm1=%s DATA=%s",
	     LS(0, SEEK_END), LS(0, SEEK_SET), LS(0, SEEK_CUR), LS(1, SEEK_END),
	     LS(4096, SEEK_SET), LS(-1, SEEK_END), LS(0, SEEK_DATA));
#undef LS
	nm(c, sizeof(c), "dmabuf_file.read_write", k);
	emit(c, "read -> %s", rs(read(buf, b, 1) < 0 ? -errno : 0));
	emit(c, "write -> %s", rs(write(buf, b, 1) < 0 ? -errno : 0));
	emit(c, "pread -> %s", rs(pread(buf, b, 1, 0) < 0 ? -errno : 0));

	nm(c, sizeof(c), "dmabuf_file.mmap", k);
	emit(c, "whole rw shared -> %s",
	     mmap_try(buf, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0));
	emit(c, "read-only shared -> %s",
	     mmap_try(buf, size, PROT_READ, MAP_SHARED, 0));
	emit(c, "write-only shared -> %s",
	     mmap_try(buf, size, PROT_WRITE, MAP_SHARED, 0));
	emit(c, "prot_none -> %s", mmap_try(buf, size, PROT_NONE, MAP_SHARED, 0));
	emit(c, "exec -> %s",
	     mmap_try(buf, size, PROT_READ | PROT_EXEC, MAP_SHARED, 0));
	emit(c, "private -> %s",
	     mmap_try(buf, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0));
	emit(c, "offset_page2 -> %s",
	     mmap_try(buf, 2 * PAGE, PROT_READ, MAP_SHARED, 2 * PAGE));
	emit(c, "offset_page3_len2 -> %s",
	     mmap_try(buf, 2 * PAGE, PROT_READ, MAP_SHARED, 3 * PAGE));
	emit(c, "offset_size -> %s",
	     mmap_try(buf, PAGE, PROT_READ, MAP_SHARED, size));
	emit(c, "offset_huge -> %s",
	     mmap_try(buf, PAGE, PROT_READ, MAP_SHARED, (off_t)1 << 40));
	emit(c, "len_plus_page -> %s",
	     mmap_try(buf, size + PAGE, PROT_READ, MAP_SHARED, 0));
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	if (p != MAP_FAILED) {
		unsigned char *q;
		size_t i, bad = 0;

		for (i = 0; i < size; i++)
			p[i] = (unsigned char)(i * 7);
		q = mmap(NULL, size, PROT_READ, MAP_SHARED, buf, 0);
		if (q != MAP_FAILED) {
			for (i = 0; i < size; i++)
				bad += q[i] != (unsigned char)(i * 7);
			munmap(q, size);
			emit(c, "second mapping sees writes: mismatches=%zu", bad);
		}
		munmap(p, size);
	}
	{
		char path[64];
		int ro;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", buf);
		ro = open(path, O_RDONLY | O_CLOEXEC);
		emit(c, "reopen via proc -> %s", fdr(ro < 0 ? -errno : ro));
		closep(&ro);
	}

	nm(c, sizeof(c), "dmabuf_file.text", k);
	print_fd_flags(c, buf);
	print_link(c, buf);
	print_fdinfo(c, buf);
	xio(buf, DMA_BUF_SET_NAME_B, "named");
	print_link(c, buf);
	print_fdinfo(c, buf);
	print_bufinfo(c, buf);
	print_sysfs_stats(c, buf);
	{
		struct stat st;

		if (!fstat(buf, &st))
			emit(c, "fstat mode=%o size=%lld blksize=%ld", st.st_mode,
			     (long long)st.st_size, (long)st.st_blksize);
		else
			emit(c, "fstat %s", errname(errno));
	}
	{
		int d = dup(buf);

		emit(c, "dup -> %s", fdr(d < 0 ? -errno : d));
		print_fdinfo(c, buf);
		closep(&d);
	}
	close(buf);
}

/* ------------------------------------------------------------------ */
/* dma-heap */

static int cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void heaps_scan(void)
{
	DIR *d = opendir(HEAP_DIR);
	struct dirent *e;
	int i;

	heap_count = 0;
	if (!d)
		return;
	while ((e = readdir(d)) && heap_count < 8)
		if (e->d_name[0] != '.')
			snprintf(heap_names[heap_count++], sizeof(heap_names[0]),
				 "%.40s", e->d_name);
	closedir(d);
	qsort(heap_names, heap_count, sizeof(heap_names[0]), cmp_str);
	for (i = 0; i < heap_count; i++)
		if (strcmp(heap_names[i], "system")) {
			snprintf(cma_heap, sizeof(cma_heap), "%.40s",
				 heap_names[i]);
			break;
		}
}

/*
 * One DMA_HEAP ioctl with any command number; the descriptors it
 * installed are counted and closed (without IOC_OUT none comes back).
 */
static void heap_try(const char *c, const char *heap, const char *what,
		     unsigned long cmd, __u64 len, __u32 fd_flags,
		     __u64 heap_flags)
{
	struct {
		struct dma_heap_allocation_data d;
		__u8 extra[40];
	} a;
	char path[128];
	long r;
	int h;

	memset(&a, 0, sizeof(a));
	a.d.len = len;
	a.d.fd_flags = fd_flags;
	a.d.heap_flags = heap_flags;
	snprintf(path, sizeof(path), HEAP_DIR "/%.40s", heap);
	h = open(path, O_RDONLY | O_CLOEXEC);
	if (h < 0) {
		emit(c, "%s open %s", what, errname(errno));
		return;
	}
	fds_snapshot();
	r = xio(h, cmd, &a);
	if (r >= 0 && a.d.fd && fcntl(a.d.fd, F_GETFD) >= 0) {
		off_t sz = lseek(a.d.fd, 0, SEEK_END);
		int fl = fcntl(a.d.fd, F_GETFL), fdf = fcntl(a.d.fd, F_GETFD);

		emit(c, "%s -> %s fd_returned size=%lld getfl=%o cloexec=%d",
		     what, rs(r), (long long)sz, fl, !!(fdf & FD_CLOEXEC));
	} else {
		emit(c, "%s -> %s fd_field=%s", what, rs(r),
		     a.d.fd ? "written" : "untouched");
	}
	emit(c, "%s new_fds=%d", what, fds_close_new());
	if (!strcmp(what, "len4096")) {
		/* The fd field is input too: 6.1 wants it zero. */
		memset(&a, 0, sizeof(a));
		a.d.len = PAGE;
		a.d.fd_flags = O_RDWR | O_CLOEXEC;
		a.d.fd = 3;
		fds_snapshot();
		r = xio(h, DMA_HEAP_IOCTL_ALLOC, &a);
		emit(c, "fd_field_nonzero -> %s new_fds=%d", rs(r),
		     fds_close_new());
		/* A request the kernel can read but not answer. */
		memset(&a, 0, sizeof(a));
		a.d.len = PAGE;
		a.d.fd_flags = O_RDWR | O_CLOEXEC;
		fds_snapshot();
		r = xio(h, DMA_HEAP_IOCTL_ALLOC, ro_copy(&a.d, sizeof(a.d)));
		emit(c, "readonly_arg -> %s new_fds=%d", rs(r), fds_close_new());
		ro_release();
	}
	close(h);
}

/* DMA_HEAP_IOCTL_ALLOC's number with other sizes, directions, types. */
static const struct {
	const char *name;
	unsigned long cmd;
} heap_cmds[] = {
	{ "ioc_short16", _IOWR(DMA_HEAP_IOC_MAGIC, 0, __u8[16]) },
	{ "ioc_short8", _IOWR(DMA_HEAP_IOC_MAGIC, 0, __u64) },
	{ "ioc_long64", _IOWR(DMA_HEAP_IOC_MAGIC, 0, __u8[64]) },
	{ "ioc_in_only", _IOW(DMA_HEAP_IOC_MAGIC, 0,
			      struct dma_heap_allocation_data) },
	{ "ioc_out_only", _IOR(DMA_HEAP_IOC_MAGIC, 0,
			       struct dma_heap_allocation_data) },
	{ "ioc_none", _IO(DMA_HEAP_IOC_MAGIC, 0) },
	{ "ioc_other_magic", _IOWR('X', 0, struct dma_heap_allocation_data) },
	{ "ioc_nr1", _IOWR(DMA_HEAP_IOC_MAGIC, 1,
			   struct dma_heap_allocation_data) },
	{ "ioc_nr255", _IOWR(DMA_HEAP_IOC_MAGIC, 255,
			     struct dma_heap_allocation_data) },
};

static void case_heap(void)
{
	const char *c = "heap.names";
	char line[256];
	size_t n = 0;
	int i, h;

	for (i = 0; i < heap_count; i++)
		n += snprintf(line + n, sizeof(line) - n, " %s", heap_names[i]);
	emit(c, "count=%d%s", heap_count, heap_count ? line : "");
	for (i = 0; i < heap_count; i++) {
		const char *hp = heap_names[i];
		char cn[96];
		struct stat st;

		snprintf(cn, sizeof(cn), "heap.alloc_%.40s", hp);
		for (n = 0; cn[n]; n++)
			if (!isalnum((unsigned char)cn[n]) && cn[n] != '.')
				cn[n] = '_';
			else
				cn[n] = tolower((unsigned char)cn[n]);
		c = cn;
		heap_try(c, hp, "len4096", DMA_HEAP_IOCTL_ALLOC, PAGE,
			 O_RDWR | O_CLOEXEC, 0);
		heap_try(c, hp, "len4097", DMA_HEAP_IOCTL_ALLOC, PAGE + 1,
			 O_RDWR | O_CLOEXEC, 0);
		heap_try(c, hp, "len1", DMA_HEAP_IOCTL_ALLOC, 1, O_RDWR, 0);
		heap_try(c, hp, "len0", DMA_HEAP_IOCTL_ALLOC, 0, O_RDWR, 0);
		heap_try(c, hp, "len_all_ones", DMA_HEAP_IOCTL_ALLOC, ~0ULL,
			 O_RDWR, 0);
		heap_try(c, hp, "len_wraps_page", DMA_HEAP_IOCTL_ALLOC,
			 ~0ULL - PAGE + 2, O_RDWR, 0);
		if (strcmp(hp, "system")) {
			/* Only the CMA heap can fail big requests quickly. */
			heap_try(c, hp, "len_1T", DMA_HEAP_IOCTL_ALLOC,
				 1ULL << 40, O_RDWR, 0);
			heap_try(c, hp, "len_64M", DMA_HEAP_IOCTL_ALLOC,
				 64ULL << 20, O_RDWR, 0);
		}
		heap_try(c, hp, "fd_rdonly", DMA_HEAP_IOCTL_ALLOC, PAGE,
			 O_RDONLY, 0);
		heap_try(c, hp, "fd_wronly", DMA_HEAP_IOCTL_ALLOC, PAGE,
			 O_WRONLY, 0);
		heap_try(c, hp, "fd_accmode3", DMA_HEAP_IOCTL_ALLOC, PAGE,
			 O_ACCMODE, 0);
		heap_try(c, hp, "fd_nonblock", DMA_HEAP_IOCTL_ALLOC, PAGE,
			 O_RDWR | O_NONBLOCK, 0);
		heap_try(c, hp, "fd_bit31", DMA_HEAP_IOCTL_ALLOC, PAGE,
			 O_RDWR | 0x80000000u, 0);
		heap_try(c, hp, "heap_flags1", DMA_HEAP_IOCTL_ALLOC, PAGE,
			 O_RDWR, 1);
		heap_try(c, hp, "heap_flags63", DMA_HEAP_IOCTL_ALLOC, PAGE,
			 O_RDWR, 1ULL << 63);
		for (n = 0; n < ARRAY_SIZE(heap_cmds); n++)
			heap_try(c, hp, heap_cmds[n].name, heap_cmds[n].cmd, PAGE,
				 O_RDWR, 0);

		snprintf(line, sizeof(line), HEAP_DIR "/%.40s", hp);
		h = open(line, O_RDONLY | O_CLOEXEC);
		emit(c, "null_arg -> %s",
		     rs(xio(h, DMA_HEAP_IOCTL_ALLOC, NULL)));
		if (!fstat(h, &st))
			emit(c, "chardev=%d mode=%o", S_ISCHR(st.st_mode),
			     st.st_mode & 07777);
		emit(c, "read -> %s lseek -> %s",
		     rs(read(h, line, 1) < 0 ? -errno : 0),
		     rs(lseek(h, 0, SEEK_END) < 0 ? -errno : 0));
		emit(c, "poll %s", poll0(h, POLLIN | POLLOUT));
		close(h);
		h = open(line, O_RDWR | O_CLOEXEC);
		emit(c, "open_rdwr -> %s", fdr(h < 0 ? -errno : h));
		closep(&h);
		h = heap_alloc(hp, 3 * PAGE, O_RDWR | O_CLOEXEC, 0);
		if (h >= 0) {
			print_fdinfo(c, h);
			print_link(c, h);
			print_sysfs_stats(c, h);
			close(h);
		}
	}
}

/* ------------------------------------------------------------------ */
/* udmabuf */

static void udmabuf_report(const char *c, const char *what, long r)
{
	if (r >= 0) {
		off_t sz = lseek((int)r, 0, SEEK_END);
		int fdf = fcntl((int)r, F_GETFD), fl = fcntl((int)r, F_GETFL);

		emit(c, "%s -> fd size=%lld getfl=%o cloexec=%d", what,
		     (long long)sz, fl, !!(fdf & FD_CLOEXEC));
		close((int)r);
	} else {
		emit(c, "%s -> %s", what, errname(-r));
	}
}

/*
 * UDMABUF_CREATE_LIST with @count items, the first ones copied from
 * @items and the rest zeroed (the kernel reads count of them, up to the
 * limit, so they must all be ours).
 */
static long udmabuf_list(__u32 flags, __u32 count,
			 const struct udmabuf_create_item *items)
{
	size_t n = count < 1100 ? count : 1100;
	struct udmabuf_create_list *l;
	long r;

	l = calloc(1, sizeof(*l) + (n + 1) * sizeof(l->list[0]));
	if (!l)
		return -ENOMEM;
	l->flags = flags;
	l->count = count;
	if (items)
		memcpy(l->list, items, sizeof(l->list[0]) * (n < 8 ? n : 8));
	r = xio(udmabuf_dev, UDMABUF_CREATE_LIST, l);
	free(l);
	return r;
}

static void case_udmabuf(void)
{
	const char *c = "udmabuf.create";
	int good, noseal, sealwrite, pfd[2], dn;
	struct udmabuf_create_item it[8];
	unsigned char *p;
	long r;

	if (udmabuf_dev < 0) {
		emit("udmabuf.absent", "%s", "no /dev/udmabuf");
		return;
	}
	good = memfd_sealed(8 * PAGE, MFD_ALLOW_SEALING, F_SEAL_SHRINK);
	noseal = memfd_sealed(8 * PAGE, MFD_ALLOW_SEALING, 0);
	sealwrite = memfd_sealed(8 * PAGE, MFD_ALLOW_SEALING,
				 F_SEAL_SHRINK | F_SEAL_WRITE);
	dn = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (pipe(pfd)) {
		pfd[0] = -1;
		pfd[1] = -1;
	}

	udmabuf_report(c, "good", udmabuf_create1(good, 0, 0, 8 * PAGE));
	udmabuf_report(c, "good_cloexec",
		       udmabuf_create1(good, UDMABUF_FLAGS_CLOEXEC, 0, PAGE));
	udmabuf_report(c, "flags_unknown",
		       udmabuf_create1(good, 0x100, 0, PAGE));
	udmabuf_report(c, "flags_all", udmabuf_create1(good, ~0u, 0, PAGE));
	udmabuf_report(c, "offset_page3", udmabuf_create1(good, 0, 3 * PAGE,
							  5 * PAGE));
	udmabuf_report(c, "size0", udmabuf_create1(good, 0, 0, 0));
	udmabuf_report(c, "size_unaligned",
		       udmabuf_create1(good, 0, 0, PAGE + 1));
	udmabuf_report(c, "offset_unaligned",
		       udmabuf_create1(good, 0, 100, PAGE));
	udmabuf_report(c, "beyond_file", udmabuf_create1(good, 0, 4 * PAGE,
							 8 * PAGE));
	udmabuf_report(c, "offset_at_end", udmabuf_create1(good, 0, 8 * PAGE,
							   PAGE));
	udmabuf_report(c, "size_65M", udmabuf_create1(good, 0, 0, 65ULL << 20));
	udmabuf_report(c, "size_huge", udmabuf_create1(good, 0, 0, -PAGE));
	udmabuf_report(c, "offset_huge", udmabuf_create1(good, 0, -PAGE, PAGE));
	udmabuf_report(c, "no_shrink_seal", udmabuf_create1(noseal, 0, 0, PAGE));
	udmabuf_report(c, "write_sealed",
		       udmabuf_create1(sealwrite, 0, 0, PAGE));
	udmabuf_report(c, "devnull", udmabuf_create1(dn, 0, 0, PAGE));
	udmabuf_report(c, "pipe", udmabuf_create1(pfd[0], 0, 0, PAGE));
	udmabuf_report(c, "fd_minus1", udmabuf_create1(-1, 0, 0, PAGE));
	udmabuf_report(c, "fd_unused", udmabuf_create1(1000, 0, 0, PAGE));
	udmabuf_report(c, "fd_udmabuf_dev",
		       udmabuf_create1(udmabuf_dev, 0, 0, PAGE));
	{
		int unsealable = memfd_create("dt", MFD_CLOEXEC);

		if (unsealable >= 0 && !ftruncate(unsealable, PAGE))
			udmabuf_report(c, "memfd_no_allow_sealing",
				       udmabuf_create1(unsealable, 0, 0, PAGE));
		closep(&unsealable);
	}
	{
		int b = udmabuf_new(PAGE);

		udmabuf_report(c, "fd_is_dmabuf", udmabuf_create1(b, 0, 0, PAGE));
		closep(&b);
	}
	emit(c, "null_arg -> %s", rs(xio(udmabuf_dev, UDMABUF_CREATE, NULL)));
	emit(c, "unknown_ioctl -> %s short_ioctl -> %s",
	     rs(xio(udmabuf_dev, _IO('u', 0x44), NULL)),
	     rs(xio(udmabuf_dev, _IOW('u', 0x42, __u64), &r)));

	c = "udmabuf.create_list";
	memset(it, 0, sizeof(it));
	it[0].memfd = good;
	it[0].size = PAGE;
	it[1].memfd = good;
	it[1].offset = 2 * PAGE;
	it[1].size = 2 * PAGE;
	udmabuf_report(c, "two", udmabuf_list(0, 2, it));
	udmabuf_report(c, "count0", udmabuf_list(0, 0, it));
	udmabuf_report(c, "count1024", udmabuf_list(0, 1024, NULL));
	udmabuf_report(c, "count1025", udmabuf_list(0, 1025, NULL));
	udmabuf_report(c, "count_huge", udmabuf_list(0, 0x80000000u, NULL));
	udmabuf_report(c, "cloexec", udmabuf_list(UDMABUF_FLAGS_CLOEXEC, 2, it));
	udmabuf_report(c, "flags_unknown", udmabuf_list(0x10, 2, it));
	it[2] = it[0];
	it[2].memfd = noseal;
	udmabuf_report(c, "third_unsealed", udmabuf_list(0, 3, it));
	it[2].memfd = good;
	it[2].size = PAGE + 1;
	udmabuf_report(c, "third_unaligned", udmabuf_list(0, 3, it));
	it[2].size = PAGE;
	it[2].memfd = 1000;
	udmabuf_report(c, "third_bad_fd", udmabuf_list(0, 3, it));
	it[2].memfd = good;
	it[2].offset = 8 * PAGE;
	udmabuf_report(c, "third_beyond", udmabuf_list(0, 3, it));
	it[2].offset = 0;
	it[2].size = 64ULL << 20;
	udmabuf_report(c, "total_over_limit", udmabuf_list(0, 3, it));
	it[0].__pad = 1;
	udmabuf_report(c, "pad_set", udmabuf_list(0, 2, it));
	emit(c, "null_arg -> %s",
	     rs(xio(udmabuf_dev, UDMABUF_CREATE_LIST, NULL)));
	{
		/* The head readable, the items past the end of the mapping. */
		char *two = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (two != MAP_FAILED) {
			struct udmabuf_create_list *h = (void *)(two + PAGE -
						sizeof(*h));

			munmap(two + PAGE, PAGE);
			h->flags = 0;
			h->count = 1;
			emit(c, "items_unmapped -> %s",
			     rs(xio(udmabuf_dev, UDMABUF_CREATE_LIST, h)));
			munmap(two, PAGE);
		}
	}

	c = "udmabuf.contents";
	p = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, good, 0);
	r = udmabuf_create1(good, 0, 2 * PAGE, 2 * PAGE);
	if (p != MAP_FAILED && r >= 0) {
		unsigned char *q;

		memset(p, 0x11, 8 * PAGE);
		p[2 * PAGE] = 0x5a;
		q = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			 (int)r, 0);
		if (q != MAP_FAILED) {
			emit(c, "first_byte=%#x second_page=%#x", q[0], q[PAGE]);
			q[1] = 0x77;
			emit(c, "write_back_seen=%d", p[2 * PAGE + 1] == 0x77);
			munmap(q, 2 * PAGE);
		} else {
			emit(c, "mmap %s", errname(errno));
		}
		emit(c, "private_map -> %s",
		     mmap_try((int)r, PAGE, PROT_READ, MAP_PRIVATE, 0));
		print_fdinfo(c, (int)r);
		print_link(c, (int)r);
	}
	if (r >= 0)
		close((int)r);
	if (p != MAP_FAILED)
		munmap(p, 8 * PAGE);

	/* hugetlbfs memfds: untouched pages, then touched ones. */
	c = "udmabuf.hugetlb";
	{
		const size_t huge = 2UL << 20;
		int hfd = memfd_sealed(huge, MFD_ALLOW_SEALING | MFD_HUGETLB,
				       F_SEAL_SHRINK);

		if (hfd < 0) {
			emit(c, "memfd %s", errname(-hfd));
		} else {
			unsigned char *h;

			udmabuf_report(c, "untouched",
				       udmabuf_create1(hfd, 0, 0, huge));
			h = mmap(NULL, huge, PROT_READ | PROT_WRITE, MAP_SHARED,
				 hfd, 0);
			if (h != MAP_FAILED) {
				h[0] = 1;
				h[PAGE + 5] = 0x42;
				munmap(h, huge);
			}
			udmabuf_report(c, "touched",
				       udmabuf_create1(hfd, 0, 0, huge));
			udmabuf_report(c, "offset_page1",
				       udmabuf_create1(hfd, 0, PAGE, PAGE));
			r = udmabuf_create1(hfd, 0, PAGE, PAGE);
			if (r >= 0) {
				h = mmap(NULL, PAGE, PROT_READ, MAP_SHARED,
					 (int)r, 0);
				if (h != MAP_FAILED) {
					emit(c, "byte5=%#x", h[5]);
					munmap(h, PAGE);
				}
				close((int)r);
			}
			udmabuf_report(c, "beyond",
				       udmabuf_create1(hfd, 0, huge, PAGE));
			udmabuf_report(c, "half_unaligned",
				       udmabuf_create1(hfd, 0, 512, PAGE));
			close(hfd);
		}
	}
	closep(&good);
	closep(&noseal);
	closep(&sealwrite);
	closep(&dn);
	closep(&pfd[0]);
	closep(&pfd[1]);
}

/* ------------------------------------------------------------------ */
/* DRM PRIME through vgem */

static long prime_to_fd(int drm, __u32 handle, __u32 flags)
{
	struct drm_prime_handle p = { .handle = handle, .flags = flags,
				      .fd = -1 };
	long r = xio(drm, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);

	return r < 0 ? r : p.fd;
}

static long prime_to_handle(int drm, int fd)
{
	struct drm_prime_handle p = { .fd = fd };
	long r = xio(drm, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);

	return r < 0 ? r : (long)p.handle;
}

static void case_prime(void)
{
	const char *c = "prime.vgem";
	struct drm_mode_create_dumb dumb = { .width = 1024, .height = 2,
					     .bpp = 32 };
	int vgem = open_vgem(), fd, fd2, tl, s, pfd[2];
	__u32 fence;
	long r, h;

	if (vgem < 0) {
		emit("prime.absent", "%s", "no vgem card");
		return;
	}
	r = xio(vgem, DRM_IOCTL_MODE_CREATE_DUMB, &dumb);
	emit(c, "create_dumb -> %s handle=%u pitch=%u size=%llu", rs(r),
	     dumb.handle, dumb.pitch, (unsigned long long)dumb.size);
	if (r < 0)
		goto out;

	c = "prime.handle_to_fd";
	r = prime_to_fd(vgem, dumb.handle, 0);
	emit(c, "flags0 -> %s", fdr(r));
	if (r >= 0) {
		print_fd_flags(c, (int)r);
		close((int)r);
	}
	r = prime_to_fd(vgem, dumb.handle, DRM_CLOEXEC);
	emit(c, "cloexec -> %s", fdr(r));
	if (r >= 0) {
		print_fd_flags(c, (int)r);
		close((int)r);
	}
	emit(c, "bad_flags -> %s", fdr(prime_to_fd(vgem, dumb.handle, 0x10)));
	emit(c, "bad_handle -> %s", fdr(prime_to_fd(vgem, 999, DRM_CLOEXEC)));
	fd = (int)prime_to_fd(vgem, dumb.handle, DRM_CLOEXEC | DRM_RDWR);
	emit(c, "cloexec|rdwr -> %s", fdr(fd));
	if (fd < 0)
		goto out;
	print_fd_flags(c, fd);
	fd2 = (int)prime_to_fd(vgem, dumb.handle, DRM_CLOEXEC | DRM_RDWR);
	{
		struct stat a, b;

		emit(c, "again_same_file=%d",
		     fd2 >= 0 && !fstat(fd, &a) && !fstat(fd2, &b) &&
		     a.st_ino == b.st_ino);
	}
	closep(&fd2);

	c = "prime.fd_to_handle";
	emit(c, "same_buffer -> %s (created %u)",
	     rs(prime_to_handle(vgem, fd)), dumb.handle);
	emit(c, "fd_minus1 -> %s", rs(prime_to_handle(vgem, -1)));
	emit(c, "fd_unused -> %s", rs(prime_to_handle(vgem, 1000)));
	if (pipe(pfd) == 0) {
		emit(c, "pipe -> %s", rs(prime_to_handle(vgem, pfd[0])));
		close(pfd[0]);
		close(pfd[1]);
	}
	tl = tl_open("tla");
	s = fence_create(tl, 1, "s");
	emit(c, "sync_file -> %s", rs(prime_to_handle(vgem, s)));
	{
		int u = udmabuf_dev >= 0 ? udmabuf_new(2 * PAGE) : -1;

		if (u >= 0) {
			h = prime_to_handle(vgem, u);
			emit(c, "udmabuf -> %s again -> %s", rs(h),
			     rs(prime_to_handle(vgem, u)));
			r = h >= 0 ? prime_to_fd(vgem, (__u32)h, DRM_CLOEXEC) : -1;
			if (r >= 0) {
				struct stat a, b;

				emit(c, "reexport_is_original=%d",
				     !fstat(u, &a) && !fstat((int)r, &b) &&
				     a.st_ino == b.st_ino);
				close((int)r);
			}
			close(u);
		}
	}

	c = "prime.rdwr_first";
	{
		struct drm_mode_create_dumb d2 = { .width = 1024, .height = 1,
						   .bpp = 32 };

		r = xio(vgem, DRM_IOCTL_MODE_CREATE_DUMB, &d2);
		emit(c, "create_dumb -> %s handle=%u", rs(r), d2.handle);
		r = r < 0 ? r : prime_to_fd(vgem, d2.handle,
					    DRM_CLOEXEC | DRM_RDWR);
		emit(c, "cloexec|rdwr -> %s", fdr(r));
		if (r >= 0) {
			print_fd_flags(c, (int)r);
			emit(c, "mmap rw -> %s",
			     mmap_try((int)r, d2.size, PROT_READ | PROT_WRITE,
				      MAP_SHARED, 0));
			emit(c, "mmap private -> %s",
			     mmap_try((int)r, d2.size, PROT_READ, MAP_PRIVATE,
				      0));
			emit(c, "sync START|RW -> %s END|RW -> %s",
			     rs(buf_sync_guarded((int)r, DMA_BUF_SYNC_RW)),
			     rs(buf_sync((int)r, DMA_BUF_SYNC_RW |
					 DMA_BUF_SYNC_END)));
			close((int)r);
		}
		{
			struct drm_gem_close gc = { .handle = d2.handle };

			emit(c, "gem_close -> %s",
			     rs(xio(vgem, DRM_IOCTL_GEM_CLOSE, &gc)));
		}
	}

	c = "prime.dmabuf";
	emit(c, "size=%lld", (long long)lseek(fd, 0, SEEK_END));
	print_fdinfo(c, fd);
	print_link(c, fd);
	print_bufinfo(c, fd);
	emit(c, "mmap -> %s",
	     mmap_try(fd, dumb.size, PROT_READ | PROT_WRITE, MAP_SHARED, 0));
	export_show(c, fd, DMA_BUF_SYNC_RW, " empty", false);

	c = "prime.vgem_fence";
	ctx_reset();
	r = vgem_fence(vgem, dumb.handle, 1, &fence);
	emit(c, "attach write -> %s", rs(r));
	if (r >= 0) {
		struct drm_vgem_fence_attach bad = { .handle = dumb.handle,
						     .flags = 2 };

		emit(c, "attach_bad_flags -> %s",
		     rs(xio(vgem, DRM_IOCTL_VGEM_FENCE_ATTACH, &bad)));
		emit(c, "poll IN=%s OUT=%s", poll0(fd, POLLIN),
		     poll0(fd, POLLOUT));
		export_show(c, fd, DMA_BUF_SYNC_READ, "", false);
		emit(c, "import READ sw_sync -> %s",
		     rs(buf_import(fd, DMA_BUF_SYNC_READ, s)));
		export_show(c, fd, DMA_BUF_SYNC_WRITE, "", false);
		print_bufinfo(c, fd);
		emit(c, "signal -> %s", rs(vgem_signal(vgem, fence)));
		emit(c, "signal_again -> %s", rs(vgem_signal(vgem, fence)));
		emit(c, "poll IN=%s OUT=%s", poll0(fd, POLLIN),
		     poll0(fd, POLLOUT));
		export_show(c, fd, DMA_BUF_SYNC_WRITE, "", false);
		timeline_inc(tl, 1);
		emit(c, "all signaled poll IN=%s OUT=%s", poll0(fd, POLLIN),
		     poll0(fd, POLLOUT));
	}
	close(s);
	close(tl);
	close(fd);
out:
	close(vgem);
}

/* ------------------------------------------------------------------ */
/* DRM syncobjs through the dmabuf-syncobj device */

#define SO_IMPORT DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE
#define SO_AVAILABLE DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE

static long so_create(int drm, __u32 flags)
{
	struct drm_syncobj_create cr = { .flags = flags };
	long r = xio(drm, DRM_IOCTL_SYNCOBJ_CREATE, &cr);

	return r < 0 ? r : (long)cr.handle;
}

static long so_destroy(int drm, __u32 h)
{
	struct drm_syncobj_destroy d = { .handle = h };

	return xio(drm, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
}

static long so_to_fd(int drm, __u32 h, __u32 flags)
{
	struct drm_syncobj_handle a = { .handle = h, .flags = flags, .fd = -1 };
	long r = xio(drm, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &a);

	return r < 0 ? r : a.fd;
}

static long so_from_fd(int drm, int fd, __u32 flags, __u32 h)
{
	struct drm_syncobj_handle a = { .handle = h, .flags = flags, .fd = fd };
	long r = xio(drm, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &a);

	return r < 0 ? r : (long)a.handle;
}

static long so_wait(int drm, __u32 *h, __u32 n, __u32 flags, __u32 *first)
{
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)h, .count_handles = n, .flags = flags,
		.timeout_nsec = 0, .first_signaled = ~0u,
	};
	long r = xio(drm, DRM_IOCTL_SYNCOBJ_WAIT, &w);

	*first = w.first_signaled;
	return r;
}

static long so_twait(int drm, __u32 h, __u64 point, __u32 flags)
{
	struct drm_syncobj_timeline_wait w = {
		.handles = (uintptr_t)&h, .points = (uintptr_t)&point,
		.count_handles = 1, .flags = flags, .timeout_nsec = 0,
	};

	return xio(drm, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w);
}

static const char *so_query(int drm, __u32 h, __u32 flags)
{
	static char buf[4][32];
	static int slot;
	struct drm_syncobj_timeline_array q = { .count_handles = 1,
						.flags = flags };
	__u64 pt = 12345;
	long r;

	q.handles = (uintptr_t)&h;
	q.points = (uintptr_t)&pt;
	r = xio(drm, DRM_IOCTL_SYNCOBJ_QUERY, &q);
	if (r < 0)
		return errname(-r);
	slot = (slot + 1) % 4;
	snprintf(buf[slot], sizeof(buf[slot]), "%llu", (unsigned long long)pt);
	return buf[slot];
}

static long so_tsignal(int drm, __u32 h, __u64 point)
{
	struct drm_syncobj_timeline_array a = { .count_handles = 1 };

	a.handles = (uintptr_t)&h;
	a.points = (uintptr_t)&point;
	return xio(drm, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &a);
}

static long so_transfer(int drm, __u32 src, __u64 sp, __u32 dst, __u64 dp,
			__u32 flags)
{
	struct drm_syncobj_transfer t = { .src_handle = src, .dst_handle = dst,
					  .src_point = sp, .dst_point = dp,
					  .flags = flags };

	return xio(drm, DRM_IOCTL_SYNCOBJ_TRANSFER, &t);
}

static void so_describe_export(int drm, const char *c, const char *tag,
			       __u32 h)
{
	long r = so_to_fd(drm, h, DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE);

	if (r < 0) {
		emit(c, "%sexport -> %s", tag, errname(-r));
		return;
	}
	sf_describe(c, tag, (int)r);
	close((int)r);
}

static void case_syncobj(void)
{
	static const __u32 wflags[] = {
		0, DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
		DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
		DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL |
			DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
		DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE,
		DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
			DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE,
		8,
	};
	int drm = open_drm("dmabuf-syncobj"), tl, f, i;
	const char *c = "syncobj.create";
	long a, b, t, r;
	__u32 hs[2], first;

	if (drm < 0) {
		puts("syncobj.absent");
		return;
	}
	ctx_reset();
	tl = tl_open("tla");
	a = so_create(drm, 0);
	b = so_create(drm, DRM_SYNCOBJ_CREATE_SIGNALED);
	emit(c, "flags0 -> %s signaled -> %s bad_flags -> %s", rs(a), rs(b),
	     rs(so_create(drm, 2)));
	emit(c, "destroy_bad -> %s", rs(so_destroy(drm, 999)));
	{
		struct drm_syncobj_destroy d = { .handle = (__u32)a, .pad = 1 };

		emit(c, "destroy_pad -> %s",
		     rs(xio(drm, DRM_IOCTL_SYNCOBJ_DESTROY, &d)));
	}

	c = "syncobj.handle_fd";
	r = so_to_fd(drm, (__u32)a, 0);
	emit(c, "to_fd -> %s", fdr(r));
	if (r >= 0) {
		print_link(c, (int)r);
		emit(c, "from_fd -> %s", rs(so_from_fd(drm, (int)r, 0, 0)));
		emit(c, "import_syncobj_fd_as_sync_file -> %s",
		     rs(so_from_fd(drm, (int)r, SO_IMPORT, (__u32)a)));
		close((int)r);
	}
	emit(c, "to_fd_bad_flags -> %s", fdr(so_to_fd(drm, (__u32)a, 4)));
	emit(c, "to_fd_bad_handle -> %s", fdr(so_to_fd(drm, 999, 0)));
	emit(c, "from_fd_minus1 -> %s", rs(so_from_fd(drm, -1, 0, 0)));
	so_describe_export(drm, c, "empty ", (__u32)a);
	so_describe_export(drm, c, "signaled ", (__u32)b);

	c = "syncobj.import_sync_file";
	f = fence_create(tl, 1, "x");
	emit(c, "import -> %s",
	     rs(so_from_fd(drm, f, SO_IMPORT, (__u32)a)));
	emit(c, "import_bad_handle -> %s",
	     rs(so_from_fd(drm, f, SO_IMPORT, 999)));
	{
		int dn = open("/dev/null", O_RDONLY | O_CLOEXEC);

		emit(c, "import_not_sync_file -> %s",
		     rs(so_from_fd(drm, dn, SO_IMPORT, (__u32)a)));
		closep(&dn);
	}
	so_describe_export(drm, c, "pending ", (__u32)a);

	c = "syncobj.wait";
	hs[0] = (__u32)a;
	hs[1] = (__u32)b;
	for (i = 0; i < 7; i++) {
		r = so_wait(drm, hs, 2, wflags[i], &first);
		emit(c, "pending+signaled flags=%#x -> %s first=%d", wflags[i],
		     rs(r), r < 0 ? -1 : (int)first);
	}
	{
		long e = so_create(drm, 0);

		hs[1] = (__u32)e;
		for (i = 0; i < 7; i++) {
			r = so_wait(drm, hs, 2, wflags[i], &first);
			emit(c, "pending+empty flags=%#x -> %s", wflags[i], rs(r));
		}
		r = so_wait(drm, hs, 0, 0, &first);
		emit(c, "count0 -> %s", rs(r));
		so_destroy(drm, (__u32)e);
	}
	timeline_inc(tl, 1);
	hs[1] = (__u32)b;
	r = so_wait(drm, hs, 2, DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, &first);
	emit(c, "after_signal all -> %s first=%d", rs(r),
	     r < 0 ? -1 : (int)first);
	so_describe_export(drm, c, "after_signal ", (__u32)a);
	{
		struct drm_syncobj_array arr = { .handles = (uintptr_t)hs,
						 .count_handles = 2 };

		emit(c, "reset -> %s", rs(xio(drm, DRM_IOCTL_SYNCOBJ_RESET,
					      &arr)));
		so_describe_export(drm, c, "after_reset ", (__u32)a);
		emit(c, "signal -> %s", rs(xio(drm, DRM_IOCTL_SYNCOBJ_SIGNAL,
					       &arr)));
		so_describe_export(drm, c, "after_signal_ioctl ", (__u32)a);
		arr.pad = 1;
		emit(c, "signal_pad -> %s",
		     rs(xio(drm, DRM_IOCTL_SYNCOBJ_SIGNAL, &arr)));
	}
	close(f);

	c = "syncobj.timeline";
	t = so_create(drm, 0);
	emit(c, "query_empty %s last_submitted %s", so_query(drm, (__u32)t, 0),
	     so_query(drm, (__u32)t, DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED));
	emit(c, "signal1 -> %s", rs(so_tsignal(drm, (__u32)t, 1)));
	f = fence_create(tl, 5, "p5");
	r = so_from_fd(drm, f, SO_IMPORT, (__u32)a);
	emit(c, "binary<-p5 -> %s transfer to 3 -> %s", rs(r),
	     rs(so_transfer(drm, (__u32)a, 0, (__u32)t, 3, 0)));
	emit(c, "transfer_bad_flags -> %s",
	     rs(so_transfer(drm, (__u32)a, 0, (__u32)t, 4, 0x10)));
	emit(c, "transfer_from_missing_point -> %s",
	     rs(so_transfer(drm, (__u32)t, 9, (__u32)a, 0, 0)));
	emit(c, "query %s last_submitted %s", so_query(drm, (__u32)t, 0),
	     so_query(drm, (__u32)t, DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED));
	emit(c, "signal2_behind -> %s", rs(so_tsignal(drm, (__u32)t, 2)));
	emit(c, "query %s last_submitted %s", so_query(drm, (__u32)t, 0),
	     so_query(drm, (__u32)t, DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED));
	for (i = 0; i < 7; i++) {
		__u64 pt;

		for (pt = 1; pt <= 4; pt++)
			emit(c, "twait point=%llu flags=%#x -> %s",
			     (unsigned long long)pt, wflags[i],
			     rs(so_twait(drm, (__u32)t, pt, wflags[i])));
	}
	so_describe_export(drm, c, "head ", (__u32)t);
	{
		long x = so_create(drm, 0);

		r = so_transfer(drm, (__u32)t, 3, (__u32)x, 0, 0);
		emit(c, "point3 to binary -> %s", rs(r));
		so_describe_export(drm, c, "point3 ", (__u32)x);
		r = so_transfer(drm, (__u32)t, 1, (__u32)x, 0, 0);
		emit(c, "point1 to binary -> %s", rs(r));
		so_describe_export(drm, c, "point1 ", (__u32)x);
		so_destroy(drm, (__u32)x);
	}
	timeline_inc(tl, 10);
	emit(c, "signaled query %s last_submitted %s",
	     so_query(drm, (__u32)t, 0),
	     so_query(drm, (__u32)t, DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED));
	for (i = 0; i < 3; i++)
		emit(c, "signaled twait point=3 flags=%#x -> %s", wflags[i],
		     rs(so_twait(drm, (__u32)t, 3, wflags[i])));
	so_describe_export(drm, c, "signaled head ", (__u32)t);
	close(f);

	/* A chain of pending points from two sw_sync timelines. */
	c = "syncobj.chain";
	{
		int tl2 = tl_open("tlb"), tl3 = tl_open("tlc"), p[4];
		long ch = so_create(drm, 0), bin = so_create(drm, 0);

		ctx_reset();
		for (i = 0; i < 4; i++) {
			p[i] = fence_create(i % 2 ? tl2 : tl3, 1 + i / 2, "c");
			so_from_fd(drm, p[i], SO_IMPORT, (__u32)bin);
			r = so_transfer(drm, (__u32)bin, 0, (__u32)ch,
					(__u64)(2 * i + 2), 0);
			emit(c, "point %d -> %s", 2 * i + 2, rs(r));
		}
		emit(c, "query %s last_submitted %s",
		     so_query(drm, (__u32)ch, 0),
		     so_query(drm, (__u32)ch,
			      DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED));
		so_describe_export(drm, c, "head ", (__u32)ch);
		timeline_inc(tl3, 1); /* signals point 2 */
		emit(c, "tlc_1 query %s", so_query(drm, (__u32)ch, 0));
		timeline_inc(tl3, 1); /* and point 6 */
		emit(c, "tlc_2 query %s", so_query(drm, (__u32)ch, 0));
		for (i = 1; i <= 9; i++)
			emit(c, "twait point=%d -> %s avail -> %s", i,
			     rs(so_twait(drm, (__u32)ch, i, 0)),
			     rs(so_twait(drm, (__u32)ch, i, SO_AVAILABLE)));
		so_describe_export(drm, c, "head ", (__u32)ch);
		timeline_inc(tl2, 1);
		emit(c, "tlb_1 query %s", so_query(drm, (__u32)ch, 0));
		so_describe_export(drm, c, "head ", (__u32)ch);
		timeline_inc(tl2, 1);
		emit(c, "all_signaled query %s", so_query(drm, (__u32)ch, 0));
		so_describe_export(drm, c, "head ", (__u32)ch);
		for (i = 0; i < 4; i++)
			close(p[i]);
		so_destroy(drm, (__u32)ch);
		so_destroy(drm, (__u32)bin);
		close(tl2);
		close(tl3);
	}
	so_destroy(drm, (__u32)t);
	so_destroy(drm, (__u32)a);
	so_destroy(drm, (__u32)b);
	close(tl);
	close(drm);
}

/* ------------------------------------------------------------------ */
/* A full descriptor table */

static struct rlimit fd_limit_saved;

/* RLIMIT_NOFILE at the lowest free descriptor: none can be added. */
static void fd_table_fill(void)
{
	struct rlimit full;
	int next = dup(0);

	close(next);
	getrlimit(RLIMIT_NOFILE, &fd_limit_saved);
	full = fd_limit_saved;
	full.rlim_cur = next;
	setrlimit(RLIMIT_NOFILE, &full);
}

static void fd_table_restore(void)
{
	setrlimit(RLIMIT_NOFILE, &fd_limit_saved);
}

/*
 * Every call that makes a descriptor, with no room for one, also with a
 * bad argument beside the full table (which error comes first is part of
 * the answer), then whether anything was left installed.
 */
static void case_full_fd_table(void)
{
	const char *c = "limits.full_fd_table";
	struct sw_sync_create_fence_data cf = { .value = 1, .name = "f" };
	struct dma_buf_export_sync_file ex = { .flags = DMA_BUF_SYNC_RW };
	struct dma_heap_allocation_data ha = {
		.len = PAGE, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	struct sync_merge_data md = { .name = "m" };
	struct udmabuf_create uc = { .flags = UDMABUF_FLAGS_CLOEXEC,
				     .size = PAGE };
	long r[10];
	int tl, a, buf, heap, memfd, i;
	char path[128];

	ctx_reset();
	tl = tl_open("tla");
	a = fence_create(tl, 1, "a");
	buf = buf_new(BUF_SYSTEM, PAGE);
	buf_import(buf, DMA_BUF_SYNC_WRITE, a);
	snprintf(path, sizeof(path), HEAP_DIR "/system");
	heap = open(path, O_RDONLY | O_CLOEXEC);
	memfd = memfd_sealed(PAGE, MFD_ALLOW_SEALING, F_SEAL_SHRINK);
	uc.memfd = memfd;
	md.fd2 = a;
	fds_snapshot();
	fd_table_fill();
	r[0] = xio(tl, SW_SYNC_IOC_CREATE_FENCE, &cf);
	r[1] = xio(tl, SW_SYNC_IOC_CREATE_FENCE, NULL);
	r[2] = xio(a, SYNC_IOC_MERGE, &md);
	md.fd2 = -1;
	r[3] = xio(a, SYNC_IOC_MERGE, &md);
	r[4] = xio(buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &ex);
	ex.flags = 0;
	r[5] = xio(buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &ex);
	r[6] = heap < 0 ? -ENODEV : xio(heap, DMA_HEAP_IOCTL_ALLOC, &ha);
	r[7] = udmabuf_dev < 0 ? -ENODEV : xio(udmabuf_dev, UDMABUF_CREATE, &uc);
	uc.size = 0;
	r[8] = udmabuf_dev < 0 ? -ENODEV : xio(udmabuf_dev, UDMABUF_CREATE, &uc);
	ha.heap_flags = 1;
	r[9] = heap < 0 ? -ENODEV : xio(heap, DMA_HEAP_IOCTL_ALLOC, &ha);
	fd_table_restore();
	emit(c, "create %s create_null %s merge %s merge_badfd %s", rs(r[0]),
	     rs(r[1]), rs(r[2]), rs(r[3]));
	emit(c, "export %s export_noflags %s heap %s heap_badflags %s",
	     rs(r[4]), rs(r[5]), rs(r[6]), rs(r[9]));
	emit(c, "udmabuf %s udmabuf_size0 %s", rs(r[7]), rs(r[8]));
	emit(c, "new_fds=%d", fds_close_new());
	for (i = 0; i < 2; i++)
		emit(c, "after: create %s", fdr(fence_create(tl, 2 + i, "g")));
	fds_close_new();
	sf_describe(c, "a ", a);
	closep(&memfd);
	closep(&heap);
	closep(&buf);
	close(a);
	close(tl);
}

/* ------------------------------------------------------------------ */
/* Random sequences */

static unsigned long long prng_state;

static unsigned long long prng_next(void)
{
	unsigned long long z = (prng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int rnd(unsigned int n)
{
	return (unsigned int)(prng_next() % n);
}

#define R_FILES 8
#define R_TLS 3
#define R_BUFS 2
#define R_PINS 16

struct rseq {
	char name[32];
	int ntl, nbuf, step;
	int tl[R_TLS];
	__u32 tlval[R_TLS];
	int file[R_FILES];
	int buf[R_BUFS];
	int pin[R_PINS];
	int npin;
};

static const char *const tl_comm[R_TLS] = { "tla", "tlb", "tlc" };

static int r_free_slot(struct rseq *s)
{
	int i;

	for (i = 0; i < R_FILES; i++)
		if (s->file[i] < 0)
			return i;
	return -1;
}

static int r_pick_file_count(struct rseq *s)
{
	int i, n = 0;

	for (i = 0; i < R_FILES; i++)
		n += s->file[i] >= 0;
	return n;
}

/* A random open file slot, or -1. */
static int r_pick_file(struct rseq *s)
{
	int open[R_FILES], n = 0, i;

	for (i = 0; i < R_FILES; i++)
		if (s->file[i] >= 0)
			open[n++] = i;
	return n ? open[rnd(n)] : -1;
}

/*
 * A dma-buf poll that finds a fence pending leaves a callback on it, and
 * the callback holds a reference.  When that becomes the fence's last one
 * (its sync file closed, its slot taken by a later fence of its timeline),
 * closing a sw_sync timeline deadlocks 6.1: the release signals the
 * pending points with the timeline's lock held, the callback drops the
 * point, and freeing the point takes that lock again.  Both kernels are
 * kept out of it alike: after a poll that left a callback, a sync file of
 * all the buffer's fences, which nothing prints, holds them until the
 * timelines are closed.
 */
static const char *r_poll_buf(struct rseq *s, int k, short events)
{
	struct pollfd p = { .fd = s->buf[k], .events = events };
	long r;

	if (poll(&p, 1, 0) < 0)
		return errname(errno);
	if ((p.revents & events) != events && s->npin < R_PINS) {
		r = buf_export(s->buf[k], DMA_BUF_SYNC_WRITE);
		if (r >= 0)
			s->pin[s->npin++] = (int)r;
	}
	return revents(p.revents);
}

static __u32 r_rw_flags(void)
{
	static const __u32 f[] = { DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE,
				   DMA_BUF_SYNC_RW };

	if (!rnd(20))
		return rnd(2) ? 0 : 4;
	return f[rnd(3)];
}

static void r_step(struct rseq *s)
{
	char tag[48], mname[16];
	int k, a, b, slot;
	unsigned int op = rnd(100);
	long r;

	snprintf(tag, sizeof(tag), "%d ", s->step);
	/* What needs a sync file creates one when there is none. */
	if (op >= 32 && op < 80 && r_pick_file_count(s) == 0)
		op = rnd(20);
	if (op < 20) {
		/* create a point near the timeline's value (maybe passed) */
		__u32 v;

		k = rnd(s->ntl);
		v = s->tlval[k] + rnd(5) - 1;
		slot = r_free_slot(s);
		if (slot < 0)
			goto close_one;
		r = fence_create(s->tl[k], v, "r");
		emit(s->name, "%screate f%d %s v=%u -> %s", tag, slot,
		     tl_comm[k], v, fdr(r));
		if (r >= 0)
			s->file[slot] = (int)r;
	} else if (op < 32) {
		__u32 inc = rnd(3);

		k = rnd(s->ntl);
		if (!rnd(40))
			inc = rnd(2) ? 0x80000000u : 0xffffffffu;
		r = timeline_inc(s->tl[k], inc);
		emit(s->name, "%sinc %s by %u -> %s", tag, tl_comm[k], inc,
		     rs(r));
		if (!r)
			s->tlval[k] += inc;
	} else if (op < 44) {
		a = r_pick_file(s);
		b = rnd(4) ? r_pick_file(s) : a;
		slot = r_free_slot(s);
		if (a < 0)
			goto nothing;
		if (slot < 0)
			goto close_one;
		snprintf(mname, sizeof(mname), "m%d", s->step);
		r = merge(s->file[a], s->file[b], mname);
		emit(s->name, "%d merge f%d f%d -> f%d %s", s->step, a, b, slot,
		     fdr(r));
		if (r >= 0) {
			s->file[slot] = (int)r;
			snprintf(tag, sizeof(tag), "%d info f%d ", s->step, slot);
			sf_describe(s->name, tag, (int)r);
		}
	} else if (op < 56) {
		a = r_pick_file(s);
		if (a < 0)
			goto nothing;
		snprintf(tag, sizeof(tag), "%d info f%d ", s->step, a);
		sf_describe(s->name, tag, s->file[a]);
	} else if (op < 62) {
		a = r_pick_file(s);
		if (a < 0)
			goto nothing;
		emit(s->name, "%spoll f%d -> %s", tag, a,
		     poll0(s->file[a], POLLIN));
	} else if (op < 68) {
		goto close_one;
	} else if (op < 80) {
		__u32 fl = r_rw_flags();

		k = rnd(s->nbuf);
		a = r_pick_file(s);
		if (a < 0 || s->buf[k] < 0)
			goto nothing;
		r = buf_import(s->buf[k], fl, s->file[a]);
		emit(s->name, "%simport b%d %s f%d -> %s", tag, k, rw_name(fl), a,
		     rs(r));
	} else if (op < 90) {
		__u32 fl = r_rw_flags();

		k = rnd(s->nbuf);
		slot = r_free_slot(s);
		if (s->buf[k] < 0)
			goto nothing;
		if (slot < 0)
			goto close_one;
		r = buf_export(s->buf[k], fl);
		emit(s->name, "%sexport b%d %s -> f%d %s", tag, k, rw_name(fl),
		     slot, fdr(r));
		if (r >= 0) {
			s->file[slot] = (int)r;
			snprintf(tag, sizeof(tag), "%d info f%d ", s->step, slot);
			sf_describe(s->name, tag, (int)r);
		}
	} else if (op < 95) {
		static const short ev[] = { POLLIN, POLLOUT, POLLIN | POLLOUT };

		k = rnd(s->nbuf);
		a = rnd(3);
		if (s->buf[k] < 0)
			goto nothing;
		emit(s->name, "%spoll b%d %s -> %s", tag, k, revents(ev[a]),
		     r_poll_buf(s, k, ev[a]));
	} else if (op < 98) {
		__u32 fl = r_rw_flags() & DMA_BUF_SYNC_RW;
		int end = rnd(2);
		const char *ready;

		k = rnd(s->nbuf);
		if (s->buf[k] < 0)
			goto nothing;
		if (!fl)
			fl = DMA_BUF_SYNC_READ;
		if (end) {
			r = buf_sync(s->buf[k], fl | DMA_BUF_SYNC_END);
			emit(s->name, "%ssync b%d END|%s -> %s", tag, k,
			     rw_name(fl), rs(r));
			return;
		}
		/* START waits for what a poll for the same access waits. */
		ready = r_poll_buf(s, k, fl == DMA_BUF_SYNC_READ ? POLLIN
								   : POLLOUT);
		if (!strcmp(ready, "0")) {
			emit(s->name, "%ssync b%d START|%s -> skipped(busy)",
			     tag, k, rw_name(fl));
			return;
		}
		r = buf_sync_guarded(s->buf[k], fl);
		emit(s->name, "%ssync b%d START|%s -> %s", tag, k, rw_name(fl),
		     rs(r));
	} else {
		/* Closing a timeline errors its pending points (ENOENT). */
		k = rnd(s->ntl);
		close(s->tl[k]);
		s->tl[k] = tl_open(tl_comm[k]);
		s->tlval[k] = 0;
		emit(s->name, "%sreopen %s -> %s", tag, tl_comm[k],
		     s->tl[k] < 0 ? errname(errno) : "ok");
	}
	return;
close_one:
	a = r_pick_file(s);
	if (a < 0)
		goto nothing;
	close(s->file[a]);
	s->file[a] = -1;
	emit(s->name, "%sclose f%d", tag, a);
	return;
nothing:
	emit(s->name, "%snothing", tag);
}

static void random_sequence(int index)
{
	struct rseq s;
	char text[256];
	size_t n;
	int i, steps;

	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "random_user.%d", index);
	ctx_reset();
	s.ntl = 2 + rnd(2);
	s.nbuf = 1 + rnd(2);
	steps = 4 + rnd(9);
	for (i = 0; i < R_FILES; i++)
		s.file[i] = -1;
	for (i = 0; i < R_TLS; i++)
		s.tl[i] = i < s.ntl ? tl_open(tl_comm[i]) : -1;
	n = 0;
	for (i = 0; i < R_BUFS; i++) {
		enum buf_kind kind = rnd(2) ? BUF_SYSTEM : BUF_UDMABUF;

		s.buf[i] = -1;
		if (i >= s.nbuf)
			continue;
		if (!buf_available(kind))
			kind = kind == BUF_SYSTEM ? BUF_UDMABUF : BUF_SYSTEM;
		s.buf[i] = buf_new(kind, PAGE * (1 + rnd(4)));
		n += snprintf(text + n, sizeof(text) - n, " b%d=%s:%s", i,
			      kind_name[kind], fdr(s.buf[i]));
	}
	emit(s.name, "0 setup tls=%d steps=%d%s", s.ntl, steps, text);
	for (s.step = 1; s.step <= steps; s.step++)
		r_step(&s);

	/* The end: timelines closed first, so that nothing stays pending. */
	for (i = 0; i < R_TLS; i++)
		closep(&s.tl[i]);
	for (i = 0; i < s.npin; i++)
		close(s.pin[i]);
	n = 0;
	for (i = 0; i < R_FILES; i++)
		if (s.file[i] >= 0)
			n += snprintf(text + n, sizeof(text) - n, " f%d=%s", i,
				      fence_status((int)sf_status(s.file[i],
								  NULL)));
	for (i = 0; i < s.nbuf; i++)
		if (s.buf[i] >= 0)
			n += snprintf(text + n, sizeof(text) - n, " b%d=%s", i,
				      poll0(s.buf[i], POLLIN | POLLOUT));
	emit(s.name, "%d end%s", s.step, n ? text : "");
	for (i = 0; i < R_FILES; i++)
		closep(&s.file[i]);
	for (i = 0; i < R_BUFS; i++)
		closep(&s.buf[i]);
}

/* ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
	struct sigaction sa;
	unsigned long long seed;
	long sequences = 2000;
	char *end;
	int i, k;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s <seed> [sequences]\n", argv[0]);
		return 2;
	}
	errno = 0;
	seed = strtoull(argv[1], &end, 0);
	if (errno || *end) {
		fprintf(stderr, "bad seed %s\n", argv[1]);
		return 2;
	}
	if (argc == 3) {
		sequences = strtol(argv[2], &end, 0);
		if (*end || sequences < 0) {
			fprintf(stderr, "bad sequence count %s\n", argv[2]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	printf("# difftest_user seed=%llu sequences=%ld\n", seed, sequences);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm; /* no SA_RESTART: a wait ends in EINTR */
	sigaction(SIGALRM, &sa, NULL);
	prctl(PR_SET_NAME, SELF_NAME, 0, 0, 0);
	ro_page = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (ro_page == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	udmabuf_dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	heaps_scan();
	if (access(SW_SYNC_PATH, R_OK | W_OK))
		printf("# no %s: sw_sync cases will show errors\n", SW_SYNC_PATH);

	puts("# suite sw_sync");
	case_sw_sync_create();
	case_sw_sync_inc();
	case_sw_sync_passed();
	case_sw_sync_fileops();
	case_sw_sync_debug_info();
	puts("# suite sync_file");
	case_sync_file_merge_args();
	case_sync_file_merge_status();
	case_sync_file_info_args();
	case_sync_file_poll_ops();
	case_sync_file_fdinfo();
	puts("# suites dmabuf_ioctl, dmabuf_file");
	for (k = 0; k < BUF_KINDS; k++) {
		if (!buf_available(k)) {
			emit("dmabuf_ioctl.absent", "%s", kind_name[k]);
			continue;
		}
		case_dmabuf_sync(k);
		case_dmabuf_set_name(k);
		case_dmabuf_fences(k);
		case_dmabuf_file(k);
	}
	puts("# suite heap");
	case_heap();
	puts("# suite udmabuf");
	case_udmabuf();
	puts("# suite prime");
	case_prime();
	puts("# suite syncobj");
	case_syncobj();
	puts("# suite limits");
	case_full_fd_table();

	puts("# random sequences");
	prng_state = seed;
	for (i = 0; i < sequences; i++)
		random_sequence(i);
	fflush(stdout);
	return 0;
}
