/* parts: the registry of board parts: adding a backend is its file plus one line in a table here. */
#include "parts.h"
#include "conf.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

extern const struct power_ops power_qemu_ops, power_command_ops, power_gpio_ops;
extern const struct power_ops power_manual_ops;
extern const struct boot_ops boot_qemu_ops, boot_uboot_ops, boot_local_ops;
extern const struct console_ops console_qemu_ops, console_tty_ops;
extern const struct console_ops console_tcp_ops, console_rfc2217_ops;

static const struct power_ops *const parts_power[] = {
	&power_qemu_ops,
	&power_command_ops,
	&power_gpio_ops,
	&power_manual_ops,
	NULL
};
static const struct boot_ops *const parts_boot[] = {
	&boot_qemu_ops,
	&boot_uboot_ops,
	&boot_local_ops,
	NULL
};
static const struct console_ops *const parts_console[] = {
	&console_qemu_ops,
	&console_tty_ops,
	&console_tcp_ops,
	&console_rfc2217_ops,
	NULL
};

const struct power_ops *
power_backend_find(const char *name)
{
	int i;

	for (i = 0; parts_power[i]; i++)
		if (strcmp(parts_power[i]->name, name) == 0)
			return parts_power[i];
	return NULL;
}

const struct boot_ops *
boot_method_find(const char *name)
{
	int i;

	for (i = 0; parts_boot[i]; i++)
		if (strcmp(parts_boot[i]->name, name) == 0)
			return parts_boot[i];
	return NULL;
}

const struct console_ops *
console_kind_find(const char *name)
{
	int i;

	for (i = 0; parts_console[i]; i++)
		if (strcmp(parts_console[i]->name, name) == 0)
			return parts_console[i];
	return NULL;
}

void
parts_names(const char *kind, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
#define PARTS_NAMES(table) \
	for (i = 0; table[i] && used < len; i++) \
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", \
		    table[i]->name)
	if (strcmp(kind, "power") == 0)
		PARTS_NAMES(parts_power);
	else if (strcmp(kind, "boot") == 0)
		PARTS_NAMES(parts_boot);
	else
		PARTS_NAMES(parts_console);
#undef PARTS_NAMES
}

/* A backend with no table reads no key of its own. */
static const char *const parts_no_key[] = { NULL };
static const struct part_keys parts_no_keys = { .keys = parts_no_key };

const struct part_keys *
parts_keys(enum part_kind kind, const char *name)
{
	const struct power_ops *p = NULL;
	const struct boot_ops *b = NULL;
	const struct console_ops *c = NULL;
	const struct part_keys *keys;

	switch (kind) {
	case PART_POWER:
		keys = (p = power_backend_find(name)) ? p->keys : NULL;
		break;
	case PART_BOOT:
		keys = (b = boot_method_find(name)) ? b->keys : NULL;
		break;
	case PART_CONSOLE:
		keys = (c = console_kind_find(name)) ? c->keys : NULL;
		break;
	default:
		return NULL;
	}
	return keys ? keys : p || b || c ? &parts_no_keys : NULL;
}

int
parts_section(int i, enum part_kind *kind, const char **name, const struct part_keys **keys)
{
	int j;

	/* In the order of the tables: power, boot, console. */
#define PARTS_SECTION(table, kd) \
	for (j = 0; table[j]; j++) \
		if (table[j]->keys && table[j]->keys->section && i-- == 0) { \
			*kind = kd; \
			*name = table[j]->name; \
			*keys = table[j]->keys; \
			return 0; \
		}
	PARTS_SECTION(parts_power, PART_POWER);
	PARTS_SECTION(parts_boot, PART_BOOT);
	PARTS_SECTION(parts_console, PART_CONSOLE);
#undef PARTS_SECTION
	return -1;
}

int
parts_resolve(const struct board_conf *conf, struct parts_ops *ops, struct conf_errors *errs)
{
	char have[256];
	int bad = 0;

	ops->power = power_backend_find(conf->parts[PART_POWER].name);
	ops->boot = boot_method_find(conf->parts[PART_BOOT].name);
	ops->console = console_kind_find(conf->parts[PART_CONSOLE].name);
	if (ops->power == NULL) {
		parts_names("power", have, sizeof(have));
		conf_errors_add(errs, conf->file, conf->parts[PART_POWER].line,
		    "power.backend %s: not in this rigd (it has: %s); board %s is not served",
		    conf->parts[PART_POWER].name, have, conf->name);
		bad = 1;
	}
	if (ops->boot == NULL) {
		parts_names("boot", have, sizeof(have));
		conf_errors_add(errs, conf->file, conf->parts[PART_BOOT].line,
		    "boot.method %s: not in this rigd (it has: %s); board %s is not served",
		    conf->parts[PART_BOOT].name, have, conf->name);
		bad = 1;
	}
	if (ops->console == NULL) {
		parts_names("console", have, sizeof(have));
		conf_errors_add(errs, conf->file, conf->parts[PART_CONSOLE].line,
		    "console.kind %s: not in this rigd (it has: %s); board %s is not served",
		    conf->parts[PART_CONSOLE].name, have, conf->name);
		bad = 1;
	}
	return bad ? -1 : 0;
}

/* A probe's why into errs: "file:line: ..." as the probe wrote it, else at the part's key. */
static void
parts_probe_add(const struct board_conf *conf, enum part_kind kind, const char *why,
    struct conf_errors *errs)
{
	size_t n = strlen(conf->file);

	if (strncmp(why, conf->file, n) == 0 && why[n] == ':') {
		errs->msg = xrealloc(errs->msg, (errs->n + 1) * sizeof(*errs->msg));
		errs->msg[errs->n++] = xstrdup(why);
	} else
		conf_errors_add(errs, conf->file, conf->parts[kind].line, "%s", why);
}

int
parts_probe(const struct board_conf *conf, const struct parts_ops *ops,
    struct conf_errors *errs)
{
	char why[768];
	int bad = 0;

	/* In the order a boot meets them: the console opens before power flows, then the boot. */
	if (ops->console && ops->console->probe && ops->console->probe(conf, why, sizeof(why))) {
		parts_probe_add(conf, PART_CONSOLE, why, errs);
		bad = 1;
	}
	if (ops->power && ops->power->probe && ops->power->probe(conf, why, sizeof(why))) {
		parts_probe_add(conf, PART_POWER, why, errs);
		bad = 1;
	}
	if (ops->boot && ops->boot->probe && ops->boot->probe(conf, why, sizeof(why))) {
		parts_probe_add(conf, PART_BOOT, why, errs);
		bad = 1;
	}
	return bad ? -1 : 0;
}
