/* power_qemu: the qemu power backend of virtual boards: a QEMU process driven through QMP. */
#include "power.h"
#include "boot.h"
#include "conf.h"
#include "partconf.h"
#include "probe.h"
#include "log.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define POWER_QEMU_MAX_ARGS	32
#define POWER_QEMU_MAX_SERIALS	4
#define POWER_QEMU_MAX_ARGV	(POWER_QEMU_MAX_ARGS + 48)

/* The board file's qemu: section, checked (this backend's settings in struct board_conf). */
struct power_qemu_conf {
	char	binary[64];		/* qemu-system-x86_64 */
	char	machine[64];		/* q35 */
	char	cpu[64];		/* optional */
	int	memory;			/* MiB, default 512 */
	char	dtb[128];		/* optional: device tree file name inside the kernel package */
	char	net[16];		/* "e1000" (-netdev user + -device e1000), "nic" (-nic user) */
	char	serials[POWER_QEMU_MAX_SERIALS][16]; /* in order: "console" (the pty) or "null" */
	int	nserials;
	char	args[POWER_QEMU_MAX_ARGS][128];	/* extra arguments, verbatim */
	int	nargs;
	int	binary_line;		/* where binary and each of args were given: probe messages */
	int	arg_lines[POWER_QEMU_MAX_ARGS];
};
_Static_assert(sizeof(struct power_qemu_conf) <= BOARD_PART_SETTINGS,
    "qemu settings do not fit struct board_part");

struct power_qemu {
	const struct board_conf	*conf;		/* immutable */
	const struct power_qemu_conf *qc;	/* immutable: conf's qemu: section */
	char			 rundir[200];	/* immutable */
	pthread_mutex_t		 lock;		/* guards pid: cut() comes from another thread */
	pid_t			 pid;		/* under lock; 0 when no QEMU runs */
	/* the board thread's own: */
	int			 qmp_fd;
	char			 console[64];	/* the pty QEMU made for the console: /dev/pts/N */
	char			 qmp_path[300];
	int			 ssh_port;	/* where QEMU forwards the board's SSH */
};

static int power_qemu_alive(void *self);
static void power_qemu_off(void *self);

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

/* Reads one QMP line (messages end in newline) within timeout_ms; returns parsed JSON or NULL. */
static cJSON *
power_qemu_qmp_read(int fd, int timeout_ms)
{
	char line[65536];
	size_t n = 0;
	int64_t deadline = util_now_ms() + timeout_ms;

	while (n < sizeof(line) - 1) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int left = (int)(deadline - util_now_ms());
		ssize_t r;

		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return NULL;
		r = read(fd, line + n, 1);
		if (r <= 0)
			return NULL;
		if (line[n] == '\n') {
			line[n] = '\0';
			return cJSON_Parse(line);
		}
		n++;
	}
	return NULL;
}

/* Sends a command and returns its "return" member's parent object (skipping events). */
static cJSON *
power_qemu_qmp(int fd, const char *cmd, int timeout_ms)
{
	size_t len = strlen(cmd);
	int64_t deadline = util_now_ms() + timeout_ms;

	if (write(fd, cmd, len) != (ssize_t)len)
		return NULL;
	for (;;) {
		int left = (int)(deadline - util_now_ms());
		cJSON *msg;

		if (left <= 0)
			return NULL;
		msg = power_qemu_qmp_read(fd, left);
		if (msg == NULL)
			return NULL;
		if (cJSON_GetObjectItem(msg, "return") || cJSON_GetObjectItem(msg, "error"))
			return msg;
		cJSON_Delete(msg);	/* an asynchronous event */
	}
}

static int
power_qemu_qmp_connect(struct power_qemu *q, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int64_t deadline = util_now_ms() + 10000;
	cJSON *msg;

	util_strlcpy(sa.sun_path, q->qmp_path, sizeof(sa.sun_path));
	for (;;) {
		q->qmp_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (q->qmp_fd == -1) {
			util_fmt(err, errlen, "qmp socket: %s", strerror(errno));
			return -1;
		}
		if (connect(q->qmp_fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		close(q->qmp_fd);
		q->qmp_fd = -1;
		if (!power_qemu_alive(q)) {
			util_fmt(err, errlen, "qemu exited at start (see its log)");
			return -1;
		}
		if (util_now_ms() > deadline) {
			util_fmt(err, errlen, "qmp %s: no answer", q->qmp_path);
			return -1;
		}
		util_sleep_ms(20);
	}
	msg = power_qemu_qmp_read(q->qmp_fd, 5000);	/* the greeting */
	if (msg == NULL) {
		util_fmt(err, errlen, "qmp: no greeting");
		return -1;
	}
	cJSON_Delete(msg);
	msg = power_qemu_qmp(q->qmp_fd, "{\"execute\":\"qmp_capabilities\"}\n", 5000);
	if (msg == NULL || cJSON_GetObjectItem(msg, "error")) {
		cJSON_Delete(msg);
		util_fmt(err, errlen, "qmp: capabilities refused");
		return -1;
	}
	cJSON_Delete(msg);
	return 0;
}

/* Finds the pty behind the console chardev: "pty:/dev/pts/N" in query-chardev. */
static int
power_qemu_find_console(struct power_qemu *q, char *err, size_t errlen)
{
	cJSON *msg = power_qemu_qmp(q->qmp_fd, "{\"execute\":\"query-chardev\"}\n", 5000);
	cJSON *ret, *it;
	int found = -1;

	ret = msg ? cJSON_GetObjectItem(msg, "return") : NULL;
	cJSON_ArrayForEach(it, ret) {
		cJSON *label = cJSON_GetObjectItem(it, "label");
		cJSON *file = cJSON_GetObjectItem(it, "filename");
		if (cJSON_IsString(label) && strcmp(label->valuestring, "rigcon") == 0 &&
		    cJSON_IsString(file) && strncmp(file->valuestring, "pty:", 4) == 0) {
			util_strlcpy(q->console, file->valuestring + 4, sizeof(q->console));
			found = 0;
		}
	}
	cJSON_Delete(msg);
	if (found == -1)
		util_fmt(err, errlen, "qmp: no console pty among QEMU's chardevs");
	return found;
}

/*
 * Starts QEMU paused (-S), so the console can be opened before the first byte is printed,
 * with QMP on a socket in rundir and the board's SSH forwarded to a loopback port.
 * QEMU's own messages go to rundir/NAME.qemu.log.
 */
static int
power_qemu_prepare(void *self, const struct boot_image *img, char *err, size_t errlen)
{
	struct power_qemu *q = self;
	const struct board_conf *b = q->conf;
	const struct power_qemu_conf *qc = q->qc;
	char *argv[POWER_QEMU_MAX_ARGV + 1];
	char mem[16], qmp[350], net[128], serial[POWER_QEMU_MAX_SERIALS][32], logpath[300];
	int argc = 0, i, logfd, ssh_port;
	pid_t pid;

	power_qemu_off(q);
	q->console[0] = '\0';
	ssh_port = q->ssh_port = b->ssh_port > 0 ? b->ssh_port : power_qemu_free_port();
	snprintf(q->qmp_path, sizeof(q->qmp_path), "%s/%s.qmp", q->rundir, b->name);
	snprintf(logpath, sizeof(logpath), "%s/%s.qemu.log", q->rundir, b->name);
	unlink(q->qmp_path);
	snprintf(mem, sizeof(mem), "%d", qc->memory > 0 ? qc->memory : 512);
	snprintf(qmp, sizeof(qmp), "unix:%s,server=on,wait=off", q->qmp_path);

#define ARG(s) do { if (argc < POWER_QEMU_MAX_ARGV) argv[argc++] = (char *)(s); } while (0)
	ARG(qc->binary);
	ARG("-M"); ARG(qc->machine);
	if (qc->cpu[0]) { ARG("-cpu"); ARG(qc->cpu); }
	ARG("-m"); ARG(mem);
	ARG("-smp"); ARG("1");
	ARG("-display"); ARG("none");
	/* A guest reboot or panic ends QEMU: the rig sees it, and powers the board on itself. */
	ARG("-no-reboot");
	ARG("-S");
	ARG("-qmp"); ARG(qmp);
	ARG("-kernel"); ARG(img->kernel);
	ARG("-initrd"); ARG(img->initrd);
	if (img->dtb[0]) { ARG("-dtb"); ARG(img->dtb); }
	ARG("-append"); ARG(b->append);
	ARG("-chardev"); ARG("pty,id=rigcon");
	for (i = 0; i < qc->nserials; i++) {
		if (strcmp(qc->serials[i], "console") == 0)
			snprintf(serial[i], sizeof(serial[i]), "chardev:rigcon");
		else
			snprintf(serial[i], sizeof(serial[i]), "%s", qc->serials[i]);
		ARG("-serial"); ARG(serial[i]);
	}
	if (strcmp(qc->net, "nic") == 0) {
		snprintf(net, sizeof(net), "user,hostfwd=tcp:127.0.0.1:%d-:22", ssh_port);
		ARG("-nic"); ARG(net);
	} else if (qc->net[0]) {
		snprintf(net, sizeof(net), "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:22", ssh_port);
		ARG("-netdev"); ARG(net);
		ARG("-device");
		ARG(strcmp(qc->net, "e1000") == 0 ? "e1000,netdev=n0" :
		    strcmp(qc->net, "virtio") == 0 ? "virtio-net-pci,netdev=n0" : "e1000,netdev=n0");
	}
	for (i = 0; i < qc->nargs; i++)
		ARG(qc->args[i]);
	argv[argc] = NULL;
#undef ARG

	logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (logfd == -1) {
		util_fmt(err, errlen, "%s: %s", logpath, strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == -1) {
		util_fmt(err, errlen, "fork: %s", strerror(errno));
		close(logfd);
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
		execvp(argv[0], argv);
		dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(logfd);
	pthread_mutex_lock(&q->lock);
	q->pid = pid;
	pthread_mutex_unlock(&q->lock);
	if (power_qemu_qmp_connect(q, err, errlen) == -1 ||
	    power_qemu_find_console(q, err, errlen) == -1) {
		power_qemu_off(q);
		return -1;
	}
	return 0;
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
	if (!ok)
		util_fmt(err, errlen, "qmp cont failed");
	return ok ? 0 : -1;
}

/* 1 while the QEMU process lives; reaps it when it has died. */
static int
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
static void
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
	"binary", "machine", "cpu", "memory", "dtb", "net", "serials", "args", NULL
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
	.cut = power_qemu_cut,
	.alive = power_qemu_alive,
	.console_path = power_qemu_console_path,
	.ssh_addr = power_qemu_ssh_addr,
	.free = power_qemu_free,
};
