# Every build, every night: three real amd64 kernel builds (two generic 6.1, one rt) registered,
# a nightly of three scenarios on vq35, rigd killed in the middle and started again: the queue
# finishes with no job lost or run twice, the matrix shows the I2C hang in every build, compare
# says still failing, and the exports are valid JUnit and KCIDB.
. rig/tests/integration/lib.sh

B1=linux-image-6.1.0-56-amd64
B2=linux-image-6.1.0-55-amd64
B3=linux-image-6.1.0-56-rt-amd64
SCHEMA=${RIG_KCIDB_SCHEMA:-../shared/corpus/kcidb/kcidb-v5.3.schema.json}

rigd_start || finish
for b in $B1 $B2 $B3; do
	"$RIGCTL" build add $b > "$T/add-$b.out" 2>&1
	rc=$?
	cat "$T/add-$b.out"
	check "build add $b" [ "$rc" -eq 0 ] && contains "$T/add-$b.out" "added"
done
"$RIGCTL" build add $B1 > "$T/again.out" 2>&1
check "the same image again is the same build" contains "$T/again.out" "already known"
check "a build records its config options" contains "$T/add-$B1.out" "DETECT_HUNG_TASK=y"
"$RIGCTL" build add linux-image-6.1.0-99-amd64 > "$T/gone.out" 2>&1
check "a build the archive does not have: a clear error, exit 2" [ $? -eq 2 ] && contains "$T/gone.out" "linux-image-6.1.0-99-amd64"

"$RIGCTL" nightly --scenarios i2c-unbind,i2c-unbind-release,uart-unbind > "$T/nightly.out" 2>&1
cat "$T/nightly.out"
check "nightly queues 3 builds x 3 scenarios on vq35" contains "$T/nightly.out" "9 job(s) queued"

# Kill rigd once three jobs are done, in the middle of the fourth or so.
i=0
while [ "$(sql "SELECT count(*) FROM queue WHERE state='done'")" -lt 3 ] && [ $i -lt 1800 ]; do
	sleep 0.2
	i=$((i + 1))
done
"$RIGCTL" show queue > "$T/queue-mid.out"
cat "$T/queue-mid.out"
kill -9 "$RIGD_PID"
wait "$RIGD_PID" 2>/dev/null
RIGD_PID=
done_before=$(sql "SELECT count(*) FROM queue WHERE state='done'")
check "killed in the middle of the queue" [ "$done_before" -ge 3 ] && [ "$done_before" -lt 9 ]
rigd_start || finish
i=0
while [ "$(sql "SELECT count(*) FROM queue WHERE state IN ('queued','running')")" != 0 ] && [ $i -lt 3000 ]; do
	sleep 0.2
	i=$((i + 1))
done
"$RIGCTL" show queue > "$T/queue-end.out"
cat "$T/queue-end.out"
check "the queue finished after the restart" [ "$(sql "SELECT count(*) FROM queue WHERE state IN ('queued','running')")" = 0 ]
check "no job lost: all 9 nightly jobs done" [ "$(sql "SELECT count(*) FROM queue WHERE nightly=1 AND why IS NOT 'confirm' AND state='done'")" -ge 9 ]
check "no job run twice: one kernel verdict per job" [ "$(sql "SELECT count(*) FROM (SELECT q.id FROM queue q JOIN runs r ON r.board=q.board AND r.scenario=q.scenario AND r.build_id=q.build_id AND r.verdict <> 'error' AND r.repeat_why IS NOT 'confirm' WHERE q.why IS NOT 'confirm' GROUP BY q.id HAVING count(*) <> 1)")" = 0 ]
check "no error verdicts but the one the kill made" [ "$(sql "SELECT count(*) FROM runs WHERE verdict='error' AND title <> 'interrupted'")" = 0 ]

"$RIGCTL" matrix > "$T/matrix.out"
cat "$T/matrix.out"
check "matrix: the I2C hang in every build" [ "$(grep -c 'i2c-unbind  *hang *INFO: task hung in i2c_del_adapter' "$T/matrix.out")" -eq 3 ]
check "matrix: builds in version order (6.1.192-1 first)" [ "$(grep -m1 -n "^$B2" "$T/matrix.out" | cut -d: -f1)" = 1 ]
"$RIGCTL" matrix --json > "$T/matrix.json"
check "matrix --json is JSON" /usr/bin/python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$T/matrix.json"
"$RIGCTL" compare $B2 $B1 > "$T/compare.out"
rc=$?
cat "$T/compare.out"
check "compare: i2c-unbind still failing" grep -q "still-failing .*i2c-unbind " "$T/compare.out"
check "compare: no regression, exit 0" [ "$rc" -eq 0 ] && ! grep -q "^regression" "$T/compare.out"

"$RIGCTL" export kcidb > "$T/kcidb.json"
check "export kcidb validates against KCIDB v5.3" /usr/bin/python3 -m jsonschema -i "$T/kcidb.json" "$SCHEMA"
check "export kcidb has a test per run" [ "$(/usr/bin/python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['tests']))" "$T/kcidb.json")" -ge 9 ]
"$RIGCTL" export junit --build $B3 > "$T/junit.xml"
check "export junit is well-formed XML with a failure for the hang" /usr/bin/python3 -c "
import sys, xml.etree.ElementTree as E
r = E.parse(sys.argv[1]).getroot()
assert any('i2c_del_adapter' in (f.get('message') or '') + (f.text or '') for f in r.iter('failure')), 'no hang failure'
" "$T/junit.xml"
"$RIGCTL" run i2c-unbind-release --build $B2 > "$T/byname.out" 2>&1
check "run --build boots that build and the board reports it" [ $? -eq 0 ] && contains "$T/byname.out" "kernel: Linux version 6.1.0-55-amd64"

# A build that does not boot on the board: Debian's cloud flavour has no i801 I2C and no e1000.
"$RIGCTL" build add linux-image-6.1.0-56-cloud-amd64 > "$T/cloud.out" 2>&1
check "build add the cloud flavour" [ $? -eq 0 ]
"$RIGCTL" nightly --builds linux-image-6.1.0-56-cloud-amd64,$B1 --scenarios i2c-unbind-release,uart-unbind > "$T/n2.out" 2>&1
cat "$T/n2.out"
i=0
while [ "$(sql "SELECT count(*) FROM queue WHERE nightly=2 AND state IN ('queued','running')")" != 0 ] && [ $i -lt 1500 ]; do
	sleep 0.2
	i=$((i + 1))
done
check "the build that does not boot: its jobs end as error: boot failed" [ "$(sql "SELECT count(*) FROM queue q JOIN builds b ON b.id=q.build_id WHERE q.nightly=2 AND b.name LIKE '%cloud%' AND q.state='error' AND q.note LIKE 'boot failed%'")" = 2 ]
check "the queue moved on: the other build's jobs are done" [ "$(sql "SELECT count(*) FROM queue q JOIN builds b ON b.id=q.build_id WHERE q.nightly=2 AND b.name='$B1' AND q.state='done'")" = 2 ]
check "the board stays in service" sh -c '! "$0" show boards | grep -q FAULT' "$RIGCTL"
"$RIGCTL" matrix > "$T/matrix2.out"
check "matrix shows the boot failure" grep -q "error .*boot failed" "$T/matrix2.out"

# A lab error in a nightly is retried: the board's plug is pulled during the first attempt.
mkdir -p "$T/scen"
cp scenarios/*.yaml rig/tests/data/scenarios/*.yaml "$T/scen/"
rigd_stop
SCENDIR=$T/scen rigd_start || finish
"$RIGCTL" nightly --builds $B1 --scenarios sleepy > /dev/null 2>&1
i=0
while [ "$(sql "SELECT count(*) FROM run_steps s JOIN runs r ON r.id=s.run_id WHERE r.scenario='sleepy'")" -lt 1 ] && [ $i -lt 600 ]; do
	sleep 0.2
	i=$((i + 1))
done
pkill -9 -f "qemu-system.*$T/"
i=0
while [ "$(sql "SELECT count(*) FROM queue WHERE scenario='sleepy' AND state IN ('queued','running')")" != 0 ] && [ $i -lt 1500 ]; do
	sleep 0.2
	i=$((i + 1))
done
check "lab error retried: the job is done on its second attempt" [ "$(sql "SELECT state || ' ' || attempts FROM queue WHERE scenario='sleepy'")" = "done 2" ]
check "the retry is marked as one, the first run stays an error" [ "$(sql "SELECT group_concat(verdict || ':' || coalesce(repeat_why, '-'), ' ') FROM runs WHERE scenario='sleepy' ORDER BY id")" = "error:- pass:lab-retry" ]
finish
