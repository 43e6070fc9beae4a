#!/bin/sh
# triage.sh: triage throughput (MB/s, one core) on >= 100 MB of real console logs, beside grep -c.
#   sh rig/bench/triage.sh [BUILD_DIR]     (default build; run from the repository root)
# The logs are the syzkaller corpus (RIG_CORPUS) concatenated until the file passes 100 MB.
set -eu
build=${1:-build}
corpus=${RIG_CORPUS:-../shared/corpus/syzkaller-linux}
big=${TMPDIR:-/tmp}/rig-triage-bench.log
mkdir -p "$build/bench"
cc -O2 -g -std=c11 -D_GNU_SOURCE -Irig/lib -o "$build/bench/bench_triage" rig/bench/bench_triage.c \
    rig/lib/triage.c rig/lib/triage_rules.c rig/lib/triage_frame.c \
    $(pkg-config --cflags --libs libpcre2-8) -liberty -lpthread
if [ ! -d "$corpus" ]; then
	echo "triage.sh: no corpus at $corpus" >&2
	exit 2
fi
if [ ! -s "$big" ] || [ "$(stat -c %s "$big")" -lt 100000000 ]; then
	one=$big.one
	: > "$one"
	for f in "$corpus"/[0-9]*; do
		awk 'body { print } /^$/ && !body { body = 1 }' "$f" >> "$one"
	done
	: > "$big"
	while [ "$(stat -c %s "$big")" -lt 100000000 ]; do cat "$one" >> "$big"; done
	rm -f "$one"
fi
size=$(stat -c %s "$big")
cat "$big" > /dev/null	# both runs read from the page cache
now() { date +%s.%N; }
t0=$(now); gcount=$(grep -c 'BUG:' "$big" || true); t1=$(now)
gsecs=$(echo "$t1 $t0" | awk '{ printf "%.4f", $1 - $2 }')
gmbs=$(echo "$size $gsecs" | awk '{ printf "%.1f", $1 / 1e6 / $2 }')
/usr/bin/time -v "$build/bench/bench_triage" "$big" > "$build/bench/triage.out" 2> "$build/bench/triage.time"
read -r _ tsecs tmbs reports < "$build/bench/triage.out"
rss=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$build/bench/triage.time")
ratio=$(echo "$tmbs $gmbs" | awk '{ printf "%.2f", $1 / $2 }')
printf '%-28s %12s %10s %10s %14s\n' "run ($((size / 1000000)) MB)" "seconds" "MB/s" "max RSS" "found"
printf '%-28s %12s %10s %10s %14s\n' "grep -c 'BUG:' (baseline)" "$gsecs" "$gmbs" "-" "$gcount lines"
printf '%-28s %12s %10s %10s %14s\n' "rig triage" "$tsecs" "$tmbs" "${rss} KB" "$reports reports"
printf '%-28s %12s %10s\n' "triage / grep" "" "$ratio"
