#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: uapi-layout.sh
# Proves our include/uapi/linux/{sync_file,dma-buf,udmabuf,dma-heap}.h
# have 6.1's layout:
# builds uapi-layout.c against our headers and against the ones in the 6.1
# tarball (32- and 64-bit) and compares what they print.  Silent on
# success; prints the differences and fails otherwise.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

dir=$BUILD_DIR/uapi-layout
rm -rf "$dir" && mkdir -p "$dir/ours/linux" "$dir/6.1/linux"
for h in sync_file.h dma-buf.h udmabuf.h dma-heap.h; do
	cp "$REPO/include/uapi/linux/$h" "$dir/ours/linux/"
	tar -xOf "$TARBALL" "linux-source-6.1/include/uapi/linux/$h" \
		> "$dir/6.1/linux/$h"
done

for bits in 64 32; do
	# Without a 32-bit libc (gcc-multilib) only the 64-bit ABI is checked.
	if [ $bits = 32 ] && ! echo 'int main(void){return 0;}' |
		gcc -m32 -x c - -o "$dir/probe" 2>/dev/null; then
		continue
	fi
	for h in ours 6.1; do
		def=()
		[ $h = ours ] && def=(-DOURS)
		gcc -m$bits -Wall -Werror "${def[@]}" -I "$dir/$h" \
			-o "$dir/layout-$h-$bits" "$HARNESS/uapi-layout.c"
		"$dir/layout-$h-$bits" > "$dir/layout-$h-$bits.txt"
	done
	diff -u "$dir/layout-6.1-$bits.txt" "$dir/layout-ours-$bits.txt"
done
