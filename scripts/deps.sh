#!/bin/bash
# Install the Debian packages the harness needs (idempotent; needs root only
# when something is missing).
. "$(dirname "$0")/lib.sh"

PKGS=(build-essential bc bison flex libelf-dev libssl-dev dwarves cpio
	kmod rsync xz-utils zstd lz4 ccache quilt sparse git python3
	qemu-system-x86 busybox-static shellcheck python3-docutils dkms unifdef
	python3-ply python3-git gnuplot-nox debhelper dh-dkms lintian mmdebstrap autodep8)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

[ "$(id -u)" -eq 0 ] || die "missing packages (${missing[*]}); run as root or install them"
stage "apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null || die "apt-get update failed"
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
	die "apt-get install failed for: ${missing[*]}"
