/* labrun: rigctl run for a board of another host: queued for that host in the store, its events followed back to the client. */
#include "rigd.h"
#include "log.h"
#include "queue.h"
#include "report.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Why through the store: the hosts of a lab share nothing but their store (no host reaches
 * another's control socket, which is a local unix socket checked by peer credentials). The
 * board's host appends each event of the run (the JSON a local client would get) to the
 * job's rows; the caller's host reads them in order and hands them on. The rows outlive both
 * hosts: a board host that dies mid-run leaves what it said, its lease runs out, the job is
 * queued again and the same follower goes on with the next attempt's events. A follower looks
 * when woken (labwake.c: the board's host said it stored an event, PostgreSQL's NOTIFY), else
 * every LABRUN_EVERY_MS (SQLite, or the wake-ups' connection lost).
 */
#define LABRUN_EVERY_MS	100
/* With wake-ups (labwake.c), a look on the timer only in case one was lost. */
#define LABRUN_WOKEN_MS	1000

struct labrun {
	struct rigd	*r;
	uint64_t	 client;
	long		 uid;
	char		 board[64], scenario[64], build[128];
	char		 host[64];	/* the board's, as this host's last beat saw it */
	int		 alive;		/* and whether it beat then */
	pthread_t	 thread;
	int		 done;		/* labrun_mu: the thread has ended (joined at the next start) */
	struct labrun	*next;		/* labrun_mu */
};

static pthread_mutex_t labrun_mu = PTHREAD_MUTEX_INITIALIZER;
static struct labrun *labrun_all;	/* labrun_mu */
static int labrun_stopping;		/* labrun_mu: rigd stops; followers end */
static pthread_cond_t labrun_cv = PTHREAD_COND_INITIALIZER;	/* with labrun_mu */
static uint64_t labrun_woken;		/* labrun_mu: wake-ups heard since start */
static int labrun_woken_on;		/* labrun_mu: wake-ups are heard (labwake.c) */

void
labrun_wake(void)
{
	pthread_mutex_lock(&labrun_mu);
	labrun_woken++;
	pthread_mutex_unlock(&labrun_mu);
	pthread_cond_broadcast(&labrun_cv);
}

void
labrun_wakeups(int on)
{
	pthread_mutex_lock(&labrun_mu);
	labrun_woken_on = on;
	pthread_mutex_unlock(&labrun_mu);
}

/* Until a wake-up after seen (the count read before the last look), the timer, or the stop. */
static void
labrun_nap(uint64_t seen)
{
	struct timespec until;
	int ms;

	pthread_mutex_lock(&labrun_mu);
	ms = labrun_woken_on ? LABRUN_WOKEN_MS : LABRUN_EVERY_MS;
	util_deadline(&until, CLOCK_REALTIME, ms);
	while (labrun_woken == seen && !labrun_stopping)
		if (pthread_cond_timedwait(&labrun_cv, &labrun_mu, &until) != 0)
			break;
	pthread_mutex_unlock(&labrun_mu);
}

static uint64_t
labrun_woken_now(void)
{
	uint64_t n;

	pthread_mutex_lock(&labrun_mu);
	n = labrun_woken;
	pthread_mutex_unlock(&labrun_mu);
	return n;
}

static int
labrun_stop_now(void)
{
	int stop;

	pthread_mutex_lock(&labrun_mu);
	stop = labrun_stopping;
	pthread_mutex_unlock(&labrun_mu);
	return stop;
}

/* The board thread: one event of a lab run's job, for its caller, into the store (takes o). */
void
labrun_emit(struct board *b, int64_t job, enum proto_event ev, cJSON *o)
{
	char *json;

	cJSON_AddStringToObject(o, "type", proto_event_name(ev));
	json = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (json == NULL || store_labrun_event(b->rigd->store, job, json) == -1)
		log_warnx("%s: job %lld: a %s event for its caller was not stored", b->conf.name,
		    (long long)job, proto_event_name(ev));
	free(json);
}

struct labrun_read {
	struct labrun	*lr;
	int64_t		 last;		/* the last event's id handed on */
	int		 ended;		/* the result was handed on */
};

static int
labrun_one(int64_t id, const char *json, void *arg)
{
	struct labrun_read *rd = arg;
	cJSON *o = cJSON_Parse(json), *type;

	rd->last = id;
	if (o == NULL) {
		log_warnx("lab run on %s: event %lld is no JSON: skipped", rd->lr->board,
		    (long long)id);
		return 0;
	}
	type = cJSON_GetObjectItem(o, "type");
	if (cJSON_IsString(type) && proto_event_parse(type->valuestring) == PROTO_EV_RESULT)
		rd->ended = 1;
	control_post(rd->lr->r, rd->lr->client, o);
	return rd->ended;
}

static void
labrun_log(struct labrun *lr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
labrun_log(struct labrun *lr, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	cJSON *o;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "board", lr->board);
	cJSON_AddStringToObject(o, "msg", msg);
	control_post_event(lr->r, lr->client, PROTO_EV_LOG, o);
}

/* A lab run's end without the board host's result: the job ended otherwise, or never began. */
static void
labrun_fail(struct labrun *lr, const char *status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
labrun_fail(struct labrun *lr, const char *status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	cJSON *o = cJSON_CreateObject();

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(o, "board", lr->board);
	control_post_reply(lr->r, lr->client, status, msg, o);
}


/* The follower: queues the job, then hands on its events until its result. */
static void *
labrun_main(void *arg)
{
	struct labrun *lr = arg;
	struct store *st = lr->r->store;
	struct labrun_read rd = { lr, 0, 0 };
	struct store_labrun_state js, seen = { .state = QUEUE_STATE_UNKNOWN };
	enum error_kind ek = ERROR_NONE;
	int64_t build = 0, job;
	char err[256];
	int rc;

	if (lr->build[0] && (build = report_build_find(st, lr->build, err, sizeof(err), &ek)) <= 0) {
		labrun_fail(lr, control_status(ek), "%s", err);
		goto out;
	}
	if ((job = store_labrun_add(st, build, lr->board, lr->scenario, lr->r->host,
	    lr->uid)) == -1) {
		labrun_fail(lr, PROTO_FAILED, "%s: the store did not take the job (%s)", lr->board,
		    store_last_error());
		goto out;
	}
	log_info("lab run %s on %s: job %lld, for its host", lr->scenario, lr->board,
	    (long long)job);
	labrun_log(lr, "queued as job %lld for host %s%s", (long long)job, lr->host,
	    lr->alive ? "" : ", silent now: the job waits for it");
	while (!labrun_stop_now()) {
		uint64_t woken = labrun_woken_now();

		/* The state first: events stored before a job ended are all read below. */
		if ((rc = store_labrun_job(st, job, &js)) != 1) {
			labrun_fail(lr, PROTO_FAILED, "job %lld: %s", (long long)job, rc == 0 ?
			    "gone from the queue" : "the store cannot say where it is");
			goto out;
		}
		if (store_labrun_events(st, job, rd.last, labrun_one, &rd) == -1) {
			labrun_fail(lr, PROTO_FAILED, "job %lld: its events could not be read",
			    (long long)job);
			goto out;
		}
		if (rd.ended) {
			if (store_labrun_drop(st, job) == -1)
				log_warnx("job %lld: its events were not dropped", (long long)job);
			goto out;
		}
		if (!queue_state_is_open(js.state)) {
			labrun_fail(lr, PROTO_FAILED, "job %lld ended (%s) without a result: %s",
			    (long long)job, queue_state_name(js.state), js.note);
			goto out;
		}
		if (js.state != seen.state || strcmp(js.host, seen.host) != 0) {
			if (js.state == QUEUE_RUNNING)
				labrun_log(lr, "job %lld: host %s runs it", (long long)job, js.host);
			else if (seen.state == QUEUE_RUNNING)
				labrun_log(lr, "job %lld queued again: %s", (long long)job, js.note);
			seen = js;
		}
		labrun_nap(woken);
	}
out:
	pthread_mutex_lock(&labrun_mu);
	lr->done = 1;
	pthread_mutex_unlock(&labrun_mu);
	return NULL;
}

/* Joins the followers that ended; all of them with wait (rigd stops). labrun_mu held. */
static void
labrun_reap(int wait)
{
	struct labrun **p = &labrun_all, *lr;

	while ((lr = *p) != NULL) {
		if (!lr->done && !wait) {
			p = &lr->next;
			continue;
		}
		*p = lr->next;
		pthread_mutex_unlock(&labrun_mu);
		pthread_join(lr->thread, NULL);
		pthread_mutex_lock(&labrun_mu);
		free(lr);
	}
}

void
labrun_start(struct rigd *r, struct control_client *c, const char *board, const char *scenario,
    const char *build)
{
	struct labrun *lr = xcalloc(1, sizeof(*lr));
	char msg[256];
	int err;

	lr->r = r;
	lr->client = control_id(c);
	lr->uid = control_uid(c);
	util_strlcpy(lr->board, board, sizeof(lr->board));
	util_strlcpy(lr->scenario, scenario, sizeof(lr->scenario));
	util_strlcpy(lr->build, build ? build : "", sizeof(lr->build));
	lr->alive = hosts_seen_board(board, lr->host, sizeof(lr->host), NULL, 0) == 1;
	if (lr->host[0] == '\0')
		util_strlcpy(lr->host, "?", sizeof(lr->host));
	util_fmt(msg, sizeof(msg), "run %s on %s (another host's)", scenario, board);
	control_action(r, lr->uid, msg);
	control_wait_result(c);
	pthread_mutex_lock(&labrun_mu);
	labrun_reap(0);
	if ((err = pthread_create(&lr->thread, NULL, labrun_main, lr)) != 0) {
		pthread_mutex_unlock(&labrun_mu);
		log_warnx("lab run: no thread: %s", strerror(err));
		labrun_fail(lr, PROTO_FAILED, "rigd could not start the run's follower");
		free(lr);
		return;
	}
	lr->next = labrun_all;
	labrun_all = lr;
	pthread_mutex_unlock(&labrun_mu);
}

void
labrun_stop(void)
{
	pthread_mutex_lock(&labrun_mu);
	labrun_stopping = 1;
	pthread_cond_broadcast(&labrun_cv);
	labrun_reap(1);
	pthread_mutex_unlock(&labrun_mu);
}
