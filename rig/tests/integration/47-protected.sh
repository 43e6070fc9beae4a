# A board that protects a device: a scenario that would unbind it is refused before anything
# runs (the board stays OFF, is never booted, no run is stored), with the error kind naming
# board, class, device and reason, and exit status 2; a scenario that leaves the device bound
# still runs on the same board. A nightly job whose scenario was changed after the nightly was
# planned (a reload) is refused when its turn comes, before its build is booted, and its end is
# stored. vqp is vq35 with its I2C controller listed as protected, as an R-Car board lists the
# bus of its PMIC.
. rig/tests/integration/lib.sh

with_test_scenarios
cat > "$SCENDIR/guarded.yaml" <<'YAML'
name: guarded
steps:
  - hold: i2c
  - expect-present: i2c
YAML

mkdir -p "$T/boards"
sed -e 's/^name: vq35 /name: vqp /' boards/vq35.yaml > "$T/boards/vqp.yaml"
cat >> "$T/boards/vqp.yaml" <<'YAML'
protected:
  - { device: "0000:00:1f.3", why: "stands for the bus of a PMIC" }
YAML
check "rigd -n serves the board with a protected device" \
    "$RIGD" -n -b "$T/boards" -c scenarios -S "$T" -B vqp
"$RIGD" -n -v -b "$T/boards" -c scenarios -S "$T" -B vqp > "$T/plan.out" 2>&1
check "rigd -n -v: the board runs uart-unbind" contains "$T/plan.out" "  runs uart-unbind"
check "rigd -n -v: it names why it cannot run i2c-unbind" contains "$T/plan.out" \
    "  cannot run i2c-unbind: board vqp refuses i2c-unbind: step 2 unbinds devices.i2c (0000:00:1f.3), protected: stands for the bus of a PMIC"
check "rigd -n -v: holding the device is fine (i2c-poweroff runs)" contains "$T/plan.out" \
    "  runs i2c-poweroff"
check "rigd -n -v prints the protected list back" contains "$T/plan.out" \
    '  - { device: "0000:00:1f.3", why: "stands for the bus of a PMIC" }'
check "rigd -n: no board offers i2c-unbind" contains "$T/plan.out" "scenario i2c-unbind boards (none)"

BOARDS=vqp rigd_start -b "$T/boards" || finish
check "the board starts OFF" wait_state vqp OFF 30

"$RIGCTL" run i2c-unbind --board vqp --json > "$T/refused.json" 2> "$T/refused.err"
rc=$?
cat "$T/refused.json" "$T/refused.err"
check "rigctl run i2c-unbind on the protecting board exits 2" [ "$rc" -eq 2 ]
res() { tail -n 1 "$T/refused.json" | js "$1"; }
check "the answer is the result, nothing before it (no start, no step)" \
    [ "$(wc -l < "$T/refused.json")" -eq 1 ]
check "status denied" [ "$(res 'd["status"]')" = denied ]
check "error kind: scenario: protected device" [ "$(res 'd["kind"]')" = "scenario: protected device" ]
check "the error names board, scenario, step, class, device and why" [ "$(res 'd["error"]')" = \
    "board vqp refuses i2c-unbind: step 2 unbinds devices.i2c (0000:00:1f.3), protected: stands for the bus of a PMIC" ]

# Without --board: the only board with an i2c device refuses it, and says so.
"$RIGCTL" run i2c-unbind-release --json > "$T/refused2.json" 2>&1
rc=$?
check "without --board: exit 2" [ "$rc" -eq 2 ]
check "without --board: the protecting board's refusal" [ "$(tail -n 1 "$T/refused2.json" | js 'd["kind"]')" = "scenario: protected device" ]

check "the board never left OFF" [ "$(q '[b["state"] for b in d if b["name"] == "vqp"][0]' show boards)" = OFF ]
check "the board was never booted" [ "$(q 'len(d)' show boots)" -eq 0 ]
check "no run was stored" [ "$(last_run)" -eq 0 ]

# A scenario that leaves the protected device bound runs on the same board.
"$RIGCTL" run uart-unbind --board vqp > "$T/uart.out" 2>&1
rc=$?
cat "$T/uart.out"
check "uart-unbind on the same board passes (exit 0)" [ "$rc" -eq 0 ]
check "that run is the only one stored" [ "$(last_run)" -eq 1 ]
"$RIGCTL" run i2c-unbind --board vqp --json > "$T/refused3.json" 2>&1
rc=$?
check "refused again with the board READY (exit 2)" [ "$rc" -eq 2 ]
check "still one run stored" [ "$(last_run)" -eq 1 ]

# The nightly path: planned with a scenario that only holds the device, changed to unbind it
# while the board is busy with another run, reloaded; the job is refused at its turn.
"$RIGCTL" build add linux-image-6.1.0-56-amd64 > "$T/add.out" 2>&1
check "build add: exit 0" [ $? -eq 0 ]
boots=$(q 'len(d)' show boots)
"$RIGCTL" run sleepy --board vqp > "$T/sleepy.out" 2>&1 &
sleepy=$!
check "the board is busy with sleepy" wait_steps 2 1
"$RIGCTL" nightly --scenarios guarded --boards vqp > "$T/nightly.out" 2>&1
cat "$T/nightly.out"
check "the nightly queues the job (guarded only holds the device)" contains "$T/nightly.out" \
    "1 job(s) queued"
cat > "$SCENDIR/guarded.yaml" <<'YAML'
name: guarded
steps:
  - hold: i2c
  - unbind: i2c
YAML
kill -HUP "$RIGD_PID"
check "the reload was served" "$RIGCTL" wait reload 1 --timeout 30
wait "$sleepy"
check "the queue empties" "$RIGCTL" wait queue --empty --timeout 120
"$RIGCTL" show queue --json > "$T/queue.json"
"$RIGCTL" show run 3 --json > "$T/run3.json"
cat "$T/queue.json" "$T/run3.json"
check "the nightly job ended in error: scenario: protected device" \
    [ "$(js '[j["state"] + "|" + j["note"] for j in d["finished"] if j["scenario"] == "guarded"][0]' < "$T/queue.json")" = \
    "error|scenario: protected device" ]
check "its stored run says why, naming board, step and device" \
    [ "$(js 'd["verdict"] + "|" + d["title"] + "|" + d["detail"]' < "$T/run3.json")" = \
    "error|scenario: protected device|board vqp refuses guarded: step 2 unbinds devices.i2c (0000:00:1f.3), protected: stands for the bus of a PMIC" ]
check "no step of it ran" [ "$(js 'len(d["steps"])' < "$T/run3.json")" -eq 0 ]
check "the board was not booted for it" [ "$(q 'len(d)' show boots)" -eq "$boots" ]
finish
