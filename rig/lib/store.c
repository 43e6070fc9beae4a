/* store: open and close, the one lock, the statement API over an engine, the migration runner. */
#include "store_int.h"
#include "log.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The time this thread's writes are stamped with: 0 is now; store_keyed sets it while a
 * write kept during an outage is applied, so the write says when it happened.
 */
static _Thread_local int64_t store_clock_ms;

const char *
store_now(char *buf, size_t len)
{
	return util_iso_time(store_clock_ms > 0 ? store_clock_ms : util_wall_ms(), buf, len);
}

const char *
store_nonempty(const char *t)
{
	return t && t[0] ? t : NULL;
}

static void
store_bindv(struct store *s, struct store_stmt *st, const char *types, va_list ap)
{
	int i;

	for (i = 0; types[i]; i++) {
		if (types[i] == 'i') {
			s->eng->bind_int(st, i + 1, va_arg(ap, int64_t));
		} else if (types[i] == 'n') {
			int64_t v = va_arg(ap, int64_t);

			if (v > 0)
				s->eng->bind_int(st, i + 1, v);
			else
				s->eng->bind_text(st, i + 1, NULL);
		} else if (types[i] == 'N') {
			int64_t v = va_arg(ap, int64_t);

			if (v != STORE_NULL)
				s->eng->bind_int(st, i + 1, v);
			else
				s->eng->bind_text(st, i + 1, NULL);
		} else
			s->eng->bind_text(st, i + 1, va_arg(ap, const char *));
	}
}

static struct store_stmt *
store_stmtv(struct store *s, const char *sql, const char *types, va_list ap)
{
	struct store_stmt *st;

	pthread_mutex_lock(&s->lock);
	if ((st = s->eng->prepare(s->db, sql)) == NULL) {
		pthread_mutex_unlock(&s->lock);
		return NULL;
	}
	store_bindv(s, st, types, ap);
	if (s->plan)
		s->plan_next = st;
	return st;
}

struct store_stmt *
store_stmt(struct store *s, const char *sql, const char *types, ...)
{
	struct store_stmt *st;
	va_list ap;

	va_start(ap, types);
	st = store_stmtv(s, sql, types, ap);
	va_end(ap);
	return st;
}

void
store_explain(struct store *s, void (*plan)(const char *sql, const char *line, void *arg),
    void *arg)
{
	s->plan = plan;
	s->plan_arg = arg;
	s->plan_next = NULL;
}

int
store_step(struct store *s, struct store_stmt *st)
{
	/* Explained at its first step: a statement's parameters may be bound after store_stmt. */
	if (s->plan && st == s->plan_next) {
		s->plan_next = NULL;
		if (s->eng->explain(st, s->plan, s->plan_arg) == -1)
			s->plan("?", "no plan: EXPLAIN failed", s->plan_arg);
	}
	return s->eng->step(st);
}

int64_t
store_col_int(struct store *s, struct store_stmt *st, int i)
{
	return s->eng->column_null(st, i) ? STORE_NULL : s->eng->column_int(st, i);
}

const char *
store_col_text(struct store *s, struct store_stmt *st, int i)
{
	return s->eng->column_text(st, i);
}

void
store_done(struct store *s, struct store_stmt *st)
{
	if (s->plan_next == st)
		s->plan_next = NULL;
	s->eng->finalize(st);
	pthread_mutex_unlock(&s->lock);
}

int
store_rows(struct store *s, struct store_stmt *st, store_row_fn row, void *ctx)
{
	int rc, n = 0;

	if (st == NULL)
		return -1;
	while ((rc = store_step(s, st)) == 1) {
		n++;
		if (row && row(s, st, ctx))
			break;
	}
	store_done(s, st);
	return rc == -1 ? -1 : n;
}

int
store_exec(struct store *s, const char *sql, const char *types, ...)
{
	struct store_stmt *st;
	va_list ap;
	int rc;

	va_start(ap, types);
	st = store_stmtv(s, sql, types, ap);
	va_end(ap);
	if (st == NULL)
		return -1;
	while ((rc = store_step(s, st)) == 1)
		;
	store_done(s, st);
	return rc;
}

int64_t
store_exec_int(struct store *s, const char *sql, const char *types, ...)
{
	struct store_stmt *st;
	va_list ap;
	int64_t v = 0;
	int rc;

	va_start(ap, types);
	st = store_stmtv(s, sql, types, ap);
	va_end(ap);
	if (st == NULL)
		return -1;
	if ((rc = store_step(s, st)) == 1) {
		v = store_col_int(s, st, 0);
		/* The rest of the statement runs too (an UPDATE ... RETURNING touches every row). */
		while ((rc = store_step(s, st)) == 1)
			;
	}
	store_done(s, st);
	return rc == -1 ? -1 : v == STORE_NULL ? 0 : v;
}

int
store_schema_version(struct store *s)
{
	int64_t v = store_exec_int(s, "SELECT max(version) FROM schema_version", "");

	return v < 0 ? -1 : (int)v;
}

#define STORE_SCHEMA_VERSION "CREATE TABLE IF NOT EXISTS schema_version(" \
	"version INTEGER PRIMARY KEY, at TEXT NOT NULL)"

/*
 * Applies the engine's migrations above the database's version, each recorded in
 * schema_version, all in one write transaction: two processes opening the same file do not
 * both apply one, and a failed migration leaves the database as it was.
 */
static int
store_migrate(struct store *s, char *err, size_t errlen)
{
	const struct store_engine *e = s->eng;
	char now[32];
	int i, v, from, rc = -1;

	/*
	 * Twice: on PostgreSQL, of two processes creating it at once one fails (the other made
	 * it first); the second try finds it there.
	 */
	if (e->exec(s->db, STORE_SCHEMA_VERSION, err, errlen) == -1 &&
	    e->exec(s->db, STORE_SCHEMA_VERSION, err, errlen) == -1)
		return -1;
	if ((v = store_schema_version(s)) == -1) {
		util_fmt(err, errlen, "schema_version unreadable");
		return -1;
	}
	/* The usual case, the latest version, takes no write lock. */
	if (e->nmigrations == 0 || v >= e->migrations[e->nmigrations - 1].version)
		return 0;
	pthread_mutex_lock(&s->lock);
	/* A database older than schema_version has a runs table: it is said when upgraded. */
	from = v > 0 ? v : e->has_column(s->db, "runs", "id") == 1 ? 0 : -1;
	if (e->exec(s->db, e->begin_schema, err, errlen) == -1)
		goto out;
	if ((v = store_schema_version(s)) == -1) {
		util_fmt(err, errlen, "schema_version unreadable");
		goto rollback;
	}
	for (i = 0; i < e->nmigrations; i++) {
		const struct store_migration *m = &e->migrations[i];

		if (m->version <= v)
			continue;
		if (e->exec(s->db, m->sql, err, errlen) == -1 ||
		    (m->fn && m->fn(s, err, errlen) == -1))
			goto rollback;
		if (store_exec(s, "INSERT INTO schema_version(version, at) VALUES(?,?)", "it",
		    (int64_t)m->version, store_now(now, sizeof(now))) == -1) {
			util_fmt(err, errlen, "cannot record version %d", m->version);
			goto rollback;
		}
		if (from >= 0)
			log_info("store: schema version %d -> %d: %s", v, m->version, m->what);
		v = m->version;
	}
	if (e->exec(s->db, "COMMIT", err, errlen) == -1)
		goto rollback;
	rc = 0;
	goto out;
rollback:
	e->exec(s->db, "ROLLBACK", NULL, 0);
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int
store_is_uri(const char *where)
{
	return strncmp(where, "postgresql://", 13) == 0 || strncmp(where, "postgres://", 11) == 0;
}

static const struct store_engine *
store_engine_for(const char *path)
{
	return store_is_uri(path) ? &store_pg_engine : &store_sqlite_engine;
}

static struct store *
store_new(const char *path, int readonly, char *err, size_t errlen)
{
	struct store *s = xcalloc(1, sizeof(*s));
	pthread_mutexattr_t ma;

	s->eng = store_engine_for(path);
	s->db = readonly ? s->eng->open_readonly(path, err, errlen) :
	    s->eng->open(path, err, errlen);
	if (s->db == NULL) {
		free(s);
		return NULL;
	}
	s->path = xstrdup(path);
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&s->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	return s;
}

struct store *
store_open_readonly(const char *path, char *err, size_t errlen)
{
	const struct store_engine *e = store_engine_for(path);
	int latest = e->nmigrations ? e->migrations[e->nmigrations - 1].version : 0, v, has;
	struct store *s = store_new(path, 1, err, errlen);

	if (s == NULL)
		return NULL;
	/* No schema_version table: a database from before numbered migrations (or an empty one). */
	has = e->has_column(s->db, "schema_version", "version");
	v = has == 1 ? store_schema_version(s) : has == 0 ? 0 : -1;
	if (v == -1)
		util_fmt(err, errlen, "%s: schema version unreadable", path);
	else if (v < latest)
		util_fmt(err, errlen, "%s: schema %d, this rigd upgrades it to %d at start", path, v,
		    latest);
	else
		return s;
	store_close(s);
	return NULL;
}

struct store *
store_reader(struct store *s, char *err, size_t errlen)
{
	return store_open_readonly(s->path, err, errlen);
}

struct store *
store_open(const char *path, char *err, size_t errlen)
{
	struct store *s = store_new(path, 0, err, errlen);
	char msg[256] = "";

	if (s == NULL)
		return NULL;
	if (store_migrate(s, msg, sizeof(msg)) == -1) {
		util_fmt(err, errlen, "%s: schema migration: %s", path, msg);
		store_close(s);
		return NULL;
	}
	return s;
}

void
store_set_host(struct store *s, const char *host, int64_t lease_ms)
{
	util_strlcpy(s->host, host ? host : "", sizeof(s->host));
	s->lease_ms = lease_ms;
}

/* Per thread: each board's thread and the store writer say their own failures. */
static _Thread_local char store_err[256];

void
store_note_error(const char *msg)
{
	util_strlcpy(store_err, msg, sizeof(store_err));
}

const char *
store_last_error(void)
{
	return store_err;
}

int
store_writable(struct store *s)
{
	const struct store_engine *e = s->eng;
	char err[256];
	int rc;

	pthread_mutex_lock(&s->lock);
	rc = e->exec(s->db, e->begin_write, err, sizeof(err));
	if (rc == 0) {
		rc = e->exec(s->db, e->write_probe, err, sizeof(err));
		e->exec(s->db, "ROLLBACK", NULL, 0);
	}
	if (rc == -1)
		store_note_error(err);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int
store_keyed(struct store *s, const char *key, int64_t at_ms, store_keyed_fn *fn, void *arg)
{
	const struct store_engine *e = s->eng;
	char err[256], now[32];
	int64_t won;
	int rc = -1;

	pthread_mutex_lock(&s->lock);
	if (e->exec(s->db, e->begin_write, err, sizeof(err)) == -1) {
		store_note_error(err);
		pthread_mutex_unlock(&s->lock);
		return -1;
	}
	/* The key first: a write applied before (its commit unseen by the writer) stops here. */
	won = store_exec_int(s, "INSERT INTO write_keys(key, at) VALUES(?,?) ON CONFLICT(key)"
	    " DO NOTHING RETURNING 1", "tt", key, store_now(now, sizeof(now)));
	if (won == 1) {
		store_clock_ms = at_ms;
		rc = fn(s, arg);
		store_clock_ms = 0;
		if (rc == 0 && e->exec(s->db, "COMMIT", err, sizeof(err)) == 0) {
			pthread_mutex_unlock(&s->lock);
			return 1;
		}
		if (rc == 0)
			store_note_error(err);
		rc = -1;
	} else if (won == 0)
		rc = 0;
	e->exec(s->db, "ROLLBACK", NULL, 0);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int
store_keys_prune(struct store *s, int64_t before_ms)
{
	char at[32];

	return store_rows(s, store_stmt(s, "DELETE FROM write_keys WHERE at < ? RETURNING 1", "t",
	    util_iso_time(before_ms, at, sizeof(at))), NULL, NULL);
}

int
store_lost(struct store *s)
{
	int lost;

	if (s->eng->lost == NULL)
		return 0;
	pthread_mutex_lock(&s->lock);
	lost = s->eng->lost(s->db);
	pthread_mutex_unlock(&s->lock);
	return lost;
}

int
store_can_lose(struct store *s)
{
	return s->eng->lost != NULL;
}

int
store_reconnect(struct store *s, char *err, size_t errlen)
{
	void *db, *old;

	if (!store_lost(s))
		return 0;
	/*
	 * Made without the lock: a server that does not answer keeps this thread only (up to
	 * the connect timeout); the others' calls meanwhile fail at once on the lost one.
	 */
	if ((db = s->eng->open(s->path, err, errlen)) == NULL)
		return -1;
	pthread_mutex_lock(&s->lock);
	old = s->db;
	s->db = db;
	pthread_mutex_unlock(&s->lock);
	s->eng->close(old);
	return 0;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	s->eng->close(s->db);
	pthread_mutex_destroy(&s->lock);
	free(s->path);
	free(s);
}

/* A listening connection and the engine it belongs to. */
struct store_listener {
	const struct store_engine	*eng;
	void				*l;
};

int
store_notify(struct store *s, const char *msg)
{
	if (s->eng->notify == NULL)
		return 0;
	return store_exec(s, s->eng->notify, "t", msg);
}

struct store_listener *
store_listen(struct store *s, char *err, size_t errlen)
{
	struct store_listener *sl;
	void *l;

	util_strlcpy(err, "", errlen);
	if (s->eng->listen == NULL)
		return NULL;
	if ((l = s->eng->listen(s->path, err, errlen)) == NULL)
		return NULL;
	sl = xcalloc(1, sizeof(*sl));
	sl->eng = s->eng;
	sl->l = l;
	return sl;
}

int
store_listen_wait(struct store_listener *l, int ms, char *msg, size_t len)
{
	return l->eng->listen_wait(l->l, ms, msg, len);
}

void
store_listen_close(struct store_listener *l)
{
	if (l == NULL)
		return;
	l->eng->listen_close(l->l);
	free(l);
}
