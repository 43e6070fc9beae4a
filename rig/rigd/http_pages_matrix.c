/*
 * http_pages_matrix: the builds-by-scenarios matrix (the latest builds a page at a time, every
 * cell a link to its latest run, regressions and fixes against the build before marked) and
 * the history of one scenario (its verdicts across builds and its time to a verdict, run by
 * run, drawn as SVG in the page).
 */
#include "rigd.h"
#include "http_pages.h"
#include "report.h"
#include "kbuild.h"
#include "util.h"
#include "views.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HTTP_MATRIX_BUILDS	30	/* builds a matrix page shows */
#define HTTP_HISTORY_RUNS	500	/* runs a history plots, newest */
#define HTTP_HISTORY_MAX	5000

/* Pass against anything else: a kernel verdict that changed between neighbouring builds. */
static const char *
http_matrix_change(const cJSON *older, const cJSON *cell)
{
	const char *a, *b;

	if (!cJSON_IsObject(older) || !cJSON_IsObject(cell))
		return NULL;
	a = html_str(older, "verdict");
	b = html_str(cell, "verdict");
	if (strcmp(a, "error") == 0 || strcmp(b, "error") == 0 || strcmp(a, b) == 0)
		return NULL;
	if (strcmp(a, "pass") == 0)
		return "regression";
	if (strcmp(b, "pass") == 0)
		return "fix";
	return NULL;
}

cJSON *
http_matrix_data(struct http_req *q)
{
	int64_t n = html_arg_int(http_req_arg(q, "builds"), HTTP_MATRIX_BUILDS, 1, 100000);
	int64_t page = html_arg_int(http_req_arg(q, "page"), 0, 0, 100000);
	/* The store reads the page's builds only (and the one below it), not the history. */
	cJSON *m = report_matrix_page(q->st, http_req_arg(q, "board"), (int)n, (int)page, q->err,
	    sizeof(q->err));
	cJSON *rows, *row, *prev, *keep;
	int i;

	if (m == NULL) {
		q->code = MHD_HTTP_INTERNAL_SERVER_ERROR;
		return NULL;
	}
	rows = cJSON_GetObjectItem(m, "rows");
	/* Marks: each row against the one below it, the oldest shown against "below". */
	prev = cJSON_GetObjectItem(m, "below");
	cJSON_ArrayForEach(row, rows) {
		int c = 0;
		cJSON *cell;

		cJSON_ArrayForEach(cell, cJSON_GetObjectItem(row, "cells")) {
			const char *ch = prev ? http_matrix_change(cJSON_GetArrayItem(
			    cJSON_GetObjectItem(prev, "cells"), c), cell) : NULL;

			if (ch)
				cJSON_AddStringToObject(cell, "change", ch);
			c++;
		}
		prev = row;
	}
	cJSON_DeleteItemFromObject(m, "below");
	/* Oldest first from the report; the page shows the newest first. */
	keep = cJSON_CreateArray();
	for (i = cJSON_GetArraySize(rows) - 1; i >= 0; i--)
		cJSON_AddItemToArray(keep, cJSON_DetachItemFromArray(rows, i));
	cJSON_ReplaceItemInObject(m, "rows", keep);
	cJSON_AddNumberToObject(m, "page", (double)page);
	cJSON_AddNumberToObject(m, "builds", (double)n);
	cJSON_AddStringToObject(m, "order", "newest first");
	return m;
}

void
http_matrix_html(struct http_req *q, const cJSON *d, struct html *h)
{
	const cJSON *col, *row, *cell;
	int64_t page = html_int(d, "page", 0), n = html_int(d, "builds", HTTP_MATRIX_BUILDS);
	const char *board = http_req_arg(q, "board");

	html_raw(h, "<p class=\"small\">Builds newest first (by version); every cell links to its "
	    "latest run. <span class=\"reg\">&nbsp;regression&nbsp;</span> and "
	    "<span class=\"fix\">&nbsp;fix&nbsp;</span> mark a verdict that changed from the "
	    "build below.</p>\n");
	if (cJSON_GetArraySize(cJSON_GetObjectItem(d, "rows")) == 0) {
		html_raw(h, "<p class=\"small\">no builds with results yet</p>\n");
		return;
	}
	html_raw(h, "<table id=\"matrix\"><tr><th>build</th>");
	cJSON_ArrayForEach(col, cJSON_GetObjectItem(d, "columns")) {
		char href[300];

		html_raw(h, "<th>");
		html_href(href, sizeof(href), "/history?scenario=", html_str(col, "scenario"));
		html_link(h, href, html_str(col, "scenario"));
		html_raw(h, "<div class=\"small\">");
		html_text(h, html_str(col, "board"));
		html_raw(h, "</div></th>");
	}
	html_raw(h, "</tr>\n");
	cJSON_ArrayForEach(row, cJSON_GetObjectItem(d, "rows")) {
		html_raw(h, "<tr><th>");
		html_text(h, html_str(row, "build"));
		html_raw(h, "<div class=\"small\">");
		html_text(h, html_str(row, "version"));
		html_raw(h, "</div></th>");
		cJSON_ArrayForEach(cell, cJSON_GetObjectItem(row, "cells")) {
			const char *ch = html_str(cell, "change");

			if (!cJSON_IsObject(cell)) {
				html_raw(h, "<td>–</td>");
				continue;
			}
			html_raw(h, "<td class=\"");
			html_text(h, html_str(cell, "verdict"));
			if (ch[0])
				html_raw(h, " %s", strcmp(ch, "fix") == 0 ? "fix" : "reg");
			html_raw(h, "\" title=\"");
			html_text(h, html_str(cell, "title"));
			html_raw(h, "\"><a href=\"/runs/%lld\">", (long long)html_int(cell, "run_id", 0));
			html_verdict(h, html_str(cell, "verdict"));
			html_raw(h, "</a>");
			if (ch[0]) {
				html_raw(h, " <span class=\"small\">");
				html_text(h, ch);
				html_raw(h, "</span>");
			}
			if (cJSON_IsTrue(cJSON_GetObjectItem(cell, "flaky")))
				html_raw(h, " <span class=\"small\">flaky</span>");
			html_raw(h, "<div class=\"small\">%lld run(s)</div></td>",
			    (long long)html_int(cell, "runs", 0));
		}
		html_raw(h, "</tr>\n");
	}
	html_raw(h, "</table>\n<p>");
	if (page > 0) {
		html_raw(h, "<a rel=\"prev\" href=\"/matrix?builds=%lld&amp;page=%lld", (long long)n,
		    (long long)page - 1);
		if (board) {
			html_raw(h, "&amp;board=");
			html_text(h, board);
		}
		html_raw(h, "\">newer builds</a> ");
	}
	if ((page + 1) * n < html_int(d, "total_builds", 0)) {
		html_raw(h, "<a rel=\"next\" href=\"/matrix?builds=%lld&amp;page=%lld", (long long)n,
		    (long long)page + 1);
		if (board) {
			html_raw(h, "&amp;board=");
			html_text(h, board);
		}
		html_raw(h, "\">older builds</a>");
	}
	html_raw(h, "</p>\n");
}

static int
http_history_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	int64_t ix = html_int(x, "build_id", 0), iy = html_int(y, "build_id", 0);
	int c = kbuild_version_cmp(html_str(x, "version"), html_str(y, "version"));

	if (c != 0)
		return c;
	return ix < iy ? -1 : ix > iy;
}

/* The history's builds in the matrix's order: by version, oldest first. */
static void
http_history_by_version(cJSON *builds)
{
	int i, n = cJSON_GetArraySize(builds);
	cJSON **v;

	if (n < 2 || (v = calloc((size_t)n, sizeof(*v))) == NULL)
		return;
	for (i = n - 1; i >= 0; i--)
		v[i] = cJSON_DetachItemFromArray(builds, i);
	qsort(v, (size_t)n, sizeof(*v), http_history_cmp);
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(builds, v[i]);
	free(v);
}

/*
 * /history?scenario=S[&board=B][&limit=N]: the scenario's latest runs (oldest first) and its
 * builds by version (oldest first), each with its verdicts counted and its latest. Without a
 * scenario: the scenarios of the latest runs, to choose from.
 */
cJSON *
http_history_data(struct http_req *q)
{
	struct store_runs_filter f = { .newest_first = 1 };
	const char *scen = http_req_arg(q, "scenario");
	cJSON *o = cJSON_CreateObject(), *runs, *r, *builds, *b, *asc;
	int i;

	f.scenario = scen;
	f.board = http_req_arg(q, "board");
	f.limit = (int)html_arg_int(http_req_arg(q, "limit"), HTTP_HISTORY_RUNS, 1,
	    HTTP_HISTORY_MAX);
	if ((runs = views_runs_filtered(q->st, &f, VIEWS_BUILD_NAME)) == NULL) {
		cJSON_Delete(o);
		q->code = MHD_HTTP_INTERNAL_SERVER_ERROR;
		util_strlcpy(q->err, "store: cannot read runs", sizeof(q->err));
		return NULL;
	}
	if (scen == NULL) {
		cJSON *names = cJSON_AddArrayToObject(o, "scenarios");

		cJSON_ArrayForEach(r, runs) {
			const cJSON *n;
			int seen = 0;

			cJSON_ArrayForEach(n, names)
				seen |= strcmp(n->valuestring, html_str(r, "scenario")) == 0;
			if (!seen)
				cJSON_AddItemToArray(names, cJSON_CreateString(html_str(r, "scenario")));
		}
		cJSON_Delete(runs);
		return o;
	}
	cJSON_AddStringToObject(o, "scenario", scen);
	asc = cJSON_AddArrayToObject(o, "runs");
	builds = cJSON_AddArrayToObject(o, "builds");
	for (i = cJSON_GetArraySize(runs) - 1; i >= 0; i--) {
		cJSON *x = cJSON_DetachItemFromArray(runs, i), *counts;
		const char *v = html_str(x, "verdict");

		cJSON_AddItemToArray(asc, x);
		if (html_int(x, "build_id", 0) <= 0 || v[0] == '\0')
			continue;
		cJSON_ArrayForEach(b, builds)
			if (html_int(b, "build_id", 0) == html_int(x, "build_id", 0))
				break;
		if (b == NULL) {
			b = cJSON_CreateObject();
			cJSON_AddNumberToObject(b, "build_id", (double)html_int(x, "build_id", 0));
			cJSON_AddStringToObject(b, "build", html_str(x, "build"));
			cJSON_AddStringToObject(b, "version", html_str(x, "build_version"));
			cJSON_AddObjectToObject(b, "counts");
			cJSON_AddItemToArray(builds, b);
		}
		counts = cJSON_GetObjectItem(b, "counts");
		if (cJSON_GetObjectItem(counts, v) == NULL)
			cJSON_AddNumberToObject(counts, v, 0);
		cJSON_SetNumberValue(cJSON_GetObjectItem(counts, v),
		    cJSON_GetObjectItem(counts, v)->valuedouble + 1);
		cJSON_DeleteItemFromObject(b, "latest");
		cJSON_DeleteItemFromObject(b, "latest_run");
		cJSON_AddStringToObject(b, "latest", v);
		cJSON_AddNumberToObject(b, "latest_run", (double)html_int(x, "id", 0));
	}
	cJSON_Delete(runs);
	http_history_by_version(builds);
	return o;
}

/* A verdict's mark in the SVG: the page's shapes as text, its colour, and words on hover. */
static void
http_svg_mark(struct html *h, double x, double y, const char *v, int64_t run, const char *tip)
{
	static const struct { const char *word, *shape, *colour; } marks[] = {
		{ "pass", "\xe2\x9c\x93", "#1b6e20" }, { "fail", "\xe2\x9c\x97", "#8e2a8a" },
		{ "hang", "\xe2\x97\x90", "#8a4b00" }, { "crash", "\xe2\x9a\xa1", "#b00020" },
	};
	const char *shape = "?", *colour = "#444";
	size_t i;

	for (i = 0; i < UTIL_NELEM(marks); i++)
		if (strcmp(v, marks[i].word) == 0) {
			shape = marks[i].shape;
			colour = marks[i].colour;
		}
	html_raw(h, "<a href=\"/runs/%lld\"><text x=\"%.1f\" y=\"%.1f\" fill=\"%s\" "
	    "text-anchor=\"middle\" font-size=\"13\"><title>", (long long)run, x, y, colour);
	html_text(h, tip);
	html_raw(h, "</title>%s</text></a>", shape);
}

void
http_history_html(struct http_req *q, const cJSON *d, struct html *h)
{
	const cJSON *r, *b, *names = cJSON_GetObjectItem(d, "scenarios");
	int nb = cJSON_GetArraySize(cJSON_GetObjectItem(d, "builds"));
	int nr = cJSON_GetArraySize(cJSON_GetObjectItem(d, "runs")), i;
	double maxs = 1, w = 900, x;

	(void)q;
	if (names) {
		html_raw(h, "<p>Choose a scenario:</p><ul>");
		cJSON_ArrayForEach(r, names) {
			char href[300];

			html_href(href, sizeof(href), "/history?scenario=", r->valuestring);
			html_raw(h, "<li>");
			html_link(h, href, r->valuestring);
			html_raw(h, "</li>");
		}
		html_raw(h, "</ul>\n");
		return;
	}
	html_raw(h, "<h2>");
	html_text(h, html_str(d, "scenario"));
	html_raw(h, ": verdicts across builds</h2>\n");
	if (nb == 0) {
		html_raw(h, "<p class=\"small\">no finished runs</p>\n");
	} else {
		html_raw(h, "<svg id=\"verdicts\" role=\"img\" aria-label=\"latest verdict per build\" "
		    "width=\"%.0f\" height=\"60\" viewBox=\"0 0 %.0f 60\">", w, w);
		i = 0;
		cJSON_ArrayForEach(b, cJSON_GetObjectItem(d, "builds")) {
			char tip[600];

			x = 10 + (w - 20) * (nb > 1 ? (double)i / (nb - 1) : 0.5);
			util_fmt(tip, sizeof(tip), "%s: %s", html_str(b, "build"), html_str(b, "latest"));
			http_svg_mark(h, x, 30, html_str(b, "latest"), html_int(b, "latest_run", 0), tip);
			i++;
		}
		html_raw(h, "</svg>\n<table><tr><th>build</th><th>latest</th><th>runs</th></tr>\n");
		cJSON_ArrayForEach(b, cJSON_GetObjectItem(d, "builds")) {
			const cJSON *c;

			html_raw(h, "<tr>");
			html_cells(h, b, "build", NULL);
			html_raw(h, "<td><a href=\"/runs/%lld\">",
			    (long long)html_int(b, "latest_run", 0));
			html_verdict(h, html_str(b, "latest"));
			html_raw(h, "</a></td><td>");
			cJSON_ArrayForEach(c, cJSON_GetObjectItem(b, "counts")) {
				html_text(h, c->string);
				html_raw(h, " %d ", (int)c->valuedouble);
			}
			html_raw(h, "</td></tr>\n");
		}
		html_raw(h, "</table>\n");
	}
	html_raw(h, "<h2>Time to a verdict, run by run</h2>\n");
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(d, "runs"))
		if ((double)html_int(r, "duration_ms", 0) / 1000 > maxs)
			maxs = (double)html_int(r, "duration_ms", 0) / 1000;
	html_raw(h, "<svg id=\"durations\" role=\"img\" aria-label=\"seconds to a verdict per run\" "
	    "width=\"%.0f\" height=\"220\" viewBox=\"0 0 %.0f 220\">"
	    "<line x1=\"40\" y1=\"200\" x2=\"%.0f\" y2=\"200\" stroke=\"#888\"/>"
	    "<line x1=\"40\" y1=\"10\" x2=\"40\" y2=\"200\" stroke=\"#888\"/>"
	    "<text x=\"36\" y=\"14\" text-anchor=\"end\" font-size=\"11\">%.0f s</text>"
	    "<text x=\"36\" y=\"200\" text-anchor=\"end\" font-size=\"11\">0</text>", w, w, w,
	    maxs);
	i = 0;
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(d, "runs")) {
		double s = (double)html_int(r, "duration_ms", 0) / 1000;
		char tip[600];

		x = 50 + (w - 60) * (nr > 1 ? (double)i / (nr - 1) : 0.5);
		util_fmt(tip, sizeof(tip), "run %lld, %s, %s: %s in %.1f s",
		    (long long)html_int(r, "id", 0), html_str(r, "board"), html_str(r, "build"),
		    html_str(r, "verdict")[0] ? html_str(r, "verdict") : "running", s);
		http_svg_mark(h, x, 200 - 185 * s / maxs + 4, html_str(r, "verdict"),
		    html_int(r, "id", 0), tip);
		i++;
	}
	html_raw(h, "</svg>\n<p class=\"small\">%d run(s), oldest left; each mark links to its run."
	    "</p>\n", nr);
}
