#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: tree.sh
# Assembles $BUILD_DIR/linux: the pristine Debian 6.1 source with every
# owned path replaced by the project's files and the edits of lib.sh
# applied, then proves it (the guard).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

unpack_pristine "$TREE"

say "installing the project over the owned paths"
project_files | stage "$REPO" "$BUILD_DIR/stage"
overlay "$BUILD_DIR/stage" "$TREE"
guard "$BUILD_DIR/stage" "$TREE" ||
	die "guard: the tree does not hold exactly the project's files at the owned paths"
echo "    guard: $(find "$BUILD_DIR/stage" -path "$BUILD_DIR/stage/.edits" -prune -o -type f -print | wc -l) project files installed, nothing of upstream left under $(owned_paths | wc -l) owned paths, $(find "$BUILD_DIR/stage/.edits" -name '*.patch' 2>/dev/null | wc -l) edits applied"
