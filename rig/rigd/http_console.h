/* http_console: the holder's browser typing at a board's console (token for session, session state, typing). */
#ifndef RIGD_HTTP_CONSOLE_H
#define RIGD_HTTP_CONSOLE_H

#include <stddef.h>

#include <microhttpd.h>

struct board;
struct rigd;
struct store;

/* The routes under /boards/NAME/console/. */
enum http_console_route {
	HTTP_CONSOLE_NONE,
	HTTP_CONSOLE_SESSION,	/* GET: may this browser type; POST: a token for a session */
	HTTP_CONSOLE_INPUT,	/* POST: bytes for the board's console */
};

/* Custom header every POST must carry: a page of another site cannot send it unasked. */
#define HTTP_CONSOLE_HEADER	"X-Rig-Console"
/* Bytes one POST may carry (a token, a line or a paste). */
#define HTTP_CONSOLE_BODY_MAX	4096

/* Which route url is; the board's name into name (len bytes) when one. */
enum http_console_route http_console_route(const char *url, char *name, size_t len);
/*
 * Serves route for board b, as libmicrohttpd calls its handler (a POST's body comes in several
 * calls; *state holds it between them, freed by http_console_done). host: the request's Host,
 * checked already (http.c); port: the dashboard's, for the cookie's name.
 */
enum MHD_Result http_console_serve(struct store *st, struct MHD_Connection *conn,
    struct board *b, enum http_console_route route, const char *method, const char *host,
    unsigned port, const char *upload, size_t *upload_len, void **state);
/* The request is over (libmicrohttpd's completion): what *state holds is freed. */
void http_console_done(void **state);

#endif
