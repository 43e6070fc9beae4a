/* storebuf: the board threads' fire-and-forget store writes, spooled on disk while PostgreSQL is away and written once it is back. */
#ifndef RIGD_STOREBUF_H
#define RIGD_STOREBUF_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "vocab.h"

struct store;

/* The spool's bound (statedir/store-spool): past it a write is lost, said and counted. */
#define STOREBUF_MAX_BYTES	(4 * 1024 * 1024)
/* Reconnection attempts: the first pause, doubled up to the last. */
#define STOREBUF_RETRY_MS	250
#define STOREBUF_RETRY_MAX_MS	8000
/* Keys of applied writes are kept this long (a replay's duplicate is told by its key), then pruned. */
#define STOREBUF_KEY_DAYS	7

/* What a spooled record writes (its kind in the spool file: numbers never reused). */
enum storebuf_kind {
	STOREBUF_BOARD_STATE = 1,	/* board, arch, from, to, reason: an event and the state */
	STOREBUF_BOOT = 2,		/* board, build, why, outcome, ready ms x2, log, error */
	STOREBUF_BOARD_EVENT = 3,	/* board, from, to, reason: an event only (power's) */
	STOREBUF_QUEUE_END = 4,		/* board, job, claim, state, note, run: a job's end */
};

/*
 * Before the boards start: on a store that can lose its connection (PostgreSQL), opens the
 * spool in statedir and writes what a previous rigd left in it. host names the keys. 0, or
 * -1 (said in the log: writes then go straight to the store, as on SQLite).
 */
int storebuf_start(struct store *st, const char *statedir, const char *host);
/* A board's state change (board_state.c): its event and its state, together. */
void storebuf_board_state(struct store *st, const char *board, const char *arch,
    const char *from, const char *to, const char *reason);
/* An event that leaves the state as it is (what the power part did). */
void storebuf_board_event(struct store *st, const char *board, const char *from,
    const char *to, const char *reason);
/* One power-on and how it ended (board_boot.c): store_boot's fields. */
void storebuf_boot(struct store *st, const char *board, int64_t build_id, const char *why,
    const char *outcome, int64_t console_ready_ms, int64_t ready_ms, const char *console_log,
    const char *error);
/*
 * A nightly job's end (board_nightly.c): queue_finish with state, or, state QUEUE_QUEUED,
 * queue_retry repeating run. A job whose claim went stale meanwhile (another host requeued
 * it) counts as ended: its new claim ends it. Spooled while PostgreSQL is away, so the job
 * ends once it is back instead of staying "running" under a lease this host renews.
 */
void storebuf_queue_end(struct store *st, const char *board, int64_t job, int64_t claim,
    enum queue_state state, const char *note, int64_t run);
/*
 * util_now_ms when the store's connection was last made again (0: never lost). A host that was
 * cut off itself does not take others' silence for death until they could beat again.
 */
int64_t storebuf_back_ms(void);
/*
 * On the store writer thread: a lost connection is made again, then the spool is written, in
 * order. Never on the event loop. The heartbeat's flush tries at every beat (a rate of its
 * own); the spool's own (storebuf_tick) waits out a pause doubled at each failure.
 */
void storebuf_flush(struct store *st, int beat);
/*
 * On the event loop, often: while writes are spooled, queues a flush on the store writer when
 * the next attempt is due. Reads only this file's state (never the store's lock).
 */
void storebuf_tick(void);
/*
 * The store's health for show boards: "store" (ok, or why not), "store_spooled" (writes
 * waiting), "store_lost_writes" (refused by a full spool since rigd started).
 */
void storebuf_describe(cJSON *o);
/*
 * The same health for a wait (rigctl wait store --ok), from this file's state only (no store
 * read, never the store's lock: the event loop asks): 1 when ok, else 0 and why says why.
 */
int storebuf_ok(char *why, size_t len);
void storebuf_stop(void);

#endif
