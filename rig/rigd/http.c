/* http: the JSON API and the dashboard page, served with libmicrohttpd: read-only but for the holder's console (http_console.c). */
#include "rigd.h"
#include "http_assets.h"
#include "http_console.h"
#include "http_events.h"
#include "http_pages.h"
#include "log.h"
#include "queue.h"
#include "report.h"
#include "util.h"
#include "views.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * Each connection is answered by a thread of its own (at most HTTP_CONNECTIONS), never by
 * rigd's event loop, each reading the store through a read-only connection of its own
 * (http_store): a matrix over the whole history takes seconds and must not hold the store's
 * lock the boards write under. A pool was not enough: a pool thread that had taken a quick
 * page's connection just before a matrix's kept the quick page waiting for the matrix (seen at
 * 1.06 s). At most HTTP_HEAVY of them read the whole history at once (matrix, builds); more
 * are told 503 with Retry-After.
 */
#define HTTP_CONNECTIONS	64
#define HTTP_HEAVY	6

static struct MHD_Daemon *http_daemon;
static char http_host[64];		/* immutable once started: the bound address */
static unsigned http_port;		/* immutable once started */
static pthread_key_t http_store_key;	/* each connection thread's own store reader */
static pthread_mutex_t http_heavy_lock = PTHREAD_MUTEX_INITIALIZER;
static int http_heavy;			/* http_heavy_lock: whole-history reads running */

static enum MHD_Result
http_send(struct MHD_Connection *conn, unsigned int code, const char *type, const char *body,
    size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result rc;

	resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", type);
	/* Results change with every run: a browser must ask again, never reuse. */
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	/* No page of another site frames these (a board page's form under someone's clicks). */
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Content-Security-Policy", "frame-ancestors 'none'");
	rc = MHD_queue_response(conn, code, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result
http_json(struct MHD_Connection *conn, unsigned int code, cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);
	enum MHD_Result rc;

	cJSON_Delete(o);
	if (s == NULL)
		return MHD_NO;
	rc = http_send(conn, code, "application/json", s, strlen(s));
	free(s);
	return rc;
}

static enum MHD_Result
http_error(struct MHD_Connection *conn, unsigned int code, const char *msg)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "error", msg);
	return http_json(conn, code, o);
}

static void
http_store_close(void *st)
{
	store_close(st);
}

/* This connection thread's read-only store reader, opened on its first request; NULL on error. */
static struct store *
http_store(struct rigd *r)
{
	struct store *st = pthread_getspecific(http_store_key);
	char err[512];

	if (st)
		return st;
	if ((st = store_reader(r->store, err, sizeof(err))) == NULL) {
		log_warnx("http: %s", err);
		return NULL;
	}
	pthread_setspecific(http_store_key, st);
	return st;
}

/*
 * 1 when the request's Host names this server: the bound address, localhost when bound to
 * loopback, any numeric address when bound to all; with the bound port (or none for 80).
 * A page of another site that got its name resolved to this host (DNS rebinding) sends its
 * own name and is refused.
 */
static int
http_host_ok(const char *host)
{
	char name[256];
	const char *colon;
	struct in_addr a;
	size_t n;

	if (host == NULL)
		return 0;
	colon = strrchr(host, ':');
	n = colon ? (size_t)(colon - host) : strlen(host);
	if (n >= sizeof(name))
		return 0;
	memcpy(name, host, n);
	name[n] = '\0';
	if (colon ? strtoul(colon + 1, NULL, 10) != http_port || colon[1] == '\0' ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) : http_port != 80)
		return 0;
	if (strcmp(name, http_host) == 0)
		return 1;
	if (strncmp(http_host, "127.", 4) == 0 && strcasecmp(name, "localhost") == 0)
		return 1;
	return strcmp(http_host, "0.0.0.0") == 0 && inet_pton(AF_INET, name, &a) == 1;
}

/* Takes one of the HTTP_HEAVY places; 0 when all are taken. */
static int
http_heavy_enter(void)
{
	int ok;

	pthread_mutex_lock(&http_heavy_lock);
	ok = http_heavy < HTTP_HEAVY;
	http_heavy += ok;
	pthread_mutex_unlock(&http_heavy_lock);
	return ok;
}

static void
http_heavy_leave(void)
{
	pthread_mutex_lock(&http_heavy_lock);
	http_heavy--;
	pthread_mutex_unlock(&http_heavy_lock);
}

static enum MHD_Result
http_busy(struct MHD_Connection *conn)
{
	struct MHD_Response *resp;
	enum MHD_Result rc;
	static const char body[] = "{\"error\":\"busy: too many reports at once, ask again\"}";

	resp = MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body,
	    MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", "application/json");
	MHD_add_response_header(resp, "Retry-After", "2");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	rc = MHD_queue_response(conn, MHD_HTTP_SERVICE_UNAVAILABLE, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* A page (text/html) or its API twin (JSON) from one family's data. */
static enum MHD_Result
http_family_serve(struct http_req *q, const struct http_family *f, int api)
{
	cJSON *(*data)(struct http_req *) = f->data;
	void (*html)(struct http_req *, const cJSON *, struct html *) = f->html;
	struct html h = { 0 };
	enum MHD_Result rc;
	const char *title = f->prefix[0] ? f->prefix + 1 : "lab";
	char head[300];
	cJSON *d;

	/* /runs lists, /runs/N is one run. */
	if (strcmp(f->prefix, "/runs") == 0 && q->rest[0] == '/') {
		data = http_run_data;
		html = http_run_html;
	}
	if (f->heavy && !http_heavy_enter())
		return http_busy(q->conn);
	q->code = MHD_HTTP_NOT_FOUND;
	util_strlcpy(q->err, "no such page", sizeof(q->err));
	d = data(q);
	if (f->heavy)
		http_heavy_leave();
	if (api)
		return d ? http_json(q->conn, MHD_HTTP_OK, d) : http_error(q->conn, q->code, q->err);
	if (d == NULL) {
		html_head(&h, q->err);
		html_tail(&h, NULL);
		rc = http_send(q->conn, q->code, "text/html; charset=utf-8", h.buf, h.len);
		free(h.buf);
		return rc;
	}
	util_fmt(head, sizeof(head), "%s%s", title, q->rest);
	if (strcmp(title, "runs") == 0 && q->rest[0] == '/')
		util_fmt(head, sizeof(head), "run %s", q->rest + 1);
	else if (strcmp(title, "boards") == 0 && q->rest[0] == '/')
		util_fmt(head, sizeof(head), "board %s", q->rest + 1);
	html_head(&h, head);
	html(q, d, &h);
	html_tail(&h, data == f->data ? http_pages_script(f) : NULL);
	cJSON_Delete(d);
	rc = http_send(q->conn, MHD_HTTP_OK, "text/html; charset=utf-8", h.buf, h.len);
	free(h.buf);
	return rc;
}

/* /events, /boards/NAME/console/stream: an event stream, or why not. */
static enum MHD_Result
http_stream(struct MHD_Connection *conn, struct board *b)
{
	struct MHD_Response *resp;
	enum MHD_Result rc;

	if (!http_events_enter())
		return http_busy(conn);
	if ((resp = http_events_response(b)) == NULL)
		return MHD_NO;
	rc = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result
http_handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_len, void **state)
{
	struct rigd *r = cls;
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	char err[256] = "";
	struct http_req q = { 0 };
	enum http_console_route route;
	char name[128];
	const struct http_family *f;
	const char *tail;
	struct board *b;
	struct store *st;
	cJSON *o = NULL;
	int i, api;

	(void)version;
	if (!http_host_ok(host)) {
		util_fmt(err, sizeof(err), "this server is %s:%u, not %.128s", http_host, http_port,
		    host ? host : "(no Host header)");
		return http_error(conn, MHD_HTTP_MISDIRECTED_REQUEST, err);
	}
	/* The one way in that changes a board: its holder typing, proven (http_console.c). */
	if ((route = http_console_route(url, name, sizeof(name))) != HTTP_CONSOLE_NONE) {
		if ((b = board_find(r, name)) == NULL)
			return http_error(conn, MHD_HTTP_NOT_FOUND, "no such board");
		if ((st = http_store(r)) == NULL)
			return http_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
			    "store: cannot open a reader");
		return http_console_serve(st, conn, b, route, method, host, http_port, upload,
		    upload_len, state);
	}
	/* Read-only by design: what changes a board goes through the control socket and its uid. */
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return http_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "read-only: GET only");
	if (strcmp(url, "/api/boards") == 0) {
		/* The boards' state is in memory, under each board's lock: no store. */
		o = cJSON_CreateArray();
		for (i = 0; i < r->nboards; i++)
			cJSON_AddItemToArray(o, board_describe(r->boards[i]));
		return http_json(conn, MHD_HTTP_OK, o);
	}
	if (strcmp(url, "/events") == 0)
		return http_stream(conn, NULL);
	if (strncmp(url, "/boards/", 8) == 0 && (tail = strstr(url + 8, "/console/stream")) &&
	    strcmp(tail, "/console/stream") == 0) {
		util_fmt(name, sizeof(name), "%.*s", (int)(tail - url - 8), url + 8);
		if ((b = board_find(r, name)) == NULL)
			return http_error(conn, MHD_HTTP_NOT_FOUND, "no such board");
		return http_stream(conn, b);
	}
	if ((st = http_store(r)) == NULL)
		return http_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: cannot open a reader");
	q.r = r;
	q.st = st;
	q.conn = conn;
	if (strncmp(url, "/runs/", 6) == 0 && (tail = strchr(url + 6, '/')) &&
	    strcmp(tail, "/log") == 0)
		return http_run_log(&q, strtoll(url + 6, NULL, 10));
	if (strcmp(url, "/api/queue") == 0) {
		if ((o = views_queue(st)) == NULL)
			return http_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "store");
		return http_json(conn, MHD_HTTP_OK, o);
	}
	if (strcmp(url, "/api/builds") == 0) {
		if (!http_heavy_enter())
			return http_busy(conn);
		o = report_builds(st, err, sizeof(err));
		http_heavy_leave();
		if (o == NULL)
			return http_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, err[0] ? err : "store");
		return http_json(conn, MHD_HTTP_OK, o);
	}
	if ((f = http_pages_route(url, &api, &q.rest)) == NULL)
		return http_error(conn, MHD_HTTP_NOT_FOUND, "no such page");
	return http_family_serve(&q, f, api);
}

/* libmicrohttpd's word that a request is over: a console POST's body is freed (never leaked). */
static void
http_completed(void *cls, struct MHD_Connection *conn, void **state,
    enum MHD_RequestTerminationCode why)
{
	(void)cls;
	(void)conn;
	(void)why;
	http_console_done(state);
}

int
http_url(char *buf, size_t len)
{
	if (http_daemon == NULL)
		return -1;
	/* Bound to every address: the browser that may type is on this host (http_console.c). */
	util_fmt(buf, len, "http://%s:%u", strcmp(http_host, "0.0.0.0") == 0 ? "127.0.0.1" :
	    http_host, http_port);
	return 0;
}

/*
 * listen is ADDRESS:PORT, or PORT (or :PORT) alone for loopback: the API shows every board,
 * run and console path, so reaching it from elsewhere is the operator's decision, said in full.
 */
int
http_start(struct rigd *r, const char *listen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char host[64] = "127.0.0.1";
	const char *colon = strrchr(listen, ':'), *portstr = colon ? colon + 1 : listen;
	long port;
	char *end;

	if (colon && colon > listen) {
		if ((size_t)(colon - listen) >= sizeof(host)) {
			log_warnx("-H %s: want [ADDRESS:]PORT", listen);
			return -1;
		}
		memcpy(host, listen, (size_t)(colon - listen));
		host[colon - listen] = '\0';
	}
	port = strtol(portstr, &end, 10);
	if (*portstr == '\0' || *end != '\0' || port <= 0 || port > 65535 ||
	    inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		log_warnx("-H %s: want [IPv4-ADDRESS:]PORT", listen);
		return -1;
	}
	sa.sin_port = htons((uint16_t)port);
	util_strlcpy(http_host, host, sizeof(http_host));
	http_port = (unsigned)port;
	http_assets_load(r->dashdir);
	http_events_init();
	if (pthread_key_create(&http_store_key, http_store_close) != 0) {
		log_warnx("-H %s: no thread key", listen);
		return -1;
	}
	/* poll(), not select(): with hundreds of boards rigd's descriptors pass FD_SETSIZE. */
	http_daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL, (uint16_t)port, NULL, NULL,
	    http_handler, r, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_CONNECTIONS,
	    MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)30, MHD_OPTION_NOTIFY_COMPLETED, http_completed, NULL, MHD_OPTION_END);
	if (http_daemon == NULL) {
		log_warnx("-H %s: cannot listen", listen);
		return -1;
	}
	log_info("dashboard and JSON API on http://%s:%ld/", host, port);
	return 0;
}

void
http_stop(void)
{
	/* The event streams end first: stopping waits for every connection thread. */
	http_events_stop();
	if (http_daemon)
		MHD_stop_daemon(http_daemon);
	http_daemon = NULL;
	http_assets_free();
}
