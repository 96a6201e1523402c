#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Usage: config-check.py DOTCONFIG FRAGMENT...

Fails, listing them, when an option a fragment asks for is not what the
final .config says (Kconfig silently drops options whose dependencies are
missing).  "=n" and "is not set" both mean off.  As in merge_config.sh,
a later fragment overrides an earlier one that sets the same option.
"""
import re
import sys


def options(path):
    opts = {}
    for line in open(path):
        m = re.match(r'(CONFIG_\w+)=(.*)', line) or \
            re.match(r'# (CONFIG_\w+) is not set', line)
        if m:
            opts[m.group(1)] = m.group(2) if m.lastindex == 2 else 'n'
    return opts


def main(dotconfig, fragments):
    have = options(dotconfig)
    asked = {}
    for frag in fragments:
        for name, want in options(frag).items():
            asked[name] = (want, frag)
    bad = []
    for name, (want, frag) in asked.items():
        got = have.get(name, 'n')
        if got != want:
            bad.append(f'{name}: asked {want} in {frag}, got {got}')
    for b in bad:
        print('config mismatch:', b)
    return 1 if bad else 0


if __name__ == '__main__':
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2:]))
