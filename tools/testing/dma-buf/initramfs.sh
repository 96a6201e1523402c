#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: initramfs.sh [FLAVOR [DIR [OUT]]]
# Packs busybox, the init with its per-mode scripts (init.d/) and the
# static test programs staged in DIR (default $BUILD_DIR/tests; make bench
# and difftest.sh stage their own) into /tests of OUT (default
# $BUILD_DIR/obj-FLAVOR/initramfs.cpio.gz), and with the test programs
# v4l2-compliance and its libraries and, once module.sh has built it, the
# lifetime test module (at lib.sh's MODTEST_KO_PATH).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

obj=$(objdir "${1:-debug}")
busybox=/bin/busybox # static, from busybox-static
progs=${2:-$BUILD_DIR/tests}
cpio=${3:-$obj/initramfs.cpio.gz}
mkdir -p "$progs"
list=${cpio%.cpio.gz}.list
{
	printf 'dir /%s 755 0 0\n' dev proc sys tmp bin tests init.d
	echo "nod /dev/console 600 0 0 c 5 1"
	echo "file /bin/busybox $busybox 755 0 0"
	echo "slink /bin/sh busybox 777 0 0"
	echo "file /init $HARNESS/init 755 0 0"
	for s in "$HARNESS"/init.d/*; do
		echo "file /init.d/$(basename "$s") $s 644 0 0"
	done
	for t in "$progs"/*; do
		[ -f "$t" ] && echo "file /tests/$(basename "$t") $t 755 0 0"
	done
	# module_test's module (module.sh modtest), where it looks for it; not
	# executable, so that the init does not run it.
	ko=$BUILD_DIR/modtest/dmabuf_modtest.ko
	if [ "$progs" = "$BUILD_DIR/tests" ] && [ -f "$ko" ]; then
		echo "dir $(dirname "$MODTEST_KO_PATH") 755 0 0"
		echo "file $MODTEST_KO_PATH $ko 644 0 0"
	fi
	# v4l2-compliance is dynamically linked: it comes with its libraries,
	# at the paths its loader looks in.  The wrapper reports its absence.
	tool=
	if [ "$progs" = "$BUILD_DIR/tests" ]; then
		echo "file /tests/v4l2_compliance $HARNESS/v4l2-compliance.sh 755 0 0"
		tool=$(command -v v4l2-compliance || true)
	fi
	if [ -n "$tool" ]; then
		printf 'dir /%s 755 0 0\n' usr usr/bin
		echo "file /usr/bin/v4l2-compliance $tool 755 0 0"
		ldd "$tool" | grep -o '/[^ ]*' | sort -u | while read -r lib; do
			d=$(dirname "$lib")
			case $d in
			/lib64) echo "dir /lib64 755 0 0" ;;
			*) printf 'dir %s 755 0 0\n' /lib "$d" ;;
			esac
			echo "file $lib $(readlink -f "$lib") 755 0 0"
		done | awk '!seen[$0]++'
	fi
} > "$list"
"$obj/usr/gen_init_cpio" "$list" | gzip -1 > "$cpio"
