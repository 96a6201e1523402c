#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: userspace.sh [VARIANT...]   (default: asan ubsan tsan valgrind coverage)
# The fence, container and reservation code built as a userspace program
# (userspace/): builds the runner for each variant and runs the shared
# KUnit cases natively under AddressSanitizer, UndefinedBehaviorSanitizer,
# ThreadSanitizer, the plain build under valgrind's memcheck, and gcov's
# build for coverage.sh (which reads its counts).  Records
# "user:VARIANT:build" (compiled warning-free), one "user:VARIANT:SUITE.CASE"
# per case and "user:VARIANT" for the run as a whole (exit status, every
# planned case reported, no sanitizer or valgrind report).  Logs are in
# $BUILD_DIR/userspace/VARIANT.log.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

U=$HARNESS/userspace
OUT=$BUILD_DIR/userspace
# The test boot's length (tools/testing/dma-buf/cmdline): the million-link
# default takes minutes under valgrind.
ARGS=(long_chain_links=50000)
mkdir -p "$OUT"

# The kernel builds' ccache serves these too.
CC=gcc
command -v ccache > /dev/null && CC="ccache gcc" && ccache_env

variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(asan ubsan tsan valgrind coverage)

cmd() { # VARIANT: set $cmd to the runner's command line under its checker
	case $1 in
	asan) cmd=(env ASAN_OPTIONS=allocator_may_return_null=1:detect_leaks=1 "$OUT/asan/runner") ;;
	ubsan) cmd=(env UBSAN_OPTIONS=print_stacktrace=1:print_summary=1 "$OUT/ubsan/runner") ;;
	tsan) cmd=(env "TSAN_OPTIONS=suppressions=$U/tsan.supp" "$OUT/tsan/runner") ;;
	valgrind) cmd=(valgrind -q --error-exitcode=3 --leak-check=full
		--errors-for-leak-kinds=definite --show-possibly-lost=no "$OUT/plain/runner") ;;
	coverage) cmd=("$OUT/coverage/runner") ;;
	*) die "unknown variant $1" ;;
	esac
}

say "userspace build: ${variants[*]}"
for v in "${variants[@]}"; do
	build=$v
	[ "$v" = valgrind ] && build=plain
	start=$SECONDS
	if ! make -s -C "$U" VARIANT="$build" BUILD_DIR="$BUILD_DIR" CC="$CC" -j"$JOBS" runner \
		> "$OUT/$v.build.log" 2>&1; then
		record FAIL "user:$v:build"
		tail -n 20 "$OUT/$v.build.log"
		record FAIL "user:$v"
		continue
	fi
	if grep -q 'warning:' "$OUT/$v.build.log"; then
		record FAIL "user:$v:build"
		grep -m 10 'warning:' "$OUT/$v.build.log"
	else
		record PASS "user:$v:build"
	fi
	cmd "$v"
	# gcov adds to what earlier runs left: each run counts from zero.
	[ "$v" = coverage ] && find "$OUT/coverage" -name '*.gcda' -delete
	timeout 300 "${cmd[@]}" "${ARGS[@]}" > "$OUT/$v.log" 2>&1
	status=$?
	python3 "$HARNESS/results.py" --user "$v" "$OUT/$v.log" "$status" >> "$RESULTS"
	grep "^FAIL user:$v" "$RESULTS" | sed 's/^FAIL /FAIL: /'
	echo "    $v: $(grep -c "^PASS user:$v:" "$RESULTS") passed in $((SECONDS - start)) s" \
		"(log: $OUT/$v.log)"
done
