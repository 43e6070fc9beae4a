# Board host keys: the first connection to a board pins its SSH host key in the store; a board
# that shows another key (its image re-keyed, as a re-flashed or swapped board would) is in
# FAULT "lab: host key changed" and serves nothing until `rigctl board forget-key`; the next
# connection pins the new key. Also the modes of what a boot makes (console log, images, the
# board's key). One vq35, booted three times. Then, on the board up, rigctl ssh (a shell through
# rigd's key): refused on a board nobody holds and to a member of the rig group (made here) who
# does not hold it; the holder's shell through a real pty (raw terminal, TERM and size on the
# board, resizes, ^C to the board, exit status, the terminal restored, also after SIGTERM), with
# piped input, for an admin; a bad frame ends a shell with a clear error and rigd serves on;
# each session in rigd's log; the lease's end closes the shell.
#@ alone: a changed host key refused within 5 s
. rig/tests/integration/lib.sh

test_users

rigd_start -s "$RIG_SOCKET" -g "$G" -a "$A" || finish
board() { q "[b for b in d if b['name'] == 'vq35'][0]$1" show boards; }
mode() { stat -c %a "$1" 2>/dev/null || echo none; }

check "vq35 powers on" "$RIGCTL" power vq35 on || finish
key1=$(board '["host_key"]')
echo "pinned: $key1"
check "its host key is pinned (SHA256)" contains_s "$key1" "SHA256:"
check "the board's own key, kept by rigd, is 0600 (it is $(mode "$T/hostkeys/vq35"))" \
    [ "$(mode "$T/hostkeys/vq35")" = 600 ]
log=$(board '["console_log"]')
check "the console log is 0640 (it is $(mode "$log"))" [ "$(mode "$log")" = 640 ]
check "the image with the key in it is 0640 (it is $(mode "$T/images/vq35/initrd.gz"))" \
    [ "$(mode "$T/images/vq35/initrd.gz")" = 640 ]
check "nothing rigd made is open to others" \
    [ -z "$(find "$T/hostkeys" "$T/images" "$T/console" "$T/rig.db" -perm /o=rwx 2>/dev/null)" ]

# The same image again: the same key, nothing to pin.
check "a power cycle boots the same image" "$RIGCTL" power vq35 cycle
check "... showing the pinned key" [ "$(board '["host_key"]')" = "$key1" ]

# The board re-keyed: its image gets a new host key; it boots and shows it.
rm "$T/hostkeys/vq35" "$T/hostkeys/vq35.pub"
"$RIGCTL" power vq35 cycle > "$T/cycle.out" 2>&1
rc=$?
cat "$T/cycle.out"
check "a board showing another key does not come up (exit 2)" [ "$rc" -eq 2 ]
check "... it is in FAULT" [ "$(board '["state"]')" = FAULT ]
check "... with the error kind 'lab: host key changed'" [ "$(board '["fault"]')" = "lab: host key changed" ]
check "... and the reason names both keys" contains_s "$(board '["reason"]')" "the rig pinned $key1"
check "... and says how to go on" contains_s "$(board '["reason"]')" "rigctl board forget-key vq35"
"$RIGCTL" run uart-unbind --board vq35 > "$T/run.out" 2>&1
rc=$?
cat "$T/run.out"
check "a run is refused meanwhile (exit 2)" [ "$rc" -eq 2 ]
check "... saying why" contains "$T/run.out" "host key changed"
check "a power on does not get past it either" sh -c "! '$RIGCTL' power vq35 on"
check "... still FAULT" [ "$(board '["state"]')" = FAULT ]

"$RIGCTL" board forget-key vq35 > "$T/forget.out" 2>&1
rc=$?
cat "$T/forget.out"
check "forget-key succeeds" [ "$rc" -eq 0 ]
check "... and says so" contains "$T/forget.out" "vq35: host key forgotten"
check "the board is OFF again, out of FAULT" [ "$(board '["state"]')" = OFF ]
check "... with no fault kind" [ "$(board '["fault"]')" = "" ]
check "the board powers on" "$RIGCTL" power vq35 on
key2=$(board '["host_key"]')
echo "pinned: $key2"
check "the new key is pinned" contains_s "$key2" "SHA256:"
check "... and it is not the old one" [ "$key2" != "$key1" ]
check "a run goes on again" "$RIGCTL" run uart-unbind --board vq35

check "forget-key: no such board (exit 2)" sh -c "! '$RIGCTL' board forget-key nosuch"
check "forget-key: a board is required (exit 2)" sh -c "! '$RIGCTL' board forget-key"
check "rigctl board --help names forget-key" sh -c "'$RIGCTL' board --help | grep -q forget-key"

# --- rigctl ssh: a shell on the board for the holder of its reservation
check "rigctl --help names ssh" sh -c "'$RIGCTL' --help | grep -q 'ssh BOARD'"
release=$(board '["release"]')
"$RIGCTL" ssh vq35 < /dev/null > "$T/ssh-none.out" 2>&1
rc=$?
cat "$T/ssh-none.out"
check "no shell on a board nobody holds (exit 255)" [ "$rc" -eq 255 ]
check "... told to reserve it first" contains "$T/ssh-none.out" \
    "denied: vq35 is not reserved: reserve it first (rigctl reserve vq35 --for DURATION)"
rid=$("$RIGCTL" reserve vq35 --for 30m 2>/dev/null)
check "root reserves vq35 ($rid)" [ "$rid" -gt 0 ] 2>/dev/null
as "$M" "$RIGCTL" ssh vq35 < /dev/null > "$T/ssh-member.out" 2>&1
rc=$?
cat "$T/ssh-member.out"
check "a member who does not hold it gets no shell (exit 255)" [ "$rc" -eq 255 ]
check "... told who holds it" contains "$T/ssh-member.out" "board vq35 is reserved by root"
check "... and what only the holder may do" contains "$T/ssh-member.out" \
    "only its holder or an admin may open a shell on it"
echo 'uname -r; echo "on the board as $(id -u)" >&2; exit 3' | "$RIGCTL" ssh vq35 \
    > "$T/ssh-pipe.out" 2> "$T/ssh-pipe.err"
rc=$?
cat "$T/ssh-pipe.out" "$T/ssh-pipe.err"
check "piped input: the shell's exit status is rigctl's (3)" [ "$rc" -eq 3 ]
check "... its output on stdout (the board's release, $release)" \
    [ "$(cat "$T/ssh-pipe.out")" = "$release" ]
check "... its stderr on stderr" contains "$T/ssh-pipe.err" "on the board as 0"
echo 'exit 0' | as "$AD" "$RIGCTL" ssh vq35 > "$T/ssh-admin.out" 2>&1
rc=$?
cat "$T/ssh-admin.out"
check "an admin gets a shell on the board root holds (exit 0)" [ "$rc" -eq 0 ]

# Through a real pty, as a person types: the driver prints what it saw as JSON.
cat > "$T/ptyssh.py" <<'EOF'
import fcntl, json, os, re, select, signal, struct, sys, termios, time
rigctl, how = sys.argv[1], sys.argv[2]
m, s = os.openpty()
fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 80, 0, 0))
before = termios.tcgetattr(s)
pid = os.fork()
if pid == 0:
    os.setsid()
    fcntl.ioctl(s, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(s, fd)
    os.environ['TERM'] = 'xterm-256color'
    os.execv(rigctl, [rigctl, 'ssh', 'vq35'])
os.close(s)
seen, pos, r, gone = b'', 0, {}, False
def expect(pat, timeout=60):
    """Until the output after the last match holds pat: its first group, or None."""
    global seen, pos, gone
    end = time.monotonic() + timeout
    while True:
        mt = re.compile(pat).search(seen, pos)
        if mt:
            pos = mt.end()
            return mt.group(1).decode(errors='replace')
        left = end - time.monotonic()
        if left <= 0 or not select.select([m], [], [], left)[0]:
            return None
        try:
            d = os.read(m, 65536)
        except OSError:
            d = b''
        if not d:
            gone = True
            return None
        seen += d
def send(t):
    # Nothing once rigctl is gone: nobody would read it.
    if not gone:
        os.write(m, t.encode())
def restored():
    return termios.tcgetattr(m)[:4] == before[:4]
send('echo MARK-$((6*7))\r')
r['typed'] = expect(rb'(MARK-42)\r')
r['raw'] = not termios.tcgetattr(m)[3] & termios.ICANON
if how == 'tilde':
    send('~.')
    r['said'] = expect(rb'(connection closed \(~\.\))', 30)
    _, st = os.waitpid(pid, 0)
    r['exit'] = os.WEXITSTATUS(st) if os.WIFEXITED(st) else -1
    r['restored'] = restored()
    print(json.dumps(r))
    sys.exit(0)
if how == 'term':
    os.kill(pid, signal.SIGTERM)
    _, st = os.waitpid(pid, 0)
    r['signal'] = os.WTERMSIG(st) if os.WIFSIGNALED(st) else None
    r['restored'] = restored()
    print(json.dumps(r))
    sys.exit(0)
send('echo TERM=$TERM\r')
r['term'] = expect(rb'TERM=([\w-]+)\r')
send('echo S1=$(stty size)\r')
r['size'] = expect(rb'S1=(\d+ \d+)\r')
# The kernel tells rigctl (SIGWINCH); the board's next stty size says whether it got there.
fcntl.ioctl(m, termios.TIOCSWINSZ, struct.pack('HHHH', 50, 132, 0, 0))
end, r['resized'] = time.monotonic() + 30, None
while r['resized'] != '50 132' and time.monotonic() < end and not gone:
    send('echo S2=$(stty size)\r')
    r['resized'] = expect(rb'S2=(\d+ \d+)\r', 30)
# ^C goes to the board (the terminal is raw): it ends the sleep there, not rigctl here.
# (SLEEP is said by the foreground job itself: a ^C before its fork reached the board's shell.)
send("sh -c 'echo SLEEP; exec sleep 40'\r")
expect(rb'\n(SLEEP)\r')
t0 = time.monotonic()
send('\x03')
# (The board's line discipline drops what was typed with the ^C: the next line after its echo.)
expect(rb'(\^C)', 30)
send('echo INT=$((1+1))\r')
r['interrupted'] = expect(rb'INT=(\d)\r', 30)
r['interrupt_s'] = round(time.monotonic() - t0, 1)
r['alive'] = os.waitpid(pid, os.WNOHANG) == (0, 0)
send('exit 7\r')
expect(rb'(never)', 30)
_, st = os.waitpid(pid, 0)
r['exit'] = os.WEXITSTATUS(st) if os.WIFEXITED(st) else -1
r['restored'] = restored()
print(json.dumps(r))
EOF
timeout 180 /usr/bin/python3 "$T/ptyssh.py" "$RIGCTL" exit > "$T/pty.json"
cat "$T/pty.json"
pty() { js "str(d.get('$1'))" < "$T/$2"; }
check "pty: a typed command runs on the board and its output shows" [ "$(pty typed pty.json)" = MARK-42 ]
check "... the local terminal is raw meanwhile" [ "$(pty raw pty.json)" = True ]
check "... the board's TERM is the caller's" [ "$(pty term pty.json)" = xterm-256color ]
check "... the board's terminal has the caller's size (stty size: 24 80)" \
    [ "$(pty size pty.json)" = "24 80" ]
check "... a resize reaches the board (stty size: 50 132)" [ "$(pty resized pty.json)" = "50 132" ]
check "... ^C interrupts the board's 40 s sleep (in $(pty interrupt_s pty.json) s)" \
    [ "$(pty interrupted pty.json)" = 2 ]
check "... not rigctl" [ "$(pty alive pty.json)" = True ]
check "... exit 7 on the board: rigctl exits 7" [ "$(pty exit pty.json)" = 7 ]
check "... and the terminal is as it was" [ "$(pty restored pty.json)" = True ]
timeout 60 /usr/bin/python3 "$T/ptyssh.py" "$RIGCTL" term > "$T/pty-term.json"
cat "$T/pty-term.json"
check "pty: rigctl ssh killed by SIGTERM dies of it" [ "$(pty signal pty-term.json)" = 15 ]
check "... with the terminal restored first" [ "$(pty restored pty-term.json)" = True ]
timeout 60 /usr/bin/python3 "$T/ptyssh.py" "$RIGCTL" tilde > "$T/pty-tilde.json"
cat "$T/pty-tilde.json"
check "pty: ~. at a line's start ends the session from here (exit 255)" \
    [ "$(pty exit pty-tilde.json)" = 255 ]
check "... saying so" [ "$(pty said pty-tilde.json)" = "connection closed (~.)" ]
check "... with the terminal restored" [ "$(pty restored pty-tilde.json)" = True ]

# A client that sends what is no shell input mid-session: told so, and rigd serves on.
cat > "$T/badframe.py" <<'EOF'
import json, socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
frame = lambda t, p: struct.pack('>I', len(p) + 1) + t + p
req = json.dumps({'v': 1, 'cmd': 'ssh', 'board': 'vq35', 'pty': False}).encode()
s.sendall(frame(b'J', req) + frame(b'I', b'echo FIRST\n'))
data, out, sent = b'', b'', False
while True:
    d = s.recv(65536)
    if not d:
        break
    data += d
    while len(data) >= 4 and len(data) >= 4 + struct.unpack('>I', data[:4])[0]:
        n = struct.unpack('>I', data[:4])[0]
        if data[4:5] == b'O':
            out += data[5:4 + n]
        if data[4:5] == b'J':
            res = json.loads(data[5:4 + n])
            res['echoed'] = b'FIRST' in out
            print(json.dumps(res))
            sys.exit(0)
        data = data[4 + n:]
    # The shell answered: now a window size frame one byte short.
    if b'FIRST' in out and not sent:
        s.sendall(frame(b'W', b'\x00\x50\x00'))
        sent = True
print('{"no": "result"}')
EOF
timeout 60 /usr/bin/python3 "$T/badframe.py" "$RIG_SOCKET" > "$T/badframe.out" 2>&1
cat "$T/badframe.out"
check "a shell answers a client's own frames (echo FIRST)" \
    [ "$(js 'str(d.get("echoed"))' < "$T/badframe.out")" = True ]
check "... a bad frame then ends the shell as invalid" \
    [ "$(js 'd.get("status")' < "$T/badframe.out")" = invalid ]
check "... saying what is wrong with it" contains "$T/badframe.out" \
    "shell: a window size frame ('W') is 4 bytes (columns, rows), not 3"
check "... and rigd serves on" "$RIGCTL" ping

# rigd's log: who, which board, when, how it ended.
check "rigd logs the pty session's start: who, board, terminal" \
    wait_log "root (uid 0): ssh vq35: shell opened (reservation $rid, xterm-256color 80x24)" 10
check "... and its end: exit status, when it began" \
    wait_log "root (uid 0): ssh vq35: shell closed: exit 7 (opened 20" 10
check "... the admin's under the admin's name" \
    wait_log "$AD (uid $(id -u "$AD")): ssh vq35: shell closed: exit 0" 10
grep -F ': ssh vq35: ' "$T/rigd.log"
check "the member's refused shell was never opened" \
    sh -c "! grep -qF '$M (uid $(id -u "$M")): ssh vq35: shell opened' '$T/rigd.log'"

# The lease ends while a shell is open: the shell is closed, saying so.
mkfifo "$T/lease.fifo" "$T/lease-out.fifo"
"$RIGCTL" ssh vq35 < "$T/lease.fifo" > "$T/lease-out.fifo" 2> "$T/ssh-lease.err" &
sshpid=$!
# Its input stays open (this shell holds the fifo) until the lease has ended.
exec 7> "$T/lease.fifo"
echo 'echo LEASE-OPEN' >&7
# Its output is read as it comes: the test goes on once the board said LEASE-OPEN (or rigctl
# ended), and the rest is kept in ssh-lease.out.
exec 8< "$T/lease-out.fifo"
while IFS= read -r line <&8; do
	printf '%s\n' "$line" >> "$T/ssh-lease.out"
	case $line in *LEASE-OPEN*) break ;; esac
done
cat <&8 >> "$T/ssh-lease.out" &
catpid=$!
exec 8<&-
t0=$(date +%s%N)
"$RIGCTL" release "$rid" > /dev/null
# (Bounded: a shell the lease's end does not close would keep this test waiting.)
wait_exit "$sshpid" 30 || kill "$sshpid"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
wait "$sshpid"
rc=$?
exec 7>&-
wait "$catpid"
cat "$T/ssh-lease.out" "$T/ssh-lease.err"
echo "# the shell closed ${ms} ms after the release"
check "the lease's end closes the open shell (exit 255)" [ "$rc" -eq 255 ]
check "... saying reservation $rid ended" contains "$T/ssh-lease.err" "reservation $rid of vq35 ended"
check "... within 5 s (${ms} ms)" [ "$ms" -lt 5000 ]

finish
