#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: docs.sh
# Renders the driver-api and userspace-api books of the assembled tree the
# kernel's way, make SPHINXDIRS="driver-api userspace-api" htmldocs, and
# fails on any warning but those that pristine 6.1 gives with Debian 12's
# Sphinx: docs-upstream-warnings lists them, each exactly as it is printed
# (tree path left out), all from upstream files.  A warning from one of
# our files, or one that is not on the list, fails.  Also checks that
# every exported symbol appears on one of our pages.  Run deps.sh (it
# installs Sphinx) and tree.sh first; make docs does.
# Output: $BUILD_DIR/docs/Documentation/output/{driver-api,userspace-api},
# log: $BUILD_DIR/docs/sphinx.log, warnings: $BUILD_DIR/docs/warnings.txt.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

out=$BUILD_DIR/docs
log=$out/sphinx.log
html=$out/Documentation/output
known=$HARNESS/docs-upstream-warnings
ours=(driver-api/dma-buf userspace-api/dma-buf-uapi)
for p in "${ours[@]}"; do
	[ -f "$TREE/Documentation/$p.rst" ] || die "Documentation/$p.rst missing from the tree"
done
# A clean build every time: Sphinx only warns about the pages it reads.
rm -rf "$out" && mkdir -p "$out"

say "rendering driver-api and userspace-api with make htmldocs (log: $log)"
start=$SECONDS
# DOCS_THEME goes on make's command line: 6.1's Documentation/Makefile
# empties the environment's, and conf.py then finds no theme named ''.
env -u DOCS_THEME nice -n 10 make -C "$TREE" O="$out" ${DOCS_THEME:+DOCS_THEME="$DOCS_THEME"} \
	SPHINXDIRS="driver-api userspace-api" htmldocs > "$log" 2>&1 || rc=$?
secs=$((SECONDS - start))
if [ "${rc:-0}" -ne 0 ]; then
	tail -n 30 "$log"
	die "make htmldocs failed"
fi

# Warnings and errors, Sphinx's own and kernel-doc's, with the tree's
# location left out so that they read as kernel paths.
grep -E 'WARNING|ERROR|CRITICAL|SEVERE|warning:|error:' "$log" |
	sed "s|$TREE/||g" | sort -u > "$out/warnings.txt" || true
{ grep -v -e '^#' -e '^$' "$known" || true; } | sort -u > "$out/known.txt"
comm -23 "$out/warnings.txt" "$out/known.txt" > "$out/new.txt"
comm -12 "$out/warnings.txt" "$out/known.txt" > "$out/upstream.txt"
# A listed warning that names a path of ours, or a file our edits change,
# would hide one of ours: the list is wrong then.
while read -r p; do
	if grep -q -F "$p" "$out/known.txt"; then
		die "docs-upstream-warnings lists a warning about $p, which is ours"
	fi
done < <(owned_paths; sed -n 's|^+++ b/||p' "$REPO/$EDITS"/*.patch)
echo "    rendered in $secs s: $(wc -l < "$out/new.txt") new warnings," \
	"$(wc -l < "$out/upstream.txt") known from pristine 6.1 (docs-upstream-warnings)"

# Every exported symbol has to be on one of our pages: functions through
# their kernel-doc, data (the fence ops tables, the ww_class) as c:var
# entries.
pages=()
for p in "${ours[@]}"; do
	pages+=("$html/$p.html")
done
missing=()
checked=0
while read -r f sym; do
	checked=$((checked + 1))
	grep -q "id=\"c\.$sym\"" "${pages[@]}" || missing+=("$sym")
done < <(cd "$TREE" && grep -o 'EXPORT_SYMBOL[A-Z_]*([a-z0-9_]*' \
	drivers/dma-buf/*.c drivers/dma-buf/heaps/*.c | sed 's/:.*(/ /')
if [ ${#missing[@]} -gt 0 ]; then
	die "exported but not in the documentation: ${missing[*]}"
fi
echo "    $checked exported symbols, each on a page"
if [ -s "$out/new.txt" ]; then
	cat "$out/new.txt"
	die "the documentation has $(wc -l < "$out/new.txt") warnings not known from pristine 6.1"
fi
