/* test_hangwatch: samples in, hang / not yet / moves out; and the board's loop run for real. */
#include "test.h"
#include "hangwatch.h"
#include "shquote.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A sample line as the board's loop prints it. */
static enum hangwatch_verdict
feed(struct hangwatch *w, const char *line)
{
	struct hangwatch_sample s;

	if (hangwatch_parse(line, &s) == -1) {
		fprintf(stderr, "not a sample: %s\n", line);
		test_cur_failed = 1;
		return HANGWATCH_MOVES;
	}
	return hangwatch_feed(w, &s);
}

static void
sample_lines_are_read_and_other_lines_are_not(void)
{
	struct hangwatch_sample s;

	CHECK_INT(hangwatch_parse("hw 123.45 D i2c_del_adapter 5230014 12 3", &s), 0);
	CHECK_INT(s.t_ms, 123450);
	CHECK_INT(s.state, 'D');
	CHECK_STR(s.wchan, "i2c_del_adapter");
	CHECK_STR(s.run, "5230014");
	CHECK_STR(s.vcsw, "12");
	CHECK_STR(s.ivcsw, "3");
	CHECK_INT(s.gone, 0);
	CHECK_INT(hangwatch_parse("hw 7 S 0 - - -", &s), 0);
	CHECK_INT(s.t_ms, 7000);
	CHECK_INT(hangwatch_parse("hw gone", &s), 0);
	CHECK_INT(s.gone, 1);
	CHECK_INT(hangwatch_parse("sh: can't open /proc/1/stat", &s), -1);
	CHECK_INT(hangwatch_parse("hw 12.x D w 1 2 3", &s), -1);
	CHECK_INT(hangwatch_parse("hw 12.0 DD w 1 2 3", &s), -1);
	CHECK_INT(hangwatch_parse("hw 12.0 D w 1 2", &s), -1);
}

static void
stuck_writer_is_a_hang_after_the_still_time(void)
{
	struct hangwatch w;

	hangwatch_init(&w);
	CHECK_INT(feed(&w, "hw 100.00 D i2c_del_adapter 500 9 1"), HANGWATCH_MOVES);
	CHECK_INT(feed(&w, "hw 100.20 D i2c_del_adapter 500 9 1"), HANGWATCH_NOT_YET);
	CHECK_INT(feed(&w, "hw 100.40 D i2c_del_adapter 500 9 1"), HANGWATCH_NOT_YET);
	CHECK_INT(feed(&w, "hw 100.60 D i2c_del_adapter 500 9 1"), HANGWATCH_NOT_YET);
	CHECK_INT(hangwatch_still_ms(&w), 600);
	CHECK_INT(feed(&w, "hw 100.80 D i2c_del_adapter 500 9 1"), HANGWATCH_HANG);
	CHECK_INT(hangwatch_still_ms(&w), 800);
}

static void
progress_starts_the_still_time_again(void)
{
	struct hangwatch w;

	hangwatch_init(&w);
	feed(&w, "hw 1.00 D msleep 500 9 1");
	feed(&w, "hw 1.20 D msleep 500 9 1");
	feed(&w, "hw 1.40 D msleep 500 9 1");
	/* It woke (a voluntary switch): polling hardware in a loop is not a hang. */
	CHECK_INT(feed(&w, "hw 1.60 D msleep 500 10 1"), HANGWATCH_MOVES);
	CHECK_INT(feed(&w, "hw 1.80 D msleep 500 10 1"), HANGWATCH_NOT_YET);
	CHECK_INT(feed(&w, "hw 2.00 D msleep 500 10 1"), HANGWATCH_NOT_YET);
	CHECK_INT(feed(&w, "hw 2.20 D msleep 500 10 1"), HANGWATCH_NOT_YET);
	/* It ran (CPU time), though its counts stayed. */
	CHECK_INT(feed(&w, "hw 2.40 D msleep 501 10 1"), HANGWATCH_MOVES);
	/* It waits somewhere else now. */
	CHECK_INT(feed(&w, "hw 2.60 D mutex_lock 501 10 1"), HANGWATCH_MOVES);
	CHECK_INT(feed(&w, "hw 3.40 D mutex_lock 501 10 1"), HANGWATCH_NOT_YET);
	CHECK_INT(feed(&w, "hw 3.60 D mutex_lock 501 10 1"), HANGWATCH_NOT_YET);
	CHECK_INT(feed(&w, "hw 3.80 D mutex_lock 501 10 1"), HANGWATCH_HANG);
}

static void
interruptible_or_unnamed_sleep_is_never_a_hang(void)
{
	struct hangwatch w;
	int i, hang = 0;
	char line[64];

	hangwatch_init(&w);
	for (i = 0; i < 20; i++) {
		snprintf(line, sizeof(line), "hw %d.00 S pipe_read 500 9 1", i);
		hang |= feed(&w, line) != HANGWATCH_MOVES;
	}
	for (i = 0; i < 20; i++) {
		snprintf(line, sizeof(line), "hw %d.00 D 0 500 9 1", 20 + i);
		hang |= feed(&w, line) != HANGWATCH_MOVES;
	}
	CHECK_INT(hang, 0);
	CHECK_INT(hangwatch_still_ms(&w), 0);
}

static void
too_few_samples_or_too_short_is_not_yet(void)
{
	struct hangwatch w;

	/* Samples far apart (a busy board): the time is there, the samples are not. */
	hangwatch_init(&w);
	feed(&w, "hw 5.00 D i2c_del_adapter 1 1 1");
	CHECK_INT(feed(&w, "hw 6.00 D i2c_del_adapter 1 1 1"), HANGWATCH_NOT_YET);
	CHECK_INT(feed(&w, "hw 7.00 D i2c_del_adapter 1 1 1"), HANGWATCH_NOT_YET);
	CHECK_INT(feed(&w, "hw 8.00 D i2c_del_adapter 1 1 1"), HANGWATCH_HANG);
	/* Many samples close together: the samples are there, the time is not. */
	hangwatch_init(&w);
	feed(&w, "hw 5.00 D i2c_del_adapter 1 1 1");
	CHECK_INT(feed(&w, "hw 5.10 D i2c_del_adapter 1 1 1"), HANGWATCH_NOT_YET);
	CHECK_INT(feed(&w, "hw 5.20 D i2c_del_adapter 1 1 1"), HANGWATCH_NOT_YET);
	CHECK_INT(feed(&w, "hw 5.30 D i2c_del_adapter 1 1 1"), HANGWATCH_NOT_YET);
	CHECK_INT(feed(&w, "hw 5.70 D i2c_del_adapter 1 1 1"), HANGWATCH_NOT_YET);
	CHECK_INT(feed(&w, "hw 5.80 D i2c_del_adapter 1 1 1"), HANGWATCH_HANG);
}

static void
writer_that_returns_is_gone_not_hung(void)
{
	struct hangwatch w;

	hangwatch_init(&w);
	feed(&w, "hw 1.00 D i2c_del_adapter 1 1 1");
	feed(&w, "hw 1.20 D i2c_del_adapter 1 1 1");
	feed(&w, "hw 1.40 D i2c_del_adapter 1 1 1");
	CHECK_INT(feed(&w, "hw gone"), HANGWATCH_GONE);
	CHECK_INT(hangwatch_still_ms(&w), 0);
	/* A sample that goes back in time (a new clock) starts over. */
	hangwatch_init(&w);
	feed(&w, "hw 9.00 D x 1 1 1");
	feed(&w, "hw 9.20 D x 1 1 1");
	feed(&w, "hw 9.40 D x 1 1 1");
	CHECK_INT(feed(&w, "hw 1.00 D x 1 1 1"), HANGWATCH_MOVES);
}

/* Runs the board's loop under this host's /bin/sh for pid; returns what it printed. */
static void
run_loop(const char *pid, int64_t max_ms, char *out, size_t len)
{
	char qpid[64], cmd[2048];
	FILE *f;
	size_t n;

	shquote(pid, qpid, sizeof(qpid));
	CHECK_INT(hangwatch_cmd(qpid, max_ms, cmd, sizeof(cmd)), 0);
	/* popen's shell is the point: the loop is shell text meant for one. */
	f = popen(cmd, "r");
	n = f ? fread(out, 1, len - 1, f) : 0;
	out[n] = '\0';
	if (f)
		pclose(f);
}

/* 1 once pid sleeps interruptibly (its /proc stat's state S), 0 when it does not within ms. */
static int
task_sleeps(pid_t pid, int64_t ms)
{
	char path[64], buf[512], *rp;
	struct timespec pause_ts = { 0, 10 * 1000 * 1000 };
	int64_t waited;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (waited = 0; waited < ms; waited += 10) {
		if ((f = fopen(path, "r")) != NULL) {
			n = fread(buf, 1, sizeof(buf) - 1, f);
			fclose(f);
			buf[n] = '\0';
			/* The state follows the command's closing parenthesis. */
			if ((rp = strrchr(buf, ')')) != NULL && rp[1] == ' ' && rp[2] == 'S')
				return 1;
		}
		nanosleep(&pause_ts, NULL);
	}
	return 0;
}

static void
board_loop_samples_a_real_task_until_it_ends(void)
{
	char out[4096], pid[32], *line, *save = NULL;
	struct hangwatch w;
	struct hangwatch_sample s;
	int samples = 0, bad = 0;
	pid_t child = fork();

	if (child == 0) {
		pause();
		_exit(0);
	}
	snprintf(pid, sizeof(pid), "%d", (int)child);
	/*
	 * The child is running until it reaches pause() (long enough under ThreadSanitizer for
	 * the first sample to see it running): its state is only in /proc, so it is looked at.
	 */
	CHECK(task_sleeps(child, 10000));
	/* Bounded by max_ms: three samples of a task sleeping interruptibly. */
	run_loop(pid, 2 * HANGWATCH_PERIOD_MS, out, sizeof(out));
	hangwatch_init(&w);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (hangwatch_parse(line, &s) == -1 || s.state != 'S' || s.gone) {
			fprintf(stderr, "unexpected: %s\n", line);
			bad++;
			continue;
		}
		samples++;
		CHECK_INT(hangwatch_feed(&w, &s), HANGWATCH_MOVES);
		CHECK(strcmp(s.run, "-") != 0 && strcmp(s.vcsw, "-") != 0);
	}
	CHECK_INT(samples, 3);
	CHECK_INT(bad, 0);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	/* Ended (and reaped): the loop says so and stops. */
	run_loop(pid, 10000, out, sizeof(out));
	CHECK_STR(out, "hw gone\n");
	/* A PID that is not a number is one quoted word all the same: no sample, no command. */
	run_loop("1; echo injected", 1000, out, sizeof(out));
	CHECK_STR(out, "hw gone\n");
}

static void
loop_that_does_not_fit_is_refused(void)
{
	char small[64];

	CHECK_INT(hangwatch_cmd("'1'", 1000, small, sizeof(small)), -1);
}

int
main(void)
{
	RUN(sample_lines_are_read_and_other_lines_are_not);
	RUN(stuck_writer_is_a_hang_after_the_still_time);
	RUN(progress_starts_the_still_time_again);
	RUN(interruptible_or_unnamed_sleep_is_never_a_hang);
	RUN(too_few_samples_or_too_short_is_not_yet);
	RUN(writer_that_returns_is_gone_not_hung);
	RUN(board_loop_samples_a_real_task_until_it_ends);
	RUN(loop_that_does_not_fit_is_refused);
	TEST_END();
}
