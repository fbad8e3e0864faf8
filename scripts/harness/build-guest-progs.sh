#!/bin/bash
# build-guest-progs.sh OUT: compile the guest programs (tests/guest/*.c)
# statically into OUT, against the UAPI headers of linux-source-6.12 (the
# host's lack drm/), and print their paths.
. "$(dirname "$0")/../lib.sh"

out=${1:-}
[ -n "$out" ] || die "usage: build-guest-progs.sh OUT"
need gcc
uapi=$("$HX_ROOT/scripts/kernels/uapi-headers.sh" 6.12)
mkdir -p "$out"
for c in "$HX_ROOT"/tests/guest/*.c; do
	prog=$out/$(basename "$c" .c)
	gcc -static -O2 -Wall -Wextra -Werror -isystem "$uapi" -o "$prog.tmp" "$c" ||
		die "cannot build $c (static glibc: libc6-dev)"
	mv "$prog.tmp" "$prog"
	echo "$prog"
done
