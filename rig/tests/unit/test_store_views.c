/* views: the JSON the control socket and HTTP send for runs, a run, crash groups and the queue. */
#include "queue.h"
#include "store.h"
#include "test.h"
#include "test_pg.h"
#include "util.h"
#include "views.h"

#include <stdlib.h>
#include <unistd.h>

static struct store *st;
static int64_t build, run_hang, run_open;

static void
populate(void)
{
	struct store_build b = { .name = "linux-image-6.1.0-47-amd64", .release = "6.1.0-47-amd64",
	    .version = "Linux version 6.1.0-47-amd64 #1 SMP Debian 6.1.170-1", .arch = "amd64",
	    .image_sha256 = "c0ffee" };
	struct store_run_end e = { .verdict = VERDICT_HANG,
	    .title = "INFO: task hung in i2c_del_adapter", .detail = "step 2", .stack = "[<0>] x",
	    .console_end = 300 };
	struct store_step s1 = { .idx = 1, .action = "bind", .arg = "i2c",
	    .status = STEP_STATUS_OK, .started_ms = 5, .duration_ms = 10, .output = "" };
	struct store_step s2 = { .idx = 2, .action = "unbind", .arg = "i2c",
	    .status = STEP_STATUS_TIMEOUT, .started_ms = 20, .duration_ms = 3000, .output = "x" };
	struct store_crash c = { .board = "vq35", .title = "INFO: task hung in i801_remove",
	    .rig_title = "INFO: task hung in i2c_del_adapter", .type = "hang",
	    .frame = "i801_remove", .console_log = "/l", .start = 100, .end = 200, .text = "t" };
	char dir[] = "/tmp/rig-test-views-XXXXXX", path[256], err[256];
	int64_t nightly;

	if (mkdtemp(dir) == NULL)
		abort();
	if (test_pg_server() ? test_pg_newdb(path, sizeof(path)) == -1 :
	    snprintf(path, sizeof(path), "%s/rig.db", dir) < 0)
		abort();
	if ((st = store_open(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	build = store_build_get_or_add(st, &b);
	run_hang = store_run_begin(st, "vq35", "i2c-unbind", build, 1000, "/l", 100);
	CHECK_INT(store_run_step(st, run_hang, &s1), 0);
	CHECK_INT(store_run_step(st, run_hang, &s2), 0);
	CHECK_INT(store_run_end(st, run_hang, &e), 0);
	CHECK_INT(store_run_recovery(st, run_hang, 1500, "ready"), 0);
	c.run = run_hang;
	c.build_id = build;
	CHECK_INT(store_crash_add(st, &c), 0);
	run_open = store_run_begin(st, "vq35", "uart-unbind", -1, 0, "/l", 300);
	nightly = queue_nightly_new(st, 1000);
	CHECK(queue_add(st, nightly, build, "vq35", "i2c-unbind", 0, NULL, 0) > 0);
	CHECK(queue_add(st, nightly, build, "vq35", "uart-unbind", 0, NULL, 0) > 0);
}

static const char *
str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double
num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static int
is_null(const cJSON *o, const char *k)
{
	return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, k));
}

static void
runs_newest_first_with_the_build_as_each_side_names_it(void)
{
	cJSON *a = views_runs(st, 100, VIEWS_BUILD_RELEASE), *b = views_runs(st, 1, VIEWS_BUILD_NAME);
	cJSON *r;

	CHECK(a && cJSON_GetArraySize(a) == 2);
	CHECK(b && cJSON_GetArraySize(b) == 1);
	if (a && cJSON_GetArraySize(a) == 2) {
		r = cJSON_GetArrayItem(a, 0);
		CHECK_INT(num(r, "id"), run_open);
		CHECK(is_null(r, "verdict"));
		CHECK(is_null(r, "build"));
		CHECK(is_null(r, "duration_ms"));
		CHECK_STR(str(r, "state"), "running");
		r = cJSON_GetArrayItem(a, 1);
		CHECK_STR(str(r, "build"), "6.1.0-47-amd64");
		CHECK_STR(str(r, "verdict"), "hang");
		CHECK_STR(str(r, "title"), "INFO: task hung in i2c_del_adapter");
		CHECK(num(r, "duration_ms") >= 0);
		CHECK_INT(num(r, "recovery_ms"), 1500);
		CHECK(str(r, "started") != NULL);
	}
	if (b && cJSON_GetArraySize(b) == 1) {
		r = cJSON_GetArrayItem(b, 0);
		CHECK_INT(num(r, "id"), run_open);
	}
	cJSON_Delete(a);
	cJSON_Delete(b);
	b = views_runs(st, 100, VIEWS_BUILD_NAME);
	if (b && cJSON_GetArraySize(b) == 2) {
		r = cJSON_GetArrayItem(b, 1);
		CHECK_STR(str(r, "build"), "linux-image-6.1.0-47-amd64");
		CHECK_STR(str(r, "release"), "6.1.0-47-amd64");
	}
	cJSON_Delete(b);
}

static void
one_run_has_its_columns_steps_and_crashes(void)
{
	int found = -1;
	cJSON *o = views_run(st, run_hang, VIEWS_BUILD_RELEASE, &found), *s, *c;

	CHECK_INT(found, 1);
	CHECK(o != NULL);
	if (o == NULL)
		return;
	CHECK_STR(str(o, "board"), "vq35");
	CHECK_STR(str(o, "scenario"), "i2c-unbind");
	CHECK_STR(str(o, "build"), "6.1.0-47-amd64");
	CHECK_STR(str(o, "build_version"), "Linux version 6.1.0-47-amd64 #1 SMP Debian 6.1.170-1");
	CHECK_STR(str(o, "image_sha256"), "c0ffee");
	CHECK_STR(str(o, "stack"), "[<0>] x");
	CHECK_STR(str(o, "detail"), "step 2");
	CHECK_STR(str(o, "recovery"), "ready");
	CHECK_INT(num(o, "uid"), 1000);
	CHECK_INT(num(o, "console_start"), 100);
	CHECK_INT(num(o, "console_end"), 300);
	CHECK(is_null(o, "repeat_of"));
	s = cJSON_GetObjectItem(o, "steps");
	CHECK(cJSON_GetArraySize(s) == 2);
	CHECK_STR(str(cJSON_GetArrayItem(s, 1), "status"), "timeout");
	CHECK_STR(str(cJSON_GetArrayItem(s, 1), "action"), "unbind");
	CHECK_INT(num(cJSON_GetArrayItem(s, 1), "idx"), 2);
	c = cJSON_GetObjectItem(o, "crashes");
	CHECK(cJSON_GetArraySize(c) == 1);
	CHECK_STR(str(cJSON_GetArrayItem(c, 0), "frame"), "i801_remove");
	CHECK_INT(num(cJSON_GetArrayItem(c, 0), "end"), 200);
	cJSON_Delete(o);
	CHECK(views_run(st, 999, VIEWS_BUILD_NAME, &found) == NULL);
	CHECK_INT(found, 0);
}

static void
crash_groups_carry_both_titles(void)
{
	cJSON *g = views_crash_groups(st), *o;

	CHECK(g && cJSON_GetArraySize(g) == 1);
	if (g == NULL || cJSON_GetArraySize(g) != 1) {
		cJSON_Delete(g);
		return;
	}
	o = cJSON_GetArrayItem(g, 0);
	CHECK_STR(str(o, "title"), "INFO: task hung in i801_remove");
	CHECK_STR(str(o, "rig_title"), "INFO: task hung in i2c_del_adapter");
	CHECK_STR(str(o, "type"), "hang");
	CHECK_INT(num(o, "count"), 1);
	CHECK_INT(num(o, "first_run"), run_hang);
	CHECK_INT(num(o, "last_run"), run_hang);
	CHECK(str(o, "first_seen") && str(o, "last_seen"));
	cJSON_Delete(g);
}

static void
queue_counts_and_open_jobs(void)
{
	struct queue_job j;
	cJSON *q, *counts, *jobs;

	CHECK_INT(queue_claim(st, "vq35", build, &j), 1);
	CHECK_STR(j.scenario, "i2c-unbind");
	CHECK_INT(j.attempts, 1);
	q = views_queue(st);
	CHECK(q != NULL);
	if (q == NULL)
		return;
	counts = cJSON_GetObjectItem(q, "counts");
	jobs = cJSON_GetObjectItem(q, "jobs");
	CHECK(cJSON_GetArraySize(counts) == 2);
	CHECK_STR(str(cJSON_GetArrayItem(counts, 0), "state"), "queued");
	CHECK_INT(num(cJSON_GetArrayItem(counts, 0), "n"), 1);
	CHECK(cJSON_GetArraySize(jobs) == 2);
	CHECK_STR(str(cJSON_GetArrayItem(jobs, 0), "state"), "running");
	CHECK_STR(str(cJSON_GetArrayItem(jobs, 0), "build"), "linux-image-6.1.0-47-amd64");
	CHECK_INT(num(cJSON_GetArrayItem(jobs, 0), "attempts"), 1);
	CHECK(is_null(cJSON_GetArrayItem(jobs, 0), "why"));
	cJSON_Delete(q);
	/* A restart: the running job goes back to the queue. */
	CHECK_INT(queue_recover(st), 1);
	CHECK_INT(queue_open_jobs(st), 2);
}

/* Boots: newest first, an unknown time (-1 when stored) reads back as null. */
static void
boots_newest_first_with_unknown_times_as_null(void)
{
	cJSON *a, *o;

	CHECK_INT(store_boot(st, "vq35", build, "power on", "ready", 8000, 12000, "/l", NULL), 0);
	CHECK_INT(store_boot(st, "vq35", -1, "recovery", "timeout", 9000, -1, "/l", "no ssh"), 0);
	a = views_boots(st, 10);
	CHECK(a && cJSON_GetArraySize(a) == 2);
	o = cJSON_GetArrayItem(a, 0);
	CHECK_STR(str(o, "why"), "recovery");
	CHECK_STR(str(o, "outcome"), "timeout");
	CHECK_INT(num(o, "console_ready_ms"), 9000);
	CHECK(is_null(o, "ready_ms"));
	CHECK(is_null(o, "build_id"));
	CHECK_STR(str(o, "error"), "no ssh");
	o = cJSON_GetArrayItem(a, 1);
	CHECK_STR(str(o, "board"), "vq35");
	CHECK_STR(str(o, "why"), "power on");
	CHECK_STR(str(o, "outcome"), "ready");
	CHECK_INT(num(o, "console_ready_ms"), 8000);
	CHECK_INT(num(o, "ready_ms"), 12000);
	CHECK_INT(num(o, "build_id"), build);
	CHECK(is_null(o, "error"));
	CHECK(str(o, "at") != NULL);
	CHECK(num(a->child, "id") > num(o, "id"));
	cJSON_Delete(a);
	/* The limit holds. */
	a = views_boots(st, 1);
	CHECK(a && cJSON_GetArraySize(a) == 1);
	cJSON_Delete(a);
}

int
main(void)
{
	populate();
	RUN(runs_newest_first_with_the_build_as_each_side_names_it);
	RUN(one_run_has_its_columns_steps_and_crashes);
	RUN(crash_groups_carry_both_titles);
	RUN(queue_counts_and_open_jobs);
	RUN(boots_newest_first_with_unknown_times_as_null);
	store_close(st);
	TEST_END();
}
