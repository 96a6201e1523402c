// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scanout of shared buffers: vkms (unmodified 6.1) imports dma-bufs from
 * the system heap, wraps them in framebuffers and shows them with atomic
 * commits (preparing a framebuffer vmaps the buffer).  Each commit asks
 * for an out-fence, a sync file that our fence code signals at the next
 * (simulated) vblank.  The flips also wait:
 *
 * - on an explicit in-fence (the plane's IN_FENCE_FD, a sw_sync fence);
 * - on the implicit fence in the buffer's reservation object (a vgem
 *   write fence), which the atomic helpers fetch from the imported
 *   buffer's dma_resv when they prepare the framebuffer.
 *
 * The buffers come from the heap and not from vgem: in 6.1 the DRM shmem
 * helpers that both vgem and vkms use vmap an imported object under the
 * importer's vmap_lock, and the exporter's vmap takes a vmap_lock of the
 * same class, which lockdep reports as recursion (in DRM, not here).
 *
 * Needs root, CONFIG_DRM_VKMS, CONFIG_DRM_VGEM, CONFIG_DMABUF_HEAPS_SYSTEM
 * and CONFIG_SW_SYNC.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_mode.h>
#include <linux/dma-heap.h>
#include <linux/sync_file.h>

#include "../kselftest_harness.h"
#include "common.h"

#define MAX_PROPS 24
/* The "type" property of a primary plane (enum drm_plane_type). */
#define PLANE_TYPE_PRIMARY 1

/* One atomic request; properties are added object by object. */
struct atomic_req {
	__u32 objs[4];
	__u32 counts[4];
	__u32 props[MAX_PROPS];
	__u64 values[MAX_PROPS];
	unsigned int nobjs, nprops;
};

/* A scanout buffer: its dma-buf, its GEM handles and vkms's framebuffer. */
struct scanout_buf {
	__u32 vgem_handle;
	int dmabuf;
	__u32 kms_handle;
	__u32 fb;
};

/* The id of property @name of KMS object @obj, or 0. */
static __u32 prop_id(int fd, __u32 obj, __u32 type, const char *name)
{
	struct drm_mode_obj_get_properties op = {
		.obj_id = obj, .obj_type = type,
	};
	__u32 ids[64];
	__u64 values[64];
	unsigned int i;

	if (ioctl(fd, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, &op) ||
	    op.count_props > 64)
		return 0;
	op.props_ptr = (uintptr_t)ids;
	op.prop_values_ptr = (uintptr_t)values;
	if (ioctl(fd, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, &op))
		return 0;
	for (i = 0; i < op.count_props; i++) {
		struct drm_mode_get_property p = { .prop_id = ids[i] };

		if (!ioctl(fd, DRM_IOCTL_MODE_GETPROPERTY, &p) &&
		    !strcmp(p.name, name))
			return ids[i];
	}
	return 0;
}

/* The current value of property @name of @obj (or ~0 if missing). */
static __u64 prop_value(int fd, __u32 obj, __u32 type, const char *name)
{
	struct drm_mode_obj_get_properties op = {
		.obj_id = obj, .obj_type = type,
	};
	__u32 want = prop_id(fd, obj, type, name), ids[64];
	__u64 values[64];
	unsigned int i;

	if (ioctl(fd, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, &op) ||
	    op.count_props > 64)
		return ~0ull;
	op.props_ptr = (uintptr_t)ids;
	op.prop_values_ptr = (uintptr_t)values;
	if (ioctl(fd, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, &op))
		return ~0ull;
	for (i = 0; i < op.count_props; i++)
		if (ids[i] == want)
			return values[i];
	return ~0ull;
}

static void req_add(struct atomic_req *r, int fd, __u32 obj, __u32 type,
		    const char *name, __u64 value)
{
	if (!r->nobjs || r->objs[r->nobjs - 1] != obj)
		r->objs[r->nobjs++] = obj;
	r->counts[r->nobjs - 1]++;
	r->props[r->nprops] = prop_id(fd, obj, type, name);
	r->values[r->nprops++] = value;
}

static int req_commit(int fd, struct atomic_req *r, __u32 flags)
{
	struct drm_mode_atomic a = {
		.flags = flags,
		.count_objs = r->nobjs,
		.objs_ptr = (uintptr_t)r->objs,
		.count_props_ptr = (uintptr_t)r->counts,
		.props_ptr = (uintptr_t)r->props,
		.prop_values_ptr = (uintptr_t)r->values,
	};

	return xioctl(fd, DRM_IOCTL_MODE_ATOMIC, &a);
}

/* 1 if the sync file is signaled within @ms, 0 if not, -errno. */
static int fence_done(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = poll(&p, 1, ms);

	return n < 0 ? -errno : n;
}

/* FIXTURE() names its data struct _test_data_kms; helpers take that. */
FIXTURE(kms) {
	int kms, vgem, tl;
	__u32 crtc, conn, plane, mode_blob;
	struct drm_mode_modeinfo mode;
	__u32 pitch;
	struct scanout_buf buf[2];
};

/*
 * A system-heap buffer the size of the mode, imported into vkms (as a
 * framebuffer) and into vgem (to put fences on it).
 */
static int scanout_buf_make(struct _test_data_kms *self, struct scanout_buf *b)
{
	struct dma_heap_allocation_data alloc = {
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	struct drm_prime_handle prime = { .flags = DRM_CLOEXEC | DRM_RDWR };
	struct drm_mode_fb_cmd2 fb = {
		.width = self->mode.hdisplay, .height = self->mode.vdisplay,
		.pixel_format = DRM_FORMAT_XRGB8888,
	};
	int heap;

	self->pitch = self->mode.hdisplay * 4;
	alloc.len = ((__u64)self->pitch * self->mode.vdisplay + 4095) & ~4095ull;
	heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (heap < 0)
		return -errno;
	if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &alloc)) {
		close(heap);
		return -errno;
	}
	close(heap);
	b->dmabuf = alloc.fd;

	prime.fd = b->dmabuf;
	if (ioctl(self->vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &prime))
		return -errno;
	b->vgem_handle = prime.handle;
	prime.handle = 0;
	if (ioctl(self->kms, DRM_IOCTL_PRIME_FD_TO_HANDLE, &prime))
		return -errno;
	b->kms_handle = prime.handle;

	fb.handles[0] = b->kms_handle;
	fb.pitches[0] = self->pitch;
	if (ioctl(self->kms, DRM_IOCTL_MODE_ADDFB2, &fb))
		return -errno;
	b->fb = fb.fb_id;
	return 0;
}

/* A flip of the primary plane to @fb, with an out-fence into @out. */
static void flip_req(struct atomic_req *r, struct _test_data_kms *self, __u32 fb,
		     int in_fence, __s32 *out)
{
	const __u32 plane = DRM_MODE_OBJECT_PLANE;

	*out = -1;
	req_add(r, self->kms, self->crtc, DRM_MODE_OBJECT_CRTC,
		"OUT_FENCE_PTR", (uintptr_t)out);
	req_add(r, self->kms, self->plane, plane, "FB_ID", fb);
	if (in_fence >= 0)
		req_add(r, self->kms, self->plane, plane, "IN_FENCE_FD",
			in_fence);
}

FIXTURE_SETUP(kms)
{
	struct drm_mode_card_res res = {};
	struct drm_mode_get_plane_res pres = {};
	struct drm_mode_get_connector conn = {};
	struct drm_mode_create_blob blob = {};
	struct drm_mode_modeinfo modes[64];
	struct drm_set_client_cap cap = { .capability = DRM_CLIENT_CAP_ATOMIC,
					  .value = 1 };
	__u32 crtcs[8], conns[8], planes[16], encs[8];
	unsigned int i;

	self->kms = DRM_OR_SKIP("vkms", "CONFIG_DRM_VKMS");
	self->vgem = VGEM_OR_SKIP();
	self->tl = TIMELINE_OR_SKIP(O_RDWR | O_CLOEXEC);
	NEEDS(!access("/dev/dma_heap/system", R_OK),
	      "no system heap (CONFIG_DMABUF_HEAPS_SYSTEM)");
	ASSERT_EQ(0, xioctl(self->kms, DRM_IOCTL_SET_CLIENT_CAP, &cap));

	res.crtc_id_ptr = (uintptr_t)crtcs;
	res.connector_id_ptr = (uintptr_t)conns;
	res.count_crtcs = 8;
	res.count_connectors = 8;
	ASSERT_EQ(0, xioctl(self->kms, DRM_IOCTL_MODE_GETRESOURCES, &res));
	ASSERT_GE(res.count_crtcs, 1);
	ASSERT_GE(res.count_connectors, 1);
	self->crtc = crtcs[0];
	self->conn = conns[0];

	/* Asking with count_modes == 0 is what makes DRM probe the modes. */
	conn.connector_id = self->conn;
	ASSERT_EQ(0, xioctl(self->kms, DRM_IOCTL_MODE_GETCONNECTOR, &conn));
	memset(&conn, 0, sizeof(conn));
	conn.connector_id = self->conn;
	conn.modes_ptr = (uintptr_t)modes;
	conn.count_modes = 64;
	conn.encoders_ptr = (uintptr_t)encs;
	conn.count_encoders = 8;
	ASSERT_EQ(0, xioctl(self->kms, DRM_IOCTL_MODE_GETCONNECTOR, &conn));
	ASSERT_GE(conn.count_modes, 1);
	self->mode = modes[0];
	for (i = 0; i < conn.count_modes && i < 64; i++)
		if (modes[i].type & DRM_MODE_TYPE_PREFERRED)
			self->mode = modes[i];

	/* The primary plane of the first CRTC. */
	pres.plane_id_ptr = (uintptr_t)planes;
	pres.count_planes = 16;
	ASSERT_EQ(0, xioctl(self->kms, DRM_IOCTL_MODE_GETPLANERESOURCES,
			    &pres));
	for (i = 0; i < pres.count_planes && i < 16; i++) {
		struct drm_mode_get_plane p = { .plane_id = planes[i] };

		if (ioctl(self->kms, DRM_IOCTL_MODE_GETPLANE, &p) ||
		    !(p.possible_crtcs & 1))
			continue;
		if (prop_value(self->kms, planes[i], DRM_MODE_OBJECT_PLANE,
			       "type") == PLANE_TYPE_PRIMARY) {
			self->plane = planes[i];
			break;
		}
	}
	ASSERT_NE(0, self->plane);

	blob.data = (uintptr_t)&self->mode;
	blob.length = sizeof(self->mode);
	ASSERT_EQ(0, xioctl(self->kms, DRM_IOCTL_MODE_CREATEPROPBLOB, &blob));
	self->mode_blob = blob.blob_id;

	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, scanout_buf_make(self, &self->buf[i]));
}

FIXTURE_TEARDOWN(kms)
{
	unsigned int i;

	for (i = 0; i < 2; i++)
		close(self->buf[i].dmabuf);
	close(self->tl);
	close(self->vgem);
	/* Closing the master fd turns the pipe off and frees the fbs. */
	close(self->kms);
}

/* The full modeset: connector, CRTC and the primary plane on buf[0]. */
static int modeset(struct _test_data_kms *self, __s32 *out)
{
	const __u32 plane = DRM_MODE_OBJECT_PLANE;
	struct atomic_req r = {};
	int fd = self->kms;

	req_add(&r, fd, self->conn, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID",
		self->crtc);
	req_add(&r, fd, self->crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID",
		self->mode_blob);
	req_add(&r, fd, self->crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", 1);
	req_add(&r, fd, self->crtc, DRM_MODE_OBJECT_CRTC, "OUT_FENCE_PTR",
		(uintptr_t)out);
	req_add(&r, fd, self->plane, plane, "FB_ID", self->buf[0].fb);
	req_add(&r, fd, self->plane, plane, "CRTC_ID", self->crtc);
	req_add(&r, fd, self->plane, plane, "SRC_X", 0);
	req_add(&r, fd, self->plane, plane, "SRC_Y", 0);
	req_add(&r, fd, self->plane, plane, "SRC_W",
		(__u64)self->mode.hdisplay << 16);
	req_add(&r, fd, self->plane, plane, "SRC_H",
		(__u64)self->mode.vdisplay << 16);
	req_add(&r, fd, self->plane, plane, "CRTC_X", 0);
	req_add(&r, fd, self->plane, plane, "CRTC_Y", 0);
	req_add(&r, fd, self->plane, plane, "CRTC_W", self->mode.hdisplay);
	req_add(&r, fd, self->plane, plane, "CRTC_H", self->mode.vdisplay);
	*out = -1;
	return req_commit(fd, &r, DRM_MODE_ATOMIC_ALLOW_MODESET);
}

/*
 * Commit a flip to @fb, held by the sync file @in (-1 for none), without
 * blocking; its out-fence.
 */
static __s32 flip_nonblock(struct __test_metadata *_metadata,
			   struct _test_data_kms *self, __u32 fb, int in)
{
	struct atomic_req r = {};
	__s32 out;

	flip_req(&r, self, fb, in, &out);
	ASSERT_EQ(0, req_commit(self->kms, &r, DRM_MODE_ATOMIC_NONBLOCK));
	ASSERT_GE(out, 0);
	return out;
}

/* Set the mode, showing buf[0], and wait for its first frame to end. */
static void modeset_shown(struct __test_metadata *_metadata,
			  struct _test_data_kms *self)
{
	__s32 out;

	ASSERT_EQ(0, modeset(self, &out));
	ASSERT_EQ(1, fence_done(out, 2000));
	close(out);
}

TEST_F(kms, imported_buffer_scanned_out_with_out_fence)
{
	struct sync_file_info info = {};
	__s32 out;

	ASSERT_EQ(0, modeset(self, &out));
	ASSERT_GE(out, 0);
	/* vkms's vblank timer ends the frame; the fence says so. */
	EXPECT_EQ(1, fence_done(out, 2000));
	ASSERT_EQ(0, xioctl(out, SYNC_IOC_FILE_INFO, &info));
	EXPECT_EQ(1, info.status);
	EXPECT_EQ(1, info.num_fences);
	close(out);

	/* A plain flip to the second imported buffer. */
	out = flip_nonblock(_metadata, self, self->buf[1].fb, -1);
	EXPECT_EQ(1, fence_done(out, 2000));
	close(out);
	EXPECT_EQ(self->buf[1].fb, prop_value(self->kms, self->plane,
					      DRM_MODE_OBJECT_PLANE,
					      "FB_ID"));
}

TEST_F(kms, in_fence_holds_the_flip)
{
	__s32 out;
	int in;

	modeset_shown(_metadata, self);

	in = fence_create(self->tl, 1, "render");
	ASSERT_GE(in, 0);
	out = flip_nonblock(_metadata, self, self->buf[1].fb, in);
	/* Several vblanks pass (60 Hz), the flip waits for the renderer. */
	EXPECT_EQ(0, fence_done(out, 200));
	ASSERT_EQ(0, timeline_inc(self->tl, 1));
	EXPECT_EQ(1, fence_done(out, 2000));
	close(out);
	close(in);
}

TEST_F(kms, implicit_fence_of_the_buffer_holds_the_flip)
{
	__u32 vfence;
	__s32 out;

	modeset_shown(_metadata, self);

	/* vgem "renders" into buf[1]: a write fence in the heap buffer's
	 * dma_resv, which every importer shares.
	 */
	ASSERT_EQ(0, vgem_fence(self->vgem, self->buf[1].vgem_handle, 1,
				&vfence));
	out = flip_nonblock(_metadata, self, self->buf[1].fb, -1);
	EXPECT_EQ(0, fence_done(out, 200));
	ASSERT_EQ(0, vgem_signal(self->vgem, vfence));
	EXPECT_EQ(1, fence_done(out, 2000));
	close(out);
}

TEST_F(kms, in_fence_must_be_a_sync_file)
{
	struct atomic_req r = {};
	__s32 out;
	int null;

	modeset_shown(_metadata, self);

	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(null, 0);
	flip_req(&r, self, self->buf[1].fb, null, &out);
	EXPECT_EQ(-EINVAL, req_commit(self->kms, &r, 0));
	/* Refused as a whole: no out-fence, the old buffer still shown. */
	EXPECT_EQ(-1, out);
	EXPECT_EQ(self->buf[0].fb, prop_value(self->kms, self->plane,
					      DRM_MODE_OBJECT_PLANE,
					      "FB_ID"));
	close(null);
}

TEST_HARNESS_MAIN
