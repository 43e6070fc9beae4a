# A full disk (the state directory on a small tmpfs the test fills): a run that cannot be
# recorded is refused before it starts, with the reason; a run whose end cannot be stored puts
# its board in FAULT and is said unrecorded; its end is stored once there is room, or by the
# next rigd, with its verdict, and it is not run again. Also: rigctl console on a terminal (a
# pty) shows the board's escape sequences as text; --raw passes them.
. rig/tests/integration/lib.sh

small_state 4
state() { q "str([b[\"$1\"] for b in d if b[\"name\"] == \"vq35\"][0])" show boards; }

with_test_scenarios
cat > "$T/scen/escapes.yaml" <<'Y'
# escapes: the board prints escape sequences on its console (a window title, colours).
name: escapes
steps:
  - shell: 'printf "\033]0;owned\007\033[31mRIG-RED\033[0m escapes-done\n" > /dev/ttyS0'
Y
rigd_start -S "$ST" -s "$RIG_SOCKET" -L 64M,1 || finish
# A log of another boot, dated after the live one will be: over a total of 1 byte (-L) it is
# removed when the board boots, and the live log, older, would go first were it not kept.
mkdir -p "$ST/console/vq35"
echo "an earlier boot" > "$ST/console/vq35/boot-1-0001.log"
touch -d tomorrow "$ST/console/vq35/boot-1-0001.log"
check "the board boots" sh -c "\"$RIGCTL\" power vq35 on > /dev/null"
check "lab total: the other log is removed" [ ! -e "$ST/console/vq35/boot-1-0001.log" ]
check "lab total: the live log is kept, and written" [ -s "$(state console_log)" ]

# console_pty ARGS: rigctl console vq35 ARGS with a pty as its standard output while the board
# runs escapes; prints what the terminal got (Python's repr of the bytes).
console_pty() {
	/usr/bin/python3 - "$RIGCTL" "$@" <<'PY'
import os, pty, select, subprocess, sys, time
rigctl, extra = sys.argv[1], sys.argv[2:]
m, s = pty.openpty()
p = subprocess.Popen([rigctl, "console", "vq35"] + extra, stdout=s, stderr=subprocess.PIPE)
os.close(s)
line = p.stderr.readline()          # "rigctl: console attached (read-only)"
got = b""
if b"attached" in line:
    subprocess.run([rigctl, "run", "escapes"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while b"escapes-done" not in got and time.time() < deadline:
        if select.select([m], [], [], 1)[0]:
            try:
                got += os.read(m, 65536)
            except OSError:
                break
p.kill()
p.wait()
print(repr(got))
PY
}
got=$(console_pty)
check "console on a terminal: the board's text arrives" contains_s "$got" "RIG-RED"
check "console on a terminal: no escape byte reaches it" [ "${got#*\\x1b}" = "$got" ]
check "console on a terminal: a colour shows as text" contains_s "$got" "^[[31mRIG-RED^[[0m"
check "console on a terminal: a title change shows as text" contains_s "$got" "^[]0;owned^G"
got=$(console_pty --raw)
check "console --raw: the bytes as the board sent them" contains_s "$got" "\\x1b[31mRIG-RED\\x1b[0m"

# Full before the run: refused, with the reason, and nothing recorded or run.
runs0=$(last_run)
fill
"$RIGCTL" run i2c-unbind-release > "$T/full.out" 2>&1
rc=$?
cat "$T/full.out"
check "disk full: a run that cannot be recorded is refused (exit 2)" [ "$rc" -eq 2 ]
check "disk full: refused as store: failed" contains "$T/full.out" "store: failed"
check "disk full: refused with the store's reason" contains "$T/full.out" "full"
check "disk full: the run did not start" sh -c "! grep -q '^run ' '$T/full.out'"
check "disk full: no run recorded" [ "$(last_run)" = "$runs0" ]
check "disk full: the board is still READY" [ "$(state state)" = READY ]
unfill

# Full when the run ends: FAULT, unrecorded; stored once there is room.
run=$(( $(last_run) + 1 ))
"$RIGCTL" run sleepy > "$T/sleepy.out" 2>&1 &
ctl=$!
check "sleepy's first step is done" wait_steps "$run" 1
fill
wait "$ctl"
rc=$?
cat "$T/sleepy.out"
check "end not stored: exit 2" [ "$rc" -eq 2 ]
check "end not stored: the verdict is still said" contains "$T/sleepy.out" "verdict: pass"
check "end not stored: said unrecorded, with the reason" contains "$T/sleepy.out" "full"
check "end not stored: the run is unrecorded" contains "$T/sleepy.out" "the run is unrecorded"
check "the board is in FAULT" wait_state vq35 FAULT 30
check "FAULT says why" contains_s "$(state reason)" "the run is unrecorded"
check "the run is not ended in the store yet" [ "$(q 'd["state"]' show run "$run")" = running ]
unfill
check "room again: the end is stored" sh -c "\"$RIGCTL\" wait run $run --done --timeout 30 > /dev/null"
check "room again: with its verdict" [ "$(q 'd["verdict"]' show run "$run")" = pass ]
check "room again: marked as stored late" contains_s "$(q 'd["detail"]' show run "$run")" "stored late"
check "room again: the steps the full disk refused are stored too" \
    [ "$(q 'str(len(d["steps"]))' show run "$run")" = 3 ]

# Full when the run ends and still full when rigd stops: the next rigd stores it, no re-run.
"$RIGCTL" power vq35 on > /dev/null 2>&1
check "power on: the board serves again" wait_state vq35 READY 120
run2=$(( $(last_run) + 1 ))
"$RIGCTL" run sleepy > "$T/sleepy2.out" 2>&1 &
ctl=$!
check "second sleepy's first step is done" wait_steps "$run2" 1
fill
wait "$ctl"
check "second end not stored: FAULT" wait_state vq35 FAULT 30
rigd_stop
check "at stop the end is kept for the next start" contains "$T/rigd.log" "kept in $ST/unrecorded-runs"
unfill
rigd_start -S "$ST" -s "$RIG_SOCKET" || finish
check "the next rigd stores the kept end" contains "$T/rigd.log" "run $run2: its end (pass) stored from"
check "with its verdict, not as interrupted" [ "$(q 'd["verdict"]' show run "$run2")" = pass ]
check "said where it came from" contains_s "$(q 'd["detail"]' show run "$run2")" "unrecorded-runs"
check "no run added: nothing is run again" [ "$(last_run)" = "$run2" ]
check "no power cycle for a run left open: the board stays OFF" [ "$(state state)" = OFF ]
finish
