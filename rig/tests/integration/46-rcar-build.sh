# R-Car lab kernels: firmware/rcar's config fragments hold against the real Kconfig of Debian's
# linux-source-6.1 (arm64 defconfig + merge_config.sh + olddefconfig), and a wrong fragment is
# named at its line; build-kernel checks its arguments and packs a built object folder into the
# tarball `rigctl build add` takes; a lab build made of real parts (Debian's arm64 kernel Image
# and modules, the boards' device trees compiled from the kernel source, the config the
# fragments give) is registered from its folder and from its tarball through a private rigd,
# shows arch, release, modules, config and the boards' dtbs; and what is wrong with a build (no
# Image, an x86 image for an arm64 board, a link out of the build, a dtb a board names missing)
# is refused with the place named. Not run here: the kernel build itself (hours on 2 cores).
. rig/tests/integration/lib.sh

FW=$PWD/firmware/rcar
mkdir -p "$T/out" "$T/frag"

# --- the fragments against the real Kconfig (fetches and unpacks linux-source-6.1 once)
sh "$FW/kconfig-check" > "$T/kc.out" 2> "$T/kc.err"
rc=$?
check "kconfig-check: exit 0" [ "$rc" -eq 0 ] || cat "$T/kc.out" "$T/kc.err"
check "kconfig-check: rig.config holds" contains "$T/kc.out" "rig.config: "
check "kconfig-check: with kasan.config" contains "$T/kc.out" "rig.config + kasan.config: "
check "kconfig-check: with kobject-release.config" \
    contains "$T/kc.out" "rig.config + kobject-release.config: "
check "kconfig-check: nothing fails" sh -c "! grep -q 'does not hold' '$T/kc.out'"
TREE=$(ls -d "$RIG_CACHE"/unpacked/linux-source-6.1_*-kconfig/linux-source-6.1 2>/dev/null | tail -1)
check "kconfig-check: the source's Kconfig parts are in the cache" [ -f "$TREE/Kconfig" ]

# A fragment Kconfig cannot give: a misspelt symbol, one whose dependency is off, a value.
cat > "$T/frag/bad.config" <<'EOF'
# line 1
CONFIG_I2C_RCARR=y
CONFIG_DEBUG_KOBJECT_RELEASE=y
CONFIG_DEFAULT_HUNG_TASK_TIMEOUT=30
EOF
sh "$FW/build-kernel" --config-only -f "$FW/rig.config" -f "$T/frag/bad.config" \
    -O "$T/bad.obj" "$TREE" "$T/out/bad.tar.gz" > /dev/null 2> "$T/bad.err"
rc=$?
check "bad fragment: refused" [ "$rc" -eq 1 ]
check "bad fragment: misspelt symbol at its line" \
    contains "$T/bad.err" "$T/frag/bad.config:2: CONFIG_I2C_RCARR=y: not in the final .config"
check "bad fragment: dependency off (DEBUG_OBJECTS_TIMERS) at its line" \
    contains "$T/bad.err" "$T/frag/bad.config:3: CONFIG_DEBUG_KOBJECT_RELEASE=y: not in the final .config"
check "bad fragment: a line that holds is not named" sh -c "! grep -q 'bad.config:4' '$T/bad.err'"
# The config build-kernel made with the shipped fragments: the lab build's config below.
sh "$FW/build-kernel" --config-only -O "$T/obj" "$TREE" "$T/out/rcar-6.1.tar.gz" \
    > /dev/null 2> "$T/cfg.err"
check "build-kernel --config-only: exit 0" [ $? -eq 0 ] || cat "$T/cfg.err"
check "config: hung-task detector, 30 s, no panic" sh -c "grep -qx CONFIG_DETECT_HUNG_TASK=y '$T/obj/.config' &&
    grep -qx CONFIG_DEFAULT_HUNG_TASK_TIMEOUT=30 '$T/obj/.config' &&
    grep -qx '# CONFIG_BOOTPARAM_HUNG_TASK_PANIC is not set' '$T/obj/.config'"
check "config: I2C_RCAR and RPCIF built in" sh -c "grep -qx CONFIG_I2C_RCAR=y '$T/obj/.config' &&
    grep -qx CONFIG_RENESAS_RPCIF=y '$T/obj/.config' && grep -qx CONFIG_SPI_RPCIF=y '$T/obj/.config'"

# --- build-kernel's arguments
bk() { sh "$FW/build-kernel" "$@" > "$T/bk.out" 2> "$T/bk.err"; }
bk; check "build-kernel without arguments: usage, exit 1" sh -c "[ $? -eq 1 ] && grep -q usage: '$T/bk.err'"
bk "$TREE" "$T/out/x.tar"
check "build-kernel: output not .tar.gz refused" sh -c "[ $? -eq 1 ] && grep -q 'x.tar: the output must end in .tar.gz' '$T/bk.err'"
bk "$T/frag" "$T/out/x.tar.gz"
check "build-kernel: not a kernel tree, named" sh -c "[ $? -eq 1 ] && grep -q '$T/frag: not a kernel source tree' '$T/bk.err'"
bk -j 0 "$TREE" "$T/out/x.tar.gz"
check "build-kernel: --jobs 0 refused" sh -c "[ $? -eq 1 ] && grep -q -- '--jobs 0' '$T/bk.err'"
bk -f "$T/frag/none.config" "$TREE" "$T/out/x.tar.gz"
check "build-kernel: missing fragment named" sh -c "[ $? -eq 1 ] && grep -q 'none.config: no such' '$T/bk.err'"
bk -c no-such-cross- "$TREE" "$T/out/x.tar.gz"
check "build-kernel: missing cross compiler named" sh -c "[ $? -eq 1 ] && grep -q 'no-such-cross-gcc not found' '$T/bk.err'"
bk --pack-only -O "$T/obj" "$TREE" "$T/out/x.tar.gz"
check "build-kernel --pack-only: an unbuilt folder has no Image" sh -c "[ $? -eq 1 ] && grep -q 'arch/arm64/boot/Image: no kernel image' '$T/bk.err'"

# --- real parts: Debian's kernel packages, from RIG_CACHE/debs (fetched there when missing)
# kernel_deb ARCH: the newest cached linux-image-6.1.0-N-ARCH .deb (no cloud/rt flavour); else
# the build linux-image-ARCH names, downloaded into the cache as mkimage and kbuild do.
kernel_deb() {
	f=$(ls "$RIG_CACHE/debs" 2>/dev/null | grep -E "^linux-image-6\.1\.0-[0-9]+-$1_.*_$1\.deb\$" |
	    sort -V | tail -1)
	if [ -z "$f" ]; then
		p=$(apt-cache depends "linux-image-$1:$1" | sed -n 's/.*Depends: \(linux-image-6[^:]*\).*/\1/p' | head -1)
		mkdir -p "$T/dl" "$RIG_CACHE/debs"
		# As root, apt drops to _apt, which cannot write into the test's folder.
		set -- "$p:$1"
		[ "$(id -u)" != 0 ] || set -- -o APT::Sandbox::User=root "$@"
		(cd "$T/dl" && apt-get -q download "$@" > /dev/null) || return 1
		f=$(ls "$T/dl")
		mv "$T/dl/$f" "$RIG_CACHE/debs/"
	fi
	echo "$RIG_CACHE/debs/$f"
}
ARMDEB=$(kernel_deb arm64)
check "Debian arm64 kernel package at hand" [ -f "$ARMDEB" ] || finish
mkdir -p "$T/deb"
dpkg-deb -x "$ARMDEB" "$T/deb"
REL=$(ls "$T/deb/lib/modules")
DEBMODS=$T/deb/lib/modules/$REL
# FACTS: Debian's arm64 6.1 kernel has I2C_RCAR and RPCIF off, and ships no R-Car device trees
# (its renesas/ folder holds RZ/G2 boards only).
check "Debian arm64 config: I2C_RCAR and RENESAS_RPCIF off" sh -c "grep -qx '# CONFIG_I2C_RCAR is not set' '$T/deb/boot/config-$REL' &&
    grep -qx '# CONFIG_RENESAS_RPCIF is not set' '$T/deb/boot/config-$REL'"
check "Debian arm64: no R-Car H3 device tree" [ ! -e "$T/deb/usr/lib/linux-image-$REL/renesas/r8a77951-salvator-xs.dtb" ]

# The object folder as `make Image dtbs modules modules_install` leaves it.
OBJ=$T/obj
mkdir -p "$OBJ/arch/arm64/boot/dts/renesas" "$OBJ/include/config" "$OBJ/.rig-modules/lib/modules/$REL"
cp "$T/deb/boot/vmlinuz-$REL" "$OBJ/arch/arm64/boot/Image"
echo "$REL" > "$OBJ/include/config/kernel.release"
# Modules: the ones an R-Car scenario touches, with the package's index files; the package's
# build/source links (into /usr/src) come along, as modules_install leaves them.
M=$OBJ/.rig-modules/lib/modules/$REL
mkdir -p "$M/kernel/drivers"
(cd "$DEBMODS" && cp modules.* "$M/" && cp -R kernel/drivers/i2c kernel/drivers/spi \
    kernel/drivers/mtd "$M/kernel/drivers/" && ln -s "/usr/src/linux-headers-$REL" "$M/build")
depmod -b "$OBJ/.rig-modules" "$REL"
# Device trees: the boards' own, compiled from the kernel source as `make dtbs` does (cpp, dtc).
DTS=$TREE/arch/arm64/boot/dts/renesas
for b in r8a77951-salvator-xs r8a77960-salvator-xs r8a779a0-falcon r8a779f0-spider \
    r8a779g0-white-hawk r8a77951-ulcb r8a77990-ebisu; do
	cpp -nostdinc -I "$DTS" -I "$TREE/include" -undef -D__DTS__ -x assembler-with-cpp -P \
	    "$DTS/$b.dts" 2>> "$T/dtc.err" | dtc -q -I dts -O dtb -o "$OBJ/arch/arm64/boot/dts/renesas/$b.dtb" - \
	    2>> "$T/dtc.err"
done
check "dtbs compiled from linux-source-6.1" [ "$(ls "$OBJ/arch/arm64/boot/dts/renesas" | wc -l)" -eq 7 ] ||
    cat "$T/dtc.err"
check "salvator-xs dtb is an R-Car H3 tree" sh -c "fdtget '$OBJ/arch/arm64/boot/dts/renesas/r8a77951-salvator-xs.dtb' / compatible | grep -q renesas,r8a7795"

BOARDS=salvator-xs,falcon,spider,whitehawk
rigd_start -b boards -B "$BOARDS" || finish
sh "$FW/build-kernel" --pack-only -O "$OBJ" -n rcar-6.1 ignored "$T/out/rcar-6.1.tar.gz" \
    > "$T/pack.out" 2> "$T/pack.err"
check "build-kernel --pack-only: exit 0" [ $? -eq 0 ] || cat "$T/pack.err"
check "pack: prints the tarball" contains "$T/pack.out" "$T/out/rcar-6.1.tar.gz"
tar -tzf "$T/out/rcar-6.1.tar.gz" > "$T/pack.list"
for f in rcar-6.1/Image rcar-6.1/config rcar-6.1/dtbs/renesas/r8a77951-salvator-xs.dtb \
    "rcar-6.1/lib/modules/$REL/modules.dep" \
    "rcar-6.1/lib/modules/$REL/kernel/drivers/i2c/i2c-dev.ko"; do
	check "pack: $f" grep -qx "$f" "$T/pack.list"
done
check "pack: no build link into this machine" sh -c "! grep -q 'lib/modules/$REL/build' '$T/pack.list'"
mkdir -p "$T/dir"
tar -xzf "$T/out/rcar-6.1.tar.gz" -C "$T/dir"
LAB=$T/dir/rcar-6.1

# --- rigctl build add: the lab build from its folder, then from its tarball
"$RIGCTL" build add "$LAB" --json > "$T/dir.json" 2> "$T/dir.err"
check "build add DIR: exit 0" [ $? -eq 0 ] || cat "$T/dir.err"
check "build add DIR: added" [ "$(js 'd["added"]' < "$T/dir.json")" = true ]
check "build add DIR: arch arm64" [ "$(js 'd["arch"]' < "$T/dir.json")" = arm64 ]
check "build add DIR: release $REL" [ "$(js 'd["release"]' < "$T/dir.json")" = "$REL" ]
check "build add DIR: name rcar-6.1" [ "$(js 'd["name"]' < "$T/dir.json")" = rcar-6.1 ]
check "build add DIR: origin dir:" [ "$(js 'd["origin"]' < "$T/dir.json")" = "dir:$LAB" ]
check "build add DIR: image digest" \
    [ "$(js 'd["image_sha256"]' < "$T/dir.json")" = "$(sha256sum < "$LAB/Image" | cut -d' ' -f1)" ]
check "build add DIR: config digest" \
    [ "$(js 'd["config_sha256"]' < "$T/dir.json")" = "$(sha256sum < "$LAB/config" | cut -d' ' -f1)" ]
check "build add DIR: options from the fragment" [ "$(js 'd["options"]' < "$T/dir.json")" = \
    "DETECT_HUNG_TASK=y KASAN=n KFENCE=n SLUB_DEBUG=y PROVE_LOCKING=n" ]
check "build add DIR: modules" [ "$(js 'd["modules_dir"]' < "$T/dir.json")" = "$LAB/lib/modules/$REL" ]
check "build add DIR: dtbs" [ "$(js 'd["dtb_dir"]' < "$T/dir.json")" = "$LAB/dtbs" ]
check "build add DIR: 7 dtbs" [ "$(js 'd["dtbs"]' < "$T/dir.json")" = 7 ]
for b in salvator-xs:r8a77951-salvator-xs falcon:r8a779a0-falcon spider:r8a779f0-spider \
    whitehawk:r8a779g0-white-hawk; do
	check "build add DIR: board ${b%%:*} finds renesas/${b#*:}.dtb" \
	    [ "$(js "[b['path'] for b in d['boards'] if b['board'] == '${b%%:*}' and b['found']]" \
	    < "$T/dir.json")" = "[\"$LAB/dtbs/renesas/${b#*:}.dtb\"]" ]
done
ID=$(js 'd["id"]' < "$T/dir.json")
"$RIGCTL" build add "$T/out/rcar-6.1.tar.gz" --json > "$T/tar.json" 2> "$T/tar.err"
check "build add TARBALL: exit 0" [ $? -eq 0 ] || cat "$T/tar.err"
check "build add TARBALL: the same build (same image)" [ "$(js 'd["id"]' < "$T/tar.json")" = "$ID" ]
check "build add TARBALL: already known" [ "$(js 'd["added"]' < "$T/tar.json")" = false ]
check "build add TARBALL: release, arch" [ "$(js 'd["release"] + " " + d["arch"]' < "$T/tar.json")" = "$REL arm64" ]
check "build add TARBALL: origin tar:" [ "$(js 'd["origin"]' < "$T/tar.json")" = "tar:$T/out/rcar-6.1.tar.gz" ]
check "build add TARBALL: salvator-xs dtb found in the unpacked tarball" \
    [ "$(js "[b['path'].startswith('$RIG_CACHE/unpacked/') for b in d['boards'] if b['board'] == 'salvator-xs' and b['found']]" \
    < "$T/tar.json")" = "[true]" ]
"$RIGCTL" build add "$LAB" --board salvator-xs --json > "$T/board.json" 2> "$T/board.err"
check "build add DIR --board salvator-xs: exit 0" [ $? -eq 0 ] || cat "$T/board.err"
check "build add --board: only that board" [ "$(js '[b["board"] for b in d["boards"]]' < "$T/board.json")" = '["salvator-xs"]' ]
"$RIGCTL" show builds --json > "$T/builds.json"
check "show builds: the lab build's release and arch" \
    [ "$(js "[b['release'] + ' ' + b['arch'] for b in d if b['id'] == $ID]" < "$T/builds.json")" = "[\"$REL arm64\"]" ]

# --- what is wrong, named
# add_fails NAME TEXT ARGS...: build add fails (exit 2) and says TEXT.
add_fails() {
	n=$1 text=$2
	shift 2
	"$RIGCTL" build add "$@" --json > "$T/e.out" 2> "$T/e.err"
	rc=$?
	check "$n: refused" [ "$rc" -eq 2 ]
	check "$n: says '$text'" contains "$T/e.err" "$text" || cat "$T/e.err"
}
mkdir -p "$T/noimg"
cp -R "$LAB" "$T/noimg/"
rm "$T/noimg/rcar-6.1/Image"
tar -czf "$T/out/noimg.tar.gz" -C "$T/noimg" rcar-6.1
add_fails "tarball without Image" "$T/out/noimg.tar.gz: " "$T/out/noimg.tar.gz"
check "tarball without Image: says no kernel image" contains "$T/e.err" "no kernel image"

# An x86 kernel for an arm64 board: Debian's amd64 image in the lab build's place.
AMDDEB=$(kernel_deb amd64)
check "Debian amd64 kernel package at hand" [ -f "$AMDDEB" ]
mkdir -p "$T/x86"
cp -R "$LAB" "$T/x86/"
dpkg-deb --fsys-tarfile "$AMDDEB" | tar -xO --wildcards './boot/vmlinuz-*' > "$T/x86/rcar-6.1/Image"
add_fails "x86 image for the arm64 board" "$T/x86/rcar-6.1: the image is for amd64, not arm64" \
    "$T/x86/rcar-6.1" --board salvator-xs
add_fails "x86 image with --arch arm64" "the image is for amd64, not arm64" "$T/x86/rcar-6.1" --arch arm64

# A tarball whose Image is a link out of it.
mkdir -p "$T/esc" "$T/outside"
cp -R "$LAB" "$T/esc/"
mv "$T/esc/rcar-6.1/Image" "$T/outside/Image"
ln -s "$T/outside/Image" "$T/esc/rcar-6.1/Image"
tar -czf "$T/out/escape.tar.gz" -C "$T/esc" rcar-6.1
add_fails "tarball with a link out of it" "rcar-6.1/Image: a symbolic link (to $T/outside/Image)" \
    "$T/out/escape.tar.gz"
check "tarball with a link out of it: names the tarball" contains "$T/e.err" "$T/out/escape.tar.gz: "
add_fails "folder with a link out of it" "Image is a symbolic link out of the build" "$T/esc/rcar-6.1"

# The dtb salvator-xs names is not in the build.
mkdir -p "$T/nodtb"
cp -R "$LAB" "$T/nodtb/"
rm "$T/nodtb/rcar-6.1/dtbs/renesas/r8a77951-salvator-xs.dtb"
line=$(grep -n '^  dtb:' boards/salvator-xs.yaml | cut -d: -f1)
add_fails "missing dtb for --board salvator-xs" \
    "boards/salvator-xs.yaml:$line: boot.dtb renesas/r8a77951-salvator-xs.dtb: renesas/r8a77951-salvator-xs.dtb: not in the build's device trees ($T/nodtb/rcar-6.1/dtbs)" \
    "$T/nodtb/rcar-6.1" --board salvator-xs
"$RIGCTL" build add "$T/nodtb/rcar-6.1" --json > "$T/nodtb.json" 2> "$T/nodtb.err"
check "missing dtb, no --board: added" [ $? -eq 0 ]
check "missing dtb, no --board: salvator-xs's marked not found" \
    [ "$(js '[b["found"] for b in d["boards"] if b["board"] == "salvator-xs"]' < "$T/nodtb.json")" = "[false]" ]
check "missing dtb, no --board: falcon's found" \
    [ "$(js '[b["found"] for b in d["boards"] if b["board"] == "falcon"]' < "$T/nodtb.json")" = "[true]" ]
add_fails "--board that does not exist" "no board nosuch" "$LAB" --board nosuch
"$RIGCTL" ping > /dev/null
check "rigd still answers" [ $? -eq 0 ]
finish
