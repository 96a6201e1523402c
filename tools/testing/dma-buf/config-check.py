#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Usage: config-check.py [--defined-in TREE] DOTCONFIG FRAGMENT...

Fails, listing them, when an option a fragment asks for is not what the
final .config says (Kconfig silently drops options whose dependencies are
missing).  "=n" and "is not set" both mean off.  As in merge_config.sh,
a later fragment overrides an earlier one that sets the same option.

--defined-in TREE: only the options that a Kconfig file of the kernel
tree TREE defines count; the others are not an error (a tree part way
through the patch series does not define every option yet).
"""
import os
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


def defined(tree):
    """The names of the options the Kconfig files of @tree define."""
    entry = re.compile(r'^(?:menu)?config[ \t]+(\w+)', re.M)
    names = set()
    for top, _, files in os.walk(tree):
        for f in files:
            if f.startswith('Kconfig'):
                with open(os.path.join(top, f), errors='replace') as k:
                    names.update('CONFIG_' + n for n in entry.findall(k.read()))
    return names


def main(dotconfig, fragments, tree=None):
    have = options(dotconfig)
    asked = {}
    for frag in fragments:
        for name, want in options(frag).items():
            asked[name] = (want, frag)
    if tree:
        known = defined(tree)
        asked = {n: a for n, a in asked.items() if n in known}
    bad = []
    for name, (want, frag) in asked.items():
        got = have.get(name, 'n')
        if got != want:
            bad.append(f'{name}: asked {want} in {frag}, got {got}')
    for b in bad:
        print('config mismatch:', b)
    return 1 if bad else 0


if __name__ == '__main__':
    args, tree = sys.argv[1:], None
    if args[:1] == ['--defined-in'] and len(args) > 1:
        args, tree = args[2:], args[1]
    if len(args) < 2:
        sys.exit(__doc__)
    sys.exit(main(args[0], args[1:], tree))
