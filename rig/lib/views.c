/* views: typed store rows as the JSON objects the control socket and HTTP share. */
#include "views.h"
#include "survey.h"
#include "util.h"

#include <string.h>

static void
views_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static void
views_int(cJSON *o, const char *k, int64_t v)
{
	if (v == STORE_NULL)
		cJSON_AddNullToObject(o, k);
	else
		cJSON_AddNumberToObject(o, k, (double)v);
}

static void
views_verdict(cJSON *o, enum verdict v)
{
	views_str(o, "verdict", v == VERDICT_NONE ? NULL : verdict_name(v));
}

struct views_list {
	cJSON			*arr;
	enum views_build_label	 label;
};

/*
 * A listing's array, or NULL with the array freed when the store could not read it: every
 * list view ends the same way, whatever rows it lists.
 */
static cJSON *
views_array(cJSON *arr, int rc)
{
	if (rc == -1) {
		cJSON_Delete(arr);
		return NULL;
	}
	return arr;
}

static int
views_run_summary(const struct store_run_row *r, void *arg)
{
	struct views_list *l = arg;
	cJSON *o = cJSON_CreateObject();

	views_int(o, "id", r->id);
	views_str(o, "board", r->board);
	views_str(o, "scenario", r->scenario);
	views_str(o, "build", l->label == VIEWS_BUILD_NAME ? r->build_name : r->build_release);
	views_str(o, "release", r->build_release);
	views_str(o, "build_version", r->build_version);	/* the order of builds */
	views_verdict(o, r->verdict);
	views_str(o, "title", r->title);
	views_str(o, "started", r->started);
	views_int(o, "duration_ms", r->duration_ms);
	views_int(o, "recovery_ms", r->recovery_ms);
	views_str(o, "state", (int)r->state >= 0 ? run_state_name(r->state) : NULL);
	views_int(o, "build_id", r->build_id);
	views_int(o, "repeat_of", r->repeat_of);
	views_str(o, "repeat_why", r->repeat_why);
	views_int(o, "survey", r->survey_id);
	cJSON_AddItemToArray(l->arr, o);
	return 0;
}

cJSON *
views_runs(struct store *s, int limit, enum views_build_label label)
{
	struct store_runs_filter f = { .newest_first = 1, .limit = limit };

	return views_runs_filtered(s, &f, label);
}

cJSON *
views_runs_filtered(struct store *s, const struct store_runs_filter *f,
    enum views_build_label label)
{
	struct views_list l = { cJSON_CreateArray(), label };

	return views_array(l.arr, store_runs_list(s, f, views_run_summary, &l));
}

static int
views_step(const struct store_step_row *st, void *arg)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "idx", st->idx);
	views_str(o, "action", st->action);
	views_str(o, "arg", st->arg);
	views_str(o, "status", (int)st->status >= 0 ? step_status_name(st->status) : NULL);
	views_int(o, "started_ms", st->started_ms);
	views_int(o, "duration_ms", st->duration_ms);
	views_str(o, "output", st->output);
	cJSON_AddItemToArray(arg, o);
	return 0;
}

static int
views_crash(const struct store_crash_row *c, void *arg)
{
	cJSON *o = cJSON_CreateObject();

	views_str(o, "title", c->title);
	views_str(o, "type", c->type);
	views_str(o, "frame", c->frame);
	cJSON_AddNumberToObject(o, "corrupted", c->corrupted);
	views_int(o, "start", c->start);
	views_int(o, "end", c->end);
	cJSON_AddItemToArray(arg, o);
	return 0;
}

static int
views_run_full(const struct store_run_row *r, void *arg)
{
	struct views_list *l = arg;
	cJSON *o = cJSON_CreateObject();

	views_int(o, "id", r->id);
	views_str(o, "board", r->board);
	views_str(o, "scenario", r->scenario);
	views_int(o, "build_id", r->build_id);
	views_int(o, "uid", r->uid);
	views_str(o, "state", (int)r->state >= 0 ? run_state_name(r->state) : NULL);
	views_verdict(o, r->verdict);
	views_str(o, "title", r->title);
	views_str(o, "detail", r->detail);
	views_str(o, "stack", r->stack);
	views_str(o, "started", r->started);
	views_str(o, "ended", r->ended);
	views_int(o, "duration_ms", r->duration_ms);
	views_str(o, "console_log", r->console_log);
	views_int(o, "console_start", r->console_start);
	views_int(o, "console_end", r->console_end);
	views_int(o, "recovery_ms", r->recovery_ms);
	views_str(o, "recovery", r->recovery);
	views_int(o, "repeat_of", r->repeat_of);
	views_str(o, "repeat_why", r->repeat_why);
	views_str(o, "build", l->label == VIEWS_BUILD_NAME ? r->build_name : r->build_release);
	views_str(o, "release", r->build_release);
	views_str(o, "build_version", r->build_version);
	views_str(o, "image_sha256", r->build_image_sha256);
	views_int(o, "survey", r->survey_id);
	cJSON_AddItemToArray(l->arr, o);
	return 1;
}

cJSON *
views_run(struct store *s, int64_t id, enum views_build_label label, int *found)
{
	struct views_list l = { cJSON_CreateArray(), label };
	cJSON *o, *steps, *crashes;
	int rc;

	*found = 0;
	if ((rc = store_run_get(s, id, views_run_full, &l)) <= 0) {
		*found = rc == -1;
		cJSON_Delete(l.arr);
		return NULL;
	}
	*found = 1;
	o = cJSON_DetachItemFromArray(l.arr, 0);
	cJSON_Delete(l.arr);
	steps = cJSON_AddArrayToObject(o, "steps");
	crashes = cJSON_AddArrayToObject(o, "crashes");
	if (store_run_steps(s, id, views_step, steps) == -1 ||
	    store_run_crashes(s, id, views_crash, crashes) == -1) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static int
views_group(const struct store_crash_group *g, void *arg)
{
	cJSON *o = cJSON_CreateObject();

	views_str(o, "title", g->title);
	views_str(o, "rig_title", g->rig_title);
	views_str(o, "type", g->type);
	views_int(o, "count", g->count);
	views_str(o, "first_seen", g->first_seen);
	views_str(o, "last_seen", g->last_seen);
	views_int(o, "first_run", g->first_run);
	views_int(o, "last_run", g->last_run);
	cJSON_AddItemToArray(arg, o);
	return 0;
}

cJSON *
views_crash_groups(struct store *s)
{
	cJSON *arr = cJSON_CreateArray();

	return views_array(arr, store_crash_groups(s, views_group, arr));
}

static int
views_count(enum queue_state state, int64_t n, void *arg)
{
	cJSON *o = cJSON_CreateObject();

	views_str(o, "state", queue_state_name(state));
	views_int(o, "n", n);
	cJSON_AddItemToArray(arg, o);
	return 0;
}

static int
views_job(const struct store_queue_row *q, void *arg)
{
	cJSON *o = cJSON_CreateObject();

	views_int(o, "id", q->id);
	views_int(o, "nightly", q->nightly);
	views_int(o, "build_id", q->build_id);
	views_str(o, "build", q->build);
	views_str(o, "board", q->board);
	views_str(o, "scenario", q->scenario);
	views_str(o, "state", queue_state_name(q->state));
	views_int(o, "attempts", q->attempts);
	views_str(o, "why", q->why);
	views_int(o, "run_id", q->run_id);
	views_str(o, "note", q->note);
	cJSON_AddItemToArray(arg, o);
	return 0;
}

cJSON *
views_queue(struct store *s)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *counts = cJSON_AddArrayToObject(o, "counts");
	cJSON *jobs = cJSON_AddArrayToObject(o, "jobs");
	cJSON *finished = cJSON_AddArrayToObject(o, "finished");

	if (store_queue_counts(s, views_count, counts) == -1 ||
	    store_queue_open(s, 500, views_job, jobs) == -1 ||
	    store_queue_finished(s, 500, views_job, finished) == -1) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static int
views_event(const struct store_board_event_row *e, void *arg)
{
	cJSON *o = cJSON_CreateObject();

	views_int(o, "id", e->id);
	views_str(o, "board", e->board);
	views_str(o, "at", e->at);
	views_str(o, "from_state", e->from_state);
	views_str(o, "to_state", e->to_state);
	views_str(o, "reason", e->reason);
	cJSON_AddItemToArray(arg, o);
	return 0;
}

cJSON *
views_board_events(struct store *s, int limit)
{
	cJSON *arr = cJSON_CreateArray();

	return views_array(arr, store_board_events(s, limit, views_event, arr));
}

static int
views_boot(const struct store_boot_row *b, void *arg)
{
	cJSON *o = cJSON_CreateObject();

	views_int(o, "id", b->id);
	views_str(o, "board", b->board);
	views_int(o, "build_id", b->build_id);
	views_str(o, "at", b->at);
	views_str(o, "why", b->why);
	views_str(o, "outcome", b->outcome);
	views_int(o, "console_ready_ms", b->console_ready_ms);
	views_int(o, "ready_ms", b->ready_ms);
	views_str(o, "error", b->error);
	views_str(o, "console_log", b->console_log);
	cJSON_AddItemToArray(arg, o);
	return 0;
}

cJSON *
views_boots(struct store *s, int limit)
{
	cJSON *arr = cJSON_CreateArray();

	return views_array(arr, store_boots(s, limit, views_boot, arr));
}

cJSON *
views_build(const struct store_build_row *b)
{
	cJSON *o = cJSON_CreateObject();

	views_int(o, "id", b->id);
	views_str(o, "name", b->name);
	views_str(o, "release", b->release);
	views_str(o, "version", b->version);
	views_str(o, "arch", b->arch);
	views_str(o, "image_sha256", b->image_sha256);
	views_str(o, "config_sha256", b->config_sha256);
	views_str(o, "origin", b->origin);
	views_str(o, "first_seen", b->first_seen);
	views_str(o, "image_path", b->image_path);
	views_str(o, "dtb_dir", b->dtb_dir);
	views_str(o, "modules_dir", b->modules_dir);
	views_str(o, "config_path", b->config_path);
	views_str(o, "package", b->package);
	views_str(o, "package_version", b->package_version);
	views_str(o, "image_version", b->image_version);
	views_str(o, "options", b->options);
	views_str(o, "reported_version", b->reported_version);
	views_str(o, "registered", b->registered);
	return o;
}

static int
views_survey_one(const struct store_survey_row *v, void *arg)
{
	cJSON *o = cJSON_CreateObject(), *seqs = cJSON_CreateArray();
	int q;

	views_int(o, "id", v->id);
	views_str(o, "board", v->board);
	views_str(o, "build", v->build_name);
	views_int(o, "build_id", v->build_id);
	views_str(o, "classes", v->classes);
	for (q = 0; q < SURVEY_SEQ_COUNT; q++)
		if (v->sequences == 0 || (v->sequences & (1 << q)))
			cJSON_AddItemToArray(seqs, cJSON_CreateString(survey_seq_name(q)));
	cJSON_AddItemToObject(o, "sequences", seqs);
	views_int(o, "queue_id", v->queue_id);
	views_str(o, "state", (int)v->state >= 0 ? survey_state_name(v->state) : NULL);
	views_str(o, "started", v->started);
	views_str(o, "ended", v->ended);
	views_str(o, "note", v->note);
	views_int(o, "nruns", v->runs);
	cJSON_AddItemToArray(arg, o);
	return 0;
}

cJSON *
views_surveys(struct store *s, int limit)
{
	cJSON *arr = cJSON_CreateArray(), *o, *runs;

	if (views_array(arr, store_surveys_list(s, limit, views_survey_one, arr)) == NULL)
		return NULL;
	/* Each survey's runs, oldest first: its progress, device by device. */
	cJSON_ArrayForEach(o, arr) {
		struct store_runs_filter f = { .survey = (int64_t)cJSON_GetObjectItem(o,
		    "id")->valuedouble };

		if ((runs = views_runs_filtered(s, &f, VIEWS_BUILD_NAME)) == NULL) {
			cJSON_Delete(arr);
			return NULL;
		}
		cJSON_AddItemToObject(o, "runs", runs);
	}
	return arr;
}
