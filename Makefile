# SPDX-License-Identifier: GPL-2.0-only
GCOV_PROFILE := $(CONFIG_GCOV_PROFILE_DMABUF)
obj-y := dma-buf.o dma-fence.o dma-fence-array.o dma-fence-chain.o \
	 dma-fence-unwrap.o reservation.o seqno-fence.o
obj-$(CONFIG_DMA_FENCE_DEBUG) += dma-fence-debug.o
obj-$(CONFIG_DMABUF_HEAPS) += dma-heap.o heaps/
obj-$(CONFIG_DMABUF_SYSFS_STATS) += dma-buf-sysfs-stats.o
obj-$(CONFIG_SYNC_FILE) += sync_file.o
obj-$(CONFIG_SW_SYNC) += sw_sync.o sync_debug.o
# sync_trace.h's tracepoint definitions include it again from here.
CFLAGS_sw_sync.o := -I$(src)
obj-$(CONFIG_UDMABUF) += udmabuf.o
obj-y += tests/
