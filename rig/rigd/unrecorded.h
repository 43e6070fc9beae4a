/* unrecorded: run ends the store refused: retried, kept, journaled, so no result is lost or run twice. */
#ifndef RIGD_UNRECORDED_H
#define RIGD_UNRECORDED_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct store_run_end;
struct store_step;

/* Tries for a run's end before it is kept as unrecorded, and the first pause between them. */
#define UNRECORDED_TRIES	5
#define UNRECORDED_PAUSE_MS	250

/*
 * The journal (statedir/unrecorded-runs): UNRECORDED_SLOTS slots of UNRECORDED_SLOT bytes,
 * reserved when rigd starts, so that a run's end can be written down on a full disk: a run the
 * store refused, and that stays unrecorded until rigd stops, is stored by the next rigd (its
 * verdict, not "interrupted": it is not run again).
 */
#define UNRECORDED_SLOTS	128
#define UNRECORDED_SLOT		512

/*
 * At start, before runs left open are closed as interrupted: reserves the journal in statedir
 * and stores the ends it holds. Returns how many were stored, -1 when the journal cannot be had
 * (rigd goes on without it: said in its log).
 */
int unrecorded_start(struct store *st, const char *statedir);
/* unrecorded_end's return when the end is kept because the store's connection is lost. */
#define UNRECORDED_AWAY	(-2)

/*
 * Stores run's steps the store refused during the run (nsteps of steps), then its end, trying
 * UNRECORDED_TRIES times with growing pauses (a board's thread: it may wait). 0 when stored,
 * or dropped as late (the job's claim went stale: store_run_end_claimed said so); -1 when the
 * store kept refusing: steps and end are kept (in memory; the end also in the journal) for
 * unrecorded_retry, and why says so ("database or disk is full"); UNRECORDED_AWAY when kept
 * because the connection to the store (PostgreSQL) is lost: no fault of the board or of the
 * store's disk, stored once the connection is made again.
 */
int unrecorded_end(struct store *st, const char *board, int64_t run, int64_t queue_id,
    int64_t queue_claim, const struct store_step *steps, int nsteps,
    const struct store_run_end *e, char *why, size_t whylen);
/* Stores what is kept (any thread, at any time; cheap when nothing is). Returns how many remain. */
int unrecorded_retry(struct store *st);
/* How many run ends are kept unrecorded now. */
int unrecorded_count(void);

#endif
