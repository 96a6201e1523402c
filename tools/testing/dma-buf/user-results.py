#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Usage: user-results.py VARIANT LOG EXIT_STATUS

Reads the KTAP the userspace runner (userspace/runner.c) printed under one
variant and prints one line per outcome, "PASS name" or "FAIL name": a
"user:VARIANT:SUITE.CASE" for every case (a suite that reported fewer
cases than its plan fails the missing ones), and "user:VARIANT" for the
run as a whole: it passes only if the program exited with 0 and printed
no sanitizer, valgrind or BUG report.  Failing contexts go to stderr.
"""
import re
import sys

REPORTS = re.compile(
    r'ERROR: AddressSanitizer|ERROR: LeakSanitizer|WARNING: ThreadSanitizer|'
    r'runtime error:|SUMMARY: \w+Sanitizer|==\d+== (Invalid|Conditional|'
    r'Syscall param|Mismatched|Source and destination)|'
    r'==\d+== ERROR SUMMARY: [1-9]|definitely lost in|^BUG: ')
RESULT = re.compile(r'^    (not ok|ok) \d+ (\S+)(.*)$')


def main(variant, path, status):
    lines = open(path, errors='replace').read().splitlines()
    out, shown = [], []

    def outcome(ok, name, ctx):
        out.append(('PASS ' if ok else 'FAIL ') + name)
        if not ok:
            shown.append(ctx)

    suite, plan, seen, start = None, 0, 0, 0
    for i, line in enumerate(lines):
        m = re.match(r'^    # Subtest: (\S+)', line)
        if m:
            suite, plan, seen, start = m.group(1), 0, 0, i
            continue
        m = re.match(r'^    1\.\.(\d+)$', line)
        if suite and m:
            plan = int(m.group(1))
            continue
        m = RESULT.match(line)
        if suite and m:
            seen += 1
            skip = ' (skipped)' if '# SKIP' in m.group(3) else ''
            outcome(m.group(1) == 'ok',
                    f'user:{variant}:{suite}.{m.group(2)}{skip}',
                    '\n'.join(lines[start:i + 1][-40:]))
            start = i + 1
            continue
        if suite and re.match(r'^(not ok|ok) \d+ ', line):
            for k in range(seen + 1, plan + 1):
                outcome(False, f'user:{variant}:{suite}.case{k}-never-reported',
                        '\n'.join(lines[start:i + 1][-40:]))
            suite = None
    if suite:
        for k in range(seen + 1, max(plan, seen + 1) + 1):
            outcome(False, f'user:{variant}:{suite}.case{k}-never-reported',
                    '\n'.join(lines[-40:]))
    reports = [i for i, l in enumerate(lines) if REPORTS.search(l)]
    ctx = '\n\n'.join('\n'.join(lines[max(0, i - 3):i + 30])
                      for i in reports[:3]) or '\n'.join(lines[-30:])
    outcome(status == 0 and not reports and bool(out), f'user:{variant}',
            f'exit status {status}\n{ctx}')
    for r in out:
        print(r)
    for c in shown:
        print('----\n' + c, file=sys.stderr)
    return 0


if __name__ == '__main__':
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
