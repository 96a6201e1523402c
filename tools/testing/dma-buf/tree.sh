#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: tree.sh
# Assembles $BUILD_DIR/linux: the pristine Debian 6.1 source with every
# owned path replaced by the project's files, then proves it (the guard).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ -f "$TARBALL" ] || die "$TARBALL missing (apt-get install linux-source-6.1)"
stamp=$(stat -c '%s %Y' "$TARBALL")
if [ "$(cat "$TREE/.pristine" 2>/dev/null)" != "$stamp" ]; then
	say "unpacking $(basename "$TARBALL") into $TREE"
	rm -rf "$TREE" "$BUILD_DIR/unpack"
	mkdir -p "$BUILD_DIR/unpack"
	tar -C "$BUILD_DIR/unpack" -xf "$TARBALL"
	mv "$BUILD_DIR/unpack/linux-source-6.1" "$TREE"
	rmdir "$BUILD_DIR/unpack"
	echo "$stamp" > "$TREE/.pristine"
fi

say "installing the project over the owned paths"
project_files | stage "$REPO" "$BUILD_DIR/stage"
overlay "$BUILD_DIR/stage" "$TREE"
guard "$BUILD_DIR/stage" "$TREE" ||
	die "guard: the tree does not hold exactly the project's files at the owned paths"
echo "    guard: $(find "$BUILD_DIR/stage" -type f | wc -l) project files installed, nothing of upstream left under $(owned_paths | wc -l) owned paths"
