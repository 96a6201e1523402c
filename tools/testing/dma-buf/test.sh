#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: test.sh
# Everything that checks the project: the userspace build under the
# sanitizers, assemble and guard the tree, render the documentation, build
# the debug kernel, static checks, build the kselftests, boot and parse
# every KUnit case and TAP result, report the line and branch coverage of
# our files, compare ours with pristine 6.1 (the differential test), write
# the patch series and prove it applies, is what was booted and passes
# checkpatch.  Ends with
# "N passed, N failed"; exits non-zero on any failure.  SUITE=glob limits the KUnit run.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

rm -f "$RESULTS"
step() { # NAME CMD...: a step that counts as one outcome
	local name=$1
	shift
	if "$@"; then record PASS "$name"; else record FAIL "$name"; return 1; fi
}

"$HARNESS/deps.sh" || exit 1
# Needs no kernel: the shared code under the sanitizers, natively.
"$HARNESS/userspace.sh"
# Needs nothing built: the verdicts the v4l2-compliance wrapper gives
# saved logs.
step check:v4l2-verdicts "$HARNESS/v4l2-verdicts.sh"
step build:tree-and-guard "$HARNESS/tree.sh" &&
	step check:docs "$HARNESS/docs.sh"
if step build:debug-kernel "$HARNESS/build.sh" debug; then
	"$HARNESS/checks.sh"
	step build:kselftests "$HARNESS/selftests.sh" debug
	step build:bench-module "$HARNESS/module.sh" bench debug "$BUILD_DIR/bench-smoke"
	step build:modtest-module "$HARNESS/module.sh" modtest debug "$BUILD_DIR/modtest"
	say "booting the debug kernel under QEMU${SUITE:+ (SUITE=$SUITE)}"
	"$HARNESS/initramfs.sh" debug
	start=$SECONDS
	"$HARNESS/boot.sh" debug quiet
	echo "    booted and ran in $((SECONDS - start)) s (log: $BUILD_DIR/obj-debug/boot.log)"
	python3 "$HARNESS/results.py" "$BUILD_DIR/obj-debug/boot.log" >> "$RESULTS"
	# What the boot and the userspace build ran of our files.
	"$HARNESS/coverage.sh"
fi
# Ours against pristine 6.1: the same programs on both, compared.  One
# seed unless DIFF_SEED says otherwise, so that a run repeats the last
# (make difftest draws a new seed each time).
DIFF_SEED=${DIFF_SEED:-1} "$HARNESS/difftest.sh"
# The series (patches.sh): written, applied with git am, the tree that
# was built and booted, checkpatch-clean.  make series-check builds and
# boots every patch; too long for here.
if step build:patch-series "$HARNESS/patches.sh"; then
	step check:series-applies "$HARNESS/patches.sh" --apply
	step check:series-is-the-booted-tree "$HARNESS/patches.sh" --built
	step check:series-checkpatch "$HARNESS/patches.sh" --checkpatch
fi

pass=$(grep -c '^PASS' "$RESULTS")
fail=$(grep -c '^FAIL' "$RESULTS")
echo
say "results ($RESULTS)"
grep '^FAIL' "$RESULTS" || echo "    every outcome passed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
