#!/bin/sh
# deps: installs the Debian packages rig and its virtual lab need; silent when all are there.
set -eu

pkgs="gcc make pkg-config libssh-dev libyaml-dev libsqlite3-dev libpcre2-dev libcjson-dev
libgpiod-dev libmicrohttpd-dev libarchive-dev libpq-dev libssl-dev clang libclang-rt-14-dev
qemu-system-x86 qemu-system-arm kmod cpio gzip xz-utils procps sqlite3 python3 python3-jsonschema chromium python3-websocket
ser2net python3-serial socat u-boot-qemu iproute2
gcc-arm-linux-gnueabihf libc6-dev-armhf-cross libgpiod-dev:armhf libyaml-dev:armhf device-tree-compiler
python3-labgrid gcc-aarch64-linux-gnu flex bison strace libiberty-dev postgresql postgresql-contrib"
# libc6-dev-armhf-cross: the cross compiler only recommends its C library headers, and
# recommends are not installed here.
# The :armhf packages build the gpio backend's chip test for vsabre (static, run inside it);
# device-tree-compiler's fdtput names GPIO lines in that test's copy of vsabre's device tree.
# libiberty-dev: triage demangles the Rust frames of kernel panics (rust_demangle).
# strace: 42-file-modes sees that rigd never chmods a file it made (modes right from birth).
# python3-websocket: rig/tests/dashcheck.py drives Chromium through its DevTools protocol.
# python3-labgrid: 48-labgrid-import loads its environments with labgrid's own loader too.
# gcc-aarch64-linux-gnu, flex and bison: firmware/rcar/kconfig-check runs the arm64 kernel's
# Kconfig (and build-kernel builds R-Car kernels); arm64 in dpkg: Debian's arm64 kernel packages.

# The control socket's group (rigd -g; rigd(8), Access): its members may use rigctl.
if ! getent group rig >/dev/null; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: need root to add the group rig" >&2
		exit 2
	fi
	groupadd --system rig
	echo "deps: added the group rig (usermod -aG rig USER lets USER use rigctl)"
fi

missing=""
for p in $pkgs; do
	st=$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
for a in armhf arm64; do
	dpkg --print-foreign-architectures | grep -qx "$a" || missing="$missing (arch $a)"
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: need root to install:$missing" >&2
	exit 2
fi
# The armhf packages need the architecture in dpkg (mkimage adds it too, for vsabre's kernel).
for a in armhf arm64; do
	if ! dpkg --print-foreign-architectures | grep -qx "$a"; then
		dpkg --add-architecture "$a"
		apt-get update -qq
	fi
done
missing=$(echo "$missing" | sed 's/ (arch [a-z0-9]*)//g')
[ -n "$missing" ] || exit 0
# Lists older than a day are refreshed: a fresh machine has none, and kernel builds move.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
	apt-get update -qq
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
