#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: patches.sh [--apply | --built | --checkpatch | --verify]
# Writes the project as a curated patch series against the pristine
# Debian 6.1 tree into $BUILD_DIR/patches (git format-patch, with a cover
# letter and the base), generated from the tree, not from the history:
# the tree at patch k is pristine 6.1 with components 1..k of the
# manifest in series/ in place.
#
# The manifest: one file per patch, series/NN-slug, and the cover letter,
# series/00-cover-letter.  In a patch's file, the leading lines are its
# header: "#" comments (the first is the SPDX line), blank lines and
#   path: GLOB     project files the patch brings (repository paths)
#   delete: GLOB   6.1 files the patch removes (kernel paths, git pathspec)
#   edit: GLOB     an edit of lib.sh (edits/*.patch) the patch applies
# The commit message follows (subject, blank line, body).  A line "---"
# may end it; what follows is a unified diff (kernel paths) applied last:
# the interim version of a shared file (Makefile, Kconfig...) that a
# later patch brings whole, at this point of the series
# (series/interim.py writes these diffs from the project's files).
#
# Checked, loudly: every project file with a kernel path (the harness,
# tools/testing/dma-buf/, is tooling and not part of the series) and every
# edit is claimed by exactly one patch; every glob matches; every patch
# changes something; the last patch leaves exactly the project's files at
# the owned paths and 6.1's with the edits elsewhere (lib.sh's guard).
# The source is the working tree, as tree.sh installs it.
#
# The proofs make test counts, each on the series last written:
#   --apply       git am applies it to the pristine tree, giving the same tree
#   --built       its files are those tree.sh installed (built and booted)
#   --checkpatch  checkpatch.pl --strict finds nothing in any patch
#   --verify      writes the series, then all three
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SERIES=$HARNESS/series
EDITS=${EDITS:-tools/testing/dma-buf/edits}
pg=$BUILD_DIR/pristine-git
out=$BUILD_DIR/patches
src=$BUILD_DIR/series-stage
tmp=$BUILD_DIR/series-tmp
git_pg() { git -C "$pg" "$@"; }

# The signer: the repository's git identity, or a neutral one.
name=$(git -C "$REPO" config user.name || echo "dma-buf team")
email=$(git -C "$REPO" config user.email || echo "dma-buf@localhost")
export GIT_AUTHOR_NAME=$name GIT_COMMITTER_NAME=$name
export GIT_AUTHOR_EMAIL=$email GIT_COMMITTER_EMAIL=$email
# The same tree gives the same series, byte for byte.
GIT_AUTHOR_DATE=$(git -C "$REPO" log -1 --format=%aD HEAD)
export GIT_AUTHOR_DATE GIT_COMMITTER_DATE=$GIT_AUTHOR_DATE

generate() {
	stamp=$(tarball_stamp)
	if [ "$(cat "$BUILD_DIR/pristine-git.stamp" 2>/dev/null)" != "$stamp series" ]; then
		say "making a git repository of the pristine tree (once)"
		unpack_tarball "$pg"
		git_pg init -q
		git_pg add -A -f
		git_pg commit -q -m "Linux 6.1 as shipped by Debian (linux-source-6.1)"
		git_pg tag -f pristine > /dev/null
		echo "$stamp series" > "$BUILD_DIR/pristine-git.stamp"
	fi

	# section FILE header|message|diff: one part of a manifest file.
	section() {
		awk -v want="$2" '
			part == "header" && !/^(#|$|(path|delete|edit):)/ { part = "message" }
			part == "message" && /^---$/ { part = "diff"; next }
			part == want { print }
			' part=header "$1"
	}
	# field FILE KEY: the values of the header's "KEY:" lines.
	field() { section "$1" header | sed -n "s/^$2:[[:space:]]*//p"; }

	mapfile -t manifests < <(find "$SERIES" -name '[0-9][0-9]-*' ! -name '00-*' | sort)
	[ ${#manifests[@]} -gt 0 ] || die "no manifest in $SERIES"

	# The project's files with kernel paths, the harness left out, and the edits.
	project_files | stage "$REPO" "$src"
	rm -rf "$src/tools/testing/dma-buf"
	mapfile -t files < <(project_files | while read -r f; do
		case $f in tools/testing/dma-buf/*) continue ;; esac
		kpath "$f" > /dev/null && printf '%s\n' "$f"
	done)
	mapfile -t edits < <(project_files | grep "^$EDITS/.*\.patch$" || true)

	say "checking the manifest: every file and edit in exactly one patch"
	declare -A owner
	bad=0
	claim() { # KIND FILE PATCH
		if [ -n "${owner[$2]:-}" ]; then
			echo "$2 is claimed by both ${owner[$2]} and $3" >&2
			bad=1
		fi
		owner[$2]=$3
	}
	# claim_globs KIND MANIFEST CANDIDATE...: each KIND: glob of MANIFEST
	# claims the candidates it matches and has to match one.
	claim_globs() {
		local kind=$1 m=$2 g f hit
		shift 2
		while read -r g; do
			[ -n "$g" ] || continue
			hit=0
			for f in "$@"; do
				# shellcheck disable=SC2053 # the glob is the point
				if [[ $f == $g ]]; then claim "$kind" "$f" "$(basename "$m")"; hit=1; fi
			done
			[ $hit = 1 ] || { echo "$(basename "$m"): $kind: $g matches nothing" >&2; bad=1; }
		done < <(field "$m" "$kind")
	}
	for m in "${manifests[@]}"; do
		p=$(basename "$m")
		[ -n "$(section "$m" message | head -n 1)" ] || { echo "$p: no subject" >&2; bad=1; }
		claim_globs path "$m" "${files[@]}"
		claim_globs edit "$m" "${edits[@]}"
	done
	for f in "${files[@]}" "${edits[@]}"; do
		[ -n "${owner[$f]:-}" ] || { echo "$f: claimed by no patch in $SERIES" >&2; bad=1; }
	done
	[ $bad = 0 ] || die "the manifest does not cover the project exactly once"

	say "writing the series: pristine 6.1 and components 1..k for patch k"
	git_pg checkout -q -f -B series pristine
	git_pg clean -q -f -d -x
	rm -rf "$tmp" && mkdir -p "$tmp"
	for m in "${manifests[@]}"; do
		p=$(basename "$m")
		for f in "${files[@]}"; do
			[ "${owner[$f]}" = "$p" ] || continue
			k=$(kpath "$f")
			mkdir -p "$pg/$(dirname "$k")"
			cp "$src/$k" "$pg/$k"
		done
		while read -r g; do
			[ -n "$g" ] || continue
			git_pg rm -q -r -- "$g" || die "$p: delete: $g matches nothing in the tree"
		done < <(field "$m" delete)
		while read -r g; do
			[ -n "$g" ] || continue
			for f in "${edits[@]}"; do
				# shellcheck disable=SC2053
				[[ $f == $g ]] || continue
				git_pg apply --whitespace=error "$REPO/$f" ||
					die "$p: edit $f does not apply"
			done
		done < <(field "$m" edit)
		section "$m" diff > "$tmp/interim.diff"
		if [ -s "$tmp/interim.diff" ]; then
			git_pg apply --whitespace=error "$tmp/interim.diff" ||
				die "$p: its interim diff does not apply"
		fi
		git_pg add -A -f
		git_pg diff --cached --quiet && die "$p changes nothing"
		section "$m" message > "$tmp/message"
		git_pg commit -q -s --cleanup=whitespace -F "$tmp/message"
	done
	guard "$src" "$pg" ||
		die "the last patch does not leave the project's files (see above)"
	echo "    the last patch leaves exactly the project's files and edits"

	rm -rf "$out"
	git_pg format-patch -q --cover-letter --base=pristine -o "$out" pristine..series
	# The cover letter: subject and text from series/00-cover-letter, whose
	# "%include PATH" lines take a project file (the benchmark table) and
	# "%intended" the differential test's intended differences.
	cover=$SERIES/00-cover-letter
	blurb=$tmp/blurb
	section "$cover" message | tail -n +3 | while IFS= read -r line; do
		case $line in
		"%include "*)
			f=${line#%include }
			if [ -f "$REPO/$f" ]; then
				grep -v 'SPDX-License-Identifier' "$REPO/$f"
			else
				echo "($f is not in the project yet: make bench writes it.)"
				echo "warning: the cover letter's $f is missing" >&2
			fi
			;;
		"%intended")
			grep -v -e '^#' -e '^$' "$HARNESS/difftest/intended-differences" |
				sed 's/^\([^ ]*\) /- \1: /' | fold -s -w 72 | sed -e 's/ *$//' -e 's/^\([^-]\)/  \1/'
			;;
		*) printf '%s\n' "$line" ;;
		esac
	done > "$blurb"
	subject=$(section "$cover" message | head -n 1)
	python3 - "$out"/0000-cover-letter.patch "$subject" "$blurb" <<-'EOF'
	import sys
	path, subject, blurb = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
	text = open(path).read()
	text = text.replace('*** SUBJECT HERE ***', subject, 1)
	text = text.replace('*** BLURB HERE ***', blurb.rstrip('\n'), 1)
	open(path, 'w').write(text)
	EOF
	echo "    $(series_files | wc -l) patches and a cover letter in $out"
}

series_files() {
	local f
	for f in "$out"/*.patch; do
		[ "$f" = "$out/0000-cover-letter.patch" ] || printf '%s\n' "$f"
	done
}

check_apply() {
	say "applying the series with git am to the pristine tree"
	git_pg checkout -q -f -B verify pristine
	mapfile -t series < <(series_files)
	git_pg am -q "${series[@]}" 2> "$tmp/am.log" ||
		{ cat "$tmp/am.log"; git_pg am --abort; die "git am failed"; }
	# The same content as the generated branch, commit by commit.
	git_pg diff --quiet series verify || die "git am gives another tree than the series"
	echo "    the series applies with git am and gives the generated tree"
	git_pg checkout -q -f series
}

# The stage tree.sh made: what was built and booted (the harness aside).
check_built() {
	[ -d "$BUILD_DIR/stage" ] || die "no tree assembled by tree.sh in $BUILD_DIR"
	if diff -r -q "$src" "$BUILD_DIR/stage" |
		grep -v -e 'tools/testing/dma-buf' -e 'tools/testing: dma-buf$' >&2; then
		die "the series is not the tree that tree.sh assembled (run tree.sh again?)"
	fi
	echo "    the series holds the files tree.sh installed, built and booted"
}

check_checkpatch() {
	say "checkpatch --strict on every patch"
	local f fails=0
	mkdir -p "$tmp"
	# checkpatch checks SPDX identifiers with scripts/spdxcheck.py, which
	# needs the ply and git modules (deps.sh installs Debian's); a python3
	# earlier in PATH that lacks them would make the check pass silently.
	local path=/usr/bin:$PATH
	PATH=$path python3 -c 'import ply, git' ||
		die "checkpatch needs python3-ply and python3-git to check SPDX lines"
	for f in $(series_files); do
		# FILE_PATH_CHANGES: the MAINTAINERS entry has a patch of its own.
		if ! { (cd "$pg" && PATH=$path scripts/checkpatch.pl --strict --quiet --no-summary \
			--show-types --ignore FILE_PATH_CHANGES "$f" 2> "$tmp/checkpatch.err") ||
			true; } |
			python3 "$HARNESS/checkpatch-filter.py" > "$tmp/checkpatch.log"; then
			echo "$(basename "$f"):"
			head -n 40 "$tmp/checkpatch.log"
			fails=1
		fi
		cat "$tmp/checkpatch.err" >&2
	done
	[ $fails = 0 ] || die "checkpatch --strict finds the above"
	echo "    every patch is clean"
}

case ${1:-} in
'') generate ;;
--apply) check_apply ;;
--built) check_built ;;
--checkpatch) check_checkpatch ;;
--verify) generate && check_apply && check_built && check_checkpatch ;;
*) die "unknown argument $1" ;;
esac
