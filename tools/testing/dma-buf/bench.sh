#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: bench.sh   (make bench)
# Our drivers/dma-buf against the pristine 6.1 one, side by side: builds
# both benchmark kernels (build.sh bench, bench-upstream: one config, no
# debug options), the benchmark module against each and the static user
# benchmark once, then boots them in turn, ours first, BENCH_BOOTS times
# each (default 2), every boot running BENCH_ROUNDS rounds (default 3).
# BENCH_CLOCK says what a guest nanosecond is: icount (the default), one
# instruction executed by the guest (which then has one vCPU), so that the
# host's load does not move the figures; host, the host's time as TCG lets
# the guest (two vCPUs) see it.
# bench-table.py turns the logs into the table, printed and written to
# $BUILD_DIR/bench/results.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

out=$BUILD_DIR/bench
boots=${BENCH_BOOTS:-2}
export BENCH_ROUNDS=${BENCH_ROUNDS:-3}
export BENCH_CLOCK=${BENCH_CLOCK:-icount}
case $BENCH_CLOCK in
icount | host) ;;
*) die "BENCH_CLOCK must be icount or host, not '$BENCH_CLOCK'" ;;
esac
mkdir -p "$out"

"$HARNESS/deps.sh"
"$HARNESS/tree.sh"
"$HARNESS/build.sh" bench
"$HARNESS/build.sh" bench-upstream

say "building the user benchmark (log: $out/user.log)"
hdr=$out/headers
{
	kmake "$BUILD_DIR/obj-bench" headers_install INSTALL_HDR_PATH="$hdr" &&
		gcc -static -O2 -Wall -Werror -isystem "$hdr/include" \
			-o "$out/bench_user" "$HARNESS/bench/bench_user.c"
} > "$out/user.log" 2>&1 || { tail -n 20 "$out/user.log"; die "user benchmark build failed"; }

for side in ours upstream; do
	flavor=bench
	[ $side = upstream ] && flavor=bench-upstream
	"$HARNESS/module.sh" bench $flavor "$out/module-$side"
	rm -rf "${out:?}/$side" && mkdir -p "$out/$side"
	cp "$out/module-$side/dmabuf_bench.ko" "$out/bench_user" "$out/$side/"
	"$HARNESS/initramfs.sh" $flavor "$out/$side"
done

rm -f "$out"/boot-*.log
for b in $(seq "$boots"); do
	for side in ours upstream; do
		flavor=bench
		[ $side = upstream ] && flavor=bench-upstream
		say "boot $b of $boots, $side kernel: $BENCH_ROUNDS rounds, $BENCH_CLOCK clock"
		start=$SECONDS
		"$HARNESS/boot.sh" "$flavor" bench
		cp "$(objdir "$flavor")/boot.log" "$out/boot-$side-$b.log"
		echo "    $((SECONDS - start)) s, $(grep -c 'bench: .*=' "$out/boot-$side-$b.log") lines of results"
		grep -h -E 'bench: .*failed|BUG:|Oops|WARNING:' "$out/boot-$side-$b.log" || true
	done
done

python3 "$HARNESS/bench-table.py" --rounds "$BENCH_ROUNDS" --boots "$boots" \
	--clock "$BENCH_CLOCK" \
	"$out"/boot-ours-*.log -- "$out"/boot-upstream-*.log > "$out/results.md"
say "the same code natively, in userspace (make userspace-bench)"
"$HARNESS/userspace-bench.sh" "$out" > /dev/null ||
	echo "    the userspace benchmark failed: $BUILD_DIR/userspace/bench.log"
cat "$out/results.md"
echo "    (also in $out/results.md)"
