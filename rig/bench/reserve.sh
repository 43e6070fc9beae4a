#!/bin/sh
# reserve.sh: reservation requests per second through the store on SQLite and on PostgreSQL (a
# private server, rig/tests/pg.sh), one host asking alone and two at once, every request's
# window meeting four others (bench_reserve.c); ratios against SQLite's one host, same run.
#   sh rig/bench/reserve.sh [BUILD_DIR] [REQUESTS]    (default build, 1000; from the repository root)
set -eu
build=${1:-build}
n=${2:-1000}
mkdir -p "$build/bench"
# shellcheck disable=SC2046
cc -O2 -g -std=c11 -D_GNU_SOURCE -Irig/lib -o "$build/bench/bench_reserve" \
    rig/bench/bench_reserve.c "$build/lib/librig.a" $(pkg-config --libs libssh yaml-0.1 sqlite3 \
    libpcre2-8 libcjson libcrypto libmicrohttpd libgpiod libarchive libpq) -liberty -lpthread -lm \
    -lutil
tmp=$(mktemp -d /tmp/rig-bench-reserve-XXXXXX)
chmod 711 "$tmp"	# the server's user (rig-pgtest) reaches its folder in here
trap 'sh rig/tests/pg.sh stop "$tmp/pg" 2>/dev/null; rm -rf "$tmp"' EXIT
uri=$(sh rig/tests/pg.sh start "$tmp/pg") || uri=-
echo "# load: $(cut -d' ' -f1-3 /proc/loadavg) (other work on this machine slows every row alike)"
"$build/bench/bench_reserve" "$tmp/rig.db" "$uri" "$n"
