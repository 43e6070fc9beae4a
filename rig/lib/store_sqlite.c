/* store_sqlite: the store in one SQLite file (WAL), shared by the daemon's threads. */
#include "store.h"
#include "log.h"
#include "util.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

struct store {
	sqlite3		*db;
	/* One connection serves the event loop and every board thread: calls are serialized. */
	pthread_mutex_t	 lock;
};

static const char *store_schema =
    "CREATE TABLE IF NOT EXISTS builds("
    " id INTEGER PRIMARY KEY, name TEXT NOT NULL, release TEXT NOT NULL, version TEXT NOT NULL,"
    " arch TEXT NOT NULL, image_sha256 TEXT NOT NULL, config_sha256 TEXT, origin TEXT,"
    " first_seen TEXT NOT NULL, UNIQUE(image_sha256, release, version));"
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
    " recovery_ms INTEGER, recovery TEXT);"
    "CREATE INDEX IF NOT EXISTS runs_key ON runs(build_id, board, scenario);"
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
    " start INTEGER, end INTEGER, text TEXT, at TEXT NOT NULL);";

struct store *
store_open(const char *path, char *err, size_t errlen)
{
	struct store *s = xcalloc(1, sizeof(*s));
	char *msg = NULL;

	if (sqlite3_open(path, &s->db) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;", NULL, NULL,
	    &msg) != SQLITE_OK || sqlite3_exec(s->db, store_schema, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, msg ? msg : "schema");
		sqlite3_free(msg);
		goto fail;
	}
	pthread_mutex_init(&s->lock, NULL);
	return s;
fail:
	sqlite3_close(s->db);
	free(s);
	return NULL;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	sqlite3_close(s->db);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/*
 * Binds a printf-like list: 't' text (NULL is SQL NULL), 'i' int64. Runs the statement to
 * completion; returns 0, or -1 after logging the database's message once.
 */
static int
store_execv(struct store *s, int64_t *rowid, const char *sql, const char *types, va_list ap)
{
	sqlite3_stmt *st;
	int rc, i;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_warnx("store: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	for (i = 0; types[i]; i++) {
		if (types[i] == 'i')
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
		else {
			const char *t = va_arg(ap, const char *);
			if (t)
				sqlite3_bind_text(st, i + 1, t, -1, SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(st, i + 1);
		}
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		log_warnx("store: %s", sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		return -1;
	}
	if (rowid)
		*rowid = sqlite3_last_insert_rowid(s->db);
	sqlite3_finalize(st);
	return 0;
}

int
store_sql(struct store *s, int64_t *rowid, const char *sql, const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	pthread_mutex_lock(&s->lock);
	rc = store_execv(s, rowid, sql, types, ap);
	pthread_mutex_unlock(&s->lock);
	va_end(ap);
	return rc;
}

static const char *
store_now(char *buf, size_t len)
{
	return util_iso_time(util_wall_ms(), buf, len);
}

int64_t
store_build_get_or_add(struct store *s, const struct store_build *b)
{
	sqlite3_stmt *st;
	char now[32];
	int64_t id = -1;

	/* Insert-or-ignore then select: the same image and report is one build, however often seen. */
	if (store_sql(s, NULL, "INSERT OR IGNORE INTO builds(name, release, version, arch,"
	    " image_sha256, config_sha256, origin, first_seen) VALUES(?,?,?,?,?,?,?,?)", "tttttttt",
	    b->name, b->release, b->version, b->arch, b->image_sha256, b->config_sha256, b->origin,
	    store_now(now, sizeof(now))) == -1)
		return -1;
	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, "SELECT id FROM builds WHERE image_sha256=? AND release=?"
	    " AND version=?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, b->image_sha256, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, b->release, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, b->version, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) == SQLITE_ROW)
			id = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&s->lock);
	return id;
}

int
store_board_set(struct store *s, const char *board, const char *arch, const char *state,
    const char *reason)
{
	char now[32];

	return store_sql(s, NULL, "INSERT INTO boards(name, arch, state, reason, updated)"
	    " VALUES(?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET arch=coalesce(excluded.arch, arch),"
	    " state=excluded.state, reason=excluded.reason, updated=excluded.updated", "ttttt",
	    board, arch, state, reason, store_now(now, sizeof(now)));
}

int
store_board_event(struct store *s, const char *board, const char *from, const char *to,
    const char *reason)
{
	char now[32];

	return store_sql(s, NULL, "INSERT INTO board_events(board, at, from_state, to_state, reason)"
	    " VALUES(?,?,?,?,?)", "ttttt", board, store_now(now, sizeof(now)), from, to, reason);
}

int
store_action(struct store *s, long uid, const char *what)
{
	char now[32];

	return store_sql(s, NULL, "INSERT INTO actions(at, uid, what) VALUES(?,?,?)", "tit",
	    store_now(now, sizeof(now)), (int64_t)uid, what);
}

int
store_boot(struct store *s, const char *board, int64_t build_id, const char *why,
    const char *outcome, int64_t console_ready_ms, int64_t ready_ms, const char *console_log,
    const char *error)
{
	char now[32];

	return store_sql(s, NULL, "INSERT INTO boots(board, build_id, at, why, outcome,"
	    " console_ready_ms, ready_ms, console_log, error)"
	    " VALUES(?,nullif(?,-1),?,?,?,nullif(?,-1),nullif(?,-1),?,?)", "titttiitt",
	    board, build_id, store_now(now, sizeof(now)), why, outcome, console_ready_ms, ready_ms,
	    console_log, error);
}

int64_t
store_run_begin(struct store *s, const char *board, const char *scenario, int64_t build_id,
    long uid, const char *console_log, int64_t console_start)
{
	char now[32];
	int64_t id;

	if (store_sql(s, &id, "INSERT INTO runs(board, scenario, build_id, uid, state, started,"
	    " console_log, console_start) VALUES(?,?,nullif(?,-1),?,'running',?,?,?)", "ttiitti",
	    board, scenario, build_id, (int64_t)uid, store_now(now, sizeof(now)), console_log,
	    console_start) == -1)
		return -1;
	return id;
}

int
store_run_step(struct store *s, int64_t run, const struct store_step *st)
{
	return store_sql(s, NULL, "INSERT OR REPLACE INTO run_steps(run_id, idx, action, arg,"
	    " status, started_ms, duration_ms, output) VALUES(?,?,?,?,?,?,?,?)", "iitttiit",
	    run, (int64_t)st->idx, st->action, st->arg, st->status, st->started_ms, st->duration_ms,
	    st->output);
}

int
store_run_end(struct store *s, int64_t run, const struct store_run_end *e)
{
	char now[32];

	return store_sql(s, NULL, "UPDATE runs SET state='done', verdict=?, title=?, detail=?,"
	    " stack=?, ended=?, console_end=?, duration_ms=CAST((julianday(?) - julianday(started))"
	    " * 86400000 AS INTEGER) WHERE id=?", "tttttiti", e->verdict,
	    e->title[0] ? e->title : NULL, e->detail, e->stack, store_now(now, sizeof(now)),
	    e->console_end, now, run);
}

int
store_run_recovery(struct store *s, int64_t run, int64_t recovery_ms, const char *outcome)
{
	return store_sql(s, NULL, "UPDATE runs SET recovery_ms=?, recovery=? WHERE id=?", "iti",
	    recovery_ms, outcome, run);
}

int
store_runs_interrupt(struct store *s)
{
	char now[32];
	int n;

	if (store_sql(s, NULL, "UPDATE runs SET state='done', verdict='error', title='interrupted',"
	    " detail='rigd stopped during the run', ended=? WHERE state='running'", "t",
	    store_now(now, sizeof(now))) == -1)
		return -1;
	pthread_mutex_lock(&s->lock);
	n = sqlite3_changes(s->db);
	pthread_mutex_unlock(&s->lock);
	return n;
}

int
store_crash_add(struct store *s, int64_t run, const char *board, int64_t build_id,
    const char *title, const char *type, const char *frame, int corrupted, const char *console_log,
    int64_t start, int64_t end, const char *text)
{
	char now[32];

	store_now(now, sizeof(now));
	if (store_sql(s, NULL, "INSERT INTO crash_reports(run_id, board, build_id, title, type,"
	    " frame, corrupted, console_log, start, end, text, at)"
	    " VALUES(nullif(?,-1),?,nullif(?,-1),?,?,?,?,?,?,?,?,?)", "ititttitiitt", run, board, build_id, title, type, frame, (int64_t)corrupted, console_log, start, end,
	    text, now) == -1)
		return -1;
	/* Crashes are grouped by title across runs and builds: the title is the identity. */
	return store_sql(s, NULL, "INSERT INTO crashes(title, type, first_seen, last_seen, count,"
	    " first_run, last_run) VALUES(?,?,?,?,1,nullif(?,-1),nullif(?,-1))"
	    " ON CONFLICT(title) DO UPDATE SET last_seen=excluded.last_seen, count=count+1,"
	    " last_run=coalesce(excluded.last_run, last_run)", "ttttii", title, type, now, now, run,
	    run);
}

cJSON *
store_query(struct store *s, const char *sql, const char **params, int nparams)
{
	sqlite3_stmt *st;
	cJSON *arr;
	int i, rc, n;

	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_warnx("store: %s", sqlite3_errmsg(s->db));
		pthread_mutex_unlock(&s->lock);
		return NULL;
	}
	for (i = 0; i < nparams; i++)
		sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_TRANSIENT);
	arr = cJSON_CreateArray();
	n = sqlite3_column_count(st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *row = cJSON_CreateObject();
		for (i = 0; i < n; i++) {
			const char *name = sqlite3_column_name(st, i);
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_INTEGER:
				cJSON_AddNumberToObject(row, name,
				    (double)sqlite3_column_int64(st, i));
				break;
			case SQLITE_FLOAT:
				cJSON_AddNumberToObject(row, name, sqlite3_column_double(st, i));
				break;
			case SQLITE_NULL:
				cJSON_AddNullToObject(row, name);
				break;
			default:
				cJSON_AddStringToObject(row, name,
				    (const char *)sqlite3_column_text(st, i));
			}
		}
		cJSON_AddItemToArray(arr, row);
	}
	if (rc != SQLITE_DONE) {
		log_warnx("store: %s", sqlite3_errmsg(s->db));
		cJSON_Delete(arr);
		arr = NULL;
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return arr;
}

/*
 * Migration steps, each applied once and named in schema_steps: new columns only, so a database
 * written before them keeps its rows and older code keeps reading it.
 */
static const struct {
	const char	*name;
	const char	*sql;
} store_steps[] = {
	{ "builds-registry-1",
	    "ALTER TABLE builds ADD COLUMN image_path TEXT;"
	    "ALTER TABLE builds ADD COLUMN dtb_dir TEXT;"
	    "ALTER TABLE builds ADD COLUMN modules_dir TEXT;"
	    "ALTER TABLE builds ADD COLUMN config_path TEXT;"
	    "ALTER TABLE builds ADD COLUMN package TEXT;"
	    "ALTER TABLE builds ADD COLUMN package_version TEXT;"
	    "ALTER TABLE builds ADD COLUMN image_version TEXT;"
	    "ALTER TABLE builds ADD COLUMN options TEXT;"
	    "ALTER TABLE builds ADD COLUMN reported_version TEXT;"
	    "ALTER TABLE builds ADD COLUMN registered TEXT;"
	    "CREATE INDEX IF NOT EXISTS builds_image ON builds(image_sha256);" },
	{ "runs-repeat-1",
	    "ALTER TABLE runs ADD COLUMN repeat_of INTEGER;"
	    "ALTER TABLE runs ADD COLUMN repeat_why TEXT;" },
};

/* 1 when the step is recorded as applied, 0 when not, -1 on error; lock held. */
static int
store_step_done(struct store *s, const char *name)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM schema_steps WHERE name=?", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
store_migrate(struct store *s, char *err, size_t errlen)
{
	char *msg = NULL;
	sqlite3_stmt *st;
	size_t i;
	int done, pending = 0, rc;

	pthread_mutex_lock(&s->lock);
	if (sqlite3_exec(s->db, "CREATE TABLE IF NOT EXISTS schema_steps(name TEXT PRIMARY KEY,"
	    " at TEXT NOT NULL)", NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	/* The usual case, every step applied, takes no write lock: callers do this per call. */
	for (i = 0; i < UTIL_NELEM(store_steps); i++) {
		if ((done = store_step_done(s, store_steps[i].name)) == -1)
			goto fail;
		pending += !done;
	}
	if (pending == 0) {
		pthread_mutex_unlock(&s->lock);
		return 0;
	}
	/* IMMEDIATE: a rigctl and a rigd opening the same file must not both add a column. */
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	for (i = 0; i < UTIL_NELEM(store_steps); i++) {
		if ((done = store_step_done(s, store_steps[i].name)) == -1)
			goto fail_tx;
		if (done)
			continue;
		if (sqlite3_exec(s->db, store_steps[i].sql, NULL, NULL, &msg) != SQLITE_OK)
			goto fail_tx;
		if (sqlite3_prepare_v2(s->db, "INSERT INTO schema_steps(name, at) VALUES(?,"
		    " strftime('%Y-%m-%dT%H:%M:%fZ','now'))", -1, &st, NULL) != SQLITE_OK)
			goto fail_tx;
		sqlite3_bind_text(st, 1, store_steps[i].name, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			goto fail_tx;
	}
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
		goto fail_tx;
	pthread_mutex_unlock(&s->lock);
	return 0;
fail_tx:
	snprintf(err, errlen, "store migration: %s", msg ? msg : sqlite3_errmsg(s->db));
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_free(msg);
	pthread_mutex_unlock(&s->lock);
	return -1;
fail:
	snprintf(err, errlen, "store migration: %s", msg ? msg : sqlite3_errmsg(s->db));
	sqlite3_free(msg);
	pthread_mutex_unlock(&s->lock);
	return -1;
}

/* The migration for callers that have no error buffer: logged once here, as store_sql does. */
static int
store_migrated(struct store *s)
{
	char err[256];

	if (store_migrate(s, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	return 0;
}

static int64_t
store_id_query(struct store *s, const char *sql, const char *text)
{
	sqlite3_stmt *st;
	int64_t id = 0;

	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_warnx("store: %s", sqlite3_errmsg(s->db));
		pthread_mutex_unlock(&s->lock);
		return -1;
	}
	sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return id;
}

int64_t
store_build_find_image(struct store *s, const char *image_sha256)
{
	if (store_migrated(s) == -1)
		return -1;
	return store_id_query(s, "SELECT id FROM builds WHERE image_sha256=? ORDER BY id LIMIT 1",
	    image_sha256);
}

static const char *
store_nonempty(const char *t)
{
	return t && t[0] ? t : NULL;
}

int64_t
store_build_register(struct store *s, const struct store_build *b,
    const struct store_build_info *i, int *added)
{
	char now[32];
	int64_t id;

	if (added)
		*added = 0;
	if ((id = store_build_find_image(s, b->image_sha256)) == -1)
		return -1;
	store_now(now, sizeof(now));
	if (id == 0) {
		if (store_sql(s, &id, "INSERT INTO builds(name, release, version, arch,"
		    " image_sha256, config_sha256, origin, first_seen, image_path, dtb_dir,"
		    " modules_dir, config_path, package, package_version, image_version, options,"
		    " registered) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", "ttttttttttttttttt",
		    b->name, b->release, b->version, b->arch, b->image_sha256,
		    store_nonempty(b->config_sha256), b->origin, now, store_nonempty(i->image_path),
		    store_nonempty(i->dtb_dir), store_nonempty(i->modules_dir),
		    store_nonempty(i->config_path), store_nonempty(i->package),
		    store_nonempty(i->package_version), store_nonempty(i->image_version),
		    store_nonempty(i->options), now) == -1)
			return -1;
		if (added)
			*added = 1;
		return id;
	}
	/*
	 * Seen before (a boot, or an earlier add): where the parts are now wins (the same image
	 * may be added again from elsewhere); what the build is keeps its first value.
	 */
	if (store_sql(s, NULL, "UPDATE builds SET"
	    " config_sha256=coalesce(nullif(config_sha256, ''), ?),"
	    " image_path=coalesce(?, image_path), dtb_dir=coalesce(?, dtb_dir),"
	    " modules_dir=coalesce(?, modules_dir), config_path=coalesce(?, config_path),"
	    " package=coalesce(package, ?), package_version=coalesce(package_version, ?),"
	    " image_version=coalesce(image_version, ?), options=coalesce(options, ?),"
	    " registered=coalesce(registered, ?) WHERE id=?", "tttttttttti",
	    store_nonempty(b->config_sha256), store_nonempty(i->image_path),
	    store_nonempty(i->dtb_dir), store_nonempty(i->modules_dir),
	    store_nonempty(i->config_path), store_nonempty(i->package),
	    store_nonempty(i->package_version), store_nonempty(i->image_version),
	    store_nonempty(i->options), now, id) == -1)
		return -1;
	return id;
}

int
store_build_reported(struct store *s, int64_t build, const char *proc_version)
{
	if (store_migrated(s) == -1)
		return -1;
	return store_sql(s, NULL, "UPDATE builds SET reported_version=? WHERE id=?", "ti",
	    proc_version, build);
}

int
store_run_repeat(struct store *s, int64_t run, int64_t of, const char *why)
{
	if (store_migrated(s) == -1)
		return -1;
	return store_sql(s, NULL, "UPDATE runs SET repeat_of=?, repeat_why=? WHERE id=?", "iti",
	    of, why, run);
}

