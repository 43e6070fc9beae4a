/*
 * test_storebuf: a nightly job's end made while PostgreSQL is away is spooled and ends the job
 * once the connection is made again; a claim gone stale meanwhile counts as applied (the job is
 * its new claim's). On SQLite the end is written at once. rigd's storebuf.c (and storeq.c,
 * which it hands flushes to) are built in here: they are rigd's, not the library's.
 */
#include "../../rigd/storebuf.c"
#include "../../rigd/storeq.c"
#include "test.h"
#include "test_pg.h"

#include <sys/stat.h>

static char dir[] = "/tmp/rig-test-storebuf-XXXXXX";

static int
see_spooled(void)
{
	cJSON *o = cJSON_CreateObject();
	int n;

	storebuf_describe(o);
	n = cJSON_GetObjectItem(o, "store_spooled")->valueint;
	cJSON_Delete(o);
	return n;
}

/*
 * The server ends the database's connections, as its restart does; the next call of s finds
 * its connection lost. The other host's (o) is made again at once: it stands for a host that
 * came back before this one.
 */
static void
lose(struct store *s, struct store *o, const char *uri)
{
	char err[256];
	PGconn *c = test_pg_connect(uri);

	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_INT(test_pg_int(c, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
	    " WHERE datname = current_database() AND pid <> pg_backend_pid()"), 2);
	PQfinish(c);
	CHECK_INT(store_board_set(s, "vq35", "amd64", "RUNNING", NULL), -1);
	CHECK_INT(store_lost(s), 1);
	CHECK_INT(store_board_set(o, "vsabre", "armhf", "OFF", NULL), -1);
	CHECK_INT(store_reconnect(o, err, sizeof(err)), 0);
}

static int
see_state(const struct store_queue_row *q, void *arg)
{
	snprintf(arg, 64, "%s", queue_state_name(q->state));
	return 1;
}

static void
a_job_end_made_while_the_store_is_away_ends_the_job_once_it_is_back(void)
{
	char uri[256], err[256], state[64] = "";
	struct store *s, *o;
	struct queue_job a, b, ob;
	int64_t n;

	if (test_pg_newdb(uri, sizeof(uri)) == -1) {
		CHECK(0);
		return;
	}
	s = store_open(uri, err, sizeof(err));
	o = store_open(uri, err, sizeof(err));
	CHECK(s != NULL && o != NULL);
	if (s == NULL || o == NULL)
		return;
	store_set_host(s, "alpha", 60000);
	store_set_host(o, "beta", 60000);
	CHECK_INT(storebuf_start(s, dir, "alpha"), 0);
	n = queue_nightly_new(s, 0);
	CHECK(queue_add(s, n, 1, "vq35", "nap", 0, NULL, 0) > 0);
	CHECK(queue_add(s, n, 1, "vq35", "uart-unbind", 0, NULL, 0) > 0);
	CHECK_INT(queue_claim(s, "vq35", 1, &a), 1);

	/* Away: the end is spooled, not lost; written once the connection is made again. */
	lose(s, o, uri);
	storebuf_queue_end(s, "vq35", a.id, a.claim, QUEUE_DONE, "pass", 0);
	CHECK_INT(see_spooled(), 1);
	CHECK_INT(queue_open_jobs(o), 2);
	storebuf_flush(s, 1);
	CHECK_INT(store_lost(s), 0);
	CHECK_INT(see_spooled(), 0);
	CHECK_INT(queue_open_jobs(o), 1);
	CHECK(store_queue_finished(o, 10, see_state, state) != -1);
	CHECK_STR(state, "done");

	/*
	 * Away again, and meanwhile another host requeued the job and claimed it again: the
	 * spooled end of the stale claim is applied as nothing, and leaves the spool.
	 */
	CHECK_INT(queue_claim(s, "vq35", 1, &b), 1);
	lose(s, o, uri);
	storebuf_queue_end(s, "vq35", b.id, b.claim, QUEUE_QUEUED, "lab error, attempt 1", 0);
	CHECK_INT(see_spooled(), 1);
	CHECK_INT(store_queue_expire(o, util_wall_ms() + 120000), 1);
	CHECK_INT(store_queue_claim_id(o, b.id, &ob), 1);
	storebuf_flush(s, 1);
	CHECK_INT(see_spooled(), 0);
	CHECK(store_queue_open(o, 10, see_state, state) != -1);
	CHECK_STR(state, "running");	/* beta's claim, untouched */
	CHECK_INT(queue_finish(o, ob.id, ob.claim, QUEUE_DONE, "pass"), 0);
	CHECK_INT(queue_open_jobs(o), 0);
	storebuf_stop();
	store_close(o);
	store_close(s);
}

/* SQLite: no spool; the end is written at once, as ever. */
static void
a_job_end_on_sqlite_is_written_at_once(void)
{
	char path[256], err[256];
	struct store *s;
	struct queue_job a;

	snprintf(path, sizeof(path), "%s/s.db", dir);
	s = store_open(path, err, sizeof(err));
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(storebuf_start(s, dir, "alpha"), 0);
	CHECK(queue_add(s, queue_nightly_new(s, 0), 1, "vq35", "nap", 0, NULL, 0) > 0);
	CHECK_INT(queue_claim(s, "vq35", 1, &a), 1);
	storebuf_queue_end(s, "vq35", a.id, a.claim, QUEUE_ERROR, "lab: no boot", 0);
	CHECK_INT(queue_open_jobs(s), 0);
	storebuf_stop();
	store_close(s);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	if (test_pg_server())
		RUN(a_job_end_made_while_the_store_is_away_ends_the_job_once_it_is_back);
	else
		RUN(a_job_end_on_sqlite_is_written_at_once);
	for (const char *const *f = (const char *const []){ "store-spool", "s.db", "s.db-wal",
	    "s.db-shm", NULL }; *f; f++) {
		char p[300];

		snprintf(p, sizeof(p), "%s/%s", dir, *f);
		unlink(p);
	}
	rmdir(dir);
	TEST_END();
}
