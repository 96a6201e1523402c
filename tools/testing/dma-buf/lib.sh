# SPDX-License-Identifier: GPL-2.0-only
# Shared by the harness scripts: locations, messages, the one mapping from
# repository paths to kernel paths, staging, the overlay and the edits.
# Source it.
#
# Edits.  A few upstream files outside the owned paths need a line or ten
# of change: the dma-buf entry of MAINTAINERS, the kselftest TARGETS, the
# userspace API toctree.  Owning such a file would mean carrying thousands
# of upstream lines, so each change is an "edit" instead: a unified diff
# against pristine 6.1 with a kernel commit header (git format-patch
# output), kept in tools/testing/dma-buf/edits/NNNN-subject.patch.
#  - An edit is not a file of the kernel tree (kpath() says so); stage()
#    copies the listed edits into STAGE/.edits/, so a stage made from part
#    of the project carries just the edits that were listed with it.
#  - overlay() then gives every file the staged edits touch 6.1's content
#    with those edits applied in name order (git apply: no fuzz, all or
#    nothing; one that does not apply is fatal).  A file an edit touched
#    earlier in this build directory that no staged edit touches gets its
#    6.1 content back.  6.1's copies of those files are kept in
#    $BUILD_DIR/pristine-copies, taken from the tarball once.
#  - guard() checks both, and an edit touching an owned path is an error.

HARNESS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HARNESS/../../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO/.build}
mkdir -p "$BUILD_DIR"
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
TREE=$BUILD_DIR/linux
# The pristine 6.1 tree, never overlaid: the benchmarks' and the
# differential test's upstream side.  It and its build directory sit one
# level down, in upstream/, so that every path of its build relative to
# the build directory reads as in ours ("../linux/..."): ccache then
# finds every object that does not depend on drivers/dma-buf already
# built for our kernel.
UPSTREAM_TREE=$BUILD_DIR/upstream/linux
RESULTS=$BUILD_DIR/results.txt
TARBALL=/usr/src/linux-source-6.1.tar.xz
EDITS=tools/testing/dma-buf/edits
PRISTINE_COPIES=$BUILD_DIR/pristine-copies
JOBS=${JOBS:-$(nproc)}
# Where the test boot's initramfs holds the lifetime test module that
# module_test loads; boot.sh hands it on as MODTEST_KO, which module_test
# prefers to its own default (MODTEST_KO_PATH of
# tools/testing/selftests/dma-buf/common.h, for runs outside the harness).
MODTEST_KO_PATH=/modules/dmabuf_modtest.ko

# objdir FLAVOR: where the kernel of FLAVOR is built.
objdir() {
	case $1 in
	bench-upstream) printf '%s\n' "$BUILD_DIR/upstream/obj-bench" ;;
	*) printf '%s\n' "$BUILD_DIR/obj-$1" ;;
	esac
}

say() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Record one counted outcome for the final "N passed, N failed" line.
record() { # PASS|FAIL NAME
	printf '%s %s\n' "$1" "$2" >> "$RESULTS"
	[ "$1" = PASS ] || printf 'FAIL: %s\n' "$2"
}

# The one place that says where a repository file lives in the kernel tree.
# Prints nothing (and fails) for files that stay outside it.
kpath() {
	case $1 in
	GNUmakefile | README.md | .gitignore | .ci/* | "$EDITS"/*) return 1 ;;
	include/* | Documentation/* | tools/*) printf '%s\n' "$1" ;;
	*) printf 'drivers/dma-buf/%s\n' "$1" ;;
	esac
}

# unpack_tarball DIR: DIR replaced by the tarball's tree.  An interrupted
# unpack leaves DIR missing, never half filled.
unpack_tarball() {
	local dir=$1
	rm -rf "$dir" "$dir.unpack"
	mkdir -p "$dir.unpack"
	tar -C "$dir.unpack" -xf "$TARBALL"
	mv "$dir.unpack/linux-source-6.1" "$dir"
	rmdir "$dir.unpack"
}

# tarball_stamp: the tarball's size and date, which tell one from another.
tarball_stamp() {
	[ -f "$TARBALL" ] || die "$TARBALL missing (apt-get install linux-source-6.1)"
	stat -c '%s %Y' "$TARBALL"
}

# unpack_pristine DIR: unpack the tarball into DIR unless DIR already
# holds this very tarball (its stamp is kept in DIR/.pristine).
unpack_pristine() {
	local dir=$1 stamp
	stamp=$(tarball_stamp)
	[ "$(cat "$dir/.pristine" 2>/dev/null)" = "$stamp" ] && return 0
	say "unpacking $(basename "$TARBALL") into $dir"
	unpack_tarball "$dir"
	echo "$stamp" > "$dir/.pristine"
}

owned_paths() { grep -v -e '^#' -e '^$' "$HARNESS/owned-paths"; }

# The project's files as they are now, committed or not (deleted ones left out).
project_files() {
	(cd "$REPO" && { git ls-files; git ls-files --others --exclude-standard; } |
		sort -u | while read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done)
}

# stage SRC DEST < list: copy the listed files of SRC to their kernel paths
# under DEST (emptied first), and the listed edits to DEST/.edits.
stage() {
	local src=$1 dest=$2 f k
	rm -rf "$dest" && mkdir -p "$dest"
	while read -r f; do
		case $f in
		"$EDITS"/*.patch)
			mkdir -p "$dest/.edits"
			cp "$src/$f" "$dest/.edits/"
			continue
			;;
		esac
		k=$(kpath "$f") || continue
		mkdir -p "$dest/$(dirname "$k")"
		cp "$src/$f" "$dest/$k"
	done
}

# overlay STAGE TREE: make every owned path of TREE match STAGE exactly,
# touching only files whose content changes (so kbuild rebuilds little).
overlay() {
	local st=$1 tree=$2 p
	while read -r p; do
		if [ "${p%/}" != "$p" ]; then
			if [ -d "$st/$p" ]; then
				mkdir -p "$tree/$p"
				rsync -rc --delete "$st/$p" "$tree/$p"
			else
				rm -rf "${tree:?}/$p"
			fi
		elif [ -f "$st/$p" ]; then
			cmp -s "$st/$p" "$tree/$p" || cp "$st/$p" "$tree/$p"
		else
			rm -f "$tree/$p"
		fi
	done < <(owned_paths)
	local exp f
	exp=$(edited_copies "$st") || exit 1
	while read -r f; do
		cmp -s "$exp/$f" "$tree/$f" || cp "$exp/$f" "$tree/$f"
	done < <(cd "$exp" && find . -type f | sed 's|^\./||')
	rm -rf "$exp"
}

# edited_copies STAGE: make a directory holding, for every file an edit has
# touched in this build directory, the content it has with STAGE's edits
# (6.1's when none of them touches it); print its name.
edited_copies() {
	local st=$1 exp p f stamp
	local patches=() files=() need=()
	[ -d "$st/.edits" ] && patches=("$st"/.edits/*.patch)
	if [ ${#patches[@]} -gt 0 ]; then
		mapfile -t files < <(sed -n -e 's|^--- a/||p' -e 's|^+++ b/||p' \
			"${patches[@]}" | sort -u)
	fi
	for f in "${files[@]}"; do
		if [ "$(owned_prefix "$f")" != "$f" ] || owned_paths | grep -q -x -F "$f"; then
			die "edit of an owned path: $f (change the project's file instead)"
		fi
	done
	stamp=$(tarball_stamp)
	if [ "$(cat "$PRISTINE_COPIES.stamp" 2>/dev/null)" != "$stamp" ]; then
		rm -rf "$PRISTINE_COPIES"
		mkdir -p "$PRISTINE_COPIES"
		echo "$stamp" > "$PRISTINE_COPIES.stamp"
	fi
	for f in "${files[@]}"; do
		[ -f "$PRISTINE_COPIES/$f" ] || need+=("linux-source-6.1/$f")
	done
	if [ ${#need[@]} -gt 0 ]; then
		say "copying from the tarball the 6.1 files the edits change: ${need[*]#*/}" >&2
		tar -C "$PRISTINE_COPIES" --strip-components=1 -xJf "$TARBALL" "${need[@]}" >&2 ||
			die "an edit changes a file 6.1 does not have"
	fi
	exp=$(mktemp -d "$BUILD_DIR/edited.XXXXXX")
	cp -r "$PRISTINE_COPIES/." "$exp"
	# git apply outside any repository: the build directory may lie in one.
	for p in "${patches[@]}"; do
		(cd "$exp" && GIT_CEILING_DIRECTORIES=$BUILD_DIR git apply -p1 \
			--whitespace=error "$p") >&2 ||
			{ rm -rf "$exp"; die "edit $(basename "$p") does not apply to 6.1"; }
	done
	printf '%s\n' "$exp"
}

# guard STAGE TREE: fail unless every owned path of TREE is exactly the
# project's, every staged file lies under an owned path and the files of
# the edits read as STAGE's edits make them.
guard() {
	local st=$1 tree=$2 p bad=0 f exp
	while read -r p; do
		if [ -e "$st/$p" ] || [ -e "$tree/$p" ]; then
			if ! diff -r -q "$st/$p" "$tree/$p" >&2; then
				bad=1
			fi
		fi
	done < <(owned_paths)
	while read -r f; do
		if ! owned_paths | grep -q -x -F -e "$f" -e "$(owned_prefix "$f")"; then
			echo "not under an owned path: $f" >&2
			bad=1
		fi
	done < <(cd "$st" && find . -path ./.edits -prune -o -type f -print | sed 's|^\./||')
	exp=$(edited_copies "$st") || exit 1
	while read -r f; do
		if ! cmp -s "$exp/$f" "$tree/$f"; then
			echo "not 6.1's with the staged edits: $f" >&2
			bad=1
		fi
	done < <(cd "$exp" && find . -type f | sed 's|^\./||')
	rm -rf "$exp"
	return $bad
}

# The owned directory entry (with its slash) that contains FILE, if any.
owned_prefix() {
	local p
	while read -r p; do
		case $p in */) case $1 in "$p"*) printf '%s\n' "$p"; return ;; esac ;; esac
	done < <(owned_paths)
	printf '%s\n' "$1"
}

ccache_env() {
	export CCACHE_DIR=${CCACHE_DIR:-/var/cache/dma-buf-ccache}
	export CCACHE_BASEDIR=$BUILD_DIR CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
	export KBUILD_BUILD_TIMESTAMP='Mon Jan  1 00:00:00 UTC 2024'
	export KBUILD_BUILD_USER=dmabuf KBUILD_BUILD_HOST=harness
	mkdir -p "$CCACHE_DIR"
}

# kmake OBJDIR ARGS...: make in the assembled tree with ccache.
kmake() {
	local obj=$1
	shift
	ccache_env
	make -C "$TREE" O="$obj" -j"$JOBS" CC="ccache gcc" HOSTCC="ccache gcc" "$@"
}

# run_logged LOG CMD...: run CMD with its output in LOG, printing a progress
# line every 30 s; on failure show the log's tail.
run_logged() {
	local log=$1 pid t=0
	shift
	"$@" > "$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		t=$((t + 1))
		if [ $((t % 30)) -eq 0 ]; then
			printf '    ... %ds, %s lines of output, last: %s\n' "$t" \
				"$(wc -l < "$log")" "$(tail -n 1 "$log" | cut -c1-70)"
		fi
	done
	if ! wait "$pid"; then
		tail -n 40 "$log"
		echo "(full log: $log)"
		return 1
	fi
}
