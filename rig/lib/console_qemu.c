/* console_qemu: the qemu console kind: the pty the qemu power part made for the board's serial port. */
#include "console.h"
#include "conf.h"
#include "partconf.h"
#include "power.h"
#include "util.h"

#include <stdlib.h>

/* console: keys of this kind: the rate set on the pty (QEMU's UART model ignores it). */
struct console_qemu_conf {
	int	baud;		/* default 115200 */
};

struct console_qemu {
	const struct console_qemu_conf *cc;	/* immutable: the board file's */
};

static void *
console_qemu_create(const struct board_conf *conf, char *err, size_t errlen)
{
	struct console_qemu *c = xcalloc(1, sizeof(*c));

	(void)err;
	(void)errlen;
	c->cc = PARTCONF_SETTINGS(conf, PART_CONSOLE);
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
	return console_open(path, c->cc->baud, err, errlen);
}

static void
console_qemu_free(void *self)
{
	free(self);
}

static void
console_qemu_defaults(void *settings)
{
	((struct console_qemu_conf *)settings)->baud = 115200;
}

static void
console_qemu_parse(struct yamlnode_ctx *c, const struct yamlnode *part,
    const struct yamlnode *own, void *settings)
{
	struct console_qemu_conf *cc = settings;

	(void)own;
	/* 4000000: the fastest rate USB serial adapters offer. */
	partconf_int(c, part, "console", "baud", 0, 1, 4000000, &cc->baud);
}

static void
console_qemu_print(const void *settings, FILE *out)
{
	fprintf(out, "  baud: %d\n", ((const struct console_qemu_conf *)settings)->baud);
}

static const char *const console_qemu_console_keys[] = { "baud", NULL };

static const struct part_keys console_qemu_keys = {
	.keys = console_qemu_console_keys,
	.needs_kind = PART_POWER,
	.needs_name = "qemu",
	.needs_why = " (the pty exists while the rig runs QEMU)",
	.defaults = console_qemu_defaults,
	.parse = console_qemu_parse,
	.print = console_qemu_print,
};

const struct console_ops console_qemu_ops = {
	.name = "qemu",
	.keys = &console_qemu_keys,
	.create = console_qemu_create,
	.open = console_qemu_open,
	.free = console_qemu_free,
};
