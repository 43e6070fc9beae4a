# One lab, two hosts: two rigd on this machine (alpha serving desk, beta serving bench) share
# one store on a private PostgreSQL server (rig/tests/pg.sh). Each registers its host and its
# boards and beats; rigctl on either sees both boards with their host, and the other's
# reservations; a host stopped or SIGKILLed stops beating and the other sees it silent (rigctl
# wait board --host-alive, answered from rigd's own beat). A run asked on one host for the
# other's board is refused while a reservation holds it, and otherwise done by the board's host,
# its end streamed back. A lab run is its caller's: the job carries the caller's uid, the board's
# host judges it against a reservation as a local run (the holder's goes through), and the run
# is stored as the caller's. rigctl console on one host shows the console another host shares
# (the address each host stores for its boards). No board is booted (the desk boards' boots fail
# at once); the lab run on a booted vq35, and its host killed mid-job, are in 20-rigd-killed.
. rig/tests/integration/lib.sh

PGD=$T/pg
B=$T/beta
BETA_PID=
# A member ($M) and an admin ($AD) of the lab's rig group, each host's socket in $T/run.
test_users
BS=$T/run/beta.sock
chmod 711 "$T"	# the server's user (rig-pgtest) reaches its folder in here
trap 'rigd_stop; [ -z "$BETA_PID" ] || kill "$BETA_PID"; sh rig/tests/pg.sh stop "$PGD"; test_users_drop; cleanup' EXIT
URI=$(sh rig/tests/pg.sh start "$PGD")
check "a private PostgreSQL server starts" [ -n "$URI" ] || finish

desk_board
# Its power a command that succeeds (no person to ask): its boots fail by themselves.
sed -i -e 's/^  backend: manual$/  backend: command/' -e 's/^  timeout: 60s$/  on: [true]\n  off: [true]/' \
    "$T/boards/desk.yaml"
mkdir -p "$B/boards"
# bench's boot waits long: it is powered on only for its console to be captured meanwhile.
sed -e 's/^name: desk/name: bench/' -e "s|$T/desk/|$T/bench/|" -e 's/^  timeout: 3s$/  timeout: 600s/' \
    "$T/boards/desk.yaml" > "$B/boards/bench.yaml"
adapter_plug desk || not_ok "the desk board's adapter pty appears"
adapter_plug bench || not_ok "the bench board's adapter pty appears"

# beta first: alpha's own view of the lab's boards is read at its start and at each of its
# beats, so bench is in it from the first wait on, however fast the checks below come.
"$RIGD" -d -v -S "$B" -s "$BS" -g "$G" -a "$A" -B bench -c scenarios -b "$B/boards" \
    --store "$URI" --host-name beta --heartbeat 1 >> "$B/rigd.log" 2>&1 &
BETA_PID=$!
RIG_SOCKET=$BS "$RIGCTL" wait rigd --pid "$BETA_PID" --timeout 60 ||
    { not_ok "the second rigd (beta) starts"; cat "$B/rigd.log"; finish; }
export BOARDS=desk
rigd_start -s "$RIG_SOCKET" -g "$G" -a "$A" -b "$T/boards" --store "$URI" --host-name alpha \
    --heartbeat 1 || finish

hosts='[(b["name"], b["host"]) for b in d]'
jl() { /usr/bin/python3 -c 'import json, sys
d = [json.loads(l) for l in open(sys.argv[1])]
print(eval(sys.argv[2]))' "$@"; }
check "alpha sees both hosts' boards, each with its host" \
    [ "$(q "$hosts" show boards)" = '[["desk", "alpha"], ["bench", "beta"]]' ]
check "beta sees them too" \
    [ "$(RIG_SOCKET=$BS q "$hosts" show boards)" = '[["bench", "beta"], ["desk", "alpha"]]' ]
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

id=$(RIG_SOCKET=$BS as "$AD" "$RIGCTL" reserve bench --for 1h --note beta 2> /dev/null)
check "the admin reserves beta's bench on beta ($id)" [ "$id" -gt 0 ] 2>/dev/null
check "alpha lists beta's reservation" \
    [ "$(q '[(r["board"], r.get("note")) for r in d]' show reservations)" = '[["bench", "beta"]]' ]
check "alpha lists it for beta's board by name" \
    [ "$(q '[r["id"] for r in d]' show reservations --board bench)" = "[$id]" ]

# 50 requests for beta's bench at once, every other one through alpha, their windows each
# 25 minutes, one every 10 (a day ahead): each overlaps four others. The engine's exclusion
# constraint and the per-board lock decide; rigctl --json says what each got.
base=$(( ($(date +%s) / 3600 + 24) * 3600 ))
pids=
for k in $(seq 0 49); do
	sock=$RIG_SOCKET
	[ $((k % 2)) -eq 1 ] && sock=$BS
	RIG_SOCKET=$sock "$RIGCTL" reserve bench --json --note "race $k" \
	    --from "$(date -u -d "@$((base + k * 600))" +%Y-%m-%dT%H:%M:%SZ)" \
	    --until "$(date -u -d "@$((base + k * 600 + 1500))" +%Y-%m-%dT%H:%M:%SZ)" \
	    > "$T/race.$k" 2>&1 &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
"$RIGCTL" show reservations --board bench --json > "$T/race.stored"
/usr/bin/python3 rig/tests/tools/reserve_race.py "$T" 50 "$base" > "$T/race.sum"
cat "$T/race.sum"
check "50 concurrent requests over two hosts: each answered, accepted or refused" \
    contains "$T/race.sum" "answered 50 of 50"
check "... no two stored reservations of the board overlap" contains "$T/race.sum" "overlaps 0"
check "... what was accepted is what is stored, once each" contains "$T/race.sum" "stored as accepted"
check "... every refusal is busy and names a stored reservation its window meets" \
    contains "$T/race.sum" "refusals explained"

as "$M" "$RIGCTL" run uart-unbind --board bench > "$T/held.out" 2>&1
rc=$?
check "a member's run from alpha on bench the admin holds: refused (exit 2)" [ "$rc" -eq 2 ]
check "... saying who holds it" contains "$T/held.out" "board bench is reserved by $AD (uid $(id -u "$AD"))"

# The member holds bench now: its run asked on alpha is let through by beta, which judges the
# caller's uid as a local run's, and the run is stored as the member's, not as uid 0.
as "$AD" "$RIGCTL" release "$id" > /dev/null 2>&1
mid=$(as "$M" "$RIGCTL" reserve bench --for 1h --note member 2> /dev/null)
check "the member reserves bench from alpha ($mid)" [ "$mid" -gt 0 ] 2>/dev/null
last=$(last_run)
# Bounded, as below: a job nobody takes would hold the suite until the lease's end.
as "$M" timeout 30 "$RIGCTL" run uart-unbind --board bench --json > "$T/holder.json" 2>&1
rc=$?
cat "$T/holder.json"
check "the holder's run from alpha on its reserved bench: ended as beta ends it (exit 2)" [ "$rc" -eq 2 ]
check "... beta runs it" contains "$T/holder.json" "on host beta, attempt 1"
check "... and ends it as a local run (no uart on bench), not refused" \
    [ "$(jl "$T/holder.json" '(d[-1]["status"], d[-1]["kind"])')" = "('failed', 'scenario: class not on board')" ]
run=$(q "str(max([r['id'] for r in d if r['board'] == 'bench' and r['id'] > $last] + [0]))" show runs)
check "... its run ($run) is stored as the member's (uid $(id -u "$M"))" \
    [ "$(q 'str(d["uid"])' show run "$run" 2>/dev/null)" = "$(id -u "$M")" ]
as "$M" "$RIGCTL" release "$mid" > /dev/null 2>&1

# Judged again by the board's host when it takes the job: the member's run is queued while
# bench is free (beta stopped meanwhile), the admin then reserves bench, and beta, continued,
# refuses the member's job as it would a local run's whose turn came during a lease.
mkfifo "$T/late.fifo"
kill -STOP "$BETA_PID"
as "$M" timeout 30 "$RIGCTL" run uart-unbind --board bench --json > "$T/late.fifo" 2>&1 &
late=$!
exec 3< "$T/late.fifo"
read -r first <&3
echo "$first"
aid=$(as "$AD" "$RIGCTL" reserve bench --for 1h --note late 2> /dev/null)
kill -CONT "$BETA_PID"
cat <&3 > "$T/late.json"
exec 3<&-
wait "$late"
rc=$?
cat "$T/late.json"
check "a member's run queued before the admin's lease began: queued ($first)" \
    contains_s "$first" "queued as job"
check "... refused by beta when it takes it (exit 2)" [ "$rc" -eq 2 ]
check "... as busy" [ "$(jl "$T/late.json" 'd[-1]["status"]')" = busy ]
check "... saying who holds bench" contains "$T/late.json" "board bench is reserved by $AD (uid"
# The admin's lease ($aid) is left to hold: its release would reset bench, whose power would
# then keep its off-time before the power on below.

# Not reserved, alpha's desk takes a run asked on beta: alpha claims the job and finds its
# board offers no uart; beta's rigctl gets that end as a local run would (exit 2, the reason).
RIG_SOCKET=$BS "$RIGCTL" run uart-unbind --board desk --json > "$T/lab.json" 2>&1
rc=$?
cat "$T/lab.json"
check "a run from beta on alpha's desk ends as alpha says (exit 2)" [ "$rc" -eq 2 ]
check "... said which host it is queued for" grep -q 'queued as job [0-9]* for host alpha"' "$T/lab.json"
check "... and which host runs it" contains "$T/lab.json" "on host alpha, attempt 1"
check "... and why it ended there (no uart on desk)" \
    [ "$(jl "$T/lab.json" '(d[-1]["type"], d[-1]["status"], d[-1]["kind"])')" = "('result', 'failed', 'scenario: class not on board')" ]

# beta shares bench's console on a loopback port and stores where, with the boards it serves;
# rigctl console on alpha reaches it there: a line bench prints is seen on alpha. bench is
# booting (its power on said: its console is captured from before power flows), waiting for
# an SSH that never answers, until beta is killed below.
mkfifo "$T/bench-on.fifo"
RIG_SOCKET=$BS "$RIGCTL" power bench on > "$T/bench-on.fifo" 2>&1 &
bench_on=$!
exec 4< "$T/bench-on.fifo"
said=
while IFS= read -r line <&4; do
	case $line in *"power on: "*) said=$line; break ;; esac
done
check "bench powered on by beta, its console captured ($said)" [ -n "$said" ]
url=$(RIG_SOCKET=$BS q '[b["console_url"] for b in d if b["name"] == "bench"][0]' show boards)
check "alpha's show boards has bench's console where beta shares it ($url)" \
    [ "$(q '[b.get("console_url") for b in d if b["name"] == "bench"][0]' show boards)" = "$url" ]
/usr/bin/python3 rig/tests/console_share_client.py rigctl "$T/bench/adapter.sock" \
    "bench-says-$$" "$T/remote.out" "$RIGCTL" bench 2> "$T/remote.err"
rc=$?
cat "$T/remote.err"
check "rigctl console bench on alpha shows what bench prints on beta" [ "$rc" -eq 0 ]
check "... saying whose console it is and where" contains "$T/remote.err" "host beta, ${url#rfc2217://}"

kill -9 "$BETA_PID"
wait "$BETA_PID" 2>/dev/null
BETA_PID=
cat <&4 > /dev/null	# bench's power on, cut short with its host
exec 4<&-
wait "$bench_on"
check "beta SIGKILLed: alpha shows its host silent" \
    "$RIGCTL" wait board bench --host-alive false --timeout 20
"$RIGCTL" show boards > "$T/boards.out"
cat "$T/boards.out"
check "... in the table too, naming the host" contains "$T/boards.out" "host beta silent for"
"$RIGCTL" console bench > "$T/gone.out" 2>&1
rc=$?
cat "$T/gone.out"
check "rigctl console bench with beta gone: exit 2" [ "$rc" -eq 2 ]
check "... saying where the console was" contains "$T/gone.out" "host beta shares it at $url"
check "alpha's own board still shows its host" \
    [ "$(q '[(b["host"], b["host_alive"]) for b in d if b["name"] == "desk"]' show boards)" = '[["alpha", true]]' ]

# PostgreSQL restarted while alpha's board works: desk is powered on (its power a command that
# succeeds, its boot failing after 3 s, twice) and the server stopped once it is booting, so
# its later state changes (each an event and the board's state) and failed boots are written
# while the server is away. alpha spools them (show boards says so), reads fail at once saying
# why, and once the server is back each is stored exactly once, in order, stamped when it
# happened: the stored events are the changes rigd logged since the power on.
desk_is() { q "[b$1 for b in d if b['name'] == 'desk'][0]" show boards 2>/dev/null; }
before=$(q 'str(max([e["id"] for e in d] + [0]))' show events)
boots=$(q 'str(max([e["id"] for e in d] + [0]))' show boots)
from=$(($(wc -l < "$T/rigd.log") + 1))
"$RIGCTL" power desk on > "$T/desk-on.out" 2>&1 &
on=$!
wait_state desk BOOTING 20 || not_ok "desk boots"
sh rig/tests/pg.sh halt "$PGD"
wait "$on"
rc=$?
cat "$T/desk-on.out"
check "PostgreSQL stopped while desk boots: the boot goes on, failing as it would (exit $rc)" [ "$rc" -eq 2 ]
# What desk's event log is to hold: each state change's reason and each power report, as
# rigd logged them ("desk: A -> B: reason", "desk: power on: ..."), in order.
tail -n +"$from" "$T/rigd.log" | sed -n -e 's/^rigd: desk: [A-Z]* -> [A-Z]*: //p' \
    -e 's/^rigd: desk: \(power o[nf]f*: .*\)/\1/p' > "$T/changes"
nboot=$(tail -n +"$from" "$T/rigd.log" | grep -c 'desk: boot failed')
nchange=$(wc -l < "$T/changes")
spooled=$(desk_is '["store_spooled"]')
echo "# since the power on: $nchange events, $nboot failed boots; $spooled spooled"
check "PostgreSQL down: alpha spooled what it could not write ($spooled)" [ "$spooled" -gt 0 ] 2>/dev/null
check "... no more than it did ($((nchange + nboot)))" [ "$spooled" -le $((nchange + nboot)) ] 2>/dev/null
# Why: the connection lost, or (once rigd has tried to reconnect) the server unreachable.
why=$(desk_is '["store"]')
echo "# store: $why"
check "... and says why" sh -c 'case $1 in *"write(s) spooled: PostgreSQL connection lost"*|*"write(s) spooled: PostgreSQL unreachable: "*) exit 0 ;; esac; exit 1' sh "$why"
t0=$(date +%s%N)
timeout 20 "$RIGCTL" show events > "$T/events-down.out" 2>&1
rc=$?
t1=$(date +%s%N)
cat "$T/events-down.out"
check "... a read fails (exit 2)" [ "$rc" -eq 2 ]
check "... at once ($(( (t1 - t0) / 1000000 )) ms)" [ $(( (t1 - t0) / 1000000 )) -lt 5000 ]
check "... saying why" contains "$T/events-down.out" "PostgreSQL connection lost"
ls -l "$T/store-spool" > "$T/spool.ls" 2>&1
check "... the spool is a private file in the state folder" contains "$T/spool.ls" "-rw------- "
back=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
sh rig/tests/pg.sh resume "$PGD"
check "PostgreSQL back: alpha reconnects and its spool is written (rigctl wait store --ok)" \
    "$RIGCTL" wait store --ok --timeout 30
check "... show boards says so too" [ "$(desk_is '["store"]')" = ok ]
"$RIGCTL" wait store > "$T/wait-bad.out" 2>&1
rc=$?
check "rigctl wait store without --ok: refused (exit 2)" [ "$rc" -eq 2 ]
check "... with the usage" contains "$T/wait-bad.out" "rigctl wait store --ok [--timeout S]"
"$RIGCTL" wait queue --empty --ok > "$T/wait-bad.out" 2>&1
check "... and --ok on another wait (exit 2)" [ $? -eq 2 ]
"$RIGCTL" show events --json | /usr/bin/python3 -c 'import json, sys
want = open(sys.argv[1]).read().splitlines()
got = [e for e in reversed(json.load(sys.stdin)) if e["id"] > int(sys.argv[2]) and e["board"] == "desk"]
print("stored %d of %d, in order: %s, stamped before the restart: %s" % (len(got), len(want),
      [e["reason"] for e in got] == want, all(e["at"] < sys.argv[3] for e in got)))
' "$T/changes" "$before" "$back" > "$T/events-after"
cat "$T/events-after"
check "... each event stored once, in order, stamped when it happened" \
    contains "$T/events-after" "stored $nchange of $nchange, in order: True, stamped before the restart: True"
check "... each failed boot stored once" \
    [ "$(q "str(len([b for b in d if b['id'] > $boots and b['board'] == 'desk']))" show boots)" = "$nboot" ]
check "... and desk's stored state is the one it is in" \
    [ "$(q "[b['state'] for b in d if b['name'] == 'desk']" show boards)" = "[\"$(tail -n +"$from" "$T/rigd.log" | grep -o 'desk: [A-Z]* -> [A-Z]*' | tail -n 1 | sed 's/.* //')\"]" ]
finish
