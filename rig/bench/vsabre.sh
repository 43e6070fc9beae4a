#!/bin/sh
# vsabre bench: the platform-bus board: boot, time to the MTD crash verdict, recovery.
#   sh rig/bench/vsabre.sh BUILD_DIR
set -u
. rig/bench/lib.sh
N=${BENCH_RUNS:-3}
bench_start vsabre
# Image built or found before the clock starts.
"$RIGCTL" power vsabre on > /dev/null && "$RIGCTL" power vsabre off > /dev/null

n=0
while [ $n -lt "$N" ]; do
	"$RIGCTL" run mtd-unbind --board vsabre > "$T/run$n.out" 2>&1
	[ $? -eq 1 ] || { echo "bench: mtd-unbind did not fail:"; cat "$T/run$n.out"; }
	n=$((n + 1))
done
recovered vsabre
# the first boot built the image (the power on/off above): not a measure
boots=$(q '[b["ready_ms"] for b in d if b["outcome"] == "ready" and b["id"] > 1]' show boots)
boot_med=$(echo "$boots" | median)
cons_med=$(q '[b["console_ready_ms"] for b in d if b["outcome"] == "ready" and b["id"] > 1]' \
    show boots | median)
# from the step that touches the freed memory (cat /proc/mtd, step 3) to the stored verdict
lat=$(q '[r["id"] for r in d if r["verdict"] == "crash"]' show runs |
    while read -r id; do latency "$id" 3; done)
lat_med=$(echo "$lat" | median)
ncrash=$(echo "$lat" | grep -c .)
rec_med=$(q '[r["recovery_ms"] for r in d if r["recovery_ms"] is not None]' show runs | median)
# the first crash's title (runs come newest first)
title=$(q '([""] + [r["title"] for r in d if r["verdict"] == "crash"])[-1]' show runs)
release=$(release)

printf '\nrig vsabre benchmark: QEMU sabrelite (i.MX6Q, no KVM), kernel %s\n\n' "$release"
printf '%-62s %-14s %s\n' "measure" "value" "note"
printf '%-62s %-14s %s\n' "boot: power-on to the board's ready line, median" "$(sec "$cons_med")" ""
printf '%-62s %-14s %s\n' "boot: power-on to READY (SSH), median" "$(sec "$boot_med")" ""
printf '%-62s %-14s %s\n' "mtd-unbind: use of the freed mtd_info to stored crash verdict" "$(sec "$lat_med")" "median of $ncrash crash(es) of $N runs"
printf '%-62s %-14s %s\n' "recovery after the crash (power cycle to READY), median" "$(sec "$rec_med")" ""
printf '%-62s %s\n' "title" "$title"
