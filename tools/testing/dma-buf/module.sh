#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: module.sh SRC FLAVOR DIR
# Builds the external module whose source is the harness directory SRC
# (bench: the benchmark module of make bench; modtest: the lifetime test
# module that module_test loads in the test boot) out of tree in DIR
# against the kernel in $BUILD_DIR/obj-FLAVOR (bench-upstream: the
# pristine tree), failing on any compiler warning.  Every flavor has
# module support and builds Module.symvers.  Run build.sh first.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

src=$HARNESS/$1 flavor=$2 dir=$3
obj=$(objdir "$flavor")
[ "$flavor" = bench-upstream ] && TREE=$UPSTREAM_TREE
grep -q '^CONFIG_MODULES=y' "$obj/.config" ||
	die "the $flavor kernel has no module support"

say "building the $1 module against the $flavor kernel"
rm -rf "$dir" && mkdir -p "$dir"
dir=$(cd "$dir" && pwd) # kbuild wants M= absolute
cp "$src"/*.[ch] "$src/Makefile" "$dir/"
run_logged "$dir/build.log" kmake "$obj" M="$dir" modules
if grep -E '(warning|error):' "$dir/build.log"; then
	die "the $1 module built with warnings against the $flavor kernel"
fi
