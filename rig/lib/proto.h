/*
 * proto: the control protocol between rigctl and rigd, shared by both sides.
 *
 * A frame is a 4-byte big-endian length (of what follows), a 1-byte type and a payload.
 * Requests and replies are JSON objects ('J'); live console bytes travel raw ('C').
 * Every request carries "v": PROTO_VERSION and "cmd"; the daemon answers a request with any
 * number of event objects ("type": "step", "log", "state", "item") and exactly one final
 * object whose "type" is "result" with "status" (PROTO_OK, PROTO_DENIED, ...) and, on
 * failure, "error". A version bump marks any incompatible change.
 */
#ifndef RIG_PROTO_H
#define RIG_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION		1
#define PROTO_MAX_REQUEST	(64 * 1024)	/* what rigd accepts from a client */
#define PROTO_MAX_FRAME		(8 * 1024 * 1024)	/* what rigctl accepts from rigd */

#define PROTO_JSON	'J'
#define PROTO_CONSOLE	'C'

/* Result codes, in "status" of the final message. */
#define PROTO_OK	"ok"
#define PROTO_INVALID	"invalid"	/* malformed request */
#define PROTO_NOSUCH	"nosuch"	/* no such board, scenario, run */
#define PROTO_DENIED	"denied"	/* not allowed for this uid */
#define PROTO_BUSY	"busy"		/* board reserved, in FAULT, or shutting down */
#define PROTO_FAILED	"failed"	/* the rig could not do it */

struct proto_buf {
	char	*data;
	size_t	 len, cap;
};
void proto_buf_append(struct proto_buf *b, const void *p, size_t n);
void proto_buf_consume(struct proto_buf *b, size_t n);
void proto_buf_free(struct proto_buf *b);

/* Appends one frame to b. */
void proto_frame(struct proto_buf *b, int type, const void *payload, size_t len);

/*
 * Takes the first complete frame from b: returns 1 with *type, a malloc'd NUL-terminated copy
 * of the payload in *payload and its length; 0 when more bytes are needed; -1 when the frame
 * announced is longer than max or empty (the stream cannot be trusted after that).
 */
int proto_take(struct proto_buf *b, size_t max, int *type, char **payload, size_t *len);

/* Blocking helpers for rigctl: whole frame out; whole frame in (0 on EOF, -1 on error). */
int proto_write_frame(int fd, int type, const void *payload, size_t len);
int proto_read_frame(int fd, struct proto_buf *b, size_t max, int *type, char **payload,
    size_t *len);

#endif
