#!/bin/sh
# run.sh — every test suite that can run on this machine, one summary.
#
# A suite prints TAP ("ok N - name", "not ok N - name", "# SKIP") or
# lines "PASS name" / "FAIL name" / "SKIP name"; this script counts them
# and ends with the line "N passed, N failed, N skipped".
# TW_SUITES limits the run ("unit api render"), TW_BUILDS the builds.
set -u
cd "$(dirname "$0")/.." || exit 1
OUT=tests/out
mkdir -p "$OUT"
: "${TW_SUITES:=unit render api daemon netns browser deb}"
: "${TW_BUILDS:=build build/asan}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export CMOCKA_MESSAGE_OUTPUT=TAP
export TW_SRCDIR="$PWD"

pass=0 fail=0 skip=0
failed_list=""

# count NAME LOGFILE EXITCODE
count() {
	# cmocka prints a skipped test as "not ok N # SKIP": a skip.
	p=$(grep -E '^(ok [0-9]+|PASS )' "$2" | grep -cv '# SKIP' || true)
	f=$(grep -E '^(not ok [0-9]+|FAIL )' "$2" | grep -cv '# SKIP' || true)
	s=$(grep -cE '^(SKIP |SKIPPED)|^(not )?ok [0-9]+.*# SKIP' "$2" || true)
	if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1	# crashed or failed without saying which test
		echo "FAIL $1: exited $3 (see $2)" >> "$2"
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	[ "$f" -gt 0 ] && failed_list="$failed_list $1"
	printf '%-40s %4d passed %3d failed %3d skipped\n' "$1" "$p" "$f" "$s"
	if [ "$f" -gt 0 ]; then
		grep -E '^(not ok|FAIL )' "$2" | grep -v '# SKIP' | head -20 |
		    sed 's/^/    /'
	fi
}

# suite NAME COMMAND...
suite() {
	name=$1; shift
	log="$OUT/$(echo "$name" | tr '/ ' '__').log"
	"$@" > "$log" 2>&1 < /dev/null
	count "$name" "$log" $?
}

for b in $TW_BUILDS; do
	if [ ! -x "$b/twinwall" ]; then
		echo "SKIP build $b: not built" > "$OUT/missing.log"
		count "build $b" "$OUT/missing.log" 0
		continue
	fi
	case " $TW_SUITES " in *" unit "*)
		for t in "$b"/tests/test_*; do
			[ -x "$t" ] || continue
			suite "$b/unit/$(basename "$t")" "$t"
		done ;;
	esac
done

case " $TW_SUITES " in *" render "*)
	[ -f tests/render/nftcheck.sh ] &&
	    suite "render/nft -c" sh tests/render/nftcheck.sh
	suite "render/order" sh tests/render/ordercheck.sh ;;
esac
case " $TW_SUITES " in *" api "*)
	for t in tests/api/test_*.py; do
		[ -f "$t" ] || continue
		for b in $TW_BUILDS; do
			[ -x "$b/twinwall" ] || continue
			TW_BIN="$b/twinwall" suite "$b/api/$(basename "$t" .py)" \
			    python3 "$t"
		done
	done ;;
esac
case " $TW_SUITES " in *" daemon "*)
	for t in tests/api/daemon_*.py tests/sync/test_*.py; do
		[ -f "$t" ] || continue
		TW_BIN=build/twinwall suite "$(dirname "$t" | \
		    sed 's|tests/||')/$(basename "$t" .py)" python3 "$t"
	done ;;
esac
case " $TW_SUITES " in *" netns "*)
	for t in tests/netns/test_*.sh; do
		[ -f "$t" ] || continue
		suite "netns/$(basename "$t" .sh)" sh "$t"
	done ;;
esac
# The Debian package: built, checked, installed and upgraded in a
# throwaway root (root only; it says SKIP otherwise).
case " $TW_SUITES " in *" deb "*)
	suite "deb/package" sh tests/deb/test_package.sh ;;
esac
case " $TW_SUITES " in *" browser "*)
	for t in tests/browser/test_*.mjs; do
		[ -f "$t" ] || continue
		suite "browser/$(basename "$t" .mjs)" node "$t"
	done ;;
esac

echo
[ -n "$failed_list" ] && echo "failed suites:$failed_list (logs in $OUT/)"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
