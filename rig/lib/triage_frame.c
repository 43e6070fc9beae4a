/* triage_frame: reads frame names off stack lines and chooses the guilty one past the skip list, by syzbot's policy or the rig's. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libiberty/demangle.h>

#include "triage_int.h"

/*
 * Frames that are never the culprit: they report, allocate, print, lock, schedule or merely
 * forward to the function that is. Each group says which policy passes over it: syzbot's passes
 * over all of them, down to the driver that called a subsystem; the rig's only over how a task
 * waits, locks or reports, so its titles name the subsystem call (i2c_del_adapter). The groups of
 * a policy are one alternation compiled once; names are matched whole unless the entry says
 * otherwise, so "down" skips the semaphore and not l2cap_sock_teardown_cb. The hang group is
 * matched as substrings when a hung task is charged (TRIAGE_PICK_HANG), by both policies.
 */
/* The sets a group can belong to: one per policy (its index), then the hang pick's waits. */
enum { TRIAGE_SET_HANG = TRIAGE_POLICY__COUNT, TRIAGE_SETS };

enum {
	TRIAGE_SKIP_SYZBOT = 1 << TRIAGE_POLICY_SYZBOT,
	TRIAGE_SKIP_RIG = 1 << TRIAGE_POLICY_RIG,
	TRIAGE_SKIP_BOTH = TRIAGE_SKIP_SYZBOT | TRIAGE_SKIP_RIG,
	TRIAGE_SKIP_HANG = 1 << TRIAGE_SET_HANG,
};

struct triage_skip_group {
	unsigned	 who;		/* TRIAGE_SKIP_* bits: the sets this group belongs to */
	const char	*pat[48];	/* NULL-ended */
};

static const struct triage_skip_group triage_frame_skips[] =
{
	/* sanitizers and the report machinery */
	{ TRIAGE_SKIP_BOTH, {
	"__sanitizer", "__asan", "__hwasan", "kasan", "__msan", "kmsan", "kcsan_", "__tsan", "ubsan",
	"check_memory_region", "read_word_at_a_time", "print_address_description",
	"panic", "invalid_op", "report_bug", "fixup_bug", "do_error", "^do_[a-z_]*trap", "_trap$", "dump_stack",
	"show_stack", "dump_backtrace", "warn_slowpath", "warn_alloc", "__warn", "__report_bug",
	"debug_object", "timer_is_static_object", "work_is_static_object", "handle_bug",
	"exc_invalid_op", "bug_handler", "do_undefinstr", "brk_handler", "die$", "^die_",
	"__die", "trace_hardirqs", "should_fail", "fail_dump",
	NULL } },
	/* locking */
	{ TRIAGE_SKIP_BOTH, {
	"lockdep", "lock_acquire", "lock_release", "lock_class", "reacquire_held_locks",
	"spin_lock", "spin_trylock", "spin_unlock", "raw_read_lock", "raw_read_trylock",
	"raw_write_lock", "raw_write_trylock", "^_*down$", "^_*down_", "^_*up_read", "^_*up_write",
	"^_*up$", "mutex_lock", "mutex_trylock", "mutex_unlock", "mutex_remove_waiter",
	"osq_lock", "osq_unlock", "rwsem_down", "rwsem_wake", "__wake_up",
	NULL } },
	/* reference counting, memory and string helpers */
	{ TRIAGE_SKIP_SYZBOT, {
	"refcount_add", "refcount_sub", "refcount_inc", "refcount_dec", "refcount_set",
	"refcount_read", "memcpy", "memcmp", "memset", "memchr", "memmove", "strcmp",
	"strncmp", "strcpy", "strlcpy", "strncpy", "strscpy", "strlen", "strnstr", "strnlen",
	"strchr", "copy_to_user", "copy_from_user", "put_user", "get_user", "might_fault",
	"might_sleep", "list_add", "list_del", "list_replace", "list_move", "list_splice",
	"_indirect_thunk_",
	NULL } },
	/* printk and formatting */
	{ TRIAGE_SKIP_SYZBOT, {
	"string", "pointer", "snprintf", "scnprintf", "kasprintf", "kvasprintf", "printk",
	"va_format", "^seq_v?printf", "^seq_puts", "dev_info", "dev_notice", "dev_warn", "dev_err", "dev_alert",
	"dev_crit", "dev_emerg", "print_report", "print_hex_dump", "hex_dump_to_buffer", "program_check_exception", "program_check_common",
	NULL } },
	/* timers, work and waiting */
	{ TRIAGE_SKIP_BOTH, {
	"del_timer", "flush_work", "__cancel_work_timer", "cancel_work_sync",
	"try_to_grab_pending", "flush_workqueue", "drain_workqueue", "destroy_workqueue",
	"finish_wait", "kthread_stop", "^complete$", "wait_for_completion",
	NULL } },
	/* generic wrappers of the device model, net and usb */
	{ TRIAGE_SKIP_SYZBOT, {
	"kobject_del", "kobject_put", "kobject_uevent_env", "add_uevent_var",
	"get_device_parent", "device_add", "device_del", "device_unregister",
	"device_destroy", "device_release", "devres_release_all", "hwrng_unregister",
	"i2c_del_adapter", "__unregister_client", "device_for_each_child",
	"rollback_registered", "unregister_netdev", "sysfs_remove", "device_remove_file",
	"tty_unregister_device", "dummy_urb_enqueue", "usb_kill_urb",
	"usb_kill_anchored_urbs", "usb_control_msg", "usb_hcd_submit_urb", "usb_submit_urb",
	"^kfree$", "kfree_skb",
	NULL } },
	/* library helpers: trees, arrays, hashes, checksums, bit and string operations */
	{ TRIAGE_SKIP_SYZBOT, {
	"^_*rb_", "^xas_", "^klist_", "^strstr", "^crc", "rhashtable_", "_atomic_dec_and_",
	"test_and_clear_bit", "test_and_set_bit", "^copy_to_iter", "^_copy_to_iter",
	"^copy_from_iter", "^_copy_from_iter", "^copyout", "^copyin", "^instrument_copy",
	NULL } },
	/* allocators */
	{ TRIAGE_SKIP_SYZBOT, {
	"alloc_pages", "alloc_frozen_pages", "kmem_cache_alloc", "^__kmalloc", "kmalloc_order",
	"^krealloc", "^kvmalloc", "^__vmalloc",
	NULL } },
	/* scheduler and lock internals */
	{ TRIAGE_SKIP_BOTH, {
	"__might_resched", "mark_lock", "perf_trace", "rt_mutex", "^schedule$",
	"lock_timer_base", "^__queue_work", "cleanup_srcu_struct",
	NULL } },
	/* fault and exception plumbing (x86, arm64, riscv) */
	{ TRIAGE_SKIP_SYZBOT, {
	"^__phys_addr", "__read_once", "walk_stackframe", "stack_trace_consume_entry",
	"do_kernel_fault", "do_tag_check_fault", "do_mem_abort", "do_translation_fault",
	"do_bad_area", "^el1_abort", "^el1_da", "^el1_sync", "^el1h_64_sync", "^el1_dbg",
	"^el1_irq", "^el1_interrupt", "^el1h_64_irq", "gic_handle_irq", "handle_domain_irq",
	NULL } },
	/* generic object and buffer helpers where the check fires, not the bug */
	{ TRIAGE_SKIP_SYZBOT, {
	"^iput$", "^dput$", "^fast_dput", "^drop_nlink", "^mark_buffer_dirty", "^folio_unlock",
	"^skb_put$", "^skb_pull$", "^skb_push$", "^ref_tracker", "^assertfail",
	"^put_device$", "^kobject_cleanup$", "^kobject_release$", "^__local_bh_enable_ip$", "^_local_bh_enable$", "^__seqprop",
	NULL } },
	/* more allocators and copy helpers: never who asked for the memory */
	{ TRIAGE_SKIP_SYZBOT, {
	"^_*kmalloc", "^_*kmem_cache_alloc", "^alloc_page", "^memdup_user", "^kmemdup",
	"^kstrdup", "^kstrndup",
	NULL } },
	/* the unwinder and the work and timer plumbing a report passes through */
	{ TRIAGE_SKIP_SYZBOT, {
	"^arch_stack_walk", "^stack_trace_save", "^_*queue_work", "^_*queue_delayed_work",
	"^insert_work$", "^_*mod_timer", "^_*try_to_del_timer", "^_*timer_delete",
	"^sk_stop_timer", "^sk_reset_timer",
	NULL } },
	/* port and MMIO accessors: the driver that called them is at fault */
	{ TRIAGE_SKIP_SYZBOT, {
	"^__raw_read[bwlq]", "^__raw_write[bwlq]", "^logic_in[bwl]", "^logic_out[bwl]",
	NULL } },
	/* runqueue locks wrap the scheduler's spinlocks */
	{ TRIAGE_SKIP_BOTH, {
	"^_*task_rq_lock", "^raw_spin_rq_lock",
	NULL } },
	/* sleeps and the way into the kernel: how a task came to wait, never what it waits in */
	{ TRIAGE_SKIP_RIG, {
	"^msleep", "^usleep_range", "^entry_", "^do_syscall", "^ret_from_fork", "^sys_", "^vfs_",
	NULL } },
	/* waits a hung task sits in: it is charged to the first frame past them */
	{ TRIAGE_SKIP_HANG, {
	"sched", "_lock", "_slowlock", "down", "rwsem", "completion", "kthread", "wait",
	"synchronize", "context_switch", "__switch_to", "cancel_delayed_work", "rcu_gp",
	"rcu_barrier",
	NULL } },
};

/* One alternation per set (bit b of TRIAGE_SKIP_* is set b), compiled once. */
static pcre2_code *triage_frame_skip_re[TRIAGE_SETS];
static pthread_once_t triage_frame_once = PTHREAD_ONCE_INIT;

/* Turns the "^x", "x$" and bare "x" of the groups in one set into one PCRE2 alternation. */
static pcre2_code *
triage_frame_compile_set(unsigned bit)
{
	char pat[8192];
	size_t n = 0;
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *re;

	for (size_t g = 0; g < sizeof(triage_frame_skips) / sizeof(triage_frame_skips[0]); g++) {
		if (!(triage_frame_skips[g].who & bit))
			continue;
		for (int i = 0; triage_frame_skips[g].pat[i] != NULL; i++) {
			int w = snprintf(pat + n, sizeof(pat) - n, "%s(?:%s)", n ? "|" : "",
			    triage_frame_skips[g].pat[i]);
			if (w < 0 || (size_t)w >= sizeof(pat) - n)
				return NULL;
			n += (size_t)w;
		}
	}
	re = pcre2_compile((PCRE2_SPTR)pat, n, 0, &errcode, &erroff, NULL);
	if (re != NULL)
		(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
}

static void
triage_frame_compile(void)
{
	for (unsigned b = 0; b < TRIAGE_SETS; b++)
		triage_frame_skip_re[b] = triage_frame_compile_set(1u << b);
}

static int
triage_frame_match(pcre2_code *re, const char *s)
{
	/* One match block per thread: a frame is checked for every stack line of every report. */
	static _Thread_local pcre2_match_data *md;

	if (re == NULL)
		return 0;
	if (md == NULL && (md = pcre2_match_data_create(1, NULL)) == NULL)
		return 0;
	return pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL) >= 0;
}

static int
triage_frame_idstart(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
triage_frame_idchar(int c)
{
	return triage_frame_idstart(c) || (c >= '0' && c <= '9');
}

static int
triage_frame_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Skips "[<ffffffff81234567>] " or "[ffff...] " address columns that precede a frame. */
static size_t
triage_frame_skip_pc(const char *l, size_t len, size_t i)
{
	for (int k = 0; k < 2 && i < len && l[i] == '['; k++) {
		size_t j = i + 1;
		if (j < len && l[j] == '<')
			j++;
		if (j + 1 < len && l[j] == '0' && l[j + 1] == 'x')
			j += 2;
		size_t h = j;
		while (j < len && triage_frame_hex((unsigned char)l[j]))
			j++;
		if (j == h)
			break;
		if (j < len && l[j] == '>')
			j++;
		if (j >= len || l[j] != ']')
			break;
		i = j + 1;
		while (i < len && (l[i] == ' ' || l[i] == '\t'))
			i++;
	}
	return i;
}

size_t
triage_frame_parse(const char *l, size_t len, char *out, size_t outsz)
{
	size_t i = 0, s, e;

	while (i < len && (l[i] == ' ' || l[i] == '\t'))
		i++;
	i = triage_frame_skip_pc(l, len, i);
	/* A module or CPU number column ("3:func+0x..") shows up on some arches. */
	s = i;
	while (i < len && l[i] >= '0' && l[i] <= '9')
		i++;
	if (i > s && i < len && l[i] == ':')
		i++;
	else
		i = s;
	if (i < len && l[i] == '(') {
		/* arm: "[<80100a74>] (func) from [<...>] (caller+0x54/0xa0)", or func+off inside. */
		s = ++i;
		while (i < len && triage_frame_idchar((unsigned char)l[i]))
			i++;
		if (i == s || !triage_frame_idstart((unsigned char)l[s]) || i >= len ||
		    (l[i] != ')' && l[i] != '+' && l[i] != '.'))
			return 0;
		e = i;
	} else if (i < len && l[i] == '<') {
		/* Rust: "<crate::Type as crate::Trait>::method+0x1c/0x40". */
		s = i;
		while (i + 2 < len && !(l[i] == '+' && l[i + 1] == '0' && l[i + 2] == 'x') &&
		    l[i] != ' ')
			i++;
		if (i + 2 >= len || l[i] != '+')
			return 0;
		e = i;
	} else {
		s = i;
		if (i >= len || !triage_frame_idstart((unsigned char)l[i]))
			return 0;
		while (i < len && triage_frame_idchar((unsigned char)l[i]))
			i++;
		/* arm since 5.x: "callee from caller+0x1c/0x40", one frame per line. */
		if (i + 6 <= len && memcmp(l + i, " from ", 6) == 0) {
			e = i;
			goto found;
		}
		/* Only "name+0x.." and "name.isra.0+0x.." are frames; "name file.c:12 [inline]" is not. */
		if (i >= len || (l[i] != '+' && l[i] != '.'))
			return 0;
		if (l[i] == '.') {
			size_t j = i;
			while (j < len && l[j] != ' ' && l[j] != '+')
				j++;
			if (j >= len || l[j] != '+')
				return 0;
		} else if (i + 1 >= len || l[i + 1] != '0')
			return 0;
		e = i;
	}
found:
	if (e - s + 1 > outsz)
		e = s + outsz - 1;
	memcpy(out, l + s, e - s);
	out[e - s] = '\0';
	return e - s;
}

/*
 * arm prints each frame as "callee from caller". The callee is the frame (a caller's name can
 * be a neighbouring symbol), but the last line's caller is printed nowhere else: the trace
 * reader adds it when the run of such lines ends. Length of the caller's name or 0.
 */
size_t
triage_frame_caller(const char *l, size_t len, char *out, size_t outsz)
{
	const char *fr = memmem(l, len, " from ", 6);
	size_t j, cs;

	if (fr == NULL)
		return 0;
	j = (size_t)(fr - l) + 6;
	while (j < len && l[j] == ' ')
		j++;
	j = triage_frame_skip_pc(l, len, j);
	if (j < len && l[j] == '(')
		j++;
	cs = j;
	while (j < len && triage_frame_idchar((unsigned char)l[j]))
		j++;
	if (j == cs || !triage_frame_idstart((unsigned char)l[cs]) || j >= len || (l[j] != '+' && l[j] != '.'))
		return 0;
	if (j - cs + 1 > outsz)
		j = cs + outsz - 1;
	memcpy(out, l + cs, j - cs);
	out[j - cs] = '\0';
	return j - cs;
}

/* arm register dump lines inside a backtrace: " r7:81d81ac0 r6:...". */
int
triage_frame_regline(const char *l, size_t len)
{
	size_t i = 0;

	while (i < len && l[i] == ' ')
		i++;
	if (i >= len || l[i] != 'r')
		return 0;
	i++;
	if (i >= len || l[i] < '0' || l[i] > '9')
		return 0;
	while (i < len && l[i] >= '0' && l[i] <= '9')
		i++;
	return i < len && l[i] == ':';
}

int
triage_frame_skipped(const char *frame, const char *extra, enum triage_policy policy)
{
	pthread_once(&triage_frame_once, triage_frame_compile);
	if ((unsigned)policy >= TRIAGE_POLICY__COUNT)
		policy = TRIAGE_POLICY_SYZBOT;
	if (triage_frame_match(triage_frame_skip_re[policy], frame))
		return 1;
	if (extra == NULL)
		return 0;
	/* Per-rule extras are plain substrings, a handful at most. */
	for (const char *p = extra; *p != '\0';) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		if (n > 0 && n < 64) {
			char sub[64];
			memcpy(sub, p, n);
			sub[n] = '\0';
			if (strstr(frame, sub) != NULL)
				return 1;
		}
		p += n + (bar != NULL);
	}
	return 0;
}

/*
 * Rust code's frames are printed mangled (kallsyms keeps the symbol): v0 ("_RNvMs3_NtCs..._4frob
 * 7processNtB5_7Process10update_ref") since the kernel's Rust moved to it, legacy
 * ("_ZN4frob6Device4open17h0123456789abcdefE") before. Titles name them as Rust does
 * ("<frob::process::Process>::update_ref"), through libiberty's demangler, without the crate
 * disambiguators and hashes that differ between builds.
 */
int
triage_frame_demangle(const char *name, char *out, size_t sz)
{
	char *d;

	if (!(name[0] == '_' && (name[1] == 'R' || (name[1] == 'Z' && name[2] == 'N'))))
		return 0;
	if ((d = rust_demangle(name, 0)) == NULL)
		return 0;
	snprintf(out, sz, "%s", d);
	free(d);
	return 1;
}

void
triage_frame_canon(char *f)
{
	/*
	 * The arch's syscall wrapper (SYSCALL_DEFINE in include/linux/syscalls.h and
	 * arch/x86/include/asm/syscall_wrapper.h, arch/arm64/include/asm/syscall_wrapper.h: __x64_sys_,
	 * __ia32_sys_, __arm64_sys_, ...) is one syscall whatever the arch: named sys_NAME, as syzbot
	 * names it. __se_sys_NAME, the sign-extending body SYSCALL_DEFINE puts under it, is named
	 * NAME. The kernel's own syscall functions (__do_sys_, __sys_, ksys_) are distinct functions
	 * and keep their names, as in syzbot's titles.
	 */
	static const char *const pre[] = {
		"__x64_sys_", "__ia32_sys_", "__arm64_sys_", "__riscv_sys_", "__s390x_sys_",
		"__s390_sys_", "__x64_compat_sys_", "__ia32_compat_sys_", "__arm64_compat_sys_", NULL
	};

	if (strncmp(f, "__se_sys_", 9) == 0 && f[9] != '\0') {
		memmove(f, f + 9, strlen(f + 9) + 1);
		return;
	}
	for (int i = 0; pre[i] != NULL; i++) {
		size_t n = strlen(pre[i]);
		if (strncmp(f, pre[i], n) == 0 && f[n] != '\0') {
			int compat = strstr(pre[i], "compat") != NULL;
			char tmp[128];
			snprintf(tmp, sizeof(tmp), "%ssys_%s", compat ? "compat_" : "", f + n);
			strcpy(f, tmp);
			return;
		}
	}
}

/*
 * A stall is charged to the syscall itself, by its bare name for the old wrappers (SyS_NAME,
 * SYSC_NAME of 4.x kernels' SYSCALL_DEFINE, compat_ too): syzbot's stall frame convention.
 */
static void
triage_frame_stall_name(char *f)
{
	static const char *const pre[] = { "compat_SYSC_", "compat_SyS_", "SYSC_", "SyS_", NULL };

	for (int i = 0; pre[i] != NULL; i++) {
		size_t n = strlen(pre[i]);
		if (strncmp(f, pre[i], n) == 0 && f[n] != '\0') {
			memmove(f, f + n, strlen(f + n) + 1);
			return;
		}
	}
}

/*
 * Entry points below which a loop cannot hide: a stall or lockup is charged to the frame just
 * above the first of these, so the same livelock gives one title wherever the timer caught it.
 */
static const char *const triage_frame_stall_anchor[] = {
	"process_one_work", "do_syscall_", "do_fast_syscall_", "sysenter_dispatch",
	"tracesys_phase2", "netif_receive_skb", "do_softirq", "call_timer_fn", "_run_timers",
	"run_timer_softirq", "run_ksoftirqd", "smpboot_thread_fn", "kthread", "start_secondary",
	"cpu_startup_entry", "ret_from_fork", "tasklet_action", "^__hrtimer_run_queues", "vfs_write", "vfs_read", "vfs_iter_read",
	"vfs_iter_write", "do_iter_read", "do_iter_write", "vfs_ioctl", "ksys_ioctl",
	"compat_ioctl", "compat_sys_ioctl", "blkdev_driver_ioctl", "blkdev_ioctl",
	"^call_read_iter", "^call_write_iter", "do_iter_readv_writev", "^call_mmap",
	"mmap_region", "do_mmap", "do_dentry_open", "vfs_open", "^sock_sendmsg",
	"^sock_recvmsg", "^sock_release", "^__sock_release", "__sys_setsockopt",
	"kernel_setsockopt", "sock_common_setsockopt", "__sys_listen", "kernel_listen",
	"sk_common_release", "^sock_mmap", "__sys_accept", "kernel_accept", "^sock_do_ioctl",
	"^sock_ioctl", "^compat_sock_ioctl", "^nfnetlink_rcv_msg", "^rtnetlink_rcv_msg",
	"__fput", "task_work_run", "exit_to_usermode", "exit_to_user_mode", "smp_call_function",
	"^el0_svc", "^el0t_64_sync", "^ret_fast_syscall", "^invoke_syscall",
	NULL
};

/*
 * Page fault entries anchor a stall only when nothing deeper does: a fault taken inside a
 * syscall (copy_from_user) is part of that syscall, one taken from user space is the entry.
 */
static const char *const triage_frame_fault_anchor[] = {
	"__do_fault", "handle_mm_fault", "do_page_fault", "^page_fault$", "^exc_page_fault", NULL
};

static int
triage_frame_anchor_in(const char *const *list, const char *f)
{
	for (int i = 0; list[i] != NULL; i++) {
		const char *a = list[i];
		if (a[0] == '^') {
			size_t n = strlen(a + 1);
			if (a[n] == '$') {
				if (strlen(f) == n - 1 && strncmp(f, a + 1, n - 1) == 0)
					return 1;
			} else if (strncmp(f, a + 1, n) == 0)
				return 1;
		} else if (strstr(f, a) != NULL)
			return 1;
	}
	return 0;
}

/*
 * The syscalls whose work is dispatched on by argument (a device's ioctl, a protocol's connect):
 * the frame above their entry names the driver or protocol, so the entry is an anchor under any
 * of its SYSCALL_DEFINE names (include/linux/syscalls.h), old and new, compat or not.
 */
static int
triage_frame_syscall_anchor(const char *f)
{
	static const char *const pre[] = {
		"SYSC_", "SyS_", "__sys_", "___sys_", "__do_sys_", "__se_sys_", "sys_", "", NULL
	};
	static const char *const name[] = { "socketpair", "connect", "ioctl", NULL };

	if (strncmp(f, "compat_", 7) == 0)
		f += 7;
	for (int i = 0; pre[i] != NULL; i++) {
		size_t n = strlen(pre[i]);
		if (strncmp(f, pre[i], n) != 0)
			continue;
		for (int k = 0; name[k] != NULL; k++)
			if (strcmp(f + n, name[k]) == 0)
				return 1;
	}
	return 0;
}

static int
triage_frame_anchor(const char *f)
{
	return triage_frame_anchor_in(triage_frame_stall_anchor, f) || triage_frame_syscall_anchor(f);
}

int
triage_frame_pick(char (*fr)[128], int n, enum triage_pick pick)
{
	if (n <= 0)
		return -1;
	if (pick == TRIAGE_PICK_FIRST)
		return 0;
	if (pick == TRIAGE_PICK_STALL) {
		for (int pass = 0; pass < 2; pass++) {
			int prev = 0;
			for (int i = 0; i < n; i++) {
				if (pass == 0 ? triage_frame_anchor(fr[i]) :
				    triage_frame_anchor_in(triage_frame_fault_anchor, fr[i])) {
					if (strstr(fr[i], "smp_call_function") != NULL) {
						strcpy(fr[i], "smp_call_function");
						return i;
					}
					triage_frame_stall_name(fr[prev]);
					return prev;
				}
				prev = i;
			}
		}
		return -1;
	}
	/* A hung task is charged to what it waits for; rtnl and RCU waits get one bucket each. */
	for (int i = 0; i < n; i++) {
		if (strstr(fr[i], "rtnl_lock") != NULL)
			return i;
		if (strstr(fr[i], "synchronize_rcu") || strstr(fr[i], "synchronize_srcu") ||
		    strstr(fr[i], "synchronize_net") || strstr(fr[i], "synchronize_sched")) {
			strcpy(fr[i], "synchronize_rcu");
			return i;
		}
	}
	pthread_once(&triage_frame_once, triage_frame_compile);
	for (int i = 0; i < n; i++)
		if (!triage_frame_match(triage_frame_skip_re[TRIAGE_SET_HANG], fr[i]))
			return i;
	return -1;
}
