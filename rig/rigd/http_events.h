/* http_events: server-sent event streams of the lab's changes and of a board's console. */
#ifndef RIGD_HTTP_EVENTS_H
#define RIGD_HTTP_EVENTS_H

#include <stdint.h>

#include <microhttpd.h>

struct board;

void http_events_init(void);
/* Ends every stream (rigd stops). */
void http_events_stop(void);
/* A place for one more stream: 1, or 0 when HTTP_EVENTS_MAX are open (the caller says 503). */
int http_events_enter(void);
void http_events_leave(void);
/*
 * The stream's response, its place taken by http_events_enter (given back when it ends):
 * board NULL for the lab's changes, else that board's console. NULL when out of memory.
 */
struct MHD_Response *http_events_response(struct board *b);

#endif
