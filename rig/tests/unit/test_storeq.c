/*
 * test_storeq: the store writer's queue is bounded; what it drops is counted (storeq_dropped),
 * never lost unseen. rigd's storeq.c is built in here: it is rigd's, not the library's.
 */
#include "../../rigd/storeq.c"
#include "test.h"

#include <semaphore.h>

static sem_t gate;		/* the first write waits on it: the writer is "stuck on the disk" */
static int written;		/* the writer thread's count; read after storeq_sync */

static void
slow_write(struct store *st, void *arg)
{
	(void)st;
	(void)arg;
	sem_wait(&gate);
	written++;
}

static void
fast_write(struct store *st, void *arg)
{
	(void)st;
	(void)arg;
	written++;
}

static void
a_writer_too_far_behind_drops_and_counts(void)
{
	int i, refused = 0;

	sem_init(&gate, 0, 0);
	CHECK_INT(storeq_start(NULL), 0);
	CHECK_INT(storeq_dropped(), 0);
	CHECK_INT(storeq_push(slow_write, xmalloc(1)), 0);
	/* The writer holds the first write; STOREQ_MAX more fill the queue, 5 are too many. */
	for (i = 0; i < STOREQ_MAX + 5; i++)
		refused += storeq_push(fast_write, xmalloc(1)) == -1;
	CHECK(refused >= 5);
	CHECK_INT(storeq_dropped(), (uint64_t)refused);
	sem_post(&gate);
	storeq_sync();
	CHECK_INT(written, STOREQ_MAX + 5 + 1 - refused);
	CHECK_INT(storeq_push(fast_write, xmalloc(1)), 0);	/* caught up: taken again */
	storeq_stop();
	CHECK_INT(storeq_dropped(), (uint64_t)refused);
}

int
main(void)
{
	RUN(a_writer_too_far_behind_drops_and_counts);
	TEST_END();
}
