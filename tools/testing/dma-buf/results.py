#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Usage: results.py BOOT_LOG
       results.py --user VARIANT LOG EXIT_STATUS

Prints one line per counted outcome, "PASS name" or "FAIL name", of a
test log; failing outcomes are shown with their context on stderr.

BOOT_LOG, a test boot's console log: every KUnit case (a suite that
planned more cases than it reported counts the missing ones as failed),
every TAP result printed by /init and the kselftests (a program that
reports fewer results than its plan line announced, or no plan, fails the
missing ones; a kselftest case that skips fails, named by its "#  RUN"
line), whether the boot reached the init's final marker, and whether the
kernel printed any splat.

The KUnit part of the log, everything before the init starts, is parsed
by the kernel's own tool, tools/testing/kunit/kunit.py parse --json: the
one KUNIT_PY names, else the one of the tree the kernel was built from
(linux/ beside the boot log's object directory, as lib.sh lays it out).

A test that checks a documented WARN brackets it with the lines
"dmabuf-test: expect WARNING begin NAME" and "... end NAME" (see
tests/expect-warn.h).  Splats inside such a region do not count against
the boot; instead the region is an outcome "warn:NAME" that passes only if
exactly the expected kind, a WARNING, was printed inside it.

--user: the KTAP the userspace runner (userspace/runner.c) printed under
VARIANT, in LOG: a "user:VARIANT:SUITE.CASE" for every case (a suite that
reported fewer cases than its plan fails the missing ones), and
"user:VARIANT" for the run as a whole: it passes only if the program
exited with EXIT_STATUS 0 and printed no sanitizer, valgrind or BUG
report.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

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
# EXPECT_WARN_MARK of tests/expect-warn.h, then the edge and the name.
EXPECT = re.compile(r'dmabuf-test: expect WARNING (begin|end) (\S+)')
PLAN = re.compile(r'^1\.\.(\d+)$')
RUNNING = re.compile(r'^dmabuf-harness: running /tests/(\S+)')
EXITED = re.compile(r'^dmabuf-harness: /tests/\S+ exited')
# kselftest_harness.h names a case on its "#  RUN" line; its result line
# for a skipped case carries only the reason: "ok N # SKIP reason".
HARNESS_RUN = re.compile(r'^#\s+RUN\s+(\S+) \.\.\.')
SKIPPED = re.compile(r'^# SKIP\b(.*)$')

# The userspace runner's KTAP: its suites are subtests of one stream.
USER_SUITE = re.compile(r'^    # Subtest: (\S+)')
USER_PLAN = re.compile(r'^    1\.\.(\d+)$')
USER_RESULT = re.compile(r'^    (not ok|ok) \d+ (\S+)(.*)$')
USER_SUITE_END = re.compile(r'^(not ok|ok) \d+ ')
USER_REPORTS = re.compile(
    r'ERROR: AddressSanitizer|ERROR: LeakSanitizer|WARNING: ThreadSanitizer|'
    r'runtime error:|SUMMARY: \w+Sanitizer|==\d+== (Invalid|Conditional|'
    r'Syscall param|Mismatched|Source and destination)|'
    r'==\d+== ERROR SUMMARY: [1-9]|definitely lost in|^BUG: ')


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


def kunit_tool(log):
    """kunit.py of the kernel tree that the boot log's kernel was built from."""
    if os.environ.get('KUNIT_PY'):
        return os.environ['KUNIT_PY']
    here = os.path.dirname(os.path.abspath(__file__))
    build_dirs = [os.path.dirname(os.path.dirname(os.path.abspath(log))),
                  os.environ.get('BUILD_DIR', ''),
                  os.path.join(here, '..', '..', '..', '.build')]
    for d in build_dirs:
        tool = os.path.join(d, 'linux', 'tools', 'testing', 'kunit', 'kunit.py')
        if d and os.path.isfile(tool):
            return tool
    return None


def kunit_json(log, kernel_lines):
    """kunit.py parse --json of the kernel's part of the log, or None."""
    tool = kunit_tool(log)
    if not tool:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, 'kernel.log'), os.path.join(tmp, 'kunit.json')
        with open(src, 'w') as f:
            f.write('\n'.join(kernel_lines) + '\n')
        # Exits non-zero when a case failed; the JSON says which.
        subprocess.run([sys.executable, tool, 'parse', '--json=' + dst, src],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            with open(dst) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None


def kunit_status(group):
    """PASS, SKIP or FAIL of a case that ran as parameters (a subgroup)."""
    cases = [c['status'] for c in group['test_cases']] + \
        [kunit_status(g) for g in group['sub_groups']]
    if any(c not in ('PASS', 'SKIP') for c in cases) or not cases:
        return 'FAIL'
    return 'PASS' if 'PASS' in cases else 'SKIP'


def kunit_outcomes(log, lines, outcome):
    """One outcome per KUnit case in @lines (the log before the init).

    A suite (or the whole run) cut short counts each case it planned but
    never reported as failed, "kunit:SUITE.caseN-never-reported".
    """
    if not any(re.match(r'^\s*(K?TAP version|# Subtest:)', l) for l in lines):
        return
    result = kunit_json(log, lines)
    if result is None:
        outcome(False, 'kunit:parse', 'kunit.py parse gave no JSON')
        return

    def context(suite, case=None):
        """The suite's log up to the case's result line (or to the end)."""
        header = f'# Subtest: {suite}'
        start = next((i for i, l in enumerate(lines) if l.strip() == header), 0)
        end = len(lines) - 1
        if case:
            want = re.compile(r'^\s*(not )?ok \d+ (- )?' + re.escape(case) +
                              r'(\s|$)')
            end = next((i for i in range(start, len(lines))
                        if want.match(lines[i])), end)
        return '\n'.join(lines[start:end + 1][-30:])

    # Suites that reported no case at all come as cases of the top group.
    for k, s in enumerate(result['test_cases'], 1):
        name = s['name'] or f'suite{k}'
        outcome(False, f'kunit:{name}.case1-never-reported', context(name))
    for suite in result['sub_groups']:
        name = suite['name']
        cases = [(c['name'], c['status']) for c in suite['test_cases'] if c['name']] + \
            [(g['name'], kunit_status(g)) for g in suite['sub_groups']]
        for case, status in cases:
            ok = status in ('PASS', 'SKIP')
            outcome(ok, f'kunit:{name}.{case}' + (' (skipped)' if status == 'SKIP' else ''),
                    None if ok else context(name, case))
        missing = [c for c in suite['test_cases'] if not c['name']]
        for k in range(len(cases) + 1, len(cases) + len(missing) + 1):
            outcome(False, f'kunit:{name}.case{k}-never-reported',
                    context(name))


def boot_outcomes(path, outcome):
    """The outcomes of the test boot whose console log is @path."""
    raw = open(path, errors='replace').read().splitlines()
    lines = [STAMP.sub('', l.rstrip('\r')) for l in raw]
    init = next((i for i, l in enumerate(lines) if l.startswith(INIT_START)),
                len(lines))
    kunit_outcomes(path, lines[:init], outcome)
    tap = TapBlock(lines, outcome)
    last_run = None
    for i, line in enumerate(lines):
        if i <= init:
            continue
        m = RUNNING.match(line)
        if m:
            tap.finish(i)
            tap.program, tap.ran, last_run = m.group(1), True, None
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
        m = HARNESS_RUN.match(line)
        if m:
            last_run = m.group(1)
            continue
        m = RESULT.match(line)
        if m:
            tap.seen += 1
            ctx = '\n'.join(lines[max(0, i - 20):i + 1])
            skip = SKIPPED.match(m.group(3) + m.group(4))
            if skip:
                # Every device and driver is in the test boot: a skip
                # there means something the test needs went missing.
                outcome(False, f'tap:{last_run or tap.program} (skipped: '
                        f'{skip.group(1).strip() or "no reason"})', ctx)
            else:
                outcome(m.group(1) == 'ok', 'tap:' + m.group(3), ctx)
    tap.finish(len(lines))

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


def user_outcomes(variant, path, status, outcome):
    """The outcomes of the userspace runner's run under @variant."""
    lines = open(path, errors='replace').read().splitlines()
    suite, plan, seen, start, cases = None, 0, 0, 0, 0
    for i, line in enumerate(lines):
        m = USER_SUITE.match(line)
        if m:
            suite, plan, seen, start = m.group(1), 0, 0, i
            continue
        m = USER_PLAN.match(line)
        if suite and m:
            plan = int(m.group(1))
            continue
        m = USER_RESULT.match(line)
        if suite and m:
            seen += 1
            cases += 1
            skip = ' (skipped)' if '# SKIP' in m.group(3) else ''
            outcome(m.group(1) == 'ok',
                    f'user:{variant}:{suite}.{m.group(2)}{skip}',
                    '\n'.join(lines[start:i + 1][-40:]))
            start = i + 1
            continue
        if suite and USER_SUITE_END.match(line):
            for k in range(seen + 1, plan + 1):
                cases += 1
                outcome(False, f'user:{variant}:{suite}.case{k}-never-reported',
                        '\n'.join(lines[start:i + 1][-40:]))
            suite = None
    if suite:
        for k in range(seen + 1, max(plan, seen + 1) + 1):
            cases += 1
            outcome(False, f'user:{variant}:{suite}.case{k}-never-reported',
                    '\n'.join(lines[-40:]))
    reports = [i for i, l in enumerate(lines) if USER_REPORTS.search(l)]
    ctx = '\n\n'.join('\n'.join(lines[max(0, i - 3):i + 30])
                      for i in reports[:3]) or '\n'.join(lines[-30:])
    outcome(status == 0 and not reports and cases > 0, f'user:{variant}',
            f'exit status {status}\n{ctx}')


def main(argv):
    """Run the parser @argv asks for; print its outcomes, then the contexts."""
    out, shown = [], []

    def outcome(ok, name, ctx=None):
        out.append(('PASS' if ok else 'FAIL') + ' ' + name)
        if not ok and ctx:
            shown.append(ctx)

    if len(argv) == 2:
        boot_outcomes(argv[1], outcome)
    elif len(argv) == 5 and argv[1] == '--user':
        user_outcomes(argv[2], argv[3], int(argv[4]), outcome)
    else:
        sys.exit(__doc__)
    for r in out:
        print(r)
    for ctx in shown:
        print('----\n' + ctx, file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
