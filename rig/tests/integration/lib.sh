# lib: what the integration tests share: a private rigd driven only through rigctl, and checks.
# Each test sources this, calls rigd_start, makes checks, and ends with finish.
# Tests wait for what they expect (rigctl wait), never for a while; they read results as a user
# would (rigctl ... --json), never from rig.db; every condition is one check, counted.

: "${BUILD:=build/san}"
RIGD=$PWD/$BUILD/bin/rigd
RIGCTL=$PWD/$BUILD/bin/rigctl
: "${RIG_CACHE:=$PWD/var/cache}"
export RIG_CACHE
T=$(mktemp -d /tmp/rig-it-XXXXXX)
export RIG_SOCKET=$T/rigd.sock
# Leak checks run in the unit tests; a daemon stopped by a signal keeps its threads' memory.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Each message type rigctl receives is appended here (run.sh shares one file across the tests,
# so 99-events can compare what rigd sent with what proto.h documents).
: "${RIG_EVENT_LOG:=$T/events}"
export RIG_EVENT_LOG
ok_n=0
fail_n=0
RIGD_PID=

ok() { ok_n=$((ok_n + 1)); echo "ok   $*"; }
not_ok() { fail_n=$((fail_n + 1)); echo "FAIL $*"; }

# check NAME COMMAND...: passes when the command succeeds; returns the command's status, so a
# test may skip what cannot follow a failure (each condition still gets its own check).
check() {
	name=$1
	shift
	if "$@"; then
		ok "$name"
		return 0
	fi
	not_ok "$name"
	return 1
}

# contains FILE TEXT: the file holds the text (fixed string).
contains() { grep -qF -- "$2" "$1"; }
# contains_s STRING TEXT: the string holds the text.
contains_s() { case $1 in *"$2"*) return 0 ;; esac; return 1; }

# Scenarios for this test: the shipped ones plus the test-only ones (rig/tests/data/scenarios).
with_test_scenarios() {
	mkdir -p "$T/scen"
	cp scenarios/*.yaml rig/tests/data/scenarios/*.yaml "$T/scen/"
	SCENDIR=$T/scen
}

# on_pty OUT COMMAND...: runs the command on a real pty (160 columns), as a person at a
# terminal would; every byte it wrote goes to OUT; returns its exit status.
on_pty() {
	/usr/bin/python3 -c 'import fcntl, os, struct, subprocess, sys, termios
m, s = os.openpty()
fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))
p = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=s, stderr=s,
    start_new_session=True)
os.close(s)
with open(sys.argv[1], "wb") as out:
    while True:
        try:
            d = os.read(m, 65536)
        except OSError:
            break
        if not d:
            break
        out.write(d)
sys.exit(p.wait())' "$@"
}

# screen FILE: what a terminal shows of FILE (on_pty's bytes): each line as the last
# carriage return and clear-to-end-of-line left it.
screen() {
	/usr/bin/python3 -c 'import sys
t = open(sys.argv[1], "rb").read().decode(errors="replace").replace("\r\n", "\n")
for line in t.split("\n"):
    print(line.split("\r")[-1].replace("\x1b[K", ""))' "$1"
}

# wait_steps RUN N: until run RUN has stored N steps (60 s at most).
wait_steps() { "$RIGCTL" wait run "$1" --steps "$2" --timeout 60 > /dev/null; }

# js EXPR: a Python expression over the JSON on standard input (as d); prints the result, a
# string as it is, anything else as JSON. Example: "$RIGCTL" show run 1 --json | js 'd["verdict"]'
js() {
	/usr/bin/python3 -c 'import json, sys
d = json.load(sys.stdin)
r = eval(sys.argv[1])
print(r if isinstance(r, str) else json.dumps(r))' "$1"
}

# q EXPR RIGCTL-ARGS...: rigctl RIGCTL-ARGS --json, and EXPR over what it printed (see js).
q() {
	expr=$1
	shift
	"$RIGCTL" "$@" --json | js "$expr"
}

# last_run: the id of the newest run (0 when there is none): the next run is this plus one.
last_run() { q 'str(max([r["id"] for r in d] + [0]))' show runs; }

# wait_exit PID SECONDS: until the process (not a child of ours) has exited; 1 if it is still there.
wait_exit() {
	/usr/bin/python3 -c 'import os, select, sys
try:
    fd = os.pidfd_open(int(sys.argv[1]))
except ProcessLookupError:
    sys.exit(0)
sys.exit(0 if select.select([fd], [], [], float(sys.argv[2]))[0] else 1)' "$1" "$2"
}

# free_port: a loopback TCP port nobody listens on now.
free_port() {
	/usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# vbench_board NAME: a vbench of the test's own, $T/boards/NAME.yaml (boards/vbench.yaml with
# its adapter in $T/NAME, its TFTP folder $T/tftp/NAME and a free SSH port), with its adapter
# plugged in. Tests edit the file after for their faults.
vbench_board() {
	# The TFTP server's root exists on a lab host; the board's folder in it rigd makes.
	mkdir -p "$T/boards" "$T/tftp"
	sed -e "s/^name: vbench/name: $1/" -e "s|var/lab/tftp/vbench|$T/tftp/$1|g" \
	    -e "s|var/lab/vbench|$T/$1|g" -e "s/10522/$(free_port)/g" \
	    -e "s|firmware/vbench/pdu|$PWD/firmware/vbench/pdu|g" boards/vbench.yaml \
	    > "$T/boards/$1.yaml"
	adapter_plug "$1"
}

# adapter_plug NAME / adapter_unplug NAME: the USB serial adapter of vbench NAME in and out
# ($T/NAME/ttyUSB0 appears and goes; the board's QEMU joins it again when it is back).
adapter_plug() { firmware/vbench/adapter start "$T/$1"; }
adapter_unplug() { firmware/vbench/adapter stop "$T/$1"; }

# RIG_IT_PG=1: rigd's store is a PostgreSQL database of a private server (rig/tests/pg.sh),
# started at the first rigd_start and removed by cleanup; any suite runs on either engine.
PGDIR=
PGURI=
pg_store() {
	if [ -z "$PGDIR" ]; then
		PGDIR=$(mktemp -d /tmp/rig-pg-XXXXXX)
		PGURI=$(sh rig/tests/pg.sh start "$PGDIR") || PGURI=
	fi
	[ -n "$PGURI" ] && return 0
	not_ok "a private PostgreSQL server starts"
	return 1
}

rigd_start() {
	if [ -n "${RIG_IT_PG:-}" ]; then
		pg_store || return 1
		set -- "$@" --store "$PGURI"
	fi
	"$RIGD" -d -v -S "$T" -B "${BOARDS:-vq35}" -c "${SCENDIR:-scenarios}" "$@" \
	    >> "$T/rigd.log" 2>&1 &
	RIGD_PID=$!
	"$RIGCTL" wait rigd --pid "$RIGD_PID" --timeout 60 && return 0
	# Counted: a test that stops here ("rigd_start || finish") must not end green.
	not_ok "rigd starts"
	cat "$T/rigd.log"
	return 1
}

rigd_stop() {
	[ -n "$RIGD_PID" ] || return 0
	kill "$RIGD_PID" 2>/dev/null
	wait "$RIGD_PID" 2>/dev/null
	RIGD_PID=
}

# wait_state BOARD STATE SECONDS: until rigd says the board is in that state.
# small_state MB: $ST, a tmpfs of MB megabytes for a state directory whose disk a test fills
# (fill: no byte left, dd stops at ENOSPC; unfill: room again). Boot images are large and not
# what a full disk is about: they live beside it, in $T/images. Unmounted at exit.
small_state() {
	ST=$T/st
	mkdir -p "$ST" "$T/images"
	if ! mount -t tmpfs -o "size=${1}m,mode=0750" rigtest "$ST"; then
		not_ok "a $1 MB tmpfs for the state directory"
		finish
	fi
	ln -s "$T/images" "$ST/images"
	trap 'rigd_stop; umount -l "$ST"; cleanup' EXIT
}
fill() { dd if=/dev/zero of="$ST/fill" bs=4k > /dev/null 2>&1; sync; }
unfill() { rm -f "$ST/fill"; }

# test_users: real users and groups made for this test and removed at exit: the rig group $G
# (rigd -g), its admin group $A (rigd -a), a member $M of G, an admin $AD (of A and G) and an
# outsider $O (in neither). rigd's socket goes in $T/run, which each of them can reach. The exit
# trap becomes test_users_drop, then cleanup.
test_users() {
	G=rigt$$ A=rigta$$ M=rigtm$$ AD=rigtad$$ O=rigto$$
	trap 'test_users_drop; cleanup' EXIT
	# One test at a time edits /etc/passwd and /etc/group (run.sh runs tests side by side).
	flock /tmp/rig-test-users.lock sh -c 'groupadd "$1" && groupadd "$2" &&
	    useradd -M -N -g nogroup -G "$1" -s /usr/sbin/nologin "$3" &&
	    useradd -M -N -g nogroup -s /usr/sbin/nologin "$4" &&
	    useradd -M -N -g nogroup -G "$1,$2" -s /usr/sbin/nologin "$5"' sh "$G" "$A" "$M" "$O" "$AD"
	check "the test's users and groups are made" [ $? -eq 0 ] || finish
	chmod 711 "$T"
	mkdir -m 755 "$T/run"
	export RIG_SOCKET=$T/run/rigd.sock
}
test_users_drop() {
	flock /tmp/rig-test-users.lock sh -c 'for u in "$3" "$4" "$5"; do userdel "$u" 2>/dev/null; done
	    for g in "$1" "$2"; do groupdel "$g" 2>/dev/null; done' sh "$G" "$A" "$M" "$O" "$AD"
}
# as USER COMMAND...: the command as that user, with the groups the system gives them.
as() { u=$1; shift; setpriv --reuid="$u" --regid=nogroup --init-groups -- "$@"; }
# wait_log TEXT SECONDS: until rigd's log holds the text (a file has no event to wait for).
wait_log() {
	/usr/bin/python3 -c 'import sys, time
end = time.monotonic() + float(sys.argv[3])
while sys.argv[2] not in open(sys.argv[1], errors="replace").read():
    if time.monotonic() > end:
        sys.exit(1)
    time.sleep(0.05)' "$T/rigd.log" "$1" "$2"
}

# desk_board: $T/boards/desk.yaml, a board on a desk: power by a person (rigctl power desk
# confirm), its console a pty ($T/desk/ttyUSB0: adapter_plug desk), a local boot that fails at
# once (nothing there), SSH nowhere.
desk_board() {
	mkdir -p "$T/boards"
	cat > "$T/boards/desk.yaml" <<EOF
name: desk
arch: arm64
console:
  kind: tty
  path: $T/desk/ttyUSB0
  lockdir: $T
power:
  backend: manual
  timeout: 60s
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

wait_state() { "$RIGCTL" wait board "$1" "$2" --timeout "$3" > /dev/null; }

# dash_pages NAME:PATH...: the dashboard's pages PATH of $DASH (http://HOST:PORT) in one
# headless Chromium: each one's DOM after its scripts in $T/dash-NAME.html, its screenshot kept
# as the suite's artifact ($ARTIFACTS/NAME.png, under the build folder); "loaded PATH in N ms"
# into $T/dash.times. dash_loaded NAME: that page loaded.
ARTIFACTS=$PWD/$BUILD/artifacts/$(basename "$0" .sh)
dash_pages() {
	mkdir -p "$ARTIFACTS"
	dash_n=$#
	for p in "$@"; do
		set -- "$@" "${p#*:}" "$T/dash-${p%%:*}"
	done
	shift "$dash_n"
	/usr/bin/python3 "$PWD/rig/tests/dashcheck.py" page "$DASH" "$@" >> "$T/dash.times"
	while [ $# -gt 1 ]; do
		[ ! -f "$2.png" ] || cp "$2.png" "$ARTIFACTS/${2##*/dash-}.png"
		shift 2
	done
}
dash_loaded() { [ -s "$T/dash-$1.html" ] && [ -s "$ARTIFACTS/$1.png" ]; }
# dash_live_start [console BOARD TEXT]: a browser on the lab page of $DASH waiting for a run to
# end, or on BOARD's page waiting for TEXT to come on its console (dash_live_end says whether
# it came); returns once the page's event stream is open.
dash_live_start() {
	mkdir -p "$ARTIFACTS"
	if [ "${1:-}" = console ]; then
		set -- console "$DASH" "$2" "$T/dash-live" "$3" 600
	else
		set -- live "$DASH" "$T/dash-live" 600
	fi
	rm -f "$T/dash-live.html" "$T/dash-live.png"
	/usr/bin/python3 "$PWD/rig/tests/dashcheck.py" "$@" > "$T/dash-live.out" 2>&1 &
	DASH_LIVE=$!
	/usr/bin/python3 -c 'import sys, time
end = time.monotonic() + 60
while "open" not in open(sys.argv[1]).read().split():
    if time.monotonic() > end:
        sys.exit(1)
    time.sleep(0.05)' "$T/dash-live.out"
}
dash_live_end() {	# [NAME]: its screenshot kept as NAME.png (live.png)
	wait "$DASH_LIVE"
	dash_rc=$?	# not rc: the suites keep their runs' exit status there
	cat "$T/dash-live.out"
	[ ! -f "$T/dash-live.png" ] || cp "$T/dash-live.png" "$ARTIFACTS/${1:-live}.png"
	return $dash_rc
}

cleanup() {
	rigd_stop
	[ -z "$PGDIR" ] || sh rig/tests/pg.sh stop "$PGDIR"
	# QEMU dies with its rigd; anything started from this test's folder goes too.
	pkill -9 -f "$T/" 2>/dev/null
	if [ "$fail_n" -gt 0 ] || [ -n "${KEEP:-}" ]; then
		echo "--- rigd log (kept in $T)"
		[ ! -f "$T/rigd.log" ] || tail -n 60 "$T/rigd.log"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT

finish() {
	echo "$ok_n passed, $fail_n failed"
	[ "$fail_n" -eq 0 ]
	exit $?
}
