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
	check "build add $b: exit 0" [ "$rc" -eq 0 ]
	check "build add $b: added" contains "$T/add-$b.out" "added"
done
"$RIGCTL" build add $B1 > "$T/again.out" 2>&1
check "the same image again is the same build" contains "$T/again.out" "already known"
check "a build records its config options" contains "$T/add-$B1.out" "DETECT_HUNG_TASK=y"
"$RIGCTL" build add linux-image-6.1.0-99-amd64 > "$T/gone.out" 2>&1
rc=$?
check "a build the archive does not have: exit 2" [ "$rc" -eq 2 ]
check "a build the archive does not have: a clear error" contains "$T/gone.out" "linux-image-6.1.0-99-amd64"

"$RIGCTL" nightly --scenarios i2c-unbind,i2c-unbind-release,uart-unbind > "$T/nightly.out" 2>&1
cat "$T/nightly.out"
check "nightly queues 3 builds x 3 scenarios on vq35" contains "$T/nightly.out" "9 job(s) queued"
check "nightly on a pipe: the one line it always printed, no progress" [ "$(wc -l < "$T/nightly.out") $(tr -dc '\r\033' < "$T/nightly.out" | wc -c)" = "1 0" ]

# Kill rigd once three jobs are done, in the middle of the fourth or so.
check "three nightly jobs finish" "$RIGCTL" wait queue --finished 3 --timeout 360
"$RIGCTL" show queue > "$T/queue-mid.out"
cat "$T/queue-mid.out"
"$RIGCTL" show queue --json > "$T/queue-mid.json"
kill -9 "$RIGD_PID"
wait "$RIGD_PID" 2>/dev/null
RIGD_PID=
done_before=$(js 'sum(c["n"] for c in d["counts"] if c["state"] == "done")' < "$T/queue-mid.json")
check "killed with three jobs or more done" [ "$done_before" -ge 3 ]
check "killed in the middle of the queue" [ "$done_before" -lt 9 ]
rigd_start || finish
check "the queue finished after the restart" "$RIGCTL" wait queue --empty --timeout 600
"$RIGCTL" show queue > "$T/queue-end.out"
cat "$T/queue-end.out"
"$RIGCTL" show queue --json > "$T/queue.json"
"$RIGCTL" show runs --json > "$T/runs.json"
check "no job lost: all 9 nightly jobs done" [ "$(js 'sum(1 for j in d["finished"] if j["nightly"] == 1 and j["why"] != "confirm" and j["state"] == "done")' < "$T/queue.json")" -ge 9 ]
# Each job (but confirmations) has exactly one run with a kernel verdict for its board, scenario
# and build: prints how many jobs do not, and their ids.
twice=$(/usr/bin/python3 - "$T/queue.json" "$T/runs.json" <<'PY'
import json, sys
jobs = json.load(open(sys.argv[1]))["finished"]
runs = json.load(open(sys.argv[2]))
twice = [j["id"] for j in jobs if j["why"] != "confirm" and sum(
    1 for r in runs if (r["board"], r["scenario"], r["build_id"]) == (j["board"], j["scenario"], j["build_id"])
    and r["verdict"] not in (None, "error") and r["repeat_why"] != "confirm") != 1]
print(len(twice), twice)
PY
)
check "no job run twice: one kernel verdict per job" [ "$twice" = "0 []" ]
check "no error verdicts but the one the kill made" [ "$(js 'sum(1 for r in d if r["verdict"] == "error" and r["title"] not in (None, "lab: interrupted"))' < "$T/runs.json")" = 0 ]

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
check "compare: no regression, exit 0" [ "$rc" -eq 0 ]
check "compare: no regression listed" [ "$(grep -c "^regression" "$T/compare.out")" -eq 0 ]

# rigctl bisect refuses ends it cannot search between, before it queues anything (no boot).
"$RIGCTL" bisect i2c-unbind --board vq35 --good $B1 --bad 6.1.0-56-amd64 > "$T/bis-same.out" 2>&1
rc=$?
check "bisect: good is bad: exit 2" [ "$rc" -eq 2 ]
check "bisect: good is bad: says so" contains "$T/bis-same.out" "are the same build"
"$RIGCTL" bisect i2c-unbind --board vq35 --good $B1 --bad $B3 > "$T/bis-flavour.out" 2>&1
rc=$?
check "bisect: two flavours cannot be ordered: exit 2" [ "$rc" -eq 2 ]
check "bisect: two flavours: says so" contains "$T/bis-flavour.out" \
    "linux-image-6.1.0-56-amd64 is flavour amd64, linux-image-6.1.0-56-rt-amd64 is rt-amd64: a bisect stays in one flavour"
check "bisect: the refusals queued no job" [ "$(q 'len([j for j in d["jobs"] + d["finished"] if (j["why"] or "").startswith("bisect")])' show queue)" = 0 ]

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
rc=$?
check "run --build boots that build: pass" [ "$rc" -eq 0 ]
check "run --build: the board reports that build" contains "$T/byname.out" "kernel: Linux version 6.1.0-55-amd64"

# A build that does not boot on the board: Debian's cloud flavour has no i801 I2C and no e1000.
"$RIGCTL" build add linux-image-6.1.0-56-cloud-amd64 > "$T/cloud.out" 2>&1
rc=$?
check "build add the cloud flavour" [ "$rc" -eq 0 ]
# On a terminal, as a person queues it: the night's jobs done of total, with the time left.
# It stays until the night's jobs are done (10 minutes at most here).
on_pty "$T/n2.tty" timeout 600 "$RIGCTL" nightly --builds linux-image-6.1.0-56-cloud-amd64,$B1 --scenarios i2c-unbind-release,uart-unbind
rc=$?
check "the second nightly finishes" "$RIGCTL" wait queue --empty --timeout 300
screen "$T/n2.tty" > "$T/n2.out"
cat "$T/n2.out"
check "nightly on a terminal: exit 0 once its jobs are done" [ "$rc" -eq 0 ]
check "nightly on a terminal: the queued line as on a pipe" grep -q "^nightly 2: 4 job(s) queued" "$T/n2.out"
check "nightly on a terminal: done of total, rewritten in place" contains "$T/n2.tty" "$(printf '\r\033[Knightly 2: 0/4 done, estimating the time left')"
check "nightly on a terminal: an estimate once a job is done" grep -aq "nightly 2: [123]/4 done, about [0-9][0-9hms ]* left" "$T/n2.tty"
check "nightly on a terminal: the end on a line of its own" grep -q "^nightly 2: 4/4 done in [0-9]*s$" "$T/n2.out"
"$RIGCTL" show queue --json > "$T/queue2.json"
check "the build that does not boot: its jobs end as error: boot failed" [ "$(js 'sum(1 for j in d["finished"] if j["nightly"] == 2 and "cloud" in j["build"] and j["state"] == "error" and (j["note"] or "").startswith("boot failed"))' < "$T/queue2.json")" = 2 ]
check "the queue moved on: the other build's jobs are done" [ "$(B1=$B1 js 'sum(1 for j in d["finished"] if j["nightly"] == 2 and j["build"] == __import__("os").environ["B1"] and j["state"] == "done")' < "$T/queue2.json")" = 2 ]
check "the board stays in service" [ "$(q 'str([b["name"] for b in d if b["state"] == "FAULT"])' show boards)" = "[]" ]
"$RIGCTL" matrix > "$T/matrix2.out"
check "matrix shows the boot failure" grep -q "error .*boot failed" "$T/matrix2.out"

# A lab error in a nightly is retried: the board's plug is pulled during the first attempt.
mkdir -p "$T/scen"
cp scenarios/*.yaml rig/tests/data/scenarios/*.yaml "$T/scen/"
rigd_stop
SCENDIR=$T/scen rigd_start || finish
run=$(( $(last_run) + 1 ))
"$RIGCTL" nightly --builds $B1 --scenarios sleepy > /dev/null 2>&1
check "the sleepy job's run is under way" wait_steps "$run" 1
pkill -9 -f "qemu-system.*$T/"
check "the sleepy job finishes" "$RIGCTL" wait queue --empty --timeout 300
check "lab error retried: the job is done on its second attempt" [ "$(q 'str([j["state"] + " " + str(j["attempts"]) for j in d["finished"] if j["scenario"] == "sleepy"])' show queue)" = "['done 2']" ]
check "the retry is marked as one, the first run stays an error" [ "$(q '" ".join(r["verdict"] + ":" + (r["repeat_why"] or "-") for r in sorted(d, key=lambda r: r["id"]) if r["scenario"] == "sleepy")' show runs)" = "error:- pass:lab-retry" ]

# A bisect's search lives in rigd: a restart ends the job it left queued, saying so, rather than
# run it for nobody. vq35 is reserved (and stays so to the end), so the job waits, booting nothing.
s0=$(date +%s)
"$RIGCTL" reserve vq35 --for 1h > /dev/null 2>&1
"$RIGCTL" bisect uart-unbind --board vq35 --good $B2 --bad $B1 > "$T/bis-restart.out" 2>&1 &
bis=$!
# No event says a job was queued: looked for every 0.2 s, 30 s at most.
n=0
while [ "$n" -lt 150 ] && [ "$(q 'str(len([j for j in d["jobs"] if j["why"] == "bisect"]))' show queue)" != 1 ]; do
	sleep 0.2
	n=$((n + 1))
done
check "a bisect's job waits for the reservation" [ "$n" -lt 150 ]
rigd_stop
wait "$bis"
check "the bisect's client hears that rigd stopped: exit 2" [ $? -eq 2 ]
SCENDIR=$T/scen rigd_start || finish
check "after the restart the bisect's job is ended, saying why" [ "$(q 'str([(j["state"], j["note"]) for j in d["finished"] if j["why"] == "bisect"])' show queue)" = "[('error', \"ended at rigd's restart: the bisect that queued it stopped with the rigd before (run rigctl bisect again)\")]" ]
check "... and nothing is left in the queue" [ "$(q 'str(len(d["jobs"]))' show queue)" = 0 ]
echo "# the bisect's restart took $(( $(date +%s) - s0 ))s"
finish
