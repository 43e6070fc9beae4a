/* control_wait: the "wait" request: held by the event loop until a board state, its host's beat, a run's progress, the queue, a reload, a survey's end or the store's health says so. */
#include "control_wait.h"
#include "queue.h"
#include "storebuf.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONTROL_WAIT_MAX	64		/* waits held at once; more are refused as busy */
#define CONTROL_WAIT_EVERY_MS	100		/* how often a held wait looks again */
#define CONTROL_WAIT_MAX_MS	(24 * 3600 * 1000)

enum control_wait_kind {
	CONTROL_WAIT_BOARD,
	CONTROL_WAIT_HOST,		/* a board's host beating or silent (hosts_alive) */
	CONTROL_WAIT_RUN,
	CONTROL_WAIT_QUEUE,
	CONTROL_WAIT_RELOAD,
	CONTROL_WAIT_SURVEY,
	CONTROL_WAIT_STORE,		/* the store ok: reachable, nothing spooled (storebuf.h) */
};

struct control_waiter {
	uint64_t		 client;
	enum control_wait_kind	 kind;
	struct board		*board;		/* BOARD: boards live as long as rigd; NULL: name's */
	enum board_state	 state;		/* BOARD: the state waited for */
	char			 name[64];	/* HOST, BOARD of another host: the board */
	int			 alive;		/* HOST: 1 beating, 0 silent */
	int64_t			 run;		/* RUN */
	int			 steps;		/* RUN: this many steps stored; -1: the run is done */
	int			 finished;	/* QUEUE: this many jobs finished; -1: none open */
	int			 reloads;	/* RELOAD: this many SIGHUPs handled since start */
	int64_t			 survey;	/* SURVEY: ended (done or stopped) */
	int64_t			 deadline;	/* util_now_ms() */
	struct control_waiter	*next;
};

/* The held waits and when they were last looked at: the event loop's own (no lock). */
static struct control_waiter *control_waiters;
static int control_waiters_n;
static int64_t control_wait_last;
static int control_wait_reloads;

static int
control_wait_state_parse(const char *name, enum board_state *s)
{
	int i;

	for (i = BOARD_OFF; i <= BOARD_FAULT; i++) {
		if (strcmp(board_state_name((enum board_state)i), name) == 0) {
			*s = (enum board_state)i;
			return 0;
		}
	}
	return -1;
}

static double
control_wait_num(cJSON *o, const char *key, double dflt)
{
	cJSON *v = cJSON_GetObjectItem(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

/* A run's state and how many of its steps are stored; -1 when there is no such run (yet). */
static int
control_wait_run_progress(struct rigd *r, int64_t run, enum run_state *state, int *steps)
{
	return store_run_progress(r->store, run, state, steps) == 1 ? 0 : -1;
}

/* A survey's state and runs, for a wait on it. */
struct control_wait_survey {
	enum survey_state	state;
	int64_t			runs;
};

static int
control_wait_survey_row(const struct store_survey_row *v, void *arg)
{
	struct control_wait_survey *ws = arg;

	ws->state = v->state;
	ws->runs = v->runs;
	return 1;
}

/* Sums the queue's jobs by state: [0] open (queued, running), [1] ended. */
static int
control_wait_count(enum queue_state state, int64_t n, void *arg)
{
	int64_t *counts = arg;

	counts[queue_state_is_open(state) ? 0 : 1] += n;
	return 0;
}

/* 1 when w's condition holds; now says how things stand, for the reply. */
static int
control_wait_holds(struct rigd *r, const struct control_waiter *w, char *now, size_t len)
{
	enum board_state s;
	enum run_state state;
	int steps, open, finished;
	int64_t counts[2] = { 0, 0 };	/* open, finished */
	struct control_wait_survey ws = { SURVEY_STATE_UNKNOWN, 0 };

	switch (w->kind) {
	case CONTROL_WAIT_BOARD:
		if (w->board == NULL) {
			char state[16] = "";

			/* Another host's board: its state as stored, read at this host's last beat. */
			hosts_seen_board(w->name, NULL, 0, state, sizeof(state));
			util_fmt(now, len, "%s %s", w->name, state);
			return strcmp(state, board_state_name(w->state)) == 0;
		}
		s = board_state(w->board);
		util_fmt(now, len, "%s %s", w->board->conf.name, board_state_name(s));
		return s == w->state;
	case CONTROL_WAIT_HOST:
		/* As of this host's last beat: no store read on the loop. */
		steps = hosts_alive(w->name);
		util_fmt(now, len, "%s: host %s", w->name, steps == 1 ? "alive" : steps == 0 ?
		    "silent" : "unknown");
		return steps == w->alive;
	case CONTROL_WAIT_RUN:
		if (control_wait_run_progress(r, w->run, &state, &steps) == -1) {
			util_fmt(now, len, "run %lld: not begun", (long long)w->run);
			return 0;
		}
		util_fmt(now, len, "run %lld: %s, %d step(s)", (long long)w->run,
		    run_state_name(state), steps);
		return w->steps < 0 ? state == RUN_DONE : steps >= w->steps;
	case CONTROL_WAIT_QUEUE:
		if (store_queue_counts(r->store, control_wait_count, counts) == -1)
			return 0;
		open = (int)counts[0];
		finished = (int)counts[1];
		util_fmt(now, len, "queue: %d open, %d finished", open, finished);
		return w->finished < 0 ? open == 0 : finished >= w->finished;
	case CONTROL_WAIT_RELOAD:
		util_fmt(now, len, "%d reload(s)", control_wait_reloads);
		return control_wait_reloads >= w->reloads;
	case CONTROL_WAIT_SURVEY:
		if (store_survey_get(r->store, w->survey, control_wait_survey_row, &ws) != 1) {
			util_fmt(now, len, "survey %lld: not begun", (long long)w->survey);
			return 0;
		}
		util_fmt(now, len, "survey %lld: %s, %lld run(s)", (long long)w->survey,
		    survey_state_name(ws.state), (long long)ws.runs);
		return ws.state == SURVEY_DONE || ws.state == SURVEY_STOPPED;
	case CONTROL_WAIT_STORE: {
		char why[200];

		/* storebuf's own state, as show boards says it: the loop asks no store. */
		open = storebuf_ok(why, sizeof(why));
		util_fmt(now, len, "store: %s", why);
		return open;
	}
	}
	return 0;
}

void
control_cmd_wait(struct rigd *r, struct control_client *c, cJSON *req)
{
	const char *what = control_str(req, "what");
	struct control_waiter w = { .client = control_id(c) };
	double ms = control_wait_num(req, "timeout_ms", 60000);
	char now[256], msg[300];
	cJSON *o;

	if (what && strcmp(what, "board") == 0 &&
	    cJSON_IsBool(cJSON_GetObjectItem(req, "host_alive"))) {
		const char *name = control_str(req, "board");

		w.kind = CONTROL_WAIT_HOST;
		w.alive = cJSON_IsTrue(cJSON_GetObjectItem(req, "host_alive"));
		if (name == NULL || hosts_alive(name) == -1) {
			util_fmt(msg, sizeof(msg), "no board %s in the lab", name ? name : "named");
			control_reply(c, PROTO_NOSUCH, msg, NULL);
			return;
		}
		util_strlcpy(w.name, name, sizeof(w.name));
	} else if (what && strcmp(what, "board") == 0) {
		const char *name = control_str(req, "board"), *state = control_str(req, "state");
		w.kind = CONTROL_WAIT_BOARD;
		w.board = name ? board_find(r, name) : NULL;
		if (w.board == NULL && name != NULL && hosts_alive(name) != -1)
			util_strlcpy(w.name, name, sizeof(w.name));	/* another host's */
		else if (w.board == NULL) {
			util_fmt(msg, sizeof(msg), "no board %s", name ? name : "named");
			control_reply(c, PROTO_NOSUCH, msg, NULL);
			return;
		}
		if (state == NULL || control_wait_state_parse(state, &w.state) == -1) {
			control_reply(c, PROTO_INVALID, "wait: no such board state", NULL);
			return;
		}
	} else if (what && strcmp(what, "run") == 0) {
		w.kind = CONTROL_WAIT_RUN;
		w.run = (int64_t)control_wait_num(req, "run", 0);
		w.steps = cJSON_IsTrue(cJSON_GetObjectItem(req, "done")) ? -1 :
		    (int)control_wait_num(req, "steps", -2);
		if (w.run <= 0 || w.steps < -1) {
			control_reply(c, PROTO_INVALID, "wait: run needs an id and steps or done",
			    NULL);
			return;
		}
	} else if (what && strcmp(what, "queue") == 0) {
		w.kind = CONTROL_WAIT_QUEUE;
		w.finished = cJSON_IsTrue(cJSON_GetObjectItem(req, "empty")) ? -1 :
		    (int)control_wait_num(req, "finished", -2);
		if (w.finished < -1) {
			control_reply(c, PROTO_INVALID, "wait: queue needs empty or finished", NULL);
			return;
		}
	} else if (what && strcmp(what, "reload") == 0) {
		w.kind = CONTROL_WAIT_RELOAD;
		w.reloads = (int)control_wait_num(req, "reloads", 1);
	} else if (what && strcmp(what, "survey") == 0) {
		w.kind = CONTROL_WAIT_SURVEY;
		w.survey = (int64_t)control_wait_num(req, "survey", 0);
		if (w.survey <= 0) {
			control_reply(c, PROTO_INVALID, "wait: survey needs an id", NULL);
			return;
		}
	} else if (what && strcmp(what, "store") == 0) {
		w.kind = CONTROL_WAIT_STORE;
		if (!cJSON_IsTrue(cJSON_GetObjectItem(req, "ok"))) {
			control_reply(c, PROTO_INVALID, "wait: store needs ok", NULL);
			return;
		}
	} else {
		control_reply(c, PROTO_INVALID, "wait: board, run, queue, reload, survey or store",
		    NULL);
		return;
	}
	if (control_wait_holds(r, &w, now, sizeof(now))) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "now", now);
		control_reply(c, PROTO_OK, NULL, o);
		return;
	}
	if (control_waiters_n >= CONTROL_WAIT_MAX) {
		control_reply(c, PROTO_BUSY, "wait: too many waits held", NULL);
		return;
	}
	if (!(ms > 0))
		ms = 1;
	w.deadline = util_now_ms() + (int64_t)(ms < CONTROL_WAIT_MAX_MS ? ms : CONTROL_WAIT_MAX_MS);
	w.next = control_waiters;
	control_waiters = xmalloc(sizeof(w));
	*control_waiters = w;
	control_waiters_n++;
	control_wait_result(c);
}

void
control_wait_tick(struct rigd *r)
{
	struct control_waiter **pw = &control_waiters, *w;
	int64_t t = util_now_ms();
	char now[256], msg[300];

	if (control_waiters == NULL || t - control_wait_last < CONTROL_WAIT_EVERY_MS)
		return;
	control_wait_last = t;
	while ((w = *pw) != NULL) {
		int holds = control_wait_holds(r, w, now, sizeof(now));
		cJSON *o;

		if (!holds && t < w->deadline) {
			pw = &w->next;
			continue;
		}
		/* Posted like a board's result: a client that left is skipped when it is drained. */
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", proto_event_name(PROTO_EV_RESULT));
		if (holds) {
			cJSON_AddStringToObject(o, "status", PROTO_OK);
			cJSON_AddStringToObject(o, "now", now);
		} else {
			util_fmt(msg, sizeof(msg), "timed out: %s", now);
			cJSON_AddStringToObject(o, "status", PROTO_FAILED);
			cJSON_AddStringToObject(o, "error", msg);
		}
		control_post(r, w->client, o);
		*pw = w->next;
		free(w);
		control_waiters_n--;
	}
}

void
control_wait_reloaded(void)
{
	control_wait_reloads++;
}

int
control_wait_poll_ms(int dflt)
{
	return control_waiters ? CONTROL_WAIT_EVERY_MS : dflt;
}
