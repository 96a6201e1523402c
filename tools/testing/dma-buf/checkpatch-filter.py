#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Usage: checkpatch.pl --show-types ... | checkpatch-filter.py

Passes checkpatch's findings through, except
 - MACRO_ARG_REUSE on a *for_each* iterator macro: a for loop over a
   cursor has to name the cursor in its init, condition and step;
 - PREFER_DEFINED_ATTRIBUTE_MACRO on the line of a userspace program
   that defines __printf() itself: the macro checkpatch asks for;
 - in the userspace shim's headers (tools/testing/dma-buf/userspace/
   include/), the findings about how kernel code should use the kernel's
   vocabulary, which those headers define: its typedefs (spinlock_t...),
   attributes, barriers, printk levels, BUG(), EXPORT_SYMBOL(),
   IS_ENABLED(), data_race(), the C11 keywords they are built on, the
   argument reuse of the macros that must evaluate typeof(arg) and arg,
   and the unparenthesised member-name arguments of container_of() and
   its kin.
Exits 1 when any finding is left.
"""
import re
import sys

SHIM = re.compile(r'FILE: \S*tools/testing/dma-buf/userspace/include/')
SHIM_TYPES = ('NEW_TYPEDEFS', 'PREFER_DEFINED_ATTRIBUTE_MACRO', 'MEMORY_BARRIER',
              'PREFER_PR_LEVEL', 'PRINTK_WITHOUT_KERN_LEVEL', 'AVOID_BUG',
              'EXPORT_SYMBOL', 'IS_ENABLED_CONFIG', 'DATA_RACE', 'CAMELCASE',
              'MACRO_ARG_REUSE', 'MACRO_ARG_PRECEDENCE')


def dropped(b):
    if (b.startswith('CHECK:MACRO_ARG_REUSE:') and
            re.search(r'#define\s+\w*for_each\w*\(', b)):
        return True
    if (':PREFER_DEFINED_ATTRIBUTE_MACRO:' in b and
            re.search(r'\+#define __printf\(', b)):
        return True
    kind = b.split(':', 2)[1] if b.count(':') >= 2 else ''
    return kind in SHIM_TYPES and SHIM.search(b) is not None


blocks = re.split(r'\n\s*\n', sys.stdin.read().strip())
left = [b for b in blocks if b and not dropped(b)]
if left:
    print('\n\n'.join(left))
sys.exit(1 if left else 0)
