#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: boot.sh [FLAVOR] [quiet|console|shell|demo|stress|bench]
# Boots $BUILD_DIR/obj-FLAVOR in QEMU with its initramfs.  quiet: the
# console goes to obj-FLAVOR/boot.log only; console: also to the terminal;
# shell: interactive; demo: no KUnit, a quiet kernel, and the init runs
# only the demo, on the terminal; stress: the stress KUnit suite and the
# fuzz and fault kselftests only, each for STRESS_SECONDS (the kernel
# cases in rounds of 45 s, under the hung-task watchdog's minute), console
# to boot.log; bench: the benchmarks (BENCH_ROUNDS rounds, default 5), no
# tracing, the console to the log only; with BENCH_CLOCK=icount (TCG only)
# the guest, on one vCPU, has a clock that counts the instructions it
# executes instead of host time (see bench.sh); BENCH_ONLY=prefix keeps
# the module's rows of that prefix and skips the user benchmark.
# difftest: the differential test's programs with seed DIFF_SEED and
# DIFF_SEQUENCES random sequences, a quiet kernel, no KUnit, their output
# on a second serial port into the file DIFF_OUT (see difftest.sh).
# quiet hands the kernel's gcov counts, when it has them, to the host
# through a second serial port, into obj-FLAVOR/gcov.b64 (coverage.sh).
# SUITE=glob runs only matching KUnit suites; QEMU_TIMEOUT (seconds,
# default 1200) bounds the run; INITRD and BOOT_LOG override the
# initramfs and the log (default: in obj-FLAVOR).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

flavor=${1:-debug}
mode=${2:-quiet}
obj=$(objdir "$flavor")
log=${BOOT_LOG:-$obj/boot.log}
initrd=${INITRD:-$obj/initramfs.cpio.gz}
kunit=1
[ "$mode" = demo ] && kunit=0
cmdline="console=ttyS0 panic=-1 kunit.enable=$kunit trace_event=dma_fence:*"
cmdline+=" $(grep -v '^#' "$HARNESS/cmdline" | tr '\n' ' ')"
[ -n "${SUITE:-}" ] && cmdline+=" kunit.filter_glob=$SUITE"
[ "$mode" = shell ] && cmdline+=" dmabuf.shell=1"
[ "$mode" = quiet ] && cmdline+=" dmabuf.gcov=1"
[ "$mode" = demo ] && cmdline+=" dmabuf.demo=1 quiet"
if [ "$mode" = stress ]; then
	secs=${STRESS_SECONDS:-600}
	# Parameters the kernel does not know reach /init as environment.
	cmdline+=" dmabuf.stress=1 kunit.filter_glob=dma-buf-stress"
	cmdline+=" dma_buf_stress_kunit.seconds=$secs"
	cmdline+=" FUZZ_SECONDS=$secs FUZZ_THREADS=${FUZZ_THREADS:-2}"
fi
# Nothing of the test boot's: no KUnit, no tracepoints, no test cmdline.
[ "$mode" = bench ] && cmdline="console=ttyS0 panic=-1 dmabuf.bench=${BENCH_ROUNDS:-5}"
[ "$mode" = bench ] && [ -n "${BENCH_ONLY:-}" ] && cmdline+=" dmabuf.bench_only=$BENCH_ONLY"
if [ "$mode" = difftest ]; then
	cmdline="console=ttyS0 panic=-1 quiet kunit.enable=0 cma=32M hugepages=8"
	cmdline+=" dmabuf.difftest=${DIFF_SEED:?} dmabuf.diffseq=${DIFF_SEQUENCES:?}"
fi

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
smp=2
icount=
# One guest nanosecond per guest instruction, whatever the host is doing;
# an idle guest jumps to its next timer instead of waiting for it.  On one
# vCPU: QEMU 7.2 then runs the vCPUs in turn on one host thread, and a
# second one takes many virtual seconds just to come up.
if [ "$mode" = bench ] && [ "${BENCH_CLOCK:-host}" = icount ]; then
	[ "$accel" = tcg ] || die "BENCH_CLOCK=icount needs TCG, not $accel"
	smp=1
	icount=shift=0,sleep=on
fi
# virtio-gpu-pci gives the consumers' tests a real virtio-gpu to share with.
qemu=(qemu-system-x86_64 -accel "$accel" -cpu max -smp $smp -m 2G -nographic
      -device virtio-gpu-pci
      -no-reboot -kernel "$obj/arch/x86/boot/bzImage"
      -initrd "$initrd" -append "$cmdline")
[ -n "$icount" ] && qemu+=(-icount "$icount")
# The guest's ttyS1: what the programs print, and nothing of the kernel's.
# Naming the first port keeps it on the terminal, as -nographic puts it.
[ "$mode" = difftest ] && qemu+=(-serial mon:stdio -serial "file:${DIFF_OUT:?}")
if [ "$mode" = quiet ]; then
	rm -f "$obj/gcov.b64"
	qemu+=(-serial mon:stdio -serial "file:$obj/gcov.b64")
fi

case $mode in
shell) exec "${qemu[@]}" ;;
console | demo) timeout "${QEMU_TIMEOUT:-1200}" "${qemu[@]}" < /dev/null | tee "$log" ;;
*) timeout "${QEMU_TIMEOUT:-1200}" "${qemu[@]}" < /dev/null > "$log" 2>&1 ;;
esac
