# Reservations: root reserves the board; a member of the rig group (made here) is refused run,
# power and typing at its console, each time told the holder, and may still watch and read;
# 50 clients at once ask for overlapping windows: only windows that overlap none stored are
# granted, each gets an answer, nothing stored overlaps; a short lease ends on its own and the
# board is everyone's again; rigd killed with SIGKILL keeps its reservations and their rules.
# The nightly queue starts no job on a board while it is reserved: the job starts once the lease
# is over and the board was reset after it (switched off only: a person switches its power, and
# vq35, never booted in its leases, is left off). A power job queued before the reservation began is refused when its turn comes (a
# board on a desk whose power a person switches keeps the first job waiting). Bad times and durations get
# a clear error. No board is booted (the desk board's local boot fails at once: nothing there).
. rig/tests/integration/lib.sh

test_users
desk_board
cp boards/vq35.yaml "$T/boards/"
adapter_plug desk || not_ok "the desk board's adapter pty appears"
export BOARDS=vq35,desk
HTTP=127.0.0.1:$(free_port)
rigd_start -s "$RIG_SOCKET" -g "$G" -a "$A" -b "$T/boards" -H "$HTTP" || finish
scen=$(q 'd[0]["name"]' show scenarios)

# --- the nightly queue waits for the lease to end (the job's boot then fails at once: a local
# boot cannot load a registered build, so nothing is booted)
check "an arm64 build is registered" "$RIGCTL" build add linux-image-6.1.0-57-arm64 --board desk
nid=$("$RIGCTL" reserve desk --for 3s 2>/dev/null)
check "root holds the desk board for 3 s ($nid)" [ "$nid" -gt 0 ] 2>/dev/null
check "a nightly job is queued for the desk board meanwhile" sh -c "'$RIGCTL' nightly \
    --builds linux-image-6.1.0-57-arm64 --scenarios i2c-unbind --boards desk | grep -q '1 job(s) queued'"
check "the job ends (its boot fails: nothing there)" "$RIGCTL" wait queue --finished 1 --timeout 60
until=$(q '[r["until"] for r in d if r["id"] == '"$nid"'][0]' show reservations)
began=$(q '[e["at"] for e in d if e["board"] == "desk" and e["to_state"] == "BOOTING"][-1]' show events)
echo "# desk reserved until $until; the nightly job's power-on at $began"
check "the nightly job began only after the lease ended" [ ! "$began" \< "$until" ]
# At the lease's end the board is reset before anyone (here the nightly) gets it: switched off
# only, since its power is a person's (a boot would wait for one).
reset=$(q '[e["at"] for e in d if e["board"] == "desk" and (e["reason"] or "").startswith(
    "reset after reservation '"$nid"' of root: switched off (its power is switched by a person")] or [""]' show events | js 'd[0]')
echo "# desk reset at $reset"
check "the lease's end reset the desk board (switched off)" [ -n "$reset" ]
check "... after the lease ended and before the nightly job's power-on" \
    sh -c "{ [ '$reset' \> '$until' ] || [ '$reset' = '$until' ]; } && [ '$began' \> '$reset' ]"
check "... and show reservations says when, and that it was switched off" \
    [ "$(q '[(r.get("reset_at", "") >= r["until"], r.get("reset")) for r in d if r["id"] == '"$nid"']' show reservations)" = '[[true, "off"]]' ]

# --- the nightly queue starts no job that would run into the next reservation. i2c-unbind never
# ended with a verdict on the desk board: its estimate is its steps' timeouts (53 s) and a boot
# (3 s); 56 s do not fit before a reservation 40 s away, and do before one 10 minutes away.
boots() { q 'str(len([e for e in d if e["board"] == "desk" and e["to_state"] == "BOOTING"]))' show events; }
nboot=$(boots)
fid=$("$RIGCTL" reserve desk --from +40s --until +50s 2>/dev/null)
check "root reserves the desk board from 40 s on ($fid)" [ "$fid" -gt 0 ] 2>/dev/null
check "a second nightly job is queued for the desk board" sh -c "'$RIGCTL' nightly \
    --builds linux-image-6.1.0-57-arm64 --scenarios i2c-unbind --boards desk | grep -q '1 job(s) queued'"
# until_queue EXPR SECONDS: until EXPR holds of rigctl show queue --json (as d).
until_queue() {
	/usr/bin/python3 -c 'import json, subprocess, sys, time
end = time.monotonic() + float(sys.argv[3])
while time.monotonic() < end:
    d = json.loads(subprocess.run([sys.argv[1], "show", "queue", "--json"],
                   capture_output=True, check=True).stdout)
    if eval(sys.argv[2]):
        sys.exit(0)
    time.sleep(0.2)
print(json.dumps(d), file=sys.stderr)
sys.exit(1)' "$RIGCTL" "$1" "$2"
}
check "the job waits, show queue saying why (estimated 56 s, the reservation's start)" \
    until_queue 'any("waits: estimated 56 s (its steps\x27 timeouts, never run here)" in (j.get("note") or "") for j in d["jobs"])' 30
check "... it is still queued" \
    [ "$(q '[j["state"] for j in d["jobs"] if j["board"] == "desk"]' show queue)" = '["queued"]' ]
check "... and the desk board was not booted for it" [ "$(boots)" = "$nboot" ]
check "the reservation is cancelled" "$RIGCTL" release "$fid"
fid=$("$RIGCTL" reserve desk --from +10m --until +20m 2>/dev/null)
check "root reserves the desk board 10 minutes on instead ($fid)" [ "$fid" -gt 0 ] 2>/dev/null
check "the job fits before it now: it starts and ends (its boot fails: nothing there)" \
    "$RIGCTL" wait queue --finished 2 --timeout 60
check "each nightly job on the desk board made one run, none twice" \
    [ "$(q 'str(len([r for r in d if r["board"] == "desk" and r["scenario"] == "i2c-unbind"]))' show runs)" = 2 ]
check "root releases the later reservation" "$RIGCTL" release "$fid"

# --- the survey as a nightly entry: a job per build and board, run as the board's survey (here
# its build's boot fails at once, so the job ends as an error that says so).
check "a nightly survey entry is queued for the desk board" sh -c "'$RIGCTL' nightly \
    --builds linux-image-6.1.0-57-arm64 --scenarios survey --boards desk | grep -q '1 job(s) queued'"
check "... it ends (its boot fails: nothing there)" "$RIGCTL" wait queue --finished 3 --timeout 60
check "... as the board's survey: an error saying its boot failed" \
    [ "$(q '[(j["state"], (j.get("note") or "")[:12]) for j in d["finished"] if j["scenario"] == "survey"]' show queue)" = \
    '[["error", "boot failed:"]]' ]

# --- a job queued before the reservation: refused at its turn, the holder named
# until_board EXPR SECONDS [BOARD]: until EXPR holds of the board's (desk's) show boards item (b).
until_board() {
	/usr/bin/python3 -c 'import json, subprocess, sys, time
end = time.monotonic() + float(sys.argv[3])
while time.monotonic() < end:
    d = json.loads(subprocess.run([sys.argv[1], "show", "boards", "--json"],
                   capture_output=True, check=True).stdout)
    b = [x for x in d if x["name"] == sys.argv[4]][0]
    if eval(sys.argv[2]):
        sys.exit(0)
    time.sleep(0.1)
sys.exit(1)' "$RIGCTL" "$1" "$2" "${3:-desk}"
}
as "$M" "$RIGCTL" power desk on > "$T/desk-on.out" 2>&1 &
DESK_ON=$!
check "the member's power on waits for a person" until_board 'b["waiting"]' 30
as "$M" "$RIGCTL" power desk off > "$T/desk-off.out" 2>&1 &
DESK_OFF=$!
check "... the member's power off is queued behind it" until_board 'b["queued"] == 1' 30
did=$("$RIGCTL" reserve desk --for 1h 2>/dev/null)
check "root reserves the desk board meanwhile ($did)" [ "$did" -gt 0 ] 2>/dev/null
# Two attempts at the boot, each asking a person; each fails in 3 s (no SSH there).
check "root, the holder, confirms the power (the boot then fails: nothing there)" \
    "$RIGCTL" power desk confirm
check "... asked again for the second attempt" until_board '"second attempt" in b["reason"] and b["waiting"]' 30
check "... root confirms again" "$RIGCTL" power desk confirm
wait "$DESK_ON"
wait "$DESK_OFF"
rc=$?
cat "$T/desk-off.out"
check "the member's queued power off is refused at its turn (exit 2)" [ "$rc" -eq 2 ]
check "... naming the holder" contains "$T/desk-off.out" \
    "board desk is reserved by root (uid 0)"

# --- root holds the board for an hour
id=$("$RIGCTL" reserve vq35 --for 1h --note "bisect i2c" 2> "$T/reserve.err")
cat "$T/reserve.err"
check "reserve prints the new reservation's id ($id)" [ "$id" -gt 0 ] 2>/dev/null
check "... and says the window" contains "$T/reserve.err" "reservation $id made: vq35 for root from"
check "show reservations lists it as current, held by root" \
    [ "$(q '[(r["holder"], r["state"], r.get("note")) for r in d if r["id"] == '"$id"']' \
    show reservations --board vq35)" = '[["root", "current", "bisect i2c"]]' ]

# refused COMMAND...: as the member, exit 2 and the holder named ($T/refused.out).
refused() {
	as "$M" "$RIGCTL" "$@" > "$T/refused.out" 2>&1
	rc=$?
	cat "$T/refused.out"
	[ "$rc" -eq 2 ] && contains "$T/refused.out" "board vq35 is reserved by root (uid 0)" &&
	    contains "$T/refused.out" "(reservation $id)"
}
check "the member may not run on root's board, told who holds it" refused run "$scen" --board vq35
check "the member may not survey it" refused survey --board vq35
check "... refused before anything is booted" [ "$(q '[b["state"] for b in d if b["name"] == "vq35"][0]' show boards)" = OFF ]
check "the member may not power it" refused power vq35 on
check "... nor off" refused power vq35 off
check "... the refusal says what only the holder may do" contains "$T/refused.out" \
    "only its holder or an admin may power it"
check "a run on any board skips the reserved one: none left, the holder named" refused run "$scen"
check "the dashboard's JSON API has the calendar" [ "$(/usr/bin/python3 -c 'import json, sys, urllib.request
d = json.load(urllib.request.urlopen("http://%s/api/reservations" % sys.argv[1], timeout=10))
print([(r["board"], r["holder"], r["state"]) for r in d if r["id"] == int(sys.argv[2])])' "$HTTP" "$id")" = "[('vq35', 'root', 'current')]" ]
# The reservations page as a browser renders it: the calendar has the lease, its holder and the
# table its id.
timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$T/chromium" --virtual-time-budget=5000 --dump-dom \
    "http://$HTTP/reservations" > "$T/dom.html" 2>/dev/null
check "the dashboard draws the current lease in its calendar, by holder, in a real browser" \
    grep -q '<div class="res current" style="left:[0-9.]*%;width:[0-9.]*%" title="root: [^"]*">root</div>' "$T/dom.html"
check "... and lists it under Reservations with its id" \
    grep -q "<tr><td>$id</td><td>vq35</td><td>root</td>" "$T/dom.html"
check "the member still reads the calendar" \
    [ "$(as "$M" "$RIGCTL" show reservations --board vq35 --json | js 'str(len(d))')" = 1 ]
check "... and the boards" [ "$(as "$M" "$RIGCTL" show boards --json | js 'str("vq35" in [b["name"] for b in d])')" = True ]

# The shared console: the member watches, and what they type is refused naming the holder.
port=$(q '[b for b in d if b["name"] == "vq35"][0]["console_url"].rsplit(":", 1)[1]' show boards)
cat > "$T/type.py" <<'PY'
import socket, sys, time
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=10)
s.sendall(b'reboot\r\n')
data, end = b'', time.monotonic() + 10
while b']' not in data.split(b'[rig:', 1)[-1] if b'[rig:' in data else time.monotonic() < end:
    try:
        d = s.recv(4096)
    except socket.timeout:
        break
    if not d:
        break
    data += d
# Telnet's negotiation bytes are left out: the test's log stays text.
print(''.join(c for c in data.decode('latin-1') if c == '\n' or ' ' <= c < '\x7f'))
PY
chmod 644 "$T/type.py"
as "$M" /usr/bin/python3 "$T/type.py" "$port" > "$T/type-m.out" 2>&1
cat "$T/type-m.out"
check "the member's typing at the console is dropped, the holder named" contains "$T/type-m.out" \
    "[rig: board vq35 is reserved by root (uid 0)"
check "... only the holder or an admin may type" contains "$T/type-m.out" \
    "only its holder or an admin may type at its console"
/usr/bin/python3 "$T/type.py" "$port" > "$T/type-root.out" 2>&1
cat "$T/type-root.out"
check "the holder's typing is not refused for the reservation (the board is off)" \
    contains "$T/type-root.out" "the console of vq35 is closed (the board is off)"

# --- who may change a reservation
as "$M" "$RIGCTL" release "$id" > "$T/release-m.out" 2>&1
rc=$?
cat "$T/release-m.out"
check "the member may not release root's reservation" [ "$rc" -eq 2 ]
check "... told whose it is" contains "$T/release-m.out" "reservation $id is held by root (uid 0)"
as "$M" "$RIGCTL" reserve vq35 --for 30m > "$T/conflict.out" 2>&1
rc=$?
cat "$T/conflict.out"
check "the member's overlapping window is refused (exit 2)" [ "$rc" -eq 2 ]
check "... naming the holder and the window" contains "$T/conflict.out" \
    "board vq35 is reserved by root from "
check "... and offering the next free slot" contains "$T/conflict.out" "the next free slot as long is from"
mid=$(as "$M" "$RIGCTL" reserve vq35 --from +2h --until +3h --note later 2>/dev/null)
check "the member reserves a later window ($mid)" [ "$mid" -gt "$id" ] 2>/dev/null
"$RIGCTL" extend "$id" --by 90m > "$T/extend.out" 2>&1
rc=$?
cat "$T/extend.out"
check "root may not extend into the member's window (exit 2)" [ "$rc" -eq 2 ]
check "... told whose window is in the way" contains "$T/extend.out" \
    "board vq35 is reserved by $M from "
check "an admin releases the member's reservation" as "$AD" "$RIGCTL" release "$mid"
check "... recorded with who did it, the window cancelled" \
    [ "$(q '[(r["released_by"], r["state"]) for r in d if r["id"] == '"$mid"']' show reservations)" \
    = "[[\"$AD\", \"cancelled\"]]" ]
check "root extends its reservation by 30m" "$RIGCTL" extend "$id" --by 30m
check "... now 90 minutes long" [ "$(q '[(r["until_ms"] - r["from_ms"]) // 60000 for r in d if r["id"] == '"$id"']' \
    show reservations)" = "[90]" ]

# --- bad input: each a clear error, nothing stored
# bad EXPECTED ARGS...: rigctl ARGS exits 2 saying EXPECTED.
bad() {
	want=$1
	shift
	"$RIGCTL" "$@" > "$T/bad.out" 2>&1
	rc=$?
	[ "$rc" -eq 2 ] && contains "$T/bad.out" "$want" || { cat "$T/bad.out"; return 1; }
}
n0=$(q 'str(len(d))' show reservations)
check "a zero duration" bad "--for 0: not a duration above zero" reserve vq35 --for 0
check "a negative duration" bad "--for -1h: not a duration above zero" reserve vq35 --for -1h
check "a time that is none" bad '--from "tomorrow": not a time: expected ISO 8601' \
    reserve vq35 --from tomorrow --until +1h
check "a day the month lacks" bad '--until "2030-02-30T10:00": not a time' \
    reserve vq35 --from 2030-02-28T10:00 --until 2030-02-30T10:00
check "until before from" bad "--until 2030-01-01T09:00 is not after --from 2030-01-01T10:00" \
    reserve vq35 --from 2030-01-01T10:00 --until 2030-01-01T09:00
check "a window over already" bad "reserve: the window is over already" \
    reserve vq35 --from 2020-01-01T10:00Z --until 2020-01-01T11:00Z
check "an unknown board" bad "nosuch: no board nope" reserve nope --for 1h
check "both a duration and a window" bad "usage: rigctl reserve" reserve vq35 --for 1h --from +1h
check "no end at all" bad "usage: rigctl reserve" reserve vq35 --from +1h
check "an unknown reservation" bad "nosuch: no reservation 9999" release 9999
check "extend by nothing" bad "--by 0: not a duration above zero" extend "$id" --by 0
check "nothing was stored by them" [ "$(q 'str(len(d))' show reservations)" = "$n0" ]

# --- 50 clients at once, overlapping windows of one board a year from now
cat > "$T/race.py" <<'PY'
import json, subprocess, sys, time
rigctl, base = sys.argv[1], int(time.time()) // 3600 * 3600 + 366 * 86400
iso = lambda t: time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(t))
# Window i: 40 minutes from base + 25 i minutes: each overlaps its neighbours.
wins = [(base + 1500 * i, base + 1500 * i + 2400) for i in range(50)]
t0 = time.monotonic()
procs = [(subprocess.Popen([rigctl, 'reserve', 'vq35', '--from', iso(a), '--until', iso(b),
                            '--json'], stdout=subprocess.PIPE, stderr=subprocess.PIPE),
          time.monotonic(), a, b) for a, b in wins]
lat, ok, refused, other = [], [], [], []
for p, start, a, b in procs:
    out, err = p.communicate(timeout=60)
    lat.append(time.monotonic() - start)
    try:
        d = json.loads(out)
    except ValueError:
        other.append((p.returncode, out, err))
        continue
    if p.returncode == 0:
        ok.append((d['from_ms'] // 1000, d['until_ms'] // 1000))
    elif p.returncode == 2 and d.get('status') == 'busy' and 'conflict' in d:
        refused.append((a, b))
    else:
        other.append((p.returncode, out, err))
total = time.monotonic() - t0
lat.sort()
stored = [(r['from_ms'] // 1000, r['until_ms'] // 1000) for r in json.loads(subprocess.run(
    [rigctl, 'show', 'reservations', '--board', 'vq35', '--json'], capture_output=True,
    check=True).stdout) if r['from_ms'] // 1000 >= base]
overlaps = sum(1 for i, x in enumerate(stored) for y in stored[i + 1:]
               if x[0] < y[1] and y[0] < x[1])
wrongly = sum(1 for a, b in refused if not any(a < y[1] and y[0] < b for y in stored))
print(json.dumps({'answered': len(ok) + len(refused), 'other': len(other), 'ok': len(ok),
                  'refused': len(refused), 'stored': len(stored), 'granted_stored':
                  sorted(ok) == sorted(stored), 'overlaps': overlaps, 'wrongly_refused': wrongly,
                  'rps': round(50 / total, 1), 'p99_ms': round(lat[int(0.99 * len(lat))] * 1000)}))
for o in other[:3]:
    print(o, file=sys.stderr)
PY
race=$(/usr/bin/python3 "$T/race.py" "$RIGCTL")
echo "# 50 concurrent reserve requests: $race"
check "every request got an answer (granted or refused with the conflict)" contains_s "$race" '"answered": 50, "other": 0'
check "some granted, some refused" sh -c "echo '$race' | grep -vq '\"ok\": 0,' && echo '$race' | grep -vq '\"refused\": 0,'"
check "what was granted is exactly what is stored" contains_s "$race" '"granted_stored": true'
check "zero overlaps in show reservations" contains_s "$race" '"overlaps": 0'
check "no window refused that overlaps nothing stored" contains_s "$race" '"wrongly_refused": 0'

# --- SIGKILL: the reservations and their rule outlive rigd
before=$(q '[(r["id"], r["uid"], r["from_ms"], r["until_ms"], r["state"]) for r in d]' show reservations)
kill -9 "$RIGD_PID"
wait "$RIGD_PID" 2>/dev/null
RIGD_PID=
rigd_start -s "$RIG_SOCKET" -g "$G" -a "$A" -b "$T/boards" -H "$HTTP" || finish
check "after SIGKILL and a restart the calendar is the same" \
    [ "$(q '[(r["id"], r["uid"], r["from_ms"], r["until_ms"], r["state"]) for r in d]' show reservations)" = "$before" ]
check "... and the member is still refused power" refused power vq35 on

# --- a short lease warns its watchers, ends on its own, and the board is everyone's again
check "root releases its hour" "$RIGCTL" release "$id"
# The console's watchers hear of the end before it comes (halfway through a lease this short).
# Its stderr is copied to watch.err line by line; the first "attached" line is also said on
# attached.fifo, which the check reads: it waits for that event, not for a poll's turn.
mkfifo "$T/watch.fifo" "$T/attached.fifo"
/usr/bin/python3 -c 'import sys
told = False
with open(sys.argv[1], "rb") as src, open(sys.argv[2], "ab", buffering=0) as out:
    for line in src:
        out.write(line)
        if not told and b"attached" in line:
            sys.stdout.write("attached\n")
            sys.stdout.close()
            told = True' "$T/watch.fifo" "$T/watch.err" > "$T/attached.fifo" &
COPIER=$!
"$RIGCTL" console vq35 > /dev/null 2> "$T/watch.fifo" &
WATCH=$!
check "a watcher is attached to vq35's console" \
    timeout 30 sh -c 'read -r line < "$1" && [ "$line" = attached ]' sh "$T/attached.fifo"
sid=$("$RIGCTL" reserve vq35 --for 4s 2>/dev/null)
check "root holds the board for 3 s ($sid)" [ "$sid" -gt 0 ] 2>/dev/null
id=$sid
check "meanwhile the member is refused" refused power vq35 off
# wait_past ID SECONDS: until the calendar says the reservation is over.
wait_past() {
	/usr/bin/python3 -c 'import json, subprocess, sys, time
end = time.monotonic() + float(sys.argv[3])
while time.monotonic() < end:
    d = json.loads(subprocess.run([sys.argv[1], "show", "reservations", "--json"],
                   capture_output=True, check=True).stdout)
    if any(r["id"] == int(sys.argv[2]) and r["state"] == "past" for r in d):
        sys.exit(0)
    time.sleep(0.2)
sys.exit(1)' "$RIGCTL" "$1" "$2"
}
check "the lease ends by itself" wait_past "$sid" 15
kill "$WATCH"
wait "$WATCH" "$COPIER" 2>/dev/null
cat "$T/watch.err"
check "the console's watcher was warned before the end" contains "$T/watch.err" \
    "reservation $sid of vq35 (root) ends at"
check "... and the calendar says when it warned" \
    [ "$(q '[("warned_at" in r) for r in d if r["id"] == '"$sid"']' show reservations)" = "[true]" ]
check "... with nobody releasing it" [ "$(q '[r.get("released_by", "") for r in d if r["id"] == '"$sid"']' show reservations)" = '[""]' ]
# No boot in the lease: nothing of the holder's ran, it is left off (no boot).
check "... the board is reset for whoever is next, as show boards says" \
    until_board 'b["state"] == "OFF" and b["reason"].startswith("reset after reservation '"$sid"' of root: switched off (no boot during the lease")' 15 vq35
check "then the member powers the board" as "$M" "$RIGCTL" power vq35 off
finish
