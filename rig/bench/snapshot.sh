#!/bin/sh
# snapshot bench (issue 18's one table): vq35 as it was ("before": every boot cold, the hang seen
# at the step's deadline) and as it is ("now": restored from a snapshot, the blocked writer
# watched), in the same run: power-on to READY, recovery after a hang, a cold run of i2c-unbind
# (board OFF to verdict), unbind write to hang verdict, sysrq-c write to crash verdict and
# scenario runs per board-hour, each the median of several, with ratios. (rig/bench/hang.sh
# counts the watch's false hangs over 100 runs of each passing scenario.)
#   sh rig/bench/snapshot.sh BUILD_DIR     (BENCH_N: samples of each, default 5;
#                                           BENCH_ROUNDS: rounds of the run mix, default 3)
set -u
. rig/bench/lib.sh
N=${BENCH_N:-5}
ROUNDS=${BENCH_ROUNDS:-3}
MIX="i2c-unbind i2c-unbind-release uart-unbind cut-while-open"

# mode off|on: a rigd of its own (state, socket) on a copy of vq35.yaml with qemu.snapshot so.
mode_start() {
	M=$T/$1
	mkdir -p "$M/boards" "$T/scen"
	rm -f "$T/scen/"*
	cp scenarios/*.yaml rig/bench/scenarios/bench-sysrq-crash.yaml "$T/scen/"
	if [ "$1" = off ]; then
		sed 's/^qemu:$/qemu:\n  snapshot: false/' boards/vq35.yaml > "$M/boards/vq35.yaml"
		# Before the watch: every unbind and bind waits out its deadline.
		for f in "$T/scen/"*.yaml; do
			grep -q '^ *watch:' "$f" ||
			    sed -i '/^  - \(un\)\{0,1\}bind:/a\    watch: false' "$f"
		done
	else
		cp boards/vq35.yaml "$M/boards/"
	fi
	export RIG_SOCKET=$M/rigd.sock
	"$RIGD" -d -S "$M" -b "$M/boards" -B vq35 -c "$T/scen" > "$M/rigd.log" 2>&1 &
	BENCH_PID=$!
	trap 'kill $BENCH_PID 2>/dev/null; wait $BENCH_PID 2>/dev/null' EXIT
	"$RIGCTL" wait rigd --pid "$BENCH_PID" --timeout 60 > /dev/null ||
	    { echo "bench: rigd did not start"; cat "$M/rigd.log"; exit 2; }
}

mode_stop() {
	kill "$BENCH_PID" 2>/dev/null
	wait "$BENCH_PID" 2>/dev/null
}

now_ms() { date +%s%3N; }

# measure MODE: prints "boot_ms recovery_ms cold_run_ms runs_per_hour", each a median of N.
measure() {
	mode_start "$1"
	# The image is made, and (on) the snapshot saved, before the clock starts.
	"$RIGCTL" power vq35 on > /dev/null || exit 2
	# (k, not i: lib.sh's recovered counts with i.)
	boots=""
	k=0
	while [ $k -lt "$N" ]; do
		"$RIGCTL" power vq35 off > /dev/null
		"$RIGCTL" power vq35 on > /dev/null
		boots="$boots $(q 'd[0]["ready_ms"]' show boots)"
		k=$((k + 1))
	done
	# Cold runs: the board OFF, rigctl run to its verdict (power-on, scenario, not recovery).
	colds="" hangs="" crashes=""
	k=0
	while [ $k -lt "$N" ]; do
		"$RIGCTL" power vq35 off > /dev/null
		t0=$(now_ms)
		"$RIGCTL" run i2c-unbind --board vq35 > "$M/cold$k.out" 2>&1
		t1=$(now_ms)
		grep -q "verdict: hang" "$M/cold$k.out" || { echo "bench: no hang:"; cat "$M/cold$k.out"; exit 2; }
		colds="$colds $((t1 - t0))"
		hangs="$hangs $(latency "$(last_run)" 2)"
		recovered vq35 || exit 2
		k=$((k + 1))
	done
	# Crashes: the board up, sysrq-c to the crash verdict (then its recovery).
	k=0
	while [ $k -lt "$N" ]; do
		"$RIGCTL" run bench-sysrq-crash --board vq35 > "$M/crash$k.out" 2>&1
		crashes="$crashes $(latency "$(last_run)" 1)"
		recovered vq35 || exit 2
		k=$((k + 1))
	done
	recs=$(q '[r["recovery_ms"] for r in d if r["recovery_ms"] is not None]' show runs)
	# The run mix, back to back, recoveries included: runs with a kernel verdict per hour.
	first=$(last_run)
	t0=$(now_ms)
	k=0
	while [ $k -lt "$ROUNDS" ]; do
		for s in $MIX; do
			"$RIGCTL" run "$s" --board vq35 > /dev/null 2>&1
		done
		k=$((k + 1))
	done
	recovered vq35 || exit 2
	t1=$(now_ms)
	runs=$(q "len([r for r in d if r['id'] > $first and r['verdict'] not in (None, 'error')])" show runs)
	mode_stop
	echo "$(echo $boots | tr ' ' '\n' | median) $(echo "$recs" | median)" \
	    "$(echo $colds | tr ' ' '\n' | median)" \
	    "$(awk -v r="$runs" -v ms="$((t1 - t0))" 'BEGIN { printf "%.0f", r * 3600000 / ms }')" \
	    "$(echo $hangs | tr ' ' '\n' | median) $(echo $crashes | tr ' ' '\n' | median)"
}

trap 'rm -rf "$T"' EXIT
set -- $(measure off)
off_boot=$1 off_rec=$2 off_cold=$3 off_rph=$4 off_hang=$5 off_crash=$6
set -- $(measure on)
on_boot=$1 on_rec=$2 on_cold=$3 on_rph=$4 on_hang=$5 on_crash=$6
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", (b > 0 ? a / b : 0) }'; }

printf '\nrig snapshot benchmark: vq35 (QEMU q35, no KVM), medians of %d, %s cores\n\n' "$N" "$(nproc)"
printf '%-46s %-10s %-10s %-8s %s\n' "measure" "before" "now" "ratio" "goal (now)"
printf '%-46s %-10s %-10s %-8s %s\n' "power-on to READY (boot vs restore)" "$(sec "$off_boot")" \
    "$(sec "$on_boot")" "$(ratio "$off_boot" "$on_boot")" ""
printf '%-46s %-10s %-10s %-8s %s\n' "recovery after a hang or crash" "$(sec "$off_rec")" \
    "$(sec "$on_rec")" "$(ratio "$off_rec" "$on_rec")" "<= 1 s"
printf '%-46s %-10s %-10s %-8s %s\n' "cold run of i2c-unbind (OFF to verdict)" "$(sec "$off_cold")" \
    "$(sec "$on_cold")" "$(ratio "$off_cold" "$on_cold")" "<= 5 s"
printf '%-46s %-10s %-10s %-8s %s\n' "unbind write to hang verdict" "$(sec "$off_hang")" \
    "$(sec "$on_hang")" "$(ratio "$off_hang" "$on_hang")" "<= 2 s"
printf '%-46s %-10s %-10s %-8s %s\n' "sysrq-c write to crash verdict" "$(sec "$off_crash")" \
    "$(sec "$on_crash")" "$(ratio "$off_crash" "$on_crash")" ""
printf '%-46s %-10s %-10s %-8s %s\n' "runs per board-hour ($ROUNDS x $(echo $MIX | wc -w) scenarios)" \
    "$off_rph" "$on_rph" "$(ratio "$on_rph" "$off_rph")" ">= 1000"
