/*
 * labgrid_map: a labgrid target's resources and drivers onto rig's board keys: the console
 * (RawSerialPort, USBSerialPort, NetworkSerialPort), power (ExternalPowerDriver, SysfsGPIO with
 * GpioDigitalOutputDriver and DigitalOutputPowerDriver, ManualPowerDriver), boot (UBootDriver,
 * UBootStrategy) and SSH (NetworkService). Host-specific values become site values; what labgrid
 * cannot know is a site value to fill in.
 */
#include "labgrid_int.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct labgrid_entry *
labgrid_find(struct labgrid_entry *list, int n, const char *cls, struct labgrid_entry *after)
{
	int i = after != NULL ? (int)(after - list) + 1 : 0;

	for (; i < n; i++)
		if (strcmp(list[i].cls, cls) == 0)
			return &list[i];
	return NULL;
}

/* The first of several entries is mapped; the others are listed with why. */
static void
labgrid_skip_others(struct labgrid *lg, struct labgrid_entry *list, int n,
    const char *const *classes, const struct labgrid_entry *kept, const char *why)
{
	int i, k;

	for (i = 0; i < n; i++) {
		if (&list[i] == kept || list[i].reported)
			continue;
		for (k = 0; classes[k] != NULL; k++)
			if (strcmp(list[i].cls, classes[k]) == 0)
				labgrid_skip_entry(lg, &list[i], "%s", why);
	}
}

/* "CLS.key" for messages. */
static const char *
labgrid_what(const struct labgrid_entry *e, const char *key, char *buf, size_t size)
{
	util_fmt(buf, size, "%s.%s", e->cls, key);
	return buf;
}

/* A whole number in [min, max], or -1 (reported as an error: labgrid would refuse it too). */
static long long
labgrid_int(struct labgrid *lg, struct labgrid_entry *e, const char *key, long long min,
    long long max)
{
	const struct yamlnode *n = labgrid_arg(e, key);
	char what[96], *s, *end;
	long long v;

	if (n == NULL)
		return -1;
	s = labgrid_text(lg, n, labgrid_what(e, key, what, sizeof(what)));
	if (s == NULL)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || v < min || v > max) {
		conf_errors_add(lg->yc.errs, lg->path, n->line,
		    "%s: '%s' is not a whole number from %lld to %lld", what, s, min, max);
		free(s);
		return -1;
	}
	free(s);
	return v;
}

/* A scalar argument's text, or NULL when absent (or bad: then reported). */
static char *
labgrid_str(struct labgrid *lg, struct labgrid_entry *e, const char *key)
{
	const struct yamlnode *n = labgrid_arg(e, key);
	char what[96];

	if (n == NULL)
		return NULL;
	return labgrid_text(lg, n, labgrid_what(e, key, what, sizeof(what)));
}

static int
labgrid_line(struct labgrid_entry *e, const char *key)
{
	int i;

	for (i = 0; i < e->args->n; i++)
		if (strcmp(e->args->keys[i]->value, key) == 0)
			return e->args->keys[i]->line;
	return e->line;
}

/* labgrid's seconds (a float: 2.0, 0.5) as a rig duration: "2s", "500ms". -1: not one. */
static int
labgrid_seconds(struct labgrid *lg, struct labgrid_entry *e, const char *key, char *dst,
    size_t size)
{
	char *s = labgrid_str(lg, e, key), *end;
	double v;
	long long ms;

	if (s == NULL)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !(v > 0) || v > 86400) {
		labgrid_skip_arg(lg, e, key, "'%s' is not a time in seconds above 0", s);
		free(s);
		return -1;
	}
	free(s);
	ms = llround(v * 1000);
	if (ms % 1000 == 0)
		snprintf(dst, size, "%llds", ms / 1000);
	else
		snprintf(dst, size, "%lldms", ms);
	return 0;
}

static struct labgrid_entry *
labgrid_by_name(struct labgrid_entry *list, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (list[i].name != NULL && strcmp(list[i].name, name) == 0)
			return &list[i];
	return NULL;
}

static int
labgrid_is_serial(const struct labgrid_entry *e)
{
	return strcmp(e->cls, "RawSerialPort") == 0 || strcmp(e->cls, "USBSerialPort") == 0 ||
	    strcmp(e->cls, "NetworkSerialPort") == 0;
}

/*
 * An adapter labgrid finds by udev properties, as a path that names the same adapter every time:
 * /dev/serial/by-path from ID_PATH, /dev/serial/by-id from ID_SERIAL. udev's own rules make those
 * links ($ID_PATH-port$port for usb-serial adapters, usb-$ID_SERIAL-if$IF-port$port), so the
 * port and interface numbers are guesses (0, 00: a single-port adapter); a short serial number
 * alone does not give the link (it begins with vendor and model), so it is to be looked up.
 */
static void
labgrid_usb_serial(struct labgrid *lg, struct labgrid_entry *e, int *site)
{
	const struct yamlnode *m = labgrid_arg(e, "match"), *v;
	char path[512], seen[512] = "";
	int i, line = labgrid_line(e, "match");

	if (m == NULL || m->kind != YAMLNODE_MAP || m->n == 0) {
		*site = labgrid_site_add(lg, "console", NULL, LABGRID_SITE_FILL,
		    "the adapter's link under /dev/serial/by-id/ (USBSerialPort at %s:%d has no "
		    "udev match)", lg->path, e->line);
		return;
	}
	for (i = 0; i < m->n; i++) {
		size_t len = strlen(seen);

		if (m->items[i]->kind != YAMLNODE_SCALAR)
			continue;
		util_fmt(seen + len, sizeof(seen) - len, "%s%s=%s", len ? ", " : "",
		    m->keys[i]->value, m->items[i]->value);
	}
	if ((v = yamlnode_get(m, "ID_PATH")) != NULL && v->kind == YAMLNODE_SCALAR) {
		util_fmt(path, sizeof(path), "/dev/serial/by-path/%s-port0", v->value);
		*site = labgrid_site_add(lg, "console", path, LABGRID_SITE_GUESS,
		    "from USBSerialPort match ID_PATH (%s:%d); port0 is the adapter's first port "
		    "(an ACM adapter's link has no -port0)", lg->path, line);
	} else if ((v = yamlnode_get(m, "@ID_PATH")) != NULL && v->kind == YAMLNODE_SCALAR) {
		util_fmt(path, sizeof(path), "/dev/serial/by-path/%s:1.0-port0", v->value);
		*site = labgrid_site_add(lg, "console", path, LABGRID_SITE_GUESS,
		    "from USBSerialPort match @ID_PATH (%s:%d), the USB device's path: its first "
		    "interface (:1.0) and port (port0) are guessed", lg->path, line);
	} else if (((v = yamlnode_get(m, "ID_SERIAL")) != NULL ||
	    (v = yamlnode_get(m, "@ID_SERIAL")) != NULL) && v->kind == YAMLNODE_SCALAR) {
		const struct yamlnode *ifn = yamlnode_get(m, "ID_USB_INTERFACE_NUM");

		util_fmt(path, sizeof(path), "/dev/serial/by-id/usb-%s-if%s-port0", v->value,
		    ifn != NULL && ifn->kind == YAMLNODE_SCALAR ? ifn->value : "00");
		*site = labgrid_site_add(lg, "console", path, LABGRID_SITE_GUESS,
		    "from USBSerialPort match %s (%s:%d); interface%s and port0 are guessed",
		    yamlnode_get(m, "ID_SERIAL") != NULL ? "ID_SERIAL" : "@ID_SERIAL", lg->path,
		    line, ifn != NULL ? "" : " 00");
	} else if (((v = yamlnode_get(m, "ID_SERIAL_SHORT")) != NULL ||
	    (v = yamlnode_get(m, "@ID_SERIAL_SHORT")) != NULL) && v->kind == YAMLNODE_SCALAR) {
		*site = labgrid_site_add(lg, "console", NULL, LABGRID_SITE_FILL,
		    "the link under /dev/serial/by-id/ whose name holds the serial number %s "
		    "(ls /dev/serial/by-id/*%s*; USBSerialPort at %s:%d matches %s)", v->value,
		    v->value, lg->path, line, seen);
	} else {
		*site = labgrid_site_add(lg, "console", NULL, LABGRID_SITE_FILL,
		    "the adapter's link under /dev/serial/by-id/ or by-path/ (USBSerialPort at "
		    "%s:%d matches %s, which names no stable path)", lg->path, line, seen);
	}
}

/* The console: the serial port the first SerialDriver binds, else the first serial port. */
static void
labgrid_map_console(struct labgrid *lg)
{
	struct labgrid_entry *port = NULL, *sd = labgrid_find(lg->drv, lg->n_drv, "SerialDriver",
	    NULL), *e;
	int i, site = -1;
	long long baud = -1;
	char *s;

	if (sd != NULL) {
		const struct yamlnode *b = yamlnode_get(sd->args, "bindings"), *p;

		sd->used = 1;
		labgrid_skip_arg(lg, sd, "txdelay", "rig sends a board nothing on its console "
		    "but U-Boot's commands, which it paces by their echo");
		labgrid_skip_arg(lg, sd, "timeout", "rig's console reads without a timeout of its "
		    "own; each boot stage has one (boot.*-timeout)");
		p = yamlnode_get(b, "port");
		if (p != NULL && p->kind == YAMLNODE_SCALAR)
			port = labgrid_by_name(lg->res, lg->n_res, p->value);
		for (e = sd; (e = labgrid_find(lg->drv, lg->n_drv, "SerialDriver", e)) != NULL;)
			labgrid_skip_entry(lg, e, "a second console: rig reads one console per board");
	}
	for (i = 0; port == NULL && i < lg->n_res; i++)
		if (labgrid_is_serial(&lg->res[i]))
			port = &lg->res[i];
	for (i = 0; i < lg->n_res; i++)
		if (labgrid_is_serial(&lg->res[i]) && &lg->res[i] != port)
			labgrid_skip_entry(lg, &lg->res[i], "a second serial port: rig reads one "
			    "console per board");
	if (port == NULL) {
		labgrid_field_add(lg, "console", "kind", "tty", -1);
		site = labgrid_site_add(lg, "console", NULL, LABGRID_SITE_FILL,
		    "the board's serial adapter (the target has no serial port), best its "
		    "/dev/serial/by-id/ link");
		labgrid_field_add(lg, "console", "path", NULL, site);
		return;
	}
	port->used = 1;
	if (strcmp(port->cls, "NetworkSerialPort") == 0) {
		char *host = labgrid_str(lg, port, "host"), *proto = labgrid_str(lg, port,
		    "protocol");
		long long tcp = labgrid_int(lg, port, "port", 1, 65535);
		int raw = proto != NULL && strcmp(proto, "raw") == 0;
		char num[24];

		if (proto != NULL && !raw && strcmp(proto, "rfc2217") != 0) {
			conf_errors_add(lg->yc.errs, lg->path, labgrid_line(port, "protocol"),
			    "NetworkSerialPort.protocol: '%s' is not rfc2217 or raw", proto);
			free(proto);
			free(host);
			return;
		}
		free(proto);
		if (host == NULL || tcp == -1) {
			if (lg->yc.errs->n == 0)
				conf_errors_add(lg->yc.errs, lg->path, port->line,
				    "NetworkSerialPort: needs host and port");
			free(host);
			return;
		}
		labgrid_field_add(lg, "console", "kind", raw ? "tcp" : "rfc2217", -1);
		site = labgrid_site_add(lg, "console-host", host, LABGRID_SITE_SET,
		    "the console server (NetworkSerialPort.host, %s:%d)", lg->path,
		    labgrid_line(port, "host"));
		labgrid_field_add(lg, "console", "host", NULL, site);
		snprintf(num, sizeof(num), "%lld", tcp);
		site = labgrid_site_add(lg, "console-port", num, LABGRID_SITE_SET,
		    "its %s port for this board (NetworkSerialPort.port, %s:%d)",
		    raw ? "raw TCP" : "RFC 2217", lg->path, labgrid_line(port, "port"));
		labgrid_field_add(lg, "console", "port", NULL, site);
		free(host);
		if (raw) {
			labgrid_skip_arg(lg, port, "speed", "a raw TCP port carries bytes only: the "
			    "line's rate is set on the console server");
			return;
		}
	} else {
		labgrid_field_add(lg, "console", "kind", "tty", -1);
		if (strcmp(port->cls, "RawSerialPort") == 0) {
			s = labgrid_str(lg, port, "port");
			if (s == NULL) {
				if (lg->yc.errs->n == 0)
					conf_errors_add(lg->yc.errs, lg->path, port->line,
					    "RawSerialPort: needs port (the serial device)");
				return;
			}
			site = labgrid_site_add(lg, "console", s, LABGRID_SITE_SET,
			    "the serial adapter (RawSerialPort.port, %s:%d)", lg->path,
			    labgrid_line(port, "port"));
			free(s);
		} else {
			labgrid_usb_serial(lg, port, &site);
			labgrid_skip_arg(lg, port, "port", "labgrid replaces it with the device udev "
			    "finds");
		}
		labgrid_field_add(lg, "console", "path", NULL, site);
	}
	if (labgrid_arg(port, "speed") != NULL) {
		baud = labgrid_int(lg, port, "speed", 1, 100000000);
		if (baud > 0) {
			char num[24];

			snprintf(num, sizeof(num), "%lld", baud);
			labgrid_field_add(lg, "console", "baud", num, -1);
		}
	}
}

/* A command string as an argument vector; refused ones are listed with why. */
static int
labgrid_command(struct labgrid *lg, struct labgrid_entry *e, const char *key, const char *rigkey,
    int required)
{
	char *s = labgrid_str(lg, e, key), why[256], **argv, site_key[32];
	struct labgrid_field *f;
	int argc, site;

	if (s == NULL) {
		if (required && lg->yc.errs->n == 0)
			conf_errors_add(lg->yc.errs, lg->path, e->line, "%s: needs %s", e->cls, key);
		return -1;
	}
	util_fmt(site_key, sizeof(site_key), "power-%s", rigkey);
	if (labgrid_words_split(s, &argv, &argc, why, sizeof(why)) == -1) {
		labgrid_skip_arg(lg, e, key, "'%s': %s (rig runs a program with its arguments, "
		    "never a shell: put the pipeline in a script and name the script)", s, why);
		free(s);
		if (!required)
			return -1;
		/* A list of one placeholder: the program is to be named, its arguments added. */
		argv = xcalloc(2, sizeof(*argv));
		argv[0] = xstrdup(LABGRID_PLACEHOLDER);
		site = labgrid_site_add_list(lg, site_key, argv, 1,
		    "the command that switches the board %s, without a shell: [program, arg, ...] "
		    "(%s.%s at %s:%d needs a shell)", rigkey, e->cls, key, lg->path,
		    labgrid_line(e, key));
		lg->site[site].how = LABGRID_SITE_FILL;
		lg->r->n_fill++;
		labgrid_note(lg, "to fill in: site.%s: %s", site_key, lg->site[site].comment);
	} else {
		site = labgrid_site_add_list(lg, site_key, argv, argc, "%s.%s (%s:%d), split as a "
		    "shell would", e->cls, key, lg->path, labgrid_line(e, key));
		free(s);
	}
	f = labgrid_field_add(lg, "power", rigkey, NULL, site);
	f->kind = LABGRID_FIELD_LIST;
	return 0;
}

static void
labgrid_map_external(struct labgrid *lg, struct labgrid_entry *e)
{
	char dur[32];

	labgrid_field_add(lg, "power", "backend", "command", -1);
	labgrid_command(lg, e, "cmd_on", "on", 1);
	labgrid_command(lg, e, "cmd_off", "off", 1);
	labgrid_command(lg, e, "cmd_cycle", "cycle", 0);
	/* labgrid's default delay, written out: the lab's boards are used to it. */
	if (labgrid_arg(e, "delay") == NULL)
		labgrid_field_add(lg, "power", "off-time", "2s", -1);
	else if (labgrid_seconds(lg, e, "delay", dur, sizeof(dur)) == 0)
		labgrid_field_add(lg, "power", "off-time", dur, -1);
}

/*
 * labgrid's SysfsGPIO names a line by its global number in the kernel's old sysfs interface;
 * rig uses the character device, which names a chip and an offset on it. The number is the
 * chip's base plus the offset, and the bases belong to the host the line is on.
 */
static int
labgrid_map_gpio(struct labgrid *lg, struct labgrid_entry *pd)
{
	struct labgrid_entry *gd = labgrid_find(lg->drv, lg->n_drv, "GpioDigitalOutputDriver",
	    NULL);
	struct labgrid_entry *gpio = labgrid_find(lg->res, lg->n_res, "SysfsGPIO", NULL);
	long long index;
	char dur[32];
	int site;

	if (gd == NULL || gpio == NULL) {
		labgrid_skip_entry(lg, pd, "its output is not a SysfsGPIO line through a "
		    "GpioDigitalOutputDriver, the one digital output rig can switch");
		return -1;
	}
	pd->used = gd->used = gpio->used = 1;
	index = labgrid_int(lg, gpio, "index", 0, 1000000);
	labgrid_field_add(lg, "power", "backend", "gpio", -1);
	if (index == -1) {
		if (lg->yc.errs->n == 0)
			conf_errors_add(lg->yc.errs, lg->path, gpio->line, "SysfsGPIO: needs index");
		return 0;
	}
	site = labgrid_site_add(lg, "power-chip", NULL, LABGRID_SITE_FILL,
	    "the GPIO chip of sysfs GPIO %lld (SysfsGPIO.index, %s:%d): the chip whose base <= "
	    "%lld < base + ngpio in /sys/class/gpio/gpiochip*/, by its label as gpiodetect shows "
	    "it", index, lg->path, labgrid_line(gpio, "index"), index);
	labgrid_field_add(lg, "power", "chip", NULL, site);
	site = labgrid_site_add(lg, "power-line", NULL, LABGRID_SITE_FILL,
	    "the line on that chip: %lld minus the chip's base", index);
	labgrid_field_add(lg, "power", "line", NULL, site);
	if (labgrid_arg(gpio, "invert") != NULL) {
		char *s = labgrid_str(lg, gpio, "invert");

		if (s != NULL && (strcmp(s, "true") == 0 || strcmp(s, "false") == 0))
			labgrid_field_add(lg, "power", "active-low", s, -1);
		else if (s != NULL)
			labgrid_skip_arg(lg, gpio, "invert", "'%s' is not true or false", s);
		free(s);
	}
	if (labgrid_arg(pd, "delay") == NULL)
		labgrid_field_add(lg, "power", "off-time", "1s", -1);	/* labgrid's default */
	else if (labgrid_seconds(lg, pd, "delay", dur, sizeof(dur)) == 0)
		labgrid_field_add(lg, "power", "off-time", dur, -1);
	return 0;
}

static void
labgrid_map_power(struct labgrid *lg)
{
	static const char *const mapped[] = { "ExternalPowerDriver", "DigitalOutputPowerDriver",
	    "ManualPowerDriver", NULL };
	struct labgrid_entry *pd = NULL;
	int i, k;

	/* The first power driver that maps is the board's; a GPIO one may not (no SysfsGPIO). */
	for (i = 0; pd == NULL && i < lg->n_drv; i++) {
		for (k = 0; mapped[k] != NULL; k++)
			if (strcmp(lg->drv[i].cls, mapped[k]) == 0)
				break;
		if (mapped[k] == NULL)
			continue;
		if (k == 1 && labgrid_map_gpio(lg, &lg->drv[i]) == -1)
			continue;
		pd = &lg->drv[i];
	}
	if (pd == NULL) {
		labgrid_field_add(lg, "power", "backend", "manual", -1);
		lg->r->n_guess++;
		labgrid_note(lg, "guessed: power.backend manual: the target has no power driver "
		    "rig can use, so a person switches the board (rigctl power BOARD confirm)");
		return;
	}
	pd->used = 1;
	if (strcmp(pd->cls, "ExternalPowerDriver") == 0)
		labgrid_map_external(lg, pd);
	else if (strcmp(pd->cls, "ManualPowerDriver") == 0)
		labgrid_field_add(lg, "power", "backend", "manual", -1);
	labgrid_skip_others(lg, lg->drv, lg->n_drv, mapped, pd,
	    "a second power driver: rig switches a board one way");
}

/*
 * labgrid's U-Boot texts are regular expressions; rig's are plain text. One that is plain once
 * its backslash escapes of punctuation are undone maps; any other is listed. NULL: not plain.
 */
static char *
labgrid_plain(const char *re)
{
	char *out = xmalloc(strlen(re) + 1), *o = out;
	const char *p;

	for (p = re; *p; p++) {
		if (*p == '\\' && p[1] != '\0' && strchr(".^$*+?()[]{}|\\/-=># ", p[1]) != NULL) {
			*o++ = *++p;
			continue;
		}
		if (strchr(".^$*+?()[]{}|\\", *p) != NULL) {
			free(out);
			return NULL;
		}
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

static void
labgrid_uboot_text(struct labgrid *lg, struct labgrid_entry *e, const char *key,
    const char *rigkey)
{
	char *s = labgrid_str(lg, e, key), *plain;

	if (s == NULL)
		return;
	plain = labgrid_plain(s);
	if (plain == NULL || *plain == '\0')
		labgrid_skip_arg(lg, e, key, "'%s' is a regular expression; rig's boot.%s is plain "
		    "text (rig's default is used)", s, rigkey);
	else
		labgrid_field_add(lg, "boot", rigkey, plain, -1);
	free(plain);
	free(s);
}

/* U-Boot variable names and values rig types (boot.env): a safe alphabet only. */
static int
labgrid_env_ok(const char *s, int name)
{
	const char *p;

	if (*s == '\0')
		return 0;
	for (p = s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_' ||
		    (*p >= '0' && *p <= '9' && (p != s || !name)))
			continue;
		if (!name && strchr("._:/,+=@-", *p) != NULL)
			continue;
		return 0;
	}
	return 1;
}

/* init_commands of the form "setenv NAME VALUE" are boot.env; others are listed. */
static void
labgrid_uboot_init(struct labgrid *lg, struct labgrid_entry *e)
{
	const struct yamlnode *n = labgrid_arg(e, "init_commands");
	struct labgrid_field *f = NULL;
	char **argv, why[256], what[96];
	int i, argc, rc;

	if (n == NULL)
		return;
	if (n->kind != YAMLNODE_SEQ) {
		labgrid_skip_arg(lg, e, "init_commands", "not a list of commands");
		return;
	}
	for (i = 0; i < n->n; i++) {
		char *s = labgrid_text(lg, n->items[i], labgrid_what(e, "init_commands", what,
		    sizeof(what)));

		if (s == NULL)
			continue;
		rc = labgrid_words_split(s, &argv, &argc, why, sizeof(why));
		if (rc == 0 && argc == 3 && strcmp(argv[0], "setenv") == 0 &&
		    labgrid_env_ok(argv[1], 1) && labgrid_env_ok(argv[2], 0)) {
			if (f == NULL) {
				f = labgrid_field_add(lg, "boot", "env", NULL, -1);
				f->kind = LABGRID_FIELD_MAP;
			}
			f->list = xrealloc(f->list, (f->n + 3) * sizeof(*f->list));
			f->list[f->n++] = xstrdup(argv[1]);
			f->list[f->n++] = xstrdup(argv[2]);
			f->list[f->n] = NULL;
		} else
			labgrid_note(lg, "not imported: %s.init_commands '%s' (%s:%d): rig types "
			    "only 'setenv NAME VALUE' (boot.env) before its own commands", e->cls, s,
			    lg->path, n->items[i]->line);
		if (rc == 0)
			labgrid_words_free(argv);
		free(s);
	}
}

static void
labgrid_map_boot(struct labgrid *lg)
{
	struct labgrid_entry *ub = labgrid_find(lg->drv, lg->n_drv, "UBootDriver", NULL);
	struct labgrid_entry *st = labgrid_find(lg->drv, lg->n_drv, "UBootStrategy", NULL);
	long long secs;
	char *s;
	int site;

	if (ub == NULL) {
		labgrid_field_add(lg, "boot", "method", "local", -1);
		labgrid_note(lg, "note: boot.method local: the target has no UBootDriver, so the "
		    "board boots what its storage holds");
		return;
	}
	ub->used = 1;
	if (st != NULL)
		st->used = 1;
	labgrid_field_add(lg, "boot", "method", "uboot-tftp", -1);
	site = labgrid_site_add(lg, "tftp-dir", NULL, LABGRID_SITE_FILL,
	    "the board's folder that rigd writes and the TFTP server serves (labgrid does not "
	    "know it)");
	labgrid_field_add(lg, "boot", "tftp-dir", NULL, site);
	site = labgrid_site_add(lg, "server-ip", NULL, LABGRID_SITE_FILL,
	    "the TFTP server's IPv4 address as the board reaches it (U-Boot's serverip)");
	labgrid_field_add(lg, "boot", "server-ip", NULL, site);
	site = labgrid_site_add(lg, "board-ip", NULL, LABGRID_SITE_FILL,
	    "the board's IPv4 address in U-Boot (ipaddr); for DHCP delete this line and "
	    "boot.board-ip");
	labgrid_field_add(lg, "boot", "board-ip", NULL, site);

	labgrid_uboot_text(lg, ub, "prompt", "prompt");
	labgrid_uboot_text(lg, ub, "autoboot", "autoboot");
	if ((s = labgrid_str(lg, ub, "interrupt")) != NULL) {
		if (*s == '\0' || strpbrk(s, "\r\n") != NULL)
			labgrid_skip_arg(lg, ub, "interrupt", "rig's stop key is not a line's end "
			    "(rig types its default, a space)");
		else
			labgrid_field_add(lg, "boot", "stop", s, -1);
		free(s);
	}
	labgrid_uboot_init(lg, ub);
	labgrid_skip_arg(lg, ub, "password", "rig types no U-Boot password: the board's U-Boot "
	    "must stop at the stop key without one");
	labgrid_skip_arg(lg, ub, "password_prompt", "rig types no U-Boot password");
	labgrid_skip_arg(lg, ub, "boot_expression", "rig waits for the autoboot line, not for "
	    "U-Boot's banner");
	labgrid_skip_arg(lg, ub, "boot_command", "rig writes its own boot command (tftpboot of "
	    "the build's kernel, initrd and device tree, then booti/bootz/zboot)");
	labgrid_uboot_text(lg, ub, "bootstring", "kernel-says");
	if (labgrid_arg(ub, "login_timeout") != NULL &&
	    (secs = labgrid_int(lg, ub, "login_timeout", 1, 86400)) > 0) {
		char dur[32];

		snprintf(dur, sizeof(dur), "%llds", secs);
		labgrid_field_add(lg, "boot", "autoboot-timeout", dur, -1);
	}
	if (labgrid_arg(ub, "boot_timeout") != NULL &&
	    (secs = labgrid_int(lg, ub, "boot_timeout", 1, 86400)) > 0) {
		char dur[32];

		snprintf(dur, sizeof(dur), "%llds", secs);
		labgrid_field_add(lg, "boot", "kernel-timeout", dur, -1);
	}
}

static void
labgrid_map_ssh(struct labgrid *lg)
{
	static const char *const ns_cls[] = { "NetworkService", NULL };
	struct labgrid_entry *ns = labgrid_find(lg->res, lg->n_res, "NetworkService", NULL);
	struct labgrid_entry *sd = labgrid_find(lg->drv, lg->n_drv, "SSHDriver", NULL);
	char *addr = NULL, *user = NULL;
	long long port = -1;
	int site;

	if (sd != NULL) {
		sd->used = 1;
		labgrid_skip_arg(lg, sd, "keyfile", "rigd logs in with its own key");
	}
	if (ns != NULL) {
		ns->used = 1;
		labgrid_skip_others(lg, lg->res, lg->n_res, ns_cls, ns,
		    "a second network service: rig reaches a board at one SSH address");
		addr = labgrid_str(lg, ns, "address");
		user = labgrid_str(lg, ns, "username");
		if (labgrid_arg(ns, "port") != NULL)
			port = labgrid_int(lg, ns, "port", 1, 65535);
		labgrid_skip_arg(lg, ns, "password", "rigd logs in with its own key, never a "
		    "password");
	}
	if (user != NULL)
		labgrid_field_add(lg, "ssh", "user", user, -1);
	if (addr != NULL)
		site = labgrid_site_add(lg, "ssh-host", addr, LABGRID_SITE_SET,
		    "the board's address for SSH (NetworkService.address, %s:%d)", lg->path,
		    labgrid_line(ns, "address"));
	else
		site = labgrid_site_add(lg, "ssh-host", NULL, LABGRID_SITE_FILL,
		    "the board's address for SSH (the target has no NetworkService with an "
		    "address)");
	labgrid_field_add(lg, "ssh", "host", NULL, site);
	if (port > 0) {
		char num[24];

		snprintf(num, sizeof(num), "%lld", port);
		labgrid_field_add(lg, "ssh", "port", num, -1);
	}
	free(addr);
	free(user);
}

static void
labgrid_map_named(struct labgrid *lg)
{
	static const char *const arches[] = { "amd64", "armhf", "arm64", NULL };
	const char *name = lg->o->name != NULL ? lg->o->name : lg->target;
	int i, site;

	if (!yamlnode_name_ok(name) || strlen(name) >= 64) {
		conf_errors_add(lg->yc.errs, lg->path, 0, "%s '%s' is not a rig board name "
		    "([a-z0-9_-]+, at most 63): give another with --name", lg->o->name ? "--name"
		    : "target", name);
		return;
	}
	labgrid_field_add(lg, "", "name", name, -1);
	if (lg->o->arch == NULL) {
		site = labgrid_site_add(lg, "arch", NULL, LABGRID_SITE_FILL,
		    "amd64, armhf or arm64 (labgrid does not know it; or import with --arch)");
		labgrid_field_add(lg, "", "arch", NULL, site);
		return;
	}
	for (i = 0; arches[i] != NULL; i++)
		if (strcmp(lg->o->arch, arches[i]) == 0)
			break;
	if (arches[i] == NULL) {
		conf_errors_add(lg->yc.errs, lg->path, 0, "--arch '%s' is not amd64, armhf or arm64",
		    lg->o->arch);
		return;
	}
	labgrid_field_add(lg, "", "arch", lg->o->arch, -1);
}

void
labgrid_map(struct labgrid *lg)
{
	struct labgrid_entry *e;

	labgrid_map_named(lg);
	if (lg->yc.errs->n > 0)
		return;
	labgrid_map_console(lg);
	labgrid_map_power(lg);
	labgrid_map_boot(lg);
	labgrid_map_ssh(lg);
	/* Drivers rig's own parts stand in for, each with the reason. */
	for (e = NULL; (e = labgrid_find(lg->drv, lg->n_drv, "ShellDriver", e)) != NULL;)
		labgrid_skip_entry(lg, e, "rig runs a scenario's commands over SSH, never on the "
		    "console's shell");
	for (e = NULL; (e = labgrid_find(lg->drv, lg->n_drv, "ShellStrategy", e)) != NULL;)
		labgrid_skip_entry(lg, e, "rig's boot ends when SSH answers");
}
