/* yamlnode: a YAML file as a small tree of scalars, sequences and mappings with line numbers. */
#include "yamlnode.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Deeper than any board or scenario file; keeps a hostile file from exhausting the stack. */
#define YAMLNODE_MAX_DEPTH	32

/* An anchor seen so far: its own copy of the node (the tree's may be dropped as a duplicate). */
struct yamlnode_anchor {
	char		*name;
	struct yamlnode	*node;
	int		 line;
	int		 uses;
};

struct yamlnode_parser {
	yaml_parser_t	 yp;
	const char	*path;
	struct conf_errors *errs;
	int		 failed;	/* a syntax error: the event stream cannot be trusted any more */
	int		 nodes;		/* written in the file so far: at most YAMLNODE_MAX_WRITTEN */
	int		 copies;	/* made for aliases so far: at most YAMLNODE_MAX_NODES */
	struct yamlnode_anchor *anchors;
	int		 nanchors;
};

static struct yamlnode *
yamlnode_new(enum yamlnode_kind kind, int line)
{
	struct yamlnode *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->line = line;
	return n;
}

/*
 * Counts one more node, written or copied for an alias; past either limit the load fails (once).
 * Aliases have their own, smaller limit: a few lines of them grow without end.
 */
static int
yamlnode_count(struct yamlnode_parser *p, int line, int copy)
{
	if (copy ? ++p->copies <= YAMLNODE_MAX_NODES : ++p->nodes <= YAMLNODE_MAX_WRITTEN)
		return 0;
	if (!p->failed && copy)
		conf_errors_add(p->errs, p->path, line,
		    "more than %d values (aliases expanding too far?)", YAMLNODE_MAX_NODES);
	else if (!p->failed)
		conf_errors_add(p->errs, p->path, line, "more than %d values in one file",
		    YAMLNODE_MAX_WRITTEN);
	p->failed = 1;
	return -1;
}

/*
 * A deep copy of n. For an alias (alias != NULL) each node made counts against the limit and
 * is marked with the alias and the line it was used at; NULL when the limit is reached.
 */
static struct yamlnode *
yamlnode_copy(struct yamlnode_parser *p, const struct yamlnode *n, const char *alias,
    int used_line)
{
	struct yamlnode *c;
	int i;

	if (alias != NULL && yamlnode_count(p, used_line, 1) == -1)
		return NULL;
	c = yamlnode_new(n->kind, n->line);
	c->value = n->value ? xstrdup(n->value) : NULL;
	c->plain = n->plain;
	c->tag = n->tag ? xstrdup(n->tag) : NULL;
	c->reported = n->reported;
	c->alias = alias ? xstrdup(alias) : n->alias ? xstrdup(n->alias) : NULL;
	c->used_line = alias ? used_line : n->used_line;
	if (n->n > 0) {
		c->items = xcalloc((size_t)n->n, sizeof(*c->items));
		if (n->keys != NULL)
			c->keys = xcalloc((size_t)n->n, sizeof(*c->keys));
	}
	for (i = 0; i < n->n; i++) {
		c->n = i + 1;	/* yamlnode_free takes the NULL entries of a copy cut short */
		if (n->keys != NULL &&
		    (c->keys[i] = yamlnode_copy(p, n->keys[i], alias, used_line)) == NULL) {
			yamlnode_free(c);
			return NULL;
		}
		if ((c->items[i] = yamlnode_copy(p, n->items[i], alias, used_line)) == NULL) {
			yamlnode_free(c);
			return NULL;
		}
	}
	return c;
}

static struct yamlnode_anchor *
yamlnode_anchor_find(struct yamlnode_parser *p, const char *name)
{
	int i;

	for (i = 0; i < p->nanchors; i++)
		if (strcmp(p->anchors[i].name, name) == 0)
			return &p->anchors[i];
	return NULL;
}

/* n was written with &name: it is kept for the aliases after it. */
static void
yamlnode_anchor_add(struct yamlnode_parser *p, struct yamlnode *n, const char *name)
{
	struct yamlnode_anchor *a = yamlnode_anchor_find(p, name);

	if (a != NULL) {
		/* YAML lets a later anchor win; here a value would change under its earlier users. */
		conf_errors_add(p->errs, p->path, n->line, "anchor &%s given again (first at line %d)",
		    name, a->line);
		return;
	}
	p->anchors = xrealloc(p->anchors, (size_t)(p->nanchors + 1) * sizeof(*p->anchors));
	a = &p->anchors[p->nanchors++];
	a->name = xstrdup(name);
	a->node = yamlnode_copy(p, n, NULL, 0);
	a->line = n->line;
	a->uses = 0;
	n->anchor = xstrdup(name);
}

/* After the document: each anchored node of the tree learns how often it was used. */
static void
yamlnode_anchor_uses(struct yamlnode_parser *p, struct yamlnode *n)
{
	struct yamlnode_anchor *a;
	int i;

	if (n->anchor != NULL && n->used_line == 0 && (a = yamlnode_anchor_find(p, n->anchor)) &&
	    a->line == n->line)
		n->uses = a->uses;
	for (i = 0; i < n->n; i++) {
		if (n->keys != NULL)
			yamlnode_anchor_uses(p, n->keys[i]);
		yamlnode_anchor_uses(p, n->items[i]);
	}
}

static void
yamlnode_anchors_free(struct yamlnode_parser *p)
{
	int i;

	for (i = 0; i < p->nanchors; i++) {
		free(p->anchors[i].name);
		yamlnode_free(p->anchors[i].node);
	}
	free(p->anchors);
}

void
yamlnode_free(struct yamlnode *n)
{
	int i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n; i++) {
		if (n->keys != NULL)
			yamlnode_free(n->keys[i]);
		yamlnode_free(n->items[i]);
	}
	free(n->keys);
	free(n->items);
	free(n->value);
	free(n->tag);
	free(n->anchor);
	free(n->alias);
	free(n);
}

static void
yamlnode_append(struct yamlnode *parent, struct yamlnode *key, struct yamlnode *item)
{
	parent->items = xrealloc(parent->items, (parent->n + 1) * sizeof(*parent->items));
	if (parent->kind == YAMLNODE_MAP) {
		parent->keys = xrealloc(parent->keys, (parent->n + 1) * sizeof(*parent->keys));
		parent->keys[parent->n] = key;
	}
	parent->items[parent->n++] = item;
}

/* libyaml's own words for a syntax error, at the line where it noticed it. */
static void
yamlnode_syntax_error(struct yamlnode_parser *p)
{
	yaml_parser_t *yp = &p->yp;
	const char *problem = yp->problem ? yp->problem : "cannot read YAML";
	int line = (int)yp->problem_mark.line + 1;

	/* libyaml's words for a %YAML 1.9 (or 2.0) say nothing of the version. */
	if (strcmp(problem, "found incompatible YAML document") == 0)
		problem = "%YAML asks for a version this reader does not know (it reads 1.1 and 1.2)";

	if (yp->error == YAML_READER_ERROR)
		line = 0;	/* reader errors (bad UTF-8) carry an offset, not a line */
	if (yp->context != NULL)
		conf_errors_add(p->errs, p->path, line, "%s (%s at line %d)", problem,
		    yp->context, (int)yp->context_mark.line + 1);
	else
		conf_errors_add(p->errs, p->path, line, "%s", problem);
	p->failed = 1;
}

static int
yamlnode_next(struct yamlnode_parser *p, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&p->yp, ev)) {
		yamlnode_syntax_error(p);
		return -1;
	}
	return 0;
}

static struct yamlnode *yamlnode_parse(struct yamlnode_parser *p, yaml_event_t *ev, int depth);

/*
 * The keys of one mapping being read, hashed: each new key is checked against them in constant
 * time, so a mapping of n keys costs n, not n*n/2 comparisons. slot[] holds index+1 into
 * map->keys (0: empty), open addressing, at most half full.
 */
struct yamlnode_keyset {
	int	*slot;
	size_t	 cap;		/* a power of two */
};

static size_t
yamlnode_key_hash(const char *s)
{
	size_t h = 2166136261u;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* Where key would be in ks: its slot, or the empty slot that ends its probe. */
static size_t
yamlnode_keyset_find(const struct yamlnode_keyset *ks, const struct yamlnode *map,
    const char *key)
{
	size_t i = yamlnode_key_hash(key) & (ks->cap - 1);

	while (ks->slot[i] != 0 && strcmp(map->keys[ks->slot[i] - 1]->value, key) != 0)
		i = (i + 1) & (ks->cap - 1);
	return i;
}

/* map->keys[idx] is now in the mapping: ks learns it, growing when half full. */
static void
yamlnode_keyset_add(struct yamlnode_keyset *ks, const struct yamlnode *map, int idx)
{
	size_t i;

	if ((size_t)(idx + 1) * 2 > ks->cap) {
		int *old = ks->slot;
		size_t oldcap = ks->cap;

		ks->cap = ks->cap ? ks->cap * 2 : 16;
		ks->slot = xcalloc(ks->cap, sizeof(*ks->slot));
		for (i = 0; i < oldcap; i++)
			if (old[i] != 0)
				ks->slot[yamlnode_keyset_find(ks, map,
				    map->keys[old[i] - 1]->value)] = old[i];
		free(old);
	}
	ks->slot[yamlnode_keyset_find(ks, map, map->keys[idx]->value)] = idx + 1;
}

static void
yamlnode_check_duplicate(struct yamlnode_parser *p, const struct yamlnode_keyset *ks,
    const struct yamlnode *map, const struct yamlnode *key)
{
	size_t i;

	if (ks->cap == 0)
		return;
	i = yamlnode_keyset_find(ks, map, key->value);
	if (ks->slot[i] != 0)
		conf_errors_add(p->errs, p->path, key->line, "duplicate key '%s' (first at line %d)",
		    key->value, map->keys[ks->slot[i] - 1]->line);
}

/* Reads the entries of a sequence or mapping up to its end event (ks: a mapping's keys). */
static int
yamlnode_parse_entries(struct yamlnode_parser *p, struct yamlnode *parent, int depth,
    struct yamlnode_keyset *ks)
{
	yaml_event_type_t end = parent->kind == YAMLNODE_MAP ? YAML_MAPPING_END_EVENT
	    : YAML_SEQUENCE_END_EVENT;
	yaml_event_t ev;
	struct yamlnode *key, *item;
	int dup_or_bad;

	for (;;) {
		if (yamlnode_next(p, &ev) == -1)
			return -1;
		if (ev.type == end) {
			yaml_event_delete(&ev);
			return 0;
		}
		key = yamlnode_parse(p, &ev, depth + 1);
		if (key == NULL)
			return -1;
		if (parent->kind == YAMLNODE_SEQ) {
			yamlnode_append(parent, NULL, key);
			continue;
		}
		dup_or_bad = 0;
		if (key->kind != YAMLNODE_SCALAR) {
			conf_errors_add(p->errs, p->path, key->line, "a key must be a plain word");
			dup_or_bad = 1;
		} else {
			int before = p->errs->n;

			yamlnode_check_duplicate(p, ks, parent, key);
			dup_or_bad = p->errs->n != before;
		}
		if (yamlnode_next(p, &ev) == -1) {
			yamlnode_free(key);
			return -1;
		}
		item = yamlnode_parse(p, &ev, depth + 1);
		if (item == NULL) {
			yamlnode_free(key);
			return -1;
		}
		if (dup_or_bad) {
			/* Already reported; keeping the first keeps later lookups unambiguous. */
			yamlnode_free(key);
			yamlnode_free(item);
		} else {
			yamlnode_append(parent, key, item);
			yamlnode_keyset_add(ks, parent, parent->n - 1);
		}
	}
}

static int
yamlnode_parse_children(struct yamlnode_parser *p, struct yamlnode *parent, int depth)
{
	struct yamlnode_keyset ks = { NULL, 0 };
	int rc = yamlnode_parse_entries(p, parent, depth, &ks);

	free(ks.slot);
	return rc;
}

/* Builds the node that starts with ev (which it consumes). NULL after a syntax error. */
static struct yamlnode *
yamlnode_parse(struct yamlnode_parser *p, yaml_event_t *ev, int depth)
{
	int line = (int)ev->start_mark.line + 1;
	struct yamlnode *n;
	struct yamlnode_anchor *a;
	char *anchor = NULL;

	if (depth > YAMLNODE_MAX_DEPTH) {
		conf_errors_add(p->errs, p->path, line, "nested more than %d levels deep",
		    YAMLNODE_MAX_DEPTH);
		yaml_event_delete(ev);
		p->failed = 1;
		return NULL;
	}
	if (ev->type != YAML_ALIAS_EVENT && yamlnode_count(p, line, 0) == -1) {
		yaml_event_delete(ev);
		return NULL;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.anchor != NULL)
			anchor = xstrdup((const char *)ev->data.scalar.anchor);
		n = yamlnode_new(YAMLNODE_SCALAR, line);
		n->value = xmalloc(ev->data.scalar.length + 1);
		memcpy(n->value, ev->data.scalar.value, ev->data.scalar.length);
		n->value[ev->data.scalar.length] = '\0';
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (ev->data.scalar.tag != NULL)
			n->tag = xstrdup((const char *)ev->data.scalar.tag);
		if (strlen(n->value) != ev->data.scalar.length) {
			conf_errors_add(p->errs, p->path, line, "a string holds a NUL character");
			n->reported = 1;
		}
		yaml_event_delete(ev);
		break;
	case YAML_ALIAS_EVENT:
		a = yamlnode_anchor_find(p, (const char *)ev->data.alias.anchor);
		if (a == NULL) {
			/* Also an alias inside its own anchor's node: that would be a cycle. */
			conf_errors_add(p->errs, p->path, line, "alias *%s: no anchor &%s before it",
			    (const char *)ev->data.alias.anchor, (const char *)ev->data.alias.anchor);
			yaml_event_delete(ev);
			if (yamlnode_count(p, line, 0) == -1)
				return NULL;
			n = yamlnode_new(YAMLNODE_SCALAR, line);
			n->value = xstrdup("");
			n->reported = 1;
			return n;
		}
		yaml_event_delete(ev);
		a->uses++;
		return yamlnode_copy(p, a->node, a->name, line);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (ev->type == YAML_MAPPING_START_EVENT && ev->data.mapping_start.anchor != NULL)
			anchor = xstrdup((const char *)ev->data.mapping_start.anchor);
		if (ev->type == YAML_SEQUENCE_START_EVENT && ev->data.sequence_start.anchor != NULL)
			anchor = xstrdup((const char *)ev->data.sequence_start.anchor);
		n = yamlnode_new(ev->type == YAML_MAPPING_START_EVENT ? YAMLNODE_MAP : YAMLNODE_SEQ,
		    line);
		yaml_event_delete(ev);
		if (yamlnode_parse_children(p, n, depth) == -1) {
			yamlnode_free(n);
			free(anchor);
			return NULL;
		}
		break;
	default:
		/* The parser only hands out node events here; anything else is a libyaml bug. */
		conf_errors_add(p->errs, p->path, line, "unexpected YAML event %d", (int)ev->type);
		yaml_event_delete(ev);
		p->failed = 1;
		return NULL;
	}
	/* Registered once the node is complete: an alias inside it finds no anchor (no cycles). */
	if (anchor != NULL) {
		yamlnode_anchor_add(p, n, anchor);
		free(anchor);
	}
	return n;
}

struct yamlnode *
yamlnode_load(const char *path, struct conf_errors *errs)
{
	struct yamlnode_parser p = { .path = path, .errs = errs };
	struct yamlnode *root = NULL;
	yaml_event_t ev;
	int before = errs->n;
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL) {
		conf_errors_add(errs, path, 0, "%s", strerror(errno));
		return NULL;
	}
	if (!yaml_parser_initialize(&p.yp)) {
		fclose(f);
		conf_errors_add(errs, path, 0, "cannot start the YAML parser");
		return NULL;
	}
	yaml_parser_set_input_file(&p.yp, f);

	for (;;) {
		if (yamlnode_next(&p, &ev) == -1)
			break;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT) {
			int line = (int)ev.start_mark.line + 1;

			yaml_event_delete(&ev);
			if (root != NULL) {
				conf_errors_add(errs, path, line, "more than one document (---)");
				break;
			}
			if (yamlnode_next(&p, &ev) == -1)
				break;
			root = yamlnode_parse(&p, &ev, 0);
			if (root == NULL)
				break;
			continue;
		}
		/* STREAM_START and DOCUMENT_END carry nothing of interest. */
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p.yp);
	fclose(f);
	if (root != NULL && !p.failed)
		yamlnode_anchor_uses(&p, root);
	yamlnode_anchors_free(&p);

	if (root == NULL && errs->n == before)
		conf_errors_add(errs, path, 1, "empty file");
	if (p.failed || root == NULL) {
		yamlnode_free(root);
		return NULL;
	}
	/* A duplicate key or a bad alias is reported, but the rest is still worth checking. */
	return root;
}

void
yamlnode_error(struct yamlnode_ctx *c, const struct yamlnode *n, const char *fmt, ...)
{
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		conf_errors_add(c->errs, c->path, n->line, "(no memory for the message)");
	else if (n->used_line > 0)
		conf_errors_add(c->errs, c->path, n->line, "%s (through *%s at line %d)", msg,
		    n->alias, n->used_line);
	else
		conf_errors_add(c->errs, c->path, n->line, "%s", msg);
	free(msg);
}

static const char *
yamlnode_kind_name(enum yamlnode_kind k)
{
	switch (k) {
	case YAMLNODE_SCALAR:	return "a single value";
	case YAMLNODE_SEQ:	return "a list";
	case YAMLNODE_MAP:	return "a mapping";
	}
	return "?";
}

int
yamlnode_is_map(struct yamlnode_ctx *c, const struct yamlnode *n, const char *what)
{
	if (n->kind == YAMLNODE_MAP)
		return 0;
	yamlnode_error(c, n, "%s: expected a mapping (key: value), not %s",
	    what, yamlnode_kind_name(n->kind));
	return -1;
}

int
yamlnode_is_seq(struct yamlnode_ctx *c, const struct yamlnode *n, const char *what)
{
	if (n->kind == YAMLNODE_SEQ)
		return 0;
	yamlnode_error(c, n, "%s: expected a list, not %s", what,
	    yamlnode_kind_name(n->kind));
	return -1;
}

/*
 * A scalar with some text: "key:" alone and "key: ~" give nothing. A plain "null" stays a word:
 * QEMU's serial "null" is one.
 */
static int
yamlnode_text(struct yamlnode_ctx *c, const struct yamlnode *n, const char *what)
{
	if (n->reported)
		return -1;
	if (n->kind != YAMLNODE_SCALAR) {
		yamlnode_error(c, n, "%s: expected a single value, not %s",
		    what, yamlnode_kind_name(n->kind));
		return -1;
	}
	if (n->value[0] == '\0' || (n->plain && strcmp(n->value, "~") == 0)) {
		yamlnode_error(c, n, "%s: missing value", what);
		return -1;
	}
	return 0;
}

int
yamlnode_str(struct yamlnode_ctx *c, const struct yamlnode *n, const char *what, char *dst,
    size_t size)
{
	size_t len;

	if (yamlnode_text(c, n, what) == -1)
		return -1;
	len = strlen(n->value);
	if (len >= size) {
		yamlnode_error(c, n, "%s: too long (%zu characters, at most %zu)",
		    what, len, size - 1);
		return -1;
	}
	memcpy(dst, n->value, len + 1);
	return 0;
}

int
yamlnode_int(struct yamlnode_ctx *c, const struct yamlnode *n, const char *what, long long min,
    long long max, long long *dst)
{
	const char *s;
	char *end;
	long long v;

	if (yamlnode_text(c, n, what) == -1)
		return -1;
	s = n->value;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '+' || *s == ' ' || end == s || *end != '\0' || errno != 0) {
		yamlnode_error(c, n, "%s: '%s' is not a whole number", what, s);
		return -1;
	}
	if (v < min || v > max) {
		yamlnode_error(c, n, "%s: %lld is out of range (%lld to %lld)",
		    what, v, min, max);
		return -1;
	}
	*dst = v;
	return 0;
}

int
yamlnode_bool(struct yamlnode_ctx *c, const struct yamlnode *n, const char *what, int *dst)
{
	if (yamlnode_text(c, n, what) == -1)
		return -1;
	if (strcmp(n->value, "true") == 0)
		*dst = 1;
	else if (strcmp(n->value, "false") == 0)
		*dst = 0;
	else {
		yamlnode_error(c, n, "%s: '%s' is not true or false", what,
		    n->value);
		return -1;
	}
	return 0;
}

int
yamlnode_duration(struct yamlnode_ctx *c, const struct yamlnode *n, const char *what,
    int64_t *dst)
{
	int64_t ms;

	if (yamlnode_text(c, n, what) == -1)
		return -1;
	ms = util_duration_parse(n->value);
	if (ms <= 0) {
		yamlnode_error(c, n,
		    "%s: '%s' is not a duration above zero (250ms, 5s, 2m, 1h)", what, n->value);
		return -1;
	}
	*dst = ms;
	return 0;
}

/* Appends ", word" to a fixed list for messages; a list too long is cut, it is only a hint. */
static void
yamlnode_list_add(char *list, size_t size, const char *word)
{
	size_t len = strlen(list);

	if (len + 1 < size)
		snprintf(list + len, size - len, "%s%s", len ? ", " : "", word);
}

int
yamlnode_word(struct yamlnode_ctx *c, const struct yamlnode *n, const char *what,
    const char *const *words, char *dst, size_t size)
{
	char list[256] = "";
	int i;

	if (yamlnode_text(c, n, what) == -1)
		return -1;
	for (i = 0; words[i] != NULL; i++) {
		if (strcmp(n->value, words[i]) == 0) {
			if (dst != NULL && util_strlcpy(dst, words[i], size) >= size) {
				yamlnode_error(c, n,
				    "%s: '%s' does not fit the rig's field", what, words[i]);
				return -1;
			}
			return i;
		}
		yamlnode_list_add(list, sizeof(list), words[i]);
	}
	yamlnode_error(c, n, "%s: '%s' is not one of: %s", what, n->value,
	    list);
	return -1;
}

int
yamlnode_name_ok(const char *s)
{
	const char *p;

	if (*s == '\0' || *s == '-' || *s == '_')
		return 0;
	for (p = s; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		    *p == '_'))
			return 0;
	}
	return 1;
}

int
yamlnode_name(struct yamlnode_ctx *c, const struct yamlnode *n, const char *what, char *dst,
    size_t size)
{
	if (yamlnode_text(c, n, what) == -1)
		return -1;
	if (!yamlnode_name_ok(n->value)) {
		yamlnode_error(c, n,
		    "%s: '%s' is not a name (a-z, 0-9, '-' and '_', not starting with '-' or '_')",
		    what, n->value);
		return -1;
	}
	return yamlnode_str(c, n, what, dst, size);
}

const struct yamlnode *
yamlnode_get(const struct yamlnode *map, const char *key)
{
	int i;

	if (map == NULL || map->kind != YAMLNODE_MAP)
		return NULL;
	for (i = 0; i < map->n; i++)
		if (strcmp(map->keys[i]->value, key) == 0)
			return map->items[i];
	return NULL;
}

int
yamlnode_known_keys(struct yamlnode_ctx *c, const struct yamlnode *map, const char *what,
    const char *const *known)
{
	char list[512] = "";
	int i, k, bad = 0;

	for (k = 0; known[k] != NULL; k++)
		yamlnode_list_add(list, sizeof(list), known[k]);
	for (i = 0; i < map->n; i++) {
		for (k = 0; known[k] != NULL; k++)
			if (strcmp(map->keys[i]->value, known[k]) == 0)
				break;
		if (known[k] != NULL)
			continue;
		conf_errors_add(c->errs, c->path, map->keys[i]->line,
		    "%s%sunknown key '%s' (known: %s)", what, *what ? ": " : "",
		    map->keys[i]->value, list);
		bad = -1;
	}
	return bad;
}

const struct yamlnode *
yamlnode_need(struct yamlnode_ctx *c, const struct yamlnode *map, const char *what,
    const char *key)
{
	const struct yamlnode *n = yamlnode_get(map, key);

	if (n == NULL)
		conf_errors_add(c->errs, c->path, map->line, "%s%smissing key '%s'", what,
		    *what ? ": " : "", key);
	return n;
}
