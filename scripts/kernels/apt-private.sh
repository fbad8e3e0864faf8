#!/bin/bash
# apt-private.sh SUITE[,SUITE...] apt-get|apt-cache ARG...: run apt against
# Debian suites this machine's own sources do not list (trixie,
# trixie-backports), through a private apt configuration in the cache: its
# own sources list, lists and package cache, never /etc/apt. The archive
# URI is the one the machine's sources use for Debian's main archive (a
# user's machine has its own mirror); no host is written here. The lists
# are refreshed when older than a day.
. "$(dirname "$0")/../lib.sh"

suites=${1:-} tool=${2:-}
case "$tool" in apt-get | apt-cache) ;; *) die "usage: apt-private.sh SUITE[,SUITE] apt-get|apt-cache ARG..." ;; esac
[ -n "$suites" ] || die "usage: apt-private.sh SUITE[,SUITE] apt-get|apt-cache ARG..."
shift 2
need apt-get apt-cache
uri=$(hx_debian_mirror)
keyring=$(hx_debian_keyring)

dir=$HX_CACHE/apt/${suites//,/+}
mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
list=$dir/sources.list
for s in ${suites//,/ }; do
	echo "deb [signed-by=$keyring] $uri $s main"
done >"$list.new"
cmp -s "$list.new" "$list" || { mv "$list.new" "$list"; rm -f "$dir/updated"; }
rm -f "$list.new"
opts=(-o "Dir::Etc::sourcelist=$list" -o Dir::Etc::sourceparts=/dev/null
	-o "Dir::State::lists=$dir/lists" -o "Dir::Cache=$dir/cache"
	-o Dir::State::status=/var/lib/dpkg/status -o APT::Get::List-Cleanup=0)
if [ -z "$(find "$dir/updated" -mmin -1440 2>/dev/null)" ]; then
	stage "apt-get update ($suites, private configuration)"
	apt-get "${opts[@]}" -q update >"$dir/update.log" 2>&1 ||
		die "apt-get update of $suites failed: $(tail -1 "$dir/update.log")"
	touch "$dir/updated"
fi
exec "$tool" "${opts[@]}" "$@"
