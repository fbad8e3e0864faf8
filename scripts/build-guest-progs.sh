#!/bin/bash
# build-guest-progs.sh OUT: compile the guest programs (tests/guest/*.c)
# statically into OUT and print their paths.
. "$(dirname "$0")/lib.sh"

out=${1:-}
[ -n "$out" ] || die "usage: build-guest-progs.sh OUT"
need gcc
mkdir -p "$out"
for c in "$HX_ROOT"/tests/guest/*.c; do
	prog=$out/$(basename "$c" .c)
	gcc -static -O2 -Wall -Wextra -Werror -o "$prog.tmp" "$c" ||
		die "cannot build $c (static glibc: libc6-dev)"
	mv "$prog.tmp" "$prog"
	echo "$prog"
done
