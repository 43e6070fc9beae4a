/* board: one board's state machine, its thread (power, boot, runs, recovery) and its console log. */
#include "rigd.h"
#include "console.h"
#include "log.h"
#include "queue.h"
#include "remote.h"
#include "report.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *board_state_names[] = {
	[BOARD_OFF] = "OFF",
	[BOARD_BOOTING] = "BOOTING",
	[BOARD_READY] = "READY",
	[BOARD_RUNNING] = "RUNNING",
	[BOARD_HUNG] = "HUNG",
	[BOARD_CRASHED] = "CRASHED",
	[BOARD_DEAD] = "DEAD",
	[BOARD_RECOVERING] = "RECOVERING",
	[BOARD_FAULT] = "FAULT",
};

const char *
board_state_name(enum board_state s)
{
	return s < UTIL_NELEM(board_state_names) ? board_state_names[s] : "?";
}

void
board_set_state_locked(struct board *b, enum board_state s, const char *reason)
{
	const char *from = board_state_name(b->state);

	if (b->state == s && strcmp(b->reason, reason ? reason : "") == 0)
		return;
	log_info("%s: %s -> %s%s%s", b->conf.name, from, board_state_name(s), reason ? ": " : "",
	    reason ? reason : "");
	store_board_event(b->rigd->store, b->conf.name, from, board_state_name(s), reason);
	store_board_set(b->rigd->store, b->conf.name, b->conf.arch, board_state_name(s), reason);
	b->state = s;
	util_strlcpy(b->reason, reason ? reason : "", sizeof(b->reason));
}

enum board_state
board_state(struct board *b)
{
	enum board_state s;

	pthread_mutex_lock(&b->lock);
	s = b->state;
	pthread_mutex_unlock(&b->lock);
	return s;
}

static void
board_set_state(struct board *b, enum board_state s, const char *reason)
{
	pthread_mutex_lock(&b->lock);
	board_set_state_locked(b, s, reason);
	pthread_mutex_unlock(&b->lock);
}

cJSON *
board_describe(struct board *b)
{
	cJSON *o = cJSON_CreateObject();
	char classes[256] = "";
	int i;

	for (i = 0; i < b->conf.ndevices; i++) {
		if (i)
			strncat(classes, " ", sizeof(classes) - strlen(classes) - 1);
		strncat(classes, b->conf.devices[i].cls, sizeof(classes) - strlen(classes) - 1);
	}
	pthread_mutex_lock(&b->lock);
	cJSON_AddStringToObject(o, "name", b->conf.name);
	cJSON_AddStringToObject(o, "arch", b->conf.arch);
	cJSON_AddStringToObject(o, "state", board_state_name(b->state));
	cJSON_AddStringToObject(o, "reason", b->reason);
	cJSON_AddStringToObject(o, "classes", classes);
	cJSON_AddNumberToObject(o, "queued", b->njobs);
	cJSON_AddStringToObject(o, "release", b->release);
	cJSON_AddStringToObject(o, "console_log", b->con.log);
	cJSON_AddNumberToObject(o, "console_bytes", (double)b->con.bytes);
	pthread_mutex_unlock(&b->lock);
	return o;
}

/* Triage callback, under the board's lock (the event loop feeds the console in). */
static void
board_on_report(const struct triage_report *rep, void *arg)
{
	struct board *b = arg;
	struct board_crash *c;

	log_info("%s: console: %s", b->conf.name, rep->title);
	store_crash_add(b->rigd->store, b->run_id, b->conf.name, b->build_id, rep->title, rep->type,
	    rep->frame, rep->corrupted, b->con.log, (int64_t)rep->start, (int64_t)rep->end,
	    rep->text);
	if (b->ncrashes >= BOARD_MAX_CRASHES)
		return;
	c = &b->crashes[b->ncrashes++];
	util_strlcpy(c->title, rep->title, sizeof(c->title));
	util_strlcpy(c->type, rep->type, sizeof(c->type));
	util_strlcpy(c->frame, rep->frame, sizeof(c->frame));
	c->corrupted = rep->corrupted;
	c->start = (int64_t)rep->start;
	c->end = (int64_t)rep->end;
	c->text = xmalloc(rep->textlen + 1);
	memcpy(c->text, rep->text, rep->textlen);
	c->text[rep->textlen] = '\0';
}

void
board_console_read(struct board *b)
{
	char buf[65536];
	ssize_t n;

	pthread_mutex_lock(&b->lock);
	n = capture_read(&b->con, buf, sizeof(buf));
	pthread_mutex_unlock(&b->lock);
	if (n > 0)
		control_console(b->rigd, b, buf, (size_t)n);
	else if (n == -1)
		pthread_cond_broadcast(&b->cond);
}

void
board_console_tick(struct board *b, int64_t now)
{
	pthread_mutex_lock(&b->lock);
	/* A report that stops mid-way (the board froze) is delivered after two quiet seconds. */
	capture_tick(&b->con, now, 2000);
	pthread_mutex_unlock(&b->lock);
}

/* A new boot: a new log file, a fresh triage, the console fd handed to the event loop. */
static int
board_console_attach(struct board *b, int fd, char *err, size_t errlen)
{
	char dir[600], path[700];
	int i, rc;

	snprintf(dir, sizeof(dir), "%s/console/%s", b->rigd->statedir, b->conf.name);
	util_mkdirs(dir);
	pthread_mutex_lock(&b->lock);
	capture_free(&b->con);
	for (i = 0; i < b->ncrashes; i++)
		free(b->crashes[i].text);
	b->ncrashes = 0;
	b->boot_no++;
	util_fmt(path, sizeof(path), "%s/boot-%lld-%04d.log", dir,
	    (long long)(util_wall_ms() / 1000), b->boot_no);
	rc = capture_open(&b->con, fd, path, "rig-board: ready", board_on_report, b);
	if (rc == -1)
		util_fmt(err, errlen, "%s: %s", path, strerror(errno));
	pthread_mutex_unlock(&b->lock);
	control_wake(b->rigd);
	return rc;
}

/* Reads KEY=VALUE lines of the image the firmware builder made. */
static int
board_image_read(struct board *b, char *err, size_t errlen)
{
	FILE *f = fopen(b->image_env, "r");
	char line[1024];

	if (f == NULL) {
		util_fmt(err, errlen, "%s: %s", b->image_env, strerror(errno));
		return -1;
	}
	b->kernel[0] = b->initrd[0] = b->dtb[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '='), *v;
		line[strcspn(line, "\n")] = '\0';
		if (eq == NULL)
			continue;
		*eq = '\0';
		v = eq + 1;
		if (strcmp(line, "KERNEL") == 0)
			util_strlcpy(b->kernel, v, sizeof(b->kernel));
		else if (strcmp(line, "INITRD") == 0)
			util_strlcpy(b->initrd, v, sizeof(b->initrd));
		else if (strcmp(line, "DTB") == 0)
			util_strlcpy(b->dtb, v, sizeof(b->dtb));
		else if (strcmp(line, "SHA256") == 0)
			util_strlcpy(b->image_sha256, v, sizeof(b->image_sha256));
		else if (strcmp(line, "CONFIG_SHA256") == 0)
			util_strlcpy(b->config_sha256, v, sizeof(b->config_sha256));
		else if (strcmp(line, "PACKAGE") == 0)
			util_strlcpy(b->package, v, sizeof(b->package));
		else if (strcmp(line, "PACKAGE_VERSION") == 0)
			util_strlcpy(b->package_version, v, sizeof(b->package_version));
	}
	fclose(f);
	if (!b->kernel[0] || !b->initrd[0]) {
		util_fmt(err, errlen, "%s: no KERNEL or INITRD", b->image_env);
		return -1;
	}
	return 0;
}

/* The firmware builder makes (or finds cached) the kernel and initramfs for this board. */
static int
board_image(struct board *b, char *err, size_t errlen)
{
	struct rigd *r = b->rigd;
	char cmd[4096], out[600], line[600] = "";
	FILE *p;
	int st;

	util_fmt(out, sizeof(out), "%s/images/%s", r->statedir, b->conf.name);
	snprintf(cmd, sizeof(cmd), "'%s/mkimage' --arch '%s' --kernel '%s' --modules '%s'"
	    " --key '%s.pub' --cache '%s' --out '%s'%s%s%s", r->firmwaredir, b->conf.arch,
	    b->boot_package, b->conf.modules, r->keyfile, r->cachedir, out,
	    b->conf.qemu_dtb[0] ? " --dtb '" : "", b->conf.qemu_dtb,
	    b->conf.qemu_dtb[0] ? "'" : "");
	log_debug("%s: %s", b->conf.name, cmd);
	p = popen(cmd, "r");
	if (p == NULL) {
		util_fmt(err, errlen, "mkimage: %s", strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), p))
		;
	st = pclose(p);
	line[strcspn(line, "\n")] = '\0';
	if (st != 0 || line[0] == '\0') {
		util_fmt(err, errlen, "image for %s (%s) could not be built: see rigd's log",
		    b->conf.name, b->boot_package);
		return -1;
	}
	util_strlcpy(b->image_env, line, sizeof(b->image_env));
	return board_image_read(b, err, errlen);
}

static void
board_power_off(struct board *b)
{
	remote_close(b->ssh);
	b->ssh = NULL;
	power_qemu_stop(&b->qemu);
	pthread_mutex_lock(&b->lock);
	b->release[0] = '\0';
	pthread_mutex_unlock(&b->lock);
}

/* Asks the board who it is: the build is what the running kernel says, not what was meant. */
static int
board_identify(struct board *b, char *err, size_t errlen)
{
	char out[1024], *nl;
	struct store_build sb = { 0 };
	int64_t id;
	int st;

	if (remote_run(b->ssh, "uname -r; cat /proc/version", 10000, &st, out, sizeof(out)) != 0 ||
	    st != 0) {
		util_fmt(err, errlen, "uname on the board failed: %s", out);
		return -1;
	}
	nl = strchr(out, '\n');
	if (nl == NULL) {
		util_fmt(err, errlen, "uname on the board printed nothing useful");
		return -1;
	}
	*nl = '\0';
	util_strlcpy(b->release, out, sizeof(b->release));
	util_strlcpy(b->version, nl + 1, sizeof(b->version));
	b->version[strcspn(b->version, "\n")] = '\0';
	util_strlcpy(sb.name, b->package[0] ? b->package : b->release, sizeof(sb.name));
	util_strlcpy(sb.release, b->release, sizeof(sb.release));
	util_strlcpy(sb.version, b->version, sizeof(sb.version));
	util_strlcpy(sb.arch, b->conf.arch, sizeof(sb.arch));
	util_strlcpy(sb.image_sha256, b->image_sha256, sizeof(sb.image_sha256));
	util_strlcpy(sb.config_sha256, b->config_sha256, sizeof(sb.config_sha256));
	snprintf(sb.origin, sizeof(sb.origin), "debian:%s=%s", b->package, b->package_version);
	/* A build registered by hand is known by its image: the board's report joins that row. */
	id = store_build_find_image(b->rigd->store, b->image_sha256);
	if (id > 0)
		store_build_reported(b->rigd->store, id, b->version);
	else
		id = store_build_get_or_add(b->rigd->store, &sb);
	if (b->boot_build > 0 && id != b->boot_build) {
		util_fmt(err, errlen, "build mismatch: asked for build %lld, the board runs %s (%s)",
		    (long long)b->boot_build, b->release, b->image_sha256);
		return -1;
	}
	pthread_mutex_lock(&b->lock);
	b->build_id = id;
	pthread_mutex_unlock(&b->lock);
	return 0;
}

/* Power on and wait until SSH answers and the board has said which kernel it runs. */
static int
board_boot_once(struct board *b, char *err, size_t errlen)
{
	struct power_qemu_image img;
	int64_t t0 = util_now_ms(), deadline;
	int fd;

	if (strcmp(b->conf.power_backend, "qemu") != 0) {
		util_fmt(err, errlen, "power backend %s is not served by this rigd",
		    b->conf.power_backend);
		return -1;
	}
	if (board_image(b, err, errlen) == -1)
		return -1;
	img.kernel = b->kernel;
	img.initrd = b->initrd;
	img.dtb = b->dtb;
	b->ssh_port = b->conf.ssh_port > 0 ? b->conf.ssh_port : power_qemu_free_port();
	if (power_qemu_start(&b->conf, &img, b->rigd->statedir, b->ssh_port, &b->qemu, err,
	    errlen) == -1)
		return -1;
	fd = console_open(b->qemu.console, b->conf.baud, err, errlen);
	if (fd == -1 || board_console_attach(b, fd, err, errlen) == -1) {
		power_qemu_stop(&b->qemu);
		return -1;
	}
	/* The console is open before the CPU starts: the log has the boot from its first byte. */
	if (power_qemu_cont(&b->qemu) == -1) {
		util_fmt(err, errlen, "qmp cont failed");
		power_qemu_stop(&b->qemu);
		return -1;
	}
	deadline = t0 + b->conf.boot_timeout_ms;
	/*
	 * The board's init prints its ready line once sshd listens: waiting for it spares the
	 * early connection attempts that user networking would leave hanging for seconds.
	 */
	for (;;) {
		int64_t seen;

		pthread_mutex_lock(&b->lock);
		seen = b->con.marker_at;
		pthread_mutex_unlock(&b->lock);
		if (seen >= 0 || util_now_ms() >= deadline || !power_qemu_alive(&b->qemu))
			break;
		util_sleep_ms(50);
	}
	b->console_ready_ms = util_now_ms() - t0;
	while (util_now_ms() < deadline) {
		char serr[256];

		if (!power_qemu_alive(&b->qemu)) {
			util_fmt(err, errlen, "QEMU exited during boot (see %s)", b->con.log);
			board_power_off(b);
			return -1;
		}
		b->ssh = remote_connect(b->conf.ssh_host, b->ssh_port, b->conf.ssh_user,
		    b->rigd->keyfile, 3000, serr, sizeof(serr));
		if (b->ssh)
			break;
		log_debug("%s: %s", b->conf.name, serr);
		util_sleep_ms(500);
	}
	if (b->ssh == NULL) {
		util_fmt(err, errlen, "no SSH within %llds of power-on",
		    (long long)(b->conf.boot_timeout_ms / 1000));
		board_power_off(b);
		return -1;
	}
	if (board_identify(b, err, errlen) == -1) {
		board_power_off(b);
		return -1;
	}
	b->boot_ms = util_now_ms() - t0;
	b->runs_since_boot = 0;
	return 0;
}

/* Boots, retrying once: a board that fails twice is taken out of service with the reason. */
static int board_boot_as(struct board *b, enum board_state during, int fault_on_fail);

static int
board_boot(struct board *b, enum board_state during)
{
	return board_boot_as(b, during, 1);
}

/*
 * fault_on_fail: a board that cannot boot its own kernel is broken (FAULT, out of service);
 * one that cannot boot a build it was asked to try has shown something about that build.
 */
static int
board_boot_as(struct board *b, enum board_state during, int fault_on_fail)
{
	char err[512], reason[600];
	int attempt;

	for (attempt = 1; attempt <= 2; attempt++) {
		board_set_state(b, during, attempt == 1 ? "power on" : "power on, second attempt");
		b->console_ready_ms = -1;
		if (board_boot_once(b, err, sizeof(err)) == 0) {
			util_fmt(reason, sizeof(reason), "%s up in %.1fs", b->release,
			    b->boot_ms / 1000.0);
			store_boot(b->rigd->store, b->conf.name, b->build_id,
			    during == BOARD_RECOVERING ? "recovery" : b->boot_why, "ready",
			    b->console_ready_ms, b->boot_ms, b->con.log, NULL);
			board_set_state(b, BOARD_READY, reason);
			return 0;
		}
		log_warnx("%s: boot failed: %s", b->conf.name, err);
		store_boot(b->rigd->store, b->conf.name, -1,
		    during == BOARD_RECOVERING ? "recovery" : b->boot_why, "failed",
		    b->console_ready_ms, -1, b->con.log, err);
	}
	util_fmt(reason, sizeof(reason), "boot failed: %s", err);
	board_set_state(b, fault_on_fail ? BOARD_FAULT : BOARD_OFF, reason);
	return -1;
}

static int
board_ready(struct board *b)
{
	enum board_state s;

	pthread_mutex_lock(&b->lock);
	s = b->state;
	pthread_mutex_unlock(&b->lock);
	if (s == BOARD_READY && power_qemu_alive(&b->qemu) && b->ssh)
		return 0;
	if (s == BOARD_READY || s == BOARD_RUNNING)
		board_power_off(b);
	return board_boot(b, BOARD_BOOTING);
}

static void
board_emit(struct board *b, struct board_job *job, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
board_emit(struct board *b, struct board_job *job, const char *type, const char *fmt, ...)
{
	cJSON *o;
	char msg[1024];
	va_list ap;

	if (job->client == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", type);
	cJSON_AddStringToObject(o, "board", b->conf.name);
	cJSON_AddStringToObject(o, "msg", msg);
	control_post(b->rigd, job->client, o);
}

static void
board_result(struct board *b, struct board_job *job, const char *status, const char *error,
    cJSON *extra)
{
	cJSON *o = extra ? extra : cJSON_CreateObject();

	if (job->client == 0) {
		cJSON_Delete(o);
		return;
	}
	cJSON_AddStringToObject(o, "type", "result");
	cJSON_AddStringToObject(o, "status", status);
	cJSON_AddStringToObject(o, "board", b->conf.name);
	if (error)
		cJSON_AddStringToObject(o, "error", error);
	control_post(b->rigd, job->client, o);
}

/* After a hang, crash or lab error: power cycle and boot so the next run starts clean. */
static void
board_recover(struct board *b, struct board_job *job, int64_t run_id)
{
	int64_t t0 = util_now_ms();
	int rc;

	board_set_state(b, BOARD_RECOVERING, "power cycle");
	board_emit(b, job, "log", "recovering the board (power cycle)");
	board_power_off(b);
	rc = board_boot(b, BOARD_RECOVERING);
	if (run_id > 0)
		store_run_recovery(b->rigd->store, run_id, util_now_ms() - t0,
		    rc == 0 ? "ready" : "fault");
	board_emit(b, job, "log", "recovery %s after %.1fs", rc == 0 ? "done" : "failed",
	    (util_now_ms() - t0) / 1000.0);
}

/*
 * Makes the board run a registered build (0: whatever it runs, else its own kernel). Virtual
 * boards boot Debian packages; a build without one cannot run there. 0, or -1 with err.
 */
static int
board_use_build(struct board *b, int64_t build, char *err, size_t errlen)
{
	char id[32];
	const char *p[1] = { id };
	cJSON *rows, *row, *pkg;
	enum board_state s;

	pthread_mutex_lock(&b->lock);
	s = b->state;
	pthread_mutex_unlock(&b->lock);
	if (build <= 0) {
		if (s == BOARD_OFF || s == BOARD_FAULT) {
			util_strlcpy(b->boot_package, b->conf.kernel_package, sizeof(b->boot_package));
			b->boot_build = 0;
		}
		if (board_ready(b) == -1) {
			pthread_mutex_lock(&b->lock);
			util_fmt(err, errlen, "%s", b->reason);
			pthread_mutex_unlock(&b->lock);
			return -1;
		}
		return 0;
	}
	if (b->build_id == build && b->ssh && power_qemu_alive(&b->qemu) &&
	    (s == BOARD_READY || s == BOARD_RUNNING))
		return 0;
	snprintf(id, sizeof(id), "%lld", (long long)build);
	rows = store_query(b->rigd->store, "SELECT name, package, arch FROM builds WHERE id = ?", p,
	    1);
	row = rows ? cJSON_GetArrayItem(rows, 0) : NULL;
	pkg = row ? cJSON_GetObjectItem(row, "package") : NULL;
	if (row == NULL) {
		util_fmt(err, errlen, "no build %s", id);
		cJSON_Delete(rows);
		return -1;
	}
	if (!cJSON_IsString(pkg) || !pkg->valuestring[0]) {
		util_fmt(err, errlen, "build %s has no Debian package: virtual boards boot packages",
		    cJSON_GetObjectItem(row, "name")->valuestring);
		cJSON_Delete(rows);
		return -1;
	}
	util_strlcpy(b->boot_package, pkg->valuestring, sizeof(b->boot_package));
	cJSON_Delete(rows);
	b->boot_build = build;
	board_power_off(b);
	if (board_boot_as(b, BOARD_BOOTING, 0) == -1) {
		pthread_mutex_lock(&b->lock);
		util_fmt(err, errlen, "%s", b->reason);
		pthread_mutex_unlock(&b->lock);
		/* Back to the board's own kernel for whoever comes next. */
		util_strlcpy(b->boot_package, b->conf.kernel_package, sizeof(b->boot_package));
		b->boot_build = 0;
		return -1;
	}
	return 0;
}

int
board_reboot(struct board *b, char *msg, size_t len)
{
	int64_t t0 = util_now_ms();
	int rc;

	board_power_off(b);
	/* A boot a scenario asked for (poweroff, cut) is part of its run, not of the night's boots. */
	b->boot_why = "in-run";
	rc = board_boot(b, BOARD_BOOTING);
	b->boot_why = "power on";
	if (rc == -1) {
		pthread_mutex_lock(&b->lock);
		util_fmt(msg, len, "%s", b->reason);
		pthread_mutex_unlock(&b->lock);
		return -1;
	}
	util_fmt(msg, len, "%s, power cycle %.1fs", b->release, (util_now_ms() - t0) / 1000.0);
	board_set_state(b, BOARD_RUNNING, "after a power cycle");
	b->runs_since_boot = 1;
	return 0;
}

/* After a run: READY again, or recovered when a step or the verdict left the board in doubt. */
static void
board_after_run(struct board *b, struct board_job *job, struct runner_result *res)
{
	if ((strcmp(res->verdict, "pass") == 0 || strcmp(res->verdict, "fail") == 0) &&
	    !res->needs_boot) {
		board_set_state(b, BOARD_READY, "");
	} else if (strcmp(res->verdict, "pass") == 0 || strcmp(res->verdict, "fail") == 0) {
		board_recover(b, job, res->run_id);
	} else {
		enum board_state s = strcmp(res->verdict, "hang") == 0 ? BOARD_HUNG :
		    strcmp(res->verdict, "crash") == 0 ? BOARD_CRASHED : BOARD_DEAD;
		board_set_state(b, s, res->title);
		board_recover(b, job, res->run_id);
	}
}

static void
board_do_run(struct board *b, struct board_job *job)
{
	struct runner_result res;
	char err[512];
	cJSON *o;

	if (board_use_build(b, job->build_id, err, sizeof(err)) == -1) {
		board_result(b, job, PROTO_FAILED, err, NULL);
		return;
	}
	/* Poweroff scenarios must not inherit what an earlier run left in the kernel. */
	if (job->scenario->fresh_boot && b->runs_since_boot > 0) {
		board_emit(b, job, "log", "fresh boot for %s", job->scenario->name);
		board_power_off(b);
		if (board_boot(b, BOARD_BOOTING) == -1) {
			pthread_mutex_lock(&b->lock);
			board_result(b, job, PROTO_FAILED, b->reason, NULL);
			pthread_mutex_unlock(&b->lock);
			return;
		}
	}
	board_set_state(b, BOARD_RUNNING, job->scenario->name);
	b->runs_since_boot++;
	runner_run(b, job, &res);
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "run", (double)res.run_id);
	cJSON_AddStringToObject(o, "scenario", job->scenario->name);
	cJSON_AddStringToObject(o, "verdict", res.verdict);
	cJSON_AddStringToObject(o, "title", res.title);
	cJSON_AddStringToObject(o, "build", b->release);
	cJSON_AddStringToObject(o, "version", b->version);
	cJSON_AddStringToObject(o, "detail", res.detail ? res.detail : "");
	cJSON_AddStringToObject(o, "stack", res.stack ? res.stack : "");
	cJSON_AddStringToObject(o, "console_log", b->con.log);
	board_result(b, job, PROTO_OK, NULL, o);
	board_after_run(b, job, &res);
	runner_result_free(&res);
}

static void
board_do_power(struct board *b, struct board_job *job)
{
	int rc = 0;

	if (strcmp(job->action, "off") == 0 || strcmp(job->action, "cycle") == 0) {
		board_power_off(b);
		board_set_state(b, BOARD_OFF, job->action);
	}
	if (strcmp(job->action, "on") == 0 || strcmp(job->action, "cycle") == 0)
		rc = board_ready(b);
	pthread_mutex_lock(&b->lock);
	board_result(b, job, rc == 0 ? PROTO_OK : PROTO_FAILED, rc == 0 ? NULL : b->reason,
	    NULL);
	pthread_mutex_unlock(&b->lock);
}

/* Records a run that never started (its build did not boot): the matrix shows why. */
static void
board_record_error(struct board *b, const char *scenario, int64_t build, const char *title,
    const char *detail)
{
	struct store_run_end e = { 0 };
	int64_t run;

	run = store_run_begin(b->rigd->store, b->conf.name, scenario, build, 0, b->con.log, 0);
	util_strlcpy(e.verdict, "error", sizeof(e.verdict));
	util_strlcpy(e.title, title, sizeof(e.title));
	e.detail = detail;
	store_run_end(b->rigd->store, run, &e);
}

/*
 * One nightly job: boot its build unless the board runs it already, run the scenario, then
 * retry a lab error (up to QUEUE_MAX_ATTEMPTS) or confirm a kernel verdict that differs from
 * the previous build's by running it once more.
 */
static void
board_do_queue(struct board *b, struct queue_job *qj)
{
	struct store *st = b->rigd->store;
	struct board_job job = { 0 };
	struct runner_result res;
	char err[512], note[600];
	int i;

	job.kind = JOB_RUN;
	job.scenario = rigd_scenario(b->rigd, qj->scenario);
	job.build_id = qj->build_id;
	job.queue_id = qj->id;
	job.repeat_of = qj->repeat_of;
	util_strlcpy(job.repeat_why, qj->why, sizeof(job.repeat_why));
	if (job.scenario == NULL) {
		board_record_error(b, qj->scenario, qj->build_id, "scenario gone",
		    "the scenario file was removed after the job was queued");
		queue_finish(st, qj->id, "error", "scenario gone");
		return;
	}
	if (board_use_build(b, qj->build_id, err, sizeof(err)) == -1) {
		cJSON *pending = queue_pending_for(st, b->conf.name, qj->build_id), *it;

		/* The build does not boot: its jobs here end now and the queue moves on. */
		util_fmt(note, sizeof(note), "boot failed: %s", err);
		board_record_error(b, qj->scenario, qj->build_id, "boot failed", note);
		queue_finish(st, qj->id, "error", note);
		cJSON_ArrayForEach(it, pending) {
			cJSON *sc = cJSON_GetObjectItem(it, "scenario");
			board_record_error(b, cJSON_IsString(sc) ? sc->valuestring : "?",
			    qj->build_id, "boot failed", note);
			queue_finish(st, (int64_t)cJSON_GetObjectItem(it, "id")->valuedouble, "error",
			    note);
		}
		cJSON_Delete(pending);
		return;
	}
	board_set_state(b, BOARD_RUNNING, qj->scenario);
	b->runs_since_boot++;
	runner_run(b, &job, &res);
	if (strcmp(res.verdict, "error") == 0) {
		if (qj->attempts < QUEUE_MAX_ATTEMPTS) {
			util_fmt(note, sizeof(note), "lab error, attempt %d: %s", qj->attempts,
			    res.title);
			queue_retry(st, qj->id, res.run_id, note);
		} else
			queue_finish(st, qj->id, "error", res.title);
	} else {
		queue_finish(st, qj->id, "done", res.verdict);
		i = strcmp(qj->why, "confirm") == 0 ? 0 :
		    report_should_confirm(st, res.run_id, err, sizeof(err));
		if (i == 1)
			queue_add(st, qj->nightly, qj->build_id, b->conf.name, qj->scenario,
			    res.run_id, "confirm", 1);
	}
	board_after_run(b, &job, &res);
	runner_result_free(&res);
}

static void *
board_main(void *arg)
{
	struct board *b = arg;

	for (;;) {
		struct board_job *job;
		struct queue_job qj;
		struct timespec until;

		pthread_mutex_lock(&b->lock);
		/* Interactive jobs come first; the nightly queue is looked at when none wait. */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 2;
		while (b->jobs == NULL && !b->stopping && !b->queue_poke)
			if (pthread_cond_timedwait(&b->cond, &b->lock, &until) != 0)
				break;
		b->queue_poke = 0;
		if (b->stopping) {
			pthread_mutex_unlock(&b->lock);
			break;
		}
		job = b->jobs;
		if (job) {
			b->jobs = job->next;
			if (b->jobs == NULL)
				b->jobs_tail = NULL;
			b->njobs--;
		}
		pthread_mutex_unlock(&b->lock);

		if (job) {
			if (job->kind == JOB_RUN)
				board_do_run(b, job);
			else
				board_do_power(b, job);
			free(job);
			continue;
		}
		if (board_state(b) != BOARD_FAULT &&
		    queue_claim(b->rigd->store, b->conf.name, b->build_id, &qj) == 1) {
			board_do_queue(b, &qj);
			/* The next job, at once: a night is a row of jobs, not a poll per job. */
			pthread_mutex_lock(&b->lock);
			b->queue_poke = 1;
			pthread_mutex_unlock(&b->lock);
		}
	}
	board_power_off(b);
	return NULL;
}

struct board *
board_new(struct rigd *r, const struct board_conf *conf)
{
	struct board *b = xcalloc(1, sizeof(*b));

	b->rigd = r;
	b->conf = *conf;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->cond, NULL);
	b->state = BOARD_OFF;
	b->con.fd = -1;
	b->con.log_fd = -1;
	b->run_id = -1;
	b->build_id = -1;
	b->qemu.qmp_fd = -1;
	util_strlcpy(b->boot_package, conf->kernel_package, sizeof(b->boot_package));
	b->boot_why = "power on";
	store_board_set(r->store, conf->name, conf->arch, "OFF", "rigd started");
	return b;
}

int
board_start(struct board *b)
{
	return pthread_create(&b->thread, NULL, board_main, b) == 0 ? 0 : -1;
}

void
board_stop(struct board *b)
{
	pthread_mutex_lock(&b->lock);
	b->stopping = 1;
	pthread_mutex_unlock(&b->lock);
	pthread_cond_broadcast(&b->cond);
	pthread_join(b->thread, NULL);
}

int
board_enqueue(struct board *b, struct board_job *job)
{
	int pos;

	pthread_mutex_lock(&b->lock);
	job->next = NULL;
	if (b->jobs_tail)
		b->jobs_tail->next = job;
	else
		b->jobs = job;
	b->jobs_tail = job;
	pos = b->njobs++;
	pthread_mutex_unlock(&b->lock);
	pthread_cond_broadcast(&b->cond);
	return pos;
}
