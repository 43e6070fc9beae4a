/* store_hosts: the lab's hosts (one rigd each), their heartbeats and the boards they serve. */
#include "store_int.h"

int
store_host_register(struct store *s, const char *host, const char *version, const char *netns,
    int64_t now_ms)
{
	char now[32];

	return store_exec(s, "INSERT INTO hosts(name, version, started, heartbeat_ms, netns)"
	    " VALUES(?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET version=excluded.version,"
	    " started=excluded.started, heartbeat_ms=excluded.heartbeat_ms, netns=excluded.netns",
	    "tttit", host, version, store_now(now, sizeof(now)), now_ms, store_nonempty(netns));
}

int
store_host_console(struct store *s, const char *host, const char *board, const char *url)
{
	return (int)store_exec_int(s, "UPDATE boards SET console_url=? WHERE name=? AND host=?"
	    " RETURNING 1", "ttt", store_nonempty(url), board, host);
}

int
store_host_boards(struct store *s, const char *host, const char *const *boards, int n,
    const char *state)
{
	char now[32];
	int i;

	/* A board not stored yet is stored in state (its first): its thread says more. */
	for (i = 0; i < n; i++)
		if (store_exec(s, "INSERT INTO boards(name, state, updated, host) VALUES(?,?,?,?)"
		    " ON CONFLICT(name) DO UPDATE SET host=excluded.host", "tttt", boards[i],
		    state, store_now(now, sizeof(now)), host) == -1)
			return -1;
	return 0;
}

int
store_host_beat(struct store *s, const char *host, int64_t now_ms)
{
	return (int)store_exec_int(s, "UPDATE hosts SET heartbeat_ms=? WHERE name=? RETURNING 1",
	    "it", now_ms, host);
}

static int
store_hosts_one(struct store *s, struct store_stmt *st, void *ctx)
{
	const struct store_visit *v = ctx;
	struct store_host_row h;

	h.name = store_col_text(s, st, 0);
	h.version = store_col_text(s, st, 1);
	h.started = store_col_text(s, st, 2);
	h.heartbeat_ms = store_col_int(s, st, 3);
	return ((store_host_cb)v->cb)(&h, v->arg);
}

int
store_hosts(struct store *s, store_host_cb cb, void *arg)
{
	struct store_visit v = STORE_VISIT(cb, arg);

	return store_rows(s, store_stmt(s, "SELECT name, version, started, heartbeat_ms FROM hosts"
	    " ORDER BY name", ""), store_hosts_one, &v);
}

static int
store_lab_boards_one(struct store *s, struct store_stmt *st, void *ctx)
{
	const struct store_visit *v = ctx;
	struct store_lab_board_row b;

	b.name = store_col_text(s, st, 0);
	b.arch = store_col_text(s, st, 1);
	b.state = store_col_text(s, st, 2);
	b.reason = store_col_text(s, st, 3);
	b.updated = store_col_text(s, st, 4);
	b.host = store_col_text(s, st, 5);
	b.heartbeat_ms = store_col_int(s, st, 6);
	b.console_url = store_col_text(s, st, 7);
	b.netns = store_col_text(s, st, 8);
	return ((store_lab_board_cb)v->cb)(&b, v->arg);
}

int
store_lab_boards(struct store *s, store_lab_board_cb cb, void *arg)
{
	struct store_visit v = STORE_VISIT(cb, arg);

	return store_rows(s, store_stmt(s, "SELECT b.name, b.arch, b.state, b.reason, b.updated,"
	    " b.host, h.heartbeat_ms, b.console_url, h.netns FROM boards b"
	    " LEFT JOIN hosts h ON h.name = b.host"
	    " ORDER BY b.name", ""), store_lab_boards_one, &v);
}
