/* console_tty: the tty console kind: a serial adapter on the rig host, held exclusively, reopened after an unplug. */
#include "console.h"
#include "conf.h"
#include "partconf.h"
#include "probe.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

/* console: keys of this kind. */
struct console_tty_conf {
	char	path[256];	/* the adapter, best by /dev/serial/by-id/... */
	int	baud;		/* default 115200; any rate (termios2) */
	char	flow[16];	/* none (default) | rtscts: what the board's UART wires */
	char	lockdir[128];	/* where serial tools keep LCK..NAME files; default /run/lock */
	int	path_line;	/* where path was given, for the probe's message */
};
_Static_assert(sizeof(struct console_tty_conf) <= BOARD_PART_SETTINGS,
    "tty settings do not fit struct board_part");

struct console_tty {
	const struct console_tty_conf *cc;	/* immutable: the board file's */
	char	lock[PATH_MAX];			/* the lock file this part holds, "" when none */
};

static void *
console_tty_create(const struct board_conf *conf, char *err, size_t errlen)
{
	struct console_tty *c = xcalloc(1, sizeof(*c));

	(void)err;
	(void)errlen;
	c->cc = PARTCONF_SETTINGS(conf, PART_CONSOLE);
	return c;
}

static void
console_tty_unlock(struct console_tty *c)
{
	if (c->lock[0] != '\0')
		unlink(c->lock);
	c->lock[0] = '\0';
}

/*
 * The lock file other serial tools (minicom, ser2net, picocom) honour: LCK..NAME in lockdir,
 * NAME the device node's own name (the target of a by-id link), holding the owner's PID as
 * ten characters and a newline. A file whose PID is dead is stale and taken over.
 */
static int
console_tty_lock(struct console_tty *c, const char *real, char *err, size_t errlen)
{
	const char *name = strrchr(real, '/');
	char path[PATH_MAX], buf[32];
	int fd, tries;
	ssize_t n;
	long pid;

	name = name ? name + 1 : real;
	util_fmt(path, sizeof(path), "%s/LCK..%s", c->cc->lockdir, name);
	if (c->lock[0] != '\0' && strcmp(c->lock, path) == 0)
		return 0;	/* ours already (a reopen) */
	/* The node came back under another name (ttyUSB1): the old lock is not its lock. */
	console_tty_unlock(c);
	for (tries = 0; tries < 3; tries++) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
		if (fd != -1) {
			int len = snprintf(buf, sizeof(buf), "%10ld\n", (long)getpid());

			if (write(fd, buf, (size_t)len) != len) {
				util_fmt(err, errlen, "%s: %s", path, strerror(errno));
				close(fd);
				unlink(path);
				return -1;
			}
			close(fd);
			util_strlcpy(c->lock, path, sizeof(c->lock));
			return 0;
		}
		if (errno != EEXIST) {
			util_fmt(err, errlen, "lock %s: %s", path, strerror(errno));
			return -1;
		}
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd == -1)
			continue;	/* its owner just removed it */
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		pid = strtol(buf, NULL, 10);
		if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM)) {
			util_fmt(err, errlen, "%s is held by process %ld%s (lock %s)", c->cc->path, pid,
			    pid == (long)getpid() ? " (this rigd: another board names it)" : "", path);
			errno = EBUSY;
			return -1;
		}
		/* Stale: its process is gone (or the file holds no PID at all). */
		unlink(path);
	}
	util_fmt(err, errlen, "lock %s: cannot take it over", path);
	errno = EBUSY;
	return -1;
}

/* Opened afresh at each power-on and after an unplug: the adapter is found again by its path. */
static int
console_tty_open_line(struct console_tty *c, int flush, char *err, size_t errlen)
{
	const struct console_tty_conf *cc = c->cc;
	char real[PATH_MAX];
	struct termios t;
	int fd, got, e;

	if (realpath(cc->path, real) == NULL) {
		e = errno;
		util_fmt(err, errlen, "%s: %s", cc->path, strerror(e));
		errno = e;
		return -1;
	}
	if (console_tty_lock(c, real, err, errlen) == -1)
		return -1;
	fd = open(real, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		e = errno;
		util_fmt(err, errlen, "%s: %s", cc->path, strerror(e));
		errno = e;
		return -1;
	}
	/* Exclusive for anyone without CAP_SYS_ADMIN, on top of the lock file. */
	if (ioctl(fd, TIOCEXCL) == -1 || tcgetattr(fd, &t) == -1) {
		e = errno;
		util_fmt(err, errlen, "%s: not a tty: %s", cc->path, strerror(e));
		goto fail;
	}
	/* Byte for byte: the kernel's output is evidence, nothing may translate it. */
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD | CS8;
	t.c_cflag &= ~(CRTSCTS | CSTOPB | PARENB);
	if (strcmp(cc->flow, "rtscts") == 0)
		t.c_cflag |= CRTSCTS;
	t.c_iflag &= ~(IXON | IXOFF | IXANY);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &t) == -1) {
		e = errno;
		util_fmt(err, errlen, "%s: tcsetattr: %s", cc->path, strerror(e));
		goto fail;
	}
	if (console_baud_set(fd, cc->baud) == -1) {
		e = errno;
		util_fmt(err, errlen, "%s: cannot set %d baud: %s", cc->path, cc->baud, strerror(e));
		goto fail;
	}
	/* A driver may round or ignore a rate it cannot make: a wrong rate reads as noise. */
	got = console_baud_get(fd);
	if (got != cc->baud) {
		util_fmt(err, errlen, "%s: asked %d baud, the driver holds %d", cc->path, cc->baud, got);
		e = EINVAL;
		goto fail;
	}
	/* What the adapter held from before this boot is not this boot's. */
	if (flush)
		tcflush(fd, TCIOFLUSH);
	return fd;
fail:
	close(fd);
	errno = e;
	return -1;
}

static int
console_tty_open(void *self, struct power *power, char *err, size_t errlen)
{
	(void)power;
	return console_tty_open_line(self, 1, err, errlen);
}

/* After an unplug nothing may be dropped: no flush of what the adapter has from then on. */
static int
console_tty_reopen(void *self, char *err, size_t errlen)
{
	return console_tty_open_line(self, 0, err, errlen);
}

static void
console_tty_free(void *self)
{
	struct console_tty *c = self;

	console_tty_unlock(c);
	free(c);
}

static void
console_tty_defaults(void *settings)
{
	struct console_tty_conf *cc = settings;

	cc->baud = 115200;
	util_strlcpy(cc->flow, "none", sizeof(cc->flow));
	util_strlcpy(cc->lockdir, "/run/lock", sizeof(cc->lockdir));
}

static const char *const console_tty_flows[] = { "none", "rtscts", NULL };

static void
console_tty_parse(struct yamlnode_ctx *c, const struct yamlnode *part, const struct yamlnode *own,
    void *settings)
{
	struct console_tty_conf *cc = settings;
	const struct yamlnode *n;

	(void)own;
	partconf_str(c, part, "console", "path", 1, cc->path, sizeof(cc->path));
	n = yamlnode_get(part, "path");
	cc->path_line = n ? n->line : 0;
	/* 4000000: the fastest rate USB serial adapters offer; R-Car HSCIF runs at 1843200. */
	partconf_int(c, part, "console", "baud", 0, 1, 4000000, &cc->baud);
	partconf_word(c, part, "console", "flow", 0, console_tty_flows, cc->flow, sizeof(cc->flow));
	partconf_str(c, part, "console", "lockdir", 0, cc->lockdir, sizeof(cc->lockdir));
}

static void
console_tty_print(const void *settings, FILE *out)
{
	const struct console_tty_conf *cc = settings;

	partconf_print_str(out, "  ", "path", cc->path);
	fprintf(out, "  baud: %d\n", cc->baud);
	partconf_print_str(out, "  ", "flow", cc->flow);
	partconf_print_str(out, "  ", "lockdir", cc->lockdir);
}

/* The adapter's node is there, a character device rigd may open; nothing is opened. */
static int
console_tty_probe(const struct board_conf *conf, char *why, size_t whylen)
{
	const struct console_tty_conf *cc = PARTCONF_SETTINGS(conf, PART_CONSOLE);
	char what[384];

	if (probe_chardev(cc->path, what, sizeof(what)) == -1)
		return probe_fail(conf, cc->path_line, why, whylen, "console.path %s: %s", cc->path,
		    what);
	return 0;
}

static const char *const console_tty_console_keys[] = { "path", "baud", "flow", "lockdir", NULL };

static const struct part_keys console_tty_keys = {
	.keys = console_tty_console_keys,
	.defaults = console_tty_defaults,
	.parse = console_tty_parse,
	.print = console_tty_print,
};

const struct console_ops console_tty_ops = {
	.name = "tty",
	.keys = &console_tty_keys,
	.create = console_tty_create,
	.open = console_tty_open,
	.reopen = console_tty_reopen,
	.probe = console_tty_probe,
	.free = console_tty_free,
};
