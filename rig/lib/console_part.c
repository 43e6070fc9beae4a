/* console_part: one board's console part: the backend chosen by name and its state, behind console.h. */
#include "console.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>

struct console_part {
	const struct console_ops	*ops;
	void				*self;
};

struct console_part *
console_part_new(const struct console_ops *ops, const struct board_conf *conf, char *err,
    size_t errlen)
{
	struct console_part *c;
	void *self = ops->create(conf, err, errlen);

	if (self == NULL)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->ops = ops;
	c->self = self;
	return c;
}

const char *
console_part_name(const struct console_part *c)
{
	return c->ops->name;
}

int
console_part_open(struct console_part *c, struct power *power, char *err, size_t errlen)
{
	return c->ops->open(c->self, power, err, errlen);
}

int
console_part_reopen(struct console_part *c, char *err, size_t errlen)
{
	if (c->ops->reopen == NULL) {
		util_fmt(err, errlen, "console kind %s opens only at power-on", c->ops->name);
		errno = EOPNOTSUPP;
		return -1;
	}
	return c->ops->reopen(c->self, err, errlen);
}

int
console_part_can_reopen(const struct console_part *c)
{
	return c->ops->reopen != NULL;
}

void
console_part_free(struct console_part *c)
{
	if (c == NULL)
		return;
	c->ops->free(c->self);
	free(c);
}
