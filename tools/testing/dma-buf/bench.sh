#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: bench.sh   (make bench)
# Our drivers/dma-buf against the pristine 6.1 one, side by side: builds
# both benchmark kernels (build.sh bench, bench-upstream: one config, no
# debug options) and a third, ours with CONFIG_DMA_FENCE_DEBUG on
# (bench-fence-debug), the benchmark module against each and the static
# user benchmark once, then boots them in turn, ours, upstream, ours with
# the option, BENCH_BOOTS times each (default 2), every boot running
# BENCH_ROUNDS rounds (default 3).  The third kernel runs only the fence
# and reservation rows (fence_debug_rows below); BENCH_FENCE_DEBUG=0
# leaves it out.
# BENCH_ONLY=PREFIX[,PREFIX...] runs only the module's rows that start
# with one of the prefixes, and no user benchmark; the third kernel then
# runs those of its rows that match.
# BENCH_CLOCK says what a guest nanosecond is: icount (the default), one
# instruction executed by the guest (which then has one vCPU), so that the
# host's load does not move the figures; host, the host's time as TCG lets
# the guest (two vCPUs) see it.
# bench-table.py turns the logs into the table, printed and written to
# $BUILD_DIR/bench/results.md and, with when, where and how it was made,
# to bench/RESULTS.md, the table the repository keeps (commit it).  A
# BENCH_ONLY run, which has only some of the rows, leaves that file be.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

out=$BUILD_DIR/bench
committed=$HARNESS/bench/RESULTS.md
started=$SECONDS
# The command as given: make bench and the variables that shape the run.
command="make bench"
for v in BENCH_BOOTS BENCH_ROUNDS BENCH_CLOCK BENCH_ONLY BENCH_FENCE_DEBUG QEMU_ACCEL; do
	[ -n "${!v:-}" ] && command+=" $v=${!v}"
done
boots=${BENCH_BOOTS:-2}
export BENCH_ROUNDS=${BENCH_ROUNDS:-3}
export BENCH_CLOCK=${BENCH_CLOCK:-icount}
case $BENCH_CLOCK in
icount | host) ;;
*) die "BENCH_CLOCK must be icount or host, not '$BENCH_CLOCK'" ;;
esac
case ${BENCH_FENCE_DEBUG:=1} in
0 | 1) ;;
*) die "BENCH_FENCE_DEBUG must be 0 or 1, not '$BENCH_FENCE_DEBUG'" ;;
esac
mkdir -p "$out"

# The rows the CONFIG_DMA_FENCE_DEBUG kernel runs (prefixes, as BENCH_ONLY
# spells them): every fence and reservation row.  Those whose timed part
# enables signaling, adds a callback, waits, signals or frees a fence go
# through the tracking and show its cost; the others (fence_is_signaled,
# resv_add_*, resv_iter_*, resv_get_fences, resv_test_signaled,
# resv_copy_fences, chain_find_seqno) show that it costs them nothing.
# The dma-buf rows do not wait on fences and the mem_ rows count bytes.
fence_debug_rows=(fence_ resv_ array_ chain_ unwrap_)

# debug_only: the BENCH_ONLY of the third kernel's boots, those of its rows
# that BENCH_ONLY also asks for (empty: none).  Two prefixes select rows
# in common only when one starts with the other; the longer then says it.
debug_only() {
	local want d u sel=()
	IFS=, read -r -a want <<< "${BENCH_ONLY:-}"
	[ ${#want[@]} -gt 0 ] || want=("")
	for d in "${fence_debug_rows[@]}"; do
		for u in "${want[@]}"; do
			case $d in
			"$u"*) sel+=("$d") ;;
			*) case $u in "$d"*) sel+=("$u") ;; esac ;;
			esac
		done
	done
	[ ${#sel[@]} -eq 0 ] || (IFS=,; echo "${sel[*]}")
}
sides=(ours upstream)
debug_rows=
if [ "$BENCH_FENCE_DEBUG" = 1 ]; then
	debug_rows=$(debug_only)
	if [ -n "$debug_rows" ]; then
		sides+=(debug)
	else
		say "BENCH_ONLY=$BENCH_ONLY has none of the fence rows: no CONFIG_DMA_FENCE_DEBUG kernel"
	fi
fi
# side_flavor SIDE: the kernel a side of the table boots.
side_flavor() {
	case $1 in
	ours) echo bench ;;
	upstream) echo bench-upstream ;;
	debug) echo bench-fence-debug ;;
	esac
}

# The commit the kernels are built from, read before tree.sh copies it:
# figures are honest only for committed sources, so say when they were not.
rev=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C "$REPO" status --porcelain --untracked-files=no -- \
	':(exclude)*.md' 2>/dev/null)" ] || rev+=" with uncommitted changes"

# Markdown lines on what produced the table: when, from what, on what.
about() {
	local cpu mem version deb
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
	version=$(awk '/^(VERSION|PATCHLEVEL|SUBLEVEL) =/ { v = v s $3; s = "." }
		END { print v }' "$TREE/Makefile")
	deb=$(dpkg-query -W -f '${Version}' linux-source-6.1 2>/dev/null || true)
	echo "- Made by \`$command\` on $(date -u '+%Y-%m-%d at %H:%M UTC'): the"
	echo "  builds took $(((built - started) / 60)) min, the boots $(((booted - built) / 60)) min."
	echo "- Kernels: Linux $version from $(basename "$TARBALL")${deb:+ ($deb)},"
	echo "  as it is (upstream) and with this repository's \`drivers/dma-buf\`"
	echo "  and headers at $rev (ours); one config for both"
	echo "  (\`configs/base\`, \`consumers\` and \`bench\`)."
	if [ -n "$debug_rows" ]; then
		echo "- debug: ours with \`configs/bench-fence-debug\` on top"
		echo "  (CONFIG_DMA_FENCE_DEBUG=y), running $debug_rows."
	fi
	echo "- Machine: ${cpu:-an unknown CPU}, $(nproc) CPUs, $mem, Linux $(uname -r);"
	if [ "$BENCH_CLOCK" = icount ]; then
		echo "  $(qemu-system-x86_64 --version | head -n 1), TCG, one vCPU;"
	else
		echo "  $(qemu-system-x86_64 --version | head -n 1), ${QEMU_ACCEL:-TCG, or KVM where boot.sh finds it},"
		echo "  two vCPUs;"
	fi
	echo "  load average $(cut -d ' ' -f 1-3 /proc/loadavg) after the boots."
}

"$HARNESS/deps.sh"
"$HARNESS/tree.sh"
for side in "${sides[@]}"; do
	"$HARNESS/build.sh" "$(side_flavor "$side")"
done

say "building the user benchmark (log: $out/user.log)"
hdr=$out/headers
{
	kmake "$BUILD_DIR/obj-bench" headers_install INSTALL_HDR_PATH="$hdr" &&
		gcc -static -O2 -Wall -Werror -isystem "$hdr/include" \
			-o "$out/bench_user" "$HARNESS/bench/bench_user.c"
} > "$out/user.log" 2>&1 || { tail -n 20 "$out/user.log"; die "user benchmark build failed"; }

for side in "${sides[@]}"; do
	flavor=$(side_flavor "$side")
	"$HARNESS/module.sh" bench "$flavor" "$out/module-$side"
	rm -rf "${out:?}/$side" && mkdir -p "$out/$side"
	cp "$out/module-$side/dmabuf_bench.ko" "$out/bench_user" "$out/$side/"
	"$HARNESS/initramfs.sh" "$flavor" "$out/$side"
done

built=$SECONDS
rm -f "$out"/boot-*.log
for b in $(seq "$boots"); do
	for side in "${sides[@]}"; do
		flavor=$(side_flavor "$side")
		say "boot $b of $boots, $side kernel: $BENCH_ROUNDS rounds, $BENCH_CLOCK clock"
		start=$SECONDS
		if [ "$side" = debug ]; then
			BENCH_ONLY=$debug_rows "$HARNESS/boot.sh" "$flavor" bench
		else
			"$HARNESS/boot.sh" "$flavor" bench
		fi
		cp "$(objdir "$flavor")/boot.log" "$out/boot-$side-$b.log"
		echo "    $((SECONDS - start)) s, $(grep -c 'bench: .*=' "$out/boot-$side-$b.log") lines of results"
		grep -h -E 'bench: .*failed|BUG:|Oops|WARNING:' "$out/boot-$side-$b.log" || true
	done
done

booted=$SECONDS
about > "$out/about.md"
logs=("$out"/boot-ours-*.log -- "$out"/boot-upstream-*.log)
[ -z "$debug_rows" ] || logs+=(-- "$out"/boot-debug-*.log)
python3 "$HARNESS/bench-table.py" --rounds "$BENCH_ROUNDS" --boots "$boots" \
	--clock "$BENCH_CLOCK" --about "$out/about.md" "${logs[@]}" > "$out/results.md"
say "the same code natively, in userspace (make userspace-bench)"
"$HARNESS/userspace-bench.sh" "$out" > /dev/null ||
	echo "    the userspace benchmark failed: $BUILD_DIR/userspace/bench.log"
cat "$out/results.md"
echo "    (also in $out/results.md)"
if [ -z "${BENCH_ONLY:-}" ]; then
	{
		echo "<!-- SPDX-License-Identifier: GPL-2.0-only -->"
		echo "<!-- Written by make bench (tools/testing/dma-buf/bench.sh). -->"
		echo
		cat "$out/results.md"
	} > "$committed"
	echo "    and in ${committed#"$REPO"/}, to commit"
fi
