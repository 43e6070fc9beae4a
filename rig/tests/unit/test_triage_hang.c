/* test_triage_hang: one stuck task, one crash group: the deadline path and the console path title it alike. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hangstack.h"
#include "test.h"
#include "triage.h"

#define DATA "rig/tests/data/triage/"

/*
 * Real data of one hang, captured on vq35 (Debian 6.1.0-56-amd64) with i2c-unbind holding the
 * unbind past its deadline: vq35-i2c-hang-proc-stack.txt is the rig's hang probe (runner.c's
 * command, "--pid ... --stack ... --end") run over SSH while the unbind was stuck, and
 * vq35-i2c-hung-task-real.log that boot's whole console after hung_task_timeout_secs was
 * lowered to 2: the kernel then reported the same task (sh:149) four times.
 */
#define PROBE	DATA "vq35-i2c-hang-proc-stack.txt"
#define CONSOLE	DATA "vq35-i2c-hung-task-real.log"

struct got {
	int			n;
	struct triage_report	r[8];
};

static void
collect(const struct triage_report *r, void *arg)
{
	struct got *g = arg;

	if (g->n < 8) {
		g->r[g->n] = *r;
		g->r[g->n].text = NULL;
	}
	g->n++;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;

	*len = 0;
	if (fp == NULL)
		return NULL;
	buf = malloc(1 << 20);
	if (buf != NULL) {
		*len = fread(buf, 1, (1 << 20) - 1, fp);
		buf[*len] = '\0';
	}
	fclose(fp);
	return buf;
}

static void
triage_file(const char *path, struct got *g)
{
	size_t len;
	char *buf = slurp(path, &len);

	memset(g, 0, sizeof(*g));
	CHECK(buf != NULL);
	if (buf == NULL)
		return;
	CHECK(triage_buffer(buf, len, collect, g) == 0);
	free(buf);
}

static void
console_report_of_a_hung_task_carries_both_titles(void)
{
	struct got g;

	triage_file(CONSOLE, &g);
	/* The first report shares its line with the shell's prompt: it is whole all the same. */
	CHECK_INT(g.n, 4);
	for (int i = 0; i < g.n && i < 8; i++) {
		CHECK_STR(g.r[i].title, "INFO: task hung in i801_remove");
		CHECK_STR(g.r[i].frame, "i801_remove");
		CHECK_STR(g.r[i].rig_title, "INFO: task hung in i2c_del_adapter");
		CHECK_STR(g.r[i].rig_frame, "i2c_del_adapter");
		CHECK_STR(g.r[i].type, "hang");
		CHECK_INT(g.r[i].corrupted, 0);
	}
}

static void
deadline_and_console_give_one_stuck_task_the_same_titles(void)
{
	size_t len;
	char *probe = slurp(PROBE, &len), *log = slurp(CONSOLE, &len);
	char pid[32], wchan[128], stack[8192], title[256], rig_title[256], who[64];
	struct got g;

	CHECK(probe != NULL && log != NULL);
	if (probe == NULL || log == NULL) {
		free(probe);
		free(log);
		return;
	}
	/* As runner.c reads the probe. */
	hangstack_section(probe, "pid", pid, sizeof(pid));
	hangstack_section(probe, "wchan", wchan, sizeof(wchan));
	hangstack_section(probe, "stack", stack, sizeof(stack));
	CHECK_STR(wchan, "i2c_del_adapter");
	/* The same task: the kernel's reports name the pid the probe looked at. */
	snprintf(who, sizeof(who), "INFO: task sh:%s blocked", pid);
	CHECK(strstr(log, who) != NULL);

	CHECK_INT(triage_hang_titles(stack, wchan, title, sizeof(title), rig_title, sizeof(rig_title)), 0);
	triage_file(CONSOLE, &g);
	CHECK(g.n >= 1);
	if (g.n >= 1) {
		CHECK_STR(title, g.r[0].title);
		CHECK_STR(rig_title, g.r[0].rig_title);
	}
	CHECK_STR(title, "INFO: task hung in i801_remove");
	CHECK_STR(rig_title, "INFO: task hung in i2c_del_adapter");
	free(probe);
	free(log);
}

static void
sysrq_dump_of_the_task_gives_the_console_titles(void)
{
	size_t len;
	char *log = slurp("rig/tests/data/consoles/vq35-i2c-hang.log", &len), *p, *e;
	char title[256], rig_title[256];

	CHECK(log != NULL);
	if (log == NULL)
		return;
	/* ARM 6.1 shows no other task's /proc/PID/stack: runner.c reads sysrq-w's dump instead. */
	p = strstr(log, "task:sh ");
	e = p ? strstr(p, "</TASK>") : NULL;
	CHECK(p != NULL && e != NULL);
	if (p != NULL && e != NULL) {
		while (p > log && p[-1] != '\n')
			p--;
		e[0] = '\0';
		CHECK_INT(triage_hang_titles(p, "", title, sizeof(title), rig_title, sizeof(rig_title)), 0);
		CHECK_STR(title, "INFO: task hung in i801_remove");
		CHECK_STR(rig_title, "INFO: task hung in i2c_del_adapter");
	}
	free(log);
}

/*
 * The same on vsabre (Debian 6.1.0-50-armmp), where /proc/PID/stack of another task is empty:
 * vsabre-i2c-hang-probe.txt is the probe of the stuck unbind (task 146) and
 * vsabre-i2c-hung-task-real.log that boot's console, with the sysrq-w dump the probe asked for
 * and then the kernel's own hung-task report of the task, whose frames have no heading on arm.
 */
#define ARM_PROBE	DATA "vsabre-i2c-hang-probe.txt"
#define ARM_CONSOLE	DATA "vsabre-i2c-hung-task-real.log"

/* The blocked task's lines of a sysrq-w dump, cut as runner.c's runner_console_task cuts them. */
static void
sysrq_task(const char *log, char *dst, size_t len)
{
	const char *p = strstr(log, " state:D"), *line;
	size_t used = 0;

	dst[0] = '\0';
	if (p == NULL)
		return;
	while (p > log && p[-1] != '\n')
		p--;
	line = p;
	for (int lines = 0; *line && lines < 40; lines++) {
		const char *eol = strchr(line, '\n'), *st = strstr(line, " state:");
		size_t l = eol ? (size_t)(eol - line) + 1 : strlen(line);
		if (lines > 0 && st != NULL && st < line + l)
			break;
		if (used + l + 1 >= len)
			break;
		memcpy(dst + used, line, l);
		used += l;
		line += l;
	}
	dst[used] = '\0';
}

static void
arm_deadline_and_console_give_one_stuck_task_the_same_titles(void)
{
	size_t len;
	char *probe = slurp(ARM_PROBE, &len), *log = slurp(ARM_CONSOLE, &len);
	char pid[32], wchan[128], stack[8192], title[256], rig_title[256], who[64];
	struct got g;

	CHECK(probe != NULL && log != NULL);
	if (probe == NULL || log == NULL) {
		free(probe);
		free(log);
		return;
	}
	triage_file(ARM_CONSOLE, &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "INFO: task hung in i2c_imx_remove");
	CHECK_STR(g.r[0].rig_title, "INFO: task hung in i2c_del_adapter");
	CHECK_INT(g.r[0].corrupted, 0);

	hangstack_section(probe, "pid", pid, sizeof(pid));
	hangstack_section(probe, "wchan", wchan, sizeof(wchan));
	hangstack_section(probe, "stack", stack, sizeof(stack));
	snprintf(who, sizeof(who), "INFO: task sh:%s blocked", pid);
	CHECK(strstr(log, who) != NULL);
	/* wchan alone names the call the task waits in, not who made it: only the rig's title agrees. */
	CHECK_STR(stack, "");
	CHECK_INT(triage_hang_titles(stack, wchan, title, sizeof(title), rig_title, sizeof(rig_title)), 1);
	CHECK_STR(rig_title, g.r[0].rig_title);
	/* With the task's lines of the sysrq-w dump, both agree. */
	sysrq_task(log, stack, sizeof(stack));
	CHECK(strstr(stack, "i2c_imx_remove") != NULL);
	CHECK_INT(triage_hang_titles(stack, wchan, title, sizeof(title), rig_title, sizeof(rig_title)), 0);
	CHECK_STR(title, g.r[0].title);
	CHECK_STR(rig_title, g.r[0].rig_title);
	free(probe);
	free(log);
}

static void
stack_with_wait_helpers_is_charged_past_them(void)
{
	const char *amd64 =
	    "[<0>] __switch_to+0x1a0/0x2c0\n"
	    "[<0>] __schedule+0x34d/0xa00\n"
	    "[<0>] schedule+0x5a/0xd0\n"
	    "[<0>] schedule_timeout+0x11a/0x150\n"
	    "[<0>] __wait_for_common+0x94/0x1e0\n"
	    "[<0>] i2c_del_adapter+0x120/0x1b0 [i2c_core]\n"
	    "[<0>] i801_remove+0x54/0xd0 [i2c_i801]\n";
	char frame[128], rig_frame[128];

	CHECK_INT(triage_hang_frames(amd64, "i2c_del_adapter", frame, sizeof(frame), rig_frame,
	    sizeof(rig_frame)), 0);
	CHECK_STR(frame, "i801_remove");
	CHECK_STR(rig_frame, "i2c_del_adapter");
	/* Without wchan the stack alone names it. */
	triage_hang_frames(amd64, "", NULL, 0, frame, sizeof(frame));
	CHECK_STR(frame, "i2c_del_adapter");
	/* A mutex wait and a sleep are how a task waits, whichever policy. */
	CHECK_INT(triage_hang_frames("[<0>] __mutex_lock.constprop.0+0x14a/0x4a0\n"
	    "[<0>] msleep+0x2d/0x40\n[<0>] mtd_device_unregister+0x30/0x90\n"
	    "[<0>] imx_nand_remove+0x1c/0x40 [mxc_nand]\n", "", frame, sizeof(frame), rig_frame,
	    sizeof(rig_frame)), 0);
	CHECK_STR(rig_frame, "mtd_device_unregister");
}

static void
without_a_stack_wchan_or_nothing_names_the_hang(void)
{
	char title[256], rig_title[256];

	CHECK_INT(triage_hang_titles("", "i2c_del_adapter", title, sizeof(title), rig_title,
	    sizeof(rig_title)), 1);
	CHECK_STR(title, "INFO: task hung in i2c_del_adapter");
	CHECK_STR(rig_title, "INFO: task hung in i2c_del_adapter");
	/* A task asleep in Rust code: its wchan is the mangled symbol, the title names it as Rust does. */
	CHECK_INT(triage_hang_titles("", "_RNvMs0_NtCshgDM7dBCdno_4frob6threadNtB5_6Thread4wait", title,
	    sizeof(title), rig_title, sizeof(rig_title)), 1);
	CHECK_STR(title, "INFO: task hung in <frob::thread::Thread>::wait");
	CHECK_STR(rig_title, "INFO: task hung in <frob::thread::Thread>::wait");
	CHECK_INT(triage_hang_titles(NULL, "0", title, sizeof(title), rig_title, sizeof(rig_title)), 2);
	CHECK_STR(title, "INFO: task hung");
	CHECK_STR(rig_title, "INFO: task hung");
	/* Lines that are no frames at all fall back the same way. */
	CHECK_INT(triage_hang_titles("cat: can't open '/proc/149/stack': Permission denied\n", NULL,
	    title, sizeof(title), rig_title, sizeof(rig_title)), 2);
	CHECK_STR(title, "INFO: task hung");
}

static void
titles_are_cut_to_their_buffers(void)
{
	char title[12], rig_title[1];
	size_t len;
	char *probe = slurp(PROBE, &len), stack[8192];

	CHECK(probe != NULL);
	if (probe == NULL)
		return;
	hangstack_section(probe, "stack", stack, sizeof(stack));
	CHECK_INT(triage_hang_titles(stack, "", title, sizeof(title), rig_title, sizeof(rig_title)), 0);
	CHECK_STR(title, "INFO: task ");
	CHECK_STR(rig_title, "");
	CHECK_INT(triage_hang_titles(stack, "", NULL, 0, NULL, 0), 0);
	free(probe);
}

static void
other_reports_carry_their_one_title_twice(void)
{
	struct got g;

	triage_file(DATA "vsabre-mtd-oops.log", &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].rig_title, g.r[0].title);
	CHECK_STR(g.r[0].rig_frame, "mtd_proc_show");
	/* A hung task whose stack never reached the console: no policy has a frame to name. */
	triage_file(DATA "vq35-i2c-hung-task-quiet.log", &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].rig_title, "INFO: task hung in corrupted");
}

int
main(void)
{
	RUN(console_report_of_a_hung_task_carries_both_titles);
	RUN(deadline_and_console_give_one_stuck_task_the_same_titles);
	RUN(sysrq_dump_of_the_task_gives_the_console_titles);
	RUN(arm_deadline_and_console_give_one_stuck_task_the_same_titles);
	RUN(stack_with_wait_helpers_is_charged_past_them);
	RUN(without_a_stack_wchan_or_nothing_names_the_hang);
	RUN(titles_are_cut_to_their_buffers);
	RUN(other_reports_carry_their_one_title_twice);
	TEST_END();
}
