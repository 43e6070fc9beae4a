/* http_pages_board: a board's page (its state, runs, reservations and live console) and the reservations calendar. */
#include "rigd.h"
#include "http_pages.h"
#include "util.h"
#include "views.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HTTP_CONSOLE_TAIL	16384	/* console bytes the board page starts with */
#define HTTP_BOARD_RUNS		20	/* the board's latest runs shown */

cJSON *
http_reservations_data(struct http_req *q)
{
	cJSON *o = reserve_show(q->st, http_req_arg(q, "board"));

	return o ? o : http_fail(q, MHD_HTTP_INTERNAL_SERVER_ERROR,
	    "store: cannot read reservations");
}

/* The calendar from 6 hours before now to 42 after, in UTC (the page has no time zone). */
#define HTTP_CAL_BEFORE	(6 * 3600 * 1000LL)
#define HTTP_CAL_AFTER	(42 * 3600 * 1000LL)

static double
http_cal_pct(int64_t ms, int64_t t0, int64_t t1)
{
	if (ms < t0)
		ms = t0;
	if (ms > t1)
		ms = t1;
	return 100.0 * (double)(ms - t0) / (double)(t1 - t0);
}

void
http_reservations_html(struct http_req *q, const cJSON *d, struct html *h)
{
	int64_t now = util_wall_ms(), t0 = now - HTTP_CAL_BEFORE, t1 = now + HTTP_CAL_AFTER;
	const cJSON *r;
	char a[32], b[32];
	int i;

	html_raw(h, "<h2>Calendar</h2><p class=\"small\">%s … %s (UTC)</p>\n<table>"
	    "<tr><th>board</th><th>leases</th></tr>\n", util_iso_time(t0, a, sizeof(a)),
	    util_iso_time(t1, b, sizeof(b)));
	for (i = 0; i < q->r->nboards; i++) {
		const char *name = q->r->boards[i]->conf.name;

		html_raw(h, "<tr><td>");
		html_text(h, name);
		html_raw(h, "</td><td><div class=\"cal\">");
		cJSON_ArrayForEach(r, d) {
			int64_t from = html_int(r, "from_ms", 0), until = html_int(r, "until_ms", 0);

			if (strcmp(html_str(r, "board"), name) != 0 || until <= t0 || from >= t1 ||
			    strcmp(html_str(r, "state"), "cancelled") == 0)
				continue;
			html_raw(h, "<div class=\"res ");
			html_text(h, html_str(r, "state"));
			html_raw(h, "\" style=\"left:%.2f%%;width:%.2f%%\" title=\"",
			    http_cal_pct(from, t0, t1),
			    http_cal_pct(until, t0, t1) - http_cal_pct(from, t0, t1));
			html_text(h, html_str(r, "holder"));
			html_raw(h, ": ");
			html_text(h, html_str(r, "from"));
			html_raw(h, " – ");
			html_text(h, html_str(r, "until"));
			html_raw(h, "\">");
			html_text(h, html_str(r, "holder"));
			html_raw(h, "</div>");
		}
		html_raw(h, "</div></td></tr>\n");
	}
	html_raw(h, "</table>\n<h2>Current and future</h2>\n<table><tr><th>reservation</th>"
	    "<th>board</th><th>holder</th><th>from</th><th>until</th><th>state</th><th>note</th>"
	    "</tr>\n");
	cJSON_ArrayForEach(r, d) {
		if (strcmp(html_str(r, "state"), "current") != 0 &&
		    strcmp(html_str(r, "state"), "future") != 0)
			continue;
		html_raw(h, "<tr><td>%lld</td>", (long long)html_int(r, "id", 0));
		html_cells(h, r, "board", "holder", "from", "until", "state", "note", NULL);
		html_raw(h, "</tr>\n");
	}
	html_raw(h, "</table>\n");
}

/* /boards/NAME: the board, its latest runs, its reservations and its console's tail. */
cJSON *
http_board_data(struct http_req *q)
{
	struct board *b = q->rest[0] == '/' ? board_find(q->r, q->rest + 1) : NULL;
	struct store_runs_filter f = { .newest_first = 1, .limit = HTTP_BOARD_RUNS };
	cJSON *o, *x;
	char *tail;
	FILE *fp;
	long n;

	if (b == NULL)
		return http_fail(q, MHD_HTTP_NOT_FOUND, "no such board");
	o = board_describe(b);
	f.board = b->conf.name;
	if ((x = views_runs_filtered(q->st, &f, VIEWS_BUILD_NAME)) == NULL) {
		cJSON_Delete(o);
		return http_fail(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: cannot read runs");
	}
	cJSON_AddItemToObject(o, "runs", x);
	if ((x = reserve_show(q->st, b->conf.name)) != NULL)
		cJSON_AddItemToObject(o, "reservations", x);
	/* board_describe synced the log up to console_bytes: its tail is read from there. */
	tail = xcalloc(1, HTTP_CONSOLE_TAIL + 1);
	n = 0;
	if ((fp = fopen(html_str(o, "console_log"), "rb")) != NULL) {
		int64_t end = html_int(o, "console_bytes", 0);
		int64_t from = end > HTTP_CONSOLE_TAIL ? end - HTTP_CONSOLE_TAIL : 0;

		if (fseek(fp, (long)from, SEEK_SET) == 0)
			n = (long)fread(tail, 1, (size_t)(end - from), fp);
		fclose(fp);
	}
	tail[n > 0 ? n : 0] = '\0';
	cJSON_AddStringToObject(o, "console_tail", tail);
	free(tail);
	return o;
}

/*
 * The live console (dashboards/console.js) is read-only for everyone: a browser's request
 * carries no proof of who sent it (any page a user opens may post to loopback in their name),
 * so typing stays with the control socket's uid (rigctl console) and the reservation
 * holder's shared console.
 */
void
http_board_html(struct http_req *q, const cJSON *d, struct html *h)
{
	const cJSON *r;

	(void)q;
	html_raw(h, "<p>state <strong>");
	html_text(h, html_str(d, "state"));
	html_raw(h, "</strong> ");
	html_text(h, html_str(d, "reason"));
	html_raw(h, "; kernel ");
	html_text(h, html_str(d, "release"));
	html_raw(h, "; power ");
	html_text(h, html_str(d, "power"));
	html_raw(h, ", console ");
	html_text(h, html_str(d, "console"));
	html_raw(h, ", boot ");
	html_text(h, html_str(d, "boot"));
	html_raw(h, "</p>\n<h2>Console</h2>\n<p class=\"small\">Read-only here: typing is for the "
	    "reservation holder, through <code>rigctl console</code> or the shared console ");
	html_text(h, html_str(d, "console_url"));
	html_raw(h, ". The page follows the console as it comes.</p>\n<pre id=\"console\">");
	html_text(h, html_str(d, "console_tail"));
	html_raw(h, "</pre>\n<h2>Latest runs</h2>\n");
	http_runs_table(h, cJSON_GetObjectItem(d, "runs"));
	html_raw(h, "<h2>Reservations</h2>\n<ul>");
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(d, "reservations")) {
		html_raw(h, "<li>%lld ", (long long)html_int(r, "id", 0));
		html_text(h, html_str(r, "holder"));
		html_raw(h, " ");
		html_text(h, html_str(r, "from"));
		html_raw(h, " – ");
		html_text(h, html_str(r, "until"));
		html_raw(h, " (");
		html_text(h, html_str(r, "state"));
		html_raw(h, ")</li>");
	}
	html_raw(h, "</ul><p><a href=\"/reservations\">calendar</a></p>\n");
}

