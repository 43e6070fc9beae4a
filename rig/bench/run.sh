#!/bin/sh
# bench: every benchmark, each printing its table.
#   sh rig/bench/run.sh BUILD_DIR
set -u
BUILD=${1:-build}
rc=0
for b in rig/bench/lab.sh rig/bench/snapshot.sh rig/bench/hang.sh rig/bench/vsabre.sh \
    rig/bench/nightly.sh rig/bench/triage.sh rig/bench/console.sh rig/bench/yaml.sh \
    rig/bench/dash.sh rig/bench/queue.sh rig/bench/reserve.sh rig/bench/store_reads.sh; do
	[ -f "$b" ] || continue
	echo "== $b"
	sh "$b" "$BUILD" || rc=1
done
exit $rc
