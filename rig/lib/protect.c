/* protect: the steps a board refuses (unbind or bind of a device it protects). */
#include "protect.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

int
protect_step_detaches(enum step_kind k)
{
	/*
	 * cut: power is the whole board's supply through its backend, not a device: the board
	 * comes back by a power cycle, which is what recovers it anyway.
	 */
	return k == STEP_UNBIND || k == STEP_BIND;
}

const struct conf_protected *
protect_step(const struct board_conf *b, const struct scen_step *st)
{
	const struct conf_device *d;

	if (!protect_step_detaches(st->kind))
		return NULL;
	d = board_conf_device(b, st->arg);
	if (d == NULL || d->prot <= 0 || d->prot > b->nprotected)
		return NULL;
	return &b->protected[d->prot - 1];
}

const struct conf_protected *
protect_device(const struct board_conf *b, const char *device)
{
	int i;

	for (i = 0; i < b->nprotected; i++)
		if (strcmp(b->protected[i].device, device) == 0)
			return &b->protected[i];
	return NULL;
}

void
protect_why(const struct board_conf *b, const char *scenario, int stepno,
    const struct scen_step *st, const struct conf_protected *p, char *why, size_t size)
{
	util_fmt(why, size, "board %s refuses %s: step %d %ss devices.%s (%s), protected: %s",
	    b->name, scenario, stepno, step_kind_name(st->kind), st->arg, p->device, p->why);
}

enum error_kind
protect_runnable(const struct board_conf *b, const struct scenario *sc, char *why, size_t size)
{
	const struct conf_protected *p;
	int i;

	if (size > 0)
		why[0] = '\0';
	for (i = 0; i < sc->nclasses; i++) {
		if (board_conf_device(b, sc->classes[i]) == NULL) {
			util_fmt(why, size, "board %s has no %s device", b->name, sc->classes[i]);
			return ERROR_SCEN_CLASS;
		}
	}
	for (i = 0; i < sc->nsteps; i++) {
		if ((p = protect_step(b, &sc->steps[i])) != NULL) {
			protect_why(b, sc->name, i + 1, &sc->steps[i], p, why, size);
			return ERROR_SCEN_PROTECTED;
		}
	}
	return ERROR_NONE;
}
