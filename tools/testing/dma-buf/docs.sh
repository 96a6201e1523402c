#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: docs.sh
# Renders our documentation pages with the kernel's own Sphinx setup
# (Documentation/conf.py and its kerneldoc extension) and fails on any
# warning.  Only our pages are built: they are copied into a small
# Sphinx project of their own under $BUILD_DIR/docs/src, laid out as in
# Documentation/ so cross references between them resolve, while the
# kernel-doc directives read the sources of the assembled tree.  Also
# checks that every exported symbol appears on a page.  Run deps.sh
# (it installs Sphinx) and tree.sh first; make docs does.
# Output: $BUILD_DIR/docs/html, log: $BUILD_DIR/docs/sphinx.log.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# Our pages, as kernel paths.  The examples the uAPI page includes with
# literalinclude are copied along.
pages=(driver-api/dma-buf userspace-api/dma-buf-uapi)

out=$BUILD_DIR/docs
src=$out/src
log=$out/sphinx.log
rm -rf "$out" && mkdir -p "$src"

{
	printf '.. SPDX-License-Identifier: GPL-2.0-only\n\n'
	printf 'dma-buf documentation\n=====================\n\n'
	printf '.. toctree::\n   :maxdepth: 2\n\n'
	for p in "${pages[@]}"; do
		[ -f "$TREE/Documentation/$p.rst" ] ||
			die "Documentation/$p.rst missing from the tree"
		printf '   %s\n' "$p"
	done
} > "$src/index.rst"
for p in "${pages[@]}"; do
	mkdir -p "$src/$(dirname "$p")"
	cp "$TREE/Documentation/$p.rst" "$src/$p.rst"
done
if [ -d "$TREE/Documentation/userspace-api/dma-buf-examples" ]; then
	cp -r "$TREE/Documentation/userspace-api/dma-buf-examples" "$src/userspace-api/"
fi

say "rendering the documentation with Sphinx (log: $log)"
start=$SECONDS
# conf.py finds its extensions through the relative path 'sphinx'.
(cd "$TREE/Documentation" &&
	DOCS_THEME=${DOCS_THEME:-sphinx_rtd_theme} sphinx-build -b html -q \
		-c "$TREE/Documentation" -d "$out/doctrees" \
		-D kerneldoc_srctree="$TREE" -D kerneldoc_bin="$TREE/scripts/kernel-doc" \
		"$src" "$out/html") > "$log" 2>&1 || rc=$?
# Warnings and errors: Sphinx's own, and kernel-doc's as passed through.
# The one about graphviz's dot(1) missing concerns the kernel's conf.py, not
# our pages (which have no graphs), and is left out.
grep -E 'WARNING|ERROR|CRITICAL|SEVERE|warning:|error:' "$log" |
	grep -v 'dot(1) not found' > "$out/warnings.txt" || true
n=$(wc -l < "$out/warnings.txt")
echo "    rendered in $((SECONDS - start)) s: $n warnings, html in $out/html/index.html"
if [ "${rc:-0}" -ne 0 ]; then
	tail -n 30 "$log"
	die "sphinx-build failed"
fi
# Every exported symbol has to be on a page: functions through their
# kernel-doc, data (the fence ops tables, the ww_class) as c:var entries.
missing=()
checked=0
while read -r f sym; do
	checked=$((checked + 1))
	grep -q "id=\"c\.$sym\"" "$out"/html/*/*.html || missing+=("$sym")
done < <(cd "$TREE" && grep -o 'EXPORT_SYMBOL[A-Z_]*([a-z0-9_]*' \
	drivers/dma-buf/*.c drivers/dma-buf/heaps/*.c | sed 's/:.*(/ /')
if [ ${#missing[@]} -gt 0 ]; then
	die "exported but not in the documentation: ${missing[*]}"
fi
echo "    $checked exported symbols, each on a page"
if [ "$n" -gt 0 ]; then
	cat "$out/warnings.txt"
	die "the documentation has $n warnings"
fi
