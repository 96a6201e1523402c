# SPDX-License-Identifier: GPL-2.0-only
obj-y := dma-fence.o dma-fence-array.o dma-fence-chain.o dma-fence-unwrap.o
obj-$(CONFIG_SYNC_FILE) += sync_file.o
obj-$(CONFIG_SW_SYNC) += sw_sync.o sync_debug.o
obj-y += tests/
