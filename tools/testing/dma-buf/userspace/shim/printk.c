// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stands in for printk, WARN, BUG and seq_file: lines go to standard
 * output whole, and the runner sees each line and each WARNING through
 * its hooks.  BUG aborts the program.  Limits: a printed line is cut at
 * 1 KiB and log levels are dropped.
 */
#include <linux/seq_file.h>

#include <stdarg.h>

#include "internal.h"

static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;
static void (*warn_hook)(void);
static void (*printk_hook)(const char *line);

void shim_set_hooks(void (*on_warn)(void), void (*on_printk)(const char *line))
{
	warn_hook = on_warn;
	printk_hook = on_printk;
}

static void vprint(const char *prefix, const char *fmt, va_list ap)
{
	char line[1024];

	/* Strip a KERN_<level> prefix. */
	if (fmt[0] == '<' && fmt[1] && fmt[2] == '>')
		fmt += 3;
	vsnprintf(line, sizeof(line), fmt, ap);
	pthread_mutex_lock(&print_lock);
	fputs(prefix, stdout);
	fputs(line, stdout);
	if (!*line || line[strlen(line) - 1] != '\n')
		putchar('\n');
	fflush(stdout);
	pthread_mutex_unlock(&print_lock);
	if (printk_hook)
		printk_hook(line);
}

void shim_printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint("", fmt, ap);
	va_end(ap);
}

static void warn_report(void)
{
	if (warn_hook)
		warn_hook();
}

void shim_warn(const char *file, int line, const char *what)
{
	pr_warn("WARNING: %s:%d: %s (task %s)\n", file, line, what,
		current->comm);
	warn_report();
}

void shim_check(bool ok, const char *file, int line, const char *what)
{
	if (unlikely(!ok))
		shim_warn(file, line, what);
}

void shim_warn_fmt(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	pr_warn("WARNING: %s:%d: (task %s)\n", file, line, current->comm);
	va_start(ap, fmt);
	vprint("    ", fmt, ap);
	va_end(ap);
	warn_report();
}

void shim_bug(const char *file, int line, const char *what)
{
	pr_err("BUG: %s:%d: %s\n", file, line, what);
	abort();
}

void seq_printf(struct seq_file *m, const char *fmt, ...)
{
	size_t room = m->size - m->count;
	va_list ap;
	int len;

	if (m->count >= m->size)
		return;
	va_start(ap, fmt);
	len = vsnprintf(m->buf + m->count, room, fmt, ap);
	va_end(ap);
	/* Like the kernel: an overflow marks the buffer full. */
	m->count = len < 0 || (size_t)len >= room ? m->size : m->count + len;
}

void seq_puts(struct seq_file *m, const char *s)
{
	seq_printf(m, "%s", s);
}

void seq_putc(struct seq_file *m, char c)
{
	seq_printf(m, "%c", c);
}
