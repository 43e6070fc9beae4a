/* storeq: store writes handed over by threads that must not wait for the disk, written in order by one thread. */
#ifndef RIGD_STOREQ_H
#define RIGD_STOREQ_H

#include <stdint.h>

struct store;

/* Enough for a burst of console reports and requests; a store this far behind is broken. */
#define STOREQ_MAX	4096

/* One write: done on the writer thread, which frees arg (free()) afterwards. */
typedef void storeq_fn(struct store *st, void *arg);

/* Starts the writer thread for st: 0, or -1. */
int storeq_start(struct store *st);
/*
 * Queues fn(st, arg) and returns at once, from any thread. The queue is bounded: when the
 * writer is that far behind, the write is dropped with a warning (-1) rather than blocking the
 * caller; arg is then freed here.
 */
int storeq_push(storeq_fn *fn, void *arg);
/*
 * How many writes storeq_push dropped since rigd started: a run during which it grew ends with
 * its board in FAULT (its crash reports may be missing), so no loss goes unseen.
 */
uint64_t storeq_dropped(void);
/* Returns once every write queued before the call is done (a board thread before it reads). */
void storeq_sync(void);
/* Writes what is queued, then ends the writer thread. */
void storeq_stop(void);

#endif
