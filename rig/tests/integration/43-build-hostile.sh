# Hostile builds: `rigctl build add` unpacks a tarball as root into the lab's cache, so what a
# tarball holds must not become a privilege or a read elsewhere. Each hostile tarball the test
# makes (a setuid file, a config that is a link to /etc/shadow, an image that is a link to
# /etc/hostname, a ../ path, an absolute path, a device node, a fifo, a hard link to a file
# outside, a huge sparse file) is refused with the entry named, and the cache is as it was: no
# .tmp left, the same listing. A folder build gets the same checks (no link out of it, no special
# file). A good tarball still unpacks, its files 0640 and folders 0750 whatever their modes were.
# A full disk while unpacking is the same: the entry named, nothing left.
# No board is powered: the build's image is Debian's amd64 kernel from the cache.
. rig/tests/integration/lib.sh

# The cache is a small tmpfs of its own: a full disk in the middle of an unpack is one case.
CACHE=$T/cache
mkdir -p "$CACHE"
check "cache on a 64 MiB tmpfs" mount -t tmpfs -o size=64m,mode=0750 rig-it-cache "$CACHE" || finish
APT_PID=
trap 'rigd_stop; [ -n "$APT_PID" ] && kill $APT_PID; umount -l "$CACHE" 2>/dev/null; cleanup' EXIT

# The good build: Debian's amd64 kernel image and config, as a lab build folder holds them.
deb=$(ls "$RIG_CACHE"/debs/linux-image-6.1.0-*-amd64_*_amd64.deb 2>/dev/null | grep -v -e cloud -e rt-amd64 |
    sort -V | tail -n 1)
check "Debian amd64 kernel package in the cache" [ -f "$deb" ] || finish
mkdir -p "$T/deb" "$T/src/good/tools"
dpkg-deb -x "$deb" "$T/deb"
cp "$T"/deb/boot/vmlinuz-* "$T/src/good/Image"
cp "$T"/deb/boot/config-* "$T/src/good/config"
REL=$(ls "$T/deb/lib/modules")
echo 'echo hello' > "$T/src/good/tools/run.sh"
chmod 0777 "$T/src/good/tools/run.sh"
chmod 0755 "$T/src/good/Image"
# A shared group folder's setgid and sticky bits: dropped, not refused (folders are 0750).
chmod 3775 "$T/src/good/tools"

# A Debian archive of the test's own, served slowly on loopback (no network): a kernel package
# of the good build's image and config, 4 MB/s, so that its download lasts about two seconds.
# rigd's apt-get reads it through APT_CONFIG, which rigd inherits.
A=$T/apt
mkdir -p "$A/repo" "$A/lists/partial" "$A/cache/archives/partial" "$A/none" \
    "$A/pkg/DEBIAN" "$A/pkg/boot"
cp "$T"/deb/boot/vmlinuz-* "$T"/deb/boot/config-* "$A/pkg/boot/"
printf 'Package: linux-image-6.1.0-99-amd64\nVersion: 6.1.192-99\nArchitecture: amd64\nMaintainer: rig tests <rig@localhost>\nDescription: the good build, as a package\n' > "$A/pkg/DEBIAN/control"
dpkg-deb -Zgzip -b "$A/pkg" "$A/repo/linux-image-6.1.0-99-amd64_6.1.192-99_amd64.deb" > /dev/null
(cd "$A/repo" && dpkg-scanpackages -m . /dev/null > Packages 2> /dev/null)
# The server says its port once it listens: read from a fifo, no polling.
mkfifo "$A/port.fifo"
/usr/bin/python3 "$PWD/rig/tests/apt_repo.py" "$A/repo" 4000000 > "$A/port.fifo" &
APT_PID=$!
read -r apt_port < "$A/port.fifo"
echo "deb [trusted=yes] http://127.0.0.1:$apt_port/ ./" > "$A/sources.list"
cat > "$A/apt.conf" <<EOF
Dir::Etc::SourceList "$A/sources.list";
Dir::Etc::SourceParts "$A/none";
Dir::Etc::Preferences "$A/none/none";
Dir::Etc::PreferencesParts "$A/none";
Dir::State::Lists "$A/lists";
Dir::Cache "$A/cache";
EOF
export APT_CONFIG=$A/apt.conf
apt-get -q -o APT::Sandbox::User=root update > "$A/update.out" 2>&1
check "the test's archive is read (apt-get update)" [ $? -eq 0 ] || cat "$A/update.out"
rigd_start -C "$CACHE" || finish

# listing: the cache as a sorted list of path, type and mode (what must not change).
listing() { (cd "$CACHE" && find . -printf '%p %y %m\n' | sort); }

# refused NAME TARBALL|DIR TEXT: build add fails (exit 2) saying TEXT and the cache is unchanged.
refused() {
	n=$1 what=$2 text=$3
	listing > "$T/before"
	"$RIGCTL" build add "$what" --arch amd64 --json > "$T/e.out" 2> "$T/e.err"
	rc=$?
	check "$n: refused (exit 2)" [ "$rc" -eq 2 ] || cat "$T/e.out" "$T/e.err"
	check "$n: says '$text'" contains "$T/e.err" "$text" || cat "$T/e.err"
	check "$n: names what was given" contains "$T/e.err" "$what: "
	listing > "$T/after"
	check "$n: cache unchanged" cmp -s "$T/before" "$T/after" || diff "$T/before" "$T/after"
	check "$n: no .tmp left" sh -c "! find '$CACHE' -name '*.tmp' | grep -q ."
}

# mktar NAME SETUP: a copy of the good build, changed by SETUP (run in the copy's parent, as
# shell), packed as $T/tar/NAME.tar with the changed entry first (refused before the rest).
mkdir -p "$T/tar"
mktar() {
	rm -rf "$T/w"
	mkdir -p "$T/w"
	cp -a "$T/src/good" "$T/w/good"
	(cd "$T/w" && sh -c "$2")
	(cd "$T/w" && tar -S -cf "$T/tar/$1.tar" $3 good)
}

# --- the good tarball first: it unpacks, with no mode of its own
mktar good true
"$RIGCTL" build add "$T/tar/good.tar" --json > "$T/good.json" 2> "$T/good.err"
check "good tarball: added" [ $? -eq 0 ] || cat "$T/good.err"
check "good tarball: release $REL" [ "$(js 'd["release"]' < "$T/good.json")" = "$REL" ]
UNP=$(ls -d "$CACHE"/unpacked/good-* 2>/dev/null)
check "good tarball: unpacked once in the cache" [ -d "$UNP" ]
check "good tarball: files 0640 (the 0777 script, the 0755 image too)" \
    [ "$(find "$UNP" -type f ! -name .unpacked ! -perm 0640 | wc -l)" -eq 0 ]
check "good tarball: the script is there" [ -f "$UNP/good/tools/run.sh" ]
check "good tarball: folders 0750 (the 3775 one too)" [ "$(find "$UNP" -type d ! -perm 0750 | wc -l)" -eq 0 ]
check "good tarball: nothing setuid, setgid or sticky" [ "$(find "$CACHE" -perm /7000 | wc -l)" -eq 0 ]

# --- on a terminal, as a person adds a build: how far the unpacking is, rewritten in place
tar -C "$T/src" -czf "$T/tar/good-tty.tar.gz" good
tar -C "$T/src" -czf "$T/tar/good-gz.tar.gz" good
"$RIGCTL" build add "$T/tar/good-gz.tar.gz" --arch amd64 > "$T/add-pipe.out" 2>&1
check "build add on a pipe: exit 0" [ $? -eq 0 ] || cat "$T/add-pipe.out"
check "build add on a pipe: no progress (no carriage return, no escape)" [ "$(tr -dc '\r\033' < "$T/add-pipe.out" | wc -c)" -eq 0 ]
on_pty "$T/add.tty" "$RIGCTL" build add "$T/tar/good-tty.tar.gz" --arch amd64
rc=$?
screen "$T/add.tty" > "$T/add.out"
cat "$T/add.out"
check "build add on a terminal: exit 0" [ "$rc" -eq 0 ]
check "build add on a terminal: the unpacking's progress, rewritten in place" contains "$T/add.tty" "$(printf '\r\033[Kunpacking good-tty.tar.gz: ')"
check "build add on a terminal: ... to its end" grep -aq "unpacking good-tty.tar.gz: 100%" "$T/add.tty"
check "build add on a terminal: then the build, as on a pipe" grep -q "^build [0-9]* already known: " "$T/add.out"
check "build add on a terminal: no progress left on the screen" [ "$(grep -c unpacking "$T/add.out")" -eq 0 ]

# --- on a terminal, a package from the archive: apt's download per cent, rewritten in place
on_pty "$T/dl.tty" "$RIGCTL" build add linux-image-6.1.0-99-amd64 --arch amd64
rc=$?
screen "$T/dl.tty" > "$T/dl.out"
cat "$T/dl.out"
check "build add of a package on a terminal: exit 0" [ "$rc" -eq 0 ]
pkg=linux-image-6.1.0-99-amd64:amd64=6.1.192-99
check "build add of a package on a terminal: the download's per cent, rewritten in place" \
    grep -aq "$(printf '\r\033\\[K')downloading $pkg: [0-9]*% (" "$T/dl.tty"
check "build add of a package on a terminal: ... on the way, neither 0 nor 100 (a real download)" \
    grep -aqE "downloading $pkg: ([1-9]|[1-9][0-9])% \(" "$T/dl.tty"
check "build add of a package on a terminal: ... to its end" grep -aq "downloaded $pkg: " "$T/dl.tty"
check "build add of a package on a terminal: no progress left on the screen" \
    [ "$(grep -c download "$T/dl.out")" -eq 0 ]
# Room for the cases below: the package and its unpacking leave the small cache.
rm -rf "$CACHE"/debs/linux-image-6.1.0-99-amd64_* "$CACHE"/unpacked/linux-image-6.1.0-99-amd64*

# --- hostile tarballs made with tar itself
mktar setuid 'cp /bin/true good/tools/sh && chmod 4755 good/tools/sh' good/tools/sh
refused "setuid file" "$T/tar/setuid.tar" "good/tools/sh: setuid, setgid or sticky"
mktar setgid 'chmod 2755 good/tools/run.sh' good/tools/run.sh
refused "setgid file" "$T/tar/setgid.tar" "good/tools/run.sh: setuid, setgid or sticky"

# What an older rig unpacked with tar (a setuid file kept) is not trusted: unpacked again, refused.
key=setuid-$(sha256sum < "$T/tar/setuid.tar" | cut -c1-16)
mkdir -p "$CACHE/unpacked/$key/good/tools"
cp /bin/true "$CACHE/unpacked/$key/good/tools/sh"
chmod 4755 "$CACHE/unpacked/$key/good/tools/sh"
touch "$CACHE/unpacked/$key/.unpacked"
"$RIGCTL" build add "$T/tar/setuid.tar" --arch amd64 --json > "$T/e.out" 2> "$T/e.err"
check "old unpack with a setuid file: refused (exit 2)" [ $? -eq 2 ]
check "old unpack with a setuid file: the archive's entry named" \
    contains "$T/e.err" "good/tools/sh: setuid, setgid or sticky"
check "old unpack with a setuid file: gone from the cache" [ ! -e "$CACHE/unpacked/$key" ]
mktar shadow 'rm good/config && ln -s /etc/shadow good/config' good/config
refused "config linked to /etc/shadow" "$T/tar/shadow.tar" "good/config: a symbolic link (to /etc/shadow)"
mktar hostname 'rm good/Image && ln -s /etc/hostname good/Image' good/Image
refused "image linked to /etc/hostname" "$T/tar/hostname.tar" "good/Image: a symbolic link (to /etc/hostname)"
mktar device 'mknod good/null c 1 3' good/null
refused "device node" "$T/tar/device.tar" "good/null: a device node"
mktar fifo 'mkfifo good/fifo' good/fifo
refused "fifo" "$T/tar/fifo.tar" "good/fifo: a fifo"
mktar hardlink 'ln good/config good/config2' ""
refused "hard link" "$T/tar/hardlink.tar" "good/config2: a hard link (to good/config)"
mktar sparse 'truncate -s 20G good/big' good/big
check "sparse tarball is small" [ "$(stat -c %s "$T/tar/sparse.tar")" -lt 100000000 ]
refused "huge sparse file" "$T/tar/sparse.tar" "good/big: 21474836480 bytes, more than"

# --- names tar would not write: made with Python's tarfile
evil() {
	/usr/bin/python3 - "$T/tar/$1.tar" "$2" "$3" "$T/src/good/Image" <<'EOF'
import io, sys, tarfile
out, name, kind, image = sys.argv[1:5]
with tarfile.open(out, "w") as t:
    i = tarfile.TarInfo(name)
    if kind == "hardlink":
        i.type, i.linkname = tarfile.LNKTYPE, "/etc/shadow"
        t.addfile(i)
    else:
        i.size = 5
        t.addfile(i, io.BytesIO(b"evil\n"))
    t.add(image, "good/Image")
EOF
}
evil dotdot "good/../../evil" file
refused "../ path" "$T/tar/dotdot.tar" "good/../../evil: a path out of the build"
evil abs "/tmp/rig-evil-$$" file
refused "absolute path" "$T/tar/abs.tar" "/tmp/rig-evil-$$: a path out of the build"
check "absolute path: nothing written there" [ ! -e "/tmp/rig-evil-$$" ]
evil hardout "good/shadow" hardlink
refused "hard link to a file outside" "$T/tar/hardout.tar" "good/shadow: a hard link (to /etc/shadow)"

# --- a full disk halfway: the entry named, nothing left (64 MiB of zeros after the image)
mktar full 'head -c 67108864 /dev/zero > good/zeros' "good/Image good/zeros"
refused "disk full while unpacking" "$T/tar/full.tar" "good/zeros: No space left on device"

# --- folder builds: the same checks where the folder is
mkdir -p "$T/dirs"
mkdir_build() { rm -rf "$T/dirs/$1"; cp -a "$T/src/good" "$T/dirs/$1"; (cd "$T/dirs/$1" && sh -c "$2"); }
mkdir_build dshadow 'rm config && ln -s /etc/shadow config'
refused "folder: config linked to /etc/shadow" "$T/dirs/dshadow" "config is a symbolic link out of the build (to /etc/shadow)"
mkdir_build dfifo 'mkfifo tools/fifo'
refused "folder: fifo" "$T/dirs/dfifo" "tools/fifo is a fifo"
mkdir_build ddev 'mknod null c 1 3'
refused "folder: device node" "$T/dirs/ddev" "null is a device node"
mkdir_build dlink 'ln -s /etc tools/etc'
refused "folder: link to a folder out of it" "$T/dirs/dlink" "tools/etc is a symbolic link out of the build (to /etc)"
mkdir_build dok 'ln -s ../config tools/config-link'
"$RIGCTL" build add "$T/dirs/dok" --json > "$T/dok.json" 2> "$T/dok.err"
check "folder: a link inside it is fine" [ $? -eq 0 ] || cat "$T/dok.err"

"$RIGCTL" ping > /dev/null
check "rigd still answers" [ $? -eq 0 ]
finish
