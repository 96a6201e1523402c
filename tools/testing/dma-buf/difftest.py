#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Usage: difftest.py --seed S --intended FILE --results FILE
                   [--ours-log BOOT_LOG] OURS_OUT UPSTREAM_OUT

Compares what the differential test's programs printed on our kernel and
on the pristine 6.1 kernel (difftest.sh).  Every line but a "#" comment
reads "<suite>.<case> <observation>"; a case's lines, in order, are its
answer.  Each scripted case is one outcome, diff:<suite>.<case>, which
passes when both kernels gave the same answer.  The random sequences
(random_kapi.<i>, random_user.<i>) are one outcome per program; a
mismatch names the seed, the first sequence that differs and its steps
up to the first differing one, the shortest prefix that shows it.

FILE lists the intended differences, one per line, "#" comments:
"<case> <reason>" passes the case whether it differs or not, and prints
the reason when it does; "<case> fdinfo-adds=<key>[,<key>...] <reason>"
lets only ours add fdinfo lines with those keys, each after all the lines
6.1 prints for the same file (a file's fdinfo starts at its "pos:" line):
the case passes when ours, without them, gives 6.1's answer.  A run cut
short (no "# end" line) fails diff:run.<program>-<side>; a splat in our
boot fails diff:boot.no-kernel-splat.
"""
import argparse
import collections
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results import SPLATS  # noqa: E402  the test boot's splat patterns

RANDOM = re.compile(r'^(random_[a-z]+)\.(\d+)$')
PROGRAMS = ('user', 'kapi')


def read_output(path):
    """(cases, ends): ordered {case: [lines]} and the programs that ended."""
    cases, ends = collections.OrderedDict(), set()
    try:
        text = open(path, encoding='ascii', errors='replace').read()
    except OSError:
        return cases, ends
    for line in text.replace('\r', '').split('\n'):
        if not line:
            continue
        if line.startswith('#'):
            m = re.match(r'# end (\S+)', line)
            if m:
                ends.add(m.group(1))
            continue
        case = line.split(' ', 1)[0]
        cases.setdefault(case, []).append(line)
    return cases, ends


ADDS = re.compile(r'fdinfo-adds=([a-z_]+(?:,[a-z_]+)*)$')


def read_intended(path):
    """{case: (reason, keys)}: keys, a set, for a fdinfo-adds line; else None."""
    listed = {}
    for line in open(path, encoding='utf-8'):
        line = line.strip()
        if line and not line.startswith('#'):
            name, _, reason = line.partition(' ')
            kind, _, rest = reason.strip().partition(' ')
            m = ADDS.match(kind)
            if m:
                listed[name] = (rest.strip(), set(m.group(1).split(',')))
            else:
                listed[name] = (reason.strip(), None)
    return listed


def fdinfo_key(line):
    """The key of a "<case> fdinfo <key>:..." line, or None."""
    m = re.match(r'\S+ fdinfo ([^:\s]+):', line)
    return m.group(1) if m else None


def drop_added(lines, keys):
    """(lines without the fdinfo lines of keys, None), or (None, the first
    line 6.1 also prints that comes after an added one in the same file)."""
    kept, added = [], False
    for line in lines:
        key = fdinfo_key(line)
        if key is None or key == 'pos':
            added = False
        if key in keys:
            added = True
        elif added:
            return None, line
        else:
            kept.append(line)
    return kept, None


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b)) if len(a) != len(b) else None


def show(ours, upstream, upto):
    """The two answers' lines up to and including index upto."""
    out = []
    for label, lines in (('6.1 ', upstream), ('ours', ours)):
        part = lines[:upto + 1]
        out += [f'    {label}| {x}' for x in part] or [f'    {label}| (nothing)']
        if len(lines) <= upto:
            out.append(f'    {label}| (ends here)')
    return '\n'.join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', required=True)
    ap.add_argument('--intended', required=True)
    ap.add_argument('--results', required=True)
    ap.add_argument('--ours-log')
    ap.add_argument('ours')
    ap.add_argument('upstream')
    args = ap.parse_args()

    ours, ours_ends = read_output(args.ours)
    up, up_ends = read_output(args.upstream)
    intended = read_intended(args.intended)
    outcomes = []

    def outcome(ok, name, detail=None):
        outcomes.append(('PASS' if ok else 'FAIL', name))
        if not ok:
            print(f'FAIL: {name}')
            if detail:
                print(detail)

    for prog in PROGRAMS:
        for side, ends in (('ours', ours_ends), ('6.1', up_ends)):
            outcome(prog in ends, f'diff:run.{prog}-{side.replace(".", "_")}',
                    f'    the {prog} program did not finish on {side}')

    if args.ours_log:
        lines = open(args.ours_log, errors='replace').read().split('\n')
        hits = [i for i, x in enumerate(lines) if SPLATS.search(x)]
        outcome(not hits, 'diff:boot.no-kernel-splat',
                '\n'.join('\n'.join(lines[max(0, i - 5):i + 30]) for i in hits[:2]))

    names = list(up) + [c for c in ours if c not in up]
    scripted = [c for c in names if not RANDOM.match(c)]
    nlines = 0
    used = set()
    for case in scripted:
        a, b = ours.get(case, []), up.get(case, [])
        nlines += max(len(a), len(b))
        at = first_difference(a, b)
        if case in intended:
            used.add(case)
            reason, keys = intended[case]
            if keys is not None:
                kept, late = drop_added(a, keys)
                if late is not None:
                    outcome(False, f'diff:{case}',
                            f'    ours| {late}\n    (after a line with an '
                            f'added key of the same fdinfo: {",".join(sorted(keys))})')
                    continue
                at = first_difference(kept, b)
                if at is not None:
                    outcome(False, f'diff:{case}', show(kept, b, at))
                    continue
                at = first_difference(a, b)
            if at is not None:
                print(f'    diff:{case} differs as intended: {reason}')
            outcomes.append(('PASS', f'diff:{case}'))
            continue
        outcome(at is None, f'diff:{case}',
                None if at is None else show(a, b, at))

    seqs = collections.defaultdict(set)
    for c in names:
        m = RANDOM.match(c)
        if m:
            seqs[m.group(1)].add(int(m.group(2)))
    nseq = 0
    for prog in sorted(seqs):
        bad = []
        for i in sorted(seqs[prog]):
            case = f'{prog}.{i}'
            a, b = ours.get(case, []), up.get(case, [])
            at = first_difference(a, b)
            if at is not None:
                bad.append((i, a, b, at))
        nseq += len(seqs[prog])
        detail = None
        if bad:
            i, a, b, at = bad[0]
            detail = (f'    {len(bad)} of {len(seqs[prog])} sequences differ; '
                      f'replay with DIFF_SEED={args.seed}; the first is '
                      f'{prog}.{i}, shortest prefix (steps 0..{at}):\n'
                      + show(a, b, at))
        outcome(not bad, f'diff:{prog}.sequences', detail)

    for case in sorted(set(intended) - used):
        if case not in names:
            outcome(False, f'diff:intended.{case}',
                    f'    listed in {args.intended} but no program prints it')

    with open(args.results, 'a') as f:
        for verdict, name in outcomes:
            f.write(f'{verdict} {name}\n')
    failed = sum(v == 'FAIL' for v, _ in outcomes)
    print(f'    seed {args.seed}: {len(scripted)} scripted cases ({nlines} lines) '
          f'and {nseq} random sequences compared; {failed} outcomes failed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
