#!/bin/bash
# stock-tree.sh VER: a hard-linked copy of the pristine source that stock
# kernels are built in (their build directories live inside it; the pristine
# tree stays untouched). Cached; printed on stdout.
. "$(dirname "$0")/../lib.sh"

ver=${1:-}
check_version "$ver"
src=$("$HX_ROOT/scripts/kernels/fetch-source.sh" "$ver")
dest=$HX_CACHE/trees/$ver-stock-$(basename "$src" | sed "s/^linux-source-$ver-//")
if [ ! -f "$dest/Makefile" ]; then
	stage "link $(basename "$src") into a stock tree"
	mkdir -p "$HX_CACHE/trees"
	tmp=$HX_CACHE/trees/.tmp-$(basename "$dest")
	rm -rf "$tmp"
	cp -al "$src" "$tmp"
	chmod u+w "$tmp"
	publish "$tmp" "$dest"
fi
echo "$dest"
