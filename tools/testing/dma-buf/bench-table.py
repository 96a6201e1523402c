#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Usage: bench-table.py [--rounds R] [--boots B] [--clock icount|host]
                      [--about FILE] OURS_LOG... -- UPSTREAM_LOG...
                      [-- DEBUG_LOG...]

Reads the benchmark boots' console logs (lines "bench: ROW n=N
ns_per_op=NS iters=K calib_ns=C" and "bench: mem_WHAT n=N bytes=B") and
prints a markdown table: for each row and N, the median over every run of
ours and of upstream, the ratio upstream/ours (above 1: ours is faster, or
smaller), the spread of that ratio over the runs (run k of ours against
run k of upstream, min..max), a verdict (ours "faster" or "slower" when
the whole spread is on one side of 1, by more than 2% with the icount
clock, else "same"), and on the largest N
of a row that has several, the growth of each side (cost at the largest
N over cost at the smallest).  A row missing on one side shows a dash.
FILE (markdown: when, from what and on what the figures were made) goes
under the title.

DEBUG_LOG: the boots of ours with CONFIG_DMA_FENCE_DEBUG on, which run
only some rows.  Given, the table has a column "debug", the cost view:
the median of that kernel over upstream run by run (the other way round
from ratio: above 1, the debug kernel is slower), a dash for the rows
it did not run.

Load: C is the time of a fixed piece of work run next to the row, the
same code in both kernels.  Under TCG the guest runs as fast as the host
lets it, so C moves with whatever else loads the host.  The ratio and
its spread compare NS / C (the row in units of the fixed work), which
takes the load out; "raw" is the plain ratio of the medians.

Clock: with icount (QEMU -icount shift=0) a guest nanosecond is one
instruction the guest executed (on one vCPU), so NS counts instructions
and the load on the host does not enter at all; with host it is host
time (two vCPUs).
"""
import re
import statistics
import sys

LINE = re.compile(r'bench: (\S+) n=(\d+) (ns_per_op|bytes)=([\d.]+)'
                  r'(?: iters=\d+)?(?: calib_ns=(\d+))?')


def parse(paths):
    """{(row, n): [(value, calibration or None) per run]}, in order."""
    runs = {}
    for path in paths:
        for line in open(path, errors='replace'):
            m = LINE.search(line)
            if m:
                key = (m.group(1), int(m.group(2)))
                calib = float(m.group(5)) if m.group(5) else None
                runs.setdefault(key, []).append((float(m.group(4)), calib))
    return runs


def ratios(a, b, calibrate=True):
    """Run k of upstream over run k of ours, load taken out if asked."""
    out = []
    for (x, cx), (y, cy) in zip(a, b):
        if not x:
            continue
        if calibrate and cx and cy:
            out.append((y / cy) / (x / cx))
        else:
            out.append(y / x)
    return out


def fmt(v):
    if v is None:
        return '-'
    if v >= 100:
        return f'{v:,.0f}'
    return f'{v:.3g}'


def main(argv):
    rounds = boots = about = None
    clock = 'host'
    while argv and argv[0].startswith('--') and argv[0] != '--':
        opt, val = argv[0], argv[1]
        argv = argv[2:]
        if opt == '--rounds':
            rounds = val
        elif opt == '--boots':
            boots = val
        elif opt == '--clock':
            clock = val
        elif opt == '--about':
            about = val
    if '--' not in argv:
        sys.exit(__doc__)
    cut = argv.index('--')
    ours, rest = parse(argv[:cut]), argv[cut + 1:]
    debug = None
    if '--' in rest:
        cut = rest.index('--')
        debug = parse(rest[cut + 1:])
        rest = rest[:cut]
    up = parse(rest)
    keys = list(ours) + [k for k in up if k not in ours]

    by_row = {}
    for row, n in keys:
        by_row.setdefault(row, []).append(n)

    print('# make bench: ours against upstream 6.1')
    print()
    if about:
        with open(about) as f:
            text = f.read().strip()
        if text:
            print(text)
            print()
    runs = f'{boots} boots of each kernel, one after the other' if boots else ''
    if rounds:
        runs += f', {rounds} rounds per boot'
    if clock == 'icount':
        what = ('QEMU TCG with -smp 1 and -icount shift=0: a guest '
                'nanosecond is one guest instruction, so the figures are '
                'instructions per op, whatever else loads the host (they '
                'leave out what instructions cost: cache misses, atomics), '
                'and the ratios are taken as they are: the calibration '
                'loop, which only moves with the interrupts that land in '
                'it, would add noise')
    else:
        what = ('QEMU TCG with -smp 2 on the host\'s clock, so absolute '
                'times are 10-50x native and noisy: compare the ratios, and '
                'trust only what holds across the spread')
    # Instruction counts repeat to about 0.1% within a boot, but the same
    # kernel's rows moved by up to 3% from one boot to another (what the
    # interrupts and the timer land on): "same" within 2%, and several
    # boots for the spread.
    tolerance = 0.02 if clock == 'icount' else 0.0
    calib = ('' if clock == 'icount' else
             '; each run is first divided by the time of a fixed calibration '
             'loop run next to it, which takes out the load other work puts '
             'on the host (raw: the ratio of the plain medians)')
    print(f'Medians over all runs ({runs}); {what}.  ratio = upstream / '
          f'ours: above 1, ours is faster (for mem_ rows: smaller){calib}.  '
          'spread: the ratio run by run (min..max); verdict: faster or '
          'slower when the whole spread is on that side of 1'
          f'{f" by more than {tolerance:.0%}" if tolerance else ""}.  '
          'growth: cost at the largest N over cost at the smallest, '
          'ours / upstream.'
          + ('' if debug is None else
             '  debug = ours with CONFIG_DMA_FENCE_DEBUG / upstream, run '
             'by run, the median: the other way round from ratio, above 1 '
             'the debug kernel is slower (debug x ratio: the option\'s '
             'cost over ours without it); "-" for the rows that kernel '
             'does not run.'))
    print()
    cols = ['row', 'N', 'ours', 'upstream', 'ratio', 'spread', 'verdict',
            'raw'] + ([] if debug is None else ['debug']) + \
        ['growth ours', 'growth upstream']
    print('| ' + ' | '.join(cols) + ' |')
    print('| ' + ' | '.join('---' if c in ('row', 'spread', 'verdict')
                            else '---:' for c in cols) + ' |')
    losses = []
    for row, ns in by_row.items():
        ns = sorted(set(ns))
        med = {}
        for n in ns:
            a, b = ours.get((row, n)), up.get((row, n))
            ma = statistics.median(v for v, _ in a) if a else None
            mb = statistics.median(v for v, _ in b) if b else None
            med[n] = (ma, mb)
            raw = mb / ma if ma and mb else None
            ratio = None
            spread = verdict = '-'
            if a and b:
                rs = ratios(a, b, clock != 'icount')
                if rs:
                    ratio = statistics.median(rs)
                    spread = f'{min(rs):.2f}..{max(rs):.2f}'
                    verdict = 'same'
                    if min(rs) > 1.0 + tolerance:
                        verdict = 'faster'
                    elif max(rs) < 1.0 - tolerance:
                        verdict = 'slower'
                        losses.append(f'{row} n={n}')
            if verdict != '-' and row.startswith('mem_'):
                verdict = {'faster': 'smaller', 'slower': 'larger'}.get(
                    verdict, verdict)
            ga = gb = ''
            if len(ns) > 1 and n == ns[-1]:
                lo_a, lo_b = med[ns[0]]
                ga = f'{ma / lo_a:.3g}x' if ma and lo_a else '-'
                gb = f'{mb / lo_b:.3g}x' if mb and lo_b else '-'
            dcol = ''
            if debug is not None:
                d = debug.get((row, n))
                rs = ratios(b, d, clock != 'icount') if b and d else []
                dcol = f'{statistics.median(rs):.2f} | ' if rs else '- | '
            unit = ' B' if row.startswith('mem_') else ''
            print(f'| {row} | {n} | {fmt(ma)}{unit if ma is not None else ""} '
                  f'| {fmt(mb)}{unit if mb is not None else ""} | '
                  f'{"-" if ratio is None else f"{ratio:.2f}"} | {spread} | '
                  f'{verdict} | {"-" if raw is None else f"{raw:.2f}"} | '
                  f'{dcol}{ga} | {gb} |')
    print()
    print('Times in ns per op.  Where ours is slower (or larger) in every '
          f'run: {", ".join(losses) or "nowhere"}.')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
