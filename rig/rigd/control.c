/* control: the unix control socket, its clients, and the event loop that serves them and the consoles. */
#include "rigd.h"
#include "control_wait.h"
#include "log.h"
#include "proto.h"
#include "queue.h"
#include "report.h"
#include "storeq.h"
#include "util.h"
#include "views.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define CONTROL_MAX_CLIENTS	64
#define CONTROL_MAX_OUTBUF	(4 * 1024 * 1024)	/* a client that reads slower is dropped */

struct control_msg {
	uint64_t		 client;
	int			 final;		/* the request's result: its client may ask again */
	char			*json;
	struct control_msg	*next;
};

struct control_client {
	uint64_t		 id;
	int			 fd;
	long			 uid;
	struct proto_buf	 in, out;
	struct board		*console;	/* subscribed to this board's console */
	int			 closing;	/* close once out is written */
	int			 waiting;	/* a request is in progress (run, power) */
};

static int control_fd = -1;
static struct control_client *control_clients[CONTROL_MAX_CLIENTS];
static uint64_t control_next_id = 1;

int
control_listen(struct rigd *r)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (util_strlcpy(sa.sun_path, r->sockpath, sizeof(sa.sun_path)) >= sizeof(sa.sun_path)) {
		log_warnx("%s: socket path too long", r->sockpath);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		log_warn("socket");
		return -1;
	}
	unlink(r->sockpath);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 || listen(fd, SOMAXCONN) == -1) {
		log_warn("%s", r->sockpath);
		close(fd);
		return -1;
	}
	/* Anyone may connect and look; what changes a board is checked against the peer's uid. */
	chmod(r->sockpath, 0666);
	control_fd = fd;
	return 0;
}

void
control_wake(struct rigd *r)
{
	char c = 0;

	if (write(r->wake[1], &c, 1) == -1 && errno != EAGAIN)
		log_warn("wake");
}

/* Any thread: a message into the outbox the event loop drains (final: the request's result). */
static void
control_outbox(struct rigd *r, uint64_t client, int final, cJSON *msg)
{
	struct control_msg *m = xcalloc(1, sizeof(*m));

	m->client = client;
	m->final = final;
	m->json = cJSON_PrintUnformatted(msg);
	cJSON_Delete(msg);
	pthread_mutex_lock(&r->outbox_lock);
	if (r->outbox_tail)
		r->outbox_tail->next = m;
	else
		r->outbox = m;
	r->outbox_tail = m;
	pthread_mutex_unlock(&r->outbox_lock);
	control_wake(r);
}

void
control_post(struct rigd *r, uint64_t client, cJSON *msg)
{
	cJSON *type = cJSON_GetObjectItem(msg, "type");

	control_outbox(r, client, cJSON_IsString(type) &&
	    proto_event_parse(type->valuestring) == PROTO_EV_RESULT, msg);
}

static void
control_sink_post(void *arg, uint64_t client, enum proto_event ev, cJSON *o)
{
	cJSON_AddStringToObject(o, "type", proto_event_name(ev));
	control_outbox(arg, client, ev == PROTO_EV_RESULT, o);
}

static void
control_sink_wake(void *arg)
{
	control_wake(arg);
}

void
control_sink(struct rigd *r, struct board_sink *sink)
{
	sink->arg = r;
	sink->post = control_sink_post;
	sink->console = control_console;
	sink->wake = control_sink_wake;
}

/* Who asked for what, on its way to the store writer: the event loop does not wait for disk. */
struct control_action_write {
	long	uid;
	char	what[];
};

static void
control_action_write(struct store *st, void *arg)
{
	struct control_action_write *w = arg;

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
	free(c);
	control_clients[slot] = NULL;
}

static void
control_send_json(struct control_client *c, const char *json)
{
	if (c->out.len > CONTROL_MAX_OUTBUF) {
		log_warnx("client %llu (uid %ld) reads too slowly: dropped",
		    (unsigned long long)c->id, c->uid);
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

/* Event loop: an event for this client now; every event the loop sends itself goes here. */
static void
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

void
control_console(void *arg, struct board *b, const char *buf, size_t len)
{
	int i;

	(void)arg;
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

static void
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
		struct control_client *c = control_client_find(m->client);
		next = m->next;
		/* A client that went away misses the events; the run itself goes on and is stored. */
		if (c) {
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
	return c->uid;
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

const char *
control_str(cJSON *req, const char *key)
{
	cJSON *v = cJSON_GetObjectItem(req, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int
control_may_change(struct control_client *c)
{
	return c->uid == 0 || c->uid == (long)geteuid();
}

int
control_board_offers(const struct board *b, const struct scenario *sc)
{
	int i;

	for (i = 0; i < sc->nclasses; i++)
		if (board_conf_device(&b->conf, sc->classes[i]) == NULL)
			return 0;
	return 1;
}

static void
control_cmd_run(struct rigd *r, struct control_client *c, cJSON *req)
{
	const char *name = control_str(req, "scenario"), *bname = control_str(req, "board");
	const struct scenario *sc;
	struct board *b = NULL;
	struct board_job *job;
	char msg[512];
	int i, pos;

	if (name == NULL) {
		control_reply(c, PROTO_INVALID, "run: no scenario named", NULL);
		return;
	}
	sc = scenset_lookup(r, name);
	if (sc == NULL) {
		util_fmt(msg, sizeof(msg), "no scenario %s in %s", name, r->scendir);
		control_reply(c, PROTO_NOSUCH, msg, NULL);
		return;
	}
	if (bname) {
		b = board_find(r, bname);
		if (b == NULL) {
			util_fmt(msg, sizeof(msg), "no board %s", bname);
			control_reply(c, PROTO_NOSUCH, msg, NULL);
			return;
		}
		if (!control_board_offers(b, sc)) {
			util_fmt(msg, sizeof(msg), "board %s offers no device for %s", bname, name);
			control_reply(c, PROTO_NOSUCH, msg, NULL);
			return;
		}
	} else {
		/* The first board that offers every class, preferring one with the shortest queue. */
		for (i = 0; i < r->nboards; i++) {
			struct board *x = r->boards[i];
			/* Out of service is no choice; a board named explicitly says why below. */
			if (!control_board_offers(x, sc) || board_state(x) == BOARD_FAULT)
				continue;
			if (b == NULL || board_queued(x) < board_queued(b))
				b = x;
		}
		if (b == NULL) {
			util_fmt(msg, sizeof(msg), "no board offers the devices %s needs", name);
			control_reply(c, PROTO_NOSUCH, msg, NULL);
			return;
		}
	}
	if (board_state(b) == BOARD_FAULT) {
		pthread_mutex_lock(&b->lock);
		util_fmt(msg, sizeof(msg), "board %s is out of service: %s", b->conf.name, b->reason);
		pthread_mutex_unlock(&b->lock);
		control_reply(c, PROTO_BUSY, msg, NULL);
		return;
	}
	job = xcalloc(1, sizeof(*job));
	job->kind = JOB_RUN;
	job->client = c->id;
	job->uid = c->uid;
	job->scenario = sc;
	job->scens = scenset_hold(r);
	if (control_str(req, "build")) {
		char err[256];
		job->build_id = report_build_find(r->store, control_str(req, "build"), err,
		    sizeof(err));
		if (job->build_id <= 0) {
			board_job_free(job);
			control_reply(c, PROTO_NOSUCH, err, NULL);
			return;
		}
	}
	util_fmt(msg, sizeof(msg), "run %s on %s", name, b->conf.name);
	control_action(r, c->uid, msg);
	c->waiting = 1;
	pos = board_enqueue(b, job);
	if (pos > 0) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "board", b->conf.name);
		util_fmt(msg, sizeof(msg), "queued behind %d job(s) on %s", pos, b->conf.name);
		cJSON_AddStringToObject(o, "msg", msg);
		control_event(c, PROTO_EV_LOG, o);
	}
}

static void
control_cmd_power(struct rigd *r, struct control_client *c, cJSON *req)
{
	const char *bname = control_str(req, "board"), *action = control_str(req, "action");
	struct board *b;
	struct board_job *job;
	char msg[256];

	if (bname == NULL || action == NULL || (strcmp(action, "on") && strcmp(action, "off") &&
	    strcmp(action, "cycle"))) {
		control_reply(c, PROTO_INVALID, "power: board and on|off|cycle required", NULL);
		return;
	}
	b = board_find(r, bname);
	if (b == NULL) {
		util_fmt(msg, sizeof(msg), "no board %s", bname);
		control_reply(c, PROTO_NOSUCH, msg, NULL);
		return;
	}
	job = xcalloc(1, sizeof(*job));
	job->kind = JOB_POWER;
	job->client = c->id;
	job->uid = c->uid;
	util_strlcpy(job->action, action, sizeof(job->action));
	util_fmt(msg, sizeof(msg), "power %s %s", bname, action);
	control_action(r, c->uid, msg);
	c->waiting = 1;
	board_enqueue(b, job);
}

static void
control_cmd_show(struct rigd *r, struct control_client *c, cJSON *req)
{
	const char *what = control_str(req, "what"), *id = control_str(req, "id");
	cJSON *items = NULL, *o;
	int i;

	if (what == NULL) {
		control_reply(c, PROTO_INVALID, "show: what?", NULL);
		return;
	}
	if (strcmp(what, "boards") == 0) {
		items = cJSON_CreateArray();
		for (i = 0; i < r->nboards; i++)
			cJSON_AddItemToArray(items, board_describe(r->boards[i]));
	} else if (strcmp(what, "scenarios") == 0) {
		items = cJSON_CreateArray();
		for (i = 0; i < r->nscens; i++) {
			const struct scenario *sc = &r->scens[i];
			char classes[160] = "";
			int k;
			o = cJSON_CreateObject();
			for (k = 0; k < sc->nclasses; k++) {
				if (k)
					strncat(classes, " ", sizeof(classes) - strlen(classes) - 1);
				strncat(classes, sc->classes[k], sizeof(classes) - strlen(classes) - 1);
			}
			cJSON_AddStringToObject(o, "name", sc->name);
			cJSON_AddStringToObject(o, "classes", classes);
			cJSON_AddNumberToObject(o, "steps", sc->nsteps);
			cJSON_AddBoolToObject(o, "fresh_boot", sc->fresh_boot);
			cJSON_AddStringToObject(o, "description", sc->description);
			cJSON_AddItemToArray(items, o);
		}
	} else if (strcmp(what, "runs") == 0) {
		items = views_runs(r->store, 100, VIEWS_BUILD_RELEASE);
	} else if (strcmp(what, "builds") == 0) {
		char err[256];
		items = report_builds(r->store, err, sizeof(err));
	} else if (strcmp(what, "queue") == 0) {
		o = views_queue(r->store);
		if (o == NULL)
			control_reply(c, PROTO_FAILED, "store query failed", NULL);
		else
			control_reply(c, PROTO_OK, NULL, o);
		return;
	} else if (strcmp(what, "crashes") == 0) {
		items = views_crash_groups(r->store);
	} else if (strcmp(what, "events") == 0) {
		items = views_board_events(r->store, 500);
	} else if (strcmp(what, "run") == 0 && id) {
		char *end;
		long long n = strtoll(id, &end, 10);
		int found = 0;

		o = *end == '\0' ? views_run(r->store, n, VIEWS_BUILD_RELEASE, &found) : NULL;
		if (o == NULL) {
			control_reply(c, found ? PROTO_FAILED : PROTO_NOSUCH,
			    found ? "store query failed" : "no such run", NULL);
			return;
		}
		items = cJSON_CreateArray();
		cJSON_AddItemToArray(items, o);
	} else {
		control_reply(c, PROTO_INVALID, "show: boards, scenarios, runs, builds, queue, crashes, events or run ID", NULL);
		return;
	}
	if (items == NULL) {
		control_reply(c, PROTO_FAILED, "store query failed", NULL);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "items", items);
	control_reply(c, PROTO_OK, NULL, o);
}

static void
control_cmd_console(struct rigd *r, struct control_client *c, cJSON *req)
{
	const char *bname = control_str(req, "board");
	struct board *b = bname ? board_find(r, bname) : NULL;
	cJSON *o;

	if (b == NULL) {
		control_reply(c, PROTO_NOSUCH, "console: no such board", NULL);
		return;
	}
	c->console = b;
	c->waiting = 1;
	/* Read-only: the stream starts now; console bytes follow as 'C' frames until hang-up. */
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "msg", "console attached (read-only)");
	control_event(c, PROTO_EV_LOG, o);
}

static void
control_request(struct rigd *r, struct control_client *c, const char *payload)
{
	cJSON *req = cJSON_Parse(payload), *v;
	const char *cmd;

	if (req == NULL || !cJSON_IsObject(req)) {
		control_reply(c, PROTO_INVALID, "request is not a JSON object", NULL);
		cJSON_Delete(req);
		return;
	}
	v = cJSON_GetObjectItem(req, "v");
	if (!cJSON_IsNumber(v) || v->valueint != PROTO_VERSION) {
		char msg[128];
		util_fmt(msg, sizeof(msg), "protocol version %d required", PROTO_VERSION);
		control_reply(c, PROTO_INVALID, msg, NULL);
		cJSON_Delete(req);
		return;
	}
	cmd = control_str(req, "cmd");
	if (c->waiting) {
		control_reply(c, PROTO_BUSY, "one request at a time per connection", NULL);
	} else if (cmd == NULL) {
		control_reply(c, PROTO_INVALID, "request has no cmd", NULL);
	} else if (strcmp(cmd, "ping") == 0) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "version", PROTO_VERSION);
		cJSON_AddNumberToObject(o, "pid", getpid());
		cJSON_AddStringToObject(o, "state", r->statedir);
		control_reply(c, PROTO_OK, NULL, o);
	} else if (strcmp(cmd, "show") == 0) {
		control_cmd_show(r, c, req);
	} else if (strcmp(cmd, "run") == 0 || strcmp(cmd, "power") == 0) {
		if (!control_may_change(c))
			control_reply(c, PROTO_DENIED, "only root or rigd's own user may do that",
			    NULL);
		else if (strcmp(cmd, "run") == 0)
			control_cmd_run(r, c, req);
		else
			control_cmd_power(r, c, req);
	} else if (strcmp(cmd, "wait") == 0) {
		control_cmd_wait(r, c, req);
	} else if (strcmp(cmd, "console") == 0) {
		control_cmd_console(r, c, req);
	} else if (strcmp(cmd, "matrix") == 0 || strcmp(cmd, "compare") == 0 ||
	    strcmp(cmd, "export") == 0) {
		control_cmd_report(r, c, req, cmd);
	} else if (strcmp(cmd, "build-add") == 0 || strcmp(cmd, "nightly") == 0) {
		if (!control_may_change(c))
			control_reply(c, PROTO_DENIED, "only root or rigd's own user may do that",
			    NULL);
		else if (strcmp(cmd, "build-add") == 0)
			control_cmd_build_add(r, c, req);
		else
			control_cmd_nightly(r, c, req);
	} else {
		char msg[128];
		util_fmt(msg, sizeof(msg), "unknown cmd %.64s", cmd);
		control_reply(c, PROTO_INVALID, msg, NULL);
	}
	cJSON_Delete(req);
}

static int
control_accept(void)
{
	struct control_client *c;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd, i;

	fd = accept4(control_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1)
		return -1;
	for (i = 0; i < CONTROL_MAX_CLIENTS && control_clients[i]; i++)
		;
	if (i == CONTROL_MAX_CLIENTS) {
		log_warnx("control: too many clients");
		close(fd);
		return 0;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		log_warn("SO_PEERCRED");
		close(fd);
		return 0;
	}
	c = xcalloc(1, sizeof(*c));
	c->id = control_next_id++;
	c->fd = fd;
	c->uid = (long)cred.uid;
	control_clients[i] = c;
	return 0;
}

static void
control_client_read(struct rigd *r, int slot)
{
	struct control_client *c = control_clients[slot];
	char buf[16384], *payload;
	ssize_t n;
	size_t len;
	int type, rc;

	n = read(c->fd, buf, sizeof(buf));
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		control_client_free(slot);
		return;
	}
	if (n < 0)
		return;
	proto_buf_append(&c->in, buf, (size_t)n);
	while ((rc = proto_take(&c->in, PROTO_MAX_REQUEST, &type, &payload, &len)) == 1) {
		if (type != PROTO_JSON)
			control_reply(c, PROTO_INVALID, "requests are JSON frames", NULL);
		else if (strlen(payload) != len)
			control_reply(c, PROTO_INVALID, "request contains a NUL byte", NULL);
		else
			control_request(r, c, payload);
		free(payload);
	}
	if (rc == -1) {
		/* The length cannot be trusted: nothing after it can be framed. Say so, hang up. */
		control_reply(c, PROTO_INVALID, "frame empty or larger than 64 KiB", NULL);
		c->in.len = 0;
		c->closing = 1;
	}
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

void
control_loop(struct rigd *r)
{
	/* Every board's console has a slot: no limit on boards but memory. */
	size_t max = 2 + CONTROL_MAX_CLIENTS + (size_t)r->nboards;
	struct pollfd *pfd = xcalloc(max, sizeof(*pfd));
	int *slot = xcalloc(max, sizeof(*slot));
	int64_t last_tick = 0;

	while (!r->quit) {
		int n = 0, i, rc;
		int64_t now;

		pfd[n].fd = control_fd; pfd[n].events = POLLIN; slot[n++] = -1;
		pfd[n].fd = r->wake[0]; pfd[n].events = POLLIN; slot[n++] = -2;
		for (i = 0; i < r->nboards; i++) {
			int fd;
			pthread_mutex_lock(&r->boards[i]->lock);
			fd = r->boards[i]->con.fd;
			pthread_mutex_unlock(&r->boards[i]->lock);
			if (fd == -1)
				continue;
			pfd[n].fd = fd; pfd[n].events = POLLIN; slot[n++] = CONTROL_MAX_CLIENTS + i;
		}
		for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
			struct control_client *c = control_clients[i];
			if (c == NULL)
				continue;
			if (c->closing == 2 || (c->closing && c->out.len == 0)) {
				control_client_free(i);
				continue;
			}
			pfd[n].fd = c->fd;
			pfd[n].events = (c->closing ? 0 : POLLIN) | (c->out.len ? POLLOUT : 0);
			slot[n++] = i;
		}
		rc = poll(pfd, (nfds_t)n, control_wait_poll_ms(500));
		if (rc == -1 && errno != EINTR)
			fatal("poll");
		for (i = 0; rc > 0 && i < n; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (slot[i] == -1) {
				/* Take every waiting connection: a burst must not overflow the queue. */
				while (control_accept() == 0)
					;
			}
			else if (slot[i] == -2)
				control_drain_outbox(r);
			else if (slot[i] >= CONTROL_MAX_CLIENTS)
				board_console_read(r->boards[slot[i] - CONTROL_MAX_CLIENTS]);
			else if (control_clients[slot[i]]) {
				if (pfd[i].revents & POLLOUT)
					control_client_write(slot[i]);
				if (control_clients[slot[i]] &&
				    (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
					control_client_read(r, slot[i]);
			}
		}
		now = util_now_ms();
		if (now - last_tick >= 500) {
			last_tick = now;
			for (i = 0; i < r->nboards; i++)
				board_console_tick(r->boards[i], now);
		}
		control_wait_tick(r);
		if (r->reload) {
			r->reload = 0;
			scenset_reload(r);
			control_wait_reloaded();
		}
	}
	free(pfd);
	free(slot);
}
