/* control_console_web: rigctl console --web: a single-use link to the board's page on which its reservation's holder may type. */
#include "rigd.h"
#include "peer.h"
#include "storeq.h"
#include "util.h"
#include "websess.h"

#include <stdlib.h>
#include <string.h>

/* On its way to the store writer, which reads who holds the board (never the event loop). */
struct console_web_req {
	struct rigd	*r;
	uint64_t	 client;
	struct peer	 peer;
	char		 board[64];
	char		 url[128];	/* the dashboard's, for a browser on this host */
};

/* The store writer: the token, for the holder of the reservation holding the board now. */
static void
console_web_write(struct store *st, void *arg)
{
	struct console_web_req *q = arg;
	struct store_reservation res;
	struct websess_grant g = { .uid = q->peer.uid };
	char tok[WEBSESS_HEX], msg[512], name[64], t[32], *url;
	int64_t now = util_wall_ms();
	int rc = store_reservation_at(st, q->board, now, &res);
	size_t len;
	cJSON *o;

	if (rc == -1) {
		control_post_reply(q->r, q->client, PROTO_FAILED, "store: cannot say who holds the"
		    " board", NULL);
		return;
	}
	if (rc == 0) {
		util_fmt(msg, sizeof(msg), "%s is not reserved: its console takes typing from the"
		    " browser of its reservation's holder only (rigctl reserve %s --for DURATION)",
		    q->board, q->board);
		control_post_reply(q->r, q->client, PROTO_DENIED, msg, NULL);
		return;
	}
	/* The holder alone, admins included: a browser session is a person's, not a role's. */
	if (res.uid != q->peer.uid) {
		peer_user_name(res.uid, name, sizeof(name));
		util_fmt(msg, sizeof(msg), "%s is reserved by %s (uid %ld, reservation %lld): only"
		    " its holder types at its console from a browser", q->board, name, res.uid,
		    (long long)res.id);
		control_post_reply(q->r, q->client, PROTO_DENIED, msg, NULL);
		return;
	}
	util_strlcpy(g.board, q->board, sizeof(g.board));
	g.reservation = res.id;
	if (websess_mint(&g, now, tok) == -1) {
		control_post_reply(q->r, q->client, PROTO_FAILED, "no random bytes from the kernel"
		    " for a token", NULL);
		return;
	}
	/*
	 * The token rides in the fragment: a browser never sends that part of a URL to a server,
	 * nor in a Referer; the page trades it for a cookie and drops it from the address bar.
	 */
	len = strlen(q->url) + strlen(q->board) + sizeof(tok) + 32;
	url = xmalloc(len);
	util_fmt(url, len, "%s/boards/%s#token=%s", q->url, q->board, tok);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "board", q->board);
	cJSON_AddStringToObject(o, "url", url);
	cJSON_AddNumberToObject(o, "reservation", (double)res.id);
	cJSON_AddStringToObject(o, "until", util_iso_time(res.end_ms, t, sizeof(t)));
	cJSON_AddNumberToObject(o, "expires_ms", (double)(now + WEBSESS_TOKEN_MS));
	explicit_bzero(url, len);
	free(url);
	explicit_bzero(tok, sizeof(tok));
	util_fmt(msg, sizeof(msg), "console --web %s (reservation %lld)", q->board,
	    (long long)res.id);
	control_action_log(q->peer.uid, msg);
	control_post_reply(q->r, q->client, PROTO_OK, NULL, o);
}

void
control_cmd_console_web(struct rigd *r, struct control_client *c, cJSON *req)
{
	const char *bname = control_str(req, "board");
	struct console_web_req *q;
	struct board *b;
	char url[128];

	if (bname == NULL) {
		control_reply(c, PROTO_INVALID, "console-web: no board named", NULL);
		return;
	}
	if ((b = control_board_named(r, c, bname)) == NULL)
		return;
	if (http_url(url, sizeof(url)) == -1) {
		control_reply(c, PROTO_FAILED, "rigd serves no dashboard: start it with -H PORT for"
		    " a browser console", NULL);
		return;
	}
	q = xcalloc(1, sizeof(*q));
	q->r = r;
	q->client = control_id(c);
	q->peer = *control_peer(c);
	util_strlcpy(q->board, b->conf.name, sizeof(q->board));
	util_strlcpy(q->url, url, sizeof(q->url));
	control_wait_result(c);
	if (storeq_push(console_web_write, q) == -1)
		control_post_reply(r, control_id(c), PROTO_FAILED, "the store writer is behind:"
		    " try again", NULL);
}
