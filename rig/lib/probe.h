/* probe: what the parts' probe ops share: a program on PATH, a device node, and the "file:line: key" of a message. */
#ifndef RIG_PROBE_H
#define RIG_PROBE_H

#include <stddef.h>

struct board_conf;

/*
 * why = "FILE:LINE: " and the formatted text, FILE the board file, LINE the key's line (0: none,
 * "FILE: "). Returns -1, what a probe that found something missing returns.
 */
int probe_fail(const struct board_conf *conf, int line, char *why, size_t whylen,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Whether prog runs here as posix_spawnp would find it: a name with a '/' is that file, any
 * other is looked for along PATH. 0, or -1 with what ("not found on PATH", "not executable").
 */
int probe_program(const char *prog, char *what, size_t whatlen);

/*
 * Whether path is a character device rigd may open read-write, following links. 0, or -1
 * with what: "no such device", "a link to X, which is gone (the adapter is unplugged)",
 * "not a character device", "permission denied (...)".
 */
int probe_chardev(const char *path, char *what, size_t whatlen);

#endif
