/* board: one board's thread: its job queue, runs, power jobs and the nightly queue's turn, start and stop. */
#include "rigd.h"
#include "peer.h"
#include "log.h"
#include "parts.h"
#include "queue.h"
#include "storebuf.h"
#include "unrecorded.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void
board_result(struct board *b, struct board_job *job, const char *status, const char *error,
    cJSON *extra)
{
	cJSON *o = extra ? extra : cJSON_CreateObject();

	cJSON_AddStringToObject(o, "status", status);
	cJSON_AddStringToObject(o, "board", b->conf.name);
	if (error)
		cJSON_AddStringToObject(o, "error", error);
	board_post(b, job->client, PROTO_EV_RESULT, o);
}


/*
 * A run whose end the store refused leaves its board in FAULT until someone looks. One kept
 * while PostgreSQL is away does not: its end is stored when the connection is made again, and
 * the board goes on once it can claim jobs again (no person needed for a server's restart).
 */
void
board_unrecorded(struct board *b, const struct runner_result *res)
{
	if (res->store_away)
		log_info("%s: %s: the board goes on", b->conf.name, res->unrecorded);
	else if (res->unrecorded[0] && !board_stopping(b))
		board_set_state(b, BOARD_FAULT, res->unrecorded);
}

int
board_store_pause(struct board *b, int64_t *pause)
{
	struct timespec until;
	int stopping;

	util_deadline(&until, CLOCK_REALTIME, *pause);	/* b->cond's clock */
	pthread_mutex_lock(&b->lock);
	/* Woken by any broadcast (a job queued): the pause still runs out, unless rigd stops. */
	while (!b->stopping && pthread_cond_timedwait(&b->cond, &b->lock, &until) == 0)
		;
	stopping = b->stopping;
	pthread_mutex_unlock(&b->lock);
	*pause = *pause * 2 > BOARD_STORE_PAUSE_MAX_MS ? BOARD_STORE_PAUSE_MAX_MS : *pause * 2;
	return stopping;
}

void
board_run_result(struct board *b, struct board_job *job, const struct runner_result *res)
{
	cJSON *o = cJSON_CreateObject();

	if (res->refused) {
		cJSON_AddStringToObject(o, "kind", error_kind_name(res->error));
		board_result(b, job, PROTO_FAILED, res->unrecorded, o);
		return;
	}
	cJSON_AddNumberToObject(o, "run", (double)res->run_id);
	cJSON_AddStringToObject(o, "scenario", job->scenario->name);
	cJSON_AddStringToObject(o, "verdict", verdict_name(res->verdict));
	cJSON_AddStringToObject(o, "title", res->title);
	cJSON_AddStringToObject(o, "build", b->release);
	cJSON_AddStringToObject(o, "version", b->version);
	cJSON_AddStringToObject(o, "detail", res->detail ? res->detail : "");
	cJSON_AddStringToObject(o, "stack", res->stack ? res->stack : "");
	cJSON_AddStringToObject(o, "console_log", b->con.log);
	if (res->unrecorded[0])
		cJSON_AddStringToObject(o, "unrecorded", res->unrecorded);
	board_result(b, job, PROTO_OK, NULL, o);
}

static void
board_do_run(struct board *b, struct board_job *job)
{
	struct runner_result res;
	char err[512];
	cJSON *o;

	/* A store that takes no writes (read-only) cannot record the run: no boot for it. */
	if (store_writable(b->rigd->store) == -1) {
		util_fmt(err, sizeof(err), "%s: the store cannot record a run (%s): %s not started",
		    error_kind_name(ERROR_STORE), store_last_error(), job->scenario->name);
		log_warnx("%s: %s", b->conf.name, err);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", error_kind_name(ERROR_STORE));
		board_result(b, job, PROTO_FAILED, err, o);
		return;
	}
	if (board_use_build(b, job->build_id, err, sizeof(err)) == -1) {
		board_result(b, job, PROTO_FAILED, err, NULL);
		return;
	}
	/* Poweroff scenarios must not inherit what an earlier run left in the kernel. */
	if (job->scenario->fresh_boot && b->runs_since_boot > 0) {
		board_log(b, job, "fresh boot for %s", job->scenario->name);
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
	if (res.refused) {
		/* Nothing ran: the board is as it was; the client learns why and what kind. */
		board_set_state(b, BOARD_READY, "");
		board_run_result(b, job, &res);
		runner_result_free(&res);
		return;
	}
	/* A person watching sees the recovery as it happens, then the verdict (proto.h). */
	if (job->progress) {
		board_after_run(b, job, &res);
		board_run_result(b, job, &res);
	} else {
		board_run_result(b, job, &res);
		board_after_run(b, job, &res);
	}
	board_unrecorded(b, &res);
	runner_result_free(&res);
}

/*
 * A run or power job a client queued before the board was reserved by someone else: refused
 * when its turn comes, as it would be asked now (reserve.c). The rig's own jobs (no client) go on.
 */
static int
board_job_reserved(struct board *b, struct board_job *job)
{
	struct peer p = { .uid = job->uid, .gid = -1, .pid = -1 };
	enum error_kind kind;
	char msg[512];
	cJSON *o;

	if (job->client == 0 || (job->kind != JOB_RUN && job->kind != JOB_POWER &&
	    job->kind != JOB_SURVEY))
		return 0;
	p.role = peer_role_of_user(job->uid);
	kind = reserve_check(b->rigd, b->conf.name, &p, job->kind != JOB_POWER ? "run on it" :
	    "power it", msg, sizeof(msg), NULL);
	if (kind == ERROR_NONE)
		return 0;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "kind", error_kind_name(kind));
	board_result(b, job, kind == ERROR_RESERVED ? PROTO_BUSY : PROTO_FAILED, msg, o);
	return 1;
}

static void
board_do_power(struct board *b, struct board_job *job)
{
	char err[512];
	int rc = 0;

	if (strcmp(job->action, "off") == 0 || strcmp(job->action, "cycle") == 0) {
		board_power_off(b);
		/* A supply left unknown (a PDU command failed) is no OFF board: its error says why. */
		if (b->power != NULL && power_state(b->power, err, sizeof(err)) == POWER_UNKNOWN) {
			board_set_state(b, BOARD_FAULT, err);
			rc = -1;
		} else
			board_set_state(b, BOARD_OFF, job->action);
	}
	if (rc == 0 && (strcmp(job->action, "on") == 0 || strcmp(job->action, "cycle") == 0))
		rc = board_ready(b);
	pthread_mutex_lock(&b->lock);
	board_result(b, job, rc == 0 ? PROTO_OK : PROTO_FAILED, rc == 0 ? NULL : b->reason,
	    NULL);
	pthread_mutex_unlock(&b->lock);
}

/*
 * rigctl board forget-key: the pinned host key is dropped; the next connection pins the one the
 * board shows. A board out of service for a changed key is OFF again, to be powered on.
 */
static void
board_do_forget_key(struct board *b, struct board_job *job)
{
	int n = store_hostkey_forget(b->rigd->store, b->conf.name);
	enum error_kind fault;
	cJSON *o;

	if (n == -1) {
		board_result(b, job, PROTO_FAILED, "the store could not drop the key", NULL);
		return;
	}
	pthread_mutex_lock(&b->lock);
	b->host_key[0] = '\0';
	fault = b->state == BOARD_FAULT ? b->fault : ERROR_NONE;
	pthread_mutex_unlock(&b->lock);
	if (fault == ERROR_HOST_KEY_CHANGED)
		board_set_state(b, BOARD_OFF, "host key forgotten: the next connection pins the"
		    " board's key");
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "forgotten", n > 0);
	board_result(b, job, PROTO_OK, NULL, o);
}

/* Idle with a part missing: once it is here (the adapter plugged in), the board is served. */
static void
board_reprobe(struct board *b)
{
	char why[512];
	int here = board_probe(b, why, sizeof(why)) == 0;

	if (here && b->boot_when_back) {
		/* It was to be on (a recovery after its adapter went away): it boots again now. */
		log_info("%s: its parts are on this host again: booting", b->conf.name);
		board_boot(b, BOARD_BOOTING);
	} else if (here)
		board_set_state(b, BOARD_OFF, "its parts are on this host now");
	else	/* what is missing may change: the adapter back, the PDU tool still not there */
		board_set_state(b, BOARD_FAULT, why);
}

/*
 * Why a board whose lease ended is only switched off, not booted (NULL: it is booted): a boot
 * would wait for a person at its switch, keeping the board from everyone meanwhile; a local boot
 * starts whatever the holder left on the board's storage, no known build; and a board no boot
 * was tried on since the lease began (OFF now) ran nothing of the holder's: it is as it was.
 */
static const char *
board_reset_off_why(struct board *b, const struct store_reservation *res)
{
	if (power_asks_person(b->power))
		return "its power is switched by a person: a boot would wait for one";
	if (strcmp(boot_name(b->boot), "local") == 0)
		return "boot.method local boots what the board's storage holds, no known build";
	if (board_state(b) == BOARD_OFF && b->boot_tried_ms < res->start_ms)
		return "no boot during the lease: nothing of the holder's ran";
	return NULL;
}

/* The reset of lease id (b->reset_*) into the store: 1, or 0 when it refused (tried again later). */
static int
board_lease_reset_record(struct board *b, int64_t id)
{
	if (store_reservation_reset_done(b->rigd->store, b->conf.name, b->reset_upto, util_wall_ms(),
	    b->reset_outcome, b->reset_detail) == -1) {
		/* Recorded at a later turn, not done again: the jobs go on meanwhile. */
		if (b->reset_unstored != id)
			log_warnx("%s: reset after reservation %lld not stored", b->conf.name,
			    (long long)id);
		b->reset_unstored = id;
		return 0;
	}
	b->reset_unstored = 0;
	return 1;
}

/*
 * A lease ended (or was released): before anyone else gets the board (the next holder, a
 * queued run, the nightly queue), it is power cycled and boots its default build (boot.kernel)
 * to READY, as any boot, so nothing the holder left behind (a kernel, a half-done experiment,
 * a wedged device) meets the next user, and a board the holder broke is found now (FAULT, the
 * boot's reason) rather than by the next user. Jobs queued meanwhile wait: this is the board's
 * thread. How it ended is recorded with the lease. 1 when one was reset (the caller looks again
 * before taking a job).
 */
static int
board_lease_reset(struct board *b)
{
	struct store_reservation res;
	enum lease_reset outcome;
	int64_t now = util_wall_ms();
	char doing[128], done[128], why[640], name[64], err[256];
	const char *off;
	int rc = store_reservation_reset_due(b->rigd->store, b->conf.name, now, &res);

	if (rc != 1)
		return 0;
	if (res.id == b->reset_unstored)
		return board_lease_reset_record(b, res.id);
	peer_user_name(res.uid, name, sizeof(name));
	util_fmt(doing, sizeof(doing), "resetting after reservation %lld of %s: ",
	    (long long)res.id, name);
	util_fmt(done, sizeof(done), "reset after reservation %lld of %s: ", (long long)res.id,
	    name);
	log_info("%s: %sits lease is over", b->conf.name, doing);
	if (board_state(b) == BOARD_FAULT || b->power == NULL) {
		/*
		 * Out of service stays so (a changed host key, a part gone, one this rigd lacks):
		 * only switched off.
		 */
		if (!board_missing_part(b))
			board_power_off(b);
		outcome = LEASE_RESET_FAULT;
	} else {
		off = board_reset_off_why(b, &res);
		board_power_off(b);
		pthread_mutex_lock(&b->lock);
		b->build_id = -1;
		pthread_mutex_unlock(&b->lock);
		b->runs_since_boot = 0;
		if (power_state(b->power, err, sizeof(err)) == POWER_UNKNOWN) {
			util_fmt(why, sizeof(why), "%s%s", done, err);
			board_set_state(b, BOARD_FAULT, why);
			outcome = LEASE_RESET_FAULT;
		} else if (off != NULL) {
			util_fmt(why, sizeof(why), "%sswitched off (%s)", done, off);
			board_set_state(b, BOARD_OFF, why);
			outcome = LEASE_RESET_OFF;
		} else {
			util_fmt(why, sizeof(why), "%spower off", doing);
			board_set_state(b, BOARD_OFF, why);
			/* The board's own kernel, whatever build the lease or a job left it with. */
			util_strlcpy(b->boot_package, b->conf.kernel_package, sizeof(b->boot_package));
			b->boot_build = 0;
			b->boot_why = "reset";
			util_strlcpy(b->boot_doing, doing, sizeof(b->boot_doing));
			util_strlcpy(b->boot_done, done, sizeof(b->boot_done));
			rc = board_boot(b, BOARD_BOOTING);
			b->boot_why = "power on";
			b->boot_doing[0] = b->boot_done[0] = '\0';
			/* Stopped midway: done at the next start (the board is off with rigd). */
			if (rc == -1 && board_stopping(b))
				return 0;
			outcome = rc == 0 ? LEASE_RESET_READY : LEASE_RESET_FAULT;
		}
	}
	pthread_mutex_lock(&b->lock);
	util_strlcpy(b->reset_detail, b->reason, sizeof(b->reset_detail));
	pthread_mutex_unlock(&b->lock);
	b->reset_upto = now;
	b->reset_outcome = outcome;
	return board_lease_reset_record(b, res.id);
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
		if (b->console_lost || b->console_missing) {
			/* A lost line is looked for at a bounded rate, not in a spin. */
			until.tv_nsec += CONSOLE_RETRY_MS * 1000000L;
			until.tv_sec += until.tv_nsec / 1000000000L;
			until.tv_nsec %= 1000000000L;
		} else {
			until.tv_sec += 2;
		}
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
		pthread_mutex_unlock(&b->lock);
		/*
		 * A lease over: the board is reset before any job, the nightly's or a client's;
		 * then looked at again at once (the wake-up that brought a job here was taken
		 * before the reset: without this the job waited for the next 2-s look).
		 */
		if (board_lease_reset(b)) {
			pthread_mutex_lock(&b->lock);
			b->queue_poke = 1;
			pthread_mutex_unlock(&b->lock);
			continue;
		}
		pthread_mutex_lock(&b->lock);
		job = b->jobs;
		if (job) {
			b->jobs = job->next;
			if (b->jobs == NULL)
				b->jobs_tail = NULL;
			b->njobs--;
		}
		pthread_mutex_unlock(&b->lock);
		board_console_watch(b);

		if (job) {
			b->job_client = job->client;
			if (board_job_reserved(b, job))
				;	/* answered */
			else if (job->kind == JOB_RUN)
				board_do_run(b, job);
			else if (job->kind == JOB_SURVEY)
				board_do_survey(b, job, NULL, 0);
			else if (job->kind == JOB_FORGET_KEY)
				board_do_forget_key(b, job);
			else
				board_do_power(b, job);
			b->job_client = 0;
			board_job_free(job);
			continue;
		}
		/* Run ends the store refused earlier: stored as soon as it takes them. */
		unrecorded_retry(b->rigd->store);
		/* A lost console line is board_console_watch's to bring back, not this. */
		if (board_missing_part(b) && board_state(b) == BOARD_FAULT && !b->console_lost &&
		    !board_stopping(b)) {
			board_reprobe(b);
			continue;
		}
		/*
		 * A reserved board is its holder's: the night waits (checked again within 2 s),
		 * and only lab runs are taken (the holder's, asked on another host).
		 */
		if (board_state(b) != BOARD_FAULT && !board_stopping(b) &&
		    board_nightly_take(b, &qj) == 1) {
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
 * What the power part did (a command's exit status and stderr): into the board's event log,
 * as an event that leaves the state as it is.
 */
static void
board_power_report(void *arg, const char *msg)
{
	struct board *b = arg;
	const char *state = board_state_name(board_state(b));
	cJSON *o;

	log_info("%s: %s", b->conf.name, msg);
	storebuf_board_event(b->rigd->store, b->conf.name, state, state, msg);
	/* Whoever waits on the board sees it too: the job's client, and its console's watchers. */
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "board", b->conf.name);
	cJSON_AddStringToObject(o, "msg", msg);
	if (b->job_client != 0)
		board_post(b, b->job_client, PROTO_EV_LOG, cJSON_Duplicate(o, 1));
	if (b->rigd->sink.watchers != NULL)
		b->rigd->sink.watchers(b->rigd->sink.arg, b, PROTO_EV_LOG, o);
	else
		cJSON_Delete(o);
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

	if (parts_resolve(&b->conf, &b->ops, &errs) == -1) {
		util_strlcpy(b->refused, errs.msg[0], sizeof(b->refused));
		conf_errors_free(&errs);
		return;
	}
	ops = b->ops;
	b->boot = boot_new(ops.boot, &b->conf, &env, err, sizeof(err));
	b->console = b->boot ? console_part_new(ops.console, &b->conf, err, sizeof(err)) : NULL;
	b->power = b->console ? power_new(ops.power, &b->conf, r->statedir, err, sizeof(err)) :
	    NULL;
	if (b->power != NULL)
		power_set_report(b->power, board_power_report, b);
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
	pthread_condattr_t ca;

	b->rigd = r;
	b->conf = *conf;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->cond, NULL);
	/* The boot part's waits for console text have deadlines on the monotonic clock. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&b->con_cond, &ca);
	pthread_condattr_destroy(&ca);
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
	} else if (board_probe(b, b->reason, sizeof(b->reason)) == -1) {
		/* Served once its part is here: each boot asked for, and the idle thread, look. */
		log_warnx("%s: not on this host: %s", conf->name, b->reason);
		b->state = BOARD_FAULT;
	}
	if (store_board_set(r->store, conf->name, conf->arch, board_state_name(b->state),
	    b->state == BOARD_FAULT ? b->reason : "rigd started") == -1)
		log_warnx("%s: state %s not stored", conf->name, board_state_name(b->state));
	return b;
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


void
board_job_free(struct board_job *job)
{
	scenset_release(job->scens);
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
