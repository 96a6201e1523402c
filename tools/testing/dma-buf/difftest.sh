#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: difftest.sh   (make difftest; make test runs it too)
# Runs the same deterministic programs on our kernel and on the pristine
# 6.1 kernel and compares what each observed, line by line.  Both kernels
# are make bench's (build.sh bench and bench-upstream: one config, with
# the DRM and V4L2 consumers, udmabuf, the heaps and sw_sync).  Each boots
# once and runs, with one seed, difftest_user (the uAPI: built once,
# statically, against 6.1's uAPI headers) and difftest_kapi (the kernel
# API: a module built against each kernel), whose output leaves the guest
# on a second serial port.  difftest.py compares the two outputs and
# records one outcome per case, diff:<suite>.<case>, in $RESULTS; the
# exit status is non-zero when any of them failed.
# DIFF_SEED replays a seed; DIFF_SEQUENCES sets the random sequences each
# program runs (default 2000).
set -uo pipefail
source "$(dirname "$0")/lib.sh"

out=$BUILD_DIR/difftest
seed=${DIFF_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
seqs=${DIFF_SEQUENCES:-2000}
mkdir -p "$out"

step() { # NAME CMD...: a step that counts as one outcome
	local name=$1
	shift
	if "$@"; then record PASS "$name"; else record FAIL "$name"; return 1; fi
}

kernels() {
	"$HARNESS/build.sh" bench && "$HARNESS/build.sh" bench-upstream
}

# The user program against 6.1's uAPI headers, whatever ours say.
user_program() {
	local hdr=$out/headers-6.1
	say "building difftest_user against 6.1's uAPI headers (log: $out/user.log)"
	{
		TREE=$UPSTREAM_TREE kmake "$(objdir bench-upstream)" headers_install \
			INSTALL_HDR_PATH="$hdr" &&
			gcc -static -O2 -Wall -Wextra -Werror -isystem "$hdr/include" \
				-o "$out/difftest_user" "$HARNESS/difftest/difftest_user.c"
	} > "$out/user.log" 2>&1 || { tail -n 20 "$out/user.log"; return 1; }
}

# syncobj_module FLAVOR DIR: the syncobj host device as a module.
syncobj_module() {
	local flavor=$1 dir=$2 tree=$TREE
	[ "$flavor" = bench-upstream ] && tree=$UPSTREAM_TREE
	rm -rf "$dir" && mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	cp "$REPO/tests/drm_syncobj_host.c" "$HARNESS/difftest/syncobj/Makefile" "$dir/"
	TREE=$tree run_logged "$dir/build.log" kmake "$(objdir "$flavor")" M="$dir" modules &&
		! grep -E '(warning|error):' "$dir/build.log"
}

modules() {
	local side flavor
	for side in ours upstream; do
		flavor=bench
		[ $side = upstream ] && flavor=bench-upstream
		"$HARNESS/module.sh" difftest/kapi $flavor "$out/kapi-$side" &&
			syncobj_module $flavor "$out/syncobj-$side" || return 1
		rm -rf "${out:?}/$side" && mkdir -p "$out/$side"
		cp "$out/difftest_user" "$out/kapi-$side/difftest_kapi.ko" \
			"$out/syncobj-$side/drm_syncobj_host.ko" "$out/$side/"
		"$HARNESS/initramfs.sh" $flavor "$out/$side" "$out/initramfs-$side.cpio.gz"
	done
}

# boot SIDE: one boot, its console in $out/boot-SIDE.log and what the
# programs printed in $out/SIDE.out.
boot() {
	local side=$1 flavor=bench start=$SECONDS
	[ "$side" = upstream ] && flavor=bench-upstream
	say "booting the $side kernel: seed $seed, $seqs random sequences per program"
	rm -f "$out/$side.out"
	# A boot takes under half a minute: a hang ends after five.
	QEMU_TIMEOUT=${QEMU_TIMEOUT:-300} \
		INITRD=$out/initramfs-$side.cpio.gz BOOT_LOG=$out/boot-$side.log \
		DIFF_OUT=$out/$side.out DIFF_SEED=$seed DIFF_SEQUENCES=$seqs \
		"$HARNESS/boot.sh" $flavor difftest
	echo "    $((SECONDS - start)) s, $(grep -c -v '^#' "$out/$side.out" 2>/dev/null || echo 0) lines"
}

step build:difftest-kernels kernels &&
	step build:difftest-programs eval 'user_program && modules' || exit 1
boot ours
boot upstream
python3 "$HARNESS/difftest.py" --seed "$seed" \
	--intended "$HARNESS/difftest/intended-differences" \
	--results "$RESULTS" --ours-log "$out/boot-ours.log" \
	"$out/ours.out" "$out/upstream.out"
pass=$(grep -c -E '^PASS (diff:|build:difftest)' "$RESULTS")
fail=$(grep -c -E '^FAIL (diff:|build:difftest)' "$RESULTS")
echo "    differential test: $pass passed, $fail failed (seed $seed; outputs in $out)"
[ "$fail" -eq 0 ]
