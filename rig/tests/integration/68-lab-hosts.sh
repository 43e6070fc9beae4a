# One lab, two hosts: two rigd on this machine (alpha serving desk and vq35, beta serving bench)
# share one store on a private PostgreSQL server (rig/tests/pg.sh). Each registers its host and
# its boards and beats; rigctl on either sees both boards with their host, and the other's
# reservations; a host stopped or SIGKILLed stops beating and the other shows it silent
# (rigctl wait board --host-alive). A run asked on beta for alpha's vq35 is done by alpha, its
# events streamed back to beta's rigctl; alpha SIGKILLed mid-job: its lease runs out, the run is
# recorded interrupted, the job is queued again and done by alpha when it is back (restored from
# the snapshot its first boot saved). The desk boards' boots fail at once; vq35 boots cold once.
. rig/tests/integration/lib.sh

PGD=$T/pg
B=$T/beta
BETA_PID=
chmod 711 "$T"	# the server's user (rig-pgtest) reaches its folder in here
trap 'rigd_stop; [ -z "$BETA_PID" ] || kill "$BETA_PID"; sh rig/tests/pg.sh stop "$PGD"; cleanup' EXIT
URI=$(sh rig/tests/pg.sh start "$PGD")
check "a private PostgreSQL server starts" [ -n "$URI" ] || finish

desk_board
cp boards/vq35.yaml "$T/boards/"
with_test_scenarios
# nap: long enough to kill the board's host mid-step, short enough to be run twice.
sed -e 's/^name: sleepy/name: nap/' -e 's/sleep: 30s/sleep: 6s/' \
    rig/tests/data/scenarios/sleepy.yaml > "$SCENDIR/nap.yaml"
mkdir -p "$B/boards"
sed -e 's/^name: desk/name: bench/' -e "s|$T/desk/|$T/bench/|" "$T/boards/desk.yaml" \
    > "$B/boards/bench.yaml"
adapter_plug desk || not_ok "the desk board's adapter pty appears"
adapter_plug bench || not_ok "the bench board's adapter pty appears"

export BOARDS=desk,vq35
rigd_start -b "$T/boards" --store "$URI" --host-name alpha --heartbeat 1 || finish
"$RIGD" -d -v -S "$B" -B bench -c "$SCENDIR" -b "$B/boards" --store "$URI" --host-name beta \
    --heartbeat 1 >> "$B/rigd.log" 2>&1 &
BETA_PID=$!
RIG_SOCKET=$B/rigd.sock "$RIGCTL" wait rigd --pid "$BETA_PID" --timeout 60 ||
    { not_ok "the second rigd (beta) starts"; cat "$B/rigd.log"; finish; }

hosts='[(b["name"], b["host"]) for b in d]'
check "alpha sees both hosts' boards, each with its host" \
    [ "$(q "$hosts" show boards)" = '[["desk", "alpha"], ["vq35", "alpha"], ["bench", "beta"]]' ]
check "beta sees them too" \
    [ "$(RIG_SOCKET=$B/rigd.sock q "$hosts" show boards)" = '[["bench", "beta"], ["desk", "alpha"], ["vq35", "alpha"]]' ]
check "alpha says beta's host is alive" \
    [ "$(q '[b["host_alive"] for b in d if b["name"] == "bench"]' show boards)" = '[true]' ]

# beta's heartbeat moves on as seen from alpha: stopped, it falls silent; continued, it beats.
check "alpha waits for beta's host, alive, by its own heartbeat" \
    "$RIGCTL" wait board bench --host-alive true --timeout 10
kill -STOP "$BETA_PID"
check "beta stopped: alpha sees its host fall silent" \
    "$RIGCTL" wait board bench --host-alive false --timeout 20
kill -CONT "$BETA_PID"
check "beta continued: alpha sees its heartbeat move on (alive again)" \
    "$RIGCTL" wait board bench --host-alive true --timeout 20
"$RIGCTL" wait board nowhere --host-alive true --timeout 1 > "$T/nowhere.out" 2>&1
rc=$?
check "a board no host serves: refused at once (exit 2)" [ "$rc" -eq 2 ]
check "... saying so" contains "$T/nowhere.out" "no board nowhere in the lab"

id=$(RIG_SOCKET=$B/rigd.sock "$RIGCTL" reserve bench --for 1h --note beta 2> /dev/null)
check "beta reserves its bench ($id)" [ "$id" -gt 0 ] 2>/dev/null
check "alpha lists beta's reservation" \
    [ "$(q '[(r["board"], r.get("note")) for r in d]' show reservations)" = '[["bench", "beta"]]' ]
check "alpha lists it for beta's board by name" \
    [ "$(q '[r["id"] for r in d]' show reservations --board bench)" = "[$id]" ]

"$RIGCTL" run uart-unbind --board bench > "$T/held.out" 2>&1
rc=$?
check "a run from alpha on beta's reserved bench: refused (exit 2)" [ "$rc" -eq 2 ]
check "... saying why" contains "$T/held.out" "board bench is reserved until"

# A run asked on beta for alpha's vq35: alpha boots it (cold, saving its snapshot) and runs it;
# beta's rigctl gets the stages, the steps and the verdict, and exits as a local run would.
types='" ".join(m["type"] for m in d if m["type"] not in ("stage", "log"))'
RIG_SOCKET=$B/rigd.sock "$RIGCTL" run uart-unbind --board vq35 --json > "$T/lab.json" 2> "$T/lab.err"
rc=$?
cat "$T/lab.err"
jl() { /usr/bin/python3 -c 'import json, sys
d = [json.loads(l) for l in open(sys.argv[1])]
print(eval(sys.argv[2]))' "$@"; }
check "a run from beta on alpha's vq35 passes (exit 0)" [ "$rc" -eq 0 ]
check "... its result is alpha's run's verdict" \
    [ "$(jl "$T/lab.json" '(d[-1]["type"], d[-1]["status"], d[-1]["verdict"], d[-1]["board"])')" = "('result', 'ok', 'pass', 'vq35')" ]
check "... said which job and which host" \
    [ "$(jl "$T/lab.json" 'any("host alpha runs it" in m.get("msg", "") for m in d)')" = True ]
check "... with the boot's stages streamed back from alpha" \
    [ "$(jl "$T/lab.json" '[m["stage"] for m in d if m["type"] == "stage"][:2]')" = "['power', 'kernel']" ]
lab_run=$(jl "$T/lab.json" 'd[-1]["run"]')
check "... stored as alpha's run of vq35 (run $lab_run)" \
    [ "$(RIG_SOCKET=$B/rigd.sock q 'd["board"] + "|" + d["verdict"]' show run "$lab_run")" = "vq35|pass" ]
"$RIGCTL" run uart-unbind --board vq35 --json > "$T/local.json"
check "the same events as a run on alpha itself (start, steps, result)" \
    [ "$(jl "$T/lab.json" "$types")" = "$(jl "$T/local.json" "$types")" ]

# alpha SIGKILLed mid-job: its lease runs out (beta's beat requeues the job and records the
# run as interrupted), and alpha does the job when it is back: its board cannot move.
next=$(($(last_run) + 1))
RIG_SOCKET=$B/rigd.sock "$RIGCTL" run nap --board vq35 > "$T/nap.out" 2>&1 &
nap=$!
check "the nap job's first step is done on alpha (run $next)" \
    env RIG_SOCKET="$B/rigd.sock" "$RIGCTL" wait run "$next" --steps 1 --timeout 60
kill -9 "$RIGD_PID"
wait "$RIGD_PID" 2>/dev/null
RIGD_PID=
check "alpha SIGKILLed: beta sees its host silent" \
    env RIG_SOCKET="$B/rigd.sock" "$RIGCTL" wait board vq35 --host-alive false --timeout 20
check "after alpha's lease, the interrupted run is closed" \
    env RIG_SOCKET="$B/rigd.sock" "$RIGCTL" wait run "$next" --done --timeout 30
check "... recorded as interrupted, saying whose lease ran out" \
    [ "$(RIG_SOCKET=$B/rigd.sock q 'd["verdict"] + "|" + d["title"] + "|" + d["detail"]' show run "$next")" = "error|lab: interrupted|host alpha's lease on the job ran out (host silent)" ]
rigd_start -b "$T/boards" --store "$URI" --host-name alpha --heartbeat 1 || finish
wait "$nap"
rc=$?
cat "$T/nap.out"
check "alpha back: it does the job, and beta's rigctl ends with its verdict (exit 0)" [ "$rc" -eq 0 ]
check "... having said the job was queued again" contains "$T/nap.out" "queued again: host alpha's lease"
check "... and the repeat's steps and verdict" contains "$T/nap.out" "verdict: pass"
check "the repeat is a run of its own, a lab retry of the interrupted one" \
    [ "$(q '[(r["verdict"], r.get("repeat_of")) for r in d if r["scenario"] == "nap"]' show runs)" = "[[\"pass\", $next], [\"error\", null]]" ]
check "alpha's vq35 came back from its snapshot" \
    [ "$(q 'str(sum(1 for e in d if e["board"] == "vq35" and (e.get("reason") or "").startswith("restored from snapshot")))' show events)" -ge 1 ]

kill -9 "$BETA_PID"
wait "$BETA_PID" 2>/dev/null
BETA_PID=
check "beta SIGKILLed: alpha shows its host silent" \
    "$RIGCTL" wait board bench --host-alive false --timeout 20
"$RIGCTL" show boards > "$T/boards.out"
cat "$T/boards.out"
check "... in the table too, naming the host" contains "$T/boards.out" "host beta silent for"
check "alpha's own board still shows its host" \
    [ "$(q '[(b["host"], b["host_alive"]) for b in d if b["name"] == "desk"]' show boards)" = '[["alpha", true]]' ]
finish
