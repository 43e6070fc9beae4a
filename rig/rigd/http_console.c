/*
 * http_console: the reservation holder's browser typing at the board's console. A browser's
 * request to this host proves nothing by itself (any page the user has open may send one, with
 * the user's cookies), so typing needs all of:
 *   - a session, had for a single-use token that only the holder's rigctl got over the control
 *     socket (rigctl console --web; websess.h), kept in an HttpOnly SameSite=Strict cookie;
 *   - the X-Rig-Console header, which another site's page can only send after a CORS
 *     preflight this server never answers;
 *   - an Origin naming this server exactly (and Sec-Fetch-Site, when sent, same-origin);
 *   - the connection's uid, as the kernel says (sockdiag), being the holder's;
 *   - the reservation, read again from the store at each request, still the session's.
 * Everyone else watches. The typing goes where the shared console's does (board_console_type).
 */
#include "rigd.h"
#include "http_console.h"
#include "log.h"
#include "sockdiag.h"
#include "util.h"
#include "websess.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* A POST's body, gathered over the handler's calls. */
struct http_console_body {
	size_t	len;
	int	over;		/* longer than HTTP_CONSOLE_BODY_MAX */
	char	buf[HTTP_CONSOLE_BODY_MAX + 1];
};

enum http_console_route
http_console_route(const char *url, char *name, size_t len)
{
	static const struct {
		const char		*tail;
		enum http_console_route	 route;
	} routes[] = {
		{ "/console/session", HTTP_CONSOLE_SESSION },
		{ "/console/input", HTTP_CONSOLE_INPUT },
	};
	const char *tail;
	size_t i;

	if (strncmp(url, "/boards/", 8) != 0 || (tail = strchr(url + 8, '/')) == NULL ||
	    tail == url + 8)
		return HTTP_CONSOLE_NONE;
	for (i = 0; i < UTIL_NELEM(routes); i++) {
		if (strcmp(tail, routes[i].tail) == 0) {
			util_fmt(name, len, "%.*s", (int)(tail - url - 8), url + 8);
			return routes[i].route;
		}
	}
	return HTTP_CONSOLE_NONE;
}

/* A JSON answer, with a cookie header when cookie is not NULL. */
static enum MHD_Result
http_console_send(struct MHD_Connection *conn, unsigned code, cJSON *o, const char *cookie)
{
	struct MHD_Response *resp;
	enum MHD_Result rc;
	char *s = cJSON_PrintUnformatted(o);

	cJSON_Delete(o);
	if (s == NULL)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(s);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "application/json");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (cookie)
		MHD_add_response_header(resp, "Set-Cookie", cookie);
	rc = MHD_queue_response(conn, code, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result
http_console_refuse(struct MHD_Connection *conn, unsigned code, const char *msg,
    const char *cookie)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "error", msg);
	cJSON_AddBoolToObject(o, "write", 0);
	return http_console_send(conn, code, o, cookie);
}

/* The cookie's name: this dashboard's port in it, as browsers keep one jar for every port. */
static void
http_console_cookie_name(unsigned port, char *buf, size_t len)
{
	util_fmt(buf, len, "rig_console_%u", port);
}

/* The Set-Cookie value: the session for board's console paths only, or its removal. */
static void
http_console_cookie(unsigned port, const char *board, const char *sid, char *buf, size_t len)
{
	char name[32];

	http_console_cookie_name(port, name, sizeof(name));
	util_fmt(buf, len, "%s=%s; Path=/boards/%s/console; HttpOnly; SameSite=Strict%s", name,
	    sid ? sid : "", board, sid ? "" : "; Max-Age=0");
}

/*
 * Why a POST cannot be the holder's page's own, or NULL: the header, the Origin and the fetch
 * metadata a page of another site cannot forge.
 */
static const char *
http_console_forged(struct MHD_Connection *conn, const char *host, char *buf, size_t len)
{
	const char *hdr = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, HTTP_CONSOLE_HEADER);
	const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	const char *site = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-Fetch-Site");
	char want[300];

	if (hdr == NULL)
		return "the " HTTP_CONSOLE_HEADER " header is missing (the board page's script"
		    " sends it; another site's page cannot)";
	util_fmt(want, sizeof(want), "http://%s", host);
	if (origin == NULL || strcmp(origin, want) != 0) {
		util_fmt(buf, len, "the request's Origin is %.128s, not %.128s",
		    origin ? origin : "missing", want);
		return buf;
	}
	if (site && strcmp(site, "same-origin") != 0) {
		util_fmt(buf, len, "the browser says the request came from a %.64s page", site);
		return buf;
	}
	return NULL;
}

/*
 * The reservation holding b now, as a grant (*holder NULL when none): 0, or -1 when the store
 * cannot say.
 */
static int
http_console_holder(struct store *st, struct board *b, struct websess_grant *g,
    const struct websess_grant **holder)
{
	struct store_reservation res;
	int rc = store_reservation_at(st, b->conf.name, util_wall_ms(), &res);

	*holder = NULL;
	if (rc == -1)
		return -1;
	if (rc == 1) {
		util_strlcpy(g->board, b->conf.name, sizeof(g->board));
		g->reservation = res.id;
		g->uid = res.uid;
		*holder = g;
	}
	return 0;
}

/* The uid owning the browser's end of the connection, -1 when the kernel cannot say. */
static long
http_console_peer_uid(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_CONNECTION_FD);

	return ci ? sockdiag_peer_uid(ci->connect_fd) : -1;
}

/* What a browser without a session is told. */
#define HTTP_CONSOLE_WATCHING \
	"watching: typing is for the reservation's holder, through the link rigctl console" \
	" BOARD --web prints"

/*
 * The session the request's cookie names: the verdict, its grant in *g when ok; *none set when
 * the request names none at all (a watcher).
 */
static enum websess_verdict
http_console_session(struct MHD_Connection *conn, struct board *b, unsigned port,
    const struct websess_grant *holder, struct websess_grant *g, int *none)
{
	char name[32];
	const char *sid;

	http_console_cookie_name(port, name, sizeof(name));
	sid = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, name);
	*none = sid == NULL;
	if (sid == NULL)
		return WEBSESS_UNKNOWN;
	return websess_check(sid, b->conf.name, holder, http_console_peer_uid(conn),
	    util_wall_ms(), g);
}

/* GET session: whether this browser may type, and why not. */
static enum MHD_Result
http_console_state(struct store *st, struct MHD_Connection *conn, struct board *b,
    unsigned port)
{
	struct websess_grant now, g;
	const struct websess_grant *holder;
	enum websess_verdict v;
	char why[300];
	int none;
	cJSON *o;

	if (http_console_holder(st, b, &now, &holder) == -1)
		return http_console_refuse(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "store: cannot say who holds the board", NULL);
	v = http_console_session(conn, b, port, holder, &g, &none);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "board", b->conf.name);
	cJSON_AddBoolToObject(o, "write", v == WEBSESS_OK);
	if (v == WEBSESS_OK)
		cJSON_AddNumberToObject(o, "reservation", (double)g.reservation);
	else if (none)
		cJSON_AddStringToObject(o, "why", HTTP_CONSOLE_WATCHING);
	else {
		util_fmt(why, sizeof(why), "session %s", websess_verdict_says(v));
		cJSON_AddStringToObject(o, "why", why);
	}
	return http_console_send(conn, MHD_HTTP_OK, o, NULL);
}

/* POST session: the token (the body) for a session in a cookie. */
static enum MHD_Result
http_console_login(struct MHD_Connection *conn, struct board *b, unsigned port,
    const struct websess_grant *holder, struct http_console_body *body)
{
	char sid[WEBSESS_HEX], cookie[256], msg[300];
	enum websess_verdict v;
	long uid = http_console_peer_uid(conn);
	cJSON *o;

	while (body->len > 0 && isspace((unsigned char)body->buf[body->len - 1]))
		body->len--;
	body->buf[body->len] = '\0';
	v = websess_redeem(body->buf, b->conf.name, holder, uid, util_wall_ms(), sid);
	if (v != WEBSESS_OK) {
		/* Never the token in the log: it may be a live one shown at the wrong door. */
		log_info("%s: browser console token refused (uid %ld): %s", b->conf.name, uid,
		    websess_verdict_says(v));
		util_fmt(msg, sizeof(msg), "token %s", websess_verdict_says(v));
		return http_console_refuse(conn, MHD_HTTP_FORBIDDEN, msg, NULL);
	}
	log_info("%s: browser console session for uid %ld (reservation %lld)", b->conf.name, uid,
	    (long long)holder->reservation);
	http_console_cookie(port, b->conf.name, sid, cookie, sizeof(cookie));
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "board", b->conf.name);
	cJSON_AddBoolToObject(o, "write", 1);
	cJSON_AddNumberToObject(o, "reservation", (double)holder->reservation);
	return http_console_send(conn, MHD_HTTP_OK, o, cookie);
}

/* POST input: the body typed at the board, for the session's holder. */
static enum MHD_Result
http_console_input(struct MHD_Connection *conn, struct board *b, unsigned port,
    const struct websess_grant *holder, struct http_console_body *body)
{
	struct websess_grant g;
	char msg[300], cookie[256];
	enum websess_verdict v;
	const char *why;
	ssize_t n;
	int none;
	cJSON *o;

	v = http_console_session(conn, b, port, holder, &g, &none);
	if (none)
		return http_console_refuse(conn, MHD_HTTP_FORBIDDEN, HTTP_CONSOLE_WATCHING, NULL);
	if (v != WEBSESS_OK) {
		util_fmt(msg, sizeof(msg), "session %s", websess_verdict_says(v));
		/* A session over: the browser forgets it too. */
		http_console_cookie(port, b->conf.name, NULL, cookie, sizeof(cookie));
		return http_console_refuse(conn, MHD_HTTP_FORBIDDEN, msg,
		    v == WEBSESS_WRONG_BOARD ? NULL : cookie);
	}
	n = board_console_type(b, body->buf, body->len, &why);
	if (why) {
		util_fmt(msg, sizeof(msg), "the console of %s %s", b->conf.name, why);
		return http_console_refuse(conn, MHD_HTTP_CONFLICT, msg, NULL);
	}
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "write", 1);
	cJSON_AddNumberToObject(o, "typed", (double)n);
	cJSON_AddNumberToObject(o, "dropped", (double)(body->len - (size_t)n));
	return http_console_send(conn, MHD_HTTP_OK, o, NULL);
}

enum MHD_Result
http_console_serve(struct store *st, struct MHD_Connection *conn, struct board *b,
    enum http_console_route route, const char *method, const char *host, unsigned port,
    const char *upload, size_t *upload_len, void **state)
{
	struct http_console_body *body = *state;
	struct websess_grant now;
	const struct websess_grant *holder;
	const char *forged;
	char why[300];
	enum MHD_Result rc;

	if (route == HTTP_CONSOLE_SESSION && strcmp(method, "GET") == 0)
		return http_console_state(st, conn, b, port);
	if (strcmp(method, "POST") != 0)
		return http_console_refuse(conn, MHD_HTTP_METHOD_NOT_ALLOWED, route ==
		    HTTP_CONSOLE_SESSION ? "GET or POST only" : "POST only", NULL);
	if (body == NULL) {
		/* The headers alone: a forged request is answered before its body is read. */
		if ((forged = http_console_forged(conn, host, why, sizeof(why))) != NULL) {
			log_info("%s: browser console request refused: %s", b->conf.name, forged);
			return http_console_refuse(conn, MHD_HTTP_FORBIDDEN, forged, NULL);
		}
		*state = xcalloc(1, sizeof(*body));
		return MHD_YES;
	}
	if (*upload_len > 0) {
		if (body->len + *upload_len > HTTP_CONSOLE_BODY_MAX)
			body->over = 1;
		else {
			memcpy(body->buf + body->len, upload, *upload_len);
			body->len += *upload_len;
		}
		*upload_len = 0;
		return MHD_YES;
	}
	if (body->over) {
		util_fmt(why, sizeof(why), "more than %d bytes in one request",
		    HTTP_CONSOLE_BODY_MAX);
		rc = http_console_refuse(conn, MHD_HTTP_CONTENT_TOO_LARGE, why, NULL);
	} else if (http_console_holder(st, b, &now, &holder) == -1)
		rc = http_console_refuse(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "store: cannot say who holds the board", NULL);
	else if (route == HTTP_CONSOLE_SESSION)
		rc = http_console_login(conn, b, port, holder, body);
	else
		rc = http_console_input(conn, b, port, holder, body);
	http_console_done(state);
	return rc;
}

void
http_console_done(void **state)
{
	/* A token may be in it. */
	if (*state)
		explicit_bzero(*state, sizeof(struct http_console_body));
	free(*state);
	*state = NULL;
}
