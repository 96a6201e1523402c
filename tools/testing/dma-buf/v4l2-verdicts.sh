#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: v4l2-verdicts.sh   (make test runs it)
# Checks, on the host, the verdicts v4l2-compliance.sh gives a saved log.
# v4l2-logs/requests-race.log is a test boot's v4l2-compliance output in
# which the Requests test of input 1 lost the race with vivid's capture
# thread.  That log, and three variants of it made here, must give:
#   - the race alone: Requests skipped, the run passes;
#   - another check of Requests failing: Requests and the run fail;
#   - the race and a second failure in Requests: Requests and the run fail;
#   - the race message moved to the DMABUF (no poll) test: that test and
#     the run fail, and Requests passes.
# Prints nothing and exits 0 when every verdict is as expected.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
log=$here/v4l2-logs/requests-race.log
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
race='!(buf.g_flags() \& V4L2_BUF_FLAG_QUEUED)'
bad=0

# expect NAME SED-SCRIPT LINE-REGEX...: the classifier's TAP for the log as
# edited by SED-SCRIPT has a line matching each LINE-REGEX.
expect() {
	local name=$1 edit=$2 want
	shift 2
	sed "$edit" "$log" > "$tmp/$name.log"
	sh "$here/v4l2-compliance.sh" "$tmp/$name.log" > "$tmp/$name.tap"
	for want in "$@"; do
		grep -q -E "$want" "$tmp/$name.tap" && continue
		echo "$name: no line matches '$want' in:"
		grep -v -E '^ok [0-9]+ v4l2\.[0-9]+\.[A-Za-z0-9_]+$' "$tmp/$name.tap"
		bad=1
	done
}

expect race-alone '' \
	'^ok 68 v4l2\.68\.Requests # SKIP not dma-buf: fail: v4l2-test-buffers\.cpp\(2371\)' \
	'^ok 125 v4l2\.dmabuf_streaming_and_no_other_failures # 4 DMABUF'
expect other-check "s/$race/!(buf.g_flags() \\& V4L2_BUF_FLAG_REQUEST_FD)/" \
	'^not ok 68 v4l2\.68\.Requests # fail:' \
	'^not ok 125 v4l2\.dmabuf_streaming_and_no_other_failures'
expect race-and-another "/$race/a\\
		fail: v4l2-test-buffers.cpp(2372): doioctl_fd(buf_req_fds[i], MEDIA_REQUEST_IOC_REINIT, 0) != EBUSY" \
	'^not ok 68 v4l2\.68\.Requests # fail:' \
	'^not ok 125 '
expect race-elsewhere "/$race/d; s/test Requests: FAIL/test Requests: OK/
/test DMABUF (no poll): OK/{
i\\
		fail: v4l2-test-buffers.cpp(2371): $race
s/OK/FAIL/
}" \
	'^ok 68 v4l2\.68\.Requests$' \
	'^not ok [0-9]+ v4l2\.[0-9]+\.DMABUF_no_poll # fail: v4l2-test-buffers\.cpp\(2371\)' \
	'^not ok 125 '
exit $bad
