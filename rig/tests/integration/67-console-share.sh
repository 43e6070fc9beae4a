# Shared consoles: rigd offers each board's live console on a loopback TCP port as RFC 2217 and
# telnet. pyserial (Debian's, the client labgrid and miniterm use) gets the same bytes rigd logs,
# byte for byte, two at once, and labgrid's SerialDriver reads the board's prompt through it;
# a client joining mid-stream gets a tail of the log (no history);
# a client that never reads is dropped while megabytes flow and neither the log nor the fast
# reader beside it loses a byte; over the limit a client is told and closed; who is not rigd's
# user or root only watches, and nobody types at a board the rig is booting. A fixed port is
# the one shared; a board whose port is taken is served unshared, saying why.
# The boards are consoles on real ptys (the vbench adapter), power by command, boot local:
# "shared" stays BOOTING (the console captured while it waits for SSH), "typed" ends in FAULT
# with its console open.
. rig/tests/integration/lib.sh

# Each client is bounded: one that hangs fails its checks, never the whole suite.
CLIENT="timeout 180 /usr/bin/python3 $PWD/rig/tests/console_share_client.py"
mkdir -p "$T/boards"
mkfifo "$T/power.fifo"

# share_board NAME TIMEOUT POWER-ON [SHARE]: a board on adapter $T/NAME (plugged in unless
# SHARE is given: a board only there to want a port).
share_board() {
	cat > "$T/boards/$1.yaml" <<EOF
name: $1
arch: arm64
console:
  kind: tty
  path: $T/$1/ttyUSB0
  lockdir: $T
  share: ${4:-0}
power:
  backend: command
  on: $3
  off: [true]
boot:
  method: local
  timeout: $2
ssh:
  host: 127.0.0.1
  port: 1
EOF
	[ -n "${4:-}" ] || adapter_plug "$1"
}
share_board shared 600s "[/bin/sh, -c, \"echo on > $T/power.fifo\"]" || finish
share_board typed 2s "[true]" || finish
# A fixed port, and a board that wants the same one: it is served unshared (boards start in
# name order: typed has it first).
fixed=$(free_port)
sed -i "s/^  share: 0$/  share: $fixed/" "$T/boards/typed.yaml"
share_board zeta 2s "[true]" "$fixed"
# One of the shipped files with the key off: it parses and rigd shares nothing for it.
sed 's/^  kind: qemu .*/&\n  share: off/' boards/vq35.yaml > "$T/boards/vq35.yaml"
# The rig group is nogroup: nobody (below) is then a member, who watches but may not type.
BOARDS=shared,typed,vq35,zeta rigd_start -b "$T/boards" -g nogroup || finish

# b NAME EXPR: EXPR over board NAME's item of show boards --json (as b).
b() { q "[$2 for b in d if b[\"name\"] == \"$1\"][0]" show boards; }
# ready NAME: a fifo the client says "open" into, made before the client starts (a command
# put in the background expands its words in the background); wait_open NAME reads it.
ready() { rm -f "$T/$1.ready"; mkfifo "$T/$1.ready"; }
# A client that fails before it connects says so instead; 60 s bound a client that hangs.
wait_open() {
	said=$(timeout 60 head -n 1 "$T/$1.ready")
	[ "$said" = open ] || { echo "$1: ${said:-no word in 60 s}"; return 1; }
}
# slice FILE FROM LEN OUT: bytes FROM.. of FILE.
slice() { tail -c +$(($2 + 1)) "$1" | head -c "$3" > "$4"; }

url=$(b shared 'b["console_url"]')
port=${url##*:}
echo "shared: $url"
check "show boards gives the console's RFC 2217 URL on loopback" \
    contains_s "$url" "rfc2217://127.0.0.1:"
check "and its telnet URL, the same port" \
    [ "$(b shared 'b["console_telnet_url"]')" = "telnet://127.0.0.1:$port" ]
check "console.share off: no URL, said off" \
    [ "$(b vq35 'b["console_url"] + "/" + b["console_share"]')" = /off ]
check "a fixed console.share port is the one shared" \
    [ "$(b typed 'b["console_url"]')" = "rfc2217://127.0.0.1:$fixed" ]
said=$(b zeta 'b["console_url"] + "/" + b["console_share"]')
echo "zeta: $said"
check "a port another board has: not shared, saying why" \
    [ "$said" = "/127.0.0.1 port $fixed: Address already in use" ]
"$RIGCTL" show boards > "$T/show.txt"
check "plain show boards shows the URL too" contains "$T/show.txt" "$url"

# The board powers on; its console is captured from then on (boot.method local waits for SSH).
"$RIGCTL" power shared on > /dev/null 2>&1 &
said=$(timeout 60 head -n 1 "$T/power.fifo")
check "shared: powered on, its console open ($said)" [ "$said" = on ]
"$RIGCTL" power typed on > /dev/null 2>&1
check "typed: its boot gives up (FAULT), its console stays open" wait_state typed FAULT 60

# 1. Two pyserial clients at once get every byte, as rigd logs it.
/usr/bin/python3 -c 'import os, sys
data = bytes(range(256)) * 64 + b"\xff\xff\xfa\x2c\x01\xff\xf0\r\n\x00" + os.urandom(200000)
open(sys.argv[1], "wb").write(data)' "$T/p1"
n1=$(stat -c %s "$T/p1")
ready c1
$CLIENT read "$url" 115200 "$n1" "$T/c1.out" "$T/c1.ready" > "$T/c1.log" 2>&1 &
c1=$!
ready c2
$CLIENT read "$url" 115200 "$n1" "$T/c2.out" "$T/c2.ready" > "$T/c2.log" 2>&1 &
c2=$!
check "pyserial client 1 opens rfc2217://" wait_open c1
check "pyserial client 2 opens it too" wait_open c2
check "show boards counts 2 clients" [ "$(b shared 'b["console_clients"]')" -eq 2 ]
from=$(b shared 'b["console_bytes"]')
$CLIENT feed "$T/shared/adapter.sock" "$T/p1"
wait "$c1"
check "client 1 read all $n1 bytes" [ $? -eq 0 ]
wait "$c2"
check "client 2 read all $n1 bytes" [ $? -eq 0 ]
log=$(b shared 'b["console_log"]')
slice "$log" "$from" "$n1" "$T/log1"
check "rigd's log holds what was fed, byte for byte" cmp "$T/p1" "$T/log1"
check "client 1 got the log's bytes exactly" cmp "$T/log1" "$T/c1.out"
check "client 2 got the log's bytes exactly" cmp "$T/log1" "$T/c2.out"

# 1b. labgrid's console: a NetworkSerialPort on the shared port, its SerialDriver (pyserial
# underneath) sees what the board prints.
cat > "$T/env.yaml" <<EOF
targets:
  main:
    resources:
      NetworkSerialPort: { host: 127.0.0.1, port: $port, speed: 115200 }
    drivers:
      SerialDriver: {}
EOF
ready lg
$CLIENT labgrid "$T/env.yaml" "login: " "$T/lg.ready" > "$T/lg.out" 2>&1 &
lg=$!
check "labgrid's SerialDriver activates on the shared port" wait_open lg
printf 'Debian GNU/Linux 12 rcar ttySC0\r\n\r\nrcar login: ' > "$T/login"
$CLIENT feed "$T/shared/adapter.sock" "$T/login"
wait "$lg"
check "labgrid's expect finds the board's login prompt" [ $? -eq 0 ]
check "after the board's banner" contains "$T/lg.out" "Debian GNU/Linux 12 rcar ttySC0"

# 2. pyserial at a rate the line is not at: rigd owns the line and answers its real rate.
said=$($CLIENT badbaud "$url" 9600 2>&1)
echo "pyserial at 9600: $said"
check "a client asking 9600 of a 115200 line is told the line's rate (pyserial refuses)" \
    contains_s "$said" "rejected value for option 'baudrate'"

# 3. Joining mid-stream: the new client gets a tail of the log, none of what came before.
/usr/bin/python3 -c 'import os, sys
open(sys.argv[1], "wb").write(os.urandom(512 << 10))
open(sys.argv[2], "wb").write(os.urandom(300000) + b"--end-of-feed--")' "$T/p2a" "$T/p2b"
# At about the line rate of 1.8432 Mbaud: the client joins while it flows.
$CLIENT feed "$T/shared/adapter.sock" "$T/p2a" 200000 &
feeder=$!
ready c3
$CLIENT until "$url" 115200 "$(printf %s --end-of-feed-- | od -An -tx1 | tr -d ' \n')" \
    "$T/c3.out" "$T/c3.ready" > "$T/c3.log" 2>&1 &
c3=$!
check "a client joins while the console streams" wait_open c3
wait "$feeder"
$CLIENT feed "$T/shared/adapter.sock" "$T/p2b"
wait "$c3"
check "the joiner read up to the end of the feed" [ $? -eq 0 ]
log_size=$(stat -c %s "$log")
got=$(stat -c %s "$T/c3.out")
slice "$log" $((log_size - got)) "$got" "$T/log3"
check "the joiner's bytes are the log's last $got, exactly" cmp "$T/log3" "$T/c3.out"
check "the joiner got all of what was fed after it joined, and some of the stream it joined" \
    [ "$got" -gt "$(stat -c %s "$T/p2b")" ]
n2=$(( $(stat -c %s "$T/p2a") + $(stat -c %s "$T/p2b") ))
check "and no history from before the stream it joined ($got <= $n2)" [ "$got" -le "$n2" ]

# 4. A client that never reads while megabytes flow: dropped; the log, triage and a reader
# beside it lose nothing.
# Random bytes, then a kernel oops and a few lines after it: triage must see it all the same.
/usr/bin/python3 -c 'import os, sys
oops = open(sys.argv[2], "rb").read()
after = b"".join(b"[   18.%06d] after the oops\r\n" % i for i in range(64))
open(sys.argv[1], "wb").write(os.urandom(6 << 20) + b"\r\n" + oops + after)' "$T/p4" \
    rig/tests/data/triage/vsabre-mtd-oops.log
n4=$(stat -c %s "$T/p4")
mkfifo "$T/stuck.go"
ready stuck
$CLIENT stuck 127.0.0.1 "$port" "$T/stuck.ready" "$T/stuck.go" "$T/stuck.out" &
stuck=$!
check "a client that will not read connects" wait_open stuck
ready fast
$CLIENT telnet 127.0.0.1 "$port" "$n4" "$T/fast.out" "$T/fast.ready" &
fast=$!
check "a plain telnet reader connects beside it" wait_open fast
from=$(b shared 'b["console_bytes"]')
t0=$(date +%s%N)
# Ten times the line rate of 1.8432 Mbaud, the fastest R-Car console: the reader beside keeps up.
$CLIENT feed "$T/shared/adapter.sock" "$T/p4" 1843200
wait "$fast"
check "the telnet reader got all $n4 bytes" [ $? -eq 0 ]
t1=$(date +%s%N)
echo "6 MiB and an oops through the console with a stuck client: $(( (t1 - t0) / 1000000 )) ms"
log=$(b shared 'b["console_log"]')	# asked again: rigd writes what it read before it answers
slice "$log" "$from" "$n4" "$T/log4"
check "rigd's log holds the 6 MiB and the oops byte for byte" cmp "$T/p4" "$T/log4"
check "the telnet reader got the log's bytes exactly" cmp "$T/log4" "$T/fast.out"
check "show boards counts the stuck client dropped" \
    [ "$(b shared 'b["console_clients_dropped"]')" -eq 1 ]
echo go > "$T/stuck.go"
wait "$stuck"
got=$(cat "$T/stuck.out")
echo "the stuck client had $got bytes waiting when closed"
check "the stuck client was closed with a bounded part of the stream" \
    [ "$got" -gt 0 -a "$got" -lt $((2 << 20)) ]
check "rigd logged the drop" contains "$T/rigd.log" "fell 1 MiB behind the console: dropped"
# Triage reports as it reads, before the bytes go to any client: the reader has them, so has it.
check "triage saw the oops at the end of the flood" contains "$T/rigd.log" \
    "shared: console: BUG: unable to handle kernel paging request in mtd_proc_show"

# 5. Over the limit: told and closed; the clients already there go on.
/usr/bin/python3 - "$port" > "$T/limit.out" 2>&1 <<'EOF'
import socket, sys
port = int(sys.argv[1])
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(8)]
for s in held:
    s.recv(64)          # the offers: each of the 8 is served
extra = socket.create_connection(("127.0.0.1", port))
extra.settimeout(10)
said = b""
while True:
    buf = extra.recv(256)
    if not buf:
        break
    said += buf
print(said.decode(errors="replace").strip())
EOF
cat "$T/limit.out"
check "a ninth client is told the limit" contains "$T/limit.out" \
    "rig: console of shared has 8 clients already"
check "show boards counts it refused" [ "$(b shared 'b["console_clients_refused"]')" -eq 1 ]

# 6. Typing. Nobody types at a board the rig is booting, not even root.
ready t1
$CLIENT type "$url" 115200 "root-at-boot" "$T/t1.notice" "$T/t1.ready" > "$T/t1.log" 2>&1 &
t1=$!
wait_open t1
wait "$t1"
check "root typing during a boot is told it is dropped" contains "$T/t1.notice" \
    "[rig: the console of shared is in use by the rig: what you type is dropped]"
check "and it is counted" [ "$(b shared 'b["console_input_dropped"]')" -eq 12 ]
# A FAULT board's console takes root's typing; another user only watches.
turl=$(b typed 'b["console_url"]')
ready board
$CLIENT expect "$T/typed/adapter.sock" "second-from-root" "$T/board.ready" "$T/board.out" &
board=$!
wait_open board
ready t2
$CLIENT type "$turl" 115200 "first-from-root" - "$T/t2.ready" > "$T/t2.log" 2>&1 &
t2=$!
wait_open t2
wait "$t2"
# The client's program on standard input: nobody may not read the test's folder.
setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/python3 - type "$turl" 115200 \
    "from-nobody" stdout /dev/null < rig/tests/console_share_client.py > "$T/t3.notice" 2>&1
cat "$T/t3.notice"
check "another user's typing is dropped, said once" contains "$T/t3.notice" \
    "[rig: the console of typed is read-only for you: what you type is dropped]"
check "and counted" [ "$(b typed 'b["console_input_dropped"]')" -eq 11 ]
ready t4
$CLIENT type "$turl" 115200 "second-from-root" - "$T/t4.ready" > /dev/null 2>&1 &
t4=$!
wait_open t4
wait "$board"
check "the board's line got root's typing" [ $? -eq 0 ]
wait "$t4"
check "exactly root's typing, none of the other user's" \
    [ "$(cat "$T/board.out")" = "first-from-rootsecond-from-root" ]

check "rigd still serves" "$RIGCTL" ping
finish
