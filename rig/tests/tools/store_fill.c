/*
 * store_fill: a lab's history for the tests of heavy reads: `store_fill DB RUNS` adds 30 kernel
 * builds and RUNS finished runs (4 boards x 25 scenarios, verdicts mixed) to DB through the
 * store's own calls, so the tests never write SQL or open the database themselves.
 * `store_fill DB RUNS --hostile`: the newest build's name and one crash's title are markup (a
 * packager's or a kernel's words the dashboard must show as text, never run).
 * `store_fill DB RUNS --crashes`: every hang and crash also stores its report, as rigd does,
 * their titles spread over some hundred groups (per scenario, and per build for crashes), for
 * the reads of crash groups (rig/bench/store_reads.sh).
 * `--part K/P` (with --crashes): only the runs of the scenarios whose number is K modulo P,
 * so P processes fill one PostgreSQL store at once, none waiting on another's crash groups
 * (their titles are per scenario); the runs' ids interleave, the history is the same.
 * DB is a SQLite file or a PostgreSQL URI (postgresql://...), as rigd --store takes; a
 * PostgreSQL store is analyzed at the end, as its autovacuum would soon do, so the planner
 * knows the tables' sizes.
 * `store_fill DB --hold-lock SECONDS`: another writer, for the fault tests: holds an exclusive
 * write transaction on DB for SECONDS (says "held" once it has it), then lets go, writing nothing.
 * With `stdin` for SECONDS it holds until its standard input ends: the test lets go when its
 * check is done, however many busy waits rigd took to get there.
 */
#include "store_int.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FILL_BUILDS	30
#define FILL_BOARDS	4
#define FILL_SCENARIOS	25
#define FILL_BATCH	5000	/* runs per transaction: one commit per run would take minutes */

static int
fill_exec(struct store *s, const char *sql)
{
	char err[256];

	if (s->eng->exec(s->db, sql, err, sizeof(err)) == -1) {
		fprintf(stderr, "store_fill: %s: %s\n", sql, err);
		return -1;
	}
	return 0;
}

/* --hold-lock: BEGIN EXCLUSIVE waits out rigd's own writes (the busy timeout), then holds. */
static int
fill_hold_lock(const char *db, const char *secs)
{
	struct timespec ts = { 0 };
	struct store *s;
	char err[512], buf[64];
	int until_eof = strcmp(secs, "stdin") == 0;
	long n = until_eof ? 1 : strtol(secs, NULL, 10);
	ssize_t got;

	if (n <= 0) {
		fprintf(stderr, "usage: store_fill DB --hold-lock SECONDS|stdin\n");
		return 2;
	}
	if ((s = store_open(db, err, sizeof(err))) == NULL) {
		fprintf(stderr, "store_fill: %s\n", err);
		return 1;
	}
	if (fill_exec(s, "BEGIN EXCLUSIVE") == -1)
		return 1;
	printf("held\n");
	fflush(stdout);
	if (until_eof) {
		while ((got = read(STDIN_FILENO, buf, sizeof(buf))) != 0)
			if (got == -1 && errno != EINTR)
				break;
	} else {
		ts.tv_sec = n;
		while (nanosleep(&ts, &ts) == -1)
			;
	}
	if (fill_exec(s, "ROLLBACK") == -1)
		return 1;
	store_close(s);
	return 0;
}

int
main(int argc, char **argv)
{
	static const char *const boards[FILL_BOARDS] = { "vq35", "lab-a", "lab-b", "lab-c" };
	int64_t builds[FILL_BUILDS];
	struct store *s;
	char err[512], log[128];
	long i, n = 0, done = 0, part = 0, parts = 1;
	int a, hostile = 0, crashes = 0, open = 0;
	char *end;

	if (argc == 4 && strcmp(argv[2], "--hold-lock") == 0)
		return fill_hold_lock(argv[1], argv[3]);
	for (a = 3; a < argc; a++) {
		if (strcmp(argv[a], "--hostile") == 0)
			hostile = 1;
		else if (strcmp(argv[a], "--crashes") == 0)
			crashes = 1;
		else if (strcmp(argv[a], "--part") == 0 && a + 1 < argc) {
			part = strtol(argv[++a], &end, 10);
			parts = *end == '/' ? strtol(end + 1, &end, 10) : 0;
			if (*end != '\0' || parts < 1 || part < 0 || part >= parts)
				break;
		} else
			break;
	}
	if (argc < 3 || a < argc || (n = strtol(argv[2], NULL, 10)) <= 0 ||
	    (parts > 1 && (!crashes || hostile))) {
		fprintf(stderr, "usage: store_fill DB RUNS [--hostile] [--crashes [--part K/P]]\n"
		    "       store_fill DB --hold-lock SECONDS|stdin\n");
		return 2;
	}
	if ((s = store_open(argv[1], err, sizeof(err))) == NULL) {
		fprintf(stderr, "store_fill: %s\n", err);
		return 1;
	}
	for (i = 0; i < FILL_BUILDS; i++) {
		struct store_build b = { .arch = "amd64" };

		util_fmt(b.name, sizeof(b.name), "linux-image-6.1.0-%ld-amd64", i + 1);
		if (hostile && i == FILL_BUILDS - 1)
			util_strlcpy(b.name, "<script>document.title='pwned'</script>",
			    sizeof(b.name));
		util_fmt(b.release, sizeof(b.release), "6.1.0-%ld-amd64", i + 1);
		/* Registered out of version order (7 and FILL_BUILDS share no factor): the pages
		 * must order by version, not by id or by when a build ran. */
		util_fmt(b.version, sizeof(b.version), "#1 SMP PREEMPT_DYNAMIC Debian 6.1.%ld-1",
		    100 + (i * 7) % FILL_BUILDS);
		util_fmt(b.image_sha256, sizeof(b.image_sha256), "%064ld", 1000 + i);
		util_fmt(b.origin, sizeof(b.origin), "debian:%s=6.1.%ld-1", b.name,
		    100 + (i * 7) % FILL_BUILDS);
		if ((builds[i] = store_build_get_or_add(s, &b)) <= 0) {
			fprintf(stderr, "store_fill: build %ld not added\n", i);
			return 1;
		}
	}
	for (i = 0; i < n; i++) {
		struct store_run_end e = { .verdict = VERDICT_PASS, .detail = "", .stack = "" };
		const char *board = boards[i % FILL_BOARDS];
		char scenario[64];
		int64_t run;

		if ((i / FILL_BOARDS) % FILL_SCENARIOS % parts != part)
			continue;	/* another part's scenario */
		if (!open) {
			if (fill_exec(s, "BEGIN") == -1)
				return 1;
			open = 1;
		}
		util_fmt(scenario, sizeof(scenario), "scenario-%02ld", (i / FILL_BOARDS) %
		    FILL_SCENARIOS);
		util_fmt(log, sizeof(log), "/var/lib/rig/console/%s.log", board);
		run = store_run_begin(s, board, scenario, builds[(i / 100) % FILL_BUILDS], 0, log,
		    i * 100);
		/* Mostly passes; some hangs and crashes with their words, as a lab's nights have. */
		if (i % 7 == 3) {
			e.verdict = VERDICT_HANG;
			util_strlcpy(e.title, "INFO: task hung in i2c_del_adapter", sizeof(e.title));
			if (crashes)
				util_fmt(e.title, sizeof(e.title), "INFO: task hung in %s_remove",
				    scenario);
			e.detail = "step 3 (unbind) blocked for 120 s";
			e.stack = "__schedule+0x2e0/0x880\nschedule+0x5a/0xd0\ni2c_del_adapter+0x1c0";
		} else if (i % 13 == 5) {
			e.verdict = VERDICT_CRASH;
			util_strlcpy(e.title, "KASAN: use-after-free Read in uart_remove_one_port",
			    sizeof(e.title));
			if (crashes)
				util_fmt(e.title, sizeof(e.title), "KASAN: use-after-free Read in"
				    " %s_port_%ld", scenario, (i / 100) % FILL_BUILDS);
		} else if (i % 101 == 7)
			e.verdict = VERDICT_ERROR;
		e.console_end = i * 100 + 90;
		if (run <= 0 || store_run_end(s, run, &e) == -1) {
			fprintf(stderr, "store_fill: run %ld not stored\n", i);
			return 1;
		}
		if (crashes && (e.verdict == VERDICT_HANG || e.verdict == VERDICT_CRASH)) {
			struct store_crash c = { .run = run, .board = board,
			    .build_id = builds[(i / 100) % FILL_BUILDS], .title = e.title,
			    .type = e.verdict == VERDICT_HANG ? "hang" : "crash",
			    .frame = "remove", .console_log = log, .start = i * 100,
			    .end = i * 100 + 90, .text = e.stack };

			if (store_crash_add(s, &c) == -1) {
				fprintf(stderr, "store_fill: crash of run %ld not stored\n", i);
				return 1;
			}
		}
		if (hostile && i == n - 1) {
			struct store_crash c = { .run = run, .board = board,
			    .build_id = builds[(i / 100) % FILL_BUILDS],
			    .title = "BUG: <img src=x onerror=\"document.title='pwned'\"> in probe",
			    .type = "crash", .frame = "probe", .console_log = log, .start = i * 100,
			    .end = i * 100 + 90, .text = "" };

			if (store_crash_add(s, &c) == -1) {
				fprintf(stderr, "store_fill: crash not stored\n");
				return 1;
			}
		}
		if (++done % FILL_BATCH == 0) {
			if (fill_exec(s, "COMMIT") == -1)
				return 1;
			open = 0;
		}
	}
	if (open && fill_exec(s, "COMMIT") == -1)
		return 1;
	if (store_is_uri(argv[1]) && fill_exec(s, "ANALYZE") == -1)
		return 1;
	store_close(s);
	printf("%ld runs of %d builds in %s\n", done, FILL_BUILDS, argv[1]);
	return 0;
}
