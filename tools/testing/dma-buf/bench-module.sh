#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: bench-module.sh FLAVOR DIR
# Builds the benchmark module (bench/dmabuf_bench.c) out of tree in DIR
# against the kernel in $BUILD_DIR/obj-FLAVOR (bench-upstream: the
# pristine tree), failing on any compiler warning.  A kernel without
# module support (the debug one) only compiles it: make test's proof
# that the source still builds against our headers.  Run build.sh first.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

flavor=$1 dir=$2
obj=$BUILD_DIR/obj-$flavor
[ "$flavor" = bench-upstream ] && TREE=$UPSTREAM_TREE
target=modules
grep -q '^CONFIG_MODULES=y' "$obj/.config" || target=dmabuf_bench.o

say "building the benchmark module against the $flavor kernel ($target)"
rm -rf "$dir" && mkdir -p "$dir"
dir=$(cd "$dir" && pwd) # kbuild wants M= absolute
cp "$HARNESS/bench/dmabuf_bench.c" "$HARNESS/bench/Makefile" "$dir/"
run_logged "$dir/build.log" kmake "$obj" M="$dir" "$target"
if grep -E '(warning|error):' "$dir/build.log"; then
	die "the benchmark module built with warnings against the $flavor kernel"
fi
