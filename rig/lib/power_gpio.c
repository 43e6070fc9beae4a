/* power_gpio: the gpio power backend: a relay on a GPIO line of the rig host, held for as long as rigd runs. */
#include "power.h"
#include "conf.h"
#include "gpio.h"
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

#define POWER_GPIO_MAX_DELAY_MS	(5 * 60 * 1000)

/* The board file's power: keys of this backend, checked. */
struct power_gpio_conf {
	char	chip[128];		/* a path, a name (gpiochip3) or a label (209c000.gpio) */
	char	line[GPIO_NAME];	/* an offset in digits, or the line's name */
	int	by_name;		/* line is a name (printed quoted) */
	int	active_low;		/* the supply is on while the line is low */
	int64_t	on_delay_ms;		/* on() returns this long after the line went on; 0 none */
	int64_t	off_delay_ms;		/* off() returns this long after the line went off */
};
_Static_assert(sizeof(struct power_gpio_conf) <= BOARD_PART_SETTINGS,
    "gpio settings do not fit struct board_part");

struct power_gpio {
	const struct power_gpio_conf *gc;	/* immutable: the board file's */
	char		 board[64];		/* immutable */
	char		 where[256];		/* immutable: the line for messages */
	int64_t		 off_ms;		/* immutable: the board's off-time */
	int		 wake;			/* immutable: an eventfd cut() makes readable */
	/*
	 * cut() comes from another thread and alive() from any: the line handle (libgpiod keeps
	 * state in it) is used under this lock only.
	 */
	pthread_mutex_t	 lock;
	struct gpio_line *line;			/* lock */
	int		 cut;			/* lock: rigd's shutdown cut the power; for good */
	/* the board thread's own: */
	int64_t		 off_at;		/* when the line last went off (util_now_ms) */
	power_report_fn	*report;
	void		*report_arg;
};

/* The consumer the kernel shows for the line (debugfs, gpioinfo): who holds it. */
static void
power_gpio_consumer(const struct board_conf *conf, char *buf, size_t len)
{
	/* The kernel keeps 31 characters of it. */
	snprintf(buf, len, "rigd:%s", conf->name);
}

static void
power_gpio_tell(struct power_gpio *pg, const char *msg)
{
	if (pg->report)
		pg->report(pg->report_arg, msg);
	else
		log_info("%s: %s", pg->board, msg);
}

static int
power_gpio_is_cut(struct power_gpio *pg)
{
	int cut;

	pthread_mutex_lock(&pg->lock);
	cut = pg->cut;
	pthread_mutex_unlock(&pg->lock);
	return cut;
}

/* Drives the line on or off; refused for on after a cut. 0, or -1 with err. */
static int
power_gpio_set(struct power_gpio *pg, int on, char *err, size_t errlen)
{
	char why[256];
	int rc = 0;

	pthread_mutex_lock(&pg->lock);
	if (on && pg->cut) {
		util_fmt(err, errlen, "power on: the power was cut (rigd is stopping)");
		rc = -1;
	} else if (gpio_set(pg->line, on, why, sizeof(why)) == -1) {
		util_fmt(err, errlen, "power %s: %s", on ? "on" : "off", why);
		rc = -1;
	}
	pthread_mutex_unlock(&pg->lock);
	if (rc == 0 && !on)
		pg->off_at = util_now_ms();
	return rc;
}

/* Waits until the time until (util_now_ms); -1 when cut meanwhile (the eventfd stays readable). */
static int
power_gpio_wait(struct power_gpio *pg, int64_t until)
{
	for (;;) {
		struct pollfd pfd = { pg->wake, POLLIN, 0 };
		int64_t left = until - util_now_ms();

		if (left <= 0)
			return 0;
		if (poll(&pfd, 1, (int)left) > 0)
			return -1;
	}
}

/* The line's logical value read back from the kernel: 1 on, 0 off, -1 with err. */
static int
power_gpio_read(struct power_gpio *pg, char *err, size_t errlen)
{
	char why[256];
	int v;

	pthread_mutex_lock(&pg->lock);
	v = gpio_get(pg->line, why, sizeof(why));
	pthread_mutex_unlock(&pg->lock);
	if (v == -1)
		util_fmt(err, errlen, "power: %s", why);
	return v;
}

/* A line that is on is switched off; then the board stays off for its off-time. */
static int
power_gpio_prepare(void *self, const struct boot_image *img, char *err, size_t errlen)
{
	struct power_gpio *pg = self;
	int v;

	(void)img;
	if ((v = power_gpio_read(pg, err, errlen)) == -1)
		return -1;
	if (v == 1 && power_gpio_set(pg, 0, err, errlen) == -1)
		return -1;
	if (power_gpio_wait(pg, pg->off_at + pg->off_ms) == -1) {
		util_fmt(err, errlen, "power on: the power was cut (rigd is stopping)");
		return -1;
	}
	return 0;
}

/* The line on, then the supply's settle time (on-delay) before the board counts as started. */
static int
power_gpio_on(void *self, char *err, size_t errlen)
{
	struct power_gpio *pg = self;
	char msg[384];

	if (power_gpio_set(pg, 1, err, errlen) == -1) {
		power_gpio_tell(pg, err);
		return -1;
	}
	util_fmt(msg, sizeof(msg), "power on: %s", pg->where);
	power_gpio_tell(pg, msg);
	if (power_gpio_wait(pg, util_now_ms() + pg->gc->on_delay_ms) == -1) {
		util_fmt(err, errlen, "power on: the power was cut (rigd is stopping)");
		return -1;
	}
	return 0;
}

/* The line off (harmless when off), then off-delay for the supply to drain. */
static void
power_gpio_off(void *self)
{
	struct power_gpio *pg = self;
	char err[384], msg[384];
	int v = power_gpio_read(pg, err, sizeof(err));

	if (v == 0)
		return;
	if (power_gpio_set(pg, 0, err, sizeof(err)) == -1) {
		power_gpio_tell(pg, err);
		return;
	}
	util_fmt(msg, sizeof(msg), "power off: %s", pg->where);
	power_gpio_tell(pg, msg);
	power_gpio_wait(pg, pg->off_at + pg->gc->off_delay_ms);
}

/* From any thread: the line off now; waits under way end. */
static void
power_gpio_cut(void *self)
{
	struct power_gpio *pg = self;
	uint64_t one = 1;
	char why[256];

	pthread_mutex_lock(&pg->lock);
	pg->cut = 1;
	if (gpio_set(pg->line, 0, why, sizeof(why)) == -1)
		log_warnx("%s: power cut: %s", pg->board, why);
	pthread_mutex_unlock(&pg->lock);
	if (write(pg->wake, &one, sizeof(one)) != sizeof(one))
		log_warn("%s: power cut: eventfd", pg->board);
}

/* On while the line reads on: the kernel's value, not what this part last wrote. */
static int
power_gpio_alive(void *self)
{
	char err[384];

	return power_gpio_read(self, err, sizeof(err)) == 1;
}

static int
power_gpio_cycle(void *self, char *err, size_t errlen)
{
	struct power_gpio *pg = self;

	if (power_gpio_is_cut(pg)) {
		util_fmt(err, errlen, "power cycle: the power was cut (rigd is stopping)");
		return -1;
	}
	power_gpio_off(pg);
	if (power_gpio_wait(pg, pg->off_at + pg->off_ms) == -1) {
		util_fmt(err, errlen, "power cycle: the power was cut (rigd is stopping)");
		return -1;
	}
	return power_gpio_on(pg, err, errlen);
}

static enum power_state
power_gpio_state(void *self, char *err, size_t errlen)
{
	int v = power_gpio_read(self, err, errlen);

	return v == 1 ? POWER_ON : v == 0 ? POWER_OFF : POWER_UNKNOWN;
}

static void
power_gpio_set_report(void *self, power_report_fn *fn, void *arg)
{
	struct power_gpio *pg = self;

	pg->report = fn;
	pg->report_arg = arg;
}

/*
 * The line is requested now, as an output driven off, and held until the part is freed: no other
 * program switches the board meanwhile. A line someone else holds fails the part, naming who.
 */
static void *
power_gpio_create(const struct board_conf *conf, const char *rundir, char *err, size_t errlen)
{
	const struct power_gpio_conf *gc = PARTCONF_SETTINGS(conf, PART_POWER);
	struct power_gpio *pg;
	struct gpio_info info;
	struct gpio_line *line;
	char consumer[80], why[384];

	(void)rundir;
	power_gpio_consumer(conf, consumer, sizeof(consumer));
	line = gpio_request_output(gc->chip, gc->line, consumer, gc->active_low, 0, &info, why,
	    sizeof(why));
	if (line == NULL) {
		util_fmt(err, errlen, "power.chip %s, power.line %s: %s", gc->chip, gc->line, why);
		return NULL;
	}
	pg = xcalloc(1, sizeof(*pg));
	pg->gc = gc;
	pg->line = line;
	util_strlcpy(pg->board, conf->name, sizeof(pg->board));
	gpio_describe(&info, pg->where, sizeof(pg->where));
	if (gc->active_low)
		util_strlcpy(pg->where + strlen(pg->where), " (active-low)",
		    sizeof(pg->where) - strlen(pg->where));
	pg->off_ms = conf->power_off_ms;
	pg->off_at = util_now_ms();
	pg->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (pg->wake == -1) {
		util_fmt(err, errlen, "power gpio: eventfd: %s", strerror(errno));
		gpio_release(line);
		free(pg);
		return NULL;
	}
	pthread_mutex_init(&pg->lock, NULL);
	return pg;
}

/* The line is given back as it is: rigd switches it off before it frees the part. */
static void
power_gpio_free(void *self)
{
	struct power_gpio *pg = self;

	gpio_release(pg->line);
	close(pg->wake);
	pthread_mutex_destroy(&pg->lock);
	free(pg);
}

/* The chip and the line exist, and nobody holds the line (ask before the part is made). */
static int
power_gpio_probe(const struct board_conf *conf, char *why, size_t whylen)
{
	const struct power_gpio_conf *gc = PARTCONF_SETTINGS(conf, PART_POWER);
	struct gpio_info info;
	char err[384], desc[256];

	if (gpio_lookup(gc->chip, gc->line, &info, err, sizeof(err)) == -1) {
		util_fmt(why, whylen, "power.chip %s, power.line %s: %s", gc->chip, gc->line, err);
		return -1;
	}
	if (info.used) {
		gpio_describe(&info, desc, sizeof(desc));
		util_fmt(why, whylen, "power.chip %s, power.line %s: %s: busy: held by %s%s%s",
		    gc->chip, gc->line, desc, info.consumer[0] ? "\"" : "",
		    info.consumer[0] ? info.consumer : "a program or a kernel driver that gave no name",
		    info.consumer[0] ? "\"" : "");
		return -1;
	}
	return 0;
}

static void
power_gpio_parse(struct yamlnode_ctx *c, const struct yamlnode *part,
    const struct yamlnode *own, void *settings)
{
	struct power_gpio_conf *gc = settings;
	const struct yamlnode *n;
	const char *v;

	(void)own;
	partconf_str(c, part, "power", "chip", 1, gc->chip, sizeof(gc->chip));
	n = yamlnode_get(part, "chip");
	if (n != NULL && gc->chip[0] != '\0' && gc->chip[0] != '/' && strchr(gc->chip, '/'))
		yamlnode_error(c, n, "power.chip: '%s': a path starts with /;"
		    " else a chip's name (gpiochip0) or label (e6050000.gpio)", gc->chip);
	partconf_str(c, part, "power", "line", 1, gc->line, sizeof(gc->line));
	n = yamlnode_get(part, "line");
	v = gc->line;
	if (n != NULL && v[0] != '\0' && strspn(v, "0123456789") == strlen(v)) {
		if (strlen(v) > 5 || strtol(v, NULL, 10) > 65535)
			yamlnode_error(c, n,
			    "power.line: %s: an offset is at most 65535", v);
	} else if (n != NULL && v[0] != '\0') {
		gc->by_name = 1;
		if (v[0] == '-' || strspn(v, "0123456789+-") == strlen(v))
			yamlnode_error(c, n,
			    "power.line: '%s': an offset is 0 or more (else a line's name)", v);
	}
	partconf_bool(c, part, "power", "active-low", 0, &gc->active_low);
	partconf_duration(c, part, "power", "on-delay", 0, &gc->on_delay_ms);
	partconf_duration(c, part, "power", "off-delay", 0, &gc->off_delay_ms);
	if ((n = yamlnode_get(part, "on-delay")) != NULL && gc->on_delay_ms > POWER_GPIO_MAX_DELAY_MS)
		yamlnode_error(c, n, "power.on-delay: at most %dm",
		    POWER_GPIO_MAX_DELAY_MS / 60000);
	if ((n = yamlnode_get(part, "off-delay")) != NULL &&
	    gc->off_delay_ms > POWER_GPIO_MAX_DELAY_MS)
		yamlnode_error(c, n, "power.off-delay: at most %dm",
		    POWER_GPIO_MAX_DELAY_MS / 60000);
}

static void
power_gpio_print(const void *settings, FILE *out)
{
	const struct power_gpio_conf *gc = settings;

	fputs("  chip: ", out);
	conf_print_quoted(out, gc->chip);
	fputs("\n  line: ", out);
	if (gc->by_name)
		conf_print_quoted(out, gc->line);
	else
		fputs(gc->line, out);
	fprintf(out, "\n  active-low: %s\n", gc->active_low ? "true" : "false");
	if (gc->on_delay_ms > 0)
		fprintf(out, "  on-delay: %lldms\n", (long long)gc->on_delay_ms);
	if (gc->off_delay_ms > 0)
		fprintf(out, "  off-delay: %lldms\n", (long long)gc->off_delay_ms);
}

static const char *const power_gpio_power_keys[] = {
	"chip", "line", "active-low", "on-delay", "off-delay", NULL
};

static const struct part_keys power_gpio_keys = {
	.keys = power_gpio_power_keys,
	.parse = power_gpio_parse,
	.print = power_gpio_print,
};

const struct power_ops power_gpio_ops = {
	.name = "gpio",
	.keys = &power_gpio_keys,
	.create = power_gpio_create,
	.prepare = power_gpio_prepare,
	.on = power_gpio_on,
	.off = power_gpio_off,
	.cut = power_gpio_cut,
	.alive = power_gpio_alive,
	.cycle = power_gpio_cycle,
	.state = power_gpio_state,
	.set_report = power_gpio_set_report,
	.probe = power_gpio_probe,
	.free = power_gpio_free,
};
