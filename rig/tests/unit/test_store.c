/* The SQLite store: builds are one row per image and report, runs never stay "running". */
#include "store.h"
#include "test.h"
#include "util.h"

#include <stdlib.h>
#include <unistd.h>

static struct store *
open_tmp(char *path, size_t len)
{
	char dir[] = "/tmp/rig-test-store-XXXXXX", err[256];
	struct store *s;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, len, "%s/rig.db", dir);
	s = store_open(path, err, sizeof(err));
	CHECK(s != NULL);
	return s;
}

static int64_t
count(struct store *s, const char *sql)
{
	cJSON *rows = store_query(s, sql, NULL, 0);
	int64_t n = -1;

	if (rows && cJSON_GetArraySize(rows) == 1)
		n = (int64_t)cJSON_GetArrayItem(cJSON_GetArrayItem(rows, 0), 0)->valuedouble;
	cJSON_Delete(rows);
	return n;
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

	a = store_build_get_or_add(s, &b);
	c = store_build_get_or_add(s, &b);
	CHECK(a > 0);
	CHECK_INT(a, c);
	util_strlcpy(b.image_sha256, "cd34", sizeof(b.image_sha256));
	CHECK(store_build_get_or_add(s, &b) != a);
	CHECK_INT(count(s, "SELECT count(*) FROM builds"), 2);
	store_close(s);
}

static void
run_left_running_is_closed_as_interrupted_on_reopen(void)
{
	char path[256], err[256];
	struct store *s = open_tmp(path, sizeof(path));
	struct store_run_end e = { .verdict = "hang", .title = "INFO: task hung in x" };
	int64_t r1, r2;

	r1 = store_run_begin(s, "vq35", "i2c-unbind", -1, 0, "/x.log", 0);
	r2 = store_run_begin(s, "vq35", "i2c-unbind", -1, 0, "/x.log", 10);
	CHECK(store_run_end(s, r1, &e) == 0);
	store_close(s);	/* rigd dies with r2 in progress */
	s = store_open(path, err, sizeof(err));
	CHECK_INT(store_runs_interrupt(s), 1);
	CHECK_INT(count(s, "SELECT count(*) FROM runs WHERE state='running'"), 0);
	CHECK_INT(count(s, "SELECT count(*) FROM runs WHERE verdict='error' AND"
	    " title='interrupted'"), 1);
	CHECK_INT(count(s, "SELECT count(*) FROM runs WHERE verdict='hang'"), 1);
	(void)r2;
	store_close(s);
}

static void
crashes_are_grouped_by_title(void)
{
	char path[256];
	struct store *s = open_tmp(path, sizeof(path));

	store_crash_add(s, -1, "vsabre", -1, "BUG: unable to handle kernel paging request in"
	    " mtd_proc_show", "bug", "mtd_proc_show", 0, "/l", 10, 20, "text");
	store_crash_add(s, -1, "vsabre", -1, "BUG: unable to handle kernel paging request in"
	    " mtd_proc_show", "bug", "mtd_proc_show", 0, "/l", 30, 40, "text");
	store_crash_add(s, -1, "vq35", -1, "WARNING in f", "warning", "f", 0, "/l", 50, 60, "t");
	CHECK_INT(count(s, "SELECT count(*) FROM crashes"), 2);
	CHECK_INT(count(s, "SELECT count FROM crashes WHERE title LIKE 'BUG%'"), 2);
	CHECK_INT(count(s, "SELECT count(*) FROM crash_reports"), 3);
	store_close(s);
}

static void
query_binds_parameters_and_reports_bad_sql(void)
{
	char path[256];
	struct store *s = open_tmp(path, sizeof(path));
	const char *p[1] = { "vq35" };
	cJSON *rows;

	store_board_set(s, "vq35", "amd64", "READY", "");
	store_board_set(s, "vq35", "amd64", "HUNG", "INFO: task hung in i2c_del_adapter");
	rows = store_query(s, "SELECT state, reason FROM boards WHERE name = ?", p, 1);
	CHECK(rows && cJSON_GetArraySize(rows) == 1);
	CHECK_STR(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 0), "state")->valuestring, "HUNG");
	cJSON_Delete(rows);
	CHECK(store_query(s, "SELECT nosuchcolumn FROM boards", NULL, 0) == NULL);
	store_close(s);
}

int
main(void)
{
	RUN(same_image_and_report_is_one_build);
	RUN(run_left_running_is_closed_as_interrupted_on_reopen);
	RUN(crashes_are_grouped_by_title);
	RUN(query_binds_parameters_and_reports_bad_sql);
	TEST_END();
}
