#!/bin/bash
# kernel-key.sh VER VARIANT FLAVOUR: print the cache name of that kernel
# build: it changes whenever the Debian source, its config fragments or its
# patches change.
. "$(dirname "$0")/../lib.sh"

ver=${1:-} variant=${2:-} flavour=${3:-}
check_version "$ver"
case "$variant" in stock | patched) ;; *) die "unknown variant '$variant' (stock, patched)" ;; esac
case "$flavour" in lockdep | kasan | bench) ;; *) die "unknown flavour '$flavour' (lockdep, kasan, bench)" ;; esac

# A series that does not exist yet means patched == stock.
if [ "$variant" = patched ] && [ ! -f "$HX_ROOT/patches/$ver/series" ]; then
	variant=stock
fi

files=("$HX_ROOT/config/base.config" "$HX_ROOT/config/optional.config")
[ "$flavour" = lockdep ] || files+=("$HX_ROOT/config/$flavour.config")
if [ "$variant" = patched ]; then
	while read -r p; do
		files+=("$HX_ROOT/patches/$ver/$p")
	done < <(grep -v '^#' "$HX_ROOT/patches/$ver/series" | sed '/^$/d')
fi
# The source it is built from (fetched first: asking dpkg before the package
# is installed would give a key that changes once it is).
src=$("$HX_ROOT/scripts/kernels/fetch-source.sh" "$ver")
# Comments and blank lines of the config fragments do not change a build
# ("# CONFIG_X is not set" does, and stays), nor do a patch's mail headers
# and commit message (its Date:, Cc: lines, wording): of each patch only
# the diffs count, which is what quilt applies.
frags() { sed -e '/^# CONFIG_[A-Za-z0-9_]* is not set$/b' -e '/^#/d' -e '/^[[:space:]]*$/d' "$@"; }
diffs() {
	local p
	for p in "$@"; do sed -n '/^diff --git /,$p' "$p"; done
}
nfrag=2
[ "$flavour" = lockdep ] || nfrag=3
key=$( (basename "$src"; frags "${files[@]:0:nfrag}"; diffs "${files[@]:nfrag}") |
	sha256sum | cut -c1-12)
echo "$ver-$variant-$flavour-$key"
