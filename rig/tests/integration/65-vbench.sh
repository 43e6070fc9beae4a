# vbench, the virtual board wired like a real one: U-Boot fetches the kernel over TFTP, the console
# is a serial adapter's tty, a PDU command switches it. It gives vq35's hang verdict and comes back
# through the PDU and U-Boot; each way the real-board path fails faults that board alone, with
# the reason quoting U-Boot or the PDU. Boards of the test's own: files, adapters, ports, folders.
#@ alone: U-Boot's stage deadlines (4 s to the autoboot line) hold for a board that is not slowed by another's boot
. rig/tests/integration/lib.sh

vbench_board vbench || finish
# Each fault a board of its own, with short stage timeouts: the board retries once.
vbench_board vb-noauto
sed -i '/^  method: uboot-tftp/a\  autoboot: "Press the magic key"\n  autoboot-timeout: 4s' "$T/boards/vb-noauto.yaml"
vbench_board vb-noprompt
sed -i '/^  method: uboot-tftp/a\  prompt: "vbench> "\n  prompt-timeout: 3s' "$T/boards/vb-noprompt.yaml"
# The server's root named one folder too high: U-Boot asks for vb-notftp/vmlinuz, which QEMU's
# TFTP (serving the board's folder itself) has not.
vbench_board vb-notftp
sed -i "/^  method: uboot-tftp/a\\  tftp-root: $T/tftp\n  tftp-timeout: 20s" "$T/boards/vb-notftp.yaml"
# The initrd loaded over the kernel: zboot finds no kernel there (a bad image), and U-Boot is
# back at its prompt.
vbench_board vb-badimage
sed -i 's|^  initrd-addr: .*|  initrd-addr: "0x1000000"|' "$T/boards/vb-badimage.yaml"
# The kernel's console on another UART: after "Starting kernel" this one stays silent.
vbench_board vb-silent
sed -i -e 's|^  append: console=ttyS0,115200|  append: console=ttyS3,115200|' \
    -e '/^  method: uboot-tftp/a\  kernel-timeout: 6s' "$T/boards/vb-silent.yaml"
# The PDU's on fails (QEMU cannot load its BIOS) and hangs (past the command timeout).
vbench_board vb-pdufail
sed -i 's|^  on: \[\([^,]*\), "on",|  on: [\1, "on", --bios, /nonexistent/u-boot.rom,|' "$T/boards/vb-pdufail.yaml"
vbench_board vb-pduhang
sed -i -e 's|^  on: .*|  on: [sleep, "60"]|' -e 's|^  timeout: 20s|  timeout: 2s|' "$T/boards/vb-pduhang.yaml"

BOARDS=vbench,vb-noauto,vb-noprompt,vb-notftp,vb-badimage,vb-silent,vb-pdufail,vb-pduhang rigd_start -b "$T/boards" || finish

# The first use boots it: power on through the PDU, U-Boot, TFTP, the kernel.
run=$(( $(last_run) + 1 ))
"$RIGCTL" run i2c-unbind --board vbench --json > "$T/hang.json" 2>&1
rc=$?
check "i2c-unbind on vbench: exit 1 (the kernel hung)" [ "$rc" -eq 1 ]
stored() { q "$1" show run "$run"; }
check "vbench: verdict hang" [ "$(stored 'd["verdict"]')" = hang ]
check "vbench: vq35's title" [ "$(stored 'd["title"]')" = "INFO: task hung in i2c_del_adapter" ]
check "vbench: vq35's stack (i2c_del_adapter <- i801_remove)" \
    [ "$(stored 'str("i2c_del_adapter" in d["stack"] and "i801_remove" in d["stack"])')" = True ]
log=$(stored 'd["console_log"]')
check "boot log: U-Boot's banner, captured from power-on" contains "$log" "U-Boot 2023.01"
check "boot log: the autoboot was stopped" contains "$log" "Hit any key to stop autoboot"
check "boot log: the kernel came over TFTP" contains "$log" "Filename 'vmlinuz'."
check "boot log: and the initrd" contains "$log" "Filename 'initrd.gz'."
check "boot log: TFTP counted the bytes" contains "$log" "Bytes transferred = "
check "boot log: zboot started the kernel" contains "$log" "Starting kernel ..."
check "boot log: the board's init said ready" contains "$log" "rig-board: ready"
check "the staged files are readable by a TFTP server (0644)" \
    [ "$(stat -c %a "$T/tftp/vbench/vmlinuz" "$T/tftp/vbench/initrd.gz")" = "644
644" ]
check "the PDU's commands are in the event log" \
    [ "$(q 'str(any(e["board"] == "vbench" and e["reason"].startswith("power on: ") and "exit 0" in e["reason"] for e in d))' show events)" = True ]
check "after the hang: READY again through the PDU and U-Boot" wait_state vbench READY 120
"$RIGCTL" run cut-while-open --board vbench --json > "$T/cut.json" 2>&1
rc=$?
check "cut-while-open on vbench passes (exit 0)" [ "$rc" -eq 0 ]
check "cut-while-open: the power cut went through the PDU's off and on" \
    [ "$(q 'str(sum(1 for e in d if e["board"] == "vbench" and e["reason"].startswith("power off: ")) >= 2)' show events)" = True ]
check "vbench READY after the cut" wait_state vbench READY 60
q 'str([(b["ready_ms"], b["why"]) for b in d if b["board"] == "vbench" and b["outcome"] == "ready"])' show boots > "$T/boots.out"
echo "vbench boots (power-on to READY, ms): $(cat "$T/boots.out")"

# fault BOARD: a run on it is a lab error, and the board is FAULT; prints its reason.
fault() {
	"$RIGCTL" run i2c-unbind --board "$1" --json > "$T/$1.json" 2>&1
	echo $? > "$T/$1.rc"
	q "[b[\"reason\"] for b in d if b[\"name\"] == \"$1\" and b[\"state\"] == \"FAULT\"][0]" \
	    show boards 2>/dev/null
}
reason=$(fault vb-noauto)
echo "vb-noauto: $reason"
check "no autoboot line: lab error (exit 2)" [ "$(cat "$T/vb-noauto.rc")" -eq 2 ]
check "no autoboot line: FAULT naming the stage" contains_s "$reason" 'U-Boot: no autoboot line "Press the magic key" within 4s of power-on'
# Not stopped, U-Boot goes on to its own boot (disks, network): its last line is quoted.
check "no autoboot line: quoting U-Boot's last line" contains_s "$reason" '; last line: "'
reason=$(fault vb-noprompt)
echo "vb-noprompt: $reason"
check "no prompt: lab error (exit 2)" [ "$(cat "$T/vb-noprompt.rc")" -eq 2 ]
check "no prompt: FAULT naming the stage" contains_s "$reason" 'U-Boot: no prompt "vbench> " within 3s of the stop key'
check "no prompt: quoting U-Boot's last line" contains_s "$reason" 'last line: "=>"'
reason=$(fault vb-notftp)
echo "vb-notftp: $reason"
check "TFTP file missing: lab error (exit 2)" [ "$(cat "$T/vb-notftp.rc")" -eq 2 ]
check "TFTP file missing: FAULT quoting U-Boot's error" contains_s "$reason" "U-Boot: tftpboot 0x1000000 vb-notftp/vmlinuz: \"TFTP error: 'File not found' (1)\""
reason=$(fault vb-badimage)
echo "vb-badimage: $reason"
check "bad image: lab error (exit 2)" [ "$(cat "$T/vb-badimage.rc")" -eq 2 ]
check "bad image: FAULT quoting zboot's error" contains_s "$reason" 'U-Boot: zboot 0x1000000 0 0x1000000 ${filesize}: "Error: Invalid Boot Flag'
reason=$(fault vb-silent)
echo "vb-silent: $reason"
check "silent kernel: lab error (exit 2)" [ "$(cat "$T/vb-silent.rc")" -eq 2 ]
check "silent kernel: FAULT saying so" contains_s "$reason" 'U-Boot: the kernel is silent: no "Linux version" within 6s of "Starting kernel"'
check "silent kernel: quoting the console's last line" contains_s "$reason" '; last line: "'
reason=$(fault vb-pdufail)
echo "vb-pdufail: $reason"
check "PDU on fails: lab error (exit 2)" [ "$(cat "$T/vb-pdufail.rc")" -eq 2 ]
check "PDU on fails: FAULT with its exit status and stderr" contains_s "$reason" "exit 1: pdu: qemu-system-x86_64 exit 1:"
check "PDU on fails: QEMU's own words" contains_s "$reason" "/nonexistent/u-boot.rom"
check "PDU on fails: its stderr is in the event log" \
    [ "$(q 'str(any(e["board"] == "vb-pdufail" and e["reason"].startswith("power on: ") and "exit 1" in e["reason"] and "nonexistent" in e["reason"] for e in d))' show events)" = True ]
reason=$(fault vb-pduhang)
echo "vb-pduhang: $reason"
check "PDU on hangs: lab error (exit 2)" [ "$(cat "$T/vb-pduhang.rc")" -eq 2 ]
check "PDU on hangs: FAULT saying it was killed at its timeout" contains_s "$reason" "power on: sleep timed out after 2.0s, killed"
check "PDU on hangs: the timeout is in the event log" \
    [ "$(q 'str(any(e["board"] == "vb-pduhang" and e["reason"].startswith("power on: sleep 60: timed out after 2.0s") for e in d))' show events)" = True ]

# The faults stayed with their boards.
check "vbench is still READY beside seven FAULT boards" \
    [ "$(q 'str(sorted((b["name"], b["state"]) for b in d))' show boards)" = "[('vb-badimage', 'FAULT'), ('vb-noauto', 'FAULT'), ('vb-noprompt', 'FAULT'), ('vb-notftp', 'FAULT'), ('vb-pdufail', 'FAULT'), ('vb-pduhang', 'FAULT'), ('vb-silent', 'FAULT'), ('vbench', 'READY')]" ]
"$RIGCTL" run i2c-unbind-release --board vbench --json > "$T/release.json" 2>&1
rc=$?
check "and vbench still runs (i2c-unbind-release passes)" [ "$rc" -eq 0 ]
finish
