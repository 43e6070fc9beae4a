/*
 * store_pg: the PostgreSQL engine (one libpq connection, serialized by the store's lock) and
 * its schema's DDL: the same numbered migrations as store_sqlite.c's, in PostgreSQL's words.
 */
#include "store_int.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Parameter types as libpq names them (pg_type.h is the server's): int8, or none (inferred). */
#define STORE_PG_INT8	20

struct store_pg_stmt;

struct store_pg {
	PGconn	*conn;
	/* The SQLSTATE of the last statement that failed, "" after one that did not. */
	char	 sqlstate[6];
	/* The statement whose rows are still coming in on conn (one at most); NULL: none. */
	struct store_pg_stmt *streaming;
	/*
	 * Each result held whole as it came (PQexecParams), as the engine read before it
	 * streamed: the baseline of rig/bench/store_reads.sh (RIG_BENCH_PG_WHOLE_RESULTS=1 in
	 * rigd's environment), never a lab's setting.
	 */
	int	 whole;
};

/*
 * A statement is sent when first stepped (text in and out): its parameters' types are known
 * only once bound. Its rows are then read one at a time (single-row mode), so a listing of
 * 100k runs never holds more than a row and libpq's buffer, and a reader that is slow to
 * take them (an export to a slow client) leaves the rest waiting in the server and the
 * socket. A connection carries one statement's rows at a time: when another statement is
 * sent on it while rows are still coming (a row callback that reads the store again), the
 * rest of the first one's rows are read into held first, as they would all have been before.
 */
struct store_pg_stmt {
	struct store_pg	*pg;
	char		*sql;		/* with $1, $2, ... for the ?s */
	int		 nparams;
	char		**values;	/* NULL: SQL NULL */
	Oid		*types;		/* 0: the server infers the type from where it is used */
	PGresult	*res;		/* the current row's (streamed), or every row's (whole) */
	int		 row, nrows;
	int		 sent;		/* sent to the server */
	int		 ended;		/* its last result came: step returns 0 (or -1: failed) */
	int		 failed;
	int		 read_out;	/* every result of it was read from the connection */
	PGresult	**held;		/* results read ahead (read_out), from next on */
	size_t		 nheld, next, cap;
};

static void
store_pg_quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;	/* NOTICEs ("already exists, skipping") are not the rig's business */
}

static void
store_pg_result_error(struct store_pg *pg, const PGresult *res, char *err, size_t errlen)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	util_strlcpy(pg->sqlstate, state ? state : "?????", sizeof(pg->sqlstate));
	if (msg == NULL)
		msg = PQerrorMessage(pg->conn);
	util_fmt(err, errlen, "%s", msg);
	err[strcspn(err, "\n")] = '\0';
}

static int
store_pg_lost(void *db)
{
	return PQstatus(((struct store_pg *)db)->conn) == CONNECTION_BAD;
}

/*
 * A failure because the server went away says so first, whatever libpq's words ("server
 * closed the connection unexpectedly", "no connection to the server"): the caller's message
 * tells a restart from a refused statement.
 */
static void
store_pg_say_lost(struct store_pg *pg, char *msg, size_t len)
{
	char was[512];

	if (!store_pg_lost(pg) || strncmp(msg, "PostgreSQL connection lost", 26) == 0)
		return;
	util_strlcpy(was, msg, sizeof(was));
	util_fmt(msg, len, "PostgreSQL connection lost (rigd reconnects): %s", was);
}

/*
 * The database keeps text as SQLite does: bytes as they came (a console's stack may hold any
 * byte; UTF8 refuses some, and a run's end would be lost), ordered byte by byte (C). Another
 * database is refused, saying how to make one: nothing is written to it.
 */
static int
store_pg_bytes_as_sqlite(PGconn *conn, char *err, size_t errlen)
{
	PGresult *res = PQexec(conn, "SELECT current_database(), pg_encoding_to_char(encoding),"
	    " datcollate FROM pg_database WHERE datname=current_database()");
	int rc = -1;

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		util_fmt(err, errlen, "cannot read the database's encoding: %s",
		    PQresultErrorMessage(res));
		err[strcspn(err, "\n")] = '\0';
	} else if (strcmp(PQgetvalue(res, 0, 1), "SQL_ASCII") != 0 ||
	    (strcmp(PQgetvalue(res, 0, 2), "C") != 0 && strcmp(PQgetvalue(res, 0, 2), "POSIX") != 0))
		util_fmt(err, errlen, "database %s has encoding %s and collation %s; the store keeps"
		    " text as bytes in byte order: make it with createdb -E SQL_ASCII --locale=C"
		    " -T template0", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
		    PQgetvalue(res, 0, 2));
	else
		rc = 0;
	PQclear(res);
	return rc;
}

static void *
store_pg_connect(const char *uri, int readonly, char *err, size_t errlen)
{
	/*
	 * Later words win: a server that does not answer is given up after 10 s unless the URI
	 * says otherwise; a read-only connection's every transaction is read-only, whatever the
	 * URI or the role may say.
	 */
	const char *keys[] = { "connect_timeout", "dbname", "application_name", "options", NULL };
	const char *vals[] = { "10", uri, "rigd", "-c default_transaction_read_only=on", NULL };
	struct store_pg *pg;
	const char *v;
	PGconn *conn;

	if (!readonly)
		keys[3] = NULL;
	conn = PQconnectdbParams(keys, vals, 1);
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
		util_fmt(err, errlen, "%s", conn ? PQerrorMessage(conn) : "out of memory");
		err[strcspn(err, "\n")] = '\0';
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeProcessor(conn, store_pg_quiet, NULL);
	if (store_pg_bytes_as_sqlite(conn, err, errlen) == -1) {
		PQfinish(conn);
		return NULL;
	}
	pg = xcalloc(1, sizeof(*pg));
	pg->conn = conn;
	pg->whole = (v = getenv("RIG_BENCH_PG_WHOLE_RESULTS")) != NULL && strcmp(v, "1") == 0;
	return pg;
}

static void *
store_pg_open(const char *uri, char *err, size_t errlen)
{
	return store_pg_connect(uri, 0, err, errlen);
}

static void *
store_pg_open_readonly(const char *uri, char *err, size_t errlen)
{
	return store_pg_connect(uri, 1, err, errlen);
}

static void
store_pg_close(void *db)
{
	struct store_pg *pg = db;

	PQfinish(pg->conn);
	free(pg);
}

static void store_pg_idle(struct store_pg *pg);

/*
 * Wake-ups between hosts: one channel for the lab; a message is delivered to every listening
 * connection when the transaction that sent it commits (at once outside one), never to one
 * that listened only after.
 */
#define STORE_PG_CHANNEL	"rig_lab"

static void *
store_pg_listen(const char *uri, char *err, size_t errlen)
{
	/* Not read-only: LISTEN is refused in a read-only transaction. */
	struct store_pg *pg = store_pg_connect(uri, 0, err, errlen);
	PGresult *res;

	if (pg == NULL)
		return NULL;
	res = PQexec(pg->conn, "LISTEN " STORE_PG_CHANNEL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		util_fmt(err, errlen, "LISTEN: %s", PQerrorMessage(pg->conn));
		err[strcspn(err, "\n")] = '\0';
		PQclear(res);
		PQfinish(pg->conn);
		free(pg);
		return NULL;
	}
	PQclear(res);
	return pg;
}

static int
store_pg_listen_wait(void *l, int ms, char *msg, size_t len)
{
	struct store_pg *pg = l;
	struct timespec t;
	int64_t until;
	PGnotify *n;

	clock_gettime(CLOCK_MONOTONIC, &t);
	until = (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000 + ms;
	for (;;) {
		struct pollfd p = { .fd = PQsocket(pg->conn), .events = POLLIN };
		int64_t left;

		if (PQconsumeInput(pg->conn) == 0 || p.fd < 0)
			return -1;
		if ((n = PQnotifies(pg->conn)) != NULL) {
			util_strlcpy(msg, n->extra ? n->extra : "", len);
			PQfreemem(n);
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = until - ((int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000);
		if (left <= 0)
			return 0;
		if (poll(&p, 1, (int)left) == -1 && errno != EINTR)
			return -1;
	}
}

static int
store_pg_exec(void *db, const char *script, char *err, size_t errlen)
{
	struct store_pg *pg = db;
	PGresult *res;
	ExecStatusType st;
	char msg[512];

	store_pg_idle(pg);
	res = PQexec(pg->conn, script);
	st = PQresultStatus(res);
	if (res && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)) {
		pg->sqlstate[0] = '\0';
		PQclear(res);
		return 0;
	}
	store_pg_result_error(pg, res, msg, sizeof(msg));
	store_pg_say_lost(pg, msg, sizeof(msg));
	if (err)
		util_strlcpy(err, msg, errlen);
	PQclear(res);
	return -1;
}

/*
 * The topic files' ?s as $1, $2, ... in order; a ? inside a quoted string, a quoted name or
 * a comment is text, left alone. The count through *n.
 */
static char *
store_pg_numbered(const char *sql, int *n)
{
	size_t len = strlen(sql), o = 0, room;
	char *out, quote = 0;
	const char *p;

	/* Each ? becomes $ and up to 10 digits. */
	for (room = len + 1, p = sql; *p; p++)
		room += *p == '?' ? 10 : 0;
	out = xmalloc(room);
	*n = 0;
	for (p = sql; *p; p++) {
		if (quote) {
			if (*p == quote)	/* '' is two strings, one after the other */
				quote = 0;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (p[0] == '-' && p[1] == '-') {
			quote = '\n';
		} else if (*p == '?') {
			o += (size_t)snprintf(out + o, room - o, "$%d", ++*n);
			continue;
		}
		out[o++] = *p;
	}
	out[o] = '\0';
	return out;
}

static struct store_stmt *
store_pg_prepare(void *db, const char *sql)
{
	struct store_pg_stmt *st = xcalloc(1, sizeof(*st));

	st->pg = db;
	st->sql = store_pg_numbered(sql, &st->nparams);
	st->values = xcalloc((size_t)st->nparams + 1, sizeof(*st->values));
	st->types = xcalloc((size_t)st->nparams + 1, sizeof(*st->types));
	st->row = -1;
	return (struct store_stmt *)st;
}

static void
store_pg_bind(struct store_pg_stmt *st, int i, char *v, Oid type)
{
	if (i < 1 || i > st->nparams) {
		free(v);
		return;
	}
	free(st->values[i - 1]);
	st->values[i - 1] = v;
	st->types[i - 1] = type;
}

static void
store_pg_bind_int(struct store_stmt *st, int i, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	store_pg_bind((struct store_pg_stmt *)st, i, xstrdup(buf), STORE_PG_INT8);
}

static void
store_pg_bind_text(struct store_stmt *st, int i, const char *v)
{
	/* Type left to the server: text goes to text columns, NULL to any column. */
	store_pg_bind((struct store_pg_stmt *)st, i, v ? xstrdup(v) : NULL, 0);
}

/* A conflict between writers the caller settles (it checks again): not worth a warning. */
static int
store_pg_conflict_state(const char *state)
{
	return strcmp(state, "23P01") == 0 || strcmp(state, "40001") == 0 ||
	    strcmp(state, "40P01") == 0;
}

/* A result kept for later: st's rows read ahead of its reader. */
static void
store_pg_hold(struct store_pg_stmt *st, PGresult *res)
{
	if (st->nheld == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 64;
		st->held = xrealloc(st->held, st->cap * sizeof(*st->held));
	}
	st->held[st->nheld++] = res;
}

/*
 * The connection free for another statement: the rows still coming for the one streaming on
 * it are read into its held results (its reader gets them from there, in order).
 */
static void
store_pg_idle(struct store_pg *pg)
{
	struct store_pg_stmt *st = pg->streaming;
	PGresult *res;

	if (st == NULL)
		return;
	while ((res = PQgetResult(pg->conn)) != NULL)
		store_pg_hold(st, res);
	st->read_out = 1;
	pg->streaming = NULL;
}

/* The rest of st's results read and dropped: it is done with (or failed) before its end. */
static void
store_pg_drop_rest(struct store_pg_stmt *st)
{
	PGresult *res;

	if (st->pg->streaming != st)
		return;
	while ((res = PQgetResult(st->pg->conn)) != NULL)
		PQclear(res);
	st->read_out = 1;
	st->pg->streaming = NULL;
}

static int
store_pg_failed(struct store_pg_stmt *st, PGresult *res)
{
	char msg[512];

	store_pg_result_error(st->pg, res, msg, sizeof(msg));
	PQclear(res);
	st->ended = st->failed = 1;
	st->nrows = -1;
	/*
	 * Streamed, a terminated backend's error comes before the connection is seen closed:
	 * what is left is read first, so that a lost connection is known as lost.
	 */
	store_pg_drop_rest(st);
	store_pg_say_lost(st->pg, msg, sizeof(msg));
	store_note_error(msg);
	if (!store_pg_conflict_state(st->pg->sqlstate))
		log_warnx("store: %s", msg);
	return -1;
}

/* The whole result at once, as the engine read before it streamed (store_pg.whole). */
static int
store_pg_step_whole(struct store_pg_stmt *st)
{
	ExecStatusType rs;

	if (!st->sent) {
		st->sent = 1;
		store_pg_idle(st->pg);
		st->res = PQexecParams(st->pg->conn, st->sql, st->nparams, st->types,
		    (const char *const *)st->values, NULL, NULL, 0);
		rs = PQresultStatus(st->res);
		if (st->res == NULL || (rs != PGRES_TUPLES_OK && rs != PGRES_COMMAND_OK)) {
			PGresult *res = st->res;

			st->res = NULL;
			return store_pg_failed(st, res);
		}
		st->pg->sqlstate[0] = '\0';
		st->nrows = PQntuples(st->res);
	}
	if (st->failed)
		return -1;
	if (st->row + 1 >= st->nrows) {
		st->row = st->nrows;
		return 0;
	}
	st->row++;
	return 1;
}

static int
store_pg_step(struct store_stmt *stmt)
{
	struct store_pg_stmt *st = (struct store_pg_stmt *)stmt;
	PGresult *res;

	if (st->pg->whole)
		return store_pg_step_whole(st);
	if (st->ended)
		return st->failed ? -1 : 0;
	if (!st->sent) {
		st->sent = 1;
		store_pg_idle(st->pg);
		if (!PQsendQueryParams(st->pg->conn, st->sql, st->nparams, st->types,
		    (const char *const *)st->values, NULL, NULL, 0))
			return store_pg_failed(st, NULL);
		st->pg->streaming = st;
		/* Refused only when no query was just sent: never here, but rows are never lost. */
		if (!PQsetSingleRowMode(st->pg->conn)) {
			log_warnx("store: single-row mode refused");
			return store_pg_failed(st, NULL);
		}
	}
	PQclear(st->res);
	st->res = NULL;
	st->row = -1;
	st->nrows = 0;
	if (st->next < st->nheld)
		res = st->held[st->next++];
	else if (st->read_out)
		res = NULL;
	else
		res = PQgetResult(st->pg->conn);
	if (res != NULL && PQresultStatus(res) == PGRES_SINGLE_TUPLE) {
		st->res = res;
		st->row = 0;
		st->nrows = 1;
		return 1;
	}
	/* In single-row mode the rows' end is a result of none. */
	if (res != NULL && (PQresultStatus(res) == PGRES_COMMAND_OK ||
	    (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 0))) {
		st->pg->sqlstate[0] = '\0';
		PQclear(res);
		st->ended = 1;
		store_pg_drop_rest(st);
		return 0;
	}
	if (res == NULL && st->read_out) {
		/* Every result was read: none said how the statement ended. */
		st->ended = st->failed = 1;
		return -1;
	}
	return store_pg_failed(st, res);
}

static int
store_pg_column_null(struct store_stmt *stmt, int i)
{
	struct store_pg_stmt *st = (struct store_pg_stmt *)stmt;

	if (st->res == NULL || st->row < 0 || st->row >= st->nrows || i >= PQnfields(st->res))
		return 1;
	return PQgetisnull(st->res, st->row, i);
}

static const char *
store_pg_column_text(struct store_stmt *stmt, int i)
{
	struct store_pg_stmt *st = (struct store_pg_stmt *)stmt;

	if (store_pg_column_null(stmt, i))
		return NULL;
	return PQgetvalue(st->res, st->row, i);
}

static int64_t
store_pg_column_int(struct store_stmt *stmt, int i)
{
	const char *v = store_pg_column_text(stmt, i);

	if (v == NULL)
		return 0;
	/* A comparison's result is a boolean here, an integer in SQLite: the same 1 or 0. */
	if (strcmp(v, "t") == 0 || strcmp(v, "f") == 0)
		return v[0] == 't';
	return strtoll(v, NULL, 10);
}

static void
store_pg_finalize(struct store_stmt *stmt)
{
	struct store_pg_stmt *st = (struct store_pg_stmt *)stmt;
	size_t k;
	int i;

	if (st == NULL)
		return;
	/* Left before its end (a reader that stopped): the rest is read and dropped. */
	store_pg_drop_rest(st);
	for (k = st->next; k < st->nheld; k++)
		PQclear(st->held[k]);
	free(st->held);
	PQclear(st->res);
	for (i = 0; i < st->nparams; i++)
		free(st->values[i]);
	free(st->values);
	free(st->types);
	free(st->sql);
	free(st);
}

/* EXPLAIN of a SELECT with its parameters as bound: the plan the server makes for them. */
static int
store_pg_explain(struct store_stmt *stmt, void (*line)(const char *sql, const char *text,
    void *arg), void *arg)
{
	struct store_pg_stmt *st = (struct store_pg_stmt *)stmt;
	char *q;
	PGresult *res;
	int i, rc = -1;

	if (strncmp(st->sql, "SELECT", 6) != 0)
		return 0;
	store_pg_idle(st->pg);
	q = xasprintf("EXPLAIN %s", st->sql);
	res = PQexecParams(st->pg->conn, q, st->nparams, st->types,
	    (const char *const *)st->values, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		for (i = 0; i < PQntuples(res); i++)
			line(st->sql, PQgetvalue(res, i, 0), arg);
		rc = 0;
	}
	PQclear(res);
	free(q);
	return rc;
}

static int
store_pg_has_column(void *db, const char *table, const char *column)
{
	struct store_pg *pg = db;
	const char *vals[] = { table, column };
	PGresult *res = PQexecParams(pg->conn, "SELECT 1 FROM information_schema.columns WHERE"
	    " table_schema=current_schema() AND table_name=$1 AND column_name=$2", 2, NULL, vals,
	    NULL, NULL, 0);
	int rc = PQresultStatus(res) == PGRES_TUPLES_OK ? PQntuples(res) > 0 : -1;

	PQclear(res);
	return rc;
}

static int
store_pg_conflicted(void *db)
{
	return store_pg_conflict_state(((struct store_pg *)db)->sqlstate);
}

/*
 * Version 1: the tables of store_sqlite.c's version 1. INTEGER is BIGINT (ids, milliseconds),
 * INTEGER PRIMARY KEY an identity; times stay ISO 8601 text, compared and ordered as text the
 * same on both engines (the database's collation is C: store_pg_bytes_as_sqlite).
 */
#define STORE_PG_ID "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
static const char store_pg_v1[] =
    "CREATE TABLE builds(" STORE_PG_ID ", name TEXT NOT NULL, release TEXT NOT NULL,"
    " version TEXT NOT NULL, arch TEXT NOT NULL, image_sha256 TEXT NOT NULL,"
    " config_sha256 TEXT, origin TEXT, first_seen TEXT NOT NULL, image_path TEXT,"
    " dtb_dir TEXT, modules_dir TEXT, config_path TEXT, package TEXT, package_version TEXT,"
    " image_version TEXT, options TEXT, reported_version TEXT, registered TEXT,"
    " UNIQUE(image_sha256, release, version));"
    "CREATE TABLE boards("
    " name TEXT PRIMARY KEY, arch TEXT, state TEXT NOT NULL, reason TEXT, updated TEXT NOT NULL);"
    "CREATE TABLE board_events(" STORE_PG_ID ", board TEXT NOT NULL, at TEXT NOT NULL,"
    " from_state TEXT, to_state TEXT NOT NULL, reason TEXT);"
    "CREATE TABLE boots(" STORE_PG_ID ", board TEXT NOT NULL, build_id BIGINT,"
    " at TEXT NOT NULL, why TEXT, outcome TEXT NOT NULL, console_ready_ms BIGINT,"
    " ready_ms BIGINT, console_log TEXT, error TEXT);"
    "CREATE TABLE actions(" STORE_PG_ID ", at TEXT NOT NULL, uid BIGINT NOT NULL,"
    " what TEXT NOT NULL);"
    "CREATE TABLE runs(" STORE_PG_ID ", board TEXT NOT NULL, scenario TEXT NOT NULL,"
    " build_id BIGINT REFERENCES builds(id), uid BIGINT, state TEXT NOT NULL,"
    " verdict TEXT, title TEXT, detail TEXT, stack TEXT, started TEXT NOT NULL, ended TEXT,"
    " duration_ms BIGINT, console_log TEXT, console_start BIGINT, console_end BIGINT,"
    " recovery_ms BIGINT, recovery TEXT, repeat_of BIGINT, repeat_why TEXT);"
    "CREATE TABLE run_steps("
    " run_id BIGINT NOT NULL REFERENCES runs(id), idx BIGINT NOT NULL, action TEXT NOT NULL,"
    " arg TEXT, status TEXT NOT NULL, started_ms BIGINT, duration_ms BIGINT, output TEXT,"
    " PRIMARY KEY(run_id, idx));"
    "CREATE TABLE crashes("
    " title TEXT PRIMARY KEY, type TEXT, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,"
    " count BIGINT NOT NULL, first_run BIGINT, last_run BIGINT);"
    "CREATE TABLE crash_reports(" STORE_PG_ID ", run_id BIGINT, board TEXT NOT NULL,"
    " build_id BIGINT, title TEXT NOT NULL, type TEXT, frame TEXT, corrupted BIGINT,"
    " console_log TEXT, start BIGINT, \"end\" BIGINT, text TEXT, at TEXT NOT NULL);"
    "CREATE TABLE nightlies(" STORE_PG_ID ", at TEXT NOT NULL, uid BIGINT);"
    "CREATE TABLE queue(" STORE_PG_ID ", nightly BIGINT, build_id BIGINT NOT NULL,"
    " board TEXT NOT NULL, scenario TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'queued',"
    " prio BIGINT NOT NULL DEFAULT 0, attempts BIGINT NOT NULL DEFAULT 0, repeat_of BIGINT,"
    " why TEXT, run_id BIGINT, note TEXT, queued TEXT, started TEXT, ended TEXT);"
    "CREATE INDEX runs_key ON runs(build_id, board, scenario);"
    "CREATE INDEX queue_board ON queue(board, state);"
    "CREATE INDEX builds_image ON builds(image_sha256)";

/*
 * Version 5 as store_sqlite.c's, and more: the database itself refuses two windows of one
 * board that overlap (btree_gist gives GiST the board's equality), whoever writes them. A
 * window [start, end) with end == start is empty and overlaps nothing, as the topic's check
 * says. btree_gist is a trusted extension: the database's owner may create it.
 */
static const char store_pg_v5[] =
    "CREATE EXTENSION IF NOT EXISTS btree_gist;"
    "CREATE TABLE reservations(" STORE_PG_ID ", board TEXT NOT NULL,"
    " uid BIGINT NOT NULL, start_ms BIGINT NOT NULL, end_ms BIGINT NOT NULL,"
    " note TEXT, created_ms BIGINT NOT NULL, released_ms BIGINT, released_by BIGINT,"
    " warned_ms BIGINT, CHECK(end_ms >= start_ms),"
    " CONSTRAINT reservations_no_overlap EXCLUDE USING gist"
    " (board WITH =, int8range(start_ms, end_ms) WITH &&));"
    "CREATE INDEX reservations_board ON reservations(board, start_ms)";

static const struct store_migration store_pg_migrations[] = {
	{ 1, "the schema of 1116a9d (builds, boards, runs, steps, crashes, queue)",
	    store_pg_v1, NULL },
	{ 2, "crash groups keep the rig's own title beside syzbot's",
	    "ALTER TABLE crashes ADD COLUMN rig_title TEXT", NULL },
	{ 3, "runs cut short by a stopped rigd are titled 'lab: interrupted'",
	    "UPDATE runs SET title='lab: interrupted' WHERE verdict='error' AND"
	    " title='interrupted'", NULL },
	{ 4, "board host keys, pinned on first use",
	    "CREATE TABLE host_keys(board TEXT PRIMARY KEY, key TEXT NOT NULL, pinned TEXT NOT NULL)",
	    NULL },
	{ 5, "reservations of board time", store_pg_v5, NULL },
	{ 6, "a lease's end resets its board before anyone else gets it",
	    "ALTER TABLE reservations ADD COLUMN reset_ms BIGINT;"
	    "UPDATE reservations SET reset_ms=end_ms", NULL },
	{ 7, "a lease's reset boots the board's default build and records how it ended",
	    "ALTER TABLE reservations ADD COLUMN reset_outcome TEXT;"
	    "ALTER TABLE reservations ADD COLUMN reset_detail TEXT", NULL },
	{ 8, "every rigd registers its host and its boards",
	    "CREATE TABLE hosts(name TEXT PRIMARY KEY, version TEXT, started TEXT NOT NULL,"
	    " heartbeat_ms BIGINT NOT NULL);"
	    "ALTER TABLE boards ADD COLUMN host TEXT", NULL },
	{ 9, "a claimed job is its host's under a lease the host renews",
	    "ALTER TABLE queue ADD COLUMN host TEXT;"
	    "ALTER TABLE queue ADD COLUMN lease_ms BIGINT", NULL },
	{ 10, "reports count runs per build, board, scenario and verdict from an index",
	    "CREATE INDEX runs_cells ON runs(build_id, board, scenario, verdict, state)", NULL },
	{ 11, "each claim of a job is numbered: its finish is refused once the job was claimed again",
	    "ALTER TABLE queue ADD COLUMN claim BIGINT NOT NULL DEFAULT 0", NULL },
	{ 12, "writes kept while the store was unreachable are applied once, by their key",
	    "CREATE TABLE write_keys(key TEXT PRIMARY KEY, at TEXT NOT NULL)", NULL },
	/* A job with a caller is a lab run: its events go back to that host through the store. */
	{ 13, "a run asked from another host streams its events back through the store",
	    "ALTER TABLE queue ADD COLUMN caller TEXT;"
	    "CREATE TABLE queue_events(" STORE_PG_ID ", job BIGINT NOT NULL,"
	    " body TEXT NOT NULL);"
	    "CREATE INDEX queue_events_job ON queue_events(job, id)", NULL },
	{ 14, "a survey's progress is its runs: a restart resumes it where it stopped",
	    "CREATE TABLE surveys(" STORE_PG_ID ", board TEXT NOT NULL, build_id BIGINT,"
	    " uid BIGINT, classes TEXT, sequences BIGINT NOT NULL, queue_id BIGINT,"
	    " state TEXT NOT NULL, started TEXT NOT NULL, ended TEXT, note TEXT);"
	    "CREATE INDEX surveys_state ON surveys(state, board);"
	    "ALTER TABLE runs ADD COLUMN survey_id BIGINT;"
	    "CREATE INDEX runs_survey ON runs(survey_id)", NULL },
	/* The reads that grow with the history, each a search of an index: as SQLite's 15. */
	{ 15, "indexes for the reads that grow: runs by board and scenario, crash groups",
	    "CREATE INDEX runs_board ON runs(board, id);"
	    "CREATE INDEX runs_scenario ON runs(scenario, id);"
	    "CREATE INDEX runs_board_scenario ON runs(board, scenario, id);"
	    "CREATE INDEX crashes_last_seen ON crashes(last_seen);"
	    "CREATE INDEX crash_reports_title ON crash_reports(title, board);"
	    "CREATE INDEX crash_reports_run ON crash_reports(run_id)", NULL },
	/* A restart ends the open jobs of a bisect, whose search it lost: as SQLite's 16. */
	{ 16, "a bisect's nightly is marked: a restart ends the jobs its lost search left open",
	    "ALTER TABLE nightlies ADD COLUMN bisect INTEGER NOT NULL DEFAULT 0;"
	    "UPDATE nightlies SET bisect=1 WHERE id IN (SELECT nightly FROM queue WHERE why IN"
	    " ('bisect', 'bisect-rerun'))", NULL },
	{ 17, "a lab run carries its caller's uid: its run is theirs, judged as a local run",
	    "ALTER TABLE queue ADD COLUMN caller_uid BIGINT", NULL },
	{ 18, "each board's shared console is found from any host: its address, its host's network",
	    "ALTER TABLE boards ADD COLUMN console_url TEXT;"
	    "ALTER TABLE hosts ADD COLUMN netns TEXT", NULL },
};

const struct store_engine store_pg_engine = {
	.name = "postgresql",
	.open = store_pg_open,
	.open_readonly = store_pg_open_readonly,
	.close = store_pg_close,
	.exec = store_pg_exec,
	.prepare = store_pg_prepare,
	.bind_int = store_pg_bind_int,
	.bind_text = store_pg_bind_text,
	.step = store_pg_step,
	.column_null = store_pg_column_null,
	.column_int = store_pg_column_int,
	.column_text = store_pg_column_text,
	.finalize = store_pg_finalize,
	.has_column = store_pg_has_column,
	.conflicted = store_pg_conflicted,
	.lost = store_pg_lost,
	.explain = store_pg_explain,
	/*
	 * READ COMMITTED: the reservations' check-then-insert is serialized per board (lock_key)
	 * among rigds, and the exclusion constraint holds against every writer (a race lost to
	 * one that took no lock is refused and checked again); the rest of the lab's writes
	 * need not wait for each other.
	 */
	.begin_write = "BEGIN",
	/* Two keys: the rig's own (as begin_schema's), the board's name hashed. */
	.lock_key = "SELECT pg_advisory_xact_lock(7240116, hashtext(?))",
	/* Two rigds starting at once: one migrates, the other waits, then finds nothing to do. */
	.begin_schema = "BEGIN; SELECT pg_advisory_xact_lock(7240115, 0)",
	.write_probe = "CREATE TABLE rig_write_probe(x BIGINT)",
	/*
	 * Two hosts claiming at once each take a different job, neither waits for the other;
	 * without it the loser of a race for one row would find the row taken and claim none.
	 */
	.skip_locked = " FOR UPDATE SKIP LOCKED",
	.notify = "SELECT pg_notify('" STORE_PG_CHANNEL "', ?)",
	.listen = store_pg_listen,
	.listen_wait = store_pg_listen_wait,
	.listen_close = store_pg_close,
	.migrations = store_pg_migrations,
	.nmigrations = (int)UTIL_NELEM(store_pg_migrations),
};
