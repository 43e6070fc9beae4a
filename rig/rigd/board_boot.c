/* board_boot: power-on to READY and back: images, QEMU, the console hand-over, who the board is. */
#include "rigd.h"
#include "console.h"
#include "log.h"
#include "remote.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void
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
	if (id > 0) {
		if (store_build_reported(b->rigd->store, id, b->version) == -1)
			log_warnx("%s: build %lld: reported version not stored", b->conf.name,
			    (long long)id);
	} else
		id = store_build_get_or_add(b->rigd->store, &sb);
	if (id <= 0) {
		util_fmt(err, errlen, "the store cannot record build %s", b->release);
		return -1;
	}
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
int
board_boot(struct board *b, enum board_state during)
{
	return board_boot_as(b, during, 1);
}

/*
 * fault_on_fail: a board that cannot boot its own kernel is broken (FAULT, out of service);
 * one that cannot boot a build it was asked to try has shown something about that build.
 */
int
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
			if (store_boot(b->rigd->store, b->conf.name, b->build_id,
			    during == BOARD_RECOVERING ? "recovery" : b->boot_why, "ready",
			    b->console_ready_ms, b->boot_ms, b->con.log, NULL) == -1)
				log_warnx("%s: boot not stored", b->conf.name);
			board_set_state(b, BOARD_READY, reason);
			return 0;
		}
		log_warnx("%s: boot failed: %s", b->conf.name, err);
		if (store_boot(b->rigd->store, b->conf.name, -1,
		    during == BOARD_RECOVERING ? "recovery" : b->boot_why, "failed",
		    b->console_ready_ms, -1, b->con.log, err) == -1)
			log_warnx("%s: failed boot not stored", b->conf.name);
	}
	util_fmt(reason, sizeof(reason), "boot failed: %s", err);
	board_set_state(b, fault_on_fail ? BOARD_FAULT : BOARD_OFF, reason);
	return -1;
}

int
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

/*
 * Makes the board run a registered build (0: whatever it runs, else its own kernel). Virtual
 * boards boot Debian packages; a build without one cannot run there. 0, or -1 with err.
 */
/* What board_use_build needs of a build's row. */
struct board_build {
	char	name[128];
	char	package[128];
};

static int
board_build_row(const struct store_build_row *r, void *arg)
{
	struct board_build *bb = arg;

	util_strlcpy(bb->name, r->name ? r->name : "", sizeof(bb->name));
	util_strlcpy(bb->package, r->package ? r->package : "", sizeof(bb->package));
	return 1;
}

int
board_use_build(struct board *b, int64_t build, char *err, size_t errlen)
{
	struct board_build bb = { 0 };
	char id[32];
	enum board_state s;
	int rc;

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
	if ((rc = store_build_get(b->rigd->store, build, board_build_row, &bb)) <= 0) {
		util_fmt(err, errlen, rc == 0 ? "no build %s" : "build %s: store unreadable", id);
		return -1;
	}
	if (bb.package[0] == '\0') {
		util_fmt(err, errlen, "build %s has no Debian package: virtual boards boot packages",
		    bb.name);
		return -1;
	}
	util_strlcpy(b->boot_package, bb.package, sizeof(b->boot_package));
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
