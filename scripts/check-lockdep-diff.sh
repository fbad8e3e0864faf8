#!/bin/bash
# check-lockdep-diff.sh LOGS VERSIONS: the negative control for
# scripts/lockdep-diff.py. It must pass the guests' logs in LOGS as they are,
# and fail them once the patched kernel's verdict of the "cached" case is
# the other one (a cache that hid the exporter's locks from lockdep), saying
# that it differs from stock's.
. "$(dirname "$0")/lib.sh"

logs=${1:-} versions=${2:-}
{ [ -d "$logs" ] && [ -n "$versions" ]; } || die "usage: check-lockdep-diff.sh LOGS VERSIONS"
name=control-lockdep-diff
read -r -a vers <<<"$versions"

diffs() { python3 "$HX_ROOT/scripts/lockdep-diff.py" "$@" "$HX_ROOT/tests/lockdep/cases" \
	"$logs" "${vers[@]}"; }
right=$(diffs) || die "lockdep-diff.py failed on $logs"
if grep -q '^result: FAIL' <<<"$right"; then
	echo "result: FAIL $name -- lockdep-diff.py fails the logs as they are"
	exit 0
fi
wrong=$(diffs --flip patched:cached) || die "lockdep-diff.py --flip failed on $logs"
if msg=$(grep -m1 -o 'cached patched: [a-z]*, stock: [a-z]*' <<<"$wrong"); then
	echo "result: PASS $name -- tripped: $msg (patched's verdict of cached flipped)"
else
	echo "result: FAIL $name -- did not trip: the flipped verdict passed"
fi
