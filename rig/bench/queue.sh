#!/bin/sh
# queue.sh: nightly-queue claim latency (us per claim: median, 99th percentile) on SQLite and
# on PostgreSQL (a private server, rig/tests/pg.sh), one host claiming alone and two at once.
#   sh rig/bench/queue.sh [BUILD_DIR] [JOBS]    (default build, 2000; run from the repository root)
set -eu
build=${1:-build}
jobs=${2:-2000}
mkdir -p "$build/bench"
# shellcheck disable=SC2046
cc -O2 -g -std=c11 -D_GNU_SOURCE -Irig/lib -o "$build/bench/bench_queue" rig/bench/bench_queue.c \
    "$build/lib/librig.a" $(pkg-config --libs libssh yaml-0.1 sqlite3 libpcre2-8 libcjson \
    libcrypto libmicrohttpd libgpiod libarchive libpq) -liberty -lpthread -lm -lutil
tmp=$(mktemp -d /tmp/rig-bench-queue-XXXXXX)
chmod 711 "$tmp"	# the server's user (rig-pgtest) reaches its folder in here
trap 'sh rig/tests/pg.sh stop "$tmp/pg" 2>/dev/null; rm -rf "$tmp"' EXIT
printf '%-34s %6s %10s %10s\n' "case" "claims" "median us" "p99 us"
"$build/bench/bench_queue" sqlite "$tmp/rig.db" "$jobs"
uri=$(sh rig/tests/pg.sh start "$tmp/pg")
"$build/bench/bench_queue" postgresql "$uri" "$jobs"
