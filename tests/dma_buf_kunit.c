// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite for the dma-buf core: export, the buffer's file and fd,
 * references and release, the reservation object, the pseudo-filesystem
 * names and inode numbers, llseek and fdinfo.
 */

#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/dcache.h>
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <uapi/linux/magic.h>

#include "../dma-buf-internal.h"
#include "expect-warn.h"
#include "mock-exporter.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* Drop the test's last reference and wait for the exporter to be told. */
static void put_and_expect_release(struct kunit *test, struct dma_buf *buf)
{
	int want = atomic_read(&mock_releases) + 1;

	dma_buf_put(buf);
	KUNIT_EXPECT_TRUE(test, mock_releases_reach(want));
}

static void dma_buf_export_fills_in_the_buffer(struct kunit *test)
{
	int before = atomic_read(&mock_releases);
	struct dma_buf *buf = mock_dma_buf(test, 8192);

	KUNIT_EXPECT_EQ(test, buf->size, (size_t)8192);
	KUNIT_EXPECT_PTR_EQ(test, buf->ops, &mock_dma_buf_ops);
	KUNIT_EXPECT_STREQ(test, buf->exp_name, KBUILD_MODNAME);
	KUNIT_EXPECT_PTR_EQ(test, buf->owner, THIS_MODULE);
	KUNIT_EXPECT_NOT_NULL(test, buf->priv);
	KUNIT_EXPECT_NULL(test, buf->name);
	KUNIT_EXPECT_TRUE(test, list_empty(&buf->attachments));
	KUNIT_EXPECT_EQ(test, buf->vmapping_counter, 0U);
	KUNIT_ASSERT_NOT_NULL(test, buf->file);
	KUNIT_EXPECT_PTR_EQ(test, buf->file->private_data, (void *)buf);
	KUNIT_EXPECT_EQ(test, file_count(buf->file), 1L);
	KUNIT_EXPECT_EQ(test, file_inode(buf->file)->i_size, (loff_t)8192);
	KUNIT_EXPECT_TRUE(test, buf->file->f_mode & FMODE_WRITE);
	KUNIT_EXPECT_TRUE(test, buf->file->f_mode & FMODE_READ);

	/* Its own reservation object, usable at once. */
	KUNIT_ASSERT_NOT_NULL(test, buf->resv);
	KUNIT_EXPECT_EQ(test, dma_resv_lock(buf->resv, NULL), 0);
	KUNIT_EXPECT_EQ(test, dma_resv_reserve_fences(buf->resv, 1), 0);
	dma_resv_unlock(buf->resv);

	KUNIT_EXPECT_EQ(test, atomic_read(&mock_releases), before);
	put_and_expect_release(test, buf);
}

static void dma_buf_export_shares_the_given_resv(struct kunit *test)
{
	struct dma_resv *resv = kunit_kzalloc(test, sizeof(*resv), GFP_KERNEL);
	struct dma_buf *a, *b;

	KUNIT_ASSERT_NOT_NULL(test, resv);
	dma_resv_init(resv);
	a = mock_dma_buf_resv(test, PAGE_SIZE, resv);
	b = mock_dma_buf_resv(test, PAGE_SIZE, resv);
	KUNIT_EXPECT_PTR_EQ(test, a->resv, resv);
	KUNIT_EXPECT_PTR_EQ(test, b->resv, resv);
	put_and_expect_release(test, a);
	put_and_expect_release(test, b);

	/* The buffers are gone; the exporter's object is untouched. */
	KUNIT_EXPECT_EQ(test, dma_resv_lock(resv, NULL), 0);
	dma_resv_unlock(resv);
	dma_resv_fini(resv);
}

static void dma_buf_export_rejects_incomplete_ops(struct kunit *test)
{
	static const struct dma_buf_ops no_release = {
		.map_dma_buf = mock_map, .unmap_dma_buf = mock_unmap,
	};
	static const struct dma_buf_ops no_map = {
		.unmap_dma_buf = mock_unmap, .release = mock_release,
	};
	static const struct dma_buf_ops no_unmap = {
		.map_dma_buf = mock_map, .release = mock_release,
	};
	static const struct dma_buf_ops pin_alone = {
		.map_dma_buf = mock_map, .unmap_dma_buf = mock_unmap,
		.release = mock_release, .pin = mock_pin,
	};
	static const struct dma_buf_ops pin_and_cache = {
		.map_dma_buf = mock_map, .unmap_dma_buf = mock_unmap,
		.release = mock_release, .pin = mock_pin, .unpin = mock_unpin,
		.cache_sgt_mapping = true,
	};
	static const struct dma_buf_ops *bad[] = {
		NULL, &no_release, &no_map, &no_unmap, &pin_alone,
		&pin_and_cache,
	};
	int before = atomic_read(&mock_releases);
	DEFINE_DMA_BUF_EXPORT_INFO(info);
	unsigned int i;

	info.size = PAGE_SIZE;
	info.priv = test;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct dma_buf *buf;

		info.ops = bad[i];
		EXPECT_WARN_BEGIN("dma_buf_export_rejects_incomplete_ops");
		buf = dma_buf_export(&info);
		EXPECT_WARN_END("dma_buf_export_rejects_incomplete_ops");
		KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(buf), -EINVAL);
	}
	/* Nothing was made, so nothing was released. */
	flush_delayed_fput();
	KUNIT_EXPECT_EQ(test, atomic_read(&mock_releases), before);
}

DEFINE_EXPECT_WARN_CASE(dma_buf_export_rejects_incomplete_ops)

/* Releases a buffer whose export should have failed; it owns nothing. */
static void release_nothing(struct dma_buf *buf)
{
}

static const struct dma_buf_ops release_nothing_ops = {
	.map_dma_buf = mock_map, .unmap_dma_buf = mock_unmap,
	.release = release_nothing,
};

/* Fill in @info, made by DEFINE_DMA_BUF_EXPORT_INFO(), for a RW page. */
static void page_export_info(struct dma_buf_export_info *info,
			     const struct dma_buf_ops *ops)
{
	info->ops = ops;
	info->size = PAGE_SIZE;
	info->flags = O_RDWR;
}

static void dma_buf_export_needs_priv(struct kunit *test)
{
	DEFINE_DMA_BUF_EXPORT_INFO(info);
	struct dma_buf *buf;

	page_export_info(&info, &release_nothing_ops);
	EXPECT_WARN_BEGIN("dma_buf_export_needs_priv");
	buf = dma_buf_export(&info);
	EXPECT_WARN_END("dma_buf_export_needs_priv");
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(buf), -EINVAL);
	if (!IS_ERR(buf))
		dma_buf_put(buf);
}

DEFINE_EXPECT_WARN_CASE(dma_buf_export_needs_priv)

static int nameless_releases;

static void release_nameless(struct dma_buf *buf)
{
	nameless_releases++;
}

/*
 * The sysfs statistics name each buffer's exporter, so with
 * CONFIG_DMABUF_SYSFS_STATS an export without a name fails with EINVAL
 * (and the exporter's release is not called: it still owns its
 * buffer); without them the name is optional.
 */
static void dma_buf_export_without_a_name(struct kunit *test)
{
	static const struct dma_buf_ops ops = {
		.map_dma_buf = mock_map, .unmap_dma_buf = mock_unmap,
		.release = release_nameless,
	};
	DEFINE_DMA_BUF_EXPORT_INFO(info);
	struct dma_buf *buf;
	int dummy;

	nameless_releases = 0;
	page_export_info(&info, &ops);
	info.exp_name = NULL;
	info.priv = &dummy;
	buf = dma_buf_export(&info);
	if (IS_ENABLED(CONFIG_DMABUF_SYSFS_STATS)) {
		KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(buf), -EINVAL);
		flush_delayed_fput();
		KUNIT_EXPECT_EQ(test, nameless_releases, 0);
	} else {
		KUNIT_ASSERT_FALSE(test, IS_ERR(buf));
		dma_buf_put(buf);
		flush_delayed_fput();
		KUNIT_EXPECT_EQ(test, nameless_releases, 1);
	}
	if (!IS_ERR(buf) && IS_ENABLED(CONFIG_DMABUF_SYSFS_STATS))
		dma_buf_put(buf);
}

static void dma_buf_fd_and_get_round_trip(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	int want = atomic_read(&mock_releases) + 1;
	struct dma_buf *got;
	int fd;

	fd = dma_buf_fd(buf, O_CLOEXEC);
	KUNIT_ASSERT_GE(test, fd, 0);
	got = dma_buf_get(fd);
	KUNIT_EXPECT_PTR_EQ(test, got, buf);
	KUNIT_EXPECT_EQ(test, file_count(buf->file), 2L);
	dma_buf_put(got);
	KUNIT_EXPECT_EQ(test, file_count(buf->file), 1L);

	/* The fd held the last reference. */
	KUNIT_EXPECT_EQ(test, close_fd(fd), 0);
	KUNIT_EXPECT_TRUE(test, mock_releases_reach(want));
	KUNIT_EXPECT_EQ(test, PTR_ERR(dma_buf_get(fd)), -EBADF);
}

static void dma_buf_fd_install_fills_a_reserved_fd(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	int want = atomic_read(&mock_releases) + 1;
	int fd = get_unused_fd_flags(O_CLOEXEC);
	struct dma_buf *got;

	KUNIT_ASSERT_GE(test, fd, 0);
	/* Reserved but empty: not a buffer yet. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(dma_buf_get(fd)), -EBADF);
	dma_buf_fd_install(buf, fd);
	got = dma_buf_get(fd);
	KUNIT_EXPECT_PTR_EQ(test, got, buf);
	if (!IS_ERR(got))
		dma_buf_put(got);
	KUNIT_EXPECT_EQ(test, close_fd(fd), 0);
	KUNIT_EXPECT_TRUE(test, mock_releases_reach(want));
}

static void dma_buf_fd_of_nothing_is_einval(struct kunit *test)
{
	static struct dma_buf fileless;

	KUNIT_EXPECT_EQ(test, dma_buf_fd(NULL, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, dma_buf_fd(&fileless, 0), -EINVAL);
}

#ifdef CONFIG_MODULES
/* A module on its way out: no new reference on it can be had. */
static struct module going_module = { .state = MODULE_STATE_GOING };

/*
 * A buffer holds a reference on its exporter's module, so an export for
 * a module that is being removed fails with -ENOENT, as in 6.1, and
 * leaves nothing to release.
 */
static void dma_buf_export_of_a_going_module(struct kunit *test)
{
	DEFINE_DMA_BUF_EXPORT_INFO(info);
	struct dma_buf *buf;

	page_export_info(&info, &release_nothing_ops);
	info.priv = test;
	info.owner = &going_module;
	buf = dma_buf_export(&info);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(buf), -ENOENT);
	if (!IS_ERR(buf))
		dma_buf_put(buf);
}
#else
static void dma_buf_export_of_a_going_module(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_MODULES");
}
#endif

static const struct file_operations not_a_buffer_fops;

static void dma_buf_get_rejects_bad_fds(struct kunit *test)
{
	int fd;

	KUNIT_EXPECT_EQ(test, PTR_ERR(dma_buf_get(-1)), -EBADF);
	KUNIT_EXPECT_EQ(test, PTR_ERR(dma_buf_get(INT_MAX)), -EBADF);

	fd = anon_inode_getfd("not-a-dmabuf", &not_a_buffer_fops, NULL,
			      O_CLOEXEC);
	KUNIT_ASSERT_GE(test, fd, 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(dma_buf_get(fd)), -EINVAL);
	KUNIT_EXPECT_EQ(test, close_fd(fd), 0);
}

static void get_dma_buf_adds_a_reference(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	int before = atomic_read(&mock_releases);

	get_dma_buf(buf);
	KUNIT_EXPECT_EQ(test, file_count(buf->file), 2L);
	dma_buf_put(buf);
	flush_delayed_fput();
	KUNIT_EXPECT_EQ(test, atomic_read(&mock_releases), before);
	put_and_expect_release(test, buf);
}

static void dma_buf_put_of_nothing_warns(struct kunit *test)
{
	EXPECT_WARN_BEGIN("dma_buf_put_of_nothing_warns");
	dma_buf_put(NULL);
	EXPECT_WARN_END("dma_buf_put_of_nothing_warns");
}

DEFINE_EXPECT_WARN_CASE(dma_buf_put_of_nothing_warns)

static void dma_buf_inode_numbers_never_repeat(struct kunit *test)
{
	struct dma_buf *a = mock_dma_buf(test, PAGE_SIZE);
	struct dma_buf *b = mock_dma_buf(test, 3 * PAGE_SIZE);
	struct inode *ia = file_inode(a->file), *ib = file_inode(b->file);

	KUNIT_EXPECT_GT(test, ib->i_ino, ia->i_ino);
	KUNIT_EXPECT_EQ(test, ib->i_size, (loff_t)(3 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, ia->i_sb->s_magic, (unsigned long)DMA_BUF_MAGIC);
	KUNIT_EXPECT_PTR_EQ(test, ia->i_sb, ib->i_sb);
	put_and_expect_release(test, a);
	put_and_expect_release(test, b);
}

/* What DMA_BUF_SET_NAME does after copying the name in. */
static void set_name(struct dma_buf *buf, const char *name)
{
	dma_buf_set_name(buf, kstrdup(name, GFP_KERNEL));
}

static void dma_buf_path_shows_the_name(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, PAGE_SIZE);
	char *page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	char *path;

	KUNIT_ASSERT_NOT_NULL(test, page);
	path = d_path(&buf->file->f_path, page, PAGE_SIZE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(path));
	KUNIT_EXPECT_STREQ(test, path, "/dmabuf:");

	set_name(buf, "scanout-0");
	path = d_path(&buf->file->f_path, page, PAGE_SIZE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(path));
	KUNIT_EXPECT_STREQ(test, path, "/dmabuf:scanout-0");
	/* The release frees the name; kmemleak would see it otherwise. */
	put_and_expect_release(test, buf);
}

static void dma_buf_llseek_tells_only_the_size(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, 5 * PAGE_SIZE);
	struct file *file = buf->file;

	KUNIT_EXPECT_EQ(test, vfs_llseek(file, 0, SEEK_END),
			(loff_t)(5 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, vfs_llseek(file, 0, SEEK_SET), (loff_t)0);
	KUNIT_EXPECT_EQ(test, vfs_llseek(file, 0, SEEK_CUR), (loff_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, vfs_llseek(file, 1, SEEK_END), (loff_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, vfs_llseek(file, PAGE_SIZE, SEEK_SET),
			(loff_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, vfs_llseek(file, 0, SEEK_DATA), (loff_t)-EINVAL);
	put_and_expect_release(test, buf);
}

/* What the fd's fdinfo would print after the generic lines. */
static char *fdinfo(struct kunit *test, struct dma_buf *buf)
{
	struct seq_file m = { .size = PAGE_SIZE };

	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	buf->file->f_op->show_fdinfo(&m, buf->file);
	KUNIT_EXPECT_LT(test, m.count, m.size);
	return m.buf;
}

static void dma_buf_fdinfo_describes_the_buffer(struct kunit *test)
{
	struct dma_buf *buf = mock_dma_buf(test, 2 * PAGE_SIZE);
	char expect[128];

	snprintf(expect, sizeof(expect),
		 "size:\t%lu\ncount:\t0\nexp_name:\t%s\n", 2 * PAGE_SIZE,
		 KBUILD_MODNAME);
	KUNIT_EXPECT_STREQ(test, fdinfo(test, buf), expect);

	get_dma_buf(buf);
	set_name(buf, "camera");
	snprintf(expect, sizeof(expect),
		 "size:\t%lu\ncount:\t1\nexp_name:\t%s\nname:\tcamera\n",
		 2 * PAGE_SIZE, KBUILD_MODNAME);
	KUNIT_EXPECT_STREQ(test, fdinfo(test, buf), expect);
	dma_buf_put(buf);
	put_and_expect_release(test, buf);
}

/*
 * Under lockdep each exporter's buffers get their own class for the vmap
 * lock, so that an importer vmapping under its object lock and an exporter
 * locking its objects inside vmap do not look like a cycle.
 */
static void dma_buf_lock_class_follows_the_exporter(struct kunit *test)
{
#ifdef CONFIG_LOCKDEP
	struct dma_buf *a = mock_export(test, PAGE_SIZE, &mock_dma_buf_ops,
					NULL);
	struct dma_buf *b = mock_export(test, PAGE_SIZE, &mock_dma_buf_ops,
					NULL);
	struct dma_buf *c = mock_export(test, PAGE_SIZE, &mock_cached_ops,
					NULL);

	KUNIT_EXPECT_NOT_NULL(test, a->lock.dep_map.key);
	KUNIT_EXPECT_PTR_EQ(test, a->lock.dep_map.key, b->lock.dep_map.key);
	KUNIT_EXPECT_PTR_NE(test, a->lock.dep_map.key, c->lock.dep_map.key);
	put_and_expect_release(test, c);
	put_and_expect_release(test, b);
	put_and_expect_release(test, a);
#else
	kunit_skip(test, "lockdep is off");
#endif
}

static struct kunit_case dma_buf_cases[] = {
	KUNIT_CASE(dma_buf_export_fills_in_the_buffer),
	KUNIT_CASE(dma_buf_export_shares_the_given_resv),
	EXPECT_WARN_CASE(dma_buf_export_rejects_incomplete_ops),
	EXPECT_WARN_CASE(dma_buf_export_needs_priv),
	KUNIT_CASE(dma_buf_export_without_a_name),
	KUNIT_CASE(dma_buf_fd_and_get_round_trip),
	KUNIT_CASE(dma_buf_fd_install_fills_a_reserved_fd),
	KUNIT_CASE(dma_buf_fd_of_nothing_is_einval),
	KUNIT_CASE(dma_buf_export_of_a_going_module),
	KUNIT_CASE(dma_buf_get_rejects_bad_fds),
	KUNIT_CASE(get_dma_buf_adds_a_reference),
	EXPECT_WARN_CASE(dma_buf_put_of_nothing_warns),
	KUNIT_CASE(dma_buf_inode_numbers_never_repeat),
	KUNIT_CASE(dma_buf_path_shows_the_name),
	KUNIT_CASE(dma_buf_llseek_tells_only_the_size),
	KUNIT_CASE(dma_buf_fdinfo_describes_the_buffer),
	KUNIT_CASE(dma_buf_lock_class_follows_the_exporter),
	{}
};

static struct kunit_suite dma_buf_suite = {
	.name = "dma-buf",
	.test_cases = dma_buf_cases,
};

kunit_test_suite(dma_buf_suite);

MODULE_LICENSE("GPL");
