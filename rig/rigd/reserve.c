/* reserve: reservations of board time over the control socket, written by the store's writer thread, and the rule they make while they hold. */
#include "rigd.h"
#include "log.h"
#include "peer.h"
#include "proto.h"
#include "storeq.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/*
 * A reserve, extend or release on its way to the store writer: the event loop checks what it
 * can alone (the board, the times' order), the writer checks against the stored windows and
 * writes in one transaction (store_reservations.c), then posts the reply.
 */
enum reserve_op { RESERVE_ADD, RESERVE_EXTEND, RESERVE_RELEASE };

struct reserve_req {
	struct rigd	*r;
	uint64_t	 client;
	enum reserve_op	 op;
	struct peer	 peer;
	char		 board[64];
	int64_t		 id, from_ms, until_ms, by_ms, for_ms;	/* for_ms: from now */
	char		 note[256];
};

/* A window for people: "2026-12-03T14:00:00.000Z to 2026-12-03T15:00:00.000Z". */
static void
reserve_window(int64_t from, int64_t until, char *buf, size_t len)
{
	char a[32], b[32];

	util_fmt(buf, len, "%s to %s", util_iso_time(from, a, sizeof(a)),
	    util_iso_time(until, b, sizeof(b)));
}

/* The reservation as the API gives it: times in ms (UTC) and ISO 8601, the holder by name. */
static cJSON *
reserve_json(const struct store_reservation *res, int64_t now)
{
	cJSON *o = cJSON_CreateObject();
	char name[64], t[32];
	const char *state;

	peer_user_name(res->uid, name, sizeof(name));
	cJSON_AddNumberToObject(o, "id", (double)res->id);
	cJSON_AddStringToObject(o, "board", res->board);
	cJSON_AddNumberToObject(o, "uid", (double)res->uid);
	cJSON_AddStringToObject(o, "holder", name);
	cJSON_AddNumberToObject(o, "from_ms", (double)res->start_ms);
	cJSON_AddNumberToObject(o, "until_ms", (double)res->end_ms);
	cJSON_AddStringToObject(o, "from", util_iso_time(res->start_ms, t, sizeof(t)));
	cJSON_AddStringToObject(o, "until", util_iso_time(res->end_ms, t, sizeof(t)));
	if (res->note[0])
		cJSON_AddStringToObject(o, "note", res->note);
	if (res->released_ms && res->end_ms == res->start_ms)
		state = "cancelled";
	else if (res->end_ms <= now)
		state = "past";
	else if (res->start_ms <= now)
		state = "current";
	else
		state = "future";
	cJSON_AddStringToObject(o, "state", state);
	if (res->warned_ms)
		cJSON_AddStringToObject(o, "warned_at", util_iso_time(res->warned_ms, t, sizeof(t)));
	/*
	 * Over: the board is power cycled and boots its default build before anyone else gets it
	 * (board_lease_reset); how that ended (ready, off, fault) and the board's reason then.
	 */
	if (res->reset_ms)
		cJSON_AddStringToObject(o, "reset_at", util_iso_time(res->reset_ms, t, sizeof(t)));
	if (res->reset_ms && res->reset_outcome != LEASE_RESET_UNKNOWN) {
		cJSON_AddStringToObject(o, "reset", lease_reset_name(res->reset_outcome));
		cJSON_AddStringToObject(o, "reset_reason", res->reset_detail);
	} else if (res->reset_ms == 0 && res->end_ms <= now && res->end_ms > res->start_ms)
		cJSON_AddStringToObject(o, "reset_at", "pending");
	if (res->released_ms) {
		peer_user_name(res->released_by, name, sizeof(name));
		cJSON_AddNumberToObject(o, "released_ms", (double)res->released_ms);
		cJSON_AddStringToObject(o, "released_at", util_iso_time(res->released_ms, t,
		    sizeof(t)));
		cJSON_AddNumberToObject(o, "released_by_uid", (double)res->released_by);
		cJSON_AddStringToObject(o, "released_by", name);
	}
	return o;
}

/* "board vq35 is reserved by alice (uid 1000) from ... to ... (reservation 3)" */
static void
reserve_held(const struct store_reservation *res, char *buf, size_t len)
{
	char name[64], win[80];

	peer_user_name(res->uid, name, sizeof(name));
	reserve_window(res->start_ms, res->end_ms, win, sizeof(win));
	util_fmt(buf, len, "board %s is reserved by %s (uid %ld) from %s (reservation %lld)",
	    res->board, name, res->uid, win, (long long)res->id);
}

/* A refusal for a window that meets another: the holder, their window, the next free slot. */
static void
reserve_conflict(struct rigd *r, const struct reserve_req *q, const struct store_reservation *res,
    int64_t len_ms)
{
	cJSON *o = cJSON_CreateObject();
	char msg[512], held[256], win[80];
	int64_t next = -1;

	reserve_held(res, held, sizeof(held));
	cJSON_AddStringToObject(o, "kind", error_kind_name(ERROR_RESERVED));
	cJSON_AddItemToObject(o, "conflict", reserve_json(res, util_wall_ms()));
	if (q->op == RESERVE_ADD)
		next = store_reservation_free_from(r->store, q->board, q->from_ms, len_ms);
	if (next >= 0) {
		cJSON *n = cJSON_CreateObject();

		reserve_window(next, next + len_ms, win, sizeof(win));
		cJSON_AddNumberToObject(n, "from_ms", (double)next);
		cJSON_AddNumberToObject(n, "until_ms", (double)(next + len_ms));
		cJSON_AddItemToObject(o, "next_free", n);
		util_fmt(msg, sizeof(msg), "%s; the next free slot as long: %s", held, win);
	} else
		util_fmt(msg, sizeof(msg), "%s", held);
	control_post_reply(r, q->client, PROTO_BUSY, msg, o);
}

/* The id's reservation, if p may act on it; else the reply is posted and 0 returned. */
static int
reserve_mine(struct rigd *r, const struct reserve_req *q, struct store_reservation *res)
{
	char msg[256], name[64];
	int rc = store_reservation_get(r->store, q->id, res);

	if (rc == -1) {
		control_post_reply(r, q->client, PROTO_FAILED, "store query failed", NULL);
		return 0;
	}
	if (rc == 0) {
		util_fmt(msg, sizeof(msg), "no reservation %lld", (long long)q->id);
		control_post_reply(r, q->client, PROTO_NOSUCH, msg, NULL);
		return 0;
	}
	if (!peer_may_act_for(&q->peer, res->uid)) {
		peer_user_name(res->uid, name, sizeof(name));
		util_fmt(msg, sizeof(msg), "reservation %lld is held by %s (uid %ld): only they or"
		    " an admin may change it", (long long)q->id, name, res->uid);
		control_post_reply(r, q->client, PROTO_DENIED, msg, NULL);
		return 0;
	}
	return 1;
}

static void
reserve_write(struct store *st, void *arg)
{
	struct reserve_req *q = arg;
	struct rigd *r = q->r;
	struct store_reservation res, conflict;
	int64_t now = util_wall_ms(), id;
	char msg[256], t[32];
	int rc;

	(void)st;
	switch (q->op) {
	case RESERVE_ADD:
		if (board_find(r, q->board) == NULL && !hosts_board_known(r, q->board)) {
			util_fmt(msg, sizeof(msg), "no board %s in the lab", q->board);
			control_post_reply(r, q->client, PROTO_NOSUCH, msg, NULL);
			break;
		}
		/* A window that began already starts now: no one holds time gone by. */
		if (q->for_ms > 0) {
			q->from_ms = now;
			q->until_ms = now + q->for_ms;
		} else if (q->from_ms < now)
			q->from_ms = now;
		id = store_reservation_add(r->store, q->board, q->peer.uid, q->from_ms, q->until_ms,
		    q->note, &conflict);
		if (id == 0) {
			reserve_conflict(r, q, &conflict, q->until_ms - q->from_ms);
			break;
		}
		if (id < 0 || store_reservation_get(r->store, id, &res) != 1) {
			control_post_reply(r, q->client, PROTO_FAILED, "store write failed", NULL);
			break;
		}
		util_fmt(msg, sizeof(msg), "reserve %s %lld", q->board, (long long)id);
		control_action_log(q->peer.uid, msg);
		control_post_reply(r, q->client, PROTO_OK, NULL, reserve_json(&res, now));
		break;
	case RESERVE_EXTEND:
		if (!reserve_mine(r, q, &res))
			break;
		if (res.end_ms <= now || res.released_ms) {
			util_fmt(msg, sizeof(msg), "reservation %lld ended at %s: reserve again",
			    (long long)q->id, util_iso_time(res.end_ms, t, sizeof(t)));
			control_post_reply(r, q->client, PROTO_INVALID, msg, NULL);
			break;
		}
		rc = store_reservation_extend(r->store, q->id, res.end_ms + q->by_ms, &conflict);
		if (rc == 0) {
			reserve_conflict(r, q, &conflict, q->by_ms);
			break;
		}
		if (rc == -1 || store_reservation_get(r->store, q->id, &res) != 1) {
			control_post_reply(r, q->client, PROTO_FAILED, "store write failed", NULL);
			break;
		}
		util_fmt(msg, sizeof(msg), "extend reservation %lld of %s to %s", (long long)q->id,
		    res.board, util_iso_time(res.end_ms, t, sizeof(t)));
		control_action_log(q->peer.uid, msg);
		control_post_reply(r, q->client, PROTO_OK, NULL, reserve_json(&res, now));
		break;
	case RESERVE_RELEASE:
		if (!reserve_mine(r, q, &res))
			break;
		if (res.released_ms == 0 && res.end_ms > now &&
		    store_reservation_release(r->store, q->id, q->peer.uid, now) != 1) {
			control_post_reply(r, q->client, PROTO_FAILED, "store write failed", NULL);
			break;
		}
		/* Released already, or over: said as it stands, nothing changed. */
		store_reservation_get(r->store, q->id, &res);
		util_fmt(msg, sizeof(msg), "release reservation %lld of %s (held by uid %ld)",
		    (long long)q->id, res.board, res.uid);
		control_action_log(q->peer.uid, msg);
		control_post_reply(r, q->client, PROTO_OK, NULL, reserve_json(&res, now));
		break;
	}
}

/* A number of the request (JSON number), or -1 when missing or not a whole positive number. */
static int64_t
reserve_num(cJSON *req, const char *key)
{
	cJSON *v = cJSON_GetObjectItem(req, key);

	if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int64_t)v->valuedouble ||
	    v->valuedouble < 0 || v->valuedouble > 1e15)
		return -1;
	return (int64_t)v->valuedouble;
}

void
control_cmd_reserve(struct rigd *r, struct control_client *c, cJSON *req, const char *cmd)
{
	struct reserve_req *q = xcalloc(1, sizeof(*q));
	const char *bname = control_str(req, "board"), *note = control_str(req, "note");
	int64_t now = util_wall_ms(), for_ms = reserve_num(req, "for_ms");
	char msg[256];

	q->r = r;
	q->client = control_id(c);
	q->peer = *control_peer(c);
	msg[0] = '\0';
	if (strcmp(cmd, "reserve") == 0) {
		q->op = RESERVE_ADD;
		q->from_ms = reserve_num(req, "from_ms");
		q->until_ms = reserve_num(req, "until_ms");
		/*
		 * A board of another host is reserved here as well (the store is the lab's): the
		 * writer looks it up in the store, not this loop.
		 */
		if (bname == NULL)
			util_fmt(msg, sizeof(msg), "reserve: no board named");
		else if (for_ms == 0 || (for_ms > 0) == (q->from_ms >= 0 || q->until_ms >= 0))
			util_fmt(msg, sizeof(msg), "reserve: a duration (for_ms > 0) or a window"
			    " (from_ms and until_ms), one of them");
		else if (for_ms > 0)
			q->for_ms = for_ms;
		else if (q->from_ms < 0 || q->until_ms < 0)
			util_fmt(msg, sizeof(msg), "reserve: a window needs from_ms and until_ms");
		else if (q->until_ms <= q->from_ms)
			util_fmt(msg, sizeof(msg), "reserve: the window ends before it begins");
		else if (q->until_ms <= now)
			util_fmt(msg, sizeof(msg), "reserve: the window is over already");
		if (note && strlen(note) >= sizeof(q->note))
			util_fmt(msg, sizeof(msg), "reserve: the note is longer than %zu bytes",
			    sizeof(q->note) - 1);
		if (bname)
			util_strlcpy(q->board, bname, sizeof(q->board));
		if (note)
			util_strlcpy(q->note, note, sizeof(q->note));
	} else {
		q->op = strcmp(cmd, "extend") == 0 ? RESERVE_EXTEND : RESERVE_RELEASE;
		q->id = reserve_num(req, "id");
		q->by_ms = reserve_num(req, "by_ms");
		if (q->id <= 0)
			util_fmt(msg, sizeof(msg), "%s: a reservation id (a positive number)", cmd);
		else if (q->op == RESERVE_EXTEND && q->by_ms <= 0)
			util_fmt(msg, sizeof(msg), "extend: by_ms, a duration above zero");
	}
	if (msg[0]) {
		control_reply(c, PROTO_INVALID, msg, NULL);
		free(q);
		return;
	}
	control_wait_result(c);
	if (storeq_push(reserve_write, q) == -1)
		control_post_reply(r, control_id(c), PROTO_FAILED, "the store writer is behind:"
		    " try again", NULL);
}

struct reserve_list {
	cJSON	*items;
	int64_t	 now;
};

static int
reserve_show_one(const struct store_reservation *res, void *arg)
{
	struct reserve_list *l = arg;

	cJSON_AddItemToArray(l->items, reserve_json(res, l->now));
	return 0;
}

cJSON *
reserve_show(struct store *st, const char *board)
{
	struct reserve_list l = { cJSON_CreateArray(), util_wall_ms() };

	if (store_reservations(st, board, reserve_show_one, &l) == -1) {
		cJSON_Delete(l.items);
		return NULL;
	}
	return l.items;
}

enum error_kind
reserve_check(struct rigd *r, const char *board, const struct peer *p, const char *what,
    char *msg, size_t len, struct store_reservation *held)
{
	struct store_reservation res;
	char line[256];
	int rc = store_reservation_at(r->store, board, util_wall_ms(), &res);

	if (rc != 1)
		res.id = 0;
	if (held)
		*held = res;
	if (rc == -1) {
		util_fmt(msg, len, "%s: the store cannot say who holds it", board);
		return ERROR_STORE;
	}
	if (rc == 0 || peer_may_act_for(p, res.uid))
		return ERROR_NONE;
	reserve_held(&res, line, sizeof(line));
	util_fmt(msg, len, "%s: only its holder or an admin may %s", line, what);
	return ERROR_RESERVED;
}

int
reserve_refused(struct rigd *r, struct control_client *c, struct board *b, const char *what)
{
	struct store_reservation res;
	enum error_kind kind;
	char msg[512], name[64];
	cJSON *o;

	kind = reserve_check(r, b->conf.name, control_peer(c), what, msg, sizeof(msg), &res);
	if (kind == ERROR_NONE)
		return 0;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "kind", error_kind_name(kind));
	cJSON_AddStringToObject(o, "board", b->conf.name);
	if (res.id > 0) {
		peer_user_name(res.uid, name, sizeof(name));
		cJSON_AddStringToObject(o, "holder", name);
		cJSON_AddNumberToObject(o, "holder_uid", (double)res.uid);
		cJSON_AddNumberToObject(o, "reservation", (double)res.id);
	}
	control_reply(c, kind == ERROR_RESERVED ? PROTO_BUSY : PROTO_FAILED, msg, o);
	return 1;
}

int
reserve_free_now(struct rigd *r, const char *board)
{
	return store_reservation_at(r->store, board, util_wall_ms(), NULL) == 0;
}

struct reserve_ending {
	struct store_reservation	res[16];
	int				n;
};

static int
reserve_ending_one(const struct store_reservation *res, void *arg)
{
	struct reserve_ending *e = arg;

	e->res[e->n++] = *res;
	return e->n == (int)UTIL_NELEM(e->res);	/* the rest at the next scan */
}

/* The store writer: each lease due is announced to its board's console watchers, once. */
static void
reserve_warn(struct store *st, void *arg)
{
	struct rigd *r = *(struct rigd **)arg;
	struct reserve_ending e = { .n = 0 };
	int64_t now = util_wall_ms();
	char msg[256], name[64], t[32];
	struct board *b;
	cJSON *o;
	int i;

	if (store_reservations_ending(st, now, RESERVE_WARN_MS, reserve_ending_one, &e) == -1)
		return;
	for (i = 0; i < e.n; i++) {
		const struct store_reservation *res = &e.res[i];

		if (store_reservation_warned(st, res->id, now) != 1)
			continue;
		peer_user_name(res->uid, name, sizeof(name));
		util_fmt(msg, sizeof(msg), "reservation %lld of %s (%s) ends at %s, in %lld s: then"
		    " the board is everyone's (rigctl extend %lld --by DURATION to keep it)",
		    (long long)res->id, res->board, name, util_iso_time(res->end_ms, t, sizeof(t)),
		    (long long)((res->end_ms - now + 999) / 1000), (long long)res->id);
		log_info("%s", msg);
		if ((b = board_find(r, res->board)) == NULL)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "board", res->board);
		cJSON_AddStringToObject(o, "msg", msg);
		control_post_watchers(r, b, PROTO_EV_LOG, o);
	}
}

void
reserve_tick(struct rigd *r)
{
	static int64_t last;	/* the event loop's */
	int64_t now = util_now_ms();
	struct rigd **arg;

	if (now - last < 1000)
		return;
	last = now;
	arg = xmalloc(sizeof(*arg));
	*arg = r;
	storeq_push(reserve_warn, arg);
}
