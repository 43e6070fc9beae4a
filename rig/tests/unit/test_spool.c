/* The spool: writes kept in order on disk (0600, bounded) and applied to the store exactly once, a crash mid-replay included. */
#include "spool.h"
#include "store.h"
#include "test.h"
#include "test_pg.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/rig-test-spool-XXXXXX";

/* A store of its own: a new database on the tests' PostgreSQL server, else a SQLite file. */
static struct store *
new_store(char *where, size_t len)
{
	static int n;
	char err[256];
	struct store *s;

	if (test_pg_server()) {
		if (test_pg_newdb(where, len) == -1)
			abort();
	} else
		snprintf(where, len, "%s/store%d.db", dir, ++n);
	s = store_open(where, err, sizeof(err));
	if (s == NULL)
		fprintf(stderr, "%s\n", err);
	CHECK(s != NULL);
	return s;
}

static void
rec(struct spool_rec *r, char *key, size_t keylen, int i, const char *reason)
{
	memset(r, 0, sizeof(*r));
	snprintf(key, keylen, "test:%d", i);
	r->key = key;
	r->kind = 1;
	r->at_ms = 1764770400000LL + i * 1000;	/* 2025-12-03T14:00:00Z on */
	r->nfields = 4;
	r->fields[0] = "vq35";
	r->fields[1] = "OFF";
	r->fields[2] = "BOOTING";
	r->fields[3] = reason;	/* NULL kept as no value */
}

struct event {
	const char	*board, *from, *to, *reason;
};

static int
event_write(struct store *s, void *arg)
{
	const struct event *e = arg;

	return store_board_event(s, e->board, e->from, e->to, e->reason);
}

struct applier {
	struct store	*s;
	int		 seen, crash_at;	/* crash_at: _exit right after that record's commit */
	char		 reasons[16][32];
};

static int
apply_event(const struct spool_rec *r, void *arg)
{
	struct applier *a = arg;
	struct event e = { r->fields[0], r->fields[1], r->fields[2], r->fields[3] };
	int rc;

	if (r->kind != 1 || r->nfields != 4)
		return -1;
	rc = store_keyed(a->s, r->key, r->at_ms, event_write, &e);
	if (rc == -1)
		return -1;
	if (a->seen < 16)
		snprintf(a->reasons[a->seen], sizeof(a->reasons[0]), "%s",
		    r->fields[3] ? r->fields[3] : "(none)");
	a->seen++;
	if (a->crash_at && a->seen == a->crash_at)
		_exit(0);	/* committed; the spool's mark not moved: a crash */
	return 0;
}

struct counted {
	int	n;
	char	at[8][32], reason[8][32];
};

static int
count_event(const struct store_board_event_row *e, void *arg)
{
	struct counted *c = arg;

	if (c->n < 8) {
		snprintf(c->at[c->n], sizeof(c->at[0]), "%s", e->at ? e->at : "");
		snprintf(c->reason[c->n], sizeof(c->reason[0]), "%s", e->reason ? e->reason : "(none)");
	}
	c->n++;
	return 0;
}

/* Appended, closed, opened again: the same records in the same order, NULLs kept, file 0600. */
static void
records_persist_in_order_in_a_private_file(void)
{
	char path[256], key[32], where[256];
	struct spool *o;
	struct spool_rec r;
	struct applier a = { 0 };
	struct stat sb;
	int i;

	snprintf(path, sizeof(path), "%s/persist", dir);
	o = spool_open(path, 1 << 20, where, sizeof(where));
	CHECK(o != NULL);
	if (o == NULL)
		return;
	for (i = 0; i < 3; i++) {
		rec(&r, key, sizeof(key), i, i == 1 ? NULL : i == 0 ? "first" : "third");
		CHECK_INT(spool_append(o, &r), 0);
	}
	CHECK_INT(spool_pending(o), 3);
	spool_close(o);
	CHECK_INT(stat(path, &sb), 0);
	CHECK_INT(sb.st_mode & 0777, 0600);
	o = spool_open(path, 1 << 20, where, sizeof(where));
	CHECK(o != NULL);
	if (o == NULL)
		return;
	CHECK_INT(spool_pending(o), 3);
	a.s = new_store(where, sizeof(where));
	CHECK_INT(spool_replay(o, apply_event, &a), 3);
	CHECK_STR(a.reasons[0], "first");
	CHECK_STR(a.reasons[1], "(none)");
	CHECK_STR(a.reasons[2], "third");
	CHECK_INT(spool_pending(o), 0);
	CHECK_INT(spool_replay(o, apply_event, &a), 0);	/* nothing twice */
	/* Keys are kept until pruned: those applied before a time go, the rest stay. */
	CHECK_INT(store_keys_prune(a.s, util_wall_ms() - 60000), 0);
	CHECK_INT(store_keys_prune(a.s, util_wall_ms() + 60000), 3);
	CHECK_INT(store_keys_prune(a.s, util_wall_ms() + 60000), 0);
	spool_close(o);
	CHECK_INT(stat(path, &sb), 0);
	CHECK(sb.st_size <= 64);	/* emptied once all were applied */
	store_close(a.s);
}

static int
refuse_second(const struct spool_rec *r, void *arg)
{
	int *n = arg;

	(void)r;
	return ++*n == 2 ? -1 : 0;
}

/* A record the store refuses stops the replay there: it and the rest wait for the next. */
static void
a_refused_record_stops_the_replay_and_waits(void)
{
	char path[256], key[32], err[256];
	struct spool *o;
	struct spool_rec r;
	int i, n = 0;

	snprintf(path, sizeof(path), "%s/refused", dir);
	o = spool_open(path, 1 << 20, err, sizeof(err));
	CHECK(o != NULL);
	if (o == NULL)
		return;
	for (i = 0; i < 4; i++) {
		rec(&r, key, sizeof(key), i, "x");
		CHECK_INT(spool_append(o, &r), 0);
	}
	CHECK_INT(spool_replay(o, refuse_second, &n), -1);
	CHECK_INT(spool_pending(o), 3);
	n = 5;
	CHECK_INT(spool_replay(o, refuse_second, &n), 3);
	spool_close(o);
}

/*
 * A child replays and dies right after the 3rd record's commit (its mark still before it);
 * the next replay applies the rest, and the 3rd is not applied again (its key): 5 events,
 * each once, stamped when they happened.
 */
static void
a_crash_mid_replay_applies_each_record_once(void)
{
	char path[256], key[32], where[256], err[256];
	struct spool *o;
	struct spool_rec r;
	struct applier a = { 0 };
	struct counted c = { 0 };
	struct store *s;
	pid_t pid;
	int i, st = -1;

	snprintf(path, sizeof(path), "%s/crash", dir);
	o = spool_open(path, 1 << 20, err, sizeof(err));
	CHECK(o != NULL);
	if (o == NULL)
		return;
	for (i = 0; i < 5; i++) {
		char reason[16];

		snprintf(reason, sizeof(reason), "event %d", i);
		rec(&r, key, sizeof(key), i, reason);
		CHECK_INT(spool_append(o, &r), 0);
	}
	spool_close(o);
	s = new_store(where, sizeof(where));
	store_close(s);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		struct applier ca = { 0 };

		ca.crash_at = 3;
		ca.s = store_open(where, err, sizeof(err));
		o = spool_open(path, 1 << 20, err, sizeof(err));
		if (ca.s == NULL || o == NULL)
			_exit(2);
		spool_replay(o, apply_event, &ca);
		_exit(3);	/* not reached: the crash is at the 3rd */
	}
	CHECK(pid > 0);
	CHECK_INT(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	o = spool_open(path, 1 << 20, err, sizeof(err));
	CHECK(o != NULL);
	if (o == NULL)
		return;
	CHECK_INT(spool_pending(o), 3);	/* the 3rd's outcome was not seen: it waits */
	a.s = store_open(where, err, sizeof(err));
	CHECK(a.s != NULL);
	if (a.s == NULL)
		return;
	CHECK_INT(spool_replay(o, apply_event, &a), 3);
	CHECK_INT(store_board_events(a.s, 100, count_event, &c), 5);
	CHECK_INT(c.n, 5);
	for (i = 0; i < 5 && i < c.n; i++) {
		char want[16];

		snprintf(want, sizeof(want), "event %d", 4 - i);	/* newest first */
		CHECK_STR(c.reason[i], want);
	}
	CHECK_STR(c.at[4], "2025-12-03T14:00:00.000Z");	/* when it happened, not when stored */
	spool_close(o);
	store_close(a.s);
}

/* Past its bound the spool refuses (ENOSPC), counts what it lost, and takes writes again once replayed. */
static void
a_full_spool_refuses_and_counts_what_it_lost(void)
{
	char path[256], key[32], err[256];
	struct spool *o;
	struct spool_rec r;
	int i, took = 0, n = 0;

	snprintf(path, sizeof(path), "%s/full", dir);
	o = spool_open(path, 400, err, sizeof(err));
	CHECK(o != NULL);
	if (o == NULL)
		return;
	for (i = 0; i < 20; i++) {
		rec(&r, key, sizeof(key), i, "a reason of some length");
		if (spool_append(o, &r) == 0)
			took++;
		else
			CHECK_INT(errno, ENOSPC);
	}
	CHECK(took > 0 && took < 20);
	CHECK_INT(spool_pending(o), took);
	CHECK_INT(spool_lost(o), 20 - took);
	n = 100;
	CHECK_INT(spool_replay(o, refuse_second, &n), took);
	rec(&r, key, sizeof(key), 99, "after");
	CHECK_INT(spool_append(o, &r), 0);
	CHECK_INT(spool_lost(o), 20 - took);
	spool_close(o);
}

/* A record torn by a crash mid-append ends the file: the whole ones before it stay. */
static void
a_torn_tail_is_cut_off_at_open(void)
{
	char path[256], key[32], err[256];
	struct spool *o;
	struct spool_rec r;
	struct stat sb;
	int i, fd;

	snprintf(path, sizeof(path), "%s/torn", dir);
	o = spool_open(path, 1 << 20, err, sizeof(err));
	CHECK(o != NULL);
	if (o == NULL)
		return;
	for (i = 0; i < 2; i++) {
		rec(&r, key, sizeof(key), i, "whole");
		CHECK_INT(spool_append(o, &r), 0);
	}
	spool_close(o);
	CHECK_INT(stat(path, &sb), 0);
	fd = open(path, O_WRONLY);
	CHECK(fd >= 0);
	CHECK_INT(ftruncate(fd, sb.st_size - 5), 0);	/* the second loses its end */
	close(fd);
	o = spool_open(path, 1 << 20, err, sizeof(err));
	CHECK(o != NULL);
	if (o == NULL)
		return;
	CHECK_INT(spool_pending(o), 1);
	spool_close(o);
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK_INT(write(fd, "not ours", 8), 8);
	close(fd);
	o = spool_open(path, 1 << 20, err, sizeof(err));
	CHECK(o == NULL);
	CHECK_HAS(err, "not a spool file");
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	RUN(records_persist_in_order_in_a_private_file);
	RUN(a_refused_record_stops_the_replay_and_waits);
	RUN(a_crash_mid_replay_applies_each_record_once);
	RUN(a_full_spool_refuses_and_counts_what_it_lost);
	RUN(a_torn_tail_is_cut_off_at_open);
	test_remove_dir(dir);
	TEST_END();
}
