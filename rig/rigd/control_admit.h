/* control_admit: who may hold a control connection, and refusals logged at most once a second per uid. */
#ifndef RIGD_CONTROL_ADMIT_H
#define RIGD_CONTROL_ADMIT_H

#include <stddef.h>
#include <stdint.h>

#include "peer.h"

#define CONTROL_ADMIT_PER_UID		16	/* connections one uid may hold (rigd -m) */
#define CONTROL_ADMIT_IDLE_S		60	/* a connection that sends nothing this long is closed (rigd -i) */
#define CONTROL_ADMIT_ADMIN_SLOTS	8	/* the last slots of CONTROL_MAX_CLIENTS: admins only */

/* Start-up: the per-uid cap and the idle time in seconds (0: the defaults). */
void control_admit_setup(int per_uid, int idle_s);
/* How long a connection may send nothing, waiting for nothing, before it is closed. */
int64_t control_admit_idle_ms(void);
/*
 * Event loop: whether p may have one more connection, with n open in all and mine of them its
 * uid's: 0, or -1 with why (for the peer and the log, after "uid N ").
 */
int control_admit(const struct peer *p, int n, int mine, char *why, size_t len);
/*
 * Event loop: a connection refused for why (the control socket's, a shared console's): logged
 * now, or counted into its uid's next line.
 */
void control_admit_refused(const struct peer *p, const char *why, int64_t now);
/* Event loop, each turn: the counts of refusals not yet logged, once their second is over. */
void control_admit_tick(int64_t now);

#endif
