#!/bin/sh
# hang bench (issue 18): time to the hang verdict on vq35 with the watch on the blocked writer
# (i2c-unbind) against the deadline alone (bench-i2c-unbind-deadline: the same scenario with
# "watch: false"), measured in one rigd on one board; the time to a crash verdict; and the false
# hangs the watch must never call: i2c-unbind-release and uart-unbind block briefly and pass.
#   sh rig/bench/hang.sh BUILD_DIR
#   BENCH_HANGS=5 (hangs of each kind), BENCH_PASSES=100 (runs of each passing scenario)
set -u
. rig/bench/lib.sh
HANGS=${BENCH_HANGS:-5}
PASSES=${BENCH_PASSES:-100}
bench_start vq35 rig/bench/scenarios
# The image is built (or found) before the clock starts.
"$RIGCTL" power vq35 on > /dev/null && "$RIGCTL" power vq35 off > /dev/null

# run SCENARIO EXIT: one run on vq35; says so when its exit status is not EXIT.
run() {
	"$RIGCTL" run "$1" --board vq35 > "$T/last.out" 2>&1
	rc=$?
	[ "$rc" -eq "$2" ] || { echo "bench: $1 exited $rc, not $2:"; cat "$T/last.out"; }
}

# Hangs, the two kinds in turn so that both see the same board and load.
n=0
while [ "$n" -lt "$HANGS" ]; do
	run i2c-unbind 1
	run bench-i2c-unbind-deadline 1
	run bench-sysrq-crash 1
	n=$((n + 1))
done
recovered vq35

# lats SCENARIO VERDICT STEP: ms from step STEP's start to the stored verdict, one run a line.
lats() {
	q "[r['id'] for r in d if r['scenario'] == '$1' and r['verdict'] == '$2']" show runs |
	    while read -r id; do latency "$id" "$3"; done
}
lats i2c-unbind hang 2 > "$T/watch.ms"
lats bench-i2c-unbind-deadline hang 2 > "$T/deadline.ms"
lats bench-sysrq-crash crash 1 > "$T/crash.ms"
nwatch=$(grep -c . "$T/watch.ms")
ndead=$(grep -c . "$T/deadline.ms")
ncrash=$(grep -c . "$T/crash.ms")
watch_med=$(median < "$T/watch.ms")
watch_max=$(sort -n "$T/watch.ms" | tail -n 1)
dead_med=$(median < "$T/deadline.ms")
crash_med=$(median < "$T/crash.ms")
# The watch's verdicts must be the watch's (its words in the detail), with the stack.
watched=$(q "len([r for r in d if r['scenario'] == 'i2c-unbind' and r['verdict'] == 'hang'])" \
    show runs)
stacks=$(q "[r['id'] for r in d if r['scenario'] == 'i2c-unbind' and r['verdict'] == 'hang']" \
    show runs | while read -r id; do
	q "int('i2c_del_adapter' in (d['stack'] or '') and 'no progress' in (d['detail'] or ''))" \
	    show run "$id"
done | grep -c 1)

# The passing scenarios, each PASSES times: every run that does not pass is counted by its
# verdict (read at once: show runs lists only the newest runs).
: > "$T/verdicts"
for s in i2c-unbind-release uart-unbind; do
	n=0
	while [ "$n" -lt "$PASSES" ]; do
		if "$RIGCTL" run "$s" --board vq35 > "$T/pass.out" 2>&1; then
			echo "$s pass" >> "$T/verdicts"
		else
			echo "bench: $s did not pass:"
			cat "$T/pass.out"
			echo "$s $(q 'd["verdict"]' show run "$(last_run)")" >> "$T/verdicts"
		fi
		n=$((n + 1))
	done
done
recovered vq35
count() { grep -c "^$1 $2\$" "$T/verdicts"; }
rel_pass=$(count i2c-unbind-release pass)
rel_hang=$(count i2c-unbind-release hang)
rel_other=$((PASSES - rel_pass - rel_hang))
uart_pass=$(count uart-unbind pass)
uart_hang=$(count uart-unbind hang)
uart_other=$((PASSES - uart_pass - uart_hang))

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }
printf '\nrig hang bench: vq35 (QEMU q35, no KVM), kernel %s, %s cores\n\n' "$(release)" "$(nproc)"
printf '%-62s %-14s %s\n' "measure" "value" "goal"
printf '%-62s %-14s %s\n' "unbind write to hang verdict, deadline only, median of $ndead" \
    "$(sec "$dead_med")" "(before)"
printf '%-62s %-14s %s\n' "unbind write to hang verdict, watched, median of $nwatch" \
    "$(sec "$watch_med")" "<= 2 s"
printf '%-62s %-14s %s\n' "unbind write to hang verdict, watched, worst of $nwatch" \
    "$(sec "$watch_max")" ""
printf '%-62s %-14s %s\n' "ratio deadline / watched (medians)" \
    "$(ratio "$dead_med" "$watch_med")" ""
printf '%-62s %-14s %s\n' "watched hangs with the stack and the watch's words" \
    "$stacks of $watched" "all"
printf '%-62s %-14s %s\n' "sysrq-c write to crash verdict, median of $ncrash" \
    "$(sec "$crash_med")" ""
printf '%-62s %-14s %s\n' "i2c-unbind-release: passed / false hangs / other" \
    "$rel_pass / $rel_hang / $rel_other" "$PASSES / 0 / 0"
printf '%-62s %-14s %s\n' "uart-unbind: passed / false hangs / other" \
    "$uart_pass / $uart_hang / $uart_other" "$PASSES / 0 / 0"
[ "$rel_pass" -eq "$PASSES" ] && [ "$uart_pass" -eq "$PASSES" ] && [ "$stacks" -eq "$HANGS" ]
