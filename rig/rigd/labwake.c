/* labwake: wake-ups from the lab's other hosts through the store: a lab run queued for a board here, a lab run's events for a follower here. */
#include "rigd.h"
#include "log.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Without them a board's thread finds a lab run at its next look at the queue (within 2 s)
 * and a follower its events at its next look (LABRUN_EVERY_MS): what a lab run costs beyond a
 * local one. The store's engine has them (PostgreSQL) or not (SQLite: this thread never
 * starts). A lost connection is opened again every LABWAKE_RETRY_MS; meanwhile everybody
 * looks on their own timers, as without.
 */
#define LABWAKE_WAIT_MS		500	/* how long one wait lasts, to see the stop in time */
#define LABWAKE_RETRY_MS	1000

static pthread_t labwake_thread;
static int labwake_started;		/* the loop's: start and stop */
static pthread_mutex_t labwake_mu = PTHREAD_MUTEX_INITIALIZER;
static int labwake_stopping;		/* labwake_mu */

static int
labwake_stop_now(void)
{
	int stop;

	pthread_mutex_lock(&labwake_mu);
	stop = labwake_stopping;
	pthread_mutex_unlock(&labwake_mu);
	return stop;
}

/* "board:NAME": a job for a board here, whose thread looks at the queue now. */
static void
labwake_board(struct rigd *r, const char *name)
{
	struct board *b = board_find(r, name);

	if (b == NULL)
		return;		/* another host's */
	pthread_mutex_lock(&b->lock);
	b->queue_poke = 1;
	pthread_mutex_unlock(&b->lock);
	pthread_cond_broadcast(&b->cond);
}

struct labwake {
	struct rigd		*r;
	struct store_listener	*l;	/* the thread's own connection; NULL while lost */
};

static struct labwake labwake;		/* the thread's, once started */

static void *
labwake_main(void *arg)
{
	struct labwake *w = arg;
	char msg[128], err[256];
	int rc;

	while (!labwake_stop_now()) {
		if (w->l == NULL) {
			struct timespec ts = { LABWAKE_RETRY_MS / 1000, 0 };

			while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
				;
			if ((w->l = store_listen(w->r->store, err, sizeof(err))) == NULL)
				continue;
			log_info("lab wake-ups: listening again");
			labrun_wakeups(1);
		}
		rc = store_listen_wait(w->l, LABWAKE_WAIT_MS, msg, sizeof(msg));
		if (rc == -1) {
			log_warnx("lab wake-ups: the store's connection failed: looking on timers"
			    " until it is back");
			store_listen_close(w->l);
			w->l = NULL;
			labrun_wakeups(0);
		} else if (rc == 1 && strncmp(msg, "board:", 6) == 0)
			labwake_board(w->r, msg + 6);
		else if (rc == 1 && strncmp(msg, "job:", 4) == 0)
			labrun_wake();
	}
	store_listen_close(w->l);
	w->l = NULL;
	return NULL;
}

int
labwake_start(struct rigd *r)
{
	char err[256];
	int rc;

	labwake.r = r;
	if ((labwake.l = store_listen(r->store, err, sizeof(err))) == NULL) {
		if (err[0])	/* the engine has them, the server refused: timers only */
			log_warnx("lab wake-ups: %s: looking on timers", err);
		return 0;
	}
	if ((rc = pthread_create(&labwake_thread, NULL, labwake_main, &labwake)) != 0) {
		log_warnx("lab wake-ups: no thread: %s", strerror(rc));
		store_listen_close(labwake.l);
		labwake.l = NULL;
		return 0;
	}
	labwake_started = 1;
	labrun_wakeups(1);
	return 0;
}

void
labwake_stop(void)
{
	if (!labwake_started)
		return;
	pthread_mutex_lock(&labwake_mu);
	labwake_stopping = 1;
	pthread_mutex_unlock(&labwake_mu);
	pthread_join(labwake_thread, NULL);
	labwake_started = 0;
}
