/* proto: framing of the control protocol between rigctl and rigd. */
#include "proto.h"
#include "util.h"
#include "vocab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
proto_buf_append(struct proto_buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
proto_buf_consume(struct proto_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

void
proto_buf_free(struct proto_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
proto_frame(struct proto_buf *b, int type, const void *payload, size_t len)
{
	unsigned char hdr[5];
	uint32_t n = (uint32_t)len + 1;

	hdr[0] = n >> 24;
	hdr[1] = n >> 16;
	hdr[2] = n >> 8;
	hdr[3] = n;
	hdr[4] = (unsigned char)type;
	proto_buf_append(b, hdr, sizeof(hdr));
	proto_buf_append(b, payload, len);
}

int
proto_take(struct proto_buf *b, size_t max, int *type, char **payload, size_t *len)
{
	const unsigned char *p = (const unsigned char *)b->data;
	uint32_t n;

	if (b->len < 4)
		return 0;
	n = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	if (n == 0 || n - 1 > max)
		return -1;
	if (b->len < 4 + (size_t)n)
		return 0;
	*type = p[4];
	*len = n - 1;
	*payload = xmalloc(n);
	memcpy(*payload, p + 5, n - 1);
	(*payload)[n - 1] = '\0';
	proto_buf_consume(b, 4 + (size_t)n);
	return 1;
}

int
proto_write_frame(int fd, int type, const void *payload, size_t len)
{
	struct proto_buf b = { 0 };
	size_t off = 0;

	proto_frame(&b, type, payload, len);
	while (off < b.len) {
		ssize_t w = write(fd, b.data + off, b.len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			proto_buf_free(&b);
			return -1;
		}
		off += (size_t)w;
	}
	proto_buf_free(&b);
	return 0;
}

int
proto_read_frame(int fd, struct proto_buf *b, size_t max, int *type, char **payload, size_t *len)
{
	char tmp[65536];

	for (;;) {
		int rc = proto_take(b, max, type, payload, len);
		ssize_t r;

		if (rc != 0)
			return rc;
		r = read(fd, tmp, sizeof(tmp));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == 0)
			return b->len ? -1 : 0;
		if (r < 0)
			return -1;
		proto_buf_append(b, tmp, (size_t)r);
	}
}

static const char *const proto_status_names[PROTO_STATUS__COUNT] = {
	[PROTO_STATUS_OK] = PROTO_OK, [PROTO_STATUS_INVALID] = PROTO_INVALID,
	[PROTO_STATUS_NOSUCH] = PROTO_NOSUCH, [PROTO_STATUS_DENIED] = PROTO_DENIED,
	[PROTO_STATUS_BUSY] = PROTO_BUSY, [PROTO_STATUS_FAILED] = PROTO_FAILED,
};

static const char *const proto_event_names[PROTO_EV__COUNT] = {
	[PROTO_EV_START] = "start", [PROTO_EV_STEP_BEGIN] = "step-begin", [PROTO_EV_STEP] = "step",
	[PROTO_EV_LOG] = "log", [PROTO_EV_RESULT] = "result",
	[PROTO_EV_SURVEY_DEVICE] = "survey-device",
};

const char *
proto_status_name(enum proto_status s)
{
	return (unsigned)s < PROTO_STATUS__COUNT ? proto_status_names[s] : "";
}

enum proto_status
proto_status_parse(const char *name)
{
	return (enum proto_status)vocab_find(proto_status_names, PROTO_STATUS__COUNT, name);
}

const char *
proto_event_name(enum proto_event e)
{
	return (unsigned)e < PROTO_EV__COUNT ? proto_event_names[e] : "";
}

enum proto_event
proto_event_parse(const char *name)
{
	return (enum proto_event)vocab_find(proto_event_names, PROTO_EV__COUNT, name);
}
