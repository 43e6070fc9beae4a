# Hostile fields: every board-file value that reaches a command line (mkimage's arguments) or
# the board's shell (device nodes, sysfs names, modules) is checked when the file is read, so
# `rigd -n` refuses a value that would break out of its place, naming file and line. No board
# is powered here.
. rig/tests/integration/lib.sh

mkdir -p "$T/h" "$T/s"

# The hostile forms, as YAML double-quoted scalars: command substitution both ways, quotes, a
# newline, command separators, a glob, an option where a name belongs, a way out of /dev.
FORMS='subst:$(reboot)
backtick:`reboot`
squote:x'"'"'y
dquote:x\"y
newline:x\ny
semicolon:x;reboot
and:x&&reboot
glob:x*
dash:-n
space:x y
dotdot:..'

# hostile NAME FIELD LINE_PATTERN REPLACEMENT_PREFIX REPLACEMENT_SUFFIX
# For each form: a copy of a shipped board with the field's line rewritten; rigd -n must name
# the file at that line and the field.
n=0
hostile() {
	base=$1 field=$2 pat=$3 pre=$4 post=$5
	printf "%s\n" "$FORMS" | while IFS= read -r f; do
		form=${f%%:*} val=${f#*:}
		case "$field:$form" in
		# A node is an absolute path under /dev: '-n' and '..' are tried inside it.
		devices.*.node:dash) val=/dev/-n ;;
		devices.*.node:dotdot) val=/dev/../etc/shadow ;;
		devices.*.node:*) val=/dev/$val ;;
		esac
		name=$(echo "h-$field-$form" | tr '._' '--' | tr -d '[]')
		sed -e "s|^name: .*|name: $name|" -e "s|$pat|$pre\"$(printf '%s' "$val" |
		    sed 's/[&|\\]/\\&/g')\"$post|" "boards/$base.yaml" > "$T/h/$name.yaml"
		line=$(grep -n -F "$pre\"" "$T/h/$name.yaml" | head -1 | cut -d: -f1)
		echo "$name $line $field"
	done >> "$T/expect"
}
: > "$T/expect"
hostile vq35 devices.i2c.node '^  i2c:  { node: /dev/i2c-0,' '  i2c:  { node: ' ','
hostile vq35 devices.i2c.driver 'driver: i801_smbus,' 'driver: ' ','
hostile vq35 devices.i2c.device 'device: "0000:00:1f.3" }' 'device: ' ' }'
hostile vq35 boot.modules '^  modules: \[i2c-smbus,' '  modules: [' ','
hostile vq35 boot.kernel '^  kernel: linux-image-6.1.0-56-amd64' '  kernel: ' ''
hostile vsabre qemu.dtb '^  dtb: imx6q-sabrelite.dtb' '  dtb: ' ''
hostile salvator-xs 'protected[0].device' '^  - { device: e60b0000.i2c,' '  - { device: ' ','
hostile salvator-xs boot.dtb '^  dtb: renesas/r8a77951-salvator-xs.dtb' '  dtb: ' ''

"$RIGD" -n -b "$T/h" -c scenarios > "$T/n.out" 2>&1
rc=$?
cat "$T/n.out"
check "rigd -n refuses the hostile board files (exit 1)" [ "$rc" -eq 1 ]
while read -r name line field; do
	f=$T/h/$name.yaml
	# Every form is refused at the field's own line, and the message names the field.
	check "$name: refused at $(basename "$f"):$line, naming $field" \
	    grep -q -F -- "$f:$line: $field" "$T/n.out"
	check "$name: not served" sh -c "! grep -q '^board $name ' '$T/n.out'"
done < "$T/expect"

# The same fields with safe values of the forms boards have (a by-path node, a sysfs device
# with ':' and '.', a module with '-', a dtb in a vendor folder) are taken.
sed -e 's|^name: .*|name: okvals|' \
    -e 's|^  i2c:  { node: /dev/i2c-0,|  i2c:  { node: /dev/serial/by-path/pci-0000:00:1f.3-port0,|' \
    -e 's|driver: i801_smbus,|driver: i801_smbus+x.y,|' boards/vq35.yaml > "$T/s/okvals.yaml"
"$RIGD" -n -b "$T/s" -c scenarios > "$T/ok.out" 2>&1
rc=$?
cat "$T/ok.out"
check "safe values of the same fields are taken (exit 0)" [ "$rc" -eq 0 ]

# Scenario fields that reach the board's shell: the class a step names, a background step's
# name (and the wait naming it). Each hostile form is refused at its line.
mkdir -p "$T/sc"
: > "$T/sexpect"
printf "%s\n" "$FORMS" | while IFS= read -r f; do
	form=${f%%:*} val=${f#*:}
	for key in hold name; do
		sname=$(echo "s-$key-$form" | tr '._' '--')
		if [ "$key" = hold ]; then
			printf 'name: %s\nsteps:\n  - hold: "%s"\n' "$sname" "$val" > "$T/sc/$sname.yaml"
		else
			printf 'name: %s\nsteps:\n  - unbind: i2c\n    background: true\n    name: "%s"\n' \
			    "$sname" "$val" > "$T/sc/$sname.yaml"
		fi
		line=$(grep -n -F "\"" "$T/sc/$sname.yaml" | head -1 | cut -d: -f1)
		echo "$sname $line" >> "$T/sexpect"
	done
done
"$RIGD" -n -b boards -c "$T/sc" > "$T/sn.out" 2>&1
rc=$?
cat "$T/sn.out"
check "rigd -n refuses the hostile scenario files (exit 1)" [ "$rc" -eq 1 ]
while read -r sname line; do
	check "$sname: refused at its line $line" grep -q -F -- "$T/sc/$sname.yaml:$line: " "$T/sn.out"
done < "$T/sexpect"

finish
