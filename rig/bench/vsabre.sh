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
i=0
while [ "$(sql "SELECT count(*) FROM runs WHERE recovery_ms IS NULL")" != 0 ] && [ $i -lt 1800 ]; do
	sleep 0.1; i=$((i + 1))
done
boots=$(sql "SELECT ready_ms FROM boots WHERE outcome='ready' AND id > 1")
boot_med=$(echo "$boots" | median)
cons_med=$(sql "SELECT console_ready_ms FROM boots WHERE outcome='ready' AND id > 1" | median)
# from the step that touches the freed memory (cat /proc/mtd, step 3) to the stored verdict
lat=$(sql "SELECT CAST((julianday(r.ended) - julianday(r.started)) * 86400000 - s.started_ms AS INTEGER)
	FROM runs r JOIN run_steps s ON s.run_id = r.id AND s.idx = 3 WHERE r.verdict = 'crash'")
lat_med=$(echo "$lat" | median)
ncrash=$(echo "$lat" | grep -c .)
rec_med=$(sql "SELECT recovery_ms FROM runs WHERE recovery_ms IS NOT NULL" | median)
title=$(sql "SELECT title FROM runs WHERE verdict='crash' LIMIT 1")
release=$(sql "SELECT release FROM builds ORDER BY id DESC LIMIT 1")

printf '\nrig vsabre benchmark: QEMU sabrelite (i.MX6Q, no KVM), kernel %s\n\n' "$release"
printf '%-62s %-14s %s\n' "measure" "value" "note"
printf '%-62s %-14s %s\n' "boot: power-on to the board's ready line, median" "$(sec "$cons_med")" ""
printf '%-62s %-14s %s\n' "boot: power-on to READY (SSH), median" "$(sec "$boot_med")" ""
printf '%-62s %-14s %s\n' "mtd-unbind: use of the freed mtd_info to stored crash verdict" "$(sec "$lat_med")" "median of $ncrash crash(es) of $N runs"
printf '%-62s %-14s %s\n' "recovery after the crash (power cycle to READY), median" "$(sec "$rec_med")" ""
printf '%-62s %s\n' "title" "$title"
