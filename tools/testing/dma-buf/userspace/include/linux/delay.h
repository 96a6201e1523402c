/* SPDX-License-Identifier: GPL-2.0-only */
/* Delays: udelay() spins, the others sleep. */
#ifndef SHIM_LINUX_DELAY_H
#define SHIM_LINUX_DELAY_H

#include <linux/sched.h>

void udelay(unsigned long usecs);
void usleep_range(unsigned long min_us, unsigned long max_us);
void msleep(unsigned int msecs);
#define ndelay(ns) udelay(DIV_ROUND_UP(ns, 1000))
#define mdelay(ms) udelay((ms) * 1000UL)

#endif /* SHIM_LINUX_DELAY_H */
