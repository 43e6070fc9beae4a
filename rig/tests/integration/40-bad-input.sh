# Bad input: malformed board and scenario files stop rigd with file:line errors; malformed,
# truncated and oversized control messages are refused and rigd keeps serving; bad rigctl
# arguments get a usage error. No board is powered here.
. rig/tests/integration/lib.sh

mkdir -p "$T/boards" "$T/scen"
cp boards/vq35.yaml "$T/boards/"
cp scenarios/*.yaml "$T/scen/"
cat > "$T/boards/broken.yaml" <<'YAML'
name: broken
arch: amd64
console:
  kind: qemu
  baud: fast
power:
  backend: qemu
YAML
cat > "$T/scen/bad-steps.yaml" <<'YAML'
name: bad-steps
steps:
  - hold: i2c
  - unbind: i2c
    timeout: soon
  - frobnicate: i2c
YAML
"$RIGD" -n -b "$T/boards" -c "$T/scen" > "$T/n.out" 2>&1
rc=$?
cat "$T/n.out"
check "rigd -n fails on the bad files" [ "$rc" -eq 1 ]
check "board error names file and line" contains "$T/n.out" "$T/boards/broken.yaml:5:"
check "scenario errors name file and line (timeout)" contains "$T/n.out" "$T/scen/bad-steps.yaml:5:"
check "scenario errors name file and line (action)" contains "$T/n.out" "$T/scen/bad-steps.yaml:6:"

# A lab board file with its host values in site:: an alias misspelt leaves a site value unused
# (an error, at the site line), a bad value through an alias is named at the site line with the
# line of its use, and aliases cannot expand without bound.
mkdir -p "$T/site"
sed -e 's|^  board-ip: &board-ip .*|  board-ip: \&board-ip 192.168.10.300|' \
    -e 's|^  host: \*board-ip|  host: *board_ip|' boards/salvator-xs.yaml > "$T/site/salvator-xs.yaml"
# Each line ten aliases of the one before: 10^6 values by the last.
prev=a
{ echo 'name: bomb'; echo 'a: &a [x, x, x, x, x, x, x, x, x, x]'
  for l in b c d e f g; do
	echo "$l: &$l [*$prev, *$prev, *$prev, *$prev, *$prev, *$prev, *$prev, *$prev, *$prev, *$prev]"
	prev=$l
  done; } > "$T/site/bomb.yaml"
"$RIGD" -n -b "$T/site" -c scenarios > "$T/site.out" 2>&1
rc=$?
cat "$T/site.out"
check "rigd -n fails on the site mistakes (exit 1)" [ "$rc" -eq 1 ]
check "a bad value through an alias: at the site line, with the line it is used at" \
    contains "$T/site.out" "$T/site/salvator-xs.yaml:12: boot.board-ip: \"192.168.10.300\" is not an IPv4 address (a.b.c.d) (through *board-ip at line 33)"
check "a misspelt alias has no anchor before it" contains "$T/site.out" \
    "$T/site/salvator-xs.yaml:38: alias *board_ip: no anchor &board_ip before it"
check "expanding aliases stop at the limit" contains "$T/site.out" \
    "$T/site/bomb.yaml:6: more than 20000 values (aliases expanding too far?)"
sed -e 's|^  host: \*board-ip|  host: 192.168.10.21|' -e 's|^  board-ip: \*board-ip|  board-ip: 192.168.10.21|' \
    boards/salvator-xs.yaml > "$T/site/salvator-xs.yaml"
rm "$T/site/bomb.yaml"
"$RIGD" -n -b "$T/site" -c scenarios > "$T/site2.out" 2>&1
cat "$T/site2.out"
check "a site value no alias uses is an error at its line" contains "$T/site2.out" \
    "$T/site/salvator-xs.yaml:12: site.board-ip: never used: no *board-ip below takes it (a misspelt alias?)"
"$RIGD" -d -S "$T/state" -b "$T/boards" -c "$T/scen" > "$T/d.out" 2>&1
rc=$?
check "rigd does not start on them (exit 1)" [ "$rc" -eq 1 ]
check "rigd made no socket" [ ! -e "$T/state/rigd.sock" ]
# -B with a long list (a lab with hundreds of boards): every name counts, none is cut off.
long=$(for i in $(seq 300); do printf 'vq35,'; done)
"$RIGD" -n -b boards -c scenarios -B "${long}nosuch" > "$T/longB.out" 2>&1
rc=$?
check "-B: a wrong name after 1500 characters of names is still refused (exit 1)" [ "$rc" -eq 1 ]
check "-B: ... and named" contains "$T/longB.out" "rigd: -B nosuch: no such board in boards"
"$RIGD" -n -b boards -c scenarios -B "${long}vsabre" > "$T/longB2.out" 2>&1
check "-B: a board named after 1500 characters of names is served" \
    grep -q "^board vsabre " "$T/longB2.out"
"$RIGD" -n > "$T/ok.out" 2>&1
rc=$?
check "the shipped files check clean (exit 0)" [ "$rc" -eq 0 ]
check "the shipped files check clean (says OK)" contains "$T/ok.out" "OK"
# rigd -n reads a store made by an older rigd without upgrading it: it says so, file untouched.
mkdir -p "$T/old"
cp rig/tests/data/store/legacy-v0.db "$T/old/rig.db"
"$RIGD" -n -S "$T/old" > "$T/old.out" 2>&1
rc=$?
check "rigd -n on an old store still checks clean" [ "$rc" -eq 0 ]
check "rigd -n says the old store's schema" contains "$T/old.out" \
    "$T/old/rig.db: schema 0, this rigd upgrades it to"
check "rigd -n leaves the old store byte for byte" cmp -s rig/tests/data/store/legacy-v0.db \
    "$T/old/rig.db"

rm "$T/scen/bad-steps.yaml"
SCENDIR=$T/scen rigd_start || finish
cat > "$T/scen/extra.yaml" <<'YAML'
name: extra
steps:
  - hold: i2c
  - release: i2c
YAML
kill -HUP "$RIGD_PID"
check "rigd handles the SIGHUP" "$RIGCTL" wait reload 1 --timeout 30
check "SIGHUP reads new scenario files" [ "$(q 'str([s["name"] for s in d if s["name"] == "extra"])' show scenarios)" = "['extra']" ]
printf 'name: broken\nsteps: [\n' > "$T/scen/broken.yaml"
kill -HUP "$RIGD_PID"
check "rigd handles the second SIGHUP" "$RIGCTL" wait reload 2 --timeout 30
check "a bad file at SIGHUP keeps the scenarios as they were" [ "$(q 'str([s["name"] for s in d if s["name"] == "extra"])' show scenarios)" = "['extra']" ]
check "and says why, with file and line" contains "$T/rigd.log" "$T/scen/broken.yaml:"
rm "$T/scen/broken.yaml"
# Nothing has run yet: the reports still answer (and rigd lives on, checked below).
check "show builds answers on a store with no runs" "$RIGCTL" show builds
check "matrix answers on a store with no runs" "$RIGCTL" matrix
/usr/bin/python3 - "$RIG_SOCKET" > "$T/proto.out" 2>&1 <<'PY'
import json, socket, struct, sys
path = sys.argv[1]

def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    return s

def frame(payload, kind=b'J'):
    return struct.pack('>I', len(payload) + 1) + kind + payload

def reply(s):
    hdr = b''
    while len(hdr) < 4:
        d = s.recv(4 - len(hdr))
        if not d:
            return None
        hdr += d
    n = struct.unpack('>I', hdr)[0]
    body = b''
    while len(body) < n:
        d = s.recv(n - len(body))
        if not d:
            return None
        body += d
    return json.loads(body[1:])

cases = [
    ('not json', frame(b'{nope')),
    ('json array', frame(b'[1,2]')),
    ('no version', frame(b'{"cmd":"ping"}')),
    ('wrong version', frame(b'{"v":99,"cmd":"ping"}')),
    ('unknown cmd', frame(b'{"v":1,"cmd":"explode"}')),
    ('no cmd', frame(b'{"v":1}')),
    ('nul inside', frame(b'{"v":1,"cmd":"ping"}\x00xx')),
    ('console frame', frame(b'hello', b'C')),
    ('run without scenario', frame(b'{"v":1,"cmd":"run"}')),
    ('run no such scenario', frame(b'{"v":1,"cmd":"run","scenario":"nosuch"}')),
    ('power bad action', frame(b'{"v":1,"cmd":"power","board":"vq35","action":"sideways"}')),
    ('show nonsense', frame(b'{"v":1,"cmd":"show","what":"everything"}')),
    ('cmd not a string', frame(b'{"v":1,"cmd":42}')),
]
for name, data in cases:
    s = conn()
    s.sendall(data)
    r = reply(s)
    ok = r is not None and r.get('type') == 'result' and r.get('status') in ('invalid', 'nosuch') and r.get('error')
    print(('ok ' if ok else 'BAD ') + name + ': ' + json.dumps(r))
    s.close()

# Oversized: the header announces 2 GiB; rigd answers and hangs up without reading it.
s = conn()
s.sendall(struct.pack('>I', 0x7fffffff) + b'J' + b'x' * 1000)
r = reply(s)
rest = s.recv(10)
print(('ok ' if r and r.get('status') == 'invalid' and rest == b'' else 'BAD ') + 'oversized: ' + json.dumps(r))
s.close()
# 70 KB of JSON: over the 64 KiB request limit.
s = conn()
big = b'{"v":1,"cmd":"ping","pad":"' + b'x' * 70000 + b'"}'
s.sendall(frame(big))
r = reply(s)
print(('ok ' if r and r.get('status') == 'invalid' else 'BAD ') + 'over 64 KiB: ' + json.dumps(r))
s.close()
# Truncated: half a frame, then the client vanishes.
s = conn()
s.sendall(frame(b'{"v":1,"cmd":"ping"}')[:9])
s.close()
# Two requests in one write, the second cut short: the first is answered.
s = conn()
s.sendall(frame(b'{"v":1,"cmd":"ping"}') + frame(b'{"v":1,"cmd":"ping"}')[:6])
r = reply(s)
print(('ok ' if r and r.get('status') == 'ok' else 'BAD ') + 'pipelined then cut: ' + json.dumps(r))
s.close()
# Many clients connecting and leaving at once.
socks = [conn() for _ in range(50)]
for s in socks:
    s.close()
print('done')
PY
cat "$T/proto.out"
check "every bad control message got an error reply (16 ok)" [ "$(grep -c '^ok ' "$T/proto.out")" -eq 16 ]
check "no bad control message was mishandled" [ "$(grep -c '^BAD' "$T/proto.out")" -eq 0 ]
check "the protocol script ran to its end" contains "$T/proto.out" done
check "rigd still serves after all of them" "$RIGCTL" ping
check "rigd process still alive" kill -0 "$RIGD_PID"

# usage NAME STATUS TEXT RIGCTL-ARGS...: rigctl exits with STATUS and says TEXT (two checks).
usage() {
	u_name=$1 u_want=$2 u_text=$3
	shift 3
	"$RIGCTL" "$@" > "$T/usage.out" 2>&1
	rc=$?
	check "$u_name: exit $u_want" [ "$rc" -eq "$u_want" ]
	check "$u_name: says '$u_text'" contains "$T/usage.out" "$u_text"
}
usage "rigctl run without a scenario" 2 "usage: rigctl run" run
usage "rigctl run nosuch" 2 "no scenario nosuch" run nosuch
usage "unknown board" 2 "no board nosuch" run i2c-unbind --board nosuch
usage "power with a bad action" 2 "usage: rigctl power" power vq35 sideways
usage "show with a bad object" 2 "usage: rigctl show" show everything
usage "unknown command" 2 "unknown command frobnicate" frobnicate
usage "no daemon: says where it looked" 2 "cannot reach rigd at $T/nosuch.sock" -s "$T/nosuch.sock" ping
usage "--help lists the commands" 0 "run SCENARIO" --help
usage "wait with a bad condition" 2 "usage: rigctl wait" wait run 1
usage "wait for a state no board has" 2 "no such board state" wait board vq35 SIDEWAYS
usage "wait that cannot come true in time" 2 "timed out: run 999: not begun" wait run 999 --done --timeout 1

# rigctl bisect's bad arguments: each refused with what is wrong (70-nightly has those that need
# builds), and no job queued.
usage "bisect without --good" 2 "usage: rigctl bisect" bisect i2c-unbind --board vq35 --bad x
K1=linux-image-6.1.0-56-amd64
K2=linux-image-6.1.0-55-amd64
usage "bisect: unknown scenario" 2 "no scenario nosuch" bisect nosuch --board vq35 --good $K1 --bad $K2
usage "bisect: unknown board" 2 "no board nosuch" bisect i2c-unbind --board nosuch --good $K1 --bad $K2
usage "bisect: unknown build" 2 "$K1: no such build" bisect i2c-unbind --board vq35 --good $K1 --bad $K2
check "bisect: nothing queued by the refusals" [ "$(q 'len(d["jobs"]) + len(d["finished"])' show queue)" = 0 ]

# rigd -n gives back what it loaded: with the leak checker on (the sanitizer build), a leak
# would make it exit non-zero, and the tests turn leak checks off for the daemon.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 "$RIGD" -n -B vq35 -c scenarios > /dev/null 2> "$T/leak.err"
rc=$?
check "rigd -n with leak checks on exits 0 (it exited $rc)" [ "$rc" -eq 0 ]
check "... and no leak is reported" sh -c "! grep -q LeakSanitizer '$T/leak.err'"
finish
