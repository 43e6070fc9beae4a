/* parts: which power, boot and console backends this build has, and a board file checked against them. */
#ifndef RIG_PARTS_H
#define RIG_PARTS_H

#include <stddef.h>

#include "boot.h"
#include "console.h"
#include "conf.h"
#include "partconf.h"
#include "power.h"

struct board_conf;
struct conf_errors;

/* A board's three parts as this build has them (NULL where it has none). */
struct parts_ops {
	const struct power_ops		*power;
	const struct boot_ops		*boot;
	const struct console_ops	*console;
};

/*
 * Finds the backends a board file names. Each one this build lacks adds "file:line: ..." (the
 * line of its key) to errs; returns 0 when all three were found, else -1.
 */
int parts_resolve(const struct board_conf *conf, struct parts_ops *ops, struct conf_errors *errs);
/*
 * Asks each part of ops (NULL: one this build lacks, which parts_resolve reported) whether what
 * it reaches exists on this host now (its probe op; a part without one needs nothing). Each
 * that says no adds "file:line: key value: what is missing" to errs. 0 when none did, else -1.
 * Nothing is opened or switched: rigd -n, rigd's start-up and each boot ask it.
 */
int parts_probe(const struct board_conf *conf, const struct parts_ops *ops,
    struct conf_errors *errs);
/* "qemu, tty": the names this build has of one kind ("power", "boot", "console"). */
void parts_names(const char *kind, char *buf, size_t len);

/* The keys of the backend name of a part kind, NULL when this build lacks it. */
const struct part_keys *parts_keys(enum part_kind kind, const char *name);
/*
 * The i-th backend of this build having a top-level section of its own: 0 with its kind, name
 * and keys, -1 past the last. board_conf.c knows the sections this way.
 */
int parts_section(int i, enum part_kind *kind, const char **name, const struct part_keys **keys);

#endif
