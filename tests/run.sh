#!/bin/sh
# run.sh — every test suite that can run on this machine, one summary.
#
# A suite prints TAP ("ok N - name", "not ok N - name", "# SKIP") or
# lines "PASS name" / "FAIL name" / "SKIP name"; this script counts them
# and ends with the line "N passed, N failed, N skipped".
# TW_SUITES limits the run ("unit api render"), TW_BUILDS the builds.
#
# Two lanes run at once: the network-namespace suites (timing-sensitive
# CARP pairs, one after another) and everything else (unit, render, API,
# daemon, package, browser: loopback, their own ports and roots). The
# summary is counted afterwards in a fixed order. TW_LANES=1 runs the
# lanes one after the other.
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
: "${TW_LANES:=2}"

# count NAME LOGFILE EXITCODE SECONDS
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
	printf '%-40s %4d passed %3d failed %3d skipped %4ss\n' "$1" "$p" \
	    "$f" "$s" "$4"
	if [ "$f" -gt 0 ]; then
		grep -E '^(not ok|FAIL )' "$2" | grep -v '# SKIP' | head -20 |
		    sed 's/^/    /'
	fi
}

logof() {
	echo "$OUT/$(echo "$1" | tr '/ ' '__').log"
}

# plan LANE NAME [VAR=VALUE ...] COMMAND...: one line of a lane's list
# (tab-separated; the arguments are words without tabs or newlines).
plan() {
	lane=$1; shift
	printf '%s' "$1" >> "$OUT/lane.$lane"
	shift
	for a in "$@"; do printf '\t%s' "$a" >> "$OUT/lane.$lane"; done
	printf '\n' >> "$OUT/lane.$lane"
}

# run_lane LANE: each suite of the lane in order; its exit status and
# seconds beside its log.
run_lane() {
	[ -f "$OUT/lane.$1" ] || return 0
	while IFS='	' read -r name cmd; do
		log=$(logof "$name")
		t0=$(date +%s)
		# shellcheck disable=SC2086
		(IFS='	'; set -f; exec env $cmd) > "$log" 2>&1 < /dev/null
		echo "$? $(($(date +%s) - t0))" > "$log.rc"
	done < "$OUT/lane.$1"
}

# wait_for FILE: until it exists.
wait_for() {
	while [ ! -e "$1" ]; do sleep 1; done
}

rm -f "$OUT"/lane.* "$OUT"/*.log "$OUT"/*.log.rc "$OUT/main.done"

# The module boundaries (include lines and the normal build's calls).
case " $TW_SUITES " in *" unit "*)
	plan main "check/modules" TW_BUILD=build python3 tests/check/modules.py ;;
esac

for b in $TW_BUILDS; do
	if [ ! -x "$b/twinwall" ]; then
		echo "SKIP build $b: not built" > "$OUT/missing.log"
		count "build $b" "$OUT/missing.log" 0 0
		continue
	fi
	case " $TW_SUITES " in *" unit "*)
		for t in "$b"/tests/test_*; do
			[ -x "$t" ] || continue
			plan main "$b/unit/$(basename "$t")" "$t"
		done ;;
	esac
done

case " $TW_SUITES " in *" render "*)
	[ -f tests/render/nftcheck.sh ] &&
	    plan main "render/nft -c" sh tests/render/nftcheck.sh
	plan main "render/order" sh tests/render/ordercheck.sh ;;
esac
case " $TW_SUITES " in *" api "*)
	for t in tests/api/test_*.py; do
		[ -f "$t" ] || continue
		for b in $TW_BUILDS; do
			[ -x "$b/twinwall" ] || continue
			plan main "$b/api/$(basename "$t" .py)" \
			    TW_BIN="$b/twinwall" python3 "$t"
		done
	done ;;
esac
case " $TW_SUITES " in *" daemon "*)
	for t in tests/api/daemon_*.py tests/sync/test_*.py; do
		[ -f "$t" ] || continue
		plan main "$(dirname "$t" | sed 's|tests/||')/$(basename "$t" .py)" \
		    TW_BIN=build/twinwall python3 "$t"
	done ;;
esac
# Suites that load both cores on purpose (a 50,000-rule apply while CARP
# must keep its timing) run alone: last in their lane, once the other
# lane is done.
SOLO="test_ha_bigapply"
case " $TW_SUITES " in *" netns "*)
	for t in tests/netns/test_*.sh; do
		[ -f "$t" ] || continue
		case " $SOLO " in *" $(basename "$t" .sh) "*) continue ;; esac
		plan netns "netns/$(basename "$t" .sh)" sh "$t"
	done
	for t in $SOLO; do
		[ -f "tests/netns/$t.sh" ] &&
		    plan solo "netns/$t" sh "tests/netns/$t.sh"
	done ;;
esac
# The Debian package: built, checked, installed and upgraded in a
# throwaway root (root only; it says SKIP otherwise).
case " $TW_SUITES " in *" deb "*)
	plan main "deb/package" sh tests/deb/test_package.sh ;;
esac
# Chromium too loads both cores, and it runs in a session of its own,
# where the other lane's nice does not reach (autogroups): beside the
# CARP pairs it delayed a normal-priority thread by up to 0.39 s, past
# their liveness detection time. So it runs alone, after both lanes.
case " $TW_SUITES " in *" browser "*)
	for t in tests/browser/test_*.mjs; do
		[ -f "$t" ] || continue
		plan solo "browser/$(basename "$t" .mjs)" node "$t"
	done ;;
esac

start=$(date +%s)
if [ "$TW_LANES" -gt 1 ]; then
	# The CARP pairs measure gaps of tens of milliseconds: the other
	# lane (compiles, Chromium, ASan) yields the CPU to them.
	{ run_lane netns; wait_for "$OUT/main.done"; run_lane solo; } &
	renice -n 10 $$ >/dev/null 2>&1
	run_lane main
	: > "$OUT/main.done"
	wait
else
	run_lane main
	run_lane netns
	run_lane solo
fi

for lane in main netns solo; do
	[ -f "$OUT/lane.$lane" ] || continue
	while IFS='	' read -r name cmd; do
		log=$(logof "$name")
		read -r rc secs < "$log.rc" || { rc=1 secs=0; }
		count "$name" "$log" "$rc" "$secs"
	done < "$OUT/lane.$lane"
done

echo
[ -n "$failed_list" ] && echo "failed suites:$failed_list (logs in $OUT/)"
echo "$pass passed, $fail failed, $skip skipped in $(($(date +%s) - start)) s"
[ "$fail" -eq 0 ]
