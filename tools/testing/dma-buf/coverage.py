#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Usage: coverage.py [--unreachable FILE] [--out FILE] [--results FILE]
                   [--min-lines PCT --min-branches PCT] NAME=INFO...

Per-file line and branch coverage of our .c files from lcov tracefiles,
one per build (NAME=kernel, NAME=user).  A source path names its file by
what follows "drivers/dma-buf/" in it, or else by its path under the
repository; only .c files of ours count (the tests and headers do not).

The unreachable file lists what no test can run, one entry per line as
"FILE | WHAT | REASON".  FILE names a file as the report does, or is "*"
for every file; a prefix "kernel:" or "user:" limits the entry to that
build.  WHAT is one of:

  TEXT                  the one instrumented line whose text, without its
  in NAME: TEXT         leading and trailing blanks, is TEXT (within
                        function NAME); the line and its branches leave
                        the figures
  function NAME         every line of function NAME (its definition starts
                        at the beginning of a line, its body ends with the
                        first "}" there), with their branches
  branches: TEXT        every branch of that one line leaves the branch
  in NAME: branches: TEXT  figures; the line still counts as a line
  N branches: TEXT      N of the never-taken branches of that one line
  in NAME: N branches: TEXT  leave the branch figures (the first N in
                        gcov's order); the line must have at least N, and
                        any further never-taken one, like the taken ones,
                        still counts
  statement MACRO       every line that is one statement "MACRO(ARGS);",
                        "LVALUE = MACRO(ARGS);" or "return MACRO(ARGS);"
                        (ARGS may run over several lines and holds no
                        "?", "&&" or "||"): all branches of its lines
                        leave the branch figures, its lines still count

The branch forms exist for the branches gcc counts on a line that are not
a decision of that line's code: the checks a macro expands to (lockdep's
assertions, rcu_dereference()'s lockdep check, might_sleep()), the
arms of test_bit()'s compile-time test that gcc folds away only after
gcov has instrumented them, and the NULL tests of an inlined helper that
gcov puts on its caller's line.  A "statement" pattern can match only
lines whose whole code is the macro, so it cannot hide a decision of
ours; a guard such as "if (WARN_ON(!buf))" is a decision, and is left out
only by a per-line entry whose reason says which caller bug it catches.

An entry is stale, and fails coverage:unreachable-list-current, when it
takes effect in no build: a line text that matches no line or more than
one, a branch entry whose line has no branch left untaken, a pattern none
of whose lines has one; and, in any build it applies to, a count entry
whose line has fewer than N untaken branches.  So the list stays
in step with the code and with the tests.

Prints a table per build and the lines never run, writes the same and
then the branches never taken to --out.  With --results it records
whether the unreachable list is current and, when a minimum is given,
one outcome per file and build, "coverage:NAME:FILE", failing below
--min-lines or --min-branches.
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
            key = (int(ln), int(block), int(branch))
            n = 0 if taken == '-' else int(taken)
            cur.branches[key] = cur.branches.get(key, 0) + n
    return files


class Entry:
    def __init__(self, num, build, fname, what, reason):
        self.num, self.build, self.fname = num, build, fname
        self.what, self.reason = what, reason
        self.used = False       # took effect in some build
        self.errors = []        # count mismatches, per build

    def applies(self, build, name):
        return (self.build in (None, build) and
                self.fname in ('*', name))


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
            sys.exit(f'{path}:{num}: want "FILE | WHAT | REASON"')
        build, fname = None, parts[0]
        m = re.match(r'(kernel|user):(.+)$', fname)
        if m:
            build, fname = m.groups()
        entries.append(Entry(num, build, fname, parts[1], parts[2]))
    return entries


def function_lines(text, name):
    """The (1-based) lines of function @name in @text, or none."""
    head = re.compile(r'^(?:[A-Za-z_].*\b)?%s\(' % re.escape(name))
    for i, line in enumerate(text):
        if head.match(line):
            end = i
            while end < len(text) and text[end] != '}':
                end += 1
            return list(range(i + 1, end + 2))
    return []


def split_what(what):
    """(kind, count, function, text) of an entry's WHAT."""
    if what.startswith('function '):
        return 'function', None, what.split(None, 1)[1], None
    if what.startswith('statement '):
        return 'statement', None, None, what.split(None, 1)[1]
    func = None
    m = re.match(r'in (\w+): (.*)', what)
    if m:
        func, what = m.groups()
    m = re.match(r'(?:(\d+) )?branches: (.*)', what)
    if m:
        return 'branches', m.group(1) and int(m.group(1)), func, m.group(2)
    return 'lines', None, func, what


def matching(text, func, what):
    """The (1-based) lines of @text whose text is @what (within @func)."""
    scope = function_lines(text, func) if func else range(1, len(text) + 1)
    return [ln for ln in scope if text[ln - 1].strip() == what]


def statement_lines(text, macro):
    """Every statement of @text that is a call of @macro alone, as lists
    of its (1-based) lines."""
    head = re.compile(r'(?:return\s+|[\w.\->\[\]*&\s]+?=\s*)?%s\('
                      % re.escape(macro))
    found = []
    for i, line in enumerate(text):
        m = head.match(line.strip())
        if not m:
            continue
        body, depth, end = line.strip()[m.end():], 1, i
        args = ''
        while True:
            for pos, ch in enumerate(body):
                depth += {'(': 1, ')': -1}.get(ch, 0)
                if depth == 0:
                    break
            if depth == 0:
                args += body[:pos]
                rest = body[pos + 1:].strip()
                break
            args += body + ' '
            end += 1
            if end >= len(text):
                rest = None
                break
            body = text[end].strip()
        if rest == ';' and not re.search(r'\?|&&|\|\|', args):
            found.append(list(range(i + 1, end + 2)))
    return found


def apply_entries(entries, build, name, fc, text):
    """The lines and the branch keys of @fc the entries leave out."""
    skip, drop = set(), set()
    branches_of = {}
    for key in fc.branches:
        branches_of.setdefault(key[0], []).append(key)
    for e in entries:
        if not e.applies(build, name):
            continue
        kind, count, func, what = split_what(e.what)
        if kind == 'function':
            hits = [ln for ln in function_lines(text, func) if ln in fc.lines]
            if hits:
                e.used = True
                skip.update(hits)
        elif kind == 'lines':
            hits = [ln for ln in matching(text, func, what) if ln in fc.lines]
            if len(hits) == 1:
                e.used = True
                skip.update(hits)
        elif kind == 'branches':
            hits = [ln for ln in matching(text, func, what)
                    if ln in fc.lines or ln in branches_of]
            if len(hits) != 1 or hits[0] not in branches_of:
                continue
            keys = branches_of[hits[0]]
            untaken = [k for k in keys if not fc.branches[k]]
            if count is not None and len(untaken) < count:
                e.errors.append(f'{build}: {name}:{hits[0]} has '
                                f'{len(untaken)} untaken branches, not '
                                f'{count}')
                continue
            if untaken:
                e.used = True
                drop.update(keys if count is None else untaken[:count])
        else:
            for stmt in statement_lines(text, what):
                keys = [k for ln in stmt for k in branches_of.get(ln, [])]
                if any(not fc.branches[k] for k in keys):
                    e.used = True
                drop.update(keys)
    drop.update(k for k in fc.branches if k[0] in skip)
    return skip, drop


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
    report, untaken_report, outcomes = [], [], []
    for spec in args.infos:
        build, info = spec.split('=', 1)
        files = parse_info(info)
        report.append(f'{build}: line and branch coverage of our files')
        report.append(f'  {"file":<26} {"lines":>15} {"branches":>15}'
                      f' {"excluded":>12}')
        never, missed = [], []
        for name in sorted(files):
            fc = files[name]
            try:
                text = open(fc.source).read().split('\n')
            except OSError:
                text = []
            skip, drop = apply_entries(unreachable, build, name, fc, text)
            lines = {ln: c for ln, c in fc.lines.items() if ln not in skip}
            brs = {k: c for k, c in fc.branches.items() if k not in drop}
            lh = sum(1 for c in lines.values() if c)
            bh = sum(1 for c in brs.values() if c)
            lp, bp = pct(lh, len(lines)), pct(bh, len(brs))
            excluded = f'{len(skip)}/{len(drop)}'
            report.append(f'  {name:<26} {lp:6.1f}% {lh:>4}/{len(lines):<4}'
                          f' {bp:6.1f}% {bh:>4}/{len(brs):<4}'
                          f' {excluded:>12}')
            if args.min_lines or args.min_branches:
                ok = lp >= args.min_lines and bp >= args.min_branches
                outcomes.append((ok, f'coverage:{build}:{name}',
                                 f'lines {lp:.1f}%, branches {bp:.1f}%'))
            for ln in sorted(lines):
                if not lines[ln]:
                    src = text[ln - 1].strip() if ln <= len(text) else ''
                    never.append(f'  {name}:{ln}: {src}')
            per_line = {}
            for key, count in brs.items():
                per_line.setdefault(key[0], []).append(count)
            for ln in sorted(per_line):
                counts = per_line[ln]
                n = sum(1 for c in counts if not c)
                if n:
                    src = text[ln - 1].strip() if ln <= len(text) else ''
                    missed.append(f'  {name}:{ln}: {n} of {len(counts)}:'
                                  f' {src}')
        report.append(f'{build}: {len(never)} lines never run'
                      + (f' (listed in {args.out})' if args.out else ''))
        report.extend(never)
        report.append('')
        untaken_report.append(f'{build}: branches never taken, by line'
                              ' (untaken of all its counted branches)')
        untaken_report.extend(missed)
        untaken_report.append('')

    stale = [e for e in unreachable if not e.used or e.errors]
    for e in stale:
        why = '; '.join(e.errors) or 'takes effect nowhere'
        report.append(f'unreachable list line {e.num} is stale ({why}): '
                      f'{e.fname} | {e.what}')
    outcomes.append((not stale, 'coverage:unreachable-list-current',
                     f'{len(stale)} stale entries'))

    text = '\n'.join(report + untaken_report) + '\n'
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
