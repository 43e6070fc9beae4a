/* control: the unix control socket, its event loop (clients, consoles, wake-ups), and the board and show commands. */
#include "rigd.h"
#include "control_wait.h"
#include "log.h"
#include "peer.h"
#include "proto.h"
#include "protect.h"
#include "report.h"
#include "util.h"
#include "views.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int control_fd = -1;		/* the listening socket: control_listen, then the loop */
static int control_lock_fd = -1;	/* SOCKET.lock, held while rigd lives (control_bind) */

/*
 * When many lines stream at once (CONTROL_CONSOLE_BUSY of them read within the last
 * CONTROL_CONSOLE_EVERY_MS), consoles are read in
 * sweeps CONTROL_CONSOLE_SWEEP_MS apart: each line's bytes of the interval in one read
 * (a UART driver hands bytes on at every FIFO interrupt; 256 lines woken for each would be
 * hundreds of thousands of wake-ups a second). The kernel holds what waits (the tty's buffers).
 * Fewer busy lines are read as bytes come: a pty whose QEMU exits drops what is unread, and a
 * board's last words before power-down are evidence.
 *
 * The sweep is half the time that fills the tty's line buffer (4 KB, n_tty) at the fastest
 * line the rig serves (1.8432 Mbaud, R-Car HSCIF: 22 ms). A full buffer stops the tty's flip
 * worker, and every read then queues it again and wakes a kworker: at 20 ms sweeps, a sweep a
 * little late left the buffers full and nearly every read paid that (queue_work_on was 17% of
 * rigd's CPU at 256 lines). Twice the reads, each half as big, cost less.
 */
#define CONTROL_CONSOLE_EVERY_MS	20
#define CONTROL_CONSOLE_SWEEP_MS	10
#define CONTROL_CONSOLE_BUSY		16
#define CONTROL_ACCEPT_BURST		256	/* connections taken per turn of the loop */

/* 1 when something accepts connections at sa (a live rigd; a stale socket refuses them). */
static int
control_answers(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

	ok = fd != -1 && connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	if (fd != -1)
		close(fd);
	return ok;
}

/*
 * One rigd per socket: SOCKET.lock is held for rigd's life, and a socket that still answers
 * (a rigd of before the lock) is left alone too; only a stale socket is replaced, and a path
 * that is no socket never. The socket is born 0600 (its mode is set before bind), bound here
 * and listened on by control_listen: until then a client is refused, not left waiting.
 */
int
control_bind(struct rigd *r)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char lock[sizeof(r->sockpath) + 8];
	struct stat st;
	int fd;

	if (util_strlcpy(sa.sun_path, r->sockpath, sizeof(sa.sun_path)) >= sizeof(sa.sun_path)) {
		log_warnx("%s: socket path too long", r->sockpath);
		return -1;
	}
	util_fmt(lock, sizeof(lock), "%s.lock", r->sockpath);
	control_lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (control_lock_fd == -1) {
		log_warn("%s", lock);
		return -1;
	}
	if (flock(control_lock_fd, LOCK_EX | LOCK_NB) == -1) {
		log_warnx("%s: another rigd serves this socket (it holds %s)", r->sockpath, lock);
		return -1;
	}
	if (lstat(r->sockpath, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_warnx("%s: exists and is not a socket: left alone", r->sockpath);
			return -1;
		}
		if (control_answers(&sa)) {
			log_warnx("%s: another rigd serves this socket", r->sockpath);
			return -1;
		}
		unlink(r->sockpath);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1 || fchmod(fd, 0600) == -1) {
		log_warn("socket");
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		log_warn("%s", r->sockpath);
		close(fd);
		return -1;
	}
	control_fd = fd;
	return 0;
}

/* The socket bound by control_bind is given to the rig group as 0660 once it listens. */
int
control_listen(struct rigd *r)
{
	if (listen(control_fd, SOMAXCONN) == -1) {
		log_warn("%s", r->sockpath);
		return -1;
	}
	/*
	 * The group's members may connect; rigd checks each peer's credentials again
	 * (control_admit.c). Without the group on this host, root and rigd's own user only. The
	 * mode changes last, after listen: rigctl wait rigd takes that as its cue.
	 */
	if ((peer_group_gid() != -1 &&
	    lchown(r->sockpath, (uid_t)-1, (gid_t)peer_group_gid()) == -1) ||
	    chmod(r->sockpath, 0660) == -1) {
		log_warn("%s", r->sockpath);
		return -1;
	}
	if (peer_group_gid() == -1)
		log_warnx("%s: no group %s on this host: only root and rigd's own user may connect"
		    " (make deps, or rigd -g)", r->sockpath, peer_group_name());
	return 0;
}

static void
control_sink_post(void *arg, uint64_t client, enum proto_event ev, cJSON *o)
{
	control_post_event(arg, client, ev, o);
}

/* The clients of the control socket, then those of the shared console. */
static void
control_sink_console(void *arg, struct board *b, const char *buf, size_t len)
{
	control_console(arg, b, buf, len);
	console_share_feed(b, buf, len);
}

static int
control_sink_watched(void *arg, struct board *b)
{
	(void)arg;
	return control_console_watched() || console_share_watched(b);
}

static void
control_sink_wake(void *arg)
{
	control_wake(arg);
}

static void
control_sink_watchers(void *arg, struct board *b, enum proto_event ev, cJSON *o)
{
	control_post_watchers(arg, b, ev, o);
}

void
control_sink(struct rigd *r, struct board_sink *sink)
{
	sink->arg = r;
	sink->post = control_sink_post;
	sink->console = control_sink_console;
	sink->watched = control_sink_watched;
	sink->wake = control_sink_wake;
	sink->watchers = control_sink_watchers;
}

/*
 * A run the board refuses (a step on a device it protects). Nothing is queued, powered or
 * stored: the request was wrong, the board and the kernel did nothing, so no run row (an error
 * run would count as a lab failure in the history and be retried by a nightly). The answer
 * carries the kind, for programs, besides the sentence.
 */
static void
control_run_refused(struct control_client *c, struct board *b, enum error_kind kind,
    const char *msg)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "kind", error_kind_name(kind));
	cJSON_AddStringToObject(o, "board", b->conf.name);
	log_warnx("%s", msg);
	control_reply(c, PROTO_DENIED, msg, o);
}

/* The board named name; NULL after replying that there is none. */
struct board *
control_board_named(struct rigd *r, struct control_client *c, const char *name)
{
	struct board *b = board_find(r, name);
	char msg[512];

	if (b == NULL) {
		util_fmt(msg, sizeof(msg), "no board %s", name);
		control_reply(c, PROTO_NOSUCH, msg, NULL);
	}
	return b;
}

/*
 * 1 when b takes jobs; else replies busy with why and returns 0. A board missing a part is
 * asked again: the job finds it plugged in, or says what.
 */
int
control_board_serves(struct control_client *c, struct board *b)
{
	char msg[512];

	if (board_state(b) != BOARD_FAULT || board_missing_part(b))
		return 1;
	pthread_mutex_lock(&b->lock);
	util_fmt(msg, sizeof(msg), "board %s is out of service: %s", b->conf.name, b->reason);
	pthread_mutex_unlock(&b->lock);
	control_reply(c, PROTO_BUSY, msg, NULL);
	return 0;
}

/* A job of kind for c, on the build req names (none: the board's); NULL after replying. */
struct board_job *
control_job_new(struct rigd *r, struct control_client *c, cJSON *req, enum board_job_kind kind)
{
	struct board_job *job = xcalloc(1, sizeof(*job));
	enum error_kind ek = ERROR_NONE;
	char err[256];

	job->kind = kind;
	job->client = control_id(c);
	job->uid = control_uid(c);
	if (control_str(req, "build") == NULL)
		return job;
	job->build_id = report_build_find(r->store, control_str(req, "build"), err, sizeof(err),
	    &ek);
	if (job->build_id > 0)
		return job;
	board_job_free(job);
	control_reply(c, control_status(ek), err, NULL);
	return NULL;
}

/* Logs action as c's and queues job on b; c hears how many jobs wait before it. */
void
control_job_queue(struct rigd *r, struct control_client *c, struct board *b,
    struct board_job *job, const char *action)
{
	char msg[128];
	int pos;

	control_action(r, control_uid(c), action);
	control_wait_result(c);
	pos = board_enqueue(b, job);
	if (pos > 0) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "board", b->conf.name);
		util_fmt(msg, sizeof(msg), "queued behind %d job(s) on %s", pos, b->conf.name);
		cJSON_AddStringToObject(o, "msg", msg);
		control_event(c, PROTO_EV_LOG, o);
	}
}

/*
 * A run on a board another host of the lab serves: queued for that host in the store
 * (labrun.c). Refused here when the board is reserved: that host takes no queued job while a
 * reservation holds its board, and a client must not wait for the lease's end unawares.
 */
static void
control_run_lab(struct rigd *r, struct control_client *c, cJSON *req, const char *board,
    const char *scenario)
{
	enum error_kind kind;
	char msg[512], host[64] = "";
	cJSON *o;

	/*
	 * This host's own board, stored by an earlier start but not served now (-B): queued for
	 * this host, nobody would ever take it.
	 */
	if (hosts_seen_board(board, host, sizeof(host), NULL, 0) != -1 &&
	    strcmp(host, r->host) == 0) {
		util_fmt(msg, sizeof(msg), "no board %s: host %s does not serve it now", board,
		    host);
		control_reply(c, PROTO_NOSUCH, msg, NULL);
		return;
	}
	/*
	 * Refused here as a local run would be; let through, the job carries the caller's uid and
	 * the board's host judges it again when it takes it (the holder's goes on while the
	 * lease holds; another's queued before the lease began is refused then).
	 */
	kind = reserve_check(r, board, control_peer(c), "run on it", msg, sizeof(msg), NULL);
	if (kind != ERROR_NONE) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", error_kind_name(kind));
		cJSON_AddStringToObject(o, "board", board);
		control_reply(c, kind == ERROR_RESERVED ? PROTO_BUSY : PROTO_FAILED, msg, o);
		return;
	}
	labrun_start(r, c, board, scenario, control_str(req, "build"));
}

static void
control_cmd_run(struct rigd *r, struct control_client *c, cJSON *req)
{
	const char *name = control_str(req, "scenario"), *bname = control_str(req, "board");
	const struct scenario *sc;
	struct board *b = NULL, *refuser = NULL, *held = NULL;
	struct board_job *job;
	enum error_kind kind;
	char msg[512];
	int i;

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
		if (b == NULL && hosts_board_known(r, bname)) {
			control_run_lab(r, c, req, bname, name);
			return;
		}
		if (b == NULL) {
			util_fmt(msg, sizeof(msg), "no board %s", bname);
			control_reply(c, PROTO_NOSUCH, msg, NULL);
			return;
		}
		kind = protect_runnable(&b->conf, sc, msg, sizeof(msg));
		if (kind == ERROR_SCEN_CLASS) {
			util_fmt(msg, sizeof(msg), "board %s offers no device for %s", bname, name);
			control_reply(c, PROTO_NOSUCH, msg, NULL);
			return;
		}
		if (kind != ERROR_NONE) {
			control_run_refused(c, b, kind, msg);
			return;
		}
		if (reserve_refused(r, c, b, "run on it"))
			return;
	} else {
		/* The first board that offers every class, preferring one with the shortest queue. */
		for (i = 0; i < r->nboards; i++) {
			struct board *x = r->boards[i];

			kind = protect_runnable(&x->conf, sc, NULL, 0);
			if (kind == ERROR_SCEN_PROTECTED && refuser == NULL)
				refuser = x;
			/* Out of service is no choice; a board named explicitly says why below. */
			if (kind != ERROR_NONE || board_state(x) == BOARD_FAULT)
				continue;
			/* Nor is a board another holds (reserve.c). */
			if (reserve_check(r, x->conf.name, control_peer(c), "run on it", msg,
			    sizeof(msg), NULL) != ERROR_NONE) {
				if (held == NULL)
					held = x;
				continue;
			}
			if (b == NULL || board_queued(x) < board_queued(b))
				b = x;
		}
		/* The only boards with the devices are reserved: say by whom. */
		if (b == NULL && held != NULL && reserve_refused(r, c, held, "run on it"))
			return;
		if (b == NULL && refuser != NULL) {
			/* The only boards with the devices refuse it: say why, not "none offers". */
			kind = protect_runnable(&refuser->conf, sc, msg, sizeof(msg));
			control_run_refused(c, refuser, kind, msg);
			return;
		}
		if (b == NULL) {
			util_fmt(msg, sizeof(msg), "no board offers the devices %s needs", name);
			control_reply(c, PROTO_NOSUCH, msg, NULL);
			return;
		}
	}
	if (!control_board_serves(c, b))
		return;
	if ((job = control_job_new(r, c, req, JOB_RUN)) == NULL)
		return;
	job->scenario = sc;
	job->scens = scenset_hold(r);
	job->progress = cJSON_IsTrue(cJSON_GetObjectItem(req, "progress"));
	util_fmt(msg, sizeof(msg), "run %s on %s", name, b->conf.name);
	control_job_queue(r, c, b, job, msg);
}

static void
control_cmd_power(struct rigd *r, struct control_client *c, cJSON *req)
{
	const char *bname = control_str(req, "board"), *action = control_str(req, "action");
	struct board *b;
	struct board_job *job;
	char msg[256];

	if (bname == NULL || action == NULL || (strcmp(action, "on") && strcmp(action, "off") &&
	    strcmp(action, "cycle") && strcmp(action, "confirm"))) {
		control_reply(c, PROTO_INVALID, "power: board and on|off|cycle|confirm required",
		    NULL);
		return;
	}
	if ((b = control_board_named(r, c, bname)) == NULL)
		return;
	if (reserve_refused(r, c, b, "power it"))
		return;
	/*
	 * A person says the switching asked of them is done: answered here, not queued, since
	 * the board's thread is the one waiting for it (power manual).
	 */
	if (strcmp(action, "confirm") == 0) {
		char err[256];

		if (b->power == NULL || power_confirm(b->power, err, sizeof(err)) == -1) {
			control_reply(c, PROTO_FAILED, b->power ? err : b->refused, NULL);
			return;
		}
		util_fmt(msg, sizeof(msg), "power %s confirm", bname);
		control_action(r, control_uid(c), msg);
		control_reply(c, PROTO_OK, NULL, NULL);
		return;
	}
	job = xcalloc(1, sizeof(*job));
	job->kind = JOB_POWER;
	job->client = control_id(c);
	job->uid = control_uid(c);
	util_strlcpy(job->action, action, sizeof(job->action));
	util_fmt(msg, sizeof(msg), "power %s %s", bname, action);
	control_action(r, control_uid(c), msg);
	control_wait_result(c);
	board_enqueue(b, job);
}

/* Drops a board's pinned SSH host key: done by the board's thread, which owns its state. */
static void
control_cmd_forget_key(struct rigd *r, struct control_client *c, cJSON *req)
{
	const char *bname = control_str(req, "board");
	struct board *b = bname ? board_find(r, bname) : NULL;
	struct board_job *job;
	char msg[128];

	if (b == NULL) {
		control_reply(c, PROTO_NOSUCH, "forget-key: no such board", NULL);
		return;
	}
	job = xcalloc(1, sizeof(*job));
	job->kind = JOB_FORGET_KEY;
	job->client = control_id(c);
	job->uid = control_uid(c);
	util_fmt(msg, sizeof(msg), "forget-key %s", bname);
	control_action(r, control_uid(c), msg);
	control_wait_result(c);
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
		/*
		 * The store unreachable: this host's boards are still listed (each saying the
		 * store's health), the lab's others are not known now.
		 */
		if (hosts_show_boards(r, items) == -1)
			log_warnx("show boards: the lab's other boards not read: %s",
			    store_last_error());
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
		/* Each build's runs are counted over the whole history: a report thread's work. */
		control_cmd_report(r, c, req, "show");
		return;
	} else if (strcmp(what, "queue") == 0) {
		o = views_queue(r->store);
		if (o == NULL)
			control_reply(c, PROTO_FAILED, "store query failed", NULL);
		else
			control_reply(c, PROTO_OK, NULL, o);
		return;
	} else if (strcmp(what, "surveys") == 0) {
		items = views_surveys(r->store, 20);
	} else if (strcmp(what, "crashes") == 0) {
		items = views_crash_groups(r->store);
	} else if (strcmp(what, "events") == 0) {
		items = views_board_events(r->store, 500);
	} else if (strcmp(what, "boots") == 0) {
		items = views_boots(r->store, 500);
	} else if (strcmp(what, "reservations") == 0) {
		const char *bname = control_str(req, "board");

		if (bname && !hosts_board_known(r, bname)) {
			control_reply(c, PROTO_NOSUCH, "show reservations: no such board", NULL);
			return;
		}
		items = reserve_show(r->store, bname);
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
		control_reply(c, PROTO_INVALID, "show: boards, scenarios, runs, builds, queue, crashes, events, boots, reservations or run ID", NULL);
		return;
	}
	if (items == NULL) {
		char msg[300];

		/* Why, in the engine's words ("PostgreSQL connection lost ..."): this thread's. */
		util_fmt(msg, sizeof(msg), "store query failed%s%s", store_last_error()[0] ?
		    ": " : "", store_last_error());
		control_reply(c, PROTO_FAILED, msg, NULL);
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

	if (b == NULL && bname != NULL && hosts_console(r, c, bname))
		return;		/* another host's: where it is, or why not from here */
	if (b == NULL) {
		control_reply(c, PROTO_NOSUCH, "console: no such board", NULL);
		return;
	}
	control_watch_console(c, b);
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
	if (control_busy(c)) {
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
	} else if (strcmp(cmd, "run") == 0 || strcmp(cmd, "power") == 0 ||
	    strcmp(cmd, "survey") == 0) {
		if (!control_may_change(c))
			control_reply(c, PROTO_DENIED, "only the rig group's members may do that",
			    NULL);
		else if (strcmp(cmd, "run") == 0)
			control_cmd_run(r, c, req);
		else if (strcmp(cmd, "survey") == 0)
			control_cmd_survey(r, c, req);
		else
			control_cmd_power(r, c, req);
	} else if (strcmp(cmd, "reserve") == 0 || strcmp(cmd, "extend") == 0 ||
	    strcmp(cmd, "release") == 0) {
		if (!control_may_change(c))
			control_reply(c, PROTO_DENIED, "only the rig group's members may do that",
			    NULL);
		else
			control_cmd_reserve(r, c, req, cmd);
	} else if (strcmp(cmd, "ssh") == 0) {
		if (!control_may_change(c))
			control_reply(c, PROTO_DENIED, "only the rig group's members may do that",
			    NULL);
		else
			control_cmd_ssh(r, c, req);
	} else if (strcmp(cmd, "wait") == 0) {
		control_cmd_wait(r, c, req);
	} else if (strcmp(cmd, "console") == 0) {
		control_cmd_console(r, c, req);
	} else if (strcmp(cmd, "console-web") == 0) {
		if (!control_may_change(c))
			control_reply(c, PROTO_DENIED, "only the rig group's members may do that",
			    NULL);
		else
			control_cmd_console_web(r, c, req);
	} else if (strcmp(cmd, "matrix") == 0 || strcmp(cmd, "compare") == 0 ||
	    strcmp(cmd, "export") == 0) {
		control_cmd_report(r, c, req, cmd);
	} else if (strcmp(cmd, "forget-key") == 0) {
		if (!control_may_change(c))
			control_reply(c, PROTO_DENIED, "only root or rigd's own user may do that",
			    NULL);
		else
			control_cmd_forget_key(r, c, req);
	} else if (strcmp(cmd, "build-add") == 0 || strcmp(cmd, "nightly") == 0 ||
	    strcmp(cmd, "bisect") == 0) {
		if (!control_may_change(c))
			control_reply(c, PROTO_DENIED, "only the rig group's members may do that",
			    NULL);
		else if (strcmp(cmd, "build-add") == 0)
			control_cmd_build_add(r, c, req);
		else if (strcmp(cmd, "bisect") == 0)
			control_cmd_bisect(r, c, req);
		else
			control_cmd_nightly(r, c, req);
	} else {
		char msg[128];
		util_fmt(msg, sizeof(msg), "unknown cmd %.64s", cmd);
		control_reply(c, PROTO_INVALID, msg, NULL);
	}
	cJSON_Delete(req);
}

void
control_loop(struct rigd *r)
{
	/* Every board's console has a slot: no limit on boards but memory. */
	size_t max = 2 + CONTROL_MAX_CLIENTS + (size_t)r->nboards * (1 + CONSOLE_SHARE_SLOTS);
	struct pollfd *pfd = xcalloc(max, sizeof(*pfd));
	int *slot = xcalloc(max, sizeof(*slot));
	int64_t last_tick = 0, last_sweep = 0, win_start = 0, win = 1;
	int64_t *seen = xcalloc((size_t)r->nboards + 1, sizeof(*seen));	/* window of a board's last read */
	/*
	 * Lines read in each of the last two windows, and so far in this one. Two: sweeps come a
	 * little more than a window apart, so now and then a window holds none, and one window's
	 * count alone would drop a flooded rig into reading as bytes come (tiny reads, a poll per
	 * line: measured, eleven times the polls) until the next window.
	 */
	int busy1 = 0, busy2 = 0, lines = 0, busy;

	while (!r->quit) {
		struct control_client *c;
		char *payload;
		int n = 0, i, k, rc, timeout = control_wait_poll_ms(500), consoles;
		int64_t now = util_now_ms();

		pfd[n].fd = control_fd; pfd[n].events = POLLIN; slot[n++] = -1;
		pfd[n].fd = r->wake[0]; pfd[n].events = POLLIN; slot[n++] = -2;
		if (now - win_start >= CONTROL_CONSOLE_EVERY_MS) {
			busy2 = busy1;
			busy1 = lines;
			lines = 0;
			win_start = now;
			win++;
		}
		busy = busy1 > busy2 ? busy1 : busy2;
		if (lines > busy)
			busy = lines;
		/* Between sweeps the consoles are left to fill; the loop serves clients meanwhile. */
		consoles = busy < CONTROL_CONSOLE_BUSY || now - last_sweep >= CONTROL_CONSOLE_SWEEP_MS;
		if (!consoles && timeout > (int)(last_sweep + CONTROL_CONSOLE_SWEEP_MS - now))
			timeout = (int)(last_sweep + CONTROL_CONSOLE_SWEEP_MS - now);
		for (i = 0; consoles && i < r->nboards; i++) {
			int fd;
			pthread_mutex_lock(&r->boards[i]->lock);
			fd = r->boards[i]->con.fd;
			pthread_mutex_unlock(&r->boards[i]->lock);
			if (fd == -1)
				continue;
			pfd[n].fd = fd; pfd[n].events = POLLIN; slot[n++] = CONTROL_MAX_CLIENTS + i;
		}
		n += control_client_poll(pfd + n, slot + n);
		n += console_share_poll(r, pfd + n, slot + n);
		rc = poll(pfd, (nfds_t)n, timeout);
		if (rc == -1 && errno != EINTR)
			fatal("poll");
		if (consoles && rc > 0)
			last_sweep = util_now_ms();
		for (i = 0; rc > 0 && i < n; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (slot[i] == -1) {
				/*
				 * Take the waiting connections, a burst's worth at a time: the
				 * queue does not overflow, and one who reconnects without end
				 * does not keep the loop from the others.
				 */
				for (k = 0; k < CONTROL_ACCEPT_BURST &&
				    control_client_accept(control_fd) == 0; k++)
					;
			}
			else if (slot[i] == -2)
				control_drain_outbox(r);
			else if (slot[i] <= CONSOLE_SHARE_SLOT(0))
				console_share_io(r, slot[i], pfd[i].revents);
			else if (slot[i] >= CONTROL_MAX_CLIENTS) {
				int k = slot[i] - CONTROL_MAX_CLIENTS, j;

				/* The next console to read, fetched while this one is. */
				for (j = i + 1; j < n && slot[j] >= CONTROL_MAX_CLIENTS; j++)
					if (pfd[j].revents != 0) {
						board_console_prefetch(r->boards[slot[j] - CONTROL_MAX_CLIENTS]);
						break;
					}
				if (seen[k] != win) {
					seen[k] = win;
					lines++;
				}
				board_console_read(r->boards[k]);
			}
			else if ((c = control_client_io(slot[i], pfd[i].revents)) != NULL) {
				while ((payload = control_client_take(c)) != NULL) {
					control_request(r, c, payload);
					free(payload);
				}
			}
		}
		now = util_now_ms();
		if (now - last_tick >= 500) {
			last_tick = now;
			for (i = 0; i < r->nboards; i++)
				board_console_tick(r->boards[i], now);
		}
		control_wait_tick(r);
		reserve_tick(r);
		hosts_tick(r);
		if (r->reload) {
			r->reload = 0;
			/* logrotate moved the -l file: lines go to the new one from now. */
			if (log_reopen() == -1)
				log_warn("log file not reopened");
			scenset_reload(r);
			control_wait_reloaded();
		}
	}
	free(pfd);
	free(slot);
	free(seen);
}
