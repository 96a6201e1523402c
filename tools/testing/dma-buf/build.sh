#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: build.sh [--configure-only] [FLAVOR]   (default: debug)
# Configures $BUILD_DIR/obj-FLAVOR from the flavor's config fragments
# (merged onto allnoconfig), checks every requested option took effect,
# and builds bzImage with ccache.  Run tree.sh first.
# --configure-only stops before the build.  ONLY_DEFINED_OPTIONS=1 (for
# series-check.sh, on trees part way through the series): an option a
# fragment asks for that no Kconfig file of the tree defines yet is not an
# error; any other option that does not take effect still is.
# Flavors: debug (the test kernel), kcsan (the debug kernel with KCSAN
# instead of KASAN, for make stress), bench (our tree, for make bench),
# bench-fence-debug (bench with CONFIG_DMA_FENCE_DEBUG on, make bench's
# third kernel) and bench-upstream (the bench config on the pristine 6.1
# tree, unpacked here into $UPSTREAM_TREE and never overlaid, built in
# upstream/obj-bench).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

configure_only=0
if [ "${1:-}" = --configure-only ]; then
	configure_only=1
	shift
fi
flavor=${1:-debug}
case $flavor in
# modules too: it writes Module.symvers, which the external modules (the
# benchmark, the lifetime test module) are linked against.
debug) frags=(base debug consumers) targets=(bzImage modules) ;;
# make stress STRESS_FLAVOR=kcsan: the debug kernel with KCSAN for KASAN.
kcsan) frags=(base debug consumers kcsan) targets=(bzImage) ;;
bench) frags=(base consumers bench) targets=(bzImage modules) ;;
bench-fence-debug)
	frags=(base consumers bench bench-fence-debug) targets=(bzImage modules)
	;;
bench-upstream)
	frags=(base consumers bench) targets=(bzImage modules)
	TREE=$UPSTREAM_TREE
	unpack_pristine "$TREE"
	;;
*) die "unknown flavor '$flavor' (known: debug, kcsan, bench, bench-fence-debug, bench-upstream)" ;;
esac
obj=$(objdir "$flavor")
mkdir -p "$obj"

say "configuring the $flavor kernel (${frags[*]}) in $TREE"
files=()
for f in "${frags[@]}"; do files+=("$HARNESS/configs/$f.config"); done
cfg=$BUILD_DIR/config-$flavor
rm -rf "$cfg" && mkdir -p "$cfg"
(cd "$TREE" && ccache_env &&
	scripts/kconfig/merge_config.sh -n -O "$cfg" "${files[@]}") > "$cfg.log" 2>&1 ||
	{ tail -n 20 "$cfg.log"; die "merge_config.sh failed"; }
defined=()
[ "${ONLY_DEFINED_OPTIONS:-0}" = 1 ] && defined=(--defined-in "$TREE")
python3 "$HARNESS/config-check.py" "${defined[@]}" "$cfg/.config" "${files[@]}"
# Replace the config only when it changed, so kbuild rebuilds only what must.
cmp -s "$cfg/.config" "$obj/.config" || cp "$cfg/.config" "$obj/.config"
[ $configure_only = 0 ] || exit 0

say "building the $flavor kernel (log: $obj/build.log)"
run_logged "$obj/build.log" kmake "$obj" "${targets[@]}"
# The whole kernel, our code and its unmodified users alike, builds clean.
if grep -E '(warning|error):' "$obj/build.log"; then
	die "the $flavor kernel built with warnings (log: $obj/build.log)"
fi
echo "    $obj/arch/x86/boot/bzImage"
