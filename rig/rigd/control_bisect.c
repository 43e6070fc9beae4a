/*
 * control_bisect: rigctl bisect: the builds between a good and a bad one run the scenario at
 * midpoints until the first bad (or first fixed) build is found. The requests are checked on the
 * event loop; a thread of its own runs the search (rig/lib/bisect.c decides), each run a job of
 * the nightly queue, so reservations and the queue's rules hold for it as for a night.
 */
#include "rigd.h"
#include "bisect.h"
#include "log.h"
#include "protect.h"
#include "queue.h"
#include "report.h"
#include "store.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONTROL_BISECT_POLL_MS	5000	/* backstop: a job's end also shows in the store */

struct control_bisect {
	struct rigd	*r;
	uint64_t	 client;
	long		 uid;
	char		 board[64], arch[16], scenario[64];
	int64_t		 good, bad;
};

/* The registered builds, read on the bisect's thread. */
struct control_bisect_builds {
	struct bisect_build	*b;
	char			(*arch)[16];
	char			(*flavour)[64];
	int			 n;
};

static int
control_bisect_build(const struct store_build_row *row, void *arg)
{
	struct control_bisect_builds *l = arg;
	struct bisect_build *b;
	const char *v = row->package_version && *row->package_version ? row->package_version :
	    row->version ? row->version : "";

	l->b = xrealloc(l->b, (size_t)(l->n + 1) * sizeof(*l->b));
	l->arch = xrealloc(l->arch, (size_t)(l->n + 1) * sizeof(*l->arch));
	l->flavour = xrealloc(l->flavour, (size_t)(l->n + 1) * sizeof(*l->flavour));
	b = &l->b[l->n];
	memset(b, 0, sizeof(*b));
	b->id = row->id;
	util_strlcpy(b->name, row->name ? row->name : "", sizeof(b->name));
	util_strlcpy(b->version, v, sizeof(b->version));
	util_strlcpy(l->arch[l->n], row->arch ? row->arch : "", sizeof(l->arch[0]));
	util_strlcpy(l->flavour[l->n], bisect_flavour(row->release ? row->release : ""),
	    sizeof(l->flavour[0]));
	l->n++;
	return 0;
}

/* One finished job of the queue, looked up by id. */
struct control_bisect_job {
	int64_t		 id, run;
	enum queue_state state;
	int		 found;
};

static int
control_bisect_job_row(const struct store_queue_row *q, void *arg)
{
	struct control_bisect_job *j = arg;

	if (q->id != j->id)
		return 0;
	j->found = 1;
	j->state = q->state;
	j->run = q->run_id;
	return 1;
}

struct control_bisect_run {
	char	verdict[16], title[256];
};

static int
control_bisect_run_row(const struct store_run_row *row, void *arg)
{
	struct control_bisect_run *o = arg;

	util_strlcpy(o->verdict, verdict_name(row->verdict), sizeof(o->verdict));
	util_strlcpy(o->title, row->title ? row->title : "", sizeof(o->title));
	return 0;
}

static void
control_bisect_log(struct control_bisect *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
control_bisect_log(struct control_bisect *a, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	cJSON *o = cJSON_CreateObject();

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(o, "board", a->board);
	cJSON_AddStringToObject(o, "msg", msg);
	control_post_event(a->r, a->client, PROTO_EV_LOG, o);
}

/*
 * Queues a run of build on the board as a job of nightly and waits for its end: 0 with the run
 * (0 when none) and its outcome ("" for a lab error), -1 when rigd stops first.
 */
static int
control_bisect_run(struct control_bisect *a, struct board *b, int64_t nightly,
    const struct bisect_build *bb, int64_t repeat_of, int64_t *run, char *outcome, size_t len)
{
	struct store *st = a->r->store;
	struct control_bisect_job j = { 0 };
	struct control_bisect_run o = { "", "" };
	uint64_t seen = board_nightly_ended(0, 0);

	j.id = queue_add(st, nightly, bb->id, a->board, a->scenario, repeat_of,
	    repeat_of ? "bisect-rerun" : "bisect", 0);
	if (j.id <= 0)
		return -1;
	pthread_mutex_lock(&b->lock);
	b->queue_poke = 1;
	pthread_mutex_unlock(&b->lock);
	pthread_cond_broadcast(&b->cond);
	for (;;) {
		j.found = 0;
		if (store_queue_finished(st, 256, control_bisect_job_row, &j) == -1)
			return -1;
		if (j.found)
			break;
		if (board_stopping(b))
			return -1;
		seen = board_nightly_ended(seen, CONTROL_BISECT_POLL_MS);
	}
	*run = j.run;
	outcome[0] = '\0';
	if (j.state == QUEUE_DONE && j.run > 0 &&
	    store_run_get(st, j.run, control_bisect_run_row, &o) == 1)
		bisect_outcome(o.verdict, o.title, outcome, len);
	return 0;
}

static cJSON *
control_bisect_json(const struct bisect_build *bb)
{
	cJSON *o = cJSON_CreateObject(), *runs = cJSON_CreateArray();
	static const char *const sides[] = { "untested", "old", "new", "skipped" };
	int i;

	cJSON_AddNumberToObject(o, "id", (double)bb->id);
	cJSON_AddStringToObject(o, "name", bb->name);
	cJSON_AddStringToObject(o, "version", bb->version);
	cJSON_AddStringToObject(o, "outcome", bb->outcome);
	if (bb->reran)
		cJSON_AddStringToObject(o, "first_outcome", bb->first);
	cJSON_AddStringToObject(o, "side", sides[bb->side]);
	for (i = 0; i < bb->nruns; i++)
		cJSON_AddItemToArray(runs, cJSON_CreateNumber((double)bb->runs[i]));
	cJSON_AddItemToObject(o, "runs", runs);
	return o;
}

/* The search, on its own thread: the end's result is posted to the client. */
static void
control_bisect_search(struct control_bisect *a)
{
	struct rigd *r = a->r;
	struct board *b = board_find(r, a->board);
	struct control_bisect_builds l = { 0 };
	struct bisect bs;
	char err[512], outcome[BISECT_OUTCOME_LEN];
	const char *fl = NULL;
	int i, k, g = -1, d = -1, runs = 0, skipped, first;
	int64_t nightly, run;
	cJSON *o, *list;

	if (store_builds(r->store, 1, control_bisect_build, &l) == -1) {
		control_post_reply(r, a->client, PROTO_FAILED, "store: cannot read the builds",
		    NULL);
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		if (l.b[i].id == a->good)
			g = i;
		if (l.b[i].id == a->bad)
			d = i;
	}
	if (g < 0 || d < 0) {
		control_post_reply(r, a->client, PROTO_NOSUCH, "the build is not registered (rigctl"
		    " build add)", NULL);
		goto out;
	}
	for (k = 0; k < 2; k++) {
		i = k == 0 ? g : d;
		if (strcmp(l.arch[i], a->arch) != 0) {
			util_fmt(err, sizeof(err), "%s is %s, board %s is %s", l.b[i].name,
			    l.arch[i], a->board, a->arch);
			control_post_reply(r, a->client, PROTO_INVALID, err, NULL);
			goto out;
		}
	}
	fl = l.flavour[g];
	if (strcmp(fl, l.flavour[d]) != 0) {
		util_fmt(err, sizeof(err), "%s is flavour %s, %s is %s: a bisect stays in one"
		    " flavour", l.b[g].name, fl, l.b[d].name, l.flavour[d]);
		control_post_reply(r, a->client, PROTO_INVALID, err, NULL);
		goto out;
	}
	/* Only the builds of the ends' architecture and flavour are between them. */
	for (i = k = 0; i < l.n; i++)
		if (strcmp(l.arch[i], a->arch) == 0 && strcmp(l.flavour[i], fl) == 0)
			l.b[k++] = l.b[i];
	if (bisect_init(&bs, l.b, k, a->good, a->bad, err, sizeof(err)) == -1) {
		control_post_reply(r, a->client, PROTO_INVALID, err, NULL);
		goto out;
	}
	if ((nightly = queue_bisect_new(r->store, a->uid)) == -1) {
		control_post_reply(r, a->client, PROTO_FAILED, "store: cannot queue", NULL);
		bisect_free(&bs);
		goto out;
	}
	control_bisect_log(a, "bisect %s on %s: %d builds from %s (%s) to %s (%s), looking for the"
	    " first %s; jobs of nightly %lld", a->scenario, a->board, bs.n, bs.b[0].name,
	    bs.b[0].version, bs.b[bs.n - 1].name, bs.b[bs.n - 1].version,
	    bs.good_old ? "bad" : "fixed", (long long)nightly);
	while ((i = bisect_next(&bs)) >= 0) {
		struct bisect_build *bb = &bs.b[i];
		enum bisect_step step;
		int again = bs.rerun == i;

		if (control_bisect_run(a, b, nightly, bb, again ? bb->runs[bb->nruns - 1] : 0,
		    &run, outcome, sizeof(outcome)) == -1) {
			control_post_reply(r, a->client, PROTO_FAILED, "bisect: the job was not"
			    " queued or rigd stops", NULL);
			bisect_free(&bs);
			goto out;
		}
		runs++;
		step = bisect_record(&bs, i, run, outcome);
		control_bisect_log(a, "%s (%s): %s (run %lld)%s", bb->name, bb->version,
		    outcome[0] ? outcome : "no kernel result", (long long)run,
		    step == BISECT_RERUN ? ": unlike both neighbours, once more" :
		    bb->side == BISECT_SKIPPED ? ": skipped" :
		    again ? (bb->side == (bs.good_old ? BISECT_OLD : BISECT_NEW) ?
		    ": like the good end, the first run was a flake" : ": bad") :
		    i == 0 || i == bs.n - 1 ? (i == (bs.good_old ? 0 : bs.n - 1) ? ": the good end" :
		    ": the bad end") :
		    bb->side == (bs.good_old ? BISECT_OLD : BISECT_NEW) ? ": like the good end" :
		    ": unlike the good end");
		if (step == BISECT_SAME_ENDS || step == BISECT_END_ERROR) {
			util_fmt(err, sizeof(err), step == BISECT_SAME_ENDS ? "the good and bad ends"
			    " behave the same (%s): nothing to bisect" : "%s gave no kernel result"
			    " (run %lld): nothing to bisect", step == BISECT_SAME_ENDS ? outcome :
			    bb->name, (long long)run);
			control_post_reply(r, a->client, PROTO_FAILED, err, NULL);
			bisect_free(&bs);
			goto out;
		}
	}
	first = bisect_first(&bs, &skipped);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "scenario", a->scenario);
	cJSON_AddStringToObject(o, "board", a->board);
	cJSON_AddNumberToObject(o, "nightly", (double)nightly);
	cJSON_AddStringToObject(o, "direction", bs.good_old ? "first-bad" : "first-fixed");
	cJSON_AddItemToObject(o, "first", control_bisect_json(&bs.b[first]));
	cJSON_AddItemToObject(o, "before", control_bisect_json(&bs.b[bs.lo]));
	cJSON_AddNumberToObject(o, "skipped", skipped);
	cJSON_AddNumberToObject(o, "runs", runs);
	list = cJSON_AddArrayToObject(o, "builds");
	for (i = 0; i < bs.n; i++)
		cJSON_AddItemToArray(list, control_bisect_json(&bs.b[i]));
	log_info("bisect %s on %s: first %s %s after %d runs", a->scenario, a->board,
	    bs.good_old ? "bad" : "fixed", bs.b[first].name, runs);
	control_post_reply(r, a->client, PROTO_OK, NULL, o);
	bisect_free(&bs);
out:
	free(l.b);
	free(l.arch);
	free(l.flavour);
}

static void *
control_bisect_main(void *arg)
{
	control_bisect_search(arg);
	free(arg);
	return NULL;
}

void
control_cmd_bisect(struct rigd *r, struct control_client *c, cJSON *req)
{
	const char *scen = control_str(req, "scenario"), *bname = control_str(req, "board");
	const char *good = control_str(req, "good"), *bad = control_str(req, "bad");
	const struct scenario *sc;
	struct control_bisect *a;
	struct board *b;
	enum error_kind kind = ERROR_NONE;
	char msg[512];
	int64_t gid, bid;
	pthread_t th;

	if (scen == NULL || bname == NULL || good == NULL || bad == NULL) {
		control_reply(c, PROTO_INVALID, "bisect: a scenario, --board, --good and --bad",
		    NULL);
		return;
	}
	if ((sc = scenset_lookup(r, scen)) == NULL) {
		util_fmt(msg, sizeof(msg), "no scenario %s in %s", scen, r->scendir);
		control_reply(c, PROTO_NOSUCH, msg, NULL);
		return;
	}
	if ((b = control_board_named(r, c, bname)) == NULL)
		return;
	if (protect_runnable(&b->conf, sc, msg, sizeof(msg)) != ERROR_NONE) {
		control_reply(c, PROTO_DENIED, msg, NULL);
		return;
	}
	if ((gid = report_build_find(r->store, good, msg, sizeof(msg), &kind)) <= 0 ||
	    (bid = report_build_find(r->store, bad, msg, sizeof(msg), &kind)) <= 0) {
		control_reply(c, control_status(kind), msg, NULL);
		return;
	}
	if (gid == bid) {
		util_fmt(msg, sizeof(msg), "--good %s and --bad %s are the same build: nothing to"
		    " search", good, bad);
		control_reply(c, PROTO_INVALID, msg, NULL);
		return;
	}
	a = xcalloc(1, sizeof(*a));
	a->r = r;
	a->client = control_id(c);
	a->uid = control_uid(c);
	a->good = gid;
	a->bad = bid;
	util_strlcpy(a->board, b->conf.name, sizeof(a->board));
	util_strlcpy(a->arch, b->conf.arch, sizeof(a->arch));
	util_strlcpy(a->scenario, sc->name, sizeof(a->scenario));
	util_fmt(msg, sizeof(msg), "bisect %s on %s: good %s, bad %s", scen, bname, good, bad);
	control_action(r, control_uid(c), msg);
	control_wait_result(c);
	if (pthread_create(&th, NULL, control_bisect_main, a) != 0) {
		free(a);
		control_post_reply(r, control_id(c), PROTO_FAILED, "no thread for bisect", NULL);
		return;
	}
	pthread_detach(th);
}
