#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: exports.sh [-v]
# Proves binary compatibility of the exports: every EXPORT_SYMBOL* of 6.1's
# drivers/dma-buf (the tarball) must be exported by ours, in the assembled
# tree, with the same kind (GPL or not) and namespace.  Ours may export
# more.  Silent on success (-v prints the count); prints each missing or
# different export and fails otherwise.  Run tree.sh first.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

dir=$BUILD_DIR/exports
rm -rf "$dir" && mkdir -p "$dir/6.1"
tar -C "$dir/6.1" -xf "$TARBALL" --wildcards \
	'linux-source-6.1/drivers/dma-buf/*.c'

# One "symbol kind namespace" line per export of the C files under $1.
exports() {
	find "$1" -name '*.c' -print0 | xargs -0 cat |
		sed -nE 's/^[[:space:]]*EXPORT_SYMBOL(_NS)?(_GPL)?\(([[:alnum:]_]+)(,[[:space:]]*([[:alnum:]_"]+))?\).*/\3 k\2 n\5/p' |
		awk '{ printf "%s %s %s\n", $1, ($2 == "k_GPL" ? "gpl" : "any"),
			($3 == "n" ? "-" : substr($3, 2)) }' |
		sort -u
}

exports "$dir/6.1/linux-source-6.1/drivers/dma-buf" > "$dir/6.1.txt"
exports "$TREE/drivers/dma-buf" > "$dir/ours.txt"
missing=$(comm -23 "$dir/6.1.txt" "$dir/ours.txt")
if [ -n "$missing" ]; then
	echo "exports of 6.1 missing or different in ours" \
		"($(comm -12 "$dir/6.1.txt" "$dir/ours.txt" | wc -l) of $(wc -l < "$dir/6.1.txt") match):"
	echo "$missing" | while read -r sym kind ns; do
		have=$(awk -v s="$sym" '$1 == s { print $2, $3 }' "$dir/ours.txt")
		echo "    $sym ($kind, namespace $ns): ours ${have:-does not export it}"
	done
	exit 1
fi
if [ "${1:-}" = -v ]; then
	echo "all $(wc -l < "$dir/6.1.txt") exports of 6.1's drivers/dma-buf are ours too"
fi
