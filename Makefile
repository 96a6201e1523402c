# SPDX-License-Identifier: GPL-2.0-only
obj-y := dma-fence.o
obj-y += tests/
