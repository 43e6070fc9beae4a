/*
 * labgrid: reads a labgrid environment file (targets, their resources and drivers in either of
 * labgrid's two spellings, options, images, tools, imports, !template) and keeps account of
 * every part of it: each is either mapped onto the board file (labgrid_map.c) or listed as not
 * imported with the reason, never dropped.
 */
#include "labgrid_int.h"
#include "util.h"

#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
labgrid_note(struct labgrid *lg, const char *fmt, ...)
{
	struct labgrid_result *r = lg->r;
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	if (s == NULL)
		abort();	/* as xmalloc: out of memory is not a case to carry on in */
	r->notes = xrealloc(r->notes, (r->n_notes + 1) * sizeof(*r->notes));
	r->notes[r->n_notes++] = s;
}

char *
labgrid_text(struct labgrid *lg, const struct yamlnode *n, const char *what)
{
	char why[256], *out;

	if (n->kind != YAMLNODE_SCALAR) {
		conf_errors_add(lg->yc.errs, lg->path, n->line, "%s: expected a single value", what);
		return NULL;
	}
	if (n->tag == NULL || strncmp(n->tag, "tag:yaml.org,2002:", 18) == 0)
		return xstrdup(n->value);
	if (strcmp(n->tag, "!template") != 0) {
		conf_errors_add(lg->yc.errs, lg->path, n->line,
		    "%s: unknown tag '%s' (labgrid's loader knows only !template)", what, n->tag);
		return NULL;
	}
	if (labgrid_template_expand(n->value, lg->base, &out, why, sizeof(why)) == -1) {
		conf_errors_add(lg->yc.errs, lg->path, n->line, "%s: !template '%s': %s", what,
		    n->value, why);
		return NULL;
	}
	labgrid_note(lg, "expanded: %s (%s:%d): !template '%s' is '%s'", what, lg->path, n->line,
	    n->value, out);
	return out;
}

static int
labgrid_key_index(const struct labgrid_entry *e, const char *key)
{
	int i;

	for (i = 0; i < e->args->n && i < LABGRID_MAX_KEYS; i++)
		if (strcmp(e->args->keys[i]->value, key) == 0)
			return i;
	return -1;
}

const struct yamlnode *
labgrid_arg(struct labgrid_entry *e, const char *key)
{
	int i = labgrid_key_index(e, key);

	if (i == -1)
		return NULL;
	e->key_used[i] = 1;
	return e->args->items[i];
}

/* "UBootDriver" or "SerialDriver 'console'": how the notes name an entry. */
static const char *
labgrid_entry_what(const struct labgrid_entry *e, char *buf, size_t size)
{
	if (e->name != NULL)
		util_fmt(buf, size, "%s '%s'", e->cls, e->name);
	else
		util_fmt(buf, size, "%s", e->cls);
	return buf;
}

void
labgrid_skip_arg(struct labgrid *lg, struct labgrid_entry *e, const char *key, const char *fmt,
    ...)
{
	int i = labgrid_key_index(e, key);
	char what[160], why[512];
	va_list ap;

	if (i == -1)
		return;
	e->key_used[i] = 1;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	labgrid_note(lg, "not imported: %s.%s (%s:%d): %s", labgrid_entry_what(e, what,
	    sizeof(what)), key, lg->path, e->args->keys[i]->line, why);
}

void
labgrid_skip_entry(struct labgrid *lg, struct labgrid_entry *e, const char *fmt, ...)
{
	char what[160], why[512];
	va_list ap;

	e->reported = 1;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	labgrid_note(lg, "not imported: %s (%s:%d): %s", labgrid_entry_what(e, what, sizeof(what)),
	    lg->path, e->line, why);
}

int
labgrid_site_add(struct labgrid *lg, const char *key, const char *value,
    enum labgrid_site_how how, const char *fmt, ...)
{
	struct labgrid_site *s;
	va_list ap;

	if (lg->n_site == LABGRID_MAX_SITE)
		abort();	/* the mapping adds a fixed few; more is a bug here */
	s = &lg->site[lg->n_site];
	memset(s, 0, sizeof(*s));
	util_strlcpy(s->key, key, sizeof(s->key));
	s->value = xstrdup(how == LABGRID_SITE_FILL ? LABGRID_PLACEHOLDER : value);
	s->how = how;
	va_start(ap, fmt);
	if (vasprintf(&s->comment, fmt, ap) == -1)
		abort();
	va_end(ap);
	if (how == LABGRID_SITE_FILL) {
		lg->r->n_fill++;
		labgrid_note(lg, "to fill in: site.%s: %s", key, s->comment);
	} else if (how == LABGRID_SITE_GUESS) {
		lg->r->n_guess++;
		labgrid_note(lg, "guessed: site.%s: %s: %s", key, value, s->comment);
	}
	return lg->n_site++;
}

int
labgrid_site_add_list(struct labgrid *lg, const char *key, char **argv, int argc,
    const char *fmt, ...)
{
	struct labgrid_site *s;
	va_list ap;

	if (lg->n_site == LABGRID_MAX_SITE)
		abort();
	s = &lg->site[lg->n_site];
	memset(s, 0, sizeof(*s));
	util_strlcpy(s->key, key, sizeof(s->key));
	s->list = argv;
	s->n = argc;
	s->how = LABGRID_SITE_SET;
	va_start(ap, fmt);
	if (vasprintf(&s->comment, fmt, ap) == -1)
		abort();
	va_end(ap);
	return lg->n_site++;
}

struct labgrid_field *
labgrid_field_add(struct labgrid *lg, const char *sect, const char *key, const char *value,
    int site)
{
	struct labgrid_field *f;

	if (lg->n_field == LABGRID_MAX_FIELDS)
		abort();
	f = &lg->field[lg->n_field++];
	memset(f, 0, sizeof(*f));
	util_strlcpy(f->sect, sect, sizeof(f->sect));
	util_strlcpy(f->key, key, sizeof(f->key));
	f->kind = LABGRID_FIELD_SCALAR;
	f->value = value != NULL ? xstrdup(value) : NULL;
	f->site = site;
	return f;
}

/* One resource or driver; what names where it sits ("targets.main.resources") for errors. */
static void
labgrid_add_entry(struct labgrid *lg, int drivers, const char *cls, const struct yamlnode *args,
    int line, const char *what)
{
	struct labgrid_entry **list = drivers ? &lg->drv : &lg->res;
	int *n = drivers ? &lg->n_drv : &lg->n_res;
	struct labgrid_entry *e;
	const struct yamlnode *name;

	if (args->kind != YAMLNODE_MAP) {
		conf_errors_add(lg->yc.errs, lg->path, args->line,
		    "%s.%s: expected a mapping of its arguments ({} for none)", what, cls);
		return;
	}
	if (args->n > LABGRID_MAX_KEYS) {
		conf_errors_add(lg->yc.errs, lg->path, args->line, "%s.%s: more than %d arguments",
		    what, cls, LABGRID_MAX_KEYS);
		return;
	}
	*list = xrealloc(*list, (*n + 1) * sizeof(**list));
	e = &(*list)[(*n)++];
	memset(e, 0, sizeof(*e));
	e->cls = cls;
	e->args = args;
	e->line = line;
	(void)labgrid_arg(e, "cls");	/* the list spelling's class: read above */
	name = labgrid_arg(e, "name");
	if (name != NULL && name->kind == YAMLNODE_SCALAR && name->value[0] != '\0' &&
	    !(name->plain && strcmp(name->value, "~") == 0) &&
	    !(name->plain && strcmp(name->value, "null") == 0))
		e->name = name->value;
	/* bindings name other entries: the mapping looks at them where it needs to. */
	if (drivers)
		(void)labgrid_arg(e, "bindings");
}

/*
 * resources: and drivers: come as a mapping (class: arguments) or as a list of one-key mappings
 * (- class: arguments), or list items with a cls key (- cls: class, name: ...).
 */
static void
labgrid_read_entries(struct labgrid *lg, const struct yamlnode *n, int drivers, const char *what)
{
	int i;

	if (n->kind == YAMLNODE_SCALAR && n->plain && (n->value[0] == '\0' ||
	    strcmp(n->value, "~") == 0 || strcmp(n->value, "null") == 0))
		return;	/* "resources:" with nothing */
	if (n->kind == YAMLNODE_MAP) {
		for (i = 0; i < n->n; i++)
			labgrid_add_entry(lg, drivers, n->keys[i]->value, n->items[i],
			    n->keys[i]->line, what);
		return;
	}
	if (n->kind != YAMLNODE_SEQ) {
		conf_errors_add(lg->yc.errs, lg->path, n->line,
		    "%s: expected a mapping or a list of classes", what);
		return;
	}
	for (i = 0; i < n->n; i++) {
		const struct yamlnode *it = n->items[i], *cls;

		if (it->kind != YAMLNODE_MAP || it->n == 0) {
			conf_errors_add(lg->yc.errs, lg->path, it->line,
			    "%s: each entry is a mapping (- Class: {arguments})", what);
			continue;
		}
		cls = yamlnode_get(it, "cls");
		if (cls != NULL && cls->kind == YAMLNODE_SCALAR)
			labgrid_add_entry(lg, drivers, cls->value, it, it->line, what);
		else if (it->n == 1)
			labgrid_add_entry(lg, drivers, it->keys[0]->value, it->items[0],
			    it->keys[0]->line, what);
		else
			conf_errors_add(lg->yc.errs, lg->path, it->line,
			    "%s: an entry of several keys needs 'cls: Class'", what);
	}
}

/* Each entry of options:, images:, tools:, paths:, features: or imports:, listed. */
static void
labgrid_list_section(struct labgrid *lg, const char *where, const char *key,
    const struct yamlnode *n, const char *why)
{
	int i;

	if (n->kind == YAMLNODE_MAP) {
		for (i = 0; i < n->n; i++)
			labgrid_note(lg, "not imported: %s%s.%s (%s:%d): %s", where, key,
			    n->keys[i]->value, lg->path, n->keys[i]->line, why);
	} else if (n->kind == YAMLNODE_SEQ) {
		for (i = 0; i < n->n; i++)
			labgrid_note(lg, "not imported: %s%s '%s' (%s:%d): %s", where, key,
			    n->items[i]->kind == YAMLNODE_SCALAR ? n->items[i]->value : "...",
			    lg->path, n->items[i]->line, why);
	} else if (n->value[0] != '\0')
		labgrid_note(lg, "not imported: %s%s (%s:%d): %s", where, key, lg->path, n->line,
		    why);
}

static const char *
labgrid_section_why(const char *key)
{
	if (strcmp(key, "options") == 0)
		return "a labgrid test option; rig's scenarios have none";
	if (strcmp(key, "images") == 0)
		return "rig boots registered builds (rigctl build add), not image files";
	if (strcmp(key, "tools") == 0)
		return "a host tool for a labgrid driver; rig's backends name their own programs";
	if (strcmp(key, "paths") == 0)
		return "a folder for labgrid's drivers; rig has its own";
	if (strcmp(key, "features") == 0)
		return "a labgrid test feature flag; rig's scenarios name device classes instead";
	if (strcmp(key, "imports") == 0)
		return "Python code labgrid loads (its own resources or drivers); rig runs none, "
		    "so the classes it defines are unknown here";
	return "not a key labgrid's environment knows";
}

/* The target to import: --target, else the only one. */
static const struct yamlnode *
labgrid_pick_target(struct labgrid *lg, const struct yamlnode *targets, int line)
{
	char list[512] = "";
	int i, pick = -1;

	for (i = 0; i < targets->n; i++) {
		size_t len = strlen(list);

		util_fmt(list + len, sizeof(list) - len, "%s%s", len ? ", " : "",
		    targets->keys[i]->value);
		if (lg->o->target != NULL && strcmp(targets->keys[i]->value, lg->o->target) == 0)
			pick = i;
	}
	if (targets->n == 0) {
		conf_errors_add(lg->yc.errs, lg->path, line, "targets: no target in it");
		return NULL;
	}
	if (lg->o->target != NULL && pick == -1) {
		conf_errors_add(lg->yc.errs, lg->path, line, "targets: no target '%s' (it has: %s)",
		    lg->o->target, list);
		return NULL;
	}
	if (pick == -1 && targets->n > 1) {
		conf_errors_add(lg->yc.errs, lg->path, line,
		    "targets: %d targets (%s): choose one with --target", targets->n, list);
		return NULL;
	}
	if (pick == -1)
		pick = 0;
	for (i = 0; i < targets->n; i++)
		if (i != pick)
			labgrid_note(lg, "not imported: target %s (%s:%d): one board per file: "
			    "import it with --target %s", targets->keys[i]->value, lg->path,
			    targets->keys[i]->line, targets->keys[i]->value);
	lg->target = targets->keys[pick]->value;
	return targets->items[pick];
}

/* After the mapping: whatever it did not use is listed. */
static void
labgrid_list_unused(struct labgrid *lg, struct labgrid_entry *list, int n, int drivers)
{
	char what[160];
	int i, k;

	for (i = 0; i < n; i++) {
		struct labgrid_entry *e = &list[i];

		if (e->reported)
			continue;
		if (!e->used) {
			labgrid_skip_entry(lg, e, "rig has no part that matches this labgrid %s",
			    drivers ? "driver" : "resource");
			continue;
		}
		for (k = 0; k < e->args->n; k++)
			if (!e->key_used[k])
				labgrid_note(lg, "not imported: %s.%s (%s:%d): rig has no such "
				    "setting", labgrid_entry_what(e, what, sizeof(what)),
				    e->args->keys[k]->value, lg->path, e->args->keys[k]->line);
	}
}

static void
labgrid_read_target(struct labgrid *lg, const struct yamlnode *t)
{
	char where[160];
	int i;

	if (t->kind == YAMLNODE_SCALAR && t->value[0] == '\0')
		return;	/* "main:" with nothing: a target of no parts */
	if (yamlnode_is_map(&lg->yc, t, lg->target) == -1)
		return;
	util_fmt(where, sizeof(where), "targets.%s.", lg->target);
	for (i = 0; i < t->n; i++) {
		const char *k = t->keys[i]->value;
		char what[160];

		util_fmt(what, sizeof(what), "%s%s", where, k);
		if (strcmp(k, "resources") == 0)
			labgrid_read_entries(lg, t->items[i], 0, what);
		else if (strcmp(k, "drivers") == 0)
			labgrid_read_entries(lg, t->items[i], 1, what);
		else
			labgrid_list_section(lg, where, k, t->items[i], labgrid_section_why(k));
	}
}

enum labgrid_status
labgrid_import(const char *path, const struct labgrid_opts *o, struct labgrid_result *r)
{
	struct labgrid lg = { .path = path, .r = r, .o = o };
	const struct yamlnode *targets = NULL, *t;
	struct yamlnode *root;
	char dir[PATH_MAX];
	int i, line = 0;

	memset(r, 0, sizeof(*r));
	lg.yc.path = path;
	lg.yc.errs = &r->errs;
	/* $BASE is the file's folder, absolute, as labgrid makes it. */
	if (realpath(path, dir) != NULL)
		util_strlcpy(lg.base, dirname(dir), sizeof(lg.base));
	root = yamlnode_load(path, &r->errs);
	if (root == NULL || r->errs.n > 0)
		goto fail;
	if (yamlnode_is_map(&lg.yc, root, "the environment") == -1)
		goto fail;
	for (i = 0; i < root->n; i++) {
		const char *k = root->keys[i]->value;

		if (strcmp(k, "targets") == 0) {
			targets = root->items[i];
			line = root->keys[i]->line;	/* "targets:", where a reader looks */
		}
		else
			labgrid_list_section(&lg, "", k, root->items[i], labgrid_section_why(k));
	}
	if (targets == NULL) {
		conf_errors_add(&r->errs, path, root->line, "missing key 'targets'");
		goto fail;
	}
	if (yamlnode_is_map(&lg.yc, targets, "targets") == -1)
		goto fail;
	t = labgrid_pick_target(&lg, targets, line);
	if (t == NULL)
		goto fail;
	labgrid_read_target(&lg, t);
	if (r->errs.n > 0)
		goto fail;
	labgrid_map(&lg);
	if (r->errs.n > 0)
		goto fail;
	labgrid_list_unused(&lg, lg.res, lg.n_res, 0);
	labgrid_list_unused(&lg, lg.drv, lg.n_drv, 1);
	r->board = labgrid_emit(&lg);
fail:
	for (i = 0; i < lg.n_site; i++) {
		free(lg.site[i].value);
		free(lg.site[i].comment);
		labgrid_words_free(lg.site[i].list);
	}
	for (i = 0; i < lg.n_field; i++) {
		free(lg.field[i].value);
		free(lg.field[i].comment);
		labgrid_words_free(lg.field[i].list);
	}
	free(lg.res);
	free(lg.drv);
	yamlnode_free(root);
	if (r->board == NULL)
		return LABGRID_ERROR;
	return r->n_fill + r->n_guess > 0 ? LABGRID_FILL_IN : LABGRID_COMPLETE;
}

void
labgrid_result_free(struct labgrid_result *r)
{
	int i;

	free(r->board);
	for (i = 0; i < r->n_notes; i++)
		free(r->notes[i]);
	free(r->notes);
	conf_errors_free(&r->errs);
	memset(r, 0, sizeof(*r));
}
