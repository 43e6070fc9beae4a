/* power: one board's power part: the backend chosen by name and its state, behind power.h. */
#include "power.h"
#include "conf.h"
#include "util.h"

#include <stdlib.h>

struct power {
	const struct power_ops	*ops;
	void			*self;
};

struct power *
power_new(const struct power_ops *ops, const struct board_conf *conf, const char *rundir,
    char *err, size_t errlen)
{
	struct power *p;
	void *self = ops->create(conf, rundir, err, errlen);

	if (self == NULL)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->ops = ops;
	p->self = self;
	return p;
}

const char *
power_name(const struct power *p)
{
	return p->ops->name;
}

int
power_prepare(struct power *p, const struct boot_image *img, char *err, size_t errlen)
{
	return p->ops->prepare(p->self, img, err, errlen);
}

int
power_on(struct power *p, char *err, size_t errlen)
{
	return p->ops->on(p->self, err, errlen);
}

void
power_off(struct power *p)
{
	p->ops->off(p->self);
}

void
power_cut(struct power *p)
{
	p->ops->cut(p->self);
}

int
power_alive(struct power *p)
{
	return p->ops->alive(p->self);
}

int
power_console_path(struct power *p, char *path, size_t len)
{
	return p->ops->console_path ? p->ops->console_path(p->self, path, len) : -1;
}

void
power_ssh_addr(struct power *p, const struct board_conf *conf, char *host, size_t hostlen,
    int *port)
{
	if (p->ops->ssh_addr && p->ops->ssh_addr(p->self, host, hostlen, port) == 0)
		return;
	util_strlcpy(host, conf->ssh_host, hostlen);
	*port = conf->ssh_port;
}

void
power_settled(struct power *p)
{
	if (p->ops->settled != NULL)
		p->ops->settled(p->self);
}

int
power_cycle(struct power *p, char *err, size_t errlen)
{
	if (p->ops->cycle == NULL) {
		util_fmt(err, errlen, "power %s has no cycle of its own: off, then a boot",
		    p->ops->name);
		return -1;
	}
	return p->ops->cycle(p->self, err, errlen);
}

enum power_state
power_state(struct power *p, char *err, size_t errlen)
{
	if (p->ops->state != NULL)
		return p->ops->state(p->self, err, errlen);
	return p->ops->alive(p->self) ? POWER_ON : POWER_OFF;
}

void
power_set_report(struct power *p, power_report_fn *fn, void *arg)
{
	if (p->ops->set_report != NULL)
		p->ops->set_report(p->self, fn, arg);
}

int
power_confirm(struct power *p, char *err, size_t errlen)
{
	if (p->ops->confirm == NULL) {
		util_fmt(err, errlen, "power %s asks no person: nothing to confirm", p->ops->name);
		return -1;
	}
	return p->ops->confirm(p->self, err, errlen);
}

int
power_asks_person(const struct power *p)
{
	return p->ops->confirm != NULL;
}

int
power_waiting(struct power *p, char *what, size_t len)
{
	what[0] = '\0';
	return p->ops->waiting ? p->ops->waiting(p->self, what, len) : 0;
}

const char *
power_image_dtb(const struct board_conf *conf)
{
	const struct power_ops *ops = power_backend_find(conf->parts[PART_POWER].name);

	return ops && ops->image_dtb && conf->parts[PART_POWER].built ? ops->image_dtb(conf) : "";
}

void
power_free(struct power *p)
{
	if (p == NULL)
		return;
	p->ops->free(p->self);
	free(p);
}
