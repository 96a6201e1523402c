#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Usage: interim.py [PRISTINE_GIT]

Rewrites the interim diffs (what follows "---") of the manifest files
01 to 09: the versions of the shared build files (Makefile, Kconfig,
tests/Kconfig, tests/Makefile, 6.1's selftests.h) that each patch needs
before the patch that brings the project's version whole.  Each version
is derived from the project's file and 6.1's by the rules below, one
component at a time; run it after changing one of those files, then
make patches.  PRISTINE_GIT is the git repository of 6.1 that
patches.sh keeps ($BUILD_DIR, or .build, /pristine-git; its tag
"pristine").  Fails when a rule no longer leads to the project's file,
which then needs a new rule.
"""
import difflib, os, re, subprocess, sys
SERIES = os.path.dirname(os.path.abspath(__file__))
HEAD = os.path.abspath(os.path.join(SERIES, '..', '..', '..', '..'))
PRISTINE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.environ.get('BUILD_DIR', os.path.join(HEAD, '.build')), 'pristine-git')
UP = 'pristine:drivers/dma-buf'
def rd(p):
    if p.startswith('pristine:'):
        return subprocess.run(['git', '-C', PRISTINE, 'show', p], check=True,
                               capture_output=True, text=True).stdout
    return open(p).read()

def blocks(text):
    """Kconfig text -> list of [key, text] (key: symbol, 'source:path', 'head', 'menu', 'endmenu')."""
    out = []
    for line in text.splitlines(True):
        m = re.match(r'(config|menuconfig)\s+(\w+)|source\s+"([^"]+)"|(endmenu)|(menu)\s', line)
        if m:
            key = m.group(2) or (m.group(3) and 'source:' + m.group(3)) or m.group(4) or m.group(5)
            out.append([key, line])
        elif not out:
            out.append(['head', line])
        else:
            out[-1][1] += line
    return out
def kjoin(bl): return ''.join(t for _, t in bl)
def kget(bl, key): return [t for k, t in bl if k == key][0]

head_k = blocks(rd(f'{HEAD}/Kconfig'))
up_k = blocks(rd(f'{UP}/Kconfig'))
def kconfig(k):
    bl = [list(b) for b in up_k]
    def repl(sym):
        for b in bl:
            if b[0] == sym: b[1] = kget(head_k, sym)
    if k >= 1:
        i = [b[0] for b in bl].index('endmenu')
        bl[i:i] = [['GCOV_PROFILE_DMABUF', kget(head_k, 'GCOV_PROFILE_DMABUF')],
                   ['source:drivers/dma-buf/tests/Kconfig', kget(head_k, 'source:drivers/dma-buf/tests/Kconfig')]]
    if k >= 3: repl('DMABUF_SELFTESTS')
    if k >= 4: repl('SYNC_FILE'); repl('SW_SYNC')
    if k >= 5:
        repl('DMABUF_MOVE_NOTIFY'); repl('DMABUF_DEBUG'); repl('DMABUF_SYSFS_STATS')
        i = [b[0] for b in bl].index('GCOV_PROFILE_DMABUF')
        bl[i:i] = [['DMA_FENCE_DEBUG', kget(head_k, 'DMA_FENCE_DEBUG')]]
    if k >= 6: repl('UDMABUF')
    if k >= 7: repl('DMABUF_HEAPS')
    return kjoin(bl)
assert kconfig(7) == rd(f'{HEAD}/Kconfig'), 'Kconfig ops do not reach HEAD'

TK = {'DMABUF_KUNIT_WARN_TESTS': 1, 'DMA_FENCE_KUNIT_TEST': 1,
      'DMA_FENCE_ARRAY_KUNIT_TEST': 2, 'DMA_FENCE_CHAIN_KUNIT_TEST': 2, 'DMA_FENCE_UNWRAP_KUNIT_TEST': 2,
      'DMA_RESV_KUNIT_TEST': 3, 'DMA_RESERVATION_KUNIT_TEST': 3, 'SYNC_FILE_KUNIT_TEST': 4,
      'DMA_BUF_KUNIT_TEST': 5, 'DMA_BUF_IMPORT_KUNIT_TEST': 5, 'DMA_BUF_ACCESS_KUNIT_TEST': 5,
      'DMA_FENCE_DEBUG_KUNIT_TEST': 5,
      'DMA_HEAP_KUNIT_TEST': 7, 'SEQNO_FENCE_KUNIT_TEST': 8,
      'DMA_BUF_STRESS_KUNIT_TEST': 9, 'DMABUF_SYNCOBJ_TEST': 9}
head_tk = blocks(rd(f'{HEAD}/tests/Kconfig'))
HDR_FULL = '# The KUnit suites of drivers/dma-buf, one option each, and the DRM device\n# of the syncobj kselftests.\n'
HDR_PART = '# The KUnit suites of drivers/dma-buf, one option each.\n'
assert HDR_FULL in head_tk[0][1], head_tk[0][1]
def tests_kconfig(k):
    if k < 1: return None
    out = ''
    for key, t in head_tk:
        if key == 'head':
            out += t if k >= 9 else t.replace(HDR_FULL, HDR_PART)
        elif TK[key] <= k:
            out += t
    # a last block keeps no trailing blank line
    return out.rstrip('\n') + '\n'
assert tests_kconfig(9) == rd(f'{HEAD}/tests/Kconfig')

def tests_makefile(k):
    if k < 1: return None
    out = ''
    for line in rd(f'{HEAD}/tests/Makefile').splitlines(True):
        m = re.search(r'CONFIG_(\w+)', line)
        if line.startswith('# SPDX'): out += line
        elif line.startswith('# Not KUnit'):
            if k >= 9: out += line
        elif m and TK[m.group(1)] <= k: out += line
        elif not m: raise SystemExit('tests/Makefile line ' + line)
    return out

hm = rd(f'{HEAD}/Makefile').splitlines(True)
def hline(pfx): return [l for l in hm if l.startswith(pfx)][0]
def makefile(k):
    L = rd(f'{UP}/Makefile').splitlines(True)
    def sub(old, new):
        i = [j for j, l in enumerate(L) if l.startswith(old)][0]
        L[i:i + 1] = new
    def drop(pfx):
        L[:] = [l for l in L if not l.startswith(pfx)]
    if k >= 1:
        L.insert(1, hline('GCOV_PROFILE'))
        i = [j for j, l in enumerate(L) if l.startswith('obj-$(CONFIG_DMABUF_SYSFS_STATS)')][0]
        L.insert(i + 1, hline('obj-y += tests/'))
        drop('\tst-dma-fence.o')
    if k >= 2:
        drop('\tst-dma-fence-chain.o'); drop('\tst-dma-fence-unwrap.o')
    if k >= 3:
        L[:] = [l.replace('dma-resv.o', 'reservation.o') for l in L]
        i = [j for j, l in enumerate(L) if l.startswith('dmabuf_selftests-y')][0]
        L[:] = L[:i - 1]
    if k >= 4:
        sub('obj-$(CONFIG_SYNC_FILE)', [hline('obj-$(CONFIG_SYNC_FILE)')])
        sub('obj-$(CONFIG_SW_SYNC)', [hline('obj-$(CONFIG_SW_SYNC)'), hline('# sync_trace.h'), hline('CFLAGS_sw_sync.o')])
    if k >= 5:
        i = [j for j, l in enumerate(L) if l.startswith('obj-$(CONFIG_DMABUF_HEAPS)')][0]
        L.insert(i, hline('obj-$(CONFIG_DMA_FENCE_DEBUG)'))
        drop('obj-$(CONFIG_DMABUF_SYSFS_STATS)')
        i = max(j for j, l in enumerate(L) if l.startswith('obj-$(CONFIG_DMABUF_HEAPS)'))
        L.insert(i + 1, hline('obj-$(CONFIG_DMABUF_SYSFS_STATS)'))
    if k >= 6:
        sub('obj-$(CONFIG_UDMABUF)', [hline('obj-$(CONFIG_UDMABUF)')])
    if k >= 7:
        drop('obj-$(CONFIG_DMABUF_HEAPS)\t+= heaps/')
        sub('obj-$(CONFIG_DMABUF_HEAPS)', [hline('obj-$(CONFIG_DMABUF_HEAPS)')])
    if k >= 8:
        L[:] = [l.replace('reservation.o\n', 'reservation.o seqno-fence.o\n') for l in L]
    return ''.join(L)
assert makefile(8) == rd(f'{HEAD}/Makefile'), makefile(8)

def selftests_h(k):
    L = rd(f'{UP}/selftests.h').splitlines(True)
    if k >= 1: L = [l for l in L if not l.startswith('selftest(dma_fence,')]
    if k >= 2: L = [l for l in L if not l.startswith(('selftest(dma_fence_chain', 'selftest(dma_fence_unwrap'))]
    return ''.join(L)

FILES = {  # kernel path: (state function, patch that brings it whole or deletes it)
    'drivers/dma-buf/Makefile': (lambda k: rd(f'{UP}/Makefile') if k == 0 else makefile(k), 8),
    'drivers/dma-buf/Kconfig': (lambda k: rd(f'{UP}/Kconfig') if k == 0 else kconfig(k), 7),
    'drivers/dma-buf/tests/Kconfig': (tests_kconfig, 9),
    'drivers/dma-buf/tests/Makefile': (tests_makefile, 9),
    'drivers/dma-buf/selftests.h': (selftests_h, 3),
}
names = sorted(n for n in os.listdir(SERIES) if re.match(r'\d\d-', n) and not n.startswith('00-'))
for k, name in enumerate(names, 1):
    if k > 9: break
    diff = ''
    for path, (state, last) in FILES.items():
        if k >= last: continue
        a, b = state(k - 1), state(k)
        if a == b: continue
        al = a.splitlines(True) if a is not None else []
        bl = b.splitlines(True)
        d = list(difflib.unified_diff(al, bl, 'a/' + path if a is not None else '/dev/null', 'b/' + path, n=3))
        hdr = f'diff --git a/{path} b/{path}\n' + ('new file mode 100644\n' if a is None else '')
        diff += hdr + ''.join(d)
    f = os.path.join(SERIES, name)
    text = open(f).read().split('\n---\n')[0].rstrip('\n') + '\n'
    if diff:
        text += '---\n' + diff
    open(f, 'w').write(text)
    print(name, len(diff.splitlines()), 'diff lines')
