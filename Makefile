# SPDX-License-Identifier: GPL-2.0-only
obj-y := dma-buf.o dma-fence.o dma-fence-array.o dma-fence-chain.o \
	 dma-fence-unwrap.o reservation.o seqno-fence.o
obj-y += tests/
