/* runner: one scenario's steps on a READY board over SSH, and the verdict they earn. */
#include "rigd.h"
#include "log.h"
#include "hangstack.h"
#include "hangwatch.h"
#include "protect.h"
#include "triage.h"
#include "queue.h"
#include "remote.h"
#include "shquote.h"
#include "storeq.h"
#include "unrecorded.h"
#include "util.h"
#include "vocab.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUNNER_MAX_BG	8
/* Room for a field of n bytes as one quoted word (shquote.h): every ' becomes four. */
#define RUNNER_Q(n)	(4 * (n) + 3)

/* A step started with "background: true", joined later by "wait". */
struct runner_bg {
	char			 name[32];
	const struct scen_step	*step;
	struct remote_job	*job;
	char			 pid[32];
	int64_t			 started;
};

/*
 * The watch on a blocking step's writer (hangwatch.h): the board's sampling loop runs in the
 * step's own command and prints its samples among the step's output ("hw " lines), read from
 * pos on. Owned by the runner's thread, like the rest.
 */
struct runner_watch {
	struct remote_job	*job;		/* the step's job; NULL: no watch (the deadline alone) */
	size_t			 pos;		/* output consumed up to here */
	struct hangwatch	 hw;
	int			 hung;		/* the watch, not the deadline, saw the hang */
};

struct runner {
	struct board		*b;
	struct board_job	*job;
	struct runner_result	*res;
	int64_t			 t0;
	int64_t			 console_start;
	int			 crashes_before;
	char			 holder_pid[CONF_MAX_DEVICES][32];
	struct runner_bg	 bg[RUNNER_MAX_BG];
	int			 nbg;
	int			 needs_boot;	/* the board was left off or broken by a step */
	int			 rig_hang;	/* the hang was seen by the rig's deadline, not the console */
	int			 hang_framed;	/* and its title names a frame */
	struct store_step	*unstored;	/* steps the store refused: tried again at the end */
	int			 nunstored;
};

static void
runner_emit(struct runner *rn, enum proto_event ev, cJSON *o)
{
	board_post(rn->b, rn->job->client, ev, o);
}

static void
runner_detail(struct runner *rn, const char *fmt, va_list ap)
{
	char buf[4096];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	free(rn->res->detail);
	rn->res->detail = xstrdup(buf);
}

/* A kernel verdict (pass, fail, hang, crash) with its title and what was seen. */
static void
runner_verdict(struct runner *rn, enum verdict v, const char *title, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
runner_verdict(struct runner *rn, enum verdict v, const char *title, const char *fmt, ...)
{
	va_list ap;

	rn->res->verdict = v;
	rn->res->error = ERROR_NONE;
	util_strlcpy(rn->res->title, title, sizeof(rn->res->title));
	va_start(ap, fmt);
	runner_detail(rn, fmt, ap);
	va_end(ap);
}

/* An error verdict: the lab or the scenario failed; its kind names it (the run's title). */
static void
runner_error(struct runner *rn, enum error_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
runner_error(struct runner *rn, enum error_kind kind, const char *fmt, ...)
{
	va_list ap;

	rn->res->verdict = VERDICT_ERROR;
	rn->res->error = kind;
	util_strlcpy(rn->res->title, error_kind_name(kind), sizeof(rn->res->title));
	va_start(ap, fmt);
	runner_detail(rn, fmt, ap);
	va_end(ap);
}

/* The devices the steps' classes name: a survey's own (board_job.devices), else the board file's. */
static const struct conf_device *
runner_devices(const struct runner *rn, int *n)
{
	if (rn->job->devices != NULL) {
		*n = rn->job->ndevices;
		return rn->job->devices;
	}
	*n = rn->b->conf.ndevices;
	return rn->b->conf.devices;
}

static int
runner_class_index(const struct runner *rn, const char *cls)
{
	int i, n;
	const struct conf_device *devs = runner_devices(rn, &n);

	for (i = 0; i < n; i++)
		if (strcmp(devs[i].cls, cls) == 0)
			return i;
	return -1;
}

/* A tty is held as a terminal program holds it (survey class tty, the board file's uart). */
static int
runner_is_tty(const struct conf_device *d)
{
	return strcmp(d->cls, "uart") == 0 || strcmp(d->cls, "tty") == 0;
}

/* The blocked task's lines of a sysrq-w dump ("task:sh state:D ..." and its frames). */
static void
runner_console_task(struct runner *rn, int64_t from, char *dst, size_t len)
{
	size_t n, used = 0;
	char *log = board_console_since(rn->b, from, 4 * 1024 * 1024, &n, NULL), *p, *line;
	int lines = 0;

	dst[0] = '\0';
	p = strstr(log, " state:D");
	if (p) {
		while (p > log && p[-1] != '\n')
			p--;
		for (line = p; *line && lines < 40; lines++) {
			char *eol = strchr(line, '\n');
			size_t l = eol ? (size_t)(eol - line) + 1 : strlen(line);
			/* The next task's dump ends this one. */
			if (lines > 0 && strstr(line, " state:") && strstr(line, " state:") < line + l)
				break;
			if (used + l + 1 >= len)
				break;
			memcpy(dst + used, line, l);
			used += l;
			line += l;
		}
		dst[used] = '\0';
	}
	free(log);
}

/*
 * Titles a hang from the blocked task's stack (or wchan) with the console path's rules: title
 * gets the rig's, the result's group title syzbot's, so either path lands in one crash group.
 * triage_hang_titles' return: 0 from the stack, 1 from wchan, 2 nothing named.
 */
static int
runner_hang_titles(struct runner *rn, const char *stack, const char *wchan, char *title,
    size_t len)
{
	struct runner_result *res = rn->res;
	char rig_frame[128];
	int rc;

	rc = triage_hang_titles(stack, wchan, res->group_title, sizeof(res->group_title), title, len);
	triage_hang_frames(stack, wchan, res->group_frame, sizeof(res->group_frame), rig_frame,
	    sizeof(rig_frame));
	return rc;
}

/*
 * Gives sysrq-w's dump time to reach the console, no longer than it takes: the blocked task's
 * line is there (and with no stack of our own, its frames after it), or a second has passed.
 */
static void
runner_sysrq_wait(struct runner *rn, int64_t from, int have_stack)
{
	int64_t deadline = util_now_ms() + 1000;

	if (!have_stack) {
		/* The frames come after the task's line: only the whole second is sure to hold them. */
		util_sleep_ms(1000);
		return;
	}
	while (util_now_ms() < deadline) {
		size_t n;
		char *log = board_console_since(rn->b, from, 4 * 1024 * 1024, &n, NULL);
		int seen = strstr(log, " state:D") != NULL;

		free(log);
		if (seen)
			return;
		util_sleep_ms(50);
	}
}

/*
 * A step blocked past its deadline, or seen stuck by the watch (rw, may be NULL): over a second
 * channel, read the blocked task's state, wchan and kernel stack, and have the kernel print
 * every blocked task on the console.
 */
static void
runner_hang(struct runner *rn, const struct scen_step *st, const char *pid,
    const struct runner_watch *rw)
{
	struct board *b = rn->b;
	char cmd[1024], out[16384], state[128], wchan[128], stack[8192], title[256];
	char task[32] = "", qpid[RUNNER_Q(32)];
	int64_t sysrq_from;
	int status;

	/*
	 * The step's shell is usually the blocked task; when it is not (a holder's dd, a
	 * helper), the first task in D state is the one to look at.
	 */
	/* The PID is what the board printed: a word like any other field. */
	if (strlen(pid) >= 32 || shquote(pid, qpid, sizeof(qpid)) == -1)
		util_strlcpy(qpid, "0", sizeof(qpid));
	snprintf(cmd, sizeof(cmd),
	    "p=%s; grep -q '^State:.D' /proc/$p/status 2>/dev/null ||"
	    " for s in /proc/[0-9]*/status; do if grep -q '^State:.D' $s; then p=${s#/proc/};"
	    " p=${p%%/status}; break; fi; done;"
	    " echo --pid; echo $p; echo --state; grep '^State' /proc/$p/status; echo --wchan;"
	    " cat /proc/$p/wchan; echo; echo --stack; cat /proc/$p/stack 2>&1; echo --end;"
	    " echo 8 > /proc/sys/kernel/printk; echo w > /proc/sysrq-trigger", qpid);
	state[0] = wchan[0] = stack[0] = '\0';
	pthread_mutex_lock(&b->lock);
	sysrq_from = b->con.bytes;
	pthread_mutex_unlock(&b->lock);
	if (b->ssh && remote_run(b->ssh, cmd, 10000, &status, out, sizeof(out)) == 0) {
		hangstack_section(out, "pid", task, sizeof(task));
		if (task[0])
			pid = task;
		hangstack_section(out, "state", state, sizeof(state));
		hangstack_section(out, "wchan", wchan, sizeof(wchan));
		hangstack_section(out, "stack", stack, sizeof(stack));
	}
	rn->rig_hang = 1;
	rn->hang_framed = runner_hang_titles(rn, stack, wchan, title, sizeof(title)) <= 1;
	if (rw && rw->hung)
		runner_verdict(rn, VERDICT_HANG, title, "%s %s: uninterruptible at %s with no"
		    " progress for %.1fs (watched; deadline %.1fs); task %s %s, wchan %s",
		    step_kind_name(st->kind), st->arg, rw->hw.last.wchan,
		    hangwatch_still_ms(&rw->hw) / 1000.0, st->timeout_ms / 1000.0, pid,
		    state[0] ? state : "(state unknown)", wchan[0] ? wchan : "?");
	else
		runner_verdict(rn, VERDICT_HANG, title, "%s %s: no return within %.1fs; task %s"
		    " %s, wchan %s", step_kind_name(st->kind), st->arg, st->timeout_ms / 1000.0,
		    pid, state[0] ? state : "(state unknown)", wchan[0] ? wchan : "?");
	/* sysrq-w output lands on the console within moments: let the log have it. */
	runner_sysrq_wait(rn, sysrq_from, stack[0] != '\0');
	/*
	 * Kernels without /proc/PID/stack for other tasks (ARM 6.1): sysrq-w printed it, and the
	 * task's frames there title the hang as the kernel's own report of it would.
	 */
	if (!stack[0]) {
		runner_console_task(rn, sysrq_from, stack, sizeof(stack));
		if (stack[0] && runner_hang_titles(rn, stack, wchan, title, sizeof(title)) == 0)
			util_strlcpy(rn->res->title, title, sizeof(rn->res->title));
	}
	free(rn->res->stack);
	rn->res->stack = xstrdup(stack[0] ? stack : "(no stack: see sysrq-w on the console)");
}

/*
 * A console report during the run makes the verdict crash (it outranks what the steps saw).
 * A report still being printed is given two seconds to finish.
 */
static int
runner_check_crash(struct runner *rn)
{
	struct board *b = rn->b;
	int64_t deadline = util_now_ms() + 2000;
	int found = 0;

	pthread_mutex_lock(&b->lock);
	while (b->con.triage && triage_pending(b->con.triage) && util_now_ms() < deadline) {
		pthread_mutex_unlock(&b->lock);
		util_sleep_ms(100);
		pthread_mutex_lock(&b->lock);
	}
	if (b->ncrashes > rn->crashes_before) {
		struct board_crash *c = &b->crashes[rn->crashes_before];
		/* The kernel's own hung-task report is a hang, whoever noticed it first. */
		runner_verdict(rn, c->verdict,
		    c->rig_title[0] ? c->rig_title : c->title,
		    "console report (%s) at bytes %lld-%lld of %s", c->type, (long long)c->start,
		    (long long)c->end, b->con.log);
		util_strlcpy(rn->res->group_title, c->title, sizeof(rn->res->group_title));
		util_strlcpy(rn->res->group_frame, c->frame, sizeof(rn->res->group_frame));
		free(rn->res->stack);
		rn->res->stack = xstrdup(c->text ? c->text : "");
		found = 1;
	}
	pthread_mutex_unlock(&b->lock);
	return found;
}

/* What a step printed, without the PID line every blocking command starts with nor the watch's. */
static void
runner_output(const struct remote_job *j, char *out, size_t outlen)
{
	const char *o = remote_job_output(j), *p = strchr(o, '\n'), *nl;
	size_t used = 0, n;

	out[0] = '\0';
	for (p = p ? p + 1 : ""; *p && used + 1 < outlen; p = nl ? nl + 1 : p + n) {
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) + 1 : strlen(p);
		if (strncmp(p, "hw ", 3) == 0)
			continue;
		if (n > outlen - 1 - used)
			n = outlen - 1 - used;
		memcpy(out + used, p, n);
		used += n;
		out[used] = '\0';
	}
}

/*
 * A line that was lost while the board runs (an adapter, a console server, QEMU's chardev): the
 * run cannot see what the kernel says, so it ends as the lab's error, naming the console. (A
 * QEMU pty that ends with QEMU is the board dying, seen by board_alive.) 1 when so.
 */
static int
runner_console_lost(struct runner *rn)
{
	struct board *b = rn->b;
	char lost[sizeof(b->con.lost)] = "";

	pthread_mutex_lock(&b->lock);
	if (b->con.fd == -1)
		util_strlcpy(lost, b->con.lost, sizeof(lost));
	pthread_mutex_unlock(&b->lock);
	if (lost[0] == '\0')
		return 0;
	if (!console_part_can_reopen(b->console) && !board_console_gone(b))
		return 0;
	if (!runner_check_crash(rn))
		runner_error(rn, ERROR_CONSOLE_LOST, "console %s lost: %s",
		    console_part_name(b->console), lost);
	return 1;
}

/*
 * Starts reading the watch of step st, whose command (runner_sysfs_cmd) runs the sampling loop
 * when the scenario did not say "watch: false". from_now: samples printed so far are not looked
 * at (a background step joined late blocked as planned until its wait).
 */
static void
runner_watch_start(const struct scen_step *st, struct remote_job *j, int from_now,
    struct runner_watch *rw)
{
	memset(rw, 0, sizeof(*rw));
	hangwatch_init(&rw->hw);
	if (!st->watch || (st->kind != STEP_UNBIND && st->kind != STEP_BIND))
		return;
	rw->job = j;
	if (from_now)
		rw->pos = strlen(remote_job_output(j));
}

/* Feeds the samples that came meanwhile: 1 when they make a hang, else 0. */
static int
runner_watch_poll(struct runner_watch *rw)
{
	const char *out, *p, *nl;
	char line[256];

	if (rw == NULL || rw->job == NULL)
		return 0;
	out = remote_job_output(rw->job);
	for (p = out + rw->pos; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		struct hangwatch_sample s;
		size_t n = (size_t)(nl - p);

		rw->pos = (size_t)(nl + 1 - out);
		if (n >= sizeof(line))
			continue;
		memcpy(line, p, n);
		line[n] = '\0';
		if (hangwatch_parse(line, &s) == 0 && hangwatch_feed(&rw->hw, &s) == HANGWATCH_HANG) {
			rw->hung = 1;
			return 1;
		}
	}
	return 0;
}

/*
 * Waits for a job in short slices, watching the console and the board meanwhile: a crash is
 * known the moment its report is complete, not when the step's deadline runs out; with a watch
 * (rw, may be NULL), neither is a hang. Returns 0 (ended), 1 (deadline passed, or the watch
 * saw a hang: rw->hung), -1 (session failed); 2 when the verdict is already set (a console
 * report, or the board died).
 */
static int
runner_job_wait(struct runner *rn, struct remote_job *j, int64_t timeout_ms, int *status,
    struct runner_watch *rw)
{
	int64_t deadline = util_now_ms() + timeout_ms;
	/* Samples come every HANGWATCH_PERIOD_MS: reading them twice as often costs nothing. */
	int64_t slice = rw && rw->job ? HANGWATCH_PERIOD_MS / 2 : 250;
	struct board *b = rn->b;

	for (;;) {
		int64_t left = deadline - util_now_ms();
		int rc, reports;

		rc = remote_job_wait(j, left < slice ? (left > 0 ? left : 0) : slice, status);
		if (rc == 0)
			return 0;
		pthread_mutex_lock(&b->lock);
		reports = b->ncrashes > rn->crashes_before;
		pthread_mutex_unlock(&b->lock);
		if (reports && runner_check_crash(rn))
			return 2;
		if (!board_alive(b)) {
			if (!runner_check_crash(rn))
				runner_error(rn, ERROR_BOARD_DIED,
				    "the board's power part lost it");
			return 2;
		}
		if (runner_console_lost(rn))
			return 2;
		if (rc == -1)
			return -1;
		if (runner_watch_poll(rw))
			return 1;
		if (util_now_ms() >= deadline)
			return 1;
	}
}

/* The session failed during a step: a crash if the console says so, else a lab error. */
static int
runner_lost(struct runner *rn, const struct scen_step *st)
{
	if (!runner_check_crash(rn))
		runner_error(rn, ERROR_SSH_LOST,
		    "the board stopped answering during %s %s", step_kind_name(st->kind), st->arg);
	return -1;
}

/*
 * The sysfs write a bind or unbind step does, printing the shell's PID first. With a watch
 * (watch_ms > 0), the sampling loop starts beside the write, on the same channel: a channel
 * opened for it apart, just as the write's shell exits, made the board's dropbear drop the
 * session now and then (the next command: "Socket error: disconnected").
 */
static void
runner_sysfs_cmd(const struct conf_device *d, const char *file, int64_t watch_ms, char *cmd,
    size_t len)
{
	char path[sizeof(d->bus) + sizeof(d->driver) + 32], loop[1024] = "";
	char qdev[RUNNER_Q(sizeof(d->device))], qpath[RUNNER_Q(sizeof(path))];

	snprintf(path, sizeof(path), "/sys/bus/%s/drivers/%s/%s", d->bus, d->driver, file);
	shquote(d->device, qdev, sizeof(qdev));
	shquote(path, qpath, sizeof(qpath));
	/* In a subshell $$ is still the writer's PID; its lines follow the PID on stdout. */
	if (watch_ms > 0 && hangwatch_cmd("$$", watch_ms, loop + 2, sizeof(loop) - 8) == 0) {
		memcpy(loop, "{ ", 2);
		strcat(loop, "; } & ");
	}
	/* echo is a shell builtin: the PID printed is the task that will block in the kernel. */
	snprintf(cmd, len, "echo $$; %secho %s > %s", loop, qdev, qpath);
}

/* Returns 0 to go on, -1 when the run has its verdict. */
static int
runner_blocking(struct runner *rn, const struct scen_step *st, const char *cmd, char *out,
    size_t outlen)
{
	struct board *b = rn->b;
	char err[256], pid[32] = "";
	struct remote_job *j;
	struct runner_watch rw;
	int status = -1, rc;

	j = remote_job_start(b->ssh, cmd, err, sizeof(err));
	if (j == NULL) {
		runner_error(rn, ERROR_SSH_FAILED, "%s", err);
		return -1;
	}
	if (st->background) {
		struct runner_bg *bg;
		if (rn->nbg >= RUNNER_MAX_BG) {
			remote_job_free(j);
			runner_error(rn, ERROR_SCEN_BACKGROUND, "%s",
			    st->name);
			return -1;
		}
		bg = &rn->bg[rn->nbg++];
		util_strlcpy(bg->name, st->name[0] ? st->name : step_kind_name(st->kind),
		    sizeof(bg->name));
		bg->step = st;
		bg->job = j;
		bg->started = util_now_ms();
		remote_job_first_line(j, 5000, bg->pid, sizeof(bg->pid));
		util_fmt(out, outlen, "started in background (pid %s)", bg->pid);
		return 0;
	}
	remote_job_first_line(j, st->timeout_ms, pid, sizeof(pid));
	runner_watch_start(st, j, 0, &rw);
	rc = runner_job_wait(rn, j, st->timeout_ms, &status, &rw);
	runner_output(j, out, outlen);
	if (rc == 2) {
		remote_job_free(j);
		return -1;
	}
	if (rc == 1) {
		runner_hang(rn, st, pid, &rw);
		remote_job_free(j);
		return -1;
	}
	remote_job_free(j);
	if (rc == -1) {
		return runner_lost(rn, st);
	}
	if (status != 0) {
		runner_verdict(rn, VERDICT_FAIL, "", "%s %s exited %d: %s", step_kind_name(st->kind),
		    st->arg, status, out);
		return -1;
	}
	return 0;
}

/* Runs a short command whose failure is the scenario's expectation failing. */
static int
runner_check(struct runner *rn, const struct scen_step *st, const char *cmd, const char *what,
    char *out, size_t outlen)
{
	int status = -1, rc;

	rc = remote_run(rn->b->ssh, cmd, st->timeout_ms, &status, out, outlen);
	if (rc == 1) {
		/* No PID of its own: the inspection takes the first task in D state. */
		runner_hang(rn, st, "0", NULL);
		return -1;
	}
	if (rc == -1) {
		return runner_lost(rn, st);
	}
	if (status != 0) {
		runner_verdict(rn, VERDICT_FAIL, what, "%s %s: %s%s%s", step_kind_name(st->kind), st->arg,
		    what, out[0] ? ": " : "", out);
		return -1;
	}
	return 0;
}

/* Power off and on again in the middle of a run (poweroff, cut): the board must come back. */
static int
runner_reboot(struct runner *rn, char *out, size_t outlen)
{
	struct board *b = rn->b;
	char msg[512];
	int64_t t0 = util_now_ms();
	int i;

	/* Channels of the old session die with it. */
	for (i = 0; i < rn->nbg; i++) {
		remote_job_free(rn->bg[i].job);
		rn->bg[i].job = NULL;
	}
	if (board_reboot(b, msg, sizeof(msg)) == -1) {
		runner_error(rn, ERROR_NO_RETURN, "%s", msg);
		rn->needs_boot = 1;
		return -1;
	}
	pthread_mutex_lock(&b->lock);
	rn->crashes_before = b->ncrashes;
	pthread_mutex_unlock(&b->lock);
	util_fmt(out + strlen(out), outlen - strlen(out), "; READY again after %.1fs (%s)",
	    (util_now_ms() - t0) / 1000.0, msg);
	return 0;
}

/*
 * poweroff: a shutdown from the board's shell. Passes when the kernel prints its power-down
 * message within the deadline; a shutdown that stalls is a hang (with what the console
 * shows), an oops a crash. Either way the board is powered on again for what follows.
 */
static int
runner_poweroff(struct runner *rn, const struct scen_step *st, char *out, size_t outlen)
{
	struct board *b = rn->b;
	/* Without a power-off handler (i.MX6 under QEMU) the kernel halts instead: same end. */
	static const char *markers[] = { "reboot: Power down", "reboot: System halted" };
	char err[256], pid[32] = "";
	struct remote_job *j;
	int64_t from, t0 = util_now_ms(), deadline = t0 + st->timeout_ms;
	int found = 0, i;

	pthread_mutex_lock(&b->lock);
	from = b->con.bytes;
	pthread_mutex_unlock(&b->lock);
	/* Holders are not told: shutting down with the device held open is the point. */
	/*
	 * Once shutdown starts, SSH may go before the stuck task does: the kernel's own hung-task
	 * detector (at a short timeout, printing stacks) is then the witness on the console.
	 */
	j = remote_job_start(b->ssh, "echo $$; echo 8 > /proc/sys/kernel/printk;"
	    " echo 5 > /proc/sys/kernel/hung_task_timeout_secs 2>/dev/null;"
	    " echo -1 > /proc/sys/kernel/hung_task_warnings 2>/dev/null;"
	    " sync; exec poweroff -f", err, sizeof(err));
	if (j == NULL) {
		runner_error(rn, ERROR_SSH_FAILED, "%s", err);
		return -1;
	}
	remote_job_first_line(j, 2000, pid, sizeof(pid));
	while (!found && util_now_ms() < deadline) {
		size_t n;
		char *log;

		util_sleep_ms(200);
		log = board_console_since(rn->b, from, 4 * 1024 * 1024, &n, NULL);
		for (i = 0; i < (int)UTIL_NELEM(markers) && !found; i++)
			found = strstr(log, markers[i]) != NULL;
		free(log);
		if (!found && runner_check_crash(rn)) {
			remote_job_free(j);
			rn->needs_boot = 1;
			return -1;
		}
		if (!found && !board_alive(b))
			break;
	}
	if (!found) {
		runner_hang(rn, st, pid[0] ? pid : "$$", NULL);
		if (!rn->hang_framed)
			util_strlcpy(rn->res->title, "INFO: task hung in poweroff",
			    sizeof(rn->res->title));
		remote_job_free(j);
		rn->needs_boot = 1;
		return -1;
	}
	remote_job_free(j);
	util_fmt(out, outlen, "power-down (or halt) message after %.1fs; powering on again",
	    (util_now_ms() - t0) / 1000.0);
	for (i = 0; i < CONF_MAX_DEVICES; i++)
		rn->holder_pid[i][0] = '\0';
	return runner_reboot(rn, out, outlen);
}

/*
 * A scenario that ends holding a device (no release step) would leave the holder to the next
 * run, whose unbind would then hang: holders still there are ended now, and a board where that
 * fails is power-cycled before anyone uses it again.
 */
static void
runner_release_left(struct runner *rn)
{
	char cmd[1024], out[256], pid[RUNNER_Q(sizeof(rn->holder_pid[0]))];
	int i, st;

	for (i = 0; i < CONF_MAX_DEVICES; i++) {
		shquote(rn->holder_pid[i], pid, sizeof(pid));

		if (rn->holder_pid[i][0] == '\0' || rn->needs_boot)
			continue;
		if (strspn(rn->holder_pid[i], "0123456789") != strlen(rn->holder_pid[i]) ||
		    rn->b->ssh == NULL) {
			rn->needs_boot = 1;
			continue;
		}
		snprintf(cmd, sizeof(cmd), "kill %s 2>/dev/null; n=0; while kill -0 %s 2>/dev/null &&"
		    " ! grep -q '^State:.*Z' /proc/%s/status && [ $n -lt 100 ]; do sleep 0.05;"
		    " n=$((n + 1)); done; ! kill -0 %s 2>/dev/null ||"
		    " grep -q '^State:.*Z' /proc/%s/status", pid, pid, pid, pid, pid);
		if (remote_run(rn->b->ssh, cmd, 10000, &st, out, sizeof(out)) != 0 || st != 0)
			rn->needs_boot = 1;
		rn->holder_pid[i][0] = '\0';
	}
}

/* cut: power off through the backend with whatever is open, then power on: READY again? */
static int
runner_cut(struct runner *rn, const struct scen_step *st, char *out, size_t outlen)
{
	int i;

	(void)st;
	for (i = 0; i < CONF_MAX_DEVICES; i++)
		rn->holder_pid[i][0] = '\0';
	util_fmt(out, outlen, "power cut");
	return runner_reboot(rn, out, outlen);
}

static int
runner_step(struct runner *rn, const struct scen_step *st, char *out, size_t outlen)
{
	struct board *b = rn->b;
	const struct conf_device *d = NULL;
	const struct conf_protected *prot;
	char cmd[RUNNER_Q(2048) + 512], what[512], hdir[64], inner[2048];
	char qnode[RUNNER_Q(sizeof(d->node))], qh[RUNNER_Q(sizeof(hdir))];
	char qpid[RUNNER_Q(sizeof(rn->holder_pid[0]))], qinner[RUNNER_Q(sizeof(inner))];
	int ci = -1, i, ndevs;
	const struct conf_device *devs = runner_devices(rn, &ndevs);

	out[0] = '\0';
	switch (st->kind) {
	case STEP_HOLD: case STEP_RELEASE: case STEP_UNBIND: case STEP_BIND: case STEP_READ:
	case STEP_EXPECT_PRESENT: case STEP_EXPECT_GONE:
		ci = runner_class_index(rn, st->arg);
		if (ci < 0) {
			runner_error(rn, ERROR_SCEN_CLASS,
			    "board %s has no %s device", b->conf.name, st->arg);
			return -1;
		}
		d = &devs[ci];
		/*
		 * Every field that goes into a command below is one quoted word (the checks at
		 * load refused the forms that could still be taken as options).
		 */
		snprintf(hdir, sizeof(hdir), "/tmp/rig-hold-%s", d->cls);
		shquote(hdir, qh, sizeof(qh));
		shquote(d->node, qnode, sizeof(qnode));
		shquote(rn->holder_pid[ci], qpid, sizeof(qpid));
		break;
	default:
		break;
	}

	switch (st->kind) {
	case STEP_HOLD:
		/*
		 * The holder keeps the node open from its own session. A tty is read, as a
		 * terminal program would, so a hangup ends it. Other nodes are opened on fd 3 of
		 * a shell that waits on a FIFO, so a later "read" goes through that same open
		 * file (after an unbind, that file is what points into freed driver memory).
		 */
		/* The holder's script is itself one quoted word of the outer command. */
		if (runner_is_tty(d))
			snprintf(inner, sizeof(inner), "exec cat %s", qnode);
		else
			snprintf(inner, sizeof(inner), "exec 3<%s || exit 1; : > %s/open;"
			    " while :; do read -r c < %s/cmd || continue; rm -f %s/rc;"
			    " dd bs=512 count=1 <&3 > /dev/null 2> %s/err; echo $? > %s/rc; done",
			    qnode, qh, qh, qh, qh, qh);
		shquote(inner, qinner, sizeof(qinner));
		if (runner_is_tty(d))
			snprintf(cmd, sizeof(cmd), "setsid sh -c %s > /dev/null 2>&1"
			    " < /dev/null & echo $!; sleep 0.3; kill -0 $! 2>/dev/null", qinner);
		else
			snprintf(cmd, sizeof(cmd), "h=%s; rm -rf \"$h\"; mkdir -p \"$h\" &&"
			    " mkfifo \"$h\"/cmd && setsid sh -c %s"
			    " > /dev/null 2>&1 < /dev/null & echo $!; sleep 0.3;"
			    " kill -0 $! 2>/dev/null && test -e \"$h\"/open", qh, qinner);
		util_fmt(what, sizeof(what), "could not open %s", d->node);
		if (runner_check(rn, st, cmd, what, out, outlen) == -1)
			return -1;
		util_strlcpy(rn->holder_pid[ci], out, sizeof(rn->holder_pid[ci]));
		rn->holder_pid[ci][strcspn(rn->holder_pid[ci], "\n")] = '\0';
		util_fmt(out, outlen, "%s held by pid %s", d->node, rn->holder_pid[ci]);
		return 0;
	case STEP_RELEASE:
		if (!rn->holder_pid[ci][0]) {
			util_fmt(out, outlen, "nothing held");
			return 0;
		}
		/* The close happens when the holder exits: wait for that, within the deadline. */
		snprintf(cmd, sizeof(cmd), "echo $$; kill %s 2>/dev/null;"
		    " while kill -0 %s 2>/dev/null && ! grep -q '^State:.*Z' /proc/%s/status;"
		    " do sleep 0.05; done", qpid, qpid, qpid);
		if (runner_blocking(rn, st, cmd, out, outlen) == -1)
			return -1;
		util_fmt(out, outlen, "holder %s ended", rn->holder_pid[ci]);
		rn->holder_pid[ci][0] = '\0';
		return 0;
	case STEP_UNBIND:
	case STEP_BIND:
		/* Checked when the run was asked for; again here, whatever path queued it. */
		/* A survey's device is its own, not the board file's class of that name. */
		prot = rn->job->devices ? protect_device(&b->conf, d->device) :
		    protect_step(&b->conf, st);
		if (prot != NULL) {
			protect_why(&b->conf, rn->job->scenario->name,
			    (int)(st - rn->job->scenario->steps) + 1, st, prot,
			    what, sizeof(what));
			runner_error(rn, ERROR_SCEN_PROTECTED, "%s", what);
			return -1;
		}
		/* The loop outlives no step: it ends at the deadline (and a second) or with the task. */
		runner_sysfs_cmd(d, st->kind == STEP_UNBIND ? "unbind" : "bind",
		    st->watch ? st->timeout_ms + 1000 : 0, cmd, sizeof(cmd));
		return runner_blocking(rn, st, cmd, out, outlen);
	case STEP_READ:
		if (!rn->holder_pid[ci][0] || runner_is_tty(d)) {
			runner_error(rn, ERROR_SCEN_READ,
			    "read %s", st->arg);
			return -1;
		}
		/* The holder reads from its open file; its dd is the task that may block. */
		snprintf(cmd, sizeof(cmd), "echo $$; h=%s; echo read > \"$h\"/cmd;"
		    " while [ ! -s \"$h\"/rc ]; do sleep 0.05; done; cat \"$h\"/err;"
		    " exit $(cat \"$h\"/rc)", qh);
		return runner_blocking(rn, st, cmd, out, outlen);
	case STEP_EXPECT_PRESENT:
	case STEP_EXPECT_GONE:
		snprintf(cmd, sizeof(cmd), "%stest -e %s", st->kind == STEP_EXPECT_GONE ? "! " : "",
		    qnode);
		util_fmt(what, sizeof(what), "%s %s", d->node,
		    st->kind == STEP_EXPECT_GONE ? "still present" : "missing");
		return runner_check(rn, st, cmd, what, out, outlen);
	case STEP_EXPECT_HOLDER:
		for (i = 0; i < ndevs; i++)
			if (rn->holder_pid[i][0])
				break;
		if (i == ndevs) {
			runner_error(rn, ERROR_SCEN_NO_HOLDER, "expect-holder with"
			    " nothing held");
			return -1;
		}
		/* The holder gets a moment to see its hangup. */
		shquote(rn->holder_pid[i], qpid, sizeof(qpid));
		snprintf(cmd, sizeof(cmd), "for i in $(seq 40); do if ! kill -0 %s 2>/dev/null ||"
		    " grep -q '^State:.*Z' /proc/%s/status; then exit %d; fi; sleep 0.05; done;"
		    " exit %d", qpid, qpid,
		    strcmp(st->arg, "exited") == 0 ? 0 : 1, strcmp(st->arg, "exited") == 0 ? 1 : 0);
		util_fmt(what, sizeof(what), "holder %s is not %s", rn->holder_pid[i], st->arg);
		if (runner_check(rn, st, cmd, what, out, outlen) == -1)
			return -1;
		if (strcmp(st->arg, "exited") == 0)
			rn->holder_pid[i][0] = '\0';
		return 0;
	case STEP_WAIT:
		for (i = 0; i < rn->nbg; i++) {
			struct runner_bg *bg = &rn->bg[i];
			struct runner_watch rw;
			int status = -1, rc;
			int64_t left;

			if (bg->job == NULL || strcmp(bg->name, st->arg) != 0)
				continue;
			/* The background step's own deadline counts from when it started. */
			left = bg->step->timeout_ms - (util_now_ms() - bg->started);
			/* Watched from the join on: until then, blocking is the scenario's plan. */
			runner_watch_start(bg->step, bg->job, 1, &rw);
			rc = runner_job_wait(rn, bg->job, left > 0 ? left : 0, &status, &rw);
			runner_output(bg->job, out, outlen);
			if (rc == 2)
				return -1;
			if (rc == 1) {
				runner_hang(rn, bg->step, bg->pid, &rw);
				return -1;
			}
			remote_job_free(bg->job);
			bg->job = NULL;
			if (rc == -1) {
				if (!runner_check_crash(rn))
					runner_error(rn, ERROR_SSH_LOST,
					    "the board stopped answering waiting for %s", st->arg);
				return -1;
			}
			if (status != 0) {
				runner_verdict(rn, VERDICT_FAIL, "", "%s exited %d: %s", st->arg, status,
				    out);
				return -1;
			}
			util_fmt(out, outlen, "%s returned after %.1fs", st->arg,
			    (util_now_ms() - bg->started) / 1000.0);
			return 0;
		}
		runner_error(rn, ERROR_SCEN_NO_WAIT, "wait %s", st->arg);
		return -1;
	case STEP_SLEEP: {
		int64_t until = util_now_ms() + st->timeout_ms;
		/* A board that dies meanwhile is noticed now, not at the next step. */
		while (util_now_ms() < until) {
			int64_t left = until - util_now_ms();
			util_sleep_ms(left < 100 ? left : 100);
			if (!board_alive(b))
				return 0;
			if (runner_console_lost(rn))
				return -1;
		}
		return 0;
	}
	case STEP_SHELL:
		snprintf(cmd, sizeof(cmd), "echo $$; %s", st->arg);
		return runner_blocking(rn, st, cmd, out, outlen);
	case STEP_POWEROFF:
		return runner_poweroff(rn, st, out, outlen);
	case STEP_CUT:
		return runner_cut(rn, st, out, outlen);
	}
	return -1;
}

/*
 * Begins the run in the store: its id, or -1. A nightly job's run whose begin finds the store's
 * connection lost (PostgreSQL restarting) waits for it, its claim kept: the heartbeat makes the
 * connection again, and the pause between tries doubles up to BOARD_STORE_PAUSE_MAX_MS. rigd
 * stopping ends the wait (-1: the next rigd queues the job again). A client's run is refused at
 * once, as for any store that refuses it: a person waits for its answer.
 */
static int64_t
runner_begin(struct runner *rn, char *logpath, size_t loglen)
{
	struct board *b = rn->b;
	const struct board_job *job = rn->job;
	int64_t pause = BOARD_STORE_PAUSE_MS, run;
	int said = 0;

	for (;;) {
		pthread_mutex_lock(&b->lock);
		rn->console_start = b->con.bytes;
		rn->crashes_before = b->ncrashes;
		util_strlcpy(logpath, b->con.log, loglen);
		run = store_run_begin(b->rigd->store, b->conf.name, job->scenario->name,
		    b->build_id, job->uid, logpath, rn->console_start);
		b->run_id = run;
		pthread_mutex_unlock(&b->lock);
		if (run != -1 || job->queue_id <= 0 || !store_lost(b->rigd->store))
			break;
		if (!said++)
			log_warnx("%s: job %lld: the store's connection is lost (%s): its run of %s"
			    " waits for the store, its claim kept", b->conf.name,
			    (long long)job->queue_id, store_last_error(), job->scenario->name);
		if (board_store_pause(b, &pause))
			break;
	}
	if (said && run != -1)
		log_info("%s: job %lld: the store is back: run %lld of %s begins", b->conf.name,
		    (long long)job->queue_id, (long long)run, job->scenario->name);
	return run;
}

void
runner_run(struct board *b, struct board_job *job, struct runner_result *res)
{
	const struct scenario *sc = job->scenario;
	struct runner rn = { 0 };
	struct store_run_end end = { 0 };
	char logpath[512];
	int i, ok = 1, dead;
	uint64_t dropped = storeq_dropped();
	cJSON *o;

	memset(res, 0, sizeof(*res));
	res->verdict = VERDICT_PASS;
	rn.b = b;
	rn.job = job;
	rn.res = res;
	rn.t0 = util_now_ms();

	res->run_id = runner_begin(&rn, logpath, sizeof(logpath));
	/* A run whose result would be lost is not run: the reason goes back instead. */
	if (res->run_id == -1) {
		res->refused = 1;
		res->verdict = VERDICT_ERROR;
		res->error = ERROR_STORE;
		util_strlcpy(res->title, error_kind_name(ERROR_STORE), sizeof(res->title));
		util_fmt(res->unrecorded, sizeof(res->unrecorded), "%s: the store cannot record"
		    " a run (%s): %s not started", error_kind_name(ERROR_STORE),
		    store_last_error()[0] ? store_last_error() : "store failed", sc->name);
		log_warnx("%s: %s", b->conf.name, res->unrecorded);
		return;
	}
	/* Linked before any step: a rigd killed now still knows which job this run was. */
	i = job->queue_id > 0 ? queue_set_run(b->rigd->store, job->queue_id, job->queue_claim,
	    res->run_id) : 0;
	if (i == QUEUE_STALE) {
		/*
		 * The job's lease ran out while this run waited for the store, and another claim
		 * has it: not run here (it would run twice). The run is closed at once, saying so.
		 */
		res->stale = 1;
		res->verdict = VERDICT_ERROR;
		res->error = ERROR_INTERRUPTED;
		util_strlcpy(end.title, error_kind_name(ERROR_INTERRUPTED), sizeof(end.title));
		util_strlcpy(res->title, end.title, sizeof(res->title));
		end.verdict = VERDICT_ERROR;
		end.detail = "its job was claimed again (its lease ran out while the store was"
		    " away): not run here";
		pthread_mutex_lock(&b->lock);
		end.console_end = b->con.bytes;
		b->run_id = -1;
		pthread_mutex_unlock(&b->lock);
		if (store_run_end(b->rigd->store, res->run_id, &end) == -1)
			log_warnx("%s: run %lld: its end not stored", b->conf.name,
			    (long long)res->run_id);
		log_warnx("%s: run %lld: %s", b->conf.name, (long long)res->run_id, end.detail);
		return;
	}
	if (i == -1 ||
	    (job->repeat_of > 0 && store_run_repeat(b->rigd->store, res->run_id, job->repeat_of,
	    job->repeat_why) == -1) ||
	    (job->survey_id > 0 && store_run_survey(b->rigd->store, res->run_id,
	    job->survey_id) == -1))
		log_warnx("%s: run %lld: its job, repeat or survey not stored", b->conf.name,
		    (long long)res->run_id);

	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "run", (double)res->run_id);
	cJSON_AddStringToObject(o, "board", b->conf.name);
	cJSON_AddStringToObject(o, "scenario", sc->name);
	cJSON_AddStringToObject(o, "build", b->release);
	runner_emit(&rn, PROTO_EV_START, o);

	for (i = 0; i < sc->nsteps && ok; i++) {
		const struct scen_step *st = &sc->steps[i];
		struct store_step ss = { 0 };
		char out[1024];
		int64_t s0 = util_now_ms();

		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "step", i + 1);
		cJSON_AddStringToObject(o, "action", step_kind_name(st->kind));
		cJSON_AddStringToObject(o, "arg", st->arg);
		runner_emit(&rn, PROTO_EV_STEP_BEGIN, o);

		ok = runner_step(&rn, st, out, sizeof(out)) == 0;
		/* A session or console lost may be the board dying: it is given a moment to say. */
		dead = !ok && (res->error == ERROR_SSH_LOST || res->error == ERROR_SSH_FAILED ||
		    res->error == ERROR_CONSOLE_LOST) ? board_dies_soon(b) : !board_alive(b);
		/* A crash on the console outranks whatever the step itself reported. */
		if (runner_check_crash(&rn))
			ok = 0;
		else if (dead && board_stopping(b)) {
			/* rigd's shutdown cut the power: the run ends with the daemon. */
			runner_error(&rn, ERROR_INTERRUPTED,
			    "rigd stopped during %s %s", step_kind_name(st->kind), st->arg);
			ok = 0;
		} else if (dead) {
			/* Gone without a report on the console: the lab failed, not the kernel. */
			runner_error(&rn, ERROR_BOARD_DIED,
			    "the board died during %s %s", step_kind_name(st->kind), st->arg);
			ok = 0;
		}

		ss.idx = i + 1;
		util_strlcpy(ss.action, step_kind_name(st->kind), sizeof(ss.action));
		util_strlcpy(ss.arg, st->arg, sizeof(ss.arg));
		ss.status = ok ? (st->background ? STEP_STATUS_STARTED : STEP_STATUS_OK) :
		    res->verdict == VERDICT_HANG ? STEP_STATUS_TIMEOUT : STEP_STATUS_FAILED;
		ss.started_ms = s0 - rn.t0;
		ss.duration_ms = util_now_ms() - s0;
		util_strlcpy(ss.output, out, sizeof(ss.output));
		if (res->run_id > 0 && store_run_step(b->rigd->store, res->run_id, &ss) == -1) {
			log_warnx("%s: run %lld: step %d not stored yet", b->conf.name,
			    (long long)res->run_id, ss.idx);
			rn.unstored = xrealloc(rn.unstored,
			    (size_t)(rn.nunstored + 1) * sizeof(*rn.unstored));
			rn.unstored[rn.nunstored++] = ss;
		}

		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "step", i + 1);
		cJSON_AddStringToObject(o, "action", ss.action);
		cJSON_AddStringToObject(o, "arg", ss.arg);
		cJSON_AddStringToObject(o, "status", step_status_name(ss.status));
		cJSON_AddNumberToObject(o, "ms", (double)ss.duration_ms);
		cJSON_AddStringToObject(o, "output", out);
		runner_emit(&rn, PROTO_EV_STEP, o);
	}
	for (i = 0; i < rn.nbg; i++)
		remote_job_free(rn.bg[i].job);

	/* The console's reports go through the store writer: they are in before the run ends. */
	storeq_sync();
	end.verdict = res->verdict;
	util_strlcpy(end.title, res->title, sizeof(end.title));
	end.detail = res->detail;
	end.stack = res->stack;
	pthread_mutex_lock(&b->lock);
	capture_sync(&b->con);	/* the run's log is whole once its end is stored */
	end.console_end = b->con.bytes;
	b->run_id = -1;
	pthread_mutex_unlock(&b->lock);
	/*
	 * Retried, then kept (unrecorded.h): no restart runs it again. The board FAULTs, but for
	 * a lost connection (PostgreSQL away): the end is stored when it is back.
	 */
	if ((i = unrecorded_end(b->rigd->store, b->conf.name, res->run_id, job->queue_id,
	    job->queue_claim, rn.unstored, rn.nunstored, &end, res->unrecorded,
	    sizeof(res->unrecorded))) < 0) {
		res->kept = 1;
		res->store_away = i == UNRECORDED_AWAY;
	} else if (storeq_dropped() != dropped)
		/* The store writer dropped writes meanwhile: the run's crash reports may be gone. */
		util_fmt(res->unrecorded, sizeof(res->unrecorded), "run %lld: %llu store write(s)"
		    " dropped during the run (the store writer fell %d behind): its reports may be"
		    " incomplete", (long long)res->run_id,
		    (unsigned long long)(storeq_dropped() - dropped), STOREQ_MAX);
	/*
	 * A hang the rig caught has no console report behind it; it is grouped with the crash
	 * titles all the same, so one title counts across runs and builds whoever saw it.
	 */
	if (rn.rig_hang && res->verdict == VERDICT_HANG) {
		struct store_crash sc = { .run = res->run_id, .board = b->conf.name,
		    .build_id = b->build_id, .title = res->group_title[0] ? res->group_title : res->title,
		    .rig_title = res->title, .type = TRIAGE_TYPE_HANG, .frame = res->group_frame, .corrupted = 0,
		    .console_log = logpath, .start = rn.console_start, .end = end.console_end,
		    .text = res->stack ? res->stack : "" };

		if (store_crash_add(b->rigd->store, &sc) == -1)
			log_warnx("%s: run %lld: hang not grouped", b->conf.name,
			    (long long)res->run_id);
	}
	runner_release_left(&rn);
	free(rn.unstored);
	http_events_bump("run", b->conf.name, res->run_id);
	res->needs_boot = rn.needs_boot;
	log_info("%s: run %lld %s: %s%s%s", b->conf.name, (long long)res->run_id, sc->name,
	    verdict_name(res->verdict), res->title[0] ? ": " : "", res->title);
}

void
runner_result_free(struct runner_result *res)
{
	free(res->detail);
	free(res->stack);
	res->detail = res->stack = NULL;
}
