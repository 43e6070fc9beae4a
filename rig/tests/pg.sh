#!/bin/sh
# pg: a private PostgreSQL server for the store's tests, no system service needed.
#   sh rig/tests/pg.sh start DIR   initdb into DIR (new or empty), start, make the (empty)
#                                  database rig; prints its URI
#   sh rig/tests/pg.sh stop DIR    stop the server and remove DIR
#   sh rig/tests/pg.sh halt DIR    stop the server (fast: its clients' connections end), keep DIR
#   sh rig/tests/pg.sh resume DIR  start the halted server again, as it was
# The server runs as the system user rig-pgtest (made here: the tests run as root, and
# PostgreSQL refuses to run as root). It listens on no TCP port, only on a unix socket in
# DIR/sock (0700: rig-pgtest and root only), so the port only names the socket file and cannot
# collide with another server's. Its superuser is "rig"; its databases keep text as bytes in
# byte order (SQL_ASCII, C), as the store requires.
set -eu
cmd=${1:?usage: pg.sh start|stop|halt|resume DIR}
dir=${2:?usage: pg.sh start|stop|halt|resume DIR}
user=rig-pgtest
port=5439
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
	echo "pg.sh: no PostgreSQL server (make deps installs postgresql)" >&2
	exit 2
fi

case $cmd in
start)
	# Kept once made: a system user, as the rig group is (another run may be using it).
	if ! getent passwd "$user" >/dev/null; then
		useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
		    "$user" || getent passwd "$user" >/dev/null
	fi
	[ -d "$dir" ] || mkdir -m 0700 "$dir"
	chmod 0700 "$dir"
	mkdir -m 0700 "$dir/sock"
	chown -R "$user" "$dir"
	runuser -u "$user" -- "$bin/initdb" -D "$dir/data" -U rig -A trust --no-locale -E SQL_ASCII \
	    --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
	{
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$dir/sock'"
		echo "port = $port"
		echo "max_connections = 60"
		echo "shared_buffers = 32MB"
	} >>"$dir/data/postgresql.conf"
	runuser -u "$user" -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -s start ||
	    { cat "$dir/server.log" >&2; exit 1; }
	"$bin/createdb" -h "$dir/sock" -p "$port" -U rig rig
	echo "postgresql:///rig?host=$dir/sock&port=$port&user=rig"
	;;
halt)
	runuser -u "$user" -- "$bin/pg_ctl" -D "$dir/data" -m fast -w -s stop
	;;
resume)
	runuser -u "$user" -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -s start ||
	    { cat "$dir/server.log" >&2; exit 1; }
	;;
stop)
	if [ -f "$dir/data/postmaster.pid" ]; then
		runuser -u "$user" -- "$bin/pg_ctl" -D "$dir/data" -m immediate -w -s stop || true
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: pg.sh start|stop|halt|resume DIR" >&2
	exit 2
	;;
esac
