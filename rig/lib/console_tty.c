/* console_tty: the tty console kind: a serial adapter on the rig host (console.path, console.baud). */
#include "console.h"
#include "conf.h"
#include "partconf.h"
#include "util.h"

#include <stdlib.h>

/* console: keys of this kind. */
struct console_tty_conf {
	char	path[256];	/* the adapter, best by /dev/serial/by-id/... */
	int	baud;		/* default 115200; any rate (termios2) */
};
_Static_assert(sizeof(struct console_tty_conf) <= BOARD_PART_SETTINGS,
    "tty settings do not fit struct board_part");

struct console_tty {
	const struct console_tty_conf *cc;	/* immutable: the board file's */
};

static void *
console_tty_create(const struct board_conf *conf, char *err, size_t errlen)
{
	struct console_tty *c = xcalloc(1, sizeof(*c));

	(void)err;
	(void)errlen;
	c->cc = PARTCONF_SETTINGS(conf, PART_CONSOLE);
	return c;
}

/* Opened afresh at each power-on: an adapter unplugged and plugged back is found again. */
static int
console_tty_open(void *self, struct power *power, char *err, size_t errlen)
{
	struct console_tty *c = self;

	(void)power;
	return console_open(c->cc->path, c->cc->baud, err, errlen);
}

static void
console_tty_free(void *self)
{
	free(self);
}

static void
console_tty_defaults(void *settings)
{
	((struct console_tty_conf *)settings)->baud = 115200;
}

static void
console_tty_parse(struct yamlnode_ctx *c, const struct yamlnode *part, const struct yamlnode *own,
    void *settings)
{
	struct console_tty_conf *cc = settings;

	(void)own;
	partconf_str(c, part, "console", "path", 1, cc->path, sizeof(cc->path));
	/* 4000000: the fastest rate USB serial adapters offer; R-Car HSCIF runs at 1843200. */
	partconf_int(c, part, "console", "baud", 0, 1, 4000000, &cc->baud);
}

static void
console_tty_print(const void *settings, FILE *out)
{
	const struct console_tty_conf *cc = settings;

	partconf_print_str(out, "  ", "path", cc->path);
	fprintf(out, "  baud: %d\n", cc->baud);
}

static const char *const console_tty_console_keys[] = { "path", "baud", NULL };

static const struct part_keys console_tty_keys = {
	.keys = console_tty_console_keys,
	.defaults = console_tty_defaults,
	.parse = console_tty_parse,
	.print = console_tty_print,
};

const struct console_ops console_tty_ops = {
	.name = "tty",
	.keys = &console_tty_keys,
	.create = console_tty_create,
	.open = console_tty_open,
	.free = console_tty_free,
};
