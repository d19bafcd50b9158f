#!/bin/sh
# run.sh [builddir] — the render suite: golden files (TW_REGEN=1 rewrites
# them), then every golden .nft loaded by the real nft, then pf's
# quick/last-match order checked with real packets. Run from anywhere.
set -u
build=${1:-build}
cd "$(dirname "$0")/../.." || exit 1
rc=0
TW_SRCDIR=. "$build/tests/test_render" || rc=1
sh tests/render/nftcheck.sh || rc=1
sh tests/render/ordercheck.sh || rc=1
exit $rc
