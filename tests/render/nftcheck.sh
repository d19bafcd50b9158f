#!/bin/sh
# nftcheck.sh — loads every golden .nft with the real nft, each in a fresh
# network namespace of its own (deleted on any exit), and checks it twice
# (nft -c), then actually loads it twice: the second load proves the
# declare-then-delete idiom replaces a table that exists.
#
#   sh tests/render/nftcheck.sh [cases-dir]
#
# Prints "PASS name" / "FAIL name" per file and "N passed, N failed, N
# skipped"; exits non-zero on any failure. Needs root (namespaces, nft).
set -u

dir=${1:-$(dirname "$0")/cases}
pass=0 fail=0 skip=0

if [ "$(id -u)" != 0 ]; then
	echo "SKIPPED: nft -c needs root"
	n=$(ls "$dir"/*.nft 2>/dev/null | wc -l)
	echo "0 passed, 0 failed, $n skipped"
	exit 0
fi
if ! command -v nft >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1; then
	echo "SKIPPED: nft or ip not installed"
	echo "0 passed, 0 failed, 0 skipped"
	exit 0
fi

ns=
cleanup() {
	[ -n "$ns" ] && ip netns del "$ns" 2>/dev/null
	ns=
}
trap cleanup EXIT
trap 'cleanup; exit 1' HUP INT TERM

for f in "$dir"/*.nft; do
	[ -e "$f" ] || continue
	name=$(basename "$f" .nft)
	ns="twnftck.$$.$name"
	if ! ip netns add "$ns" 2>/dev/null; then
		echo "FAIL $name (ip netns add)"
		fail=$((fail + 1))
		ns=
		continue
	fi
	if out=$(ip netns exec "$ns" nft -c -f "$f" 2>&1) &&
	    out=$(ip netns exec "$ns" nft -f "$f" 2>&1) &&
	    out=$(ip netns exec "$ns" nft -f "$f" 2>&1) &&
	    out=$(ip netns exec "$ns" nft list table inet twinwall 2>&1); then
		echo "PASS $name"
		pass=$((pass + 1))
	else
		echo "FAIL $name"
		printf '%s\n' "$out" | sed 's/^/    /'
		fail=$((fail + 1))
	fi
	cleanup
done

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
