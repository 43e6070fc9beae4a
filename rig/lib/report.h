/* report: what the store says per kernel build: matrix, comparison, JUnit and KCIDB exports. */
#ifndef RIG_REPORT_H
#define RIG_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "vocab.h"

struct store;

/*
 * Everything here reads the store only (runs that are done, builds, boards), so a rigctl can
 * print it from a copy of the database as well as rigd can serve it. Builds are ordered by
 * version in Debian's order (the package version, else the "Debian X" of the reported
 * version, else the release), ties by id. A cell is one build x board x scenario: its verdict
 * is the latest kernel verdict (pass, fail, hang, crash), an error only when it has nothing
 * else; it is flaky when its kernel verdicts disagree. Errors are lab failures, never kernel
 * results: compare ignores them.
 */

/* Builds in version order, each with its registry columns and how many runs it has. */
cJSON *report_builds(struct store *s, char *err, size_t errlen);

/*
 * {"board", "columns": [{"scenario","board","key"}], "rows": [{"build","build_id","release",
 * "version","cells": [cell or null, one per column]}]}; a cell is {"verdict","title","run_id",
 * "runs","kernel_runs","flaky","counts":{"pass","fail","hang","crash","error"}}. With board,
 * only that board's runs, and builds that ran there or match its architecture.
 */
cJSON *report_matrix(struct store *s, const char *board, char *err, size_t errlen);

/*
 * One page of report_matrix, reading only the runs of the builds it shows: of its rows (oldest
 * first, as report_matrix's), the newest `builds` after skipping page * builds of them.
 * Columns are the pairs with a run in those rows. "total_builds" counts every row the whole
 * matrix has; "below" is the row just older than the page (absent on the oldest page) under
 * the same columns, so a reader can mark what changed from it. builds > 0, page >= 0.
 */
cJSON *report_matrix_page(struct store *s, const char *board, int builds, int page, char *err,
    size_t errlen);

/*
 * Where a call below fails, err says it to people and *kind (when kind is not NULL) says what it
 * was: ERROR_NO_SUCH_BUILD, ERROR_AMBIGUOUS_BUILD, ERROR_STORE, ERROR_INVALID_REQUEST or
 * ERROR_OUTPUT; left as it was for other failures.
 */

/*
 * A build named by id, name, release or image digest prefix (8+ hex digits); -1 with a message
 * when none or several match.
 */
int64_t report_build_find(struct store *s, const char *spec, char *err, size_t errlen,
    enum error_kind *kind);

/*
 * Per scenario x board of builds a and b: "regression" (pass in a, fail/hang/crash in b),
 * "fixed", "changed" (failing in both, with another verdict or title), "still-failing",
 * "still-passing", "new" (no kernel result in a), "not-run" (none in b), "flaky" (either
 * cell's outcomes disagree). {"a","b","results":[{"scenario","board","category","a","b"}],
 * "summary":{category: count}}.
 */
cJSON *report_compare(struct store *s, const char *a, const char *b, char *err, size_t errlen,
    enum error_kind *kind);

/* JUnit XML: a testsuite per build, a testcase per scenario x board (its cell's run). */
int report_junit(struct store *s, const char *build, FILE *out, char *err, size_t errlen,
    enum error_kind *kind);

/*
 * KernelCI KCIDB v5.3 JSON: a checkout and a build per kernel build, a test per finished run,
 * ids "<origin>:...", log_url file:// to the console log. origin matches ^[a-z0-9_]+$.
 */
int report_kcidb(struct store *s, const char *build, const char *origin, FILE *out, char *err,
    size_t errlen, enum error_kind *kind);

/*
 * Whether a run just ended should be run once more to confirm it: 1 when its kernel verdict
 * differs from the previous build's (version order) on the same board and scenario and it is
 * the cell's only kernel result; 0 otherwise (errors are retried by the runner, not confirmed);
 * -1 on error. Mark the repeat with store_run_repeat(s, new_run, run, "confirm").
 */
int report_should_confirm(struct store *s, int64_t run, char *err, size_t errlen);

#endif
