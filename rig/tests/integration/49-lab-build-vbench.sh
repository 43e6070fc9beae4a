# A registered lab build boots on a U-Boot board: a folder laid out as firmware/rcar/build-kernel
# packs one (image, config, lib/modules/RELEASE after depmod; here from Debian's amd64 kernel,
# since the only U-Boot board QEMU gives this host is vbench, an x86 one) is added with
# `rigctl build add --board vbench`, and `rigctl run --build` boots it through mkimage's lab-build
# path, the TFTP staging and U-Boot: the run is stored against that build, the board says the
# build's release, and the console shows U-Boot fetching it. (The R-Car path differs in booti and
# the dtb, which test_boot_uboot covers; no R-Car board is here.)
#@ alone: U-Boot's stage deadlines, as 65-vbench
. rig/tests/integration/lib.sh

# The lab build folder, from Debian's amd64 kernel package (the newest in RIG_CACHE/debs, else
# vbench's own build fetched there): bzImage, config, and the modules vbench loads (with what
# they need) under lib/modules/RELEASE, depmod'ed as modules_install leaves them.
deb=$(ls "$RIG_CACHE/debs" 2>/dev/null | grep -E '^linux-image-6\.1\.0-[0-9]+-amd64_.*_amd64\.deb$' |
    sort -V | tail -1)
if [ -z "$deb" ]; then
	mkdir -p "$T/dl" "$RIG_CACHE/debs"
	set -- linux-image-6.1.0-56-amd64:amd64
	[ "$(id -u)" != 0 ] || set -- -o APT::Sandbox::User=root "$@"
	(cd "$T/dl" && apt-get -q download "$@" > /dev/null)
	deb=$(ls "$T/dl")
	mv "$T/dl/$deb" "$RIG_CACHE/debs/"
fi
check "Debian amd64 kernel package at hand" [ -f "$RIG_CACHE/debs/$deb" ] || finish
mkdir -p "$T/deb"
dpkg-deb -x "$RIG_CACHE/debs/$deb" "$T/deb"
REL=$(ls "$T/deb/lib/modules")
LAB=$T/lab/x86-6.1
M=$LAB/lib/modules/$REL
mkdir -p "$M/kernel/drivers/net/ethernet"
cp "$T/deb/boot/vmlinuz-$REL" "$LAB/bzImage"
cp "$T/deb/boot/config-$REL" "$LAB/config"
cp "$T/deb/lib/modules/$REL"/modules.* "$M/"
cp -R "$T/deb/lib/modules/$REL/kernel/drivers/i2c" "$T/deb/lib/modules/$REL/kernel/drivers/ptp" \
    "$T/deb/lib/modules/$REL/kernel/drivers/pps" "$M/kernel/drivers/"
cp -R "$T/deb/lib/modules/$REL/kernel/drivers/net/ethernet/intel" "$M/kernel/drivers/net/ethernet/"
depmod -b "$LAB" "$REL"
rm -rf "$T/deb"

vbench_board vbench || finish
BOARDS=vbench rigd_start -b "$T/boards" || finish
"$RIGCTL" build add "$LAB" --board vbench --json > "$T/add.json" 2> "$T/add.err"
check "build add LAB --board vbench: exit 0" [ $? -eq 0 ] || cat "$T/add.err"
ID=$(js 'd["id"]' < "$T/add.json")
check "the lab build: amd64, $REL, no package" \
    [ "$(js 'd["arch"] + " " + d["release"] + " " + d["origin"][:4]' < "$T/add.json")" = "amd64 $REL dir:" ]

run=$(( $(last_run) + 1 ))
"$RIGCTL" run cut-while-open --board vbench --build "$ID" --json > "$T/run.json" 2> "$T/run.err"
rc=$?
check "run --build LAB on vbench: exit 0" [ "$rc" -eq 0 ] || cat "$T/run.err" "$T/run.json"
stored() { q "$1" show run "$run"; }
check "the run is stored against the lab build" [ "$(stored 'str(d["build_id"])')" = "$ID" ]
log=$(stored 'd["console_log"]')
check "U-Boot fetched the lab build's kernel over TFTP" contains "$log" "Filename 'vmlinuz'."
check "the board's init said ready with the build's release" contains "$log" "rig-board: ready $REL"
check "the staged kernel is the lab build's image" \
    [ "$(sha256sum < "$T/tftp/vbench/vmlinuz" | cut -d' ' -f1)" = "$(js 'd["image_sha256"]' < "$T/add.json")" ]
check "the image was made from the folder (mkimage's BUILD=)" \
    grep -qx "BUILD=$LAB" "$T/images/vbench/image.env"
finish
