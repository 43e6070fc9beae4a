/*
 * test_unrecorded: a run end the store refuses (here: written through a read-only handle on
 * the same database) is kept, stored once the store takes it, or by the next rigd from the
 * journal, with its verdict; its nightly job ends with it and is not queued again. rigd's
 * unrecorded.c is built in here: it is rigd's, not the library's.
 */
#include "../../rigd/unrecorded.c"
#include "test.h"

#include <sys/stat.h>

static char dir[] = "/tmp/rig-test-unrecorded-XXXXXX";
static struct store *rw, *ro;
static int64_t build;

struct seen {
	enum run_state	state;
	enum verdict	verdict;
	char		detail[512];
};

static int
see_run(const struct store_run_row *r, void *arg)
{
	struct seen *s = arg;

	s->state = r->state;
	s->verdict = r->verdict;
	util_strlcpy(s->detail, r->detail ? r->detail : "", sizeof(s->detail));
	return 0;
}

/* A nightly job claimed and its run begun, as the board thread has them when the run ends. */
static int64_t
job_and_run(struct queue_job *job)
{
	int64_t run;

	CHECK(queue_add(rw, queue_nightly_new(rw, 0), build, "vq35", "sleepy", 0, NULL, 0) > 0);
	CHECK_INT(queue_claim(rw, "vq35", build, job), 1);
	run = store_run_begin(rw, "vq35", "sleepy", build, 0, "/x.log", 0);
	CHECK(run > 0);
	CHECK_INT(queue_set_run(rw, job->id, job->claim, run), 0);
	return run;
}

static void
refused_end_is_kept_then_stored_when_the_store_takes_it(void)
{
	struct store_run_end end = { .verdict = VERDICT_PASS, .console_end = 4096 };
	struct store_step step = { .idx = 1, .action = "sleep", .arg = "1s",
	    .status = STEP_STATUS_OK };
	struct queue_job job;
	struct seen seen = { 0 };
	char why[512];
	int64_t run = job_and_run(&job);

	CHECK_INT(unrecorded_end(ro, "vq35", run, job.id, job.claim, &step, 1, &end, why, sizeof(why)), -1);
	CHECK_HAS(why, "the run is unrecorded");
	CHECK_HAS(why, "readonly");
	CHECK_INT(unrecorded_count(), 1);
	CHECK_INT(unrecorded_retry(ro), 1);		/* still refused: still kept */
	CHECK_INT(unrecorded_retry(rw), 0);		/* taken */
	CHECK_INT(store_run_get(rw, run, see_run, &seen), 1);
	CHECK_INT(seen.state, RUN_DONE);
	CHECK_INT(seen.verdict, VERDICT_PASS);
	CHECK_HAS(seen.detail, "stored late");
	CHECK_INT(queue_open_jobs(rw), 0);		/* its job ended with it */
}

/* rigd stops with the end still refused: what this process keeps is gone, the journal is not. */
static void
forget_as_a_stopped_rigd(void)
{
	struct unrecorded *u;

	while ((u = unrecorded_list) != NULL) {
		unrecorded_list = u->next;
		free(u->detail);
		free(u->stack);
		free(u->steps);
		free(u);
	}
	unrecorded_n = 0;
	memset(unrecorded_used, 0, sizeof(unrecorded_used));
	close(unrecorded_fd);
	unrecorded_fd = -1;
}

static void
journaled_end_is_stored_at_the_next_start_and_not_run_again(void)
{
	struct store_run_end end = { .verdict = VERDICT_HANG, .title = "INFO: task hung in x" };
	struct queue_job job;
	struct seen seen = { 0 };
	char why[512];
	int64_t run = job_and_run(&job);

	CHECK_INT(unrecorded_end(ro, "vq35", run, job.id, job.claim, NULL, 0, &end, why, sizeof(why)), -1);
	forget_as_a_stopped_rigd();
	/* The next rigd: the journal first, then what a stopped rigd left open. */
	CHECK_INT(unrecorded_start(rw, dir), 1);
	CHECK_INT(store_runs_interrupt(rw), 0);
	CHECK_INT(queue_recover(rw), 0);
	CHECK_INT(queue_open_jobs(rw), 0);
	CHECK_INT(store_run_get(rw, run, see_run, &seen), 1);
	CHECK_INT(seen.verdict, VERDICT_HANG);
	CHECK_HAS(seen.detail, "unrecorded-runs");
	/* Read once: a third start stores nothing again. */
	forget_as_a_stopped_rigd();
	CHECK_INT(unrecorded_start(rw, dir), 0);
}

int
main(void)
{
	struct store_build b = { .name = "k", .release = "6.1.0-56-amd64", .arch = "amd64",
	    .image_sha256 = "ab12" };
	char path[300], err[256];

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/rig.db", dir);
	rw = store_open(path, err, sizeof(err));
	ro = store_open_readonly(path, err, sizeof(err));
	CHECK(rw != NULL && ro != NULL);
	if (rw == NULL || ro == NULL)
		TEST_END();
	build = store_build_get_or_add(rw, &b);
	CHECK_INT(unrecorded_start(rw, dir), 0);
	RUN(refused_end_is_kept_then_stored_when_the_store_takes_it);
	RUN(journaled_end_is_stored_at_the_next_start_and_not_run_again);
	forget_as_a_stopped_rigd();
	store_close(ro);
	store_close(rw);
	test_remove_dir(dir);
	TEST_END();
}
