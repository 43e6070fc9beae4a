# vbench's serial adapter as a lab loses it: unplugged during a run and plugged back (the run is a
# lab error naming the console, the board comes back by itself), held by another serial program
# (the board waits for the line, then boots), and unplugged for good (FAULT; rigd and its other
# boards go on). Boards of the test's own; the adapter is firmware/vbench/adapter.
#@ alone: U-Boot's stage deadlines, as 65-vbench
. rig/tests/integration/lib.sh

with_test_scenarios
vbench_board vbc || finish
# A second board that stays off: what one board's lost line must not touch.
vbench_board vbd || finish
# Lock files in the test's own folder, as minicom or picocom leave them in /run/lock.
mkdir -p "$T/lock"
for b in vbc vbd; do
	sed -i "/^  baud: /a\\  lockdir: $T/lock" "$T/boards/$b.yaml"
done
BOARDS=vbc,vbd rigd_start -b "$T/boards" || finish

# state BOARD: its state and reason as show boards says them.
state() { q "[b[\"state\"] + \": \" + b[\"reason\"] for b in d if b[\"name\"] == \"$1\"][0]" show boards; }

# 1. Another serial program holds the line (a uucp lock, as minicom takes it) at the first power-on.
real=$(readlink -f "$T/vbc/ttyUSB0")
mkfifo "$T/holder.in" "$T/holder.out"
/usr/bin/python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
with open(sys.argv[2], "x") as f:
    f.write("%10d\n" % os.getpid())
print("held", flush=True)
sys.stdin.read()
os.unlink(sys.argv[2])' "$real" "$T/lock/LCK..${real##*/}" < "$T/holder.in" > "$T/holder.out" 2>&1 &
holder=$!
# The holder reads its stdin until the test lets go; it says "held" once the lock is taken.
exec 7> "$T/holder.in"
read -r said < "$T/holder.out"
check "another program holds vbc's tty ($said)" [ "$said" = held ]
"$RIGCTL" run i2c-unbind-release --board vbc --json > "$T/held.json" 2>&1
rc=$?
check "held by another program: the run is a lab error (exit 2)" [ "$rc" -eq 2 ]
reason=$(state vbc)
echo "vbc while held: $reason"
check "held: FAULT naming the holder and its lock" contains_s "$reason" "is held by process $holder"
exec 7>&-
wait "$holder"
check "let go: vbc boots by itself and is READY" wait_state vbc READY 120

# 2. Unplugged during a run, plugged back.
run=$(( $(last_run) + 1 ))
"$RIGCTL" run sleepy --board vbc --json > "$T/sleepy.json" 2>&1 &
sleepy=$!
check "the sleepy run on vbc is under way" wait_steps "$run" 1
adapter_unplug vbc
check "the sleepy run ends" wait_exit "$sleepy" 120
wait "$sleepy"
rc=$?
check "unplugged mid-run: the run is a lab error (exit 2)" [ "$rc" -eq 2 ]
check "unplugged mid-run: verdict error" [ "$(q 'd["verdict"]' show run "$run")" = error ]
said=$(q 'd["title"] + ": " + (d.get("detail") or "")' show run "$run")
echo "run $run: $said"
check "unplugged mid-run: the error is the console's" contains_s "$said" "lab: console lost"
check "unplugged mid-run: naming the console" contains_s "$said" "console tty lost"
echo "vbc after the unplug: $(state vbc)"
check "unplugged: the board is FAULT, saying the adapter is gone" wait_state vbc FAULT 60
adapter_plug vbc
check "plugged back: vbc is READY again without a restart" wait_state vbc READY 120
"$RIGCTL" run i2c-unbind-release --board vbc --json > "$T/after.json" 2>&1
check "plugged back: a run on vbc passes" [ $? -eq 0 ]
# A run that ends holding the device leaves nothing held: the next unbind returns.
"$RIGCTL" run hold-and-leave --board vbc --json > "$T/leave.json" 2>&1
check "a run that ends holding /dev/i2c-0 passes" [ $? -eq 0 ]
"$RIGCTL" run i2c-unbind-release --board vbc --json > "$T/next.json" 2>&1
check "the next run's unbind does not hang on what it left (exit 0)" [ $? -eq 0 ]

# 3. Unplugged for good while READY.
adapter_unplug vbc
check "unplugged for good: vbc goes FAULT" wait_state vbc FAULT 30
reason=$(state vbc)
echo "vbc unplugged: $reason"
check "unplugged for good: the reason names the console" contains_s "$reason" "console tty lost"
check "rigd still answers" "$RIGCTL" ping
check "the other board is untouched (OFF)" [ "$(q '[b["state"] for b in d if b["name"] == "vbd"][0]' show boards)" = OFF ]
finish
