/* util: allocation that cannot fail silently, bounded string copies, clocks, durations. */
#include "util.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		fatal("malloc %zu", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		fatal("calloc %zu", n * size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		fatal("realloc %zu", n);
	return q;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		fatal("strdup");
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		fatal("vasprintf");
	va_end(ap);
	return s;
}

int
util_fmt(char *dst, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, len, fmt, ap);
	va_end(ap);
	return n;
}

size_t
util_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size > 0) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

int64_t
util_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
util_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
util_deadline(struct timespec *ts, clockid_t clock, int64_t ms)
{
	clock_gettime(clock, ts);
	ts->tv_sec += (time_t)(ms / 1000);
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

void
util_sleep_ms(int64_t ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

const char *
util_iso_time(int64_t wall_ms, char *buf, size_t len)
{
	time_t t = wall_ms / 1000;
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(wall_ms % 1000));
	return buf;
}

int64_t
util_duration_parse(const char *s)
{
	char *end;
	double v;
	int64_t mult;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || v < 0)
		return -1;
	if (strcmp(end, "") == 0 || strcmp(end, "s") == 0)
		mult = 1000;
	else if (strcmp(end, "ms") == 0)
		mult = 1;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		mult = 60 * 1000;
	else if (strcmp(end, "h") == 0)
		mult = 3600 * 1000;
	else if (strcmp(end, "d") == 0)
		mult = 24 * 3600 * 1000;
	else
		return -1;
	if (v * mult > 1e15)
		return -1;
	return (int64_t)(v * mult + 0.5);
}

/* One folder: made with mode (less the umask, or exactly when exact), or already there. */
static int
util_mkdir_one(const char *path, mode_t mode, int exact)
{
	if (mkdir(path, mode) == 0)
		return exact ? chmod(path, mode) : 0;
	return errno == EEXIST ? 0 : -1;
}

static int
util_mkdirs_as(const char *path, mode_t mode, int exact)
{
	char buf[4096];
	char *p;

	if (util_strlcpy(buf, path, sizeof(buf)) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (util_mkdir_one(buf, mode, exact) == -1)
			return -1;
		*p = '/';
	}
	return util_mkdir_one(buf, mode, exact);
}

int
util_mkdirs(const char *path)
{
	return util_mkdirs_as(path, 0755, 0);
}

int
util_mkdirs_mode(const char *path, mode_t mode)
{
	return util_mkdirs_as(path, mode, 1);
}

int
util_fd_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	fl = fcntl(fd, F_GETFD);
	if (fl == -1 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) == -1)
		return -1;
	return 0;
}

int
util_url_hostport(const char *url, char *addr, size_t addrlen, char *port, size_t portlen)
{
	const char *a = strstr(url, "://"), *end, *p;
	size_t n;

	if (a == NULL)
		return -1;
	a += 3;
	if (*a == '[') {
		end = strchr(++a, ']');
		p = end ? end + 1 : NULL;
	} else
		p = end = strrchr(a, ':');
	if (end == NULL || p == NULL || *p != ':' || p[1] == '\0' ||
	    (n = (size_t)(end - a)) == 0 || n >= addrlen || strlen(p + 1) >= portlen ||
	    strspn(p + 1, "0123456789") != strlen(p + 1))
		return -1;
	memcpy(addr, a, n);
	addr[n] = '\0';
	util_strlcpy(port, p + 1, portlen);
	return 0;
}

enum util_addr_scope
util_addr_scope(const char *addr)
{
	static const unsigned char any6[16], one6[16] = { [15] = 1 };
	unsigned char bin[16];

	if (inet_pton(AF_INET, addr, bin) == 1)
		return bin[0] == 127 ? UTIL_ADDR_LOOPBACK :
		    (bin[0] | bin[1] | bin[2] | bin[3]) == 0 ? UTIL_ADDR_ANY : UTIL_ADDR_NETWORK;
	if (inet_pton(AF_INET6, addr, bin) == 1)
		return memcmp(bin, one6, 16) == 0 ? UTIL_ADDR_LOOPBACK :
		    memcmp(bin, any6, 16) == 0 ? UTIL_ADDR_ANY : UTIL_ADDR_NETWORK;
	return UTIL_ADDR_INVALID;
}
