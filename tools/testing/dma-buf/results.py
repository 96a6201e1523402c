#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Usage: results.py BOOT_LOG

Reads a test boot's console log and prints one line per counted outcome,
"PASS name" or "FAIL name": every KUnit case (a suite that planned more
cases than it reported counts the missing ones as failed), every TAP
result printed by /init and the kselftests (a program that reports fewer
results than its plan line announced, or no plan, fails the missing ones),
whether the boot reached the
init's final marker, and whether the kernel printed any splat.

A test that checks a documented WARN brackets it with the lines
"dmabuf-test: expect WARNING begin NAME" and "... end NAME" (see
tests/expect-warn.h).  Splats inside such a region do not count against
the boot; instead the region is an outcome "warn:NAME" that passes only if
exactly the expected kind, a WARNING, was printed inside it.  Failing
cases and splats are shown with their context on stderr.
"""
import re
import sys

STAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')
SPLATS = re.compile(
    r'BUG:|Oops|WARNING:|Kernel panic|KASAN|UBSAN|general protection fault|'
    r'possible recursive locking|circular locking|inconsistent lock state|'
    r'suspicious RCU usage|lock held when returning|bad unlock balance|'
    r'possible irq lock inversion|held lock freed|'
    r'unreferenced object|suspected memory leaks|ODEBUG:|list_add corruption|'
    r'list_del corruption|detected stalls|self-detected stall|'
    r'blocked for more than|soft lockup|hard LOCKUP|'
    r'Kernel BUG|kernel BUG|Unable to handle')
INIT_START = 'dmabuf-harness: init started'
INIT_DONE = 'dmabuf-harness: done'
RESULT = re.compile(r'^(not ok|ok) (\d+) (\S+)(.*)$')
EXPECT = re.compile(r'dmabuf-test: expect WARNING (begin|end) (\S+)')
PLAN = re.compile(r'^1\.\.(\d+)$')
RUNNING = re.compile(r'^dmabuf-harness: running /tests/(\S+)')
EXITED = re.compile(r'^dmabuf-harness: /tests/\S+ exited')


class TapBlock:
    """The TAP output of /init or of one program in /tests.

    A program that crashes or hangs reports fewer results than its plan
    line announced (or prints no plan at all): each missing result counts
    as a failure, "tap:PROGRAM.resultN-never-reported".
    """

    def __init__(self, lines, outcome):
        self.lines, self.outcome = lines, outcome
        self.program, self.plan, self.seen, self.start = 'init', None, 0, 0
        self.ran = False  # a /tests program started and owes a plan

    def finish(self, i):
        ctx = '\n'.join(self.lines[self.start:i][-30:])
        if self.plan is None and self.ran:
            self.outcome(False, f'tap:{self.program}.no-plan', ctx)
        for k in range(self.seen + 1, (self.plan or 0) + 1):
            self.outcome(False, f'tap:{self.program}.result{k}-never-reported',
                         ctx)
        self.plan, self.seen, self.start, self.ran = None, 0, i, False


def main(path):
    raw = open(path, errors='replace').read().splitlines()
    lines = [STAMP.sub('', l.rstrip('\r')) for l in raw]
    out, shown = [], []

    def outcome(ok, name, ctx=None):
        out.append(('PASS' if ok else 'FAIL') + ' ' + name)
        if not ok and ctx:
            shown.append(ctx)

    userspace = False
    tap = TapBlock(lines, outcome)
    suite, plan, seen, start = None, 0, 0, 0
    for i, line in enumerate(lines):
        if line.startswith(INIT_START):
            userspace = True
            continue
        if not userspace:
            m = re.match(r'^    # Subtest: (\S+)', line)
            if m:
                suite, plan, seen, start = m.group(1), 0, 0, i
                continue
            if suite and re.match(r'^    1\.\.(\d+)', line):
                plan = int(line.split('..')[1])
                continue
            m = RESULT.match(line[4:]) if line.startswith('    ') else None
            if suite and m and not line.startswith('     '):
                seen += 1
                skip = '# SKIP' in m.group(4)
                ok = m.group(1) == 'ok'
                outcome(ok, f'kunit:{suite}.{m.group(3)}' + (' (skipped)' if skip else ''),
                        '\n'.join(lines[start:i + 1][-30:]))
                start = i + 1
                continue
            m = RESULT.match(line)
            if suite and m and m.group(3) == suite:
                for k in range(seen + 1, plan + 1):
                    outcome(False, f'kunit:{suite}.case{k}-never-reported')
                suite = None
            continue
        m = RUNNING.match(line)
        if m:
            tap.finish(i)
            tap.program, tap.ran = m.group(1), True
            continue
        if EXITED.match(line):
            tap.finish(i)
            continue
        m = PLAN.match(line)
        if m:
            if tap.plan is not None:  # a second TAP stream
                tap.finish(i)
            tap.plan, tap.seen = int(m.group(1)), 0
            continue
        m = RESULT.match(line)
        if m:
            tap.seen += 1
            outcome(m.group(1) == 'ok', 'tap:' + m.group(3),
                    '\n'.join(lines[max(0, i - 20):i + 1]))
    tap.finish(len(lines))
    if suite:
        for k in range(seen + 1, max(plan, seen + 1) + 1):
            outcome(False, f'kunit:{suite}.case{k}-never-reported',
                    '\n'.join(lines[-30:]))

    done = any(l.startswith(INIT_DONE) for l in lines)
    outcome(done, 'boot:reached-the-end', '\n'.join(lines[-30:]))
    splats, region = [], None
    for i, line in enumerate(lines):
        m = EXPECT.search(line)
        if m and m.group(1) == 'begin':
            region = (m.group(2), i, [])
        elif m and region and m.group(2) == region[0]:
            name, start, hits = region
            ctx = '\n'.join(lines[start:i + 1][-40:])
            warned = any(lines[k].startswith('WARNING:') for k in hits)
            other = [k for k in hits if not re.search(
                r'WARNING:|end trace', lines[k])]
            outcome(warned and not other, 'warn:' + name, ctx)
            region = None
        elif SPLATS.search(line):
            (region[2] if region else splats).append(i)
    if region:
        outcome(False, 'warn:' + region[0] + '-never-ended',
                '\n'.join(lines[region[1]:][-30:]))
    outcome(not splats, 'boot:no-kernel-splat',
            '\n\n'.join('\n'.join(lines[max(0, i - 5):i + 40]) for i in splats[:3]))
    for r in out:
        print(r)
    for ctx in shown:
        print('----\n' + ctx, file=sys.stderr)
    return 0


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
