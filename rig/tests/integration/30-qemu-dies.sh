# QEMU dies during a run: the verdict is error (a lab failure, not a kernel result), the daemon
# keeps serving, and the board is recovered.
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
check "a board that cannot boot: lab error (exit 2) naming the kernel" [ "$rc" -eq 2 ] && contains "$T/broken.out" "linux-image-6.1.0-99-amd64"
check "that board is out of service (FAULT) with the reason" sh -c '"$0" show boards | grep -q "^vbroken .*FAULT .*boot failed"' "$RIGCTL"
"$RIGCTL" run i2c-unbind-release --board vbroken > "$T/broken2.out" 2>&1
check "a run on a FAULT board is refused at once (busy)" [ $? -eq 2 ] && contains "$T/broken2.out" "out of service"
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
