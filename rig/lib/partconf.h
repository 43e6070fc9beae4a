/*
 * partconf: a board part's own keys in the board file: what a backend declares (struct
 * part_keys, hung off its ops table) and the checked readers and printers it uses.
 */
#ifndef RIG_PARTCONF_H
#define RIG_PARTCONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "conf.h"
#include "yamlnode.h"

/*
 * What a backend reads from a board file. board_conf.c reads the generic keys (the part's name
 * key, console: nothing else, power.off-time, boot.timeout/kernel/modules/append) and hands the
 * rest of the part's section, and a top-level section of the backend's own, to parse(). The
 * checked settings are the backend's own struct, kept in the part's settings bytes of struct
 * board_conf (at most BOARD_PART_SETTINGS): nothing outside the backend reads them.
 */
struct part_keys {
	/* Its keys in the part's section (console:, power:, boot:), NULL-terminated. */
	const char *const	*keys;
	/* A top-level section of its own ("qemu"), or NULL; required when the backend is named. */
	const char		*section;
	const char *const	*section_keys;
	/* The one backend of another part this one works with (NULL: any), and why. */
	enum part_kind		 needs_kind;
	const char		*needs_name;
	const char		*needs_why;	/* " (the pty exists while ...)" or "" */
	/*
	 * 1: the part decides where the board's SSH answers, a port on the rig host (ssh.host
	 * defaults to 127.0.0.1, ssh.port 0 is a port picked at each boot); 0: a real board's
	 * address, given in ssh:.
	 */
	int			 ssh_local;
	/* settings are zeroed, then defaults() fills them, then parse() checks the file's keys. */
	void	 (*defaults)(void *settings);
	/*
	 * part is the part's section (never NULL), own the backend's section (NULL when absent).
	 * Problems go to c->errs as "file:line: section.key: what" at the key's line.
	 */
	void	 (*parse)(struct yamlnode_ctx *c, const struct yamlnode *part,
		    const struct yamlnode *own, void *settings);
	/* Its keys of the part's section, each line indented by two spaces, every default shown. */
	void	 (*print)(const void *settings, FILE *out);
	/* Its own section whole ("qemu:\n  binary: ..."); NULL when it has none. */
	void	 (*print_section)(const void *settings, FILE *out);
};

/* "console", "power", "boot": the section; "kind", "backend", "method": the key naming it. */
const char *partconf_kind_section(enum part_kind k);
const char *partconf_kind_key(enum part_kind k);

/* A backend's settings in a board file it was checked against (see board_part.built). */
#define PARTCONF_SETTINGS(conf, kind) ((const void *)(conf)->parts[kind].settings)

/*
 * Checked readers: sect names the section for messages ("power"), key the key. Absent keys are
 * left as they are (defaults) unless required, which reports "sect: missing key 'key'".
 */
const struct yamlnode *partconf_key(struct yamlnode_ctx *c, const struct yamlnode *map,
    const char *sect, const char *key, int required);
void partconf_str(struct yamlnode_ctx *c, const struct yamlnode *map, const char *sect,
    const char *key, int required, char *dst, size_t size);
void partconf_word(struct yamlnode_ctx *c, const struct yamlnode *map, const char *sect,
    const char *key, int required, const char *const *words, char *dst, size_t size);
void partconf_int(struct yamlnode_ctx *c, const struct yamlnode *map, const char *sect,
    const char *key, int required, long long min, long long max, int *dst);
void partconf_bool(struct yamlnode_ctx *c, const struct yamlnode *map, const char *sect,
    const char *key, int required, int *dst);
void partconf_duration(struct yamlnode_ctx *c, const struct yamlnode *map, const char *sect,
    const char *key, int required, int64_t *dst);

/*
 * A value read from n that must have form f (conf.h): reported at n's line as "what: 'v' ..."
 * (control characters shown as '?') unless it has. 0, or -1 when it was reported.
 */
int partconf_form(struct yamlnode_ctx *c, const struct yamlnode *n, const char *what,
    const char *value, enum conf_form f);

/* "  key: "value"\n" when v is not empty (an optional key not given prints nothing). */
void partconf_print_str(FILE *out, const char *indent, const char *key, const char *v);

/*
 * The keys of a section kept as the file gave them, unchecked, for a backend this build lacks:
 * every key of map but those in skip, as "  key: value" lines in dst. -1 when they do not fit.
 */
int partconf_passthrough(const struct yamlnode *map, const char *const *skip, char *dst,
    size_t size);

#endif
