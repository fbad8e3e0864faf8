#!/bin/bash
# check-flip.sh NAME FLIP PATTERN GATE ARG...: the negative control of a
# differential gate (scripts/harness/lockdep-diff.py, scripts/harness/edu-diff.py), printed
# as the result of NAME. `GATE ARG...` must pass the guests' logs as they
# are, and fail them once `--flip FLIP` changes one configuration's result
# (a cache that hid the exporter's locks from lockdep, or that changed the
# bytes a device moved), with a problem matching PATTERN (grep -E) that says
# how it differs from stock's.
. "$(dirname "$0")/../lib.sh"

[ $# -ge 5 ] || die "usage: check-flip.sh NAME FLIP PATTERN GATE ARG..."
name=$1 flip=$2 pattern=$3
shift 3
right=$(python3 "$@") || die "$1 failed on the logs"
if grep -q '^result: FAIL' <<<"$right"; then
	echo "result: FAIL $name -- $(basename "$1") fails the logs as they are"
	exit 0
fi
wrong=$(python3 "$@" --flip "$flip") || die "$1 --flip $flip failed on the logs"
if msg=$(grep -m1 -oE "$pattern" <<<"$wrong"); then
	echo "result: PASS $name -- tripped: $msg (--flip $flip)"
else
	echo "result: FAIL $name -- did not trip: --flip $flip passed"
fi
