#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: series-check.sh [FIRST [LAST]]
# Builds and boots the tree at every patch of the series (patches.sh), or
# at patches FIRST..LAST: the debug kernel (the fragments of build.sh's
# debug flavor) warning-free, drivers/dma-buf again with W=1 and sparse
# (as checks.sh), then a boot running the KUnit suites that patch has,
# read by results.py.  Prints one line per patch and fails if any failed.
#
# Everything happens in $BUILD_DIR/series-check, laid out as a build
# directory (linux/, obj-debug/, obj-check/), so ccache finds what the
# other builds compiled.  linux/ is a git worktree of the series moved
# from patch to patch, and the objdirs are reused: each step rebuilds only
# what its patch changed.  A Kconfig option a fragment asks for but the
# tree at that patch does not define yet is not an error; any other
# option that does not take effect is (build.sh's ONLY_DEFINED_OPTIONS).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

"$HARNESS/patches.sh"
pg=$BUILD_DIR/pristine-git
mapfile -t commits < <(git -C "$pg" rev-list --reverse pristine..series)
first=${1:-1}
last=${2:-${#commits[@]}}

# From here on, the series' own build directory, for the scripts run too.
export BUILD_DIR=$BUILD_DIR/series-check
TREE=$BUILD_DIR/linux
obj=$BUILD_DIR/obj-debug
chk=$BUILD_DIR/obj-check
log=$BUILD_DIR/series-check.txt
mkdir -p "$obj" "$chk" "$BUILD_DIR/progs"
# The worktree, unless it is there and is one of the series' repository
# (the build directory may lie inside another repository: never let git
# find that one instead).
if [ ! -f "$TREE/.git" ] ||
	[ "$(git -C "$TREE" rev-parse --show-toplevel 2> /dev/null)" != "$TREE" ] ||
	[ "$(git -C "$TREE" rev-parse --git-common-dir)" != "$pg/.git" ]; then
	rm -rf "$TREE"
	git -C "$pg" worktree prune
	git -C "$pg" worktree add -q --detach "$TREE" "${commits[0]}"
fi

# configure: build.sh's debug config on the tree at this patch, in both
# objdirs.
configure() {
	ONLY_DEFINED_OPTIONS=1 "$HARNESS/build.sh" --configure-only debug || return 1
	cmp -s "$obj/.config" "$chk/.config" || cp "$obj/.config" "$chk/.config"
}

# build: the kernel, warning-free.  w1: drivers/dma-buf with W=1 and
# sparse, every file compiled again (ccache replays its warnings); the
# findings count in the files the series has changed so far, those in
# 6.1's own files, not replaced yet, are only counted.
build() {
	run_logged "$obj/build.log" kmake "$obj" bzImage || return 1
	! grep -E '(warning|error):' "$obj/build.log"
}

w1() {
	local changed l f
	rm -rf "$chk/drivers/dma-buf"
	run_logged "$chk/build.log" kmake "$chk" W=1 C=2 drivers/dma-buf/ || return 1
	changed=$(git -C "$TREE" diff --name-only pristine HEAD)
	: > "$BUILD_DIR/w1-ours.log"
	: > "$BUILD_DIR/w1-6.1.log"
	grep -E '(warning|error):' "$chk/build.log" | grep -v '^make' |
		sed -e "s|^$TREE/||" -e 's|^\.\./linux/||' |
		while IFS= read -r l; do
			f=${l%%:*}
			if [[ $l == *error:* ]] || grep -q -x -F "$f" <<< "$changed"; then
				echo "$l" >> "$BUILD_DIR/w1-ours.log"
			else
				echo "$l" >> "$BUILD_DIR/w1-6.1.log"
			fi
		done
	cat "$BUILD_DIR/w1-ours.log"
	[ ! -s "$BUILD_DIR/w1-ours.log" ]
}

say "series check: patches $first..$last of ${#commits[@]} (log: $log)"
: > "$log"
failed=0
t0=$SECONDS
for ((k = first; k <= last; k++)); do
	c=${commits[k - 1]}
	subject=$(git -C "$pg" log -1 --format=%s "$c")
	say "patch $k: $subject"
	git -C "$TREE" checkout -q --detach "$c"
	t=$SECONDS
	what=
	if ! configure; then
		what="config mismatch"
	elif ! build; then
		what="build failed or warned (log: $obj/build.log)"
	fi
	tb=$((SECONDS - t))
	note=
	if [ -z "$what" ] && ! w1 > "$BUILD_DIR/w1-$k.log"; then
		note="; W=1/sparse findings in the series' files ($BUILD_DIR/w1-$k.log)"
	fi
	if [ -z "$what" ]; then
		t=$SECONDS
		"$HARNESS/initramfs.sh" debug "$BUILD_DIR/progs"
		"$HARNESS/boot.sh" debug quiet || true
		cp "$obj/boot.log" "$BUILD_DIR/boot-$k.log"
		python3 "$HARNESS/results.py" "$obj/boot.log" > "$BUILD_DIR/results-$k.txt" || true
		pass=$(grep -c '^PASS' "$BUILD_DIR/results-$k.txt" || true)
		fail=$(grep -c '^FAIL' "$BUILD_DIR/results-$k.txt" || true)
		kunit=$(grep -c '^PASS kunit:' "$BUILD_DIR/results-$k.txt" || true)
		what="built in ${tb} s; booted in $((SECONDS - t)) s: $pass passed ($kunit KUnit cases), $fail failed"
		n=$(wc -l < "$BUILD_DIR/w1-6.1.log")
		[ "$n" -eq 0 ] || what+="; $n W=1 findings in 6.1 files not replaced yet"
		what+=$note
		[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ] && [ -z "$note" ] ||
			what="FAILED: $what (boot-$k.log)"
	else
		what="FAILED: $what"
	fi
	case $what in FAILED*) failed=1 ;; esac
	printf '%02d %s: %s\n' "$k" "$subject" "$what" | tee -a "$log"
done
echo "    $((last - first + 1)) patches in $((SECONDS - t0)) s" | tee -a "$log"
[ $failed = 0 ]
