# shellcheck shell=bash
# Common helpers for the dma-buf-sgt-cache scripts. Source it; do not run it.
#
# Every script prints one progress line per stage, prefixed with the seconds
# elapsed since the outermost script started (HX_T0 is inherited by children).

set -euo pipefail
# Stable tool messages (gcc's quotes) for the gates that parse them.
export LC_ALL=C

HX_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HX_CACHE=${DMA_BUF_SGT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/dma-buf-sgt-cache}
HX_T0=${HX_T0:-$(date +%s)}
HX_SUPPORTED="6.12 6.1 7.3"
export HX_ROOT HX_CACHE HX_T0

# stage MSG...: one progress line on stderr, with elapsed seconds.
stage() {
	printf '[%5ds] %s\n' "$(($(date +%s) - HX_T0))" "$*" >&2
}

# die MSG...: a one-line reason on stderr and a non-zero exit.
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# check_version VER: only the kernels this project supports.
check_version() {
	case "${1:-}" in
	6.1 | 6.12 | 7.3) ;;
	*) die "unknown kernel version '${1:-}' (supported: $HX_SUPPORTED)" ;;
	esac
}

# hx_debian_mirror: the URI of this machine's Debian main archive (origin
# Debian, a release that is a codename, not -updates or -security,
# component main), from its own apt sources: a user's machine has its own
# mirror, and no host is written in this project.
hx_debian_mirror() {
	local targets uri
	# shellcheck disable=SC2016 # apt's own $(FIELD) syntax
	targets=$(apt-get indextargets --format '$(ORIGIN) $(RELEASE) $(CODENAME) $(COMPONENT) $(REPO_URI)')
	uri=$(awk '$1 == "Debian" && $2 == $3 && $2 !~ /-/ && $4 == "main" { print $5; exit }' <<<"$targets")
	[ -n "$uri" ] || die "no Debian main archive in this machine's apt sources (apt-get indextargets)"
	echo "$uri"
}

# hx_debian_keyring: the keyring that signs Debian's suites.
hx_debian_keyring() {
	local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	[ -f "$keyring" ] || die "no $keyring (debian-archive-keyring)"
	echo "$keyring"
}

# hx_sparse_runs KDIR: whether kbuild runs sparse (make C=1/C=2) against
# KDIR with Debian's sparse (0.6.4). Since 7.x the kernel's
# scripts/checker-valid.sh wants __typeof_unqual__, which no sparse release
# has, and kbuild then skips the check with a warning; Debian's 7.3 headers
# (built in a Debian 13 root) do not even carry the script.
hx_sparse_runs() {
	local checker=$1/source/scripts/checker-valid.sh
	[ ! -f "$1/.hx-build-root" ] &&
		{ [ ! -f "$checker" ] || [ "$(sh "$checker" sparse 2>/dev/null)" = 1 ]; }
}

# hx_in_kroot KDIR CMD...: run CMD (a build against the kernel headers
# KDIR) where they build: in the build root named by KDIR/.hx-build-root
# (fetch-stock.sh writes it for headers this machine's compiler cannot
# build with), else here.
hx_in_kroot() {
	local kdir=$1
	shift
	if [ -f "$kdir/.hx-build-root" ]; then
		"$HX_ROOT/scripts/kernels/in-root.sh" "$(cat "$kdir/.hx-build-root")" "$@"
	else
		"$@"
	fi
}

# need CMD...: fail with a clear reason if a command is missing.
need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			die "'$c' not found; run scripts/deps.sh (as root) first"
	done
}

# hx_kunit_py: the kunit.py whose parser judges every guest's KTAP (the
# 6.12 source's, for every kernel).
hx_kunit_py() {
	echo "$("$HX_ROOT/scripts/kernels/fetch-source.sh" 6.12)/tools/testing/kunit/kunit.py"
}

# hx_lines VAR CMD...: the lines CMD prints into the array VAR, returning
# CMD's exit status (which `mapfile -t VAR < <(CMD)` loses).
# shellcheck disable=SC2034 # hx_lines_into is a nameref: the caller's array
hx_lines() {
	local -n hx_lines_into=$1
	local out
	shift
	out=$("$@") || return
	hx_lines_into=()
	[ -z "$out" ] || mapfile -t hx_lines_into <<<"$out"
}

# hx_lockdep_cases VER CONFIG VERDICT: the cases of the differential lockdep
# suite (tests/lockdep/cases) for kernel VER in configuration CONFIG
# (stock, patched, module) whose stock verdict is VERDICT (report, none).
hx_lockdep_cases() {
	awk -v v=",$1," -v c=",$2," -v want="$3" '!/^#/ && NF == 4 &&
		index("," $2 ",", v) && index("," $3 ",", c) && $4 == want { print $1 }' \
		"$HX_ROOT/tests/lockdep/cases"
}

# hx_lockdep_steps VER CONFIG VERDICT: the same cases as comma-separated
# guest steps of the module that runs them in CONFIG.
hx_lockdep_steps() {
	local m=sgt_lockdep c out=
	[ "$2" != module ] || m=sgt_lockdep_module
	for c in $(hx_lockdep_cases "$@"); do out+=${out:+,}$m@case=$c; done
	echo "$out"
}

# hx_stock_expect VER: the contract suite's expected results on VER's
# stock core (tests/kunit/stock-VER.expect where VER has its own).
hx_stock_expect() {
	local f=$HX_ROOT/tests/kunit/stock-$1.expect
	[ -f "$f" ] || f=$HX_ROOT/tests/kunit/stock.expect
	echo "$f"
}

# publish TMP DEST: atomically move a completed temporary result into place.
publish() {
	rm -rf "$2"
	mv "$1" "$2"
}

# ccache for every kernel build; paths below the cache are made relative so
# the stock and patched trees share objects. Depend mode: ccache takes the
# header list from gcc's -MD output (Kbuild asks for it) instead of running
# the preprocessor first. Compiling kernel/ of the 6.12 KASAN config into
# an empty cache took 141 CPU-s by default, 108 in depend mode, 112 with
# gcc alone; a second build hits either way.
hx_ccache_env() {
	export CCACHE_DIR="$HX_CACHE/ccache"
	export CCACHE_BASEDIR="$HX_CACHE"
	export CCACHE_NOHASHDIR=1
	export CCACHE_DEPEND=1
	export CCACHE_MAXSIZE=10G
	mkdir -p "$CCACHE_DIR"
}

# hx_copy_build KDIR DEST: a scratch copy of a kernel build and its tree to
# build on: DEST holds hard links to the tree's sources (patch(1) and gcc
# replace the files they write, so the original stays untouched) and
# DEST/build a real copy of KDIR. Kbuild's paths are relative (KDIR is a
# child of its tree), so make in DEST rebuilds only what changes there.
hx_copy_build() {
	rm -rf "$2"
	mkdir -p "$2"
	find "$(dirname "$1")" -mindepth 1 -maxdepth 1 ! -name 'build-*' ! -name '.tmp-*' \
		! -name '.lock-*' -exec cp -al {} "$2/" \;
	cp -a "$1" "$2/build"
}

# hx_kmake TREE ARG...: make in a kernel tree (a hx_copy_build copy) that is
# built in TREE/build, with ccache, on every CPU.
hx_kmake() {
	local tree=$1
	shift
	make -C "$tree" O="$tree/build" CC="ccache gcc" -j"$(nproc)" "$@"
}
