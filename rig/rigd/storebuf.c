/* storebuf: the board threads' fire-and-forget store writes, spooled on disk while PostgreSQL is away and written once it is back. */
#include "storebuf.h"
#include "log.h"
#include "queue.h"
#include "spool.h"
#include "storeq.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Set before the boards start, then only read (the spool has its own lock). */
static struct spool *storebuf_spool;
static char storebuf_path[600];
static char storebuf_prefix[128];	/* "host:start:" of this rigd's keys */

/* Everything below is under storebuf_lock. */
static pthread_mutex_t storebuf_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t storebuf_seq;		/* the last key's number */
static int storebuf_down;		/* a write found the store's connection lost */
static int storebuf_flushing;		/* a flush is queued on the store writer */
static int64_t storebuf_next_try;	/* util_now_ms of the next reconnection attempt */
static int64_t storebuf_pause = STOREBUF_RETRY_MS;
static char storebuf_why[256];		/* why writes are spooled ("" when they are not) */
static int64_t storebuf_back;		/* util_now_ms of the last reconnection, 0 none */

static int64_t storebuf_pruned;	/* the store writer's only: util_now_ms of the last key prune */

/* A spooled record's writes, by kind; one the spool holds but this rigd cannot read: 0, skipped. */
static int
storebuf_write(struct store *st, void *arg)
{
	const struct spool_rec *r = arg;
	const char *const *f = r->fields;

	switch (r->kind) {
	case STOREBUF_BOARD_STATE:
		if (r->nfields != 5 || f[0] == NULL || f[3] == NULL)
			break;
		if (store_board_event(st, f[0], f[2], f[3], f[4]) == -1)
			return -1;
		return store_board_set(st, f[0], f[1], f[3], f[4]);
	case STOREBUF_BOARD_EVENT:
		if (r->nfields != 4 || f[0] == NULL || f[2] == NULL)
			break;
		return store_board_event(st, f[0], f[1], f[2], f[3]);
	case STOREBUF_QUEUE_END: {
		enum queue_state state;
		int64_t job, claim;
		int rc;

		if (r->nfields != 6 || f[1] == NULL || f[2] == NULL || f[3] == NULL)
			break;
		job = strtoll(f[1], NULL, 10);
		claim = strtoll(f[2], NULL, 10);
		if ((state = queue_state_parse(f[3])) == QUEUE_STATE_UNKNOWN)
			break;
		if (state == QUEUE_QUEUED)
			rc = queue_retry(st, job, claim, f[5] ? strtoll(f[5], NULL, 10) : 0, f[4]);
		else
			rc = queue_finish(st, job, claim, state, f[4]);
		/* Stale (said by the store): the job is its new claim's to end. */
		return rc == -1 ? -1 : 0;
	}
	case STOREBUF_BOOT:
		if (r->nfields != 8 || f[0] == NULL || f[3] == NULL)
			break;
		return store_boot(st, f[0], f[1] ? strtoll(f[1], NULL, 10) : -1, f[2], f[3],
		    f[4] ? strtoll(f[4], NULL, 10) : -1, f[5] ? strtoll(f[5], NULL, 10) : -1, f[6],
		    f[7]);
	}
	log_warnx("%s: record %s (kind %d, %d fields) is not one this rigd writes: skipped",
	    storebuf_path, r->key, r->kind, r->nfields);
	return 0;
}

/* Applied with its key: once, whether this is its first try or not. */
static int
storebuf_apply(const struct spool_rec *r, void *arg)
{
	return store_keyed(arg, r->key, r->at_ms, storebuf_write, (void *)r) == -1 ? -1 : 0;
}

static void
storebuf_put(struct store *st, struct spool_rec *r, const char *what)
{
	char key[160];
	uint64_t lost;
	int direct;

	if (storebuf_spool == NULL) {
		/* SQLite (or no spool): written now, as ever; a refusal is said. */
		if (storebuf_write(st, r) == -1)
			log_warnx("%s: %s not stored: %s", r->fields[0], what, store_last_error());
		return;
	}
	pthread_mutex_lock(&storebuf_lock);
	util_fmt(key, sizeof(key), "%s%" PRIu64, storebuf_prefix, ++storebuf_seq);
	direct = !storebuf_down;
	pthread_mutex_unlock(&storebuf_lock);
	r->key = key;
	/* Straight to the store unless writes wait already: they are written first, in order. */
	if (direct && spool_pending(storebuf_spool) == 0) {
		if (store_keyed(st, key, r->at_ms, storebuf_write, r) != -1)
			return;
		if (!store_lost(st)) {
			log_warnx("%s: %s not stored: %s", r->fields[0], what, store_last_error());
			return;
		}
	}
	pthread_mutex_lock(&storebuf_lock);
	if (!storebuf_down) {
		storebuf_down = 1;
		util_fmt(storebuf_why, sizeof(storebuf_why), "%s", store_last_error()[0] ?
		    store_last_error() : "PostgreSQL connection lost");
		log_warnx("store unreachable (%s): writes are spooled in %s until it is back",
		    storebuf_why, storebuf_path);
	}
	pthread_mutex_unlock(&storebuf_lock);
	if (spool_append(storebuf_spool, r) == 0)
		return;
	if (errno != ENOSPC) {
		log_warn("%s: %s: %s not spooled either: lost", storebuf_path, r->fields[0], what);
		return;
	}
	lost = spool_lost(storebuf_spool);
	pthread_mutex_lock(&storebuf_lock);
	/* The first ten, then every hundredth: counted in show boards, never a flood of lines. */
	if (lost <= 10 || lost % 100 == 0)
		log_warnx("%s is full (%d bytes): %s of %s is lost (%" PRIu64 " so far)",
		    storebuf_path, STOREBUF_MAX_BYTES, what, r->fields[0], lost);
	pthread_mutex_unlock(&storebuf_lock);
}

void
storebuf_board_state(struct store *st, const char *board, const char *arch, const char *from,
    const char *to, const char *reason)
{
	struct spool_rec r = { .kind = STOREBUF_BOARD_STATE, .at_ms = util_wall_ms(),
	    .nfields = 5, .fields = { board, arch, from, to, reason } };

	storebuf_put(st, &r, "a state change");
}

void
storebuf_board_event(struct store *st, const char *board, const char *from, const char *to,
    const char *reason)
{
	struct spool_rec r = { .kind = STOREBUF_BOARD_EVENT, .at_ms = util_wall_ms(),
	    .nfields = 4, .fields = { board, from, to, reason } };

	storebuf_put(st, &r, "an event");
}

void
storebuf_boot(struct store *st, const char *board, int64_t build_id, const char *why,
    const char *outcome, int64_t console_ready_ms, int64_t ready_ms, const char *console_log,
    const char *error)
{
	char b[32], c[32], rd[32];
	struct spool_rec r = { .kind = STOREBUF_BOOT, .at_ms = util_wall_ms(), .nfields = 8,
	    .fields = { board, b, why, outcome, c, rd, console_log, error } };

	util_fmt(b, sizeof(b), "%" PRId64, build_id);
	util_fmt(c, sizeof(c), "%" PRId64, console_ready_ms);
	util_fmt(rd, sizeof(rd), "%" PRId64, ready_ms);
	storebuf_put(st, &r, "a boot");
}

void
storebuf_queue_end(struct store *st, const char *board, int64_t job, int64_t claim,
    enum queue_state state, const char *note, int64_t run)
{
	char j[32], c[32], rn[32];
	struct spool_rec r = { .kind = STOREBUF_QUEUE_END, .at_ms = util_wall_ms(), .nfields = 6,
	    .fields = { board, j, c, queue_state_name(state), note, run > 0 ? rn : NULL } };

	util_fmt(j, sizeof(j), "%" PRId64, job);
	util_fmt(c, sizeof(c), "%" PRId64, claim);
	util_fmt(rn, sizeof(rn), "%" PRId64, run);
	storebuf_put(st, &r, "a job's end");
}

int64_t
storebuf_back_ms(void)
{
	int64_t t;

	pthread_mutex_lock(&storebuf_lock);
	t = storebuf_back;
	pthread_mutex_unlock(&storebuf_lock);
	return t;
}

int
storebuf_start(struct store *st, const char *statedir, const char *host)
{
	char err[512];
	int n;

	if (!store_can_lose(st))
		return 0;
	util_fmt(storebuf_path, sizeof(storebuf_path), "%s/store-spool", statedir);
	/* Unique over restarts: a key names this rigd's start as well as the write. */
	util_fmt(storebuf_prefix, sizeof(storebuf_prefix), "%s:%" PRId64 ":", host,
	    util_wall_ms());
	if ((storebuf_spool = spool_open(storebuf_path, STOREBUF_MAX_BYTES, err,
	    sizeof(err))) == NULL) {
		log_warnx("%s: writes go straight to the store (lost while it is away)", err);
		return -1;
	}
	if ((n = spool_pending(storebuf_spool)) > 0) {
		int done = spool_replay(storebuf_spool, storebuf_apply, st);

		if (done >= 0)
			log_info("%s: %d write(s) a previous rigd spooled are stored now",
			    storebuf_path, done);
		else {
			log_warnx("%s: %d write(s) spooled still not stored (%s): written once the"
			    " store takes them", storebuf_path, spool_pending(storebuf_spool),
			    store_last_error());
			storebuf_down = 1;
		}
	}
	return 0;
}

/* On the store writer: reconnects when due, then writes the spool. */
static void
storebuf_flush_write(struct store *st, void *arg)
{
	(void)arg;
	storebuf_flush(st, 0);
	pthread_mutex_lock(&storebuf_lock);
	storebuf_flushing = 0;
	pthread_mutex_unlock(&storebuf_lock);
}

void
storebuf_flush(struct store *st, int beat)
{
	char err[512] = "";
	int64_t now = util_now_ms();
	int n, left;

	if (storebuf_spool == NULL)
		return;
	if (store_lost(st)) {
		pthread_mutex_lock(&storebuf_lock);
		storebuf_down = 1;
		if (!beat && now < storebuf_next_try) {
			pthread_mutex_unlock(&storebuf_lock);
			return;
		}
		pthread_mutex_unlock(&storebuf_lock);
		if (store_reconnect(st, err, sizeof(err)) == -1) {
			pthread_mutex_lock(&storebuf_lock);
			storebuf_next_try = util_now_ms() + storebuf_pause;
			util_fmt(storebuf_why, sizeof(storebuf_why), "PostgreSQL unreachable: %s", err);
			log_warnx("store: %s; next try in %.2f s", storebuf_why, storebuf_pause / 1000.0);
			storebuf_pause = storebuf_pause * 2 > STOREBUF_RETRY_MAX_MS ?
			    STOREBUF_RETRY_MAX_MS : storebuf_pause * 2;
			pthread_mutex_unlock(&storebuf_lock);
			return;
		}
		log_info("store: connected to PostgreSQL again");
		pthread_mutex_lock(&storebuf_lock);
		storebuf_pause = STOREBUF_RETRY_MS;
		storebuf_back = util_now_ms();
		pthread_mutex_unlock(&storebuf_lock);
	}
	n = spool_replay(storebuf_spool, storebuf_apply, st);
	left = spool_pending(storebuf_spool);
	/* Hourly, on the beat: the keys' table stays as long as a week of writes. */
	if (beat && left == 0 && (storebuf_pruned == 0 || now - storebuf_pruned > 3600 * 1000)) {
		storebuf_pruned = now;
		if (store_keys_prune(st, util_wall_ms() - (int64_t)STOREBUF_KEY_DAYS * 86400000) == -1)
			log_warnx("store: old write keys not pruned: %s", store_last_error());
	}
	pthread_mutex_lock(&storebuf_lock);
	if (left == 0 && storebuf_down) {
		storebuf_down = 0;
		storebuf_why[0] = '\0';
		log_info("store: back; %d spooled write(s) stored", n);
	} else if (n == -1)
		util_fmt(storebuf_why, sizeof(storebuf_why), "%s", store_last_error());
	pthread_mutex_unlock(&storebuf_lock);
}

void
storebuf_tick(void)
{
	int64_t now = util_now_ms();
	int due;

	if (storebuf_spool == NULL)
		return;
	/* Only this file's state: the loop never waits for the store's lock. */
	pthread_mutex_lock(&storebuf_lock);
	due = storebuf_down && !storebuf_flushing && now >= storebuf_next_try;
	if (due)
		storebuf_flushing = 1;
	pthread_mutex_unlock(&storebuf_lock);
	if (due && storeq_push(storebuf_flush_write, NULL) == -1) {
		pthread_mutex_lock(&storebuf_lock);
		storebuf_flushing = 0;
		pthread_mutex_unlock(&storebuf_lock);
	}
}

/* The health show boards and rigctl wait store read: why (ok, or why not), writes waiting, lost. */
static int
storebuf_health(char *why, size_t len, int *waiting, uint64_t *lost)
{
	int ok;

	*waiting = storebuf_spool ? spool_pending(storebuf_spool) : 0;
	*lost = storebuf_spool ? spool_lost(storebuf_spool) : 0;
	pthread_mutex_lock(&storebuf_lock);
	ok = 0;
	if (*lost > 0)
		util_fmt(why, len, "%" PRIu64 " write(s) lost: %s was full%s%s", *lost,
		    storebuf_path, storebuf_why[0] ? "; " : "", storebuf_why);
	else if (storebuf_down || *waiting > 0)
		util_fmt(why, len, "%d write(s) spooled: %s", *waiting,
		    storebuf_why[0] ? storebuf_why : "store unreachable");
	else {
		util_strlcpy(why, "ok", len);
		ok = 1;
	}
	pthread_mutex_unlock(&storebuf_lock);
	return ok;
}

int
storebuf_ok(char *why, size_t len)
{
	uint64_t lost;
	int waiting;

	return storebuf_health(why, len, &waiting, &lost);
}

void
storebuf_describe(cJSON *o)
{
	char why[300];
	uint64_t lost;
	int waiting;

	storebuf_health(why, sizeof(why), &waiting, &lost);
	cJSON_AddStringToObject(o, "store", why);
	cJSON_AddNumberToObject(o, "store_spooled", waiting);
	cJSON_AddNumberToObject(o, "store_lost_writes", (double)lost);
}

void
storebuf_stop(void)
{
	spool_close(storebuf_spool);
	storebuf_spool = NULL;
}
