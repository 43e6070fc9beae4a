#!/bin/sh
# run.sh: builds rig's fuzz targets with clang (libFuzzer, ASan, UBSan) and runs each for N seconds.
#   sh rig/tests/fuzz/run.sh [SECONDS [TARGET...]]   (default 600 each; run from the repository root)
# Targets: triage (console logs), proto (the control protocol, both ends), board and scenario (the
# YAML loaders), buildx (a build's tarball or .deb as rigd unpacks it). One at a time: the
# machine's cores are shared. Seeds: the repository's boards/, scenarios/ and archives made of
# them, rig/tests/fuzz/corpus/TARGET/ (kept inputs and past findings), the syzkaller corpus
# logs (RIG_CORPUS) and rig's triage test logs. The corpus each grows is build/fuzz/corpus/TARGET,
# findings land in build/fuzz/findings/TARGET-*, each run's log in build/fuzz/TARGET.log, and one
# line per target says executions, coverage and findings. Exit 1 when any target found something.
set -eu
secs=${1:-600}
[ $# -gt 0 ] && shift
targets=${*:-triage proto board scenario buildx}
corpus_src=${RIG_CORPUS:-../shared/corpus/syzkaller-linux}
out=build/fuzz
san="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
mkdir -p "$out/findings"

# The library once, instrumented for coverage and the sanitizers (the Makefile's own rules).
CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
-fno-sanitize-recover=undefined" make --no-print-directory -j2 CC=clang BUILD="$out/rig" \
    "$out/rig/lib/librig.a" >"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 2; }
libs="$out/rig/lib/librig.a $(pkg-config --libs libssh yaml-0.1 sqlite3 libpcre2-8 libcjson \
    libcrypto libmicrohttpd libgpiod libarchive) -liberty -lpthread -lm -lutil"
cflags="-g -O1 -std=c11 -D_GNU_SOURCE -Irig/lib $(pkg-config --cflags libcjson) $san"

seeds() {
	t=$1 d=$out/seeds/$1
	rm -rf "$d"
	mkdir -p "$d"
	[ -d rig/tests/fuzz/corpus/$t ] && cp rig/tests/fuzz/corpus/$t/* "$d/" 2>/dev/null
	case $t in
	triage)
		if [ -d "$corpus_src" ]; then
			# Only the log part of each file (after the header's blank line) is console output.
			for f in "$corpus_src"/[0-9]*; do
				awk 'body { print } /^$/ && !body { body = 1 }' "$f" > "$d/$(basename "$f")"
			done
		else
			echo "run.sh: no corpus at $corpus_src; seeding from rig's test logs only" >&2
		fi
		cp rig/tests/data/triage/*.log "$d/" 2>/dev/null || true ;;
	board)
		cp boards/*.yaml "$d/"
		cp rig/tests/data/conf/*.yaml "$d/" 2>/dev/null || true ;;
	scenario)
		# The target's file is fuzzscen.yaml: the seeds take that name to pass the name check.
		for f in scenarios/*.yaml rig/tests/data/scenarios/*.yaml; do
			[ -f "$f" ] || continue
			sed 's/^name: .*/name: fuzzscen/' "$f" > "$d/$(echo "$f" | tr / _)"
		done ;;
	buildx)
		# Small archives of the repository's own files: plain and compressed tarballs, one with
		# a link and a hard link, and a .deb.
		w=$out/seeds/buildx.work
		rm -rf "$w"
		mkdir -p "$w/b/boot" "$w/deb/DEBIAN" "$w/deb/boot"
		cp boards/vq35.yaml "$w/b/config"
		cp scenarios/i2c-unbind.yaml "$w/b/boot/Image"
		ln -s config "$w/b/link"
		ln "$w/b/config" "$w/b/hard"
		for z in tar tar.gz tar.xz tar.bz2 tar.zst; do
			tar -C "$w" -caf "$d/seed.$z" b/config b/boot
		done
		tar -C "$w" -cf "$d/seed-links.tar" b
		cp boards/vq35.yaml "$w/deb/boot/config"
		printf 'Package: linux-image-fuzz\nVersion: 1\nArchitecture: amd64\nMaintainer: rig\nDescription: seed\n' \
		    > "$w/deb/DEBIAN/control"
		dpkg-deb -Zxz --root-owner-group -b "$w/deb" "$d/seed.deb" > /dev/null
		rm -rf "$w" ;;
	esac
	return 0
}

build() {
	t=$1
	case $t in
	triage)   clang $cflags -o "$out/fuzz_$t" rig/tests/fuzz/fuzz_triage.c $libs ;;
	proto)    clang $cflags -o "$out/fuzz_$t" rig/tests/fuzz/fuzz_proto.c $libs ;;
	board)    clang $cflags -DFUZZ_CONF_BOARD -o "$out/fuzz_$t" rig/tests/fuzz/fuzz_conf.c $libs ;;
	scenario) clang $cflags -o "$out/fuzz_$t" rig/tests/fuzz/fuzz_conf.c $libs ;;
	buildx)   clang $cflags -o "$out/fuzz_$t" rig/tests/fuzz/fuzz_buildx.c $libs ;;
	*) echo "run.sh: no target $t (triage proto board scenario buildx)" >&2; return 2 ;;
	esac
}

found=0
summary=""
for t in $targets; do
	build "$t"
	seeds "$t"
	mkdir -p "$out/corpus/$t"
	rc=0
	"$out/fuzz_$t" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$out/findings/$t-" "$out/corpus/$t" \
	    "$out/seeds/$t" >"$out/$t.log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" | tail -n 1)
	cov=$(grep -E '^#[0-9]+' "$out/$t.log" | grep -o 'cov: [0-9]*' | tail -n 1)
	ft=$(grep -E '^#[0-9]+' "$out/$t.log" | grep -o 'ft: [0-9]*' | tail -n 1)
	corp=$(grep -E '^#[0-9]+' "$out/$t.log" | grep -o 'corp: [0-9]*' | tail -n 1)
	if [ "$rc" -ne 0 ]; then
		found=1
		what="FINDING (exit $rc): $(grep -m1 -E 'ERROR: |runtime error|deadly signal' \
		    "$out/$t.log" || echo see log); artifact $(ls -t "$out/findings/$t-"* 2>/dev/null |
		    head -n 1)"
	else
		what="no findings"
	fi
	line="fuzz $t: ${execs:-?} executions in ${secs}s, ${cov:-cov: ?} edges, ${ft:-ft: ?} features, ${corp:-corp: ?} inputs; $what"
	echo "$line"
	summary="$summary$line
"
done
printf '%s' "$summary" > "$out/summary.txt"
exit $found
