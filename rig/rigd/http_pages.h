/*
 * http_pages: the dashboard's pages, rendered on the server (they work without JavaScript), each
 * from the JSON its /api/ twin sends: a page family is a data function (the API) and an html
 * function (the page drawn from exactly that data). http.c routes; the families are in
 * http_pages.c (lab, runs, crash groups), http_pages_board.c (a board, the reservations),
 * http_pages_run.c (one run) and http_pages_matrix.c (matrix and history).
 */
#ifndef RIGD_HTTP_PAGES_H
#define RIGD_HTTP_PAGES_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "http_html.h"

struct rigd;
struct store;

struct http_req {
	struct rigd		*r;
	struct store		*st;		/* this connection thread's reader */
	struct MHD_Connection	*conn;
	const char		*rest;		/* the path past the family's prefix ("" or "/12") */
	unsigned		 code;		/* a data function's failure: the HTTP status */
	char			 err[256];	/* ... and why */
};

/* A query argument, NULL when absent. */
const char *http_req_arg(struct http_req *q, const char *key);

/*
 * One family: what /PREFIX... shows and what /api/PREFIX... sends. data returns the JSON (NULL
 * with q->code and q->err on failure); html draws it. heavy: reads much of the history (it takes
 * one of http.c's HTTP_HEAVY places).
 */
struct http_family {
	const char	*prefix;	/* "" is the lab page */
	int		 heavy;
	cJSON		*(*data)(struct http_req *q);
	void		 (*html)(struct http_req *q, const cJSON *d, struct html *h);
};

/* The family url names (page or API), NULL when none; *rest its remainder. */
const struct http_family *http_pages_route(const char *url, int *api, const char **rest);

/* The script a family's page runs (it works without), NULL for none. */
const char *http_pages_script(const struct http_family *f);

/* Shared by the families (http_pages.c). */
cJSON *http_fail(struct http_req *q, unsigned code, const char *msg);
void http_run_link(struct html *h, int64_t id);
void http_runs_table(struct html *h, const cJSON *runs);

/* Families (http_pages_board.c, http_pages_run.c, http_pages_matrix.c). */
cJSON *http_board_data(struct http_req *q);
void http_board_html(struct http_req *q, const cJSON *d, struct html *h);
cJSON *http_reservations_data(struct http_req *q);
void http_reservations_html(struct http_req *q, const cJSON *d, struct html *h);
cJSON *http_run_data(struct http_req *q);
void http_run_html(struct http_req *q, const cJSON *d, struct html *h);
cJSON *http_matrix_data(struct http_req *q);
void http_matrix_html(struct http_req *q, const cJSON *d, struct html *h);
cJSON *http_history_data(struct http_req *q);
void http_history_html(struct http_req *q, const cJSON *d, struct html *h);

/* The run's whole console log as text/plain (/runs/N/log), or an error response. */
enum MHD_Result http_run_log(struct http_req *q, int64_t run);

#endif
