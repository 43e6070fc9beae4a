/* test_power_command: the command power backend through power.h, running real processes. */
#include "conf.h"
#include "parts.h"
#include "power.h"
#include "util.h"
#include "test.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/test_power_command.XXXXXX";
static struct board_conf board;		/* the part points into it: lives as long as the part */

/* What the part reported, in order. */
#define TEST_REPORTS	16
static char reported[TEST_REPORTS][6000];
static int nreported;

static void
test_report(void *arg, const char *msg)
{
	(void)arg;
	if (nreported < TEST_REPORTS)
		util_strlcpy(reported[nreported], msg, sizeof(reported[nreported]));
	nreported++;
}

/* dir/name as a path. */
static const char *
in_dir(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

/*
 * rec.sh LOG STATUS ARGS...: appends its ARGS to LOG, each ended by a NUL, the call ended by a
 * newline, and exits with STATUS. What it records is what it was given: no shell split it.
 */
static void
write_recorder(void)
{
	char path[256];
	FILE *f = fopen(in_dir(path, sizeof(path), "rec.sh"), "w");

	if (f == NULL)
		return;
	fputs("#!/bin/sh\nlog=$1\nstatus=$2\nshift 2\nprintf '%s\\000' \"$@\" >> \"$log\"\n"
	    "printf '\\n' >> \"$log\"\nexit \"$status\"\n", f);
	fclose(f);
	chmod(path, 0700);
}

/* A board with command power: lines are its power: keys; the part reports to test_report. */
static struct power *
command_board(const char *lines)
{
	struct conf_errors e = { 0 };
	struct power *p;
	char path[256], err[256];
	FILE *f = fopen(in_dir(path, sizeof(path), "board.yaml"), "w");

	if (f == NULL)
		return NULL;
	fprintf(f, "name: pdu\narch: arm64\nconsole:\n  kind: tty\n  path: /dev/ttyUSB0\n"
	    "power:\n  backend: command\n%sboot:\n  method: uboot-tftp\n  tftp-dir: /srv/tftp/pdu\n  server-ip: 10.0.0.1\nssh:\n  host: 10.0.0.2\n",
	    lines);
	fclose(f);
	if (board_conf_load(path, &board, &e) == -1) {
		conf_errors_print(&e, stderr);
		conf_errors_free(&e);
		return NULL;
	}
	p = power_new(power_backend_find("command"), &board, dir, err, sizeof(err));
	if (p == NULL)
		fprintf(stderr, "power_new: %s\n", err);
	else
		power_set_report(p, test_report, NULL);
	nreported = 0;
	return p;
}

/* The recorder's log: each call's arguments; NUL-separated, one call a line. */
static char *
recorded(const char *log, size_t *len)
{
	char path[256], *buf = xmalloc(65536);
	FILE *f = fopen(in_dir(path, sizeof(path), log), "r");

	*len = 0;
	buf[0] = '\0';
	if (f == NULL)
		return buf;
	*len = fread(buf, 1, 65535, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static int
recorded_is(const char *log, const char *want, size_t wantlen)
{
	size_t len;
	char *got = recorded(log, &len);
	int same = len == wantlen && memcmp(got, want, len) == 0;

	if (!same)
		fprintf(stderr, "%s holds %zu bytes, not the %zu expected\n", log, len, wantlen);
	free(got);
	return same;
}

/* No child is left, running or dead: every process the part started was waited for. */
static int
no_children(void)
{
	int st;

	return waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD;
}

static void
remove_log(const char *log)
{
	char path[256];

	unlink(in_dir(path, sizeof(path), log));
}

static void
arguments_reach_the_command_exactly_with_no_shell(void)
{
	char lines[1024], err[256];
	struct power *p;

	remove_log("args");
	snprintf(lines, sizeof(lines),
	    "  on: [\"%s/rec.sh\", \"%s/args\", \"0\", --outlet, \"3\", \"two words\", \"it's\","
	    " \"a\\\"b\", \"$HOME\", \"*\", \"; reboot\", \"\"]\n"
	    "  off: [\"%s/rec.sh\", \"%s/args\", \"0\", \"off\"]\n", dir, dir, dir, dir);
	p = command_board(lines);
	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK_STR(power_name(p), "command");
	CHECK_INT(power_on(p, err, sizeof(err)), 0);
	/* Spaces, quotes, $ and * as given; the empty argument too. */
	static const char want[] = "--outlet\0" "3\0" "two words\0" "it's\0" "a\"b\0" "$HOME\0"
	    "*\0" "; reboot\0" "\0" "\n";
	CHECK(recorded_is("args", want, sizeof(want) - 1));
	CHECK_INT(power_alive(p), 1);
	CHECK_INT(power_state(p, err, sizeof(err)), POWER_ON);
	/* Its exit status reached the event log. */
	CHECK_INT(nreported, 1);
	CHECK(strncmp(reported[0], "power on: ", 10) == 0 && strstr(reported[0], ": exit 0 (") !=
	    NULL);
	CHECK(strstr(reported[0], "\"two words\"") != NULL);
	power_off(p);
	CHECK_INT(power_alive(p), 0);
	CHECK_INT(power_state(p, err, sizeof(err)), POWER_OFF);
	/* Off again: the part switched it off itself, no command runs. */
	power_off(p);
	CHECK_INT(nreported, 2);
	power_free(p);
	CHECK(no_children());
}

static void
failing_command_gives_an_error_quoting_its_stderr(void)
{
	struct power *p;
	char err[512];

	p = command_board("  on: [sh, -c, \"echo 'connecting to pdu1'; echo 'pdu1: outlet 3:"
	    " no such outlet' >&2; exit 2\"]\n  off: [sh, -c, \"echo 'pdu1: refused' >&2;"
	    " exit 1\"]\n");
	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK_INT(power_on(p, err, sizeof(err)), -1);
	CHECK_STR(err, "power on: sh exit 2: pdu1: outlet 3: no such outlet");
	CHECK_INT(power_alive(p), 0);
	/* The supply is unknown now, and its state says why. */
	err[0] = '\0';
	CHECK_INT(power_state(p, err, sizeof(err)), POWER_UNKNOWN);
	CHECK_STR(err, "power on: sh exit 2: pdu1: outlet 3: no such outlet");
	CHECK_INT(nreported, 1);
	CHECK(strstr(reported[0], ": exit 2 (") != NULL);
	CHECK(strstr(reported[0], "; stderr: pdu1: outlet 3: no such outlet") != NULL);
	/* What it printed on stdout is not stderr. */
	CHECK(strstr(reported[0], "; stderr: ") != NULL &&
	    strstr(strstr(reported[0], "; stderr: "), "connecting") == NULL);
	/* off has no error to return: a failed off is told and kept for state(). */
	power_off(p);
	CHECK_INT(nreported, 2);
	CHECK(strstr(reported[1], "power off: ") == reported[1] &&
	    strstr(reported[1], "; stderr: pdu1: refused") != NULL);
	CHECK_INT(power_state(p, err, sizeof(err)), POWER_UNKNOWN);
	CHECK_STR(err, "power off: sh exit 1: pdu1: refused");
	power_free(p);
	CHECK(no_children());
}

static void
stderr_is_kept_to_its_last_4_kib(void)
{
	struct power *p;
	char err[512];
	size_t len;

	/* About 60 KiB of stderr, then the line that matters. */
	p = command_board("  on: [sh, -c, \"i=0; while [ $i -lt 2000 ]; do echo \\\"noise line $i"
	    " ..................\\\" >&2; i=$((i+1)); done; echo 'relay 2 stuck' >&2; exit 1\"]\n"
	    "  off: [\"true\"]\n");
	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK_INT(power_on(p, err, sizeof(err)), -1);
	len = strlen(err);
	CHECK(len > 13 && strcmp(err + len - 13, "relay 2 stuck") == 0);
	CHECK(strncmp(err, "power on: sh exit 1: ", 21) == 0);
	CHECK_INT(nreported, 1);
	len = strlen(reported[0]);
	CHECK(len > 4096 && len < 4096 + 512);
	CHECK(len > 13 && strcmp(reported[0] + len - 13, "relay 2 stuck") == 0);
	power_free(p);
	CHECK(no_children());
}

static void
missing_program_is_an_error_naming_it(void)
{
	struct power *p;
	char err[512];

	p = command_board("  on: [/nonexistent/pdu-ctl, \"on\"]\n  off: [\"true\"]\n");
	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK_INT(power_on(p, err, sizeof(err)), -1);
	CHECK_STR(err, "power on: /nonexistent/pdu-ctl cannot run: No such file or directory");
	CHECK_INT(power_alive(p), 0);
	power_free(p);
	CHECK(no_children());
}

/*
 * A command that hangs is killed at its timeout with everything it started (its process
 * group): the call returns soon after, and no process is left, dead or alive.
 */
static void
hanging_command_is_killed_at_its_timeout_with_its_group(void)
{
	char lines[512], path[256], err[512], buf[32] = "";
	struct power *p;
	int64_t t0, ms;
	pid_t grandchild = 0;
	FILE *f;
	int st;

	snprintf(lines, sizeof(lines), "  on: [sh, -c, \"sleep 60 & echo $! > %s/gpid; wait\"]\n"
	    "  off: [\"true\"]\n  timeout: 1s\n", dir);
	p = command_board(lines);
	CHECK(p != NULL);
	if (p == NULL)
		return;
	t0 = util_now_ms();
	CHECK_INT(power_on(p, err, sizeof(err)), -1);
	ms = util_now_ms() - t0;
	CHECK(ms >= 1000 && ms < 1000 + 1000);
	CHECK_STR(err, "power on: sh timed out after 1.0s, killed");
	CHECK_INT(power_alive(p), 0);
	CHECK_INT(power_state(p, err, sizeof(err)), POWER_UNKNOWN);
	CHECK_INT(nreported, 1);
	CHECK(strstr(reported[0], "timed out after 1.0s, killed") != NULL);
	/* The sleep it started was in its group: killed too (this test is its subreaper). */
	f = fopen(in_dir(path, sizeof(path), "gpid"), "r");
	CHECK(f != NULL);
	if (f != NULL) {
		if (fgets(buf, sizeof(buf), f) != NULL)
			grandchild = (pid_t)atoi(buf);
		fclose(f);
	}
	CHECK(grandchild > 0);
	if (grandchild > 0) {
		CHECK_INT(waitpid(grandchild, &st, 0), grandchild);
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	}
	power_free(p);
	CHECK(no_children());
}

static void
state_command_exit_status_maps_to_on_off_unknown(void)
{
	static const struct { const char *status; enum power_state want; } cases[] = {
		{ "0", POWER_ON }, { "1", POWER_OFF }, { "3", POWER_UNKNOWN },
	};
	char lines[1024], err[512];
	struct power *p;
	size_t i;

	for (i = 0; i < UTIL_NELEM(cases); i++) {
		remove_log("state");
		snprintf(lines, sizeof(lines), "  on: [\"true\"]\n  off: [\"true\"]\n"
		    "  state: [\"%s/rec.sh\", \"%s/state\", \"%s\", status, \"3\"]\n", dir, dir,
		    cases[i].status);
		p = command_board(lines);
		CHECK(p != NULL);
		if (p == NULL)
			return;
		err[0] = '\0';
		CHECK_INT(power_state(p, err, sizeof(err)), cases[i].want);
		CHECK(recorded_is("state", "status\0" "3\0" "\n", 10));
		if (cases[i].want == POWER_UNKNOWN)
			CHECK(strstr(err, "power state: ") == err && strstr(err, " exit 3") != NULL);
		else
			CHECK_STR(err, "");
		/* The answer is what alive() says from then on. */
		CHECK_INT(power_alive(p), cases[i].want == POWER_ON);
		CHECK_INT(nreported, 1);
		power_free(p);
	}
	CHECK(no_children());
}

/* Without a cycle command: off, the board's off-time, on; with one: only it. */
static void
cycle_falls_back_to_off_then_on_after_the_off_time(void)
{
	char lines[1024], err[512];
	struct power *p;
	int64_t t0, ms;

	remove_log("cycle");
	snprintf(lines, sizeof(lines), "  on: [\"%s/rec.sh\", \"%s/cycle\", \"0\", \"on\"]\n"
	    "  off: [\"%s/rec.sh\", \"%s/cycle\", \"0\", \"off\"]\n  off-time: 400ms\n",
	    dir, dir, dir, dir);
	p = command_board(lines);
	CHECK(p != NULL);
	if (p == NULL)
		return;
	t0 = util_now_ms();
	CHECK_INT(power_cycle(p, err, sizeof(err)), 0);
	ms = util_now_ms() - t0;
	CHECK(ms >= 400);
	CHECK(recorded_is("cycle", "off\0\non\0\n", 9));
	CHECK_INT(nreported, 2);
	CHECK(strncmp(reported[0], "power off: ", 11) == 0);
	CHECK(strncmp(reported[1], "power on: ", 10) == 0);
	CHECK_INT(power_alive(p), 1);
	power_free(p);

	remove_log("cycle");
	snprintf(lines, sizeof(lines), "  on: [\"%s/rec.sh\", \"%s/cycle\", \"0\", \"on\"]\n"
	    "  off: [\"%s/rec.sh\", \"%s/cycle\", \"0\", \"off\"]\n"
	    "  cycle: [\"%s/rec.sh\", \"%s/cycle\", \"0\", \"reboot\"]\n", dir, dir, dir, dir,
	    dir, dir);
	p = command_board(lines);
	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK_INT(power_cycle(p, err, sizeof(err)), 0);
	CHECK(recorded_is("cycle", "reboot\0\n", 8));
	CHECK_INT(power_alive(p), 1);
	power_free(p);
	CHECK(no_children());
}

/* Before power-on: a supply that may be on is switched off, and left off for the off-time. */
static void
prepare_switches_off_once_and_waits_the_off_time(void)
{
	char lines[1024], err[512];
	struct power *p;
	int64_t t0, ms;

	remove_log("prep");
	snprintf(lines, sizeof(lines), "  on: [\"%s/rec.sh\", \"%s/prep\", \"0\", \"on\"]\n"
	    "  off: [\"%s/rec.sh\", \"%s/prep\", \"0\", \"off\"]\n  off-time: 300ms\n",
	    dir, dir, dir, dir);
	p = command_board(lines);
	CHECK(p != NULL);
	if (p == NULL)
		return;
	/* Never switched by this rigd: it may be on. */
	CHECK_INT(power_state(p, err, sizeof(err)), POWER_UNKNOWN);
	t0 = util_now_ms();
	CHECK_INT(power_prepare(p, NULL, err, sizeof(err)), 0);
	ms = util_now_ms() - t0;
	CHECK(ms >= 300);
	CHECK(recorded_is("prep", "off\0\n", 5));
	/* Off already and rested: nothing to run, nothing to wait for. */
	t0 = util_now_ms();
	CHECK_INT(power_prepare(p, NULL, err, sizeof(err)), 0);
	CHECK(util_now_ms() - t0 < 300);
	CHECK_INT(power_on(p, err, sizeof(err)), 0);
	CHECK(recorded_is("prep", "off\0\non\0\n", 9));
	CHECK_INT(power_alive(p), 1);
	power_free(p);
	CHECK(no_children());
}

struct cutter {
	struct power	*p;
	int		 waited;	/* 1: the command had started when the cut came */
};

/* Cuts the power once the command has started (it says so in a file), 10 s at most. */
static void *
cut_when_started(void *arg)
{
	struct cutter *c = arg;
	char path[256];
	struct stat sb;
	int64_t deadline = util_now_ms() + 10000;

	in_dir(path, sizeof(path), "started");
	while (stat(path, &sb) == -1 && util_now_ms() < deadline)
		util_sleep_ms(10);
	c->waited = stat(path, &sb) == 0;
	power_cut(c->p);
	return NULL;
}

/* rigd's shutdown: a command under way is killed, on is refused from then, off still runs. */
static void
cut_ends_a_running_command_and_refuses_on(void)
{
	char lines[1024], path[256], err[512];
	struct cutter c = { 0 };
	pthread_t t;
	int64_t t0;

	remove_log("cut");
	unlink(in_dir(path, sizeof(path), "started"));
	snprintf(lines, sizeof(lines), "  on: [sh, -c, \"echo > %s/started; exec sleep 60\"]\n"
	    "  off: [\"%s/rec.sh\", \"%s/cut\", \"0\", \"off\"]\n  timeout: 30s\n", dir, dir,
	    dir);
	c.p = command_board(lines);
	CHECK(c.p != NULL);
	if (c.p == NULL)
		return;
	t0 = util_now_ms();
	CHECK_INT(pthread_create(&t, NULL, cut_when_started, &c), 0);
	CHECK_INT(power_on(c.p, err, sizeof(err)), -1);
	pthread_join(t, NULL);
	CHECK(c.waited);
	CHECK(util_now_ms() - t0 < 10000);
	CHECK_STR(err, "power on: sh killed: the power was cut (rigd is stopping)");
	CHECK_INT(power_alive(c.p), 0);
	CHECK_INT(power_on(c.p, err, sizeof(err)), -1);
	CHECK_STR(err, "power on: the power was cut (rigd is stopping)");
	CHECK_INT(nreported, 1);
	power_off(c.p);
	CHECK(recorded_is("cut", "off\0\n", 5));
	power_free(c.p);
	CHECK(no_children());
}

/* The other parts' wants come from the board file: no console line nor SSH address of its own. */
static void
console_and_ssh_come_from_the_board_file(void)
{
	struct power *p = command_board("  on: [\"true\"]\n  off: [\"true\"]\n");
	char path[64], host[64];
	int port;

	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK_INT(power_console_path(p, path, sizeof(path)), -1);
	power_ssh_addr(p, &board, host, sizeof(host), &port);
	CHECK_STR(host, "10.0.0.2");
	CHECK_INT(port, 22);
	CHECK_STR(power_image_dtb(&board), "");
	power_free(p);
}

int
main(void)
{
	char path[256];

	/* Orphans of the commands come here, so that the test can see they were killed. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	write_recorder();
	RUN(arguments_reach_the_command_exactly_with_no_shell);
	RUN(failing_command_gives_an_error_quoting_its_stderr);
	RUN(stderr_is_kept_to_its_last_4_kib);
	RUN(missing_program_is_an_error_naming_it);
	RUN(hanging_command_is_killed_at_its_timeout_with_its_group);
	RUN(state_command_exit_status_maps_to_on_off_unknown);
	RUN(cycle_falls_back_to_off_then_on_after_the_off_time);
	RUN(prepare_switches_off_once_and_waits_the_off_time);
	RUN(cut_ends_a_running_command_and_refuses_on);
	RUN(console_and_ssh_come_from_the_board_file);
	static const char *const files[] = { "rec.sh", "board.yaml", "args", "state", "cycle",
	    "prep", "cut", "started", "gpid" };
	for (size_t i = 0; i < UTIL_NELEM(files); i++)
		unlink(in_dir(path, sizeof(path), files[i]));
	rmdir(dir);
	TEST_END();
}
