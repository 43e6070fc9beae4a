/* storeq: store writes handed over by threads that must not wait for the disk, written in order by one thread. */
#include "storeq.h"
#include "log.h"
#include "util.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

struct storeq_item {
	storeq_fn		*fn;
	void			*arg;
	struct storeq_item	*next;
};

/* Everything below is under storeq_lock, but st (set before the thread starts). */
static pthread_mutex_t storeq_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t storeq_cond = PTHREAD_COND_INITIALIZER;	/* work queued, or stop */
static pthread_cond_t storeq_done = PTHREAD_COND_INITIALIZER;	/* written advanced */
static struct storeq_item *storeq_head, *storeq_tail;
static int storeq_len, storeq_stopping, storeq_running;
static uint64_t storeq_queued, storeq_written;	/* counts: sync waits for written >= queued */
static uint64_t storeq_drops;			/* writes dropped since rigd started */
static struct store *storeq_st;
static pthread_t storeq_thread;

static void *
storeq_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&storeq_lock);
	for (;;) {
		struct storeq_item *it;

		while (storeq_head == NULL && !storeq_stopping)
			pthread_cond_wait(&storeq_cond, &storeq_lock);
		it = storeq_head;
		if (it == NULL)
			break;
		storeq_head = it->next;
		if (storeq_head == NULL)
			storeq_tail = NULL;
		storeq_len--;
		pthread_mutex_unlock(&storeq_lock);
		it->fn(storeq_st, it->arg);
		free(it->arg);
		free(it);
		pthread_mutex_lock(&storeq_lock);
		storeq_written++;
		pthread_cond_broadcast(&storeq_done);
	}
	pthread_mutex_unlock(&storeq_lock);
	return NULL;
}

int
storeq_start(struct store *st)
{
	storeq_st = st;
	if (pthread_create(&storeq_thread, NULL, storeq_main, NULL) != 0)
		return -1;
	pthread_mutex_lock(&storeq_lock);
	storeq_running = 1;
	pthread_mutex_unlock(&storeq_lock);
	return 0;
}

int
storeq_push(storeq_fn *fn, void *arg)
{
	struct storeq_item *it;

	pthread_mutex_lock(&storeq_lock);
	if (storeq_len >= STOREQ_MAX || storeq_stopping) {
		uint64_t n = ++storeq_drops;

		pthread_mutex_unlock(&storeq_lock);
		/* Each of the first ten, then every thousandth: counted, never a flood of lines. */
		if (n <= 10 || n % 1000 == 0)
			log_warnx("store writer %s: a write is dropped (%llu so far)",
			    storeq_stopping ? "stopped" : "too far behind", (unsigned long long)n);
		free(arg);
		return -1;
	}
	it = xcalloc(1, sizeof(*it));
	it->fn = fn;
	it->arg = arg;
	if (storeq_tail)
		storeq_tail->next = it;
	else
		storeq_head = it;
	storeq_tail = it;
	storeq_len++;
	storeq_queued++;
	pthread_cond_signal(&storeq_cond);
	pthread_mutex_unlock(&storeq_lock);
	return 0;
}

uint64_t
storeq_dropped(void)
{
	uint64_t n;

	pthread_mutex_lock(&storeq_lock);
	n = storeq_drops;
	pthread_mutex_unlock(&storeq_lock);
	return n;
}

void
storeq_sync(void)
{
	uint64_t want;

	pthread_mutex_lock(&storeq_lock);
	want = storeq_queued;
	while (storeq_running && storeq_written < want)
		pthread_cond_wait(&storeq_done, &storeq_lock);
	pthread_mutex_unlock(&storeq_lock);
}

void
storeq_stop(void)
{
	if (!storeq_running)
		return;
	pthread_mutex_lock(&storeq_lock);
	storeq_stopping = 1;
	pthread_cond_signal(&storeq_cond);
	pthread_mutex_unlock(&storeq_lock);
	pthread_join(storeq_thread, NULL);
	pthread_mutex_lock(&storeq_lock);
	storeq_running = 0;
	pthread_cond_broadcast(&storeq_done);
	pthread_mutex_unlock(&storeq_lock);
}
