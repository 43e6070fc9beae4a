/* store_int: what the store's files share: the engine interface and the statement API over it. */
#ifndef RIG_STORE_INT_H
#define RIG_STORE_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/*
 * One statement of an engine: prepared, its parameters bound (1-based, in order), stepped row
 * by row. Columns are read 0-based; text is valid until the next step.
 */
struct store_stmt;

/* A numbered schema change: sql run as one script, then fn (may be NULL) in the same transaction. */
struct store_migration {
	int		 version;
	const char	*what;
	const char	*sql;
	int		(*fn)(struct store *s, char *err, size_t errlen);
};

/*
 * What a database engine provides. Everything SQL the topic files (store_runs.c, ...) send is
 * written to run unchanged on SQLite and PostgreSQL (ON CONFLICT, RETURNING, coalesce, CASE);
 * what cannot be is here: connection, DDL (the migrations), transactions, introspection.
 */
struct store_engine {
	const char	*name;
	void		*(*open)(const char *path, char *err, size_t errlen);
	/* The file as it is, never written (no journal mode set, no file made). NULL with err. */
	void		*(*open_readonly)(const char *path, char *err, size_t errlen);
	void		 (*close)(void *db);
	/* Statements without parameters, separated by ';' (DDL, BEGIN, COMMIT). 0 or -1. */
	int		 (*exec)(void *db, const char *script, char *err, size_t errlen);
	/* NULL after logging the engine's message once. */
	struct store_stmt *(*prepare)(void *db, const char *sql);
	void		 (*bind_int)(struct store_stmt *st, int i, int64_t v);
	void		 (*bind_text)(struct store_stmt *st, int i, const char *v);	/* NULL: SQL NULL */
	/* 1 a row, 0 done, -1 error (logged once). */
	int		 (*step)(struct store_stmt *st);
	int		 (*column_null)(struct store_stmt *st, int i);
	int64_t		 (*column_int)(struct store_stmt *st, int i);
	const char	*(*column_text)(struct store_stmt *st, int i);	/* NULL for SQL NULL */
	void		 (*finalize)(struct store_stmt *st);
	/* 1 when table has column, 0 not, -1 error: for databases older than the migrations. */
	int		 (*has_column)(void *db, const char *table, const char *column);
	/*
	 * 1 when the last failed statement lost a race another writer won (PostgreSQL: exclusion
	 * or serialization failure): the caller checks again. NULL: the engine has none (SQLite's
	 * writers are one at a time).
	 */
	int		 (*conflicted)(void *db);
	/*
	 * 1 when the connection is gone (the server restarted or went away): every statement
	 * fails at once until store_reconnect replaces it. NULL: the engine cannot lose one.
	 */
	int		 (*lost)(void *db);
	const char	*begin_write;	/* starts a transaction that writes (SQLite: IMMEDIATE) */
	/* Starts the migrations' transaction: one process migrates, the others wait for it. */
	const char	*begin_schema;
	/*
	 * Takes a lock named by its one text parameter until the transaction ends: writers of
	 * one board's reservations one at a time on every host. NULL: begin_write excludes
	 * every other writer already.
	 */
	const char	*lock_key;
	/* A write that needs the database writable, run in begin_write and rolled back. */
	const char	*write_probe;
	/*
	 * Ends a claim's SELECT of the queue: rows another transaction holds are passed over, not
	 * waited for (PostgreSQL: FOR UPDATE SKIP LOCKED); "" where writers are one at a time.
	 */
	const char	*skip_locked;
	/*
	 * Wake-ups between hosts sharing the database (PostgreSQL: LISTEN/NOTIFY); NULL: none,
	 * and whoever waits looks again on its own timer. notify: a statement whose one text
	 * parameter is the message, heard by every listener once the write before it is seen.
	 * listen: a connection of its own, listening (NULL with err); listen_wait: up to ms for
	 * a message, 1 (msg filled), 0 none in time, -1 the connection failed.
	 */
	const char	*notify;
	void		*(*listen)(const char *path, char *err, size_t errlen);
	int		 (*listen_wait)(void *l, int ms, char *msg, size_t len);
	void		 (*listen_close)(void *l);
	/*
	 * The plan the engine chose for a SELECT, with the parameters as bound, one line at a
	 * time to line with the statement's text ("SEARCH r USING INDEX runs_board (board=?)",
	 * "Index Scan using ..."): for the checks that the reads that grow use an index
	 * (store_explain). 0, or -1.
	 */
	int		 (*explain)(struct store_stmt *st,
	    void (*line)(const char *sql, const char *text, void *arg), void *arg);
	const struct store_migration *migrations;	/* ascending versions from 1 */
	int		 nmigrations;
};

extern const struct store_engine store_sqlite_engine;
extern const struct store_engine store_pg_engine;

/* An engine's failure in words, for store_last_error (the calling thread's). */
void store_note_error(const char *msg);

struct store {
	const struct store_engine *eng;
	void		*db;	/* the engine's connection */
	/*
	 * One connection serves the event loop and every board thread: calls are serialized by
	 * this recursive lock, held from prepare to done, so a callback may read the store again.
	 */
	pthread_mutex_t	 lock;
	char		*path;	/* immutable: what store_reader opens again */
	/*
	 * Set once by store_set_host before the store is shared (immutable after): the host
	 * that claims jobs and how long its lease on a claimed job lasts unrenewed; "" and 0
	 * until then: claims hold no lease and recovery takes every job (one host).
	 */
	char		 host[64];
	int64_t		 lease_ms;
	/*
	 * Set by store_explain before the store is shared (immutable after): each SELECT's plan
	 * is handed to plan before its first row is read. plan_next (under lock): the statement
	 * prepared last and not stepped yet, whose plan is due.
	 */
	void		(*plan)(const char *sql, const char *line, void *arg);
	void		*plan_arg;
	struct store_stmt *plan_next;
};

/*
 * Benchmarks and tests only: every SELECT's plan, line by line, to plan (sql is the
 * statement's text as the engine has it). NULL stops it.
 */
void store_explain(struct store *s, void (*plan)(const char *sql, const char *line, void *arg),
    void *arg);

/*
 * Prepares sql and binds the variadic list as types says: 'i' int64_t, 't' text (NULL is SQL
 * NULL), 'n' int64_t where 0 or less is SQL NULL (an id that is not there), 'N' int64_t where
 * STORE_NULL is SQL NULL. Takes the store's
 * lock until store_done; NULL (lock released) on error.
 */
struct store_stmt *store_stmt(struct store *s, const char *sql, const char *types, ...);
/* 1 a row, 0 done, -1 error. */
int store_step(struct store *s, struct store_stmt *st);
int64_t store_col_int(struct store *s, struct store_stmt *st, int i);	/* STORE_NULL for NULL */
const char *store_col_text(struct store *s, struct store_stmt *st, int i);	/* NULL for NULL */
/* Finalizes and releases the lock. */
void store_done(struct store *s, struct store_stmt *st);

/*
 * Steps st to its end, or until row returns non-zero: row reads the current row and hands it
 * on (ctx is the caller's); a NULL row only counts. Finishes st, NULL st included. Rows read,
 * or -1.
 */
typedef int (*store_row_fn)(struct store *s, struct store_stmt *st, void *ctx);
int store_rows(struct store *s, struct store_stmt *st, store_row_fn row, void *ctx);

/*
 * A typed row callback and its argument, carried through store_rows' ctx: the callback is
 * stored as void (*)(void) and called through its own type again, which C allows.
 */
struct store_visit {
	void	(*cb)(void);
	void	*arg;
};
#define STORE_VISIT(cb, arg)	{ (void (*)(void))(cb), (arg) }

/* A statement run to completion: 0 or -1 (logged once). */
int store_exec(struct store *s, const char *sql, const char *types, ...);
/* A statement whose first row's first column is an integer (RETURNING id, count(*)): it, 0 when
 * no row, -1 on error. */
int64_t store_exec_int(struct store *s, const char *sql, const char *types, ...);

/* Now, as stored: ISO 8601 UTC with milliseconds. */
const char *store_now(char *buf, size_t len);
/* An empty string as NULL: optional text columns hold NULL, not "". */
const char *store_nonempty(const char *t);

#endif
