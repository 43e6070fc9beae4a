#!/bin/sh
# lab bench: how fast the rig reaches a hang verdict on vq35, against the kernel's own detector.
#   sh rig/bench/lab.sh BUILD_DIR        (BENCH_BASELINE=0 skips the 2-4 minute baseline)
set -u
. rig/bench/lib.sh
WARM=${BENCH_WARM:-3}
bench_start vq35 rig/bench/scenarios
# The image is built (or found in the cache) before the clock starts: a cold run is a cold board.
"$RIGCTL" power vq35 on > /dev/null && "$RIGCTL" power vq35 off > /dev/null
# ms from the blocking unbind's start (step 2) to the stored verdict
latency() {
	sql "SELECT CAST((julianday(r.ended) - julianday(r.started)) * 86400000 - s.started_ms AS INTEGER)
	     FROM runs r JOIN run_steps s ON s.run_id = r.id AND s.idx = 2 WHERE r.id = $1"
}

"$RIGCTL" run i2c-unbind --board vq35 > "$T/cold.out" 2>&1
[ $? -eq 1 ] || { echo "bench: cold run did not hang:"; cat "$T/cold.out"; exit 2; }
cold=$(sql "SELECT max(id) FROM runs")
# the boot for the cold run is the one after the power on/off above
boot=$(sql "SELECT console_ready_ms || ' ' || ready_ms FROM boots WHERE outcome='ready' AND why='power on' ORDER BY id DESC LIMIT 1")
console_ms=${boot% *}
ssh_ms=${boot#* }
scen_ms=$(sql "SELECT duration_ms FROM runs WHERE id=$cold")
lat_cold=$(latency "$cold")
i=0
while [ "$(sql "SELECT recovery_ms IS NOT NULL FROM runs WHERE id=$cold")" != 1 ] && [ $i -lt 1200 ]; do
	sleep 0.1; i=$((i + 1))
done
rec_cold=$(sql "SELECT recovery_ms FROM runs WHERE id=$cold")

n=0
while [ $n -lt "$WARM" ]; do
	"$RIGCTL" run i2c-unbind --board vq35 > "$T/warm$n.out" 2>&1
	n=$((n + 1))
done
lats=$(sql "SELECT id FROM runs WHERE scenario='i2c-unbind' AND verdict='hang'" | while read -r id; do latency "$id"; done)
lat_med=$(echo "$lats" | median)
lat_max=$(echo "$lats" | sort -n | tail -n 1)
nlat=$(echo "$lats" | wc -l)
i=0
while [ "$(sql "SELECT count(*) FROM runs WHERE recovery_ms IS NULL AND verdict='hang'")" != 0 ] && [ $i -lt 1200 ]; do
	sleep 0.1; i=$((i + 1))
done
rec_med=$(sql "SELECT recovery_ms FROM runs WHERE recovery_ms IS NOT NULL" | median)

base=""
if [ "${BENCH_BASELINE:-1}" != 0 ]; then
	"$RIGCTL" run bench-kernel-detector --board vq35 > "$T/base.out" 2>&1
	bid=$(sql "SELECT max(id) FROM runs")
	if [ "$(sql "SELECT verdict FROM runs WHERE id=$bid")" = hang ]; then
		base=$(latency "$bid")
		base_title=$(sql "SELECT title FROM runs WHERE id=$bid")
	else
		echo "bench: the baseline run did not end in a console hang report:"
		cat "$T/base.out"
	fi
fi
release=$(sql "SELECT release FROM builds ORDER BY id DESC LIMIT 1")

printf '\nrig lab benchmark: vq35 (QEMU q35, no KVM), kernel %s, %s cores\n\n' "$release" "$(nproc)"
printf '%-62s %-14s %s\n' "measure" "value" "goal"
printf '%-62s %-14s %s\n' "boot: power-on to the board's ready line (cold)" "$(sec "$console_ms")" ""
printf '%-62s %-14s %s\n' "boot: power-on to SSH ready (cold)" "$(sec "$ssh_ms")" ""
printf '%-62s %-14s %s\n' "cold run i2c-unbind: scenario (hold, unbind, verdict)" "$(sec "$scen_ms")" ""
printf '%-62s %-14s %s\n' "cold run i2c-unbind: recovery (power cycle to READY)" "$(sec "$rec_cold")" ""
printf '%-62s %-14s %s\n' "cold run: unbind write to stored hang verdict" "$(sec "$lat_cold")" "<= 10 s"
printf '%-62s %-14s %s\n' "unbind write to stored hang verdict, median of $nlat" "$(sec "$lat_med")" "<= 10 s"
printf '%-62s %-14s %s\n' "unbind write to stored hang verdict, worst of $nlat" "$(sec "$lat_max")" "<= 10 s"
printf '%-62s %-14s %s\n' "recovery after a hang, median" "$(sec "$rec_med")" ""
if [ -n "$base" ]; then
	printf '%-62s %-14s %s\n' "baseline: kernel hung-task detector (default 120 s)" "$(sec "$base")" "($base_title)"
	printf '%-62s %-14s %s\n' "ratio baseline / rig (median)" "$(awk -v a="$base" -v b="$lat_med" 'BEGIN { printf "%.1fx", a / b }')" ""
fi
