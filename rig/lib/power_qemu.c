/* power_qemu: the qemu power backend of virtual boards: a QEMU process driven through QMP. */
#include "power.h"
#include "boot.h"
#include "conf.h"
#include "partconf.h"
#include "probe.h"
#include "kbuild.h"
#include "log.h"
#include "qsnap.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
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
#include <sys/statvfs.h>
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
	int	snapshot;		/* 1 (default): keep the board at its ready line, restore it */
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
	char			 console[64];	/* the console pty's end rigd opens: /dev/pts/N */
	int			 pty_held;	/* that end, held open from prepare to on() */
	char			 qmp_path[300];
	int			 ssh_port;	/* where QEMU forwards the board's SSH */
	/* set by set_report before the board thread starts, then read only: */
	power_report_fn		*report;
	void			*report_arg;
	/* snapshots, the board thread's own too: */
	char			 snapdir[300];
	struct qsnap_key	 key;		/* of this power-on's machine and build */
	int			 key_ok;	/* key is known: a snapshot may be saved */
	int			 restored;	/* this power-on continues a snapshot */
	int			 restored_up;	/* and the board printed its ready line since */
	int			 snap_broken;	/* a restored board never came up: no more, until restart */
	int64_t			 restore_ms;	/* QEMU start to restored, for the report */
	char			 version[160];	/* QEMU's --version, for the key */
	struct power_qemu_ident {		/* a file as it was when looked at: digests are kept */
		char	 path[512];
		dev_t	 dev;
		ino_t	 ino;
		off_t	 size;
		struct timespec mtime;
		char	 sha[65];		/* a file's digest; the version for the binary */
	}			 seen[4];	/* binary, kernel, initrd, device tree */
};

static int power_qemu_alive(void *self);
static void power_qemu_off(void *self);
static int power_qemu_qmp_ok(int fd, const char *cmd, int timeout_ms);

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

/* The QEMU command line of this power-on; qmp and net hold what argv points into. */
struct power_qemu_cmd {
	char	*argv[POWER_QEMU_MAX_ARGV + 1];
	int	 argc;
	char	 mem[16], qmp[350], net[128], serial[POWER_QEMU_MAX_SERIALS][32];
};

/* The command line for an SSH port and QMP socket (0 and "" for the key: neither is in a state). */
static void
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

/* Where execvp would find prog (PATH searched for a bare name), in out; 0, or -1. */
static int
power_qemu_which(const char *prog, char *out, size_t outlen)
{
	const char *path = getenv("PATH"), *p, *end;

	if (strchr(prog, '/'))
		return util_strlcpy(out, prog, outlen) < outlen ? 0 : -1;
	for (p = path ? path : "/usr/bin:/bin"; *p; p = *end ? end + 1 : end) {
		end = p + strcspn(p, ":");
		if ((size_t)util_fmt(out, outlen, "%.*s/%s", (int)(end - p), p, prog) < outlen &&
		    access(out, X_OK) == 0)
			return 0;
	}
	return -1;
}

/* QEMU's own word on its version (the first line of --version), run as an argument vector. */
static int
power_qemu_version(const char *binary, char *out, size_t outlen)
{
	int fds[2], st;
	ssize_t n;
	size_t have = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	pid = fork();
	if (pid == -1) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(fds[1], 1);
		dup2(null, 2);
		execl(binary, binary, "--version", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (have + 1 < outlen && (n = read(fds[0], out + have, outlen - 1 - have)) > 0)
		have += (size_t)n;
	out[have] = '\0';
	close(fds[0]);
	waitpid(pid, &st, 0);
	out[strcspn(out, "\n")] = '\0';
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 && out[0] ? 0 : -1;
}

/*
 * What a file is, kept in slot: its digest (for the binary, QEMU's version), worked out again
 * only when the file is another one or was changed since it was last looked at.
 */
static const char *
power_qemu_ident(struct power_qemu *q, int slot, const char *path, int is_binary)
{
	struct power_qemu_ident *id = &q->seen[slot];
	char err[256];
	struct stat st;

	if (stat(path, &st) == -1)
		return NULL;
	if (id->sha[0] && strcmp(id->path, path) == 0 && id->dev == st.st_dev &&
	    id->ino == st.st_ino && id->size == st.st_size &&
	    id->mtime.tv_sec == st.st_mtim.tv_sec && id->mtime.tv_nsec == st.st_mtim.tv_nsec)
		return id->sha;
	id->sha[0] = '\0';
	if (is_binary ? power_qemu_version(path, id->sha, sizeof(id->sha)) == -1 :
	    kbuild_sha256_file(path, id->sha, err, sizeof(err)) == -1) {
		id->sha[0] = '\0';
		return NULL;
	}
	util_strlcpy(id->path, path, sizeof(id->path));
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->size = st.st_size;
	id->mtime = st.st_mtim;
	return id->sha;
}

/* At most max bytes of the file at path (NUL-terminated, *len without it), or NULL. */
static char *
power_qemu_slurp(const char *path, size_t max, size_t *len)
{
	char *buf;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1)
		return NULL;
	buf = xcalloc(1, max + 1);
	n = read(fd, buf, max);
	close(fd);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	*len = (size_t)n;
	return buf;
}

/* Appends s and its NUL to the key text. */
static void
power_qemu_keyput(FILE *f, const char *s)
{
	fwrite(s, 1, strlen(s) + 1, f);
}

/*
 * The key of this power-on's snapshot (qsnap.h): everything that makes a saved board another
 * board than this command line would boot. 0, or -1 with why when a part cannot be read.
 */
static int
power_qemu_key(struct power_qemu *q, const struct boot_image *img, char *why, size_t whylen)
{
	struct power_qemu_cmd cmd;
	char binary[512], *text = NULL, *file = NULL;
	const char *ver, *k, *i, *d = "";
	size_t len = 0, flen = 0;
	FILE *f;
	int a, rc = 0;

	/* Ports and sockets differ at each power-on and are no part of the state. */
	power_qemu_cmdline(q, img, 0, "", &cmd);
	if (power_qemu_which(q->qc->binary, binary, sizeof(binary)) == -1 ||
	    (ver = power_qemu_ident(q, 0, binary, 1)) == NULL) {
		util_fmt(why, whylen, "%s --version: no answer", q->qc->binary);
		return -1;
	}
	if ((k = power_qemu_ident(q, 1, img->kernel, 0)) == NULL ||
	    (i = power_qemu_ident(q, 2, img->initrd, 0)) == NULL ||
	    (img->dtb[0] && (d = power_qemu_ident(q, 3, img->dtb, 0)) == NULL) ||
	    (file = power_qemu_slurp(q->conf->file, 1 << 20, &flen)) == NULL) {
		util_fmt(why, whylen, "the image or %s cannot be read: %s", q->conf->file,
		    strerror(errno));
		return -1;
	}
	/* conf: the board file, QEMU, its command line without the build's files. */
	if ((f = open_memstream(&text, &len)) == NULL) {
		free(file);
		return -1;
	}
	fwrite(file, 1, flen, f);
	fputc('\0', f);
	power_qemu_keyput(f, binary);
	power_qemu_keyput(f, ver);
	for (a = 0; a < cmd.argc; a++) {
		if (a > 0 && (strcmp(cmd.argv[a - 1], "-kernel") == 0 ||
		    strcmp(cmd.argv[a - 1], "-initrd") == 0 || strcmp(cmd.argv[a - 1], "-dtb") == 0))
			continue;
		power_qemu_keyput(f, cmd.argv[a]);
	}
	fclose(f);
	rc |= qsnap_digest(text, len, q->key.conf);
	free(text);
	free(file);
	/* slot: the build by name; build: what the name is now. */
	text = xasprintf("%s", img->package[0] ? img->package : img->kernel);
	rc |= qsnap_digest(text, strlen(text), q->key.slot);
	free(text);
	if ((f = open_memstream(&text, &len)) == NULL)
		return -1;
	power_qemu_keyput(f, k);
	power_qemu_keyput(f, i);
	power_qemu_keyput(f, d);
	power_qemu_keyput(f, img->kernel);
	power_qemu_keyput(f, img->initrd);
	power_qemu_keyput(f, img->dtb);
	fclose(f);
	rc |= qsnap_digest(text, len, q->key.build);
	free(text);
	if (rc != 0)
		util_fmt(why, whylen, "no SHA-256");
	return rc == 0 ? 0 : -1;
}

/* The last line QEMU wrote to its log (why it refused a snapshot), in out. */
static void
power_qemu_log_tail(struct power_qemu *q, char *out, size_t outlen)
{
	char path[300], *text, *end, *line;
	size_t n = 0;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s.qemu.log", q->rundir, q->conf->name);
	if ((text = power_qemu_slurp(path, 1 << 16, &n)) == NULL)
		return;
	end = text + n;
	while (end > text && (end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	*end = '\0';
	line = strrchr(text, '\n');
	util_strlcpy(out, line ? line + 1 : text, outlen);
	free(text);
}

static void
power_qemu_say(struct power_qemu *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
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
static int
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

/* Waits until QEMU has read the whole snapshot (it waits paused); 0, or -1 with err. */
static int
power_qemu_incoming(struct power_qemu *q, char *err, size_t errlen)
{
	int64_t deadline = util_now_ms() + 60000;

	for (;;) {
		cJSON *msg = power_qemu_qmp(q->qmp_fd, "{\"execute\":\"query-status\"}\n", 5000);
		cJSON *st = msg ? cJSON_GetObjectItem(cJSON_GetObjectItem(msg, "return"), "status") :
		    NULL;
		char status[32] = "";

		if (cJSON_IsString(st))
			util_strlcpy(status, st->valuestring, sizeof(status));
		cJSON_Delete(msg);
		if (strcmp(status, "paused") == 0)
			return 0;
		if (strcmp(status, "inmigrate") != 0 || !power_qemu_alive(q)) {
			char tail[256];

			power_qemu_log_tail(q, tail, sizeof(tail));
			util_fmt(err, errlen, "%s", tail[0] ? tail :
			    status[0] ? status : "QEMU stopped answering");
			return -1;
		}
		if (util_now_ms() > deadline) {
			util_fmt(err, errlen, "not read within 60 s");
			return -1;
		}
		util_sleep_ms(5);
	}
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
	char snap[600], why[300], tail[256];
	int snapfd;

	power_qemu_off(q);
	q->console[0] = '\0';
	/*
	 * A machine whose restored guest never printed its ready line (sabrelite's did not) would
	 * cost a boot timeout at each power-on: this board boots cold from now on.
	 */
	if (q->restored && !q->restored_up && !q->snap_broken) {
		q->snap_broken = 1;
		if (q->key_ok && qsnap_find(q->snapdir, b->name, &q->key, snap, sizeof(snap)) ==
		    QSNAP_HIT)
			unlink(snap);
		power_qemu_say(q, "snapshot: the restored board did not come up: dropped; cold boots"
		    " until rigd restarts (qemu.snapshot: false in the board file says so for good)");
	}
	q->restored = 0;
	q->restored_up = 0;
	q->key_ok = 0;
	q->ssh_port = b->ssh_port > 0 ? b->ssh_port : power_qemu_free_port();
	snprintf(q->qmp_path, sizeof(q->qmp_path), "%s/%s.qmp", q->rundir, b->name);
	if (q->qc->snapshot && !q->snap_broken && (power_qemu_key(q, img, why, sizeof(why)) == -1 ||
	    qsnap_dir(q->rundir, q->snapdir, sizeof(q->snapdir), why, sizeof(why)) == -1))
		power_qemu_say(q, "snapshot: none for this boot (%s)", why);
	else if (q->qc->snapshot && !q->snap_broken) {
		int64_t t0 = util_now_ms();

		q->key_ok = 1;
		switch (qsnap_find(q->snapdir, b->name, &q->key, snap, sizeof(snap))) {
		case QSNAP_NONE:
			break;
		case QSNAP_STALE:
			power_qemu_say(q, "snapshot stale (the board file, the build or QEMU changed):"
			    " dropped; a cold boot");
			break;
		case QSNAP_HIT:
			snapfd = open(snap, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
			if (snapfd == -1) {
				util_fmt(why, sizeof(why), "%s", strerror(errno));
			} else {
				power_qemu_cmdline(q, img, q->ssh_port, q->qmp_path, &cmd);
				if (power_qemu_spawn(q, &cmd, snapfd, why, sizeof(why)) == 0 &&
				    power_qemu_incoming(q, why, sizeof(why)) == 0) {
					close(snapfd);
					q->restored = 1;
					q->restore_ms = util_now_ms() - t0;
					return 0;
				}
				close(snapfd);
				power_qemu_off(q);
				/* QEMU's own words, when it said why it stopped. */
				power_qemu_log_tail(q, tail, sizeof(tail));
				if (tail[0])
					util_strlcpy(why, tail, sizeof(why));
			}
			unlink(snap);
			power_qemu_say(q, "snapshot unusable (%s): dropped; a cold boot", why);
			break;
		}
	}
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

/* Sends cmd with fd attached (SCM_RIGHTS), as QMP's getfd takes it; its reply, or NULL. */
static cJSON *
power_qemu_qmp_passfd(int sock, const char *cmd, int fd, int timeout_ms)
{
	union {
		char		buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr	align;
	} u;
	struct iovec iov = { (void *)cmd, strlen(cmd) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
	    .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;

	memset(u.buf, 0, sizeof(u.buf));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) != (ssize_t)iov.iov_len)
		return NULL;
	return power_qemu_qmp(sock, "", timeout_ms);
}

/* 1 when QEMU answered cmd with "return" (not "error"). */
static int
power_qemu_qmp_ok(int fd, const char *cmd, int timeout_ms)
{
	cJSON *msg = power_qemu_qmp(fd, cmd, timeout_ms);
	int ok = msg && cJSON_GetObjectItem(msg, "return");

	cJSON_Delete(msg);
	return ok;
}

/*
 * Writes the paused machine to fd (QMP migrate to an fd rigd opened): 0 once QEMU says the
 * migration completed (it has written and flushed every byte by then), or -1 with err.
 */
static int
power_qemu_migrate(struct power_qemu *q, int fd, char *err, size_t errlen)
{
	int64_t deadline = util_now_ms() + 60000;
	cJSON *msg;

	/* The default bandwidth limit makes a 100 MB state take 0.6 s instead of 0.16 s. */
	if (!power_qemu_qmp_ok(q->qmp_fd, "{\"execute\":\"migrate-set-parameters\",\"arguments\":"
	    "{\"max-bandwidth\":10737418240}}\n", 5000)) {
		util_fmt(err, errlen, "qmp migrate-set-parameters refused");
		return -1;
	}
	msg = power_qemu_qmp_passfd(q->qmp_fd,
	    "{\"execute\":\"getfd\",\"arguments\":{\"fdname\":\"rigsnap\"}}\n", fd, 5000);
	if (msg == NULL || !cJSON_GetObjectItem(msg, "return")) {
		cJSON_Delete(msg);
		util_fmt(err, errlen, "qmp getfd refused");
		return -1;
	}
	cJSON_Delete(msg);
	if (!power_qemu_qmp_ok(q->qmp_fd, "{\"execute\":\"migrate\",\"arguments\":"
	    "{\"uri\":\"fd:rigsnap\"}}\n", 5000)) {
		util_fmt(err, errlen, "qmp migrate refused");
		return -1;
	}
	for (;;) {
		cJSON *st;
		char status[32] = "";

		msg = power_qemu_qmp(q->qmp_fd, "{\"execute\":\"query-migrate\"}\n", 5000);
		st = msg ? cJSON_GetObjectItem(cJSON_GetObjectItem(msg, "return"), "status") : NULL;
		if (cJSON_IsString(st))
			util_strlcpy(status, st->valuestring, sizeof(status));
		cJSON_Delete(msg);
		if (strcmp(status, "completed") == 0)
			return 0;
		if (strcmp(status, "failed") == 0 || strcmp(status, "cancelled") == 0 ||
		    msg == NULL) {
			util_fmt(err, errlen, "migration %s", status[0] ? status : "unanswered");
			return -1;
		}
		if (util_now_ms() > deadline) {
			util_fmt(err, errlen, "migration not done within 60 s");
			return -1;
		}
		util_sleep_ms(5);
	}
}

/*
 * The board booted cold to its ready line: saved, paused meanwhile (0.2-0.6 s, on the board's
 * thread; the event loop goes on), then let go on. Not when it was restored (that state is
 * saved already) nor when the disk lacks room for a RAM image and some more.
 */
static void
power_qemu_settled(void *self)
{
	struct power_qemu *q = self;
	int64_t t0 = util_now_ms(), room;
	char tmp[600], path[600], err[300];
	struct statvfs vfs;
	struct stat st;
	int fd, rc;

	if (q->restored)
		q->restored_up = 1;
	if (!q->qc->snapshot || q->snap_broken || q->restored || !q->key_ok || q->qmp_fd == -1)
		return;
	room = statvfs(q->snapdir, &vfs) == 0 ? (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize : 0;
	if (room < ((int64_t)q->qc->memory + 256) << 20) {
		power_qemu_say(q, "snapshot not saved: %lld MB free in %s, %d MB wanted",
		    (long long)(room >> 20), q->snapdir, q->qc->memory + 256);
		return;
	}
	if ((fd = qsnap_create(q->snapdir, q->conf->name, tmp, sizeof(tmp), err,
	    sizeof(err))) == -1) {
		power_qemu_say(q, "snapshot not saved: %s", err);
		return;
	}
	if (!power_qemu_qmp_ok(q->qmp_fd, "{\"execute\":\"stop\"}\n", 5000)) {
		util_fmt(err, sizeof(err), "qmp stop refused");
		rc = -1;
	} else {
		rc = power_qemu_migrate(q, fd, err, sizeof(err));
		/* Whatever became of the file, the board goes on. */
		if (!power_qemu_qmp_ok(q->qmp_fd, "{\"execute\":\"cont\"}\n", 5000))
			log_warnx("%s: qmp cont after the snapshot refused", q->conf->name);
	}
	if (rc == 0 && fstat(fd, &st) == 0 && st.st_size == 0) {
		util_fmt(err, sizeof(err), "QEMU wrote nothing");
		rc = -1;
	}
	close(fd);
	if (rc == 0)
		rc = qsnap_commit(q->snapdir, q->conf->name, &q->key, tmp, path, sizeof(path), err,
		    sizeof(err));
	else
		unlink(tmp);
	if (rc == 0)
		power_qemu_say(q, "snapshot saved: %lld MB in %.2fs (%s)",
		    (long long)(st.st_size >> 20), (util_now_ms() - t0) / 1000.0, path);
	else
		power_qemu_say(q, "snapshot not saved: %s", err);
}

static void
power_qemu_set_report(void *self, power_report_fn *fn, void *arg)
{
	struct power_qemu *q = self;

	q->report = fn;
	q->report_arg = arg;
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
