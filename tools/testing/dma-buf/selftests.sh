#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: selftests.sh [FLAVOR]   (default: debug)
# Builds our kselftests (tools/testing/selftests/dma-buf), the demo
# (demo.c, which also runs in the test boot) and the user benchmark
# (bench/bench_user.c, whose smoke run the test boot makes) statically
# against the uAPI headers of the assembled tree and stages the programs
# in $BUILD_DIR/tests, where initramfs.sh picks them up.  The kselftests'
# Makefile builds them as any kselftest is built: -static (the initramfs
# has no libc) and -O2 come in through lib.mk's USERLDFLAGS and
# USERCFLAGS.  The examples of the uAPI documentation
# (Documentation/userspace-api/dma-buf-examples) are built the same way,
# into $BUILD_DIR/doc-examples: they only have to compile without a
# warning, and are not staged.  Run build.sh first.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

obj=$BUILD_DIR/obj-${1:-debug}
hdr=$BUILD_DIR/headers
out=$BUILD_DIR/kselftest

build_doc_examples() {
	local ex=$BUILD_DIR/doc-examples f n=0
	rm -rf "$ex" && mkdir -p "$ex"
	for f in "$TREE"/Documentation/userspace-api/dma-buf-examples/*.c; do
		[ -f "$f" ] || continue
		gcc -static -O2 -Wall -Wextra -Werror -isystem "$hdr/include" \
			-o "$ex/$(basename "$f" .c)" "$f" || return
		n=$((n + 1))
	done
	echo "doc examples: $n built in $ex"
}

say "building the kselftests (log: $out.log)"
rm -rf "$out" && mkdir -p "$out"
{
	kmake "$obj" headers_install INSTALL_HDR_PATH="$hdr" &&
		make -C "$TREE/tools/testing/selftests/dma-buf" OUTPUT="$out" \
			KHDR_INCLUDES="-isystem $hdr/include" \
			USERCFLAGS=-O2 USERLDFLAGS=-static &&
		gcc -static -O2 -Wall -Werror -isystem "$hdr/include" \
			-o "$out/dmabuf_demo" "$HARNESS/demo.c" &&
		gcc -static -O2 -Wall -Werror -isystem "$hdr/include" \
			-o "$out/bench_user" "$HARNESS/bench/bench_user.c" &&
		build_doc_examples
} > "$out.log" 2>&1 || { tail -n 30 "$out.log"; die "kselftest build failed"; }
if grep -E 'warning:' "$out.log"; then
	die "kselftest build warnings"
fi

rm -rf "$BUILD_DIR/tests"
mkdir -p "$BUILD_DIR/tests"
n=0
for t in "$out"/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	cp "$t" "$BUILD_DIR/tests/"
	n=$((n + 1))
done
[ $n -gt 0 ] || die "no kselftest program was built"
echo "    $n programs staged in $BUILD_DIR/tests"
