# rigd killed with SIGKILL during a run: the run is recorded as error "interrupted" (never lost,
# never left running), its QEMU does not outlive the daemon, and the board is brought back.
. rig/tests/integration/lib.sh

with_test_scenarios
rigd_start || finish
"$RIGCTL" run sleepy > "$T/run.out" 2>&1 &
ctl=$!
check "the run's first step is done" wait_steps 1 1
check "the run is under way" [ "$(q 'd["state"]' show run 1)" = running ]
qemus=$(pgrep -f "qemu-system.*$T/")
check "the board's QEMU runs" [ -n "$qemus" ]
kill -9 "$RIGD_PID"
wait "$RIGD_PID" 2>/dev/null
RIGD_PID=
wait "$ctl"
rc=$?
check "rigctl says the daemon went away (exit 2)" [ "$rc" -eq 2 ]
check "rigctl says rigd hung up" contains "$T/run.out" "hung up"
for p in $qemus; do
	wait_exit "$p" 10
done
check "QEMU died with its rigd" [ -z "$(pgrep -f "qemu-system.*$T/")" ]

rigd_start || finish
check "the run is closed as error: interrupted" [ "$(q 'd["state"] + "|" + d["verdict"] + "|" + d["title"]' show run 1)" = "done|error|lab: interrupted" ]
"$RIGCTL" show runs > "$T/runs.out"
check "show runs lists it" contains "$T/runs.out" "interrupted"
check "the board is recovered (READY)" wait_state vq35 READY 120
"$RIGCTL" run i2c-unbind-release > "$T/run2.out" 2>&1
rc=$?
check "and the next run passes" [ "$rc" -eq 0 ]
finish
