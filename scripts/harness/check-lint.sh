#!/bin/bash
# check-lint.sh KDIR: negative controls for the lint gates of
# check-series.sh. tests/controls/lint/lint_control.c commits one sin per
# tool; each tool must report it, or that gate proves nothing (bad.sh and
# bad.rst do the same for shellcheck and docutils). Then the project's own
# C, shell and Documentation/ are held to the same tools.
. "$(dirname "$0")/../lib.sh"

kdir=${1:-}
[ -f "$kdir/Makefile" ] || die "usage: check-lint.sh KDIR (a kernel build)"
src=$(readlink -f "$kdir/source")
[ -x "$src/scripts/checkpatch.pl" ] || die "no kernel source behind $kdir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$HX_ROOT/tests/controls/lint/"* "$tmp/"

gate() { # NAME PATTERN OUTPUT
	if grep -qE "$2" <<<"$3"; then
		echo "result: PASS lint-control-$1 -- tripped: $(grep -m1 -E "$2" <<<"$3" | sed 's|.*/||')"
	else
		echo "result: FAIL lint-control-$1 -- did not trip"
	fi
}
out=$(make -C "$kdir" M="$tmp" C=2 W=1 modules 2>&1 || true)
if hx_sparse_runs "$kdir"; then
	gate sparse 'lint_control.c:[0-9]+:[0-9]+: (warning|error): dereference of noderef' "$out"
else
	echo "result: SKIP lint-control-sparse -- $(sparse --version) is older than $kdir's scripts/checker-valid.sh wants"
fi
gate W=1 "lint_control.c:[0-9]+:[0-9]+: warning: no previous prototype for .{1,3}lint_w1" "$out"
out=$(cd "$tmp" && { "$src/scripts/kernel-doc" -none lint_control.c 2>&1 || true; })
# "f.c:12: warning: ..." before 6.16, "Warning: f.c:12 ..." since
gate kernel-doc "lint_control.c:[0-9]+:? .*'value'" "$out"
out=$(PATH=/usr/bin:$PATH "$src/scripts/checkpatch.pl" --strict --no-tree -q -f "$tmp/lint_control.c" 2>&1 || true)
gate checkpatch 'space prohibited before semicolon' "$out"

# The project's own C: checkpatch --strict and kernel-doc clean. (W=1 and
# sparse run on every module build: scripts/harness/build-modules.sh.)
# Two exceptions: the negative control's mode=bug exists to BUG(); and
# 7.x's checkpatch asks for kzalloc_obj(), which the 6.x kernels this same
# source builds on do not have (ALLOC_WITH_SIZEOF).
ignore() { # FILE: checkpatch's --ignore for it
	case "$1" in
	tests/controls/hx_control.c) echo AVOID_BUG,ALLOC_WITH_SIZEOF ;;
	*) echo ALLOC_WITH_SIZEOF ;;
	esac
}
bad=
n=0
while read -r f; do
	n=$((n + 1))
	out=$(PATH=/usr/bin:$PATH "$src/scripts/checkpatch.pl" --strict --no-tree -q \
		--ignore "$(ignore "$f")" -f "$HX_ROOT/$f" 2>&1 || true)
	out+=$("$src/scripts/kernel-doc" -none "$HX_ROOT/$f" 2>&1 || true)
	[ -z "$out" ] || bad+="$f: $(echo "$out" | grep -m1 -E 'ERROR|WARNING|CHECK|warning') "
done < <(cd "$HX_ROOT" && git ls-files '*.c' '*.h' | grep -v '^tests/controls/lint/')
if [ -z "$bad" ]; then
	echo "result: PASS project-style -- $n .c/.h files: checkpatch --strict and kernel-doc clean"
else
	echo "result: FAIL project-style -- $bad"
fi

# Shell: shellcheck clean, scripts as bash, the guest's busybox scripts and
# conftest.sh (#!/bin/sh) as POSIX sh; the gate must reject
# tests/controls/lint/bad.sh.
out=$(shellcheck -s bash "$HX_ROOT/tests/controls/lint/bad.sh" 2>&1 || true)
gate shellcheck 'SC2086' "$out"
mapfile -t sh_files < <(cd "$HX_ROOT" && git ls-files | grep -v '^tests/controls/lint/' |
	while read -r f; do
		[ -f "$f" ] && head -1 "$f" | grep -qE '^#!.*sh( |$)' && echo "$f"
	done)
guest=() host=()
for f in "${sh_files[@]}"; do
	if [[ $f == tests/guest/* ]] || head -1 "$HX_ROOT/$f" | grep -qx '#!/bin/sh'; then
		guest+=("$HX_ROOT/$f")
	else
		host+=("$HX_ROOT/$f")
	fi
done
if out=$( { shellcheck -s bash "${host[@]}" && shellcheck -s sh "${guest[@]}"; } 2>&1); then
	echo "result: PASS shellcheck -- ${#host[@]} bash and ${#guest[@]} POSIX sh scripts clean"
else
	echo "result: FAIL shellcheck -- $(echo "$out" | grep -m1 -E '^In |SC[0-9]+')"
fi

# Documentation: every page is valid reStructuredText (docutils, from
# Debian's python3-docutils), and the gate rejects a page that is not.
rst() { /usr/bin/python3 -m docutils --halt=warning "$1" /dev/null 2>&1; }
if out=$(rst "$HX_ROOT/tests/controls/lint/bad.rst"); then
	echo "result: FAIL lint-control-rst -- did not trip"
else
	echo "result: PASS lint-control-rst -- tripped: $(echo "$out" | head -1 | sed 's|.*/||')"
fi
bad=
n=0
for f in "$HX_ROOT"/Documentation/*.rst; do
	n=$((n + 1))
	rst "$f" >/dev/null || bad+="$(basename "$f") "
done
if [ -z "$bad" ]; then
	echo "result: PASS docs-rst -- $n pages valid (docutils --halt=warning)"
else
	echo "result: FAIL docs-rst -- invalid: $bad"
fi
