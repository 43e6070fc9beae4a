/* board_conf: a board file (boards/NAME.yaml) read and checked into struct board_conf. */
#include "conf.h"
#include "util.h"
#include "yamlnode.h"

#include <stdio.h>
#include <string.h>

static const char *const board_top_keys[] = {
	"name", "arch", "console", "power", "boot", "qemu", "ssh", "devices", NULL
};
static const char *const board_console_keys[] = { "kind", "path", "baud", NULL };
static const char *const board_power_keys[] = {
	"backend", "chip", "line", "active-low", "on", "off", "off-time", NULL
};
static const char *const board_boot_keys[] = {
	"method", "timeout", "kernel", "modules", "append",
	"prompt", "stop", "tftp-dir", "server-ip", "board-ip", "dtb", NULL
};
static const char *const board_qemu_keys[] = {
	"binary", "machine", "cpu", "memory", "dtb", "net", "serials", "args", NULL
};
static const char *const board_ssh_keys[] = { "user", "host", "port", NULL };
static const char *const board_device_keys[] = { "node", "bus", "driver", "device", NULL };

static const char *const board_arches[] = { "amd64", "armhf", "arm64", NULL };
static const char *const board_qemu_nets[] = { "e1000", "nic", NULL };
static const char *const board_qemu_serials[] = { "console", "null", NULL };

/* "sect.key" for messages; sect "" is the top level. */
static const char *
board_what(char *buf, size_t size, const char *sect, const char *key)
{
	snprintf(buf, size, "%s%s%s", sect, *sect ? "." : "", key);
	return buf;
}

static const struct yamlnode *
board_key(struct yamlnode_ctx *c, const struct yamlnode *map, const char *sect, const char *key,
    int required)
{
	if (map == NULL)
		return NULL;
	if (required)
		return yamlnode_need(c, map, sect, key);
	return yamlnode_get(map, key);
}

static void
board_str(struct yamlnode_ctx *c, const struct yamlnode *map, const char *sect, const char *key,
    int required, char *dst, size_t size)
{
	const struct yamlnode *n = board_key(c, map, sect, key, required);
	char what[64];

	if (n != NULL)
		yamlnode_str(c, n, board_what(what, sizeof(what), sect, key), dst, size);
}

static void
board_word(struct yamlnode_ctx *c, const struct yamlnode *map, const char *sect, const char *key,
    const char *const *words, char *dst, size_t size)
{
	const struct yamlnode *n = board_key(c, map, sect, key, 1);
	char what[64];

	if (n != NULL)
		yamlnode_word(c, n, board_what(what, sizeof(what), sect, key), words, dst, size);
}

/*
 * A part's name (console.kind, power.backend, boot.method) with its line: which names exist is
 * the registry's business (parts.c), so a backend added there needs no change here.
 */
static void
board_part(struct yamlnode_ctx *c, const struct yamlnode *map, const char *sect, const char *key,
    char *dst, size_t size, int *line)
{
	const struct yamlnode *n = board_key(c, map, sect, key, 1);
	char what[64];

	if (n != NULL) {
		*line = n->line;
		yamlnode_name(c, n, board_what(what, sizeof(what), sect, key), dst, size);
	}
}

static void
board_int(struct yamlnode_ctx *c, const struct yamlnode *map, const char *sect, const char *key,
    long long min, long long max, int *dst)
{
	const struct yamlnode *n = board_key(c, map, sect, key, 0);
	char what[64];
	long long v;

	if (n != NULL && yamlnode_int(c, n, board_what(what, sizeof(what), sect, key), min, max,
	    &v) == 0)
		*dst = (int)v;
}

static void
board_duration(struct yamlnode_ctx *c, const struct yamlnode *map, const char *sect,
    const char *key, int64_t *dst)
{
	const struct yamlnode *n = board_key(c, map, sect, key, 0);
	char what[64];

	if (n != NULL)
		yamlnode_duration(c, n, board_what(what, sizeof(what), sect, key), dst);
}

/* A key that belongs to another kind, backend or method: say which one it needs. */
static void
board_only(struct yamlnode_ctx *c, const struct yamlnode *map, const char *sect,
    const char *const *keys, const char *cond)
{
	const struct yamlnode *n;
	int i, k;

	if (map == NULL)
		return;
	for (k = 0; keys[k] != NULL; k++) {
		n = yamlnode_get(map, keys[k]);
		if (n == NULL)
			continue;
		for (i = 0; i < map->n && map->items[i] != n; i++)
			;
		conf_errors_add(c->errs, c->path, map->keys[i]->line, "%s.%s: only for %s", sect,
		    keys[k], cond);
	}
}

/* A section that must be a mapping with known keys; NULL when absent or not a mapping. */
static const struct yamlnode *
board_section(struct yamlnode_ctx *c, const struct yamlnode *root, const char *sect,
    const char *const *known, int required)
{
	const struct yamlnode *n = board_key(c, root, "", sect, required);

	if (n == NULL || yamlnode_is_map(c, n, sect) == -1)
		return NULL;
	yamlnode_known_keys(c, n, sect, known);
	return n;
}

/* A list of words joined by spaces (modules), checked against the field's size. */
static void
board_words(struct yamlnode_ctx *c, const struct yamlnode *list, const char *what, char *dst,
    size_t size)
{
	char item[128];
	size_t len = 0;
	int i;

	if (yamlnode_is_seq(c, list, what) == -1)
		return;
	for (i = 0; i < list->n; i++) {
		if (yamlnode_str(c, list->items[i], what, item, sizeof(item)) == -1)
			continue;
		if (strpbrk(item, " \t\n") != NULL) {
			conf_errors_add(c->errs, c->path, list->items[i]->line,
			    "%s: '%s' holds a space: one name per entry", what, item);
			continue;
		}
		if (len + (len ? 1 : 0) + strlen(item) >= size) {
			conf_errors_add(c->errs, c->path, list->items[i]->line,
			    "%s: too long together (at most %zu characters)", what, size - 1);
			return;
		}
		len += snprintf(dst + len, size - len, "%s%s", len ? " " : "", item);
	}
}

static void
board_console(struct yamlnode_ctx *c, const struct yamlnode *sec, struct board_conf *b)
{
	static const char *const tty_only[] = { "path", NULL };

	if (sec == NULL)
		return;
	board_part(c, sec, "console", "kind", b->console_kind, sizeof(b->console_kind),
	    &b->console_kind_line);
	if (strcmp(b->console_kind, "tty") == 0)
		board_str(c, sec, "console", "path", 1, b->console_path, sizeof(b->console_path));
	else if (b->console_kind[0] != '\0')
		board_only(c, sec, "console", tty_only, "kind tty");
	/* 4000000: the fastest rate USB serial adapters offer; R-Car HSCIF runs at 1843200. */
	board_int(c, sec, "console", "baud", 1, 4000000, &b->baud);
}

static void
board_power(struct yamlnode_ctx *c, const struct yamlnode *sec, struct board_conf *b)
{
	static const char *const gpio_keys[] = { "chip", "line", "active-low", NULL };
	static const char *const command_keys[] = { "on", "off", NULL };
	const struct yamlnode *n;

	if (sec == NULL)
		return;
	board_part(c, sec, "power", "backend", b->power_backend, sizeof(b->power_backend),
	    &b->power_backend_line);
	board_duration(c, sec, "power", "off-time", &b->power_off_ms);
	if (strcmp(b->power_backend, "gpio") == 0) {
		board_str(c, sec, "power", "chip", 1, b->power_gpio_chip, sizeof(b->power_gpio_chip));
		if (board_key(c, sec, "power", "line", 1) != NULL)
			board_int(c, sec, "power", "line", 0, 1023, &b->power_gpio_line);
		n = yamlnode_get(sec, "active-low");
		if (n != NULL)
			yamlnode_bool(c, n, "power.active-low", &b->power_gpio_active_low);
	} else if (b->power_backend[0] != '\0')
		board_only(c, sec, "power", gpio_keys, "backend gpio");
	if (strcmp(b->power_backend, "command") == 0) {
		board_str(c, sec, "power", "on", 1, b->power_on_cmd, sizeof(b->power_on_cmd));
		board_str(c, sec, "power", "off", 1, b->power_off_cmd, sizeof(b->power_off_cmd));
	} else if (b->power_backend[0] != '\0')
		board_only(c, sec, "power", command_keys, "backend command");
}

static void
board_conf_boot(struct yamlnode_ctx *c, const struct yamlnode *sec, struct board_conf *b)
{
	static const char *const uboot_keys[] = {
		"prompt", "stop", "tftp-dir", "server-ip", "board-ip", "dtb", NULL
	};
	const struct yamlnode *n;
	int direct, uboot;

	if (sec == NULL)
		return;
	board_part(c, sec, "boot", "method", b->boot_method, sizeof(b->boot_method),
	    &b->boot_method_line);
	direct = strcmp(b->boot_method, "qemu-direct") == 0;
	uboot = strcmp(b->boot_method, "uboot-tftp") == 0;
	board_duration(c, sec, "boot", "timeout", &b->boot_timeout_ms);
	/* QEMU boots a Debian package; a lab-built kernel for a real board has no package. */
	board_str(c, sec, "boot", "kernel", direct, b->kernel_package, sizeof(b->kernel_package));
	n = yamlnode_get(sec, "modules");
	if (n != NULL)
		board_words(c, n, "boot.modules", b->modules, sizeof(b->modules));
	board_str(c, sec, "boot", "append", 0, b->append, sizeof(b->append));
	if (uboot) {
		board_str(c, sec, "boot", "prompt", 0, b->uboot_prompt, sizeof(b->uboot_prompt));
		board_str(c, sec, "boot", "stop", 0, b->uboot_stop, sizeof(b->uboot_stop));
		board_str(c, sec, "boot", "tftp-dir", 1, b->tftp_dir, sizeof(b->tftp_dir));
		board_str(c, sec, "boot", "server-ip", 1, b->tftp_server, sizeof(b->tftp_server));
		board_str(c, sec, "boot", "board-ip", 0, b->board_ip, sizeof(b->board_ip));
		board_str(c, sec, "boot", "dtb", 0, b->boot_dtb, sizeof(b->boot_dtb));
	} else if (direct)
		board_only(c, sec, "boot", uboot_keys, "method uboot-tftp");
}

static void
board_qemu(struct yamlnode_ctx *c, const struct yamlnode *sec, struct board_conf *b)
{
	const struct yamlnode *n;
	long long mem;
	int i, consoles = 0;

	if (sec == NULL)
		return;
	board_str(c, sec, "qemu", "binary", 1, b->qemu_binary, sizeof(b->qemu_binary));
	board_str(c, sec, "qemu", "machine", 1, b->qemu_machine, sizeof(b->qemu_machine));
	board_str(c, sec, "qemu", "cpu", 0, b->qemu_cpu, sizeof(b->qemu_cpu));
	n = yamlnode_get(sec, "memory");
	if (n != NULL && yamlnode_int(c, n, "qemu.memory", 64, 65536, &mem) == 0)
		b->qemu_memory = (int)mem;
	board_str(c, sec, "qemu", "dtb", 0, b->qemu_dtb, sizeof(b->qemu_dtb));
	board_word(c, sec, "qemu", "net", board_qemu_nets, b->qemu_net, sizeof(b->qemu_net));

	n = board_key(c, sec, "qemu", "serials", 1);
	if (n != NULL && yamlnode_is_seq(c, n, "qemu.serials") == 0) {
		if (n->n == 0 || n->n > CONF_MAX_SERIALS)
			conf_errors_add(c->errs, c->path, n->line,
			    "qemu.serials: %d entries (1 to %d)", n->n, CONF_MAX_SERIALS);
		for (i = 0; i < n->n && i < CONF_MAX_SERIALS; i++) {
			if (yamlnode_word(c, n->items[i], "qemu.serials", board_qemu_serials,
			    b->qemu_serials[i], sizeof(b->qemu_serials[i])) == 0)
				consoles++;
		}
		b->nqemu_serials = i;
		if (consoles != 1 && n->n > 0 && n->n <= CONF_MAX_SERIALS)
			conf_errors_add(c->errs, c->path, n->line,
			    "qemu.serials: 'console' must appear exactly once (the pty the rig reads)");
	}

	n = yamlnode_get(sec, "args");
	if (n != NULL && yamlnode_is_seq(c, n, "qemu.args") == 0) {
		if (n->n > CONF_MAX_ARGS)
			conf_errors_add(c->errs, c->path, n->items[CONF_MAX_ARGS]->line,
			    "qemu.args: more than %d arguments", CONF_MAX_ARGS);
		for (i = 0; i < n->n && i < CONF_MAX_ARGS; i++)
			yamlnode_str(c, n->items[i], "qemu.args", b->qemu_args[i],
			    sizeof(b->qemu_args[i]));
		b->nqemu_args = i;
	}
}

static void
board_ssh(struct yamlnode_ctx *c, const struct yamlnode *sec, struct board_conf *b, int virt)
{
	if (sec == NULL)
		return;
	board_str(c, sec, "ssh", "user", 0, b->ssh_user, sizeof(b->ssh_user));
	/* A real board has its own address; only QEMU's forwarded port lives on loopback. */
	board_str(c, sec, "ssh", "host", !virt, b->ssh_host, sizeof(b->ssh_host));
	board_int(c, sec, "ssh", "port", virt ? 0 : 1, 65535, &b->ssh_port);
}

static void
board_devices(struct yamlnode_ctx *c, const struct yamlnode *sec, struct board_conf *b)
{
	struct conf_device *d;
	const struct yamlnode *dev, *n;
	char sect[48], what[64];
	int i;

	if (sec == NULL || yamlnode_is_map(c, sec, "devices") == -1)
		return;
	for (i = 0; i < sec->n; i++) {
		if (b->ndevices == CONF_MAX_DEVICES) {
			conf_errors_add(c->errs, c->path, sec->keys[i]->line,
			    "devices: more than %d", CONF_MAX_DEVICES);
			return;
		}
		d = &b->devices[b->ndevices];
		d->line = sec->keys[i]->line;
		if (yamlnode_name(c, sec->keys[i], "devices: class", d->cls, sizeof(d->cls)) == -1)
			continue;
		b->ndevices++;
		dev = sec->items[i];
		snprintf(sect, sizeof(sect), "devices.%s", d->cls);
		if (yamlnode_is_map(c, dev, sect) == -1)
			continue;
		yamlnode_known_keys(c, dev, sect, board_device_keys);
		board_str(c, dev, sect, "node", 1, d->node, sizeof(d->node));
		if (d->node[0] != '\0' && strncmp(d->node, "/dev/", 5) != 0)
			conf_errors_add(c->errs, c->path, yamlnode_get(dev, "node")->line,
			    "%s.node: '%s' is not under /dev/", sect, d->node);
		n = board_key(c, dev, sect, "bus", 1);
		if (n != NULL)
			yamlnode_name(c, n, board_what(what, sizeof(what), sect, "bus"), d->bus,
			    sizeof(d->bus));
		board_str(c, dev, sect, "driver", 1, d->driver, sizeof(d->driver));
		board_str(c, dev, sect, "device", 1, d->device, sizeof(d->device));
		/* Both end up in a sysfs path or in what is written to one. */
		if (strchr(d->driver, '/') != NULL || strchr(d->device, '/') != NULL)
			conf_errors_add(c->errs, c->path, d->line,
			    "%s: driver and device must not hold '/'", sect);
	}
}

static void
board_defaults(struct board_conf *b, const char *path)
{
	memset(b, 0, sizeof(*b));
	util_strlcpy(b->file, path, sizeof(b->file));
	b->baud = 115200;
	b->boot_timeout_ms = 120 * 1000;
	b->qemu_memory = 512;
	util_strlcpy(b->ssh_user, "root", sizeof(b->ssh_user));
	b->power_off_ms = 3000;
	util_strlcpy(b->uboot_prompt, "=> ", sizeof(b->uboot_prompt));
	util_strlcpy(b->uboot_stop, " ", sizeof(b->uboot_stop));
}

int
board_conf_load(const char *path, struct board_conf *b, struct conf_errors *errs)
{
	struct yamlnode_ctx c = { .path = path, .errs = errs };
	const struct yamlnode *n, *console, *power, *boot, *qemu, *ssh;
	struct yamlnode *root;
	int before = errs->n, virt;

	board_defaults(b, path);
	if (strlen(path) >= sizeof(b->file)) {
		conf_errors_add(errs, path, 0, "path too long (at most %zu characters)",
		    sizeof(b->file) - 1);
		return -1;
	}
	root = yamlnode_load(path, errs);
	if (root == NULL)
		return -1;
	if (yamlnode_is_map(&c, root, "board file") == -1)
		goto out;
	yamlnode_known_keys(&c, root, "", board_top_keys);

	n = yamlnode_need(&c, root, "", "name");
	if (n != NULL) {
		b->line = n->line;
		yamlnode_name(&c, n, "name", b->name, sizeof(b->name));
	}
	board_word(&c, root, "", "arch", board_arches, b->arch, sizeof(b->arch));

	console = board_section(&c, root, "console", board_console_keys, 1);
	power = board_section(&c, root, "power", board_power_keys, 1);
	boot = board_section(&c, root, "boot", board_boot_keys, 1);
	board_console(&c, console, b);
	board_power(&c, power, b);
	board_conf_boot(&c, boot, b);

	/*
	 * A QEMU board is QEMU throughout: its console is QEMU's pty and only the rig that started
	 * QEMU can power it. U-Boot may still boot it (the uboot-tftp path tried without hardware).
	 */
	virt = strcmp(b->power_backend, "qemu") == 0;
	if (b->power_backend[0] && strcmp(b->console_kind, "qemu") == 0 && !virt)
		conf_errors_add(errs, path, console->line,
		    "console.kind qemu needs power.backend qemu (the pty exists while the rig runs QEMU)");
	if (virt && strcmp(b->console_kind, "tty") == 0)
		conf_errors_add(errs, path, console->line,
		    "power.backend qemu needs console.kind qemu (the board's serial port is QEMU's pty)");
	if (boot != NULL && strcmp(b->boot_method, "qemu-direct") == 0 && !virt &&
	    b->power_backend[0])
		conf_errors_add(errs, path, boot->line,
		    "boot.method qemu-direct needs power.backend qemu");

	qemu = board_section(&c, root, "qemu", board_qemu_keys, virt);
	if (qemu != NULL && !virt && b->power_backend[0])
		conf_errors_add(errs, path, qemu->line, "qemu: only for power.backend qemu");
	board_qemu(&c, qemu, b);

	b->ssh_port = virt ? 0 : 22;
	if (virt)
		util_strlcpy(b->ssh_host, "127.0.0.1", sizeof(b->ssh_host));
	ssh = board_section(&c, root, "ssh", board_ssh_keys, !virt);
	board_ssh(&c, ssh, b, virt);

	board_devices(&c, yamlnode_get(root, "devices"), b);
out:
	yamlnode_free(root);
	return errs->n == before ? 0 : -1;
}

const struct conf_device *
board_conf_device(const struct board_conf *b, const char *cls)
{
	int i;

	for (i = 0; i < b->ndevices; i++)
		if (strcmp(b->devices[i].cls, cls) == 0)
			return &b->devices[i];
	return NULL;
}

static void
board_print_str(FILE *out, const char *indent, const char *key, const char *v)
{
	if (v[0] == '\0')
		return;		/* optional and not given */
	fprintf(out, "%s%s: ", indent, key);
	conf_print_quoted(out, v);
	fputc('\n', out);
}

void
board_conf_print(const struct board_conf *b, FILE *out)
{
	const struct conf_device *d;
	char mods[sizeof(b->modules)], *m, *save;
	int i, virt = strcmp(b->power_backend, "qemu") == 0;

	board_print_str(out, "", "name", b->name);
	board_print_str(out, "", "arch", b->arch);
	fprintf(out, "console:\n");
	board_print_str(out, "  ", "kind", b->console_kind);
	board_print_str(out, "  ", "path", b->console_path);
	fprintf(out, "  baud: %d\n", b->baud);
	fprintf(out, "power:\n");
	board_print_str(out, "  ", "backend", b->power_backend);
	if (strcmp(b->power_backend, "gpio") == 0) {
		board_print_str(out, "  ", "chip", b->power_gpio_chip);
		fprintf(out, "  line: %d\n", b->power_gpio_line);
		fprintf(out, "  active-low: %s\n", b->power_gpio_active_low ? "true" : "false");
	}
	board_print_str(out, "  ", "on", b->power_on_cmd);
	board_print_str(out, "  ", "off", b->power_off_cmd);
	fprintf(out, "  off-time: %lldms\n", (long long)b->power_off_ms);
	fprintf(out, "boot:\n");
	board_print_str(out, "  ", "method", b->boot_method);
	fprintf(out, "  timeout: %lldms\n", (long long)b->boot_timeout_ms);
	board_print_str(out, "  ", "kernel", b->kernel_package);
	fprintf(out, "  modules: [");
	util_strlcpy(mods, b->modules, sizeof(mods));
	for (i = 0, m = strtok_r(mods, " ", &save); m != NULL; m = strtok_r(NULL, " ", &save))
		fprintf(out, "%s%s", i++ ? ", " : "", m);
	fprintf(out, "]\n");
	board_print_str(out, "  ", "append", b->append);
	if (strcmp(b->boot_method, "uboot-tftp") == 0) {
		board_print_str(out, "  ", "prompt", b->uboot_prompt);
		board_print_str(out, "  ", "stop", b->uboot_stop);
		board_print_str(out, "  ", "tftp-dir", b->tftp_dir);
		board_print_str(out, "  ", "server-ip", b->tftp_server);
		board_print_str(out, "  ", "board-ip", b->board_ip);
		board_print_str(out, "  ", "dtb", b->boot_dtb);
	}
	if (virt) {
		fprintf(out, "qemu:\n");
		board_print_str(out, "  ", "binary", b->qemu_binary);
		board_print_str(out, "  ", "machine", b->qemu_machine);
		board_print_str(out, "  ", "cpu", b->qemu_cpu);
		fprintf(out, "  memory: %d\n", b->qemu_memory);
		board_print_str(out, "  ", "dtb", b->qemu_dtb);
		board_print_str(out, "  ", "net", b->qemu_net);
		fprintf(out, "  serials: [");
		for (i = 0; i < b->nqemu_serials; i++)
			fprintf(out, "%s%s", i ? ", " : "", b->qemu_serials[i]);
		fprintf(out, "]\n  args: [");
		for (i = 0; i < b->nqemu_args; i++) {
			fprintf(out, "%s", i ? ", " : "");
			conf_print_quoted(out, b->qemu_args[i]);
		}
		fprintf(out, "]\n");
	}
	fprintf(out, "ssh:\n");
	board_print_str(out, "  ", "user", b->ssh_user);
	board_print_str(out, "  ", "host", b->ssh_host);
	fprintf(out, "  port: %d\n", b->ssh_port);
	if (b->ndevices == 0)
		return;
	fprintf(out, "devices:\n");
	for (i = 0; i < b->ndevices; i++) {
		d = &b->devices[i];
		fprintf(out, "  %s: { node: ", d->cls);
		conf_print_quoted(out, d->node);
		fprintf(out, ", bus: %s, driver: ", d->bus);
		conf_print_quoted(out, d->driver);
		fprintf(out, ", device: ");
		conf_print_quoted(out, d->device);
		fprintf(out, " }\n");
	}
}
