/* store_runs: runs and their steps, and what happens to boards (state, events, boots, actions). */
#include "store_int.h"
#include "log.h"
#include "queue.h"
#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Milliseconds of an ISO time as store_now writes it; -1 when it is not one. */
static int64_t
store_runs_iso_ms(const char *iso)
{
	struct tm tm = { 0 };
	int ms = 0;

	if (iso == NULL || sscanf(iso, "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) < 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm) * 1000 + ms;
}

int
store_board_set(struct store *s, const char *board, const char *arch, const char *state,
    const char *reason)
{
	char now[32];

	return store_exec(s, "INSERT INTO boards(name, arch, state, reason, updated)"
	    " VALUES(?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET"
	    " arch=coalesce(excluded.arch, boards.arch), state=excluded.state,"
	    " reason=excluded.reason, updated=excluded.updated", "ttttt",
	    board, arch, state, reason, store_now(now, sizeof(now)));
}

int
store_board_event(struct store *s, const char *board, const char *from, const char *to,
    const char *reason)
{
	char now[32];

	return store_exec(s, "INSERT INTO board_events(board, at, from_state, to_state, reason)"
	    " VALUES(?,?,?,?,?)", "ttttt", board, store_now(now, sizeof(now)), from, to, reason);
}

int
store_action(struct store *s, long uid, const char *what)
{
	char now[32];

	return store_exec(s, "INSERT INTO actions(at, uid, what) VALUES(?,?,?)", "tit",
	    store_now(now, sizeof(now)), (int64_t)uid, what);
}

int
store_boot(struct store *s, const char *board, int64_t build_id, const char *why,
    const char *outcome, int64_t console_ready_ms, int64_t ready_ms, const char *console_log,
    const char *error)
{
	char now[32];

	return store_exec(s, "INSERT INTO boots(board, build_id, at, why, outcome,"
	    " console_ready_ms, ready_ms, console_log, error)"
	    " VALUES(?,nullif(?,-1),?,?,?,nullif(?,-1),nullif(?,-1),?,?)", "titttiitt",
	    board, build_id, store_now(now, sizeof(now)), why, outcome, console_ready_ms, ready_ms,
	    console_log, error);
}

static int
store_boards_one(struct store *s, struct store_stmt *st, void *ctx)
{
	const struct store_visit *v = ctx;
	struct store_board_row b;

	b.name = store_col_text(s, st, 0);
	b.arch = store_col_text(s, st, 1);
	b.state = store_col_text(s, st, 2);
	b.reason = store_col_text(s, st, 3);
	b.updated = store_col_text(s, st, 4);
	return ((store_board_cb)v->cb)(&b, v->arg);
}

int
store_boards(struct store *s, store_board_cb cb, void *arg)
{
	struct store_visit v = STORE_VISIT(cb, arg);
	struct store_stmt *st = store_stmt(s, "SELECT name, arch, state, reason, updated FROM"
	    " boards ORDER BY name", "");

	return store_rows(s, st, store_boards_one, &v);
}

static int
store_board_events_one(struct store *s, struct store_stmt *st, void *ctx)
{
	const struct store_visit *v = ctx;
	struct store_board_event_row e;

	e.id = store_col_int(s, st, 0);
	e.board = store_col_text(s, st, 1);
	e.at = store_col_text(s, st, 2);
	e.from_state = store_col_text(s, st, 3);
	e.to_state = store_col_text(s, st, 4);
	e.reason = store_col_text(s, st, 5);
	return ((store_board_event_cb)v->cb)(&e, v->arg);
}

int
store_board_events(struct store *s, int limit, store_board_event_cb cb, void *arg)
{
	struct store_visit v = STORE_VISIT(cb, arg);
	struct store_stmt *st = store_stmt(s, "SELECT id, board, at, from_state, to_state, reason"
	    " FROM board_events ORDER BY id DESC LIMIT ?", "i", (int64_t)limit);

	return store_rows(s, st, store_board_events_one, &v);
}

static int
store_boots_one(struct store *s, struct store_stmt *st, void *ctx)
{
	const struct store_visit *v = ctx;
	struct store_boot_row b;

	b.id = store_col_int(s, st, 0);
	b.board = store_col_text(s, st, 1);
	b.build_id = store_col_int(s, st, 2);
	b.at = store_col_text(s, st, 3);
	b.why = store_col_text(s, st, 4);
	b.outcome = store_col_text(s, st, 5);
	b.console_ready_ms = store_col_int(s, st, 6);
	b.ready_ms = store_col_int(s, st, 7);
	b.error = store_col_text(s, st, 8);
	b.console_log = store_col_text(s, st, 9);
	return ((store_boot_cb)v->cb)(&b, v->arg);
}

int
store_boots(struct store *s, int limit, store_boot_cb cb, void *arg)
{
	struct store_visit v = STORE_VISIT(cb, arg);
	struct store_stmt *st = store_stmt(s, "SELECT id, board, build_id, at, why, outcome,"
	    " console_ready_ms, ready_ms, error, console_log"
	    " FROM boots ORDER BY id DESC LIMIT ?", "i", (int64_t)limit);

	return store_rows(s, st, store_boots_one, &v);
}

int64_t
store_run_begin(struct store *s, const char *board, const char *scenario, int64_t build_id,
    long uid, const char *console_log, int64_t console_start)
{
	char now[32];
	int64_t id;

	id = store_exec_int(s, "INSERT INTO runs(board, scenario, build_id, uid, state, started,"
	    " console_log, console_start) VALUES(?,?,?,?,?,?,?,?) RETURNING id", "ttnittti",
	    board, scenario, build_id, (int64_t)uid, run_state_name(RUN_RUNNING),
	    store_now(now, sizeof(now)), console_log, console_start);
	return id > 0 ? id : -1;
}

int
store_run_step(struct store *s, int64_t run, const struct store_step *st)
{
	return store_exec(s, "INSERT INTO run_steps(run_id, idx, action, arg, status, started_ms,"
	    " duration_ms, output) VALUES(?,?,?,?,?,?,?,?) ON CONFLICT(run_id, idx) DO UPDATE SET"
	    " action=excluded.action, arg=excluded.arg, status=excluded.status,"
	    " started_ms=excluded.started_ms, duration_ms=excluded.duration_ms,"
	    " output=excluded.output", "iitttiit", run, (int64_t)st->idx, st->action, st->arg,
	    step_status_name(st->status), st->started_ms, st->duration_ms, st->output);
}

/*
 * A run's end; job and claim above 0 fence it (store_run_end_claimed), in the same statement:
 * the job is still running under that claim, and names this run (or none: its link may have
 * failed to be stored; a sweep that requeues the job also ends its claim's running state).
 * Rows changed (0 or 1), or -1.
 */
static int64_t
store_run_end_fenced(struct store *s, int64_t run, int64_t job, int64_t claim,
    const struct store_run_end *e)
{
	struct store_stmt *st;
	char now[32], started[32] = "";
	int64_t t0, t1 = util_wall_ms(), duration = STORE_NULL, fence = job > 0 && claim > 0;
	const char *v;
	int rc;

	/* The duration is computed here, not by the engine's date functions. */
	if ((st = store_stmt(s, "SELECT started FROM runs WHERE id=?", "i", run)) == NULL)
		return -1;
	if ((rc = store_step(s, st)) == 1 && (v = store_col_text(s, st, 0)) != NULL)
		util_strlcpy(started, v, sizeof(started));
	store_done(s, st);
	if (rc == -1)
		return -1;
	if ((t0 = store_runs_iso_ms(started)) >= 0)
		duration = t1 - t0;
	return store_exec_int(s, "UPDATE runs SET state=?, verdict=?, title=?, detail=?, stack=?,"
	    " ended=?, console_end=?, duration_ms=? WHERE id=? AND (?=0 OR EXISTS(SELECT 1 FROM"
	    " queue WHERE queue.id=? AND queue.claim=? AND (queue.run_id=? OR queue.run_id IS NULL) AND"
	    " queue.state=?))"
	    " RETURNING 1", "ttttttiNiiiiit", run_state_name(RUN_DONE),
	    e->verdict == VERDICT_NONE ? NULL : verdict_name(e->verdict), store_nonempty(e->title),
	    e->detail, e->stack, util_iso_time(t1, now, sizeof(now)), e->console_end, duration,
	    run, fence, job, claim, run, queue_state_name(QUEUE_RUNNING));
}

int
store_run_end(struct store *s, int64_t run, const struct store_run_end *e)
{
	return store_run_end_fenced(s, run, 0, 0, e) == -1 ? -1 : 0;
}

int
store_run_end_claimed(struct store *s, int64_t run, int64_t job, int64_t claim,
    const struct store_run_end *e)
{
	int64_t n = store_run_end_fenced(s, run, job, claim, e);

	if (n == -1)
		return -1;
	if (n == 1 || job <= 0 || claim <= 0)
		return 0;
	/*
	 * Dropped, not kept as a note: the run's row is the sweeping host's record of why the job
	 * was queued again, and the job's new claim runs the scenario again for its result.
	 */
	log_warnx("run %lld: its end (%s%s%s) comes after job %lld's lease ran out (claim %lld"
	    " is stale: the run was closed as interrupted and the job queued again): dropped",
	    (long long)run, e->verdict == VERDICT_NONE ? "no verdict" : verdict_name(e->verdict),
	    e->title[0] ? ": " : "", e->title, (long long)job, (long long)claim);
	return QUEUE_STALE;
}

int
store_run_recovery(struct store *s, int64_t run, int64_t recovery_ms, const char *outcome)
{
	return store_exec(s, "UPDATE runs SET recovery_ms=?, recovery=? WHERE id=?", "iti",
	    recovery_ms, outcome, run);
}

int
store_runs_interrupt(struct store *s)
{
	char now[32];

	/* A host of a lab closes the runs of its boards (and of no host's), not the others'. */
	if (s->host[0])
		return store_rows(s, store_stmt(s, "UPDATE runs SET state=?, verdict=?, title=?,"
		    " detail='rigd stopped during the run', ended=? WHERE state=? AND board NOT IN"
		    " (SELECT name FROM boards WHERE host IS NOT NULL AND host <> ?) RETURNING id",
		    "tttttt", run_state_name(RUN_DONE), verdict_name(VERDICT_ERROR),
		    error_kind_name(ERROR_INTERRUPTED), store_now(now, sizeof(now)),
		    run_state_name(RUN_RUNNING), s->host), NULL, NULL);
	return store_rows(s, store_stmt(s, "UPDATE runs SET state=?, verdict=?, title=?,"
	    " detail='rigd stopped during the run', ended=? WHERE state=? RETURNING id", "ttttt",
	    run_state_name(RUN_DONE), verdict_name(VERDICT_ERROR), error_kind_name(ERROR_INTERRUPTED),
	    store_now(now, sizeof(now)), run_state_name(RUN_RUNNING)), NULL, NULL);
}

int
store_run_repeat(struct store *s, int64_t run, int64_t of, const char *why)
{
	return store_exec(s, "UPDATE runs SET repeat_of=?, repeat_why=? WHERE id=?", "iti", of, why,
	    run);
}

#define STORE_RUN_COLS "r.id, r.board, r.scenario, r.build_id, r.uid, r.state, r.verdict," \
	" r.title, r.detail, r.stack, r.started, r.ended, r.duration_ms, r.console_log," \
	" r.console_start, r.console_end, r.recovery_ms, r.recovery, r.repeat_of, r.repeat_why," \
	" b.name, b.release, b.version, b.image_sha256, r.survey_id FROM runs r LEFT JOIN" \
	" builds b ON b.id = r.build_id"

static int
store_run_rows_one(struct store *s, struct store_stmt *st, void *ctx)
{
	const struct store_visit *v = ctx;
	struct store_run_row r;

	r.id = store_col_int(s, st, 0);
	r.board = store_col_text(s, st, 1);
	r.scenario = store_col_text(s, st, 2);
	r.build_id = store_col_int(s, st, 3);
	r.uid = store_col_int(s, st, 4);
	r.state = run_state_parse(store_col_text(s, st, 5));
	r.verdict = verdict_parse(store_col_text(s, st, 6));
	r.title = store_col_text(s, st, 7);
	r.detail = store_col_text(s, st, 8);
	r.stack = store_col_text(s, st, 9);
	r.started = store_col_text(s, st, 10);
	r.ended = store_col_text(s, st, 11);
	r.duration_ms = store_col_int(s, st, 12);
	r.console_log = store_col_text(s, st, 13);
	r.console_start = store_col_int(s, st, 14);
	r.console_end = store_col_int(s, st, 15);
	r.recovery_ms = store_col_int(s, st, 16);
	r.recovery = store_col_text(s, st, 17);
	r.repeat_of = store_col_int(s, st, 18);
	r.repeat_why = store_col_text(s, st, 19);
	r.build_name = store_col_text(s, st, 20);
	r.build_release = store_col_text(s, st, 21);
	r.build_version = store_col_text(s, st, 22);
	r.build_image_sha256 = store_col_text(s, st, 23);
	r.survey_id = store_col_int(s, st, 24);
	return ((store_run_cb)v->cb)(&r, v->arg);
}

static int
store_run_rows(struct store *s, struct store_stmt *st, store_run_cb cb, void *arg)
{
	struct store_visit v = STORE_VISIT(cb, arg);

	return store_rows(s, st, store_run_rows_one, &v);
}

/* One parameter of a listing whose conditions are only those asked for. */
struct store_runs_param {
	const char	*text;	/* NULL: an integer */
	int64_t		 num;
};

static void
store_runs_cond(char *sql, size_t len, size_t *o, const char *cond)
{
	*o += (size_t)snprintf(sql + *o, *o < len ? len - *o : 0, "%s%s",
	    strstr(sql, " WHERE ") ? " AND " : " WHERE ", cond);
}

int
store_runs_list(struct store *s, const struct store_runs_filter *f, store_run_cb cb, void *arg)
{
	static const struct store_runs_filter all = { 0 };
	struct store_runs_param *p;
	struct store_stmt *st;
	char *sql;
	size_t len, o;
	int i, n = 0, rc;

	if (f == NULL)
		f = &all;
	if (f->nbuilds < 0 || (f->nbuilds > 0 && f->builds == NULL) || f->nids < 0 ||
	    (f->nids > 0 && f->ids == NULL))
		return -1;
	/*
	 * Only the conditions asked for are in the text, each a plain comparison: SQLite plans a
	 * statement before its parameters are bound, and "? IS NULL OR board=?" would be a scan
	 * of every run where board=? is a search of the runs_board index (migration 10).
	 */
	len = sizeof(STORE_RUN_COLS) + 512 + 3 * ((size_t)f->nbuilds + (size_t)f->nids);
	sql = xmalloc(len);
	p = xcalloc((size_t)f->nbuilds + (size_t)f->nids + 8, sizeof(*p));
	o = (size_t)snprintf(sql, len, "SELECT " STORE_RUN_COLS);
	if (f->board) {
		store_runs_cond(sql, len, &o, "r.board=?");
		p[n++].text = f->board;
	}
	if (f->scenario) {
		store_runs_cond(sql, len, &o, "r.scenario=?");
		p[n++].text = f->scenario;
	}
	if (f->running || f->reported) {
		store_runs_cond(sql, len, &o, "r.state=?");
		p[n++].text = run_state_name(f->running ? RUN_RUNNING : RUN_DONE);
	}
	if (f->reported)
		store_runs_cond(sql, len, &o, "r.build_id IS NOT NULL AND r.verdict IS NOT NULL");
	if (f->before > 0) {
		store_runs_cond(sql, len, &o, "r.id<?");
		p[n++].num = f->before;
	}
	if (f->survey > 0) {
		store_runs_cond(sql, len, &o, "r.survey_id=?");
		p[n++].num = f->survey;
	}
	if (f->nbuilds > 0) {
		store_runs_cond(sql, len, &o, "r.build_id IN (?");
		for (i = 0; i < f->nbuilds; i++) {
			o += (size_t)snprintf(sql + o, len - o, i ? ",?" : "");
			p[n++].num = f->builds[i];
		}
		o += (size_t)snprintf(sql + o, len - o, ")");
	}
	if (f->nids > 0) {
		store_runs_cond(sql, len, &o, "r.id IN (?");
		for (i = 0; i < f->nids; i++) {
			o += (size_t)snprintf(sql + o, len - o, i ? ",?" : "");
			p[n++].num = f->ids[i];
		}
		o += (size_t)snprintf(sql + o, len - o, ")");
	}
	o += (size_t)snprintf(sql + o, len - o, " ORDER BY r.id %s",
	    f->newest_first ? "DESC" : "ASC");
	if (f->limit > 0) {
		snprintf(sql + o, len - o, " LIMIT ?");
		p[n++].num = f->limit;
	}
	if ((st = store_stmt(s, sql, "")) != NULL)
		for (i = 0; i < n; i++) {
			if (p[i].text)
				s->eng->bind_text(st, i + 1, p[i].text);
			else
				s->eng->bind_int(st, i + 1, p[i].num);
		}
	rc = store_run_rows(s, st, cb, arg);
	free(p);
	free(sql);
	return rc;
}

int
store_run_get(struct store *s, int64_t id, store_run_cb cb, void *arg)
{
	return store_run_rows(s, store_stmt(s, "SELECT " STORE_RUN_COLS " WHERE r.id=?", "i", id),
	    cb, arg);
}

int
store_run_progress(struct store *s, int64_t id, enum run_state *state, int *steps)
{
	struct store_stmt *st = store_stmt(s, "SELECT state, (SELECT count(*) FROM run_steps WHERE"
	    " run_id = runs.id) FROM runs WHERE id=?", "i", id);
	int rc;

	if (st == NULL)
		return -1;
	if ((rc = store_step(s, st)) == 1) {
		*state = run_state_parse(store_col_text(s, st, 0));
		*steps = (int)store_col_int(s, st, 1);
	}
	store_done(s, st);
	return rc;
}

static int
store_run_steps_one(struct store *s, struct store_stmt *st, void *ctx)
{
	const struct store_visit *v = ctx;
	struct store_step_row r;

	r.idx = (int)store_col_int(s, st, 0);
	r.action = store_col_text(s, st, 1);
	r.arg = store_col_text(s, st, 2);
	r.status = step_status_parse(store_col_text(s, st, 3));
	r.started_ms = store_col_int(s, st, 4);
	r.duration_ms = store_col_int(s, st, 5);
	r.output = store_col_text(s, st, 6);
	return ((store_step_cb)v->cb)(&r, v->arg);
}

int
store_run_steps(struct store *s, int64_t run, store_step_cb cb, void *arg)
{
	struct store_visit v = STORE_VISIT(cb, arg);
	struct store_stmt *st = store_stmt(s, "SELECT idx, action, arg, status, started_ms,"
	    " duration_ms, output FROM run_steps WHERE run_id=? ORDER BY idx", "i", run);

	return store_rows(s, st, store_run_steps_one, &v);
}

int
store_run_durations(struct store *s, const char *board, const char *scenario, int limit,
    int64_t *ms)
{
	struct store_stmt *st;
	int n = 0, rc = 0;

	/* Runs that ended with a kernel verdict: a lab error says nothing of the scenario's time. */
	st = store_stmt(s, "SELECT duration_ms FROM runs WHERE board=? AND scenario=? AND state=?"
	    " AND verdict<>? AND duration_ms IS NOT NULL ORDER BY id DESC LIMIT ?", "tttti",
	    board, scenario, run_state_name(RUN_DONE), verdict_name(VERDICT_ERROR),
	    (int64_t)limit);
	if (st == NULL)
		return -1;
	while (n < limit && (rc = store_step(s, st)) == 1)
		ms[n++] = store_col_int(s, st, 0);
	store_done(s, st);
	return rc == -1 ? -1 : n;
}
