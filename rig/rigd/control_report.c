/* control_report: matrix, compare, export and show builds, each read on a thread of its own and streamed to its client. */
#include "rigd.h"
#include "log.h"
#include "proto.h"
#include "report.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * A report reads the whole history (300k runs: seconds) and its text can be hundreds of MB:
 * neither may happen on the event loop nor in memory. Each runs on a thread with its own
 * read-only store connection and writes its text to the client's socket as it is made, in
 * PROTO_DATA_CHUNK frames: a client that reads slowly slows the thread down (rigd holds one
 * chunk and the frame being written for it, the kernel its socket buffer); one that reads
 * nothing for CONTROL_REPORT_STALL_MS is hung up on and the thread ends.
 */
#define CONTROL_REPORT_MAX		4	/* threads at once; more are told busy */
#define CONTROL_REPORT_STALL_MS		30000
/* Reports are background work: the loop, the boards and their clients come first for the CPU. */
#define CONTROL_REPORT_NICE		10

static pthread_mutex_t control_report_lock = PTHREAD_MUTEX_INITIALIZER;
static int control_reports;	/* control_report_lock: threads running */

struct control_report {
	struct rigd		*r;
	uint64_t		 client;
	long			 uid;
	int			 fd;		/* the thread's copy of the client's socket */
	struct store		*store;		/* the thread's own read-only connection */
	cJSON			*req;
	struct proto_buf	 out;		/* what is being written: one frame at most */
	int			 stalled;	/* the client stopped reading: hung up on */
	int			 gone;		/* the client hung up */
};

/* The frames in x->out to the client, waiting while it reads; -1 once it stalls or is gone. */
static int
control_report_flush(struct control_report *x)
{
	int64_t deadline = util_now_ms() + CONTROL_REPORT_STALL_MS;

	while (x->out.len > 0) {
		ssize_t n = send(x->fd, x->out.data, x->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
		struct pollfd p = { .fd = x->fd, .events = POLLOUT };
		int64_t left;

		if (n > 0) {
			proto_buf_consume(&x->out, (size_t)n);
			deadline = util_now_ms() + CONTROL_REPORT_STALL_MS;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK) {
			x->gone = 1;
			return -1;
		}
		/* Paused: the socket is full. The thread waits; nothing more is made meanwhile. */
		if ((left = deadline - util_now_ms()) <= 0 ||
		    poll(&p, 1, (int)left) == 0) {
			x->stalled = 1;
			return -1;
		}
	}
	return 0;
}

/* The report's FILE writes here (fopencookie): each buffer full becomes 'D' frames. */
static ssize_t
control_report_write(void *cookie, const char *buf, size_t len)
{
	struct control_report *x = cookie;
	size_t off = 0;

	if (x->stalled || x->gone)
		return 0;
	while (off < len) {
		size_t n = len - off < PROTO_DATA_CHUNK ? len - off : PROTO_DATA_CHUNK;

		proto_frame(&x->out, PROTO_DATA, buf + off, n);
		if (control_report_flush(x) == -1)
			return 0;	/* an error for the FILE: ferror() stops the report */
		off += n;
	}
	return (ssize_t)len;
}

/* The report asked for, written to f; 0, or -1 with err and *kind. */
static int
control_report_make(struct control_report *x, FILE *f, char *err, size_t errlen,
    enum error_kind *kind)
{
	const char *cmd = control_str(x->req, "cmd");
	cJSON *o = NULL;
	char *text;

	if (strcmp(cmd, "show") == 0) {
		o = report_builds(x->store, err, errlen);
	} else if (strcmp(cmd, "matrix") == 0) {
		o = report_matrix(x->store, control_str(x->req, "board"), err, errlen);
	} else if (strcmp(cmd, "compare") == 0) {
		o = report_compare(x->store, control_str(x->req, "a"), control_str(x->req, "b"), err,
		    errlen, kind);
	} else {
		const char *fmt = control_str(x->req, "format"), *build = control_str(x->req,
		    "build");

		return strcmp(fmt, "junit") == 0 ?
		    report_junit(x->store, build, f, err, errlen, kind) :
		    report_kcidb(x->store, build, "rig", f, err, errlen, kind);
	}
	if (o == NULL)
		return -1;
	if (!cJSON_IsObject(o)) {
		cJSON *w = cJSON_CreateObject();
		cJSON_AddItemToObject(w, "items", o);
		o = w;
	}
	/* A matrix is as big as its cells (builds x boards x scenarios), never as the runs. */
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (text == NULL) {
		util_fmt(err, errlen, "out of memory");
		return -1;
	}
	fputs(text, f);
	free(text);
	return 0;
}

static void *
control_report_thread(void *arg)
{
	struct control_report *x = arg;
	static const cookie_io_functions_t io = { .write = control_report_write };
	const char *cmd = control_str(x->req, "cmd");
	enum error_kind kind = ERROR_NONE;
	char err[512] = "";
	int rc = -1;
	FILE *f;

	/* This thread only (Linux: a thread's nice is its own). */
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), CONTROL_REPORT_NICE) == -1)
		log_warn("report thread: nice");
	/* What the loop had not written to the client yet goes first. */
	if (control_report_flush(x) == 0 && (f = fopencookie(x, "w", io)) != NULL) {
		setvbuf(f, NULL, _IOFBF, PROTO_DATA_CHUNK);
		rc = control_report_make(x, f, err, sizeof(err), &kind);
		if (fclose(f) == EOF && rc == 0)
			rc = -1;
	}
	if (x->stalled) {
		log_warnx("client %llu (uid %ld) read none of its %s for %d s: hung up",
		    (unsigned long long)x->client, x->uid, cmd, CONTROL_REPORT_STALL_MS / 1000);
		/* The loop sees the hang-up and frees the client; the result below finds none. */
		shutdown(x->fd, SHUT_RDWR);
	}
	if (rc == 0)
		control_post_stream_end(x->r, x->client, PROTO_OK, NULL);
	else
		control_post_stream_end(x->r, x->client, x->stalled || x->gone ? PROTO_FAILED :
		    control_status(kind), err[0] ? err : "report failed");
	close(x->fd);
	store_close(x->store);
	cJSON_Delete(x->req);
	proto_buf_free(&x->out);
	free(x);
	pthread_mutex_lock(&control_report_lock);
	control_reports--;
	pthread_mutex_unlock(&control_report_lock);
	return NULL;
}

/* What a request lacks, before a thread is started for it; NULL when it is whole. */
static const char *
control_report_invalid(cJSON *req, const char *cmd)
{
	const char *fmt = control_str(req, "format");

	if (!cJSON_IsTrue(cJSON_GetObjectItem(req, "stream")))
		return "matrix, compare, export and show builds answer streamed: ask with"
		    " \"stream\": true";
	if (strcmp(cmd, "compare") == 0 && (control_str(req, "a") == NULL ||
	    control_str(req, "b") == NULL))
		return "compare: two builds";
	if (strcmp(cmd, "export") == 0 && (fmt == NULL || (strcmp(fmt, "junit") &&
	    strcmp(fmt, "kcidb"))))
		return "export: junit or kcidb";
	return NULL;
}

void
control_cmd_report(struct rigd *r, struct control_client *c, cJSON *req, const char *cmd)
{
	struct control_report *x;
	const char *invalid = control_report_invalid(req, cmd);
	pthread_attr_t attr;
	pthread_t t;
	char err[512];
	int busy;

	if (invalid) {
		control_reply(c, PROTO_INVALID, invalid, NULL);
		return;
	}
	pthread_mutex_lock(&control_report_lock);
	busy = control_reports >= CONTROL_REPORT_MAX;
	if (!busy)
		control_reports++;
	pthread_mutex_unlock(&control_report_lock);
	if (busy) {
		control_reply(c, PROTO_BUSY, "too many reports at once: ask again later", NULL);
		return;
	}
	x = xcalloc(1, sizeof(*x));
	x->r = r;
	x->client = control_id(c);
	x->uid = control_uid(c);
	x->fd = -1;
	/* Opening is quick (no read of the history): done here, the thread never sees r->store. */
	if ((x->store = store_reader(r->store, err, sizeof(err))) == NULL ||
	    (x->fd = control_stream_begin(c, &x->out)) == -1) {
		log_warnx("%s: %s", cmd, x->store ? "cannot copy the client's socket" : err);
		control_reply(c, PROTO_FAILED, "store: cannot open a reader", NULL);
		goto fail;
	}
	x->req = cJSON_Duplicate(req, 1);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, control_report_thread, x) != 0) {
		pthread_attr_destroy(&attr);
		log_warnx("%s: no thread", cmd);
		control_post_stream_end(r, x->client, PROTO_FAILED, "no thread for the report");
		cJSON_Delete(x->req);
		goto fail;
	}
	pthread_attr_destroy(&attr);
	return;
fail:
	if (x->fd != -1)
		close(x->fd);
	store_close(x->store);
	proto_buf_free(&x->out);
	free(x);
	pthread_mutex_lock(&control_report_lock);
	control_reports--;
	pthread_mutex_unlock(&control_report_lock);
}
