/* The store: builds are one row per image and report, runs never stay "running", old databases upgrade. */
#include "queue.h"
#include "store.h"
#include "store_int.h"
#include "test.h"
#include "test_pg.h"
#include "util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The latest migration, as both engines number them: the one place a new migration changes here. */
#define TEST_SCHEMA	18

#define LEGACY "rig/tests/data/store/legacy-v0.db"

static struct store *
open_tmp(char *path, size_t len)
{
	char dir[] = "/tmp/rig-test-store-XXXXXX", err[256];
	struct store *s;

	if (test_pg_server()) {
		if (test_pg_newdb(path, len) == -1)
			abort();
	} else {
		if (mkdtemp(dir) == NULL)
			abort();
		snprintf(path, len, "%s/rig.db", dir);
	}
	s = store_open(path, err, sizeof(err));
	if (s == NULL)
		fprintf(stderr, "%s\n", err);
	CHECK(s != NULL);
	return s;
}

static int
count_build(const struct store_build_row *b, void *arg)
{
	(void)b;
	(*(int *)arg)++;
	return 0;
}

static void
same_image_and_report_is_one_build(void)
{
	char path[256];
	struct store *s = open_tmp(path, sizeof(path));
	struct store_build b = { .name = "linux-image-6.1.0-56-amd64", .release = "6.1.0-56-amd64",
	    .version = "Linux version 6.1.0-56-amd64 #1 SMP Debian 6.1.192-2", .arch = "amd64",
	    .image_sha256 = "ab12", .origin = "debian" };
	int64_t a, c;
	int n = 0;

	a = store_build_get_or_add(s, &b);
	c = store_build_get_or_add(s, &b);
	CHECK(a > 0);
	CHECK_INT(a, c);
	util_strlcpy(b.image_sha256, "cd34", sizeof(b.image_sha256));
	CHECK(store_build_get_or_add(s, &b) != a);
	CHECK_INT(store_builds(s, 0, count_build, &n), 2);
	CHECK_INT(n, 2);
	n = 0;
	CHECK_INT(store_builds(s, 1, count_build, &n), 0);	/* none added by hand */
	store_close(s);
}

/* What a listing saw: how many runs, and a few of their fields. */
struct seen {
	int		n, running, hangs, errors, interrupted;
	int64_t		ids[16];
	enum verdict	verdicts[16];
	char		titles[16][64];
	char		builds[16][64];
	char		stacks[16][64];
	int64_t		repeat_of[16];
};

static int
see_run(const struct store_run_row *r, void *arg)
{
	struct seen *s = arg;

	if (s->n < 16) {
		s->ids[s->n] = r->id;
		s->verdicts[s->n] = r->verdict;
		util_strlcpy(s->titles[s->n], r->title ? r->title : "", sizeof(s->titles[0]));
		util_strlcpy(s->builds[s->n], r->build_release ? r->build_release : "",
		    sizeof(s->builds[0]));
		util_strlcpy(s->stacks[s->n], r->stack ? r->stack : "", sizeof(s->stacks[0]));
		s->repeat_of[s->n] = r->repeat_of;
	}
	s->n++;
	s->running += r->state == RUN_RUNNING;
	s->hangs += r->verdict == VERDICT_HANG;
	s->errors += r->verdict == VERDICT_ERROR;
	s->interrupted += r->title && strcmp(r->title, error_kind_name(ERROR_INTERRUPTED)) == 0;
	return 0;
}

static void
run_left_running_is_closed_as_interrupted_on_reopen(void)
{
	char path[256], err[256];
	struct store *s = open_tmp(path, sizeof(path));
	struct store_run_end e = { .verdict = VERDICT_HANG, .title = "INFO: task hung in x" };
	struct store_runs_filter running = { .running = 1 };
	struct seen seen = { 0 };
	int64_t r1, r2;

	r1 = store_run_begin(s, "vq35", "i2c-unbind", -1, 0, "/x.log", 0);
	r2 = store_run_begin(s, "vq35", "i2c-unbind", -1, 0, "/x.log", 10);
	CHECK(r1 > 0 && r2 > r1);
	CHECK(store_run_end(s, r1, &e) == 0);
	store_close(s);	/* rigd dies with r2 in progress */
	s = store_open(path, err, sizeof(err));
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(store_runs_list(s, &running, see_run, &seen), 1);
	CHECK_INT(store_runs_interrupt(s), 1);
	memset(&seen, 0, sizeof(seen));
	CHECK_INT(store_runs_list(s, &running, see_run, &seen), 0);
	CHECK_INT(store_runs_list(s, NULL, see_run, &seen), 2);
	CHECK_INT(seen.interrupted, 1);
	CHECK_INT(seen.errors, 1);
	CHECK_INT(seen.hangs, 1);
	CHECK_INT(seen.ids[0], r1);	/* oldest first */
	CHECK_INT(seen.verdicts[0], VERDICT_HANG);
	store_close(s);
}

/* The dashboard's pages: one scenario's runs, and the runs below an id (newest first). */
static void
runs_are_listed_by_scenario_and_a_page_below_an_id(void)
{
	char path[256];
	struct store *s = open_tmp(path, sizeof(path));
	struct store_runs_filter f = { .newest_first = 1, .limit = 2 };
	struct seen seen = { 0 };
	int64_t r[5];
	int i;

	for (i = 0; i < 5; i++)
		r[i] = store_run_begin(s, "vq35", i % 2 ? "uart-unbind" : "i2c-unbind", -1, 0,
		    "/x.log", 0);
	f.before = r[3];
	CHECK_INT(store_runs_list(s, &f, see_run, &seen), 2);
	CHECK_INT(seen.ids[0], r[2]);
	CHECK_INT(seen.ids[1], r[1]);
	memset(&seen, 0, sizeof(seen));
	f.before = 0;
	f.limit = 0;
	f.scenario = "i2c-unbind";
	CHECK_INT(store_runs_list(s, &f, see_run, &seen), 3);
	CHECK_INT(seen.ids[0], r[4]);
	CHECK_INT(seen.ids[2], r[0]);
	memset(&seen, 0, sizeof(seen));
	f.before = r[4];
	CHECK_INT(store_runs_list(s, &f, see_run, &seen), 2);
	CHECK_INT(seen.ids[0], r[2]);
	store_close(s);
}

/*
 * rigd stopped cleanly during a nightly job: the runner closed the run as a lab error
 * ("lab: interrupted"). At the next start the job is queued again, not taken as done; a job
 * whose run ended with a kernel verdict is done. The same for a run the store closed itself.
 */
static void
a_job_whose_run_was_interrupted_is_queued_again(void)
{
	char path[256];
	struct store *s = open_tmp(path, sizeof(path));
	struct store_run_end stopped = { .verdict = VERDICT_ERROR };
	struct store_run_end hang = { .verdict = VERDICT_HANG, .title = "INFO: task hung in x" };
	struct store_build b = { .name = "k", .release = "6.1.0-56-amd64", .arch = "amd64",
	    .image_sha256 = "ab12" };
	struct queue_job job;
	int64_t n = queue_nightly_new(s, 0), run, k = store_build_get_or_add(s, &b);
	int i;

	util_strlcpy(stopped.title, error_kind_name(ERROR_INTERRUPTED), sizeof(stopped.title));
	for (i = 0; i < 3; i++)
		CHECK(queue_add(s, n, k, "vq35", i == 2 ? "uart-unbind" : "i2c-unbind", 0, NULL, 0) > 0);
	/* Job 1: interrupted by a clean stop. Job 2: a kernel verdict. Job 3: rigd killed. */
	for (i = 0; i < 3; i++) {
		CHECK_INT(queue_claim(s, "vq35", k, &job), 1);
		run = store_run_begin(s, "vq35", job.scenario, k, 0, "/x.log", 0);
		CHECK_INT(queue_set_run(s, job.id, job.claim, run), 0);
		if (i < 2)
			CHECK_INT(store_run_end(s, run, i == 0 ? &stopped : &hang), 0);
	}
	CHECK_INT(store_runs_interrupt(s), 1);
	CHECK_INT(queue_recover(s), 2);
	CHECK_INT(queue_open_jobs(s), 2);
	store_close(s);
}

/* A survey's id and state as read back, and how many runs it has. */
struct seen_survey {
	int64_t			id, runs, queue_id, build_id;
	enum survey_state	state;
	char			classes[32];
	int			n;
};

static int
see_survey(const struct store_survey_row *v, void *arg)
{
	struct seen_survey *ss = arg;

	ss->id = v->id;
	ss->runs = v->runs;
	ss->queue_id = v->queue_id;
	ss->build_id = v->build_id;
	ss->state = v->state;
	util_strlcpy(ss->classes, v->classes ? v->classes : "(null)", sizeof(ss->classes));
	ss->n++;
	return 0;
}

/*
 * A nightly's survey job is many runs: rigd killed between two of them (its last run ended
 * with a verdict) left the job running. At the next start it is queued again to resume its
 * survey, not taken as done (as a one-run job is); the survey's runs are found by its id, a
 * survey of rigctl still running is what a restart resumes, an ended one is not.
 */
static void
a_survey_job_between_runs_is_queued_again_and_its_runs_found(void)
{
	char path[256];
	struct store *s = open_tmp(path, sizeof(path));
	struct store_run_end pass = { .verdict = VERDICT_PASS };
	struct store_build b = { .name = "k", .release = "6.1.0-56-amd64", .arch = "amd64",
	    .image_sha256 = "ab12" };
	struct store_runs_filter f = { 0 };
	struct queue_job job;
	struct seen_survey ss = { 0 };
	struct seen seen = { 0 };
	int64_t n = queue_nightly_new(s, 0), run, other, k = store_build_get_or_add(s, &b);
	int64_t sv, cli;

	CHECK(queue_add(s, n, k, "vq35", QUEUE_SURVEY_ENTRY, 0, NULL, 0) > 0);
	CHECK_INT(queue_claim(s, "vq35", k, &job), 1);
	sv = store_survey_begin(s, "vq35", k, 0, NULL, 0, job.id);
	CHECK(sv > 0);
	run = store_run_begin(s, "vq35", "survey/i2c/0000:00:1f.3/unbind-release", k, 0, "/x.log", 0);
	CHECK_INT(queue_set_run(s, job.id, job.claim, run), 0);
	CHECK_INT(store_run_survey(s, run, sv), 0);
	CHECK_INT(store_run_end(s, run, &pass), 0);
	other = store_run_begin(s, "vq35", "i2c-unbind", k, 0, "/x.log", 0);
	CHECK_INT(store_run_end(s, other, &pass), 0);
	/* rigd killed here, between two runs of the survey. */
	CHECK_INT(queue_recover(s), 1);
	CHECK_INT(queue_open_jobs(s), 1);
	CHECK_INT(store_survey_of_job(s, job.id), sv);
	f.survey = sv;
	CHECK_INT(store_runs_list(s, &f, see_run, &seen), 1);
	CHECK_INT(seen.ids[0], run);
	CHECK_INT(store_survey_get(s, sv, see_survey, &ss), 1);
	CHECK_INT(ss.runs, 1);
	CHECK_INT(ss.queue_id, job.id);
	CHECK_INT(ss.state, SURVEY_RUNNING);
	/* A job's survey is its job's to resume, not the restart's. */
	memset(&ss, 0, sizeof(ss));
	CHECK_INT(store_surveys_open(s, see_survey, &ss), 0);
	/* rigctl's, of the default build (set once booted), every class: resumed until it ends. */
	cli = store_survey_begin(s, "vq35", 0, 1000, "", 0, 0);
	CHECK(cli > sv);
	CHECK_INT(store_surveys_open(s, see_survey, &ss), 1);
	CHECK_INT(ss.id, cli);
	CHECK_INT(ss.build_id, STORE_NULL);
	CHECK_STR(ss.classes, "(null)");
	CHECK_INT(store_survey_build(s, cli, k), 0);
	CHECK_INT(store_survey_end(s, cli, SURVEY_DONE, NULL), 0);
	memset(&ss, 0, sizeof(ss));
	CHECK_INT(store_surveys_open(s, see_survey, &ss), 0);
	CHECK_INT(store_survey_get(s, cli, see_survey, &ss), 1);
	CHECK_INT(ss.state, SURVEY_DONE);
	CHECK_INT(ss.build_id, k);
	CHECK_INT(store_survey_of_job(s, 99999), 0);
	store_close(s);
}

static int
count_job(const struct store_queue_row *q, void *arg)
{
	(void)q;
	(*(int *)arg)++;
	return 0;
}

/* Counts open jobs with a note ("yielded" is the unclaimed one's, which a claim keeps). */
static int
note_of(const struct store_queue_row *q, void *arg)
{
	if (q->note && strstr(q->note, "waits") != NULL)
		(*(int *)arg) += 100;
	else if (q->note)
		(*(int *)arg)++;
	return 0;
}

/*
 * What the nightly queue needs to keep off the next reservation: a scenario's run times (kernel
 * verdicts only), the p90 of them, a job claimed by id, and one given back before its run.
 */
static void
jobs_are_estimated_and_claimed_by_id_or_given_back(void)
{
	char path[256];
	struct store *s = open_tmp(path, sizeof(path));
	struct store_run_end hang = { .verdict = VERDICT_HANG, .title = "INFO: task hung in x" };
	struct store_run_end err = { .verdict = VERDICT_ERROR, .title = "lab: boot failed" };
	int64_t ms[10], n = queue_nightly_new(s, 0), a, b, run;
	int64_t ten[10] = { 5, 1, 9, 3, 7, 2, 8, 4, 10, 6 };
	struct queue_job job;
	int i, rows = 0;

	CHECK_INT(queue_estimate_ms(NULL, 0, 53000), 53000);
	CHECK_INT(queue_estimate_ms(ten, 1, 0), 5);
	CHECK_INT(queue_estimate_ms(ten, 10, 0), 9);	/* the 9th of 10 */
	CHECK_INT(queue_estimate_ms(ten, 3, 0), 9);	/* ceil(2.7): the largest of 3 */
	CHECK_INT(store_run_durations(s, "vq35", "i2c-unbind", 10, ms), 0);
	run = store_run_begin(s, "vq35", "i2c-unbind", -1, 0, "/l", 0);
	CHECK_INT(store_run_end(s, run, &hang), 0);
	run = store_run_begin(s, "vq35", "i2c-unbind", -1, 0, "/l", 0);
	CHECK_INT(store_run_end(s, run, &err), 0);
	run = store_run_begin(s, "vsabre", "i2c-unbind", -1, 0, "/l", 0);
	CHECK_INT(store_run_end(s, run, &hang), 0);
	CHECK_INT(store_run_durations(s, "vq35", "i2c-unbind", 10, ms), 1);
	CHECK(ms[0] >= 0);

	a = queue_add(s, n, 1, "vq35", "i2c-unbind", 0, NULL, 0);
	b = queue_add(s, n, 1, "vq35", "uart-unbind", 0, NULL, 0);
	CHECK(a > 0 && b > 0);
	CHECK_INT(store_queue_candidates(s, "vq35", 1, 64, count_job, &rows), 2);
	CHECK_INT(store_queue_note(s, a, "job 1 waits: estimated 56 s"), 0);
	CHECK_INT(store_queue_note(s, b, "lab error, attempt 1"), 0);
	CHECK_INT(store_queue_claim_id(s, b, &job), 1);
	CHECK_INT(job.id, b);
	CHECK_INT(job.attempts, 1);
	CHECK_INT(store_queue_claim_id(s, b, &job), 0);	/* running, not queued */
	CHECK_INT(store_queue_unclaim(s, b, job.claim, "yielded"), 1);
	CHECK_INT(queue_claim(s, "vq35", 1, &job), 1);
	CHECK_INT(job.id, a);
	CHECK_INT(queue_claim(s, "vq35", 1, &job), 1);
	CHECK_INT(job.id, b);
	CHECK_INT(job.attempts, 1);			/* the yielded attempt was given back */
	/* Claimed, a job's note of why it waited is gone; other notes stay till its end. */
	rows = 0;
	CHECK_INT(store_queue_open(s, 10, note_of, &rows), 2);
	CHECK_INT(rows, 1);
	/* A job whose run began is not given back: its run is the queue's record. */
	run = store_run_begin(s, "vq35", "uart-unbind", -1, 0, "/l", 0);
	CHECK(run > 0);
	CHECK_INT(queue_set_run(s, b, job.claim, run), 0);
	CHECK_INT(store_queue_unclaim(s, b, job.claim, "yielded"), 0);
	for (i = 0; i < 2; i++)
		CHECK_INT(store_queue_claim_id(s, i ? a : b, &job), 0);
	store_close(s);
	unlink(path);
}

/* Two hosts' connections claim from one queue at once: every job is claimed exactly once. */
#define CLAIM_JOBS	60

struct claimer {
	const char	*path, *host;
	int64_t		 ids[CLAIM_JOBS];
	int		 n, failed;
};

static void *
claim_thread(void *arg)
{
	struct claimer *c = arg;
	struct queue_job job;
	char err[256];
	struct store *s = store_open(c->path, err, sizeof(err));
	int rc;

	if (s == NULL) {
		c->failed = 1;
		return NULL;
	}
	store_set_host(s, c->host, 60000);
	while ((rc = queue_claim(s, "vq35", 1, &job)) == 1 && c->n < CLAIM_JOBS)
		c->ids[c->n++] = job.id;
	if (rc == -1)
		c->failed = 1;
	store_close(s);
	return NULL;
}

static int
count_claimed_once(const struct store_queue_row *q, void *arg)
{
	if (q->state == QUEUE_RUNNING && q->attempts == 1)
		(*(int *)arg)++;
	return 0;
}

static void
two_hosts_racing_claim_each_job_exactly_once(void)
{
	static struct claimer c[2];
	pthread_t t[2];
	char path[256];
	struct store *s = open_tmp(path, sizeof(path));
	int64_t n = queue_nightly_new(s, 0), seen[CLAIM_JOBS * 2];
	int i, j, total = 0, twice = 0, once = 0;

	for (i = 0; i < CLAIM_JOBS; i++)
		CHECK(queue_add(s, n, 1, "vq35", "i2c-unbind", 0, NULL, 0) > 0);
	for (i = 0; i < 2; i++) {
		c[i] = (struct claimer){ .path = path, .host = i ? "b" : "a" };
		CHECK_INT(pthread_create(&t[i], NULL, claim_thread, &c[i]), 0);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		CHECK_INT(c[i].failed, 0);
		for (j = 0; j < c[i].n; j++)
			seen[total++] = c[i].ids[j];
	}
	for (i = 0; i < total; i++)
		for (j = i + 1; j < total; j++)
			twice += seen[i] == seen[j];
	CHECK_INT(twice, 0);
	CHECK_INT(total, CLAIM_JOBS);
	CHECK_INT(store_queue_open(s, CLAIM_JOBS * 2, count_claimed_once, &once), CLAIM_JOBS);
	CHECK_INT(once, CLAIM_JOBS);
	store_close(s);
}

static int
see_run_detail(const struct store_run_row *r, void *arg)
{
	snprintf(arg, 256, "%s|%s|%s", run_state_name(r->state), r->title ? r->title : "",
	    r->detail ? r->detail : "");
	return 0;
}

static int
see_job_state(const struct store_queue_row *q, void *arg)
{
	snprintf(arg, 128, "%s %lld %s", queue_state_name(q->state), (long long)q->attempts,
	    q->why ? q->why : "-");
	return 0;
}

/* A host that stops renewing (killed mid-job): its lease runs out, the job goes back. */
static void
a_job_whose_lease_runs_out_is_interrupted_and_queued_again(void)
{
	char path[256], run_says[256] = "", job_says[128] = "";
	struct store *s = open_tmp(path, sizeof(path)), *other;
	int64_t n = queue_nightly_new(s, 0), id, run, t;
	struct queue_job job;
	char err[256];

	store_set_host(s, "a", 1000);
	id = queue_add(s, n, 1, "vq35", "i2c-unbind", 0, NULL, 0);
	t = util_wall_ms();
	CHECK_INT(queue_claim(s, "vq35", 1, &job), 1);
	CHECK_INT(job.id, id);
	run = store_run_begin(s, "vq35", "i2c-unbind", -1, 0, "/l", 0);
	CHECK_INT(queue_set_run(s, id, job.claim, run), 0);
	/* Another host sweeps: a lease renewed in time is left alone. */
	other = store_open(path, err, sizeof(err));
	CHECK(other != NULL);
	if (other == NULL)
		return;
	store_set_host(other, "b", 1000);
	CHECK_INT(store_queue_renew(s, t + 3000), 1);
	CHECK_INT(store_queue_expire(other, t + 3500), 0);
	CHECK_INT(store_queue_expire(other, t + 4500), 1);
	CHECK_INT(store_queue_expire(other, t + 9000), 0);	/* once */
	CHECK_INT(store_run_get(s, run, see_run_detail, run_says), 1);
	CHECK_STR(run_says, "done|lab: interrupted|host a's lease on the job ran out (host silent)");
	CHECK_INT(store_queue_open(s, 10, see_job_state, job_says), 1);
	CHECK_STR(job_says, "queued 0 lab-retry");
	/* The board's own host claims it when it is back. */
	CHECK_INT(queue_claim(s, "vq35", 1, &job), 1);
	CHECK_INT(job.id, id);
	CHECK_INT(job.repeat_of, run);
	store_close(other);
	store_close(s);
}

/* A second connection to the store at path, as host "b", with a as host "a": both with lease_ms. */
static struct store *
open_second_host(struct store *a, const char *path, int64_t lease_ms)
{
	char err[256];
	struct store *b = store_open(path, err, sizeof(err));

	CHECK(b != NULL);
	if (b == NULL)
		return NULL;
	store_set_host(a, "a", lease_ms);
	store_set_host(b, "b", lease_ms);
	return b;
}

/*
 * Fencing: host a, cut off from the store, lets its lease run out; b's sweep requeues the job
 * and b claims it (claim 2). a's writes of claim 1 (run, retry, finish, give back) change
 * nothing and say QUEUE_STALE; b's own claim finishes the job, once.
 */
static void
a_stale_claim_changes_nothing_once_the_job_was_claimed_again(void)
{
	char path[256], job_says[128] = "";
	struct store *a = open_tmp(path, sizeof(path)), *b;
	int64_t n = queue_nightly_new(a, 0), id, run, t;
	struct queue_job ja, jb;

	if ((b = open_second_host(a, path, 1000)) == NULL)
		return;
	id = queue_add(a, n, 1, "vq35", "i2c-unbind", 0, NULL, 0);
	t = util_wall_ms();
	CHECK_INT(queue_claim(a, "vq35", 1, &ja), 1);
	CHECK_INT(ja.claim, 1);
	CHECK_INT(store_queue_expire(b, t + 5000), 1);
	CHECK_INT(store_queue_claim_id(b, id, &jb), 1);
	CHECK_INT(jb.claim, 2);
	run = store_run_begin(a, "vq35", "i2c-unbind", -1, 0, "/l", 0);
	CHECK_INT(queue_set_run(a, id, ja.claim, run), QUEUE_STALE);
	CHECK_INT(queue_retry(a, id, ja.claim, run, "lab error"), QUEUE_STALE);
	CHECK_INT(queue_finish(a, id, ja.claim, QUEUE_DONE, "pass"), QUEUE_STALE);
	CHECK_INT(store_queue_unclaim(a, id, ja.claim, "yielded"), 0);
	CHECK_INT(store_queue_open(a, 10, see_job_state, job_says), 1);
	CHECK_STR(job_says, "running 1 -");	/* b's claim, as b took it: no run of a's linked */
	CHECK_INT(queue_finish(b, id, jb.claim, QUEUE_DONE, "hang"), 0);
	CHECK_INT(queue_open_jobs(a), 0);
	CHECK_INT(queue_finish(b, id, ja.claim, QUEUE_ERROR, "late"), QUEUE_STALE);
	store_close(b);
	store_close(a);
}

/*
 * The end of a queued job's run is fenced by the job's claim: a's lease ran out while its run
 * went on (b's sweep closed the run as interrupted and requeued the job), so a's late end
 * changes nothing, before b claims the job again and after; the interrupted verdict stays.
 * The end of the job's current run, and of a run of no job, is stored.
 */
static void
a_late_end_of_a_run_whose_lease_ran_out_changes_nothing(void)
{
	char path[256], run_says[256] = "";
	struct store *a = open_tmp(path, sizeof(path)), *b;
	int64_t n = queue_nightly_new(a, 0), id, run, run2, lone, t;
	struct store_run_end e = { .verdict = VERDICT_PASS, .console_end = 10 };
	struct queue_job ja, jb;

	if ((b = open_second_host(a, path, 1000)) == NULL)
		return;
	id = queue_add(a, n, 1, "vq35", "nap", 0, NULL, 0);
	t = util_wall_ms();
	CHECK_INT(queue_claim(a, "vq35", 1, &ja), 1);
	run = store_run_begin(a, "vq35", "nap", -1, 0, "/l", 0);
	CHECK_INT(queue_set_run(a, id, ja.claim, run), 0);
	CHECK_INT(store_queue_expire(b, t + 5000), 1);
	/* Requeued, not claimed again yet: the claim is still a's, the run no longer its job's. */
	CHECK_INT(store_run_end_claimed(a, run, id, ja.claim, &e), QUEUE_STALE);
	CHECK_INT(store_run_get(a, run, see_run_detail, run_says), 1);
	CHECK_STR(run_says, "done|lab: interrupted|host a's lease on the job ran out (host silent)");
	CHECK_INT(store_queue_claim_id(b, id, &jb), 1);
	CHECK_INT(store_run_end_claimed(a, run, id, ja.claim, &e), QUEUE_STALE);
	CHECK_INT(store_run_get(a, run, see_run_detail, run_says), 1);
	CHECK_STR(run_says, "done|lab: interrupted|host a's lease on the job ran out (host silent)");
	/* b's run of its own claim ends as any run. */
	run2 = store_run_begin(b, "vq35", "nap", -1, 0, "/l", 0);
	CHECK_INT(queue_set_run(b, id, jb.claim, run2), 0);
	CHECK_INT(store_run_end_claimed(b, run2, id, jb.claim, &e), 0);
	CHECK_INT(store_run_get(b, run2, see_run_detail, run_says), 1);
	CHECK_STR(run_says, "done||");
	/* Stored again (its first commit unseen): the same end, still the job's run. */
	CHECK_INT(store_run_end_claimed(b, run2, id, jb.claim, &e), 0);
	/* A run of no job, or of a claim not known (0), is not fenced. */
	lone = store_run_begin(a, "vq35", "nap", -1, 0, "/l", 0);
	CHECK_INT(store_run_end_claimed(a, lone, 0, 0, &e), 0);
	CHECK_INT(store_run_end_claimed(a, run, id, 0, &e), 0);
	store_close(b);
	store_close(a);
}

struct seen_events {
	char	text[512];
	int64_t	last;
};

static int
see_event(int64_t id, const char *json, void *arg)
{
	struct seen_events *e = arg;

	snprintf(e->text + strlen(e->text), sizeof(e->text) - strlen(e->text), "%s%s",
	    e->text[0] ? " " : "", json);
	e->last = id;
	return 0;
}

/*
 * A lab run: asked on one host (the caller), claimed by the board's host as any job, first in
 * line; the events the board's host stores are read back by the caller's connection in order,
 * from where it left off; a nightly's job has no caller; dropped once read.
 */
static void
a_lab_runs_events_reach_its_caller_in_order(void)
{
	char path[256], err[256], caller[64] = "?";
	struct store *s = open_tmp(path, sizeof(path)), *board;
	long uid = -1;
	int64_t n = queue_nightly_new(s, 0), nightly, id;
	struct store_labrun_state js;
	struct seen_events e = { "", 0 };
	struct queue_job job;

	store_set_host(s, "beta", 1000);
	nightly = queue_add(s, n, 1, "vq35", "i2c-unbind", 0, NULL, 0);
	/* A reserved board looks only at lab runs (its holder's may go on): none yet. */
	CHECK_INT(store_labrun_next(s, "vq35"), 0);
	id = store_labrun_add(s, 0, "vq35", "uart-unbind", "beta", 1234);
	CHECK(id > nightly);
	CHECK_INT(store_labrun_caller(s, nightly, caller, sizeof(caller), &uid), 0);
	CHECK_STR(caller, "");
	CHECK_INT(uid, 0);
	/* The caller's uid travels with the job: the run is theirs on the board's host. */
	CHECK_INT(store_labrun_caller(s, id, caller, sizeof(caller), &uid), 1);
	CHECK_STR(caller, "beta");
	CHECK_INT(uid, 1234);
	CHECK_INT(store_labrun_next(s, "vq35"), id);
	CHECK_INT(store_labrun_next(s, "other"), 0);
	CHECK_INT(store_labrun_job(s, id, &js), 1);
	CHECK_INT(js.state, QUEUE_QUEUED);
	board = store_open(path, err, sizeof(err));
	CHECK(board != NULL);
	if (board == NULL)
		return;
	store_set_host(board, "alpha", 1000);
	/* Ahead of the nightly's job of the same board: a person waits for it. */
	CHECK_INT(queue_claim(board, "vq35", 1, &job), 1);
	CHECK_INT(job.id, id);
	CHECK_STR(job.scenario, "uart-unbind");
	CHECK_INT(store_labrun_job(s, id, &js), 1);
	CHECK_INT(js.state, QUEUE_RUNNING);
	CHECK_STR(js.host, "alpha");
	CHECK_INT(store_labrun_event(board, id, "{\"n\":1}"), 0);
	CHECK_INT(store_labrun_event(board, id, "{\"n\":2}"), 0);
	CHECK_INT(store_labrun_events(s, id, 0, see_event, &e), 2);
	CHECK_STR(e.text, "{\"n\":1} {\"n\":2}");
	CHECK_INT(store_labrun_event(board, id, "{\"n\":3}"), 0);
	CHECK_INT(store_labrun_event(board, nightly, "{\"other\":1}"), 0);
	e.text[0] = '\0';
	CHECK_INT(store_labrun_events(s, id, e.last, see_event, &e), 1);
	CHECK_STR(e.text, "{\"n\":3}");
	CHECK_INT(store_labrun_drop(s, id), 0);
	CHECK_INT(store_labrun_events(s, id, 0, see_event, &e), 0);
	CHECK_INT(store_labrun_events(s, nightly, 0, see_event, &e), 1);
	CHECK_INT(store_labrun_job(s, 999999, &js), 0);
	store_close(board);
	store_close(s);
}

/*
 * Wake-ups: on PostgreSQL a listener hears a lab run queued (its board) and each of its events
 * (its job), sent by another connection; SQLite has none: nobody listens, sending is nothing.
 */
static void
a_lab_runs_wake_ups_reach_a_listener(void)
{
	char path[256], err[256], msg[128] = "";
	struct store *s = open_tmp(path, sizeof(path));
	struct store_listener *l = store_listen(s, err, sizeof(err));
	int64_t id;

	if (!test_pg_server()) {
		CHECK(l == NULL);
		CHECK_STR(err, "");
		CHECK_INT(store_notify(s, "board:vq35"), 0);
		store_close(s);
		return;
	}
	CHECK(l != NULL);
	if (l == NULL) {
		store_close(s);
		return;
	}
	CHECK_INT(store_listen_wait(l, 0, msg, sizeof(msg)), 0);
	id = store_labrun_add(s, 0, "vq35", "uart-unbind", "beta", 1234);
	CHECK_INT(store_listen_wait(l, 5000, msg, sizeof(msg)), 1);
	CHECK_STR(msg, "board:vq35");
	CHECK_INT(store_labrun_event(s, id, "{}"), 0);
	CHECK_INT(store_listen_wait(l, 5000, msg, sizeof(msg)), 1);
	snprintf(err, sizeof(err), "job:%lld", (long long)id);
	CHECK_STR(msg, err);
	CHECK_INT(store_listen_wait(l, 50, msg, sizeof(msg)), 0);
	store_listen_close(l);
	store_close(s);
}

/* Two live hosts of the store at path: s becomes host a, serving vq35; b (returned) vsabre. */
static struct store *
open_host_b(struct store *s, const char *path)
{
	const char *mine[] = { "vq35" }, *theirs[] = { "vsabre" };
	struct store *b = open_second_host(s, path, 30000);

	if (b == NULL)
		return NULL;
	CHECK_INT(store_host_boards(s, "a", mine, 1, "OFF"), 0);
	CHECK_INT(store_host_boards(b, "b", theirs, 1, "OFF"), 0);
	return b;
}

/* A host restarting recovers its own runs and jobs, never those another live host runs. */
static void
a_restart_recovers_only_its_own_hosts_runs_and_jobs(void)
{
	char path[256], run_says[256] = "";
	struct store *s = open_tmp(path, sizeof(path)), *b;
	int64_t n = queue_nightly_new(s, 0), ja, jb, ra, rb;
	struct queue_job job;

	if ((b = open_host_b(s, path)) == NULL)
		return;
	ja = queue_add(s, n, 1, "vq35", "i2c-unbind", 0, NULL, 0);
	jb = queue_add(s, n, 1, "vsabre", "i2c-unbind", 0, NULL, 0);
	CHECK_INT(queue_claim(s, "vq35", 1, &job), 1);
	ra = store_run_begin(s, "vq35", "i2c-unbind", -1, 0, "/l", 0);
	CHECK_INT(queue_set_run(s, ja, job.claim, ra), 0);
	CHECK_INT(queue_claim(b, "vsabre", 1, &job), 1);
	rb = store_run_begin(b, "vsabre", "i2c-unbind", -1, 0, "/l", 0);
	CHECK_INT(queue_set_run(b, jb, job.claim, rb), 0);
	/* a restarts: its run is interrupted and its job queued again; b's go on. */
	CHECK_INT(store_runs_interrupt(s), 1);
	CHECK_INT(queue_recover(s), 1);
	CHECK_INT(store_run_get(s, rb, see_run_detail, run_says), 1);
	CHECK_STR(run_says, "running||");
	CHECK_INT(store_run_get(s, ra, see_run_detail, run_says), 1);
	CHECK_STR(run_says, "done|lab: interrupted|rigd stopped during the run");
	CHECK_INT(store_queue_claim_id(b, jb, &job), 0);	/* still b's, running */
	CHECK_INT(store_queue_claim_id(s, ja, &job), 1);	/* a's again, queued */
	store_close(b);
	store_close(s);
}

/* Each job's state and note, by id, from show queue's two lists. */
struct seen_jobs {
	int64_t	id[8];
	char	says[8][192];
};

static int
see_job_note(const struct store_queue_row *q, void *arg)
{
	struct seen_jobs *sj = arg;
	int i;

	for (i = 0; i < 8; i++)
		if (sj->id[i] == q->id)
			snprintf(sj->says[i], sizeof(sj->says[0]), "%s|%s", queue_state_name(q->state),
			    q->note ? q->note : "");
	return 0;
}

/*
 * A bisect's search lives in the rigd that began it: after a restart its jobs would run for
 * nobody and the search never go on. The restart ends them (queued, running, or queued again
 * by a lab retry that rewrote their why) with a note that says so; one whose run was stored
 * complete is done as any job, a night's jobs go on, another live host's bisect is its own.
 */
static void
a_restart_ends_the_jobs_of_the_bisects_it_stopped(void)
{
	char path[256];
	struct store *s = open_tmp(path, sizeof(path)), *b;
	struct store_run_end hang = { .verdict = VERDICT_HANG, .title = "INFO: task hung in x" };
	struct seen_jobs sj;
	const char *ended = "error|ended at rigd's restart: the bisect that queued it stopped with"
	    " the rigd before (run rigctl bisect again)";
	struct queue_job job;
	int64_t run;
	int i;

	memset(&sj, 0, sizeof(sj));
	if ((b = open_host_b(s, path)) == NULL)
		return;
	/* 0, 1: a night's jobs, one queued, one running. 2..5: four bisects of a, 6: b's. */
	sj.id[0] = queue_add(s, queue_nightly_new(s, 0), 1, "vq35", "uart-unbind", 0, NULL, 0);
	sj.id[1] = queue_add(s, queue_nightly_new(s, 0), 1, "vq35", "i2c-unbind", 0, NULL, 0);
	for (i = 2; i < 6; i++)
		sj.id[i] = queue_add(s, queue_bisect_new(s, 0), 1, "vq35", "i2c-unbind", 0,
		    "bisect", 0);
	sj.id[6] = queue_add(b, queue_bisect_new(b, 0), 1, "vsabre", "i2c-unbind", 0, "bisect",
	    0);
	for (i = 0; i < 7; i++)
		CHECK(sj.id[i] > 0);
	/* 1 and 3 running; 4 a lab error retried (queued, why lab-retry); 5 ended with a hang. */
	for (i = 1; i < 6; i++) {
		if (i == 2)
			continue;
		CHECK_INT(store_queue_claim_id(s, sj.id[i], &job), 1);
		run = store_run_begin(s, "vq35", "i2c-unbind", -1, 0, "/l", 0);
		CHECK(run > 0);
		CHECK_INT(queue_set_run(s, sj.id[i], job.claim, run), 0);
		if (i == 4)
			CHECK_INT(queue_retry(s, sj.id[i], job.claim, run, "lab: boot failed"), 0);
		if (i == 5)
			CHECK_INT(store_run_end(s, run, &hang), 0);
	}
	/* a restarts. */
	CHECK_INT(store_runs_interrupt(s), 3);
	CHECK_INT(queue_recover(s), 1);		/* the night's running job, and no bisect's */
	CHECK(store_queue_open(s, 100, see_job_note, &sj) >= 0);
	CHECK(store_queue_finished(s, 100, see_job_note, &sj) >= 0);
	CHECK_STR(sj.says[0], "queued|");
	CHECK_STR(sj.says[1], "queued|requeued after a restart");
	CHECK_STR(sj.says[2], ended);
	CHECK_STR(sj.says[3], ended);
	CHECK_STR(sj.says[4], ended);
	CHECK_STR(sj.says[5], "done|finished before a restart");
	CHECK_STR(sj.says[6], "queued|");
	CHECK_INT(queue_open_jobs(s), 3);
	store_close(b);
	store_close(s);
}

static int
see_group(const struct store_crash_group *g, void *arg)
{
	struct store_crash_group *out = arg;

	if (strncmp(g->title, "INFO", 4) == 0) {
		out->count = g->count;
		out->rig_title = g->rig_title ? strdup(g->rig_title) : NULL;
	}
	out->first_run++;	/* groups seen */
	return 0;
}

static int
count_crash(const struct store_crash_row *c, void *arg)
{
	(void)c;
	(*(int *)arg)++;
	return 0;
}

static void
crashes_are_grouped_by_title_and_keep_the_rigs_title(void)
{
	char path[256];
	struct store *s = open_tmp(path, sizeof(path));
	struct store_crash c = { .run = -1, .board = "vq35", .build_id = -1,
	    .title = "INFO: task hung in i801_remove", .type = "hang", .frame = "i801_remove",
	    .console_log = "/l", .start = 10, .end = 20, .text = "text" };
	struct store_crash_group g = { 0 };
	int64_t run = store_run_begin(s, "vq35", "i2c-unbind", -1, 0, "/l", 0);
	int n = 0;

	CHECK_INT(store_crash_add(s, &c), 0);
	/* The rig's own title joins the group when the runner gives it, and stays. */
	c.run = run;
	c.rig_title = "INFO: task hung in i2c_del_adapter";
	CHECK_INT(store_crash_add(s, &c), 0);
	c.rig_title = NULL;
	CHECK_INT(store_crash_add(s, &c), 0);
	c = (struct store_crash){ .run = run, .board = "vq35", .build_id = -1,
	    .title = "WARNING in f", .type = "warning", .frame = "f", .console_log = "/l",
	    .start = 50, .end = 60, .text = "t" };
	CHECK_INT(store_crash_add(s, &c), 0);
	CHECK_INT(store_crash_groups(s, see_group, &g), 2);
	CHECK_INT(g.first_run, 2);
	CHECK_INT(g.count, 3);
	CHECK(g.rig_title != NULL);
	if (g.rig_title)
		CHECK_STR(g.rig_title, "INFO: task hung in i2c_del_adapter");
	free((char *)g.rig_title);
	CHECK_INT(store_run_crashes(s, run, count_crash, &n), 3);
	CHECK_INT(n, 3);
	store_close(s);
}

static int
add_board_name(const char *board, void *arg)
{
	strncat(arg, board, 63 - strlen(arg));
	strncat(arg, " ", 63 - strlen(arg));
	return 0;
}

/* The dashboard's crash groups name every board a group was seen on, each once, by name. */
static void
a_crash_groups_boards_are_listed_once_each(void)
{
	char path[256], boards[64] = "";
	struct store *s = open_tmp(path, sizeof(path));
	struct store_crash c = { .run = -1, .build_id = -1, .title = "BUG in f", .type = "crash",
	    .frame = "f", .console_log = "/l", .start = 1, .end = 2, .text = "t" };
	static const char *const on[] = { "vsabre", "vq35", "vsabre", "lab-a" };
	size_t i;

	for (i = 0; i < UTIL_NELEM(on); i++) {
		c.board = on[i];
		CHECK_INT(store_crash_add(s, &c), 0);
	}
	c.board = "other";
	c.title = "WARNING in g";
	CHECK_INT(store_crash_add(s, &c), 0);
	CHECK_INT(store_crash_boards(s, "BUG in f", add_board_name, boards), 3);
	CHECK_STR(boards, "lab-a vq35 vsabre ");
	store_close(s);
}

/* The plan lines of the statements of one read, joined. */
static void
plan_add(const char *sql, const char *line, void *arg)
{
	char *plan = arg;

	(void)sql;
	strncat(plan, line, 4095 - strlen(plan));
	strncat(plan, "\n", 4095 - strlen(plan));
}

static int
count_name(const char *name, void *arg)
{
	(void)name;
	(*(int *)arg)++;
	return 0;
}

/*
 * A plan that searches index (or one of its names) on the engine: no read of the whole table.
 * PostgreSQL is told scans are dear: a table of a few rows is otherwise read whole, index or
 * not, while a lab's table of 100k runs is not (rig/bench/store_reads.sh shows those plans).
 */
static int
plan_uses(const char *plan, const char *index)
{
	return strstr(plan, index) != NULL && strstr(plan, "Seq Scan on runs") == NULL &&
	    strstr(plan, "Seq Scan on crash_reports") == NULL && strstr(plan, "SCAN r\n") == NULL &&
	    strstr(plan, "SCAN crash_reports\n") == NULL;
}

/*
 * The reads that grow with the history (runs by board, by scenario, by both, by build; a crash
 * group's boards; a run's crash reports) each search an index (migration 10), on both engines.
 */
static void
the_reads_that_grow_search_an_index(void)
{
	char path[256], plan[4096] = "";
	struct store *s = open_tmp(path, sizeof(path));
	struct store_runs_filter f = { .newest_first = 1, .limit = 100 };
	struct store_crash c = { .board = "vq35", .build_id = -1, .title = "BUG in f",
	    .type = "crash", .frame = "f", .console_log = "/l", .start = 1, .end = 2, .text = "t" };
	struct seen seen = { 0 };
	int64_t build = 1;
	int n = 0;

	c.run = store_run_begin(s, "vq35", "i2c-unbind", -1, 0, "/x.log", 0);
	CHECK_INT(store_crash_add(s, &c), 0);
	if (test_pg_server())
		CHECK_INT(s->eng->exec(s->db, "SET enable_seqscan=off", NULL, 0), 0);
	store_explain(s, plan_add, plan);
	f.board = "vq35";
	CHECK_INT(store_runs_list(s, &f, see_run, &seen), 1);
	CHECK(plan_uses(plan, "runs_board"));
	plan[0] = '\0';
	f.board = NULL;
	f.scenario = "i2c-unbind";
	CHECK_INT(store_runs_list(s, &f, see_run, &seen), 1);
	CHECK(plan_uses(plan, "runs_scenario"));
	plan[0] = '\0';
	f.board = "vq35";
	CHECK_INT(store_runs_list(s, &f, see_run, &seen), 1);
	CHECK(plan_uses(plan, "runs_board_scenario"));
	plan[0] = '\0';
	f.board = f.scenario = NULL;
	f.builds = &build;
	f.nbuilds = 1;
	CHECK_INT(store_runs_list(s, &f, see_run, &seen), 0);
	/* runs_key or the cells' index (migration 10), both led by the build */
	CHECK(plan_uses(plan, "runs_key") || plan_uses(plan, "runs_cells"));
	plan[0] = '\0';
	CHECK_INT(store_crash_boards(s, "BUG in f", count_name, &n), 1);
	CHECK(plan_uses(plan, "crash_reports_title"));
	plan[0] = '\0';
	CHECK_INT(store_run_crashes(s, c.run, count_crash, &n), 1);
	CHECK(plan_uses(plan, "crash_reports_run"));
	if (test_cur_failed)
		fprintf(stderr, "last plan:\n%s", plan);
	store_explain(s, NULL, NULL);
	store_close(s);
}

struct nested {
	struct store	*s;
	int		 rows, inner, stop_at;
};

static int
nested_inner(const struct store_run_row *r, void *arg)
{
	(void)r;
	((struct nested *)arg)->inner++;
	return 0;
}

/* Each row read, the store read again inside (a run's build, its steps), as pages do. */
static int
nested_row(const struct store_run_row *r, void *arg)
{
	struct nested *x = arg;

	x->rows++;
	if (store_run_get(x->s, r->id, nested_inner, x) != 1)
		x->inner = -1000;
	return x->stop_at && x->rows == x->stop_at;
}

/*
 * PostgreSQL streams a listing's rows (one at a time, not the whole result): a callback that
 * reads the store again mid-listing still gets every row of both, in order, and a listing left
 * early (its reader stopped) leaves the connection for the next statement.
 */
static void
a_listing_read_again_inside_or_left_early_gives_every_row(void)
{
	char path[256];
	struct store *s = open_tmp(path, sizeof(path));
	struct store_runs_filter f = { 0 };
	struct nested x = { .s = s };
	struct seen seen = { 0 };
	int i;

	for (i = 0; i < 50; i++)
		store_run_begin(s, i % 2 ? "vq35" : "vsabre", "i2c-unbind", -1, 0, "/x.log", i);
	CHECK_INT(store_runs_list(s, &f, nested_row, &x), 50);
	CHECK_INT(x.rows, 50);
	CHECK_INT(x.inner, 50);
	memset(&x, 0, sizeof(x));
	x.s = s;
	x.stop_at = 7;
	CHECK_INT(store_runs_list(s, &f, nested_row, &x), 7);
	f.newest_first = 1;
	f.limit = 3;
	CHECK_INT(store_runs_list(s, &f, see_run, &seen), 3);
	CHECK_INT(seen.ids[0], 50);
	CHECK_INT(store_run_begin(s, "vq35", "i2c-unbind", -1, 0, "/x.log", 0), 51);
	store_close(s);
}

static int
see_board(const struct store_board_row *b, void *arg)
{
	if (strcmp(b->name, "vq35") == 0)
		util_strlcpy(arg, b->state, 32);
	return 0;
}

static void
boards_keep_their_last_state(void)
{
	char path[256], state[32] = "";
	struct store *s = open_tmp(path, sizeof(path));

	CHECK_INT(store_board_set(s, "vq35", "amd64", "READY", ""), 0);
	CHECK_INT(store_board_set(s, "vq35", NULL, "HUNG", "INFO: task hung in i2c_del_adapter"),
	    0);
	CHECK_INT(store_board_set(s, "vsabre", "armhf", "OFF", NULL), 0);
	CHECK_INT(store_boards(s, see_board, state), 2);
	CHECK_STR(state, "HUNG");
	store_close(s);
}

/* Lab boards as the store lists them, by name: "name@host:heartbeat_ms " each. */
static int
see_lab_board(const struct store_lab_board_row *b, void *arg)
{
	char one[160];

	snprintf(one, sizeof(one), "%s@%s:%lld ", b->name, b->host ? b->host : "-",
	    b->heartbeat_ms == STORE_NULL ? -1LL : (long long)b->heartbeat_ms);
	strncat(arg, one, 511 - strlen(arg));
	return 0;
}

/* "name url netns;" each, "-" for NULL. */
static int
see_lab_console(const struct store_lab_board_row *b, void *arg)
{
	char one[200];

	snprintf(one, sizeof(one), "%s %s %s;", b->name, b->console_url ? b->console_url : "-",
	    b->netns ? b->netns : "-");
	strncat(arg, one, 511 - strlen(arg));
	return 0;
}

static int
see_host(const struct store_host_row *h, void *arg)
{
	char one[160];

	snprintf(one, sizeof(one), "%s %s %lld;", h->name, h->version, (long long)h->heartbeat_ms);
	strncat(arg, one, 511 - strlen(arg));
	return 0;
}

static void
hosts_register_their_boards_and_beat(void)
{
	char path[256], seen[512] = "";
	const char *a_boards[] = { "vq35", "desk" }, *b_boards[] = { "vsabre" };
	struct store *s = open_tmp(path, sizeof(path));

	CHECK_INT(store_host_register(s, "a", "proto 1 schema 8", "boot1:4026531840", 1000), 0);
	CHECK_INT(store_host_boards(s, "a", a_boards, 2, "OFF"), 0);
	CHECK_INT(store_host_register(s, "b", "proto 1 schema 8", NULL, 2000), 0);
	CHECK_INT(store_host_boards(s, "b", b_boards, 1, "OFF"), 0);
	/* Where each shares a board's console, for rigctl console on the others; only its own. */
	CHECK_INT(store_host_console(s, "a", "vq35", "rfc2217://127.0.0.1:4000"), 1);
	CHECK_INT(store_host_console(s, "a", "vsabre", "rfc2217://127.0.0.1:4001"), 0);
	CHECK_INT(store_host_console(s, "b", "vsabre", ""), 1);
	CHECK_INT(store_lab_boards(s, see_lab_console, seen), 3);
	CHECK_STR(seen, "desk - boot1:4026531840;vq35 rfc2217://127.0.0.1:4000 boot1:4026531840;"
	    "vsabre - -;");
	seen[0] = '\0';
	/* A board's state written later keeps its host. */
	CHECK_INT(store_board_set(s, "vsabre", "armhf", "READY", NULL), 0);
	CHECK_INT(store_host_beat(s, "b", 5000), 1);
	CHECK_INT(store_host_beat(s, "nobody", 5000), 0);
	CHECK_INT(store_lab_boards(s, see_lab_board, seen), 3);
	CHECK_STR(seen, "desk@a:1000 vq35@a:1000 vsabre@b:5000 ");
	seen[0] = '\0';
	CHECK_INT(store_hosts(s, see_host, seen), 2);
	CHECK_STR(seen, "a proto 1 schema 8 1000;b proto 1 schema 8 5000;");
	/* A board moved to another host (its cable moved) is that host's from now on. */
	CHECK_INT(store_host_boards(s, "b", a_boards + 1, 1, "OFF"), 0);
	seen[0] = '\0';
	CHECK_INT(store_lab_boards(s, see_lab_board, seen), 3);
	CHECK_STR(seen, "desk@b:5000 vq35@a:1000 vsabre@b:5000 ");
	store_close(s);
}

/* Writes through the main connection while the reader is in the middle of a listing. */
static int
write_while_reading(const struct store_board_row *b, void *arg)
{
	(void)b;
	CHECK_INT(store_board_set(arg, "vbench", "arm64", "OFF", NULL), 0);
	return 0;
}

static void
reader_sees_what_is_written_writes_nothing_and_blocks_no_writer(void)
{
	char path[256], state[32] = "", err[256];
	struct store *s = open_tmp(path, sizeof(path)), *rd;

	CHECK_INT(store_board_set(s, "vq35", "amd64", "READY", ""), 0);
	rd = store_reader(s, err, sizeof(err));
	CHECK(rd != NULL);
	if (rd == NULL) {
		store_close(s);
		return;
	}
	CHECK_INT(store_boards(rd, see_board, state), 1);
	CHECK_INT(store_board_set(rd, "vsabre", "armhf", "OFF", NULL), -1);
	/* A long read on the reader holds no lock the writers need. */
	CHECK_INT(store_boards(rd, write_while_reading, s), 1);
	CHECK_INT(store_board_set(s, "vsabre", "armhf", "OFF", NULL), 0);
	CHECK_INT(store_boards(rd, see_board, state), 3);
	store_close(rd);
	store_close(s);
}

static int
see_step(const struct store_step_row *st, void *arg)
{
	int *n = arg;

	n[0]++;
	n[1] += st->status == STEP_STATUS_TIMEOUT;
	return 0;
}

struct queue_seen {
	int	n, running;
	char	build[64];
};

static int
see_job(const struct store_queue_row *q, void *arg)
{
	struct queue_seen *s = arg;

	s->n++;
	s->running += q->state == QUEUE_RUNNING;
	if (q->build)
		util_strlcpy(s->build, q->build, sizeof(s->build));
	return 0;
}

static int
see_build(const struct store_build_row *b, void *arg)
{
	util_strlcpy(arg, b->package ? b->package : "", 64);
	return 0;
}

/*
 * A rig.db written by the store of 1116a9d (see rig/tests/data/store/make-legacy-db.c): 7 runs,
 * the last left running, 2 builds, crash groups, queue rows, schema_steps and no
 * schema_version. Opening a copy upgrades it; every run is then found with its fields.
 */
static void
legacy_database_is_upgraded_and_every_run_found(void)
{
	char dir[] = "/tmp/rig-test-legacy-XXXXXX", path[256], cmd[600], err[256], pkg[64] = "";
	struct store_runs_filter reported = { .reported = 1 };
	struct store_crash_group g = { 0 };
	struct queue_seen q = { 0 };
	struct seen seen = { 0 };
	enum run_state rs = RUN_STATE_UNKNOWN;
	struct store *s;
	int steps[2] = { 0, 0 };

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/rig.db", dir);
	snprintf(cmd, sizeof(cmd), "cp %s %s", LEGACY, path);
	CHECK_INT(system(cmd), 0);
	s = store_open(path, err, sizeof(err));
	CHECK(s != NULL);
	if (s == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	CHECK_INT(store_schema_version(s), TEST_SCHEMA);
	CHECK_INT(store_runs_list(s, NULL, see_run, &seen), 7);
	CHECK_INT(seen.running, 1);
	CHECK_INT(seen.hangs, 2);
	CHECK_INT(seen.errors, 1);
	CHECK_INT(seen.ids[0], 1);
	CHECK_INT(seen.verdicts[0], VERDICT_HANG);
	CHECK_STR(seen.titles[0], "INFO: task hung in i2c_del_adapter");
	CHECK_STR(seen.builds[0], "6.1.0-47-amd64");
	CHECK_INT(seen.verdicts[2], VERDICT_CRASH);
	CHECK_STR(seen.builds[2], "6.1.0-56-amd64");
	CHECK_INT(seen.repeat_of[4], 4);	/* run 5 repeated run 4 (lab-retry) */
	CHECK_STR(seen.builds[5], "");		/* run 6 had no build */
	CHECK_INT(seen.verdicts[6], VERDICT_NONE);
	CHECK_INT(store_run_steps(s, 1, see_step, steps), 3);
	CHECK_INT(steps[1], 1);
	CHECK_INT(store_crash_groups(s, see_group, &g), 2);
	CHECK_INT(g.count, 2);
	CHECK(g.rig_title == NULL);
	CHECK_INT(store_queue_open(s, 100, see_job, &q), 3);
	CHECK_INT(q.running, 1);
	CHECK_INT(store_queue_open_count(s), 3);
	CHECK_INT(store_build_get(s, 1, see_build, pkg), 1);
	CHECK_STR(pkg, "linux-image-6.1.0-56-amd64");
	/* Reports read only finished runs with a build: 5 of the 7. */
	memset(&seen, 0, sizeof(seen));
	CHECK_INT(store_runs_list(s, &reported, see_run, &seen), 5);
	/* The upgraded database works as a new one: the open run is closed, writes go on. */
	CHECK_INT(store_runs_interrupt(s), 1);
	CHECK(store_run_begin(s, "vq35", "uart-unbind", 1, 0, "/l", 0) == 8);
	/* What rigctl wait run reads: the state as a word of the rig's, and the steps stored. */
	CHECK_INT(store_run_progress(s, 7, &rs, &steps[0]), 1);
	CHECK_INT(rs, RUN_DONE);
	CHECK_INT(store_run_progress(s, 8, &rs, &steps[0]), 1);
	CHECK_INT(rs, RUN_RUNNING);
	CHECK_INT(steps[0], 0);
	store_close(s);
	/* Opened again, nothing is migrated twice. */
	s = store_open(path, err, sizeof(err));
	CHECK(s != NULL);
	if (s) {
		CHECK_INT(store_schema_version(s), TEST_SCHEMA);
		memset(&seen, 0, sizeof(seen));
		CHECK_INT(store_runs_list(s, NULL, see_run, &seen), 8);
		store_close(s);
	}
}

/* rigd -n reads the store: a read-only open of an old database leaves it byte for byte. */
static void
readonly_open_never_writes_an_old_database(void)
{
	char dir[] = "/tmp/rig-test-ro-XXXXXX", path[256], cmd[700], err[256], want[512];
	struct seen seen = { 0 };
	struct store *s;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/rig.db", dir);
	snprintf(cmd, sizeof(cmd), "cp %s %s", LEGACY, path);
	CHECK_INT(system(cmd), 0);
	s = store_open_readonly(path, err, sizeof(err));
	CHECK(s == NULL);
	store_close(s);
	snprintf(want, sizeof(want), "%s: schema 0, this rigd upgrades it to %d at start", path,
	    TEST_SCHEMA);
	CHECK_STR(err, want);
	snprintf(cmd, sizeof(cmd), "cmp -s %s %s", LEGACY, path);
	CHECK_INT(system(cmd), 0);

	/* No file is made where there was none. */
	snprintf(path, sizeof(path), "%s/none.db", dir);
	CHECK(store_open_readonly(path, err, sizeof(err)) == NULL);
	CHECK_INT(access(path, F_OK), -1);

	/* Once upgraded, it opens read-only and reads as store_open's does. */
	snprintf(path, sizeof(path), "%s/rig.db", dir);
	s = store_open(path, err, sizeof(err));
	CHECK(s != NULL);
	store_close(s);
	s = store_open_readonly(path, err, sizeof(err));
	CHECK(s != NULL);
	if (s) {
		CHECK_INT(store_schema_version(s), TEST_SCHEMA);
		CHECK_INT(store_runs_list(s, NULL, see_run, &seen), 7);
		store_close(s);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_INT(system(cmd), 0);
}

static void
host_keys_are_pinned_on_first_use_until_forgotten(void)
{
	char path[256], key[128];
	struct store *s = open_tmp(path, sizeof(path));

	CHECK_INT(store_hostkey_get(s, "vq35", key, sizeof(key)), 0);
	CHECK_INT(store_hostkey_pin(s, "vq35", "SHA256:first"), 0);
	CHECK_INT(store_hostkey_get(s, "vq35", key, sizeof(key)), 1);
	CHECK_STR(key, "SHA256:first");
	/* A later key does not replace the pinned one: only forgetting does. */
	CHECK_INT(store_hostkey_pin(s, "vq35", "SHA256:second"), 0);
	CHECK_INT(store_hostkey_get(s, "vq35", key, sizeof(key)), 1);
	CHECK_STR(key, "SHA256:first");
	CHECK_INT(store_hostkey_get(s, "vsabre", key, sizeof(key)), 0);
	CHECK_INT(store_hostkey_forget(s, "vq35"), 1);
	CHECK_INT(store_hostkey_forget(s, "vq35"), 0);
	CHECK_INT(store_hostkey_get(s, "vq35", key, sizeof(key)), 0);
	CHECK_INT(store_hostkey_pin(s, "vq35", "SHA256:second"), 0);
	CHECK_INT(store_hostkey_get(s, "vq35", key, sizeof(key)), 1);
	CHECK_STR(key, "SHA256:second");
	store_close(s);
	unlink(path);
}

static int
count_reservation(const struct store_reservation *r, void *arg)
{
	(void)r;
	(*(int *)arg)++;
	return 0;
}

/* Windows that touch (one ends where the next begins) are no overlap; any shared ms is. */
static void
reservations_never_overlap_and_name_the_conflict(void)
{
	struct store_reservation c, r;
	char path[256];
	struct store *s = open_tmp(path, sizeof(path));
	int64_t a, b, n;
	int rows = 0;

	a = store_reservation_add(s, "vq35", 1000, 1000, 2000, "bisect", &c);
	CHECK(a > 0);
	CHECK_INT(store_reservation_add(s, "vq35", 1001, 1500, 2500, NULL, &c), 0);
	CHECK_INT(c.id, a);
	CHECK_INT(c.uid, 1000);
	CHECK_INT(c.start_ms, 1000);
	CHECK_INT(c.end_ms, 2000);
	CHECK_STR(c.note, "bisect");
	CHECK_INT(store_reservation_add(s, "vq35", 1001, 0, 1001, NULL, &c), 0);
	CHECK_INT(store_reservation_add(s, "vq35", 1001, 1200, 1300, NULL, NULL), 0);
	/* Touching, and another board, are free. */
	b = store_reservation_add(s, "vq35", 1001, 2000, 3000, NULL, &c);
	CHECK(b > a);
	CHECK(store_reservation_add(s, "vsabre", 1001, 1500, 2500, NULL, &c) > 0);
	CHECK(store_reservation_add(s, "vq35", 1001, 500, 1000, NULL, &c) > 0);
	/* From 600 the board is taken back to back until 3000. */
	CHECK_INT(store_reservation_free_from(s, "vq35", 600, 100), 3000);
	CHECK_INT(store_reservation_free_from(s, "vq35", 5000, 100), 5000);
	CHECK_INT(store_reservation_free_from(s, "other", 600, 100), 600);
	/* Extending a into b is refused, naming b; b itself may grow. */
	CHECK_INT(store_reservation_extend(s, a, 2100, &c), 0);
	CHECK_INT(c.id, b);
	CHECK_INT(store_reservation_extend(s, b, 4000, &c), 1);
	CHECK_INT(store_reservation_get(s, b, &r), 1);
	CHECK_INT(r.end_ms, 4000);
	/* Who holds the board when. */
	CHECK_INT(store_reservation_at(s, "vq35", 1999, &r), 1);
	CHECK_INT(r.id, a);
	CHECK_INT(store_reservation_at(s, "vq35", 2000, &r), 1);
	CHECK_INT(r.id, b);
	CHECK_INT(store_reservation_at(s, "vq35", 4000, &r), 0);
	/* Released while it runs: cut short at now, recorded with who did it; the rest is free. */
	CHECK_INT(store_reservation_release(s, b, 0, 2500), 1);
	CHECK_INT(store_reservation_get(s, b, &r), 1);
	CHECK_INT(r.end_ms, 2500);
	CHECK_INT(r.released_ms, 2500);
	CHECK_INT(r.released_by, 0);
	CHECK(store_reservation_add(s, "vq35", 1002, 2500, 2600, NULL, &c) > 0);
	/* Released before it began: holds nothing at all. */
	n = store_reservation_add(s, "vq35", 1002, 9000, 9500, NULL, &c);
	CHECK(n > 0);
	CHECK_INT(store_reservation_release(s, n, 1002, 100), 1);
	CHECK(store_reservation_add(s, "vq35", 1003, 9000, 9500, NULL, &c) > 0);
	CHECK_INT(store_reservation_release(s, 999, 0, 100), 0);
	CHECK_INT(store_reservation_get(s, 999, &r), 0);
	CHECK_INT(store_reservations(s, "vq35", count_reservation, &rows), 6);
	CHECK_INT(rows, 6);
	store_close(s);
	unlink(path);
}

struct ids {
	int64_t	id[8];
	int	n;
};

static int
collect_id(const struct store_reservation *r, void *arg)
{
	struct ids *ids = arg;

	if (ids->n < 8)
		ids->id[ids->n++] = r->id;
	return 0;
}

/* An end is announced once: lead_ms before it, or halfway through a shorter lease. */
static void
ending_reservations_are_announced_once(void)
{
	struct store_reservation r;
	struct ids ids = { { 0 }, 0 };
	char path[256];
	struct store *s = open_tmp(path, sizeof(path));
	int64_t a, b, c;

	a = store_reservation_add(s, "vq35", 1000, 0, 10000, NULL, NULL);	/* lead 1000 */
	b = store_reservation_add(s, "vsabre", 1000, 0, 1000, NULL, NULL);	/* half: 500 */
	c = store_reservation_add(s, "vbench", 1000, 5000, 20000, NULL, NULL);	/* not begun */
	CHECK(a > 0 && b > 0 && c > 0);
	CHECK_INT(store_reservations_ending(s, 400, 1000, collect_id, &ids), 0);
	CHECK_INT(store_reservations_ending(s, 500, 1000, collect_id, &ids), 1);
	CHECK_INT(ids.id[0], b);
	CHECK_INT(store_reservation_warned(s, b, 500), 1);
	ids.n = 0;
	CHECK_INT(store_reservations_ending(s, 9000, 1000, collect_id, &ids), 1);
	CHECK_INT(ids.id[0], a);
	CHECK_INT(store_reservation_warned(s, a, 9000), 1);
	CHECK_INT(store_reservations_ending(s, 9500, 1000, collect_id, &ids), 0);
	CHECK_INT(store_reservation_get(s, a, &r), 1);
	CHECK_INT(r.warned_ms, 9000);
	/* Over, or released: nothing to announce. */
	CHECK_INT(store_reservations_ending(s, 30000, 1000, collect_id, &ids), 0);
	CHECK_INT(store_reservation_release(s, c, 0, 6000), 1);
	CHECK_INT(store_reservations_ending(s, 19500, 1000, collect_id, &ids), 0);
	CHECK_INT(store_reservation_warned(s, 999, 1), 0);
	store_close(s);
	unlink(path);
}

/* A lease over (run out or released) asks for its board's reset once; one not begun never does. */
static void
ended_reservations_ask_for_a_reset_once(void)
{
	struct store_reservation r;
	char path[256];
	struct store *s = open_tmp(path, sizeof(path));
	int64_t a, b, c;

	a = store_reservation_add(s, "vq35", 1000, 0, 1000, NULL, NULL);
	b = store_reservation_add(s, "vq35", 1001, 2000, 3000, NULL, NULL);
	c = store_reservation_add(s, "vq35", 1002, 5000, 6000, NULL, NULL);
	CHECK(a > 0 && b > 0 && c > 0);
	CHECK_INT(store_reservation_next_start(s, "vq35", 500), 2000);
	CHECK_INT(store_reservation_next_start(s, "vq35", 2000), 5000);
	CHECK_INT(store_reservation_next_start(s, "vq35", 5000), 0);
	CHECK_INT(store_reservation_next_start(s, "vsabre", 0), 0);
	CHECK_INT(store_reservation_reset_due(s, "vq35", 999, &r), 0);
	CHECK_INT(store_reservation_reset_due(s, "vq35", 1000, &r), 1);
	CHECK_INT(r.id, a);
	/* Released early: due at once, and the reset covers every lease over by then. */
	CHECK_INT(store_reservation_release(s, b, 1001, 2500), 1);
	CHECK_INT(store_reservation_reset_due(s, "vq35", 2600, &r), 1);
	CHECK_INT(r.id, b);
	CHECK_INT(r.reset_outcome, LEASE_RESET_UNKNOWN);
	CHECK_INT(store_reservation_reset_done(s, "vq35", 2600, 2700, LEASE_RESET_READY,
	    "reset after reservation 2 of u: 6.1.0 up in 9.0s"), 0);
	CHECK_INT(store_reservation_reset_due(s, "vq35", 4000, &r), 0);
	CHECK_INT(store_reservation_get(s, a, &r), 1);
	CHECK_INT(r.reset_ms, 2700);
	/* How the reset ended is kept with each lease it covered. */
	CHECK_INT(r.reset_outcome, LEASE_RESET_READY);
	CHECK_STR(r.reset_detail, "reset after reservation 2 of u: 6.1.0 up in 9.0s");
	CHECK_INT(store_reservation_get(s, b, &r), 1);
	CHECK_INT(r.reset_outcome, LEASE_RESET_READY);
	/* Cancelled before it began: it held the board never, nothing to reset. */
	CHECK_INT(store_reservation_release(s, c, 1002, 4500), 1);
	CHECK_INT(store_reservation_reset_due(s, "vq35", 9000, &r), 0);
	CHECK_INT(store_reservation_next_start(s, "vq35", 4000), 0);
	store_close(s);
	unlink(path);
}

#define RACE_THREADS	48
#define RACE_TRIES	8

struct race {
	const char	*path;
	struct store	*shared;	/* half the threads share one connection, half open their own */
	int		 idx;
	int		 ok, refused, failed;
};

/* Each thread asks for windows that overlap its neighbours' (30 ms long, 20 ms apart). */
static void *
race_thread(void *arg)
{
	struct race *r = arg;
	struct store *s = r->shared;
	char err[256];
	int k;

	if (s == NULL && (s = store_open(r->path, err, sizeof(err))) == NULL) {
		r->failed = RACE_TRIES;
		return NULL;
	}
	for (k = 0; k < RACE_TRIES; k++) {
		int64_t start = (int64_t)((r->idx * 7 + k * 13) % 97) * 20;
		int64_t id = store_reservation_add(s, "vq35", 1000 + r->idx, start, start + 30,
		    NULL, NULL);

		if (id > 0)
			r->ok++;
		else if (id == 0)
			r->refused++;
		else {
			r->failed++;
			fprintf(stderr, "race: %s\n", store_last_error());
		}
	}
	if (s != r->shared)
		store_close(s);
	return NULL;
}

struct windows {
	int64_t	start[RACE_THREADS * RACE_TRIES], end[RACE_THREADS * RACE_TRIES];
	int	n;
};

static int
collect_window(const struct store_reservation *r, void *arg)
{
	struct windows *w = arg;

	w->start[w->n] = r->start_ms;
	w->end[w->n++] = r->end_ms;
	return 0;
}

/*
 * Many threads, over one connection and over connections of their own (as processes would),
 * asking at once for overlapping windows of one board: every request is answered, what is
 * stored never overlaps, and every window refused does overlap one stored.
 */
static void
concurrent_overlapping_requests_store_no_overlap(void)
{
	static struct race races[RACE_THREADS];
	static struct windows w;
	pthread_t t[RACE_THREADS];
	char path[256];
	struct store *s = open_tmp(path, sizeof(path));
	int i, j, ok = 0, refused = 0, failed = 0, overlaps = 0;

	for (i = 0; i < RACE_THREADS; i++) {
		races[i] = (struct race){ .path = path, .shared = i % 2 ? s : NULL, .idx = i };
		CHECK_INT(pthread_create(&t[i], NULL, race_thread, &races[i]), 0);
	}
	for (i = 0; i < RACE_THREADS; i++) {
		pthread_join(t[i], NULL);
		ok += races[i].ok;
		refused += races[i].refused;
		failed += races[i].failed;
	}
	CHECK_INT(failed, 0);
	CHECK_INT(ok + refused, RACE_THREADS * RACE_TRIES);
	CHECK(ok > 0 && refused > 0);
	w.n = 0;
	CHECK_INT(store_reservations(s, "vq35", collect_window, &w), ok);
	for (i = 0; i < w.n; i++)
		for (j = i + 1; j < w.n; j++)
			if (w.start[i] < w.end[j] && w.start[j] < w.end[i])
				overlaps++;
	CHECK_INT(overlaps, 0);
	/* Every window asked for is stored or overlaps one stored: nothing was refused wrongly. */
	for (i = 0; i < RACE_THREADS * RACE_TRIES; i++) {
		int64_t st = (int64_t)(((i / RACE_TRIES) * 7 + (i % RACE_TRIES) * 13) % 97) * 20;
		int hit = 0;

		for (j = 0; j < w.n; j++)
			if (st < w.end[j] && w.start[j] < st + 30)
				hit = 1;
		if (!hit)
			overlaps++;
	}
	CHECK_INT(overlaps, 0);
	store_close(s);
	unlink(path);
}

/*
 * store_writable on a store that takes writes: yes, and the probe leaves nothing behind (runs
 * go on being recorded). A read-only one is 69-store-readonly's (a read-only mount).
 */
static void
writable_probe_leaves_the_store_as_it_was(void)
{
	char path[256], before[256];
	struct store *s = open_tmp(path, sizeof(path));
	int64_t run;

	if (s == NULL)
		return;
	/* (The thread's last failure is an earlier test's, when there was one: the probe adds none.) */
	util_strlcpy(before, store_last_error(), sizeof(before));
	CHECK_INT(store_writable(s), 0);
	CHECK_INT(store_writable(s), 0);
	run = store_run_begin(s, "vq35", "i2c-unbind", -1, 0, "/dev/null", 0);
	CHECK(run > 0);
	CHECK_STR(store_last_error(), before);
	store_close(s);
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Windows back to back, one after the other, each its own write transaction: all are stored.
 * The rate is said for the closing note (not checked: timing belongs to benchmarks).
 */
static void
back_to_back_reservations_are_all_stored(void)
{
	char path[256];
	struct store *s = open_tmp(path, sizeof(path));
	int64_t t0, ms, i;
	int rows = 0, ok = 0;

	if (s == NULL)
		return;
	t0 = mono_ms();
	for (i = 0; i < 500; i++)
		ok += store_reservation_add(s, "vq35", 1000, i * 100, i * 100 + 100, NULL, NULL) > 0;
	ms = mono_ms() - t0;
	CHECK_INT(ok, 500);
	CHECK_INT(store_reservations(s, "vq35", count_reservation, &rows), 500);
	fprintf(stderr, "note: 500 reservations on %s in %lld ms: %.0f/s\n",
	    test_pg_server() ? "postgresql" : "sqlite", (long long)ms,
	    ms > 0 ? 500.0 * 1000 / (double)ms : 0.0);
	store_close(s);
	unlink(path);
}

struct pg_open {
	const char	*uri;
	int		 ok;
};

static void *
pg_open_thread(void *arg)
{
	struct pg_open *o = arg;
	char err[256];
	struct store *s = store_open(o->uri, err, sizeof(err));

	if (s == NULL)
		fprintf(stderr, "%s\n", err);
	o->ok = s != NULL && store_schema_version(s) == TEST_SCHEMA;
	store_close(s);
	return NULL;
}

/*
 * An empty database is brought to the latest version, each migration once, with the
 * reservations' exclusion constraint; opened again, nothing is applied twice. Two rigds
 * opening one empty database at the same time both start, and it is migrated once.
 */
static void
pg_migrations_bring_an_empty_database_to_the_latest_once(void)
{
	struct pg_open o[2];
	pthread_t t[2];
	char uri[256], err[256];
	struct store *s;
	PGconn *c;
	int64_t t0;
	int i;

	CHECK_INT(test_pg_newdb(uri, sizeof(uri)), 0);
	t0 = mono_ms();
	s = store_open(uri, err, sizeof(err));
	CHECK(s != NULL);
	if (s == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	fprintf(stderr, "note: an empty postgresql database migrated in %lld ms\n",
	    (long long)(mono_ms() - t0));
	CHECK_INT(store_schema_version(s), TEST_SCHEMA);
	store_close(s);
	s = store_open(uri, err, sizeof(err));
	CHECK(s != NULL);
	CHECK_INT(store_schema_version(s), TEST_SCHEMA);
	store_close(s);
	if ((c = test_pg_connect(uri)) == NULL) {
		CHECK(0);
		return;
	}
	CHECK_INT(test_pg_int(c, "SELECT count(*) FROM schema_version"), TEST_SCHEMA);
	CHECK_INT(test_pg_int(c, "SELECT count(*) FROM pg_constraint WHERE contype='x' AND"
	    " conrelid='reservations'::regclass"), 1);
	PQfinish(c);

	CHECK_INT(test_pg_newdb(uri, sizeof(uri)), 0);
	for (i = 0; i < 2; i++) {
		o[i] = (struct pg_open){ uri, 0 };
		CHECK_INT(pthread_create(&t[i], NULL, pg_open_thread, &o[i]), 0);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		CHECK(o[i].ok);
	}
	if ((c = test_pg_connect(uri)) != NULL) {
		CHECK_INT(test_pg_int(c, "SELECT count(*) FROM schema_version"), TEST_SCHEMA);
		PQfinish(c);
	}
}

#define RAW_ROUNDS	20

struct raw_insert {
	const char		*uri;
	pthread_barrier_t	*go;
	int			 idx;
	int			 ok, excluded, other;	/* excluded: 23P01 or 40P01 */
};

/* Each round, on its own connection: an INSERT of a window the other thread's overlaps. */
static void *
raw_insert_thread(void *arg)
{
	struct raw_insert *r = arg;
	PGconn *c = test_pg_connect(r->uri);
	char sql[256];
	int k;

	for (k = 0; k < RAW_ROUNDS; k++) {
		PGresult *res;
		const char *state;

		snprintf(sql, sizeof(sql), "INSERT INTO reservations(board, uid, start_ms, end_ms,"
		    " created_ms) VALUES('b%d', %d, %d, %d, 0)", k, 2000 + r->idx,
		    1000 + r->idx * 500, 2000 + r->idx * 500);
		pthread_barrier_wait(r->go);
		if (c == NULL) {
			r->other++;
			continue;
		}
		res = PQexec(c, sql);
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (PQresultStatus(res) == PGRES_COMMAND_OK)
			r->ok++;
		else if (state && (strcmp(state, "23P01") == 0 || strcmp(state, "40P01") == 0))
			r->excluded++;
		else {
			fprintf(stderr, "%s: %s", sql, PQresultErrorMessage(res));
			r->other++;
		}
		PQclear(res);
	}
	PQfinish(c);
	return NULL;
}

/*
 * The server ends the store's connection (as a restart does): the next call fails at once
 * saying the connection was lost, store_lost says so, store_reconnect makes a new one and
 * the store works again, with what it held before.
 */
static int
any_board(const struct store_board_row *b, void *arg)
{
	(void)b;
	(void)arg;
	return 0;
}

static void
pg_a_lost_connection_fails_at_once_and_is_made_again(void)
{
	char uri[256], err[256] = "";
	struct store *s = open_tmp(uri, sizeof(uri));
	int64_t t0;
	PGconn *c;

	if (s == NULL)
		return;
	CHECK_INT(store_board_set(s, "vq35", "amd64", "OFF", NULL), 0);
	CHECK_INT(store_lost(s), 0);
	if ((c = test_pg_connect(uri)) == NULL) {
		CHECK(c != NULL);
		store_close(s);
		return;
	}
	CHECK_INT(test_pg_int(c, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
	    " WHERE datname = current_database() AND pid <> pg_backend_pid()"), 1);
	PQfinish(c);
	t0 = util_now_ms();
	CHECK_INT(store_board_set(s, "vq35", "amd64", "READY", NULL), -1);
	CHECK_HAS(store_last_error(), "PostgreSQL connection lost");
	CHECK_INT(store_lost(s), 1);
	CHECK_INT(store_boards(s, any_board, NULL), -1);	/* reads fail too, at once */
	CHECK(util_now_ms() - t0 < 2000);
	CHECK_INT(store_reconnect(s, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_INT(store_lost(s), 0);
	CHECK_INT(store_board_set(s, "vq35", "amd64", "READY", NULL), 0);
	CHECK_INT(store_reconnect(s, err, sizeof(err)), 0);	/* not lost: nothing to do */
	store_close(s);
}

/*
 * Two connections of their own (not the store's: any client of the database), released at the
 * same instant, insert overlapping windows of one board: PostgreSQL itself lets one in and
 * refuses the other, every round: an exclusion violation, or, when both rows were in before
 * either checked, a deadlock its detector breaks (while checking the constraint) by refusing one.
 */
static void
pg_exclusion_refuses_overlaps_from_raw_connections_at_once(void)
{
	struct raw_insert r[2];
	pthread_barrier_t go;
	pthread_t t[2];
	char uri[256];
	struct store *s = open_tmp(uri, sizeof(uri));
	PGconn *c;
	int i;

	if (s == NULL)
		return;
	pthread_barrier_init(&go, NULL, 2);
	for (i = 0; i < 2; i++) {
		r[i] = (struct raw_insert){ .uri = uri, .go = &go, .idx = i };
		CHECK_INT(pthread_create(&t[i], NULL, raw_insert_thread, &r[i]), 0);
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
	CHECK_INT(r[0].ok + r[1].ok, RAW_ROUNDS);
	CHECK_INT(r[0].excluded + r[1].excluded, RAW_ROUNDS);
	CHECK_INT(r[0].other + r[1].other, 0);
	if ((c = test_pg_connect(uri)) != NULL) {
		CHECK_INT(test_pg_int(c, "SELECT count(*) FROM reservations"), RAW_ROUNDS);
		/* Touching windows are no overlap for the constraint either. */
		CHECK(test_pg_ok(c, "INSERT INTO reservations(board, uid, start_ms, end_ms,"
		    " created_ms) VALUES('b0', 1, 2500, 2600, 0)"));
		PQfinish(c);
	}
	store_close(s);
}

struct lost_race {
	struct store		*s;
	struct store_reservation conflict;
	int64_t			 id;
};

static void *
lost_race_thread(void *arg)
{
	struct lost_race *l = arg;

	l->id = store_reservation_add(l->s, "vq35", 1001, 1500, 2500, "late", &l->conflict);
	return NULL;
}

/*
 * Another host's transaction holds an uncommitted window when this store checks: the check
 * finds nothing, the insert waits for that transaction, which then commits, and the database
 * refuses the insert. The store answers as when its check finds the window: refused, naming
 * the holder.
 */
static void
pg_a_race_lost_to_another_host_is_the_same_refusal(void)
{
	struct lost_race l = { 0 };
	pthread_t t;
	char uri[256];
	PGconn *other = NULL, *watch = NULL;
	long long held = -1, waiting = 0;
	int i;

	l.s = open_tmp(uri, sizeof(uri));
	if (l.s == NULL || (other = test_pg_connect(uri)) == NULL ||
	    (watch = test_pg_connect(uri)) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(test_pg_ok(other, "BEGIN"));
	held = test_pg_int(other, "INSERT INTO reservations(board, uid, start_ms, end_ms,"
	    " created_ms, note) VALUES('vq35', 4242, 1000, 2000, 0, 'other host') RETURNING id");
	CHECK(held > 0);
	CHECK_INT(pthread_create(&t, NULL, lost_race_thread, &l), 0);
	/* Until the store's insert waits on the other host's lock (its check is behind it). */
	for (i = 0; i < 2000 && waiting == 0; i++) {
		waiting = test_pg_int(watch, "SELECT count(*) FROM pg_stat_activity WHERE"
		    " application_name='rigd' AND wait_event_type='Lock'");
		if (waiting == 0)
			usleep(5000);
	}
	CHECK_INT(waiting, 1);
	CHECK(test_pg_ok(other, "COMMIT"));
	pthread_join(t, NULL);
	CHECK_INT(l.id, 0);
	CHECK_INT(l.conflict.id, held);
	CHECK_INT(l.conflict.uid, 4242);
	CHECK_STR(l.conflict.note, "other host");
	CHECK_INT(store_reservation_free_from(l.s, "vq35", 1500, 1000), 2000);
out:
	PQfinish(watch);
	PQfinish(other);
	store_close(l.s);
}

/*
 * A database that would refuse some console bytes (UTF8) or sort otherwise than SQLite is
 * refused at open, saying how to make one; nothing is written to it.
 */
static void
pg_a_database_that_would_change_bytes_is_refused(void)
{
	char uri[256], err[512] = "";
	struct store *s;
	PGconn *c;

	if ((c = test_pg_connect(test_pg_server())) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(test_pg_ok(c, "DROP DATABASE IF EXISTS rig_utf8"));
	CHECK(test_pg_ok(c, "CREATE DATABASE rig_utf8 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
	    " TEMPLATE template0"));
	PQfinish(c);
	snprintf(uri, sizeof(uri), "postgresql:///rig_utf8%s", strchr(test_pg_server(), '?'));
	s = store_open(uri, err, sizeof(err));
	CHECK(s == NULL);
	CHECK_HAS(err, "database rig_utf8 has encoding UTF8");
	CHECK_HAS(err, "createdb -E SQL_ASCII --locale=C -T template0");
	store_close(s);
	if ((c = test_pg_connect(uri)) != NULL) {
		CHECK_INT(test_pg_int(c, "SELECT count(*) FROM pg_tables WHERE schemaname='public'"), 0);
		PQfinish(c);
	}
}

/* A stack's bytes come back as they went in, whatever they are (not UTF-8 here). */
static void
console_bytes_are_stored_as_they_came(void)
{
	char path[256];
	struct store *s = open_tmp(path, sizeof(path));
	struct store_run_end e = { .verdict = VERDICT_HANG, .title = "INFO: task hung in x",
	    .stack = "[<0>] i801_remove <&> \x01\xff\xfe" };
	struct seen seen = { 0 };
	int64_t run;

	if (s == NULL)
		return;
	run = store_run_begin(s, "vq35", "i2c-unbind", -1, 0, "/l\xff", 0);
	CHECK(run > 0);
	CHECK_INT(store_run_end(s, run, &e), 0);
	CHECK_INT(store_runs_list(s, NULL, see_run, &seen), 1);
	CHECK_INT(seen.verdicts[0], VERDICT_HANG);
	CHECK_STR(seen.stacks[0], e.stack);
	store_close(s);
}

/*
 * The engine numbers a statement's parameters: a ? in a quoted string (with a '' in it), in a
 * quoted name and in a comment is text, not a parameter. (The store's own statement API.)
 */
static void
question_marks_in_quotes_are_text(void)
{
	char path[256];
	struct store *s = open_tmp(path, sizeof(path));

	if (s == NULL)
		return;
	CHECK_INT(store_exec_int(s, "SELECT count(*) FROM (SELECT 'x?''?' AS \"q?\") t WHERE"
	    " t.\"q?\" = ? AND 1 = ? -- ? is the comment's", "ti", "x?'?", (int64_t)1), 1);
	CHECK_INT(store_exec_int(s, "SELECT count(*) FROM (SELECT 'x?''?' AS \"q?\") t WHERE"
	    " t.\"q?\" = ? AND 1 = ? -- ? is the comment's", "ti", "x?", (int64_t)1), 0);
	store_close(s);
}

/* A PostgreSQL store that cannot be reached: refused at open, libpq's reason naming where. */
static void
an_unreachable_postgresql_store_is_refused_naming_it(void)
{
	char err[512] = "";
	struct store *s = store_open("postgresql:///rig?host=/nonexistent-rig&port=1", err,
	    sizeof(err));

	CHECK(s == NULL);
	CHECK_HAS(err, "/nonexistent-rig/.s.PGSQL.1");
	store_close(s);
}

int
main(void)
{
	RUN(same_image_and_report_is_one_build);
	RUN(run_left_running_is_closed_as_interrupted_on_reopen);
	RUN(runs_are_listed_by_scenario_and_a_page_below_an_id);
	RUN(a_job_whose_run_was_interrupted_is_queued_again);
	RUN(a_survey_job_between_runs_is_queued_again_and_its_runs_found);
	RUN(jobs_are_estimated_and_claimed_by_id_or_given_back);
	RUN(two_hosts_racing_claim_each_job_exactly_once);
	RUN(a_job_whose_lease_runs_out_is_interrupted_and_queued_again);
	RUN(a_restart_recovers_only_its_own_hosts_runs_and_jobs);
	RUN(a_restart_ends_the_jobs_of_the_bisects_it_stopped);
	RUN(a_stale_claim_changes_nothing_once_the_job_was_claimed_again);
	RUN(a_late_end_of_a_run_whose_lease_ran_out_changes_nothing);

	RUN(a_lab_runs_events_reach_its_caller_in_order);
	RUN(a_lab_runs_wake_ups_reach_a_listener);
	RUN(crashes_are_grouped_by_title_and_keep_the_rigs_title);
	RUN(a_crash_groups_boards_are_listed_once_each);
	RUN(the_reads_that_grow_search_an_index);
	RUN(a_listing_read_again_inside_or_left_early_gives_every_row);
	RUN(boards_keep_their_last_state);
	RUN(hosts_register_their_boards_and_beat);
	/* Databases from before numbered migrations are SQLite files only. */
	if (!test_pg_server()) {
		RUN(legacy_database_is_upgraded_and_every_run_found);
		RUN(readonly_open_never_writes_an_old_database);
	}
	RUN(host_keys_are_pinned_on_first_use_until_forgotten);
	RUN(reservations_never_overlap_and_name_the_conflict);
	RUN(concurrent_overlapping_requests_store_no_overlap);
	RUN(ending_reservations_are_announced_once);
	RUN(ended_reservations_ask_for_a_reset_once);
	RUN(reader_sees_what_is_written_writes_nothing_and_blocks_no_writer);
	RUN(writable_probe_leaves_the_store_as_it_was);
	RUN(back_to_back_reservations_are_all_stored);
	RUN(console_bytes_are_stored_as_they_came);
	RUN(question_marks_in_quotes_are_text);
	RUN(an_unreachable_postgresql_store_is_refused_naming_it);
	if (test_pg_server()) {
		RUN(pg_migrations_bring_an_empty_database_to_the_latest_once);
		RUN(pg_exclusion_refuses_overlaps_from_raw_connections_at_once);
		RUN(pg_a_lost_connection_fails_at_once_and_is_made_again);
		RUN(pg_a_race_lost_to_another_host_is_the_same_refusal);
		RUN(pg_a_database_that_would_change_bytes_is_refused);
	}
	TEST_END();
}
