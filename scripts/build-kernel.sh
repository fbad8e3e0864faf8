#!/bin/bash
# build-kernel.sh VER VARIANT FLAVOUR: build (or reuse from the cache) a
# minimal x86_64 debug kernel and print its build directory.
#   VER      6.12 | 6.1
#   VARIANT  stock (pristine Debian source) | patched (patches/VER/series)
#   FLAVOUR  lockdep (config/base.config) | kasan (+ config/kasan.config) |
#            bench (+ config/bench.config: no lock/memory debugging, IOMMU)
# The build directory is a direct child of its source tree, so Kbuild uses
# srctree=.. and every tree compiles the same relative paths: ccache then
# serves the stock, patched and bisect builds from one another. Work happens
# in a temporary directory that is renamed when complete.
. "$(dirname "$0")/lib.sh"

ver=${1:-} variant=${2:-} flavour=${3:-}
name=$("$HX_ROOT/scripts/kernel-key.sh" "$ver" "$variant" "$flavour")
case "$name" in
*-patched-*) src=$("$HX_ROOT/scripts/patch-tree.sh" "$ver") ;;
*) src=$("$HX_ROOT/scripts/stock-tree.sh" "$ver") ;;
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

stage "build $name (log: $log)"
make -C "$src" O="$tmp" CC="ccache gcc" -j"$(nproc)" bzImage modules >>"$log" 2>&1 ||
	die "building $name failed; see $log"
publish "$tmp" "$out"
stage "built $name"
echo "$out"
