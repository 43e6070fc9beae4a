/*
 * store_reservations: reservations of board time; no two windows of one board overlap, by one
 * serialized write path (SQLite), or a check backed by the database's exclusion constraint
 * (PostgreSQL).
 */
#include "store_int.h"
#include "util.h"

#include <string.h>

#define STORE_RES_COLS "id, board, uid, start_ms, end_ms, note, created_ms, released_ms," \
	" released_by, warned_ms, reset_ms, reset_outcome, reset_detail FROM reservations"
/*
 * Windows of board that overlap [?, ?): a window released before it began (end == start)
 * holds nothing. Parameters: board, start, end.
 */
#define STORE_RES_OVERLAP " WHERE board=? AND end_ms > start_ms AND start_ms < ? AND end_ms > ?"

static void
store_res_read(struct store *s, struct store_stmt *st, struct store_reservation *r)
{
	const char *t;
	int64_t v;

	memset(r, 0, sizeof(*r));
	r->id = store_col_int(s, st, 0);
	util_strlcpy(r->board, (t = store_col_text(s, st, 1)) ? t : "", sizeof(r->board));
	r->uid = (long)store_col_int(s, st, 2);
	r->start_ms = store_col_int(s, st, 3);
	r->end_ms = store_col_int(s, st, 4);
	util_strlcpy(r->note, (t = store_col_text(s, st, 5)) ? t : "", sizeof(r->note));
	r->created_ms = store_col_int(s, st, 6);
	r->released_ms = (v = store_col_int(s, st, 7)) == STORE_NULL ? 0 : v;
	r->released_by = (v = store_col_int(s, st, 8)) == STORE_NULL ? -1 : (long)v;
	r->warned_ms = (v = store_col_int(s, st, 9)) == STORE_NULL ? 0 : v;
	r->reset_ms = (v = store_col_int(s, st, 10)) == STORE_NULL ? 0 : v;
	r->reset_outcome = lease_reset_parse(store_col_text(s, st, 11));
	util_strlcpy(r->reset_detail, (t = store_col_text(s, st, 12)) ? t : "",
	    sizeof(r->reset_detail));
}

/* The first row of st into *r (may be NULL): 1, 0 none, -1 error. Finishes st. */
static int
store_res_one(struct store *s, struct store_stmt *st, struct store_reservation *r)
{
	struct store_reservation tmp;
	int rc;

	if (st == NULL)
		return -1;
	if ((rc = store_step(s, st)) == 1)
		store_res_read(s, st, r ? r : &tmp);
	store_done(s, st);
	return rc;
}

/*
 * The one write path: the store's lock (this process's threads) and a write transaction (other
 * processes on the file: SQLite's BEGIN IMMEDIATE takes the write lock before the check), so
 * the check for an overlap and the write that follows it are one step for everyone. On
 * PostgreSQL (plain BEGIN, many writers) the exclusion constraint refuses a write that another
 * host's committed window overlaps after the check: store_res_lost_race, and the check again.
 */
static int
store_res_begin(struct store *s)
{
	char err[256];

	pthread_mutex_lock(&s->lock);
	if (s->eng->exec(s->db, s->eng->begin_write, err, sizeof(err)) == -1) {
		pthread_mutex_unlock(&s->lock);
		return -1;
	}
	return 0;
}

/*
 * In the transaction, before the check: the rig's writers of board's windows one at a time,
 * on every host (PostgreSQL: a transaction's advisory lock; overlapping inserts that race
 * each other deadlock in the exclusion constraint's check, and many at once break one cycle
 * a second). SQLite's begin_write already excludes every other writer.
 */
static int
store_res_lock(struct store *s, const char *board)
{
	return s->eng->lock_key ? store_exec(s, s->eng->lock_key, "t", board) : 0;
}

/*
 * The write just refused lost a race to another connection (PostgreSQL's exclusion constraint,
 * checked at the INSERT or UPDATE, not deferred to the commit: a window committed after this
 * transaction's check): the caller checks again, and now finds and names it. SQLite's writers
 * are one at a time, so they never lose one.
 */
static int
store_res_lost_race(struct store *s)
{
	return s->eng->conflicted && s->eng->conflicted(s->db);
}

/* Checks again after a lost race: each try is one more window committed by someone else. */
#define STORE_RES_TRIES	8

/* Commits when ok, else rolls back; releases the lock. -1 when the commit failed. */
static int
store_res_end(struct store *s, int ok)
{
	char err[256];
	int rc = 0;

	if (ok && s->eng->exec(s->db, "COMMIT", err, sizeof(err)) == -1)
		ok = 0, rc = -1;
	if (!ok)
		s->eng->exec(s->db, "ROLLBACK", NULL, 0);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* One try of store_reservation_add: as it, or -2 when the insert lost a race. */
static int64_t
store_res_add_once(struct store *s, const char *board, long uid, int64_t start_ms,
    int64_t end_ms, const char *note, struct store_reservation *conflict)
{
	int64_t id = -1;
	int rc;

	if (store_res_begin(s) == -1)
		return -1;
	rc = store_res_lock(s, board) == -1 ? -1 : store_res_one(s, store_stmt(s, "SELECT "
	    STORE_RES_COLS STORE_RES_OVERLAP " ORDER BY start_ms LIMIT 1", "tii", board, end_ms,
	    start_ms), conflict);
	if (rc == 1)
		id = 0;
	else if (rc == 0)
		id = store_exec_int(s, "INSERT INTO reservations(board, uid, start_ms, end_ms, note,"
		    " created_ms) VALUES(?,?,?,?,?,?) RETURNING id", "tiiiti", board, (int64_t)uid,
		    start_ms, end_ms, store_nonempty(note), util_wall_ms());
	if (id == -1 && store_res_lost_race(s))
		id = -2;
	if (id > 0 && store_res_end(s, 1) == -1)
		return -1;
	if (id <= 0)
		store_res_end(s, 0);
	return id >= 0 || id == -2 ? id : -1;
}

int64_t
store_reservation_add(struct store *s, const char *board, long uid, int64_t start_ms,
    int64_t end_ms, const char *note, struct store_reservation *conflict)
{
	int64_t id = -2;
	int i;

	if (start_ms >= end_ms)
		return -1;
	for (i = 0; i < STORE_RES_TRIES && id == -2; i++)
		id = store_res_add_once(s, board, uid, start_ms, end_ms, note, conflict);
	return id == -2 ? -1 : id;
}

/* One try of store_reservation_extend: as it, or -2 when the update lost a race. */
static int
store_res_extend_once(struct store *s, int64_t id, int64_t end_ms,
    struct store_reservation *conflict)
{
	struct store_reservation r;
	int rc;

	if (store_res_begin(s) == -1)
		return -1;
	rc = store_res_one(s, store_stmt(s, "SELECT " STORE_RES_COLS " WHERE id=?", "i", id), &r);
	if (rc == 1 && end_ms <= r.start_ms)
		rc = -1;
	if (rc == 1 && store_res_lock(s, r.board) == -1)
		rc = -1;
	if (rc == 1) {
		rc = store_res_one(s, store_stmt(s, "SELECT " STORE_RES_COLS STORE_RES_OVERLAP
		    " AND id<>? ORDER BY start_ms LIMIT 1", "tiii", r.board, end_ms, r.start_ms, id),
		    conflict);
		if (rc == 1)
			rc = 0;
		else if (rc == 0)
			rc = store_exec(s, "UPDATE reservations SET end_ms=? WHERE id=?", "ii", end_ms,
			    id) == -1 ? store_res_lost_race(s) ? -2 : -1 : 1;
	} else if (rc == 0)
		rc = -1;	/* the caller found it first */
	if (rc == 1 && store_res_end(s, 1) == -1)
		return -1;
	if (rc != 1)
		store_res_end(s, 0);
	return rc;
}

int
store_reservation_extend(struct store *s, int64_t id, int64_t end_ms,
    struct store_reservation *conflict)
{
	int rc = -2, i;

	for (i = 0; i < STORE_RES_TRIES && rc == -2; i++)
		rc = store_res_extend_once(s, id, end_ms, conflict);
	return rc == -2 ? -1 : rc;
}

int
store_reservation_release(struct store *s, int64_t id, long by_uid, int64_t now_ms)
{
	/* Cut short at now, never before its start: released early, it held nothing. */
	return (int)store_exec_int(s, "UPDATE reservations SET"
	    " end_ms=CASE WHEN ? < start_ms THEN start_ms WHEN ? < end_ms THEN ? ELSE end_ms END,"
	    " released_ms=?, released_by=? WHERE id=? RETURNING 1", "iiiiii", now_ms, now_ms,
	    now_ms, now_ms, (int64_t)by_uid, id);
}

int
store_reservation_get(struct store *s, int64_t id, struct store_reservation *r)
{
	return store_res_one(s, store_stmt(s, "SELECT " STORE_RES_COLS " WHERE id=?", "i", id), r);
}

int
store_reservation_at(struct store *s, const char *board, int64_t at_ms,
    struct store_reservation *r)
{
	return store_res_one(s, store_stmt(s, "SELECT " STORE_RES_COLS " WHERE board=? AND"
	    " start_ms <= ? AND end_ms > ? ORDER BY start_ms LIMIT 1", "tii", board, at_ms, at_ms),
	    r);
}

struct store_res_free {
	int64_t	at, len;
	int	found;
};

/* Windows in order of start: the slot moves past each one it would overlap. */
static int
store_res_free_one(struct store *s, struct store_stmt *st, void *ctx)
{
	struct store_res_free *f = ctx;
	int64_t start = store_col_int(s, st, 0), end = store_col_int(s, st, 1);

	if (start >= f->at + f->len)
		return 1;	/* the slot fits before this one and every later one */
	if (end > f->at)
		f->at = end;
	return 0;
}

int64_t
store_reservation_free_from(struct store *s, const char *board, int64_t from_ms, int64_t len_ms)
{
	struct store_res_free f = { from_ms, len_ms, 0 };

	if (store_rows(s, store_stmt(s, "SELECT start_ms, end_ms FROM reservations WHERE board=?"
	    " AND end_ms > start_ms AND end_ms > ? ORDER BY start_ms", "ti", board, from_ms),
	    store_res_free_one, &f) == -1)
		return -1;
	return f.at;
}

static int
store_res_row(struct store *s, struct store_stmt *st, void *ctx)
{
	const struct store_visit *v = ctx;
	struct store_reservation r;

	store_res_read(s, st, &r);
	return ((store_reservation_cb)v->cb)(&r, v->arg);
}

int
store_reservations(struct store *s, const char *board, store_reservation_cb cb, void *arg)
{
	struct store_visit v = STORE_VISIT(cb, arg);

	if (board)
		return store_rows(s, store_stmt(s, "SELECT " STORE_RES_COLS " WHERE board=?"
		    " ORDER BY start_ms, id", "t", board), store_res_row, &v);
	return store_rows(s, store_stmt(s, "SELECT " STORE_RES_COLS " ORDER BY start_ms, id", ""),
	    store_res_row, &v);
}

int
store_reservations_ending(struct store *s, int64_t now_ms, int64_t lead_ms,
    store_reservation_cb cb, void *arg)
{
	struct store_visit v = STORE_VISIT(cb, arg);

	/* CASE, not min(): the same SQL on PostgreSQL (LEAST there). */
	return store_rows(s, store_stmt(s, "SELECT " STORE_RES_COLS " WHERE warned_ms IS NULL AND"
	    " start_ms <= ? AND end_ms > ? AND end_ms - CASE WHEN (end_ms - start_ms) / 2 < ?"
	    " THEN (end_ms - start_ms) / 2 ELSE ? END <= ? ORDER BY end_ms, id", "iiiii", now_ms,
	    now_ms, lead_ms, lead_ms, now_ms), store_res_row, &v);
}

int
store_reservation_warned(struct store *s, int64_t id, int64_t now_ms)
{
	return (int)store_exec_int(s, "UPDATE reservations SET warned_ms=? WHERE id=? RETURNING 1",
	    "ii", now_ms, id);
}

/* Ended leases (not those cancelled before they began) whose board was not reset since. */
#define STORE_RES_UNRESET " WHERE board=? AND reset_ms IS NULL AND end_ms > start_ms AND end_ms <= ?"

int
store_reservation_reset_due(struct store *s, const char *board, int64_t now_ms,
    struct store_reservation *r)
{
	return store_res_one(s, store_stmt(s, "SELECT " STORE_RES_COLS STORE_RES_UNRESET
	    " ORDER BY end_ms DESC LIMIT 1", "ti", board, now_ms), r);
}

int
store_reservation_reset_done(struct store *s, const char *board, int64_t upto_ms, int64_t now_ms,
    enum lease_reset outcome, const char *detail)
{
	return store_exec(s, "UPDATE reservations SET reset_ms=?, reset_outcome=?, reset_detail=?"
	    STORE_RES_UNRESET, "ittti", now_ms, store_nonempty(lease_reset_name(outcome)),
	    store_nonempty(detail), board, upto_ms);
}

int64_t
store_reservation_next_start(struct store *s, const char *board, int64_t now_ms)
{
	struct store_stmt *st = store_stmt(s, "SELECT start_ms FROM reservations WHERE board=? AND"
	    " end_ms > start_ms AND start_ms > ? ORDER BY start_ms LIMIT 1", "ti", board, now_ms);
	int64_t at = 0;
	int rc;

	if (st == NULL)
		return -1;
	if ((rc = store_step(s, st)) == 1)
		at = store_col_int(s, st, 0);
	store_done(s, st);
	return rc == -1 ? -1 : at;
}
