#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Usage: coverage.py [--unreachable FILE] [--out FILE] [--results FILE]
                   [--min-lines PCT --min-branches PCT] NAME=INFO...

Per-file line and branch coverage of our .c files from lcov tracefiles,
one per build (NAME=kernel, NAME=user).  A source path names its file by
what follows "drivers/dma-buf/" in it, or else by its path under the
repository; only .c files of ours count (the tests and headers do not).

The unreachable file lists lines no test can run, one per line as
"FILE | WHAT | REASON".  WHAT is the text of one line, without its
leading and trailing blanks, which must match exactly one instrumented
line of FILE; or "in NAME: TEXT", the same within function NAME; or
"function NAME", every line of that function (its definition starts at
the beginning of a line, its body ends with the first "}" there).  Those lines leave the figures, their branches too.
An entry that matches nothing, or a line text that matches more than
one line, is an error: the list must stay in step with the code.

Prints a table per build and the lines never run, writes the same to
--out.  With --results it records whether the unreachable list is
current and, when a minimum is given, one outcome per file and build,
"coverage:NAME:FILE", failing below --min-lines or --min-branches.
"""
import argparse
import os
import re
import sys


def repo_name(path):
    marker = '/drivers/dma-buf/'
    if marker in path:
        return path.split(marker, 1)[1]
    return os.path.relpath(path, REPO)


REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '../../..'))


class FileCov:
    def __init__(self, source):
        self.source = source
        self.lines = {}         # line -> count
        self.branches = {}      # (line, block, branch) -> count


def parse_info(path):
    files, cur = {}, None
    for raw in open(path):
        line = raw.rstrip('\n')
        if line.startswith('SF:'):
            src = line[3:]
            name = repo_name(src)
            if not name.endswith('.c') or name.startswith(('tests/', '..')):
                cur = None
                continue
            cur = files.setdefault(name, FileCov(src))
        elif cur is None:
            continue
        elif line.startswith('DA:'):
            ln, count = line[3:].split(',')[:2]
            cur.lines[int(ln)] = cur.lines.get(int(ln), 0) + int(count)
        elif line.startswith('BRDA:'):
            ln, block, branch, taken = line[5:].split(',')
            key = (int(ln), block, branch)
            n = 0 if taken == '-' else int(taken)
            cur.branches[key] = cur.branches.get(key, 0) + n
    return files


def parse_unreachable(path):
    entries = []
    if not path:
        return entries
    for num, raw in enumerate(open(path), 1):
        line = raw.strip()
        if not line or line.startswith('#'):
            continue
        parts = [p.strip() for p in line.split(' | ')]
        if len(parts) != 3 or not all(parts):
            sys.exit(f'{path}:{num}: want "FILE | SOURCE TEXT | REASON"')
        entries.append((num, parts[0], parts[1], parts[2]))
    return entries


def function_lines(text, name):
    """The (1-based) lines of function @name in @text, or none."""
    head = re.compile(r'^[A-Za-z_].*\b%s\(' % re.escape(name))
    for i, line in enumerate(text):
        if head.match(line):
            end = i
            while end < len(text) and text[end] != '}':
                end += 1
            return list(range(i + 1, end + 2))
    return []


def matching(text, what):
    """The (1-based) lines of @text an unreachable entry names."""
    if what.startswith('function '):
        return function_lines(text, what.split(None, 1)[1])
    scope = range(1, len(text) + 1)
    m = re.match(r'in (\w+): (.*)', what)
    if m:
        scope, what = function_lines(text, m.group(1)), m.group(2)
    return [ln for ln in scope if text[ln - 1].strip() == what]


def pct(hit, total):
    return 100.0 * hit / total if total else 100.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--unreachable')
    ap.add_argument('--out')
    ap.add_argument('--results')
    ap.add_argument('--min-lines', type=float, default=0)
    ap.add_argument('--min-branches', type=float, default=0)
    ap.add_argument('infos', nargs='+')
    args = ap.parse_args()

    unreachable = parse_unreachable(args.unreachable)
    used = set()
    report, outcomes = [], []
    for spec in args.infos:
        build, info = spec.split('=', 1)
        files = parse_info(info)
        report.append(f'{build}: line and branch coverage of our files')
        report.append(f'  {"file":<26} {"lines":>15} {"branches":>15}'
                      f' {"excluded":>8}')
        never = []
        for name in sorted(files):
            fc = files[name]
            try:
                text = open(fc.source).read().split('\n')
            except OSError:
                text = []
            skip = set()
            for num, fname, what, _ in unreachable:
                if fname != name:
                    continue
                hits = [ln for ln in matching(text, what) if ln in fc.lines]
                if hits and (what.startswith(('function ', 'in ')) or len(hits) == 1):
                    used.add(num)
                    skip.update(hits)
            lines = {ln: c for ln, c in fc.lines.items() if ln not in skip}
            brs = {k: c for k, c in fc.branches.items() if k[0] not in skip}
            lh = sum(1 for c in lines.values() if c)
            bh = sum(1 for c in brs.values() if c)
            lp, bp = pct(lh, len(lines)), pct(bh, len(brs))
            report.append(f'  {name:<26} {lp:6.1f}% {lh:>4}/{len(lines):<4}'
                          f' {bp:6.1f}% {bh:>4}/{len(brs):<4} {len(skip):>8}')
            if args.min_lines or args.min_branches:
                ok = lp >= args.min_lines and bp >= args.min_branches
                outcomes.append((ok, f'coverage:{build}:{name}',
                                 f'lines {lp:.1f}%, branches {bp:.1f}%'))
            for ln in sorted(lines):
                if not lines[ln]:
                    src = text[ln - 1].strip() if ln <= len(text) else ''
                    never.append(f'  {name}:{ln}: {src}')
        report.append(f'{build}: {len(never)} lines never run'
                      + (f' (listed in {args.out})' if args.out else ''))
        report.extend(never)
        report.append('')

    stale = [e for e in unreachable if e[0] not in used]
    for num, fname, src, _ in stale:
        report.append(f'unreachable list line {num} matches no line, or '
                      f'more than one: {fname} | {src}')
    outcomes.append((not stale, 'coverage:unreachable-list-current',
                     f'{len(stale)} stale entries'))

    text = '\n'.join(report) + '\n'
    if args.out:
        with open(args.out, 'w') as f:
            f.write(text)
    # The screen gets the tables; the lines never run are in --out.
    for line in report:
        if not re.match(r'  \S+\.c:\d+:', line):
            print(line)
    if args.results:
        with open(args.results, 'a') as f:
            for ok, name, why in outcomes:
                f.write(f'{"PASS" if ok else "FAIL"} {name}\n')
    return 0 if all(ok for ok, _, _ in outcomes) else 1


if __name__ == '__main__':
    sys.exit(main())
