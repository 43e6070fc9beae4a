#!/bin/sh
# mtd-builds: the MTD story per build on vsabre, in one command (minutes; not part of make check).
# A private rigd registers Debian's armhf builds 6.1.176 (6.1.0-50) and 6.1.192 (6.1.0-56), runs
# mtd-unbind, mtd-unbind-release and mtd-poweroff on each, prints each verdict with its title and
# backtrace, the matrix and the comparison; then registers the rest of the armhf series and
# bisects mtd-unbind across it (rigctl bisect).
#   sh rig/bench/mtd-builds.sh [BUILD_DIR]       (make mtd-builds)
#   MTD_PHASES="runs bisect" (default both); MTD_OLD, MTD_NEW, MTD_SERIES: the builds.
set -u
. rig/bench/lib.sh
PHASES=${MTD_PHASES:-runs bisect}
OLD=${MTD_OLD:-linux-image-6.1.0-50-armmp}
NEW=${MTD_NEW:-linux-image-6.1.0-56-armmp}
# The armhf builds the archive had on 2026-12-03 from 6.1.176 on (FACTS.md): 6.1.176 .. 6.1.192-3.
SERIES=${MTD_SERIES:-50 53 54 55 56 57}
BAD=${MTD_BAD:-linux-image-6.1.0-57-armmp}
bench_start vsabre
rc=0

add() {
	"$RIGCTL" build add "$1" > "$T/add.out" 2>&1 ||
	    { echo "mtd-builds: build add $1 failed:"; cat "$T/add.out"; exit 2; }
	sed -n 1,2p "$T/add.out"
}

# run SCENARIO BUILD: its verdict, title and the oops' backtrace (ARM: "f from g+0x.." lines).
run() {
	"$RIGCTL" run "$1" --board vsabre --build "$2" > "$T/run.out" 2>&1
	st=$?
	[ $st -le 1 ] || { echo "mtd-builds: $1 on $2: lab error"; cat "$T/run.out"; rc=2; return; }
	"$RIGCTL" show run "$(last_run)" --json | js '"%s on %s (%s): %s%s\n%s" % (d["scenario"],
	    d["build"], d["build_version"], d["verdict"], (": " + d["title"]) if d["title"] else "",
	    "\n".join("    " + l.strip() for l in (d["stack"] or "").splitlines()
	    if " from " in l or "blocked for more" in l or "task:" in l))'
}

case " $PHASES " in *" runs "*)
	echo "== builds"
	add "$OLD"
	add "$NEW"
	echo
	echo "== runs (vsabre, slub_debug=FZP)"
	for b in "$OLD" "$NEW"; do
		for s in mtd-unbind mtd-unbind-release mtd-poweroff; do
			run "$s" "$b"
		done
	done
	echo
	echo "== rigctl matrix --board vsabre"
	"$RIGCTL" matrix --board vsabre
	echo
	echo "== rigctl compare $OLD $NEW"
	"$RIGCTL" compare "$OLD" "$NEW"
	;;
esac

# Where between 6.1.176 and the newest build mtd-unbind stopped doing what it does on 6.1.176:
# the good end is the reference outcome, bad is any other (rigctl(1) bisect).
case " $PHASES " in *" bisect "*)
	echo
	echo "== builds of the series"
	for n in $SERIES; do
		add "linux-image-6.1.0-$n-armmp"
	done
	echo
	echo "== rigctl bisect mtd-unbind --board vsabre --good $OLD --bad $BAD"
	start=$(date +%s)
	"$RIGCTL" bisect mtd-unbind --board vsabre --good "$OLD" --bad "$BAD" || rc=2
	echo "bisect took $(($(date +%s) - start)) s"
	;;
esac
exit $rc
