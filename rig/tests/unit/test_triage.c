/* test_triage: crash titles, report boundaries and robustness of the streaming triage engine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "triage.h"
#include "triage_int.h"

#define DATA "rig/tests/data/triage/"

struct got {
	int			n;
	struct triage_report	r[8];
	char			text[8][512];
};

static void
collect(const struct triage_report *r, void *arg)
{
	struct got *g = arg;

	if (g->n < 8) {
		g->r[g->n] = *r;
		size_t n = r->textlen < 511 ? r->textlen : 511;
		memcpy(g->text[g->n], r->text, n);
		g->text[g->n][n] = '\0';
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
	if (buf != NULL)
		*len = fread(buf, 1, (1 << 20) - 1, fp);
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
triage_str(const char *s, struct got *g)
{
	memset(g, 0, sizeof(*g));
	CHECK(triage_buffer(s, strlen(s), collect, g) == 0);
}

static void
real_vsabre_console_gives_the_same_title(void)
{
	struct got g;

	triage_file("rig/tests/data/consoles/vsabre-mtd-crash.log", &g);
	CHECK(g.n >= 1);
	CHECK_STR(g.r[0].title, "BUG: unable to handle kernel paging request in mtd_proc_show");
	CHECK_INT(g.r[0].verdict, VERDICT_CRASH);
}

static void
hung_task_is_charged_to_the_driver_past_the_waits(void)
{
	struct got g;

	triage_file(DATA "vq35-i2c-hung-task.log", &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "INFO: task hung in i801_remove");
	CHECK_STR(g.r[0].type, "hang");
	CHECK_INT(g.r[0].verdict, VERDICT_HANG);
	CHECK_INT(g.r[0].corrupted, 0);
}

/*
 * A fault-injection frame marks its own report corrupted, not every report after it: the
 * event loop's triage lives as long as rigd.
 */
static void
a_fault_injection_stack_does_not_taint_later_reports(void)
{
	struct got g;
	size_t len;
	char *clean = slurp(DATA "vq35-i2c-hung-task.log", &len);
	char *buf = malloc(2 * len + 64);
	const char *inject = "[   29.900000]  should_fail_ex+0x1/0x2\n";
	const char *at = clean ? strstr(clean, "[   29.900361]  i2c_del_adapter") : NULL;

	CHECK(clean != NULL && buf != NULL && at != NULL);
	if (clean == NULL || buf == NULL || at == NULL) {
		free(clean);
		free(buf);
		return;
	}
	size_t head = (size_t)(at - clean), n = 0;
	memcpy(buf, clean, head);
	n = head;
	memcpy(buf + n, inject, strlen(inject));
	n += strlen(inject);
	memcpy(buf + n, at, len - head);
	n += len - head;
	memcpy(buf + n, clean, len);
	n += len;
	memset(&g, 0, sizeof(g));
	CHECK(triage_buffer(buf, n, collect, &g) == 0);
	CHECK_INT(g.n, 2);
	CHECK_INT(g.r[0].corrupted, 1);
	CHECK_INT(g.r[1].corrupted, 0);
	CHECK_STR(g.r[1].title, "INFO: task hung in i801_remove");
	free(clean);
	free(buf);
}

static void
byte_range_starts_at_the_header_line(void)
{
	struct got g;
	size_t len;
	char *buf = slurp(DATA "vq35-i2c-hung-task.log", &len);

	triage_file(DATA "vq35-i2c-hung-task.log", &g);
	CHECK(buf != NULL && g.n == 1);
	if (buf == NULL || g.n != 1) {
		free(buf);
		return;
	}
	CHECK(g.r[0].start < g.r[0].end && g.r[0].end <= len);
	CHECK(strncmp(buf + g.r[0].start, "[   29.897458] INFO: task init:92", 33) == 0);
	CHECK(strncmp(g.text[0], "INFO: task init:92 blocked", 26) == 0);
	free(buf);
}

static void
report_is_delivered_at_its_end_marker_without_a_flush(void)
{
	struct got g;
	size_t len;
	char *buf = slurp(DATA "x86-gpf-warning-72.log", &len);
	struct triage *t = triage_new(collect, &g);

	memset(&g, 0, sizeof(g));
	CHECK(t != NULL && buf != NULL);
	if (t == NULL || buf == NULL) {
		free(buf);
		triage_free(t);
		return;
	}
	triage_feed(t, buf, len);
	CHECK_INT(triage_pending(t), 0);
	CHECK_INT(g.n, 2);
	triage_free(t);
	free(buf);
}

static void
warning_in_72_format_and_oops_gpf_are_titled(void)
{
	struct got g;

	triage_file(DATA "x86-gpf-warning-72.log", &g);
	CHECK_INT(g.n, 2);
	/* i2c_del_adapter is a generic wrapper: the driver calling it is charged. */
	CHECK_STR(g.r[0].title, "WARNING in i801_remove");
	CHECK_STR(g.r[0].type, "warning");
	CHECK_STR(g.r[1].title, "general protection fault in mtd_proc_show");
}

static void
bytes_fed_one_at_a_time_give_the_same_reports(void)
{
	struct got whole, bytewise;
	size_t len;
	char *buf = slurp(DATA "vq35-i2c-hung-task.log", &len);
	struct triage *t = triage_new(collect, &bytewise);

	memset(&bytewise, 0, sizeof(bytewise));
	triage_file(DATA "vq35-i2c-hung-task.log", &whole);
	CHECK(t != NULL && buf != NULL);
	if (t != NULL && buf != NULL) {
		for (size_t i = 0; i < len; i++)
			triage_feed(t, buf + i, 1);
		CHECK_INT(triage_pending(t), 1);
		triage_flush(t);
		CHECK_INT(bytewise.n, whole.n);
		CHECK_STR(bytewise.r[0].title, whole.r[0].title);
		CHECK_INT(bytewise.r[0].start, whole.r[0].start);
		CHECK_INT(bytewise.r[0].end, whole.r[0].end);
	}
	triage_free(t);
	free(buf);
}

static void
nul_cr_and_escapes_do_not_hide_a_report(void)
{
	static const char log[] =
	    "\x1b[0m\x1b[6n[   29.897458] INFO: task init:92 blocked for more than 5 seconds.\r\n"
	    "[   29.899126] Call Trace:\r\n"
	    "[   29.899354]  __schedule+0x34d/0xa00\r\n"
	    "[   29.900361]  i2c_del\0_adapter+0x120/0x1b0\r\n"
	    "[   29.900450]  \x1b[1mi801_remove+0x54/0xd0 [i2c_i801]\r\n";
	struct got g;

	memset(&g, 0, sizeof(g));
	CHECK(triage_buffer(log, sizeof(log) - 1, collect, &g) == 0);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "INFO: task hung in i801_remove");
}

static void
a_megabyte_line_and_binary_noise_are_bounded(void)
{
	size_t big = 1 << 20;
	char *buf = malloc(big + 4096);
	const char *tail = "\n[    5.000000] BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=0 stuck for 33s!\n";
	struct got g;

	CHECK(buf != NULL);
	if (buf == NULL)
		return;
	for (size_t i = 0; i < big; i++)
		buf[i] = (char)(i * 2654435761u >> 13);
	/* No newline inside the noise: one enormous line with a header buried in it. */
	for (size_t i = 0; i < big; i++)
		if (buf[i] == '\n')
			buf[i] = ' ';
	memcpy(buf + big / 2, "BUG: KASAN: ", 12);
	memcpy(buf + big, tail, strlen(tail));
	memset(&g, 0, sizeof(g));
	CHECK(triage_buffer(buf, big + strlen(tail), collect, &g) == 0);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "BUG: workqueue lockup");
	free(buf);
}

static void
a_boot_rigd_asked_for_is_not_a_reboot(void)
{
	static const char log[] = "U-Boot 2023.01\nDecompressing Linux... Parsing ELF... done.\nBooting the kernel.\n";
	struct got g;
	struct triage *t = triage_new(collect, &g);

	triage_str(log, &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "unexpected kernel reboot");
	memset(&g, 0, sizeof(g));
	CHECK(t != NULL);
	if (t == NULL)
		return;
	triage_expect_boot(t);
	triage_feed(t, log, sizeof(log) - 1);
	triage_flush(t);
	CHECK_INT(g.n, 0);
	triage_free(t);
}

static void
a_kernel_line_ending_in_fatal_error_is_not_the_go_runtime(void)
{
	struct got g;

	triage_str("[   69.2][ T2742] ALSA: seq fatal error: cannot create timer (-22)\n"
	    "fatal error: cannot create timer (-22)\n[   70.1][ T2742] next\n", &g);
	CHECK_INT(g.n, 0);
	triage_str("fatal error: concurrent map writes\n\ngoroutine 12 [running]:\nmain.f()\n", &g);
	CHECK_INT(g.n, 1);
	if (g.n == 1)
		CHECK_STR(g.r[0].title, "go runtime error");
}

static void
untimestamped_lines_do_not_push_the_stack_out_of_a_report(void)
{
	struct got g;
	char log[8192];
	size_t n = 0;

	n += (size_t)snprintf(log + n, sizeof(log) - n,
	    "[  359.9] WARNING: CPU: 0 PID: 28200 at lib/refcount.c:152 refcount_inc+0x47/0x50\n");
	/* Another writer on the same port (a fuzzer's program log) between the header and the stack. */
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(log + n, sizeof(log) - n, "r%d = socket$inet(0x2, 0x2, 0x0)\n", i);
	n += (size_t)snprintf(log + n, sizeof(log) - n,
	    "[  359.98] Kernel panic - not syncing: panic_on_warn set ...\n"
	    "[  360.00] Call Trace:\n[  360.01]  dump_stack+0x194/0x257\n[  360.02]  panic+0x1e4/0x417\n"
	    "[  360.03]  __warn+0x1c4/0x1d9\n[  360.04]  report_bug+0x211/0x2d0\n"
	    "[  360.09] RIP: 0010:refcount_inc+0x47/0x50\n[  360.14]  dev_activate+0x7d3/0xaa0\n"
	    "[  360.18]  __dev_open+0x227/0x330\n[  360.50] ---[ end trace 1 ]---\n");
	triage_str(log, &g);
	CHECK_INT(g.n, 1);
	if (g.n == 1)
		CHECK_STR(g.r[0].title, "WARNING: refcount bug in dev_activate");
}

/*
 * The scan looks at four positions a step: a header at any offset of the buffer, and one that
 * ends the buffer exactly or is cut by its end, are found (or not) just the same.
 */
static void
a_header_at_any_offset_or_at_the_end_is_found(void)
{
	static const char rep[] =
	    "[   12.000000] BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
	    "[   12.000001] RIP: 0010:i2c_del_adapter+0x10/0x200\n"
	    "[   12.000002] Call Trace:\n"
	    "[   12.000003]  <TASK>\n"
	    "[   12.000004]  i2c_del_adapter+0x10/0x200\n"
	    "[   12.000005]  </TASK>\n"
	    "[   12.000006] ---[ end trace 0000000000000000 ]---\n";
	char buf[1024], first[256] = "";
	struct got g;
	int k;

	for (k = 0; k < 16; k++) {
		memset(buf, 'x', (size_t)k);
		buf[k] = '\n';
		memcpy(buf + k + 1, rep, sizeof(rep));
		triage_str(buf, &g);
		CHECK_INT(g.n, 1);
		if (g.n == 1 && k == 0)
			snprintf(first, sizeof(first), "%s", g.r[0].title);
		if (g.n == 1)
			CHECK_STR(g.r[0].title, first);
	}
	CHECK(strncmp(first, "BUG: unable to handle kernel NULL pointer dereference", 53) == 0);
	/* "BUG:" as the last four bytes is a (corrupted) report; cut to "BUG" it is none. */
	for (k = 0; k < 16; k++) {
		memset(buf, 'x', (size_t)k);
		memcpy(buf + k, " BUG:", 6);
		triage_str(buf, &g);
		CHECK_INT(g.n, 1);
		buf[k + 4] = '\0';
		triage_str(buf, &g);
		CHECK_INT(g.n, 0);
	}
}

/* What the scan must find, the slow way: the least offset where any literal begins. */
static long
scan_reference(const char *buf, size_t len)
{
	long best = -1;
	const char *lit, *p;

	for (size_t i = 0; (lit = triage_rules_literal(i)) != NULL; i++)
		if ((p = memmem(buf, len, lit, strlen(lit))) != NULL && (best < 0 || p - buf < best))
			best = p - buf;
	return best;
}

/*
 * The scan looks at samples and colons, not at every byte: each literal is still found at
 * every offset, first of two, cut at the buffer's end or not, and real consoles cut into
 * reads of any size give the same first hits as the slow way.
 */
static void
the_scan_finds_every_literal_where_the_slow_way_does(void)
{
	static const char *logs[] = { DATA "vq35-i2c-hung-task-real.log",
	    DATA "vsabre-i2c-hung-task-real.log", DATA "interleaved-tasks.log", NULL };
	static const size_t sizes[] = { 1, 7, 61, 4096 };
	char buf[256];
	const char *lit, *lit2;
	int bad = 0;

	triage_free(triage_new(collect, NULL));	/* the tables */
	for (size_t i = 0; (lit = triage_rules_literal(i)) != NULL; i++) {
		size_t l = strlen(lit);

		for (size_t at = 0; at < 40; at++) {
			memset(buf, 'a', sizeof(buf));
			memcpy(buf + at, lit, l);
			bad += triage_rules_scan(buf, at + l) != (long)at;
			bad += triage_rules_scan(buf, at + l - 1) != scan_reference(buf, at + l - 1);
			bad += triage_rules_scan(buf, sizeof(buf)) != (long)at;
			/* A second literal after it does not hide it, nor it the second. */
			for (size_t j = 0; (lit2 = triage_rules_literal(j)) != NULL; j += 5) {
				memcpy(buf + at + l + 3, lit2, strlen(lit2));
				bad += triage_rules_scan(buf, sizeof(buf)) != (long)at;
				bad += triage_rules_scan(buf + at + 1, sizeof(buf) - at - 1) !=
				    scan_reference(buf + at + 1, sizeof(buf) - at - 1);
			}
		}
	}
	CHECK_INT(bad, 0);
	for (int f = 0; logs[f] != NULL; f++) {
		size_t len;
		char *text = slurp(logs[f], &len);

		CHECK(text != NULL && len > 0);
		for (size_t s = 0; text != NULL && s < sizeof(sizes) / sizeof(sizes[0]); s++)
			for (size_t off = 0; off < len; off += sizes[s]) {
				size_t n = len - off < sizes[s] ? len - off : sizes[s];

				bad += triage_rules_scan(text + off, n) != scan_reference(text + off, n);
			}
		free(text);
	}
	CHECK_INT(bad, 0);
}

/*
 * Each report names the table entry that titled it (its title template), so a measure can be
 * broken down by class; a header no format fitted names the header itself.
 */
static void
each_report_names_the_rule_that_titled_it(void)
{
	struct got g;

	triage_str("[   12.000000] BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
	    "[   12.000001] RIP: 0010:i2c_del_adapter+0x10/0x200\n"
	    "[   12.000002] Call Trace:\n"
	    "[   12.000004]  i2c_del_adapter+0x10/0x200\n"
	    "[   12.000006] ---[ end trace 0000000000000000 ]---\n", &g);
	CHECK_INT(g.n, 1);
	if (g.n == 1)
		CHECK_STR(g.r[0].rule, "BUG: unable to handle kernel NULL pointer dereference in $F");
	triage_str("[   12.000000] UBSAN: frobnicated\n", &g);
	CHECK_INT(g.n, 1);
	if (g.n == 1)
		CHECK_STR(g.r[0].rule, "UBSAN:");
}

/*
 * An RCU stall as kernel/rcu/tree_stall.h prints it ("INFO: %s self-detected stall on CPU"), the
 * stack interrupted by the timer; frames is the task's part, innermost first, ending at the
 * syscall entry.
 */
static void
stall_title(const char *frames, char *title, size_t tsz)
{
	char log[4096];
	struct got g;

	snprintf(log, sizeof(log),
	    "[  100.000000][    C1] rcu: INFO: rcu_preempt self-detected stall on CPU\n"
	    "[  100.000001][    C1] rcu: \t1-....: (10500 ticks this GP) idle=5c4/1/0x4000000000000000\n"
	    "[  100.000002][    C1] \t(t=10501 jiffies g=9009 q=233 ncpus=2)\n"
	    "[  100.000003][    C1] CPU: 1 PID: 3100 Comm: syz-executor.0 Not tainted 6.1.0 #1\n"
	    "[  100.000004][    C1] RIP: 0010:loop_body+0x10/0x20\n"
	    "[  100.000005][    C1] Call Trace:\n"
	    "[  100.000006][    C1]  <IRQ>\n"
	    "[  100.000007][    C1]  rcu_sched_clock_irq+0x100/0x200\n"
	    "[  100.000008][    C1]  update_process_times+0x10/0x20\n"
	    "[  100.000009][    C1]  </IRQ>\n"
	    "[  100.000010][    C1]  <TASK>\n"
	    "[  100.000011][    C1]  asm_sysvec_apic_timer_interrupt+0x16/0x20\n"
	    "%s"
	    "[  100.000020][    C1]  do_syscall_64+0x35/0x80\n"
	    "[  100.000021][    C1]  entry_SYSCALL_64_after_hwframe+0x63/0xcd\n"
	    "[  100.000022][    C1]  </TASK>\n", frames);
	triage_str(log, &g);
	CHECK_INT(g.n, 1);
	snprintf(title, tsz, "%s", g.n == 1 ? g.r[0].title : "");
}

/*
 * A stall is charged to the frame above the syscall entry: the arch wrapper (SYSCALL_DEFINE's
 * __x64_sys_NAME) is named sys_NAME, the kernel's own syscall function keeps its name, and a
 * dispatching syscall (ioctl) under any of its names gives way to the driver above it.
 */
static void
stall_frames_name_the_syscall_as_the_kernel_does(void)
{
	char t[256];

	stall_title("[  100.000012][    C1]  loop_body+0x10/0x20\n"
	    "[  100.000013][    C1]  __x64_sys_sched_yield+0x10/0x20\n", t, sizeof(t));
	CHECK_STR(t, "INFO: rcu detected stall in sys_sched_yield");
	stall_title("[  100.000012][    C1]  loop_body+0x10/0x20\n"
	    "[  100.000013][    C1]  __do_sys_sched_yield+0x10/0x20\n", t, sizeof(t));
	CHECK_STR(t, "INFO: rcu detected stall in __do_sys_sched_yield");
	stall_title("[  100.000012][    C1]  loop_body+0x10/0x20\n"
	    "[  100.000013][    C1]  SyS_sched_yield+0x10/0x20\n", t, sizeof(t));
	CHECK_STR(t, "INFO: rcu detected stall in sched_yield");
	stall_title("[  100.000012][    C1]  loop_body+0x10/0x20\n"
	    "[  100.000013][    C1]  frob_dev_ioctl+0x10/0x20\n"
	    "[  100.000014][    C1]  __do_sys_ioctl+0x10/0x20\n", t, sizeof(t));
	CHECK_STR(t, "INFO: rcu detected stall in frob_dev_ioctl");
}

/*
 * Lockdep's reports (kernel/locking/lockdep.c print_circular_bug and its kin) end in "stack
 * backtrace:" and dump_stack(): cut before it, the report is titled from its lines above but
 * flagged corrupted; whole, it is not.
 */
static void
a_lockdep_report_cut_before_its_backtrace_is_corrupted(void)
{
	static const char head[] =
	    "[  120.000000][ T3100] ======================================================\n"
	    "[  120.000001][ T3100] WARNING: possible circular locking dependency detected\n"
	    "[  120.000002][ T3100] 6.1.0 #1 Not tainted\n"
	    "[  120.000003][ T3100] ------------------------------------------------------\n"
	    "[  120.000004][ T3100] syz-executor.0/3100 is trying to acquire lock:\n"
	    "[  120.000005][ T3100] ffff888012345678 (&frob->lock){+.+.}-{3:3}, at: frob_flush+0x20/0x100\n"
	    "[  120.000006][ T3100] \n"
	    "[  120.000007][ T3100] but task is already holding lock:\n"
	    "[  120.000008][ T3100] ffff888087654321 (&tty->termios_rwsem){++++}-{3:3}, at: frob_isig+0x40/0x200\n"
	    "[  120.000009][ T3100] \n"
	    "[  120.000010][ T3100] which lock already depends on the new lock.\n";
	char log[4096];
	struct got g;

	triage_str(head, &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "possible deadlock in frob_flush");
	CHECK_INT(g.r[0].corrupted, 1);
	snprintf(log, sizeof(log), "%s"
	    "[  120.000011][ T3100] stack backtrace:\n"
	    "[  120.000012][ T3100] CPU: 0 PID: 3100 Comm: syz-executor.0 Not tainted 6.1.0 #1\n"
	    "[  120.000013][ T3100] Call Trace:\n"
	    "[  120.000014][ T3100]  <TASK>\n"
	    "[  120.000015][ T3100]  dump_stack_lvl+0x100/0x180\n"
	    "[  120.000016][ T3100]  check_noncircular+0x2f9/0x3b0\n"
	    "[  120.000017][ T3100]  __lock_acquire+0x2a0/0x5000\n"
	    "[  120.000018][ T3100]  lock_acquire+0x1a0/0x4f0\n"
	    "[  120.000019][ T3100]  frob_flush+0x20/0x100\n"
	    "[  120.000020][ T3100]  </TASK>\n", head);
	triage_str(log, &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "possible deadlock in frob_flush");
	CHECK_INT(g.r[0].corrupted, 0);
}

/*
 * lib/fault-inject.c fail_dump prints "FAULT_INJECTION: forcing a failure." and a stack of its
 * own. Inside a report on a console without caller ids its lines cannot be told from the
 * report's: the title comes from what precedes it and the report is corrupted. With caller ids
 * the other task's lines are simply not the report's.
 */
static void
a_fault_injection_inside_a_report_ends_its_text(void)
{
	static const char fmt[] =
	    "[   63.000000]%s =============================\n"
	    "[   63.000001]%s WARNING: suspicious RCU usage\n"
	    "[   63.000002]%s 6.1.0 #1 Not tainted\n"
	    "[   63.000003]%s FAULT_INJECTION: forcing a failure.\n"
	    "[   63.000004]%s name failslab, interval 1, probability 0, space 0, times 0\n"
	    "[   63.000005]%s -----------------------------\n"
	    "[   63.000006]%s include/linux/rcupdate.h:302 Illegal context switch in RCU read-side critical section!\n"
	    "[   63.000007]%s \n"
	    "[   63.000008]%s other info that might help us debug this:\n"
	    "[   63.000009]%s stack backtrace:\n"
	    "[   63.000010]%s Call Trace:\n"
	    "[   63.000011]%s  <TASK>\n"
	    "[   63.000012]%s  dump_stack_lvl+0x100/0x180\n"
	    "[   63.000013]%s  should_fail_ex+0x10/0x20\n"
	    "[   63.000014]%s  frob_alloc+0x10/0x20\n"
	    "[   63.000015]%s  </TASK>\n";
	const char *me = "[ T3100]", *other = "[ T3200]";
	char log[4096];
	struct got g;

	snprintf(log, sizeof(log), fmt, "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "");
	triage_str(log, &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "WARNING: suspicious RCU usage");
	CHECK_INT(g.r[0].corrupted, 1);
	/* The fault injection is another task's, and its stack too. */
	snprintf(log, sizeof(log), fmt, me, me, me, other, other, me, me, me, me, me, me, me, me, other, me, me);
	triage_str(log, &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "WARNING: suspicious RCU usage in frob_alloc");
	CHECK_INT(g.r[0].corrupted, 0);
}

/*
 * Format cases: one console log, the reports it must give and the first one's title, frame and
 * corrupted flag. A new report format gets a row here rather than a function of its own.
 */
struct fmt_case {
	const char	*name;		/* what the row shows */
	const char	*log;
	int		 n;		/* reports expected */
	const char	*title;		/* of the first report; NULL: no report */
	const char	*frame;		/* NULL: not checked */
	int		 corrupted;	/* -1: not checked */
	const char	*absent;	/* '|'-separated texts the first report must not hold; NULL: none */
	const char	*file;		/* the log is this file of DATA instead of log */
	const char	*type;		/* of the first report; NULL: not checked */
};

/* A Rust panic as 6.12 prints it: rust/kernel's panic handler (pr_emerg, prefix rust_kernel), then BUG(). */
#define RUST_PANIC(ctx, other) \
	"[   23.700000]" ctx " rust_kernel: panicked at drivers/frob/node.rs:877:13:\n" \
	"[   23.700000]" ctx " attempt to subtract with overflow\n" \
	"[   23.700100]" other " audit: type=1400 audit(1750305980.320:67): avc:  denied  { mount }\n" \
	"[   23.700200]" ctx " ------------[ cut here ]------------\n" \
	"[   23.700300]" ctx " kernel BUG at rust/helpers/bug.c:7!\n" \
	"[   23.700400]" ctx " Oops: invalid opcode: 0000 [#1] PREEMPT SMP KASAN PTI\n" \
	"[   23.700500]" ctx " CPU: 0 UID: 0 PID: 298 Comm: syz-executor821 Not tainted 6.12.23 #0\n" \
	"[   23.700600]" ctx " RIP: 0010:rust_helper_BUG+0x8/0x10\n" \
	"[   23.700700]" ctx " Call Trace:\n" \
	"[   23.700800]" ctx "  <TASK>\n" \
	"[   23.700900]" ctx "  _RNvCscSpY9Juk0HT_7___rustc17rust_begin_unwind+0x15b/0x160\n" \
	"[   23.701000]" ctx "  ? __cfi__RNvCscSpY9Juk0HT_7___rustc17rust_begin_unwind+0x10/0x10\n" \
	"[   23.701100]" ctx "  _RNvNtCs9jEwPDbx20M_4core9panicking9panic_fmt+0x84/0x90\n" \
	"[   23.701200]" ctx "  _RNvNtNtCs9jEwPDbx20M_4core9panicking11panic_const24panic_const_sub_overflow+0xb2/0xc0\n" \
	"[   23.701300]" ctx "  _RNvMs3_NtCshgDM7dBCdno_4frob7processNtB5_7Process10update_ref+0x17e5/0x1860\n" \
	"[   23.701400]" ctx "  frob_ioctl+0x10/0x20\n" \
	"[   23.701500]" ctx "  </TASK>\n" \
	"[   23.701600]" ctx " ---[ end trace 0000000000000000 ]---\n"

/* A WARNING whose stack another report of the same task (a nested BUG) starts inside. */
#define NESTED(ctx, other) \
	"[   50.000000]" ctx " ------------[ cut here ]------------\n" \
	"[   50.000001]" ctx " WARNING: CPU: 1 PID: 3100 at drivers/frob/core.c:120 frob_release+0x10/0x20\n" \
	"[   50.000002]" other " BUG: KASAN: use-after-free in other_task_fn+0x10/0x20\n" \
	"[   50.000003]" ctx " BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580\n" \
	"[   50.000004]" other " Read of size 8 at addr ffff888012345678 by task other/3200\n" \
	"[   50.000005]" ctx " Modules linked in:\n" \
	"[   50.000006]" ctx " RIP: 0010:frob_release+0x10/0x20\n" \
	"[   50.000007]" other " Call Trace:\n" \
	"[   50.000008]" other "  other_task_fn+0x10/0x20\n" \
	"[   50.000009]" ctx " Call Trace:\n" \
	"[   50.000010]" ctx "  <TASK>\n" \
	"[   50.000011]" ctx "  __might_resched+0x100/0x200\n" \
	"[   50.000012]" ctx "  frob_release+0x10/0x20\n" \
	"[   50.000013]" ctx "  __fput+0x100/0x200\n" \
	"[   50.000014]" ctx "  </TASK>\n" \
	"[   50.000015]" ctx " ---[ end trace 0000000000000000 ]---\n"

static const struct fmt_case fmt_cases[] = {
	/* Rust: "MESSAGE in FRAME", the frame demangled, the panic machinery passed over. */
	{ "rust panic, caller ids", RUST_PANIC("[  T298]", "[   T36]"), 1,
	    "attempt to subtract with overflow in <frob::process::Process>::update_ref",
	    "<frob::process::Process>::update_ref", 0, "audit", NULL, NULL },
	{ "rust panic, no caller ids", RUST_PANIC("", ""), 1,
	    "attempt to subtract with overflow in <frob::process::Process>::update_ref", NULL, -1, NULL, NULL, NULL },
	/* Rust before 1.73 (the kernel 6.1 builds with) put the message on the header line, quoted. */
	{ "rust panic, message on the header line",
	    "[   30.000000] rust_kernel: panicked at 'called `Option::unwrap()` on a `None` value', rust/kernel/frob.rs:12:5\n"
	    "[   30.000001] ------------[ cut here ]------------\n"
	    "[   30.000002] kernel BUG at rust/helpers.c:26!\n"
	    "[   30.000003] invalid opcode: 0000 [#1] PREEMPT SMP\n"
	    "[   30.000004] RIP: 0010:rust_helper_BUG+0x8/0x10\n"
	    "[   30.000005] Call Trace:\n"
	    "[   30.000006]  <TASK>\n"
	    "[   30.000007]  rust_begin_unwind+0x15b/0x160\n"
	    "[   30.000008]  _ZN4core9panicking9panic_fmt17h0123456789abcdefE+0x84/0x90\n"
	    "[   30.000009]  _ZN4core9panicking5panic17h0123456789abcdefE+0x10/0x20\n"
	    "[   30.000010]  _ZN4frob6Device4open17h0123456789abcdefE+0x10/0x20\n"
	    "[   30.000011]  </TASK>\n", 1,
	    "called `Option::unwrap()` on a `None` value in frob::Device::open", "frob::Device::open", 0, NULL, NULL, NULL },
	/* A mangled name longer than a frame's buffer is demangled whole (titles stop at 120 characters). */
	{ .name = "rust frame mangled past 128 characters", .n = 1, .corrupted = -1,
	    .title = "boom in frob::a_rather_long_module_name_here::another_rather_long_module_name::yet_another_long_type_name::a_long_method",
	    .frame = "frob::a_rather_long_module_name_here::another_rather_long_module_name::yet_another_long_type_name::a_long_method_name",
	    .log = "[   30.000000] rust_kernel: panicked at 'boom', rust/kernel/frob.rs:12:5\n"
	    "[   30.000005] Call Trace:\n"
	    "[   30.000007]  rust_begin_unwind+0x15b/0x160\n"
	    "[   30.000010]  _ZN4frob30a_rather_long_module_name_here31another_rather_long_module_name26yet_another_long_type_name18a_long_method_name17h0123456789abcdefE+0x10/0x20\n" },
	/* A second report of the same task inside the first: the first's title, none of the other task's lines. */
	{ "second report inside the first, caller ids", NESTED("[ T3100]", "[ T3200]"), 1,
	    "WARNING in frob_release", "frob_release", -1, "other_task_fn", NULL, NULL },
	/* Without them nothing tells whose the lines are: the first ends where the second begins, frameless. */
	{ "second report inside the first, no caller ids", NESTED("", ""), 3,
	    "WARNING in corrupted", NULL, 1, NULL, NULL, NULL },
	/* arch/x86/kernel/traps.c exc_divide_error -> die("divide error") -> "%s: %04lx [#%d]". */
	{ "divide error in an interrupt, caller ids",
	    "[   70.000000][    C1] Oops: divide error: 0000 [#1] PREEMPT SMP KASAN NOPTI\n"
	    "[   70.000001][    C1] CPU: 1 PID: 0 Comm: swapper/1 Not tainted 6.1.0 #1\n"
	    "[   70.000002][    C1] RIP: 0010:frob_timer_fn+0x41/0x90\n"
	    "[   70.000003][ T3100] RIP: 0010:not_this_one+0x1/0x2\n"
	    "[   70.000004][    C1] Call Trace:\n"
	    "[   70.000005][    C1]  <IRQ>\n"
	    "[   70.000006][    C1]  call_timer_fn+0x10/0x20\n"
	    "[   70.000007][    C1]  </IRQ>\n"
	    "[   70.000008][    C1] ---[ end trace 0000000000000000 ]---\n", 1,
	    "divide error in frob_timer_fn", "frob_timer_fn", 0, "not_this_one", NULL, NULL },
	/* 5.8 to 5.10 spelt it with an underscore (DEFINE_IDTENTRY's name, x86/entry conversion). */
	{ "divide_error spelling",
	    "[   70.000000] divide_error: 0000 [#1] PREEMPT SMP KASAN\n"
	    "[   70.000001] RIP: 0010:frob_div+0x41/0x90\n", 1, "divide error in frob_div", "frob_div", 0, NULL, NULL, NULL },
	/* The user-space trap (show_signal: "%s[%d] %s%s ip:%lx sp:%lx error:%lx") is no kernel crash. */
	{ "divide error of a user program",
	    "[   70.000000] traps: frob[3100] trap divide error ip:401136 sp:7ffd1bd0 error:0 in frob[401000+1000]\n",
	    0, NULL, NULL, -1, NULL, NULL, NULL },
	/*
	 * fs/super.c generic_shutdown_super: "VFS: Busy inodes after unmount of %s (%s)" through
	 * CHECK_DATA_CORRUPTION (a WARN with the stack after it), or the older plain printk.
	 */
	{ "busy inodes after unmount, 6.1",
	    "[   80.000000][ T3100] VFS: Busy inodes after unmount of loop0 (ext4)\n"
	    "[   80.000001][ T3100] ------------[ cut here ]------------\n"
	    "[   80.000002][ T3100] WARNING: CPU: 0 PID: 3100 at fs/super.c:504 generic_shutdown_super+0x2b0/0x300\n"
	    "[   80.000003][ T3100] RIP: 0010:generic_shutdown_super+0x2b0/0x300\n"
	    "[   80.000004][ T3100] Call Trace:\n"
	    "[   80.000005][ T3100]  <TASK>\n"
	    "[   80.000006][ T3100]  kill_block_super+0x10/0x20\n"
	    "[   80.000007][ T3100]  </TASK>\n"
	    "[   80.000008][ T3100] ---[ end trace 0000000000000000 ]---\n", 1,
	    "VFS: Busy inodes after unmount (use-after-free)", NULL, 0, NULL, NULL, NULL },
	{ "busy inodes after unmount, older kernels",
	    "[   80.000000] VFS: Busy inodes after unmount of sda1. Self-destruct in 5 seconds.  Have a nice day...\n", 1,
	    "VFS: Busy inodes after unmount (use-after-free)", NULL, 0, NULL, NULL, NULL },
	/* Once the first has printed its stack, the next report of the same task is a report of its own. */
	{ .name = "a report after the first's stack", .n = 2, .title = "WARNING in frob_release", .corrupted = -1,
	    .log = "[   50.000001][ T3100] WARNING: CPU: 1 PID: 3100 at drivers/frob/core.c:120 frob_release+0x10/0x20\n"
	    "[   50.000006][ T3100] RIP: 0010:frob_release+0x10/0x20\n"
	    "[   50.000009][ T3100] Call Trace:\n"
	    "[   50.000010][ T3100]  <TASK>\n"
	    "[   50.000012][ T3100]  frob_release+0x10/0x20\n"
	    "[   50.000013][ T3100] BUG: KASAN: use-after-free in frob_free+0x10/0x20\n"
	    "[   50.000014][ T3100] Read of size 8 at addr ffff888012345678 by task frob/3100\n"
	    "[   50.000015][ T3100] Call Trace:\n"
	    "[   50.000016][ T3100]  frob_free+0x10/0x20\n" },
	/* The not-a-crash lists of the rules table (triage_rules.c, each entry with its source). */
	{ .name = "a driver's own WARNING notice", .corrupted = -1,
	    .log = "[    5.000000] floppy0: WARNING: unexpected interrupt\n" },
	{ .name = "sshd's WARNING on the console", .corrupted = -1,
	    .log = "[    5.000000] sshd[312]: WARNING: /etc/ssh/moduli does not exist, using fixed modulus\n" },
	{ .name = "a slow NMI handler", .corrupted = -1,
	    .log = "[   90.000000] INFO: NMI handler (perf_event_nmi_handler) took too long to run: 2.134 msecs\n" },
	{ .name = "a user program's general protection fault", .corrupted = -1,
	    .log = "[   90.000000] traps: frob[3100] general protection fault ip:401136 sp:7ffd1bd0 error:0 in frob[401000+1000]\n" },
	/* The rows below were functions of one shape each before the table. */
	/* Files of real consoles and hand-made logs. The panic that ends an arm oops is part of it. */
	{ .name = "arm paging request past printk frames", .file = "vsabre-mtd-oops.log", .n = 1,
	    .title = "BUG: unable to handle kernel paging request in mtd_proc_show", .frame = "mtd_proc_show",
	    .type = "fault" },
	{ .name = "hung task without a stack", .file = "vq35-i2c-hung-task-quiet.log", .n = 1,
	    .title = "INFO: task hung in corrupted", .corrupted = 1 },
	{ .name = "other tasks' lines stay out", .file = "interleaved-tasks.log", .n = 1,
	    .title = "KASAN: use-after-free Read in mtd_proc_show", .corrupted = -1, .absent = "audit|wrong_task_frame" },
	{ .name = "messages that only look like crashes", .file = "quiet-boot.log", .corrupted = -1 },
	/*
	 * Kernel formats (Debian linux-source-6.1): lockdep's invalid wait context, x86's guard page
	 * hit on a stack whose name is not a plain word, arm64's stack overflow panic, and a
	 * panic_on_warn whose origin comes first (the report that set it off was lost: corrupted).
	 */
	{ .name = "lockdep invalid wait context", .file = "fmt-lockdep-invalid-wait-context.log", .n = 1,
	    .title = "BUG: Invalid wait context in frob_dev_open", .type = "lockdep" },
	{ .name = "x86 #DF stack guard page", .file = "fmt-x86-df-stack-guard-page.log", .n = 1,
	    .title = "BUG: stack guard page was hit in frob_ioctl", .corrupted = -1 },
	{ .name = "arm64 stack overflow", .file = "fmt-arm64-stack-overflow.log", .n = 1,
	    .title = "kernel stack overflow in frob_ioctl" },
	{ .name = "panic_on_warn with its origin first", .log = "[   70.000000] Kernel panic - not syncing: KASAN: panic_on_warn set ...\n"
	    "[   70.000001] CPU: 0 PID: 3100 Comm: syz-executor.0 Not tainted 6.1.0 #1\n"
	    "[   70.000002] Call Trace:\n[   70.000003]  <TASK>\n[   70.000004]  dump_stack_lvl+0x100/0x180\n"
	    "[   70.000005]  panic+0x2c8/0x622\n[   70.000006]  check_panic_on_warn+0x82/0xa0\n"
	    "[   70.000007]  end_report+0x10/0x20\n[   70.000008]  </TASK>\n"
	    "[   70.000009] Kernel Offset: disabled\n", .n = 1,
	    .title = "kernel panic: panic_on_warn set", .corrupted = 1 },
	/*
	 * A "WARNING:" line is a report only in one of the kernel's formats: __warn's (with or
	 * without the file, or cut short), lockdep's headers (even when the rest was lost). A
	 * subsystem's plain notice is not (arch/x86/kernel/cpu/bugs.c prints several at boot).
	 */
	{ .name = "plain WARNING notices", .log = "[    0.100000] WARNING: Spectre v2 mitigation leaves CPU vulnerable to RETBleed attacks, data leaks possible!\n"
	    "[    0.100001] WARNING: CPU does not support IBPB.\n"
	    "[    0.100002] WARNING: kernel not compiled with CPU_UNRET_ENTRY.\n", .corrupted = -1 },
	{ .name = "__warn without a file", .log = "[   80.000000] WARNING: CPU: 1 PID: 3100 at frob_release+0x10/0x20\n"
	    "[   80.000001] Modules linked in:\n"
	    "[   80.000002] RIP: 0010:frob_release+0x10/0x20\n"
	    "[   80.000003] Call Trace:\n[   80.000004]  <TASK>\n[   80.000005]  __fput+0x100/0x200\n"
	    "[   80.000006]  </TASK>\n[   80.000007] ---[ end trace 0000000000000000 ]---\n", .n = 1, .title = "WARNING in frob_release" },
	{ .name = "__warn cut short", .log = "[   80.000000] WARNING: CPU: 1 PID: 3100 at\n[   80.000001] Modules linked in:\n", .n = 1, .title = "WARNING: CPU: NUM PID: NUM at", .corrupted = 1 },
	{ .name = "lockdep header whose rest was lost", .log = "[   80.000000] ======================================================\n"
	    "[   80.000001] WARNING: possible circular locking dependency detected\n"
	    "[   80.000002] 6.1.0 #1 Not tainted\n"
	    "[   80.000003] ------------------------------------------------------\n", .n = 1,
	    .title = "WARNING: possible circular locking dependency detected", .corrupted = 1 },
	/* KFENCE and KMSAN print their stack right under the header (stack_trace_print), no "Call Trace:". */
	{ .name = "kfence in kunit", .log = "[    5.000000] ==================================================================\n"
	    "[    5.000001] BUG: KFENCE: out-of-bounds read in frob_test_oob+0xb3/0x20f\n"
	    "[    5.000002] \n"
	    "[    5.000003] Out-of-bounds read at 0xffff8c2aae24c020 (32B right of kfence-#37):\n"
	    "[    5.000004]  frob_test_oob+0xb3/0x20f\n"
	    "[    5.000005]  kunit_try_run_case+0x51/0x90\n"
	    "[    5.000006]  kunit_generic_run_threadfn_adapter+0x16/0x30\n"
	    "[    5.000007]  kthread+0x166/0x1a0\n"
	    "[    5.000008]  ret_from_fork+0x22/0x30\n"
	    "[    5.000009] \n"
	    "[    5.000010] kfence-#37: 0xffff8c2aae24c000-0xffff8c2aae24c01f, size=32, cache=kmalloc-32\n"
	    "[    5.000011] \n"
	    "[    5.000012] CPU: 0 PID: 120 Comm: kunit_try_catch Not tainted 6.1.0 #1\n"
	    "[    5.000013] ==================================================================\n", .n = 1, .title = "KFENCE: out-of-bounds read in frob_test_oob" },
	{ .name = "kmsan in softirq", .log = "[   90.000000][    C0] =====================================================\n"
	    "[   90.000001][    C0] BUG: KMSAN: uninit-value in frob_rx+0x95d/0xdf0\n"
	    "[   90.000002][    C0]  frob_rx+0x95d/0xdf0\n"
	    "[   90.000003][    C0]  __napi_poll+0xe7/0x980\n"
	    "[   90.000004][    C0]  net_rx_action+0x8e7/0x1710\n"
	    "[   90.000005][    C0]  __do_softirq+0x1c5/0x7b9\n"
	    "[   90.000006][    C0] \n"
	    "[   90.000007][    C0] Uninit was created at:\n"
	    "[   90.000008][    C0]  __alloc_pages+0x9f1/0xe80\n"
	    "[   90.000009][    C0] \n"
	    "[   90.000010][    C0] CPU: 0 PID: 0 Comm: swapper/0 Not tainted 6.1.0 #1\n"
	    "[   90.000011][    C0] =====================================================\n", .n = 1, .title = "KMSAN: uninit-value in frob_rx" },
	/* The unwinders' guesses: powerpc's "func (unreliable)", x86's "? func" (arch/x86/kernel/dumpstack.c). */
	{ .name = "powerpc unreliable frame", .log = "[   30.000000] BUG: spinlock bad magic on CPU#0, frob/1\n"
	    "[   30.000001]  lock: 0xc000000012340000, .magic: 00000000, .owner: <none>/-1, .owner_cpu: 0\n"
	    "[   30.000002] CPU: 0 PID: 1 Comm: frob Not tainted 6.1.0 #1\n"
	    "[   30.000003] Call Trace:\n"
	    "[   30.000004] [c000000012345670] [c000000000123400] frob_guess+0x10/0x20 (unreliable)\n"
	    "[   30.000005] [c000000012345680] [c000000000123500] do_raw_spin_lock+0x10/0x20\n"
	    "[   30.000006] [c000000012345690] [c000000000123600] frob_real+0x10/0x20\n"
	    "[   30.000007] [c0000000123456a0] [c000000000123700] frob_init+0x10/0x20\n", .n = 1, .title = "BUG: spinlock bad magic in frob_real",
	    .corrupted = -1 },
	{ .name = "x86 unreliable frame", .log = "[   30.000000] BUG: spinlock bad magic on CPU#0, frob/1\n"
	    "[   30.000003] Call Trace:\n"
	    "[   30.000004]  <TASK>\n"
	    "[   30.000005]  ? frob_guess+0x10/0x20\n"
	    "[   30.000006]  do_raw_spin_lock+0x10/0x20\n"
	    "[   30.000007]  frob_real+0x10/0x20\n"
	    "[   30.000008]  </TASK>\n", .n = 1, .title = "BUG: spinlock bad magic in frob_real",
	    .corrupted = -1 },
	{ "numbers in a panic message are normalized",
	    "[    2.100000] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(8,1)\n", 1,
	    "kernel panic: VFS: Unable to mount root fs on unknown-block(NUM,NUM)", NULL, -1, NULL, NULL, NULL },
	{ "a netdev's name is normalized",
	    "[    9.000000] unregister_netdevice: waiting for lo to become free. Usage count = 3\n", 1,
	    "unregister_netdevice: waiting for DEV to become free", NULL, -1, NULL, NULL, NULL },
	{ "a report cut after its header is delivered at flush",
	    "[   60.200000] general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1]\n"
	    "[   60.200001] CPU: 0 PID: 130 Comm: cat", 1, "general protection fault in corrupted", NULL, 1, NULL, NULL, NULL },
	{ "a stream's first boot is not a reboot",
	    "Decompressing Linux... Parsing ELF... done.\nBooting the kernel.\n[    0.000000] Linux version 6.8.0\n",
	    0, NULL, NULL, -1, NULL, NULL, NULL },
	{ "a fault injection stack in a trace names no frame",
	    "[   60.000000][ T3100] general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1]\n"
	    "[   60.000001][ T3100] CPU: 0 PID: 3100 Comm: syz-executor.0 Not tainted 6.1.0 #1\n"
	    "[   60.000002][ T3100] RIP: 0010:frob_walk+0x10/0x20\n"
	    "[   60.000003][ T3100] Call Trace:\n"
	    "[   60.000004][ T3100]  <TASK>\n"
	    "[   60.000005][ T3100]  should_fail_ex+0x10/0x20\n"
	    "[   60.000006][ T3100]  should_failslab+0x9/0x14\n"
	    "[   60.000007][ T3100]  frob_walk+0x10/0x20\n"
	    "[   60.000008][ T3100]  frob_ioctl+0x10/0x20\n"
	    "[   60.000009][ T3100]  </TASK>\n"
	    "[   60.000010][ T3100] ---[ end trace 0000000000000000 ]---\n", 1,
	    "general protection fault in corrupted", NULL, 1, NULL, NULL, NULL },
};

static void
fmt_cases_give_their_titles(void)
{
	struct got g;

	for (size_t i = 0; i < sizeof(fmt_cases) / sizeof(fmt_cases[0]); i++) {
		const struct fmt_case *c = &fmt_cases[i];
		int was = test_cur_failed;

		test_cur_failed = 0;
		if (c->file != NULL) {
			char path[256];
			snprintf(path, sizeof(path), DATA "%s", c->file);
			triage_file(path, &g);
		} else
			triage_str(c->log, &g);
		CHECK_INT(g.n, c->n);
		if (c->title != NULL && g.n >= 1) {
			CHECK_STR(g.r[0].title, c->title);
			if (c->frame != NULL)
				CHECK_STR(g.r[0].frame, c->frame);
			if (c->corrupted >= 0)
				CHECK_INT(g.r[0].corrupted, c->corrupted);
			if (c->type != NULL)
				CHECK_STR(g.r[0].type, c->type);
			for (const char *a = c->absent; a != NULL && *a != '\0';) {
				const char *bar = strchr(a, '|');
				size_t al = bar ? (size_t)(bar - a) : strlen(a);
				CHECK(memmem(g.text[0], strlen(g.text[0]), a, al) == NULL);
				a = bar ? bar + 1 : a + al;
			}
		}
		if (test_cur_failed)
			fprintf(stderr, "  in case \"%s\"\n", c->name);
		test_cur_failed |= was;
	}
}

int
main(void)
{
	RUN(real_vsabre_console_gives_the_same_title);
	RUN(hung_task_is_charged_to_the_driver_past_the_waits);
	RUN(a_fault_injection_stack_does_not_taint_later_reports);
	RUN(byte_range_starts_at_the_header_line);
	RUN(report_is_delivered_at_its_end_marker_without_a_flush);
	RUN(warning_in_72_format_and_oops_gpf_are_titled);
	RUN(bytes_fed_one_at_a_time_give_the_same_reports);
	RUN(nul_cr_and_escapes_do_not_hide_a_report);
	RUN(a_megabyte_line_and_binary_noise_are_bounded);
	RUN(a_boot_rigd_asked_for_is_not_a_reboot);
	RUN(a_kernel_line_ending_in_fatal_error_is_not_the_go_runtime);
	RUN(untimestamped_lines_do_not_push_the_stack_out_of_a_report);
	RUN(a_header_at_any_offset_or_at_the_end_is_found);
	RUN(the_scan_finds_every_literal_where_the_slow_way_does);
	RUN(each_report_names_the_rule_that_titled_it);
	RUN(stall_frames_name_the_syscall_as_the_kernel_does);
	RUN(a_lockdep_report_cut_before_its_backtrace_is_corrupted);
	RUN(a_fault_injection_inside_a_report_ends_its_text);
	RUN(fmt_cases_give_their_titles);
	TEST_END();
}
