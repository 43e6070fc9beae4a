# The platform-bus board: vsabre (QEMU sabrelite, i.MX6Q) on an unmodified Debian armmp kernel.
# SPI-NOR behind spi-nor and I2C behind imx-i2c, like R-Car. Boots are few: the scenarios are
# ordered so that each recovery serves as the next scenario's boot.
. rig/tests/integration/lib.sh

HTTP_PORT=$(free_port)
BOARDS=vsabre rigd_start -H 127.0.0.1:$HTTP_PORT || finish
DASH=http://127.0.0.1:$HTTP_PORT

"$RIGCTL" run cut-while-open --board vsabre > "$T/cut.out" 2>&1
rc=$?
cat "$T/cut.out"
check "cut-while-open: device present (exit 0)" [ "$rc" -eq 0 ]
check "cut-while-open: READY again after the cut" contains "$T/cut.out" "READY again after"

"$RIGCTL" run i2c-poweroff --board vsabre > "$T/off.out" 2>&1
rc=$?
cat "$T/off.out"
v=$(q '" ".join(r["verdict"] or "-" for r in d if r["scenario"] == "i2c-poweroff")' show runs)
echo "i2c-poweroff on vsabre: verdict $v"
check "i2c-poweroff: exit 0 or 1 (not a lab error)" [ "$rc" -le 1 ]
check "i2c-poweroff: one run stored with a kernel verdict" sh -c 'case "$0" in pass|fail|hang|crash) ;; *) exit 1 ;; esac' "$v"
check "i2c-poweroff started from a fresh boot" contains "$T/off.out" "fresh boot"

"$RIGCTL" run mtd-unbind --board vsabre > "$T/mtd.out" 2>&1
rc=$?
cat "$T/mtd.out"
check "mtd-unbind: exit 1" [ "$rc" -eq 1 ]
check "mtd-unbind: verdict crash" contains "$T/mtd.out" "verdict: crash"
check "mtd-unbind: syzbot-style title at mtd_proc_show" contains "$T/mtd.out" "title: BUG: unable to handle kernel paging request in mtd_proc_show"
check "mtd-unbind: the slab poison in the report" contains "$T/mtd.out" "6b6b6b6b"
check "mtd-unbind: the build is the armmp kernel" contains "$T/mtd.out" "kernel: Linux version 6.1.0-50-armmp"
check "crash stored, grouped by title" [ "$(q 'sum(c["count"] for c in d if c["title"].endswith("mtd_proc_show"))' show crashes)" -ge 1 ]
mtd=$(last_run)
dash_pages crashes:/crashes mtd:/runs/$mtd
check "the crash groups page loads in Chromium" dash_loaded crashes
check "... with the MTD crash's title" contains "$T/dash-crashes.html" \
    "BUG: unable to handle kernel paging request in mtd_proc_show"
check "... seen on vsabre" grep -q '<td>vsabre</td>' "$T/dash-crashes.html"
check "the crash's run page loads" dash_loaded mtd
/usr/bin/python3 -c 'import re, sys
m = re.search(r"<mark id=\"report\">(.*?)</mark>", open(sys.argv[1]).read(), re.S)
print(m.group(1) if m else "")' "$T/dash-mtd.html" > "$T/mtd-mark.txt"
check "... its console excerpt marks the report line" contains "$T/mtd-mark.txt" \
    "Unable to handle kernel paging request"
check "... and marks the guilty frame in the stack or names it" contains "$T/dash-mtd.html" "mtd_proc_show"
cat "$T/dash.times"

"$RIGCTL" run i2c-unbind --board vsabre > "$T/i2c.out" 2>&1
rc=$?
cat "$T/i2c.out"
check "after the crash the board recovered: the next run is a kernel verdict" [ "$rc" -eq 1 ]
check "i2c-unbind through imx-i2c: hang in i2c_del_adapter" contains "$T/i2c.out" "title: INFO: task hung in i2c_del_adapter"
check "the stack comes from sysrq-w on the console" contains "$T/i2c.out" "i2c_imx_remove"
check "recovered after the hang: READY" wait_state vsabre READY 120
finish
