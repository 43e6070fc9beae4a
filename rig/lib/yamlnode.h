/* yamlnode: a YAML file as a small tree of scalars, sequences and mappings with line numbers. */
#ifndef RIG_YAMLNODE_H
#define RIG_YAMLNODE_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

/*
 * Only yamlnode.c includes <yaml.h>: board and scenario code reads this tree, so the libyaml
 * boundary is one file. Mapping keys are unique scalars. An alias (*name) is replaced by a copy
 * of the node its anchor (&name) marks, so readers never see one: the copy keeps the lines of
 * the anchored node (an error names where the value was written) and says where it was used.
 * An alias may only name an anchor given before it (no cycles), an anchor is given once, and
 * expansion stops at YAMLNODE_MAX_NODES nodes in all (no exponential growth from nested aliases).
 * A file may write at most YAMLNODE_MAX_WRITTEN nodes (its size bounds the rest).
 */
#define YAMLNODE_MAX_NODES	20000
#define YAMLNODE_MAX_WRITTEN	200000

enum yamlnode_kind {
	YAMLNODE_SCALAR,
	YAMLNODE_SEQ,
	YAMLNODE_MAP,
};

struct yamlnode {
	enum yamlnode_kind kind;
	int	line;			/* 1-based, where the node starts */
	char	*value;			/* scalar: its text, never NULL */
	int	plain;			/* scalar: written without quotes (so "key:" alone is empty) */
	int	reported;		/* a bad alias or NUL already reported: readers stay silent on it */
	char	*anchor;		/* "&name" given on this node (without '&'), or NULL */
	int	uses;			/* anchored node: how many aliases copied it */
	char	*alias;			/* a copy made for "*name" (this node or one above it): name */
	int	used_line;		/* such a copy: the line of the alias; 0 for a written node */
	char	*tag;			/* scalar: its tag as written ("!template"), or NULL */
	struct yamlnode **keys;		/* map: keys[i] (scalars) name items[i] */
	struct yamlnode **items;	/* seq: the entries; map: the values */
	int	n;
};

/*
 * Reads one YAML document. Returns NULL with the problem in errs when there is no tree to check:
 * file not readable, syntax error (at libyaml's line), empty file, more than one document.
 * Duplicate or non-scalar keys (the first one is kept), an alias without its anchor before it or
 * an anchor given twice (read as ""; the first anchor is kept) and NUL characters are added to
 * errs and the tree is still returned, so that checking it reports the rest: the caller fails if
 * errs grew. Too many nodes (aliases expanding) is a failure: NULL.
 */
struct yamlnode *yamlnode_load(const char *path, struct conf_errors *errs);
void yamlnode_free(struct yamlnode *n);

/*
 * Checked readers: each reports "path:line: what: problem" into errs and returns -1, or stores
 * the value and returns 0. 'what' names the key as the user wrote it ("console.baud").
 */
struct yamlnode_ctx {
	const char *path;
	struct conf_errors *errs;
};

int yamlnode_is_map(struct yamlnode_ctx *c, const struct yamlnode *n, const char *what);
int yamlnode_is_seq(struct yamlnode_ctx *c, const struct yamlnode *n, const char *what);
/* A non-empty scalar that fits in size-1 bytes (too long is an error, never a silent cut). */
int yamlnode_str(struct yamlnode_ctx *c, const struct yamlnode *n, const char *what,
    char *dst, size_t size);
/* A decimal integer in [min, max]. */
int yamlnode_int(struct yamlnode_ctx *c, const struct yamlnode *n, const char *what,
    long long min, long long max, long long *dst);
/* "true" or "false". */
int yamlnode_bool(struct yamlnode_ctx *c, const struct yamlnode *n, const char *what, int *dst);
/* A duration of util_duration_parse, more than 0. */
int yamlnode_duration(struct yamlnode_ctx *c, const struct yamlnode *n, const char *what,
    int64_t *dst);
/* One of a NULL-terminated list of words; returns its index. */
int yamlnode_word(struct yamlnode_ctx *c, const struct yamlnode *n, const char *what,
    const char *const *words, char *dst, size_t size);
/* A name: [a-z0-9_-]+, starting with a letter or digit. */
int yamlnode_name(struct yamlnode_ctx *c, const struct yamlnode *n, const char *what,
    char *dst, size_t size);
int yamlnode_name_ok(const char *s);

/*
 * "path:line: " fmt, for a problem with node n's value; a value copied through an alias adds
 * " (through *name at line U)", U being where it was used (the line is where it was written).
 */
void yamlnode_error(struct yamlnode_ctx *c, const struct yamlnode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The value under key in a mapping, or NULL. */
const struct yamlnode *yamlnode_get(const struct yamlnode *map, const char *key);
/* "what: unknown key 'k' (known: a, b, c)" for every key of map not in the NULL-terminated list. */
int yamlnode_known_keys(struct yamlnode_ctx *c, const struct yamlnode *map, const char *what,
    const char *const *known);
/* "what: missing" at the line of map, for a required key. */
const struct yamlnode *yamlnode_need(struct yamlnode_ctx *c, const struct yamlnode *map,
    const char *what, const char *key);

#endif
