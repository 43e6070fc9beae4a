/* triage: finds kernel crash and hang reports in console output and titles them as syzbot does. */
#ifndef RIG_TRIAGE_H
#define RIG_TRIAGE_H

#include <stddef.h>
#include <stdint.h>

#include "vocab.h"

/* The type of a hung task's report, also given to the hangs the rig's own deadline catches. */
#define TRIAGE_TYPE_HANG	"hang"

/*
 * Which frame a title charges. syzbot's policy passes over subsystem calls to the driver that
 * made them ("INFO: task hung in i801_remove"): its title is a crash group's key, the same
 * whoever caught the bug. The rig's policy stops at the first frame that is not a scheduler,
 * wait, lock or completion helper: the subsystem call a task is stuck in ("INFO: task hung in
 * i2c_del_adapter"). One skip list and one walk over the frames serve both (triage_frame.c).
 */
enum triage_policy {
	TRIAGE_POLICY_SYZBOT,
	TRIAGE_POLICY_RIG,
	TRIAGE_POLICY__COUNT
};

struct triage_report {
	char		title[256];	/* "KASAN: use-after-free Read in mtd_proc_show" (syzbot's policy) */
	char		type[32];	/* "kasan", "warning", "bug", "hang", "lockdep", "panic", ... */
	enum verdict	verdict;	/* what it makes of a run: VERDICT_HANG for a hung task, else crash */
	char		frame[128];	/* guilty frame, "" if none */
	/*
	 * A hung task's report titled by the rig's policy ("INFO: task hung in i2c_del_adapter")
	 * and its frame; for every other report the same as title and frame.
	 */
	char		rig_title[256];
	char		rig_frame[128];
	int		corrupted;	/* the report was too damaged to trust the title */
	/*
	 * The rule table entry that titled it, its class for measures: the entry's title template
	 * ("BUG: soft lockup in $F"), or the header's literal ("UBSAN:") when no format fitted.
	 * Static text, valid for the process's life.
	 */
	const char	*rule;
	uint64_t	start, end;	/* byte range of the report in the stream fed so far */
	const char	*text;		/* the report's text (valid during the callback only) */
	size_t		textlen;
};

/* Called once per report, when it is complete (or at triage_flush). */
typedef void (*triage_cb)(const struct triage_report *r, void *arg);

struct triage;

/* Streaming: state is bounded (a few MB) whatever the stream's length. */
struct triage *triage_new(triage_cb cb, void *arg);
void triage_free(struct triage *t);
/* Bytes as they arrive from a console: any bytes (NUL, CR, escapes, partial lines). */
void triage_feed(struct triage *t, const char *buf, size_t len);
/*
 * Asks the processor for the state the next triage_feed reads first (a hint: the engine of a
 * console read a sweep ago is out of the cache). NULL is let be.
 */
void triage_prefetch(const struct triage *t);
/* A report has begun and has not yet been delivered. */
int triage_pending(const struct triage *t);
/* End of stream or a quiet gap: deliver what is pending. */
void triage_flush(struct triage *t);
/* The next "Booting the kernel" is a boot rigd asked for, not an unexpected reboot. */
void triage_expect_boot(struct triage *t);
/* A whole log at once: triage_new, feed, flush, free; 0 or -1 (out of memory). */
int triage_buffer(const char *buf, size_t len, triage_cb cb, void *arg);

/*
 * The rig's own deadline caught a hung task: titles it from the task's kernel stack as the
 * console path titles the kernel's hung-task report of the same task, so either lands in one
 * crash group. stack is /proc/PID/stack ("[<0>] i2c_del_adapter+0x120/0x1b0") or the task's
 * lines of a sysrq-w dump as the console printed them; wchan names the function when the stack
 * is empty (ARM 6.1 shows no other task's stack). title gets syzbot's policy ("INFO: task hung
 * in i801_remove"), rig_title the rig's ("INFO: task hung in i2c_del_adapter"). Returns 0 when
 * the titles come from the stack; 1 when only wchan named a frame (both titles then name it,
 * since what called it is unknown); 2 when nothing did (both "INFO: task hung"); -1 when the
 * rules could not be compiled (the titles are still set, as for 2).
 */
int triage_hang_titles(const char *stack, const char *wchan, char *title, size_t tlen,
    char *rig_title, size_t rlen);
/* The same, the frames alone ("" where none): frame by syzbot's policy, rig_frame by the rig's. */
int triage_hang_frames(const char *stack, const char *wchan, char *frame, size_t flen,
    char *rig_frame, size_t rlen);

#endif
