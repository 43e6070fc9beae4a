/* triage_hang: titles a hung task the rig's deadline caught as the console path titles the kernel's report of it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "triage_int.h"

/*
 * The deadline path has a stack but no report: it is read as the Call Trace of the report the
 * kernel's hung-task watchdog prints, by the same rule, walk and skip list as the console's.
 */
static const char triage_hang_head[] = "INFO: task rig:0 blocked for more than 0 seconds.\nCall Trace:\n";

/* Bound on the stack text looked at: a task's stack is a few dozen lines. */
#define TRIAGE_HANG_MAX	(256 * 1024)

/* The stack's lines as a report's text; malloc'd, or NULL when out of memory. */
static char *
triage_hang_text(const char *stack, size_t *lenp)
{
	size_t slen = strnlen(stack, TRIAGE_HANG_MAX), n = sizeof(triage_hang_head) - 1;
	char *text = malloc(n + slen + 2), line[4096];

	if (text == NULL)
		return NULL;
	memcpy(text, triage_hang_head, n);
	for (size_t i = 0; i < slen;) {
		const char *nl = memchr(stack + i, '\n', slen - i);
		size_t ll = nl ? (size_t)(nl - (stack + i)) : slen - i, ml;
		const char *msg;

		ml = ll < sizeof(line) ? ll : sizeof(line) - 1;
		memcpy(line, stack + i, ml);
		i += ll + 1;
		msg = triage_line_text(line, &ml);
		/* A sysrq-w dump brings its own "Call Trace:": a second one would end the walk. */
		if (msg == NULL || ml == 0 || memmem(msg, ml, "Call Trace", 10) != NULL ||
		    memmem(msg, ml, "Call trace", 10) != NULL)
			continue;
		memcpy(text + n, msg, ml);
		n += ml;
		text[n++] = '\n';
	}
	*lenp = n;
	return text;
}

/* Fills v from the stack, else wchan; the return value of triage_hang_titles. */
static int
triage_hang(const char *stack, const char *wchan, struct triage_verdict *v)
{
	int rc = triage_rules_init();

	memset(v, 0, sizeof(*v));
	if (rc == 0 && stack != NULL && stack[0] != '\0') {
		size_t len = 0, hl = (size_t)(strchr(triage_hang_head, '\n') - triage_hang_head);
		char *text = triage_hang_text(stack, &len);
		int flags = 0, hdr = triage_rules_header(triage_hang_head, hl, &flags);

		if (text != NULL && hdr >= 0) {
			struct triage_text rep = { text, len };
			triage_rules_title(hdr, &rep, v);
		}
		free(text);
	}
	if (v->frame[0] == '\0' && v->rig_frame[0] != '\0') {
		/* syzbot's policy passed over every frame there was: the rig's is the best name left. */
		memcpy(v->frame, v->rig_frame, sizeof(v->frame));
		memcpy(v->title, v->rig_title, sizeof(v->title));
	}
	if (v->frame[0] != '\0') {
		if (v->rig_frame[0] == '\0') {
			memcpy(v->rig_frame, v->frame, sizeof(v->rig_frame));
			memcpy(v->rig_title, v->title, sizeof(v->rig_title));
		}
		return 0;
	}
	if (wchan != NULL && wchan[0] != '\0' && strcmp(wchan, "0") != 0) {
		/* What called the function the task sleeps in is unknown: both titles name it. */
		if (!triage_frame_demangle(wchan, v->frame, sizeof(v->frame)))
			snprintf(v->frame, sizeof(v->frame), "%s", wchan);
		snprintf(v->rig_frame, sizeof(v->rig_frame), "%s", v->frame);
		snprintf(v->title, sizeof(v->title), "INFO: task hung in %s", v->frame);
		snprintf(v->rig_title, sizeof(v->rig_title), "INFO: task hung in %s", v->frame);
		return rc == 0 ? 1 : -1;
	}
	v->frame[0] = v->rig_frame[0] = '\0';
	snprintf(v->title, sizeof(v->title), "INFO: task hung");
	snprintf(v->rig_title, sizeof(v->rig_title), "INFO: task hung");
	return rc == 0 ? 2 : -1;
}

static void
triage_hang_copy(char *dst, size_t len, const char *src)
{
	if (dst != NULL && len > 0)
		snprintf(dst, len, "%s", src);
}

int
triage_hang_titles(const char *stack, const char *wchan, char *title, size_t tlen,
    char *rig_title, size_t rlen)
{
	struct triage_verdict v;
	int rc = triage_hang(stack, wchan, &v);

	triage_hang_copy(title, tlen, v.title);
	triage_hang_copy(rig_title, rlen, v.rig_title);
	return rc;
}

int
triage_hang_frames(const char *stack, const char *wchan, char *frame, size_t flen,
    char *rig_frame, size_t rlen)
{
	struct triage_verdict v;
	int rc = triage_hang(stack, wchan, &v);

	triage_hang_copy(frame, flen, v.frame);
	triage_hang_copy(rig_frame, rlen, v.rig_frame);
	return rc;
}
