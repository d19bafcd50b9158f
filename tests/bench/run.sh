#!/bin/sh
# run.sh — `make bench`: every benchmark, figures as ratios against a
# floor measured in the same run. Targets are printed beside each figure;
# a miss is reported, not failed (speed is not a test).
set -u
cd "$(dirname "$0")/../.." || exit 1
mkdir -p build/bench
for b in tests/bench/bench_*.py; do
	[ -f "$b" ] && python3 "$b"
done
for b in tests/bench/bench_*.sh; do
	[ -f "$b" ] && sh "$b"
done
exit 0
