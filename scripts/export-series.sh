#!/bin/bash
# export-series.sh VER GITDIR BASE [OUTDIR]: write the commits BASE..HEAD of
# the kernel git tree GITDIR as patches/VER, or OUTDIR (git format-patch
# --cover-letter -v1, with the cover letter text from
# patches/VER/cover-letter.txt) plus a quilt series file. For developers of
# the series; check-series.sh verifies it, and that it reproduces the series
# from a git am of it.
. "$(dirname "$0")/lib.sh"

ver=${1:-} git=${2:-} base=${3:-} out=${4:-}
check_version "$ver"
if [ -z "$git" ] || [ -z "$base" ]; then
	die "usage: export-series.sh VER GITDIR BASE"
fi
git -C "$git" rev-parse -q --verify "$base^{commit}" >/dev/null ||
	die "$base is not a commit in $git"
cover=$HX_ROOT/patches/$ver/cover-letter.txt
pdir=${out:-$HX_ROOT/patches/$ver}
mkdir -p "$pdir"
[ -f "$cover" ] || die "write $cover first: a subject line, a blank line, the text"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A fixed abbreviation: the index lines do not depend on the repository's size.
git -C "$git" -c core.abbrev=9 format-patch -q --cover-letter -v1 --no-signature \
	-o "$tmp" "$base..HEAD"
python3 - "$tmp"/v1-0000-cover-letter.patch "$cover" <<'PY'
import sys
path, cover = sys.argv[1:]
subject, _, body = open(cover).read().partition('\n\n')
text = open(path).read()
assert '*** SUBJECT HERE ***' in text and '*** BLURB HERE ***' in text
text = text.replace('*** SUBJECT HERE ***', subject.strip())
text = text.replace('*** BLURB HERE ***', body.rstrip('\n'))
open(path, 'w').write(text)
PY
rm -f "$pdir"/*.patch
cp "$tmp"/*.patch "$pdir/"
for p in "$pdir"/v1-0*.patch; do
	case "$p" in *-0000-*) ;; *) basename "$p" ;; esac
done >"$pdir/series"
echo "$pdir: $(wc -l <"$pdir/series") patches"
