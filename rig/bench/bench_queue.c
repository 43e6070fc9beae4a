/*
 * bench_queue: how long one nightly-queue claim takes (queue_claim: the SELECT of the next
 * job and its UPDATE under a lease, one statement), alone and with a second host claiming from
 * the same queue at once. Prints one line per case: claims, median and 99th percentile in us.
 *   bench_queue STORE JOBS     (STORE: a SQLite file's path or a libpq URI, made empty)
 */
#include "queue.h"
#include "store.h"
#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct claimer {
	const char	*where, *host;
	int64_t		*us;
	int		 n, max;
};

static int64_t
bench_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
bench_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void *
bench_claim(void *arg)
{
	struct claimer *c = arg;
	struct queue_job job;
	char err[256];
	struct store *s = store_open(c->where, err, sizeof(err));

	if (s == NULL) {
		fprintf(stderr, "bench_queue: %s\n", err);
		exit(1);
	}
	store_set_host(s, c->host, 30000);
	for (;;) {
		int64_t t0 = bench_us();
		int rc = queue_claim(s, "bench", 0, &job);

		if (rc != 1 || c->n == c->max)
			break;
		c->us[c->n++] = bench_us() - t0;
	}
	store_close(s);
	return NULL;
}

static void
bench_case(const char *name, const char *where, int jobs, int hosts)
{
	static const char *names[] = { "a", "b" };
	struct claimer c[2];
	pthread_t t[2];
	int64_t *all = calloc((size_t)jobs * 2, sizeof(*all)), n;
	char err[256];
	struct store *s = store_open(where, err, sizeof(err));
	int i, k = 0;

	if (s == NULL || all == NULL) {
		fprintf(stderr, "bench_queue: %s\n", s ? "out of memory" : err);
		exit(1);
	}
	n = queue_nightly_new(s, 0);
	for (i = 0; i < jobs; i++)
		queue_add(s, n, 1, "bench", "i2c-unbind", 0, NULL, 0);
	for (i = 0; i < hosts; i++) {
		c[i] = (struct claimer){ where, names[i], calloc((size_t)jobs, sizeof(int64_t)), 0,
		    jobs };
		pthread_create(&t[i], NULL, bench_claim, &c[i]);
	}
	for (i = 0; i < hosts; i++) {
		pthread_join(t[i], NULL);
		for (int j = 0; j < c[i].n; j++)
			all[k++] = c[i].us[j];
		free(c[i].us);
	}
	qsort(all, (size_t)k, sizeof(*all), bench_cmp);
	printf("%-34s %6d %10lld %10lld\n", name, k, k ? (long long)all[k / 2] : 0LL,
	    k ? (long long)all[(k * 99) / 100] : 0LL);
	store_close(s);
	free(all);
}

int
main(int argc, char **argv)
{
	char name[64];
	int jobs;

	if (argc != 4) {
		fprintf(stderr, "usage: bench_queue ENGINE STORE JOBS\n");
		return 2;
	}
	jobs = atoi(argv[3]);
	snprintf(name, sizeof(name), "%s, one host", argv[1]);
	bench_case(name, argv[2], jobs, 1);
	snprintf(name, sizeof(name), "%s, two hosts at once", argv[1]);
	bench_case(name, argv[2], jobs, 2);
	return 0;
}
