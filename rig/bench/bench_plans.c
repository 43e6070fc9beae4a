/*
 * bench_plans: the plans the engine makes for the reads that grow with the history, on a
 * filled store (store_fill), each read made by the code that makes it for rigctl and the
 * dashboard (report.c, views.c, store_*.c). Prints one line per read: its name, the engine,
 * "index" (an index finds the rows of every table that grows), "all-in-order" (a read of
 * every row, in the order of the table's key: no sort) or "SCAN" (a scan or sort an index
 * would spare), and the plan's telling line. Exits 1 when any read is SCAN. Each read's
 * statements are judged one by one, the worst is the read's.
 *   bench_plans STORE        (STORE: a SQLite file's path or a libpq URI)
 */
#include "report.h"
#include "store.h"
#include "store_int.h"
#include "views.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The plan lines of one read's statements, as the engine gave them. */
struct plans_stmt {
	char	lines[48][256];
	int	n;
};

struct plans_read {
	struct plans_stmt	st[16];
	int			n;
	char			sql[1024];	/* the last statement's text (its start) */
};

static void
plans_line(const char *sql, const char *line, void *arg)
{
	struct plans_read *p = arg;
	struct plans_stmt *st;

	if (p->n == 0 || strncmp(p->sql, sql, sizeof(p->sql) - 1) != 0) {
		if (p->n == (int)UTIL_NELEM(p->st))
			return;
		p->n++;
		util_strlcpy(p->sql, sql, sizeof(p->sql));
	}
	st = &p->st[p->n - 1];
	if (st->n < (int)UTIL_NELEM(st->lines))
		util_strlcpy(st->lines[st->n++], line, sizeof(st->lines[0]));
}

/*
 * The tables that grow with the history (runs as r) and their indexes; builds, boards and
 * hosts stay small. crashes grows with the titles seen, not the runs.
 */
static int
plans_grows(const char *line)
{
	static const char *const t[] = { "runs", "crash_reports", "crashes", "run_steps", "r" };
	const char *p;
	size_t i, n;

	for (i = 0; i < UTIL_NELEM(t); i++)
		for (p = line, n = strlen(t[i]); (p = strstr(p, t[i])) != NULL; p++)
			if ((p == line || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0' ||
			    p[n] == ')' || (p[n] == '_' && i < 4)))	/* an index of it */
				return 1;
	return 0;
}

/*
 * How one statement found its rows. SQLite: "SCAN r" reads the table (in rowid order), "SCAN
 * x USING INDEX" or "SEARCH ... USING" an index, "USE TEMP B-TREE" sorts. PostgreSQL: "Seq
 * Scan on" reads the table, "Index Scan", "Index Only Scan" and "Bitmap Index Scan" use an
 * index, "Sort" sorts. all: the read is of every row (a matrix, an export): it passes when it
 * needs no sort, or all 2: may sort (a table that grows with the titles seen, not the runs).
 * all 3: a broad read (a quarter of the runs: one of store_fill's 4 boards), whose index the
 * planner may rightly pass over for a scan: said ("broad-scan"), not failed.
 * 0 "index", 1 "all-in-order", 2 "SCAN", 3 "broad-scan"; -1 the statement reads no table that
 * grows.
 */
static int
plans_judge_stmt(const struct plans_stmt *st, int all, const char **why)
{
	const char *scan = NULL, *sort = NULL, *index = NULL;
	int i, grows = 0, v;

	for (i = 0; i < st->n; i++) {
		const char *l = st->lines[i];

		if ((strstr(l, "TEMP B-TREE") || strstr(l, "Sort  (")) && sort == NULL)
			sort = l;
		if (!plans_grows(l))
			continue;
		grows = 1;
		if (strstr(l, "Seq Scan") || (strstr(l, "SCAN ") && !strstr(l, "USING")))
			scan = scan ? scan : l;
		else if ((strstr(l, "USING") || strstr(l, "Index")) && index == NULL)
			index = l;
	}
	if (!grows)
		return -1;
	/*
	 * An index found the rows (a sort of those alone is fine: a build's runs by id), or the
	 * read is of every row and reads them in the key's order.
	 */
	if (index && !scan)
		v = 0;
	else if (all == 3)
		v = 3;
	else if (all)
		v = sort && all == 1 ? 2 : 1;
	else
		v = 2;
	if (v == 2)
		*why = scan ? scan : sort ? sort : st->lines[0];
	else
		*why = index ? index : scan ? scan : st->lines[0];
	return v;
}

static const char *
plans_judge(const struct plans_read *p, int all, const char **why)
{
	static const char *const words[] = { "index", "all-in-order", "SCAN", "broad-scan" };
	int i, v, worst = -1;

	*why = "no plan";
	for (i = 0; i < p->n; i++) {
		const char *w;

		if ((v = plans_judge_stmt(&p->st[i], all, &w)) > worst && (worst != 2 || v != 3)) {
			worst = v;
			*why = w;
		}
	}
	return worst < 0 ? "SCAN" : words[worst];
}

/* Two of store_fill's builds. */
#define BENCH_PLANS_A	"linux-image-6.1.0-1-amd64"
#define BENCH_PLANS_B	"linux-image-6.1.0-2-amd64"

static int plans_failed;

static void
plans_report(struct store *s, const char *name, int all, struct plans_read *p)
{
	const char *why, *verdict = plans_judge(p, all, &why);

	while (*why == ' ' || *why == '-' || *why == '>')
		why++;
	printf("%-30s %-10s %-13s %s\n", name, s->eng->name, verdict, why);
	if (getenv("BENCH_PLANS_ALL")) {
		int i, j;

		for (i = 0; i < p->n; i++)
			for (j = 0; j < p->st[i].n; j++)
				printf("    %s\n", p->st[i].lines[j]);
	}
	plans_failed |= strcmp(verdict, "SCAN") == 0;
	memset(p, 0, sizeof(*p));
}

static int
plans_none(const void *row, void *arg)
{
	(void)row;
	(void)arg;
	return 0;
}

static int
plans_newest(const struct store_run_row *r, void *arg)
{
	*(int64_t *)arg = r->id;
	return 1;
}

static int
plans_none_run(const struct store_run_row *r, void *arg)
{
	return plans_none(r, arg);
}

static int
plans_none_name(const char *n, void *arg)
{
	return plans_none(n, arg);
}

static int
plans_none_crash(const struct store_crash_row *c, void *arg)
{
	return plans_none(c, arg);
}

int
main(int argc, char **argv)
{
	static struct plans_read p;
	struct store_runs_filter f = { .newest_first = 1 };
	struct store *s;
	char err[512];
	cJSON *o;
	FILE *null;
	int64_t build, run;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_plans STORE\n");
		return 2;
	}
	if ((s = store_open(argv[1], err, sizeof(err))) == NULL ||
	    (null = fopen("/dev/null", "w")) == NULL) {
		fprintf(stderr, "bench_plans: %s\n", s ? "/dev/null" : err);
		return 2;
	}
	/* store_fill's: ids are not 1, 2, ... when several processes filled it at once. */
	if ((build = report_build_find(s, BENCH_PLANS_B, err, sizeof(err), NULL)) == -1) {
		fprintf(stderr, "bench_plans: %s\n", err);
		return 2;
	}
	/* The newest run: finished, with a build (what the confirm check is asked of). */
	f.limit = 1;
	if (store_runs_list(s, &f, plans_newest, &run) != 1) {
		fprintf(stderr, "bench_plans: no run in %s\n", argv[1]);
		return 2;
	}
	store_explain(s, plans_line, &p);

	/* What rigctl matrix, compare and export read (report.c). */
	cJSON_Delete(report_matrix(s, NULL, err, sizeof(err)));
	plans_report(s, "matrix", 1, &p);
	cJSON_Delete(report_matrix(s, "lab-a", err, sizeof(err)));
	plans_report(s, "matrix --board", 3, &p);
	o = report_compare(s, BENCH_PLANS_A, BENCH_PLANS_B, err, sizeof(err), NULL);
	if (o == NULL)
		fprintf(stderr, "bench_plans: compare: %s\n", err);
	cJSON_Delete(o);
	plans_report(s, "compare A B", 0, &p);
	report_junit(s, NULL, null, err, sizeof(err), NULL);
	plans_report(s, "export junit", 1, &p);
	report_kcidb(s, NULL, "rig", null, err, sizeof(err), NULL);
	plans_report(s, "export kcidb", 1, &p);
	report_kcidb(s, BENCH_PLANS_B, "rig", null, err, sizeof(err), NULL);
	plans_report(s, "export kcidb --build", 0, &p);
	report_should_confirm(s, run, err, sizeof(err));
	plans_report(s, "confirm (after each run)", 0, &p);

	/* What the dashboard's pages and the runner read (views.c, store_runs.c). */
	f.limit = 100;
	f.board = "lab-a";
	cJSON_Delete(views_runs_filtered(s, &f, VIEWS_BUILD_NAME));
	plans_report(s, "runs by board (100)", 0, &p);
	f.board = NULL;
	f.scenario = "scenario-03";
	f.limit = 500;
	cJSON_Delete(views_runs_filtered(s, &f, VIEWS_BUILD_NAME));
	plans_report(s, "runs by scenario (500)", 0, &p);
	f.board = "lab-a";
	cJSON_Delete(views_runs_filtered(s, &f, VIEWS_BUILD_NAME));
	plans_report(s, "runs by board x scenario", 0, &p);
	f.board = NULL;
	f.scenario = NULL;
	f.builds = &build;
	f.nbuilds = 1;
	f.limit = 0;
	store_runs_list(s, &f, plans_none_run, NULL);
	plans_report(s, "runs by build", 0, &p);
	{
		int64_t ms[20];

		store_run_durations(s, "lab-a", "scenario-03", 20, ms);
		plans_report(s, "run durations (estimates)", 0, &p);
	}
	cJSON_Delete(views_crash_groups(s));
	plans_report(s, "crash groups", 2, &p);
	store_crash_boards(s, "INFO: task hung in scenario-03_remove", plans_none_name, NULL);
	plans_report(s, "crash group's boards", 0, &p);
	store_run_crashes(s, run, plans_none_crash, NULL);
	plans_report(s, "a run's crashes", 0, &p);
	store_explain(s, NULL, NULL);
	fclose(null);
	store_close(s);
	return plans_failed ? 1 : 0;
}
