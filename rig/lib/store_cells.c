/* store_cells: finished runs counted per build x board x scenario x verdict, what reports read. */
#include "store_int.h"
#include "util.h"

#include <stdint.h>

/*
 * The counting is the database's: a report of 100k runs reads a few thousand groups instead
 * of every run with its detail, stack and build columns. The latest run of each group comes
 * with its title (the join on max(id)), which is all a cell shows of it.
 */
#define STORE_CELLS_SQL(where) "SELECT g.build_id, g.board, g.scenario, g.verdict, g.n," \
	" g.last, r.title FROM (SELECT build_id, board, scenario, verdict, count(*) AS n," \
	" max(id) AS last FROM runs WHERE state=? AND verdict IS NOT NULL AND build_id>=?" \
	" AND build_id<=?" where " GROUP BY build_id, board, scenario, verdict) g" \
	" JOIN runs r ON r.id = g.last ORDER BY g.last"

static int
store_run_cells_one(struct store *s, struct store_stmt *st, void *ctx)
{
	const struct store_visit *v = ctx;
	struct store_cell_row c;

	c.build_id = store_col_int(s, st, 0);
	c.board = store_col_text(s, st, 1);
	c.scenario = store_col_text(s, st, 2);
	c.verdict = verdict_parse(store_col_text(s, st, 3));
	c.runs = store_col_int(s, st, 4);
	c.last_id = store_col_int(s, st, 5);
	c.last_title = store_col_text(s, st, 6);
	return ((store_cell_cb)v->cb)(&c, v->arg);
}

int
store_run_cells(struct store *s, int64_t build_id, const char *board, store_cell_cb cb,
    void *arg)
{
	struct store_visit v = STORE_VISIT(cb, arg);
	/* A range, not "? = 0 OR": the planner can use runs_key for one build. */
	int64_t lo = build_id > 0 ? build_id : 1, hi = build_id > 0 ? build_id : INT64_MAX;
	struct store_stmt *st;

	if (board)
		st = store_stmt(s, STORE_CELLS_SQL(" AND board=?"), "tiit",
		    run_state_name(RUN_DONE), lo, hi, board);
	else
		st = store_stmt(s, STORE_CELLS_SQL(""), "tii", run_state_name(RUN_DONE), lo, hi);
	return store_rows(s, st, store_run_cells_one, &v);
}

static int
store_run_builds_one(struct store *s, struct store_stmt *st, void *ctx)
{
	const struct store_visit *v = ctx;

	return ((store_id_cb)v->cb)(store_col_int(s, st, 0), v->arg);
}

int
store_run_builds(struct store *s, const char *board, store_id_cb cb, void *arg)
{
	struct store_visit v = STORE_VISIT(cb, arg);

	/* One probe of runs_key (build_id, board) per build: the builds are few, the runs not. */
	return store_rows(s, store_stmt(s, "SELECT b.id FROM builds b WHERE EXISTS(SELECT 1 FROM"
	    " runs r WHERE r.build_id = b.id AND r.board=? AND r.state=? AND r.verdict IS NOT"
	    " NULL) ORDER BY b.id", "tt", board, run_state_name(RUN_DONE)), store_run_builds_one,
	    &v);
}
