#!/bin/sh
# lab: the virtual lab for people: a rigd in var/lab serving vq35, and the first real verdict.
#   sh rig/tests/lab.sh start|stop [STATEDIR]
set -u
cmd=${1:?usage: lab.sh start|stop [STATEDIR]}
LAB=${2:-var/lab}
BIN=${BIN:-build/bin}
export RIG_SOCKET="$LAB/rigd.sock"

running() { "$BIN/rigctl" ping > /dev/null 2>&1; }

case "$cmd" in
start)
	mkdir -p "$LAB"
	if running; then
		echo "lab: reusing the rigd at $RIG_SOCKET"
	else
		"$BIN/rigd" -S "$LAB" -B vq35 -l "$LAB/rigd.log" || exit 2
		i=0
		while ! running; do
			i=$((i + 1))
			if [ $i -gt 100 ]; then
				echo "lab: rigd did not come up; see $LAB/rigd.log" >&2
				exit 2
			fi
			sleep 0.1
		done
		echo "lab: rigd started (state $LAB, log $LAB/rigd.log)"
	fi
	echo "lab: rigctl run i2c-unbind --board vq35"
	"$BIN/rigctl" run i2c-unbind --board vq35
	rc=$?
	echo
	echo "lab: exit status $rc (0 pass, 1 the kernel hung or crashed, 2 lab error)."
	echo "lab: the lab keeps running: export RIG_SOCKET=$RIG_SOCKET; rigctl show runs;"
	echo "lab: 'make lab-stop' stops it."
	# A verdict is what the lab is for: hang and crash are results, only a lab error fails.
	[ "$rc" -le 1 ]
	;;
stop)
	if [ -f "$LAB/rigd.pid" ] && running; then
		pid=$(cat "$LAB/rigd.pid")
		kill "$pid"
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		echo "lab: rigd $pid stopped; its boards are off"
	else
		echo "lab: no rigd running at $RIG_SOCKET"
	fi
	;;
*)
	echo "usage: lab.sh start|stop [STATEDIR]" >&2
	exit 2
	;;
esac
