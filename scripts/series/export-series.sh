#!/bin/bash
# export-series.sh VER GITDIR BASE [OUTDIR]: write the commits BASE..HEAD of
# the kernel git tree GITDIR as patches/VER, or OUTDIR (git format-patch
# --cover-letter, a first posting without a version, with the cover letter
# text from patches/VER/cover-letter.txt) plus a quilt series file. Each
# patch gets a Cc: header for every maintainer and list that the kernel's
# scripts/get_maintainer.pl (of pristine linux-source-VER) names for it, the
# cover letter all of them. For developers of the series; check-series.sh
# verifies it, and that it reproduces the series from a git am of it.
#
# The series is sent as whoever exports it: the From: header and a
# Signed-off-by: (the DCO's certificate of whoever passes a patch on) of
# each patch are GITDIR's git identity (user.name, user.email), which must
# be set. A commit by someone else keeps its author, in a From: line at the
# top of the body, as git send-email does.
. "$(dirname "$0")/../lib.sh"

ver=${1:-} git=${2:-} base=${3:-} out=${4:-}
check_version "$ver"
if [ -z "$git" ] || [ -z "$base" ]; then
	die "usage: export-series.sh VER GITDIR BASE"
fi
git -C "$git" rev-parse -q --verify "$base^{commit}" >/dev/null ||
	die "$base is not a commit in $git"
src=$("$HX_ROOT/scripts/kernels/fetch-source.sh" "$ver")
[ -f "$src/scripts/get_maintainer.pl" ] || die "no scripts/get_maintainer.pl in $src"
cover=$HX_ROOT/patches/$ver/cover-letter.txt
pdir=${out:-$HX_ROOT/patches/$ver}
mkdir -p "$pdir"
[ -f "$cover" ] || die "write $cover first: a subject line, a blank line, the text"

name=$(git -C "$git" config user.name || true)
email=$(git -C "$git" config user.email || true)
if [ -z "$name" ] || [ -z "$email" ]; then
	die "no git identity in $git: set user.name and user.email (the series is sent, and signed off, as you)"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A fixed abbreviation: the index lines do not depend on the repository's size.
git -C "$git" -c core.abbrev=9 format-patch -q --cover-letter --no-signature \
	--from="$name <$email>" --signoff -o "$tmp" "$base..HEAD"
# get_maintainer.pl's addresses for each patch, one file each
for p in "$tmp"/0*.patch; do
	case "${p##*/}" in 0000-*) continue ;; esac
	(cd "$src" && perl scripts/get_maintainer.pl --no-rolestats --no-git \
		--no-git-fallback --no-tree "$p") >"$p.cc" ||
		die "get_maintainer.pl failed on $(basename "$p")"
done
python3 - "$tmp" <<'PY'
import glob
import os
import sys


def add_cc(path, ccs):
    """A Cc: header per address, at the end of the mail headers."""
    text = open(path).read()
    head, sep, body = text.partition('\n\n')
    open(path, 'w').write(head + ''.join(f'\nCc: {c}' for c in ccs) + sep + body)


every = []
for cc in sorted(glob.glob(os.path.join(sys.argv[1], '*.patch.cc'))):
    ccs = [line.strip() for line in open(cc) if line.strip()]
    add_cc(cc[:-3], ccs)
    every += [c for c in ccs if c not in every]
    os.unlink(cc)
add_cc(os.path.join(sys.argv[1], '0000-cover-letter.patch'), every)
PY
# The base, last in the text: Debian's source package and its version
# (from the unpacked tree's name). No public git commit holds that tree,
# so git format-patch --base would name a commit of the sender's own import.
based=$(basename "$src" | sed -E 's/^(linux-source-[0-9.]+)-/\1 /')
python3 - "$tmp"/0000-cover-letter.patch "$cover" "$based" <<'PY'
import sys
path, cover, based = sys.argv[1:]
subject, _, body = open(cover).read().partition('\n\n')
text = open(path).read()
assert '*** SUBJECT HERE ***' in text and '*** BLURB HERE ***' in text
text = text.replace('*** SUBJECT HERE ***', subject.strip())
text = text.replace('*** BLURB HERE ***', body.rstrip('\n') +
                    f'\n\nBased on Debian\'s {based}, the source package as unpacked;\n'
                    'no public git commit holds that tree, so there is no base-commit.')
open(path, 'w').write(text)
PY
rm -f "$pdir"/*.patch
cp "$tmp"/*.patch "$pdir/"
for p in "$pdir"/0*.patch; do
	case "${p##*/}" in 0000-*) ;; *) basename "$p" ;; esac
done >"$pdir/series"
echo "$pdir: $(wc -l <"$pdir/series") patches"
