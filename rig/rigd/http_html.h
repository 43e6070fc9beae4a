/*
 * http_html: the server-rendered pages' text, built in a growing buffer where every piece of
 * data goes through html_text (escaped): a build's name or a crash title written by a hostile
 * kernel or packager is shown as text, never read as markup. html_raw is for the pages' own
 * markup only (its format and arguments are the program's, never the store's).
 */
#ifndef RIGD_HTTP_HTML_H
#define RIGD_HTTP_HTML_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct html {
	char	*buf;
	size_t	 len, cap;
};

void html_raw(struct html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s escaped for text and attribute values alike (& < > " '); NULL as "". */
void html_text(struct html *h, const char *s);
void html_textn(struct html *h, const char *s, size_t n);
/*
 * A table cell per key of o, its string as text: <td>TEXT</td>..., the keys in the order
 * given, NULL after the last. The rest of a row (links, numbers, verdicts) is the caller's.
 */
void html_cells(struct html *h, const cJSON *o, ...) __attribute__((sentinel));
/* A link whose target is the program's and whose text is data: <a href="HREF">TEXT</a>. */
void html_link(struct html *h, const char *href, const char *text);
/* prefix then value percent-encoded (a name in a path or a query), cut to len. */
void html_href(char *dst, size_t len, const char *prefix, const char *value);
/* A verdict by shape and word as well as colour: <span class="v VERDICT">SHAPE VERDICT</span>. */
void html_verdict(struct html *h, const char *verdict);
/* The page's head (styles inline: no external assets), its title and the pages' links. */
void html_head(struct html *h, const char *title);
/* The end of the page: a script when given (the page works without it), then </body>. */
void html_tail(struct html *h, const char *script);
/* A string of o, "" when missing or not a string. */
const char *html_str(const cJSON *o, const char *key);
/* A number of o, def when missing. */
int64_t html_int(const cJSON *o, const char *key, int64_t def);
/* ?key=... of a query string as a number in [min, max], def when absent or bad. */
int64_t html_arg_int(const char *val, int64_t def, int64_t min, int64_t max);

#endif
