/*
 * board_survey: rigctl survey on the board's thread. Discovers what the running board exposes
 * (survey.h), then for each device it may unbind synthesises a scenario and has the runner run
 * it like any other (so each device's result is a stored run that matrix, compare and export
 * see); a hang or crash is recovered by the runner's own path and the survey goes on.
 */
#include "rigd.h"
#include "log.h"
#include "peer.h"
#include "remote.h"
#include "shquote.h"
#include "survey.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The discovery script's deadline: it forks a few times per node, slowly under emulation. */
#define BOARD_SURVEY_DISCOVER_MS	120000
#define BOARD_SURVEY_OUT		(64 * 1024)

static void
board_survey_result(struct board *b, struct board_job *job, const char *status,
    const char *error, cJSON *o)
{
	if (o == NULL)
		o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", status);
	cJSON_AddStringToObject(o, "board", b->conf.name);
	if (error)
		cJSON_AddStringToObject(o, "error", error);
	board_post(b, job->client, PROTO_EV_RESULT, o);
}

static cJSON *
board_survey_row(const struct survey_dev *d, enum survey_row row)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "device", d->device);
	cJSON_AddStringToObject(o, "class", d->cls);
	cJSON_AddStringToObject(o, "node", d->node);
	cJSON_AddNumberToObject(o, "nodes", d->nnodes);
	cJSON_AddStringToObject(o, "driver", d->driver);
	cJSON_AddStringToObject(o, "bus", d->bus);
	cJSON_AddStringToObject(o, "sysfs", d->syspath);
	cJSON_AddStringToObject(o, "row", survey_row_name(row));
	return o;
}

/* A row into the result's table, and as an event for the client now. */
static void
board_survey_emit(struct board *b, struct board_job *job, cJSON *rows, cJSON *o)
{
	cJSON_AddItemToArray(rows, cJSON_Duplicate(o, 1));
	cJSON_AddStringToObject(o, "board", b->conf.name);
	/* Where the survey is, for a terminal's progress: this row's number of how many. */
	cJSON_AddNumberToObject(o, "n", cJSON_GetArraySize(rows));
	cJSON_AddNumberToObject(o, "of", job->survey_rows);
	board_post(b, job->client, PROTO_EV_SURVEY_DEVICE, o);
}

/*
 * A survey is many runs: a reservation of someone else that begins meanwhile ends it before
 * the next device, as it would refuse a run asked for then. 1 when so (stop says why).
 */
static int
board_survey_reserved(struct board *b, struct board_job *job, char *stop, size_t stoplen)
{
	struct peer p = { .uid = job->uid, .gid = -1, .pid = -1 };

	/* A nightly's survey yields to any reservation, as its jobs do before they begin. */
	if (job->queue_id > 0) {
		if (reserve_free_now(b->rigd, b->conf.name))
			return 0;
		util_fmt(stop, stoplen, "board %s: a reservation began", b->conf.name);
		return 1;
	}
	/* A survey of rigctl resumed after a restart (no client) is still its user's. */
	p.role = peer_role_of_user(job->uid);
	return reserve_check(b->rigd, b->conf.name, &p, "run on it", stop, stoplen, NULL) !=
	    ERROR_NONE;
}

/*
 * The node did not come back under its name: the names the device's nodes have now ("/dev/rtc1"
 * when the old minor was still taken at the rebind), into now; "" when none or not known.
 */
static void
board_survey_nodes_now(struct board *b, const struct survey_dev *d, char *now, size_t len)
{
	char q[4 * sizeof(d->syspath) + 3], cmd[sizeof(q) + 256], out[4096], *line, *save;
	int status = -1;

	now[0] = '\0';
	if (b->ssh == NULL || shquote(d->syspath, q, sizeof(q)) == -1)
		return;
	snprintf(cmd, sizeof(cmd), "cd %s && find . -name uevent | while read -r u; do"
	    " sed -n 's/^DEVNAME=//p' \"$u\"; done", q);
	if (remote_run(b->ssh, cmd, 10000, &status, out, sizeof(out)) != 0 || status != 0)
		return;
	/* What the board printed is a name like any other: only names are taken. */
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '\0' || line[0] == '-' ||
		    strspn(line, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:/+-")
		    != strlen(line) || strstr(line, "..") || strlen(now) + strlen(line) + 8 >= len)
			continue;
		util_fmt(now + strlen(now), len - strlen(now), "%s/dev/%s", now[0] ? " " : "", line);
	}
}

/*
 * One sequence of a device as a run, its cell into seqs; 0 to go on, -1 when the survey ends.
 * A node back under another name is the name the device's next sequence holds (dev->node).
 */
static int
board_survey_seq(struct board *b, struct board_job *job, const struct survey_dev *d,
    enum survey_seq q, struct conf_device *dev, cJSON *done, cJSON *seqs, char *stop,
    size_t stoplen)
{
	struct board_job rj = *job;
	struct survey_dev cur = *d;
	struct runner_result res;
	struct scenario *sc = xcalloc(1, sizeof(*sc));
	char missing[sizeof(d->node) + 16], now[512];
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "sequence", survey_seq_name(q));
	util_strlcpy(cur.node, dev->node, sizeof(cur.node));
	if (survey_scenario(&cur, q, sc) == -1) {
		cJSON_AddStringToObject(o, "verdict", "");
		cJSON_AddStringToObject(o, "title", "its run's name would be longer than 63"
		    " characters");
		cJSON_AddItemToArray(seqs, o);
		free(sc);
		return 0;
	}
	/* Ended before a restart: its stored cell, not a second run. */
	if (done && cJSON_GetObjectItem(done, sc->name)) {
		cJSON_Delete(o);
		cJSON_AddItemToArray(seqs, cJSON_Duplicate(cJSON_GetObjectItem(done, sc->name), 1));
		free(sc);
		return 0;
	}
	rj.kind = JOB_RUN;
	rj.survey_id = job->survey_id;
	rj.scenario = sc;
	rj.scens = NULL;
	rj.devices = dev;
	rj.ndevices = 1;
	board_set_state(b, BOARD_RUNNING, sc->name);
	b->runs_since_boot++;
	runner_run(b, &rj, &res);
	/* Not run: the store refused it, or the job's claim went stale (another host has it). */
	if (res.refused || res.stale) {
		board_set_state(b, BOARD_READY, "");
		util_strlcpy(stop, res.stale ? "its job was claimed again (its lease ran out while"
		    " the store was away): the survey stops here" : res.unrecorded, stoplen);
		runner_result_free(&res);
		cJSON_Delete(o);
		free(sc);
		return -1;
	}
	/* The last step failed: the node is not back under its name. Under another? */
	util_fmt(missing, sizeof(missing), "%s missing", dev->node);
	if (res.verdict == VERDICT_FAIL && strcmp(res.title, missing) == 0) {
		board_survey_nodes_now(b, d, now, sizeof(now));
		cJSON_AddStringToObject(o, "nodes_now", now);
		if (now[0])
			util_fmt(dev->node, sizeof(dev->node), "%.*s", (int)strcspn(now, " "), now);
	}
	cJSON_AddNumberToObject(o, "run", (double)res.run_id);
	cJSON_AddStringToObject(o, "scenario", sc->name);
	cJSON_AddStringToObject(o, "verdict", verdict_name(res.verdict));
	cJSON_AddStringToObject(o, "title", res.title);
	cJSON_AddStringToObject(o, "detail", res.detail ? res.detail : "");
	cJSON_AddStringToObject(o, "stack", res.stack ? res.stack : "");
	cJSON_AddItemToArray(seqs, o);
	/* The runner's own recovery: a hang or crash is power-cycled before the next sequence. */
	board_after_run(b, &rj, &res);
	board_unrecorded(b, &res);
	runner_result_free(&res);
	free(sc);
	if (board_state(b) != BOARD_READY) {
		pthread_mutex_lock(&b->lock);
		util_fmt(stop, stoplen, "board %s is %s after %s: %s", b->conf.name,
		    board_state_name(b->state), d->device, b->reason);
		pthread_mutex_unlock(&b->lock);
		return -1;
	}
	return 0;
}

/* A device's sequences, each a run, as one row; 0 to go on with the next device, -1 to stop. */
static int
board_survey_device(struct board *b, struct board_job *job, const struct survey_dev *d,
    cJSON *done, cJSON *rows, char *stop, size_t stoplen)
{
	struct conf_device dev = { 0 };
	cJSON *o = board_survey_row(d, SURVEY_ROW_RUN), *seqs = cJSON_CreateArray();
	unsigned mask = job->survey_seqs ? job->survey_seqs : SURVEY_SEQ_ALL;
	int q, rc = 0;

	util_strlcpy(dev.cls, d->cls, sizeof(dev.cls));
	util_strlcpy(dev.node, d->node, sizeof(dev.node));
	util_strlcpy(dev.bus, d->bus, sizeof(dev.bus));
	util_strlcpy(dev.driver, d->driver, sizeof(dev.driver));
	util_strlcpy(dev.device, d->device, sizeof(dev.device));
	cJSON_AddItemToObject(o, "sequences", seqs);
	for (q = 0; q < SURVEY_SEQ_COUNT && rc == 0; q++)
		if (mask & (1u << q))
			rc = board_survey_seq(b, job, d, (enum survey_seq)q, &dev, done, seqs,
			    stop, stoplen);
	/* A survey refused before its first run has no row of runs: the caller says why. */
	if (rc == -1 && cJSON_GetArraySize(seqs) == 0) {
		cJSON_Delete(o);
		o = board_survey_row(d, SURVEY_ROW_NOT_RUN);
		cJSON_AddStringToObject(o, "title", stop);
	} else if (rc == -1) {
		cJSON_AddStringToObject(o, "title", stop);
	}
	board_survey_emit(b, job, rows, o);
	return rc;
}

/* Runs the discovery script on the READY board: 0 with sv filled, -1 with err. */
static int
board_survey_discover(struct board *b, struct survey *sv, char *err, size_t errlen)
{
	char *out = xmalloc(BOARD_SURVEY_OUT), perr[512];
	int status = -1, rc;

	rc = b->ssh ? remote_run(b->ssh, survey_script, BOARD_SURVEY_DISCOVER_MS, &status, out,
	    BOARD_SURVEY_OUT) : -1;
	if (rc != 0 || status != 0) {
		util_fmt(err, errlen, "survey: discovery on %s %s", b->conf.name,
		    rc == 1 ? "did not end within its deadline" : rc == -1 ?
		    "lost its session" : "exited with an error");
		free(out);
		return -1;
	}
	if (survey_parse(out, sv, perr, sizeof(perr)) == -1) {
		util_fmt(err, errlen, "survey: discovery on %s: %s", b->conf.name, perr);
		free(out);
		return -1;
	}
	free(out);
	survey_exclude(sv, &b->conf);
	return 0;
}

/* A run of the survey resumed that ended with a verdict: its cell, by its scenario's name. */
static int
board_survey_done_one(const struct store_run_row *r, void *arg)
{
	cJSON *o;

	/* Cut short by the stop (closed as interrupted at the restart): run again. */
	if (r->state != RUN_DONE || (r->verdict == VERDICT_ERROR && r->title &&
	    strcmp(r->title, error_kind_name(ERROR_INTERRUPTED)) == 0))
		return 0;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "sequence", strrchr(r->scenario, '/') + 1);
	cJSON_AddNumberToObject(o, "run", (double)r->id);
	cJSON_AddStringToObject(o, "scenario", r->scenario);
	cJSON_AddStringToObject(o, "verdict", verdict_name(r->verdict));
	cJSON_AddStringToObject(o, "title", r->title ? r->title : "");
	cJSON_AddStringToObject(o, "detail", r->detail ? r->detail : "");
	cJSON_AddStringToObject(o, "stack", r->stack ? r->stack : "");
	cJSON_AddBoolToObject(o, "resumed", 1);
	cJSON_DeleteItemFromObject(arg, r->scenario);
	cJSON_AddItemToObject(arg, r->scenario, o);
	return 0;
}

/*
 * The survey's row in the store: a nightly job's survey begun before a restart, one of rigctl
 * queued again at the start (survey_resume.c), or a new one. Its ended runs into done (by
 * scenario name). 0, or -1 with err.
 */
static int
board_survey_begin(struct board *b, struct board_job *job, cJSON *done, char *err,
    size_t errlen)
{
	struct store_runs_filter f = { 0 };
	int64_t id;

	if (job->survey_id == 0 && job->queue_id > 0) {
		if ((id = store_survey_of_job(b->rigd->store, job->queue_id)) == -1)
			goto fail;
		job->survey_id = id;
	}
	if (job->survey_id == 0) {
		id = store_survey_begin(b->rigd->store, b->conf.name, job->build_id, job->uid,
		    job->classes, job->survey_seqs, job->queue_id);
		if (id == -1)
			goto fail;
		job->survey_id = id;
		return 0;
	}
	f.survey = job->survey_id;
	if (store_runs_list(b->rigd->store, &f, board_survey_done_one, done) == -1)
		goto fail;
	board_log(b, job, "survey %lld resumed: %d sequence(s) ended before the restart, not run"
	    " again", (long long)job->survey_id, cJSON_GetArraySize(done));
	return 0;
fail:
	util_fmt(err, errlen, "%s: the store cannot record the survey (%s): survey not started",
	    error_kind_name(ERROR_STORE), store_last_error());
	return -1;
}

/*
 * The survey's end stored: done, or stopped with why. A rigd stopping meanwhile leaves it
 * running, for its next start to resume.
 */
static void
board_survey_end(struct board *b, struct board_job *job, const char *stop)
{
	int stopping;

	pthread_mutex_lock(&b->lock);
	stopping = b->stopping;
	pthread_mutex_unlock(&b->lock);
	if (stopping)
		return;
	if (store_survey_end(b->rigd->store, job->survey_id, stop && stop[0] ? SURVEY_STOPPED :
	    SURVEY_DONE, stop) == -1)
		log_warnx("%s: survey %lld: its end not stored", b->conf.name,
		    (long long)job->survey_id);
}

int
board_do_survey(struct board *b, struct board_job *job, char *note, size_t notelen)
{
	struct survey sv = { 0 };
	char err[512] = "", stop[512] = "";
	int64_t t0 = util_now_ms();
	int i, n = 0, nrun = 0;
	cJSON *rows, *o, *done = cJSON_CreateObject();

	if (store_writable(b->rigd->store) == -1)
		util_fmt(err, sizeof(err), "%s: the store cannot record a run (%s): survey not"
		    " started", error_kind_name(ERROR_STORE), store_last_error());
	if (err[0] || board_survey_begin(b, job, done, err, sizeof(err)) == -1) {
		cJSON_Delete(done);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", error_kind_name(ERROR_STORE));
		board_survey_result(b, job, PROTO_FAILED, err, o);
		util_strlcpy(note, err, notelen);
		return -1;
	}
	if (board_use_build(b, job->build_id, err, sizeof(err)) == -1) {
		board_survey_result(b, job, PROTO_FAILED, err, NULL);
		util_fmt(note, notelen, "boot failed: %s", err);
		board_survey_end(b, job, note);
		cJSON_Delete(done);
		return -1;
	}
	/* A survey of the default build resumes on the build it began on. */
	if (job->build_id <= 0 && b->build_id > 0 &&
	    store_survey_build(b->rigd->store, job->survey_id, b->build_id) == -1)
		log_warnx("%s: survey %lld: its build not stored", b->conf.name,
		    (long long)job->survey_id);
	if (board_survey_discover(b, &sv, err, sizeof(err)) == -1) {
		log_warnx("%s: %s", b->conf.name, err);
		board_survey_result(b, job, PROTO_FAILED, err, NULL);
		util_strlcpy(note, err, notelen);
		board_survey_end(b, job, note);
		cJSON_Delete(done);
		return -1;
	}
	survey_exclude_risky(&sv, job->classes);
	rows = cJSON_CreateArray();
	for (i = 0; i < sv.ndevs; i++) {
		n += survey_class_selected(job->classes, sv.devs[i].cls);
		job->survey_rows += sv.devs[i].excluded[0] ||
		    survey_class_selected(job->classes, sv.devs[i].cls);
	}
	board_log(b, job, "survey of %s: %d device(s) with a driver and a character node or"
	    " needed by the board, %d of the classes asked for", b->conf.name, sv.ndevs, n);
	for (i = 0; i < sv.ndevs; i++) {
		const struct survey_dev *d = &sv.devs[i];

		/* What the survey never touches is always said, whatever classes were asked for. */
		if (d->excluded[0]) {
			o = board_survey_row(d, SURVEY_ROW_EXCLUDED);
			cJSON_AddStringToObject(o, "title", d->excluded);
			board_survey_emit(b, job, rows, o);
			continue;
		}
		if (!survey_class_selected(job->classes, d->cls))
			continue;
		if (stop[0]) {
			o = board_survey_row(d, SURVEY_ROW_NOT_RUN);
			cJSON_AddStringToObject(o, "title", stop);
			board_survey_emit(b, job, rows, o);
			continue;
		}
		if (board_survey_reserved(b, job, stop, sizeof(stop))) {
			o = board_survey_row(d, SURVEY_ROW_NOT_RUN);
			cJSON_AddStringToObject(o, "title", stop);
			board_survey_emit(b, job, rows, o);
			continue;
		}
		board_survey_device(b, job, d, done, rows, stop, sizeof(stop));
		cJSON_ArrayForEach(o, cJSON_GetObjectItem(cJSON_GetArrayItem(rows,
		    cJSON_GetArraySize(rows) - 1), "sequences"))
			nrun += cJSON_IsNumber(cJSON_GetObjectItem(o, "run"));
	}
	board_survey_end(b, job, stop);
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "survey", (double)job->survey_id);
	cJSON_AddNumberToObject(o, "resumed", cJSON_GetArraySize(done));
	cJSON_AddStringToObject(o, "build", b->release);
	cJSON_AddStringToObject(o, "version", b->version);
	cJSON_AddNumberToObject(o, "found", sv.ndevs);
	cJSON_AddNumberToObject(o, "runs", nrun);
	cJSON_AddNumberToObject(o, "duration_ms", (double)(util_now_ms() - t0));
	cJSON_AddItemToObject(o, "devices", rows);
	if (stop[0])
		cJSON_AddStringToObject(o, "stopped", stop);
	log_info("%s: survey: %d device(s), %d run(s) in %.1fs%s%s", b->conf.name, sv.ndevs, nrun,
	    (util_now_ms() - t0) / 1000.0, stop[0] ? "; stopped: " : "", stop);
	util_fmt(note, notelen, "survey: %d device(s), %d run(s)%s%s", sv.ndevs, nrun,
	    stop[0] ? "; stopped: " : "", stop);
	board_survey_result(b, job, PROTO_OK, NULL, o);
	survey_free(&sv);
	cJSON_Delete(done);
	return 0;
}
