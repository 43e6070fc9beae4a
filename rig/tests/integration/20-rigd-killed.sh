# rigd killed with SIGKILL during a run: the run is recorded as error "interrupted" (never lost,
# never left running), its QEMU does not outlive the daemon, and the board is brought back.
# Then the same in a lab of two hosts: a run asked on the other host, its host killed mid-job;
# then PostgreSQL stopped in the middle of a nightly, and again over a job's claim and boot.
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

# PostgreSQL restarted in the middle of a nightly (issue 15): stopped while the nap job's run
# (the second: jobs run in the order of their scenarios' names) is in its 4 s sleep, and kept
# down until alpha gave up storing that run's end (kept, to be stored later). Once it is back, every job is done once, every result stored, and vq35 goes on
# with the night by itself: no FAULT, no person.
KPKG=linux-image-6.1.0-56-amd64	# vq35's default build: booted already, no boot for the night
check "lab: build $KPKG registered" "$RIGCTL" build add "$KPKG"
first=$(($(last_run) + 1))
cut=$((first + 1))
check "lab: a nightly of 3 jobs on vq35 is queued" sh -c "'$RIGCTL' nightly --builds $KPKG \
    --scenarios nap,i2c-unbind-release,uart-unbind --boards vq35 | grep -q '3 job(s) queued'"
check "lab: the nap job's run ($cut) has its first step" \
    "$RIGCTL" wait run "$cut" --steps 1 --timeout 120
check "lab: ... it is the nap job's" [ "$(q 'd["scenario"]' show run "$cut")" = nap ]
sh rig/tests/pg.sh halt "$PGDIR"
check "lab: PostgreSQL stopped mid-run; alpha keeps run $cut's end" \
    wait_log "run $cut: its end could not be stored" 60
sh rig/tests/pg.sh resume "$PGDIR"
check "lab: the nightly finishes once PostgreSQL is back" \
    "$RIGCTL" wait queue --empty --timeout 300
"$RIGCTL" show queue --json > "$T/night.json"
"$RIGCTL" show runs --json > "$T/night-runs.json"
for r in "$first" $((first + 1)) $((first + 2)); do
	"$RIGCTL" show run "$r" --json > "$T/night-run-$r.json"
done
# Each job of the nightly: done once, one run with a kernel verdict and all its steps; prints
# the jobs that are not so.
bad=$(/usr/bin/python3 - "$T" "$first" <<'PY'
import json, os, sys
t, first = sys.argv[1], int(sys.argv[2])
want = {"nap": 3, "i2c-unbind-release": 8, "uart-unbind": 5}
jobs = [j for j in json.load(open(t + "/night.json"))["finished"] if j["nightly"] and j["scenario"] in want]
runs = [r for r in json.load(open(t + "/night-runs.json")) if r["id"] >= first]
bad = []
for s, n in want.items():
    js = [j for j in jobs if j["scenario"] == s]
    rs = [r for r in runs if r["scenario"] == s]
    if len(js) != 1 or js[0]["state"] != "done" or len(rs) != 1 or js[0]["run_id"] != rs[0]["id"]:
        bad.append((s, [(j["state"], j["run_id"]) for j in js], [r["id"] for r in rs]))
        continue
    r = json.load(open("%s/night-run-%d.json" % (t, rs[0]["id"])))
    if r["verdict"] in (None, "error") or [st["idx"] for st in r["steps"]] != list(range(1, n + 1)):
        bad.append((s, r["verdict"], r["title"], len(r["steps"])))
print(len(bad), bad)
PY
)
check "lab: every nightly job done once, one run each with a kernel verdict and all its steps" \
    [ "$bad" = "0 []" ]
check "lab: the run cut by the outage is stored with its real verdict (pass), said late" \
    [ "$(q 'd["verdict"] + "|" + str("stored late" in (d["detail"] or ""))' show run "$cut")" = "pass|True" ]
check "lab: vq35 READY again, by itself" wait_state vq35 READY 60
check "lab: vq35 was never put in FAULT by the outage" \
    [ "$(q 'sum(1 for e in d if e["board"] == "vq35" and e["to_state"] == "FAULT")' show events)" = 0 ]

# A second outage, over a job's claim and its build's boot: a nightly job on another build is
# claimed and vq35 boots that build while PostgreSQL is stopped: the boot checks the host key
# alpha last saw and takes the build it asked for; the job waits for the store with its claim,
# then runs once.
K2=linux-image-6.1.0-55-amd64
check "lab: build $K2 registered" "$RIGCTL" build add "$K2"
second=$(($(last_run) + 1))
check "lab: a nightly of 1 job on $K2 is queued" sh -c "'$RIGCTL' nightly --builds $K2 \
    --scenarios nap --boards vq35 | grep -q '1 job(s) queued'"
check "lab: the job is claimed: vq35 boots $K2" wait_state vq35 BOOTING 60
sh rig/tests/pg.sh halt "$PGDIR"
check "lab: PostgreSQL stopped during the boot; the job waits for it, claimed" \
    wait_log "the job waits for the store, its claim kept" 180
check "lab: ... the boot checked the host key alpha last saw" \
    contains "$T/rigd.log" "the store is away: the host key last seen under its pin"
check "lab: ... and knew the build it booted" \
    contains "$T/rigd.log" "the store is away: build "
sh rig/tests/pg.sh resume "$PGDIR"
check "lab: the job is done once PostgreSQL is back" "$RIGCTL" wait queue --empty --timeout 120
check "lab: ... by one run ($second) of nap on $K2, all 3 steps, pass" \
    [ "$(q 'd["scenario"] + "|" + d["verdict"] + "|" + d["release"] + "|" + str(len(d["steps"]))' show run "$second")" = "nap|pass|6.1.0-55-amd64|3" ]
check "lab: ... and no other run" [ "$(last_run)" = "$second" ]
check "lab: vq35 READY, never in FAULT" \
    [ "$(q 'sum(1 for e in d if e["board"] == "vq35" and e["to_state"] == "FAULT")' show events)|$(q '[b["state"] for b in d if b["name"] == "vq35"][0]' show boards)" = "0|READY" ]
finish
