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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct MHD_Daemon *http_daemon;

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
	char err[256] = "";
	cJSON *o = NULL;
	int i;

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)state;
	/* Read-only by design: what changes a board goes through the control socket and its uid. */
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return http_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "read-only: GET only");
	if (strcmp(url, "/") == 0 || strcmp(url, "/index.html") == 0)
		return http_page(r, conn);
	if (strcmp(url, "/api/boards") == 0) {
		o = cJSON_CreateArray();
		for (i = 0; i < r->nboards; i++)
			cJSON_AddItemToArray(o, board_describe(r->boards[i]));
	} else if (strcmp(url, "/api/runs") == 0) {
		o = views_runs(r->store, 200, VIEWS_BUILD_NAME);
	} else if (strncmp(url, "/api/runs/", 10) == 0) {
		int found = 0;

		o = views_run(r->store, strtoll(url + 10, NULL, 10), VIEWS_BUILD_NAME, &found);
		if (o == NULL && !found)
			return http_error(conn, MHD_HTTP_NOT_FOUND, "no such run");
	} else if (strcmp(url, "/api/builds") == 0) {
		o = report_builds(r->store, err, sizeof(err));
	} else if (strcmp(url, "/api/matrix") == 0) {
		o = report_matrix(r->store, MHD_lookup_connection_value(conn,
		    MHD_GET_ARGUMENT_KIND, "board"), err, sizeof(err));
	} else if (strcmp(url, "/api/crashes") == 0) {
		o = views_crash_groups(r->store);
	} else if (strcmp(url, "/api/queue") == 0) {
		o = views_queue(r->store);
	} else if (strcmp(url, "/api/reservations") == 0) {
		o = reserve_show(r, NULL);
	} else {
		return http_error(conn, MHD_HTTP_NOT_FOUND, "no such page");
	}
	if (o == NULL)
		return http_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, err[0] ? err : "store");
	return http_json(conn, MHD_HTTP_OK, o);
}

int
http_start(struct rigd *r, const char *listen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char host[64];
	const char *colon = strrchr(listen, ':');
	long port;
	char *end;

	if (colon == NULL || (size_t)(colon - listen) >= sizeof(host)) {
		log_warnx("-H %s: want ADDRESS:PORT", listen);
		return -1;
	}
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || port <= 0 || port > 65535 || inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		log_warnx("-H %s: want an IPv4 ADDRESS:PORT", listen);
		return -1;
	}
	sa.sin_port = htons((uint16_t)port);
	/* poll(), not select(): with hundreds of boards rigd's descriptors pass FD_SETSIZE. */
	http_daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, (uint16_t)port,
	    NULL, NULL,
	    http_handler, r, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)64, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)30, MHD_OPTION_END);
	if (http_daemon == NULL) {
		log_warnx("-H %s: cannot listen", listen);
		return -1;
	}
	log_info("dashboard and JSON API on http://%s/", listen);
	return 0;
}

void
http_stop(void)
{
	if (http_daemon)
		MHD_stop_daemon(http_daemon);
	http_daemon = NULL;
}
