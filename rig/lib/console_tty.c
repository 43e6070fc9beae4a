/* console_tty: the tty console kind: a serial adapter on the rig host (console.path, console.baud). */
#include "console.h"
#include "conf.h"
#include "util.h"

#include <stdlib.h>

struct console_tty {
	const struct board_conf	*conf;
};

static void *
console_tty_create(const struct board_conf *conf, char *err, size_t errlen)
{
	struct console_tty *c = xcalloc(1, sizeof(*c));

	(void)err;
	(void)errlen;
	c->conf = conf;
	return c;
}

/* Opened afresh at each power-on: an adapter unplugged and plugged back is found again. */
static int
console_tty_open(void *self, struct power *power, char *err, size_t errlen)
{
	struct console_tty *c = self;

	(void)power;
	return console_open(c->conf->console_path, c->conf->baud, err, errlen);
}

static void
console_tty_free(void *self)
{
	free(self);
}

const struct console_ops console_tty_ops = {
	.name = "tty",
	.create = console_tty_create,
	.open = console_tty_open,
	.free = console_tty_free,
};
