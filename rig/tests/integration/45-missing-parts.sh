# Parts missing on this host: rigd -n refuses a board whose adapter node or PDU program is not
# here, saying what at the key's file:line, and accepts one whose adapter is a real pty; a
# running rigd keeps such a board in FAULT with the reason while vq35 is served, and serves it
# once the adapter appears. A board on a desk (power manual): rigd asks a person in show boards,
# the event log, the job's client and console watchers, takes rigctl power BOARD confirm, and
# FAULTs the board when nobody comes, while vq35 boots beside it.
. rig/tests/integration/lib.sh

mkdir -p "$T/boards" "$T/nboards"
# The adapters are lib.sh's (firmware/vbench/adapter): adapter_plug NAME makes $T/NAME/ttyUSB0,
# a pty linked as /dev/serial/by-id links are, and returns once it is there.

# desk_board FILE NAME CONSOLE-PATH POWER-LINES: a board file; line 5 is console.path.
desk_board() {
	cat > "$1" <<EOF
name: $2
arch: arm64
console:
  kind: tty
  path: $3
  lockdir: $T
$4
boot:
  method: local
  timeout: 3s
ssh:
  host: 127.0.0.1
  port: 1
devices:
  i2c: { node: /dev/i2c-2, bus: platform, driver: i2c-rcar, device: e6510000.i2c }
EOF
}

# --- rigd -n
cp boards/vq35.yaml "$T/nboards/"
desk_board "$T/nboards/gone.yaml" gone "$T/no-adapter" "power:
  backend: command
  on: [rig-no-such-pdu, --port, \"1\", \"on\"]
  off: [true]"
ln -s "$T/unplugged-ttyUSB9" "$T/dangling"
desk_board "$T/nboards/dangling.yaml" dangling "$T/dangling" "power:
  backend: manual"
: > "$T/plain-file"
desk_board "$T/nboards/plainfile.yaml" plainfile "$T/plain-file" "power:
  backend: manual"
adapter_plug adapter-n || not_ok "the test's adapter pty appears"
desk_board "$T/nboards/here.yaml" here "$T/adapter-n/ttyUSB0" "power:
  backend: command
  on: [true]
  off: [/bin/true]"
cat > "$T/nboards/badhost.yaml" <<'EOF'
name: badhost
arch: arm64
console:
  kind: tcp
  host: "console server!"
  port: 7001
power:
  backend: manual
boot:
  method: local
ssh:
  host: 10.0.0.2
EOF
"$RIGD" -n -b "$T/nboards" -c scenarios -S "$T/nstate" > "$T/n.out" 2>&1
rc=$?
cat "$T/n.out"
check "rigd -n with boards missing parts still exits 0 (the others are served)" [ "$rc" -eq 0 ]
check "a missing adapter node is named at console.path's line" contains "$T/n.out" \
    "board gone refused: $T/nboards/gone.yaml:5: console.path $T/no-adapter: no such device"
check "a PDU program not on PATH is named at power.on's line" contains "$T/n.out" \
    "board gone refused: $T/nboards/gone.yaml:9: power.on rig-no-such-pdu: not found on PATH"
check "a dangling by-id link says the adapter is unplugged" contains "$T/n.out" \
    "$T/nboards/dangling.yaml:5: console.path $T/dangling: a link to $T/unplugged-ttyUSB9, which is gone"
check "a plain file is no adapter" contains "$T/n.out" \
    "$T/nboards/plainfile.yaml:5: console.path $T/plain-file: not a character device"
check "a console host that is no host name is named at its line" contains "$T/n.out" \
    "$T/nboards/badhost.yaml:5: console.host console server!: neither an address nor a host name"
check "a board whose adapter is a real pty and whose programs exist is served" contains \
    "$T/n.out" "board here arch arm64 power command boot local console tty classes i2c"
check "vq35 is served beside them" contains "$T/n.out" "board vq35 arch amd64 power qemu"
check "the summary counts the refused boards" contains "$T/n.out" "2 boards served, 4 refused"
"$RIGD" -n -q -b "$T/nboards" -c scenarios -S "$T/nstate" > "$T/nq.out" 2>&1
rc=$?
check "rigd -n -q says what is missing too (exit 0)" [ "$rc" -eq 0 ]
check "rigd -n -q names the missing node at its line" contains "$T/nq.out" \
    "$T/nboards/gone.yaml:5: console.path $T/no-adapter: no such device"
# The shipped R-Car files: no adapter of theirs is plugged into a test host.
"$RIGD" -n -B salvator-xs -S "$T/nstate" > "$T/salvator.out" 2>&1
check "salvator-xs: its adapter is named at its site: line (boards/salvator-xs.yaml:5)" contains "$T/salvator.out" \
    "boards/salvator-xs.yaml:5: console.path /dev/serial/by-id/usb-FTDI_FT232R_USB_UART_salvator-xs-if00-port0: no such device"
adapter_unplug adapter-n

# --- a running rigd: the desk board's adapter is not plugged in at start
cp boards/vq35.yaml "$T/boards/"
desk_board "$T/boards/desk.yaml" desk "$T/desk/ttyUSB0" "power:
  backend: manual
  timeout: 10s
  hint: the switch on the left"
BOARDS=vq35,desk rigd_start -b "$T/boards" || finish
check "the desk board missing its adapter is FAULT" \
    [ "$(q '[b["state"] for b in d if b["name"] == "desk"][0]' show boards)" = FAULT ]
check "its reason names the node at console.path's line" [ "$(q '[b["reason"] for b in d if b["name"] == "desk"][0]' show boards)" = \
    "$T/boards/desk.yaml:5: console.path $T/desk/ttyUSB0: no such device" ]
check "vq35 is served (OFF, not FAULT)" \
    [ "$(q '[b["state"] for b in d if b["name"] == "vq35"][0]' show boards)" = OFF ]
"$RIGCTL" run i2c-unbind --board desk > "$T/run-missing.out" 2>&1
rc=$?
check "a run asked of it looks again and fails (exit 2)" [ "$rc" -eq 2 ]
check "and says what is missing" contains "$T/run-missing.out" "console.path $T/desk/ttyUSB0: no such device"
adapter_plug desk || not_ok "the test's adapter pty appears"
check "plugged in, the desk board is served again without a restart (OFF)" wait_state desk OFF 20
check "its event log says its parts are here" sh -c '"$0" show events --json | grep -q "its parts are on this host now"' "$RIGCTL"

# --- power manual: ask, confirm, nobody, while vq35 boots
"$RIGCTL" power vq35 on > "$T/vq35-on.out" 2>&1 &
vq35_on=$!
"$RIGCTL" power desk confirm > "$T/confirm0.out" 2>&1
rc=$?
check "confirm with nothing asked fails (exit 2)" [ "$rc" -eq 2 ]
check "and says rigd is not waiting" contains "$T/confirm0.out" "rigd is not waiting for a person"
"$RIGCTL" power vq35 confirm > "$T/confirm-vq35.out" 2>&1
check "confirm on a QEMU board says its power asks no person" contains "$T/confirm-vq35.out" \
    "asks no person"
/usr/bin/python3 - "$RIGCTL" "$T" > "$T/manual.out" 2>&1 <<'PY'
import json, os, select, subprocess, sys, time
rigctl, t = sys.argv[1], sys.argv[2]

def say(ok, what):
    print(('ok ' if ok else 'BAD ') + what)

def boards():
    out = subprocess.run([rigctl, 'show', 'boards', '--json'], capture_output=True, text=True)
    return {b['name']: b for b in json.loads(out.stdout)}

pending = {}

def await_line(proc, text, seconds):
    """Reads proc's stderr until a line holds text; the lines read. Unbuffered: select sees
    every byte not yet taken."""
    end, seen = time.monotonic() + seconds, []
    fd = proc.stderr.fileno()
    buf = pending.get(fd, b'')
    while True:
        while b'\n' in buf:
            line, buf = buf.split(b'\n', 1)
            seen.append(line.decode(errors='replace') + '\n')
            if text in seen[-1]:
                pending[fd] = buf
                return True, seen
        left = end - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        data = os.read(fd, 4096)
        if not data:
            break
        buf += data
    pending[fd] = buf
    return False, seen

# A console watcher: the rig's requests come on its standard error, apart from the bytes.
watch = subprocess.Popen([rigctl, 'console', 'desk'], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
got, seen = await_line(watch, 'console attached', 30)
say(got, 'the console watcher is attached before the power-on')
on = subprocess.Popen([rigctl, 'power', 'desk', 'on'], stdout=subprocess.DEVNULL,
                      stderr=subprocess.PIPE)

got, seen = await_line(on, 'waiting for a person: board desk: power on by hand', 30)
say(got, 'the power-on client is told what to do: ' + ''.join(seen).strip())
b = boards()
say(b['desk']['waiting'] == 'power on by hand', 'show boards says waiting: ' + repr(b['desk']['waiting']))
say('the switch on the left' in ''.join(seen), 'the request carries the board file hint')
got, seen = await_line(watch, 'waiting for a person: board desk', 30)
say(got, 'a console watcher sees the request on its standard error: ' + ''.join(seen).strip())
c = subprocess.run([rigctl, 'power', 'desk', 'confirm'], capture_output=True, text=True)
say(c.returncode == 0, 'rigctl power desk confirm is accepted: ' + c.stdout + c.stderr)
got, seen = await_line(on, 'confirmed by hand', 30)
say(got, 'the power-on client hears the confirmation')
# The board cannot boot (no SSH at port 1): rigd tries a second boot and asks again; nobody comes.
got, seen = await_line(on, 'waiting for a person: board desk', 30)
say(got, 'the second attempt asks again')
got, seen = await_line(on, 'rigctl: failed', 60)
on.wait(timeout=30)
say(on.returncode == 2, 'nobody confirming fails the power-on (exit %d)' % on.returncode)
say(got and 'nobody powered the board within 10s' in seen[-1], 'it says nobody powered the board within 10s: ' + ''.join(seen).strip())
b = boards()
say(b['desk']['state'] == 'FAULT' and 'nobody powered the board within 10s' in b['desk']['reason'],
    'the desk board is FAULT with the reason: ' + b['desk']['reason'])
say(b['desk']['waiting'] == '', 'show boards no longer says waiting')
ev = subprocess.run([rigctl, 'show', 'events', '--json'], capture_output=True, text=True).stdout
say('waiting for a person: board desk' in ev, 'the event log has the request')
say('confirmed by hand' in ev, 'the event log has the confirmation')
# Out of service, it is asked again by the next power-on; the boot goes on once confirmed.
again = subprocess.Popen([rigctl, 'power', 'desk', 'on'], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
got, seen = await_line(again, 'waiting for a person: board desk', 30)
say(got, 'a power-on after the FAULT asks again')
c = subprocess.run([rigctl, 'power', 'desk', 'confirm'], capture_output=True, text=True)
got, seen = await_line(again, 'confirmed by hand', 30)
say(c.returncode == 0 and got, 'and takes the confirmation')
# That boot fails too (no SSH); the second attempt's request goes unanswered: FAULT.
got, seen = await_line(again, 'rigctl: failed', 60)
again.wait(timeout=30)
say(got, 'the confirmed boot that fails, then nobody, fails the power-on')
# Nobody comes to the first request: one request, no second attempt, FAULT.
third = subprocess.Popen([rigctl, 'power', 'desk', 'on'], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
got, seen = await_line(third, 'rigctl: failed', 60)
third.wait(timeout=30)
asked = sum('waiting for a person' in l for l in seen)
say(got and asked == 1, 'nobody at the first request: asked once, not twice (%d)' % asked)
say(got and 'nobody powered the board within 10s' in seen[-1], 'and it says so: ' + (seen[-1].strip() if seen else ''))
watch.terminate()
print('done')
PY
cat "$T/manual.out"
check "power manual: every check of the exchange passed (19 ok)" [ "$(grep -c '^ok ' "$T/manual.out")" -eq 19 ]
check "power manual: none failed" [ "$(grep -c '^BAD' "$T/manual.out")" -eq 0 ]
check "power manual: the exchange ran to its end" contains "$T/manual.out" done
wait "$vq35_on"
rc=$?
cat "$T/vq35-on.out"
check "vq35 boots beside the desk board (power on exit 0)" [ "$rc" -eq 0 ]
check "vq35 is READY" [ "$(q '[b["state"] for b in d if b["name"] == "vq35"][0]' show boards)" = READY ]
adapter_unplug desk
check "no ThreadSanitizer report in rigd's log" sh -c '! grep -q "WARNING: ThreadSanitizer" "$0"' "$T/rigd.log"
finish
