#!/bin/sh
# nightly bench: throughput of a nightly on vq35 (scenario runs per board-hour, boots amortized)
# and where the time goes: booting builds, running scenarios, recovering after hangs.
#   sh rig/bench/nightly.sh BUILD_DIR
set -u
. rig/bench/lib.sh
BUILDS=${BENCH_BUILDS:-"linux-image-6.1.0-56-amd64 linux-image-6.1.0-55-amd64 linux-image-6.1.0-56-rt-amd64"}
SCENS=${BENCH_SCENARIOS:-i2c-unbind,i2c-unbind-release,uart-unbind,cut-while-open}
bench_start vq35
for b in $BUILDS; do
	"$RIGCTL" build add "$b" > /dev/null || exit 2
done
# Images built before the clock starts: the bench measures the lab, not the downloads.
for b in $BUILDS; do
	"$RIGCTL" run i2c-unbind-release --build "$b" > /dev/null 2>&1
done
"$RIGCTL" power vq35 off > /dev/null
first=$(last_run)
fboot=$(q 'max([b["id"] for b in d] + [0])' show boots)
t0=$(date +%s.%N)
"$RIGCTL" nightly --scenarios "$SCENS" > /dev/null || exit 2
"$RIGCTL" wait queue --empty --timeout 36000 > /dev/null ||
    { echo "bench: the night did not end"; exit 2; }
# the last run's recovery belongs to the night too
recovered vq35
t1=$(date +%s.%N)
wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
"$RIGCTL" show runs --json > "$T/runs.json"
"$RIGCTL" show boots --json > "$T/boots.json"
# night EXPR: EXPR over the night's runs (as n) and power-ons (as p). rigd lists the last 100
# runs and 500 boots: a longer night needs a larger BENCH_* than that.
night() {
	/usr/bin/python3 -c 'import json, sys
n = [r for r in json.load(open(sys.argv[1])) if r["id"] > int(sys.argv[3])]
p = [b for b in json.load(open(sys.argv[2]))
     if b["id"] > int(sys.argv[4]) and b["why"] == "power on"]
print(eval(sys.argv[5]))' "$T/runs.json" "$T/boots.json" "$first" "$fboot" "$1"
}
runs=$(night 'len([r for r in n if r["verdict"] not in (None, "error")])')
errors=$(night 'len([r for r in n if r["verdict"] == "error"])')
boot_ms=$(night 'sum(b["ready_ms"] or 0 for b in p)')
rec_ms=$(night 'sum(r["recovery_ms"] or 0 for r in n)')
run_ms=$(night 'sum(r["duration_ms"] or 0 for r in n)')
nboots=$(night 'len(p)')
nrec=$(night 'len([r for r in n if r["recovery_ms"] is not None])')
pct() { awk -v a="$1" -v w="$wall" 'BEGIN { printf "%.0f %%", a / 10 / w }'; }

printf '\nrig nightly benchmark: vq35, %d builds x scenarios %s\n\n' "$(echo $BUILDS | wc -w)" "$SCENS"
printf '%-50s %-14s %s\n' "measure" "value" "goal"
printf '%-50s %-14s %s\n' "wall time of the night" "$wall s" ""
printf '%-50s %-14s %s\n' "scenario runs with a kernel verdict (errors)" "$runs ($errors)" ""
printf '%-50s %-14s %s\n' "runs per board-hour" "$(awk -v r="$runs" -v w="$wall" 'BEGIN { printf "%.0f", r * 3600 / w }')" ">= 120"
# Baseline from the same night's measured times: a fresh boot before every run, as a lab that
# does not amortize boots would do.
naive=$(awk -v r="$runs" -v b="$boot_ms" -v n="$nboots" -v run="$run_ms" -v rec="$rec_ms" \
    'BEGIN { printf "%.0f", r * 3600 / ((r * b / n + run + rec) / 1000) }')
printf '%-50s %-14s %s\n' "baseline: a boot before every run (same times)" "$naive" ""
printf '%-50s %-14s %s\n' "ratio amortized / baseline" "$(awk -v r="$runs" -v w="$wall" -v n="$naive" 'BEGIN { printf "%.1fx", r * 3600 / w / n }')" ""
printf '%-50s %-14s %s\n' "booting builds ($nboots boots)" "$(pct "$boot_ms")" ""
printf '%-50s %-14s %s\n' "running scenarios" "$(pct "$run_ms")" ""
printf '%-50s %-14s %s\n' "recovering after a hang or crash ($nrec)" "$(pct "$rec_ms")" ""
printf '%-50s %-14s %s\n' "other (queue, images, shell)" "$(awk -v w="$wall" -v a="$boot_ms" -v b="$run_ms" -v c="$rec_ms" 'BEGIN { printf "%.0f %%", 100 - (a + b + c) / 10 / w }')" ""
