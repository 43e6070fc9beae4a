/*
 * labgrid_console: the target's serial port as the board's console: RawSerialPort and
 * USBSerialPort as a tty, NetworkSerialPort as rfc2217 or tcp; SerialDriver says which port.
 */
#include "labgrid_int.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	int i, line = labgrid_arg_line(e, "match");

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
void
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
		char *host = labgrid_arg_str(lg, port, "host"), *proto = labgrid_arg_str(lg, port,
		    "protocol");
		long long tcp = labgrid_arg_int(lg, port, "port", 1, 65535);
		int raw = proto != NULL && strcmp(proto, "raw") == 0;
		char num[24];

		if (proto != NULL && !raw && strcmp(proto, "rfc2217") != 0) {
			conf_errors_add(lg->yc.errs, lg->path, labgrid_arg_line(port, "protocol"),
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
		    labgrid_arg_line(port, "host"));
		labgrid_field_add(lg, "console", "host", NULL, site);
		snprintf(num, sizeof(num), "%lld", tcp);
		site = labgrid_site_add(lg, "console-port", num, LABGRID_SITE_SET,
		    "its %s port for this board (NetworkSerialPort.port, %s:%d)",
		    raw ? "raw TCP" : "RFC 2217", lg->path, labgrid_arg_line(port, "port"));
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
			s = labgrid_arg_str(lg, port, "port");
			if (s == NULL) {
				if (lg->yc.errs->n == 0)
					conf_errors_add(lg->yc.errs, lg->path, port->line,
					    "RawSerialPort: needs port (the serial device)");
				return;
			}
			site = labgrid_site_add(lg, "console", s, LABGRID_SITE_SET,
			    "the serial adapter (RawSerialPort.port, %s:%d)", lg->path,
			    labgrid_arg_line(port, "port"));
			free(s);
		} else {
			labgrid_usb_serial(lg, port, &site);
			labgrid_skip_arg(lg, port, "port", "labgrid replaces it with the device udev "
			    "finds");
		}
		labgrid_field_add(lg, "console", "path", NULL, site);
	}
	if (labgrid_arg(port, "speed") != NULL) {
		baud = labgrid_arg_int(lg, port, "speed", 1, 100000000);
		if (baud > 0) {
			char num[24];

			snprintf(num, sizeof(num), "%lld", baud);
			labgrid_field_add(lg, "console", "baud", num, -1);
		}
	}
}

/* A command string as an argument vector; refused ones are listed with why. */
