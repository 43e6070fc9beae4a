/* board_nightly: a board's share of the nightly queue: one job, its build booted, retried or confirmed. */
#include "rigd.h"
#include "queue.h"
#include "log.h"
#include "peer.h"
#include "protect.h"
#include "report.h"
#include "store.h"
#include "storebuf.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BOARD_NIGHTLY_HISTORY	10	/* runs a scenario's time is estimated from */
#define BOARD_NIGHTLY_LOOK	64	/* queued jobs looked at for one that fits */

/*
 * Records a run that never started (its build did not boot): the matrix shows why. uid: whose
 * (a lab run's caller), 0 the rig's own (the nightly's).
 */
static void
board_record_error(struct board *b, const char *scenario, int64_t build, long uid,
    enum error_kind kind, const char *detail)
{
	struct store_run_end e = { 0 };
	int64_t run;

	run = store_run_begin(b->rigd->store, b->conf.name, scenario, build, uid, b->con.log, 0);
	e.verdict = VERDICT_ERROR;
	util_strlcpy(e.title, error_kind_name(kind), sizeof(e.title));
	e.detail = detail;
	if (run == -1 || store_run_end(b->rigd->store, run, &e) == -1)
		log_warnx("%s: %s: error run not stored (%s)", b->conf.name, scenario,
		    error_kind_name(kind));
}

/* A lab run's job that ends before its scenario ran: its caller hears why (none: nothing). */
static void
board_labrun_failed(struct board *b, struct board_job *job, enum error_kind kind,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
board_labrun_failed(struct board *b, struct board_job *job, enum error_kind kind,
    const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	cJSON *o;

	if (job->client == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "kind", error_kind_name(kind));
	board_result(b, job, PROTO_FAILED, msg, o);
}

/*
 * A lab run's caller judged against the board's reservation now, by the uid the job carries,
 * as a local run's client is when its turn comes (board_job_reserved, peer role by the user
 * database): 1 refused (its caller told, the job ended), 0 it may go on. A job queued before
 * uids were carried (-1) is nobody's: refused while the board is reserved, as all were then.
 */
static int
board_labrun_reserved(struct board *b, struct board_job *job, struct queue_job *qj, long uid)
{
	struct peer p = { .uid = uid, .gid = -1, .pid = -1 };
	enum error_kind kind;
	char msg[512];
	cJSON *o;

	p.role = uid < 0 ? PEER_MEMBER : peer_role_of_user(uid);
	kind = reserve_check(b->rigd, b->conf.name, &p, "run on it", msg, sizeof(msg), NULL);
	if (kind == ERROR_NONE)
		return 0;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "kind", error_kind_name(kind));
	board_result(b, job, kind == ERROR_RESERVED ? PROTO_BUSY : PROTO_FAILED, msg, o);
	storebuf_queue_end(b->rigd->store, b->conf.name, qj->id, qj->claim, QUEUE_ERROR, msg, 0);
	return 1;
}

/* The queued jobs of a board's build that did not boot, read whole before any is ended. */
struct board_pending {
	int64_t	*ids;
	char	**scenarios;
	int	 n;
};

static int
board_pending_add(const struct store_queue_row *q, void *arg)
{
	struct board_pending *p = arg;

	p->ids = xrealloc(p->ids, (size_t)(p->n + 1) * sizeof(*p->ids));
	p->scenarios = xrealloc(p->scenarios, (size_t)(p->n + 1) * sizeof(*p->scenarios));
	p->ids[p->n] = q->id;
	p->scenarios[p->n++] = xstrdup(q->scenario ? q->scenario : "?");
	return 0;
}

/*
 * A scenario's longest by its own file: each step's timeout (a sleep's duration) in a row. What
 * a job is guessed to take before the scenario ever ran on the board.
 */
static int64_t
board_scenario_bound(const struct scenario *sc)
{
	int64_t ms = 0;
	int i;

	for (i = 0; i < sc->nsteps; i++)
		ms += sc->steps[i].timeout_ms;
	return ms;
}

/*
 * How long a job is expected to hold the board: its scenario's p90 over the last runs here
 * (queue_estimate_ms), with a boot (its bound, the board's boot timeout) unless the board
 * runs the build already. how says which ("p90 of its last 7 runs here", "its steps' timeouts,
 * never run here").
 */
static int64_t
board_job_estimate(struct board *b, const struct scenset *set, const struct store_queue_row *q,
    char *how, size_t howlen)
{
	const struct scenario *sc = scenset_find(set, q->scenario ? q->scenario : "");
	int64_t recent[BOARD_NIGHTLY_HISTORY], ms;
	int n = store_run_durations(b->rigd->store, b->conf.name, q->scenario ? q->scenario : "",
	    BOARD_NIGHTLY_HISTORY, recent);

	if (n > 0)
		util_fmt(how, howlen, "p90 of its last %d runs here", n);
	else
		util_fmt(how, howlen, "its steps' timeouts, never run here");
	ms = queue_estimate_ms(recent, n > 0 ? n : 0, sc ? board_scenario_bound(sc) : 0);
	pthread_mutex_lock(&b->lock);
	if (b->build_id != q->build_id || b->release[0] == '\0')
		ms += b->conf.boot_timeout_ms;
	pthread_mutex_unlock(&b->lock);
	return ms;
}

struct board_candidates {
	int64_t	 ids[BOARD_NIGHTLY_LOOK], builds[BOARD_NIGHTLY_LOOK];
	char	 scen[BOARD_NIGHTLY_LOOK][64];
	int	 n;
};

static int
board_candidate(const struct store_queue_row *q, void *arg)
{
	struct board_candidates *c = arg;

	c->ids[c->n] = q->id;
	c->builds[c->n] = q->build_id;
	util_strlcpy(c->scen[c->n], q->scenario ? q->scenario : "", sizeof(c->scen[0]));
	return ++c->n == BOARD_NIGHTLY_LOOK;
}

int
board_nightly_claim(struct board *b, struct queue_job *qj)
{
	struct store *st = b->rigd->store;
	struct board_candidates c = { .n = 0 };
	struct store_queue_row q = { 0 };
	struct scenset *set;
	int64_t now = util_wall_ms(), next, est, build;
	char how[64], note[256], t[32];
	int i, rc = 0;

	pthread_mutex_lock(&b->lock);
	build = b->build_id;
	pthread_mutex_unlock(&b->lock);
	if ((next = store_reservation_next_start(st, b->conf.name, now)) == -1)
		return -1;	/* when the board is wanted next is unknown: no job starts */
	if (next == 0)
		return queue_claim(st, b->conf.name, build, qj);
	if (store_queue_candidates(st, b->conf.name, build, BOARD_NIGHTLY_LOOK, board_candidate,
	    &c) == -1)
		return -1;
	set = scenset_hold(b->rigd);
	for (i = 0; i < c.n && rc == 0; i++) {
		q.id = c.ids[i];
		q.build_id = c.builds[i];
		q.scenario = c.scen[i];
		est = board_job_estimate(b, set, &q, how, sizeof(how));
		if (now + est <= next)
			rc = store_queue_claim_id(st, c.ids[i], qj);
		else if (i == 0) {
			/* Said once per change on the first in line: show queue tells why it waits. */
			util_fmt(note, sizeof(note), "job %lld waits: estimated %lld s (%s), the"
			    " board's next reservation begins at %s", (long long)c.ids[i],
			    (long long)((est + 999) / 1000), how, util_iso_time(next, t, sizeof(t)));
			if (strcmp(note, b->nightly_note) != 0 &&
			    store_queue_note(st, c.ids[i], note) == 0)
				util_strlcpy(b->nightly_note, note, sizeof(b->nightly_note));
		}
	}
	scenset_release(set);
	return rc;
}

int
board_nightly_take(struct board *b, struct queue_job *qj)
{
	int64_t id;
	int rc = store_reservation_at(b->rigd->store, b->conf.name, util_wall_ms(), NULL);

	/* Who holds the board unknown (the store failed): nothing is taken, looked at again. */
	if (rc == -1)
		return -1;
	if (rc == 0)
		return board_nightly_claim(b, qj);
	/*
	 * Reserved: the night waits for the lease, but a lab run may be its holder's, asked on
	 * another host (judged by its uid once claimed: board_labrun_reserved). Another's is
	 * taken too, to be refused now rather than left waiting for the lease's end.
	 */
	if ((id = store_labrun_next(b->rigd->store, b->conf.name)) <= 0)
		return id == 0 ? 0 : -1;
	return store_queue_claim_id(b->rigd->store, id, qj);
}

/*
 * One nightly job: boot its build unless the board runs it already, run the scenario, then
 * retry a lab error (up to QUEUE_MAX_ATTEMPTS) or confirm a kernel verdict that differs from
 * the previous build's by running it once more.
 */
static void board_do_queue_job(struct board *b, struct queue_job *qj, long uid);

/* Queue jobs ended since rigd started, for whoever waits on one (a bisect). */
static pthread_mutex_t board_nightly_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t board_nightly_cv = PTHREAD_COND_INITIALIZER;
static uint64_t board_nightly_count;	/* board_nightly_mu */

uint64_t
board_nightly_ended(uint64_t seen, int ms)
{
	struct timespec until;
	uint64_t n;

	util_deadline(&until, CLOCK_REALTIME, ms);
	pthread_mutex_lock(&board_nightly_mu);
	while (ms > 0 && board_nightly_count <= seen)
		if (pthread_cond_timedwait(&board_nightly_cv, &board_nightly_mu, &until) != 0)
			break;
	n = board_nightly_count;
	pthread_mutex_unlock(&board_nightly_mu);
	return n;
}

void
board_do_queue(struct board *b, struct queue_job *qj)
{
	char caller[64];
	long uid;
	int rc = store_labrun_caller(b->rigd->store, qj->id, caller, sizeof(caller), &uid);

	/*
	 * A lab run (another host asked for it): its stages, steps and result go to the store
	 * for that host, as a local client would get them, and its run is its caller's uid's.
	 * Unknown (the store did not say): the job is done as the nightly's, unheard.
	 */
	if (rc == -1)
		log_warnx("%s: job %lld: whether a host waits for it is unknown", b->conf.name,
		    (long long)qj->id);
	b->job_client = rc == 1 ? BOARD_CLIENT_LABRUN | (uint64_t)qj->id : 0;
	board_do_queue_job(b, qj, rc == 1 ? uid : 0);
	b->job_client = 0;
	pthread_mutex_lock(&board_nightly_mu);
	board_nightly_count++;
	pthread_mutex_unlock(&board_nightly_mu);
	pthread_cond_broadcast(&board_nightly_cv);
}

/*
 * A nightly's survey entry (BOARD_NIGHTLY_SURVEY): the whole survey of the board on the job's
 * build, its runs stored per device and sequence as any survey's; the job is done when the
 * survey ran to its end, an error when it could not start (its build did not boot).
 */
static void
board_nightly_survey(struct board *b, struct queue_job *qj)
{
	struct board_job job = { 0 };
	char note[600];
	int rc;

	job.kind = JOB_SURVEY;
	job.build_id = qj->build_id;
	job.queue_id = qj->id;
	job.queue_claim = qj->claim;
	job.uid = 0;
	rc = board_do_survey(b, &job, note, sizeof(note));
	if (rc == -1)
		board_record_error(b, qj->scenario, qj->build_id, 0, ERROR_BOOT_FAILED, note);
	storebuf_queue_end(b->rigd->store, b->conf.name, qj->id, qj->claim,
	    rc == 0 ? QUEUE_DONE : QUEUE_ERROR, note, 0);
}

static void
board_do_queue_job(struct board *b, struct queue_job *qj, long uid)
{
	struct store *st = b->rigd->store;
	struct board_job job = { 0 };
	struct runner_result res;
	char err[512], note[600];
	int64_t pause;
	int i;

	if (strcmp(qj->scenario, BOARD_NIGHTLY_SURVEY) == 0) {
		board_nightly_survey(b, qj);
		return;
	}

	job.kind = JOB_RUN;
	job.client = b->job_client;
	job.uid = uid < 0 ? 0 : uid;	/* unknown: the rig's own, as before uids were carried */
	if (job.client != 0)
		board_log(b, &job, "job %lld on host %s, attempt %d", (long long)qj->id,
		    b->rigd->host, qj->attempts);
	/* A lab run while the board is reserved: its holder's (or an admin's) only. */
	if (job.client != 0 && board_labrun_reserved(b, &job, qj, uid))
		return;
	/* A reload may swap the set while the job runs: this one stays until released. */
	job.scens = scenset_hold(b->rigd);
	job.scenario = scenset_find(job.scens, qj->scenario);
	job.build_id = qj->build_id;
	job.queue_id = qj->id;
	job.queue_claim = qj->claim;
	job.repeat_of = qj->repeat_of;
	util_strlcpy(job.repeat_why, qj->why, sizeof(job.repeat_why));
	if (job.scenario == NULL) {
		board_record_error(b, qj->scenario, qj->build_id, job.uid, ERROR_SCEN_GONE,
		    "the scenario file was removed after the job was queued");
		board_labrun_failed(b, &job, ERROR_SCEN_GONE, "no scenario %s on host %s",
		    qj->scenario, b->rigd->host);
		storebuf_queue_end(st, b->conf.name, qj->id, qj->claim, QUEUE_ERROR,
		    error_kind_name(ERROR_SCEN_GONE), 0);
		scenset_release(job.scens);
		return;
	}
	/*
	 * The set may have been reloaded since the nightly was planned (board_offers): a scenario
	 * that now unbinds a device the board protects is refused before the board is booted. The
	 * job is the nightly's, so its end is stored, as for a scenario gone.
	 */
	if (protect_runnable(&b->conf, job.scenario, err, sizeof(err)) != ERROR_NONE) {
		enum error_kind kind = protect_runnable(&b->conf, job.scenario, NULL, 0);

		board_record_error(b, qj->scenario, qj->build_id, job.uid, kind, err);
		board_labrun_failed(b, &job, kind, "%s", err);
		storebuf_queue_end(st, b->conf.name, qj->id, qj->claim, QUEUE_ERROR,
		    error_kind_name(kind), 0);
		scenset_release(job.scens);
		return;
	}
	if (board_use_build(b, qj->build_id, err, sizeof(err)) == -1) {
		struct board_pending p = { 0 };

		/* The build does not boot: its jobs here end now and the queue moves on. */
		util_fmt(note, sizeof(note), "boot failed: %s", err);
		board_record_error(b, qj->scenario, qj->build_id, job.uid, ERROR_BOOT_FAILED, note);
		board_labrun_failed(b, &job, ERROR_BOOT_FAILED, "%s", note);
		storebuf_queue_end(st, b->conf.name, qj->id, qj->claim, QUEUE_ERROR, note, 0);
		if (store_queue_pending(st, b->conf.name, qj->build_id, board_pending_add, &p) == -1)
			log_warnx("%s: the build's other jobs could not be read", b->conf.name);
		for (i = 0; i < p.n; i++) {
			board_record_error(b, p.scenarios[i], qj->build_id, 0, ERROR_BOOT_FAILED,
			    note);
			storebuf_queue_end(st, b->conf.name, p.ids[i], 0, QUEUE_ERROR, note, 0);
			free(p.scenarios[i]);
		}
		free(p.ids);
		free(p.scenarios);
		scenset_release(job.scens);
		return;
	}
	/*
	 * A reservation that began during the boot: the job yields before its scenario starts,
	 * back in the queue as if never claimed (no run was begun: nothing runs twice). With the
	 * store away (PostgreSQL restarting) that is not known yet: the job waits for it, claimed.
	 * A lab run is judged by its caller's uid instead: the holder's goes on, another's is
	 * refused.
	 */
	for (pause = BOARD_STORE_PAUSE_MS; (i = store_reservation_at(st, b->conf.name,
	    util_wall_ms(), NULL)) == -1 && store_lost(st);) {
		if (pause == BOARD_STORE_PAUSE_MS)
			log_warnx("%s: job %lld: the store's connection is lost (%s): whether a"
			    " reservation began is not known: the job waits for the store, its"
			    " claim kept", b->conf.name, (long long)qj->id, store_last_error());
		if (board_store_pause(b, &pause)) {
			/* Stopping: the next rigd queues the job again (no run was begun). */
			scenset_release(job.scens);
			return;
		}
	}
	if (job.client != 0 && i != 0) {
		if (board_labrun_reserved(b, &job, qj, uid)) {
			scenset_release(job.scens);
			return;
		}
	} else if (i != 0) {
		if (store_queue_unclaim(st, qj->id, qj->claim, "yielded to a reservation before it began") != 1)
			log_warnx("%s: job %lld: not requeued", b->conf.name, (long long)qj->id);
		board_log(b, &job, "job %lld yields to a reservation of %s: queued again",
		    (long long)qj->id, b->conf.name);
		scenset_release(job.scens);
		return;
	}
	board_set_state(b, BOARD_RUNNING, qj->scenario);
	b->runs_since_boot++;
	runner_run(b, &job, &res);
	/*
	 * A lab run's caller hears the recovery, then the verdict: its result is the job's last
	 * event, stored before the job ends (its follower takes an ended job without one for
	 * a job that ended otherwise).
	 */
	if (job.client != 0 && !res.stale) {
		if (!res.refused)
			board_after_run(b, &job, &res);
		board_run_result(b, &job, &res);
	}
	if (res.stale || (res.refused && board_stopping(b))) {
		/* Another claim's job now, or rigd stopped while the run waited for the store. */
		if (res.stale)
			board_set_state(b, BOARD_READY, "");
		runner_result_free(&res);
		scenset_release(job.scens);
		return;
	}
	if (res.refused) {
		/*
		 * Not run, and the job stays claimed (the store refuses writes): the board stops
		 * taking jobs until someone looks; the next rigd queues the job again.
		 */
		board_set_state(b, BOARD_FAULT, res.unrecorded);
		runner_result_free(&res);
		scenset_release(job.scens);
		return;
	}
	if (res.kept) {
		/* Its end is kept (unrecorded.c), which finishes the job once the store takes it. */
	} else if (res.verdict == VERDICT_ERROR) {
		/* The lab's errors may go away on a second try; a scenario's own mistake will not. */
		/* A lab run's caller has its verdict already, as from a local run: no retry. */
		if (error_kind_is_lab(res.error) && qj->attempts < QUEUE_MAX_ATTEMPTS &&
		    job.client == 0) {
			util_fmt(note, sizeof(note), "lab error, attempt %d: %s", qj->attempts,
			    res.title);
			storebuf_queue_end(st, b->conf.name, qj->id, qj->claim, QUEUE_QUEUED, note,
			    res.run_id);
		} else
			storebuf_queue_end(st, b->conf.name, qj->id, qj->claim, QUEUE_ERROR,
			    res.title, 0);
	} else {
		storebuf_queue_end(st, b->conf.name, qj->id, qj->claim, QUEUE_DONE,
		    verdict_name(res.verdict), 0);
		/* A bisect reruns by its own rule (bisect.h), the nightly by report's. */
		i = strcmp(qj->why, "confirm") == 0 || strncmp(qj->why, "bisect", 6) == 0 ||
		    job.client != 0 ? 0 :
		    report_should_confirm(st, res.run_id, err, sizeof(err));
		if (i == 1 && queue_add(st, qj->nightly, qj->build_id, b->conf.name, qj->scenario,
		    res.run_id, "confirm", 1) == -1)
			log_warnx("%s: run %lld: confirmation not queued", b->conf.name,
			    (long long)res.run_id);
	}
	if (job.client == 0)
		board_after_run(b, &job, &res);
	board_unrecorded(b, &res);
	runner_result_free(&res);
	scenset_release(job.scens);
}
