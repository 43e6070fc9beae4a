/* triage: finds kernel crash and hang reports in console output and titles them as syzbot does. */
#ifndef RIG_TRIAGE_H
#define RIG_TRIAGE_H

#include <stddef.h>
#include <stdint.h>

struct triage_report {
	char		title[256];	/* "KASAN: use-after-free Read in mtd_proc_show" */
	char		type[32];	/* "kasan", "warning", "bug", "hang", "lockdep", "panic", ... */
	char		frame[128];	/* guilty frame, "" if none */
	int		corrupted;	/* the report was too damaged to trust the title */
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
/* A report has begun and has not yet been delivered. */
int triage_pending(const struct triage *t);
/* End of stream or a quiet gap: deliver what is pending. */
void triage_flush(struct triage *t);
/* The next "Booting the kernel" is a boot rigd asked for, not an unexpected reboot. */
void triage_expect_boot(struct triage *t);
/* A whole log at once: triage_new, feed, flush, free; 0 or -1 (out of memory). */
int triage_buffer(const char *buf, size_t len, triage_cb cb, void *arg);

#endif
