#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Usage: checkpatch.pl --show-types ... | checkpatch-filter.py

Passes checkpatch's findings through, except MACRO_ARG_REUSE on a
*for_each* iterator macro: a for loop over a cursor has to name the cursor
in its init, condition and step.  Exits 1 when any finding is left.
"""
import re
import sys

blocks = re.split(r'\n\s*\n', sys.stdin.read().strip())
left = [b for b in blocks if b and not (
    b.startswith('CHECK:MACRO_ARG_REUSE:') and
    re.search(r'#define\s+\w*for_each\w*\(', b))]
if left:
    print('\n\n'.join(left))
sys.exit(1 if left else 0)
