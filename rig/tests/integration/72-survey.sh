# survey: rigctl survey on vq35 (one boot, one recovery after the I2C hang, one poweroff): what it finds, what
# it never unbinds and why (the console, the SSH network device, a board-file entry), the runs
# it stores, and that it goes on with the next device after the hang. Limited to i2c, rtc and tty
# (the whole survey of vq35 has nothing more to run, and takes as long).
. rig/tests/integration/lib.sh

mkdir -p "$T/boards"
cp boards/vq35.yaml "$T/boards/vq35.yaml"
cat >> "$T/boards/vq35.yaml" <<'YAML'
protected:
  - { device: serial8250, why: "the legacy ports (a board-file exclusion)" }
YAML
rigd_start -b "$T/boards" || finish

# Wrong requests are refused before anything is booted.
"$RIGCTL" survey > /dev/null 2> "$T/usage.err"
rc=$?
check "survey without --board: usage, exit 2" [ "$rc" -eq 2 ]
check "survey without --board: says the usage" contains "$T/usage.err" "usage: rigctl survey --board B"
"$RIGCTL" survey --board vq35 --class 'i2c;reboot' > /dev/null 2> "$T/class.err"
rc=$?
check "a malformed --class: exit 2" [ "$rc" -eq 2 ]
check "a malformed --class: says what classes must be" contains "$T/class.err" "classes must be names"
"$RIGCTL" survey --board vq35 --sequence unbind,reboot > /dev/null 2> "$T/seq.err"
rc=$?
check "an unknown --sequence: exit 2" [ "$rc" -eq 2 ]
check "an unknown --sequence: named, with the known ones" \
    contains "$T/seq.err" '"reboot" is not a sequence (unbind, unbind-release, poweroff)'
"$RIGCTL" survey --board nosuch > /dev/null 2> "$T/nosuch.err"
rc=$?
check "an unknown board: exit 2, named" sh -c '[ "$0" -eq 2 ] && grep -qF "no board nosuch" "$1"' "$rc" "$T/nosuch.err"
check "nothing booted for them" [ "$(q '[b["state"] for b in d if b["name"] == "vq35"][0]' show boards)" = OFF ]

t0=$(date +%s)
"$RIGCTL" survey --board vq35 --class i2c,tty,rtc --sequence unbind,unbind-release > "$T/survey.out" 2>&1
rc=$?
t1=$(date +%s)
cat "$T/survey.out"
echo "survey --class i2c,tty,rtc --sequence unbind,unbind-release took $((t1 - t0)) s (with the boot and one recovery)"
# row DEVICE: the table's line for that device (its columns: device class driver bus verdict ...).
row() { awk -v d="$1" '$1 == d' "$T/survey.out" | tail -n 1; }
check "exit 1: a device hung" [ "$rc" -eq 1 ]
# cols DEVICE: its class, driver, bus and unbind verdict, as printed.
cols() { row "$1" | awk '{ print $2, $3, $4, $6 }'; }
check "one column per sequence, in the survey's order" \
    [ "$(grep '^DEVICE' "$T/survey.out" | awk '{ print $5, $6, $7 }')" = "UNBIND-RELEASE UNBIND RUNS" ]
check "the I2C adapter: i2c, i801_smbus on pci, hang" [ "$(cols 0000:00:1f.3)" = "i2c i801_smbus pci hang" ]
check "the I2C adapter: released while its unbind waits, the unbind returns: pass" \
    [ "$(row 0000:00:1f.3 | awk '{ print $5 }')" = pass ]
check "the I2C adapter's title" contains_s "$(row 0000:00:1f.3)" "INFO: task hung in i2c_del_adapter"
check "the spare UART: tty, serial on pnp, pass" [ "$(cols 00:03)" = "tty serial pnp pass" ]
check "the spare UART: unbind-release passes" [ "$(row 00:03 | awk '{ print $5 }')" = pass ]
check "the console's port is excluded" [ "$(cols 00:04)" = "tty serial pnp excluded" ]
check "the console's port: its reason" contains_s "$(row 00:04)" "console ttyS0 (the kernel's console)"
check "the SSH network device is excluded" [ "$(cols 0000:00:02.0)" = "net e1000 pci excluded" ]
check "the SSH network device: its reason" \
    contains_s "$(row 0000:00:02.0)" "network device eth0 (it has a route: SSH comes through it)"
check "the board file's exclusion is honoured" [ "$(cols serial8250)" = "tty serial8250 platform excluded" ]
check "an excluded row says so in each sequence's column" \
    [ "$(row serial8250 | awk '{ print $5 }')" = excluded ]
check "the board file's exclusion: its reason" \
    contains_s "$(row serial8250)" "board file: protected: the legacy ports (a board-file exclusion)"
# The RTC comes back under another name on Debian 6.1 (rtc1: the old minor still taken at the
# rebind); whatever the kernel does, a node not back under its name says where it is now.
# The unbind-release runs first, so a node back elsewhere is what the unbind then holds.
rtc=$(row 00:05 | awk '{ print $2, $3, $4, $5 }')
case $rtc in
"rtc rtc_cmos pnp pass") check "the RTC: pass" true ;;
*) check "the RTC: fail, its node missing, and the name it has now" \
    sh -c '[ "$0" = "rtc rtc_cmos pnp fail" ] && case $1 in *"unbind-release: /dev/rtc0 missing (now /dev/rtc"*) ;; *) false ;; esac' \
    "$rtc" "$(row 00:05)" ;;
esac
check "the board was recovered after the hang" contains "$T/survey.out" "recovery done after"

# Each device's sequence is a run like any other; the UART's came after the hang's recovery.
i2c=$(q '[r["id"] for r in d if r["scenario"] == "survey/i2c/0000:00:1f.3/unbind"][0]' show runs)
i2cr=$(q '[r["id"] for r in d if r["scenario"] == "survey/i2c/0000:00:1f.3/unbind-release"][0]' show runs)
check "stored: the I2C unbind-release run, pass, its unbind returned after the release" \
    [ "$(q 'd["verdict"] + " " + " ".join(s["action"] + ":" + s["status"] for s in d["steps"])' show run "$i2cr")" = \
    "pass hold:ok unbind:started sleep:ok release:ok wait:ok bind:ok expect-present:ok" ]
uart=$(q '[r["id"] for r in d if r["scenario"] == "survey/tty/00:03/unbind"][0]' show runs)
check "stored: the I2C run, hang, with the i2c_del_adapter stack" \
    [ "$(q 'd["verdict"] + " " + str("i2c_del_adapter" in d["stack"])' show run "$i2c")" = "hang True" ]
check "stored: the I2C run's recovery" [ "$(q 'd["recovery"]' show run "$i2c")" = ready ]
check "stored: the UART run passed" [ "$(q 'd["verdict"]' show run "$uart")" = pass ]
check "... after the I2C run" [ "$uart" -gt "$i2c" ]
check "the UART's run held, unbound, released, bound and found its node again" \
    [ "$(q '" ".join(s["action"] + ":" + s["status"] for s in d["steps"])' show run "$uart")" = \
    "hold:ok unbind:ok release:ok bind:ok expect-present:ok" ]
check "matrix sees the survey's runs" \
    [ "$(q '"survey/i2c/0000:00:1f.3/unbind" in str(d) and "survey/tty/00:03/unbind" in str(d)' matrix)" = true ]
check "export sees the survey's runs" sh -c '"$0" export junit | grep -qF "survey/tty/00:03/unbind"' "$RIGCTL"
check "no run for an excluded device" [ "$(q 'str(any("00:04" in r["scenario"] or "serial8250" in r["scenario"] for r in d))' show runs)" = False ]

# --json: the same table, structured; a class with nothing to run runs nothing.
n=$(last_run)
"$RIGCTL" survey --board vq35 --class net --json > "$T/net.json"
rc=$?
check "--json --class net: exit 0" [ "$rc" -eq 0 ]
check "--json --class net: nothing ran" [ "$(last_run)" -eq "$n" ]
sj() { js "$1" < "$T/net.json"; }
check "--json: the board and the kernel" [ "$(sj 'd["board"] + " " + str(d["build"].startswith("6.1.0-"))')" = "vq35 True" ]
check "--json: rows with device, class, driver, bus, row and title" \
    [ "$(sj '[(r["device"], r["class"], r["driver"], r["bus"], r["row"]) for r in d["devices"] if r["device"] == "0000:00:02.0"]')" = \
    '[["0000:00:02.0", "net", "e1000", "pci", "excluded"]]' ]
check "--json: the console's exclusion" \
    [ "$(sj '[r["title"] for r in d["devices"] if r["device"] == "00:04"][0]')" = "console ttyS0 (the kernel's console)" ]
check "--json: only exclusions when no class asked for has a device to run" \
    [ "$(sj '[r["device"] for r in d["devices"] if r["row"] != "excluded"]')" = "[]" ]
check "--json: found and duration" [ "$(sj 'd["found"] >= 4 and d["duration_ms"] > 0')" = true ]
# Hold then poweroff, on the spare UART only (one shutdown and boot): the board comes back.
"$RIGCTL" survey --board vq35 --class tty --sequence poweroff --json > "$T/off.json"
rc=$?
oj() { js "$1" < "$T/off.json"; }
check "--sequence poweroff: exit 0" [ "$rc" -eq 0 ]
check "--sequence poweroff: the spare UART held through a clean shutdown: pass" \
    [ "$(oj '[[(s["sequence"], s["verdict"], s["scenario"]) for s in r["sequences"]] for r in d["devices"] if r["device"] == "00:03"][0]')" = \
    '[["poweroff", "pass", "survey/tty/00:03/poweroff"]]' ]
check "the board is READY at the end" wait_state vq35 READY 60

t_resume=$(date +%s)
# --- Resume: a survey cut short by a killed rigd goes on where it stopped after the restart.
# The I2C adapter's unbind hangs for its whole deadline: rigd is killed in the middle of that
# run (its first step stored), after the adapter's unbind-release ended and before the RTC.
# srun SURVEY: its runs as "scenario verdict" lines, oldest first (show surveys --json).
srun() { q "'\\n'.join(r['scenario'] + ' ' + str(r['verdict']) for v in d if v['id'] == $1 for r in v['runs'])" show surveys; }
# ended SURVEY: how many runs each of its sequences has with a verdict other than interrupted.
ended() { q "'\\n'.join(sorted('%s %d' % (s, n) for s, n in __import__('collections').Counter(r['scenario'] for v in d if v['id'] == $1 for r in v['runs'] if r['title'] != 'lab: interrupted').items()))" show surveys; }
kill_rigd() { kill -9 "$RIGD_PID"; wait "$RIGD_PID" 2>/dev/null; RIGD_PID=; }
n=$(last_run)
"$RIGCTL" survey --board vq35 --class i2c,rtc --sequence unbind-release,unbind > "$T/cut.out" 2>&1 &
cut=$!
check "a survey's second run (the I2C unbind) begins" wait_steps $((n + 2)) 1
kill_rigd
wait $cut
t0=$(date +%s)
rigd_start -b "$T/boards" || finish
sid=$(q 'd[0]["id"]' show surveys)
check "the cut survey ends after the restart, with no client" "$RIGCTL" wait survey "$sid" --timeout 300
echo "resumed survey $sid took $(($(date +%s) - t0)) s after the restart"
srun "$sid"
check "the resumed survey is done" [ "$(q "[v['state'] for v in d if v['id'] == $sid][0]" show surveys)" = done ]
check "none run twice, none missing: one ended run per device and sequence" \
    [ "$(ended "$sid" | tr '\n' ' ')" = "survey/i2c/0000:00:1f.3/unbind 1 survey/i2c/0000:00:1f.3/unbind-release 1 survey/rtc/00:05/unbind 1 survey/rtc/00:05/unbind-release 1 " ]
check "the run in flight was closed as interrupted and run again: hang" \
    [ "$(srun "$sid" | grep '^survey/i2c/0000:00:1f.3/unbind ' | tr '\n' ' ')" = "survey/i2c/0000:00:1f.3/unbind error survey/i2c/0000:00:1f.3/unbind hang " ]
check "the finished sequence kept its verdict from before the kill" \
    [ "$(q "[r['id'] for v in d if v['id'] == $sid for r in v['runs'] if r['scenario'].endswith('/unbind-release')][0]" show surveys)" = $((n + 1)) ]

# --- The nightly's survey entry on a registered build, whole (every class and sequence the
# board file allows), cut by a killed rigd in its I2C hang and resumed by the requeued job;
# its runs are what matrix and compare read.
B2=linux-image-6.1.0-55-amd64
"$RIGCTL" build add $B2 > "$T/add.out" 2>&1
check "build add $B2" contains "$T/add.out" "added"
n=$(last_run)
check "nightly queues the survey entry on vq35" sh -c "'$RIGCTL' nightly --builds $B2 \
    --scenarios survey --boards vq35 | grep -q '1 job(s) queued'"
check "the nightly survey's I2C unbind begins (after booting $B2)" "$RIGCTL" wait run $((n + 2)) --steps 1 --timeout 300
kill_rigd
t0=$(date +%s)
rigd_start -b "$T/boards" || finish
check "the nightly survey's job ends after the restart" "$RIGCTL" wait queue --empty --timeout 900
echo "the nightly survey took $(($(date +%s) - t0)) s after the restart"
nid=$(q 'd[0]["id"]' show surveys)
srun "$nid"
check "the nightly survey is its job's, done, on $B2" [ "$(q 'd[0]["build"] + " " + d[0]["state"] + " " + str(d[0]["queue_id"] is not None)' show surveys)" = "$B2 done True" ]
check "the nightly job is done, once" [ "$(q '[j["state"] for j in d["finished"] if j["scenario"] == "survey"]' show queue)" = '["done"]' ]
check "nightly: none run twice, none missing: every device and sequence once" \
    [ "$(ended "$nid" | tr '\n' ' ')" = "survey/i2c/0000:00:1f.3/poweroff 1 survey/i2c/0000:00:1f.3/unbind 1 survey/i2c/0000:00:1f.3/unbind-release 1 survey/rtc/00:05/poweroff 1 survey/rtc/00:05/unbind 1 survey/rtc/00:05/unbind-release 1 survey/tty/00:03/poweroff 1 survey/tty/00:03/unbind 1 survey/tty/00:03/unbind-release 1 " ]
"$RIGCTL" matrix --board vq35 --json > "$T/matrix.json"
check "matrix --json: the nightly survey's I2C hang on $B2" [ "$(js '[c["verdict"] for r in d["rows"] if r["build"] == "'$B2'" for c, k in zip(r["cells"], d["columns"]) if c and k["scenario"] == "survey/i2c/0000:00:1f.3/unbind"]' < "$T/matrix.json")" = '["hang"]' ]
"$RIGCTL" compare linux-image-6.1.0-56-amd64 $B2 --json > "$T/compare.json"
check "compare --json: the survey's sequences on both builds (the UART still passing)" \
    [ "$(js '[r["category"] for r in d["results"] if r["scenario"] == "survey/tty/00:03/unbind"]' < "$T/compare.json")" = '["still-passing"]' ]
check "compare --json: the I2C unbind still failing" \
    [ "$(js '[r["category"] for r in d["results"] if r["scenario"] == "survey/i2c/0000:00:1f.3/unbind"]' < "$T/compare.json")" = '["still-failing"]' ]
echo "the resume and nightly survey checks took $(($(date +%s) - t_resume)) s"
finish
