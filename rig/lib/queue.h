/* queue: the nightly queue of (build, board, scenario) jobs, kept in the store so it outlives rigd. */
#ifndef RIG_QUEUE_H
#define RIG_QUEUE_H

#include <stdint.h>

#include "vocab.h"

struct store;

#define QUEUE_MAX_ATTEMPTS	3	/* a job whose runs end in lab errors is tried this often */
/* A job of this scenario name is its board's whole survey (many runs), not one scenario's run. */
#define QUEUE_SURVEY_ENTRY	"survey"

struct queue_job {
	int64_t	id;
	int64_t	nightly;
	int64_t	build_id;
	char	board[64];
	char	scenario[64];
	int	attempts;	/* including the one just claimed */
	int64_t	repeat_of;	/* the run this job repeats, 0 if none */
	char	why[16];	/* "lab-retry", "confirm" or "" */
	/*
	 * This claim's number (a fencing token): the job's writes carry it and change nothing
	 * once the job was claimed again (its lease ran out and another claim took it).
	 */
	int64_t	claim;
};

/* A claimed job's write refused: the claim is stale (the job was claimed again since). */
#define QUEUE_STALE	1


/* A new nightly: returns its id (jobs are then added under it), -1 on error. */
int64_t queue_nightly_new(struct store *s, long uid);
/*
 * The same for a bisect (rigctl bisect): its search, on a thread of the rigd that began it,
 * adds each job once the last one ended. A restart ends what it left open (queue_recover).
 */
int64_t queue_bisect_new(struct store *s, long uid);
/* Adds a job; front puts it before the others of its board (confirmations). Its id, or -1. */
int64_t queue_add(struct store *s, int64_t nightly, int64_t build_id, const char *board,
    const char *scenario, int64_t repeat_of, const char *why, int front);
/*
 * Takes the next job for board, preferring jobs of prefer_build (the build the board runs now:
 * each build is booted once and its scenarios run in a row). 1 with *job, 0 none, -1 error.
 */
int queue_claim(struct store *s, const char *board, int64_t prefer_build, struct queue_job *job);
/*
 * How long a job of a scenario is expected to take: the 90th percentile (nearest rank) of its
 * n last run times, or fallback_ms when it never ran. p90, not the median: running into the next
 * reservation keeps its holder waiting, while a job estimated too long only waits until after it.
 */
int64_t queue_estimate_ms(const int64_t *recent_ms, int n, int64_t fallback_ms);
/*
 * The writes of a claimed job carry its claim (struct queue_job's): 0 done, QUEUE_STALE when
 * the job was claimed again since (nothing changed; the store's log says so), -1 error. A
 * claim of 0 is no claim known (a journal written before claims were numbered): not checked.
 */
/* The run a job started: written before the run does anything. */
int queue_set_run(struct store *s, int64_t job, int64_t claim, int64_t run);
/* A job ended for good: QUEUE_DONE (a kernel verdict) or QUEUE_ERROR (lab errors used up). */
int queue_finish(struct store *s, int64_t job, int64_t claim, enum queue_state state,
    const char *note);
/* A lab error with attempts left: back in the queue, repeating run. */
int queue_retry(struct store *s, int64_t job, int64_t claim, int64_t run, const char *note);
/* The note of a bisect's job that a restart ended (show queue). */
#define QUEUE_BISECT_ENDED	"ended at rigd's restart: the bisect that queued it stopped with" \
	" the rigd before (run rigctl bisect again)"
/*
 * At start: a job left running by a rigd that died is done when its run was stored complete,
 * else queued again (its run was recorded as interrupted). The open jobs of this host's
 * bisects (queue_bisect_new) end as errors with QUEUE_BISECT_ENDED: their search is gone.
 * Returns how many were requeued.
 */
int queue_recover(struct store *s);
/* Jobs neither done nor failed; -1 on error. */
int queue_open_jobs(struct store *s);

/* Queued jobs of a board and build (store_queue_pending), and rigctl show queue (views.h). */

#endif
