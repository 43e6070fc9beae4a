# The fault matrix: two boards at once (vqa and vqb, vq35s of the test's own); each fault, a
# real event, hits vqa (or the whole lab) while vqb runs a scenario: the database locked by
# another writer, the disk full, the SSH session cut mid-step, the console's QEMU chardev gone,
# QEMU killed, rigd killed. Each ends vqa's run with a verdict (or refuses it, or puts vqa in
# FAULT) with the error kind of the vocabulary; vqb's run passes; and `show runs` has every
# run exactly once, after rigd's restart too. Faults that 20-, 30-, 66-, 68- and 69- test in
# depth are here only as far as two boards and the count of runs need.
. rig/tests/integration/lib.sh

FILL=$PWD/$BUILD/tests/store_fill
small_state 16

# kind ENUM: the error kind's name as vocab.c spells it (ERROR_CONSOLE_LOST: "lab: console lost").
kind() { sed -n "s/^.*\[$1\] = \"\([^\"]*\)\".*$/\1/p" rig/lib/vocab.c; }

with_test_scenarios
cat > "$T/scen/fm-long.yaml" <<'Y'
# fm-long: what the other board runs while a fault hits its neighbour.
name: fm-long
steps:
  - shell: 'true'
  - sleep: 25s
  - shell: 'true'
Y
cat > "$T/scen/fm-short.yaml" <<'Y'
# fm-short: the faulted board's run; its second step is a shell command on the board.
name: fm-short
steps:
  - shell: 'true'
  - shell: 'sleep 6'
  - shell: 'true'
Y
# vqa and vqb: vq35 each with a QMP monitor of the test's own (rigd keeps its own to itself).
mkdir -p "$T/boards"
for b in vqa vqb; do
	sed -e "s/^name: vq35/name: $b/" -e "s|^  args: \[\]|  args: [-qmp, \"unix:$T/$b.mon,server=on,wait=off\"]|" \
	    boards/vq35.yaml > "$T/boards/$b.yaml"
done
BOARDS=vqa,vqb rigd_start -S "$ST" -s "$RIG_SOCKET" -b "$T/boards" || finish

# field BOARD KEY: the board's KEY as show boards says it.
field() { q "str([b[\"$2\"] for b in d if b[\"name\"] == \"$1\"][0])" show boards; }
# runs of the test, each id once: checked against show runs at the end.
: > "$T/ids"
# started FILE: the run id rigctl run --json said it started (nothing when none started).
started() {
	/usr/bin/python3 -c 'import json, sys
for l in open(sys.argv[1]):
    try:
        d = json.loads(l)
    except ValueError:
        continue
    if isinstance(d, dict) and d.get("run"):
        print(d["run"])
        break' "$1"
}
# go BOARD SCENARIO NAME: rigctl run in the background, its answer in $T/NAME.json; $! is it.
go() { "$RIGCTL" run "$2" --board "$1" --json > "$T/$3.json" 2> "$T/$3.err" & }
# ended NAME PID: waits for the rigctl of go, records its run id; its exit status in $rc.
ended() {
	wait "$2"
	rc=$?
	id=$(started "$T/$1.json")
	[ -z "$id" ] || echo "$id" >> "$T/ids"
	echo "$1: exit $rc, run ${id:-none}"
}
# verdict RUN: "verdict|title" as show run says it.
verdict() { q 'd["verdict"] + "|" + (d["title"] or "")' show run "$1"; }
# neighbour NAME PID: vqb's run of fm-long went on and passed, recorded.
neighbour() {
	ended "$1" "$2"
	check "$1: the other board's run passes (exit 0)" [ "$rc" -eq 0 ]
	check "$1: stored as pass" [ "$(verdict "$id")" = "pass|" ]
}
# qemu_of BOARD: the pid of the board's QEMU.
qemu_of() { pgrep -f "qemu-system.*$T/$1.mon"; }
# long_under_way NAME [LABEL]: vqb's long run (the neighbour; $T/NAME-b.json) started and under
# way; its rigctl's pid in $pb, its run's number in $n.
long_under_way() {
	n=$(( $(last_run) + 1 ))
	go vqb fm-long "$1-b"
	pb=$!
	check "${2:-$1}: vqb's run is under way" wait_steps "$n" 1
}
# both_under_way NAME [LABEL]: vqb's long run, then vqa's short one ($T/NAME-a.json), both under
# way ($pb, $pa).
both_under_way() {
	long_under_way "$@"
	go vqa fm-short "$1-a"
	pa=$!
	n=$((n + 1))
	check "${2:-$1}: vqa's run is under way" wait_steps "$n" 1
}

"$RIGCTL" power vqa on > "$T/on-a.out" 2>&1 &
pa=$!
"$RIGCTL" power vqb on > "$T/on-b.out" 2>&1 &
pb=$!
wait "$pa"
ra=$?
wait "$pb"
rb=$?
check "both boards boot ($ra, $rb)" [ "$((ra + rb))" -eq 0 ] || finish
t_start=$(date +%s)

# hold SECONDS: another writer (the store's own tool) holds the database for that long; with
# `stdin` it holds until the test lets go (let_go). Once it says it holds it, $holder is its pid.
hold() {
	rm -f "$T/lock.fifo" "$T/release.fifo"
	mkfifo "$T/lock.fifo" "$T/release.fifo"
	"$FILL" "$ST/rig.db" --hold-lock "$1" < "$T/release.fifo" > "$T/lock.fifo" 2> "$T/lock.err" &
	holder=$!
	# The write end stays open in fd 7 until let_go: the holder's stdin ends only then.
	exec 7> "$T/release.fifo"
	read -r said < "$T/lock.fifo"
	[ "$said" = held ]
}
# let_go: ends the holder's stdin; it lets go of the database and exits (its status in $?).
let_go() {
	exec 7>&-
	wait "$holder"
}

# 1. The database locked by another writer for longer than rigd's busy timeout (5 s): a run
# that cannot be recorded is refused with the store's kind and reason; nothing is recorded.
# The lock is held until rigctl has its answer, however many busy waits rigd takes to refuse.
long_under_way lock
check "lock: another writer holds the database" hold stdin
t_lock=$(date +%s)
go vqa fm-short lock-a
ended lock-a $!
echo "lock: refused after $(( $(date +%s) - t_lock )) s"
check "lock: vqa's run is refused (exit 2)" [ "$rc" -eq 2 ]
check "lock: with the store's kind" [ "$(tail -n 1 "$T/lock-a.json" | js 'd.get("kind", "")')" = "$(kind ERROR_STORE)" ]
check "lock: and its reason" contains "$T/lock-a.json" "locked"
check "lock: no run was started" [ -z "$id" ]
check "rigd answers while the database is locked" "$RIGCTL" ping
let_go
check "lock: the other writer let go" [ $? -eq 0 ]
check "lock: vqa is READY" [ "$(field vqa state)" = READY ]
neighbour lock-b "$pb"

# 1b. ... and locked while vqa's run goes on (its later steps and its end meet the lock): the
# run ends with its verdict, every step stored, once the writer lets go.
both_under_way lock2 "lock mid-run"
check "lock mid-run: another writer holds the database" hold 12
ended lock2-a "$pa"
check "lock mid-run: vqa's run passes (exit 0)" [ "$rc" -eq 0 ]
check "lock mid-run: stored as pass" [ "$(verdict "$id")" = "pass|" ]
check "lock mid-run: with its three steps" [ "$(q 'str(len(d["steps"]))' show run "$id")" = 3 ]
wait "$holder"
check "lock mid-run: the other writer let go" [ $? -eq 0 ]
neighbour lock2-b "$pb"

# 2. The disk full while vqa's run ends: its end is refused, vqa goes FAULT saying the run is
# unrecorded; with room again the end is stored, once, with its verdict.
both_under_way full
fill
ended full-a "$pa"
check "full: vqa's run ends as a lab error (exit 2)" [ "$rc" -eq 2 ]
check "full: its verdict is still said" contains_s "$(tail -n 1 "$T/full-a.json")" '"verdict":"pass"'
check "full: said unrecorded" contains "$T/full-a.json" "unrecorded"
check "full: vqa goes FAULT" wait_state vqa FAULT 30
check "full: FAULT says why" contains_s "$(field vqa reason)" "unrecorded"
unfill
check "full: room again, vqa's end is stored" sh -c "\"$RIGCTL\" wait run $id --done --timeout 30 > /dev/null"
check "full: with its verdict" [ "$(verdict "$id")" = "pass|" ]
neighbour full-b "$pb"
"$RIGCTL" power vqa on > /dev/null 2>&1
check "full: vqa serves again" wait_state vqa READY 120

# 3. The SSH session cut mid-step (the kernel aborts rigd's connections to vqa's forwarded
# port): an SSH lab error, vqa back in service.
both_under_way ssh
port=$(ss -Hltnp | awk -v p="pid=$(qemu_of vqa)," 'index($0, p) { n = split($4, a, ":"); print a[n]; exit }')
check "ssh: vqa's forwarded SSH port ($port)" [ -n "$port" ]
ss -K dst 127.0.0.1 dport = ":$port" > "$T/ss.out" 2>&1
ended ssh-a "$pa"
check "ssh: vqa's run is a lab error (exit 2)" [ "$rc" -eq 2 ]
v=$(verdict "$id")
# Either kind, in one check: a failure is counted once, a pass not counted as a failure.
check "ssh: verdict error, an SSH kind ($v)" sh -c '[ "$1" = "$2" ] || [ "$1" = "$3" ]' sh "$v" \
    "error|$(kind ERROR_SSH_LOST)" "error|$(kind ERROR_SSH_FAILED)"
neighbour ssh-b "$pb"
check "ssh: vqa serves again" wait_state vqa READY 120

# drop_console BOARD: QEMU drops the board's console chardev (chardev-change to null on the
# test's monitor): QEMU closes the pty rigd reads, as a console server going away would.
drop_console() {
	/usr/bin/python3 - "$T/$1.mon" > "$T/qmp.out" 2>&1 <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rw")
f.readline()
for cmd in ({"execute": "qmp_capabilities"},
            {"execute": "chardev-change", "arguments": {"id": "rigcon",
             "backend": {"type": "null", "data": {}}}}):
    f.write(json.dumps(cmd) + "\n")
    f.flush()
    while True:
        r = json.loads(f.readline())
        if "return" in r or "error" in r:
            print(json.dumps(r))
            break
PY
	[ "$(tail -n 1 "$T/qmp.out")" = '{"return": {}}' ] || { cat "$T/qmp.out"; return 1; }
}

# 4. The console's chardev gone during a run: the run is a console lab error (the kernel's
# words can no longer be seen), and the board is brought back (a new QEMU, a new pty).
both_under_way con console
check "console: QEMU dropped vqa's console chardev" drop_console vqa
ended con-a "$pa"
check "console: vqa's run is a lab error (exit 2)" [ "$rc" -eq 2 ]
check "console: verdict error, console lost" [ "$(verdict "$id")" = "error|$(kind ERROR_CONSOLE_LOST)" ]
neighbour con-b "$pb"
check "console: vqa is brought back" wait_state vqa READY 120

# 4b. ... and while the board is idle: FAULT with the console's kind (no run may go unseen);
# a power cycle mends it.
long_under_way idle "idle console"
check "idle console: QEMU dropped vqa's console chardev" drop_console vqa
check "idle console: vqa goes FAULT" wait_state vqa FAULT 30
check "idle console: FAULT with the console's kind" [ "$(field vqa fault)" = "$(kind ERROR_CONSOLE_LOST)" ]
echo "vqa: $(field vqa reason)"
"$RIGCTL" run fm-short --board vqa --json > "$T/idle-a.json" 2>&1
check "idle console: a run on vqa is refused (exit 2)" [ $? -eq 2 ]
id=$(started "$T/idle-a.json")
[ -z "$id" ] || echo "$id" >> "$T/ids"
check "idle console: no run was started" [ -z "$id" ]
neighbour idle-b "$pb"
"$RIGCTL" power vqa cycle > /dev/null 2>&1
check "idle console: a power cycle brings vqa back" wait_state vqa READY 120

# 5. QEMU killed (SIGKILL): the board died, vqa is brought back by itself.
both_under_way qemu
kill -9 "$(qemu_of vqa)"
ended qemu-a "$pa"
check "qemu: vqa's run is a lab error (exit 2)" [ "$rc" -eq 2 ]
check "qemu: verdict error, board died" [ "$(verdict "$id")" = "error|$(kind ERROR_BOARD_DIED)" ]
neighbour qemu-b "$pb"
check "qemu: vqa is brought back" wait_state vqa READY 120

# 6. rigd killed (SIGKILL) with both boards running: both runs are closed as interrupted by
# the next rigd, once each, and neither is run again.
both_under_way kill
kill -9 "$RIGD_PID"
wait "$RIGD_PID" 2>/dev/null
RIGD_PID=
ended kill-a "$pa"
ida=$id
ended kill-b "$pb"
idb=$id
check "kill: both runs had started ($ida, $idb)" [ -n "$ida" -a -n "$idb" ]
BOARDS=vqa,vqb rigd_start -S "$ST" -s "$RIG_SOCKET" -b "$T/boards" || finish
check "kill: vqa's run closed as interrupted" [ "$(verdict "$ida")" = "error|$(kind ERROR_INTERRUPTED)" ]
check "kill: vqb's run closed as interrupted" [ "$(verdict "$idb")" = "error|$(kind ERROR_INTERRUPTED)" ]

# Every run once: the ids rigctl was told, and nothing else, none still running.
sort -n "$T/ids" > "$T/ids.want"
"$RIGCTL" show runs --json | js '"\n".join(str(r["id"]) for r in sorted(d, key=lambda r: r["id"]))' > "$T/ids.got"
check "every run is in show runs exactly once ($(tr '\n' ' ' < "$T/ids.got"))" cmp -s "$T/ids.want" "$T/ids.got"
check "no run is left running" [ "$(q 'str(sum(1 for r in d if r["state"] != "done"))' show runs)" = 0 ]
check "both boards are brought back after the restart (vqa)" wait_state vqa READY 180
check "both boards are brought back after the restart (vqb)" wait_state vqb READY 180
check "no run was added by the restart" [ "$(last_run)" = "$(tail -n 1 "$T/ids.want")" ]
echo "faults took $(( $(date +%s) - t_start )) s after the first boot"
finish
