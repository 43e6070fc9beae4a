/* Reports per kernel build from a real store: matrix order, comparison, JUnit and KCIDB exports. */
#include "report.h"
#include "store.h"
#include "test.h"
#include "test_pg.h"
#include "util.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];
static struct store *st;
static int64_t b170, b176, b192;	/* builds, added out of version order */
static int64_t run_release_hang, run_mid_hang, run_error, run_flaky_hang;

static int64_t
add_run(const char *board, const char *scenario, int64_t build, const char *verdict,
    const char *title, const char *stack)
{
	struct store_run_end e = { .console_end = 4096 };
	char log[512];
	int64_t id;

	snprintf(log, sizeof(log), "%s/console/%s/boot 1.log", tmpdir, board);
	id = store_run_begin(st, board, scenario, build, 0, log, 1024);
	e.verdict = verdict_parse(verdict);
	util_strlcpy(e.title, title, sizeof(e.title));
	e.detail = "step unbind i2c: no return within 3.0s";
	e.stack = stack;
	CHECK(id > 0);
	CHECK_INT(store_run_end(st, id, &e), 0);
	return id;
}

/*
 * Three builds x three scenarios on vq35, plus one vsabre run:
 *   6.1.170-1  i2c-unbind hang   i2c-unbind-release pass           uart-unbind pass
 *   6.1.176-1  i2c-unbind hang   i2c-unbind-release error (lab)    uart-unbind pass, hang (flaky)
 *   6.1.192-2  i2c-unbind pass   i2c-unbind-release error, hang    uart-unbind crash
 *                                                        vsabre: i2c-unbind hang (new)
 */
static void
populate(void)
{
	struct store_build_info info = { .package = "linux-image-6.1.0-56-amd64",
	    .package_version = "6.1.192-2", .options = "DETECT_HUNG_TASK=y KASAN=n" };
	struct store_build b = { .name = "linux-image-6.1.0-56-amd64", .release = "6.1.0-56-amd64",
	    .version = "6.1.192-2", .arch = "amd64", .image_sha256 = "c0ffee0192",
	    .origin = "debian:linux-image-6.1.0-56-amd64=6.1.192-2" };
	const char *hung = "INFO: task hung in i2c_del_adapter";
	const char *stack = "[<0>] i2c_del_adapter+0x120/0x1b0\n[<0>] i801_remove <&> \x01\xff";
	char path[512], err[256];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rig-test-report-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		abort();
	if (test_pg_server() ? test_pg_newdb(path, sizeof(path)) == -1 :
	    snprintf(path, sizeof(path), "%s/rig.db", tmpdir) < 0)
		abort();
	st = store_open(path, err, sizeof(err));
	if (st == NULL) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	snprintf(info.image_path, sizeof(info.image_path), "%s/vmlinuz-6.1.0-56-amd64", tmpdir);
	b192 = store_build_register(st, &b, &info, NULL);
	/* Two builds as a boot records them: version is /proc/version, nothing registered. */
	b = (struct store_build){ .name = "linux-image-6.1.0-47-amd64", .release = "6.1.0-47-amd64",
	    .version = "Linux version 6.1.0-47-amd64 (debian-kernel@lists.debian.org) #1 SMP"
	    " PREEMPT_DYNAMIC Debian 6.1.170-1 (2026-01-10)", .arch = "amd64",
	    .image_sha256 = "c0ffee0170" };
	b170 = store_build_get_or_add(st, &b);
	b = (struct store_build){ .name = "linux-image-6.1.0-50-amd64", .release = "6.1.0-50-amd64",
	    .version = "Linux version 6.1.0-50-amd64 (debian-kernel@lists.debian.org) #1 SMP"
	    " PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-03-02)", .arch = "amd64",
	    .image_sha256 = "c0ffee0176" };
	b176 = store_build_get_or_add(st, &b);
	CHECK(b170 > 0 && b176 > 0 && b192 > 0);

	add_run("vq35", "i2c-unbind", b170, "hang", hung, stack);
	add_run("vq35", "i2c-unbind-release", b170, "pass", "", NULL);
	add_run("vq35", "uart-unbind", b170, "pass", "", NULL);

	run_mid_hang = add_run("vq35", "i2c-unbind", b176, "hang", hung, stack);
	run_error = add_run("vq35", "i2c-unbind-release", b176, "error", "lab: ssh failed", NULL);
	add_run("vq35", "uart-unbind", b176, "pass", "", NULL);
	run_flaky_hang = add_run("vq35", "uart-unbind", b176, "hang",
	    "INFO: task hung in uart_remove_one_port", NULL);
	CHECK_INT(store_run_repeat(st, run_flaky_hang, run_flaky_hang - 1, "confirm"), 0);

	add_run("vq35", "i2c-unbind", b192, "pass", "", NULL);
	add_run("vq35", "i2c-unbind-release", b192, "error", "lab: board did not come back", NULL);
	run_release_hang = add_run("vq35", "i2c-unbind-release", b192, "hang",
	    "INFO: task hung in <i2c_del_adapter> & \"more\"", stack);
	CHECK_INT(store_run_repeat(st, run_release_hang, run_release_hang - 1, "lab-retry"), 0);
	add_run("vq35", "uart-unbind", b192, "crash", "WARNING in refcount_warn_saturate", NULL);
	add_run("vsabre", "i2c-unbind", b192, "hang", hung, NULL);
	CHECK_INT(store_board_set(st, "vq35", "amd64", "ready", NULL), 0);
}

static const cJSON *
obj(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *
str(const cJSON *o, const char *k)
{
	const cJSON *v = obj(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double
num(const cJSON *o, const char *k)
{
	const cJSON *v = obj(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static const cJSON *
cell(const cJSON *m, int row, const char *key)
{
	const cJSON *cols = obj(m, "columns"), *c;
	int i = 0;

	cJSON_ArrayForEach(c, cols) {
		if (strcmp(str(c, "key"), key) == 0)
			return cJSON_GetArrayItem(obj(cJSON_GetArrayItem(obj(m, "rows"), row),
			    "cells"), i);
		i++;
	}
	return NULL;
}

static void
matrix_orders_builds_by_debian_version(void)
{
	char err[256];
	cJSON *m = report_matrix(st, NULL, err, sizeof(err)), *rows;

	CHECK(m != NULL);
	if (m == NULL)
		return;
	rows = cJSON_GetObjectItem(m, "rows");
	CHECK_INT(cJSON_GetArraySize(rows), 3);
	CHECK_INT(num(cJSON_GetArrayItem(rows, 0), "build_id"), b170);
	CHECK_INT(num(cJSON_GetArrayItem(rows, 1), "build_id"), b176);
	CHECK_INT(num(cJSON_GetArrayItem(rows, 2), "build_id"), b192);
	CHECK_STR(str(cJSON_GetArrayItem(rows, 0), "version"), "6.1.170-1");
	CHECK_STR(str(cJSON_GetArrayItem(rows, 2), "version"), "6.1.192-2");
	/* Two boards ran: columns say where. */
	CHECK_INT(cJSON_GetArraySize(obj(m, "columns")), 4);
	CHECK(cell(m, 0, "i2c-unbind@vq35") != NULL);
	CHECK(cJSON_IsNull(cell(m, 0, "i2c-unbind@vsabre")));
	cJSON_Delete(m);
}

static void
matrix_cell_holds_latest_kernel_verdict_counts_and_flakiness(void)
{
	char err[256];
	cJSON *m = report_matrix(st, "vq35", err, sizeof(err));
	const cJSON *c;

	CHECK(m != NULL);
	if (m == NULL)
		return;
	CHECK_INT(cJSON_GetArraySize(obj(m, "columns")), 3);
	c = cell(m, 0, "i2c-unbind");
	CHECK_STR(str(c, "verdict"), "hang");
	CHECK_STR(str(c, "title"), "INFO: task hung in i2c_del_adapter");
	CHECK(cJSON_IsFalse(obj(c, "flaky")));
	/* The error was retried: the cell's verdict is the hang, the error still counted. */
	c = cell(m, 2, "i2c-unbind-release");
	CHECK_STR(str(c, "verdict"), "hang");
	CHECK_INT(num(c, "run_id"), run_release_hang);
	CHECK_INT(num(c, "runs"), 2);
	CHECK_INT(num(obj(c, "counts"), "error"), 1);
	/* Only a lab error: shown as error, never as a kernel result. */
	c = cell(m, 1, "i2c-unbind-release");
	CHECK_STR(str(c, "verdict"), "error");
	CHECK_INT(num(c, "kernel_runs"), 0);
	/* Pass then hang on one build: flaky, with counts. */
	c = cell(m, 1, "uart-unbind");
	CHECK(cJSON_IsTrue(obj(c, "flaky")));
	CHECK_INT(num(obj(c, "counts"), "pass"), 1);
	CHECK_INT(num(obj(c, "counts"), "hang"), 1);
	cJSON_Delete(m);
}

static const char *
category(const cJSON *cmp, const char *scenario, const char *board)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, obj(cmp, "results"))
		if (strcmp(str(r, "scenario"), scenario) == 0 && strcmp(str(r, "board"), board) == 0)
			return str(r, "category");
	return "(absent)";
}

static void
compare_finds_regressions_fixes_new_and_flaky(void)
{
	char err[256];
	cJSON *c = report_compare(st, "linux-image-6.1.0-47-amd64", "6.1.0-56-amd64", err,
	    sizeof(err), NULL);

	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_STR(category(c, "i2c-unbind", "vq35"), "fixed");
	CHECK_STR(category(c, "i2c-unbind-release", "vq35"), "regression");
	CHECK_STR(category(c, "uart-unbind", "vq35"), "regression");
	CHECK_STR(category(c, "i2c-unbind", "vsabre"), "new");
	CHECK_INT(num(obj(c, "summary"), "regression"), 2);
	/* Regressions come first. */
	CHECK_STR(str(cJSON_GetArrayItem(obj(c, "results"), 0), "category"), "regression");
	cJSON_Delete(c);
}

static void
compare_ignores_lab_errors_and_reports_flaky_cells(void)
{
	char err[256], a[32], b[32];
	enum error_kind kind = ERROR_NONE;
	cJSON *c;

	snprintf(a, sizeof(a), "%lld", (long long)b170);
	snprintf(b, sizeof(b), "%lld", (long long)b176);
	c = report_compare(st, a, b, err, sizeof(err), NULL);
	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_STR(category(c, "i2c-unbind", "vq35"), "still-failing");
	CHECK_STR(category(c, "i2c-unbind-release", "vq35"), "not-run");
	CHECK_STR(category(c, "uart-unbind", "vq35"), "flaky");
	cJSON_Delete(c);
	c = report_compare(st, b, "c0ffee0192", err, sizeof(err), NULL);
	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_STR(category(c, "i2c-unbind-release", "vq35"), "new");
	CHECK_STR(category(c, "uart-unbind", "vq35"), "flaky");
	cJSON_Delete(c);
	CHECK(report_compare(st, "no-such-build", b, err, sizeof(err), &kind) == NULL);
	CHECK(strstr(err, "no-such-build") != NULL);
	/* The caller is told what failed as a kind, not a sentence to search. */
	CHECK_INT(kind, ERROR_NO_SUCH_BUILD);
	kind = ERROR_NONE;
	CHECK(report_build_find(st, "", err, sizeof(err), &kind) == -1);
	CHECK_INT(kind, ERROR_NO_SUCH_BUILD);
}

static void
differing_verdict_asks_for_confirmation_once(void)
{
	char err[256];

	/* Pass on 6.1.170 (6.1.176 had only a lab error), hang on 6.1.192: run it again. */
	CHECK_INT(report_should_confirm(st, run_release_hang, err, sizeof(err)), 1);
	/* Same hang as the build before: nothing to confirm. */
	CHECK_INT(report_should_confirm(st, run_mid_hang, err, sizeof(err)), 0);
	/* Lab errors are retried, not confirmed; a confirmation is not confirmed again. */
	CHECK_INT(report_should_confirm(st, run_error, err, sizeof(err)), 0);
	CHECK_INT(report_should_confirm(st, run_flaky_hang, err, sizeof(err)), 0);
	CHECK_INT(report_should_confirm(st, 99999, err, sizeof(err)), -1);
}

static int
run_cmd(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void
junit_is_well_formed_with_failures_and_errors(void)
{
	char path[512], cmd[2048], err[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/junit.xml", tmpdir);
	f = fopen(path, "w");
	CHECK_INT(report_junit(st, NULL, f, err, sizeof(err), NULL), 0);
	fclose(f);
	/* An independent parser: 3 suites in version order, 10 cases, failures and errors counted. */
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 - '%s' <<'EOF'\n"
	    "import sys, xml.etree.ElementTree as E\n"
	    "r = E.parse(sys.argv[1]).getroot()\n"
	    "s = r.findall('testsuite')\n"
	    "assert [x.get('name') for x in s] == ['linux-image-6.1.0-47-amd64',"
	    " 'linux-image-6.1.0-50-amd64', 'linux-image-6.1.0-56-amd64'], s\n"
	    "assert len(r.findall('.//testcase')) == 10 == int(r.get('tests'))\n"
	    "assert len(r.findall('.//failure')) == int(r.get('failures')) == 6, r.get('failures')\n"
	    "assert len(r.findall('.//error')) == int(r.get('errors')) == 1\n"
	    "f = [c for c in s[2].findall('testcase') if c.get('name') == 'i2c-unbind-release'][0]\n"
	    "m = f.find('failure').get('message')\n"
	    "assert m == 'INFO: task hung in <i2c_del_adapter> & \"more\"', m\n"
	    "assert f.find('failure').get('type') == 'hang'\n"
	    "o = f.find('system-out').text\n"
	    "assert 'console log: ' in o and 'boot 1.log' in o, o\n"
	    "EOF", path);
	CHECK_INT(run_cmd(cmd), 0);
	/* One build only. */
	f = fopen(path, "w");
	CHECK_INT(report_junit(st, "linux-image-6.1.0-50-amd64", f, err, sizeof(err), NULL), 0);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 -c \"import sys, xml.etree.ElementTree as E;"
	    " r = E.parse(sys.argv[1]).getroot(); assert len(r.findall('testsuite')) == 1;"
	    " assert int(r.get('errors')) == 1\" '%s'", path);
	CHECK_INT(run_cmd(cmd), 0);
}

static const char *
schema_path(void)
{
	const char *p = getenv("RIG_KCIDB_SCHEMA");

	return p && p[0] ? p : "../shared/corpus/kcidb/kcidb-v5.3.schema.json";
}

static void
kcidb_export_validates_against_the_v5_3_schema(void)
{
	char path[512], bad[512], cmd[2048], err[256];
	enum error_kind kind = ERROR_NONE;
	struct stat sb;
	FILE *f;
	cJSON *o, *t;
	int fails = 0, errors = 0, n = 0;
	char *text;
	long len;

	/* No schema, no proof: a missing schema fails the test rather than skipping it. */
	CHECK(stat(schema_path(), &sb) == 0);
	snprintf(path, sizeof(path), "%s/kcidb.json", tmpdir);
	f = fopen(path, "w+");
	CHECK_INT(report_kcidb(st, NULL, "rig", f, err, sizeof(err), NULL), 0);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = xcalloc(1, (size_t)len + 1);
	CHECK_INT(fread(text, 1, (size_t)len, f), len);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 -W ignore -m jsonschema -i '%s' '%s'", path,
	    schema_path());
	CHECK_INT(run_cmd(cmd), 0);
	o = cJSON_Parse(text);
	free(text);
	CHECK(o != NULL);
	if (o == NULL)
		return;
	CHECK_INT(num(obj(o, "version"), "major"), 5);
	CHECK_INT(num(obj(o, "version"), "minor"), 3);
	CHECK_INT(cJSON_GetArraySize(obj(o, "checkouts")), 3);
	CHECK_INT(cJSON_GetArraySize(obj(o, "builds")), 3);
	cJSON_ArrayForEach(t, obj(o, "tests")) {
		n++;
		fails += strcmp(str(t, "status"), "FAIL") == 0;
		errors += strcmp(str(t, "status"), "ERROR") == 0;
		CHECK(strncmp(str(t, "id"), "rig:run-", 8) == 0);
		CHECK(strncmp(str(t, "log_url"), "file:///tmp/rig-test-report-", 28) == 0);
		CHECK(strstr(str(t, "log_url"), "boot%201.log") != NULL);
		CHECK(strncmp(str(t, "path"), "rig.", 4) == 0);
	}
	CHECK_INT(n, 12);
	CHECK_INT(fails, 6);
	CHECK_INT(errors, 2);
	CHECK_STR(str(cJSON_GetArrayItem(obj(o, "builds"), 2), "id"), "rig:c0ffee0192");
	cJSON_Delete(o);

	/* The validator is not vacuous: a made-up status is refused. */
	snprintf(bad, sizeof(bad), "%s/bad.json", tmpdir);
	f = fopen(bad, "w");
	fputs("{\"version\":{\"major\":5,\"minor\":3},\"tests\":[{\"id\":\"rig:1\","
	    "\"build_id\":\"rig:b\",\"origin\":\"rig\",\"status\":\"HANG\"}]}\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 -W ignore -m jsonschema -i '%s' '%s'"
	    " >/dev/null 2>&1", bad, schema_path());
	CHECK(run_cmd(cmd) != 0);
	/* Origins the schema would refuse are refused here first. */
	f = fopen(bad, "w");
	CHECK_INT(report_kcidb(st, NULL, "Rig Lab", f, err, sizeof(err), &kind), -1);
	fclose(f);
	CHECK(strstr(err, "Rig Lab") != NULL);
	CHECK_INT(kind, ERROR_INVALID_REQUEST);
}

static void
kcidb_export_of_one_build_has_only_its_tests(void)
{
	char path[512], cmd[2400], err[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/kcidb-one.json", tmpdir);
	f = fopen(path, "w");
	CHECK_INT(report_kcidb(st, "6.1.0-50-amd64", "rig_lab", f, err, sizeof(err), NULL), 0);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 -W ignore -m jsonschema -i '%s' '%s' &&"
	    " /usr/bin/python3 -c \"import json, sys; d = json.load(open(sys.argv[1]));"
	    " assert len(d['builds']) == 1 and len(d['tests']) == 4, d;"
	    " assert all(t['build_id'] == 'rig_lab:c0ffee0176' for t in d['tests'])\" '%s'",
	    path, schema_path(), path);
	CHECK_INT(run_cmd(cmd), 0);
}

static void
builds_list_in_version_order_with_run_counts(void)
{
	char err[256];
	cJSON *b = report_builds(st, err, sizeof(err));

	CHECK(b != NULL && cJSON_GetArraySize(b) == 3);
	if (b == NULL || cJSON_GetArraySize(b) != 3) {
		cJSON_Delete(b);
		return;
	}
	CHECK_STR(str(cJSON_GetArrayItem(b, 0), "sort_version"), "6.1.170-1");
	CHECK_INT(num(cJSON_GetArrayItem(b, 1), "runs"), 4);
	CHECK_STR(str(cJSON_GetArrayItem(b, 2), "options"), "DETECT_HUNG_TASK=y KASAN=n");
	cJSON_Delete(b);
}

/*
 * An empty store (a new lab) gives empty reports, not a crash: nothing to sort is no array to
 * sort (qsort may not be given NULL, which UBSan stops on in this build).
 */
static void
empty_store_gives_empty_reports(void)
{
	char path[512], err[256];
	struct store *empty;
	enum error_kind kind = ERROR_NONE;
	cJSON *o;
	FILE *f;

	if (test_pg_server() ? test_pg_newdb(path, sizeof(path)) == -1 :
	    snprintf(path, sizeof(path), "%s/empty.db", tmpdir) < 0)
		abort();
	empty = store_open(path, err, sizeof(err));
	CHECK(empty != NULL);
	if (empty == NULL)
		return;
	o = report_builds(empty, err, sizeof(err));
	CHECK(cJSON_IsArray(o) && cJSON_GetArraySize(o) == 0);
	cJSON_Delete(o);
	o = report_matrix(empty, NULL, err, sizeof(err));
	CHECK(o != NULL && cJSON_GetArraySize(cJSON_GetObjectItem(o, "rows")) == 0);
	cJSON_Delete(o);
	o = report_matrix(empty, "vq35", err, sizeof(err));
	CHECK(o != NULL && cJSON_GetArraySize(cJSON_GetObjectItem(o, "columns")) == 0);
	cJSON_Delete(o);
	CHECK(report_compare(empty, "a", "b", err, sizeof(err), &kind) == NULL);
	CHECK_INT(kind, ERROR_NO_SUCH_BUILD);
	CHECK((f = tmpfile()) != NULL);
	if (f != NULL) {
		CHECK_INT(report_junit(empty, NULL, f, err, sizeof(err), NULL), 0);
		rewind(f);
		CHECK_INT(report_kcidb(empty, NULL, "rig", f, err, sizeof(err), NULL), 0);
		fclose(f);
	}
	CHECK(report_should_confirm(empty, 1, err, sizeof(err)) <= 0);
	store_close(empty);
}

/* The column of m keyed like col (scenario and board), -1 when m has none. */
static int
column_of(const cJSON *m, const cJSON *col)
{
	const cJSON *c;
	int i = 0;

	cJSON_ArrayForEach(c, obj(m, "columns")) {
		if (strcmp(str(c, "scenario"), str(col, "scenario")) == 0 &&
		    strcmp(str(c, "board"), str(col, "board")) == 0)
			return i;
		i++;
	}
	return -1;
}

/* Page rows [lo, hi) of whole, cell by cell under the page's columns; 1 when all agree. */
static int
page_matches(const cJSON *whole, const cJSON *page, int lo, int hi)
{
	const cJSON *wrows = obj(whole, "rows"), *prow, *col, *wc;
	int r = lo, ok = 1, k, n = 0;

	cJSON_ArrayForEach(prow, obj(page, "rows")) {
		const cJSON *wrow = cJSON_GetArrayItem(wrows, r++);

		ok &= num(prow, "build_id") == num(wrow, "build_id");
		k = 0;
		cJSON_ArrayForEach(col, obj(page, "columns"))
			ok &= cJSON_Compare(cJSON_GetArrayItem(obj(prow, "cells"), k++),
			    cJSON_GetArrayItem(obj(wrow, "cells"), column_of(whole, col)), 1);
		/* A column the page left out has nothing in these rows. */
		k = 0;
		cJSON_ArrayForEach(wc, obj(whole, "columns")) {
			ok &= column_of(page, wc) >= 0 ||
			    cJSON_IsNull(cJSON_GetArrayItem(obj(wrow, "cells"), k));
			k++;
		}
		n++;
	}
	return ok && n == hi - lo;
}

/*
 * A page of the matrix reads only its builds' runs and says what the whole matrix says of
 * them: the same rows, cells and counts, and the row below for marking changes.
 */
static void
matrix_page_is_a_slice_of_the_whole_matrix(void)
{
	static const char *const boards[] = { NULL, "vq35", "vsabre" };
	char err[256];
	size_t b;
	int n, page;

	for (b = 0; b < UTIL_NELEM(boards); b++) {
		cJSON *whole = report_matrix(st, boards[b], err, sizeof(err));
		int total = cJSON_GetArraySize(obj(whole, "rows"));

		CHECK(whole != NULL && total > 0);
		for (n = 1; n <= 4; n++)
			for (page = 0; page * n <= total; page++) {
				cJSON *m = report_matrix_page(st, boards[b], n, page, err,
				    sizeof(err));
				int hi = total - page * n, lo = hi - n < 0 ? 0 : hi - n;

				CHECK(m != NULL);
				if (m == NULL)
					continue;
				CHECK_INT(num(m, "total_builds"), total);
				if (!page_matches(whole, m, lo, hi)) {
					char *t = cJSON_PrintUnformatted(m);

					fprintf(stderr, "board %s, %d builds, page %d: %s\n",
					    boards[b] ? boards[b] : "(all)", n, page, t);
					free(t);
					CHECK(!"the page is the whole matrix's rows");
				}
				/* The row below: the whole's row before the page's first. */
				if (lo > 0 && hi > lo)
					CHECK_INT(num(obj(m, "below"), "build_id"), num(
					    cJSON_GetArrayItem(obj(whole, "rows"), lo - 1), "build_id"));
				else
					CHECK(obj(m, "below") == NULL);
				cJSON_Delete(m);
			}
		cJSON_Delete(whole);
	}
}

/* Both builds crash, in different places: compare says it changed (the MTD fix on vsabre). */
static void
compare_tells_a_different_failure_from_the_same(void)
{
	char err[256], a[32], b[32];
	cJSON *c, *r;

	add_run("vsabre", "mtd-unbind", b176, "crash",
	    "BUG: unable to handle kernel paging request in mtd_proc_show", NULL);
	add_run("vsabre", "mtd-unbind", b192, "crash",
	    "BUG: unable to handle kernel paging request in mtd_read_oob", NULL);
	snprintf(a, sizeof(a), "%lld", (long long)b176);
	snprintf(b, sizeof(b), "%lld", (long long)b192);
	c = report_compare(st, a, b, err, sizeof(err), NULL);
	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_STR(category(c, "mtd-unbind", "vsabre"), "changed");
	CHECK_INT(num(obj(c, "summary"), "changed"), 1);
	cJSON_ArrayForEach(r, obj(c, "results"))
		if (strcmp(str(r, "scenario"), "mtd-unbind") == 0)
			CHECK_HAS(str(obj(r, "b"), "title"), "mtd_read_oob");
	/* The same title on both (i2c-unbind hangs in 6.1.170 and 6.1.176): still failing. */
	cJSON_Delete(c);
	snprintf(a, sizeof(a), "%lld", (long long)b170);
	snprintf(b, sizeof(b), "%lld", (long long)b176);
	c = report_compare(st, a, b, err, sizeof(err), NULL);
	CHECK(c != NULL);
	if (c != NULL)
		CHECK_STR(category(c, "i2c-unbind", "vq35"), "still-failing");
	cJSON_Delete(c);
}

int
main(void)
{
	populate();
	RUN(matrix_orders_builds_by_debian_version);
	RUN(matrix_cell_holds_latest_kernel_verdict_counts_and_flakiness);
	RUN(matrix_page_is_a_slice_of_the_whole_matrix);
	RUN(compare_finds_regressions_fixes_new_and_flaky);
	RUN(compare_ignores_lab_errors_and_reports_flaky_cells);
	RUN(differing_verdict_asks_for_confirmation_once);
	RUN(junit_is_well_formed_with_failures_and_errors);
	RUN(kcidb_export_validates_against_the_v5_3_schema);
	RUN(kcidb_export_of_one_build_has_only_its_tests);
	RUN(builds_list_in_version_order_with_run_counts);
	RUN(empty_store_gives_empty_reports);
	RUN(compare_tells_a_different_failure_from_the_same);
	store_close(st);
	/* A failed run, or RIG_TEST_KEEP, leaves the store and exports to look at. */
	test_remove_dir(tmpdir);
	TEST_END();
}
