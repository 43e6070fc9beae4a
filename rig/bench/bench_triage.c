/* bench_triage: single-core triage throughput over one big console log, fed as a console would. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "triage.h"

static void
bench_count(const struct triage_report *r, void *arg)
{
	(void)r;
	(*(long *)arg)++;
}

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	size_t chunk = 64 * 1024;
	struct stat st;
	char *buf;
	long reports = 0;
	struct triage *t;
	double t0, t1;
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_triage FILE [CHUNK]\n");
		return 2;
	}
	if (argc > 2)
		chunk = (size_t)strtoul(argv[2], NULL, 10);
	if ((fd = open(argv[1], O_RDONLY)) == -1 || fstat(fd, &st) == -1 || st.st_size == 0) {
		perror(argv[1]);
		return 2;
	}
	/* read() into one console-sized buffer: the engine's memory is what max RSS shows. */
	if ((buf = malloc(chunk)) == NULL || (t = triage_new(bench_count, &reports)) == NULL)
		return 2;
	t0 = bench_now();
	for (;;) {
		ssize_t n = read(fd, buf, chunk);
		if (n <= 0)
			break;
		triage_feed(t, buf, (size_t)n);
	}
	triage_flush(t);
	t1 = bench_now();
	triage_free(t);
	/* One line a script can read: bytes, seconds, MB/s, reports. */
	printf("%lld %.4f %.1f %ld\n", (long long)st.st_size, t1 - t0,
	    (double)st.st_size / 1e6 / (t1 - t0), reports);
	return 0;
}
