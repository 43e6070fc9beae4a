/* util: allocation that cannot fail silently, bounded string copies, clocks, durations. */
#ifndef RIG_UTIL_H
#define RIG_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define UTIL_NELEM(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* snprintf for messages, where cutting a long path short is fine: says so to the compiler. */
int util_fmt(char *dst, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Copies at most size-1 bytes and always terminates; returns strlen(src) (truncation if >= size). */
size_t util_strlcpy(char *dst, const char *src, size_t size);

int64_t util_now_ms(void);   /* monotonic: deadlines and durations */
int64_t util_wall_ms(void);  /* wall clock: what is stored and shown */
/* ms from now on clock, as pthread_cond_timedwait takes it (the condition's own clock). */
void util_deadline(struct timespec *ts, clockid_t clock, int64_t ms);
void util_sleep_ms(int64_t ms);
/* ISO 8601 UTC for a wall-clock time in ms: buf of at least 32 bytes. */
const char *util_iso_time(int64_t wall_ms, char *buf, size_t len);

/*
 * "250ms", "5s", "2m", "2h", "1d" or a plain number of seconds to milliseconds.
 * Returns -1 on anything else.
 */
int64_t util_duration_parse(const char *s);

/* Creates a folder and its parents (mode 0755 less the umask); 0 or -1 with errno. */
int util_mkdirs(const char *path);
/*
 * The same, each folder it creates given mode whatever the umask: for folders other users'
 * programs must read (a TFTP server's). Folders already there are left as they are.
 */
int util_mkdirs_mode(const char *path, mode_t mode);
/* Sets O_NONBLOCK and FD_CLOEXEC. */
int util_fd_nonblock(int fd);

/*
 * "SCHEME://ADDR:PORT" (ADDR in brackets when IPv6, as a shared console's URL is written) into
 * addr and port: 0, or -1 when it has not that form or a part does not fit.
 */
int util_url_hostport(const char *url, char *addr, size_t addrlen, char *port, size_t portlen);
/* Who reaches a numeric address as written (rigctl console for another host's board). */
enum util_addr_scope {
	UTIL_ADDR_NETWORK,	/* any machine that routes to it */
	UTIL_ADDR_LOOPBACK,	/* its own machine (network namespace) only: 127.0.0.0/8, ::1 */
	UTIL_ADDR_ANY,		/* the unspecified address: every address of its machine, unnamed */
	UTIL_ADDR_INVALID,	/* no numeric address */
};
enum util_addr_scope util_addr_scope(const char *addr);

/*
 * The 16 bytes at p that are c, as bits of the result (bit i: p[i]). One vector compare and
 * mask on x86 (SSE2), for loops over text where c is too frequent for a memchr call from one to
 * the next (a colon every sixty console bytes) and too rare to look at every byte; elsewhere a
 * loop the compiler may vectorize. Take the bits with __builtin_ctz, lowest first.
 */
static inline unsigned
util_bytes16(const char *p, char c)
{
#if defined(__SSE2__)
	typedef char util_v16 __attribute__((vector_size(16)));
	util_v16 x;

	__builtin_memcpy(&x, p, 16);
	return (unsigned)__builtin_ia32_pmovmskb128(x == ((util_v16){ 0 } + c));
#else
	unsigned m = 0;

	for (unsigned i = 0; i < 16; i++)
		m |= (unsigned)(p[i] == c) << i;
	return m;
#endif
}

#endif
