#!/bin/bash
# run-boot.sh NAME KDIR INITRD EXPECT TIMEOUT CASES [hx.machine=M] [CMDLINE...]:
# boot the kernel built in KDIR with INITRD, judge the console log with
# gate.py, and print "result: PASS|FAIL NAME -- DETAIL". EXPECT is "none" or
# the comma-separated gates that must trip; CASES is STEP=FILE for gate.py
# --cases, or "-". hx.machine=M boots QEMU's machine M of tests/edu/machines
# (its memory and devices) instead of boot.sh's default.
# The log is kept in $HX_LOGS (default: the cache's logs/latest).
. "$(dirname "$0")/../lib.sh"

[ $# -ge 6 ] || die "usage: run-boot.sh NAME KDIR INITRD EXPECT TIMEOUT CASES [CMDLINE...]"
name=$1 kdir=$2 initrd=$3 expect=$4 timeout_s=$5 cases=$6
shift 6
if [ "${1:-}" != "${1#hx.machine=}" ]; then
	m=${1#hx.machine=}
	shift
	line=$(awk -v m="$m" '$1 == m { $1 = ""; print }' "$HX_ROOT/tests/edu/machines")
	[ -n "$line" ] || die "no machine '$m' in tests/edu/machines"
	read -r HX_QEMU_MEM HX_QEMU_ARGS <<<"$line"
	export HX_QEMU_MEM HX_QEMU_ARGS
fi
logs=${HX_LOGS:-$HX_CACHE/logs/latest}
mkdir -p "$logs"
log=$logs/$name.log

image=$kdir/arch/x86/boot/bzImage
[ -f "$image" ] || image=$kdir # a Debian vmlinuz
kunit=$(hx_kunit_py)
args=(--kunit "$kunit" --expect "$expect" --skips "$HX_ROOT/tests/expected-skips"
	--guest "$name")
[ "$cases" = - ] || args+=(--cases "$cases")

# cpu: QEMU's CPU seconds so far, from boot.sh's LOG.cpu (`times`)
cpu=0
add_cpu() {
	cpu=$(awk -v c="$cpu" 'NR == 2 {
		for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); c += t[1] * 60 + t[2] }
	} END { printf "%.0f", c }' "$log.cpu")
}
t0=$(date +%s)
rc=0
"$HX_ROOT/scripts/harness/boot.sh" "$image" "$initrd" "$log" "$timeout_s" "$@" || rc=$?
add_cpu
# A guest stopped before its init started ran none of our code: at its
# timeout, or at boot.sh's init deadline (exit 125). Under TCG on a loaded
# host, 6.1 guests have stopped for good in early boot ("Running RCU-tasks
# wait API self tests", after a timer calibration that went wrong). Boot it
# once more; the first log is kept as LOG.hung. A kernel that cannot boot
# hangs again and fails (as a timeout).
retried=
if { [ "$rc" -eq 124 ] || [ "$rc" -eq 125 ]; } && ! grep -q '^harness: boot ' "$log"; then
	mv "$log" "$log.hung"
	limit=$timeout_s what=
	[ "$rc" -ne 125 ] || limit=${HX_INIT_DEADLINE:-120} what=" (init deadline)"
	echo "  $name: no init after $limit CPU-s or $((3 * limit)) s$what (last line: $(tail -1 "$log.hung" | cut -c1-80)); booting again" >&2
	retried="; booted twice, see $log.hung"
	rc=0
	"$HX_ROOT/scripts/harness/boot.sh" "$image" "$initrd" "$log" "$timeout_s" "$@" || rc=$?
	add_cpu
	[ "$rc" -ne 125 ] || rc=124
fi
[ "$rc" -eq 0 ] || [ "$rc" -eq 124 ] || {
	echo "result: FAIL $name -- boot failed (exit $rc)"
	exit 0
}
verdict=0
python3 "$HX_ROOT/scripts/harness/gate.py" "${args[@]}" --rc "$rc" "$log" >"$log.gate" || verdict=$?
secs=$(($(date +%s) - t0))
last=$(tail -1 "$log.gate")
if [ "$verdict" -eq 0 ]; then
	echo "result: PASS $name -- ${last#PASS: } (${secs}s, ${cpu} CPU-s$retried)"
else
	grep '^#' "$log.gate" | sed "s|^|  $name |" >&2
	echo "result: FAIL $name -- ${last#FAIL: } (${secs}s, ${cpu} CPU-s; log: $log$retried)"
fi
