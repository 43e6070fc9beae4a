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

static int
proto_clamp16(int v)
{
	return v < 1 ? 1 : v > 65535 ? 65535 : v;
}

void
proto_shell_winch(struct proto_buf *b, int cols, int rows)
{
	unsigned char p[4];

	cols = proto_clamp16(cols);
	rows = proto_clamp16(rows);
	p[0] = (unsigned char)(cols >> 8);
	p[1] = (unsigned char)cols;
	p[2] = (unsigned char)(rows >> 8);
	p[3] = (unsigned char)rows;
	proto_frame(b, PROTO_SHELL_WINCH, p, sizeof(p));
}

int
proto_shell_input(int type, const char *payload, size_t len, struct proto_shell_in *in,
    char *err, size_t errlen)
{
	const unsigned char *p = (const unsigned char *)payload;

	in->type = type;
	in->cols = in->rows = 0;
	switch (type) {
	case PROTO_SHELL_IN:
		return 0;
	case PROTO_SHELL_EOF:
		if (len == 0)
			return 0;
		util_fmt(err, errlen, "shell: an end-of-input frame ('E') is empty, not %zu bytes",
		    len);
		return -1;
	case PROTO_SHELL_WINCH:
		if (len != 4) {
			util_fmt(err, errlen, "shell: a window size frame ('W') is 4 bytes (columns,"
			    " rows), not %zu", len);
			return -1;
		}
		in->cols = p[0] << 8 | p[1];
		in->rows = p[2] << 8 | p[3];
		if (in->cols == 0 || in->rows == 0) {
			util_fmt(err, errlen, "shell: window size %dx%d: neither may be 0", in->cols,
			    in->rows);
			return -1;
		}
		return 0;
	default:
		if (type > ' ' && type < 127)
			util_fmt(err, errlen, "shell: frame type '%c' is no shell input ('I', 'W' or"
			    " 'E')", type);
		else
			util_fmt(err, errlen, "shell: frame type 0x%02x is no shell input ('I', 'W' or"
			    " 'E')", (unsigned)type & 0xff);
		return -1;
	}
}

int
proto_shell_take(struct proto_buf *b, struct proto_shell_in *in, char **data, size_t *len,
    char *err, size_t errlen)
{
	int type, rc = proto_take(b, PROTO_MAX_REQUEST, &type, data, len);

	if (rc == -1) {
		util_fmt(err, errlen, "shell: frame empty or larger than %d KiB",
		    PROTO_MAX_REQUEST / 1024);
		return -1;
	}
	if (rc == 0)
		return 0;
	if (proto_shell_input(type, *data, *len, in, err, errlen) == -1) {
		free(*data);
		*data = NULL;
		return -1;
	}
	return 1;
}

static const char *const proto_status_names[PROTO_STATUS__COUNT] = {
	[PROTO_STATUS_OK] = PROTO_OK, [PROTO_STATUS_INVALID] = PROTO_INVALID,
	[PROTO_STATUS_NOSUCH] = PROTO_NOSUCH, [PROTO_STATUS_DENIED] = PROTO_DENIED,
	[PROTO_STATUS_BUSY] = PROTO_BUSY, [PROTO_STATUS_FAILED] = PROTO_FAILED,
};

static const char *const proto_event_names[PROTO_EV__COUNT] = {
	[PROTO_EV_START] = "start", [PROTO_EV_STEP_BEGIN] = "step-begin", [PROTO_EV_STEP] = "step",
	[PROTO_EV_LOG] = "log", [PROTO_EV_RESULT] = "result",
	[PROTO_EV_SURVEY_DEVICE] = "survey-device", [PROTO_EV_STAGE] = "stage",
	[PROTO_EV_PROGRESS] = "progress",
};

static const char *const proto_stage_names[PROTO_STAGE__COUNT] = {
	[PROTO_STAGE_POWER] = "power", [PROTO_STAGE_UBOOT] = "u-boot",
	[PROTO_STAGE_KERNEL] = "kernel", [PROTO_STAGE_SSH] = "ssh", [PROTO_STAGE_READY] = "ready",
	[PROTO_STAGE_RECOVERY] = "recovery",
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

const char *
proto_stage_name(enum proto_stage s)
{
	return (unsigned)s < PROTO_STAGE__COUNT ? proto_stage_names[s] : "";
}

enum proto_stage
proto_stage_parse(const char *name)
{
	return (enum proto_stage)vocab_find(proto_stage_names, PROTO_STAGE__COUNT, name);
}
