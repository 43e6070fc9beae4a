/* control_wait: the "wait" request, held by the event loop until its condition holds. */
#ifndef RIGD_CONTROL_WAIT_H
#define RIGD_CONTROL_WAIT_H

#include "rigd.h"

/* Event loop: {"cmd":"wait","what":"board"|"run"|"queue"|"reload"|"survey"|"store",...}: answered now or when it holds. */
void control_cmd_wait(struct rigd *r, struct control_client *c, cJSON *req);
/* Event loop, each turn: answers the waits whose condition holds or whose time is up. */
void control_wait_tick(struct rigd *r);
/* Event loop: a SIGHUP was handled (what "wait reload N" counts). */
void control_wait_reloaded(void);
/* The event loop's poll timeout: shorter while a wait is held, dflt otherwise. */
int control_wait_poll_ms(int dflt);

#endif
