# QEMU dies during a run: the verdict is error (a lab failure, not a kernel result), the daemon
# keeps serving, and the board is recovered.
. rig/tests/integration/lib.sh

with_test_scenarios
rigd_start || finish
"$RIGCTL" run sleepy > "$T/run.out" 2>&1 &
ctl=$!
wait_steps 1 1
pkill -9 -f "qemu-system.*$T/"
t0=$(date +%s)
wait "$ctl"
rc=$?
cat "$T/run.out"
check "verdict error, exit 2" [ "$rc" -eq 2 ] && contains "$T/run.out" "verdict: error"
check "the error says the board died" contains "$T/run.out" "lab: board died"
check "noticed within 5s, not at the end of the sleep" [ $(( $(date +%s) - t0 )) -le 5 ]
check "stored as error" [ "$(sql "SELECT verdict FROM runs WHERE id=1")" = error ]
check "rigd still serves" "$RIGCTL" ping
check "the board is recovered (READY)" wait_state vq35 READY 120
"$RIGCTL" run i2c-unbind-release > "$T/run2.out" 2>&1
check "and the next run passes" [ $? -eq 0 ]
finish
