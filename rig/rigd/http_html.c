/* http_html: escaped page text in a growing buffer, and the pages' common head and verdict marks. */
#include "http_html.h"
#include "http_assets.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
html_grow(struct html *h, size_t more)
{
	if (h->len + more + 1 <= h->cap)
		return;
	while (h->len + more + 1 > h->cap)
		h->cap = h->cap ? h->cap * 2 : 8192;
	h->buf = xrealloc(h->buf, h->cap);
}

void
html_raw(struct html *h, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	html_grow(h, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(h->buf + h->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	h->len += (size_t)n;
}

void
html_textn(struct html *h, const char *s, size_t n)
{
	size_t i;

	if (s == NULL)
		return;
	html_grow(h, n * 6);
	for (i = 0; i < n; i++) {
		const char *e = NULL;

		switch (s[i]) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		case '\0': e = "\xef\xbf\xbd"; break;
		}
		if (e) {
			memcpy(h->buf + h->len, e, strlen(e));
			h->len += strlen(e);
		} else if ((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\t') {
			/* A console's control bytes would only garble the page: shown as a dot. */
			h->buf[h->len++] = '.';
		} else {
			h->buf[h->len++] = s[i];
		}
	}
	h->buf[h->len] = '\0';
}

void
html_text(struct html *h, const char *s)
{
	if (s)
		html_textn(h, s, strlen(s));
}

void
html_cells(struct html *h, const cJSON *o, ...)
{
	const char *key;
	va_list ap;

	va_start(ap, o);
	while ((key = va_arg(ap, const char *)) != NULL) {
		html_raw(h, "<td>");
		html_text(h, html_str(o, key));
		html_raw(h, "</td>");
	}
	va_end(ap);
}

void
html_link(struct html *h, const char *href, const char *text)
{
	html_raw(h, "<a href=\"");
	html_text(h, href);
	html_raw(h, "\">");
	html_text(h, text);
	html_raw(h, "</a>");
}

void
html_href(char *dst, size_t len, const char *prefix, const char *value)
{
	size_t n = util_strlcpy(dst, prefix, len);

	for (; value && *value && n + 4 < len; value++) {
		unsigned char c = (unsigned char)*value;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-._~", c))
			dst[n++] = (char)c;
		else
			n += (size_t)snprintf(dst + n, len - n, "%%%02X", c);
	}
	if (n < len)
		dst[n] = '\0';
}

/* Shapes that differ without colour: a check, a cross, a half-filled circle, a lightning, a question. */
void
html_verdict(struct html *h, const char *v)
{
	static const struct { const char *word, *shape; } shapes[] = {
		{ "pass", "\xe2\x9c\x93" }, { "fail", "\xe2\x9c\x97" }, { "hang", "\xe2\x97\x90" },
		{ "crash", "\xe2\x9a\xa1" }, { "error", "?" },
	};
	const char *shape = "\xe2\x80\xa6";
	size_t i;

	if (v == NULL || *v == '\0')
		v = "running";
	for (i = 0; i < UTIL_NELEM(shapes); i++)
		if (strcmp(v, shapes[i].word) == 0)
			shape = shapes[i].shape;
	html_raw(h, "<span class=\"v ");
	html_text(h, v);
	html_raw(h, "\"><span aria-hidden=\"true\">%s</span> ", shape);
	html_text(h, v);
	html_raw(h, "</span>");
}

void
html_head(struct html *h, const char *title)
{
	html_raw(h, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width\"><title>");
	html_text(h, title);
	/* The sheet is dashboards/rig.css (http_assets), read once at start. */
	html_raw(h, " - rig</title><style>\n%s</style></head><body>\n<nav><a href=\"/\">lab</a><a href=\"/matrix\">matrix</a>"
	    "<a href=\"/runs\">runs</a><a href=\"/crashes\">crash groups</a>"
	    "<a href=\"/history\">history</a><a href=\"/reservations\">reservations</a></nav>\n<h1>",
	    http_assets_get(HTTP_ASSET_CSS));
	html_text(h, title);
	html_raw(h, "</h1>\n");
}

void
html_tail(struct html *h, const char *script)
{
	if (script)
		html_raw(h, "<script>\n%s</script>\n", script);
	html_raw(h, "</body></html>\n");
}

const char *
html_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

int64_t
html_int(const cJSON *o, const char *key, int64_t def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : def;
}

int64_t
html_arg_int(const char *val, int64_t def, int64_t min, int64_t max)
{
	char *end;
	long long n;

	if (val == NULL || *val == '\0')
		return def;
	n = strtoll(val, &end, 10);
	if (*end != '\0' || n < min || n > max)
		return def;
	return n;
}
