#!/bin/bash
# build-kernel.sh VER VARIANT FLAVOUR: build (or reuse from the cache) a
# minimal x86_64 debug kernel and print its build directory.
#   VER      6.12 | 6.1
#   VARIANT  stock (pristine Debian source) | patched (patches/VER/series)
#   FLAVOUR  lockdep (config/base.config) | kasan (+ config/kasan.config) |
#            bench (+ config/bench.config: no lock/memory debugging, IOMMU)
# The build directory is a direct child of its source tree, so Kbuild uses
# srctree=.. and every tree compiles the same relative paths: ccache then
# serves the stock and patched builds from one another. Work happens in a
# temporary directory that is renamed when complete.
#
# A patched kernel is built the way a bisecting reviewer builds a series:
# on a copy of the stock build of the same flavour, one patch at a time, an
# incremental `make` after each. Every prefix of the series must build; the
# build directory's file series-build records each prefix and its time
# (scripts/series/check-series.sh reports it). Only what a patch touches is
# recompiled, so the whole walk costs less than one full build.
. "$(dirname "$0")/../lib.sh"

ver=${1:-} variant=${2:-} flavour=${3:-}
name=$("$HX_ROOT/scripts/kernels/kernel-key.sh" "$ver" "$variant" "$flavour")
case "$name" in
*-patched-*) src=$("$HX_ROOT/scripts/series/patch-tree.sh" "$ver") ;;
*) src=$("$HX_ROOT/scripts/kernels/stock-tree.sh" "$ver") ;;
esac
out=$src/build-${name#*-*-}
# One builder per kernel: a second caller waits, then finds it built.
exec 9>"$src/.lock-${name#*-*-}"
flock 9
if [ -f "$out/arch/x86/boot/bzImage" ]; then
	echo "$out"
	exit 0
fi
need make gcc ccache flex bison bc

tmp=$src/.tmp-build-${name#*-*-}
rm -rf "$tmp"
mkdir -p "$tmp"
log=$tmp/build.log
hx_ccache_env

frags=("$HX_ROOT/config/base.config" "$HX_ROOT/config/optional.config")
[ "$flavour" = lockdep ] || frags+=("$HX_ROOT/config/$flavour.config")

stage "configure $name"
{
	make -C "$src" O="$tmp" tinyconfig &&
		"$src/scripts/kconfig/merge_config.sh" -m -O "$tmp" "$tmp/.config" "${frags[@]}" &&
		make -C "$src" O="$tmp" olddefconfig
} >"$log" 2>&1 || die "configuring $name failed; see $log"

# Every required option must survive olddefconfig: the last word on an
# option among base.config and the flavour's fragment (optional.config is
# wanted, not required).
required=$(cat "$HX_ROOT/config/base.config" "${frags[@]:2}" |
	sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=.*/\1 &/p; s/^# \(CONFIG_[A-Z0-9_]*\) is not set$/\1 &/p' |
	awk '{ last[$1] = $0; order[$1] = NR } END { for (o in last) print order[o], last[o] }' |
	sort -n | cut -d' ' -f3-)
while IFS= read -r line; do
	case "$line" in
	"# "*) opt=${line#\# }; opt=${opt%% *}
		! grep -q "^$opt=" "$tmp/.config" || die "$name: $opt must stay unset" ;;
	*) grep -qx "$line" "$tmp/.config" || die "$name: config option did not stick: $line" ;;
	esac
done <<<"$required"

# publish_build TMP OUT [TMPTREE TREE]: move a finished build directory into
# place. Since 7.x kbuild writes absolute paths into the build's Makefile:
# the build directory (KBUILD_OUTPUT) and the source tree it includes (for a
# patched build, the walk's copy), which must follow it.
publish_build() {
	publish "$1" "$2"
	sed -i "s|$1|$2|g" "$2/Makefile"
	[ $# -lt 4 ] || sed -i "s|$3/|$4/|g" "$2/Makefile"
}

if [[ "$name" != *-patched-* ]]; then
	stage "build $name (log: $log)"
	make -C "$src" O="$tmp" CC="ccache gcc" -j"$(nproc)" bzImage modules >>"$log" 2>&1 ||
		die "building $name failed; see $log"
	publish_build "$tmp" "$out"
	stage "built $name"
	echo "$out"
	exit 0
fi

# --- patched: patch by patch on the stock build
seed=$("$0" "$ver" stock "$flavour")
pdir=$HX_ROOT/patches/$ver
mapfile -t patches < <(grep -v '^#' "$pdir/series" | sed '/^$/d')
walk=$src/.tmp-walk-${name#*-*-}
stage "build $name: ${#patches[@]} patches, one at a time, on $(basename "$seed") (log: $log)"
hx_copy_build "$seed" "$walk"
wmake() { hx_kmake "$walk" "$@" >>"$log" 2>&1; }
i=0
for p in "${patches[@]}"; do
	i=$((i + 1))
	t=$(date +%s)
	patch -d "$walk" -p1 -s <"$pdir/$p" >>"$log" 2>&1 ||
		die "patches/$ver: $p does not apply after the $((i - 1)) before it"
	# A patch that touches Kconfig: the configuration of the whole series
	# (new options included), as far as this prefix knows its options.
	if grep -q '^+++ b/\(.*/\)\?Kconfig' "$pdir/$p"; then
		cp "$tmp/.config" "$walk/build/.config"
		wmake olddefconfig || die "$name: olddefconfig failed with $p; see $log"
	fi
	if ! wmake bzImage modules; then
		die "$name: the kernel does not build with the first $i of ${#patches[@]} patches ($p); see $log"
	fi
	echo "ok $i/${#patches[@]} $p $(($(date +%s) - t)) s" >>"$walk/build/series-build"
	stage "built $name with $i/${#patches[@]}: $p"
done
# The walk must end where a build of the patched tree starts.
opts() { grep -E '^(CONFIG_|# CONFIG_)' "$1"; }
cmp -s <(opts "$tmp/.config") <(opts "$walk/build/.config") ||
	die "$name: the patch-by-patch build ended with another config than $tmp/.config"
mv "$log" "$walk/build/build.log"
rm -rf "$tmp"
publish_build "$walk/build" "$out" "$walk" "$src"
rm -rf "$walk"
stage "built $name"
echo "$out"
