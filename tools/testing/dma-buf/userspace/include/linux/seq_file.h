/* SPDX-License-Identifier: GPL-2.0-only */
/* The part of seq_file that printing into a caller's buffer needs. */
#ifndef SHIM_LINUX_SEQ_FILE_H
#define SHIM_LINUX_SEQ_FILE_H

#include <linux/kernel.h>

struct seq_file {
	char *buf;
	size_t size;
	size_t count;
};

__printf(2, 3) void seq_printf(struct seq_file *m, const char *fmt, ...);
void seq_puts(struct seq_file *m, const char *s);
void seq_putc(struct seq_file *m, char c);

static inline bool seq_has_overflowed(struct seq_file *m)
{
	return m->count == m->size;
}

#endif /* SHIM_LINUX_SEQ_FILE_H */
