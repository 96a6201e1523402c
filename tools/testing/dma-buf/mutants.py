#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Usage: mutants.py --repo DIR --out DIR [--seed N] [--count N|all]
                  [--jobs N] [--timeout S] [--min-score PERCENT]

Mutation testing of the userspace build (userspace/Makefile): how many
small, deliberate bugs in the fence, container and reservation code do
the KUnit cases notice?  Every mutation site of the five shared files is
enumerated, the same way on every run; --seed picks a sample of --count
of them (spread over the files in proportion to their sites), and each
sampled mutant is built with AddressSanitizer and run by the runner:

  killed      a case failed, the runner crashed or a sanitizer reported
  timed out   the runner overran its limit (counts as killed)
  survived    every case passed: the tests cannot tell the bug apart
  stillborn   the mutant does not compile (left out of the score)
  equivalent  its object code is the original's, e.g. code the shim
              compiles out (left out of the score, never run)

Score = (killed + timed out) / (killed + timed out + survived).  The
report goes to stdout and OUT/report.txt, one line per mutant to
OUT/results.tsv.  The exit status is 0 unless --min-score is not met, or
the unmutated baseline fails.  Only copies under OUT are ever mutated.

The runner stops at a mutant's first failed case, and runs the cases in
two phases: the quick ones, then, for a mutant they did not kill, the few
time-bounded races (cases of 250 ms or more in the baseline).  --timeout
(default 5 times the baseline, at least 30 s) is shared by the two phases
in proportion to their baseline times, with at least 10 s for each.
"""
import argparse
import os
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import threading
import time

FILES = ('dma-fence.c', 'dma-fence-array.c', 'dma-fence-chain.c',
         'dma-fence-unwrap.c', 'reservation.c')
USERSPACE = 'tools/testing/dma-buf/userspace'
# As userspace.sh runs the asan variant.
RUNNER_ENV = {'ASAN_OPTIONS': 'allocator_may_return_null=1:detect_leaks=1'}
RUNNER_ARGS = ['long_chain_links=50000']
# Cases at least this slow in the baseline (the time-bounded races) run in
# a second phase, only for mutants the quick cases did not kill: most
# mutants die in the first second.
SLOW_CASE_MS = 250
# A phase's limit is never below this, whatever its share of the budget.
MIN_PHASE_LIMIT = 10.0


# --------------------------------------------------------------------------
# Finding the mutation sites

def blank_non_code(text):
    """The text with comments (kernel-doc included), string and character
    literals and preprocessor lines turned into spaces.  Newlines stay, so
    offsets, lines and columns still match the original."""
    out = []
    i, n = 0, len(text)
    directive = False       # inside a preprocessor line
    line_start = True       # nothing but blanks since the line began
    while i < n:
        c = text[i]
        if text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
        elif text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            j = min(j + 1, n)
        else:
            if c == '\n':
                # A backslash continues a directive onto the next line.
                if not (directive and i > 0 and text[i - 1] == '\\'):
                    directive = False
                line_start = True
                out.append(c)
            else:
                if c == '#' and line_start:
                    directive = True
                if not c.isspace():
                    line_start = False
                out.append(' ' if directive else c)
            i += 1
            continue
        out.append(re.sub(r'[^\n]', ' ', text[i:j]))
        i = j
    return ''.join(out)


TOKEN = re.compile(r'''
    (?P<ident>[A-Za-z_]\w*)
  | (?P<number>\.?\d[\w.]*)
  | (?P<punct><<=|>>=|\.\.\.|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=
              |[-+*/%&|^!~<>=?:;,.(){}\[\]])
''', re.X)
INTEGER = re.compile(r'(0[xX][0-9a-fA-F]+|0|[1-9]\d*)([uUlL]*)$')
KEYWORDS = {'if', 'else', 'for', 'while', 'do', 'switch', 'case', 'default',
            'return', 'sizeof', 'goto', 'break', 'continue', 'typeof',
            '__typeof__', 'asm', '__asm__', 'alignof', '_Alignof'}
# Words in front of a function's name that say nothing about its type.
SPECIFIERS = {'static', 'inline', '__always_inline', 'noinline', 'extern',
              '__init', '__exit', '__must_check', 'notrace', '__maybe_unused',
              '__cold', '__pure'}
INTEGER_TYPES = {'int', 'long', 'short', 'unsigned', 'signed', 'char',
                 'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64',
                 'size_t', 'ssize_t', 'ktime_t', 'loff_t'}


class Token:
    __slots__ = ('kind', 'text', 'start')

    def __init__(self, kind, text, start):
        self.kind, self.text, self.start = kind, text, start

    @property
    def end(self):
        return self.start + len(self.text)


def tokenize(code):
    return [Token(m.lastgroup, m.group(), m.start())
            for m in TOKEN.finditer(code)]


def matching(tokens, k):
    """Index of the bracket that closes tokens[k], or None."""
    pairs = {'(': ')', '[': ']', '{': '}'}
    opening, closing = tokens[k].text, pairs[tokens[k].text]
    depth = 0
    for j in range(k, len(tokens)):
        if tokens[j].text == opening:
            depth += 1
        elif tokens[j].text == closing:
            depth -= 1
            if depth == 0:
                return j
    return None


def opener(tokens, k):
    """Index of the bracket that opens the ')' at tokens[k], or None."""
    depth = 0
    for j in range(k, -1, -1):
        if tokens[j].text == ')':
            depth += 1
        elif tokens[j].text == '(':
            depth -= 1
            if depth == 0:
                return j
    return None


def function_bodies(tokens):
    """(header, open, close) token indices of each function definition: a
    top-level '{' right after a ')' opens one; the header is everything
    since the previous top-level ';' or '}'."""
    bodies = []
    depth, item, body = 0, 0, None
    for k, t in enumerate(tokens):
        if t.text == '{':
            if depth == 0 and k > 0 and tokens[k - 1].text == ')':
                body = k
            depth += 1
        elif t.text == '}':
            depth -= 1
            if depth == 0:
                if body is not None:
                    bodies.append((item, body, k))
                    body = None
                item = k + 1
        elif t.text == ';' and depth == 0:
            item = k + 1
    return bodies


def name_position(header):
    """Index of the function's name among its header tokens, or None."""
    paren = next((k for k, t in enumerate(header) if t.text == '('), None)
    if paren is None or paren == 0 or header[paren - 1].kind != 'ident':
        return None
    return paren - 1


def default_return(header):
    """What an early return of the function with these header tokens
    returns: '' for void, 'NULL', 'false' or '0'; None when unclear."""
    name = name_position(header)
    if name is None:
        return None
    words = [t.text for t in header[:name] if t.text not in SPECIFIERS]
    if not words or '(' in words:
        return None
    if words[-1] == '*':
        return 'NULL'
    if words == ['void']:
        return ''
    if words == ['bool']:
        return 'false'
    if all(w in INTEGER_TYPES for w in words):
        return '0'
    return None


def statement_starts(tokens, k):
    """Does a statement begin at tokens[k]?"""
    if k == 0:
        return False
    prev = tokens[k - 1].text
    if prev in (';', '{', '}', 'else'):
        return True
    if prev == ':':
        # After a label or a case, not inside "a ? b : c".
        j = k - 2
        while j >= 0 and tokens[j].text not in (';', '{', '}'):
            j -= 1
        return j == k - 3 or tokens[j + 1].text in ('case', 'default')
    if prev == ')':
        # The condition of an if, for or while: a call may be its body.
        o = opener(tokens, k - 1)
        return o is not None and o > 0 and tokens[o - 1].text in ('if', 'for', 'while')
    return False


def call_statement(tokens, k, limit):
    """Index of the ';' ending the call statement "f(...);" (f possibly
    "a->b.f") that begins at tokens[k], or None."""
    j = k
    while (j + 2 < limit and tokens[j + 1].text in ('->', '.')
           and tokens[j + 2].kind == 'ident'):
        j += 2
    if j + 1 >= limit or tokens[j + 1].text != '(':
        return None
    close = matching(tokens, j + 1)
    if close is None or close + 1 >= limit or tokens[close + 1].text != ';':
        return None
    return close + 1


def integer_replacements(text):
    m = INTEGER.match(text)
    if not m:
        return []
    digits, suffix = m.groups()
    value = int(digits, 0)
    new = [1] if value == 0 else [0, 2] if value == 1 else [value + 1]
    if digits[:2].lower() == '0x':
        return ['0x%x%s' % (v, suffix) for v in new]
    return ['%d%s' % (v, suffix) for v in new]


COMPARISON_FLIP = {'==': '!=', '!=': '==', '<': '>=', '>=': '<',
                   '>': '<=', '<=': '>'}
COMPARISON_BOUNDARY = {'<': '<=', '<=': '<', '>': '>=', '>=': '>'}
LOGICAL = {'&&': '||', '||': '&&'}
INCREMENT = {'++': '--', '--': '++', '+=': '-=', '-=': '+='}


def find_sites(name, text):
    """Every mutation site of one file, in order: dicts of file, function,
    offset, length, operator, original, replacement (a replacement keeps
    the original's newlines, so that lines do not move), line, column."""
    tokens = tokenize(blank_non_code(text))
    sites = []
    function = None

    def add(op, start, end, replacement):
        original = text[start:end]
        replacement += '\n' * original.count('\n')
        sites.append(dict(file=name, function=function, offset=start,
                          length=end - start, operator=op, original=original,
                          replacement=replacement))

    for header, first, last in function_bodies(tokens):
        at = name_position(tokens[header:first])
        function = '?' if at is None else tokens[header + at].text
        value = default_return(tokens[header:first])
        if value is not None:
            brace = tokens[first]
            add('return-early', brace.start, brace.end,
                '{ return%s;' % (' ' + value if value else ''))
        for k in range(first + 1, last):
            t = tokens[k]
            if t.text in COMPARISON_FLIP:
                add('negate-comparison', t.start, t.end, COMPARISON_FLIP[t.text])
            if t.text in COMPARISON_BOUNDARY:
                add('comparison-boundary', t.start, t.end,
                    COMPARISON_BOUNDARY[t.text])
            if t.text == '!':
                add('drop-not', t.start, t.end, '')
            if t.text in LOGICAL:
                add('and-or', t.start, t.end, LOGICAL[t.text])
            if t.text in INCREMENT:
                add('plus-minus', t.start, t.end, INCREMENT[t.text])
            if t.kind == 'number':
                for r in integer_replacements(t.text):
                    add('constant', t.start, t.end, r)
            if (t.kind == 'ident' and t.text not in KEYWORDS
                    and statement_starts(tokens, k)):
                end = call_statement(tokens, k, last)
                if end is not None:
                    add('drop-call', t.start, tokens[end].end, ';')
    for s in sites:
        s['line'] = text.count('\n', 0, s['offset']) + 1
        s['column'] = s['offset'] - (text.rfind('\n', 0, s['offset']) + 1) + 1
    sites.sort(key=lambda s: (s['offset'], s['operator'], s['replacement']))
    return sites


def apply(text, site):
    return (text[:site['offset']] + site['replacement'] +
            text[site['offset'] + site['length']:])


# --------------------------------------------------------------------------
# Choosing the sample

def allocate(counts, wanted):
    """How many mutants of each file: in proportion to its sites, each file
    with at least a fifth of an even share (so a small file is not left
    out), never more than it has."""
    total = sum(counts.values())
    if wanted >= total:
        return dict(counts)
    floor = max(1, wanted // (5 * len(counts)))
    ideal = {f: wanted * c / total for f, c in counts.items()}
    quota = {f: min(c, max(floor, int(ideal[f]))) for f, c in counts.items()}
    # Settle the rounding on the files furthest from their ideal share.
    while sum(quota.values()) < wanted:
        f = max((f for f in counts if quota[f] < counts[f]),
                key=lambda f: (ideal[f] - quota[f], f))
        quota[f] += 1
    while sum(quota.values()) > wanted:
        f = max((f for f in counts if quota[f] > min(floor, counts[f])),
                key=lambda f: (quota[f] - ideal[f], f))
        quota[f] -= 1
    return quota


def choose(sites_by_file, seed, count):
    """The sample, the same for the same seed, count and sources."""
    counts = {f: len(s) for f, s in sites_by_file.items()}
    quota = allocate(counts, count)
    chosen = []
    for f, sites in sites_by_file.items():
        # One generator per file: a file's sample does not depend on the
        # others' sites.
        rng = random.Random('%s:%s' % (seed, f))
        picked = sorted(rng.sample(range(len(sites)), quota[f]))
        chosen += [sites[i] for i in picked]
    return chosen


# --------------------------------------------------------------------------
# Building and running

class Interrupted(Exception):
    pass


stopping = threading.Event()
live = set()                    # the process groups running now
live_lock = threading.Lock()


def start(cmd, **kw):
    """Popen in a process group of its own, so that a timeout or Ctrl-C
    ends all of it (make's compilers, the runner's threads)."""
    with live_lock:
        if stopping.is_set():
            raise Interrupted()
        p = subprocess.Popen(cmd, start_new_session=True, **kw)
        live.add(p)
    return p


def finish(p):
    with live_lock:
        live.discard(p)


def kill(p):
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def kill_all():
    with live_lock:
        stopping.set()
        for p in live:
            kill(p)


def run_runner(runner, cases, limit):
    """Runs the runner on CASES (all when empty) for at most LIMIT seconds;
    stops at the first failed case.  Returns (outcome, detail, output) with
    outcome 'pass', 'fail' or 'timeout'."""
    env = dict(os.environ, **RUNNER_ENV)
    # timeout(1) ends the runner even if this script is killed outright.
    cmd = ['timeout', '-s', 'KILL', str(int(limit) + 30), runner] + RUNNER_ARGS + cases
    p = start(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    out, failed = b'', None
    deadline = time.monotonic() + limit
    try:
        fd = p.stdout.fileno()
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                kill(p)
                p.wait()
                return 'timeout', 'after %.0f s' % limit, out.decode(errors='replace')
            if select.select([fd], [], [], left)[0]:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                out += chunk
                m = re.search(rb'^\s*not ok \d+ (\S+)', out, re.M)
                if m:
                    failed = m.group(1).decode(errors='replace')
                    kill(p)
                    break
        rc = p.wait()
    finally:
        # Also on Ctrl-C, which may come before kill_all() can see it.
        if p.poll() is None:
            kill(p)
            p.wait()
        p.stdout.close()
        finish(p)
    text = out.decode(errors='replace')
    if stopping.is_set():
        raise Interrupted()
    if failed:
        return 'fail', failed, text
    if 'Sanitizer' in text and 'ERROR:' in text:
        return 'fail', 'sanitizer report', text
    if rc != 0:
        return 'fail', 'exit status %d' % rc if rc > 0 else 'signal %d' % -rc, text
    if not re.search(r'^# userspace: \d+ passed, 0 failed', text, re.M):
        return 'fail', 'no summary line', text
    return 'pass', '', text


class Worker:
    """A copy of the five files, its objects and its runner, under DIR."""

    def __init__(self, repo, snapshot, top, index):
        self.repo, self.snapshot = repo, snapshot
        self.dir = os.path.join(top, 'worker%d' % index)
        self.code = os.path.join(self.dir, 'code')
        self.obj = os.path.join(self.dir, 'obj')
        self.pristine = os.path.join(self.dir, 'pristine')
        self.runner = os.path.join(self.obj, 'runner')
        self.stripped = {}      # file -> its original object, debug info off
        self.error = None

    def make(self, log):
        # Plain gcc, not ccache: ccache rewrites the source paths the
        # objects record, and the pristine objects must differ from an
        # equivalent mutant's in nothing.
        with open(log, 'w') as f:
            p = start(['make', '-s', '-C', os.path.join(self.repo, USERSPACE),
                       'VARIANT=asan', 'OUT=' + self.obj,
                       'CODE_DIR=' + self.code, 'CC=gcc', 'runner'],
                      stdout=f, stderr=subprocess.STDOUT)
            try:
                rc = p.wait()
            finally:
                finish(p)
        if stopping.is_set():
            raise Interrupted()
        return rc == 0

    def objfile(self, name):
        return os.path.join(self.obj, 'code', name[:-2] + '.o')

    def strip(self, path):
        """The object's bytes without debug information, which records
        columns that a mutation may shift."""
        out = path + '.stripped'
        subprocess.run(['objcopy', '--strip-debug', path, out], check=True)
        with open(out, 'rb') as f:
            data = f.read()
        os.unlink(out)
        return data

    def setup(self):
        """Builds the unmutated runner; keeps its code objects, so that a
        mutant only recompiles its own file."""
        try:
            shutil.rmtree(self.dir, ignore_errors=True)
            os.makedirs(self.code)
            os.makedirs(self.pristine)
            # The sources are older than anything built from them, so make
            # only rebuilds the one a mutant touches.
            self.old = time.time() - 3600
            for name in FILES:
                dest = os.path.join(self.code, name)
                shutil.copyfile(os.path.join(self.snapshot, name), dest)
                os.utime(dest, (self.old, self.old))
            log = os.path.join(self.dir, 'build.log')
            if not self.make(log):
                self.error = 'the unmutated build failed (log: %s)' % log
                return
            for name in FILES:
                shutil.copyfile(self.objfile(name),
                                os.path.join(self.pristine, name[:-2] + '.o'))
                self.stripped[name] = self.strip(self.objfile(name))
        except Interrupted:
            self.error = 'interrupted'
        except Exception as e:          # reported by the main thread
            self.error = 'worker setup: %s' % e

    def build(self, site, text):
        """Builds the mutant.  Returns (outcome, detail): 'stillborn' or
        'equivalent' as the outcome when there is nothing to run, else None."""
        name = site['file']
        src = os.path.join(self.code, name)
        with open(src, 'w') as f:
            f.write(apply(text, site))
        # Older object, newer source: make recompiles this file only.
        os.utime(self.objfile(name), (self.old, self.old))
        now = time.time()
        os.utime(src, (now, now))
        log = os.path.join(self.dir, 'mutant.log')
        if not self.make(log):
            with open(log, errors='replace') as f:
                errors = [l for l in f if 'error:' in l]
            return 'stillborn', errors[0].strip() if errors else 'make failed'
        if self.strip(self.objfile(name)) == self.stripped[name]:
            return 'equivalent', 'same object code'
        return None, ''

    def restore(self, site, text):
        name = site['file']
        src = os.path.join(self.code, name)
        with open(src, 'w') as f:
            f.write(text)
        os.utime(src, (self.old, self.old))
        # A fresh copy is newer than the runner: the next make relinks.
        shutil.copyfile(os.path.join(self.pristine, name[:-2] + '.o'),
                        self.objfile(name))


# --------------------------------------------------------------------------
# The report

OUTCOMES = ('killed', 'timeout', 'survived', 'stillborn', 'equivalent')


def score(c):
    dead = c['killed'] + c['timeout']
    tested = dead + c['survived']
    return 100.0 * dead / tested if tested else None


def pct(value):
    return '-' if value is None else '%.1f%%' % value


def show(s):
    """A site's text on one line: a dropped call may span several."""
    return repr(re.sub(r'\s+', ' ', s.strip()) if '\n' in s.strip() else s.rstrip('\n'))


def report(sites_by_file, results, sources, header, interrupted):
    lines = header[:]
    if interrupted:
        lines.append('INTERRUPTED: %d mutants finished' % len(results))
    rows = [('file', 'sites', 'mutants', 'killed', 'timed out', 'survived',
             'stillborn', 'equivalent', 'score')]
    totals = dict.fromkeys(OUTCOMES, 0)
    for name in FILES:
        c = dict.fromkeys(OUTCOMES, 0)
        for site, outcome, _, _ in results:
            if site['file'] == name:
                c[outcome] += 1
        for o in OUTCOMES:
            totals[o] += c[o]
        rows.append((name, len(sites_by_file[name]), sum(c.values()),
                     c['killed'], c['timeout'], c['survived'], c['stillborn'],
                     c['equivalent'], pct(score(c))))
    rows.append(('total', sum(len(s) for s in sites_by_file.values()),
                 len(results), totals['killed'], totals['timeout'],
                 totals['survived'], totals['stillborn'], totals['equivalent'],
                 pct(score(totals))))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines.append('')
    for r in rows:
        lines.append('  '.join(str(v).ljust(w) if i == 0 else str(v).rjust(w)
                               for i, (v, w) in enumerate(zip(r, widths))))
    lines.append('')
    lines.append('mutation score: %s (killed %d + timed out %d of %d tested)'
                 % (pct(score(totals)), totals['killed'], totals['timeout'],
                    totals['killed'] + totals['timeout'] + totals['survived']))
    survivors = sorted((r[0] for r in results if r[1] == 'survived'),
                       key=lambda s: (FILES.index(s['file']), s['offset']))
    lines.append('')
    lines.append('survivors (%d):' % len(survivors))
    for s in survivors:
        lines.append('%s:%d: %s: %s -> %s' % (s['file'], s['line'], s['operator'],
                                           show(s['original']), show(s['replacement'])))
        # The source line, and a caret under the column (a line may hold
        # several sites of one operator).
        raw = sources[s['file']].split('\n')[s['line'] - 1]
        line = raw.expandtabs(8)
        indent = len(line) - len(line.lstrip())
        caret = len(raw[:s['column'] - 1].expandtabs(8)) - indent
        lines.append('    ' + line.strip())
        lines.append('    ' + ' ' * caret + '^ in %s()' % s['function'])
    return lines, totals


def write_tsv(path, results):
    def cell(s):
        return s.rstrip('\n').replace('\\', '\\\\').replace('\t', '\\t').replace('\n', '\\n')

    with open(path, 'w') as f:
        f.write('file\tline\tcolumn\tfunction\toperator\toriginal\treplacement\t'
                'outcome\tseconds\tdetail\n')
        for s, outcome, seconds, detail in sorted(
                results, key=lambda r: (FILES.index(r[0]['file']), r[0]['offset'],
                                        r[0]['operator'], r[0]['replacement'])):
            f.write('\t'.join([s['file'], str(s['line']), str(s['column']),
                               s['function'], s['operator'], cell(s['original']),
                               cell(s['replacement']), outcome, '%.1f' % seconds,
                               cell(detail)]) + '\n')


# --------------------------------------------------------------------------

def on_sigterm(signum, frame):
    # kill(1) ends the run as Ctrl-C does: children killed, report written.
    raise KeyboardInterrupt()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--repo', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--seed', default='1')
    ap.add_argument('--count', default='500')
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--timeout', type=float)
    ap.add_argument('--min-score', type=float)
    ap.add_argument('--files', help='comma-separated subset of the five files')
    args = ap.parse_args()
    if args.files:
        unknown = set(args.files.split(',')) - set(FILES)
        if unknown:
            sys.exit('mutants: --files names no core file: ' + ', '.join(sorted(unknown)))
    if args.count != 'all' and not (args.count.isdigit() and int(args.count) > 0):
        sys.exit('mutants: --count is a positive number or "all"')
    if args.jobs < 1:
        sys.exit('mutants: --jobs must be at least 1')

    signal.signal(signal.SIGTERM, on_sigterm)
    os.makedirs(args.out, exist_ok=True)
    try:
        return run(args)
    except KeyboardInterrupt:
        kill_all()
        print('mutants: interrupted', flush=True)
        return 130


def run(args):
    start_time = time.monotonic()
    sources = snapshot(args.repo, os.path.join(args.out, 'original'))
    wanted = args.files.split(',') if args.files else FILES
    sites_by_file = {name: find_sites(name, sources[name]) if name in wanted else []
                     for name in FILES}
    total_sites = sum(len(s) for s in sites_by_file.values())
    count = total_sites if args.count == 'all' else min(int(args.count), total_sites)
    chosen = choose(sites_by_file, args.seed, count)
    header = ['mutants: seed %s (MUTANT_SEED), %d of %d sites (MUTANTS), %d jobs'
              % (args.seed, len(chosen), total_sites, args.jobs)]
    for name in FILES:
        n = sum(1 for s in chosen if s['file'] == name)
        header.append('    %-20s %5d sites, %4d sampled'
                      % (name, len(sites_by_file[name]), n))
    print('\n'.join(header), flush=True)

    print('==> building %d workers (asan) under %s' % (args.jobs, args.out), flush=True)
    workers = [Worker(args.repo, os.path.join(args.out, 'original'), args.out, i)
               for i in range(args.jobs)]
    wait_for([threading.Thread(target=w.setup) for w in workers])
    for w in workers:
        if w.error:
            sys.exit('mutants: ' + w.error)
    phases, limits, line = baseline(workers[0].runner, args.out, args.timeout)
    header.append(line)
    print(line, flush=True)

    mutants_start = time.monotonic()
    results, interrupted = run_mutants(workers, chosen, sources, phases, limits,
                                       args.seed)
    now = time.monotonic()
    header.append('wall time %.0f s: setup and baseline %.0f s, %d mutants %.0f s '
                  '(%.1f s per mutant and job)'
                  % (now - start_time, mutants_start - start_time, len(results),
                     now - mutants_start,
                     sum(r[2] for r in results) / max(1, len(results))))
    lines, totals = report(sites_by_file, results, sources, header, interrupted)
    with open(os.path.join(args.out, 'report.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    write_tsv(os.path.join(args.out, 'results.tsv'), results)
    print('\n'.join(lines[len(header) - 1:]))  # the rest is printed already
    print('(report: %s, results: %s)' % (os.path.join(args.out, 'report.txt'),
                                         os.path.join(args.out, 'results.tsv')))
    if interrupted:
        return 130
    if args.min_score is not None:
        got = score(totals)
        if got is None or got < args.min_score:
            print('mutants: score %s is below MUTANT_MIN_SCORE=%g%%'
                  % (pct(got), args.min_score))
            return 1
    return 0


def snapshot(repo, dest):
    """Copies the five files to DEST and returns their text: the run is of
    one version even if the repository changes meanwhile, and nothing is
    ever written there."""
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    sources = {}
    for name in FILES:
        shutil.copyfile(os.path.join(repo, name), os.path.join(dest, name))
        with open(os.path.join(dest, name)) as f:
            sources[name] = f.read()
    return sources


def wait_for(threads):
    """Starts the threads and waits for them; joins in short steps, since a
    plain join() would hold off Ctrl-C."""
    for t in threads:
        t.start()
    for t in threads:
        while t.is_alive():
            t.join(0.5)


def baseline(runner, out, timeout):
    """Runs the unmutated runner: all cases at once (exits on failure),
    then in the phases mutants run.  Returns the phases, their limits and
    a line for the report."""
    t0 = time.monotonic()
    outcome, detail, text = run_runner(runner, [], 300)
    whole = time.monotonic() - t0
    log = os.path.join(out, 'baseline.log')
    with open(log, 'w') as f:
        f.write(text)
    if outcome != 'pass':
        print(text[-3000:])
        sys.exit('mutants: the unmutated baseline fails (%s %s); log: %s'
                 % (outcome, detail, log))
    phases = split_phases(text)
    times = []
    for cases in phases:
        t0 = time.monotonic()
        outcome, detail, text = run_runner(runner, cases, 300)
        times.append(time.monotonic() - t0)
        if outcome != 'pass':
            print(text[-3000:])
            sys.exit('mutants: the unmutated baseline fails when run in phases '
                     '(%s %s)' % (outcome, detail))
    budget = timeout or max(30.0, 5 * whole)
    limits = [max(MIN_PHASE_LIMIT, budget * t / sum(times)) for t in times]
    line = ('baseline: %.1f s (phases: %s); limits %s'
            % (whole, ' + '.join('%d cases %.1f s' % (len(c), t)
                                 for c, t in zip(phases, times)),
               ' + '.join('%.0f s' % l for l in limits)))
    return phases, limits, line


def run_mutants(workers, chosen, sources, phases, limits, seed):
    """Builds and runs the chosen mutants, one worker per thread.  Returns
    the results, (site, outcome, seconds, detail) each, and whether the
    run was interrupted."""
    results = []
    lock = threading.Lock()
    # A shuffled order: an interrupted run's report still covers every
    # file, and slow mutants do not bunch up on one worker.
    queue = chosen[:]
    random.Random(seed).shuffle(queue)

    def work(w):
        while not stopping.is_set():
            with lock:
                if not queue:
                    return
                site = queue.pop()
            t0 = time.monotonic()
            text = sources[site['file']]
            try:
                outcome, detail = w.build(site, text)
                if outcome is None:
                    for cases, limit in zip(phases, limits):
                        outcome, detail, _ = run_runner(w.runner, cases, limit)
                        if outcome != 'pass':
                            break
                    outcome = {'pass': 'survived', 'fail': 'killed'}.get(outcome, outcome)
                w.restore(site, text)
            except Interrupted:
                return
            took = time.monotonic() - t0
            with lock:
                results.append((site, outcome, took, detail))
                print('[%*d/%d] %-10s %s:%d: %s: %s -> %s  (%.1f s%s)'
                      % (len(str(len(chosen))), len(results), len(chosen), outcome,
                         site['file'], site['line'], site['operator'],
                         show(site['original']), show(site['replacement']), took,
                         ', ' + detail if detail else ''), flush=True)

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    try:
        wait_for(threads)
    except KeyboardInterrupt:
        kill_all()
        for t in threads:
            if t.is_alive():
                t.join()
        return results, True
    return results, False


def split_phases(text):
    """The baseline's cases as "suite.case" names in two lists: the quick
    ones, then the slow ones; one list if none is slow."""
    quick, slow, suite, ms = [], [], None, {}
    for line in text.split('\n'):
        m = re.match(r'\s+# Subtest: (\S+)', line)
        if m:
            suite = m.group(1)
            continue
        m = re.match(r'\s+# (\S+): (\d+) ms$', line)
        if m:
            ms[m.group(1)] = int(m.group(2))
            continue
        m = re.match(r'\s+ok \d+ (\S+)', line)
        if m and suite:
            name = m.group(1)
            (slow if ms.get(name, 0) >= SLOW_CASE_MS else quick).append(suite + '.' + name)
    return [p for p in (quick, slow) if p]


if __name__ == '__main__':
    sys.exit(main())
