# The vq35 virtual board on an unmodified Debian kernel: the I2C unbind hang, its release
# variant, the UART good case, and three hangs in a row on one rigd, all through rigctl.
#@ alone: a hang verdict within 3 s of the blocking write, a snapshot recovery within 5 s
. rig/tests/integration/lib.sh

HTTP_PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
with_test_scenarios
# The board file is the test's own: a changed one must make the board's snapshot stale.
mkdir -p "$T/boards"
cp boards/vq35.yaml "$T/boards/"
rigd_start -H 127.0.0.1:$HTTP_PORT -b "$T/boards" || finish

# A live console watcher, as a user would leave one open: it must see the sysrq-w output.
"$RIGCTL" console vq35 > "$T/console-watch.out" 2>&1 &
watch=$!

# On a terminal, as a person runs it: the boot's stages, the steps, the recovery, then the verdict.
on_pty "$T/run1.tty" "$RIGCTL" run i2c-unbind --board vq35
rc=$?
screen "$T/run1.tty" > "$T/run1.out"
cat "$T/run1.out"
# Each stage in the order it happens (one progress line, rewritten), and the verdict after them.
order=$(/usr/bin/python3 -c 'import sys
t = open(sys.argv[1], "rb").read().decode(errors="replace")
at = 0
for want in sys.argv[2:]:
    i = t.find(want, at)
    if i < 0:
        print("missing after %d: %s" % (at, want))
        break
    at = i + len(want)
else:
    print("in order")' "$T/run1.tty" "$(printf '\r\033[K  vq35: power on')" "vq35: kernel booting" "vq35: SSH" \
    "vq35: ready" "[ 1] " "[ 2] unbind i2c" "vq35: recovery: power cycle" \
    "vq35: recovery: power on" "vq35: recovery: kernel booting" "vq35: recovery: SSH" \
    "vq35: recovery: ready" "recovery done after" "verdict: hang")
check "on a terminal: power, kernel, SSH, ready, the steps, the recovery, then the verdict ($order)" [ "$order" = "in order" ]
check "on a terminal: the verdict stands on its own line" grep -qx "verdict: hang" "$T/run1.out"
check "on a terminal: no progress line is left on the screen" [ "$(grep -c "kernel booting\|recovery: power" "$T/run1.out")" -eq 0 ]
check "i2c-unbind exits 1 (kernel failure)" [ "$rc" -eq 1 ]
check "i2c-unbind verdict is hang" contains "$T/run1.out" "verdict: hang"
check "hang titled in i2c_del_adapter" contains "$T/run1.out" "title: INFO: task hung in i2c_del_adapter"
check "blocked task's stack shown" contains "$T/run1.out" "i801_remove"
check "kernel build the board reported" contains "$T/run1.out" "kernel: Linux version 6.1.0-"
check "step 2 (unbind) timed out" contains "$T/run1.out" "unbind i2c: timeout"

"$RIGCTL" show run 1 --json > "$T/run1.json"
stored() { js "$1" < "$T/run1.json"; }
check "stored: verdict and title" [ "$(stored 'd["verdict"] + "|" + d["title"]')" = "hang|INFO: task hung in i2c_del_adapter" ]
check "stored: stack" [ "$(stored '"i2c_del_adapter" in d["stack"]')" = true ]
check "stored: build with release, /proc/version and image sha256" [ "$(stored 'bool(__import__("re").fullmatch(r"6\.1\.0-\d+-amd64", d["build"]) and d["build_version"].startswith("Linux version") and len(d["image_sha256"]) == 64)')" = true ]
check "stored: per-step timings" [ "$(stored 'sum(1 for s in d["steps"] if s["duration_ms"] is not None)')" -ge 2 ]
log=$(stored 'd["console_log"]')
range=$(stored 'd["console_end"] - d["console_start"]')
check "stored: console log file" [ -s "$log" ]
check "stored: a byte range of the console log" [ "$range" -gt 0 ]
check "console log has the boot from its first lines" contains "$log" "rig-board: ready"
check "console log has sysrq-w's blocked tasks" contains "$log" "i2c_del_adapter"
# Issue 18: the watch on the writer (uninterruptible, nothing moves) gives the verdict, not the
# 3 s deadline: within 2 s of the blocking write (checked at 3 s; the bench has the median).
hang_ms=$(stored '[s["duration_ms"] for s in d["steps"] if s["idx"] == 2][0]')
echo "unbind write to hang verdict: $hang_ms ms"
check "hang verdict within 3 s of the blocking write (watched, not the deadline)" [ "$hang_ms" -le 3000 ]
check "the watch's words: no progress, the wait channel" contains "$T/run1.out" "with no progress for"

"$RIGCTL" run i2c-unbind-release --board vq35 > "$T/run2.out" 2>&1
rc=$?
cat "$T/run2.out"
check "i2c-unbind-release passes (exit 0)" [ "$rc" -eq 0 ]
check "i2c-unbind-release: the unbind returned once released" contains "$T/run2.out" "unbind returned after"
"$RIGCTL" show run 1 --json > "$T/run1.json"
check "recovery after the hang was recorded" [ "$(stored 'd["recovery"]')" = ready ]
check "recovery after the hang took time" [ "$(stored 'd["recovery_ms"] > 0')" = true ]

"$RIGCTL" run uart-unbind --board vq35 > "$T/run3.out" 2>&1
rc=$?
cat "$T/run3.out"
check "uart-unbind passes (exit 0)" [ "$rc" -eq 0 ]
check "uart-unbind: the holder saw the hangup" contains "$T/run3.out" "expect-holder exited: ok"

for i in 1 2; do
	"$RIGCTL" run i2c-unbind > "$T/again$i.out" 2>&1
	rc=$?
	check "i2c-unbind in a row #$i: exit 1" [ "$rc" -eq 1 ]
	check "i2c-unbind in a row #$i: hang, not error" contains "$T/again$i.out" "verdict: hang"
	check "i2c-unbind in a row #$i: on a pipe, no progress (no carriage return, no escape)" [ "$(tr -d '\n' < "$T/again$i.out" | tr -dc '\r\033' | wc -c)" -eq 0 ]
done
# The third on a terminal with --json: the messages as rigd sent them, no progress line.
on_pty "$T/again3.tty" "$RIGCTL" run i2c-unbind --json
rc=$?
check "i2c-unbind in a row #3: exit 1" [ "$rc" -eq 1 ]
check "i2c-unbind in a row #3: hang, not error" contains "$T/again3.tty" '"verdict":"hang"'
check "--json on a terminal: no progress (no escape, no carriage return but the pty's)" [ "$(sed 's/\r$//' "$T/again3.tty" | tr -d '\n' | tr -dc '\r\033' | wc -c)" -eq 0 ]
check "--json on a terminal: every line one JSON object, as on a pipe" /usr/bin/python3 -c 'import json, sys
for line in open(sys.argv[1], "rb").read().decode().replace("\r\n", "\n").splitlines():
    assert isinstance(json.loads(line), dict), line' "$T/again3.tty"
check "three hangs recovered: board READY" wait_state vq35 READY 60
check "show runs lists every run" [ "$("$RIGCTL" show runs | grep -c vq35)" -eq 6 ]
check "show builds lists the build" "$RIGCTL" show builds
"$RIGCTL" show run 1 > "$T/show1.out"
check "show run 1 has the steps and the stack" contains "$T/show1.out" "i801_remove"
check "board events stored (HUNG, RECOVERING, READY)" [ "$(q 'sum(1 for e in d if e["to_state"] in ("HUNG", "RECOVERING"))' show events)" -ge 8 ]
# A crash group is keyed by syzbot's title and keeps the rig's beside it.
groups() { q 'str([(c["title"], c["rig_title"], c["count"], c["first_run"], c["last_run"]) for c in d if "i2c_del_adapter" in c["title"] + str(c["rig_title"]) or "i801_remove" in c["title"]])' show crashes; }
check "hang titles grouped across runs: one group, both titles, counted 4 times" [ "$(groups)" = "[('INFO: task hung in i801_remove', 'INFO: task hung in i2c_del_adapter', 4, 1, 6)]" ]
uids=""
for i in 1 2 3 4 5 6; do
	uids="$uids $(q 'd["uid"]' show run $i)"
done
check "every run stored with the peer uid" [ "$uids" = "$(for i in 1 2 3 4 5 6; do printf ' %s' "$(id -u)"; done)" ]

# One bug, one group: the kernel's own hung-task detector catches the same hang first.
"$RIGCTL" run i2c-unbind-watchdog --board vq35 > "$T/wd.out" 2>&1
rc=$?
cat "$T/wd.out"
wd=$(last_run)
check "watchdog-first hang: exit 1" [ "$rc" -eq 1 ]
check "watchdog-first hang: the kernel's report ended the step" contains "$T/wd.out" "console report (hang)"
check "watchdog-first hang: the rig's title, as when its deadline catches it" contains "$T/wd.out" "title: INFO: task hung in i2c_del_adapter"
# The kernel goes on reporting until the board is recovered: the group counts at least this run's.
check "watchdog-first hang: the same crash group as the deadline's hangs, up to this run" [ "$(groups | sed 's/, [0-9]*, 1, /, N, 1, /')" = "[('INFO: task hung in i801_remove', 'INFO: task hung in i2c_del_adapter', N, 1, $wd)]" ]
n_wd=$(q 'str(len(d["crashes"]))' show run "$wd")
n_group=$(q 'str(sum(c["count"] for c in d if c["title"] == "INFO: task hung in i801_remove"))' show crashes)
check "watchdog-first hang: the run keeps the kernel's report" [ "$n_wd" -ge 1 ]
check "watchdog-first hang: the group counts the 4 deadline hangs and this run's reports" [ "$n_group" -ge $((4 + n_wd)) ]


# A browser left on the lab page is told when the next run ends (server-sent events).
DASH=http://127.0.0.1:$HTTP_PORT
check "the lab page's event stream opens in Chromium" dash_live_start
"$RIGCTL" run cut-while-open --board vq35 > "$T/cut.out" 2>&1
rc=$?
cut=$(last_run)
check "cut-while-open on vq35: READY again, device present" [ "$rc" -eq 0 ]
check "the open lab page was told of the run's end, unasked" dash_live_end
check "... and shows the new run in its table" contains "$T/dash-live.html" "href=\"/runs/$cut\">$cut</a>"
"$RIGCTL" run i2c-poweroff --board vq35 > "$T/off.out" 2>&1
rc=$?
cat "$T/off.out"
check "i2c-poweroff on vq35: pass (exit 0)" [ "$rc" -eq 0 ]
check "i2c-poweroff on vq35: the kernel powers down with /dev/i2c-0 open" contains "$T/off.out" "power-down"
"$RIGCTL" power vq35 off > /dev/null
check "rigctl power off: board OFF" wait_state vq35 OFF 10
# A browser on the board's page follows its console as the board boots (read-only).
check "the board page's console stream opens in Chromium" dash_live_start console vq35 \
    "rig-board: ready"
"$RIGCTL" power vq35 on > /dev/null
check "rigctl power on: board READY" wait_state vq35 READY 5
check "the open board page shows the new boot's console as it comes" dash_live_end console

# The read-only web side: the same results as JSON, and the dashboard page that reads them.
/usr/bin/python3 - "$HTTP_PORT" > "$T/http.out" 2>&1 <<'PY'
import json, sys, urllib.request, urllib.error
base = "http://127.0.0.1:%s" % sys.argv[1]
get = lambda p: json.load(urllib.request.urlopen(base + p))
runs = get("/api/runs")
print("runs", len(runs), "hangs", sum(1 for r in runs if r["verdict"] == "hang"))
assert any(r["title"] == "INFO: task hung in i2c_del_adapter" for r in runs)
run = get("/api/runs/%d" % runs[-1]["id"])
assert run["steps"] and run["stack"], "run detail has steps and a stack"
assert get("/api/boards")[0]["name"] == "vq35"
m = get("/api/matrix")
assert any(c and c["verdict"] == "hang" for row in m["rows"] for c in row["cells"]), m
page = urllib.request.urlopen(base + "/").read().decode()
assert "<title>lab - rig</title>" in page and 'href="/boards/vq35"' in page
try:
    urllib.request.urlopen(urllib.request.Request(base + "/api/boards", data=b"x", method="POST"))
    raise SystemExit("POST accepted")
except urllib.error.HTTPError as e:
    assert e.code == 405, e.code
print("http ok")
PY
cat "$T/http.out"
check "JSON API and dashboard serve the runs, the matrix and the page; read-only" contains "$T/http.out" "http ok"
# The pages as a browser shows them (screenshots kept in $ARTIFACTS).
dash_pages matrix:/matrix run1:/runs/1 wd:/runs/$wd crashes:/crashes \
    history:/history?scenario=i2c-unbind board:/boards/vq35
check "the matrix page loads in Chromium" dash_loaded matrix
check "... the hang's cell: its shape, word and title, a link to its run" grep -q \
    '<td class="hang[^"]*" title="INFO: task hung in i2c_del_adapter"><a href="/runs/[0-9]*"><span class="v hang"><span aria-hidden="true">◐</span> hang</span>' "$T/dash-matrix.html"
check "the hang's run page loads" dash_loaded run1
check "... with the stuck stack, its guilty frame marked" grep -q '<span class="guilty" title="guilty frame">[^<]*i\(2c_del_adapter\|801_remove\)' "$T/dash-run1.html"
check "... and the console around the report" contains "$T/dash-run1.html" "i2c_del_adapter"
check "the kernel's hang report's run page loads" dash_loaded wd
mark() { /usr/bin/python3 -c 'import re, sys
m = re.search(r"<mark id=\"report\">(.*?)</mark>", open(sys.argv[1]).read(), re.S)
print(m.group(1) if m else "")' "$1"; }
mark "$T/dash-wd.html" > "$T/wd-mark.txt"
check "... the console excerpt marks the report line" contains "$T/wd-mark.txt" "blocked for more than"
check "... and links the whole log" contains "$T/dash-wd.html" "href=\"/runs/$wd/log\""
check "the whole log is served as text" sh -c 'curl -sf "$0" | grep -q "blocked for more than"' "$DASH/runs/$wd/log"
check "the crash groups page loads" dash_loaded crashes
check "... with the hang's group" contains "$T/dash-crashes.html" "INFO: task hung in i801_remove"
check "the history of i2c-unbind loads" dash_loaded history
check "... drawing its runs" grep -q '<svg id="durations".*<title>run 1, vq35' "$T/dash-history.html"
check "the board page loads with its console" dash_loaded board
check "... showing the console's last lines" contains "$T/dash-board.html" "rig-board: ready"
cat "$T/dash.times"

# Snapshots: the first boot on a build saved the board at its ready line; recoveries and later
# boots of that board and build restore it instead of booting.
evs() { q "$1" show events; }
saved() { evs 'str(sum(1 for e in d if e["reason"].startswith("snapshot saved")))'; }
last_boot() { q "$1" show boots; }
check "snapshot: the first boot saved the board" [ "$(saved)" -ge 1 ]
check "snapshot: the recoveries after the hangs restored it" [ "$(evs 'str(sum(1 for e in d if e["reason"].startswith("restored from snapshot")))')" -ge 4 ]
"$RIGCTL" show run 1 --json > "$T/run1.json"
echo "recovery after the first hang: $(stored 'd["recovery_ms"]') ms"
check "snapshot: recovery after a hang within 5 s (goal 1 s, generous for a loaded host; a cold boot took 10 s)" [ "$(stored 'd["recovery_ms"] <= 5000')" = true ]
check "snapshot: files 0600" [ "$(stat -c %a "$T"/snapshots/vq35.*.snap | sort -u)" = 600 ]
# The restored board's clock is set: the board's date is the host's before the run, give or take
# 5 s (set in whole seconds; TCG's guest clock lags a little). Unset, it would be minutes behind:
# the snapshot was saved at the first boot.
now=$(date +%s)
printf 'name: clock-set\nsteps:\n  - shell: "test $(date +%%s) -ge %s"\n' "$((now - 5))" > "$T/scen/clock-set.yaml"
kill -HUP "$RIGD_PID"
"$RIGCTL" wait reload 1 --timeout 30 > /dev/null
"$RIGCTL" run clock-set --board vq35 > "$T/clock.out" 2>&1
rc=$?
check "snapshot: a restored board's clock is set (exit 0)" [ "$rc" -eq 0 ]
# A changed board file: the snapshot is stale, dropped, the board boots cold and saves anew.
n_saved=$(saved)
echo "# changed by the test" >> "$T/boards/vq35.yaml"
"$RIGCTL" power vq35 off > /dev/null
"$RIGCTL" power vq35 on > /dev/null
check "snapshot stale: board READY" wait_state vq35 READY 120
check "snapshot stale: said so" [ "$(evs 'str(sum(1 for e in d if e["reason"].startswith("snapshot stale")))')" -ge 1 ]
check "snapshot stale: a cold boot (ready after more than 3 s)" [ "$(last_boot 'd[0]["ready_ms"] > 3000')" = true ]
check "snapshot stale: a new one saved" [ "$(saved)" -gt "$n_saved" ]
check "snapshot stale: the old file dropped (one left)" [ "$(ls "$T"/snapshots/ | grep -c '^vq35\.')" -eq 1 ]
# A corrupt snapshot (cut short) is dropped and the board boots cold, saying so.
for f in "$T"/snapshots/vq35.*.snap; do truncate -s 1M "$f"; done
"$RIGCTL" power vq35 off > /dev/null
"$RIGCTL" power vq35 on > /dev/null
check "snapshot corrupt: board READY" wait_state vq35 READY 120
check "snapshot corrupt: said so" [ "$(evs 'str(sum(1 for e in d if e["reason"].startswith("snapshot unusable")))')" -ge 1 ]
check "snapshot corrupt: a cold boot" [ "$(last_boot 'd[0]["ready_ms"] > 3000')" = true ]
"$RIGCTL" run i2c-unbind --board vq35 > "$T/after.out" 2>&1
check "snapshot corrupt: then a hang as before" contains "$T/after.out" "verdict: hang"

# Issue 17: the reservation's holder types at the console from the browser; everyone else,
# and every request a page of another site (or another user of this host) could make, is refused.
web_t0=$(date +%s)
check "browser console: board READY after the hang" wait_state vq35 READY 120
check "console --web with no reservation: refused" sh -c '! "$0" console vq35 --web' "$RIGCTL"
wres=$(q 'd["id"]' reserve vq35 --for 10m)
"$RIGCTL" console vq35 --web > "$T/web.url"
url=$(cat "$T/web.url")
check "console --web prints the board page with a 64-digit token in its fragment" \
    grep -qx "$DASH/boards/vq35#token=[0-9a-f]\{64\}" "$T/web.url"
mkdir -p "$ARTIFACTS"
/usr/bin/python3 rig/tests/dashcheck.py type "$DASH" vq35 "$url" "$T/dash-type" \
    'echo web-$((6*7))' web-42 60 > "$T/dash-type.out" 2>&1
rc=$?
cat "$T/dash-type.out"
cp "$T/dash-type.png" "$ARTIFACTS/console-holder.png" 2>/dev/null
check "a watcher's page (no session) shows no form to type in" \
    contains "$T/dash-type.out" "watcher: write=no form hidden=True"
check "the holder's page, opened with the link, may type" \
    contains "$T/dash-type.out" "holder: write=yes form hidden=False"
check "... the token is gone from its address bar" grep -qx "address: $DASH/boards/vq35" \
    "$T/dash-type.out"
check "the holder's browser types a command and sees its output on the console" [ "$rc" -eq 0 ]
check "no page of another site may frame the board page" sh -c 'curl -sI "$0" |
    grep -qix "X-Frame-Options: DENY."' "$DASH/boards/vq35"
# The refusals, as a forger would send them (curl): each typed line would print its own word.
cin=$DASH/boards/vq35/console
tok=${url#*#token=}
post() {	# post NAME URL [CURL ARGS]: the status, the answer kept as $T/post-NAME
	post_name=$1 post_url=$2
	shift 2
	curl -s -o "$T/post-$post_name" -w '%{http_code}' -X POST "$@" "$post_url"
}
ours="-H X-Rig-Console:1 -H Origin:$DASH"
check "a used token is refused" [ "$(post reuse "$cin/session" $ours --data "$tok")" = 403 ]
check "... said so" contains "$T/post-reuse" "token unknown (used already"
"$RIGCTL" console vq35 --web > "$T/web2.url"
check "a second link's token, sent as the page sends it, gives a session" \
    [ "$(post login "$cin/session" $ours -c "$T/jar" --data "$(sed 's/.*#token=//' "$T/web2.url")")" = 200 ]
check "... in an HttpOnly SameSite=Strict cookie for the board's console only" \
    grep -q "^#HttpOnly_127.0.0.1	FALSE	/boards/vq35/console	" "$T/jar"
check "a watcher (no session) cannot type" \
    [ "$(post watcher "$cin/input" $ours --data-binary 'echo forged-$((1+1))')" = 403 ]
check "a forged POST without the header is refused, session cookie and all" \
    [ "$(post nohdr "$cin/input" -b "$T/jar" -H "Origin: $DASH" --data-binary 'echo forged-$((1+1))')" = 403 ]
check "a POST from another origin is refused, session cookie and all" \
    [ "$(post origin "$cin/input" -b "$T/jar" -H X-Rig-Console:1 -H 'Origin: http://evil.example' --data-binary 'echo forged-$((1+1))')" = 403 ]
check "... said so" contains "$T/post-origin" "Origin is http://evil.example"
# typed_seen TEXT CMD...: CMD is run once a console watcher is attached; 0 when it succeeded and
# TEXT then came on the console (within 30 s).
typed_seen() {
	/usr/bin/python3 -c 'import signal, subprocess, sys
signal.alarm(30)
w = subprocess.Popen([sys.argv[1], "console", "vq35", "--raw"], stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE)
w.stderr.readline()    # attached
rc = subprocess.call(sys.argv[3:])
seen = b""
while rc == 0 and sys.argv[2].encode() not in seen:
    c = w.stdout.read1(4096)
    if not c:
        break
    seen += c
w.kill()
sys.exit(0 if rc == 0 and sys.argv[2].encode() in seen else 1)' "$RIGCTL" "$@"
}
printf 'echo web-$((2+3))\n' > "$T/typed"
check "the session types, with the header and this origin, and the board runs it" \
    typed_seen web-5 curl -sf -o "$T/post-typed" -X POST -b "$T/jar" $ours \
    --data-binary @"$T/typed" "$cin/input"
log=$(q 'd[0]["console_log"]' show boards)
check "none of the refused requests reached the console (typed before the line it ran)" \
    sh -c 'grep -q web-5 "$0" && ! grep -q forged-2 "$0"' "$log"
# Another user of this host with the session's cookie (leaked): refused by the kernel's word on
# who owns the connection, and the session is over for its holder too.
sid=$(awk '$6 ~ /^rig_console_/ { print $6 "=" $7 }' "$T/jar")
check "the session's cookie from another uid of this host is refused" [ "$(setpriv \
    --reuid=65534 --regid=65534 --clear-groups curl -s -o /dev/null -w '%{http_code}' -X POST \
    -H "Cookie: $sid" $ours --data-binary 'echo forged-$((1+1))' "$cin/input")" = 403 ]
check "... and that session is over for its holder too" \
    [ "$(post leaked "$cin/input" -b "$T/jar" $ours --data-binary 'echo forged-$((1+1))')" = 403 ]
"$RIGCTL" console vq35 --web > "$T/web3.url"
post login3 "$cin/session" $ours -c "$T/jar" --data "$(sed 's/.*#token=//' "$T/web3.url")" > /dev/null
"$RIGCTL" release "$wres" > /dev/null
check "the session after the reservation ended is refused" \
    [ "$(post ended "$cin/input" -b "$T/jar" $ours --data-binary 'echo late-$((3+4))')" = 403 ]
check "... said so" contains "$T/post-ended" "session ended with its reservation"
check "no token is ever in rigd's log" sh -c '! grep -q -e "$0" -e "$1" -e "$2" "$3"' "$tok" \
    "$(sed 's/.*#token=//' "$T/web2.url")" "$(sed 's/.*#token=//' "$T/web3.url")" "$T/rigd.log"
echo "browser console checks: $(($(date +%s) - web_t0)) s"

kill "$watch" 2>/dev/null
wait "$watch" 2>/dev/null
check "rigctl console streamed the live console" contains "$T/console-watch.out" "Show Blocked State"

finish
