#!/bin/sh
# lab bench: how fast the rig reaches a hang verdict on vq35, against the kernel's own detector.
#   sh rig/bench/lab.sh BUILD_DIR        (BENCH_BASELINE=0 skips the 2-4 minute baseline)
set -u
. rig/bench/lib.sh
WARM=${BENCH_WARM:-3}
bench_start vq35 rig/bench/scenarios
# The image is built (or found in the cache) before the clock starts: a cold run is a cold board.
"$RIGCTL" power vq35 on > /dev/null && "$RIGCTL" power vq35 off > /dev/null
"$RIGCTL" run i2c-unbind --board vq35 > "$T/cold.out" 2>&1
[ $? -eq 1 ] || { echo "bench: cold run did not hang:"; cat "$T/cold.out"; exit 2; }
cold=$(last_run)
# the boot for the cold run is the one after the power on/off above
boot=$(q '[str(b["console_ready_ms"]) + " " + str(b["ready_ms"]) for b in d
    if b["outcome"] == "ready" and b["why"] == "power on"][0]' show boots)
console_ms=${boot% *}
ssh_ms=${boot#* }
scen_ms=$(q 'd["duration_ms"]' show run "$cold")
# ms from the blocking unbind's start (step 2) to the stored verdict
lat_cold=$(latency "$cold" 2)
recovered vq35
rec_cold=$(q 'd["recovery_ms"]' show run "$cold")

n=0
while [ $n -lt "$WARM" ]; do
	"$RIGCTL" run i2c-unbind --board vq35 > "$T/warm$n.out" 2>&1
	n=$((n + 1))
done
lats=$(q '[r["id"] for r in d if r["scenario"] == "i2c-unbind" and r["verdict"] == "hang"]' \
    show runs | while read -r id; do latency "$id" 2; done)
lat_med=$(echo "$lats" | median)
lat_max=$(echo "$lats" | sort -n | tail -n 1)
nlat=$(echo "$lats" | wc -l)
recovered vq35
rec_med=$(q '[r["recovery_ms"] for r in d if r["recovery_ms"] is not None]' show runs | median)

base=""
if [ "${BENCH_BASELINE:-1}" != 0 ]; then
	"$RIGCTL" run bench-kernel-detector --board vq35 > "$T/base.out" 2>&1
	bid=$(last_run)
	if [ "$(q 'd["verdict"]' show run "$bid")" = hang ]; then
		base=$(latency "$bid" 2)
		base_title=$(q 'd["title"]' show run "$bid")
	else
		echo "bench: the baseline run did not end in a console hang report:"
		cat "$T/base.out"
	fi
fi
release=$(release)

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
