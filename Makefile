# SPDX-License-Identifier: GPL-2.0-only
obj-y := dma-fence.o dma-fence-array.o dma-fence-chain.o
obj-y += tests/
