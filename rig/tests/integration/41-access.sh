# Access: the control socket is for the rig group (0660, rigd -g), checked again by rigd from
# the peer's credentials; what changes a board is logged with the user; one member's idle
# connections (capped per uid, closed after rigd -i) neither lock root out nor flood the log;
# a second rigd leaves a socket that answers alone. Real users and groups, made here and
# removed at exit; no board is powered.
#@ alone: a flooded rigd answers within a second
. rig/tests/integration/lib.sh

# The socket's folder is open to everyone (test_users): only the socket's own mode keeps
# outsiders away. The outsider $O is in neither group.
test_users
trap '[ -z "${FLOOD:-}" ] || kill "$FLOOD" 2>/dev/null; test_users_drop; cleanup' EXIT
MUID=$(id -u "$M")
OUID=$(id -u "$O")

# The flood: N connections to the socket that send nothing. rigd takes connections in the order
# they came, so once the last one is answered (or closed) every one was judged: the report (JSON
# on stdout, then stdout is closed) says how many rigd holds and why it refused the others.
# Then, with a limit, until rigd has closed them all (idle), said on stderr.
cat > "$T/flood.py" <<'PY'
import json, os, select, socket, struct, sys, time
path, n, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
socks = []
for _ in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    socks.append(s)
start = time.monotonic()
closed, errors = set(), []
for i, s in enumerate(reversed(socks)):
    # The last one until rigd has closed it (30 s at most); the others as they are then.
    if i == 0:
        s.settimeout(30)
    else:
        s.setblocking(False)
    data = b''
    while True:
        try:
            d = s.recv(65536)
        except (BlockingIOError, socket.timeout):
            break
        except ConnectionResetError:
            d = b''
        if not d:
            closed.add(s)
            break
        data += d
    if i == 0:
        judged = s in closed
        s.setblocking(False)
    while len(data) >= 5:
        n_ = struct.unpack('>I', data[:4])[0]
        if data[4:5] == b'J' and len(data) >= 4 + n_:
            errors.append(json.loads(data[5:4 + n_]).get('error', ''))
        data = data[4 + n_:]
print(json.dumps({'open': len(socks) - len(closed), 'refused': len(closed),
                  'errors': sorted(set(errors)), 'last_judged': judged}), flush=True)
os.close(1)
left = [s for s in socks if s not in closed]
if limit <= 0:
    select.select([], [], [])
while left and time.monotonic() - start < limit:
    r, _, _ = select.select(left, [], [], max(0.0, limit - (time.monotonic() - start)))
    for s in r:
        try:
            d = s.recv(65536)
        except (BlockingIOError, ConnectionResetError):
            d = b''
        if not d:
            left.remove(s)
if left:
    print('%d still open after %.1f s' % (len(left), limit), file=sys.stderr)
    sys.exit(1)
print('closed all after %.2f s' % (time.monotonic() - start), file=sys.stderr)
PY
chmod 644 "$T/flood.py"
mkfifo -m 600 "$T/flood.fifo"

# flood N LIMIT: the member's flood in the background (FLOOD), its report in $report.
flood() {
	# setpriv itself in the background (not through as): FLOOD is the helper's own pid.
	setpriv --reuid="$M" --regid=nogroup --init-groups -- /usr/bin/python3 "$T/flood.py" \
	    "$RIG_SOCKET" "$1" "$2" > "$T/flood.fifo" 2> "$T/flood.err" &
	FLOOD=$!
	report=$(timeout 60 cat "$T/flood.fifo")
	echo "# flood of $1: $report"
}

# timed NAME COMMAND...: runs it; $ms is how long it took.
timed() {
	t0=$(date +%s%N)
	"$@"
	rc=$?
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	return $rc
}

rigd_start -s "$RIG_SOCKET" -g "$G" -a "$A" -m 16 || finish
check "the socket is mode 660 and group $G" [ "$(stat -c '%a %G' "$RIG_SOCKET")" = "660 $G" ]

# --- who may connect
as "$O" "$RIGCTL" show boards > "$T/outsider.out" 2>&1
rc=$?
cat "$T/outsider.out"
check "an outsider is refused (exit 2)" [ "$rc" -eq 2 ]
check "... told the socket is for group $G" contains "$T/outsider.out" \
    "Permission denied (the socket is for group $G)"
check "a member of $G reads the boards" \
    [ "$(as "$M" "$RIGCTL" show boards --json | js 'd[0]["name"]')" = vq35 ]
check "a member of $A reads the boards" \
    [ "$(as "$AD" "$RIGCTL" show boards --json | js 'd[0]["name"]')" = vq35 ]
# The board's shared console (TCP on loopback) is the same read: the same group.
port=$(q 'd[0]["console_url"].rsplit(":", 1)[1]' show boards)
cat > "$T/share.py" <<'PY'
import socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=10)
print(repr(s.recv(4096)))
PY
chmod 644 "$T/share.py"
as "$O" /usr/bin/python3 "$T/share.py" "$port" > "$T/share-o.out" 2>&1
as "$M" /usr/bin/python3 "$T/share.py" "$port" > "$T/share-m.out" 2>&1
cat "$T/share-o.out" "$T/share-m.out"
check "an outsider is refused the shared console, told why" contains "$T/share-o.out" \
    "rig: the console of vq35 is for group $G"
check "a member watches the shared console (telnet's offers first)" contains "$T/share-m.out" "b'\\xff"
check "... and rigd logs the refusal" wait_log "refused a connection from $O (uid $OUID): console of vq35" 10
check "a member powers a board" as "$M" "$RIGCTL" power vq35 off
check "rigd's log says who asked for it" wait_log "$M (uid $MUID): power vq35 off" 10
# rigd asks the peer's credentials itself: a socket opened to all by mistake still refuses.
mode=$(stat -c %a "$RIG_SOCKET")
chmod 666 "$RIG_SOCKET"
as "$O" "$RIGCTL" ping > "$T/outsider2.out" 2>&1
rc=$?
chmod "$mode" "$RIG_SOCKET"
cat "$T/outsider2.out"
check "an outsider past the socket's mode is refused by rigd (exit 2)" [ "$rc" -eq 2 ]
check "... with the reason" contains "$T/outsider2.out" "denied: uid $OUID is not in group $G"
# (Within a second of the console refusal above: maybe only counted, then summed up.)
check "... and rigd logs it" wait_log "is not in group $G" 10

# --- a member holds 200 idle connections: 16 (rigd -m) are kept, the rest refused at once
size0=$(stat -c %s "$T/rigd.log")
flood 200 0
check "the flood was judged to its last connection" contains_s "$report" '"last_judged": true'
check "the member keeps 16 connections" contains_s "$report" '"open": 16,'
check "... the others are told why" contains_s "$report" "uid $MUID has 16 connections open already (rigd -m 16)"
timed "$RIGCTL" show boards --json > "$T/root.json"
rc=$?
echo "# root's show boards --json with the member's 200 connections: ${ms} ms"
check "root's show boards answers meanwhile" [ "$rc" -eq 0 ]
check "... within a second (${ms} ms)" [ "$ms" -lt 1000 ]
check "... with the board" [ "$(js 'd[0]["name"]' < "$T/root.json")" = vq35 ]
as "$M" "$RIGCTL" ping > "$T/member17.out" 2>&1
rc=$?
cat "$T/member17.out"
check "the member's next rigctl is refused (exit 2)" [ "$rc" -eq 2 ]
check "... saying why" contains "$T/member17.out" "has 16 connections open already"
check "a member of $A still reads" as "$AD" "$RIGCTL" show boards
check "rigd sums up the refusals once a second" wait_log "more connection(s) from $M (uid $MUID)" 10
size1=$(stat -c %s "$T/rigd.log")
echo "# rigd.log grew by $((size1 - size0)) bytes for $(echo "$report" | js 'str(d["refused"])') refused connections"
grep -F "uid $MUID" "$T/rigd.log" | tail -n 5
check "rigd's log grows by less than 2 KB for 185 refusals ($((size1 - size0)) bytes)" \
    [ $((size1 - size0)) -lt 2048 ]
kill "$FLOOD"
wait "$FLOOD" 2>/dev/null
FLOOD=

# --- a second rigd on the same socket refuses to start; the first still answers
ino=$(stat -c %i "$RIG_SOCKET")
mkdir -p "$T/second" "$T/second2"
# (Bounded: a rigd that does start would serve until stopped.)
timeout 30 "$RIGD" -d -S "$T/second" -s "$RIG_SOCKET" -B vq35 -c scenarios > "$T/second.out" 2>&1
rc=$?
cat "$T/second.out"
check "a second rigd on the socket exits 1" [ "$rc" -eq 1 ]
check "... saying another rigd serves it" contains "$T/second.out" \
    "$RIG_SOCKET: another rigd serves this socket"
check "... and leaves the socket in place" [ "$(stat -c %i "$RIG_SOCKET")" = "$ino" ]
check "the first rigd still answers" "$RIGCTL" ping
# A socket that answers without the lock (a rigd of before it, another program): left alone.
/usr/bin/python3 -c 'import signal, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
signal.pause()' "$T/run/other.sock" &
other=$!
RIG_SOCKET=$T/run/other.sock "$RIGCTL" wait rigd --pid "$other" --timeout 30
timeout 30 "$RIGD" -d -S "$T/second" -s "$T/run/other.sock" -B vq35 -c scenarios \
    > "$T/second3.out" 2>&1
rc=$?
cat "$T/second3.out"
check "rigd refuses a socket that answers, lock or not (exit 1)" [ "$rc" -eq 1 ]
check "... saying so" contains "$T/second3.out" "$T/run/other.sock: another rigd serves this socket"
check "... and leaves it" [ -S "$T/run/other.sock" ]
kill "$other"
wait "$other" 2>/dev/null
: > "$T/run/notasock"
timeout 30 "$RIGD" -d -S "$T/second2" -s "$T/run/notasock" -B vq35 -c scenarios \
    > "$T/second2.out" 2>&1
rc=$?
check "rigd refuses a socket path that is a file (exit 1)" [ "$rc" -eq 1 ]
check "... and leaves the file" [ -f "$T/run/notasock" ]

# --- a killed rigd's socket is taken over; every slot taken but those kept for admins
kill -KILL "$RIGD_PID"
wait "$RIGD_PID" 2>/dev/null
RIGD_PID=
rigd_start -s "$RIG_SOCKET" -g "$G" -a "$A" -m 1000 -i 2 || finish
flood 200 20
check "the second flood was judged to its last connection" contains_s "$report" '"last_judged": true'
check "... some connections refused: rigd is full for members" contains_s "$report" \
    "connections are kept for root and group $A"
timed "$RIGCTL" show boards --json > "$T/root2.json"
rc=$?
echo "# root's show boards --json with every member slot taken: ${ms} ms"
check "root still answers with every member slot taken" [ "$rc" -eq 0 ]
check "... within a second (${ms} ms)" [ "$ms" -lt 1000 ]
check "a member of $A still reads" as "$AD" "$RIGCTL" show boards
wait "$FLOOD"
rc=$?
FLOOD=
cat "$T/flood.err"
check "rigd closes idle connections (rigd -i 2)" [ "$rc" -eq 0 ]
secs=$(sed -n 's/^closed all after \([0-9.]*\) s$/\1/p' "$T/flood.err")
check "... not before 2 s" /usr/bin/python3 -c "import sys; sys.exit(not 1.9 <= float('${secs:-0}') < 10)"
check "the member reads again" as "$M" "$RIGCTL" show boards

# --- the socket where rigd puts it by default, in its state folder (0750): the folder is the
# group's, so members reach the socket; what it holds stays closed to them.
rigd_stop
mkdir -m 755 "$T/home"
mkdir -m 750 "$T/home/state"	# (made here only so rigctl wait can watch it)
"$RIGD" -d -S "$T/home/state" -g "$G" -a "$A" -B vq35 -c scenarios >> "$T/rigd.log" 2>&1 &
RIGD_PID=$!
check "rigd starts with the socket in its state folder" \
    "$RIGCTL" -s "$T/home/state/rigd.sock" wait rigd --pid "$RIGD_PID" --timeout 60
check "the state folder is 750 and group $G" [ "$(stat -c '%a %G' "$T/home/state")" = "750 $G" ]
check "a member reaches the socket in it" as "$M" "$RIGCTL" -s "$T/home/state/rigd.sock" show boards
check "... but cannot read the database" [ "$(as "$M" sh -c "cat '$T/home/state/rig.db' > /dev/null 2>&1; echo \$?")" != 0 ]
finish
