/* partconf: the checked readers and printers a part's backend uses for its keys of a board file. */
#include "partconf.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

const char *
partconf_kind_section(enum part_kind k)
{
	static const char *const names[PART__COUNT] = { "console", "power", "boot" };

	return k < PART__COUNT ? names[k] : "?";
}

const char *
partconf_kind_key(enum part_kind k)
{
	static const char *const keys[PART__COUNT] = { "kind", "backend", "method" };

	return k < PART__COUNT ? keys[k] : "?";
}

/* "sect.key" for messages; sect "" is the top level. */
static const char *
partconf_what(char *buf, size_t size, const char *sect, const char *key)
{
	snprintf(buf, size, "%s%s%s", sect, *sect ? "." : "", key);
	return buf;
}

const struct yamlnode *
partconf_key(struct yamlnode_ctx *c, const struct yamlnode *map, const char *sect,
    const char *key, int required)
{
	if (map == NULL)
		return NULL;
	if (required)
		return yamlnode_need(c, map, sect, key);
	return yamlnode_get(map, key);
}

void
partconf_str(struct yamlnode_ctx *c, const struct yamlnode *map, const char *sect,
    const char *key, int required, char *dst, size_t size)
{
	const struct yamlnode *n = partconf_key(c, map, sect, key, required);
	char what[64];

	if (n != NULL)
		yamlnode_str(c, n, partconf_what(what, sizeof(what), sect, key), dst, size);
}

void
partconf_word(struct yamlnode_ctx *c, const struct yamlnode *map, const char *sect,
    const char *key, int required, const char *const *words, char *dst, size_t size)
{
	const struct yamlnode *n = partconf_key(c, map, sect, key, required);
	char what[64];

	if (n != NULL)
		yamlnode_word(c, n, partconf_what(what, sizeof(what), sect, key), words, dst, size);
}

void
partconf_int(struct yamlnode_ctx *c, const struct yamlnode *map, const char *sect,
    const char *key, int required, long long min, long long max, int *dst)
{
	const struct yamlnode *n = partconf_key(c, map, sect, key, required);
	char what[64];
	long long v;

	if (n != NULL && yamlnode_int(c, n, partconf_what(what, sizeof(what), sect, key), min,
	    max, &v) == 0)
		*dst = (int)v;
}

void
partconf_bool(struct yamlnode_ctx *c, const struct yamlnode *map, const char *sect,
    const char *key, int required, int *dst)
{
	const struct yamlnode *n = partconf_key(c, map, sect, key, required);
	char what[64];

	if (n != NULL)
		yamlnode_bool(c, n, partconf_what(what, sizeof(what), sect, key), dst);
}

void
partconf_duration(struct yamlnode_ctx *c, const struct yamlnode *map, const char *sect,
    const char *key, int required, int64_t *dst)
{
	const struct yamlnode *n = partconf_key(c, map, sect, key, required);
	char what[64];

	if (n != NULL)
		yamlnode_duration(c, n, partconf_what(what, sizeof(what), sect, key), dst);
}

int
partconf_form(struct yamlnode_ctx *c, const struct yamlnode *n, const char *what,
    const char *value, enum conf_form f)
{
	const char *why = conf_form_check(f, value);
	char shown[160];
	size_t i;

	if (why == NULL)
		return 0;
	if (n != NULL && n->reported)
		return -1;
	util_strlcpy(shown, value, sizeof(shown));
	for (i = 0; shown[i]; i++)
		if ((unsigned char)shown[i] < ' ' || shown[i] == 0x7f)
			shown[i] = '?';
	yamlnode_error(c, n, "%s: '%s' %s", what, shown, why);
	return -1;
}

void
partconf_print_str(FILE *out, const char *indent, const char *key, const char *v)
{
	if (v[0] == '\0')
		return;		/* optional and not given */
	fprintf(out, "%s%s: ", indent, key);
	conf_print_quoted(out, v);
	fputc('\n', out);
}

/* A node in flow style: plain scalars of safe characters as they are, others quoted. */
static void
partconf_flow(FILE *out, const struct yamlnode *n)
{
	int i;

	switch (n->kind) {
	case YAMLNODE_SCALAR:
		if (n->plain && n->value[0] && n->value[strspn(n->value, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/+-")] == '\0' && n->value[0] != '-')
			fputs(n->value, out);
		else
			conf_print_quoted(out, n->value);
		break;
	case YAMLNODE_SEQ:
		fputc('[', out);
		for (i = 0; i < n->n; i++) {
			fputs(i ? ", " : "", out);
			partconf_flow(out, n->items[i]);
		}
		fputc(']', out);
		break;
	case YAMLNODE_MAP:
		fputc('{', out);
		for (i = 0; i < n->n; i++) {
			fputs(i ? ", " : " ", out);
			partconf_flow(out, n->keys[i]);
			fputs(": ", out);
			partconf_flow(out, n->items[i]);
		}
		fputs(n->n ? " }" : "}", out);
		break;
	}
}

int
partconf_passthrough(const struct yamlnode *map, const char *const *skip, char *dst,
    size_t size)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int i, k, rc = 0;

	if (f == NULL)
		return -1;
	for (i = 0; map != NULL && i < map->n; i++) {
		for (k = 0; skip[k] != NULL && strcmp(skip[k], map->keys[i]->value) != 0; k++)
			;
		if (skip[k] != NULL)
			continue;
		fputs("  ", f);
		partconf_flow(f, map->keys[i]);
		fputs(": ", f);
		partconf_flow(f, map->items[i]);
		fputc('\n', f);
	}
	fclose(f);
	if (len >= size)
		rc = -1;
	else
		memcpy(dst, buf, len + 1);
	free(buf);
	return rc;
}
