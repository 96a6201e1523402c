#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: userspace-bench.sh [RESULTS_DIR]
# Builds and runs the native microbenchmarks of the userspace build
# (userspace/bench.c: the kernel module's rows of the same names, on the
# same code), prefixed with $PROFILER if set ("perf stat", "valgrind
# --tool=callgrind"); $BENCH_ARGS selects rows by prefix.  With
# RESULTS_DIR (make bench's), the figures are also appended to its
# results.md, next to the in-kernel ones.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

make -s -C "$HARNESS/userspace" BUILD_DIR="$BUILD_DIR" bench
log=$BUILD_DIR/userspace/bench.log
# shellcheck disable=SC2086 # both are word lists
${PROFILER:-} "$BUILD_DIR/userspace/plain/bench" ${BENCH_ARGS:-} | tee "$log"
[ $# -eq 1 ] || exit 0
cp "$log" "$1/userspace-bench.log"
{
	echo
	echo "Native figures of the same code, built in userspace against the"
	echo "shim (make userspace-bench; ns per op, on the host, not under TCG):"
	echo
	echo "| row | N | ns per op |"
	echo "| --- | ---: | ---: |"
	sed -n 's/^bench: \(\S*\) n=\(\S*\) ns_per_op=\(\S*\) .*/| \1 | \2 | \3 |/p' "$log"
} >> "$1/results.md"
