#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: coverage.sh [--run]
# make test runs it after the test boot; make coverage runs it with --run,
# which first makes what it reads: the userspace build's coverage run, and
# the debug kernel with its kselftests, booted once (make test's boot).
# Line and branch coverage of our files, from two sources: the debug
# kernel's gcov counts (CONFIG_GCOV_PROFILE_DMABUF instruments
# drivers/dma-buf and its heaps only), which its test boot sent to
# obj-debug/gcov.b64, and the userspace build's (userspace.sh's coverage
# variant).  lcov reads each; coverage.py prints the per-file table,
# leaving out the lines and branches listed in coverage-unreachable, and
# writes the lines never run and the branches never taken to
# $BUILD_DIR/coverage.txt; genhtml's report is in
# $BUILD_DIR/coverage/{kernel,user}/index.html.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

if [ "${1:-}" = --run ]; then
	rm -f "$RESULTS"
	"$HARNESS/userspace.sh" coverage
	"$HARNESS/tree.sh" && "$HARNESS/build.sh" debug &&
		"$HARNESS/selftests.sh" debug &&
		"$HARNESS/module.sh" bench debug "$BUILD_DIR/bench-smoke" &&
		"$HARNESS/module.sh" modtest debug "$BUILD_DIR/modtest" &&
		"$HARNESS/initramfs.sh" debug || exit 1
	say "booting the debug kernel under QEMU"
	"$HARNESS/boot.sh" debug quiet
	python3 "$HARNESS/results.py" "$(objdir debug)/boot.log" >> "$RESULTS"
fi

out=$BUILD_DIR/coverage
obj=$(objdir debug)
user=$BUILD_DIR/userspace/coverage/code
rm -rf "$out" && mkdir -p "$out"

# lcov 1.16 under Debian's perl warns about itself on every run.
capture() { # DIR INFO
	lcov -q --capture --rc lcov_branch_coverage=1 --directory "$1" \
		--output-file "$2" 2> "$2.log" && [ -s "$2" ] ||
		{ tail -n 5 "$2.log"; return 1; }
}

html() { # INFO DIR
	genhtml -q --branch-coverage --legend --output-directory "$2" "$1" \
		> "$2.log" 2>&1 || tail -n 5 "$2.log"
}

infos=()
say "coverage of our files (report: $out)"
if [ -s "$obj/gcov.b64" ] && mkdir -p "$out/gcda" &&
	base64 -d < "$obj/gcov.b64" | tar -xzf - -C "$out/gcda"; then
	# The counts come named by the build's path in the guest's debugfs;
	# gcov wants each beside its notes file in the object tree.
	find "$out/gcda" -name '*.gcda' | while read -r f; do
		cp "$f" "$obj/drivers/dma-buf/${f#*/drivers/dma-buf/}"
	done
	if capture "$obj/drivers/dma-buf" "$out/kernel.info"; then
		record PASS coverage:kernel-counts
		infos+=("kernel=$out/kernel.info")
		html "$out/kernel.info" "$out/kernel"
	else
		record FAIL coverage:kernel-counts
	fi
else
	echo "    the test boot sent no gcov counts ($obj/gcov.b64)"
	record FAIL coverage:kernel-counts
fi
if compgen -G "$user/*.gcda" > /dev/null && capture "$user" "$out/user.info"; then
	record PASS coverage:user-counts
	infos+=("user=$out/user.info")
	html "$out/user.info" "$out/user"
else
	record FAIL coverage:user-counts
fi
[ ${#infos[@]} -gt 0 ] || exit 1
python3 "$HARNESS/coverage.py" --unreachable "$HARNESS/coverage-unreachable" \
	--out "$BUILD_DIR/coverage.txt" --results "$RESULTS" "${infos[@]}" |
	sed 's/^/    /'
