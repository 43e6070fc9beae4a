/* console_qemu: the qemu console kind: the pty QEMU made for the board's serial port. */
#include "console.h"
#include "conf.h"
#include "power.h"
#include "util.h"

#include <stdlib.h>

struct console_qemu {
	const struct board_conf	*conf;
};

static void *
console_qemu_create(const struct board_conf *conf, char *err, size_t errlen)
{
	struct console_qemu *c = xcalloc(1, sizeof(*c));

	(void)err;
	(void)errlen;
	c->conf = conf;
	return c;
}

/* The pty exists once the power part has started QEMU (paused): it says where. */
static int
console_qemu_open(void *self, struct power *power, char *err, size_t errlen)
{
	struct console_qemu *c = self;
	char path[256];

	if (power_console_path(power, path, sizeof(path)) == -1) {
		util_fmt(err, errlen, "console kind qemu: power backend %s made no console",
		    power_name(power));
		return -1;
	}
	return console_open(path, c->conf->baud, err, errlen);
}

static void
console_qemu_free(void *self)
{
	free(self);
}

const struct console_ops console_qemu_ops = {
	.name = "qemu",
	.create = console_qemu_create,
	.open = console_qemu_open,
	.free = console_qemu_free,
};
