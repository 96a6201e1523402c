#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: mutants.sh   (make mutants)
# Mutation testing of the userspace build (userspace/): mutants.py makes
# small deliberate bugs in copies of dma-fence.c, dma-fence-array.c,
# dma-fence-chain.c, dma-fence-unwrap.c and reservation.c, builds each
# with AddressSanitizer and runs the KUnit cases on it; a mutant the
# cases do not fail survives.  Prints a per-file table, the score and the
# survivors; the same goes to $BUILD_DIR/mutants/report.txt, one line per
# mutant to $BUILD_DIR/mutants/results.tsv.  The repository's files are
# never written: every mutant is built from a copy under $BUILD_DIR/mutants.
#   MUTANT_SEED=n       which sample of the mutation sites (default 1)
#   MUTANTS=n|all       how many mutants (default 500)
#   MUTANT_JOBS=n       mutants built and run at once (default: the cores)
#   MUTANT_TIMEOUT=s    a mutant's time limit for its runs (default 5x the
#                       baseline; mutants.py's help has the details)
#   MUTANT_MIN_SCORE=p  fail unless the score is at least p percent
#   MUTANT_FILES=a.c,b.c  mutate only these of the five files
set -uo pipefail
source "$(dirname "$0")/lib.sh"

args=(--repo "$REPO" --out "$BUILD_DIR/mutants"
	--seed "${MUTANT_SEED:-1}" --count "${MUTANTS:-500}"
	--jobs "${MUTANT_JOBS:-$(nproc)}")
[ -n "${MUTANT_TIMEOUT:-}" ] && args+=(--timeout "$MUTANT_TIMEOUT")
[ -n "${MUTANT_MIN_SCORE:-}" ] && args+=(--min-score "$MUTANT_MIN_SCORE")
[ -n "${MUTANT_FILES:-}" ] && args+=(--files "$MUTANT_FILES")
say "mutation testing of the userspace build"
exec python3 "$HARNESS/mutants.py" "${args[@]}"
