/*
 * power_qemu_snap: the qemu power backend's snapshots: the key of a power-on (qsnap.h), the save
 * of a board at its ready line, and the restore at the next power-on.
 */
#include "power_qemu_int.h"
#include "kbuild.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

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
void
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

/*
 * Starts QEMU paused from the board's snapshot of this machine and build, when there is one and
 * snapshots are on: 0 when restored (QEMU waits to be let go), -1 when the board boots cold;
 * a snapshot found unusable is dropped, and why is said.
 */
int
power_qemu_snap_restore(struct power_qemu *q, const struct boot_image *img)
{
	const struct board_conf *b = q->conf;
	struct power_qemu_cmd cmd;
	char snap[600], why[300], tail[256];
	int snapfd;

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
	return -1;
}
