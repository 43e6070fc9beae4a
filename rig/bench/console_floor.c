/*
 * console_floor: the console-ingest benchmark's floor: what reading N serial lines and logging
 * every byte costs with nothing else done (no triage, no daemon), so the table can say how much
 * of rigd's CPU is its own and how much the kernel's tty and file paths take from any reader.
 *
 *   console_floor [-m buffered|none] OUTDIR PORT...
 *
 * Each port is opened raw and non-blocking, read with poll() in sweeps like rigd's, and its
 * bytes written to OUTDIR/PORT.log in whole 4 KB blocks once 16 KB wait (-m buffered, as
 * rigd's capture does), or dropped (-m none: the tty path alone). Prints "ready" once every
 * port is open, reads until standard input closes and the ports are quiet for a second, then
 * writes OUTDIR/result.json as console_pyserial.py does: CPU ticks from ready on, per port
 * the bytes read and the error that stopped it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define FLOOR_BUF	65536
#define FLOOR_WRITE	16384
#define FLOOR_BLOCK	4096
#define FLOOR_SWEEP_MS	10

struct floor_port {
	const char	*name;
	int		 fd, log;
	size_t		 len;
	uint64_t	 bytes;
	char		 err[128];
	char		*buf;
};

static int64_t
floor_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
floor_flush(struct floor_port *p, size_t upto)
{
	size_t off = 0;

	while (off < upto) {
		ssize_t w = write(p->log, p->buf + off, upto - off);
		if (w <= 0) {
			if (w == -1 && errno == EINTR)
				continue;
			snprintf(p->err, sizeof(p->err), "write: %s", strerror(errno));
			break;
		}
		off += (size_t)w;
	}
	memmove(p->buf, p->buf + upto, p->len - upto);
	p->len -= upto;
}

int
main(int argc, char **argv)
{
	struct floor_port *ports;
	struct pollfd *pfd;
	struct rlimit rl;
	struct tms t0, t1;
	int logging = 1, ch, n, i, done = 0;
	int64_t last;
	char path[4096];
	FILE *f;

	while ((ch = getopt(argc, argv, "m:")) != -1) {
		if (ch == 'm' && strcmp(optarg, "buffered") == 0)
			logging = 1;
		else if (ch == 'm' && strcmp(optarg, "none") == 0)
			logging = 0;
		else {
			fprintf(stderr, "usage: console_floor [-m buffered|none] OUTDIR PORT...\n");
			return 2;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr, "usage: console_floor [-m buffered|none] OUTDIR PORT...\n");
		return 2;
	}
	n = argc - optind - 1;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	ports = calloc((size_t)n, sizeof(*ports));
	pfd = calloc((size_t)n + 1, sizeof(*pfd));
	if (ports == NULL || pfd == NULL)
		return 2;
	for (i = 0; i < n; i++) {
		struct floor_port *p = &ports[i];
		struct termios tio;
		const char *slash;

		p->name = argv[optind + 1 + i];
		slash = strrchr(p->name, '/');
		p->buf = malloc(FLOOR_BUF);
		p->log = -1;
		p->fd = open(p->name, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		if (p->fd == -1 || tcgetattr(p->fd, &tio) == -1) {
			snprintf(p->err, sizeof(p->err), "open: %s", strerror(errno));
			continue;
		}
		/* A pty has no line rate: raw mode is what matters (no echo, no line editing). */
		cfmakeraw(&tio);
		tcsetattr(p->fd, TCSANOW, &tio);
		snprintf(path, sizeof(path), "%s/%s.log", argv[optind], slash ? slash + 1 : p->name);
		if (logging)
			p->log = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	}
	pfd[n].fd = 0;
	pfd[n].events = POLLIN;
	printf("ready\n");
	fflush(stdout);
	times(&t0);
	last = floor_now_ms();
	/*
	 * Sweeps: a poll of every line, then a read of each ready one; when 16 or more lines
	 * had bytes, the next sweep waits until FLOOR_SWEEP_MS after this one began, as rigd's
	 * loop does (control.c, CONTROL_CONSOLE_SWEEP_MS).
	 */
	while (!done || floor_now_ms() - last < 1000) {
		int64_t start = floor_now_ms();
		int ready = 0;

		for (i = 0; i < n; i++) {
			pfd[i].fd = ports[i].err[0] ? -1 : ports[i].fd;
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)n + (done ? 0 : 1), 100) == -1 && errno != EINTR)
			break;
		if (!done && (pfd[n].revents & (POLLIN | POLLHUP))) {
			char c[64];
			if (read(0, c, sizeof(c)) <= 0)
				done = 1;
		}
		for (i = 0; i < n; i++) {
			struct floor_port *p = &ports[i];
			ssize_t r;

			if (pfd[i].fd == -1 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(p->fd, p->buf + p->len, FLOOR_BUF - p->len);
			if (r <= 0) {
				if (r == -1 && (errno == EAGAIN || errno == EINTR))
					continue;
				snprintf(p->err, sizeof(p->err), "read: %s",
				    r == 0 ? "end of file" : strerror(errno));
				continue;
			}
			last = floor_now_ms();
			ready++;
			p->bytes += (uint64_t)r;
			if (!logging)
				continue;
			p->len += (size_t)r;
			if (p->len >= FLOOR_WRITE)
				floor_flush(p, p->len & ~(size_t)(FLOOR_BLOCK - 1));
		}
		if (ready >= 16 && floor_now_ms() - start < FLOOR_SWEEP_MS) {
			struct timespec ts = { 0,
			    (long)(FLOOR_SWEEP_MS - (floor_now_ms() - start)) * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	for (i = 0; i < n; i++)
		if (ports[i].log != -1)
			floor_flush(&ports[i], ports[i].len);
	times(&t1);
	snprintf(path, sizeof(path), "%s/result.json", argv[optind]);
	if ((f = fopen(path, "w")) == NULL)
		return 2;
	fprintf(f, "{\"cpu_ticks\": %ld, \"user_ticks\": %ld, \"ports\": [",
	    (long)(t1.tms_utime + t1.tms_stime - t0.tms_utime - t0.tms_stime),
	    (long)(t1.tms_utime - t0.tms_utime));
	for (i = 0; i < n; i++) {
		const char *slash = strrchr(ports[i].name, '/');
		fprintf(f, "%s{\"port\": \"%s\", \"bytes\": %llu, \"error\": %s%s%s, \"bug_ms\": null}",
		    i ? ", " : "", slash ? slash + 1 : ports[i].name,
		    (unsigned long long)ports[i].bytes, ports[i].err[0] ? "\"" : "",
		    ports[i].err[0] ? ports[i].err : "null", ports[i].err[0] ? "\"" : "");
	}
	fprintf(f, "]}\n");
	return fclose(f) == 0 ? 0 : 2;
}
