/* store_queue: the nightly queue's rows (nightlies, queue); queue.c says what they mean. */
#include "store_int.h"
#include "queue.h"
#include "log.h"
#include "util.h"

#include <string.h>

/* The states as the queue's text column spells them (vocab.c's table). */
#define QUEUED	queue_state_name(QUEUE_QUEUED)
#define RUNNING	queue_state_name(QUEUE_RUNNING)
#define DONE	queue_state_name(QUEUE_DONE)

int64_t
store_queue_nightly_new(struct store *s, long uid, int bisect)
{
	char now[32];
	int64_t id;

	id = store_exec_int(s, "INSERT INTO nightlies(at, uid, bisect) VALUES(?,?,?) RETURNING id",
	    "tii", store_now(now, sizeof(now)), (int64_t)uid, (int64_t)(bisect ? 1 : 0));
	return id > 0 ? id : -1;
}

int64_t
store_queue_add(struct store *s, int64_t nightly, int64_t build_id, const char *board,
    const char *scenario, int64_t repeat_of, const char *why, int front)
{
	char now[32];
	int64_t id;

	id = store_exec_int(s, "INSERT INTO queue(nightly, build_id, board, scenario, prio,"
	    " repeat_of, why, queued) VALUES(?,?,?,?,?,?,?,?) RETURNING id", "nittintt", nightly,
	    build_id, board, scenario, (int64_t)(front ? 1 : 0), repeat_of, store_nonempty(why),
	    store_now(now, sizeof(now)));
	return id > 0 ? id : -1;
}

/* The order jobs of a board are taken in: its build's first (booted once for all of them). */
#define STORE_QUEUE_ORDER " ORDER BY prio DESC, CASE WHEN build_id=? THEN 1 ELSE 0 END DESC," \
	" build_id, id"
/* Claimed: why it waited (board_nightly_claim's note) is over; a lab retry's note stays. */
#define STORE_QUEUE_CLAIMED_NOTE ", note=CASE WHEN note LIKE 'job % waits: %' THEN NULL" \
	" ELSE note END"
#define STORE_QUEUE_CLAIMED " RETURNING id, nightly, build_id, board, scenario, attempts," \
	" repeat_of, why, claim"

static int store_queue_claimed(struct store *s, struct store_stmt *st, struct queue_job *job);

/* The lease a claim takes: until now plus the host's lease, none without one. */
static int64_t
store_queue_lease(const struct store *s)
{
	return s->lease_ms > 0 ? util_wall_ms() + s->lease_ms : STORE_NULL;
}

int
store_queue_claim(struct store *s, const char *board, int64_t prefer_build, struct queue_job *job)
{
	char now[32], sql[1024];

	/*
	 * One statement: a job is claimed whole or not at all, whatever else runs meanwhile. The
	 * outer state test holds where the engine re-reads a row another claim just took.
	 */
	util_fmt(sql, sizeof(sql), "%s%s%s", "UPDATE queue SET state=?, attempts=attempts+1,"
	    " claim=claim+1, started=?, host=?, lease_ms=?" STORE_QUEUE_CLAIMED_NOTE " WHERE id=(SELECT id FROM"
	    " queue WHERE board=? AND state=?" STORE_QUEUE_ORDER " LIMIT 1", s->eng->skip_locked,
	    ") AND state=?" STORE_QUEUE_CLAIMED);
	return store_queue_claimed(s, store_stmt(s, sql, "tttNttit", RUNNING,
	    store_now(now, sizeof(now)), store_nonempty(s->host), store_queue_lease(s), board,
	    QUEUED, prefer_build, QUEUED), job);
}

int
store_queue_claim_id(struct store *s, int64_t id, struct queue_job *job)
{
	char now[32];

	return store_queue_claimed(s, store_stmt(s, "UPDATE queue SET state=?,"
	    " attempts=attempts+1, claim=claim+1, started=?, host=?, lease_ms=?" STORE_QUEUE_CLAIMED_NOTE
	    " WHERE id=? AND state=?" STORE_QUEUE_CLAIMED, "tttNit", RUNNING,
	    store_now(now, sizeof(now)), store_nonempty(s->host), store_queue_lease(s), id,
	    QUEUED), job);
}

/*
 * The fence of a claimed job's writes (its last two parameters: the claim, twice): the row
 * changes only while the claim is the job's latest; 0 is no claim known, not checked.
 */
#define STORE_QUEUE_FENCE " AND (? <= 0 OR claim=?)"

/* A fenced write's outcome (store_exec_int's of RETURNING 1): 0, QUEUE_STALE said, or -1. */
static int
store_queue_fenced(int64_t rc, int64_t job, int64_t claim, const char *what)
{
	if (rc == -1)
		return -1;
	if (rc == 1)
		return 0;
	log_warnx("job %lld: claim %lld is stale (the job was claimed again after its lease ran"
	    " out): its %s changes nothing", (long long)job, (long long)claim, what);
	return QUEUE_STALE;
}

int
store_queue_unclaim(struct store *s, int64_t id, int64_t claim, const char *note)
{
	/* Not begun (no run): as if never claimed, the attempt given back. */
	return (int)store_exec_int(s, "UPDATE queue SET state=?, started=NULL, note=?,"
	    " attempts=CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END"
	    " WHERE id=? AND state=? AND run_id IS NULL" STORE_QUEUE_FENCE " RETURNING 1",
	    "ttitii", QUEUED, note, id, RUNNING, claim, claim);
}

int
store_queue_note(struct store *s, int64_t id, const char *note)
{
	return store_exec(s, "UPDATE queue SET note=? WHERE id=? AND state=?", "tit", note, id,
	    QUEUED);
}

/* The job st's UPDATE ... RETURNING claimed: 1 with *job, 0 none, -1 error. Finishes st. */
static int
store_queue_claimed(struct store *s, struct store_stmt *st, struct queue_job *job)
{
	const char *t;
	int rc;

	if (st == NULL)
		return -1;
	if ((rc = store_step(s, st)) == 1) {
		int64_t v;

		memset(job, 0, sizeof(*job));
		job->id = store_col_int(s, st, 0);
		job->nightly = (v = store_col_int(s, st, 1)) == STORE_NULL ? 0 : v;
		job->build_id = store_col_int(s, st, 2);
		util_strlcpy(job->board, (t = store_col_text(s, st, 3)) ? t : "", sizeof(job->board));
		util_strlcpy(job->scenario, (t = store_col_text(s, st, 4)) ? t : "",
		    sizeof(job->scenario));
		job->attempts = (int)store_col_int(s, st, 5);
		job->repeat_of = (v = store_col_int(s, st, 6)) == STORE_NULL ? 0 : v;
		util_strlcpy(job->why, (t = store_col_text(s, st, 7)) ? t : "", sizeof(job->why));
		job->claim = store_col_int(s, st, 8);
		while ((rc = store_step(s, st)) == 1)
			;
		rc = rc == -1 ? -1 : 1;
	}
	store_done(s, st);
	return rc;
}

int
store_queue_set_run(struct store *s, int64_t job, int64_t claim, int64_t run)
{
	return store_queue_fenced(store_exec_int(s, "UPDATE queue SET run_id=? WHERE id=?"
	    STORE_QUEUE_FENCE " RETURNING 1", "iiii", run, job, claim, claim), job, claim,
	    "run");
}

int
store_queue_finish(struct store *s, int64_t job, int64_t claim, enum queue_state state,
    const char *note)
{
	char now[32];

	return store_queue_fenced(store_exec_int(s, "UPDATE queue SET state=?, note=?, ended=?"
	    " WHERE id=?" STORE_QUEUE_FENCE " RETURNING 1", "tttiii", queue_state_name(state), note,
	    store_now(now, sizeof(now)), job, claim, claim), job, claim, "end");
}

int
store_queue_retry(struct store *s, int64_t job, int64_t claim, int64_t run,
    const char *note)
{
	return store_queue_fenced(store_exec_int(s, "UPDATE queue SET state=?, repeat_of=?,"
	    " why='lab-retry', note=?, run_id=NULL WHERE id=?" STORE_QUEUE_FENCE " RETURNING 1",
	    "titiii", QUEUED, run, note, job, claim, claim), job, claim, "retry");
}

int
store_queue_finish_stored(struct store *s)
{
	char now[32];

	/*
	 * A run rigd's stop cut short (by the runner or at the next start) is no result. A
	 * survey's job is many runs: its last one ended is not its end (it is requeued, and
	 * resumes its survey where it stopped).
	 */
	return store_exec(s, "UPDATE queue SET state=?, ended=?, note='finished before a"
	    " restart' WHERE state=? AND scenario <> ? AND run_id IN (SELECT id FROM runs WHERE"
	    " state=? AND coalesce(title, '') <> ?)", "tttttt", DONE, store_now(now, sizeof(now)),
	    RUNNING, QUEUE_SURVEY_ENTRY, run_state_name(RUN_DONE),
	    error_kind_name(ERROR_INTERRUPTED));
}

/*
 * A bisect's open jobs end with the rigd that searched: its search (and the client waiting for
 * the answer) is gone, and a job run for nobody would take the board for nothing. Its nightly
 * marks it, not its why: a lab retry rewrites that. Only the boards this host serves: another
 * live host's search goes on.
 */
#define STORE_QUEUE_END_BISECTS "UPDATE queue SET state=?, ended=?, note=?, host=NULL," \
	" lease_ms=NULL WHERE state IN (?, ?) AND nightly IN (SELECT id FROM nightlies WHERE" \
	" bisect=1)"

int
store_queue_end_bisects(struct store *s, const char *note)
{
	struct store_stmt *st;
	char now[32];

	store_now(now, sizeof(now));
	if (s->host[0])
		st = store_stmt(s, STORE_QUEUE_END_BISECTS " AND board IN (SELECT name FROM boards"
		    " WHERE host=?) RETURNING id", "tttttt", queue_state_name(QUEUE_ERROR), now,
		    note, QUEUED, RUNNING, s->host);
	else
		st = store_stmt(s, STORE_QUEUE_END_BISECTS " RETURNING id", "ttttt",
		    queue_state_name(QUEUE_ERROR), now, note, QUEUED, RUNNING);
	return store_rows(s, st, NULL, NULL);
}

/* A running job queued again to repeat its run, its attempt given back (the lab's fault). */
#define STORE_QUEUE_REQUEUE "UPDATE queue SET state=?," \
	" attempts=CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END," \
	" repeat_of=run_id, why=CASE WHEN run_id IS NULL THEN why ELSE 'lab-retry' END," \
	" run_id=NULL, host=NULL, lease_ms=NULL, note=? WHERE state=?"
/* A host's recovery takes its own jobs and those of no host, never another live host's. */
#define STORE_QUEUE_MINE " AND (host IS NULL OR host=?)"

int
store_queue_requeue_running(struct store *s)
{
	struct store_stmt *st;

	if (s->host[0])
		st = store_stmt(s, STORE_QUEUE_REQUEUE STORE_QUEUE_MINE " RETURNING id", "tttt",
		    QUEUED, "requeued after a restart", RUNNING, s->host);
	else
		st = store_stmt(s, STORE_QUEUE_REQUEUE " RETURNING id", "ttt", QUEUED,
		    "requeued after a restart", RUNNING);
	return store_rows(s, st, NULL, NULL);
}

int
store_queue_renew(struct store *s, int64_t now_ms)
{
	if (s->host[0] == '\0' || s->lease_ms <= 0)
		return 0;
	return store_rows(s, store_stmt(s, "UPDATE queue SET lease_ms=? WHERE host=? AND state=?"
	    " RETURNING id", "itt", now_ms + s->lease_ms, s->host, RUNNING), NULL, NULL);
}

/* The jobs one sweep looks at; the next sweep takes the rest. */
#define STORE_QUEUE_EXPIRE_MAX	64

struct store_queue_expired {
	int	 n;
	int64_t	 id[STORE_QUEUE_EXPIRE_MAX], run[STORE_QUEUE_EXPIRE_MAX];
	char	 host[STORE_QUEUE_EXPIRE_MAX][64];
};

static int
store_queue_expired_one(struct store *s, struct store_stmt *st, void *ctx)
{
	struct store_queue_expired *e = ctx;
	const char *h = store_col_text(s, st, 2);
	int64_t run = store_col_int(s, st, 1);

	e->id[e->n] = store_col_int(s, st, 0);
	e->run[e->n] = run == STORE_NULL ? 0 : run;
	util_strlcpy(e->host[e->n], h ? h : "?", sizeof(e->host[0]));
	return ++e->n == STORE_QUEUE_EXPIRE_MAX;
}

int
store_queue_expire(struct store *s, int64_t now_ms)
{
	struct store_queue_expired e = { 0 };
	char now[32], why[160];
	int i, n = 0;

	/*
	 * Collected first: the writes below never meet an open read of the same rows. A host
	 * never takes its own jobs: it is alive, it renews them in the same write as this.
	 */
	if (store_rows(s, store_stmt(s, "SELECT id, run_id, host FROM queue WHERE state=? AND"
	    " lease_ms < ? AND host <> ? ORDER BY id", "tit", RUNNING, now_ms, s->host),
	    store_queue_expired_one, &e) == -1)
		return -1;
	for (i = 0; i < e.n; i++) {
		int64_t won;

		util_fmt(why, sizeof(why), "host %s's lease on the job ran out (host silent)",
		    e.host[i]);
		/* The lease is tested again in the write: of two sweepers, one requeues it. */
		won = store_exec_int(s, STORE_QUEUE_REQUEUE " AND id=? AND lease_ms < ? RETURNING 1",
		    "tttii", QUEUED, why, RUNNING, e.id[i], now_ms);
		if (won == -1)
			return -1;
		if (won == 0)
			continue;
		n++;
		if (e.run[i] > 0 && store_exec(s, "UPDATE runs SET state=?, verdict=?, title=?,"
		    " detail=?, ended=? WHERE id=? AND state=?", "tttttit", run_state_name(RUN_DONE),
		    verdict_name(VERDICT_ERROR), error_kind_name(ERROR_INTERRUPTED), why,
		    store_now(now, sizeof(now)), e.run[i], run_state_name(RUN_RUNNING)) == -1)
			return -1;
	}
	return n;
}

/* Rows of st with the columns of struct store_queue_row, in its order. */
static int
store_queue_rows_one(struct store *s, struct store_stmt *st, void *ctx)
{
	const struct store_visit *v = ctx;
	struct store_queue_row q;

	q.id = store_col_int(s, st, 0);
	q.nightly = store_col_int(s, st, 1);
	q.build_id = store_col_int(s, st, 2);
	q.build = store_col_text(s, st, 3);
	q.board = store_col_text(s, st, 4);
	q.scenario = store_col_text(s, st, 5);
	q.state = queue_state_parse(store_col_text(s, st, 6));
	q.attempts = store_col_int(s, st, 7);
	q.why = store_col_text(s, st, 8);
	q.run_id = store_col_int(s, st, 9);
	q.note = store_col_text(s, st, 10);
	return ((store_queue_cb)v->cb)(&q, v->arg);
}

static int
store_queue_rows(struct store *s, struct store_stmt *st, store_queue_cb cb, void *arg)
{
	struct store_visit v = STORE_VISIT(cb, arg);

	return store_rows(s, st, store_queue_rows_one, &v);
}

#define STORE_QUEUE_COLS "q.id, q.nightly, q.build_id, b.name, q.board, q.scenario, q.state," \
	" q.attempts, q.why, q.run_id, q.note FROM queue q LEFT JOIN builds b ON b.id = q.build_id"

int
store_queue_candidates(struct store *s, const char *board, int64_t prefer_build, int limit,
    store_queue_cb cb, void *arg)
{
	return store_queue_rows(s, store_stmt(s, "SELECT " STORE_QUEUE_COLS " WHERE q.board=? AND"
	    " q.state=? ORDER BY q.prio DESC, CASE WHEN q.build_id=? THEN 1 ELSE 0 END DESC,"
	    " q.build_id, q.id LIMIT ?", "ttii", board, QUEUED, prefer_build, (int64_t)limit), cb,
	    arg);
}

int
store_queue_pending(struct store *s, const char *board, int64_t build_id, store_queue_cb cb,
    void *arg)
{
	return store_queue_rows(s, store_stmt(s, "SELECT " STORE_QUEUE_COLS " WHERE q.board=? AND"
	    " q.state=? AND q.build_id=? ORDER BY q.id", "tti", board, QUEUED, build_id), cb, arg);
}

int
store_queue_open(struct store *s, int limit, store_queue_cb cb, void *arg)
{
	/* Running first: the state's name sorts after queued's. */
	return store_queue_rows(s, store_stmt(s, "SELECT " STORE_QUEUE_COLS " WHERE q.state IN"
	    " (?, ?) ORDER BY q.state DESC, q.prio DESC, q.id LIMIT ?", "tti", QUEUED, RUNNING,
	    (int64_t)limit), cb, arg);
}

int
store_queue_finished(struct store *s, int limit, store_queue_cb cb, void *arg)
{
	return store_queue_rows(s, store_stmt(s, "SELECT " STORE_QUEUE_COLS " WHERE q.state NOT IN"
	    " (?, ?) ORDER BY q.id DESC LIMIT ?", "tti", QUEUED, RUNNING, (int64_t)limit), cb,
	    arg);
}

static int
store_queue_count_one(struct store *s, struct store_stmt *st, void *ctx)
{
	const struct store_visit *v = ctx;

	return ((store_count_cb)v->cb)(queue_state_parse(store_col_text(s, st, 0)),
	    store_col_int(s, st, 1), v->arg);
}

int
store_queue_counts(struct store *s, store_count_cb cb, void *arg)
{
	struct store_visit v = STORE_VISIT(cb, arg);

	return store_rows(s, store_stmt(s, "SELECT state, count(*) FROM queue GROUP BY state"
	    " ORDER BY state", ""), store_queue_count_one, &v);
}

int
store_queue_open_count(struct store *s)
{
	return (int)store_exec_int(s, "SELECT count(*) FROM queue WHERE state IN (?, ?)", "tt",
	    QUEUED, RUNNING);
}
