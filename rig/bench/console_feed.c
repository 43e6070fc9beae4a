/*
 * console_feed: the console-ingest benchmark's serial lines: N ptys fed at a line rate paced by
 * the wall clock, as N boards' UARTs would send, with a crash report put into one line.
 *
 *   console_feed -n N -o DIR -f TEXT [-r BYTES/S] [-s SECONDS] [-t TICK_MS]
 *                [-c CRASH -i AT_SECONDS -L LINE]
 *   console_feed -D FILE...	 (bytes and digest of files, as the feed reports them)
 *
 * Makes DIR/lineNNN, a link to each pty's board end, prints "ready", and waits for a line on
 * standard input before it feeds (the reader must hold the board end in raw mode first, or the
 * pty would echo). Each line sends TEXT (from its own offset, round and round) at the rate;
 * at AT_SECONDS line LINE sends CRASH whole, at a line boundary and at the same rate. Then it
 * prints, per line, what it sent (bytes and FNV-1a digest, to compare with the reader's log),
 * and what it could not send on time: a pty never drops bytes, it makes the writer wait, so
 * a reader that does not keep up shows as a backlog here; on a real UART that backlog, past
 * the kernel's buffer, would be bytes lost. The ptys stay open until standard input closes,
 * so the reader can drain them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FEED_FNV_INIT	0xcbf29ce484222325ULL
#define FEED_FNV_PRIME	0x100000001b3ULL

/* One serial line: its pty and what of the text it has sent. */
struct feed_line {
	int		 fd;		/* the pty's master (the board's UART side) */
	size_t		 pos;		/* next byte of the text */
	uint64_t	 sent;		/* bytes written */
	uint64_t	 fnv;		/* their FNV-1a digest */
	uint64_t	 backlog_max;	/* most bytes due and not yet written, after a tick */
	uint64_t	 full;		/* writes the pty refused (EAGAIN) */
	/* The crash report: 0 none, 1 due at the next line boundary, 2 being sent, 3 sent. */
	int		 ins_state;
	size_t		 ins_pos;
};

static char *
feed_slurp(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL) {
		fprintf(stderr, "console_feed: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	do {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			if ((buf = realloc(buf, cap)) == NULL) {
				fprintf(stderr, "console_feed: out of memory\n");
				exit(2);
			}
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	*lenp = len;
	return buf;
}

static uint64_t
feed_fnv(uint64_t h, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * FEED_FNV_PRIME;
	return h;
}

static int64_t
feed_ms(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double
feed_secs(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static int
feed_digest(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		size_t len;
		char *buf = feed_slurp(argv[i], &len);

		printf("%s %zu %016llx\n", argv[i], len,
		    (unsigned long long)feed_fnv(FEED_FNV_INIT, (unsigned char *)buf, len));
		free(buf);
	}
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: console_feed -n N -o DIR -f TEXT [-r BYTES/S] [-s SECONDS] "
	    "[-t TICK_MS] [-c CRASH -i AT_SECONDS -L LINE]\n       console_feed -D FILE...\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *dir = NULL, *textpath = NULL, *crashpath = NULL;
	double rate = 184320, secs = 10, at = -1;
	int n = 0, tick_ms = 10, inject = 0, ch, i;
	char *text, *crash = NULL, go[16];
	size_t textlen, crashlen = 0, bug_end = 0;
	int64_t bug_ms = -1, end_ms = -1;
	struct feed_line *lines;
	struct timespec t0, next, now;
	uint64_t total = 0, target, backlog_max = 0, full = 0;

	if (argc > 1 && strcmp(argv[1], "-D") == 0)
		return feed_digest(argc - 2, argv + 2);
	while ((ch = getopt(argc, argv, "c:f:i:L:n:o:r:s:t:")) != -1) {
		switch (ch) {
		case 'c': crashpath = optarg; break;
		case 'f': textpath = optarg; break;
		case 'i': at = atof(optarg); break;
		case 'L': inject = atoi(optarg); break;
		case 'n': n = atoi(optarg); break;
		case 'o': dir = optarg; break;
		case 'r': rate = atof(optarg); break;
		case 's': secs = atof(optarg); break;
		case 't': tick_ms = atoi(optarg); break;
		default: usage();
		}
	}
	if (n <= 0 || dir == NULL || textpath == NULL || rate <= 0 || secs <= 0 || tick_ms <= 0 ||
	    (crashpath && (at < 0 || inject < 0 || inject >= n)))
		usage();
	text = feed_slurp(textpath, &textlen);
	if (textlen == 0) {
		fprintf(stderr, "console_feed: %s is empty\n", textpath);
		return 2;
	}
	if (crashpath) {
		char *bug;

		crash = feed_slurp(crashpath, &crashlen);
		bug = memmem(crash, crashlen, "BUG:", 4);
		if (bug == NULL || memchr(bug, '\n', crashlen - (size_t)(bug - crash)) == NULL) {
			fprintf(stderr, "console_feed: %s: no whole BUG: line\n", crashpath);
			return 2;
		}
		bug_end = (size_t)((char *)memchr(bug, '\n', crashlen - (size_t)(bug - crash)) -
		    crash) + 1;
	}
	lines = calloc((size_t)n, sizeof(*lines));
	for (i = 0; i < n; i++) {
		char link[4096];
		const char *pts;
		struct feed_line *l = &lines[i];

		l->fd = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		if (l->fd == -1 || grantpt(l->fd) == -1 || unlockpt(l->fd) == -1 ||
		    (pts = ptsname(l->fd)) == NULL) {
			fprintf(stderr, "console_feed: pty %d of %d: %s\n", i + 1, n, strerror(errno));
			return 2;
		}
		snprintf(link, sizeof(link), "%s/line%03d", dir, i);
		unlink(link);
		if (symlink(pts, link) == -1) {
			fprintf(stderr, "console_feed: %s: %s\n", link, strerror(errno));
			return 2;
		}
		/* Each line starts elsewhere in the text, at a line's start: no two say the same. */
		l->pos = ((size_t)i * 7919u * 13u) % textlen;
		while (l->pos > 0 && text[l->pos - 1] != '\n')
			l->pos--;
		l->fnv = FEED_FNV_INIT;
	}
	printf("ready\n");
	fflush(stdout);
	if (fgets(go, sizeof(go), stdin) == NULL)
		return 0;
	target = (uint64_t)(rate * secs);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	next = t0;
	for (;;) {
		double el;
		uint64_t due;
		int done = 1;

		clock_gettime(CLOCK_MONOTONIC, &now);
		el = feed_secs(&t0, &now);
		due = (uint64_t)(el * rate);
		if (due > target)
			due = target;
		if (crash && el >= at && lines[inject].ins_state == 0)
			lines[inject].ins_state = 1;
		for (i = 0; i < n; i++) {
			struct feed_line *l = &lines[i];

			while (l->sent < due) {
				size_t want = (size_t)(due - l->sent), seg;
				const char *p;
				ssize_t w;

				if (l->ins_state == 1 && (l->pos == 0 || text[l->pos - 1] == '\n'))
					l->ins_state = 2;
				if (l->ins_state == 2) {
					p = crash + l->ins_pos;
					seg = crashlen - l->ins_pos;
				} else {
					p = text + l->pos;
					seg = textlen - l->pos;
					if (l->ins_state == 1) {
						const char *nl = memchr(p, '\n', seg);
						if (nl)
							seg = (size_t)(nl - p) + 1;
					}
				}
				if (seg > want)
					seg = want;
				w = write(l->fd, p, seg);
				if (w <= 0) {
					if (w == -1 && errno != EAGAIN && errno != EINTR) {
						fprintf(stderr, "console_feed: line %d: %s\n", i,
						    strerror(errno));
						return 2;
					}
					l->full++;
					break;
				}
				l->fnv = feed_fnv(l->fnv, (const unsigned char *)p, (size_t)w);
				l->sent += (uint64_t)w;
				if (l->ins_state == 2) {
					if (l->ins_pos < bug_end && l->ins_pos + (size_t)w >= bug_end)
						bug_ms = feed_ms(CLOCK_REALTIME);
					l->ins_pos += (size_t)w;
					if (l->ins_pos == crashlen) {
						end_ms = feed_ms(CLOCK_REALTIME);
						l->ins_state = 3;
					}
				} else {
					l->pos += (size_t)w;
					if (l->pos == textlen)
						l->pos = 0;
				}
			}
			if ((uint64_t)(el * rate) > l->sent && (uint64_t)(el * rate) - l->sent >
			    l->backlog_max)
				l->backlog_max = (uint64_t)(el * rate) - l->sent;
			if (l->sent < target)
				done = 0;
		}
		/* Past the time, a line still short has fallen behind: it gets one more second. */
		if (done || el > secs + 1)
			break;
		next.tv_nsec += (long)tick_ms * 1000000L;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		/* A tick that came late is not made up by ticks that come early: no burst. */
		if (feed_secs(&next, &now) > 0)
			next = now;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	for (i = 0; i < n; i++) {
		struct feed_line *l = &lines[i];

		total += l->sent;
		full += l->full;
		if (l->backlog_max > backlog_max)
			backlog_max = l->backlog_max;
		printf("line%03d %llu %016llx %llu %llu\n", i, (unsigned long long)l->sent,
		    (unsigned long long)l->fnv, (unsigned long long)l->backlog_max,
		    (unsigned long long)l->full);
	}
	/* The summary: what was asked, what was sent, how late the feed fell at worst. */
	printf("total lines %d secs %.3f target %llu sent %llu rate_mbs %.3f target_mbs %.3f "
	    "backlog_max %llu backlog_ms %.1f full %llu bug_ms %lld end_ms %lld\n", n,
	    feed_secs(&t0, &now), (unsigned long long)target * (unsigned long long)n,
	    (unsigned long long)total, (double)total / 1e6 / feed_secs(&t0, &now),
	    rate * n / 1e6, (unsigned long long)backlog_max, (double)backlog_max * 1000 / rate,
	    (unsigned long long)full, (long long)bug_ms, (long long)end_ms);
	fflush(stdout);
	/* The reader drains what the ptys still hold before they close. */
	while (fgets(go, sizeof(go), stdin) != NULL)
		;
	for (i = 0; i < n; i++) {
		char link[4096];

		snprintf(link, sizeof(link), "%s/line%03d", dir, i);
		unlink(link);
		close(lines[i].fd);
	}
	free(lines);
	free(text);
	free(crash);
	return 0;
}
