#!/bin/sh
# survey-builds: the lifetime survey per build, the README's results tables (minutes to an hour;
# not part of make check). A private rigd surveys vq35 on its default build and vsabre on its
# default build and on the 6.1.192 armhf build, the two boards at once, every class and sequence;
# each survey's table is printed as rigctl prints it and kept as JSON in SURVEY_OUT (when set).
#   sh rig/bench/survey-builds.sh [BUILD_DIR]       (make survey-builds)
#   SURVEY_NEW: the second vsabre build (default linux-image-6.1.0-56-armmp, 6.1.192-2).
set -u
. rig/bench/lib.sh
NEW=${SURVEY_NEW:-linux-image-6.1.0-56-armmp}
OUT=${SURVEY_OUT:-$T/out}
mkdir -p "$OUT"
bench_start vq35,vsabre
rc=0

"$RIGCTL" build add "$NEW" > "$T/add.out" 2>&1 ||
    { echo "survey-builds: build add $NEW failed:"; cat "$T/add.out"; exit 2; }
sed -n 1,2p "$T/add.out"

# survey NAME BOARD [rigctl survey args...]: the survey, as JSON into OUT/NAME.json.
survey() {
	name=$1
	board=$2
	shift 2
	start=$(date +%s)
	"$RIGCTL" survey --board "$board" "$@" --json > "$OUT/$name.json" 2> "$OUT/$name.err"
	echo "$name: exit $? after $(($(date +%s) - start)) s" >> "$OUT/times"
}

# vq35 alongside vsabre's two builds (one after the other: one board).
survey vq35 vq35 &
q35=$!
survey vsabre-default vsabre
survey vsabre-new vsabre --build "$NEW"
wait $q35
cat "$OUT/times"

# table NAME: a row per device: class, driver, bus, each sequence's verdict and title.
for n in vq35 vsabre-default vsabre-new; do
	echo
	echo "== $n"
	js '"build %s (%s), %d devices, %d runs, %d s\n" % (d.get("build"), d.get("version"),
	    d.get("found", 0), d.get("runs", 0), d.get("duration_ms", 0) // 1000) + "\n".join(
	    "%-14s %-8s %-12s %-9s %s" % (r["device"], r["class"], r["driver"], r["bus"],
	    r["row"] if r["row"] != "run" else " ".join("%s:%s%s" % (s["sequence"], s["verdict"],
	    (" [" + s["title"] + "]") if s["title"] else "") for s in r["sequences"]))
	    + ((" -- " + r["title"]) if r.get("title") else "") for r in d.get("devices", []))' \
	    < "$OUT/$n.json" || { cat "$OUT/$n.err"; rc=2; }
done
echo
echo "== rigctl matrix --board vsabre"
"$RIGCTL" matrix --board vsabre
exit $rc
