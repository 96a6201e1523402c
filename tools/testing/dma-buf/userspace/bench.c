// SPDX-License-Identifier: GPL-2.0-only
/*
 * Native-speed microbenchmarks of the shared code: the benchmark module's
 * rows marked native in tools/testing/dma-buf/bench/bench-rows.h, the
 * same source, built against the shim, for profiling with perf or
 * callgrind.  Prints the module's line format:
 *
 *   bench: NAME n=N ns_per_op=X iters=Y
 *
 * Usage: bench [target_us=30000] [ROW-PREFIX...]
 */
#include <linux/sched.h>

#include "shim.h"

static unsigned int target_us = 30000;

static u64 bench_now_ns(void)
{
	return shim_now_ns();
}

#include "../bench/bench-rows.h"

static int row_report(const struct row *r, unsigned int n)
{
	u64 target = (u64)target_us * NSEC_PER_USEC, reps = 1, ops;
	s64 t;

	for (;;) {
		t = row_run(r, n, reps);
		if (t < 0) {
			printf("bench: %s n=%u failed: %lld\n", r->name, n,
			       (long long)t);
			return 1;
		}
		if ((u64)t >= target || reps >= (1ULL << 40))
			break;
		/* Aim a little past the target, at most 16x at a time. */
		reps *= clamp(t > 0 ? target * 5 / 4 / t : 16, 2ULL, 16ULL);
	}
	ops = reps * (r->ops_per_elem ? n : 1);
	printf("bench: %s n=%u ns_per_op=%.3f iters=%llu\n", r->name, n,
	       (double)t / ops, (unsigned long long)ops);
	return 0;
}

static bool selected(int argc, char **argv, const char *name)
{
	bool any = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (strchr(argv[i], '='))
			continue;
		any = true;
		if (!strncmp(name, argv[i], strlen(argv[i])))
			return true;
	}
	return !any;
}

int main(int argc, char **argv)
{
	unsigned int i, j;
	int failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < (unsigned int)argc; i++)
		if (!strncmp(argv[i], "target_us=", 10))
			target_us = strtoul(argv[i] + 10, NULL, 0);
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		if (!rows[i].native || !selected(argc, argv, rows[i].name))
			continue;
		for (j = 0; j < ARRAY_SIZE(rows[i].ns) && rows[i].ns[j]; j++)
			failed |= row_report(&rows[i], rows[i].ns[j]);
		/* Let the RCU frees of the row run before the next. */
		rcu_barrier();
	}
	printf("bench: done%s\n", failed ? " (with failures)" : "");
	return failed;
}
