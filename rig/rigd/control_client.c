/* control_client: the control socket's clients, what they are sent, and the outbox other threads post into. */
#include "rigd.h"
#include "control_admit.h"
#include "log.h"
#include "peer.h"
#include "proto.h"
#include "storeq.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CONTROL_MAX_OUTBUF	(4 * 1024 * 1024)	/* a client that reads slower is dropped */

/* A message for a client from any thread, until the event loop drains the outbox. */
struct control_msg {
	uint64_t		 client;
	struct board		*watchers;	/* not NULL: for every client watching its console */
	int			 final;		/* the request's result: its client may ask again */
	int			 stream_end;	/* a report thread is done with the client's socket */
	char			*json;
	struct control_msg	*next;
};

struct control_client {
	uint64_t		 id;
	int			 fd;
	struct peer		 peer;		/* as the kernel saw it at connect() */
	int64_t			 last;		/* when it last sent or was answered (idle timeout) */
	struct proto_buf	 in, out;
	struct board		*console;	/* subscribed to this board's console */
	int			 closing;	/* close once out is written; 2: now */
	int			 waiting;	/* a request is in progress (run, power) */
	/*
	 * A report thread writes the reply to the socket (control_report.c): the loop writes
	 * nothing of out until the thread's last message, which clears this.
	 */
	int			 streaming;
	/*
	 * A shell thread reads the client too (control_shell.c): the loop neither reads nor polls
	 * it until the thread's last message, which clears this with streaming.
	 */
	int			 stream_in;
};

/* The clients: the event loop's own (no lock); only the outbox is shared. */
static struct control_client *control_clients[CONTROL_MAX_CLIENTS];
static uint64_t control_next_id = 1;
static int control_watchers;		/* loop: clients with console set */

void
control_wake(struct rigd *r)
{
	char c = 0;

	if (write(r->wake[1], &c, 1) == -1 && errno != EAGAIN)
		log_warn("wake");
}

/* Any thread: m into the outbox the event loop drains. */
static void
control_outbox_put(struct rigd *r, struct control_msg *m)
{
	pthread_mutex_lock(&r->outbox_lock);
	if (r->outbox_tail)
		r->outbox_tail->next = m;
	else
		r->outbox = m;
	r->outbox_tail = m;
	pthread_mutex_unlock(&r->outbox_lock);
	control_wake(r);
}

/*
 * Any thread: a message into the outbox the event loop drains, for client (final: the
 * request's result) or, when watchers is not NULL, for every client watching that console.
 */
static void
control_outbox(struct rigd *r, uint64_t client, struct board *watchers, int final, cJSON *msg)
{
	struct control_msg *m = xcalloc(1, sizeof(*m));

	m->client = client;
	m->watchers = watchers;
	m->final = final;
	m->json = cJSON_PrintUnformatted(msg);
	cJSON_Delete(msg);
	control_outbox_put(r, m);
}

void
control_post_stream_end(struct rigd *r, uint64_t client, const char *status, const char *error)
{
	control_post_stream_result(r, client, status, error, NULL);
}

void
control_post_stream_result(struct rigd *r, uint64_t client, const char *status,
    const char *error, cJSON *extra)
{
	cJSON *o = extra ? extra : cJSON_CreateObject();
	struct control_msg *m = xcalloc(1, sizeof(*m));

	cJSON_AddStringToObject(o, "status", status);
	if (error)
		cJSON_AddStringToObject(o, "error", error);
	cJSON_AddStringToObject(o, "type", proto_event_name(PROTO_EV_RESULT));
	m->client = client;
	m->final = 1;
	m->stream_end = 1;
	m->json = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	control_outbox_put(r, m);
}

void
control_post_watchers(struct rigd *r, struct board *b, enum proto_event ev, cJSON *o)
{
	cJSON_AddStringToObject(o, "type", proto_event_name(ev));
	control_outbox(r, 0, b, 0, o);
}

void
control_post(struct rigd *r, uint64_t client, cJSON *msg)
{
	cJSON *type = cJSON_GetObjectItem(msg, "type");

	control_outbox(r, client, NULL, cJSON_IsString(type) &&
	    proto_event_parse(type->valuestring) == PROTO_EV_RESULT, msg);
}

void
control_post_event(struct rigd *r, uint64_t client, enum proto_event ev, cJSON *o)
{
	cJSON_AddStringToObject(o, "type", proto_event_name(ev));
	control_outbox(r, client, NULL, ev == PROTO_EV_RESULT, o);
}

void
control_post_reply(struct rigd *r, uint64_t client, const char *status, const char *error,
    cJSON *extra)
{
	cJSON *o = extra ? extra : cJSON_CreateObject();

	cJSON_AddStringToObject(o, "status", status);
	if (error)
		cJSON_AddStringToObject(o, "error", error);
	control_post_event(r, client, PROTO_EV_RESULT, o);
}

/* Who asked for what, on its way to the store writer: the event loop does not wait for disk. */
struct control_action_write {
	long	uid;
	char	what[];
};

void
control_action_log(long uid, const char *what)
{
	char name[64];

	peer_user_name(uid, name, sizeof(name));
	log_info("%s (uid %ld): %s", name, uid, what);
}

static void
control_action_write(struct store *st, void *arg)
{
	struct control_action_write *w = arg;

	control_action_log(w->uid, w->what);
	if (store_action(st, w->uid, w->what) == -1)
		log_warnx("action not stored: %s", w->what);
}

void
control_action(struct rigd *r, long uid, const char *what)
{
	struct control_action_write *w = xcalloc(1, sizeof(*w) + strlen(what) + 1);

	(void)r;
	w->uid = uid;
	memcpy(w->what, what, strlen(what));
	storeq_push(control_action_write, w);
}

static struct control_client *
control_client_find(uint64_t id)
{
	int i;

	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (control_clients[i] && control_clients[i]->id == id)
			return control_clients[i];
	return NULL;
}

static void
control_client_free(int slot)
{
	struct control_client *c = control_clients[slot];

	close(c->fd);
	proto_buf_free(&c->in);
	proto_buf_free(&c->out);
	if (c->console != NULL)
		control_watchers--;
	free(c);
	control_clients[slot] = NULL;
}

static void
control_send_json(struct control_client *c, const char *json)
{
	if (c->out.len > CONTROL_MAX_OUTBUF) {
		log_warnx("client %llu (uid %ld) reads too slowly: dropped",
		    (unsigned long long)c->id, c->peer.uid);
		c->closing = 2;
		return;
	}
	proto_frame(&c->out, PROTO_JSON, json, strlen(json));
}

static void
control_send(struct control_client *c, cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);

	control_send_json(c, s);
	free(s);
	cJSON_Delete(o);
}

void
control_event(struct control_client *c, enum proto_event ev, cJSON *o)
{
	cJSON_AddStringToObject(o, "type", proto_event_name(ev));
	control_send(c, o);
}

void
control_reply(struct control_client *c, const char *status, const char *error, cJSON *extra)
{
	cJSON *o = extra ? extra : cJSON_CreateObject();

	cJSON_AddStringToObject(o, "status", status);
	if (error)
		cJSON_AddStringToObject(o, "error", error);
	control_event(c, PROTO_EV_RESULT, o);
}

int
control_console_watched(void)
{
	return control_watchers > 0;
}

void
control_console(void *arg, struct board *b, const char *buf, size_t len)
{
	int i;

	(void)arg;
	if (control_watchers == 0)
		return;
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct control_client *c = control_clients[i];
		if (c == NULL || c->console != b || c->closing)
			continue;
		if (c->out.len > CONTROL_MAX_OUTBUF) {
			c->closing = 2;
			continue;
		}
		proto_frame(&c->out, PROTO_CONSOLE, buf, len);
	}
}

void
control_drain_outbox(struct rigd *r)
{
	struct control_msg *m, *next;
	char buf[256];

	while (read(r->wake[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&r->outbox_lock);
	m = r->outbox;
	r->outbox = r->outbox_tail = NULL;
	pthread_mutex_unlock(&r->outbox_lock);
	for (; m; m = next) {
		struct control_client *c = m->watchers ? NULL : control_client_find(m->client);
		int i;

		next = m->next;
		/* Apart from the console's bytes: a watcher tells the rig's words from the board's. */
		for (i = 0; m->watchers && i < CONTROL_MAX_CLIENTS; i++)
			if (control_clients[i] && control_clients[i]->console == m->watchers &&
			    !control_clients[i]->closing)
				control_send_json(control_clients[i], m->json);
		/* A client that went away misses the events; the run itself goes on and is stored. */
		if (c) {
			if (m->stream_end)
				c->streaming = c->stream_in = 0;
			control_send_json(c, m->json);
			if (m->final)
				c->waiting = 0;
		}
		free(m->json);
		free(m);
	}
}

long
control_uid(const struct control_client *c)
{
	return c->peer.uid;
}

const struct peer *
control_peer(const struct control_client *c)
{
	return &c->peer;
}

uint64_t
control_id(const struct control_client *c)
{
	return c->id;
}

void
control_wait_result(struct control_client *c)
{
	c->waiting = 1;
}

int
control_busy(const struct control_client *c)
{
	return c->waiting;
}

int
control_stream_begin(struct control_client *c, struct proto_buf *pending)
{
	/* Close-on-exec: a board's QEMU or power command must not hold the client's socket. */
	int fd = fcntl(c->fd, F_DUPFD_CLOEXEC, 0);

	if (fd == -1)
		return -1;
	/* What the loop had not written yet goes first, from the thread. */
	*pending = c->out;
	memset(&c->out, 0, sizeof(c->out));
	c->streaming = 1;
	c->waiting = 1;
	return fd;
}

int
control_stream_both(struct control_client *c, struct proto_buf *pending, struct proto_buf *input)
{
	int fd = control_stream_begin(c, pending);

	if (fd == -1)
		return -1;
	/* What the client sent after its request (input typed ahead) is the thread's to read. */
	*input = c->in;
	memset(&c->in, 0, sizeof(c->in));
	c->stream_in = 1;
	return fd;
}

void
control_watch_console(struct control_client *c, struct board *b)
{
	if (c->console == NULL)
		control_watchers++;
	c->console = b;
	c->waiting = 1;
}

const char *
control_status(enum error_kind kind)
{
	switch (kind) {
	case ERROR_NO_SUCH_BUILD:
		return PROTO_NOSUCH;
	case ERROR_AMBIGUOUS_BUILD:
	case ERROR_INVALID_REQUEST:
		return PROTO_INVALID;
	default:
		return PROTO_FAILED;
	}
}

const char *
control_str(cJSON *req, const char *key)
{
	cJSON *v = cJSON_GetObjectItem(req, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int
control_may_change(const struct control_client *c)
{
	return c->peer.role >= PEER_MEMBER;
}

/*
 * A connection refused at the door is told why in one result frame (a fresh socket's buffer
 * takes it whole; if not, it is closed all the same) and closed; the log counts it.
 */
static void
control_client_refuse(int fd, const struct peer *p, const char *why, int64_t now)
{
	struct proto_buf b = { 0 };
	cJSON *o = cJSON_CreateObject();
	char msg[256], *s;
	ssize_t w;

	util_fmt(msg, sizeof(msg), "uid %ld %s", p->uid, why);
	cJSON_AddStringToObject(o, "status", PROTO_DENIED);
	cJSON_AddStringToObject(o, "error", msg);
	cJSON_AddStringToObject(o, "type", proto_event_name(PROTO_EV_RESULT));
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	proto_frame(&b, PROTO_JSON, s, strlen(s));
	free(s);
	/* One try: a peer gone already is told nothing. */
	w = write(fd, b.data, b.len);
	(void)w;
	proto_buf_free(&b);
	close(fd);
	control_admit_refused(p, why, now);
}

int
control_client_accept(int listen_fd)
{
	struct control_client *c;
	struct peer p;
	char why[200];
	int fd, i, slot = -1, n = 0, mine = 0;

	fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1)
		return -1;
	if (peer_of_socket(fd, &p) == -1) {
		log_warn("control: the peer's credentials");
		close(fd);
		return 0;
	}
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		if (control_clients[i] == NULL) {
			if (slot == -1)
				slot = i;
			continue;
		}
		n++;
		if (control_clients[i]->peer.uid == p.uid)
			mine++;
	}
	if (control_admit(&p, n, mine, why, sizeof(why)) == -1) {
		control_client_refuse(fd, &p, why, util_now_ms());
		return 0;
	}
	c = xcalloc(1, sizeof(*c));
	c->id = control_next_id++;
	c->fd = fd;
	c->peer = p;
	c->last = util_now_ms();
	control_clients[slot] = c;
	return 0;
}

int
control_client_poll(struct pollfd *pfd, int *slot)
{
	int64_t now = util_now_ms();
	int i, n = 0;

	control_admit_tick(now);
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct control_client *c = control_clients[i];
		if (c == NULL)
			continue;
		if (c->closing == 2 || (c->closing && c->out.len == 0)) {
			control_client_free(i);
			continue;
		}
		/* Waiting for a result, a console or its own unread answer is no idleness. */
		if (c->waiting || c->console || c->out.len)
			c->last = now;
		else if (now - c->last >= control_admit_idle_ms()) {
			log_debug("control: client %llu (uid %ld) sent nothing for %lld ms: closed",
			    (unsigned long long)c->id, c->peer.uid, (long long)(now - c->last));
			control_client_free(i);
			continue;
		}
		/* Its thread's: a hang-up polled here would wake the loop until the thread sees it. */
		if (c->stream_in)
			continue;
		pfd[n].fd = c->fd;
		pfd[n].events = (c->closing ? 0 : POLLIN) | (c->out.len && !c->streaming ? POLLOUT : 0);
		slot[n++] = i;
	}
	return n;
}

static struct control_client *
control_client_read(int slot)
{
	struct control_client *c = control_clients[slot];
	char buf[16384];
	ssize_t n;

	n = read(c->fd, buf, sizeof(buf));
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		control_client_free(slot);
		return NULL;
	}
	if (n > 0) {
		proto_buf_append(&c->in, buf, (size_t)n);
		c->last = util_now_ms();
	}
	return c;
}

static void
control_client_write(int slot)
{
	struct control_client *c = control_clients[slot];
	ssize_t n;

	n = write(c->fd, c->out.data, c->out.len);
	if (n > 0)
		proto_buf_consume(&c->out, (size_t)n);
	else if (n == -1 && errno != EAGAIN && errno != EINTR)
		control_client_free(slot);
}

struct control_client *
control_client_io(int slot, short revents)
{
	if (control_clients[slot] == NULL)
		return NULL;
	if (revents & POLLOUT)
		control_client_write(slot);
	if (control_clients[slot] == NULL || !(revents & (POLLIN | POLLHUP | POLLERR)))
		return NULL;
	return control_client_read(slot);
}

char *
control_client_take(struct control_client *c)
{
	char *payload;
	size_t len;
	int type, rc;

	if (c->stream_in)
		return NULL;
	while ((rc = proto_take(&c->in, PROTO_MAX_REQUEST, &type, &payload, &len)) == 1) {
		if (type != PROTO_JSON)
			control_reply(c, PROTO_INVALID, "requests are JSON frames", NULL);
		else if (strlen(payload) != len)
			control_reply(c, PROTO_INVALID, "request contains a NUL byte", NULL);
		else
			return payload;
		free(payload);
	}
	if (rc == -1) {
		/* The length cannot be trusted: nothing after it can be framed. Say so, hang up. */
		control_reply(c, PROTO_INVALID, "frame empty or larger than 64 KiB", NULL);
		c->in.len = 0;
		c->closing = 1;
	}
	return NULL;
}
