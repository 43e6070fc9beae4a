/* boot: one board's boot part: the method chosen by name and its state, behind boot.h. */
#include "boot.h"
#include "util.h"

#include <stdlib.h>

struct boot {
	const struct boot_ops	*ops;
	void			*self;
};

struct boot *
boot_new(const struct boot_ops *ops, const struct board_conf *conf, const struct boot_env *env,
    char *err, size_t errlen)
{
	struct boot *b;
	void *self = ops->create(conf, env, err, errlen);

	if (self == NULL)
		return NULL;
	b = xcalloc(1, sizeof(*b));
	b->ops = ops;
	b->self = self;
	return b;
}

const char *
boot_name(const struct boot *b)
{
	return b->ops->name;
}

int
boot_uboot(const struct boot *b)
{
	return b->ops->uboot;
}

int
boot_prepare(struct boot *b, const char *package, struct boot_image *img, char *err,
    size_t errlen)
{
	return b->ops->prepare(b->self, package, img, err, errlen);
}

int
boot_start(struct boot *b, const struct boot_console *con, char *err, size_t errlen)
{
	return b->ops->start ? b->ops->start(b->self, con, err, errlen) : 0;
}

void
boot_free(struct boot *b)
{
	if (b == NULL)
		return;
	b->ops->free(b->self);
	free(b);
}
