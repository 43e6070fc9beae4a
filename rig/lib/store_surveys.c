/* store_surveys: surveys and the runs that are their progress (store.h, Surveys). */
#include "store_int.h"

int64_t
store_survey_begin(struct store *s, const char *board, int64_t build_id, long uid,
    const char *classes, unsigned sequences, int64_t queue_id)
{
	char now[32];
	int64_t id;

	id = store_exec_int(s, "INSERT INTO surveys(board, build_id, uid, classes, sequences,"
	    " queue_id, state, started) VALUES(?,?,?,?,?,?,?,?) RETURNING id", "tnitintt", board,
	    build_id, (int64_t)uid, store_nonempty(classes), (int64_t)sequences, queue_id,
	    survey_state_name(SURVEY_RUNNING), store_now(now, sizeof(now)));
	return id > 0 ? id : -1;
}

int
store_survey_build(struct store *s, int64_t survey, int64_t build_id)
{
	return store_exec(s, "UPDATE surveys SET build_id=? WHERE id=?", "ni", build_id, survey);
}

int
store_survey_end(struct store *s, int64_t survey, enum survey_state state, const char *note)
{
	char now[32];

	return store_exec(s, "UPDATE surveys SET state=?, ended=?, note=? WHERE id=?", "ttti",
	    survey_state_name(state), store_now(now, sizeof(now)), store_nonempty(note), survey);
}

int
store_run_survey(struct store *s, int64_t run, int64_t survey)
{
	return store_exec(s, "UPDATE runs SET survey_id=? WHERE id=?", "ii", survey, run);
}

#define STORE_SURVEY_COLS "v.id, v.board, v.build_id, v.uid, v.classes, v.sequences," \
	" v.queue_id, v.state, v.started, v.ended, v.note," \
	" (SELECT count(*) FROM runs r WHERE r.survey_id = v.id), b.name" \
	" FROM surveys v LEFT JOIN builds b ON b.id = v.build_id"

static int
store_survey_one(struct store *s, struct store_stmt *st, void *ctx)
{
	const struct store_visit *v = ctx;
	struct store_survey_row r;

	r.id = store_col_int(s, st, 0);
	r.board = store_col_text(s, st, 1);
	r.build_id = store_col_int(s, st, 2);
	r.uid = store_col_int(s, st, 3);
	r.classes = store_col_text(s, st, 4);
	r.sequences = store_col_int(s, st, 5);
	r.queue_id = store_col_int(s, st, 6);
	r.state = survey_state_parse(store_col_text(s, st, 7));
	r.started = store_col_text(s, st, 8);
	r.ended = store_col_text(s, st, 9);
	r.note = store_col_text(s, st, 10);
	r.runs = store_col_int(s, st, 11);
	r.build_name = store_col_text(s, st, 12);
	return ((store_survey_cb)v->cb)(&r, v->arg);
}

int
store_survey_get(struct store *s, int64_t id, store_survey_cb cb, void *arg)
{
	struct store_visit v = STORE_VISIT(cb, arg);

	return store_rows(s, store_stmt(s, "SELECT " STORE_SURVEY_COLS " WHERE v.id=?", "i", id),
	    store_survey_one, &v);
}

int64_t
store_survey_of_job(struct store *s, int64_t queue_id)
{
	return store_exec_int(s, "SELECT max(id) FROM surveys WHERE queue_id=? AND state=?"
	    " HAVING max(id) IS NOT NULL", "it", queue_id, survey_state_name(SURVEY_RUNNING));
}

int
store_surveys_open(struct store *s, store_survey_cb cb, void *arg)
{
	struct store_visit v = STORE_VISIT(cb, arg);

	/* A host of a lab resumes the surveys of its boards (and of no host's), as it recovers runs. */
	return store_rows(s, store_stmt(s, "SELECT " STORE_SURVEY_COLS " WHERE v.state=? AND"
	    " v.queue_id IS NULL AND v.board NOT IN (SELECT name FROM boards WHERE host IS NOT NULL"
	    " AND host <> ?) ORDER BY v.id", "tt", survey_state_name(SURVEY_RUNNING),
	    s->host[0] ? s->host : NULL), store_survey_one, &v);
}

int
store_surveys_list(struct store *s, int limit, store_survey_cb cb, void *arg)
{
	struct store_visit v = STORE_VISIT(cb, arg);

	return store_rows(s, store_stmt(s, "SELECT " STORE_SURVEY_COLS " ORDER BY v.id DESC"
	    " LIMIT ?", "i", (int64_t)(limit > 0 ? limit : INT64_MAX)), store_survey_one, &v);
}
