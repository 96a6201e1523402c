#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: stress.sh   (make stress; STRESS_SECONDS, default 600;
#                    STRESS_FLAVOR, default debug)
# The long form of the hardening runs that make test does briefly: the
# debug kernel (KASAN, lockdep, kmemleak, fault injection, the hung-task
# and RCU-stall watchdogs) boots into the stress KUnit suite and then the
# uAPI fuzzer for STRESS_SECONDS and the fault-injection kselftests.
# STRESS_FLAVOR=kcsan boots the kcsan flavor instead (build.sh: KCSAN in
# place of KASAN), whose data-race reports count as splats; it is a
# kernel build of its own, which make test never pays for.
# Prints each outcome, the figures, and 'N passed, N failed'.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

secs=${STRESS_SECONDS:-600}
flavor=${STRESS_FLAVOR:-debug}
case $flavor in
debug | kcsan) ;;
*) die "STRESS_FLAVOR must be debug or kcsan, not '$flavor'" ;;
esac
"$HARNESS/deps.sh"
"$HARNESS/tree.sh"
"$HARNESS/build.sh" "$flavor"
"$HARNESS/selftests.sh" "$flavor"
"$HARNESS/initramfs.sh" "$flavor"
log=$BUILD_DIR/obj-$flavor/boot.log
say "stress boot ($flavor kernel): $secs s of fuzzing and $secs s of each kernel case (log: $log)"
STRESS_SECONDS=$secs QEMU_TIMEOUT=$((3 * secs + 1200)) \
	"$HARNESS/boot.sh" "$flavor" stress || true
out=$BUILD_DIR/stress-results.txt
[ "$flavor" = debug ] || out=$BUILD_DIR/stress-results-$flavor.txt
python3 "$HARNESS/results.py" "$log" > "$out" || true
say "figures"
grep -E 'fences added|import rounds|operations,|classes|descriptors created|fault points|left .* behind|seed|kcsan-stat: (enabled|setup_watchpoints|data_races)' "$log" |
	sed -E 's/^\[[ 0-9.]+\] *//; s/^# *//' || true
say "results ($out)"
grep -v '^PASS' "$out" || echo "    every outcome passed"
pass=$(grep -c '^PASS' "$out" || true)
fail=$(grep -c '^FAIL' "$out" || true)
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
