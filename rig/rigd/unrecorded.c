/* unrecorded: run ends the store refused: retried, kept, journaled, so no result is lost or run twice. */
#include "unrecorded.h"
#include "log.h"
#include "queue.h"
#include "store.h"
#include "util.h"
#include "vocab.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct unrecorded {
	int64_t			 run, queue_id, queue_claim;
	struct store_run_end	 end;		/* detail and stack are this entry's copies */
	char			*detail, *stack;
	struct store_step	*steps;		/* refused during the run; stored before the end */
	int			 nsteps;
	char			 board[64];
	int			 slot;		/* its journal slot, -1 when it has none */
	struct unrecorded	*next;
};

/* Everything below is under unrecorded_lock but unrecorded_fd (set before the boards start). */
static pthread_mutex_t unrecorded_lock = PTHREAD_MUTEX_INITIALIZER;
static struct unrecorded *unrecorded_list;
static int unrecorded_n;
static unsigned char unrecorded_used[UNRECORDED_SLOTS];
static int unrecorded_fd = -1;

/*
 * One slot's text: "run queue:claim verdict console_end board title\n", NUL-padded (a slot
 * written before claims were numbered has no ":claim": its job's end is written unfenced).
 */
static int
unrecorded_slot_write(struct unrecorded *u)
{
	char buf[UNRECORDED_SLOT];
	int i;

	if (unrecorded_fd == -1)
		return -1;
	for (i = 0; i < UNRECORDED_SLOTS && unrecorded_used[i]; i++)
		;
	if (i == UNRECORDED_SLOTS)
		return -1;
	memset(buf, 0, sizeof(buf));
	snprintf(buf, sizeof(buf) - 1, "%" PRId64 "\t%" PRId64 ":%" PRId64 "\t%s\t%" PRId64
	    "\t%s\t%s\n", u->run, u->queue_id, u->queue_claim, verdict_name(u->end.verdict), u->end.console_end, u->board,
	    u->end.title);
	/* The slot exists already (reserved at start): this write needs no new space. */
	if (pwrite(unrecorded_fd, buf, sizeof(buf), (off_t)i * UNRECORDED_SLOT) != sizeof(buf))
		return -1;
	fdatasync(unrecorded_fd);
	unrecorded_used[i] = 1;
	u->slot = i;
	return 0;
}

static void
unrecorded_slot_clear(int slot)
{
	char zero[UNRECORDED_SLOT] = { 0 };

	if (slot < 0 || unrecorded_fd == -1)
		return;
	if (pwrite(unrecorded_fd, zero, sizeof(zero), (off_t)slot * UNRECORDED_SLOT) !=
	    sizeof(zero))
		log_warn("unrecorded-runs: slot %d not cleared", slot);
	fdatasync(unrecorded_fd);
	unrecorded_used[slot] = 0;
}

/* Steps first (the end closes the run): -1 at the first the store refuses. */
static int
unrecorded_steps(struct store *st, int64_t run, const struct store_step *steps, int nsteps)
{
	int i;

	for (i = 0; i < nsteps; i++)
		if (store_run_step(st, run, &steps[i]) == -1)
			return -1;
	return 0;
}

/* The run's end written late: the detail says so, and the nightly job it was ends with it. */
static int
unrecorded_store(struct store *st, int64_t run, int64_t queue_id, int64_t queue_claim,
    const struct store_step *steps, int nsteps, const struct store_run_end *e, const char *how)
{
	struct store_run_end late = *e;
	char *detail = NULL;
	int rc;

	if (unrecorded_steps(st, run, steps, nsteps) == -1)
		return -1;

	if (asprintf(&detail, "%s%s[%s]", e->detail ? e->detail : "",
	    e->detail && e->detail[0] ? "\n" : "", how) < 0)
		detail = NULL;
	late.detail = detail;
	rc = store_run_end_claimed(st, run, queue_id, queue_claim, &late);
	free(detail);
	/* Stale: the job is another claim's now (the store's log says so): nothing to end. */
	if (rc == QUEUE_STALE)
		return 0;
	/*
	 * The job's end failing keeps the whole entry: tried again, the run's end is written the
	 * same (the job still names the run), then the job's.
	 */
	if (rc == 0 && queue_id > 0 && queue_finish(st, queue_id, queue_claim,
	    e->verdict == VERDICT_ERROR ? QUEUE_ERROR : QUEUE_DONE,
	    e->verdict == VERDICT_ERROR ? e->title : verdict_name(e->verdict)) == -1) {
		log_warnx("job %lld: its end not stored (run %lld is): tried again later",
		    (long long)queue_id, (long long)run);
		return -1;
	}
	return rc;
}

/* Parses a journal slot; 0, or -1 when it holds nothing readable. */
static int
unrecorded_slot_parse(char *buf, int64_t *run, int64_t *queue_id, int64_t *queue_claim,
    struct store_run_end *e, char *board, size_t boardlen)
{
	char *f[6], *p = buf, *nl, *c;
	int i;

	if ((nl = strchr(buf, '\n')) == NULL)
		return -1;
	*nl = '\0';
	for (i = 0; i < 6; i++)
		f[i] = strsep(&p, "\t");
	if (f[5] == NULL)
		return -1;
	*run = strtoll(f[0], NULL, 10);
	*queue_id = strtoll(f[1], &c, 10);
	*queue_claim = *c == ':' ? strtoll(c + 1, NULL, 10) : 0;
	memset(e, 0, sizeof(*e));
	e->verdict = verdict_parse(f[2]);
	e->console_end = strtoll(f[3], NULL, 10);
	util_strlcpy(board, f[4], boardlen);
	util_strlcpy(e->title, f[5], sizeof(e->title));
	return *run > 0 ? 0 : -1;
}

int
unrecorded_start(struct store *st, const char *statedir)
{
	char path[600], buf[UNRECORDED_SLOT + 1], board[64];
	struct store_run_end e;
	int64_t run, queue_id, queue_claim;
	int i, n = 0, err;

	util_fmt(path, sizeof(path), "%s/unrecorded-runs", statedir);
	unrecorded_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (unrecorded_fd == -1) {
		log_warn("%s", path);
		return -1;
	}
	for (i = 0; i < UNRECORDED_SLOTS; i++) {
		memset(buf, 0, sizeof(buf));
		if (pread(unrecorded_fd, buf, UNRECORDED_SLOT, (off_t)i * UNRECORDED_SLOT) <= 0 ||
		    buf[0] == '\0')
			continue;
		if (unrecorded_slot_parse(buf, &run, &queue_id, &queue_claim, &e, board,
		    sizeof(board)) == -1) {
			log_warnx("%s: slot %d unreadable: dropped", path, i);
			unrecorded_slot_clear(i);
			continue;
		}
		if (unrecorded_store(st, run, queue_id, queue_claim, NULL, 0, &e, "stored at rigd's start from"
		    " unrecorded-runs: the store had refused this end when the run ended") == -1) {
			/* Kept for the next start; this rigd does not run it again either. */
			log_warnx("%s: %s: run %lld: its end still not stored: %s", path, board,
			    (long long)run, store_last_error());
			unrecorded_used[i] = 1;
			continue;
		}
		log_info("%s: run %lld: its end (%s) stored from %s", board, (long long)run,
		    verdict_name(e.verdict), path);
		unrecorded_slot_clear(i);
		n++;
	}
	/* Reserved now, while there is room: a full disk later cannot refuse the journal. */
	if ((err = posix_fallocate(unrecorded_fd, 0, UNRECORDED_SLOTS * UNRECORDED_SLOT)) != 0) {
		errno = err;
		log_warn("%s: cannot reserve room", path);
	}
	return n;
}

int
unrecorded_end(struct store *st, const char *board, int64_t run, int64_t queue_id,
    int64_t queue_claim, const struct store_step *steps, int nsteps, const struct store_run_end *e, char *why,
    size_t whylen)
{
	struct unrecorded *u;
	int64_t pause = UNRECORDED_PAUSE_MS;
	int i, away;

	for (i = 0; i < UNRECORDED_TRIES; i++) {
		if (i > 0) {
			log_warnx("%s: run %lld: its end not stored (%s): trying again in %.2fs",
			    board, (long long)run, store_last_error(), pause / 1000.0);
			util_sleep_ms(pause);
			pause *= 2;
		}
		if (unrecorded_steps(st, run, steps, nsteps) == 0 && store_run_end_claimed(st, run,
		    queue_id, queue_claim, e) != -1)
			return 0;	/* stored, or late (QUEUE_STALE): dropped, said */
	}
	/* A lost connection is PostgreSQL away (a restart), not the board's fault nor a full disk. */
	away = store_lost(st);
	util_fmt(why, whylen, "run %lld: its end could not be stored (%s, %d tries): %s",
	    (long long)run, store_last_error()[0] ? store_last_error() : "store failed",
	    UNRECORDED_TRIES, away ? "kept, and stored once the store is back" :
	    "the run is unrecorded");
	u = xcalloc(1, sizeof(*u));
	u->run = run;
	u->queue_id = queue_id;
	u->queue_claim = queue_claim;
	u->end = *e;
	u->detail = e->detail ? xstrdup(e->detail) : NULL;
	u->stack = e->stack ? xstrdup(e->stack) : NULL;
	u->end.detail = u->detail;
	u->end.stack = u->stack;
	if (nsteps > 0) {
		u->steps = xcalloc((size_t)nsteps, sizeof(*u->steps));
		memcpy(u->steps, steps, (size_t)nsteps * sizeof(*steps));
		u->nsteps = nsteps;
	}
	util_strlcpy(u->board, board, sizeof(u->board));
	u->slot = -1;
	pthread_mutex_lock(&unrecorded_lock);
	if (unrecorded_slot_write(u) == -1)
		log_warn("%s: run %lld: not in unrecorded-runs either: a restart records it as"
		    " interrupted", board, (long long)run);
	u->next = unrecorded_list;
	unrecorded_list = u;
	unrecorded_n++;
	pthread_mutex_unlock(&unrecorded_lock);
	/* Said whole, so the log alone keeps the result whatever happens next. */
	log_warnx("%s: %s; its verdict: %s%s%s", board, why, verdict_name(e->verdict),
	    e->title[0] ? ": " : "", e->title);
	return away ? UNRECORDED_AWAY : -1;
}

int
unrecorded_retry(struct store *st)
{
	struct unrecorded **pp, *u;
	int left;

	pthread_mutex_lock(&unrecorded_lock);
	for (pp = &unrecorded_list; (u = *pp) != NULL;) {
		if (unrecorded_store(st, u->run, u->queue_id, u->queue_claim, u->steps, u->nsteps, &u->end,
		    "stored late: the store had"
		    " refused this end when the run ended") == -1) {
			pp = &u->next;
			continue;
		}
		log_info("%s: run %lld: its end (%s) is stored now", u->board, (long long)u->run,
		    verdict_name(u->end.verdict));
		unrecorded_slot_clear(u->slot);
		*pp = u->next;
		unrecorded_n--;
		free(u->detail);
		free(u->stack);
		free(u->steps);
		free(u);
	}
	left = unrecorded_n;
	pthread_mutex_unlock(&unrecorded_lock);
	return left;
}

int
unrecorded_count(void)
{
	int n;

	pthread_mutex_lock(&unrecorded_lock);
	n = unrecorded_n;
	pthread_mutex_unlock(&unrecorded_lock);
	return n;
}
