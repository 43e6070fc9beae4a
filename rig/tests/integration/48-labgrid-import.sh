# 48-labgrid-import: rigctl board import-labgrid, offline, on environments written like labgrid's
# documentation examples (rig/tests/data/labgrid). Each is also loaded by Debian's python3-labgrid
# (rig/tests/labgrid/lgdump.py): every resource and driver labgrid makes must be mapped onto the
# board file's field with labgrid's value, or listed as not imported (lgcompare.py, one check
# each). The boards written are read by rigd -n: accepted as written when complete, refused at
# exactly the site values to fill in otherwise, and accepted once those are set.
. rig/tests/integration/lib.sh

D=rig/tests/data/labgrid
LG=rig/tests/labgrid
export LG_CONSOLE="$T/lgbench/ttyUSB0"
adapter_plug lgbench
check "the test's serial adapter (a pty) is plugged in" [ -c "$LG_CONSOLE" ]

# import NAME TARGET STATUS [ARGS]: imports $D/NAME.yaml into $T/out/NAME.yaml (and its notes),
# checks the exit status, then cross-checks every part with labgrid's own reading of the file.
mkdir -p "$T/out"
import() {
	lg=$1 target=$2 want=$3
	shift 3
	"$RIGCTL" board import-labgrid "$D/$lg.yaml" --target "$target" -o "$T/out/$lg.yaml" \
	    "$@" 2> "$T/out/$lg.notes"
	rc=$?
	check "$lg: exit status $want (got $rc)" [ "$rc" -eq "$want" ] || cat "$T/out/$lg.notes"
	check "$lg: board file 0640" [ "$(stat -c %a "$T/out/$lg.yaml" 2>/dev/null)" = 640 ]
	/usr/bin/python3 "$LG/lgdump.py" "$D/$lg.yaml" "$target" > "$T/out/$lg.json" \
	    2> "$T/out/$lg.lgerr"
	check "$lg: labgrid loads it" [ $? -eq 0 ] || cat "$T/out/$lg.lgerr"
	/usr/bin/python3 "$LG/lgcompare.py" "$T/out/$lg.json" "$T/out/$lg.yaml" \
	    "$T/out/$lg.notes" > "$T/out/$lg.cmp" 2>&1
	check "$lg: the comparison ran and found parts" grep -q '^ok' "$T/out/$lg.cmp"
	while IFS= read -r line; do
		case $line in
		"ok "*) ok "$lg: ${line#ok }" ;;
		*) not_ok "$lg: $line" ;;
		esac
	done < "$T/out/$lg.cmp"
}

check "no rigd runs for the imports (its socket is not there)" [ ! -e "$RIG_SOCKET" ]
import raw-serial main 1			# arch unknown
import complete bench 0 --arch arm64
import usb-serial main 1 --arch arm64		# by-path guessed
import usb-serial-short main 1 --arch arm64	# by-id to look up
import rfc2217-gpio main 1 --arch arm64		# chip and line to fill in
import raw-tcp main 0 --arch arm64
import uboot main 1 --arch arm64		# TFTP values to fill in
import multi beta 1 --arch armhf		# no SSH address
import shell-power main 1 --arch arm64		# commands that need a shell
import lab-ready lab-ready 0 --arch amd64

# What each says where a reader looks: the notes on standard error and atop the file.
n=$T/out
check "usb-serial: the guess is said" contains "$n/usb-serial.notes" \
    "guessed: site.console: /dev/serial/by-path/pci-0000:00:14.0-usb-0:2.3:1.0-port0: from USBSerialPort match ID_PATH ($D/usb-serial.yaml:6)"
check "usb-serial-short: where to look is said" contains "$n/usb-serial-short.notes" \
    "to fill in: site.console: the link under /dev/serial/by-id/ whose name holds the serial number FT4ZQ9KD (ls /dev/serial/by-id/*FT4ZQ9KD*;"
check "usb-serial: SerialDriver.txdelay listed" contains "$n/usb-serial.notes" \
    "not imported: SerialDriver.txdelay ($D/usb-serial.yaml:19): "
check "raw-tcp: the second power driver listed" contains "$n/raw-tcp.notes" \
    "not imported: ExternalPowerDriver ($D/raw-tcp.yaml:21): a second power driver: rig switches a board one way"
check "raw-tcp: a raw port's speed listed" contains "$n/raw-tcp.notes" \
    "not imported: NetworkSerialPort 'console'.speed ($D/raw-tcp.yaml:10): "
check "uboot: imports listed" contains "$n/uboot.notes" "not imported: imports 'json' ($D/uboot.yaml:3): "
check "uboot: options listed" contains "$n/uboot.notes" "not imported: options.console_log ($D/uboot.yaml:5): "
check "uboot: images listed" contains "$n/uboot.notes" "not imported: images.kernel ($D/uboot.yaml:7): "
check "uboot: tools listed" contains "$n/uboot.notes" "not imported: tools.fastboot ($D/uboot.yaml:9): "
check "uboot: the target's options listed" contains "$n/uboot.notes" \
    "not imported: targets.main.options.kernel_variant ($D/uboot.yaml:40): "
check "uboot: the password listed" contains "$n/uboot.notes" "not imported: UBootDriver.password ($D/uboot.yaml:26): "
check "uboot: a command that is not setenv listed" contains "$n/uboot.notes" \
    "not imported: UBootDriver.init_commands 'mmc rescan' ($D/uboot.yaml:30): "
check "uboot: setenv commands become boot.env" contains "$n/uboot.yaml" \
    'env: { ethaddr: "02:00:00:12:34:56", bootdelay: 3 }'
check "uboot: the template said" contains "$n/uboot.notes" \
    "expanded: RawSerialPort.port ($D/uboot.yaml:14): !template '\$LG_CONSOLE' is '$LG_CONSOLE'"
check "uboot: the notes head the file too" contains "$n/uboot.yaml" "# not imported: ShellDriver ($D/uboot.yaml:34): "
check "multi: the other target listed" contains "$n/multi.notes" \
    "not imported: target alpha ($D/multi.yaml:3): one board per file: import it with --target alpha"
check "shell-power: a redirection refused, with why" contains "$n/shell-power.notes" \
    "not imported: ExternalPowerDriver.cmd_on ($D/shell-power.yaml:9): 'echo 1 > /sys/class/gpio/gpio17/value': '>' is a redirection, which needs a shell (rig runs a program with its arguments, never a shell: put the pipeline in a script and name the script)"
check "shell-power: a list refused, with why" contains "$n/shell-power.notes" \
    "not imported: ExternalPowerDriver.cmd_off ($D/shell-power.yaml:10): 'relay-ctl off 3 && logger board off': '&' runs in the background or is a list, which needs a shell"
check "shell-power: an expansion refused, with why" contains "$n/shell-power.notes" \
    "not imported: ExternalPowerDriver.cmd_cycle ($D/shell-power.yaml:11): 'relay-ctl cycle \$OUTLET': '\$' is an expansion, which needs a shell"
check "shell-power: the summary counts what is left" contains "$n/shell-power.notes" \
    "rigctl: board file written: 3 site values to fill in, 0 guessed values to check (see above), then rigd -n"

# Standard output is the same board as -o.
"$RIGCTL" board import-labgrid "$D/complete.yaml" --arch arm64 > "$T/stdout.yaml" 2> /dev/null
check "standard output and -o write the same board" cmp -s "$T/stdout.yaml" "$n/complete.yaml"
check "no temporary file is left beside -o's" [ "$(ls -A "$n" | grep -c '^\.')" -eq 0 ]

# Bad input: an exact message naming the place, exit 2, nothing written.
# bad WHAT MESSAGE COMMAND...: the command (writing $T/bad.yaml) fails.
bad() {
	what=$1 want=$2
	shift 2
	rm -f "$T/bad.yaml"
	"$@" > "$T/bad.out" 2>&1
	rc=$?
	check "$what: exit 2 (got $rc)" [ "$rc" -eq 2 ]
	check "$what: says '$want'" contains "$T/bad.out" "$want" || cat "$T/bad.out"
	check "$what: nothing written" [ ! -e "$T/bad.yaml" ]
}
imp() { "$RIGCTL" board import-labgrid "$@"; }
bad "syntax error" "$D/bad-syntax.yaml:6: did not find expected key (while parsing a block mapping at line 4)" \
    imp "$D/bad-syntax.yaml" -o "$T/bad.yaml"
bad "several targets, none chosen" "$D/multi.yaml:2: targets: 2 targets (alpha, beta): choose one with --target" \
    imp "$D/multi.yaml" -o "$T/bad.yaml"
bad "unknown target" "$D/multi.yaml:2: targets: no target 'gamma' (it has: alpha, beta)" \
    imp "$D/multi.yaml" --target gamma -o "$T/bad.yaml"
bad "template of an unset variable" "$D/lab-ready.yaml:7: RawSerialPort.port: !template '\$LG_CONSOLE': unknown variable 'LG_CONSOLE' (not set in the environment)" \
    env -u LG_CONSOLE "$RIGCTL" board import-labgrid "$D/lab-ready.yaml" --arch amd64 -o "$T/bad.yaml"
bad "no such file" "$D/none.yaml: No such file or directory" imp "$D/none.yaml" -o "$T/bad.yaml"
bad "a folder that does not exist for -o" "rigctl: $T/no/.board." \
    imp "$D/complete.yaml" --arch arm64 -o "$T/no/board.yaml"
check "the folder was not made" [ ! -e "$T/no" ]
# labgrid refuses the same files.
/usr/bin/python3 "$LG/lgdump.py" "$D/bad-syntax.yaml" main > /dev/null 2>&1
check "labgrid refuses the syntax error too" [ $? -eq 2 ]
env -u LG_CONSOLE /usr/bin/python3 "$LG/lgdump.py" "$D/lab-ready.yaml" lab-ready > /dev/null 2> "$T/lg.err"
check "labgrid refuses the unset template variable too" contains "$T/lg.err" "unknown variable 'LG_CONSOLE'"

# Usage.
"$RIGCTL" board > /dev/null 2>&1
check "rigctl board alone: usage, exit 2" [ $? -eq 2 ]
"$RIGCTL" board import-labgrid > /dev/null 2>&1
check "import-labgrid without a file: exit 2" [ $? -eq 2 ]
"$RIGCTL" board import-labgrid --help > "$T/help" 2>&1
check "import-labgrid --help: exit 0" [ $? -eq 0 ]
check "--help names the options" contains "$T/help" "[--target NAME] [--name NAME] [--arch ARCH] [-o FILE]"

# rigd -n reads what was written, with the real board-file loader and this host's probes.
mkdir -p "$T/b1"
cp "$n/lab-ready.yaml" "$T/b1/"
"$RIGD" -n -b "$T/b1" -c scenarios -S "$T/s1" > "$T/n1.out" 2>&1
rc=$?
check "rigd -n accepts the complete board (exit $rc)" [ "$rc" -eq 0 ]
check "rigd -n serves it" contains "$T/n1.out" "rigd: 1 board served, 0 refused"
check "it is served as imported" contains "$T/n1.out" "board lab-ready arch amd64 power command boot local console tty"

mkdir -p "$T/b2"
cp "$n/uboot.yaml" "$T/b2/main.yaml"
"$RIGD" -n -b "$T/b2" -c scenarios -S "$T/s2" > "$T/n2.out" 2>&1
check "rigd -n refuses the board with values to fill in" [ $? -ne 0 ]
check "rigd -n names exactly three problems" [ "$(grep -c "^$T/b2/main.yaml:" "$T/n2.out")" -eq 3 ]
check "rigd -n: tftp-dir to fill in, at its site line" grep -q "^$T/b2/main.yaml:[0-9]*: boot.tftp-dir: \"<FILL IN>\"" "$T/n2.out"
check "rigd -n: server-ip to fill in" grep -q "^$T/b2/main.yaml:[0-9]*: boot.server-ip: \"<FILL IN>\" is not an IPv4 address" "$T/n2.out"
check "rigd -n: board-ip to fill in" grep -q "^$T/b2/main.yaml:[0-9]*: boot.board-ip: \"<FILL IN>\" is not an IPv4 address" "$T/n2.out"
# The person fills in the site: block, nothing else, and rigd -n accepts the board.
mkdir -p "$T/tftp"
sed -e "s|^  tftp-dir: &tftp-dir .*|  tftp-dir: \&tftp-dir $T/tftp/main|" \
    -e 's|^  server-ip: &server-ip .*|  server-ip: \&server-ip 10.0.2.2|' \
    -e 's|^  board-ip: &board-ip .*|  board-ip: \&board-ip 10.0.2.15|' "$n/uboot.yaml" > "$T/b2/main.yaml"
check "only site: lines changed" [ "$(diff "$n/uboot.yaml" "$T/b2/main.yaml" | grep -c '^>')" -eq 3 ]
"$RIGD" -n -b "$T/b2" -c scenarios -S "$T/s2" > "$T/n3.out" 2>&1
check "rigd -n accepts it once the site values are set" [ $? -eq 0 ]
check "rigd -n serves it" contains "$T/n3.out" "rigd: 1 board served, 0 refused" || cat "$T/n3.out"

adapter_unplug lgbench
finish
