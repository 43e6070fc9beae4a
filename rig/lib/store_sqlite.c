/* store_sqlite: the SQLite engine (one WAL file shared by rigd's threads) and its schema's DDL. */
#include "store_int.h"
#include "log.h"
#include "util.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *
store_sqlite_open(const char *path, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	if (sqlite3_open(path, &db) != SQLITE_OK) {
		util_fmt(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;", NULL, NULL,
	    &msg) != SQLITE_OK) {
		util_fmt(err, errlen, "%s: %s", path, msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/*
 * SQLITE_OPEN_READONLY: no file is made and nothing is written to it (rigd -n reads the store
 * of a rigd that may be running, or one it has not upgraded yet).
 */
static void *
store_sqlite_open_readonly(const char *path, char *err, size_t errlen)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		util_fmt(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static void
store_sqlite_close(void *db)
{
	sqlite3_close(db);
}

static int
store_sqlite_exec(void *db, const char *script, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, script, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	if (err)
		util_fmt(err, errlen, "%s", msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -1;
}

static struct store_stmt *
store_sqlite_prepare(void *db, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_note_error(sqlite3_errmsg(db));
		log_warnx("store: %s", sqlite3_errmsg(db));
		return NULL;
	}
	return (struct store_stmt *)st;
}

static void
store_sqlite_bind_int(struct store_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64((sqlite3_stmt *)st, i, v);
}

static void
store_sqlite_bind_text(struct store_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text((sqlite3_stmt *)st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null((sqlite3_stmt *)st, i);
}

static int
store_sqlite_step(struct store_stmt *st)
{
	sqlite3_stmt *s = (sqlite3_stmt *)st;
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	store_note_error(sqlite3_errmsg(sqlite3_db_handle(s)));
	log_warnx("store: %s", sqlite3_errmsg(sqlite3_db_handle(s)));
	return -1;
}

static int
store_sqlite_column_null(struct store_stmt *st, int i)
{
	return sqlite3_column_type((sqlite3_stmt *)st, i) == SQLITE_NULL;
}

static int64_t
store_sqlite_column_int(struct store_stmt *st, int i)
{
	return sqlite3_column_int64((sqlite3_stmt *)st, i);
}

static const char *
store_sqlite_column_text(struct store_stmt *st, int i)
{
	return (const char *)sqlite3_column_text((sqlite3_stmt *)st, i);
}

static void
store_sqlite_finalize(struct store_stmt *st)
{
	sqlite3_finalize((sqlite3_stmt *)st);
}

static int
store_sqlite_has_column(void *db, const char *table, const char *column)
{
	sqlite3_stmt *st;
	int rc, found = 0;

	/* table_info takes no bound table name: the names here are the migration's own words. */
	char *sql = sqlite3_mprintf("PRAGMA table_info(%Q)", table);

	if (sql == NULL || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_free(sql);
		return -1;
	}
	sqlite3_free(sql);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (strcmp((const char *)sqlite3_column_text(st, 1), column) == 0)
			found = 1;
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? found : -1;
}

/*
 * SQLite plans a statement when it is prepared, before its parameters are bound: the plan of
 * its text is the plan it runs. Only SELECTs: a write's plan says nothing of the reads.
 */
static int
store_sqlite_explain(struct store_stmt *st, void (*line)(const char *sql, const char *text,
    void *arg), void *arg)
{
	sqlite3_stmt *s = (sqlite3_stmt *)st, *e;
	const char *sql = sqlite3_sql(s);
	char *q;
	int rc;

	if (sql == NULL || strncmp(sql, "SELECT", 6) != 0)
		return 0;
	if ((q = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql)) == NULL)
		return -1;
	rc = sqlite3_prepare_v2(sqlite3_db_handle(s), q, -1, &e, NULL);
	sqlite3_free(q);
	if (rc != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(e)) == SQLITE_ROW)
		line(sql, (const char *)sqlite3_column_text(e, 3), arg);
	sqlite3_finalize(e);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Version 1 is the schema as rigd left it before numbered migrations (commit 1116a9d), every
 * table as created by store_open, store_migrate's steps and queue_init together.
 */
static const char store_sqlite_v1[] =
    "CREATE TABLE IF NOT EXISTS builds("
    " id INTEGER PRIMARY KEY, name TEXT NOT NULL, release TEXT NOT NULL, version TEXT NOT NULL,"
    " arch TEXT NOT NULL, image_sha256 TEXT NOT NULL, config_sha256 TEXT, origin TEXT,"
    " first_seen TEXT NOT NULL, image_path TEXT, dtb_dir TEXT, modules_dir TEXT,"
    " config_path TEXT, package TEXT, package_version TEXT, image_version TEXT, options TEXT,"
    " reported_version TEXT, registered TEXT, UNIQUE(image_sha256, release, version));"
    "CREATE TABLE IF NOT EXISTS boards("
    " name TEXT PRIMARY KEY, arch TEXT, state TEXT NOT NULL, reason TEXT, updated TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS board_events("
    " id INTEGER PRIMARY KEY, board TEXT NOT NULL, at TEXT NOT NULL, from_state TEXT,"
    " to_state TEXT NOT NULL, reason TEXT);"
    "CREATE TABLE IF NOT EXISTS boots("
    " id INTEGER PRIMARY KEY, board TEXT NOT NULL, build_id INTEGER, at TEXT NOT NULL,"
    " why TEXT, outcome TEXT NOT NULL, console_ready_ms INTEGER, ready_ms INTEGER,"
    " console_log TEXT, error TEXT);"
    "CREATE TABLE IF NOT EXISTS actions("
    " id INTEGER PRIMARY KEY, at TEXT NOT NULL, uid INTEGER NOT NULL, what TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS runs("
    " id INTEGER PRIMARY KEY, board TEXT NOT NULL, scenario TEXT NOT NULL,"
    " build_id INTEGER REFERENCES builds(id), uid INTEGER, state TEXT NOT NULL,"
    " verdict TEXT, title TEXT, detail TEXT, stack TEXT, started TEXT NOT NULL, ended TEXT,"
    " duration_ms INTEGER, console_log TEXT, console_start INTEGER, console_end INTEGER,"
    " recovery_ms INTEGER, recovery TEXT, repeat_of INTEGER, repeat_why TEXT);"
    "CREATE TABLE IF NOT EXISTS run_steps("
    " run_id INTEGER NOT NULL REFERENCES runs(id), idx INTEGER NOT NULL, action TEXT NOT NULL,"
    " arg TEXT, status TEXT NOT NULL, started_ms INTEGER, duration_ms INTEGER, output TEXT,"
    " PRIMARY KEY(run_id, idx));"
    "CREATE TABLE IF NOT EXISTS crashes("
    " title TEXT PRIMARY KEY, type TEXT, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,"
    " count INTEGER NOT NULL, first_run INTEGER, last_run INTEGER);"
    "CREATE TABLE IF NOT EXISTS crash_reports("
    " id INTEGER PRIMARY KEY, run_id INTEGER, board TEXT NOT NULL, build_id INTEGER,"
    " title TEXT NOT NULL, type TEXT, frame TEXT, corrupted INTEGER, console_log TEXT,"
    " start INTEGER, end INTEGER, text TEXT, at TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS nightlies(id INTEGER PRIMARY KEY, at TEXT NOT NULL, uid INTEGER);"
    "CREATE TABLE IF NOT EXISTS queue(id INTEGER PRIMARY KEY, nightly INTEGER,"
    " build_id INTEGER NOT NULL, board TEXT NOT NULL, scenario TEXT NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'queued', prio INTEGER NOT NULL DEFAULT 0,"
    " attempts INTEGER NOT NULL DEFAULT 0, repeat_of INTEGER, why TEXT, run_id INTEGER,"
    " note TEXT, queued TEXT, started TEXT, ended TEXT);"
    "CREATE INDEX IF NOT EXISTS runs_key ON runs(build_id, board, scenario);"
    "CREATE INDEX IF NOT EXISTS queue_board ON queue(board, state);";

/*
 * A database from before numbered migrations already had the tables above, some perhaps
 * without the columns its schema_steps added later: those are added here, then the index.
 */
static int
store_sqlite_v1_columns(struct store *s, char *err, size_t errlen)
{
	static const struct {
		const char *table, *column;
	} cols[] = {
		{ "builds", "image_path" }, { "builds", "dtb_dir" }, { "builds", "modules_dir" },
		{ "builds", "config_path" }, { "builds", "package" }, { "builds", "package_version" },
		{ "builds", "image_version" }, { "builds", "options" },
		{ "builds", "reported_version" }, { "builds", "registered" },
		{ "runs", "repeat_of" }, { "runs", "repeat_why" },
	};
	char sql[256];
	size_t i;
	int has;

	for (i = 0; i < UTIL_NELEM(cols); i++) {
		if ((has = store_sqlite_has_column(s->db, cols[i].table, cols[i].column)) == -1) {
			util_fmt(err, errlen, "%s: cannot read its columns", cols[i].table);
			return -1;
		}
		if (has)
			continue;
		util_fmt(sql, sizeof(sql), "ALTER TABLE %s ADD COLUMN %s %s", cols[i].table,
		    cols[i].column, strcmp(cols[i].column, "repeat_of") == 0 ? "INTEGER" : "TEXT");
		if (store_sqlite_exec(s->db, sql, err, errlen) == -1)
			return -1;
	}
	return store_sqlite_exec(s->db, "CREATE INDEX IF NOT EXISTS builds_image ON"
	    " builds(image_sha256)", err, errlen);
}

static const struct store_migration store_sqlite_migrations[] = {
	{ 1, "the schema of 1116a9d (builds, boards, runs, steps, crashes, queue)",
	    store_sqlite_v1, store_sqlite_v1_columns },
	{ 2, "crash groups keep the rig's own title beside syzbot's",
	    "ALTER TABLE crashes ADD COLUMN rig_title TEXT", NULL },
	/* Every interrupted run has one title, the error kind's, whoever closed it. */
	{ 3, "runs cut short by a stopped rigd are titled 'lab: interrupted'",
	    "UPDATE runs SET title='lab: interrupted' WHERE verdict='error' AND"
	    " title='interrupted'", NULL },
	{ 4, "board host keys, pinned on first use",
	    "CREATE TABLE host_keys(board TEXT PRIMARY KEY, key TEXT NOT NULL, pinned TEXT NOT NULL)",
	    NULL },
	/* end_ms > start_ms: a reservation released before it began holds no time. */
	{ 5, "reservations of board time",
	    "CREATE TABLE reservations(id INTEGER PRIMARY KEY, board TEXT NOT NULL,"
	    " uid INTEGER NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL,"
	    " note TEXT, created_ms INTEGER NOT NULL, released_ms INTEGER, released_by INTEGER,"
	    " warned_ms INTEGER, CHECK(end_ms >= start_ms));"
	    "CREATE INDEX reservations_board ON reservations(board, start_ms)", NULL },
	/* Leases over before this version are not reset now: their boards served others since. */
	{ 6, "a lease's end resets its board before anyone else gets it",
	    "ALTER TABLE reservations ADD COLUMN reset_ms INTEGER;"
	    "UPDATE reservations SET reset_ms=end_ms", NULL },
	/* Earlier resets only switched the board off and recorded no outcome: left NULL. */
	{ 7, "a lease's reset boots the board's default build and records how it ended",
	    "ALTER TABLE reservations ADD COLUMN reset_outcome TEXT;"
	    "ALTER TABLE reservations ADD COLUMN reset_detail TEXT", NULL },
	/* Boards stored before it have no host: the one rigd that served them claims them. */
	{ 8, "every rigd registers its host and its boards",
	    "CREATE TABLE hosts(name TEXT PRIMARY KEY, version TEXT, started TEXT NOT NULL,"
	    " heartbeat_ms INTEGER NOT NULL);"
	    "ALTER TABLE boards ADD COLUMN host TEXT", NULL },
	{ 9, "a claimed job is its host's under a lease the host renews",
	    "ALTER TABLE queue ADD COLUMN host TEXT;"
	    "ALTER TABLE queue ADD COLUMN lease_ms INTEGER", NULL },
	/*
	 * What store_run_cells counts by, all in the index: a matrix reads index entries in
	 * group order (no table row, no sort) and only the runs a page's builds have.
	 */
	{ 10, "reports count runs per build, board, scenario and verdict from an index",
	    "CREATE INDEX runs_cells ON runs(build_id, board, scenario, verdict, state)", NULL },
	{ 11, "each claim of a job is numbered: its finish is refused once the job was claimed again",
	    "ALTER TABLE queue ADD COLUMN claim INTEGER NOT NULL DEFAULT 0", NULL },
	{ 12, "writes kept while the store was unreachable are applied once, by their key",
	    "CREATE TABLE write_keys(key TEXT PRIMARY KEY, at TEXT NOT NULL)", NULL },
	/* A job with a caller is a lab run: its events go back to that host through the store. */
	{ 13, "a run asked from another host streams its events back through the store",
	    "ALTER TABLE queue ADD COLUMN caller TEXT;"
	    "CREATE TABLE queue_events(id INTEGER PRIMARY KEY, job INTEGER NOT NULL,"
	    " body TEXT NOT NULL);"
	    "CREATE INDEX queue_events_job ON queue_events(job, id)", NULL },
	/* Runs before it belong to no survey: a restart resumes only surveys begun since. */
	{ 14, "a survey's progress is its runs: a restart resumes it where it stopped",
	    "CREATE TABLE surveys(id INTEGER PRIMARY KEY, board TEXT NOT NULL, build_id INTEGER,"
	    " uid INTEGER, classes TEXT, sequences INTEGER NOT NULL, queue_id INTEGER,"
	    " state TEXT NOT NULL, started TEXT NOT NULL, ended TEXT, note TEXT);"
	    "CREATE INDEX surveys_state ON surveys(state, board);"
	    "ALTER TABLE runs ADD COLUMN survey_id INTEGER;"
	    "CREATE INDEX runs_survey ON runs(survey_id)", NULL },
	/*
	 * The reads that grow with the history, each a search of an index (rig/bench/
	 * store_reads.sh checks the plans): a board's runs and a scenario's, newest first, and
	 * the two together (the history, a run's neighbours, the runner's estimates); a crash
	 * group's boards; a run's crash reports; the groups by when they were last seen. Runs
	 * by build already had runs_key.
	 */
	{ 15, "indexes for the reads that grow: runs by board and scenario, crash groups",
	    "CREATE INDEX runs_board ON runs(board, id);"
	    "CREATE INDEX runs_scenario ON runs(scenario, id);"
	    "CREATE INDEX runs_board_scenario ON runs(board, scenario, id);"
	    "CREATE INDEX crashes_last_seen ON crashes(last_seen);"
	    "CREATE INDEX crash_reports_title ON crash_reports(title, board);"
	    "CREATE INDEX crash_reports_run ON crash_reports(run_id)", NULL },
	/*
	 * A bisect's search lives in the rigd that runs it: a restart ends its open jobs rather
	 * than run them for nobody (queue_recover). Nightlies before it with a bisect's job are
	 * marked too; a job's own why is no mark, a lab retry rewrites it.
	 */
	{ 16, "a bisect's nightly is marked: a restart ends the jobs its lost search left open",
	    "ALTER TABLE nightlies ADD COLUMN bisect INTEGER NOT NULL DEFAULT 0;"
	    "UPDATE nightlies SET bisect=1 WHERE id IN (SELECT nightly FROM queue WHERE why IN"
	    " ('bisect', 'bisect-rerun'))", NULL },
	/*
	 * Lab runs queued before it have no uid: their runs are stored as uid 0 (the rig's own),
	 * as they were, and refused while a lease holds the board, as all were.
	 */
	{ 17, "a lab run carries its caller's uid: its run is theirs, judged as a local run",
	    "ALTER TABLE queue ADD COLUMN caller_uid INTEGER", NULL },
	/* Boards registered before it have no address: their host's next start stores one. */
	{ 18, "each board's shared console is found from any host: its address, its host's network",
	    "ALTER TABLE boards ADD COLUMN console_url TEXT;"
	    "ALTER TABLE hosts ADD COLUMN netns TEXT", NULL },
};

const struct store_engine store_sqlite_engine = {
	.name = "sqlite",
	.open = store_sqlite_open,
	.open_readonly = store_sqlite_open_readonly,
	.close = store_sqlite_close,
	.exec = store_sqlite_exec,
	.prepare = store_sqlite_prepare,
	.bind_int = store_sqlite_bind_int,
	.bind_text = store_sqlite_bind_text,
	.step = store_sqlite_step,
	.column_null = store_sqlite_column_null,
	.column_int = store_sqlite_column_int,
	.column_text = store_sqlite_column_text,
	.finalize = store_sqlite_finalize,
	.has_column = store_sqlite_has_column,
	/* IMMEDIATE: a second process opening the file waits instead of migrating too. */
	.begin_write = "BEGIN IMMEDIATE",
	.begin_schema = "BEGIN IMMEDIATE",
	/* Any table of its own would do: nothing else can refuse it, it never commits. */
	.write_probe = "CREATE TABLE main.rig_write_probe(x)",
	.skip_locked = "",	/* one writer at a time: a claim's SELECT and UPDATE are one */
	.explain = store_sqlite_explain,
	.migrations = store_sqlite_migrations,
	.nmigrations = (int)UTIL_NELEM(store_sqlite_migrations),
};
