/* board_boot: power-on to READY and back through the board's parts, recovery after a run, who the board is. */
#include "rigd.h"
#include "kbuild.h"
#include "log.h"
#include "remote.h"
#include "storebuf.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How often a booting board's power is looked at while its console talks (board_boot_once). */
#define BOARD_BOOT_LOOK_BUSY_MS	2000

void
board_power_off(struct board *b)
{
	remote_close(b->ssh);
	b->ssh = NULL;
	if (b->power)
		power_off(b->power);
	pthread_mutex_lock(&b->lock);
	b->release[0] = '\0';
	pthread_mutex_unlock(&b->lock);
}

int
board_probe(struct board *b, char *why, size_t whylen)
{
	struct conf_errors errs = { 0 };
	size_t used = 0;
	int i, rc;

	why[0] = '\0';
	rc = parts_probe(&b->conf, &b->ops, &errs);
	for (i = 0; i < errs.n && used < whylen; i++)
		used += (size_t)snprintf(why + used, whylen - used, "%s%s", i ? "; " : "",
		    errs.msg[i]);
	conf_errors_free(&errs);
	pthread_mutex_lock(&b->lock);
	b->missing = rc == -1;
	pthread_mutex_unlock(&b->lock);
	return rc;
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
	nl[1 + strcspn(nl + 1, "\n")] = '\0';
	/* release and version are read by the event loop (show boards): written under lock. */
	pthread_mutex_lock(&b->lock);
	util_strlcpy(b->release, out, sizeof(b->release));
	util_strlcpy(b->version, nl + 1, sizeof(b->version));
	pthread_mutex_unlock(&b->lock);
	util_strlcpy(sb.name, b->img.package[0] ? b->img.package : b->release, sizeof(sb.name));
	util_strlcpy(sb.release, b->release, sizeof(sb.release));
	util_strlcpy(sb.version, b->version, sizeof(sb.version));
	util_strlcpy(sb.arch, b->conf.arch, sizeof(sb.arch));
	util_strlcpy(sb.image_sha256, b->img.sha256, sizeof(sb.image_sha256));
	util_strlcpy(sb.config_sha256, b->img.config_sha256, sizeof(sb.config_sha256));
	snprintf(sb.origin, sizeof(sb.origin), "debian:%s=%s", b->img.package,
	    b->img.package_version);
	/* A build registered by hand is known by its image: the board's report joins that row. */
	id = store_build_find_image(b->rigd->store, b->img.sha256);
	if (id > 0) {
		if (store_build_reported(b->rigd->store, id, b->version) == -1)
			log_warnx("%s: build %lld: reported version not stored", b->conf.name,
			    (long long)id);
	} else
		id = store_build_get_or_add(b->rigd->store, &sb);
	if (id <= 0 && store_lost(b->rigd->store) && b->img.sha256[0]) {
		/*
		 * PostgreSQL away: the build asked for (its row named this image before the boot),
		 * or the one this thread last identified by the same image, is this one.
		 */
		if (b->boot_build > 0)
			id = b->boot_build;
		else if (strcmp(b->ident_sha, b->img.sha256) == 0)
			id = b->ident_build;
		if (id > 0)
			log_info("%s: the store is away: build %lld taken as the one its image %.12s"
			    " names", b->conf.name, (long long)id, b->img.sha256);
	}
	if (id > 0) {
		util_strlcpy(b->ident_sha, b->img.sha256, sizeof(b->ident_sha));
		b->ident_build = id;
	}
	if (id <= 0) {
		util_fmt(err, errlen, "the store cannot record build %s", b->release);
		return -1;
	}
	if (b->boot_build > 0 && id != b->boot_build) {
		util_fmt(err, errlen, "build mismatch: asked for build %lld, the board runs %s (%s)",
		    (long long)b->boot_build, b->release, b->img.sha256);
		return -1;
	}
	pthread_mutex_lock(&b->lock);
	b->build_id = id;
	pthread_mutex_unlock(&b->lock);
	return 0;
}

/* The console as the boot part may use it: typing at the board, waiting for what it prints. */
static int
board_boot_con_write(void *arg, const char *s, size_t len)
{
	struct board *b = arg;
	ssize_t n = -1;

	pthread_mutex_lock(&b->lock);
	if (b->con.fd != -1)
		n = write(b->con.fd, s, len);
	pthread_mutex_unlock(&b->lock);
	return n == (ssize_t)len ? 0 : -1;
}

/* The console's text from byte from on, at most max bytes; NULs read as '?' for string searches. */
static char *
board_boot_con_text(void *arg, int64_t from, size_t max)
{
	size_t n, i;
	char *buf = board_console_since(arg, from, SIZE_MAX / 2, &n, NULL);

	if (n > max)
		buf[n = max] = '\0';
	for (i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = '?';
	return buf;
}

/*
 * Reads each console byte once: what came since the last look, after the end of what was
 * looked at before (as long as the longest text less one byte, so a text split across two reads
 * still matches). Woken by the event loop as bytes come (con_cond), not by a clock.
 */
static int
board_boot_con_expect(void *arg, const char *const *texts, int64_t *from, int64_t timeout_ms)
{
	struct board *b = arg;
	int64_t deadline = util_now_ms() + timeout_ms, pos = *from, base = *from, to, top;
	size_t keep = 0, have = 0, i;
	char *win = NULL;
	int rc = -1;

	for (i = 0; texts[i]; i++)
		if (strlen(texts[i]) > keep)
			keep = strlen(texts[i]);
	keep = keep ? keep - 1 : 0;
	for (;;) {
		int64_t now = util_now_ms();

		pthread_mutex_lock(&b->lock);
		to = b->con.bytes;
		if (to <= pos && now < deadline) {
			/* Power is looked at twice a second while the console is quiet. */
			int64_t until = now + 500 < deadline ? now + 500 : deadline;
			struct timespec ts;

			util_deadline(&ts, CLOCK_MONOTONIC, until - now);
			pthread_cond_timedwait(&b->con_cond, &b->lock, &ts);
			to = b->con.bytes;
		}
		pthread_mutex_unlock(&b->lock);
		if (to > pos) {
			size_t n, j;
			char *add = board_console_since(b, pos, SIZE_MAX / 2, &n, &top);
			const char *best = NULL;
			int which = -1;

			for (j = 0; j < n; j++)
				if (add[j] == '\0')
					add[j] = '?';
			win = xrealloc(win, have + n + 1);
			memcpy(win + have, add, n + 1);
			free(add);
			have += n;
			pos = top;
			/* The text that ends first is what the board said first. */
			for (i = 0; texts[i]; i++) {
				const char *hit = strstr(win, texts[i]);

				if (hit && (best == NULL || hit + strlen(texts[i]) <
				    best + strlen(texts[which]))) {
					best = hit;
					which = (int)i;
				}
			}
			if (best) {
				*from = base + (int64_t)(best - win) + (int64_t)strlen(texts[which]);
				rc = which;
				break;
			}
			if (have > keep) {
				memmove(win, win + have - keep, keep + 1);
				base += (int64_t)(have - keep);
				have = keep;
			}
			continue;
		}
		if (util_now_ms() >= deadline || !power_alive(b->power))
			break;
	}
	free(win);
	return rc;
}

/*
 * Power on and wait until SSH answers and the board has said which kernel it runs. -1 with err;
 * -2 when a person was asked to switch the power and nobody did, -3 when the board showed
 * another host key than the one pinned for it (no second attempt for either).
 */
static int
board_boot_once(struct board *b, char *err, size_t errlen)
{
	struct boot_console con = { b, board_boot_con_write, board_boot_con_expect,
	    board_boot_con_text };
	int64_t t0 = util_now_ms(), t_on, deadline;
	struct remote_hostkey hk = { 0 };
	char host[64], pinned[sizeof(hk.seen)] = "";
	int fd, port, marked;

	if (b->power == NULL) {
		/* The board names a part this rigd lacks: it was refused at start-up. */
		util_fmt(err, errlen, "%s", b->refused);
		return -1;
	}
	if (board_stopping(b)) {
		util_fmt(err, errlen, "rigd is stopping");
		return -1;
	}
	/* Tried, even if it fails before power flows: a lease's end then resets the board. */
	b->boot_tried_ms = util_wall_ms();
	/* The boot part says what to boot; the power part gets it before power flows. */
	if (boot_prepare(b->boot, b->boot_package, &b->img, err, errlen) == -1)
		return -1;
	/* Making the image may take minutes: a stop meanwhile must not find a new QEMU. */
	if (board_stopping(b)) {
		util_fmt(err, errlen, "rigd is stopping");
		return -1;
	}
	if (power_prepare(b->power, &b->img, err, errlen) == -1)
		return -1;
	fd = console_part_open(b->console, b->power, err, errlen);
	/* A line that can come back is watched for (board_console_watch) when it cannot open. */
	b->console_missing = fd == -1 && console_part_can_reopen(b->console);
	if (fd == -1 || board_console_attach(b, fd, err, errlen) == -1) {
		power_off(b->power);
		return -1;
	}
	/* The console is open before power flows: the log has the boot from its first byte. */
	t_on = util_now_ms();
	board_stage(b, PROTO_STAGE_POWER, 0, power_name(b->power));
	if (power_on(b->power, err, errlen) == -1) {
		power_off(b->power);
		/* Nobody came to switch it: asking again at once would only double the wait. */
		return power_asks_person(b->power) ? -2 : -1;
	}
	/*
	 * A person's switch (power manual) may take minutes: the board's boot, and its timeout,
	 * begin when power flows.
	 */
	t0 += util_now_ms() - t_on;
	if (boot_uboot(b->boot))
		board_stage(b, PROTO_STAGE_UBOOT, util_now_ms() - t0, boot_name(b->boot));
	if (boot_start(b->boot, &con, err, errlen) == -1) {
		power_off(b->power);
		return -1;
	}
	board_stage(b, PROTO_STAGE_KERNEL, util_now_ms() - t0, b->img.package);
	deadline = t0 + b->conf.boot_timeout_ms;
	/*
	 * The board's init prints its ready line once sshd listens: waiting for it spares the
	 * early connection attempts that user networking would leave hanging for seconds.
	 */
	for (;;) {
		int64_t seen, now = util_now_ms(), look;

		pthread_mutex_lock(&b->lock);
		seen = b->con.marker_at;
		/*
		 * Woken when the ready line is read (board_console_read), the console is lost or
		 * rigd stops; power is looked at meanwhile, twice a second while the console is
		 * quiet and every BOARD_BOOT_LOOK_BUSY_MS while it talks (a board that prints has
		 * power; one that loses it falls quiet, and is looked at within that time and the
		 * next half second). Not a 50 ms poll: a board may sit here for its whole boot
		 * timeout, and 256 of them would wake 5000 times a second; at 512 a second, with
		 * every console streaming, the wake-ups were a twelfth of rigd's CPU (bench
		 * console.sh).
		 */
		look = now - b->con.last_ms < 500 ? BOARD_BOOT_LOOK_BUSY_MS : 500;
		if (seen < 0 && now < deadline) {
			int64_t until = now + look < deadline ? now + look : deadline;
			struct timespec ts;

			util_deadline(&ts, CLOCK_REALTIME, until - now);	/* b->cond's clock */
			pthread_cond_timedwait(&b->cond, &b->lock, &ts);
			seen = b->con.marker_at;
		}
		pthread_mutex_unlock(&b->lock);
		if (seen >= 0 || util_now_ms() >= deadline || !power_alive(b->power) ||
		    board_stopping(b))
			break;
	}
	b->console_ready_ms = util_now_ms() - t0;
	/* Up at its ready line, nobody connected yet: a virtual board's power part may keep this. */
	pthread_mutex_lock(&b->lock);
	marked = b->con.marker_at >= 0;
	pthread_mutex_unlock(&b->lock);
	if (marked && power_alive(b->power))
		power_settled(b->power);
	power_ssh_addr(b->power, &b->conf, host, sizeof(host), &port);
	board_stage(b, PROTO_STAGE_SSH, b->console_ready_ms, host);
	/* The key pinned at the board's first connection; none yet: this one pins it. */
	if (store_hostkey_get(b->rigd->store, b->conf.name, pinned, sizeof(pinned)) == -1) {
		/*
		 * PostgreSQL away (a restart): the key this thread last pinned or was shown under
		 * its pin stands for the store's (forget-key clears both). A board never pinned
		 * has none to check against: it waits for the store.
		 */
		if (!store_lost(b->rigd->store) || b->host_key[0] == '\0') {
			util_fmt(err, errlen, "the board's pinned host key cannot be read from the"
			    " store%s", store_lost(b->rigd->store) ? " (its connection is lost, and"
			    " this rigd never saw the board's key)" : "");
			board_power_off(b);
			return -1;
		}
		util_strlcpy(pinned, b->host_key, sizeof(pinned));
		log_info("%s: the store is away: the host key last seen under its pin (%s) is"
		    " checked", b->conf.name, pinned);
	}
	hk.pinned = pinned;
	while (util_now_ms() < deadline) {
		char serr[256];

		if (board_stopping(b)) {
			/* The cut may have come before this boot's power-on: power off here. */
			util_fmt(err, errlen, "rigd is stopping");
			board_power_off(b);
			return -1;
		}
		if (!power_alive(b->power)) {
			util_fmt(err, errlen, "the board died during boot (power %s; see %s)",
			    power_name(b->power), b->con.log);
			board_power_off(b);
			return -1;
		}
		b->ssh = remote_connect(host, port, b->conf.ssh_user, b->rigd->keyfile, 3000, &hk,
		    serr, sizeof(serr));
		if (b->ssh)
			break;
		if (hk.changed) {
			util_fmt(err, errlen, "%s: the board shows %s, the rig pinned %s (rigctl board"
			    " forget-key %s, once the new key is known to be the board's)",
			    error_kind_name(ERROR_HOST_KEY_CHANGED), hk.seen, pinned, b->conf.name);
			board_power_off(b);
			return -3;
		}
		log_debug("%s: %s", b->conf.name, serr);
		util_sleep_ms(500);
	}
	if (b->ssh == NULL) {
		util_fmt(err, errlen, "no SSH within %llds of power-on",
		    (long long)(b->conf.boot_timeout_ms / 1000));
		board_power_off(b);
		return -1;
	}
	if (pinned[0] == '\0') {
		if (store_hostkey_pin(b->rigd->store, b->conf.name, hk.seen) == -1) {
			util_fmt(err, errlen, "the board's host key %s could not be pinned in the store",
			    hk.seen);
			board_power_off(b);
			return -1;
		}
		log_info("%s: host key %s pinned", b->conf.name, hk.seen);
	}
	pthread_mutex_lock(&b->lock);
	util_strlcpy(b->host_key, hk.seen, sizeof(b->host_key));
	/* For rigctl ssh's sessions: their own connections, to where this one answered. */
	util_strlcpy(b->ssh_host, host, sizeof(b->ssh_host));
	b->ssh_port = port;
	pthread_mutex_unlock(&b->lock);
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
	int attempt, rc;

	/* rigd is stopping: no boot, and no FAULT for a board that was fine. */
	if (board_stopping(b))
		return -1;
	/*
	 * A part that is not here (the adapter unplugged, a PDU tool not installed) is said as
	 * such, at once: no boot is tried, none is stored. Asked at each boot, so that a part
	 * plugged in since is used without restarting rigd.
	 */
	if (b->power != NULL && board_probe(b, err, sizeof(err)) == -1) {
		log_warnx("%s: not on this host: %s", b->conf.name, err);
		/*
		 * A recovery (the board was to be on) is done once the part is back
		 * (board_reprobe); a run that asked was told, and the board waits OFF for the next.
		 */
		b->boot_when_back = during == BOARD_RECOVERING;
		util_fmt(reason, sizeof(reason), "%s%s", b->boot_done, err);
		board_set_state(b, BOARD_FAULT, reason);
		return -1;
	}
	b->boot_when_back = 0;
	for (attempt = 1; attempt <= 2; attempt++) {
		util_fmt(reason, sizeof(reason), "%s%s", b->boot_doing,
		    attempt == 1 ? "power on" : "power on, second attempt");
		board_set_state(b, during, reason);
		b->console_ready_ms = -1;
		if ((rc = board_boot_once(b, err, sizeof(err))) == 0) {
			util_fmt(reason, sizeof(reason), "%s%s up in %.1fs", b->boot_done,
			    b->release, b->boot_ms / 1000.0);
			storebuf_boot(b->rigd->store, b->conf.name, b->build_id,
			    during == BOARD_RECOVERING ? "recovery" : b->boot_why, "ready",
			    b->console_ready_ms, b->boot_ms, b->con.log, NULL);
			board_set_state(b, BOARD_READY, reason);
			board_stage(b, PROTO_STAGE_READY, b->boot_ms, b->release);
			return 0;
		}
		log_warnx("%s: boot failed: %s", b->conf.name, err);
		if (board_stopping(b))
			return -1;	/* not the board's fault: no FAULT, no boot row */
		storebuf_boot(b->rigd->store, b->conf.name, -1,
		    during == BOARD_RECOVERING ? "recovery" : b->boot_why, "failed",
		    b->console_ready_ms, -1, b->con.log, err);
		if (rc == -2 || rc == -3)
			break;
	}
	/* Another key is no build's doing: the board is out of service until it is forgotten. */
	if (rc == -3) {
		util_fmt(reason, sizeof(reason), "%s%s", b->boot_done, err);
		board_set_fault(b, ERROR_HOST_KEY_CHANGED, reason);
		return -1;
	}
	util_fmt(reason, sizeof(reason), "%sboot failed: %s", b->boot_done, err);
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
	if (s == BOARD_READY && board_alive(b) && b->ssh)
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
	char	lab_root[1024];		/* a lab build's folder ("" for a package) */
};

static int
board_build_row(const struct store_build_row *r, void *arg)
{
	struct board_build *bb = arg;

	util_strlcpy(bb->name, r->name ? r->name : "", sizeof(bb->name));
	util_strlcpy(bb->package, r->package ? r->package : "", sizeof(bb->package));
	if (bb->package[0] == '\0' &&
	    kbuild_lab_root(r->image_path, r->modules_dir, bb->lab_root, sizeof(bb->lab_root)) == -1)
		bb->lab_root[0] = '\0';
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
	if (b->build_id == build && b->ssh && board_alive(b) &&
	    (s == BOARD_READY || s == BOARD_RUNNING))
		return 0;
	snprintf(id, sizeof(id), "%lld", (long long)build);
	if ((rc = store_build_get(b->rigd->store, build, board_build_row, &bb)) <= 0) {
		util_fmt(err, errlen, rc == 0 ? "no build %s" : "build %s: store unreadable", id);
		return -1;
	}
	/* A package is fetched by name; a lab build is booted from its folder (mkimage --kernel). */
	if (bb.package[0] == '\0' && bb.lab_root[0] == '\0') {
		util_fmt(err, errlen, "build %s has neither a Debian package nor a folder to boot",
		    bb.name);
		return -1;
	}
	util_strlcpy(b->boot_package, bb.package[0] ? bb.package : bb.lab_root,
	    sizeof(b->boot_package));
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

/* After a hang, crash or lab error: power cycle and boot so the next run starts clean. */
static void
board_recover(struct board *b, struct board_job *job, int64_t run_id)
{
	int64_t t0 = util_now_ms();
	int rc;

	/* rigd is stopping: the board is powered off with it, not brought back. */
	if (board_stopping(b))
		return;
	board_set_state(b, BOARD_RECOVERING, "power cycle");
	board_log(b, job, "recovering the board (power cycle)");
	board_stage(b, PROTO_STAGE_RECOVERY, 0, "power cycle");
	board_power_off(b);
	rc = board_boot(b, BOARD_RECOVERING);
	if (run_id > 0 && store_run_recovery(b->rigd->store, run_id, util_now_ms() - t0,
	    rc == 0 ? "ready" : "fault") == -1)
		log_warnx("%s: run %lld: recovery not stored", b->conf.name, (long long)run_id);
	board_log(b, job, "recovery %s after %.1fs", rc == 0 ? "done" : "failed",
	    (util_now_ms() - t0) / 1000.0);
}

/* After a run: READY again, or recovered when a step or the verdict left the board in doubt. */
void
board_after_run(struct board *b, struct board_job *job, struct runner_result *res)
{
	int fine = res->verdict == VERDICT_PASS || res->verdict == VERDICT_FAIL;

	if (fine && !res->needs_boot) {
		board_set_state(b, BOARD_READY, "");
	} else if (fine) {
		board_recover(b, job, res->run_id);
	} else {
		enum board_state s = res->verdict == VERDICT_HANG ? BOARD_HUNG :
		    res->verdict == VERDICT_CRASH ? BOARD_CRASHED : BOARD_DEAD;
		board_set_state(b, s, res->title);
		board_recover(b, job, res->run_id);
	}
}
