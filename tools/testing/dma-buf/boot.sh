#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: boot.sh [FLAVOR] [MODE]   (default: debug quiet)
# Boots $BUILD_DIR/obj-FLAVOR in QEMU with its initramfs.  The MODE picks
# the kernel's parameters, the script of the initramfs' /init.d that the
# init runs (init.d/MODE, "test" for quiet and console) and where the
# console goes:
#   quiet     the test boot, the console to obj-FLAVOR/boot.log only; the
#             kernel's gcov counts, when it has them, come back through a
#             second serial port into obj-FLAVOR/gcov.b64 (coverage.sh)
#   console   the test boot, the console also on the terminal
#   shell     the test boot's kernel with an interactive shell
#   demo      the demo on the terminal: no KUnit, a quiet kernel
#   stress    the stress KUnit suite and the fuzz and fault kselftests,
#             each for STRESS_SECONDS (the kernel cases in rounds of 45 s,
#             under the hung-task watchdog's minute), console to the log
#   bench     the benchmarks (BENCH_ROUNDS rounds, default 5), nothing of
#             the test boot's; BENCH_ONLY=prefix[,prefix...] keeps the
#             module's rows of those prefixes and skips the user benchmark; with
#             BENCH_CLOCK=icount (TCG only) the guest, on one vCPU, has a
#             clock that counts the instructions it executes instead of
#             host time (see bench.sh)
#   difftest  the differential test's programs with seed DIFF_SEED and
#             DIFF_SEQUENCES random sequences, no KUnit, a quiet kernel;
#             their output comes through a second serial port into the
#             file DIFF_OUT (see difftest.sh)
# SUITE=glob runs only matching KUnit suites; QEMU_TIMEOUT (seconds,
# default 1200) bounds the run; INITRD and BOOT_LOG override the
# initramfs and the log (default: in obj-FLAVOR).
# Parameters the kernel does not know, NAME=value without a dot, reach
# /init as its environment: that is how the mode and its settings get
# there.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

flavor=${1:-debug}
mode=${2:-quiet}
obj=$(objdir "$flavor")
log=${BOOT_LOG:-$obj/boot.log}
initrd=${INITRD:-$obj/initramfs.cpio.gz}

# The parameters of the file cmdline, on one line.
cmdline_params() { grep -v '^#' "$HARNESS/cmdline" | tr '\n' ' '; }

# test_params KUNIT: the test boot's parameters, KUnit on (1) or off (0).
test_params() {
	local p="console=ttyS0 panic=-1 kunit.enable=$1 trace_event=dma_fence:*"
	p+=" $(cmdline_params)"
	if [ -n "${SUITE:-}" ]; then p+=" kunit.filter_glob=$SUITE"; fi
	printf '%s MODTEST_KO=%s\n' "$p" "$MODTEST_KO_PATH"
}

# Each mode says its parameters and, where it differs from these: init,
# the script of init.d/ the init runs; ttys1, the file the guest's second
# serial port writes; output, where the console goes (log: to the log
# only; tee: to the log and the terminal; interactive: the terminal).
init=$mode
ttys1=
output=log
smp=2
icount=
case $mode in
quiet)
	params="$(test_params 1) DMABUF_GCOV=1"
	init=test ttys1=$obj/gcov.b64
	rm -f "$ttys1"
	;;
console) params=$(test_params 1) init=test output=tee ;;
shell) params=$(test_params 1) output=interactive ;;
demo) params="$(test_params 0) quiet" output=tee ;;
stress)
	secs=${STRESS_SECONDS:-600}
	params="$(test_params 1) kunit.filter_glob=dma-buf-stress"
	params+=" dma_buf_stress_kunit.seconds=$secs"
	params+=" FUZZ_SECONDS=$secs FUZZ_THREADS=${FUZZ_THREADS:-2}"
	;;
bench)
	params="console=ttyS0 panic=-1 BENCH_ROUNDS=${BENCH_ROUNDS:-5}"
	if [ -n "${BENCH_ONLY:-}" ]; then params+=" BENCH_ONLY=$BENCH_ONLY"; fi
	# One guest nanosecond per guest instruction, whatever the host is
	# doing; an idle guest jumps to its next timer instead of waiting for
	# it.  On one vCPU: QEMU 7.2 then runs the vCPUs in turn on one host
	# thread, and a second one takes many virtual seconds just to come up.
	if [ "${BENCH_CLOCK:-host}" = icount ]; then
		smp=1 icount=shift=0,sleep=on
	fi
	;;
difftest)
	params="console=ttyS0 panic=-1 quiet kunit.enable=0 $(cmdline_params)"
	params+=" DIFF_SEED=${DIFF_SEED:?} DIFF_SEQUENCES=${DIFF_SEQUENCES:?}"
	ttys1=${DIFF_OUT:?}
	;;
*) die "unknown mode '$mode' (known: quiet, console, shell, demo, stress, bench, difftest)" ;;
esac
params+=" DMABUF_INIT=$init"

# KVM only when a probe shows it works (it does not on the CI machines).
accel=${QEMU_ACCEL:-}
if [ -z "$accel" ]; then
	accel=tcg
	if [ -w /dev/kvm ] && (echo quit | timeout 10 qemu-system-x86_64 \
		-accel kvm -cpu max -M pc -nodefaults -display none \
		-monitor stdio -S) > /dev/null 2>&1; then
		accel=kvm
	fi
fi
[ -z "$icount" ] || [ "$accel" = tcg ] || die "BENCH_CLOCK=icount needs TCG, not $accel"

# virtio-gpu-pci gives the consumers' tests a real virtio-gpu to share with.
qemu=(qemu-system-x86_64 -accel "$accel" -cpu max -smp "$smp" -m 2G -nographic
      -device virtio-gpu-pci
      -no-reboot -kernel "$obj/arch/x86/boot/bzImage"
      -initrd "$initrd" -append "$params")
[ -n "$icount" ] && qemu+=(-icount "$icount")
# The guest's ttyS1: what the programs print, and nothing of the kernel's.
# Naming the first port keeps it on the terminal, as -nographic puts it.
[ -n "$ttys1" ] && qemu+=(-serial mon:stdio -serial "file:$ttys1")

case $output in
interactive) exec "${qemu[@]}" ;;
tee) timeout "${QEMU_TIMEOUT:-1200}" "${qemu[@]}" < /dev/null | tee "$log" ;;
log) timeout "${QEMU_TIMEOUT:-1200}" "${qemu[@]}" < /dev/null > "$log" 2>&1 ;;
esac
