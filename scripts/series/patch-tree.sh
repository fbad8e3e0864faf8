#!/bin/bash
# patch-tree.sh VER: a hard-linked copy of the pristine source with
# patches/VER/series applied by `quilt push -a`; cached, printed on stdout.
. "$(dirname "$0")/../lib.sh"

ver=${1:-}
check_version "$ver"
pdir=$HX_ROOT/patches/$ver
[ -f "$pdir/series" ] || die "no series file: $pdir/series"
need quilt

src=$("$HX_ROOT/scripts/kernels/fetch-source.sh" "$ver")
key=$(cd "$pdir" && grep -v '^#' series | sed '/^$/d' | xargs cat series | sha256sum | cut -c1-12)
dest=$HX_CACHE/trees/$ver-patched-$key
if [ -f "$dest/Makefile" ]; then
	echo "$dest"
	exit 0
fi

stage "apply patches/$ver (quilt push -a)"
mkdir -p "$HX_CACHE/trees"
tmp=$HX_CACHE/trees/.tmp-$ver-patched-$key
rm -rf "$tmp"
# Hard links, as stock-tree.sh: patch(1) writes each file it changes anew
# (quilt's backup keeps the old link), so the pristine files stay as they
# are, read-only. Only the directories are new, and must be writable.
cp -al "$src" "$tmp"
find "$tmp" -type d -exec chmod u+w {} +
if ! out=$(cd "$tmp" && QUILT_PATCHES="$pdir" quilt push -a -q 2>&1); then
	rm -rf "$tmp"
	die "patches/$ver does not apply to $(basename "$src"): $(echo "$out" | grep -m1 -iE 'fail|error|not' || echo "$out" | tail -1)"
fi
publish "$tmp" "$dest"
echo "$dest"
