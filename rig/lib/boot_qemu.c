/* boot_qemu: the qemu-kernel boot method: a Debian kernel package made into an image QEMU loads itself. */
#include "boot.h"
#include "conf.h"
#include "image.h"
#include "partconf.h"
#include "power.h"
#include "util.h"

#include <stdlib.h>

struct boot_qemu {
	const struct board_conf	*conf;
	struct boot_env		 env;
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

/* The firmware builder makes (or finds cached) the kernel and initramfs for this board. */
static int
boot_qemu_prepare(void *self, const char *package, struct boot_image *img, char *err,
    size_t errlen)
{
	struct boot_qemu *q = self;

	if (package == NULL || !package[0])
		package = q->conf->kernel_package;
	return image_make(q->conf, &q->env, package, power_image_dtb(q->conf), img, err, errlen);
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
	.name = "qemu-kernel",
	.keys = &boot_qemu_keys,
	.create = boot_qemu_create,
	.prepare = boot_qemu_prepare,
	.start = NULL,
	.free = boot_qemu_free,
};
