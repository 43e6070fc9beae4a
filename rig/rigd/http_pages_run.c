/*
 * http_pages_run: one run's page: its steps and timings, verdict, stack with the guilty frame
 * marked, the console around the report (the whole log a link away), its build and board, and
 * the same scenario on the builds before and after it.
 */
#include "rigd.h"
#include "http_pages.h"
#include "kbuild.h"
#include "util.h"
#include "views.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HTTP_EXCERPT_BEFORE	3072	/* console bytes shown before the report */
#define HTTP_EXCERPT_AFTER	2048	/* ... and after it */
#define HTTP_EXCERPT_MAX	65536	/* an excerpt longer than this keeps its end (the log has all) */
#define HTTP_NEIGHBOURS		1000	/* runs of the scenario looked through for its neighbours */

/* Builds in version order (dpkg's rules), two builds of one version by id: a total order. */
static int
http_build_cmp(const char *va, int64_t ida, const char *vb, int64_t idb)
{
	int c = kbuild_version_cmp(va, vb);

	if (c != 0)
		return c;
	return ida < idb ? -1 : ida > idb;
}

/*
 * The scenario's latest run on that board on the build before this run's build and on the build
 * after it, by version (the matrix's order), whenever those runs ran.
 */
static int
http_run_neighbours(struct http_req *q, cJSON *o)
{
	struct store_runs_filter f = { .newest_first = 1, .limit = HTTP_NEIGHBOURS };
	int64_t build = html_int(o, "build_id", 0);
	int64_t prev = 0, next = 0, prev_b = 0, next_b = 0;
	const char *ver = html_str(o, "build_version"), *prev_v = NULL, *next_v = NULL;
	cJSON *runs, *r;

	f.board = html_str(o, "board");
	f.scenario = html_str(o, "scenario");
	if ((runs = views_runs_filtered(q->st, &f, VIEWS_BUILD_NAME)) == NULL)
		return -1;
	cJSON_ArrayForEach(r, runs) {
		int64_t rid = html_int(r, "id", 0), rb = html_int(r, "build_id", 0);
		const char *rv = html_str(r, "build_version");
		int c;

		if (rb == build || rb <= 0 || html_str(r, "verdict")[0] == '\0' || ver[0] == '\0' ||
		    rv[0] == '\0')
			continue;
		/* Newest first: a build's first run seen is its latest. */
		c = http_build_cmp(rv, rb, ver, build);
		if (c < 0 && (prev_v == NULL || http_build_cmp(rv, rb, prev_v, prev_b) > 0)) {
			prev = rid, prev_v = rv, prev_b = rb;
		} else if (c > 0 && (next_v == NULL || http_build_cmp(rv, rb, next_v, next_b) < 0)) {
			next = rid, next_v = rv, next_b = rb;
		}
	}
	cJSON_AddNumberToObject(o, "prev_build_run", (double)prev);
	cJSON_AddNumberToObject(o, "next_build_run", (double)next);
	cJSON_Delete(runs);
	return 0;
}

/* The console around the first report (or the run's last bytes): its text and where it is. */
static void
http_run_excerpt(cJSON *o)
{
	const cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "crashes"), 0);
	int64_t lo = html_int(o, "console_start", 0), hi = html_int(o, "console_end", lo);
	int64_t from, to, mark0 = -1, mark1 = -1;
	char *buf;
	ssize_t n = 0;
	int fd;

	if (c) {
		mark0 = html_int(c, "start", lo);
		mark1 = html_int(c, "end", mark0);
		from = mark0 - HTTP_EXCERPT_BEFORE;
		to = mark1 + HTTP_EXCERPT_AFTER;
	} else {
		from = hi - HTTP_EXCERPT_BEFORE - HTTP_EXCERPT_AFTER;
		to = hi;
	}
	from = from < lo ? lo : from;
	to = to > hi ? hi : to;
	/* A long report (a hang the rig caught spans the run): its end, where the stacks are. */
	if (to - from > HTTP_EXCERPT_MAX)
		from = to - HTTP_EXCERPT_MAX;
	if (to <= from)
		return;
	buf = xmalloc((size_t)(to - from) + 1);
	if ((fd = open(html_str(o, "console_log"), O_RDONLY | O_CLOEXEC)) != -1) {
		n = pread(fd, buf, (size_t)(to - from), (off_t)from);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	/* Bytes, not UTF-8 checked: cJSON keeps them, the page escapes them. */
	cJSON_AddStringToObject(o, "excerpt", buf);
	cJSON_AddNumberToObject(o, "excerpt_from", (double)from);
	cJSON_AddNumberToObject(o, "excerpt_mark_from", (double)mark0);
	cJSON_AddNumberToObject(o, "excerpt_mark_to", (double)mark1);
	free(buf);
}

cJSON *
http_run_data(struct http_req *q)
{
	char *end;
	long long id = strtoll(q->rest[0] == '/' ? q->rest + 1 : "", &end, 10);
	int found = 0;
	cJSON *o;

	if (id <= 0 || *end != '\0')
		return NULL;		/* the list's; http_runs_data answers */
	if ((o = views_run(q->st, id, VIEWS_BUILD_NAME, &found)) == NULL) {
		q->code = found ? MHD_HTTP_INTERNAL_SERVER_ERROR : MHD_HTTP_NOT_FOUND;
		util_strlcpy(q->err, found ? "store: cannot read the run" : "no such run",
		    sizeof(q->err));
		return NULL;
	}
	if (http_run_neighbours(q, o) == -1) {
		cJSON_Delete(o);
		q->code = MHD_HTTP_INTERNAL_SERVER_ERROR;
		util_strlcpy(q->err, "store: cannot read the runs", sizeof(q->err));
		return NULL;
	}
	http_run_excerpt(o);
	return o;
}

/* The function a stack's guilty frame is in: the first report's frame, else "... in FN". */
static void
http_run_guilty(const cJSON *o, char *fn, size_t len)
{
	const cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "crashes"), 0);
	const char *in = strstr(html_str(o, "title"), " in ");

	fn[0] = '\0';
	if (c && html_str(c, "frame")[0])
		util_strlcpy(fn, html_str(c, "frame"), len);
	else if (in)
		util_strlcpy(fn, in + 4, len);
	fn[strcspn(fn, " +")] = '\0';
}

/* A stack, one frame a line, the guilty one marked (class guilty and a word for readers). */
static void
http_run_stack(struct html *h, const char *stack, const char *fn)
{
	const char *p = stack, *nl;
	size_t fl = strlen(fn);

	html_raw(h, "<pre id=\"stack\">");
	while (*p) {
		const char *hit;
		size_t n;

		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		hit = fl ? strstr(p, fn) : NULL;
		if (hit && hit < p + n && (hit == p || !(hit[-1] == '_' ||
		    (hit[-1] >= 'a' && hit[-1] <= 'z'))) && strchr("+ (\n", hit[fl] ? hit[fl] : '\n')) {
			html_raw(h, "<span class=\"guilty\" title=\"guilty frame\">");
			html_textn(h, p, n);
			html_raw(h, "</span> \xe2\x86\x90 guilty frame");
		} else {
			html_textn(h, p, n);
		}
		html_raw(h, "\n");
		p += n + (nl != NULL);
	}
	html_raw(h, "</pre>\n");
}

void
http_run_html(struct http_req *q, const cJSON *d, struct html *h)
{
	const cJSON *s, *c;
	int64_t id = html_int(d, "id", 0), from = html_int(d, "excerpt_from", 0);
	int64_t m0 = html_int(d, "excerpt_mark_from", -1), m1 = html_int(d, "excerpt_mark_to", -1);
	const char *ex = html_str(d, "excerpt");
	size_t len = strlen(ex);
	char fn[128], href[300];

	html_raw(h, "<p>");
	html_verdict(h, html_str(d, "verdict"));
	html_raw(h, " <strong id=\"title\">");
	html_text(h, html_str(d, "title"));
	html_raw(h, "</strong></p>\n<table><tr><th>board</th><td>");
	/* A board rigd no longer has: its runs. */
	html_href(href, sizeof(href), board_find(q->r, html_str(d, "board")) ? "/boards/" :
	    "/runs?board=", html_str(d, "board"));
	html_link(h, href, html_str(d, "board"));
	html_raw(h, "</td></tr><tr><th>scenario</th><td>");
	html_href(href, sizeof(href), "/history?scenario=", html_str(d, "scenario"));
	html_link(h, href, html_str(d, "scenario"));
	html_raw(h, "</td></tr><tr><th>build</th><td>");
	html_text(h, html_str(d, "build"));
	html_raw(h, "<div class=\"small\">");
	html_text(h, html_str(d, "release"));
	html_raw(h, " ");
	html_text(h, html_str(d, "build_version"));
	html_raw(h, "</div><div class=\"small\">sha256 ");
	html_text(h, html_str(d, "image_sha256"));
	html_raw(h, "</div></td></tr><tr><th>started</th><td>");
	html_text(h, html_str(d, "started"));
	html_raw(h, "</td></tr><tr><th>took</th><td>%.1f s</td></tr><tr><th>state</th><td>",
	    (double)html_int(d, "duration_ms", 0) / 1000);
	html_text(h, html_str(d, "state"));
	html_raw(h, "</td></tr><tr><th>detail</th><td>");
	html_text(h, html_str(d, "detail"));
	html_raw(h, "</td></tr></table>\n<p>");
	if (html_int(d, "prev_build_run", 0) > 0)
		html_raw(h, "<a rel=\"prev\" href=\"/runs/%lld\">same scenario, previous build</a> ",
		    (long long)html_int(d, "prev_build_run", 0));
	if (html_int(d, "next_build_run", 0) > 0)
		html_raw(h, "<a rel=\"next\" href=\"/runs/%lld\">same scenario, next build</a>",
		    (long long)html_int(d, "next_build_run", 0));
	html_raw(h, "</p>\n<h2>Steps</h2>\n<table><tr><th>#</th><th>action</th><th>argument</th>"
	    "<th>status</th><th>at</th><th>took</th><th>output</th></tr>\n");
	cJSON_ArrayForEach(s, cJSON_GetObjectItem(d, "steps")) {
		html_raw(h, "<tr><td>%lld</td>", (long long)html_int(s, "idx", 0));
		html_cells(h, s, "action", "arg", "status", NULL);
		html_raw(h, "<td>%.2f s</td><td>%.2f s</td><td>",
		    (double)html_int(s, "started_ms", 0) / 1000,
		    (double)html_int(s, "duration_ms", 0) / 1000);
		if (html_str(s, "output")[0]) {
			html_raw(h, "<pre>");
			html_text(h, html_str(s, "output"));
			html_raw(h, "</pre>");
		}
		html_raw(h, "</td></tr>\n");
	}
	html_raw(h, "</table>\n");
	if (html_str(d, "stack")[0]) {
		html_raw(h, "<h2>Stack</h2>\n");
		http_run_guilty(d, fn, sizeof(fn));
		http_run_stack(h, html_str(d, "stack"), fn);
	}
	if (cJSON_GetArraySize(cJSON_GetObjectItem(d, "crashes"))) {
		html_raw(h, "<h2>Reports</h2>\n<ul>");
		cJSON_ArrayForEach(c, cJSON_GetObjectItem(d, "crashes")) {
			html_raw(h, "<li>");
			html_text(h, html_str(c, "title"));
			html_raw(h, " <span class=\"small\">");
			html_text(h, html_str(c, "type"));
			html_raw(h, ", frame ");
			html_text(h, html_str(c, "frame"));
			html_raw(h, "</span></li>");
		}
		html_raw(h, "</ul>\n");
	}
	html_raw(h, "<h2>Console</h2>\n<p><a href=\"/runs/%lld/log\">the run's whole console log"
	    "</a></p>\n<pre id=\"excerpt\">", (long long)id);
	/* The report's bytes marked within the excerpt. */
	if (m0 >= 0 && m1 > from && m0 - from <= (int64_t)len) {
		size_t a = m0 > from ? (size_t)(m0 - from) : 0;
		size_t b = m1 - from > (int64_t)len ? len : (size_t)(m1 - from);

		html_textn(h, ex, a);
		html_raw(h, "<mark id=\"report\">");
		html_textn(h, ex + a, b > a ? b - a : 0);
		html_raw(h, "</mark>");
		html_text(h, ex + (b > a ? b : a));
	} else {
		html_text(h, ex);
	}
	html_raw(h, "</pre>\n");
}

enum MHD_Result
http_run_log(struct http_req *q, int64_t run)
{
	int found = 0;
	cJSON *o = views_run(q->st, run, VIEWS_BUILD_NAME, &found);
	struct MHD_Response *resp;
	enum MHD_Result rc;
	struct stat sb;
	int64_t lo, hi;
	int fd;

	if (o == NULL) {
		static const char none[] = "no such run\n";

		resp = MHD_create_response_from_buffer(sizeof(none) - 1, (void *)none,
		    MHD_RESPMEM_PERSISTENT);
		rc = MHD_queue_response(q->conn, found ? 500 : MHD_HTTP_NOT_FOUND, resp);
		MHD_destroy_response(resp);
		return rc;
	}
	lo = html_int(o, "console_start", 0);
	hi = html_int(o, "console_end", -1);
	fd = open(html_str(o, "console_log"), O_RDONLY | O_CLOEXEC);
	cJSON_Delete(o);
	if (fd == -1 || fstat(fd, &sb) == -1) {
		static const char gone[] = "the run's console log is gone\n";

		if (fd != -1)
			close(fd);
		resp = MHD_create_response_from_buffer(sizeof(gone) - 1, (void *)gone,
		    MHD_RESPMEM_PERSISTENT);
		rc = MHD_queue_response(q->conn, MHD_HTTP_NOT_FOUND, resp);
		MHD_destroy_response(resp);
		return rc;
	}
	/* A run still running: up to what the log has now. */
	if (hi < lo || hi > sb.st_size)
		hi = sb.st_size;
	if (lo > hi)
		lo = hi;
	resp = MHD_create_response_from_fd_at_offset64((uint64_t)(hi - lo), fd, (uint64_t)lo);
	if (resp == NULL) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	rc = MHD_queue_response(q->conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return rc;
}
