// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stands in for the kernel's clock, delays and randomness: the monotonic
 * clock behind ktime and jiffies, udelay() and the sleeping delays,
 * cond_resched(), the CPU count and get_random_u32().  Limits: delays are
 * at least as long as asked (usleep_range() sleeps its minimum), and the
 * random numbers are a per-thread xorshift, for varying timing only.
 */
#include <linux/delay.h>
#include <linux/random.h>

#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

u64 shim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

void udelay(unsigned long usecs)
{
	u64 end = shim_now_ns() + (u64)usecs * NSEC_PER_USEC;

	while (shim_now_ns() < end)
		cpu_relax();
}

static void sleep_ns(u64 ns)
{
	struct timespec ts = { ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };

	might_sleep();
	while (nanosleep(&ts, &ts))
		;
}

void usleep_range(unsigned long min_us, unsigned long max_us)
{
	sleep_ns((u64)min_us * NSEC_PER_USEC);
}

void msleep(unsigned int msecs)
{
	sleep_ns((u64)msecs * NSEC_PER_MSEC);
}

void cond_resched(void)
{
	might_sleep();
	sched_yield();
}

unsigned int num_online_cpus(void)
{
	return (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
}

u32 get_random_u32(void)
{
	static __thread u64 state;

	if (!state)
		state = shim_now_ns() ^ (u64)(uintptr_t)&state;
	/* xorshift64* */
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return (u32)((state * 0x2545f4914f6cdd1dULL) >> 32);
}
