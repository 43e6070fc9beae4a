/* power_command: the command power backend: on, off, cycle and state as argument vectors run on the rig host (a PDU tool, a USB relay, uhubctl). */
#include "power.h"
#include "conf.h"
#include "partconf.h"
#include "probe.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define POWER_COMMAND_MAX_ARGS	32
#define POWER_COMMAND_TEXT	1024		/* one command's arguments, each ending in NUL */
#define POWER_COMMAND_TAIL	4096		/* how much of a command's stderr is kept: the end */
#define POWER_COMMAND_MAX_MS	(10 * 60 * 1000)

enum power_command_op {
	POWER_COMMAND_ON,
	POWER_COMMAND_OFF,
	POWER_COMMAND_CYCLE,
	POWER_COMMAND_STATE,
	POWER_COMMAND__COUNT
};
/* The keys of power: naming each command, and the words of the messages. */
static const char *const power_command_names[POWER_COMMAND__COUNT] = {
	"on", "off", "cycle", "state"
};

/* One command as the board file gives it: argc arguments packed in text. argc 0: not given. */
struct power_command_argv {
	int	argc;
	int	line;		/* where the program was given, for the probe's message */
	char	text[POWER_COMMAND_TEXT];
};

/* The board file's power: keys of this backend, checked. */
struct power_command_conf {
	struct power_command_argv cmd[POWER_COMMAND__COUNT];
	int64_t	timeout_ms;		/* each command's; default 10s */
};
_Static_assert(sizeof(struct power_command_conf) <= BOARD_PART_SETTINGS,
    "command settings do not fit struct board_part");

struct power_command {
	const struct power_command_conf *cc;	/* immutable: the board file's */
	char		 board[64];		/* immutable */
	int64_t		 off_ms;		/* immutable: the board's off-time */
	int		 wake;			/* immutable: an eventfd cut() makes readable */
	pthread_mutex_t	 lock;			/* alive() and cut() come from other threads */
	enum power_state known;			/* lock: what the last command left the supply */
	int		 cut;			/* lock: rigd's shutdown cut the power; for good */
	/* the board thread's own: */
	int64_t		 off_at;		/* when the supply went off (util_now_ms) */
	char		 failed[512];		/* why the supply is unknown: the last switch's error */
	power_report_fn	*report;
	void		*report_arg;
};

/* What one command did. */
struct power_command_result {
	int	status;			/* its exit status; -1: did not start or was killed */
	char	why[160];		/* for -1: what happened ("timed out after 10s, killed") */
	char	tail[POWER_COMMAND_TAIL + 1];	/* the end of its stderr */
	size_t	len;
	int64_t	ms;
};

/* Keeps the last POWER_COMMAND_TAIL bytes; a NUL in the text would end it early: '?'. */
static void
power_command_tail_add(struct power_command_result *r, char *buf, size_t n)
{
	size_t i, drop;

	for (i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = '?';
	if (n >= POWER_COMMAND_TAIL) {
		memcpy(r->tail, buf + n - POWER_COMMAND_TAIL, POWER_COMMAND_TAIL);
		r->len = POWER_COMMAND_TAIL;
	} else {
		if (r->len + n > POWER_COMMAND_TAIL) {
			drop = r->len + n - POWER_COMMAND_TAIL;
			memmove(r->tail, r->tail + drop, r->len - drop);
			r->len -= drop;
		}
		memcpy(r->tail + r->len, buf, n);
		r->len += n;
	}
	r->tail[r->len] = '\0';
}

/* Reads what the pipe has now; 0 at its end (or an error), 1 when it may have more. */
static int
power_command_read(int fd, struct power_command_result *r)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			power_command_tail_add(r, buf, (size_t)n);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		return n == -1 && errno == EAGAIN ? 1 : 0;
	}
}

static void
power_command_status(struct power_command_result *r, int st)
{
	if (WIFEXITED(st))
		r->status = WEXITSTATUS(st);
	else if (WIFSIGNALED(st))
		util_fmt(r->why, sizeof(r->why), "killed by signal %d (%s)", WTERMSIG(st),
		    strsignal(WTERMSIG(st)));
}

/*
 * Runs one command: no shell, stdin and stdout /dev/null, stderr kept (its end), in a process
 * group of its own so that a timeout kills whatever it started. When it exits, what it leaves
 * running is let be (a script that starts a virtual machine "on" returns while the machine runs)
 * and its stderr is read no further. cuttable: cut() ends it too.
 */
static void
power_command_run(struct power_command *pc, enum power_command_op op, int cuttable,
    struct power_command_result *r)
{
	const struct power_command_argv *av = &pc->cc->cmd[op];
	char *argv[POWER_COMMAND_MAX_ARGS + 1];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int64_t t0 = util_now_ms(), deadline = t0 + pc->cc->timeout_ms, now;
	int fds[2], pidfd, st, rc, i, open_pipe = 1, done = 0;
	size_t off = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	for (i = 0; i < av->argc && i < POWER_COMMAND_MAX_ARGS; i++) {
		argv[i] = (char *)av->text + off;
		off += strlen(argv[i]) + 1;
	}
	argv[i] = NULL;
	if (pipe2(fds, O_CLOEXEC) == -1) {
		util_fmt(r->why, sizeof(r->why), "pipe: %s", strerror(errno));
		return;
	}
	/* Only our end is non-blocking: the command writes its stderr as usual. */
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	/* rigd's consoles, sockets and store stay rigd's. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);
	/* rigd ignores SIGPIPE: a command must not inherit that. */
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		util_fmt(r->why, sizeof(r->why), "cannot run: %s", strerror(rc));
		r->ms = util_now_ms() - t0;
		return;
	}
	/* Its exit wakes the poll below; without pidfds (before Linux 5.3), a look every 20 ms. */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	while (!done) {
		struct pollfd pfd[3] = {
			{ open_pipe ? fds[0] : -1, POLLIN, 0 },
			{ pidfd, POLLIN, 0 },
			{ cuttable ? pc->wake : -1, POLLIN, 0 },
		};
		int64_t left;

		now = util_now_ms();
		if (now >= deadline) {
			kill(-pid, SIGKILL);
			waitpid(pid, &st, 0);
			util_fmt(r->why, sizeof(r->why), "timed out after %.1fs, killed",
			    pc->cc->timeout_ms / 1000.0);
			break;
		}
		left = deadline - now;
		if (pidfd == -1 && left > 20)
			left = 20;
		if (poll(pfd, 3, (int)left) == -1 && errno != EINTR) {
			kill(-pid, SIGKILL);
			waitpid(pid, &st, 0);
			util_fmt(r->why, sizeof(r->why), "poll: %s", strerror(errno));
			break;
		}
		if (pfd[0].revents && power_command_read(fds[0], r) == 0)
			open_pipe = 0;
		if (pfd[2].revents & POLLIN) {
			kill(-pid, SIGKILL);
			waitpid(pid, &st, 0);
			util_fmt(r->why, sizeof(r->why), "killed: the power was cut (rigd is stopping)");
			break;
		}
		if ((pidfd == -1 || pfd[1].revents) && waitpid(pid, &st, WNOHANG) == pid) {
			/* What it wrote before it ended is in the pipe: read it, not more. */
			if (open_pipe)
				power_command_read(fds[0], r);
			power_command_status(r, st);
			done = 1;
		}
	}
	if (pidfd != -1)
		close(pidfd);
	close(fds[0]);
	r->ms = util_now_ms() - t0;
}

/* A command as people read it: its arguments, quoted where they hold spaces or quotes. */
static void
power_command_show(const struct power_command_argv *av, char *buf, size_t len)
{
	const char *a = av->text;
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < av->argc && used < len; i++, a += strlen(a) + 1) {
		int plain = a[0] != '\0' && strpbrk(a, " \t\n\"'\\") == NULL;

		used += (size_t)snprintf(buf + used, len - used, plain ? "%s%s" : "%s\"%s\"",
		    i ? " " : "", a);
	}
}

/* The end of stderr for a one-line reason: its last line(s), within max bytes, on one line. */
static void
power_command_short(const struct power_command_result *r, char *buf, size_t max)
{
	const char *s = r->tail;
	size_t n = r->len, i, j = 0;

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	i = n > max - 1 ? n - (max - 1) : 0;
	for (; i < n && j < max - 1; i++)
		buf[j++] = s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ? ' ' : s[i];
	buf[j] = '\0';
}

/* Tells the board's event log what a command did: its exit status or end, and its stderr. */
static void
power_command_tell(struct power_command *pc, enum power_command_op op,
    const struct power_command_result *r)
{
	char shown[512], how[200], *msg;
	size_t n = r->len;

	power_command_show(&pc->cc->cmd[op], shown, sizeof(shown));
	if (r->status >= 0)
		util_fmt(how, sizeof(how), "exit %d", r->status);
	else
		util_fmt(how, sizeof(how), "%s", r->why);
	while (n > 0 && r->tail[n - 1] == '\n')
		n--;
	msg = xasprintf("power %s: %s: %s (%.1fs)%s%.*s", power_command_names[op], shown, how,
	    r->ms / 1000.0, n ? "; stderr: " : "", (int)n, r->tail);
	if (pc->report)
		pc->report(pc->report_arg, msg);
	else
		log_info("%s: %s", pc->board, msg);
	free(msg);
}

/* err for a command that did not do its job, quoting the end of its stderr. */
static void
power_command_err(struct power_command *pc, enum power_command_op op,
    const struct power_command_result *r, char *err, size_t errlen)
{
	const char *prog = pc->cc->cmd[op].text;
	char tail[200], how[200];

	power_command_short(r, tail, sizeof(tail));
	if (r->status >= 0)
		util_fmt(how, sizeof(how), "exit %d", r->status);
	else
		util_fmt(how, sizeof(how), "%s", r->why);
	util_fmt(err, errlen, "power %s: %s %s%s%s", power_command_names[op], prog, how,
	    tail[0] ? ": " : "", tail);
}

static int
power_command_is_cut(struct power_command *pc)
{
	int cut;

	pthread_mutex_lock(&pc->lock);
	cut = pc->cut;
	pthread_mutex_unlock(&pc->lock);
	return cut;
}

/*
 * Runs on, off or cycle and records what the supply is now: on or off when it exited 0,
 * unknown otherwise (a relay half switched, a PDU that timed out). off runs even after a cut:
 * it is how the board is left off.
 */
static int
power_command_switch(struct power_command *pc, enum power_command_op op, char *err,
    size_t errlen)
{
	struct power_command_result *r;
	enum power_state now;
	int cuttable = op != POWER_COMMAND_OFF, rc;

	if (cuttable && power_command_is_cut(pc)) {
		util_fmt(err, errlen, "power %s: the power was cut (rigd is stopping)",
		    power_command_names[op]);
		return -1;
	}
	r = xmalloc(sizeof(*r));
	power_command_run(pc, op, cuttable, r);
	power_command_tell(pc, op, r);
	rc = r->status == 0 ? 0 : -1;
	pc->failed[0] = '\0';
	if (rc == -1) {
		power_command_err(pc, op, r, pc->failed, sizeof(pc->failed));
		util_strlcpy(err, pc->failed, errlen);
	}
	free(r);
	now = rc == -1 ? POWER_UNKNOWN : op == POWER_COMMAND_OFF ? POWER_OFF : POWER_ON;
	pthread_mutex_lock(&pc->lock);
	pc->known = now;
	pthread_mutex_unlock(&pc->lock);
	if (now == POWER_OFF)
		pc->off_at = util_now_ms();
	return rc;
}

/* Waits until the supply has been off for the board's off-time; -1 when cut meanwhile. */
static int
power_command_rest(struct power_command *pc, char *err, size_t errlen)
{
	for (;;) {
		struct pollfd pfd = { pc->wake, POLLIN, 0 };
		int64_t left = pc->off_at + pc->off_ms - util_now_ms();

		if (left <= 0)
			return 0;
		if (poll(&pfd, 1, (int)left) > 0) {
			util_fmt(err, errlen, "power on: the power was cut (rigd is stopping)");
			return -1;
		}
	}
}

/* A supply that is on, or may be, is switched off and left off for the off-time. */
static int
power_command_prepare(void *self, const struct boot_image *img, char *err, size_t errlen)
{
	struct power_command *pc = self;
	enum power_state known;

	(void)img;
	pthread_mutex_lock(&pc->lock);
	known = pc->known;
	pthread_mutex_unlock(&pc->lock);
	if (known != POWER_OFF && power_command_switch(pc, POWER_COMMAND_OFF, err, errlen) == -1)
		return -1;
	return power_command_rest(pc, err, errlen);
}

static int
power_command_on(void *self, char *err, size_t errlen)
{
	return power_command_switch(self, POWER_COMMAND_ON, err, errlen);
}

/* Runs off unless this part switched the supply off itself since; a failure is reported. */
static void
power_command_off(void *self)
{
	struct power_command *pc = self;
	enum power_state known;
	char err[512];

	pthread_mutex_lock(&pc->lock);
	known = pc->known;
	pthread_mutex_unlock(&pc->lock);
	if (known != POWER_OFF)
		power_command_switch(pc, POWER_COMMAND_OFF, err, sizeof(err));
}

/* The cycle command, or off, the off-time and on. */
static int
power_command_cycle(void *self, char *err, size_t errlen)
{
	struct power_command *pc = self;

	if (pc->cc->cmd[POWER_COMMAND_CYCLE].argc > 0)
		return power_command_switch(pc, POWER_COMMAND_CYCLE, err, errlen);
	if (power_command_is_cut(pc)) {
		util_fmt(err, errlen, "power cycle: the power was cut (rigd is stopping)");
		return -1;
	}
	if (power_command_switch(pc, POWER_COMMAND_OFF, err, errlen) == -1 ||
	    power_command_rest(pc, err, errlen) == -1)
		return -1;
	return power_command_switch(pc, POWER_COMMAND_ON, err, errlen);
}

/*
 * The state command: exit 0 on, 1 off, anything else unknown. Without one, what the last switch
 * left, and when that failed, its error.
 */
static enum power_state
power_command_state(void *self, char *err, size_t errlen)
{
	struct power_command *pc = self;
	struct power_command_result *r;
	enum power_state s;

	if (pc->cc->cmd[POWER_COMMAND_STATE].argc == 0) {
		pthread_mutex_lock(&pc->lock);
		s = pc->known;
		pthread_mutex_unlock(&pc->lock);
		if (s == POWER_UNKNOWN)
			util_fmt(err, errlen, "%s", pc->failed[0] ? pc->failed :
			    "power: not switched by this rigd yet");
		return s;
	}
	r = xmalloc(sizeof(*r));
	power_command_run(pc, POWER_COMMAND_STATE, 1, r);
	power_command_tell(pc, POWER_COMMAND_STATE, r);
	s = r->status == 0 ? POWER_ON : r->status == 1 ? POWER_OFF : POWER_UNKNOWN;
	if (s == POWER_UNKNOWN)
		power_command_err(pc, POWER_COMMAND_STATE, r, err, errlen);
	free(r);
	if (s != POWER_UNKNOWN) {
		pthread_mutex_lock(&pc->lock);
		pc->known = s;
		pthread_mutex_unlock(&pc->lock);
	}
	return s;
}

/* From any thread: a command running now is killed by the thread that runs it, woken here. */
static void
power_command_cut(void *self)
{
	struct power_command *pc = self;
	uint64_t one = 1;

	pthread_mutex_lock(&pc->lock);
	pc->cut = 1;
	pthread_mutex_unlock(&pc->lock);
	if (write(pc->wake, &one, sizeof(one)) != sizeof(one))
		log_warn("%s: power cut: eventfd", pc->board);
}

/* On as far as this rigd knows: the last on (or cycle) exited 0, and no off nor cut since. */
static int
power_command_alive(void *self)
{
	struct power_command *pc = self;
	int alive;

	pthread_mutex_lock(&pc->lock);
	alive = pc->known == POWER_ON && !pc->cut;
	pthread_mutex_unlock(&pc->lock);
	return alive;
}

static void
power_command_set_report(void *self, power_report_fn *fn, void *arg)
{
	struct power_command *pc = self;

	pc->report = fn;
	pc->report_arg = arg;
}

static void *
power_command_create(const struct board_conf *conf, const char *rundir, char *err,
    size_t errlen)
{
	struct power_command *pc = xcalloc(1, sizeof(*pc));

	(void)rundir;
	pc->cc = PARTCONF_SETTINGS(conf, PART_POWER);
	util_strlcpy(pc->board, conf->name, sizeof(pc->board));
	pc->off_ms = conf->power_off_ms;
	pc->known = POWER_UNKNOWN;
	pc->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (pc->wake == -1) {
		util_fmt(err, errlen, "power command: eventfd: %s", strerror(errno));
		free(pc);
		return NULL;
	}
	pthread_mutex_init(&pc->lock, NULL);
	return pc;
}

/* The supply is left as it is: rigd switches it off before it frees the part. */
static void
power_command_free(void *self)
{
	struct power_command *pc = self;

	close(pc->wake);
	pthread_mutex_destroy(&pc->lock);
	free(pc);
}

static void
power_command_defaults(void *settings)
{
	((struct power_command_conf *)settings)->timeout_ms = 10 * 1000;
}

/* One command: a list of strings, the program first; never a string a shell would split. */
static void
power_command_parse_argv(struct yamlnode_ctx *c, const struct yamlnode *part,
    enum power_command_op op, int required, struct power_command_argv *av)
{
	const char *key = power_command_names[op];
	const struct yamlnode *n = partconf_key(c, part, "power", key, required), *it;
	size_t used = 0, len;
	int i, bad = 0;

	if (n == NULL)
		return;
	if (n->kind != YAMLNODE_SEQ) {
		yamlnode_error(c, n, "power.%s: not a list of arguments:"
		    " [program, arg, ...] (no shell runs it)", key);
		return;
	}
	if (n->n == 0) {
		yamlnode_error(c, n, "power.%s: empty: the program first",
		    key);
		return;
	}
	if (n->n > POWER_COMMAND_MAX_ARGS) {
		yamlnode_error(c, n->items[POWER_COMMAND_MAX_ARGS],
		    "power.%s: more than %d arguments", key, POWER_COMMAND_MAX_ARGS);
		return;
	}
	for (i = 0; i < n->n; i++) {
		it = n->items[i];
		if (it->kind != YAMLNODE_SCALAR) {
			yamlnode_error(c, it,
			    "power.%s: argument %d is a %s, not a string", key, i + 1,
			    it->kind == YAMLNODE_SEQ ? "list" : "mapping");
			bad = 1;
			continue;
		}
		if (it->reported) {
			bad = 1;
			continue;
		}
		len = strlen(it->value);
		if (i == 0 && len == 0) {
			yamlnode_error(c, it,
			    "power.%s: the program's name is empty", key);
			bad = 1;
			continue;
		}
		if (used + len + 1 > sizeof(av->text)) {
			yamlnode_error(c, it,
			    "power.%s: too long together (at most %zu characters)", key,
			    sizeof(av->text) - (size_t)n->n);
			return;
		}
		memcpy(av->text + used, it->value, len + 1);
		used += len + 1;
	}
	if (!bad) {
		av->argc = n->n;
		av->line = n->items[0]->line;
	}
}

static void
power_command_parse(struct yamlnode_ctx *c, const struct yamlnode *part,
    const struct yamlnode *own, void *settings)
{
	struct power_command_conf *cc = settings;
	const struct yamlnode *n;
	enum power_command_op op;

	(void)own;
	for (op = 0; op < POWER_COMMAND__COUNT; op++)
		power_command_parse_argv(c, part, op,
		    op == POWER_COMMAND_ON || op == POWER_COMMAND_OFF, &cc->cmd[op]);
	partconf_duration(c, part, "power", "timeout", 0, &cc->timeout_ms);
	n = yamlnode_get(part, "timeout");
	if (n != NULL && cc->timeout_ms > POWER_COMMAND_MAX_MS)
		yamlnode_error(c, n,
		    "power.timeout: at most %dm (a command that long is stuck)",
		    POWER_COMMAND_MAX_MS / 60000);
}

static void
power_command_print(const void *settings, FILE *out)
{
	const struct power_command_conf *cc = settings;
	const char *a;
	enum power_command_op op;
	int i;

	for (op = 0; op < POWER_COMMAND__COUNT; op++) {
		if (cc->cmd[op].argc == 0)
			continue;
		fprintf(out, "  %s: [", power_command_names[op]);
		for (i = 0, a = cc->cmd[op].text; i < cc->cmd[op].argc; i++, a += strlen(a) + 1) {
			fputs(i ? ", " : "", out);
			conf_print_quoted(out, a);
		}
		fputs("]\n", out);
	}
	fprintf(out, "  timeout: %lldms\n", (long long)cc->timeout_ms);
}

/* Each command's program runs here: found on PATH, or an executable file where it names one. */
static int
power_command_probe(const struct board_conf *conf, char *why, size_t whylen)
{
	const struct power_command_conf *cc = PARTCONF_SETTINGS(conf, PART_POWER);
	char what[384];
	enum power_command_op op;

	for (op = 0; op < POWER_COMMAND__COUNT; op++)
		if (cc->cmd[op].argc > 0 &&
		    probe_program(cc->cmd[op].text, what, sizeof(what)) == -1)
			return probe_fail(conf, cc->cmd[op].line, why, whylen, "power.%s %s: %s",
			    power_command_names[op], cc->cmd[op].text, what);
	return 0;
}

static const char *const power_command_power_keys[] = {
	"on", "off", "cycle", "state", "timeout", NULL
};

static const struct part_keys power_command_keys = {
	.keys = power_command_power_keys,
	.defaults = power_command_defaults,
	.parse = power_command_parse,
	.print = power_command_print,
};

const struct power_ops power_command_ops = {
	.name = "command",
	.keys = &power_command_keys,
	.create = power_command_create,
	.prepare = power_command_prepare,
	.on = power_command_on,
	.off = power_command_off,
	.cut = power_command_cut,
	.alive = power_command_alive,
	.cycle = power_command_cycle,
	.state = power_command_state,
	.set_report = power_command_set_report,
	.probe = power_command_probe,
	.free = power_command_free,
};
