#!/bin/sh
# yaml.sh: how long rigd -n takes to check a scenario file holding one mapping of N keys (each
# an unknown key, one duplicate at the end): the duplicate-key check must grow with N, not N*N.
#   sh rig/bench/yaml.sh [BUILD_DIR]     (default build; run from the repository root)
set -eu
build=${1:-build}
d=$(mktemp -d /tmp/rig-yaml-bench-XXXXXX)
trap 'rm -rf "$d"' EXIT
now() { date +%s.%N; }
printf '%-28s %12s %12s\n' "keys in one mapping" "seconds" "errors"
for n in 1000 30000 90000; do
	mkdir -p "$d/$n"
	awk -v n="$n" 'BEGIN { print "name: big"; print "steps:"; print "  - shell: true"
	    for (i = 0; i < n; i++) printf "k%d: %d\n", i, i; print "k7: again" }' \
	    > "$d/$n/big.yaml"
	t0=$(now)
	"$build/bin/rigd" -n -b boards -B vq35 -c "$d/$n" > "$d/out" 2>&1 || true
	t1=$(now)
	printf '%-28s %12s %12s\n' "$n" "$(echo "$t1 $t0" | awk '{ printf "%.3f", $1 - $2 }')" \
	    "$(grep -c 'big.yaml:' "$d/out" || true)"
done
