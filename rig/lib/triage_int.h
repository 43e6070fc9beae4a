/* triage_int: what the triage files share with each other (not part of the library's interface). */
#ifndef RIG_TRIAGE_INT_H
#define RIG_TRIAGE_INT_H

#include <stddef.h>

#include "triage.h"

/* A report's text: stripped lines joined by '\n', as the title rules see them. */
struct triage_text {
	const char	*s;
	size_t		 len;
};

/* What triage_rules decided about one report. */
struct triage_verdict {
	char	title[256];
	char	type[32];
	char	frame[128];
	char	rig_title[256];	/* title and frame by the rig's policy (a hung task), else as above */
	char	rig_frame[128];
	int	corrupted;
	const char *rule;	/* the entry that titled it (struct triage_report's rule) */
};

/* Header recognition on one stripped console line. */
enum triage_hdr_flags {
	TRIAGE_HDR_NONE = 0,
	TRIAGE_HDR_CRASH = 1,		/* the line starts a report */
	TRIAGE_HDR_CONTINUES = 2,	/* it may sit inside another report without starting a new one */
	TRIAGE_HDR_REBOOT = 4,		/* the machine rebooted under us */
	TRIAGE_HDR_NEEDFMT = 8,		/* unless one of its formats fits, it was not a report */
};

/*
 * One console line as a report's text keeps it: CR, NUL and escapes removed in place, the
 * timestamp and caller id cut; NULL for a "? guess" frame of the unwinder, which reports leave out.
 */
const char *triage_line_text(char *l, size_t *len);

/* Compiles the rule tables once per process; 0 or -1. */
int triage_rules_init(void);
/*
 * Fast prefilter over many lines: offset of the first byte where a scan literal (a header or a
 * report boundary) begins and ends by len, or -1.
 */
long triage_rules_scan(const char *buf, size_t len);
/* The scan's literals, 0 on: NULL past the last (for tests). */
const char *triage_rules_literal(size_t i);
/* Whether a stripped line starts a report; returns the index of its header kind or -1. */
int triage_rules_header(const char *line, size_t len, int *flags);
/* Whether a header line of another kind is part of report hdr as the kernel prints it (no new report). */
int triage_rules_follows(int hdr, const char *line, size_t len);
/* Titles a finished report; hdr is the kind triage_rules_header returned for its first line. */
void triage_rules_title(int hdr, const struct triage_text *rep, struct triage_verdict *v);

/* Guilty-frame choice (triage_frame.c). */
enum triage_pick {
	TRIAGE_PICK_FIRST,	/* the first frame that is not skipped */
	TRIAGE_PICK_STALL,	/* the frame above the entry point of a loop (stalls, lockups) */
	TRIAGE_PICK_HANG,	/* what a hung task waits on */
};

/* Frame name on a stack line (x86, arm, arm64, symbolized or not); length or 0. */
size_t triage_frame_parse(const char *line, size_t len, char *out, size_t outsz);
/* The caller on an arm "callee from caller+0x.." line; length or 0. */
size_t triage_frame_caller(const char *line, size_t len, char *out, size_t outsz);
/* An arm register dump line (" r7:81d81ac0 ...") that sits between frames. */
int triage_frame_regline(const char *line, size_t len);
/* Whether the policy skips the frame: its groups of the list plus an extra '|'-separated list of substrings. */
int triage_frame_skipped(const char *frame, const char *extra, enum triage_policy policy);
/* Demangles a Rust symbol ("_RNv..", "_ZN..17h..E") into out; 0 (out untouched) for other names. */
int triage_frame_demangle(const char *name, char *out, size_t sz);
/* Renames syscall entry wrappers to sys_NAME so all arches give the same frame. */
void triage_frame_canon(char *frame);
/* Chooses from frames (each 128 bytes) by policy; returns the index or -1. */
int triage_frame_pick(char (*frames)[128], int n, enum triage_pick pick);

#endif
