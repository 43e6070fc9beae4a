/* power_manual: the manual power backend: a board on a desk, switched by a person whom rigd asks and who confirms through rigctl. */
#include "power.h"
#include "conf.h"
#include "partconf.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define POWER_MANUAL_MAX_MS	(24LL * 60 * 60 * 1000)

/* The board file's power: keys of this backend, checked. */
struct power_manual_conf {
	int64_t	timeout_ms;	/* how long a request waits for the person; default 10m */
	char	hint[200];	/* what the person is told besides (where the switch is), "" */
};
_Static_assert(sizeof(struct power_manual_conf) <= BOARD_PART_SETTINGS,
    "manual settings do not fit struct board_part");

struct power_manual {
	const struct power_manual_conf *mc;	/* immutable: the board file's */
	char		 board[64];		/* immutable */
	int		 wake;			/* immutable: an eventfd confirm() and cut() write */
	/* confirm(), waiting(), alive() and cut() come from other threads. */
	pthread_mutex_t	 lock;
	char		 waiting[64];		/* lock: what the person is asked now, "" when nothing */
	int		 confirmed;		/* lock: the person said it is done since the request */
	int		 cut;			/* lock: rigd is stopping; for good */
	enum power_state known;			/* lock: as the person last confirmed it */
	/* the board thread's own: */
	power_report_fn	*report;
	void		*report_arg;
};

static void
power_manual_tell(struct power_manual *pm, const char *msg)
{
	if (pm->report)
		pm->report(pm->report_arg, msg);
	else
		log_info("%s: %s", pm->board, msg);
}

/* "10m", "90s", "1h": the timeout as a person reads it. */
static void
power_manual_span(int64_t ms, char *buf, size_t len)
{
	if (ms % 3600000 == 0)
		util_fmt(buf, len, "%lldh", (long long)(ms / 3600000));
	else if (ms % 60000 == 0)
		util_fmt(buf, len, "%lldm", (long long)(ms / 60000));
	else if (ms % 1000 == 0)
		util_fmt(buf, len, "%llds", (long long)(ms / 1000));
	else
		util_fmt(buf, len, "%.1fs", ms / 1000.0);
}

/*
 * Asks the person for what (a request shown in show boards, told to the board's event log
 * and console watchers) and waits for rigctl power BOARD confirm, the timeout or a cut.
 */
static int
power_manual_ask(struct power_manual *pm, const char *what, const char *detail, char *err,
    size_t errlen)
{
	int64_t t0 = util_now_ms(), deadline = t0 + pm->mc->timeout_ms;
	char span[32], *msg;
	uint64_t v;
	int done = 0, cut;

	power_manual_span(pm->mc->timeout_ms, span, sizeof(span));
	/* A confirmation left from before this request is not one for it. */
	while (read(pm->wake, &v, sizeof(v)) == sizeof(v))
		;
	pthread_mutex_lock(&pm->lock);
	cut = pm->cut;
	if (!cut) {
		util_strlcpy(pm->waiting, what, sizeof(pm->waiting));
		pm->confirmed = 0;
	}
	pthread_mutex_unlock(&pm->lock);
	if (cut) {
		util_fmt(err, errlen, "%s: the power was cut (rigd is stopping)", what);
		return -1;
	}
	msg = xasprintf("power: waiting for a person: board %s: %s%s%s%s, then: rigctl power %s"
	    " confirm (within %s)", pm->board, what, detail, pm->mc->hint[0] ? "; " : "",
	    pm->mc->hint, pm->board, span);
	power_manual_tell(pm, msg);
	free(msg);
	for (;;) {
		struct pollfd pfd = { pm->wake, POLLIN, 0 };
		int64_t left = deadline - util_now_ms();

		pthread_mutex_lock(&pm->lock);
		done = pm->confirmed ? 1 : pm->cut ? -1 : 0;
		pthread_mutex_unlock(&pm->lock);
		if (done || left <= 0)
			break;
		if (poll(&pfd, 1, left > 60000 ? 60000 : (int)left) == 1)
			while (read(pm->wake, &v, sizeof(v)) == sizeof(v))
				;
	}
	pthread_mutex_lock(&pm->lock);
	pm->waiting[0] = '\0';
	pm->confirmed = 0;
	/* Nobody came: the board is as it was left, off. */
	pm->known = done == 1 ? POWER_ON : POWER_OFF;
	pthread_mutex_unlock(&pm->lock);
	if (done == 1) {
		msg = xasprintf("power: %s: confirmed by hand after %.1fs", what,
		    (util_now_ms() - t0) / 1000.0);
		power_manual_tell(pm, msg);
		free(msg);
		return 0;
	}
	if (done == -1)
		util_fmt(err, errlen, "%s: the power was cut (rigd is stopping)", what);
	else {
		util_fmt(err, errlen, "nobody powered the board within %s (asked: %s, then rigctl"
		    " power %s confirm)", span, what, pm->board);
		msg = xasprintf("power: %s: nobody confirmed within %s", what, span);
		power_manual_tell(pm, msg);
		free(msg);
	}
	return -1;
}

/* Nothing flows before the person switches it: the console is open by then. */
static int
power_manual_prepare(void *self, const struct boot_image *img, char *err, size_t errlen)
{
	(void)self;
	(void)img;
	(void)err;
	(void)errlen;
	return 0;
}

/*
 * A person switching a board on expects it to start afresh: one that may still be on (an off
 * rigd asked for and nobody did) is to be switched off first, which the request says.
 */
static int
power_manual_on(void *self, char *err, size_t errlen)
{
	return power_manual_ask(self, "power on by hand", " (off first if it is on: the boot must"
	    " start now)", err, errlen);
}

static int
power_manual_cycle(void *self, char *err, size_t errlen)
{
	return power_manual_ask(self, "power-cycle by hand", " (off, then on)", err, errlen);
}

/*
 * off() never waits: rigd goes on (a run's verdict, the next boot) and the person is told the
 * board may be switched off. The next power-on asks for off-then-on, so a board nobody switched
 * off still starts afresh.
 */
static void
power_manual_off(void *self)
{
	struct power_manual *pm = self;
	enum power_state was;
	char *msg;

	pthread_mutex_lock(&pm->lock);
	was = pm->known;
	pm->known = POWER_OFF;
	pthread_mutex_unlock(&pm->lock);
	if (was != POWER_ON)
		return;
	msg = xasprintf("power: rigd is done with %s: it may be switched off by hand (no"
	    " confirmation needed)", pm->board);
	power_manual_tell(pm, msg);
	free(msg);
}

static void
power_manual_cut(void *self)
{
	struct power_manual *pm = self;
	uint64_t one = 1;

	pthread_mutex_lock(&pm->lock);
	pm->cut = 1;
	pthread_mutex_unlock(&pm->lock);
	if (write(pm->wake, &one, sizeof(one)) != sizeof(one))
		log_warn("%s: power cut: eventfd", pm->board);
}

static int
power_manual_alive(void *self)
{
	struct power_manual *pm = self;
	int alive;

	pthread_mutex_lock(&pm->lock);
	alive = pm->known == POWER_ON && !pm->cut;
	pthread_mutex_unlock(&pm->lock);
	return alive;
}

/* What the person last confirmed: rigd cannot ask a desk switch. */
static enum power_state
power_manual_state(void *self, char *err, size_t errlen)
{
	struct power_manual *pm = self;
	enum power_state s;

	pthread_mutex_lock(&pm->lock);
	s = pm->known;
	pthread_mutex_unlock(&pm->lock);
	if (s == POWER_UNKNOWN)
		util_fmt(err, errlen, "power: nobody switched %s for this rigd yet", pm->board);
	return s;
}

static int
power_manual_confirm(void *self, char *err, size_t errlen)
{
	struct power_manual *pm = self;
	uint64_t one = 1;
	int asked;

	pthread_mutex_lock(&pm->lock);
	asked = pm->waiting[0] != '\0';
	if (asked)
		pm->confirmed = 1;
	pthread_mutex_unlock(&pm->lock);
	if (!asked) {
		util_fmt(err, errlen, "%s: rigd is not waiting for a person to switch it", pm->board);
		return -1;
	}
	if (write(pm->wake, &one, sizeof(one)) != sizeof(one))
		log_warn("%s: power confirm: eventfd", pm->board);
	return 0;
}

static int
power_manual_waiting(void *self, char *what, size_t len)
{
	struct power_manual *pm = self;
	int asked;

	pthread_mutex_lock(&pm->lock);
	asked = pm->waiting[0] != '\0';
	util_strlcpy(what, pm->waiting, len);
	pthread_mutex_unlock(&pm->lock);
	return asked;
}

static void
power_manual_set_report(void *self, power_report_fn *fn, void *arg)
{
	struct power_manual *pm = self;

	pm->report = fn;
	pm->report_arg = arg;
}

static void *
power_manual_create(const struct board_conf *conf, const char *rundir, char *err,
    size_t errlen)
{
	struct power_manual *pm = xcalloc(1, sizeof(*pm));

	(void)rundir;
	pm->mc = PARTCONF_SETTINGS(conf, PART_POWER);
	util_strlcpy(pm->board, conf->name, sizeof(pm->board));
	pm->known = POWER_UNKNOWN;
	pm->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (pm->wake == -1) {
		util_fmt(err, errlen, "power manual: eventfd: %s", strerror(errno));
		free(pm);
		return NULL;
	}
	pthread_mutex_init(&pm->lock, NULL);
	return pm;
}

static void
power_manual_free(void *self)
{
	struct power_manual *pm = self;

	close(pm->wake);
	pthread_mutex_destroy(&pm->lock);
	free(pm);
}

static void
power_manual_defaults(void *settings)
{
	((struct power_manual_conf *)settings)->timeout_ms = 10 * 60 * 1000;
}

static void
power_manual_parse(struct yamlnode_ctx *c, const struct yamlnode *part,
    const struct yamlnode *own, void *settings)
{
	struct power_manual_conf *mc = settings;
	const struct yamlnode *n;

	(void)own;
	partconf_duration(c, part, "power", "timeout", 0, &mc->timeout_ms);
	n = yamlnode_get(part, "timeout");
	if (n != NULL && (mc->timeout_ms <= 0 || mc->timeout_ms > POWER_MANUAL_MAX_MS))
		yamlnode_error(c, n,
		    "power.timeout: from 1s to 24h (how long a person has to switch the board)");
	partconf_str(c, part, "power", "hint", 0, mc->hint, sizeof(mc->hint));
}

static void
power_manual_print(const void *settings, FILE *out)
{
	const struct power_manual_conf *mc = settings;

	fprintf(out, "  timeout: %lldms\n", (long long)mc->timeout_ms);
	partconf_print_str(out, "  ", "hint", mc->hint);
}

static const char *const power_manual_power_keys[] = { "timeout", "hint", NULL };

static const struct part_keys power_manual_keys = {
	.keys = power_manual_power_keys,
	.defaults = power_manual_defaults,
	.parse = power_manual_parse,
	.print = power_manual_print,
};

/* Nothing to probe: the person is not on the host. */
const struct power_ops power_manual_ops = {
	.name = "manual",
	.keys = &power_manual_keys,
	.create = power_manual_create,
	.prepare = power_manual_prepare,
	.on = power_manual_on,
	.off = power_manual_off,
	.cut = power_manual_cut,
	.alive = power_manual_alive,
	.cycle = power_manual_cycle,
	.state = power_manual_state,
	.set_report = power_manual_set_report,
	.confirm = power_manual_confirm,
	.waiting = power_manual_waiting,
	.free = power_manual_free,
};
