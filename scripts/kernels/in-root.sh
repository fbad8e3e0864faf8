#!/bin/bash
# in-root.sh ROOT CMD...: run CMD in the build root ROOT (scripts/kernels/build-root.sh)
# with this project, the cache and /tmp at the same paths as outside, in the
# same directory, in a mount namespace of its own: the mounts vanish with
# it and the machine's own root is never changed. Paths that make and the
# compiler see are the host's, so kernel header trees unpacked into the
# cache (below ROOT, too) work unchanged.
. "$(dirname "$0")/../lib.sh"

root=${1:-}
[ $# -ge 2 ] || die "usage: in-root.sh ROOT CMD..."
[ -x "$root/usr/bin/make" ] || die "no build root at '$root' (scripts/kernels/build-root.sh)"
[ "$(id -u)" -eq 0 ] || die "a build root takes root (chroot)"
shift
root=$(cd "$root" && pwd)
# Each path once, outer ones first: the cache holds ROOT itself.
binds=()
for d in "$HX_ROOT" "$HX_CACHE" /tmp; do
	d=$(cd "$d" && pwd -P)
	binds+=("$d")
done
# shellcheck disable=SC2016 # expanded by the inner shell
exec unshare -m --propagation private -- /bin/sh -euc '
root=$1 cwd=$2
shift 2
while [ "$1" != -- ]; do
	mkdir -p "$root$1"
	mount --bind "$1" "$root$1"
	shift
done
shift
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
exec chroot "$root" /bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$cwd" "$@"
' in-root "$root" "$(pwd -P)" "${binds[@]}" -- "$@"
