/*
 * board_conf: a board file (boards/NAME.yaml) read and checked into struct board_conf: the
 * generic keys here, each part's backend keys by the backend itself (partconf.h, parts.c).
 */
#include "conf.h"
#include "partconf.h"
#include "parts.h"
#include "util.h"
#include "yamlnode.h"

#include <stdio.h>
#include <string.h>

/* The keys of a part's section read here whatever the backend; the rest are the backend's. */
static const char *const board_generic_keys[PART__COUNT][6] = {
	[PART_CONSOLE] = { "kind", "share", NULL },
	[PART_POWER] = { "backend", "off-time", NULL },
	[PART_BOOT] = { "method", "timeout", "kernel", "modules", "append", NULL },
};
static const char *const board_ssh_keys[] = { "user", "host", "port", NULL };
static const char *const board_device_keys[] = { "node", "bus", "driver", "device", NULL };
static const char *const board_protected_keys[] = { "device", "why", NULL };
static const char *const board_arches[] = { "amd64", "armhf", "arm64", NULL };

#define BOARD_MAX_KEYS	48

/* "sect.key" for messages; sect "" is the top level. */
static const char *
board_what(char *buf, size_t size, const char *sect, const char *key)
{
	snprintf(buf, size, "%s%s%s", sect, *sect ? "." : "", key);
	return buf;
}

/* Appends the NULL-terminated more to list (n entries so far); returns the new count. */
static int
board_keys_add(const char **list, int n, const char *const *more)
{
	int k;

	for (k = 0; more != NULL && more[k] != NULL && n < BOARD_MAX_KEYS; k++)
		list[n++] = more[k];
	list[n] = NULL;
	return n;
}

/*
 * The top-level keys: the generic ones and the sections of this build's backends, in the order
 * of a board file.
 */
static void
board_top_keys(const char **list)
{
	static const char *const first[] = { "site", "name", "arch", "console", "power", "boot",
	    NULL };
	static const char *const last[] = { "ssh", "devices", "protected", NULL };
	const struct part_keys *keys;
	enum part_kind kind;
	const char *name, *one[2] = { NULL, NULL };
	int n, i, k;

	n = board_keys_add(list, 0, first);
	for (i = 0; parts_section(i, &kind, &name, &keys) == 0; i++) {
		for (k = 0; k < n && strcmp(list[k], keys->section) != 0; k++)
			;
		one[0] = keys->section;
		if (k == n)
			n = board_keys_add(list, n, one);
	}
	board_keys_add(list, n, last);
}

/* A section that must be a mapping; NULL when absent or not a mapping. */
static const struct yamlnode *
board_section(struct yamlnode_ctx *c, const struct yamlnode *root, const char *sect,
    int required)
{
	const struct yamlnode *n = partconf_key(c, root, "", sect, required);

	if (n == NULL || yamlnode_is_map(c, n, sect) == -1)
		return NULL;
	return n;
}

/* The backend a part's section names, as written (not checked): for the first look. */
static const char *
board_part_peek(const struct yamlnode *root, enum part_kind k)
{
	const struct yamlnode *sec = yamlnode_get(root, partconf_kind_section(k)), *n;

	if (sec == NULL || sec->kind != YAMLNODE_MAP)
		return NULL;
	n = yamlnode_get(sec, partconf_kind_key(k));
	return n != NULL && n->kind == YAMLNODE_SCALAR ? n->value : NULL;
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
		if (strpbrk(item, " \t") != NULL) {
			yamlnode_error(c, list->items[i],
			    "%s: '%s' holds a space: one name per entry", what, item);
			continue;
		}
		/* Each name is an argument of modprobe on the board. */
		if (partconf_form(c, list->items[i], what, item, CONF_FORM_MODULE) == -1)
			continue;
		if (len + (len ? 1 : 0) + strlen(item) >= size) {
			yamlnode_error(c, list->items[i],
			    "%s: too long together (at most %zu characters)", what, size - 1);
			return;
		}
		len += snprintf(dst + len, size - len, "%s%s", len ? " " : "", item);
	}
}

/* The generic keys of a part's section. */
static void
board_part_generic(struct yamlnode_ctx *c, const struct yamlnode *sec, enum part_kind k,
    struct board_conf *b)
{
	const struct yamlnode *n;

	switch (k) {
	case PART_CONSOLE:
		/* "off", or a port: 0 lets the kernel pick one (rigd shows it). */
		n = yamlnode_get(sec, "share");
		if (n != NULL && n->kind == YAMLNODE_SCALAR && strcmp(n->value, "off") == 0)
			b->console_share = CONF_SHARE_OFF;
		else if (n != NULL)
			partconf_int(c, sec, "console", "share", 0, 0, 65535, &b->console_share);
		break;
	case PART_POWER:
		partconf_duration(c, sec, "power", "off-time", 0, &b->power_off_ms);
		break;
	case PART_BOOT:
		partconf_duration(c, sec, "boot", "timeout", 0, &b->boot_timeout_ms);
		/* Required or not is the method's say (a lab-built kernel has no package). */
		partconf_str(c, sec, "boot", "kernel", 0, b->kernel_package,
		    sizeof(b->kernel_package));
		/* An argument of mkimage, then of apt-get: a name, never an option. */
		if (b->kernel_package[0] != '\0')
			partconf_form(c, yamlnode_get(sec, "kernel"), "boot.kernel",
			    b->kernel_package, CONF_FORM_PACKAGE);
		n = yamlnode_get(sec, "modules");
		if (n != NULL)
			board_words(c, n, "boot.modules", b->modules, sizeof(b->modules));
		partconf_str(c, sec, "boot", "append", 0, b->append, sizeof(b->append));
		break;
	default:
		break;
	}
}

/*
 * A part's section: its name (which names exist is the registry's business), the generic keys,
 * then the backend's own keys by the backend. A backend this build lacks has its keys kept
 * unchecked: parts_resolve refuses the board at the name's line, and that is its one error.
 */
static void
board_part(struct yamlnode_ctx *c, const struct yamlnode *root, const struct yamlnode *sec,
    enum part_kind k, struct board_conf *b)
{
	struct board_part *p = &b->parts[k];
	const char *sect = partconf_kind_section(k), *known[BOARD_MAX_KEYS + 1];
	const struct part_keys *keys;
	const struct yamlnode *n, *own = NULL;
	char what[64];

	if (sec == NULL)
		return;
	n = yamlnode_need(c, sec, sect, partconf_kind_key(k));
	if (n != NULL) {
		p->line = n->line;
		yamlnode_name(c, n, board_what(what, sizeof(what), sect, partconf_kind_key(k)),
		    p->name, sizeof(p->name));
	}
	keys = p->name[0] ? parts_keys(k, p->name) : NULL;
	p->built = keys != NULL;
	if (keys != NULL) {
		board_keys_add(known, board_keys_add(known, 0, board_generic_keys[k]), keys->keys);
		yamlnode_known_keys(c, sec, sect, known);
	}
	board_part_generic(c, sec, k, b);
	if (keys == NULL) {
		if (p->name[0] && partconf_passthrough(sec, board_generic_keys[k],
		    (char *)p->settings, sizeof(p->settings)) == -1)
			conf_errors_add(c->errs, c->path, sec->line,
			    "%s: too much to keep for %s %s (at most %zu characters)", sect,
			    partconf_kind_key(k), p->name, sizeof(p->settings) - 1);
		return;
	}
	if (keys->section != NULL) {
		own = board_section(c, root, keys->section, 1);
		if (own != NULL)
			yamlnode_known_keys(c, own, keys->section, keys->section_keys);
	}
	if (keys->defaults)
		keys->defaults(p->settings);
	if (keys->parse)
		keys->parse(c, sec, own, p->settings);
}

/*
 * Between parts: what one backend needs of another (a QEMU console needs the QEMU power part),
 * and a backend's own section given for a part that names another backend.
 */
static void
board_parts_agree(struct yamlnode_ctx *c, const struct yamlnode *root, struct board_conf *b)
{
	const struct part_keys *keys, *need;
	const struct board_part *p, *other;
	const struct yamlnode *n;
	const char *name;
	enum part_kind k, kind;
	int i;

	for (k = 0; k < PART__COUNT; k++) {
		p = &b->parts[k];
		keys = p->built ? parts_keys(k, p->name) : NULL;
		if (keys == NULL || keys->needs_name == NULL)
			continue;
		other = &b->parts[keys->needs_kind];
		if (other->name[0] == '\0' || strcmp(other->name, keys->needs_name) == 0)
			continue;
		conf_errors_add(c->errs, c->path, p->line, "%s.%s %s needs %s.%s %s%s",
		    partconf_kind_section(k), partconf_kind_key(k), p->name,
		    partconf_kind_section(keys->needs_kind), partconf_kind_key(keys->needs_kind),
		    keys->needs_name, keys->needs_why ? keys->needs_why : "");
	}
	for (i = 0; parts_section(i, &kind, &name, &need) == 0; i++) {
		n = yamlnode_get(root, need->section);
		p = &b->parts[kind];
		if (n == NULL || p->name[0] == '\0')
			continue;
		keys = p->built ? parts_keys(kind, p->name) : NULL;
		if (keys != NULL && keys->section != NULL && strcmp(keys->section, need->section) == 0)
			continue;
		yamlnode_error(c, n, "%s: only for %s.%s %s", need->section,
		    partconf_kind_section(kind), partconf_kind_key(kind), name);
	}
}

static void
board_ssh(struct yamlnode_ctx *c, const struct yamlnode *sec, struct board_conf *b, int virt)
{
	if (sec == NULL)
		return;
	partconf_str(c, sec, "ssh", "user", 0, b->ssh_user, sizeof(b->ssh_user));
	/* A real board has its own address; only QEMU's forwarded port lives on loopback. */
	partconf_str(c, sec, "ssh", "host", !virt, b->ssh_host, sizeof(b->ssh_host));
	/* Its form only (nothing is looked up): a name, an IPv4 or an IPv6 address. */
	if (b->ssh_host[0] != '\0' && strspn(b->ssh_host, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789.-:") != strlen(b->ssh_host))
		conf_errors_add(c->errs, c->path, yamlnode_get(sec, "host")->line,
		    "ssh.host: '%s' is neither an address nor a host name", b->ssh_host);
	partconf_int(c, sec, "ssh", "port", 0, virt ? 0 : 1, 65535, &b->ssh_port);
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
			yamlnode_error(c, sec->keys[i],
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
		/* The node, driver and device reach the board's shell (runner.c) and sysfs paths. */
		partconf_str(c, dev, sect, "node", 1, d->node, sizeof(d->node));
		if (d->node[0] != '\0')
			partconf_form(c, yamlnode_get(dev, "node"),
			    board_what(what, sizeof(what), sect, "node"), d->node, CONF_FORM_DEVNODE);
		n = partconf_key(c, dev, sect, "bus", 1);
		if (n != NULL)
			yamlnode_name(c, n, board_what(what, sizeof(what), sect, "bus"), d->bus,
			    sizeof(d->bus));
		partconf_str(c, dev, sect, "driver", 1, d->driver, sizeof(d->driver));
		partconf_str(c, dev, sect, "device", 1, d->device, sizeof(d->device));
		/* Both end up in a sysfs path or in what is written to one: no '/' either. */
		if (d->driver[0] != '\0')
			partconf_form(c, yamlnode_get(dev, "driver"),
			    board_what(what, sizeof(what), sect, "driver"), d->driver,
			    CONF_FORM_SYSFS);
		if (d->device[0] != '\0')
			partconf_form(c, yamlnode_get(dev, "device"),
			    board_what(what, sizeof(what), sect, "device"), d->device,
			    CONF_FORM_SYSFS);
	}
}

/*
 * site: this rig host's values, each marked with an anchor that the rest of the file uses
 * through aliases (yamlnode copies them in). Here only their form is checked: scalars or lists
 * of scalars, each anchored and used, so that a misspelt alias cannot leave a board with the
 * file's example value while the one set for this host sits unused.
 */
static void
board_site(struct yamlnode_ctx *c, const struct yamlnode *site)
{
	const struct yamlnode *v;
	const char *key;
	int i, j;

	if (site == NULL || yamlnode_is_map(c, site, "site") == -1)
		return;
	for (i = 0; i < site->n; i++) {
		key = site->keys[i]->value;
		v = site->items[i];
		if (v->kind == YAMLNODE_MAP) {
			yamlnode_error(c, v,
			    "site.%s: a value or a list of values, not a mapping", key);
			continue;
		}
		for (j = 0; v->kind == YAMLNODE_SEQ && j < v->n; j++)
			if (v->items[j]->kind != YAMLNODE_SCALAR)
				yamlnode_error(c, v->items[j],
				    "site.%s: a list of single values only", key);
		if (v->anchor == NULL)
			yamlnode_error(c, v,
			    "site.%s: no anchor: write '%s: &%s VALUE' and use *%s below", key, key,
			    key, key);
		else if (v->uses == 0)
			yamlnode_error(c, v,
			    "site.%s: never used: no *%s below takes it (a misspelt alias?)", key,
			    v->anchor);
	}
}

/* protected: [{ device: e60b0000.i2c, why: "PMIC (i2c_dvfs)" }, ...] */
static void
board_protected(struct yamlnode_ctx *c, const struct yamlnode *list, struct board_conf *b)
{
	struct conf_protected *p;
	const struct yamlnode *ent;
	char sect[32], what[48];
	int i, j;

	if (list == NULL || yamlnode_is_seq(c, list, "protected") == -1)
		return;
	for (i = 0; i < list->n; i++) {
		ent = list->items[i];
		snprintf(sect, sizeof(sect), "protected[%d]", i);
		if (b->nprotected == CONF_MAX_PROTECTED) {
			yamlnode_error(c, ent, "protected: more than %d",
			    CONF_MAX_PROTECTED);
			return;
		}
		if (yamlnode_is_map(c, ent, sect) == -1)
			continue;
		p = &b->protected[b->nprotected];
		p->line = ent->line;
		yamlnode_known_keys(c, ent, sect, board_protected_keys);
		partconf_str(c, ent, sect, "device", 1, p->device, sizeof(p->device));
		partconf_str(c, ent, sect, "why", 1, p->why, sizeof(p->why));
		if (p->device[0] == '\0' || p->why[0] == '\0')
			continue;
		/* Compared with devices.CLASS.device, which has this form. */
		snprintf(what, sizeof(what), "%s.device", sect);
		if (partconf_form(c, yamlnode_get(ent, "device"), what, p->device,
		    CONF_FORM_SYSFS) == -1)
			continue;
		for (j = 0; j < b->nprotected; j++)
			if (strcmp(b->protected[j].device, p->device) == 0)
				break;
		if (j < b->nprotected) {
			conf_errors_add(c->errs, c->path, p->line,
			    "%s: %s is listed already (line %d)", sect, p->device,
			    b->protected[j].line);
			continue;
		}
		b->nprotected++;
	}
	/* A class may name a protected device (to hold or read it): it is marked. */
	for (i = 0; i < b->ndevices; i++)
		for (j = 0; j < b->nprotected; j++)
			if (strcmp(b->devices[i].device, b->protected[j].device) == 0)
				b->devices[i].prot = j + 1;
}

static void
board_defaults(struct board_conf *b, const char *path)
{
	memset(b, 0, sizeof(*b));
	util_strlcpy(b->file, path, sizeof(b->file));
	b->boot_timeout_ms = 120 * 1000;
	util_strlcpy(b->ssh_user, "root", sizeof(b->ssh_user));
	b->power_off_ms = 3000;
}

int
board_conf_load(const char *path, struct board_conf *b, struct conf_errors *errs)
{
	struct yamlnode_ctx c = { .path = path, .errs = errs };
	const struct yamlnode *n, *sec[PART__COUNT], *ssh;
	const struct part_keys *power;
	const char *top[BOARD_MAX_KEYS + 1], *name;
	struct yamlnode *root;
	int before = errs->n, local, lacks = 0;
	enum part_kind k;

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
	/*
	 * A board naming a backend this build lacks may have a section of that backend's, which
	 * this build cannot tell from a misspelt key: its unknown top-level keys are not reported
	 * (the board is refused anyway, at the backend's line).
	 */
	for (k = 0; k < PART__COUNT; k++)
		if ((name = board_part_peek(root, k)) != NULL && parts_keys(k, name) == NULL)
			lacks = 1;
	board_top_keys(top);
	if (!lacks)
		yamlnode_known_keys(&c, root, "", top);

	n = yamlnode_need(&c, root, "", "name");
	if (n != NULL) {
		b->line = n->line;
		yamlnode_name(&c, n, "name", b->name, sizeof(b->name));
	}
	partconf_word(&c, root, "", "arch", 1, board_arches, b->arch, sizeof(b->arch));

	for (k = 0; k < PART__COUNT; k++)
		sec[k] = board_section(&c, root, partconf_kind_section(k), 1);
	for (k = 0; k < PART__COUNT; k++)
		board_part(&c, root, sec[k], k, b);
	board_parts_agree(&c, root, b);

	/* A power part that decides the SSH port (QEMU's forwarding) makes it a loopback one. */
	power = b->parts[PART_POWER].built ? parts_keys(PART_POWER, b->parts[PART_POWER].name) :
	    NULL;
	local = power != NULL && power->ssh_local;
	b->ssh_port = local ? 0 : 22;
	if (local)
		util_strlcpy(b->ssh_host, "127.0.0.1", sizeof(b->ssh_host));
	ssh = board_section(&c, root, "ssh", !local);
	if (ssh != NULL)
		yamlnode_known_keys(&c, ssh, "ssh", board_ssh_keys);
	board_ssh(&c, ssh, b, local);

	board_devices(&c, yamlnode_get(root, "devices"), b);
	board_protected(&c, yamlnode_get(root, "protected"), b);
	board_site(&c, yamlnode_get(root, "site"));
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

/* A part's section: its name, the generic keys and the backend's (or those kept unchecked). */
static void
board_print_part(const struct board_conf *b, enum part_kind k, FILE *out)
{
	const struct board_part *p = &b->parts[k];
	const struct part_keys *keys = p->built ? parts_keys(k, p->name) : NULL;
	char mods[sizeof(b->modules)], *m, *save;
	int i;

	fprintf(out, "%s:\n", partconf_kind_section(k));
	partconf_print_str(out, "  ", partconf_kind_key(k), p->name);
	if (k == PART_CONSOLE && b->console_share == CONF_SHARE_OFF)
		fprintf(out, "  share: off\n");
	else if (k == PART_CONSOLE)
		fprintf(out, "  share: %d\n", b->console_share);
	if (k == PART_BOOT) {
		fprintf(out, "  timeout: %lldms\n", (long long)b->boot_timeout_ms);
		partconf_print_str(out, "  ", "kernel", b->kernel_package);
		fprintf(out, "  modules: [");
		util_strlcpy(mods, b->modules, sizeof(mods));
		for (i = 0, m = strtok_r(mods, " ", &save); m != NULL;
		    m = strtok_r(NULL, " ", &save))
			fprintf(out, "%s%s", i++ ? ", " : "", m);
		fprintf(out, "]\n");
		partconf_print_str(out, "  ", "append", b->append);
	}
	if (keys != NULL && keys->print != NULL)
		keys->print(p->settings, out);
	else if (keys == NULL)
		fputs((const char *)p->settings, out);
	if (k == PART_POWER)
		fprintf(out, "  off-time: %lldms\n", (long long)b->power_off_ms);
}

void
board_conf_print(const struct board_conf *b, FILE *out)
{
	const struct conf_device *d;
	const struct part_keys *keys;
	enum part_kind k;
	int i;

	partconf_print_str(out, "", "name", b->name);
	partconf_print_str(out, "", "arch", b->arch);
	board_print_part(b, PART_CONSOLE, out);
	board_print_part(b, PART_POWER, out);
	board_print_part(b, PART_BOOT, out);
	for (k = 0; k < PART__COUNT; k++) {
		keys = b->parts[k].built ? parts_keys(k, b->parts[k].name) : NULL;
		if (keys != NULL && keys->print_section != NULL)
			keys->print_section(b->parts[k].settings, out);
	}
	fprintf(out, "ssh:\n");
	partconf_print_str(out, "  ", "user", b->ssh_user);
	partconf_print_str(out, "  ", "host", b->ssh_host);
	fprintf(out, "  port: %d\n", b->ssh_port);
	if (b->ndevices > 0)
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
	if (b->nprotected == 0)
		return;
	fprintf(out, "protected:\n");
	for (i = 0; i < b->nprotected; i++) {
		fprintf(out, "  - { device: ");
		conf_print_quoted(out, b->protected[i].device);
		fprintf(out, ", why: ");
		conf_print_quoted(out, b->protected[i].why);
		fprintf(out, " }\n");
	}
}
