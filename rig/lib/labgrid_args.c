/*
 * labgrid_args: a resource's or driver's arguments read for the mapping: numbers, texts,
 * seconds, the line a key is on, and finding entries by class or by name.
 */
#include "labgrid_int.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct labgrid_entry *
labgrid_find(struct labgrid_entry *list, int n, const char *cls, struct labgrid_entry *after)
{
	int i = after != NULL ? (int)(after - list) + 1 : 0;

	for (; i < n; i++)
		if (strcmp(list[i].cls, cls) == 0)
			return &list[i];
	return NULL;
}

/* The first of several entries is mapped; the others are listed with why. */
void
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
const char *
labgrid_arg_what(const struct labgrid_entry *e, const char *key, char *buf, size_t size)
{
	util_fmt(buf, size, "%s.%s", e->cls, key);
	return buf;
}

/* A whole number in [min, max], or -1 (reported as an error: labgrid would refuse it too). */
long long
labgrid_arg_int(struct labgrid *lg, struct labgrid_entry *e, const char *key, long long min,
    long long max)
{
	const struct yamlnode *n = labgrid_arg(e, key);
	char what[96], *s, *end;
	long long v;

	if (n == NULL)
		return -1;
	s = labgrid_text(lg, n, labgrid_arg_what(e, key, what, sizeof(what)));
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
char *
labgrid_arg_str(struct labgrid *lg, struct labgrid_entry *e, const char *key)
{
	const struct yamlnode *n = labgrid_arg(e, key);
	char what[96];

	if (n == NULL)
		return NULL;
	return labgrid_text(lg, n, labgrid_arg_what(e, key, what, sizeof(what)));
}

int
labgrid_arg_line(struct labgrid_entry *e, const char *key)
{
	int i;

	for (i = 0; i < e->args->n; i++)
		if (strcmp(e->args->keys[i]->value, key) == 0)
			return e->args->keys[i]->line;
	return e->line;
}

/* labgrid's seconds (a float: 2.0, 0.5) as a rig duration: "2s", "500ms". -1: not one. */
int
labgrid_arg_seconds(struct labgrid *lg, struct labgrid_entry *e, const char *key, char *dst,
    size_t size)
{
	char *s = labgrid_arg_str(lg, e, key), *end;
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

struct labgrid_entry *
labgrid_by_name(struct labgrid_entry *list, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (list[i].name != NULL && strcmp(list[i].name, name) == 0)
			return &list[i];
	return NULL;
}
