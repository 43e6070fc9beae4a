/* board: one board's state machine, its thread and job queue, runs and recovery. */
#include "rigd.h"
#include "log.h"
#include "parts.h"
#include "queue.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *board_state_names[] = {
	[BOARD_OFF] = "OFF",
	[BOARD_BOOTING] = "BOOTING",
	[BOARD_READY] = "READY",
	[BOARD_RUNNING] = "RUNNING",
	[BOARD_HUNG] = "HUNG",
	[BOARD_CRASHED] = "CRASHED",
	[BOARD_DEAD] = "DEAD",
	[BOARD_RECOVERING] = "RECOVERING",
	[BOARD_FAULT] = "FAULT",
};

const char *
board_state_name(enum board_state s)
{
	return s < UTIL_NELEM(board_state_names) ? board_state_names[s] : "?";
}

/* Under the board's lock: the new state; returns the old one, or -1 when nothing changed. */
static int
board_set_state_locked(struct board *b, enum board_state s, const char *reason)
{
	enum board_state from = b->state;

	if (b->state == s && strcmp(b->reason, reason ? reason : "") == 0)
		return -1;
	b->state = s;
	util_strlcpy(b->reason, reason ? reason : "", sizeof(b->reason));
	return (int)from;
}

enum board_state
board_state(struct board *b)
{
	enum board_state s;

	pthread_mutex_lock(&b->lock);
	s = b->state;
	pthread_mutex_unlock(&b->lock);
	return s;
}

/* Only the board's thread changes its state: the store is written after the lock is let go. */
void
board_set_state(struct board *b, enum board_state s, const char *reason)
{
	int from;

	pthread_mutex_lock(&b->lock);
	from = board_set_state_locked(b, s, reason);
	pthread_mutex_unlock(&b->lock);
	if (from == -1)
		return;
	log_info("%s: %s -> %s%s%s", b->conf.name, board_state_name((enum board_state)from),
	    board_state_name(s), reason ? ": " : "", reason ? reason : "");
	store_board_event(b->rigd->store, b->conf.name, board_state_name((enum board_state)from),
	    board_state_name(s), reason);
	store_board_set(b->rigd->store, b->conf.name, b->conf.arch, board_state_name(s), reason);
}

cJSON *
board_describe(struct board *b)
{
	cJSON *o = cJSON_CreateObject();
	char classes[256] = "";
	int i;

	for (i = 0; i < b->conf.ndevices; i++) {
		if (i)
			strncat(classes, " ", sizeof(classes) - strlen(classes) - 1);
		strncat(classes, b->conf.devices[i].cls, sizeof(classes) - strlen(classes) - 1);
	}
	pthread_mutex_lock(&b->lock);
	cJSON_AddStringToObject(o, "name", b->conf.name);
	cJSON_AddStringToObject(o, "arch", b->conf.arch);
	cJSON_AddStringToObject(o, "state", board_state_name(b->state));
	cJSON_AddStringToObject(o, "reason", b->reason);
	cJSON_AddStringToObject(o, "classes", classes);
	cJSON_AddNumberToObject(o, "queued", b->njobs);
	cJSON_AddStringToObject(o, "release", b->release);
	cJSON_AddStringToObject(o, "console_log", b->con.log);
	cJSON_AddNumberToObject(o, "console_bytes", (double)b->con.bytes);
	pthread_mutex_unlock(&b->lock);
	return o;
}

static void
board_emit(struct board *b, struct board_job *job, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
board_emit(struct board *b, struct board_job *job, const char *type, const char *fmt, ...)
{
	cJSON *o;
	char msg[1024];
	va_list ap;

	if (job->client == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", type);
	cJSON_AddStringToObject(o, "board", b->conf.name);
	cJSON_AddStringToObject(o, "msg", msg);
	control_post(b->rigd, job->client, o);
}

static void
board_result(struct board *b, struct board_job *job, const char *status, const char *error,
    cJSON *extra)
{
	cJSON *o = extra ? extra : cJSON_CreateObject();

	if (job->client == 0) {
		cJSON_Delete(o);
		return;
	}
	cJSON_AddStringToObject(o, "type", "result");
	cJSON_AddStringToObject(o, "status", status);
	cJSON_AddStringToObject(o, "board", b->conf.name);
	if (error)
		cJSON_AddStringToObject(o, "error", error);
	control_post(b->rigd, job->client, o);
}

/* After a hang, crash or lab error: power cycle and boot so the next run starts clean. */
static void
board_recover(struct board *b, struct board_job *job, int64_t run_id)
{
	int64_t t0 = util_now_ms();
	int rc;

	/* rigd is stopping: the board is powered off with it, not brought back. */
	if (board_stopping(b))
		return;
	board_set_state(b, BOARD_RECOVERING, "power cycle");
	board_emit(b, job, "log", "recovering the board (power cycle)");
	board_power_off(b);
	rc = board_boot(b, BOARD_RECOVERING);
	if (run_id > 0)
		store_run_recovery(b->rigd->store, run_id, util_now_ms() - t0,
		    rc == 0 ? "ready" : "fault");
	board_emit(b, job, "log", "recovery %s after %.1fs", rc == 0 ? "done" : "failed",
	    (util_now_ms() - t0) / 1000.0);
}

/* After a run: READY again, or recovered when a step or the verdict left the board in doubt. */
void
board_after_run(struct board *b, struct board_job *job, struct runner_result *res)
{
	if ((strcmp(res->verdict, "pass") == 0 || strcmp(res->verdict, "fail") == 0) &&
	    !res->needs_boot) {
		board_set_state(b, BOARD_READY, "");
	} else if (strcmp(res->verdict, "pass") == 0 || strcmp(res->verdict, "fail") == 0) {
		board_recover(b, job, res->run_id);
	} else {
		enum board_state s = strcmp(res->verdict, "hang") == 0 ? BOARD_HUNG :
		    strcmp(res->verdict, "crash") == 0 ? BOARD_CRASHED : BOARD_DEAD;
		board_set_state(b, s, res->title);
		board_recover(b, job, res->run_id);
	}
}

static void
board_do_run(struct board *b, struct board_job *job)
{
	struct runner_result res;
	char err[512];
	cJSON *o;

	if (board_use_build(b, job->build_id, err, sizeof(err)) == -1) {
		board_result(b, job, PROTO_FAILED, err, NULL);
		return;
	}
	/* Poweroff scenarios must not inherit what an earlier run left in the kernel. */
	if (job->scenario->fresh_boot && b->runs_since_boot > 0) {
		board_emit(b, job, "log", "fresh boot for %s", job->scenario->name);
		board_power_off(b);
		if (board_boot(b, BOARD_BOOTING) == -1) {
			pthread_mutex_lock(&b->lock);
			board_result(b, job, PROTO_FAILED, b->reason, NULL);
			pthread_mutex_unlock(&b->lock);
			return;
		}
	}
	board_set_state(b, BOARD_RUNNING, job->scenario->name);
	b->runs_since_boot++;
	runner_run(b, job, &res);
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "run", (double)res.run_id);
	cJSON_AddStringToObject(o, "scenario", job->scenario->name);
	cJSON_AddStringToObject(o, "verdict", res.verdict);
	cJSON_AddStringToObject(o, "title", res.title);
	cJSON_AddStringToObject(o, "build", b->release);
	cJSON_AddStringToObject(o, "version", b->version);
	cJSON_AddStringToObject(o, "detail", res.detail ? res.detail : "");
	cJSON_AddStringToObject(o, "stack", res.stack ? res.stack : "");
	cJSON_AddStringToObject(o, "console_log", b->con.log);
	board_result(b, job, PROTO_OK, NULL, o);
	board_after_run(b, job, &res);
	runner_result_free(&res);
}

static void
board_do_power(struct board *b, struct board_job *job)
{
	int rc = 0;

	if (strcmp(job->action, "off") == 0 || strcmp(job->action, "cycle") == 0) {
		board_power_off(b);
		board_set_state(b, BOARD_OFF, job->action);
	}
	if (strcmp(job->action, "on") == 0 || strcmp(job->action, "cycle") == 0)
		rc = board_ready(b);
	pthread_mutex_lock(&b->lock);
	board_result(b, job, rc == 0 ? PROTO_OK : PROTO_FAILED, rc == 0 ? NULL : b->reason,
	    NULL);
	pthread_mutex_unlock(&b->lock);
}

static void *
board_main(void *arg)
{
	struct board *b = arg;

	for (;;) {
		struct board_job *job;
		struct queue_job qj;
		struct timespec until;

		pthread_mutex_lock(&b->lock);
		/* Interactive jobs come first; the nightly queue is looked at when none wait. */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 2;
		while (b->jobs == NULL && !b->stopping && !b->queue_poke)
			if (pthread_cond_timedwait(&b->cond, &b->lock, &until) != 0)
				break;
		b->queue_poke = 0;
		if (b->stopping) {
			/* Jobs still queued end with the daemon; their clients are gone with it. */
			while ((job = b->jobs) != NULL) {
				b->jobs = job->next;
				board_job_free(job);
			}
			b->jobs_tail = NULL;
			b->njobs = 0;
			pthread_mutex_unlock(&b->lock);
			break;
		}
		job = b->jobs;
		if (job) {
			b->jobs = job->next;
			if (b->jobs == NULL)
				b->jobs_tail = NULL;
			b->njobs--;
		}
		pthread_mutex_unlock(&b->lock);

		if (job) {
			if (job->kind == JOB_RUN)
				board_do_run(b, job);
			else
				board_do_power(b, job);
			board_job_free(job);
			continue;
		}
		if (board_state(b) != BOARD_FAULT && !board_stopping(b) &&
		    queue_claim(b->rigd->store, b->conf.name, b->build_id, &qj) == 1) {
			board_do_queue(b, &qj);
			/* The next job, at once: a night is a row of jobs, not a poll per job. */
			pthread_mutex_lock(&b->lock);
			b->queue_poke = 1;
			pthread_mutex_unlock(&b->lock);
		}
	}
	board_power_off(b);
	return NULL;
}

/*
 * The board's parts, made from the backends its file names. One this rigd lacks leaves the
 * board refused (FAULT with "file:line: ..."): the other boards are served all the same.
 */
static void
board_parts(struct board *b)
{
	struct rigd *r = b->rigd;
	struct boot_env env = { r->statedir, r->firmwaredir, r->cachedir, r->keyfile };
	struct conf_errors errs = { 0 };
	struct parts_ops ops;
	char err[256];

	if (parts_resolve(&b->conf, &ops, &errs) == -1) {
		util_strlcpy(b->refused, errs.msg[0], sizeof(b->refused));
		conf_errors_free(&errs);
		return;
	}
	b->boot = boot_new(ops.boot, &b->conf, &env, err, sizeof(err));
	b->console = b->boot ? console_part_new(ops.console, &b->conf, err, sizeof(err)) : NULL;
	b->power = b->console ? power_new(ops.power, &b->conf, r->statedir, err, sizeof(err)) :
	    NULL;
	if (b->power == NULL) {
		util_fmt(b->refused, sizeof(b->refused), "%s: %s", b->conf.file, err);
		console_part_free(b->console);
		boot_free(b->boot);
		b->console = NULL;
		b->boot = NULL;
	}
}

struct board *
board_new(struct rigd *r, const struct board_conf *conf)
{
	struct board *b = xcalloc(1, sizeof(*b));

	b->rigd = r;
	b->conf = *conf;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->cond, NULL);
	b->state = BOARD_OFF;
	b->con.fd = -1;
	b->con.log_fd = -1;
	b->run_id = -1;
	b->build_id = -1;
	util_strlcpy(b->boot_package, conf->kernel_package, sizeof(b->boot_package));
	b->boot_why = "power on";
	board_parts(b);
	if (b->power == NULL) {
		log_warnx("%s", b->refused);
		b->state = BOARD_FAULT;
		util_strlcpy(b->reason, b->refused, sizeof(b->reason));
		store_board_set(r->store, conf->name, conf->arch, "FAULT", b->refused);
	} else
		store_board_set(r->store, conf->name, conf->arch, "OFF", "rigd started");
	return b;
}

int
board_alive(struct board *b)
{
	return b->power != NULL && power_alive(b->power);
}

int
board_stopping(struct board *b)
{
	int s;

	pthread_mutex_lock(&b->lock);
	s = b->stopping;
	pthread_mutex_unlock(&b->lock);
	return s;
}

int
board_start(struct board *b)
{
	return pthread_create(&b->thread, NULL, board_main, b) == 0 ? 0 : -1;
}

void
board_stop_begin(struct board *b)
{
	pthread_mutex_lock(&b->lock);
	b->stopping = 1;
	pthread_mutex_unlock(&b->lock);
	pthread_cond_broadcast(&b->cond);
}

void
board_cut(struct board *b)
{
	if (b->power)
		power_cut(b->power);
}

void
board_stop(struct board *b)
{
	board_stop_begin(b);
	pthread_join(b->thread, NULL);
}

int
board_queued(struct board *b)
{
	int n;

	pthread_mutex_lock(&b->lock);
	n = b->njobs;
	pthread_mutex_unlock(&b->lock);
	return n;
}

void
board_job_free(struct board_job *job)
{
	rigd_scens_release(job->scens);
	free(job);
}

int
board_enqueue(struct board *b, struct board_job *job)
{
	int pos;

	pthread_mutex_lock(&b->lock);
	job->next = NULL;
	if (b->jobs_tail)
		b->jobs_tail->next = job;
	else
		b->jobs = job;
	b->jobs_tail = job;
	pos = b->njobs++;
	pthread_mutex_unlock(&b->lock);
	pthread_cond_broadcast(&b->cond);
	return pos;
}
