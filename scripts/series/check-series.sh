#!/bin/bash
# check-series.sh VER: check patches/VER against pristine Debian
# linux-source-VER. One "result: PASS|FAIL NAME -- DETAIL" line per check:
#   git-am       the series applies with git am (touched files, pristine)
#   quilt        the series applies with quilt push -a
#   checkpatch   scripts/checkpatch.pl --strict: no error, warning or check
#   kunit-source the in-tree test equals scripts/series/gen-kunit-test.sh VER
#   kernel-doc   touched files: kernel-doc -none -Wall adds no warning
#   bisect       every prefix of the series builds (KASAN debug config;
#                scripts/kernels/build-kernel.sh builds patched kernels that way)
#   kunit-py     kunit.py run --kunitconfig=drivers/dma-buf on the patched
#                tree, as the KUnit patch says, and its negative control
#                (scripts/series/kunit-run.sh)
#   sparse, W=1  make C=2 / W=1 of drivers/dma-buf add no warning to stock
# The sparse/W=1 verdicts are cached per series and config.
. "$(dirname "$0")/../lib.sh"

ver=${1:-}
check_version "$ver"
pdir=$HX_ROOT/patches/$ver
[ -f "$pdir/series" ] || die "no series for $ver: $pdir/series"
need git quilt make unifdef

result() { # PASS|FAIL NAME DETAIL
	echo "result: $1 series-$ver-$2 -- $3"
}

mapfile -t patches < <(grep -v '^#' "$pdir/series" | sed '/^$/d')
src=$("$HX_ROOT/scripts/kernels/fetch-source.sh" "$ver")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- git am, on a repository of just the files the series touches
stage "series $ver: git am"
mkdir "$tmp/am"
files=$(cat "${patches[@]/#/$pdir/}" | sed -n 's|^--- a/||p' | sort -u)
(cd "$src" && for f in $files; do cp --parents "$f" "$tmp/am/"; done)
# as its sender (the first patch's From: header), who exports it again
# (a header folded over lines, as format-patch folds a long one)
sender=$(awk 'NR == 2 { sub(/^From: /, ""); s = $0; next }
	NR > 2 && /^[ \t]/ { sub(/^[ \t]+/, " "); s = s $0; next } NR > 2 { exit } END { print s }' \
	"$pdir/${patches[0]}")
sname=${sender% <*} semail=${sender##*<}
semail=${semail%>}
if out=$(cd "$tmp/am" && git init -q && git config user.name "$sname" &&
	git config user.email "$semail" && git add -A && git commit -q -m base &&
	git am -q "${patches[@]/#/$pdir/}" 2>&1); then
	result PASS git-am "${#patches[@]} patches"
	# The maintainer's way back (Documentation/distro-guide.rst): exporting
	# the applied commits reproduces the series, from each Subject: on (the
	# commit ids and the cover letter's date and sender are the exporter's).
	if "$HX_ROOT/scripts/series/export-series.sh" "$ver" "$tmp/am" "HEAD~${#patches[@]}" \
		"$tmp/export" >/dev/null 2>"$tmp/export.err"; then
		diffs=0
		cmp -s "$pdir/series" "$tmp/export/series" || diffs=1
		for f in "$pdir"/*.patch; do
			cmp -s <(sed -n '/^Subject:/,$p' "$f") \
				<(sed -n '/^Subject:/,$p' "$tmp/export/${f##*/}") ||
				diffs=$((diffs + 1))
		done
		if [ "$diffs" -eq 0 ]; then
			result PASS export-series "git am + export-series.sh reproduce all ${#patches[@]} patches"
		else
			result FAIL export-series "$diffs files differ after git am + export-series.sh"
		fi
	else
		result FAIL export-series "$(tail -1 "$tmp/export.err")"
	fi
else
	result FAIL git-am "$(echo "$out" | grep -m1 -iE 'fail|error|patch' || echo "$out" | tail -1)"
fi

# --- quilt push -a (the tree the patched kernels are built from)
stage "series $ver: quilt push -a"
if tree=$("$HX_ROOT/scripts/series/patch-tree.sh" "$ver" 2>"$tmp/quilt.err"); then
	result PASS quilt "${#patches[@]} patches"
else
	result FAIL quilt "$(tail -1 "$tmp/quilt.err")"
	exit 0
fi

# --- checkpatch; Debian's python3 first in PATH for spdxcheck's ply.
# FILE_PATH_CHANGES is ignored: new files land in drivers/dma-buf/, which
# MAINTAINERS already covers with "F: drivers/dma-buf/".
stage "series $ver: checkpatch --strict"
bad=
for p in "${patches[@]}"; do
	out=$(PATH=/usr/bin:$PATH "$src/scripts/checkpatch.pl" --strict --no-tree -q \
		--ignore FILE_PATH_CHANGES "$pdir/$p" 2>&1) || true
	[ -z "$out" ] || bad+="$p: $(echo "$out" | grep -m1 -E '^(ERROR|WARNING|CHECK)') "
done
if [ -z "$bad" ]; then
	result PASS checkpatch "${#patches[@]} patches, 0 errors, 0 warnings, 0 checks"
else
	result FAIL checkpatch "$bad"
fi

# --- the in-tree test is generated from the single source
stage "series $ver: in-tree KUnit test vs tests/kunit"
"$HX_ROOT/scripts/series/gen-kunit-test.sh" "$ver" >"$tmp/test.c"
if cmp -s "$tmp/test.c" "$tree/drivers/dma-buf/dma-buf-sgt-cache-test.c"; then
	result PASS kunit-source "drivers/dma-buf/dma-buf-sgt-cache-test.c == gen-kunit-test.sh $ver"
else
	result FAIL kunit-source "the series' test differs from tests/kunit: run gen-kunit-test.sh $ver and refresh"
fi

# --- kernel-doc on the touched .c/.h files
stage "series $ver: kernel-doc"
kd_new=0 kd_files=
# 6.1's kernel-doc has no -Wall; its default set is what there is. -Wall
# adds to the default set, so one run per file sees both.
kd_all=()
if "$src/scripts/kernel-doc" -h 2>&1 | grep -q -- '-Wall'; then
	kd_all=(-Wall)
fi
kdoc() { # TREE FILE: the warnings, without line numbers ("f.c:12:
	# warning: ..." before 6.16, "Warning: f.c:12 ..." since)
	(cd "$1" && { scripts/kernel-doc -none "${kd_all[@]}" "$2" 2>&1 || true; }) |
		sed -E 's/:[0-9]+:? /: /' | sort
}
while read -r f; do
	# silent, but for what the pristine file says already
	old=''
	[ ! -f "$src/$f" ] || old=$(kdoc "$src" "$f")
	new=$(kdoc "$tree" "$f")
	n=$(comm -13 <(echo "$old") <(echo "$new") | sed '/^$/d' | wc -l)
	[ "$n" -eq 0 ] || kd_files+="$f "
	kd_new=$((kd_new + n))
done < <(cat "${patches[@]/#/$pdir/}" | sed -n 's|^+++ b/||p' | sort -u | grep -E '\.[ch]$')
kd_set="-none ${kd_all[*]:-(the default warnings)}"
if [ "$kd_new" -eq 0 ]; then
	result PASS kernel-doc "touched files: $kd_set adds 0 warnings"
else
	result FAIL kernel-doc "$kd_set adds $kd_new warnings in: $kd_files"
fi

# --- bisect: scripts/kernels/build-kernel.sh builds the patched kernel one patch
# at a time on the stock build and records each prefix in series-build.
stage "series $ver: bisect (the patched kernel, built patch by patch)"
if ! kp=$("$HX_ROOT/scripts/kernels/build-kernel.sh" "$ver" patched kasan 2> >(tee "$tmp/build.err" >&2)); then
	result FAIL bisect "$(grep '^error:' "$tmp/build.err" | tail -1)"
	exit 0
fi
n=$(grep -c '^ok ' "$kp/series-build" || true)
if [ "$n" -eq "${#patches[@]}" ]; then
	secs=$(awk '{ s += $4 } END { print s }' "$kp/series-build")
	result PASS bisect "all $n prefixes build, each on the one before ($secs s in all)"
else
	result FAIL bisect "$kp/series-build records $n of ${#patches[@]} prefixes"
fi

# --- the KUnit suite as its commit message runs it, and the gate's control
"$HX_ROOT/scripts/series/kunit-run.sh" "$ver"
"$HX_ROOT/scripts/series/kunit-run.sh" "$ver" --control

# --- sparse and W=1 (cached by series and config)
key=$("$HX_ROOT/scripts/kernels/kernel-key.sh" "$ver" patched kasan)
stamp=$HX_CACHE/results/series-$key
if [ -f "$stamp" ]; then
	sed 's/$/ (cached)/' "$stamp"
	exit 0
fi
need sparse
hx_ccache_env
ks=$("$HX_ROOT/scripts/kernels/build-kernel.sh" "$ver" stock kasan)

warnings() { # LOG: warning lines without line numbers
	grep -E 'warning:|error:' "$1" | sed -E 's/:[0-9]+(:[0-9]+)?:/:/; s|^.*/drivers/|drivers/|' | sort
}
# Since 7.x the kernel runs sparse only where scripts/checker-valid.sh
# accepts it, which Debian's sparse is not (hx_sparse_runs): make C=2 would
# warn and check nothing. That is said, not passed.
sparse_runs=1
hx_sparse_runs "$kp" || sparse_runs=0
lint() { # TAG KDIR: sparse and W=1 output of drivers/dma-buf, in a scratch copy
	local w=$HX_CACHE/scratch/$ver-$1
	stage "series $ver: sparse and W=1 on drivers/dma-buf ($1)"
	hx_copy_build "$2" "$w"
	: >"$tmp/sparse-$1.log"
	[ "$sparse_runs" -eq 0 ] ||
		hx_kmake "$w" C=2 drivers/dma-buf/ >"$tmp/sparse-$1.log" 2>&1 || true
	hx_kmake "$w" W=1 drivers/dma-buf/ >"$tmp/w1-$1.log" 2>&1 || true
	rm -rf "$w"
}
lint stock "$ks"
lint patched "$kp"
s_new=$(comm -13 <(warnings "$tmp/sparse-stock.log") <(warnings "$tmp/sparse-patched.log"))
w_new=$(comm -13 <(warnings "$tmp/w1-stock.log") <(warnings "$tmp/w1-patched.log"))
{
	if [ "$sparse_runs" -eq 0 ]; then
		result SKIP sparse "make C=2 checks nothing: $(sparse --version) is older than this kernel's scripts/checker-valid.sh wants"
	elif [ -z "$s_new" ]; then
		result PASS sparse "make C=2 drivers/dma-buf: 0 new ($(warnings "$tmp/sparse-patched.log" | wc -l) as in stock)"
	else
		result FAIL sparse "new: $(echo "$s_new" | head -3 | tr '\n' ' ')"
	fi
	if [ -z "$w_new" ]; then
		result PASS W=1 "make W=1 drivers/dma-buf: 0 new ($(warnings "$tmp/w1-patched.log" | wc -l) as in stock)"
	else
		result FAIL W=1 "new: $(echo "$w_new" | head -3 | tr '\n' ' ')"
	fi
} | tee "$tmp/verdict"
if ! grep -q '^result: FAIL' "$tmp/verdict"; then
	mkdir -p "$HX_CACHE/results"
	cp "$tmp/verdict" "$stamp"
fi
