#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: deps.sh
# Installs the Debian packages the harness needs, if any is missing.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

pkgs=(linux-source-6.1 v4l-utils qemu-system-x86 gcc make flex bison bc libelf-dev
      libssl-dev cpio sparse busybox-static ccache python3 rsync perl git
      xz-utils kmod libc6-dev python3-sphinx python3-sphinx-rtd-theme
      libasan8 libubsan1 libtsan2 valgrind lcov python3-ply python3-git)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

say "installing Debian packages: ${missing[*]}"
[ "$(id -u)" -eq 0 ] ||
	die "these packages are missing and installing them needs root: apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" > "$BUILD_DIR/apt.log" 2>&1 ||
	{ tail -n 20 "$BUILD_DIR/apt.log"; die "apt-get install failed"; }
