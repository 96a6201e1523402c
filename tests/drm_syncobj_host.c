// SPDX-License-Identifier: GPL-2.0-only
/*
 * A DRM device with no hardware and no buffers: it exists so that the
 * syncobj kselftests can reach the DRM core's syncobj ioctls.  In 6.1 none
 * of the drivers QEMU can host (vgem, vkms, virtio-gpu) sets
 * DRIVER_SYNCOBJ, yet syncobjs are among the heaviest users of this
 * subsystem: binary syncobjs hold a dma_fence, timeline syncobjs hold a
 * dma_fence_chain, and both import and export sync_file descriptors.
 *
 * Everything the tests touch is unmodified DRM core code (drm_syncobj.c,
 * drm_ioctl.c, drm_file.c) running on our fences; this file only
 * registers the device, with a driver name userspace can find through
 * DRM_IOCTL_VERSION.
 */
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/platform_device.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_ioctl.h>

#define SYNCOBJ_HOST_NAME "dmabuf-syncobj"

static const struct file_operations syncobj_host_fops = {
	.owner = THIS_MODULE,
	.open = drm_open,
	.release = drm_release,
	.unlocked_ioctl = drm_ioctl,
	.compat_ioctl = drm_compat_ioctl,
	.poll = drm_poll,
	.read = drm_read,
	.llseek = noop_llseek,
};

static const struct drm_driver syncobj_host_driver = {
	.driver_features = DRIVER_RENDER | DRIVER_SYNCOBJ |
			   DRIVER_SYNCOBJ_TIMELINE,
	.fops = &syncobj_host_fops,
	.name = SYNCOBJ_HOST_NAME,
	.desc = "syncobj host for the dma-buf selftests",
	.date = "20261125",
	.major = 1,
	.minor = 0,
};

/* The single instance: its platform device and its DRM device. */
static struct platform_device *syncobj_host_pdev;
static struct drm_device *syncobj_host_drm;

static int __init syncobj_host_init(void)
{
	struct platform_device *pdev;
	struct drm_device *drm;
	int err;

	pdev = platform_device_register_simple(SYNCOBJ_HOST_NAME, -1, NULL, 0);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);

	drm = drm_dev_alloc(&syncobj_host_driver, &pdev->dev);
	if (IS_ERR(drm)) {
		err = PTR_ERR(drm);
		goto err_pdev;
	}

	err = drm_dev_register(drm, 0);
	if (err)
		goto err_drm;

	syncobj_host_pdev = pdev;
	syncobj_host_drm = drm;
	return 0;

err_drm:
	drm_dev_put(drm);
err_pdev:
	platform_device_unregister(pdev);
	return err;
}

static void __exit syncobj_host_exit(void)
{
	drm_dev_unregister(syncobj_host_drm);
	drm_dev_put(syncobj_host_drm);
	platform_device_unregister(syncobj_host_pdev);
}

/* After the DRM core and the drivers it may sit beside. */
late_initcall(syncobj_host_init);
module_exit(syncobj_host_exit);

MODULE_DESCRIPTION("DRM device exposing syncobjs to the dma-buf selftests");
MODULE_LICENSE("GPL");
