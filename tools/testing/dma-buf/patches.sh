#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: patches.sh [--verify]
# Writes the project as a git format-patch series against the pristine
# Debian 6.1 tree into $BUILD_DIR/patches: first a patch deleting what we
# own, then one patch per commit of ours, with kernel paths.  --verify also
# applies the series with git am to a fresh branch of the pristine tree and
# checks that the result equals the overlay of HEAD.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

pg=$BUILD_DIR/pristine-git
out=$BUILD_DIR/patches
git_pg() { git -C "$pg" -c user.name=harness -c user.email=harness@localhost "$@"; }

stamp=$(stat -c '%s %Y' "$TARBALL")
if [ "$(cat "$BUILD_DIR/pristine-git.stamp" 2>/dev/null)" != "$stamp" ]; then
	say "making a git repository of the pristine tree (once)"
	rm -rf "$pg" "$BUILD_DIR/pg-unpack"
	mkdir -p "$BUILD_DIR/pg-unpack"
	tar -C "$BUILD_DIR/pg-unpack" -xf "$TARBALL"
	mv "$BUILD_DIR/pg-unpack/linux-source-6.1" "$pg"
	rmdir "$BUILD_DIR/pg-unpack"
	git_pg init -q
	git_pg add -A -f
	git_pg commit -q -m "Linux 6.1 as shipped by Debian (linux-source-6.1)"
	git_pg tag -f pristine > /dev/null
	: | stage /dev/null "$BUILD_DIR/empty-stage"
	overlay "$BUILD_DIR/empty-stage" "$pg"
	git_pg add -A -f
	git_pg commit -q -m "dma-buf: remove the upstream implementation

Deletes every path the series owns; the following patches put a new
implementation in their place."
	git_pg tag -f base > /dev/null
	echo "$stamp" > "$BUILD_DIR/pristine-git.stamp"
fi

say "replaying our commits onto the pristine tree"
git_pg checkout -q -f -B series base
tmp=$BUILD_DIR/replay
for c in $(git -C "$REPO" rev-list --reverse HEAD); do
	rm -rf "$tmp" && mkdir -p "$tmp/src"
	git -C "$REPO" archive "$c" | tar -x -C "$tmp/src"
	(cd "$tmp/src" && find . -type f | sed 's|^\./||') | stage "$tmp/src" "$tmp/stage"
	overlay "$tmp/stage" "$pg"
	git_pg add -A -f
	git_pg diff --cached --quiet && continue
	GIT_AUTHOR_NAME=$(git -C "$REPO" log -1 --format=%an "$c") \
	GIT_AUTHOR_EMAIL=$(git -C "$REPO" log -1 --format=%ae "$c") \
	GIT_AUTHOR_DATE=$(git -C "$REPO" log -1 --format=%aD "$c") \
		git_pg commit -q -F <(git -C "$REPO" log -1 --format=%B "$c")
done
rm -rf "$out"
git_pg format-patch -q -o "$out" pristine..series
echo "    $(ls "$out" | wc -l) patches in $out"

[ "${1:-}" = --verify ] || exit 0
say "applying the series with git am to the pristine tree"
git_pg checkout -q -f -B verify pristine
git_pg am -q "$out"/*.patch
guard "$tmp/stage" "$pg"
git_pg checkout -q -f series
echo "    the series applies and gives exactly HEAD's files at the owned paths"
# The tree tree.sh built from the working tree: the same files when nothing
# is left uncommitted, so the series is what was built and booted.
if [ -d "$BUILD_DIR/stage" ]; then
	if diff -r -q "$tmp/stage" "$BUILD_DIR/stage" > /dev/null; then
		echo "    ... and those are the files that were built and booted"
	else
		echo "    note: the working tree has uncommitted changes; the series holds HEAD"
	fi
fi
