/* boot_local: the local boot method: the board boots what its own storage holds (an SD card, eMMC, a bootloader set up by hand), rigd only powers it. */
#include "boot.h"
#include "conf.h"
#include "partconf.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct boot_local {
	const struct board_conf	*conf;		/* immutable */
};

static void *
boot_local_create(const struct board_conf *conf, const struct boot_env *env, char *err,
    size_t errlen)
{
	struct boot_local *l = xcalloc(1, sizeof(*l));

	(void)env;
	(void)err;
	(void)errlen;
	l->conf = conf;
	return l;
}

/*
 * Nothing to make: the kernel is on the board. The build it runs is what it says once up
 * (uname over SSH), so a registered build cannot be asked for: that needs a method that loads
 * one (uboot-tftp).
 */
static int
boot_local_prepare(void *self, const char *package, struct boot_image *img, char *err,
    size_t errlen)
{
	struct boot_local *l = self;

	if (package[0] != '\0' && strcmp(package, l->conf->kernel_package) != 0) {
		util_fmt(err, errlen, "boot.method local boots the kernel on the board's own storage:"
		    " it cannot load %s", package);
		return -1;
	}
	memset(img, 0, sizeof(*img));
	return 0;
}

static void
boot_local_free(void *self)
{
	free(self);
}

static void
boot_local_parse(struct yamlnode_ctx *c, const struct yamlnode *part, const struct yamlnode *own,
    void *settings)
{
	(void)c;
	(void)part;
	(void)own;
	(void)settings;
}

static const char *const boot_local_boot_keys[] = { NULL };

static const struct part_keys boot_local_keys = {
	.keys = boot_local_boot_keys,
	.parse = boot_local_parse,
};

const struct boot_ops boot_local_ops = {
	.name = "local",
	.keys = &boot_local_keys,
	.create = boot_local_create,
	.prepare = boot_local_prepare,
	.start = NULL,
	.free = boot_local_free,
};
