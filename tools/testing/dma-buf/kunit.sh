#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: kunit.sh   (make kunit)
# The kernel's own KUnit tool on the assembled tree, the command a kernel
# developer types:
#   ./tools/testing/kunit/kunit.py run --kunitconfig=drivers/dma-buf --arch=x86_64
# drivers/dma-buf/.kunitconfig selects every suite but the stress one, and
# leaves the cases that warn on purpose skipped.  kunit.py configures and
# builds its own small kernel (here in $BUILD_DIR/kunit, with ccache) and
# boots it under QEMU.  Prints each suite's result, the counts of cases
# and the time; exits non-zero unless every case passed or was skipped.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

"$HARNESS/tree.sh"
out=$BUILD_DIR/kunit
log=$out/kunit.log
json=$out/results.json
mkdir -p "$out"
rm -f "$json"
ccache_env
say "kunit.py run --kunitconfig=drivers/dma-buf --arch=x86_64 (build in $out, log: $log)"
start=$SECONDS
rc=0
run_logged "$log" bash -c 'cd "$1" && shift && exec "$@"' _ "$TREE" \
	./tools/testing/kunit/kunit.py run --kunitconfig=drivers/dma-buf \
	--arch=x86_64 --build_dir="$out" --jobs="$JOBS" \
	--make_options "CC=ccache gcc" --make_options "HOSTCC=ccache gcc" \
	--timeout="${QEMU_TIMEOUT:-1200}" --json="$json" || rc=$?
secs=$((SECONDS - start))
# kunit.py's own summary: a line per suite, the totals, its times.
grep -E '\[(PASSED|FAILED|SKIPPED|CRASHED)\] [^ ]+ =|Testing complete|Elapsed time' "$log" |
	sed -E 's/^\[[0-9:]+\] /    /' || true
if [ ! -s "$json" ]; then
	die "kunit.py wrote no results (exit status $rc; log: $log)"
fi
python3 - "$json" "$secs" <<'EOF'
import json
import sys


def status(group):
    """PASS, SKIP or FAIL of a case that ran as parameters."""
    st = [c['status'] for c in group['test_cases']] + \
        [status(g) for g in group['sub_groups']]
    if not st or any(s not in ('PASS', 'SKIP') for s in st):
        return 'FAIL'
    return 'PASS' if 'PASS' in st else 'SKIP'


result = json.load(open(sys.argv[1]))
# A suite that reported no case is a failed case of the top group.
st = ['FAIL' for c in result['test_cases']]
for suite in result['sub_groups']:
    st += [c['status'] for c in suite['test_cases']]
    st += [status(g) for g in suite['sub_groups']]
n = {k: st.count(k) for k in ('PASS', 'SKIP')}
secs = int(sys.argv[2])
print(f"    {len(result['sub_groups'])} suites, {len(st)} cases: "
      f"{n['PASS']} passed, {n['SKIP']} skipped, "
      f"{len(st) - n['PASS'] - n['SKIP']} failed; {secs // 60} min {secs % 60} s")
EOF
[ "$rc" -eq 0 ] || die "kunit.py run failed (exit status $rc; log: $log)"
