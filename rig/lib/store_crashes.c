/* store_crashes: crash and hang reports, and the groups they fall in (one title, one bug). */
#include "store_int.h"
#include "util.h"

int
store_crash_add(struct store *s, const struct store_crash *c)
{
	char now[32];

	store_now(now, sizeof(now));
	if (store_exec(s, "INSERT INTO crash_reports(run_id, board, build_id, title, type, frame,"
	    " corrupted, console_log, start, \"end\", text, at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
	    "ntntttitiitt", c->run, c->board, c->build_id, c->title, c->type, c->frame,
	    (int64_t)c->corrupted, c->console_log, c->start, c->end, c->text, now) == -1)
		return -1;
	/*
	 * Crashes are grouped by title across runs and builds: the title is the identity. The
	 * rig's own title joins the group the first time one is given, and stays.
	 */
	return store_exec(s, "INSERT INTO crashes(title, rig_title, type, first_seen, last_seen,"
	    " count, first_run, last_run) VALUES(?,?,?,?,?,1,?,?) ON CONFLICT(title) DO UPDATE SET"
	    " last_seen=excluded.last_seen, count=crashes.count+1,"
	    " last_run=coalesce(excluded.last_run, crashes.last_run),"
	    " rig_title=coalesce(crashes.rig_title, excluded.rig_title)", "tttttnn", c->title,
	    store_nonempty(c->rig_title), c->type, now, now, c->run, c->run);
}

static int
store_run_crashes_one(struct store *s, struct store_stmt *st, void *ctx)
{
	const struct store_visit *v = ctx;
	struct store_crash_row c;

	c.title = store_col_text(s, st, 0);
	c.type = store_col_text(s, st, 1);
	c.frame = store_col_text(s, st, 2);
	c.corrupted = (int)store_col_int(s, st, 3);
	c.start = store_col_int(s, st, 4);
	c.end = store_col_int(s, st, 5);
	return ((store_crash_cb)v->cb)(&c, v->arg);
}

int
store_run_crashes(struct store *s, int64_t run, store_crash_cb cb, void *arg)
{
	struct store_visit v = STORE_VISIT(cb, arg);
	struct store_stmt *st = store_stmt(s, "SELECT title, type, frame, corrupted, start,"
	    " \"end\" FROM crash_reports WHERE run_id=? ORDER BY id", "i", run);

	return store_rows(s, st, store_run_crashes_one, &v);
}

static int
store_crash_groups_one(struct store *s, struct store_stmt *st, void *ctx)
{
	const struct store_visit *v = ctx;
	struct store_crash_group g;

	g.title = store_col_text(s, st, 0);
	g.rig_title = store_col_text(s, st, 1);
	g.type = store_col_text(s, st, 2);
	g.count = store_col_int(s, st, 3);
	g.first_seen = store_col_text(s, st, 4);
	g.last_seen = store_col_text(s, st, 5);
	g.first_run = store_col_int(s, st, 6);
	g.last_run = store_col_int(s, st, 7);
	return ((store_crash_group_cb)v->cb)(&g, v->arg);
}

int
store_crash_groups(struct store *s, store_crash_group_cb cb, void *arg)
{
	struct store_visit v = STORE_VISIT(cb, arg);
	struct store_stmt *st = store_stmt(s, "SELECT title, rig_title, type, count, first_seen,"
	    " last_seen, first_run, last_run FROM crashes ORDER BY last_seen DESC", "");

	return store_rows(s, st, store_crash_groups_one, &v);
}

static int
store_crash_boards_one(struct store *s, struct store_stmt *st, void *ctx)
{
	const struct store_visit *v = ctx;

	return ((store_name_cb)v->cb)(store_col_text(s, st, 0), v->arg);
}

int
store_crash_boards(struct store *s, const char *title, store_name_cb cb, void *arg)
{
	struct store_visit v = STORE_VISIT(cb, arg);
	struct store_stmt *st = store_stmt(s, "SELECT DISTINCT board FROM crash_reports WHERE"
	    " title=? ORDER BY board", "t", title);

	return store_rows(s, st, store_crash_boards_one, &v);
}
