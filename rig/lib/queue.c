/* queue: the nightly queue of (build, board, scenario) jobs, kept in the store so it outlives rigd. */
#include "queue.h"
#include "store.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

int
queue_init(struct store *s)
{
	if (store_sql(s, NULL, "CREATE TABLE IF NOT EXISTS nightlies(id INTEGER PRIMARY KEY,"
	    " at TEXT NOT NULL, uid INTEGER)", "") == -1)
		return -1;
	if (store_sql(s, NULL, "CREATE TABLE IF NOT EXISTS queue(id INTEGER PRIMARY KEY,"
	    " nightly INTEGER, build_id INTEGER NOT NULL, board TEXT NOT NULL,"
	    " scenario TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'queued',"
	    " prio INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,"
	    " repeat_of INTEGER, why TEXT, run_id INTEGER, note TEXT, queued TEXT, started TEXT,"
	    " ended TEXT)", "") == -1)
		return -1;
	return store_sql(s, NULL, "CREATE INDEX IF NOT EXISTS queue_board ON queue(board, state)",
	    "");
}

static const char *
queue_now(char *buf, size_t len)
{
	return util_iso_time(util_wall_ms(), buf, len);
}

int64_t
queue_nightly_new(struct store *s, long uid)
{
	char now[32];
	int64_t id;

	if (store_sql(s, &id, "INSERT INTO nightlies(at, uid) VALUES(?,?)", "ti",
	    queue_now(now, sizeof(now)), (int64_t)uid) == -1)
		return -1;
	return id;
}

int64_t
queue_add(struct store *s, int64_t nightly, int64_t build_id, const char *board,
    const char *scenario, int64_t repeat_of, const char *why, int front)
{
	char now[32];
	int64_t id;

	if (store_sql(s, &id, "INSERT INTO queue(nightly, build_id, board, scenario, prio,"
	    " repeat_of, why, queued) VALUES(nullif(?,0),?,?,?,?,nullif(?,0),?,?)", "iittiitt",
	    nightly, build_id, board, scenario, (int64_t)(front ? 1 : 0), repeat_of,
	    why && *why ? why : NULL, queue_now(now, sizeof(now))) == -1)
		return -1;
	return id;
}

static int64_t
queue_int(cJSON *row, const char *key)
{
	cJSON *v = cJSON_GetObjectItem(row, key);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

static const char *
queue_text(cJSON *row, const char *key)
{
	cJSON *v = cJSON_GetObjectItem(row, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

int
queue_claim(struct store *s, const char *board, int64_t prefer_build, struct queue_job *job)
{
	char now[32], prefer[32];
	const char *p[3];
	cJSON *rows, *row;

	snprintf(prefer, sizeof(prefer), "%lld", (long long)prefer_build);
	p[0] = queue_now(now, sizeof(now));
	p[1] = board;
	p[2] = prefer;
	/* One statement: a job is claimed whole or not at all, whatever else runs meanwhile. */
	rows = store_query(s, "UPDATE queue SET state='running', attempts=attempts+1, started=?"
	    " WHERE id=(SELECT id FROM queue WHERE board=? AND state='queued'"
	    " ORDER BY prio DESC, (build_id = CAST(? AS INTEGER)) DESC, build_id, id LIMIT 1)"
	    " RETURNING id, nightly, build_id, board, scenario, attempts, repeat_of, why", p, 3);
	if (rows == NULL)
		return -1;
	row = cJSON_GetArrayItem(rows, 0);
	if (row == NULL) {
		cJSON_Delete(rows);
		return 0;
	}
	memset(job, 0, sizeof(*job));
	job->id = queue_int(row, "id");
	job->nightly = queue_int(row, "nightly");
	job->build_id = queue_int(row, "build_id");
	util_strlcpy(job->board, queue_text(row, "board"), sizeof(job->board));
	util_strlcpy(job->scenario, queue_text(row, "scenario"), sizeof(job->scenario));
	job->attempts = (int)queue_int(row, "attempts");
	job->repeat_of = queue_int(row, "repeat_of");
	util_strlcpy(job->why, queue_text(row, "why"), sizeof(job->why));
	cJSON_Delete(rows);
	return 1;
}

int
queue_set_run(struct store *s, int64_t job, int64_t run)
{
	return store_sql(s, NULL, "UPDATE queue SET run_id=? WHERE id=?", "ii", run, job);
}

int
queue_finish(struct store *s, int64_t job, const char *state, const char *note)
{
	char now[32];

	return store_sql(s, NULL, "UPDATE queue SET state=?, note=?, ended=? WHERE id=?", "ttti",
	    state, note, queue_now(now, sizeof(now)), job);
}

int
queue_retry(struct store *s, int64_t job, int64_t run, const char *note)
{
	return store_sql(s, NULL, "UPDATE queue SET state='queued', repeat_of=?, why='lab-retry',"
	    " note=?, run_id=NULL WHERE id=?", "iti", run, note, job);
}

cJSON *
queue_pending_for(struct store *s, const char *board, int64_t build_id)
{
	char b[32];
	const char *p[2] = { board, b };

	snprintf(b, sizeof(b), "%lld", (long long)build_id);
	return store_query(s, "SELECT id, scenario FROM queue WHERE board=? AND state='queued'"
	    " AND build_id=CAST(? AS INTEGER) ORDER BY id", p, 2);
}

int
queue_recover(struct store *s)
{
	char now[32];
	cJSON *rows;
	int n;

	queue_now(now, sizeof(now));
	/* Its verdict was stored: the job is done, running it again would run it twice. */
	if (store_sql(s, NULL, "UPDATE queue SET state='done', ended=?, note='finished before a"
	    " restart' WHERE state='running' AND run_id IN (SELECT id FROM runs WHERE"
	    " state='done' AND coalesce(title, '') <> 'interrupted')", "t", now) == -1)
		return -1;
	rows = store_query(s, "SELECT count(*) AS n FROM queue WHERE state='running'", NULL, 0);
	n = rows ? (int)queue_int(cJSON_GetArrayItem(rows, 0), "n") : 0;
	cJSON_Delete(rows);
	if (store_sql(s, NULL, "UPDATE queue SET state='queued', attempts=max(attempts-1, 0),"
	    " repeat_of=run_id, why=CASE WHEN run_id IS NULL THEN why ELSE 'lab-retry' END,"
	    " run_id=NULL, note='requeued after a restart' WHERE state='running'", "") == -1)
		return -1;
	return n;
}

cJSON *
queue_describe(struct store *s)
{
	cJSON *o = cJSON_CreateObject(), *counts, *jobs;

	counts = store_query(s, "SELECT state, count(*) AS n FROM queue GROUP BY state ORDER BY"
	    " state", NULL, 0);
	jobs = store_query(s, "SELECT q.id, q.nightly, b.name AS build, q.board, q.scenario,"
	    " q.state, q.attempts, q.why, q.run_id, q.note FROM queue q LEFT JOIN builds b ON"
	    " b.id = q.build_id WHERE q.state IN ('queued', 'running') ORDER BY q.state DESC,"
	    " q.prio DESC, q.id LIMIT 500", NULL, 0);
	cJSON_AddItemToObject(o, "counts", counts ? counts : cJSON_CreateArray());
	cJSON_AddItemToObject(o, "jobs", jobs ? jobs : cJSON_CreateArray());
	return o;
}

int
queue_open_jobs(struct store *s)
{
	cJSON *rows = store_query(s, "SELECT count(*) AS n FROM queue WHERE state IN ('queued',"
	    " 'running')", NULL, 0);
	int n = rows ? (int)queue_int(cJSON_GetArrayItem(rows, 0), "n") : -1;

	cJSON_Delete(rows);
	return n;
}
