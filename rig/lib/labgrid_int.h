/*
 * labgrid_int: what the labgrid import's files share: labgrid.c reads the environment and keeps
 * account of every part, labgrid_args.c reads an entry's arguments, labgrid_map.c (with
 * labgrid_console.c and labgrid_power.c) maps, labgrid_emit.c writes the board file,
 * labgrid_words.c splits commands and expands templates.
 */
#ifndef RIG_LABGRID_INT_H
#define RIG_LABGRID_INT_H

#include "labgrid.h"
#include "yamlnode.h"

#include <stddef.h>

/* Shell splitting of a labgrid command string; refuses what needs a shell (why says what). */
int labgrid_words_split(const char *s, char ***argv, int *argc, char *why, size_t size);
void labgrid_words_free(char **argv);
/* labgrid's !template substitution: BASE and LG_* variables. */
int labgrid_template_expand(const char *t, const char *base, char **out, char *why, size_t size);

/* How a site value came about: the exit status and the notes follow from it. */
enum labgrid_site_how {
	LABGRID_SITE_SET,	/* from the environment file */
	LABGRID_SITE_GUESS,	/* derived, to be checked */
	LABGRID_SITE_FILL,	/* unknown to labgrid: the placeholder, to be filled in */
};

/* The placeholder of a value to fill in: no arch, address, path or host name rig accepts. */
#define LABGRID_PLACEHOLDER	"<FILL IN>"

#define LABGRID_MAX_SITE	16
#define LABGRID_MAX_FIELDS	48
#define LABGRID_MAX_KEYS	64

struct labgrid_site {
	char	key[32];		/* the site key and its anchor: "console" */
	char	*value;			/* a single value; NULL for a list */
	char	**list;			/* a list of values (a command), NULL-terminated */
	int	n;
	char	*comment;		/* what it is, where it came from, how to find it */
	enum labgrid_site_how how;
};

enum labgrid_field_kind {
	LABGRID_FIELD_SCALAR,
	LABGRID_FIELD_LIST,		/* a command's argument vector */
	LABGRID_FIELD_MAP,		/* boot.env: names and values */
};

/* One key of the board file, in the order written. */
struct labgrid_field {
	char	sect[16];		/* "" (top level), "console", "power", "boot", "ssh" */
	char	key[32];
	enum labgrid_field_kind kind;
	char	*value;			/* scalar */
	char	**list;			/* list: the words; map: names and values in turn */
	int	n;
	int	site;			/* the site value it refers to (an alias), or -1 */
	char	*comment;
};

/* One resource or driver of the target, with the keys its mapping used. */
struct labgrid_entry {
	const char *cls;
	const char *name;		/* its name: binding, or NULL */
	const struct yamlnode *args;	/* a mapping (maybe with no keys), never NULL */
	int	line;
	int	used;			/* mapped onto the board (its keys are checked one by one) */
	int	reported;		/* already listed as not imported as a whole */
	unsigned char key_used[LABGRID_MAX_KEYS];
};

struct labgrid {
	const char *path;
	char	base[4096];		/* the environment file's folder, for !template's $BASE */
	struct yamlnode_ctx yc;
	struct labgrid_result *r;
	const struct labgrid_opts *o;
	const char *target;

	struct labgrid_entry *res, *drv;
	int	n_res, n_drv;

	struct labgrid_site site[LABGRID_MAX_SITE];
	int	n_site;
	struct labgrid_field field[LABGRID_MAX_FIELDS];
	int	n_field;
};

/* labgrid.c */
void labgrid_note(struct labgrid *lg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A scalar's text, a !template expanded (and noted); NULL after an error (in errs). */
char *labgrid_text(struct labgrid *lg, const struct yamlnode *n, const char *what);
/* The value of key in the entry's arguments, marked as used; NULL when absent. */
const struct yamlnode *labgrid_arg(struct labgrid_entry *e, const char *key);
/* "not imported: CLS.key (path:line): why" for one key, which then counts as dealt with. */
void labgrid_skip_arg(struct labgrid *lg, struct labgrid_entry *e, const char *key,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void labgrid_skip_entry(struct labgrid *lg, struct labgrid_entry *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int labgrid_site_add(struct labgrid *lg, const char *key, const char *value,
    enum labgrid_site_how how, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A site value that is a list (argv, taken over); the other site values are single. */
int labgrid_site_add_list(struct labgrid *lg, const char *key, char **argv, int argc,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
struct labgrid_field *labgrid_field_add(struct labgrid *lg, const char *sect, const char *key,
    const char *value, int site);

/* labgrid_args.c: reading an entry's arguments (reported errors, as labgrid would refuse them). */
struct labgrid_entry *labgrid_find(struct labgrid_entry *list, int n, const char *cls,
    struct labgrid_entry *after);
struct labgrid_entry *labgrid_by_name(struct labgrid_entry *list, int n, const char *name);
/* Every entry of these classes but kept is listed as not imported, with why. */
void labgrid_skip_others(struct labgrid *lg, struct labgrid_entry *list, int n,
    const char *const *classes, const struct labgrid_entry *kept, const char *why);
const char *labgrid_arg_what(const struct labgrid_entry *e, const char *key, char *buf,
    size_t size);
/* A whole number in [min, max]; -1 when absent or bad (then reported). */
long long labgrid_arg_int(struct labgrid *lg, struct labgrid_entry *e, const char *key,
    long long min, long long max);
/* A scalar's text (malloc'd), NULL when absent or bad (then reported). */
char *labgrid_arg_str(struct labgrid *lg, struct labgrid_entry *e, const char *key);
/* The line of key in the entry, or the entry's own line. */
int labgrid_arg_line(struct labgrid_entry *e, const char *key);
/* labgrid's seconds as a rig duration ("2s", "500ms"); -1 when absent or bad (then listed). */
int labgrid_arg_seconds(struct labgrid *lg, struct labgrid_entry *e, const char *key, char *dst,
    size_t size);

/* labgrid_console.c, labgrid_power.c, labgrid_map.c: the mapping, part by part. */
void labgrid_map_console(struct labgrid *lg);
void labgrid_map_power(struct labgrid *lg);
void labgrid_map(struct labgrid *lg);

/* labgrid_emit.c: the board file's text. */
char *labgrid_emit(struct labgrid *lg);

#endif
