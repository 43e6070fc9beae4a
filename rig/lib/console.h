/*
 * console: a board's console part behind one ops table (the line the rig reads the board's
 * serial output from: QEMU's pty, a USB serial adapter), and opening a tty raw.
 */
#ifndef RIG_CONSOLE_H
#define RIG_CONSOLE_H

#include <stddef.h>

/*
 * Opens path read-write, non-blocking, without becoming its controlling terminal, in raw mode
 * (8N1, no flow control, no echo, no line editing) at baud. Returns the fd or -1 with err.
 */
int console_open(const char *path, int baud, char *err, size_t errlen);

/* Any rate, standard or not (921600, 1843200: R-Car HSCIF), through termios2: 0 or -1. */
int console_baud_set(int fd, int baud);
/* The output rate the driver holds, or -1. */
int console_baud_get(int fd);

struct board_conf;
struct part_keys;
struct power;

/* The contract of a console backend; every call comes from the board's own thread. */
struct console_ops {
	const char	*name;		/* as in the board file's console.kind */
	const struct part_keys *keys;	/* its keys of the board file (partconf.h) */
	void	*(*create)(const struct board_conf *conf, char *err, size_t errlen);
	/*
	 * Opens the line for the boot about to start: after the power part's prepare (which may
	 * have made the line, as QEMU makes its pty) and before power flows. Returns a
	 * non-blocking fd that the daemon's event loop reads and owns from then on, or -1 with err.
	 */
	int	 (*open)(void *self, struct power *power, char *err, size_t errlen);
	/*
	 * After the line was lost (read gave EIO, hang-up or end of file: an adapter unplugged, a
	 * console server gone): one attempt to open it again, bounded in time (a connect timeout).
	 * Returns the fd as open() does, or -1 with err (errno ENOENT, ECONNREFUSED...: not back
	 * yet). The caller tries again at most every CONSOLE_RETRY_MS, so nothing spins while the
	 * line is away. NULL: the line exists only from power-on (QEMU's pty dies with QEMU).
	 */
	int	 (*reopen)(void *self, char *err, size_t errlen);
	/*
	 * Optional, from the board file alone, on the rig host: whether what the part reaches exists
	 * here now (a device node, a gpiochip, a TFTP root, a program on PATH). 0, or -1 with why
	 * naming the thing and the board file's key ("console.path /dev/ttyUSB3: no such file").
	 * rigd -n and rigd's start-up ask it; nothing is opened or switched.
	 */
	int	 (*probe)(const struct board_conf *conf, char *why, size_t whylen);
	void	 (*free)(void *self);
};

/* How often a lost line is tried again: a replugged adapter is back within this. */
#define CONSOLE_RETRY_MS	250

struct console_part;

/* The backend this build has under name (registry in parts.c), or NULL. */
const struct console_ops *console_kind_find(const char *name);

struct console_part *console_part_new(const struct console_ops *ops,
    const struct board_conf *conf, char *err, size_t errlen);
const char *console_part_name(const struct console_part *c);
int console_part_open(struct console_part *c, struct power *power, char *err, size_t errlen);
/* See console_ops.reopen; -1 with err (errno EOPNOTSUPP) for a kind that cannot. */
int console_part_reopen(struct console_part *c, char *err, size_t errlen);
/* 1: the kind's line can come back while the board runs (see console_ops.reopen). */
int console_part_can_reopen(const struct console_part *c);
void console_part_free(struct console_part *c);

#endif
