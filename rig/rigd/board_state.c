/* board_state: a board's shared state under its lock (state, reason, queue, description) and its reports through the sink. */
#include "rigd.h"
#include "log.h"
#include "protect.h"
#include "storebuf.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
static void
board_set_state_kind(struct board *b, enum board_state s, enum error_kind kind,
    const char *reason)
{
	int from;

	pthread_mutex_lock(&b->lock);
	/* Whoever sees the new state may read the console log: it holds every byte read so far. */
	capture_sync(&b->con);
	from = board_set_state_locked(b, s, reason);
	b->fault = s == BOARD_FAULT ? kind : ERROR_NONE;
	pthread_mutex_unlock(&b->lock);
	if (from == -1)
		return;
	log_info("%s: %s -> %s%s%s", b->conf.name, board_state_name((enum board_state)from),
	    board_state_name(s), reason ? ": " : "", reason ? reason : "");
	/* Spooled while PostgreSQL is away (storebuf.h): the board goes on meanwhile. */
	storebuf_board_state(b->rigd->store, b->conf.name, b->conf.arch,
	    board_state_name((enum board_state)from), board_state_name(s), reason);
	http_events_bump(board_state_name(s), b->conf.name, 0);
}

void
board_set_state(struct board *b, enum board_state s, const char *reason)
{
	board_set_state_kind(b, s, ERROR_NONE, reason);
}

void
board_set_fault(struct board *b, enum error_kind kind, const char *reason)
{
	board_set_state_kind(b, BOARD_FAULT, kind, reason);
}

cJSON *
board_describe(struct board *b)
{
	cJSON *o = cJSON_CreateObject();
	char classes[256] = "", waiting[64] = "";
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
	/* The error kind of a FAULT the rig names ("lab: host key changed"), "" otherwise. */
	cJSON_AddStringToObject(o, "fault", error_kind_name(b->fault));
	cJSON_AddStringToObject(o, "host_key", b->host_key);
	cJSON_AddStringToObject(o, "classes", classes);
	/* The parts as the board file names them (a refused board's too: the reason says why). */
	cJSON_AddStringToObject(o, "power", b->conf.parts[PART_POWER].name);
	cJSON_AddStringToObject(o, "boot", b->conf.parts[PART_BOOT].name);
	cJSON_AddStringToObject(o, "console", b->conf.parts[PART_CONSOLE].name);
	cJSON_AddNumberToObject(o, "queued", b->njobs);
	cJSON_AddStringToObject(o, "release", b->release);
	/* Whoever is told the log's name may read it next: it holds console_bytes from here. */
	capture_sync(&b->con);
	cJSON_AddStringToObject(o, "console_log", b->con.log);
	cJSON_AddNumberToObject(o, "console_bytes", (double)b->con.bytes);
	pthread_mutex_unlock(&b->lock);
	/* What a person is asked to do for the board ("power on by hand"), "" when nothing. */
	if (b->power != NULL)
		power_waiting(b->power, waiting, sizeof(waiting));
	cJSON_AddStringToObject(o, "waiting", waiting);
	console_share_describe(b, o);
	/* The store's health is this host's, said with each of its boards (their writes wait). */
	storebuf_describe(o);
	return o;
}

void
board_post(struct board *b, uint64_t client, enum proto_event ev, cJSON *o)
{
	if (client == 0) {
		cJSON_Delete(o);
		return;
	}
	if (client & BOARD_CLIENT_LABRUN) {
		labrun_emit(b, (int64_t)(client & ~BOARD_CLIENT_LABRUN), ev, o);
		return;
	}
	b->rigd->sink.post(b->rigd->sink.arg, client, ev, o);
}

void
board_log(struct board *b, struct board_job *job, const char *fmt, ...)
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
	cJSON_AddStringToObject(o, "board", b->conf.name);
	cJSON_AddStringToObject(o, "msg", msg);
	board_post(b, job->client, PROTO_EV_LOG, o);
}

void
board_stage(struct board *b, enum proto_stage stage, int64_t ms, const char *what)
{
	cJSON *o;

	if (b->job_client == 0)
		return;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "board", b->conf.name);
	cJSON_AddStringToObject(o, "stage", proto_stage_name(stage));
	cJSON_AddNumberToObject(o, "ms", (double)ms);
	if (what && *what)
		cJSON_AddStringToObject(o, "what", what);
	board_post(b, b->job_client, PROTO_EV_STAGE, o);
}

struct board *
board_find(struct rigd *r, const char *name)
{
	int i;

	for (i = 0; i < r->nboards; i++)
		if (strcmp(r->boards[i]->conf.name, name) == 0)
			return r->boards[i];
	return NULL;
}

int
board_alive(struct board *b)
{
	return b->power != NULL && power_alive(b->power);
}

int
board_dies_soon(struct board *b)
{
	int64_t until = util_now_ms() + BOARD_DEATH_GRACE_MS;

	while (board_alive(b)) {
		if (util_now_ms() >= until)
			return 0;
		util_sleep_ms(50);
	}
	return 1;
}

int
board_console_gone(struct board *b)
{
	return b->console != NULL && !console_part_can_reopen(b->console) && !board_dies_soon(b);
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
board_queued(struct board *b)
{
	int n;

	pthread_mutex_lock(&b->lock);
	n = b->njobs;
	pthread_mutex_unlock(&b->lock);
	return n;
}

int
board_offers(const struct board *b, const struct scenario *sc)
{
	return protect_runnable(&b->conf, sc, NULL, 0) == ERROR_NONE;
}

int
board_missing_part(struct board *b)
{
	int missing;

	pthread_mutex_lock(&b->lock);
	missing = b->missing;
	pthread_mutex_unlock(&b->lock);
	return missing;
}
