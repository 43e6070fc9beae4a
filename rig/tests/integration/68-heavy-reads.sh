# Heavy reads on a lab's history (300k runs, filled through the store's own calls): export
# kcidb completes through rigctl with no size cap and is valid KCIDB, show builds counts every
# run; three clients that ask for an export and never read hold rigd to a fixed buffer each
# (RSS under 200 MB), rigctl show boards answers in under 200 ms meanwhile, and the three are
# dropped once they stall. No board is powered here.
#@ alone: show boards answers within 200 ms while a heavy read streams
. rig/tests/integration/lib.sh

RUNS=${RIG_HEAVY_RUNS:-300000}
SCHEMA=${RIG_KCIDB_SCHEMA:-../shared/corpus/kcidb/kcidb-v5.3.schema.json}
HELPER="/usr/bin/python3 $PWD/rig/tests/heavy_reads.py"
# What rigd holds, not what ASan keeps back: freed memory waits in a 16 MB quarantine at most.
export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=16:malloc_context_size=5"

start=$(date +%s)
check "a store of $RUNS runs is filled" "$PWD/$BUILD/tests/store_fill" "$T/rig.db" "$RUNS"
echo "(filled in $(( $(date +%s) - start )) s)"
rigd_start || finish

start=$(date +%s%N)
"$RIGCTL" export kcidb > "$T/kcidb.json" 2> "$T/export.err"
rc=$?
echo "(export kcidb: $(( ($(date +%s%N) - start) / 1000000 )) ms, $(wc -c < "$T/kcidb.json") bytes)"
cat "$T/export.err"
check "export kcidb of $RUNS runs: exit 0" [ "$rc" -eq 0 ]
$HELPER kcidb "$T/kcidb.json" "$SCHEMA" "$RUNS" > "$T/kcidb.out" 2>&1
rc=$?
tail -n 3 "$T/kcidb.out"
check "export kcidb: valid KCIDB v5.3 with a test per run" [ "$rc" -eq 0 ]
rm -f "$T/kcidb.json"
# show builds counts each build's runs over the whole history: streamed from a report thread too.
check "show builds counts every run" [ "$(q 'sum(b["runs"] for b in d)' show builds)" = "$RUNS" ]

# Three exports nobody reads. The helper says "sent" once asked, "dropped" once rigd gave up.
mkfifo "$T/hold"
$HELPER hold "$RIG_SOCKET" 3 180 > "$T/hold" &
HOLD=$!
exec 3< "$T/hold"
read -r sent <&3
check "three non-reading clients asked for exports" [ "$sent" = sent ]
$HELPER probe "$RIGD_PID" 60 "$RIGCTL" show boards --json > "$T/probe.out"
cat "$T/probe.out"
read -r _ ms _ mb _ _ < "$T/probe.out"
check "show boards answers in under 200 ms meanwhile (max $ms ms)" [ "$ms" -lt 200 ]
check "rigd RSS stays under 200 MB meanwhile (max $mb MB)" [ "$mb" -lt 200 ]
read -r dropped <&3
echo "($dropped)"
check "the three stalled clients are dropped" [ "$dropped" = "dropped 3 of 3" ]
wait "$HOLD"
check "rigd goes on serving after the drops" "$RIGCTL" ping
finish
