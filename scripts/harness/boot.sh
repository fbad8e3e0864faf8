#!/bin/bash
# boot.sh KERNEL INITRD LOG TIMEOUT [CMDLINE...]: boot a kernel under QEMU
# (TCG, 1 CPU, 384 MiB), console to LOG, `times` after QEMU to LOG.cpu.
# TIMEOUT is QEMU's CPU time, not the host's clock: a guest sharing two
# cores with others and a kernel build runs at a fraction of its speed, and
# a wall-clock limit then fails it for the host's load (in CI, a 480 s
# guest was stopped after 71 of its 72 steps while the host built UML and
# the Debian package beside it).
# Three times TIMEOUT of wall-clock time stops a guest that idles instead
# (a hang in which QEMU burns no CPU).
# Exits 0 when the guest rebooted by itself, 124 when it was stopped at
# either limit, 125 when its init had not started (no "harness: boot" line)
# after HX_INIT_DEADLINE seconds of QEMU's CPU time (default 120), or three
# times that on the clock: a hang in early boot, not worth waiting TIMEOUT
# for. CPU time here too: the kmemleak guests of the 7.3 KASAN kernel
# started init after 58-66 s on the clock beside a kernel build, half of a
# wall-clock deadline of 120 s (Documentation/check-times.rst).
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
need qemu-system-x86_64

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
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || die "TIMEOUT must be a number of seconds: '$timeout_s'"
rc=0
rm -f "$log.raw"
qemu-system-x86_64 \
	-accel tcg -m "${HX_QEMU_MEM:-384M}" -smp "${HX_QEMU_SMP:-1}" "${bios[@]}" "${extra[@]}" \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 loglevel=7 $rcu $*" \
	-display none -serial "file:$log.raw" -monitor none \
	-no-reboot </dev/null >/dev/null 2>"$log.qemu" &
qemu=$!
tick=$(getconf CLK_TCK)
qemu_cpu() { # QEMU's user + system time so far, in seconds
	local st
	read -r -a st <"/proc/$qemu/stat" 2>/dev/null || { echo 0; return; }
	# fields 14 and 15; the command name "(qemu-system-x86)" has no space
	echo $(((st[13] + st[14]) / tick))
}
trap 'kill "$qemu" 2>/dev/null; exit 143' TERM INT HUP
# Until init starts: stop the guest at the deadline (exit 125). Until it
# ends: at TIMEOUT (exit 124). Each limit is QEMU's CPU seconds, or three
# times as many on the clock.
stop='' booted=''
for ((waited = 0; ; waited++)); do
	kill -0 "$qemu" 2>/dev/null || break
	[ -n "$booted" ] || ! grep -q '^harness: boot ' "$log.raw" 2>/dev/null || booted=1
	cpu=$(qemu_cpu)
	if [ -z "$booted" ] && { [ "$cpu" -ge "$deadline" ] || [ "$waited" -ge $((3 * deadline)) ]; }; then
		stop=125
	elif [ "$cpu" -ge "$timeout_s" ] || [ "$waited" -ge $((3 * timeout_s)) ]; then
		stop=124
	fi
	if [ -n "$stop" ]; then
		kill "$qemu" 2>/dev/null || true
		for ((k = 0; k < 5; k++)); do
			kill -0 "$qemu" 2>/dev/null || break
			sleep 1
		done
		kill -9 "$qemu" 2>/dev/null || true
		break
	fi
	sleep 1
done
wait "$qemu" || rc=$?
trap - TERM INT HUP
# QEMU's CPU time for run-boot.sh: what a guest costs, whatever else the
# host runs. The second line of `times` is this shell's children's user and
# system time ("0m41.200s 0m1.050s"); it must run in this shell, not a pipe.
times >"$log.cpu"
tr -d '\r' <"$log.raw" >"$log"
rm -f "$log.raw"
[ -z "$stop" ] || exit "$stop"
case $rc in
0) ;;
*) die "qemu failed (exit $rc): $(head -c 300 "$log.qemu")" ;;
esac
