/* control_admit: who may hold a control connection (the rig group, a cap per uid, slots kept for admins); refusals logged once a second per uid. */
#include "control_admit.h"
#include "rigd.h"
#include "log.h"
#include "util.h"

#include <string.h>

#define CONTROL_ADMIT_LOG	32	/* uids whose refusals are counted at once; more share slots */
#define CONTROL_ADMIT_EVERY_MS	1000

/* Set at start-up; then the event loop's, as is everything here (no lock). */
static int control_admit_per_uid = CONTROL_ADMIT_PER_UID;
static int64_t control_admit_idle = CONTROL_ADMIT_IDLE_S * 1000;

/*
 * A uid's refusals: the first of each second is logged whole, the others counted into one
 * line when the second is over. A flood of connections costs the log a line a second.
 */
struct control_admit_uid {
	long	uid;
	int64_t	since;		/* the second being counted began; 0: slot unused */
	int	count;		/* refusals since then not yet logged */
	char	why[200];
};
static struct control_admit_uid control_admit_log[CONTROL_ADMIT_LOG];

void
control_admit_setup(int per_uid, int idle_s)
{
	if (per_uid > 0)
		control_admit_per_uid = per_uid;
	if (idle_s > 0)
		control_admit_idle = (int64_t)idle_s * 1000;
}

int64_t
control_admit_idle_ms(void)
{
	return control_admit_idle;
}

int
control_admit(const struct peer *p, int n, int mine, char *why, size_t len)
{
	const char *admin = peer_admin_name();

	if (p->role == PEER_OUTSIDER) {
		util_fmt(why, len, "is not in group %s", peer_group_name());
		return -1;
	}
	/* root is never capped: whoever else floods, the host's owner gets in. */
	if (p->uid != 0 && mine >= control_admit_per_uid) {
		util_fmt(why, len, "has %d connections open already (rigd -m %d)", mine,
		    control_admit_per_uid);
		return -1;
	}
	if (n >= CONTROL_MAX_CLIENTS ||
	    (p->role != PEER_ADMIN && n >= CONTROL_MAX_CLIENTS - CONTROL_ADMIT_ADMIN_SLOTS)) {
		util_fmt(why, len, "finds every connection taken: %d open; the last %d connections"
		    " are kept for root%s%s", n, CONTROL_ADMIT_ADMIN_SLOTS, *admin ? " and group " : "",
		    admin);
		return -1;
	}
	return 0;
}

static void
control_admit_flush(struct control_admit_uid *e, int64_t now)
{
	char name[64];

	if (e->count == 0)
		return;
	peer_user_name(e->uid, name, sizeof(name));
	log_warnx("refused %d more connection(s) from %s (uid %ld) in the last %.1f s: %s",
	    e->count, name, e->uid, (double)(now - e->since) / 1000, e->why);
	e->count = 0;
	e->since = now;
}

void
control_admit_refused(const struct peer *p, const char *why, int64_t now)
{
	struct control_admit_uid *e = NULL;
	char name[64];
	int i;

	for (i = 0; i < CONTROL_ADMIT_LOG && e == NULL; i++)
		if (control_admit_log[i].since && control_admit_log[i].uid == p->uid)
			e = &control_admit_log[i];
	if (e == NULL) {
		/* A new uid takes a free slot, else the one quiet the longest (its count said). */
		e = &control_admit_log[0];
		for (i = 0; i < CONTROL_ADMIT_LOG; i++)
			if (control_admit_log[i].since < e->since)
				e = &control_admit_log[i];
		control_admit_flush(e, now);
		e->uid = p->uid;
		e->since = 0;
	}
	util_strlcpy(e->why, why, sizeof(e->why));
	if (e->since && now - e->since < CONTROL_ADMIT_EVERY_MS) {
		e->count++;
		return;
	}
	control_admit_flush(e, now);
	peer_user_name(p->uid, name, sizeof(name));
	if (p->pid > 0)
		log_warnx("refused a connection from %s (uid %ld, pid %ld): %s", name, p->uid,
		    p->pid, why);
	else
		log_warnx("refused a connection from %s (uid %ld): %s", name, p->uid, why);
	e->since = now;
}

void
control_admit_tick(int64_t now)
{
	int i;

	for (i = 0; i < CONTROL_ADMIT_LOG; i++)
		if (control_admit_log[i].count &&
		    now - control_admit_log[i].since >= CONTROL_ADMIT_EVERY_MS)
			control_admit_flush(&control_admit_log[i], now);
}
