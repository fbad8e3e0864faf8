#!/bin/bash
# check-gate-steps.sh LOG EXPECT: the negative control for gate.py's
# GATE=STEP expectations (a report must come from its own step). LOG is the
# controls guest's log of this run and EXPECT its expectation, with at least
# two scoped gates. gate.py must pass LOG with EXPECT, and fail it once the
# scoped gates' steps are rotated (lockdep expected in the step that WARNs,
# and so on), saying that a report came from outside its step.
. "$(dirname "$0")/../lib.sh"

log=${1:-} expect=${2:-}
{ [ -f "$log" ] && [ -n "$expect" ]; } || die "usage: check-gate-steps.sh LOG EXPECT"
name=control-wrong-step
kunit=$(hx_kunit_py)

# EXPECT with the steps of its GATE=STEP items rotated by one
IFS=, read -r -a items <<<"$expect"
scoped=()
for i in "${!items[@]}"; do [[ ${items[$i]} == *=* ]] && scoped+=("$i"); done
[ "${#scoped[@]}" -ge 2 ] || die "check-gate-steps.sh: EXPECT needs two GATE=STEP items: $expect"
wrong=("${items[@]}")
for k in "${!scoped[@]}"; do
	from=${scoped[$(((k + 1) % ${#scoped[@]}))]}
	wrong[${scoped[$k]}]=${items[${scoped[$k]}]%%=*}=${items[$from]#*=}
done
wrong_expect=$(IFS=,; echo "${wrong[*]}")

gate() { python3 "$HX_ROOT/scripts/harness/gate.py" --kunit "$kunit" --expect "$1" "$log"; }
right=$(gate "$expect") || {
	echo "result: FAIL $name -- gate.py fails $log with $expect: ${right##*$'\n'}"
	exit 0
}
if out=$(gate "$wrong_expect"); then
	echo "result: FAIL $name -- did not trip: gate.py passes $log with $wrong_expect"
elif msg=$(grep -m1 '^# gate [a-z]*: outside ' <<<"$out"); then
	echo "result: PASS $name -- tripped: ${msg#\# gate } (expect $wrong_expect)"
else
	echo "result: FAIL $name -- gate.py failed with $wrong_expect, but not for a step: ${out##*$'\n'}"
fi
