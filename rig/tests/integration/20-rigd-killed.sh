# rigd killed with SIGKILL during a run: the run is recorded as error "interrupted" (never lost,
# never left running), its QEMU does not outlive the daemon, and the board is brought back.
# Then the same in a lab of two hosts: a run asked on the other host, its host killed mid-job.
. rig/tests/integration/lib.sh

with_test_scenarios
rigd_start || finish
"$RIGCTL" run sleepy > "$T/run.out" 2>&1 &
ctl=$!
check "the run's first step is done" wait_steps 1 1
check "the run is under way" [ "$(q 'd["state"]' show run 1)" = running ]
qemus=$(pgrep -f "qemu-system.*$T/")
check "the board's QEMU runs" [ -n "$qemus" ]
kill -9 "$RIGD_PID"
wait "$RIGD_PID" 2>/dev/null
RIGD_PID=
wait "$ctl"
rc=$?
check "rigctl says the daemon went away (exit 2)" [ "$rc" -eq 2 ]
check "rigctl says rigd hung up" contains "$T/run.out" "hung up"
for p in $qemus; do
	wait_exit "$p" 10
done
check "QEMU died with its rigd" [ -z "$(pgrep -f "qemu-system.*$T/")" ]

rigd_start || finish
check "the run is closed as error: interrupted" [ "$(q 'd["state"] + "|" + d["verdict"] + "|" + d["title"]' show run 1)" = "done|error|lab: interrupted" ]
"$RIGCTL" show runs > "$T/runs.out"
check "show runs lists it" contains "$T/runs.out" "interrupted"
check "the board is recovered (READY)" wait_state vq35 READY 120
"$RIGCTL" run i2c-unbind-release > "$T/run2.out" 2>&1
rc=$?
check "and the next run passes" [ "$rc" -eq 0 ]

# The same kill in a lab of two hosts sharing a PostgreSQL store (issue 15): alpha serves vq35
# (its snapshot, saved above, makes each boot a restore), beta serves a desk board. A run asked
# on beta for vq35 is done by alpha, its events streamed back to beta's rigctl; alpha SIGKILLed
# mid-job: its lease runs out (beta's beat requeues the job and records the run interrupted),
# and alpha does the job when it is back: its board cannot move.
rigd_stop
B=$T/beta
BETA_PID=
trap 'rigd_stop; [ -z "$BETA_PID" ] || kill "$BETA_PID"; cleanup' EXIT
pg_store || finish
# nap: long enough to kill the board's host mid-step, short enough to run again.
sed -e 's/^name: sleepy/name: nap/' -e 's/sleep: 30s/sleep: 4s/' \
    rig/tests/data/scenarios/sleepy.yaml > "$SCENDIR/nap.yaml"
desk_board
mkdir -p "$B"
mv "$T/boards" "$B/boards"
"$RIGD" -d -v -S "$B" -B desk -c "$SCENDIR" -b "$B/boards" --store "$PGURI" --host-name beta \
    --heartbeat 1 >> "$B/rigd.log" 2>&1 &
BETA_PID=$!
RIG_SOCKET=$B/rigd.sock "$RIGCTL" wait rigd --pid "$BETA_PID" --timeout 60 ||
    { not_ok "the second rigd (beta) starts"; cat "$B/rigd.log"; finish; }
rigd_start --store "$PGURI" --host-name alpha --heartbeat 1 || finish
beta() { RIG_SOCKET=$B/rigd.sock "$@"; }

jl() { /usr/bin/python3 -c 'import json, sys
d = [json.loads(l) for l in open(sys.argv[1])]
print(eval(sys.argv[2]))' "$@"; }
types='" ".join(m["type"] for m in d if m["type"] not in ("stage", "log"))'
beta "$RIGCTL" run i2c-unbind-release --board vq35 --json > "$T/lab.json" 2> "$T/lab.err"
rc=$?
cat "$T/lab.err"
check "lab: a run from beta on alpha's vq35 passes (exit 0)" [ "$rc" -eq 0 ]
check "lab: its result is alpha's run's verdict" \
    [ "$(jl "$T/lab.json" '(d[-1]["type"], d[-1]["status"], d[-1]["verdict"], d[-1]["board"])')" = "('result', 'ok', 'pass', 'vq35')" ]
check "lab: said which job and which host" \
    [ "$(jl "$T/lab.json" 'any("on host alpha, attempt 1" in m.get("msg", "") for m in d)')" = True ]
check "lab: the boot's stages streamed back from alpha" \
    [ "$(jl "$T/lab.json" '[m["stage"] for m in d if m["type"] == "stage"][:1]')" = "['power']" ]
lab_run=$(jl "$T/lab.json" 'd[-1]["run"]')
check "lab: stored as a run of vq35 (run $lab_run)" \
    [ "$(beta q 'd["board"] + "|" + d["verdict"]' show run "$lab_run")" = "vq35|pass" ]
"$RIGCTL" run i2c-unbind-release --board vq35 --json > "$T/local.json"
check "lab: the same events as a run on alpha itself (start, steps, result)" \
    [ "$(jl "$T/lab.json" "$types")" = "$(jl "$T/local.json" "$types")" ]

next=$(($(last_run) + 1))
beta "$RIGCTL" run nap --board vq35 > "$T/nap.out" 2>&1 &
nap=$!
check "lab: the nap job's first step is done on alpha (run $next)" \
    beta "$RIGCTL" wait run "$next" --steps 1 --timeout 60
kill -9 "$RIGD_PID"
wait "$RIGD_PID" 2>/dev/null
RIGD_PID=
check "lab: alpha SIGKILLed, beta sees its host silent" \
    beta "$RIGCTL" wait board vq35 --host-alive false --timeout 20
check "lab: after alpha's lease, the interrupted run is closed" \
    beta "$RIGCTL" wait run "$next" --done --timeout 30
check "lab: ... recorded as interrupted, saying whose lease ran out" \
    [ "$(beta q 'd["verdict"] + "|" + d["title"] + "|" + d["detail"]' show run "$next")" = "error|lab: interrupted|host alpha's lease on the job ran out (host silent)" ]
rigd_start --store "$PGURI" --host-name alpha --heartbeat 1 || finish
wait "$nap"
rc=$?
cat "$T/nap.out"
check "lab: alpha back, it does the job; beta's rigctl ends with its verdict (exit 0)" [ "$rc" -eq 0 ]
check "lab: ... having said the job was queued again" contains "$T/nap.out" "queued again: host alpha's lease"
check "lab: ... then the repeat's verdict" contains "$T/nap.out" "verdict: pass"
check "lab: the repeat is a run of its own, a lab retry of the interrupted one" \
    [ "$(q '[(r["verdict"], r.get("repeat_of")) for r in d if r["scenario"] == "nap"]' show runs)" = "[[\"pass\", $next], [\"error\", null]]" ]
finish
