#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: stress.sh   (make stress; STRESS_SECONDS, default 600)
# The long form of the hardening runs that make test does briefly: the
# debug kernel (KASAN, lockdep, kmemleak, fault injection, the hung-task
# and RCU-stall watchdogs) boots into the stress KUnit suite and then the
# uAPI fuzzer for STRESS_SECONDS and the fault-injection kselftests.
# Prints each outcome, the figures, and 'N passed, N failed'.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

secs=${STRESS_SECONDS:-600}
"$HARNESS/deps.sh"
"$HARNESS/tree.sh"
"$HARNESS/build.sh" debug
"$HARNESS/selftests.sh" debug
"$HARNESS/initramfs.sh" debug
say "stress boot: $secs s of fuzzing and $secs s of each kernel case (log: $BUILD_DIR/obj-debug/boot.log)"
STRESS_SECONDS=$secs QEMU_TIMEOUT=$((3 * secs + 1200)) \
	"$HARNESS/boot.sh" debug stress || true
log=$BUILD_DIR/obj-debug/boot.log
out=$BUILD_DIR/stress-results.txt
python3 "$HARNESS/results.py" "$log" > "$out" || true
say "figures"
grep -E 'fences added|import rounds|operations,|classes|descriptors created|fault points|left .* behind|seed' "$log" |
	sed -E 's/^\[[ 0-9.]+\] *//; s/^# *//' || true
say "results ($out)"
grep -v '^PASS' "$out" || echo "    every outcome passed"
pass=$(grep -c '^PASS' "$out" || true)
fail=$(grep -c '^FAIL' "$out" || true)
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
