/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The calibration of make bench, compiled into the benchmark module
 * (dmabuf_bench.c) and the user benchmark in the guest (bench_user.c): a
 * fixed piece of work, the same machine code in both kernels' module,
 * whose time tells how much of the host the guest had just then.  Each
 * row reports it (measured before and after the row) so that the table
 * can take the host's load out of the ratios.  The includer defines
 * bench_now_ns(), its clock in nanoseconds, WRITE_ONCE() and
 * ARRAY_SIZE().
 */
#ifndef DMA_BUF_BENCH_CALIBRATE_H
#define DMA_BUF_BENCH_CALIBRATE_H

#include <linux/types.h>

static __u32 calib_buf[1024];

static __u64 calibrate(void)
{
	__u64 t0 = bench_now_ns();
	__u32 x = 2463534242U;
	unsigned int i;

	for (i = 0; i < (1U << 16); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		/* A store the compiler must keep: the loop is the work. */
		WRITE_ONCE(calib_buf[x % ARRAY_SIZE(calib_buf)], x);
	}
	return bench_now_ns() - t0;
}

#endif /* DMA_BUF_BENCH_CALIBRATE_H */
