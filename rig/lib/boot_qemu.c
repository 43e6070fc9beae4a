/* boot_qemu: the qemu-direct boot method: a Debian kernel package made into an image QEMU loads itself. */
#include "boot.h"
#include "conf.h"
#include "log.h"
#include "partconf.h"
#include "power.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct boot_qemu {
	const struct board_conf	*conf;
	struct boot_env		 env;
	char			 image_env[512];	/* what mkimage made: KEY=VALUE lines */
};

static void *
boot_qemu_create(const struct board_conf *conf, const struct boot_env *env, char *err,
    size_t errlen)
{
	struct boot_qemu *q = xcalloc(1, sizeof(*q));

	(void)err;
	(void)errlen;
	q->conf = conf;
	q->env = *env;
	return q;
}

/* Reads KEY=VALUE lines of the image the firmware builder made. */
static int
boot_qemu_read(struct boot_qemu *q, struct boot_image *img, char *err, size_t errlen)
{
	FILE *f = fopen(q->image_env, "r");
	char line[1024];

	if (f == NULL) {
		util_fmt(err, errlen, "%s: %s", q->image_env, strerror(errno));
		return -1;
	}
	memset(img, 0, sizeof(*img));
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '='), *v;
		line[strcspn(line, "\n")] = '\0';
		if (eq == NULL)
			continue;
		*eq = '\0';
		v = eq + 1;
		if (strcmp(line, "KERNEL") == 0)
			util_strlcpy(img->kernel, v, sizeof(img->kernel));
		else if (strcmp(line, "INITRD") == 0)
			util_strlcpy(img->initrd, v, sizeof(img->initrd));
		else if (strcmp(line, "DTB") == 0)
			util_strlcpy(img->dtb, v, sizeof(img->dtb));
		else if (strcmp(line, "SHA256") == 0)
			util_strlcpy(img->sha256, v, sizeof(img->sha256));
		else if (strcmp(line, "CONFIG_SHA256") == 0)
			util_strlcpy(img->config_sha256, v, sizeof(img->config_sha256));
		else if (strcmp(line, "PACKAGE") == 0)
			util_strlcpy(img->package, v, sizeof(img->package));
		else if (strcmp(line, "PACKAGE_VERSION") == 0)
			util_strlcpy(img->package_version, v, sizeof(img->package_version));
	}
	fclose(f);
	if (!img->kernel[0] || !img->initrd[0]) {
		util_fmt(err, errlen, "%s: no KERNEL or INITRD", q->image_env);
		return -1;
	}
	return 0;
}

/* The firmware builder makes (or finds cached) the kernel and initramfs for this board. */
static int
boot_qemu_prepare(void *self, const char *package, struct boot_image *img, char *err,
    size_t errlen)
{
	struct boot_qemu *q = self;
	const struct board_conf *c = q->conf;
	const char *dtb = power_image_dtb(c);
	char cmd[4096], out[600], line[600] = "";
	FILE *p;
	int st;

	if (package == NULL || !package[0])
		package = c->kernel_package;
	util_fmt(out, sizeof(out), "%s/images/%s", q->env.statedir, c->name);
	snprintf(cmd, sizeof(cmd), "'%s/mkimage' --arch '%s' --kernel '%s' --modules '%s'"
	    " --key '%s.pub' --cache '%s' --out '%s'%s%s%s", q->env.firmwaredir, c->arch,
	    package, c->modules, q->env.keyfile, q->env.cachedir, out,
	    dtb[0] ? " --dtb '" : "", dtb, dtb[0] ? "'" : "");
	log_debug("%s: %s", c->name, cmd);
	p = popen(cmd, "r");
	if (p == NULL) {
		util_fmt(err, errlen, "mkimage: %s", strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), p))
		;
	st = pclose(p);
	line[strcspn(line, "\n")] = '\0';
	if (st != 0 || line[0] == '\0') {
		util_fmt(err, errlen, "image for %s (%s) could not be built: see rigd's log",
		    c->name, package);
		return -1;
	}
	util_strlcpy(q->image_env, line, sizeof(q->image_env));
	return boot_qemu_read(q, img, err, errlen);
}

static void
boot_qemu_free(void *self)
{
	free(self);
}

/* It boots a Debian package, so the board names one (a lab-built kernel has none). */
static void
boot_qemu_parse(struct yamlnode_ctx *c, const struct yamlnode *part, const struct yamlnode *own,
    void *settings)
{
	(void)own;
	(void)settings;
	partconf_key(c, part, "boot", "kernel", 1);
}

static const char *const boot_qemu_boot_keys[] = { NULL };

static const struct part_keys boot_qemu_keys = {
	.keys = boot_qemu_boot_keys,
	/* The image is handed to the virtual machine: the power part is QEMU. */
	.needs_kind = PART_POWER,
	.needs_name = "qemu",
	.needs_why = "",
	.parse = boot_qemu_parse,
};

/* QEMU loads the kernel itself (-kernel, -initrd): nothing to do once power flows. */
const struct boot_ops boot_qemu_ops = {
	.name = "qemu-direct",
	.keys = &boot_qemu_keys,
	.create = boot_qemu_create,
	.prepare = boot_qemu_prepare,
	.start = NULL,
	.free = boot_qemu_free,
};
