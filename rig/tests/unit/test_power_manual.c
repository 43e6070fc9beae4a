/* test_power_manual: the manual power backend through power.h: a request, a person's confirmation from another thread, the timeout, a cut. */
#include "conf.h"
#include "parts.h"
#include "power.h"
#include "util.h"
#include "test.h"
#include "test_board.h"

#include <pthread.h>
#include <unistd.h>

static char dir[] = "/tmp/test_power_manual.XXXXXX";
static struct board_conf board;		/* the part points into it: lives as long as the part */

#define TEST_REPORTS	16
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t report_cond = PTHREAD_COND_INITIALIZER;
static char reported[TEST_REPORTS][1024];
static int nreported;

static void
test_report(void *arg, const char *msg)
{
	(void)arg;
	pthread_mutex_lock(&report_lock);
	if (nreported < TEST_REPORTS)
		util_strlcpy(reported[nreported], msg, sizeof(reported[nreported]));
	nreported++;
	pthread_mutex_unlock(&report_lock);
	pthread_cond_broadcast(&report_cond);
}

/* Waits (5 s at most) until n reports came: a person reacts to the request, not to a clock. */
static int
await_reports(int n)
{
	struct timespec until;
	int got;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&report_lock);
	while (nreported < n)
		if (pthread_cond_timedwait(&report_cond, &report_lock, &until) != 0)
			break;
	got = nreported;
	pthread_mutex_unlock(&report_lock);
	return got >= n;
}

static struct power *
manual_board(const char *lines)
{
	struct conf_errors e = { 0 };
	struct power *p;
	char path[256], err[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/board.yaml", dir);
	if ((f = fopen(path, "w")) == NULL)
		return NULL;
	fprintf(f, "name: desk\narch: arm64\nconsole:\n  kind: tty\n  path: /dev/ttyUSB0\n"
	    "power:\n  backend: manual\n%sboot:\n  method: local\nssh:\n  host: 10.0.0.2\n", lines);
	fclose(f);
	if (board_conf_load(path, &board, &e) == -1) {
		conf_errors_print(&e, stderr);
		conf_errors_free(&e);
		return NULL;
	}
	p = power_new(power_backend_find("manual"), &board, dir, err, sizeof(err));
	if (p != NULL)
		power_set_report(p, test_report, NULL);
	nreported = 0;
	return p;
}

struct on_call {
	struct power	*p;
	int		 rc;
	char		 err[256];
};

static void *
on_thread(void *arg)
{
	struct on_call *c = arg;

	c->rc = power_on(c->p, c->err, sizeof(c->err));
	return NULL;
}

static void
on_waits_for_a_persons_confirmation(void)
{
	struct on_call c = { 0 };
	pthread_t t;
	char what[64], err[256];

	c.p = manual_board("  timeout: 1m\n  hint: the red switch\n");
	CHECK(c.p != NULL);
	if (c.p == NULL)
		return;
	CHECK_INT(power_waiting(c.p, what, sizeof(what)), 0);
	CHECK_STR(what, "");
	CHECK_INT(power_prepare(c.p, NULL, err, sizeof(err)), 0);
	pthread_create(&t, NULL, on_thread, &c);
	CHECK(await_reports(1));
	CHECK_STR(reported[0], "power: waiting for a person: board desk: power on by hand (off first"
	    " if it is on: the boot must start now); the red switch, then: rigctl power desk"
	    " confirm (within 1m)");
	CHECK_INT(power_waiting(c.p, what, sizeof(what)), 1);
	CHECK_STR(what, "power on by hand");
	CHECK_INT(power_alive(c.p), 0);
	CHECK_INT(power_confirm(c.p, err, sizeof(err)), 0);
	pthread_join(t, NULL);
	CHECK_INT(c.rc, 0);
	CHECK_INT(power_alive(c.p), 1);
	CHECK_INT(power_state(c.p, err, sizeof(err)), POWER_ON);
	CHECK_INT(power_waiting(c.p, what, sizeof(what)), 0);
	CHECK(strncmp(reported[1], "power: power on by hand: confirmed by hand after ", 49) == 0);
	/* Off needs nobody's confirmation: the person is told, rigd goes on. */
	power_off(c.p);
	CHECK_INT(power_alive(c.p), 0);
	CHECK_INT(power_state(c.p, err, sizeof(err)), POWER_OFF);
	CHECK_STR(reported[2], "power: rigd is done with desk: it may be switched off by hand (no"
	    " confirmation needed)");
	power_off(c.p);
	CHECK_INT(nreported, 3);
	power_free(c.p);
}

static void
confirm_with_nothing_asked_is_refused(void)
{
	struct power *p = manual_board("");
	char err[256];

	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK_INT(power_confirm(p, err, sizeof(err)), -1);
	CHECK_STR(err, "desk: rigd is not waiting for a person to switch it");
	CHECK_INT(power_state(p, err, sizeof(err)), POWER_UNKNOWN);
	CHECK_STR(err, "power: nobody switched desk for this rigd yet");
	power_free(p);
}

static void
nobody_confirming_fails_on_at_the_timeout(void)
{
	struct power *p = manual_board("  timeout: 1s\n");
	char err[256], what[64];
	int64_t t0 = util_now_ms();

	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK_INT(power_on(p, err, sizeof(err)), -1);
	CHECK(util_now_ms() - t0 >= 1000);
	CHECK_STR(err, "nobody powered the board within 1s (asked: power on by hand, then rigctl"
	    " power desk confirm)");
	CHECK_INT(power_alive(p), 0);
	CHECK_INT(power_waiting(p, what, sizeof(what)), 0);
	CHECK_STR(reported[1], "power: power on by hand: nobody confirmed within 1s");
	/* A confirmation after the request ended is for nothing. */
	CHECK_INT(power_confirm(p, err, sizeof(err)), -1);
	power_free(p);
}

static void
cut_ends_a_waiting_request_at_once(void)
{
	struct on_call c = { 0 };
	pthread_t t;
	char err[256];
	int64_t t0 = util_now_ms();

	c.p = manual_board("  timeout: 1h\n");
	CHECK(c.p != NULL);
	if (c.p == NULL)
		return;
	pthread_create(&t, NULL, on_thread, &c);
	CHECK(await_reports(1));
	power_cut(c.p);
	pthread_join(t, NULL);
	CHECK_INT(c.rc, -1);
	CHECK(util_now_ms() - t0 < 5000);
	CHECK_STR(c.err, "power on by hand: the power was cut (rigd is stopping)");
	/* After a cut nothing more is asked. */
	CHECK_INT(power_on(c.p, err, sizeof(err)), -1);
	CHECK_STR(err, "power on by hand: the power was cut (rigd is stopping)");
	power_free(c.p);
}

static void *
cycle_thread(void *arg)
{
	struct on_call *c = arg;

	c->rc = power_cycle(c->p, c->err, sizeof(c->err));
	return NULL;
}

static void
cycle_asks_for_off_then_on(void)
{
	struct on_call c = { 0 };
	pthread_t t;
	char what[64], err[256];

	c.p = manual_board("");
	CHECK(c.p != NULL);
	if (c.p == NULL)
		return;
	pthread_create(&t, NULL, cycle_thread, &c);
	CHECK(await_reports(1));
	CHECK_INT(power_waiting(c.p, what, sizeof(what)), 1);
	CHECK_STR(what, "power-cycle by hand");
	CHECK_STR(reported[0], "power: waiting for a person: board desk: power-cycle by hand (off,"
	    " then on), then: rigctl power desk confirm (within 10m)");
	CHECK_INT(power_confirm(c.p, err, sizeof(err)), 0);
	pthread_join(t, NULL);
	CHECK_INT(c.rc, 0);
	CHECK_INT(power_alive(c.p), 1);
	power_free(c.p);
}

static void
timeout_out_of_range_is_an_error_at_its_line(void)
{
	char *errs = test_board_errors(dir, "name: desk\narch: arm64\nconsole:\n  kind: tty\n"
	    "  path: /dev/ttyUSB0\npower:\n  backend: manual\n  timeout: 25h\nboot:\n"
	    "  method: local\nssh:\n  host: 10.0.0.2\n");
	char want[300];

	snprintf(want, sizeof(want), "%s/bad.yaml:8: power.timeout: from 1s to 24h (how long a"
	    " person has to switch the board)\n", dir);
	CHECK_STR(errs, want);
	free(errs);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	RUN(on_waits_for_a_persons_confirmation);
	RUN(confirm_with_nothing_asked_is_refused);
	RUN(nobody_confirming_fails_on_at_the_timeout);
	RUN(cut_ends_a_waiting_request_at_once);
	RUN(cycle_asks_for_off_then_on);
	RUN(timeout_out_of_range_is_an_error_at_its_line);
	TEST_END();
}
