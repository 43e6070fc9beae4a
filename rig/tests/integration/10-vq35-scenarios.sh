# The vq35 virtual board on an unmodified Debian kernel: the I2C unbind hang, its release
# variant, the UART good case, and three hangs in a row on one rigd, all through rigctl.
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

"$RIGCTL" run i2c-unbind --board vq35 > "$T/run1.out" 2>&1
rc=$?
cat "$T/run1.out"
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

for i in 1 2 3; do
	"$RIGCTL" run i2c-unbind > "$T/again$i.out" 2>&1
	rc=$?
	check "i2c-unbind in a row #$i: exit 1" [ "$rc" -eq 1 ]
	check "i2c-unbind in a row #$i: hang, not error" contains "$T/again$i.out" "verdict: hang"
done
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


"$RIGCTL" run cut-while-open --board vq35 > "$T/cut.out" 2>&1
rc=$?
check "cut-while-open on vq35: READY again, device present" [ "$rc" -eq 0 ]
"$RIGCTL" run i2c-poweroff --board vq35 > "$T/off.out" 2>&1
rc=$?
cat "$T/off.out"
check "i2c-poweroff on vq35: pass (exit 0)" [ "$rc" -eq 0 ]
check "i2c-poweroff on vq35: the kernel powers down with /dev/i2c-0 open" contains "$T/off.out" "power-down"
"$RIGCTL" power vq35 off > /dev/null
check "rigctl power off: board OFF" wait_state vq35 OFF 10
"$RIGCTL" power vq35 on > /dev/null
check "rigctl power on: board READY" wait_state vq35 READY 5

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
assert "/api/matrix" in page and "<title>rig</title>" in page
try:
    urllib.request.urlopen(urllib.request.Request(base + "/api/boards", data=b"x", method="POST"))
    raise SystemExit("POST accepted")
except urllib.error.HTTPError as e:
    assert e.code == 405, e.code
print("http ok")
PY
cat "$T/http.out"
check "JSON API and dashboard serve the runs, the matrix and the page; read-only" contains "$T/http.out" "http ok"
# The page as a browser renders it: its script fills the tables from the API.
timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$T/chromium" --virtual-time-budget=5000 --dump-dom \
    "http://127.0.0.1:$HTTP_PORT/" > "$T/dom.html" 2>/dev/null
check "the dashboard renders the hang in its matrix in a real browser" grep -q 'class="hang">hang<div class="small">INFO: task hung in i2c_del_adapter' "$T/dom.html"

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

kill "$watch" 2>/dev/null
wait "$watch" 2>/dev/null
check "rigctl console streamed the live console" contains "$T/console-watch.out" "Show Blocked State"

finish
