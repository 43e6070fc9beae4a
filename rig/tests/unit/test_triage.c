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
arm_paging_request_is_charged_past_printk_frames(void)
{
	struct got g;

	triage_file(DATA "vsabre-mtd-oops.log", &g);
	/* The panic that ends the oops is part of it, not a second crash. */
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "BUG: unable to handle kernel paging request in mtd_proc_show");
	CHECK_STR(g.r[0].frame, "mtd_proc_show");
	CHECK_STR(g.r[0].type, "fault");
	CHECK_INT(g.r[0].corrupted, 0);
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
hung_task_without_a_stack_is_flagged_corrupted(void)
{
	struct got g;

	triage_file(DATA "vq35-i2c-hung-task-quiet.log", &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "INFO: task hung in corrupted");
	CHECK_INT(g.r[0].corrupted, 1);
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
other_tasks_lines_do_not_leak_into_a_report(void)
{
	struct got g;

	triage_file(DATA "interleaved-tasks.log", &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "KASAN: use-after-free Read in mtd_proc_show");
	CHECK(strstr(g.text[0], "audit") == NULL);
	CHECK(strstr(g.text[0], "wrong_task_frame") == NULL);
}

static void
kernel_messages_that_only_look_like_crashes_are_not_reports(void)
{
	struct got g;

	triage_file(DATA "quiet-boot.log", &g);
	CHECK_INT(g.n, 0);
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
numbers_and_addresses_are_normalized_in_titles(void)
{
	struct got g;

	triage_str("[    2.100000] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(8,1)\n", &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "kernel panic: VFS: Unable to mount root fs on unknown-block(NUM,NUM)");
	CHECK_STR(g.r[0].type, "panic");
	triage_str("[    9.000000] unregister_netdevice: waiting for lo to become free. Usage count = 3\n", &g);
	CHECK_STR(g.r[0].title, "unregister_netdevice: waiting for DEV to become free");
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
truncated_report_is_delivered_at_flush(void)
{
	struct got g;

	triage_str("[   60.200000] general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1]\n"
	    "[   60.200001] CPU: 0 PID: 130 Comm: cat", &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "general protection fault in corrupted");
	CHECK_INT(g.r[0].corrupted, 1);
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
a_streams_first_boot_is_not_a_reboot(void)
{
	struct got g;

	/* Nothing ran before this boot: the log simply starts at the decompressor. */
	triage_str("Decompressing Linux... Parsing ELF... done.\nBooting the kernel.\n"
	    "[    0.000000] Linux version 6.8.0\n", &g);
	CHECK_INT(g.n, 0);
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
 * Reports built from the kernel's own printk formats (Debian linux-source-6.1), one per format
 * the rules name: lockdep's invalid wait context, x86's guard page hit on a stack whose name is
 * not a plain word, arm64's stack overflow panic, and a panic_on_warn whose origin comes first.
 */
static void
kernel_formats_of_lockdep_stack_overflow_and_panic_are_titled(void)
{
	struct got g;

	triage_file(DATA "fmt-lockdep-invalid-wait-context.log", &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "BUG: Invalid wait context in frob_dev_open");
	CHECK_STR(g.r[0].type, "lockdep");
	CHECK_INT(g.r[0].corrupted, 0);
	triage_file(DATA "fmt-x86-df-stack-guard-page.log", &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "BUG: stack guard page was hit in frob_ioctl");
	triage_file(DATA "fmt-arm64-stack-overflow.log", &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "kernel stack overflow in frob_ioctl");
	CHECK_INT(g.r[0].corrupted, 0);
	/* The report that set it off was lost: the panic names the report corrupted, as before 6.1. */
	triage_str("[   70.000000] Kernel panic - not syncing: KASAN: panic_on_warn set ...\n"
	    "[   70.000001] CPU: 0 PID: 3100 Comm: syz-executor.0 Not tainted 6.1.0 #1\n"
	    "[   70.000002] Call Trace:\n[   70.000003]  <TASK>\n[   70.000004]  dump_stack_lvl+0x100/0x180\n"
	    "[   70.000005]  panic+0x2c8/0x622\n[   70.000006]  check_panic_on_warn+0x82/0xa0\n"
	    "[   70.000007]  end_report+0x10/0x20\n[   70.000008]  </TASK>\n"
	    "[   70.000009] Kernel Offset: disabled\n", &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "kernel panic: panic_on_warn set");
	CHECK_INT(g.r[0].corrupted, 1);
}

/*
 * A "WARNING:" line is a report only in one of the kernel's report formats: __warn's (with or
 * without the file, or cut short), lockdep's headers (even when the rest was lost), the rest of
 * the table. A subsystem's plain message that starts with the word is not a crash
 * (arch/x86/kernel/cpu/bugs.c prints several at boot).
 */
static void
only_the_kernels_warning_formats_are_reports(void)
{
	struct got g;

	triage_str("[    0.100000] WARNING: Spectre v2 mitigation leaves CPU vulnerable to RETBleed attacks, data leaks possible!\n"
	    "[    0.100001] WARNING: CPU does not support IBPB.\n"
	    "[    0.100002] WARNING: kernel not compiled with CPU_UNRET_ENTRY.\n", &g);
	CHECK_INT(g.n, 0);
	triage_str("[   80.000000] WARNING: CPU: 1 PID: 3100 at frob_release+0x10/0x20\n"
	    "[   80.000001] Modules linked in:\n"
	    "[   80.000002] RIP: 0010:frob_release+0x10/0x20\n"
	    "[   80.000003] Call Trace:\n[   80.000004]  <TASK>\n[   80.000005]  __fput+0x100/0x200\n"
	    "[   80.000006]  </TASK>\n[   80.000007] ---[ end trace 0000000000000000 ]---\n", &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "WARNING in frob_release");
	CHECK_INT(g.r[0].corrupted, 0);
	triage_str("[   80.000000] WARNING: CPU: 1 PID: 3100 at\n[   80.000001] Modules linked in:\n", &g);
	CHECK_INT(g.n, 1);
	CHECK_INT(g.r[0].corrupted, 1);
	triage_str("[   80.000000] ======================================================\n"
	    "[   80.000001] WARNING: possible circular locking dependency detected\n"
	    "[   80.000002] 6.1.0 #1 Not tainted\n"
	    "[   80.000003] ------------------------------------------------------\n", &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "WARNING: possible circular locking dependency detected");
	CHECK_INT(g.r[0].corrupted, 1);
}

/*
 * KFENCE (mm/kfence/report.c) and KMSAN (mm/kmsan/report.c) print their stack right under the
 * header with stack_trace_print, no "Call Trace:": whole reports, in KUnit or an interrupt alike.
 */
static void
kfence_and_kmsan_own_stacks_are_whole_reports(void)
{
	struct got g;

	triage_str("[    5.000000] ==================================================================\n"
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
	    "[    5.000013] ==================================================================\n", &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "KFENCE: out-of-bounds read in frob_test_oob");
	CHECK_INT(g.r[0].corrupted, 0);
	triage_str("[   90.000000][    C0] =====================================================\n"
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
	    "[   90.000011][    C0] =====================================================\n", &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "KMSAN: uninit-value in frob_rx");
	CHECK_INT(g.r[0].corrupted, 0);
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
 * The unwinders' guesses are not frames: x86's "? func" (arch/x86/kernel/dumpstack.c) and
 * powerpc's "func (unreliable)" (arch/powerpc/kernel/process.c show_stack).
 */
static void
unreliable_frames_are_not_charged(void)
{
	struct got g;

	triage_str("[   30.000000] BUG: spinlock bad magic on CPU#0, frob/1\n"
	    "[   30.000001]  lock: 0xc000000012340000, .magic: 00000000, .owner: <none>/-1, .owner_cpu: 0\n"
	    "[   30.000002] CPU: 0 PID: 1 Comm: frob Not tainted 6.1.0 #1\n"
	    "[   30.000003] Call Trace:\n"
	    "[   30.000004] [c000000012345670] [c000000000123400] frob_guess+0x10/0x20 (unreliable)\n"
	    "[   30.000005] [c000000012345680] [c000000000123500] do_raw_spin_lock+0x10/0x20\n"
	    "[   30.000006] [c000000012345690] [c000000000123600] frob_real+0x10/0x20\n"
	    "[   30.000007] [c0000000123456a0] [c000000000123700] frob_init+0x10/0x20\n", &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "BUG: spinlock bad magic in frob_real");
	triage_str("[   30.000000] BUG: spinlock bad magic on CPU#0, frob/1\n"
	    "[   30.000003] Call Trace:\n"
	    "[   30.000004]  <TASK>\n"
	    "[   30.000005]  ? frob_guess+0x10/0x20\n"
	    "[   30.000006]  do_raw_spin_lock+0x10/0x20\n"
	    "[   30.000007]  frob_real+0x10/0x20\n"
	    "[   30.000008]  </TASK>\n", &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "BUG: spinlock bad magic in frob_real");
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
 * A fault injection's stack (lib/fault-inject.c should_fail) mixed into a report's stack: no
 * frame of it can be trusted, so the title names no frame ("... in corrupted", syzbot's
 * convention) and the report is corrupted.
 */
static void
a_fault_injection_stack_in_a_trace_names_no_frame(void)
{
	struct got g;

	triage_str("[   60.000000][ T3100] general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1]\n"
	    "[   60.000001][ T3100] CPU: 0 PID: 3100 Comm: syz-executor.0 Not tainted 6.1.0 #1\n"
	    "[   60.000002][ T3100] RIP: 0010:frob_walk+0x10/0x20\n"
	    "[   60.000003][ T3100] Call Trace:\n"
	    "[   60.000004][ T3100]  <TASK>\n"
	    "[   60.000005][ T3100]  should_fail_ex+0x10/0x20\n"
	    "[   60.000006][ T3100]  should_failslab+0x9/0x14\n"
	    "[   60.000007][ T3100]  frob_walk+0x10/0x20\n"
	    "[   60.000008][ T3100]  frob_ioctl+0x10/0x20\n"
	    "[   60.000009][ T3100]  </TASK>\n"
	    "[   60.000010][ T3100] ---[ end trace 0000000000000000 ]---\n", &g);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].title, "general protection fault in corrupted");
	CHECK_INT(g.r[0].corrupted, 1);
}

int
main(void)
{
	RUN(arm_paging_request_is_charged_past_printk_frames);
	RUN(real_vsabre_console_gives_the_same_title);
	RUN(hung_task_is_charged_to_the_driver_past_the_waits);
	RUN(hung_task_without_a_stack_is_flagged_corrupted);
	RUN(a_fault_injection_stack_does_not_taint_later_reports);
	RUN(byte_range_starts_at_the_header_line);
	RUN(report_is_delivered_at_its_end_marker_without_a_flush);
	RUN(warning_in_72_format_and_oops_gpf_are_titled);
	RUN(other_tasks_lines_do_not_leak_into_a_report);
	RUN(kernel_messages_that_only_look_like_crashes_are_not_reports);
	RUN(bytes_fed_one_at_a_time_give_the_same_reports);
	RUN(numbers_and_addresses_are_normalized_in_titles);
	RUN(nul_cr_and_escapes_do_not_hide_a_report);
	RUN(a_megabyte_line_and_binary_noise_are_bounded);
	RUN(truncated_report_is_delivered_at_flush);
	RUN(a_boot_rigd_asked_for_is_not_a_reboot);
	RUN(a_streams_first_boot_is_not_a_reboot);
	RUN(a_kernel_line_ending_in_fatal_error_is_not_the_go_runtime);
	RUN(untimestamped_lines_do_not_push_the_stack_out_of_a_report);
	RUN(a_header_at_any_offset_or_at_the_end_is_found);
	RUN(the_scan_finds_every_literal_where_the_slow_way_does);
	RUN(each_report_names_the_rule_that_titled_it);
	RUN(stall_frames_name_the_syscall_as_the_kernel_does);
	RUN(kernel_formats_of_lockdep_stack_overflow_and_panic_are_titled);
	RUN(only_the_kernels_warning_formats_are_reports);
	RUN(kfence_and_kmsan_own_stacks_are_whole_reports);
	RUN(a_lockdep_report_cut_before_its_backtrace_is_corrupted);
	RUN(unreliable_frames_are_not_charged);
	RUN(a_fault_injection_inside_a_report_ends_its_text);
	RUN(a_fault_injection_stack_in_a_trace_names_no_frame);
	TEST_END();
}
