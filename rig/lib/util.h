/* util: allocation that cannot fail silently, bounded string copies, clocks, durations. */
#ifndef RIG_UTIL_H
#define RIG_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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
 * The 16 bytes at p that are c, as 0xff bytes of w[0] (p[0..7]) and w[1] (p[8..15]); whether
 * there is any. One vector compare (SSE2, NEON), for loops over text where c is too frequent
 * for a memchr call from one to the next (a colon every sixty console bytes) and too rare to
 * look at every byte. util_byte_next takes them one at a time.
 */
static inline int
util_bytes16(const char *p, char c, uint64_t w[2])
{
	typedef char util_v16 __attribute__((vector_size(16)));
	util_v16 x, m;

	__builtin_memcpy(&x, p, 16);
	m = x == ((util_v16){ 0 } + c);
	__builtin_memcpy(w, &m, 16);
	return (w[0] | w[1]) != 0;
}

/* The place (0-7) of the first byte util_bytes16 flagged in *w (not 0), which it unflags. */
static inline unsigned
util_byte_next(uint64_t *w)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	unsigned k = (unsigned)__builtin_ctzll(*w) / 8;

	*w &= ~((uint64_t)0xff << (8 * k));
#else
	unsigned k = (unsigned)__builtin_clzll(*w) / 8;

	*w &= ~((uint64_t)0xff << (8 * (7 - k)));
#endif
	return k;
}

#endif
