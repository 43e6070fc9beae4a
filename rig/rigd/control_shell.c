/* control_shell: rigctl ssh: who may have a shell on a board, and the thread that relays it between the client and the board. */
#include "rigd.h"
#include "log.h"
#include "peer.h"
#include "proto.h"
#include "remote.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * A shell is a thread and an SSH session of its own (the board's thread keeps its session for
 * runs; a libssh session is one thread's): the event loop only decides, the thread waits on
 * the board and the client, never the loop on either.
 */
#define CONTROL_SHELL_MAX		16		/* at once, all boards; more are told busy */
#define CONTROL_SHELL_CONNECT_MS	10000
/* How often the thread looks at the lease, the board and rigd: a lease's end closes it within this. */
#define CONTROL_SHELL_TICK_MS		500
/* Output held for a client that reads slowly: beyond it the board is not read (it waits). */
#define CONTROL_SHELL_OUT_MAX		(256 * 1024)
/* At the end, how long a client that does not read is given for the last output. */
#define CONTROL_SHELL_DRAIN_MS		10000

static pthread_mutex_t control_shell_lock = PTHREAD_MUTEX_INITIALIZER;
static int control_shells;	/* control_shell_lock: threads running */

/* How a session ended: its result. */
enum control_shell_end {
	SHELL_EXITED,		/* the shell exited: its status */
	SHELL_LEASE_OVER,	/* the reservation it belongs to ended */
	SHELL_BOARD_DOWN,	/* the board went off or is booting again */
	SHELL_STOPPING,		/* rigd is stopping */
	SHELL_LOST,		/* the SSH session failed */
	SHELL_BAD_INPUT,	/* the client sent a frame that is no shell input */
	SHELL_CLIENT_GONE,	/* the client hung up: nobody to tell */
};

/* One shell: made by the event loop, then its thread's alone. */
struct control_shell {
	struct rigd		*r;
	struct board		*b;
	uint64_t		 client;
	long			 uid;
	int			 fd;		/* the thread's copy of the client's socket */
	struct proto_buf	 in;		/* from the client, not framed yet */
	struct proto_buf	 out;		/* to the client: whole frames */
	struct proto_buf	 input;		/* input bytes waiting for the board's window */
	int			 input_eof;	/* 'E' came: sent once input is out */
	int			 eof_sent;
	int			 pty, cols, rows;
	char			 term[64];
	int64_t			 reservation;	/* the lease the shell belongs to */
	char			 host[64];
	int			 port;
	char			 pinned[128];
	int64_t			 opened;	/* wall clock, ms */
	char			 why[512];	/* how it ended, for people */
};

/* A terminal type as the board's terminfo names it: letters, digits and ._+- only. */
static int
control_shell_term_ok(const char *t)
{
	size_t n = strlen(t);

	return n > 0 && n < 64 && strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._+-") == n;
}

/* A size field of the request: absent (def), else a number 1 .. 65535; -1 when bad. */
static int
control_shell_size(cJSON *req, const char *key, int def)
{
	cJSON *v = cJSON_GetObjectItem(req, key);

	if (v == NULL)
		return def;
	if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 65535 ||
	    v->valuedouble != (int)v->valuedouble)
		return -1;
	return (int)v->valuedouble;
}

/* The frames in x->out to the client, without waiting: 0, or -1 once it is gone. */
static int
control_shell_flush(struct control_shell *x)
{
	while (x->out.len > 0) {
		ssize_t n = send(x->fd, x->out.data, x->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			proto_buf_consume(&x->out, (size_t)n);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return -1;
	}
	return 0;
}

/* The client's frames into input, window sizes to the board: 0, or -1 (SHELL_BAD_INPUT, why). */
static int
control_shell_take(struct control_shell *x, struct remote_shell *sh)
{
	struct proto_shell_in in;
	char *data;
	size_t len;
	int rc;

	/* One frame's bytes pending at most: the client's socket holds the rest (it waits). */
	while (x->input.len == 0 &&
	    (rc = proto_shell_take(&x->in, &in, &data, &len, x->why, sizeof(x->why))) != 0) {
		if (rc == -1)
			return -1;
		if (in.type == PROTO_SHELL_IN && x->input_eof) {
			util_fmt(x->why, sizeof(x->why), "shell: input after its end ('I' after 'E')");
			free(data);
			return -1;
		}
		if (in.type == PROTO_SHELL_IN)
			proto_buf_append(&x->input, data, len);
		else if (in.type == PROTO_SHELL_EOF)
			x->input_eof = 1;
		else if (remote_shell_resize(sh, in.cols, in.rows) == -1)
			log_warnx("%s: shell of uid %ld: the new window size %dx%d not sent",
			    x->b->conf.name, x->uid, in.cols, in.rows);
		free(data);
	}
	return 0;
}

/* Pending input, as much as the board's window takes now; then the end of input. 0, or -1. */
static int
control_shell_feed(struct control_shell *x, struct remote_shell *sh)
{
	size_t room = remote_shell_room(sh), n = x->input.len < room ? x->input.len : room;

	if (n > 0) {
		if (remote_shell_write(sh, x->input.data, n) == -1)
			return -1;
		proto_buf_consume(&x->input, n);
	}
	if (x->input_eof && x->input.len == 0 && !x->eof_sent) {
		x->eof_sent = 1;
		if (remote_shell_eof(sh) == -1)
			return -1;
	}
	return 0;
}

/* What the board printed into out, up to its bound: 0, 1 more waits, REMOTE_SHELL_END, -1. */
static int
control_shell_drain(struct control_shell *x, struct remote_shell *sh)
{
	char buf[16384];
	int n, is_err;

	while (x->out.len < CONTROL_SHELL_OUT_MAX) {
		n = remote_shell_read(sh, buf, sizeof(buf), &is_err);
		if (n <= 0)
			return n;
		proto_frame(&x->out, is_err ? PROTO_SHELL_ERR : PROTO_SHELL_OUT, buf, (size_t)n);
	}
	return 1;
}

/* 1 when the reservation the shell belongs to is over (x->why says so). */
static int
control_shell_lease_over(struct control_shell *x)
{
	struct store_reservation res;
	int rc = store_reservation_at(x->r->store, x->b->conf.name, util_wall_ms(), &res);

	/* The store unable to say (rc -1) is no end of the lease: asked again next time. */
	if (rc == 1 && res.id == x->reservation)
		return 0;
	if (rc == -1)
		return 0;
	util_fmt(x->why, sizeof(x->why), "reservation %lld of %s ended: the shell is closed",
	    (long long)x->reservation, x->b->conf.name);
	return 1;
}

/* Whether the shell may go on: SHELL_EXITED when it may, else why not (x->why says it). */
static enum control_shell_end
control_shell_look(struct control_shell *x)
{
	enum board_state s;

	if (board_stopping(x->b)) {
		util_fmt(x->why, sizeof(x->why), "rigd is stopping: the shell on %s is closed",
		    x->b->conf.name);
		return SHELL_STOPPING;
	}
	if (control_shell_lease_over(x))
		return SHELL_LEASE_OVER;
	s = board_state(x->b);
	if (s == BOARD_OFF || s == BOARD_BOOTING || s == BOARD_RECOVERING || s == BOARD_DEAD ||
	    s == BOARD_FAULT) {
		util_fmt(x->why, sizeof(x->why), "%s is %s now: the shell on it is closed",
		    x->b->conf.name, board_state_name(s));
		return SHELL_BOARD_DOWN;
	}
	return SHELL_EXITED;
}

/* Relays until the shell exits or must end: how it ended (x->why says it for the others). */
static enum control_shell_end
control_shell_relay(struct control_shell *x, struct remote_shell *sh)
{
	int64_t next_look = util_now_ms() + CONTROL_SHELL_TICK_MS;
	enum control_shell_end end;
	int more = 0, rc;

	for (;;) {
		struct pollfd p[2] = { { .fd = x->fd }, { .fd = remote_shell_fd(sh) } };
		int64_t now = util_now_ms();
		char buf[16384];
		ssize_t n;

		if (now >= next_look) {
			next_look = now + CONTROL_SHELL_TICK_MS;
			if ((end = control_shell_look(x)) != SHELL_EXITED)
				return end;
		}
		if (control_shell_take(x, sh) == -1)
			return SHELL_BAD_INPUT;
		rc = control_shell_drain(x, sh);
		if (rc == REMOTE_SHELL_END)
			return SHELL_EXITED;
		if (rc == -1 || control_shell_feed(x, sh) == -1) {
			util_fmt(x->why, sizeof(x->why), "ssh %s: the session was lost",
			    x->b->conf.name);
			return SHELL_LOST;
		}
		more = rc == 1;
		if (control_shell_flush(x) == -1)
			return SHELL_CLIENT_GONE;
		/* The client is read while its frames are taken; the board while out has room. */
		if (x->input.len == 0 && x->in.len <= PROTO_MAX_REQUEST + 5)
			p[0].events |= POLLIN;
		if (x->out.len > 0)
			p[0].events |= POLLOUT;
		if (x->out.len < CONTROL_SHELL_OUT_MAX)
			p[1].events = POLLIN;
		if (poll(p, 2, more && x->out.len < CONTROL_SHELL_OUT_MAX ? 0 :
		    (int)(next_look - util_now_ms() > 0 ? next_look - util_now_ms() : 0)) == -1 &&
		    errno != EINTR) {
			util_fmt(x->why, sizeof(x->why), "poll: %s", strerror(errno));
			return SHELL_LOST;
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(x->fd, buf, sizeof(buf));
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
			return SHELL_CLIENT_GONE;
		if (n > 0)
			proto_buf_append(&x->in, buf, (size_t)n);
	}
}

/* The last output to the client, waiting a while for it to read: 0, or -1 (the stream is cut). */
static int
control_shell_drain_out(struct control_shell *x)
{
	int64_t deadline = util_now_ms() + CONTROL_SHELL_DRAIN_MS;

	while (x->out.len > 0) {
		struct pollfd p = { .fd = x->fd, .events = POLLOUT };
		int64_t left = deadline - util_now_ms();

		if (control_shell_flush(x) == -1 || left <= 0)
			return -1;
		if (x->out.len > 0 && poll(&p, 1, (int)left) == -1 && errno != EINTR)
			return -1;
	}
	return 0;
}

/* Who had the shell, on which board, from when to when, and how it ended: rigd's log and store. */
static void
control_shell_record(struct control_shell *x, const char *how)
{
	char msg[900], t[32];
	int64_t now = util_wall_ms();

	util_fmt(msg, sizeof(msg), "ssh %s: shell closed: %s (opened %s, %lld.%01lld s,"
	    " reservation %lld)", x->b->conf.name, how, util_iso_time(x->opened, t, sizeof(t)),
	    (long long)((now - x->opened) / 1000), (long long)((now - x->opened) % 1000 / 100),
	    (long long)x->reservation);
	control_action(x->r, x->uid, msg);
}

/* The session from connection to result. */
static void
control_shell_session(struct control_shell *x)
{
	struct remote_hostkey hk = { .pinned = x->pinned };
	struct remote_shell *sh = NULL;
	struct remote *ssh;
	enum control_shell_end end;
	char err[512], msg[256], how[600];
	const char *status = PROTO_OK;
	cJSON *extra = NULL;
	int code = -1;

	ssh = remote_connect(x->host, x->port, x->b->conf.ssh_user, x->r->keyfile,
	    CONTROL_SHELL_CONNECT_MS, &hk, err, sizeof(err));
	if (ssh)
		sh = remote_shell_open(ssh, x->pty, x->term, x->cols, x->rows, err, sizeof(err));
	if (sh == NULL) {
		log_warnx("%s: shell of uid %ld: %s", x->b->conf.name, x->uid, err);
		remote_close(ssh);
		control_post_stream_end(x->r, x->client, PROTO_FAILED, err);
		return;
	}
	x->opened = util_wall_ms();
	if (x->pty)
		util_fmt(msg, sizeof(msg), "ssh %s: shell opened (reservation %lld, %s %dx%d)",
		    x->b->conf.name, (long long)x->reservation, x->term, x->cols, x->rows);
	else
		util_fmt(msg, sizeof(msg), "ssh %s: shell opened (reservation %lld, no terminal)",
		    x->b->conf.name, (long long)x->reservation);
	control_action(x->r, x->uid, msg);
	end = control_shell_relay(x, sh);
	/* The lease's end resets the board: a session lost with it was closed by the lease. */
	if ((end == SHELL_LOST || end == SHELL_BOARD_DOWN) && control_shell_lease_over(x))
		end = SHELL_LEASE_OVER;
	if (end == SHELL_EXITED) {
		/* Output that came with the end: all of it before the result. */
		while (control_shell_drain(x, sh) == 1 && control_shell_drain_out(x) == 0)
			;
		code = remote_shell_status(sh);
	}
	remote_shell_free(sh);
	remote_close(ssh);
	if (end != SHELL_CLIENT_GONE && control_shell_drain_out(x) == -1) {
		/* Part of a frame may be out: nothing can follow it. The loop sees the hang-up. */
		shutdown(x->fd, SHUT_RDWR);
		end = SHELL_CLIENT_GONE;
	}
	if (end == SHELL_EXITED && code >= 0) {
		util_fmt(how, sizeof(how), "exit %d", code);
		extra = cJSON_CreateObject();
		cJSON_AddNumberToObject(extra, "exit", code);
	} else if (end == SHELL_EXITED) {
		util_fmt(x->why, sizeof(x->why), "the shell on %s ended without an exit status (a"
		    " signal?)", x->b->conf.name);
		util_fmt(how, sizeof(how), "no exit status");
		status = PROTO_FAILED;
	} else if (end == SHELL_CLIENT_GONE) {
		util_fmt(how, sizeof(how), "the client hung up");
	} else {
		util_fmt(how, sizeof(how), "%s", x->why);
		status = end == SHELL_BAD_INPUT ? PROTO_INVALID : end == SHELL_LEASE_OVER ?
		    PROTO_BUSY : PROTO_FAILED;
		if (end == SHELL_LEASE_OVER) {
			extra = cJSON_CreateObject();
			cJSON_AddNumberToObject(extra, "reservation", (double)x->reservation);
		}
	}
	control_shell_record(x, how);
	control_post_stream_result(x->r, x->client, status, strcmp(status, PROTO_OK) ? x->why :
	    NULL, extra);
}

static void *
control_shell_thread(void *arg)
{
	struct control_shell *x = arg;

	control_shell_session(x);
	close(x->fd);
	proto_buf_free(&x->in);
	proto_buf_free(&x->out);
	proto_buf_free(&x->input);
	free(x);
	pthread_mutex_lock(&control_shell_lock);
	control_shells--;
	pthread_mutex_unlock(&control_shell_lock);
	return NULL;
}

/*
 * Who may: the holder of the board's reservation now, or an admin (peer_may_act_for), so that
 * every shell is accounted to a lease and ends with it; a board nobody holds is reserved first,
 * by admins too. Replies and returns NULL when refused; the reservation's id otherwise.
 */
static int64_t
control_shell_allowed(struct rigd *r, struct control_client *c, struct board *b)
{
	struct store_reservation res;
	char msg[300];
	int rc;

	if (reserve_refused(r, c, b, "open a shell on it"))
		return 0;
	rc = store_reservation_at(r->store, b->conf.name, util_wall_ms(), &res);
	if (rc == 1)
		return res.id;
	if (rc == -1)
		util_fmt(msg, sizeof(msg), "%s: the store cannot say who holds it", b->conf.name);
	else
		util_fmt(msg, sizeof(msg), "%s is not reserved: reserve it first (rigctl reserve %s"
		    " --for DURATION); a shell belongs to a reservation and ends with it",
		    b->conf.name, b->conf.name);
	control_reply(c, rc == -1 ? PROTO_FAILED : PROTO_DENIED, msg, NULL);
	return 0;
}

void
control_cmd_ssh(struct rigd *r, struct control_client *c, cJSON *req)
{
	const char *bname = control_str(req, "board"), *term = control_str(req, "term");
	struct control_shell *x;
	struct board *b;
	enum board_state s;
	pthread_attr_t attr;
	pthread_t t;
	int64_t res;
	char msg[300];
	int pty = cJSON_IsTrue(cJSON_GetObjectItem(req, "pty")), cols, rows, busy;

	cols = control_shell_size(req, "cols", 80);
	rows = control_shell_size(req, "rows", 24);
	if (bname == NULL || (term && !control_shell_term_ok(term)) || cols == -1 || rows == -1) {
		control_reply(c, PROTO_INVALID, "ssh: a board, and a term of letters, digits and"
		    " ._+- with cols and rows 1 to 65535", NULL);
		return;
	}
	if ((b = control_board_named(r, c, bname)) == NULL)
		return;
	if ((res = control_shell_allowed(r, c, b)) == 0)
		return;
	x = xcalloc(1, sizeof(*x));
	pthread_mutex_lock(&b->lock);
	s = b->state;
	util_strlcpy(x->host, b->ssh_host, sizeof(x->host));
	x->port = b->ssh_port;
	util_strlcpy(x->pinned, b->host_key, sizeof(x->pinned));
	pthread_mutex_unlock(&b->lock);
	/* Up: booted and answering SSH. HUNG or CRASHED boards are not offered a new session. */
	if ((s != BOARD_READY && s != BOARD_RUNNING) || x->port == 0) {
		util_fmt(msg, sizeof(msg), "%s is %s: a shell needs it up (rigctl power %s on, then"
		    " rigctl wait board %s READY)", bname, board_state_name(s), bname, bname);
		control_reply(c, PROTO_BUSY, msg, NULL);
		free(x);
		return;
	}
	pthread_mutex_lock(&control_shell_lock);
	busy = control_shells >= CONTROL_SHELL_MAX;
	if (!busy)
		control_shells++;
	pthread_mutex_unlock(&control_shell_lock);
	if (busy) {
		control_reply(c, PROTO_BUSY, "too many shells at once: ask again later", NULL);
		free(x);
		return;
	}
	x->r = r;
	x->b = b;
	x->client = control_id(c);
	x->uid = control_uid(c);
	x->reservation = res;
	x->pty = pty;
	x->cols = cols;
	x->rows = rows;
	util_strlcpy(x->term, term ? term : "vt100", sizeof(x->term));
	x->fd = control_stream_both(c, &x->out, &x->in);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (x->fd == -1 || pthread_create(&t, &attr, control_shell_thread, x) != 0) {
		log_warnx("%s: no thread for a shell", bname);
		if (x->fd == -1)
			control_reply(c, PROTO_FAILED, "no shell: cannot copy the client's socket",
			    NULL);
		else {
			control_post_stream_end(r, x->client, PROTO_FAILED, "no thread for the shell");
			close(x->fd);
		}
		proto_buf_free(&x->in);
		proto_buf_free(&x->out);
		free(x);
		pthread_mutex_lock(&control_shell_lock);
		control_shells--;
		pthread_mutex_unlock(&control_shell_lock);
	}
	pthread_attr_destroy(&attr);
}
