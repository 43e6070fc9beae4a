/*
 * test_pg: the store's tests on PostgreSQL. RIG_TEST_PG is the URI of a server the test run
 * started (rig/tests/pg.sh: postgresql:///rig?host=...&port=...&user=...); each store is
 * then a new, empty database of its own on it. Unset: the tests use SQLite files.
 */
#ifndef RIG_TEST_PG_H
#define RIG_TEST_PG_H

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline const char *
test_pg_server(void)
{
	const char *u = getenv("RIG_TEST_PG");

	return u && u[0] ? u : NULL;
}

static inline void
test_pg_quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* A connection of the test's own (not the store's), to db's URI; NULL after saying why. */
static inline PGconn *
test_pg_connect(const char *uri)
{
	PGconn *c = PQconnectdb(uri);

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "%s: %s", uri, PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	PQsetNoticeProcessor(c, test_pg_quiet, NULL);
	return c;
}

/* One statement on c: its status is ok (command or rows); prints the server's error if not. */
static inline int
test_pg_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;

	if (!ok)
		fprintf(stderr, "%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	return ok;
}

/* The first column of the first row of sql as an integer, -1 when there is none. */
static inline long long
test_pg_int(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	long long v = -1;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	else if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fprintf(stderr, "%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	return v;
}

/* A new empty database on the server: its URI into uri. 0, or -1 after saying why. */
static inline int
test_pg_newdb(char *uri, size_t len)
{
	static int n;
	const char *server = test_pg_server(), *q;
	char name[64], sql[128];
	PGconn *c;
	int ok;

	if (server == NULL || (c = test_pg_connect(server)) == NULL)
		return -1;
	snprintf(name, sizeof(name), "rig_t%d_%d", (int)getpid(), ++n);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	ok = test_pg_ok(c, sql);
	PQfinish(c);
	/* The server's URI names a database of its own: the new one takes its place. */
	q = strchr(server, '?');
	snprintf(uri, len, "postgresql:///%s%s", name, q ? q : "");
	return ok ? 0 : -1;
}

#endif
