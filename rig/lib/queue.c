/* queue: the nightly queue's operations; its rows are kept by the store (store_queue.c). */
#include "queue.h"
#include "log.h"
#include "store.h"

#include <stdlib.h>
#include <string.h>

int64_t
queue_nightly_new(struct store *s, long uid)
{
	return store_queue_nightly_new(s, uid, 0);
}

int64_t
queue_bisect_new(struct store *s, long uid)
{
	return store_queue_nightly_new(s, uid, 1);
}

int64_t
queue_add(struct store *s, int64_t nightly, int64_t build_id, const char *board,
    const char *scenario, int64_t repeat_of, const char *why, int front)
{
	return store_queue_add(s, nightly, build_id, board, scenario, repeat_of, why, front);
}

int
queue_claim(struct store *s, const char *board, int64_t prefer_build, struct queue_job *job)
{
	return store_queue_claim(s, board, prefer_build, job);
}

int
queue_set_run(struct store *s, int64_t job, int64_t claim, int64_t run)
{
	return store_queue_set_run(s, job, claim, run);
}

int
queue_finish(struct store *s, int64_t job, int64_t claim, enum queue_state state,
    const char *note)
{
	return store_queue_finish(s, job, claim, state, note);
}

int
queue_retry(struct store *s, int64_t job, int64_t claim, int64_t run, const char *note)
{
	return store_queue_retry(s, job, claim, run, note);
}

int
queue_recover(struct store *s)
{
	int n;

	/* Its verdict was stored: the job is done, running it again would run it twice. */
	if (store_queue_finish_stored(s) == -1)
		return -1;
	/*
	 * A bisect's search lived in the rigd that stopped: not resumed (its answer's client is
	 * gone, its ends are not stored), its jobs end rather than run for nobody.
	 */
	if ((n = store_queue_end_bisects(s, QUEUE_BISECT_ENDED)) == -1)
		return -1;
	if (n > 0)
		log_info("nightly queue: %d job(s) of bisects the restart stopped ended as errors", n);
	return store_queue_requeue_running(s);
}

int
queue_open_jobs(struct store *s)
{
	return store_queue_open_count(s);
}

static int
queue_cmp_ms(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int64_t
queue_estimate_ms(const int64_t *recent_ms, int n, int64_t fallback_ms)
{
	int64_t sorted[64];
	int k;

	if (n <= 0)
		return fallback_ms;
	if (n > 64)
		n = 64;
	memcpy(sorted, recent_ms, (size_t)n * sizeof(*sorted));
	qsort(sorted, (size_t)n, sizeof(*sorted), queue_cmp_ms);
	k = (9 * n + 9) / 10;	/* nearest rank: ceil(0.9 n) */
	return sorted[k - 1];
}
