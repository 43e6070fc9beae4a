# QEMU dies during a run: the verdict is error (a lab failure, not a kernel result), the daemon
# keeps serving, and the board is recovered.
#@ alone: QEMU's death noticed within 5 s
. rig/tests/integration/lib.sh

with_test_scenarios
# A second board whose kernel cannot be had: its failure must stay its own.
mkdir -p "$T/boards"
cp boards/vq35.yaml "$T/boards/"
sed -e 's/^name: vq35/name: vbroken/' -e 's/linux-image-6.1.0-[0-9]*-amd64/linux-image-6.1.0-99-amd64/' \
    boards/vq35.yaml > "$T/boards/vbroken.yaml"
BOARDS=vq35,vbroken rigd_start -b "$T/boards" || finish
"$RIGCTL" run i2c-unbind-release --board vbroken > "$T/broken.out" 2>&1
rc=$?
cat "$T/broken.out"
check "a board that cannot boot: lab error (exit 2)" [ "$rc" -eq 2 ]
check "a board that cannot boot: the error names the kernel" contains "$T/broken.out" "linux-image-6.1.0-99-amd64"
check "that board is out of service (FAULT) with the reason" [ "$(q 'str([b["state"] for b in d if b["name"] == "vbroken" and "boot failed" in b["reason"]])' show boards)" = "['FAULT']" ]
"$RIGCTL" run i2c-unbind-release --board vbroken > "$T/broken2.out" 2>&1
rc=$?
check "a run on a FAULT board is refused at once (exit 2)" [ "$rc" -eq 2 ]
check "a run on a FAULT board is refused: out of service" contains "$T/broken2.out" "out of service"
run=$(( $(last_run) + 1 ))
"$RIGCTL" run sleepy > "$T/run.out" 2>&1 &
ctl=$!
check "the sleepy run's first step is done" wait_steps "$run" 1
pkill -9 -f "qemu-system.*$T/"
t0=$(date +%s)
wait "$ctl"
rc=$?
cat "$T/run.out"
check "verdict error, exit 2" [ "$rc" -eq 2 ]
check "verdict error, said" contains "$T/run.out" "verdict: error"
check "the error says the board died" contains "$T/run.out" "lab: board died"
check "noticed within 5s, not at the end of the sleep" [ $(( $(date +%s) - t0 )) -le 5 ]
check "stored as error" [ "$(q 'd["verdict"]' show run "$run")" = error ]
check "rigd still serves" "$RIGCTL" ping
check "the board is recovered (READY)" wait_state vq35 READY 120
"$RIGCTL" run i2c-unbind-release > "$T/run2.out" 2>&1
rc=$?
check "and the next run passes" [ "$rc" -eq 0 ]
finish
