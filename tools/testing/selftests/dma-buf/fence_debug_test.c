// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pending-fence view of CONFIG_DMA_FENCE_DEBUG, seen from userspace.
 *
 * /sys/kernel/debug/dma_buf/pending_fences lists every fence something
 * depends on, oldest first: a head line naming the fence and its age,
 * then one tab-indented line per kind of dependent (callbacks by function,
 * sleeping waiters, the dma-bufs and sync files holding it, the member
 * blocking a container).  The stuck-fence watchdog, armed through
 * /sys/module/dma_fence/parameters/stuck_timeout_ms, reports a fence
 * pending longer than that in the kernel log, once, and reports it again
 * as recovered when it signals.
 *
 * sw_sync names a timeline after the task that opens it, so each test
 * opens its timelines under a name made from its pid: other tests' and
 * drivers' fences may be listed too, and are told apart by that name.
 * A kernel without the option has no pending_fences: the tests skip.
 *
 * Needs root, debugfs at /sys/kernel/debug, CONFIG_SW_SYNC and the system
 * dma-heap.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/sync_file.h>

#include "../kselftest_harness.h"
#include "common.h"

#define PENDING_FENCES "/sys/kernel/debug/dma_buf/pending_fences"
#define STUCK_TIMEOUT "/sys/module/dma_fence/parameters/stuck_timeout_ms"
#define SYSTEM_HEAP "/dev/dma_heap/system"

/* The function sync_file.c queues on the fence when its file is polled. */
#define SYNC_FILE_POLL_CB "sync_file_wake"

/* The driver and timeline names of every fence array. */
#define ARRAY_DRIVER "dma_fence_array"
#define ARRAY_TIMELINE "unbound"

/* head_is()'s seqno that any seqno matches. */
#define ANY_SEQNO (~0ULL)

/* How long anything the kernel does on its own may take to show. */
#define SETTLE_MS 5000

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The whole of the text file @path, NUL-terminated, or NULL; free() it. */
static char *read_text(const char *path)
{
	size_t len = 0, size = 16384;
	char *text = malloc(size), *more;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 || !text)
		goto fail;
	while ((n = read(fd, text + len, size - len - 1)) > 0) {
		len += n;
		if (size - len > 1)
			continue;
		size *= 2;
		more = realloc(text, size);
		if (!more)
			goto fail;
		text = more;
	}
	if (n < 0)
		goto fail;
	text[len] = '\0';
	close(fd);
	return text;
fail:
	if (fd >= 0)
		close(fd);
	free(text);
	return NULL;
}

/*
 * Is @line "<driver> <timeline> context <c> seqno <seqno> pending <ms> ms"
 * (any seqno for ANY_SEQNO)?
 */
static bool head_is(const char *line, const char *driver,
		    const char *timeline, unsigned long long seqno)
{
	unsigned long long context, s;
	char d[64], t[64];
	long long ms;
	int end = 0;

	if (sscanf(line, "%63s %63s context %llu seqno %llu pending %lld ms%n",
		   d, t, &context, &s, &ms, &end) != 5 || !end)
		return false;
	if (line[end] != '\n' && line[end] != '\0')
		return false;
	return !strcmp(d, driver) && !strcmp(t, timeline) &&
	       (s == seqno || seqno == ANY_SEQNO) && ms >= 0;
}

/*
 * The detail line of @entry that begins with a tab and @text, where @text
 * is a whole word or ends in a space; its text after the tab, or NULL.
 */
static const char *detail(const char *entry, const char *text)
{
	size_t n = strlen(text);
	const char *line;

	for (line = strchr(entry, '\n'); line; line = strchr(line, '\n')) {
		line++;
		if (line[0] != '\t' || strncmp(line + 1, text, n))
			continue;
		if (text[n - 1] == ' ' || line[1 + n] == '\n' ||
		    line[1 + n] == ' ' || line[1 + n] == '\0')
			return line + 1;
	}
	return NULL;
}

/* The detail lines a pending_fences entry may have, in their order. */
static const char * const details[] = {
	"error ", "deadline ", "callback ", "waiters ", "dma-buf ",
	"sync_file ", "blocked by ",
};

/* What is wrong with the layout of @entry, or "" if nothing is. */
static const char *entry_layout(const char *entry)
{
	const char *line = entry;
	unsigned int i, last = 0, waiters = 0;

	while ((line = strchr(line, '\n')) && *++line) {
		for (i = 0; i < ARRAY_SIZE(details); i++)
			if (line[0] == '\t' &&
			    !strncmp(line + 1, details[i], strlen(details[i])))
				break;
		if (i == ARRAY_SIZE(details))
			return "a detail line of no known kind";
		if (i < last)
			return "detail lines out of order";
		if (i == 0 && atoi(line + 7) >= 0)
			return "an error line without a negative errno";
		last = i;
		waiters += !strncmp(line + 1, "waiters ", 8);
	}
	return waiters == 1 ? "" : "not exactly one waiters line";
}

/*
 * The first entry of pending_fences text @text that has @driver, @timeline
 * and @seqno and (unless it is NULL) the detail @want, copied to @out as
 * its head line and detail lines; false if none.
 */
static bool find_entry(const char *text, const char *driver,
		       const char *timeline, unsigned long long seqno,
		       const char *want, char *out, size_t size)
{
	const char *line = strchr(text, '\n'), *end;
	size_t n;

	while (line && *++line) {
		for (end = strchr(line, '\n'); end && end[1] == '\t';
		     end = strchr(end + 1, '\n'))
			;
		n = end ? (size_t)(end + 1 - line) : strlen(line);
		if (n < size) {
			memcpy(out, line, n);
			out[n] = '\0';
			if (head_is(out, driver, timeline, seqno) &&
			    (!want || detail(out, want)))
				return true;
		}
		line = end;
	}
	out[0] = '\0';
	return false;
}

/* find_entry() on the file as it reads now; false also if it cannot be read. */
static bool entry_now(const char *driver, const char *timeline,
		      unsigned long long seqno, const char *want,
		      char *out, size_t size)
{
	char *text = read_text(PENDING_FENCES);
	bool found;

	if (!text) {
		out[0] = '\0';
		return false;
	}
	found = find_entry(text, driver, timeline, seqno, want, out, size);
	free(text);
	return found;
}

/* entry_now(), retried until it finds the entry or SETTLE_MS pass. */
static bool entry_soon(const char *driver, const char *timeline,
		       unsigned long long seqno, const char *want,
		       char *out, size_t size)
{
	long long end = now_ms() + SETTLE_MS;

	while (!entry_now(driver, timeline, seqno, want, out, size)) {
		if (now_ms() > end)
			return false;
		usleep(20000);
	}
	return true;
}

/* The age the head line of @entry gives, or -1. */
static long long entry_age_ms(const char *entry)
{
	const char *p = strstr(entry, " pending ");
	long long ms;

	return p && sscanf(p, " pending %lld ms", &ms) == 1 ? ms : -1;
}

/*
 * A new sw_sync timeline named "fdbg<pid>-<n>": sw_sync takes the name
 * from the opening task's comm, which is set for the open and put back.
 */
static int timeline_named(int n, char name[16])
{
	char comm[16] = "";
	int fd;

	snprintf(name, 16, "fdbg%d-%d", getpid() % 10000000, n % 10);
	if (prctl(PR_GET_NAME, comm) || prctl(PR_SET_NAME, name))
		return -errno;
	fd = open(SW_SYNC_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	prctl(PR_SET_NAME, comm);
	return fd;
}

/* Kernel log records written from now on. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/*
 * How many new records of @fd hold both @a and @b, read until @ms pass or
 * (@stop) one is found; the last such record is left in @rec.
 */
static int kmsg_match(int fd, const char *a, const char *b, int ms,
		      bool stop, char *rec, size_t size)
{
	long long end = now_ms() + ms;
	int found = 0;
	ssize_t n;

	rec[0] = '\0';
	for (;;) {
		n = read(fd, rec, size - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten: read on */
			continue;
		if (n > 0) {
			rec[n] = '\0';
			if (strstr(rec, a) && strstr(rec, b)) {
				found++;
				if (stop)
					return found;
			}
			continue;
		}
		if (now_ms() > end)
			return found;
		usleep(20000);
	}
}

/* The watchdog's timeout as its parameter file reads, in @val. */
static int param_read(char *val, size_t size)
{
	FILE *f = fopen(STUCK_TIMEOUT, "re");
	int err = 0;

	if (!f)
		return -errno;
	if (!fgets(val, size, f))
		err = -ENODATA;
	fclose(f);
	val[err ? 0 : strcspn(val, "\n")] = '\0';
	return err;
}

/* Sets the watchdog's timeout: 0 or -errno (the store's, at the flush). */
static int param_write(const char *val)
{
	FILE *f = fopen(STUCK_TIMEOUT, "we");
	int err;

	if (!f)
		return -errno;
	err = fputs(val, f) < 0 ? -EIO : 0;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

/* A thread that waits: poll() of a descriptor, or a CPU-access wait. */
struct waiter {
	pthread_t thread;
	bool running;
	int fd;
	bool cpu_access;	/* DMA_BUF_IOCTL_SYNC instead of poll() */
	int ret;		/* poll()'s return, or the ioctl's errno */
	short revents;
};

static void *wait_thread(void *data)
{
	struct waiter *w = data;
	struct pollfd p = { .fd = w->fd, .events = POLLIN };
	struct dma_buf_sync s = { .flags = DMA_BUF_SYNC_START |
					    DMA_BUF_SYNC_READ };

	if (w->cpu_access) {
		w->ret = xioctl(w->fd, DMA_BUF_IOCTL_SYNC, &s);
		s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
		if (!w->ret)
			w->ret = xioctl(w->fd, DMA_BUF_IOCTL_SYNC, &s);
		return NULL;
	}
	w->ret = poll(&p, 1, 30000);
	w->revents = p.revents;
	return NULL;
}

static int waiter_start(struct waiter *w, int fd, bool cpu_access)
{
	w->fd = fd;
	w->cpu_access = cpu_access;
	w->ret = -1;
	w->running = !pthread_create(&w->thread, NULL, wait_thread, w);
	return w->running ? 0 : -1;
}

static void waiter_join(struct waiter *w)
{
	if (w->running)
		pthread_join(w->thread, NULL);
	w->running = false;
}

/* The name SYNC_IOC_FILE_INFO gives sync file @fd, in @name; or -errno. */
static int sync_file_name(int fd, char name[32])
{
	struct sync_file_info info = { .num_fences = 0 };

	if (ioctl(fd, SYNC_IOC_FILE_INFO, &info))
		return -errno;
	memcpy(name, info.name, 32);
	name[31] = '\0';
	return 0;
}

/* A @len-byte buffer of the system heap, or -errno. */
static int system_buffer(int heap, __u64 len)
{
	struct dma_heap_allocation_data d = {
		.len = len, .fd_flags = O_RDWR | O_CLOEXEC,
	};

	return ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d) ? -errno : (int)d.fd;
}

/* Point @value of @tl, as a sync file named @name, imported as a write. */
static int import_write(int buf, int tl, __u32 value, const char *name)
{
	struct dma_buf_import_sync_file arg = { .flags = DMA_BUF_SYNC_WRITE };
	int ret;

	arg.fd = fence_create(tl, value, name);
	if (arg.fd < 0)
		return arg.fd;
	ret = xioctl(buf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &arg);
	if (ret) {
		close(arg.fd);
		return ret;
	}
	return arg.fd;
}

FIXTURE(pending) {
	int tl[2];
	char tl_name[2][16];
	int heap;
	struct waiter waiter;
	char old_timeout[32];	/* the watchdog's setting; "" if untouched */
	char entry[4096];
};

FIXTURE_SETUP(pending)
{
	int i;

	NEEDS(!access(PENDING_FENCES, R_OK),
	      "%s: %s (CONFIG_DMA_FENCE_DEBUG, debugfs)", PENDING_FENCES,
	      strerror(errno));
	self->heap = OPEN_OR_SKIP(SYSTEM_HEAP, O_RDONLY | O_CLOEXEC,
				  "CONFIG_DMABUF_HEAPS_SYSTEM");
	for (i = 0; i < 2; i++) {
		self->tl[i] = timeline_named(i, self->tl_name[i]);
		NEEDS(self->tl[i] >= 0, "%s: %s (CONFIG_SW_SYNC, debugfs)",
		      SW_SYNC_PATH, strerror(-self->tl[i]));
	}
}

FIXTURE_TEARDOWN(pending)
{
	char now[32];
	int i;

	/* Whatever failed, nothing may wait on after the test. */
	for (i = 0; i < 2; i++)
		timeline_inc(self->tl[i], 1000);
	waiter_join(&self->waiter);
	if (self->old_timeout[0]) {
		EXPECT_EQ(0, param_write(self->old_timeout));
		EXPECT_EQ(0, param_read(now, sizeof(now)));
		EXPECT_STREQ(self->old_timeout, now);
	}
	for (i = 0; i < 2; i++)
		close(self->tl[i]);
	close(self->heap);
}

/*
 * Signal point 1 of the first timeline, on which the fixture's waiter
 * sleeps: the waiter returns @ret and the point is no longer listed.
 * FIXTURE() names its data struct _test_data_pending.
 */
static void signal_first_point(struct __test_metadata *_metadata,
			       struct _test_data_pending *self, int ret)
{
	ASSERT_EQ(0, timeline_inc(self->tl[0], 1));
	waiter_join(&self->waiter);
	EXPECT_EQ(ret, self->waiter.ret);
	EXPECT_FALSE(entry_now("sw_sync", self->tl_name[0], 1, NULL,
			       self->entry, sizeof(self->entry))) {
		TH_LOG("still listed after the signal:\n%s", self->entry);
	}
}

/*
 * A sw_sync point in a system-heap buffer's write slot, polled for
 * POLLIN by a thread: listed with the buffer's poll callback, the buffer
 * (by inode) and the point's sync file; reported stuck, once, once the
 * watchdog's timeout is shorter than its age; gone when it signals, and
 * reported recovered.
 */
TEST_F(pending, polled_buffer_listed_reported_and_cleared)
{
	const char *tl = self->tl_name[0];
	char name[32], want[128], head[96], rec[8192], *text;
	unsigned int listed;
	struct stat st;
	long long age;
	int buf, point, kmsg, repeats, fields;

	buf = system_buffer(self->heap, 4096);
	ASSERT_GE(buf, 0);
	ASSERT_EQ(0, fstat(buf, &st));
	snprintf(name, sizeof(name), "%s-pt", tl);
	point = import_write(buf, self->tl[0], 1, name);
	ASSERT_GE(point, 0);
	ASSERT_EQ(0, sync_file_name(point, name));
	ASSERT_EQ(0, waiter_start(&self->waiter, buf, false));

	ASSERT_TRUE(entry_soon("sw_sync", tl, 1, "callback dma_buf_poll_cb",
			       self->entry, sizeof(self->entry))) {
		TH_LOG("no entry for %s seqno 1 with dma_buf_poll_cb", tl);
	}
	TH_LOG("%s", self->entry);
	EXPECT_STREQ("", entry_layout(self->entry));
	EXPECT_NE(NULL, detail(self->entry, "waiters 0"));
	snprintf(want, sizeof(want), "dma-buf %lu exporter system name <none>",
		 (unsigned long)st.st_ino);
	EXPECT_NE(NULL, detail(self->entry, want));
	snprintf(want, sizeof(want), "sync_file %s", name);
	EXPECT_NE(NULL, detail(self->entry, want));

	/* The count line heads the file and counts this entry at least. */
	text = read_text(PENDING_FENCES);
	ASSERT_NE(NULL, text);
	fields = sscanf(text, "pending fences: %u\n", &listed);
	EXPECT_EQ(1, fields);
	EXPECT_LE(1U, listed);
	free(text);

	/* The watchdog: a 200 ms timeout the point is already past. */
	kmsg = kmsg_open();
	ASSERT_GE(kmsg, 0);
	ASSERT_EQ(0, param_read(self->old_timeout, sizeof(self->old_timeout)));
	ASSERT_EQ(0, param_write("200"));
	snprintf(head, sizeof(head), " sw_sync %s context ", tl);
	EXPECT_EQ(1, kmsg_match(kmsg, "dma_fence: stuck fence: ", head,
				SETTLE_MS, true, rec, sizeof(rec))) {
		TH_LOG("no stuck-fence report for %s", tl);
	}
	EXPECT_NE(NULL, strstr(rec, " seqno 1 pending "));
	EXPECT_NE(NULL, strstr(rec, "callback dma_buf_poll_cb"));
	TH_LOG("%s", rec);

	/* Reported once, however many more checks pass. */
	usleep(800 * 1000);
	repeats = kmsg_match(kmsg, "dma_fence: stuck fence: ", head, 0, false,
			     rec, sizeof(rec));
	EXPECT_EQ(0, repeats);
	ASSERT_TRUE(entry_now("sw_sync", tl, 1, NULL, self->entry,
			      sizeof(self->entry)));
	age = entry_age_ms(self->entry);
	EXPECT_GE(age, 900);

	/* Signalled: the entry goes with the signal, the poll returns. */
	ASSERT_EQ(0, timeline_inc(self->tl[0], 1));
	EXPECT_FALSE(entry_now("sw_sync", tl, 1, NULL, self->entry,
			       sizeof(self->entry))) {
		TH_LOG("still listed after the signal:\n%s", self->entry);
	}
	waiter_join(&self->waiter);
	EXPECT_EQ(1, self->waiter.ret);
	EXPECT_EQ(POLLIN, self->waiter.revents & POLLIN);

	snprintf(head, sizeof(head),
		 "dma_fence: stuck fence recovered: sw_sync %s context ", tl);
	EXPECT_EQ(1, kmsg_match(kmsg, head, " seqno 1 after ", SETTLE_MS,
				true, rec, sizeof(rec))) {
		TH_LOG("no recovery report for %s", tl);
	}
	TH_LOG("%s", rec);

	close(kmsg);
	close(point);
	close(buf);
}

/*
 * A task asleep in a CPU-access wait on the buffer counts as a waiter of
 * the fence in its write slot, and no longer once the fence signals.
 */
TEST_F(pending, cpu_access_wait_counted)
{
	const char *tl = self->tl_name[0];
	char name[32];
	int buf, point;

	buf = system_buffer(self->heap, 4096);
	ASSERT_GE(buf, 0);
	snprintf(name, sizeof(name), "%s-pt", tl);
	point = import_write(buf, self->tl[0], 1, name);
	ASSERT_GE(point, 0);
	ASSERT_EQ(0, waiter_start(&self->waiter, buf, true));

	ASSERT_TRUE(entry_soon("sw_sync", tl, 1, "waiters 1", self->entry,
			       sizeof(self->entry))) {
		TH_LOG("no entry for %s seqno 1 with one waiter", tl);
	}
	TH_LOG("%s", self->entry);
	EXPECT_STREQ("", entry_layout(self->entry));

	signal_first_point(_metadata, self, 0);
	close(point);
	close(buf);
}

/*
 * A sw_sync point whose sync file a thread polls: listed with the sync
 * file's poll callback and the sync file's name, without a sleeping
 * waiter (poll() sleeps on the file, not in the fence's wait).
 */
TEST_F(pending, polled_sync_file_listed)
{
	const char *tl = self->tl_name[0];
	char name[32], want[64];
	int point;

	snprintf(name, sizeof(name), "%s-pt", tl);
	point = fence_create(self->tl[0], 1, name);
	ASSERT_GE(point, 0);
	ASSERT_EQ(0, sync_file_name(point, name));
	ASSERT_EQ(0, waiter_start(&self->waiter, point, false));

	ASSERT_TRUE(entry_soon("sw_sync", tl, 1, "callback " SYNC_FILE_POLL_CB,
			       self->entry, sizeof(self->entry))) {
		TH_LOG("no entry for %s seqno 1 with %s", tl,
		       SYNC_FILE_POLL_CB);
	}
	TH_LOG("%s", self->entry);
	EXPECT_STREQ("", entry_layout(self->entry));
	EXPECT_NE(NULL, detail(self->entry, "waiters 0"));
	snprintf(want, sizeof(want), "sync_file %s", name);
	EXPECT_NE(NULL, detail(self->entry, want));
	EXPECT_EQ(NULL, detail(self->entry, "dma-buf "));

	signal_first_point(_metadata, self, 1);
	close(point);
}

/*
 * Two points of two timelines merged into one sync file, a fence array,
 * which a thread polls: the array's entry names a pending member as
 * blocking it, the other member once the first has signaled, and goes
 * when both have.
 */
TEST_F(pending, merged_sync_file_blocked_by_member)
{
	struct sync_merge_data m = {};
	char name[2][32], want[2][64], holder[64];
	const char *line;
	int point[2], i;

	for (i = 0; i < 2; i++) {
		snprintf(name[i], sizeof(name[i]), "%s-pt", self->tl_name[i]);
		point[i] = fence_create(self->tl[i], 1, name[i]);
		ASSERT_GE(point[i], 0);
		snprintf(want[i], sizeof(want[i]), "blocked by sw_sync %s context ",
			 self->tl_name[i]);
	}
	snprintf(m.name, sizeof(m.name), "%s-both", self->tl_name[0]);
	m.fd2 = point[1];
	ASSERT_EQ(0, xioctl(point[0], SYNC_IOC_MERGE, &m));
	ASSERT_EQ(0, waiter_start(&self->waiter, m.fence, false));

	/*
	 * The array is known by its names and its sync file: a sync file
	 * is listed with the members of its container too.
	 */
	snprintf(holder, sizeof(holder), "sync_file %s", m.name);
	ASSERT_TRUE(entry_soon(ARRAY_DRIVER, ARRAY_TIMELINE, ANY_SEQNO, holder,
			       self->entry, sizeof(self->entry))) {
		TH_LOG("no entry with %s", holder);
	}
	TH_LOG("%s", self->entry);
	EXPECT_STREQ("", entry_layout(self->entry));
	EXPECT_NE(NULL, detail(self->entry, "callback " SYNC_FILE_POLL_CB));
	EXPECT_TRUE(detail(self->entry, want[0]) ||
		    detail(self->entry, want[1]));

	/* The first member signals: the second blocks the array. */
	ASSERT_EQ(0, timeline_inc(self->tl[0], 1));
	ASSERT_TRUE(entry_now(ARRAY_DRIVER, ARRAY_TIMELINE, ANY_SEQNO, holder,
			      self->entry, sizeof(self->entry)));
	TH_LOG("%s", self->entry);
	EXPECT_EQ(NULL, detail(self->entry, want[0]));
	line = detail(self->entry, want[1]);
	ASSERT_NE(NULL, line);
	EXPECT_NE(NULL, strstr(line, " seqno 1\n"));
	EXPECT_FALSE(entry_now("sw_sync", self->tl_name[0], 1, NULL,
			       self->entry, sizeof(self->entry)));

	ASSERT_EQ(0, timeline_inc(self->tl[1], 1));
	waiter_join(&self->waiter);
	EXPECT_EQ(1, self->waiter.ret);
	EXPECT_FALSE(entry_now(ARRAY_DRIVER, ARRAY_TIMELINE, ANY_SEQNO, holder,
			       self->entry, sizeof(self->entry)));
	EXPECT_FALSE(entry_now("sw_sync", self->tl_name[1], 1, NULL,
			       self->entry, sizeof(self->entry)));
	close(m.fence);
	for (i = 0; i < 2; i++)
		close(point[i]);
}

TEST_HARNESS_MAIN
