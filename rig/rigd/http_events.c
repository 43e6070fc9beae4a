/*
 * http_events: what the browser is told as it happens, by server-sent events (one long GET the
 * server writes to; the browser never polls). /events says "the lab changed" (a board's state,
 * a run's end) with a counter; /boards/NAME/console/stream sends the board's console bytes as
 * they come. Each stream is one HTTP connection thread (http.c) waiting on a condition, never
 * rigd's event loop; at most HTTP_EVENTS_MAX streams at once so they cannot take every thread.
 */
#include "rigd.h"
#include "http_events.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HTTP_EVENTS_MAX		16
#define HTTP_EVENTS_IDLE_MS	15000	/* a comment line this often: proxies and dead peers */
#define HTTP_CONSOLE_CHUNK	16384	/* console bytes per event at most */

static pthread_mutex_t http_events_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t http_events_cond;		/* http_events_lock: gen moved or stopping */
static uint64_t http_events_gen;		/* http_events_lock: changes so far */
static char http_events_what[256];		/* http_events_lock: the latest change, JSON */
static int http_events_streams;			/* http_events_lock: streams open */
static int http_events_stopping;		/* http_events_lock: rigd is stopping */

static void
http_events_deadline(struct timespec *ts, int64_t ms)
{
	util_deadline(ts, CLOCK_MONOTONIC, ms);
}

void
http_events_init(void)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&http_events_cond, &ca);
	pthread_condattr_destroy(&ca);
}

void
http_events_bump(const char *kind, const char *board, int64_t run)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(o, "kind", kind);
	cJSON_AddStringToObject(o, "board", board ? board : "");
	cJSON_AddNumberToObject(o, "run", (double)run);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	pthread_mutex_lock(&http_events_lock);
	http_events_gen++;
	util_strlcpy(http_events_what, s ? s : "{}", sizeof(http_events_what));
	pthread_cond_broadcast(&http_events_cond);
	pthread_mutex_unlock(&http_events_lock);
	free(s);
}

void
http_events_stop(void)
{
	pthread_mutex_lock(&http_events_lock);
	http_events_stopping = 1;
	pthread_cond_broadcast(&http_events_cond);
	pthread_mutex_unlock(&http_events_lock);
}

int
http_events_enter(void)
{
	int ok;

	pthread_mutex_lock(&http_events_lock);
	ok = http_events_streams < HTTP_EVENTS_MAX && !http_events_stopping;
	http_events_streams += ok;
	pthread_mutex_unlock(&http_events_lock);
	return ok;
}

void
http_events_leave(void)
{
	pthread_mutex_lock(&http_events_lock);
	http_events_streams--;
	pthread_mutex_unlock(&http_events_lock);
}

/* One stream's place: where the lab stream is, or which console and how far it was sent. */
struct http_stream {
	struct board	*board;		/* NULL: the lab's changes */
	uint64_t	 gen;
	int64_t		 pos;		/* console bytes sent of log */
	char		 log[512];	/* the console log being followed (a boot starts another) */
	int		 started;
};

/* "data:" lines for text: each line of it on its own (SSE ends a field at a newline). */
static size_t
http_events_data(char *buf, size_t max, const char *event, const char *text, size_t n)
{
	size_t len = 0, i;

	len += (size_t)snprintf(buf + len, max - len, "event: %s\ndata: ", event);
	for (i = 0; i < n && len + 8 < max; i++) {
		if (text[i] == '\n') {
			memcpy(buf + len, "\ndata: ", 7);
			len += 7;
		} else if (text[i] != '\r') {
			buf[len++] = text[i];
		}
	}
	buf[len++] = '\n';
	buf[len++] = '\n';
	return len;
}

static ssize_t
http_events_lab(struct http_stream *s, char *buf, size_t max)
{
	struct timespec ts;
	char what[256];
	uint64_t gen;
	int rc = 0;

	pthread_mutex_lock(&http_events_lock);
	if (!s->started) {
		s->started = 1;
		s->gen = http_events_gen;
		pthread_mutex_unlock(&http_events_lock);
		/* The browser knows the stream is open (the tests wait for it before a run). */
		return snprintf(buf, max, "retry: 2000\nevent: hello\ndata: {\"gen\":%llu}\n\n",
		    (unsigned long long)s->gen);
	}
	http_events_deadline(&ts, HTTP_EVENTS_IDLE_MS);
	while (s->gen == http_events_gen && !http_events_stopping && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&http_events_cond, &http_events_lock, &ts);
	gen = http_events_gen;
	util_strlcpy(what, http_events_what, sizeof(what));
	if (http_events_stopping) {
		pthread_mutex_unlock(&http_events_lock);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	pthread_mutex_unlock(&http_events_lock);
	if (gen == s->gen)
		return snprintf(buf, max, ": idle\n\n");
	s->gen = gen;
	return (ssize_t)http_events_data(buf, max, "change", what, strlen(what));
}

static ssize_t
http_events_console(struct http_stream *s, char *buf, size_t max)
{
	struct board *b = s->board;
	char log[sizeof(b->con.log)], text[HTTP_CONSOLE_CHUNK];
	struct timespec ts;
	int64_t bytes;
	ssize_t n = 0;
	int fd, rc = 0, stopping;

	pthread_mutex_lock(&b->lock);
	if (s->started) {
		http_events_deadline(&ts, HTTP_EVENTS_IDLE_MS);
		while (b->con.bytes == s->pos && rc != ETIMEDOUT) {
			/* rigd's stop must not wait for a quiet console: looked at once a second. */
			struct timespec one;

			http_events_deadline(&one, 1000);
			if (one.tv_sec > ts.tv_sec)
				one = ts;
			rc = pthread_cond_timedwait(&b->con_cond, &b->lock, &one);
			pthread_mutex_lock(&http_events_lock);
			stopping = http_events_stopping;
			pthread_mutex_unlock(&http_events_lock);
			if (stopping) {
				pthread_mutex_unlock(&b->lock);
				return MHD_CONTENT_READER_END_OF_STREAM;
			}
			if (rc == ETIMEDOUT) {
				struct timespec now;

				clock_gettime(CLOCK_MONOTONIC, &now);
				rc = now.tv_sec > ts.tv_sec || (now.tv_sec == ts.tv_sec &&
				    now.tv_nsec >= ts.tv_nsec) ? ETIMEDOUT : 0;
			}
		}
	}
	capture_sync(&b->con);
	bytes = b->con.bytes;
	util_strlcpy(log, b->con.log, sizeof(log));
	pthread_mutex_unlock(&b->lock);
	if (!s->started) {
		s->started = 1;
		/* The page showed the log's tail up to here: the stream goes on from it. */
		s->pos = bytes;
		util_strlcpy(s->log, log, sizeof(s->log));
		return snprintf(buf, max, "retry: 2000\nevent: hello\ndata: %lld\n\n",
		    (long long)bytes);
	}
	/* A new log (the board booted again): followed from its start. */
	if (bytes < s->pos || strcmp(log, s->log) != 0)
		s->pos = 0;
	util_strlcpy(s->log, log, sizeof(s->log));
	if (bytes == s->pos)
		return snprintf(buf, max, ": idle\n\n");
	if ((fd = open(log, O_RDONLY | O_CLOEXEC)) != -1) {
		n = pread(fd, text, (size_t)(bytes - s->pos < (int64_t)sizeof(text) ? bytes - s->pos :
		    (int64_t)sizeof(text)), (off_t)s->pos);
		close(fd);
	}
	if (n <= 0) {
		s->pos = bytes;
		return snprintf(buf, max, "event: lost\ndata: console log unreadable\n\n");
	}
	s->pos += n;
	return (ssize_t)http_events_data(buf, max, "console", text, (size_t)n);
}

static ssize_t
http_events_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct http_stream *s = cls;

	(void)pos;
	return s->board ? http_events_console(s, buf, max) : http_events_lab(s, buf, max);
}

static void
http_events_free(void *cls)
{
	free(cls);
	http_events_leave();
}

struct MHD_Response *
http_events_response(struct board *b)
{
	struct http_stream *s = xcalloc(1, sizeof(*s));
	struct MHD_Response *resp;

	s->board = b;
	/* A console chunk can grow to 7 bytes a newline: the buffer holds the worst. */
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, HTTP_CONSOLE_CHUNK * 8,
	    http_events_read, s, http_events_free);
	if (resp == NULL) {
		http_events_free(s);
		return NULL;
	}
	MHD_add_response_header(resp, "Content-Type", "text/event-stream");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	return resp;
}
