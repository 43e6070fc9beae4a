# The gpio power backend on a real GPIO chip: vsabre's i.MX6 gpio-mxc chips. The chip test
# (rig/tests/unit/test_gpio_chip.c with the backend's own gpio.c and power_gpio.c, static for
# armhf) runs as the board's /init job in an initramfs of its own: vsabre's kernel and
# gpio-mxc.ko from the Debian package (firmware/mkimage, cache RIG_CACHE), the test and a small
# /init laid over it. Its console is read line by line until the test's summary (bounded by
# QEMU's time limit); each of its checks counts here. No rigd: nothing here drives the daemon.
set -u
# lib.sh: the counted checks, finish, and a cleanup that ends QEMU (its command line names $T).
. rig/tests/integration/lib.sh
TEST_BIN=$PWD/$BUILD/armhf/test_gpio_chip
IMG=$PWD/$BUILD/gpio-vsabre
LIMIT=${GPIO_VSABRE_LIMIT:-150}     # seconds for QEMU, start to summary (about 15 s)

# The kernel and dtb vsabre boots (its board file), with gpio-mxc.ko and what it depends on.
kernel=$(sed -n 's/^ *kernel: *\([^ #]*\).*/\1/p' boards/vsabre.yaml)
dtb=$(sed -n 's/^ *dtb: *\([^ #]*\).*/\1/p' boards/vsabre.yaml)
if [ ! -x "$TEST_BIN" ]; then
	not_ok "the armhf chip test is built ($TEST_BIN: make BUILD=$BUILD $BUILD/armhf/test_gpio_chip)"
	finish
fi
# mkimage wants an SSH key for the board's dropbear, which this image never starts.
echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGdwaW8tdGVzdC1uby1zc2gtaGVyZS0wMDAwMDAwMDA gpio-test" \
    > "$T/key.pub"
if ! env=$(sh firmware/mkimage --arch armhf --kernel "$kernel" --modules gpio-mxc \
    --key "$T/key.pub" --cache "$RIG_CACHE" --out "$IMG" --dtb "$dtb" 2> "$T/mkimage.err"); then
	cat "$T/mkimage.err"
	not_ok "mkimage: $kernel with gpio-mxc"
	finish
fi

# The overlay: the test and an /init that loads the modules, mounts debugfs and runs it. An
# archive appended to the initramfs replaces the files it names (/init).
mkdir -p "$T/overlay"
cp "$TEST_BIN" "$T/overlay/test_gpio_chip"
cat > "$T/overlay/init" <<'EOF'
#!/bin/sh
bb=/bin/busybox
$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
$bb mount -t devtmpfs devtmpfs /dev
$bb mount -t debugfs debugfs /sys/kernel/debug
$bb mount -t tmpfs tmpfs /tmp
exec 0<>/dev/console 1>&0 2>&0
rel=$($bb uname -r)
while read -r m; do
	$bb insmod "/lib/modules/$rel/$m" || echo "gpio-test: insmod $m failed"
done < /etc/rig/modules
/test_gpio_chip --any-chip
echo "gpio-test: exit $?"
# PID 1 stays, idle (a fifo nobody writes): the host ends QEMU once it has read the summary.
$bb mkfifo /tmp/idle
exec $bb cat /tmp/idle
EOF
chmod 755 "$T/overlay/init" "$T/overlay/test_gpio_chip"
(cd "$T/overlay" && find . -mindepth 1 | LC_ALL=C sort |
    cpio -o -H newc -R 0:0 --quiet) | gzip -n > "$T/overlay.gz"
. "$env"
cat "$INITRD" "$T/overlay.gz" > "$T/initrd.gz"
# The sabrelite device tree names no GPIO line: a copy names the first chip's lines 0-7
# (gpio-line-names, read by gpiolib when the chip registers) so that a line is found by name.
cp "$DTB" "$T/dtb"
node=$(fdtget "$T/dtb" /aliases gpio0 2>/dev/null)
if [ -z "$node" ] || ! fdtput -t s "$T/dtb" "$node" gpio-line-names \
    rig-test-0 rig-test-1 rig-test-2 rig-test-3 rig-test-4 rig-test-5 rig-test-6 rig-test-7; then
	not_ok "the device tree names gpio0's lines (fdtget/fdtput: device-tree-compiler)"
	finish
fi

start=$(date +%s)
cr=$(printf '\r')
# The console through a pipe, line by line until the test's summary; then QEMU is stopped. Its
# time limit bounds the wait when the summary never comes.
sh -c 'echo $$ > "$0"; exec "$@"' "$T/qemu.pid" timeout -k 5 "$LIMIT" qemu-system-arm \
    -M sabrelite -m 512 -smp 1 -display none -no-reboot -monitor none -nic none \
    -kernel "$KERNEL" -dtb "$T/dtb" -initrd "$T/initrd.gz" \
    -append "console=ttymxc1 panic=-1 quiet" -serial null -serial stdio \
    < /dev/null 2> "$T/qemu.err" |
while IFS= read -r line; do
	line=${line%"$cr"}
	printf '%s\n' "$line" >> "$T/console.log"
	case "$line" in
	"ok   "*|"FAIL "*|"skip "*|"# "*|"gpio-test: "*|"  "*|*"check failed"*) printf '%s\n' "$line" ;;
	*" passed, "*" failed, "*" skipped")
		printf '%s\n' "$line"
		kill "$(cat "$T/qemu.pid")"
		break ;;
	esac
done
echo "(vsabre: $(( $(date +%s) - start ))s from QEMU start to the summary)"

summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$T/console.log" | tail -n 1)
if [ -z "$summary" ]; then
	tail -n 40 "$T/console.log"
	cat "$T/qemu.err"
	not_ok "the chip test in vsabre printed its summary within ${LIMIT}s"
	finish
fi
ok "the chip test in vsabre printed its summary"
p=${summary%% passed*}
f=${summary#*passed, }
f=${f%% failed*}
s=${summary#*failed, }
s=${s%% skipped}
# Every check of the guest counts here: its passes, its failures.
ok_n=$((ok_n + p))
fail_n=$((fail_n + f))
if grep -q '^# gpiochip' "$T/console.log"; then
	ok "the test found a real gpio-mxc chip with a free line in vsabre"
else
	not_ok "the test found a real gpio-mxc chip with a free line in vsabre"
fi
# There every check runs: a skip there is a failure.
if [ "$s" -eq 0 ]; then
	ok "no chip check skipped in vsabre"
else
	not_ok "no chip check skipped in vsabre ($s skipped)"
fi
grep -q '^# gpiochip.*a named line: rig-test-' "$T/console.log" ||
    not_ok "the test found a line named in the device tree (rig-test-N)"
grep -q '^gpio-test: insmod' "$T/console.log" && not_ok "gpio-mxc loads in vsabre"
finish
