/* http_pages: the routes, and the lab, runs and crash groups pages. */
#include "rigd.h"
#include "http_pages.h"
#include "http_assets.h"
#include "peer.h"
#include "util.h"
#include "views.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HTTP_RUNS_PAGE		100	/* runs a page of /runs lists */
#define HTTP_RUNS_MAX		1000	/* ?limit= at most */
#define HTTP_LAB_RUNS		20	/* the lab page's latest runs */
#define HTTP_CRASHES_PAGE	100	/* crash groups a page */

const char *
http_req_arg(struct http_req *q, const char *key)
{
	return MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, key);
}

cJSON *
http_fail(struct http_req *q, unsigned code, const char *msg)
{
	q->code = code;
	util_strlcpy(q->err, msg, sizeof(q->err));
	return NULL;
}

/* A run's id as a link to its page. */
void
http_run_link(struct html *h, int64_t id)
{
	if (id > 0)
		html_raw(h, "<a href=\"/runs/%lld\">%lld</a>", (long long)id, (long long)id);
	else
		html_raw(h, "–");
}

/* A table of runs (the lab's latest, a page of /runs, a board's). */
void
http_runs_table(struct html *h, const cJSON *runs)
{
	const cJSON *r;

	if (cJSON_GetArraySize(runs) == 0) {
		html_raw(h, "<p class=\"small\">no runs yet</p>\n");
		return;
	}
	html_raw(h, "<table><tr><th>run</th><th>board</th><th>scenario</th><th>build</th>"
	    "<th>verdict</th><th>title</th><th>started</th><th>took</th></tr>\n");
	cJSON_ArrayForEach(r, runs) {
		char href[300];

		html_raw(h, "<tr><td>");
		http_run_link(h, html_int(r, "id", 0));
		html_raw(h, "</td><td>");
		/* The board's runs: a board of the history may no longer be one of rigd's. */
		html_href(href, sizeof(href), "/runs?board=", html_str(r, "board"));
		html_link(h, href, html_str(r, "board"));
		html_raw(h, "</td><td>");
		html_href(href, sizeof(href), "/history?scenario=", html_str(r, "scenario"));
		html_link(h, href, html_str(r, "scenario"));
		html_raw(h, "</td>");
		html_cells(h, r, "build", NULL);
		html_raw(h, "<td>");
		html_verdict(h, html_str(r, "verdict"));
		html_raw(h, "</td>");
		html_cells(h, r, "title", "started", NULL);
		html_raw(h, "<td>");
		if (html_int(r, "duration_ms", -1) >= 0)
			html_raw(h, "%.1f s", (double)html_int(r, "duration_ms", 0) / 1000);
		html_raw(h, "</td></tr>\n");
	}
	html_raw(h, "</table>\n");
}

/* The reservation holding board now: its holder's name into holder, "" when none. */
static int
http_holder(struct http_req *q, const char *board, char *holder, size_t len, int64_t *until)
{
	struct store_reservation res;
	int rc = store_reservation_at(q->st, board, util_wall_ms(), &res);

	holder[0] = '\0';
	if (rc == 1) {
		peer_user_name(res.uid, holder, len);
		*until = res.end_ms;
	}
	return rc;
}

/* The lab: the boards (state, current run, holder, parts), the queue and the latest runs. */
static cJSON *
http_lab_data(struct http_req *q)
{
	cJSON *o = cJSON_CreateObject(), *boards = cJSON_AddArrayToObject(o, "boards"), *x;
	cJSON *events;
	int i;

	if ((events = views_board_events(q->st, 500)) == NULL)
		goto fail;
	for (i = 0; i < q->r->nboards; i++) {
		struct board *bd = q->r->boards[i];
		cJSON *b = board_describe(bd), *run = NULL, *e;
		char holder[64];
		int64_t until = 0, run_id;
		int found;

		cJSON_AddItemToArray(boards, b);
		if (http_holder(q, html_str(b, "name"), holder, sizeof(holder), &until) == -1)
			goto fail;
		cJSON_AddStringToObject(b, "holder", holder);
		if (holder[0])
			cJSON_AddNumberToObject(b, "held_until_ms", (double)until);
		/* The run in progress is the board's to say (the store would be scanned for it). */
		pthread_mutex_lock(&bd->lock);
		run_id = bd->run_id;
		pthread_mutex_unlock(&bd->lock);
		if (run_id > 0 && (run = views_run(q->st, run_id, VIEWS_BUILD_NAME, &found)) != NULL) {
			cJSON_DeleteItemFromObject(run, "steps");
			cJSON_DeleteItemFromObject(run, "stack");
		}
		cJSON_AddItemToObject(b, "current_run", run ? run : cJSON_CreateNull());
		/* Since when the board is in its state: its latest change (uptime when READY). */
		cJSON_ArrayForEach(e, events)
			if (strcmp(html_str(e, "board"), html_str(b, "name")) == 0)
				break;
		cJSON_AddStringToObject(b, "state_since", e ? html_str(e, "at") : "");
	}
	cJSON_Delete(events);
	if ((x = views_queue(q->st)) == NULL)
		goto fail_o;
	cJSON_DeleteItemFromObject(x, "finished");
	cJSON_AddItemToObject(o, "queue", x);
	if ((x = views_runs(q->st, HTTP_LAB_RUNS, VIEWS_BUILD_NAME)) == NULL)
		goto fail_o;
	cJSON_AddItemToObject(o, "runs", x);
	return o;
fail:
	cJSON_Delete(events);
fail_o:
	cJSON_Delete(o);
	return http_fail(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: cannot read the lab");
}

static void
http_lab_html(struct http_req *q, const cJSON *d, struct html *h)
{
	const cJSON *b, *jobs = cJSON_GetObjectItem(cJSON_GetObjectItem(d, "queue"), "jobs"), *j;
	const cJSON *c;

	(void)q;
	html_raw(h, "<div id=\"lab\">\n<h2>Boards</h2>\n<table><tr><th>board</th><th>state</th>"
	    "<th>since</th><th>current run</th><th>holder</th><th>kernel</th><th>queued</th>"
	    "<th>power</th><th>console</th><th>boot</th><th>reason</th></tr>\n");
	cJSON_ArrayForEach(b, cJSON_GetObjectItem(d, "boards")) {
		char href[300];

		html_href(href, sizeof(href), "/boards/", html_str(b, "name"));
		html_raw(h, "<tr><td>");
		html_link(h, href, html_str(b, "name"));
		html_raw(h, "</td>");
		html_cells(h, b, "state", "state_since", NULL);
		html_raw(h, "<td>");
		c = cJSON_GetObjectItem(b, "current_run");
		if (cJSON_IsObject(c)) {
			http_run_link(h, html_int(c, "id", 0));
			html_raw(h, " ");
			html_text(h, html_str(c, "scenario"));
		}
		html_raw(h, "</td>");
		html_cells(h, b, "holder", "release", NULL);
		html_raw(h, "<td>%lld</td>", (long long)html_int(b, "queued", 0));
		html_cells(h, b, "power", "console", "boot", NULL);
		html_raw(h, "<td>");
		html_text(h, html_str(b, "reason"));
		html_text(h, html_str(b, "waiting"));
		html_raw(h, "</td></tr>\n");
	}
	html_raw(h, "</table>\n<h2>Queue</h2>\n");
	if (cJSON_GetArraySize(jobs) == 0)
		html_raw(h, "<p class=\"small\">empty</p>\n");
	else
		html_raw(h, "<table><tr><th>job</th><th>board</th><th>scenario</th><th>build</th>"
		    "<th>state</th><th>run</th><th>note</th></tr>\n");
	cJSON_ArrayForEach(j, jobs) {
		html_raw(h, "<tr><td>%lld</td>", (long long)html_int(j, "id", 0));
		html_cells(h, j, "board", "scenario", "build", "state", NULL);
		html_raw(h, "<td>");
		http_run_link(h, html_int(j, "run_id", 0));
		html_raw(h, "</td>");
		html_cells(h, j, "note", NULL);
		html_raw(h, "</tr>\n");
	}
	if (cJSON_GetArraySize(jobs))
		html_raw(h, "</table>\n");
	html_raw(h, "<h2>Latest runs</h2>\n");
	http_runs_table(h, cJSON_GetObjectItem(d, "runs"));
	html_raw(h, "<p><a href=\"/runs\">all runs</a></p>\n</div>\n"
	    "<h2>Live</h2><ol id=\"live\" class=\"small\" aria-live=\"polite\"></ol>\n"
	    "<noscript><p class=\"small\">Live updates need JavaScript; reload for the latest."
	    "</p></noscript>\n");
}

/* /runs?before=ID&limit=N&board=B&scenario=S: a page of runs, newest first. */
static cJSON *
http_runs_data(struct http_req *q)
{
	struct store_runs_filter f = { .newest_first = 1 };
	cJSON *o;

	f.limit = (int)html_arg_int(http_req_arg(q, "limit"), HTTP_RUNS_PAGE, 1, HTTP_RUNS_MAX);
	f.before = html_arg_int(http_req_arg(q, "before"), 0, 1, INT64_MAX);
	f.board = http_req_arg(q, "board");
	f.scenario = http_req_arg(q, "scenario");
	if ((o = views_runs_filtered(q->st, &f, VIEWS_BUILD_NAME)) == NULL)
		return http_fail(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: cannot read runs");
	return o;
}

static void
http_runs_html(struct http_req *q, const cJSON *d, struct html *h)
{
	int n = cJSON_GetArraySize(d);
	const char *board = http_req_arg(q, "board"), *scen = http_req_arg(q, "scenario");

	http_runs_table(h, d);
	if (n > 0 && html_int(cJSON_GetArrayItem(d, n - 1), "id", 0) > 1) {
		html_raw(h, "<p><a rel=\"next\" href=\"/runs?limit=%d&amp;before=%lld",
		    n, (long long)html_int(cJSON_GetArrayItem(d, n - 1), "id", 0));
		if (board) {
			html_raw(h, "&amp;board=");
			html_text(h, board);
		}
		if (scen) {
			html_raw(h, "&amp;scenario=");
			html_text(h, scen);
		}
		html_raw(h, "\">older runs</a></p>\n");
	}
}

static int
http_add_name(const char *name, void *arg)
{
	cJSON_AddItemToArray(arg, cJSON_CreateString(name ? name : ""));
	return 0;
}

/*
 * Crash groups, latest first, a page at a time (?page=N from 0), each with the boards it was
 * seen on and the builds and boards of its first and latest run.
 */
static cJSON *
http_crashes_data(struct http_req *q)
{
	cJSON *all = views_crash_groups(q->st), *page, *g;
	int64_t p = html_arg_int(http_req_arg(q, "page"), 0, 0, 1000000);
	int i, n;

	if (all == NULL)
		return http_fail(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: cannot read crashes");
	page = cJSON_CreateArray();
	n = cJSON_GetArraySize(all);
	for (i = (int)(p * HTTP_CRASHES_PAGE); i < n && i < (int)((p + 1) * HTTP_CRASHES_PAGE);
	    i++) {
		static const char *const ends[] = { "first_run", "last_run" };
		size_t k;

		g = cJSON_Duplicate(cJSON_GetArrayItem(all, i), 1);
		cJSON_AddItemToArray(page, g);
		if (store_crash_boards(q->st, html_str(g, "title"), http_add_name,
		    cJSON_AddArrayToObject(g, "boards")) == -1) {
			cJSON_Delete(all);
			cJSON_Delete(page);
			return http_fail(q, MHD_HTTP_INTERNAL_SERVER_ERROR,
			    "store: cannot read crashes");
		}
		for (k = 0; k < UTIL_NELEM(ends); k++) {
			int found;
			cJSON *r = views_run(q->st, html_int(g, ends[k], 0), VIEWS_BUILD_NAME,
			    &found);
			char key[32];

			util_fmt(key, sizeof(key), "%s_build", k ? "last" : "first");
			cJSON_AddStringToObject(g, key, r ? html_str(r, "build") : "");
			util_fmt(key, sizeof(key), "%s_board", k ? "last" : "first");
			cJSON_AddStringToObject(g, key, r ? html_str(r, "board") : "");
			cJSON_Delete(r);
		}
	}
	cJSON_Delete(all);
	return page;
}

static void
http_crashes_html(struct http_req *q, const cJSON *d, struct html *h)
{
	const cJSON *g, *b;
	int64_t p = html_arg_int(http_req_arg(q, "page"), 0, 0, 1000000);

	if (cJSON_GetArraySize(d) == 0) {
		html_raw(h, "<p class=\"small\">no crash groups</p>\n");
		return;
	}
	html_raw(h, "<table><tr><th>title</th><th>type</th><th>count</th><th>first build</th>"
	    "<th>last build</th><th>boards</th><th>first seen</th><th>last seen</th>"
	    "<th>latest run</th></tr>\n");
	cJSON_ArrayForEach(g, d) {
		html_raw(h, "<tr><td>");
		html_text(h, html_str(g, "title"));
		if (html_str(g, "rig_title")[0] && strcmp(html_str(g, "rig_title"),
		    html_str(g, "title")) != 0) {
			html_raw(h, "<div class=\"small\">");
			html_text(h, html_str(g, "rig_title"));
			html_raw(h, "</div>");
		}
		html_raw(h, "</td>");
		html_cells(h, g, "type", NULL);
		html_raw(h, "<td>%lld</td>", (long long)html_int(g, "count", 0));
		html_cells(h, g, "first_build", "last_build", NULL);
		html_raw(h, "<td>");
		cJSON_ArrayForEach(b, cJSON_GetObjectItem(g, "boards")) {
			html_text(h, cJSON_IsString(b) ? b->valuestring : "");
			html_raw(h, b->next ? " " : "");
		}
		html_raw(h, "</td>");
		html_cells(h, g, "first_seen", "last_seen", NULL);
		html_raw(h, "<td>");
		http_run_link(h, html_int(g, "last_run", 0));
		html_raw(h, "</td></tr>\n");
	}
	html_raw(h, "</table>\n");
	if (p > 0)
		html_raw(h, "<a rel=\"prev\" href=\"/crashes?page=%lld\">newer</a> ", (long long)p - 1);
	if (cJSON_GetArraySize(d) == HTTP_CRASHES_PAGE)
		html_raw(h, "<a rel=\"next\" href=\"/crashes?page=%lld\">older</a>", (long long)p + 1);
}

static const struct http_family http_families[] = {
	{ "", 0, http_lab_data, http_lab_html },
	{ "/runs", 0, http_runs_data, http_runs_html },
	{ "/crashes", 0, http_crashes_data, http_crashes_html },
	{ "/reservations", 0, http_reservations_data, http_reservations_html },
	{ "/boards", 0, http_board_data, http_board_html },
	{ "/matrix", 1, http_matrix_data, http_matrix_html },
	{ "/history", 0, http_history_data, http_history_html },
};

/* The script a family's page runs (lab.js or console.js of dashboards/; pages work without). */
const char *
http_pages_script(const struct http_family *f)
{
	if (strcmp(f->prefix, "") == 0)
		return http_assets_get(HTTP_ASSET_LAB_JS);
	if (strcmp(f->prefix, "/boards") == 0)
		return http_assets_get(HTTP_ASSET_CONSOLE_JS);
	return NULL;
}

const struct http_family *
http_pages_route(const char *url, int *api, const char **rest)
{
	size_t i, n;

	*api = strncmp(url, "/api/", 5) == 0 || strcmp(url, "/api") == 0;
	if (*api)
		url += 4;
	if (!*api && (strcmp(url, "/") == 0 || strcmp(url, "/index.html") == 0)) {
		*rest = "";
		return &http_families[0];
	}
	if (*api && strcmp(url, "/lab") == 0) {
		*rest = "";
		return &http_families[0];
	}
	for (i = 1; i < UTIL_NELEM(http_families); i++) {
		n = strlen(http_families[i].prefix);
		if (strncmp(url, http_families[i].prefix, n) == 0 &&
		    (url[n] == '\0' || url[n] == '/')) {
			*rest = url + n;
			return &http_families[i];
		}
	}
	return NULL;
}
