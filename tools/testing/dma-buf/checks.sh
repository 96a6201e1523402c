#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: checks.sh
# Static checks on the project's kernel sources, each recorded as one
# outcome: SPDX lines, checkpatch --strict, the sync_file uAPI layout
# against 6.1's (uapi-layout.sh), every export of 6.1 present with its
# kind and namespace (exports.sh), kernel-doc, and a W=1 + sparse
# build of drivers/dma-buf (in its own object dir, with the debug config).
# Run tree.sh and build.sh first.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

mapfile -t files < <(project_files)
src=() # kernel C sources and headers, as kernel paths
for f in "${files[@]}"; do
	case $f in *.c | *.h) src+=("$(kpath "$f")") ;; esac
done
out=$BUILD_DIR/checks
mkdir -p "$out"

check() { # NAME LOG CMD...: PASS when CMD succeeds and prints nothing
	local name=$1 log=$2
	shift 2
	if "$@" > "$log" 2>&1 && [ ! -s "$log" ]; then
		record PASS "check:$name"
	else
		record FAIL "check:$name"
		head -n 40 "$log"
	fi
}

spdx() {
	local f want line
	for f in "${files[@]}"; do
		case $f in
		include/uapi/*) want='GPL-2.0 WITH Linux-syscall-note' ;;
		*.c | *.h | *.sh | *.py | Makefile | Kconfig | GNUmakefile | */init | */init.d/* | .ci/run) want='GPL-2.0-only' ;;
		*) continue ;;
		esac
		line=$(head -n 2 "$REPO/$f" | grep 'SPDX-License-Identifier' || true)
		case $line in *"SPDX-License-Identifier: $want"*) ;; *) echo "$f: no '$want' SPDX line" ;; esac
	done
}

say "static checks: SPDX, checkpatch --strict, uAPI layout, exports, kernel-doc, W=1 and sparse"
check spdx "$out/spdx.log" spdx
# Iterator macros (the 6.1 for_each contract) must use their cursor
# arguments more than once; that one finding is dropped for them only.
checkpatch() { # the filter decides; checkpatch's own status is dropped
	{ (cd "$TREE" && scripts/checkpatch.pl --strict --quiet --no-summary \
		--show-types -f "$@") || true; } |
		python3 "$HARNESS/checkpatch-filter.py"
}
check checkpatch "$out/checkpatch.log" checkpatch "${src[@]}"
check uapi-layout "$out/uapi-layout.log" "$HARNESS/uapi-layout.sh"
check exports "$out/exports.log" "$HARNESS/exports.sh"
check kernel-doc "$out/kernel-doc.log" \
	bash -c 'cd "$1" && shift && scripts/kernel-doc -none "$@"' _ "$TREE" "${src[@]}"

# The compiler's and sparse's findings in a build log; check() passes
# when there are none.
w1_sparse_findings() {
	grep -E '(warning|error):' "$1" | grep -v '^make' || true
}

obj=$BUILD_DIR/obj-check
mkdir -p "$obj"
cmp -s "$BUILD_DIR/obj-debug/.config" "$obj/.config" ||
	cp "$BUILD_DIR/obj-debug/.config" "$obj/.config"
# Every file is compiled again (W=1 is a flag change; C=2 checks all).
if run_logged "$obj/build.log" kmake "$obj" W=1 C=2 drivers/dma-buf/; then
	check w1-sparse "$out/w1-sparse.log" w1_sparse_findings "$obj/build.log"
else
	record FAIL check:w1-sparse
fi
