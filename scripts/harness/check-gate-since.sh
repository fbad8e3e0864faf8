#!/bin/bash
# check-gate-since.sh LOG: the negative control for one rule of gate.py.
# kmemleak suspects allocated before the guest's init started are boot's,
# not ours, and gate.py tells them by the jiffy of "harness: kmemleak since
# jiffies N". A report without that line must trip the test gate. LOG is the
# leak control's log of this run (it has both the line and suspects); gate.py
# must pass it as it is, and report the missing line once the line is gone.
. "$(dirname "$0")/../lib.sh"

log=${1:-}
[ -f "$log" ] || die "usage: check-gate-since.sh LOG (a guest log with kmemleak suspects)"
name=control-no-since
kunit=$(hx_kunit_py)
since='^harness: kmemleak since jiffies '
grep -q "$since" "$log" || { echo "result: FAIL $name -- $log has no since line"; exit 0; }
grep -q 'unreferenced object' "$log" ||
	{ echo "result: FAIL $name -- $log has no kmemleak suspects"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -v "$since" "$log" >"$tmp/log"
# gate.py exits 1 when the findings are not the expected ones: here, always.
python3 "$HX_ROOT/scripts/harness/gate.py" --kunit "$kunit" "$log" >"$tmp/before" || true
python3 "$HX_ROOT/scripts/harness/gate.py" --kunit "$kunit" "$tmp/log" >"$tmp/after" || true
gates() { sed -n 's/^# gate \([a-z]*\): .*/\1/p' "$1" | paste -sd, -; }
before=$(gates "$tmp/before")
after=$(gates "$tmp/after")
msg=$(grep -m1 '^# gate test: kmemleak suspects, but no' "$tmp/after" || true)
if [[ ",$before," != *,test,* && -n "$msg" ]]; then
	echo "result: PASS $name -- tripped: ${msg#\# gate test: } (gates: $before -> $after)"
else
	echo "result: FAIL $name -- did not trip (gates: $before -> $after)"
fi
