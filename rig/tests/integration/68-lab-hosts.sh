# One lab, two hosts: two rigd on this machine (alpha serving desk, beta serving bench) share
# one store on a private PostgreSQL server (rig/tests/pg.sh). Each registers its host and its
# boards and beats; rigctl on either sees both boards with their host, and the other's
# reservations; a host stopped or SIGKILLed stops beating and the other sees it silent (rigctl
# wait board --host-alive, answered from rigd's own beat). A run asked on one host for the
# other's board is refused while a reservation holds it, and otherwise done by the board's host,
# its end streamed back. No board is booted (the desk boards' boots fail at once); the lab run
# on a booted vq35, and its host killed mid-job, are in 20-rigd-killed.
. rig/tests/integration/lib.sh

PGD=$T/pg
B=$T/beta
BETA_PID=
chmod 711 "$T"	# the server's user (rig-pgtest) reaches its folder in here
trap 'rigd_stop; [ -z "$BETA_PID" ] || kill "$BETA_PID"; sh rig/tests/pg.sh stop "$PGD"; cleanup' EXIT
URI=$(sh rig/tests/pg.sh start "$PGD")
check "a private PostgreSQL server starts" [ -n "$URI" ] || finish

desk_board
mkdir -p "$B/boards"
sed -e 's/^name: desk/name: bench/' -e "s|$T/desk/|$T/bench/|" "$T/boards/desk.yaml" \
    > "$B/boards/bench.yaml"
adapter_plug desk || not_ok "the desk board's adapter pty appears"
adapter_plug bench || not_ok "the bench board's adapter pty appears"

export BOARDS=desk
rigd_start -b "$T/boards" --store "$URI" --host-name alpha --heartbeat 1 || finish
"$RIGD" -d -v -S "$B" -B bench -c scenarios -b "$B/boards" --store "$URI" --host-name beta \
    --heartbeat 1 >> "$B/rigd.log" 2>&1 &
BETA_PID=$!
RIG_SOCKET=$B/rigd.sock "$RIGCTL" wait rigd --pid "$BETA_PID" --timeout 60 ||
    { not_ok "the second rigd (beta) starts"; cat "$B/rigd.log"; finish; }

hosts='[(b["name"], b["host"]) for b in d]'
jl() { /usr/bin/python3 -c 'import json, sys
d = [json.loads(l) for l in open(sys.argv[1])]
print(eval(sys.argv[2]))' "$@"; }
check "alpha sees both hosts' boards, each with its host" \
    [ "$(q "$hosts" show boards)" = '[["desk", "alpha"], ["bench", "beta"]]' ]
check "beta sees them too" \
    [ "$(RIG_SOCKET=$B/rigd.sock q "$hosts" show boards)" = '[["bench", "beta"], ["desk", "alpha"]]' ]
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
check "alpha waits for beta's bench to be OFF as beta stored it (read at alpha's beat)" \
    "$RIGCTL" wait board bench OFF --timeout 10
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

# Not reserved, alpha's desk takes a run asked on beta: alpha claims the job and finds its
# board offers no uart; beta's rigctl gets that end as a local run would (exit 2, the reason).
RIG_SOCKET=$B/rigd.sock "$RIGCTL" run uart-unbind --board desk --json > "$T/lab.json" 2>&1
rc=$?
cat "$T/lab.json"
check "a run from beta on alpha's desk ends as alpha says (exit 2)" [ "$rc" -eq 2 ]
check "... said which host it is queued for" contains "$T/lab.json" "queued as job 1 for host alpha\""
check "... and which host runs it" contains "$T/lab.json" "on host alpha, attempt 1"
check "... and why it ended there (no uart on desk)" \
    [ "$(jl "$T/lab.json" '(d[-1]["type"], d[-1]["status"], d[-1]["kind"])')" = "('result', 'failed', 'scenario: class not on board')" ]

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
