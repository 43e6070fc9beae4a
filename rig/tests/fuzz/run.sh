#!/bin/sh
# run.sh: builds the triage fuzzer with clang (libFuzzer, ASan, UBSan) and runs it for N seconds.
#   sh rig/tests/fuzz/run.sh [SECONDS]     (default 600; run from the repository root)
# Seeds are the syzkaller corpus logs (RIG_CORPUS) and rig's own triage test logs; findings land
# in build/fuzz/findings, the corpus it grows in build/fuzz/corpus.
set -eu
secs=${1:-600}
corpus_src=${RIG_CORPUS:-../shared/corpus/syzkaller-linux}
out=build/fuzz
mkdir -p "$out/corpus" "$out/findings" "$out/seeds"
clang -g -O1 -std=c11 -D_GNU_SOURCE -Irig/lib -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined -o "$out/fuzz_triage" rig/tests/fuzz/fuzz_triage.c \
    rig/lib/triage.c rig/lib/triage_rules.c rig/lib/triage_frame.c rig/lib/triage_hang.c \
    $(pkg-config --cflags --libs libpcre2-8) -lpthread
if [ -d "$corpus_src" ]; then
	# Only the log part of each file (after the header's blank line) is console output.
	for f in "$corpus_src"/[0-9]*; do
		awk 'body { print } /^$/ && !body { body = 1 }' "$f" > "$out/seeds/$(basename "$f")"
	done
else
	echo "run.sh: no corpus at $corpus_src; seeding from rig's test logs only" >&2
fi
cp rig/tests/data/triage/*.log "$out/seeds/" 2>/dev/null || true
"$out/fuzz_triage" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$out/findings/" "$out/corpus" "$out/seeds"
