/*
 * labgrid_map: a labgrid target's resources and drivers onto rig's board keys: the name and
 * architecture, the console (labgrid_console.c), power (labgrid_power.c), boot (UBootDriver,
 * UBootStrategy) and SSH (NetworkService). Host-specific values become site values; what labgrid
 * cannot know is a site value to fill in.
 */
#include "labgrid_int.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	char *s = labgrid_arg_str(lg, e, key), *plain;

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
		char *s = labgrid_text(lg, n->items[i], labgrid_arg_what(e, "init_commands", what,
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
	if ((s = labgrid_arg_str(lg, ub, "interrupt")) != NULL) {
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
	    (secs = labgrid_arg_int(lg, ub, "login_timeout", 1, 86400)) > 0) {
		char dur[32];

		snprintf(dur, sizeof(dur), "%llds", secs);
		labgrid_field_add(lg, "boot", "autoboot-timeout", dur, -1);
	}
	if (labgrid_arg(ub, "boot_timeout") != NULL &&
	    (secs = labgrid_arg_int(lg, ub, "boot_timeout", 1, 86400)) > 0) {
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
		addr = labgrid_arg_str(lg, ns, "address");
		user = labgrid_arg_str(lg, ns, "username");
		if (labgrid_arg(ns, "port") != NULL)
			port = labgrid_arg_int(lg, ns, "port", 1, 65535);
		labgrid_skip_arg(lg, ns, "password", "rigd logs in with its own key, never a "
		    "password");
	}
	if (user != NULL)
		labgrid_field_add(lg, "ssh", "user", user, -1);
	if (addr != NULL)
		site = labgrid_site_add(lg, "ssh-host", addr, LABGRID_SITE_SET,
		    "the board's address for SSH (NetworkService.address, %s:%d)", lg->path,
		    labgrid_arg_line(ns, "address"));
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
