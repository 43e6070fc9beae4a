/* triage: the streaming side of crash triage: lines, caller contexts, report boundaries, delivery. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "triage.h"
#include "triage_int.h"

/*
 * Bounds that keep a console's state at a few MB whatever it prints: the part of a line looked
 * at, the report text kept, and how long a report may run before it is delivered as it stands.
 */
#define TRIAGE_LINE_KEEP	4096
#define TRIAGE_REPORT_MAX	(1024 * 1024)
#define TRIAGE_REPORT_LINES	4000
#define TRIAGE_REPORT_SCAN	40000
/* Lines a report needs before a panic or a lockdep splat after it is taken as its epilogue. */
#define TRIAGE_EPILOGUE_AFTER	22
/* Lines after a report during which a panic or register dump still belongs to it. */
#define TRIAGE_AFTERMATH_LINES	100

enum triage_ctx { TRIAGE_CTX_NONE, TRIAGE_CTX_CONSOLE, TRIAGE_CTX_TASK, TRIAGE_CTX_CPU };

struct triage {
	triage_cb	 cb;
	void		*arg;
	uint64_t	 off;		/* stream offset of the next byte fed */

	char		*line;		/* the line being assembled, its first TRIAGE_LINE_KEEP bytes */
	size_t		 linelen;
	uint64_t	 linestart;
	int		 inline_;	/* a partial line is pending */
	int		 expect_boot;
	int		 spoke;		/* something besides the decompressor was printed already */

	int		 active;	/* a report is open */
	int		 hdr;
	uint64_t	 start, end;
	enum triage_ctx	 ctxkind;
	char		 ctx[16];
	char		*text;
	size_t		 textlen;
	int		 lines, scanned;
	int		 epilogue;	/* the report proper is over; what follows is not its text */
	int		 cputrace;	/* an all-CPU backtrace was requested: other CPUs belong too */
	int		 aftermath;	/* lines since a report was delivered, while its epilogue may follow */
	int		 cut;		/* another writer's stack began inside it: its text ends there */
	int		 framed;	/* a stack frame of its own was printed already */
};

struct triage *
triage_new(triage_cb cb, void *arg)
{
	struct triage *t;

	if (cb == NULL || triage_rules_init() == -1)
		return NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->line = malloc(TRIAGE_LINE_KEEP + 1);
	t->text = malloc(TRIAGE_REPORT_MAX);
	if (t->line == NULL || t->text == NULL) {
		triage_free(t);
		return NULL;
	}
	t->cb = cb;
	t->arg = arg;
	return t;
}

void
triage_free(struct triage *t)
{
	if (t == NULL)
		return;
	free(t->line);
	free(t->text);
	free(t);
}

void
triage_expect_boot(struct triage *t)
{
	t->expect_boot = 1;
}

void
triage_prefetch(const struct triage *t)
{
	if (t == NULL)
		return;
	for (size_t o = 0; o < sizeof(*t); o += 64)
		__builtin_prefetch((const char *)t + o);
}

int
triage_pending(const struct triage *t)
{
	return t->active;
}

static int
triage_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Whether "[ 12.345678]" starts at l[i]. */
static int
triage_stamp(const char *l, size_t len, size_t i)
{
	size_t j = i + 1, d;

	if (i >= len || l[i] != '[')
		return 0;
	while (j < len && l[j] == ' ')
		j++;
	for (d = j; j < len && triage_digit((unsigned char)l[j]); j++)
		;
	if (j == d || j >= len || l[j] != '.')
		return 0;
	for (d = ++j; j < len && triage_digit((unsigned char)l[j]); j++)
		;
	return j > d && j < len && l[j] == ']';
}

/*
 * A board's console is also its shell: a message printed while the prompt waits for input
 * shares the prompt's line ("/ # [   41.58] INFO: task sh:149 blocked ..."). Where such a
 * prompt (short, ending in "# " or "$ ") precedes a timestamp, the message starts there.
 */
static size_t
triage_prompt(const char *l, size_t len, size_t i)
{
	size_t end = len < i + 64 ? len : i + 64, k;
	const char *b;

	/* Every untimestamped line comes here: memchr finds the bracket without a byte loop. */
	if (i + 2 >= end || (b = memchr(l + i + 2, '[', end - i - 2)) == NULL)
		return i;
	k = (size_t)(b - l);
	if (l[k - 1] == ' ' && (l[k - 2] == '#' || l[k - 2] == '$') && triage_stamp(l, len, k))
		return k;
	return i;
}

/*
 * Strips "[  12.345678][ T123] " (and the syslog "<4>", "login: " and dropped-message noise
 * before it). Returns where the message starts; sets the caller context the line came from.
 */
static size_t
triage_prefix(const char *l, size_t len, enum triage_ctx *kind, char *ctx, size_t ctxsz)
{
	size_t i = 0, j;

	*kind = TRIAGE_CTX_NONE;
	ctx[0] = '\0';
	if (len > 3 && memcmp(l, "** ", 3) == 0) {
		const char *e = memmem(l + 3, len - 3, " ** ", 4);
		if (e != NULL)
			i = (size_t)(e - l) + 4;
	}
	if (i < len && l[i] != '[' && l[i] != '<') {
		const char *lg = memmem(l + i, len - i, " login: ", 8);
		if (lg != NULL)
			i = (size_t)(lg - l) + 8;
	}
	if (i < len && l[i] != '[' && l[i] != '<')
		i = triage_prompt(l, len, i);
	if (i < len && l[i] == '<') {
		j = i + 1;
		while (j < len && triage_digit((unsigned char)l[j]))
			j++;
		if (j > i + 1 && j < len && l[j] == '>')
			i = j + 1;
	}
	if (i >= len || l[i] != '[')
		return 0;
	j = i + 1;
	while (j < len && l[j] == ' ')
		j++;
	if (j >= len || !triage_digit((unsigned char)l[j]))
		return 0;
	while (j < len && triage_digit((unsigned char)l[j]))
		j++;
	if (j >= len || l[j] != '.')
		return 0;
	j++;
	while (j < len && triage_digit((unsigned char)l[j]))
		j++;
	if (j >= len || l[j] != ']')
		return 0;
	j++;
	*kind = TRIAGE_CTX_CONSOLE;
	if (j < len && l[j] == '[') {
		size_t k = j + 1, s;
		while (k < len && l[k] == ' ')
			k++;
		s = k;
		if (k < len && (l[k] == 'T' || l[k] == 'C')) {
			k++;
			while (k < len && triage_digit((unsigned char)l[k]))
				k++;
			if (k < len && l[k] == ']' && k - s < ctxsz && k - s > 1) {
				memcpy(ctx, l + s, k - s);
				ctx[k - s] = '\0';
				*kind = l[s] == 'T' ? TRIAGE_CTX_TASK : TRIAGE_CTX_CPU;
				j = k + 1;
			}
		}
	}
	if (j < len && l[j] == ' ')
		j++;
	return j;
}

/* "  ? func+0x1/0x2": a guess of the unwinder, not a frame of the stack; kept out of reports. */
static int
triage_questionable(const char *l, size_t len)
{
	size_t i = 0;

	if (memmem(l, len, "<EOI>", 5) != NULL)
		return 0;
	/* powerpc's show_stack (arch/powerpc/kernel/process.c) marks a guessed frame at the end. */
	if (len >= 13 && memcmp(l + len - 13, " (unreliable)", 13) == 0)
		return 1;
	while (i < len && (l[i] == ' ' || l[i] == '\t'))
		i++;
	if (i < len && l[i] == '[') {
		const char *e = memchr(l + i, ']', len - i);
		if (e == NULL)
			return 0;
		i = (size_t)(e - l) + 1;
		while (i < len && l[i] == ' ')
			i++;
	}
	return i + 1 < len && l[i] == '?' && l[i + 1] == ' ';
}

/* Removes CR, NUL and ANSI escape sequences in place: they are noise the console added. */
static size_t
triage_clean(char *l, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)l[i];
		if (c == 0x1b) {
			if (i + 1 < len && l[i + 1] == '[') {
				i += 2;
				while (i < len && !((unsigned char)l[i] >= 0x40 && (unsigned char)l[i] <= 0x7e))
					i++;
			} else
				i++;
			continue;
		}
		if (c == '\r' || c == '\0')
			continue;
		l[o++] = (char)c;
	}
	return o;
}

const char *
triage_line_text(char *l, size_t *len)
{
	enum triage_ctx kind;
	char ctx[16];
	size_t n = *len, skip;

	if (memchr(l, '\r', n) || memchr(l, 0x1b, n) || memchr(l, '\0', n))
		n = triage_clean(l, n);
	skip = triage_prefix(l, n, &kind, ctx, sizeof(ctx));
	if (triage_questionable(l + skip, n - skip))
		return NULL;
	*len = n - skip;
	return l + skip;
}

static void
triage_deliver(struct triage *t)
{
	struct triage_verdict v;
	struct triage_text rep = { t->text, t->textlen };
	struct triage_report r;

	if (!t->active)
		return;
	triage_rules_title(t->hdr, &rep, &v);
	if (v.title[0] == '\0') {
		/* It looked like a header but the report it promised never followed. */
		t->active = 0;
		return;
	}
	memset(&r, 0, sizeof(r));
	memcpy(r.title, v.title, sizeof(r.title));
	memcpy(r.type, v.type, sizeof(r.type));
	r.verdict = strcmp(r.type, TRIAGE_TYPE_HANG) == 0 ? VERDICT_HANG : VERDICT_CRASH;
	memcpy(r.frame, v.frame, sizeof(r.frame));
	memcpy(r.rig_title, v.rig_title, sizeof(r.rig_title));
	memcpy(r.rig_frame, v.rig_frame, sizeof(r.rig_frame));
	r.corrupted = v.corrupted || t->cut;
	r.rule = v.rule;
	r.start = t->start;
	r.end = t->end;
	r.text = t->text;
	r.textlen = t->textlen;
	t->active = 0;
	t->aftermath = 1;
	t->cb(&r, t->arg);
}

static void
triage_append(struct triage *t, const char *s, size_t len)
{
	if (t->textlen + len + 1 > TRIAGE_REPORT_MAX)
		return;
	memcpy(t->text + t->textlen, s, len);
	t->textlen += len;
	t->text[t->textlen++] = '\n';
	t->lines++;
}

static void
triage_begin(struct triage *t, int hdr, enum triage_ctx kind, const char *ctx,
    const char *msg, size_t msglen, uint64_t lstart, uint64_t lend)
{
	t->active = 1;
	t->hdr = hdr;
	t->start = lstart;
	t->end = lend;
	t->ctxkind = kind;
	snprintf(t->ctx, sizeof(t->ctx), "%s", ctx);
	t->textlen = 0;
	t->lines = 0;
	t->scanned = 0;
	t->epilogue = 0;
	t->cputrace = 0;
	t->cut = 0;
	t->framed = 0;
	triage_append(t, msg, msglen);
}

/* Whether a line is output of a running system: not blank, not the kernel decompressor's. */
static int
triage_output(const char *l, size_t len)
{
	size_t i = 0;

	while (i < len && (l[i] == ' ' || l[i] == '\t' || l[i] == '\r' || l[i] == '\0'))
		i++;
	return i < len && !(len - i >= 19 && memcmp(l + i, "Decompressing Linux", 19) == 0);
}

/* The same over lines the scan skipped; it stops looking once the stream has spoken. */
static int
triage_output_span(const char *s, size_t len)
{
	while (len > 0) {
		const char *nl = memchr(s, '\n', len);
		size_t ll = nl ? (size_t)(nl - s) : len;
		if (triage_output(s, ll))
			return 1;
		if (nl == NULL)
			break;
		len -= ll + 1;
		s = nl + 1;
	}
	return 0;
}

static int
triage_has(const char *l, size_t len, const char *lit)
{
	return memmem(l, len, lit, strlen(lit)) != NULL;
}

/*
 * One complete line: [lstart, lend) in the stream, its first bytes in t->line. event says
 * whether the scan pattern (headers and report boundaries) may hit in it; most lines of a
 * report are frames and registers, for which it does not.
 */
static void
triage_line(struct triage *t, uint64_t lstart, uint64_t lend, int event)
{
	enum triage_ctx kind;
	char ctx[16];
	size_t len = t->linelen;
	const char *l = t->line;
	size_t skip;
	const char *msg;
	size_t msglen;
	int flags = 0, hdr = -1;

	if (memchr(l, '\r', len) || memchr(l, 0x1b, len) || memchr(l, '\0', len))
		len = triage_clean(t->line, len);
	skip = triage_prefix(l, len, &kind, ctx, sizeof(ctx));
	msg = l + skip;
	msglen = len - skip;
	if (!event && !t->active) {
		if (t->aftermath > 0 && ++t->aftermath > TRIAGE_AFTERMATH_LINES)
			t->aftermath = 0;
		return;
	}
	if (event && triage_rules_scan(msg, msglen) >= 0)
		hdr = triage_rules_header(msg, msglen, &flags);
	else
		event = 0;
	if (hdr >= 0 && (flags & TRIAGE_HDR_REBOOT) && (t->expect_boot || !t->spoke)) {
		/* Asked for, or the stream's first boot: nothing ran before it to be rebooted. */
		t->expect_boot = 0;
		hdr = -1;
	}
	if (!t->spoke)
		t->spoke = triage_output(msg, msglen);
	if (!t->active) {
		/* "Kernel panic - not syncing: Fatal exception" right after an oops is its ending. */
		if (t->aftermath > 0 && ++t->aftermath > TRIAGE_AFTERMATH_LINES)
			t->aftermath = 0;
		if (hdr >= 0 && t->aftermath > 0 && (flags & TRIAGE_HDR_CONTINUES))
			return;
		if (hdr >= 0)
			triage_begin(t, hdr, kind, ctx, msg, msglen, lstart, lend);
		return;
	}
	/*
	 * A line belongs to the report when it comes from the same source: the same task or CPU,
	 * or for a console without caller ids, a line with a timestamp when the header had one
	 * (lines without one are another writer on the same port, such as a fuzzer's log).
	 */
	int same = (kind == t->ctxkind && strcmp(ctx, t->ctx) == 0) ||
	    (t->cputrace && kind == TRIAGE_CTX_CPU);
	/* The kernel prints this header as part of the open report (a Rust panic's BUG()). */
	if (hdr >= 0 && same && triage_rules_follows(t->hdr, msg, msglen))
		hdr = -1;
	/*
	 * A second report of the same task or CPU that starts before the first printed a frame:
	 * with caller ids its lines are told from other writers', and syzbot keeps them in the
	 * first report (titled by the first's header). Without caller ids, or once the first has
	 * its stack, the first is over where the second begins.
	 */
	if (hdr >= 0 && same && !t->framed && (t->ctxkind == TRIAGE_CTX_TASK || t->ctxkind == TRIAGE_CTX_CPU) &&
	    strcmp(ctx, t->ctx) == 0)
		hdr = -1;
	/* Another report from the same source: this one is over, the next begins here. */
	if (hdr >= 0 && !(flags & TRIAGE_HDR_CONTINUES) && same &&
	    (t->ctxkind == TRIAGE_CTX_NONE || t->ctxkind == TRIAGE_CTX_CONSOLE || strcmp(ctx, t->ctx) == 0)) {
		/* A header cut short and printed again in full ("** replaying previous printk"). */
		const char *nl = memchr(t->text, '\n', t->textlen);
		size_t firstlen = nl ? (size_t)(nl - t->text) : t->textlen;
		if (t->lines <= 3 && firstlen < msglen && memcmp(t->text, msg, firstlen) == 0) {
			uint64_t start = t->start;
			triage_begin(t, hdr, kind, ctx, msg, msglen, lstart, lend);
			t->start = start;
			return;
		}
		triage_deliver(t);
		triage_begin(t, hdr, kind, ctx, msg, msglen, lstart, lend);
		return;
	}
	if (++t->scanned > TRIAGE_REPORT_SCAN) {
		triage_deliver(t);
		return;
	}
	if (!same || triage_questionable(msg, msglen))
		return;
	if (event && triage_has(msg, msglen, "Sending NMI from CPU"))
		t->cputrace = 1;
	if (event && triage_has(msg, msglen, "Disabling lock debugging due to kernel taint"))
		return;
	/*
	 * Messages that print a stack of their own though they report no bug (lib/fault-inject.c
	 * fail_dump, mm/page_alloc.c warn_alloc, fs/userfaultfd.c): on a console without caller
	 * ids nothing tells their lines from the report's, so the report's text ends here and it
	 * is marked corrupted, as syzbot does.
	 */
	if (event && (t->ctxkind == TRIAGE_CTX_NONE || t->ctxkind == TRIAGE_CTX_CONSOLE) && !t->epilogue &&
	    (triage_has(msg, msglen, "FAULT_INJECTION: forcing a failure") ||
	    triage_has(msg, msglen, "vmalloc: allocation failure") ||
	    triage_has(msg, msglen, "FAULT_FLAG_ALLOW_RETRY missing"))) {
		t->epilogue = 1;
		t->cut = 1;
	}
	if (event && t->lines > TRIAGE_EPILOGUE_AFTER &&
	    (triage_has(msg, msglen, "Kernel panic - not syncing") ||
	    triage_has(msg, msglen, "WARNING: possible circular locking dependency detected")))
		t->epilogue = 1;
	t->end = lend;
	if (!t->framed) {
		char fn[128];
		t->framed = triage_frame_parse(msg, msglen, fn, sizeof(fn)) > 0;
	}
	if (!t->epilogue)
		triage_append(t, msg, msglen);
	if ((event && (triage_has(msg, msglen, "---[ end trace") ||
	    triage_has(msg, msglen, "---[ end Kernel panic") || triage_has(msg, msglen, "Kernel Offset:") ||
	    triage_has(msg, msglen, "Rebooting in "))) ||
	    t->lines >= TRIAGE_REPORT_LINES || t->textlen + TRIAGE_LINE_KEEP + 1 > TRIAGE_REPORT_MAX)
		triage_deliver(t);
}

static void
triage_keep(struct triage *t, const char *s, size_t n)
{
	size_t room = TRIAGE_LINE_KEEP - t->linelen;

	if (n > room)
		n = room;
	memcpy(t->line + t->linelen, s, n);
	t->linelen += n;
}

void
triage_feed(struct triage *t, const char *buf, size_t len)
{
	const char *end = buf + len;
	/* Where the scan pattern next hits among this call's complete lines (end if nowhere). */
	const char *hit = NULL, *whole_end;
	const char *lastnl = memrchr(buf, '\n', len);

	whole_end = lastnl ? lastnl + 1 : buf;
	while (buf < end) {
		if (!t->inline_ && buf < whole_end && (hit == NULL || hit < buf)) {
			long h = triage_rules_scan(buf, (size_t)(whole_end - buf));
			hit = h < 0 ? end : buf + h;
		}
		if (!t->inline_ && !t->active && t->aftermath == 0) {
			/* Nothing open: jump straight to the line holding the next hit. */
			const char *to = hit != NULL && hit < whole_end ? hit : whole_end;
			const char *ls = to > buf ? memrchr(buf, '\n', (size_t)(to - buf)) : NULL;
			const char *skip = ls ? ls + 1 : buf;
			if (to == whole_end)
				skip = whole_end;
			if (!t->spoke && skip > buf)
				t->spoke = triage_output_span(buf, (size_t)(skip - buf));
			t->off += (uint64_t)(skip - buf);
			buf = skip;
			if (buf >= end)
				break;
		}
		const char *nl = memchr(buf, '\n', (size_t)(end - buf));
		size_t n = nl ? (size_t)(nl - buf) + 1 : (size_t)(end - buf);
		int partial = t->inline_;
		if (!t->inline_) {
			t->inline_ = 1;
			t->linelen = 0;
			t->linestart = t->off;
		}
		triage_keep(t, buf, nl ? n - 1 : n);
		buf += n;
		t->off += n;
		if (nl != NULL) {
			/* A line that began in an earlier call was not scanned with the rest. */
			int event = partial || hit == NULL || hit < buf;
			t->inline_ = 0;
			triage_line(t, t->linestart, t->off, event);
		}
	}
}

void
triage_flush(struct triage *t)
{
	if (t->inline_) {
		t->inline_ = 0;
		triage_line(t, t->linestart, t->off, 1);
	}
	triage_deliver(t);
}

/* Whole logs at once (rigctl triage, tests): every report in buf, in order. */
int
triage_buffer(const char *buf, size_t len, triage_cb cb, void *arg)
{
	struct triage *t;

	if ((t = triage_new(cb, arg)) == NULL)
		return -1;
	triage_feed(t, buf, len);
	triage_flush(t);
	triage_free(t);
	return 0;
}
