/*
 * bench_reserve: reservation requests per second through the store (store_reservation_add:
 * the overlap check and the insert in one write transaction), by one host and by two at once,
 * each host its own connection as two rigd have. Request k asks for the board from k * 10 min
 * for 25 min (a day ahead), so each meets four others: the accepted ones are a schedule
 * without overlap, the others are refused naming the one they meet. With two hosts, one
 * asks for the even windows and the other for the odd ones, at the same moment.
 * Prints one line per case: requests, accepted, refused, requests per second and the ratio to
 * the first case (SQLite, one host), measured in the same run.
 *   bench_reserve SQLITE_FILE PG_URI|- REQUESTS    (both made empty; "-": SQLite only)
 */
#include "store.h"
#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BENCH_STEP_MS	(10 * 60 * 1000)
#define BENCH_LEN_MS	(25 * 60 * 1000)

struct requester {
	const char	*where;
	int64_t		 base;		/* the first window's start */
	int		 first, step, n;	/* windows first, first + step, ... below n */
	int		 accepted, refused, failed;
};

static int64_t
bench_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void *
bench_request(void *arg)
{
	struct requester *q = arg;
	struct store_reservation conflict;
	char err[256];
	struct store *s = store_open(q->where, err, sizeof(err));
	int k;

	if (s == NULL) {
		fprintf(stderr, "bench_reserve: %s\n", err);
		exit(1);
	}
	for (k = q->first; k < q->n; k += q->step) {
		int64_t from = q->base + (int64_t)k * BENCH_STEP_MS;
		int64_t id = store_reservation_add(s, "bench", 0, from, from + BENCH_LEN_MS, "bench",
		    &conflict);

		if (id > 0)
			q->accepted++;
		else if (id == 0)
			q->refused++;
		else
			q->failed++;
	}
	store_close(s);
	return NULL;
}

/* One case, its windows where no case put any (the caller moves base a year on). */
static double
bench_case(const char *name, const char *where, int n, int hosts, int64_t base, double per_s0)
{
	struct requester q[2];
	pthread_t t[2];
	int64_t t0, us;
	int i, acc = 0, ref = 0, fail = 0;
	double per_s;

	t0 = bench_us();
	for (i = 0; i < hosts; i++) {
		q[i] = (struct requester){ where, base, i, hosts, n, 0, 0, 0 };
		pthread_create(&t[i], NULL, bench_request, &q[i]);
	}
	for (i = 0; i < hosts; i++) {
		pthread_join(t[i], NULL);
		acc += q[i].accepted;
		ref += q[i].refused;
		fail += q[i].failed;
	}
	us = bench_us() - t0;
	per_s = us > 0 ? (acc + ref) * 1e6 / (double)us : 0;
	printf("%-34s %8d %8d %8d %8.0f %7.2f%s\n", name, acc + ref, acc, ref, per_s,
	    per_s0 > 0 ? per_s / per_s0 : 1.0, fail ? "  (store errors!)" : "");
	return per_s;
}

/* An empty store made (migrated) first: the cases time requests, not the schema's creation. */
static int
bench_engine(const char *engine, const char *where, int n, int64_t base, double *per_s0)
{
	char name[64], err[256];
	struct store *s = store_open(where, err, sizeof(err));
	double one;

	if (s == NULL) {
		fprintf(stderr, "bench_reserve: %s\n", err);
		return -1;
	}
	store_close(s);
	snprintf(name, sizeof(name), "%s, one host", engine);
	one = bench_case(name, where, n, 1, base, *per_s0);
	if (*per_s0 <= 0)
		*per_s0 = one;
	snprintf(name, sizeof(name), "%s, two hosts at once", engine);
	bench_case(name, where, n, 2, base + (int64_t)366 * 24 * 3600 * 1000, *per_s0);
	return 0;
}

int
main(int argc, char **argv)
{
	int64_t base = (util_wall_ms() / 3600000 + 24) * 3600000;
	double per_s0 = 0;
	int n;

	if (argc != 4) {
		fprintf(stderr, "usage: bench_reserve SQLITE_FILE PG_URI|- REQUESTS\n");
		return 2;
	}
	n = atoi(argv[3]);
	printf("%-34s %8s %8s %8s %8s %7s\n", "case", "requests", "accepted", "refused",
	    "per s", "ratio");
	if (bench_engine("sqlite", argv[1], n, base, &per_s0) == -1)
		return 1;
	if (argv[2][0] != '-' && bench_engine("postgresql", argv[2], n, base, &per_s0) == -1)
		return 1;
	return 0;
}
