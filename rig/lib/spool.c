/* spool: writes the store could not take now, kept in order in a bounded file until it can. */
#include "spool.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The header: the magic line, then the replayed mark (bytes from the file's start, LE). */
#define SPOOL_MAGIC	"rig-spool 1\n"
#define SPOOL_HDR	32
#define SPOOL_MARK_AT	16
#define SPOOL_RECHDR	8	/* length and checksum, 32 bits each, LE */
#define SPOOL_MAX_REC	(256 * 1024)

struct spool {
	/* Everything below is under lock, but path (immutable). */
	pthread_mutex_t	 lock;
	int		 fd;
	char		*path;
	size_t		 max;
	uint64_t	 mark, end;	/* replayed up to mark; records end at end */
	int		 pending;
	uint64_t	 lost;
};

/* FNV-1a: a torn or half-written record is told from a whole one. */
static uint32_t
spool_sum(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static void
spool_le(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t
spool_get(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static int
spool_write_mark(struct spool *o)
{
	unsigned char hdr[SPOOL_HDR] = { 0 };

	memcpy(hdr, SPOOL_MAGIC, strlen(SPOOL_MAGIC));
	spool_le(hdr + SPOOL_MARK_AT, o->mark, 8);
	if (pwrite(o->fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) || fdatasync(o->fd) == -1)
		return -1;
	return 0;
}

/*
 * The record at off into *buf (its payload, NUL-terminated) and its length: 0; 1 when there
 * is no whole record there (the end, or one torn by a crash); -1 on a read error.
 */
static int
spool_read(struct spool *o, uint64_t off, char **buf, uint32_t *len)
{
	unsigned char h[SPOOL_RECHDR];
	ssize_t n = pread(o->fd, h, sizeof(h), (off_t)off);

	if (n == -1)
		return -1;
	if (n < (ssize_t)sizeof(h))
		return 1;
	*len = (uint32_t)spool_get(h, 4);
	if (*len == 0 || *len > SPOOL_MAX_REC)
		return 1;
	*buf = xmalloc((size_t)*len + 1);
	n = pread(o->fd, *buf, *len, (off_t)(off + SPOOL_RECHDR));
	if (n != (ssize_t)*len || spool_sum((unsigned char *)*buf, *len) != spool_get(h + 4, 4)) {
		free(*buf);
		*buf = NULL;
		return n == -1 ? -1 : 1;
	}
	(*buf)[*len] = '\0';
	return 0;
}

struct spool *
spool_open(const char *path, size_t max_bytes, char *err, size_t errlen)
{
	struct spool *o = xcalloc(1, sizeof(*o));
	unsigned char hdr[SPOOL_HDR];
	struct stat sb;
	ssize_t n;
	char *buf;
	uint32_t len;
	int rc;

	o->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (o->fd == -1 || fstat(o->fd, &sb) == -1) {
		util_fmt(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	o->path = xstrdup(path);
	o->max = max_bytes;
	pthread_mutex_init(&o->lock, NULL);
	n = pread(o->fd, hdr, sizeof(hdr), 0);
	if (n == 0) {
		o->mark = o->end = SPOOL_HDR;
		if (spool_write_mark(o) == -1) {
			util_fmt(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		return o;
	}
	if (n != (ssize_t)sizeof(hdr) || memcmp(hdr, SPOOL_MAGIC, strlen(SPOOL_MAGIC)) != 0) {
		/* Not ours: left as it is for someone to look at, rather than written over. */
		util_fmt(err, errlen, "%s: not a spool file (no \"%.*s\" header)", path,
		    (int)strlen(SPOOL_MAGIC) - 1, SPOOL_MAGIC);
		goto fail;
	}
	o->mark = spool_get(hdr + SPOOL_MARK_AT, 8);
	if (o->mark < SPOOL_HDR || o->mark > (uint64_t)sb.st_size)
		o->mark = SPOOL_HDR;
	/* Whole records after the mark wait; a torn one (a crash mid-append) ends them. */
	for (o->end = o->mark; (rc = spool_read(o, o->end, &buf, &len)) == 0; o->pending++) {
		free(buf);
		o->end += SPOOL_RECHDR + len;
	}
	if (rc == -1 || (o->end < (uint64_t)sb.st_size && ftruncate(o->fd, (off_t)o->end) == -1)) {
		util_fmt(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	return o;
fail:
	if (o->fd != -1)
		close(o->fd);
	free(o->path);
	free(o);
	return NULL;
}

void
spool_close(struct spool *o)
{
	if (o == NULL)
		return;
	close(o->fd);
	pthread_mutex_destroy(&o->lock);
	free(o->path);
	free(o);
}

int
spool_append(struct spool *o, const struct spool_rec *r)
{
	size_t len = 0, cap = 256, k;
	char *p = xmalloc(cap), num[64];
	const char *parts[3 + SPOOL_FIELDS];
	int i, n = 0, rc = -1;

	if (r->nfields < 0 || r->nfields > SPOOL_FIELDS) {
		free(p);
		errno = EINVAL;
		return -1;
	}
	/* key, kind, at, then each field as '+' value or '-' (no value), each NUL-ended. */
	parts[n++] = r->key;
	for (i = 0; i < r->nfields; i++)
		parts[n++] = r->fields[i];
	util_fmt(num, sizeof(num), "%d %" PRId64 " %d", r->kind, r->at_ms, r->nfields);
	for (i = 0; i < n + 1; i++) {
		const char *v = i == 0 ? r->key : i == 1 ? num : parts[i - 1];
		size_t vl = v ? strlen(v) : 0;

		if (len + vl + 3 > cap) {
			cap = (len + vl + 3) * 2;
			p = xrealloc(p, cap);
		}
		if (i >= 2)
			p[len++] = v ? '+' : '-';
		memcpy(p + len, v ? v : "", vl);
		len += vl;
		p[len++] = '\0';
	}
	pthread_mutex_lock(&o->lock);
	k = SPOOL_RECHDR + len;
	if (len > SPOOL_MAX_REC || o->end - o->mark + k > o->max) {
		o->lost++;
		errno = ENOSPC;
	} else {
		unsigned char *rec = xmalloc(k);

		spool_le(rec, len, 4);
		spool_le(rec + 4, spool_sum((unsigned char *)p, len), 4);
		memcpy(rec + SPOOL_RECHDR, p, len);
		if (pwrite(o->fd, rec, k, (off_t)o->end) == (ssize_t)k && fdatasync(o->fd) == 0) {
			o->end += k;
			o->pending++;
			rc = 0;
		} else if (ftruncate(o->fd, (off_t)o->end) == -1) {
			/* The torn tail is cut off at the next open instead. */
		}
		free(rec);
	}
	pthread_mutex_unlock(&o->lock);
	free(p);
	return rc;
}

/* A record's payload as spool_append wrote it: 0, or -1 when it does not parse. */
static int
spool_decode(char *p, uint32_t len, struct spool_rec *r)
{
	char *end = p + len, *num;
	long long at;
	int i, kind, nf;

	memset(r, 0, sizeof(*r));
	r->key = p;
	p += strlen(p) + 1;
	if (p >= end)
		return -1;
	num = p;
	p += strlen(p) + 1;
	if (sscanf(num, "%d %lld %d", &kind, &at, &nf) != 3 || nf < 0 || nf > SPOOL_FIELDS)
		return -1;
	r->kind = kind;
	r->at_ms = at;
	for (i = 0; i < nf; i++) {
		if (p >= end || (*p != '+' && *p != '-'))
			return -1;
		r->fields[i] = *p == '+' ? p + 1 : NULL;
		p += strlen(p) + 1;
	}
	r->nfields = nf;
	return p <= end ? 0 : -1;
}

int
spool_replay(struct spool *o, spool_apply_fn *apply, void *arg)
{
	struct spool_rec r;
	char *buf;
	uint32_t len;
	int n = 0, rc = 0;

	pthread_mutex_lock(&o->lock);
	while (o->mark < o->end) {
		if ((rc = spool_read(o, o->mark, &buf, &len)) != 0) {
			rc = -1;	/* checked whole at open and append: the file changed under us */
			break;
		}
		if (spool_decode(buf, len, &r) == 0 && apply(&r, arg) == -1) {
			free(buf);
			rc = -1;
			break;
		}
		/* A record that does not parse is passed over: it can never be applied. */
		free(buf);
		o->mark += SPOOL_RECHDR + len;
		o->pending--;
		n++;
		if (o->mark == o->end) {
			/*
			 * All applied: the file starts over empty. Cut first: a crash between
			 * the two leaves a mark past the end, which open takes as empty.
			 */
			o->mark = o->end = SPOOL_HDR;
			if (ftruncate(o->fd, SPOOL_HDR) == -1 || spool_write_mark(o) == -1)
				rc = -1;
		} else if (spool_write_mark(o) == -1)
			rc = -1;
		if (rc == -1)
			break;
	}
	pthread_mutex_unlock(&o->lock);
	return rc == -1 ? -1 : n;
}

int
spool_pending(struct spool *o)
{
	int n;

	pthread_mutex_lock(&o->lock);
	n = o->pending;
	pthread_mutex_unlock(&o->lock);
	return n;
}

uint64_t
spool_lost(struct spool *o)
{
	uint64_t n;

	pthread_mutex_lock(&o->lock);
	n = o->lost;
	pthread_mutex_unlock(&o->lock);
	return n;
}
