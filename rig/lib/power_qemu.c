/*
 * power_qemu: the qemu power backend of virtual boards: a QEMU process driven through QMP
 * (power_qemu_qmp.c), kept at its ready line as a snapshot (power_qemu_snap.c).
 */
#include "power_qemu_int.h"
#include "partconf.h"
#include "probe.h"
#include "log.h"
#include "qsnap.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pty.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A loopback TCP port nobody listens on now, or -1. */
static int
power_qemu_free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	if (fd == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* The command line for an SSH port and QMP socket (0 and "" for the key: neither is in a state). */
void
power_qemu_cmdline(struct power_qemu *q, const struct boot_image *img, int ssh_port,
    const char *qmp_path, struct power_qemu_cmd *c)
{
	const struct board_conf *b = q->conf;
	const struct power_qemu_conf *qc = q->qc;
	int i;

	c->argc = 0;
	snprintf(c->mem, sizeof(c->mem), "%d", qc->memory > 0 ? qc->memory : 512);
	snprintf(c->qmp, sizeof(c->qmp), "unix:%s,server=on,wait=off", qmp_path);
#define ARG(s) do { if (c->argc < POWER_QEMU_MAX_ARGV) c->argv[c->argc++] = (char *)(s); } while (0)
	ARG(qc->binary);
	ARG("-M"); ARG(qc->machine);
	if (qc->cpu[0]) { ARG("-cpu"); ARG(qc->cpu); }
	ARG("-m"); ARG(c->mem);
	ARG("-smp"); ARG("1");
	ARG("-display"); ARG("none");
	/* A guest reboot or panic ends QEMU: the rig sees it, and powers the board on itself. */
	ARG("-no-reboot");
	ARG("-S");
	ARG("-qmp"); ARG(c->qmp);
	ARG("-kernel"); ARG(img->kernel);
	ARG("-initrd"); ARG(img->initrd);
	if (img->dtb[0]) { ARG("-dtb"); ARG(img->dtb); }
	ARG("-append"); ARG(b->append);
	/*
	 * The console: a pty rigd makes, its master handed to QEMU as fd 4 (a plain fd chardev),
	 * its other end the console part opens. Not QEMU's own pty chardev: that one reads nothing
	 * typed until its once-a-second poll has seen the other end open, and a restored board
	 * waits for what it is typed (power_qemu_wake).
	 */
	ARG("-add-fd"); ARG("fd=4,set=1");
	ARG("-chardev"); ARG("serial,id=rigcon,path=/dev/fdset/1");
	for (i = 0; i < qc->nserials; i++) {
		if (strcmp(qc->serials[i], "console") == 0)
			snprintf(c->serial[i], sizeof(c->serial[i]), "chardev:rigcon");
		else
			snprintf(c->serial[i], sizeof(c->serial[i]), "%s", qc->serials[i]);
		ARG("-serial"); ARG(c->serial[i]);
	}
	if (strcmp(qc->net, "nic") == 0) {
		snprintf(c->net, sizeof(c->net), "user,hostfwd=tcp:127.0.0.1:%d-:22", ssh_port);
		ARG("-nic"); ARG(c->net);
	} else if (qc->net[0]) {
		snprintf(c->net, sizeof(c->net), "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:22", ssh_port);
		ARG("-netdev"); ARG(c->net);
		ARG("-device");
		ARG(strcmp(qc->net, "e1000") == 0 ? "e1000,netdev=n0" :
		    strcmp(qc->net, "virtio") == 0 ? "virtio-net-pci,netdev=n0" : "e1000,netdev=n0");
	}
	for (i = 0; i < qc->nargs; i++)
		ARG(qc->args[i]);
	c->argv[c->argc] = NULL;
#undef ARG
}

void
power_qemu_say(struct power_qemu *q, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (q->report)
		q->report(q->report_arg, msg);
	else
		log_info("%s: %s", q->conf->name, msg);
}

/*
 * Starts QEMU on cmd, paused (-S) so the console can be opened before the first byte is
 * printed, with QMP on a socket in rundir; snapfd >= 0: the machine continues the snapshot read
 * from it (-incoming fd:3). QEMU's own messages go to rundir/NAME.qemu.log.
 */
int
power_qemu_spawn(struct power_qemu *q, struct power_qemu_cmd *cmd, int snapfd, char *err,
    size_t errlen)
{
	char logpath[300];
	int logfd, master, slave;
	pid_t pid;

	if (snapfd >= 0 && cmd->argc + 2 <= POWER_QEMU_MAX_ARGV) {
		cmd->argv[cmd->argc++] = "-incoming";
		cmd->argv[cmd->argc++] = "fd:3";
		cmd->argv[cmd->argc] = NULL;
	}
	snprintf(logpath, sizeof(logpath), "%s/%s.qemu.log", q->rundir, q->conf->name);
	unlink(q->qmp_path);
	/*
	 * rigd holds the console end until on(): with no end open the master would read as
	 * hung up, and QEMU would spin on it until the console part has opened it.
	 */
	if (openpty(&master, &slave, q->console, NULL, NULL) == -1) {
		util_fmt(err, errlen, "openpty: %s", strerror(errno));
		return -1;
	}
	fcntl(master, F_SETFD, FD_CLOEXEC);
	fcntl(slave, F_SETFD, FD_CLOEXEC);
	logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (logfd == -1) {
		util_fmt(err, errlen, "%s: %s", logpath, strerror(errno));
		close(master);
		close(slave);
		return -1;
	}
	pid = fork();
	if (pid == -1) {
		util_fmt(err, errlen, "fork: %s", strerror(errno));
		close(logfd);
		close(master);
		close(slave);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		/* QEMU must not outlive the daemon: a killed rigd leaves no board running. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setpgid(0, 0);
		dup2(null, 0);
		dup2(logfd, 1);
		dup2(logfd, 2);
		/*
		 * Last, into fds 3 (the snapshot) and 4 (the console's master), each of which may
		 * be one of the others now: moved above 4 first. dup2 clears close-on-exec.
		 */
		master = fcntl(master, F_DUPFD_CLOEXEC, 5);
		if (snapfd >= 0)
			snapfd = fcntl(snapfd, F_DUPFD_CLOEXEC, 5);
		if (snapfd >= 0)
			dup2(snapfd, 3);
		dup2(master, 4);
		execvp(cmd->argv[0], cmd->argv);
		dprintf(2, "exec %s: %s\n", cmd->argv[0], strerror(errno));
		_exit(127);
	}
	close(logfd);
	close(master);
	q->pty_held = slave;
	pthread_mutex_lock(&q->lock);
	q->pid = pid;
	pthread_mutex_unlock(&q->lock);
	if (power_qemu_qmp_connect(q, err, errlen) == -1) {
		power_qemu_off(q);
		return -1;
	}
	/*
	 * The console chardev has its own copy of the master by now: the set's is closed as soon
	 * as that one is (a console QEMU drops hangs up rigd's end, as QEMU's own pty did).
	 */
	if (!power_qemu_qmp_ok(q->qmp_fd,
	    "{\"execute\":\"remove-fd\",\"arguments\":{\"fdset-id\":1}}\n", 5000))
		log_warnx("%s: qmp remove-fd refused", q->conf->name);
	return 0;
}

/*
 * Starts QEMU paused with the board's SSH forwarded to a loopback port: from the board's
 * snapshot of this machine and build when there is one, else to boot it.
 */
static int
power_qemu_prepare(void *self, const struct boot_image *img, char *err, size_t errlen)
{
	struct power_qemu *q = self;
	const struct board_conf *b = q->conf;
	struct power_qemu_cmd cmd;

	power_qemu_off(q);
	q->console[0] = '\0';
	q->ssh_port = b->ssh_port > 0 ? b->ssh_port : power_qemu_free_port();
	snprintf(q->qmp_path, sizeof(q->qmp_path), "%s/%s.qmp", q->rundir, b->name);
	if (power_qemu_snap_restore(q, img) == 0)
		return 0;
	power_qemu_cmdline(q, img, q->ssh_port, q->qmp_path, &cmd);
	return power_qemu_spawn(q, &cmd, -1, err, errlen);
}

/*
 * A restored board's clock stands where it was saved, and its ready line was printed then:
 * typed at its console shell, the date is set and the line printed again (quoted so that the
 * echo of what is typed is not it).
 */
static void
power_qemu_wake(struct power_qemu *q)
{
	char line[160];
	int fd, n;

	n = snprintf(line, sizeof(line),
	    "date -s @%lld >/dev/null; echo 'rig-board: 'ready $(uname -r)\n",
	    (long long)((util_wall_ms() + 500) / 1000));
	fd = open(q->console, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd == -1 || write(fd, line, (size_t)n) != n)
		power_qemu_say(q, "restored board: its clock could not be set (%s)",
		    strerror(errno));
	if (fd != -1)
		close(fd);
}

/* Lets the CPUs run: the console is open by now. */
static int
power_qemu_on(void *self, char *err, size_t errlen)
{
	struct power_qemu *q = self;
	cJSON *msg = q->qmp_fd == -1 ? NULL :
	    power_qemu_qmp(q->qmp_fd, "{\"execute\":\"cont\"}\n", 5000);
	int ok = msg && cJSON_GetObjectItem(msg, "return");

	cJSON_Delete(msg);
	/* The console part has its end open now: a QEMU that dies hangs it up, as it should. */
	if (q->pty_held != -1)
		close(q->pty_held);
	q->pty_held = -1;
	if (!ok) {
		util_fmt(err, errlen, "qmp cont failed");
		return -1;
	}
	if (q->restored) {
		power_qemu_wake(q);
		power_qemu_say(q, "restored from snapshot in %.2fs", q->restore_ms / 1000.0);
	}
	return 0;
}

static void
power_qemu_set_report(void *self, power_report_fn *fn, void *arg)
{
	struct power_qemu *q = self;

	q->report = fn;
	q->report_arg = arg;
}

/* 1 while the QEMU process lives; reaps it when it has died. */
int
power_qemu_alive(void *self)
{
	struct power_qemu *q = self;
	int st, alive = 1;

	pthread_mutex_lock(&q->lock);
	if (q->pid <= 0)
		alive = 0;
	else if (waitpid(q->pid, &st, WNOHANG) == q->pid) {
		q->pid = 0;
		alive = 0;
	}
	pthread_mutex_unlock(&q->lock);
	return alive;
}

/* QMP quit, then SIGKILL after a grace period. */
void
power_qemu_off(void *self)
{
	struct power_qemu *q = self;
	int64_t deadline;
	int st;

	if (power_qemu_alive(q) && q->qmp_fd != -1) {
		cJSON *msg = power_qemu_qmp(q->qmp_fd, "{\"execute\":\"quit\"}\n", 1000);
		cJSON_Delete(msg);
	}
	deadline = util_now_ms() + 2000;
	while (power_qemu_alive(q) && util_now_ms() < deadline)
		util_sleep_ms(20);
	pthread_mutex_lock(&q->lock);
	if (q->pid > 0) {
		kill(q->pid, SIGKILL);
		waitpid(q->pid, &st, 0);
		q->pid = 0;
	}
	pthread_mutex_unlock(&q->lock);
	if (q->qmp_fd != -1)
		close(q->qmp_fd);
	q->qmp_fd = -1;
	if (q->pty_held != -1)
		close(q->pty_held);
	q->pty_held = -1;
	if (q->qmp_path[0])
		unlink(q->qmp_path);
}

/* From any thread: SIGKILL, not reaped here (the board thread's alive() or off() does it). */
static void
power_qemu_cut(void *self)
{
	struct power_qemu *q = self;

	pthread_mutex_lock(&q->lock);
	if (q->pid > 0)
		kill(q->pid, SIGKILL);
	pthread_mutex_unlock(&q->lock);
}

static int
power_qemu_console_path(void *self, char *path, size_t len)
{
	struct power_qemu *q = self;

	if (!q->console[0])
		return -1;
	util_strlcpy(path, q->console, len);
	return 0;
}

/* User networking forwards the board's port 22 to a loopback port picked at prepare. */
static int
power_qemu_ssh_addr(void *self, char *host, size_t hostlen, int *port)
{
	struct power_qemu *q = self;

	util_strlcpy(host, q->conf->ssh_host[0] ? q->conf->ssh_host : "127.0.0.1", hostlen);
	*port = q->ssh_port;
	return 0;
}

static void *
power_qemu_create(const struct board_conf *conf, const char *rundir, char *err, size_t errlen)
{
	struct power_qemu *q = xcalloc(1, sizeof(*q));

	(void)err;
	(void)errlen;
	q->conf = conf;
	q->qc = PARTCONF_SETTINGS(conf, PART_POWER);
	util_strlcpy(q->rundir, rundir, sizeof(q->rundir));
	pthread_mutex_init(&q->lock, NULL);
	q->qmp_fd = -1;
	q->pty_held = -1;
	return q;
}

static void
power_qemu_free(void *self)
{
	struct power_qemu *q = self;

	power_qemu_off(q);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

static const char *const power_qemu_nets[] = { "e1000", "nic", NULL };
static const char *const power_qemu_serial_words[] = { "console", "null", NULL };

static void
power_qemu_defaults(void *settings)
{
	struct power_qemu_conf *qc = settings;

	qc->memory = 512;
	qc->snapshot = 1;
}

/* The qemu: section; nothing of this backend's is in power: but its name. */
static void
power_qemu_parse(struct yamlnode_ctx *c, const struct yamlnode *part, const struct yamlnode *own,
    void *settings)
{
	struct power_qemu_conf *qc = settings;
	const struct yamlnode *n;
	int i, consoles = 0;

	(void)part;
	if (own == NULL)
		return;
	partconf_str(c, own, "qemu", "binary", 1, qc->binary, sizeof(qc->binary));
	n = yamlnode_get(own, "binary");
	qc->binary_line = n ? n->line : 0;
	partconf_str(c, own, "qemu", "machine", 1, qc->machine, sizeof(qc->machine));
	partconf_str(c, own, "qemu", "cpu", 0, qc->cpu, sizeof(qc->cpu));
	partconf_int(c, own, "qemu", "memory", 0, 64, 65536, &qc->memory);
	partconf_str(c, own, "qemu", "dtb", 0, qc->dtb, sizeof(qc->dtb));
	/* An argument of mkimage: a file inside the kernel package, never an option or a way out. */
	if (qc->dtb[0] != '\0')
		partconf_form(c, yamlnode_get(own, "dtb"), "qemu.dtb", qc->dtb, CONF_FORM_RELPATH);
	partconf_word(c, own, "qemu", "net", 1, power_qemu_nets, qc->net, sizeof(qc->net));

	n = partconf_key(c, own, "qemu", "serials", 1);
	if (n != NULL && yamlnode_is_seq(c, n, "qemu.serials") == 0) {
		if (n->n == 0 || n->n > POWER_QEMU_MAX_SERIALS)
			yamlnode_error(c, n,
			    "qemu.serials: %d entries (1 to %d)", n->n, POWER_QEMU_MAX_SERIALS);
		for (i = 0; i < n->n && i < POWER_QEMU_MAX_SERIALS; i++) {
			if (yamlnode_word(c, n->items[i], "qemu.serials", power_qemu_serial_words,
			    qc->serials[i], sizeof(qc->serials[i])) == 0)
				consoles++;
		}
		qc->nserials = i;
		if (consoles != 1 && n->n > 0 && n->n <= POWER_QEMU_MAX_SERIALS)
			yamlnode_error(c, n,
			    "qemu.serials: 'console' must appear exactly once (the pty the rig reads)");
	}

	n = yamlnode_get(own, "args");
	if (n != NULL && yamlnode_is_seq(c, n, "qemu.args") == 0) {
		if (n->n > POWER_QEMU_MAX_ARGS)
			yamlnode_error(c, n->items[POWER_QEMU_MAX_ARGS],
			    "qemu.args: more than %d arguments", POWER_QEMU_MAX_ARGS);
		for (i = 0; i < n->n && i < POWER_QEMU_MAX_ARGS; i++) {
			yamlnode_str(c, n->items[i], "qemu.args", qc->args[i], sizeof(qc->args[i]));
			qc->arg_lines[i] = n->items[i]->line;
		}
		qc->nargs = i;
	}
	partconf_bool(c, own, "qemu", "snapshot", 0, &qc->snapshot);
}

/*
 * QEMU is on PATH, and the firmware files args name by path (-bios, -pflash, -L) exist. A
 * bare firmware name is looked for by QEMU in its own data directory: left to it.
 */
static int
power_qemu_probe(const struct board_conf *conf, char *why, size_t whylen)
{
	static const char *const files[] = { "-bios", "-pflash", "-L", NULL };
	const struct power_qemu_conf *qc = PARTCONF_SETTINGS(conf, PART_POWER);
	char what[256];
	int i, j;

	if (probe_program(qc->binary, what, sizeof(what)) == -1)
		return probe_fail(conf, qc->binary_line, why, whylen, "qemu.binary %s: %s",
		    qc->binary, what);
	for (i = 0; i + 1 < qc->nargs; i++)
		for (j = 0; files[j]; j++)
			if (strcmp(qc->args[i], files[j]) == 0 && strchr(qc->args[i + 1], '/') &&
			    access(qc->args[i + 1], R_OK) == -1)
				return probe_fail(conf, qc->arg_lines[i + 1], why, whylen,
				    "qemu.args %s %s: %s", files[j], qc->args[i + 1],
				    strerror(errno));
	return 0;
}

static void
power_qemu_print_section(const void *settings, FILE *out)
{
	const struct power_qemu_conf *qc = settings;
	int i;

	fprintf(out, "qemu:\n");
	partconf_print_str(out, "  ", "binary", qc->binary);
	partconf_print_str(out, "  ", "machine", qc->machine);
	partconf_print_str(out, "  ", "cpu", qc->cpu);
	fprintf(out, "  memory: %d\n", qc->memory);
	partconf_print_str(out, "  ", "dtb", qc->dtb);
	partconf_print_str(out, "  ", "net", qc->net);
	fprintf(out, "  serials: [");
	for (i = 0; i < qc->nserials; i++)
		fprintf(out, "%s%s", i ? ", " : "", qc->serials[i]);
	fprintf(out, "]\n  args: [");
	for (i = 0; i < qc->nargs; i++) {
		fprintf(out, "%s", i ? ", " : "");
		conf_print_quoted(out, qc->args[i]);
	}
	fprintf(out, "]\n");
	fprintf(out, "  snapshot: %s\n", qc->snapshot ? "true" : "false");
}

/* The machine's device tree comes from the kernel package: the boot part puts it in the image. */
static const char *
power_qemu_image_dtb(const struct board_conf *conf)
{
	const struct power_qemu_conf *qc = PARTCONF_SETTINGS(conf, PART_POWER);

	return qc->dtb;
}

static const char *const power_qemu_power_keys[] = { NULL };
static const char *const power_qemu_section_keys[] = {
	"binary", "machine", "cpu", "memory", "dtb", "net", "serials", "args", "snapshot", NULL
};

static const struct part_keys power_qemu_keys = {
	.keys = power_qemu_power_keys,
	.section = "qemu",
	.section_keys = power_qemu_section_keys,
	/* Only the rig that started QEMU has its pty. */
	.needs_kind = PART_CONSOLE,
	.needs_name = "qemu",
	.needs_why = " (the board's serial port is QEMU's pty)",
	.ssh_local = 1,
	.defaults = power_qemu_defaults,
	.parse = power_qemu_parse,
	.print_section = power_qemu_print_section,
};

const struct power_ops power_qemu_ops = {
	.name = "qemu",
	.keys = &power_qemu_keys,
	.probe = power_qemu_probe,
	.image_dtb = power_qemu_image_dtb,
	.create = power_qemu_create,
	.prepare = power_qemu_prepare,
	.on = power_qemu_on,
	.off = power_qemu_off,
	.settled = power_qemu_settled,
	.set_report = power_qemu_set_report,
	.cut = power_qemu_cut,
	.alive = power_qemu_alive,
	.console_path = power_qemu_console_path,
	.ssh_addr = power_qemu_ssh_addr,
	.free = power_qemu_free,
};
