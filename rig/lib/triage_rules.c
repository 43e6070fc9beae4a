/* triage_rules: the crash headers, their title formats and the title normalization, as PCRE2 patterns. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "triage_int.h"
#include "util.h"

/* Function name as printed in a frame: the symbol up to its ".isra.0" or "+0x12/0x40". */
#define FN	"([A-Za-z_][A-Za-z0-9_]*)[.+]"
/* Source position as printed by WARN and lockdep: "net/core/dev.c:1234". */
#define SRC	"([A-Za-z0-9_\\-/.]+\\.[a-z]+:[0-9]+)"
#define PC	"\\[<?(?:0x)?[0-9a-f]+>?\\]"

/* Stack parts: a regex to find (its first group, if any, is a frame) or one of these. */
#define P_PC	"@PC"		/* the faulting PC line: RIP:, IP:, pc :, PC is at */
#define P_TRACE	"@TRACE"	/* frames from here to the next stack keyword */
#define P_CALL	"(?:Call [Tt]race|Backtrace):"

enum {
	F_NOSTACK = 1,		/* the report carries no stack; do not call it corrupted for that */
	F_CORRUPT = 2,		/* this shape only appears when the real header was lost */
	/*
	 * The report prints its stack itself right under the header (stack_trace_print), with no
	 * "Call Trace:": corrupted only when no frame is found there, not for lacking the heading.
	 */
	F_OWNSTACK = 4,
	/*
	 * The kernel ends the report with a stack (lockdep's print_* end in "stack backtrace:" and
	 * dump_stack()), though the title comes from lines above it: without one it was cut short.
	 */
	F_BACKTRACE = 8,
};

struct triage_fmt {
	const char		*title;		/* regex on the header line */
	const char		*steps[3];	/* regexes on the following lines, in order */
	const char		*out;		/* "$1".."$9" captures in order, "$F" the frame */
	const char		*stack[2][4];	/* a second way to find the frame if the first fails */
	const char		*skip;		/* extra substrings to skip, '|'-separated */
	enum triage_pick	 pick;
	int			 flags;
};

#define STACK_CALL	{ { P_CALL, P_TRACE } }
#define STACK_PC_CALL	{ { P_PC, P_CALL, P_TRACE } }
#define STACK_WARN	{ { P_PC, P_TRACE }, { P_CALL, P_TRACE } }
#define STACK_ARM	{ { P_PC, P_TRACE }, { "(?:Call [Tt]race|Backtrace):", P_TRACE } }
#define STACK_LOCKDEP(anchor) { { anchor, "at: (?:" PC " +)?" FN, "at: (?:" PC " +)?" FN, P_TRACE } }

/*
 * Where each table's formats come from. The headers are the kernel's printk formats (paths in
 * Debian's linux-source-6.1); the titles are syzbot's published convention for each (syzkaller
 * pkg/report/linux.go: "KASAN: %s %s in %s", "... in FRAME" for a frame-named report, the
 * header itself for a report that names no frame). Entries with their own comment cite it there.
 *
 * BUG: mm/kasan/report.c print_error_description ("BUG: KASAN: %s in %pS", then "%s of size %zu
 *   at addr %px"); mm/kmsan/report.c, kernel/kcsan/report.c ("BUG: KCSAN: %s in %pS"),
 *   mm/kfence/report.c; arch/x86/mm/fault.c show_fault_oops ("BUG: kernel NULL pointer
 *   dereference, address: %px", "BUG: unable to handle page fault for address: %px");
 *   kernel/locking/spinlock_debug.c spin_dump ("BUG: spinlock %s on CPU#%d, %s/%d");
 *   kernel/watchdog.c watchdog_timer_fn ("BUG: soft lockup - CPU#%d stuck for %us!");
 *   kernel/locking/lockdep.c (held locks, unlock balance, freed locks, wait context, table
 *   sizes); kernel/fork.c check_mm ("BUG: Bad rss-counter state"); fs/dcache.c umount_check
 *   ("BUG: Dentry %p{i=%lx,n=%pd} still in use"); mm/page_alloc.c bad_page ("BUG: Bad page state
 *   in process %s"); mm/memory.c print_bad_pte ("BUG: Bad page map"); kernel/workqueue.c
 *   ("BUG: workqueue lockup - pool", "BUG: workqueue leaked lock or atomic: ... last function:
 *   %ps"); kernel/sched/core.c __might_resched ("BUG: sleeping function called from invalid
 *   context at %s:%d") and __schedule_bug ("BUG: scheduling while atomic"); lib/smp_processor_id.c
 *   ("BUG: using %s%s() in preemptible"); arch/x86/kernel/traps.c handle_stack_overflow.
 *   "BUG: memory leak" is syzkaller's executor reading mm/kmemleak.c's reports.
 */
static const struct triage_fmt triage_fmt_bug[] = {
	{ "BUG: KASAN: double-free or invalid-free in " FN, { 0 }, "KASAN: invalid-free in $F",
	    { { "BUG: KASAN: [a-z\\-]+ in " FN, P_CALL, P_TRACE } }, "kmem_|slab_|kfree|vunmap|vfree", 0, 0 },
	{ "BUG: KASAN: (double-free|invalid-free) in " FN, { 0 }, "KASAN: invalid-free in $F",
	    { { "BUG: KASAN: [a-z\\-]+ in " FN, P_CALL, P_TRACE } }, "kmem_|slab_|kfree|vunmap|vfree", 0, 0 },
	{ "BUG: KASAN: ([a-z\\-]+) in " FN "[^\\n]*?(?: at addr [0-9a-f]+)?$", { "\\b(Read|Write) (?:of size|at addr)" },
	    "KASAN: $1 $3 in $F",
	    { { "BUG: KASAN: [a-z\\-]+ in " FN, P_CALL, P_TRACE } }, NULL, 0, 0 },
	{ "BUG: KASAN: ([a-z\\-]+) on address", { "\\b(Read|Write) of size" }, "KASAN: $1 $2", { { 0 } }, NULL, 0, F_NOSTACK },
	{ "BUG: KASAN: ([a-z\\-]+)(?: in (?!.* at addr))?$", { "\\b(Read|Write) (?:of size|at addr)" }, "KASAN: $1 $2",
	    { { 0 } }, NULL, 0, F_NOSTACK },
	{ "BUG: KASAN: (.*)", { 0 }, "KASAN: $1", { { 0 } }, NULL, 0, F_CORRUPT },
	{ "BUG: KMSAN: kernel-usb-infoleak", { 0 }, "KMSAN: kernel-usb-infoleak in $F",
	    { { P_CALL, P_TRACE }, { "BUG: KMSAN: [a-z\\-]+ in " FN, P_TRACE } },
	    "usb_submit_urb|usb_start_wait_urb|usb_bulk_msg|usb_interrupt_msg|usb_control_msg", 0, F_OWNSTACK },
	/*
	 * mm/kmsan/report.c kmsan_report: "BUG: KMSAN: %s in %pSb", then stack_trace_print right
	 * under the header, without "Call Trace:".
	 */
	{ "BUG: KMSAN: ([a-z\\-]+) in ", { 0 }, "KMSAN: $1 in $F",
	    { { P_CALL, P_TRACE }, { "BUG: KMSAN: [a-z\\-]+ in " FN, P_TRACE } }, NULL, 0, F_OWNSTACK },
	{ "BUG: KCSAN: (.*)", { 0 }, "KCSAN: $1", { { 0 } }, NULL, 0, F_NOSTACK },
	/*
	 * mm/kfence/report.c kfence_report_error: "BUG: KFENCE: %s in %pS", a line on the access,
	 * then stack_trace_print with no "Call Trace:" (in KUnit or an interrupt alike).
	 */
	{ "BUG: KFENCE: ([a-z\\- ]+?) in " FN, { 0 }, "KFENCE: $1 in $F",
	    { { "BUG: KFENCE: [a-z\\- ]+? in " FN, P_TRACE }, { P_CALL, P_TRACE } }, "kfence", 0, F_OWNSTACK },
	{ "BUG: (?:unable to handle kernel paging request|unable to handle page fault for address|Unable to handle kernel data access)",
	    { 0 }, "BUG: unable to handle kernel paging request in $F", STACK_PC_CALL, NULL, 0, 0 },
	{ "BUG: (?:unable to handle kernel NULL pointer dereference|kernel NULL pointer dereference|Kernel NULL pointer dereference)",
	    { 0 }, "BUG: unable to handle kernel NULL pointer dereference in $F", STACK_PC_CALL, NULL, 0, 0 },
	{ "BUG: (?:unable to handle kernel|Unable to handle kernel)", { 0 }, "BUG: unable to handle kernel",
	    { { 0 } }, NULL, 0, F_CORRUPT },
	{ "BUG: spinlock (lockup suspected|already unlocked|recursion|bad magic|wrong owner|wrong CPU)",
	    { 0 }, "BUG: spinlock $1 in $F", STACK_CALL, "spin_", 0, 0 },
	{ "BUG: soft lockup", { 0 }, "BUG: soft lockup in $F",
	    { { P_PC, P_CALL, P_TRACE }, { P_CALL, P_TRACE } }, NULL, TRIAGE_PICK_STALL, 0 },
	{ "BUG: .*still has locks held!", { PC " +" FN }, "BUG: still has locks held in $2", { { 0 } }, NULL, 0, F_BACKTRACE },
	{ "BUG: lock held when returning to user space", { "leaving the kernel with locks still held",
	    "at: (?:" PC " +)?" FN }, "BUG: lock held when returning to user space in $1", { { 0 } }, NULL, 0, F_NOSTACK },
	{ "BUG: bad unlock balance detected!", { "is trying to release lock", PC " +" FN },
	    "BUG: bad unlock balance in $1", { { 0 } }, NULL, 0, F_BACKTRACE },
	{ "BUG: held lock freed!", { PC " +" FN }, "BUG: held lock freed in $1", { { 0 } }, NULL, 0, F_BACKTRACE },
	/*
	 * kernel/locking/lockdep.c print_lock_invalid_wait_context: "[ BUG: Invalid wait context ]",
	 * then "%s/%d is trying to lock:" and the lock "..., at: caller+0x..": charged to that caller,
	 * as the other lockdep reports are (lockdep's own frames are skipped).
	 */
	{ "BUG: Invalid wait context", { "is trying to lock" }, "BUG: Invalid wait context in $F",
	    STACK_LOCKDEP("is trying to lock"), NULL, 0, F_BACKTRACE },
	/* kernel/locking/lockdep.c print_lockdep_off: a table ran full ("BUG: MAX_LOCKDEP_KEYS too low!"). */
	{ "BUG: (MAX_[A-Z_]+ too low!)", { 0 }, "BUG: $1", { { 0 } }, NULL, 0, F_NOSTACK },
	{ "BUG: Bad rss-counter state", { 0 }, "BUG: Bad rss-counter state", { { 0 } }, NULL, 0, F_NOSTACK },
	{ "BUG: non-zero nr_ptes on freeing mm", { 0 }, "BUG: non-zero nr_ptes on freeing mm", { { 0 } }, NULL, 0, F_NOSTACK },
	{ "BUG: non-zero nr_pmds on freeing mm", { 0 }, "BUG: non-zero nr_pmds on freeing mm", { { 0 } }, NULL, 0, F_NOSTACK },
	{ "BUG: Dentry .* still in use", { 0 }, "BUG: Dentry still in use in $F", STACK_CALL, "dput|dentry|shrink_dcache|d_walk", 0, 0 },
	{ "BUG: Bad page state", { 0 }, "BUG: Bad page state in $F", STACK_CALL,
	    "bad_page|free_pages|free_page|page_alloc|__free|free_unref|release_pages|put_page|folio|check_new_page|prep_new_page", 0, 0 },
	{ "BUG: Bad page map", { 0 }, "BUG: Bad page map", { { 0 } }, NULL, 0, F_NOSTACK },
	{ "BUG: workqueue lockup", { 0 }, "BUG: workqueue lockup", { { 0 } }, NULL, 0, F_NOSTACK },
	{ "BUG: sleeping function called from invalid context", { 0 },
	    "BUG: sleeping function called from invalid context in $F", STACK_CALL, NULL, 0, 0 },
	{ "BUG: scheduling while atomic", { 0 }, "BUG: scheduling while atomic in $F", STACK_CALL,
	    "schedule|preempt|__switch_to|context_switch", 0, 0 },
	{ "BUG: using ([a-z_]+)\\(\\) in preemptible", { 0 }, "BUG: using $1() in preemptible code in $F", STACK_CALL,
	    "dump_stack|preempt|debug_|processor_id|this_cpu", 0, 0 },
	{ "BUG: workqueue leaked lock or atomic", { "last function: ([A-Za-z0-9_]+)" },
	    "BUG: workqueue leaked lock or atomic in $1", { { 0 } }, NULL, 0, F_NOSTACK },
	{ "BUG: memory leak", { 0 }, "memory leak in $F", { { "backtrace", P_TRACE } },
	    "kmemleak|kmalloc|kcalloc|kzalloc|vmalloc|mmap|kmem|slab|alloc|create_object|idr_get|list_lru_init|kasprintf|kvasprintf|pcpu_create|strdup|strndup|memdup|kstrdup|kobject_set_name|kobject_init_and_add", 0, 0 },
	/*
	 * arch/x86/kernel/traps.c handle_stack_overflow: "BUG: %s stack guard page was hit at %p
	 * (stack is %p..%p)", %s the stack's name from stack_type_name() (TASK, IRQ, SOFTIRQ,
	 * ENTRY_TRAMPOLINE, #DF, NMI, ...). A runaway recursion: charged like a stall, to the frame
	 * above the entry that started it.
	 */
	{ "BUG: (?:[A-Z0-9_#]+ )?stack guard page was hit at", { 0 }, "BUG: stack guard page was hit in $F",
	    STACK_CALL, NULL, TRIAGE_PICK_STALL, 0 },
	{ "BUG: KASAN|BUG:\\s*$", { 0 }, "BUG: corrupted", { { 0 } }, NULL, 0, F_CORRUPT },
	{ 0 }
};

/*
 * WARNING: kernel/panic.c __warn ("WARNING: CPU: %d PID: %d at %s:%d %pS"; 7.2 puts the position
 * first), the file naming the kind (lib/debugobjects.c, mm/usercopy.c, lib/kobject.c,
 * fs/proc/generic.c, lib/refcount.c, kernel/locking/lockdep.c, mm/ allocators); lockdep.c's own
 * reports (print_circular_bug_header, print_bad_irq_dependency, print_deadlock_bug,
 * print_usage_bug, print_irq_inversion_bug, print_unlock_imbalance_bug, print_freed_lock_bug,
 * print_held_locks_bug, lockdep_sys_exit, lockdep_rcu_suspicious), titled by the lock site
 * ("at: %pS" of the lock being taken); arch/x86/kernel/unwind_frame.c (bad stack regs).
 */
static const struct triage_fmt triage_fmt_warning[] = {
	{ "WARNING: .*lib/debugobjects\\.c:", { 0 }, "WARNING: ODEBUG bug in $F", STACK_WARN,
	    "debug_|rcu|hrtimer_|timer_|work_|percpu_|kmem_|slab_|kfree|vunmap|vfree|__free_|kobject_", 0, 0 },
	{ "WARNING: .*mm/usercopy\\.c:", { 0 }, "WARNING: bad usercopy in $F", STACK_WARN,
	    "usercopy|__check", 0, 0 },
	{ "WARNING: .*lib/kobject\\.c:", { 0 }, "WARNING: kobject bug in $F", STACK_WARN, "kobject_", 0, 0 },
	{ "WARNING: .*fs/proc/generic\\.c:.* (?:proc_register|0x)", { 0 }, "WARNING: proc registration bug in $F", STACK_WARN,
	    "proc_", 0, 0 },
	{ "WARNING: .*lib/refcount\\.c:", { 0 }, "WARNING: refcount bug in $F", STACK_WARN,
	    "refcount|kobject_", 0, 0 },
	{ "WARNING: .*kernel/locking/lockdep\\.c.*lock_", { 0 }, "WARNING: locking bug in $F", STACK_WARN,
	    "lock_sock|release_sock", 0, 0 },
	{ "WARNING: lock held when returning to user space", { "leaving the kernel with locks still held",
	    "at: (?:" PC " +)?" FN }, "WARNING: lock held when returning to user space in $1", { { 0 } }, NULL, 0, F_NOSTACK },
	{ "WARNING: .*mm/vmalloc\\.c.* ?__vmalloc_node", { 0 }, "WARNING: zero-size vmalloc in $F", STACK_WARN,
	    "vmalloc|kvmalloc|kvzalloc|kvcalloc|vzalloc|kmalloc|kzalloc", 0, 0 },
	{ "WARNING: .*mm/.*\\.c.* ?k?.?malloc", { 0 }, "WARNING: kmalloc bug in $F", STACK_WARN,
	    "kmalloc|kcalloc|kzalloc|krealloc|vmalloc|slab|kmem|kvmalloc", 0, 0 },
	{ "WARNING: .* ?usb_submit_urb", { 0 }, "WARNING in $F/usb_submit_urb", STACK_WARN,
	    "usb_submit_urb|usb_start_wait_urb|usb_bulk_msg|usb_interrupt_msg|usb_control_msg", 0, 0 },
	/* kernel/panic.c __warn: "WARNING: CPU: %d PID: %d at %s:%d %pS", or "... at %pS" with no file. */
	{ "WARNING: .* at " SRC " " FN, { 0 }, "WARNING in $F", STACK_WARN, NULL, 0, 0 },
	{ "WARNING: CPU: [0-9]+ PID: [0-9]+ at " FN, { 0 }, "WARNING in $F", STACK_WARN, NULL, 0, 0 },
	/* 7.2 moved the position first: "WARNING: kernel/foo.c:12 at func+0x1/0x2, CPU#0: comm/1" */
	{ "WARNING: " SRC " at (?:" FN "|0x[0-9a-f]+)", { 0 }, "WARNING in $F", STACK_WARN, NULL, 0, 0 },
	{ "WARNING: possible circular locking dependency detected", { "is trying to acquire lock" },
	    "possible deadlock in $F", STACK_LOCKDEP("is trying to acquire lock"),
	    "process_one_work|flush_workqueue|drain_workqueue|destroy_workqueue", 0, F_BACKTRACE },
	{ "WARNING: possible irq lock inversion dependency detected", { "just changed the state of lock",
	    "at: (?:" PC " +)?" FN }, "possible deadlock in $1", { { 0 } }, NULL, 0, F_BACKTRACE },
	{ "WARNING: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected", { "is trying to acquire",
	    "at: (?:" PC " +)?" FN }, "possible deadlock in $1", { { 0 } }, NULL, 0, F_BACKTRACE },
	/* Charged to where the irq-safe lock is taken: that is the context that can deadlock. */
	{ "WARNING: (?:HARDIRQ|SOFTIRQ)-safe -> (?:HARDIRQ|SOFTIRQ)-unsafe lock order detected", { 0 },
	    "possible deadlock in $F", { { "which became (?:HARD|SOFT)IRQ-irq-safe at:", P_TRACE },
	    { "is trying to acquire", "at: (?:" PC " +)?" FN } }, NULL, 0, F_BACKTRACE },
	{ "WARNING: possible recursive locking detected", { "is trying to acquire lock",
	    "at: (?:" PC " +)?" FN }, "possible deadlock in $1", { { 0 } }, NULL, 0, F_BACKTRACE },
	{ "WARNING: inconsistent lock state", { "takes", "at: (?:" PC " +)?" FN },
	    "inconsistent lock state in $1", { { 0 } }, NULL, 0, F_BACKTRACE },
	{ "WARNING: suspicious RCU usage", { SRC }, "WARNING: suspicious RCU usage in $F", STACK_CALL,
	    "rcu|kmem|slab|kmalloc|vmalloc|kcalloc|kzalloc", 0, 0 },
	{ "WARNING: kernel stack regs at [0-9a-f]+ in [^ ]* has bad '([^']+)' value", { 0 },
	    "WARNING: kernel stack regs has bad '$1' value", { { 0 } }, NULL, 0, F_NOSTACK },
	{ "WARNING: kernel stack frame pointer at [0-9a-f]+ in [^ ]* has bad value", { 0 },
	    "WARNING: kernel stack frame pointer has bad value", { { 0 } }, NULL, 0, F_NOSTACK },
	{ "WARNING: bad unlock balance detected!", { "is trying to release lock", PC " +" FN },
	    "WARNING: bad unlock balance in $1", { { 0 } }, NULL, 0, F_BACKTRACE },
	{ "WARNING: held lock freed!", { "at:(?: " PC ")? +" FN }, "WARNING: held lock freed in $1",
	    { { 0 } }, NULL, 0, F_BACKTRACE },
	{ "WARNING: .*still has locks held!", { "at:(?: " PC ")? +" FN }, "WARNING: still has locks held in $1",
	    { { 0 } }, NULL, 0, F_BACKTRACE },
	{ "WARNING: [Nn]ested lock was not taken", { 0 }, "WARNING: nested lock was not taken in $F", STACK_CALL,
	    NULL, 0, 0 },
	{ "WARNING: kernel stack regs .* has bad 'bp' value", { 0 }, "WARNING: kernel stack regs has bad value",
	    { { 0 } }, NULL, 0, F_NOSTACK },
	{ "WARNING: kernel stack frame pointer .* has bad value", { 0 }, "WARNING: kernel stack regs has bad value",
	    { { 0 } }, NULL, 0, F_NOSTACK },
	/*
	 * The headers kernel/locking/lockdep.c prints (print_circular_bug_header, print_bad_irq_dependency,
	 * print_deadlock_bug, print_usage_bug, print_irq_inversion_bug, print_collision,
	 * print_lock_nested_lock_not_held, print_unlock_imbalance_bug, print_lock_contention_bug,
	 * print_freed_lock_bug, print_held_locks_bug, lockdep_sys_exit, lockdep_rcu_suspicious) when
	 * what follows them was lost: the header is the title, the report is corrupted.
	 */
	{ "WARNING: ((?:possible circular locking dependency detected|possible irq lock inversion dependency detected"
	    "|[A-Z]+-safe -> [A-Z]+-unsafe lock order detected|possible recursive locking detected"
	    "|inconsistent lock state|chain_key collision|Nested lock was not taken|bad unlock balance detected!"
	    "|bad contention detected!|held lock freed!|.*still has locks held!|lock held when returning to user space!"
	    "|suspicious RCU usage))", { 0 }, "WARNING: $1", { { 0 } }, NULL, 0, F_CORRUPT },
	{ "WARNING:\\s*$", { 0 }, "WARNING: corrupted", { { 0 } }, NULL, 0, F_CORRUPT },
	/* __warn's line cut short by another printk: a report all the same, its title untrusted. */
	{ "WARNING: CPU: (.*)", { 0 }, "WARNING: CPU: $1", { { 0 } }, NULL, 0, F_CORRUPT },
	{ 0 }
};

/*
 * INFO: lockdep.c's reports of older kernels ("[ INFO: ... ]"); kernel/rcu/tree_stall.h
 * print_cpu_stall / print_other_cpu_stall ("INFO: %s self-detected stall on CPU", "INFO: %s
 * detected stalls on CPUs/tasks"), charged above the interrupted entry point as syzbot's stall
 * convention does; lockdep.c assign_lock_key ("INFO: trying to register non-static key");
 * kernel/hung_task.c check_hung_task ("INFO: task %s:%d blocked for more than %ld seconds.").
 */
static const struct triage_fmt triage_fmt_info[] = {
	{ "INFO: possible circular locking dependency detected", { "is trying to acquire lock" },
	    "possible deadlock in $F", STACK_LOCKDEP("is trying to acquire lock"),
	    "process_one_work|flush_workqueue|drain_workqueue|destroy_workqueue", 0, F_BACKTRACE },
	{ "INFO: possible irq lock inversion dependency detected", { "just changed the state of lock",
	    "at: " PC " +" FN }, "possible deadlock in $1", { { 0 } }, NULL, 0, F_BACKTRACE },
	{ "INFO: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected", { "is trying to acquire",
	    "at: " PC " +" FN }, "possible deadlock in $1", { { 0 } }, NULL, 0, F_BACKTRACE },
	{ "INFO: possible recursive locking detected", { "is trying to acquire lock", "at: " PC " +" FN },
	    "possible deadlock in $1", { { 0 } }, NULL, 0, F_BACKTRACE },
	{ "INFO: inconsistent lock state", { "takes", "at: " PC " +" FN }, "inconsistent lock state in $1",
	    { { 0 } }, NULL, 0, F_NOSTACK },
	{ "INFO: rcu_(?:preempt|sched|bh) (?:self-)?detected(?: expedited)? stall", { 0 },
	    "INFO: rcu detected stall in $F",
	    { { "apic_timer_interrupt|el1_interrupt|el1h_64_irq|gic_handle_irq", P_PC, P_TRACE },
	      { "apic_timer_interrupt|el1_interrupt|el1h_64_irq|gic_handle_irq", P_TRACE } },
	    "apic_timer_interrupt|rcu|sysvec_|irq_exit|__irq_exit|el1_interrupt|el1h_64_irq|gic_handle_irq",
	    TRIAGE_PICK_STALL, 0 },
	{ "INFO: trying to register non-static key", { 0 }, "INFO: trying to register non-static key in $F",
	    STACK_CALL, "stack|lock|IRQ", 0, 0 },
	{ "INFO: suspicious RCU usage", { SRC }, "INFO: suspicious RCU usage in $F", STACK_CALL,
	    "rcu|kmem|slab|kmalloc|vmalloc|kcalloc|kzalloc", 0, 0 },
	/*
	 * A task name may hold a newline: the header then spans two lines. arm prints the blocked
	 * task's frames with no "Call trace:" heading: then they follow the header.
	 */
	{ "INFO: task .*(?:\\n.*)? blocked.*? for more than [0-9]+ seconds", { 0 }, "INFO: task hung in $F",
	    { { P_CALL, P_TRACE }, { P_TRACE } }, NULL, TRIAGE_PICK_HANG, 0 },
	{ "INFO: task .* can't die for more than .* seconds", { 0 }, "INFO: task can't die in $F", STACK_CALL,
	    "schedule", 0, 0 },
	{ "INFO: (Freed|Allocated) in (.*)", { 0 }, "INFO: $1 in $2", { { 0 } }, NULL, 0, F_CORRUPT },
	{ "INFO:\\s*$", { 0 }, "INFO: corrupted", { { 0 } }, NULL, 0, F_CORRUPT },
	{ 0 }
};

/* arch/arm/mm/fault.c and arch/arm64/mm/fault.c die_kernel_fault: "Unable to handle kernel %s at virtual address". */
static const struct triage_fmt triage_fmt_unable[] = {
	{ "Unable to handle kernel NULL pointer dereference", { 0 },
	    "BUG: unable to handle kernel NULL pointer dereference in $F", STACK_ARM, NULL, 0, 0 },
	{ "Unable to handle kernel access to user memory", { 0 },
	    "BUG: unable to handle kernel access to user memory in $F", STACK_ARM, NULL, 0, 0 },
	{ "Unable to handle kernel (?:paging request|execute from non-executable memory|write to read-only memory)", { 0 },
	    "BUG: unable to handle kernel paging request in $F", STACK_ARM, NULL, 0, 0 },
	{ 0 }
};

/* arch/x86/kernel/traps.c exc_general_protection ("general protection fault, ...: 0000 [#1]"), charged to RIP. */
static const struct triage_fmt triage_fmt_gpf[] = {
	{ "general protection fault.*:", { 0 }, "general protection fault in $F", STACK_PC_CALL, NULL, 0, 0 },
	{ 0 }
};

static const struct triage_fmt triage_fmt_stackseg[] = {
	{ "stack segment: ", { 0 }, "stack segment fault in $F", STACK_PC_CALL, NULL, 0, 0 },
	{ 0 }
};

/*
 * kernel/panic.c panic ("Kernel panic - not syncing: %s"): the message is the title
 * ("kernel panic: %s"); the ones that follow another report (Fatal exception, panic_on_warn,
 * hung_task) only lead when that report's header was lost, so they are corrupted.
 */
static const struct triage_fmt triage_fmt_panic[] = {
	{ "Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: " FN, { 0 },
	    "kernel panic: stack is corrupted in $1", { { 0 } }, NULL, 0, F_NOSTACK },
	{ "Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: [0-9a-f]+", { 0 },
	    "kernel panic: stack is corrupted in $F", STACK_CALL, "stack_chk", 0, 0 },
	{ "Kernel panic - not syncing: corrupted stack end", { 0 }, "kernel panic: corrupted stack end in $F",
	    STACK_CALL, "schedule|retint_kernel", TRIAGE_PICK_STALL, 0 },
	{ "Kernel panic - not syncing: Attempted to kill init!", { 0 }, "kernel panic: Attempted to kill init!",
	    { { 0 } }, NULL, 0, F_NOSTACK },
	{ "Kernel panic - not syncing: Couldn't open N_TTY ldisc for [^ ]+ --- error -[0-9]+", { 0 },
	    "kernel panic: Couldn't open N_TTY ldisc", { { 0 } }, NULL, 0, F_NOSTACK },
	/*
	 * arch/arm64/kernel/traps.c panic_bad_stack: nmi_panic(NULL, "kernel stack overflow") after
	 * "Insufficient stack space to handle exception!"; a runaway recursion, charged as the x86
	 * guard page hit is.
	 */
	{ "Kernel panic - not syncing: [Kk]ernel stack overflow", { 0 }, "kernel stack overflow in $F",
	    { { P_CALL, P_TRACE } }, "bad_stack|nmi_panic", TRIAGE_PICK_STALL, 0 },
	{ "Kernel panic - not syncing: Fatal exception", { 0 }, "kernel panic: Fatal exception", { { 0 } }, NULL, 0, F_CORRUPT },
	/* kernel/panic.c check_panic_on_warn: "%s: panic_on_warn set ...", the origin first since 6.1. */
	{ "Kernel panic - not syncing: (?:[A-Za-z]+: )?panic_on_warn set", { 0 }, "kernel panic: panic_on_warn set", { { 0 } }, NULL, 0, F_CORRUPT },
	{ "Kernel panic - not syncing: hung_task: blocked tasks", { 0 }, "kernel panic: hung_task: blocked tasks",
	    { { 0 } }, NULL, 0, F_CORRUPT },
	{ "Kernel panic - not syncing: (.*)", { 0 }, "kernel panic: $1", { { 0 } }, NULL, 0, F_NOSTACK },
	{ 0 }
};

static const struct triage_fmt triage_fmt_dfault[] = {
	{ "PANIC: double fault", { 0 }, "PANIC: double fault in $F", { { P_PC } }, NULL, 0, F_NOSTACK },
	{ 0 }
};

/* include/asm-generic/bug.h and arch/x86/kernel/traps.c: "kernel BUG at %s:%u!", the file naming the kind. */
static const struct triage_fmt triage_fmt_kbug[] = {
	{ "kernel BUG at mm/usercopy\\.c", { 0 }, "BUG: bad usercopy in $F", STACK_CALL, "usercopy|__check", 0, 0 },
	{ "kernel BUG at lib/list_debug\\.c", { 0 }, "BUG: corrupted list in $F", STACK_CALL, NULL, 0, 0 },
	{ "kernel BUG at (?:.*)", { 0 }, "kernel BUG in $F", { { P_PC, P_CALL, P_TRACE }, { P_CALL, P_TRACE } }, NULL, 0, 0 },
	{ "kernel BUG(?: at)?\\s*$", { 0 }, "kernel BUG in $F", { { P_PC, P_CALL, P_TRACE }, { P_CALL, P_TRACE } }, NULL, 0, 0 },
	{ 0 }
};

static const struct triage_fmt triage_fmt_kbug2[] = {
	{ "Kernel BUG (.*)", { 0 }, "kernel BUG $1", { { 0 } }, NULL, 0, F_NOSTACK },
	{ 0 }
};

/* mm/slub.c slab_bug ("BUG %s (%s): %pV") with object_err's "Object already free". */
static const struct triage_fmt triage_fmt_slub[] = {
	{ "BUG kmalloc-.*: Object already free", { 0 }, "BUG: Object already free", { { 0 } }, NULL, 0, F_NOSTACK },
	{ 0 }
};

/* arch/x86/kernel/traps.c do_error_trap ("divide error", "invalid opcode", "stack segment"), charged to RIP. */
static const struct triage_fmt triage_fmt_divide[] = {
	{ "divide error: ", { 0 }, "divide error in $F", { { P_PC } }, NULL, 0, F_NOSTACK },
	{ 0 }
};

/* 5.8 to 5.10 printed it "divide_error" (DEFINE_IDTENTRY's name in the x86/entry conversion). */
static const struct triage_fmt triage_fmt_divide2[] = {
	{ "divide_error: ", { 0 }, "divide error in $F", { { P_PC } }, NULL, 0, F_NOSTACK },
	{ 0 }
};

static const struct triage_fmt triage_fmt_opcode[] = {
	{ "invalid opcode: ", { 0 }, "invalid opcode in $F", { { P_PC } }, NULL, 0, F_NOSTACK },
	{ 0 }
};

/* lib/ubsan.c ubsan_prologue: "UBSAN: %s in %s:%d:%d" (older kernels: "UBSAN: Undefined behaviour in"). */
static const struct triage_fmt triage_fmt_ubsan[] = {
	{ "UBSAN: Undefined behaviour in", { 0 }, "UBSAN: undefined-behaviour in $F", STACK_CALL, "ubsan|overflow", 0, 0 },
	{ "UBSAN: ([a-z\\-]+) in", { 0 }, "UBSAN: $1 in $F", STACK_CALL, "ubsan|overflow", 0, 0 },
	{ 0 }
};

static const struct triage_fmt triage_fmt_reboot[] = {
	{ "Booting the kernel", { 0 }, "unexpected kernel reboot", { { 0 } }, NULL, 0, F_NOSTACK },
	{ 0 }
};

/* net/core/dev.c netdev_wait_allrefs_any: "unregister_netdevice: waiting for %s to become free". */
static const struct triage_fmt triage_fmt_netdev[] = {
	{ "unregister_netdevice: waiting for (?:.*) to become free", { 0 },
	    "unregister_netdevice: waiting for DEV to become free", { { 0 } }, NULL, 0, F_NOSTACK },
	{ 0 }
};

static const struct triage_fmt triage_fmt_trusty[] = {
	{ "trusty: panic.* ASSERT FAILED(?: at \\([^)]*\\))?: (.*)", { 0 }, "trusty: ASSERT FAILED: $1",
	    { { 0 } }, NULL, 0, F_NOSTACK },
	{ "trusty: panic \\(.*?\\): (.+)", { 0 }, "trusty: panic: $1", { { 0 } }, NULL, 0, F_NOSTACK },
	{ 0 }
};

static const struct triage_fmt triage_fmt_syzfail[] = {
	{ "SYZFAIL:(.*)", { 0 }, "SYZFAIL:$1", { { 0 } }, NULL, 0, F_NOSTACK },
	{ 0 }
};

static const struct triage_fmt triage_fmt_syzfatal[] = {
	{ "SYZFATAL:(.*)", { 0 }, "SYZFATAL:$1", { { 0 } }, NULL, 0, F_NOSTACK },
	{ 0 }
};

static const struct triage_fmt triage_fmt_gopanic[] = {
	{ "panic:(.*)", { 0 }, "panic:$1", { { 0 } }, NULL, 0, F_NOSTACK },
	{ 0 }
};

static const struct triage_fmt triage_fmt_gofatal[] = {
	/* Only the Go runtime's own: it goes on to print its goroutines or runtime stack. */
	{ "fatal error:", { "^(?:runtime stack:|goroutine [0-9]+ \\[)" }, "go runtime error", { { 0 } }, NULL, 0, F_NOSTACK },
	{ 0 }
};

/*
 * arch/arm/kernel/traps.c __die, arch/arm64/kernel/traps.c __die ("Internal error: %s: %x [#%d]"),
 * arch/arm/mm/fault.c do_DataAbort ("Unhandled fault: %s (0x%03x) at 0x%08lx"),
 * arch/arm/mm/alignment.c ("Alignment trap: ..."): charged to "PC is at" / "pc :" or the trace.
 */
static const struct triage_fmt triage_fmt_armerr[] = {
	{ "Internal error: ", { 0 }, "Internal error in $F", STACK_ARM, NULL, 0, 0 },
	{ 0 }
};

static const struct triage_fmt triage_fmt_armfault[] = {
	{ "Unhandled fault: ", { 0 }, "Unhandled fault in $F", STACK_ARM, NULL, 0, 0 },
	{ 0 }
};

static const struct triage_fmt triage_fmt_armalign[] = {
	{ "Alignment trap: ", { 0 }, "Alignment trap in $F", STACK_ARM, NULL, 0, 0 },
	{ 0 }
};

/*
 * rust/kernel/lib.rs panic handler: pr_emerg!("{}\n", info), which rust/kernel/print.rs prints as
 * "%s: %pA" with the kernel crate's prefix ("rust_kernel: panicked at FILE:LINE:COL:" and the
 * message on the next line since Rust 1.73; "panicked at 'MESSAGE', FILE:LINE:COL" before), then
 * BUG(). syzbot's title is the message and the first frame past the panic machinery
 * ("%[1]v in %[2]v", pkg/report/linux.go, skipping __rustc::rust_begin_unwind and the default
 * "panic" frames); the frames are demangled (triage_frame_demangle).
 */
static const struct triage_fmt triage_fmt_rust[] = {
	{ "rust_kernel: panicked at [^\n]*?:[0-9]+:[0-9]+:\n([^\n]+)", { 0 }, "$1 in $F",
	    STACK_CALL, "rust_begin_unwind", 0, 0 },
	{ "rust_kernel: panicked at '(.*)', [^ ]+:[0-9]+(?::[0-9]+)?$", { 0 }, "$1 in $F",
	    STACK_CALL, "rust_begin_unwind", 0, 0 },
	{ 0 }
};

/*
 * fs/super.c generic_shutdown_super: "VFS: Busy inodes after unmount of %s (%s)" through
 * CHECK_DATA_CORRUPTION since 5.x (a WARN, or pr_err and BUG with BUG_ON_DATA_CORRUPTION), "VFS:
 * Busy inodes after unmount of %s. Self-destruct in 5 seconds.  Have a nice day..." before.
 * syzbot's title names no frame (pkg/report/linux.go, "VFS: Busy inodes after unmount
 * (use-after-free)").
 */
static const struct triage_fmt triage_fmt_vfsbusy[] = {
	{ "VFS: Busy inodes after unmount", { 0 }, "VFS: Busy inodes after unmount (use-after-free)",
	    { { 0 } }, NULL, 0, F_NOSTACK },
	{ 0 }
};

static const struct triage_fmt triage_fmt_vfs[] = {
	{ "VFS: Close: file count is (?:zero|0)", { 0 }, "VFS: Close: file count is zero (use-after-free)",
	    { { 0 } }, NULL, 0, F_NOSTACK },
	{ 0 }
};

/*
 * What a header's literal also prints when it is no crash: each pattern with where it comes from.
 * A header line matching one is not a report (the kernel's or another program's own message).
 */
struct triage_notcrash {
	const char	*re;
	const char	*source;	/* who prints it */
};

#define NOTCRASH_END	{ NULL, NULL }

static const struct triage_notcrash triage_notcrash_bug[] = {
	{ "BUG: no syscalls can create resource", "syzkaller's host checks (pkg/host), in debug mode" },
	{ "Internal error: Oops - BUG:", "arch/arm64/kernel/traps.c die(): the BUG's own oops line, titled as Internal error" },
	NOTCRASH_END
};

static const struct triage_notcrash triage_notcrash_warning[] = {
	{ "WARNING: /etc/ssh/moduli does not exist", "sshd (OpenSSH) at start-up" },
	{ "WARNING: workqueue cpumask: online intersect", "kernel/workqueue.c wq_calc_node_cpumask, a pr_warn_once notice" },
	{ "WARNING: [Tt]he mand mount option", "fs/namespace.c warn_mandlock, a deprecation notice" },
	/* A subsystem's own message with its prefix ("floppy0: WARNING: ..."): __warn's line has none. */
	{ "[^\\s:]\\s*:\\s+WARNING: (?!CPU: )", "drivers' dev_warn/pr_warn text, never kernel/panic.c __warn" },
	{ "WARNING: Unprivileged eBPF", "arch/x86/kernel/cpu/bugs.c unpriv_ebpf_notify, a boot notice" },
	/*
	 * Not listed: the other plain "WARNING: ..." notices (arch/x86/kernel/cpu/bugs.c's Spectre
	 * lines and the like) are no report because no WARNING format fits them (TRIAGE_HDR_NEEDFMT).
	 */
	NOTCRASH_END
};

static const struct triage_notcrash triage_notcrash_info[] = {
	{ "INFO: lockdep is turned off", "kernel/locking/lockdep.c debug_show_all_locks, debug_show_held_locks: lockdep already off" },
	{ "INFO: Stall ended before state dump start", "kernel/rcu/tree_stall.h print_other_cpu_stall" },
	{ "INFO: NMI handler", "arch/x86/kernel/nmi.c nmi_check_duration: a slow handler, no bug" },
	{ "INFO: recovery required on readonly filesystem", "fs/ext4/super.c ext4_load_journal, a mount notice" },
	{ "(?:handler|interrupt).*took too long", "kernel/events/core.c perf_duration_warn (\"perf: interrupt took too long\"), arch/x86/kernel/nmi.c" },
	{ "INFO: sys_.* is not present in /proc/kallsyms", "syzkaller's host checks (pkg/host), in debug mode" },
	{ "INFO: no syscalls can create resource", "syzkaller's host checks (pkg/host), in debug mode" },
	NOTCRASH_END
};

static const struct triage_notcrash triage_notcrash_gpf[] = {
	{ "general protection fault ip:", "arch/x86/kernel/traps.c show_signal: a user program's fault" },
	{ "general protection fault .* error:[0-9]+ in ", "arch/x86/kernel/traps.c show_signal, newer layout" },
	NOTCRASH_END
};

static const struct triage_notcrash triage_notcrash_gofatal[] = {
	{ "fatal error: runtime: (?:out of memory|cannot allocate memory)", "the Go runtime out of memory: the machine's, not a bug" },
	NOTCRASH_END
};

/*
 * The kinds of report and the literal that announces each. A header counts only at a word start,
 * so "DEBUG:", "CAM_INFO:" and "skb_panic:" are not BUG:, INFO: or panic:. Some must open the line.
 */
struct triage_hdr {
	const char			*lit;
	const struct triage_notcrash	*notcrash;	/* lines that look like it but are not crashes */
	int				 linestart;	/* the literal must open the (stripped) line */
	int				 flags;
	const struct triage_fmt		*fmts;
	/*
	 * Regex: header lines of other kinds that the kernel prints as part of this report (a Rust
	 * panic goes on into BUG()): they continue it instead of starting a report of their own.
	 */
	const char			*follows;
	const char			*type;		/* the report's type when no title prefix names one */
};

static const struct triage_hdr triage_hdrs[] = {
	{ "BUG:", triage_notcrash_bug, 0, TRIAGE_HDR_CRASH, triage_fmt_bug, NULL, NULL },
	{ "WARNING:", triage_notcrash_warning, 0, TRIAGE_HDR_CRASH | TRIAGE_HDR_NEEDFMT, triage_fmt_warning, NULL, NULL },
	{ "INFO:", triage_notcrash_info, 0, TRIAGE_HDR_CRASH, triage_fmt_info, NULL, NULL },
	{ "Unable to handle kernel", NULL, 0, TRIAGE_HDR_CRASH, triage_fmt_unable, NULL, NULL },
	{ "general protection fault", triage_notcrash_gpf, 0, TRIAGE_HDR_CRASH, triage_fmt_gpf, NULL, NULL },
	{ "stack segment: ", NULL, 0, TRIAGE_HDR_CRASH, triage_fmt_stackseg, NULL, NULL },
	{ "Kernel panic", NULL, 0, TRIAGE_HDR_CRASH | TRIAGE_HDR_CONTINUES, triage_fmt_panic, NULL, NULL },
	{ "PANIC: double fault", NULL, 0, TRIAGE_HDR_CRASH | TRIAGE_HDR_CONTINUES, triage_fmt_dfault, NULL, NULL },
	{ "kernel BUG", NULL, 0, TRIAGE_HDR_CRASH, triage_fmt_kbug, NULL, NULL },
	{ "Kernel BUG", NULL, 0, TRIAGE_HDR_CRASH, triage_fmt_kbug2, NULL, NULL },
	{ "BUG kmalloc-", NULL, 0, TRIAGE_HDR_CRASH, triage_fmt_slub, NULL, NULL },
	{ "divide error:", NULL, 0, TRIAGE_HDR_CRASH, triage_fmt_divide, NULL, NULL },
	{ "divide_error:", NULL, 0, TRIAGE_HDR_CRASH, triage_fmt_divide2, NULL, NULL },
	{ "invalid opcode:", NULL, 0, TRIAGE_HDR_CRASH | TRIAGE_HDR_CONTINUES, triage_fmt_opcode, NULL, NULL },
	{ "UBSAN:", NULL, 0, TRIAGE_HDR_CRASH, triage_fmt_ubsan, NULL, NULL },
	{ "Booting the kernel", NULL, 1, TRIAGE_HDR_CRASH | TRIAGE_HDR_REBOOT, triage_fmt_reboot, NULL, NULL },
	{ "unregister_netdevice: waiting for", NULL, 0, TRIAGE_HDR_CRASH | TRIAGE_HDR_CONTINUES, triage_fmt_netdev, NULL, NULL },
	{ "trusty: panic", NULL, 0, TRIAGE_HDR_CRASH, triage_fmt_trusty, NULL, NULL },
	{ "SYZFAIL:", NULL, 0, TRIAGE_HDR_CRASH, triage_fmt_syzfail, NULL, NULL },
	{ "SYZFATAL:", NULL, 0, TRIAGE_HDR_CRASH, triage_fmt_syzfatal, NULL, NULL },
	{ "panic:", NULL, 1, TRIAGE_HDR_CRASH, triage_fmt_gopanic, NULL, NULL },
	{ "fatal error:", triage_notcrash_gofatal, 1, TRIAGE_HDR_CRASH | TRIAGE_HDR_NEEDFMT, triage_fmt_gofatal, NULL, NULL },
	/* On arm it follows the fault line of the same oops. */
	{ "Internal error:", NULL, 0, TRIAGE_HDR_CRASH | TRIAGE_HDR_CONTINUES, triage_fmt_armerr, NULL, NULL },
	{ "Unhandled fault:", NULL, 0, TRIAGE_HDR_CRASH, triage_fmt_armfault, NULL, NULL },
	{ "Alignment trap:", NULL, 0, TRIAGE_HDR_CRASH, triage_fmt_armalign, NULL, NULL },
	{ "VFS: Close: file count is", NULL, 0, TRIAGE_HDR_CRASH, triage_fmt_vfs, NULL, NULL },
	/* rust_helper_BUG: rust/helpers.c (6.1), rust/helpers/bug.c (later). */
	{ "rust_kernel: panicked", NULL, 0, TRIAGE_HDR_CRASH, triage_fmt_rust,
	    "kernel BUG at rust/helpers(?:/bug)?\\.c:", "panic" },
	/* CHECK_DATA_CORRUPTION's WARN at fs/super.c, or its BUG with BUG_ON_DATA_CORRUPTION. */
	{ "VFS: Busy inodes after unmount", NULL, 0, TRIAGE_HDR_CRASH, triage_fmt_vfsbusy,
	    "(?:WARNING: .*|kernel BUG) at fs/super\\.c:", NULL },
	{ NULL, NULL, 0, 0, NULL, NULL, NULL }
};

#define TRIAGE_NHDR	(sizeof(triage_hdrs) / sizeof(triage_hdrs[0]) - 1)
#define TRIAGE_MAXFMT	48

/* Compiled forms, built once, read-only afterwards (so any thread may use them). */
struct triage_cfmt {
	pcre2_code	*title;
	pcre2_code	*steps[3];
	pcre2_code	*stack[2][4];	/* NULL for @PC, @TRACE and unused */
};

/* Report boundaries, found by the same pass as the headers. */
static const char *const triage_markers[] = {
	"---[ end", "Kernel Offset:", "Rebooting in ", "Sending NMI from CPU", "Disabling lock debugging",
	"FAULT_INJECTION: forcing a failure", "vmalloc: allocation failure", "FAULT_FLAG_ALLOW_RETRY missing", NULL
};

#define TRIAGE_NLIT	(TRIAGE_NHDR + sizeof(triage_markers) / sizeof(triage_markers[0]) - 1)
/* The scan samples a literal without a colon at its end every this many bytes: its shortest is 8. */
#define TRIAGE_STRIDE	5
/*
 * Hashes of four bytes the prefilters tell apart: 12 bits, so each bitmap is 512 bytes that
 * stay in the first-level cache between reads of 256 lines (a hundred windows set 2% of them).
 */
#define TRIAGE_HASHES	4096
#define TRIAGE_HASH(v)	((uint32_t)((v) * 0x9E3779B1u) >> 20)

static struct {
	/*
	 * The scan's prefilters (triage_rules_scan), one bit per hash of four bytes each. Literals
	 * that end in a colon (every short tag does) are looked for at the colons of the text:
	 * "colon4" holds their last four bytes. The others, eight bytes or more, are sampled
	 * every TRIAGE_STRIDE positions: "stride4" holds the TRIAGE_STRIDE four-byte windows at
	 * each one's offsets win[k] to win[k] + TRIAGE_STRIDE - 1, of which a sample always lands
	 * on one. Almost every sample and colon of console text fails its one lookup; what passes
	 * is compared with the literals themselves (plain text: no pattern engine needed, and
	 * PCRE2's JIT cannot take a match anchored at a position).
	 */
	uint8_t			 colon4[TRIAGE_HASHES / 8];
	uint8_t			 stride4[TRIAGE_HASHES / 8];
	uint32_t		 lit4[TRIAGE_NLIT];	/* each literal's first four bytes */
	uint32_t		 last4[TRIAGE_NLIT];	/* and its last four */
	uint32_t		 win4[TRIAGE_NLIT][TRIAGE_STRIDE];	/* the sampled windows */
	size_t			 win[TRIAGE_NLIT];	/* where they begin (no colon at the end) */
	size_t			 litlen[TRIAGE_NLIT];
	size_t			 litmax;		/* the longest literal */
	int			 colon[TRIAGE_NLIT];	/* ends in ':' */
	/* The sampled windows by the low byte of their hash: bucket[b] to bucket[b + 1]. */
	struct {
		uint32_t	 v;			/* the window's four bytes */
		uint16_t	 lit, back;		/* its literal; how far into it */
	}			 ent[TRIAGE_NLIT * TRIAGE_STRIDE];
	uint16_t		 bucket[257];
	pcre2_code		*notcrash[TRIAGE_NHDR];	/* a header's not-a-crash patterns, one alternation */
	pcre2_code		*follows[TRIAGE_NHDR];
	struct triage_cfmt	 fmt[TRIAGE_NHDR][TRIAGE_MAXFMT];
	pcre2_code		*pc;
	pcre2_code		*keyword;
	pcre2_code		*norm[8];
	int			 ok;
} triage_re;

static pthread_once_t triage_rules_once = PTHREAD_ONCE_INIT;

static pcre2_code *
triage_rules_compile1(const char *pat, int *bad)
{
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *re;

	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_MULTILINE, &errcode, &erroff, NULL);
	if (re == NULL) {
		*bad = 1;
		return NULL;
	}
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
}

/* A header's not-a-crash list as one alternation: one match per header line, however long the list. */
static pcre2_code *
triage_rules_compile_notcrash(const struct triage_notcrash *nc, int *bad)
{
	char pat[4096];
	size_t n = 0;

	for (int i = 0; nc[i].re != NULL; i++) {
		int w = snprintf(pat + n, sizeof(pat) - n, "%s(?:%s)", n ? "|" : "", nc[i].re);
		if (w < 0 || (size_t)w >= sizeof(pat) - n) {
			*bad = 1;
			return NULL;
		}
		n += (size_t)w;
	}
	return n > 0 ? triage_rules_compile1(pat, bad) : NULL;
}

static int
triage_rules_special(const char *p)
{
	return p != NULL && p[0] == '@';
}

/* The title normalization: whatever differs between two runs of the same bug. */
static const char *const triage_norm_src[][2] = {
	{ "syz-executor\\.?[0-9]+(?:[/:][0-9]+)?", "syz-executor" },
	{ "syzkaller[0-9]+(?:[/:][0-9]+)?", "syzkaller" },
	{ "(?<![a-zA-Z0])(?:0x)?[0-9a-f]{6,}", "ADDR" },
	{ "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}", "IP" },
	{ "(\\.\\w+)(?::[0-9]+)+", "$1:LINE" },
	{ "([a-zA-Z][a-zA-Z0-9_.]+)\\+0x[0-9a-z]+/0x[0-9a-z]+", "$1" },
	{ "CPU#[0-9]+", "CPU" },
	{ "(?<=\\W)[0-9]+(?=\\W|$)", "NUM" },
};

/* The scan's literals: the headers, then the report boundaries. */
static const char *
triage_rules_lit(size_t i)
{
	return i < TRIAGE_NHDR ? triage_hdrs[i].lit : triage_markers[i - TRIAGE_NHDR];
}

static void
triage_rules_set(uint8_t *bits, uint32_t v)
{
	uint32_t h = TRIAGE_HASH(v);

	bits[h >> 3] |= (uint8_t)(1u << (h & 7));
}

/*
 * Where a literal's sampled windows begin: the stretch of TRIAGE_STRIDE + 3 bytes with the most
 * bytes that are not lowercase letters or spaces, the stuff of every console line (first
 * wins a tie). "Unable to handle kernel" is then sampled at "Unabl", not at "able" of "enable".
 */
static size_t
triage_rules_window(const char *lit, size_t len)
{
	size_t best = 0, bestn = 0;

	for (size_t j = 0; j + TRIAGE_STRIDE + 3 <= len; j++) {
		size_t n = 0;

		for (size_t o = j; o < j + TRIAGE_STRIDE + 3; o++)
			n += !((lit[o] >= 'a' && lit[o] <= 'z') || lit[o] == ' ');
		if (n > bestn) {
			best = j;
			bestn = n;
		}
	}
	return best;
}

static void
triage_rules_build(void)
{
	int bad = 0;

	for (size_t h = 0; h < TRIAGE_NHDR; h++) {
		if (triage_hdrs[h].notcrash != NULL)
			triage_re.notcrash[h] = triage_rules_compile_notcrash(triage_hdrs[h].notcrash, &bad);
		if (triage_hdrs[h].follows != NULL)
			triage_re.follows[h] = triage_rules_compile1(triage_hdrs[h].follows, &bad);
		for (int f = 0; triage_hdrs[h].fmts[f].title != NULL && f < TRIAGE_MAXFMT; f++) {
			const struct triage_fmt *fm = &triage_hdrs[h].fmts[f];
			struct triage_cfmt *c = &triage_re.fmt[h][f];
			c->title = triage_rules_compile1(fm->title, &bad);
			for (int s = 0; s < 3 && fm->steps[s] != NULL; s++)
				c->steps[s] = triage_rules_compile1(fm->steps[s], &bad);
			for (int a = 0; a < 2; a++)
				for (int p = 0; p < 4 && fm->stack[a][p] != NULL; p++)
					if (!triage_rules_special(fm->stack[a][p]))
						c->stack[a][p] = triage_rules_compile1(fm->stack[a][p], &bad);
		}
	}
	/*
	 * The scan's literals: every header, and the report boundaries, which ride on the same
	 * pass so lines without any of them are cheap.
	 */
	for (size_t i = 0; i < TRIAGE_NLIT; i++) {
		const char *lit = triage_rules_lit(i);
		size_t len = strlen(lit);

		triage_re.litlen[i] = len;
		if (len > triage_re.litmax)
			triage_re.litmax = len;
		if (len < 4) {
			bad = 1;	/* the prefilters read four bytes */
			continue;
		}
		memcpy(&triage_re.lit4[i], lit, 4);
		memcpy(&triage_re.last4[i], lit + len - 4, 4);
		if (lit[len - 1] == ':') {
			triage_re.colon[i] = 1;
			triage_rules_set(triage_re.colon4, triage_re.last4[i]);
			continue;
		}
		if (len < TRIAGE_STRIDE + 3) {
			bad = 1;	/* a sample could fall past its windows */
			continue;
		}
		triage_re.win[i] = triage_rules_window(lit, len);
		for (size_t o = 0; o < TRIAGE_STRIDE; o++) {
			memcpy(&triage_re.win4[i][o], lit + triage_re.win[i] + o, 4);
			triage_rules_set(triage_re.stride4, triage_re.win4[i][o]);
		}
	}
	/* The windows listed by bucket (a counting sort): a sample's hit looks at a few. */
	for (unsigned b = 0, n = 0; b < 256; b++) {
		triage_re.bucket[b] = (uint16_t)n;
		for (size_t i = 0; i < TRIAGE_NLIT; i++)
			for (size_t o = 0; !triage_re.colon[i] && triage_re.litlen[i] >= TRIAGE_STRIDE + 3 &&
			    o < TRIAGE_STRIDE; o++) {
				uint32_t v = triage_re.win4[i][o];

				if ((TRIAGE_HASH(v) & 255) != b)
					continue;
				triage_re.ent[n].v = v;
				triage_re.ent[n].lit = (uint16_t)i;
				triage_re.ent[n].back = (uint16_t)(triage_re.win[i] + o);
				n++;
			}
		triage_re.bucket[b + 1] = (uint16_t)n;
	}
	triage_re.pc = triage_rules_compile1(
	    "(?:^|\\s)(?:RIP|EIP|NIP|IP):? ?(?:[0-9]+:)?(?:" PC "\\s+){0,2}(?:" FN ")?"
	    "|^\\s*pc ?: (?:" PC "\\s+)?" FN "|PC is at " FN "|--- interrupt: [0-9]+ at " FN, &bad);
	triage_re.keyword = triage_rules_compile1(
	    "Call [Tt]race|Allocated by task [0-9]+:|Freed by task [0-9]+:|^Allocated:|^Freed:"
	    "|[^k] backtrace:|^\\s*backtrace|^Backtrace:", &bad);
	for (size_t i = 0; i < sizeof(triage_norm_src) / sizeof(triage_norm_src[0]); i++)
		triage_re.norm[i] = triage_rules_compile1(triage_norm_src[i][0], &bad);
	triage_re.ok = !bad;
}

int
triage_rules_init(void)
{
	pthread_once(&triage_rules_once, triage_rules_build);
	return triage_re.ok ? 0 : -1;
}

/* Match data for the one thread using it; a few groups are all any rule captures. */
static pcre2_match_data *
triage_rules_md(void)
{
	static _Thread_local pcre2_match_data *md;

	if (md == NULL)
		md = pcre2_match_data_create(16, NULL);
	return md;
}

/* Pairs of the ovector the last match set: the rest hold stale offsets. */
static _Thread_local uint32_t triage_rules_npairs;

static int
triage_rules_find(pcre2_code *re, const char *s, size_t len, size_t from)
{
	int rc;

	triage_rules_npairs = 0;
	if (re == NULL || from > len)
		return -1;
	rc = pcre2_match(re, (PCRE2_SPTR)s, len, from, 0, triage_rules_md(), NULL);
	if (rc > 0)
		triage_rules_npairs = (uint32_t)rc;
	return rc;
}

const char *
triage_rules_literal(size_t i)
{
	return i < TRIAGE_NLIT ? triage_rules_lit(i) : NULL;
}

/* Does literal k begin at buf[p] and end by len? */
static inline int
triage_rules_lit_is(const char *buf, size_t len, size_t p, size_t k)
{
	return triage_re.litlen[k] <= len - p &&
	    memcmp(buf + p, triage_rules_lit(k), triage_re.litlen[k]) == 0;
}

#define TRIAGE_BIT(bits, v)	((bits)[TRIAGE_HASH(v) >> 3] & (1u << (TRIAGE_HASH(v) & 7)))

/* A colon literal that ends at the colon buf[c] and begins before *best moves *best there. */
static void
triage_rules_colon_at(const char *buf, size_t len, size_t c, size_t *best)
{
	uint32_t v;

	if (c < 3)
		return;
	memcpy(&v, buf + c - 3, 4);
	if (!TRIAGE_BIT(triage_re.colon4, v))
		return;
	for (size_t k = 0; k < TRIAGE_NLIT; k++) {
		size_t l = triage_re.litlen[k];

		if (triage_re.colon[k] && triage_re.last4[k] == v && c + 1 >= l &&
		    c + 1 - l < *best && triage_rules_lit_is(buf, len, c + 1 - l, k))
			*best = c + 1 - l;
	}
}

/*
 * The first literal ending in a colon that begins before stop, found from the colons of
 * buf[0..len) (16 bytes at a time have none most of the time), each looked up with the four
 * bytes up to it in colon4.
 */
static size_t
triage_rules_scan_colons(const char *buf, size_t len, size_t stop)
{
	size_t best = stop, i = 0;

	for (; i + 16 <= len && i < best + triage_re.litmax; i += 16) {
		for (unsigned m = util_bytes16(buf + i, ':'); m != 0; m &= m - 1)
			triage_rules_colon_at(buf, len, i + (size_t)__builtin_ctz(m), &best);
	}
	for (; i < len && i < best + triage_re.litmax; i++)
		if (buf[i] == ':')
			triage_rules_colon_at(buf, len, i, &best);
	return best;
}

/*
 * The first literal without a colon at its end, found by samples: every TRIAGE_STRIDE bytes,
 * the four there against stride4; a hit is one of the windows of a literal that begins up to
 * win + TRIAGE_STRIDE - 1 bytes before (the windows are listed by hash: triage_re.ent). Returns
 * len when there is none.
 */
static size_t
triage_rules_scan_samples(const char *buf, size_t len)
{
	size_t best = len, last = len - 4, i;

	for (i = 0; i <= last; i += TRIAGE_STRIDE) {
		uint32_t v, h;

		memcpy(&v, buf + i, 4);
		h = TRIAGE_HASH(v);
		if (!(triage_re.stride4[h >> 3] & (1u << (h & 7))))
			continue;
		for (size_t e = triage_re.bucket[h & 255]; e < triage_re.bucket[(h & 255) + 1]; e++) {
			size_t k = triage_re.ent[e].lit, back = triage_re.ent[e].back;

			if (triage_re.ent[e].v == v && i >= back && i - back < best &&
			    triage_rules_lit_is(buf, len, i - back, k)) {
				best = i - back;
				/* What begins before it is seen by the samples up to litmax on. */
				if (best + triage_re.litmax < last)
					last = best + triage_re.litmax;
			}
		}
	}
	return best;
}

/*
 * Where the first scan literal begins in buf, or -1. Two cheap passes instead of a lookup at
 * every byte: the samples, then the colons up to what the samples found.
 */
long
triage_rules_scan(const char *buf, size_t len)
{
	size_t best;

	if (len < 4)
		return -1;
	best = triage_rules_scan_samples(buf, len);
	best = triage_rules_scan_colons(buf, len, best);
	return best < len ? (long)best : -1;
}

static int
triage_rules_wordstart(const char *line, size_t at)
{
	int c;

	if (at == 0)
		return 1;
	c = (unsigned char)line[at - 1];
	return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
}

int
triage_rules_header(const char *line, size_t len, int *flags)
{
	size_t lead = 0;

	*flags = 0;
	while (lead < len && (line[lead] == ' ' || line[lead] == '\t'))
		lead++;
	for (size_t h = 0; h < TRIAGE_NHDR; h++) {
		const struct triage_hdr *hd = &triage_hdrs[h];
		size_t ll = strlen(hd->lit);
		const char *p = line;
		int hit = 0;

		while ((p = memmem(p, len - (size_t)(p - line), hd->lit, ll)) != NULL) {
			size_t at = (size_t)(p - line);
			/* Short tags ("BUG:") need a word start; phrases match inside garbled lines too. */
			if ((hd->linestart ? at == lead : 1) &&
			    (hd->lit[ll - 1] != ':' || triage_rules_wordstart(line, at))) {
				hit = 1;
				break;
			}
			p++;
		}
		if (!hit)
			continue;
		if (triage_re.notcrash[h] != NULL && triage_rules_find(triage_re.notcrash[h], line, len, 0) >= 0)
			continue;
		*flags = hd->flags;
		return (int)h;
	}
	return -1;
}

int
triage_rules_follows(int hdr, const char *line, size_t len)
{
	if (hdr < 0 || (size_t)hdr >= TRIAGE_NHDR || triage_re.follows[hdr] == NULL)
		return 0;
	return triage_rules_find(triage_re.follows[hdr], line, len, 0) >= 0;
}

/* Line cursor over the report text. */
struct triage_cur {
	const char	*s;
	size_t		 len, pos;	/* pos: start of the next line to look at */
};

static int
triage_cur_next(struct triage_cur *c, const char **l, size_t *ll)
{
	const char *nl;

	if (c->pos >= c->len)
		return 0;
	*l = c->s + c->pos;
	nl = memchr(*l, '\n', c->len - c->pos);
	*ll = nl ? (size_t)(nl - *l) : c->len - c->pos;
	c->pos += *ll + (nl != NULL);
	return 1;
}

/* Appends capture groups of the last match to args (each 128 bytes). */
static void
triage_rules_args(const char *s, char (*args)[128], int *nargs, int max)
{
	pcre2_match_data *md = triage_rules_md();
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	uint32_t n = triage_rules_npairs;

	for (uint32_t g = 1; g < n && *nargs < max; g++) {
		if (ov[2 * g] == PCRE2_UNSET) {
			args[(*nargs)++][0] = '\0';
			continue;
		}
		size_t l = ov[2 * g + 1] - ov[2 * g];
		if (l > 127)
			l = 127;
		memcpy(args[*nargs], s + ov[2 * g], l);
		args[*nargs][l] = '\0';
		(*nargs)++;
	}
}

/* The first set group of the last match, as a frame; 0 if the match had none. */
static int
triage_rules_group_frame(const char *s, char *out)
{
	pcre2_match_data *md = triage_rules_md();
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	uint32_t n = triage_rules_npairs;

	for (uint32_t g = 1; g < n; g++) {
		if (ov[2 * g] == PCRE2_UNSET || ov[2 * g + 1] == ov[2 * g])
			continue;
		size_t l = ov[2 * g + 1] - ov[2 * g];
		if (l > 127)
			l = 127;
		memcpy(out, s + ov[2 * g], l);
		out[l] = '\0';
		return 1;
	}
	return 0;
}

#define TRIAGE_MAXFRAMES 1024

struct triage_frames {
	char			f[TRIAGE_MAXFRAMES][128];
	int			n;
	int			broken;		/* a fault-injection stack is mixed in */
	enum triage_policy	policy;		/* which frames the walk keeps */
};

static void
triage_frames_add(struct triage_frames *fr, const char *name, const char *skip)
{
	char f[128];

	if (!triage_frame_demangle(name, f, sizeof(f)))
		snprintf(f, sizeof(f), "%s", name);
	if (strncmp(f, "should_fail", 11) == 0)
		fr->broken = 1;
	triage_frame_canon(f);
	if (fr->n >= TRIAGE_MAXFRAMES || triage_frame_skipped(f, skip, fr->policy))
		return;
	memcpy(fr->f[fr->n++], f, sizeof(f));
}

static int
triage_line_match(pcre2_code *re, const char *l, size_t ll)
{
	return triage_rules_find(re, l, ll, 0) >= 0;
}

/*
 * Walks the parts of one way to the frame, keeping the frames fr->policy does not skip; returns
 * the chosen frame's index in fr or -1.
 */
static int
triage_rules_stack(const struct triage_fmt *fm, const struct triage_cfmt *c, int alt,
    const struct triage_text *rep, size_t from, struct triage_frames *fr)
{
	struct triage_cur cur = { rep->s, rep->len, from };
	const char *l;
	size_t ll;
	char name[512];	/* a mangled Rust name is longer than the frame it demangles to */
	int np = 0;

	while (np < 4 && fm->stack[alt][np] != NULL)
		np++;
	fr->n = 0;
	for (int p = 0; p < np; p++) {
		const char *part = fm->stack[alt][p];
		if (strcmp(part, P_TRACE) == 0) {
			char caller[128] = "";
			while (triage_cur_next(&cur, &l, &ll)) {
				if (triage_line_match(triage_re.keyword, l, ll))
					break;
				if (p + 1 < np && !triage_rules_special(fm->stack[alt][p + 1]) &&
				    triage_rules_find(c->stack[alt][p + 1], l, ll, 0) >= 0) {
					if (triage_rules_group_frame(l, name))
						triage_frames_add(fr, name, fm->skip);
					p++;
					break;
				}
				if (triage_frame_parse(l, ll, name, sizeof(name)) > 0) {
					triage_frames_add(fr, name, fm->skip);
					if (triage_frame_caller(l, ll, caller, sizeof(caller)) == 0)
						caller[0] = '\0';
				} else if (caller[0] != '\0' && !triage_frame_regline(l, ll)) {
					/* The run of "callee from caller" lines is over: its last caller counts. */
					triage_frames_add(fr, caller, fm->skip);
					caller[0] = '\0';
				}
			}
			if (caller[0] != '\0')
				triage_frames_add(fr, caller, fm->skip);
			continue;
		}
		pcre2_code *re = strcmp(part, P_PC) == 0 ? triage_re.pc : c->stack[alt][p];
		while (triage_cur_next(&cur, &l, &ll)) {
			if (triage_rules_find(re, l, ll, 0) < 0)
				continue;
			if (triage_rules_group_frame(l, name))
				triage_frames_add(fr, name, fm->skip);
			break;
		}
	}
	return triage_frame_pick(fr->f, fr->n, fm->pick);
}

/* arm kernels since 5.x print "callee from caller+0x../0x.." lines with no heading. */
static int
triage_rules_arm_trace(const struct triage_text *rep)
{
	struct triage_cur cur = { rep->s, rep->len, 0 };
	const char *l;
	size_t ll;
	char name[128];

	while (triage_cur_next(&cur, &l, &ll))
		if (memmem(l, ll, " from ", 6) != NULL && triage_frame_parse(l, ll, name, sizeof(name)) > 0)
			return 1;
	return 0;
}

/* Expands "$1".."$9" and "$F" of a format. */
static void
triage_rules_expand(const char *out, char (*args)[128], int nargs, const char *frame, char *dst, size_t dsz)
{
	size_t n = 0;

	for (const char *p = out; *p != '\0' && n + 1 < dsz; p++) {
		const char *ins = NULL;
		if (p[0] == '$' && p[1] == 'F') {
			ins = frame;
			p++;
		} else if (p[0] == '$' && p[1] >= '1' && p[1] <= '9') {
			int i = p[1] - '1';
			ins = i < nargs ? args[i] : "";
			p++;
		}
		if (ins != NULL) {
			size_t il = strlen(ins);
			if (il > dsz - 1 - n)
				il = dsz - 1 - n;
			memcpy(dst + n, ins, il);
			n += il;
		} else
			dst[n++] = *p;
	}
	dst[n] = '\0';
}

/* Bounded copy; titles are cut, never overrun. */
static void
triage_rules_copy(char *dst, size_t sz, const char *src)
{
	size_t n = strlen(src);

	if (n >= sz)
		n = sz - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void
triage_rules_normalize(char *title, size_t sz)
{
	char buf[1024];
	size_t n = 0;
	int prev = ' ';

	for (size_t i = 0; i < sizeof(triage_norm_src) / sizeof(triage_norm_src[0]); i++) {
		pcre2_code *re = triage_re.norm[i];
		/* Overlapping numbers ("0,1,2") need more than one pass. */
		for (int pass = 0; re != NULL && pass < 4; pass++) {
			PCRE2_SIZE outlen = sizeof(buf);
			int rc = pcre2_substitute(re, (PCRE2_SPTR)title, PCRE2_ZERO_TERMINATED, 0,
			    PCRE2_SUBSTITUTE_GLOBAL, NULL, NULL, (PCRE2_SPTR)triage_norm_src[i][1],
			    PCRE2_ZERO_TERMINATED, (PCRE2_UCHAR *)buf, &outlen);
			if (rc <= 0)
				break;
			triage_rules_copy(title, sz, buf);
		}
	}
	/* Printable ASCII only, single spaces, at most 120 characters: damaged lines can be long. */
	for (size_t i = 0; title[i] != '\0' && n < 120; i++) {
		int ch = (unsigned char)title[i];
		if (ch == '\t')
			ch = ' ';
		if (ch < 0x20 || ch >= 0x7f || (ch == ' ' && prev == ' '))
			continue;
		buf[n++] = (char)ch;
		prev = ch;
	}
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
	triage_rules_copy(title, sz, buf);
}

static void
triage_rules_type(const char *t, char *type, size_t sz)
{
	static const char *const map[][2] = {
		{ "KASAN:", "kasan" }, { "KMSAN:", "kmsan" }, { "KCSAN:", "kcsan" }, { "KFENCE:", "kfence" },
		{ "UBSAN:", "ubsan" }, { "memory leak", "leak" }, { "possible deadlock", "lockdep" },
		{ "inconsistent lock state", "lockdep" }, { "BUG: Invalid wait context", "lockdep" }, { "WARNING: locking bug", "lockdep" },
		{ "WARNING: refcount bug", "refcount" }, { "INFO: task hung", TRIAGE_TYPE_HANG },
		{ "INFO: task can't die", TRIAGE_TYPE_HANG }, { "INFO: rcu detected stall", "stall" },
		{ "BUG: soft lockup", "lockup" }, { "BUG: workqueue lockup", "lockup" },
		{ "BUG: spinlock lockup", "lockup" }, { "unexpected kernel reboot", "reboot" },
		{ "kernel panic", "panic" }, { "kernel stack overflow", "panic" }, { "PANIC:", "panic" },
		{ "WARNING", "warning" },
		{ "INFO:", "info" }, { "general protection fault", "fault" },
		{ "BUG: unable to handle", "fault" }, { "Unhandled fault", "fault" },
		{ "Internal error", "fault" }, { "Alignment trap", "fault" }, { "divide error", "fault" },
		{ "stack segment", "fault" }, { "invalid opcode", "fault" }, { "kernel BUG", "bug" },
		{ "BUG:", "bug" }, { "SYZ", "syzkaller" }, { "panic:", "go" }, { "go runtime", "go" },
		{ NULL, NULL }
	};

	for (int i = 0; map[i][0] != NULL; i++)
		if (strncmp(t, map[i][0], strlen(map[i][0])) == 0) {
			snprintf(type, sz, "%s", map[i][1]);
			return;
		}
	snprintf(type, sz, "other");
}

void
triage_rules_title(int hdr, const struct triage_text *rep, struct triage_verdict *v)
{
	const struct triage_hdr *hd;
	const char *first;
	size_t firstlen;
	int chosen = 0;

	memset(v, 0, sizeof(*v));
	if (hdr < 0 || (size_t)hdr >= TRIAGE_NHDR || !triage_re.ok) {
		snprintf(v->title, sizeof(v->title), "corrupted report");
		v->rule = "corrupted report";
		snprintf(v->type, sizeof(v->type), "other");
		v->corrupted = 1;
		return;
	}
	hd = &triage_hdrs[hdr];
	first = rep->s;
	firstlen = rep->len;
	{
		const char *nl = memchr(first, '\n', rep->len);
		if (nl != NULL)
			firstlen = (size_t)(nl - first);
	}
	/*
	 * A title pattern may match on a later line than the header (a header cut short by another
	 * printk, then printed again): the earliest match decides, ties go to the earlier format,
	 * and of those the first whose follow-up lines are there names the report.
	 */
	size_t pos[TRIAGE_MAXFMT], posend[TRIAGE_MAXFMT], best = SIZE_MAX, scope = rep->len < 65536 ? rep->len : 65536;
	for (int f = 0; hd->fmts[f].title != NULL; f++) {
		pos[f] = SIZE_MAX;
		if (triage_rules_find(triage_re.fmt[hdr][f].title, rep->s, scope, 0) >= 0) {
			pos[f] = pcre2_get_ovector_pointer(triage_rules_md())[0];
			posend[f] = pcre2_get_ovector_pointer(triage_rules_md())[1];
		}
		if (pos[f] < best)
			best = pos[f];
	}
	for (int f = 0; hd->fmts[f].title != NULL && !chosen && best != SIZE_MAX; f++) {
		const struct triage_fmt *fm = &hd->fmts[f];
		const struct triage_cfmt *c = &triage_re.fmt[hdr][f];
		char args[10][128];
		int nargs = 0, ok = 1;
		static _Thread_local struct triage_frames fr;
		const char *frame = "";
		const char *ls, *nl;
		size_t stackfrom, lslen;

		if (pos[f] != best)
			continue;
		/* The line holding the title match: captures come from it, the rest follows it. */
		ls = rep->s + best;
		while (ls > rep->s && ls[-1] != '\n')
			ls--;
		/* The match may run over more than one line. */
		size_t mend = posend[f] > best ? posend[f] - 1 : best;
		nl = memchr(rep->s + mend, '\n', rep->len - mend);
		lslen = nl ? (size_t)(nl - ls) : (size_t)(rep->s + rep->len - ls);
		stackfrom = (size_t)(ls - rep->s);
		struct triage_cur cur = { rep->s, rep->len, stackfrom + lslen + 1 };
		if (triage_rules_find(c->title, ls, lslen, 0) < 0)
			continue;
		triage_rules_args(ls, args, &nargs, 9);
		for (int s = 0; s < 3 && fm->steps[s] != NULL && ok; s++) {
			const char *l;
			size_t ll;
			ok = 0;
			while (triage_cur_next(&cur, &l, &ll))
				if (triage_rules_find(c->steps[s], l, ll, 0) >= 0) {
					triage_rules_args(l, args, &nargs, 9);
					ok = 1;
					break;
				}
		}
		if (!ok)
			continue;
		chosen = 1;
		v->rule = fm->out;
		v->corrupted = (fm->flags & F_CORRUPT) != 0;
		if (fm->stack[0][0] != NULL) {
			int idx;
			/* fr outlives the report (thread-local): a fault-injection mark is this one's */
			fr.broken = 0;
			fr.policy = TRIAGE_POLICY_SYZBOT;
			idx = triage_rules_stack(fm, c, 0, rep, stackfrom, &fr);
			if (idx < 0 && fm->stack[1][0] != NULL)
				idx = triage_rules_stack(fm, c, 1, rep, stackfrom, &fr);
			/*
			 * No frame, or a fault injection's stack (should_fail) mixed into this one: no
			 * frame can be trusted; syzbot's convention names the frame "corrupted".
			 */
			if (idx < 0 || fr.broken) {
				frame = "corrupted";
				v->corrupted = 1;
			} else {
				frame = fr.f[idx];
				snprintf(v->frame, sizeof(v->frame), "%s", frame);
			}
			if (fr.broken)
				v->corrupted = 1;
		}
		triage_rules_expand(fm->out, args, nargs, frame, v->title, sizeof(v->title));
		/* A hung task: the same walk under the rig's policy names the call it waits in. */
		if (fm->pick == TRIAGE_PICK_HANG && fm->stack[0][0] != NULL) {
			static _Thread_local struct triage_frames rig;
			int ri;
			rig.policy = TRIAGE_POLICY_RIG;
			ri = triage_rules_stack(fm, c, 0, rep, stackfrom, &rig);
			if (ri < 0 && fm->stack[1][0] != NULL)
				ri = triage_rules_stack(fm, c, 1, rep, stackfrom, &rig);
			if (ri >= 0) {
				snprintf(v->rig_frame, sizeof(v->rig_frame), "%s", rig.f[ri]);
				triage_rules_expand(fm->out, args, nargs, rig.f[ri], v->rig_title,
				    sizeof(v->rig_title));
			}
		}
		if (((!(fm->flags & (F_NOSTACK | F_OWNSTACK)) && fm->stack[0][0] != NULL) ||
		    (fm->flags & F_BACKTRACE)) &&
		    memmem(rep->s, rep->len, "Call Trace", 10) == NULL &&
		    memmem(rep->s, rep->len, "Call trace", 10) == NULL &&
		    memmem(rep->s, rep->len, "acktrace", 8) == NULL &&
		    !triage_rules_arm_trace(rep))
			v->corrupted = 1;
	}
	if (!chosen && (hd->flags & TRIAGE_HDR_NEEDFMT)) {
		/* The header's shape without the rest of it: the caller drops an empty title. */
		v->title[0] = '\0';
		return;
	}
	if (!chosen) {
		v->rule = hd->lit;
		/* No format fits: the header line itself, from the header on, is the best title left. */
		const char *p = memmem(first, firstlen, hd->lit, strlen(hd->lit));
		size_t off = p ? (size_t)(p - first) : 0;
		size_t l = firstlen - off;
		if (l > sizeof(v->title) - 1)
			l = sizeof(v->title) - 1;
		memcpy(v->title, first + off, l);
		v->title[l] = '\0';
		if (best != SIZE_MAX)
			v->corrupted = 1;
	}
	triage_rules_normalize(v->title, sizeof(v->title));
	/* A timestamp inside a title means two lines were printed into each other. */
	if (strstr(v->title, "[ ") != NULL || strstr(v->title, "NUM.NUM]") != NULL)
		v->corrupted = 1;
	/* Reports the rig's policy has nothing to add to carry the one title under both names. */
	if (v->rig_title[0] != '\0')
		triage_rules_normalize(v->rig_title, sizeof(v->rig_title));
	else {
		memcpy(v->rig_title, v->title, sizeof(v->rig_title));
		memcpy(v->rig_frame, v->frame, sizeof(v->rig_frame));
	}
	triage_rules_type(v->title, v->type, sizeof(v->type));
	if (strcmp(v->type, "other") == 0 && hd->type != NULL)
		snprintf(v->type, sizeof(v->type), "%s", hd->type);
}
