/*
 * views: the store's rows as the JSON objects the control socket and the HTTP API both send
 * (runs, one run, crash groups, the queue, builds), made in one place so the two agree.
 * Field names are the protocol's: rigctl, the dashboard and the tests read them.
 */
#ifndef RIG_VIEWS_H
#define RIG_VIEWS_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "store.h"

/* What "build" names in runs: rigctl shows the release, the HTTP API the build's name. */
enum views_build_label {
	VIEWS_BUILD_RELEASE,
	VIEWS_BUILD_NAME,
};

/*
 * The latest runs, newest first: [{"id","board","scenario","build","release","verdict","title",
 * "started","duration_ms","recovery_ms","state","build_id","repeat_of","repeat_why"}]. NULL on
 * a store error.
 */
cJSON *views_runs(struct store *s, int limit, enum views_build_label label);
/* The same for the runs f filters (a page of them, one scenario's). */
cJSON *views_runs_filtered(struct store *s, const struct store_runs_filter *f,
    enum views_build_label label);
/*
 * One run: every runs column, "build", "release", "build_version", "image_sha256", "steps"
 * [{"idx","action","arg","status","started_ms","duration_ms","output"}] and "crashes"
 * [{"title","type","frame","corrupted","start","end"}]. NULL with *found 0 when there is no
 * such run, NULL with *found 1 on a store error.
 */
cJSON *views_run(struct store *s, int64_t id, enum views_build_label label, int *found);
/*
 * Surveys, newest first, at most limit: [{"id","board","build","build_id","classes",
 * "sequences" [names],"queue_id","state","started","ended","note","nruns","runs" [as
 * views_runs, oldest first]}]. NULL on a store error.
 */
cJSON *views_surveys(struct store *s, int limit);
/* Crash groups, latest first: [{"title","rig_title","type","count","first_seen","last_seen",
 * "first_run","last_run"}]. */
cJSON *views_crash_groups(struct store *s);
/*
 * {"counts": [{"state","n"}], "jobs": [JOB], "finished": [JOB]}: rigctl show queue; jobs are the
 * open ones, finished the last 500 that ended, latest first. JOB: {"id","nightly","build_id",
 * "build","board","scenario","state","attempts","why","run_id","note"}.
 */
cJSON *views_queue(struct store *s);
/* The latest board state changes: [{"id","board","at","from_state","to_state","reason"}]. */
cJSON *views_board_events(struct store *s, int limit);
/*
 * The latest power-ons, newest first: [{"id","board","build_id","at","why","outcome",
 * "console_ready_ms","ready_ms","error"}] (times in ms from power-on, null when not reached).
 */
cJSON *views_boots(struct store *s, int limit);
/* A build row as an object, its columns by name (NULL columns as null). */
cJSON *views_build(const struct store_build_row *b);

#endif
