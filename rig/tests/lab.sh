#!/bin/sh
# lab: the virtual lab for people: a rigd in var/lab serving vq35, vsabre and vbench (each boots
# on its first use), its dashboard on 127.0.0.1, and the first real verdict.
#   sh rig/tests/lab.sh start|stop [STATEDIR]
# The dashboard's port: LAB_HTTP if set (a fixed bookmark), else one the kernel finds free. A
# shared host has other people's labs and servers on the usual ports (8000, 8080): a port asked
# of the kernel cannot clash, and the URL is printed, and kept in STATEDIR/http.url for later.
# LAB_RUN=no starts the lab and its dashboard without the first verdict (which boots vq35): the
# tests check the lab's URL that way, in a second rather than a boot's time.
set -u
cmd=${1:?usage: lab.sh start|stop [STATEDIR]}
LAB=${2:-var/lab}
BIN=${BIN:-build/bin}
LAB_RUN=${LAB_RUN:-yes}
export RIG_SOCKET="$LAB/rigd.sock"

running() { "$BIN/rigctl" ping > /dev/null 2>&1; }

# A loopback port nobody listens on now, asked of the kernel.
free_port() {
	/usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# 0 when the dashboard at $1 answers its JSON API within 10 s.
answers() {
	/usr/bin/python3 -c 'import json, sys, urllib.request
json.load(urllib.request.urlopen(sys.argv[1] + "api/boards", timeout=10))' "$1" 2> /dev/null
}

case "$cmd" in
start)
	mkdir -p "$LAB/tftp"	# the TFTP root of the lab; vbench's folder in it rigd makes
	# vbench's USB serial adapter is plugged in first, as on a real bench (again: no harm).
	firmware/vbench/adapter start "$LAB/vbench" || exit 2
	if running; then
		echo "lab: reusing the rigd at $RIG_SOCKET"
	else
		# vbench's board file names var/lab: another lab folder gets a copy naming that folder.
		boards=boards
		if [ "$LAB" != var/lab ]; then
			boards=$LAB/boards
			mkdir -p "$boards"
			cp boards/*.yaml "$boards/"
			sed "s|var/lab/|$LAB/|g" boards/vbench.yaml > "$boards/vbench.yaml"
		fi
		port=${LAB_HTTP:-$(free_port)}
		"$BIN/rigd" -S "$LAB" -b "$boards" -B vq35,vsabre,vbench -l "$LAB/rigd.log" \
		    -H "127.0.0.1:$port" || exit 2
		if ! "$BIN/rigctl" wait rigd --timeout 10; then
			echo "lab: rigd did not come up; see $LAB/rigd.log" >&2
			exit 2
		fi
		url="http://127.0.0.1:$port/"
		# rigd listens on its socket first: a port taken meanwhile shows here.
		if ! answers "$url"; then
			echo "lab: the dashboard does not answer at $url; see $LAB/rigd.log" >&2
			exit 2
		fi
		(umask 027; echo "$url" > "$LAB/http.url")
		echo "lab: rigd started (state $LAB, log $LAB/rigd.log, dashboard $url)"
	fi
	url=$(cat "$LAB/http.url" 2> /dev/null)
	if [ -z "$url" ] || ! answers "$url"; then
		url="none: this rigd was started without one ('make lab-stop', then 'make lab')"
	fi
	rc=0
	if [ "$LAB_RUN" != no ]; then
		echo "lab: rigctl run i2c-unbind --board vq35"
		"$BIN/rigctl" run i2c-unbind --board vq35
		rc=$?
		echo
		echo "lab: exit status $rc (0 pass, 1 the kernel hung or crashed, 2 lab error)."
	fi
	echo "lab: dashboard: $url"
	echo "lab: the lab keeps running: export RIG_SOCKET=$RIG_SOCKET; rigctl show runs;"
	echo "lab: 'make lab-stop' stops it."
	# Each console is shared (rigd(8), Shared consoles): what a pyserial or labgrid user opens.
	"$BIN/rigctl" show boards --json | /usr/bin/python3 -c 'import json, sys
for b in json.load(sys.stdin):
    if b.get("console_url"):
        print("lab: %s console: python3 -m serial.tools.miniterm %s 115200"
              % (b["name"], b["console_url"]))'
	# A verdict is what the lab is for: hang and crash are results, only a lab error fails.
	[ "$rc" -le 1 ]
	;;
stop)
	if [ -f "$LAB/rigd.pid" ] && running; then
		pid=$(cat "$LAB/rigd.pid")
		kill "$pid"
		# Not our child: wait for its exit through a pidfd, 10 s at most.
		/usr/bin/python3 -c 'import os, select, sys
try:
    select.select([os.pidfd_open(int(sys.argv[1]))], [], [], 10)
except ProcessLookupError:
    pass' "$pid"
		echo "lab: rigd $pid stopped; its boards are off"
		rm -f "$LAB/http.url"
	else
		echo "lab: no rigd running at $RIG_SOCKET"
	fi
	# vbench's adapter goes after its board is off (unplugged last, as on a real bench).
	firmware/vbench/adapter stop "$LAB/vbench"
	;;
*)
	echo "usage: lab.sh start|stop [STATEDIR]" >&2
	exit 2
	;;
esac
