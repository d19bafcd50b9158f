#!/bin/sh
# run.sh — `make fuzz`: builds the library with clang and libFuzzer's
# coverage plus ASan/UBSan into build/fuzz, links the targets and
# runs each for TW_FUZZ_SECONDS (default 60), one line per target:
#   PASS fuzz_x: N runs, no crash (R runs/s, C corpus inputs)
#   FAIL fuzz_x: <sanitizer or libFuzzer summary>, <crash file>
# and "N passed, N failed" at the end; exits 1 if any failed.
#
# Seeds are tests/fuzz/corpus/<target>/ (read, never written: new inputs
# go to build/fuzz/corpus/<target>/, crash files to build/fuzz/crashes/).
# A crash worth keeping goes into tests/fuzz/crashes/ and into the seed
# corpus, so every later run replays it first.
#   TW_FUZZ_TARGETS="fuzz_carp"  limits the run; TW_FUZZ_JOBS (default 1)
#   runs that many libFuzzer jobs per target at once.
set -u
cd "$(dirname "$0")/../.." || exit 1
: "${TW_FUZZ_SECONDS:=60}"
: "${TW_FUZZ_TARGETS:=fuzz_model_json fuzz_xmlrpc fuzz_configxml fuzz_carp fuzz_nflog fuzz_arp}"
B=build/fuzz
F=tests/fuzz

# clang and its libFuzzer runtime (Debian: libclang-rt-N-dev) — only here,
# so that `make test` never waits for them.
need=""
command -v clang >/dev/null 2>&1 || need="clang"
if [ -z "$need" ]; then
	v=$(clang -dumpversion | cut -d. -f1)
	[ -f "$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a)" ] ||
	    [ -f "$(clang -print-file-name=libclang_rt.fuzzer-aarch64.a)" ] ||
	    need="libclang-rt-$v-dev"
fi
if [ -n "$need" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "FAIL fuzz: missing $need (run as root to install)"
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "fuzz: installing $need"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $need >/dev/null || exit 1
	[ "$need" = clang ] && exec sh "$F/run.sh"
fi
sh tests/deps.sh || exit 1

# The library: the Makefile's own rules and flags, with clang and
# -fsanitize=fuzzer-no-link (coverage without libFuzzer's main) on top
# of SAN=1. The environment's CFLAGS is what the Makefile's += extends.
MK="make --no-print-directory SAN=1 CC=clang BUILD=$B"
export CFLAGS="-fsanitize=fuzzer-no-link"
jobs=$(nproc 2>/dev/null || echo 2)
mkdir -p "$B/tests" "$B/logs"
echo "fuzz: building $B/libtwinwall.a"
if ! $MK -j"$jobs" "$B/libtwinwall.a" > "$B/logs/build.log" 2>&1; then
	tail -20 "$B/logs/build.log"
	echo "FAIL fuzz: library build failed (see $B/logs/build.log)"
	echo "0 passed, 1 failed"
	exit 1
fi
# The same compiler flags and libraries the Makefile uses, printed by it.
vars=$($MK -s --eval='twfuzz-vars: ; @echo "$(CFLAGS) $(TESTINC)"; echo "$(LDLIBS)"' \
    twfuzz-vars)
# (TW_VERSION is a quoted string that the echo unquotes; no target uses it.)
cflags=$(echo "$vars" | sed -n 1p | sed 's/-DTW_VERSION=[^ ]*//')
ldlibs=$(echo "$vars" | sed -n 2p)
unset CFLAGS

build() {	# build TARGET
	# shellcheck disable=SC2086
	clang $cflags -I$F -fsanitize=fuzzer -o "$B/tests/$1" "$F/$1.c" \
	    "$F/fuzz_util.c" "$B/libtwinwall.a" -fsanitize=address,undefined \
	    $ldlibs
}

maxlen() {
	case $1 in
	fuzz_model_json)	echo 16384 ;;	# a few dozen rules
	fuzz_xmlrpc)		echo 16384 ;;
	fuzz_configxml)		echo 32768 ;;	# ha_master.xml is 4.4 kB
	fuzz_carp)		echo 256 ;;	# IPv4 options + CARP is < 100
	fuzz_nflog)		echo 512 ;;	# attributes + a header's worth
	fuzz_arp)		echo 128 ;;	# a frame is 42 bytes
	esac
}

# The stores (fuzz_util.c, and the importer's scratch store) on tmpfs:
# every save commits, and fsync there costs nothing.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	export TMPDIR=/dev/shm
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
njobs=${TW_FUZZ_JOBS:-1}
pass=0 fail=0
for t in $TW_FUZZ_TARGETS; do
	log="$B/logs/$t.log"
	if ! build "$t" > "$log" 2>&1; then
		echo "FAIL $t: build failed (see $log)"
		fail=$((fail + 1))
		continue
	fi
	mkdir -p "$B/corpus/$t" "$B/crashes/$t"
	# close_fd_mask=2: the product's log lines (stderr) are not shown;
	# libFuzzer and the sanitizers still report on a copy of stderr.
	par=""
	[ "$njobs" -gt 1 ] && par="-jobs=$njobs -workers=$njobs"
	# shellcheck disable=SC2086
	"$B/tests/$t" -max_total_time="$TW_FUZZ_SECONDS" \
	    -max_len="$(maxlen "$t")" -timeout=30 -rss_limit_mb=2048 \
	    -close_fd_mask=2 -print_final_stats=1 $par \
	    -artifact_prefix="$B/crashes/$t/" \
	    "$B/corpus/$t" "$F/corpus/$t" > "$log" 2>&1
	rc=$?
	if [ "$njobs" -gt 1 ]; then	# each job logs to ./fuzz-N.log
		cat fuzz-[0-9]*.log >> "$log" 2>/dev/null
		rm -f fuzz-[0-9]*.log
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
	    awk '{ s += $1 } END { print s + 0 }')
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" |
	    awk '{ s += $1 } END { print s + 0 }')
	ncorp=$(ls "$B/corpus/$t" | wc -l)
	crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | head -1)
	if [ "$rc" -eq 0 ] && [ -z "$crash" ]; then
		echo "PASS $t: $runs runs, no crash ($rate runs/s," \
		    "$ncorp corpus inputs)"
		pass=$((pass + 1))
	else
		why=$(grep -m1 -E '^SUMMARY: |ERROR: libFuzzer: |runtime error: ' \
		    "$log" | cut -c1-200)
		echo "FAIL $t: ${why:-exited $rc}, ${crash:-no crash file} (log $log)"
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
