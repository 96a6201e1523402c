/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace stand-ins for the kernel's basic vocabulary: types, compiler
 * annotations, min/max, errno values, config tests, WARN/BUG and printk.
 * Every other header of this shim starts from this one.
 */
#ifndef SHIM_LINUX_KERNEL_H
#define SHIM_LINUX_KERNEL_H

#include <sys/cdefs.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

/* The configuration the shared sources see. */
/* Tests that need real interrupts or timers leave themselves out here. */
#define DMA_BUF_USERSPACE_SHIM 1
#define CONFIG_DEBUG_MUTEXES 1
#define CONFIG_TRACEPOINTS 1

/* IS_ENABLED(): 1 when the option is defined to 1, usable in #if. */
#define shim_cfg_args(...) __VA_ARGS__
#define SHIM_CFG_SET_1 shim_cfg_args(~, 1)
#define shim_cfg_pick(a, b, ...) b
#define shim_cfg_expand(...) shim_cfg_pick(__VA_ARGS__)
#define shim_cfg_probe(x) shim_cfg_expand(x, 0, 0)
#define shim_cfg_paste(v) shim_cfg_probe(SHIM_CFG_SET_##v)
#define IS_ENABLED(option) shim_cfg_paste(option)
#define IS_BUILTIN(option) IS_ENABLED(option)

/* Annotations that only matter to the kernel's build and checkers. */
#define __rcu
#define __user
#define __iomem
#define __force
#define __init
#define __exit
#define __initdata
#define __read_mostly
#define __randomize_layout
#define __acquires(x)
#define __releases(x)
#define __must_hold(x)
#define __always_unused __attribute__((unused))
#define __maybe_unused __attribute__((unused))
#define __must_check __attribute__((warn_unused_result))
#define noinline __attribute__((noinline))
#define __cold __attribute__((cold))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __packed __attribute__((packed))
#define __aligned(x) __attribute__((aligned(x)))
#define fallthrough __attribute__((fallthrough))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define barrier() __atomic_signal_fence(__ATOMIC_SEQ_CST)
#define cpu_relax() __builtin_ia32_pause()

#define ERESTARTSYS 512
#define MAX_ERRNO 4095
#define PAGE_SIZE 4096UL
#define BITS_PER_LONG 64
#define U32_MAX ((u32)~0U)
#define U64_MAX ((u64)~0ULL)
#define S64_MAX ((s64)(U64_MAX >> 1))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define ALIGN(x, a) (((x) + ((a) - 1)) & ~((typeof(x))(a) - 1))
#define round_up(x, y) ALIGN(x, y)
#define round_down(x, y) ((x) & ~((typeof(x))(y) - 1))
#define roundup(x, y) (DIV_ROUND_UP(x, y) * (y))
#define BITS_PER_TYPE(t) (sizeof(t) * 8)
#define GENMASK(h, l) ((~0UL << (l)) & (~0UL >> (BITS_PER_LONG - 1 - (h))))
#define GENMASK_ULL(h, l) ((~0ULL << (l)) & (~0ULL >> (63 - (h))))
#define lower_32_bits(v) ((u32)((v) & 0xffffffff))
#define upper_32_bits(v) ((u32)((u64)(v) >> 32))

#define min(a, b) ({ typeof(a) _a = (a); typeof(b) _b = (b); _a < _b ? _a : _b; })
#define max(a, b) ({ typeof(a) _a = (a); typeof(b) _b = (b); _a > _b ? _a : _b; })
#define min_t(t, a, b) min((t)(a), (t)(b))
#define max_t(t, a, b) max((t)(a), (t)(b))
#define max3(a, b, c) max(max(a, b), c)
#define min3(a, b, c) min(min(a, b), c)
#define clamp(v, lo, hi) min(max(v, lo), hi)
#define swap(a, b) do { typeof(a) _t = (a); (a) = (b); (b) = _t; } while (0)

static inline u64 div_u64(u64 dividend, u32 divisor)
{
	return dividend / divisor;
}

/* Compile-time checks. */
#define BUILD_BUG_ON(cond) _Static_assert(!(cond), "BUILD_BUG_ON: " #cond)
#ifndef static_assert
#define static_assert(expr, ...) _Static_assert(expr, #expr)
#endif

/*
 * Marked accesses are atomics, so that ThreadSanitizer sees the intent of
 * READ_ONCE()/WRITE_ONCE() and atomic_t instead of plain racy accesses.
 * Under ThreadSanitizer they are also acquire/release: like KCSAN, the
 * check is then for plain accesses that race, not for the weak orderings
 * of other architectures, which no x86 run could show anyway.
 */
#ifdef __SANITIZE_THREAD__
#define SHIM_LOAD_ORDER __ATOMIC_ACQUIRE
#define SHIM_STORE_ORDER __ATOMIC_RELEASE
#define SHIM_RMW_ORDER __ATOMIC_ACQ_REL
#else
#define SHIM_LOAD_ORDER __ATOMIC_RELAXED
#define SHIM_STORE_ORDER __ATOMIC_RELAXED
#define SHIM_RMW_ORDER __ATOMIC_RELAXED
#endif
#define READ_ONCE(x) __atomic_load_n(&(x), SHIM_LOAD_ORDER)
#define WRITE_ONCE(x, val) __atomic_store_n(&(x), (val), SHIM_STORE_ORDER)
#define data_race(expr) (expr)

/* printk and the splats; the runner counts WARNINGs per test case. */
#define KERN_ERR "<3>"
#define KERN_WARNING "<4>"
#define KERN_INFO "<6>"
#define KERN_DEBUG "<7>"
__printf(1, 2) void shim_printk(const char *fmt, ...);
#define printk(fmt, ...) shim_printk(fmt, ##__VA_ARGS__)
void shim_warn(const char *file, int line, const char *what);
__printf(3, 4) void shim_warn_fmt(const char *file, int line, const char *fmt, ...);
void shim_bug(const char *file, int line, const char *what) __attribute__((noreturn));

#define pr_fmt(fmt) fmt
#define pr_err(fmt, ...) printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...) printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...) printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...) do { if (0) printk(fmt, ##__VA_ARGS__); } while (0)
#define pr_warn_once pr_warn

#define WARN_ON(cond) ({						\
	bool _w = !!(cond);						\
	if (unlikely(_w))						\
		shim_warn(__FILE__, __LINE__, #cond);			\
	unlikely(_w);							\
})
#define WARN(cond, fmt, ...) ({						\
	bool _w = !!(cond);						\
	if (unlikely(_w))						\
		shim_warn_fmt(__FILE__, __LINE__, fmt, ##__VA_ARGS__);	\
	unlikely(_w);							\
})
#define WARN_ON_ONCE(cond) ({						\
	static bool _warned;						\
	bool _w = !!(cond);						\
	if (unlikely(_w) && !__atomic_exchange_n(&_warned, true, __ATOMIC_RELAXED)) \
		shim_warn(__FILE__, __LINE__, #cond);			\
	unlikely(_w);							\
})
#define WARN_ONCE(cond, fmt, ...) WARN(cond, fmt, ##__VA_ARGS__)

/*
 * The checks of lockdep, RCU-lockdep and might_sleep(): a WARNING when
 * @ok is false.  A call, not a branch, so that what gcov counts in the
 * shared code are the code's own branches, not the checks'.
 */
void shim_check(bool ok, const char *file, int line, const char *what);
#define SHIM_CHECK(cond) shim_check(!!(cond), __FILE__, __LINE__, #cond)
#define BUG() shim_bug(__FILE__, __LINE__, "BUG()")
#define BUG_ON(cond) do { if (unlikely(cond)) shim_bug(__FILE__, __LINE__, #cond); } while (0)

/* Exports, modules and initcalls mean nothing in one program. */
#define SHIM_FILE_SCOPE_NOP extern int shim_file_scope_nop
#define EXPORT_SYMBOL(sym) SHIM_FILE_SCOPE_NOP
#define EXPORT_SYMBOL_GPL(sym) SHIM_FILE_SCOPE_NOP
#define EXPORT_SYMBOL_NS(sym, ns) SHIM_FILE_SCOPE_NOP
#define EXPORT_SYMBOL_NS_GPL(sym, ns) SHIM_FILE_SCOPE_NOP
#define MODULE_LICENSE(s) SHIM_FILE_SCOPE_NOP
#define MODULE_DESCRIPTION(s) SHIM_FILE_SCOPE_NOP
#define MODULE_AUTHOR(s) SHIM_FILE_SCOPE_NOP
#define MODULE_IMPORT_NS(s) SHIM_FILE_SCOPE_NOP
#define MODULE_PARM_DESC(name, s) SHIM_FILE_SCOPE_NOP
#define subsys_initcall(fn) SHIM_FILE_SCOPE_NOP
#define module_init(fn) SHIM_FILE_SCOPE_NOP
#define module_exit(fn) SHIM_FILE_SCOPE_NOP

/* module_param(): set from the runner's command line as NAME=VALUE. */
void shim_param_register(const char *name, unsigned int *value);
#define module_param(name, type, perm)					\
	static void __attribute__((constructor)) shim_param_##name(void) \
	{								\
		shim_param_register(#name, &(name));			\
	}								\
	SHIM_FILE_SCOPE_NOP

#include <linux/err.h>
#include <linux/bitops.h>

#endif /* SHIM_LINUX_KERNEL_H */
