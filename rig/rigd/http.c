/* http: the read-only JSON API and the dashboard page, served with libmicrohttpd. */
#include "rigd.h"
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

static enum MHD_Result
http_page(struct rigd *r, struct MHD_Connection *conn)
{
	char path[700], *buf;
	long n;
	FILE *f;
	enum MHD_Result rc;

	util_fmt(path, sizeof(path), "%s/index.html", r->dashdir);
	f = fopen(path, "rb");
	if (f == NULL)
		return http_error(conn, MHD_HTTP_NOT_FOUND, "no dashboard page");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	if (n < 0 || n > 1024 * 1024) {
		fclose(f);
		return http_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "dashboard page unreadable");
	}
	buf = xmalloc((size_t)n + 1);
	n = (long)fread(buf, 1, (size_t)n, f);
	fclose(f);
	rc = http_send(conn, MHD_HTTP_OK, "text/html; charset=utf-8", buf, (size_t)n);
	free(buf);
	return rc;
}

static enum MHD_Result
http_handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_len, void **state)
{
	struct rigd *r = cls;
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	char err[256] = "";
	struct store *st;
	cJSON *o = NULL;
	int i;

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)state;
	if (!http_host_ok(host)) {
		util_fmt(err, sizeof(err), "this server is %s:%u, not %.128s", http_host, http_port,
		    host ? host : "(no Host header)");
		return http_error(conn, MHD_HTTP_MISDIRECTED_REQUEST, err);
	}
	/* Read-only by design: what changes a board goes through the control socket and its uid. */
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return http_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "read-only: GET only");
	if (strcmp(url, "/") == 0 || strcmp(url, "/index.html") == 0)
		return http_page(r, conn);
	if (strcmp(url, "/api/boards") == 0) {
		/* The boards' state is in memory, under each board's lock: no store. */
		o = cJSON_CreateArray();
		for (i = 0; i < r->nboards; i++)
			cJSON_AddItemToArray(o, board_describe(r->boards[i]));
		return http_json(conn, MHD_HTTP_OK, o);
	}
	if ((st = http_store(r)) == NULL)
		return http_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: cannot open a reader");
	if (strcmp(url, "/api/builds") == 0 || strcmp(url, "/api/matrix") == 0) {
		if (!http_heavy_enter())
			return http_busy(conn);
		if (strcmp(url, "/api/builds") == 0)
			o = report_builds(st, err, sizeof(err));
		else
			o = report_matrix(st, MHD_lookup_connection_value(conn,
			    MHD_GET_ARGUMENT_KIND, "board"), err, sizeof(err));
		http_heavy_leave();
	} else if (strcmp(url, "/api/runs") == 0) {
		o = views_runs(st, 200, VIEWS_BUILD_NAME);
	} else if (strncmp(url, "/api/runs/", 10) == 0) {
		int found = 0;

		o = views_run(st, strtoll(url + 10, NULL, 10), VIEWS_BUILD_NAME, &found);
		if (o == NULL && !found)
			return http_error(conn, MHD_HTTP_NOT_FOUND, "no such run");
	} else if (strcmp(url, "/api/crashes") == 0) {
		o = views_crash_groups(st);
	} else if (strcmp(url, "/api/queue") == 0) {
		o = views_queue(st);
	} else if (strcmp(url, "/api/reservations") == 0) {
		o = reserve_show(st, NULL);
	} else {
		return http_error(conn, MHD_HTTP_NOT_FOUND, "no such page");
	}
	if (o == NULL)
		return http_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, err[0] ? err : "store");
	return http_json(conn, MHD_HTTP_OK, o);
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
	    (unsigned int)30, MHD_OPTION_END);
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
	if (http_daemon)
		MHD_stop_daemon(http_daemon);
	http_daemon = NULL;
}
