# Logs kept within bounds, nothing booted: the lab's console logs under a total (the oldest go
# first), a -L rigd refuses, and the -l log file opened again on SIGHUP (logrotate).
. rig/tests/integration/lib.sh

# Logs of earlier boots: 4 x 40 KB, oldest first by time; a file that is no boot log stays.
mkdir -p "$T/console/vq35" "$T/console/vother"
i=0
for when in "2026-01-01 00:00" "2026-01-02 00:00" "2026-01-03 00:00" "2026-01-04 00:00"; do
	i=$((i + 1))
	head -c 40960 /dev/zero | tr '\0' x > "$T/console/vq35/boot-$i-0001.log"
	touch -d "$when" "$T/console/vq35/boot-$i-0001.log"
done
mv "$T/console/vq35/boot-3-0001.log" "$T/console/vother/boot-3-0001.log"
echo keep > "$T/console/vq35/notes.txt"
touch -d "2025-01-01 00:00" "$T/console/vq35/notes.txt"

"$RIGD" -d -S "$T" -B vq35 -L 64K,1X > "$T/bad-L.out" 2>&1
rc=$?
check "-L with a bad size: rigd refuses to start (exit 1)" [ "$rc" -eq 1 ]
check "-L with a bad size: said" contains "$T/bad-L.out" "-L 64K,1X: want SIZE[,TOTAL]"

rigd_start -L 64K,100K -l "$T/rigd-l.log" || finish
check "the oldest log is removed (160 KB over a 100 KB total)" [ ! -e "$T/console/vq35/boot-1-0001.log" ]
check "... and the second oldest" [ ! -e "$T/console/vq35/boot-2-0001.log" ]
check "the newer logs stay, whichever board's: vother's" [ -e "$T/console/vother/boot-3-0001.log" ]
check "... and vq35's" [ -e "$T/console/vq35/boot-4-0001.log" ]
check "a file that is no boot log stays" [ -e "$T/console/vq35/notes.txt" ]
check "-l in the foreground: rigd logs to the file" contains "$T/rigd-l.log" "serving 1 board(s)"
check "the removal is logged" contains "$T/rigd-l.log" "2 oldest removed (81920 bytes)"

# logrotate: the file is moved, rigd is told (SIGHUP), lines go to a new file of that name.
mv "$T/rigd-l.log" "$T/rigd-l.log.1"
kill -HUP "$RIGD_PID"
check "SIGHUP is handled" sh -c "\"$RIGCTL\" wait reload 1 --timeout 30 > /dev/null"
check "after SIGHUP rigd writes a new log file" contains "$T/rigd-l.log" "reload:"
check "which is 0640" [ "$(stat -c %a "$T/rigd-l.log")" = 640 ]
check "and not the moved one" sh -c "! grep -q 'reload:' '$T/rigd-l.log.1'"
finish
