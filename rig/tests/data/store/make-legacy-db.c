/*
 * make-legacy-db: writes legacy-v0.db with the store API of commit 1116a9d (before numbered
 * migrations: schema_steps and queue.c's own tables), as rigd of that commit would have left it.
 * Kept for the record; it builds only against that commit's rig/lib:
 *   git archive 1116a9d rig/lib Makefile | tar -x -C /tmp/old && cd /tmp/old && make build/lib/librig.a
 *   cc -std=c11 -D_GNU_SOURCE -Irig/lib make-legacy-db.c build/lib/librig.a $(pkg-config --libs ...)
 */
#include "store.h"
#include "queue.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t
run(struct store *s, const char *board, const char *scen, int64_t build, const char *verdict,
    const char *title, int nsteps)
{
	struct store_run_end e = { .console_end = 2048 };
	int64_t id = store_run_begin(s, board, scen, build, 1000, "/var/lib/rig/console/x.log", 1024);
	int i;

	for (i = 1; i <= nsteps; i++) {
		struct store_step st = { .idx = i, .started_ms = i * 100, .duration_ms = 50 };
		util_strlcpy(st.action, i == nsteps ? "unbind" : "bind", sizeof(st.action));
		util_strlcpy(st.arg, "i2c", sizeof(st.arg));
		util_strlcpy(st.status, i == nsteps && verdict && strcmp(verdict, "hang") == 0 ? "timeout" : "ok",
		    sizeof(st.status));
		util_strlcpy(st.output, "out", sizeof(st.output));
		if (store_run_step(s, id, &st) == -1)
			exit(1);
	}
	if (verdict == NULL)
		return id;	/* left running: rigd died */
	util_strlcpy(e.verdict, verdict, sizeof(e.verdict));
	util_strlcpy(e.title, title, sizeof(e.title));
	e.detail = "detail";
	e.stack = strcmp(verdict, "hang") == 0 ? "[<0>] i2c_del_adapter+0x120/0x1b0" : NULL;
	if (store_run_end(s, id, &e) == -1 || store_run_recovery(s, id, 1500, "ok") == -1)
		exit(1);
	return id;
}

int
main(int argc, char **argv)
{
	struct store_build b = { .name = "linux-image-6.1.0-56-amd64", .release = "6.1.0-56-amd64",
	    .version = "6.1.192-2", .arch = "amd64",
	    .image_sha256 = "c0ffee0192c0ffee0192c0ffee0192c0ffee0192c0ffee0192c0ffee0192c0ff",
	    .origin = "debian:linux-image-6.1.0-56-amd64=6.1.192-2" };
	struct store_build_info info = { .image_path = "/cache/vmlinuz-6.1.0-56-amd64",
	    .package = "linux-image-6.1.0-56-amd64", .package_version = "6.1.192-2",
	    .options = "DETECT_HUNG_TASK=y KASAN=n" };
	char err[256];
	struct store *s;
	int64_t b1, b2, r, n;

	if (argc != 2)
		return 2;
	if ((s = store_open(argv[1], err, sizeof(err))) == NULL ||
	    store_migrate(s, err, sizeof(err)) == -1 || queue_init(s) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	store_board_set(s, "vq35", "amd64", "READY", NULL);
	store_board_set(s, "vsabre", "armhf", "OFF", "powered off");
	store_board_event(s, "vq35", "BOOTING", "READY", NULL);
	store_action(s, 1000, "run i2c-unbind on vq35");
	b1 = store_build_register(s, &b, &info, NULL);
	b = (struct store_build){ .name = "linux-image-6.1.0-47-amd64", .release = "6.1.0-47-amd64",
	    .version = "Linux version 6.1.0-47-amd64 (debian-kernel@lists.debian.org) #1 SMP"
	    " PREEMPT_DYNAMIC Debian 6.1.170-1 (2026-01-10)", .arch = "amd64",
	    .image_sha256 = "c0ffee0170c0ffee0170c0ffee0170c0ffee0170c0ffee0170c0ffee0170c0ff" };
	b2 = store_build_get_or_add(s, &b);
	store_build_reported(s, b1, "Linux version 6.1.0-56-amd64 #1 SMP Debian 6.1.192-2");
	store_boot(s, "vq35", b2, "power on", "ready", 4000, 9000, "/var/lib/rig/console/x.log", NULL);
	store_boot(s, "vq35", -1, "power on", "failed", -1, -1, NULL, "lab: boot failed");

	r = run(s, "vq35", "i2c-unbind", b2, "hang", "INFO: task hung in i2c_del_adapter", 3);
	store_crash_add(s, r, "vq35", b2, "INFO: task hung in i2c_del_adapter", "hang",
	    "i2c_del_adapter", 0, "/var/lib/rig/console/x.log", 1024, 2048, "stack");
	run(s, "vq35", "i2c-unbind-release", b2, "pass", "", 4);
	r = run(s, "vq35", "uart-unbind", b1, "crash", "WARNING in refcount_warn_saturate", 2);
	store_crash_add(s, r, "vq35", b1, "WARNING in refcount_warn_saturate", "warning",
	    "refcount_warn_saturate", 0, "/var/lib/rig/console/x.log", 1100, 1900, "report");
	r = run(s, "vq35", "i2c-unbind", b1, "error", "lab: ssh failed", 1);
	n = run(s, "vq35", "i2c-unbind", b1, "hang", "INFO: task hung in i2c_del_adapter", 3);
	store_run_repeat(s, n, r, "lab-retry");
	store_crash_add(s, n, "vq35", b1, "INFO: task hung in i2c_del_adapter", "hang",
	    "i2c_del_adapter", 0, "/var/lib/rig/console/x.log", 1024, 2048, "stack");
	run(s, "vsabre", "i2c-unbind", -1, "pass", "", 2);

	n = queue_nightly_new(s, 1000);
	r = queue_add(s, n, b1, "vq35", "i2c-unbind-release", 0, NULL, 0);
	queue_finish(s, r, "done", "pass");
	queue_add(s, n, b1, "vq35", "uart-unbind", 0, NULL, 0);
	queue_add(s, n, b2, "vq35", "uart-unbind", 4, "confirm", 1);
	r = queue_add(s, n, b2, "vq35", "i2c-unbind", 0, NULL, 0);
	{
		struct queue_job qj;
		if (queue_claim(s, "vq35", b2, &qj) != 1)
			return 1;
	}
	/* The last run is left running, as a killed rigd leaves it. */
	r = run(s, "vq35", "i2c-unbind", b2, NULL, NULL, 1);
	store_close(s);
	return 0;
}
