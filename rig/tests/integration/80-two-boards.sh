# Two boards at once (vq35 and vsabre): runs in parallel, a SIGHUP reload while both hold
# scenarios, and a clean stop that powers both off and closes every run. A third board names
# parts this rigd lacks: it is refused (FAULT, file:line) and the others are served. Under
# ThreadSanitizer (make tsan) rigd's log must hold no report.
. rig/tests/integration/lib.sh

mkdir -p "$T/boards"
cp boards/vq35.yaml boards/vsabre.yaml "$T/boards/"
# falcon, with a power backend no rigd has (line 16 of its file), without the gpio keys and
# their site: values.
sed -e 's/backend: gpio .*/backend: nonesuch/' -e '/^  chip:/d' -e '/^  line:/d' \
    -e '/^  active-low:/d' -e '/^  gpio-chip:/d' -e '/^  gpio-line:/d' boards/falcon.yaml \
    > "$T/boards/falcon.yaml"
BOARDS=vq35,vsabre,falcon rigd_start -b "$T/boards" || finish
"$RIGCTL" show boards > "$T/boards0.out" 2>&1
cat "$T/boards0.out"
check "a board naming a power backend this rigd lacks is FAULT, at its file and line" \
    grep -q "^falcon .*FAULT .*falcon.yaml:16: power.backend nonesuch" "$T/boards0.out"

"$RIGCTL" run mtd-unbind --board vsabre > "$T/mtd.out" 2>&1 &
mtd=$!
"$RIGCTL" run uart-unbind --board vq35 > "$T/uart.out" 2>&1 &
uart=$!
# Both jobs hold the scenario set they were queued with; the reload swaps in a new one.
kill -HUP "$RIGD_PID"
wait "$uart"
rc_uart=$?
wait "$mtd"
rc_mtd=$?
cat "$T/uart.out" "$T/mtd.out"
check "vq35 uart-unbind passes beside the other board (exit 0)" [ "$rc_uart" -eq 0 ]
check "vsabre mtd-unbind: verdict crash (exit 1)" [ "$rc_mtd" -eq 1 ]
check "vsabre mtd-unbind: the crash was seen on its own console" contains "$T/mtd.out" "mtd_proc_show"
check "the reload was served" "$RIGCTL" wait reload 1 --timeout 30
"$RIGCTL" show boards > "$T/boards.out" 2>&1
check "both boards are listed" grep -q "^vq35 " "$T/boards.out"
check "both boards are listed (vsabre)" grep -q "^vsabre " "$T/boards.out"
"$RIGCTL" run i2c-unbind --board falcon > "$T/falcon.out" 2>&1
rc=$?
check "the refused board takes no run" [ "$rc" -ne 0 ]
check "the refused board says it is out of service" contains "$T/falcon.out" "out of service"

# vsabre recovers from its crash meanwhile: the stop cuts that boot short.
kill "$RIGD_PID"
check "rigd stops within a minute with a board booting" wait_exit "$RIGD_PID" 60
wait "$RIGD_PID"
rc=$?
RIGD_PID=
check "rigd exits 0 after joining its board threads" [ "$rc" -eq 0 ]
check "no QEMU of this test outlives rigd" sh -c '! pgrep -f "qemu-system.*$0/" > /dev/null' "$T"
check "rigd logged its stop" contains "$T/rigd.log" "stopping"
check "no ThreadSanitizer report in rigd's log" sh -c '! grep -q "WARNING: ThreadSanitizer" "$0"' "$T/rigd.log"
finish
