#!/bin/bash
# boot.sh KERNEL INITRD LOG TIMEOUT [CMDLINE...]: boot a kernel under QEMU
# (TCG, 1 CPU, 384 MiB), console to LOG, `times` after QEMU to LOG.cpu.
# Exits 0 when the guest rebooted by itself, 124 when it was stopped at
# TIMEOUT seconds, 125 when its init had not started (no "harness: boot"
# line) after HX_INIT_DEADLINE seconds (default 120; init starts within
# 30 s even on a loaded host: at most 27 s over make check's 42 guests),
# which is a hang in early boot, not worth waiting TIMEOUT for.
# Environment: HX_QEMU_SMP (CPUs), HX_QEMU_MEM (memory), HX_QEMU_ARGS (more
# QEMU arguments, split at spaces: a machine type, devices),
# HX_INIT_DEADLINE.
# One vCPU by default: on 2 host cores shared by 5 guests, a second vCPU
# mostly spins on locks (kmemleak's, lockdep's) whose holder the host has
# descheduled. The same warm make check took 587 CPU-s of QEMU with 2 vCPUs
# and 412 with one. Races need two: scripts/stress.sh boots two.
. "$(dirname "$0")/../lib.sh"

kernel=${1:-} initrd=${2:-} log=${3:-} timeout_s=${4:-}
[ $# -ge 4 ] || die "usage: boot.sh KERNEL INITRD LOG TIMEOUT [CMDLINE...]"
shift 4
[ -f "$kernel" ] || die "no kernel image: $kernel"
[ -f "$initrd" ] || die "no initramfs: $initrd"
need qemu-system-x86_64 timeout

# RCU's stall checks (21 s by default) count host time. A TCG guest that
# shares 2 cores with 5 others and a kernel build can go that long without
# running a vCPU, and RCU then reports a stall that is the host's ("WARNING:
# ... rcu_check_gp_start_stall" during a loaded boot). 100 s still reports
# a real one well before any guest timeout.
rcu=rcupdate.rcu_cpu_stall_timeout=100

bios=()
[ -f /usr/share/qemu/qboot.rom ] && bios=(-bios /usr/share/qemu/qboot.rom)
read -r -a extra <<<"${HX_QEMU_ARGS:-}"
deadline=${HX_INIT_DEADLINE:-120}
[[ $deadline =~ ^[1-9][0-9]*$ ]] || die "HX_INIT_DEADLINE must be a number of seconds: '$deadline'"
rc=0
rm -f "$log.raw"
timeout --foreground -k 5 "$timeout_s" qemu-system-x86_64 \
	-accel tcg -m "${HX_QEMU_MEM:-384M}" -smp "${HX_QEMU_SMP:-1}" "${bios[@]}" "${extra[@]}" \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 loglevel=7 $rcu $*" \
	-display none -serial "file:$log.raw" -monitor none \
	-no-reboot </dev/null >/dev/null 2>"$log.qemu" &
qemu=$!
# Until init starts: stop the guest at the deadline.
hung=
for ((waited = 0; ; waited++)); do
	! grep -q '^harness: boot ' "$log.raw" 2>/dev/null || break
	kill -0 "$qemu" 2>/dev/null || break
	if [ "$waited" -ge "$deadline" ]; then
		hung=1
		kill "$qemu" 2>/dev/null || true
		break
	fi
	sleep 1
done
wait "$qemu" || rc=$?
# QEMU's CPU time for run-boot.sh: what a guest costs, whatever else the
# host runs. The second line of `times` is this shell's children's user and
# system time ("0m41.200s 0m1.050s"); it must run in this shell, not a pipe.
times >"$log.cpu"
tr -d '\r' <"$log.raw" >"$log"
rm -f "$log.raw"
[ -z "$hung" ] || exit 125
case $rc in
0) ;;
124 | 137) exit 124 ;;
*) die "qemu failed (exit $rc): $(head -c 300 "$log.qemu")" ;;
esac
