/* store_labrun: runs asked on one host for another host's board: their queue rows and the events streamed back. */
#include "store_int.h"
#include "log.h"
#include "util.h"

#include <string.h>

/*
 * A lab run is a queue job that names its caller (the host whose client waits), first in its
 * board's line (prio 1, as a confirmation): a person waits for it. The board's host claims it
 * as any job, under its lease; its events are rows of queue_events, which the caller reads
 * back in id order. One board thread writes a job's events, each committed before the next is
 * added, so their ids rise in the order they become visible: a reader that saw id N never
 * meets a smaller one later (not so for two writers, whose identity values and commits may
 * cross).
 */
int64_t
store_labrun_add(struct store *s, int64_t build_id, const char *board, const char *scenario,
    const char *caller, long uid)
{
	char now[32], msg[96];
	int64_t id;

	id = store_exec_int(s, "INSERT INTO queue(build_id, board, scenario, prio, why, queued,"
	    " caller, caller_uid) VALUES(?,?,?,1,'lab-run',?,?,?) RETURNING id", "itttti",
	    build_id, board, scenario, store_now(now, sizeof(now)), caller, (int64_t)uid);
	if (id <= 0)
		return -1;
	/* The board's host takes it now, not at its next look at the queue. */
	util_fmt(msg, sizeof(msg), "board:%s", board);
	if (store_notify(s, msg) == -1)
		log_warnx("job %lld: its board's host was not woken (it looks again soon)",
		    (long long)id);
	return id;
}

int
store_labrun_caller(struct store *s, int64_t job, char *caller, size_t len, long *uid)
{
	struct store_stmt *st;
	const char *t;
	int64_t u;
	int rc;

	caller[0] = '\0';
	*uid = 0;
	st = store_stmt(s, "SELECT caller, caller_uid FROM queue WHERE id=?", "i", job);
	if (st == NULL)
		return -1;
	if ((rc = store_step(s, st)) == 1) {
		t = store_col_text(s, st, 0);
		util_strlcpy(caller, t ? t : "", len);
		rc = caller[0] != '\0';
		u = store_col_int(s, st, 1);
		*uid = !rc ? 0 : u == STORE_NULL ? -1 : (long)u;
	}
	store_done(s, st);
	return rc;
}

int64_t
store_labrun_next(struct store *s, const char *board)
{
	/* In store_queue_candidates' order, less the build preference (a lab run names none). */
	return store_exec_int(s, "SELECT id FROM queue WHERE board=? AND state=? AND caller IS NOT"
	    " NULL ORDER BY prio DESC, id LIMIT 1", "tt", board, queue_state_name(QUEUE_QUEUED));
}

int
store_labrun_event(struct store *s, int64_t job, const char *json)
{
	char msg[32];

	if (store_exec(s, "INSERT INTO queue_events(job, body) VALUES(?,?)", "it", job, json) == -1)
		return -1;
	/* Its caller reads it now; unheard (logged once), at its next look. */
	util_fmt(msg, sizeof(msg), "job:%lld", (long long)job);
	store_notify(s, msg);
	return 0;
}

static int
store_labrun_events_one(struct store *s, struct store_stmt *st, void *ctx)
{
	const struct store_visit *v = ctx;
	const char *body = store_col_text(s, st, 1);

	return ((store_labrun_event_cb)v->cb)(store_col_int(s, st, 0), body ? body : "{}",
	    v->arg);
}

int
store_labrun_events(struct store *s, int64_t job, int64_t after, store_labrun_event_cb cb,
    void *arg)
{
	struct store_visit v = STORE_VISIT(cb, arg);

	return store_rows(s, store_stmt(s, "SELECT id, body FROM queue_events WHERE job=? AND"
	    " id>? ORDER BY id", "ii", job, after), store_labrun_events_one, &v);
}

int
store_labrun_job(struct store *s, int64_t job, struct store_labrun_state *js)
{
	struct store_stmt *st;
	const char *t;
	int64_t v;
	int rc;

	memset(js, 0, sizeof(*js));
	st = store_stmt(s, "SELECT state, run_id, host, note FROM queue WHERE id=?", "i", job);
	if (st == NULL)
		return -1;
	if ((rc = store_step(s, st)) == 1) {
		js->state = queue_state_parse(store_col_text(s, st, 0));
		js->run = (v = store_col_int(s, st, 1)) == STORE_NULL ? 0 : v;
		util_strlcpy(js->host, (t = store_col_text(s, st, 2)) ? t : "", sizeof(js->host));
		util_strlcpy(js->note, (t = store_col_text(s, st, 3)) ? t : "", sizeof(js->note));
	}
	store_done(s, st);
	return rc;
}

int
store_labrun_drop(struct store *s, int64_t job)
{
	return store_exec(s, "DELETE FROM queue_events WHERE job=?", "i", job);
}
